#include "analysis/GraphAnalysis.h"

#include <igraph/igraph.h>
#include <map>
#include <mutex>

namespace nr {

namespace {

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
    igraph_error_t rc = igraph_community_leiden(&ig.g, &weights, &strength, resolution / (2 * total), 0.01,
                                                false, -1, &membership, &clusters, &quality);
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

Result<std::vector<double>> betweenness(const Graph& graph, bool directed) {
    std::vector<double> out(graph.nodeCount(), 0.0);
    if (graph.nodeCount() == 0) return out;
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
