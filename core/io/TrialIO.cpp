#include "io/TrialIO.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <sys/stat.h>

#include "io/Nwb.h"

namespace nr {

namespace {

bool fileExists(const std::string& p) {
    struct stat st;
    return stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string lower(std::string s) {
    for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string extensionOf(const std::string& path) {
    const size_t slash = path.find_last_of('/');
    const size_t dot = path.find_last_of('.');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
    return lower(path.substr(dot + 1));
}

std::string trim(const std::string& s) {
    size_t a = 0, b = s.size();
    while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
    while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
    std::string t = s.substr(a, b - a);
    if (t.size() >= 2 && t.front() == '"' && t.back() == '"') t = t.substr(1, t.size() - 2);
    return t;
}

// A table read from CSV (text cells) or NPY (numeric or text cells), reduced to the columns asked for.
struct Column {
    bool present = false;
    bool numeric = false;
    std::vector<double> num;
    std::vector<std::string> text;
};

struct Table {
    std::string file;
    bool npy = false;
    size_t rows = 0;
    std::vector<long> line;             // CSV line of each row
    std::map<std::string, Column> cols; // by role: "unit", "trial", "time", "condition"

    long lineOf(size_t r) const { return npy ? long(r + 1) : line[r]; }
    std::string where() const { return npy ? "row" : "line"; }
};

const std::map<std::string, std::vector<std::string>>& aliases() {
    static const std::map<std::string, std::vector<std::string>> a = {
        {"unit", {"unit", "unit_id", "neuron"}},
        {"trial", {"trial", "trial_id"}},
        {"time", {"time_s", "time", "t"}},
        {"condition", {"condition", "stimulus", "cond"}},
    };
    return a;
}

std::string roleOf(const std::string& header) {
    const std::string h = lower(trim(header));
    for (const auto& kv : aliases())
        if (std::find(kv.second.begin(), kv.second.end(), h) != kv.second.end()) return kv.first;
    return "";
}

std::vector<std::string> splitLine(const std::string& line, char sep) {
    std::vector<std::string> out;
    std::string cur;
    bool quoted = false;
    for (char c : line) {
        if (c == '"') quoted = !quoted;
        if (c == sep && !quoted) {
            out.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    out.push_back(cur);
    return out;
}

Result<Table> readCsv(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error{path, 0, "cannot open file: " + std::string(std::strerror(errno))};
    Table t;
    t.file = path;
    std::string line;
    long lineNo = 0;
    std::vector<std::string> roleOfCol;
    char sep = ',';
    bool haveHeader = false;
    while (std::getline(in, line)) {
        ++lineNo;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (trim(line).empty()) continue;
        if (!haveHeader) {
            if (lineNo == 1 && line.size() >= 3 && line.compare(0, 3, "\xEF\xBB\xBF") == 0)
                line = line.substr(3);
            sep = line.find('\t') != std::string::npos && line.find(',') == std::string::npos ? '\t' : ',';
            for (const auto& h : splitLine(line, sep)) {
                std::string r = roleOf(h);
                if (!r.empty() && t.cols[r].present) r = ""; // first matching column wins
                if (!r.empty()) t.cols[r].present = true;
                roleOfCol.push_back(r);
            }
            haveHeader = true;
            continue;
        }
        const auto cells = splitLine(line, sep);
        for (size_t i = 0; i < roleOfCol.size(); ++i) {
            if (roleOfCol[i].empty()) continue;
            t.cols[roleOfCol[i]].text.push_back(i < cells.size() ? trim(cells[i]) : std::string());
        }
        t.line.push_back(lineNo);
        ++t.rows;
    }
    if (!haveHeader) return Error{path, 0, "the file is empty (a header line is needed)"};
    return t;
}

// ---- NPY -----------------------------------------------------------------------------------------------
struct NpyField {
    std::string name;
    char kind = 'f'; // f, i, u, S, U, b
    int size = 8;
    size_t offset = 0;
};

bool parseDescr(const std::string& d, NpyField& f) {
    if (d.size() < 3) return false;
    const char order = d[0];
    if (order == '>') return false; // big-endian data is not read
    f.kind = d[1];
    f.size = std::atoi(d.c_str() + 2);
    if (f.kind == 'U') f.size *= 4;
    if (!std::strchr("fiuSUb", f.kind) || f.size <= 0) return false;
    if (f.kind == 'f' && f.size != 4 && f.size != 8) return false;
    if ((f.kind == 'i' || f.kind == 'u') && f.size != 1 && f.size != 2 && f.size != 4 && f.size != 8)
        return false;
    return true;
}

double readNumber(const unsigned char* p, const NpyField& f) {
    switch (f.kind) {
    case 'f': {
        if (f.size == 4) {
            float v;
            std::memcpy(&v, p, 4);
            return v;
        }
        double v;
        std::memcpy(&v, p, 8);
        return v;
    }
    case 'b':
        return p[0] ? 1 : 0;
    case 'i': {
        int64_t v = 0;
        if (f.size == 1)
            v = int8_t(p[0]);
        else if (f.size == 2) {
            int16_t x;
            std::memcpy(&x, p, 2);
            v = x;
        } else if (f.size == 4) {
            int32_t x;
            std::memcpy(&x, p, 4);
            v = x;
        } else
            std::memcpy(&v, p, 8);
        return double(v);
    }
    default: {
        uint64_t v = 0;
        std::memcpy(&v, p, size_t(f.size));
        return double(v);
    }
    }
}

std::string readText(const unsigned char* p, const NpyField& f) {
    std::string s;
    if (f.kind == 'S') {
        for (int i = 0; i < f.size && p[i]; ++i) s += char(p[i]);
    } else {
        for (int i = 0; i < f.size; i += 4) {
            uint32_t cp;
            std::memcpy(&cp, p + i, 4);
            if (!cp) break;
            s += cp < 128 ? char(cp) : '?';
        }
    }
    return s;
}

// `defaultRoles` name the columns of a plain 2-D array.
Result<Table> readNpy(const std::string& path, const std::vector<std::string>& defaultRoles2,
                      const std::vector<std::string>& defaultRoles3) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error{path, 0, "cannot open file: " + std::string(std::strerror(errno))};
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto bad = [&](const std::string& why) { return Error{path, 0, why, 0}; };
    if (data.size() < 10 || data.compare(0, 6, "\x93NUMPY") != 0) return bad("not an NPY file (bad magic)");
    const int major = static_cast<unsigned char>(data[6]);
    size_t hlen, hstart;
    if (major == 1) {
        hlen = size_t(static_cast<unsigned char>(data[8])) | size_t(static_cast<unsigned char>(data[9])) << 8;
        hstart = 10;
    } else {
        if (data.size() < 12) return bad("truncated NPY header");
        hlen = 0;
        for (int i = 0; i < 4; ++i)
            hlen |= size_t(static_cast<unsigned char>(data[8 + size_t(i)])) << (8 * i);
        hstart = 12;
    }
    if (hstart + hlen > data.size()) return bad("truncated NPY header");
    const std::string header = data.substr(hstart, hlen);
    if (header.find("'fortran_order': True") != std::string::npos)
        return bad("Fortran-ordered arrays are not read; save with C order");
    // shape
    const size_t sp = header.find("'shape':");
    if (sp == std::string::npos) return bad("NPY header has no shape");
    const size_t lp = header.find('(', sp), rp = header.find(')', sp);
    if (lp == std::string::npos || rp == std::string::npos) return bad("NPY header has a malformed shape");
    std::vector<size_t> shape;
    {
        std::stringstream ss(header.substr(lp + 1, rp - lp - 1));
        std::string item;
        while (std::getline(ss, item, ','))
            if (!trim(item).empty()) shape.push_back(size_t(std::strtoull(trim(item).c_str(), nullptr, 10)));
    }
    // descr
    const size_t dp = header.find("'descr':");
    if (dp == std::string::npos) return bad("NPY header has no descr");
    std::vector<NpyField> fields;
    size_t rowBytes = 0;
    bool structured = false;
    size_t p = dp + 8;
    while (p < header.size() && std::isspace(static_cast<unsigned char>(header[p]))) ++p;
    if (p < header.size() && header[p] == '[') {
        structured = true;
        const size_t end = header.find(']', p);
        if (end == std::string::npos) return bad("malformed structured descr");
        const std::string list = header.substr(p + 1, end - p - 1);
        size_t q = 0;
        while ((q = list.find('(', q)) != std::string::npos) {
            const size_t e = list.find(')', q);
            if (e == std::string::npos) return bad("malformed structured descr");
            std::vector<std::string> parts;
            size_t a = q;
            while ((a = list.find('\'', a)) != std::string::npos && a < e) {
                const size_t b = list.find('\'', a + 1);
                parts.push_back(list.substr(a + 1, b - a - 1));
                a = b + 1;
            }
            if (parts.size() < 2) return bad("malformed field in structured descr");
            NpyField f;
            f.name = parts[0];
            if (!parseDescr(parts[1], f)) return bad("unsupported field type '" + parts[1] + "'");
            f.offset = rowBytes;
            rowBytes += size_t(f.size);
            fields.push_back(f);
            q = e + 1;
        }
    } else {
        const size_t a = header.find('\'', p), b = header.find('\'', a + 1);
        NpyField f;
        if (a == std::string::npos || b == std::string::npos ||
            !parseDescr(header.substr(a + 1, b - a - 1), f))
            return bad("unsupported array type in NPY header");
        fields.push_back(f);
    }
    Table t;
    t.file = path;
    t.npy = true;
    const size_t body = hstart + hlen;
    std::vector<std::pair<std::string, NpyField>> cols; // role, field
    if (structured) {
        if (shape.size() != 1) return bad("a structured array must be one-dimensional");
        t.rows = shape[0];
        for (const auto& f : fields) {
            const std::string r = roleOf(f.name);
            if (!r.empty() && !t.cols[r].present) {
                t.cols[r].present = true;
                cols.push_back({r, f});
            }
        }
    } else {
        if (shape.size() != 2) return bad("expected a structured array or a 2-D numeric array");
        const NpyField base = fields[0];
        if (base.kind == 'S' || base.kind == 'U') return bad("a plain array must be numeric");
        t.rows = shape[0];
        const size_t ncol = shape[1];
        const auto& roles = ncol == 2 ? defaultRoles2 : defaultRoles3;
        if (ncol < 2 || ncol > 3 || roles.size() != ncol)
            return bad("a 2-D array needs " + std::to_string(defaultRoles3.size()) + " columns (or " +
                       std::to_string(defaultRoles2.size()) + "), found " + std::to_string(ncol));
        rowBytes = size_t(base.size) * ncol;
        for (size_t c = 0; c < ncol; ++c) {
            NpyField f = base;
            f.offset = size_t(base.size) * c;
            t.cols[roles[c]].present = true;
            cols.push_back({roles[c], f});
        }
    }
    if (rowBytes == 0 || t.rows > (data.size() - body) / rowBytes)
        return Error{path, 0, "truncated NPY data: the header promises more rows than the file holds",
                     (long long)data.size()};
    const auto* bytes = reinterpret_cast<const unsigned char*>(data.data()) + body;
    for (const auto& rc : cols) {
        Column& col = t.cols[rc.first];
        const NpyField& f = rc.second;
        col.numeric = f.kind != 'S' && f.kind != 'U';
        if (col.numeric)
            col.num.resize(t.rows);
        else
            col.text.resize(t.rows);
        for (size_t r = 0; r < t.rows; ++r) {
            const unsigned char* cell = bytes + r * rowBytes + f.offset;
            if (col.numeric)
                col.num[r] = readNumber(cell, f);
            else
                col.text[r] = readText(cell, f);
        }
    }
    return t;
}

Result<Table> readTable(const std::string& path, const std::vector<std::string>& roles2,
                        const std::vector<std::string>& roles3) {
    const std::string ext = extensionOf(path);
    if (ext == "npy") return readNpy(path, roles2, roles3);
    return readCsv(path);
}

Status need(const Table& t, const std::string& role, const std::string& names) {
    auto it = t.cols.find(role);
    if (it == t.cols.end() || !it->second.present)
        return Error{t.file, t.npy ? 0 : 1, "no " + role + " column (expected one of: " + names + ")"};
    return std::nullopt;
}

Result<int64_t> idAt(const Table& t, const std::string& role, size_t r) {
    const Column& c = t.cols.at(role);
    double v;
    if (c.numeric) {
        v = c.num[r];
    } else {
        const std::string& s = c.text[r];
        if (s.empty()) return Error{t.file, t.lineOf(r), role + " id missing (empty cell)"};
        char* end = nullptr;
        v = std::strtod(s.c_str(), &end);
        if (!end || *end != '\0') return Error{t.file, t.lineOf(r), role + " id '" + s + "' is not a number"};
    }
    if (!std::isfinite(v) || v != std::floor(v) || std::fabs(v) > 9.0e15)
        return Error{t.file, t.lineOf(r), role + " id is not a whole number"};
    return int64_t(v);
}

Result<double> timeAt(const Table& t, size_t r) {
    const Column& c = t.cols.at("time");
    double v;
    if (c.numeric) {
        v = c.num[r];
    } else {
        const std::string& s = c.text[r];
        if (s.empty()) return Error{t.file, t.lineOf(r), "spike time missing (empty cell)"};
        char* end = nullptr;
        v = std::strtod(s.c_str(), &end);
        if (!end || *end != '\0') return Error{t.file, t.lineOf(r), "spike time '" + s + "' is not a number"};
    }
    if (std::isnan(v)) return Error{t.file, t.lineOf(r), "spike time is NaN"};
    if (!std::isfinite(v)) return Error{t.file, t.lineOf(r), "spike time is infinite"};
    return v;
}

std::string conditionAt(const Table& t, size_t r) {
    const Column& c = t.cols.at("condition");
    if (!c.numeric) return c.text[r];
    const double v = c.num[r];
    if (v == std::floor(v) && std::fabs(v) < 9.0e15) return std::to_string(int64_t(v));
    std::ostringstream os;
    os.precision(17);
    os << v;
    return os.str();
}

const std::string kUnitNames = "unit, unit_id, neuron";
const std::string kTrialNames = "trial, trial_id";
const std::string kTimeNames = "time_s, time, t";
const std::string kCondNames = "condition, stimulus, cond";

} // namespace

std::string findTrialsFile(const std::string& spikesPath) {
    const size_t slash = spikesPath.find_last_of('/');
    const size_t pos = lower(spikesPath).rfind("_spikes.");
    if (pos == std::string::npos || (slash != std::string::npos && pos < slash)) return "";
    const std::string candidate = spikesPath.substr(0, pos) + "_trials." + spikesPath.substr(pos + 8);
    return fileExists(candidate) ? candidate : "";
}

Result<TrialData> readTrialData(const std::string& spikesPath, const std::string& trialsPathIn) {
    const std::string ext = extensionOf(spikesPath);
    if (ext == "nwb") {
        if (!trialsPathIn.empty())
            return Error{trialsPathIn, 0, "an NWB file carries its own trials table; --trials is not used"};
        return readNwbTrialData(spikesPath);
    }
    const std::string trialsPath = trialsPathIn.empty() ? findTrialsFile(spikesPath) : trialsPathIn;
    if (trialsPath.empty())
        return Error{spikesPath, 0,
                     "no trials table: expected X_trials." + ext + " beside X_spikes." + ext +
                         " or a trials file given explicitly"};
    auto st = readTable(spikesPath, {"unit", "time"}, {"unit", "trial", "time"});
    if (!st) return st.error();
    const Table& s = st.value();
    for (auto chk : {need(s, "unit", kUnitNames), need(s, "trial", kTrialNames), need(s, "time", kTimeNames)})
        if (chk) return *chk;
    auto tt = readTable(trialsPath, {"trial", "condition"}, {"trial", "condition", "unit"});
    if (!tt) return tt.error();
    const Table& tr = tt.value();
    for (auto chk : {need(tr, "trial", kTrialNames), need(tr, "condition", kCondNames)})
        if (chk) return *chk;

    TrialData d;
    d.spikesSource = spikesPath;
    d.trialsSource = trialsPath;
    d.spikeUnit.reserve(s.rows);
    d.spikeTrial.reserve(s.rows);
    d.spikeTime.reserve(s.rows);
    std::map<std::pair<int64_t, int64_t>, double> last;
    for (size_t r = 0; r < s.rows; ++r) {
        auto u = idAt(s, "unit", r);
        if (!u) return u.error();
        auto k = idAt(s, "trial", r);
        if (!k) return k.error();
        auto t = timeAt(s, r);
        if (!t) return t.error();
        auto ins = last.emplace(std::make_pair(u.value(), k.value()), t.value());
        if (!ins.second) {
            if (t.value() < ins.first->second)
                return Error{spikesPath, s.lineOf(r),
                             "spike times of unit " + std::to_string(u.value()) + " in trial " +
                                 std::to_string(k.value()) + " are not sorted (" + std::to_string(t.value()) +
                                 " s after " + std::to_string(ins.first->second) + " s)"};
            ins.first->second = t.value();
        }
        d.addSpike(u.value(), k.value(), t.value());
    }
    const bool perUnit = tr.cols.count("unit") && tr.cols.at("unit").present;
    for (size_t r = 0; r < tr.rows; ++r) {
        auto k = idAt(tr, "trial", r);
        if (!k) return k.error();
        const std::string cond = conditionAt(tr, r);
        if (cond.empty()) return Error{trialsPath, tr.lineOf(r), "condition missing (empty cell)"};
        if (perUnit) {
            auto u = idAt(tr, "unit", r);
            if (!u) return u.error();
            d.addTrial(k.value(), cond, u.value());
        } else {
            d.addTrial(k.value(), cond);
        }
    }
    if (d.trialId.empty()) return Error{trialsPath, 0, "the trials table has no rows"};
    return d;
}

Result<SpikeTrains> readSpikeTrainsFile(const std::string& path) {
    const std::string ext = extensionOf(path);
    if (ext == "nwb") return readNwbUnits(path);
    auto st = readTable(path, {"unit", "time"}, {"unit", "trial", "time"});
    if (!st) return st.error();
    const Table& s = st.value();
    for (auto chk : {need(s, "unit", kUnitNames), need(s, "time", kTimeNames)})
        if (chk) return *chk;
    SpikeTrains out;
    std::map<int64_t, uint32_t> index;
    std::vector<int64_t> ids;
    std::vector<double> lastTime;
    std::vector<int64_t> rawUnit(s.rows);
    std::vector<double> rawTime(s.rows);
    for (size_t r = 0; r < s.rows; ++r) {
        auto u = idAt(s, "unit", r);
        if (!u) return u.error();
        auto t = timeAt(s, r);
        if (!t) return t.error();
        auto ins = index.emplace(u.value(), uint32_t(ids.size()));
        if (ins.second) {
            ids.push_back(u.value());
            lastTime.push_back(t.value());
        } else if (t.value() < lastTime[ins.first->second]) {
            return Error{path, s.lineOf(r),
                         "spike times of unit " + std::to_string(u.value()) + " are not sorted (" +
                             std::to_string(t.value()) + " s after " +
                             std::to_string(lastTime[ins.first->second]) + " s)"};
        } else {
            lastTime[ins.first->second] = t.value();
        }
        rawUnit[r] = u.value();
        rawTime[r] = t.value();
    }
    if (s.rows == 0) return Error{path, 0, "no spikes at all"};
    // Unit indices in ascending id order.
    std::sort(ids.begin(), ids.end());
    for (size_t i = 0; i < ids.size(); ++i) index[ids[i]] = uint32_t(i);
    out.unitIds = ids;
    out.unitLabels.assign(ids.size(), "");
    out.times = rawTime;
    out.units.resize(s.rows);
    for (size_t r = 0; r < s.rows; ++r) out.units[r] = index[rawUnit[r]];
    out.tStart = *std::min_element(rawTime.begin(), rawTime.end());
    out.tStop = *std::max_element(rawTime.begin(), rawTime.end());
    return out;
}

TrialData trialDataFromEpochs(const SpikeTrains& st, const std::vector<TrialEpoch>& epochs) {
    TrialData d;
    d.spikesSource = "<recording>";
    d.trialsSource = "<epochs>";
    std::vector<size_t> order(st.times.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return st.times[a] < st.times[b]; });
    std::vector<double> sorted(order.size());
    for (size_t i = 0; i < order.size(); ++i) sorted[i] = st.times[order[i]];
    for (const TrialEpoch& e : epochs) {
        if (!(e.stop > e.start)) continue;
        d.addTrial(e.trialId, std::to_string(e.condition));
        auto lo = std::lower_bound(sorted.begin(), sorted.end(), e.start);
        auto hi = std::lower_bound(sorted.begin(), sorted.end(), e.stop);
        for (auto it = lo; it != hi; ++it) {
            const size_t i = order[size_t(it - sorted.begin())];
            const uint32_t u = st.units[i];
            const int64_t id = u < st.unitIds.size() ? st.unitIds[u] : int64_t(u);
            d.addSpike(id, e.trialId, st.times[i] - e.start);
        }
    }
    return d;
}

Status writeTrialCsv(const TrialData& d, const std::string& spikesPath, const std::string& trialsPath) {
    std::ofstream s(spikesPath);
    if (!s) return Error{spikesPath, 0, "cannot write file"};
    s.precision(17);
    s << "unit,trial,time_s\n";
    for (size_t i = 0; i < d.spikeTime.size(); ++i)
        s << d.spikeUnit[i] << ',' << d.spikeTrial[i] << ',' << d.spikeTime[i] << '\n';
    std::ofstream t(trialsPath);
    if (!t) return Error{trialsPath, 0, "cannot write file"};
    t << (d.hasTrialUnits() ? "trial,condition,unit\n" : "trial,condition\n");
    for (size_t r = 0; r < d.trialId.size(); ++r) {
        t << d.trialId[r] << ',' << d.trialCondition[r];
        if (d.hasTrialUnits()) t << ',' << d.trialUnit[r];
        t << '\n';
    }
    if (!s.good() || !t.good()) return Error{spikesPath, 0, "write failed"};
    return std::nullopt;
}

} // namespace nr
