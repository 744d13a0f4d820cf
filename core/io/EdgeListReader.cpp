// Delimited edge lists: one edge per line, columns found by header name.
#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

#include "CsvTable.h"
#include "GraphColumns.h"
#include "GraphIO.h"
#include "MemoryBudget.h"

namespace nr {

namespace {

std::string headerList(const std::vector<std::string_view>& f) {
    std::string s;
    for (size_t i = 0; i < f.size() && i < 12; ++i) {
        if (i) s += ", ";
        s += csv::quoteForError(f[i], 30);
    }
    if (f.size() > 12) s += ", ...";
    return s;
}

// The weight in a networkx data dict ("{'weight': 3.0}" or "{"weight": 3}"); true with `has` false when the
// dict has no weight key. False when the text is not such a dict.
bool dictWeight(std::string_view d, double& w, bool& has) {
    d = csv::trim(d);
    has = false;
    if (d.size() < 2 || d.front() != '{' || d.back() != '}') return false;
    d = d.substr(1, d.size() - 2);
    while (!csv::trim(d).empty()) {
        const size_t comma = d.find(',');
        std::string_view item = csv::trim(d.substr(0, comma));
        d = comma == std::string_view::npos ? std::string_view() : d.substr(comma + 1);
        const size_t colon = item.find(':');
        if (colon == std::string_view::npos) return false;
        std::string_view k = csv::trim(item.substr(0, colon));
        if (k.size() >= 2 && (k.front() == '\'' || k.front() == '"') && k.back() == k.front())
            k = k.substr(1, k.size() - 2);
        if (k == "weight") {
            if (!csv::parseNumber(csv::trim(item.substr(colon + 1)), w)) return false;
            has = true;
        }
    }
    return true;
}

// Rows of the same (source, target, type) become one edge whose weight is their sum (a row without a weight
// column counts 1: one synapse). Edges keep the order of their first row.
void sumSamePairs(std::vector<uint32_t>& src, std::vector<uint32_t>& dst, std::vector<float>& weight,
                  std::vector<uint8_t>& type) {
    const size_t n = src.size();
    auto key = [&](size_t i) { return std::make_tuple(src[i], dst[i], type.empty() ? uint8_t(0) : type[i]); };
    std::vector<uint32_t> order(n);
    for (size_t i = 0; i < n; ++i) order[i] = uint32_t(i);
    std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return key(a) < key(b); });
    // keep[i]: the first row of its pair, holding the sum in double to keep counts exact.
    std::vector<double> sum(n, 0.0);
    std::vector<uint8_t> keep(n, 0);
    for (size_t k = 0; k < n;) {
        const uint32_t first = order[k];
        double s = 0;
        size_t j = k;
        for (; j < n && key(order[j]) == key(first); ++j) s += weight[order[j]];
        keep[first] = 1;
        sum[first] = s;
        k = j;
    }
    size_t o = 0;
    for (size_t i = 0; i < n; ++i) {
        if (!keep[i]) continue;
        src[o] = src[i];
        dst[o] = dst[i];
        weight[o] = float(sum[i]);
        if (!type.empty()) type[o] = type[i];
        ++o;
    }
    src.resize(o);
    dst.resize(o);
    weight.resize(o);
    if (!type.empty()) type.resize(o);
}

} // namespace

void setNodeNames(Graph& g, std::vector<std::string>& names) {
    g.names.reserve(names.size());
    for (auto& n : names) g.addNode(n);
}

Result<Graph> readEdgeList(const std::string& path, const ReadOptions& opt) {
    csv::LineReader in;
    if (!in.open(path)) return in.error();
    std::string_view line;
    std::vector<std::string_view> f;
    std::string scratch, reason;

    bool haveHeader = false;
    while (in.next(line)) {
        const std::string_view t = csv::trim(line);
        if (t.empty() || t[0] == '#' || t[0] == '%') continue;
        haveHeader = true;
        break;
    }
    if (in.failed()) return in.error();
    if (!haveHeader)
        return Error{path, 1, "file is empty (expected a header line such as source,target,weight)"};

    const long headerLine = in.lineNumber();
    const char delim = csv::detectDelimiter(line);
    if (!csv::splitLine(line, delim, f, scratch, reason)) return Error{path, headerLine, reason};
    int cs = -1, ct = -1, cw = -1, cty = -1;
    for (size_t c = 0; c < f.size(); ++c) {
        const int ci = int(c);
        if (cs < 0 && cols::isSource(f[c]))
            cs = ci;
        else if (ct < 0 && cols::isTarget(f[c]))
            ct = ci;
        else if (cw < 0 && cols::isWeight(f[c]))
            cw = ci;
        else if (cty < 0 && cols::isEdgeType(f[c]))
            cty = ci;
    }
    const size_t ncol = f.size();
    bool headerless = false, dictData = false;
    if (cs < 0 && ct < 0 && cw < 0 && cty < 0) {
        long long a = 0, b = 0;
        double w = 0;
        if (ncol >= 3 && csv::parseInteger(f[0], a) && csv::parseInteger(f[1], b) &&
            csv::trim(f[2]).substr(0, 1) == "{") {
            // networkx write_edgelist with data: "u v {'weight': 3.0}".
            headerless = true;
            dictData = true;
            cs = 0;
            ct = 1;
        } else if (ncol >= 2 && ncol <= 3 && csv::parseInteger(f[0], a) && csv::parseInteger(f[1], b)) {
            headerless = true;
            cs = 0;
            ct = 1;
            if (ncol == 3 && csv::parseNumber(f[2], w)) cw = 2;
        } else {
            return Error{path, headerLine,
                         "no source and target columns in the header (found " + headerList(f) +
                             "; expected e.g. source,target,weight,type)"};
        }
    }
    if (!headerless)
        if (auto dup = csv::duplicateColumn(path, headerLine, f)) return *dup;
    if (cs < 0)
        return Error{path, headerLine,
                     std::string("no source column in the header (expected one of ") + cols::kSourceList +
                         ")"};
    if (ct < 0)
        return Error{path, headerLine,
                     std::string("no target column in the header (expected one of ") + cols::kTargetList +
                         ")"};

    csv::Interner names(4096);
    std::vector<uint32_t> src, dst;
    std::vector<float> weight;
    std::vector<uint8_t> type;
    std::vector<std::string> typeNames;
    uint8_t lastType = 0;
    bool reserved = false;

    const bool countWeight = cw >= 0 && !headerless && cols::isSynapseCount(f[size_t(cw)]);
    const bool sumPairs = !headerless && cols::isSynapseTableSource(f[size_t(cs)]);
    auto addLine = [&](long lineNo) -> Status {
        if (dictData) {
            // u v {dict}: the dict is everything after the second field (it may hold the delimiter).
            const size_t open = line.find('{');
            double dw = 1;
            bool has = false;
            if (f.size() < 3 || open == std::string_view::npos || !dictWeight(line.substr(open), dw, has))
                return Error{
                    path, lineNo,
                    "expected 'u v {'weight': w}' (two ids and a networkx data dict) as on the first line"};
            if (!std::isfinite(dw)) return Error{path, lineNo, "weight is not finite (NaN or infinity)"};
            const std::string_view s = csv::trim(f[0]), t = csv::trim(f[1]);
            src.push_back(names.intern(s));
            dst.push_back(names.intern(t));
            weight.push_back(float(dw));
            return std::nullopt;
        }
        if (f.size() != ncol) {
            std::string r = std::to_string(f.size()) + (f.size() == 1 ? " field" : " fields") +
                            ", expected " + std::to_string(ncol) +
                            (headerless ? " as on the first line" : " as in the header");
            if (in.atUnterminatedEnd()) r += " (the file ends in the middle of this line: truncated?)";
            return Error{path, lineNo, r};
        }
        const std::string_view s = csv::trim(f[size_t(cs)]), t = csv::trim(f[size_t(ct)]);
        if (s.empty()) return Error{path, lineNo, "empty source name"};
        if (t.empty()) return Error{path, lineNo, "empty target name"};
        const uint64_t hs = csv::Interner::hash(s), ht = csv::Interner::hash(t);
        names.prefetch(hs);
        names.prefetch(ht);
        float w = 1.f;
        if (cw >= 0) {
            const std::string_view ws = csv::trim(f[size_t(cw)]);
            double v = 0;
            if (!csv::parseNumber(ws, v))
                return Error{path, lineNo, "weight " + csv::quoteForError(ws) + " is not a number"};
            if (!std::isfinite(v))
                return Error{path, lineNo,
                             "weight " + csv::quoteForError(ws) + " is not finite (NaN or infinity)"};
            if (std::fabs(v) > double(std::numeric_limits<float>::max()))
                return Error{path, lineNo, "weight " + csv::quoteForError(ws) + " is too large"};
            if (countWeight && v < 0)
                return Error{path, lineNo,
                             "synapse count " + csv::quoteForError(ws) + " is negative (a count cannot be)"};
            w = float(v);
        }
        uint8_t ty = 0;
        if (cty >= 0) {
            std::string_view tn = csv::trim(f[size_t(cty)]);
            if (tn.empty()) tn = "edge";
            if (lastType < typeNames.size() && typeNames[lastType] == tn) {
                ty = lastType;
            } else {
                size_t k = 0;
                while (k < typeNames.size() && typeNames[k] != tn) ++k;
                if (k == typeNames.size()) {
                    if (k >= 255) return Error{path, lineNo, "more than 255 distinct edge types"};
                    typeNames.emplace_back(tn);
                }
                ty = lastType = uint8_t(k);
            }
        }
        if (!reserved) {
            // Size the columns from the first data line's length; the vectors still grow if it was short.
            reserved = true;
            const uint64_t est = in.fileSize() / (uint64_t(line.size()) + 1) + 16;
            // Per edge: two endpoint ids, a weight and a type; names at most the file's bytes again.
            if (auto e = checkBudget(satAdd(satMul(est, 13), in.fileSize()), "reading this edge list",
                                     "split the graph into smaller files", path, lineNo))
                return *e;
            const size_t n = size_t(std::min<uint64_t>(est + est / 8, uint64_t(1) << 28));
            src.reserve(n);
            dst.reserve(n);
            weight.reserve(n);
            if (cty >= 0) type.reserve(n);
        }
        src.push_back(names.intern(s, hs));
        dst.push_back(names.intern(t, ht));
        weight.push_back(w);
        if (cty >= 0) type.push_back(ty);
        return std::nullopt;
    };

    if (headerless)
        if (auto e = addLine(headerLine)) return *e;
    size_t count = 0;
    while (in.next(line)) {
        if (csv::trim(line).empty()) continue;
        if (!csv::splitLine(line, delim, f, scratch, reason)) return Error{path, in.lineNumber(), reason};
        if (auto e = addLine(in.lineNumber())) return *e;
        if (opt.progress && (++count & 65535) == 0 && !opt.progress(in.fraction()))
            return Error{path, in.lineNumber(), "cancelled"};
    }
    if (in.failed()) return in.error();
    if (src.empty())
        return Error{path, headerLine,
                     "no edges: the file has a header but no edge rows (an empty graph is not read)"};

    if (sumPairs) sumSamePairs(src, dst, weight, type);

    Graph g;
    setNodeNames(g, names.names);
    if (cty < 0) {
        type.assign(src.size(), 0);
        if (!src.empty()) typeNames = {"edge"};
    }
    g.src = std::move(src);
    g.dst = std::move(dst);
    g.weight = std::move(weight);
    g.type = std::move(type);
    g.edgeTypes = std::move(typeNames);
    g.invalidateAdjacency();
    if (opt.progress) opt.progress(1.0);
    return g;
}

} // namespace nr
