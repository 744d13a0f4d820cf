// Shared pieces of the structured graph readers (GraphML, GML): whole-file input with a binary check, XML
// entity decoding, and a parsed-graph accumulator that resolves edge endpoints and becomes an nr::Graph.
#pragma once

#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/Error.h"
#include "model/Graph.h"

namespace nr::parse {

// Largest structured graph file read (the whole file is held in memory while parsing).
constexpr unsigned long long kMaxFileBytes = 4ull << 30;

// Reads the whole file; refuses files over kMaxFileBytes, UTF-16 and bytes other than tab/CR/LF below 0x20
// (reported with their line). A UTF-8 byte order mark is dropped.
Result<std::string> readTextFile(const std::string& path);

// Decodes &amp; &lt; &gt; &quot; &apos; &#N; &#xH; into `out`. False with `reason` on an unknown or
// malformed entity.
bool decodeEntities(std::string_view in, std::string& out, std::string& reason);

// 1-based line of byte `pos` counted from `from` (at line `fromLine`).
long lineAt(std::string_view doc, size_t from, long fromLine, size_t pos);

// A node attribute column filled while parsing: numeric while every value is a number.
struct Column {
    std::string name;
    bool numeric = true;
    std::vector<double> num;
    std::vector<std::string> text;
    void set(size_t node, std::string_view value, bool isNumber, double v);
};

struct ParsedEdge {
    std::string_view source, target;
    long line = 0;
    float weight = 1.f;
    uint8_t type = 0;
};

// Nodes and edges as read, before endpoint resolution. String views point into the file buffer or into
// `storage`.
struct ParsedGraph {
    std::string path;
    std::vector<std::string_view> ids;
    std::vector<long> nodeLine;
    std::unordered_map<std::string_view, uint32_t> idIndex;
    std::vector<float> x, y, z; // NaN where absent; empty when no node has that coordinate
    std::vector<std::string> label, cls;
    std::vector<Column> columns;
    std::vector<ParsedEdge> edges;
    std::vector<std::string> types;
    std::deque<std::string> storage;

    // Adds a node; Error on a duplicate id.
    Status addNode(std::string_view id, long line);
    // Index of edge type `t`; Error past 255 types.
    Status typeIndex(std::string_view t, long line, uint8_t& out);
    Column& column(std::string_view name);
    void setCoord(std::vector<float>& c, size_t node, float v);
    void setText(std::vector<std::string>& c, size_t node, std::string_view v);
    // Keeps a decoded string alive for the parse and returns a view of it.
    std::string_view keep(std::string s);
    // Resolves endpoints (Error at the edge's line for an undeclared id) and builds the graph. Labels become
    // names when every node has a distinct non-empty label; otherwise ids are names and labels a text column.
    Result<Graph> build();
};

} // namespace nr::parse
