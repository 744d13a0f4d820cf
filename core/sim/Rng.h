// Fast deterministic random numbers for the simulator: xoshiro256++ seeded through splitmix64.
#pragma once

#include <cmath>
#include <cstdint>

namespace nr {

inline uint64_t splitmix64(uint64_t& s) {
    uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// xoshiro256++ (Blackman & Vigna). The same seed gives the same stream on every platform.
class Rng {
public:
    explicit Rng(uint64_t seed = 1) { reseed(seed); }
    void reseed(uint64_t seed) {
        uint64_t sm = seed;
        for (auto& w : s_) w = splitmix64(sm);
    }
    uint64_t next() {
        const uint64_t result = rotl(s_[0] + s_[3], 23) + s_[0];
        const uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }
    // Uniform in [0, 1) with 53 random bits.
    double uniform() { return double(next() >> 11) * 0x1.0p-53; }
    // Uniform in [0, 1) with 24 random bits.
    float uniformf() { return float(next() >> 40) * 0x1.0p-24f; }
    // Uniform integer in [0, n), n > 0 (Lemire's multiply-shift; bias below 2^-32 for n < 2^32).
    uint32_t below(uint32_t n) { return uint32_t(((next() >> 32) * uint64_t(n)) >> 32); }
    // Standard normal by the Box-Muller transform (one value per call; the second is kept).
    double normal() {
        if (hasSpare_) {
            hasSpare_ = false;
            return spare_;
        }
        double u1 = uniform(), u2 = uniform();
        if (u1 < 1e-300) u1 = 1e-300;
        const double r = std::sqrt(-2.0 * std::log(u1));
        spare_ = r * std::sin(6.283185307179586 * u2);
        hasSpare_ = true;
        return r * std::cos(6.283185307179586 * u2);
    }
    // Poisson count with mean `lambda`, given expNegLambda = exp(-lambda). Inversion by sequential
    // search for small means, a rounded normal approximation above 30.
    uint32_t poisson(double lambda, double expNegLambda) {
        if (lambda <= 0) return 0;
        if (lambda > 30) {
            const double x = lambda + std::sqrt(lambda) * normal() + 0.5;
            return x <= 0 ? 0u : uint32_t(x);
        }
        uint32_t k = 0;
        double p = expNegLambda, cdf = p;
        const double u = uniform();
        while (u > cdf && k < 1000) {
            ++k;
            p *= lambda / k;
            cdf += p;
        }
        return k;
    }
    // Geometric gap for Bernoulli(p) trials: number of failures before the next success.
    // logq = log(1 - p), precomputed by the caller; 0 < p < 1.
    uint64_t geometric(double logq) {
        const double u = 1.0 - uniform(); // (0, 1]
        const double g = std::floor(std::log(u) / logq);
        return g > 1e18 ? uint64_t(1e18) : uint64_t(g);
    }

private:
    static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    uint64_t s_[4];
    double spare_ = 0;
    bool hasSpare_ = false;
};

} // namespace nr
