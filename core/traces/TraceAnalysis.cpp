#include "traces/TraceAnalysis.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <random>
#include <thread>

#include "analysis/GraphAnalysis.h"
#include "io/MemoryBudget.h"
#include "traces/PearsonTiles.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define NR_TRACES_X86 1
#endif

namespace nr {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Ranks 1..n with ties given their average rank.
void rankInPlace(std::vector<double>& v) {
    const size_t n = v.size();
    std::vector<size_t> idx(n);
    std::iota(idx.begin(), idx.end(), size_t(0));
    std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
    std::vector<double> r(n);
    for (size_t a = 0; a < n;) {
        size_t b = a + 1;
        while (b < n && v[idx[b]] == v[idx[a]]) ++b;
        const double avg = 0.5 * double(a + b - 1) + 1.0;
        for (size_t k = a; k < b; ++k) r[idx[k]] = avg;
        a = b;
    }
    v.swap(r);
}

double pearsonOf(const double* x, const double* y, size_t n) {
    if (n < 3) return kNaN;
    double mx = 0, my = 0;
    for (size_t k = 0; k < n; ++k) mx += x[k], my += y[k];
    mx /= double(n);
    my /= double(n);
    double sxy = 0, sxx = 0, syy = 0;
    for (size_t k = 0; k < n; ++k) {
        const double a = x[k] - mx, b = y[k] - my;
        sxy += a * b;
        sxx += a * a;
        syy += b * b;
    }
    if (!(sxx > 0) || !(syy > 0)) return kNaN;
    return sxy / std::sqrt(sxx * syy);
}

// Copies L values into `row`, ranks them for Spearman, centres them and scales them to unit length into
// out[0..L). False (and zeros) when the values are constant.
bool normaliseRow(const float* r, size_t L, CorrMethod method, std::vector<double>& row, double* out) {
    row.resize(L);
    for (size_t k = 0; k < L; ++k) row[k] = double(r[k]);
    if (method == CorrMethod::Spearman) rankInPlace(row);
    double m = 0;
    for (double v : row) m += v;
    m /= double(L);
    double ss = 0;
    for (size_t k = 0; k < L; ++k) {
        row[k] -= m;
        ss += row[k] * row[k];
    }
    const double inv = ss > 0 ? 1.0 / std::sqrt(ss) : 0.0;
    for (size_t k = 0; k < L; ++k) out[k] = row[k] * inv;
    return ss > 0;
}

// Correlation of two rows with NaN over the frames where both are finite (ranked for Spearman); 1 on the
// diagonal, clamped to [-1, 1]. x and y are scratch.
double pairwiseFiniteCorrelation(const float* a, const float* b, size_t L, CorrMethod method, bool diagonal,
                                 std::vector<double>& x, std::vector<double>& y) {
    x.clear();
    y.clear();
    for (size_t k = 0; k < L; ++k)
        if (!std::isnan(a[k]) && !std::isnan(b[k])) {
            x.push_back(a[k]);
            y.push_back(b[k]);
        }
    if (method == CorrMethod::Spearman && x.size() >= 3) {
        rankInPlace(x);
        rankInPlace(y);
    }
    double v = pearsonOf(x.data(), y.data(), x.size());
    if (diagonal && std::isfinite(v)) v = 1.0;
    if (std::isfinite(v)) v = std::clamp(v, -1.0, 1.0);
    return v;
}

} // namespace

// ---- correlation ----------------------------------------------------------------------------------------
CorrMatrix correlationMatrix(const Traces& t, CorrMethod method, size_t begin, size_t end) {
    const size_t n = t.neurons(), T = t.timepoints();
    end = std::min(end, T);
    begin = std::min(begin, end);
    const size_t L = end - begin;
    CorrMatrix out;
    out.n = n;
    out.frames = L;
    out.r.assign(n * n, kNaN);
    std::vector<char> hasNaN(n, 0), frameNaN(L, 0);
    for (size_t i = 0; i < n; ++i) {
        const float* r = t.row(i) + begin;
        for (size_t k = 0; k < L; ++k)
            if (std::isnan(r[k])) {
                hasNaN[i] = 1;
                frameNaN[k] = 1;
                ++out.ignoredValues;
            }
    }
    for (char f : frameNaN) out.ignoredFrames += size_t(f);
    // Rows without NaN: centred (ranked for Spearman), normalised, one product.
    std::vector<size_t> clean;
    for (size_t i = 0; i < n; ++i)
        if (!hasNaN[i]) clean.push_back(i);
    if (L >= 3 && !clean.empty()) {
        using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
        RowMajor M(long(clean.size()), long(L));
        std::vector<double> row;
        std::vector<char> ok(clean.size(), 0);
        for (size_t c = 0; c < clean.size(); ++c)
            ok[c] = normaliseRow(t.row(clean[c]) + begin, L, method, row, M.row(long(c)).data());
        Eigen::MatrixXd G = M * M.transpose();
        for (size_t a = 0; a < clean.size(); ++a)
            for (size_t b = 0; b < clean.size(); ++b) {
                double v = ok[a] && ok[b] ? G(long(a), long(b)) : kNaN;
                if (a == b && ok[a]) v = 1.0;
                if (std::isfinite(v)) v = std::clamp(v, -1.0, 1.0);
                out.r[clean[a] * n + clean[b]] = v;
            }
    }
    // Pairs with a NaN row: the frames where both are finite.
    std::vector<double> x, y;
    for (size_t i = 0; i < n; ++i) {
        for (size_t j = i; j < n; ++j) {
            if (!hasNaN[i] && !hasNaN[j]) continue;
            const double v =
                pairwiseFiniteCorrelation(t.row(i) + begin, t.row(j) + begin, L, method, i == j, x, y);
            out.r[i * n + j] = out.r[j * n + i] = v;
        }
    }
    return out;
}

CorrelationRows::CorrelationRows(const Traces& t, CorrMethod method)
    : t_(t), method_(method), n_(t.neurons()), L_(t.timepoints()) {
    hasNaN_.assign(n_, 0);
    cleanPos_.assign(n_, -1);
    for (size_t i = 0; i < n_; ++i) {
        const float* r = t.row(i);
        for (size_t k = 0; k < L_ && !hasNaN_[i]; ++k) hasNaN_[i] = std::isnan(r[k]);
        if (!hasNaN_[i]) {
            cleanPos_[i] = long(clean_.size());
            clean_.push_back(i);
        }
    }
    if (L_ < 3) return;
    M_.assign(clean_.size() * L_, 0.0);
    ok_.assign(clean_.size(), 0);
    std::vector<double> row;
    for (size_t c = 0; c < clean_.size(); ++c)
        ok_[c] = normaliseRow(t.row(clean_[c]), L_, method, row, &M_[c * L_]);
}

uint64_t CorrelationRows::bytes(const Traces& t, size_t blockRows) {
    const uint64_t n = t.neurons(), T = t.timepoints();
    // The normalised rows, a block of them, the block's product and the caller's block of results.
    uint64_t b = satMul(satMul(n, T), sizeof(double));
    b = satAdd(b, satMul(satMul(blockRows, T), sizeof(double)));
    b = satAdd(b, satMul(satMul(satMul(blockRows, n), sizeof(double)), 2));
    return b;
}

void CorrelationRows::rows(size_t first, size_t count, double* out) const {
    const size_t n = n_, L = L_;
    std::fill(out, out + count * n, kNaN);
    using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    std::vector<size_t> blockClean; // clean rows of the block
    for (size_t i = first; i < first + count; ++i)
        if (cleanPos_[i] >= 0) blockClean.push_back(i);
    if (L >= 3 && !blockClean.empty()) {
        const Eigen::Map<const RowMajor> M(M_.data(), long(clean_.size()), long(L));
        RowMajor B(long(blockClean.size()), long(L));
        for (size_t a = 0; a < blockClean.size(); ++a) B.row(long(a)) = M.row(cleanPos_[blockClean[a]]);
        const Eigen::MatrixXd G = B * M.transpose();
        for (size_t a = 0; a < blockClean.size(); ++a) {
            const size_t i = blockClean[a], ca = size_t(cleanPos_[i]);
            double* o = out + (i - first) * n;
            for (size_t b = 0; b < clean_.size(); ++b) {
                double v = ok_[ca] && ok_[b] ? G(long(a), long(b)) : kNaN;
                if (clean_[b] == i && ok_[ca]) v = 1.0;
                if (std::isfinite(v)) v = std::clamp(v, -1.0, 1.0);
                o[clean_[b]] = v;
            }
        }
    }
    // Pairs with a NaN row: the frames where both are finite.
    std::vector<double> x, y;
    for (size_t i = first; i < first + count; ++i) {
        for (size_t j = 0; j < n; ++j) {
            if (!hasNaN_[i] && !hasNaN_[j]) continue;
            out[(i - first) * n + j] =
                pairwiseFiniteCorrelation(t_.row(i), t_.row(j), L, method_, i == j, x, y);
        }
    }
}

MeanAbsR meanAbsCorrelation(const Traces& t, const CorrMatrix& whole) {
    MeanAbsR m;
    const size_t n = t.neurons(), T = t.timepoints();
    std::vector<size_t> use;
    for (size_t i = 0; i < n; ++i) {
        const float* r = t.row(i);
        bool finite = T > 0, varies = false;
        for (size_t k = 0; k < T; ++k) {
            if (!std::isfinite(r[k])) finite = false;
            if (r[k] != r[0]) varies = true;
        }
        if (finite && varies) use.push_back(i);
    }
    m.neurons = use.size();
    double s = 0;
    for (size_t a = 0; a < use.size(); ++a)
        for (size_t b = a + 1; b < use.size(); ++b) {
            const double v = whole.at(use[a], use[b]);
            if (!std::isfinite(v)) continue;
            s += std::fabs(v);
            ++m.pairs;
        }
    m.mean = m.pairs ? s / double(m.pairs) : kNaN;
    return m;
}

uint64_t correlationBytes(const Traces& t, CorrMethod method, size_t matrices) {
    const uint64_t n = t.neurons(), T = t.timepoints();
    const uint64_t square = satMul(satMul(n, n), sizeof(double));
    // The result, the product of the normalised rows and the rows themselves (ranked copies for Spearman).
    uint64_t bytes = satMul(square, 2 + matrices);
    bytes = satAdd(bytes, satMul(satMul(n, T), sizeof(double) * (method == CorrMethod::Spearman ? 2 : 1)));
    return bytes;
}

Status checkCorrelationBudget(const Traces& t, uint64_t bytes, const std::string& analysis) {
    const size_t n = t.neurons();
    return checkBudget(bytes,
                       analysis + " of " + std::to_string(n) + " neurons (" + std::to_string(pairCount(n)) +
                           " pairs)",
                       "use fewer neurons (a subset of the columns or ROIs)", t.source);
}

std::vector<int> correlationOrder(const CorrMatrix& m) {
    const size_t n = m.n;
    if (n == 0) return {};
    // Cluster distances (average linkage, updated by the Lance-Williams rule), members in leaf order.
    std::vector<double> d(n * n, 0.0);
    for (size_t i = 0; i < n; ++i)
        for (size_t j = 0; j < n; ++j) {
            const double r = m.at(i, j);
            d[i * n + j] = i == j ? 0.0 : 1.0 - (std::isfinite(r) ? r : 0.0);
        }
    std::vector<std::vector<int>> members(n);
    std::vector<char> alive(n, 1);
    for (size_t i = 0; i < n; ++i) members[i] = {int(i)};
    for (size_t step = 1; step < n; ++step) {
        size_t a = 0, b = 0;
        double best = std::numeric_limits<double>::infinity();
        for (size_t i = 0; i < n; ++i) {
            if (!alive[i]) continue;
            for (size_t j = i + 1; j < n; ++j)
                if (alive[j] && d[i * n + j] < best) {
                    best = d[i * n + j];
                    a = i;
                    b = j;
                }
        }
        const double na = double(members[a].size()), nb = double(members[b].size());
        for (size_t k = 0; k < n; ++k) {
            if (!alive[k] || k == a || k == b) continue;
            const double v = (na * d[a * n + k] + nb * d[b * n + k]) / (na + nb);
            d[a * n + k] = d[k * n + a] = v;
        }
        members[a].insert(members[a].end(), members[b].begin(), members[b].end());
        members[b].clear();
        alive[b] = 0;
    }
    for (size_t i = 0; i < n; ++i)
        if (alive[i]) return members[i];
    return {};
}

Graph functionalGraph(const Traces& t, const CorrMatrix& m, double threshold, int topK,
                      const Graph* structure, const NameJoin* join) {
    Graph g;
    const size_t n = std::min(t.neurons(), m.n);
    for (size_t i = 0; i < n; ++i) g.addNode(t.names[i]);
    if (structure && join && join->target.size() >= n && structure->hasPositions()) {
        double c[3] = {0, 0, 0};
        size_t matched = 0;
        for (size_t i = 0; i < n; ++i)
            if (join->target[i] >= 0) {
                const size_t v = size_t(join->target[i]);
                c[0] += structure->x[v], c[1] += structure->y[v], c[2] += structure->z[v];
                ++matched;
            }
        for (double& x : c) x = matched ? x / double(matched) : 0.0;
        g.x.resize(n);
        g.y.resize(n);
        g.z.resize(n);
        for (size_t i = 0; i < n; ++i) {
            const long v = join->target[i];
            g.x[i] = v >= 0 ? structure->x[size_t(v)] : float(c[0]);
            g.y[i] = v >= 0 ? structure->y[size_t(v)] : float(c[1]);
            g.z[i] = v >= 0 ? structure->z[size_t(v)] : float(c[2]);
        }
        if (structure->nodeClass.size() == structure->nodeCount()) {
            g.nodeClass.resize(n);
            for (size_t i = 0; i < n; ++i)
                if (join->target[i] >= 0) g.nodeClass[i] = structure->nodeClass[size_t(join->target[i])];
        }
    }
    const uint8_t pos = g.typeIndex("positive"), neg = g.typeIndex("negative");
    std::vector<char> keep(n * n, 0);
    if (topK > 0) {
        std::vector<std::pair<double, size_t>> row;
        for (size_t i = 0; i < n; ++i) {
            row.clear();
            for (size_t j = 0; j < n; ++j)
                if (j != i && std::isfinite(m.at(i, j))) row.push_back({std::fabs(m.at(i, j)), j});
            const size_t k = std::min(row.size(), size_t(topK));
            std::partial_sort(row.begin(), row.begin() + long(k), row.end(),
                              [](const auto& a, const auto& b) {
                                  return a.first > b.first || (a.first == b.first && a.second < b.second);
                              });
            for (size_t q = 0; q < k; ++q)
                keep[std::min(i, row[q].second) * n + std::max(i, row[q].second)] = 1;
        }
    } else {
        for (size_t i = 0; i < n; ++i)
            for (size_t j = i + 1; j < n; ++j)
                if (std::isfinite(m.at(i, j)) && std::fabs(m.at(i, j)) >= threshold) keep[i * n + j] = 1;
    }
    for (size_t i = 0; i < n; ++i)
        for (size_t j = i + 1; j < n; ++j)
            if (keep[i * n + j]) {
                const double r = m.at(i, j);
                g.addEdge(uint32_t(i), uint32_t(j), float(std::fabs(r)), r >= 0 ? pos : neg);
            }
    return g;
}

// ---- windows --------------------------------------------------------------------------------------------
std::vector<Window> slidingWindows(size_t T, size_t window, size_t step) {
    std::vector<Window> w;
    if (window == 0 || step == 0 || window > T) return w;
    for (size_t b = 0; b + window <= T; b += step)
        w.push_back({b, b + window, double(b), double(b + window)});
    return w;
}

size_t secondsToSamples(const Traces& t, double seconds) {
    const double dt = t.medianStep();
    if (!(dt > 0)) return std::max<size_t>(1, size_t(std::llround(seconds)));
    return std::max<size_t>(1, size_t(std::llround(seconds / dt)));
}

Result<std::vector<Window>> slidingWindows(const Traces& t, double windowS, double stepS) {
    if (!(windowS > 0) || !(stepS > 0)) return Error{t.source, 0, "window and step must be positive seconds"};
    const size_t w = secondsToSamples(t, windowS), s = secondsToSamples(t, stepS);
    if (w > t.timepoints())
        return Error{t.source, 0,
                     "window of " + std::to_string(windowS) + " s (" + std::to_string(w) +
                         " samples) is longer than the recording (" + std::to_string(t.timepoints()) +
                         " samples)"};
    auto ws = slidingWindows(t.timepoints(), w, s);
    for (auto& x : ws) {
        x.tStart = t.time[x.begin];
        x.tEnd = t.time[x.end - 1];
    }
    return ws;
}

// ---- fast windowed Pearson ------------------------------------------------------------------------------
namespace {

// G (np x np, row-major) = Y^T Y over the tiles on or above the diagonal (other entries untouched); Y is b x
// np (time-major), np a multiple of 8. Tiles are 4 rows x 8 columns.
void gramGeneric(const double* Y, size_t b, size_t np, double* G) {
    for (size_t i0 = 0; i0 < np; i0 += 4) {
        for (size_t j0 = i0 & ~size_t(7); j0 < np; j0 += 8) {
            double acc[4][8] = {};
            for (size_t t = 0; t < b; ++t) {
                const double* y = Y + t * np;
                for (int a = 0; a < 4; ++a) {
                    const double yi = y[i0 + size_t(a)];
                    for (int c = 0; c < 8; ++c) acc[a][c] += yi * y[j0 + size_t(c)];
                }
            }
            for (int a = 0; a < 4; ++a)
                for (int c = 0; c < 8; ++c) G[(i0 + size_t(a)) * np + j0 + size_t(c)] = acc[a][c];
        }
    }
}

#ifdef NR_TRACES_X86
__attribute__((target("avx2,fma"))) void gramAvx2(const double* Y, size_t b, size_t np, double* G) {
    for (size_t i0 = 0; i0 < np; i0 += 4) {
        for (size_t j0 = i0 & ~size_t(7); j0 < np; j0 += 8) {
            __m256d c00 = _mm256_setzero_pd(), c01 = _mm256_setzero_pd(), c10 = _mm256_setzero_pd(),
                    c11 = _mm256_setzero_pd(), c20 = _mm256_setzero_pd(), c21 = _mm256_setzero_pd(),
                    c30 = _mm256_setzero_pd(), c31 = _mm256_setzero_pd();
            const double* y = Y;
            for (size_t t = 0; t < b; ++t, y += np) {
                const __m256d y0 = _mm256_loadu_pd(y + j0), y1 = _mm256_loadu_pd(y + j0 + 4);
                __m256d a = _mm256_broadcast_sd(y + i0);
                c00 = _mm256_fmadd_pd(a, y0, c00);
                c01 = _mm256_fmadd_pd(a, y1, c01);
                a = _mm256_broadcast_sd(y + i0 + 1);
                c10 = _mm256_fmadd_pd(a, y0, c10);
                c11 = _mm256_fmadd_pd(a, y1, c11);
                a = _mm256_broadcast_sd(y + i0 + 2);
                c20 = _mm256_fmadd_pd(a, y0, c20);
                c21 = _mm256_fmadd_pd(a, y1, c21);
                a = _mm256_broadcast_sd(y + i0 + 3);
                c30 = _mm256_fmadd_pd(a, y0, c30);
                c31 = _mm256_fmadd_pd(a, y1, c31);
            }
            double* g = G + i0 * np + j0;
            _mm256_storeu_pd(g, c00);
            _mm256_storeu_pd(g + 4, c01);
            g += np;
            _mm256_storeu_pd(g, c10);
            _mm256_storeu_pd(g + 4, c11);
            g += np;
            _mm256_storeu_pd(g, c20);
            _mm256_storeu_pd(g + 4, c21);
            g += np;
            _mm256_storeu_pd(g, c30);
            _mm256_storeu_pd(g + 4, c31);
        }
    }
}
#endif

#ifdef NR_TRACES_X86
// The same with 8 rows x 16 columns per tile (16 accumulators): two loads and eight broadcasts feed sixteen
// 8-wide FMAs, so the kernel is bound by the FMA units rather than by loads. np a multiple of 16.
__attribute__((target("avx512f"))) void gramAvx512(const double* Y, size_t b, size_t np, double* G) {
    for (size_t i0 = 0; i0 < np; i0 += 8) {
        for (size_t j0 = i0 & ~size_t(15); j0 < np; j0 += 16) {
            __m512d c[8][2];
#pragma GCC unroll 8
            for (int a = 0; a < 8; ++a) c[a][0] = c[a][1] = _mm512_setzero_pd();
            const double* y = Y;
            for (size_t t = 0; t < b; ++t, y += np) {
                const __m512d y0 = _mm512_loadu_pd(y + j0), y1 = _mm512_loadu_pd(y + j0 + 8);
#pragma GCC unroll 8
                for (int a = 0; a < 8; ++a) {
                    const __m512d v = _mm512_set1_pd(y[i0 + size_t(a)]);
                    c[a][0] = _mm512_fmadd_pd(v, y0, c[a][0]);
                    c[a][1] = _mm512_fmadd_pd(v, y1, c[a][1]);
                }
            }
            double* g = G + i0 * np + j0;
#pragma GCC unroll 8
            for (int a = 0; a < 8; ++a, g += np) {
                _mm512_storeu_pd(g, c[a][0]);
                _mm512_storeu_pd(g + 8, c[a][1]);
            }
        }
    }
}
#endif

using GramFn = void (*)(const double*, size_t, size_t, double*);
GramFn gramKernel() {
#ifdef NR_TRACES_X86
    static const GramFn fn = __builtin_cpu_supports("avx512f") ? gramAvx512
                             : (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
                                 ? gramAvx2
                                 : gramGeneric;
    return fn;
#else
    return gramGeneric;
#endif
}

// S += Gin - Gout on rows 0..n-1, columns from (row & ~7) to np (every gram kernel writes those), all
// np x np row-major, np a multiple of 16.
void slideGeneric(double* S, const double* Gin, const double* Gout, size_t n, size_t np) {
    for (size_t i = 0; i < n; ++i)
        for (size_t j = i & ~size_t(7); j < np; ++j) S[i * np + j] += Gin[i * np + j] - Gout[i * np + j];
}

// One row of r: out[k] = clamp((Si[k] - si * s[k]) * ii * inv[k], -1, 1) for k < len (NaN stays NaN).
void pearsonRowGeneric(const double* Si, const double* s, const double* inv, double si, double ii, size_t len,
                       double* out) {
    for (size_t k = 0; k < len; ++k) out[k] = std::clamp((Si[k] - si * s[k]) * ii * inv[k], -1.0, 1.0);
}

#ifdef NR_TRACES_X86
__attribute__((target("avx512f"))) void slideAvx512(double* S, const double* Gin, const double* Gout,
                                                    size_t n, size_t np) {
    for (size_t i = 0; i < n; ++i) {
        double* Si = S + i * np;
        const double *a = Gin + i * np, *b = Gout + i * np;
        for (size_t j = i & ~size_t(7); j < np; j += 8)
            _mm512_storeu_pd(Si + j,
                             _mm512_add_pd(_mm512_loadu_pd(Si + j),
                                           _mm512_sub_pd(_mm512_loadu_pd(a + j), _mm512_loadu_pd(b + j))));
    }
}

__attribute__((target("avx512f"))) inline __m512d pearson8(__m512d S8, __m512d s8, __m512d inv8, __m512d si,
                                                           __m512d ii) {
    const __m512d c = _mm512_mul_pd(_mm512_mul_pd(_mm512_fnmadd_pd(si, s8, S8), ii), inv8);
    // max/min return their second operand when either is NaN, so a NaN r passes through
    const __m512d lo = _mm512_mask_max_pd(c, __mmask8(0xff), _mm512_set1_pd(-1.0), c);
    return _mm512_mask_min_pd(lo, __mmask8(0xff), _mm512_set1_pd(1.0), lo);
}

__attribute__((target("avx512f"))) void pearsonRowAvx512(const double* Si, const double* s, const double* inv,
                                                         double si, double ii, size_t len, double* out) {
    const __m512d vsi = _mm512_set1_pd(si), vii = _mm512_set1_pd(ii);
    size_t k = 0;
    for (; k + 8 <= len; k += 8)
        _mm512_storeu_pd(out + k, pearson8(_mm512_loadu_pd(Si + k), _mm512_loadu_pd(s + k),
                                           _mm512_loadu_pd(inv + k), vsi, vii));
    if (k < len) {
        const __mmask8 m = __mmask8((1u << (len - k)) - 1);
        _mm512_mask_storeu_pd(out + k, m,
                              pearson8(_mm512_maskz_loadu_pd(m, Si + k), _mm512_maskz_loadu_pd(m, s + k),
                                       _mm512_maskz_loadu_pd(m, inv + k), vsi, vii));
    }
}
#endif

struct SlideKernels {
    void (*slide)(double*, const double*, const double*, size_t, size_t) = slideGeneric;
    void (*pearsonRow)(const double*, const double*, const double*, double, double, size_t,
                       double*) = pearsonRowGeneric;
};
SlideKernels slideKernels() {
    SlideKernels k;
#ifdef NR_TRACES_X86
    if (__builtin_cpu_supports("avx512f")) k = {slideAvx512, pearsonRowAvx512};
#endif
    return k;
}

// Pearson r of all pairs from the cross-product sums S (upper tiles), row sums s, over `w` samples.
void pearsonFromSums(const double* S, const double* s, size_t n, size_t np, size_t w, double* out,
                     const SlideKernels& kern) {
    const double invW = 1.0 / double(w);
    std::vector<double> inv(n);
    for (size_t i = 0; i < n; ++i) {
        const double v = S[i * np + i] - s[i] * s[i] * invW;
        inv[i] = v > 0 ? 1.0 / std::sqrt(v) : kNaN;
    }
    size_t p = 0;
    for (size_t i = 0; i + 1 < n; ++i) {
        const size_t len = n - i - 1;
        kern.pearsonRow(S + i * np + i + 1, s + i + 1, inv.data() + i + 1, s[i] * invW, inv[i], len, out + p);
        p += len;
    }
}

// Windows [w0, w1) of one thread.
void windowedRange(const double* data, const std::vector<double>& mean, size_t n, size_t T, size_t window,
                   size_t step, size_t w0, size_t w1, double* out) {
    if (detail::pearsonTilesAvailable()) {
        detail::windowedPearsonTiles(data, mean.data(), n, T, window, step, w0, w1, out);
        return;
    }
    const size_t np = (n + 15) & ~size_t(15); // a multiple of 16 for every gram kernel
    const size_t P = pairCount(n);
    const GramFn gram = gramKernel();
    size_t g = std::gcd(window, step);
    size_t m = window / g;
    if (m > 64) { // blocks too small to pay off: one product per window
        g = window;
        m = 1;
    }
    const size_t q = step / g; // blocks per step (0 when g == window > step: direct per window)
    const SlideKernels kern = slideKernels();
    // Centred, time-major copy of samples [start, start + len) into Y (columns n..np-1 stay 0). Eight rows at
    // a time, so that every store fills a cache line.
    std::vector<double> Y;
    auto loadBlock = [&](size_t start, size_t len) {
        if (Y.size() != len * np) Y.assign(len * np, 0.0);
        for (size_t i0 = 0; i0 < n; i0 += 8) {
            const size_t i1 = std::min(n, i0 + 8);
            for (size_t k = 0; k < len; ++k) {
                double* y = Y.data() + k * np;
                for (size_t i = i0; i < i1; ++i) y[i] = data[i * T + start + k] - mean[i];
            }
        }
    };
    // the ring's block products: m slots and one spare buffer that takes the entering block
    std::vector<double> gramPool((m + 1) * np * np), ringS(m * np), S(np * np), s(np), snew(np);
    std::vector<double*> ringG(m);
    for (size_t k = 0; k < m; ++k) ringG[k] = gramPool.data() + k * np * np;
    double* spare = gramPool.data() + m * np * np;
    std::vector<long long> ringBlock(m, -1);
    size_t sinceRefresh = 0;
    for (size_t w = w0; w < w1; ++w) {
        const size_t start = w * step;
        if (m == 1) {
            loadBlock(start, window);
            std::fill(s.begin(), s.end(), 0.0);
            gram(Y.data(), window, np, S.data());
            for (size_t k = 0; k < window; ++k)
                for (size_t i = 0; i < n; ++i) s[i] += Y[k * np + i];
        } else {
            // S and s follow the window by subtracting the block that leaves and adding the one that enters;
            // every 64 windows (and at the start) they are summed afresh from the ring so rounding cannot
            // drift.
            const size_t firstBlock = w * q;
            const bool full = w == w0 || ++sinceRefresh >= 64;
            if (full) sinceRefresh = 0;
            auto addUpper = [&](const double* G, const double* sv, double sign) {
                for (size_t i = 0; i < n; ++i) {
                    double* Si = S.data() + i * np;
                    const double* Gi = G + i * np;
                    for (size_t j = i; j < n; ++j) Si[j] += sign * Gi[j];
                    s[i] += sign * sv[i];
                }
            };
            for (size_t b = firstBlock; b < firstBlock + m; ++b) {
                const size_t slot = b % m;
                if (ringBlock[slot] == (long long)b) continue;
                double* G = ringG[slot];
                double* sv = ringS.data() + slot * np;
                const bool slide = !full && ringBlock[slot] >= 0;
                // sliding: the entering block's products go to the spare buffer, S takes their difference
                // with the leaving block's in one pass, and the buffers swap
                double* Gb = slide ? spare : G;
                double* sb = slide ? snew.data() : sv;
                loadBlock(b * g, g);
                gram(Y.data(), g, np, Gb);
                std::fill(sb, sb + np, 0.0);
                for (size_t k = 0; k < g; ++k) {
                    const double* y = Y.data() + k * np;
                    for (size_t i = 0; i < n; ++i) sb[i] += y[i];
                }
                if (slide) {
                    kern.slide(S.data(), spare, G, n, np);
                    for (size_t i = 0; i < n; ++i) s[i] += snew[i] - sv[i];
                    std::swap(ringG[slot], spare);
                    std::copy(snew.begin(), snew.end(), sv);
                } else if (!full)
                    addUpper(G, sv, 1.0);
                ringBlock[slot] = (long long)b;
            }
            if (full) {
                std::fill(S.begin(), S.end(), 0.0);
                std::fill(s.begin(), s.end(), 0.0);
                for (size_t slot = 0; slot < m; ++slot) addUpper(ringG[slot], ringS.data() + slot * np, 1.0);
            }
        }
        pearsonFromSums(S.data(), s.data(), n, np, window, out + w * P, kern);
    }
}

} // namespace

size_t windowedPearson(const double* data, size_t n, size_t T, size_t window, size_t step, int threads,
                       std::vector<double>& out) {
    const auto wins = slidingWindows(T, window, step);
    const size_t W = wins.size(), P = pairCount(n);
    out.resize(W * P); // every value is written below
    if (W == 0 || n < 2) return W;
    // Global per-row means keep the window sums small (no cancellation). Any value near the rows' level does
    // that equally well, so long recordings (65,536 samples or more) take the mean of every 64th sample: one
    // cache line in eight is read instead of the whole data. Rows are split over the threads; eight partial
    // sums per row keep the additions independent.
    const size_t nt = std::max<size_t>(1, std::min<size_t>(size_t(std::max(threads, 1)), W));
    const size_t stride = T >= 65536 ? 64 : 1;
    std::vector<double> mean(n, 0.0);
    auto rowMeans = [&](size_t i0, size_t i1) {
        for (size_t i = i0; i < i1; ++i) {
            const double* x = data + i * T;
            double p[8] = {};
            size_t k = 0, count = 0;
            for (; k + 8 * stride <= T; k += 8 * stride, count += 8)
                for (size_t l = 0; l < 8; ++l) p[l] += x[k + l * stride];
            for (; k < T; k += stride, ++count) p[0] += x[k];
            mean[i] = (((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]))) / double(count);
        }
    };
    {
        std::vector<std::thread> helpers;
        for (size_t k = 1; k < nt; ++k) helpers.emplace_back(rowMeans, n * k / nt, n * (k + 1) / nt);
        rowMeans(0, n / nt);
        for (auto& th : helpers) th.join();
    }
    std::vector<std::thread> pool;
    for (size_t k = 0; k < nt; ++k) {
        const size_t a = W * k / nt, b = W * (k + 1) / nt;
        if (k + 1 == nt)
            windowedRange(data, mean, n, T, window, step, a, b, out.data());
        else
            pool.emplace_back(windowedRange, data, std::cref(mean), n, T, window, step, a, b, out.data());
    }
    for (auto& th : pool) th.join();
    return W;
}

Result<WindowedCorrelations> windowedCorrelations(const Traces& t, CorrMethod method, double windowS,
                                                  double stepS, int threads,
                                                  const std::function<bool(double)>& progress) {
    auto wins = slidingWindows(t, windowS, stepS);
    if (!wins) return wins.error();
    WindowedCorrelations out;
    out.windows = std::move(wins.value());
    const size_t n = t.neurons(), P = pairCount(n), W = out.windows.size();
    // windows x pairs results, a double copy of the traces and one window's matrix.
    const uint64_t need = satAdd(satMul(satMul(W, P), sizeof(double)), correlationBytes(t, method));
    if (auto s = checkCorrelationBudget(t, need, "windowed correlation in " + std::to_string(W) + " windows"))
        return *s;
    if (method == CorrMethod::Pearson && t.nanValues == 0 && W > 0) {
        std::vector<double> data(t.values.begin(), t.values.end());
        const size_t w = out.windows[0].end - out.windows[0].begin;
        const size_t s = W > 1 ? out.windows[1].begin - out.windows[0].begin : w;
        windowedPearson(data.data(), n, t.timepoints(), w, s, threads, out.r);
        return out;
    }
    out.r.assign(W * P, kNaN);
    for (size_t w = 0; w < W; ++w) {
        if (progress && !progress(double(w) / double(W))) return Error{t.source, 0, "cancelled"};
        const CorrMatrix m = correlationMatrix(t, method, out.windows[w].begin, out.windows[w].end);
        out.ignoredFrames += m.ignoredFrames;
        for (size_t i = 0; i < n; ++i)
            for (size_t j = i + 1; j < n; ++j) out.r[w * P + pairIndex(i, j, n)] = m.at(i, j);
    }
    return out;
}

// ---- communities over time ------------------------------------------------------------------------------
std::vector<int> matchLabels(const std::vector<int>& previous, const std::vector<int>& next, int& nextFree) {
    std::map<std::pair<int, int>, size_t> overlap;
    for (size_t i = 0; i < next.size() && i < previous.size(); ++i)
        if (previous[i] >= 0 && next[i] >= 0) ++overlap[{previous[i], next[i]}];
    std::vector<std::pair<size_t, std::pair<int, int>>> cand;
    for (const auto& o : overlap) cand.push_back({o.second, o.first});
    std::sort(cand.begin(), cand.end(), [](const auto& a, const auto& b) {
        if (a.first != b.first) return a.first > b.first;
        return a.second < b.second;
    });
    std::map<int, int> assign;
    std::map<int, bool> usedPrev;
    for (const auto& c : cand) {
        const int p = c.second.first, q = c.second.second;
        if (assign.count(q) || usedPrev[p]) continue;
        assign[q] = p;
        usedPrev[p] = true;
    }
    std::vector<int> out(next.size(), -1);
    for (size_t i = 0; i < next.size(); ++i) {
        if (next[i] < 0) continue;
        auto it = assign.find(next[i]);
        if (it == assign.end()) it = assign.emplace(next[i], nextFree++).first;
        out[i] = it->second;
    }
    return out;
}

Result<DynamicCommunities> dynamicCommunities(const std::vector<double>& r, size_t n, size_t windows,
                                              double resolution, uint64_t seed,
                                              const std::function<bool(double)>& progress) {
    const size_t P = pairCount(n);
    if (r.size() < windows * P) return Error{"", 0, "windowed correlations are shorter than windows x pairs"};
    DynamicCommunities dc;
    int nextFree = 0;
    for (size_t w = 0; w < windows; ++w) {
        if (progress && !progress(double(w) / double(std::max<size_t>(windows, 1))))
            return Error{"", 0, "cancelled"};
        Graph g;
        for (size_t i = 0; i < n; ++i) g.addNode(std::to_string(i));
        std::vector<char> usable(n, 0);
        const double* rw = r.data() + w * P;
        const uint8_t ty = g.typeIndex("positive correlation");
        for (size_t i = 0, p = 0; i < n; ++i)
            for (size_t j = i + 1; j < n; ++j, ++p) {
                const double v = rw[p];
                if (std::isfinite(v)) usable[i] = usable[j] = 1;
                if (std::isfinite(v) && v > 0) g.addEdge(uint32_t(i), uint32_t(j), float(v), ty);
            }
        auto c = detectCommunities(g, true, resolution, seed);
        if (!c) return c.error();
        std::vector<int> lab = c.value().membership;
        for (size_t i = 0; i < n; ++i)
            if (!usable[i]) lab[i] = -1;
        if (w == 0) {
            std::map<int, int> first;
            for (auto& l : lab)
                if (l >= 0) {
                    auto it = first.emplace(l, nextFree).first;
                    if (it->second == nextFree) ++nextFree;
                    l = it->second;
                }
        } else {
            lab = matchLabels(dc.labels.back(), lab, nextFree);
        }
        dc.labels.push_back(std::move(lab));
        dc.count.push_back(c.value().count);
        dc.modularity.push_back(c.value().modularity);
    }
    dc.labelsUsed = nextFree;
    return dc;
}

// ---- structure vs function ------------------------------------------------------------------------------
Result<StructureFunction> structureFunction(const Graph& g, const NameJoin& join, const CorrMatrix& fc,
                                            SynapseKind kind, bool connectedOnly, size_t permutations,
                                            uint64_t seed) {
    const size_t n = fc.n;
    if (join.target.size() != n) return Error{"", 0, "name join and correlation matrix disagree in size"};
    std::vector<long> traceOf(g.nodeCount(), -1);
    for (size_t i = 0; i < n; ++i)
        if (join.target[i] >= 0 && size_t(join.target[i]) < g.nodeCount())
            traceOf[size_t(join.target[i])] = long(i);
    std::vector<double> W(n * n, 0.0);
    for (size_t e = 0; e < g.edgeCount(); ++e) {
        std::string tn = g.edgeTypes.empty() ? std::string("chemical") : g.edgeTypes[g.type[e]];
        for (auto& ch : tn) ch = char(std::tolower(static_cast<unsigned char>(ch)));
        const bool elec = tn.find("elec") != std::string::npos || tn.find("gap") != std::string::npos;
        if (kind == SynapseKind::Chemical && elec) continue;
        if (kind == SynapseKind::Electrical && !elec) continue;
        const long a = traceOf[g.src[e]], b = traceOf[g.dst[e]];
        if (a < 0 || b < 0 || a == b) continue;
        const double w = g.weight.empty() ? 1.0 : double(g.weight[e]);
        W[size_t(a) * n + size_t(b)] += w;
        W[size_t(b) * n + size_t(a)] += w;
    }
    StructureFunction sf;
    std::vector<std::string> names; // filled by caller through pairNames when graph names are wanted
    for (size_t i = 0; i < n; ++i) {
        if (join.target[i] < 0) continue;
        for (size_t j = i + 1; j < n; ++j) {
            if (join.target[j] < 0) continue;
            const double r = fc.at(i, j);
            if (!std::isfinite(r)) continue;
            const double w = W[i * n + j];
            if (connectedOnly && !(w > 0)) continue;
            sf.weight.push_back(w);
            sf.functional.push_back(r);
            sf.pairNames.push_back(g.names[size_t(join.target[i])] + "-" + g.names[size_t(join.target[j])]);
            if (w > 0) ++sf.connected;
        }
    }
    sf.pairs = sf.weight.size();
    if (sf.pairs < 3)
        return Error{"", 0, "fewer than 3 neuron pairs are in both the traces and the connectome"};
    const double r0 = pearsonOf(sf.weight.data(), sf.functional.data(), sf.pairs);
    if (!std::isfinite(r0))
        return Error{"", 0, "structural weights are the same for every pair; no correlation can be computed"};
    sf.r = r0;
    std::mt19937_64 rng(seed);
    std::vector<double> f = sf.functional;
    size_t ge = 0;
    for (size_t p = 0; p < permutations; ++p) {
        for (size_t k = f.size() - 1; k > 0; --k) {
            std::uniform_int_distribution<size_t> d(0, k);
            std::swap(f[k], f[d(rng)]);
        }
        const double rp = pearsonOf(sf.weight.data(), f.data(), f.size());
        if (std::fabs(rp) >= std::fabs(r0)) ++ge;
    }
    sf.p = double(1 + ge) / double(1 + permutations);
    return sf;
}

// ---- NTF ------------------------------------------------------------------------------------------------
std::vector<float> affinityTensor(const std::vector<double>& r, size_t pairs, size_t windows,
                                  const std::string& mode) {
    std::vector<float> X(pairs * windows, 0.f);
    for (size_t w = 0; w < windows; ++w)
        for (size_t p = 0; p < pairs; ++p) {
            const double v = r[w * pairs + p];
            double a = 0;
            if (std::isfinite(v))
                a = mode == "shifted" ? 0.5 * (1 + v) : mode == "abs" ? std::fabs(v) : std::max(v, 0.0);
            X[p * windows + w] = float(a);
        }
    return X;
}

Result<NtfResult> ntf(const std::vector<float>& X, size_t I, size_t J, size_t K, size_t R, uint64_t seed,
                      int maxIter, double tol, const std::function<bool(double)>& progress) {
    using MatF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    using MatD = Eigen::MatrixXd;
    if (R == 0) return Error{"", 0, "rank must be at least 1"};
    if (I == 0 || J == 0 || K == 0 || X.size() != I * J * K)
        return Error{"", 0, "tensor size does not match its dimensions"};
    double norm2 = 0;
    for (float v : X) {
        if (!(v >= 0) || !std::isfinite(v)) return Error{"", 0, "NTF needs a finite, non-negative tensor"};
        norm2 += double(v) * double(v);
    }
    if (!(norm2 > 0)) return Error{"", 0, "the tensor is all zeros"};
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> U(0.0, 1.0);
    const long Il = long(I), Jl = long(J), Kl = long(K), Rl = long(R);
    MatD A(Il, Rl), B(Jl, Rl), C(Kl, Rl);
    for (long i = 0; i < A.size(); ++i) A.data()[i] = U(rng);
    for (long i = 0; i < B.size(); ++i) B.data()[i] = U(rng);
    for (long i = 0; i < C.size(); ++i) C.data()[i] = U(rng);
    auto Xk = [&](size_t k) { return Eigen::Map<const MatF>(X.data() + k * I * J, long(I), long(J)); };
    // Scale the start so that its norm matches the tensor's.
    {
        const MatD G = (A.transpose() * A).cwiseProduct(B.transpose() * B).cwiseProduct(C.transpose() * C);
        const double s = std::cbrt(std::sqrt(norm2 / std::max(G.sum(), 1e-300)));
        A *= s;
        B *= s;
        C *= s;
    }
    const double eps = 1e-12;
    auto hals = [&](MatD& F, const MatD& M, const MatD& G) {
        for (long r = 0; r < long(R); ++r) {
            const double grr = G(r, r);
            if (!(grr > 0)) continue;
            F.col(r) = (F.col(r) + (M.col(r) - F * G.col(r)) / grr).cwiseMax(eps);
        }
    };
    NtfResult res;
    res.rank = R;
    double prevErr = std::numeric_limits<double>::infinity(), err = 1;
    int it = 0;
    std::vector<MatD> Pk(K);
    // The two large products split the rows of X between two threads.
    auto halves = [&](const std::function<void(long, long, int)>& fn) {
        if (Il < 2048) return fn(0, Il, 0);
        const long h = Il / 2;
        std::thread other([&] { fn(0, h, 1); });
        fn(h, Il - h, 0);
        other.join();
    };
    for (; it < maxIter; ++it) {
        if (progress && !progress(double(it) / double(maxIter))) return Error{"", 0, "cancelled"};
        const MatF Bf = B.cast<float>();
        for (size_t k = 0; k < K; ++k) { // I x R
            MatF Pf(Il, Rl);
            halves([&](long a, long len, int) {
                Pf.middleRows(a, len).noalias() = Xk(k).middleRows(a, len) * Bf;
            });
            Pk[k] = Pf.cast<double>();
        }
        // C
        MatD MC(Kl, Rl);
        for (size_t k = 0; k < K; ++k) MC.row(long(k)) = A.cwiseProduct(Pk[k]).colwise().sum();
        hals(C, MC, (A.transpose() * A).cwiseProduct(B.transpose() * B));
        // A
        MatD MA = MatD::Zero(long(I), long(R));
        for (size_t k = 0; k < K; ++k) MA += Pk[k] * C.row(long(k)).asDiagonal();
        hals(A, MA, (B.transpose() * B).cwiseProduct(C.transpose() * C));
        // B
        MatD MB = MatD::Zero(long(J), long(R));
        for (size_t k = 0; k < K; ++k) {
            const MatF Af = (A * C.row(long(k)).asDiagonal()).cast<float>();
            MatF part[2] = {MatF::Zero(Jl, Rl), MatF::Zero(Jl, Rl)};
            halves([&](long a, long len, int h) {
                part[h].noalias() = Xk(k).middleRows(a, len).transpose() * Af.middleRows(a, len);
            });
            MB += (part[0] + part[1]).cast<double>();
        }
        hals(B, MB, (A.transpose() * A).cwiseProduct(C.transpose() * C));
        // Error: ||X||^2 - 2 <X, Xhat> + ||Xhat||^2.
        const double inner = MB.cwiseProduct(B).sum();
        const double hat2 =
            (A.transpose() * A).cwiseProduct(B.transpose() * B).cwiseProduct(C.transpose() * C).sum();
        err = std::sqrt(std::max(0.0, norm2 - 2 * inner + hat2) / norm2);
        // Unit columns in A and B, scale into C.
        for (long r = 0; r < long(R); ++r) {
            const double na = A.col(r).norm(), nb = B.col(r).norm();
            if (na > 0 && nb > 0) {
                A.col(r) /= na;
                B.col(r) /= nb;
                C.col(r) *= na * nb;
            }
        }
        if (std::fabs(prevErr - err) < tol) {
            ++it;
            break;
        }
        prevErr = err;
    }
    res.iterations = it;
    res.relError = err;
    std::vector<size_t> order(R);
    std::iota(order.begin(), order.end(), size_t(0));
    std::vector<double> lam(R);
    for (size_t r = 0; r < R; ++r) lam[r] = C.col(long(r)).norm();
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return lam[a] > lam[b]; });
    res.A.resize(I * R);
    res.B.resize(J * R);
    res.C.resize(K * R);
    res.lambda.resize(R);
    for (size_t c = 0; c < R; ++c) {
        const long r = long(order[c]);
        res.lambda[c] = lam[order[c]];
        for (size_t i = 0; i < I; ++i) res.A[i * R + c] = float(A(long(i), r));
        for (size_t j = 0; j < J; ++j) res.B[j * R + c] = float(B(long(j), r));
        for (size_t k = 0; k < K; ++k) res.C[k * R + c] = float(C(long(k), r));
    }
    return res;
}

} // namespace nr
