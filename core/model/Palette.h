// Colours shared by every view, so the same thing has the same colour everywhere (3-D view, raster, plots,
// legends). Categorical colours are Okabe & Ito's colour-blind-safe set, extended with lighter tints.
#pragma once

#include <cctype>
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
