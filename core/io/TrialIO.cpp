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

#include "base/Text.h"
#include "io/CsvTable.h"
#include "io/Hdf5Util.h"
#include "io/MemoryBudget.h"
#include "io/Npy.h"
#include "io/Nwb.h"
#include "io/ReaderRegistry.h"
#include "io/SpikeIO.h"
#include "model/FileKind.h"

namespace nr {

namespace {

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
    std::vector<long long> offset; // NPY: byte offset of each cell in the file
};

struct Table {
    std::string file;
    bool npy = false;
    size_t rows = 0;
    std::vector<long> line;             // CSV line of each row
    std::map<std::string, Column> cols; // by role: "unit", "trial", "time", "condition"

    // An error about row r: CSV at its line, NPY at the byte offset of the cell (and "row r" in the text).
    Error at(size_t r, const std::string& role, const std::string& why) const {
        if (!npy) return Error{file, line[r], why};
        Error e{file, 0, "row " + std::to_string(r) + ": " + why};
        auto it = cols.find(role);
        e.byteOffset = it != cols.end() && r < it->second.offset.size() ? it->second.offset[r] : 0;
        return e;
    }
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

std::string roleOf(std::string_view header) {
    const std::string h = lower(trim(std::string(header)));
    for (const auto& kv : aliases())
        if (std::find(kv.second.begin(), kv.second.end(), h) != kv.second.end()) return kv.first;
    return "";
}

// Bytes per row kept while reading a table (a few columns of numbers or short text).
constexpr uint64_t kBytesPerRow = 4 * 40 + 8;

Result<Table> readCsv(const std::string& path) {
    csv::LineReader in;
    if (!in.open(path)) {
        Error e = in.error();
        if (e.reason.rfind("cannot open", 0) != 0) e.reason = "cannot open file: " + e.reason;
        return e;
    }
    if (auto e = checkBudget(satMul(in.fileSize() / 4, kBytesPerRow), "reading this table",
                             "split it into smaller files", path))
        return *e;
    Table t;
    t.file = path;
    std::string_view line;
    std::vector<std::string_view> f;
    std::string scratch, reason;
    std::vector<std::string> roleOfCol;
    char sep = ',';
    bool haveHeader = false;
    while (in.next(line)) {
        if (csv::trim(line).empty()) continue;
        const long ln = in.lineNumber();
        if (!haveHeader) {
            sep = csv::detectDelimiter(line);
            if (sep == ' ') sep = ',';
            if (!csv::splitLine(line, sep, f, scratch, reason)) return Error{path, ln, reason};
            if (auto dup = csv::duplicateColumn(path, ln, f)) return *dup;
            for (const auto& h : f) {
                std::string r = roleOf(h);
                if (!r.empty() && t.cols[r].present) r = ""; // first matching column wins
                if (!r.empty()) t.cols[r].present = true;
                roleOfCol.push_back(r);
            }
            haveHeader = true;
            continue;
        }
        if (!csv::splitLine(line, sep, f, scratch, reason)) return Error{path, ln, reason};
        if (f.size() != roleOfCol.size()) {
            std::string r = std::to_string(f.size()) + " fields, expected " +
                            std::to_string(roleOfCol.size()) + " as in the header";
            if (in.atUnterminatedEnd()) r += " (the file ends in the middle of this line: truncated?)";
            return Error{path, ln, r};
        }
        for (size_t i = 0; i < roleOfCol.size(); ++i) {
            if (roleOfCol[i].empty()) continue;
            t.cols[roleOfCol[i]].text.emplace_back(f[i]);
        }
        t.line.push_back(ln);
        ++t.rows;
    }
    if (in.failed()) return in.error();
    if (!haveHeader) return Error{path, 1, "the file is empty (a header line is needed)"};
    return t;
}

// `defaultRoles` name the columns of a plain 2-D array.
Result<Table> readNpy(const std::string& path, const std::vector<std::string>& defaultRoles2,
                      const std::vector<std::string>& defaultRoles3) {
    auto ar = npy::readFile(path);
    if (!ar) return ar.error();
    const npy::Array& a = ar.value();
    auto bad = [&](const std::string& why) {
        Error e{path, 0, why};
        e.byteOffset = 8;
        return e;
    };
    Table t;
    t.file = path;
    t.npy = true;
    std::vector<std::pair<std::string, size_t>> cols; // role, field index (structured) or column
    if (a.structured) {
        if (a.shape.size() != 1)
            return bad("a structured array must be one-dimensional, shape is " + npy::shapeText(a.shape));
        t.rows = size_t(a.shape[0]);
        for (size_t i = 0; i < a.fields.size(); ++i) {
            const std::string r = roleOf(a.fields[i].name);
            if (!r.empty() && !t.cols[r].present) {
                t.cols[r].present = true;
                cols.push_back({r, i});
            }
        }
    } else {
        if (a.shape.size() != 2)
            return bad("expected a structured array or a 2-D numeric array, shape is " +
                       npy::shapeText(a.shape));
        if (!a.fields[0].numeric()) return bad("a plain array must be numeric");
        t.rows = size_t(a.shape[0]);
        const uint64_t ncol = a.shape[1];
        const auto& roles = ncol == 2 ? defaultRoles2 : defaultRoles3;
        if (ncol < 2 || ncol > 3 || roles.size() != ncol)
            return bad("a 2-D array needs " + std::to_string(defaultRoles3.size()) + " columns (or " +
                       std::to_string(defaultRoles2.size()) + "), found " + std::to_string(ncol));
        for (size_t c = 0; c < ncol; ++c) {
            t.cols[roles[c]].present = true;
            cols.push_back({roles[c], c});
        }
    }
    if (auto e = checkBudget(satMul(t.rows, kBytesPerRow), "reading this table",
                             "split it into smaller files", path))
        return *e;
    for (const auto& rc : cols) {
        Column& col = t.cols[rc.first];
        const npy::Field& f = a.structured ? a.fields[rc.second] : a.fields[0];
        col.numeric = f.numeric();
        if (col.numeric)
            col.num.resize(t.rows);
        else
            col.text.resize(t.rows);
        col.offset.resize(t.rows);
        for (size_t r = 0; r < t.rows; ++r) {
            const unsigned char* cell =
                a.structured ? a.data() + r * a.itemSize + f.offset : a.at2(r, rc.second);
            col.offset[r] = (long long)(cell - a.data()) + (long long)a.dataOffset;
            if (col.numeric)
                col.num[r] = npy::number(cell, f);
            else
                col.text[r] = npy::text(cell, f);
        }
    }
    return t;
}

Result<Table> readTable(const std::string& path, const std::vector<std::string>& roles2,
                        const std::vector<std::string>& roles3) {
    // By content: an NPY array starts with its magic string, anything else is read as delimited text.
    if (readHead(path, 6) == npy::kMagic) return readNpy(path, roles2, roles3);
    return readCsv(path);
}

Status need(const Table& t, const std::string& role, const std::string& names) {
    auto it = t.cols.find(role);
    if (it == t.cols.end() || !it->second.present) {
        Error e{t.file, t.npy ? 0 : 1, "no " + role + " column (expected one of: " + names + ")"};
        if (t.npy) e.byteOffset = 8;
        return e;
    }
    return std::nullopt;
}

Result<int64_t> idAt(const Table& t, const std::string& role, size_t r) {
    const Column& c = t.cols.at(role);
    double v;
    if (c.numeric) {
        v = c.num[r];
    } else {
        const std::string& s = c.text[r];
        if (s.empty()) return t.at(r, role, role + " id missing (empty cell)");
        if (!csv::parseNumber(s, v))
            return t.at(r, role, role + " id " + csv::quoteForError(s) + " is not a number");
    }
    if (!std::isfinite(v) || v != std::floor(v) || std::fabs(v) > 9.0e15)
        return t.at(r, role, role + " id is not a whole number");
    return int64_t(v);
}

Result<double> timeAt(const Table& t, size_t r) {
    const Column& c = t.cols.at("time");
    double v;
    if (c.numeric) {
        v = c.num[r];
    } else {
        const std::string& s = c.text[r];
        if (s.empty()) return t.at(r, "time", "spike time missing (empty cell)");
        if (!csv::parseNumber(s, v))
            return t.at(r, "time", "spike time " + csv::quoteForError(s) + " is not a number");
    }
    if (std::isnan(v)) return t.at(r, "time", "spike time is NaN");
    if (!std::isfinite(v)) return t.at(r, "time", "spike time is infinite");
    return v;
}

Result<std::string> conditionAt(const Table& t, size_t r) {
    const Column& c = t.cols.at("condition");
    if (!c.numeric) {
        if (c.text[r].empty()) return t.at(r, "condition", "condition missing (empty cell)");
        return c.text[r];
    }
    const double v = c.num[r];
    if (std::isnan(v)) return t.at(r, "condition", "condition is NaN");
    if (!std::isfinite(v)) return t.at(r, "condition", "condition is infinite");
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

// `X_spikes.ext` -> `X_trials.ext`, "" when the name does not end in _spikes.ext.
std::string trialsFileFor(const std::string& spikesPath) {
    const size_t slash = spikesPath.find_last_of('/');
    const size_t pos = lower(spikesPath).rfind("_spikes.");
    if (pos == std::string::npos || (slash != std::string::npos && pos < slash)) return "";
    return spikesPath.substr(0, pos) + "_trials." + spikesPath.substr(pos + 8);
}

} // namespace

std::string findTrialsFile(const std::string& spikesPath) {
    const std::string candidate = trialsFileFor(spikesPath);
    return !candidate.empty() && fileExists(candidate) ? candidate : "";
}

Result<TrialData> readTrialData(const std::string& spikesPath, const std::string& trialsPathIn) {
    const std::string ext = fileExtension(spikesPath);
    if (isHdf5File(spikesPath)) { // NWB
        if (!trialsPathIn.empty())
            return Error{trialsPathIn, 0, "an NWB file carries its own trials table; --trials is not used"};
        return readNwbTrialData(spikesPath);
    }
    const std::string trialsPath = trialsPathIn.empty() ? findTrialsFile(spikesPath) : trialsPathIn;
    if (trialsPath.empty()) {
        const std::string expected = trialsFileFor(spikesPath);
        if (!expected.empty())
            return Error{spikesPath, 0,
                         "no trials table: expected " + baseName(expected) + " beside " +
                             baseName(spikesPath) + " or a trials file given explicitly"};
        return Error{spikesPath, 0,
                     "no trials table: a spikes file named NAME_spikes." + ext + " pairs with NAME_trials." +
                         ext + " beside it; rename " + baseName(spikesPath) +
                         " that way or give the trials file"};
    }
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
    // Spike times need not be sorted within a unit and trial: the table is a set of events.
    for (size_t r = 0; r < s.rows; ++r) {
        auto u = idAt(s, "unit", r);
        if (!u) return u.error();
        auto k = idAt(s, "trial", r);
        if (!k) return k.error();
        auto t = timeAt(s, r);
        if (!t) return t.error();
        d.addSpike(u.value(), k.value(), t.value());
    }
    const bool perUnit = tr.cols.count("unit") && tr.cols.at("unit").present;
    std::map<std::pair<int64_t, int64_t>, size_t> seen; // (unit or -1, trial) -> row
    for (size_t r = 0; r < tr.rows; ++r) {
        auto k = idAt(tr, "trial", r);
        if (!k) return k.error();
        int64_t unitKey = -1;
        if (perUnit) {
            auto u = idAt(tr, "unit", r);
            if (!u) return u.error();
            unitKey = u.value();
        }
        auto ins = seen.emplace(std::make_pair(unitKey, k.value()), r);
        if (!ins.second)
            return tr.at(r, "trial",
                         "trial " + std::to_string(k.value()) + " appears twice" +
                             (perUnit ? " for unit " + std::to_string(unitKey) : std::string()) + " (first " +
                             (tr.npy ? "in row " + std::to_string(ins.first->second)
                                     : "on line " + std::to_string(tr.line[ins.first->second])) +
                             ")");
        auto cond = conditionAt(tr, r);
        if (!cond) return cond.error();
        if (perUnit) {
            auto u = idAt(tr, "unit", r);
            if (!u) return u.error();
            d.addTrial(k.value(), cond.value(), u.value());
        } else {
            d.addTrial(k.value(), cond.value());
        }
    }
    if (d.trialId.empty()) return Error{trialsPath, tr.npy ? 0 : 1, "the trials table has no rows"};
    return d;
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
