#include "vessel/VesselGraph.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace nr {

namespace {
template <class C> const std::vector<float>* findColumn(const C& cols, const std::string& name) {
    for (const auto& c : cols)
        if (c.name == name) return &c.values;
    return nullptr;
}
template <class C> void putColumn(C& cols, const std::string& name, std::vector<float> v) {
    for (auto& c : cols)
        if (c.name == name) {
            c.values = std::move(v);
            return;
        }
    cols.push_back({name, std::move(v)});
}
} // namespace

const std::vector<float>* VesselGraph::edgeColumn(const std::string& name) const {
    return findColumn(edgeColumns, name);
}
const std::vector<float>* VesselGraph::nodeColumn(const std::string& name) const {
    return findColumn(nodeColumns, name);
}
std::vector<float>* VesselGraph::edgeColumn(const std::string& name) {
    return const_cast<std::vector<float>*>(findColumn(edgeColumns, name));
}
std::vector<float>* VesselGraph::nodeColumn(const std::string& name) {
    return const_cast<std::vector<float>*>(findColumn(nodeColumns, name));
}
void VesselGraph::setEdgeColumn(const std::string& name, std::vector<float> values) {
    putColumn(edgeColumns, name, std::move(values));
}
void VesselGraph::setNodeColumn(const std::string& name, std::vector<float> values) {
    putColumn(nodeColumns, name, std::move(values));
}

float VesselGraph::euclidean(size_t e) const {
    const uint32_t a = src[e], b = dst[e];
    // In double: the squares of float differences overflow float from about 1e19 on.
    const double dx = double(x[a]) - x[b], dy = double(y[a]) - y[b], dz = double(z[a]) - z[b];
    return float(std::sqrt(dx * dx + dy * dy + dz * dz));
}

std::vector<float> VesselGraph::edgeLengths() const {
    if (!lengthColumn.empty())
        if (const auto* c = edgeColumn(lengthColumn)) return *c;
    std::vector<float> out(edgeCount());
    for (size_t e = 0; e < out.size(); ++e) out[e] = euclidean(e);
    return out;
}

std::vector<float> VesselGraph::edgeRadii() const {
    if (!radiusColumn.empty())
        if (const auto* c = edgeColumn(radiusColumn)) return *c;
    return std::vector<float>(edgeCount(), std::numeric_limits<float>::quiet_NaN());
}

void VesselGraph::computeBounds() {
    if (x.empty()) {
        std::fill(bounds, bounds + 6, 0.f);
        return;
    }
    const std::vector<float>* axes[3] = {&x, &y, &z};
    for (int a = 0; a < 3; ++a) {
        auto mm = std::minmax_element(axes[a]->begin(), axes[a]->end());
        bounds[2 * a] = *mm.first;
        bounds[2 * a + 1] = *mm.second;
    }
}

size_t VesselGraph::memoryBytes() const {
    size_t b = nodeIds.capacity() * sizeof(int64_t) + edgeIds.capacity() * sizeof(int64_t);
    b += (x.capacity() + y.capacity() + z.capacity()) * sizeof(float);
    b += (src.capacity() + dst.capacity()) * sizeof(uint32_t);
    for (const auto& c : nodeColumns) b += c.values.capacity() * sizeof(float) + c.name.capacity();
    for (const auto& c : edgeColumns) b += c.values.capacity() * sizeof(float) + c.name.capacity();
    b += (nodeColumns.capacity() + edgeColumns.capacity()) * sizeof(VesselColumn);
    return b;
}

std::vector<uint32_t> vesselDegrees(const VesselGraph& g) {
    std::vector<uint32_t> d(g.nodeCount(), 0);
    for (size_t e = 0; e < g.edgeCount(); ++e) {
        ++d[g.src[e]];
        ++d[g.dst[e]];
    }
    return d;
}

size_t vesselComponents(const VesselGraph& g, std::vector<uint32_t>* label) {
    const size_t n = g.nodeCount();
    std::vector<uint32_t> parent(n);
    std::iota(parent.begin(), parent.end(), 0u);
    auto find = [&](uint32_t a) {
        while (parent[a] != a) {
            parent[a] = parent[parent[a]];
            a = parent[a];
        }
        return a;
    };
    size_t comps = n;
    for (size_t e = 0; e < g.edgeCount(); ++e) {
        uint32_t a = find(g.src[e]), b = find(g.dst[e]);
        if (a == b) continue;
        if (a < b) std::swap(a, b);
        parent[a] = b;
        --comps;
    }
    if (label) {
        label->assign(n, 0);
        std::vector<uint32_t> idx(n, UINT32_MAX);
        uint32_t next = 0;
        for (size_t i = 0; i < n; ++i) {
            const uint32_t r = find(uint32_t(i));
            if (idx[r] == UINT32_MAX) idx[r] = next++;
            (*label)[i] = idx[r];
        }
    }
    return comps;
}

VesselStats vesselStats(const VesselGraph& g) {
    VesselStats s;
    s.nodes = g.nodeCount();
    s.edges = g.edgeCount();
    s.components = vesselComponents(g);
    const std::vector<float> len = g.edgeLengths();
    for (float v : len) s.totalLength += v;
    const std::vector<float> rad = g.edgeRadii();
    double rs = 0;
    size_t rn = 0;
    for (float v : rad)
        if (!std::isnan(v)) rs += v, ++rn;
    s.meanRadius = rn ? rs / double(rn) : std::numeric_limits<double>::quiet_NaN();
    const double dx = double(g.bounds[1]) - g.bounds[0], dy = double(g.bounds[3]) - g.bounds[2],
                 dz = double(g.bounds[5]) - g.bounds[4];
    s.boxVolume = dx * dy * dz;
    s.lengthDensity = s.boxVolume > 0 ? s.totalLength / s.boxVolume : 0;
    for (uint32_t d : vesselDegrees(g)) {
        if (d >= s.degreeCounts.size()) s.degreeCounts.resize(d + 1, 0);
        ++s.degreeCounts[d];
    }
    double ts = 0;
    size_t tn = 0;
    for (size_t e = 0; e < g.edgeCount(); ++e) {
        const float dist = g.euclidean(e);
        if (dist > 0) ts += double(len[e]) / dist, ++tn;
    }
    s.meanTortuosity = tn ? ts / double(tn) : std::numeric_limits<double>::quiet_NaN();
    return s;
}

std::vector<std::string> VesselGraph::colorColumns() const {
    std::vector<std::string> c;
    if (!radiusColumn.empty()) c.push_back("radius");
    c.push_back("length");
    for (const auto& col : edgeColumns)
        if (col.name != radiusColumn && col.name != "length") c.push_back(col.name);
    return c;
}

Histogram histogram(const std::vector<float>& values, size_t bins, double lo, double hi) {
    Histogram h;
    h.lo = lo;
    h.hi = hi;
    h.counts.assign(bins ? bins : 1, 0);
    const double w = (hi - lo) / double(h.counts.size());
    for (float v : values) {
        if (std::isnan(v) || v < lo || v > hi) continue;
        size_t b = w > 0 ? size_t((v - lo) / w) : 0;
        if (b >= h.counts.size()) b = h.counts.size() - 1;
        ++h.counts[b];
    }
    return h;
}

Histogram histogram(const std::vector<float>& values, size_t bins) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (float v : values)
        if (!std::isnan(v)) lo = std::min(lo, double(v)), hi = std::max(hi, double(v));
    if (lo > hi) lo = hi = 0;
    return histogram(values, bins, lo, hi);
}

} // namespace nr
