// COBA benchmark (Vogels & Abbott 2005, as in Brette et al. 2007): our simulator against Brian2's C++
// standalone mode on the same network, 10 s simulated, dt = 0.1 ms, single thread, spikes recorded.
// Then the cost per simulated second of COBA-like networks with 1,000 synapses per neuron.
// Each side runs 3 times and the medians are compared. Brian2's standalone
// program times its run loop with std::clock() (process CPU time; the figure it reports as wall), so
// ours is timed the same way for the ratio; our real wall time is printed as well.
// Brian2 compiles once per thread count and runs the compiled program 3 times (its first run is the shared
// script's own). A second line runs Brian2 standalone on 2 OpenMP threads (its wall time, omp_get_wtime())
// against ours on 2 threads (wall time): ratio_all_cores. Brian2's command runs without OPENBLAS_CORETYPE /
// OPENBLAS_L2_SIZE, like every peer. Prints key=value lines; the last is ratio = Brian2 run time / our run
// time (both std::clock(), one thread). Exits non-zero when the mean rates of the two simulators differ by
// more than 15 %, or when our 2-thread run does not give the same spikes as the one-thread run.
// --ours-only: our runs alone (no Brian2, no ratio), e.g. to compare changes of the simulator.
#include "BenchCommon.h"
#include "sim/Models.h"
#include "sim/Simulation.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <string>

namespace {

double now() {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

// The number after `key` (e.g. "wall=") in a line starting with "brian2 ", or NaN.
double field(const std::string& line, const std::string& key) {
    const size_t p = line.find(key);
    if (p == std::string::npos) return NAN;
    return std::strtod(line.c_str() + p + key.size(), nullptr);
}

struct Run {
    double wall = 0, cpu = 0, rate = 0;
    uint64_t spikes = 0;
    bool ok = false;
    std::string error;
};

Run runOurs(const nr::ModelRequest& req, double seconds, int threads = 1) {
    Run r;
    auto net = nr::buildModel(req);
    if (!net) {
        r.error = net.error().str();
        return r;
    }
    nr::Simulation sim;
    if (auto e = sim.init(std::move(net.value()), req.seed)) {
        r.error = e->str();
        return r;
    }
    sim.setThreads(threads);
    const double t0 = now();
    const std::clock_t c0 = std::clock();
    sim.run(seconds * 1e3);
    r.cpu = double(std::clock() - c0) / CLOCKS_PER_SEC;
    r.wall = now() - t0;
    r.spikes = sim.spikes().spikeCount();
    r.rate = sim.meanRateHz();
    r.ok = !sim.diverged() && sim.lastRunThreads() == threads;
    if (!r.ok)
        r.error = sim.diverged() ? sim.divergeReason()
                                 : "ran on " + std::to_string(sim.lastRunThreads()) + " threads";
    return r;
}

// Brian2 runs (one compilation, `reps` runs of the program): wall times (the figure the standalone program
// reports) and the first run's spike count, or an error.
struct PeerResult {
    std::vector<double> walls;
    double spikes = NAN;
    std::string error;
};
PeerResult runBrian(const std::string& cmd, size_t reps) {
    PeerResult p;
    const bench::PeerRun r = bench::runPeer(cmd + " 2>&1");
    size_t pos = 0;
    while ((pos = r.output.find("brian2 ", pos)) != std::string::npos) {
        const size_t end = r.output.find('\n', pos);
        const std::string line =
            r.output.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
        const double w = field(line, "wall="), sp = field(line, "spikes=");
        if (std::isfinite(w) && w > 0) p.walls.push_back(w);
        if (!std::isfinite(p.spikes)) p.spikes = sp;
        pos += 7;
    }
    if (r.status != 0 || p.walls.size() != reps || !std::isfinite(p.spikes)) {
        p.error = r.output.size() > 400 ? r.output.substr(r.output.size() - 400) : r.output;
        if (p.error.empty()) p.error = "no output from " + cmd;
        for (char& c : p.error)
            if (c == '\n') c = ' ';
    }
    return p;
}

} // namespace

int main(int argc, char** argv) {
    const bool oursOnly = argc > 1 && std::string(argv[1]) == "--ours-only";
    bench::printLoad("before");
    const double T = 10.0;
    // The machine may be shared: each side runs 3 times and the medians are compared.
    const int kRepeats = 3;
    nr::ModelRequest req;
    req.model = "coba";
    req.seed = 1;
    Run ours;
    std::vector<double> ourCpu, ourWall;
    for (int k = 0; k < kRepeats; ++k) {
        const Run r = runOurs(req, T);
        if (!r.ok) {
            ours = r;
            break;
        }
        ours = r;
        ourCpu.push_back(r.cpu);
        ourWall.push_back(r.wall);
    }
    if (!ours.ok) {
        std::cout << "our_error=" << ours.error << "\nratio=nan" << std::endl;
        return 1;
    }
    const double oursCpu = bench::median(ourCpu), oursWall = bench::median(ourWall);
    std::cout << "our_threads=1\nour_wall_s=" << oursWall << "\nour_cpu_s=" << oursCpu
              << "\nour_cpu_runs_s=" << bench::joined(ourCpu) << "\nour_spikes=" << ours.spikes
              << "\nour_rate_hz=" << ours.rate << "\nrepeats=" << kRepeats << std::endl;

    // Ours on 2 threads (wall time); the spikes must be the same as on one thread.
    std::vector<double> our2Wall;
    Run ours2;
    for (int k = 0; k < kRepeats; ++k) {
        ours2 = runOurs(req, T, 2);
        if (!ours2.ok) break;
        our2Wall.push_back(ours2.wall);
    }
    if (!ours2.ok) {
        std::cout << "our_error_2t=" << ours2.error << "\nratio=nan" << std::endl;
        return 1;
    }
    const double ours2Wall = bench::median(our2Wall);
    const bool sameSpikes = ours2.spikes == ours.spikes && ours2.rate == ours.rate;
    std::cout << "our_threads_all_cores=2\nour_2t_wall_s=" << ours2Wall
              << "\nour_2t_wall_runs_s=" << bench::joined(our2Wall) << "\nour_2t_spikes=" << ours2.spikes
              << "\nour_2t_same_spikes=" << (sameSpikes ? 1 : 0) << std::endl;
    if (!sameSpikes) {
        std::cerr << "2-thread run gave " << ours2.spikes << " spikes, one thread " << ours.spikes
                  << std::endl;
        return 2;
    }
    if (oursOnly) {
        bench::printLoad("after");
        return 0;
    }

    // Brian2 C++ standalone: the shared script on one thread, then on 2 OpenMP threads; each compiled once
    // and run kRepeats times (tests/benchmarks/coba_brian2_runs.py).
    const std::string runs = "/usr/bin/python3 " + std::string(NR_BENCH_SOURCE_DIR) + "/coba_brian2_runs.py ";
    const std::string tail =
        " " + std::to_string(kRepeats) + " " + NR_SHARED_DIR + "/bench/coba_brian2.py standalone 10 1";
    std::vector<double> bWalls[2];
    double bSpikes = NAN;
    for (int t = 0; t < 2; ++t) {
        const PeerResult p = runBrian(runs + (t == 0 ? "0" : "2") + tail, size_t(kRepeats));
        if (!p.error.empty()) {
            std::cout << "brian2_error=" << p.error << "\nratio=nan" << std::endl;
            return 1;
        }
        bWalls[t] = p.walls;
        if (t == 0) bSpikes = p.spikes;
    }
    const double bWall = bench::median(bWalls[0]), bWall2 = bench::median(bWalls[1]);
    const double bRate = bSpikes / (4000.0 * T);
    // Relative difference of the mean rates; more than 15 % means the two simulators disagree (a NaN, e.g.
    // from a silent Brian2 network, counts as a disagreement too).
    constexpr double kRateTolerance = 0.15;
    const double rateDiff = std::fabs(ours.rate - bRate) / bRate;
    const bool ratesAgree = rateDiff <= kRateTolerance;
    std::cout << "peer=brian2_cpp_standalone\nbrian2_threads_1t=1\nbrian2_wall_s=" << bWall
              << "\nbrian2_runs_s=" << bench::joined(bWalls[0])
              << "\nbrian2_threads_omp=2\nbrian2_omp2_wall_s=" << bWall2
              << "\nbrian2_omp2_runs_s=" << bench::joined(bWalls[1]) << "\nbrian2_spikes=" << bSpikes
              << "\nbrian2_rate_hz=" << bRate << "\nrate_agreement=" << rateDiff
              << "\nrates_agree=" << (ratesAgree ? 1 : 0) << std::endl;

    // COBA-like networks with 1,000 synapses per neuron; weights scaled by 80 / 1000 so each neuron
    // gets the same mean input as in COBA (80 synapses). Simulated time shortened for the large ones.
    // CPU seconds (std::clock()) per simulated second.
    const struct {
        const char* key;
        size_t n;
        double seconds;
    } sizes[] = {{"10k", 10000, 1.0}, {"50k", 50000, 0.4}, {"100k", 100000, 0.2}};
    for (const auto& s : sizes) {
        nr::ModelRequest r;
        r.model = "coba";
        r.seed = 1;
        r.neurons = s.n;
        r.params = {{"p", 1000.0 / double(s.n)}, {"we", 0.6 * 0.08}, {"wi", 6.7 * 0.08}};
        const Run x = runOurs(r, s.seconds);
        if (!x.ok) {
            std::cout << "error_" << s.key << "=" << x.error << std::endl;
            continue;
        }
        std::cout << "sec_per_sim_s_" << s.key << "=" << x.cpu / s.seconds << "\nrate_hz_" << s.key << "="
                  << x.rate << std::endl;
    }
    bench::printLoad("after");
    // Single thread: Brian2's std::clock() figure against ours. All cores: Brian2 on 2 OpenMP threads against
    // ours on 2 threads (wall times).
    std::cout << "ratio_single_thread=" << bWall / oursCpu << "\nratio_all_cores=" << bWall2 / ours2Wall
              << "\nratio=" << bWall / oursCpu << std::endl;
    if (!ratesAgree) {
        std::cerr << "mean rates disagree: ours " << ours.rate << " Hz, Brian2 " << bRate << " Hz ("
                  << rateDiff * 100 << " % > " << kRateTolerance * 100 << " %)" << std::endl;
        return 2;
    }
    return 0;
}
