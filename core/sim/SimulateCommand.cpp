#include "sim/SimulateCommand.h"

#include "io/TrialIO.h"

#include "io/SpikeIO.h"
#include "sim/Models.h"
#include "sim/Simulation.h"

#include <chrono>
#include <cmath>
#include <cstdlib>

namespace nr {

namespace {

bool parseDouble(const std::string& s, double& v) {
    char* end = nullptr;
    v = std::strtod(s.c_str(), &end);
    return !s.empty() && *end == '\0' && std::isfinite(v);
}

bool parseUnsigned(const std::string& s, unsigned long long& v) {
    if (s.empty() || s[0] == '-') return false;
    char* end = nullptr;
    v = std::strtoull(s.c_str(), &end, 10);
    return *end == '\0';
}

int fail(std::ostream& err, const Error& e) {
    err << e.str() << std::endl;
    return 2;
}

int usage(std::ostream& err, const std::string& reason) {
    return fail(err,
                Error{"simulate", 0,
                      reason + " (usage: simulate MODEL [--seconds T] [--seed S] [--neurons N] [--dt MS] "
                               "[--param name=value ...] [--out spikes.csv|.npy] [--trials PREFIX])"});
}

} // namespace

int runSimulateCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    if (args.empty()) return usage(err, "missing MODEL (coba, brunel, attractor, demo or a connectome file)");
    ModelRequest req;
    req.model = args[0];
    if (req.model.size() > 1 && req.model[0] == '-')
        return usage(err, "the first argument must be the MODEL");
    double seconds = 1.0;
    std::string outPath, trialsPrefix;
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
            if (!value(v) || !parseUnsigned(v, s)) return usage(err, "--seed needs a non-negative integer");
            req.seed = s;
        } else if (a == "--neurons") {
            unsigned long long s;
            if (!value(v) || !parseUnsigned(v, s) || s == 0)
                return usage(err, "--neurons needs a positive integer");
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
        } else {
            return usage(err, "unknown argument '" + a + "'");
        }
    }
    auto net = buildModel(req);
    if (!net) return fail(err, net.error());
    Simulation sim;
    if (auto e = sim.init(std::move(net.value()), req.seed)) return fail(err, *e);
    const auto t0 = std::chrono::steady_clock::now();
    sim.run(seconds * 1e3);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!outPath.empty()) {
        SpikeTrains st = sim.spikes();
        st.tStart = 0;
        st.tStop = sim.timeMs() * 1e-3;
        if (auto e = writeSpikes(outPath, st)) return fail(err, *e);
    }
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
        << std::endl;
    return sim.diverged() ? 3 : 0;
}

} // namespace nr
