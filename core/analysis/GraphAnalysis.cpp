#include "analysis/GraphAnalysis.h"

#include <algorithm>
#include <igraph/igraph.h>
#include <map>
#include <mutex>
#include <numeric>
#include <random>

namespace nr {

namespace {

// Leiden passes at most; each pass starts from the previous partition. Real graphs settle in a few.
constexpr int kLeidenMaxPasses = 50;

// Exact betweenness costs one breadth-first search per node, n (n + m) steps; above this many steps it is
// estimated from a seeded sample of sources (Brandes and Pich 2007), scaled up to all sources.
constexpr double kBetweennessExactWork = 4e9;
constexpr double kBetweennessSampleWork = 4e8;

// igraph's default random generator and error handler are process-wide.
std::mutex& igraphMutex() {
    static std::mutex m;
    return m;
}

struct IGraph {
    igraph_t g;
    bool ok = false;
    IGraph(const Graph& graph, bool directed) {
        igraph_vector_int_t edges;
        igraph_vector_int_init(&edges, igraph_integer_t(2 * graph.edgeCount()));
        for (size_t e = 0; e < graph.edgeCount(); ++e) {
            VECTOR(edges)[2 * e] = graph.src[e];
            VECTOR(edges)[2 * e + 1] = graph.dst[e];
        }
        ok = igraph_create(&g, &edges, igraph_integer_t(graph.nodeCount()), directed) == IGRAPH_SUCCESS;
        igraph_vector_int_destroy(&edges);
    }
    ~IGraph() {
        if (ok) igraph_destroy(&g);
    }
    IGraph(const IGraph&) = delete;
    IGraph& operator=(const IGraph&) = delete;
};

struct ErrorHandlerScope {
    igraph_error_handler_t* old;
    ErrorHandlerScope() : old(igraph_set_error_handler(igraph_error_handler_printignore)) {}
    ~ErrorHandlerScope() { igraph_set_error_handler(old); }
};

} // namespace

std::vector<double> degreeColumn(const Graph& g) {
    const auto d = g.degrees();
    return std::vector<double>(d.begin(), d.end());
}

Result<Communities> detectCommunities(const Graph& graph, bool useWeights, double resolution, uint64_t seed) {
    Communities out;
    const size_t n = graph.nodeCount(), m = graph.edgeCount();
    if (n == 0) return out;
    if (!(resolution > 0)) return Error{"", 0, "resolution must be positive"};
    std::vector<double> w(m, 1.0);
    if (useWeights && graph.weight.size() == m) {
        for (size_t e = 0; e < m; ++e) {
            if (!(graph.weight[e] > 0))
                return Error{"", 0,
                             "edge " + graph.names[graph.src[e]] + " - " + graph.names[graph.dst[e]] +
                                 " has a non-positive weight; communities need positive weights"};
            w[e] = graph.weight[e];
        }
    }
    std::lock_guard<std::mutex> lock(igraphMutex());
    ErrorHandlerScope handler;
    IGraph ig(graph, false);
    if (!ig.ok) return Error{"", 0, "could not build the igraph graph"};
    igraph_vector_t weights, strength;
    igraph_vector_view(&weights, w.data(), igraph_integer_t(m));
    std::vector<double> s(n, 0.0);
    double total = 0;
    for (size_t e = 0; e < m; ++e) {
        s[graph.src[e]] += w[e];
        s[graph.dst[e]] += w[e];
        total += w[e];
    }
    if (total <= 0) {
        // No edges: every node is its own community.
        out.membership.resize(n);
        for (size_t i = 0; i < n; ++i) out.membership[i] = int(i);
        out.count = int(n);
        return out;
    }
    igraph_vector_view(&strength, s.data(), igraph_integer_t(n));
    igraph_rng_seed(igraph_rng_default(), igraph_uint_t(seed));
    igraph_vector_int_t membership;
    igraph_vector_int_init(&membership, 0);
    igraph_integer_t clusters = 0;
    igraph_real_t quality = 0;
    // igraph's "iterate until stable" (n_iterations < 0) stops only after an iteration that changes the
    // partition, so a graph where nothing can move (every edge a self-loop) spins for ever. Iterate here,
    // one pass at a time from the previous partition, until a pass changes nothing or kLeidenMaxPasses.
    igraph_error_t rc = IGRAPH_SUCCESS;
    std::vector<igraph_integer_t> previous;
    for (int pass = 0; pass < kLeidenMaxPasses; ++pass) {
        rc = igraph_community_leiden(&ig.g, &weights, &strength, resolution / (2 * total), 0.01, pass > 0, 1,
                                     &membership, &clusters, &quality);
        if (rc != IGRAPH_SUCCESS) break;
        const igraph_integer_t* mb = VECTOR(membership);
        if (pass > 0 && std::equal(previous.begin(), previous.end(), mb)) break;
        previous.assign(mb, mb + n);
    }
    if (rc != IGRAPH_SUCCESS) {
        igraph_vector_int_destroy(&membership);
        return Error{"", 0, std::string("Leiden failed: ") + igraph_strerror(rc)};
    }
    // Renumber by first appearance so results are stable and dense.
    std::map<igraph_integer_t, int> relabel;
    out.membership.resize(n);
    for (size_t i = 0; i < n; ++i) {
        auto it = relabel.emplace(VECTOR(membership)[i], int(relabel.size())).first;
        out.membership[i] = it->second;
        VECTOR(membership)[i] = it->second;
    }
    out.count = int(relabel.size());
    igraph_real_t q = 0;
    rc = igraph_modularity(&ig.g, &membership, &weights, resolution, false, &q);
    igraph_vector_int_destroy(&membership);
    if (rc != IGRAPH_SUCCESS) return Error{"", 0, std::string("modularity failed: ") + igraph_strerror(rc)};
    out.modularity = q;
    return out;
}

namespace {

// Brandes' accumulation from the given sources over unweighted shortest paths; parallel edges count as
// distinct paths and self-loops are ignored, as in igraph. Sums are multiplied by `scale` (n / sources), and
// halved when undirected (each pair is seen from both ends).
std::vector<double> sampledBetweenness(const Graph& graph, bool directed,
                                       const std::vector<uint32_t>& sources, double scale) {
    const size_t n = graph.nodeCount();
    // Adjacency: out-edges, plus in-edges when undirected.
    std::vector<uint32_t> off(n + 1, 0), adj;
    for (size_t e = 0; e < graph.edgeCount(); ++e) {
        if (graph.src[e] == graph.dst[e]) continue;
        ++off[graph.src[e] + 1];
        if (!directed) ++off[graph.dst[e] + 1];
    }
    for (size_t i = 0; i < n; ++i) off[i + 1] += off[i];
    adj.resize(off[n]);
    {
        std::vector<uint32_t> fill(off.begin(), off.end() - 1);
        for (size_t e = 0; e < graph.edgeCount(); ++e) {
            const uint32_t a = graph.src[e], b = graph.dst[e];
            if (a == b) continue;
            adj[fill[a]++] = b;
            if (!directed) adj[fill[b]++] = a;
        }
    }
    std::vector<double> out(n, 0.0), sigma(n), delta(n);
    std::vector<int64_t> dist(n, -1);
    std::vector<uint32_t> order;
    order.reserve(n);
    for (const uint32_t s : sources) {
        order.clear();
        dist[s] = 0;
        sigma[s] = 1;
        order.push_back(s);
        for (size_t head = 0; head < order.size(); ++head) {
            const uint32_t v = order[head];
            for (uint32_t k = off[v]; k < off[v + 1]; ++k) {
                const uint32_t w = adj[k];
                if (dist[w] < 0) {
                    dist[w] = dist[v] + 1;
                    sigma[w] = 0;
                    order.push_back(w);
                }
                if (dist[w] == dist[v] + 1) sigma[w] += sigma[v];
            }
        }
        // delta[v] = sum over successors w (one step further) of sigma[v] / sigma[w] (1 + delta[w]).
        for (size_t k = order.size(); k-- > 0;) {
            const uint32_t v = order[k];
            double d = 0;
            for (uint32_t q = off[v]; q < off[v + 1]; ++q) {
                const uint32_t w = adj[q];
                if (dist[w] == dist[v] + 1) d += sigma[v] / sigma[w] * (1 + delta[w]);
            }
            delta[v] = d;
            if (v != s) out[v] += d;
        }
        for (const uint32_t v : order) dist[v] = -1;
    }
    const double f = directed ? scale : scale / 2;
    for (auto& v : out) v *= f;
    return out;
}

} // namespace

Result<std::vector<double>> betweenness(const Graph& graph, bool directed, size_t* sourcesUsed) {
    const size_t n = graph.nodeCount();
    if (sourcesUsed) *sourcesUsed = n;
    std::vector<double> out(n, 0.0);
    if (n == 0) return out;
    const double work = double(n) * double(n + graph.edgeCount());
    if (work > kBetweennessExactWork) {
        // Seeded sample of sources without replacement: the same graph gives the same estimate.
        const size_t k =
            std::max<size_t>(1, std::min(n, size_t(kBetweennessSampleWork / double(n + graph.edgeCount()))));
        std::vector<uint32_t> all(n);
        std::iota(all.begin(), all.end(), 0u);
        std::mt19937_64 rng(0x6E72u);
        for (size_t i = 0; i < k; ++i) std::swap(all[i], all[i + size_t(rng() % (n - i))]);
        all.resize(k);
        if (sourcesUsed) *sourcesUsed = k;
        return sampledBetweenness(graph, directed, all, double(n) / double(k));
    }
    std::lock_guard<std::mutex> lock(igraphMutex());
    ErrorHandlerScope handler;
    IGraph ig(graph, directed);
    if (!ig.ok) return Error{"", 0, "could not build the igraph graph"};
    igraph_vector_t res;
    igraph_vector_init(&res, 0);
    const igraph_error_t rc = igraph_betweenness(&ig.g, &res, igraph_vss_all(), directed, nullptr);
    if (rc != IGRAPH_SUCCESS) {
        igraph_vector_destroy(&res);
        return Error{"", 0, std::string("betweenness failed: ") + igraph_strerror(rc)};
    }
    for (size_t i = 0; i < out.size(); ++i) out[i] = VECTOR(res)[i];
    igraph_vector_destroy(&res);
    return out;
}

} // namespace nr
