#include "io/SpikeIO.h"

#include "io/CsvTable.h"
#include "io/MemoryBudget.h"
#include "io/Npy.h"
#include "io/Nwb.h"
#include "io/ReaderRegistry.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <numeric>
#include <unordered_map>
#include <vector>

namespace nr {

namespace {

bool isUnitName(std::string_view s) {
    return csv::oneOf(s, {"unit", "units", "unit_id", "id", "neuron", "cluster"});
}
bool isTimeName(std::string_view s) {
    return csv::oneOf(s, {"time_s", "time", "times", "t", "spike_time", "spike_times"});
}
bool isTrialName(std::string_view s) {
    return csv::oneOf(s, {"trial", "trial_id"});
}
bool isLabelName(std::string_view s) {
    return csv::oneOf(s, {"label", "unit_label", "unit_name", "name"});
}

// Bytes one spike costs while reading (time, unit, trial, position, sort permutation).
constexpr uint64_t kBytesPerSpike = 8 + 4 + 8 + 8 + 8;

// Collects spikes as read, then turns them into SpikeTrains: units by first appearance, trials laid end to
// end, unsorted units sorted.
struct Collector {
    std::string file;
    SpikeTrains st;
    std::unordered_map<int64_t, uint32_t> index;
    std::vector<int64_t> trial; // parallel to st.times when the file has trials
    bool hasTrials = false;

    uint32_t unit(int64_t id) {
        auto it = index.find(id);
        if (it != index.end()) return it->second;
        const uint32_t k = uint32_t(st.unitIds.size());
        index.emplace(id, k);
        st.unitIds.push_back(id);
        st.unitLabels.emplace_back();
        return k;
    }
    void add(int64_t id, double t, int64_t tr, const std::string* label) {
        const uint32_t u = unit(id);
        st.add(t, u);
        if (hasTrials) trial.push_back(tr);
        if (label && !label->empty() && st.unitLabels[u].empty()) st.unitLabels[u] = *label;
    }
    // Refuses growth past the memory budget (checked every 2^20 spikes).
    Status grew(long line) {
        if ((st.times.size() & ((1u << 20) - 1)) != 0) return std::nullopt;
        return checkBudget(satMul(st.times.size() * 2, kBytesPerSpike), "reading the spikes of this file",
                           "split the recording into smaller files", file, line);
    }

    Result<SpikeTrains> finish(const std::string& emptyWhy) {
        if (st.times.empty()) return Error{file, 0, emptyWhy};
        const size_t n = st.times.size();
        if (hasTrials) {
            // Trial-relative times: trial k (k-th smallest id) starts at k * span.
            std::vector<int64_t> ids(trial);
            std::sort(ids.begin(), ids.end());
            ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
            const auto mm = std::minmax_element(st.times.begin(), st.times.end());
            const double lo = std::min(0.0, *mm.first);
            double span = *mm.second - lo;
            if (!(span > 0)) span = 1.0;
            for (size_t i = 0; i < n; ++i) {
                const size_t k = size_t(std::lower_bound(ids.begin(), ids.end(), trial[i]) - ids.begin());
                st.times[i] = double(k) * span + (st.times[i] - lo);
            }
            st.tStart = 0;
            st.tStop = double(ids.size()) * span;
        }
        // Sort (stable) when a unit's times go backwards; a sorted file keeps its row order.
        std::vector<double> last(st.unitIds.size(), -INFINITY);
        bool sorted = true;
        for (size_t i = 0; i < n && sorted; ++i) {
            double& l = last[st.units[i]];
            if (st.times[i] < l) sorted = false;
            l = st.times[i];
        }
        if (!sorted) {
            std::vector<size_t> order(n);
            std::iota(order.begin(), order.end(), size_t(0));
            std::stable_sort(order.begin(), order.end(),
                             [&](size_t a, size_t b) { return st.times[a] < st.times[b]; });
            std::vector<double> t(n);
            std::vector<uint32_t> u(n);
            for (size_t i = 0; i < n; ++i) {
                t[i] = st.times[order[i]];
                u[i] = st.units[order[i]];
            }
            st.times.swap(t);
            st.units.swap(u);
        }
        if (!hasTrials) {
            const auto mm = std::minmax_element(st.times.begin(), st.times.end());
            st.tStart = std::min(0.0, *mm.first);
            st.tStop = *mm.second;
        }
        return std::move(st);
    }
};

Result<int64_t> unitId(double v, const std::string& file, long line, long long off, const std::string& text) {
    auto err = [&](const std::string& why) {
        Error e{file, line, why};
        if (line == 0) e.byteOffset = off;
        return e;
    };
    if (!std::isfinite(v) || v != std::floor(v)) return err("unit " + text + " is not an integer");
    if (v < 0) return err("negative unit id " + text);
    if (v > 9.0e15) return err("unit id " + text + " is too large");
    return int64_t(v);
}

} // namespace

Result<SpikeTrains> readSpikesCsv(const std::string& path) {
    csv::LineReader in;
    if (!in.open(path)) return in.error();
    if (auto e = checkBudget(satMul(in.fileSize() / 4, kBytesPerSpike), "reading this spike file",
                             "split the recording into smaller files", path))
        return *e;
    std::string_view line;
    std::vector<std::string_view> f;
    std::string scratch, reason;
    char delim = ',';
    int unitCol = -1, timeCol = -1, trialCol = -1, labelCol = -1;
    size_t ncols = 0;
    Collector c;
    c.file = path;
    bool header = false;
    std::string label;
    while (in.next(line)) {
        if (csv::trim(line).empty()) continue;
        const long ln = in.lineNumber();
        if (!header) {
            delim = csv::detectDelimiter(line);
            if (delim == ' ') delim = ',';
            if (!csv::splitLine(line, delim, f, scratch, reason)) return Error{path, ln, reason};
            if (auto dup = csv::duplicateColumn(path, ln, f)) return *dup;
            for (size_t k = 0; k < f.size(); ++k) {
                if (unitCol < 0 && isUnitName(f[k]))
                    unitCol = int(k);
                else if (timeCol < 0 && isTimeName(f[k]))
                    timeCol = int(k);
                else if (trialCol < 0 && isTrialName(f[k]))
                    trialCol = int(k);
                else if (labelCol < 0 && isLabelName(f[k]))
                    labelCol = int(k);
            }
            if (unitCol < 0 || timeCol < 0)
                return Error{path, ln,
                             "expected the header `unit,time_s` (a unit and a time column), found " +
                                 csv::quoteForError(line, 80)};
            ncols = f.size();
            c.hasTrials = trialCol >= 0;
            header = true;
            continue;
        }
        if (!csv::splitLine(line, delim, f, scratch, reason)) return Error{path, ln, reason};
        if (f.size() != ncols) {
            std::string r = "expected " + std::to_string(ncols) + " columns as in the header, found " +
                            std::to_string(f.size());
            if (in.atUnterminatedEnd()) r += " (the file ends in the middle of this line: truncated?)";
            return Error{path, ln, r};
        }
        const std::string_view us = f[size_t(unitCol)], ts = f[size_t(timeCol)];
        double uv, t;
        if (!csv::parseNumber(us, uv))
            return Error{path, ln, "unit " + csv::quoteForError(us) + " is not an integer"};
        auto id = unitId(uv, path, ln, -1, csv::quoteForError(us));
        if (!id) return id.error();
        if (!csv::parseNumber(ts, t))
            return Error{path, ln, "time " + csv::quoteForError(ts) + " is not a number"};
        if (!std::isfinite(t)) return Error{path, ln, "time is " + std::string(ts) + " (NaN or infinite)"};
        int64_t tr = 0;
        if (trialCol >= 0) {
            const std::string_view ks = f[size_t(trialCol)];
            long long k;
            if (!csv::parseInteger(ks, k))
                return Error{path, ln, "trial " + csv::quoteForError(ks) + " is not an integer"};
            tr = k;
        }
        if (labelCol >= 0) label.assign(f[size_t(labelCol)]);
        c.add(id.value(), t, tr, labelCol >= 0 ? &label : nullptr);
        if (auto e = c.grew(ln)) return *e;
    }
    if (in.failed()) return in.error();
    if (!header) return Error{path, 1, "empty file: expected the header `unit,time_s`"};
    return c.finish("no spikes: the file has a header but no rows");
}

Result<SpikeTrains> readSpikesNpy(const std::string& path) {
    auto ar = npy::readFile(path);
    if (!ar) return ar.error();
    const npy::Array& a = ar.value();
    Collector c;
    c.file = path;
    auto bad = [&](long long off, const std::string& why) {
        Error e{path, 0, why};
        e.byteOffset = off;
        return e;
    };
    const long long hdr = 8;
    uint64_t rows = 0;
    const npy::Field *unitF = nullptr, *timeF = nullptr, *trialF = nullptr, *labelF = nullptr;
    if (a.structured) {
        for (const npy::Field& f : a.fields) {
            if (!unitF && isUnitName(f.name) && f.numeric())
                unitF = &f;
            else if (!timeF && isTimeName(f.name) && f.numeric())
                timeF = &f;
            else if (!trialF && isTrialName(f.name) && f.numeric())
                trialF = &f;
            else if (!labelF && isLabelName(f.name) && !f.numeric())
                labelF = &f;
        }
        if (!unitF || !timeF)
            return bad(hdr, "structured NPY needs numeric fields unit and time, found " +
                                std::to_string(a.fields.size()) + " fields");
        if (a.shape.size() != 1)
            return bad(hdr, "structured NPY must be 1-D, shape is " + npy::shapeText(a.shape));
        rows = a.shape[0];
    } else {
        if (!a.fields[0].numeric()) return bad(hdr, "a plain spike array must be numeric");
        if (a.shape.size() != 2 || (a.shape[1] != 2 && a.shape[1] != 3))
            return bad(
                hdr, "expected a 2-D array with 2 columns (unit, time) or 3 (unit, trial, time), shape is " +
                         npy::shapeText(a.shape));
        rows = a.shape[0];
    }
    if (auto e = checkBudget(satMul(rows, kBytesPerSpike), "reading the spikes of this file",
                             "split the recording into smaller files", path))
        return *e;
    c.hasTrials = a.structured ? trialF != nullptr : a.shape[1] == 3;
    c.st.times.reserve(size_t(rows));
    c.st.units.reserve(size_t(rows));
    std::string label;
    for (uint64_t r = 0; r < rows; ++r) {
        const unsigned char *pu, *pt, *pk = nullptr;
        long long off;
        if (a.structured) {
            pu = a.data() + r * a.itemSize + unitF->offset;
            pt = a.data() + r * a.itemSize + timeF->offset;
            if (trialF) pk = a.data() + r * a.itemSize + trialF->offset;
            off = a.recordOffset(r, *unitF);
        } else {
            pu = a.at2(r, 0);
            pt = a.at2(r, a.shape[1] - 1);
            if (a.shape[1] == 3) pk = a.at2(r, 1);
            off = a.offsetOf2(r, 0);
        }
        const npy::Field& uf = a.structured ? *unitF : a.fields[0];
        const npy::Field& tf = a.structured ? *timeF : a.fields[0];
        const double u = npy::number(pu, uf), t = npy::number(pt, tf);
        const std::string row = "row " + std::to_string(r) + ": ";
        char ubuf[40];
        std::snprintf(ubuf, sizeof ubuf, "%.17g", u);
        auto id = unitId(u, path, 0, off, ubuf);
        if (!id) {
            Error e = id.error();
            e.reason = row + e.reason;
            return e;
        }
        if (!std::isfinite(t)) return bad(off, row + "time is NaN or infinite");
        int64_t k = 0;
        if (pk) {
            const double kv = npy::number(pk, a.structured ? *trialF : a.fields[0]);
            if (!std::isfinite(kv) || kv != std::floor(kv) || std::fabs(kv) > 9.0e15)
                return bad(off, row + "trial is not an integer");
            k = int64_t(kv);
        }
        if (labelF) label = npy::text(a.data() + r * a.itemSize + labelF->offset, *labelF);
        c.add(id.value(), t, k, labelF ? &label : nullptr);
    }
    return c.finish("no spikes: the array has no rows");
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

Status writeSpikesNpy(const std::string& path, const SpikeTrains& s) {
    const size_t n = s.times.size();
    const std::string header = npy::float64Header(n, 2);
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return Error{path, 0, "cannot open the file for writing"};
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

Status writeSpikes(const std::string& path, const SpikeTrains& s) {
    // The name the user gave chooses the format written.
    const std::string ext = fileExtension(path);
    if (ext == "npy") return writeSpikesNpy(path, s);
    if (ext == "csv") return writeSpikesCsv(path, s);
    return Error{path, 0, "unknown spike file type (expected .csv or .npy)"};
}

} // namespace nr
