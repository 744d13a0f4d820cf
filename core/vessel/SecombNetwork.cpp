// Secomb's network.dat (NetFlow, Greens):
//   7 header lines: title; box size (µm); tissue grid; outer bound; max segment length; max segments per
//   node; "N total number of segments". A column-title line, N rows "name type from to diam flow hd". A line
//   "M number of nodes", a title line, M rows "name x y z" (µm). A line "B ... boundary nodes", a title line,
//   B rows "name bctype pressure-or-flow HD PO2 ...".
// Files in the field have tabs or runs of spaces between columns, a UTF-8 BOM, text after the last column,
// CRLF and blank lines; all are accepted. Counts in the header lines are checked against the rows.
// Flow is kept signed: a negative flow runs from `to` to `from`. Edge length is the Euclidean distance
// between the nodes (the file has no length column).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <unordered_map>

#include "vessel/VesselFormats.h"
#include "vessel/VesselText.h"

namespace nr {

namespace {

struct LineReader {
    const char* p;
    const char* e;
    long line = 0; // physical line number of the last line returned
    // Next non-blank line as [b, le) with its physical line number.
    bool next(const char*& b, const char*& le) {
        while (p < e) {
            const char* nl = static_cast<const char*>(std::memchr(p, '\n', size_t(e - p)));
            b = p;
            le = nl ? nl : e;
            p = nl ? nl + 1 : e;
            ++line;
            const char* q = b;
            while (q < le && (*q == ' ' || *q == '\t' || *q == '\r')) ++q;
            if (q < le) return true;
        }
        return false;
    }
};

// The leading numbers of a line (at most `max`), separated by spaces or tabs; stops at the first token that
// is not a number (a trailing marker or descriptive text).
size_t leadingNumbers(const char* b, const char* le, double* out, size_t max) {
    size_t n = 0;
    const char* p = b;
    while (n < max) {
        while (p < le && (*p == ' ' || *p == '\t' || *p == '\r' || *p == ',')) ++p;
        if (p >= le) break;
        const char* s = p;
        double v;
        if (!vessel::parseNumber(p, le, v)) break;
        if (p < le && *p != ' ' && *p != '\t' && *p != '\r' && *p != ',') { // "12abc": not a number token
            p = s;
            break;
        }
        out[n++] = v;
    }
    return n;
}

std::string lineText(const char* b, const char* le) {
    const char* t = le;
    while (t > b && (t[-1] == '\r' || t[-1] == ' ')) --t;
    std::string s(b, std::min(t, b + 60));
    return s;
}

// Finite and within float range (the columns are stored as float; 1e300 would become infinity).
bool finiteFloat(double v) {
    return std::isfinite(v) && std::fabs(v) <= 3.4028234663852886e38;
}

bool wholeNumber(double v) {
    return std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9e15;
}

} // namespace

Result<VesselGraph> readSecombNetwork(const std::string& path, const OpenOptions& opt,
                                      std::vector<std::string>* warnings) {
    vessel::MappedFile f;
    if (auto s = f.open(path)) return *s;
    LineReader r{f.data(), f.end()};
    if (f.size() >= 3 && std::memcmp(f.data(), "\xEF\xBB\xBF", 3) == 0) r.p += 3;
    const char *b = nullptr, *le = nullptr;
    double v[16];
    auto missing = [&](const std::string& what) {
        return Error{path, r.line + 1, "file ends before " + what};
    };
    // Header: title + 5 lines of parameters + the segment count.
    if (!r.next(b, le)) return Error{path, 1, "empty file"};
    const char* headerWhat[5] = {"box size", "tissue grid", "outer bound", "maximum segment length",
                                 "maximum segments per node"};
    for (const char* what : headerWhat) {
        if (!r.next(b, le)) return missing(std::string("the ") + what + " line");
        if (leadingNumbers(b, le, v, 3) == 0)
            return Error{path, r.line,
                         std::string("expected the ") + what + ", found '" + lineText(b, le) + "'"};
    }
    if (!r.next(b, le)) return missing("the number of segments");
    if (leadingNumbers(b, le, v, 1) != 1 || !wholeNumber(v[0]) || v[0] < 0)
        return Error{path, r.line, "expected 'N total number of segments', found '" + lineText(b, le) + "'"};
    const size_t nseg = size_t(v[0]);
    const long segCountLine = r.line;
    const size_t budget = vessel::memoryBudget(opt);
    // A segment takes at least 14 bytes of text; more than the file can hold is a bad count, and the memory
    // it would take is checked before allocating.
    if (double(nseg) * 14 > double(f.size()))
        return Error{path, r.line,
                     "header says " + std::to_string(nseg) + " segments, more than the file's " +
                         std::to_string(f.size()) + " bytes can hold"};
    if (double(nseg) * 60 > double(budget))
        return Error{path, r.line,
                     "too big for this machine's memory: " + std::to_string(nseg) + " segments need about " +
                         vessel::formatBytes(double(nseg) * 60)};
    if (!r.next(b, le)) return missing("the segment column titles");
    if (leadingNumbers(b, le, v, 7) >= 4)
        return Error{path, r.line, "expected the segment column-title line, found a data row"};

    VesselGraph g;
    g.units = "um";
    std::vector<int64_t> segName(nseg), from(nseg), to(nseg);
    std::vector<float> type(nseg), diam(nseg), flow(nseg), hd(nseg);
    std::vector<long> segLine(nseg);
    for (size_t i = 0; i < nseg; ++i) {
        if (!r.next(b, le))
            return Error{path, r.line + 1,
                         "header (line " + std::to_string(segCountLine) + ") says " + std::to_string(nseg) +
                             " segments, the file ends after " + std::to_string(i)};
        const size_t k = leadingNumbers(b, le, v, 7);
        if (k < 7) {
            if (k == 1)
                return Error{path, r.line,
                             "header (line " + std::to_string(segCountLine) + ") says " +
                                 std::to_string(nseg) + " segments, found " + std::to_string(i) +
                                 " before '" + lineText(b, le) + "'"};
            return Error{path, r.line,
                         "truncated segment row: " + std::to_string(k) +
                             " of 7 numbers (name type from to diam flow hd)"};
        }
        if (!wholeNumber(v[0]) || !wholeNumber(v[2]) || !wholeNumber(v[3]))
            return Error{path, r.line, "segment name, from and to must be whole numbers"};
        if (!(v[4] >= 0))
            return Error{path, r.line,
                         std::string("segment diameter is ") + (std::isnan(v[4]) ? "NaN" : "negative") +
                             " (" + std::to_string(v[4]) + ")"};
        if (!finiteFloat(v[4]))
            return Error{path, r.line, "segment diameter is not a finite number (" + lineText(b, le) + ")"};
        if (!finiteFloat(v[1])) return Error{path, r.line, "segment type is not a finite number"};
        if (!finiteFloat(v[5])) return Error{path, r.line, "segment flow is not a finite number"};
        if (!finiteFloat(v[6])) return Error{path, r.line, "segment haematocrit (hd) is not a finite number"};
        segName[i] = int64_t(v[0]), type[i] = float(v[1]), from[i] = int64_t(v[2]), to[i] = int64_t(v[3]);
        diam[i] = float(v[4]), flow[i] = float(v[5]), hd[i] = float(v[6]);
        segLine[i] = r.line;
        if (i % 65536 == 0 && !opt.say(0.8 * double(r.p - f.data()) / double(f.size()), "reading network"))
            return Error{path, 0, "cancelled"};
    }
    // Node count line.
    if (!r.next(b, le)) return missing("the number of nodes");
    {
        const size_t k = leadingNumbers(b, le, v, 7);
        if (k >= 4)
            return Error{path, r.line,
                         "more segment rows than the header's " + std::to_string(nseg) + " (line " +
                             std::to_string(segCountLine) + ")"};
        if (k != 1 || !wholeNumber(v[0]) || v[0] < 0)
            return Error{path, r.line, "expected 'M number of nodes', found '" + lineText(b, le) + "'"};
    }
    const size_t nnod = size_t(v[0]);
    const long nodeCountLine = r.line;
    if (double(nnod) * 8 > double(f.size()))
        return Error{path, r.line,
                     "header says " + std::to_string(nnod) + " nodes, more than the file can hold"};
    if (!r.next(b, le)) return missing("the node column titles");
    if (leadingNumbers(b, le, v, 4) >= 4)
        return Error{path, r.line, "expected the node column-title line, found a data row"};
    std::vector<int64_t> nodeName(nnod);
    g.x.resize(nnod), g.y.resize(nnod), g.z.resize(nnod);
    std::unordered_map<int64_t, uint32_t> index;
    index.reserve(nnod);
    for (size_t i = 0; i < nnod; ++i) {
        if (!r.next(b, le))
            return Error{path, r.line + 1,
                         "line " + std::to_string(nodeCountLine) + " says " + std::to_string(nnod) +
                             " nodes, the file ends after " + std::to_string(i)};
        const size_t k = leadingNumbers(b, le, v, 4);
        if (k < 4) {
            if (k == 1)
                return Error{path, r.line,
                             "line " + std::to_string(nodeCountLine) + " says " + std::to_string(nnod) +
                                 " nodes, found " + std::to_string(i) + " before '" + lineText(b, le) + "'"};
            return Error{path, r.line,
                         "truncated node row: " + std::to_string(k) + " of 4 numbers (name x y z)"};
        }
        if (!wholeNumber(v[0])) return Error{path, r.line, "node name must be a whole number"};
        if (!finiteFloat(v[1]) || !finiteFloat(v[2]) || !finiteFloat(v[3]))
            return Error{path, r.line, "node position is not a finite number"};
        nodeName[i] = int64_t(v[0]);
        if (!index.emplace(nodeName[i], uint32_t(i)).second)
            return Error{path, r.line, "duplicate node name " + std::to_string(nodeName[i])};
        g.x[i] = float(v[1]), g.y[i] = float(v[2]), g.z[i] = float(v[3]);
    }
    // Boundary nodes.
    std::vector<float> bctype(nnod, __builtin_nanf("")), bcvalue(nnod, __builtin_nanf(""));
    if (r.next(b, le)) {
        const size_t k = leadingNumbers(b, le, v, 4);
        if (k >= 4)
            return Error{path, r.line,
                         "more node rows than the " + std::to_string(nnod) + " of line " +
                             std::to_string(nodeCountLine)};
        if (k != 1 || !wholeNumber(v[0]) || v[0] < 0)
            return Error{path, r.line,
                         "expected 'B number of boundary nodes', found '" + lineText(b, le) + "'"};
        const size_t nb = size_t(v[0]);
        const long bCountLine = r.line;
        if (nb > nnod)
            return Error{path, r.line,
                         std::to_string(nb) + " boundary nodes, but only " + std::to_string(nnod) + " nodes"};
        if (nb > 0 && !r.next(b, le)) return missing("the boundary column titles");
        for (size_t i = 0; i < nb; ++i) {
            if (!r.next(b, le))
                return Error{path, r.line + 1,
                             "line " + std::to_string(bCountLine) + " says " + std::to_string(nb) +
                                 " boundary nodes, the file ends after " + std::to_string(i)};
            const size_t kb = leadingNumbers(b, le, v, 3);
            if (kb < 3)
                return Error{path, r.line,
                             "truncated boundary row: " + std::to_string(kb) + " of at least 3 numbers"};
            auto it = wholeNumber(v[0]) ? index.find(int64_t(v[0])) : index.end();
            if (it == index.end())
                return Error{path, r.line, "boundary node " + lineText(b, le) + " is not among the nodes"};
            if (!finiteFloat(v[1]) || !finiteFloat(v[2]))
                return Error{path, r.line, "boundary condition is not a finite number"};
            bctype[it->second] = float(v[1]);
            bcvalue[it->second] = float(v[2]);
        }
        if (r.next(b, le) && warnings)
            warnings->push_back(path + ":" + std::to_string(r.line) +
                                ": text after the boundary nodes ignored");
    } else if (warnings) {
        warnings->push_back(path + ": no boundary node section");
    }

    // Segments -> edges.
    g.src.resize(nseg), g.dst.resize(nseg);
    for (size_t i = 0; i < nseg; ++i) {
        auto a = index.find(from[i]), c = index.find(to[i]);
        if (a == index.end() || c == index.end())
            return Error{path, segLine[i],
                         "segment " + std::to_string(segName[i]) + " names node " +
                             std::to_string(a == index.end() ? from[i] : to[i]) +
                             ", which is not in the node list"};
        g.src[i] = a->second;
        g.dst[i] = c->second;
    }
    {
        std::vector<std::pair<int64_t, size_t>> s(nseg);
        for (size_t i = 0; i < nseg; ++i) s[i] = {segName[i], i};
        std::sort(s.begin(), s.end());
        for (size_t i = 1; i < nseg; ++i)
            if (s[i].first == s[i - 1].first)
                return Error{path, segLine[s[i].second],
                             "duplicate segment name " + std::to_string(s[i].first) + " (first on line " +
                                 std::to_string(segLine[s[i - 1].second]) + ")"};
    }
    bool contiguous = true;
    for (size_t i = 0; i < nnod && contiguous; ++i) contiguous = nodeName[i] == int64_t(i);
    if (!contiguous) g.nodeIds = std::move(nodeName);
    contiguous = true;
    for (size_t i = 0; i < nseg && contiguous; ++i) contiguous = segName[i] == int64_t(i);
    if (!contiguous) g.edgeIds = std::move(segName);
    std::vector<float> radius(nseg);
    for (size_t i = 0; i < nseg; ++i) radius[i] = diam[i] * 0.5f;
    g.setEdgeColumn("type", std::move(type));
    g.setEdgeColumn("diameter", std::move(diam));
    g.setEdgeColumn("radius", std::move(radius));
    g.setEdgeColumn("flow", std::move(flow));
    g.setEdgeColumn("hd", std::move(hd));
    g.radiusColumn = "radius";
    g.setNodeColumn("bctype", std::move(bctype));
    g.setNodeColumn("bcvalue", std::move(bcvalue));
    g.computeBounds();
    return g;
}

} // namespace nr
