#include "sim/SimulationRunner.h"

#include "io/MemoryBudget.h"
#include "sim/ModelLayout.h"

#include <chrono>
#include <cmath>

namespace nr {

namespace {

double nowS() {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

} // namespace

SimulationRunner::SimulationRunner(size_t ringCapacity, double rateBinMs)
    : ring_(ringCapacity), rateBinMs_(rateBinMs > 0 ? rateBinMs : 5) {
    thread_ = std::thread([this] { loop(); });
}

SimulationRunner::~SimulationRunner() {
    {
        std::lock_guard<std::mutex> lk(mu_);
        quit_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

Status SimulationRunner::install(Network net, uint64_t seed) {
    Simulation fresh;
    if (auto e = fresh.init(std::move(net), seed)) return e;
    // Spikes go to the recorder (a file) and rates to the runner's own bins: nothing grows with the run.
    fresh.recordAllSpikes(false);
    fresh.recordPopulationRate(false);
    std::lock_guard<std::mutex> lk(mu_);
    std::lock_guard<std::mutex> sl(simMu_);
    if (!recorder_.isOpen()) {
        if (auto e = recorder_.open()) return e;
    } else if (auto e = recorder_.clear()) {
        return e;
    }
    sim_ = std::move(fresh);
    steps_ = 0;
    dt_ = sim_.dt();
    params_ = sim_.network().parameters;
    for (const auto& p : params_)
        if (p.name == "speed") speed_ = p.value;
    loaded_ = true;
    state_ = RunState::Paused;
    reason_.clear();
    stepsToDo_ = 0;
    pendingParams_.clear();
    wallS_ = 0;
    stepsPerSecond_ = 0;
    binSteps_ = std::max<uint64_t>(1, uint64_t(std::llround(rateBinMs_ / sim_.dt())));
    binStart_ = 0;
    binCount_ = 0;
    stagedRates_.clear();
    activity_.assign(sim_.size(), 0.f);
    {
        std::lock_guard<std::mutex> ol(outMu_);
        outRates_.clear();
        outActivity_.clear();
        activityFresh_ = false;
    }
    ring_.skipAll();
    return std::nullopt;
}

Status SimulationRunner::load(const ModelRequest& req) {
    auto net = buildModel(req);
    if (!net) return net.error();
    if (auto e = install(std::move(net.value()), req.seed)) return e;
    std::lock_guard<std::mutex> lk(mu_);
    request_ = req;
    fromRequest_ = true;
    return std::nullopt;
}

Status SimulationRunner::load(Network net, uint64_t seed) {
    if (auto e = install(std::move(net), seed)) return e;
    std::lock_guard<std::mutex> lk(mu_);
    fromRequest_ = false;
    request_ = ModelRequest{};
    request_.seed = seed;
    return std::nullopt;
}

void SimulationRunner::play() {
    {
        std::lock_guard<std::mutex> lk(mu_);
        if (loaded_ && state_ != RunState::Diverged) state_ = RunState::Running;
    }
    cv_.notify_all();
}

void SimulationRunner::pause() {
    std::unique_lock<std::mutex> lk(mu_);
    if (state_ == RunState::Running) state_ = RunState::Paused;
    stepsToDo_ = 0;
    cv_.notify_all();
    // The chunk in flight (about 1 ms simulated) finishes before pause returns: paused means the clock
    // and the spikes stand still from here on.
    idle_.wait(lk, [&] { return quit_ || !busy_ || state_ == RunState::Running; });
}

void SimulationRunner::step(uint64_t n) {
    {
        std::lock_guard<std::mutex> lk(mu_);
        if (!loaded_ || state_ == RunState::Diverged) return;
        state_ = RunState::Paused;
        stepsToDo_ += n;
    }
    cv_.notify_all();
}

void SimulationRunner::stepMs(double ms) {
    double dt = 0.1;
    {
        std::lock_guard<std::mutex> lk(mu_);
        if (!loaded_) return;
        dt = dt_;
    }
    step(uint64_t(std::max(1.0, std::round(ms / dt))));
}

Status SimulationRunner::reset(uint64_t seed) {
    ModelRequest req;
    bool fromRequest;
    Network copy;
    {
        std::lock_guard<std::mutex> lk(mu_);
        if (!loaded_) return Error{"simulate", 0, "no model is loaded"};
        fromRequest = fromRequest_;
        req = request_;
        std::lock_guard<std::mutex> sl(simMu_);
        if (!fromRequest) copy = sim_.network();
    }
    if (fromRequest) {
        req.seed = seed;
        // The current parameter values, including those changed since the last build.
        req.params.clear();
        req.neurons = 0;
        for (const auto& p : parameters())
            if (p.name != "neurons" || req.model == "coba" || req.model == "brunel" ||
                req.model == "attractor")
                req.params.emplace_back(p.name, p.value);
        return load(req);
    }
    return load(std::move(copy), seed);
}

void SimulationRunner::setSpeed(double factor) {
    {
        std::lock_guard<std::mutex> lk(mu_);
        speed_ = std::isfinite(factor) && factor > 0 ? factor : 0;
        for (auto& p : params_)
            if (p.name == "speed") p.value = speed_;
    }
    cv_.notify_all();
}

Status SimulationRunner::setParameter(const std::string& name, double value) {
    {
        std::lock_guard<std::mutex> lk(mu_);
        Parameter* found = nullptr;
        for (auto& p : params_)
            if (p.name == name) found = &p;
        if (!found) return Error{"simulate", 0, "unknown parameter '" + name + "'"};
        if (!std::isfinite(value) || value < found->min || value > found->max)
            return Error{"simulate", 0,
                         "parameter '" + name + "' = " + std::to_string(value) + " is outside [" +
                             std::to_string(found->min) + ", " + std::to_string(found->max) + "]"};
        found->value = value;
        if (found->live == LiveKnob::Speed)
            speed_ = value;
        else if (found->live != LiveKnob::None)
            pendingParams_.emplace_back(name, value);
    }
    cv_.notify_all();
    return std::nullopt;
}

void SimulationRunner::sync() {
    std::unique_lock<std::mutex> lk(mu_);
    idle_.wait(lk, [&] {
        return quit_ || (pendingParams_.empty() && stepsToDo_ == 0 && !busy_) || state_ == RunState::Running;
    });
}

RunnerStatus SimulationRunner::status() const {
    std::lock_guard<std::mutex> lk(mu_);
    RunnerStatus s;
    s.state = state_;
    s.reason = reason_;
    s.simulatedS = loaded_ ? double(steps_.load()) * dt_ * 1e-3 : 0;
    s.wallS = wallS_;
    s.stepsPerSecond = stepsPerSecond_;
    s.steps = loaded_ ? steps_.load() : 0;
    s.spikesProduced = ring_.produced();
    s.spikesLost = ring_.lost();
    s.speed = speed_;
    return s;
}

std::vector<Parameter> SimulationRunner::parameters() const {
    std::lock_guard<std::mutex> lk(mu_);
    return params_;
}

std::vector<TrialEpoch> SimulationRunner::epochs() const {
    std::lock_guard<std::mutex> lk(mu_);
    std::lock_guard<std::mutex> sl(simMu_);
    return loaded_ ? sim_.network().stimulus.epochs : std::vector<TrialEpoch>{};
}

Graph SimulationRunner::modelLayout() const {
    std::lock_guard<std::mutex> lk(mu_);
    std::lock_guard<std::mutex> sl(simMu_);
    return loaded_ ? nr::modelLayout(sim_.network()) : Graph{};
}

std::vector<std::string> SimulationRunner::labels() const {
    std::lock_guard<std::mutex> lk(mu_);
    std::lock_guard<std::mutex> sl(simMu_);
    return loaded_ ? sim_.network().labels : std::vector<std::string>{};
}

uint32_t SimulationRunner::neuronCount() const {
    std::lock_guard<std::mutex> lk(mu_);
    std::lock_guard<std::mutex> sl(simMu_);
    return loaded_ ? sim_.size() : 0;
}

SpikeTrains SimulationRunner::recordedSpikes() const {
    std::lock_guard<std::mutex> lk(mu_);
    std::lock_guard<std::mutex> sl(simMu_);
    if (!loaded_) return SpikeTrains{};
    SpikeTrains s;
    s.unitIds = sim_.spikes().unitIds;
    s.unitLabels = sim_.spikes().unitLabels;
    bool truncated = false;
    recorder_.readBack(s, memoryBudgetBytes() / 2, &truncated);
    s.tStart = truncated && !s.times.empty() ? s.times.front() : 0;
    s.tStop = sim_.timeMs() * 1e-3;
    return s;
}

Status SimulationRunner::recordTo(const std::string& path) {
    std::lock_guard<std::mutex> sl(simMu_);
    return recorder_.open(path);
}

uint64_t SimulationRunner::recordedCount() const {
    std::lock_guard<std::mutex> sl(simMu_);
    return recorder_.count();
}

Status SimulationRunner::flushRecording() {
    std::lock_guard<std::mutex> sl(simMu_);
    return recorder_.flush();
}

uint64_t SimulationRunner::recordingLost() const {
    std::lock_guard<std::mutex> sl(simMu_);
    return recorder_.lost();
}

size_t SimulationRunner::drainRates(std::vector<RateBin>& out) {
    std::lock_guard<std::mutex> lk(outMu_);
    const size_t k = outRates_.size();
    out.insert(out.end(), outRates_.begin(), outRates_.end());
    outRates_.clear();
    return k;
}

bool SimulationRunner::latestActivity(std::vector<float>& out) {
    std::lock_guard<std::mutex> lk(outMu_);
    if (outActivity_.empty()) return false;
    out = outActivity_;
    activityFresh_ = false;
    return true;
}

void SimulationRunner::applyCommands() {
    while (!pendingParams_.empty()) {
        const auto [name, value] = pendingParams_.front();
        pendingParams_.pop_front();
        if (loaded_) {
            std::lock_guard<std::mutex> sl(simMu_);
            if (auto e = sim_.setParameter(name, value)) reason_ = e->str();
        }
    }
}

void SimulationRunner::publish(bool force) {
    std::unique_lock<std::mutex> lk(outMu_, std::defer_lock);
    if (force)
        lk.lock();
    else if (!lk.try_lock())
        return; // the UI is reading: keep the data for the next chance
    outRates_.insert(outRates_.end(), stagedRates_.begin(), stagedRates_.end());
    stagedRates_.clear();
    if (outRates_.size() > 100000) outRates_.erase(outRates_.begin(), outRates_.end() - 100000);
    outActivity_ = activity_;
    activityFresh_ = true;
}

void SimulationRunner::loop() {
    std::unique_lock<std::mutex> lk(mu_);
    double paceWall = nowS(), paceSim = 0, lastSpeed = -1;
    double rateWindowStart = nowS();
    uint64_t rateWindowSteps = 0;
    while (!quit_) {
        applyCommands();
        const bool runnable = loaded_ && !sim_.diverged() && (state_ == RunState::Running || stepsToDo_ > 0);
        if (!runnable) {
            busy_ = false;
            idle_.notify_all();
            cv_.wait(lk, [&] {
                return quit_ || !pendingParams_.empty() ||
                       (loaded_ && !sim_.diverged() && (state_ == RunState::Running || stepsToDo_ > 0));
            });
            paceWall = nowS();
            paceSim = loaded_ ? sim_.timeMs() * 1e-3 : 0;
            continue;
        }
        busy_ = true;
        if (speed_ != lastSpeed) {
            lastSpeed = speed_;
            paceWall = nowS();
            paceSim = sim_.timeMs() * 1e-3;
        }
        // One chunk of about 1 ms simulated.
        uint64_t chunk = std::max<uint64_t>(1, uint64_t(std::llround(1.0 / sim_.dt())));
        if (state_ != RunState::Running) chunk = std::min(chunk, stepsToDo_);
        const double t0 = nowS();
        uint64_t done = 0;
        // Step without holding mu_, so controls and status never wait for a chunk.
        lk.unlock();
        {
            std::lock_guard<std::mutex> sl(simMu_);
            for (; done < chunk && !sim_.diverged(); ++done) {
                const double t = sim_.timeMs() * 1e-3;
                sim_.step();
                const auto& sp = sim_.lastSpikes();
                for (uint32_t i : sp) {
                    ring_.push(t, i);
                    recorder_.add(t, i);
                    activity_[i] += 1.f;
                }
                binCount_ += sp.size();
                if (sim_.stepCount() - binStart_ >= binSteps_) {
                    const double binS = binSteps_ * sim_.dt() * 1e-3;
                    stagedRates_.push_back(RateBin{binStart_ * sim_.dt() * 1e-3,
                                                   double(binCount_) / (double(sim_.size()) * binS)});
                    binStart_ = sim_.stepCount();
                    binCount_ = 0;
                }
            }
            const float chunkDecay = float(std::exp(-double(done) * sim_.dt() / 50.0));
            for (float& a : activity_) a *= chunkDecay;
            steps_ = sim_.stepCount();
            publish(false);
        }
        lk.lock();
        const double t1 = nowS();
        wallS_ += t1 - t0;
        rateWindowSteps += done;
        if (t1 - rateWindowStart >= 1.0 || stepsPerSecond_ == 0) {
            stepsPerSecond_ = double(rateWindowSteps) / std::max(1e-9, t1 - rateWindowStart);
            if (t1 - rateWindowStart >= 1.0) {
                rateWindowStart = t1;
                rateWindowSteps = 0;
            }
        }
        if (state_ != RunState::Running) {
            stepsToDo_ -= std::min(stepsToDo_, done);
            if (stepsToDo_ == 0) state_ = RunState::Paused;
        }
        if (sim_.diverged()) {
            state_ = RunState::Diverged;
            reason_ = sim_.divergeReason();
            stepsToDo_ = 0;
        }
        // Pacing: simulated time / speed should equal wall time since the pace origin.
        if (speed_ > 0 && state_ == RunState::Running) {
            const double want = (sim_.timeMs() * 1e-3 - paceSim) / speed_;
            const double have = nowS() - paceWall;
            if (have > want + 0.5) { // far behind: do not try to catch up
                paceWall = nowS();
                paceSim = sim_.timeMs() * 1e-3;
            } else if (want > have) {
                cv_.wait_for(lk, std::chrono::duration<double>(want - have),
                             [&] { return quit_ || !pendingParams_.empty() || state_ != RunState::Running; });
            }
        }
    }
    busy_ = false;
    idle_.notify_all();
}

} // namespace nr
