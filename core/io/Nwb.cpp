#include "io/Nwb.h"

#include "io/Hdf5Sandbox.h"
#include "io/Hdf5Util.h"
#include "io/MemoryBudget.h"

#include <algorithm>
#include <cmath>
#include <hdf5.h>
#include <sstream>
#include <vector>

namespace nr {

namespace {

using Handle = H5Handle;
using Silence = H5Quiet;

// Reads a 1-D dataset converted to `memType`.
template <class T>
Result<std::vector<T>> read1d(hid_t file, const std::string& path, const std::string& fname, hid_t memType) {
    if (!h5Exists(file, path)) return Error{fname, 0, "dataset '" + path + "' not found"};
    Handle ds(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose);
    if (!ds.ok()) return Error{fname, 0, "cannot open dataset '" + path + "'"};
    Handle sp(H5Dget_space(ds.id), H5Sclose);
    const int rank = H5Sget_simple_extent_ndims(sp.id);
    if (rank != 1) return Error{fname, 0, "dataset '" + path + "' is not one-dimensional"};
    hsize_t n = 0;
    H5Sget_simple_extent_dims(sp.id, &n, nullptr);
    if (auto e = checkBudget(satMul(n, sizeof(T)), "dataset '" + path + "'",
                             "the file declares more elements than can be read", fname))
        return *e;
    std::vector<T> v(n);
    if (n > 0 && H5Dread(ds.id, memType, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) < 0)
        return Error{fname, 0, "cannot read dataset '" + path + "' as numbers"};
    return v;
}

// A column that may hold numbers or strings, as text.
Result<std::vector<std::string>> readTextColumn(hid_t file, const std::string& path, const std::string& fname,
                                                hsize_t expected) {
    Handle ds(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose);
    if (!ds.ok()) return Error{fname, 0, "cannot open dataset '" + path + "'"};
    Handle type(H5Dget_type(ds.id), H5Tclose);
    Handle sp(H5Dget_space(ds.id), H5Sclose);
    if (H5Sget_simple_extent_ndims(sp.id) != 1)
        return Error{fname, 0, "'" + path + "' is not one-dimensional"};
    hsize_t n = 0;
    H5Sget_simple_extent_dims(sp.id, &n, nullptr);
    // Checked before reading: each variable-length string is a separate heap lookup.
    if (n != expected)
        return Error{fname, 0,
                     "'" + path + "' has " + std::to_string(n) + " entries for " + std::to_string(expected) +
                         " trials"};
    if (auto e = checkBudget(satMul(n, 48), "column '" + path + "'",
                             "the file declares more elements than can be read", fname))
        return *e;
    std::vector<std::string> out;
    const H5T_class_t cls = H5Tget_class(type.id);
    if (cls == H5T_STRING) {
        if (H5Tis_variable_str(type.id) > 0) {
            Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
            H5Tset_size(mem.id, H5T_VARIABLE);
            std::vector<char*> buf(n, nullptr);
            if (n && H5Dread(ds.id, mem.id, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()) < 0)
                return Error{fname, 0, "cannot read strings of '" + path + "'"};
            for (char* s : buf) out.emplace_back(s ? s : "");
            if (n) H5Dvlen_reclaim(mem.id, sp.id, H5P_DEFAULT, buf.data());
        } else {
            const size_t len = H5Tget_size(type.id);
            if (len == 0) return Error{fname, 0, "'" + path + "' has zero-length strings"};
            if (auto e = checkBudget(satMul(n, len + 32), "column '" + path + "'",
                                     "the file declares longer strings than can be read", fname))
                return *e;
            Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
            H5Tset_size(mem.id, len);
            std::vector<char> buf(n * len + 1, 0);
            if (n && H5Dread(ds.id, mem.id, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()) < 0)
                return Error{fname, 0, "cannot read strings of '" + path + "'"};
            for (hsize_t i = 0; i < n; ++i) {
                std::string s(buf.data() + i * len, len);
                s = s.substr(0, s.find('\0'));
                out.push_back(s);
            }
        }
        return out;
    }
    if (cls == H5T_INTEGER || cls == H5T_FLOAT) {
        auto v = read1d<double>(file, path, fname, H5T_NATIVE_DOUBLE);
        if (!v) return v.error();
        for (double x : v.value()) {
            if (std::isfinite(x) && x == std::floor(x))
                out.push_back(std::to_string(int64_t(x)));
            else {
                std::ostringstream os;
                os.precision(17);
                os << x;
                out.push_back(os.str());
            }
        }
        return out;
    }
    return Error{fname, 0, "'" + path + "' holds neither numbers nor strings"};
}

// ---- in the reading child (io/Hdf5Sandbox.h): HDF5 calls only, raw columns out -----------------------

Result<hid_t> openFile(const std::string& path) {
    const htri_t isH5 = H5Fis_hdf5(path.c_str());
    if (isH5 <= 0) return Error{path, 0, "not an HDF5/NWB file or cannot be opened"};
    const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return Error{path, 0, "cannot open HDF5 file"};
    return f;
}

const char* const kIds = "units/id";
const char* const kTimes = "units/spike_times";
const char* const kIndex = "units/spike_times_index";

// The stored type class of dataset `path` must be `want` (HDF5 would otherwise convert, e.g. int8 zeros
// to spike times, or clamp a negative index to 0).
Status requireTypeClass(hid_t file, const std::string& path, const std::string& fname, H5T_class_t want,
                        const char* wantText) {
    if (!h5Exists(file, path)) return Error{fname, 0, "dataset '" + path + "' not found"};
    Handle ds(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose);
    if (!ds.ok()) return Error{fname, 0, "cannot open dataset '" + path + "'"};
    Handle type(H5Dget_type(ds.id), H5Tclose);
    const H5T_class_t cls = type.ok() ? H5Tget_class(type.id) : H5T_NO_CLASS;
    if (cls != want) {
        const char* is = cls == H5T_INTEGER  ? "integers"
                         : cls == H5T_FLOAT  ? "floating-point numbers"
                         : cls == H5T_STRING ? "strings"
                                             : "not numbers";
        return Error{fname, 0, "'" + path + "' holds " + is + "; it must hold " + wantText};
    }
    return std::nullopt;
}

Status putUnits(hid_t file, const std::string& fname, H5Columns& out) {
    auto ids = read1d<int64_t>(file, kIds, fname, H5T_NATIVE_INT64);
    if (!ids) return ids.error();
    if (auto s = requireTypeClass(file, kTimes, fname, H5T_FLOAT, "floating-point seconds")) return s;
    auto times = read1d<double>(file, kTimes, fname, H5T_NATIVE_DOUBLE);
    if (!times) return times.error();
    if (auto s = requireTypeClass(file, kIndex, fname, H5T_INTEGER, "integers (end of each unit's spikes)"))
        return s;
    // Read signed: a negative entry must be seen, not clamped to 0 by the conversion to unsigned.
    auto ends = read1d<int64_t>(file, kIndex, fname, H5T_NATIVE_INT64);
    if (!ends) return ends.error();
    out.put(kIds, std::move(ids.value()));
    out.put(kTimes, std::move(times.value()));
    out.put(kIndex, std::move(ends.value()));
    return std::nullopt;
}

// ---- in the process: validation of what the child read ------------------------------------------------

struct Units {
    std::vector<int64_t> ids;
    std::vector<double> times;
    std::vector<uint64_t> ends;
};

Result<Units> unitsFrom(H5Columns& cols, const std::string& fname) {
    Units u;
    u.ids = cols.takeI64(kIds);
    u.times = cols.takeF64(kTimes);
    {
        const std::vector<int64_t> ends = cols.takeI64(kIndex);
        for (size_t i = 0; i < ends.size(); ++i)
            if (ends[i] < 0)
                return Error{fname, 0,
                             "units/spike_times_index entry " + std::to_string(i) + " is negative (" +
                                 std::to_string(ends[i]) + ")"};
        u.ends.assign(ends.begin(), ends.end());
    }
    if (u.ends.size() != u.ids.size())
        return Error{fname, 0,
                     "units/spike_times_index has " + std::to_string(u.ends.size()) + " entries for " +
                         std::to_string(u.ids.size()) + " units"};
    uint64_t prev = 0;
    for (size_t i = 0; i < u.ends.size(); ++i) {
        if (u.ends[i] < prev)
            return Error{fname, 0,
                         "units/spike_times_index is not increasing within spike_times: entry " +
                             std::to_string(i) + " (" + std::to_string(u.ends[i]) + ") comes after " +
                             std::to_string(prev)};
        if (u.ends[i] > u.times.size())
            return Error{fname, 0,
                         "units/spike_times_index is not increasing within spike_times: entry " +
                             std::to_string(i) + " (" + std::to_string(u.ends[i]) +
                             ") is past the end of units/spike_times (" + std::to_string(u.times.size()) +
                             " entries)"};
        for (uint64_t k = prev; k < u.ends[i]; ++k) {
            if (!std::isfinite(u.times[k]))
                return Error{fname, 0,
                             "unit " + std::to_string(u.ids[i]) + ": spike time " + std::to_string(k) +
                                 " is not a finite number"};
        }
        // A unit's times out of order are sorted rather than refused (stable: equal times keep their order).
        std::stable_sort(u.times.begin() + long(prev), u.times.begin() + long(u.ends[i]));
        prev = u.ends[i];
    }
    if (prev != u.times.size())
        return Error{fname, 0,
                     "units/spike_times_index ends at " + std::to_string(prev) +
                         " but units/spike_times has " + std::to_string(u.times.size()) + " entries"};
    {
        std::vector<int64_t> sortedIds(u.ids);
        std::sort(sortedIds.begin(), sortedIds.end());
        const auto dup = std::adjacent_find(sortedIds.begin(), sortedIds.end());
        if (dup != sortedIds.end())
            return Error{fname, 0, "units/id lists unit " + std::to_string(*dup) + " twice"};
    }
    return u;
}

} // namespace

// Every entry point reads the file in a child process (readHdf5InChild): a corrupt file can make libhdf5
// loop inside one call (a zeroed global heap under a variable-length string column does), and only killing
// the process that runs it stops that.

Result<SpikeTrains> readNwbUnits(const std::string& path) {
    auto cols = readHdf5InChild(path, [&path]() -> Result<H5Columns> {
        Silence quiet;
        auto f = openFile(path);
        if (!f) return f.error();
        Handle file(f.value(), H5Fclose);
        H5Columns out;
        if (auto e = putUnits(file.id, path, out)) return *e;
        if (h5Exists(file.id, "intervals/epochs/start_time") &&
            h5Exists(file.id, "intervals/epochs/stop_time")) {
            auto a = read1d<double>(file.id, "intervals/epochs/start_time", path, H5T_NATIVE_DOUBLE);
            auto b = read1d<double>(file.id, "intervals/epochs/stop_time", path, H5T_NATIVE_DOUBLE);
            if (a && b) {
                out.put("epochs/start", std::move(a.value()));
                out.put("epochs/stop", std::move(b.value()));
            }
        }
        return out;
    });
    if (!cols) return cols.error();
    auto ur = unitsFrom(cols.value(), path);
    if (!ur) return ur.error();
    const Units& u = ur.value();
    SpikeTrains st;
    st.unitIds = u.ids;
    st.unitLabels.assign(u.ids.size(), "");
    st.times.reserve(u.times.size());
    st.units.reserve(u.times.size());
    uint64_t prev = 0;
    for (size_t i = 0; i < u.ends.size(); ++i) {
        for (uint64_t k = prev; k < u.ends[i]; ++k) st.add(u.times[k], uint32_t(i));
        prev = u.ends[i];
    }
    if (st.times.empty()) return Error{path, 0, "no spikes: the units table (units/spike_times) is empty"};
    st.tStart = *std::min_element(st.times.begin(), st.times.end());
    st.tStop = *std::max_element(st.times.begin(), st.times.end());
    const std::vector<double> a = cols.value().takeF64("epochs/start"),
                              b = cols.value().takeF64("epochs/stop");
    if (!a.empty() && !b.empty()) {
        st.tStart = std::min(st.tStart, *std::min_element(a.begin(), a.end()));
        st.tStop = std::max(st.tStop, *std::max_element(b.begin(), b.end()));
    }
    return st;
}

bool nwbHasTrials(const std::string& path) {
    auto cols = readHdf5InChild(path, [&path]() -> Result<H5Columns> {
        Silence quiet;
        auto f = openFile(path);
        if (!f) return f.error();
        Handle file(f.value(), H5Fclose);
        const bool has = h5Exists(file.id, "intervals/trials/start_time") &&
                         h5Exists(file.id, "intervals/trials/stop_time");
        H5Columns out;
        out.put("has_trials", std::vector<uint64_t>{has ? 1u : 0u});
        return out;
    });
    if (!cols) return false;
    const std::vector<uint64_t> has = cols.value().takeU64("has_trials");
    return has.size() == 1 && has[0] == 1;
}

Result<TrialData> readNwbTrialData(const std::string& path) {
    auto cols = readHdf5InChild(path, [&path]() -> Result<H5Columns> {
        Silence quiet;
        auto f = openFile(path);
        if (!f) return f.error();
        Handle file(f.value(), H5Fclose);
        if (!h5Exists(file.id, "intervals/trials/start_time") ||
            !h5Exists(file.id, "intervals/trials/stop_time"))
            return Error{path, 0, "no trials table (intervals/trials with start_time and stop_time)"};
        H5Columns out;
        if (auto e = putUnits(file.id, path, out)) return *e;
        auto start = read1d<double>(file.id, "intervals/trials/start_time", path, H5T_NATIVE_DOUBLE);
        if (!start) return start.error();
        auto stop = read1d<double>(file.id, "intervals/trials/stop_time", path, H5T_NATIVE_DOUBLE);
        if (!stop) return stop.error();
        const size_t n = start.value().size();
        if (stop.value().size() != n)
            return Error{path, 0, "trials start_time and stop_time differ in length"};
        std::string condPath;
        for (const char* name : {"condition", "stimulus", "cond", "stimulus_name", "stim"}) {
            const std::string p = std::string("intervals/trials/") + name;
            if (h5Exists(file.id, p)) {
                condPath = p;
                break;
            }
        }
        if (condPath.empty())
            return Error{path, 0,
                         "the trials table has no condition column (condition, stimulus, cond, stimulus_name "
                         "or stim)"};
        auto cond = readTextColumn(file.id, condPath, path, hsize_t(n));
        if (!cond) return cond.error();
        out.put("start", std::move(start.value()));
        out.put("stop", std::move(stop.value()));
        out.put("condition", std::move(cond.value()));
        out.put("condition_path", std::vector<std::string>{condPath});
        if (h5Exists(file.id, "intervals/trials/id")) {
            auto ids = read1d<int64_t>(file.id, "intervals/trials/id", path, H5T_NATIVE_INT64);
            if (!ids) return ids.error();
            out.put("trial_ids", std::move(ids.value()));
        }
        return out;
    });
    if (!cols) return cols.error();
    H5Columns& c = cols.value();
    auto ur = unitsFrom(c, path);
    if (!ur) return ur.error();
    const std::vector<double> start = c.takeF64("start"), stop = c.takeF64("stop");
    const std::vector<std::string> cond = c.takeText("condition");
    const std::vector<std::string> condPath = c.takeText("condition_path");
    const size_t n = start.size();
    if (stop.size() != n) return Error{path, 0, "trials start_time and stop_time differ in length"};
    if (cond.size() != n)
        return Error{path, 0,
                     "'" + (condPath.empty() ? std::string("condition") : condPath[0]) +
                         "' has the wrong length"};
    std::vector<int64_t> trialIds(n);
    for (size_t i = 0; i < n; ++i) trialIds[i] = int64_t(i);
    if (c.has("trial_ids")) {
        std::vector<int64_t> ids = c.takeI64("trial_ids");
        if (ids.size() == n) trialIds = std::move(ids);
    }
    TrialData d;
    d.spikesSource = path;
    d.trialsSource = path;
    for (size_t k = 0; k < n; ++k) {
        const double a = start[k], b = stop[k];
        if (!std::isfinite(a) || !std::isfinite(b) || !(b > a))
            return Error{path, 0,
                         "trial " + std::to_string(trialIds[k]) + " has an empty or invalid interval"};
        d.addTrial(trialIds[k], cond[k]);
    }
    const Units& u = ur.value();
    uint64_t prev = 0;
    for (size_t i = 0; i < u.ends.size(); ++i) {
        const auto first = u.times.begin() + long(prev), last = u.times.begin() + long(u.ends[i]);
        for (size_t k = 0; k < n; ++k) {
            const double a = start[k], b = stop[k];
            for (auto it = std::lower_bound(first, last, a); it != last && *it < b; ++it)
                d.addSpike(u.ids[i], trialIds[k], *it - a);
        }
        prev = u.ends[i];
    }
    return d;
}

} // namespace nr
