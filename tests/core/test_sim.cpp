// Simulator: neuron models against closed forms and published behaviour, COBA rate, determinism,
// validation and divergence.
#include "sim/Models.h"
#include "sim/SimulateCommand.h"
#include "sim/Simulation.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <cmath>
#include <sstream>

using namespace nr;

namespace {

// A network of independent neurons, one population per entry of `ps`, one neuron each.
Network singles(const std::vector<NeuronParams>& ps, double dt = 0.1) {
    Network net;
    net.model = "test";
    net.dt = dt;
    net.n = uint32_t(ps.size());
    for (uint32_t i = 0; i < net.n; ++i)
        net.populations.push_back({"p" + std::to_string(i), i, 1, ps[i], false});
    return net;
}

std::vector<double> spikeTimesOf(const SpikeTrains& s, uint32_t unit) {
    std::vector<double> t;
    for (size_t k = 0; k < s.times.size(); ++k)
        if (s.units[k] == unit) t.push_back(s.times[k]);
    return t;
}

std::vector<double> isis(const std::vector<double>& t) {
    std::vector<double> d;
    for (size_t k = 1; k < t.size(); ++k) d.push_back(t[k] - t[k - 1]);
    return d;
}

} // namespace

class TestSim : public QObject {
    Q_OBJECT
private slots:
    void lifFICurve();
    void izhikevichRegularSpiking();
    void izhikevichFastSpiking();
    void adexAdaptation();
    void cobaRate();
    void determinismBySeed();
    void validationErrors();
    void divergenceKeepsSpikes();
    void attractorSchedule();
    void simulateCommand();
    void connectomeModel();
    void threadsGiveTheSameRun();
    void threadsStopWhenDiverged();
    void kernelsAgree();
};

void TestSim::lifFICurve() {
    const double tau = 20, tref = 2, el = -60, vt = -50, vr = -60;
    const std::vector<double> drives = {11, 12, 15, 20, 30};
    std::vector<NeuronParams> ps;
    for (double ri : drives) {
        NeuronParams p;
        p.tauM = tau;
        p.vRest = el;
        p.vThresh = vt;
        p.vReset = vr;
        p.tRef = tref;
        p.drive = ri;
        p.v0Min = p.v0Max = vr;
        ps.push_back(p);
    }
    Simulation sim;
    QVERIFY(!sim.init(singles(ps, 0.01), 1));
    sim.run(3000);
    for (size_t k = 0; k < drives.size(); ++k) {
        const double ri = drives[k];
        const double expect = 1.0 / ((tref + tau * std::log((ri - (vr - el)) / (ri - (vt - el)))) * 1e-3);
        const auto d = isis(spikeTimesOf(sim.spikes(), uint32_t(k)));
        QVERIFY2(d.size() > 10, qPrintable(QString("drive %1: %2 ISIs").arg(ri).arg(d.size())));
        double mean = 0;
        for (double x : d) mean += x;
        mean /= double(d.size());
        const double rate = 1.0 / mean;
        QVERIFY2(
            std::fabs(rate - expect) / expect < 0.02,
            qPrintable(QString("drive %1 mV: rate %2 Hz, closed form %3 Hz").arg(ri).arg(rate).arg(expect)));
    }
    // Below rheobase (RI < Vt - El) the neuron stays silent.
    ps.assign(1, ps[0]);
    ps[0].drive = 9.5;
    Simulation quiet;
    QVERIFY(!quiet.init(singles(ps), 1));
    quiet.run(1000);
    QCOMPARE(quiet.totalSpikes(), uint64_t(0));
}

static NeuronParams izh(double a, double b, double c, double d, double I) {
    NeuronParams p;
    p.type = NeuronType::Izhikevich;
    p.izA = a;
    p.izB = b;
    p.izC = c;
    p.izD = d;
    p.drive = I;
    p.tRef = 0;
    p.v0Min = p.v0Max = -65;
    return p;
}

void TestSim::izhikevichRegularSpiking() {
    Simulation sim;
    QVERIFY(!sim.init(singles({izh(0.02, 0.2, -65, 8, 10)}, 0.1), 1));
    sim.run(1000);
    const auto d = isis(spikeTimesOf(sim.spikes(), 0));
    QVERIFY2(d.size() >= 4, qPrintable(QString("%1 ISIs").arg(d.size())));
    // Adapting: the first ISI is clearly shorter than the last.
    QVERIFY2(d.front() < 0.7 * d.back(),
             qPrintable(QString("first %1 s, last %2 s").arg(d.front()).arg(d.back())));
    const double rate = double(d.size() + 1) / 1.0;
    QVERIFY2(rate > 5 && rate < 40, qPrintable(QString("RS rate %1 Hz").arg(rate)));
}

void TestSim::izhikevichFastSpiking() {
    Simulation sim;
    QVERIFY(!sim.init(singles({izh(0.1, 0.2, -65, 2, 10), izh(0.02, 0.2, -65, 8, 10)}, 0.1), 1));
    sim.run(1000);
    const auto fs = isis(spikeTimesOf(sim.spikes(), 0));
    const auto rsIsi = isis(spikeTimesOf(sim.spikes(), 1));
    QVERIFY(fs.size() > 20 && rsIsi.size() > 3);
    const double rate = double(fs.size() + 1);
    QVERIFY2(rate > 100 && rate > 3.0 * double(rsIsi.size() + 1),
             qPrintable(QString("FS %1 Hz vs RS %2 Hz").arg(rate).arg(rsIsi.size() + 1)));
    // Less adaptation than RS, and tonic after the first spikes (ISIs of the second half within 2 %).
    const double fsAdapt = fs.back() / fs.front(), rsAdapt = rsIsi.back() / rsIsi.front();
    QVERIFY2(fsAdapt < rsAdapt, qPrintable(QString("FS last/first %1, RS %2").arg(fsAdapt).arg(rsAdapt)));
    const auto mm = std::minmax_element(fs.begin() + long(fs.size() / 2), fs.end());
    QVERIFY2(*mm.second < 1.02 * *mm.first + 1e-4,
             qPrintable(QString("FS ISIs %1..%2 s").arg(*mm.first).arg(*mm.second)));
}

void TestSim::adexAdaptation() {
    NeuronParams p;
    p.type = NeuronType::AdEx; // Brette & Gerstner (2005)
    p.C = 281;
    p.gL = 30;
    p.vRest = -70.6;
    p.vThresh = -50.4;
    p.deltaT = 2;
    p.tauW = 144;
    p.a = 4;
    p.b = 80.5;
    p.vReset = -70.6;
    p.vPeak = 0;
    p.tRef = 0;
    p.drive = 800; // pA
    p.v0Min = p.v0Max = -70.6;
    Simulation sim;
    QVERIFY(!sim.init(singles({p}, 0.05), 1));
    auto tr = sim.recordState(0, "w", 20);
    QVERIFY(tr.ok());
    sim.run(1000);
    const auto d = isis(spikeTimesOf(sim.spikes(), 0));
    QVERIFY2(d.size() >= 5, qPrintable(QString("%1 ISIs").arg(d.size())));
    QVERIFY2(d[1] > d[0] && d.back() > 1.5 * d[0],
             qPrintable(QString("ISIs %1, %2, ..., %3 s").arg(d[0]).arg(d[1]).arg(d.back())));
    const auto& w = sim.traces()[tr.value()].values;
    QCOMPARE(w.size(), size_t(1000));
    QCOMPARE(w.front(), 0.f);
    QVERIFY2(w.back() > 2 * p.b, qPrintable(QString("w at 1 s = %1 pA").arg(w.back())));
}

void TestSim::cobaRate() {
    // Brian2 (runtime, 1 s, seed 1) gives 21.9 Hz for this network, its standalone run over 10 s 21.1 Hz;
    // Brette et al. (2007) report 15-25 Hz.
    ModelRequest req;
    req.model = "coba";
    auto net = buildModel(req);
    QVERIFY2(net.ok(), qPrintable(QString::fromStdString(net.ok() ? "" : net.error().str())));
    QCOMPARE(net.value().n, uint32_t(4000));
    const double syn = double(net.value().synapseCount());
    QVERIFY2(std::fabs(syn - 320000) < 4 * std::sqrt(320000.0), qPrintable(QString("%1 synapses").arg(syn)));
    Simulation sim;
    QVERIFY(!sim.init(std::move(net.value()), 1));
    sim.run(1000);
    QVERIFY(!sim.diverged());
    const double rate = sim.meanRateHz();
    QVERIFY2(std::fabs(rate - 21.9) / 21.9 < 0.15, qPrintable(QString("COBA rate %1 Hz").arg(rate)));
    // The population rate per bin is consistent with the total.
    const auto bins = sim.populationRate();
    QCOMPARE(bins.size(), size_t(1000));
    double m = 0;
    for (double b : bins) m += b;
    QVERIFY(std::fabs(m / double(bins.size()) - rate) < 1e-6 * rate + 1e-9);
}

void TestSim::determinismBySeed() {
    auto run = [](uint64_t seed) {
        ModelRequest req;
        req.model = "brunel";
        req.neurons = 2000;
        req.seed = seed;
        auto net = buildModel(req);
        Simulation sim;
        if (!net || sim.init(std::move(net.value()), seed)) return SpikeTrains{};
        sim.run(300);
        return sim.spikes();
    };
    const SpikeTrains a = run(7), b = run(7), c = run(8);
    QVERIFY(a.spikeCount() > 1000);
    QCOMPARE(a.times, b.times);
    QCOMPARE(a.units, b.units);
    QVERIFY(a.units != c.units || a.times != c.times);
}

void TestSim::validationErrors() {
    NeuronParams p;
    p.tauM = -5;
    Simulation sim;
    auto e = sim.init(singles({p}), 1);
    QVERIFY(e);
    QVERIFY2(e->reason.find("tauM") != std::string::npos && e->reason.find("positive") != std::string::npos,
             e->reason.c_str());
    QCOMPARE(e->str().substr(0, 9), std::string("simulate:"));

    p.tauM = 20;
    auto net = singles({p}, 0.5);
    net.channels.push_back({"exc", SynapseType::ConductanceExp, 0.2, 0.0, LiveKnob::None});
    net.synapses.emplace_back();
    e = sim.init(net, 1);
    QVERIFY(e);
    QVERIFY2(e->reason.find("dt") != std::string::npos && e->reason.find("exc") != std::string::npos,
             e->reason.c_str());

    p.drive = std::nan("");
    e = sim.init(singles({p}), 1);
    QVERIFY(e);
    QVERIFY2(e->reason.find("drive") != std::string::npos && e->reason.find("nan") != std::string::npos,
             e->reason.c_str());

    ModelRequest req;
    req.model = "coba";
    req.params = {{"we", std::nan("")}};
    auto bad = buildModel(req);
    QVERIFY(!bad);
    QVERIFY2(bad.error().reason.find("'we'") != std::string::npos, bad.error().reason.c_str());

    req.params = {{"nosuch", 1}};
    bad = buildModel(req);
    QVERIFY(!bad);
    QVERIFY2(bad.error().reason.find("unknown parameter 'nosuch'") != std::string::npos,
             bad.error().reason.c_str());

    // Too large for memory: refused before allocating.
    req.params.clear();
    req.neurons = 20000000;
    bad = buildModel(req);
    QVERIFY(!bad);
    QVERIFY2(bad.error().reason.find("MiB") != std::string::npos &&
                 bad.error().reason.find("physical memory") != std::string::npos,
             bad.error().reason.c_str());
}

void TestSim::divergenceKeepsSpikes() {
    // A runaway network: strong recurrent excitation without refractoriness.
    ModelRequest req;
    req.model = "coba";
    req.neurons = 1000;
    req.params = {{"we", 10}, {"wi", 0}, {"tref", 0}, {"p", 0.2}, {"I", 100}};
    auto net = buildModel(req);
    QVERIFY(net.ok());
    Simulation sim;
    QVERIFY(!sim.init(std::move(net.value()), 1));
    const uint64_t steps = sim.run(1000);
    QVERIFY(sim.diverged());
    QVERIFY(steps < 10000);
    QVERIFY2(sim.divergeReason().find("1000 Hz") != std::string::npos, sim.divergeReason().c_str());
    QVERIFY(sim.spikes().spikeCount() > 100000);
    QCOMPARE(uint64_t(sim.spikes().spikeCount()), sim.totalSpikes());
    // Further steps do nothing.
    const uint64_t at = sim.stepCount();
    sim.step();
    QCOMPARE(sim.stepCount(), at);
}

void TestSim::attractorSchedule() {
    ModelRequest req;
    req.model = "attractor";
    req.params = {{"trials", 16}};
    auto net = buildModel(req);
    QVERIFY(net.ok());
    const auto& s = net.value().stimulus;
    QCOMPARE(s.epochs.size(), size_t(16));
    QCOMPARE(s.assemblies.size(), size_t(8));
    std::vector<int> seen(8, 0);
    for (size_t k = 0; k < s.epochs.size(); ++k) {
        ++seen[size_t(s.epochs[k].condition)];
        QVERIFY(s.epochs[k].stop > s.epochs[k].start);
        if (k) QVERIFY(s.epochs[k].start >= s.epochs[k - 1].stop);
    }
    for (int c : seen) QCOMPARE(c, 2);
    // The stimulated assembly fires more during its window than the others.
    Simulation sim;
    const auto epochs = s.epochs;
    const auto assemblies = s.assemblies;
    QVERIFY(!sim.init(std::move(net.value()), 1));
    sim.run(epochs[0].stop * 1e3 + 1);
    std::vector<double> count(8, 0);
    std::vector<int> asm_(800, -1);
    for (size_t c = 0; c < 8; ++c)
        for (uint32_t i : assemblies[c]) asm_[i] = int(c);
    const auto& sp = sim.spikes();
    for (size_t k = 0; k < sp.times.size(); ++k)
        if (sp.times[k] >= epochs[0].start && sp.times[k] < epochs[0].stop && asm_[sp.units[k]] >= 0)
            count[size_t(asm_[sp.units[k]])] += 1;
    const int stim = epochs[0].condition;
    for (int c = 0; c < 8; ++c)
        if (c != stim)
            QVERIFY2(count[size_t(stim)] > 2 * count[size_t(c)],
                     qPrintable(QString("%1 vs %2").arg(count[size_t(stim)]).arg(count[size_t(c)])));
}

void TestSim::simulateCommand() {
    std::ostringstream out, err;
    QCOMPARE(runSimulateCommand({"coba", "--seconds", "0.2", "--seed", "3"}, out, err), 0);
    const std::string line = out.str();
    QVERIFY2(line.rfind("spikes=", 0) == 0 && line.find(" rate_hz=") != std::string::npos &&
                 line.find(" wall_s=") != std::string::npos,
             line.c_str());
    QCOMPARE(std::count(line.begin(), line.end(), '\n'), 1L);
    std::ostringstream out2, err2;
    QVERIFY(runSimulateCommand({"coba", "--seconds", "abc"}, out2, err2) != 0);
    QVERIFY2(err2.str().rfind("simulate: --seconds", 0) == 0, err2.str().c_str());
    QVERIFY(out2.str().empty());
    std::ostringstream out3, err3;
    QVERIFY(runSimulateCommand({"brunel", "--param", "g=-3"}, out3, err3) != 0);
    QVERIFY2(err3.str().find("'g'") != std::string::npos, err3.str().c_str());
    // --threads: the same spike file on one thread and on two (COBA takes the threaded path), chunk after
    // chunk (0.25 s is more than two chunks of 1,000 steps), and the summary says how many threads ran.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    std::string lines[2];
    QByteArray files[2];
    for (int t = 1; t <= 2; ++t) {
        const std::string path = dir.filePath(QString("t%1.csv").arg(t)).toStdString();
        std::ostringstream o, e;
        QCOMPARE(runSimulateCommand({"coba", "--seconds", "0.25", "--seed", "5", "--threads",
                                     std::to_string(t), "--out", path},
                                    o, e),
                 0);
        lines[t - 1] = o.str();
        QFile f(QString::fromStdString(path));
        QVERIFY(f.open(QIODevice::ReadOnly));
        files[t - 1] = f.readAll();
    }
    QVERIFY2(lines[0].find(" threads=1\n") != std::string::npos, lines[0].c_str());
    QVERIFY2(lines[1].find(" threads=2\n") != std::string::npos, lines[1].c_str());
    QCOMPARE(lines[0].substr(0, lines[0].find(' ')), lines[1].substr(0, lines[1].find(' '))); // spikes=N
    QVERIFY(files[0].count('\n') > 1000);
    QCOMPARE(files[1], files[0]);
    std::ostringstream o4, e4;
    QVERIFY(runSimulateCommand({"coba", "--threads", "-1"}, o4, e4) != 0);
    QVERIFY2(e4.str().find("--threads") != std::string::npos, e4.str().c_str());
}

void TestSim::connectomeModel() {
    // C. elegans: 4,681 chemical edges become synapses; 2,698 electrical edges (14 self-loops)
    // become symmetric gap junctions, each entered at both ends.
    ModelRequest req;
    req.model = std::string(NR_SHARED_DATA) + "/connectome/herm_full_edgelist.csv";
    req.params = {{"rule", 2}, {"inh_fraction", 0.3}};
    auto net = buildModel(req);
    QVERIFY2(net.ok(), net.ok() ? "" : net.error().str().c_str());
    const Network& n = net.value();
    QCOMPARE(n.n, 448u);
    QCOMPARE(n.synapseCount(), size_t(4681));
    QCOMPARE(n.gaps.target.size(), size_t(2 * (2698 - 14)));
    QVERIFY(n.synapses[1].size() > 500 && n.synapses[1].size() < 2500); // about 30 % inhibitory sources
    Simulation sim;
    QVERIFY(!sim.init(net.value(), 1));
    sim.run(300);
    QVERIFY(!sim.diverged());
    QVERIFY2(sim.meanRateHz() > 1 && sim.meanRateHz() < 200,
             qPrintable(QString("%1 Hz").arg(sim.meanRateHz())));
    // Rule "type": the file has no inhibitory edge type, so nothing is inhibitory.
    req.params = {{"rule", 1}};
    auto all = buildModel(req);
    QVERIFY(all.ok());
    QCOMPARE(all.value().synapses[1].size(), size_t(0));
    // A missing file names the file.
    req.model = "/nonexistent/graph.csv";
    auto bad = buildModel(req);
    QVERIFY(!bad);
    QVERIFY2(bad.error().str().find("/nonexistent/graph.csv") != std::string::npos,
             bad.error().str().c_str());
}

namespace {

// COBA (4,000 neurons) on `threads` threads: 200 ms in one run, 10 single steps, then 290 ms more.
struct CobaRun {
    SpikeTrains spikes;
    std::vector<double> rate;
    std::vector<float> v;
    std::vector<uint32_t> last;
    uint64_t steps = 0;
    int used = 0;
};
CobaRun cobaOn(int threads) {
    CobaRun r;
    ModelRequest req;
    req.model = "coba";
    auto net = buildModel(req);
    Simulation sim;
    if (!net || sim.init(std::move(net.value()), 3)) return r;
    sim.setThreads(threads);
    sim.run(200);
    for (int k = 0; k < 10; ++k) sim.step();
    sim.run(290);
    r.used = sim.lastRunThreads();
    r.spikes = sim.spikes();
    r.rate = sim.populationRate();
    r.v = sim.v();
    r.last = sim.lastSpikes();
    r.steps = sim.stepCount();
    return r;
}

} // namespace

void TestSim::threadsGiveTheSameRun() {
    const CobaRun one = cobaOn(1);
    QCOMPARE(one.steps, uint64_t(4910));
    QVERIFY(one.spikes.spikeCount() > 20000);
    for (int t : {2, 3}) {
        const CobaRun m = cobaOn(t);
        QCOMPARE(m.used, t);
        QCOMPARE(m.steps, one.steps);
        QCOMPARE(m.spikes.units, one.spikes.units);
        QCOMPARE(m.spikes.times, one.spikes.times);
        QCOMPARE(m.rate, one.rate);
        QCOMPARE(m.v, one.v);
        QCOMPARE(m.last, one.last);
    }
}

void TestSim::threadsStopWhenDiverged() {
    auto run = [](int threads, std::string& reason) {
        ModelRequest req;
        req.model = "coba";
        req.neurons = 1000;
        req.params = {{"we", 10}, {"wi", 0}, {"tref", 0}, {"p", 0.2}, {"I", 100}};
        auto net = buildModel(req);
        Simulation sim;
        if (!net || sim.init(std::move(net.value()), 1)) return SpikeTrains{};
        sim.setThreads(threads);
        const uint64_t steps = sim.run(1000);
        reason = sim.diverged() && steps == sim.stepCount() && sim.lastRunThreads() == threads
                     ? sim.divergeReason()
                     : "";
        return sim.spikes();
    };
    std::string r1, r2;
    const SpikeTrains a = run(1, r1), b = run(2, r2);
    QVERIFY2(r1.find("1000 Hz") != std::string::npos, r1.c_str());
    QCOMPARE(r2, r1);
    QCOMPARE(b.units, a.units);
    QCOMPARE(b.times, a.times);
}

void TestSim::kernelsAgree() {
    // The scalar, AVX2 and AVX-512 neuron updates (NEURORAMA_SIM_KERNEL picks a lower one than the CPU's)
    // give the same spikes.
    auto run = [](const char* kernel) {
        qputenv("NEURORAMA_SIM_KERNEL", kernel);
        ModelRequest req;
        req.model = "coba";
        req.neurons = 2000;
        auto net = buildModel(req);
        Simulation sim;
        if (!net || sim.init(std::move(net.value()), 5)) return SpikeTrains{};
        sim.run(300);
        return sim.spikes();
    };
    const SpikeTrains s = run("0"), a = run("1"), b = run("9");
    qunsetenv("NEURORAMA_SIM_KERNEL");
    QVERIFY(s.spikeCount() > 5000);
    QCOMPARE(a.units, s.units);
    QCOMPARE(a.times, s.times);
    QCOMPARE(b.units, s.units);
    QCOMPARE(b.times, s.times);
}

QTEST_GUILESS_MAIN(TestSim)
#include "test_sim.moc"
