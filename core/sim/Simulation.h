// Simulation: runs a Network step by step. Deterministic for a given seed (and thread count, see setThreads).
//
// Integration (dt = Network::dt, 0.1 ms by default):
//  - synaptic variables decay exactly by precomputed factors exp(-dt/tau);
//  - LIF with current-based (or no) synaptic input is integrated exactly for input held over the step;
//    LIF with conductance input uses forward Euler (as Brian2 does for the COBA benchmark), accurate
//    for dt <= 0.1 ms with tau_m = 20 ms;
//  - AdEx and Izhikevich use forward Euler; use dt <= 0.1 ms (the exponential term of AdEx is
//    clamped so a spike upstroke cannot overflow within one step).
// Per step: deliver the delay buffer slot of this step into the channels (g = g * decay + arrivals),
// add Poisson and noise input, update neurons, detect threshold crossings, reset, send spikes to the
// delay buffers (a delay of d steps is seen d steps later), record.
#pragma once

#include "model/Error.h"
#include "model/SpikeTrains.h"
#include "sim/Network.h"
#include "sim/Rng.h"

#include <cstdint>
#include <string>
#include <vector>

namespace nr {

// One recorded state variable of one neuron, sampled every `everySteps` steps.
struct StateTrace {
    uint32_t neuron = 0;
    std::string variable; // "v", "w" (AdEx), "u" (Izhikevich) or a channel name ("exc", "inh", ...)
    int everySteps = 1;
    double intervalMs = 0;
    std::vector<float> values;
};

class Simulation {
public:
    Simulation() = default;

    // Validates `net` and the memory it needs, then allocates state and initialises v from `seed`.
    Status init(Network net, uint64_t seed);

    // ---- recording (set before running; all spikes and 1 ms rate bins by default) --------------------
    void recordAllSpikes(bool on);
    void recordSpikesOf(const std::vector<uint32_t>& neurons); // only these neurons
    void setRateBin(double ms);
    // Keep the population-rate bins (populationRate()); a long live run that bins rates itself turns this
    // off so its memory stays flat (4 bytes per bin otherwise).
    void recordPopulationRate(bool on) { recordRates_ = on; }
    // Adds a trace; returns its index or an Error naming the bad neuron or variable.
    Result<size_t> recordState(uint32_t neuron, const std::string& variable, int everySteps = 1);

    // ---- running ------------------------------------------------------------------------------------
    // One step. Does nothing once diverged.
    void step();
    // Runs until `ms` more of simulated time have passed or the run diverges. Returns steps done.
    uint64_t run(double ms);

    // Threads run() uses (1 by default). With more, the neurons are split into that many ranges of
    // consecutive neurons; each thread updates its range and then adds every spike of the step to the
    // conductances of its own neurons (no two threads write the same neuron), with one barrier per step.
    // The recurrent synapses are then grouped by target range (stable order), and the results are the
    // same as on one thread. Used by the fast path (LIF, one-step delays, no Poisson input, stimulus or
    // state traces); other networks run on one thread. step() always runs on the calling thread.
    void setThreads(int threads);
    int threads() const { return threads_; }
    // Threads the last run() used (1 when the network or the recording needs the one-thread path).
    int lastRunThreads() const { return lastRunThreads_; }

    // ---- live parameters ----------------------------------------------------------------------------
    // Live knobs are multipliers of the values the network was built with (1 = as built).
    void setKnob(LiveKnob k, double multiplier);
    double knob(LiveKnob k) const;
    // Changes a live parameter of the network by name (value in the parameter's own units).
    Status setParameter(const std::string& name, double value);

    // ---- state --------------------------------------------------------------------------------------
    const Network& network() const { return net_; }
    uint32_t size() const { return net_.n; }
    uint64_t stepCount() const { return step_; }
    double dt() const { return net_.dt; }
    double timeMs() const { return double(step_) * net_.dt; }
    bool diverged() const { return diverged_; }
    const std::string& divergeReason() const { return reason_; }
    uint64_t totalSpikes() const { return totalSpikes_; }
    // Neurons that spiked in the last step.
    const std::vector<uint32_t>& lastSpikes() const { return spiked_; }
    const std::vector<float>& v() const { return v_; }

    // ---- recordings ---------------------------------------------------------------------------------
    const SpikeTrains& spikes() const { return spikes_; } // times in seconds, unit = neuron index
    // Empties the recorded spike trains (their room is kept): a long run written out as it goes stays flat.
    void dropRecordedSpikes() {
        spikes_.times.clear();
        spikes_.units.clear();
    }
    // Population rate per bin (Hz, mean over all neurons), for the bins completed so far.
    std::vector<double> populationRate() const;
    double rateBinMs() const { return binMs_; }
    // Mean rate over all neurons and the simulated time so far (Hz).
    double meanRateHz() const;
    const std::vector<StateTrace>& traces() const { return traces_; }

private:
    void updateLif(const Population& p, uint32_t a, uint32_t b);
    void updateAdEx(const Population& p, uint32_t a, uint32_t b);
    void updateIzhikevich(const Population& p, uint32_t a, uint32_t b);
    void channelInputs(uint32_t a, uint32_t b);
    void applyStimulus();
    void refreshPoisson();
    void checkDivergence();
    // Whether the run has diverged once `steps` steps are done (vFinite: the membrane potentials are finite);
    // counts the spikes of the rate window and resets it at the window's end. Sets `reason` when it has.
    bool divergedAfter(uint64_t steps, bool vFinite, uint64_t& windowSpikes, std::string* reason) const;
    void propagate();
    // The fast path (see init): LIF only, exponential channels with one-step delays, no delta synapses,
    // noise or gap junctions.
    void stepFast();
    void stepGeneric();
    void shiftReady();
    // Fast path pieces for neurons [lo, hi): the neuron update (spike indices to `out`, returns how many)
    // and the end of a step for the channel values of those neurons (decay, spikes arriving from `lists`,
    // renormalisation). `scale` is the caller's copy of scale_ (threads keep their own).
    uint32_t updateFastRange(uint32_t lo, uint32_t hi, const double* scale, int32_t now, uint32_t* out);
    struct SpikeList {
        const uint32_t* p;
        uint32_t n;
    };
    void endFastRange(uint32_t part, const SpikeList* lists, size_t nLists, double* scale);
    bool threadedRunPossible() const;
    void prepareThreads();
    uint64_t runThreaded(uint64_t steps);
    float channelValue(size_t c, uint32_t i) const;

    Network net_;
    Rng rng_;
    uint64_t step_ = 0;
    bool diverged_ = false;
    std::string reason_;
    uint64_t totalSpikes_ = 0;

    // neuron state (struct of arrays)
    std::vector<float> v_, w_; // w_: AdEx adaptation or Izhikevich recovery u
    std::vector<int32_t> refr_;
    // per step: input current, total conductance, direct v jumps, extra current (gap junctions)
    std::vector<float> iin_, gin_, din_, ext_;
    bool hasDin_ = false;
    std::vector<uint32_t> spiked_;
    std::vector<uint32_t> spikeBuf_; // capacity n, filled by the neuron updates
    uint32_t spikeCount_ = 0;

    // channels
    std::vector<std::vector<float>> g_;    // per channel state
    std::vector<std::vector<float>> ring_; // per channel, D slots of n accumulators
    std::vector<float> decay_;
    uint32_t ringSlots_ = 2;
    bool anyConductance_ = false;
    bool direct_ = false; // all current/conductance channels have a one-step delay: no delay buffer

    // Fast path. Channel c holds g / scale_[c]: the decay of a whole step is one multiplication of
    // scale_[c]; arrivals add w / scale. Scales are folded back into the values before they get small.
    // refr_ then holds the step (relative to readyBase_) from which a neuron integrates again.
    bool fast_ = false;
    int kernel_ = 0; // 0 scalar, 1 AVX2, 2 AVX-512 (NEURORAMA_SIM_KERNEL=0/1 picks a lower one)
    std::vector<double> scale_, decayD_;
    std::vector<uint8_t> uniformWeight_; // per channel: every synapse has weight uniformValue_[c]
    std::vector<float> uniformValue_;
    uint64_t readyBase_ = 0;
    std::vector<float> popF_;     // per population: dt/tauM (Euler) or 1 - exp(-dt/tauM) (exact)
    std::vector<int32_t> popRef_; // per population: refractory steps after the spike step
    uint64_t nanEvery_ = 100, window_ = 1000;

    // Threads: neuron ranges bounds_[p]..bounds_[p+1]; for channel c, split_[c][p * n + i] is where the
    // targets of neuron i in range p start (range T ends at off[i + 1]).
    int threads_ = 1;
    int lastRunThreads_ = 1;
    int splitFor_ = 1; // thread count the synapse tables are grouped for
    std::vector<uint32_t> bounds_;
    std::vector<std::vector<uint32_t>> split_;
    // Fast path, networks of at most 65,536 neurons: the targets of channels with one weight as 16-bit
    // indices (empty otherwise).
    std::vector<std::vector<uint16_t>> target16_;
    void makeTarget16();
    void reserveSpikes(size_t recordedSoFar, uint64_t stepsSoFar, uint64_t stepsLeft);

    // Poisson input and stimulus
    std::vector<float> lambda_;
    std::vector<double> expNegLambda_;
    std::vector<float> extraRate_;
    size_t epoch_ = 0;
    bool inEpoch_ = false;

    double knobs_[6] = {1, 1, 1, 1, 1, 1};

    // recording
    bool recordAll_ = true;
    bool recordRates_ = true;
    std::vector<uint8_t> recordMask_;
    SpikeTrains spikes_;
    double binMs_ = 1;
    uint64_t binSteps_ = 10;
    std::vector<uint32_t> binCounts_;
    std::vector<StateTrace> traces_;
    std::vector<int> traceChannel_; // -1 v, -2 w/u, >= 0 channel
    uint64_t windowSpikes_ = 0;
};

} // namespace nr
