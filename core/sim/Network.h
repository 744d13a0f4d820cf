// Network: the simulator's description of a spiking network, ready to run. Built by Models.h, run by
// Simulation.h. Units: time in ms, voltage in mV; see NeuronParams for the units of input per model.
#pragma once

#include "model/Error.h"
#include "model/SpikeTrains.h"

#include <cstdint>
#include <string>
#include <vector>

namespace nr {

enum class NeuronType : uint8_t {
    LIF,       // leaky integrate-and-fire: tau dv/dt = -(v - vRest) + drive + input
    AdEx,      // adaptive exponential IF (Brette & Gerstner 2005), C in pF, g in nS, currents in pA
    Izhikevich // Izhikevich (2003): dv/dt = 0.04 v^2 + 5 v + 140 - u + I, du/dt = a (b v - u)
};

enum class SynapseType : uint8_t {
    Delta,         // each event jumps v by the weight (mV for LIF)
    CurrentExp,    // exponentially decaying input current (same units as drive), tau
    ConductanceExp // exponentially decaying conductance g (dimensionless for LIF: relative to the leak;
                   // nS for AdEx), current g * (erev - v)
};

// Which live knob scales a quantity. Knob values are multipliers (1 = as built).
enum class LiveKnob : uint8_t { None, Drive, Coupling, Inhibition, Noise, Speed };

// One model parameter as the UI shows it (slider) and the CLI takes it (--param name=value).
// Parameters with a live knob can change while running; the others take effect when the model is rebuilt.
struct Parameter {
    std::string name;
    double value = 0, min = 0, max = 1;
    std::string description;
    LiveKnob live = LiveKnob::None;
};

struct NeuronParams {
    NeuronType type = NeuronType::LIF;
    // LIF, also used by AdEx: vRest = EL, vThresh = VT (the exponential's threshold), vReset.
    double tauM = 20;      // ms (LIF membrane time constant)
    double vRest = -60;    // mV
    double vReset = -60;   // mV
    double vThresh = -50;  // mV
    double tRef = 2;       // ms, v is clamped at vReset and inputs ignored
    double drive = 0;      // constant input: mV for LIF (R*I), pA for AdEx, I for Izhikevich
    double noiseSigma = 0; // mV, white-noise amplitude (LIF: sigma of the free membrane potential)
    // AdEx
    double C = 281, gL = 30, deltaT = 2, tauW = 144, a = 4, b = 80.5, vPeak = 0;
    // Izhikevich (published dimensionless parameters), threshold at vPeak = 30
    double izA = 0.02, izB = 0.2, izC = -65, izD = 8;
    // Initial membrane potential uniform in [v0Min, v0Max].
    double v0Min = -60, v0Max = -60;
};

// Neurons start..start+size-1 share one model and its parameters.
struct Population {
    std::string name;
    uint32_t start = 0, size = 0;
    NeuronParams p;
    bool inhibitory = false;
};

// One synapse type with its own per-neuron state variable and delay buffer.
struct Channel {
    std::string name;
    SynapseType type = SynapseType::ConductanceExp;
    double tau = 5;                  // ms (not used by Delta)
    double erev = 0;                 // mV (ConductanceExp)
    LiveKnob scale = LiveKnob::None; // Coupling or Inhibition scale the weights of this channel
};

// Synapses of one channel in CSR by presynaptic neuron: targets of neuron i are target[off[i]..off[i+1]).
struct SynapseTable {
    std::vector<uint32_t> off; // size n + 1, or empty for a channel without recurrent synapses
    std::vector<uint32_t> target;
    std::vector<float> weight;
    std::vector<uint16_t> delay; // per synapse in steps (>= 1); empty: every synapse has uniformDelay
    uint16_t uniformDelay = 1;   // steps; 1 = the effect is seen at the next step
    size_t size() const { return target.size(); }
};

// Symmetric electrical coupling in CSR: neuron i receives sum_k g[k] * (v[target[k]] - v[i]).
struct GapJunctions {
    std::vector<uint32_t> off;
    std::vector<uint32_t> target;
    std::vector<float> g; // input units per mV (LIF: dimensionless)
    bool empty() const { return target.empty(); }
};

// Independent Poisson input to each neuron: rateHz[i] events per second, each adding `weight` to `channel`.
struct PoissonInput {
    std::vector<float> rateHz; // empty: none
    uint32_t channel = 0;
    float weight = 0;
};

// A stimulus schedule: during epoch e, neurons assemblies[e.condition] get `extraRateHz` more Poisson input.
// With repeatPeriod > 0 the first `cycleLength` epochs repeat every repeatPeriod seconds for as long as the run
// lasts: the simulation appends the next cycle (trial ids counting on) before the current one ends.
struct StimulusSchedule {
    std::vector<TrialEpoch> epochs; // sorted by start, non-overlapping
    std::vector<std::vector<uint32_t>> assemblies;
    float extraRateHz = 0;
    double repeatPeriod = 0; // seconds; 0 = play the epochs once
    size_t cycleLength = 0;  // epochs in one cycle (the first ones)
};

struct Network {
    std::string model;
    double dt = 0.1; // ms
    uint32_t n = 0;
    std::vector<Population> populations; // cover 0..n-1 in order
    std::vector<Channel> channels;
    std::vector<SynapseTable> synapses; // one per channel
    GapJunctions gaps;
    PoissonInput poisson;
    StimulusSchedule stimulus;
    std::vector<Parameter> parameters; // the values this network was built with
    // Names for units (optional, e.g. connectome neuron names); one per neuron when present.
    std::vector<std::string> labels;

    size_t synapseCount() const;
    const Parameter* parameter(const std::string& name) const;
};

// Checks time constants, dt, NaN/inf anywhere, indices in range. The error's file is `source`.
Status validateNetwork(const Network& net, const std::string& source = "simulate");

// Bytes the simulator state for `net` will take (neuron state, delay buffers), not counting synapses.
size_t estimateStateBytes(const Network& net);
// Bytes of a network with n neurons, `synapses` synapses and `channels` channels, state included.
size_t estimateNetworkBytes(size_t n, size_t synapses, size_t channels, size_t maxDelaySteps = 1);
// 70 % of MemTotal from /proc/meminfo (8 GiB when unreadable).
size_t memoryLimitBytes();
// Error when `bytes` exceed memoryLimitBytes().
Status checkMemory(size_t bytes, const std::string& what, const std::string& source = "simulate");

} // namespace nr
