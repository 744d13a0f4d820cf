#include "sim/ModelDescription.h"

#include "base/Json.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

namespace nr {

namespace {

uint16_t stepsOf(double ms, double dt) {
    return uint16_t(std::max<long>(1, std::min<long>(60000, std::lround(ms / dt))));
}

std::string num(double x) {
    char b[40];
    std::snprintf(b, sizeof b, "%.17g", x);
    return b;
}

std::string numf(float x) {
    char b[40];
    std::snprintf(b, sizeof b, "%.9g", double(x));
    return b;
}

std::string quoted(const std::string& s) {
    return writeJson(JsonValue::string(s), 0);
}

// NeuronParams fields by their names in the file.
struct ParamField {
    const char* name;
    double NeuronParams::*member;
};
constexpr ParamField kParamFields[] = {
    {"tauM", &NeuronParams::tauM},
    {"vRest", &NeuronParams::vRest},
    {"vReset", &NeuronParams::vReset},
    {"vThresh", &NeuronParams::vThresh},
    {"tRef", &NeuronParams::tRef},
    {"drive", &NeuronParams::drive},
    {"noiseSigma", &NeuronParams::noiseSigma},
    {"C", &NeuronParams::C},
    {"gL", &NeuronParams::gL},
    {"deltaT", &NeuronParams::deltaT},
    {"tauW", &NeuronParams::tauW},
    {"a", &NeuronParams::a},
    {"b", &NeuronParams::b},
    {"vPeak", &NeuronParams::vPeak},
    {"izA", &NeuronParams::izA},
    {"izB", &NeuronParams::izB},
    {"izC", &NeuronParams::izC},
    {"izD", &NeuronParams::izD},
    {"v0Min", &NeuronParams::v0Min},
    {"v0Max", &NeuronParams::v0Max},
};

bool sameParams(const NeuronParams& a, const NeuronParams& b) {
    if (a.type != b.type) return false;
    for (const auto& f : kParamFields)
        if (!(a.*(f.member) == b.*(f.member))) return false;
    return true;
}

} // namespace

const char* neuronTypeName(NeuronType t) {
    switch (t) {
    case NeuronType::LIF:
        return "lif";
    case NeuronType::AdEx:
        return "adex";
    case NeuronType::Izhikevich:
        return "izhikevich";
    }
    return "lif";
}

const char* synapseTypeName(SynapseType t) {
    switch (t) {
    case SynapseType::Delta:
        return "delta";
    case SynapseType::CurrentExp:
        return "current_exp";
    case SynapseType::ConductanceExp:
        return "conductance_exp";
    }
    return "delta";
}

const char* liveKnobName(LiveKnob k) {
    switch (k) {
    case LiveKnob::None:
        return "none";
    case LiveKnob::Drive:
        return "drive";
    case LiveKnob::Coupling:
        return "coupling";
    case LiveKnob::Inhibition:
        return "inhibition";
    case LiveKnob::Noise:
        return "noise";
    case LiveKnob::Speed:
        return "speed";
    }
    return "none";
}

uint32_t ModelDescription::cellCount() const {
    uint64_t n = 0;
    for (const auto& p : populations) n += p.size;
    return uint32_t(std::min<uint64_t>(n, std::numeric_limits<uint32_t>::max()));
}

size_t ModelDescription::synapseCount() const {
    size_t s = 0;
    for (const auto& c : connections) s += c.size();
    return s;
}

void ModelDescription::addPopulation(const std::string& name, const NeuronParams& p, uint32_t size,
                                     bool inhibitory, const std::string& kindName) {
    uint32_t k = 0;
    while (k < cellKinds.size() && !sameParams(cellKinds[k].p, p)) ++k;
    if (k == cellKinds.size()) cellKinds.push_back({kindName.empty() ? name : kindName, p});
    populations.push_back({name, k, size, inhibitory});
}

void ModelDescription::addSynapses(uint32_t channel, SynapseTable&& t) {
    Connections c;
    c.channel = channel;
    c.off = std::move(t.off);
    c.target = std::move(t.target);
    c.weight = std::move(t.weight);
    c.uniformDelayMs = t.uniformDelay * dt;
    c.delayMs.reserve(t.delay.size());
    for (uint16_t s : t.delay) c.delayMs.push_back(float(s * dt));
    t = SynapseTable{};
    connections.push_back(std::move(c));
}

Result<Network> buildNetwork(ModelDescription&& d, const std::string& source) {
    Network net;
    net.model = d.model;
    net.dt = d.dt;
    net.parameters = std::move(d.parameters);
    uint32_t start = 0;
    for (const auto& p : d.populations) {
        if (p.kind >= d.cellKinds.size())
            return Error{source, 0, "population '" + p.name + "' refers to a missing cell kind"};
        net.populations.push_back({p.name, start, p.size, d.cellKinds[p.kind].p, p.inhibitory});
        start += p.size;
    }
    net.n = start;
    net.channels = d.channels;
    net.synapses.assign(d.channels.size(), SynapseTable{});
    std::vector<uint8_t> seen(d.channels.size(), 0);
    for (auto& c : d.connections) {
        if (c.channel >= d.channels.size())
            return Error{source, 0,
                         "a connection table refers to channel " + std::to_string(c.channel) + " of " +
                             std::to_string(d.channels.size())};
        if (seen[c.channel]++)
            return Error{source, 0, "channel '" + d.channels[c.channel].name + "' has two connection tables"};
        SynapseTable& t = net.synapses[c.channel];
        t.off = std::move(c.off);
        t.target = std::move(c.target);
        t.weight = std::move(c.weight);
        t.uniformDelay = stepsOf(c.uniformDelayMs, d.dt);
        t.delay.reserve(c.delayMs.size());
        for (float ms : c.delayMs) t.delay.push_back(stepsOf(ms, d.dt));
    }
    d.connections.clear();
    net.gaps = std::move(d.gaps);
    net.poisson = std::move(d.poisson);
    net.stimulus = std::move(d.stimulus);
    net.labels = std::move(d.labels);
    return net;
}

Result<Network> buildNetwork(const ModelDescription& d, const std::string& source) {
    ModelDescription copy = d;
    return buildNetwork(std::move(copy), source);
}

ModelDescription describeNetwork(const Network& net) {
    ModelDescription d;
    d.model = net.model;
    d.dt = net.dt;
    d.parameters = net.parameters;
    for (const auto& p : net.populations) d.addPopulation(p.name, p.p, p.size, p.inhibitory);
    d.channels = net.channels;
    for (size_t c = 0; c < net.synapses.size(); ++c) {
        if (net.synapses[c].off.empty()) continue;
        SynapseTable t = net.synapses[c];
        d.addSynapses(uint32_t(c), std::move(t));
    }
    d.gaps = net.gaps;
    d.poisson = net.poisson;
    d.stimulus = net.stimulus;
    d.labels = net.labels;
    return d;
}

Status validateDescription(const ModelDescription& d, const std::string& source) {
    for (const auto& c : d.connections) {
        for (float w : c.weight)
            if (!std::isfinite(w)) return Error{source, 0, "a synapse weight is not finite"};
        if (!std::isfinite(c.uniformDelayMs) || c.uniformDelayMs < 0)
            return Error{source, 0, "synapse delays must be finite and >= 0 ms"};
        for (float ms : c.delayMs)
            if (!std::isfinite(ms) || ms < 0)
                return Error{source, 0, "synapse delays must be finite and >= 0 ms"};
    }
    auto net = buildNetwork(d, source);
    if (!net) return net.error();
    return validateNetwork(net.value(), source);
}

// ---- writing ------------------------------------------------------------------------------------------

namespace {

template <class T, class F> void writeArray(std::string& o, const std::vector<T>& v, F&& text) {
    o += '[';
    for (size_t i = 0; i < v.size(); ++i) {
        if (i) o += ',';
        o += text(v[i]);
    }
    o += ']';
}

std::string u32(uint32_t x) {
    return std::to_string(x);
}

} // namespace

std::string modelDescriptionJson(const ModelDescription& d) {
    const uint32_t n = d.cellCount();
    std::string o;
    o += "{\n  \"format\": \"neurorama-model\",\n  \"version\": " + std::to_string(d.version) + ",\n";
    o += "  \"model\": " + quoted(d.model) + ",\n  \"dt_ms\": " + num(d.dt) +
         ",\n  \"seed\": " + std::to_string(d.seed) + ",\n  \"cells\": " + u32(n) + ",\n";
    o += "  \"parameters\": [";
    for (size_t i = 0; i < d.parameters.size(); ++i)
        o += std::string(i ? ",\n    " : "\n    ") + "{\"name\": " + quoted(d.parameters[i].name) +
             ", \"value\": " + num(d.parameters[i].value) + "}";
    o += "\n  ],\n  \"cell_kinds\": [";
    for (size_t i = 0; i < d.cellKinds.size(); ++i) {
        const auto& k = d.cellKinds[i];
        o += std::string(i ? ",\n    " : "\n    ") + "{\"name\": " + quoted(k.name) + ", \"type\": \"" +
             neuronTypeName(k.p.type) + "\"";
        for (const auto& f : kParamFields) o += std::string(", \"") + f.name + "\": " + num(k.p.*(f.member));
        o += "}";
    }
    o += "\n  ],\n  \"populations\": [";
    for (size_t i = 0; i < d.populations.size(); ++i) {
        const auto& p = d.populations[i];
        const std::string kind = p.kind < d.cellKinds.size() ? d.cellKinds[p.kind].name : std::string();
        o += std::string(i ? ",\n    " : "\n    ") + "{\"name\": " + quoted(p.name) +
             ", \"kind\": " + quoted(kind) + ", \"size\": " + u32(p.size) +
             ", \"inhibitory\": " + (p.inhibitory ? "true" : "false") + "}";
    }
    o += "\n  ],\n  \"channels\": [";
    for (size_t i = 0; i < d.channels.size(); ++i) {
        const auto& c = d.channels[i];
        o += std::string(i ? ",\n    " : "\n    ") + "{\"name\": " + quoted(c.name) + ", \"type\": \"" +
             synapseTypeName(c.type) + "\", \"tau_ms\": " + num(c.tau) + ", \"erev_mV\": " + num(c.erev) +
             ", \"scale\": \"" + liveKnobName(c.scale) + "\"}";
    }
    o += "\n  ],\n  \"connections\": [";
    for (size_t ci = 0; ci < d.connections.size(); ++ci) {
        const Connections& c = d.connections[ci];
        const std::string ch = c.channel < d.channels.size() ? d.channels[c.channel].name : std::string();
        o += std::string(ci ? ",\n    " : "\n    ") + "{\"channel\": " + quoted(ch) +
             ", \"delay_ms\": " + num(c.uniformDelayMs) + ",\n     ";
        // Per target cell: sources of target j are sources[offsets[j]..offsets[j+1]), in presynaptic order.
        std::vector<uint32_t> toff(size_t(n) + 1, 0);
        const bool hasTable = c.off.size() == size_t(n) + 1;
        if (hasTable)
            for (uint32_t t : c.target)
                if (t < n) ++toff[t + 1];
        for (uint32_t j = 0; j < n; ++j) toff[j + 1] += toff[j];
        const size_t m = toff[n];
        std::vector<uint32_t> src(m);
        std::vector<float> w(m), dl(c.delayMs.empty() ? 0 : m);
        std::vector<uint32_t> pos(toff.begin(), toff.end() - 1);
        if (hasTable)
            for (uint32_t s = 0; s < n; ++s)
                for (uint32_t k = c.off[s]; k < c.off[s + 1] && k < c.target.size(); ++k) {
                    const uint32_t t = c.target[k];
                    if (t >= n) continue;
                    const size_t at = pos[t]++;
                    src[at] = s;
                    w[at] = k < c.weight.size() ? c.weight[k] : 0.f;
                    if (!dl.empty()) dl[at] = k < c.delayMs.size() ? c.delayMs[k] : 0.f;
                }
        o += "\"offsets\": ";
        writeArray(o, toff, u32);
        o += ",\n     \"sources\": ";
        writeArray(o, src, u32);
        const bool uniform =
            !w.empty() && std::all_of(w.begin(), w.end(), [&](float x) { return x == w[0]; });
        if (uniform) {
            o += ",\n     \"weight\": " + numf(w[0]);
        } else {
            o += ",\n     \"weights\": ";
            writeArray(o, w, numf);
        }
        if (!dl.empty()) {
            o += ",\n     \"delays_ms\": ";
            writeArray(o, dl, numf);
        }
        o += "}";
    }
    o += "\n  ]";
    if (!d.gaps.empty()) {
        o += ",\n  \"gap_junctions\": {\"offsets\": ";
        writeArray(o, d.gaps.off, u32);
        o += ",\n    \"targets\": ";
        writeArray(o, d.gaps.target, u32);
        o += ",\n    \"g\": ";
        writeArray(o, d.gaps.g, numf);
        o += "}";
    }
    if (!d.poisson.rateHz.empty()) {
        const auto& r = d.poisson.rateHz;
        const std::string ch =
            d.poisson.channel < d.channels.size() ? d.channels[d.poisson.channel].name : std::string();
        o += ",\n  \"poisson\": {\"channel\": " + quoted(ch) + ", \"weight\": " + numf(d.poisson.weight) +
             ", \"rate_hz\": ";
        if (std::all_of(r.begin(), r.end(), [&](float x) { return x == r[0]; }) && r.size() == n)
            o += numf(r[0]);
        else
            writeArray(o, r, numf);
        o += "}";
    }
    const StimulusSchedule& s = d.stimulus;
    if (!s.epochs.empty()) {
        o += ",\n  \"stimulus\": {\"extra_rate_hz\": " + numf(s.extraRateHz) +
             ", \"repeat_period_s\": " + num(s.repeatPeriod) +
             ", \"cycle_length\": " + std::to_string(s.cycleLength) + ",\n    \"assemblies\": [";
        for (size_t a = 0; a < s.assemblies.size(); ++a) {
            if (a) o += ",\n      ";
            writeArray(o, s.assemblies[a], u32);
        }
        o += "],\n    \"epochs\": [";
        for (size_t e = 0; e < s.epochs.size(); ++e)
            o += std::string(e ? ",\n      " : "\n      ") + "{\"start_s\": " + num(s.epochs[e].start) +
                 ", \"stop_s\": " + num(s.epochs[e].stop) +
                 ", \"condition\": " + std::to_string(s.epochs[e].condition) +
                 ", \"trial\": " + std::to_string(s.epochs[e].trialId) + "}";
        o += "]}";
    }
    o += ",\n  \"probes\": [";
    for (size_t i = 0; i < d.probes.size(); ++i)
        o += std::string(i ? ", " : "") + "{\"kind\": " + quoted(d.probes[i].kind) +
             ", \"population\": " + quoted(d.probes[i].population) + "}";
    o += "]";
    if (!d.labels.empty()) {
        o += ",\n  \"labels\": ";
        writeArray(o, d.labels, quoted);
    }
    o += "\n}\n";
    return o;
}

Status writeModelDescription(const ModelDescription& d, const std::string& path) {
    const std::string text = modelDescriptionJson(d);
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return Error{path, 0, std::string("cannot write the model description: ") + std::strerror(errno)};
    const size_t w = std::fwrite(text.data(), 1, text.size(), f);
    const bool bad = std::ferror(f) != 0 || w != text.size();
    if (std::fclose(f) != 0 || bad) return Error{path, 0, "write failed (disk full?)"};
    return std::nullopt;
}

// ---- reading ------------------------------------------------------------------------------------------

namespace {

class Reader {
public:
    explicit Reader(std::string file) : file_(std::move(file)) {}
    Error at(const JsonValue& v, const std::string& why) const { return Error{file_, v.line, why}; }

    Result<const JsonValue*> member(const JsonValue& obj, const std::string& key, JsonValue::Type t,
                                    bool required = true) const {
        const JsonValue* v = obj.get(key);
        if (!v) {
            if (!required) return static_cast<const JsonValue*>(nullptr);
            return at(obj, std::string("missing key \"") + key + "\" (" + jsonTypeName(t) + ")");
        }
        if (v->type != t)
            return at(*v, "\"" + key + "\" must be " + jsonTypeName(t) + ", not " + jsonTypeName(v->type));
        return v;
    }
    Result<double> number(const JsonValue& obj, const std::string& key, double lo, double hi,
                          std::optional<double> def = std::nullopt) const {
        const JsonValue* v = obj.get(key);
        if (!v && def) return *def;
        auto r = member(obj, key, JsonValue::Number);
        if (!r) return r.error();
        return checkNumber(*r.value(), "\"" + key + "\"", lo, hi);
    }
    Result<double> checkNumber(const JsonValue& v, const std::string& what, double lo, double hi) const {
        if (v.type != JsonValue::Number)
            return at(v, what + " must be a finite number, not " + jsonTypeName(v.type));
        if (!std::isfinite(v.num)) return at(v, what + " must be a finite number");
        if (!(v.num >= lo && v.num <= hi))
            return at(v, what + " = " + (v.str.empty() ? num(v.num) : v.str) + " is outside [" + num(lo) +
                             ", " + num(hi) + "]");
        return v.num;
    }
    Result<uint32_t> index(const JsonValue& v, const std::string& what, uint64_t below) const {
        if (v.type != JsonValue::Number || !std::isfinite(v.num) || v.num != std::floor(v.num))
            return at(v, what + " must be a whole number");
        if (v.num < 0)
            return at(v, what + " must not be negative (" + (v.str.empty() ? num(v.num) : v.str) + ")");
        if (v.num >= double(below))
            return at(v, what + " = " + (v.str.empty() ? num(v.num) : v.str) + " is out of range (< " +
                             std::to_string(below) + ")");
        return uint32_t(v.num);
    }
    template <class T>
    Status indices(const JsonValue& arr, const std::string& what, uint64_t below, std::vector<T>& out) const {
        out.reserve(arr.arr.size());
        for (const auto& x : arr.arr) {
            auto r = index(x, what, below);
            if (!r) return r.error();
            out.push_back(T(r.value()));
        }
        return std::nullopt;
    }
    Status floats(const JsonValue& arr, const std::string& what, double lo, double hi,
                  std::vector<float>& out) const {
        out.reserve(arr.arr.size());
        for (const auto& x : arr.arr) {
            auto r = checkNumber(x, what, lo, hi);
            if (!r) return r.error();
            out.push_back(float(r.value()));
        }
        return std::nullopt;
    }
    Result<std::string> text(const JsonValue& obj, const std::string& key,
                             std::optional<std::string> def = {}) const {
        const JsonValue* v = obj.get(key);
        if (!v && def) return *def;
        auto r = member(obj, key, JsonValue::String);
        if (!r) return r.error();
        return r.value()->str;
    }
    const std::string& file() const { return file_; }

private:
    std::string file_;
};

#define NR_TRY(var, expr)                                                                                    \
    auto var##_r = (expr);                                                                                   \
    if (!var##_r) return var##_r.error();                                                                    \
    auto var = var##_r.value();

constexpr double kBig = 1e12;

} // namespace

Result<ModelDescription> parseModelDescription(const std::string& text, const std::string& file) {
    auto parsed = parseJson(text, file);
    if (!parsed) return parsed.error();
    const JsonValue& root = parsed.value();
    Reader rd(file);
    if (!root.isObject()) return rd.at(root, "a model description is a JSON object");
    NR_TRY(format, rd.text(root, "format"));
    if (format != "neurorama-model")
        return rd.at(*root.get("format"), "\"format\" must be \"neurorama-model\", not \"" + format + "\"");
    NR_TRY(version, rd.number(root, "version", -kBig, kBig));
    if (version != kModelDescriptionVersion)
        return rd.at(*root.get("version"), "unsupported model description version " + num(version) +
                                               " (this Neurorama reads version " +
                                               std::to_string(kModelDescriptionVersion) + ")");
    ModelDescription d;
    NR_TRY(model, rd.text(root, "model"));
    d.model = model;
    NR_TRY(dt, rd.number(root, "dt_ms", 1e-6, 1000));
    d.dt = dt;
    NR_TRY(seed, rd.number(root, "seed", 0, 9007199254740992.0, 1.0));
    d.seed = uint64_t(seed);
    NR_TRY(cellsV, rd.member(root, "cells", JsonValue::Number));
    NR_TRY(cells, rd.index(*cellsV, "\"cells\"", uint64_t(1) << 31));
    if (cells == 0) return rd.at(*cellsV, "the model has no cells (\"cells\" is 0)");

    NR_TRY(params, rd.member(root, "parameters", JsonValue::Array, false));
    if (params)
        for (const auto& p : params->arr) {
            if (!p.isObject()) return rd.at(p, "each parameter is an object {\"name\", \"value\"}");
            NR_TRY(name, rd.text(p, "name"));
            NR_TRY(value, rd.number(p, "value", -1e300, 1e300));
            Parameter prm;
            prm.name = name;
            prm.value = value;
            d.parameters.push_back(prm);
        }

    NR_TRY(kinds, rd.member(root, "cell_kinds", JsonValue::Array));
    if (kinds->arr.empty()) return rd.at(*kinds, "\"cell_kinds\" is empty");
    for (const auto& k : kinds->arr) {
        if (!k.isObject()) return rd.at(k, "each cell kind is an object");
        CellKind ck;
        NR_TRY(name, rd.text(k, "name"));
        ck.name = name;
        NR_TRY(type, rd.text(k, "type"));
        if (type == "lif")
            ck.p.type = NeuronType::LIF;
        else if (type == "adex")
            ck.p.type = NeuronType::AdEx;
        else if (type == "izhikevich")
            ck.p.type = NeuronType::Izhikevich;
        else
            return rd.at(*k.get("type"), "unknown cell type \"" + type + "\" (lif, adex or izhikevich)");
        for (const auto& f : kParamFields) {
            NR_TRY(v, rd.number(k, f.name, -1e9, 1e9, ck.p.*(f.member)));
            ck.p.*(f.member) = v;
        }
        d.cellKinds.push_back(ck);
    }
    auto kindIndex = [&](const std::string& name) -> int {
        for (size_t i = 0; i < d.cellKinds.size(); ++i)
            if (d.cellKinds[i].name == name) return int(i);
        return -1;
    };

    NR_TRY(pops, rd.member(root, "populations", JsonValue::Array));
    if (pops->arr.empty()) return rd.at(*pops, "\"populations\" is empty");
    uint64_t total = 0;
    for (const auto& p : pops->arr) {
        if (!p.isObject()) return rd.at(p, "each population is an object");
        PopulationSpec ps;
        NR_TRY(name, rd.text(p, "name"));
        ps.name = name;
        NR_TRY(kind, rd.text(p, "kind"));
        const int ki = kindIndex(kind);
        if (ki < 0)
            return rd.at(*p.get("kind"), "population '" + name + "': no cell kind named \"" + kind + "\"");
        ps.kind = uint32_t(ki);
        NR_TRY(sizeV, rd.member(p, "size", JsonValue::Number));
        NR_TRY(size, rd.index(*sizeV, "population '" + name + "': \"size\"", uint64_t(1) << 31));
        ps.size = size;
        const JsonValue* inh = p.get("inhibitory");
        if (inh && !inh->isBool()) return rd.at(*inh, "\"inhibitory\" must be true or false");
        ps.inhibitory = inh && inh->b;
        total += size;
        d.populations.push_back(ps);
    }
    if (total != cells)
        return rd.at(*pops, "the populations hold " + std::to_string(total) + " cells, \"cells\" says " +
                                std::to_string(cells));
    const uint32_t n = cells;

    NR_TRY(chans, rd.member(root, "channels", JsonValue::Array));
    for (const auto& c : chans->arr) {
        if (!c.isObject()) return rd.at(c, "each channel is an object");
        Channel ch;
        NR_TRY(name, rd.text(c, "name"));
        ch.name = name;
        NR_TRY(type, rd.text(c, "type"));
        if (type == "delta")
            ch.type = SynapseType::Delta;
        else if (type == "current_exp")
            ch.type = SynapseType::CurrentExp;
        else if (type == "conductance_exp")
            ch.type = SynapseType::ConductanceExp;
        else
            return rd.at(*c.get("type"),
                         "unknown synapse type \"" + type + "\" (delta, current_exp or conductance_exp)");
        NR_TRY(tau, rd.number(c, "tau_ms", 0, 1e6, 5.0));
        ch.tau = tau;
        NR_TRY(erev, rd.number(c, "erev_mV", -1e6, 1e6, 0.0));
        ch.erev = erev;
        NR_TRY(scale, rd.text(c, "scale", std::string("none")));
        ch.scale = LiveKnob::None;
        for (LiveKnob k : {LiveKnob::None, LiveKnob::Drive, LiveKnob::Coupling, LiveKnob::Inhibition,
                           LiveKnob::Noise, LiveKnob::Speed})
            if (scale == liveKnobName(k)) ch.scale = k;
        d.channels.push_back(ch);
    }
    auto channelIndex = [&](const JsonValue& obj, const std::string& key) -> Result<uint32_t> {
        auto name = rd.text(obj, key);
        if (!name) return name.error();
        for (size_t i = 0; i < d.channels.size(); ++i)
            if (d.channels[i].name == name.value()) return uint32_t(i);
        return rd.at(*obj.get(key), "no channel named \"" + name.value() + "\"");
    };

    NR_TRY(conns, rd.member(root, "connections", JsonValue::Array, false));
    if (conns)
        for (const auto& c : conns->arr) {
            if (!c.isObject()) return rd.at(c, "each connection table is an object");
            NR_TRY(ch, channelIndex(c, "channel"));
            for (const auto& other : d.connections)
                if (other.channel == ch)
                    return rd.at(c, "channel '" + d.channels[ch].name + "' has two connection tables");
            NR_TRY(delay, rd.number(c, "delay_ms", 0, 60000, d.dt));
            NR_TRY(offV, rd.member(c, "offsets", JsonValue::Array));
            NR_TRY(srcV, rd.member(c, "sources", JsonValue::Array));
            if (offV->arr.size() != size_t(n) + 1)
                return rd.at(*offV, "\"offsets\" needs cells + 1 = " + std::to_string(size_t(n) + 1) +
                                        " entries, not " + std::to_string(offV->arr.size()));
            std::vector<uint32_t> toff, src;
            if (auto e = rd.indices(*offV, "an offset", uint64_t(srcV->arr.size()) + 1, toff)) return *e;
            for (size_t j = 0; j < n; ++j)
                if (toff[j + 1] < toff[j]) return rd.at(offV->arr[j + 1], "\"offsets\" must not decrease");
            if (toff[0] != 0 || toff[n] != srcV->arr.size())
                return rd.at(*offV, "\"offsets\" must run from 0 to the number of sources (" +
                                        std::to_string(srcV->arr.size()) + ")");
            if (auto e = rd.indices(*srcV, "a source cell", n, src)) return *e;
            const size_t m = src.size();
            std::vector<float> w;
            NR_TRY(wsV, rd.member(c, "weights", JsonValue::Array, false));
            if (wsV) {
                if (wsV->arr.size() != m)
                    return rd.at(*wsV, "\"weights\" needs one weight per source (" + std::to_string(m) +
                                           "), not " + std::to_string(wsV->arr.size()));
                if (auto e = rd.floats(*wsV, "a weight", -1e30, 1e30, w)) return *e;
            } else {
                NR_TRY(w0, rd.number(c, "weight", -1e30, 1e30, m ? std::optional<double>() : 0.0));
                w.assign(m, float(w0));
            }
            std::vector<float> dl;
            NR_TRY(dsV, rd.member(c, "delays_ms", JsonValue::Array, false));
            if (dsV) {
                if (dsV->arr.size() != m)
                    return rd.at(*dsV,
                                 "\"delays_ms\" needs one delay per source (" + std::to_string(m) + ")");
                if (auto e = rd.floats(*dsV, "a delay", 0, 60000, dl)) return *e;
            }
            // Back to CSR by presynaptic cell (targets ascending, each pair in the file's order).
            Connections t;
            t.channel = ch;
            t.uniformDelayMs = delay;
            t.off.assign(size_t(n) + 1, 0);
            for (uint32_t s : src) ++t.off[s + 1];
            for (uint32_t i = 0; i < n; ++i) t.off[i + 1] += t.off[i];
            t.target.resize(m);
            t.weight.resize(m);
            if (!dl.empty()) t.delayMs.resize(m);
            std::vector<uint32_t> pos(t.off.begin(), t.off.end() - 1);
            for (uint32_t j = 0; j < n; ++j)
                for (uint32_t k = toff[j]; k < toff[j + 1]; ++k) {
                    const uint32_t at = pos[src[k]]++;
                    t.target[at] = j;
                    t.weight[at] = w[k];
                    if (!dl.empty()) t.delayMs[at] = dl[k];
                }
            d.connections.push_back(std::move(t));
        }

    NR_TRY(gapV, rd.member(root, "gap_junctions", JsonValue::Object, false));
    if (gapV) {
        NR_TRY(offV, rd.member(*gapV, "offsets", JsonValue::Array));
        NR_TRY(tV, rd.member(*gapV, "targets", JsonValue::Array));
        NR_TRY(gV, rd.member(*gapV, "g", JsonValue::Array));
        if (offV->arr.size() != size_t(n) + 1)
            return rd.at(*offV, "gap junction \"offsets\" needs cells + 1 entries");
        if (gV->arr.size() != tV->arr.size()) return rd.at(*gV, "gap junctions need one \"g\" per target");
        if (auto e = rd.indices(*offV, "an offset", uint64_t(tV->arr.size()) + 1, d.gaps.off)) return *e;
        for (size_t j = 0; j < n; ++j)
            if (d.gaps.off[j + 1] < d.gaps.off[j])
                return rd.at(offV->arr[j + 1], "\"offsets\" must not decrease");
        if (d.gaps.off[0] != 0 || d.gaps.off[n] != tV->arr.size())
            return rd.at(*offV, "gap junction \"offsets\" must run from 0 to the number of targets");
        if (auto e = rd.indices(*tV, "a gap junction target", n, d.gaps.target)) return *e;
        if (auto e = rd.floats(*gV, "a gap junction conductance", 0, 1e30, d.gaps.g)) return *e;
    }

    NR_TRY(poisV, rd.member(root, "poisson", JsonValue::Object, false));
    if (poisV) {
        NR_TRY(ch, channelIndex(*poisV, "channel"));
        d.poisson.channel = ch;
        NR_TRY(w, rd.number(*poisV, "weight", -1e30, 1e30));
        d.poisson.weight = float(w);
        const JsonValue* r = poisV->get("rate_hz");
        if (!r) return rd.at(*poisV, "missing key \"rate_hz\" (a number or one per cell)");
        if (r->isArray()) {
            if (r->arr.size() != n) return rd.at(*r, "\"rate_hz\" needs one rate per cell");
            if (auto e = rd.floats(*r, "a Poisson rate", 0, 1e7, d.poisson.rateHz)) return *e;
        } else {
            NR_TRY(rate, rd.checkNumber(*r, "\"rate_hz\"", 0, 1e7));
            d.poisson.rateHz.assign(n, float(rate));
        }
    }

    NR_TRY(stimV, rd.member(root, "stimulus", JsonValue::Object, false));
    if (stimV) {
        StimulusSchedule& s = d.stimulus;
        NR_TRY(extra, rd.number(*stimV, "extra_rate_hz", 0, 1e7));
        s.extraRateHz = float(extra);
        NR_TRY(period, rd.number(*stimV, "repeat_period_s", 0, 1e9, 0.0));
        s.repeatPeriod = period;
        NR_TRY(asV, rd.member(*stimV, "assemblies", JsonValue::Array));
        for (const auto& a : asV->arr) {
            if (!a.isArray()) return rd.at(a, "each assembly is an array of cells");
            s.assemblies.emplace_back();
            if (auto e = rd.indices(a, "an assembly cell", n, s.assemblies.back())) return *e;
        }
        NR_TRY(epV, rd.member(*stimV, "epochs", JsonValue::Array));
        double last = -1;
        for (const auto& e : epV->arr) {
            if (!e.isObject()) return rd.at(e, "each epoch is an object {start_s, stop_s, condition, trial}");
            TrialEpoch te;
            NR_TRY(a, rd.number(e, "start_s", 0, 1e9));
            NR_TRY(b, rd.number(e, "stop_s", a, 1e9));
            if (a < last) return rd.at(e, "epochs must be sorted by start and must not overlap");
            last = b;
            NR_TRY(condV, rd.member(e, "condition", JsonValue::Number));
            NR_TRY(cond, rd.index(*condV, "\"condition\"", s.assemblies.size()));
            NR_TRY(trial, rd.number(e, "trial", 0, 9007199254740992.0, double(s.epochs.size())));
            te.start = a;
            te.stop = b;
            te.condition = int(cond);
            te.trialId = int64_t(trial);
            s.epochs.push_back(te);
        }
        NR_TRY(cycle, rd.number(*stimV, "cycle_length", 0, double(s.epochs.size()), 0.0));
        s.cycleLength = size_t(cycle);
    }

    NR_TRY(probesV, rd.member(root, "probes", JsonValue::Array, false));
    if (probesV) d.probes.clear();
    if (probesV)
        for (const auto& p : probesV->arr) {
            if (!p.isObject()) return rd.at(p, "each probe is an object {kind, population}");
            Probe pr;
            NR_TRY(kind, rd.text(p, "kind"));
            if (kind != "spikes")
                return rd.at(*p.get("kind"), "unknown probe kind \"" + kind + "\" (spikes)");
            pr.kind = kind;
            NR_TRY(pop, rd.text(p, "population", std::string("*")));
            bool found = pop == "*";
            for (const auto& q : d.populations) found = found || q.name == pop;
            if (!found) return rd.at(p, "probe of a missing population \"" + pop + "\"");
            pr.population = pop;
            d.probes.push_back(pr);
        }

    NR_TRY(labelsV, rd.member(root, "labels", JsonValue::Array, false));
    if (labelsV) {
        if (labelsV->arr.size() != n) return rd.at(*labelsV, "\"labels\" needs one label per cell");
        for (const auto& l : labelsV->arr) {
            if (!l.isString()) return rd.at(l, "each label is a string");
            d.labels.push_back(l.str);
        }
    }
    if (auto e = validateDescription(d, file)) return *e;
    return d;
}

#undef NR_TRY

Result<ModelDescription> readModelDescription(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) return Error{path, 0, "cannot open the model description"};
    f.seekg(0, std::ios::end);
    const auto size = f.tellg();
    if (size < 0) return Error{path, 0, "cannot read the model description"};
    if (size_t(size) > (size_t(256) << 20))
        return Error{path, 0, "the model description is larger than 256 MiB"};
    f.seekg(0);
    std::string text(size_t(size), '\0');
    f.read(text.data(), size);
    if (!f) return Error{path, 0, "cannot read the model description"};
    return parseModelDescription(text, path);
}

} // namespace nr
