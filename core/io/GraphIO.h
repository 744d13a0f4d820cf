// Graph readers: delimited edge lists, node tables, GraphML and GML into nr::Graph.
//
// Every reader returns an nr::Error naming the file, the 1-based line and the problem for bad input; none
// of them crashes, hangs or allocates without bound on any input (lines of delimited text are capped at
// 1 MB; XML and GML files are read whole, so their memory is bounded by the file size).
//
// Edge lists (CSV, TSV, ';'-separated or whitespace-separated; the delimiter is detected from the header):
//   source | from | pre | src | node1 | node1id | i        target | to | post | dst | node2 | node2id | j
//   weight | synapses | w | strength | count (default 1)   type | kind | synapse_type (default "edge")
// Header names match case-insensitively; other columns are ignored. Names are trimmed; numeric ids are names
// too. Nodes are numbered in order of first appearance. A header without any of these names whose first two
// fields are integers is taken as a headerless "source target [weight]" list. Lines starting with '#' or '%'
// before the header are comments. A header alone gives an empty graph. Negative weights are accepted (they
// are how some files mark inhibitory synapses); NaN and infinite weights are refused.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "model/Error.h"
#include "model/Graph.h"

namespace nr {

// progress(fraction 0..1) is called now and then during long reads; returning false cancels the read
// (the result is then an Error with reason "cancelled").
struct ReadOptions {
    std::function<bool(double)> progress;
};

Result<Graph> readEdgeList(const std::string& path, const ReadOptions& opt = {}); // CSV / TSV / ; separated
// GraphML: <key> declarations (for node/edge/all, attr.type boolean|int|long|float|double|string, optional
// <default>), node attributes x/y/z, class|cell_type|type|group, label|name (used as node names when every
// node has a distinct one), any others (numeric or text by attr.type); edge attributes weight and type as
// for edge lists. Directed and undirected graphs are both read as one edge per <edge>.
Result<Graph> readGraphML(const std::string& path, const ReadOptions& opt = {});
// GML: graph [ node [ id 1 label "AVAL" x .. y .. z .. (or inside graphics [ ]) ] edge [ source 1 target 2
// weight 3 type "chemical" ] ]. Labels become names when every node has a distinct one.
Result<Graph> readGml(const std::string& path, const ReadOptions& opt = {});
// What the first bytes of a graph file hold (after a byte order mark, blank lines and '#' comment lines):
// '<' first is XML (GraphML); `graph [`, `Creator "..."` or `Version "..."` first is GML; anything else is
// delimited text. The graph readers of the ReaderRegistry use it; it never looks at the file's name.
enum class GraphText { Delimited, Xml, Gml };
GraphText graphTextKind(std::string_view head);
// Delimited text read as a graph: a node table gives a graph of its nodes without edges, anything else is
// read as an edge list (readEdgeList).
Result<Graph> readDelimitedGraph(const std::string& path, const ReadOptions& opt = {});

// Node table: name column + optional x,y,z, class and any other columns. Joins onto g by name.
//   key column: of name | name_padded | id | label | node | neuron | cell, the one matching most graph names
//   x | pos_x, y | pos_y, z | pos_z (z optional: 0)   class | cell_type | type | group -> nodeClass
//   any other column -> nodeNumeric when every non-empty value is a finite number, else nodeText
// Rows whose name is not in g are listed in tableOnly and not added; graph nodes missing from the table in
// graphOnly (their positions become NaN when the graph had none, ready for layout3D(keepExisting)).
// Refused: duplicate names in the key column, empty names, non-finite or missing positions.
struct JoinReport {
    size_t matched = 0;
    std::vector<std::string> tableOnly;
    std::vector<std::string> graphOnly;
    std::string keyColumn;
};
Result<JoinReport> readNodeTable(const std::string& path, Graph& g, const ReadOptions& opt = {});

// True when the file is delimited text whose header looks like a node table (has a name-like column and no
// source/target pair).
bool looksLikeNodeTable(const std::string& path);

} // namespace nr
