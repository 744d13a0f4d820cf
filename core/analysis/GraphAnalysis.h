// Graph communities and centralities (igraph) as per-node columns.
#pragma once

#include <cstdint>
#include <vector>

#include "model/Error.h"
#include "model/Graph.h"

namespace nr {

struct Communities {
    std::vector<int> membership; // community per node, 0..count-1, numbered by first appearance
    int count = 0;
    double modularity = 0;
};

// Leiden communities optimising modularity on the undirected graph (edge weights when `useWeights`; they must
// be positive). `resolution` 1 is standard modularity. Seeded, deterministic for a given seed.
Result<Communities> detectCommunities(const Graph& g, bool useWeights = true, double resolution = 1.0,
                                      uint64_t seed = 1);

// Betweenness centrality (unweighted shortest paths; undirected unless `directed`), unnormalised. Exact up
// to about 4·10⁹ search steps (n·(n+m)); larger graphs get an estimate from a fixed, seeded sample of
// source nodes (Brandes-Pich), scaled to all sources, that takes about 4·10⁸ steps. `sourcesUsed` receives
// the number of sources (n when exact).
Result<std::vector<double>> betweenness(const Graph& g, bool directed = false, size_t* sourcesUsed = nullptr);

// Total degree per node as doubles (a convenience for per-node result columns).
std::vector<double> degreeColumn(const Graph& g);

} // namespace nr
