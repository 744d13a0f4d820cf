#include "sim/Models.h"

#include "sim/ModelDescription.h"

#include "sim/Rng.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <sstream>

namespace nr {

namespace {

std::string num(double x) {
    std::ostringstream s;
    s << x;
    return s.str();
}

Error argError(const std::string& reason) {
    return Error{"simulate", 0, reason};
}

std::vector<Parameter> cobaParams() {
    return {
        {"neurons", 4000, 10, 2e7, "number of neurons (80 % excitatory)", LiveKnob::None},
        {"p", 0.02, 0, 1, "connection probability", LiveKnob::None},
        {"we", 0.6, 0, 10, "excitatory conductance jump (relative to the leak); coupling strength",
         LiveKnob::Coupling},
        {"wi", 6.7, 0, 100, "inhibitory conductance jump (relative to the leak); E/I balance",
         LiveKnob::Inhibition},
        {"I", 20, -100, 100, "constant drive (mV)", LiveKnob::Drive},
        {"taum", 20, 0.1, 1000, "membrane time constant (ms)", LiveKnob::None},
        {"taue", 5, 0.1, 1000, "excitatory synaptic time constant (ms)", LiveKnob::None},
        {"taui", 10, 0.1, 1000, "inhibitory synaptic time constant (ms)", LiveKnob::None},
        {"tref", 5, 0, 100, "refractory period (ms)", LiveKnob::None},
        {"speed", 0, 0, 1000, "speed-up over real time (0 = as fast as possible)", LiveKnob::Speed},
    };
}

std::vector<Parameter> brunelParams() {
    return {
        {"neurons", 5000, 10, 2e7, "number of neurons (NE = 4N/5, NI = N/5)", LiveKnob::None},
        {"eps", 0.1, 0.001, 1, "connection probability (fixed in-degree eps*NE and eps*NI)", LiveKnob::None},
        {"J", 0.2, 0, 10, "excitatory PSP amplitude (mV); coupling strength", LiveKnob::Coupling},
        {"g", 5, 0, 20, "relative inhibitory strength (E/I ratio)", LiveKnob::Inhibition},
        {"eta", 2, 0, 10, "external Poisson rate relative to the threshold rate (noise)", LiveKnob::Noise},
        {"delay", 1.5, 0.1, 20, "synaptic delay (ms)", LiveKnob::None},
        {"tau_syn", 0, 0, 100, "synaptic time constant (ms); 0 = delta synapses", LiveKnob::None},
        {"tau", 20, 0.1, 1000, "membrane time constant (ms)", LiveKnob::None},
        {"theta", 20, 0.1, 100, "threshold above rest (mV)", LiveKnob::None},
        {"vr", 10, 0, 100, "reset above rest (mV)", LiveKnob::None},
        {"tref", 2, 0, 100, "refractory period (ms)", LiveKnob::None},
        {"speed", 0, 0, 1000, "speed-up over real time (0 = as fast as possible)", LiveKnob::Speed},
    };
}

std::vector<Parameter> attractorParams() {
    return {
        {"neurons", 800, 40, 1e6, "number of neurons (80 % excitatory, split into the assemblies)",
         LiveKnob::None},
        {"conditions", 8, 1, 64, "number of assemblies (stimulus conditions)", LiveKnob::None},
        {"coupling", 4, 0, 20, "recurrent excitation within an assembly, relative to between",
         LiveKnob::Coupling},
        {"g", 1, 0, 10, "inhibition scale (E/I ratio)", LiveKnob::Inhibition},
        {"noise_hz", 2000, 1, 20000, "background Poisson input rate per neuron (Hz)", LiveKnob::Noise},
        {"stim_hz", 1500, 0, 20000, "extra Poisson rate to the stimulated assembly (Hz)", LiveKnob::None},
        {"p", 0.2, 0, 1, "connection probability", LiveKnob::None},
        {"trials", 48, 1, 10000, "number of trials (conditions in shuffled blocks)", LiveKnob::None},
        {"stim_ms", 200, 1, 10000, "stimulus window (ms)", LiveKnob::None},
        {"gap_ms", 200, 0, 10000, "inter-trial gap (ms)", LiveKnob::None},
        {"drive", 2, -50, 50, "constant drive (mV)", LiveKnob::Drive},
        {"speed", 0, 0, 1000, "speed-up over real time (0 = as fast as possible)", LiveKnob::Speed},
    };
}

std::vector<Parameter> graphParams() {
    return {
        {"coupling", 1, 0, 100, "synaptic and gap-junction strength scale", LiveKnob::Coupling},
        {"g", 1, 0, 20, "inhibitory weight scale (E/I ratio)", LiveKnob::Inhibition},
        {"drive", 4, -100, 100, "constant drive (mV)", LiveKnob::Drive},
        {"noise_hz", 500, 1, 20000, "background Poisson input rate per neuron (Hz)", LiveKnob::Noise},
        {"w_unit", 0.003, 0, 10, "conductance per unit edge weight (relative to the leak)", LiveKnob::None},
        {"gap_unit", 0.005, 0, 10, "gap-junction conductance per unit edge weight (relative to the leak)",
         LiveKnob::None},
        {"rule", 0, 0, 2, "inhibitory rule: 0 = node class / GABA, 1 = edge type, 2 = random fraction",
         LiveKnob::None},
        {"inh_fraction", 0.2, 0, 1, "fraction of inhibitory neurons for rule 2", LiveKnob::None},
        {"delay", 1, 0.1, 20, "synaptic delay (ms)", LiveKnob::None},
        {"speed", 0, 0, 1000, "speed-up over real time (0 = as fast as possible)", LiveKnob::Speed},
    };
}

// Defaults with the request's overrides applied; unknown names and values out of range are errors.
Result<std::vector<Parameter>> resolve(std::vector<Parameter> ps, const ModelRequest& req,
                                       const std::string& model) {
    auto set = [&](const std::string& name, double value) -> Status {
        for (auto& p : ps) {
            if (p.name != name) continue;
            if (!std::isfinite(value)) return argError("parameter '" + name + "' is " + num(value));
            if (value < p.min || value > p.max)
                return argError("parameter '" + name + "' = " + num(value) + " is outside [" + num(p.min) +
                                ", " + num(p.max) + "] for model " + model);
            p.value = value;
            return std::nullopt;
        }
        return argError("unknown parameter '" + name + "' for model " + model);
    };
    if (req.neurons > 0) {
        bool has = false;
        for (auto& p : ps) has = has || p.name == "neurons";
        if (!has)
            return argError("model " + model + " takes its neuron count from the graph; drop --neurons");
        if (auto e = set("neurons", double(req.neurons))) return *e;
    }
    for (const auto& [k, v] : req.params)
        if (auto e = set(k, v)) return *e;
    if (!std::isfinite(req.dt) || req.dt <= 0)
        return argError("dt must be a positive number of ms, got " + num(req.dt));
    return ps;
}

double get(const std::vector<Parameter>& ps, const std::string& name) {
    for (const auto& p : ps)
        if (p.name == name) return p.value;
    return 0;
}

// Adds targets of one presynaptic neuron: every j in [lo, hi) with probability p (geometric skipping).
template <class F> void bernoulliTargets(Rng& rng, uint32_t lo, uint32_t hi, double p, F&& add) {
    if (p <= 0 || hi <= lo) return;
    if (p >= 1) {
        for (uint32_t j = lo; j < hi; ++j) add(j);
        return;
    }
    const double logq = std::log1p(-p);
    uint64_t j = lo + rng.geometric(logq);
    while (j < hi) {
        add(uint32_t(j));
        j += 1 + rng.geometric(logq);
    }
}

SynapseTable emptyTable(uint32_t n) {
    SynapseTable t;
    t.off.assign(size_t(n) + 1, 0);
    return t;
}

uint16_t delaySteps(double ms, double dt) {
    return uint16_t(std::max<long>(1, std::min<long>(60000, std::lround(ms / dt))));
}

NeuronParams lif(double tau, double el, double vt, double vr, double tref, double drive) {
    NeuronParams p;
    p.type = NeuronType::LIF;
    p.tauM = tau;
    p.vRest = el;
    p.vThresh = vt;
    p.vReset = vr;
    p.tRef = tref;
    p.drive = drive;
    p.v0Min = vr;
    p.v0Max = vt;
    return p;
}

bool containsNoCase(const std::string& s, const std::string& what) {
    std::string a = s, b = what;
    for (auto& c : a) c = char(std::tolower(static_cast<unsigned char>(c)));
    for (auto& c : b) c = char(std::tolower(static_cast<unsigned char>(c)));
    return a.find(b) != std::string::npos;
}

} // namespace

std::vector<std::string> modelNames() {
    return {"coba", "brunel", "attractor", "demo"};
}

Result<std::vector<Parameter>> modelParameters(const std::string& model) {
    if (model == "coba") return cobaParams();
    if (model == "brunel") return brunelParams();
    if (model == "attractor") return attractorParams();
    if (model == "demo" || model == "graph") return graphParams();
    return argError("unknown model '" + model + "' (coba, brunel, attractor, demo or a connectome file)");
}

Result<ModelDescription> describeCoba(const ModelRequest& req) {
    auto pr = resolve(cobaParams(), req, "coba");
    if (!pr) return pr.error();
    const auto& ps = pr.value();
    const uint32_t n = uint32_t(get(ps, "neurons"));
    const uint32_t ne = uint32_t(std::lround(n * 0.8));
    const double p = get(ps, "p");
    if (auto e = checkMemory(estimateNetworkBytes(n, size_t(double(n) * n * p), 2),
                             "coba with " + num(n) + " neurons"))
        return *e;
    ModelDescription net;
    net.seed = req.seed;
    net.model = "coba";
    net.dt = req.dt;
    net.parameters = ps;
    const NeuronParams np = lif(get(ps, "taum"), -60, -50, -60, get(ps, "tref"), get(ps, "I"));
    net.addPopulation("E", np, ne, false, "lif");
    net.addPopulation("I", np, n - ne, true, "lif");
    net.channels.push_back({"exc", SynapseType::ConductanceExp, get(ps, "taue"), 0.0, LiveKnob::Coupling});
    net.channels.push_back(
        {"inh", SynapseType::ConductanceExp, get(ps, "taui"), -80.0, LiveKnob::Inhibition});
    Rng rng(req.seed);
    // Initial potentials first, then connectivity, each from its own stream.
    Rng conn(req.seed ^ 0x5bd1e995ULL);
    SynapseTable ex = emptyTable(n), in = emptyTable(n);
    const float we = float(get(ps, "we")), wi = float(get(ps, "wi"));
    const size_t expect = size_t(double(n) * n * p * 1.05) + 16;
    ex.target.reserve(size_t(expect * 0.8));
    in.target.reserve(size_t(expect * 0.2) + 16);
    for (uint32_t i = 0; i < n; ++i) {
        SynapseTable& t = i < ne ? ex : in;
        ex.off[i] = uint32_t(ex.target.size());
        in.off[i] = uint32_t(in.target.size());
        bernoulliTargets(conn, 0, n, p, [&](uint32_t j) { t.target.push_back(j); });
    }
    ex.off[n] = uint32_t(ex.target.size());
    in.off[n] = uint32_t(in.target.size());
    ex.weight.assign(ex.target.size(), we);
    in.weight.assign(in.target.size(), wi);
    net.addSynapses(0, std::move(ex));
    net.addSynapses(1, std::move(in));
    return net;
}

namespace {

// CSR by presynaptic neuron from per-postsynaptic source lists.
SynapseTable transpose(uint32_t n, const std::vector<std::vector<uint32_t>>& sourcesOf, float w) {
    SynapseTable t = emptyTable(n);
    for (uint32_t j = 0; j < n; ++j)
        for (uint32_t i : sourcesOf[j]) ++t.off[i + 1];
    for (uint32_t i = 0; i < n; ++i) t.off[i + 1] += t.off[i];
    t.target.resize(t.off[n]);
    std::vector<uint32_t> pos(t.off.begin(), t.off.end() - 1);
    for (uint32_t j = 0; j < n; ++j)
        for (uint32_t i : sourcesOf[j]) t.target[pos[i]++] = j;
    t.weight.assign(t.target.size(), w);
    return t;
}

} // namespace

Result<ModelDescription> describeBrunel(const ModelRequest& req) {
    auto pr = resolve(brunelParams(), req, "brunel");
    if (!pr) return pr.error();
    const auto& ps = pr.value();
    const uint32_t n = uint32_t(get(ps, "neurons"));
    const uint32_t ne = uint32_t(std::lround(n * 0.8)), ni = n - ne;
    const double eps = get(ps, "eps");
    const uint32_t ce = std::max<uint32_t>(1, uint32_t(std::lround(eps * ne)));
    const uint32_t ci = std::max<uint32_t>(ni ? 1 : 0, uint32_t(std::lround(eps * ni)));
    const size_t syn = size_t(n) * (ce + ci);
    const uint16_t d = delaySteps(get(ps, "delay"), req.dt);
    if (auto e = checkMemory(estimateNetworkBytes(n, syn * 2, 2, d) + syn * 4,
                             "brunel with " + num(n) + " neurons"))
        return *e;
    const double J = get(ps, "J"), g = get(ps, "g"), eta = get(ps, "eta"), tau = get(ps, "tau");
    const double theta = get(ps, "theta"), tauSyn = get(ps, "tau_syn");
    ModelDescription net;
    net.seed = req.seed;
    net.model = "brunel";
    net.dt = req.dt;
    net.parameters = ps;
    NeuronParams np = lif(tau, 0, theta, get(ps, "vr"), get(ps, "tref"), 0);
    np.v0Min = 0;
    np.v0Max = theta;
    net.addPopulation("E", np, ne, false, "lif");
    if (ni) net.addPopulation("I", np, ni, true, "lif");
    const SynapseType st = tauSyn > 0 ? SynapseType::CurrentExp : SynapseType::Delta;
    const double tsy = tauSyn > 0 ? tauSyn : 1;
    // With exponential synapses a jump of J*tau/tau_syn gives the same charge as a delta jump of J.
    const double scale = tauSyn > 0 ? tau / tauSyn : 1;
    net.channels.push_back({"exc", st, tsy, 0.0, LiveKnob::Coupling});
    net.channels.push_back({"inh", st, tsy, 0.0, LiveKnob::Inhibition});
    Rng conn(req.seed ^ 0x5bd1e995ULL);
    std::vector<std::vector<uint32_t>> fromE(n), fromI(n);
    for (uint32_t j = 0; j < n; ++j) {
        fromE[j].reserve(ce);
        for (uint32_t k = 0; k < ce; ++k) fromE[j].push_back(conn.below(ne));
        if (ni) {
            fromI[j].reserve(ci);
            for (uint32_t k = 0; k < ci; ++k) fromI[j].push_back(ne + conn.below(ni));
        }
    }
    SynapseTable ex = transpose(n, fromE, float(J * scale));
    fromE.clear();
    fromE.shrink_to_fit();
    SynapseTable in = transpose(n, fromI, float(-g * J * scale));
    ex.uniformDelay = in.uniformDelay = d;
    net.addSynapses(0, std::move(ex));
    net.addSynapses(1, std::move(in));
    // External drive: CE independent Poisson inputs at eta * nu_thr, nu_thr = theta / (J CE tau).
    const double nuThr = theta / (J * ce * tau * 1e-3); // Hz
    net.poisson.rateHz.assign(n, float(eta * nuThr * ce));
    net.poisson.channel = 0;
    net.poisson.weight = float(J * scale);
    return net;
}

Result<ModelDescription> describeAttractor(const ModelRequest& req) {
    auto pr = resolve(attractorParams(), req, "attractor");
    if (!pr) return pr.error();
    const auto& ps = pr.value();
    const uint32_t n = uint32_t(get(ps, "neurons"));
    const uint32_t ne = uint32_t(std::lround(n * 0.8)), ni = n - ne;
    const uint32_t C = uint32_t(get(ps, "conditions"));
    if (C > ne)
        return argError("parameter 'conditions' = " + num(C) + " exceeds the " + num(ne) +
                        " excitatory neurons");
    const double p = get(ps, "p");
    if (auto e = checkMemory(estimateNetworkBytes(n, size_t(double(n) * n * p), 3),
                             "attractor with " + num(n) + " neurons"))
        return *e;
    ModelDescription net;
    net.seed = req.seed;
    net.model = "attractor";
    net.dt = req.dt;
    net.parameters = ps;
    // Current-based LIF (inputs in mV), exact integration.
    NeuronParams np = lif(20, -70, -50, -60, 2, get(ps, "drive"));
    np.v0Min = -70;
    np.v0Max = -52;
    net.addPopulation("E", np, ne, false, "lif");
    net.addPopulation("I", np, ni, true, "lif");
    net.channels.push_back({"exc", SynapseType::CurrentExp, 5.0, 0.0, LiveKnob::None});
    net.channels.push_back({"assembly", SynapseType::CurrentExp, 5.0, 0.0, LiveKnob::Coupling});
    net.channels.push_back({"inh", SynapseType::CurrentExp, 5.0, 0.0, LiveKnob::Inhibition});
    // Weights are charges per spike in mV ms / tau_syn; scaled by 800/n to keep the input per neuron.
    const double sz = 800.0 / n;
    const float wEE = float(0.6 * sz), wEI = float(1.0 * sz), wIE = float(-3.0 * sz), wII = float(-2.0 * sz);
    const float wIn = float(0.6 * sz * get(ps, "coupling"));
    auto assemblyOf = [&](uint32_t i) { return uint32_t(uint64_t(i) * C / ne); };
    Rng conn(req.seed ^ 0x5bd1e995ULL);
    SynapseTable ex = emptyTable(n), as = emptyTable(n), in = emptyTable(n);
    for (uint32_t i = 0; i < n; ++i) {
        ex.off[i] = uint32_t(ex.target.size());
        as.off[i] = uint32_t(as.target.size());
        in.off[i] = uint32_t(in.target.size());
        if (i < ne) {
            const uint32_t ai = assemblyOf(i);
            bernoulliTargets(conn, 0, ne, p, [&](uint32_t j) {
                if (assemblyOf(j) == ai) {
                    as.target.push_back(j);
                    as.weight.push_back(wIn);
                } else {
                    ex.target.push_back(j);
                    ex.weight.push_back(wEE);
                }
            });
            bernoulliTargets(conn, ne, n, p, [&](uint32_t j) {
                ex.target.push_back(j);
                ex.weight.push_back(wEI);
            });
        } else {
            bernoulliTargets(conn, 0, n, p, [&](uint32_t j) {
                in.target.push_back(j);
                in.weight.push_back(j < ne ? wIE : wII);
            });
        }
    }
    ex.off[n] = uint32_t(ex.target.size());
    as.off[n] = uint32_t(as.target.size());
    in.off[n] = uint32_t(in.target.size());
    // The within-assembly channel carries `coupling` in its weights; the live knob scales it further.
    net.addSynapses(0, std::move(ex));
    net.addSynapses(1, std::move(as));
    net.addSynapses(2, std::move(in));
    for (auto& prm : net.parameters)
        if (prm.name == "coupling" && prm.value == 0) prm.live = LiveKnob::None; // a multiplier of 0 stays 0
    net.poisson.rateHz.assign(n, float(get(ps, "noise_hz")));
    net.poisson.channel = 0;
    net.poisson.weight = 1.0f;

    // Schedule: conditions in shuffled blocks, each trial a stimulus window then a gap.
    StimulusSchedule& s = net.stimulus;
    s.assemblies.resize(C);
    for (uint32_t i = 0; i < ne; ++i) s.assemblies[assemblyOf(i)].push_back(i);
    s.extraRateHz = float(get(ps, "stim_hz"));
    Rng sched(req.seed ^ 0x2545f4914f6cdd1dULL);
    const int trials = int(get(ps, "trials"));
    const double stim = get(ps, "stim_ms") * 1e-3, gap = get(ps, "gap_ms") * 1e-3;
    std::vector<int> block(C);
    double t = gap; // settle before the first trial
    for (int k = 0; k < trials; ++k) {
        if (k % int(C) == 0) {
            for (uint32_t c = 0; c < C; ++c) block[c] = int(c);
            for (uint32_t c = C; c > 1; --c) std::swap(block[c - 1], block[sched.below(c)]);
        }
        TrialEpoch e;
        e.start = t;
        e.stop = t + stim;
        e.condition = block[size_t(k) % C];
        e.trialId = k;
        s.epochs.push_back(e);
        t += stim + gap;
    }
    // The protocol repeats for as long as the run lasts.
    s.repeatPeriod = t;
    s.cycleLength = s.epochs.size();
    return net;
}

Result<ModelDescription> describeGraph(const Graph& gr, const ModelRequest& req) {
    ModelRequest r = req;
    r.neurons = 0;
    auto pr = resolve(graphParams(), r, "graph");
    if (!pr) return pr.error();
    if (req.neurons > 0)
        return argError("the neuron count of a graph model is the graph's node count; drop --neurons");
    const auto& ps = pr.value();
    const uint32_t n = uint32_t(gr.nodeCount());
    if (n == 0) return argError("the graph has no nodes");
    if (auto e = checkMemory(estimateNetworkBytes(n, gr.edgeCount() * 2, 2), "graph network")) return *e;
    ModelDescription net;
    net.seed = req.seed;
    net.model = "graph";
    net.dt = req.dt;
    net.parameters = ps;
    net.labels = gr.names;
    NeuronParams np = lif(20, -60, -50, -60, 2, get(ps, "drive"));
    net.addPopulation("all", np, n, false, "lif");
    net.channels.push_back({"exc", SynapseType::ConductanceExp, 5.0, 0.0, LiveKnob::Coupling});
    net.channels.push_back({"inh", SynapseType::ConductanceExp, 10.0, -80.0, LiveKnob::Inhibition});

    // Which sources (or edges) are inhibitory.
    const int rule = int(std::lround(get(ps, "rule")));
    std::vector<uint8_t> inhNode(n, 0);
    if (rule == 0) {
        const std::vector<std::string>* transmitter = nullptr;
        for (const auto& [name, col] : gr.nodeText)
            if (containsNoCase(name, "transmitter") && col.size() == n) transmitter = &col;
        for (uint32_t i = 0; i < n; ++i) {
            const bool cls = i < gr.nodeClass.size() && gr.nodeClass[i] == "I";
            const bool gaba = containsNoCase(gr.names[i], "GABA") ||
                              (transmitter && containsNoCase((*transmitter)[i], "GABA"));
            inhNode[i] = cls || gaba;
        }
    } else if (rule == 2) {
        Rng rr(req.seed ^ 0x9e3779b97f4a7c15ULL);
        const double f = get(ps, "inh_fraction");
        for (uint32_t i = 0; i < n; ++i) inhNode[i] = rr.uniform() < f;
    }
    int inhType = -1, elecType = -1;
    for (size_t t = 0; t < gr.edgeTypes.size(); ++t) {
        if (containsNoCase(gr.edgeTypes[t], "inhibitory")) inhType = int(t);
        if (containsNoCase(gr.edgeTypes[t], "electrical") || containsNoCase(gr.edgeTypes[t], "gap"))
            elecType = int(t);
    }
    // Built with the parameter values; the live knobs then scale relative to them.
    const float coupling = float(get(ps, "coupling"));
    const float wUnit = float(get(ps, "w_unit")) * coupling, gapUnit = float(get(ps, "gap_unit")) * coupling;
    std::vector<uint32_t> ecount(size_t(n) + 1, 0), icount(size_t(n) + 1, 0), gcount(size_t(n) + 1, 0);
    auto isInh = [&](size_t e) { return rule == 1 ? int(gr.type[e]) == inhType : inhNode[gr.src[e]] != 0; };
    const size_t m = gr.edgeCount();
    for (size_t e = 0; e < m; ++e) {
        const uint32_t s = gr.src[e], d = gr.dst[e];
        if (s >= n || d >= n) return argError("graph edge " + num(double(e)) + " refers to a missing node");
        if (int(gr.type[e]) == elecType) {
            if (s == d) continue;
            ++gcount[s + 1];
            ++gcount[d + 1];
        } else if (isInh(e)) {
            ++icount[s + 1];
        } else {
            ++ecount[s + 1];
        }
    }
    for (uint32_t i = 0; i < n; ++i) {
        ecount[i + 1] += ecount[i];
        icount[i + 1] += icount[i];
        gcount[i + 1] += gcount[i];
    }
    SynapseTable ex, in;
    ex.off = ecount;
    in.off = icount;
    ex.target.resize(ecount[n]);
    ex.weight.resize(ecount[n]);
    in.target.resize(icount[n]);
    in.weight.resize(icount[n]);
    net.gaps.off = gcount;
    net.gaps.target.resize(gcount[n]);
    net.gaps.g.resize(gcount[n]);
    std::vector<uint32_t> pe(ecount.begin(), ecount.end() - 1), pi(icount.begin(), icount.end() - 1),
        pg(gcount.begin(), gcount.end() - 1);
    const double gInh = get(ps, "g");
    for (size_t e = 0; e < m; ++e) {
        const uint32_t s = gr.src[e], d = gr.dst[e];
        const float w = e < gr.weight.size() && std::isfinite(gr.weight[e]) ? std::fabs(gr.weight[e]) : 1.f;
        if (int(gr.type[e]) == elecType) {
            if (s == d) continue;
            const float gg = gapUnit * w;
            net.gaps.target[pg[s]] = d;
            net.gaps.g[pg[s]++] = gg;
            net.gaps.target[pg[d]] = s;
            net.gaps.g[pg[d]++] = gg;
        } else if (isInh(e)) {
            in.target[pi[s]] = d;
            in.weight[pi[s]++] = float(wUnit * w * gInh);
        } else {
            ex.target[pe[s]] = d;
            ex.weight[pe[s]++] = wUnit * w;
        }
    }
    if (net.gaps.target.empty()) net.gaps = GapJunctions{};
    ex.uniformDelay = in.uniformDelay = delaySteps(get(ps, "delay"), req.dt);
    net.addSynapses(0, std::move(ex));
    net.addSynapses(1, std::move(in));
    net.poisson.rateHz.assign(n, float(get(ps, "noise_hz")));
    net.poisson.channel = 0;
    net.poisson.weight = 0.05f;
    return net;
}

Result<Network> makeCoba(const ModelRequest& req) {
    auto d = describeCoba(req);
    if (!d) return d.error();
    return buildNetwork(std::move(d.value()));
}

Result<Network> makeBrunel(const ModelRequest& req) {
    auto d = describeBrunel(req);
    if (!d) return d.error();
    return buildNetwork(std::move(d.value()));
}

Result<Network> makeAttractor(const ModelRequest& req) {
    auto d = describeAttractor(req);
    if (!d) return d.error();
    return buildNetwork(std::move(d.value()));
}

Result<Network> networkFromGraph(const Graph& g, const ModelRequest& req) {
    auto d = describeGraph(g, req);
    if (!d) return d.error();
    return buildNetwork(std::move(d.value()));
}

} // namespace nr
