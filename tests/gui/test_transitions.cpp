// The window as a user drives it through transitions: one dataset after another, one model after another,
// pause, small and large windows. After each step the views must show the data of what is open now.
#include <QComboBox>
#include <QCoreApplication>
#include <QDockWidget>
#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QUndoStack>
#include <QtTest>
#include <fstream>
#include <set>

#include "ActivityDock.h"
#include "AnalysisDock.h"
#include "AppTestSupport.h"
#include "ConnectomePanel.h"
#include "LayersDock.h"
#include "MainWindow.h"
#include "PluginPanel.h"
#include "SimulationDock.h"
#include "model/Palette.h"
#include "plots/GeometryPlot.h"
#include "plots/RasterPlot.h"
#include "plots/TracePlot.h"
#include "traces/Traces.h"
#include "vtk/ConnectomeView.h"
#include "vtk/VesselView.h"
#include <vtkUnsignedCharArray.h>

namespace {

using apptest::herm;
using apptest::kData;
using apptest::Run;
using apptest::runApp;
using apptest::somas;
// Simulations of 30 s and exports run longer than the default limit.
constexpr int kSlowMs = 180000;

// Checks the raster against the store it draws: rows = units, axis over all rows, rate = hand count.
void checkRaster(RasterPlot* r, uint32_t units, const char* step) {
    QVERIFY2(r->neuronCount() == units, step);
    QVERIFY2(std::abs(r->rowEnd() - double(units)) < 1e-9, step);
    QVERIFY2(r->rowStart() == 0, step);
    if (r->spikeCount() == 0) return;
    // Rate of one bin, by hand: spikes in the bin / (width * units).
    const auto& st = *r->store();
    const auto hz = r->rateHz();
    size_t best = 0;
    for (size_t i = 0; i < hz.size(); ++i)
        if (hz[i] > hz[best]) best = i;
    const double w = r->rateBinWidth();
    const long long bin = st.rateBinOrigin() + (long long)best;
    size_t n = 0;
    for (double t : st.times())
        if ((long long)std::floor(t / w) == bin) ++n;
    const double hand = double(n) / (r->rateBinWidth() * units);
    QVERIFY2(std::abs(hz[best] - hand) <= 1e-6 * std::max(1.0, hand), step);
}

} // namespace

class TestTransitions : public QObject {
    Q_OBJECT
private slots:
    void openSequence() {
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        SimulationDock* sim = w.simulationDock();
        RasterPlot* raster = sim->raster();
        sim->runner()->setSpeed(0);

        // 1. The demo column (3,000 neurons).
        w.showDemo(true);
        QTRY_VERIFY_WITH_TIMEOUT(raster->spikeCount() > 100, 30000);
        sim->pause();
        checkRaster(raster, 3000, "demo");

        // 2. New with the C. elegans connectome model.
        QCOMPARE(w.openFilesBlocking({herm(), somas()}), QString());
        QVERIFY(sim->startModel("graph", w.graph(), true));
        QTRY_VERIFY_WITH_TIMEOUT(raster->spikeCount() > 50, 30000);
        sim->pause();
        checkRaster(raster, 448, "worm model");
        QCOMPARE(QString::fromStdString(raster->store()->unitName(0)),
                 QString::fromStdString(w.graph()->names[0]));

        // 3. The attractor (800 neurons).
        QVERIFY(sim->startModel("attractor", nullptr, true));
        QTRY_VERIFY_WITH_TIMEOUT(raster->spikeCount() > 50, 30000);
        sim->pause();
        checkRaster(raster, 800, "attractor");

        // 4. A recording: spikes.csv (3 units, ids 6/191/206, rates of order 10 Hz per unit).
        QCOMPARE(w.openFilesBlocking({kData + "/spikes/spikes.csv"}), QString());
        QCOMPARE(raster->spikeCount(), size_t(21354));
        checkRaster(raster, 3, "spikes.csv");
        QCOMPARE(raster->store()->unitName(1), std::string("191"));
        QVERIFY(raster->timeEnd() > 1000); // the whole recording on the axis
        const double meanHz = 21354.0 / 1087.5 / 3;
        QVERIFY(meanHz > 5 && meanHz < 10);

        // 5. The NWB file.
        QCOMPARE(w.openFilesBlocking({kData + "/spikes/A8604-211122.nwb"}), QString());
        checkRaster(raster, 3, "nwb");
        QCOMPARE(raster->store()->unitName(2), std::string("206"));
        QVERIFY(raster->store()->unitIds() == (std::vector<int64_t>{6, 191, 206}));
        // Layers: demo, worm, attractor run (+ its layout), spikes.csv, nwb.
        QVERIFY(w.document().ofKind(nr::LayerKind::Spikes).size() == 2);
        QCOMPARE(w.document().ofKind(nr::LayerKind::Simulation).size(), size_t(1));
    }

    void activityBelongsToItsSource() {
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        SimulationDock* sim = w.simulationDock();
        sim->runner()->setSpeed(0);
        QCOMPARE(w.openFilesBlocking({herm(), somas()}), QString());
        auto worm = w.graph();
        ConnectomeView* v = w.connectomeView();
        auto colours = [&] {
            vtkUnsignedCharArray* a = v->nodeColors();
            return std::vector<unsigned char>(a->GetPointer(0), a->GetPointer(0) + a->GetNumberOfValues());
        };
        const auto before = colours();
        // The worm model flashes the worm's nodes.
        QVERIFY(sim->startModel("graph", worm, true));
        QTRY_VERIFY_WITH_TIMEOUT(colours() != before, 30000);
        QCOMPARE(v->graph(), worm);
        sim->pause();
        // After pause the flashes fade back to the colouring.
        QTRY_VERIFY_WITH_TIMEOUT(colours() == before, 10000);

        // COBA has no positions: it gets a layout layer of its own and flashes only that.
        QVERIFY(sim->startModel("coba", nullptr, true));
        QVERIFY(v->graph() != worm);
        QCOMPARE(v->graph()->nodeCount(), size_t(4000));
        QCOMPARE(v->graph(), sim->modelGraph());
        const nr::Layer* lay = w.document().find(w.shownGraphLayer());
        QVERIFY(lay && lay->owner != 0);
        QTRY_VERIFY_WITH_TIMEOUT(sim->raster()->spikeCount() > 1000, 30000);
        // Back to the worm layer while COBA runs: the worm does not light up.
        w.document().select(w.document().ofKind(nr::LayerKind::Graph).front()->id);
        QCOMPARE(v->graph(), worm);
        QTest::qWait(300);
        QCOMPARE(colours(), before);
        sim->stop();
    }

    void attractorKeepsFiringAndExports() {
        QTemporaryDir dir;
        const QString prefix = dir.filePath("strong");
        Run s = runApp({"simulate", "attractor", "--seconds", "30", "--param", "coupling=6", "--trials",
                        prefix, "--out", dir.filePath("all.csv")},
                       kSlowMs);
        QVERIFY2(s.code == 0, qPrintable(s.err));
        std::ifstream in(dir.filePath("all.csv").toStdString());
        std::string line;
        double last = 0;
        std::getline(in, line);
        while (std::getline(in, line)) last = std::max(last, std::stod(line.substr(line.find(',') + 1)));
        QVERIFY2(last > 28.0, qPrintable(QString::number(last))); // still firing after the first 48 trials
        Run e = runApp({"export", prefix + "_spikes.csv", "--view", "geometry", "--out",
                        dir.filePath("g.png"), "--size", "900x500"},
                       kSlowMs);
        QVERIFY2(e.code == 0, qPrintable(e.err));
        QVERIFY(QImage(dir.filePath("g.png")).size() == QSize(900, 500));
        // Commands refuse what they cannot draw.
        Run r = runApp({"export", herm(), "--view", "raster", "--out", dir.filePath("r.png")}, kSlowMs);
        QVERIFY(r.code != 0);
        QVERIFY2(r.err.contains("no spikes"), qPrintable(r.err));
        QVERIFY(!QFile::exists(dir.filePath("r.png")));
        Run gnone = runApp(
            {"export", kData + "/spikes/spikes.csv", "--view", "geometry", "--out", dir.filePath("n.png")},
            kSlowMs);
        QVERIFY(gnone.code != 0);
        QVERIFY2(gnone.err.contains("trials"), qPrintable(gnone.err));
    }

    // `export` without --view writes what the window shows for the files: the vessel and neuron tabs and
    // the traces plot, not an empty network. A view with nothing to draw is refused by name.
    void everyKindExportsItsOwnView_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("view");
        QTest::newRow("vessels") << kData + "/vessel/example_nodes.csv"
                                 << "vessels";
        QTest::newRow("swc") << kData + "/neurons/swc"
                             << "neurons";
        QTest::newRow("traces") << kData + "/activity/atanas2023_traces.csv"
                                << "traces";
    }
    void everyKindExportsItsOwnView() {
        QFETCH(QString, file);
        QFETCH(QString, view);
        QTemporaryDir dir;
        const QString out = dir.filePath("f.png");
        Run e = runApp({"export", file, "--out", out, "--size", "640x480"}, kSlowMs);
        QVERIFY2(e.code == 0, qPrintable(e.err));
        QVERIFY2(e.out.contains("view=" + view), qPrintable(e.out));
        const QImage img(out);
        QCOMPARE(img.size(), QSize(640, 480));
        // Drawn, not a blank background: many distinct colours.
        QSet<QRgb> colours;
        for (int y = 0; y < img.height(); y += 4)
            for (int x = 0; x < img.width(); x += 4) colours.insert(img.pixel(x, y));
        QVERIFY2(colours.size() > 20, qPrintable(QString::number(colours.size())));
        Run none = runApp({"export", file, "--view", "raster", "--out", dir.filePath("r.png")}, kSlowMs);
        QVERIFY(none.code != 0);
        QVERIFY2(none.err.contains("nothing to draw in the raster view"), qPrintable(none.err));
        Run bad = runApp({"export", file, "--view", "nowhere", "--out", dir.filePath("x.png")}, kSlowMs);
        QVERIFY(bad.code != 0);
        QVERIFY2(bad.err.contains("unknown view 'nowhere'") && bad.err.contains("vessels"),
                 qPrintable(bad.err));
    }

    // A 3-D figure carries its key in a panel beside the scene: every class colour of the legend appears as
    // a solid swatch in the right third, where the scene is not drawn.
    void networkFigureHasItsKeyBesideTheScene() {
        QTemporaryDir dir;
        const QString out = dir.filePath("c.png");
        Run e = runApp({"export", herm(), somas(), "--color-by", "class", "--out", out, "--size", "1200x700",
                        "--dpi", "150"},
                       kSlowMs);
        QVERIFY2(e.code == 0, qPrintable(e.err));
        const QImage img = QImage(out).convertToFormat(QImage::Format_RGB32);
        QCOMPARE(img.size(), QSize(1200, 700));
        // A swatch is a solid block: look for 6x6 blocks of one colour.
        auto solidBlockOf = [&](QColor c, int x0, int x1) {
            for (int y = 0; y + 6 < img.height(); ++y)
                for (int x = x0; x + 6 < x1; ++x) {
                    bool all = true;
                    for (int dy = 0; dy < 6 && all; ++dy)
                        for (int dx = 0; dx < 6 && all; ++dx) all = img.pixelColor(x + dx, y + dy) == c;
                    if (all) return true;
                }
            return false;
        };
        for (int k = 0; k < 5; ++k) { // five named classes in the somas table, palette order
            const auto& p = nr::palette::kCategorical[k];
            const QColor c(p.r, p.g, p.b);
            QVERIFY2(solidBlockOf(c, 800, 1200), qPrintable(c.name()));
            QVERIFY2(!solidBlockOf(c, 0, 780), qPrintable(c.name())); // nodes are smaller than a swatch
        }
        QVERIFY(solidBlockOf(
            QColor(nr::palette::kChemical.r, nr::palette::kChemical.g, nr::palette::kChemical.b), 800, 1200));
    }

    void pluginsRunOnTheRunningAttractor() {
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        SimulationDock* sim = w.simulationDock();
        sim->runner()->setSpeed(0);
        QVERIFY(sim->startModel("attractor", nullptr, true));
        QTRY_VERIFY_WITH_TIMEOUT(sim->simulatedSeconds() > 8, 60000);
        sim->pause();
        auto trials = sim->currentTrials();
        QVERIFY(trials && trials->trialRowCount() >= 16);
    }

    void overlaysStayOffTheData_data() {
        QTest::addColumn<QSize>("size");
        QTest::newRow("1024x700") << QSize(1024, 700);
        QTest::newRow("1280x800") << QSize(1280, 800);
        QTest::newRow("1920x1080") << QSize(1920, 1080);
    }
    void overlaysStayOffTheData() {
        QFETCH(QSize, size);
        MainWindow w;
        w.resize(size);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QString docks;
        for (QDockWidget* d : w.findChildren<QDockWidget*>())
            docks += QStringLiteral(" %1:%2x%3")
                         .arg(d->objectName())
                         .arg(d->minimumSizeHint().width())
                         .arg(d->minimumSizeHint().height());
        QVERIFY2(w.size() == size, qPrintable(QStringLiteral("window %1x%2, smallest %3x%4;%5")
                                                  .arg(w.width())
                                                  .arg(w.height())
                                                  .arg(w.minimumSizeHint().width())
                                                  .arg(w.minimumSizeHint().height())
                                                  .arg(docks)));
        // No empty band: the central tabs reach the right edge or the first visible right-hand dock.
        QTest::qWait(200);
        int right = w.width();
        QString shown;
        for (QDockWidget* d : w.findChildren<QDockWidget*>())
            if (d->isVisible() && w.dockWidgetArea(d) == Qt::RightDockWidgetArea) {
                right = std::min(right, d->geometry().left());
                shown += QLatin1Char(' ') + d->objectName();
            }
        const QRect central = w.centralWidget()->geometry();
        QVERIFY2(central.right() >= right - 12,
                 qPrintable(QStringLiteral("central ends at %1, next thing at %2 (right docks:%3)")
                                .arg(central.right())
                                .arg(right)
                                .arg(shown)));
        QVERIFY(w.connectomeView()->width() >= central.width() - 12);
        SimulationDock* sim = w.simulationDock();
        sim->runner()->setSpeed(0);
        QVERIFY(sim->startModel("coba", nullptr, true));
        RasterPlot* r = sim->raster();
        QTRY_VERIFY_WITH_TIMEOUT(r->spikeCount() > 1000 && !r->readoutRect().isEmpty(), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(!sim->parametersRect().isEmpty(), 10000);
        for (const QRectF& o : {r->readoutRect(), sim->parametersRect()}) {
            const QRectF d = r->rasterRect();
            QVERIFY2(!o.intersects(d),
                     qPrintable(QStringLiteral("overlay (%1,%2 %3x%4) over raster (%5,%6 %7x%8)")
                                    .arg(o.x())
                                    .arg(o.y())
                                    .arg(o.width())
                                    .arg(o.height())
                                    .arg(d.x())
                                    .arg(d.y())
                                    .arg(d.width())
                                    .arg(d.height())));
            QVERIFY(!o.intersects(r->rateRect()));
        }
        // The raster is not cut off: it lies inside its widget, which lies inside the window.
        QVERIFY(QRectF(QPointF(0, 0), QSizeF(r->size())).contains(r->rasterRect()));
        const QRect inWindow(r->mapTo(&w, QPoint(0, 0)), r->size());
        QVERIFY(QRect(QPoint(0, 0), w.size()).contains(inWindow));
        sim->stop();
    }

    void screenshotsHaveTheRequestedSize() {
        QTemporaryDir dir;
        for (const QString& sz : {QStringLiteral("800x600"), QStringLiteral("1024x700")}) {
            const QString out = dir.filePath(sz + ".png");
            Run s = runApp({"--screenshot", out, "--size", sz, "--sim-seconds", "0.2"}, kSlowMs);
            QVERIFY2(s.code == 0, qPrintable(s.err));
            const QStringList wh = sz.split('x');
            QCOMPARE(QImage(out).size(), QSize(wh[0].toInt(), wh[1].toInt()));
        }
        // The 3-D view is captured at its final size: at 1280x800 the Analysis dock closes after the window
        // is shown, and the view's dark background reaches the right edge (no stale frame, no grey band).
        const QString out = dir.filePath("wide.png");
        Run s = runApp({"--screenshot", out, "--size", "1280x800", herm()}, kSlowMs);
        QVERIFY2(s.code == 0, qPrintable(s.err));
        const QImage img(out);
        const QColor bg = img.pixelColor(1270, 100), left = img.pixelColor(700, 100);
        QCOMPARE(bg, left);
        QVERIFY2(bg.lightness() < 60, qPrintable(bg.name()));
    }

    void legendListsEveryClassWithItsColour() {
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QCOMPARE(w.openFilesBlocking({herm(), somas()}), QString());
        w.connectomePanel()->applyColorBy("class", false);
        ConnectomeView* v = w.connectomeView();
        std::set<std::string> classes(w.graph()->nodeClass.begin(), w.graph()->nodeClass.end());
        classes.erase("");
        QVERIFY(classes.size() >= 5);
        QCOMPARE(v->legend().size(), classes.size() + 1); // plus "(none)" for the non-neurons
        v->update();
        QTRY_VERIFY_WITH_TIMEOUT(v->legendSwatches().size() >= classes.size(), 5000);
        const QImage img = v->grabFramebuffer();
        const double dpr = v->devicePixelRatioF();
        for (const auto& e : v->legend()) {
            if (e.label == "(none)") continue;
            QVERIFY2(classes.count(e.label), e.label.c_str());
            bool found = false;
            for (const auto& [label, rect] : v->legendSwatches()) {
                if (label != e.label) continue;
                found = true;
                const QPoint c((rect.center() * dpr).toPoint());
                const QColor px = img.pixelColor(c);
                QVERIFY2(std::abs(px.red() - e.color.r) <= 3 && std::abs(px.green() - e.color.g) <= 3 &&
                             std::abs(px.blue() - e.color.b) <= 3,
                         e.label.c_str());
            }
            QVERIFY2(found, e.label.c_str());
        }
        // The edge key names both edge types.
        const auto edges = v->edgeLegend();
        QCOMPARE(edges.size(), size_t(2));
    }

    void tracesPaintTheConnectomeAtTheCursor() {
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QCOMPARE(w.openFilesBlocking({kData + "/activity/atanas2023_traces.csv", herm(), somas()}),
                 QString());
        ActivityDock* a = w.activityDock();
        QVERIFY(a->traces());
        QCOMPARE(a->join().matched, size_t(98));
        TracePlot* plot = a->plot();
        plot->setCursorTime(300.0);
        const size_t frame = plot->cursorFrame();
        QVERIFY(frame > 0);
        ConnectomeView* v = w.connectomeView();
        QVERIFY(v->hasNodeColorOverride());
        vtkUnsignedCharArray* c = v->nodeColors();
        const nr::Traces& tr = *a->traces();
        size_t checked = 0;
        for (size_t i = 0; i < tr.names.size(); ++i) {
            const long node = a->join().target[i];
            if (node < 0) continue;
            const QColor want = plot->colorForValue(tr.at(i, frame));
            QVERIFY(std::abs(int(c->GetValue(3 * node)) - want.red()) <= 2);
            QVERIFY(std::abs(int(c->GetValue(3 * node + 1)) - want.green()) <= 2);
            QVERIFY(std::abs(int(c->GetValue(3 * node + 2)) - want.blue()) <= 2);
            ++checked;
        }
        QCOMPARE(checked, size_t(98));
        // The colours have their key: the heatmap's map from -limit to +limit, in the overlay and the figure.
        QTRY_VERIFY(std::any_of(v->legendSwatches().begin(), v->legendSwatches().end(),
                                [](const auto& sw) { return sw.first == "colorbar"; }));
        const auto keys = v->figureKeys();
        QVERIFY(!keys.empty() && !keys[0].ramp.empty());
        QCOMPARE(keys[0].hi, plot->colorLimit());
        QCOMPARE(keys[0].ramp.front(), plot->colorForValue(-plot->colorLimit()));
        QCOMPARE(keys[0].ramp.back(), plot->colorForValue(plot->colorLimit()));
        // Selecting a trace row selects its neuron in 3-D, and clicking a neuron selects its row.
        emit plot->selectionChanged(QVector<int>{0});
        QCOMPARE(v->selection().size(), size_t(1));
        QCOMPARE(long(v->selection()[0]), a->join().target[0]);
        emit v->nodeClicked(a->join().target[5]);
        QCOMPARE(plot->selectedNeurons(), std::vector<int>{5});
        // Functional connectivity as a layer on the worm's positions: AVAL-AVAR (r = 0.97) is an edge.
        QCOMPARE(w.addFunctionalGraph(0.5), QString());
        auto fc = w.graph();
        QVERIFY(fc && fc->nodeCount() == 98);
        const long aval = fc->findNode("AVAL"), avar = fc->findNode("AVAR");
        QVERIFY(aval >= 0 && avar >= 0);
        bool edge = false;
        for (size_t e = 0; e < fc->edgeCount(); ++e)
            edge = edge || (long(fc->src[e]) == aval && long(fc->dst[e]) == avar) ||
                   (long(fc->src[e]) == avar && long(fc->dst[e]) == aval);
        QVERIFY(edge);
    }

    void removingLayersClearsTheirViews() {
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QCOMPARE(w.openFilesBlocking({kData + "/activity/atanas2023_traces.csv", herm(), somas()}),
                 QString());
        QCOMPARE(w.openFilesBlocking({kData + "/vessel/example_nodes.csv"}), QString());
        QVERIFY(w.vesselView() && w.vesselView()->graph());
        QVERIFY(w.connectomeView()->hasNodeColorOverride());
        w.document().remove(w.document().ofKind(nr::LayerKind::Vessels).front()->id);
        QVERIFY(!w.vesselView()->graph());
        w.document().remove(w.document().ofKind(nr::LayerKind::Traces).front()->id);
        QVERIFY(!w.activityDock()->traces());
        QVERIFY(!w.connectomeView()->hasNodeColorOverride()); // back to the colouring
        QCOMPARE(w.graph()->nodeCount(), size_t(448));
    }

    void unreadFileChangesNothing() {
        MainWindow w;
        QCOMPARE(w.openFilesBlocking({herm(), somas()}), QString());
        const size_t layers = w.document().size();
        QTemporaryDir dir;
        const QString bad = dir.filePath("cells.xyz");
        // (Readers go by content: an SWC line would be read whatever the extension.)
        std::ofstream(bad.toStdString()) << "%% nothing any reader knows %%\n";
        const QString err = w.openFilesBlocking({bad});
        QVERIFY(err.contains("cells.xyz"));
        QVERIFY2(err.contains("readable formats"), qPrintable(err));
        QCOMPARE(w.document().size(), layers);
        QCOMPARE(w.graph()->nodeCount(), size_t(448));
    }

    void simulationLayerColoursItsNetwork() {
        // The demo runs on its column: the Simulation layer's Colour by shows and sets the view's colouring.
        MainWindow w;
        w.resize(1280, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.showDemo(true);
        w.simulationDock()->pause();
        const auto sims = w.document().ofKind(nr::LayerKind::Simulation);
        QCOMPARE(sims.size(), size_t(1));
        const nr::LayerId sim = sims.front()->id;
        QCOMPARE(w.connectomeView()->colorBy(), std::string("layer"));
        QCOMPARE(w.document().find(sim)->display.colorBy, std::string("layer"));
        w.document().select(sim);
        auto* combo = w.layersDock()->findChild<QComboBox*>();
        QVERIFY(combo && combo->isEnabled());
        QCOMPARE(combo->currentText(), QStringLiteral("layer"));
        combo->setCurrentText(QStringLiteral("degree"));
        QCOMPARE(w.connectomeView()->colorBy(), std::string("degree"));
        QCOMPARE(w.document().find(w.shownGraphLayer())->display.colorBy, std::string("degree"));
        w.undoStack()->undo();
        QCOMPARE(w.connectomeView()->colorBy(), std::string("layer"));
    }

    void layersDockRenamesHidesRemoves() {
        MainWindow w;
        QCOMPARE(w.openFilesBlocking({herm(), somas()}), QString());
        QCOMPARE(w.openFilesBlocking({kData + "/spikes/spikes.csv"}), QString());
        LayersDock* d = w.layersDock();
        QCOMPARE(d->tree()->topLevelItemCount(), 2);
        const nr::LayerId g = w.document().ofKind(nr::LayerKind::Graph).front()->id;
        QTreeWidgetItem* it = d->tree()->topLevelItem(d->rowOf(g));
        it->setText(0, "worm");
        QCOMPARE(w.document().find(g)->name, std::string("worm"));
        it = d->tree()->topLevelItem(d->rowOf(g));
        it->setCheckState(0, Qt::Unchecked);
        QVERIFY(!w.document().find(g)->display.visible);
        QVERIFY(!w.graph()); // the only graph is hidden: the view shows nothing
        it = d->tree()->topLevelItem(d->rowOf(g));
        it->setCheckState(0, Qt::Checked);
        QCOMPARE(w.graph()->nodeCount(), size_t(448));
        w.document().select(g);
        d->removeSelected();
        QCOMPARE(w.document().size(), size_t(1));
        QCOMPARE(d->tree()->topLevelItemCount(), 1);
        QVERIFY(!w.graph());
    }
};

QTEST_MAIN(TestTransitions)
#include "test_transitions.moc"
