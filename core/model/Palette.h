// Colours shared by every view, so the same thing has the same colour everywhere (3-D view, raster, plots,
// legends). Categorical colours are Okabe & Ito's colour-blind-safe set, extended with lighter tints.
#pragma once

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <string>

namespace nr::palette {

struct Rgb {
    uint8_t r, g, b;
};

constexpr Rgb kCategorical[12] = {{0, 114, 178},   {230, 159, 0},   {0, 158, 115},   {213, 94, 0},
                                  {86, 180, 233},  {204, 121, 167}, {240, 228, 66},  {153, 153, 153},
                                  {120, 170, 220}, {250, 200, 120}, {120, 210, 170}, {235, 150, 110}};
constexpr Rgb kUnknown = {128, 128, 128};
// Excitatory / inhibitory: the same pair in the raster, the 3-D nodes, the 3-D edges and every legend.
constexpr Rgb kExcitatory = {0, 114, 178};
constexpr Rgb kInhibitory = {213, 94, 0};
// Highlighted partners of a clicked neuron.
constexpr Rgb kPresynaptic = {86, 180, 233};
constexpr Rgb kPostsynaptic = {230, 159, 0};
constexpr Rgb kBothWays = {204, 121, 167};
// Edge types of connectomes.
constexpr Rgb kChemical = {86, 180, 233};
constexpr Rgb kElectrical = {240, 228, 66};

// Viridis, the colour map of every continuous colouring (colour bars, degree, radius, intensity): nine evenly
// spaced stops, linear between them.
constexpr Rgb kViridis[9] = {{68, 1, 84},    {71, 44, 122}, {59, 81, 139},  {44, 113, 142}, {33, 144, 141},
                             {39, 173, 129}, {92, 200, 99}, {170, 220, 50}, {253, 231, 37}};
// Viridis at t in 0..1 (clamped; NaN gives the low end).
inline Rgb viridis(double t) {
    if (!std::isfinite(t)) t = 0;
    const double x = std::clamp(t, 0.0, 1.0) * 8.0;
    const int i = std::min(7, int(x));
    const double f = x - i;
    auto mix = [&](uint8_t a, uint8_t b) { return uint8_t(std::lround(a + (b - a) * f)); };
    return {mix(kViridis[i].r, kViridis[i + 1].r), mix(kViridis[i].g, kViridis[i + 1].g),
            mix(kViridis[i].b, kViridis[i + 1].b)};
}

inline std::string lowerCopy(const std::string& s) {
    std::string o = s;
    for (char& c : o) c = char(std::tolower(static_cast<unsigned char>(c)));
    return o;
}

// 1 for excitatory names ("E", "exc", "excitatory"), -1 for inhibitory ("I", "inh", "inhibitory", "GABA"),
// 0 otherwise.
inline int excitatorySign(const std::string& name) {
    const std::string l = lowerCopy(name);
    if (l == "e" || l == "exc" || l == "excitatory") return 1;
    if (l == "i" || l == "inh" || l == "inhibitory" || l == "gaba" || l.find("inhib") != std::string::npos)
        return -1;
    return 0;
}

} // namespace nr::palette
