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

// No grey among them (grey means "unknown" or "no data"), and every pair at least kMinDeltaE apart.
constexpr Rgb kCategorical[12] = {{0, 114, 178},  {230, 159, 0},   {0, 158, 115},   {213, 94, 0},
                                  {86, 180, 233}, {204, 121, 167}, {240, 228, 66},  {170, 120, 220},
                                  {170, 220, 90}, {250, 200, 120}, {120, 210, 170}, {235, 150, 110}};
constexpr Rgb kUnknown = {128, 128, 128};
// Excitatory / inhibitory: the same pair in the raster, the 3-D nodes, the 3-D edges and every legend.
constexpr Rgb kExcitatory = {0, 114, 178};
constexpr Rgb kInhibitory = {213, 94, 0};
// Colours that mark rather than classify lie outside the categorical set, so a highlight never reads as a
// class or a community: each is at least kMinDeltaE from every categorical colour, the greys and the others.
// Highlighted partners of a clicked neuron (cyan, red, periwinkle) and the neuron itself (white).
constexpr Rgb kPresynaptic = {0, 238, 255};
constexpr Rgb kPostsynaptic = {255, 80, 100};
constexpr Rgb kBothWays = {170, 187, 255};
constexpr Rgb kFocus = {255, 255, 255};
// Nodes that spike flash towards this pale lilac (not the yellow of the categorical set or of viridis).
constexpr Rgb kActivityFlash = {238, 204, 255};
// Edge types of connectomes: a neutral grey-green and a green that no node class uses.
constexpr Rgb kChemical = {170, 187, 187};
constexpr Rgb kElectrical = {51, 170, 0};
// The picked vessel: magenta, far from every colour of viridis (whose top is the yellow of the widest).
constexpr Rgb kPickedVessel = {255, 0, 255};
// The smallest CIEDE2000 difference between two colours shown side by side in one legend.
constexpr double kMinDeltaE = 10.0;

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

// CIE L*a*b* (D65) of an sRGB colour.
struct Lab {
    double L, a, b;
};
inline Lab toLab(Rgb c) {
    auto lin = [](uint8_t u) {
        const double v = u / 255.0;
        return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
    };
    const double r = lin(c.r), g = lin(c.g), b = lin(c.b);
    const double x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
    const double y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    const double z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
    auto f = [](double t) { return t > 216.0 / 24389.0 ? std::cbrt(t) : (24389.0 / 27.0 * t + 16) / 116; };
    const double fx = f(x), fy = f(y), fz = f(z);
    return {116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)};
}
// CIEDE2000 colour difference (about 1 is just noticeable; 10 and more tell two legend entries apart).
inline double deltaE2000(Rgb c1, Rgb c2) {
    constexpr double kPi = 3.14159265358979323846;
    auto rad = [&](double d) { return d * kPi / 180; };
    const Lab p = toLab(c1), q = toLab(c2);
    const double cAvg = (std::hypot(p.a, p.b) + std::hypot(q.a, q.b)) / 2;
    const double c7 = std::pow(cAvg, 7);
    const double g = 0.5 * (1 - std::sqrt(c7 / (c7 + std::pow(25.0, 7))));
    const double a1 = (1 + g) * p.a, a2 = (1 + g) * q.a;
    const double C1 = std::hypot(a1, p.b), C2 = std::hypot(a2, q.b);
    auto hue = [&](double b, double a) {
        const double h = std::atan2(b, a) * 180 / kPi;
        return h < 0 ? h + 360 : h;
    };
    const double h1 = hue(p.b, a1), h2 = hue(q.b, a2);
    const double dL = q.L - p.L, dC = C2 - C1;
    double dh = 0;
    if (C1 * C2 != 0) {
        dh = h2 - h1;
        if (dh > 180) dh -= 360;
        if (dh < -180) dh += 360;
    }
    const double dH = 2 * std::sqrt(C1 * C2) * std::sin(rad(dh / 2));
    const double L = (p.L + q.L) / 2, C = (C1 + C2) / 2;
    double h = h1 + h2;
    if (C1 * C2 != 0) {
        if (std::fabs(h1 - h2) <= 180)
            h = (h1 + h2) / 2;
        else
            h = h1 + h2 < 360 ? (h1 + h2 + 360) / 2 : (h1 + h2 - 360) / 2;
    }
    const double t = 1 - 0.17 * std::cos(rad(h - 30)) + 0.24 * std::cos(rad(2 * h)) +
                     0.32 * std::cos(rad(3 * h + 6)) - 0.2 * std::cos(rad(4 * h - 63));
    const double dTheta = 30 * std::exp(-std::pow((h - 275) / 25, 2));
    const double C7 = std::pow(C, 7);
    const double rc = 2 * std::sqrt(C7 / (C7 + std::pow(25.0, 7)));
    const double sl = 1 + 0.015 * (L - 50) * (L - 50) / std::sqrt(20 + (L - 50) * (L - 50));
    const double sc = 1 + 0.045 * C, sh = 1 + 0.015 * C * t;
    const double rt = -std::sin(rad(2 * dTheta)) * rc;
    return std::sqrt(std::pow(dL / sl, 2) + std::pow(dC / sc, 2) + std::pow(dH / sh, 2) +
                     rt * (dC / sc) * (dH / sh));
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
