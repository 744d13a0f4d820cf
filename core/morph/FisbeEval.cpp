#include "morph/FisbeEval.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <queue>
#include <sstream>
#include <thread>
#include <type_traits>
#include <unordered_map>

#include "base/Json.h"
#include "morph/LabelVolume.h"

namespace nr {

namespace {

// ---- 3-D thinning (Lee, Kashyap & Chu 1994) ------------------------------------------------------------
// Neighbourhood numbering: index = (dz+1)*9 + (dx+1)*3 + (dy+1), the centre is 13 (the numbering of the
// paper's Fig. 1a with the centre included).

// Change of the Euler characteristic (26-connectivity) of a 2x2x2 octant configuration, column dG26 of the
// paper's Table 2, for the configurations with the centre set (odd indices).
const int kEulerOdd[128] = {
    1,  -1, -1, 1,  -3, -1, -1, 1,  -1, 1, 1,  -1, 3,  1,  1,  -1, -3, -1, 3,  1,  1,  -1, 3, 1,  -1, 1,
    1,  -1, 3,  1,  1,  -1, -3, 3,  -1, 1, 1,  3,  -1, 1,  -1, 1,  1,  -1, 3,  1,  1,  -1, 1, 3,  3,  1,
    5,  3,  3,  1,  -1, 1,  1,  -1, 3,  1, 1,  -1, -7, -1, -1, 1,  -3, -1, -1, 1,  -1, 1,  1, -1, 3,  1,
    1,  -1, -3, -1, 3,  1,  1,  -1, 3,  1, -1, 1,  1,  -1, 3,  1,  1,  -1, -3, 3,  -1, 1,  1, 3,  -1, 1,
    -1, 1,  1,  -1, 3,  1,  1,  -1, 1,  3, 3,  1,  5,  3,  3,  1,  -1, 1,  1,  -1, 3,  1,  1, -1};

// The seven neighbours of each octant, in the bit order of the table above (bit 7 first).
const int kOctantNeighbours[8][7] = {{2, 1, 11, 10, 5, 4, 14},     {0, 9, 3, 12, 1, 10, 4},
                                     {8, 7, 17, 16, 5, 4, 14},     {6, 15, 7, 16, 3, 12, 4},
                                     {20, 23, 19, 22, 11, 14, 10}, {18, 21, 9, 12, 19, 22, 10},
                                     {26, 23, 17, 14, 25, 22, 16}, {24, 25, 15, 16, 21, 22, 12}};

bool eulerInvariant(const uint8_t* n) {
    int e = 0;
    for (int o = 0; o < 8; ++o) {
        int idx = 1;
        for (int j = 0; j < 7; ++j)
            if (n[kOctantNeighbours[o][j]] == 1) idx |= 1 << (7 - j);
        e += kEulerOdd[idx >> 1];
    }
    return e == 0;
}

bool isEndpoint(const uint8_t* n) {
    int s = 0;
    for (int j = 0; j < 27; ++j) s += n[j];
    return s == 2;
}

// Octree of the 26 neighbours without the centre (Figs. 6 and 7 of the paper): for each octant its seven
// cells and, per cell, the octants sharing it.
struct Octant {
    int cells[7];
    int next[7][4]; // -1 terminated, 1-based octants
};
const Octant kOctree[8] = {
    {{0, 1, 3, 4, 9, 10, 12}, {{-1}, {2, -1}, {3, -1}, {2, 3, 4, -1}, {5, -1}, {2, 5, 6, -1}, {3, 5, 7, -1}}},
    {{1, 4, 10, 2, 5, 11, 13},
     {{1, -1}, {1, 3, 4, -1}, {1, 5, 6, -1}, {-1}, {4, -1}, {6, -1}, {4, 6, 8, -1}}},
    {{3, 4, 12, 6, 7, 14, 15},
     {{1, -1}, {1, 2, 4, -1}, {1, 5, 7, -1}, {-1}, {4, -1}, {7, -1}, {4, 7, 8, -1}}},
    {{4, 5, 13, 7, 15, 8, 16},
     {{1, 2, 3, -1}, {2, -1}, {2, 6, 8, -1}, {3, -1}, {3, 7, 8, -1}, {-1}, {8, -1}}},
    {{9, 10, 12, 17, 18, 20, 21},
     {{1, -1}, {1, 2, 6, -1}, {1, 3, 7, -1}, {-1}, {6, -1}, {7, -1}, {6, 7, 8, -1}}},
    {{10, 11, 13, 18, 21, 19, 22},
     {{1, 2, 5, -1}, {2, -1}, {2, 4, 8, -1}, {5, -1}, {5, 7, 8, -1}, {-1}, {8, -1}}},
    {{12, 14, 15, 20, 21, 23, 24},
     {{1, 3, 5, -1}, {3, -1}, {3, 4, 8, -1}, {5, -1}, {5, 6, 8, -1}, {-1}, {8, -1}}},
    {{13, 15, 16, 21, 22, 24, 25},
     {{2, 4, 6, -1}, {3, 4, 7, -1}, {4, -1}, {5, 6, 7, -1}, {6, -1}, {7, -1}, {-1}}},
};

void octreeLabel(int octant, uint8_t label, uint8_t* cube) {
    const Octant& o = kOctree[octant - 1];
    for (int k = 0; k < 7; ++k) {
        if (cube[o.cells[k]] != 1) continue;
        cube[o.cells[k]] = label;
        for (int m = 0; m < 4 && o.next[k][m] > 0; ++m) octreeLabel(o.next[k][m], label, cube);
    }
}

int startOctant(int i) {
    switch (i) {
    case 0:
    case 1:
    case 3:
    case 4:
    case 9:
    case 10:
    case 12:
        return 1;
    case 2:
    case 5:
    case 11:
    case 13:
        return 2;
    case 6:
    case 7:
    case 14:
    case 15:
        return 3;
    case 8:
    case 16:
        return 4;
    case 17:
    case 18:
    case 20:
    case 21:
        return 5;
    case 19:
    case 22:
        return 6;
    case 23:
    case 24:
        return 7;
    default:
        return 8;
    }
}

// Removing the centre leaves the foreground of the neighbourhood in at most one 26-connected piece.
bool isSimple(const uint8_t* n) {
    uint8_t cube[26];
    std::memcpy(cube, n, 13);
    std::memcpy(cube + 13, n + 14, 13);
    uint8_t label = 2;
    for (int i = 0; i < 26; ++i) {
        if (cube[i] != 1) continue;
        octreeLabel(startOctant(i), label, cube);
        ++label;
        if (label - 2 >= 2) return false;
    }
    return true;
}

// Bit 0: the centre is simple; bit 1: it may be deleted in the first step (not an end point, Euler
// invariant, simple). Both depend only on the 26 neighbours, so they are cached per thread by that pattern.
uint8_t classify(const uint8_t* n) {
    struct Cache {
        uint32_t key[1 << 16];
        uint8_t val[1 << 16];
        Cache() { std::fill(std::begin(key), std::end(key), UINT32_MAX); }
    };
    thread_local Cache cache;
    uint32_t cfg = 0;
    for (int k = 0; k < 27; ++k)
        if (k != 13) cfg = (cfg << 1) | uint32_t(n[k] & 1);
    const uint32_t h = (cfg * 2654435761u) >> 16;
    if (cache.key[h] == cfg) return cache.val[h];
    const bool simple = isSimple(n);
    const uint8_t v = uint8_t((simple ? 1 : 0) | (simple && !isEndpoint(n) && eulerInvariant(n) ? 2 : 0));
    cache.key[h] = cfg;
    cache.val[h] = v;
    return v;
}

// NumPy's pairwise summation (the order np.sum / np.mean add in), starting from 0.
template <class T> T pairwiseSum(const T* a, size_t n) {
    if (n < 8) {
        T r = 0;
        for (size_t i = 0; i < n; ++i) r += a[i];
        return r;
    }
    if (n <= 128) {
        T r[8];
        for (int j = 0; j < 8; ++j) r[j] = a[j];
        size_t i = 8;
        for (; i < n - (n % 8); i += 8)
            for (int j = 0; j < 8; ++j) r[j] += a[i + size_t(j)];
        T res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; ++i) res += a[i];
        return res;
    }
    size_t n2 = n / 2;
    n2 -= n2 % 8;
    return pairwiseSum(a, n2) + pairwiseSum(a + n2, n - n2);
}
template <class T> T npMean(const std::vector<T>& v) {
    if (v.empty()) return T(NAN);
    const T s = T(0) + pairwiseSum(v.data(), v.size());
    return T(s / T(v.size()));
}

// The priority queue of the benchmark's many-to-many matching: lowest priority first, ties in push order;
// re-pushing a key supersedes its queued entries, `invalidate` drops them.
class LazyHeap {
public:
    void push(int64_t key, double prio) {
        auto it = version_.find(key);
        const int v = (it == version_.end() ? 0 : it->second) + 1;
        version_[key] = v;
        heap_.push({prio, counter_++, v, key});
    }
    void invalidate(int64_t key) {
        auto it = version_.find(key);
        if (it != version_.end()) it->second = -1;
    }
    bool pop(int64_t& key) {
        while (!heap_.empty()) {
            const Entry e = heap_.top();
            heap_.pop();
            auto it = version_.find(e.key);
            if (it != version_.end() && it->second == e.version) {
                version_.erase(it);
                key = e.key;
                return true;
            }
        }
        return false;
    }

private:
    struct Entry {
        double prio;
        uint64_t order;
        int version;
        int64_t key;
        bool operator>(const Entry& o) const { return prio != o.prio ? prio > o.prio : order > o.order; }
    };
    std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> heap_;
    std::unordered_map<int64_t, int> version_;
    uint64_t counter_ = 0;
};

bool contains(const std::vector<int>& v, int x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}

// Voxels that lie in more than one instance (sorted).
std::vector<uint64_t> overlapVoxels(const std::vector<std::vector<uint64_t>>& inst) {
    std::vector<uint64_t> all;
    size_t n = 0;
    for (const auto& i : inst) n += i.size();
    all.reserve(n);
    for (const auto& i : inst) all.insert(all.end(), i.begin(), i.end());
    std::sort(all.begin(), all.end());
    std::vector<uint64_t> out;
    for (size_t i = 1; i < all.size(); ++i)
        if (all[i] == all[i - 1] && (out.empty() || out.back() != all[i])) out.push_back(all[i]);
    return out;
}

} // namespace

std::vector<uint64_t> skeletonize3d(const std::vector<uint64_t>& voxels, size_t nz, size_t ny, size_t nx) {
    if (voxels.empty()) return {};
    const uint64_t plane = uint64_t(ny) * nx;
    int64_t lo[3] = {INT64_MAX, INT64_MAX, INT64_MAX}, hi[3] = {-1, -1, -1};
    for (uint64_t v : voxels) {
        const int64_t c[3] = {int64_t(v / plane), int64_t((v % plane) / nx), int64_t(v % nx)};
        for (int a = 0; a < 3; ++a) {
            lo[a] = std::min(lo[a], c[a]);
            hi[a] = std::max(hi[a], c[a]);
        }
    }
    // The instance's box with one voxel of background on every side (thinning only looks at foreground
    // voxels and their neighbours, in raster order, so the box gives the same result as the whole volume).
    const int64_t bz = hi[0] - lo[0] + 3, by = hi[1] - lo[1] + 3, bx = hi[2] - lo[2] + 3;
    const int64_t sy = bx, sz = by * bx;
    // A zeroed buffer per thread, kept between calls (only the instance's voxels are ever set, and they are
    // cleared again before returning), so that a box costs no allocation or clearing.
    thread_local std::vector<uint8_t> scratch;
    const size_t boxSize = size_t(bz * by * bx);
    if (scratch.size() < boxSize) {
        scratch.clear();
        scratch.shrink_to_fit();
        scratch.resize(boxSize, 0);
    }
    uint8_t* const img = scratch.data();
    std::vector<int64_t> fg;
    fg.reserve(voxels.size());
    for (uint64_t v : voxels) {
        const int64_t z = int64_t(v / plane) - lo[0] + 1, y = int64_t((v % plane) / nx) - lo[1] + 1,
                      x = int64_t(v % nx) - lo[2] + 1;
        const int64_t b = z * sz + y * sy + x;
        img[size_t(b)] = 1;
        fg.push_back(b);
    }
    int64_t off[27];
    for (int dz = -1; dz <= 1; ++dz)
        for (int dx = -1; dx <= 1; ++dx)
            for (int dy = -1; dy <= 1; ++dy)
                off[(dz + 1) * 9 + (dx + 1) * 3 + (dy + 1)] = dz * sz + dy * sy + dx;
    auto neighbourhood = [&](int64_t b, uint8_t* n) {
        const uint8_t* p = img + b;
        for (int k = 0; k < 27; ++k) n[k] = p[off[k]];
    };
    // Border directions in the order the reference implementation visits them: W (y-1), E (y+1), S (x+1),
    // N (x-1), U (z+1), B (z-1). A volume of one slice has no z borders.
    const int64_t borderOffset[6] = {-sy, sy, 1, -1, sz, -sz};
    const int numBorders = nz == 1 ? 4 : 6;
    std::vector<int64_t> candidates;
    uint8_t n[27];
    int unchanged = 0;
    while (unchanged < numBorders) {
        unchanged = 0;
        for (int j = 0; j < numBorders; ++j) {
            candidates.clear();
            const int64_t bo = borderOffset[j];
            for (int64_t b : fg) {
                if (img[size_t(b + bo)] != 0) continue;
                neighbourhood(b, n);
                if (!(classify(n) & 2)) continue;
                candidates.push_back(b);
            }
            bool changed = false;
            for (int64_t b : candidates) {
                neighbourhood(b, n);
                if (classify(n) & 1) {
                    img[size_t(b)] = 0;
                    changed = true;
                }
            }
            if (changed)
                fg.erase(std::remove_if(fg.begin(), fg.end(), [&](int64_t b) { return img[size_t(b)] == 0; }),
                         fg.end());
            else
                ++unchanged;
        }
    }
    std::vector<uint64_t> out;
    out.reserve(fg.size());
    for (int64_t b : fg) img[size_t(b)] = 0;
    if (scratch.size() > (size_t(1) << 28)) {
        scratch.clear();
        scratch.shrink_to_fit();
    }
    for (int64_t b : fg) {
        const int64_t z = b / sz, y = (b % sz) / sy, x = b % sy;
        out.push_back(uint64_t(z - 1 + lo[0]) * plane + uint64_t(y - 1 + lo[1]) * nx +
                      uint64_t(x - 1 + lo[2]));
    }
    return out;
}

std::vector<uint64_t> fisbeDimLabels(const LabelVolume& v) {
    std::vector<uint64_t> out;
    if (v.array.empty()) return out;
    std::ifstream f(v.file + "/" + v.array + "/.zattrs");
    if (!f) return out;
    std::ostringstream ss;
    ss << f.rdbuf();
    if (ss.str().size() > (1u << 20)) return out;
    auto j = parseJson(ss.str(), v.file);
    if (!j || !j.value().isObject()) return out;
    const JsonValue* d = j.value().get("dim_neurons");
    if (!d || !d->isArray()) return out;
    for (const auto& e : d->arr)
        if (e.isNumber() && e.num >= 1 && e.num < 1e15 && e.num == std::floor(e.num))
            out.push_back(uint64_t(e.num));
    return out;
}

FisbeInstances fisbeInstances(const LabelVolume& v) {
    FisbeInstances r;
    r.nz = v.nz;
    r.ny = v.ny;
    r.nx = v.nx;
    if (v.perChannel) {
        r.voxels = v.instanceVoxels;
        for (const auto& i : v.instances) r.labels.push_back(i.label);
        return r;
    }
    if (v.labelData.empty()) return r;
    // One pass over the voxels (whole zero words skipped), then the foreground sorted by label.
    const size_t n = v.voxelCount();
    std::vector<std::pair<uint64_t, uint64_t>> fg; // label, voxel
    fg.reserve(size_t(v.foregroundVoxels));
    auto scan = [&](auto* d) {
        using T = std::remove_const_t<std::remove_pointer_t<decltype(d)>>;
        constexpr size_t per = 8 / sizeof(T);
        const uint8_t* bytes = v.labelData.data();
        size_t i = 0;
        for (; i + per <= n; i += per) {
            uint64_t w;
            std::memcpy(&w, bytes + i * sizeof(T), 8);
            if (!w) continue;
            for (size_t k = 0; k < per; ++k)
                if (d[i + k]) fg.push_back({uint64_t(d[i + k]), i + k});
        }
        for (; i < n; ++i)
            if (d[i]) fg.push_back({uint64_t(d[i]), i});
    };
    switch (v.bytesPerVoxel) {
    case 1:
        scan(reinterpret_cast<const uint8_t*>(v.labelData.data()));
        break;
    case 2:
        scan(reinterpret_cast<const uint16_t*>(v.labelData.data()));
        break;
    case 4:
        scan(reinterpret_cast<const uint32_t*>(v.labelData.data()));
        break;
    default:
        scan(reinterpret_cast<const uint64_t*>(v.labelData.data()));
        break;
    }
    std::stable_sort(fg.begin(), fg.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t i = 0; i < fg.size();) {
        size_t j = i;
        while (j < fg.size() && fg[j].first == fg[i].first) ++j;
        r.labels.push_back(fg[i].first);
        r.voxels.emplace_back();
        auto& out = r.voxels.back();
        out.reserve(j - i);
        for (size_t k = i; k < j; ++k) out.push_back(fg[k].second);
        i = j;
    }
    return r;
}

Result<FisbeResult> fisbeEvaluate(const FisbeInstances& gtIn, const FisbeInstances& predIn,
                                  const FisbeOptions& opt, const std::string& gtName,
                                  const std::string& predName) {
    const auto t0 = std::chrono::steady_clock::now();
    if (gtIn.nz != predIn.nz || gtIn.ny != predIn.ny || gtIn.nx != predIn.nx) {
        auto shape = [](const FisbeInstances& f) {
            return std::to_string(f.nz) + "x" + std::to_string(f.ny) + "x" + std::to_string(f.nx);
        };
        return Error{predName, 0,
                     "shape " + shape(predIn) + " (z x y x x) differs from the ground truth's " +
                         shape(gtIn)};
    }
    const size_t nz = gtIn.nz, ny = gtIn.ny, nx = gtIn.nx;
    const uint64_t nvox = uint64_t(nz) * ny * nx;
    if (nvox == 0) return Error{gtName, 0, "the volume has no voxels"};
    // The evaluation keeps one bit per voxel (and each skeleton's box); refuse what could not fit.
    if (nvox / 8 > volumeMemoryLimit())
        return Error{gtName, 0,
                     "a volume of " + std::to_string(nz) + "x" + std::to_string(ny) + "x" +
                         std::to_string(nx) + " voxels is too large to evaluate"};
    auto checkVoxels = [&](const FisbeInstances& f, const std::string& name) -> Status {
        for (size_t i = 0; i < f.voxels.size(); ++i) {
            const auto& v = f.voxels[i];
            if (v.empty()) continue;
            if (v.back() >= nvox || !std::is_sorted(v.begin(), v.end()))
                return Error{name, 0,
                             "instance " + std::to_string(i + 1) +
                                 " has voxels outside the volume or unsorted"};
        }
        return {};
    };
    if (auto e = checkVoxels(gtIn, gtName)) return *e;
    if (auto e = checkVoxels(predIn, predName)) return *e;
    FisbeResult R;

    // Instances as evaluated: GT without empty instances; predictions without those of <= minPredSize voxels.
    std::vector<const std::vector<uint64_t>*> gt, pred;
    for (size_t i = 0; i < gtIn.voxels.size(); ++i)
        if (!gtIn.voxels[i].empty()) {
            gt.push_back(&gtIn.voxels[i]);
            R.gtLabels.push_back(i < gtIn.labels.size() ? gtIn.labels[i] : i + 1);
            R.gtVoxels.push_back(gtIn.voxels[i].size());
        }
    for (size_t i = 0; i < predIn.voxels.size(); ++i) {
        if (predIn.voxels[i].empty()) continue;
        if (predIn.voxels[i].size() <= opt.minPredSize) {
            ++R.removedPred;
            continue;
        }
        pred.push_back(&predIn.voxels[i]);
        R.predLabels.push_back(i < predIn.labels.size() ? predIn.labels[i] : i + 1);
        R.predVoxels.push_back(predIn.voxels[i].size());
    }
    const int G = int(gt.size()), P = int(pred.size());
    R.numGt = G;
    R.numPred = P;
    if (G == 0) return Error{gtName, 0, "the ground truth has no instances"};

    auto overlapsOf = [](const std::vector<const std::vector<uint64_t>*>& inst) {
        std::vector<std::vector<uint64_t>> tmp;
        tmp.reserve(inst.size());
        for (auto* p : inst) tmp.push_back(*p);
        return overlapVoxels(tmp);
    };
    const std::vector<uint64_t> gtOverlap = overlapsOf(gt);
    const std::vector<uint64_t> predOverlap = overlapsOf(pred);
    const bool gtOverlaps = !gtOverlap.empty(), predOverlaps = !predOverlap.empty();

    // GT instances without the voxels where GT instances overlap (for the per-threshold false merges).
    std::vector<std::vector<uint64_t>> gtWo;
    if (gtOverlaps) {
        gtWo.resize(size_t(G));
        for (int g = 0; g < G; ++g)
            std::set_difference(gt[size_t(g)]->begin(), gt[size_t(g)]->end(), gtOverlap.begin(),
                                gtOverlap.end(), std::back_inserter(gtWo[size_t(g)]));
    }

    // ---- skeletons, in parallel -------------------------------------------------------------------------
    const auto ts = std::chrono::steady_clock::now();
    std::vector<const std::vector<uint64_t>*> jobs;
    for (auto* g : gt) jobs.push_back(g);
    for (auto* p : pred) jobs.push_back(p);
    // A GT instance away from every overlap keeps all its voxels, hence its skeleton: only the others are
    // thinned again.
    std::vector<int> woJob(gtWo.size(), -1);
    for (size_t g = 0; g < gtWo.size(); ++g)
        if (gtWo[g].size() != gt[g]->size()) {
            woJob[g] = int(jobs.size());
            jobs.push_back(&gtWo[g]);
        }
    std::vector<std::vector<uint64_t>> skel(jobs.size());
    {
        // Largest first, so that one big instance does not finish last.
        std::vector<size_t> order(jobs.size());
        for (size_t i = 0; i < order.size(); ++i) order[i] = i;
        std::stable_sort(order.begin(), order.end(),
                         [&](size_t a, size_t b) { return jobs[a]->size() > jobs[b]->size(); });
        std::atomic<size_t> next{0};
        auto work = [&] {
            for (size_t k; (k = next.fetch_add(1)) < order.size();)
                skel[order[k]] = skeletonize3d(*jobs[order[k]], nz, ny, nx);
        };
        int nt = opt.threads > 0 ? opt.threads : int(std::max(1u, std::thread::hardware_concurrency()));
        nt = std::min<int>(nt, int(jobs.size()));
        std::vector<std::thread> pool;
        for (int t = 1; t < nt; ++t) pool.emplace_back(work);
        work();
        for (auto& t : pool) t.join();
    }
    R.skeletonSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - ts).count();
    auto gtSkel = [&](int g) -> const std::vector<uint64_t>& { return skel[size_t(g)]; };
    auto predSkel = [&](int p) -> const std::vector<uint64_t>& { return skel[size_t(G + p)]; };
    auto gtWoSkel = [&](int g) -> const std::vector<uint64_t>& {
        return woJob[size_t(g)] < 0 ? skel[size_t(g)] : skel[size_t(woJob[size_t(g)])];
    };

    // ---- which instances hold each skeleton voxel --------------------------------------------------------
    std::vector<uint64_t> keys;
    for (const auto& s : skel) keys.insert(keys.end(), s.begin(), s.end());
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    std::vector<uint64_t> bits((nvox + 63) / 64, 0);
    for (uint64_t k : keys) bits[k >> 6] |= uint64_t(1) << (k & 63);
    std::vector<std::vector<int>> gtOf(keys.size()), predOf(keys.size());
    auto member = [&](const std::vector<const std::vector<uint64_t>*>& inst,
                      std::vector<std::vector<int>>& of) {
        for (size_t i = 0; i < inst.size(); ++i) {
            auto from = keys.begin();
            for (uint64_t v : *inst[i]) {
                if (!(bits[v >> 6] >> (v & 63) & 1)) continue;
                from = std::lower_bound(from, keys.end(), v);
                of[size_t(from - keys.begin())].push_back(int(i) + 1);
            }
        }
    };
    member(gt, gtOf);
    member(pred, predOf);
    auto keyOf = [&](uint64_t v) {
        return size_t(std::lower_bound(keys.begin(), keys.end(), v) - keys.begin());
    };

    // ---- clPrecision, clRecall, clDice --------------------------------------------------------------------
    const int W = P + 1;
    std::vector<float> prec(size_t((G + 1) * W), 0.f), rec(prec.size(), 0.f), recWo;
    std::vector<double> cnt;
    for (int p = 1; p <= P; ++p) {
        const auto& s = predSkel(p - 1);
        if (s.empty()) continue;
        cnt.assign(size_t(G + 1), 0);
        for (uint64_t v : s) {
            const auto& o = gtOf[keyOf(v)];
            if (o.empty()) cnt[0] += 1;
            for (int g : o) cnt[size_t(g)] += 1;
        }
        for (int g = 0; g <= G; ++g)
            if (cnt[size_t(g)] > 0) prec[size_t(g * W + p)] = float(cnt[size_t(g)] / double(s.size()));
    }
    auto recallRows = [&](auto skelOf, std::vector<float>& m) {
        for (int g = 1; g <= G; ++g) {
            const auto& s = skelOf(g - 1);
            if (s.empty()) continue;
            cnt.assign(size_t(W), 0);
            for (uint64_t v : s) {
                const auto& o = predOf[keyOf(v)];
                if (o.empty()) cnt[0] += 1;
                for (int p : o) cnt[size_t(p)] += 1;
            }
            for (int p = 0; p <= P; ++p)
                if (cnt[size_t(p)] > 0) m[size_t(g * W + p)] = float(cnt[size_t(p)] / double(s.size()));
        }
    };
    recallRows(gtSkel, rec);
    if (gtOverlaps) {
        recWo.assign(rec.size(), 0.f);
        recallRows(gtWoSkel, recWo);
    } else {
        recWo = rec;
    }
    std::vector<float> loc(prec.size(), 0.f);
    for (size_t i = 0; i < loc.size(); ++i) {
        volatile float a = 2.0f * prec[i];
        volatile float b = a * rec[i];
        volatile float d = prec[i] + rec[i];
        const float l = b / d;
        loc[i] = std::isnan(l) ? 0.f : l;
    }
    auto at = [&](const std::vector<float>& m, int g, int p) { return m[size_t(g * W + p)]; };
    float maxLoc = 0;
    for (float l : loc) maxLoc = std::max(maxLoc, l);

    // Best GT (highest clPrecision, first on ties, 0 = background) of each prediction.
    std::vector<int> bestGt(size_t(W), 0);
    for (int p = 0; p <= P; ++p) {
        float best = at(prec, 0, p);
        for (int g = 1; g <= G; ++g)
            if (at(prec, g, p) > best) {
                best = at(prec, g, p);
                bestGt[size_t(p)] = g;
            }
    }

    // ---- greedy one-to-one matching per threshold
    // ----------------------------------------------------------
    const double ths[14] = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.55, 0.65, 0.75, 0.85, 0.95};
    std::vector<double> aps, fscores;
    R.gtMatchedPred.assign(size_t(G), 0);
    for (double th : ths) {
        const float thf = float(th);
        FisbeThreshold T;
        T.th = th;
        std::vector<int> mg, mp;
        if (std::min(G, P) > 0 && maxLoc > thf) {
            struct Pair {
                float l;
                int g, p;
            };
            std::vector<Pair> pairs;
            for (int g = 1; g <= G; ++g)
                for (int p = 1; p <= P; ++p)
                    if (at(loc, g, p) > thf) pairs.push_back({at(loc, g, p), g, p});
            std::sort(pairs.begin(), pairs.end(), [](const Pair& a, const Pair& b) {
                if (a.l != b.l) return a.l > b.l;
                if (a.g != b.g) return a.g < b.g;
                return a.p < b.p;
            });
            std::vector<char> ug(size_t(G + 1), 0), up(size_t(W), 0);
            for (const Pair& x : pairs)
                if (!ug[size_t(x.g)] && !up[size_t(x.p)]) {
                    ug[size_t(x.g)] = up[size_t(x.p)] = 1;
                    mg.push_back(x.g);
                    mp.push_back(x.p);
                }
        }
        T.tp = int(mg.size());
        T.fp = P - T.tp;
        T.fn = G - T.tp;
        T.precision = double(T.tp) / std::max(1, T.tp + T.fp);
        T.recall = double(T.tp) / std::max(1, T.tp + T.fn);
        T.ap = T.precision * T.recall;
        T.fscore = T.precision + T.recall > 0 ? 2.0 * T.precision * T.recall / (T.precision + T.recall) : 0.0;
        aps.push_back(T.ap);
        fscores.push_back(T.fscore);
        // False splits: unmatched predictions whose best clPrecision is with a GT instance.
        for (int p = 1; p <= P; ++p)
            if (!contains(mp, p) && bestGt[size_t(p)] > 0) ++T.falseSplit;
        // False merges: predictions covering the skeletons of several GT instances, also away from overlaps.
        for (int p = 1; p <= P; ++p) {
            int c = 0;
            for (int g = 1; g <= G; ++g)
                if (at(rec, g, p) > thf && at(recWo, g, p) > thf) ++c;
            T.falseMerge += std::max(0, c - 1);
        }
        if (th == 0.5) {
            R.tp05 = T.tp;
            R.tp05Gt = mg;
            R.tp05Pred = mp;
            for (size_t k = 0; k < mg.size(); ++k) {
                R.tp05ClDice.push_back(at(loc, mg[k], mp[k]));
                R.gtMatchedPred[size_t(mg[k] - 1)] = mp[k];
            }
        }
        R.thresholds.push_back(T);
    }
    auto meanOf = [](const double* a, size_t n) { return (0.0 + pairwiseSum(a, n)) / double(n); };
    R.avAP19 = meanOf(aps.data(), 9);
    R.avAP59 = meanOf(aps.data() + 4, 10);
    R.avFscore19 = meanOf(fscores.data(), 9);
    R.avFscore59 = meanOf(fscores.data() + 4, 10);
    R.avgTp05ClDice = R.tp05ClDice.empty() ? 0.f : npMean(R.tp05ClDice);

    // ---- coverage: each prediction to its best GT (clPrecision), clRecall of the GT by what it received
    // ----
    if (gtOverlaps && predOverlaps) {
        for (int g = 1; g <= G; ++g) {
            std::vector<int> assigned;
            for (int p = 1; p <= P; ++p)
                if (bestGt[size_t(p)] == g) assigned.push_back(p);
            if (assigned.empty()) {
                R.gtCoverage.push_back(0.0);
                continue;
            }
            const auto& s = gtSkel(g - 1);
            double in = 0;
            for (uint64_t v : s) {
                const auto& o = predOf[keyOf(v)];
                for (int p : o)
                    if (contains(assigned, p)) {
                        in += 1;
                        break;
                    }
            }
            R.gtCoverage.push_back(in / double(s.size()));
        }
        R.avgGtCoverage = npMean(R.gtCoverage);
    } else {
        std::vector<float> cov;
        std::vector<float> row;
        for (int g = 1; g <= G; ++g) {
            row.clear();
            for (int p = 0; p <= P; ++p)
                if (bestGt[size_t(p)] == g) row.push_back(at(rec, g, p));
            cov.push_back(0.0f + pairwiseSum(row.data(), row.size()));
        }
        for (float c : cov) R.gtCoverage.push_back(c);
        R.avgGtCoverage = double(npMean(cov));
    }
    R.avgF1CovScore = 0.5 * R.avFscore19 + 0.5 * R.avgGtCoverage;

    // ---- subsets of the GT: clPrecision against the subset alone, clRecall and clDice rows of the subset
    // ----
    auto subset = [&](const std::vector<int>& ids, bool needPred) {
        FisbeSubset S;
        S.count = int(ids.size());
        if (ids.empty() || (needPred && P == 0)) return S;
        const int D = S.count;
        std::vector<float> ps(size_t((D + 1) * W), 0.f);
        for (int p = 1; p <= P; ++p) {
            const auto& sk = predSkel(p - 1);
            if (sk.empty()) continue;
            std::vector<double> c(size_t(D + 1), 0);
            for (uint64_t v : sk) {
                const auto& o = gtOf[keyOf(v)];
                bool any = false;
                for (int d = 0; d < D; ++d)
                    if (contains(o, ids[size_t(d)])) {
                        c[size_t(d + 1)] += 1;
                        any = true;
                    }
                if (!any) c[0] += 1;
            }
            for (int d = 0; d <= D; ++d)
                if (c[size_t(d)] > 0) ps[size_t(d * W + p)] = float(c[size_t(d)] / double(sk.size()));
        }
        std::vector<int> best(size_t(W), 0);
        for (int p = 0; p <= P; ++p) {
            float b = ps[size_t(p)];
            for (int d = 1; d <= D; ++d)
                if (ps[size_t(d * W + p)] > b) {
                    b = ps[size_t(d * W + p)];
                    best[size_t(p)] = d;
                }
        }
        bool subsetOverlaps = false;
        if (predOverlaps) { // overlaps among the subset's own instances
            std::vector<std::vector<uint64_t>> tmp;
            for (int g : ids) tmp.push_back(*gt[size_t(g - 1)]);
            subsetOverlaps = !overlapVoxels(tmp).empty();
        }
        if (subsetOverlaps && predOverlaps) {
            for (int d = 1; d <= D; ++d) {
                std::vector<int> assigned;
                for (int p = 1; p <= P; ++p)
                    if (best[size_t(p)] == d) assigned.push_back(p);
                if (assigned.empty()) {
                    S.coverage.push_back(0.0);
                    continue;
                }
                const auto& sk = gtSkel(ids[size_t(d - 1)] - 1);
                double in = 0;
                for (uint64_t v : sk)
                    for (int p : predOf[keyOf(v)])
                        if (contains(assigned, p)) {
                            in += 1;
                            break;
                        }
                S.coverage.push_back(in / double(sk.size()));
            }
            S.avgCoverage = npMean(S.coverage);
        } else {
            std::vector<float> cov, row;
            for (int d = 1; d <= D; ++d) {
                row.clear();
                for (int p = 0; p <= P; ++p)
                    if (best[size_t(p)] == d) row.push_back(at(rec, ids[size_t(d - 1)], p));
                cov.push_back(0.0f + pairwiseSum(row.data(), row.size()));
            }
            for (float c : cov) S.coverage.push_back(c);
            S.avgCoverage = double(npMean(cov));
        }
        // Greedy matches at 0.5 on the subset's clDice rows.
        struct Pair {
            float l;
            int d, p;
        };
        std::vector<Pair> pairs;
        for (int d = 1; d <= D; ++d)
            for (int p = 1; p <= P; ++p)
                if (at(loc, ids[size_t(d - 1)], p) > 0.5f)
                    pairs.push_back({at(loc, ids[size_t(d - 1)], p), d, p});
        std::sort(pairs.begin(), pairs.end(), [](const Pair& a, const Pair& b) {
            if (a.l != b.l) return a.l > b.l;
            if (a.d != b.d) return a.d < b.d;
            return a.p < b.p;
        });
        std::vector<char> ud(size_t(D + 1), 0), up(size_t(W), 0);
        for (const Pair& x : pairs)
            if (!ud[size_t(x.d)] && !up[size_t(x.p)]) {
                ud[size_t(x.d)] = up[size_t(x.p)] = 1;
                ++S.tp05;
            }
        S.tp05Rel = double(S.tp05) / double(D);
        return S;
    };
    {
        std::vector<int> dimIds;
        for (uint64_t l : opt.dimLabels)
            for (int g = 1; g <= G; ++g)
                if (R.gtLabels[size_t(g - 1)] == l) dimIds.push_back(g);
        R.dim = subset(dimIds, true);
        std::vector<int> ovIds;
        for (int g = 1; g <= G; ++g) {
            const auto& vox = *gt[size_t(g - 1)];
            bool touches = false;
            for (uint64_t v : gtOverlap)
                if (std::binary_search(vox.begin(), vox.end(), v)) {
                    touches = true;
                    break;
                }
            if (touches) ovIds.push_back(g);
        }
        R.overlap = subset(ovIds, false);
    }

    // ---- false splits / merges: greedy many-to-many matching on clRecall with consumption
    // ------------------
    auto manyToMany = [&](double th, int& fm, int& fs) {
        fm = fs = 0;
        const float thf = float(th);
        std::vector<std::vector<int>> matches(size_t(G + 1));
        bool any = false;
        for (int g = 1; g <= G && !any; ++g)
            for (int p = 1; p <= P; ++p)
                if (at(rec, g, p) > thf) {
                    any = true;
                    break;
                }
        if (!any) return;
        if (!(gtOverlaps || predOverlaps)) {
            for (int g = 1; g <= G; ++g)
                for (int p = 1; p <= P; ++p)
                    if (at(rec, g, p) > thf) matches[size_t(g)].push_back(p);
        } else {
            LazyHeap pq;
            auto key = [&](int g, int p) { return int64_t(g) * W + p; };
            for (int g = 1; g <= G; ++g)
                for (int p = 1; p <= P; ++p)
                    if (at(rec, g, p) > thf) pq.push(key(g, p), -double(at(rec, g, p)));
            std::vector<std::vector<char>> gtAvail(size_t(G + 1));
            std::vector<std::vector<size_t>> gtKeys(size_t(G + 1));
            for (int g = 1; g <= G; ++g) {
                const auto& s = gtSkel(g - 1);
                gtAvail[size_t(g)].assign(s.size(), 1);
                for (uint64_t v : s) gtKeys[size_t(g)].push_back(keyOf(v));
            }
            std::vector<std::vector<int>> consumed(
                static_cast<size_t>(W), std::vector<int>()); // GT instances taken out of each prediction
            int64_t k;
            while (pq.pop(k)) {
                const int g = int(k / W), p = int(k % W);
                matches[size_t(g)].push_back(p);
                auto& avail = gtAvail[size_t(g)];
                const auto& gk = gtKeys[size_t(g)];
                for (size_t i = 0; i < gk.size(); ++i)
                    if (avail[i] && contains(predOf[gk[i]], p)) avail[i] = 0;
                consumed[size_t(p)].push_back(g);
                const double denomG = gk.empty() ? 1.0 : double(gk.size());
                for (int op = 1; op <= P; ++op) {
                    if (!(at(rec, g, op) > thf)) continue;
                    double inter = 0;
                    for (size_t i = 0; i < gk.size(); ++i)
                        if (avail[i] && contains(predOf[gk[i]], op)) inter += 1;
                    const double c = inter / denomG;
                    if (c > th)
                        pq.push(key(g, op), -c);
                    else
                        pq.invalidate(key(g, op));
                }
                for (int og = 1; og <= G; ++og) {
                    if (!(at(rec, og, p) > thf)) continue;
                    const auto& ok = gtKeys[size_t(og)];
                    const double denom = ok.empty() ? 1.0 : double(ok.size());
                    double inter = 0;
                    for (size_t kk : ok) {
                        if (!contains(predOf[kk], p)) continue;
                        bool taken = false;
                        for (int c : consumed[size_t(p)])
                            if (contains(gtOf[kk], c)) {
                                taken = true;
                                break;
                            }
                        if (!taken) inter += 1;
                    }
                    const double c = inter / denom;
                    if (c > th)
                        pq.push(key(og, p), -c);
                    else
                        pq.invalidate(key(og, p));
                }
            }
        }
        std::vector<int> perPred(size_t(W), 0);
        for (int g = 1; g <= G; ++g) {
            fs += std::max(0, int(matches[size_t(g)].size()) - 1);
            for (int p : matches[size_t(g)]) ++perPred[size_t(p)];
        }
        for (int p = 1; p <= P; ++p) fm += std::max(0, perPred[size_t(p)] - 1);
    };
    int fmA = 0, fsA = 0, fmB = 0, fsB = 0;
    manyToMany(opt.fmThresh, fmA, fsA);
    if (opt.fsThresh == opt.fmThresh) {
        fsB = fsA;
    } else {
        manyToMany(opt.fsThresh, fmB, fsB);
    }
    R.fm = fmA;
    R.fs = fsB;

    R.clPrecision = std::move(prec);
    R.clRecall = std::move(rec);
    R.clDice = std::move(loc);
    for (int g = 0; g < G; ++g) R.gtSkeletonVoxels.push_back(int(gtSkel(g).size()));
    for (int p = 0; p < P; ++p) R.predSkeletonVoxels.push_back(int(predSkel(p).size()));
    R.predBestGt.assign(bestGt.begin() + 1, bestGt.end());
    R.totalSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return R;
}

} // namespace nr
