// Format dispatch for graph files.
#include "GraphIO.h"

#include <cctype>
#include <cstdio>
#include <cstring>

#include "CsvTable.h"
#include "GraphColumns.h"

namespace nr {

namespace {

std::string extensionOf(const std::string& path) {
    const size_t slash = path.find_last_of('/');
    const size_t dot = path.find_last_of('.');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
    return csv::lower(path.substr(dot));
}

enum class Sniff { Unknown, Xml, Gml };

// Looks at the first kilobytes: '<' first means XML; `graph [`, `Creator "..."` or `Version "..."` first
// means GML.
Sniff sniff(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return Sniff::Unknown;
    char buf[4096];
    const size_t n = std::fread(buf, 1, sizeof buf, f);
    std::fclose(f);
    std::string_view s(buf, n);
    if (s.size() >= 3 && std::memcmp(s.data(), "\xEF\xBB\xBF", 3) == 0) s.remove_prefix(3);
    // Skip blank lines and '#' comment lines.
    for (;;) {
        size_t i = 0;
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) ++i;
        s.remove_prefix(i);
        if (s.empty() || s[0] != '#') break;
        const size_t nl = s.find('\n');
        if (nl == std::string_view::npos) return Sniff::Unknown;
        s.remove_prefix(nl + 1);
    }
    if (s.empty()) return Sniff::Unknown;
    if (s[0] == '<') return Sniff::Xml;
    size_t w = 0;
    while (w < s.size() && (std::isalnum(static_cast<unsigned char>(s[w])) || s[w] == '_')) ++w;
    const std::string key = csv::lower(s.substr(0, w));
    size_t after = w;
    while (after < s.size() && (s[after] == ' ' || s[after] == '\t' || s[after] == '\r' || s[after] == '\n'))
        ++after;
    if (key == "graph" && after < s.size() && s[after] == '[') return Sniff::Gml;
    if ((key == "creator" || key == "version") && after < s.size() && s[after] == '"') return Sniff::Gml;
    return Sniff::Unknown;
}

} // namespace

bool looksLikeNodeTable(const std::string& path) {
    const std::string ext = extensionOf(path);
    if (ext == ".graphml" || ext == ".xml" || ext == ".gml") return false;
    const auto header = csv::readHeader(path);
    bool name = false, source = false, target = false;
    for (auto& h : header) {
        name = name || cols::isNameLike(h);
        source = source || cols::isSource(h);
        target = target || cols::isTarget(h);
    }
    return name && !(source && target);
}

Result<Graph> readGraph(const std::string& path, const ReadOptions& opt) {
    const std::string ext = extensionOf(path);
    if (ext == ".graphml" || ext == ".xml") return readGraphML(path, opt);
    if (ext == ".gml") return readGml(path, opt);
    switch (sniff(path)) {
    case Sniff::Xml:
        return readGraphML(path, opt);
    case Sniff::Gml:
        return readGml(path, opt);
    case Sniff::Unknown:
        break;
    }
    if (looksLikeNodeTable(path)) {
        Graph g;
        auto r = joinNodeTable(path, g, opt, true);
        if (!r.ok()) return r.error();
        return g;
    }
    return readEdgeList(path, opt);
}

} // namespace nr
