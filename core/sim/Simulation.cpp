// The per-step loops below are written to be vectorised by the compiler (no calls, no branches
// that depend on data except blends), hence the optimisation level for this file; no-trapping-math
// lets comparisons be if-converted (results are unchanged, only FP exception flags are not kept).
#pragma GCC optimize("O3", "no-trapping-math")
#include "sim/Simulation.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <sstream>
#include <thread>
#if defined(__linux__)
#include <sys/mman.h>
#endif
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace nr {

namespace {

std::string num(double x) {
    std::ostringstream s;
    s << x;
    return s.str();
}

uint32_t maxDelaySteps(const Network& net) {
    uint32_t d = 1;
    for (const auto& t : net.synapses) {
        d = std::max<uint32_t>(d, t.uniformDelay);
        for (uint16_t x : t.delay) d = std::max<uint32_t>(d, x);
    }
    return d;
}

} // namespace

Status Simulation::init(Network net, uint64_t seed) {
    if (auto e = validateNetwork(net)) return e;
    if (auto e = checkMemory(estimateStateBytes(net) + net.synapseCount() * 10, "simulation state")) return e;
    net_ = std::move(net);
    rng_.reseed(seed);
    step_ = 0;
    diverged_ = false;
    reason_.clear();
    totalSpikes_ = 0;
    windowSpikes_ = 0;
    const uint32_t n = net_.n;
    v_.assign(n, 0.f);
    w_.assign(n, 0.f);
    refr_.assign(n, 0);
    iin_.assign(n, 0.f);
    gin_.assign(n, 0.f);
    din_.assign(n, 0.f);
    ext_.assign(n, 0.f);
    spiked_.clear();
    for (const auto& p : net_.populations) {
        const double lo = p.p.v0Min, hi = p.p.v0Max;
        for (uint32_t i = p.start; i < p.start + p.size; ++i) {
            v_[i] = float(lo + rng_.uniform() * (hi - lo));
            if (p.p.type == NeuronType::Izhikevich) w_[i] = float(p.p.izB * v_[i]);
        }
    }
    const size_t nc = net_.channels.size();
    ringSlots_ = maxDelaySteps(net_) + 1;
    g_.assign(nc, std::vector<float>(n, 0.f));
    ring_.assign(nc, std::vector<float>(size_t(ringSlots_) * n, 0.f));
    decay_.assign(nc, 0.f);
    anyConductance_ = false;
    hasDin_ = false;
    for (const auto& p : net_.populations)
        if (p.p.noiseSigma > 0) hasDin_ = true;
    for (size_t c = 0; c < nc; ++c) {
        const Channel& ch = net_.channels[c];
        if (ch.type == SynapseType::Delta) hasDin_ = true;
        decay_[c] = ch.type == SynapseType::Delta ? 0.f : float(std::exp(-net_.dt / ch.tau));
        if (ch.type == SynapseType::ConductanceExp) anyConductance_ = true;
    }
    // Without longer delays, conductances take spikes directly and need no delay buffer.
    direct_ = true;
    for (size_t c = 0; c < nc; ++c) {
        if (net_.channels[c].type == SynapseType::Delta) continue;
        const SynapseTable& t = net_.synapses[c];
        if (!t.delay.empty() || t.uniformDelay != 1) direct_ = false;
    }
    for (size_t c = 0; c < nc; ++c)
        if (direct_ && net_.channels[c].type != SynapseType::Delta) std::vector<float>().swap(ring_[c]);

    // The fast path needs LIF neurons, exponential channels with one-step delays (at most four), no
    // direct jumps of v and no gap junctions, and decay factors that keep 1 / scale in float range.
    fast_ = direct_ && !hasDin_ && net_.gaps.empty() && nc <= 4;
    for (const auto& p : net_.populations)
        if (p.p.type != NeuronType::LIF) fast_ = false;
    scale_.assign(nc, 1.0);
    decayD_.assign(nc, 0.0);
    uniformWeight_.assign(nc, 0);
    uniformValue_.assign(nc, 0.f);
    for (size_t c = 0; c < nc; ++c) {
        decayD_[c] = std::exp(-net_.dt / net_.channels[c].tau);
        if (decayD_[c] < 1e-6) fast_ = false;
        const auto& w = net_.synapses[c].weight;
        uniformWeight_[c] = !w.empty() && std::all_of(w.begin(), w.end(), [&](float x) { return x == w[0]; });
        if (uniformWeight_[c]) uniformValue_[c] = w[0];
    }
    makeTarget16();
    popF_.clear();
    popRef_.clear();
    for (const auto& p : net_.populations) {
        const double k = net_.dt / p.p.tauM;
        popF_.push_back(anyConductance_ ? float(k) : float(1.0 - std::exp(-k)));
        popRef_.push_back(int32_t(std::llround(p.p.tRef / net_.dt)) - 1);
    }
    readyBase_ = 0;
    splitFor_ = 1;
    bounds_.clear();
    split_.clear();
#if defined(__x86_64__) || defined(__i386__)
    kernel_ = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma") ? 2
              : __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")  ? 1
                                                                                 : 0;
    if (const char* k = std::getenv("NEURORAMA_SIM_KERNEL"); k && *k >= '0' && *k < char('0' + kernel_))
        kernel_ = *k - '0';
#else
    kernel_ = 0;
#endif
    nanEvery_ = std::max<uint64_t>(1, uint64_t(std::llround(10.0 / net_.dt)));
    window_ = std::max<uint64_t>(1, uint64_t(std::llround(100.0 / net_.dt)));
    spikeBuf_.assign(size_t(n) + 16, 0);
    spikeCount_ = 0;
    for (double& k : knobs_) k = 1;
    extraRate_.assign(net_.poisson.rateHz.empty() && net_.stimulus.epochs.empty() ? 0 : n, 0.f);
    epoch_ = 0;
    inEpoch_ = false;
    refreshPoisson();

    spikes_ = SpikeTrains{};
    spikes_.unitIds.resize(n);
    for (uint32_t i = 0; i < n; ++i) spikes_.unitIds[i] = i;
    if (!net_.labels.empty() && net_.labels.size() == n) spikes_.unitLabels = net_.labels;
    binCounts_.clear();
    binSteps_ = std::max<uint64_t>(1, uint64_t(std::llround(binMs_ / net_.dt)));
    for (auto& t : traces_) t.values.clear();
    return std::nullopt;
}

void Simulation::recordAllSpikes(bool on) {
    recordAll_ = on;
    recordMask_.clear();
}

void Simulation::recordSpikesOf(const std::vector<uint32_t>& neurons) {
    recordAll_ = false;
    recordMask_.assign(net_.n, 0);
    for (uint32_t i : neurons)
        if (i < net_.n) recordMask_[i] = 1;
}

void Simulation::setRateBin(double ms) {
    binMs_ = ms > 0 ? ms : 1;
    binSteps_ = std::max<uint64_t>(1, uint64_t(std::llround(binMs_ / net_.dt)));
    binCounts_.clear();
}

Result<size_t> Simulation::recordState(uint32_t neuron, const std::string& variable, int everySteps) {
    if (neuron >= net_.n)
        return Error{"simulate", 0,
                     "cannot record neuron " + num(neuron) + ": the network has " + num(net_.n)};
    int which = -3;
    if (variable == "v")
        which = -1;
    else if (variable == "w" || variable == "u")
        which = -2;
    for (size_t c = 0; c < net_.channels.size(); ++c)
        if (net_.channels[c].name == variable) which = int(c);
    if (which == -3) return Error{"simulate", 0, "unknown state variable '" + variable + "'"};
    StateTrace t;
    t.neuron = neuron;
    t.variable = variable;
    t.everySteps = std::max(1, everySteps);
    t.intervalMs = t.everySteps * net_.dt;
    traces_.push_back(std::move(t));
    traceChannel_.push_back(which);
    return traces_.size() - 1;
}

void Simulation::setKnob(LiveKnob k, double multiplier) {
    if (!std::isfinite(multiplier)) return;
    knobs_[size_t(k)] = multiplier;
    if (k == LiveKnob::Noise) refreshPoisson();
}

double Simulation::knob(LiveKnob k) const {
    return knobs_[size_t(k)];
}

Status Simulation::setParameter(const std::string& name, double value) {
    for (auto& p : net_.parameters) {
        if (p.name != name) continue;
        if (!std::isfinite(value)) return Error{"simulate", 0, "parameter '" + name + "' must be finite"};
        if (value < p.min || value > p.max)
            return Error{"simulate", 0,
                         "parameter '" + name + "' = " + num(value) + " is outside [" + num(p.min) + ", " +
                             num(p.max) + "]"};
        if (p.live == LiveKnob::None)
            return Error{"simulate", 0,
                         "parameter '" + name + "' cannot change while running; reset to apply it"};
        if (p.live == LiveKnob::Speed) return std::nullopt;
        setKnob(p.live, p.value != 0 ? value / p.value : value);
        return std::nullopt;
    }
    return Error{"simulate", 0, "unknown parameter '" + name + "'"};
}

void Simulation::refreshPoisson() {
    const uint32_t n = net_.n;
    if (net_.poisson.rateHz.empty() && extraRate_.empty()) {
        lambda_.clear();
        expNegLambda_.clear();
        return;
    }
    lambda_.assign(n, 0.f);
    expNegLambda_.assign(n, 1.0);
    const double perStep = net_.dt * 1e-3;
    const double k = knobs_[size_t(LiveKnob::Noise)];
    for (uint32_t i = 0; i < n; ++i) {
        double r = net_.poisson.rateHz.empty() ? 0.0 : net_.poisson.rateHz[i] * k;
        if (!extraRate_.empty()) r += extraRate_[i];
        if (r < 0) r = 0;
        lambda_[i] = float(r * perStep);
        expNegLambda_[i] = std::exp(-double(lambda_[i]));
    }
}

void Simulation::applyStimulus() {
    auto& s = net_.stimulus;
    if (s.epochs.empty() || extraRate_.empty()) return;
    const double tSec = timeMs() * 1e-3;
    // A repeating protocol: append the next cycle before the last epoch is reached.
    if (s.repeatPeriod > 0 && s.cycleLength > 0 && s.cycleLength <= s.epochs.size() &&
        epoch_ + 1 >= s.epochs.size()) {
        const size_t cycles = s.epochs.size() / s.cycleLength;
        const double shift = double(cycles) * s.repeatPeriod;
        const int64_t idShift = int64_t(cycles * s.cycleLength);
        for (size_t k = 0; k < s.cycleLength; ++k) {
            TrialEpoch e = s.epochs[k];
            e.start += shift;
            e.stop += shift;
            e.trialId += idShift;
            s.epochs.push_back(e);
        }
    }
    bool changed = false;
    if (inEpoch_ && epoch_ < s.epochs.size() && tSec >= s.epochs[epoch_].stop) {
        for (uint32_t i : s.assemblies[size_t(s.epochs[epoch_].condition)]) extraRate_[i] = 0.f;
        inEpoch_ = false;
        ++epoch_;
        changed = true;
    }
    while (!inEpoch_ && epoch_ < s.epochs.size() && tSec >= s.epochs[epoch_].stop) ++epoch_;
    if (!inEpoch_ && epoch_ < s.epochs.size() && tSec >= s.epochs[epoch_].start) {
        for (uint32_t i : s.assemblies[size_t(s.epochs[epoch_].condition)]) extraRate_[i] = s.extraRateHz;
        inEpoch_ = true;
        changed = true;
    }
    if (changed) refreshPoisson();
}

namespace {

// Everything the fused LIF kernel needs for neurons [a, b).
struct LifArgs {
    uint32_t a, b;
    int nc; // non-delta channels, at most kMaxChannels
    float* g[4];
    float* r[4];
    float dec[4], A[4], B[4]; // per channel: x = g*dec + arrivals; input += x*A; conductance += x*B
    float* v;
    int32_t* refr;
    const float* din; // direct jumps of v (delta synapses, noise)
    const float* ext; // extra input current (gap junctions)
    float el, vt, vr, drive, P, k;
    int32_t refSet;
    bool euler, ring, extra;
};

// Eight lanes of float / int32 with GCC vector extensions: one register in the AVX2 clone, two SSE
// registers otherwise.
constexpr uint32_t kLanes = 8;
typedef float vf8 __attribute__((vector_size(4 * kLanes)));
typedef int32_t vi8 __attribute__((vector_size(4 * kLanes)));

// Unaligned, aliasing views for loads and stores (no helper functions: vectors never cross a call).
typedef float vf8u __attribute__((vector_size(4 * kLanes), aligned(4), may_alias));
typedef int32_t vi8u __attribute__((vector_size(4 * kLanes), aligned(4), may_alias));
#define NR_LOADF(p) (*reinterpret_cast<const vf8u*>(p))
#define NR_LOADI(p) (*reinterpret_cast<const vi8u*>(p))
#define NR_STOREF(p, x) (*reinterpret_cast<vf8u*>(p) = (x))
#define NR_STOREI(p, x) (*reinterpret_cast<vi8u*>(p) = (x))

// One channel in the fused loop: deliver arrivals, decay, and add to input and conductance.
// g holds the value for this step; it is decayed after use, and spikes with a delay of one step add
// straight into it (RING = false) or arrive through this step's delay-buffer slot (RING = true).
#define NR_CHANNEL_LANES(K)                                                                                  \
    if constexpr (NC > K) {                                                                                  \
        vf8 x = NR_LOADF(g##K + i);                                                                          \
        if constexpr (RING) {                                                                                \
            x += NR_LOADF(r##K + i);                                                                         \
            NR_STOREF(r##K + i, zero);                                                                       \
        }                                                                                                    \
        NR_STOREF(g##K + i, x * d##K);                                                                       \
        in += x * A##K;                                                                                      \
        gt += x * B##K;                                                                                      \
    }

template <int NC, bool EULER, bool RING, bool EXTRA>
__attribute__((always_inline)) inline uint32_t lifLoop(const LifArgs& q, uint32_t* __restrict out) {
    // Everything in locals: the stores below cannot then be assumed to change them.
    const uint32_t a = q.a, b = q.b;
    float* __restrict g0 = q.g[0];
    float* __restrict g1 = q.g[1];
    float* __restrict g2 = q.g[2];
    float* __restrict g3 = q.g[3];
    float* __restrict r0 = q.r[0];
    float* __restrict r1 = q.r[1];
    float* __restrict r2 = q.r[2];
    float* __restrict r3 = q.r[3];
    const float d0 = q.dec[0], d1 = q.dec[1], d2 = q.dec[2], d3 = q.dec[3];
    const float A0 = q.A[0], A1 = q.A[1], A2 = q.A[2], A3 = q.A[3];
    const float B0 = q.B[0], B1 = q.B[1], B2 = q.B[2], B3 = q.B[3];
    float* __restrict v = q.v;
    int32_t* __restrict refr = q.refr;
    const float* __restrict din = q.din;
    const float* __restrict ext = q.ext;
    const float drive = q.drive, k = q.k, P = q.P;
    uint32_t cnt = 0, i = a;
    const vf8 el = vf8{} + q.el, vt = vf8{} + q.vt, vr = vf8{} + q.vr, zero = vf8{};
    const vi8 refSet = vi8{} + q.refSet, izero = vi8{}, ione = vi8{} + 1;
    const vf8 driveV = vf8{} + drive;
    for (; i + kLanes <= b; i += kLanes) {
        vf8 in = driveV, gt = zero;
        if constexpr (EXTRA) in += NR_LOADF(ext + i);
        NR_CHANNEL_LANES(0)
        NR_CHANNEL_LANES(1)
        NR_CHANNEL_LANES(2)
        NR_CHANNEL_LANES(3)
        const vf8 vi = NR_LOADF(v + i);
        vf8 vn;
        if constexpr (EULER) {
            vn = vi + k * (el - vi + in - gt * vi);
        } else {
            const vf8 vinf = el + in;
            vn = vinf + (vi - vinf) * P;
        }
        if constexpr (EXTRA) vn += NR_LOADF(din + i);
        // Refractory neurons keep v and count down; the others may cross the threshold.
        const vi8 ri = NR_LOADI(refr + i);
        const vi8 act = ri <= izero;
        vn = act ? vn : vi;
        vi8 rr = ri - ione;
        rr = rr > izero ? rr : izero;
        const vi8 sp = act & (vn > vt);
        NR_STOREF(v + i, sp ? vr : vn);
        NR_STOREI(refr + i, sp ? refSet : rr);
        uint64_t any[kLanes / 2];
        std::memcpy(any, &sp, sizeof any);
        uint64_t a0 = 0;
        for (uint32_t j = 0; j < kLanes / 2; ++j) a0 |= any[j];
        if (a0)
            for (uint32_t j = 0; j < kLanes; ++j)
                if (sp[j]) out[cnt++] = i + j;
    }
#undef NR_CHANNEL_LANES
#undef NR_LOADF
#undef NR_LOADI
#undef NR_STOREF
#undef NR_STOREI
    for (; i < b; ++i) {
        float in = q.drive + q.ext[i], gt = 0.f;
        for (int c = 0; c < NC; ++c) {
            float x = q.g[c][i];
            if (RING) {
                x += q.r[c][i];
                q.r[c][i] = 0.f;
            }
            q.g[c][i] = x * q.dec[c];
            in += x * q.A[c];
            gt += x * q.B[c];
        }
        const float vi = q.v[i];
        float vn = EULER ? vi + q.k * (q.el - vi + in - gt * vi) + q.din[i]
                         : (q.el + in) + (vi - (q.el + in)) * q.P + q.din[i];
        const int32_t ri = q.refr[i];
        const bool act = ri <= 0;
        vn = act ? vn : vi;
        const bool sp = act && vn > q.vt;
        q.v[i] = sp ? q.vr : vn;
        q.refr[i] = sp ? q.refSet : std::max(ri - 1, 0);
        if (sp) out[cnt++] = i;
    }
    return cnt;
}

template <bool EULER, bool RING, bool EXTRA>
__attribute__((always_inline)) inline uint32_t lifDispatch(const LifArgs& q, uint32_t* out) {
    switch (q.nc) {
    case 0:
        return lifLoop<0, EULER, RING, EXTRA>(q, out);
    case 1:
        return lifLoop<1, EULER, RING, EXTRA>(q, out);
    case 2:
        return lifLoop<2, EULER, RING, EXTRA>(q, out);
    case 3:
        return lifLoop<3, EULER, RING, EXTRA>(q, out);
    default:
        return lifLoop<4, EULER, RING, EXTRA>(q, out);
    }
}

// Compiled for AVX2 and the baseline; the loader picks one for the running CPU.
// Writes the indices of neurons that spiked to `out` and returns how many.
__attribute__((target_clones("avx2", "default"))) uint32_t lifKernel(const LifArgs& q, uint32_t* out) {
    const int sel = (q.euler ? 4 : 0) | (q.ring ? 2 : 0) | (q.extra ? 1 : 0);
    switch (sel) {
    case 0:
        return lifDispatch<false, false, false>(q, out);
    case 1:
        return lifDispatch<false, false, true>(q, out);
    case 2:
        return lifDispatch<false, true, false>(q, out);
    case 3:
        return lifDispatch<false, true, true>(q, out);
    case 4:
        return lifDispatch<true, false, false>(q, out);
    case 5:
        return lifDispatch<true, false, true>(q, out);
    case 6:
        return lifDispatch<true, true, false>(q, out);
    default:
        return lifDispatch<true, true, true>(q, out);
    }
}

// ---- fast path -------------------------------------------------------------------------------------

// Neurons [a, b) of one LIF population for the fast path. With x_c = G_c * scale_c the value of
// channel c, the Euler step of tau dv/dt = el - v + drive + sum_c x_c (A_c - B_c v) is
//   v' = f (el + drive) + (1 - f) v + sum_c f x_c (A_c - B_c v)
//      = [c0 + sum_c G_c kA_c] + v [c1 - sum_c G_c kB_c],
// c0 = f (el + drive), c1 = 1 - f, kA_c = f scale_c A_c, kB_c = f scale_c B_c, with f = dt / tau;
// without conductances the exact step has the same form with f = 1 - exp(-dt / tau).
// A_c = erev, B_c = 1 for conductances; A_c = 1, B_c = 0 for currents.
// Every operation is a fused multiply-add (rounded once), so the vector and the scalar kernels give
// identical results on every machine.
// A refractory neuron holds v at vReset (it was reset when it spiked), so "refractory or crossing"
// sets v to vReset and only a crossing outside the refractory period is a spike.
struct FastArgs {
    uint32_t a, b;
    const float* G[4];
    float kA[4], kB[4];
    float* v;
    int32_t* ready; // the neuron integrates from step ready[i] on
    int32_t now, readyAt;
    float c0, c1, vt, vr;
};

template <int NC, int NA> uint32_t fastScalar(const FastArgs& q, uint32_t i, uint32_t* out) {
    uint32_t cnt = 0;
    for (; i < q.b; ++i) {
        const float vi = q.v[i];
        float u = q.c1, w = q.c0;
        for (int c = 0; c < NC; ++c) u = std::fma(-q.G[c][i], q.kB[c], u);
        for (int c = 0; c < NA; ++c) w = std::fma(q.G[c][i], q.kA[c], w);
        const float vn = std::fma(vi, u, w);
        const bool refractory = q.ready[i] > q.now;
        const bool above = vn > q.vt;
        q.v[i] = refractory || above ? q.vr : vn;
        if (above && !refractory) {
            q.ready[i] = q.readyAt;
            out[cnt++] = i;
        }
    }
    return cnt;
}

#if defined(__x86_64__) || defined(__i386__)
template <int NC, int NA>
__attribute__((target("avx2,fma"))) uint32_t fastAvx2(const FastArgs& q, uint32_t* out) {
    const uint32_t b = q.b;
    const float* __restrict G[4] = {q.G[0], q.G[1], q.G[2], q.G[3]};
    float* __restrict v = q.v;
    int32_t* __restrict ready = q.ready;
    __m256 kA[4], kB[4];
    for (int c = 0; c < 4; ++c) {
        kA[c] = _mm256_set1_ps(q.kA[c]);
        kB[c] = _mm256_set1_ps(q.kB[c]);
    }
    const __m256 c0 = _mm256_set1_ps(q.c0), c1 = _mm256_set1_ps(q.c1);
    const __m256 vt = _mm256_set1_ps(q.vt), vr = _mm256_set1_ps(q.vr);
    const __m256i now = _mm256_set1_epi32(q.now);
    uint32_t cnt = 0, i = q.a;
    for (; i + 8 <= b; i += 8) {
        const __m256 vi = _mm256_loadu_ps(v + i);
        __m256 u = c1, w = c0;
        for (int c = 0; c < NC; ++c) u = _mm256_fnmadd_ps(_mm256_loadu_ps(G[c] + i), kB[c], u);
        for (int c = 0; c < NA; ++c) w = _mm256_fmadd_ps(_mm256_loadu_ps(G[c] + i), kA[c], w);
        const __m256 vn = _mm256_fmadd_ps(vi, u, w);
        const __m256 refractory = _mm256_castsi256_ps(
            _mm256_cmpgt_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(ready + i)), now));
        const __m256 above = _mm256_cmp_ps(vn, vt, _CMP_GT_OQ);
        _mm256_storeu_ps(v + i, _mm256_blendv_ps(vn, vr, _mm256_or_ps(refractory, above)));
        unsigned m = unsigned(_mm256_movemask_ps(_mm256_andnot_ps(refractory, above)));
        while (m) {
            const uint32_t j = i + uint32_t(__builtin_ctz(m));
            ready[j] = q.readyAt;
            out[cnt++] = j;
            m &= m - 1;
        }
    }
    return cnt + fastScalar<NC, NA>(q, i, out + cnt);
}

// AVX-512: sixteen neurons per iteration; comparisons give mask registers, and the indices of the
// neurons that spiked are compressed into a register and stored whole (the output has room for 16 more).
template <int NC, int NA>
__attribute__((target("avx512f,fma"))) uint32_t fastAvx512(const FastArgs& q, uint32_t* out) {
    const uint32_t b = q.b;
    const float* __restrict G[4] = {q.G[0], q.G[1], q.G[2], q.G[3]};
    float* __restrict v = q.v;
    int32_t* __restrict ready = q.ready;
    __m512 kA[4], kB[4];
    for (int c = 0; c < 4; ++c) {
        kA[c] = _mm512_set1_ps(q.kA[c]);
        kB[c] = _mm512_set1_ps(q.kB[c]);
    }
    const __m512 c0 = _mm512_set1_ps(q.c0), c1 = _mm512_set1_ps(q.c1);
    const __m512 vt = _mm512_set1_ps(q.vt), vr = _mm512_set1_ps(q.vr);
    const __m512i now = _mm512_set1_epi32(q.now), readyAt = _mm512_set1_epi32(q.readyAt);
    const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    uint32_t cnt = 0, i = q.a;
    for (; i + 16 <= b; i += 16) {
        const __m512 vi = _mm512_loadu_ps(v + i);
        __m512 u = c1, w = c0;
        for (int c = 0; c < NC; ++c) u = _mm512_fnmadd_ps(_mm512_loadu_ps(G[c] + i), kB[c], u);
        for (int c = 0; c < NA; ++c) w = _mm512_fmadd_ps(_mm512_loadu_ps(G[c] + i), kA[c], w);
        const __m512 vn = _mm512_fmadd_ps(vi, u, w);
        const __m512i r = _mm512_loadu_si512(ready + i);
        // keep: integrating and not above the threshold (or NaN, which the divergence check then sees).
        const __mmask16 active = _mm512_cmple_epi32_mask(r, now);
        const __mmask16 keep = _mm512_mask_cmp_ps_mask(active, vn, vt, _CMP_NGT_UQ);
        const __mmask16 sp = _mm512_mask_cmp_ps_mask(active, vn, vt, _CMP_GT_OQ);
        _mm512_storeu_ps(v + i, _mm512_mask_blend_ps(keep, vr, vn));
        if (sp) {
            _mm512_storeu_si512(ready + i, _mm512_mask_blend_epi32(sp, r, readyAt));
            const __m512i idx = _mm512_add_epi32(lane, _mm512_set1_epi32(int32_t(i)));
            _mm512_storeu_si512(out + cnt, _mm512_maskz_compress_epi32(sp, idx));
            cnt += uint32_t(__builtin_popcount(sp));
        }
    }
    return cnt + fastScalar<NC, NA>(q, i, out + cnt);
}
#endif

// Kernels: 0 scalar, 1 AVX2 + FMA, 2 AVX-512 (chosen at init for the running CPU).
template <int NC, int NA> uint32_t fastKernel(const FastArgs& q, int kernel, uint32_t* out) {
#if defined(__x86_64__) || defined(__i386__)
    if (kernel == 2) return fastAvx512<NC, NA>(q, out);
    if (kernel == 1) return fastAvx2<NC, NA>(q, out);
#else
    (void)kernel;
#endif
    return fastScalar<NC, NA>(q, q.a, out);
}

// NA: the first NA channels have kA != 0 (the others, e.g. excitatory conductances with a reversal
// potential of 0 mV, add nothing to w and are skipped there).
template <int NC, int NA = 0> uint32_t byNA(const FastArgs& q, int na, int kernel, uint32_t* out) {
    if constexpr (NA < NC)
        if (na > NA) return byNA<NC, NA + 1>(q, na, kernel, out);
    return fastKernel<NC, NA>(q, kernel, out);
}

uint32_t fastDispatch(const FastArgs& q, int nc, int na, int kernel, uint32_t* out) {
    switch (nc) {
    case 0:
        return byNA<0>(q, na, kernel, out);
    case 1:
        return byNA<1>(q, na, kernel, out);
    case 2:
        return byNA<2>(q, na, kernel, out);
    case 3:
        return byNA<3>(q, na, kernel, out);
    default:
        return byNA<4>(q, na, kernel, out);
    }
}

// Adds `x` to G[t] for the targets t in [p, e).
template <typename Index>
inline void scatterAdd(float* __restrict G, const Index* p, const Index* e, float x) {
    for (; p + 4 <= e; p += 4) {
        G[p[0]] += x;
        G[p[1]] += x;
        G[p[2]] += x;
        G[p[3]] += x;
    }
    for (; p < e; ++p) G[*p] += x;
}

} // namespace

void Simulation::updateLif(const Population& p, uint32_t a, uint32_t b) {
    LifArgs q{};
    q.a = a;
    q.b = b;
    q.nc = 0;
    const uint32_t n = net_.n;
    const uint32_t slot = uint32_t(step_ % ringSlots_);
    for (size_t c = 0; c < net_.channels.size(); ++c) {
        const Channel& ch = net_.channels[c];
        if (ch.type == SynapseType::Delta) continue;
        q.g[q.nc] = g_[c].data();
        q.r[q.nc] = direct_ ? nullptr : ring_[c].data() + size_t(slot) * n;
        q.dec[q.nc] = decay_[c];
        q.A[q.nc] = ch.type == SynapseType::ConductanceExp ? float(ch.erev) : 1.f;
        q.B[q.nc] = ch.type == SynapseType::ConductanceExp ? 1.f : 0.f;
        ++q.nc;
    }
    q.v = v_.data();
    q.refr = refr_.data();
    q.din = din_.data();
    q.ext = ext_.data();
    q.el = float(p.p.vRest);
    q.vt = float(p.p.vThresh);
    q.vr = float(p.p.vReset);
    q.drive = float(p.p.drive * knobs_[size_t(LiveKnob::Drive)]);
    q.P = float(std::exp(-net_.dt / p.p.tauM));
    q.k = float(net_.dt / p.p.tauM);
    q.refSet = int32_t(std::llround(p.p.tRef / net_.dt)) - 1;
    q.euler = anyConductance_;
    q.ring = !direct_;
    q.extra = hasDin_ || !net_.gaps.empty();
    spikeCount_ += lifKernel(q, spikeBuf_.data() + spikeCount_);
}

// Channel inputs of neurons [a, b) into iin_/gin_ (for the models updated without the fused kernel).
void Simulation::channelInputs(uint32_t a, uint32_t b) {
    const uint32_t n = net_.n;
    const uint32_t slot = uint32_t(step_ % ringSlots_);
    for (uint32_t i = a; i < b; ++i) {
        iin_[i] = ext_[i];
        gin_[i] = 0.f;
    }
    for (size_t c = 0; c < net_.channels.size(); ++c) {
        const Channel& ch = net_.channels[c];
        if (ch.type == SynapseType::Delta) continue;
        float* g = g_[c].data();
        float* r = direct_ ? nullptr : ring_[c].data() + size_t(slot) * n;
        const float dec = decay_[c];
        const float A = ch.type == SynapseType::ConductanceExp ? float(ch.erev) : 1.f;
        const float B = ch.type == SynapseType::ConductanceExp ? 1.f : 0.f;
        for (uint32_t i = a; i < b; ++i) {
            float x = g[i];
            if (!direct_) {
                x += r[i];
                r[i] = 0.f;
            }
            g[i] = x * dec;
            iin_[i] += x * A;
            gin_[i] += x * B;
        }
    }
}

void Simulation::updateAdEx(const Population& p, uint32_t a, uint32_t b) {
    const NeuronParams& q = p.p;
    const float dtC = float(net_.dt / q.C), dtW = float(net_.dt / q.tauW);
    const float gl = float(q.gL), el = float(q.vRest), vt = float(q.vThresh), dT = float(q.deltaT);
    const float aa = float(q.a), bb = float(q.b), vpeak = float(q.vPeak), vr = float(q.vReset);
    const float drive = float(q.drive * knobs_[size_t(LiveKnob::Drive)]);
    const int32_t refSet = int32_t(std::llround(q.tRef / net_.dt)) - 1;
    channelInputs(a, b);
    for (uint32_t i = a; i < b; ++i) {
        const float vi = v_[i], wi = w_[i];
        const float x = std::min((vi - vt) / dT, 20.f);
        const float I = drive + iin_[i] - gin_[i] * vi;
        float vn = vi + dtC * (-gl * (vi - el) + gl * dT * std::exp(x) - wi + I) + din_[i];
        const float wn = wi + dtW * (aa * (vi - el) - wi);
        const bool act = refr_[i] <= 0;
        if (!act) {
            vn = vi;
            --refr_[i];
        }
        w_[i] = wn;
        const bool sp = act && vn >= vpeak;
        if (sp) {
            vn = vr;
            w_[i] += bb;
            refr_[i] = refSet;
        }
        v_[i] = vn;
        if (sp) spikeBuf_[spikeCount_++] = i;
    }
}

void Simulation::updateIzhikevich(const Population& p, uint32_t a, uint32_t b) {
    const NeuronParams& q = p.p;
    const float dt = float(net_.dt), A = float(q.izA), B = float(q.izB), c = float(q.izC), d = float(q.izD);
    const float drive = float(q.drive * knobs_[size_t(LiveKnob::Drive)]);
    const int32_t refSet = int32_t(std::llround(q.tRef / net_.dt)) - 1;
    channelInputs(a, b);
    for (uint32_t i = a; i < b; ++i) {
        const float vi = v_[i], ui = w_[i];
        const float I = drive + iin_[i] - gin_[i] * vi;
        float vn = vi + dt * (0.04f * vi * vi + 5.f * vi + 140.f - ui + I) + din_[i];
        float un = ui + dt * A * (B * vi - ui);
        const bool act = refr_[i] <= 0;
        if (!act) {
            vn = vi;
            --refr_[i];
        }
        const bool sp = act && vn >= 30.f;
        if (sp) {
            vn = c;
            un += d;
            refr_[i] = refSet;
        }
        v_[i] = vn;
        w_[i] = un;
        if (sp) spikeBuf_[spikeCount_++] = i;
    }
}

void Simulation::step() {
    if (diverged_) return;
    if (fast_)
        stepFast();
    else
        stepGeneric();

    // Record.
    const double t = timeMs() * 1e-3;
    if (recordAll_) {
        for (uint32_t i : spiked_) spikes_.add(t, i);
    } else if (!recordMask_.empty()) {
        for (uint32_t i : spiked_)
            if (recordMask_[i]) spikes_.add(t, i);
    }
    totalSpikes_ += spiked_.size();
    windowSpikes_ += spiked_.size();
    if (recordRates_) {
        const uint64_t bin = step_ / binSteps_;
        if (binCounts_.size() <= bin) binCounts_.resize(bin + 1, 0);
        binCounts_[bin] += uint32_t(spiked_.size());
    }
    for (size_t k = 0; k < traces_.size(); ++k) {
        StateTrace& tr = traces_[k];
        if (step_ % uint64_t(tr.everySteps)) continue;
        const int which = traceChannel_[k];
        tr.values.push_back(which == -1   ? v_[tr.neuron]
                            : which == -2 ? w_[tr.neuron]
                                          : channelValue(size_t(which), tr.neuron));
    }
    ++step_;
    checkDivergence();
}

float Simulation::channelValue(size_t c, uint32_t i) const {
    return fast_ ? g_[c][i] * float(scale_[c]) : g_[c][i];
}

void Simulation::stepFast() {
    const uint32_t n = net_.n;
    applyStimulus();

    // Poisson input events of this step (the same draws as in stepGeneric), scaled like the channel.
    if (!lambda_.empty()) {
        const uint32_t pc = net_.poisson.channel;
        float* r = g_[pc].data();
        const float w = float(double(net_.poisson.weight) / scale_[pc]);
        for (uint32_t i = 0; i < n; ++i) {
            const float l = lambda_[i];
            if (l <= 0.f) continue;
            if (l < 0.05f) {
                if (rng_.uniformf() < l) {
                    const uint32_t more = rng_.uniformf() < l * 0.5f ? rng_.poisson(l, expNegLambda_[i]) : 0;
                    r[i] += w * float(1 + more);
                }
            } else {
                const uint32_t k = rng_.poisson(l, expNegLambda_[i]);
                if (k) r[i] += w * float(k);
            }
        }
    }

    // Keep the refractory step numbers small: shift them when the step count relative to the base
    // passes 2^30 (every neuron that is no longer refractory then starts from -1).
    shiftReady();
    const int32_t now = int32_t(step_ - readyBase_);
    spikeCount_ = updateFastRange(0, n, scale_.data(), now, spikeBuf_.data());
    spiked_.assign(spikeBuf_.begin(), spikeBuf_.begin() + spikeCount_);
    const SpikeList all{spiked_.data(), uint32_t(spiked_.size())};
    endFastRange(0, &all, 1, scale_.data());
}

void Simulation::shiftReady() {
    if (step_ - readyBase_ < (uint64_t(1) << 30)) return;
    const int32_t shift = int32_t(step_ - readyBase_);
    for (int32_t& r : refr_) r = std::max(r - shift, -1);
    readyBase_ = step_;
}

uint32_t Simulation::updateFastRange(uint32_t lo, uint32_t hi, const double* scale, int32_t now,
                                     uint32_t* out) {
    const size_t nc = net_.channels.size();
    FastArgs q{};
    // Channels in kernel order: those that add to w (A != 0) first.
    double A[4] = {0, 0, 0, 0}, B[4] = {0, 0, 0, 0};
    size_t order[4] = {0, 0, 0, 0}, m = 0;
    int na = 0;
    for (int pass = 0; pass < 2; ++pass)
        for (size_t c = 0; c < nc; ++c) {
            const Channel& ch = net_.channels[c];
            const bool g = ch.type == SynapseType::ConductanceExp;
            const double a = g ? ch.erev : 1.0;
            if ((a != 0) != (pass == 0)) continue;
            na += pass == 0;
            order[m] = c;
            q.G[m] = g_[c].data();
            A[m] = a;
            B[m] = g ? 1.0 : 0.0;
            ++m;
        }
    q.v = v_.data();
    q.ready = refr_.data();
    q.now = now;
    uint32_t count = 0;
    const double drive = knobs_[size_t(LiveKnob::Drive)];
    for (size_t k = 0; k < net_.populations.size(); ++k) {
        const Population& p = net_.populations[k];
        q.a = std::max(p.start, lo);
        q.b = std::min(p.start + p.size, hi);
        if (q.a >= q.b) continue;
        const double f = popF_[k];
        for (size_t j = 0; j < nc; ++j) {
            q.kA[j] = float(f * scale[order[j]] * A[j]);
            q.kB[j] = float(f * scale[order[j]] * B[j]);
        }
        q.c0 = float(f * (p.p.vRest + p.p.drive * drive));
        q.c1 = float(1.0 - f);
        q.vt = float(p.p.vThresh);
        q.vr = float(p.p.vReset);
        q.readyAt = now + popRef_[k] + 1;
        count += fastDispatch(q, int(nc), na, kernel_, out + count);
    }
    return count;
}

// The channels decay to the next step; this step's spikes arrive there. With one list (one thread) every
// target gets its input; with one list per thread, range `part` takes the targets in its own range.
void Simulation::endFastRange(uint32_t part, const SpikeList* lists, size_t nLists, double* scale) {
    const uint32_t n = net_.n;
    const bool whole = nLists == 1;
    const uint32_t lo = whole ? 0 : bounds_[part], hi = whole ? n : bounds_[part + 1];
    const size_t nc = net_.channels.size();
    for (size_t c = 0; c < nc; ++c) scale[c] *= decayD_[c];
    for (size_t c = 0; c < nc; ++c) {
        const SynapseTable& t = net_.synapses[c];
        if (t.off.empty()) continue;
        const LiveKnob kn = net_.channels[c].scale;
        const double s = (kn == LiveKnob::None ? 1.0 : knobs_[size_t(kn)]) / scale[c];
        const uint32_t* off = t.off.data();
        const uint32_t* first = whole ? off : split_[c].data() + size_t(part) * n;
        const uint32_t* last =
            whole || part + 1 == nLists ? off + 1 : split_[c].data() + size_t(part + 1) * n;
        float* G = g_[c].data();
        for (size_t l = 0; l < nLists; ++l) {
            const uint32_t* sp = lists[l].p;
            const uint32_t m = lists[l].n;
            if (uniformWeight_[c] && !target16_[c].empty()) {
                // Targets as 16-bit indices (half the memory to fetch), fetched two spikes ahead.
                const float x = float(s * uniformValue_[c]);
                const uint16_t* tg = target16_[c].data();
                for (uint32_t k = 0; k < m; ++k) {
                    if (k + 2 < m) {
                        const uint16_t* ahead = tg + first[sp[k + 2]];
                        __builtin_prefetch(ahead);
                        __builtin_prefetch(ahead + 32);
                        __builtin_prefetch(ahead + 64);
                    }
                    const uint32_t i = sp[k];
                    scatterAdd(G, tg + first[i], tg + last[i], x);
                }
            } else if (uniformWeight_[c]) {
                const float x = float(s * uniformValue_[c]);
                const uint32_t* tg = t.target.data();
                for (uint32_t k = 0; k < m; ++k) {
                    if (k + 2 < m) {
                        const uint32_t* ahead = tg + first[sp[k + 2]];
                        __builtin_prefetch(ahead);
                        __builtin_prefetch(ahead + 16);
                        __builtin_prefetch(ahead + 32);
                    }
                    const uint32_t i = sp[k];
                    scatterAdd(G, tg + first[i], tg + last[i], x);
                }
            } else {
                const float f = float(s);
                const uint32_t* tg = t.target.data();
                const float* w = t.weight.data();
                for (uint32_t k = 0; k < m; ++k) {
                    const uint32_t i = sp[k];
                    for (uint32_t e = first[i], end = last[i]; e < end; ++e) G[tg[e]] += f * w[e];
                }
            }
        }
    }
    for (size_t c = 0; c < nc; ++c) {
        if (scale[c] >= 0x1p-24) continue;
        const float x = float(scale[c]);
        float* G = g_[c].data();
        for (uint32_t i = lo; i < hi; ++i) G[i] *= x;
        scale[c] = 1.0;
    }
}

void Simulation::stepGeneric() {
    const uint32_t n = net_.n;
    const uint32_t slot = uint32_t(step_ % ringSlots_);
    applyStimulus();

    // Poisson input events of this step go straight into this step's slot.
    if (!lambda_.empty()) {
        const uint32_t pc = net_.poisson.channel;
        const bool toG = direct_ && net_.channels[pc].type != SynapseType::Delta;
        float* r = toG ? g_[pc].data() : ring_[pc].data() + size_t(slot) * n;
        const float w = net_.poisson.weight;
        for (uint32_t i = 0; i < n; ++i) {
            const float l = lambda_[i];
            if (l <= 0.f) continue;
            if (l < 0.05f) { // Bernoulli is exact enough below 5 % per step and needs one draw
                if (rng_.uniformf() < l) {
                    // P(k >= 2) / P(k >= 1) is below l / 2: draw the rest only then.
                    const uint32_t more = rng_.uniformf() < l * 0.5f ? rng_.poisson(l, expNegLambda_[i]) : 0;
                    r[i] += w * float(1 + more);
                }
            } else {
                const uint32_t k = rng_.poisson(l, expNegLambda_[i]);
                if (k) r[i] += w * float(k);
            }
        }
    }

    // Delta channels: this step's arrivals jump v directly.
    float* __restrict din = din_.data();
    if (hasDin_) std::memset(din, 0, n * sizeof(float));
    for (size_t c = 0; c < net_.channels.size(); ++c) {
        if (net_.channels[c].type != SynapseType::Delta) continue;
        float* __restrict r = ring_[c].data() + size_t(slot) * n;
        for (uint32_t i = 0; i < n; ++i) {
            din[i] += r[i];
            r[i] = 0.f;
        }
    }

    // Electrical coupling from the membrane potentials at the start of the step.
    if (!net_.gaps.empty()) {
        const float k = float(knobs_[size_t(LiveKnob::Coupling)]);
        const auto& gj = net_.gaps;
        for (uint32_t i = 0; i < n; ++i) {
            float s = 0.f;
            const float vi = v_[i];
            for (uint32_t e = gj.off[i]; e < gj.off[i + 1]; ++e) s += gj.g[e] * (v_[gj.target[e]] - vi);
            ext_[i] = k * s;
        }
    }

    // White noise (exact for the free membrane: stationary standard deviation noiseSigma).
    const double noiseK = knobs_[size_t(LiveKnob::Noise)];
    for (const auto& p : net_.populations) {
        if (p.p.noiseSigma <= 0 || noiseK <= 0) continue;
        const double tau = p.p.type == NeuronType::LIF ? p.p.tauM : p.p.C / p.p.gL;
        const float s = float(p.p.noiseSigma * noiseK * std::sqrt(1.0 - std::exp(-2.0 * net_.dt / tau)));
        for (uint32_t i = p.start; i < p.start + p.size; ++i) din[i] += s * float(rng_.normal());
    }

    spikeCount_ = 0;
    for (const auto& p : net_.populations) {
        switch (p.p.type) {
        case NeuronType::LIF:
            updateLif(p, p.start, p.start + p.size);
            break;
        case NeuronType::AdEx:
            updateAdEx(p, p.start, p.start + p.size);
            break;
        case NeuronType::Izhikevich:
            updateIzhikevich(p, p.start, p.start + p.size);
            break;
        }
    }
    spiked_.assign(spikeBuf_.begin(), spikeBuf_.begin() + spikeCount_);

    propagate();
}

void Simulation::propagate() {
    if (spiked_.empty()) return;
    const uint32_t n = net_.n;
    for (size_t c = 0; c < net_.channels.size(); ++c) {
        const SynapseTable& t = net_.synapses[c];
        if (t.off.empty()) continue;
        const LiveKnob kn = net_.channels[c].scale;
        const float s = kn == LiveKnob::None ? 1.f : float(knobs_[size_t(kn)]);
        const uint32_t* __restrict tg = t.target.data();
        const float* __restrict w = t.weight.data();
        if (t.delay.empty()) {
            const bool toG = direct_ && net_.channels[c].type != SynapseType::Delta;
            float* __restrict r =
                toG ? g_[c].data() : ring_[c].data() + size_t((step_ + t.uniformDelay) % ringSlots_) * n;
            if (s == 1.f) {
                for (uint32_t i : spiked_)
                    for (uint32_t k = t.off[i], e = t.off[i + 1]; k < e; ++k) r[tg[k]] += w[k];
            } else {
                for (uint32_t i : spiked_)
                    for (uint32_t k = t.off[i], e = t.off[i + 1]; k < e; ++k) r[tg[k]] += s * w[k];
            }
        } else {
            float* base = ring_[c].data();
            const uint32_t now = uint32_t(step_ % ringSlots_);
            const uint16_t* dl = t.delay.data();
            for (uint32_t i : spiked_)
                for (uint32_t k = t.off[i], e = t.off[i + 1]; k < e; ++k) {
                    uint32_t sl = now + dl[k];
                    if (sl >= ringSlots_) sl -= ringSlots_;
                    base[size_t(sl) * n + tg[k]] += s * w[k];
                }
        }
    }
}

namespace {

// Sum of v[lo, hi) in eight partial sums (vectorisable); any NaN or infinity makes it non-finite.
bool finiteSum(const float* v, size_t lo, size_t hi) {
    float part[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t i = lo;
    for (; i + 8 <= hi; i += 8)
        for (size_t j = 0; j < 8; ++j) part[j] += v[i + j];
    for (; i < hi; ++i) part[0] += v[i];
    float s = 0.f;
    for (float x : part) s += x;
    return std::isfinite(s);
}

} // namespace

bool Simulation::divergedAfter(uint64_t steps, bool vFinite, uint64_t& windowSpikes,
                               std::string* reason) const {
    // NaN check every 10 ms, rate check over 100 ms windows.
    const double t = double(steps) * net_.dt;
    if (steps % nanEvery_ == 0 && !vFinite) {
        if (reason) *reason = "diverged at t = " + num(t) + " ms: membrane potential is not finite";
        return true;
    }
    if (steps % window_ == 0) {
        const double rate = double(windowSpikes) / (double(net_.n) * window_ * net_.dt * 1e-3);
        windowSpikes = 0;
        if (rate > 1000.0) {
            if (reason)
                *reason = "diverged at t = " + num(t) + " ms: mean rate " + num(rate) +
                          " Hz over the last 100 ms is above 1000 Hz";
            return true;
        }
    }
    return false;
}

void Simulation::checkDivergence() {
    const bool finite = step_ % nanEvery_ != 0 || finiteSum(v_.data(), 0, v_.size());
    if (divergedAfter(step_, finite, windowSpikes_, &reason_)) diverged_ = true;
}

uint64_t Simulation::run(double ms) {
    const uint64_t steps = uint64_t(std::llround(ms / net_.dt));
    uint64_t done = 0;
    lastRunThreads_ = threadedRunPossible() ? threads_ : 1;
    if (lastRunThreads_ > 1) {
        while (done < steps && !diverged_) {
            // Chunks end where the refractory step numbers are shifted, as step() does.
            shiftReady();
            const uint64_t room = (uint64_t(1) << 30) - (step_ - readyBase_);
            done += runThreaded(std::min(steps - done, room));
        }
        return done;
    }
    const uint64_t probe = std::min<uint64_t>(steps / 100, 1000);
    const size_t recorded0 = spikes_.spikeCount();
    while (done < steps && !diverged_) {
        step();
        ++done;
        if (done == probe) reserveSpikes(spikes_.spikeCount() - recorded0, done, steps - done);
    }
    return done;
}

// Reserves room for the spikes still to come at the rate so far (recorded spikes in `stepsSoFar` steps),
// so that a long run's recording grows once instead of doubling (and copying) a dozen times.
void Simulation::reserveSpikes(size_t recordedSoFar, uint64_t stepsSoFar, uint64_t stepsLeft) {
    if (stepsSoFar == 0 || recordedSoFar == 0) return;
    const double expect = double(recordedSoFar) / double(stepsSoFar) * double(stepsLeft) * 1.25 + 1024;
    // Never more than a quarter of the memory limit (12 bytes per spike); beyond that the vectors grow.
    const double cap = double(memoryLimitBytes()) / 4 / 12;
    const size_t want = spikes_.spikeCount() + size_t(std::min(expect, cap));
    if (want <= spikes_.times.capacity()) return;
    spikes_.times.reserve(want);
    spikes_.units.reserve(want);
#if defined(__linux__)
    // Large pages for the reserved room where the system allows them on request: one page fault per 2 MiB
    // instead of per 4 KiB as the recording fills it.
    auto huge = [](void* p, size_t bytes) {
        const uintptr_t a = (uintptr_t(p) + (uintptr_t(1) << 21) - 1) & ~((uintptr_t(1) << 21) - 1);
        const uintptr_t e = (uintptr_t(p) + bytes) & ~((uintptr_t(1) << 21) - 1);
        if (e > a) madvise(reinterpret_cast<void*>(a), e - a, MADV_HUGEPAGE);
    };
    huge(spikes_.times.data(), spikes_.times.capacity() * sizeof(double));
    huge(spikes_.units.data(), spikes_.units.capacity() * sizeof(uint32_t));
#endif
}

void Simulation::setThreads(int threads) {
    threads_ = std::clamp(threads, 1, 256);
}

bool Simulation::threadedRunPossible() const {
    return threads_ > 1 && fast_ && !diverged_ && lambda_.empty() && net_.stimulus.epochs.empty() &&
           traces_.empty() && net_.n >= uint32_t(threads_) * 64;
}

// Neuron ranges (multiples of 16 neurons) and the synapse tables grouped by target range: within the
// targets of each neuron, those in range 0 first, then range 1, ..., each group in its original order.
void Simulation::prepareThreads() {
    const uint32_t n = net_.n, T = uint32_t(threads_);
    if (splitFor_ == threads_ && bounds_.size() == T + 1) return;
    const uint32_t chunk = ((n + T - 1) / T + 15) / 16 * 16;
    bounds_.assign(T + 1, n);
    for (uint32_t p = 0; p < T; ++p) bounds_[p] = std::min(n, p * chunk);
    auto rangeOf = [&](uint32_t j) { return std::min(T - 1, j / chunk); };
    split_.assign(net_.synapses.size(), {});
    std::vector<uint32_t> tg;
    std::vector<float> w;
    std::vector<uint16_t> d;
    for (size_t c = 0; c < net_.synapses.size(); ++c) {
        SynapseTable& t = net_.synapses[c];
        if (t.off.empty()) continue;
        std::vector<uint32_t>& sp = split_[c];
        sp.assign(size_t(T) * n, 0);
        const bool hasW = t.weight.size() == t.target.size(), hasD = t.delay.size() == t.target.size();
        for (uint32_t i = 0; i < n; ++i) {
            const uint32_t a = t.off[i], b = t.off[i + 1];
            uint32_t count[257] = {};
            for (uint32_t k = a; k < b; ++k) ++count[rangeOf(t.target[k]) + 1];
            uint32_t pos[257];
            pos[0] = a;
            for (uint32_t p = 0; p < T; ++p) {
                sp[size_t(p) * n + i] = pos[p];
                pos[p + 1] = pos[p] + count[p + 1];
            }
            tg.assign(t.target.begin() + a, t.target.begin() + b);
            if (hasW) w.assign(t.weight.begin() + a, t.weight.begin() + b);
            if (hasD) d.assign(t.delay.begin() + a, t.delay.begin() + b);
            for (uint32_t k = 0; k < b - a; ++k) {
                const uint32_t at = pos[rangeOf(tg[k])]++;
                t.target[at] = tg[k];
                if (hasW) t.weight[at] = w[k];
                if (hasD) t.delay[at] = d[k];
            }
        }
    }
    splitFor_ = threads_;
    makeTarget16();
}

void Simulation::makeTarget16() {
    target16_.assign(net_.synapses.size(), {});
    if (!fast_ || net_.n > 65536) return;
    for (size_t c = 0; c < net_.synapses.size(); ++c)
        if (uniformWeight_[c])
            target16_[c].assign(net_.synapses[c].target.begin(), net_.synapses[c].target.end());
}

namespace {

// A barrier for a fixed number of threads that spins briefly, then sleeps on a condition variable. The
// spin adapts: it halves each time it ends in sleep (the machine is busy, spinning only takes the CPU
// from the thread being waited for) and grows while the others arrive in time.
class StepBarrier {
public:
    explicit StepBarrier(uint32_t count) : count_(count) {}
    void wait() {
        const uint32_t gen = gen_.load(std::memory_order_acquire);
        if (arrived_.fetch_add(1, std::memory_order_acq_rel) + 1 == count_) {
            arrived_.store(0, std::memory_order_relaxed);
            {
                std::lock_guard<std::mutex> lock(m_);
                gen_.store(gen + 1, std::memory_order_release);
            }
            if (sleepers_.load(std::memory_order_acquire)) cv_.notify_all();
            return;
        }
        const int spins = spins_.load(std::memory_order_relaxed);
        for (int k = 0; k < spins; ++k) {
            if (gen_.load(std::memory_order_acquire) != gen) {
                if (k > spins / 2 && spins < kMaxSpins) spins_.store(spins * 2, std::memory_order_relaxed);
                return;
            }
#if defined(__x86_64__) || defined(__i386__)
            _mm_pause();
#endif
        }
        if (spins > kMinSpins) spins_.store(spins / 2, std::memory_order_relaxed);
        std::unique_lock<std::mutex> lock(m_);
        sleepers_.fetch_add(1, std::memory_order_acq_rel);
        cv_.wait(lock, [&] { return gen_.load(std::memory_order_acquire) != gen; });
        sleepers_.fetch_sub(1, std::memory_order_acq_rel);
    }

private:
    static constexpr int kMinSpins = 32, kMaxSpins = 1 << 14;
    const uint32_t count_;
    alignas(64) std::atomic<uint32_t> arrived_{0};
    alignas(64) std::atomic<uint32_t> gen_{0};
    std::atomic<uint32_t> sleepers_{0};
    std::atomic<int> spins_{1024};
    std::mutex m_;
    std::condition_variable cv_;
};

} // namespace

// `steps` steps of the fast path on threads_ threads; the calling thread runs range 0 and keeps the
// records. Every thread sees every spike count after the barrier, so all stop at the same step.
uint64_t Simulation::runThreaded(uint64_t steps) {
    prepareThreads();
    const uint32_t T = uint32_t(threads_);
    struct alignas(64) Lane {
        std::vector<uint32_t> buf[2];
        uint32_t count[2] = {0, 0};
        uint8_t finite[2] = {1, 1};
        uint64_t done = 0;
    };
    std::vector<Lane> lanes(T);
    for (uint32_t p = 0; p < T; ++p)
        for (auto& b : lanes[p].buf) b.assign(size_t(bounds_[p + 1] - bounds_[p]) + 16, 0);
    StepBarrier barrier(T);
    const uint64_t step0 = step_;
    const uint64_t window0 = windowSpikes_;
    const std::vector<double> scale0 = scale_;
    std::string reason;
    const uint64_t probe = std::min<uint64_t>(steps / 100, 1000);
    const size_t recorded0 = spikes_.spikeCount();

    auto body = [&](uint32_t p) {
        const uint32_t lo = bounds_[p], hi = bounds_[p + 1];
        std::vector<double> scale = scale0;
        std::vector<SpikeList> lists(T);
        uint64_t window = window0;
        Lane& me = lanes[p];
        uint64_t k = 0;
        for (; k < steps; ++k) {
            const uint64_t t = step0 + k;
            const int par = int(k & 1);
            me.count[par] =
                updateFastRange(lo, hi, scale.data(), int32_t(t - readyBase_), me.buf[par].data());
            if ((t + 1) % nanEvery_ == 0) me.finite[par] = finiteSum(v_.data(), lo, hi);
            barrier.wait();
            uint64_t total = 0;
            bool finite = true;
            for (uint32_t q = 0; q < T; ++q) {
                lists[q] = SpikeList{lanes[q].buf[par].data(), lanes[q].count[par]};
                total += lanes[q].count[par];
                if ((t + 1) % nanEvery_ == 0) finite = finite && lanes[q].finite[par];
            }
            endFastRange(p, lists.data(), T, scale.data());
            if (p == 0) {
                const double ts = double(t) * net_.dt * 1e-3;
                for (const SpikeList& l : lists)
                    for (uint32_t j = 0; j < l.n; ++j)
                        if (recordAll_ || (!recordMask_.empty() && recordMask_[l.p[j]]))
                            spikes_.add(ts, l.p[j]);
                totalSpikes_ += total;
                if (recordRates_) {
                    const uint64_t bin = t / binSteps_;
                    if (binCounts_.size() <= bin) binCounts_.resize(bin + 1, 0);
                    binCounts_[bin] += uint32_t(total);
                }
            }
            if (p == 0 && k + 1 == probe)
                reserveSpikes(spikes_.spikeCount() - recorded0, k + 1, steps - k - 1);
            window += total;
            if (divergedAfter(t + 1, finite, window, p == 0 ? &reason : nullptr)) {
                ++k;
                if (p == 0) diverged_ = true;
                break;
            }
        }
        me.done = k;
        if (p == 0) {
            windowSpikes_ = window;
            scale_ = scale;
        }
    };

    std::vector<std::thread> workers;
    for (uint32_t p = 1; p < T; ++p) workers.emplace_back(body, p);
    body(0);
    for (auto& w : workers) w.join();
    const uint64_t done = lanes[0].done;
    step_ = step0 + done;
    if (diverged_) reason_ = reason;
    spiked_.clear();
    if (done) {
        const int par = int((done - 1) & 1);
        for (uint32_t q = 0; q < T; ++q)
            spiked_.insert(spiked_.end(), lanes[q].buf[par].begin(),
                           lanes[q].buf[par].begin() + lanes[q].count[par]);
    }
    return done;
}

std::vector<double> Simulation::populationRate() const {
    std::vector<double> r;
    const uint64_t complete = step_ / binSteps_;
    const double norm = 1.0 / (double(net_.n) * binSteps_ * net_.dt * 1e-3);
    for (uint64_t b = 0; b < complete && b < binCounts_.size(); ++b) r.push_back(binCounts_[b] * norm);
    return r;
}

double Simulation::meanRateHz() const {
    if (step_ == 0 || net_.n == 0) return 0;
    return double(totalSpikes_) / (double(net_.n) * timeMs() * 1e-3);
}

} // namespace nr
