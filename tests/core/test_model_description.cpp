// The model description both engines consume (core/sim/ModelDescription.h): every built-in model written as a
// description builds the same network as before, the JSON round trip gives the same spikes for a seed, bad
// files are refused with FILE:LINE, and an exported model runs on NEURON with `mpirun -n 2 nrniv -mpi -python
// run.py` at a mean rate within 15 % of the embedded run (skipped only where mpirun cannot start NEURON).
#include "sim/ModelDescription.h"
#include "sim/Models.h"
#include "sim/NeuronRun.h"
#include "sim/Simulation.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <fstream>
#include <unistd.h>

using namespace nr;

namespace {

struct RunResult {
    uint64_t spikes = 0;
    double rateHz = 0;
};

RunResult runEmbedded(Network net, uint64_t seed, double seconds) {
    Simulation sim;
    if (auto e = sim.init(std::move(net), seed)) qFatal("%s", e->str().c_str());
    const long steps = std::lround(seconds * 1e3 / sim.dt());
    for (long k = 0; k < steps; ++k) sim.step();
    return {sim.totalSpikes(), sim.meanRateHz()};
}

ModelRequest request(const std::string& model, size_t neurons,
                     std::vector<std::pair<std::string, double>> p = {}) {
    ModelRequest r;
    r.model = model;
    r.neurons = neurons;
    r.seed = 7;
    r.params = std::move(p);
    return r;
}

std::string readAll(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return f.readAll().toStdString();
}

// Why mpirun cannot run a 2-rank NEURON job here, or "" when it can.
QString neuronUnavailable() {
    if (auto e = checkNeuronTools()) return QString::fromStdString(e->str());
    return {};
}

// Runs `mpirun -n 2 nrniv -mpi -python run.py` in `dir` as a user would (the README's command) with the
// given NEURORAMA_PARAMS; returns the spikes of spikes.rank*.txt, or an error text.
QString runExported(const QString& dir, const QString& params, uint64_t& spikes, QSet<int>& gids) {
    QProcess p;
    p.setWorkingDirectory(dir);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("NEURORAMA_STREAM"));
    env.remove(QStringLiteral("PYTHONPATH"));
    env.insert(QStringLiteral("NEURORAMA_PARAMS"), params);
    // nrniv loads the Python first on PATH; Debian's python3-neuron is built for /usr/bin/python3.
    env.insert(QStringLiteral("PATH"), QStringLiteral("/usr/bin:") + env.value(QStringLiteral("PATH")));
    QStringList args = {QStringLiteral("-n"), QStringLiteral("2")};
    if (::geteuid() == 0) args << QStringLiteral("--allow-run-as-root");
    if (::sysconf(_SC_NPROCESSORS_ONLN) < 2) args << QStringLiteral("--oversubscribe");
    args << QStringLiteral("-x") << QStringLiteral("NEURORAMA_PARAMS") << QStringLiteral("nrniv")
         << QStringLiteral("-nobanner") << QStringLiteral("-mpi") << QStringLiteral("-python")
         << QStringLiteral("run.py");
    p.setProcessEnvironment(env);
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral("mpirun"), args);
    if (!p.waitForStarted(10000)) return QStringLiteral("mpirun did not start");
    if (!p.waitForFinished(120000)) {
        p.kill();
        p.waitForFinished(5000);
        return QStringLiteral("mpirun did not finish in 120 s");
    }
    const QString out = QString::fromLocal8Bit(p.readAll());
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        return QStringLiteral("mpirun exited with %1:\n%2").arg(p.exitCode()).arg(out);
    spikes = 0;
    for (int r = 0; r < 2; ++r) {
        std::ifstream f((dir + QStringLiteral("/spikes.rank%1.txt").arg(r)).toStdString());
        if (!f) return QStringLiteral("no spikes.rank%1.txt:\n%2").arg(r).arg(out);
        int gid;
        double t;
        while (f >> gid >> t) {
            ++spikes;
            gids.insert(gid);
        }
    }
    return {};
}

} // namespace

class TestModelDescription : public QObject {
    Q_OBJECT

private slots:
    // Every model's description holds its cells, populations, synapses and inputs; the network built from it
    // is the one the simulator runs (existing tests pin their spikes).
    void describesEveryModel() {
        for (const auto& [model, n] : std::vector<std::pair<std::string, size_t>>{
                 {"coba", 400}, {"brunel", 500}, {"attractor", 200}, {"demo", 300}}) {
            auto d = describeModel(request(model, n));
            QVERIFY2(d, d ? "" : d.error().str().c_str());
            const ModelDescription& m = d.value();
            QCOMPARE(m.cellCount(), uint32_t(n));
            QVERIFY(!m.cellKinds.empty());
            QVERIFY(!m.connections.empty());
            QVERIFY(m.synapseCount() > 0);
            QCOMPARE(m.poisson.rateHz.empty(), model == "coba"); // coba runs on its constant drive
            QCOMPARE(m.probes.size(), size_t(1));
            auto net = buildNetwork(m);
            QVERIFY(net);
            QVERIFY(!validateNetwork(net.value()));
            QCOMPARE(net.value().synapseCount(), m.synapseCount());
            QVERIFY(!checkNeuronModel(m));
        }
        auto att = describeModel(request("attractor", 200));
        QVERIFY(!att.value().stimulus.epochs.empty());
    }

    // write, read, same engine spike counts for a seed
    void roundTrip() {
        for (const auto& [model, n] : std::vector<std::pair<std::string, size_t>>{
                 {"coba", 400}, {"brunel", 500}, {"attractor", 200}, {"demo", 300}}) {
            const ModelRequest req = request(model, n);
            auto direct = buildModel(req);
            QVERIFY(direct);
            const RunResult a = runEmbedded(direct.value(), req.seed, 0.3);
            QVERIFY2(a.spikes > 0, model.c_str());
            auto d = describeModel(req);
            QVERIFY(d);
            QTemporaryDir dir;
            const std::string path = dir.filePath(QStringLiteral("model.json")).toStdString();
            QVERIFY(!writeModelDescription(d.value(), path));
            auto back = readModelDescription(path);
            QVERIFY2(back, back ? "" : back.error().str().c_str());
            QCOMPARE(back.value().cellCount(), d.value().cellCount());
            QCOMPARE(back.value().synapseCount(), d.value().synapseCount());
            QCOMPARE(back.value().stimulus.epochs.size(), d.value().stimulus.epochs.size());
            // Writing it again gives the same bytes.
            const std::string j1 = modelDescriptionJson(back.value()), j0 = modelDescriptionJson(d.value());
            if (j1 != j0) {
                std::ofstream("/tmp/wtE/j0.json") << j0;
                std::ofstream("/tmp/wtE/j1.json") << j1;
            }
            QVERIFY2(j1 == j0, model.c_str());
            auto net = buildNetwork(std::move(back.value()));
            QVERIFY(net);
            const RunResult b = runEmbedded(std::move(net.value()), req.seed, 0.3);
            qInfo("%s: %llu spikes direct, %llu from the file", model.c_str(), (unsigned long long)a.spikes,
                  (unsigned long long)b.spikes);
            QCOMPARE(b.spikes, a.spikes);
            // `simulate model.json` reads it as a model.
            ModelRequest fromFile;
            fromFile.model = path;
            fromFile.seed = req.seed;
            QVERIFY(isModelDescriptionFile(path));
            auto again = buildModel(fromFile);
            QVERIFY2(again, again ? "" : again.error().str().c_str());
            QCOMPARE(runEmbedded(std::move(again.value()), req.seed, 0.3).spikes, a.spikes);
        }
    }

    void badFiles_data() {
        QTest::addColumn<QString>("from");
        QTest::addColumn<QString>("to");
        QTest::addColumn<QString>("expect");
        QTest::newRow("wrong version") << "\"version\": 1"
                                       << "\"version\": 2"
                                       << "m.json:3: unsupported model description version 2";
        QTest::newRow("missing key") << "\"cells\": 2,\n"
                                     << ""
                                     << "m.json:1: missing key \"cells\"";
        QTest::newRow("negative size") << "\"size\": 1, \"inhibitory\": true"
                                       << "\"size\": -1, \"inhibitory\": true"
                                       << "m.json:8: population 'I': \"size\" must not be negative";
        QTest::newRow("NaN weight") << "\"weights\": [0.5, -1]"
                                    << "\"weights\": [NaN, -1]"
                                    << "m.json:15: invalid JSON";
        QTest::newRow("null weight") << "\"weights\": [0.5, -1]"
                                     << "\"weights\": [null, -1]"
                                     << "m.json:15: a weight must be a finite number, not null";
        QTest::newRow("source out of range") << "\"sources\": [1, 0]"
                                             << "\"sources\": [1, 5]"
                                             << "m.json:14: a source cell = 5 is out of range";
        QTest::newRow("unknown channel") << "\"channel\": \"exc\""
                                         << "\"channel\": \"ampa\""
                                         << "m.json:13: no channel named \"ampa\"";
        QTest::newRow("cells mismatch") << "\"cells\": 2"
                                        << "\"cells\": 3"
                                        << "m.json:7: the populations hold 2 cells, \"cells\" says 3";
        QTest::newRow("weight count") << "\"weights\": [0.5, -1]"
                                      << "\"weights\": [0.5]"
                                      << "m.json:15: \"weights\" needs one weight per source (2), not 1";
        QTest::newRow("unknown kind") << "\"kind\": \"lif\", \"size\": 1, \"inhibitory\": false"
                                      << "\"kind\": \"hh\", \"size\": 1, \"inhibitory\": false"
                                      << "m.json:7: population 'E': no cell kind named \"hh\"";
        QTest::newRow("negative tau") << "\"tau_ms\": 5"
                                      << "\"tau_ms\": -5"
                                      << "m.json:11: \"tau_ms\" = -5 is outside [0, 1000000]";
        QTest::newRow("not a description") << "neurorama-model"
                                           << "neurorama-session"
                                           << "m.json:2: \"format\" must be \"neurorama-model\"";
        QTest::newRow("zero tau membrane") << "\"tauM\": 20"
                                           << "\"tauM\": 0"
                                           << "tauM must be positive";
    }

    void badFiles() {
        QFETCH(QString, from);
        QFETCH(QString, to);
        QFETCH(QString, expect);
        // A small valid description, line by line, to mutate.
        const std::string good =
            "{\n"
            "  \"format\": \"neurorama-model\",\n"
            "  \"version\": 1,\n"
            "  \"model\": \"tiny\",\n"
            "  \"dt_ms\": 0.1,\n"
            "  \"cells\": 2,\n"
            "  \"populations\": [{\"name\": \"E\", \"kind\": \"lif\", \"size\": 1, \"inhibitory\": false},\n"
            "    {\"name\": \"I\", \"kind\": \"lif\", \"size\": 1, \"inhibitory\": true}],\n"
            "  \"cell_kinds\": [{\"name\": \"lif\", \"type\": \"lif\", \"tauM\": 20}],\n"
            "  \"channels\": [{\"name\": \"exc\", \"type\": \"current_exp\",\n"
            "    \"tau_ms\": 5}],\n"
            "  \"connections\": [\n"
            "    {\"channel\": \"exc\", \"delay_ms\": 1, \"offsets\": [0, 1, 2],\n"
            "     \"sources\": [1, 0],\n"
            "     \"weights\": [0.5, -1]}\n"
            "  ]\n"
            "}\n";
        QVERIFY2(parseModelDescription(good, "m.json"),
                 parseModelDescription(good, "m.json").ok()
                     ? ""
                     : parseModelDescription(good, "m.json").error().str().c_str());
        std::string bad = good;
        const size_t at = bad.find(from.toStdString());
        QVERIFY(at != std::string::npos);
        bad.replace(at, size_t(from.size()), to.toStdString());
        auto r = parseModelDescription(bad, "m.json");
        QVERIFY(!r);
        qInfo("%s", r.error().str().c_str());
        QVERIFY2(QString::fromStdString(r.error().str()).contains(expect), r.error().str().c_str());
    }

    void exportFolder() {
        QTemporaryDir dir;
        const std::string out = dir.filePath(QStringLiteral("brunel")).toStdString();
        auto d = describeModel(request("brunel", 500));
        QVERIFY(d);
        NeuronExportOptions o;
        o.seconds = 0.5;
        QVERIFY(!exportNeuronModel(d.value(), out, o));
        for (const char* f :
             {"model.json", "run.py", "README.txt", "neurorama_network.py", "neurorama_stream.py"})
            QVERIFY2(QFile::exists(QString::fromStdString(out + "/" + f)), f);
        const std::string readme = readAll(QString::fromStdString(out + "/README.txt"));
        QVERIFY(readme.find("mpirun -n 2 nrniv -mpi -python run.py") != std::string::npos);
        QVERIFY(readAll(QString::fromStdString(out + "/run.py")).find("\"tstop\": 500") != std::string::npos);
        auto back = readModelDescription(out + "/model.json");
        QVERIFY(back);
        QCOMPARE(back.value().synapseCount(), d.value().synapseCount());
        // A model NEURON's built-in mechanisms cannot run is refused with the reason.
        ModelDescription adex = d.value();
        adex.cellKinds[0].p.type = NeuronType::AdEx;
        auto e = exportNeuronModel(adex, out + "-adex", o);
        QVERIFY(e);
        QVERIFY(e->reason.find("is not LIF") != std::string::npos);
    }

    // The exported Brunel and attractor models run on 2 NEURON ranks; mean rates within 15 % of embedded.
    void exportRunsOnNeuron_data() {
        QTest::addColumn<QString>("model");
        QTest::addColumn<int>("neurons");
        QTest::addColumn<double>("seconds");
        QTest::newRow("brunel") << "brunel" << 500 << 0.5;
        QTest::newRow("attractor") << "attractor" << 400 << 1.0;
    }

    void exportRunsOnNeuron() {
        QFETCH(QString, model);
        QFETCH(int, neurons);
        QFETCH(double, seconds);
        const QString why = neuronUnavailable();
        if (!why.isEmpty()) QSKIP(qPrintable("mpirun cannot start NEURON here: " + why));
        const ModelRequest req = request(model.toStdString(), size_t(neurons));
        auto d = describeModel(req);
        QVERIFY(d);
        QTemporaryDir dir;
        const QString out = dir.filePath(model);
        QVERIFY(!exportNeuronModel(d.value(), out.toStdString()));
        auto net = buildNetwork(d.value());
        QVERIFY(net);
        const RunResult embedded = runEmbedded(net.value(), req.seed, seconds);
        QVERIFY(embedded.rateHz > 1);
        uint64_t spikes = 0;
        QSet<int> gids;
        const QString err =
            runExported(out, QStringLiteral("{\"tstop\": %1}").arg(seconds * 1e3), spikes, gids);
        if (err.contains(QLatin1String("mpirun did not start"))) QSKIP(qPrintable(err));
        QVERIFY2(err.isEmpty(), qPrintable(err));
        const double rate = double(spikes) / (double(neurons) * seconds);
        qInfo("%s: embedded %.2f Hz, NEURON %.2f Hz (%d cells fired)", qPrintable(model), embedded.rateHz,
              rate, int(gids.size()));
        QVERIFY(gids.size() >= neurons / 10); // the attractor's quiet cells fire rarely; brunel's all fire
        QVERIFY2(std::fabs(rate - embedded.rateHz) <= 0.15 * embedded.rateHz,
                 qPrintable(QStringLiteral("embedded %1 Hz, NEURON %2 Hz").arg(embedded.rateHz).arg(rate)));
    }
};

QTEST_GUILESS_MAIN(TestModelDescription)
#include "test_model_description.moc"
