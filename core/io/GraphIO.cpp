// What a graph file holds, told by content, and delimited text read as a graph.
#include "GraphIO.h"

#include <cctype>
#include <cstring>

#include "CsvTable.h"
#include "GraphColumns.h"
#include "ReaderRegistry.h"

namespace nr {

GraphText graphTextKind(std::string_view s) {
    if (s.size() >= 3 && std::memcmp(s.data(), "\xEF\xBB\xBF", 3) == 0) s.remove_prefix(3);
    // Skip blank lines and '#' comment lines.
    for (;;) {
        size_t i = 0;
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) ++i;
        s.remove_prefix(i);
        if (s.empty() || s[0] != '#') break;
        const size_t nl = s.find('\n');
        if (nl == std::string_view::npos) return GraphText::Delimited;
        s.remove_prefix(nl + 1);
    }
    if (s.empty()) return GraphText::Delimited;
    if (s[0] == '<') return GraphText::Xml;
    size_t w = 0;
    while (w < s.size() && (std::isalnum(static_cast<unsigned char>(s[w])) || s[w] == '_')) ++w;
    const std::string key = csv::lower(s.substr(0, w));
    size_t after = w;
    while (after < s.size() && (s[after] == ' ' || s[after] == '\t' || s[after] == '\r' || s[after] == '\n'))
        ++after;
    if (key == "graph" && after < s.size() && s[after] == '[') return GraphText::Gml;
    if ((key == "creator" || key == "version") && after < s.size() && s[after] == '"') return GraphText::Gml;
    return GraphText::Delimited;
}

bool looksLikeNodeTable(const std::string& path) {
    if (graphTextKind(readHead(path)) != GraphText::Delimited) return false;
    const auto header = csv::readHeader(path);
    bool name = false, source = false, target = false;
    for (auto& h : header) {
        name = name || cols::isNameLike(h);
        source = source || cols::isSource(h);
        target = target || cols::isTarget(h);
    }
    return name && !(source && target);
}

Result<Graph> readDelimitedGraph(const std::string& path, const ReadOptions& opt) {
    if (looksLikeNodeTable(path)) {
        Graph g;
        auto r = joinNodeTable(path, g, opt, true);
        if (!r.ok()) return r.error();
        return g;
    }
    return readEdgeList(path, opt);
}

} // namespace nr
