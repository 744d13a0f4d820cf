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

Status writeNetworkFile(const Network& net, const std::string& path) {
    auto unsupported = [&](const std::string& what) {
        return Error{
            net.model, 0,
            "NEURON's built-in mechanisms cannot run this model as Neurorama does: " + what +
                " (--engine neuron runs conductance-based LIF networks: the connectome and demo models, "
                "coba; or give a NEURON script ending in .py)"};
    };
    for (const auto& p : net.populations) {
        if (p.p.type != NeuronType::LIF) return unsupported("population '" + p.name + "' is not LIF");
        if (p.p.noiseSigma > 0) return unsupported("population '" + p.name + "' has white-noise input");
    }
    for (const auto& c : net.channels)
        if (c.type != SynapseType::ConductanceExp)
            return unsupported("synapse channel '" + c.name + "' is not conductance-based");
    if (!net.stimulus.epochs.empty()) return unsupported("it has a stimulus schedule");
    double delayMs = -1;
    for (const auto& t : net.synapses) {
        if (!t.delay.empty()) return unsupported("it has per-synapse delays");
        if (t.target.empty()) continue;
        const double d = t.uniformDelay * net.dt;
        if (delayMs >= 0 && std::fabs(d - delayMs) > 1e-9)
            return unsupported("its channels have different delays");
        delayMs = d;
    }
    if (delayMs < 0) delayMs = net.dt;
    const auto& rates = net.poisson.rateHz;
    if (!rates.empty() && std::any_of(rates.begin(), rates.end(), [&](float r) { return r != rates[0]; }))
        return unsupported("its Poisson input rate differs between neurons");
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (!f) return Error{path, 0, std::string("cannot write the network file: ") + std::strerror(errno)};
    std::fprintf(f, "neurorama-network 1\n# model %s\nn %u\ndt %s\ndelay %s\n", net.model.c_str(), net.n,
                 fmt(net.dt).c_str(), fmt(delayMs).c_str());
    // population START SIZE tauM vRest vReset vThresh tRef drive v0Min v0Max
    for (const auto& p : net.populations)
        std::fprintf(f, "population %u %u %s %s %s %s %s %s %s %s\n", p.start, p.size, fmt(p.p.tauM).c_str(),
                     fmt(p.p.vRest).c_str(), fmt(p.p.vReset).c_str(), fmt(p.p.vThresh).c_str(),
                     fmt(p.p.tRef).c_str(), fmt(p.p.drive).c_str(), fmt(p.p.v0Min).c_str(),
                     fmt(p.p.v0Max).c_str());
    for (const auto& c : net.channels)
        std::fprintf(f, "channel %s %s %s\n", c.name.c_str(), fmt(c.tau).c_str(), fmt(c.erev).c_str());
    if (!rates.empty() && rates[0] > 0)
        std::fprintf(f, "poisson %u %s %s\n", net.poisson.channel, fmt(net.poisson.weight).c_str(),
                     fmt(rates[0]).c_str());
    for (size_t c = 0; c < net.synapses.size(); ++c) {
        const SynapseTable& t = net.synapses[c];
        for (uint32_t s = 0; s + 1 < t.off.size(); ++s)
            for (uint32_t k = t.off[s]; k < t.off[s + 1]; ++k)
                std::fprintf(f, "syn %zu %u %u %.9g\n", c, s, t.target[k], double(t.weight[k]));
    }
    for (uint32_t a = 0; a + 1 < net.gaps.off.size(); ++a)
        for (uint32_t k = net.gaps.off[a]; k < net.gaps.off[a + 1]; ++k)
            if (a < net.gaps.target[k]) // stored both ways; written once
                std::fprintf(f, "gap %u %u %.9g\n", a, net.gaps.target[k], double(net.gaps.g[k]));
    const bool bad = std::ferror(f) != 0;
    if (std::fclose(f) != 0 || bad) return Error{path, 0, "write failed (disk full?)"};
    return std::nullopt;
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
        auto net = buildModel(o.req);
        if (!net) return net.error();
        char tmpl[] = "/tmp/neurorama-neuron-XXXXXX";
        if (!::mkdtemp(tmpl))
            return Error{"simulate", 0,
                         std::string("cannot make a temporary folder: ") + std::strerror(errno)};
        tmpDir = tmpl;
        const std::string netPath = tmpDir + "/network.txt";
        if (auto e = writeNetworkFile(net.value(), netPath)) {
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
        ::unlink((tmpDir + "/network.txt").c_str());
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
