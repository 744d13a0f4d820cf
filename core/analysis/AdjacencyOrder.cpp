#include "analysis/AdjacencyOrder.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

#include "analysis/GraphAnalysis.h"

namespace nr {

namespace {

// Nodes sorted by group (groups in order of first appearance unless `groupOrder` ranks them), by degree
// (descending) within a group, then by id.
AdjacencyOrder byGroups(const Graph& g, const std::vector<std::string>& label, const std::vector<int>& rank) {
    const auto deg = g.degrees();
    AdjacencyOrder o;
    o.order.resize(g.nodeCount());
    std::iota(o.order.begin(), o.order.end(), 0u);
    std::stable_sort(o.order.begin(), o.order.end(), [&](uint32_t a, uint32_t b) {
        if (rank[a] != rank[b]) return rank[a] < rank[b];
        if (deg[a] != deg[b]) return deg[a] > deg[b];
        return a < b;
    });
    for (uint32_t i : o.order) o.groups.push_back(label[i]);
    return o;
}

std::vector<std::string> columnText(const Graph& g, const std::string& column, bool& found) {
    found = true;
    if (column == "class" && g.nodeClass.size() == g.nodeCount()) return g.nodeClass;
    if (auto t = g.nodeText.find(column); t != g.nodeText.end() && t->second.size() == g.nodeCount())
        return t->second;
    if (auto t = g.nodeNumeric.find(column); t != g.nodeNumeric.end() && t->second.size() == g.nodeCount()) {
        std::vector<std::string> s;
        for (float v : t->second) s.push_back(std::isfinite(v) ? std::to_string(v) : "");
        return s;
    }
    found = false;
    return {};
}

Result<AdjacencyOrder> clusterOrder(const Graph& g) {
    const size_t n = g.nodeCount();
    if (n > kMaxClusterNodes)
        return Error{"", 0,
                     "hierarchical clustering orders at most " + std::to_string(kMaxClusterNodes) +
                         " nodes; this graph has " + std::to_string(n) +
                         " (order by class or community instead)"};
    // Connection profiles: |w| to each target (first n columns) and from each source (next n).
    Eigen::MatrixXf p = Eigen::MatrixXf::Zero(Eigen::Index(n), Eigen::Index(2 * n));
    for (size_t e = 0; e < g.edgeCount(); ++e) {
        const float w = std::fabs(g.weight.empty() ? 1.f : g.weight[e]);
        const auto s = Eigen::Index(g.src[e]), t = Eigen::Index(g.dst[e]);
        p(s, t) += w;
        p(t, Eigen::Index(n) + s) += w;
        if (!g.directed && s != t) {
            p(t, s) += w;
            p(s, Eigen::Index(n) + t) += w;
        }
    }
    for (Eigen::Index i = 0; i < p.rows(); ++i) {
        const float nr = p.row(i).norm();
        if (nr > 0) p.row(i) /= nr;
    }
    Eigen::MatrixXf d = Eigen::MatrixXf::Ones(Eigen::Index(n), Eigen::Index(n)) - p * p.transpose();
    p.resize(0, 0);
    // Average linkage by the nearest-neighbour chain.
    std::vector<size_t> size(n, 1);
    std::vector<char> active(n, 1);
    std::vector<size_t> tree(n); // dendrogram node of each active slot
    std::iota(tree.begin(), tree.end(), size_t(0));
    std::vector<std::pair<size_t, size_t>> merges; // children of dendrogram node n + k
    std::vector<size_t> chain;
    size_t left = n;
    while (left > 1) {
        if (chain.empty())
            for (size_t i = 0; i < n; ++i)
                if (active[i]) {
                    chain.push_back(i);
                    break;
                }
        const size_t a = chain.back();
        size_t b = chain.size() >= 2 ? chain[chain.size() - 2] : n;
        float best = b < n ? d(Eigen::Index(a), Eigen::Index(b)) : std::numeric_limits<float>::infinity();
        for (size_t c = 0; c < n; ++c)
            if (active[c] && c != a && d(Eigen::Index(a), Eigen::Index(c)) < best) {
                best = d(Eigen::Index(a), Eigen::Index(c));
                b = c;
            }
        if (chain.size() >= 2 && b == chain[chain.size() - 2]) {
            chain.pop_back();
            chain.pop_back();
            const size_t keep = std::min(a, b), drop = std::max(a, b);
            const float sa = float(size[keep]), sb = float(size[drop]);
            for (size_t c = 0; c < n; ++c) {
                if (!active[c] || c == keep || c == drop) continue;
                const float v = (sa * d(Eigen::Index(keep), Eigen::Index(c)) +
                                 sb * d(Eigen::Index(drop), Eigen::Index(c))) /
                                (sa + sb);
                d(Eigen::Index(keep), Eigen::Index(c)) = d(Eigen::Index(c), Eigen::Index(keep)) = v;
            }
            merges.push_back({tree[keep], tree[drop]});
            tree[keep] = n + merges.size() - 1;
            size[keep] += size[drop];
            active[drop] = 0;
            --left;
        } else {
            chain.push_back(b);
        }
    }
    AdjacencyOrder o;
    if (n == 1) {
        o.order = {0};
        return o;
    }
    std::vector<size_t> stack{n + merges.size() - 1};
    while (!stack.empty()) {
        const size_t t = stack.back();
        stack.pop_back();
        if (t < n) {
            o.order.push_back(uint32_t(t));
            continue;
        }
        stack.push_back(merges[t - n].second);
        stack.push_back(merges[t - n].first);
    }
    return o;
}

} // namespace

Result<AdjacencyOrder> adjacencyOrder(const Graph& g, AdjacencyOrderKind kind, const std::string& column) {
    const size_t n = g.nodeCount();
    AdjacencyOrder o;
    switch (kind) {
    case AdjacencyOrderKind::File:
        o.order.resize(n);
        std::iota(o.order.begin(), o.order.end(), 0u);
        return o;
    case AdjacencyOrderKind::Class: {
        bool found = false;
        const std::vector<std::string> label = columnText(g, column, found);
        if (!found) return Error{"", 0, "the graph has no node column '" + column + "' to order by"};
        std::map<std::string, int> first;
        std::vector<int> rank(n);
        for (size_t i = 0; i < n; ++i) rank[i] = first.emplace(label[i], int(first.size())).first->second;
        return byGroups(g, label, rank);
    }
    case AdjacencyOrderKind::Community: {
        bool positive = true;
        for (float w : g.weight) positive = positive && w > 0;
        auto c = detectCommunities(g, positive);
        if (!c) return c.error();
        // Communities by size, largest first.
        const auto& m = c.value().membership;
        std::vector<size_t> count(size_t(c.value().count), 0);
        for (int k : m) ++count[size_t(k)];
        std::vector<int> byCount(count.size());
        std::iota(byCount.begin(), byCount.end(), 0);
        std::stable_sort(byCount.begin(), byCount.end(),
                         [&](int a, int b) { return count[size_t(a)] > count[size_t(b)]; });
        std::vector<int> rankOf(count.size());
        for (size_t r = 0; r < byCount.size(); ++r) rankOf[size_t(byCount[r])] = int(r);
        std::vector<int> rank(n);
        std::vector<std::string> label(n);
        for (size_t i = 0; i < n; ++i) {
            rank[i] = rankOf[size_t(m[i])];
            label[i] = "community " + std::to_string(rank[i] + 1);
        }
        return byGroups(g, label, rank);
    }
    case AdjacencyOrderKind::Cluster:
        return clusterOrder(g);
    }
    return o;
}

std::vector<float> adjacencyCells(const Graph& g, const std::vector<uint32_t>& order, size_t bins,
                                  size_t* cells, size_t* span) {
    const size_t n = order.size();
    const size_t k = std::max<size_t>(1, (n + std::max<size_t>(bins, 1) - 1) / std::max<size_t>(bins, 1));
    const size_t m = n ? (n + k - 1) / k : 0;
    if (cells) *cells = m;
    if (span) *span = k;
    std::vector<float> v(m * m, 0.f);
    std::vector<char> any(m * m, 0);
    std::vector<uint32_t> pos(g.nodeCount(), UINT32_MAX);
    for (size_t i = 0; i < n; ++i)
        if (order[i] < pos.size()) pos[order[i]] = uint32_t(i);
    for (size_t e = 0; e < g.edgeCount(); ++e) {
        const uint32_t a = pos[g.src[e]], b = pos[g.dst[e]];
        if (a == UINT32_MAX || b == UINT32_MAX) continue;
        const float w = g.weight.empty() ? 1.f : g.weight[e];
        const size_t r = a / k, c = b / k;
        v[r * m + c] += w;
        any[r * m + c] = 1;
        if (!g.directed && r != c) {
            v[c * m + r] += w;
            any[c * m + r] = 1;
        } else if (!g.directed && a != b) {
            v[r * m + c] += w; // both cells of the pair fall in one pixel
        }
    }
    for (size_t i = 0; i < v.size(); ++i)
        if (!any[i]) v[i] = std::numeric_limits<float>::quiet_NaN();
    return v;
}

} // namespace nr
