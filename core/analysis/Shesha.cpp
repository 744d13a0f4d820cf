#include "analysis/Shesha.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <numeric>
#include <optional>
#include <thread>

#include "analysis/Stats.h"

namespace nr {

namespace {

// Uniform integers below n from 16-bit pieces of 64-bit draws (four per draw; Lemire's multiply-and-reject,
// exact). Sizes above 65536 take a whole draw each.
class HalfDraws {
public:
    explicit HalfDraws(SplitMix64& rng) : rng_(rng) {}
    uint32_t below(uint32_t n) {
        if (n > 65536u) return rng_.below(n);
        uint32_t m = next16() * n;
        uint32_t low = m & 0xFFFFu;
        if (low < n) {
            const uint32_t threshold = (65536u - n) % n;
            while (low < threshold) {
                m = next16() * n;
                low = m & 0xFFFFu;
            }
        }
        return m >> 16;
    }

private:
    uint32_t next16() {
        if (left_ == 0) {
            buf_ = rng_.next();
            left_ = 4;
        }
        const uint32_t v = uint32_t(buf_ & 0xFFFFu);
        buf_ >>= 16;
        --left_;
        return v;
    }
    SplitMix64& rng_;
    uint64_t buf_ = 0;
    int left_ = 0;
};

// Chooses the first half of `n` items: on return idx[0..k) are the chosen positions and k is returned (random
// split: k = n/2 by a partial Fisher-Yates shuffle; odd-even: positions 0, 2, 4, ..., k = ceil(n/2)).
uint32_t chooseHalf(uint32_t n, SheshaSplit split, HalfDraws& draws, std::vector<uint32_t>& idx) {
    if (idx.size() < n) idx.resize(n);
    uint32_t* p = idx.data();
    if (split == SheshaSplit::OddEven) {
        uint32_t k = 0;
        for (uint32_t i = 0; i < n; i += 2) p[k++] = i;
        for (uint32_t i = 1; i < n; i += 2) p[k++] = i;
        return (n + 1) / 2;
    }
    for (uint32_t i = 0; i < n; ++i) p[i] = i;
    const uint32_t k = n / 2;
    for (uint32_t i = 0; i < k; ++i) std::swap(p[i], p[i + draws.below(n - i)]);
    return k;
}

void fillMask(const TrialCounts& tc, const SheshaOptions& opt, int index, std::vector<uint8_t>& mask,
              std::vector<uint32_t>& idx) {
    SplitMix64 rng(opt.seed, uint64_t(index));
    HalfDraws draws(rng);
    if (opt.mode == SheshaMode::Units) {
        mask.assign(tc.unitCount(), 0);
        const uint32_t k = chooseHalf(uint32_t(tc.unitCount()), opt.split, draws, idx);
        for (uint32_t i = 0; i < k; ++i) mask[idx[i]] = 1;
        return;
    }
    mask.assign(tc.counts.size(), 0);
    for (size_t s = 0; s + 1 < tc.offset.size(); ++s) {
        const uint32_t n = tc.offset[s + 1] - tc.offset[s];
        const uint32_t k = chooseHalf(n, opt.split, draws, idx);
        for (uint32_t i = 0; i < k; ++i) mask[tc.offset[s] + idx[i]] = 1;
    }
}

Result<double> compareRdms(const Result<Eigen::MatrixXd>& a, const Result<Eigen::MatrixXd>& b,
                           const std::string& file) {
    if (!a) return a.error();
    if (!b) return b.error();
    const double r = spearman(upperTriangle(a.value()), upperTriangle(b.value()));
    if (!std::isfinite(r))
        return Error{file, 0, "the RDM of one half is constant; Spearman correlation is undefined"};
    return r;
}

} // namespace

std::vector<uint8_t> sheshaSplitMask(const TrialCounts& tc, const SheshaOptions& opt, int index) {
    std::vector<uint8_t> mask;
    std::vector<uint32_t> idx;
    fillMask(tc, opt, index, mask, idx);
    return mask;
}

Result<SheshaResult> shesha(const TrialCounts& tc, const SheshaOptions& opt) {
    const size_t C = tc.conditionCount(), U = tc.unitCount();
    const std::string& file = tc.source;
    if (C < 3)
        return Error{file, 0, "Shesha needs at least three conditions (an RDM with two or more pairs)"};
    if (opt.split == SheshaSplit::Random && opt.splits < 1)
        return Error{file, 0, "splits must be at least 1"};
    if (opt.mode == SheshaMode::Trials) {
        for (size_t c = 0; c < C; ++c)
            for (size_t u = 0; u < U; ++u)
                if (tc.trialsIn(c, u) < 2)
                    return Error{file, 0,
                                 "condition '" + tc.conditions[c] + "' has only one trial of unit " +
                                     std::to_string(tc.unitIds[u]) +
                                     ": cannot halve its trials (mode=trials)"};
    } else if (U < 4) {
        return Error{file, 0, "mode=units needs at least four units (two per half)"};
    }
    const int nSplits = opt.split == SheshaSplit::OddEven ? 1 : opt.splits;

    // Shared precomputation for the mean-based metrics.
    const bool meanBased = opt.metric != RdmMetric::Crossnobis;
    std::vector<double> slotSum(C * U, 0.0);
    for (size_t s = 0; s < C * U; ++s)
        for (uint32_t k = tc.offset[s]; k < tc.offset[s + 1]; ++k) slotSum[s] += tc.counts[k];
    Eigen::MatrixXd all;
    if (opt.mode == SheshaMode::Units && meanBased) all = responseMatrix(tc);

    std::vector<double> values(size_t(nSplits), 0.0);
    std::vector<std::optional<Error>> errors(static_cast<size_t>(nSplits));
    std::atomic<int> next{0}, done{0};
    std::atomic<bool> stop{false};
    std::mutex progressMutex;

    auto work = [&]() {
        std::vector<uint8_t> mask;
        std::vector<uint32_t> idx;
        std::vector<float> vals;
        Eigen::MatrixXd ma(C, U), mb(C, U);
        for (int i = next++; i < nSplits && !stop; i = next++) {
            Result<double> r = 0.0;
            if (opt.mode == SheshaMode::Trials && meanBased) {
                // Means of both halves straight from the partial shuffle (same draws as sheshaSplitMask).
                SplitMix64 rng(opt.seed, uint64_t(i));
                HalfDraws draws(rng);
                for (size_t c = 0; c < C; ++c) {
                    for (size_t u = 0; u < U; ++u) {
                        const size_t s = c * U + u;
                        const uint32_t n = tc.offset[s + 1] - tc.offset[s];
                        const float* x = tc.counts.data() + tc.offset[s];
                        uint32_t k;
                        double sa = 0;
                        if (opt.split == SheshaSplit::Random) {
                            // The same partial shuffle as chooseHalf, applied to the counts themselves.
                            if (vals.size() < n) vals.resize(n);
                            float* v = vals.data();
                            std::copy(x, x + n, v);
                            k = n / 2;
                            for (uint32_t j = 0; j < k; ++j) {
                                std::swap(v[j], v[j + draws.below(n - j)]);
                                sa += v[j];
                            }
                        } else {
                            k = chooseHalf(n, opt.split, draws, idx);
                            for (uint32_t j = 0; j < k; ++j) sa += x[idx[j]];
                        }
                        ma(Eigen::Index(c), Eigen::Index(u)) = sa / k;
                        mb(Eigen::Index(c), Eigen::Index(u)) = (slotSum[s] - sa) / (n - k);
                    }
                }
                r = compareRdms(rdmOfResponses(ma, opt.metric, tc.conditions, file),
                                rdmOfResponses(mb, opt.metric, tc.conditions, file), file);
            } else if (opt.mode == SheshaMode::Trials) {
                fillMask(tc, opt, i, mask, idx);
                std::vector<uint8_t> other(mask.size());
                for (size_t j = 0; j < mask.size(); ++j) other[j] = !mask[j];
                r = compareRdms(crossnobisRdm(selectTrials(tc, mask), opt.shrinkage),
                                crossnobisRdm(selectTrials(tc, other), opt.shrinkage), file);
            } else {
                fillMask(tc, opt, i, mask, idx);
                std::vector<uint8_t> other(mask.size());
                for (size_t j = 0; j < mask.size(); ++j) other[j] = !mask[j];
                if (meanBased) {
                    std::vector<Eigen::Index> colsA, colsB;
                    for (size_t u = 0; u < U; ++u) (mask[u] ? colsA : colsB).push_back(Eigen::Index(u));
                    Eigen::MatrixXd xa(C, colsA.size()), xb(C, colsB.size());
                    for (size_t j = 0; j < colsA.size(); ++j) xa.col(Eigen::Index(j)) = all.col(colsA[j]);
                    for (size_t j = 0; j < colsB.size(); ++j) xb.col(Eigen::Index(j)) = all.col(colsB[j]);
                    r = compareRdms(rdmOfResponses(xa, opt.metric, tc.conditions, file),
                                    rdmOfResponses(xb, opt.metric, tc.conditions, file), file);
                } else {
                    r = compareRdms(crossnobisRdm(selectUnits(tc, mask), opt.shrinkage),
                                    crossnobisRdm(selectUnits(tc, other), opt.shrinkage), file);
                }
            }
            if (r) {
                values[size_t(i)] = r.value();
            } else {
                errors[size_t(i)] = r.error();
                stop = true;
            }
            const int d = ++done;
            if (opt.progress) {
                std::lock_guard<std::mutex> lock(progressMutex);
                if (!opt.progress(double(d) / nSplits)) stop = true;
            }
        }
    };
    int threads =
        opt.threads > 0 ? opt.threads : int(std::min(8u, std::max(1u, std::thread::hardware_concurrency())));
    threads = std::min(threads, nSplits);
    if (threads <= 1) {
        work();
    } else {
        std::vector<std::thread> pool;
        for (int t = 0; t < threads; ++t) pool.emplace_back(work);
        for (auto& t : pool) t.join();
    }
    for (auto& e : errors)
        if (e) return *e;
    if (stop) return Error{file, 0, "cancelled"};

    SheshaResult res;
    res.splits = nSplits;
    res.perSplit = values;
    res.mean = std::accumulate(values.begin(), values.end(), 0.0) / nSplits;
    const auto ci = bootstrapMeanCi(values, opt.bootstrap, opt.seed);
    res.ciLow = ci.first;
    res.ciHigh = ci.second;
    return res;
}

} // namespace nr
