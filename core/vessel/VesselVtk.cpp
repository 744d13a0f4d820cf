// Legacy VTK polydata (".vtk", "# vtk DataFile Version 2.0 ... 4.2"), BINARY (big-endian) or ASCII:
// POINTS, LINES (legacy "n id id ..." cells), CELL_DATA / POINT_DATA with SCALARS (and FIELD arrays). A line
// of k points becomes k-1 edges that share its cell data. Core does not link VTK, so this is a small parser
// of the documented file format.
#include <cmath>
#include <cstring>

#include "vessel/VesselFormats.h"
#include "vessel/VesselText.h"

namespace nr {

namespace {

struct Cursor {
    const char* b;
    const char* p;
    const char* e;
    long line = 1; // meaningful while in the text parts
    long long offset() const { return (long long)(p - b); }
};

// Next text line (without '\r\n'); false at the end.
bool nextLine(Cursor& c, std::string& out) {
    while (c.p < c.e) {
        const char* nl = static_cast<const char*>(std::memchr(c.p, '\n', size_t(c.e - c.p)));
        const char* le = nl ? nl : c.e;
        const char* t = le;
        while (t > c.p && (t[-1] == '\r' || t[-1] == ' ' || t[-1] == '\t')) --t;
        std::string s(c.p, t);
        c.p = nl ? nl + 1 : c.e;
        ++c.line;
        size_t a = 0;
        while (a < s.size() && (s[a] == ' ' || s[a] == '\t')) ++a;
        if (a == s.size()) continue; // blank
        out = s.substr(a);
        return true;
    }
    return false;
}

std::vector<std::string> words(const std::string& s) {
    std::vector<std::string> w;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
        size_t j = i;
        while (j < s.size() && s[j] != ' ' && s[j] != '\t') ++j;
        if (j > i) w.push_back(s.substr(i, j - i));
        i = j;
    }
    return w;
}

int typeSize(const std::string& t) {
    if (t == "double" || t == "long" || t == "unsigned_long" || t == "vtktypeint64" || t == "vtktypeuint64")
        return 8;
    if (t == "float" || t == "int" || t == "unsigned_int") return 4;
    if (t == "short" || t == "unsigned_short") return 2;
    if (t == "char" || t == "unsigned_char" || t == "bit") return 1;
    return 0;
}

double readBE(const unsigned char* q, const std::string& t) {
    uint64_t v = 0;
    const int n = typeSize(t);
    for (int i = 0; i < n; ++i) v = (v << 8) | q[i];
    if (t == "double") {
        double d;
        std::memcpy(&d, &v, 8);
        return d;
    }
    if (t == "float") {
        const uint32_t u = uint32_t(v);
        float f;
        std::memcpy(&f, &u, 4);
        return f;
    }
    if (t == "int") return double(int32_t(uint32_t(v)));
    if (t == "short") return double(int16_t(uint16_t(v)));
    if (t == "char") return double(int8_t(uint8_t(v)));
    if (t == "long" || t == "vtktypeint64") return double(int64_t(v));
    return double(v);
}

} // namespace

Result<VesselGraph> readVesselLegacyVtk(const std::string& path, const OpenOptions& opt) {
    vessel::MappedFile f;
    if (auto s = f.open(path)) return *s;
    Cursor c{f.data(), f.data(), f.end()};
    std::string l;
    auto err = [&](const std::string& why) { return Error{path, c.line - 1, why}; };
    if (!nextLine(c, l) || l.rfind("# vtk DataFile", 0) != 0) return Error{path, 1, "not a legacy VTK file"};
    if (!nextLine(c, l)) return err("missing title line");
    if (!nextLine(c, l)) return err("missing ASCII/BINARY line");
    const bool binary = l == "BINARY";
    if (!binary && l != "ASCII") return err("expected ASCII or BINARY, found '" + l + "'");
    if (!nextLine(c, l)) return err("missing DATASET line");
    if (l != "DATASET POLYDATA") return err("only DATASET POLYDATA holds a vessel graph, found '" + l + "'");

    // Reads `count` values of type `type` into out (binary: big-endian block; ASCII: white-space separated).
    auto readValues = [&](size_t count, const std::string& type, std::vector<double>& out) -> Status {
        const int sz = typeSize(type);
        if (sz == 0) return err("unsupported data type '" + type + "'");
        if (count > (size_t(1) << 34)) return err("count too large");
        if (binary) {
            if (size_t(c.e - c.p) / size_t(sz) < count)
                return Error{path, 0,
                             "file ends inside a binary block of " + std::to_string(count) + " values",
                             c.offset()};
            out.resize(count);
            const unsigned char* q = reinterpret_cast<const unsigned char*>(c.p);
            for (size_t i = 0; i < count; ++i) out[i] = readBE(q + i * size_t(sz), type);
            c.p += count * size_t(sz);
            if (c.p < c.e && *c.p == '\n') ++c.p;
            return std::nullopt;
        }
        out.resize(count);
        for (size_t i = 0; i < count; ++i) {
            while (c.p < c.e && (*c.p == ' ' || *c.p == '\t' || *c.p == '\r' || *c.p == '\n'))
                c.line += *c.p++ == '\n';
            if (!vessel::parseNumber(c.p, c.e, out[i]))
                return Error{path, c.line,
                             c.p >= c.e ? "file ends after " + std::to_string(i) + " of " +
                                              std::to_string(count) + " values"
                                        : "not a number"};
        }
        return std::nullopt;
    };
    auto readCount = [&](const std::string& w, size_t& n) -> bool {
        const char* s = w.c_str();
        int64_t v = 0;
        if (!vessel::parseInt(s, s + w.size(), v) || v < 0 || s != w.c_str() + w.size()) return false;
        n = size_t(v);
        return true;
    };

    VesselGraph g;
    g.units = opt.option("units", "");
    std::vector<size_t>
        cellFirstEdge; // per line cell: its first edge; edges of cell k: [first[k], first[k+1])
    size_t npoints = 0;
    bool havePoints = false, haveLines = false;
    enum { None, Cell, Point } section = None;
    size_t sectionCount = 0;
    std::vector<double> buf;
    const size_t budget = vessel::memoryBudget(opt);
    while (nextLine(c, l)) {
        const std::vector<std::string> w = words(l);
        const std::string& key = w[0];
        if (key == "POINTS") {
            if (w.size() < 3 || !readCount(w[1], npoints)) return err("bad POINTS line '" + l + "'");
            if (double(npoints) * 40 > double(budget))
                return err("too big for this machine's memory: " + std::to_string(npoints) +
                           " points need about " + vessel::formatBytes(double(npoints) * 40));
            if (auto s = readValues(npoints * 3, w[2], buf)) return *s;
            g.x.resize(npoints), g.y.resize(npoints), g.z.resize(npoints);
            for (size_t i = 0; i < npoints; ++i) {
                g.x[i] = float(buf[3 * i]), g.y[i] = float(buf[3 * i + 1]), g.z[i] = float(buf[3 * i + 2]);
                if (!std::isfinite(g.x[i]) || !std::isfinite(g.y[i]) || !std::isfinite(g.z[i]))
                    return err("point " + std::to_string(i) + " is not finite");
            }
            havePoints = true;
        } else if (key == "LINES") {
            size_t ncells = 0, size = 0;
            if (w.size() < 3 || !readCount(w[1], ncells) || !readCount(w[2], size))
                return err("bad LINES line '" + l + "'");
            if (!havePoints) return err("LINES before POINTS");
            if (double(size) * 24 > double(budget))
                return err("too big for this machine's memory: LINES of " + std::to_string(size) + " values");
            const long at = c.line - 1;
            if (auto s = readValues(size, "int", buf)) return *s;
            size_t i = 0;
            for (size_t k = 0; k < ncells; ++k) {
                if (i >= size) return Error{path, at, "LINES ends after " + std::to_string(k) + " cells"};
                const double cnt = buf[i++];
                if (!(cnt >= 1) || cnt > double(size - i))
                    return Error{path, at, "line cell " + std::to_string(k) + " has a bad point count"};
                cellFirstEdge.push_back(g.src.size());
                for (size_t j = 0; j + 1 < size_t(cnt); ++j) {
                    const double a = buf[i + j], b = buf[i + j + 1];
                    if (a < 0 || b < 0 || a >= double(npoints) || b >= double(npoints))
                        return Error{path, at,
                                     "line cell " + std::to_string(k) + " names point " +
                                         vessel::numberText(a < 0 || a >= double(npoints) ? a : b) +
                                         ", which is not among the " + std::to_string(npoints) + " points"};
                    g.src.push_back(uint32_t(a));
                    g.dst.push_back(uint32_t(b));
                }
                i += size_t(cnt);
            }
            if (i != size) return Error{path, at, "LINES size does not match its cells"};
            cellFirstEdge.push_back(g.src.size());
            haveLines = true;
        } else if (key == "VERTICES" || key == "POLYGONS" || key == "TRIANGLE_STRIPS") {
            size_t n = 0, size = 0;
            if (w.size() < 3 || !readCount(w[1], n) || !readCount(w[2], size))
                return err("bad " + key + " line");
            if (auto s = readValues(size, "int", buf)) return *s;
        } else if (key == "CELL_DATA" || key == "POINT_DATA") {
            if (w.size() < 2 || !readCount(w[1], sectionCount)) return err("bad " + key + " line");
            section = key == "CELL_DATA" ? Cell : Point;
            if (section == Cell && haveLines && sectionCount != cellFirstEdge.size() - 1)
                return err("CELL_DATA " + std::to_string(sectionCount) + " but LINES has " +
                           std::to_string(cellFirstEdge.size() - 1) + " cells");
            if (section == Point && sectionCount != npoints)
                return err("POINT_DATA " + std::to_string(sectionCount) + " but POINTS has " +
                           std::to_string(npoints));
        } else if (key == "SCALARS" || key == "FIELD") {
            if (section == None) return err(key + " outside CELL_DATA/POINT_DATA");
            const long arrayLine = c.line - 1;
            std::vector<std::pair<std::string, std::string>> arrays; // name, type
            std::vector<size_t> comps;
            if (key == "SCALARS") {
                if (w.size() < 3) return err("bad SCALARS line");
                const size_t nc = w.size() >= 4 ? size_t(std::atoi(w[3].c_str())) : 1;
                arrays.push_back({w[1], w[2]});
                comps.push_back(nc ? nc : 1);
                std::string lt;
                const char* save = c.p;
                const long saveLine = c.line;
                if (nextLine(c, lt) && lt.rfind("LOOKUP_TABLE", 0) != 0) c.p = save, c.line = saveLine;
            }
            size_t nfield = 0;
            if (key == "FIELD" && (w.size() < 3 || !readCount(w[2], nfield))) return err("bad FIELD line");
            for (size_t fi = 0; fi < (key == "FIELD" ? nfield : 1); ++fi) {
                std::string name, type;
                size_t nc = 1, nt = sectionCount;
                if (key == "FIELD") {
                    std::string al;
                    if (!nextLine(c, al)) return err("file ends inside FIELD");
                    const auto aw = words(al);
                    if (aw.size() < 4 || !readCount(aw[1], nc) || !readCount(aw[2], nt))
                        return err("bad FIELD array line '" + al + "'");
                    name = aw[0], type = aw[3];
                } else {
                    name = arrays[0].first, type = arrays[0].second, nc = comps[0];
                }
                if (nt != sectionCount)
                    return err("array " + name + " has " + std::to_string(nt) + " tuples");
                if (auto s = readValues(nt * nc, type, buf)) return *s;
                if (nc != 1) continue; // vectors are not kept
                // Kept as float: infinity, and values beyond float range, are refused (NaN marks no value).
                for (size_t k = 0; k < nt; ++k)
                    if (!std::isnan(buf[k]) && !(std::fabs(buf[k]) <= 3.4028234663852886e38))
                        return Error{path, arrayLine,
                                     std::string(section == Point ? "point " : "cell ") + std::to_string(k) +
                                         " of " + name + " is not a finite number"};
                if (section == Point) {
                    std::vector<float> v(nt);
                    for (size_t i = 0; i < nt; ++i) v[i] = float(buf[i]);
                    g.setNodeColumn(name, std::move(v));
                } else {
                    std::vector<float> v(g.src.size());
                    for (size_t k = 0; k + 1 < cellFirstEdge.size(); ++k)
                        for (size_t e = cellFirstEdge[k]; e < cellFirstEdge[k + 1]; ++e) v[e] = float(buf[k]);
                    const bool radius =
                        name.find("adius") != std::string::npos || name.find("diam") != std::string::npos;
                    if (radius)
                        for (size_t k = 0; k < nt; ++k)
                            if (!(buf[k] >= 0))
                                return Error{path, arrayLine,
                                             "cell " + std::to_string(k) + " of " + name + " is " +
                                                 (std::isnan(buf[k]) ? "NaN" : "negative")};
                    g.setEdgeColumn(name, std::move(v));
                }
            }
        } else if (key == "METADATA") {
            // Skip to the blank line that ends the block.
            while (c.p < c.e) {
                const char* nl = static_cast<const char*>(std::memchr(c.p, '\n', size_t(c.e - c.p)));
                const bool blank = nl == c.p || (nl == c.p + 1 && *c.p == '\r');
                c.p = nl ? nl + 1 : c.e;
                ++c.line;
                if (blank) break;
            }
        } else if (key == "NORMALS" || key == "VECTORS" || key == "TEXTURE_COORDINATES" || key == "TENSORS") {
            if (section == None || w.size() < 3) return err("bad " + key + " line");
            const size_t nc = key == "TENSORS"               ? 9
                              : key == "TEXTURE_COORDINATES" ? size_t(std::atoi(w[2].c_str()))
                                                             : 3;
            const std::string type = key == "TEXTURE_COORDINATES" ? (w.size() > 3 ? w[3] : "float") : w[2];
            if (auto s = readValues(sectionCount * nc, type, buf)) return *s;
        } else if (key == "OFFSETS" || key == "CONNECTIVITY") {
            return err("VTK 5.1 cell arrays (OFFSETS/CONNECTIVITY) are not read; save as legacy 4.2");
        } else {
            return err("unexpected '" + l.substr(0, 40) + "'");
        }
    }
    if (!havePoints) return Error{path, 0, "no POINTS in the file"};
    if (!haveLines) return Error{path, 0, "no LINES in the file: not a graph"};
    for (const char* r : {"radius", "avgRadiusAvg", "Radius"})
        if (g.edgeColumn(r)) {
            g.radiusColumn = r;
            break;
        }
    if (g.edgeColumn("length")) g.lengthColumn = "length";
    g.computeBounds();
    return g;
}

} // namespace nr
