#include "traces/TraceFormats.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <hdf5.h>
#include <limits>
#include <memory>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <unordered_map>
#include <unordered_set>

#include "io/CsvTable.h"
#include "io/Hdf5Sandbox.h"
#include "io/Hdf5Util.h"
#include "io/Npy.h"
#include "model/FileKind.h"

namespace nr {

namespace {

uint64_t fileSize(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return 0;
    return uint64_t(st.st_size);
}

std::string num(double v) {
    char b[64];
    std::snprintf(b, sizeof b, "%.9g", v);
    return b;
}

bool isTimeName(std::string_view s) {
    return csv::oneOf(s, {"time", "time_s", "t", "times", "timestamps"});
}

bool isBehaviourName(const std::string& s, std::string& stripped) {
    const std::string l = csv::lower(s);
    for (const char* p : {"behaviour:", "behavior:", "beh:"}) {
        const size_t n = std::strlen(p);
        if (l.compare(0, n, p) == 0) {
            stripped = s.substr(n);
            return true;
        }
    }
    static const char* known[] = {"velocity",         "speed",   "reversal",       "reversals",
                                  "head_curvature",   "pumping", "body_curvature", "angular_velocity",
                                  "forward_velocity", "feeding"};
    for (const char* k : known)
        if (l == k) {
            stripped = s;
            return true;
        }
    return false;
}

// Checks names for duplicates; `line` is where they were read.
Status checkDistinct(const std::vector<std::string>& names, const std::string& file, long line) {
    std::unordered_map<std::string, size_t> seen;
    for (size_t i = 0; i < names.size(); ++i) {
        if (names[i].empty())
            return Error{file, line, "neuron " + std::to_string(i + 1) + " has an empty name"};
        auto r = seen.emplace(names[i], i);
        if (!r.second)
            return Error{file, line,
                         "duplicate neuron name '" + names[i] + "' (entries " +
                             std::to_string(r.first->second + 1) + " and " + std::to_string(i + 1) + ")"};
    }
    return std::nullopt;
}

// Header fields must be distinct (a repeated column would be read twice, or shadow the other).
Status checkHeaderDistinct(const std::vector<std::string_view>& f, const std::string& file) {
    std::unordered_map<std::string_view, size_t> seen;
    for (size_t i = 0; i < f.size(); ++i) {
        if (f[i].empty()) continue;
        auto r = seen.emplace(f[i], i);
        if (!r.second)
            return Error{file, 1,
                         "column '" + std::string(f[i]) + "' appears twice in the header (fields " +
                             std::to_string(r.first->second + 1) + " and " + std::to_string(i + 1) + ")"};
    }
    return std::nullopt;
}

Status checkTime(const std::vector<double>& time, const std::string& file, const std::vector<long>* lines,
                 const std::string& what) {
    for (size_t i = 0; i < time.size(); ++i) {
        const long line = lines ? (*lines)[i] : 0;
        if (!std::isfinite(time[i]))
            return Error{file, line, what + " " + std::to_string(i + 1) + " is not a finite number"};
        if (i > 0 && !(time[i] > time[i - 1]))
            return Error{file, line,
                         "time not increasing: " + num(time[i]) + " s after " + num(time[i - 1]) + " s (" +
                             what + " " + std::to_string(i + 1) + ")"};
    }
    return std::nullopt;
}

// Traces are neurons x time with at least 2 of each (every analysis needs pairs and a time course).
Status checkTraceShape(const Traces& t, const std::string& file, const std::string& what) {
    if (t.neurons() < 2 || t.timepoints() < 2)
        return Error{file, 0,
                     what + " has " + std::to_string(t.neurons()) + " neuron(s) x " +
                         std::to_string(t.timepoints()) +
                         " time point(s); traces need at least 2 neurons and 2 time points"};
    return std::nullopt;
}

// Time-major buffer (T x N) -> neuron-major Traces::values.
void transposeInto(Traces& t, const std::vector<float>& tm, size_t T, size_t N) {
    t.values.assign(N * T, 0.f);
    for (size_t k = 0; k < T; ++k)
        for (size_t i = 0; i < N; ++i) t.values[i * T + k] = tm[k * N + i];
}

std::string firstLine(const std::string& head) {
    size_t e = head.find('\n');
    std::string l = head.substr(0, e);
    if (!l.empty() && l.back() == '\r') l.pop_back();
    if (l.size() >= 3 && static_cast<unsigned char>(l[0]) == 0xEF &&
        static_cast<unsigned char>(l[1]) == 0xBB && static_cast<unsigned char>(l[2]) == 0xBF)
        l = l.substr(3);
    return l;
}

std::vector<std::string> headerFields(const std::string& line) {
    std::vector<std::string_view> f;
    std::string scratch, reason;
    const char d = csv::detectDelimiter(line);
    if (!csv::splitLine(line, d, f, scratch, reason)) return {};
    std::vector<std::string> out;
    for (auto v : f) out.emplace_back(v);
    return out;
}

int longColumn(const std::vector<std::string>& h, std::initializer_list<const char*> names) {
    for (size_t i = 0; i < h.size(); ++i)
        if (csv::oneOf(h[i], names)) return int(i);
    return -1;
}
const std::initializer_list<const char*> kNeuronCols = {"neuron", "neuron_name", "name", "cell", "roi"};
const std::initializer_list<const char*> kValueCols = {"value",    "dff",    "df_f", "f",
                                                       "activity", "signal", "trace"};

// ---- HDF5 helpers ------------------------------------------------------------------------------------
// They run in the child of readHdf5InChild, which holds the process-wide HDF5 lock (io/Hdf5Lock.h) for them.

using H5 = H5Handle; // H5Quiet and h5Exists: io/Hdf5Util.h

bool h5IsGroup(hid_t loc, const std::string& path) {
    H5O_info_t info;
    if (!h5Exists(loc, path)) return false;
    if (H5Oget_info_by_name(loc, path.c_str(), &info, H5P_DEFAULT) < 0) return false;
    return info.type == H5O_TYPE_GROUP;
}

bool h5IsDataset(hid_t loc, const std::string& path) {
    H5O_info_t info;
    if (!h5Exists(loc, path)) return false;
    if (H5Oget_info_by_name(loc, path.c_str(), &info, H5P_DEFAULT) < 0) return false;
    return info.type == H5O_TYPE_DATASET;
}

std::vector<hsize_t> h5Dims(hid_t loc, const std::string& path) {
    H5 ds(H5Dopen2(loc, path.c_str(), H5P_DEFAULT), H5Dclose);
    if (!ds.ok()) return {};
    H5 sp(H5Dget_space(ds.id), H5Sclose);
    const int r = H5Sget_simple_extent_ndims(sp.id);
    if (r < 0) return {};
    std::vector<hsize_t> d(static_cast<size_t>(r));
    if (r > 0) H5Sget_simple_extent_dims(sp.id, d.data(), nullptr);
    return d;
}

bool h5IsNumeric(hid_t loc, const std::string& path) {
    H5 ds(H5Dopen2(loc, path.c_str(), H5P_DEFAULT), H5Dclose);
    if (!ds.ok()) return false;
    H5 ty(H5Dget_type(ds.id), H5Tclose);
    const H5T_class_t c = H5Tget_class(ty.id);
    return c == H5T_FLOAT || c == H5T_INTEGER;
}

bool h5IsString(hid_t loc, const std::string& path) {
    H5 ds(H5Dopen2(loc, path.c_str(), H5P_DEFAULT), H5Dclose);
    if (!ds.ok()) return false;
    H5 ty(H5Dget_type(ds.id), H5Tclose);
    return H5Tget_class(ty.id) == H5T_STRING;
}

// Whole numeric dataset as double; `maxCells` bounds the allocation.
Result<std::vector<double>> h5ReadDoubles(hid_t loc, const std::string& path, const std::string& file,
                                          uint64_t maxCells) {
    if (!h5Exists(loc, path)) return Error{file, 0, "HDF5 path '" + path + "' does not exist"};
    if (!h5IsDataset(loc, path)) return Error{file, 0, "HDF5 path '" + path + "' is not a dataset"};
    if (!h5IsNumeric(loc, path)) return Error{file, 0, "HDF5 dataset '" + path + "' is not numeric"};
    const auto d = h5Dims(loc, path);
    uint64_t n = 1;
    for (hsize_t x : d) {
        if (x != 0 && n > maxCells / x)
            return Error{file, 0, "HDF5 dataset '" + path + "' is larger than the file can hold"};
        n *= x;
    }
    if (n > maxCells) return Error{file, 0, "HDF5 dataset '" + path + "' is larger than the file can hold"};
    std::vector<double> v(n);
    H5 ds(H5Dopen2(loc, path.c_str(), H5P_DEFAULT), H5Dclose);
    if (n && H5Dread(ds.id, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) < 0)
        return Error{file, 0, "cannot read HDF5 dataset '" + path + "'"};
    return v;
}

Result<std::vector<std::string>> h5ReadStrings(hid_t loc, const std::string& path, const std::string& file) {
    if (!h5IsDataset(loc, path)) return Error{file, 0, "HDF5 path '" + path + "' does not exist"};
    H5 ds(H5Dopen2(loc, path.c_str(), H5P_DEFAULT), H5Dclose);
    H5 ty(H5Dget_type(ds.id), H5Tclose);
    H5 sp(H5Dget_space(ds.id), H5Sclose);
    if (H5Sget_simple_extent_ndims(sp.id) != 1)
        return Error{file, 0, "'" + path + "' is not one-dimensional"};
    hsize_t n = 0;
    H5Sget_simple_extent_dims(sp.id, &n, nullptr);
    if (n > (hsize_t(1) << 24)) return Error{file, 0, "'" + path + "' is implausibly long"};
    std::vector<std::string> out;
    const H5T_class_t cls = H5Tget_class(ty.id);
    if (cls == H5T_STRING) {
        if (H5Tis_variable_str(ty.id) > 0) {
            H5 mem(H5Tcopy(H5T_C_S1), H5Tclose);
            H5Tset_size(mem.id, H5T_VARIABLE);
            std::vector<char*> buf(n, nullptr);
            if (n && H5Dread(ds.id, mem.id, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()) < 0)
                return Error{file, 0, "cannot read strings of '" + path + "'"};
            for (char* s : buf) out.emplace_back(s ? s : "");
            if (n) H5Dvlen_reclaim(mem.id, sp.id, H5P_DEFAULT, buf.data());
        } else {
            const size_t w = H5Tget_size(ty.id);
            if (w == 0 || w > 4096) return Error{file, 0, "'" + path + "' has an unusable string width"};
            H5 mem(H5Tcopy(H5T_C_S1), H5Tclose);
            H5Tset_size(mem.id, w);
            std::vector<char> buf(n * w, 0);
            if (n && H5Dread(ds.id, mem.id, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()) < 0)
                return Error{file, 0, "cannot read strings of '" + path + "'"};
            for (size_t i = 0; i < n; ++i) {
                std::string s(buf.data() + i * w, w);
                s = s.substr(0, s.find('\0'));
                while (!s.empty() && s.back() == ' ') s.pop_back();
                out.push_back(s);
            }
        }
    } else if (cls == H5T_INTEGER || cls == H5T_FLOAT) {
        std::vector<double> v(n);
        if (n && H5Dread(ds.id, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) < 0)
            return Error{file, 0, "cannot read '" + path + "'"};
        for (double x : v) out.push_back(num(x));
    } else {
        return Error{file, 0, "'" + path + "' holds neither names nor numbers"};
    }
    return out;
}

std::string parentOf(const std::string& p) {
    const size_t s = p.find_last_of('/');
    if (s == std::string::npos || s == 0) return "/";
    return p.substr(0, s);
}
std::string join(const std::string& g, const std::string& n) {
    return g == "/" ? "/" + n : g + "/" + n;
}

std::vector<std::string> h5Children(hid_t loc, const std::string& group) {
    std::vector<std::string> out;
    H5 g(H5Gopen2(loc, group.c_str(), H5P_DEFAULT), H5Gclose);
    if (!g.ok()) return out;
    H5G_info_t info;
    if (H5Gget_info(g.id, &info) < 0) return out;
    const hsize_t n = std::min<hsize_t>(info.nlinks, 100000);
    for (hsize_t i = 0; i < n; ++i) {
        char name[1024];
        const ssize_t len =
            H5Lget_name_by_idx(g.id, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name, H5P_DEFAULT);
        if (len > 0 && size_t(len) < sizeof name) out.emplace_back(name, size_t(len));
    }
    return out;
}

struct VisitState {
    std::vector<std::string> datasets;
    size_t seen = 0;
};
herr_t visitLink(hid_t loc, const char* name, const H5L_info_t*, void* data) {
    auto* st = static_cast<VisitState*>(data);
    if (++st->seen > 5000) return 1;
    H5O_info_t info;
    if (H5Oget_info_by_name(loc, name, &info, H5P_DEFAULT) >= 0 && info.type == H5O_TYPE_DATASET)
        st->datasets.push_back(std::string("/") + name);
    return 0;
}
std::vector<std::string> h5AllDatasets(hid_t file) {
    VisitState st;
    H5Lvisit(file, H5_INDEX_NAME, H5_ITER_INC, visitLink, &st);
    return st.datasets;
}

std::string h5AttrString(hid_t loc, const std::string& obj, const char* attr) {
    if (H5Aexists_by_name(loc, obj.c_str(), attr, H5P_DEFAULT) <= 0) return "";
    H5 a(H5Aopen_by_name(loc, obj.c_str(), attr, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    if (!a.ok()) return "";
    H5 ty(H5Aget_type(a.id), H5Tclose);
    if (H5Tget_class(ty.id) != H5T_STRING) return "";
    H5 sp(H5Aget_space(a.id), H5Sclose);
    if (H5Sget_simple_extent_npoints(sp.id) != 1) return "";
    if (H5Tis_variable_str(ty.id) > 0) {
        H5 mem(H5Tcopy(H5T_C_S1), H5Tclose);
        H5Tset_size(mem.id, H5T_VARIABLE);
        char* s = nullptr;
        if (H5Aread(a.id, mem.id, &s) < 0 || !s) return "";
        std::string r(s);
        H5free_memory(s);
        return r;
    }
    const size_t w = H5Tget_size(ty.id);
    if (w == 0 || w > 4096) return "";
    std::string s(w, '\0');
    H5 mem(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mem.id, w);
    if (H5Aread(a.id, mem.id, &s[0]) < 0) return "";
    return s.substr(0, s.find('\0'));
}

double h5AttrDouble(hid_t loc, const std::string& obj, const char* attr, double def) {
    if (H5Aexists_by_name(loc, obj.c_str(), attr, H5P_DEFAULT) <= 0) return def;
    H5 a(H5Aopen_by_name(loc, obj.c_str(), attr, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    H5 sp(H5Aget_space(a.id), H5Sclose);
    if (H5Sget_simple_extent_npoints(sp.id) != 1) return def;
    double v = def;
    if (H5Aread(a.id, H5T_NATIVE_DOUBLE, &v) < 0) return def;
    return v;
}

// Path of the object an object-reference attribute points to ("" when none).
std::string h5RefAttrPath(hid_t file, const std::string& obj, const char* attr) {
    if (H5Aexists_by_name(file, obj.c_str(), attr, H5P_DEFAULT) <= 0) return "";
    H5 a(H5Aopen_by_name(file, obj.c_str(), attr, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    H5 ty(H5Aget_type(a.id), H5Tclose);
    if (H5Tget_class(ty.id) != H5T_REFERENCE) return "";
    hobj_ref_t ref{};
    if (H5Aread(a.id, H5T_STD_REF_OBJ, &ref) < 0) return "";
    H5 o(H5Rdereference2(file, H5P_DEFAULT, H5R_OBJECT, &ref), H5Oclose);
    if (!o.ok()) return "";
    char name[1024];
    const ssize_t n = H5Iget_name(o.id, name, sizeof name);
    if (n <= 0 || size_t(n) >= sizeof name) return "";
    return std::string(name, size_t(n));
}

uint64_t maxCellsFor(const std::string& path) {
    // Compressed datasets can be smaller than their values; 64 values per byte of file is generous and
    // still keeps a hostile header from asking for terabytes.
    const uint64_t sz = std::max<uint64_t>(fileSize(path), 1);
    return std::min<uint64_t>(sz * 64, uint64_t(1) << 32);
}

// Fills t.values / t.time from a 2-D dataset `data` (d0 x d1) with a time vector (may be empty).
Status placeMatrix(Traces& t, const std::vector<double>& data, hsize_t d0, hsize_t d1,
                   std::vector<double> time, const std::string& file, const std::string& arrayPath,
                   const std::string& timePath, const std::string& axisOpt, double rate,
                   std::vector<std::string>* warnings) {
    if (d0 < 2 || d1 < 2)
        return Error{file, 0,
                     "'" + arrayPath + "' is " + std::to_string(d0) + " x " + std::to_string(d1) +
                         "; traces are neurons x time with at least 2 of each"};
    int axis = -1;
    if (!time.empty()) {
        const bool m0 = time.size() == d0, m1 = time.size() == d1;
        if (!m0 && !m1)
            return Error{file, 0,
                         "time vector '" + timePath + "' has " + std::to_string(time.size()) +
                             " values but '" + arrayPath + "' is " + std::to_string(d0) + " x " +
                             std::to_string(d1) + ": no axis has that length"};
        axis = m0 && m1 ? -1 : (m0 ? 0 : 1);
        if (m0 && m1) axis = axisOpt == "1" ? 1 : 0;
    } else {
        if (axisOpt == "0" || axisOpt == "1")
            axis = axisOpt == "1" ? 1 : 0;
        else {
            axis = d0 >= d1 ? 0 : 1;
            if (warnings)
                warnings->push_back(file + ": no time vector; took the longer axis (" + std::to_string(axis) +
                                    ") as time (set time_axis to choose)");
        }
        // No time vector: the sampling rate gives seconds; without one the axis is the frame index.
        const hsize_t T = axis == 0 ? d0 : d1;
        time.resize(T);
        for (hsize_t k = 0; k < T; ++k) time[k] = rate > 0 ? double(k) / rate : double(k);
        if (!(rate > 0)) t.timeUnit = "frame";
    }
    const size_t T = axis == 0 ? d0 : d1, N = axis == 0 ? d1 : d0;
    if (auto s = checkTime(time, file, nullptr, "time value")) {
        s->reason += " in '" + (timePath.empty() ? std::string("(frame index)") : timePath) + "'";
        return s;
    }
    t.time = std::move(time);
    t.values.assign(N * T, 0.f);
    for (size_t i = 0; i < N; ++i)
        for (size_t k = 0; k < T; ++k)
            t.values[i * T + k] = float(axis == 0 ? data[k * d1 + i] : data[i * d1 + k]);
    return std::nullopt;
}

// A dataset name that reads as a time vector: t, time, times, time_s, timestamps, timestamp_confocal, ...
bool looksLikeTimeName(const std::string& path) {
    const std::string n = csv::lower(path.substr(path.find_last_of('/') + 1));
    return n == "t" || n.find("time") != std::string::npos;
}

// The time vector of `arrayPath` (d0 x d1): a 1-D numeric dataset named like time next to it, else one
// anywhere in the file whose length is one of the array's axes (e.g. timing/timestamp_confocal beside
// gcamp/trace_array). Several of the same standing: the first by path, with a warning naming the others.
std::string findTimeNextTo(hid_t f, const std::string& arrayPath, hsize_t d0, hsize_t d1,
                           const std::string& file, std::vector<std::string>* warnings) {
    const std::string g = parentOf(arrayPath);
    for (const char* n : {"time", "t", "timestamps", "time_s", "times"}) {
        const std::string p = join(g, n);
        if (h5IsDataset(f, p) && h5Dims(f, p).size() == 1 && h5IsNumeric(f, p)) return p;
    }
    std::vector<std::string> near, far;
    for (const auto& p : h5AllDatasets(f)) {
        const std::string q = p.empty() || p[0] != '/' ? "/" + p : p;
        if (q == arrayPath || !looksLikeTimeName(q) || !h5IsNumeric(f, q)) continue;
        const auto dims = h5Dims(f, q);
        if (dims.size() != 1 || (dims[0] != d0 && dims[0] != d1) || dims[0] < 2) continue;
        (parentOf(q) == g ? near : far).push_back(q);
    }
    std::vector<std::string>& c = near.empty() ? far : near;
    if (c.empty()) return "";
    std::sort(c.begin(), c.end());
    if (c.size() > 1 && warnings) {
        std::string others;
        for (size_t i = 1; i < c.size(); ++i) others += (i > 1 ? ", " : "") + c[i];
        warnings->push_back(file + ": took '" + c[0] + "' as the time vector (also " + others +
                            "; set the option time to choose)");
    }
    return c[0];
}

// Option "rate" (frames per second): 0 when not given (time is then the frame index).
Status rateOption(const OpenOptions& opt, const std::string& path, double& rate) {
    rate = 0;
    const std::string r = opt.option("rate");
    if (r.empty()) return std::nullopt;
    char* end = nullptr;
    rate = std::strtod(r.c_str(), &end);
    if (end == r.c_str() || *end != 0 || !(rate > 0) || !std::isfinite(rate))
        return Error{path, 0, "option rate '" + r + "' is not a positive number of frames per second"};
    return std::nullopt;
}

std::vector<std::string> splitList(const std::string& s) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (c == ',') {
            if (!cur.empty()) out.push_back(cur);
            cur.clear();
        } else if (c != ' ') {
            cur += c;
        }
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
}

Result<Traces> readHdf5Locked(const std::string& path, const OpenOptions& opt,
                              std::vector<std::string>* warn);
Result<Traces> readNwbLocked(const std::string& path, const OpenOptions& opt, std::vector<std::string>* warn);
bool nwbOphysLocked(hid_t f);

Result<Dataset> makeDataset(Result<Traces> t, const std::string& path, std::vector<std::string> warnings) {
    if (!t) return t.error();
    Dataset d;
    d.kind = LayerKind::Traces;
    d.files = {path};
    d.summary = tracesSummary(t.value());
    d.warnings = std::move(warnings);
    d.payload = std::shared_ptr<const Traces>(std::make_shared<Traces>(std::move(t.value())));
    return d;
}

// ---- NPY ----------------------------------------------------------------------------------------------
// A numeric NPY array (any number type and byte order, parsed by io/Npy.h) as doubles in file order.
struct NpyDoubles {
    std::vector<double> values;
    std::vector<uint64_t> shape;
    bool fortran = false;
};

Result<NpyDoubles> readNpyDoubles(const std::string& path) {
    auto a = npy::readFile(path);
    if (!a) return a.error();
    const npy::Array& arr = a.value();
    if (arr.structured || !arr.fields.front().numeric())
        return Error{path, 0, "unsupported NPY dtype (numbers only, not a structured or text array)"};
    NpyDoubles r;
    r.shape = arr.shape;
    r.fortran = arr.fortranOrder;
    r.values.resize(size_t(arr.elements));
    for (uint64_t i = 0; i < arr.elements; ++i)
        r.values[size_t(i)] = npy::number(arr.data() + i * arr.itemSize, arr.fields.front());
    return r;
}

std::string stripExt(const std::string& p) {
    const size_t dot = p.find_last_of('.'), slash = p.find_last_of('/');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return p;
    return p.substr(0, dot);
}

Result<std::vector<std::string>> readNamesFile(const std::string& path) {
    csv::LineReader lr;
    if (!lr.open(path, 1 << 20)) return lr.error();
    std::vector<std::string> names;
    std::string_view line;
    std::vector<long> blankLines;
    while (lr.next(line)) {
        const std::string_view t = csv::trim(line);
        if (t.empty()) {
            blankLines.push_back(lr.lineNumber());
            continue;
        }
        if (!blankLines.empty())
            return Error{path, blankLines.front(), "empty neuron name (blank line between names)"};
        names.emplace_back(t);
    }
    if (lr.failed()) return lr.error();
    if (auto s = checkDistinct(names, path, 0)) {
        // Say which line repeats.
        std::unordered_map<std::string, size_t> seen;
        for (size_t i = 0; i < names.size(); ++i)
            if (!seen.emplace(names[i], i).second)
                return Error{path, long(i + 1),
                             "duplicate neuron name '" + names[i] + "' (also on line " +
                                 std::to_string(seen[names[i]] + 1) + ")"};
        return *s;
    }
    return names;
}

} // namespace

// ---- text formats ---------------------------------------------------------------------------------------
int sniffWideTraceCsv(const std::string& head) {
    const std::string l = firstLine(head);
    if (l.empty()) return 0;
    const auto h = headerFields(l);
    if (h.size() < 3 || !isTimeName(h[0])) return 0;
    int named = 0;
    for (size_t i = 1; i < h.size(); ++i) {
        double v;
        if (!h[i].empty() && !csv::parseNumber(h[i], v)) ++named;
    }
    return named >= 2 ? 3 : 0;
}

int sniffLongTraceCsv(const std::string& head) {
    const auto h = headerFields(firstLine(head));
    if (h.size() != 3) return 0;
    int tc = -1;
    for (size_t i = 0; i < h.size(); ++i)
        if (isTimeName(h[i])) tc = int(i);
    return tc >= 0 && longColumn(h, kNeuronCols) >= 0 && longColumn(h, kValueCols) >= 0 ? 3 : 0;
}

Result<Traces> readTracesWideCsv(const std::string& path, const OpenOptions& opt) {
    csv::LineReader lr;
    if (!lr.open(path)) return lr.error();
    std::string_view line;
    std::vector<std::string_view> f;
    std::string scratch, reason;
    // Header.
    if (!lr.next(line)) return lr.failed() ? lr.error() : Error{path, 1, "empty file"};
    const char delim = csv::detectDelimiter(line);
    if (!csv::splitLine(line, delim, f, scratch, reason)) return Error{path, 1, reason};
    if (f.size() < 2 || !isTimeName(f[0])) {
        if (auto s = checkHeaderDistinct(f, path)) return *s; // a long table with a repeated column
        return Error{path, 1,
                     "header must start with a time column (time, time_s or t) followed by neuron names"};
    }
    const size_t C = f.size() - 1;
    std::vector<std::string> colName;
    std::vector<int> behaviourOf(C, -1);
    Traces t;
    t.source = path;
    std::set<std::string> extraBehaviour;
    for (auto& b : splitList(opt.option("behaviour", opt.option("behavior")))) extraBehaviour.insert(b);
    std::vector<size_t> neuronCol;
    for (size_t c = 0; c < C; ++c) {
        std::string name(f[c + 1]);
        colName.push_back(name);
        std::string stripped;
        if (isBehaviourName(name, stripped) || extraBehaviour.count(name)) {
            behaviourOf[c] = int(t.behaviour.size());
            t.behaviour.push_back({stripped.empty() ? name : stripped, {}});
        } else {
            neuronCol.push_back(c);
            t.names.push_back(name);
        }
    }
    if (auto s = checkDistinct(t.names, path, 1)) return *s;
    // The time and behaviour columns too.
    if (auto s = checkHeaderDistinct(f, path)) return *s;
    const size_t N = t.names.size();
    std::vector<float> tm; // time-major
    std::vector<long> lines;
    std::vector<float> rowBuf(C);
    while (lr.next(line)) {
        if (csv::trim(line).empty()) continue;
        const long ln = lr.lineNumber();
        if (!csv::splitLine(line, delim, f, scratch, reason)) return Error{path, ln, reason};
        if (f.size() != C + 1)
            return Error{path, ln,
                         "ragged row: " + std::to_string(f.size()) + " fields, the header has " +
                             std::to_string(C + 1)};
        double tv;
        if (!csv::parseNumber(f[0], tv) || !std::isfinite(tv))
            return Error{path, ln, "time " + csv::quoteForError(f[0]) + " is not a finite number"};
        if (!t.time.empty() && !(tv > t.time.back()))
            return Error{path, ln,
                         "time not increasing: " + num(tv) + " s after " + num(t.time.back()) +
                             " s on line " + std::to_string(lines.back())};
        for (size_t c = 0; c < C; ++c) {
            const std::string_view cell = f[c + 1];
            double v;
            if (cell.empty())
                v = std::numeric_limits<double>::quiet_NaN();
            else if (!csv::parseNumber(cell, v))
                return Error{path, ln,
                             "column '" + colName[c] + "' (field " + std::to_string(c + 2) +
                                 "): " + csv::quoteForError(cell) + " is not a number"};
            else if (std::isinf(v))
                return Error{path, ln, "field " + std::to_string(c + 2) + ": infinite value"};
            rowBuf[c] = float(v);
        }
        t.time.push_back(tv);
        lines.push_back(ln);
        for (size_t k = 0; k < N; ++k) tm.push_back(rowBuf[neuronCol[k]]);
        for (size_t c = 0; c < C; ++c)
            if (behaviourOf[c] >= 0) t.behaviour[size_t(behaviourOf[c])].values.push_back(rowBuf[c]);
        if ((lines.size() & 1023) == 0 && !opt.say(lr.fraction(), "reading traces"))
            return Error{path, ln, "cancelled"};
    }
    if (lr.failed()) return lr.error();
    if (t.time.empty()) return Error{path, 1, "no rows after the header"};
    if (auto s = checkTraceShape(t, path, "the table")) return *s;
    transposeInto(t, tm, t.time.size(), N);
    t.countNaN();
    return t;
}

Result<Traces> readTracesLongCsv(const std::string& path, const OpenOptions& opt) {
    csv::LineReader lr;
    if (!lr.open(path)) return lr.error();
    std::string_view line;
    std::vector<std::string_view> f;
    std::string scratch, reason;
    if (!lr.next(line)) return lr.failed() ? lr.error() : Error{path, 1, "empty file"};
    const char delim = csv::detectDelimiter(line);
    if (!csv::splitLine(line, delim, f, scratch, reason)) return Error{path, 1, reason};
    if (auto s = checkHeaderDistinct(f, path)) return *s;
    std::vector<std::string> h;
    for (auto v : f) h.emplace_back(v);
    int tc = -1;
    for (size_t i = 0; i < h.size(); ++i)
        if (isTimeName(h[i])) tc = int(i);
    const int nc = longColumn(h, kNeuronCols), vc = longColumn(h, kValueCols);
    if (h.size() != 3 || tc < 0 || nc < 0 || vc < 0)
        return Error{path, 1, "header must be neuron,time,value"};
    csv::Interner names(256);
    struct Sample {
        uint32_t neuron;
        double time;
        float value;
        long line;
    };
    std::vector<Sample> samples;
    std::vector<double> lastTime;
    std::vector<long> lastLine;
    while (lr.next(line)) {
        if (csv::trim(line).empty()) continue;
        const long ln = lr.lineNumber();
        if (!csv::splitLine(line, delim, f, scratch, reason)) return Error{path, ln, reason};
        if (f.size() != 3)
            return Error{path, ln, "ragged row: " + std::to_string(f.size()) + " fields, the header has 3"};
        if (f[size_t(nc)].empty()) return Error{path, ln, "empty neuron name"};
        double tv, v;
        if (!csv::parseNumber(f[size_t(tc)], tv) || !std::isfinite(tv))
            return Error{path, ln, "time " + csv::quoteForError(f[size_t(tc)]) + " is not a finite number"};
        const std::string_view vs = f[size_t(vc)];
        if (vs.empty())
            v = std::numeric_limits<double>::quiet_NaN();
        else if (!csv::parseNumber(vs, v))
            return Error{path, ln, "value " + csv::quoteForError(vs) + " is not a number"};
        else if (std::isinf(v))
            return Error{path, ln, "infinite value"};
        const uint32_t id = names.intern(f[size_t(nc)]);
        if (id >= lastTime.size()) {
            lastTime.push_back(-std::numeric_limits<double>::infinity());
            lastLine.push_back(0);
        }
        if (!(tv > lastTime[id]))
            return Error{path, ln,
                         "time not increasing for neuron '" + names.names[id] + "': " + num(tv) +
                             " s after " + num(lastTime[id]) + " s on line " + std::to_string(lastLine[id])};
        lastTime[id] = tv;
        lastLine[id] = ln;
        samples.push_back({id, tv, float(v), ln});
        if ((samples.size() & 65535) == 0 && !opt.say(lr.fraction(), "reading traces"))
            return Error{path, ln, "cancelled"};
    }
    if (lr.failed()) return lr.error();
    if (samples.empty()) return Error{path, 1, "no rows after the header"};
    Traces t;
    t.source = path;
    t.names = names.names;
    std::vector<double> times;
    times.reserve(samples.size());
    for (const auto& s : samples) times.push_back(s.time);
    std::sort(times.begin(), times.end());
    times.erase(std::unique(times.begin(), times.end()), times.end());
    const size_t N = t.names.size(), T = times.size();
    if (double(N) * double(T) > 16.0 * double(samples.size()) + 1e6)
        return Error{path, 0,
                     "neurons are sampled at different times (" + std::to_string(T) + " distinct times for " +
                         std::to_string(samples.size()) + " samples); a long table needs a shared time base"};
    t.time = times;
    t.values.assign(N * T, std::numeric_limits<float>::quiet_NaN());
    for (const auto& s : samples) {
        const size_t k = size_t(std::lower_bound(times.begin(), times.end(), s.time) - times.begin());
        t.values[size_t(s.neuron) * T + k] = s.value;
    }
    if (auto s = checkTraceShape(t, path, "the table")) return *s;
    t.countNaN();
    return t;
}

Result<Traces> readTracesNpy(const std::string& path, const OpenOptions& opt) {
    auto data = readNpyDoubles(path);
    if (!data) return data.error();
    const NpyDoubles& h = data.value();
    if (h.shape.empty() || h.shape.size() > 2)
        return Error{path, 0,
                     "NPY traces must be 1-D or 2-D (time x neurons), shape has " +
                         std::to_string(h.shape.size()) + " axes"};
    if (h.shape.size() == 1)
        return Error{path, 0,
                     "NPY traces array is 1-D (" + std::to_string(h.shape[0]) +
                         " values); traces are 2-D, time x neurons, with at least 2 of each"};
    const uint64_t d0 = h.shape[0], d1 = h.shape[1];
    if (d0 < 2 || d1 < 2)
        return Error{path, 0,
                     "NPY traces array is " + std::to_string(d0) + " x " + std::to_string(d1) +
                         "; traces are time x neurons with at least 2 of each"};
    // Row-major view (d0 x d1).
    std::vector<double> rm = std::move(data.value().values);
    if (h.fortran && h.shape.size() == 2) {
        std::vector<double> c(rm.size());
        for (uint64_t i = 0; i < d0; ++i)
            for (uint64_t j = 0; j < d1; ++j) c[i * d1 + j] = rm[j * d0 + i];
        rm.swap(c);
    }
    const std::string stem = stripExt(path);
    // Time vector: option, or a companion file.
    std::string timePath = opt.option("time");
    if (timePath.empty())
        for (const std::string& c : {stem + "_time.npy", stem + ".time.npy"})
            if (fileExists(c)) timePath = c;
    std::vector<double> time;
    if (!timePath.empty()) {
        auto tv = readNpyDoubles(timePath);
        if (!tv) return tv.error();
        if (tv.value().shape.size() != 1) return Error{timePath, 0, "time vector must be one-dimensional"};
        time = std::move(tv.value().values);
    }
    double rate = 0;
    if (auto s = rateOption(opt, path, rate)) return *s;
    Traces t;
    t.source = path;
    std::vector<std::string> warnings;
    std::string axisOpt = opt.option("time_axis");
    if (time.empty() && axisOpt.empty()) axisOpt = "0"; // NPY convention: time x neurons
    if (auto s = placeMatrix(t, rm, d0, d1, time, path, "array", timePath, axisOpt, rate, &warnings))
        return *s;
    const size_t N = t.values.size() / std::max<size_t>(t.time.size(), 1);
    std::string namesPath = opt.option("names");
    if (namesPath.empty())
        for (const std::string& c : {stem + "_names.txt", stem + ".names.txt"})
            if (fileExists(c)) namesPath = c;
    if (!namesPath.empty()) {
        auto names = readNamesFile(namesPath);
        if (!names) return names.error();
        if (names.value().size() != N)
            return Error{namesPath, long(names.value().size()),
                         std::to_string(names.value().size()) + " names for " + std::to_string(N) +
                             " neurons in " + baseName(path)};
        t.names = std::move(names.value());
    } else {
        for (size_t i = 0; i < N; ++i) t.names.push_back("n" + std::to_string(i));
    }
    t.countNaN();
    for (float v : t.values)
        if (std::isinf(v)) return Error{path, 0, "infinite value in the traces"};
    if (auto s = checkTraceShape(t, path, "the array")) return *s;
    return t;
}

// ---- HDF5 / NWB -----------------------------------------------------------------------------------------
namespace {

Status addBehaviour(hid_t f, Traces& t, const std::string& file, const std::vector<std::string>& paths) {
    for (const auto& p : paths) {
        auto v = h5ReadDoubles(f, p, file, maxCellsFor(file));
        if (!v) return v.error();
        if (v.value().size() != t.time.size())
            return Error{file, 0,
                         "behaviour dataset '" + p + "' has " + std::to_string(v.value().size()) +
                             " values for " + std::to_string(t.time.size()) + " time points"};
        BehaviourRow b;
        b.name = p.substr(p.find_last_of('/') + 1);
        for (double x : v.value()) b.values.push_back(float(x));
        t.behaviour.push_back(std::move(b));
    }
    return std::nullopt;
}

Result<Traces> readHdf5Locked(const std::string& path, const OpenOptions& opt,
                              std::vector<std::string>* warn) {
    H5Quiet quiet;
    H5 f(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (!f.ok()) return Error{path, 0, "cannot open as HDF5"};
    std::string array = opt.option("array");
    if (array.empty()) {
        std::vector<std::string> cands;
        for (const auto& d : h5AllDatasets(f.id))
            if (h5Dims(f.id, d).size() == 2 && h5IsNumeric(f.id, d)) cands.push_back(d);
        if (cands.size() != 1) {
            std::string list;
            for (const auto& c : cands) list += (list.empty() ? "" : ", ") + c;
            return Error{path, 0,
                         cands.empty()
                             ? std::string("no 2-D numeric dataset to read as traces")
                             : "several 2-D datasets (" + list + "); choose one with the option array"};
        }
        array = cands.front();
    }
    if (!array.empty() && array[0] != '/') array = "/" + array;
    if (!h5Exists(f.id, array)) return Error{path, 0, "HDF5 path '" + array + "' does not exist"};
    if (!h5IsDataset(f.id, array)) return Error{path, 0, "HDF5 path '" + array + "' is not a dataset"};
    const auto dims = h5Dims(f.id, array);
    if (dims.size() != 2 && dims.size() != 1)
        return Error{path, 0,
                     "HDF5 dataset '" + array + "' has " + std::to_string(dims.size()) +
                         " axes; traces are 2-D (time x neurons or neurons x time)"};
    auto data = h5ReadDoubles(f.id, array, path, maxCellsFor(path));
    if (!data) return data.error();
    std::string timePath = opt.option("time");
    if (!timePath.empty() && timePath[0] != '/') timePath = "/" + timePath;
    const bool timeGiven = !timePath.empty();
    const hsize_t d0 = dims[0], d1 = dims.size() == 2 ? dims[1] : 1;
    if (timePath.empty()) timePath = findTimeNextTo(f.id, array, d0, d1, path, warn);
    std::vector<double> time;
    if (!timePath.empty()) {
        auto tv = h5ReadDoubles(f.id, timePath, path, maxCellsFor(path));
        if (!tv) return tv.error();
        if (h5Dims(f.id, timePath).size() != 1)
            return Error{path, 0, "time dataset '" + timePath + "' is not one-dimensional"};
        time = std::move(tv.value());
        // A vector found by its name that is no time axis (not increasing, NaN) is left out, not an error.
        if (auto bad = checkTime(time, path, nullptr, "time value"); bad && !timeGiven) {
            if (warn)
                warn->push_back(path + ": '" + timePath + "' is not a time axis (" + bad->reason +
                                "); time is the frame index");
            time.clear();
            timePath.clear();
        }
    }
    double rate = 0;
    if (auto s = rateOption(opt, path, rate)) return *s;
    Traces t;
    t.source = path;
    if (auto s = placeMatrix(t, data.value(), d0, d1, time, path, array, timePath, opt.option("time_axis"),
                             rate, warn))
        return *s;
    const size_t N = t.values.size() / std::max<size_t>(t.time.size(), 1);
    std::string namesPath = opt.option("names");
    if (!namesPath.empty() && namesPath[0] != '/') namesPath = "/" + namesPath;
    if (namesPath.empty())
        for (const char* n : {"names", "neuron_names", "neurons", "labels", "neuron_ids"}) {
            const std::string p = join(parentOf(array), n);
            if (h5IsDataset(f.id, p) && h5Dims(f.id, p).size() == 1 && h5Dims(f.id, p)[0] == N) {
                namesPath = p;
                break;
            }
        }
    if (!namesPath.empty()) {
        auto names = h5ReadStrings(f.id, namesPath, path);
        if (!names) return names.error();
        if (names.value().size() != N)
            return Error{path, 0,
                         "names dataset '" + namesPath + "' has " + std::to_string(names.value().size()) +
                             " entries for " + std::to_string(N) + " neurons"};
        if (auto s = checkDistinct(names.value(), path, 0)) {
            s->reason += " in '" + namesPath + "'";
            return *s;
        }
        t.names = std::move(names.value());
    } else {
        for (size_t i = 0; i < N; ++i) t.names.push_back("n" + std::to_string(i));
    }
    std::vector<std::string> beh;
    for (auto& b : splitList(opt.option("behaviour", opt.option("behavior"))))
        beh.push_back(b[0] == '/' ? b : "/" + b);
    if (auto s = addBehaviour(f.id, t, path, beh)) return *s;
    for (float v : t.values)
        if (std::isinf(v)) return Error{path, 0, "infinite value in '" + array + "'"};
    t.countNaN();
    return t;
}

// RoiResponseSeries groups of an NWB file, DfOverF first.
std::vector<std::string> nwbRoiSeries(hid_t f) {
    std::vector<std::string> dff, fl;
    if (!h5IsGroup(f, "/processing")) return {};
    for (const auto& m : h5Children(f, "/processing")) {
        const std::string mod = "/processing/" + m;
        if (!h5IsGroup(f, mod)) continue;
        for (const auto& c : h5Children(f, mod)) {
            const std::string g = mod + "/" + c;
            if (!h5IsGroup(f, g)) continue;
            const std::string type = h5AttrString(f, g, "neurodata_type");
            const bool isDff = c == "DfOverF" || type == "DfOverF";
            const bool isFl = c == "Fluorescence" || type == "Fluorescence";
            if (!isDff && !isFl) continue;
            for (const auto& s : h5Children(f, g)) {
                const std::string sp = g + "/" + s;
                if (h5IsGroup(f, sp) && h5IsDataset(f, sp + "/data")) (isDff ? dff : fl).push_back(sp);
            }
        }
    }
    dff.insert(dff.end(), fl.begin(), fl.end());
    return dff;
}

std::vector<std::string> nwbAcquisitionSeries(hid_t f) {
    std::vector<std::string> out;
    if (!h5IsGroup(f, "/acquisition")) return out;
    for (const auto& c : h5Children(f, "/acquisition")) {
        const std::string g = "/acquisition/" + c;
        if (h5IsGroup(f, g) && h5IsDataset(f, g + "/data") && h5Dims(f, g + "/data").size() == 1)
            out.push_back(g);
    }
    return out;
}

bool nwbOphysLocked(hid_t f) {
    return !nwbRoiSeries(f).empty() || !nwbAcquisitionSeries(f).empty();
}

// Time of a TimeSeries group: timestamps, or starting_time + rate.
Result<std::vector<double>> nwbSeriesTime(hid_t f, const std::string& g, size_t T, const std::string& file) {
    if (h5IsDataset(f, g + "/timestamps")) {
        auto v = h5ReadDoubles(f, g + "/timestamps", file, maxCellsFor(file));
        if (!v) return v.error();
        return v;
    }
    if (h5IsDataset(f, g + "/starting_time")) {
        auto s = h5ReadDoubles(f, g + "/starting_time", file, 16);
        if (!s) return s.error();
        if (s.value().size() != 1) return Error{file, 0, "'" + g + "/starting_time' is not a scalar"};
        const double rate = h5AttrDouble(f, g + "/starting_time", "rate", 0);
        if (!(rate > 0)) return Error{file, 0, "'" + g + "/starting_time' has no positive rate attribute"};
        std::vector<double> t(T);
        for (size_t k = 0; k < T; ++k) t[k] = s.value()[0] + double(k) / rate;
        return t;
    }
    return Error{file, 0, "'" + g + "' has neither timestamps nor starting_time"};
}

Result<Traces> readNwbLocked(const std::string& path, const OpenOptions& opt,
                             std::vector<std::string>* warn) {
    H5Quiet quiet;
    H5 f(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (!f.ok()) return Error{path, 0, "cannot open as HDF5"};
    std::string series = opt.option("array");
    if (!series.empty() && series[0] != '/') series = "/" + series;
    if (!series.empty() && !h5Exists(f.id, series))
        return Error{path, 0, "HDF5 path '" + series + "' does not exist"};
    const auto rois = nwbRoiSeries(f.id);
    Traces t;
    t.source = path;
    if ((series.empty() && !rois.empty()) || (!series.empty() && h5IsGroup(f.id, series))) {
        const std::string g = series.empty() ? rois.front() : series;
        if (g.find("/DfOverF/") != std::string::npos) t.valueUnit = "\u0394F/F";
        if (!h5IsDataset(f.id, g + "/data"))
            return Error{path, 0, "HDF5 path '" + g + "/data' does not exist"};
        auto data = h5ReadDoubles(f.id, g + "/data", path, maxCellsFor(path));
        if (!data) return data.error();
        const auto dims = h5Dims(f.id, g + "/data");
        if (dims.size() != 2 && dims.size() != 1)
            return Error{path, 0, "'" + g + "/data' must be time x ROIs"};
        const hsize_t d0 = dims[0], d1 = dims.size() == 2 ? dims[1] : 1;
        auto time = nwbSeriesTime(f.id, g, d0, path);
        if (!time) return time.error();
        const std::string tp =
            h5IsDataset(f.id, g + "/timestamps") ? g + "/timestamps" : g + "/starting_time";
        if (auto s = placeMatrix(t, data.value(), d0, d1, time.value(), path, g + "/data", tp, "0", 1, warn))
            return *s;
        const size_t N = t.values.size() / std::max<size_t>(t.time.size(), 1);
        // Names from the PlaneSegmentation the rois region points to.
        std::string table = h5RefAttrPath(f.id, g + "/rois", "table");
        std::vector<long long> idx;
        if (h5IsDataset(f.id, g + "/rois")) {
            auto r = h5ReadDoubles(f.id, g + "/rois", path, maxCellsFor(path));
            if (!r) return r.error();
            for (double x : r.value()) idx.push_back((long long)x);
        }
        std::vector<std::string> names;
        if (!table.empty()) {
            for (const char* col : {"neuron_name", "neuron_names", "name", "names", "label", "labels",
                                    "roi_name", "roi_names", "neuron_id", "ID"}) {
                const std::string p = table + "/" + col;
                if (!h5IsDataset(f.id, p) || !h5IsString(f.id, p)) continue;
                auto col_ = h5ReadStrings(f.id, p, path);
                if (!col_) return col_.error();
                const auto& all = col_.value();
                if (idx.empty())
                    for (size_t i = 0; i < N; ++i) idx.push_back((long long)i);
                if (idx.size() != N)
                    return Error{path, 0,
                                 "'" + g + "/rois' has " + std::to_string(idx.size()) + " entries for " +
                                     std::to_string(N) + " ROIs"};
                for (long long k : idx) {
                    if (k < 0 || size_t(k) >= all.size())
                        return Error{path, 0, "ROI index " + std::to_string(k) + " outside '" + p + "'"};
                    names.push_back(all[size_t(k)]);
                }
                break;
            }
        }
        if (names.empty())
            for (size_t i = 0; i < N; ++i)
                names.push_back("roi" + std::to_string(i < idx.size() ? idx[i] : (long long)i));
        if (auto s = checkDistinct(names, path, 0)) {
            s->reason += " in the ROI table of '" + g + "'";
            return *s;
        }
        t.names = std::move(names);
    } else {
        std::vector<std::string> acq =
            series.empty() ? nwbAcquisitionSeries(f.id) : std::vector<std::string>{};
        if (!series.empty()) return Error{path, 0, "HDF5 path '" + series + "' is not a TimeSeries group"};
        if (acq.empty()) return Error{path, 0, "no RoiResponseSeries and no TimeSeries under acquisition"};
        size_t T = 0;
        for (size_t i = 0; i < acq.size(); ++i) {
            auto v = h5ReadDoubles(f.id, acq[i] + "/data", path, maxCellsFor(path));
            if (!v) return v.error();
            if (i == 0) {
                T = v.value().size();
                auto time = nwbSeriesTime(f.id, acq[i], T, path);
                if (!time) return time.error();
                if (time.value().size() != T)
                    return Error{path, 0,
                                 "time vector of '" + acq[i] + "' has " +
                                     std::to_string(time.value().size()) + " values for " +
                                     std::to_string(T) + " samples"};
                if (auto s = checkTime(time.value(), path, nullptr, "time value")) {
                    s->reason += " in '" + acq[i] + "'";
                    return *s;
                }
                t.time = std::move(time.value());
            } else if (v.value().size() != T) {
                return Error{path, 0,
                             "'" + acq[i] + "/data' has " + std::to_string(v.value().size()) + " samples, '" +
                                 acq[0] + "/data' has " + std::to_string(T)};
            }
            t.names.push_back(acq[i].substr(acq[i].find_last_of('/') + 1));
            for (double x : v.value()) t.values.push_back(float(x));
        }
    }
    // Behaviour series of the same length.
    std::vector<std::string> beh;
    for (const char* mod : {"/processing/behavior", "/processing/behaviour"}) {
        if (!h5IsGroup(f.id, mod)) continue;
        for (const auto& c : h5Children(f.id, mod)) {
            const std::string g = std::string(mod) + "/" + c;
            if (!h5IsGroup(f.id, g)) continue;
            if (h5IsDataset(f.id, g + "/data") && h5Dims(f.id, g + "/data").size() == 1 &&
                h5Dims(f.id, g + "/data")[0] == t.time.size())
                beh.push_back(g + "/data");
            for (const auto& s : h5Children(f.id, g)) {
                const std::string d = g + "/" + s + "/data";
                if (h5IsDataset(f.id, d) && h5Dims(f.id, d).size() == 1 &&
                    h5Dims(f.id, d)[0] == t.time.size())
                    beh.push_back(d);
            }
        }
    }
    if (auto s = addBehaviour(f.id, t, path, beh)) return *s;
    for (auto& b : t.behaviour)
        if (b.name == "data" && beh.size() == t.behaviour.size()) b.name = "behaviour";
    for (size_t i = 0; i < t.behaviour.size(); ++i) {
        const std::string& p = beh[i];
        const std::string g = parentOf(p);
        t.behaviour[i].name = g.substr(g.find_last_of('/') + 1);
    }
    for (float v : t.values)
        if (std::isinf(v)) return Error{path, 0, "infinite value in the traces"};
    t.countNaN();
    return t;
}

// The HDF5 work of a sniffer or reader runs in a child process (readHdf5InChild): a corrupt file can make
// libhdf5 loop inside one call (reading a variable-length string from a zeroed global heap does), and only
// killing the process that runs it stops that. The child sends back a score, or the traces as columns.

int sniffHdf5TracesInChild(const std::string& path) {
    H5Quiet quiet;
    H5 f(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (!f.ok()) return 0;
    if (nwbOphysLocked(f.id)) return 0;
    // A 2-D numeric dataset makes it traces; with no dataset of 3 or more axes (no volume) it is certainly
    // not a label volume.
    bool has2d = false, hasVolume = false, timeNext = false, allSquare = true;
    for (const auto& d : h5AllDatasets(f.id)) {
        const auto dims = h5Dims(f.id, d);
        const size_t rank = dims.size();
        if (rank >= 3) hasVolume = true;
        if (rank != 2 || !h5IsNumeric(f.id, d)) continue;
        has2d = true;
        allSquare = allSquare && dims[0] == dims[1];
        const std::string a = !d.empty() && d[0] == '/' ? d : "/" + d;
        if (!findTimeNextTo(f.id, a, dims[0], dims[1], path, nullptr).empty()) timeNext = true;
    }
    if (!has2d) return 0;
    // Only square arrays and no time axis: more likely an adjacency matrix than time x neurons.
    if (allSquare && !timeNext) return 1;
    return !hasVolume ? 3 : timeNext ? 2 : 1;
}

int sniffNwbTracesInChild(const std::string& path) {
    H5Quiet quiet;
    H5 f(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (!f.ok()) return 0;
    if (!nwbRoiSeries(f.id).empty()) return 3;
    // Plain TimeSeries under acquisition, in a file without a units table (that one is spikes).
    if (!nwbAcquisitionSeries(f.id).empty() && !h5Exists(f.id, "/units")) return 3;
    return 0;
}

// A score computed in a child; 0 when the child failed or ran out of time.
int sniffInChild(const std::string& path, int (*sniff)(const std::string&)) {
    auto cols = readHdf5InChild(path, [&]() -> Result<H5Columns> {
        H5Columns out;
        out.put("score", std::vector<int64_t>{sniff(path)});
        return out;
    });
    if (!cols) return 0;
    const std::vector<int64_t> v = cols.value().takeI64("score");
    return v.size() == 1 && v[0] >= 0 && v[0] <= 3 ? int(v[0]) : 0;
}

int sniffHdf5Traces(const std::string& path, const std::string& head) {
    if (!isHdf5Head(head)) return 0;
    if (fileExtension(path) == "nwb") return 0;
    return sniffInChild(path, sniffHdf5TracesInChild);
}

int sniffNwbTraces(const std::string& path, const std::string& head) {
    if (!isHdf5Head(head)) return 0;
    return sniffInChild(path, sniffNwbTracesInChild);
}

// Traces (and the reader's warnings) to columns and back.
H5Columns tracesToColumns(Traces t, std::vector<std::string> warn) {
    H5Columns c;
    c.put("names", std::move(t.names));
    c.put("time", std::move(t.time));
    c.put("time_unit", std::vector<std::string>{t.timeUnit});
    c.put("value_unit", std::vector<std::string>{t.valueUnit});
    c.put("values", std::vector<double>(t.values.begin(), t.values.end()));
    t.values = {};
    std::vector<std::string> bn;
    for (const auto& b : t.behaviour) bn.push_back(b.name);
    c.put("behaviour", std::move(bn));
    for (size_t i = 0; i < t.behaviour.size(); ++i)
        c.put("behaviour/" + std::to_string(i),
              std::vector<double>(t.behaviour[i].values.begin(), t.behaviour[i].values.end()));
    c.put("warnings", std::move(warn));
    return c;
}

Result<Traces> tracesFromColumns(H5Columns& c, const std::string& path, std::vector<std::string>* warn) {
    Traces t;
    t.source = path;
    t.names = c.takeText("names");
    t.time = c.takeF64("time");
    if (const std::vector<std::string> u = c.takeText("time_unit"); u.size() == 1) t.timeUnit = u[0];
    if (const std::vector<std::string> u = c.takeText("value_unit"); u.size() == 1) t.valueUnit = u[0];
    const std::vector<double> v = c.takeF64("values");
    if (v.size() != t.names.size() * t.time.size())
        return Error{path, 0, "the HDF5 reader returned an inconsistent matrix"};
    t.values.assign(v.begin(), v.end());
    const std::vector<std::string> bn = c.takeText("behaviour");
    for (size_t i = 0; i < bn.size(); ++i) {
        const std::vector<double> b = c.takeF64("behaviour/" + std::to_string(i));
        if (b.size() != t.time.size())
            return Error{path, 0, "the HDF5 reader returned an inconsistent behaviour row"};
        t.behaviour.push_back({bn[i], std::vector<float>(b.begin(), b.end())});
    }
    if (warn)
        for (auto& w : c.takeText("warnings")) warn->push_back(std::move(w));
    if (auto s = checkTraceShape(t, path, "the trace array")) return *s;
    t.countNaN();
    return t;
}

using HdfTraceReader = Result<Traces> (*)(const std::string&, const OpenOptions&, std::vector<std::string>*);

Result<Traces> readTracesInChild(const std::string& path, const OpenOptions& opt,
                                 std::vector<std::string>* warn, HdfTraceReader read) {
    auto cols = readHdf5InChild(path, [&]() -> Result<H5Columns> {
        std::vector<std::string> w;
        auto t = read(path, opt, &w);
        if (!t) return t.error();
        return tracesToColumns(std::move(t.value()), std::move(w));
    });
    if (!cols) return cols.error();
    return tracesFromColumns(cols.value(), path, warn);
}

int sniffNpyTraces(const std::string& path, const std::string& head) {
    if (!npy::isNpyHead(head)) return 0;
    auto h = npy::parseHeader(head, path);
    if (!h) return 0;
    const std::string stem = stripExt(path);
    if (fileExists(stem + "_names.txt") || fileExists(stem + ".names.txt")) return 3;
    const auto& s = h.value().shape;
    if (h.value().structured || !h.value().fields.front().numeric()) return 0;
    if (s.size() == 2 && s[1] > 2) return 2;
    return 0;
}

} // namespace

Result<Traces> readTracesHdf5(const std::string& path, const OpenOptions& opt) {
    return readTracesInChild(path, opt, nullptr, readHdf5Locked);
}

Result<Traces> readTracesNwb(const std::string& path, const OpenOptions& opt) {
    return readTracesInChild(path, opt, nullptr, readNwbLocked);
}

bool isNwbOphys(const std::string& path) {
    return sniffNwbTraces(path, readHead(path, 16)) == 3;
}

std::string tracesSummary(const Traces& t) {
    std::string s =
        "neurons=" + std::to_string(t.neurons()) + " timepoints=" + std::to_string(t.timepoints());
    if (!t.behaviour.empty()) s += " behaviour=" + std::to_string(t.behaviour.size());
    if (t.nanFrames) s += " nan_frames=" + std::to_string(t.nanFrames);
    s += " duration=" + t.durationText();
    return s;
}

Status writeTracesCsv(const std::string& path, const Traces& t) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return Error{path, 0, "cannot write"};
    std::string line = "time_s";
    for (const auto& n : t.names) line += "," + n;
    for (const auto& b : t.behaviour) line += ",behaviour:" + b.name;
    line += "\n";
    std::fputs(line.c_str(), f);
    const size_t T = t.timepoints();
    for (size_t k = 0; k < T; ++k) {
        line = num(t.time[k]);
        for (size_t i = 0; i < t.neurons(); ++i) {
            const float v = t.at(i, k);
            line += ",";
            if (!std::isnan(v)) line += num(v);
        }
        for (const auto& b : t.behaviour)
            line += "," + (std::isnan(b.values[k]) ? std::string() : num(b.values[k]));
        line += "\n";
        std::fputs(line.c_str(), f);
    }
    if (std::fclose(f) != 0) return Error{path, 0, "write failed"};
    return std::nullopt;
}

void registerTraceReaders(ReaderRegistry& r) {
    auto wrap = [](Result<Traces> (*fn)(const std::string&, const OpenOptions&)) {
        return [fn](const std::string& path, const std::vector<std::string>&, const OpenOptions& opt) {
            return makeDataset(fn(path, opt), path, {});
        };
    };
    r.add({"Activity traces, wide CSV",
           {"csv", "tsv", "txt"},
           LayerKind::Traces,
           "time column and one column per neuron name (calcium imaging)",
           [](const std::string&, const std::string& head) { return sniffWideTraceCsv(head); },
           wrap(readTracesWideCsv)});
    r.add({"Activity traces, long CSV",
           {"csv", "tsv", "txt"},
           LayerKind::Traces,
           "neuron,time,value rows",
           [](const std::string&, const std::string& head) { return sniffLongTraceCsv(head); },
           wrap(readTracesLongCsv)});
    r.add({"Activity traces, NPY",
           {"npy"},
           LayerKind::Traces,
           "time x neurons array with X_names.txt beside it",
           sniffNpyTraces,
           wrap(readTracesNpy)});
    r.add({"Activity traces, NWB ophys",
           {"nwb"},
           LayerKind::Traces,
           "RoiResponseSeries (DfOverF, Fluorescence) or TimeSeries per neuron",
           sniffNwbTraces,
           [](const std::string& path, const std::vector<std::string>&, const OpenOptions& opt) {
               std::vector<std::string> w;
               auto t = readTracesInChild(path, opt, &w, readNwbLocked);
               return makeDataset(std::move(t), path, std::move(w));
           }});
    r.add({"Activity traces, HDF5",
           {"h5", "hdf5", "hdf", "mat"},
           LayerKind::Traces,
           "trace dataset (option array) and time dataset (option time); transposed files are recognised",
           sniffHdf5Traces,
           [](const std::string& path, const std::vector<std::string>&, const OpenOptions& opt) {
               std::vector<std::string> w;
               auto t = readTracesInChild(path, opt, &w, readHdf5Locked);
               return makeDataset(std::move(t), path, std::move(w));
           }});
}

} // namespace nr
