#include "sim/NeuronRun.h"

#include "model/FileKind.h"
#include "sim/NeuronStream.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <signal.h>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace nr {

namespace {

bool onPath(const std::string& exe) {
    const char* path = std::getenv("PATH");
    std::string p = path ? path : "/usr/bin:/bin";
    size_t a = 0;
    while (a <= p.size()) {
        size_t b = p.find(':', a);
        if (b == std::string::npos) b = p.size();
        const std::string dir = p.substr(a, b - a);
        if (!dir.empty() && ::access((dir + "/" + exe).c_str(), X_OK) == 0) return true;
        a = b + 1;
    }
    return false;
}

std::string exeDir() {
    char buf[4096];
    const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return {};
    std::string s(buf, size_t(n));
    return s.substr(0, s.rfind('/'));
}

std::string fmt(double x) {
    char b[64];
    std::snprintf(b, sizeof b, "%.17g", x);
    return b;
}

std::string jsonEscape(const std::string& s) {
    std::string o;
    for (char c : s) {
        if (c == '"' || c == '\\') o += '\\';
        if (static_cast<unsigned char>(c) < 0x20) {
            char b[8];
            std::snprintf(b, sizeof b, "\\u%04x", c);
            o += b;
            continue;
        }
        o += c;
    }
    return o;
}

} // namespace

Status checkNeuronTools() {
    for (const char* exe : {"mpirun", "nrniv"})
        if (!onPath(exe))
            return Error{"simulate", 0,
                         std::string("--engine neuron needs '") + exe +
                             "', which is not on PATH; install the Debian packages " + kNeuronPackages +
                             " (apt-get install openmpi-bin neuron python3-neuron)"};
    return std::nullopt;
}

std::string neuronPythonDir() {
    if (const char* e = std::getenv("NEURORAMA_PYTHON_DIR"); e && *e) return e;
    const std::string installed = exeDir() + "/../share/neurorama/python";
    if (fileExists(installed + "/neurorama_stream.py")) return installed;
#ifdef NR_PYTHON_SOURCE_DIR
    return NR_PYTHON_SOURCE_DIR;
#else
    return installed;
#endif
}

Status checkNeuronModel(const ModelDescription& d) {
    auto unsupported = [&](const std::string& what) {
        return Error{
            d.model, 0,
            "NEURON's built-in mechanisms cannot run this model as Neurorama does: " + what +
                " (the NEURON model runs LIF cells with conductance, current or delta synapses: "
                "coba, brunel, attractor, demo and connectome models; or give a NEURON script ending "
                "in .py)"};
    };
    for (const auto& p : d.populations) {
        if (p.kind >= d.cellKinds.size()) return unsupported("population '" + p.name + "' has no cell kind");
        const NeuronParams& q = d.cellKinds[p.kind].p;
        if (q.type != NeuronType::LIF) return unsupported("population '" + p.name + "' is not LIF");
        if (q.noiseSigma > 0) return unsupported("population '" + p.name + "' has white-noise input");
    }
    return std::nullopt;
}

Status writeNetworkFile(const Network& net, const std::string& path) {
    const ModelDescription d = describeNetwork(net);
    if (auto e = checkNeuronModel(d)) return e;
    return writeModelDescription(d, path);
}

namespace {

Status copyFile(const std::string& from, const std::string& to) {
    std::FILE* in = std::fopen(from.c_str(), "rb");
    if (!in) return Error{from, 0, std::string("cannot read: ") + std::strerror(errno)};
    std::FILE* out = std::fopen(to.c_str(), "wb");
    if (!out) {
        std::fclose(in);
        return Error{to, 0, std::string("cannot write: ") + std::strerror(errno)};
    }
    char buf[65536];
    size_t n = 0;
    bool bad = false;
    while ((n = std::fread(buf, 1, sizeof buf, in)) > 0) bad = bad || std::fwrite(buf, 1, n, out) != n;
    std::fclose(in);
    if (std::fclose(out) != 0 || bad) return Error{to, 0, "write failed (disk full?)"};
    return std::nullopt;
}

Status writeText(const std::string& path, const std::string& text) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return Error{path, 0, std::string("cannot write: ") + std::strerror(errno)};
    const bool bad = std::fwrite(text.data(), 1, text.size(), f) != text.size();
    if (std::fclose(f) != 0 || bad) return Error{path, 0, "write failed (disk full?)"};
    return std::nullopt;
}

} // namespace

Status exportNeuronModel(const ModelDescription& d, const std::string& dir, const NeuronExportOptions& o) {
    if (auto e = checkNeuronModel(d)) return e;
    if (!(o.seconds > 0) || !std::isfinite(o.seconds))
        return Error{dir, 0, "the run length must be a positive number of seconds"};
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
        return Error{dir, 0, std::string("cannot make the folder: ") + std::strerror(errno)};
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return Error{dir, 0, "not a folder"};
    if (auto e = writeModelDescription(d, dir + "/model.json")) return e;
    const std::string py = neuronPythonDir();
    for (const char* f : {"neurorama_network.py", "neurorama_stream.py"})
        if (auto e = copyFile(py + "/" + f, dir + "/" + f)) return e;
    const std::string tstop = fmt(o.seconds * 1e3);
    std::string run = R"("""Runs the Neurorama model in model.json on NEURON, on any number of MPI ranks:

    mpirun -n 2 nrniv -mpi -python run.py

Each rank writes the spikes of its cells to spikes.rankR.txt ("gid time_ms" lines). Settings in the JSON object
NEURORAMA_PARAMS override the defaults below (tstop in ms, seed, out); with NEURORAMA_STREAM set (host:port of
Neurorama's Simulation > Attach...) the spikes are also streamed live.
"""
import json
import os
import runpy
import sys

try:
    here = os.path.dirname(os.path.abspath(__file__))
except NameError:  # some nrniv versions run the script without __file__
    here = os.getcwd()
# neurorama_network.py and neurorama_stream.py: the copies beside this script, else the installed ones.
for folder in (here, "/usr/share/neurorama/python", "/usr/local/share/neurorama/python"):
    if os.path.exists(os.path.join(folder, "neurorama_network.py")):
        break
sys.path.insert(0, folder)
params = {"mode": "file", "network": os.path.join(here, "model.json"), "tstop": TSTOP, "seed": SEED,
          "out": os.path.join(here, "spikes")}
params.update(json.loads(os.environ.get("NEURORAMA_PARAMS") or "{}"))
os.environ["NEURORAMA_PARAMS"] = json.dumps(params)
runpy.run_path(os.path.join(folder, "neurorama_network.py"), run_name="__main__")
)";
    run.replace(run.find("TSTOP"), 5, tstop);
    run.replace(run.find("SEED"), 4, std::to_string(d.seed));
    if (auto e = writeText(dir + "/run.py", run)) return e;
    const std::string ranks = std::to_string(o.ranks);
    std::ostringstream readme;
    readme
        << "Neurorama model '" << d.model << "' for NEURON (" << d.cellCount() << " cells, "
        << d.synapseCount() << " synapses, dt " << d.dt << " ms, seed " << d.seed << ").\n\n"
        << "Files:\n"
        << "  model.json            the model description (format: Neurorama's docs/NEURON_STREAM.md)\n"
        << "  run.py                runs it for " << tstop << " ms of model time\n"
        << "  neurorama_network.py  builds the cells and synapses in NEURON\n"
        << "  neurorama_stream.py   streams spikes to Neurorama while the model runs (optional)\n\n"
        << "Needs the Debian packages " << kNeuronPackages << ". Run, in this folder:\n\n"
        << "  mpirun -n " << ranks << " nrniv -mpi -python run.py\n\n"
        << "(as root, add --allow-run-as-root after mpirun; with more ranks than cores, --oversubscribe;\n"
        << "nrniv loads the python3 first on PATH; Debian's python3-neuron is the one in /usr/bin).\n"
        << "Each rank writes spikes.rankR.txt, one \"gid time_ms\" line per spike. Longer run, another "
           "seed:\n\n"
        << "  NEURORAMA_PARAMS='{\"tstop\": 5000, \"seed\": 2}' mpirun -n " << ranks
        << " -x NEURORAMA_PARAMS nrniv -mpi -python run.py\n\n"
        << "To watch it live, choose Simulation > Attach... in Neurorama, then run with\n"
        << "NEURORAMA_STREAM=host:port (and NEURORAMA_TOKEN when Neurorama asks for one) exported with -x.\n";
    return writeText(dir + "/README.txt", readme.str());
}

NeuronProcess::~NeuronProcess() {
    if (pid_ > 0 && running()) stop(1);
}

Status NeuronProcess::start(const NeuronLaunch& l) {
    if (auto e = checkNeuronTools()) return e;
    if (!fileExists(l.script)) return Error{l.script, 0, "the model script does not exist"};
    if (!l.hostfile.empty() && !fileExists(l.hostfile))
        return Error{l.hostfile, 0, "the hostfile does not exist"};
    if (l.ranks < 1 || l.ranks > 4096) return Error{"simulate", 0, "--ranks needs 1 to 4096 ranks"};
    std::vector<std::string> env;
    const std::string py = neuronPythonDir();
    for (char** e = environ; *e; ++e) {
        const std::string s = *e;
        if (s.rfind("NEURORAMA_", 0) == 0 && s.rfind("NEURORAMA_PYTHON_DIR=", 0) != 0) continue;
        if (s.rfind("PYTHONPATH=", 0) == 0 || s.rfind("PATH=", 0) == 0) continue;
        env.push_back(s);
    }
    const char* pp = std::getenv("PYTHONPATH");
    env.push_back("PYTHONPATH=" + py + (pp && *pp ? ":" + std::string(pp) : std::string()));
    // nrniv loads the Python found first on PATH; Debian's python3-neuron is built for /usr/bin/python3.
    const char* path = std::getenv("PATH");
    env.push_back(std::string("PATH=") + (::access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin:" : "") +
                  (path ? path : "/bin"));
    env.push_back("NEURORAMA_STREAM=" + l.address);
    env.push_back("NEURORAMA_TOKEN=" + l.token);
    env.push_back("NEURORAMA_RUN_ID=" + std::to_string(l.runId));
    env.push_back("NEURORAMA_INTERVAL_MS=" + fmt(l.intervalMs));
    env.push_back("NEURORAMA_PARAMS=" + l.params);
    if (::geteuid() == 0) { // Open MPI refuses root without both
        env.push_back("OMPI_ALLOW_RUN_AS_ROOT=1");
        env.push_back("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1");
    }
    std::vector<std::string> args = {"mpirun", "-n", std::to_string(l.ranks)};
    if (!l.hostfile.empty()) {
        args.insert(args.end(), {"--hostfile", l.hostfile});
    } else if (long(l.ranks) > ::sysconf(_SC_NPROCESSORS_ONLN)) {
        args.push_back("--oversubscribe");
    }
    // Ranks waiting in MPI give the processor away instead of spinning (the run shares the machine with the
    // window and, on a laptop, with everything else).
    args.insert(args.end(), {"--mca", "mpi_yield_when_idle", "1"});
    for (const char* v : {"NEURORAMA_STREAM", "NEURORAMA_TOKEN", "NEURORAMA_RUN_ID", "NEURORAMA_INTERVAL_MS",
                          "NEURORAMA_PARAMS", "PYTHONPATH", "PATH"})
        args.insert(args.end(), {"-x", v});
    args.insert(args.end(), {"nrniv", "-nobanner", "-mpi", "-python", l.script});
    std::vector<char*> argv, envp;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) return Error{"simulate", 0, std::string("cannot start mpirun: ") + std::strerror(errno)};
    if (pid == 0) {
        ::setpgid(0, 0); // Stop signals the whole group: mpirun and every local rank
        const int out = l.quiet ? ::open("/dev/null", O_WRONLY) : 2;
        ::dup2(out, 1); // rank output never mixes with the summary line on stdout
        if (l.quiet) ::dup2(out, 2);
        const int in = ::open("/dev/null", O_RDONLY);
        ::dup2(in, 0);
        ::execvpe("mpirun", argv.data(), envp.data());
        _exit(127);
    }
    ::setpgid(pid, pid);
    pid_ = pid;
    code_ = -1;
    return std::nullopt;
}

bool NeuronProcess::running() {
    if (pid_ <= 0 || code_ >= 0) return false;
    int st = 0;
    const pid_t r = ::waitpid(pid_, &st, WNOHANG);
    if (r == 0) return true;
    code_ = r < 0 ? 255 : WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    // Ranks left behind by a killed mpirun
    ::kill(-pid_, SIGKILL);
    return false;
}

void NeuronProcess::stop(double graceSeconds) {
    if (!running()) return;
    ::kill(-pid_, SIGTERM);
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(graceSeconds);
    while (running() && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (running()) {
        ::kill(-pid_, SIGKILL);
        int st = 0;
        ::waitpid(pid_, &st, 0);
        code_ = 128 + SIGKILL;
    }
}

Result<NeuronEngineResult> runNeuronEngine(const NeuronEngineOptions& o,
                                           const std::function<void(uint32_t, double)>& onSpike,
                                           std::ostream& log) {
    if (auto e = checkNeuronTools()) return *e;
    const std::string py = neuronPythonDir();
    std::string script = py + "/neurorama_network.py";
    const double tstop = o.seconds * 1e3;
    std::string params = "{\"tstop\": " + fmt(tstop) + ", \"seed\": " + std::to_string(o.req.seed) +
                         ", \"dt\": " + fmt(o.req.dt);
    std::string tmpDir;
    const std::string& m = o.req.model;
    if (m.size() > 3 && m.compare(m.size() - 3, 3, ".py") == 0) {
        script = m;
        if (!fileExists(script)) return Error{script, 0, "the model script does not exist"};
    } else if (m == "ei") {
        params += ", \"mode\": \"ei\", \"cells\": " + std::to_string(o.req.neurons ? o.req.neurons : 10000);
    } else {
        auto desc = describeModel(o.req);
        if (!desc) return desc.error();
        if (auto e = checkNeuronModel(desc.value())) return *e;
        char tmpl[] = "/tmp/neurorama-neuron-XXXXXX";
        if (!::mkdtemp(tmpl))
            return Error{"simulate", 0,
                         std::string("cannot make a temporary folder: ") + std::strerror(errno)};
        tmpDir = tmpl;
        const std::string netPath = tmpDir + "/model.json";
        if (auto e = writeModelDescription(desc.value(), netPath)) {
            ::unlink(netPath.c_str());
            ::rmdir(tmpDir.c_str());
            return *e;
        }
        params += ", \"mode\": \"file\", \"network\": \"" + jsonEscape(netPath) + "\"";
    }
    params += "}";
    if (!fileExists(script))
        return Error{script, 0,
                     "the NEURON model script is missing (set NEURORAMA_PYTHON_DIR to the folder with "
                     "neurorama_network.py)"};
    auto cleanup = [&] {
        if (tmpDir.empty()) return;
        ::unlink((tmpDir + "/model.json").c_str());
        ::rmdir(tmpDir.c_str());
    };
    NeuronStreamServer server;
    std::random_device rd;
    std::string token;
    for (int i = 0; i < 32; ++i) token += "0123456789abcdef"[rd() % 16];
    const bool remote = !o.hostfile.empty();
    if (auto e = server.listen(remote ? "0.0.0.0" : "127.0.0.1", 0, token)) {
        cleanup();
        return *e;
    }
    std::string host = "127.0.0.1";
    if (remote) {
        char hn[256] = {};
        ::gethostname(hn, sizeof hn - 1);
        host = hn;
    }
    NeuronEngineResult res;
    server.setSpikeSink([&](uint32_t, const StreamSpike* s, size_t n) {
        for (size_t i = 0; i < n; ++i) onSpike(s[i].gid, s[i].tMs * 1e-3);
    });
    NeuronLaunch l;
    l.script = script;
    l.ranks = o.ranks;
    l.hostfile = o.hostfile;
    l.params = params;
    l.address = host + ":" + std::to_string(server.port());
    l.token = token;
    l.runId = (uint64_t(rd()) << 20) ^ uint64_t(rd()) ^ 1;
    l.intervalMs = o.intervalMs;
    NeuronProcess proc;
    const auto t0 = std::chrono::steady_clock::now();
    if (auto e = proc.start(l)) {
        cleanup();
        return *e;
    }
    // Until mpirun has exited and every connection is drained (late bytes get 2 s after the exit).
    int idleRounds = 0;
    while (proc.running() || server.openConnections() > 0) {
        const bool alive = proc.running();
        server.poll(alive ? 50 : 200);
        for (const auto& msg : server.takeMessages()) log << "neuron: " << msg << std::endl;
        if (!alive && ++idleRounds > 10) break;
    }
    server.poll(0);
    for (const auto& msg : server.takeMessages()) log << "neuron: " << msg << std::endl;
    res.wallSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    cleanup();
    if (proc.exitCode() != 0)
        return Error{script, 0,
                     "mpirun exited with status " + std::to_string(proc.exitCode()) +
                         " (the ranks' messages are above); " + std::to_string(server.spikes()) +
                         " spikes arrived"};
    if (!server.allEnded())
        return Error{script, 0,
                     "the run ended but not every rank sent its end of run (" +
                         std::to_string(server.rankStates().size()) + " of " + std::to_string(o.ranks) +
                         " ranks connected); does the script use neurorama_stream.Stream?"};
    res.spikes = server.spikes();
    res.cells = server.cells();
    res.dropped = server.droppedBatches();
    res.missing = server.missingBatches();
    res.rateHz = res.cells ? double(res.spikes) / (double(res.cells) * o.seconds) : 0;
    return res;
}

} // namespace nr
