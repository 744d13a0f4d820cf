// VesselGraph: a vascular network as a graph in 3-D. Nodes are bifurcation (or end) points with a position;
// edges are vessel segments with per-edge attributes (length, radius, distance, curveness, ...).
//
// Columnar: positions are three float arrays, every attribute is one float array named as in the file it
// came from. Millions of nodes and edges are the normal case; a 5.3M-edge graph with the VesselGraph column
// set takes under 100 bytes per edge.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace nr {

// One named float attribute, one value per node or per edge.
struct VesselColumn {
    std::string name;
    std::vector<float> values;
};

struct VesselGraph {
    // ---- nodes ----
    std::vector<int64_t> nodeIds; // the file's node ids; empty when the id of node i is i
    std::vector<float> x, y, z;
    std::vector<VesselColumn> nodeColumns; // e.g. degree, isAtSampleBorder, radius

    // ---- edges (indices into the node arrays) ----
    std::vector<uint32_t> src, dst;
    std::vector<int64_t> edgeIds;          // the file's edge ids; empty when the id of edge e is e
    std::vector<VesselColumn> edgeColumns; // e.g. length, distance, curveness, avgRadiusAvg, flow

    // Names of the edge columns that hold the segment length and radius ("" when the file has none; see
    // edgeLengths()/edgeRadii()).
    std::string lengthColumn, radiusColumn;
    // Unit of positions and lengths: "voxel", "um" or "" when unknown.
    std::string units;
    // min x, max x, min y, max y, min z, max z of the node positions (all 0 for an empty graph).
    float bounds[6] = {0, 0, 0, 0, 0, 0};

    size_t nodeCount() const { return x.size(); }
    size_t edgeCount() const { return src.size(); }
    int64_t nodeId(size_t i) const { return nodeIds.empty() ? int64_t(i) : nodeIds[i]; }
    int64_t edgeId(size_t e) const { return edgeIds.empty() ? int64_t(e) : edgeIds[e]; }

    // The column of that name, or nullptr.
    const std::vector<float>* edgeColumn(const std::string& name) const;
    const std::vector<float>* nodeColumn(const std::string& name) const;
    std::vector<float>* edgeColumn(const std::string& name);
    std::vector<float>* nodeColumn(const std::string& name);
    // Adds (or replaces) a column; values must have edgeCount()/nodeCount() entries.
    void setEdgeColumn(const std::string& name, std::vector<float> values);
    void setNodeColumn(const std::string& name, std::vector<float> values);

    // Length of each edge: the length column, or the Euclidean distance between its nodes when there is none.
    std::vector<float> edgeLengths() const;
    // Radius of each edge: the radius column, or NaN for all when there is none.
    std::vector<float> edgeRadii() const;
    float euclidean(size_t e) const;

    // The columns an edge can be coloured or filtered by: "radius" (the radius column, when there is one),
    // "length" (edgeLengths()) and every other edge column.
    std::vector<std::string> colorColumns() const;

    void computeBounds();
    // Heap bytes held by the arrays (capacity, not size).
    size_t memoryBytes() const;
};

// Summary statistics used by the vessel_stats analysis and by tests.
struct VesselStats {
    size_t nodes = 0, edges = 0, components = 0;
    double totalLength = 0;           // sum of edgeLengths()
    double meanRadius = 0;            // mean of edgeRadii() (NaN without radii)
    double boxVolume = 0;             // volume of the bounding box of the nodes (units^3)
    double lengthDensity = 0;         // totalLength / boxVolume (0 when the box is flat)
    std::vector<size_t> degreeCounts; // degreeCounts[d] = nodes with degree d (self-loops count twice)
    double meanTortuosity = 0;        // mean of length / Euclidean distance over edges with distance > 0
};
VesselStats vesselStats(const VesselGraph& g);

// Connected components (union-find); `label` (optional) receives each node's component index.
size_t vesselComponents(const VesselGraph& g, std::vector<uint32_t>* label = nullptr);
// Degree of each node (self-loops count twice).
std::vector<uint32_t> vesselDegrees(const VesselGraph& g);

// A histogram with `bins` equal bins over [lo, hi] (NaN values skipped; values at hi go to the last bin).
struct Histogram {
    double lo = 0, hi = 0;
    std::vector<size_t> counts;
};
Histogram histogram(const std::vector<float>& values, size_t bins);
Histogram histogram(const std::vector<float>& values, size_t bins, double lo, double hi);

} // namespace nr
