// A NEURON model run with no network open that sends its cells' positions (the example E/I network does) gets
// a layout layer of its own in the 3-D view, lit by the spikes as they arrive (skipped where mpirun cannot
// start NEURON).
#include <QtTest>

#include "MainWindow.h"
#include "SimulationDock.h"
#include "model/Document.h"
#include "sim/NeuronRun.h"
#include "sim/NeuronStream.h"

class TestNeuronLayout : public QObject {
    Q_OBJECT
private slots:
    void positionsBecomeALayoutLayer() {
        if (auto e = nr::checkNeuronTools()) QSKIP(e->str().c_str());
        MainWindow w;
        w.resize(1300, 850);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(w.graph() == nullptr);
        SimulationDock* sim = w.simulationDock();
        SimulationDock::NeuronSpec spec;
        spec.ranks = 2;
        QString err;
        spec.params = sim->neuronParams(false, 343, 0.4, &err);
        QVERIFY2(!spec.params.isEmpty(), qPrintable(err));
        QVERIFY(sim->startNeuron(spec));
        QTRY_VERIFY_WITH_TIMEOUT(sim->neuronFinished(), 120000);
        QTest::qWait(200);
        auto g = sim->modelGraph();
        if (const auto* st = sim->neuronStream())
            qInfo("cells %u, positions %zu", st->cells(), st->positions().size());
        QVERIFY(g);
        QCOMPARE(g->nodeCount(), size_t(343));
        QVERIFY(g->hasPositions());
        const std::vector<float> b = g->bounds();
        QVERIFY(b[3] > b[0] && b[4] > b[1] && b[5] > b[2]); // a 7 x 7 x 7 grid, 20 um apart
        int layouts = 0;
        for (const auto& l : w.document().layers())
            if (l->kind == nr::LayerKind::Graph && l->graph == g) ++layouts;
        QCOMPARE(layouts, 1);
        QVERIFY(w.graph() == g); // the view shows it
        QVERIFY(sim->activityShown());
        const QString shot = qEnvironmentVariable("NR_SHOT_DIR");
        if (!shot.isEmpty()) w.grab().save(shot + QStringLiteral("/neuron_layout.png"));
    }
};

QTEST_MAIN(TestNeuronLayout)
#include "test_neuron_layout.moc"
