// The window with runs on NEURON: an attached run fills the raster like an embedded one and is a layer of the
// document; starting an embedded model closes it; a session records how the run was started (never the token
// or the live connection); a real 2-rank run started from the window ends with every rank and can be followed
// by an embedded run (skipped with the reason where mpirun cannot start NEURON).
#include <QTemporaryDir>
#include <QtTest>

#include <arpa/inet.h>
#include <fstream>
#include <netinet/in.h>
#include <sstream>
#include <sys/socket.h>
#include <unistd.h>

#include "AppTestSupport.h"
#include "MainWindow.h"
#include "Session.h"
#include "SimulationDock.h"
#include "StreamFrames.h"
#include "model/SpikeStore.h"
#include "plots/RasterPlot.h"
#include "sim/NeuronRun.h"
#include "sim/NeuronStream.h"

namespace {

using streamframes::connectTo;

std::string helloFrame(uint32_t ncells, const std::string& token) {
    return streamframes::hello(0, 1, 99, token, ncells);
}
// `count` spikes spread evenly over [t0, t1) on gids 0..49.
std::string spikeFrame(uint64_t seq, double t0, double t1, int count) {
    std::vector<nr::StreamSpike> s;
    for (int i = 0; i < count; ++i) s.push_back({uint32_t(i % 50), t0 + (t1 - t0) * (i + 0.5) / count});
    return streamframes::spikes(0, seq, t0, t1, s);
}

} // namespace

class TestNeuronWindow : public QObject {
    Q_OBJECT
private slots:
    void attachedRunIsALayerAndGivesWayToEmbedded() {
        MainWindow w;
        w.resize(1300, 850);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        SimulationDock* sim = w.simulationDock();
        QVERIFY(sim->startModel(QStringLiteral("coba"), nullptr, true)); // a run on show
        QTest::qWait(200);
        SimulationDock::NeuronSpec spec;
        spec.port = 0;
        QVERIFY(sim->attachNeuron(spec));
        QCOMPARE(sim->engine(), QStringLiteral("attached"));
        const uint16_t port = sim->neuronStream()->port();
        QVERIFY(port > 0);
        const nr::Layer* layer = w.document().current(nr::LayerKind::Simulation);
        QVERIFY(layer);
        QVERIFY(layer->spikes == sim->store());
        const int fd = connectTo(port);
        QVERIFY(fd >= 0);
        const std::string bytes =
            helloFrame(50, "") + spikeFrame(1, 0, 100, 200) + spikeFrame(2, 100, 200, 300);
        QCOMPARE(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL), ssize_t(bytes.size()));
        QTRY_COMPARE_WITH_TIMEOUT(sim->store()->size(), size_t(500), 5000);
        QCOMPARE(sim->store()->unitCount(), 50u);
        QVERIFY(sim->store()->ordered());
        QVERIFY(std::abs(sim->neuronCompleteSeconds() - 0.2) < 1e-9);
        // Saved: how it was started, not the connection.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("attached.json"));
        QCOMPARE(saveSession(&w, path), QString());
        std::ifstream in(path.toStdString());
        std::stringstream ss;
        ss << in.rdbuf();
        const std::string json = ss.str();
        QVERIFY2(json.find("\"engine\": \"attached\"") != std::string::npos ||
                     json.find("\"engine\":\"attached\"") != std::string::npos,
                 json.c_str());
        QVERIFY(json.find(std::to_string(port)) != std::string::npos);
        QVERIFY(json.find("token") == std::string::npos);
        // An embedded model replaces it: the port closes, the raster shows the new run.
        QVERIFY(sim->startModel(QStringLiteral("coba"), nullptr, true));
        QCOMPARE(sim->engine(), QStringLiteral("embedded"));
        QVERIFY(sim->neuronStream() == nullptr);
        QCOMPARE(connectTo(port), -1);
        QTRY_VERIFY_WITH_TIMEOUT(sim->store()->size() > 0, 10000);
        ::close(fd);
    }

    void realRunFromTheWindow() {
        if (auto e = nr::checkNeuronTools()) QSKIP(("mpirun cannot start NEURON here: " + e->str()).c_str());
        MainWindow w;
        w.resize(1300, 850);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        SimulationDock* sim = w.simulationDock();
        SimulationDock::NeuronSpec spec;
        spec.ranks = 2;
        spec.params = QStringLiteral("{\"mode\": \"ei\", \"cells\": 500, \"tstop\": 300}");
        QVERIFY(sim->startNeuron(spec));
        QCOMPARE(sim->engine(), QStringLiteral("neuron"));
        QTRY_VERIFY_WITH_TIMEOUT(sim->neuronFinished(), 120000);
        const nr::NeuronStreamServer* s = sim->neuronStream();
        QVERIFY(s);
        if (!s->allEnded()) QSKIP("mpirun ran but the ranks did not stream (NEURON cannot start here)");
        QCOMPARE(sim->store()->size(), size_t(s->spikes()));
        QVERIFY(sim->store()->size() > 100);
        QVERIFY(sim->store()->ordered());
        QCOMPARE(sim->store()->unitCount(), 500u);
        // Stop, then an embedded run.
        sim->stop();
        QCOMPARE(sim->engine(), QStringLiteral("embedded"));
        QVERIFY(sim->startModel(QStringLiteral("brunel"), nullptr, true));
        QTRY_VERIFY_WITH_TIMEOUT(sim->store()->size() > 0, 10000);
        // Stop in the middle of a long run ends every rank.
        spec.params = QStringLiteral("{\"mode\": \"ei\", \"cells\": 500, \"tstop\": 1000000}");
        QVERIFY(sim->startNeuron(spec));
        QTRY_VERIFY_WITH_TIMEOUT(sim->neuronCompleteSeconds() > 0.05, 60000);
        sim->pause();
        QVERIFY(!sim->running());
        sim->play();
        QVERIFY(sim->running());
        sim->stop();
        QVERIFY(!sim->running());
        QCOMPARE(sim->engine(), QStringLiteral("embedded"));
    }

    // A run of the open network paints its nodes as an embedded run does; the network file written for the
    // run exists while it runs and is removed when it ends (and when it is stopped).
    void runOfTheOpenNetworkPaintsItAndRemovesItsFile() {
        if (auto e = nr::checkNeuronTools()) QSKIP(("mpirun cannot start NEURON here: " + e->str()).c_str());
        MainWindow w;
        w.resize(1300, 850);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QCOMPARE(w.openFilesBlocking({apptest::herm(), apptest::somas()}), QString());
        SimulationDock* sim = w.simulationDock();
        QString err;
        SimulationDock::NeuronSpec spec;
        spec.ranks = 1;
        spec.params = sim->neuronParams(true, 0, 0.4, &err);
        QVERIFY2(!spec.params.isEmpty(), qPrintable(err));
        QVERIFY(sim->startNeuron(spec));
        const QString file = sim->neuronNetworkFile();
        QVERIFY(!file.isEmpty());
        QVERIFY(QFileInfo::exists(file));
        QCOMPARE(sim->store()->unitCount(), uint32_t(w.graph()->nodeCount()));
        QTRY_VERIFY_WITH_TIMEOUT(sim->activityShown() || sim->neuronFinished(), 120000);
        QTRY_VERIFY_WITH_TIMEOUT(sim->neuronFinished(), 120000);
        if (!sim->neuronStream()->allEnded()) QSKIP("mpirun ran but the ranks did not stream");
        QVERIFY(sim->store()->size() > 0);
        QVERIFY(sim->activityShown());
        QVERIFY(!QFileInfo::exists(file));
        QVERIFY(sim->neuronNetworkFile().isEmpty());
        // Stopped in the middle: the file goes too.
        spec.params = sim->neuronParams(true, 0, 1000, &err);
        QVERIFY(sim->startNeuron(spec));
        const QString file2 = sim->neuronNetworkFile();
        QVERIFY(file2 != file && QFileInfo::exists(file2));
        sim->stop();
        QVERIFY(!QFileInfo::exists(file2));
        QCOMPARE(sim->engine(), QStringLiteral("embedded"));
        QVERIFY(!sim->activityShown());
    }

    // Attaching while a NEURON run is shown ends that run (every rank) and listens instead.
    void attachWhileANeuronRunIsShown() {
        if (auto e = nr::checkNeuronTools()) QSKIP(("mpirun cannot start NEURON here: " + e->str()).c_str());
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        SimulationDock* sim = w.simulationDock();
        SimulationDock::NeuronSpec spec;
        spec.ranks = 2;
        spec.params = QStringLiteral("{\"mode\": \"ei\", \"cells\": 500, \"tstop\": 1000000}");
        QVERIFY(sim->startNeuron(spec));
        QTRY_VERIFY_WITH_TIMEOUT(sim->neuronCompleteSeconds() > 0.02, 60000);
        const auto before = sim->store();
        SimulationDock::NeuronSpec a;
        a.port = 0;
        QVERIFY(sim->attachNeuron(a));
        QCOMPARE(sim->engine(), QStringLiteral("attached"));
        QVERIFY(sim->store() != before);
        QCOMPARE(sim->store()->size(), size_t(0));
        const uint16_t port = sim->neuronStream()->port();
        const int fd = connectTo(port);
        QVERIFY(fd >= 0);
        ::close(fd);
        sim->stop();
        QCOMPARE(sim->engine(), QStringLiteral("embedded"));
        QCOMPARE(connectTo(port), -1);
    }
};

QTEST_MAIN(TestNeuronWindow)
#include "test_neuron_window.moc"
