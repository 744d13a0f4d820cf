#include "DemoNetwork.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace nr {

namespace {

// splitmix64: small, fast and the same on every platform (std distributions are not).
struct Rng {
    uint64_t s;
    explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull) {}
    uint64_t next() {
        uint64_t z = (s += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    double uniform() { return double(next() >> 11) * (1.0 / 9007199254740992.0); }
    float uniformf() { return float(next() >> 40) * (1.0f / 16777216.0f); }
    double normal() {
        const double u1 = std::max(uniform(), 1e-300), u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    }
};

constexpr double kRadius = 300.0;  // µm
constexpr double kHeight = 1000.0; // µm
// Layer boundaries as depth below the top surface (µm) and relative neuron densities, layers 1..6.
constexpr double kLayerTop[7] = {0, 90, 240, 420, 560, 780, 1000};
constexpr double kDensity[6] = {0.15, 1.0, 0.9, 1.3, 0.7, 0.9};
constexpr double kSigma = 150.0;         // µm, width of the Gaussian connection profile at 3000 neurons
constexpr double kCutoffSigmas = 2.5;    // pairs farther than this many σ are never connected
constexpr double kMeanOutDegree = 150.0; // synapses per neuron aimed for

} // namespace

Graph makeDemoNetwork(const DemoOptions& o) {
    Graph g;
    const size_t n = o.neurons;
    if (n == 0) return g;
    Rng rng(o.seed);

    // Neurons per layer by thickness x density, rounded by largest remainder so they add up to n.
    double w[6], total = 0;
    for (int l = 0; l < 6; ++l) total += w[l] = (kLayerTop[l + 1] - kLayerTop[l]) * kDensity[l];
    size_t count[6], assigned = 0;
    double rem[6];
    for (int l = 0; l < 6; ++l) {
        const double exact = double(n) * w[l] / total;
        count[l] = size_t(std::floor(exact));
        rem[l] = exact - double(count[l]);
        assigned += count[l];
    }
    while (assigned < n) {
        const int l = int(std::max_element(rem, rem + 6) - rem);
        ++count[l];
        rem[l] = -1;
        ++assigned;
    }

    std::vector<float> x(n), y(n), z(n), layer(n);
    size_t i = 0;
    for (int l = 0; l < 6; ++l)
        for (size_t c = 0; c < count[l]; ++c, ++i) {
            const double r = kRadius * std::sqrt(rng.uniform()), a = 6.283185307179586 * rng.uniform();
            x[i] = float(r * std::cos(a));
            y[i] = float(r * std::sin(a));
            z[i] = float(kHeight - (kLayerTop[l] + rng.uniform() * (kLayerTop[l + 1] - kLayerTop[l])));
            layer[i] = float(l + 1);
        }

    // Exactly round(n * fraction) excitatory neurons, chosen at random.
    const double frac = std::min(1.0, std::max(0.0, o.excitatoryFraction));
    const size_t ne = size_t(std::llround(double(n) * frac));
    std::vector<uint32_t> order(n);
    for (size_t k = 0; k < n; ++k) order[k] = uint32_t(k);
    for (size_t k = n; k > 1; --k) std::swap(order[k - 1], order[size_t(rng.next() % k)]);
    std::vector<char> exc(n, 0);
    for (size_t k = 0; k < ne; ++k) exc[order[k]] = 1;

    g.names.reserve(n);
    g.nodeClass.resize(n);
    size_t ei = 0, ii = 0;
    for (size_t k = 0; k < n; ++k) {
        g.addNode(exc[k] ? "E" + std::to_string(++ei) : "I" + std::to_string(++ii));
        g.nodeClass[k] = exc[k] ? "E" : "I";
    }
    g.x = x;
    g.y = y;
    g.z = z;
    g.nodeNumeric["layer"] = layer;

    // Spatial grid with cells one cutoff wide: only neighbouring cells can hold partners.
    const double sigma = n > 3000 ? kSigma * std::cbrt(3000.0 / double(n)) : kSigma;
    const double cut = kCutoffSigmas * sigma, cut2 = cut * cut;
    const double inv2s2 = 1.0 / (2.0 * sigma * sigma);
    const int gx = std::max(1, int(std::ceil(2 * kRadius / cut))),
              gz = std::max(1, int(std::ceil(kHeight / cut)));
    auto cellOf = [&](size_t k, int& cx, int& cy, int& cz) {
        cx = std::min(gx - 1, std::max(0, int((x[k] + kRadius) / cut)));
        cy = std::min(gx - 1, std::max(0, int((y[k] + kRadius) / cut)));
        cz = std::min(gz - 1, std::max(0, int(z[k] / cut)));
    };
    const size_t ncell = size_t(gx) * size_t(gx) * size_t(gz);
    std::vector<uint32_t> cellStart(ncell + 1, 0), members(n);
    std::vector<uint32_t> cellIdx(n);
    for (size_t k = 0; k < n; ++k) {
        int cx, cy, cz;
        cellOf(k, cx, cy, cz);
        cellIdx[k] = uint32_t((size_t(cz) * size_t(gx) + size_t(cy)) * size_t(gx) + size_t(cx));
        ++cellStart[cellIdx[k] + 1];
    }
    for (size_t c = 0; c < ncell; ++c) cellStart[c + 1] += cellStart[c];
    {
        std::vector<uint32_t> fill(cellStart.begin(), cellStart.end() - 1);
        for (size_t k = 0; k < n; ++k) members[fill[cellIdx[k]]++] = uint32_t(k);
    }
    // Calls f(j, squared distance) for every j != k within the cutoff, in a fixed order.
    auto forNeighbours = [&](size_t k, auto&& f) {
        int cx, cy, cz;
        cellOf(k, cx, cy, cz);
        const float xk = x[k], yk = y[k], zk = z[k];
        for (int dz = -1; dz <= 1; ++dz)
            for (int dy = -1; dy <= 1; ++dy)
                for (int dx = -1; dx <= 1; ++dx) {
                    const int ax = cx + dx, ay = cy + dy, az = cz + dz;
                    if (ax < 0 || ay < 0 || az < 0 || ax >= gx || ay >= gx || az >= gz) continue;
                    const size_t c = (size_t(az) * size_t(gx) + size_t(ay)) * size_t(gx) + size_t(ax);
                    for (uint32_t q = cellStart[c]; q < cellStart[c + 1]; ++q) {
                        const uint32_t j = members[q];
                        if (j == k) continue;
                        const float ddx = x[j] - xk, ddy = y[j] - yk, ddz = z[j] - zk;
                        const float d2 = ddx * ddx + ddy * ddy + ddz * ddz;
                        if (d2 < float(cut2)) f(j, d2);
                    }
                }
    };

    // p0 from the summed Gaussian over a sample of neurons, so the mean out-degree is about kMeanOutDegree.
    const size_t sample = std::min<size_t>(n, 400);
    double sum = 0;
    for (size_t s = 0; s < sample; ++s)
        forNeighbours(order[s], [&](uint32_t, float d2) { sum += std::exp(-d2 * float(inv2s2)); });
    const double perNeuron = sum / double(sample);
    const float p0 = perNeuron > 0 ? float(std::min(1.0, kMeanOutDegree / perNeuron)) : 0.f;

    const uint8_t tE = g.typeIndex("excitatory"), tI = g.typeIndex("inhibitory");
    g.reserveEdges(size_t(double(n) * std::min(kMeanOutDegree * 1.1, perNeuron * double(p0) * 1.1 + 8)));
    for (size_t k = 0; k < n; ++k) {
        const uint8_t t = exc[k] ? tE : tI;
        forNeighbours(k, [&](uint32_t j, float d2) {
            // Most draws are above p0 and need no exponential.
            const float u = rng.uniformf();
            if (u < p0 && u < p0 * std::exp(-d2 * float(inv2s2))) {
                // Log-normal magnitude with mean 1: exp(N(-s²/2, s²)), s = 0.5.
                const float wgt = float(std::exp(0.5 * rng.normal() - 0.125));
                g.src.push_back(uint32_t(k));
                g.dst.push_back(j);
                g.weight.push_back(wgt);
                g.type.push_back(t);
            }
        });
    }
    g.invalidateAdjacency();
    return g;
}

} // namespace nr
