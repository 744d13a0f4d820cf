// File > Export Model for NEURON: the model in the Simulation dock, with the parameter values set in the
// window and its seed, written as model.json (the same description the simulator builds from), run.py and
// README.txt.
#include <QAction>
#include <QMenuBar>
#include <QTemporaryDir>
#include <QtTest>

#include "AppTestSupport.h"
#include "MainWindow.h"
#include "SimulationDock.h"
#include "sim/Models.h"
#include "sim/NeuronRun.h"

class TestExportModel : public QObject {
    Q_OBJECT
private slots:
    void menuHasTheAction() {
        MainWindow w;
        bool found = false;
        for (QAction* a : w.menuBar()->findChildren<QAction*>())
            found = found ||
                    a->text().remove(QLatin1Char('&')).startsWith(QLatin1String("Export Model for NEURON"));
        QVERIFY(found);
    }

    void exportsTheDockModelWithItsParameters() {
        MainWindow w;
        w.resize(1200, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        SimulationDock* sim = w.simulationDock();
        sim->setSeed(5);
        QVERIFY(sim->startModel(QStringLiteral("attractor"), nullptr, false));
        QVERIFY(!sim->runner()->setParameter("coupling", 6));
        QTest::qWait(100);
        QTemporaryDir tmp;
        const QString dir = tmp.filePath(QStringLiteral("attractor-neuron"));
        QString summary;
        QVERIFY2(sim->exportModelForNeuron(dir, 0.5, &summary), qPrintable(summary));
        QVERIFY(summary.contains(QLatin1String("mpirun -n 2 nrniv -mpi -python run.py")));
        for (const char* f :
             {"model.json", "run.py", "README.txt", "neurorama_network.py", "neurorama_stream.py"})
            QVERIFY2(QFile::exists(dir + QLatin1Char('/') + QLatin1String(f)), f);
        auto d = nr::readModelDescription((dir + QStringLiteral("/model.json")).toStdString());
        QVERIFY2(d, d ? "" : d.error().str().c_str());
        QCOMPARE(d.value().model, std::string("attractor"));
        QCOMPARE(d.value().seed, uint64_t(5));
        double coupling = -1;
        for (const auto& p : d.value().parameters)
            if (p.name == "coupling") coupling = p.value;
        QCOMPARE(coupling, 6.0);
        // The same description the command line writes for these parameters and seed.
        nr::ModelRequest req;
        req.model = "attractor";
        req.seed = 5;
        req.params = {{"coupling", 6}};
        auto ref = nr::describeModel(req);
        QVERIFY(ref);
        QCOMPARE(nr::modelDescriptionJson(d.value()), nr::modelDescriptionJson(ref.value()));
    }

    void exportsTheOpenNetwork() {
        MainWindow w;
        w.resize(1200, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.showDemo(true);
        SimulationDock* sim = w.simulationDock();
        QTRY_VERIFY_WITH_TIMEOUT(sim->modelGraph() != nullptr, 10000);
        QTemporaryDir tmp;
        QString summary;
        QVERIFY2(sim->exportModelForNeuron(tmp.filePath(QStringLiteral("demo")), 1.0, &summary),
                 qPrintable(summary));
        auto d = nr::readModelDescription(tmp.filePath(QStringLiteral("demo/model.json")).toStdString());
        QVERIFY2(d, d ? "" : d.error().str().c_str());
        QCOMPARE(size_t(d.value().cellCount()), sim->modelGraph()->nodeCount());
        QVERIFY(d.value().synapseCount() > 0);
    }
};

QTEST_MAIN(TestExportModel)
#include "test_export_model.moc"
