// What a new user meets in the window: the mouse wheel over dock controls, Ctrl+F, several SWC files, a
// click after Find, a window that fits the screen and remembers its layout, docks that give the room to the
// data, legend colours that can be told apart, and one colouring state shown the same everywhere.
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QCompleter>
#include <QDir>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QFile>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QScreen>
#include <QSettings>
#include <QSlider>
#include <QTabBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QWheelEvent>
#include <QtTest>
#include <set>

#include "ActivityDock.h"
#include "AnalysisDock.h"
#include "AppTestSupport.h"
#include "ConnectomePanel.h"
#include "LayersDock.h"
#include "MainWindow.h"
#include "NeuronPanel.h"
#include "SimulationDock.h"
#include "VesselPanel.h"
#include "WidgetShot.h"
#include "model/Palette.h"
#include "plots/HeatmapPainter.h"
#include "traces/Traces.h"
#include "vtk/ConnectomeView.h"
#include "vtk/NeuronView.h"
#include "vtk/VesselView.h"

namespace {

using apptest::herm;
using apptest::kData;
using apptest::somas;

// A wheel notch (up) over the middle of `w`, as the window system sends it.
void wheelOver(QWidget* w, int notches = 1) {
    const QPointF at(w->width() / 2.0, w->height() / 2.0);
    QWheelEvent e(at, w->mapToGlobal(at), QPoint(), QPoint(0, 120 * notches), Qt::NoButton, Qt::NoModifier,
                  Qt::NoScrollPhase, false);
    QApplication::sendEvent(w, &e);
}

using nrtest::shot;

QString rgbText(nr::palette::Rgb c) {
    return QStringLiteral("(%1,%2,%3)").arg(c.r).arg(c.g).arg(c.b);
}

// Every pair of `entries` at least kMinDeltaE apart (CIEDE2000); the failures listed.
QString closePairs(const std::vector<ConnectomeView::LegendEntry>& entries) {
    QStringList bad;
    for (size_t i = 0; i < entries.size(); ++i)
        for (size_t j = i + 1; j < entries.size(); ++j) {
            const double d = nr::palette::deltaE2000(entries[i].color, entries[j].color);
            if (d < nr::palette::kMinDeltaE)
                bad << QStringLiteral("%1 %2 ~ %3 %4: dE %5")
                           .arg(QString::fromStdString(entries[i].label), rgbText(entries[i].color),
                                QString::fromStdString(entries[j].label), rgbText(entries[j].color))
                           .arg(d, 0, 'f', 1);
        }
    return bad.join(QStringLiteral("; "));
}

// The highlight colours (found neuron, its partners, spiking) as legend entries.
std::vector<ConnectomeView::LegendEntry> highlightEntries() {
    return {{"presynaptic", nr::palette::kPresynaptic, 0},
            {"postsynaptic", nr::palette::kPostsynaptic, 0},
            {"both ways", nr::palette::kBothWays, 0},
            {"found neuron", nr::palette::kFocus, 0},
            {"spiking", nr::palette::kActivityFlash, 0}};
}

} // namespace

class TestUsability : public QObject {
    Q_OBJECT
    QTemporaryDir settingsDir_;

private slots:
    void initTestCase() {
        // The layout is saved to a settings folder of this test, never the user's.
        QCoreApplication::setOrganizationName(QStringLiteral("NeuroramaTest"));
        QCoreApplication::setApplicationName(QStringLiteral("test_usability"));
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir_.path());
        QSettings().clear();
    }

    // 3. Scrolling a dock over a spin box, slider or combo box leaves its value alone unless it has focus.
    void wheelChangesOnlyFocusedControls() {
        MainWindow w;
        w.resize(1280, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QCOMPARE(w.openFilesBlocking({kData + "/vessel/example_nodes.csv"}), QString());
        VesselPanel* panel = w.vesselPanel();
        QVERIFY(panel && w.vesselDock()->isVisible());
        auto* maxR = panel->findChild<QDoubleSpinBox*>(QStringLiteral("vesselMaxRadius"));
        auto* colorBy = panel->findChild<QComboBox*>(QStringLiteral("vesselColorBy"));
        auto* slab = panel->findChild<QSlider*>(QStringLiteral("vesselSlabPosition"));
        QVERIFY(maxR && colorBy && slab);
        const size_t visible = w.vesselView()->visibleEdgeCount();
        const double to = maxR->value();
        const int colour = colorBy->currentIndex();
        const int slabAt = slab->value();
        QVERIFY(colorBy->count() > 1);
        // Nothing focused in the dock: the wheel passes over every control (the spin box's line edit too).
        w.connectomeView()->setFocus();
        for (QWidget* target :
             std::initializer_list<QWidget*>{maxR, maxR->findChild<QLineEdit*>(), colorBy, slab}) {
            QVERIFY(target);
            wheelOver(target, -3);
        }
        QCOMPARE(maxR->value(), to);
        QCOMPARE(colorBy->currentIndex(), colour);
        QCOMPARE(slab->value(), slabAt);
        QCOMPARE(w.vesselView()->visibleEdgeCount(), visible);
        // Clicking into them does not come from the wheel either: they take focus by click or Tab only.
        for (QWidget* c :
             {static_cast<QWidget*>(maxR), static_cast<QWidget*>(colorBy), static_cast<QWidget*>(slab)})
            QCOMPARE(c->focusPolicy(), Qt::StrongFocus);
        // Every dock, including the Network dock's weight filter.
        auto* minW = w.networkDock()->findChild<QDoubleSpinBox*>();
        QVERIFY(minW);
        QCOMPARE(minW->focusPolicy(), Qt::StrongFocus);
        // Focused, the wheel steps the value as before.
        w.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&w));
        maxR->setFocus();
        QTRY_VERIFY(maxR->hasFocus());
        wheelOver(maxR, -1);
        QVERIFY2(maxR->value() < to, qPrintable(QString::number(maxR->value())));
    }

    // 7. Ctrl+F raises the Network dock's tab and puts the focus in its find field.
    void findBringsTheFieldForward() {
        MainWindow w;
        w.resize(1280, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QCOMPARE(w.openFilesBlocking({herm(), somas()}), QString());
        w.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&w));
        w.layersDock()->raise(); // the Network dock's tab behind Layers
        QTRY_VERIFY(w.networkDock()->visibleRegion().isEmpty());
        QAction* find = nullptr;
        for (QAction* a : w.menuBar()->findChildren<QAction*>())
            if (a->shortcut() == QKeySequence(QKeySequence::Find)) find = a;
        QVERIFY(find);
        QTest::keyClick(&w, Qt::Key_F, Qt::ControlModifier);
        auto* field = w.networkDock()->findChild<QLineEdit*>();
        QVERIFY(field);
        QTRY_VERIFY(!w.networkDock()->visibleRegion().isEmpty());
        QTRY_VERIFY(field->hasFocus());
        QVERIFY(field->isVisible());
        // The completer offers every neuron whose name contains what was typed, read from the graph itself.
        QCompleter* completer = field->completer();
        QVERIFY(completer);
        QCOMPARE(completer->model()->rowCount(), int(w.graph()->nodeCount()));
        QTest::keyClicks(field, QStringLiteral("vaL"));
        QStringList offered;
        for (int i = 0; completer->setCurrentRow(i); ++i) offered << completer->currentCompletion();
        QVERIFY2(offered.contains(QStringLiteral("AVAL")), qPrintable(offered.join(' ')));
        for (const QString& o : offered)
            QVERIFY2(o.contains(QStringLiteral("val"), Qt::CaseInsensitive), qPrintable(o));
        field->clear();
        QTest::keyClicks(field, QStringLiteral("AVAL"));
        QTest::keyClick(field, Qt::Key_Return);
        QCOMPARE(w.connectomeView()->highlightedNode(), w.graph()->findNode("AVAL"));
    }

    // 8. The window starts inside the screen's free area, never grows past it when a dock appears, remembers
    // its size and docks, and View > Reset Layout brings the default back.
    void windowFitsTheScreen() {
        // On a 1280x800 screen (the preferred 1500x950 did not fit) and a 1024x700 one.
        for (const QRect avail :
             {QRect(0, 0, 1280, 800 - 32), QRect(0, 0, 1024, 700), QRect(0, 0, 2560, 1440)}) {
            const QSize s = MainWindow::defaultSize(avail);
            QVERIFY2(s.width() <= avail.width() && s.height() + 30 <= avail.height(),
                     qPrintable(QStringLiteral("%1x%2 on %3x%4")
                                    .arg(s.width())
                                    .arg(s.height())
                                    .arg(avail.width())
                                    .arg(avail.height())));
            QVERIFY(s.width() >= std::min(1500, avail.width() - 16));
        }
        QScreen* screen = QGuiApplication::primaryScreen();
        const QRect avail = screen->availableGeometry();
        {
            MainWindow w;
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            QVERIFY2(avail.contains(w.frameGeometry()), "the new window lies inside the screen");
            if (const QByteArray dir = qgetenv("NR_SHOT_DIR"); !dir.isEmpty()) { // the whole screen
                QTest::qWait(300);
                screen->grabWindow(0).save(QString::fromLocal8Bit(dir) + "/screen_new_window.png");
            }
            // Filling the screen's height, a neuron picked in the Neurons view opens the Neuron dock: the
            // window stays as it is.
            w.resize(std::min(1400, avail.width()), avail.height() - 40);
            w.move(avail.topLeft());
            QTest::qWait(100);
            const QSize before = w.size();
            QDir swc(kData + "/neurons/swc");
            QCOMPARE(w.openFilesBlocking({swc.filePath("BG001.CNG.swc")}), QString());
            QVERIFY(w.neuronPanel());
            w.neuronPanel()->showNeuron(w.neuronView()->morphologies(), 0);
            w.neuronPanel()->show();
            w.neuronPanel()->raise();
            QTest::qWait(300);
            QCOMPARE(w.size(), before);
            QVERIFY(avail.contains(w.frameGeometry()));
        }
        // Geometry and docks are remembered between runs (the interactive window, restoreLayout()).
        QSettings().clear();
        QRect saved;
        {
            MainWindow w;
            w.restoreLayout();
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            w.resize(1000, 640);
            w.networkDock()->raise();
            QTest::qWait(100);
            saved = w.geometry();
            w.close();
        }
        QVERIFY(QSettings().contains("window/geometry"));
        {
            MainWindow w;
            w.restoreLayout();
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            QCOMPARE(w.size(), saved.size());
            // The interactive window never stays larger than the screen.
            w.resize(avail.width() + 300, avail.height() + 300);
            QTRY_VERIFY_WITH_TIMEOUT(avail.contains(w.frameGeometry()), 5000);
            w.resize(saved.size());
            QTest::qWait(100);
            QVERIFY(!w.networkDock()->visibleRegion().isEmpty()); // its tab in front, as left
            // View > Reset Layout: the default size, the Layers tab in front again.
            QAction* reset = nullptr;
            for (QAction* a : w.menuBar()->findChildren<QAction*>())
                if (a->text().remove('&') == QStringLiteral("Reset Layout")) reset = a;
            QVERIFY(reset);
            reset->trigger();
            QTest::qWait(200);
            QCOMPARE(w.size(), MainWindow::defaultSize(w.screen()->availableGeometry()));
            QTRY_VERIFY(!w.layersDock()->visibleRegion().isEmpty());
            QVERIFY(w.networkDock()->visibleRegion().isEmpty());
            QVERIFY(!QSettings().contains("window/geometry"));
        }
    }

    // 9. With only a connectome open at 1024x700, the 3-D view has the room: docks with nothing to show are
    // hidden until their data comes, and the legend stays small.
    void emptyDocksStayOutOfTheWay() {
        MainWindow w;
        w.resize(1024, 700);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QCOMPARE(w.openFilesBlocking({herm(), somas()}), QString());
        QTest::qWait(300);
        QVERIFY(!w.simulationDock()->isVisible());
        QVERIFY(!w.activityDock()->isVisible());
        QVERIFY(!w.functionalDock()->isVisible());
        QVERIFY(!w.analysisDock()->isVisible());
        ConnectomeView* v = w.connectomeView();
        QVERIFY2(v->width() >= 0.55 * w.width(), qPrintable(QStringLiteral("3-D view %1x%2 in %3x%4")
                                                                .arg(v->width())
                                                                .arg(v->height())
                                                                .arg(w.width())
                                                                .arg(w.height())));
        QVERIFY(v->height() >= 0.6 * w.height());
        // The legend covers at most a fifth of the view.
        v->update();
        QTRY_VERIFY_WITH_TIMEOUT(v->overlayRects().size() >= 2, 5000);
        double legend = 0;
        for (const QRectF& r : v->overlayRects()) legend = std::max(legend, r.width() * r.height());
        QVERIFY2(legend <= 0.2 * v->width() * v->height(),
                 qPrintable(QStringLiteral("legend %1 px² of %2").arg(legend).arg(v->width() * v->height())));
        shot(&w, "connectome_1024x700");
        // Spikes arrive: the Simulation dock (raster) comes up with its share of the height.
        QCOMPARE(w.openFilesBlocking({kData + "/spikes/spikes.csv"}), QString());
        QTRY_VERIFY(w.simulationDock()->isVisible());
        QVERIFY(w.simulationDock()->height() >= 150);
        // Traces arrive: the Activity dock.
        QCOMPARE(w.openFilesBlocking({kData + "/activity/atanas2023_traces.csv"}), QString());
        QTRY_VERIFY(w.activityDock()->isVisible());
    }

    // 10. No two entries of one legend (classes, communities, edge types) and no highlight colour closer than
    // the minimum colour difference.
    void legendColoursAreApart() {
        MainWindow w;
        w.resize(1280, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QCOMPARE(w.openFilesBlocking({kData + "/activity/atanas2023_traces.csv", herm(), somas()}),
                 QString());
        ConnectomeView* v = w.connectomeView();
        ActivityDock* a = w.activityDock();
        a->setColorMode(ActivityDock::ColorMode::Off);
        w.connectomePanel()->applyColorBy("class", false);
        QVERIFY(!v->hasNodeColorOverride());
        // Class colouring with the edge types.
        std::vector<ConnectomeView::LegendEntry> all = v->legend();
        QVERIFY(all.size() >= 6);
        const auto edges = v->edgeLegend();
        QCOMPARE(edges.size(), size_t(2));
        all.insert(all.end(), edges.begin(), edges.end());
        const auto marks = highlightEntries();
        all.insert(all.end(), marks.begin(), marks.end());
        QString bad = closePairs(all);
        QVERIFY2(bad.isEmpty(), qPrintable("class colouring: " + bad));
        // The legend while a neuron is highlighted: its partner colours beside the classes.
        v->highlightNode(w.graph()->findNode("AVAL"));
        std::vector<ConnectomeView::LegendEntry> hl = v->legend();
        for (const auto& e : v->edgeLegend()) hl.push_back(e);
        QCOMPARE(hl.size(), v->legend().size() + 3);
        hl.push_back({"found neuron", nr::palette::kFocus, 0});
        bad = closePairs(hl);
        QVERIFY2(bad.isEmpty(), qPrintable("highlight: " + bad));
        v->highlightNode(-1);
        // Communities at the cursor (twelve of them, plus "no community" and "no trace").
        auto tl = std::make_shared<CommunityTimeline>();
        const size_t n = a->traces()->neurons();
        tl->windows.push_back({0, a->traces()->timepoints(), -1e9, 1e9});
        tl->result.labels.push_back(std::vector<int>(n));
        for (size_t i = 0; i < n; ++i) tl->result.labels[0][i] = i % 13 == 12 ? -1 : int(i % 13);
        tl->result.count = {12};
        tl->result.labelsUsed = 12;
        a->setCommunities(tl);
        QCOMPARE(a->colorMode(), ActivityDock::ColorMode::Community);
        QVERIFY(v->hasNodeColorOverride());
        std::vector<ConnectomeView::LegendEntry> comm = v->legend();
        QCOMPARE(comm.size(), size_t(14));
        for (const auto& e : v->edgeLegend()) comm.push_back(e);
        for (const auto& e : marks) comm.push_back(e);
        bad = closePairs(comm);
        QVERIFY2(bad.isEmpty(), qPrintable("community colouring: " + bad));
        // The membership plot and the 3-D view agree on a community's colour.
        const QColor c0 = colormaps::community(0);
        QCOMPARE(QColor(comm[0].color.r, comm[0].color.g, comm[0].color.b), c0);
        // The picked vessel stands apart from every colour of the vessels' colour map (viridis).
        for (int k = 0; k <= 64; ++k) {
            const double d =
                nr::palette::deltaE2000(nr::palette::kPickedVessel, nr::palette::viridis(k / 64.0));
            QVERIFY2(d >= 2 * nr::palette::kMinDeltaE, qPrintable(QString::number(d)));
        }
        // The colour difference itself: CIEDE2000 of a pair from Sharma et al.'s tables would need Lab input;
        // in sRGB, black and white are 100 apart and a colour is 0 from itself.
        QVERIFY(std::abs(nr::palette::deltaE2000({0, 0, 0}, {255, 255, 255}) - 100) < 0.5);
        QCOMPARE(nr::palette::deltaE2000({86, 180, 233}, {86, 180, 233}), 0.0);
    }

    // 10. The picked vessel is drawn in its own colour, not the yellow of the widest vessels.
    void pickedVesselStandsOut() {
        MainWindow w;
        w.resize(1280, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QCOMPARE(w.openFilesBlocking({kData + "/vessel/example_nodes.csv"}), QString());
        VesselView* v = w.vesselView();
        v->lod().settle();
        QTest::qWait(300);
        QImage img = v->grabFramebuffer();
        const double dpr = v->devicePixelRatioF();
        // A widest vessel in sight: a pixel of the colour map's yellow top, left of the colour bar.
        auto yellow = [](QColor c) { return c.red() > 170 && c.green() > 190 && c.blue() < 120; };
        QPoint at(-1, -1);
        for (int y = img.height() / 5; y < img.height() * 4 / 5 && at.x() < 0; y += 2)
            for (int x = img.width() / 5; x < img.width() * 3 / 4 && at.x() < 0; x += 2)
                if (yellow(img.pixelColor(x, y)) && yellow(img.pixelColor(x, y + 1))) at = QPoint(x, y);
        QVERIFY2(at.x() >= 0, "no wide vessel in sight");
        // A click there picks it: it turns magenta, not a colour of the map.
        QTest::mouseClick(v, Qt::LeftButton, Qt::NoModifier, (QPointF(at) / dpr).toPoint());
        QVERIFY(v->pickedEdge() >= 0);
        v->lod().settle();
        QTest::qWait(300);
        img = v->grabFramebuffer();
        const QColor c = img.pixelColor(at);
        QVERIFY2(c.red() > c.green() + 60 && c.blue() > c.green() + 60, qPrintable(c.name()));
        const nr::palette::Rgb rgb{uint8_t(c.red()), uint8_t(c.green()), uint8_t(c.blue())};
        QVERIFY(nr::palette::deltaE2000(rgb, nr::palette::viridis(1.0)) > 2 * nr::palette::kMinDeltaE);
    }

    // 11. The Network dock's "Colour by" shows what the 3-D view is coloured by, set from any dock.
    void oneColouringState() {
        MainWindow w;
        w.resize(1280, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QCOMPARE(w.openFilesBlocking({kData + "/activity/atanas2023_traces.csv", herm(), somas()}),
                 QString());
        ConnectomeView* v = w.connectomeView();
        ConnectomePanel* p = w.connectomePanel();
        ActivityDock* a = w.activityDock();
        QCOMPARE(a->colorMode(), ActivityDock::ColorMode::Activity);
        // The traces paint the network: the Network dock says so (not "class").
        QVERIFY(v->hasNodeColorOverride());
        QCOMPARE(QString::fromStdString(v->coloring()), QStringLiteral("activity"));
        QVERIFY2(p->shownColoring().startsWith("activity"), qPrintable(p->shownColoring()));
        // So does the Layers dock, for the network's layer.
        QVERIFY(w.document().select(w.shownGraphLayer()));
        QComboBox* layerBox = w.layersDock()->colorByBox();
        QVERIFY2(layerBox->currentText().startsWith("activity"), qPrintable(layerBox->currentText()));
        // Choosing a column in the Network dock takes the colouring back; the Activity dock follows.
        p->colorCombo()->setCurrentIndex(p->colorCombo()->findText("degree"));
        QVERIFY(!v->hasNodeColorOverride());
        QCOMPARE(v->colorBy(), std::string("degree"));
        QCOMPARE(p->shownColoring(), QStringLiteral("degree"));
        QCOMPARE(a->colorMode(), ActivityDock::ColorMode::Off);
        // The column beneath is the layer's too (Layers dock).
        QCOMPARE(w.document().find(w.shownGraphLayer())->display.colorBy, std::string("degree"));
        QCOMPARE(layerBox->currentText(), QStringLiteral("degree"));
        // The Activity dock paints again: the Network dock shows it.
        a->setColorMode(ActivityDock::ColorMode::Activity);
        QVERIFY(v->hasNodeColorOverride());
        QVERIFY(p->shownColoring().startsWith("activity"));
        QVERIFY(layerBox->currentText().startsWith("activity"));
        // Picking "class" in the Layers dock ends it, in every control.
        layerBox->setCurrentIndex(layerBox->findText("class"));
        QCOMPARE(QString::fromStdString(v->coloring()), QStringLiteral("class"));
        QCOMPARE(p->shownColoring(), QStringLiteral("class"));
        QCOMPARE(layerBox->currentText(), QStringLiteral("class"));
        QCOMPARE(a->colorMode(), ActivityDock::ColorMode::Off);
        QCOMPARE(p->colorCombo()->findData(QStringLiteral("activity")), -1);
        // A column from an analysis (Analysis dock) shows too.
        v->setNodeColumn("community", std::vector<float>(w.graph()->nodeCount(), 1.f));
        p->addColumn("community");
        p->applyColorBy("community");
        QCOMPARE(p->shownColoring(), QStringLiteral("community"));
        QCOMPARE(v->coloring(), std::string("community"));
        // Undo goes back to class in every control.
        w.undoStack()->undo();
        QCOMPARE(p->shownColoring(), QStringLiteral("class"));
        QCOMPARE(v->coloring(), std::string("class"));
    }

    // 4. Several SWC files are layers drawn together in the Neurons view; a folder opens them all.
    void severalSwcFilesDrawnTogether() {
        MainWindow w;
        w.resize(1280, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QDir swc(kData + "/neurons/swc");
        QStringList files;
        for (const QString& f : swc.entryList({"*.swc"}, QDir::Files, QDir::Name)) files << swc.filePath(f);
        QCOMPARE(files.size(), 9);
        QCOMPARE(w.openFilesBlocking(files), QString());
        QCOMPARE(w.document().ofKind(nr::LayerKind::Morphologies).size(), size_t(9));
        NeuronView* nv = w.neuronView();
        QVERIFY(nv && nv->morphologies());
        QCOMPARE(nv->neuronCount(), size_t(9));
        QVERIFY2(QString::fromStdString(nv->summaryLine()).startsWith("neurons=9 "),
                 nv->summaryLine().c_str());
        shot(&w, "nine_swc");
        // Hiding a layer takes its neuron out; showing it brings it back.
        const nr::Layer* first = w.document().ofKind(nr::LayerKind::Morphologies).front();
        nr::LayerDisplay d = first->display;
        d.visible = false;
        w.document().setDisplay(first->id, d);
        QCOMPARE(nv->neuronCount(), size_t(8));
        d.visible = true;
        w.document().setDisplay(first->id, d);
        QCOMPARE(nv->neuronCount(), size_t(9));
        // File > Open Folder is offered, and a folder opens as the same nine neurons.
        bool offered = false;
        for (QAction* a : w.menuBar()->findChildren<QAction*>())
            offered = offered || a->text().remove('&').startsWith(QStringLiteral("Open Folder"));
        QVERIFY(offered);
        MainWindow w2;
        QCOMPARE(w2.openFilesBlocking({swc.path()}), QString());
        QVERIFY(w2.neuronView());
        QCOMPARE(w2.neuronView()->neuronCount(), size_t(9));
    }

    // 5. After Find flies to a neuron, it carries its name in 3-D and a click at its position picks it.
    void clickAfterFindPicksTheFoundNeuron() {
        MainWindow w;
        w.resize(1280, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QCOMPARE(w.openFilesBlocking({herm(), somas()}), QString());
        ConnectomeView* v = w.connectomeView();
        QTest::qWait(300);
        for (const char* name : {"AVAL", "AVAR", "AVHR", "RIML", "ADAL", "DB01"}) {
            const long id = w.graph()->findNode(name);
            QVERIFY(id >= 0);
            QVERIFY(w.connectomePanel()->findNeuron(name));
            // The flight (0.4 s, longer on a busy machine) ends with the neuron in the middle of the view.
            auto centred = [&] {
                const QPointF p = v->projectNode(id);
                return std::abs(p.x() - v->width() / 2.0) < 3 && std::abs(p.y() - v->height() / 2.0) < 3;
            };
            QTRY_VERIFY_WITH_TIMEOUT(centred(), 10000);
            QTest::qWait(100);
            v->update();
            QTRY_VERIFY_WITH_TIMEOUT(v->frameIsCurrent(), 5000);
            QVERIFY(centred());
            const QPointF at = v->projectNode(id);
            QTRY_COMPARE_WITH_TIMEOUT(v->highlightLabel(), QString::fromLatin1(name), 3000);
            QVERIFY(!v->highlightLabelRect().isEmpty());
            // The label sits beside the neuron, not over it.
            QVERIFY(!v->highlightLabelRect().contains(at));
            QVERIFY(!v->highlightLabelRect().intersects(QRectF(at - QPointF(4, 4), QSizeF(8, 8))));
            // Its position, and a few pixels off it (a hand is not exact), pick it.
            for (const QPoint off : {QPoint(0, 0), QPoint(2, -2), QPoint(-3, 1)}) {
                const long got = v->pickNode(at.toPoint() + off);
                QVERIFY2(got == id,
                         qPrintable(QStringLiteral("%1 (+%2,%3): picked %4")
                                        .arg(name)
                                        .arg(off.x())
                                        .arg(off.y())
                                        .arg(got >= 0 ? QString::fromStdString(w.graph()->names[size_t(got)])
                                                      : QStringLiteral("nothing"))));
            }
            // A real click there keeps it highlighted (not a neighbour).
            QTest::mouseClick(v, Qt::LeftButton, Qt::NoModifier, at.toPoint());
            QCOMPARE(v->highlightedNode(), id);
        }
        shot(&w, "found_aval");
    }
};

QTEST_MAIN(TestUsability)
#include "test_usability.moc"
