#include "vtk/SurfaceMesh.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <queue>
#include <vtkCellArray.h>
#include <vtkFloatArray.h>
#include <vtkMarchingCubesTriangleCases.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkTypeInt32Array.h>

#include "morph/LabelVolume.h"

namespace nr {

// ---- extraction ------------------------------------------------------------------------------------------

SurfaceMesh extractSurface(const InstanceMask& m) {
    SurfaceMesh s;
    const int64_t nz = m.dims[0], ny = m.dims[1], nx = m.dims[2];
    if (nx < 2 || ny < 2 || nz < 2 || m.mask.size() < size_t(nx * ny * nz)) return s;
    const uint8_t* M = m.mask.data();
    // The span [first, last] of inside voxels of every voxel row (first > last: an empty row).
    // scratch reused across calls on the same thread (no fresh pages for every instance)
    thread_local std::vector<int32_t> first, last;
    first.resize(size_t(ny * nz)), last.resize(size_t(ny * nz));
    for (int64_t r = 0; r < ny * nz; ++r) {
        const uint8_t* row = M + r * nx;
        const void* f = std::memchr(row, 1, size_t(nx));
        if (!f) {
            first[size_t(r)] = int32_t(nx), last[size_t(r)] = -1;
            continue;
        }
        first[size_t(r)] = int32_t(static_cast<const uint8_t*>(f) - row);
        int64_t l = nx - 1;
        while (!row[l]) --l;
        last[size_t(r)] = int32_t(l);
    }
    // Vertex ids of the crossing edges: x and y edges of the slab's lower (a) and upper (b) voxel slice,
    // z edges between them. -1: no vertex yet.
    const size_t plane = size_t(nx * ny);
    struct Slice {
        std::vector<int32_t> x, y;
        int64_t dirtyLo, dirtyHi; // rows written since the last clear
    };
    thread_local Slice a, b;
    thread_local std::vector<int32_t> zs;
    for (Slice* sl : {&a, &b}) {
        sl->x.assign(plane, -1), sl->y.assign(plane, -1);
        sl->dirtyLo = ny, sl->dirtyHi = -1;
    }
    zs.assign(plane, -1);
    const vtkMarchingCubesTriangleCases* cases = vtkMarchingCubesTriangleCases::GetCases();
    s.points.reserve(4096), s.tris.reserve(8192);
    auto vertex = [&](int32_t& slot, int64_t x, int64_t y, int64_t z, int ax, bool loInside) {
        if (slot >= 0) return slot;
        slot = int32_t(s.points.size() / 3);
        double p[3] = {double(x), double(y), double(z)};
        p[ax] += 0.5;
        s.points.insert(s.points.end(), p, p + 3);
        int64_t in[3] = {x, y, z};
        if (!loInside) in[ax] += 1;
        s.insideVoxel.push_back((in[2] * ny + in[1]) * nx + in[0]);
        s.axis.push_back(int8_t(ax));
        s.dirIn.push_back(loInside ? -1 : 1);
        return slot;
    };
    for (int64_t z = 0; z + 1 < nz; ++z) {
        int64_t yTouchedLo = ny, yTouchedHi = -1;
        int32_t *xa = a.x.data(), *ya = a.y.data(), *xb = b.x.data(), *yb = b.y.data();
        for (int64_t y = 0; y + 1 < ny; ++y) {
            const size_t r00 = size_t(z * ny + y), r01 = r00 + 1, r10 = r00 + size_t(ny), r11 = r10 + 1;
            const int64_t lo = std::min({first[r00], first[r01], first[r10], first[r11]});
            const int64_t hi = std::max({last[r00], last[r01], last[r10], last[r11]});
            if (hi < lo) continue;
            yTouchedLo = std::min(yTouchedLo, y), yTouchedHi = std::max(yTouchedHi, y);
            const uint8_t *p00 = M + r00 * size_t(nx), *p01 = M + r01 * size_t(nx),
                          *p10 = M + r10 * size_t(nx), *p11 = M + r11 * size_t(nx);
            const int64_t x0 = std::max<int64_t>(lo - 1, 0), x1 = std::min<int64_t>(hi, nx - 2);
            for (int64_t x = x0; x <= x1; ++x) {
                const int idx = p00[x] | p00[x + 1] << 1 | p01[x + 1] << 2 | p01[x] << 3 | p10[x] << 4 |
                                p10[x + 1] << 5 | p11[x + 1] << 6 | p11[x] << 7;
                if (idx == 0 || idx == 255) continue;
                const size_t e = size_t(y * nx + x);
                int32_t ids[12];
                bool have[12] = {};
                auto id = [&](int edge) -> int32_t {
                    if (have[edge]) return ids[edge];
                    have[edge] = true;
                    int32_t v = 0;
                    switch (edge) {
                    case 0:
                        v = vertex(xa[e], x, y, z, 0, p00[x]);
                        break;
                    case 1:
                        v = vertex(ya[e + 1], x + 1, y, z, 1, p00[x + 1]);
                        break;
                    case 2:
                        v = vertex(xa[e + size_t(nx)], x, y + 1, z, 0, p01[x]);
                        break;
                    case 3:
                        v = vertex(ya[e], x, y, z, 1, p00[x]);
                        break;
                    case 4:
                        v = vertex(xb[e], x, y, z + 1, 0, p10[x]);
                        break;
                    case 5:
                        v = vertex(yb[e + 1], x + 1, y, z + 1, 1, p10[x + 1]);
                        break;
                    case 6:
                        v = vertex(xb[e + size_t(nx)], x, y + 1, z + 1, 0, p11[x]);
                        break;
                    case 7:
                        v = vertex(yb[e], x, y, z + 1, 1, p10[x]);
                        break;
                    case 8:
                        v = vertex(zs[e], x, y, z, 2, p00[x]);
                        break;
                    case 9:
                        v = vertex(zs[e + 1], x + 1, y, z, 2, p00[x + 1]);
                        break;
                    case 10:
                        v = vertex(zs[e + size_t(nx)], x, y + 1, z, 2, p01[x]);
                        break;
                    default:
                        v = vertex(zs[e + size_t(nx) + 1], x + 1, y + 1, z, 2, p01[x + 1]);
                        break;
                    }
                    return ids[edge] = v;
                };
                for (const int* t = cases[idx].edges; t[0] > -1; t += 3) {
                    const int32_t a = id(t[0]), b = id(t[1]), c = id(t[2]);
                    s.tris.push_back(a), s.tris.push_back(b), s.tris.push_back(c);
                }
            }
        }
        if (yTouchedHi >= 0) {
            for (Slice* sl : {&a, &b})
                sl->dirtyLo = std::min(sl->dirtyLo, yTouchedLo),
                sl->dirtyHi = std::max(sl->dirtyHi, yTouchedHi + 1);
            std::fill_n(zs.begin() + yTouchedLo * nx, (yTouchedHi - yTouchedLo + 2) * nx, -1);
        }
        // the upper slice becomes the lower one; the old lower one is cleared for reuse as the upper
        std::swap(a, b);
        if (b.dirtyHi >= 0) {
            const int64_t off = b.dirtyLo * nx, n = (b.dirtyHi - b.dirtyLo + 1) * nx;
            std::fill_n(b.x.begin() + off, n, -1), std::fill_n(b.y.begin() + off, n, -1);
            b.dirtyLo = ny, b.dirtyHi = -1;
        }
    }
    return s;
}

// ---- adjacency -------------------------------------------------------------------------------------------

namespace {

// Unique edge neighbours of every vertex (CSR) and whether the vertex lies on a boundary edge (an edge of one
// triangle only).
struct Adjacency {
    std::vector<int32_t> start, nbr;
    std::vector<uint8_t> boundary;
};

Adjacency adjacency(const SurfaceMesh& s) {
    const size_t n = s.vertexCount();
    Adjacency a;
    // For every vertex the next (out) and previous (in) vertex of each of its triangles. Around a vertex of a
    // closed, consistently oriented surface the two are the same set of distinct vertices (its neighbours);
    // only where they are not (boundaries, non-manifold edges) are all edges sorted and counted.
    std::vector<int32_t> start(n + 1, 0);
    for (int32_t v : s.tris) ++start[size_t(v) + 1];
    for (size_t i = 0; i < n; ++i) start[i + 1] += start[i];
    std::vector<int32_t> outs(s.tris.size()), ins(s.tris.size()), fill(start.begin(), start.end() - 1);
    for (size_t t = 0; t < s.tris.size(); t += 3)
        for (int k = 0; k < 3; ++k) {
            const int32_t v = s.tris[t + size_t(k)];
            const int32_t f = fill[size_t(v)]++;
            outs[size_t(f)] = s.tris[t + size_t((k + 1) % 3)];
            ins[size_t(f)] = s.tris[t + size_t((k + 2) % 3)];
        }
    a.start.assign(n + 1, 0);
    a.nbr.reserve(outs.size());
    a.boundary.assign(n, 0);
    std::vector<int32_t> all;
    for (size_t i = 0; i < n; ++i) {
        const int32_t b = start[i], d = start[i + 1] - b;
        const int32_t* o = outs.data() + b;
        const int32_t* in = ins.data() + b;
        bool simple = d <= 32;
        uint32_t used = 0;
        for (int32_t k = 0; simple && k < d; ++k) {
            bool found = false;
            for (int32_t j = 0; j < d; ++j)
                if (in[j] == o[k] && !(used >> j & 1u)) {
                    used |= 1u << j, found = true;
                    break;
                }
            for (int32_t j = 0; found && j < k; ++j) found = o[j] != o[k];
            simple = found;
        }
        if (simple) {
            a.nbr.insert(a.nbr.end(), o, o + d);
        } else {
            all.assign(o, o + d);
            all.insert(all.end(), in, in + d);
            std::sort(all.begin(), all.end());
            for (size_t p = 0; p < all.size();) {
                size_t q = p;
                while (q < all.size() && all[q] == all[p]) ++q;
                if (q - p == 1) a.boundary[i] = 1;
                a.nbr.push_back(all[p]);
                p = q;
            }
        }
        a.start[i + 1] = int32_t(a.nbr.size());
    }
    return a;
}

// Filter coefficients: a Hamming-windowed sinc expanded in Chebyshev polynomials of the Laplacian, with the
// offset sigma found by Newton's method so that the response at the pass band is 1. Kept per thread for the
// last parameters (every instance uses the same).
const std::vector<double>& sincCoefficients(int N, double kpb) {
    thread_local int lastN = -1;
    thread_local double lastK = -1;
    thread_local std::vector<double> c;
    if (N == lastN && kpb == lastK) return c;
    const double thetaPb = std::acos(1.0 - 0.5 * kpb);
    std::vector<double> w(size_t(N) + 1), cp(size_t(N) + 1);
    c.assign(size_t(N) + 1, 0.0);
    for (int i = 0; i <= N; ++i) w[size_t(i)] = 0.54 + 0.46 * std::cos(double(i) * M_PI / double(N + 1));
    double sigma = 0;
    for (int it = 0; it < 500; ++it) {
        c[0] = w[0] * (thetaPb + sigma) / M_PI;
        for (int i = 1; i <= N; ++i)
            c[size_t(i)] = 2.0 * w[size_t(i)] * std::sin(double(i) * (thetaPb + sigma)) / (double(i) * M_PI);
        if (N < 2) break;
        cp[size_t(N)] = cp[size_t(N - 1)] = 0;
        cp[size_t(N - 2)] = 2.0 * (N - 1) * c[size_t(N - 1)];
        for (int i = N - 3; i >= 0; --i) cp[size_t(i)] = cp[size_t(i + 2)] + 2.0 * (i + 1) * c[size_t(i + 1)];
        double f = 0, fp = 0;
        for (int i = 0; i <= N; ++i) {
            const double t = std::cos(double(i) * thetaPb);
            f += c[size_t(i)] * t, fp += cp[size_t(i)] * t;
        }
        if (std::fabs(f - 1.0) < 1e-3) break;
        sigma -= (f - 1.0) / fp;
    }
    lastN = N, lastK = kpb;
    return c;
}

} // namespace

// ---- smoothing -------------------------------------------------------------------------------------------

void smoothWindowedSinc(SurfaceMesh& s, int iterations, double passBand) {
    const size_t n = s.vertexCount();
    if (n == 0 || iterations < 1) return;
    const Adjacency adj = adjacency(s);
    const std::vector<double>& c = sincCoefficients(iterations, passBand);
    const int N = iterations;
    // Coordinates centred on the bounding box and scaled by its diagonal.
    double lo[3] = {HUGE_VAL, HUGE_VAL, HUGE_VAL}, hi[3] = {-HUGE_VAL, -HUGE_VAL, -HUGE_VAL};
    for (size_t i = 0; i < n; ++i)
        for (int k = 0; k < 3; ++k)
            lo[k] = std::min(lo[k], s.points[3 * i + size_t(k)]),
            hi[k] = std::max(hi[k], s.points[3 * i + size_t(k)]);
    double centre[3], len = 0;
    for (int k = 0; k < 3; ++k) centre[k] = 0.5 * (lo[k] + hi[k]), len += (hi[k] - lo[k]) * (hi[k] - lo[k]);
    len = std::sqrt(len);
    if (!(len > 0)) return;
    // Single precision: the normalised coordinates are within [-1, 1] and twenty steps of the recurrence
    // lose nothing visible at voxel scale.
    std::vector<float> x0(3 * n), x1(3 * n), x2(3 * n), x3(3 * n), inv(n), moves(n);
    for (size_t i = 0; i < n; ++i) {
        for (int k = 0; k < 3; ++k)
            x0[3 * i + size_t(k)] = float((s.points[3 * i + size_t(k)] - centre[k]) / len);
        const int32_t d = adj.start[i + 1] - adj.start[i];
        inv[i] = d ? 1.0f / float(d) : 0.0f;
        moves[i] = adj.boundary[i] ? 0.0f : 1.0f;
    }
    const int32_t* st = adj.start.data();
    const int32_t* nb = adj.nbr.data();
    {
        const float c0 = float(c[0]), c1 = float(c[1]);
        const float* X0 = x0.data();
        float *X1 = x1.data(), *X3 = x3.data();
        for (size_t i = 0; i < n; ++i) {
            float m0 = 0, m1 = 0, m2 = 0;
            for (int32_t j = st[i]; j < st[i + 1]; ++j) {
                const float* y = X0 + 3 * size_t(nb[j]);
                m0 += y[0], m1 += y[1], m2 += y[2];
            }
            const float* p = X0 + 3 * i;
            // a vertex without neighbours: x1 = 0 (the Laplacian chain stays zero), x3 = x0
            const float h = inv[i] > 0 ? 0.5f : 0.0f;
            const float a0 = h * (p[0] + m0 * inv[i]), a1 = h * (p[1] + m1 * inv[i]),
                        a2 = h * (p[2] + m2 * inv[i]);
            X1[3 * i] = a0, X1[3 * i + 1] = a1, X1[3 * i + 2] = a2;
            const float mv = inv[i] > 0 ? moves[i] : 0.0f;
            X3[3 * i] = p[0] + mv * ((c0 - 1) * p[0] + c1 * a0);
            X3[3 * i + 1] = p[1] + mv * ((c0 - 1) * p[1] + c1 * a1);
            X3[3 * i + 2] = p[2] + mv * ((c0 - 1) * p[2] + c1 * a2);
        }
    }
    for (int it = 2; it <= N; ++it) {
        const float ci = float(c[size_t(it)]);
        const float *X0 = x0.data(), *X1 = x1.data();
        float *X2 = x2.data(), *X3 = x3.data();
        for (size_t i = 0; i < n; ++i) {
            float m0 = 0, m1 = 0, m2 = 0;
            for (int32_t j = st[i]; j < st[i + 1]; ++j) {
                const float* y = X1 + 3 * size_t(nb[j]);
                m0 += y[0], m1 += y[1], m2 += y[2];
            }
            const float* p0 = X0 + 3 * i;
            const float* p1 = X1 + 3 * i;
            const float w = inv[i], cm = ci * moves[i];
            // x2 = x1 - x0 + mean(x1); zero for a vertex without neighbours
            const float d0 = w > 0 ? p1[0] - p0[0] + m0 * w : 0.0f;
            const float d1 = w > 0 ? p1[1] - p0[1] + m1 * w : 0.0f;
            const float d2 = w > 0 ? p1[2] - p0[2] + m2 * w : 0.0f;
            X2[3 * i] = d0, X2[3 * i + 1] = d1, X2[3 * i + 2] = d2;
            X3[3 * i] += cm * d0, X3[3 * i + 1] += cm * d1, X3[3 * i + 2] += cm * d2;
        }
        std::swap(x0, x1), std::swap(x1, x2); // x0 <- x1, x1 <- x2
    }
    for (size_t i = 0; i < n; ++i)
        for (int k = 0; k < 3; ++k)
            s.points[3 * i + size_t(k)] = double(x3[3 * i + size_t(k)]) * len + centre[k];
}

void clampDisplacement(SurfaceMesh& s, const std::vector<double>& before, const InstanceMask& m,
                       double maxDisplacement, double thinInward) {
    const size_t n = s.vertexCount();
    if (before.size() != s.points.size() || s.insideVoxel.size() != n) return;
    const int64_t stride[3] = {1, m.dims[2], m.dims[2] * m.dims[1]};
    const uint8_t* M = m.mask.data();
    for (size_t i = 0; i < n; ++i) {
        const double* a = &before[3 * i];
        double* b = &s.points[3 * i];
        double d[3] = {b[0] - a[0], b[1] - a[1], b[2] - a[2]};
        const int ax = s.axis[i], dir = s.dirIn[i];
        // the voxel beyond the inside one along the axis (inside voxels never touch the mask's padding)
        if (!M[s.insideVoxel[i] + dir * stride[ax]] && d[ax] * dir > thinInward) d[ax] = thinInward * dir;
        const double len = std::sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
        const double f = maxDisplacement > 0 && len > maxDisplacement ? maxDisplacement / len : 1.0;
        for (int k = 0; k < 3; ++k) b[k] = a[k] + d[k] * f;
    }
}

// ---- decimation ------------------------------------------------------------------------------------------

void decimateQuadric(SurfaceMesh& s, double targetReduction) {
    const size_t n = s.vertexCount(), nt = s.triangleCount();
    if (nt < 8 || !(targetReduction > 0)) return;
    const size_t target = nt - size_t(std::llround(double(nt) * std::min(targetReduction, 0.99)));
    std::vector<double>& P = s.points;
    std::vector<int32_t>& T = s.tris;
    // Error quadric of every vertex: the sum over its triangles of area times the squared distance to the
    // triangle's plane, stored as the upper triangle of a symmetric 4x4 matrix.
    std::vector<std::array<double, 10>> Q(n, std::array<double, 10>{});
    auto normalOf = [&](const int32_t* t, const double* moved, int32_t movedId, double nrm[3]) {
        const double* p[3];
        for (int k = 0; k < 3; ++k) p[k] = t[k] == movedId ? moved : &P[3 * size_t(t[k])];
        const double u[3] = {p[1][0] - p[0][0], p[1][1] - p[0][1], p[1][2] - p[0][2]};
        const double v[3] = {p[2][0] - p[0][0], p[2][1] - p[0][1], p[2][2] - p[0][2]};
        nrm[0] = u[1] * v[2] - u[2] * v[1], nrm[1] = u[2] * v[0] - u[0] * v[2],
        nrm[2] = u[0] * v[1] - u[1] * v[0];
    };
    std::vector<std::vector<int32_t>> vt(n);
    for (size_t t = 0; t < nt; ++t) {
        double nrm[3];
        normalOf(&T[3 * t], nullptr, -1, nrm);
        const double l = std::sqrt(nrm[0] * nrm[0] + nrm[1] * nrm[1] + nrm[2] * nrm[2]);
        for (int k = 0; k < 3; ++k) vt[size_t(T[3 * t + size_t(k)])].push_back(int32_t(t));
        if (!(l > 0)) continue;
        const double a = nrm[0] / l, b = nrm[1] / l, c = nrm[2] / l;
        const double* p0 = &P[3 * size_t(T[3 * t])];
        const double d = -(a * p0[0] + b * p0[1] + c * p0[2]), w = 0.5 * l;
        const double q[10] = {a * a, a * b, a * c, a * d, b * b, b * c, b * d, c * c, c * d, d * d};
        for (int k = 0; k < 3; ++k) {
            auto& Qv = Q[size_t(T[3 * t + size_t(k)])];
            for (int j = 0; j < 10; ++j) Qv[size_t(j)] += w * q[j];
        }
    }
    auto error = [](const std::array<double, 10>& q, const double* x) {
        return q[0] * x[0] * x[0] + 2 * q[1] * x[0] * x[1] + 2 * q[2] * x[0] * x[2] + 2 * q[3] * x[0] +
               q[4] * x[1] * x[1] + 2 * q[5] * x[1] * x[2] + 2 * q[6] * x[1] + q[7] * x[2] * x[2] +
               2 * q[8] * x[2] + q[9];
    };
    std::vector<uint8_t> deadTri(nt, 0), gone(n, 0);
    std::vector<uint32_t> version(n, 0);
    struct Candidate {
        double cost;
        int32_t a, b;
        uint32_t va, vb;
        double p[3];
        bool operator<(const Candidate& o) const { return cost > o.cost; } // min-heap
    };
    std::priority_queue<Candidate> heap;
    auto push = [&](int32_t a, int32_t b) {
        std::array<double, 10> q;
        for (int j = 0; j < 10; ++j) q[size_t(j)] = Q[size_t(a)][size_t(j)] + Q[size_t(b)][size_t(j)];
        const double* pa = &P[3 * size_t(a)];
        const double* pb = &P[3 * size_t(b)];
        const double mid[3] = {0.5 * (pa[0] + pb[0]), 0.5 * (pa[1] + pb[1]), 0.5 * (pa[2] + pb[2])};
        Candidate c{error(q, mid), a, b, version[size_t(a)], version[size_t(b)], {mid[0], mid[1], mid[2]}};
        for (const double* x : {pa, pb}) {
            const double e = error(q, x);
            if (e < c.cost) c.cost = e, c.p[0] = x[0], c.p[1] = x[1], c.p[2] = x[2];
        }
        heap.push(c);
    };
    for (size_t t = 0; t < nt; ++t)
        for (int k = 0; k < 3; ++k) {
            const int32_t a = T[3 * t + size_t(k)], b = T[3 * t + size_t((k + 1) % 3)];
            if (a < b) push(a, b); // every interior edge once (the other triangle has it as b -> a)
        }
    size_t alive = nt;
    std::vector<int32_t> na, nb;
    auto neighbours = [&](int32_t v, std::vector<int32_t>& out) {
        out.clear();
        for (int32_t t : vt[size_t(v)])
            if (!deadTri[size_t(t)])
                for (int k = 0; k < 3; ++k)
                    if (T[3 * size_t(t) + size_t(k)] != v) out.push_back(T[3 * size_t(t) + size_t(k)]);
        std::sort(out.begin(), out.end());
        out.erase(std::unique(out.begin(), out.end()), out.end());
    };
    while (alive > target && !heap.empty()) {
        const Candidate c = heap.top();
        heap.pop();
        const int32_t a = c.a, b = c.b;
        if (gone[size_t(a)] || gone[size_t(b)] || version[size_t(a)] != c.va || version[size_t(b)] != c.vb)
            continue;
        // the edge must be shared by exactly two triangles, and a and b by exactly their two opposite
        // vertices
        int shared = 0;
        for (int32_t t : vt[size_t(a)]) {
            if (deadTri[size_t(t)]) continue;
            const int32_t* tv = &T[3 * size_t(t)];
            if (tv[0] == b || tv[1] == b || tv[2] == b) ++shared;
        }
        if (shared != 2) continue;
        neighbours(a, na), neighbours(b, nb);
        size_t common = 0, i = 0, j = 0;
        while (i < na.size() && j < nb.size()) {
            if (na[i] == nb[j])
                ++common, ++i, ++j;
            else if (na[i] < nb[j])
                ++i;
            else
                ++j;
        }
        // (and the merged vertex keeps a small fan: no vertex gathers a star of long thin triangles)
        const size_t valence = na.size() + nb.size() - common - 2;
        if (common != 2 || valence < 3 || valence > 12) continue;
        // no triangle may flip or collapse
        bool ok = true;
        for (int32_t v : {a, b}) {
            for (int32_t t : vt[size_t(v)]) {
                if (deadTri[size_t(t)]) continue;
                const int32_t* tv = &T[3 * size_t(t)];
                const bool hasA = tv[0] == a || tv[1] == a || tv[2] == a,
                           hasB = tv[0] == b || tv[1] == b || tv[2] == b;
                if (hasA && hasB) continue;
                double n0[3], n1[3];
                normalOf(tv, nullptr, -1, n0);
                normalOf(tv, c.p, v, n1);
                const double d = n0[0] * n1[0] + n0[1] * n1[1] + n0[2] * n1[2];
                const double l0 = std::sqrt(n0[0] * n0[0] + n0[1] * n0[1] + n0[2] * n0[2]);
                const double l1 = std::sqrt(n1[0] * n1[0] + n1[1] * n1[1] + n1[2] * n1[2]);
                if (!(d > 0.2 * l0 * l1) || !(l1 > 1e-12)) {
                    ok = false;
                    break;
                }
            }
            if (!ok) break;
        }
        if (!ok) continue;
        // collapse b into a
        for (int k = 0; k < 3; ++k) P[3 * size_t(a) + size_t(k)] = c.p[k];
        for (int j2 = 0; j2 < 10; ++j2) Q[size_t(a)][size_t(j2)] += Q[size_t(b)][size_t(j2)];
        for (int32_t t : vt[size_t(b)]) {
            if (deadTri[size_t(t)]) continue;
            int32_t* tv = &T[3 * size_t(t)];
            if (tv[0] == a || tv[1] == a || tv[2] == a) {
                deadTri[size_t(t)] = 1, --alive;
                continue;
            }
            for (int k = 0; k < 3; ++k)
                if (tv[k] == b) tv[k] = a;
            vt[size_t(a)].push_back(t);
        }
        gone[size_t(b)] = 1;
        vt[size_t(b)].clear();
        auto& la = vt[size_t(a)];
        la.erase(std::remove_if(la.begin(), la.end(), [&](int32_t t) { return deadTri[size_t(t)] != 0; }),
                 la.end());
        ++version[size_t(a)];
        neighbours(a, na);
        for (int32_t v : na) push(std::min(a, v), std::max(a, v));
    }
    // compact
    std::vector<int32_t> remap(n, -1);
    std::vector<double> pts;
    std::vector<int32_t> tris;
    pts.reserve(P.size() / 2), tris.reserve(3 * alive);
    for (size_t t = 0; t < nt; ++t) {
        if (deadTri[t]) continue;
        for (int k = 0; k < 3; ++k) {
            const size_t v = size_t(T[3 * t + size_t(k)]);
            if (remap[v] < 0) {
                remap[v] = int32_t(pts.size() / 3);
                pts.insert(pts.end(), &P[3 * v], &P[3 * v] + 3);
            }
            tris.push_back(remap[v]);
        }
    }
    s.points = std::move(pts), s.tris = std::move(tris);
    s.insideVoxel.clear(), s.axis.clear(), s.dirIn.clear(), s.normals.clear();
}

// ---- normals, area, conversion ---------------------------------------------------------------------------

void computeNormals(SurfaceMesh& s) {
    const size_t n = s.vertexCount();
    std::vector<double> acc(3 * n, 0.0);
    const double* P = s.points.data();
    for (size_t t = 0; t < s.tris.size(); t += 3) {
        const size_t a = size_t(s.tris[t]), b = size_t(s.tris[t + 1]), c = size_t(s.tris[t + 2]);
        const double u[3] = {P[3 * b] - P[3 * a], P[3 * b + 1] - P[3 * a + 1], P[3 * b + 2] - P[3 * a + 2]};
        const double v[3] = {P[3 * c] - P[3 * a], P[3 * c + 1] - P[3 * a + 1], P[3 * c + 2] - P[3 * a + 2]};
        const double nx = u[1] * v[2] - u[2] * v[1], ny = u[2] * v[0] - u[0] * v[2],
                     nz = u[0] * v[1] - u[1] * v[0];
        for (size_t p : {a, b, c}) acc[3 * p] += nx, acc[3 * p + 1] += ny, acc[3 * p + 2] += nz;
    }
    s.normals.resize(3 * n);
    for (size_t i = 0; i < n; ++i) {
        const double* a = &acc[3 * i];
        const double l = std::sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]);
        for (int k = 0; k < 3; ++k) s.normals[3 * i + size_t(k)] = l > 0 ? float(a[k] / l) : 0.0f;
    }
}

double surfaceArea(const SurfaceMesh& s) {
    const double* P = s.points.data();
    double sum = 0;
    for (size_t t = 0; t < s.tris.size(); t += 3) {
        const size_t a = size_t(s.tris[t]), b = size_t(s.tris[t + 1]), c = size_t(s.tris[t + 2]);
        const double u[3] = {P[3 * b] - P[3 * a], P[3 * b + 1] - P[3 * a + 1], P[3 * b + 2] - P[3 * a + 2]};
        const double v[3] = {P[3 * c] - P[3 * a], P[3 * c + 1] - P[3 * a + 1], P[3 * c + 2] - P[3 * a + 2]};
        const double nx = u[1] * v[2] - u[2] * v[1], ny = u[2] * v[0] - u[0] * v[2],
                     nz = u[0] * v[1] - u[1] * v[0];
        sum += 0.5 * std::sqrt(nx * nx + ny * ny + nz * nz);
    }
    return sum;
}

vtkSmartPointer<vtkPolyData> toPolyData(const SurfaceMesh& s) {
    const vtkIdType n = vtkIdType(s.vertexCount()), nt = vtkIdType(s.triangleCount());
    auto xyz = vtkSmartPointer<vtkFloatArray>::New();
    xyz->SetNumberOfComponents(3);
    xyz->SetNumberOfTuples(n);
    float* p = xyz->GetPointer(0);
    for (size_t i = 0; i < s.points.size(); ++i) p[i] = float(s.points[i]);
    auto pts = vtkSmartPointer<vtkPoints>::New();
    pts->SetData(xyz);
    auto offsets = vtkSmartPointer<vtkTypeInt32Array>::New();
    offsets->SetNumberOfTuples(nt + 1);
    int32_t* o = offsets->GetPointer(0);
    for (vtkIdType t = 0; t <= nt; ++t) o[t] = int32_t(3 * t);
    auto conn = vtkSmartPointer<vtkTypeInt32Array>::New();
    conn->SetNumberOfTuples(3 * nt);
    std::copy(s.tris.begin(), s.tris.end(), conn->GetPointer(0));
    auto polys = vtkSmartPointer<vtkCellArray>::New();
    polys->SetData(offsets, conn);
    auto out = vtkSmartPointer<vtkPolyData>::New();
    out->SetPoints(pts);
    out->SetPolys(polys);
    if (s.normals.size() == s.points.size() && n > 0) {
        auto nr = vtkSmartPointer<vtkFloatArray>::New();
        nr->SetName("Normals");
        nr->SetNumberOfComponents(3);
        nr->SetNumberOfTuples(n);
        std::copy(s.normals.begin(), s.normals.end(), nr->GetPointer(0));
        out->GetPointData()->SetNormals(nr);
    }
    return out;
}

} // namespace nr
