// The Vessels dock on the real VesselGraph sample, driven through its widgets as a user would: colour by an
// edge column (the layer's display follows, and the Layers dock's choice drives it back), a radius
// threshold, a slab moved with its slider, a box, "Show all vessels", undo and redo of each; the counts and
// the histograms of what is visible are checked against counts made by hand from the graph.
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QFile>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QSlider>
#include <QTabBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QtTest>
#include <cmath>

#include "AnalysisDock.h"
#include "AppTestSupport.h"
#include "LayersDock.h"
#include "MainWindow.h"
#include "VesselPanel.h"
#include "WidgetShot.h"
#include "vessel/VesselFormats.h"
#include "vessel/VesselGraph.h"
#include "vtk/ConnectomeView.h"
#include "vtk/VesselView.h"
#include <vtkScalarBarActor.h>
#include <vtkScalarsToColors.h>

namespace {

using nrtest::shot;

const QString kNodes = apptest::kData + QStringLiteral("/vessel/example_nodes.csv");

template <class T> T* child(QWidget* w, const char* name) {
    T* c = w->findChild<T*>(QString::fromLatin1(name));
    if (!c) qWarning("no widget %s", name);
    return c;
}

size_t histogramTotal(const nr::Histogram& h) {
    size_t n = 0;
    for (size_t c : h.counts) n += c;
    return n;
}

} // namespace

class TestVesselPanel : public QObject {
    Q_OBJECT
private slots:
    void filtersColourUndo() {
        MainWindow w;
        w.resize(1280, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QCOMPARE(w.openFilesBlocking({kNodes}), QString());
        VesselPanel* panel = w.vesselPanel();
        VesselView* view = w.vesselView();
        QVERIFY(panel && view);
        QVERIFY(w.vesselDock()->isVisible());
        QVERIFY(panel->isEnabled());
        const auto g = view->graph();
        QVERIFY(g);
        const size_t E = g->edgeCount();
        QCOMPARE(E, size_t(3062));
        QCOMPARE(view->visibleEdgeCount(), E);
        QVERIFY2(panel->countsText().startsWith("3,062 of 3,062 vessels visible"),
                 qPrintable(panel->countsText()));
        QCOMPARE(histogramTotal(panel->radiusHistogram()), E);
        QCOMPARE(histogramTotal(panel->lengthHistogram()), E);

        // Colour by every column the graph has.
        auto* color = child<QComboBox>(panel, "vesselColorBy");
        QVERIFY(color);
        QCOMPARE(size_t(color->count()), g->colorColumns().size());
        QCOMPARE(color->currentText(), QStringLiteral("radius"));
        color->setCurrentText(QStringLiteral("length"));
        QCOMPARE(QString::fromStdString(view->colorBy()), QStringLiteral("length"));
        const nr::Layer* layer = w.document().current(nr::LayerKind::Vessels);
        QVERIFY(layer);
        QCOMPARE(layer->display.colorBy, std::string("length")); // the Layers dock shows it
        w.undoStack()->undo();
        QCOMPARE(QString::fromStdString(view->colorBy()), QStringLiteral("radius"));
        QCOMPARE(color->currentText(), QStringLiteral("radius"));
        // The Layers dock's choice drives the vessels too.
        w.document().select(layer->id);
        auto* layersColor = w.layersDock()->findChild<QComboBox*>();
        QVERIFY(layersColor);
        QVERIFY(layersColor->findText(QStringLiteral("curveness")) >= 0);
        // Opacity and point size mean nothing for vessels: disabled; Edge size is the tube size.
        auto* opacity = w.layersDock()->findChild<QSlider*>();
        QVERIFY(opacity && !opacity->isEnabled());
        const auto spins = w.layersDock()->findChildren<QDoubleSpinBox*>();
        QCOMPARE(spins.size(), 2);
        QVERIFY(!spins[0]->isEnabled() && spins[1]->isEnabled());
        spins[1]->setValue(2.0);
        QCOMPARE(panel->tubeSize(), 2.0);
        layersColor->setCurrentText(QStringLiteral("curveness"));
        QCOMPARE(QString::fromStdString(view->colorBy()), QStringLiteral("curveness"));
        QCOMPARE(color->currentText(), QStringLiteral("curveness"));

        // Radius threshold through the spin box: exactly the vessels at least that thick stay.
        const std::vector<float> radius = g->edgeRadii();
        auto* minR = child<QDoubleSpinBox>(panel, "vesselMinRadius");
        QVERIFY(minR);
        minR->setValue(3.0);
        size_t thick = 0;
        for (float r : radius) thick += r >= 3.f;
        QVERIFY(thick > 50 && thick < E / 2);
        QCOMPARE(view->visibleEdgeCount(), thick);
        QCOMPARE(histogramTotal(panel->radiusHistogram()), thick);
        QCOMPARE(histogramTotal(panel->lengthHistogram()), thick);
        // The bins lie over the range of all vessels: those wholly under 3 are empty now.
        const nr::Histogram& rh = panel->radiusHistogram();
        const double bw = (rh.hi - rh.lo) / double(rh.counts.size());
        for (size_t b = 0; b < rh.counts.size(); ++b)
            if (rh.lo + double(b + 1) * bw < 3.0) QCOMPARE(rh.counts[b], size_t(0));

        // A slab along z moved with the slider: what is visible is the thick vessels whose middle lies in it.
        auto* mode = child<QComboBox>(panel, "vesselClipMode");
        auto* slider = child<QSlider>(panel, "vesselSlabPosition");
        QVERIFY(mode && slider);
        mode->setCurrentIndex(2);
        QApplication::processEvents();
        auto expected = [&](const VesselFilter& f) {
            float box[6];
            f.clipBox(box);
            size_t n = 0;
            for (size_t e = 0; e < E; ++e) {
                if (!(radius[e] >= f.minRadius && radius[e] <= f.maxRadius)) continue;
                const uint32_t a = g->src[e], b = g->dst[e];
                const float m[3] = {0.5f * (g->x[a] + g->x[b]), 0.5f * (g->y[a] + g->y[b]),
                                    0.5f * (g->z[a] + g->z[b])};
                bool in = true;
                for (int k = 0; k < 3; ++k) in = in && m[k] >= box[2 * k] && m[k] <= box[2 * k + 1];
                n += in;
            }
            return n;
        };
        VesselFilter slab = panel->currentFilter();
        QCOMPARE(int(slab.clip), int(VesselFilter::Clip::Slab));
        QCOMPARE(slab.slabAxis, 2);
        QVERIFY(slab.slabHi > slab.slabLo);
        QCOMPARE(view->visibleEdgeCount(), expected(slab));
        const int undoBefore = w.undoStack()->index();
        for (int v : {520, 560, 600, 700}) {
            slider->setValue(v);
            QApplication::processEvents(); // the slider's steps apply once per pass of the event loop
        }
        const VesselFilter moved = panel->currentFilter();
        QVERIFY(moved.slabLo > slab.slabLo);
        QCOMPARE(view->visibleEdgeCount(), expected(moved));
        QCOMPARE(w.undoStack()->index(), undoBefore + 1); // the four moves are one undo step
        shot(&w, "vessels-slab");
        // R (View > Reset Camera) frames what the Vessels tab shows, not the network behind it.
        {
            const auto before = view->camera();
            const auto network = w.connectomeView()->camera();
            QAction* reset = nullptr;
            for (QAction* a : w.findChildren<QAction*>())
                if (a->shortcut() == QKeySequence(Qt::Key_R)) reset = a;
            QVERIFY(reset);
            reset->trigger();
            const auto after = view->camera();
            double moved = 0;
            for (int k = 0; k < 3; ++k) moved += std::fabs(after.pos[k] - before.pos[k]);
            QVERIFY(moved > 1e-3);
            for (int k = 0; k < 3; ++k) QCOMPARE(w.connectomeView()->camera().pos[k], network.pos[k]);
            // The visible vessels' middles project inside the view.
            const std::vector<uint32_t>& vis = view->visibleEdges();
            for (size_t i = 0; i < vis.size(); i += std::max<size_t>(1, vis.size() / 50)) {
                const uint32_t a = g->src[vis[i]], b = g->dst[vis[i]];
                const double m[3] = {0.5 * (g->x[a] + g->x[b]), 0.5 * (g->y[a] + g->y[b]),
                                     0.5 * (g->z[a] + g->z[b])};
                QVERIFY(QRectF(0, 0, view->width(), view->height()).contains(view->project(m)));
            }
        }
        // The right column follows the tab on top: Analysis with the network, the dock with the vessels.
        auto rightTab = [&w] {
            for (QTabBar* bar : w.findChildren<QTabBar*>())
                for (int i = 0; i < bar->count(); ++i)
                    if (bar->tabText(i) == QStringLiteral("Vessels") && bar != w.centralTabs()->tabBar())
                        return bar->tabText(bar->currentIndex());
            return QString();
        };
        // (Narrow windows start with Analysis closed; opened, it shares the right column with the dock.)
        w.analysisDock()->show();
        w.vesselDock()->raise();
        QApplication::processEvents();
        QCOMPARE(rightTab(), QStringLiteral("Vessels"));
        w.centralTabs()->setCurrentWidget(w.connectomeView());
        QApplication::processEvents();
        QCOMPARE(rightTab(), QStringLiteral("Analysis"));
        w.centralTabs()->setCurrentWidget(view);
        QApplication::processEvents();
        QCOMPARE(rightTab(), QStringLiteral("Vessels"));
        // The dock is in the View menu.
        bool listed = false;
        for (QAction* a : w.menuBar()->actions())
            if (a->menu())
                for (QAction* b : a->menu()->actions())
                    listed = listed || b == w.vesselDock()->toggleViewAction();
        QVERIFY(listed);

        // A box: exact counts again.
        mode->setCurrentIndex(1);
        QApplication::processEvents();
        VesselFilter box = panel->currentFilter();
        QCOMPARE(int(box.clip), int(VesselFilter::Clip::Box));
        QCOMPARE(view->visibleEdgeCount(), expected(box)); // the box starts around everything
        box.box[0] = 0.5f * (g->bounds[0] + g->bounds[1]);
        box.box[5] = 0.5f * (g->bounds[4] + g->bounds[5]);
        panel->applyFilter(box);
        QCOMPARE(view->visibleEdgeCount(), expected(box));
        QVERIFY(view->visibleEdgeCount() < thick);

        // A click on a visible vessel lists every attribute in the dock; the overlay only names it. (R framed
        // the thin slab above: frame the box's vessels so the one clicked is on screen.)
        view->resetCamera();
        QTRY_VERIFY(view->frameIsCurrent());
        {
            const uint32_t e = view->visibleEdges().front();
            const double m[3] = {0.5 * (g->x[g->src[e]] + g->x[g->dst[e]]),
                                 0.5 * (g->y[g->src[e]] + g->y[g->dst[e]]),
                                 0.5 * (g->z[g->src[e]] + g->z[g->dst[e]])};
            QTest::mouseClick(view, Qt::LeftButton, Qt::NoModifier, view->project(m).toPoint());
            const long picked = view->pickedEdge();
            QVERIFY(picked >= 0);
            const auto want = view->edgeAttributes(size_t(picked));
            const auto rows = panel->pickedRows();
            QCOMPARE(rows.size(), want.size());
            QVERIFY(rows.size() > 20); // positions, node ids and every column of the sample
            for (size_t i = 0; i < rows.size(); ++i) {
                QCOMPARE(rows[i].first, QString::fromStdString(want[i].first));
                QCOMPARE(rows[i].second.toDouble(), QString::number(want[i].second, 'g', 6).toDouble());
            }
            view->update();
            QTRY_VERIFY(view->frameIsCurrent());
            const QRectF o = view->overlayRect();
            QVERIFY2(o.height() > 0 && o.height() < 60, qPrintable(QString::number(o.height()))); // two lines
            shot(&w, "vessels-picked");
            // Picking leaves the colour bar's range alone (the column's range over all vessels).
            view->grabFramebuffer(); // a frame with the picked vessel in it
            const auto [clo, chi] = view->columnRange(view->colorBy());
            const double* range = view->scalarBar()->GetLookupTable()->GetRange();
            QCOMPARE(range[0], clo);
            QCOMPARE(range[1], chi);
            view->setPickedEdge(-1);
            emit view->edgePicked(-1);
            QVERIFY(panel->pickedRows().empty());
        }
        // Show all, then undo walks back: the box, then the slab.
        panel->findChild<QPushButton*>()->click();
        QCOMPARE(view->visibleEdgeCount(), E);
        QVERIFY(panel->countsText().startsWith("3,062 of 3,062"));
        w.undoStack()->undo();
        QCOMPARE(view->visibleEdgeCount(), expected(box));
        QCOMPARE(mode->currentIndex(), 1);
        w.undoStack()->undo(); // the box as it started
        w.undoStack()->undo(); // the slab, where it was moved to
        QCOMPARE(mode->currentIndex(), 2);
        QCOMPARE(view->visibleEdgeCount(), expected(moved));
        w.undoStack()->redo();
        w.undoStack()->redo();
        QCOMPARE(view->visibleEdgeCount(), expected(box));

        // Small window: the dock still fits (it scrolls).
        w.resize(1024, 700);
        QApplication::processEvents();
        shot(&w, "vessels-small");

        // Closing the layer empties the panel and hides the dock.
        w.document().remove(layer->id);
        QApplication::processEvents();
        QVERIFY(!w.vesselDock()->isVisible());
        QVERIFY(!panel->isEnabled());
    }

    void secondGraphStartsClean() {
        // A threshold on the sample, then a network.dat opened beside it: the dock shows the new graph whole,
        // with its own columns; undoing the sample's threshold now drops out instead of filtering the new
        // one.
        MainWindow w;
        w.resize(1024, 700);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QCOMPARE(w.openFilesBlocking({kNodes}), QString());
        VesselPanel* panel = w.vesselPanel();
        VesselFilter f = panel->currentFilter();
        f.minRadius = 3.f;
        panel->applyFilter(f);
        QVERIFY(w.vesselView()->visibleEdgeCount() < 3062);
        QTemporaryDir dir;
        const QString dat = dir.filePath("network.dat");
        {
            QFile out(dat);
            QVERIFY(out.open(QIODevice::WriteOnly));
            out.write("Two vessels\n100 100 100 box dimensions in microns\n10 10 10 tissue points\n"
                      "20 outer bound distance\n5.0 max. segment length\n30 max segments per node\n"
                      "2 total number of segments\nname type from to diam flow hd\n"
                      "1 5 10 20 8.0 1.5 0.45\n2 4 20 30 1.0 -0.5 0.40\n3 number of nodes\nname x y z\n"
                      "10 0 0 0\n20 30 40 0\n30 30 40 50\n2 number of boundary nodes\n"
                      "name bctyp presflo HD PO2\n10 0 80.0 0.45 100\n30 0 20.0 0.45 50\n");
        }
        QCOMPARE(w.openFilesBlocking({dat}), QString());
        QCOMPARE(w.vesselView()->graph()->edgeCount(), size_t(2));
        QCOMPARE(w.vesselView()->visibleEdgeCount(), size_t(2));
        QVERIFY(!std::isfinite(panel->currentFilter().minRadius));
        auto* color = child<QComboBox>(panel, "vesselColorBy");
        QVERIFY(color->findText(QStringLiteral("flow")) >= 0);
        QVERIFY(color->findText(QStringLiteral("curveness")) < 0);
        shot(&w, "vessels-network-dat");
        while (w.undoStack()->canUndo()) w.undoStack()->undo();
        QCOMPARE(w.vesselView()->visibleEdgeCount(), size_t(2));
        QCOMPARE(w.vesselView()->graph()->edgeCount(), size_t(2));
        // Closing it shows the sample again, whole.
        w.document().remove(w.document().current(nr::LayerKind::Vessels)->id);
        QApplication::processEvents();
        QCOMPARE(w.vesselView()->graph()->edgeCount(), size_t(3062));
        QCOMPARE(w.vesselView()->visibleEdgeCount(), size_t(3062));
        QVERIFY(panel->isEnabled());
    }

    void commandLineFilters() {
        // What the dock does, a command does: the same counts as computed by hand from the graph.
        auto parsed = nr::readVesselCsvPair(
            kNodes.toStdString(),
            (apptest::kData + QStringLiteral("/vessel/example_edges.csv")).toStdString());
        QVERIFY(parsed.ok());
        const nr::VesselGraph& g = parsed.value();
        const std::vector<float> r = g.edgeRadii();
        size_t want = 0;
        for (size_t e = 0; e < g.edgeCount(); ++e) {
            const float mz = 0.5f * (g.z[g.src[e]] + g.z[g.dst[e]]);
            want += r[e] >= 2.5f && r[e] <= 5.f && mz >= 100.f && mz <= 300.f;
        }
        QVERIFY(want > 10);
        QTemporaryDir dir;
        const QString out = dir.filePath("v.png");
        apptest::Run run = apptest::runApp({"export", kNodes, "--out", out, "--size", "800x600", "--color-by",
                                            "length", "--radius", "2.5:5", "--slab", "z:100:300"});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        QVERIFY2(run.out.contains(QStringLiteral("visible=%1 ").arg(want)), qPrintable(run.out));
        QVERIFY(QImage(out).size() == QSize(800, 600));
        // Bad values are refused by name, and filters without a vessel graph too.
        run = apptest::runApp({"export", kNodes, "--out", out, "--slab", "w:1:2"});
        QCOMPARE(run.code, 2); // a usage error
        QVERIFY(run.err.contains("--slab needs AXIS:LO:HI"));
        run = apptest::runApp({"export", kNodes, "--out", out, "--color-by", "nope"});
        QCOMPARE(run.code, 1);
        QVERIFY2(run.err.contains("no vessel column 'nope'") && run.err.contains("curveness"),
                 qPrintable(run.err));
        run = apptest::runApp({"export", apptest::herm(), "--out", out, "--radius", "3"});
        QCOMPARE(run.code, 1);
        QVERIFY(run.err.contains("apply to a vessel graph"));
    }
};

QTEST_MAIN(TestVesselPanel)
#include "test_vessel_panel.moc"
