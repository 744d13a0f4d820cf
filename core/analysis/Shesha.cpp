#include "analysis/Shesha.h"

#include "io/MemoryBudget.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>
#include <numeric>
#include <optional>
#include <thread>

#include <immintrin.h>

#include "analysis/Stats.h"

namespace nr {

namespace {

// Uniform integers below n from 16-bit pieces of the 64-bit draws of `Words` (four per draw; Lemire's
// multiply-and-reject, exact). Sizes above 65536 take a whole draw each, as SplitMix64::below does.
template <class Words> class HalfDrawsOf {
public:
    explicit HalfDrawsOf(const Words& words) : words_(words) {}
    uint32_t below(uint32_t n) {
        if (n > 65536u) return below32(n);
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
    // A whole 64-bit draw, taken directly from the stream (pieces already buffered stay for below()).
    uint64_t word() { return words_.next(); }
    Words& words() { return words_; }

private:
    uint32_t below32(uint32_t n) {
        uint64_t m = uint64_t(uint32_t(words_.next() >> 32)) * n;
        uint32_t low = uint32_t(m);
        if (low < n) {
            const uint32_t threshold = uint32_t(-n) % n;
            while (low < threshold) {
                m = uint64_t(uint32_t(words_.next() >> 32)) * n;
                low = uint32_t(m);
            }
        }
        return uint32_t(m >> 32);
    }
    uint32_t next16() {
        if (left_ == 0) {
            buf_ = words_.next();
            left_ = 4;
        }
        const uint32_t v = uint32_t(buf_ & 0xFFFFu);
        buf_ >>= 16;
        --left_;
        return v;
    }
    Words words_;
    uint64_t buf_ = 0;
    int left_ = 0;
};

using HalfDraws = HalfDrawsOf<SplitMix64>;

// Bit i set where the low bits `keep` of words[i] (i < 64) have exactly k bits set: popcounts of four words
// at a time from a nibble table and byte sums.
__attribute__((target("avx2"))) inline uint64_t acceptBitsAvx2(const uint64_t* words, uint64_t keep, int k) {
    const __m256i table = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2,
                                           2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    const __m256i mask = _mm256_set1_epi64x(int64_t(keep));
    const __m256i want = _mm256_set1_epi64x(k);
    uint64_t bits = 0;
    for (int i = 0; i < 64; i += 4) {
        const __m256i v =
            _mm256_and_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(words + i)), mask);
        const __m256i lo = _mm256_shuffle_epi8(table, _mm256_and_si256(v, low4));
        const __m256i hi = _mm256_shuffle_epi8(table, _mm256_and_si256(_mm256_srli_epi16(v, 4), low4));
        const __m256i count = _mm256_sad_epu8(_mm256_add_epi8(lo, hi), _mm256_setzero_si256());
        const int hit = _mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpeq_epi64(count, want)));
        bits |= uint64_t(uint32_t(hit)) << i;
    }
    return bits;
}

#define NR_SHESHA_AVX512 "avx512f,avx512dq,avx512bw,avx512vl,avx512vpopcntdq,avx2,popcnt"

// Horizontal sums (the zero-masked extracts keep every lane; GCC 12 warns on _mm512_reduce_add_*).
__attribute__((target(NR_SHESHA_AVX512))) inline int64_t sumLanes64(__m512i v) {
    const __m256i a = _mm256_add_epi64(_mm512_maskz_extracti64x4_epi64(0xf, v, 0),
                                       _mm512_maskz_extracti64x4_epi64(0xf, v, 1));
    const __m128i b = _mm_add_epi64(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
    return _mm_cvtsi128_si64(_mm_add_epi64(b, _mm_unpackhi_epi64(b, b)));
}
__attribute__((target(NR_SHESHA_AVX512))) inline int32_t sumLanes32(__m512i v) {
    const __m256i a = _mm256_add_epi32(_mm512_maskz_extracti64x4_epi64(0xf, v, 0),
                                       _mm512_maskz_extracti64x4_epi64(0xf, v, 1));
    __m128i b = _mm_add_epi32(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
    b = _mm_add_epi32(b, _mm_shuffle_epi32(b, 0x4e));
    b = _mm_add_epi32(b, _mm_shuffle_epi32(b, 0xb1));
    return _mm_cvtsi128_si32(b);
}
__attribute__((target(NR_SHESHA_AVX512))) inline float sumLanes(__m512 v) {
    const __m256 hi = _mm256_castpd_ps(_mm512_maskz_extractf64x4_pd(0xf, _mm512_castps_pd(v), 1));
    const __m256 a =
        _mm256_add_ps(_mm256_castpd_ps(_mm512_maskz_extractf64x4_pd(0xf, _mm512_castps_pd(v), 0)), hi);
    __m128 h = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    h = _mm_add_ps(h, _mm_movehl_ps(h, h));
    h = _mm_add_ss(h, _mm_movehdup_ps(h));
    return _mm_cvtss_f32(h);
}

// acceptBitsAvx2 with the 64-bit popcount instruction, eight words per step.
__attribute__((target(NR_SHESHA_AVX512))) inline uint64_t acceptBitsAvx512(const uint64_t* words,
                                                                           uint64_t keep, int k) {
    const __m512i mask = _mm512_set1_epi64(int64_t(keep)), want = _mm512_set1_epi64(k);
    uint64_t bits = 0;
    for (int i = 0; i < 64; i += 8) {
        const __m512i v = _mm512_and_si512(_mm512_loadu_si512(words + i), mask);
        bits |= uint64_t(_mm512_cmpeq_epi64_mask(_mm512_popcnt_epi64(v), want)) << i;
    }
    return bits;
}

// The 64 SplitMix64 draws that follow `state` (SplitMix64::state()) into words, eight lanes at a time;
// returns acceptBits of them.
__attribute__((target(NR_SHESHA_AVX512))) inline uint64_t refillAvx512(uint64_t state, uint64_t* words,
                                                                       uint64_t keep, int k) {
    constexpr uint64_t g = SplitMix64::kGamma;
    const __m512i mask = _mm512_set1_epi64(int64_t(keep)), want = _mm512_set1_epi64(k);
    const __m512i c1 = _mm512_set1_epi64(int64_t(0xBF58476D1CE4E5B9ULL)),
                  c2 = _mm512_set1_epi64(int64_t(0x94D049BB133111EBULL));
    const __m512i step = _mm512_set1_epi64(int64_t(8 * g));
    const __mmask8 all = 0xff; // zero-masked shifts keep every lane (GCC 12 warns on the plain ones)
    __m512i s =
        _mm512_add_epi64(_mm512_set1_epi64(int64_t(state)),
                         _mm512_setr_epi64(int64_t(g), int64_t(2 * g), int64_t(3 * g), int64_t(4 * g),
                                           int64_t(5 * g), int64_t(6 * g), int64_t(7 * g), int64_t(8 * g)));
    uint64_t bits = 0;
    for (int i = 0; i < 64; i += 8, s = _mm512_add_epi64(s, step)) {
        __m512i z = _mm512_mullo_epi64(_mm512_xor_si512(s, _mm512_maskz_srli_epi64(all, s, 30)), c1);
        z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_maskz_srli_epi64(all, z, 27)), c2);
        z = _mm512_xor_si512(z, _mm512_maskz_srli_epi64(all, z, 31));
        _mm512_storeu_si512(words + i, z);
        bits |= uint64_t(_mm512_cmpeq_epi64_mask(_mm512_popcnt_epi64(_mm512_and_si512(z, mask)), want)) << i;
    }
    return bits;
}

// The draws of a SplitMix64 stream, generated 64 at a time. A bitmap marks the buffered draws whose low n
// bits have exactly floor(n/2) set, so that halfWord() finds the next accepted draw without a branch per
// draw. Read through HalfDrawsOf, it hands out the same draws in the same order as HalfDraws on the plain
// stream with halfWord(n, draws), so the halves are those of sheshaSplitMask(). kAvx2: the bitmap is formed
// with AVX2 (the same bitmap); kAvx512: the draws and the bitmap eight lanes at a time.
template <bool kAvx2, bool kAvx512 = false> class BlockWords {
public:
    explicit BlockWords(const SplitMix64& rng) : rng_(rng) {}
    inline __attribute__((always_inline)) uint64_t next() {
        if (pos_ == kBlock) refill();
        accept_ &= ~uint64_t(0) << pos_ << 1; // pos_ < 64
        return buf_[pos_++];
    }
    // The first draw from here on accepted by halfWord() for n <= 64 trials, masked to n bits; the draws
    // before it are skipped.
    inline __attribute__((always_inline)) uint64_t halfWord(uint32_t n) {
        if (n != n_) {
            n_ = n;
            keep_ = n >= 64 ? ~uint64_t(0) : (uint64_t(1) << n) - 1;
            accept_ = pos_ == kBlock ? 0 : acceptBits() & (~uint64_t(0) << pos_);
        }
        while (accept_ == 0) refill();
        const uint32_t j = uint32_t(__builtin_ctzll(accept_));
        accept_ &= accept_ - 1;
        pos_ = j + 1;
        return buf_[j] & keep_;
    }

private:
    static constexpr uint32_t kBlock = 64;
    inline __attribute__((always_inline)) void refill() {
        pos_ = 0;
        if constexpr (kAvx512) {
            accept_ = refillAvx512(rng_.state(), buf_, keep_, int(n_ / 2));
            rng_.skip(kBlock);
            return;
        }
        for (uint32_t i = 0; i < kBlock; ++i) buf_[i] = rng_.next();
        accept_ = acceptBits();
    }
    inline __attribute__((always_inline)) uint64_t acceptBits() const {
        const int k = int(n_ / 2);
        if constexpr (kAvx512) return acceptBitsAvx512(buf_, keep_, k);
        if constexpr (kAvx2) return acceptBitsAvx2(buf_, keep_, k);
        uint64_t bits = 0;
        for (uint32_t i = 0; i < kBlock; ++i)
            bits |= uint64_t(__builtin_popcountll(buf_[i] & keep_) == k) << i;
        return bits;
    }
    SplitMix64 rng_;
    uint64_t buf_[kBlock] = {};
    uint64_t accept_ = 0, keep_ = 0;
    uint32_t pos_ = kBlock, n_ = 0;
};

template <bool kAvx2, bool kAvx512 = false> using BlockDraws = HalfDrawsOf<BlockWords<kAvx2, kAvx512>>;

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

// Slots of up to this many trials have their first half drawn as a bit word.
constexpr uint32_t kWordTrials = 64;

// First half of a slot of n <= 64 trials as a bit word (bit j: trial j): the low n bits of successive whole
// draws until exactly floor(n/2) of them are set. Each draw is uniform over all n-bit words, so the accepted
// word is uniform over the subsets of size floor(n/2).
inline __attribute__((always_inline)) uint64_t halfWord(uint32_t n, HalfDraws& draws) {
    const uint64_t keep = n >= 64 ? ~uint64_t(0) : (uint64_t(1) << n) - 1;
    const int k = int(n / 2);
    uint64_t w = draws.word() & keep;
    while (__builtin_popcountll(w) != k) w = draws.word() & keep;
    return w;
}

void fillMask(const TrialCounts& tc, const SheshaOptions& opt, int index, std::vector<uint8_t>& mask,
              std::vector<uint32_t>& idx) {
    HalfDraws draws(SplitMix64(opt.seed, uint64_t(index)));
    if (opt.mode == SheshaMode::Units) {
        mask.assign(tc.unitCount(), 0);
        const uint32_t k = chooseHalf(uint32_t(tc.unitCount()), opt.split, draws, idx);
        for (uint32_t i = 0; i < k; ++i) mask[idx[i]] = 1;
        return;
    }
    mask.assign(tc.counts.size(), 0);
    for (size_t s = 0; s + 1 < tc.offset.size(); ++s) {
        const uint32_t n = tc.offset[s + 1] - tc.offset[s];
        if (opt.split == SheshaSplit::Random && n <= kWordTrials) {
            for (uint64_t w = halfWord(n, draws); w != 0; w &= w - 1)
                mask[tc.offset[s] + uint32_t(__builtin_ctzll(w))] = 1;
            continue;
        }
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

using MatrixRF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Order-preserving map of a float to an unsigned integer (-0 and +0 map to neighbours; NaN does not occur).
inline uint32_t sortableBits(float f) {
    uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

// Average ranks (1..n, ties share the mean of the ranks they span) of n float values, written to rank[i].
// LSD radix sort of (value bits, index) pairs, one byte per pass; passes where every key has the same byte
// are skipped.
class Ranker {
public:
    void rank(const float* v, size_t n, double* rank) {
        keys_.resize(n);
        tmp_.resize(n);
        uint32_t hist[4][256] = {};
        for (size_t i = 0; i < n; ++i) {
            const uint32_t b = sortableBits(v[i]);
            keys_[i] = (uint64_t(b) << 32) | uint64_t(i);
            for (int p = 0; p < 4; ++p) ++hist[p][(b >> (8 * p)) & 0xFFu];
        }
        for (int p = 0; p < 4; ++p) {
            const int shift = 32 + 8 * p;
            if (hist[p][(keys_[0] >> shift) & 0xFFu] == n) continue;
            uint32_t pos[256];
            uint32_t sum = 0;
            for (int d = 0; d < 256; ++d) {
                pos[d] = sum;
                sum += hist[p][d];
            }
            for (size_t i = 0; i < n; ++i) tmp_[pos[(keys_[i] >> shift) & 0xFFu]++] = keys_[i];
            keys_.swap(tmp_);
        }
        size_t i = 0;
        while (i < n) {
            const uint64_t key = keys_[i] >> 32;
            size_t j = i + 1;
            while (j < n && (keys_[j] >> 32) == key) ++j;
            const double avg = 0.5 * double(i + 1 + j); // mean of ranks i+1 .. j
            for (size_t k = i; k < j; ++k) rank[keys_[k] & 0xFFFFFFFFu] = avg;
            i = j;
        }
    }

private:
    std::vector<uint64_t> keys_, tmp_;
};

// Spearman correlation of two float vectors of length n; NaN when either is constant.
double spearmanOf(const float* a, const float* b, size_t n, Ranker& ranker, std::vector<double>& ra,
                  std::vector<double>& rb) {
    ra.resize(n);
    rb.resize(n);
    ranker.rank(a, n, ra.data());
    ranker.rank(b, n, rb.data());
    // Average ranks always have the mean (n + 1) / 2.
    const double m = 0.5 * double(n + 1);
    double sab = 0, saa = 0, sbb = 0;
    for (size_t i = 0; i < n; ++i) {
        const double x = ra[i] - m, y = rb[i] - m;
        sab += x * y;
        saa += x * x;
        sbb += y * y;
    }
    if (!(saa > 0) || !(sbb > 0)) return std::numeric_limits<double>::quiet_NaN();
    return sab / std::sqrt(saa * sbb);
}

bool sheshaAvx512() {
    static const bool ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt") &&
                           __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                           __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
                           __builtin_cpu_supports("avx512vpopcntdq");
    return ok;
}

// Sum, largest magnitude and sum of squared deviations from `mean` (when `withMean`) of one row, eight
// columns at a time in double precision; then, with `scale`, the row rewritten as (x - mean) * scale.
struct RowMoments {
    double sum = 0, maxAbs = 0, ss = 0;
};
struct RowAcc {
    __m512d sum, ss, mx;
};
__attribute__((target(NR_SHESHA_AVX512), always_inline)) inline void
rowStep(float* p, __mmask8 m, __m512d mu, bool withMean, const double* scale, RowAcc& acc) {
    const __m512d v = _mm512_maskz_cvtps_pd(0xff, _mm256_maskz_loadu_ps(m, p));
    if (scale) {
        const __m512d y = _mm512_mul_pd(_mm512_sub_pd(v, mu), _mm512_set1_pd(*scale));
        _mm256_mask_storeu_ps(p, m, _mm512_maskz_cvtpd_ps(0xff, y));
    } else if (withMean) {
        const __m512d e = _mm512_maskz_sub_pd(m, v, mu);
        acc.ss = _mm512_fmadd_pd(e, e, acc.ss);
    } else {
        acc.sum = _mm512_add_pd(acc.sum, v);
        const __mmask8 all = 0xff; // (zero-masked: GCC 12 warns on the plain max's undefined source)
        acc.mx = _mm512_maskz_max_pd(all, acc.mx,
                                     _mm512_maskz_max_pd(all, v, _mm512_sub_pd(_mm512_setzero_pd(), v)));
    }
}
__attribute__((target(NR_SHESHA_AVX512))) RowMoments rowPass(float* row, size_t U, double mean, bool withMean,
                                                             const double* scale) {
    const size_t full = U & ~size_t(7);
    const __mmask8 tail = __mmask8((1u << (U - full)) - 1);
    const __m512d mu = _mm512_set1_pd(mean);
    RowAcc acc{_mm512_setzero_pd(), _mm512_setzero_pd(), _mm512_setzero_pd()};
    for (size_t u = 0; u < full; u += 8) rowStep(row + u, 0xff, mu, withMean, scale, acc);
    if (tail) rowStep(row + full, tail, mu, withMean, scale, acc);
    RowMoments r;
    double a[8], b[8], c[8];
    _mm512_storeu_pd(a, acc.sum);
    _mm512_storeu_pd(b, acc.mx);
    _mm512_storeu_pd(c, acc.ss);
    for (int l = 0; l < 8; ++l) {
        r.sum += a[l];
        r.maxAbs = std::max(r.maxAbs, b[l]);
        r.ss += c[l];
    }
    return r;
}

// Rows of `x` centred and scaled to unit length, in place (the correlation RDM is 1 - x x^T afterwards).
// A row with the same value in every column is an error naming its condition.
Status normaliseRows(MatrixRF& x, const std::vector<std::string>& conditions, const std::string& file) {
    const Eigen::Index U = x.cols();
    if (sheshaAvx512()) {
        for (Eigen::Index c = 0; c < x.rows(); ++c) {
            float* row = x.row(c).data();
            const RowMoments m = rowPass(row, size_t(U), 0, false, nullptr);
            const double mean = m.sum / double(U);
            const double norm = std::sqrt(rowPass(row, size_t(U), mean, true, nullptr).ss);
            if (!(norm > 1e-12 * (1.0 + m.maxAbs)))
                return Error{
                    file, 0,
                    "condition '" + conditions[size_t(c)] +
                        "' has the same response in every unit; its correlation distance is undefined"};
            const double inv = 1.0 / norm;
            rowPass(row, size_t(U), mean, true, &inv);
        }
        return Status{};
    }
    for (Eigen::Index c = 0; c < x.rows(); ++c) {
        float* row = x.row(c).data();
        double sum = 0, maxAbs = 0;
        for (Eigen::Index u = 0; u < U; ++u) {
            sum += row[u];
            maxAbs = std::max(maxAbs, double(std::fabs(row[u])));
        }
        const double mean = sum / double(U);
        double ss = 0;
        for (Eigen::Index u = 0; u < U; ++u) {
            const double e = row[u] - mean;
            ss += e * e;
        }
        const double norm = std::sqrt(ss);
        if (!(norm > 1e-12 * (1.0 + maxAbs)))
            return Error{file, 0,
                         "condition '" + conditions[size_t(c)] +
                             "' has the same response in every unit; its correlation distance is undefined"};
        const double inv = 1.0 / norm;
        for (Eigen::Index u = 0; u < U; ++u) row[u] = float((row[u] - mean) * inv);
    }
    return Status{};
}

// -x_i . x_j for every pair i < j of the C rows of x (row-major, U columns) into tri (row-major upper
// triangle order): 4 x 4 rows at a time, sixteen columns per step, so that eight loads feed sixteen FMAs.
__attribute__((target(NR_SHESHA_AVX512))) void negatedGramTriangle(const float* x, size_t C, size_t U,
                                                                   float* tri) {
    const size_t full = U & ~size_t(15);
    const __mmask16 tail = __mmask16((1u << (U - full)) - 1);
    for (size_t i0 = 0; i0 < C; i0 += 4)
        for (size_t j0 = i0; j0 < C; j0 += 4) {
            const float *xi[4], *xj[4];
#pragma GCC unroll 4
            for (size_t a = 0; a < 4; ++a) {
                xi[a] = x + std::min(i0 + a, C - 1) * U;
                xj[a] = x + std::min(j0 + a, C - 1) * U;
            }
            __m512 acc[4][4];
#pragma GCC unroll 4
            for (size_t a = 0; a < 4; ++a)
#pragma GCC unroll 4
                for (size_t b = 0; b < 4; ++b) acc[a][b] = _mm512_setzero_ps();
            for (size_t u = 0; u < full; u += 16) {
                __m512 vi[4], vj[4];
#pragma GCC unroll 4
                for (size_t a = 0; a < 4; ++a) {
                    vi[a] = _mm512_loadu_ps(xi[a] + u);
                    vj[a] = _mm512_loadu_ps(xj[a] + u);
                }
#pragma GCC unroll 4
                for (size_t a = 0; a < 4; ++a)
#pragma GCC unroll 4
                    for (size_t b = 0; b < 4; ++b) acc[a][b] = _mm512_fmadd_ps(vi[a], vj[b], acc[a][b]);
            }
            if (tail) {
                __m512 vi[4], vj[4];
#pragma GCC unroll 4
                for (size_t a = 0; a < 4; ++a) {
                    vi[a] = _mm512_maskz_loadu_ps(tail, xi[a] + full);
                    vj[a] = _mm512_maskz_loadu_ps(tail, xj[a] + full);
                }
                for (size_t a = 0; a < 4; ++a)
#pragma GCC unroll 4
                    for (size_t b = 0; b < 4; ++b) acc[a][b] = _mm512_fmadd_ps(vi[a], vj[b], acc[a][b]);
            }
            for (size_t a = 0; a < 4; ++a) {
                const size_t i = i0 + a;
                const size_t rowStart = i * C - i * (i + 1) / 2; // pair (i, i + 1)
#pragma GCC unroll 4
                for (size_t b = 0; b < 4; ++b) {
                    const size_t j = j0 + b;
                    if (i < j && j < C) tri[rowStart + (j - i - 1)] = -sumLanes(acc[a][b]);
                }
            }
        }
}

// Upper triangle (i < j, row-major) of a dissimilarity that orders like the RDM of the half: -r for the
// correlation metric (1 - r orders the same way), the squared distance for the Euclidean metric.
class HalfRdm {
public:
    Status compute(MatrixRF& means, RdmMetric metric, const std::vector<std::string>& conditions,
                   const std::string& file) {
        const Eigen::Index C = means.rows();
        tri_.resize(size_t(C * (C - 1) / 2));
        if (metric == RdmMetric::Correlation) {
            if (means.cols() < 2) return Error{file, 0, "correlation distance needs at least two units"};
            Status st = normaliseRows(means, conditions, file);
            if (st) return st;
            if (sheshaAvx512()) {
                negatedGramTriangle(means.data(), size_t(C), size_t(means.cols()), tri_.data());
                return Status{};
            }
            // Only the lower triangle of the Gram matrix is formed.
            gram_.setZero(C, C);
            gram_.selfadjointView<Eigen::Lower>().rankUpdate(means);
            size_t t = 0;
            for (Eigen::Index i = 0; i < C; ++i)
                for (Eigen::Index j = i + 1; j < C; ++j) tri_[t++] = -gram_(j, i);
            return Status{};
        }
        // Euclidean: distances in double precision from the row means.
        auto d = rdmOfResponses(means.cast<double>(), metric, conditions, file);
        if (!d) return d.error();
        size_t t = 0;
        for (Eigen::Index i = 0; i < C; ++i)
            for (Eigen::Index j = i + 1; j < C; ++j) tri_[t++] = float(d.value()(i, j));
        return Status{};
    }
    const std::vector<float>& triangle() const { return tri_; }

private:
    MatrixRF gram_;
    std::vector<float> tri_;
};

// Sum of x[j] over the set bits j of w.
inline __attribute__((always_inline)) float sumAtBits(const float* x, uint64_t w) {
    float s0 = 0, s1 = 0;
    while (w != 0) {
        s0 += x[__builtin_ctzll(w)];
        w &= w - 1;
        if (w == 0) break;
        s1 += x[__builtin_ctzll(w)];
        w &= w - 1;
    }
    return s0 + s1;
}

// sumAtBits for the n <= 64 entries of x, eight lanes per step. With kMasked each lane is loaded only where
// its bit is set (no entry at or past n is read); without, whole groups of eight are read and the unset lanes
// cleared, which needs n rounded up to a multiple of eight entries readable.
template <bool kMasked>
__attribute__((target("avx2"))) inline float sumAtBitsAvx2(const float* x, uint64_t w, uint32_t n) {
    const __m256i toSign = _mm256_setr_epi32(31, 30, 29, 28, 27, 26, 25, 24);
    __m256 acc = _mm256_setzero_ps();
    for (uint32_t g = 0; g < n; g += 8) {
        const __m256i sel = _mm256_sllv_epi32(_mm256_set1_epi32(int((w >> g) & 0xFFu)), toSign);
        if (kMasked)
            acc = _mm256_add_ps(acc, _mm256_maskload_ps(x + g, sel));
        else
            acc = _mm256_add_ps(
                acc, _mm256_and_ps(_mm256_loadu_ps(x + g), _mm256_castsi256_ps(_mm256_srai_epi32(sel, 31))));
    }
    __m128 h = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
    h = _mm_add_ps(h, _mm_movehl_ps(h, h));
    h = _mm_add_ss(h, _mm_movehdup_ps(h));
    return _mm_cvtss_f32(h);
}

// Inputs and outputs of the half means of one random split (mode=trials).
struct HalfMeansArgs {
    const uint32_t* off;
    const float* counts;
    const uint8_t* counts8;  // the counts as bytes when all are integers 0..255 (else null)
    const int16_t* counts16; // the counts as 16-bit integers when all are integers 0..32767 (else null)
    size_t countsSize;
    const double* slotSum;
    const float* slotSumF;
    size_t slots;
    float* pa;
    float* pb;
};

// A slot of more than 64 trials: partial Fisher-Yates shuffle (chooseHalf's draws) on a copy of its counts.
template <class Draws>
void largeSlotMeans(const HalfMeansArgs& a, size_t s, Draws& draws, std::vector<float>& buf) {
    const uint32_t n = a.off[s + 1] - a.off[s], k = n / 2;
    if (buf.size() < n) buf.resize(n);
    float* v = buf.data();
    std::memcpy(v, a.counts + a.off[s], n * sizeof(float));
    double sa = 0;
    for (uint32_t j = 0; j < k; ++j) {
        // Position j is final after its step and never read again: only position r is rewritten.
        const uint32_t r = j + draws.below(n - j);
        const float t = v[r];
        v[r] = v[j];
        sa += t;
    }
    a.pa[s] = float(sa / k);
    a.pb[s] = float((a.slotSum[s] - sa) / (n - k));
}

// Slots of up to 64 trials take the bit word of halfWord. Totals of small integer counts are exact in single
// precision (otherwise the double totals are rounded); the means feed a single-precision RDM.
void randomHalfMeans(const HalfMeansArgs& a, BlockDraws<false>& draws, std::vector<float>& buf) {
    for (size_t s = 0; s < a.slots; ++s) {
        const uint32_t n = a.off[s + 1] - a.off[s], k = n / 2;
        if (n > kWordTrials) {
            largeSlotMeans(a, s, draws, buf);
            continue;
        }
        const float sa = sumAtBits(a.counts + a.off[s], draws.words().halfWord(n));
        a.pa[s] = sa / float(k);
        a.pb[s] = (a.slotSumF[s] - sa) / float(n - k);
    }
}

// randomHalfMeans with the popcount instruction and AVX2 sums; the same halves and, for counts exact in
// single precision, the same means.
__attribute__((target("avx2,popcnt"))) void
randomHalfMeansAvx2(const HalfMeansArgs& a, BlockDraws<true>& draws, std::vector<float>& buf) {
    for (size_t s = 0; s < a.slots; ++s) {
        const uint32_t n = a.off[s + 1] - a.off[s], k = n / 2;
        if (n > kWordTrials) {
            largeSlotMeans(a, s, draws, buf);
            continue;
        }
        const uint64_t w = draws.words().halfWord(n);
        const float* x = a.counts + a.off[s];
        // Away from the end of the counts the groups of eight past a slot's last trial are readable.
        const float sa =
            a.off[s] + 64 <= a.countsSize ? sumAtBitsAvx2<false>(x, w, n) : sumAtBitsAvx2<true>(x, w, n);
        a.pa[s] = sa / float(k);
        a.pb[s] = (a.slotSumF[s] - sa) / float(n - k);
    }
}

// randomHalfMeansAvx2 with the draws eight lanes at a time, and each half's sum from one masked load of the
// slot's counts (as bytes when they fit: one load and one sum of absolute differences); the same halves and,
// for counts exact in single precision, the same means.
__attribute__((target(NR_SHESHA_AVX512))) void
randomHalfMeansAvx512(const HalfMeansArgs& a, BlockDraws<true, true>& draws, std::vector<float>& buf) {
    for (size_t s = 0; s < a.slots; ++s) {
        const uint32_t n = a.off[s + 1] - a.off[s];
        if (n > kWordTrials) {
            largeSlotMeans(a, s, draws, buf);
            continue;
        }
        const uint64_t w = draws.words().halfWord(n);
        float sa;
        // masked-off lanes are not read, so nothing past the slot is touched
        if (a.counts8) {
            const uint8_t* x = a.counts8 + a.off[s];
            _mm_prefetch(reinterpret_cast<const char*>(x + 1024), _MM_HINT_T0);
            const __m512i v = _mm512_maskz_loadu_epi8(__mmask64(w), x);
            sa = float(sumLanes64(_mm512_sad_epu8(v, _mm512_setzero_si512())));
        } else if (a.counts16) {
            const int16_t* x = a.counts16 + a.off[s];
            _mm_prefetch(reinterpret_cast<const char*>(x + 1024), _MM_HINT_T0);
            const __m512i one = _mm512_set1_epi16(1);
            __m512i v = _mm512_madd_epi16(_mm512_maskz_loadu_epi16(__mmask32(w), x), one);
            if (n > 32)
                v = _mm512_add_epi32(
                    v, _mm512_madd_epi16(_mm512_maskz_loadu_epi16(__mmask32(w >> 32), x + 32), one));
            sa = float(sumLanes32(v));
        } else {
            const float* x = a.counts + a.off[s];
            __m512 acc = _mm512_maskz_loadu_ps(__mmask16(w & 0xFFFFu), x);
            for (uint32_t g = 16; g < n; g += 16)
                acc = _mm512_add_ps(acc, _mm512_maskz_loadu_ps(__mmask16((w >> g) & 0xFFFFu), x + g));
            sa = sumLanes(acc);
        }
        a.pa[s] = sa / float(n / 2);
        a.pb[s] = (a.slotSumF[s] - sa) / float(n - n / 2);
    }
}

// Means of the two halves of every slot for split `index` (mode=trials): row c, column u of `ma` / `mb`. The
// second half's sum is the slot total minus the first half's.
void halfMeans(const TrialCounts& tc, const std::vector<double>& slotSum, const std::vector<float>& slotSumF,
               const std::vector<uint8_t>& counts8, const std::vector<int16_t>& counts16,
               const SheshaOptions& opt, int index, std::vector<float>& buf, MatrixRF& ma, MatrixRF& mb) {
    const size_t C = tc.conditionCount(), U = tc.unitCount();
    ma.resize(Eigen::Index(C), Eigen::Index(U));
    mb.resize(Eigen::Index(C), Eigen::Index(U));
    float* pa = ma.data();
    float* pb = mb.data();
    const uint32_t* off = tc.offset.data();
    const float* counts = tc.counts.data();
    if (opt.split == SheshaSplit::OddEven) {
        for (size_t s = 0; s < C * U; ++s) {
            const uint32_t n = off[s + 1] - off[s], k = (n + 1) / 2;
            const float* x = counts + off[s];
            double sa = 0;
            for (uint32_t j = 0; j < n; j += 2) sa += x[j];
            pa[s] = float(sa / k);
            pb[s] = float((slotSum[s] - sa) / (n - k));
        }
        return;
    }
    static const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
    static const bool avx512 = avx2 && __builtin_cpu_supports("avx512f") &&
                               __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw") &&
                               __builtin_cpu_supports("avx512vpopcntdq");
    const HalfMeansArgs args{off,
                             counts,
                             counts8.empty() ? nullptr : counts8.data(),
                             counts16.empty() ? nullptr : counts16.data(),
                             tc.counts.size(),
                             slotSum.data(),
                             slotSumF.data(),
                             C * U,
                             pa,
                             pb};
    const SplitMix64 rng(opt.seed, uint64_t(index));
    if (avx512) {
        BlockDraws<true, true> draws{BlockWords<true, true>(rng)};
        randomHalfMeansAvx512(args, draws, buf);
    } else if (avx2) {
        BlockDraws<true> draws{BlockWords<true>(rng)};
        randomHalfMeansAvx2(args, draws, buf);
    } else {
        BlockDraws<false> draws{BlockWords<false>(rng)};
        randomHalfMeans(args, draws, buf);
    }
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
    int threads =
        opt.threads > 0 ? opt.threads : int(std::min(8u, std::max(1u, std::thread::hardware_concurrency())));
    threads = std::min(threads, nSplits);

    // Validate before allocating: a condition whose every count is the same (all units, all trials) has a
    // constant response in every half, so the correlation distance is undefined whatever the split.
    if (opt.metric == RdmMetric::Correlation) {
        for (size_t c = 0; c < C; ++c) {
            const uint32_t first = tc.offset[c * U];
            bool same = true;
            for (uint32_t k = first; k < tc.offset[(c + 1) * U] && same; ++k)
                same = tc.counts[k] == tc.counts[first];
            if (same)
                return Error{
                    file, 0,
                    "condition '" + tc.conditions[c] +
                        "' has the same response in every unit; its correlation distance is undefined"};
        }
    }
    // Each worker holds two C x C Gram matrices (double), two RDM triangles and their ranks: about 40 C^2
    // bytes; the counts add 16 bytes per (condition, unit) slot.
    {
        const uint64_t perThread = satMul(satMul(uint64_t(C), uint64_t(C)), 40);
        const uint64_t total = satAdd(satMul(perThread, uint64_t(threads)), satMul(uint64_t(C) * U, 16));
        if (auto e = checkBudget(total,
                                 "Shesha on " + std::to_string(C) + " conditions with " +
                                     std::to_string(threads) + " threads",
                                 "use fewer conditions (memory grows with their square) or threads=1", file))
            return *e;
    }

    // Shared precomputation for the mean-based metrics.
    const bool meanBased = opt.metric != RdmMetric::Crossnobis;
    std::vector<double> slotSum(C * U, 0.0);
    for (size_t s = 0; s < C * U; ++s)
        for (uint32_t k = tc.offset[s]; k < tc.offset[s + 1]; ++k) slotSum[s] += tc.counts[k];
    const std::vector<float> slotSumF(slotSum.begin(), slotSum.end());
    // Counts that are all whole numbers are also kept as bytes (0..255) or 16-bit integers (0..32767): a
    // quarter or a half of the memory read per split.
    std::vector<uint8_t> counts8;
    std::vector<int16_t> counts16;
    if (opt.mode == SheshaMode::Trials && meanBased) {
        float most = 0;
        bool whole = true;
        for (float v : tc.counts) {
            whole = whole && v >= 0.0f && v == std::floor(v);
            most = std::max(most, v);
        }
        if (whole && most <= 255.0f)
            for (float v : tc.counts) counts8.push_back(uint8_t(v));
        else if (whole && most <= 32767.0f)
            for (float v : tc.counts) counts16.push_back(int16_t(v));
    }
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
        std::vector<float> buf;
        std::vector<double> ra, rb;
        MatrixRF ma, mb;
        HalfRdm rdmA, rdmB;
        Ranker ranker;
        for (int i = next++; i < nSplits && !stop; i = next++) {
            Result<double> r = 0.0;
            if (opt.mode == SheshaMode::Trials && meanBased) {
                halfMeans(tc, slotSum, slotSumF, counts8, counts16, opt, i, buf, ma, mb);
                Status st = rdmA.compute(ma, opt.metric, tc.conditions, file);
                if (!st) st = rdmB.compute(mb, opt.metric, tc.conditions, file);
                if (st) {
                    r = *st;
                } else {
                    const double v = spearmanOf(rdmA.triangle().data(), rdmB.triangle().data(),
                                                rdmA.triangle().size(), ranker, ra, rb);
                    if (std::isfinite(v))
                        r = v;
                    else
                        r = Error{file, 0,
                                  "the RDM of one half is constant; Spearman correlation is undefined"};
                }
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
