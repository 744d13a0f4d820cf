#include <algorithm>
#include <cmath>

#include "morph/Morphology.h"

namespace nr {

MorphTree buildTree(const Morphology& m) {
    const size_t n = m.size();
    MorphTree t;
    t.childStart.assign(n + 1, 0);
    for (size_t i = 0; i < n; ++i)
        if (m.parent[i] >= 0) ++t.childStart[size_t(m.parent[i]) + 1];
    for (size_t i = 0; i < n; ++i) t.childStart[i + 1] += t.childStart[i];
    t.children.resize(size_t(t.childStart[n]));
    std::vector<int32_t> fill(t.childStart.begin(), t.childStart.end() - 1);
    for (size_t i = 0; i < n; ++i)
        if (m.parent[i] >= 0) t.children[size_t(fill[size_t(m.parent[i])]++)] = int32_t(i);
    t.order.reserve(n);
    std::vector<int32_t> stack;
    for (size_t r = 0; r < n; ++r) {
        if (m.parent[r] >= 0) continue;
        stack.push_back(int32_t(r));
        while (!stack.empty()) {
            const int32_t v = stack.back();
            stack.pop_back();
            t.order.push_back(v);
            for (int32_t k = t.childStart[size_t(v) + 1]; k-- > t.childStart[size_t(v)];)
                stack.push_back(t.children[size_t(k)]);
        }
    }
    return t;
}

static double segLen(const Morphology& m, size_t a, size_t b) {
    const double dx = m.x[a] - m.x[b], dy = m.y[a] - m.y[b], dz = m.z[a] - m.z[b];
    return std::sqrt(dx * dx + dy * dy + dz * dz);
}

std::vector<double> pathDistances(const Morphology& m, const MorphTree& t, double unitScale) {
    std::vector<double> d(m.size(), 0.0);
    for (int32_t v : t.order) {
        const int32_t p = m.parent[size_t(v)];
        if (p >= 0) d[size_t(v)] = d[size_t(p)] + segLen(m, size_t(v), size_t(p)) * unitScale;
    }
    return d;
}

std::vector<int> branchOrders(const Morphology& m, const MorphTree& t) {
    std::vector<int> o(m.size(), 0);
    for (int32_t v : t.order) {
        const int32_t p = m.parent[size_t(v)];
        if (p >= 0) o[size_t(v)] = o[size_t(p)] + (t.childCount(p) >= 2 ? 1 : 0);
    }
    return o;
}

Morphometrics computeMorphometrics(const Morphology& m, double unitScale, double shollStep) {
    const double s = unitScale * m.unitScale;
    const size_t n = m.size();
    Morphometrics r;
    r.nodes = n;
    if (n == 0) return r;
    const MorphTree t = buildTree(m);
    const std::vector<double> pd = pathDistances(m, t, s);
    const std::vector<int> bo = branchOrders(m, t);

    r.bboxMin[0] = r.bboxMax[0] = m.x[0] * s;
    r.bboxMin[1] = r.bboxMax[1] = m.y[0] * s;
    r.bboxMin[2] = r.bboxMax[2] = m.z[0] * s;
    for (size_t i = 0; i < n; ++i) {
        const double p[3] = {m.x[i] * s, m.y[i] * s, m.z[i] * s};
        for (int k = 0; k < 3; ++k) {
            r.bboxMin[k] = std::min(r.bboxMin[k], p[k]);
            r.bboxMax[k] = std::max(r.bboxMax[k], p[k]);
        }
        if (m.parent[i] < 0)
            ++r.roots;
        else
            r.totalLength += segLen(m, i, size_t(m.parent[i])) * s;
        const int c = t.childCount(int(i));
        if (c == 0) ++r.tips;
        if (c >= 2) ++r.branchPoints;
        r.maxPathLength = std::max(r.maxPathLength, pd[i]);
    }

    // Sholl: segments crossing spheres of radius k*step around the soma (else the first root).
    int centre = m.soma();
    if (centre < 0)
        for (size_t i = 0; i < n && centre < 0; ++i)
            if (m.parent[i] < 0) centre = int(i);
    r.shollCenter[0] = m.x[size_t(centre)] * s;
    r.shollCenter[1] = m.y[size_t(centre)] * s;
    r.shollCenter[2] = m.z[size_t(centre)] * s;
    std::vector<double> dc(n);
    double maxD = 0;
    for (size_t i = 0; i < n; ++i) {
        const double dx = m.x[i] * s - r.shollCenter[0], dy = m.y[i] * s - r.shollCenter[1],
                     dz = m.z[i] * s - r.shollCenter[2];
        dc[i] = std::sqrt(dx * dx + dy * dy + dz * dz);
        maxD = std::max(maxD, dc[i]);
    }
    r.shollStep = shollStep > 0 ? shollStep : (maxD > 0 ? maxD / 50 : 1.0);
    const size_t shells = size_t(std::min(1.0e6, std::floor(maxD / r.shollStep)));
    r.shollIntersections.assign(shells, 0);
    for (size_t k = 0; k < shells; ++k) r.shollRadius.push_back(double(k + 1) * r.shollStep);
    for (size_t i = 0; i < n; ++i) {
        if (m.parent[i] < 0) continue;
        const double a = dc[i], b = dc[size_t(m.parent[i])];
        const double lo = std::min(a, b), hi = std::max(a, b);
        // shells with lo < k*step <= hi
        size_t k0 = size_t(std::floor(lo / r.shollStep)) + 1, k1 = size_t(std::floor(hi / r.shollStep));
        if (double(k0) * r.shollStep <= lo) ++k0; // guards rounding at exact multiples
        for (size_t k = k0; k <= k1 && k <= shells; ++k) ++r.shollIntersections[k - 1];
    }

    // Branches: from each root or branch point, one per child, down to the next tip or branch point.
    for (int32_t v : t.order) {
        const int c = t.childCount(v);
        if (!(m.parent[size_t(v)] < 0 || c >= 2)) continue;
        for (int32_t k = t.childStart[size_t(v)]; k < t.childStart[size_t(v) + 1]; ++k) {
            MorphBranch b;
            b.first = t.children[size_t(k)];
            b.startId = m.ids[size_t(v)];
            b.order = bo[size_t(b.first)];
            int32_t u = b.first;
            b.length = segLen(m, size_t(u), size_t(v)) * s;
            b.nodes = 1;
            while (t.childCount(u) == 1) {
                const int32_t w = t.children[size_t(t.childStart[size_t(u)])];
                b.length += segLen(m, size_t(w), size_t(u)) * s;
                ++b.nodes;
                u = w;
            }
            b.last = u;
            b.endId = m.ids[size_t(u)];
            b.type = m.type[size_t(u)];
            b.euclidean = segLen(m, size_t(u), size_t(v)) * s;
            b.endsInTip = t.childCount(u) == 0;
            r.branches.push_back(b);
        }
    }
    return r;
}

} // namespace nr
