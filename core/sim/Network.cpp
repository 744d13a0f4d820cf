#include "sim/Network.h"

#include <cmath>
#include <fstream>
#include <sstream>

namespace nr {

size_t Network::synapseCount() const {
    size_t s = 0;
    for (const auto& t : synapses) s += t.size();
    return s;
}

const Parameter* Network::parameter(const std::string& name) const {
    for (const auto& p : parameters)
        if (p.name == name) return &p;
    return nullptr;
}

namespace {

Error err(const std::string& source, const std::string& reason) {
    return Error{source, 0, reason};
}

bool finite(double x) {
    return std::isfinite(x);
}

std::string num(double x) {
    std::ostringstream s;
    s << x;
    return s.str();
}

} // namespace

Status validateNetwork(const Network& net, const std::string& source) {
    if (!finite(net.dt) || net.dt <= 0)
        return err(source, "dt must be a positive number of ms, got " + num(net.dt));
    if (net.n == 0) return err(source, "the network has no neurons");
    for (const auto& p : net.parameters)
        if (!finite(p.value)) return err(source, "parameter '" + p.name + "' is " + num(p.value));
    uint32_t expect = 0;
    double smallestTau = 1e300;
    std::string smallestName;
    for (const auto& pop : net.populations) {
        const std::string w = "population '" + pop.name + "': ";
        if (pop.start != expect) return err(source, w + "populations must cover the neurons in order");
        expect = pop.start + pop.size;
        const NeuronParams& q = pop.p;
        const double all[] = {q.tauM, q.vRest, q.vReset, q.vThresh, q.tRef,  q.drive, q.noiseSigma,
                              q.C,    q.gL,    q.deltaT, q.tauW,    q.a,     q.b,     q.vPeak,
                              q.izA,  q.izB,   q.izC,    q.izD,     q.v0Min, q.v0Max};
        const char* names[] = {"tauM", "vRest", "vReset", "vThresh", "tRef",  "drive", "noiseSigma",
                               "C",    "gL",    "deltaT", "tauW",    "a",     "b",     "vPeak",
                               "izA",  "izB",   "izC",    "izD",     "v0Min", "v0Max"};
        for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); ++i)
            if (!finite(all[i])) return err(source, w + names[i] + " is " + num(all[i]));
        if (q.tRef < 0) return err(source, w + "refractory period tRef must not be negative");
        if (q.noiseSigma < 0) return err(source, w + "noiseSigma must not be negative");
        auto tau = [&](double v, const char* name) -> Status {
            if (v <= 0) return err(source, w + "time constant " + name + " must be positive, got " + num(v));
            if (v < smallestTau) {
                smallestTau = v;
                smallestName = w + name;
            }
            return std::nullopt;
        };
        if (q.type == NeuronType::LIF) {
            if (auto e = tau(q.tauM, "tauM")) return e;
            if (q.vThresh <= q.vReset) return err(source, w + "vThresh must be above vReset");
        } else if (q.type == NeuronType::AdEx) {
            if (q.C <= 0) return err(source, w + "capacitance C must be positive");
            if (q.gL <= 0) return err(source, w + "leak conductance gL must be positive");
            if (q.deltaT <= 0) return err(source, w + "slope factor deltaT must be positive");
            if (auto e = tau(q.C / q.gL, "C/gL")) return e;
            if (auto e = tau(q.tauW, "tauW")) return e;
        } else {
            if (q.izA <= 0) return err(source, w + "Izhikevich a must be positive");
            if (auto e = tau(1.0 / q.izA, "1/a")) return e;
        }
    }
    if (expect != net.n)
        return err(source, "populations cover " + num(expect) + " of " + num(net.n) + " neurons");
    size_t nonDelta = 0;
    for (const auto& ch : net.channels) nonDelta += ch.type != SynapseType::Delta;
    if (nonDelta > 4) return err(source, "at most 4 current or conductance channels are supported");
    if (net.synapses.size() != net.channels.size())
        return err(source, "one synapse table per channel is required");
    for (size_t c = 0; c < net.channels.size(); ++c) {
        const Channel& ch = net.channels[c];
        const std::string w = "channel '" + ch.name + "': ";
        if (!finite(ch.tau) || !finite(ch.erev)) return err(source, w + "tau or erev is not finite");
        if (ch.type != SynapseType::Delta) {
            if (ch.tau <= 0) return err(source, w + "time constant tau must be positive, got " + num(ch.tau));
            if (ch.tau < smallestTau) {
                smallestTau = ch.tau;
                smallestName = w + "tau";
            }
        }
        const SynapseTable& t = net.synapses[c];
        if (t.off.empty()) {
            if (!t.target.empty()) return err(source, w + "synapses without offsets");
            continue;
        }
        if (t.off.size() != size_t(net.n) + 1 || t.off.back() != t.target.size() ||
            t.weight.size() != t.target.size())
            return err(source, w + "synapse table sizes do not match the neuron count");
        if (!t.delay.empty() && t.delay.size() != t.target.size())
            return err(source, w + "one delay per synapse is required");
        if (t.uniformDelay < 1) return err(source, w + "delays must be at least one step");
        for (size_t k = 0; k < t.target.size(); ++k) {
            if (t.target[k] >= net.n) return err(source, w + "synapse target out of range");
            if (!std::isfinite(t.weight[k]))
                return err(source, w + "synapse weight " + num(k) + " is not finite");
        }
        for (uint16_t d : t.delay)
            if (d < 1) return err(source, w + "delays must be at least one step");
    }
    if (!net.gaps.empty()) {
        if (net.gaps.off.size() != size_t(net.n) + 1 || net.gaps.g.size() != net.gaps.target.size())
            return err(source, "gap junction table sizes do not match the neuron count");
        for (size_t k = 0; k < net.gaps.target.size(); ++k)
            if (net.gaps.target[k] >= net.n || !std::isfinite(net.gaps.g[k]))
                return err(source, "gap junction " + num(k) + " has a bad target or conductance");
    }
    if (!net.poisson.rateHz.empty()) {
        if (net.poisson.rateHz.size() != net.n) return err(source, "one Poisson rate per neuron is required");
        if (net.poisson.channel >= net.channels.size())
            return err(source, "Poisson input channel out of range");
        if (!std::isfinite(net.poisson.weight)) return err(source, "Poisson input weight is not finite");
        for (float r : net.poisson.rateHz)
            if (!std::isfinite(r) || r < 0) return err(source, "Poisson rates must be finite and >= 0");
    }
    for (const auto& a : net.stimulus.assemblies)
        for (uint32_t i : a)
            if (i >= net.n) return err(source, "stimulus assembly neuron out of range");
    for (const auto& e : net.stimulus.epochs)
        if (e.condition < 0 || size_t(e.condition) >= net.stimulus.assemblies.size())
            return err(source, "stimulus epoch condition out of range");
    if (net.dt > smallestTau)
        return err(source, "dt = " + num(net.dt) + " ms is larger than the smallest time constant (" +
                               smallestName + " = " + num(smallestTau) + " ms)");
    return std::nullopt;
}

static size_t maxDelay(const Network& net) {
    size_t d = 1;
    for (const auto& t : net.synapses) {
        d = std::max<size_t>(d, t.uniformDelay);
        for (uint16_t x : t.delay) d = std::max<size_t>(d, x);
    }
    return d;
}

size_t estimateStateBytes(const Network& net) {
    const size_t n = net.n, c = net.channels.size();
    // v, refractory, drive, spike flags, w/u, input sums + per channel state and delay ring
    return n * (4 * 8 + 1) + c * n * 4 * (maxDelay(net) + 2);
}

size_t estimateNetworkBytes(size_t n, size_t synapses, size_t channels, size_t maxDelaySteps) {
    return n * (4 * 8 + 1) + channels * n * 4 * (maxDelaySteps + 2) + channels * (n + 1) * 4 +
           synapses * (4 + 4 + 2);
}

size_t memoryLimitBytes() {
    std::ifstream f("/proc/meminfo");
    std::string key;
    unsigned long long kb = 0;
    std::string unit;
    while (f >> key >> kb >> unit) {
        if (key == "MemTotal:") return size_t(double(kb) * 1024.0 * 0.7);
    }
    return size_t(8) << 30;
}

Status checkMemory(size_t bytes, const std::string& what, const std::string& source) {
    const size_t limit = memoryLimitBytes();
    if (bytes > limit)
        return Error{source, 0,
                     what + " needs about " + num(double(bytes) / (1 << 20)) +
                         " MiB, more than the limit of " + num(double(limit) / (1 << 20)) +
                         " MiB (70 % of physical memory)"};
    return std::nullopt;
}

} // namespace nr
