#include "analysis/Stats.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace nr {

std::vector<double> averageRanks(const std::vector<double>& v) {
    const size_t n = v.size();
    std::vector<size_t> idx(n);
    std::iota(idx.begin(), idx.end(), size_t(0));
    std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
    std::vector<double> r(n);
    size_t i = 0;
    while (i < n) {
        size_t j = i + 1;
        while (j < n && v[idx[j]] == v[idx[i]]) ++j;
        const double avg = 0.5 * double(i + 1 + j); // mean of ranks i+1 .. j
        for (size_t k = i; k < j; ++k) r[idx[k]] = avg;
        i = j;
    }
    return r;
}

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
    const size_t n = a.size();
    if (n != b.size() || n < 2) return std::numeric_limits<double>::quiet_NaN();
    double ma = 0, mb = 0;
    for (size_t i = 0; i < n; ++i) {
        ma += a[i];
        mb += b[i];
    }
    ma /= double(n);
    mb /= double(n);
    double sab = 0, saa = 0, sbb = 0;
    for (size_t i = 0; i < n; ++i) {
        const double x = a[i] - ma, y = b[i] - mb;
        sab += x * y;
        saa += x * x;
        sbb += y * y;
    }
    if (saa <= 0 || sbb <= 0) return std::numeric_limits<double>::quiet_NaN();
    return sab / std::sqrt(saa * sbb);
}

double spearman(const std::vector<double>& a, const std::vector<double>& b) {
    return pearson(averageRanks(a), averageRanks(b));
}

double percentileSorted(const std::vector<double>& s, double q) {
    if (s.empty()) return std::numeric_limits<double>::quiet_NaN();
    const double pos = q * double(s.size() - 1);
    const size_t lo = size_t(std::floor(pos));
    const size_t hi = std::min(lo + 1, s.size() - 1);
    return s[lo] + (pos - double(lo)) * (s[hi] - s[lo]);
}

std::pair<double, double> bootstrapMeanCi(const std::vector<double>& values, int resamples, uint64_t seed) {
    const size_t n = values.size();
    if (n == 0) return {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
    if (n == 1 || resamples < 1) {
        const double m = std::accumulate(values.begin(), values.end(), 0.0) / double(n);
        return {m, m};
    }
    SplitMix64 rng(seed, 0xB007);
    std::vector<double> means(static_cast<size_t>(resamples));
    for (int r = 0; r < resamples; ++r) {
        double s = 0;
        for (size_t i = 0; i < n; ++i) s += values[rng.below(uint32_t(n))];
        means[size_t(r)] = s / double(n);
    }
    std::sort(means.begin(), means.end());
    return {percentileSorted(means, 0.025), percentileSorted(means, 0.975)};
}

} // namespace nr
