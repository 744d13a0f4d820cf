#include "io/SpikeIO.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <unordered_map>
#include <vector>

namespace nr {

namespace {

std::string lower(std::string s) {
    for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string trim(const std::string& s) {
    size_t a = 0, b = s.size();
    while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
    while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
    return s.substr(a, b - a);
}

bool endsWith(const std::string& s, const std::string& e) {
    return s.size() >= e.size() && lower(s.substr(s.size() - e.size())) == e;
}

// Maps external unit ids to indices in order of first appearance.
struct UnitMap {
    std::unordered_map<int64_t, uint32_t> index;
    uint32_t get(SpikeTrains& st, int64_t id) {
        auto it = index.find(id);
        if (it != index.end()) return it->second;
        const uint32_t k = uint32_t(st.unitIds.size());
        index.emplace(id, k);
        st.unitIds.push_back(id);
        st.unitLabels.emplace_back();
        return k;
    }
};

void finish(SpikeTrains& st) {
    if (st.times.empty()) return;
    const auto mm = std::minmax_element(st.times.begin(), st.times.end());
    st.tStart = std::min(0.0, *mm.first);
    st.tStop = *mm.second;
}

bool isUnitName(const std::string& s) {
    const std::string l = lower(s);
    return l == "unit" || l == "units" || l == "unit_id" || l == "id" || l == "neuron" || l == "cluster";
}
bool isTimeName(const std::string& s) {
    const std::string l = lower(s);
    return l == "time_s" || l == "time" || l == "times" || l == "t" || l == "spike_time" ||
           l == "spike_times";
}

std::vector<std::string> splitComma(const std::string& line) {
    std::vector<std::string> out;
    size_t a = 0;
    while (true) {
        const size_t b = line.find(',', a);
        out.push_back(trim(line.substr(a, b == std::string::npos ? std::string::npos : b - a)));
        if (b == std::string::npos) break;
        a = b + 1;
    }
    return out;
}

} // namespace

Result<SpikeTrains> readSpikesCsv(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) return Error{path, 0, "cannot open the file"};
    std::string line;
    long ln = 0;
    int unitCol = -1, timeCol = -1;
    // Header.
    while (std::getline(f, line)) {
        ++ln;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (ln == 1 && line.size() >= 3 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);
        if (trim(line).empty()) continue;
        const auto cols = splitComma(line);
        if (cols.size() != 2)
            return Error{path, ln,
                         "expected the header `unit,time_s` (2 columns), found " +
                             std::to_string(cols.size()) + " columns"};
        for (int c = 0; c < 2; ++c) {
            if (isUnitName(cols[size_t(c)]))
                unitCol = c;
            else if (isTimeName(cols[size_t(c)]))
                timeCol = c;
        }
        if (unitCol < 0 || timeCol < 0)
            return Error{path, ln, "expected the header `unit,time_s`, found `" + trim(line) + "`"};
        break;
    }
    if (unitCol < 0) return Error{path, ln > 0 ? ln : 1, "empty file: expected the header `unit,time_s`"};
    SpikeTrains st;
    UnitMap units;
    while (std::getline(f, line)) {
        ++ln;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (trim(line).empty()) continue;
        const auto cols = splitComma(line);
        if (cols.size() != 2)
            return Error{path, ln, "expected 2 columns (unit,time_s), found " + std::to_string(cols.size())};
        const std::string& us = cols[size_t(unitCol)];
        const std::string& ts = cols[size_t(timeCol)];
        char* end = nullptr;
        errno = 0;
        const long long u = std::strtoll(us.c_str(), &end, 10);
        if (us.empty() || *end != '\0' || errno == ERANGE) {
            // Accept integral floats such as "6.0".
            char* e2 = nullptr;
            const double d = std::strtod(us.c_str(), &e2);
            if (us.empty() || *e2 != '\0' || !std::isfinite(d) || d != std::floor(d))
                return Error{path, ln, "unit `" + us + "` is not an integer"};
            if (d < 0) return Error{path, ln, "negative unit id " + us};
            const double t = std::strtod(ts.c_str(), &e2);
            if (ts.empty() || *e2 != '\0') return Error{path, ln, "time `" + ts + "` is not a number"};
            if (!std::isfinite(t)) return Error{path, ln, "time is " + ts + " (NaN or infinite)"};
            st.add(t, units.get(st, int64_t(d)));
            continue;
        }
        if (u < 0) return Error{path, ln, "negative unit id " + us};
        const double t = std::strtod(ts.c_str(), &end);
        if (ts.empty() || *end != '\0') return Error{path, ln, "time `" + ts + "` is not a number"};
        if (!std::isfinite(t)) return Error{path, ln, "time is " + ts + " (NaN or infinite)"};
        st.add(t, units.get(st, u));
    }
    finish(st);
    return st;
}

Status writeSpikesCsv(const std::string& path, const SpikeTrains& s) {
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return Error{path, 0, "cannot open the file for writing"};
    std::fputs("unit,time_s\n", f);
    char buf[64];
    for (size_t k = 0; k < s.times.size(); ++k) {
        const uint32_t u = s.units[k];
        const long long id = u < s.unitIds.size() ? (long long)s.unitIds[u] : (long long)u;
        // %.17g round-trips every double.
        const int len = std::snprintf(buf, sizeof buf, "%lld,%.17g\n", id, s.times[k]);
        std::fwrite(buf, 1, size_t(len), f);
    }
    const bool bad = std::ferror(f) != 0;
    if (std::fclose(f) != 0 || bad) return Error{path, 0, "write failed (disk full?)"};
    return std::nullopt;
}

namespace {

struct NpyField {
    std::string name;
    char kind = 'f'; // f, i, u
    int size = 8;
    bool big = false;
    size_t offset = 0;
};

// Parses a dtype string such as '<f8', '|u1', '>i4'.
bool parseType(const std::string& d, NpyField& f) {
    if (d.size() < 3) return false;
    const char e = d[0];
    if (e != '<' && e != '>' && e != '|' && e != '=') return false;
    f.big = e == '>';
    f.kind = d[1];
    if (f.kind != 'f' && f.kind != 'i' && f.kind != 'u') return false;
    f.size = std::atoi(d.c_str() + 2);
    if (f.kind == 'f') return f.size == 4 || f.size == 8;
    return f.size == 1 || f.size == 2 || f.size == 4 || f.size == 8;
}

double readValue(const unsigned char* p, const NpyField& f) {
    unsigned char b[8];
    std::memcpy(b, p, size_t(f.size));
    if (f.big) std::reverse(b, b + f.size);
    switch (f.kind) {
    case 'f': {
        if (f.size == 4) {
            float x;
            std::memcpy(&x, b, 4);
            return x;
        }
        double x;
        std::memcpy(&x, b, 8);
        return x;
    }
    case 'i': {
        if (f.size == 1) return double(int8_t(b[0]));
        if (f.size == 2) {
            int16_t x;
            std::memcpy(&x, b, 2);
            return x;
        }
        if (f.size == 4) {
            int32_t x;
            std::memcpy(&x, b, 4);
            return x;
        }
        int64_t x;
        std::memcpy(&x, b, 8);
        return double(x);
    }
    default: {
        if (f.size == 1) return b[0];
        if (f.size == 2) {
            uint16_t x;
            std::memcpy(&x, b, 2);
            return x;
        }
        if (f.size == 4) {
            uint32_t x;
            std::memcpy(&x, b, 4);
            return x;
        }
        uint64_t x;
        std::memcpy(&x, b, 8);
        return double(x);
    }
    }
}

// Value of key `key` in the header dict, as raw text up to the matching end.
bool dictValue(const std::string& h, const std::string& key, std::string& out) {
    size_t p = h.find("'" + key + "'");
    if (p == std::string::npos) p = h.find("\"" + key + "\"");
    if (p == std::string::npos) return false;
    p = h.find(':', p);
    if (p == std::string::npos) return false;
    ++p;
    while (p < h.size() && h[p] == ' ') ++p;
    if (p >= h.size()) return false;
    const char open = h[p];
    if (open == '[' || open == '(') {
        const char close = open == '[' ? ']' : ')';
        int depth = 0;
        size_t q = p;
        for (; q < h.size(); ++q) {
            if (h[q] == '[' || h[q] == '(')
                ++depth;
            else if (h[q] == ']' || h[q] == ')') {
                if (--depth == 0 && h[q] == close) break;
            }
        }
        if (q >= h.size()) return false;
        out = h.substr(p, q - p + 1);
        return true;
    }
    if (open == '\'' || open == '"') {
        const size_t q = h.find(open, p + 1);
        if (q == std::string::npos) return false;
        out = h.substr(p + 1, q - p - 1);
        return true;
    }
    size_t q = p;
    while (q < h.size() && h[q] != ',' && h[q] != '}') ++q;
    out = trim(h.substr(p, q - p));
    return true;
}

// Quoted strings in order, e.g. from "[('unit', '<i8'), ('time', '<f8')]".
std::vector<std::string> quoted(const std::string& s) {
    std::vector<std::string> out;
    for (size_t p = 0; p < s.size(); ++p) {
        if (s[p] != '\'' && s[p] != '"') continue;
        const size_t q = s.find(s[p], p + 1);
        if (q == std::string::npos) break;
        out.push_back(s.substr(p + 1, q - p - 1));
        p = q;
    }
    return out;
}

} // namespace

Result<SpikeTrains> readSpikesNpy(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) return Error{path, 0, "cannot open the file"};
    std::vector<unsigned char> data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    auto bad = [&](long long off, const std::string& why) {
        Error e{path, 0, why};
        e.byteOffset = off;
        return e;
    };
    if (data.size() < 10 || std::memcmp(data.data(), "\x93NUMPY", 6) != 0)
        return bad(0, "not an NPY file (missing the \\x93NUMPY magic)");
    const int major = data[6];
    size_t hlen, hstart;
    if (major == 1) {
        hlen = size_t(data[8]) | size_t(data[9]) << 8;
        hstart = 10;
    } else if (major == 2 || major == 3) {
        if (data.size() < 12) return bad(8, "truncated NPY header length");
        hlen = size_t(data[8]) | size_t(data[9]) << 8 | size_t(data[10]) << 16 | size_t(data[11]) << 24;
        hstart = 12;
    } else {
        return bad(6, "unsupported NPY version " + std::to_string(major));
    }
    if (hstart + hlen > data.size())
        return bad((long long)(hstart), "truncated NPY header: " + std::to_string(hlen) +
                                            " bytes announced, " + std::to_string(data.size() - hstart) +
                                            " present");
    const std::string h(reinterpret_cast<const char*>(data.data() + hstart), hlen);
    std::string descr, fortran, shape;
    if (!dictValue(h, "descr", descr) || !dictValue(h, "shape", shape))
        return bad((long long)(hstart), "bad NPY header: missing 'descr' or 'shape'");
    dictValue(h, "fortran_order", fortran);
    const bool fortranOrder = fortran == "True";
    // Shape.
    std::vector<unsigned long long> dims;
    {
        std::string inner = shape;
        for (char& c : inner)
            if (c == '(' || c == ')' || c == ',') c = ' ';
        std::istringstream is(inner);
        std::string tok;
        while (is >> tok) {
            char* end = nullptr;
            const unsigned long long v = std::strtoull(tok.c_str(), &end, 10);
            if (*end != '\0' || tok[0] == '-')
                return bad((long long)(hstart), "bad NPY header: shape " + shape);
            dims.push_back(v);
        }
    }
    const size_t dataStart = hstart + hlen;
    NpyField unitF, timeF;
    size_t rows = 0, itemSize = 0;
    bool twoD = false;
    if (!descr.empty() && descr[0] == '[') {
        // Structured: fields with names and types.
        const auto q = quoted(descr);
        if (q.size() % 2 != 0)
            return bad((long long)(hstart), "bad NPY header: cannot read the fields " + descr);
        bool haveU = false, haveT = false;
        size_t off = 0;
        for (size_t k = 0; k + 1 < q.size(); k += 2) {
            NpyField fld;
            fld.name = q[k];
            if (!parseType(q[k + 1], fld))
                return bad((long long)(hstart),
                           "unsupported NPY field type " + q[k + 1] + " for field " + q[k]);
            fld.offset = off;
            off += size_t(fld.size);
            if (!haveU && isUnitName(fld.name)) {
                unitF = fld;
                haveU = true;
            } else if (!haveT && isTimeName(fld.name)) {
                timeF = fld;
                haveT = true;
            }
        }
        if (!haveU || !haveT)
            return bad((long long)(hstart), "structured NPY needs fields unit and time, found " + descr);
        if (dims.size() != 1)
            return bad((long long)(hstart), "structured NPY must be 1-D, shape is " + shape);
        rows = size_t(dims[0]);
        itemSize = off;
    } else {
        NpyField t;
        if (!parseType(descr, t)) return bad((long long)(hstart), "unsupported NPY dtype " + descr);
        if (dims.size() != 2 || dims[1] != 2)
            return bad((long long)(hstart),
                       "expected a 2-D array with 2 columns (unit, time), shape is " + shape);
        rows = size_t(dims[0]);
        unitF = timeF = t;
        itemSize = size_t(t.size);
        twoD = true;
    }
    const size_t need = rows * itemSize * (twoD ? 2 : 1);
    if (rows > (size_t(1) << 40) / std::max<size_t>(1, itemSize) || data.size() - dataStart < need)
        return bad((long long)(data.size()), "truncated NPY data: " + std::to_string(need) +
                                                 " bytes expected after the header, " +
                                                 std::to_string(data.size() - dataStart) + " present");
    SpikeTrains st;
    st.times.reserve(rows);
    st.units.reserve(rows);
    UnitMap units;
    const unsigned char* base = data.data() + dataStart;
    for (size_t r = 0; r < rows; ++r) {
        const unsigned char *pu, *pt;
        if (twoD) {
            if (fortranOrder) {
                pu = base + r * itemSize;
                pt = base + (rows + r) * itemSize;
            } else {
                pu = base + (2 * r) * itemSize;
                pt = base + (2 * r + 1) * itemSize;
            }
        } else {
            pu = base + r * itemSize + unitF.offset;
            pt = base + r * itemSize + timeF.offset;
        }
        const long long off = (long long)(pu - data.data());
        const double u = readValue(pu, unitF), t = readValue(pt, timeF);
        if (!std::isfinite(u) || u != std::floor(u))
            return bad(off, "row " + std::to_string(r) + ": unit is not an integer");
        if (u < 0)
            return bad(off,
                       "row " + std::to_string(r) + ": negative unit id " + std::to_string((long long)u));
        if (!std::isfinite(t)) return bad(off, "row " + std::to_string(r) + ": time is NaN or infinite");
        st.add(t, units.get(st, (int64_t)u));
    }
    finish(st);
    return st;
}

Status writeSpikesNpy(const std::string& path, const SpikeTrains& s) {
    const size_t n = s.times.size();
    std::string header =
        "{'descr': '<f8', 'fortran_order': False, 'shape': (" + std::to_string(n) + ", 2), }";
    const size_t total = 10 + header.size() + 1;
    header.append((64 - total % 64) % 64, ' ');
    header.push_back('\n');
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return Error{path, 0, "cannot open the file for writing"};
    const unsigned char pre[10] = {0x93,
                                   'N',
                                   'U',
                                   'M',
                                   'P',
                                   'Y',
                                   1,
                                   0,
                                   (unsigned char)(header.size() & 0xff),
                                   (unsigned char)(header.size() >> 8)};
    std::fwrite(pre, 1, 10, f);
    std::fwrite(header.data(), 1, header.size(), f);
    std::vector<double> buf;
    buf.reserve(2 * std::min<size_t>(n, 65536));
    for (size_t k = 0; k < n; ++k) {
        const uint32_t u = s.units[k];
        buf.push_back(u < s.unitIds.size() ? double(s.unitIds[u]) : double(u));
        buf.push_back(s.times[k]);
        if (buf.size() >= 2 * 65536 || k + 1 == n) {
            std::fwrite(buf.data(), sizeof(double), buf.size(), f); // little-endian hosts only
            buf.clear();
        }
    }
    const bool bad = std::ferror(f) != 0;
    if (std::fclose(f) != 0 || bad) return Error{path, 0, "write failed (disk full?)"};
    return std::nullopt;
}

Result<SpikeTrains> readSpikes(const std::string& path) {
    if (endsWith(path, ".npy")) return readSpikesNpy(path);
    if (endsWith(path, ".csv")) return readSpikesCsv(path);
    return Error{path, 0, "unknown spike file type (expected .csv or .npy)"};
}

Status writeSpikes(const std::string& path, const SpikeTrains& s) {
    if (endsWith(path, ".npy")) return writeSpikesNpy(path, s);
    if (endsWith(path, ".csv")) return writeSpikesCsv(path, s);
    return Error{path, 0, "unknown spike file type (expected .csv or .npy)"};
}

} // namespace nr
