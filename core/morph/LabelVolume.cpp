#include "morph/LabelVolume.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <sstream>
#include <thread>
#include <unistd.h>
#include <unordered_map>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "io/MemoryBudget.h"
#include "morph/VolumeSource.h"

namespace nr {

uint64_t volumeMemoryLimit() {
    return memoryBudgetBytes(); // io/MemoryBudget.h: half the memory, or NR_MEMORY_LIMIT_MIB
}

uint64_t memoryLimitFor(const OpenOptions& opt) {
    const std::string s = opt.option("max_bytes");
    if (!s.empty()) {
        const double v = std::strtod(s.c_str(), nullptr);
        if (v > 0) return uint64_t(v);
    }
    return volumeMemoryLimit();
}

std::string humanBytes(double b) {
    const char* u[] = {"bytes", "KB", "MB", "GB", "TB", "PB", "EB"};
    int k = 0;
    while (b >= 1000 && k < 6) b /= 1000, ++k;
    std::ostringstream s;
    s.precision(k ? 3 : 0);
    s << std::fixed << b << " " << u[k];
    std::string r = s.str();
    return r;
}

uint64_t LabelVolume::label(size_t z, size_t y, size_t x) const {
    if (labelData.empty()) return 0; // all background (nothing was stored)
    const size_t i = (z * ny + y) * nx + x;
    switch (bytesPerVoxel) {
    case 1:
        return labelData[i];
    case 2: {
        uint16_t v;
        std::memcpy(&v, &labelData[i * 2], 2);
        return v;
    }
    case 4: {
        uint32_t v;
        std::memcpy(&v, &labelData[i * 4], 4);
        return v;
    }
    default: {
        uint64_t v;
        std::memcpy(&v, &labelData[i * 8], 8);
        return v;
    }
    }
}

std::string LabelVolume::shapeString() const {
    return std::to_string(nz) + "x" + std::to_string(ny) + "x" + std::to_string(nx);
}

namespace {

template <class T> void maskFromMap(const LabelVolume& v, const LabelInstance& in, InstanceMask& m) {
    const T* d = reinterpret_cast<const T*>(v.labelData.data());
    const T want = T(in.label);
    for (int64_t z = in.lo[0]; z <= in.hi[0]; ++z)
        for (int64_t y = in.lo[1]; y <= in.hi[1]; ++y) {
            const T* row = d + (size_t(z) * v.ny + size_t(y)) * v.nx;
            uint8_t* out = &m.mask[size_t(((z - m.origin[0]) * m.dims[1] + (y - m.origin[1])) * m.dims[2] -
                                          m.origin[2])];
            int64_t x = in.lo[2];
#ifdef __SSE2__
            if constexpr (sizeof(T) == 2) { // 16 voxels at a time
                const __m128i w = _mm_set1_epi16(short(want)), one = _mm_set1_epi8(1);
                for (; x + 16 <= in.hi[2] + 1; x += 16) {
                    const __m128i a =
                        _mm_cmpeq_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(row + x)), w);
                    const __m128i b =
                        _mm_cmpeq_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(row + x + 8)), w);
                    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + x),
                                     _mm_and_si128(_mm_packs_epi16(a, b), one));
                }
            }
#endif
            for (; x <= in.hi[2]; ++x) out[x] = row[x] == want;
        }
}

} // namespace

InstanceMask LabelVolume::instanceMask(size_t i, int pad) const {
    InstanceMask m;
    instanceMask(i, pad, m);
    return m;
}

void LabelVolume::instanceMask(size_t i, int pad, InstanceMask& m) const {
    m.mask.clear();
    for (int k = 0; k < 3; ++k) m.origin[k] = m.dims[k] = 0;
    if (i >= instances.size()) return;
    const LabelInstance& in = instances[i];
    if (in.voxels == 0) return;
    for (int k = 0; k < 3; ++k) {
        m.origin[k] = in.lo[k] - pad;
        m.dims[k] = in.hi[k] - in.lo[k] + 1 + 2 * pad;
    }
    m.mask.assign(size_t(m.dims[0] * m.dims[1] * m.dims[2]), 0);
    if (perChannel) {
        const size_t plane = ny * nx;
        for (uint64_t lin : instanceVoxels[i]) {
            const int64_t z = int64_t(lin / plane), y = int64_t((lin % plane) / nx), x = int64_t(lin % nx);
            m.mask[size_t(((z - m.origin[0]) * m.dims[1] + (y - m.origin[1])) * m.dims[2] +
                          (x - m.origin[2]))] = 1;
        }
    } else {
        switch (bytesPerVoxel) {
        case 1:
            maskFromMap<uint8_t>(*this, in, m);
            break;
        case 2:
            maskFromMap<uint16_t>(*this, in, m);
            break;
        case 4:
            maskFromMap<uint32_t>(*this, in, m);
            break;
        default:
            maskFromMap<uint64_t>(*this, in, m);
            break;
        }
    }
}

// ---- builder ---------------------------------------------------------------------------------------------
namespace {

inline uint64_t loadLE(const uint8_t* p, int bytes, bool isSigned, bool& negative) {
    switch (bytes) {
    case 1: {
        if (isSigned && int8_t(p[0]) < 0) negative = true;
        return p[0];
    }
    case 2: {
        uint16_t v;
        std::memcpy(&v, p, 2);
        if (isSigned && int16_t(v) < 0) negative = true;
        return v;
    }
    case 4: {
        uint32_t v;
        std::memcpy(&v, p, 4);
        if (isSigned && int32_t(v) < 0) negative = true;
        return v;
    }
    default: {
        uint64_t v;
        std::memcpy(&v, p, 8);
        if (isSigned && int64_t(v) < 0) negative = true;
        return v;
    }
    }
}

// Calls f(j, value) for every nonzero element of a run of n values; skips zero words fast.
template <class F>
void forEachNonzero(const uint8_t* p, size_t n, int bytes, bool isSigned, bool& neg, F&& f) {
    const size_t nb = n * size_t(bytes);
    size_t b = 0;
    while (b < nb) {
        if (b + 8 <= nb) {
            uint64_t w;
            std::memcpy(&w, p + b, 8);
            if (w == 0) {
                b += 8;
                continue;
            }
        }
        // inspect the elements of this word one by one
        const size_t stop = std::min(nb, b + 8);
        for (size_t e = b / size_t(bytes) * size_t(bytes); e < stop; e += size_t(bytes)) {
            const uint64_t v = loadLE(p + e, bytes, isSigned, neg);
            if (v) f(e / size_t(bytes), v);
        }
        b = (stop + size_t(bytes) - 1) / size_t(bytes) * size_t(bytes);
    }
}

int bytesFor(uint64_t v) {
    return v <= 0xFF ? 1 : v <= 0xFFFF ? 2 : v <= 0xFFFFFFFFull ? 4 : 8;
}

template <class T> void storeRun(uint8_t* dst, const uint8_t* src, size_t n, int srcBytes) {
    T* d = reinterpret_cast<T*>(dst);
    bool neg = false;
    for (size_t j = 0; j < n; ++j) d[j] = T(loadLE(src + j * size_t(srcBytes), srcBytes, false, neg));
}

template <class From, class To>
void widenData(const std::vector<uint8_t>& a, std::vector<uint8_t>& b, size_t n) {
    const From* s = reinterpret_cast<const From*>(a.data());
    To* d = reinterpret_cast<To*>(b.data());
    for (size_t i = 0; i < n; ++i) d[i] = To(s[i]);
}

void widen(std::vector<uint8_t>& data, int& bpv, int to, size_t n) {
    std::vector<uint8_t> w(n * size_t(to));
    auto go = [&](auto from) {
        using F = decltype(from);
        switch (to) {
        case 2:
            widenData<F, uint16_t>(data, w, n);
            break;
        case 4:
            widenData<F, uint32_t>(data, w, n);
            break;
        default:
            widenData<F, uint64_t>(data, w, n);
            break;
        }
    };
    switch (bpv) {
    case 1:
        go(uint8_t());
        break;
    case 2:
        go(uint16_t());
        break;
    default:
        go(uint32_t());
        break;
    }
    data.swap(w);
    bpv = to;
}

template <class T> void labelMapStats(LabelVolume& v, uint64_t maxLabel) {
    const T* d = reinterpret_cast<const T*>(v.labelData.data());
    struct Acc {
        uint64_t n = 0;
        int64_t lo[3], hi[3];
    };
    const bool dense = maxLabel < (uint64_t(1) << 24);
    std::vector<Acc> acc(dense ? size_t(maxLabel) + 1 : 0);
    std::unordered_map<uint64_t, Acc> sparse;
    for (size_t z = 0; z < v.nz; ++z)
        for (size_t y = 0; y < v.ny; ++y) {
            const T* row = d + (z * v.ny + y) * v.nx;
            size_t x = 0;
            while (x < v.nx) {
                const T l = row[x];
                size_t e = x + 1;
                while (e < v.nx && row[e] == l) ++e;
                if (l) {
                    Acc& a = dense ? acc[size_t(l)] : sparse[uint64_t(l)];
                    const int64_t p0[3] = {int64_t(z), int64_t(y), int64_t(x)};
                    const int64_t p1[3] = {int64_t(z), int64_t(y), int64_t(e - 1)};
                    if (a.n == 0)
                        for (int k = 0; k < 3; ++k) a.lo[k] = p0[k], a.hi[k] = p1[k];
                    for (int k = 0; k < 3; ++k) {
                        a.lo[k] = std::min(a.lo[k], p0[k]);
                        a.hi[k] = std::max(a.hi[k], p1[k]);
                    }
                    a.n += e - x;
                }
                x = e;
            }
        }
    auto add = [&](uint64_t l, const Acc& a) {
        LabelInstance in;
        in.label = l;
        in.voxels = a.n;
        for (int k = 0; k < 3; ++k) in.lo[k] = a.lo[k], in.hi[k] = a.hi[k];
        v.instances.push_back(in);
        v.foregroundVoxels += a.n;
    };
    if (dense) {
        for (size_t l = 1; l < acc.size(); ++l)
            if (acc[l].n) add(l, acc[l]);
    } else {
        for (auto& kv : sparse) add(kv.first, kv.second);
        std::sort(v.instances.begin(), v.instances.end(),
                  [](const LabelInstance& a, const LabelInstance& b) { return a.label < b.label; });
    }
}

} // namespace

Result<LabelVolume> buildLabelVolume(ArraySource& src, const OpenOptions& opt) {
    const size_t nd = src.shape.size();
    if (nd < 2 || nd > 4)
        return Error{src.file, 0,
                     (src.array.empty() ? "" : src.array + ": ") + std::to_string(nd) +
                         "-D array: a label volume is 3-D (z, y, x) or 4-D with one channel per instance"};
    if (src.chunk.size() != nd) return Error{src.file, 0, "chunk shape has the wrong number of dimensions"};
    for (size_t d = 0; d < nd; ++d) {
        if (src.chunk[d] == 0) return Error{src.file, 0, "chunk dimension " + std::to_string(d) + " is 0"};
        if (src.shape[d] == 0) return Error{src.file, 0, "array dimension " + std::to_string(d) + " is 0"};
    }
    // Normalise to 4 dims with roles 0=c, 1=z, 2=y, 3=x.
    uint64_t shp[4] = {1, 1, 1, 1}, chk[4] = {1, 1, 1, 1};
    int role[4] = {0, 1, 2, 3};
    const size_t off = 4 - nd;
    for (size_t d = 0; d < nd; ++d) shp[off + d] = src.shape[d], chk[off + d] = src.chunk[d];
    if (nd == 4) {
        int cax = shp[0] <= shp[3] ? 0 : 3;
        const std::string ca = opt.option("channel_axis");
        if (!ca.empty()) {
            cax = std::atoi(ca.c_str());
            if (cax < 0 || cax > 3) return Error{src.file, 0, "channel_axis must be 0..3"};
        }
        int r = 1;
        for (int d = 0; d < 4; ++d) role[d] = d == cax ? 0 : r++;
    }
    uint64_t dimOf[4]; // size per role
    for (int d = 0; d < 4; ++d) dimOf[role[d]] = shp[d];
    const uint64_t C = dimOf[0], Z = dimOf[1], Y = dimOf[2], X = dimOf[3];
    const bool perChannel = nd == 4 && C > 1;

    LabelVolume v;
    v.file = src.file;
    v.array = src.array;
    v.fileShape = src.shape;
    v.nz = size_t(Z), v.ny = size_t(Y), v.nx = size_t(X);
    v.perChannel = perChannel;
    v.warnings = src.warnings;
    if (src.axes.size() == nd)
        v.axes = src.axes;
    else {
        const char names[4] = {'c', 'z', 'y', 'x'};
        for (size_t d = 0; d < nd; ++d) v.axes += names[role[off + d]];
    }
    for (int k = 0; k < 3; ++k) v.voxelSize[k] = src.voxelSize[k], v.origin[k] = src.origin[k];
    v.unit = src.unit;
    {
        const std::string vs = opt.option("voxel_size");
        if (!vs.empty()) {
            double a[3];
            int n = std::sscanf(vs.c_str(), "%lf,%lf,%lf", &a[0], &a[1], &a[2]);
            if (n == 1) a[1] = a[2] = a[0];
            if ((n != 1 && n != 3) || !(a[0] > 0 && a[1] > 0 && a[2] > 0))
                return Error{src.file, 0, "voxel_size '" + vs + "': expected one size or z,y,x, all > 0"};
            for (int k = 0; k < 3; ++k) v.voxelSize[k] = a[k];
        }
        const std::string u = opt.option("unit");
        if (!u.empty()) v.unit = u;
    }

    if (src.allFill) {
        v.warnings.push_back(src.file + (src.array.empty() ? "" : ":" + src.array) +
                             ": no data was ever written (every voxel is the fill value 0): no instances");
        return v;
    }

    // Memory estimate before allocating anything.
    const double voxels = double(Z) * double(Y) * double(X);
    uint64_t chunkVals = 1;
    double chunkValsD = 1;
    for (int d = 0; d < 4; ++d) chunkVals *= chk[d], chunkValsD *= double(chk[d]);
    const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
    uint64_t grid[4], nChunks = 1;
    double nChunksD = 1;
    for (int d = 0; d < 4; ++d) {
        grid[d] = (shp[d] + chk[d] - 1) / chk[d];
        nChunks *= grid[d];
        nChunksD *= double(grid[d]);
    }
    const unsigned nthreads = src.threadSafe ? unsigned(std::min<double>(hw, nChunksD)) : 1u;
    const double perThread = chunkValsD * src.dtypeBytes * 2;
    const double estimate =
        (perChannel ? voxels * double(C) : voxels * src.dtypeBytes) + perThread * nthreads;
    const uint64_t limit = memoryLimitFor(opt);
    if (estimate > double(limit) || !std::isfinite(estimate))
        return Error{
            src.file, 0,
            std::string("volume too big for memory: ") + (src.array.empty() ? "" : src.array + ": ") +
                std::to_string(Z) + "x" + std::to_string(Y) + "x" + std::to_string(X) +
                (perChannel ? "x" + std::to_string(C) + " channels" : "") + " of " +
                std::to_string(src.dtypeBytes) + "-byte labels needs about " + humanBytes(estimate) +
                ", limit " + humanBytes(double(limit)) +
                (opt.option("max_bytes").empty() ? " (the memory budget: half the physical memory, or "
                                                   "NR_MEMORY_LIMIT_MIB)"
                                                 : " (option max_bytes)")};

    std::shared_mutex widenMu;
    std::atomic<int> bpvAtomic{1};
    std::atomic<uint64_t> maxLabel{0};
    // The label map is allocated when the first block holding a label arrives: blocks of background (fill
    // value 0, unwritten chunks) are never stored, so an all-background volume holds no memory.
    bool allocated = false;
    std::atomic<bool> allocatedAtomic{false};
    std::vector<std::vector<std::vector<uint64_t>>> lists(nthreads,
                                                          std::vector<std::vector<uint64_t>>(size_t(C)));
    std::atomic<uint64_t> listEntries{0};
    std::atomic<uint64_t> next{0}, done{0};
    std::atomic<bool> stop{false};
    std::mutex errMu;
    std::optional<Error> firstError;
    auto fail = [&](Error e) {
        std::lock_guard<std::mutex> g(errMu);
        if (!firstError) firstError = std::move(e);
        stop = true;
    };

    auto worker = [&](unsigned t) {
        std::vector<uint8_t> buf;
        std::vector<uint64_t> idx(nd);
        auto& mine = lists[t];
        while (!stop) {
            const uint64_t ci = next++;
            if (ci >= nChunks) break;
            uint64_t g[4], rem = ci;
            for (int d = 3; d >= 0; --d) g[d] = rem % grid[d], rem /= grid[d];
            for (size_t d = 0; d < nd; ++d) idx[d] = g[off + d];
            buf.assign(size_t(chunkVals) * size_t(src.dtypeBytes), 0);
            if (Status s = src.read(idx, buf)) {
                fail(*s);
                return;
            }
            if (buf.size() < size_t(chunkVals) * size_t(src.dtypeBytes)) {
                fail(Error{src.file, 0, "internal: short block"});
                return;
            }
            uint64_t o[4], e[4];
            for (int d = 0; d < 4; ++d) {
                o[d] = g[d] * chk[d];
                e[d] = std::min(chk[d], shp[d] - o[d]);
            }
            const uint64_t cs2 = chk[3], cs1 = chk[2] * cs2, cs0 = chk[1] * cs1;
            bool neg = false;
            if (!perChannel) {
                // label map: widen storage first if this block holds a larger label
                uint64_t bmax = 0;
                for (uint64_t i0 = 0; i0 < e[0]; ++i0)
                    for (uint64_t i1 = 0; i1 < e[1]; ++i1)
                        for (uint64_t i2 = 0; i2 < e[2]; ++i2) {
                            const uint8_t* run =
                                buf.data() + (i0 * cs0 + i1 * cs1 + i2 * cs2) * uint64_t(src.dtypeBytes);
                            forEachNonzero(run, size_t(e[3]), src.dtypeBytes, src.isSigned, neg,
                                           [&](size_t, uint64_t val) { bmax = std::max(bmax, val); });
                        }
                if (neg) {
                    std::string name;
                    for (size_t d = 0; d < nd; ++d) name += (d ? "." : "") + std::to_string(idx[d]);
                    fail(Error{src.file, 0, "block " + name + " holds negative labels"});
                    return;
                }
                uint64_t cur = maxLabel.load();
                while (bmax > cur && !maxLabel.compare_exchange_weak(cur, bmax)) {
                }
                if (bmax != 0) { // all background: the map (if any) is zero there already
                    const int need = bytesFor(bmax);
                    if (need > bpvAtomic.load() || !allocatedAtomic.load()) {
                        std::unique_lock<std::shared_mutex> lk(widenMu);
                        if (!allocated) {
                            v.bytesPerVoxel = need;
                            v.labelData.assign(size_t(voxels) * size_t(need), 0);
                            allocated = true;
                            bpvAtomic = need;
                            allocatedAtomic = true;
                        } else if (need > v.bytesPerVoxel) {
                            widen(v.labelData, v.bytesPerVoxel, need, size_t(voxels));
                            bpvAtomic = v.bytesPerVoxel;
                        }
                    }
                    std::shared_lock<std::shared_mutex> lk(widenMu);
                    const int bpv = v.bytesPerVoxel;
                    for (uint64_t i0 = 0; i0 < e[0]; ++i0)
                        for (uint64_t i1 = 0; i1 < e[1]; ++i1)
                            for (uint64_t i2 = 0; i2 < e[2]; ++i2) {
                                uint64_t c4[4] = {0, 0, 0, 0};
                                c4[role[0]] = o[0] + i0, c4[role[1]] = o[1] + i1, c4[role[2]] = o[2] + i2,
                                c4[role[3]] = o[3];
                                const uint8_t* run =
                                    buf.data() + (i0 * cs0 + i1 * cs1 + i2 * cs2) * uint64_t(src.dtypeBytes);
                                uint8_t* dst =
                                    v.labelData.data() + ((c4[1] * Y + c4[2]) * X + c4[3]) * uint64_t(bpv);
                                switch (bpv) {
                                case 1:
                                    storeRun<uint8_t>(dst, run, size_t(e[3]), src.dtypeBytes);
                                    break;
                                case 2:
                                    storeRun<uint16_t>(dst, run, size_t(e[3]), src.dtypeBytes);
                                    break;
                                case 4:
                                    storeRun<uint32_t>(dst, run, size_t(e[3]), src.dtypeBytes);
                                    break;
                                default:
                                    storeRun<uint64_t>(dst, run, size_t(e[3]), src.dtypeBytes);
                                    break;
                                }
                            }
                }
            } else {
                uint64_t added = 0;
                for (uint64_t i0 = 0; i0 < e[0]; ++i0)
                    for (uint64_t i1 = 0; i1 < e[1]; ++i1)
                        for (uint64_t i2 = 0; i2 < e[2]; ++i2) {
                            uint64_t c4[4] = {0, 0, 0, 0};
                            c4[role[0]] = o[0] + i0, c4[role[1]] = o[1] + i1, c4[role[2]] = o[2] + i2,
                            c4[role[3]] = o[3];
                            const uint8_t* run =
                                buf.data() + (i0 * cs0 + i1 * cs1 + i2 * cs2) * uint64_t(src.dtypeBytes);
                            const int r3 = role[3];
                            forEachNonzero(run, size_t(e[3]), src.dtypeBytes, src.isSigned, neg,
                                           [&](size_t j, uint64_t) {
                                               uint64_t c[4] = {c4[0], c4[1], c4[2], c4[3]};
                                               c[r3] += j;
                                               mine[size_t(c[0])].push_back((c[1] * Y + c[2]) * X + c[3]);
                                               ++added;
                                           });
                        }
                if (neg) {
                    fail(Error{src.file, 0, "negative values in a per-instance channel block"});
                    return;
                }
                const uint64_t total = listEntries += added;
                if (double(total) * 8.0 > double(limit)) {
                    fail(Error{src.file, 0,
                               "volume too big for memory: instances hold more than " +
                                   std::to_string(total) + " voxels (about " +
                                   humanBytes(double(total) * 8.0) + "), limit " +
                                   humanBytes(double(limit))});
                    return;
                }
            }
            const uint64_t nd2 = ++done;
            if (opt.progress) {
                // Any worker reports (under the lock), so a cancel is seen however the chunks were shared.
                std::lock_guard<std::mutex> g(errMu);
                if (stop) return;
                if (!opt.say(double(nd2) / double(nChunks), "reading " + baseName(src.file))) {
                    stop = true;
                    if (!firstError) firstError = Error{src.file, 0, "cancelled"};
                    return;
                }
            }
        }
    };
    if (nthreads == 1)
        worker(0);
    else {
        std::vector<std::thread> th;
        for (unsigned t = 0; t < nthreads; ++t) th.emplace_back(worker, t);
        for (auto& t : th) t.join();
    }
    if (firstError) return *firstError;

    if (!perChannel) {
        if (v.labelData.empty()) return v; // every block was background
        switch (v.bytesPerVoxel) {
        case 1:
            labelMapStats<uint8_t>(v, maxLabel);
            break;
        case 2:
            labelMapStats<uint16_t>(v, maxLabel);
            break;
        case 4:
            labelMapStats<uint32_t>(v, maxLabel);
            break;
        default:
            labelMapStats<uint64_t>(v, maxLabel);
            break;
        }
        return v;
    }
    // Per-channel instances: merge the threads' lists, sort, count overlaps.
    std::vector<uint64_t> all;
    all.reserve(size_t(listEntries.load()));
    for (uint64_t c = 0; c < C; ++c) {
        std::vector<uint64_t> l;
        size_t n = 0;
        for (auto& t : lists) n += t[size_t(c)].size();
        l.reserve(n);
        for (auto& t : lists) {
            l.insert(l.end(), t[size_t(c)].begin(), t[size_t(c)].end());
            std::vector<uint64_t>().swap(t[size_t(c)]);
        }
        std::sort(l.begin(), l.end());
        if (l.empty()) {
            v.warnings.push_back(src.file + ": channel " + std::to_string(c) + " is empty (no instance)");
            continue;
        }
        LabelInstance in;
        in.label = c + 1;
        in.channel = int(c);
        in.voxels = l.size();
        for (int k = 0; k < 3; ++k) in.lo[k] = INT64_MAX, in.hi[k] = -1;
        const uint64_t plane = Y * X;
        for (uint64_t lin : l) {
            const int64_t p[3] = {int64_t(lin / plane), int64_t((lin % plane) / X), int64_t(lin % X)};
            for (int k = 0; k < 3; ++k)
                in.lo[k] = std::min(in.lo[k], p[k]), in.hi[k] = std::max(in.hi[k], p[k]);
        }
        all.insert(all.end(), l.begin(), l.end());
        v.instances.push_back(in);
        v.instanceVoxels.push_back(std::move(l));
    }
    std::sort(all.begin(), all.end());
    for (size_t i = 0; i < all.size();) {
        size_t j = i + 1;
        while (j < all.size() && all[j] == all[i]) ++j;
        ++v.foregroundVoxels;
        if (j - i > 1) ++v.overlapVoxels;
        i = j;
    }
    return v;
}

void computeInstances(LabelVolume& v) {
    v.instances.clear();
    v.foregroundVoxels = 0;
    v.overlapVoxels = 0;
    if (v.labelData.empty()) return;
    uint64_t maxLabel = 0;
    for (size_t i = 0, n = v.voxelCount(); i < n; ++i)
        maxLabel = std::max(maxLabel, v.label(i / (v.ny * v.nx), (i / v.nx) % v.ny, i % v.nx));
    switch (v.bytesPerVoxel) {
    case 1:
        labelMapStats<uint8_t>(v, maxLabel);
        break;
    case 2:
        labelMapStats<uint16_t>(v, maxLabel);
        break;
    case 4:
        labelMapStats<uint32_t>(v, maxLabel);
        break;
    default:
        labelMapStats<uint64_t>(v, maxLabel);
        break;
    }
}

} // namespace nr
