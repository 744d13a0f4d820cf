#include "analysis/FiringStats.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "analysis/TrialCounts.h"

namespace nr {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Moments {
    double n = 0, sum = 0, sumSq = 0;
    void add(double v) {
        n += 1;
        sum += v;
        sumSq += v * v;
    }
    double mean() const { return n > 0 ? sum / n : kNaN; }
    double var() const { return n > 1 ? std::max(0.0, (sumSq - sum * sum / n) / (n - 1)) : kNaN; }
};

double cv(const Moments& m) {
    const double mu = m.mean();
    return (m.n >= 2 && mu > 0) ? std::sqrt(m.var()) / mu : kNaN;
}

} // namespace

Result<std::vector<UnitFiringStats>> firingStats(const SpikeTrains& st, double fanoWindowS,
                                                 const std::string& file) {
    if (st.times.size() != st.units.size()) return Error{file, 0, "spike times and units differ in length"};
    if (!(fanoWindowS > 0)) return Error{file, 0, "the Fano window must be positive"};
    const size_t U = st.unitCount();
    std::vector<std::vector<double>> perUnit(U);
    for (size_t i = 0; i < st.times.size(); ++i) {
        if (!std::isfinite(st.times[i]))
            return Error{file, 0, "spike " + std::to_string(i + 1) + ": time is not a finite number"};
        if (st.units[i] >= U)
            return Error{file, 0, "spike " + std::to_string(i + 1) + ": unit index out of range"};
        perUnit[st.units[i]].push_back(st.times[i]);
    }
    double t0 = st.tStart, t1 = st.tStop;
    if (!(t1 > t0)) {
        if (st.times.empty()) return Error{file, 0, "no spikes at all and no recording interval"};
        t0 = *std::min_element(st.times.begin(), st.times.end());
        t1 = *std::max_element(st.times.begin(), st.times.end());
        if (!(t1 > t0)) return Error{file, 0, "the recording has no duration"};
    }
    const double dur = t1 - t0;
    // Windows are counted sparsely: only occupied windows are visited, so a lone spike at t = 1e15 s costs
    // nothing (the empty windows only enter the mean and variance as zeros).
    const double windows = std::floor(dur / fanoWindowS);
    std::vector<UnitFiringStats> out(U);
    for (size_t u = 0; u < U; ++u) {
        auto& t = perUnit[u];
        std::sort(t.begin(), t.end());
        UnitFiringStats& s = out[u];
        s.unit = st.unitIds[u];
        s.spikes = t.size();
        s.rateHz = double(t.size()) / dur;
        Moments isi;
        for (size_t i = 1; i < t.size(); ++i) isi.add(t[i] - t[i - 1]);
        s.cvIsi = cv(isi);
        s.fano = kNaN;
        if (windows >= 2) {
            double sum = 0, sumSq = 0, run = 0, cur = -1;
            for (double x : t) { // sorted: spikes of one window are contiguous
                const double w = std::floor((x - t0) / fanoWindowS);
                if (!(w >= 0 && w < windows)) continue;
                if (w != cur) {
                    sumSq += run * run;
                    run = 0;
                    cur = w;
                }
                run += 1;
                sum += 1;
            }
            sumSq += run * run;
            const double mean = sum / windows;
            const double var = std::max(0.0, (sumSq - sum * sum / windows) / (windows - 1));
            if (mean > 0) s.fano = var / mean;
        }
    }
    return out;
}

Result<std::vector<UnitFiringStats>> firingStats(const TrialData& d, double start, double end) {
    auto counted = countSpikes(d, start, end);
    if (!counted) return counted.error();
    const TrialCounts& tc = counted.value();
    const size_t U = tc.unitCount(), C = tc.conditionCount();
    std::map<int64_t, size_t> unitIndex;
    for (size_t u = 0; u < U; ++u) unitIndex[tc.unitIds[u]] = u;

    // Intervals within each (unit, trial), from the spikes in the window; spikes are sorted per unit and
    // trial by the readers, but sort here too so hand-built data works.
    std::map<std::pair<int64_t, int64_t>, std::vector<double>> trains;
    for (size_t i = 0; i < d.spikeTime.size(); ++i)
        if (d.spikeTime[i] >= start && d.spikeTime[i] < end)
            trains[{d.spikeUnit[i], d.spikeTrial[i]}].push_back(d.spikeTime[i]);
    std::vector<Moments> isi(U);
    for (auto& kv : trains) {
        auto& t = kv.second;
        std::sort(t.begin(), t.end());
        for (size_t i = 1; i < t.size(); ++i) isi[unitIndex[kv.first.first]].add(t[i] - t[i - 1]);
    }
    std::vector<UnitFiringStats> out(U);
    for (size_t u = 0; u < U; ++u) {
        Moments all;
        double fanoSum = 0;
        int fanoN = 0;
        for (size_t c = 0; c < C; ++c) {
            Moments m;
            const size_t s = tc.slot(c, u);
            for (uint32_t k = tc.offset[s]; k < tc.offset[s + 1]; ++k) {
                m.add(tc.counts[k]);
                all.add(tc.counts[k]);
            }
            if (m.n >= 2 && m.mean() > 0) {
                fanoSum += m.var() / m.mean();
                ++fanoN;
            }
        }
        UnitFiringStats& s = out[u];
        s.unit = tc.unitIds[u];
        s.spikes = size_t(all.sum);
        s.rateHz = all.mean() / (end - start);
        s.cvIsi = cv(isi[u]);
        s.fano = fanoN ? fanoSum / fanoN : kNaN;
    }
    return out;
}

} // namespace nr
