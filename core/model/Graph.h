// Graph: the one type for connectomes and other node/edge data. Columnar, CSR adjacency built on demand.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace nr {

// Compressed sparse row adjacency: neighbours of node i are idx[off[i] .. off[i+1]),
// edge[k] is the edge id that produced idx[k].
struct Csr {
    std::vector<uint32_t> off;
    std::vector<uint32_t> idx;
    std::vector<uint32_t> edge;
};

class Graph {
public:
    // ---- nodes --------------------------------------------------------------------------------------
    std::vector<std::string> names;      // unique, trimmed; index = node id
    std::vector<float> x, y, z;          // empty until positions are known (reader or layout)
    std::vector<std::string> nodeClass;  // empty or one per node ("" = unknown)
    // Any other node column: numeric where every value parsed as a number, text otherwise.
    std::map<std::string, std::vector<float>> nodeNumeric;
    std::map<std::string, std::vector<std::string>> nodeText;

    // ---- edges --------------------------------------------------------------------------------------
    std::vector<uint32_t> src, dst;
    std::vector<float> weight;          // one per edge (1 when the file has no weight)
    std::vector<uint8_t> type;          // index into edgeTypes, one per edge
    std::vector<std::string> edgeTypes; // e.g. {"chemical", "electrical"}; at least one entry when edges exist
    // False when each edge stands for both directions (a symmetric adjacency matrix, or an edge list read
    // with the option directed=false); such a graph lists each pair once.
    bool directed = true;

    // ---- building -----------------------------------------------------------------------------------
    // Returns the id of `name`, adding a node if it is new.
    uint32_t addNode(const std::string& name);
    // Returns the index of edge type `t`, adding it if new. At most 255 types.
    uint8_t typeIndex(const std::string& t);
    void addEdge(uint32_t s, uint32_t d, float w, uint8_t t);
    void reserveEdges(size_t n);

    // ---- queries ------------------------------------------------------------------------------------
    size_t nodeCount() const { return names.size(); }
    size_t edgeCount() const { return src.size(); }
    bool hasPositions() const { return !x.empty() && x.size() == names.size(); }
    // -1 when absent. Exact match first, then case-insensitive.
    long findNode(const std::string& name) const;
    // Out- and in-adjacency (rebuilt lazily after edges change). Safe to call from several threads at once
    // on a graph that is not being edited.
    const Csr& out() const;
    const Csr& in() const;
    // Total degree (in + out; a self-loop counts twice) per node.
    std::vector<uint32_t> degrees() const;
    std::vector<uint32_t> inDegrees() const;
    std::vector<uint32_t> outDegrees() const;
    // Names of all node columns that can colour nodes ("degree", "class", numeric and text columns).
    std::vector<std::string> nodeColumnNames() const;
    // Bounding box of positions: {minx,miny,minz,maxx,maxy,maxz}; zeros without positions.
    std::vector<float> bounds() const;
    // Rough resident bytes of this model (columns and adjacency).
    size_t memoryBytes() const;
    // Call after editing src/dst directly.
    void invalidateAdjacency() { outDirty_ = inDirty_ = true; }

private:
    std::unordered_map<std::string, uint32_t> index_;
    mutable Csr out_, in_;
    mutable bool outDirty_ = true, inDirty_ = true;
    // Guards the lazy adjacency build; a copy of the graph gets a lock of its own.
    struct Lock {
        std::mutex m;
        Lock() = default;
        Lock(const Lock&) {}
        Lock& operator=(const Lock&) { return *this; }
    };
    mutable Lock lock_;
};

// Builds CSR from parallel (from, to) arrays for `n` nodes.
Csr buildCsr(size_t n, const std::vector<uint32_t>& from, const std::vector<uint32_t>& to);

} // namespace nr
