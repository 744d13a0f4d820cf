#include "traces/PearsonTiles.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <memory>
#include <numeric>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define NR_TILES_X86 1
#endif

namespace nr::detail {

#ifndef NR_TILES_X86

bool pearsonTilesAvailable() {
    return false;
}
void windowedPearsonTiles(const double*, const double*, size_t, size_t, size_t, size_t, size_t, size_t,
                          double*) {}

#else

namespace {

constexpr size_t kRows = 8, kCols = 16, kTile = kRows * kCols;

// 64-byte aligned, uninitialised doubles.
struct AlignedDoubles {
    struct Free {
        void operator()(double* p) const { std::free(p); }
    };
    std::unique_ptr<double[], Free> p;
    explicit AlignedDoubles(size_t count)
        : p(static_cast<double*>(
              std::aligned_alloc(64, std::max<size_t>(64, (count * 8 + 63) & ~size_t(63))))) {}
    double* get() const { return p.get(); }
};

// The tiles on or above the diagonal of an n x n matrix: 8-row panels starting at i0 < n, 16-column panels
// from the one holding the diagonal (i0 rounded down to 16) up to n. Stored one after the other, 8 x 16
// row-major each.
struct Tiles {
    std::vector<uint32_t> i0, j0;
    size_t doubles() const { return i0.size() * kTile; }
};
Tiles upperTiles(size_t n) {
    Tiles t;
    for (size_t i0 = 0; i0 < n; i0 += kRows)
        for (size_t j0 = i0 & ~(kCols - 1); j0 < n; j0 += kCols) {
            t.i0.push_back(uint32_t(i0));
            t.j0.push_back(uint32_t(j0));
        }
    return t;
}

// What a block's product does to the packed ring slot G and the running sums S.
enum class Update {
    Store, // G = product (S is summed afresh from the ring afterwards)
    Slide, // S += product - G, then G = product
    Set,   // r straight from the product (the block is the whole window); S is not used
};

// Where and how a window's r values are written.
struct OutArgs {
    double* out = nullptr;             // the window's n(n-1)/2 values
    const ptrdiff_t* rowOff = nullptr; // out + rowOff[i] + j is pair (i, j)
    const double* s = nullptr;         // the window's row sums (np entries)
    const double* inv = nullptr;       // 1 / sqrt of the centred sums of squares (NaN: constant row)
    double invW = 0;                   // 1 / samples in the window
    size_t n = 0;
    double* stage = nullptr; // 8 rows of r (row a of the panel at stage + a * stride), 64-byte aligned
    size_t stride = 0;
};

// r of the tile at (i0, j0) from its sums `sv`: clamp((S_ij - s_i s_j / w) inv_i inv_j, -1, 1) (NaN passes
// through), into the staging rows of the panel (flushPanel writes the pairs i < j < n to the output).
__attribute__((target("avx512f"), always_inline)) inline void storeR(const __m512d (&sv)[kRows][2], size_t i0,
                                                                     size_t j0, const OutArgs& o) {
    const __m512d sj0 = _mm512_loadu_pd(o.s + j0), sj1 = _mm512_loadu_pd(o.s + j0 + 8);
    const __m512d vj0 = _mm512_loadu_pd(o.inv + j0), vj1 = _mm512_loadu_pd(o.inv + j0 + 8);
    const __m512d lo = _mm512_set1_pd(-1.0), hi = _mm512_set1_pd(1.0);
#pragma GCC unroll 8
    for (size_t a = 0; a < kRows; ++a) {
        const size_t i = i0 + a;
        if (i + 1 >= o.n) break;
        if (j0 + kCols <= i + 1) continue; // the whole tile row is on or below the diagonal
        const __m512d si = _mm512_set1_pd(o.s[i] * o.invW), ii = _mm512_set1_pd(o.inv[i]);
        __m512d r0 = _mm512_mul_pd(_mm512_mul_pd(_mm512_fnmadd_pd(si, sj0, sv[a][0]), ii), vj0);
        __m512d r1 = _mm512_mul_pd(_mm512_mul_pd(_mm512_fnmadd_pd(si, sj1, sv[a][1]), ii), vj1);
        // max/min return their second operand when either is NaN, so a NaN r passes through
        r0 = _mm512_mask_max_pd(r0, __mmask8(0xff), lo, r0);
        r0 = _mm512_mask_min_pd(r0, __mmask8(0xff), hi, r0);
        r1 = _mm512_mask_max_pd(r1, __mmask8(0xff), lo, r1);
        r1 = _mm512_mask_min_pd(r1, __mmask8(0xff), hi, r1);
        double* row = o.stage + a * o.stride + j0;
        _mm512_store_pd(row, r0);
        _mm512_store_pd(row + 8, r1);
    }
}

// The panel of rows i0..i0+7 of r, complete in the staging rows, into the output: each row's pairs (i, j > i)
// are contiguous there, written with streaming stores (the output is not read again here, so it need not
// take cache space or be read before it is written).
__attribute__((target("avx512f"))) void flushPanel(size_t i0, const OutArgs& o) {
    for (size_t a = 0; a < kRows; ++a) {
        const size_t i = i0 + a;
        if (i + 1 >= o.n) break;
        const double* src = o.stage + a * o.stride + (i + 1);
        double* dst = o.out + (o.rowOff[i] + ptrdiff_t(i + 1));
        size_t len = o.n - i - 1;
        // up to the first 64-byte boundary, then whole cache lines, then the rest
        const size_t head = std::min(len, ((64 - (reinterpret_cast<uintptr_t>(dst) & 63)) & 63) / 8);
        for (size_t k = 0; k < head; ++k) dst[k] = src[k];
        src += head;
        dst += head;
        len -= head;
        size_t k = 0;
        for (; k + 8 <= len; k += 8) _mm512_stream_pd(dst + k, _mm512_loadu_pd(src + k));
        for (; k < len; ++k) dst[k] = src[k];
    }
}

// The product Y^T Y of a block (Y: b x np, time-major, centred) tile by tile; each tile updates G and S as
// `mode` says and, with `o`, writes its r values from the updated sums.
__attribute__((target("avx512f"))) void blockTiles(const double* Y, size_t b, size_t np, const Tiles& tiles,
                                                   double* G, double* S, Update mode, const OutArgs* o) {
    const size_t count = tiles.i0.size();
    for (size_t k = 0; k < count; ++k) {
        const size_t i0 = tiles.i0[k], j0 = tiles.j0[k];
        double* g = G ? G + k * kTile : nullptr;
        double* sp = S + k * kTile;
        if (k + 1 < count) {
            // the next tile's sums and ring entries are read after this tile's products
            for (size_t l = 0; l < kTile; l += 8) {
                if (mode != Update::Set)
                    _mm_prefetch(reinterpret_cast<const char*>(sp + kTile + l), _MM_HINT_T0);
                if (mode == Update::Slide)
                    _mm_prefetch(reinterpret_cast<const char*>(g + kTile + l), _MM_HINT_T0);
            }
        }
        __m512d c[kRows][2];
#pragma GCC unroll 8
        for (size_t a = 0; a < kRows; ++a) c[a][0] = c[a][1] = _mm512_setzero_pd();
        const double* y = Y;
        for (size_t t = 0; t < b; ++t, y += np) {
            const __m512d y0 = _mm512_loadu_pd(y + j0), y1 = _mm512_loadu_pd(y + j0 + 8);
#pragma GCC unroll 8
            for (size_t a = 0; a < kRows; ++a) {
                const __m512d v = _mm512_set1_pd(y[i0 + a]);
                c[a][0] = _mm512_fmadd_pd(v, y0, c[a][0]);
                c[a][1] = _mm512_fmadd_pd(v, y1, c[a][1]);
            }
        }
#pragma GCC unroll 8
        for (size_t a = 0; a < kRows; ++a)
            for (size_t h = 0; h < 2; ++h) {
                const size_t at = a * kCols + h * 8;
                switch (mode) {
                case Update::Store:
                    _mm512_store_pd(g + at, c[a][h]);
                    break;
                case Update::Slide: {
                    const __m512d s = _mm512_add_pd(_mm512_load_pd(sp + at),
                                                    _mm512_sub_pd(c[a][h], _mm512_load_pd(g + at)));
                    _mm512_store_pd(g + at, c[a][h]);
                    _mm512_store_pd(sp + at, s);
                    c[a][h] = s;
                    break;
                }
                case Update::Set:
                    break;
                }
            }
        if (o) {
            storeR(c, i0, j0, *o);
            if (k + 1 == count || tiles.i0[k + 1] != i0) flushPanel(i0, *o);
        }
    }
}

// r of every tile from the packed sums S.
__attribute__((target("avx512f"))) void outputTiles(const double* S, const Tiles& tiles, const OutArgs& o) {
    for (size_t k = 0; k < tiles.i0.size(); ++k) {
        __m512d c[kRows][2];
        const double* sp = S + k * kTile;
#pragma GCC unroll 8
        for (size_t a = 0; a < kRows; ++a) {
            c[a][0] = _mm512_load_pd(sp + a * kCols);
            c[a][1] = _mm512_load_pd(sp + a * kCols + 8);
        }
        storeR(c, tiles.i0[k], tiles.j0[k], o);
        if (k + 1 == tiles.i0.size() || tiles.i0[k + 1] != tiles.i0[k]) flushPanel(tiles.i0[k], o);
    }
}

// Samples [start, start + len) of the n rows of `data` (n x T, row-major), centred by `mean` (np entries, 0
// past n), into Y (len x np, time-major; columns n..np-1 get 0), with each row's sum `rs` and sum of squares
// `rd`. Eight rows by eight samples are loaded and transposed in registers. The block at `prefetch` (same
// length) is requested into the cache for the next call.
__attribute__((target("avx512f"))) void loadBlock(const double* data, const double* mean, size_t n, size_t T,
                                                  size_t np, size_t start, size_t len, size_t prefetch,
                                                  double* Y, double* rs, double* rd) {
    const __m512i lo2 = _mm512_setr_epi64(0, 1, 8, 9, 4, 5, 12, 13),
                  hi2 = _mm512_setr_epi64(2, 3, 10, 11, 6, 7, 14, 15);
    const __m512i lo4 = _mm512_setr_epi64(0, 1, 2, 3, 8, 9, 10, 11),
                  hi4 = _mm512_setr_epi64(4, 5, 6, 7, 12, 13, 14, 15);
    const size_t full = len & ~size_t(7);
    for (size_t i0 = 0; i0 < n; i0 += 8) {
        const size_t rows = std::min<size_t>(8, n - i0);
        const double* src[8];
        for (size_t a = 0; a < 8; ++a) src[a] = data + (i0 + std::min(a, rows - 1)) * T + start;
        for (size_t a = 0; a < rows; ++a)
            for (size_t k = 0; k < len; k += 8)
                _mm_prefetch(reinterpret_cast<const char*>(data + (i0 + a) * T + prefetch + k), _MM_HINT_T0);
        const __m512d mu = _mm512_loadu_pd(mean + i0);
        const __mmask8 valid = __mmask8((1u << rows) - 1);
        __m512d accS = _mm512_setzero_pd(), accD = _mm512_setzero_pd();
        for (size_t k = 0; k < full; k += 8) {
            __m512d r[8];
#pragma GCC unroll 8
            for (size_t a = 0; a < 8; ++a) r[a] = _mm512_loadu_pd(src[a] + k);
            __m512d t[8], u[8], c[8];
            // (the zero-masked forms with every lane kept: GCC 12 warns on the plain ones' undefined source)
            const __mmask8 all = 0xff;
#pragma GCC unroll 4
            for (size_t a = 0; a < 8; a += 2) {
                t[a] = _mm512_maskz_unpacklo_pd(all, r[a], r[a + 1]);
                t[a + 1] = _mm512_maskz_unpackhi_pd(all, r[a], r[a + 1]);
            }
            // u[0..3]: rows 0-3 at samples (0,4), (1,5), (2,6), (3,7); u[4..7]: the same for rows 4-7
#pragma GCC unroll 2
            for (size_t h = 0; h < 8; h += 4) {
                u[h] = _mm512_permutex2var_pd(t[h], lo2, t[h + 2]);
                u[h + 1] = _mm512_permutex2var_pd(t[h + 1], lo2, t[h + 3]);
                u[h + 2] = _mm512_permutex2var_pd(t[h], hi2, t[h + 2]);
                u[h + 3] = _mm512_permutex2var_pd(t[h + 1], hi2, t[h + 3]);
            }
#pragma GCC unroll 4
            for (size_t e = 0; e < 4; ++e) {
                c[e] = _mm512_permutex2var_pd(u[e], lo4, u[e + 4]);
                c[e + 4] = _mm512_permutex2var_pd(u[e], hi4, u[e + 4]);
            }
#pragma GCC unroll 8
            for (size_t e = 0; e < 8; ++e) {
                const __m512d y = _mm512_maskz_sub_pd(valid, c[e], mu);
                _mm512_store_pd(Y + (k + e) * np + i0, y);
                accS = _mm512_add_pd(accS, y);
                accD = _mm512_fmadd_pd(y, y, accD);
            }
        }
        double ss[8], sd[8];
        _mm512_storeu_pd(ss, accS);
        _mm512_storeu_pd(sd, accD);
        for (size_t a = 0; a < rows; ++a) {
            const size_t i = i0 + a;
            for (size_t k = full; k < len; ++k) {
                const double v = data[i * T + start + k] - mean[i];
                Y[k * np + i] = v;
                ss[a] += v;
                sd[a] += v * v;
            }
            rs[i] = ss[a];
            rd[i] = sd[a];
        }
    }
}

} // namespace

bool pearsonTilesAvailable() {
    static const bool ok = __builtin_cpu_supports("avx512f");
    return ok;
}

void windowedPearsonTiles(const double* data, const double* mean, size_t n, size_t T, size_t window,
                          size_t step, size_t w0, size_t w1, double* out) {
    const size_t np = (n + kCols - 1) & ~(kCols - 1);
    const size_t P = n * (n - 1) / 2;
    size_t g = std::gcd(window, step);
    size_t m = window / g;
    if (m > 64) { // blocks too small to pay off: one product per window
        g = window;
        m = 1;
    }
    const size_t q = step / g; // blocks per step (at least 1 when m > 1)
    const Tiles tiles = upperTiles(n);
    const size_t td = tiles.doubles();
    const double invW = 1.0 / double(window);
    constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

    // Y: one block, time-major and centred; columns n..np-1 stay 0 so that every tile reads zeros there.
    const size_t yLen = m == 1 ? window : g;
    AlignedDoubles Y(yLen * np);
    std::fill(Y.get(), Y.get() + yLen * np, 0.0);
    AlignedDoubles S(td);
    AlignedDoubles ring(m > 1 ? m * td : 1);
    std::vector<double> s(np, 0.0), d(np, 0.0), inv(np, kNaN), bs(np, 0.0), bd(np, 0.0);
    std::vector<double> ringS(m * np, 0.0), ringD(m * np, 0.0);
    std::vector<long long> ringBlock(m, -1);
    std::vector<ptrdiff_t> rowOff(n);
    for (size_t i = 0; i < n; ++i) rowOff[i] = ptrdiff_t(i * n - i * (i + 1) / 2) - ptrdiff_t(i + 1);

    std::vector<double> meanP(np, 0.0);
    std::copy(mean, mean + n, meanP.begin());
    auto load = [&](size_t start, size_t len, double* rs, double* rd) {
        const size_t next = start + len;
        loadBlock(data, meanP.data(), n, T, np, start, len, next + len <= T ? next : start, Y.get(), rs, rd);
    };
    auto inverse = [&]() {
        for (size_t i = 0; i < n; ++i) {
            const double v = d[i] - s[i] * s[i] * invW;
            inv[i] = v > 0 ? 1.0 / std::sqrt(v) : kNaN;
        }
    };
    OutArgs o;
    o.rowOff = rowOff.data();
    o.s = s.data();
    o.inv = inv.data();
    o.invW = invW;
    o.n = n;
    AlignedDoubles stage(kRows * np);
    o.stage = stage.get();
    o.stride = np;

    size_t sinceRefresh = 0;
    for (size_t w = w0; w < w1; ++w) {
        o.out = out + w * P;
        if (m == 1) {
            load(w * step, window, s.data(), d.data());
            inverse();
            blockTiles(Y.get(), window, np, tiles, nullptr, S.get(), Update::Set, &o);
            continue;
        }
        // S, s and d follow the window: the entering block's products are added and the leaving block's
        // subtracted; at the start and every 64 windows they are summed afresh from the ring so that rounding
        // cannot drift.
        const size_t firstBlock = w * q;
        const bool full = w == w0 || ++sinceRefresh >= 64;
        if (full) sinceRefresh = 0;
        for (size_t blk = firstBlock; blk < firstBlock + m; ++blk) {
            const size_t slot = blk % m;
            if (ringBlock[slot] == (long long)blk) continue;
            double* G = ring.get() + slot * td;
            double* rs = ringS.data() + slot * np;
            double* rd = ringD.data() + slot * np;
            if (full) {
                load(blk * g, g, rs, rd);
                blockTiles(Y.get(), g, np, tiles, G, S.get(), Update::Store, nullptr);
            } else {
                load(blk * g, g, bs.data(), bd.data());
                for (size_t i = 0; i < n; ++i) {
                    s[i] += bs[i] - rs[i];
                    d[i] += bd[i] - rd[i];
                    rs[i] = bs[i];
                    rd[i] = bd[i];
                }
                // the newest block is always entering: the window is complete after it
                const bool last = blk + 1 == firstBlock + m;
                if (last) inverse();
                blockTiles(Y.get(), g, np, tiles, G, S.get(), Update::Slide, last ? &o : nullptr);
            }
            ringBlock[slot] = (long long)blk;
        }
        if (full) {
            double* Sp = S.get();
            std::copy(ring.get(), ring.get() + td, Sp);
            for (size_t slot = 1; slot < m; ++slot) {
                const double* G = ring.get() + slot * td;
                for (size_t k = 0; k < td; ++k) Sp[k] += G[k];
            }
            std::fill(s.begin(), s.end(), 0.0);
            std::fill(d.begin(), d.end(), 0.0);
            for (size_t slot = 0; slot < m; ++slot)
                for (size_t i = 0; i < n; ++i) {
                    s[i] += ringS[slot * np + i];
                    d[i] += ringD[slot * np + i];
                }
            inverse();
            outputTiles(Sp, tiles, o);
        }
    }
    _mm_sfence(); // the streaming stores are complete before the caller reads the output
}

#endif

} // namespace nr::detail
