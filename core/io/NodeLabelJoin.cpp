// Label files and index-keyed node tables beside a graph whose nodes are numbered (a matrix, an edge list of
// integer ids).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "io/CsvTable.h"
#include "io/GraphColumns.h"
#include "io/MatrixIO.h"

namespace nr {

bool hasIndexNames(const Graph& g, int* base) {
    const size_t n = g.nodeCount();
    if (n == 0) return false;
    // Every name an integer; base 0 or 1 when they are exactly 0..n-1 or 1..n (in any order).
    std::vector<char> seen0(n, 0), seen1(n, 0);
    bool b0 = true, b1 = true;
    for (const auto& s : g.names) {
        long long v;
        if (!csv::parseInteger(s, v) || std::to_string(v) != s) return false;
        if (v < 0 || size_t(v) >= n || seen0[size_t(v)])
            b0 = false;
        else
            seen0[size_t(v)] = 1;
        if (v < 1 || size_t(v) > n || seen1[size_t(v - 1)])
            b1 = false;
        else
            seen1[size_t(v - 1)] = 1;
    }
    if (base) *base = b0 ? 0 : b1 ? 1 : -1;
    return true;
}

namespace {

bool isColourName(std::string_view h, char& which) {
    const std::string l = lower(h);
    for (const char* p : {"c_r", "c_g", "c_b"})
        if (l == p) {
            which = l[2];
            return true;
        }
    return false;
}

// Node of a key cell: its integer value names a node of g.
long nodeOfKey(const Graph& g, std::string_view key, long long shift = 0) {
    long long v;
    if (!csv::parseInteger(csv::trim(key), v)) return -1;
    return g.findNode(std::to_string(v + shift));
}

} // namespace

Result<LabelJoin> joinNodeLabels(const std::string& path, Graph& g) {
    const size_t n = g.nodeCount();
    // One label per line (no delimiter): read the lines first.
    {
        csv::LineReader in;
        if (!in.open(path)) return in.error();
        std::string_view line;
        std::vector<std::string> labels;
        std::vector<long> lineOf;
        bool single = true;
        while (in.next(line)) {
            const std::string_view t = csv::trim(line);
            if (t.empty() || t[0] == '#') continue;
            if (t.find_first_of(",\t;") != std::string_view::npos) {
                single = false;
                break;
            }
            if (labels.size() > n + 1)
                return Error{path, in.lineNumber(),
                             "more labels than the graph's " + std::to_string(n) +
                                 " nodes (one label per line)"};
            labels.emplace_back(t);
            lineOf.push_back(in.lineNumber());
        }
        if (in.failed()) return in.error();
        if (single) {
            if (labels.empty()) return Error{path, 1, "the label file is empty"};
            if (labels.size() == n + 1) { // a header line
                labels.erase(labels.begin());
                lineOf.erase(lineOf.begin());
            }
            if (labels.size() != n)
                return Error{path, lineOf.back(),
                             std::to_string(labels.size()) + " labels for " + std::to_string(n) +
                                 " nodes (a label file has one line per node, in node order)"};
            int base = -1;
            if (!hasIndexNames(g, &base) || base < 0)
                return Error{path, 1,
                             "the graph's nodes are not numbered 0..n-1 or 1..n: a label file (one line per "
                             "node) needs them"};
            // Line k is node k (k + 1 for nodes numbered from 1), whatever order the nodes were read in.
            g.nodeClass.assign(n, "");
            for (size_t k = 0; k < n; ++k)
                g.nodeClass[size_t(g.findNode(std::to_string(k + size_t(base))))] = std::move(labels[k]);
            return LabelJoin{n, "by line"};
        }
    }
    auto tr = csv::readTable(path);
    if (!tr) return tr.error();
    const csv::Table& t = tr.value();
    int base = 0;
    if (!hasIndexNames(g, &base))
        return Error{path, t.headerLine,
                     "the graph's nodes are named, not numbered: join this table by name instead"};
    // Key column: a column of integers naming nodes; one whose integers are not all nodes is refused.
    int key = -1;
    long long shift = 0;
    for (const char* k : {"roi", "id", "index", "node", "node_id", "label", "name"}) {
        const int c = t.column({k});
        if (c < 0 || t.rows() == 0) continue;
        bool integers = true;
        for (size_t r = 0; r < t.rows() && integers; ++r) {
            long long v;
            integers = csv::parseInteger(csv::trim(t.cell(r, size_t(c))), v);
        }
        if (!integers) continue;
        // Keys 1..n on nodes numbered 0..n-1 (atlas ROI numbers on a matrix's rows): shifted by one.
        long long lo = 0, hi = 0;
        for (size_t r = 0; r < t.rows(); ++r) {
            long long v = 0;
            csv::parseInteger(csv::trim(t.cell(r, size_t(c))), v);
            lo = r ? std::min(lo, v) : v;
            hi = r ? std::max(hi, v) : v;
        }
        if (base == 0 && lo >= 1 && hi == (long long)n) shift = -1;
        for (size_t r = 0; r < t.rows(); ++r)
            if (nodeOfKey(g, t.cell(r, size_t(c)), shift) < 0)
                return Error{path, t.rowLine[r],
                             "'" + t.header[size_t(c)] + "' " + csv::quoteForError(t.cell(r, size_t(c))) +
                                 " is out of range: not a node of the graph (nodes are " + g.names.front() +
                                 " .. " + g.names.back() + ")"};
        key = c;
        break;
    }
    std::vector<long> nodeOfRow(t.rows(), -1);
    std::string how;
    if (key >= 0) {
        for (size_t r = 0; r < t.rows(); ++r) nodeOfRow[r] = nodeOfKey(g, t.cell(r, size_t(key)), shift);
        how = "by column '" + t.header[size_t(key)] + "'" + (shift ? " (1-based)" : "");
    } else if (t.rows() == n && base >= 0) {
        for (size_t r = 0; r < n; ++r) nodeOfRow[r] = g.findNode(std::to_string(r + size_t(base)));
        how = "by row order";
    } else {
        return Error{path, t.headerLine,
                     std::to_string(t.rows()) + " rows for " + std::to_string(n) +
                         " nodes and no integer key column (ROI, id, index, node) to join them by"};
    }
    {
        std::vector<long> s = nodeOfRow;
        std::sort(s.begin(), s.end());
        for (size_t i = 1; i < s.size(); ++i)
            if (s[i] == s[i - 1]) {
                size_t r = 0;
                while (nodeOfRow[r] != s[i]) ++r;
                size_t r2 = r + 1;
                while (nodeOfRow[r2] != s[i]) ++r2;
                return Error{path, t.rowLine[r2],
                             "node " + g.names[size_t(s[i])] + " has a second row (first on line " +
                                 std::to_string(t.rowLine[r]) + ")"};
            }
    }
    int cx = -1, cy = -1, cz = -1, ccls = -1, cr = -1, cg = -1, cb = -1;
    for (size_t c = 0; c < t.cols(); ++c) {
        const std::string& h = t.header[c];
        char w;
        if (int(c) == key) continue;
        if (cx < 0 && cols::isX(h))
            cx = int(c);
        else if (cy < 0 && cols::isY(h))
            cy = int(c);
        else if (cz < 0 && cols::isZ(h))
            cz = int(c);
        else if (ccls < 0 && cols::isClass(h))
            ccls = int(c);
        else if (isColourName(h, w))
            (w == 'r' ? cr : w == 'g' ? cg : cb) = int(c);
    }
    auto number = [&](size_t r, int c, double& v) -> Status {
        const std::string_view s = csv::trim(t.cell(r, size_t(c)));
        if (!csv::parseNumber(s, v) || !std::isfinite(v))
            return Error{path, t.rowLine[r],
                         "'" + t.header[size_t(c)] + "' " + csv::quoteForError(s) +
                             " is not a finite number"};
        return std::nullopt;
    };
    if (cx >= 0 && cy >= 0) {
        std::vector<float> x(n, NAN), y(n, NAN), z(n, NAN);
        if (g.hasPositions()) {
            x = g.x;
            y = g.y;
            z = g.z;
        }
        for (size_t r = 0; r < t.rows(); ++r) {
            double a, b, c = 0;
            if (auto e = number(r, cx, a)) return *e;
            if (auto e = number(r, cy, b)) return *e;
            if (cz >= 0)
                if (auto e = number(r, cz, c)) return *e;
            const size_t i = size_t(nodeOfRow[r]);
            x[i] = float(a);
            y[i] = float(b);
            z[i] = float(c);
        }
        g.x = std::move(x);
        g.y = std::move(y);
        g.z = std::move(z);
    }
    if (ccls >= 0) {
        g.nodeClass.assign(n, "");
        for (size_t r = 0; r < t.rows(); ++r)
            g.nodeClass[size_t(nodeOfRow[r])] = std::string(csv::trim(t.cell(r, size_t(ccls))));
    }
    if (cr >= 0 && cg >= 0 && cb >= 0) {
        // 0..255, or 0..1 when no value is above 1.
        std::vector<double> v(t.rows() * 3);
        double hi = 0;
        for (size_t r = 0; r < t.rows(); ++r)
            for (int k = 0; k < 3; ++k) {
                const int c = k == 0 ? cr : k == 1 ? cg : cb;
                if (auto e = number(r, c, v[3 * r + size_t(k)])) return *e;
                if (v[3 * r + size_t(k)] < 0)
                    return Error{path, t.rowLine[r], "colour '" + t.header[size_t(c)] + "' is negative"};
                hi = std::max(hi, v[3 * r + size_t(k)]);
            }
        if (hi > 255) return Error{path, t.headerLine, "colour columns c_R, c_G, c_B go above 255"};
        const double scale = hi <= 1 ? 255 : 1;
        std::vector<std::string> col(n);
        for (size_t r = 0; r < t.rows(); ++r) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "#%02x%02x%02x", unsigned(std::lround(v[3 * r] * scale)) & 255u,
                          unsigned(std::lround(v[3 * r + 1] * scale)) & 255u,
                          unsigned(std::lround(v[3 * r + 2] * scale)) & 255u);
            col[size_t(nodeOfRow[r])] = buf;
        }
        g.nodeText["color"] = std::move(col);
    }
    for (size_t c = 0; c < t.cols(); ++c) {
        const int ci = int(c);
        if (ci == key || ci == cx || ci == cy || ci == cz || ci == ccls || ci == cr || ci == cg || ci == cb)
            continue;
        const std::string& h = t.header[c];
        if (h.empty()) continue;
        bool numeric = true;
        for (size_t r = 0; r < t.rows() && numeric; ++r) {
            const std::string_view s = csv::trim(t.cell(r, c));
            double v;
            numeric = s.empty() || (csv::parseNumber(s, v) && std::isfinite(v));
        }
        if (numeric) {
            std::vector<float> v(n, NAN);
            for (size_t r = 0; r < t.rows(); ++r) {
                double x = NAN;
                const std::string_view s = csv::trim(t.cell(r, c));
                if (!s.empty()) csv::parseNumber(s, x);
                v[size_t(nodeOfRow[r])] = float(x);
            }
            g.nodeNumeric[h] = std::move(v);
        } else {
            std::vector<std::string> v(n);
            for (size_t r = 0; r < t.rows(); ++r)
                v[size_t(nodeOfRow[r])] = std::string(csv::trim(t.cell(r, c)));
            g.nodeText[h] = std::move(v);
        }
    }
    return LabelJoin{t.rows(), how};
}

} // namespace nr
