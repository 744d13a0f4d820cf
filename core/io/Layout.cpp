#include "Layout.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace nr {

namespace {

// Up to this many nodes every pair of nodes repels (O(n²) per iteration, exact Fruchterman-Reingold); above
// it only nodes in the same or a neighbouring cell of a uniform grid do (cells at least 2 wide, natural edge
// length 1), in O(n + m) per iteration. A crowded cell (more than kCellExact nodes, as round the hub of a
// star) acts on nodes outside it as one point of its total weight at its centre of mass, and on its own
// members through kCellExact of them at a fixed stride, each weighted by count / kCellExact; so a node never
// looks at more than 27 x kCellExact others however the nodes crowd.
// All randomness comes from a generator seeded by the caller's seed: the same graph and seed give the same
// layout, and layouts on different threads share nothing.
constexpr size_t kExactMaxNodes = 500;
constexpr uint32_t kCellExact = 4;

Error layoutError(const std::string& reason) {
    return Error{"layout", 0, reason};
}

// Median length of edges between two placed nodes; 0 when there is none.
double medianPlacedEdge(const Graph& g, const std::vector<char>& fixed) {
    std::vector<double> len;
    for (size_t e = 0; e < g.edgeCount(); ++e) {
        const uint32_t a = g.src[e], b = g.dst[e];
        if (a == b || !fixed[a] || !fixed[b]) continue;
        const double dx = g.x[a] - g.x[b], dy = g.y[a] - g.y[b], dz = g.z[a] - g.z[b];
        const double d = std::sqrt(dx * dx + dy * dy + dz * dz);
        if (d > 0) len.push_back(d);
    }
    if (len.empty()) return 0;
    std::nth_element(len.begin(), len.begin() + long(len.size() / 2), len.end());
    return len[len.size() / 2];
}

// Fruchterman-Reingold in 3-D with repulsion only between nodes closer than 2 (natural edge length 1),
// found through a uniform grid, plus weak gravity towards the centre so components stay together.
// O(n + m) per iteration. Placed nodes act on the others but do not move. False when cancelled.
bool gridForceLayout(const Graph& g, std::vector<double>& pos, const std::vector<char>& fixed, unsigned seed,
                     const std::function<bool(double)>& progress) {
    const size_t n = g.nodeCount();
    const bool allPairs = n <= kExactMaxNodes;
    const double radius = 2.0, r2 = radius * radius;
    const int iters = n <= 5000 ? 300 : n <= 50000 ? 150 : 60;
    const double t0 = std::max(1.0, std::cbrt(double(n)) / 8.0);
    const double gravity = 0.02;
    std::mt19937_64 rng(seed ^ 0x5DEECE66Dull);
    std::uniform_real_distribution<double> jitter(-0.01, 0.01);
    std::vector<double> disp(3 * n);
    std::vector<uint32_t> cellOf(n), cellStart, members(n);
    // Positions, fixed flags and repulsion in cell order: the force loop visits nodes cell by cell, so a
    // node's neighbours sit in a few contiguous runs that stay in cache and nothing in it is read by node id
    // (in node order, a million nodes spent most of their time waiting for memory).
    std::vector<double> com, sorted(3 * n), sortedDisp(3 * n);
    std::vector<char> sortedFixed(n);
    for (int it = 0; it < iters; ++it) {
        if (progress && (it % 10) == 0 && !progress(0.05 + 0.9 * double(it) / iters)) return false;
        const double temp = t0 * (1.0 - double(it) / iters) + 0.01;
        // Grid over the bounding box with cells at least `radius` wide, at most ~2n cells.
        double lo[3] = {1e300, 1e300, 1e300}, hi[3] = {-1e300, -1e300, -1e300}, c[3] = {0, 0, 0};
        for (size_t i = 0; i < n; ++i)
            for (int a = 0; a < 3; ++a) {
                const double v = pos[3 * i + size_t(a)];
                lo[a] = std::min(lo[a], v);
                hi[a] = std::max(hi[a], v);
                c[a] += v;
            }
        for (int a = 0; a < 3; ++a) c[a] /= double(n);
        double cell = radius;
        long dim[3];
        for (;;) {
            for (int a = 0; a < 3; ++a) dim[a] = std::max(1L, long((hi[a] - lo[a]) / cell) + 1);
            if (double(dim[0]) * double(dim[1]) * double(dim[2]) <= 2.0 * double(n) + 64) break;
            cell *= 1.5;
        }
        const size_t ncell = size_t(dim[0] * dim[1] * dim[2]);
        cellStart.assign(ncell + 1, 0);
        auto coord = [&](size_t i, int a) {
            return std::min(dim[a] - 1, std::max(0L, long((pos[3 * i + size_t(a)] - lo[a]) / cell)));
        };
        for (size_t i = 0; i < n; ++i) {
            cellOf[i] = uint32_t((coord(i, 2) * dim[1] + coord(i, 1)) * dim[0] + coord(i, 0));
            ++cellStart[cellOf[i] + 1];
        }
        for (size_t q = 0; q < ncell; ++q) cellStart[q + 1] += cellStart[q];
        {
            std::vector<uint32_t> fill(cellStart.begin(), cellStart.end() - 1);
            for (size_t i = 0; i < n; ++i) members[fill[cellOf[i]]++] = uint32_t(i);
        }
        for (size_t m = 0; m < n; ++m) {
            for (int a = 0; a < 3; ++a) sorted[3 * m + size_t(a)] = pos[3 * size_t(members[m]) + size_t(a)];
            sortedFixed[m] = fixed[members[m]];
        }
        // Centres of mass of the crowded cells.
        com.assign(3 * ncell, 0.0);
        for (size_t q = 0; q < ncell; ++q) {
            const uint32_t count = cellStart[q + 1] - cellStart[q];
            if (count <= kCellExact) continue;
            for (uint32_t m = cellStart[q]; m < cellStart[q + 1]; ++m)
                for (int a = 0; a < 3; ++a) com[3 * q + size_t(a)] += sorted[3 * size_t(m) + size_t(a)];
            for (int a = 0; a < 3; ++a) com[3 * q + size_t(a)] /= double(count);
        }
        std::fill(sortedDisp.begin(), sortedDisp.end(), 0.0);
        auto coordAt = [&](const double* p, int a) {
            return std::min(dim[a] - 1, std::max(0L, long((p[a] - lo[a]) / cell)));
        };
        for (size_t mi = 0; mi < n; ++mi) {
            if (sortedFixed[mi]) continue;
            const size_t i = members[mi];
            const double* pi = &sorted[3 * mi];
            const long ci[3] = {coordAt(pi, 0), coordAt(pi, 1), coordAt(pi, 2)};
            double* di = &sortedDisp[3 * mi];
            auto repelPoint = [&](const double* pj, double w) {
                double d[3] = {pi[0] - pj[0], pi[1] - pj[1], pi[2] - pj[2]};
                const double dd = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
                if (dd < 1e-12) return;
                for (int a = 0; a < 3; ++a) di[a] += w * d[a] / dd;
            };
            // j: a node's place in cell order.
            auto repel = [&](uint32_t j, double w) {
                const double* pj = &sorted[3 * size_t(j)];
                double d[3] = {pi[0] - pj[0], pi[1] - pj[1], pi[2] - pj[2]};
                double dd = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
                if (!allPairs && dd >= r2) return;
                if (dd < 1e-12) {
                    for (auto& v : d) v = jitter(rng);
                    dd = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
                }
                // k² / d along the unit vector, k = 1.
                for (int a = 0; a < 3; ++a) di[a] += w * d[a] / dd;
            };
            if (allPairs) {
                for (size_t j = 0; j < n; ++j)
                    if (j != mi) repel(uint32_t(j), 1.0);
                for (int a = 0; a < 3; ++a) di[a] -= gravity * (pi[a] - c[a]);
                continue;
            }
            for (long dz = -1; dz <= 1; ++dz)
                for (long dy = -1; dy <= 1; ++dy)
                    for (long dx = -1; dx <= 1; ++dx) {
                        const long ax = ci[0] + dx, ay = ci[1] + dy, az = ci[2] + dz;
                        if (ax < 0 || ay < 0 || az < 0 || ax >= dim[0] || ay >= dim[1] || az >= dim[2])
                            continue;
                        const size_t q = size_t((az * dim[1] + ay) * dim[0] + ax);
                        const uint32_t b = cellStart[q], count = cellStart[q + 1] - b;
                        if (count <= kCellExact) {
                            for (uint32_t m = b; m < b + count; ++m)
                                if (m != mi) repel(m, 1.0);
                            continue;
                        }
                        if (dx != 0 || dy != 0 || dz != 0) {
                            repelPoint(&com[3 * q], double(count));
                            continue;
                        }
                        // A crowded cell: kCellExact members at a fixed stride from an offset that
                        // changes with the node and the iteration, each standing for count / kCellExact.
                        const double w = double(count) / kCellExact;
                        const uint64_t off = (uint64_t(i) * 2654435761u + uint64_t(it) * 40503u) % count;
                        for (uint32_t s = 0; s < kCellExact; ++s) {
                            const uint32_t j = b + uint32_t((off + uint64_t(s) * count / kCellExact) % count);
                            if (j != mi) repel(j, w);
                        }
                    }
            for (int a = 0; a < 3; ++a) di[a] -= gravity * (pi[a] - c[a]);
        }
        for (size_t m = 0; m < n; ++m)
            for (int a = 0; a < 3; ++a)
                disp[3 * size_t(members[m]) + size_t(a)] = sortedDisp[3 * m + size_t(a)];
        for (size_t e = 0; e < g.edgeCount(); ++e) {
            const uint32_t a = g.src[e], b = g.dst[e];
            if (a == b) continue;
            const double* pa = &pos[3 * size_t(a)];
            const double* pb = &pos[3 * size_t(b)];
            const double d[3] = {pa[0] - pb[0], pa[1] - pb[1], pa[2] - pb[2]};
            const double len = std::sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
            // d² / k along the unit vector.
            for (int k = 0; k < 3; ++k) {
                disp[3 * size_t(a) + size_t(k)] -= d[k] * len;
                disp[3 * size_t(b) + size_t(k)] += d[k] * len;
            }
        }
        for (size_t i = 0; i < n; ++i) {
            if (fixed[i]) continue;
            double* di = &disp[3 * i];
            const double len = std::sqrt(di[0] * di[0] + di[1] * di[1] + di[2] * di[2]);
            if (!(len > 0) || !std::isfinite(len)) continue;
            const double step = std::min(len, temp) / len;
            for (int a = 0; a < 3; ++a) pos[3 * i + size_t(a)] += di[a] * step;
        }
    }
    return true;
}

} // namespace

Status layout3D(Graph& g, unsigned seed, bool keepExisting, const std::function<bool(double)>& progress) {
    const size_t n = g.nodeCount();
    const float nan = std::numeric_limits<float>::quiet_NaN();
    std::vector<char> fixed(n, 0);
    size_t nfixed = 0;
    if (keepExisting && g.hasPositions() && g.y.size() == n && g.z.size() == n) {
        for (size_t i = 0; i < n; ++i) {
            fixed[i] = std::isfinite(g.x[i]) && std::isfinite(g.y[i]) && std::isfinite(g.z[i]);
            nfixed += size_t(fixed[i]);
        }
    }
    if (n == 0) {
        g.x.clear();
        g.y.clear();
        g.z.clear();
        return std::nullopt;
    }
    if (nfixed == n) return std::nullopt;
    if (progress && !progress(0.0)) return layoutError("cancelled");
    if (n > size_t(std::numeric_limits<int>::max())) return layoutError("graph too large to lay out");

    // Work in units where a typical edge is about 1 long (the force model's natural length).
    double scale = 1.0;
    double cx = 0, cy = 0, cz = 0;
    if (nfixed > 0) {
        for (size_t i = 0; i < n; ++i)
            if (fixed[i]) {
                cx += g.x[i];
                cy += g.y[i];
                cz += g.z[i];
            }
        cx /= double(nfixed);
        cy /= double(nfixed);
        cz /= double(nfixed);
        scale = medianPlacedEdge(g, fixed);
        if (!(scale > 0)) {
            double lo[3] = {1e300, 1e300, 1e300}, hi[3] = {-1e300, -1e300, -1e300};
            for (size_t i = 0; i < n; ++i)
                if (fixed[i]) {
                    const double p[3] = {g.x[i], g.y[i], g.z[i]};
                    for (int k = 0; k < 3; ++k) {
                        lo[k] = std::min(lo[k], p[k]);
                        hi[k] = std::max(hi[k], p[k]);
                    }
                }
            const double diag =
                std::sqrt((hi[0] - lo[0]) * (hi[0] - lo[0]) + (hi[1] - lo[1]) * (hi[1] - lo[1]) +
                          (hi[2] - lo[2]) * (hi[2] - lo[2]));
            scale = diag > 0 ? diag / std::cbrt(double(n)) : 1.0;
        }
    }

    // Starting positions: placed nodes as they are; the others next to the mean of their placed
    // neighbours, or at random in a cube of side ~cbrt(n).
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> unit(-0.5, 0.5);
    const double side = std::max(1.0, std::cbrt(double(n)));
    std::vector<double> px(n), py(n), pz(n);
    std::vector<double> sx(n, 0), sy(n, 0), sz(n, 0);
    std::vector<uint32_t> cnt(n, 0);
    if (nfixed > 0) {
        for (size_t e = 0; e < g.edgeCount(); ++e) {
            const uint32_t a = g.src[e], b = g.dst[e];
            if (fixed[a] && !fixed[b]) {
                sx[b] += g.x[a];
                sy[b] += g.y[a];
                sz[b] += g.z[a];
                ++cnt[b];
            }
            if (fixed[b] && !fixed[a]) {
                sx[a] += g.x[b];
                sy[a] += g.y[b];
                sz[a] += g.z[b];
                ++cnt[a];
            }
        }
    }
    for (size_t i = 0; i < n; ++i) {
        if (fixed[i]) {
            px[i] = (g.x[i] - cx) / scale;
            py[i] = (g.y[i] - cy) / scale;
            pz[i] = (g.z[i] - cz) / scale;
        } else if (cnt[i] > 0) {
            px[i] = (sx[i] / cnt[i] - cx) / scale + unit(rng);
            py[i] = (sy[i] / cnt[i] - cy) / scale + unit(rng);
            pz[i] = (sz[i] / cnt[i] - cz) / scale + unit(rng);
        } else {
            px[i] = unit(rng) * side;
            py[i] = unit(rng) * side;
            pz[i] = unit(rng) * side;
        }
    }

    std::vector<double> pos(3 * n);
    for (size_t i = 0; i < n; ++i) {
        pos[3 * i] = px[i];
        pos[3 * i + 1] = py[i];
        pos[3 * i + 2] = pz[i];
    }
    if (!gridForceLayout(g, pos, fixed, seed, progress)) return layoutError("cancelled");
    if (progress && !progress(0.95)) return layoutError("cancelled");

    std::vector<float> x(n, nan), y(n, nan), z(n, nan);
    for (size_t i = 0; i < n; ++i) {
        if (fixed[i]) {
            x[i] = g.x[i];
            y[i] = g.y[i];
            z[i] = g.z[i];
        } else {
            x[i] = float(pos[3 * i] * scale + cx);
            y[i] = float(pos[3 * i + 1] * scale + cy);
            z[i] = float(pos[3 * i + 2] * scale + cz);
            if (!std::isfinite(x[i]) || !std::isfinite(y[i]) || !std::isfinite(z[i]))
                return layoutError("layout produced a non-finite position");
        }
    }
    g.x = std::move(x);
    g.y = std::move(y);
    g.z = std::move(z);
    if (progress) progress(1.0);
    return std::nullopt;
}

} // namespace nr
