// SimulationRunner: runs a Simulation on its own std::thread for the application.
//
// The simulation never waits for the UI: spikes go into a lock-free SpikeRing, population-rate bins
// and per-neuron activity into a second channel that the simulation thread publishes with try_lock
// (if the UI holds the lock, the data is kept and published at the next chance). Controls (play,
// pause, step, reset, speed, parameters) are commands applied at the next step boundary.
#pragma once

#include "model/Graph.h"

#include "model/Error.h"
#include "sim/Models.h"
#include "sim/Simulation.h"
#include "sim/SpikeRecorder.h"
#include "sim/SpikeRing.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace nr {

enum class RunState { Stopped, Paused, Running, Diverged };

struct RunnerStatus {
    RunState state = RunState::Stopped;
    std::string reason;        // why it diverged or why the last command failed
    double simulatedS = 0;     // simulated time
    double wallS = 0;          // wall time spent running
    double stepsPerSecond = 0; // over the last second of running
    uint64_t steps = 0;
    uint64_t spikesProduced = 0; // events pushed into the ring
    uint64_t spikesLost = 0;     // events the consumer never saw (overwritten or torn)
    double speed = 0;            // 0 = as fast as possible, 1 = real time
};

// One population-rate bin.
struct RateBin {
    double t = 0;      // bin start, seconds
    double rateHz = 0; // mean over all neurons
};

class SimulationRunner {
public:
    explicit SimulationRunner(size_t ringCapacity = 1 << 20, double rateBinMs = 5);
    ~SimulationRunner();
    SimulationRunner(const SimulationRunner&) = delete;
    SimulationRunner& operator=(const SimulationRunner&) = delete;

    // Builds the model (on the calling thread) and loads it, paused at t = 0.
    Status load(const ModelRequest& req);
    // Loads a ready network, paused at t = 0. reset() rebuilds only networks loaded by request.
    Status load(Network net, uint64_t seed);

    void play();
    void pause();
    // Advances by n steps (or by `ms` of simulated time) and then pauses.
    void step(uint64_t n = 1);
    void stepMs(double ms);
    // Rebuilds the model with `seed` and the current parameters; paused at t = 0.
    Status reset(uint64_t seed);
    // 0 = as fast as possible, 1 = real time, 10 = ten times real time, 0.1 = ten times slower.
    void setSpeed(double factor);
    // Live parameters apply at the next step boundary; others are stored and apply at reset().
    // Unknown names and values out of range are refused at once.
    Status setParameter(const std::string& name, double value);
    // Blocks the caller (never the simulation) until every queued command has been applied.
    void sync();

    RunnerStatus status() const;
    std::vector<Parameter> parameters() const;
    std::vector<TrialEpoch> epochs() const;
    // A generated 3-D layout of the loaded network (see ModelLayout.h); empty graph when nothing is loaded.
    Graph modelLayout() const;
    // Unit labels of the loaded network (one per neuron, or empty).
    std::vector<std::string> labels() const;
    uint32_t neuronCount() const;

    // ---- data for the UI ----------------------------------------------------------------------------
    SpikeRing& spikes() { return ring_; }
    // Appends the rate bins completed since the last call.
    size_t drainRates(std::vector<RateBin>& out);
    // Per-neuron activity (a spike trace decaying with 50 ms), latest published snapshot. False if none.
    bool latestActivity(std::vector<float>& out);
    // Everything the simulation recorded so far (all spikes), read back from the recording file. When
    // that needs more than half the memory budget, the newest spikes that fit (tStart says from when).
    SpikeTrains recordedSpikes() const;

    // ---- the recording: every spike, streamed to a file (sim/SpikeRecorder.h) with bounded memory ----
    // By default an anonymous temporary file; recordTo names one (the recording restarts, empty).
    Status recordTo(const std::string& path);
    // Spikes recorded since the model was loaded or reset (in the file plus the small buffer).
    uint64_t recordedCount() const;
    // Writes the buffered spikes out; returns the recorder's write error, if any.
    Status flushRecording();
    // Spikes the recorder dropped after a write error (0 unless the disk filled up).
    uint64_t recordingLost() const;

private:
    void loop();
    void applyCommands(); // simulation thread, with mu_ held
    void publish(bool force);
    Status install(Network net, uint64_t seed);

    mutable std::mutex mu_; // guards commands and the state fields below
    mutable std::mutex
        simMu_; // guards sim_; held by the simulation thread while it steps (lock order: mu_, simMu_)
    std::atomic<uint64_t> steps_{0};
    double dt_ = 0.1;
    std::condition_variable cv_;
    std::condition_variable idle_;
    Simulation sim_;
    bool loaded_ = false;
    ModelRequest request_;
    bool fromRequest_ = false;
    std::vector<Parameter> params_;
    std::deque<std::pair<std::string, double>> pendingParams_;
    RunState state_ = RunState::Stopped;
    std::string reason_;
    uint64_t stepsToDo_ = 0;
    double speed_ = 0;
    bool quit_ = false;
    bool busy_ = false;
    double wallS_ = 0;
    double stepsPerSecond_ = 0;

    SpikeRing ring_;
    SpikeRecorder recorder_; // guarded by simMu_
    double rateBinMs_;
    // Producer-side staging of rates and activity, published with try_lock.
    std::vector<RateBin> stagedRates_;
    uint64_t binSteps_ = 50, binStart_ = 0, binCount_ = 0;
    std::vector<float> activity_;
    std::mutex outMu_;
    std::vector<RateBin> outRates_;
    std::vector<float> outActivity_;
    bool activityFresh_ = false;

    std::thread thread_;
};

} // namespace nr
