// A fisbe_eval result from the Plugins tab colours the ground truth it scored in the neuron view: each GT
// instance matched at clDice > 0.5 in a colour of its own with its partner named, the missed ones red.
#include <QtTest>

#include "AnalysisDock.h"
#include "AppTestSupport.h"
#include "MainWindow.h"
#include "PluginPanel.h"
#include "WidgetShot.h"
#include "formats/Open.h"
#include "morph/LabelVolume.h"
#include "plugin/PluginRegistry.h"
#include "vtk/NeuronView.h"

class TestFisbeView : public QObject {
    Q_OBJECT
private slots:
    void matchesAreColouredOnTheGroundTruth() {
        const QString dir = apptest::kData + QStringLiteral("/labels/fisbe/");
        const std::string gt = (dir + QStringLiteral("R14A02-20180905_65_A6.zarr")).toStdString();
        const std::string pred = (dir + QStringLiteral("R14A02-20180905_65_A6_pred.hdf")).toStdString();
        QVERIFY2(QFileInfo::exists(QString::fromStdString(gt)),
                 (gt + " is missing: the shared data must be present").c_str());
        MainWindow w;
        w.resize(1280, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QCOMPARE(w.openFilesBlocking({QString::fromStdString(gt)}), QString());
        auto* view = w.findChild<NeuronView*>();
        QVERIFY(view);
        QVERIFY(view->waitForMeshes(120000));
        QCOMPARE(view->labelVolume()->instances.size(), size_t(7));

        // The run the Plugins tab makes, on the volume on show.
        nr::PluginRegistry reg;
        reg.load();
        const nr::AnalysisPlugin* p = reg.find("fisbe_eval");
        QVERIFY(p);
        nr::Inputs in;
        in.volume = view->labelVolume();
        in.source = gt;
        nr::Progress progress;
        auto r = nr::PluginRegistry::run(
            *p, in, {{"pred", pred}, {"pred_array", "volumes/gmm_label_cleaned"}}, progress);
        QVERIFY2(r, r ? "" : r.error().str().c_str());
        emit w.analysisDock()->pluginPanel()->finished(r.value());

        // GT 2, 4 and 6 are matched (published result: three true positives), 1, 3, 5 and 7 missed.
        const auto& notes = view->instanceNotes();
        QCOMPARE(notes.size(), size_t(7));
        const nr::palette::Rgb red{220, 30, 30};
        auto same = [](nr::palette::Rgb a, nr::palette::Rgb b) {
            return a.r == b.r && a.g == b.g && a.b == b.b;
        };
        for (size_t i : {0, 2, 4, 6}) {
            QCOMPARE(notes[i], std::string("missed"));
            QVERIFY(same(view->instanceColor(i), red));
        }
        for (size_t i : {1, 3, 5}) {
            QVERIFY2(notes[i].rfind("= pred ", 0) == 0, notes[i].c_str());
            QVERIFY(!same(view->instanceColor(i), red));
        }
        QVERIFY(!same(view->instanceColor(1), view->instanceColor(3)));
        QVERIFY(!same(view->instanceColor(3), view->instanceColor(5)));
        QCOMPARE(notes[1], std::string("= pred 2, clDice 0.96"));
        QCOMPARE(notes[3], std::string("= pred 10, clDice 0.78"));
        QCOMPARE(notes[5], std::string("= pred 3, clDice 0.99"));
        nrtest::shot(&w, QStringLiteral("fisbe_view"));
    }
};

QTEST_MAIN(TestFisbeView)
#include "test_fisbe_view.moc"
