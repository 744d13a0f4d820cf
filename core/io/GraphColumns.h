// Column and attribute names the graph readers recognise (matched case-insensitively), shared by the edge
// list, node table, GraphML and GML readers.
#pragma once

#include <string>
#include <string_view>

#include "CsvTable.h"
#include "model/Error.h"
#include "model/Graph.h"

namespace nr {

struct ReadOptions;
struct JoinReport;

namespace cols {

inline bool isSource(std::string_view s) {
    // neuPrint (bodyId_pre), MICrONS (pre_pt_root_id), FlyWire (pre_root_id) synapse and connection tables.
    return csv::oneOf(s, {"source", "from", "pre", "src", "node1", "node1id", "i", "bodyid_pre",
                          "pre_pt_root_id", "pre_root_id", "pre_id", "presynaptic"});
}
inline bool isTarget(std::string_view s) {
    return csv::oneOf(s, {"target", "to", "post", "dst", "node2", "node2id", "j", "bodyid_post",
                          "post_pt_root_id", "post_root_id", "post_id", "postsynaptic"});
}
inline bool isWeight(std::string_view s) {
    return csv::oneOf(
        s, {"weight", "synapses", "w", "strength", "count", "syn_count", "synapse_count", "n_syn"});
}
// Weight columns that count synapses (FlyWire syn_count): a negative value is refused.
inline bool isSynapseCount(std::string_view s) {
    return csv::oneOf(s, {"syn_count", "synapse_count", "n_syn"});
}
// Source columns of the synapse and connection tables (neuPrint, MICrONS, FlyWire): their rows are synapses
// or per-region counts, so rows of the same pair (and edge type) are summed into one edge.
inline bool isSynapseTableSource(std::string_view s) {
    return csv::oneOf(s, {"bodyid_pre", "pre_pt_root_id", "pre_root_id"});
}
inline bool isEdgeType(std::string_view s) {
    // Neurotransmitter columns (FlyWire nt_type, neuPrint/hemibrain predicted_nt) type the edges.
    return csv::oneOf(
        s, {"type", "kind", "synapse_type", "nt_type", "neurotransmitter", "predicted_nt", "top_nt", "nt"});
}
inline bool isNameLike(std::string_view s) {
    return csv::oneOf(s, {"name", "name_padded", "id", "label", "node", "neuron", "cell"});
}
inline bool isX(std::string_view s) {
    return csv::oneOf(s, {"x", "pos_x"});
}
inline bool isY(std::string_view s) {
    return csv::oneOf(s, {"y", "pos_y"});
}
inline bool isZ(std::string_view s) {
    return csv::oneOf(s, {"z", "pos_z"});
}
inline bool isClass(std::string_view s) {
    return csv::oneOf(s, {"class", "cell_type", "type", "group"});
}
// Node attributes whose values name the node in GraphML and GML.
inline bool isLabel(std::string_view s) {
    return csv::oneOf(s, {"label", "name"});
}

constexpr const char* kSourceList =
    "source, from, pre, src, node1, node1id, i, bodyId_pre, pre_pt_root_id, pre_root_id";
constexpr const char* kTargetList =
    "target, to, post, dst, node2, node2id, j, bodyId_post, post_pt_root_id, post_root_id";
constexpr const char* kNameList = "name, name_padded, id, label, node, neuron, cell";

} // namespace cols

// The node table join; with `addRows` every row becomes a node of `g` (used for a node table read alone).
Result<JoinReport> joinNodeTable(const std::string& path, Graph& g, const ReadOptions& opt, bool addRows);

// Moves interned names into g (which must have no nodes yet), keeping their order as node ids.
void setNodeNames(Graph& g, std::vector<std::string>& names);

} // namespace nr
