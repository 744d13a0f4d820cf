// Small statistics used by the analyses: ranks, correlations, bootstrap, a seeded fast random generator.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace nr {

// Ranks 1..n; tied values get the average of the ranks they span.
std::vector<double> averageRanks(const std::vector<double>& v);
// Pearson correlation; NaN when either vector is constant or sizes differ or n < 2.
double pearson(const std::vector<double>& a, const std::vector<double>& b);
// Spearman correlation = Pearson correlation of average ranks.
double spearman(const std::vector<double>& a, const std::vector<double>& b);
// Percentile of sorted data with linear interpolation between order statistics (q in [0, 1]).
double percentileSorted(const std::vector<double>& sorted, double q);
// Percentile bootstrap of the mean: `resamples` resamples with replacement, 2.5 % and 97.5 % percentiles.
std::pair<double, double> bootstrapMeanCi(const std::vector<double>& values, int resamples, uint64_t seed);

// SplitMix64: small, fast, seedable; streams for different (seed, stream) pairs are independent.
class SplitMix64 {
public:
    explicit SplitMix64(uint64_t seed, uint64_t stream = 0)
        : s_(seed * 0x9E3779B97F4A7C15ULL ^ (stream + 1) * 0xD1B54A32D192ED03ULL) {
        next();
    }
    uint64_t next() {
        uint64_t z = (s_ += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    // Uniform integer in [0, n), n >= 1, without modulo bias (Lemire's multiply-and-reject).
    uint32_t below(uint32_t n) {
        uint64_t m = uint64_t(uint32_t(next() >> 32)) * n;
        uint32_t low = uint32_t(m);
        if (low < n) {
            const uint32_t threshold = uint32_t(-n) % n;
            while (low < threshold) {
                m = uint64_t(uint32_t(next() >> 32)) * n;
                low = uint32_t(m);
            }
        }
        return uint32_t(m >> 32);
    }
    double uniform() { return (next() >> 11) * (1.0 / 9007199254740992.0); }
    // The state before the next draw, and skipping `k` draws: draw i from here on is mix(state() + (i + 1)
    // * kGamma), so that blocks of draws can be generated in parallel.
    static constexpr uint64_t kGamma = 0x9E3779B97F4A7C15ULL;
    uint64_t state() const { return s_; }
    void skip(uint64_t k) { s_ += k * kGamma; }

private:
    uint64_t s_;
};

} // namespace nr
