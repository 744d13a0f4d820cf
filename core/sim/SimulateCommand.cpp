#include "sim/SimulateCommand.h"

#include "io/TrialIO.h"

#include "io/SpikeIO.h"
#include "sim/Models.h"
#include "sim/NeuronRun.h"
#include "sim/Simulation.h"

#include "io/MemoryBudget.h"
#include "model/FileKind.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sys/stat.h>
#include <thread>

namespace nr {

namespace {

bool parseDouble(const std::string& s, double& v) {
    char* end = nullptr;
    v = std::strtod(s.c_str(), &end);
    return !s.empty() && *end == '\0' && std::isfinite(v);
}

// Whole-string decimal integer in [0, 2^64); false on signs, other text and out-of-range values.
bool parseUnsigned(const std::string& s, unsigned long long& v, bool& outOfRange) {
    outOfRange = false;
    if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos) return false;
    errno = 0;
    char* end = nullptr;
    v = std::strtoull(s.c_str(), &end, 10);
    if (errno == ERANGE) {
        outOfRange = true;
        return false;
    }
    return *end == '\0';
}

// Most steps one command runs (10^9: 28 hours of simulated time at the default 0.1 ms).
constexpr double kMaxSteps = 1e9;

// Spikes written as they happen, so a long run needs no memory for them. NPY gets its row count at the end
// (the header's shape is written with room for any count, then rewritten).
class SpikeStream {
public:
    ~SpikeStream() {
        if (f_) std::fclose(f_);
    }
    Status open(const std::string& path) {
        path_ = path;
        npy_ = path.size() >= 4 && path.compare(path.size() - 4, 4, ".npy") == 0;
        f_ = std::fopen(path.c_str(), "wb");
        if (!f_) return Error{path, 0, "cannot open the file for writing"};
        if (npy_) {
            const std::string h = header(0);
            std::fwrite(h.data(), 1, h.size(), f_);
        } else {
            std::fputs("unit,time_s\n", f_);
        }
        return std::nullopt;
    }
    void add(uint32_t unit, double t) {
        ++rows_;
        if (npy_) {
            const double row[2] = {double(unit), t};
            std::fwrite(row, sizeof(double), 2, f_); // little-endian hosts
        } else {
            char buf[64];
            const int len = std::snprintf(buf, sizeof buf, "%u,%.17g\n", unit, t);
            std::fwrite(buf, 1, size_t(len), f_);
        }
    }
    Status close() {
        if (npy_ && std::fseek(f_, 0, SEEK_SET) == 0) {
            const std::string h = header(rows_);
            std::fwrite(h.data(), 1, h.size(), f_);
        }
        const bool bad = std::ferror(f_) != 0;
        const int rc = std::fclose(f_);
        f_ = nullptr;
        if (rc != 0 || bad) return Error{path_, 0, "write failed (disk full?)"};
        return std::nullopt;
    }

private:
    static std::string header(uint64_t rows) {
        char shape[96];
        std::snprintf(shape, sizeof shape, "{'descr': '<f8', 'fortran_order': False, 'shape': (%20llu, 2), }",
                      (unsigned long long)rows);
        std::string h = shape;
        const size_t total = 10 + h.size() + 1;
        h.append((64 - total % 64) % 64, ' ');
        h.push_back('\n');
        std::string out = "\x93NUMPY";
        out.push_back(1);
        out.push_back(0);
        out.push_back(char(h.size() & 0xff));
        out.push_back(char(h.size() >> 8));
        return out + h;
    }
    std::string path_;
    std::FILE* f_ = nullptr;
    bool npy_ = false;
    uint64_t rows_ = 0;
};

int fail(std::ostream& err, const Error& e) {
    err << e.str() << std::endl;
    return 2;
}

int usage(std::ostream& err, const std::string& reason) {
    return fail(err,
                Error{"simulate", 0,
                      reason + " (usage: simulate MODEL [--seconds T] [--seed S] [--neurons N] [--dt MS] "
                               "[--param name=value ...] [--out spikes.csv|.npy] [--trials PREFIX] "
                               "[--threads N] [--engine embedded|neuron --ranks K --hostfile F])"});
}

} // namespace

int runSimulateCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    if (args.empty()) return usage(err, "missing MODEL (coba, brunel, attractor, demo or a connectome file)");
    ModelRequest req;
    req.model = args[0];
    if (req.model.size() > 1 && req.model[0] == '-')
        return usage(err, "the first argument must be the MODEL");
    double seconds = 1.0;
    std::string outPath, trialsPrefix, engine = "embedded", hostfile;
    int ranks = 1;
    unsigned threads = 1; // 0: every core
    bool threadsGiven = false;
    for (size_t i = 1; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&](std::string& v) -> bool {
            if (i + 1 >= args.size()) return false;
            v = args[++i];
            return true;
        };
        std::string v;
        if (a == "--seconds") {
            if (!value(v) || !parseDouble(v, seconds) || seconds <= 0)
                return usage(err, "--seconds needs a positive number of seconds");
        } else if (a == "--seed") {
            unsigned long long s;
            bool range = false;
            if (!value(v) || !parseUnsigned(v, s, range))
                return usage(err, range ? "--seed " + v + " is out of range (at most 18446744073709551615)"
                                        : std::string("--seed needs a non-negative integer"));
            req.seed = s;
        } else if (a == "--neurons") {
            unsigned long long s;
            bool range = false;
            if (!value(v) || !parseUnsigned(v, s, range) || s == 0)
                return usage(err, range ? "--neurons " + v + " is out of range"
                                        : std::string("--neurons needs a positive integer"));
            req.neurons = size_t(s);
        } else if (a == "--dt") {
            if (!value(v) || !parseDouble(v, req.dt) || req.dt <= 0)
                return usage(err, "--dt needs a positive number of milliseconds");
        } else if (a == "--param") {
            if (!value(v)) return usage(err, "--param needs name=value");
            const size_t eq = v.find('=');
            if (eq == std::string::npos || eq == 0)
                return usage(err, "--param needs name=value, got '" + v + "'");
            const std::string name = v.substr(0, eq), val = v.substr(eq + 1);
            double x;
            if (name == "rule" && (val == "class" || val == "type" || val == "fraction"))
                x = val == "class" ? 0 : val == "type" ? 1 : 2;
            else if (!parseDouble(val, x))
                return usage(err, "--param " + name + " needs a number, got '" + val + "'");
            req.params.emplace_back(name, x);
        } else if (a == "--out") {
            if (!value(v)) return usage(err, "--out needs a file name ending in .csv or .npy");
            outPath = v;
            const std::string ext = outPath.size() >= 4 ? outPath.substr(outPath.size() - 4) : "";
            if (ext != ".csv" && ext != ".npy")
                return usage(err, "--out needs a file name ending in .csv or .npy");
        } else if (a == "--trials") {
            // Stimulus models: PREFIX_spikes.csv (unit, trial, time_s from trial start) + PREFIX_trials.csv.
            if (!value(trialsPrefix) || trialsPrefix.empty())
                return usage(err, "--trials needs a file prefix");
        } else if (a == "--engine") {
            if (!value(engine) || (engine != "embedded" && engine != "neuron"))
                return usage(err, "--engine needs 'embedded' or 'neuron'");
        } else if (a == "--ranks") {
            unsigned long long k;
            bool range = false;
            if (!value(v) || !parseUnsigned(v, k, range) || k < 1 || k > 4096)
                return usage(err, "--ranks needs 1 to 4096 MPI ranks");
            ranks = int(k);
        } else if (a == "--threads") {
            unsigned long long k;
            bool range = false;
            if (!value(v) || !parseUnsigned(v, k, range) || k > 256)
                return usage(err, "--threads needs 0 (every core) to 256 threads");
            threads = unsigned(k);
            threadsGiven = true;
        } else if (a == "--hostfile") {
            if (!value(hostfile) || hostfile.empty())
                return usage(err, "--hostfile needs an Open MPI hostfile");
            if (!fileExists(hostfile)) return fail(err, Error{hostfile, 0, "the hostfile does not exist"});
        } else {
            return usage(err, "unknown argument '" + a + "'");
        }
    }
    if (engine != "neuron" && (ranks != 1 || !hostfile.empty()))
        return usage(err, "--ranks and --hostfile need --engine neuron");
    if (engine == "neuron" && threadsGiven)
        return usage(err, "--threads is for the embedded engine (NEURON runs on --ranks)");
    if (engine == "neuron") {
        if (!trialsPrefix.empty()) return usage(err, "--trials needs the embedded engine");
        NeuronEngineOptions o;
        o.req = req;
        o.seconds = seconds;
        o.ranks = ranks;
        o.hostfile = hostfile;
        SpikeStream stream;
        if (!outPath.empty())
            if (auto e = stream.open(outPath)) return fail(err, *e);
        auto r = runNeuronEngine(
            o,
            [&](uint32_t gid, double t) {
                if (!outPath.empty()) stream.add(gid, t);
            },
            err);
        if (!outPath.empty())
            if (auto e = stream.close(); e && r) return fail(err, *e);
        if (!r) return fail(err, r.error());
        const auto& x = r.value();
        if (x.dropped || x.missing)
            err << "simulate: " << x.dropped << " display batches dropped by the model, " << x.missing
                << " lost in transit" << std::endl;
        out << "engine=neuron ranks=" << ranks << " spikes=" << x.spikes << " rate_hz=" << x.rateHz
            << " wall_s=" << x.wallSeconds << " cells=" << x.cells << std::endl;
        return 0;
    }
    const auto names = modelNames();
    if (req.model == "ei")
        return fail(err,
                    Error{"simulate", 0, "model 'ei' (the example NEURON network) needs --engine neuron"});
    if (std::find(names.begin(), names.end(), req.model) == names.end() && !fileExists(req.model)) {
        std::string list;
        for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
        return fail(err, Error{"simulate", 0,
                               "unknown model '" + req.model + "': the models are " + list +
                                   ", or give the path of a connectome file"});
    }
    // Bound the work before building anything.
    const double steps = seconds * 1e3 / req.dt;
    if (!(steps <= kMaxSteps))
        return usage(err, "--seconds " + std::to_string(seconds) + " at --dt " + std::to_string(req.dt) +
                              " ms is " + std::to_string(steps) +
                              " steps, more than the limit of 1e9; raise --dt or lower --seconds");
    if (steps < 1) return usage(err, "--seconds is shorter than one step of --dt");
    auto net = buildModel(req);
    if (!net) return fail(err, net.error());
    Simulation sim;
    if (auto e = sim.init(std::move(net.value()), req.seed)) return fail(err, *e);
    // Spikes for --out are streamed to the file; only --trials keeps them in memory (checked as they grow).
    sim.recordAllSpikes(!trialsPrefix.empty());
    // Nothing here reads the population-rate bins: without them memory does not grow with --seconds.
    sim.recordPopulationRate(false);
    SpikeStream stream;
    if (!outPath.empty())
        if (auto e = stream.open(outPath)) return fail(err, *e);
    const uint64_t budget = memoryBudgetBytes();
    const auto t0 = std::chrono::steady_clock::now();
    const uint64_t total =
        uint64_t(std::llround(seconds * 1e3 / sim.dt())); // a description file has its own dt
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    sim.setThreads(int(threads));
    if (threads > 1 && trialsPrefix.empty()) {
        // run() splits the neurons over the threads (the same spikes as on one thread, in the same order);
        // it records into the simulation's spike trains, which are written out and emptied every chunk.
        sim.recordAllSpikes(!outPath.empty());
        const uint64_t chunk = 1000;
        int used = 1;
        for (uint64_t k = 0; k < total && !sim.diverged();) {
            const uint64_t n = std::min(chunk, total - k);
            const uint64_t done = sim.run(double(n) * sim.dt());
            used = std::max(used, sim.lastRunThreads());
            const SpikeTrains& st = sim.spikes();
            for (size_t j = 0; j < st.times.size(); ++j) stream.add(st.units[j], st.times[j]);
            sim.dropRecordedSpikes();
            if (done == 0) break;
            k += done;
        }
        threads = unsigned(used);
    } else {
        threads = 1;
        for (uint64_t k = 0; k < total && !sim.diverged(); ++k) {
            sim.step();
            if (!outPath.empty() && !sim.lastSpikes().empty()) {
                const double t = double(sim.stepCount() - 1) * sim.dt() * 1e-3;
                for (uint32_t i : sim.lastSpikes()) stream.add(i, t);
            }
            if (!trialsPrefix.empty() && (k & 1023) == 0 && sim.spikes().spikeCount() * 24 > budget)
                return fail(err,
                            Error{"simulate", 0,
                                  "--trials: the recorded spikes need more than the memory limit of " +
                                      mibText(budget) + " MiB after " + std::to_string(sim.timeMs() * 1e-3) +
                                      " s; lower --seconds or --neurons"});
        }
    }
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!outPath.empty())
        if (auto e = stream.close()) return fail(err, *e);
    if (!trialsPrefix.empty()) {
        std::vector<TrialEpoch> done;
        for (const TrialEpoch& e : sim.network().stimulus.epochs)
            if (e.stop <= sim.timeMs() * 1e-3) done.push_back(e);
        if (done.empty())
            return fail(err, Error{"simulate", 0,
                                   "--trials: model '" + req.model + "' completed no stimulus trials in " +
                                       std::to_string(seconds) + " s"});
        SpikeTrains st = sim.spikes();
        const TrialData td = trialDataFromEpochs(st, done);
        if (auto e = writeTrialCsv(td, trialsPrefix + "_spikes.csv", trialsPrefix + "_trials.csv"))
            return fail(err, *e);
    }
    if (sim.diverged()) err << "simulate: " << sim.divergeReason() << std::endl;
    out << "spikes=" << sim.totalSpikes() << " rate_hz=" << sim.meanRateHz() << " wall_s=" << wall
        << " engine=embedded threads=" << threads << std::endl;
    return sim.diverged() ? 3 : 0;
}

} // namespace nr
