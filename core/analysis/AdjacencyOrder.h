// The weighted adjacency of a graph as an ordered, pixel-aggregated matrix: what Analysis > Adjacency Matrix
// draws, computed without a window.
//
// Orders: the file's node order; by class (a node column: nodes of one value together, values in order of
// their first node, by degree within a value); by community (Leiden, communities by size, by degree within);
// by hierarchical clustering (average linkage on the cosine distance between the nodes' connection
// profiles, in and out; the dendrogram's leaf order; up to kMaxClusterNodes nodes).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/Error.h"
#include "model/Graph.h"

namespace nr {

enum class AdjacencyOrderKind { File, Class, Community, Cluster };

constexpr size_t kMaxClusterNodes = 2000;

struct AdjacencyOrder {
    std::vector<uint32_t> order;     // node shown at each position
    std::vector<std::string> groups; // group label at each position ("" when the order has no groups)
};

// `column`: the node column for AdjacencyOrderKind::Class ("class" = Graph::nodeClass, or a text or numeric
// node column). progress(fraction) returning false cancels.
Result<AdjacencyOrder> adjacencyOrder(const Graph& g, AdjacencyOrderKind kind,
                                      const std::string& column = "class");

// The matrix in `order`, summed into at most `bins` x `bins` cells (each cell covers ceil(n / bins) nodes a
// side; a cell is one node pair when n <= bins), row-major, row 0 = order[0]. Cells with no edge are NaN.
// An undirected graph fills both (i, j) and (j, i). `span` receives the nodes per cell.
std::vector<float> adjacencyCells(const Graph& g, const std::vector<uint32_t>& order, size_t bins,
                                  size_t* cells, size_t* span);

} // namespace nr
