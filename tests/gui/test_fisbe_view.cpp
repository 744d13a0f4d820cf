// A fisbe_eval result from the Plugins tab colours the ground truth it scored in the neuron view: each GT
// instance matched at clDice > 0.5 in a colour of its own with its partner named, the missed ones red; the
// prediction is drawn beside it, each matched prediction in its partner's colour, the unmatched ones in the
// false-positive colour; the ground truth stays the open layer, and a session brings the comparison back.
#include <QtTest>
#include <fstream>

#include "AnalysisDock.h"
#include "AppTestSupport.h"
#include "FisbeView.h"
#include "MainWindow.h"
#include "PluginPanel.h"
#include "Session.h"
#include "WidgetShot.h"
#include "formats/Open.h"
#include "morph/LabelVolume.h"
#include "plugin/PluginRegistry.h"
#include "vtk/NeuronView.h"

#include <vtkActor.h>
#include <vtkProperty.h>

namespace {
bool same(nr::palette::Rgb a, nr::palette::Rgb b) {
    return a.r == b.r && a.g == b.g && a.b == b.b;
}
} // namespace

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
        w.resize(1024, 700);
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

        // The prediction beside the ground truth, read again and meshed in the background.
        QVERIFY(view->waitForMeshes(120000));
        QVERIFY2(view->comparisonProblem().empty(), view->comparisonProblem().c_str());
        const NeuronView::Comparison* cmp = view->comparison();
        QVERIFY(cmp && cmp->volume);
        QVERIFY(view->comparisonShown());
        QVERIFY(view->comparisonOffset() > 0);
        // Meshed: the prediction's voxels are let go, its instances kept.
        QVERIFY(cmp->volume->labelData.empty() && cmp->volume->instanceVoxels.empty());
        QCOMPARE(cmp->volume->nx, view->labelVolume()->nx);
        std::map<uint64_t, size_t> predIndex;
        for (size_t i = 0; i < cmp->volume->instances.size(); ++i)
            predIndex[cmp->volume->instances[i].label] = i;
        // Matched pairs: pred 2 = GT 2, pred 10 = GT 4, pred 3 = GT 6, in their partners' colours, drawn.
        const std::pair<uint64_t, size_t> pairs[] = {{2, 1}, {10, 3}, {3, 5}};
        for (auto [predLabel, gtIndex] : pairs) {
            QVERIFY(predIndex.count(predLabel));
            const size_t pi = predIndex[predLabel];
            QVERIFY(same(view->comparisonColor(pi), view->instanceColor(gtIndex)));
            QVERIFY(view->comparisonActor(pi) && view->comparisonActor(pi)->GetVisibility());
            double rgb[3];
            view->comparisonActor(pi)->GetProperty()->GetColor(rgb);
            const auto g = view->instanceColor(gtIndex);
            QVERIFY(std::abs(rgb[0] * 255 - g.r) < 1 && std::abs(rgb[1] * 255 - g.g) < 1 &&
                    std::abs(rgb[2] * 255 - g.b) < 1);
        }
        // Every other scored prediction is a false positive (published: 6 at 0.5), in that colour.
        size_t falsePositives = 0, scored = 0;
        const nr::TableResult& table = r.value().tables.front();
        for (size_t row = 0; row < table.columns[0].text.size(); ++row) {
            if (table.columns[0].text[row] != "pred") continue;
            ++scored;
            const uint64_t lab = uint64_t(table.columns[2].numbers[row]);
            QVERIFY(predIndex.count(lab));
            const bool matched = lab == 2 || lab == 10 || lab == 3;
            if (matched) continue;
            ++falsePositives;
            QVERIFY2(same(view->comparisonColor(predIndex[lab]), fisbeview::kFalsePositive),
                     std::to_string(lab).c_str());
            QVERIFY(cmp->notes[predIndex[lab]].rfind("false positive", 0) == 0);
        }
        QCOMPARE(scored, size_t(9));
        QCOMPARE(falsePositives, size_t(6));
        // Predictions under min_size are drawn grey and named; every colour of the view is in the key.
        for (size_t i = 0; i < cmp->volume->instances.size(); ++i) {
            bool inKey = false;
            for (const auto& e : cmp->legend) inKey = inKey || same(e.color, view->comparisonColor(i));
            QVERIFY2(inKey, std::to_string(cmp->volume->instances[i].label).c_str());
        }
        for (size_t i = 0; i < view->instanceCount(); ++i) {
            bool inKey = false;
            for (const auto& e : cmp->legend) inKey = inKey || same(e.color, view->instanceColor(i));
            QVERIFY(inKey);
        }
        QVERIFY(view->summaryLine().find("beside instances=") != std::string::npos);

        // The ground truth is still the open (and only) label volume.
        QCOMPARE(w.document().ofKind(nr::LayerKind::LabelVolume).size(), size_t(1));
        QCOMPARE(view->labelVolume()->file, w.document().ofKind(nr::LayerKind::LabelVolume)[0]->files[0]);
        QCOMPARE(view->labelVolume()->instances.size(), size_t(7));
        nrtest::shot(&w, QStringLiteral("fisbe_view"));
        // Beside the picture, its session (for drawing it again with `neurorama --screenshot SESSION`).
        if (const QByteArray dir = qgetenv("NR_SHOT_DIR"); !dir.isEmpty())
            QCOMPARE(saveSession(&w, QString::fromLocal8Bit(dir) + QStringLiteral("/fisbe_view.nrsession")),
                     QString());
    }

    // A session keeps the results with the ground truth and brings the prediction back beside it, hidden or
    // shown as it was (a small generated pair: three branches, two predicted exactly, one missed, one false
    // positive, one blob under min_size).
    void aSessionBringsTheComparisonBack() {
        QTemporaryDir tmp;
        const size_t N = 40;
        auto write = [&](const QString& name, const std::vector<uint8_t>& v) {
            const QString path = tmp.filePath(name);
            std::ofstream f(path.toStdString(), std::ios::binary);
            f << "NRRD0004\ntype: uint8\ndimension: 3\nsizes: " << N << " " << N << " " << N
              << "\nencoding: raw\n\n";
            f.write(reinterpret_cast<const char*>(v.data()), std::streamsize(v.size()));
            return path;
        };
        auto rod = [&](std::vector<uint8_t>& v, uint8_t label, size_t y, size_t z) {
            for (size_t x = 4; x < N - 4; ++x)
                for (size_t dy = 0; dy < 3; ++dy)
                    for (size_t dz = 0; dz < 3; ++dz) v[((z + dz) * N + y + dy) * N + x] = label;
        };
        std::vector<uint8_t> gtv(N * N * N, 0), predv(N * N * N, 0);
        rod(gtv, 1, 5, 5), rod(gtv, 2, 20, 5), rod(gtv, 3, 5, 25);
        rod(predv, 7, 5, 5), rod(predv, 8, 20, 5), rod(predv, 9, 30, 30);      // 9: on no GT instance
        for (size_t k = 0; k < 8; ++k) predv[(35 * N + 35) * N + 30 + k] = 12; // 8 voxels: removed
        const QString gt = write(QStringLiteral("gt.nrrd"), gtv),
                      pred = write(QStringLiteral("pred.nrrd"), predv);

        MainWindow w;
        w.resize(1024, 700);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QCOMPARE(w.openFilesBlocking({gt}), QString());
        auto* view = w.findChild<NeuronView*>();
        QVERIFY(view && view->waitForMeshes(60000));
        QCOMPARE(view->labelVolume()->instances.size(), size_t(3));
        nr::PluginRegistry reg;
        reg.load();
        nr::Inputs in;
        in.volume = view->labelVolume();
        in.source = gt.toStdString();
        nr::Progress progress;
        auto r = nr::PluginRegistry::run(*reg.find("fisbe_eval"), in,
                                         {{"pred", pred.toStdString()}, {"min_size", "50"}}, progress);
        QVERIFY2(r, r ? "" : r.error().str().c_str());
        emit w.analysisDock()->pluginPanel()->finished(r.value());
        QVERIFY(view->waitForMeshes(60000));
        auto check = [](NeuronView* v) {
            const NeuronView::Comparison* c = v->comparison();
            QVERIFY(c && c->volume);
            QCOMPARE(c->volume->instances.size(), size_t(4)); // labels 7, 8, 9, 12
            QCOMPARE(v->instanceNotes()[2], std::string("missed"));
            QVERIFY(same(v->instanceColor(2), fisbeview::kMissed));
            QVERIFY(same(v->comparisonColor(0), v->instanceColor(0)));
            QVERIFY(same(v->comparisonColor(1), v->instanceColor(1)));
            QVERIFY(!same(v->comparisonColor(0), v->comparisonColor(1)));
            QVERIFY(same(v->comparisonColor(2), fisbeview::kFalsePositive));
            QVERIFY(same(v->comparisonColor(3), fisbeview::kRemoved));
            QCOMPARE(c->notes[0], std::string("= GT 1, clDice 1.00"));
            QCOMPARE(c->notes[2], std::string("false positive"));
            QCOMPARE(c->legend.size(), size_t(5)); // missed, false positive, removed, two pairs
        };
        check(view);
        if (QTest::currentTestFailed()) return;
        // A click on a predicted rod picks it (and names it in the overlay), one on its partner the GT.
        QTest::qWait(100);
        for (int side = 0; side < 2; ++side) {
            vtkActor* a = side ? view->comparisonActor(1) : view->instanceActor(1);
            double b[6];
            a->GetBounds(b);
            const QPointF at = view->projectPoint((b[0] + b[1]) / 2, (b[2] + b[3]) / 2, (b[4] + b[5]) / 2);
            const NeuronView::Pick p = view->pick(at.toPoint());
            QCOMPARE(int(p.kind), int(side ? NeuronView::Pick::Beside : NeuronView::Pick::Instance));
            QCOMPARE(p.instance, 1L);
        }

        const QString s1 = tmp.filePath(QStringLiteral("shown.nrsession"));
        QCOMPARE(saveSession(&w, s1), QString());
        view->setComparisonShown(false);
        QVERIFY(!view->comparisonActor(0)->GetVisibility());
        const QString s2 = tmp.filePath(QStringLiteral("hidden.nrsession"));
        QCOMPARE(saveSession(&w, s2), QString());
        for (const QString& s : {s1, s2}) {
            MainWindow w2;
            w2.resize(1024, 700);
            w2.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w2));
            const SessionReport rep = loadSession(&w2, s, OutsidePaths::Allow);
            QCOMPARE(rep.error, QString());
            auto* v2 = w2.findChild<NeuronView*>();
            QVERIFY(v2 && v2->waitForMeshes(60000));
            QVERIFY2(v2->comparisonProblem().empty(), v2->comparisonProblem().c_str());
            check(v2);
            if (QTest::currentTestFailed()) return;
            const bool shown = s == s1;
            QCOMPARE(v2->comparisonShown(), shown);
            QCOMPARE(bool(v2->comparisonActor(0)->GetVisibility()), shown);
            QCOMPARE(w2.document().ofKind(nr::LayerKind::LabelVolume).size(), size_t(1));
        }
        // The prediction gone: the ground truth still shows with its verdicts, and the view says why the
        // prediction is not beside it (no wait, no crash).
        QVERIFY(QFile::remove(pred));
        MainWindow w3;
        w3.resize(1024, 700);
        w3.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w3));
        QCOMPARE(loadSession(&w3, s1, OutsidePaths::Allow).error, QString());
        auto* v3 = w3.findChild<NeuronView*>();
        QVERIFY(v3 && v3->waitForMeshes(60000));
        QVERIFY(!v3->comparison());
        QVERIFY2(v3->comparisonProblem().find("pred.nrrd") != std::string::npos,
                 v3->comparisonProblem().c_str());
        QCOMPARE(v3->instanceNotes()[2], std::string("missed"));
        QVERIFY(same(v3->instanceColor(2), fisbeview::kMissed));
    }
};

QTEST_MAIN(TestFisbeView)
#include "test_fisbe_view.moc"
