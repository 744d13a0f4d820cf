// The malformed-input corpus: every reader, command and analysis that takes outside input, fed defects
// generated here. Each case runs in a forked child under an address-space limit (RLIMIT_AS) and an alarm, so
// a hang, a crash or an unbounded allocation fails the case instead of the machine. A case names the
// message its error must contain and the file the error must blame.
//
// To add cases (other readers, other areas): append to the table in `buildCorpus` with `add(...)`: a name,
// the files to write (name -> bytes, or a function that writes them), the reader to run on them and the
// expected message substring ("" = the input must be accepted).
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <functional>
#include <hdf5.h>
#include <iterator>
#include <optional>
#include <sstream>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "analysis/FiringStats.h"
#include "analysis/GraphAnalysis.h"
#include "analysis/Shesha.h"
#include "analysis/TrialCounts.h"
#include "formats/Open.h"
#include "io/GraphIO.h"
#include "io/Hdf5Sandbox.h"
#include "io/MatrixIO.h"
#include "io/MemoryBudget.h"
#include "io/Nwb.h"
#include "io/ReaderRegistry.h"
#include "io/SpikeIO.h"
#include "io/TrialIO.h"
#include "morph/LabelVolume.h"
#include "morph/Morphology.h"
#include "plugin/AnalyzeCommand.h"
#include "session/Session.h"
#include "sim/ModelDescription.h"
#include "sim/NeuronStream.h"
#include "sim/SimulateCommand.h"
#include "traces/TraceFormats.h"
#include "vessel/VesselFormats.h"

#if defined(__SANITIZE_ADDRESS__)
#define NR_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NR_UNDER_ASAN 1
#endif
#endif

namespace {

constexpr rlim_t kMemoryLimit = rlim_t(2) << 30; // 2 GiB of address space per case
constexpr unsigned kSecondsLimit = 20;           // per case

using Outcome = std::optional<nr::Error>; // nullopt: the input was accepted

struct Case {
    std::string name;
    std::function<void(const std::string& dir)> make; // writes the input files into dir
    std::function<Outcome(const std::string& dir)> read;
    std::string expect; // substring of Error::str(); "" = must be accepted
    std::string blame;  // file name the error must name (its last path component); "" = no check
};

template <class T> Outcome outcome(const nr::Result<T>& r) {
    if (r.ok()) return std::nullopt;
    return r.error();
}

void writeFile(const std::string& path, const std::string& bytes) {
    std::ofstream f(path, std::ios::binary);
    f << bytes;
}

std::string npy(const std::string& dict, const std::string& data, int major = 1) {
    std::string h = dict;
    const size_t pre = major == 1 ? 10 : 12;
    while ((pre + h.size() + 1) % 64) h += ' ';
    h += '\n';
    std::string out = "\x93NUMPY";
    out += char(major);
    out += char(0);
    out += char(h.size() & 0xff);
    out += char((h.size() >> 8) & 0xff);
    if (major != 1) out += std::string(2, '\0');
    return out + h + data;
}

template <class T> std::string bytesOf(std::initializer_list<T> v) {
    std::string s;
    for (T x : v) s.append(reinterpret_cast<const char*>(&x), sizeof x);
    return s;
}

std::string f8(std::initializer_list<double> v) {
    return bytesOf<double>(v);
}

std::string dict2(const std::string& descr, const std::string& shape, const std::string& fortran = "False") {
    return "{'descr': " + descr + ", 'fortran_order': " + fortran + ", 'shape': " + shape + ", }";
}

// ---- NWB files written with the HDF5 C API ------------------------------------------------------------
struct NwbSpec {
    std::vector<int64_t> ids = {4, 9};
    std::vector<double> times = {0.1, 1.2, 1.3, 2.5};
    std::vector<uint64_t> index = {2, 4};
    bool writeIds = true, writeTimes = true, writeIndex = true;
    bool timesTwoD = false;
    bool trials = false;
    std::vector<double> start = {0, 1}, stop = {1, 2};
    bool condition = true;
    std::vector<std::string> stimulus; // non-empty: a variable-length string column instead of `condition`
    std::vector<int64_t> signedIndex;  // non-empty: written as int64 instead of `index`
    std::vector<int8_t> int8Times;     // non-empty: spike_times written as int8 instead of `times`
};

void writeNwb(const std::string& path, const NwbSpec& s) {
    hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    auto group = [&](const char* p) { H5Gclose(H5Gcreate2(file, p, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)); };
    auto write = [&](const char* p, hid_t type, hsize_t n, const void* data, int rank = 1) {
        hsize_t dims[2] = {n, 1};
        if (rank == 2) dims[0] = n / 2, dims[1] = 2;
        hid_t sp = H5Screate_simple(rank, dims, nullptr);
        hid_t ds = H5Dcreate2(file, p, type, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (n) H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
        H5Dclose(ds);
        H5Sclose(sp);
    };
    group("/units");
    if (s.writeIds) write("/units/id", H5T_NATIVE_INT64, s.ids.size(), s.ids.data());
    if (s.writeTimes && !s.int8Times.empty())
        write("/units/spike_times", H5T_NATIVE_INT8, s.int8Times.size(), s.int8Times.data());
    else if (s.writeTimes)
        write("/units/spike_times", H5T_NATIVE_DOUBLE, s.times.size(), s.times.data(), s.timesTwoD ? 2 : 1);
    if (s.writeIndex && !s.signedIndex.empty())
        write("/units/spike_times_index", H5T_NATIVE_INT64, s.signedIndex.size(), s.signedIndex.data());
    else if (s.writeIndex)
        write("/units/spike_times_index", H5T_NATIVE_UINT64, s.index.size(), s.index.data());
    if (s.trials) {
        group("/intervals");
        group("/intervals/trials");
        write("/intervals/trials/start_time", H5T_NATIVE_DOUBLE, s.start.size(), s.start.data());
        write("/intervals/trials/stop_time", H5T_NATIVE_DOUBLE, s.stop.size(), s.stop.data());
        if (!s.stimulus.empty()) {
            std::vector<const char*> text;
            for (const auto& t : s.stimulus) text.push_back(t.c_str());
            hid_t st = H5Tcopy(H5T_C_S1);
            H5Tset_size(st, H5T_VARIABLE);
            write("/intervals/trials/stimulus", st, text.size(), text.data());
            H5Tclose(st);
        } else if (s.condition) {
            std::vector<double> cond(s.start.size(), 1.0);
            write("/intervals/trials/condition", H5T_NATIVE_DOUBLE, cond.size(), cond.data());
        }
    }
    H5Fclose(file);
}

// Runs one case in a forked child; returns "" when it met its expectation, else what went wrong.
std::string runCase(const Case& c, const std::string& dir) {
    int fds[2];
    if (pipe(fds) != 0) return "pipe failed";
    const pid_t pid = fork();
    if (pid < 0) return "fork failed";
    if (pid == 0) {
        close(fds[0]);
#ifndef NR_UNDER_ASAN
        // (AddressSanitizer reserves terabytes of address space for its shadow: no limit under it.)
        struct rlimit rl {
            kMemoryLimit, kMemoryLimit
        };
        setrlimit(RLIMIT_AS, &rl);
#else
        // The readers' budget is what the limit above gives them (half of it), so the cases that must be
        // refused for their size are refused the same way under the sanitizers.
        nr::pinMemoryBudget(uint64_t(kMemoryLimit) / 2);
#endif
        alarm(kSecondsLimit);
        std::string msg;
        try {
            c.make(dir);
            const Outcome o = c.read(dir);
            msg = o ? "ERR\n" + o->file + "\n" + o->str() : "OK\n";
        } catch (const std::exception& e) {
            msg = std::string("EXC\n") + e.what();
        }
        const ssize_t w = write(fds[1], msg.data(), msg.size());
        (void)w;
        close(fds[1]);
        _exit(0);
    }
    close(fds[1]);
    std::string got;
    char buf[4096];
    ssize_t k;
    while ((k = read(fds[0], buf, sizeof buf)) > 0) got.append(buf, size_t(k));
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status)) {
        const int sig = WTERMSIG(status);
        return sig == SIGALRM ? "hung (more than " + std::to_string(kSecondsLimit) + " s)"
                              : std::string("killed by signal ") + strsignal(sig);
    }
    if (got.rfind("EXC\n", 0) == 0) return "threw " + got.substr(4);
    if (got.rfind("OK\n", 0) == 0)
        return c.expect.empty() ? "" : "accepted, expected an error with '" + c.expect + "'";
    if (got.rfind("ERR\n", 0) != 0) return "no result from the child";
    const size_t nl = got.find('\n', 4);
    const std::string file = got.substr(4, nl - 4), text = got.substr(nl + 1);
    if (c.expect.empty()) return "refused: " + text;
    if (text.find(c.expect) == std::string::npos) return "message '" + text + "' lacks '" + c.expect + "'";
    if (!c.blame.empty()) {
        const size_t slash = file.find_last_of('/');
        const std::string base = slash == std::string::npos ? file : file.substr(slash + 1);
        if (base != c.blame) return "blames '" + file + "', expected " + c.blame;
    }
    if (text.find("X_trials") != std::string::npos || text.find("X_spikes") != std::string::npos)
        return "placeholder file name in '" + text + "'";
    return "";
}

class Corpus {
public:
    std::vector<Case> cases;

    // One file `name` with `bytes`, read by `reader(path)`.
    void add(const std::string& name, const std::string& file, const std::string& bytes,
             std::function<Outcome(const std::string&)> reader, const std::string& expect,
             bool blame = true) {
        cases.push_back({name, [file, bytes](const std::string& d) { writeFile(d + "/" + file, bytes); },
                         [file, reader](const std::string& d) { return reader(d + "/" + file); }, expect,
                         blame && !expect.empty() ? file : ""});
    }
    // Several files; `main` is handed to the reader.
    void addFiles(const std::string& name, const std::vector<std::pair<std::string, std::string>>& files,
                  std::function<Outcome(const std::string& dir)> reader, const std::string& expect,
                  const std::string& blame) {
        cases.push_back({name,
                         [files](const std::string& d) {
                             for (const auto& f : files) writeFile(d + "/" + f.first, f.second);
                         },
                         reader, expect, blame});
    }
    void addCustom(Case c) { cases.push_back(std::move(c)); }
};

// Each case runs the parser of its format (the registry's choice is tested in test_reader_registry).
Outcome graph(const std::string& p) {
    return outcome(nr::readDelimitedGraph(p));
}
Outcome graphml(const std::string& p) {
    return outcome(nr::readGraphML(p));
}
Outcome gml(const std::string& p) {
    return outcome(nr::readGml(p));
}
Outcome spikes(const std::string& p) {
    return outcome(nr::readSpikesCsv(p));
}
Outcome spikesNpy(const std::string& p) {
    return outcome(nr::readSpikesNpy(p));
}
Outcome nwbUnits(const std::string& p) {
    return outcome(nr::readNwbUnits(p));
}
Outcome nodeTable(const std::string& p) {
    nr::Graph g;
    g.addNode("A");
    g.addNode("B");
    return outcome(nr::readNodeTable(p, g));
}
Outcome simulate(const std::vector<std::string>& args) {
    std::ostringstream out, err;
    if (nr::runSimulateCommand(args, out, err) == 0) return std::nullopt;
    return nr::Error{"simulate", 0, err.str()};
}

void npyCases(Corpus& c) {
    const std::string ok = f8({1, 0.5});
    auto s = [&](const std::string& name, const std::string& bytes, const std::string& expect) {
        c.add("npy/" + name, "s.npy", bytes, spikesNpy, expect);
    };
    const std::string good = dict2("'<f8'", "(1, 2)");
    s("accepted", npy(good, ok), "");
    s("bad magic", "PK\x03\x04 not numpy", "missing the \\x93NUMPY magic");
    s("empty file", "", "missing the \\x93NUMPY magic");
    s("magic only", "\x93NUMPY", "truncated NPY header");
    for (int v : {0, 4, 9, 255}) {
        std::string b = npy(good, ok);
        b[6] = char(v);
        s("version " + std::to_string(v), b, "unsupported NPY version " + std::to_string(v) + ".0");
    }
    {
        std::string b = npy(good, ok);
        b[7] = 1;
        s("minor version 1", b, "unsupported NPY version 1.1");
    }
    s("version 2 accepted", npy(good, ok, 2), "");
    s("version 3 accepted", npy(good, ok, 3), "");
    {
        std::string b = npy(good, ok);
        b[8] = char(0xff);
        b[9] = char(0x7f);
        s("header length beyond file", b, "truncated NPY header");
    }
    s("truncated header", npy(good, ok).substr(0, 40), "truncated NPY header");
    s("shape 10**12 rows", npy(dict2("'<f8'", "(1000000000000, 2)"), ok), "truncated NPY data");
    s("shape 1.5", npy(dict2("'<f8'", "(1.5, 2)"), ok), "'1.5' is not an integer");
    s("shape negative", npy(dict2("'<f8'", "(-1, 2)"), ok), "negative dimension -1");
    s("shape 2**64", npy(dict2("'<f8'", "(18446744073709551616, 2)"), ok), "is too large");
    s("shape product overflow", npy(dict2("'<f8'", "(4294967296, 4294967296, 2)"), ok),
      "larger than any file can hold");
    s("shape text", npy(dict2("'<f8'", "('a', 2)"), ok), "shape must be a tuple of integers");
    s("shape list", npy(dict2("'<f8'", "[1, 2]"), ok), "shape must be a tuple");
    s("shape scalar", npy(dict2("'<f8'", "()"), f8({1})), "2-D array");
    s("shape one element no comma", npy(dict2("'<f8'", "(2)"), ok), "trailing comma");
    s("shape 3-D", npy(dict2("'<f8'", "(1, 1, 2)"), ok), "2-D array");
    s("shape 4 columns", npy(dict2("'<f8'", "(1, 4)"), f8({1, 2, 3, 4})), "2 columns");
    s("zero rows", npy(dict2("'<f8'", "(0, 2)"), ""), "no spikes");
    s("trailing bytes", npy(good, ok + "junk"), "4 trailing bytes");
    s("truncated data", npy(dict2("'<f8'", "(2, 2)"), ok), "truncated NPY data");
    s("descr complex", npy(dict2("'<c16'", "(1, 2)"), ok + ok), "unsupported NPY dtype '<c16'");
    s("descr half", npy(dict2("'<f2'", "(1, 2)"), std::string(4, '\0')), "unsupported NPY dtype '<f2'");
    s("descr object", npy(dict2("'|O'", "(1, 2)"), std::string(16, '\0')), "object arrays");
    s("descr i3", npy(dict2("'<i3'", "(1, 2)"), std::string(6, '\0')), "unsupported NPY dtype '<i3'");
    s("descr number", npy(dict2("8", "(1, 2)"), ok), "descr must be a type string");
    s("descr text", npy(dict2("'|S4'", "(1, 2)"), std::string(8, 'a')), "must be numeric");
    s("fortran maybe", npy(dict2("'<f8'", "(1, 2)", "'maybe'"), ok), "fortran_order must be True or False");
    s("missing descr", npy("{'fortran_order': False, 'shape': (1, 2), }", ok), "missing 'descr'");
    s("missing shape", npy("{'descr': '<f8', 'fortran_order': False, }", ok), "missing 'shape'");
    s("missing fortran_order", npy("{'descr': '<f8', 'shape': (1, 2), }", ok), "missing 'fortran_order'");
    s("extra key", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), 'x': 1}", ok),
      "unknown key 'x'");
    s("duplicate key", npy("{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (1, 2)}", ok),
      "appears twice");
    s("not a dict", npy("[1, 2]", ok), "not a dict");
    s("unterminated string", npy("{'descr': '<f8", ok), "control character inside a header string");
    s("nesting bomb", npy("{'descr': " + std::string(200, '[') + ", }", ok), "nests too deeply");
    s("NUL in header",
      npy(std::string("{'descr': '<f8',\0 'fortran_order': False, 'shape': (1, 2), }", 60), ok),
      "unexpected byte 0x00");
    s("text after dict", npy(good + " 7", ok), "unexpected text after the header dict");
    s("NaN time", npy(good, f8({1, std::nan("")})), "time is NaN or infinite");
    s("inf time", npy(good, f8({1, INFINITY})), "time is NaN or infinite");
    s("negative unit", npy(good, f8({-3, 0.5})), "negative unit id");
    s("fractional unit", npy(good, f8({1.5, 0.5})), "is not an integer");
    s("huge unit", npy(good, f8({1e300, 0.5})), "too large");
    s("structured without time", npy(dict2("[('unit', '<i8'), ('depth', '<f8')]", "(1,)"), ok),
      "needs numeric fields unit and time");
    s("structured duplicate field", npy(dict2("[('unit', '<i8'), ('unit', '<f8')]", "(1,)"), ok),
      "field 'unit' appears twice");
    s("structured sub-array", npy(dict2("[('unit', '<i8', (2,)), ('time', '<f8')]", "(1,)"), ok + ok),
      "sub-array field 'unit'");
    s("structured 2-D", npy(dict2("[('unit', '<i8'), ('time', '<f8')]", "(1, 1)"), ok), "must be 1-D");
    s("structured empty list", npy(dict2("[]", "(1,)"), ok), "without fields");
    s("structured bad field", npy(dict2("[('unit', 3), ('time', '<f8')]", "(1,)"), ok),
      "a structured field must be ('name', 'type')");
    s("big-endian accepted",
      npy(dict2("'>f8'", "(1, 2)"), std::string("\x3f\xf0\0\0\0\0\0\0\x3f\xe0\0\0\0\0\0\0", 16)), "");
}

void spikeCsvCases(Corpus& c) {
    auto s = [&](const std::string& name, const std::string& bytes, const std::string& expect) {
        c.add("spikes.csv/" + name, "s.csv", bytes, spikes, expect);
    };
    s("accepted", "unit,time_s\n1,0.5\n2,0.25\n", "");
    s("unsorted accepted", "unit,time_s\n1,0.5\n1,0.25\n", "");
    s("empty", "", "empty file");
    s("blank lines only", "\n \n\n", "empty file");
    s("header only", "unit,time_s\n", "no spikes: the file has a header but no rows");
    s("no time column", "unit,depth\n1,2\n", "expected the header");
    s("NUL in number", std::string("unit,time_s\n1,0\0.297538\n", 24), "s.csv:2: binary data");
    s("NUL late", "unit,time_s\n" + std::string(70000, '\n') + std::string("1,0\0.5\n", 7), "binary data");
    s("tail after number", "unit,time_s\n1,0.5s\n", "s.csv:2: time '0.5s' is not a number");
    s("two dots", "unit,time_s\n1,0.5.1\n", "is not a number");
    s("hex time", "unit,time_s\n1,0x10\n", "is not a number");
    s("space inside", "unit,time_s\n1,0. 5\n", "is not a number");
    s("NaN time", "unit,time_s\n1,nan\n", "NaN or infinite");
    s("overflow time", "unit,time_s\n1,1e999\n", "NaN or infinite");
    s("negative unit", "unit,time_s\n-1,0.5\n", "negative unit id");
    s("fractional unit", "unit,time_s\n1.5,0.5\n", "is not an integer");
    s("unit text", "unit,time_s\nabc,0.5\n", "'abc' is not an integer");
    s("unit tail", "unit,time_s\n7x,0.5\n", "'7x' is not an integer");
    s("short row", "unit,time_s\n1,0.5\n2\n", "s.csv:3: expected 2 columns");
    s("long row", "unit,time_s\n1,0.5,9\n", "expected 2 columns");
    s("truncated last line", "unit,time_s\n1,0.5\n2", "truncated?");
    s("unterminated quote", "unit,time_s\n\"1,0.5\n", "unterminated quote");
    s("carriage return inside", "unit,time_s\n1\r,0.5\n", "carriage return inside a line");
    s("UTF-16", "\xff\xfeu\0n\0i\0t\0", "UTF-16");
    s("line too long", "unit,time_s\n" + std::string(1100000, '1') + ",0.5\n", "line longer than");
    s("binary garbage",
      std::string("\x7f"
                  "ELF\x02\x01\x01\0\0\0",
                  10),
      "binary data");
    s("trial column text", "unit,trial,time_s\n1,x,0.5\n", "trial 'x' is not an integer");
    s("trial table accepted", "unit,trial,time_s\n1,1,0.5\n1,0,0.7\n", "");
    c.add(
        "spikes/missing file", "absent.csv", "",
        [](const std::string& p) { return spikes(p.substr(0, p.size() - 4) + "_gone.csv"); }, "cannot open",
        false);
}

void edgeListCases(Corpus& c) {
    auto e = [&](const std::string& name, const std::string& bytes, const std::string& expect) {
        c.add("edges/" + name, "g.csv", bytes, graph, expect);
    };
    e("accepted", "source,target,weight\nA,B,1\n", "");
    e("empty", "", "file is empty");
    e("header only", "source,target,weight\n", "g.csv:1: no edges: the file has a header but no edge rows");
    e("comments only", "# nothing\n", "file is empty");
    e("NUL in weight", std::string("source,target,weight\nA,B,0\0.5\n", 30), "binary data");
    e("weight tail", "source,target,weight\nA,B,1.5kg\n", "g.csv:2: weight '1.5kg' is not a number");
    e("weight NaN", "source,target,weight\nA,B,nan\n", "weight");
    e("weight overflow", "source,target,weight\nA,B,1e400\n", "weight");
    e("no target column", "source,weight\nA,1\n", "no target column");
    e("no columns", "alpha,beta,gamma\nA,B,C\n", "no source and target columns");
    e("empty source", "source,target\n,B\n", "empty source name");
    e("empty target", "source,target\nA,\n", "empty target name");
    e("short row", "source,target,weight\nA,B\n", "g.csv:2:");
    e("unterminated quote", "source,target\n\"A,B\n", "unterminated quote");
    e("UTF-16", "\xff\xfes\0o\0", "UTF-16");
    e("line too long", "source,target\nA," + std::string(1100000, 'b') + "\n", "line longer than");
    {
        std::string t = "source,target,type\n";
        for (int i = 0; i < 300; ++i) t += "A,B,t" + std::to_string(i) + "\n";
        e("300 edge types", t, "more than 255 distinct edge types");
    }
    e("carriage return inside", "source,target\nA\rX,B\n", "carriage return");
}

void nodeTableCases(Corpus& c) {
    auto n = [&](const std::string& name, const std::string& bytes, const std::string& expect) {
        c.add("nodes/" + name, "n.csv", bytes, nodeTable, expect);
    };
    n("accepted", "name,x,y,z\nA,1,2,3\nB,4,5,6\n", "");
    n("header only", "name,x,y,z\n", "n.csv:1: no rows: the node table has a header but no nodes");
    n("empty", "", "file is empty");
    n("no name column", "x,y,z\n1,2,3\n", "no name column");
    n("NUL", std::string("name,x\nA,1\0\n", 12), "binary data");
    n("short row", "name,x,y\nA,1\n", "n.csv:2: 2 fields, expected 3");
    n("unterminated quote", "name,x\n\"A,1\n", "unterminated quote");
    n("UTF-16", "\xff\xfen\0a\0", "UTF-16");
}

void graphmlCases(Corpus& c) {
    auto x = [&](const std::string& name, const std::string& body, const std::string& expect) {
        c.add("graphml/" + name, "g.graphml", body, graphml, expect);
    };
    const std::string head =
        "<?xml version=\"1.0\"?>\n<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n";
    const std::string ok = head + "<graph edgedefault=\"directed\"><node id=\"a\"/><node id=\"b\"/>"
                                  "<edge source=\"a\" target=\"b\"/></graph></graphml>\n";
    x("accepted", ok, "");
    x("empty file", "", "file is empty");
    x("empty graphml", head + "</graphml>\n", "no <graph> element");
    x("empty graph", head + "<graph edgedefault=\"directed\"></graph></graphml>", "empty graph");
    x("duplicate attribute",
      head + "<graph edgedefault=\"directed\"><node id=\"a\" id=\"b\"/></graph></graphml>",
      "duplicate attribute 'id'");
    x("edgedefault sideways", head + "<graph edgedefault=\"sideways\"><node id=\"a\"/></graph></graphml>",
      "edgedefault 'sideways'");
    x("two graphs",
      head +
          "<graph edgedefault=\"directed\"><node id=\"a\"/></graph><graph><node id=\"b\"/></graph></graphml>",
      "more than one <graph>");
    x("not graphml", "<html><body/></html>", "expected <graphml>");
    x("unclosed root", head + "<graph edgedefault=\"directed\"><node id=\"a\"/></graph>", "never closed");
    x("mismatched close", head + "<graph edgedefault=\"directed\"><node id=\"a\"></edge></graph></graphml>",
      "does not match");
    x("stray close", "</graphml>", "without an opening tag");
    x("undeclared key", head + "<graph><node id=\"a\"><data key=\"k\">1</data></node></graph></graphml>",
      "undeclared key");
    x("node without id", head + "<graph><node/></graph></graphml>", "node without an id");
    x("edge without source", head + "<graph><node id=\"a\"/><edge target=\"a\"/></graph></graphml>",
      "edge without a source");
    x("duplicate node", head + "<graph><node id=\"a\"/><node id=\"a\"/></graph></graphml>", "a");
    x("edge to unknown node",
      head + "<graph><node id=\"a\"/><edge source=\"a\" target=\"z\"/></graph></graphml>", "z");
    x("bad entity", head + "<graph><node id=\"a&bogus;\"/></graph></graphml>", "entity");
    x("int key with text",
      head + "<key id=\"w\" for=\"edge\" attr.name=\"weight\" attr.type=\"double\"/><graph><node id=\"a\"/>"
             "<edge source=\"a\" target=\"a\"><data key=\"w\">heavy</data></edge></graph></graphml>",
      "heavy");
    x("bad attr.type",
      head + "<key id=\"w\" attr.type=\"complex\"/><graph><node id=\"a\"/></graph></graphml>",
      "unknown attr.type");
    x("duplicate key id",
      head +
          "<key id=\"w\" attr.type=\"int\"/><key id=\"w\" attr.type=\"int\"/><graph><node id=\"a\"/></graph>"
          "</graphml>",
      "duplicate key id");
    x("text outside root", "junk" + ok, "text outside the root element");
    x("hyperedge", head + "<graph><node id=\"a\"/><hyperedge/></graph></graphml>",
      "hyperedges are not supported");
    x("unquoted attribute", head + "<graph><node id=a/></graph></graphml>", "is not quoted");
    x("lt in attribute", head + "<graph><node id=\"a<b\"/></graph></graphml>", "'<' inside the value");
    x("unclosed tag", head + "<graph><node id=\"a\"", "never closed");
    x("NUL", std::string("<graphml>\0</graphml>", 20), "0x00");
    x("two roots", ok + "<graphml></graphml>", "more than one root element");
}

void gmlCases(Corpus& c) {
    auto g = [&](const std::string& name, const std::string& body, const std::string& expect) {
        c.add("gml/" + name, "g.gml", body, gml, expect);
    };
    g("accepted", "graph [ directed 1 node [ id 1 ] node [ id 2 ] edge [ source 1 target 2 ] ]", "");
    g("empty file", "", "file is empty");
    g("no graph", "creator \"me\"", "no 'graph [ ... ]' list");
    g("empty graph", "graph [ directed 1 ]", "empty graph");
    g("two graphs", "graph [ node [ id 1 ] ] graph [ node [ id 2 ] ]", "more than one 'graph");
    g("unclosed list", "graph [ node [ id 1 ]", "never closed");
    g("stray close", "] graph [ ]", "unexpected ']'");
    g("node without id", "graph [ node [ label \"a\" ] ]", "node without an id");
    g("node two ids", "graph [ node [ id 1 id 2 ] ]", "node has two ids");
    g("edge without target", "graph [ node [ id 1 ] edge [ source 1 ] ]", "edge without a target");
    g("edge two sources", "graph [ node [ id 1 ] edge [ source 1 source 1 target 1 ] ]",
      "edge has two sources");
    g("directed 2", "graph [ directed 2 node [ id 1 ] ]", "directed '2' (expected 0 or 1)");
    g("directed text", "graph [ directed \"yes\" node [ id 1 ] ]", "expected 0 or 1");
    g("unterminated string", "graph [ node [ id 1 label \"abc ] ]", "never closed");
    g("malformed number", "graph [ node [ id 1x2.3.4 ] ]", "malformed number");
    g("edge to unknown", "graph [ node [ id 1 ] edge [ source 1 target 9 ] ]", "9");
    g("x not a number", "graph [ node [ id 1 x \"abc\" ] ]", "is not a number");
    g("key without value", "graph [ node [ id ] ]", "has no value");
    g("graph not a list", "graph 5", "'graph' must be followed by '['");
    g("NUL", std::string("graph [\0]", 9), "0x00");
    g("deep nesting",
      "graph [ node [ id 1 ] stuff " + std::string(100000, '[') + std::string(100000, ']') + " ]", "");
}

void trialCases(Corpus& c) {
    const std::string spikesOk = "unit,trial,time_s\n1,1,0.5\n2,2,0.25\n";
    const std::string trialsOk = "trial,condition\n1,a\n2,b\n";
    auto pair = [&](const std::string& name, const std::string& sp, const std::string& tr,
                    const std::string& expect, const std::string& blame, const std::string& ext = "csv") {
        const std::string s = "rec_spikes." + ext, t = "rec_trials." + ext;
        c.addFiles(
            "trials/" + name, {{s, sp}, {t, tr}},
            [s](const std::string& d) { return outcome(nr::readTrialData(d + "/" + s)); }, expect, blame);
    };
    pair("accepted", spikesOk, trialsOk, "", "");
    pair("unsorted accepted", "unit,trial,time_s\n1,1,0.5\n1,1,0.25\n", trialsOk, "", "");
    pair("bad trial id in trials", spikesOk, "trial,condition\n1,a\n2x,b\n",
         "rec_trials.csv:3: trial id '2x'", "rec_trials.csv");
    pair("duplicate trial", spikesOk, "trial,condition\n1,a\n1,b\n",
         "rec_trials.csv:3: trial 1 appears twice", "rec_trials.csv");
    pair("empty condition", spikesOk, "trial,condition\n1,a\n2,\n", "rec_trials.csv:3: condition missing",
         "rec_trials.csv");
    pair("trials header only", spikesOk, "trial,condition\n",
         "rec_trials.csv:1: the trials table has no rows", "rec_trials.csv");
    pair("no condition column", spikesOk, "trial,when\n1,a\n", "no condition column", "rec_trials.csv");
    pair("no trial column in spikes", "unit,time_s\n1,0.5\n", trialsOk, "no trial column", "rec_spikes.csv");
    pair("spike time text", "unit,trial,time_s\n1,1,abc\n", trialsOk, "rec_spikes.csv:2: spike time 'abc'",
         "rec_spikes.csv");
    pair("NUL in spikes", std::string("unit,trial,time_s\n1,1,0\0.5\n", 27), trialsOk, "binary data",
         "rec_spikes.csv");
    pair("NUL in trials", spikesOk, std::string("trial,condition\n1,a\0\n", 21), "binary data",
         "rec_trials.csv");
    pair("inf time", "unit,trial,time_s\n1,1,inf\n", trialsOk, "spike time is infinite", "rec_spikes.csv");
    // NPY pairs.
    const std::string spNpy = npy(dict2("'<f8'", "(2, 3)"), f8({1, 1, 0.5, 2, 2, 0.25}));
    pair("npy accepted", spNpy, npy(dict2("'<f8'", "(2, 2)"), f8({1, 7, 2, 8})), "", "", "npy");
    pair("npy NaN condition", spNpy, npy(dict2("'<f8'", "(2, 2)"), f8({1, std::nan(""), 2, 8})),
         "row 0: condition is NaN", "rec_trials.npy", "npy");
    pair("npy inf condition", spNpy, npy(dict2("'<f8'", "(2, 2)"), f8({1, 7, 2, -INFINITY})),
         "row 1: condition is infinite", "rec_trials.npy", "npy");
    pair("npy trailing bytes in trials", spNpy, npy(dict2("'<f8'", "(2, 2)"), f8({1, 7, 2, 8}) + "x"),
         "trailing bytes", "rec_trials.npy", "npy");
    pair("npy 4 columns", spNpy, npy(dict2("'<f8'", "(1, 4)"), f8({1, 7, 2, 8})), "needs 3 columns",
         "rec_trials.npy", "npy");
    pair("npy NaN trial", spNpy, npy(dict2("'<f8'", "(2, 2)"), f8({std::nan(""), 7, 2, 8})),
         "row 0: trial id is not a whole number", "rec_trials.npy", "npy");
    c.addFiles(
        "trials/missing pair names real files", {{"lone_spikes.npy", spNpy}},
        [](const std::string& d) { return outcome(nr::readTrialData(d + "/lone_spikes.npy")); },
        "expected lone_trials.npy beside lone_spikes.npy", "lone_spikes.npy");
    c.addFiles(
        "trials/unpaired name", {{"recording.csv", spikesOk}},
        [](const std::string& d) { return outcome(nr::readTrialData(d + "/recording.csv")); },
        "rename recording.csv", "recording.csv");
}

void nwbCases(Corpus& c) {
    auto w = [&](const std::string& name, NwbSpec spec, const std::string& expect, bool trials = false) {
        c.addCustom({"nwb/" + name, [spec](const std::string& d) { writeNwb(d + "/r.nwb", spec); },
                     [trials](const std::string& d) -> Outcome {
                         if (trials) return outcome(nr::readNwbTrialData(d + "/r.nwb"));
                         return outcome(nr::readNwbUnits(d + "/r.nwb"));
                     },
                     expect, expect.empty() ? "" : "r.nwb"});
    };
    w("accepted", NwbSpec{}, "");
    NwbSpec s;
    s.writeIds = false;
    w("no units/id", s, "dataset 'units/id' not found");
    s = NwbSpec{};
    s.writeIndex = false;
    w("no index", s, "units/spike_times_index' not found");
    s = NwbSpec{};
    s.index = {3, 2};
    w("index decreasing", s, "not increasing");
    s = NwbSpec{};
    s.index = {2, 9};
    w("index beyond times", s, "not increasing");
    s = NwbSpec{};
    s.index = {1, 3};
    w("index ends short", s, "ends at 3 but units/spike_times has 4 entries");
    s = NwbSpec{};
    s.times = {0.1, std::nan(""), 1.3, 2.5};
    w("NaN spike time", s, "is not a finite number");
    s = NwbSpec{};
    s.ids = {4, 4};
    w("duplicate unit id", s, "lists unit 4 twice");
    s = NwbSpec{};
    s.ids = {};
    s.index = {};
    s.times = {};
    w("empty units", s, "no spikes");
    s = NwbSpec{};
    s.index = {2};
    w("index wrong length", s, "1 entries for 2 units");
    s = NwbSpec{};
    s.timesTwoD = true;
    w("2-D spike times", s, "not one-dimensional");
    s = NwbSpec{};
    s.times = {1.2, 0.1, 2.5, 1.3};
    w("unsorted unit accepted", s, "");
    s = NwbSpec{};
    s.trials = true;
    s.condition = false;
    w("trials without condition", s, "no condition column", true);
    s = NwbSpec{};
    s.trials = true;
    s.stop = {1, 0.5};
    w("trial with empty interval", s, "empty or invalid interval", true);
    s = NwbSpec{};
    s.trials = true;
    s.stop = {1};
    w("trial stop length", s, "differ in length", true);
    c.add("nwb/not HDF5", "r.nwb", "this is not an HDF5 file", nwbUnits, "not an HDF5/NWB file");
    s = NwbSpec{};
    s.trials = true;
    s.stimulus = {"grating", "dots"};
    w("text stimulus accepted", s, "", true);
    // Found by the NWB fuzz harness: the global heap collection holding the stimulus strings zeroed after its
    // header. libhdf5 then loops inside H5Dread (H5HG_read) forever; only the reading child's wall-time
    // limit ends it. Each read must come back with the error well within the limit.
    for (const bool trials : {true, false}) {
        c.addCustom(
            {std::string("nwb/zeroed global heap (") + (trials ? "trials" : "units") + ")",
             [](const std::string& d) {
                 NwbSpec spec;
                 spec.trials = true;
                 spec.stimulus = {"grating", "dots"};
                 writeNwb(d + "/r.nwb", spec);
                 std::ifstream in(d + "/r.nwb", std::ios::binary);
                 std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
                 const size_t gcol = bytes.find("GCOL");
                 if (gcol == std::string::npos || gcol + 96 > bytes.size()) return;
                 std::fill(bytes.begin() + long(gcol) + 16, bytes.begin() + long(gcol) + 96, '\0');
                 writeFile(d + "/r.nwb", bytes);
             },
             [trials](const std::string& d) -> Outcome {
                 const std::string f = d + "/r.nwb";
                 std::ifstream in(f, std::ios::binary);
                 std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
                 if (bytes.find("GCOL") == std::string::npos)
                     return nr::Error{f, 0, "the test file has no global heap to corrupt"};
                 nr::Hdf5ChildLimits lim;
                 lim.seconds = 3;
                 nr::setHdf5ChildLimits(lim);
                 const auto t0 = std::chrono::steady_clock::now();
                 // The units table alone does not touch the strings: it must still be read.
                 Outcome o = trials ? outcome(nr::readNwbTrialData(f)) : outcome(nr::readNwbUnits(f));
                 const double s =
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                 if (s > 5) return nr::Error{f, 0, "took " + std::to_string(s) + " s for a 3 s limit"};
                 return o;
             },
             trials ? "HDF5 library did not finish reading the file within 3 s (file is probably corrupt"
                    : "",
             trials ? "r.nwb" : ""});
    }
}

void sessionCases(Corpus& c) {
    auto session = [](const std::string& p) { return outcome(nr::readSession(p)); };
    const std::string head = "{\"format\": \"neurorama-session\", \"version\": 1";
    auto s = [&](const std::string& name, const std::string& body, const std::string& expect) {
        c.addFiles(
            "session/" + name, {{"s.json", body}, {"g.txt", "a b\n"}},
            [session](const std::string& d) { return session(d + "/s.json"); }, expect,
            expect.empty() ? "" : "s.json");
    };
    const std::string camera = "\"camera\": {\"position\": [0, 0, 10], \"focalPoint\": [0, 0, 0], "
                               "\"viewUp\": [0, 1, 0], \"viewAngle\": 30}";
    s("accepted",
      head +
          ", \"files\": [\"g.txt\"], \"colorBy\": \"degree\", \"edgeFilter\": {\"minWeight\": 1, "
          "\"maxWeight\": 5, \"typeVisible\": [true, false]}, " +
          camera + ", \"later\": {}}",
      "");
    s("minimal accepted", head + "}", "");
    s("empty", "", "empty file, not a session");
    s("blank", " \n\t\n", "empty file, not a session");
    s("truncated in files", head + ", \"files\": [", "the file ends where a value should be (truncated?)");
    s("truncated in a string", head + ", \"files\": [\"g.t", "unterminated string");
    s("truncated after a value", head, "the file ends inside an object (truncated?)");
    s("truncated in camera", head + ", \"camera\": {\"position\": [0, 0", "the file ends inside an array");
    s("not an object", "[1, 2]", "a session is a JSON object, not an array");
    s("wrong format", "{\"format\": \"neurorama-graph\", \"version\": 1}", "not a Neurorama session");
    s("no format", "{\"version\": 1}", "not a Neurorama session");
    s("format number", "{\"format\": 7, \"version\": 1}", "not a Neurorama session");
    s("no version", "{\"format\": \"neurorama-session\"}", "no \"version\"");
    s("version text", "{\"format\": \"neurorama-session\", \"version\": \"1\"}",
      "\"version\" must be a number, not a string");
    s("version 3", "{\"format\": \"neurorama-session\",\n\"version\": 3}",
      "s.json:2: session version 3 is newer than this Neurorama reads (2)");
    s("version 1.5", "{\"format\": \"neurorama-session\", \"version\": 1.5}", "must be a positive integer");
    s("version leading zero", "{\"format\": \"neurorama-session\", \"version\": 01}", "expected ',' or '}'");
    s("files text", head + ", \"files\": \"g.txt\"}", "\"files\" must be an array, not a string");
    s("files entry number", head + ", \"files\": [3]}", "\"files\"[0] must be a string, not a number");
    s("files entry null", head + ", \"files\": [\"g.txt\", null]}",
      "\"files\"[1] must be a string, not null");
    // A missing file is not an error: the layer is marked and the file listed (the other layers open).
    auto listsMissing = [&](const std::string& name, const std::string& body, const std::string& listed) {
        c.addFiles(
            "session/" + name, {{"s.json", body}, {"g.txt", "a b\n"}},
            [listed](const std::string& d) -> Outcome {
                auto r = nr::readSession(d + "/s.json");
                if (!r) return r.error();
                const auto& m = r.value().missing;
                if (m.size() != 1 || m[0].find(listed) == std::string::npos || r.value().layers.size() != 1 ||
                    !r.value().layers[0].missing)
                    return nr::Error{"s.json", 0, "missing file not listed"};
                return std::nullopt;
            },
            "", "");
    };
    listsMissing("missing file is listed", head + ",\n\"files\": [\n\"gone.graphml\"]}", "gone (graph): ");
    listsMissing("missing file message", head + ", \"files\": [\"gone.graphml\"]}",
                 "gone.graphml does not exist");
    listsMissing("missing absolute file", head + ", \"files\": [\"/nonexistent/x.csv\"]}",
                 "/nonexistent/x.csv does not exist");
    s("empty file name", head + ", \"files\": [\"\"]}", "\"files\"[0] is an empty file name");
    s("folder as file", head + ", \"files\": [\".\"]}", "is a folder, not a data file");
    {
        std::string many = head + ", \"files\": [";
        for (int k = 0; k < 5000; ++k) many += std::string(k ? "," : "") + "\"g.txt\"";
        s("5000 files", many + "]}", "\"files\" lists 5000 files; at most 1000");
    }
    s("file name 10000 characters", head + ", \"files\": [\"" + std::string(10000, 'a') + "\"]}",
      "longer than 4096 characters");
    s("colorBy number", head + ", \"colorBy\": 3}", "\"colorBy\" must be a string, not a number");
    s("colorBy 1000 characters", head + ", \"colorBy\": \"" + std::string(1000, 'x') + "\"}",
      "\"colorBy\" is longer than 256 characters");
    s("edgeFilter array", head + ", \"edgeFilter\": [1, 2]}",
      "\"edgeFilter\" must be an object, not an array");
    s("edgeFilter weight text", head + ", \"edgeFilter\": {\"minWeight\": \"low\"}}",
      "\"edgeFilter\".minWeight must be a number, not a string");
    s("edgeFilter min above max", head + ", \"edgeFilter\": {\"minWeight\": 9, \"maxWeight\": 2}}",
      "minWeight 9 is above maxWeight 2");
    s("edgeFilter weight 1e999", head + ", \"edgeFilter\": {\"maxWeight\": 1e999}}", "not a finite number");
    s("edgeFilter typeVisible number", head + ", \"edgeFilter\": {\"typeVisible\": [true, 0]}}",
      "typeVisible[1] must be true or false, not a number");
    {
        std::string t = head + ", \"edgeFilter\": {\"typeVisible\": [";
        for (int k = 0; k < 300; ++k) t += std::string(k ? "," : "") + "true";
        s("edgeFilter 300 types", t + "]}}", "typeVisible has 300 entries; at most 256");
    }
    s("camera NaN",
      head + ", \"camera\": {\"position\": [NaN, 0, 1], \"focalPoint\": [0, 0, 0], \"viewUp\": [0, 1, 0]}}",
      "NaN and Infinity are not JSON numbers");
    s("camera Infinity",
      head + ", \"camera\": {\"position\": [0, 0, 1], \"focalPoint\": [0, -Infinity, 0], \"viewUp\": [0, 1, "
             "0]}}",
      "NaN and Infinity are not JSON numbers");
    s("camera 1e999",
      head + ", \"camera\": {\"position\": [0, 0, 1e999], \"focalPoint\": [0, 0, 0], \"viewUp\": [0, 1, 0]}}",
      "\"camera\".position[2] = 1e999 is out of range");
    s("camera null",
      head + ", \"camera\": {\"position\": [0, null, 1], \"focalPoint\": [0, 0, 0], \"viewUp\": [0, 1, 0]}}",
      "\"camera\".position[1] must be a number, not null");
    s("camera two numbers",
      head + ", \"camera\": {\"position\": [0, 1], \"focalPoint\": [0, 0, 0], \"viewUp\": [0, 1, 0]}}",
      "\"camera\".position must hold 3 numbers (x, y, z), not 2");
    s("camera without viewUp", head + ", \"camera\": {\"position\": [0, 0, 1], \"focalPoint\": [0, 0, 0]}}",
      "\"camera\" has no viewUp");
    s("camera zero viewUp",
      head + ", \"camera\": {\"position\": [0, 0, 1], \"focalPoint\": [0, 0, 0], \"viewUp\": [0, 0, 0]}}",
      "viewUp is the zero vector");
    s("camera at its focal point",
      head + ", \"camera\": {\"position\": [1, 2, 3], \"focalPoint\": [1, 2, 3], \"viewUp\": [0, 1, 0]}}",
      "is the focal point itself");
    s("camera 1e300 away",
      head + ", \"camera\": {\"position\": [0, 0, 1e300], \"focalPoint\": [0, 0, 0], \"viewUp\": [0, 1, 0]}}",
      "beyond 1e15");
    s("camera viewAngle 0",
      head + ", \"camera\": {\"position\": [0, 0, 1], \"focalPoint\": [0, 0, 0], \"viewUp\": [0, 1, 0], "
             "\"viewAngle\": 0}}",
      "viewAngle must be between 0 and 180 degrees, not 0");
    s("camera text", head + ", \"camera\": \"front\"}", "\"camera\" must be an object, not a string");
    s("duplicate key", head + ", \"files\": [], \"files\": []}", "key \"files\" appears twice");
    s("trailing comma", head + ",}", "expected a key in double quotes");
    s("comment", "// saved by hand\n" + head + "}", "s.json:1: invalid JSON: unexpected character");
    s("single quotes", "{'format': 'neurorama-session'}", "expected a key in double quotes");
    s("NUL in string", head + ", \"colorBy\": \"deg" + std::string(1, '\0') + "ree\"}",
      "NUL byte inside a string");
    s("control character in string", head + ", \"colorBy\": \"a\tb\"}", "control character inside a string");
    s("bad escape", head + ", \"colorBy\": \"a\\qb\"}", "unknown escape \\q");
    s("lone surrogate", head + ", \"colorBy\": \"\\ud800\"}", "unpaired surrogate");
    s("nesting bomb", head + ", \"later\": " + std::string(300, '[') + std::string(300, ']') + "}",
      "nested more than 128 levels deep");
    s("nesting accepted", head + ", \"later\": " + std::string(100, '[') + std::string(100, ']') + "}", "");
    s("text after the object", head + "} {}", "unexpected text after the JSON value");
    // Composed figures (version 2, "figures").
    const std::string v2 = "{\"format\": \"neurorama-session\", \"version\": 2,\n\"figures\": ";
    const std::string fig = "{\"name\": \"F\", \"widthMm\": 85, \"heightMm\": 60";
    s("figure accepted", v2 + "[" + fig + ", \"panels\": [{\"view\": \"raster\", \"row\": 0, \"col\": 0}]}]}",
      "");
    s("figures not an array", v2 + "{}}", "s.json:2: \"figures\" must be an array, not an object");
    s("figure without name", v2 + "[{\"widthMm\": 85, \"heightMm\": 60}]}", "has no \"name\"");
    s("figure width 0", v2 + "[{\"name\": \"F\", \"widthMm\": 0, \"heightMm\": 60}]}",
      "widthMm must be between 10 and 1000, not 0");
    s("figure grid 9", v2 + "[" + fig + ", \"rows\": 9}]}", "rows must be an integer from 1 to 8, not 9");
    s("figure font 100 pt", v2 + "[" + fig + ", \"fontPt\": 100}]}", "fontPt must be between 4 and 24");
    s("figure panel outside the grid",
      v2 + "[" + fig + ", \"panels\": [{\"view\": \"rdm\", \"row\": 0, \"col\": 0, \"colSpan\": 2}]}]}",
      "panel A (row 0, column 0, span 1 x 2) lies outside the 1 x 1 grid");
    s("figure panels overlap",
      v2 + "[" + fig +
          ", \"cols\": 2, \"panels\": [{\"view\": \"rdm\", \"row\": 0, \"col\": 0, \"colSpan\": 2}, "
          "{\"view\": \"raster\", \"row\": 0, \"col\": 1}]}]}",
      "panel B overlaps panel A at row 0, column 1");
    s("figure unknown view",
      v2 + "[" + fig + ", \"panels\": [{\"view\": \"pie\", \"row\": 0, \"col\": 0}]}]}",
      "view \"pie\" is not one of network, raster, rdm, histogram");
    s("figure layer negative",
      v2 + "[" + fig + ", \"panels\": [{\"view\": \"rdm\", \"layer\": -1, \"row\": 0, \"col\": 0}]}]}",
      "layer must be a layer id");
    s("figure camera zero viewUp",
      v2 + "[" + fig +
          ", \"panels\": [{\"view\": \"network\", \"row\": 0, \"col\": 0, \"camera\": {\"position\": [0, 0, "
          "1], "
          "\"focalPoint\": [0, 0, 0], \"viewUp\": [0, 0, 0]}}]}]}",
      "camera.viewUp is the zero vector");
    s("figure names twice", v2 + "[" + fig + "}, " + fig + "}]}", "a second figure named \"F\"");
    s("UTF-16", "\xff\xfe{\0\"\0", "UTF-16 text");
    c.addCustom({"session/300 MiB",
                 [](const std::string& d) {
                     writeFile(d + "/s.json", "{");
                     if (truncate((d + "/s.json").c_str(), off_t(300) << 20) != 0) std::abort();
                 },
                 [session](const std::string& d) { return session(d + "/s.json"); },
                 "too large for a session file (300 MiB; at most 256 MiB)", "s.json"});
    s("error line", head + ",\n\n\n  \"colorBy\": 3}", "s.json:4: \"colorBy\" must be a string");
    c.addCustom({"session/folder", [](const std::string& d) { mkdir((d + "/s.json").c_str(), 0755); },
                 [session](const std::string& d) { return session(d + "/s.json"); },
                 "is a folder, not a session file", "s.json"});
    c.addCustom({"session/missing", [](const std::string&) {},
                 [session](const std::string& d) { return session(d + "/s.json"); },
                 "cannot open the session", "s.json"});
}

// Version 2 sessions: layers of every kind with files, display, state, cameras and window.
void sessionV2Cases(Corpus& c) {
    auto session = [](const std::string& p) { return outcome(nr::readSession(p)); };
    const std::string head = "{\"format\": \"neurorama-session\", \"version\": 2";
    auto s = [&](const std::string& name, const std::string& body, const std::string& expect) {
        c.addFiles(
            "session-v2/" + name, {{"s.json", body}, {"g.txt", "a b\n"}},
            [session](const std::string& d) { return session(d + "/s.json"); }, expect,
            expect.empty() ? "" : "s.json");
    };
    const std::string layer =
        "{\"id\": 1, \"kind\": \"graph\", \"name\": \"g\", \"files\": [{\"path\": \"g.txt\"}]}";
    s("accepted",
      head + ", \"layers\": [" + layer +
          ", {\"id\": 2, \"kind\": \"spikes\", \"owner\": 1, \"display\": {\"opacity\": 0.5, \"pointSize\": "
          "2}, "
          "\"state\": {\"cursor\": 1.5}}], \"selected\": 2, \"cameras\": {\"connectome\": {\"position\": [0, "
          "0, "
          "10], \"focalPoint\": [0, 0, 0], \"viewUp\": [0, 1, 0]}}, \"window\": {\"activeTab\": "
          "\"connectome\"}}",
      "");
    s("no layers accepted", head + "}", "");
    s("version 3", "{\"format\": \"neurorama-session\",\n  \"version\": 3, \"layers\": []}",
      "s.json:2: session version 3 is newer than this Neurorama reads (2)");
    s("truncated in a layer", head + ", \"layers\": [{\"id\": 1, \"kind\": \"gr",
      "invalid JSON: unterminated string");
    s("truncated after a layer", head + ", \"layers\": [" + layer,
      "the file ends inside an array (truncated?)");
    s("layers object", head + ", \"layers\": {}}", "\"layers\" must be an array, not an object");
    s("layer number", head + ", \"layers\": [7]}", "\"layers\"[0] must be an object, not a number");
    s("id text", head + ", \"layers\": [{\"id\": \"1\", \"kind\": \"graph\"}]}",
      "\"layers\"[0].id must be a number, not a string");
    s("id zero", head + ", \"layers\": [{\"id\": 0, \"kind\": \"graph\"}]}",
      "\"layers\"[0].id must be an integer from 1 to 9007199254740992, not 0");
    s("id fraction", head + ", \"layers\": [{\"id\": 1.5, \"kind\": \"graph\"}]}", "must be an integer");
    s("id 1e300", head + ", \"layers\": [{\"id\": 1e300, \"kind\": \"graph\"}]}", "not 1e300");
    s("no id", head + ", \"layers\": [{\"kind\": \"graph\"}]}", "\"layers\"[0] has no \"id\"");
    s("duplicate id",
      head + ", \"layers\": [{\"id\": 4, \"kind\": \"graph\"},\n{\"id\": 4, \"kind\": \"spikes\"}]}",
      "s.json:2: \"layers\"[1].id 4 is used by an earlier layer too");
    s("unknown kind", head + ", \"layers\": [\n{\"id\": 1, \"kind\": \"hologram\"}]}",
      "s.json:2: \"layers\"[0].kind \"hologram\" is not a kind of layer (graph, spikes, simulation");
    s("kind number", head + ", \"layers\": [{\"id\": 1, \"kind\": 3}]}",
      "\"layers\"[0].kind must be a string, not a number");
    s("dangling owner", head + ", \"layers\": [{\"id\": 1, \"kind\": \"graph\",\n\"owner\": 9}]}",
      "s.json:2: \"layers\"[0].owner 9 is not the id of a layer of this session");
    s("owner itself", head + ", \"layers\": [{\"id\": 1, \"kind\": \"graph\", \"owner\": 1}]}",
      "\"layers\"[0].owner is the layer itself");
    s("selected dangling", head + ", \"layers\": [" + layer + "], \"selected\": 3}",
      "\"selected\" 3 is not the id of a layer");
    s("name number", head + ", \"layers\": [{\"id\": 1, \"kind\": \"graph\", \"name\": 5}]}",
      "\"layers\"[0].name must be a string, not a number");
    s("file as text", head + ", \"layers\": [{\"id\": 1, \"kind\": \"graph\", \"files\": [\"g.txt\"]}]}",
      "\"layers\"[0].files[0] must be an object, not a string");
    s("file without path", head + ", \"layers\": [{\"id\": 1, \"kind\": \"graph\", \"files\": [{}]}]}",
      "\"layers\"[0].files[0] has no \"path\"");
    s("file size negative",
      head + ", \"layers\": [{\"id\": 1, \"kind\": \"graph\", \"files\": [{\"path\": \"g.txt\", \"size\": "
             "-4}]}]}",
      "\"layers\"[0].files[0].size must be an integer from 0");
    s("file hash short",
      head + ", \"layers\": [{\"id\": 1, \"kind\": \"graph\", \"files\": [{\"path\": \"g.txt\", \"hash\": "
             "\"abc\"}]}]}",
      "hash must be 16 hexadecimal digits");
    s("option number",
      head + ", \"layers\": [{\"id\": 1, \"kind\": \"graph\", \"files\": [{\"path\": \"g.txt\", \"options\": "
             "{\"array\": 3}}]}]}",
      "\"layers\"[0].files[0].options.array must be a string, not a number");
    s("folder for a graph",
      head + ", \"layers\": [{\"id\": 1, \"kind\": \"graph\", \"files\": [{\"path\": \".\"}]}]}",
      "is a folder, not a data file");
    s("opacity 2", head + ", \"layers\": [{\"id\": 1, \"kind\": \"graph\",\n\"display\": {\"opacity\": 2}}]}",
      "s.json:2: \"layers\"[0].display.opacity must be between 0 and 1, not 2");
    s("pointSize 0",
      head + ", \"layers\": [{\"id\": 1, \"kind\": \"graph\", \"display\": {\"pointSize\": 0}}]}",
      "pointSize must be above 0 and at most 100, not 0");
    s("edgeSize 1e9",
      head + ", \"layers\": [{\"id\": 1, \"kind\": \"graph\", \"display\": {\"edgeSize\": 1e9}}]}",
      "edgeSize must be above 0 and at most 100, not 1e9");
    s("visible text",
      head + ", \"layers\": [{\"id\": 1, \"kind\": \"graph\", \"display\": {\"visible\": \"yes\"}}]}",
      "display.visible must be true or false, not a string");
    s("state array", head + ", \"layers\": [{\"id\": 1, \"kind\": \"graph\", \"state\": []}]}",
      "\"layers\"[0].state must be an object, not an array");
    s("camera viewAngle 180",
      head + ", \"cameras\": {\"vessels\": {\"position\": [0, 0, 1], \"focalPoint\": [0, 0, 0], \"viewUp\": "
             "[0, 1, "
             "0], \"viewAngle\": 180}}}",
      "\"cameras\".vessels.viewAngle must be between 0 and 180 degrees, not 180");
    s("camera 1e999",
      head + ", \"cameras\": {\"neurons\": {\"position\": [0, 0, 1e999], \"focalPoint\": [0, 0, 0], "
             "\"viewUp\": [0, "
             "1, 0]}}}",
      "\"cameras\".neurons.position[2] = 1e999 is out of range");
    s("window text", head + ", \"window\": \"big\"}", "\"window\" must be an object, not a string");
    {
        std::string many = head + ", \"layers\": [";
        for (int k = 0; k < 1001; ++k)
            many +=
                std::string(k ? "," : "") + "{\"id\": " + std::to_string(k + 1) + ", \"kind\": \"graph\"}";
        s("1001 layers", many + "]}", "\"layers\" lists 1001 layers; at most 1000");
    }
    {
        std::string many = head + ", \"layers\": [{\"id\": 1, \"kind\": \"graph\", \"files\": [";
        for (int k = 0; k < 1001; ++k) many += std::string(k ? "," : "") + "{\"path\": \"g.txt\"}";
        s("1001 files in a layer", many + "]}]}", "\"layers\"[0].files lists 1001 files; at most 1000");
    }
    // 20 million values fit in 40 MB of text but would take gigabytes as JSON values.
    c.addCustom({"session-v2/20 million values",
                 [head](const std::string& d) {
                     std::string t =
                         head + ", \"layers\": [{\"id\": 1, \"kind\": \"graph\", \"state\": {\"x\": [0";
                     t.reserve(size_t(41) << 20);
                     for (int k = 0; k < 20000000; ++k) t += ",0";
                     writeFile(d + "/s.json", t + "]}}]}");
                 },
                 [session](const std::string& d) { return session(d + "/s.json"); },
                 "values (too many to hold in memory)", "s.json"});
    // Missing files: listed, the layer marked, the other layers intact.
    c.addFiles(
        "session-v2/missing file is listed",
        {{"s.json", head + ", \"layers\": [" + layer +
                        ", {\"id\": 2, \"kind\": \"traces\", \"name\": \"t\", \"files\": [{\"path\": "
                        "\"gone.csv\"}]}]}"},
         {"g.txt", "a b\n"}},
        [](const std::string& d) -> Outcome {
            auto r = nr::readSession(d + "/s.json");
            if (!r) return r.error();
            const auto& v = r.value();
            if (v.layers.size() != 2 || v.layers[0].missing || !v.layers[1].missing ||
                v.missing.size() != 1 || v.missing[0] != "t (traces): " + d + "/gone.csv does not exist")
                return nr::Error{"s.json", 0, "missing file not listed"};
            return std::nullopt;
        },
        "", "");
    // A file whose fingerprint differs: a warning, not an error.
    c.addFiles(
        "session-v2/changed file is listed",
        {{"s.json", head +
                        ", \"layers\": [{\"id\": 1, \"kind\": \"graph\", \"files\": [{\"path\": \"g.txt\", "
                        "\"size\": 3, \"hash\": \"0000000000000000\"}]}]}"},
         {"g.txt", "a b\n"}},
        [](const std::string& d) -> Outcome {
            auto r = nr::readSession(d + "/s.json");
            if (!r) return r.error();
            const auto& ch = r.value().changed;
            if (ch.size() != 1 || ch[0] != d + "/g.txt changed since the session was saved (size 3 → 4)")
                return nr::Error{"s.json", 0, "changed file not listed"};
            return std::nullopt;
        },
        "", "");
}

void commandCases(Corpus& c) {
    auto sim = [&](const std::string& name, std::vector<std::string> args, const std::string& expect) {
        c.addCustom({"simulate/" + name, [](const std::string&) {},
                     [args](const std::string&) { return simulate(args); }, expect, ""});
    };
    sim("dt 1e-300", {"coba", "--neurons", "100", "--dt", "1e-300"}, "more than the limit of 1e9");
    sim("dt 1e-9", {"coba", "--neurons", "100", "--dt", "1e-9"}, "raise --dt or lower --seconds");
    sim("seconds 1e12", {"coba", "--neurons", "100", "--seconds", "1e12"}, "more than the limit of 1e9");
    sim("seed too large", {"coba", "--seed", "99999999999999999999999"}, "out of range");
    sim("seed negative", {"coba", "--seed", "-4"}, "--seed needs a non-negative integer");
    sim("demo with 10 neurons", {"demo", "--neurons", "10"}, "the demo column needs between 200");
    sim("unknown model", {"unknown_model"}, "the models are coba, brunel, attractor, demo");
    sim("seconds negative", {"coba", "--seconds", "-1"}, "--seconds needs a positive number");
    sim("dt text", {"coba", "--dt", "fast"}, "--dt needs a positive number");
    sim("neurons zero", {"coba", "--neurons", "0"}, "--neurons needs a positive integer");
    sim("neurons huge", {"coba", "--neurons", "99999999999999999999"}, "out of range");
    sim("short run accepted", {"coba", "--neurons", "200", "--seconds", "0.05"}, "");
    sim("engine unknown", {"coba", "--engine", "nest"}, "--engine needs 'embedded' or 'neuron'");
    sim("ranks without neuron", {"coba", "--ranks", "2"}, "--ranks and --hostfile need --engine neuron");
    sim("ranks zero", {"coba", "--engine", "neuron", "--ranks", "0"}, "--ranks needs 1 to 4096");
    sim("hostfile missing", {"coba", "--engine", "neuron", "--hostfile", "/nonexistent/hosts"},
        "the hostfile does not exist");
    sim("ei embedded", {"ei"}, "needs --engine neuron");
}

// NEURON stream bytes (docs/NEURON_STREAM.md) as a connection delivers them, read from a file.
Outcome streamBytes(const std::string& p) {
    std::ifstream f(p, std::ios::binary);
    const std::string b((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    nr::StreamParser parser;
    std::vector<nr::StreamFrame> frames;
    if (!parser.feed(reinterpret_cast<const uint8_t*>(b.data()), b.size(), frames))
        return nr::Error{p, 0, parser.error()};
    if (parser.pending() > 0) return nr::Error{p, 0, "truncated frame"};
    return std::nullopt;
}

void streamCases(Corpus& c) {
    auto head = [](uint8_t type, uint32_t len) {
        std::string h = "NR";
        h.push_back(char(1));
        h.push_back(char(type));
        h.append(reinterpret_cast<const char*>(&len), 4);
        return h;
    };
    std::string spikesHead; // rank 0, seq 1, 0..10 ms, 0 dropped, then the count
    const uint32_t rank = 0;
    const uint64_t seq = 1, dropped = 0;
    const double t0 = 0, t1 = 10;
    spikesHead.append(reinterpret_cast<const char*>(&rank), 4);
    spikesHead.append(reinterpret_cast<const char*>(&seq), 8);
    spikesHead.append(reinterpret_cast<const char*>(&t0), 8);
    spikesHead.append(reinterpret_cast<const char*>(&t1), 8);
    spikesHead.append(reinterpret_cast<const char*>(&dropped), 8);
    auto count = [](uint32_t n) { return std::string(reinterpret_cast<const char*>(&n), 4); };
    c.add("stream/empty", "s.bin", "", streamBytes, "");
    c.add("stream/bad magic", "s.bin", "HTTP/1.1 200 OK\r\n", streamBytes, "no \"NR\" magic");
    c.add("stream/4 GiB length", "s.bin", head(2, 0xffffffffu), streamBytes, "more than the limit");
    c.add("stream/truncated header", "s.bin", "NR\x01", streamBytes, "truncated frame");
    c.add("stream/truncated payload", "s.bin", head(2, 100) + std::string(40, '\0'), streamBytes,
          "truncated frame");
    c.add("stream/count over limit", "s.bin", head(2, 40) + spikesHead + count(0xffffffffu), streamBytes,
          "more than the limit of 1048576");
    c.add("stream/count mismatch", "s.bin",
          head(2, 40 + 12) + spikesHead + count(1000) + std::string(12, '\0'), streamBytes,
          "says 1000 spikes");
    c.add("stream/unknown type", "s.bin", head(77, 0), streamBytes, "unknown frame type 77");
    c.add("stream/version 9", "s.bin", "NR\x09\x01" + std::string(4, '\0'), streamBytes,
          "protocol version 9");
}

void analysisCases(Corpus& c) {
    // One spike at t = 1e15 s: sparse Fano windows, instant and tiny.
    c.addCustom({"firing_stats/spike at 1e15 s",
                 [](const std::string& d) { writeFile(d + "/far.csv", "unit,time_s\n1,1e15\n2,3\n"); },
                 [](const std::string& d) -> Outcome {
                     auto st = nr::readSpikesCsv(d + "/far.csv");
                     if (!st) return st.error();
                     auto r = nr::firingStats(st.value(), 1.0, d + "/far.csv");
                     if (!r) return r.error();
                     if (r.value().size() != 2 || !(r.value()[0].rateHz > 0))
                         return nr::Error{"far.csv", 0, "wrong stats"};
                     return std::nullopt;
                 },
                 "", ""});
    c.addCustom({"firing_stats/zero window", [](const std::string&) {},
                 [](const std::string&) -> Outcome {
                     nr::SpikeTrains st;
                     st.unitIds = {1};
                     st.add(0.5, 0);
                     auto r = nr::firingStats(st, 0.0, "w.csv");
                     return r ? Outcome{} : Outcome{r.error()};
                 },
                 "the Fano window must be positive", "w.csv"});
    // Shesha on 20,000 conditions: refused from the estimate, before the quadratic allocation.
    c.addCustom({"shesha/20000 conditions", [](const std::string&) {},
                 [](const std::string&) -> Outcome {
                     nr::TrialData d;
                     d.spikesSource = "many_spikes.csv";
                     d.trialsSource = "many_trials.csv";
                     for (int k = 0; k < 40000; ++k) d.addTrial(k, std::to_string(k / 2));
                     for (int k = 0; k < 40000; ++k)
                         for (int u = 0; u < 4; ++u)
                             if ((k + u) % 3) d.addSpike(u, k, 0.01 * double(u + 1));
                     auto tc = nr::countSpikes(d, 0, 1);
                     if (!tc) return tc.error();
                     nr::SheshaOptions o;
                     o.threads = 2;
                     auto r = nr::shesha(tc.value(), o);
                     return r ? Outcome{} : Outcome{r.error()};
                 },
                 "memory grows with their square", "many_spikes.csv"});
    c.addCustom({"shesha/constant condition", [](const std::string&) {},
                 [](const std::string&) -> Outcome {
                     nr::TrialData d;
                     d.spikesSource = "c_spikes.csv";
                     d.trialsSource = "c_trials.csv";
                     for (int k = 0; k < 12; ++k) d.addTrial(k, std::to_string(k % 3));
                     for (int k = 0; k < 12; ++k)
                         for (int u = 0; u < 5; ++u)
                             if (k % 3 != 0) d.addSpike(u, k, 0.01 * double(u + k));
                     auto tc = nr::countSpikes(d, 0, 1);
                     if (!tc) return tc.error();
                     auto r = nr::shesha(tc.value(), nr::SheshaOptions{});
                     return r ? Outcome{} : Outcome{r.error()};
                 },
                 "condition '0' has the same response in every unit", "c_spikes.csv"});
}

// Vessel graphs, SWC, activity traces, NWB units and the trace analyses: non-finite values, overflowing sums,
// arrays that cannot be neurons x time, lying NWB indexes, partner files that are not files, duplicate
// columns, and a correlation matrix too large for memory.
Outcome openAny(const std::string& p, const std::vector<std::string>& others = {}) {
    auto d = nr::ReaderRegistry::builtin().open(p, others);
    return d ? Outcome{} : Outcome{d.error()};
}

// `neurorama analyze ARGS`; the error is its last line of stderr, "FILE[:LINE]: reason".
Outcome analyze(const std::vector<std::string>& args) {
    std::ostringstream out, err;
    if (nr::runAnalyzeCommand(args, out, err) == 0) return std::nullopt;
    std::string text = err.str();
    while (!text.empty() && text.back() == '\n') text.pop_back();
    const size_t nl = text.find_last_of('\n');
    const std::string last = nl == std::string::npos ? text : text.substr(nl + 1);
    const size_t slash = last.find_last_of('/');
    const size_t colon = last.find(':', slash == std::string::npos ? 0 : slash);
    if (colon == std::string::npos) return nr::Error{"analyze", 0, last};
    return nr::Error{last.substr(0, colon), 0, last.substr(colon + 1)};
}

void writeHdf5Matrix(const std::string& path, const char* name, hsize_t d0, hsize_t d1, int rank = 2) {
    hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    const hsize_t dims[2] = {d0, d1};
    hid_t sp = H5Screate_simple(rank, dims, nullptr);
    hid_t ds = H5Dcreate2(file, name, H5T_NATIVE_DOUBLE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    std::vector<double> v(size_t(d0 * (rank == 2 ? d1 : 1)));
    for (size_t i = 0; i < v.size(); ++i) v[i] = std::sin(0.37 * double(i));
    if (!v.empty()) H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
    H5Dclose(ds);
    H5Sclose(sp);
    H5Fclose(file);
}

const char* const kSecombHead = "Network\n100 100 100 box size\n10 10 10 tissue grid\n50 outer bound\n"
                                "10 max segment length\n30 max segments per node\n";

std::string secomb(const std::string& segmentRow, const std::string& node1 = "1 0 0 0") {
    return std::string(kSecombHead) + "2 total number of segments\nname type from to diam flow hd\n" +
           segmentRow + "\n2 3 1 2 5 1 0.4\n2 number of nodes\nname x y z\n" + node1 +
           "\n2 10 0 0\n0 number of boundary nodes\n";
}

void tableCases(Corpus& c) {
    // ---- infinity and overflow in vessel graphs and SWC ----
    auto dat = [&](const std::string& name, const std::string& bytes, const std::string& expect) {
        c.add(
            "secomb/" + name, "network.dat", bytes, [](const std::string& p) { return openAny(p); }, expect);
    };
    dat("accepted", secomb("1 3 1 2 5 1 0.4"), "");
    dat("diam inf", secomb("1 3 1 2 inf 1 0.4"), "network.dat:9: segment diameter is not a finite number");
    dat("diam 1e300 (beyond float)", secomb("1 3 1 2 1e300 1 0.4"),
        "network.dat:9: segment diameter is not a finite number");
    dat("flow -inf", secomb("1 3 1 2 5 -inf 0.4"), "network.dat:9: segment flow is not a finite number");
    dat("hd inf", secomb("1 3 1 2 5 1 inf"),
        "network.dat:9: segment haematocrit (hd) is not a finite number");
    dat("node x 1e39", secomb("1 3 1 2 5 1 0.4", "1 1e39 0 0"),
        "network.dat:13: node position is not a finite number");

    const std::string nodes = "id;pos_x;pos_y;pos_z\n0;0;0;0\n1;10;0;0\n2;0;10;0\n";
    auto pair = [&](const std::string& name, const std::string& n, const std::string& e,
                    const std::string& expect, const std::string& blame) {
        c.addFiles(
            "vesselgraph/" + name, {{"example_nodes.csv", n}, {"example_edges.csv", e}},
            [](const std::string& d) { return openAny(d + "/example_nodes.csv"); }, expect, blame);
    };
    pair("accepted", nodes, "id;node1id;node2id;avgRadiusAvg\n0;0;1;2.5\n1;1;2;3\n", "", "");
    pair("avgRadiusAvg inf", nodes, "id;node1id;node2id;avgRadiusAvg\n0;0;1;2.5\n1;1;2;inf\n",
         "example_edges.csv:3: column avgRadiusAvg: 'inf' is not a finite number", "example_edges.csv");
    pair("length 1e40 (beyond float)", nodes, "id;node1id;node2id;length\n0;0;1;1e40\n1;1;2;3\n",
         "example_edges.csv:2: column length: '1e40' is not a finite number", "example_edges.csv");
    pair("pos_x -inf", "id;pos_x;pos_y;pos_z\n0;0;0;0\n1;-inf;0;0\n2;0;10;0\n",
         "id;node1id;node2id\n0;0;1\n1;1;2\n",
         "example_nodes.csv:3: column pos_x: position is not finite ('-inf')", "example_nodes.csv");
    pair("pos_y 1e39", "id;pos_x;pos_y;pos_z\n0;0;0;0\n1;0;1e39;0\n2;0;10;0\n", "id;node1id;node2id\n0;0;1\n",
         "example_nodes.csv:3: column pos_y: position is not finite ('1e39')", "example_nodes.csv");
    // Positions 1e30 apart are finite floats, but squared they overflow float: the stats must not say inf.
    c.addFiles(
        "vessel_stats/far-apart nodes (length overflow)",
        {{"far_nodes.csv", "id,x,y,z,radius\n0,-3e38,0,0,1\n1,3e38,0,0,1\n2,3e38,3e38,3e38,1\n"},
         {"far_edges.csv", "source,target\n0,1\n1,2\n2,0\n"}},
        [](const std::string& d) {
            return analyze({"vessel_stats", "--input", d + "/far_nodes.csv"});
        },
        "vessel_stats: total_length overflows", "far_nodes.csv");
    // Duplicate columns in vessel tables.
    pair("duplicate pos_x", "id;pos_x;pos_x;pos_y;pos_z\n0;0;0;0;0\n1;1;1;1;1\n",
         "id;node1id;node2id\n0;0;1\n",
         "example_nodes.csv:1: column 'pos_x' appears twice in the header (fields 2 and 3)",
         "example_nodes.csv");
    pair("duplicate node1id", nodes, "id;node1id;node1id;node2id\n0;0;0;1\n",
         "example_edges.csv:1: column 'node1id' appears twice in the header (fields 2 and 3)",
         "example_edges.csv");
    c.addFiles(
        "spatialgraph/duplicate source",
        {{"g_nodes.csv", "id,x,y,z\nA,0,0,0\nB,1,0,0\n"}, {"g_edges.csv", "source,source,target\nA,A,B\n"}},
        [](const std::string& d) { return openAny(d + "/g_nodes.csv"); },
        "g_edges.csv:1: column 'source' appears twice in the header", "g_edges.csv");

    const std::string vtkHead =
        "# vtk DataFile Version 3.0\nv\nASCII\nDATASET POLYDATA\nPOINTS 2 float\n0 0 0 1 0 0\n";
    auto vtk = [&](const std::string& name, const std::string& rest, const std::string& expect) {
        c.add(
            "vtk/" + name, "g.vtk", vtkHead + rest, [](const std::string& p) { return openAny(p); }, expect);
    };
    vtk("accepted", "LINES 1 3\n2 0 1\nCELL_DATA 1\nSCALARS radius float 1\nLOOKUP_TABLE default\n2\n", "");
    vtk("radius inf", "LINES 1 3\n2 0 1\nCELL_DATA 1\nSCALARS radius float 1\nLOOKUP_TABLE default\ninf\n",
        "cell 0 of radius is not a finite number");
    vtk("pressure 1e300",
        "LINES 1 3\n2 0 1\nPOINT_DATA 2\nSCALARS p double 1\nLOOKUP_TABLE default\n1 1e300\n",
        "point 1 of p is not a finite number");
    vtk("line point count 1e30", "LINES 1 3\n1e30 0 1\n", "line cell 0 has a bad point count");
    vtk("line point count nan", "LINES 1 3\nnan 0 1\n", "line cell 0 has a bad point count");
    vtk("line names point 1e300", "LINES 1 3\n2 0 1e300\n", "names point 1e+300, which is not among the 2");

    auto swc = [&](const std::string& name, const std::string& bytes, const std::string& expect) {
        c.add(
            "swc/" + name, "cell.swc", bytes, [](const std::string& p) { return outcome(nr::readSwc(p)); },
            expect);
    };
    swc("accepted", "1 1 0 0 0 1 -1\n2 3 10 0 0 1 1\n", "");
    swc("x 1e308", "1 1 0 0 0 1 -1\n2 3 1e308 0 0 1 1\n3 3 -1e308 0 0 1 2\n",
        "cell.swc:2: x '1e308' is out of range");
    swc("radius 1e60", "1 1 0 0 0 1e60 -1\n", "cell.swc:1: radius '1e60' is out of range");
    swc("z inf", "1 1 0 0 inf 1 -1\n", "cell.swc:1: z 'inf' is not a number");

    // ---- a VesselGraph partner that is not a file: the partner is blamed, by what it is ----
    auto partner = [&](const std::string& name, std::function<void(const std::string&)> makeEdges,
                       const std::string& expect) {
        c.addCustom({"vesselgraph/edge file is " + name,
                     [makeEdges, nodes](const std::string& d) {
                         writeFile(d + "/example_nodes.csv", nodes);
                         makeEdges(d + "/example_edges.csv");
                     },
                     [](const std::string& d) { return openAny(d + "/example_nodes.csv"); }, expect,
                     "example_edges.csv"});
    };
    partner(
        "a folder", [](const std::string& p) { mkdir(p.c_str(), 0755); }, "is a folder, not a");
    partner(
        "a FIFO", [](const std::string& p) { mkfifo(p.c_str(), 0600); }, "is a FIFO (named pipe), not a");
    partner(
        "/dev/zero", [](const std::string& p) { (void)symlink("/dev/zero", p.c_str()); },
        "is a character device, not a");
    partner(
        "a symlink loop", [](const std::string& p) { (void)symlink(p.c_str(), p.c_str()); },
        "is a loop of symbolic links, not a");
    c.addCustom({"vesselgraph/edge file is a FIFO, both named",
                 [nodes](const std::string& d) {
                     writeFile(d + "/example_nodes.csv", nodes);
                     mkfifo((d + "/example_edges.csv").c_str(), 0600);
                 },
                 [](const std::string& d) {
                     return outcome(
                         nr::readVesselCsvPair(d + "/example_nodes.csv", d + "/example_edges.csv"));
                 },
                 "is a FIFO (named pipe), not a", "example_edges.csv"});

    // ---- trace arrays that cannot be neurons x time ----
    // t.npy cases run the NPY parser, w.csv the wide and l.csv the long CSV parser.
    auto tr = [&](const std::string& name, const std::string& file, const std::string& bytes,
                  const std::string& expect) {
        std::function<Outcome(const std::string&)> read = [](const std::string& p) {
            return outcome(nr::readTracesWideCsv(p));
        };
        if (file == "t.npy") read = [](const std::string& p) { return outcome(nr::readTracesNpy(p)); };
        if (file == "l.csv") read = [](const std::string& p) { return outcome(nr::readTracesLongCsv(p)); };
        c.add("traces/" + name, file, bytes, read, expect);
    };
    std::string d130;
    for (int i = 0; i < 130; ++i) d130 += f8({std::sin(0.1 * i)});
    tr("npy (2, 3) accepted", "t.npy", npy(dict2("'<f8'", "(3, 2)"), f8({1, 2, 3, 1, 2, 4})), "");
    tr("npy shape (0, 0)", "t.npy", npy(dict2("'<f8'", "(0, 0)"), ""), "t.npy: NPY traces array is 0 x 0");
    tr("npy 1-D", "t.npy", npy(dict2("'<f8'", "(130,)"), d130),
       "t.npy: NPY traces array is 1-D (130 values)");
    tr("npy 1 x 130", "t.npy", npy(dict2("'<f8'", "(1, 130)"), d130), "t.npy: NPY traces array is 1 x 130");
    tr("npy 130 x 1", "t.npy", npy(dict2("'<f8'", "(130, 1)"), d130), "t.npy: NPY traces array is 130 x 1");
    tr("csv one neuron", "w.csv", "time,A\n0,1\n1,2\n2,3\n",
       "w.csv: the table has 1 neuron(s) x 3 time point(s); traces need at least 2");
    tr("csv one time point", "w.csv", "time,A,B\n0,1,2\n",
       "w.csv: the table has 2 neuron(s) x 1 time point(s)");
    tr("long csv one neuron", "l.csv", "neuron,time,value\nA,0,1\nA,1,2\n",
       "l.csv: the table has 1 neuron(s)");
    tr("csv duplicate time column", "w.csv", "time,A,B,time\n0,1,2,0\n1,2,3,1\n",
       "w.csv:1: column 'time' appears twice in the header (fields 1 and 4)");
    tr("csv duplicate behaviour column", "w.csv", "time,A,B,velocity,velocity\n0,1,2,0,0\n1,2,3,1,1\n",
       "w.csv:1: column 'velocity' appears twice in the header (fields 4 and 5)");
    tr("long csv duplicate column", "l.csv", "neuron,time,time\nA,0,1\n",
       "l.csv:1: column 'time' appears twice in the header (fields 2 and 3)");
    auto h5 = [&](const std::string& name, hsize_t d0, hsize_t d1, int rank, const std::string& expect) {
        c.addCustom({"traces/" + name,
                     [=](const std::string& d) { writeHdf5Matrix(d + "/t.h5", "traces", d0, d1, rank); },
                     [](const std::string& d) { return outcome(nr::openTraces(d + "/t.h5")); }, expect,
                     expect.empty() ? "" : "t.h5"});
    };
    h5("hdf5 (40, 5) accepted", 40, 5, 2, "");
    h5("hdf5 shape (0, 0)", 0, 0, 2, "'/traces' is 0 x 0; traces are neurons x time with at least 2 of each");
    h5("hdf5 1 x 130", 1, 130, 2, "'/traces' is 1 x 130; traces are neurons x time");
    h5("hdf5 130 x 1", 130, 1, 2, "'/traces' is 130 x 1; traces are neurons x time");

    // ---- analyses with no finite value, and a matrix beyond memory ----
    auto fc = [&](const std::string& name, const std::string& bytes, std::vector<std::string> extra,
                  const std::string& expect) {
        c.addCustom({"functional_connectivity/" + name,
                     [bytes](const std::string& d) { writeFile(d + "/w.csv", bytes); },
                     [extra](const std::string& d) {
                         std::vector<std::string> args = {extra[0], "--input", d + "/w.csv"};
                         args.insert(args.end(), extra.begin() + 1, extra.end());
                         return analyze(args);
                     },
                     expect, expect.empty() ? "" : "w.csv"});
    };
    fc("accepted", "time,A,B,C\n0,1,2,1\n1,2,1,3\n2,3,3,2\n3,1,2,4\n", {"functional_connectivity"}, "");
    fc("all NaN", "time,A,B,C\n0,,,\n1,,,\n2,,,\n3,,,\n", {"functional_connectivity"},
       "no pair of neurons has a finite correlation");
    fc("all constant", "time,A,B\n0,1,1\n1,1,1\n2,1,1\n3,1,1\n", {"functional_connectivity"},
       "no pair of neurons has a finite correlation");
    fc("dynamic communities all NaN", "time,A,B,C\n0,,,\n1,,,\n2,,,\n3,,,\n4,,,\n5,,,\n",
       {"dynamic_communities", "--param", "window=3", "--param", "step=1"},
       "no pair of neurons has a finite correlation in any window");
    {
        // 100,000 neurons: 5e9 pairs, refused from the estimate before anything n x n is allocated.
        std::string wide = "time";
        for (int i = 0; i < 100000; ++i) wide += ",n" + std::to_string(i);
        wide += "\n";
        for (int k = 0; k < 4; ++k) {
            wide += std::to_string(k);
            for (int i = 0; i < 100000; ++i) wide += (i + k) % 3 ? ",1" : ",2";
            wide += "\n";
        }
        const std::string what = "of 100000 neurons (4999950000 pairs) needs about";
        fc("100000 neurons", wide, {"functional_connectivity"}, "functional_connectivity " + what);
        fc("100000 neurons, windows", wide,
           {"functional_connectivity", "--param", "window=2", "--param", "step=1"}, what);
        fc("100000 neurons, dynamic communities", wide,
           {"dynamic_communities", "--param", "window=2", "--param", "step=1"}, what);
        fc("100000 neurons, ntf", wide, {"ntf", "--param", "window=2", "--param", "step=1"}, what);
    }

    // ---- fisbe_eval: ground truth and prediction that do not fit together ----
    {
        auto nrrd = [](const std::string& sizes, const std::string& data) {
            return "NRRD0004\ntype: uint8\ndimension: 3\nsizes: " + sizes + "\nencoding: raw\n\n" + data;
        };
        std::string bar(512, '\0'); // 8x8x8 with a bar along x
        for (int x = 1; x < 7; ++x) bar[size_t((4 * 8 + 4) * 8 + x)] = 1;
        const std::string gt = nrrd("8 8 8", bar);
        auto fe = [&](const std::string& name, const std::string& gtBytes, const std::string& predFile,
                      const std::string& predBytes, const std::string& expect, const std::string& blame) {
            c.addCustom({"fisbe_eval/" + name,
                         [=](const std::string& d) {
                             writeFile(d + "/g.nrrd", gtBytes);
                             if (!predBytes.empty()) writeFile(d + "/" + predFile, predBytes);
                         },
                         [predFile](const std::string& d) {
                             std::vector<std::string> args = {"fisbe_eval", "--input", d + "/g.nrrd"};
                             if (!predFile.empty()) {
                                 args.push_back("--param");
                                 args.push_back("pred=" + d + "/" + predFile);
                             }
                             args.insert(args.end(), {"--param", "min_size=0"});
                             return analyze(args);
                         },
                         expect, blame});
        };
        fe("accepted", gt, "p.nrrd", gt, "", "");
        fe("shapes differ", gt, "p.nrrd", nrrd("4 3 2", std::string(24, '\1')),
           "differs from the ground truth's 8x8x8", "p.nrrd");
        fe("empty ground truth", nrrd("8 8 8", std::string(512, '\0')), "p.nrrd", gt,
           "the ground truth has no instances", "g.nrrd");
        fe("no prediction given", gt, "", "", "fisbe_eval needs the prediction", "g.nrrd");
        fe("prediction missing", gt, "none.nrrd", "", "cannot open", "none.nrrd");
        fe("absurd prediction size", gt, "p.nrrd", nrrd("100000 100000 100000", std::string(24, '\1')),
           "the header needs 1000000000000000 bytes", "p.nrrd");
    }

    // ---- NWB units: negative or decreasing indexes, integer spike times ----
    auto w = [&](const std::string& name, NwbSpec spec, const std::string& expect) {
        c.addCustom({"nwb/" + name, [spec](const std::string& d) { writeNwb(d + "/r.nwb", spec); },
                     [](const std::string& d) { return outcome(nr::readNwbUnits(d + "/r.nwb")); }, expect,
                     expect.empty() ? "" : "r.nwb"});
    };
    NwbSpec s;
    s.signedIndex = {2, 4};
    w("int64 index accepted", s, "");
    s.signedIndex = {-2, 4};
    w("negative index", s, "units/spike_times_index entry 0 is negative (-2)");
    s.signedIndex = {3, -1};
    w("negative index after a positive one", s, "units/spike_times_index entry 1 is negative (-1)");
    s = NwbSpec{};
    s.int8Times = {0, 0, 0, 0};
    w("int8 spike times", s, "'units/spike_times' holds integers; it must hold floating-point seconds");
}

// Anything that is not a regular file where a data file is expected: refused by name before it is opened
// (a FIFO blocks open() until a writer comes; /dev/zero never ends), whatever the extension claims.
void nonRegularCases(Corpus& c) {
    auto open = [](const std::string& p) -> Outcome {
        auto d = nr::ReaderRegistry::builtin().open(p);
        return d ? Outcome{} : Outcome{d.error()};
    };
    for (const char* ext : {"swc", "dat", "vtk", "csv", "tsv", "npy", "nwb", "nrrd", "nhdr", "tif", "hdf",
                            "h5", "gml", "graphml", "zarr", "json"}) {
        const std::string name = std::string("x.") + ext;
        c.addCustom({"non-regular/FIFO " + name,
                     [name](const std::string& d) { mkfifo((d + "/" + name).c_str(), 0600); },
                     [name, open](const std::string& d) { return open(d + "/" + name); },
                     "is a FIFO (named pipe), not a file", name});
    }
    c.addCustom({"non-regular//dev/zero as x.nrrd",
                 [](const std::string& d) { (void)symlink("/dev/zero", (d + "/x.nrrd").c_str()); },
                 [open](const std::string& d) { return open(d + "/x.nrrd"); }, "is a character device",
                 "x.nrrd"});
    c.addCustom({"non-regular/symlink loop x.csv",
                 [](const std::string& d) { (void)symlink((d + "/x.csv").c_str(), (d + "/x.csv").c_str()); },
                 [open](const std::string& d) { return open(d + "/x.csv"); }, "loop of symbolic links",
                 "x.csv"});
    c.addCustom({"non-regular/edge list with a FIFO as its node table",
                 [](const std::string& d) {
                     writeFile(d + "/g.csv", "source,target\nA,B\n");
                     mkfifo((d + "/n.csv").c_str(), 0600);
                 },
                 [](const std::string& d) -> Outcome {
                     auto r = nr::ReaderRegistry::builtin().open(d + "/g.csv", {d + "/n.csv"});
                     return r ? Outcome{} : Outcome{r.error()};
                 },
                 "is a FIFO (named pipe), not a file", "n.csv"});
}

// ---- label volumes: NRRD, Zarr, HDF5, TIFF --------------------------------------------------------------
std::string le32(uint32_t v) {
    return bytesOf<uint32_t>({v});
}

// A gzip or zlib stream of `data` in one stored (uncompressed) deflate block, with a correct trailer.
std::string storedStream(const std::string& data, bool gzip) {
    std::string out =
        gzip ? std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10) : std::string("\x78\x01", 2);
    const uint16_t len = uint16_t(data.size()), nlen = uint16_t(~len);
    out += '\x01';
    out += bytesOf<uint16_t>({len}) + bytesOf<uint16_t>({nlen}) + data;
    const auto* b = reinterpret_cast<const Bytef*>(data.data());
    if (gzip)
        out += le32(uint32_t(crc32(0, b, uInt(data.size())))) + le32(uint32_t(data.size()));
    else {
        const uint32_t a = uint32_t(adler32(1, b, uInt(data.size())));
        out += std::string{char(a >> 24), char(a >> 16), char(a >> 8), char(a)};
    }
    return out;
}

// A little-endian 8-bit TIFF of `pages` pages of w x h, one uncompressed strip per page. `byteCount` replaces
// the true StripByteCounts when non-zero-sentinel; `loopTo0` points the last page's next IFD at the first.
std::string tiffBytes(uint32_t w, uint32_t h, int pages, int64_t byteCount, bool loopTo0) {
    std::string out = "II*";
    out += '\0';
    out += le32(8);
    uint32_t firstIfd = 0;
    for (int pg = 0; pg < pages; ++pg) {
        const uint32_t dataAt = uint32_t(out.size());
        out += std::string(size_t(w) * h, char(pg + 1));
        while (out.size() % 2) out += '\0';
        const uint32_t ifdAt = uint32_t(out.size());
        if (pg == 0) {
            firstIfd = ifdAt;
            out.replace(4, 4, le32(ifdAt));
        } else // previous page's next-IFD field is its last 4 bytes before this page's data
            out.replace(size_t(dataAt) - 4, 4, le32(ifdAt));
        auto entry = [&](uint16_t tag, uint16_t type, uint32_t value) {
            out += bytesOf<uint16_t>({tag, type}) + le32(1) + le32(value);
        };
        out += bytesOf<uint16_t>({9});
        entry(256, 4, w);
        entry(257, 4, h);
        entry(258, 3, 8);
        entry(259, 3, 1);
        entry(262, 3, 1);
        entry(273, 4, dataAt);
        entry(277, 3, 1);
        entry(278, 4, h);
        entry(279, 4, byteCount < 0 ? w * h : uint32_t(byteCount));
        const bool last = pg == pages - 1;
        out += le32(last && loopTo0 ? firstIfd : 0);
    }
    return out;
}

void volumeCases(Corpus& c) {
    auto labels = [](const std::string& p) -> Outcome { return outcome(nr::openLabelVolume(p)); };
    // NRRD header nonsense: each error names the header line.
    const std::string hdr = "NRRD0004\ntype: uint8\ndimension: 3\nsizes: 2 2 2\nencoding: raw\n";
    const std::string data8(8, '\1');
    auto nrrd = [&](const std::string& name, const std::string& bytes, const std::string& expect) {
        c.add("volume/nrrd " + name, "x.nrrd", bytes, labels, expect);
    };
    nrrd("line skip 999999999", hdr + "line skip: 999999999\n\n" + data8,
         "x.nrrd:6: line skip: 999999999 lines");
    nrrd("byte skip -5", hdr + "byte skip: -5\n\n" + data8, "x.nrrd:6: byte skip: '-5'");
    nrrd("byte skip past the end", hdr + "byte skip: 100\n\n" + data8, "x.nrrd:6: byte skip: 100 bytes");
    nrrd("magic NRRD9999", "NRRD9999\ntype: uint8\ndimension: 3\nsizes: 2 2 2\nencoding: raw\n\n" + data8,
         "x.nrrd:1: magic 'NRRD9999'");
    nrrd("endian middle",
         "NRRD0004\ntype: uint16\ndimension: 3\nsizes: 2 2 2\nendian: middle\n\n" + data8 + data8,
         "x.nrrd:5: endian: 'middle'");
    nrrd("type quaternion", "NRRD0004\ntype: quaternion\ndimension: 3\nsizes: 2 2 2\n\n" + data8,
         "x.nrrd:2: type 'quaternion'");
    nrrd("encoding bzip2", hdr.substr(0, hdr.size() - 14) + "encoding: bzip2\n\n" + data8,
         "x.nrrd:5: encoding 'bzip2'");
    nrrd("dimension words", "NRRD0004\ntype: uint8\ndimension: three\nsizes: 2 2 2\n\n" + data8,
         "x.nrrd:3: dimension: 'three'");
    nrrd("sizes do not match the dimension", "NRRD0004\ntype: uint8\ndimension: 3\nsizes: 2 2\n\n" + data8,
         "x.nrrd:4: mismatched dimensions");
    nrrd("header of 2 MiB", "NRRD0004\n# " + std::string(size_t(2) << 20, 'a') + "\n\n",
         "header larger than 1 MiB");
    nrrd(
        "header of 2 MiB of lines",
        "NRRD0004\n" +
            [] {
                std::string l;
                while (l.size() < (size_t(2) << 20)) l += "# comment\n";
                return l;
            }(),
        "header larger than 1 MiB");
    const std::string gzHdr = "NRRD0004\ntype: uint8\ndimension: 3\nsizes: 4 4 4\nencoding: gzip\n\n";
    const std::string plain(64, '\2');
    const std::string gz = storedStream(plain, true);
    nrrd("gzip cut before its trailer", gzHdr + gz.substr(0, gz.size() - 8),
         "gzip stream ends before its trailer");
    {
        std::string bad = gz;
        bad[20] = char(bad[20] ^ 0x10); // one bit of the data: the CRC no longer matches
        nrrd("gzip with a flipped bit", gzHdr + bad, "gzip CRC does not match the data");
        std::string len = gz;
        len[len.size() - 4] = char(len[len.size() - 4] + 1);
        nrrd("gzip with a wrong length field", gzHdr + len, "gzip length field does not match");
        nrrd("gzip longer than the header says", gzHdr + storedStream(plain + plain, true),
             "gzip data is longer than the header says");
    }
    nrrd("gzip that is good", gzHdr + gz, "");
    // Detached headers: the data file must be a regular file inside the header's folder.
    const std::string det = "NRRD0004\ntype: uint8\ndimension: 3\nsizes: 2 2 2\nencoding: raw\ndata file: ";
    c.addCustom({"volume/nrrd detached data file that is a FIFO",
                 [det](const std::string& d) {
                     writeFile(d + "/x.nhdr", det + "d.raw\n");
                     mkfifo((d + "/d.raw").c_str(), 0600);
                 },
                 [labels](const std::string& d) { return labels(d + "/x.nhdr"); },
                 "is a FIFO (named pipe), not a data file", "d.raw"});
    c.addCustom({"volume/nrrd detached data file ../../etc/passwd",
                 [det](const std::string& d) { writeFile(d + "/x.nhdr", det + "../../etc/passwd\n"); },
                 [labels](const std::string& d) { return labels(d + "/x.nhdr"); },
                 "x.nhdr:6: data file: '../../etc/passwd' leaves the header's folder", "x.nhdr"});
    c.addCustom({"volume/nrrd detached data file /etc/passwd",
                 [det](const std::string& d) { writeFile(d + "/x.nhdr", det + "/etc/passwd\n"); },
                 [labels](const std::string& d) { return labels(d + "/x.nhdr"); },
                 "x.nhdr:6: data file: '/etc/passwd' leaves the header's folder", "x.nhdr"});
    c.addCustom({"volume/nrrd detached data file that is a link out of the folder",
                 [det](const std::string& d) {
                     writeFile(d + "/x.nhdr", det + "d.raw\n");
                     (void)symlink("/etc/passwd", (d + "/d.raw").c_str());
                 },
                 [labels](const std::string& d) { return labels(d + "/x.nhdr"); },
                 "x.nhdr:6: data file: 'd.raw' leaves the header's folder", "x.nhdr"});
    c.addCustom({"volume/nrrd detached data file that is good",
                 [det, data8](const std::string& d) {
                     writeFile(d + "/x.nhdr", det + "d.raw\n");
                     writeFile(d + "/d.raw", data8);
                 },
                 [labels](const std::string& d) { return labels(d + "/x.nhdr"); }, "", ""});

    // Zarr: chunks that are there but are not readable files are errors, never fill value.
    const std::string zarray =
        "{\"zarr_format\": 2, \"shape\": [2, 2, 2], \"chunks\": [1, 2, 2], \"dtype\": \"|u1\", "
        "\"compressor\": COMP, \"fill_value\": 0, \"order\": \"C\", \"filters\": null}";
    auto zmeta = [zarray](const std::string& comp) {
        std::string m = zarray;
        m.replace(m.find("COMP"), 4, comp);
        return m;
    };
    auto zarr = [&](const std::string& name, std::function<void(const std::string& store)> chunk1,
                    const std::string& comp, const std::string& expect, const std::string& blame) {
        c.addCustom({"volume/zarr " + name,
                     [zmeta, comp, chunk1](const std::string& d) {
                         const std::string z = d + "/a.zarr";
                         mkdir(z.c_str(), 0755);
                         writeFile(z + "/.zarray", zmeta(comp));
                         const std::string chunk0(4, '\1');
                         writeFile(z + "/0.0.0",
                                   comp.find("zlib") != std::string::npos   ? storedStream(chunk0, false)
                                   : comp.find("gzip") != std::string::npos ? storedStream(chunk0, true)
                                                                            : chunk0);
                         chunk1(z);
                     },
                     [labels](const std::string& d) { return labels(d + "/a.zarr"); }, expect, blame});
    };
    zarr(
        "chunk that is a folder", [](const std::string& z) { mkdir((z + "/1.0.0").c_str(), 0755); }, "null",
        "chunk 1.0.0: is a folder", "1.0.0");
    zarr(
        "chunk that is a dangling link",
        [](const std::string& z) { (void)symlink("nowhere", (z + "/1.0.0").c_str()); }, "null",
        "chunk 1.0.0: is a dangling symbolic link", "1.0.0");
    zarr(
        "chunk that is a symlink loop",
        [](const std::string& z) { (void)symlink((z + "/1.0.0").c_str(), (z + "/1.0.0").c_str()); }, "null",
        "chunk 1.0.0: is a loop of symbolic links", "1.0.0");
    zarr(
        "chunk that is a FIFO", [](const std::string& z) { mkfifo((z + "/1.0.0").c_str(), 0600); }, "null",
        "chunk 1.0.0: is a FIFO (named pipe), not a chunk file", "1.0.0");
    zarr(
        "chunk that is /dev/zero",
        [](const std::string& z) { (void)symlink("/dev/zero", (z + "/1.0.0").c_str()); }, "null",
        "chunk 1.0.0: is a character device", "1.0.0");
    zarr(
        "absent chunk is fill value", [](const std::string&) {}, "null", "", "");
    const std::string zlibChunk = storedStream(std::string(4, '\3'), false);
    zarr(
        "zlib chunk with a wrong checksum",
        [zlibChunk](const std::string& z) {
            std::string b = zlibChunk;
            b[b.size() - 1] = char(b[b.size() - 1] ^ 1);
            writeFile(z + "/1.0.0", b);
        },
        "{\"id\": \"zlib\"}", "chunk 1.0.0: checksum", "1.0.0");
    const std::string gzChunk = storedStream(std::string(4, '\3'), true);
    zarr(
        "gzip chunk with a flipped bit",
        [gzChunk](const std::string& z) {
            std::string b = gzChunk;
            b[16] = char(b[16] ^ 4);
            writeFile(z + "/1.0.0", b);
        },
        "{\"id\": \"gzip\"}", "chunk 1.0.0: checksum", "1.0.0");
    zarr(
        "gzip chunk cut before its trailer",
        [gzChunk](const std::string& z) { writeFile(z + "/1.0.0", gzChunk.substr(0, gzChunk.size() - 8)); },
        "{\"id\": \"gzip\"}", "chunk 1.0.0: compressed stream ends before its trailer", "1.0.0");
    zarr(
        "unknown codec", [](const std::string&) {}, "{\"id\": \"lzma\"}",
        "compressor: unknown codec \"lzma\"", ".zarray");
    c.addCustom({"volume/zarr dimension_separator / with 0.0.0.0 chunks",
                 [](const std::string& d) {
                     const std::string z = d + "/s.zarr";
                     mkdir(z.c_str(), 0755);
                     writeFile(
                         z + "/.zarray",
                         "{\"zarr_format\": 2, \"shape\": [1, 2, 2, 2], \"chunks\": [1, 1, 2, 2], \"dtype\": "
                         "\"|u1\", \"compressor\": null, \"fill_value\": 0, \"order\": \"C\", \"filters\": "
                         "null, \"dimension_separator\": \"/\"}");
                     writeFile(z + "/0.0.0.0", std::string(4, '\1'));
                     writeFile(z + "/0.1.0.0", std::string(4, '\2'));
                 },
                 [labels](const std::string& d) { return labels(d + "/s.zarr"); },
                 "dimension_separator: the array says \"/\" but its chunks are named with \".\"", ".zarray"});
    c.addCustom({"volume/zarr dimension_separator . with 0/0/0 chunk folders",
                 [zmeta](const std::string& d) {
                     const std::string z = d + "/s.zarr";
                     mkdir(z.c_str(), 0755);
                     writeFile(z + "/.zarray", zmeta("null"));
                     for (const char* p : {"/0", "/0/0", "/1", "/1/0"}) mkdir((z + p).c_str(), 0755);
                     writeFile(z + "/0/0/0", std::string(4, '\1'));
                     writeFile(z + "/1/0/0", std::string(4, '\2'));
                 },
                 [labels](const std::string& d) { return labels(d + "/s.zarr"); },
                 "dimension_separator: the array says \".\" but its chunks are named with \"/\"", ".zarray"});
    auto zbad = [&](const std::string& name, const std::string& from, const std::string& to,
                    const std::string& expect) {
        std::string m = zmeta("null");
        m.replace(m.find(from), from.size(), to);
        c.addCustom({"volume/zarr " + name,
                     [m](const std::string& d) {
                         mkdir((d + "/m.zarr").c_str(), 0755);
                         writeFile(d + "/m.zarr/.zarray", m);
                     },
                     [labels](const std::string& d) { return labels(d + "/m.zarr"); }, expect, ".zarray"});
    };
    zbad("shape of strings", "[2, 2, 2]", "[\"2\", 2, 2]", "shape: must be a list");
    zbad("chunks of zero", "[1, 2, 2]", "[0, 2, 2]", "chunks: must be");
    zbad("dtype f2", "|u1", "<f2", "dtype: \"<f2\"");
    zbad("order F", "\"C\"", "\"F\"", "order: \"F\"");
    zbad("fill_value a string", "\"fill_value\": 0", "\"fill_value\": \"zero\"", "fill_value: must be");
    zbad("chunks of 2^45 values", "[1, 2, 2]", "[32768, 32768, 32768]", "chunks: a chunk of more than 2^40");
    zbad("dimension_separator a number", "\"filters\": null", "\"filters\": null, \"dimension_separator\": 5",
         "dimension_separator: must be");

    // HDF5 volumes.
    auto h5 = [](const std::string& path) {
        return H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    };
    c.addCustom({"volume/hdf5 2000 nested groups and no array named",
                 [h5](const std::string& d) {
                     hid_t f = h5(d + "/x.h5");
                     hid_t g = H5Gcreate2(f, "g", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
                     for (int i = 0; i < 2000; ++i) {
                         hid_t n = H5Gcreate2(g, "g", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
                         H5Gclose(g);
                         g = n;
                     }
                     H5Gclose(g);
                     H5Fclose(f);
                 },
                 [labels](const std::string& d) { return labels(d + "/x.h5"); },
                 "the search for one stopped: its groups nest deeper than 32 levels", "x.h5"});
    auto dataset3 = [](hid_t f, const char* name, hsize_t n, hid_t dcpl, bool write) {
        hsize_t dims[3] = {n, n, n};
        hid_t sp = H5Screate_simple(3, dims, nullptr);
        hid_t ds = H5Dcreate2(f, name, H5T_STD_U8LE, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
        if (write) {
            std::vector<uint8_t> v(size_t(n * n * n), 1);
            H5Dwrite(ds, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
        }
        H5Dclose(ds);
        H5Sclose(sp);
    };
    c.addCustom({"volume/hdf5 several 3-D datasets and no array named",
                 [h5, dataset3](const std::string& d) {
                     hid_t f = h5(d + "/x.h5");
                     H5Gclose(H5Gcreate2(f, "volumes", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
                     dataset3(f, "volumes/gmm_label", 4, H5P_DEFAULT, true);
                     dataset3(f, "volumes/gmm_label_cleaned", 4, H5P_DEFAULT, true);
                     H5Fclose(f);
                 },
                 [labels](const std::string& d) { return labels(d + "/x.h5"); },
                 "several 3-D integer datasets (volumes/gmm_label, volumes/gmm_label_cleaned) and no "
                 "array named",
                 "x.h5"});
    c.addCustom({"volume/hdf5 1024x2048x2048 u1 with no chunk written",
                 [h5](const std::string& d) {
                     hid_t f = h5(d + "/x.h5");
                     hsize_t dims[3] = {1024, 2048, 2048}, chunk[3] = {64, 256, 256};
                     hid_t sp = H5Screate_simple(3, dims, nullptr);
                     hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
                     H5Pset_chunk(dcpl, 3, chunk);
                     H5Pset_deflate(dcpl, 1);
                     H5Dclose(H5Dcreate2(f, "labels", H5T_STD_U8LE, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT));
                     H5Pclose(dcpl);
                     H5Sclose(sp);
                     H5Fclose(f);
                 },
                 [](const std::string& d) -> Outcome {
                     auto r = nr::openLabelVolume(d + "/x.h5");
                     if (!r) return r.error();
                     if (!r.value()->instances.empty() || !r.value()->labelData.empty() ||
                         r.value()->nx != 2048)
                         return nr::Error{d + "/x.h5", 0, "wrong volume for an unwritten dataset"};
                     return std::nullopt;
                 },
                 "", ""});
    c.addCustom({"volume/hdf5 one 1 GiB gzip chunk of zeros",
                 [h5](const std::string& d) {
                     hid_t f = h5(d + "/x.h5");
                     hsize_t dims[3] = {1024, 1024, 1024};
                     hid_t sp = H5Screate_simple(3, dims, nullptr);
                     hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
                     H5Pset_chunk(dcpl, 3, dims);
                     H5Pset_deflate(dcpl, 1);
                     hid_t ds = H5Dcreate2(f, "big", H5T_STD_U8LE, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
                     // The chunk is deflated here, 1 MiB of zeros at a time, and written as it is.
                     std::string z;
                     z_stream zs{};
                     deflateInit(&zs, 1);
                     std::vector<uint8_t> zero(1 << 20, 0), out(1 << 20);
                     for (int i = 0; i < 1024; ++i) {
                         zs.next_in = zero.data();
                         zs.avail_in = uInt(zero.size());
                         do {
                             zs.next_out = out.data();
                             zs.avail_out = uInt(out.size());
                             deflate(&zs, i == 1023 ? Z_FINISH : Z_NO_FLUSH);
                             z.append(reinterpret_cast<char*>(out.data()), out.size() - zs.avail_out);
                         } while (zs.avail_out == 0);
                     }
                     deflateEnd(&zs);
                     hsize_t offset[3] = {0, 0, 0};
                     H5Dwrite_chunk(ds, H5P_DEFAULT, 0, offset, z.size(), z.data());
                     H5Dclose(ds);
                     H5Pclose(dcpl);
                     H5Sclose(sp);
                     H5Fclose(f);
                 },
                 [labels](const std::string& d) { return labels(d + "/x.h5"); },
                 "volume too big for memory: big: 1024x1024x1024", "x.h5"});
    // Found by fuzzing (fuzz_hdf5_volume): one byte of the layout message makes the chunks 2x3x127 for a
    // 4x6x5 dataset; libhdf5 then reads past each decoded chunk (a heap overflow under ASan, garbage voxels
    // or a crash without). The reader checks the layout in its child and refuses it.
    c.addCustom(
        {"volume/hdf5 chunk larger than the dataset (fuzzer finding)",
         [h5](const std::string& d) {
             const std::string p = d + "/x.h5";
             hid_t f = h5(p);
             const hsize_t dims[3] = {4, 6, 5}, chunk[3] = {2, 3, 5};
             hid_t sp = H5Screate_simple(3, dims, nullptr);
             hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
             H5Pset_chunk(dcpl, 3, chunk);
             H5Pset_deflate(dcpl, 4);
             H5Gclose(H5Gcreate2(f, "/volumes", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
             hid_t ds = H5Dcreate2(f, "/volumes/labels", H5T_STD_U8LE, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
             std::vector<uint8_t> v(120);
             for (size_t i = 0; i < v.size(); ++i) v[i] = uint8_t(i % 9 < 4 ? 0 : 1 + i / 30);
             H5Dwrite(ds, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
             H5Dclose(ds);
             H5Pclose(dcpl);
             H5Sclose(sp);
             H5Fclose(f);
             // The layout message lists the chunk dimensions and the element size as 32-bit words:
             // 2, 3, 5, 1. The 5 becomes 127.
             std::ifstream in(p, std::ios::binary);
             std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
             in.close();
             const std::string words = bytesOf<uint32_t>({2, 3, 5, 1});
             const size_t at = bytes.find(words);
             if (at == std::string::npos || bytes.find(words, at + 1) != std::string::npos) return;
             bytes[at + 8] = char(127);
             writeFile(p, bytes);
         },
         [labels](const std::string& d) { return labels(d + "/x.h5"); },
         "'volumes/labels': chunks of 2x3x127 do not fit the dataset's fixed shape 4x6x5", "x.h5"});

    // TIFF with lying offsets and sizes.
    auto tif = [&](const std::string& name, const std::string& bytes, const std::string& expect) {
        c.add("volume/tiff " + name, "x.tif", bytes, labels, expect);
    };
    tif("IFD chain looping to the first IFD", tiffBytes(8, 8, 3, -1, true),
        "the chain of pages (IFDs) loops");
    tif("IFD chain looping to itself", tiffBytes(8, 8, 1, -1, true), "loops");
    tif("StripByteCounts 0", tiffBytes(8, 8, 2, 0, false), "StripByteCounts");
    tif("StripByteCounts 10", tiffBytes(8, 8, 2, 10, false), "StripByteCounts");
    tif("StripByteCounts 0xFFFFFFFF", tiffBytes(8, 8, 2, 0xFFFFFFFFll, false), "StripByteCounts");
    tif("that is good", tiffBytes(8, 8, 2, -1, false), "");
    c.addCustom({"volume/tiff folder of slices with a FIFO slice",
                 [](const std::string& d) {
                     mkdir((d + "/st").c_str(), 0755);
                     writeFile(d + "/st/z0.tif", tiffBytes(8, 8, 1, -1, false));
                     mkfifo((d + "/st/z1.tif").c_str(), 0600);
                 },
                 [labels](const std::string& d) { return labels(d + "/st"); },
                 "is a FIFO (named pipe), not a TIFF slice", "z1.tif"});
    for (const char* ext : {"h5", "tif", "nrrd"})
        c.addCustom({std::string("volume/reader called directly on a FIFO x.") + ext,
                     [ext](const std::string& d) { mkfifo((d + "/x." + ext).c_str(), 0600); },
                     [labels, ext](const std::string& d) { return labels(d + "/x." + ext); },
                     "is a FIFO (named pipe), not a", std::string("x.") + ext});
}
// Graph text: graphs no analysis may hang on, repeated header columns in every CSV header parser of the
// graph and spike readers, byte order marks, and why the registry turns a text file down.
void graphTextCases(Corpus& c) {
    // Communities (Leiden) and betweenness, as `analyze graph_communities` runs them.
    auto communities = [](const nr::Graph& g, const std::string& file, int expectCount) -> Outcome {
        auto cm = nr::detectCommunities(g);
        if (!cm) return nr::Error{file, 0, cm.error().reason};
        auto b = nr::betweenness(g);
        if (!b) return nr::Error{file, 0, b.error().reason};
        if (cm.value().membership.size() != g.nodeCount() || !std::isfinite(cm.value().modularity) ||
            (expectCount > 0 && cm.value().count != expectCount))
            return nr::Error{file, 0, "wrong communities: " + std::to_string(cm.value().count)};
        return std::nullopt;
    };
    auto fileCommunities = [communities](const std::string& name, const std::string& text, int count) {
        return Case{"graph/" + name, [text](const std::string& d) { writeFile(d + "/g.csv", text); },
                    [communities, count](const std::string& d) -> Outcome {
                        auto g = nr::openGraph(d + "/g.csv");
                        if (!g) return g.error();
                        return communities(g.value(), "g.csv", count);
                    },
                    "", ""};
    };
    // igraph's Leiden "until stable" waited for a pass that changed something: with only self-loops,
    // for ever.
    c.addCustom(fileCommunities("communities of self-loops only", "source,target\nA,A\nB,B\n", 2));
    c.addCustom(fileCommunities("communities of one self-loop", "source,target\nA,A\n", 1));
    c.addCustom(
        fileCommunities("communities of self-loops and one edge", "source,target\nA,A\nB,B\nC,D\n", 0));
    // A star with a hub of huge degree (h,0 ... h,199999): communities and betweenness (estimated from
    // sampled sources at this size) within the case's wall-time limit even on a loaded machine. The
    // 1,000,000-leaf star, with its layout, is bounded by CPU time in test_graph_scale.
    c.addCustom({"graph/communities of a 200,000-leaf star", [](const std::string&) {},
                 [communities](const std::string&) -> Outcome {
                     nr::Graph g;
                     g.addNode("h");
                     for (uint32_t i = 0; i < 200000; ++i) {
                         const uint32_t leaf = g.addNode(std::to_string(i));
                         g.src.push_back(0);
                         g.dst.push_back(leaf);
                         g.weight.push_back(1.f);
                         g.type.push_back(0);
                     }
                     g.edgeTypes = {"edge"};
                     g.invalidateAdjacency();
                     return communities(g, "star.csv", 0);
                 },
                 "", ""});

    // The same column twice: refused with the file, the header's line and the column.
    c.add("csv/edge list source,source,target", "g.csv", "source,source,target\nA,B,C\n", graph,
          "g.csv:1: column 'source' appears twice in the header (columns 1 and 2)");
    c.add("csv/edge list repeated in another case", "g.csv", "Source,target,weight,SOURCE\nA,B,1,C\n", graph,
          "g.csv:1: column 'Source' appears twice in the header (columns 1 and 4)");
    c.add("csv/edge list repeated weight", "g.tsv", "source\ttarget\tweight\tweight\nA\tB\t1\t2\n", graph,
          "g.tsv:1: column 'weight' appears twice");
    c.add("csv/edge list repeated after a comment", "g.csv", "# made by hand\nsource,target,target\nA,B,C\n",
          graph, "g.csv:2: column 'target' appears twice");
    c.add("csv/node table name,x,x", "n.csv", "name,x,x,y,z\nA,1,2,3,4\n", nodeTable,
          "n.csv:1: column 'x' appears twice in the header (columns 2 and 3)");
    c.add("csv/spike table unit,time_s,unit", "s.csv", "unit,time_s,unit\n1,0.5,2\n", spikes,
          "s.csv:1: column 'unit' appears twice in the header (columns 1 and 3)");
    c.add("csv/spike table time_s twice", "s.csv", "unit,time_s,time_s\n1,0.5,0.6\n", spikes,
          "s.csv:1: column 'time_s' appears twice");
    c.addFiles(
        "csv/trials table condition twice",
        {{"rec_spikes.csv", "unit,trial,time_s\n1,1,0.5\n"},
         {"rec_trials.csv", "trial,condition,condition\n1,a,b\n"}},
        [](const std::string& d) { return outcome(nr::readTrialData(d + "/rec_spikes.csv")); },
        "rec_trials.csv:1: column 'condition' appears twice in the header (columns 2 and 3)",
        "rec_trials.csv");
    c.addFiles(
        "csv/trial spikes trial twice",
        {{"rec_spikes.csv", "unit,trial,trial,time_s\n1,1,1,0.5\n"},
         {"rec_trials.csv", "trial,condition\n1,a\n"}},
        [](const std::string& d) { return outcome(nr::readTrialData(d + "/rec_spikes.csv")); },
        "rec_spikes.csv:1: column 'trial' appears twice", "rec_spikes.csv");
    c.add("csv/headerless integer edge list with equal ids accepted", "g.csv", "1,1\n2,3\n", graph, "");
    c.add("csv/empty header fields accepted", "n.csv", "name,,x,y,z,\nA,,1,2,3,\n", nodeTable, "");

    // A UTF-8 byte order mark: read through the registry (sniffing) and by every text reader.
    const std::string bom = "\xEF\xBB\xBF";
    auto openAs = [](nr::LayerKind kind) {
        return [kind](const std::string& p) -> Outcome {
            auto d = nr::ReaderRegistry::builtin().open(p);
            if (!d) return d.error();
            if (d.value().kind != kind) return nr::Error{p, 0, "read as the wrong kind"};
            return std::nullopt;
        };
    };
    c.add("bom/edge list through the registry", "g.csv", bom + "source,target\nA,B\nB,C\n",
          openAs(nr::LayerKind::Graph), "");
    c.add("bom/tab edge list through the registry", "g.tsv", bom + "source\ttarget\nA\tB\n",
          openAs(nr::LayerKind::Graph), "");
    c.add("bom/node table through the registry", "n.csv", bom + "name,x,y,z\nA,1,2,3\nB,2,3,4\n",
          openAs(nr::LayerKind::Graph), "");
    c.add("bom/spike table through the registry", "s.csv", bom + "unit,time_s\n1,0.5\n2,0.25\n",
          openAs(nr::LayerKind::Spikes), "");
    c.add("bom/edge list", "g.csv", bom + "source,target\nA,B\n", graph, "");
    c.add("bom/node table", "n.csv", bom + "name,x,y,z\nA,1,2,3\n", nodeTable, "");
    c.add("bom/spike table", "s.csv", bom + "unit,time_s\n1,0.5\n", spikes, "");
    c.addFiles(
        "bom/trials pair",
        {{"rec_spikes.csv", bom + "unit,trial,time_s\n1,1,0.5\n2,2,0.25\n"},
         {"rec_trials.csv", bom + "trial,condition\n1,a\n2,b\n"}},
        [](const std::string& d) { return outcome(nr::readTrialData(d + "/rec_spikes.csv")); }, "", "");
    c.add("bom/GML through the registry", "g.gml",
          bom + "graph [\n node [ id 1 label \"a\" ]\n node [ id 2 label \"b\" ]\n edge [ source 1 target 2 "
                "]\n]\n",
          openAs(nr::LayerKind::Graph), "");
    c.add("bom/GraphML through the registry", "g.graphml",
          bom + "<?xml version=\"1.0\"?>\n<graphml><graph edgedefault=\"directed\"><node id=\"a\"/><node "
                "id=\"b\"/><edge source=\"a\" target=\"b\"/></graph></graphml>\n",
          openAs(nr::LayerKind::Graph), "");
    c.add("bom/headerless integer edge list through the registry", "g.txt", bom + "1 2\n2 3\n",
          openAs(nr::LayerKind::Graph), "");
    c.add("bom/duplicate columns still refused", "g.csv", bom + "source,source,target\nA,B,C\n", graph,
          "g.csv:1: column 'source' appears twice");
    c.add("bom/UTF-16 edge list refused", "g.csv", std::string("\xFF\xFEs\0o\0", 6), graph, "UTF-16");

    // A text file nobody reads: the readers of its extension say why they declined.
    auto open = [](const std::string& p) -> Outcome {
        auto d = nr::ReaderRegistry::builtin().open(p);
        return d ? Outcome{} : Outcome{d.error()};
    };
    c.add("refused/csv with foreign columns names the edge list's reason", "x.csv", "alpha,beta\n1,2\n", open,
          "Edge list or node table: no source/target (or name) columns in the header 'alpha,beta'");
    c.add("refused/csv with foreign columns names the spike table's reason", "x.csv", "alpha,beta\n1,2\n",
          open, "Spike table: no unit and time columns in the header 'alpha,beta'");
    c.add("refused/tsv with foreign columns", "x.tsv", "p\tq\n1\t2\n", open,
          "Edge list or node table: no source/target (or name) columns");
    c.add("refused/csv with a BOM and foreign columns", "x.csv", bom + "alpha,beta\n1,2\n", open,
          "in the header 'alpha,beta'");
    c.add("refused/unknown extension lists the formats", "x.xyz", "hello world\n", open,
          "readable formats: ");
}

// Files a session points to: only regular files (never a FIFO, a device or the session itself), and
// those outside the session's folder are listed and refused without --allow-outside-paths.
void sessionPathCases(Corpus& c) {
    const std::string head = "{\"format\": \"neurorama-session\", \"version\": 1";
    // As the command line reads a session: entries outside the folder are refused.
    auto strict = [](const std::string& p) -> Outcome {
        auto s = nr::readSession(p);
        if (!s) return s.error();
        return nr::outsidePathsError(s.value(), p);
    };
    auto entries = [&](const std::string& name, const std::string& files,
                       std::function<void(const std::string&)> make, const std::string& expect) {
        const std::string body = head + ",\n\"files\": [" + files + "]}";
        c.addCustom({"session-paths/" + name,
                     [body, make](const std::string& d) {
                         mkdir((d + "/s").c_str(), 0755);
                         writeFile(d + "/s/s.json", body);
                         writeFile(d + "/s/g.txt", "a b\n");
                         if (make) make(d);
                     },
                     [strict](const std::string& d) { return strict(d + "/s/s.json"); }, expect,
                     expect.empty() ? "" : "s.json"});
    };
    entries("/dev/zero", "\"/dev/zero\"", {},
            "s.json:2: \"files\"[0]: /dev/zero is a character device, not a data file");
    entries(
        "FIFO", "\"g.txt\", \"p.csv\"", [](const std::string& d) { mkfifo((d + "/s/p.csv").c_str(), 0600); },
        "\"files\"[1]: ");
    entries(
        "FIFO message", "\"p.csv\"", [](const std::string& d) { mkfifo((d + "/s/p.csv").c_str(), 0600); },
        "is a FIFO (named pipe), not a data file (refused without opening it)");
    entries("the session itself", "\"s.json\"", {}, "is this session file itself, not a data file");
    entries("the session itself by another path", "\"../s/./s.json\"", {}, "is this session file itself");
    entries(
        "symlink loop", "\"loop.csv\"",
        [](const std::string& d) { (void)symlink((d + "/s/loop.csv").c_str(), (d + "/s/loop.csv").c_str()); },
        "\"files\"[0]: ");
    entries("../../../../../etc/shadow", "\"../../../../../etc/shadow\"", {},
            "the session opens a file outside its folder: ");
    entries("../../../../../etc/shadow named", "\"../../../../../etc/shadow\"", {},
            "../../../../../etc/shadow (give --allow-outside-paths to open it)");
    entries("absolute path elsewhere", "\"/etc/hostname\"", {}, "outside its folder: /etc/hostname");
    entries(
        "sibling folder", "\"g.txt\", \"../o.csv\"",
        [](const std::string& d) { writeFile(d + "/o.csv", "a b\n"); }, "outside its folder: ");
    entries(
        "link inside pointing outside", "\"l.csv\"",
        [](const std::string& d) {
            writeFile(d + "/o.csv", "a b\n");
            (void)symlink((d + "/o.csv").c_str(), (d + "/s/l.csv").c_str());
        },
        "l.csv (give --allow-outside-paths");
    entries(
        "two outside", "\"../a.csv\", \"../b.csv\"",
        [](const std::string& d) {
            writeFile(d + "/a.csv", "a b\n");
            writeFile(d + "/b.csv", "a b\n");
        },
        "the session opens 2 files outside its folder");
    entries(
        "inside accepted", "\"g.txt\", \"./g.txt\", \"sub/../g.txt\"",
        [](const std::string& d) { mkdir((d + "/s/sub").c_str(), 0755); }, "");
    entries(
        "subfolder accepted", "\"sub/h.txt\"",
        [](const std::string& d) {
            mkdir((d + "/s/sub").c_str(), 0755);
            writeFile(d + "/s/sub/h.txt", "a b\n");
        },
        "");
    // Read without the command line's refusal, the outside entries are listed for the window to ask about.
    c.addCustom({"session-paths/outside entries are listed",
                 [head](const std::string& d) {
                     mkdir((d + "/s").c_str(), 0755);
                     writeFile(d + "/o.csv", "a b\n");
                     writeFile(d + "/s/g.txt", "a b\n");
                     writeFile(d + "/s/s.json", head + ", \"files\": [\"g.txt\", \"../o.csv\"]}");
                 },
                 [](const std::string& d) -> Outcome {
                     auto s = nr::readSession(d + "/s/s.json");
                     if (!s) return s.error();
                     if (s.value().layers.size() != 1 || s.value().layers[0].files.size() != 2 ||
                         s.value().outside.size() != 1 || s.value().outside[0] != d + "/s/../o.csv")
                         return nr::Error{"s.json", 0, "outside entries not listed"};
                     return std::nullopt;
                 },
                 "", ""});
    c.addCustom({"session-paths/session that is a FIFO",
                 [](const std::string& d) { mkfifo((d + "/s.nrsession").c_str(), 0600); },
                 [](const std::string& d) { return outcome(nr::readSession(d + "/s.nrsession")); },
                 "is a FIFO (named pipe), not a session (refused without opening it)", "s.nrsession"});
    c.addCustom({"session-paths/session that is /dev/zero",
                 [](const std::string& d) { (void)symlink("/dev/zero", (d + "/s.nrsession").c_str()); },
                 [](const std::string& d) { return outcome(nr::readSession(d + "/s.nrsession")); },
                 "is a character device, not a session", "s.nrsession"});
    c.addCustom({"session-paths/session with a byte order mark",
                 [head](const std::string& d) {
                     writeFile(d + "/s.json", "\xEF\xBB\xBF" + head + ",\n\"colorBy\": 3}");
                 },
                 [](const std::string& d) { return outcome(nr::readSession(d + "/s.json")); },
                 "s.json:2: \"colorBy\" must be a string", "s.json"});
}

// Dense adjacency matrices, label files and index-keyed node tables (io/MatrixIO.h).
void matrixCases(Corpus& c) {
    auto text = [](const std::string& p) { return outcome(nr::readMatrixText(p)); };
    auto npyM = [](const std::string& p) { return outcome(nr::readMatrixNpy(p)); };
    auto m = [&](const std::string& name, const std::string& bytes, const std::string& expect) {
        c.add("matrix/" + name, "m.csv", bytes, text, expect);
    };
    m("accepted", "0 1 0 0\n1 0 0 2\n0 0 0 1\n3 0 0 0\n", "");
    m("ragged row", "0 1 0 0\n1 0 0\n0 0 0 1\n3 0 0 0\n", "m.csv:2: 3 fields, expected 4 (a ragged row");
    m("more rows than columns", "0 1 0 0\n1 0 0 2\n0 0 0 1\n3 0 0 0\n1 1 1 1\n",
      "m.csv:5: more rows than the 4 columns");
    m("fewer rows than columns", "0 1 0 0\n1 0 0 2\n0 0 0 1\n", "m.csv:3: 4 columns but 3 rows");
    m("NaN cell", "0 1 0 0\n1 0 nan 2\n0 0 0 1\n3 0 0 0\n", "m.csv:2: NaN at row 2, column 3");
    m("infinite cell", "0 1 0 0\n1 0 0 2\n0 inf 0 1\n3 0 0 0\n",
      "m.csv:3: infinite value at row 3, column 2");
    m("text cell", "0,1,0,0\n1,0,x,2\n0,0,0,1\n3,0,0,0\n",
      "m.csv:2: value 'x' at row 2, column 3 is not a number");
    m("empty cell", "0,1,0,0\n1,0,,2\n0,0,0,1\n3,0,0,0\n", "m.csv:2: empty cell at row 2, column 3");
    m("names differ", ",A,B\nA,0,1\nC,1,0\n", "m.csv:1: row 2 is named 'C' but column 2 'B'");
    m("duplicate header name", "A,A,B\n0,1,0\n1,0,0\n0,0,0\n",
      "m.csv:1: name 'A' appears twice in the header");
    m("header and no rows", "A,B,C\n", "m.csv:1: a header row and no rows of numbers");
    m("empty", "# nothing\n", "m.csv:1: file is empty");
    m("huge line", std::string(3u << 20, '1'), "m.csv:1:");
    {
        std::string many = "0";
        for (int i = 1; i < 40000; ++i) many += " 0";
        m("wide first row then ragged", many + "\n0 0\n", "m.csv:2: 2 fields, expected 40000");
    }
    // NPY.
    const auto sq = [](const std::string& shape, const std::string& descr = "'<f8'") {
        return dict2(descr, shape);
    };
    c.add("matrix/npy 100k x 100k claimed", "m.npy", npy(sq("(100000, 100000)"), f8({0, 1, 1, 0})), npyM,
          "more than the limit");
    c.add("matrix/npy not square", "m.npy", npy(sq("(2, 3)"), f8({0, 1, 1, 0, 0, 0})), npyM,
          "must be a 2-D square array; this one has shape (2, 3)");
    c.add("matrix/npy 3-D", "m.npy", npy(sq("(1, 2, 2)"), f8({0, 1, 1, 0})), npyM, "shape (1, 2, 2)");
    c.add("matrix/npy text", "m.npy", npy(sq("(2, 2)", "'<U1'"), std::string(16, '\0')), npyM,
          "must be an array of numbers");
    c.add("matrix/npy NaN", "m.npy", npy(sq("(2, 2)"), f8({0, std::nan(""), 1, 0})), npyM,
          "NaN at row 1, column 2");
    c.add("matrix/npy short data", "m.npy", npy(sq("(2, 2)"), f8({0, 1, 1})), npyM, "m.npy");
    c.add("matrix/npy accepted", "m.npy", npy(sq("(2, 2)"), f8({0, 1, 1, 0})), npyM, "");
    // Label files and index-keyed tables joined onto a 4-node matrix.
    auto joined = [](const std::string& labels) {
        return [labels](const std::string& d) -> Outcome {
            nr::OpenOptions o;
            o.options = {{"layout", "none"}};
            auto r = nr::ReaderRegistry::builtin().openAs(nr::LayerKind::Graph, d + "/m.txt",
                                                          {d + "/" + labels}, o);
            return outcome(r);
        };
    };
    const std::string four = "0 1 0 0\n1 0 0 2\n0 0 0 1\n3 0 0 0\n";
    c.addFiles("matrix/label count", {{"m.txt", four}, {"l.txt", "K\nP\nO\n"}}, joined("l.txt"),
               "l.txt:3: 3 labels for 4 nodes", "l.txt");
    c.addFiles("matrix/label lines beyond nodes", {{"m.txt", four}, {"l.txt", "a\nb\nc\nd\ne\nf\ng\n"}},
               joined("l.txt"), "more labels than the graph's 4 nodes", "l.txt");
    c.addFiles("matrix/ROI out of range", {{"m.txt", four}, {"a.csv", "ROI,name2\n1,x\n2,y\n3,z\n99,w\n"}},
               joined("a.csv"), "a.csv:5: 'ROI' '99' is out of range", "a.csv");
    c.addFiles("matrix/colour not a number",
               {{"m.txt", four}, {"a.csv", "ROI,c_R,c_G,c_B\n1,1,2,3\n2,x,0,0\n3,0,0,0\n4,0,0,0\n"}},
               joined("a.csv"), "a.csv:3: 'c_R' 'x' is not a finite number", "a.csv");
    // Synapse counts: a negative count is refused; networkx data dicts that are not dicts.
    c.add("matrix/negative syn_count", "e.csv", "pre_root_id,post_root_id,syn_count\n1,2,5\n2,3,-4\n", graph,
          "e.csv:3: synapse count '-4' is negative");
    c.add("matrix/networkx dict broken", "e.edgelist", "0 1 {'weight': 3.0}\n1 2 {'weight': x}\n", graph,
          "e.edgelist:2: expected 'u v {'weight': w}'");
    c.add("matrix/networkx dict NaN", "e.edgelist", "0 1 {'weight': nan}\n", graph,
          "e.edgelist:1: weight is not finite");
}

// Model descriptions (sim/ModelDescription.h): a small valid one, then one change per case.
void modelDescriptionCases(Corpus& c) {
    auto rd = [](const std::string& p) { return outcome(nr::readModelDescription(p)); };
    const std::string good =
        "{\n"
        "\"format\": \"neurorama-model\",\n"
        "\"version\": 1,\n"
        "\"model\": \"tiny\",\n"
        "\"dt_ms\": 0.1,\n"
        "\"cells\": 2,\n"
        "\"cell_kinds\": [{\"name\": \"lif\", \"type\": \"lif\"}],\n"
        "\"populations\": [{\"name\": \"all\", \"kind\": \"lif\", \"size\": 2}],\n"
        "\"channels\": [{\"name\": \"exc\", \"type\": \"conductance_exp\", \"tau_ms\": 5}],\n"
        "\"connections\": [{\"channel\": \"exc\",\n"
        "\"offsets\": [0, 1, 2],\n"
        "\"sources\": [1, 0],\n"
        "\"weights\": [0.5, 0.25]}],\n"
        "\"poisson\": {\"channel\": \"exc\", \"weight\": 0.1, \"rate_hz\": 100}\n"
        "}\n";
    auto m = [&](const std::string& name, const std::string& from, const std::string& to,
                 const std::string& expect) {
        std::string bytes = good;
        const size_t at = bytes.find(from);
        if (at != std::string::npos) bytes.replace(at, from.size(), to);
        c.add("model description/" + name, "model.json", bytes, rd, expect);
    };
    m("accepted", "", "", "");
    m("wrong version", "\"version\": 1", "\"version\": 7",
      "model.json:3: unsupported model description version 7");
    m("missing cells", "\"cells\": 2,\n", "", "model.json:1: missing key \"cells\"");
    m("negative size", "\"size\": 2", "\"size\": -2",
      "model.json:8: population 'all': \"size\" must not be negative");
    m("NaN weight", "[0.5, 0.25]", "[NaN, 0.25]", "model.json:13: invalid JSON");
    m("null weight", "[0.5, 0.25]", "[null, 0.25]",
      "model.json:13: a weight must be a finite number, not null");
    m("huge weight", "[0.5, 0.25]", "[1e400, 0.25]", "model.json:13:");
    m("source out of range", "[1, 0]", "[1, 2]", "model.json:12: a source cell = 2 is out of range");
    m("offsets decrease", "[0, 1, 2]", "[0, 2, 1]", "model.json:11:");
    m("short offsets", "[0, 1, 2]", "[0, 2]", "model.json:11: \"offsets\" needs cells + 1 = 3 entries");
    m("negative rate", "\"rate_hz\": 100", "\"rate_hz\": -100",
      "model.json:14: \"rate_hz\" = -100 is outside");
    m("unknown cell type", "\"type\": \"lif\"", "\"type\": \"hh\"", "model.json:7: unknown cell type \"hh\"");
    m("not an object", "{\n\"format\"", "[\n\"format\"", "model.json:");
    m("truncated", "\"poisson\"", "", "model.json:");
    m("empty", good, "", "model.json:");
}

} // namespace

class TestMalformedCorpus : public QObject {
    Q_OBJECT

private slots:
    void corpus() {
        Corpus c;
        npyCases(c);
        spikeCsvCases(c);
        edgeListCases(c);
        nodeTableCases(c);
        graphmlCases(c);
        gmlCases(c);
        trialCases(c);
        nwbCases(c);
        sessionCases(c);
        sessionV2Cases(c);
        commandCases(c);
        streamCases(c);
        analysisCases(c);
        nonRegularCases(c);
        volumeCases(c);
        tableCases(c);
        graphTextCases(c);
        sessionPathCases(c);
        matrixCases(c);
        modelDescriptionCases(c);
        qInfo("%zu cases", c.cases.size());
        QVERIFY(c.cases.size() >= 150);
        QStringList failures;
        for (const Case& cs : c.cases) {
            QTemporaryDir dir;
            QVERIFY(dir.isValid());
            const std::string why = runCase(cs, dir.path().toStdString());
            if (!why.empty()) failures << QString::fromStdString(cs.name + ": " + why);
        }
        for (const auto& f : failures) qWarning("%s", qPrintable(f));
        QVERIFY2(failures.isEmpty(), qPrintable(QString::number(failures.size()) + " cases failed"));
    }
};

QTEST_GUILESS_MAIN(TestMalformedCorpus)
#include "test_malformed_corpus.moc"
