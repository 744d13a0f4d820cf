#include "Graph.h"

#include "base/Text.h"

#include <algorithm>
#include <cctype>
#include <limits>
#include <stdexcept>

namespace nr {

uint32_t Graph::addNode(const std::string& name) {
    auto it = index_.find(name);
    if (it != index_.end()) return it->second;
    uint32_t id = static_cast<uint32_t>(names.size());
    names.push_back(name);
    index_.emplace(name, id);
    outDirty_ = inDirty_ = true;
    return id;
}

uint8_t Graph::typeIndex(const std::string& t) {
    for (size_t i = 0; i < edgeTypes.size(); ++i)
        if (edgeTypes[i] == t) return static_cast<uint8_t>(i);
    if (edgeTypes.size() >= 255) throw std::length_error("more than 255 edge types");
    edgeTypes.push_back(t);
    return static_cast<uint8_t>(edgeTypes.size() - 1);
}

void Graph::addEdge(uint32_t s, uint32_t d, float w, uint8_t t) {
    src.push_back(s);
    dst.push_back(d);
    weight.push_back(w);
    type.push_back(t);
    outDirty_ = inDirty_ = true;
}

void Graph::reserveEdges(size_t n) {
    src.reserve(n);
    dst.reserve(n);
    weight.reserve(n);
    type.reserve(n);
}

long Graph::findNode(const std::string& name) const {
    auto it = index_.find(name);
    if (it != index_.end()) return it->second;
    // Nodes may have been filled in without addNode(); fall back to a scan.
    const std::string want = lower(name);
    for (size_t i = 0; i < names.size(); ++i)
        if (names[i] == name || lower(names[i]) == want) return static_cast<long>(i);
    return -1;
}

Csr buildCsr(size_t n, const std::vector<uint32_t>& from, const std::vector<uint32_t>& to) {
    Csr c;
    c.off.assign(n + 1, 0);
    for (uint32_t f : from) ++c.off[f + 1];
    for (size_t i = 0; i < n; ++i) c.off[i + 1] += c.off[i];
    c.idx.resize(from.size());
    c.edge.resize(from.size());
    std::vector<uint32_t> fill(c.off.begin(), c.off.end() - 1);
    for (size_t e = 0; e < from.size(); ++e) {
        uint32_t k = fill[from[e]]++;
        c.idx[k] = to[e];
        c.edge[k] = static_cast<uint32_t>(e);
    }
    return c;
}

const Csr& Graph::out() const {
    std::lock_guard<std::mutex> guard(lock_.m);
    if (outDirty_) {
        out_ = buildCsr(nodeCount(), src, dst);
        outDirty_ = false;
    }
    return out_;
}

const Csr& Graph::in() const {
    std::lock_guard<std::mutex> guard(lock_.m);
    if (inDirty_) {
        in_ = buildCsr(nodeCount(), dst, src);
        inDirty_ = false;
    }
    return in_;
}

std::vector<uint32_t> Graph::inDegrees() const {
    std::vector<uint32_t> d(nodeCount(), 0);
    for (uint32_t v : dst) ++d[v];
    return d;
}

std::vector<uint32_t> Graph::outDegrees() const {
    std::vector<uint32_t> d(nodeCount(), 0);
    for (uint32_t v : src) ++d[v];
    return d;
}

std::vector<uint32_t> Graph::degrees() const {
    std::vector<uint32_t> d(nodeCount(), 0);
    for (size_t e = 0; e < src.size(); ++e) {
        ++d[src[e]];
        ++d[dst[e]];
    }
    return d;
}

std::vector<std::string> Graph::nodeColumnNames() const {
    std::vector<std::string> cols{"degree", "in-degree", "out-degree"};
    if (!nodeClass.empty()) cols.push_back("class");
    // A file column named like a computed one ("degree" in VesselGraph node tables) is listed once.
    auto add = [&cols](const std::string& name) {
        if (std::find(cols.begin(), cols.end(), name) == cols.end()) cols.push_back(name);
    };
    for (auto& kv : nodeNumeric) add(kv.first);
    for (auto& kv : nodeText) add(kv.first);
    return cols;
}

std::vector<float> Graph::bounds() const {
    std::vector<float> b(6, 0.f);
    if (!hasPositions() || names.empty()) return b;
    const float inf = std::numeric_limits<float>::infinity();
    b = {inf, inf, inf, -inf, -inf, -inf};
    for (size_t i = 0; i < x.size(); ++i) {
        b[0] = std::min(b[0], x[i]);
        b[1] = std::min(b[1], y[i]);
        b[2] = std::min(b[2], z[i]);
        b[3] = std::max(b[3], x[i]);
        b[4] = std::max(b[4], y[i]);
        b[5] = std::max(b[5], z[i]);
    }
    return b;
}

size_t Graph::memoryBytes() const {
    size_t b = src.capacity() * 4 + dst.capacity() * 4 + weight.capacity() * 4 + type.capacity();
    b += (x.capacity() + y.capacity() + z.capacity()) * 4;
    for (auto& n : names) b += sizeof(std::string) + (n.size() > 15 ? n.capacity() : 0);
    b += index_.size() * 48;
    for (const Csr* c : {&out_, &in_}) b += (c->off.capacity() + c->idx.capacity() + c->edge.capacity()) * 4;
    for (auto& kv : nodeNumeric) b += kv.second.capacity() * 4;
    return b;
}

} // namespace nr
