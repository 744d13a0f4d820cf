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

#include "analysis/FiringStats.h"
#include "analysis/GraphAnalysis.h"
#include "analysis/Shesha.h"
#include "analysis/TrialCounts.h"
#include "io/GraphIO.h"
#include "io/Hdf5Sandbox.h"
#include "io/Nwb.h"
#include "io/ReaderRegistry.h"
#include "io/SessionFile.h"
#include "io/SpikeIO.h"
#include "io/TrialIO.h"
#include "sim/SimulateCommand.h"

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
    if (s.writeTimes)
        write("/units/spike_times", H5T_NATIVE_DOUBLE, s.times.size(), s.times.data(), s.timesTwoD ? 2 : 1);
    if (s.writeIndex) write("/units/spike_times_index", H5T_NATIVE_UINT64, s.index.size(), s.index.data());
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

Outcome graph(const std::string& p) {
    return outcome(nr::readGraph(p));
}
Outcome spikes(const std::string& p) {
    return outcome(nr::readSpikes(p));
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
        c.add("npy/" + name, "s.npy", bytes, spikes, expect);
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
    c.add("spikes/unknown extension", "s.dat", "unit,time_s\n1,0.5\n", spikes,
          "unknown spike file type '.dat'");
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
        c.add("graphml/" + name, "g.graphml", body, graph, expect);
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
        c.add("gml/" + name, "g.gml", body, graph, expect);
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
                         return outcome(nr::readSpikes(d + "/r.nwb"));
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
    c.add("nwb/not HDF5", "r.nwb", "this is not an HDF5 file", spikes, "not an HDF5/NWB file");
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
                 Outcome o = trials ? outcome(nr::readNwbTrialData(f)) : outcome(nr::readSpikes(f));
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
    s("version 2", "{\"format\": \"neurorama-session\", \"version\": 2}", "unsupported session version 2");
    s("version 1.5", "{\"format\": \"neurorama-session\", \"version\": 1.5}", "must be a positive integer");
    s("version leading zero", "{\"format\": \"neurorama-session\", \"version\": 01}", "expected ',' or '}'");
    s("files text", head + ", \"files\": \"g.txt\"}", "\"files\" must be an array, not a string");
    s("files entry number", head + ", \"files\": [3]}", "\"files\"[0] must be a string, not a number");
    s("files entry null", head + ", \"files\": [\"g.txt\", null]}",
      "\"files\"[1] must be a string, not null");
    s("missing file", head + ",\n\"files\": [\n\"gone.graphml\"]}", "s.json:3: \"files\"[0]: ");
    s("missing file message", head + ", \"files\": [\"gone.graphml\"]}", "gone.graphml does not exist");
    s("missing absolute file", head + ", \"files\": [\"/nonexistent/x.csv\"]}",
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
    s("nesting bomb", head + ", \"later\": " + std::string(100, '[') + std::string(100, ']') + "}",
      "nested more than 32 levels deep");
    s("text after the object", head + "} {}", "unexpected text after the JSON value");
    s("UTF-16", "\xff\xfe{\0\"\0", "UTF-16 text");
    s("17 MiB", head + ", \"pad\": \"" + std::string(17u << 20, 'x') + "\"}",
      "too large for a session file (17 MiB");
    s("error line", head + ",\n\n\n  \"colorBy\": 3}", "s.json:4: \"colorBy\" must be a string");
    c.addCustom({"session/folder", [](const std::string& d) { mkdir((d + "/s.json").c_str(), 0755); },
                 [session](const std::string& d) { return session(d + "/s.json"); },
                 "is a folder, not a session file", "s.json"});
    c.addCustom({"session/missing", [](const std::string&) {},
                 [session](const std::string& d) { return session(d + "/s.json"); },
                 "cannot open the session", "s.json"});
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
}

void analysisCases(Corpus& c) {
    // One spike at t = 1e15 s: sparse Fano windows, instant and tiny.
    c.addCustom({"firing_stats/spike at 1e15 s",
                 [](const std::string& d) { writeFile(d + "/far.csv", "unit,time_s\n1,1e15\n2,3\n"); },
                 [](const std::string& d) -> Outcome {
                     auto st = nr::readSpikes(d + "/far.csv");
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
                        auto g = nr::readGraph(d + "/g.csv");
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
    c.add("refused/unknown extension lists the formats", "x.xyz", "1 2 3\n", open, "readable formats: ");
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
                     if (s.value().files.size() != 2 || s.value().outside.size() != 1 ||
                         s.value().outside[0] != d + "/s/../o.csv")
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
        commandCases(c);
        analysisCases(c);
        nonRegularCases(c);
        graphTextCases(c);
        sessionPathCases(c);
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
