#include "GraphParse.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <sys/stat.h>

#include "CsvTable.h"
#include "MemoryBudget.h"

namespace nr::parse {

namespace {
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

void appendUtf8(std::string& out, unsigned long cp) {
    if (cp < 0x80) {
        out += char(cp);
    } else if (cp < 0x800) {
        out += char(0xC0 | (cp >> 6));
        out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += char(0xE0 | (cp >> 12));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    } else {
        out += char(0xF0 | (cp >> 18));
        out += char(0x80 | ((cp >> 12) & 0x3F));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    }
}
} // namespace

Result<std::string> readTextFile(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return Error{path, 0, std::string("cannot open: ") + std::strerror(errno)};
    if (S_ISDIR(st.st_mode)) return Error{path, 0, "is a directory, not a file"};
    if ((unsigned long long)st.st_size > kMaxFileBytes)
        return Error{path, 0,
                     "file too large (" + std::to_string((unsigned long long)st.st_size) +
                         " bytes; at most " + std::to_string(kMaxFileBytes) + ")"};
    // The text, plus names, columns and edges parsed from it (about twice the text at most).
    if (auto e = checkBudget(satMul(uint64_t(st.st_size), 3), "reading this graph file",
                             "convert it to an edge list (CSV), which is read in blocks", path))
        return *e;
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return Error{path, 0, std::string("cannot open: ") + std::strerror(errno)};
    std::string s;
    s.resize(size_t(st.st_size));
    const size_t n = s.empty() ? 0 : std::fread(&s[0], 1, s.size(), f);
    const bool bad = std::ferror(f);
    std::fclose(f);
    if (bad) return Error{path, 0, std::string("read error: ") + std::strerror(errno)};
    s.resize(n);
    if (s.size() >= 2 && (((unsigned char)s[0] == 0xFF && (unsigned char)s[1] == 0xFE) ||
                          ((unsigned char)s[0] == 0xFE && (unsigned char)s[1] == 0xFF)))
        return Error{path, 1, "UTF-16 text is not supported; save the file as UTF-8"};
    if (s.size() >= 3 && std::memcmp(s.data(), "\xEF\xBB\xBF", 3) == 0) s.erase(0, 3);
    long line = 1;
    size_t col = 1;
    for (size_t i = 0; i < s.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c == '\n') {
            ++line;
            col = 1;
            continue;
        }
        if (c < 0x20 && c != '\t' && c != '\r') {
            char hex[8];
            std::snprintf(hex, sizeof hex, "0x%02X", c);
            return Error{path, line,
                         std::string("binary data (byte ") + hex + " at column " + std::to_string(col) +
                             "); not a text file"};
        }
        ++col;
    }
    return s;
}

bool decodeEntities(std::string_view in, std::string& out, std::string& reason) {
    out.clear();
    out.reserve(in.size());
    size_t i = 0;
    while (i < in.size()) {
        const size_t amp = in.find('&', i);
        if (amp == std::string_view::npos) {
            out.append(in.substr(i));
            break;
        }
        out.append(in.substr(i, amp - i));
        const size_t semi = in.find(';', amp);
        if (semi == std::string_view::npos || semi - amp > 12) {
            reason = "'&' without a closing ';' (write &amp; for a literal '&')";
            return false;
        }
        const std::string_view ent = in.substr(amp + 1, semi - amp - 1);
        if (ent == "amp")
            out += '&';
        else if (ent == "lt")
            out += '<';
        else if (ent == "gt")
            out += '>';
        else if (ent == "quot")
            out += '"';
        else if (ent == "apos")
            out += '\'';
        else if (ent.size() >= 2 && ent[0] == '#') {
            unsigned long cp = 0;
            const bool hex = ent[1] == 'x' || ent[1] == 'X';
            const std::string_view digits = ent.substr(hex ? 2 : 1);
            bool ok = !digits.empty();
            for (char c : digits) {
                int d = -1;
                if (c >= '0' && c <= '9')
                    d = c - '0';
                else if (hex && c >= 'a' && c <= 'f')
                    d = c - 'a' + 10;
                else if (hex && c >= 'A' && c <= 'F')
                    d = c - 'A' + 10;
                if (d < 0 || cp > 0x10FFFF) {
                    ok = false;
                    break;
                }
                cp = cp * (hex ? 16 : 10) + unsigned(d);
            }
            if (!ok || cp == 0 || cp > 0x10FFFF) {
                reason =
                    "malformed character reference " + csv::quoteForError(in.substr(amp, semi - amp + 1));
                return false;
            }
            appendUtf8(out, cp);
        } else {
            reason = "unknown entity " + csv::quoteForError(in.substr(amp, semi - amp + 1));
            return false;
        }
        i = semi + 1;
    }
    return true;
}

long lineAt(std::string_view doc, size_t from, long fromLine, size_t pos) {
    return fromLine + long(std::count(doc.begin() + long(from), doc.begin() + long(pos), '\n'));
}

void Column::set(size_t node, std::string_view value, bool isNumber, double v) {
    if (numeric && !isNumber) {
        numeric = false;
        num.clear();
    }
    if (text.size() <= node) text.resize(node + 1);
    text[node] = std::string(value);
    if (numeric) {
        if (num.size() <= node) num.resize(node + 1, std::numeric_limits<double>::quiet_NaN());
        num[node] = v;
    }
}

Status ParsedGraph::addNode(std::string_view id, long line) {
    auto [it, fresh] = idIndex.emplace(id, uint32_t(ids.size()));
    if (!fresh)
        return Error{path, line,
                     "duplicate node id " + csv::quoteForError(id) + " (first on line " +
                         std::to_string(nodeLine[it->second]) + ")"};
    ids.push_back(id);
    nodeLine.push_back(line);
    return std::nullopt;
}

Status ParsedGraph::typeIndex(std::string_view t, long line, uint8_t& out) {
    for (size_t k = 0; k < types.size(); ++k)
        if (types[k] == t) {
            out = uint8_t(k);
            return std::nullopt;
        }
    if (types.size() >= 255) return Error{path, line, "more than 255 distinct edge types"};
    types.emplace_back(t);
    out = uint8_t(types.size() - 1);
    return std::nullopt;
}

Column& ParsedGraph::column(std::string_view name) {
    for (auto& c : columns)
        if (c.name == name) return c;
    columns.push_back(Column{std::string(name), true, {}, {}});
    return columns.back();
}

void ParsedGraph::setCoord(std::vector<float>& c, size_t node, float v) {
    if (c.size() <= node) c.resize(node + 1, kNaN);
    c[node] = v;
}

void ParsedGraph::setText(std::vector<std::string>& c, size_t node, std::string_view v) {
    if (c.size() <= node) c.resize(node + 1);
    c[node] = std::string(v);
}

std::string_view ParsedGraph::keep(std::string s) {
    storage.push_back(std::move(s));
    return storage.back();
}

Result<Graph> ParsedGraph::build() {
    const size_t n = ids.size();
    Graph g;
    // Names: labels when complete and distinct.
    bool useLabels = !label.empty();
    if (useLabels) {
        label.resize(n);
        csv::Interner seen(n + 16);
        for (auto& l : label) {
            if (l.empty()) {
                useLabels = false;
                break;
            }
            const size_t before = seen.size();
            seen.intern(l);
            if (seen.size() == before) {
                useLabels = false;
                break;
            }
        }
    }
    g.names.reserve(n);
    for (size_t i = 0; i < n; ++i) g.addNode(useLabels ? label[i] : std::string(ids[i]));
    if (!label.empty() && !useLabels) g.nodeText["label"] = std::move(label);

    if (!x.empty() || !y.empty() || !z.empty()) {
        x.resize(n, kNaN);
        y.resize(n, kNaN);
        if (z.empty()) {
            z.assign(n, kNaN);
            for (size_t i = 0; i < n; ++i)
                if (std::isfinite(x[i]) && std::isfinite(y[i])) z[i] = 0.f;
        }
        z.resize(n, kNaN);
        g.x = std::move(x);
        g.y = std::move(y);
        g.z = std::move(z);
    }
    if (!cls.empty()) {
        cls.resize(n);
        g.nodeClass = std::move(cls);
    }
    for (auto& c : columns) {
        if (c.numeric) {
            std::vector<float> v(n, kNaN);
            for (size_t i = 0; i < c.num.size() && i < n; ++i) v[i] = float(c.num[i]);
            g.nodeNumeric[c.name] = std::move(v);
        } else {
            c.text.resize(n);
            g.nodeText[c.name] = std::move(c.text);
        }
    }

    g.reserveEdges(edges.size());
    for (auto& e : edges) {
        auto s = idIndex.find(e.source);
        if (s == idIndex.end())
            return Error{path, e.line,
                         "edge source " + csv::quoteForError(e.source) + " is not a declared node"};
        auto t = idIndex.find(e.target);
        if (t == idIndex.end())
            return Error{path, e.line,
                         "edge target " + csv::quoteForError(e.target) + " is not a declared node"};
        g.src.push_back(s->second);
        g.dst.push_back(t->second);
        g.weight.push_back(e.weight);
        g.type.push_back(e.type);
    }
    g.edgeTypes = std::move(types);
    if (!g.src.empty() && g.edgeTypes.empty()) g.edgeTypes = {"edge"};
    g.invalidateAdjacency();
    return g;
}

} // namespace nr::parse
