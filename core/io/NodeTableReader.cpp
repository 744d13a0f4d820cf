// Node tables joined onto a graph by name.
#include <cmath>
#include <limits>
#include <unordered_map>

#include "CsvTable.h"
#include "GraphColumns.h"
#include "GraphIO.h"

namespace nr {

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

std::string columnLabel(const csv::Table& t, size_t c) {
    return t.header[c].empty() ? "column " + std::to_string(c + 1) : t.header[c];
}

// Parses a position cell; refuses missing, non-numeric and non-finite values.
Status parsePosition(const csv::Table& t, size_t r, size_t c, const char* axis, float& out) {
    const std::string_view s = t.cell(r, c);
    double v = 0;
    if (s.empty())
        return Error{t.file, t.rowLine[r],
                     std::string(axis) + " value is missing (column '" + t.header[c] + "')"};
    if (!csv::parseNumber(s, v))
        return Error{t.file, t.rowLine[r],
                     std::string(axis) + " value " + csv::quoteForError(s) + " is not a number"};
    if (!std::isfinite(v) || std::fabs(v) > double(std::numeric_limits<float>::max()))
        return Error{t.file, t.rowLine[r],
                     std::string(axis) + " value " + csv::quoteForError(s) + " is not a finite number"};
    out = float(v);
    return std::nullopt;
}

} // namespace

Result<JoinReport> joinNodeTable(const std::string& path, Graph& g, const ReadOptions& opt, bool addRows) {
    std::function<bool(double)> prog;
    if (opt.progress) prog = [&](double f) { return opt.progress(0.9 * f); };
    auto tr = csv::readTable(path, prog);
    if (!tr.ok()) return tr.error();
    const csv::Table& t = tr.value();
    if (t.rows() == 0) return Error{path, t.headerLine, "no rows: the node table has a header but no nodes"};

    std::vector<size_t> candidates;
    for (size_t c = 0; c < t.cols(); ++c)
        if (cols::isNameLike(t.header[c])) candidates.push_back(c);
    if (candidates.empty())
        return Error{path, t.headerLine,
                     std::string("no name column in the header (expected one of ") + cols::kNameList + ")"};

    // Graph names by value (views of g.names, which this join does not reallocate unless addRows).
    std::unordered_map<std::string_view, uint32_t> byName;
    if (!addRows) {
        byName.reserve(g.names.size() * 2);
        for (uint32_t i = 0; i < g.names.size(); ++i) byName.emplace(g.names[i], i);
    }
    size_t key = candidates[0], best = 0;
    if (!addRows) {
        for (size_t c : candidates) {
            size_t hits = 0;
            for (size_t r = 0; r < t.rows(); ++r) hits += byName.count(t.cell(r, c));
            if (hits > best) {
                best = hits;
                key = c;
            }
        }
    }

    // Keys must be present and unique.
    csv::Interner seen(t.rows() + 16);
    for (size_t r = 0; r < t.rows(); ++r) {
        const std::string_view k = t.cell(r, key);
        if (k.empty()) return Error{path, t.rowLine[r], "empty name in column '" + t.header[key] + "'"};
        const size_t before = seen.size();
        const uint32_t id = seen.intern(k);
        if (seen.size() == before)
            return Error{path, t.rowLine[r],
                         "duplicate name " + csv::quoteForError(k) + " in column '" + t.header[key] +
                             "' (first on line " + std::to_string(t.rowLine[id]) + ")"};
    }

    JoinReport rep;
    rep.keyColumn = t.header[key];
    std::vector<uint32_t> node(t.rows(), ~0u);
    if (addRows) {
        for (size_t r = 0; r < t.rows(); ++r) node[r] = g.addNode(std::string(t.cell(r, key)));
    } else {
        for (size_t r = 0; r < t.rows(); ++r) {
            auto it = byName.find(t.cell(r, key));
            if (it != byName.end()) node[r] = it->second;
        }
    }
    const size_t n = g.nodeCount();
    std::vector<char> matched(n, 0);
    for (size_t r = 0; r < t.rows(); ++r) {
        if (node[r] != ~0u) {
            matched[node[r]] = 1;
            ++rep.matched;
        } else {
            rep.tableOnly.emplace_back(t.cell(r, key));
        }
    }
    for (size_t i = 0; i < n; ++i)
        if (!matched[i]) rep.graphOnly.push_back(g.names[i]);

    // Positions: x and y required together, z optional.
    int cx = -1, cy = -1, cz = -1, cc = -1;
    for (size_t c = 0; c < t.cols(); ++c) {
        if (c == key) continue;
        if (cx < 0 && cols::isX(t.header[c]))
            cx = int(c);
        else if (cy < 0 && cols::isY(t.header[c]))
            cy = int(c);
        else if (cz < 0 && cols::isZ(t.header[c]))
            cz = int(c);
    }
    for (const char* nm : {"class", "cell_type", "type", "group"}) {
        for (size_t c = 0; c < t.cols() && cc < 0; ++c)
            if (c != key && csv::lower(t.header[c]) == nm) cc = int(c);
        if (cc >= 0) break;
    }
    if (cx < 0 || cy < 0) cx = cy = cz = -1;
    if (cx >= 0) {
        std::vector<float> px(t.rows()), py(t.rows()), pz(t.rows(), 0.f);
        for (size_t r = 0; r < t.rows(); ++r) {
            if (auto e = parsePosition(t, r, size_t(cx), "x", px[r])) return *e;
            if (auto e = parsePosition(t, r, size_t(cy), "y", py[r])) return *e;
            if (cz >= 0)
                if (auto e = parsePosition(t, r, size_t(cz), "z", pz[r])) return *e;
        }
        if (!g.hasPositions()) {
            g.x.assign(n, kNaN);
            g.y.assign(n, kNaN);
            g.z.assign(n, kNaN);
        }
        for (size_t r = 0; r < t.rows(); ++r)
            if (node[r] != ~0u) {
                g.x[node[r]] = px[r];
                g.y[node[r]] = py[r];
                g.z[node[r]] = pz[r];
            }
    }
    if (cc >= 0) {
        if (g.nodeClass.size() != n) g.nodeClass.assign(n, "");
        for (size_t r = 0; r < t.rows(); ++r)
            if (node[r] != ~0u) g.nodeClass[node[r]] = std::string(t.cell(r, size_t(cc)));
    }

    // Every other column: numeric when all non-empty values are finite numbers.
    for (size_t c = 0; c < t.cols(); ++c) {
        if (c == key || int(c) == cx || int(c) == cy || int(c) == cz || int(c) == cc) continue;
        const std::string name = columnLabel(t, c);
        bool numeric = true, any = false;
        std::vector<float> vals(t.rows(), kNaN);
        for (size_t r = 0; r < t.rows() && numeric; ++r) {
            const std::string_view s = t.cell(r, c);
            if (s.empty()) continue;
            double v = 0;
            if (!csv::parseNumber(s, v) || !std::isfinite(v) ||
                std::fabs(v) > double(std::numeric_limits<float>::max()))
                numeric = false;
            vals[r] = float(v);
            any = true;
        }
        if (numeric && any) {
            auto& col = g.nodeNumeric[name];
            if (col.size() != n) col.assign(n, kNaN);
            for (size_t r = 0; r < t.rows(); ++r)
                if (node[r] != ~0u) col[node[r]] = vals[r];
            g.nodeText.erase(name);
        } else {
            auto& col = g.nodeText[name];
            if (col.size() != n) col.assign(n, "");
            for (size_t r = 0; r < t.rows(); ++r)
                if (node[r] != ~0u) col[node[r]] = std::string(t.cell(r, c));
            g.nodeNumeric.erase(name);
        }
    }
    if (opt.progress) opt.progress(1.0);
    return rep;
}

Result<JoinReport> readNodeTable(const std::string& path, Graph& g, const ReadOptions& opt) {
    return joinNodeTable(path, g, opt, false);
}

} // namespace nr
