// The Functional Connectivity dock driven as a user would: open the worm's traces with its connectome, look
// at the correlation matrix, run dynamic communities, play and pause, switch the 3-D colour mode, run
// structure vs function, and export each figure from the command line. Colours are read back from pixels.
#include <QDockWidget>
#include <QImage>
#include <QScreen>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <climits>
#include <cmath>
#include <map>
#include <set>

#include "ActivityDock.h"
#include "AppTestSupport.h"
#include "FunctionalDock.h"
#include "MainWindow.h"
#include "plots/HeatmapPainter.h"
#include "plots/MatrixPlot.h"
#include "plots/MembershipPlot.h"
#include "plots/PlotWidget.h"
#include "plots/ScatterPlot.h"
#include "plots/TracePlot.h"
#include "plugin/PluginRegistry.h"
#include "traces/TraceAnalysis.h"
#include "vtk/ConnectomeView.h"
#include <vtkUnsignedCharArray.h>

namespace {

using apptest::herm;
using apptest::kData;
using apptest::runApp;
using apptest::somas;

QString tracesFile() {
    return kData + QStringLiteral("/activity/atanas2023_traces.csv");
}

// Screenshots of every step when NR_SHOT_DIR is set (for looking at the window, not asserted).
void shot(QWidget* w, const QString& name) {
    const QByteArray dir = qgetenv("NR_SHOT_DIR");
    if (dir.isEmpty()) return;
    QTest::qWait(150);
    if (auto* plot = qobject_cast<PlotWidget*>(w)) { // the plot as it exports, with its axes and labels
        plot->renderImage(plot->size(), false)
            .save(QString::fromLocal8Bit(dir) + QLatin1Char('/') + name + QStringLiteral(".png"));
        return;
    }
    // What the X server shows (a widget grab leaves out what QPainter draws over GL content).
    QWidget* top = w->window();
    const QRect g = top->geometry();
    QImage img = top->screen()->grabWindow(0, g.x(), g.y(), g.width(), g.height()).toImage();
    if (img.isNull()) img = top->grab().toImage();
    img.save(QString::fromLocal8Bit(dir) + QLatin1Char('/') + name + QStringLiteral(".png"));
}

bool near(const QColor& a, const QColor& b, int tol) {
    return std::abs(a.red() - b.red()) <= tol && std::abs(a.green() - b.green()) <= tol &&
           std::abs(a.blue() - b.blue()) <= tol;
}

QString rgb(const QColor& c) {
    return QStringLiteral("(%1,%2,%3)").arg(c.red()).arg(c.green()).arg(c.blue());
}

// The pixel at the centre of a widget rectangle in a framebuffer grab.
QColor pixelAt(const QImage& img, const QRectF& r, double dpr) {
    return img.pixelColor((r.center() * dpr).toPoint());
}

// Opens the traces with the C. elegans connectome, and floats the dock large so cells are several pixels.
FunctionalDock* openAndFloat(MainWindow& w) {
    if (w.openFilesBlocking({tracesFile(), herm(), somas()}) != QString()) return nullptr;
    auto* fd = w.findChild<FunctionalDock*>();
    if (!fd) return nullptr;
    fd->show();
    fd->setFloating(true);
    fd->resize(1100, 950);
    fd->raise();
    return fd;
}

nr::Result<nr::Results> runPlugin(const std::string& name, const std::shared_ptr<const nr::Traces>& t,
                                  const std::map<std::string, std::string>& params) {
    static nr::PluginRegistry reg;
    if (reg.plugins().empty()) reg.load();
    const nr::AnalysisPlugin* p = reg.find(name);
    if (!p) return nr::Error{name, 0, "plugin not found"};
    nr::Inputs in;
    in.traces = t;
    in.source = tracesFile().toStdString();
    nr::Progress progress;
    return nr::PluginRegistry::run(*p, in, params, progress);
}

} // namespace

class TestFunctional : public QObject {
    Q_OBJECT

private slots:
    void matrixCellsAreTheColourMapOfR() {
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        FunctionalDock* fd = openAndFloat(w);
        QVERIFY(fd);
        fd->tabs()->setCurrentIndex(0);
        QVERIFY(QTest::qWaitForWindowExposed(fd));
        MatrixPlot* m = fd->matrixPlot();
        QTRY_VERIFY(m->isVisible() && m->height() > 500);
        const auto traces = w.activityDock()->traces();
        QVERIFY(traces);
        const size_t n = traces->neurons();
        QCOMPARE(size_t(m->count()), n);
        // Rows follow the heatmap's order.
        QCOMPARE(m->order(), w.activityDock()->plot()->rows());
        const long aval = traces->find("AVAL"), avar = traces->find("AVAR");
        QVERIFY(aval >= 0 && avar >= 0);
        const nr::CorrMatrix ref = nr::correlationMatrix(*traces);
        auto pos = [&](long i) {
            return int(std::find(m->order().begin(), m->order().end(), int(i)) - m->order().begin());
        };
        // The most negative pair too, so both sides of the diverging map are read back.
        size_t ni = 0, nj = 1;
        for (size_t i = 0; i < n; ++i)
            for (size_t j = i + 1; j < n; ++j)
                if (std::isfinite(ref.at(i, j)) && ref.at(i, j) < ref.at(ni, nj)) ni = i, nj = j;
        QVERIFY(ref.at(ni, nj) < -0.2);
        QVERIFY(ref.at(size_t(aval), size_t(avar)) > 0.9);
        auto checkCells = [&](const nr::CorrMatrix& want, const char* step) {
            m->update();
            QTest::qWait(100);
            const QImage img = m->grabFramebuffer();
            const double dpr = m->devicePixelRatioF();
            for (auto [i, j] : {std::pair<size_t, size_t>(size_t(aval), size_t(avar)), {ni, nj}, {nj, ni}}) {
                const int r = pos(long(i)), c = pos(long(j));
                const double v = want.at(i, j);
                QCOMPARE(m->valueAt(r, c), v);
                const QRectF cell = m->cellRect(r, c);
                QVERIFY2(cell.width() >= 4, step);
                // The colour map applied to r: RdBu at round((r + 1) / 2 * 255).
                const QColor expect = colormaps::diverging(std::floor((v + 1) / 2 * 255.0 + 0.5) / 255.0);
                QCOMPARE(m->colorForValue(v), expect);
                const QColor got = pixelAt(img, cell, dpr);
                QVERIFY2(near(got, expect, 2), qPrintable(QStringLiteral("%1: %2-%3 r=%4 pixel %5 want %6")
                                                              .arg(step)
                                                              .arg(QString::fromStdString(traces->names[i]))
                                                              .arg(QString::fromStdString(traces->names[j]))
                                                              .arg(v)
                                                              .arg(rgb(got), rgb(expect))));
            }
            // The colour bar: its top is +1 (dark red), its bottom -1 (dark blue).
            const QRectF bar = m->colorBarRect();
            QVERIFY(near(img.pixelColor(((bar.topLeft() + QPointF(bar.width() / 2, 1.5)) * dpr).toPoint()),
                         colormaps::diverging(1), 12));
            QVERIFY(
                near(img.pixelColor(((bar.bottomLeft() + QPointF(bar.width() / 2, -1.5)) * dpr).toPoint()),
                     colormaps::diverging(0), 12));
        };
        checkCells(ref, "pearson whole");
        QVERIFY(m->valueLabel().contains("Pearson"));
        shot(m, "fc-matrix-pearson");
        // Spearman in the window at the cursor: follows the cursor.
        w.activityDock()->plot()->setCursorTime(400.0);
        fd->setMethod(nr::CorrMethod::Spearman);
        fd->setRange(FunctionalDock::Range::CursorWindow, 120);
        const auto [b, e] = fd->matrixFrames();
        QVERIFY(b > 0 && e < traces->timepoints());
        const size_t c = w.activityDock()->plot()->cursorFrame();
        QVERIFY(b <= c && c < e);
        QCOMPARE(e - b, nr::secondsToSamples(*traces, 120));
        const nr::CorrMatrix win = nr::correlationMatrix(*traces, nr::CorrMethod::Spearman, b, e);
        QCOMPARE(fd->matrix().r.size(), win.r.size());
        for (size_t k = 0; k < win.r.size(); ++k)
            QVERIFY(fd->matrix().r[k] == win.r[k] || (std::isnan(fd->matrix().r[k]) && std::isnan(win.r[k])));
        QVERIFY(m->title().contains("Spearman"));
        ni = 0, nj = 1;
        for (size_t i = 0; i < n; ++i)
            for (size_t j = i + 1; j < n; ++j)
                if (std::isfinite(win.at(i, j)) && win.at(i, j) < win.at(ni, nj)) ni = i, nj = j;
        checkCells(win, "spearman window");
        shot(m, "fc-matrix-spearman-window");
        // Moving the cursor moves the window.
        w.activityDock()->plot()->setCursorTime(700.0);
        QVERIFY(fd->matrixFrames().first > b);
        // The heatmap sorted by correlation clustering: the matrix follows.
        w.activityDock()->plot()->setRowOrder(TracePlot::RowOrder::Correlation);
        QCOMPARE(m->order(), w.activityDock()->plot()->rows());
        QCOMPARE(m->order(), nr::correlationOrder(nr::correlationMatrix(*traces)));
    }

    void communitiesOverTimeAndIn3D() {
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        FunctionalDock* fd = openAndFloat(w);
        QVERIFY(fd);
        ActivityDock* a = w.activityDock();
        const auto traces = a->traces();
        QCOMPARE(a->colorMode(), ActivityDock::ColorMode::Activity);
        CommunityParams cp;
        cp.windowS = 60;
        cp.stepS = 10;
        fd->setCommunityParams(cp);
        QVERIFY(fd->runCommunities());
        QVERIFY(fd->busy());
        QVERIFY(fd->waitIdle(180000));
        const auto tl = fd->communities();
        QVERIFY(tl);
        QCOMPARE(fd->tabs()->currentIndex(), 1);
        // The same membership as the dynamic_communities analysis.
        auto res = runPlugin("dynamic_communities", traces, {{"window", "60"}, {"step", "10"}});
        QVERIFY2(res, res ? "" : res.error().str().c_str());
        const nr::MatrixResult& mem = res.value().matrices.at(0);
        QCOMPARE(mem.cols, tl->windows.size());
        QCOMPARE(mem.rows, traces->neurons());
        for (size_t i = 0; i < mem.rows; ++i)
            for (size_t k = 0; k < mem.cols; ++k)
                QCOMPARE(int(mem.values[i * mem.cols + k]), tl->result.labels[k][i]);
        QCOMPARE(int(res.value().scalar("labels")->value), tl->result.labelsUsed);
        // The membership plot: every cell's pixel is its community's colour.
        MembershipPlot* mp = fd->membershipPlot();
        QTRY_VERIFY(mp->isVisible() && mp->height() > 500);
        QCOMPARE(mp->windows(), int(tl->windows.size()));
        QCOMPARE(mp->order(), a->plot()->rows());
        mp->update();
        QTest::qWait(100);
        QImage img = mp->grabFramebuffer();
        double dpr = mp->devicePixelRatioF();
        size_t cells = 0;
        std::set<int> seen;
        for (int r = 0; r < mp->neurons(); ++r)
            for (int k = 0; k < mp->windows(); ++k) {
                const QRectF cr = mp->cellRect(r, k);
                QVERIFY(cr.width() >= 3 && cr.height() >= 3);
                const int label = tl->result.labels[size_t(k)][size_t(mp->order()[size_t(r)])];
                QCOMPARE(mp->labelAt(r, k), label);
                const QColor want = colormaps::community(label);
                QCOMPARE(mp->colorForLabel(label), want);
                const QColor got = pixelAt(img, cr, dpr);
                QVERIFY2(near(got, want, 1),
                         qPrintable(QStringLiteral("row %1 window %2 C%3: pixel %4 want %5")
                                        .arg(r)
                                        .arg(k)
                                        .arg(label)
                                        .arg(rgb(got), rgb(want))));
                seen.insert(label);
                ++cells;
            }
        QCOMPARE(cells, size_t(mp->neurons()) * size_t(mp->windows()));
        QVERIFY(seen.size() >= 2);
        // The legend lists each community with its swatch.
        QCOMPARE(mp->legend().size(), seen.size());
        for (size_t i = 0; i < mp->legend().size(); ++i) {
            const QRectF sw = mp->legendSwatch(i);
            if (sw.isEmpty()) continue;
            QVERIFY(near(pixelAt(img, sw, dpr), colormaps::community(mp->legend()[i].label), 1));
        }
        shot(mp, "communities");
        // The heatmap's "community" order groups neurons by their most frequent community.
        a->plot()->setRowOrder(TracePlot::RowOrder::Community);
        const auto cons = tl->consensus();
        const auto& rows = a->plot()->rows();
        for (size_t r = 1; r < rows.size(); ++r) {
            const int l0 = cons[size_t(rows[r - 1])], l1 = cons[size_t(rows[r])];
            QVERIFY((l0 < 0 ? INT_MAX : l0) <= (l1 < 0 ? INT_MAX : l1));
        }
        QCOMPARE(mp->order(), rows);

        // Play, pause: the 3-D network shows the communities of the window at the cursor.
        fd->setFloating(false);
        a->show();
        a->raise();
        QCOMPARE(a->colorMode(), ActivityDock::ColorMode::Community);
        a->plot()->setCursorTime(200.0);
        a->plot()->play(60.0);
        QTest::qWait(600);
        a->plot()->stop();
        QVERIFY(!a->plot()->playing());
        const double t = a->plot()->cursorTime();
        QVERIFY(t > 200.0);
        const int win = tl->windowAt(t);
        QVERIFY(win >= 0);
        QCOMPARE(mp->cursorWindow(), win);
        ConnectomeView* v = w.connectomeView();
        QVERIFY(v->hasNodeColorOverride());
        vtkUnsignedCharArray* colors = v->nodeColors();
        std::map<int, size_t> count;
        for (size_t i = 0; i < traces->neurons(); ++i) {
            const long node = a->join().target[i];
            if (node < 0) continue;
            const int label = tl->result.labels[size_t(win)][i];
            ++count[label];
            const QColor want = colormaps::community(label);
            QVERIFY(near(QColor(colors->GetValue(3 * node), colors->GetValue(3 * node + 1),
                                colors->GetValue(3 * node + 2)),
                         want, 2));
        }
        // The 3-D legend names the communities at the cursor in their colours (pixels of its swatches), and
        // last the grey of the nodes no trace is joined to, with their count.
        std::set<long> traced;
        for (long node : a->join().target)
            if (node >= 0) traced.insert(node);
        const size_t untraced = w.graph()->nodeCount() - traced.size();
        QVERIFY(untraced > 0); // the connectome has more neurons than the recording
        QCOMPARE(v->legend().size(), count.size() + 1);
        QCOMPARE(v->legend().back().label, std::string("no trace"));
        QCOMPARE(v->legend().back().count, untraced);
        for (size_t n = 0; n < w.graph()->nodeCount(); ++n)
            if (!traced.count(long(n))) {
                const auto& c = v->legend().back().color;
                QCOMPARE(
                    QColor(colors->GetValue(3 * n), colors->GetValue(3 * n + 1), colors->GetValue(3 * n + 2)),
                    QColor(c.r, c.g, c.b));
                break;
            }
        for (const auto& e : v->legend()) {
            if (e.label == "no trace") continue;
            const int label = e.label == "no community" ? -1 : std::stoi(e.label.substr(1));
            QVERIFY2(count.count(label), e.label.c_str());
            QCOMPARE(e.count, count[label]);
            const QColor want = colormaps::community(label);
            QCOMPARE(QColor(e.color.r, e.color.g, e.color.b), want);
        }
        v->update();
        QTRY_VERIFY_WITH_TIMEOUT(v->legendSwatches().size() >= v->legend().size(), 5000);
        QImage vi = v->grabFramebuffer();
        const double vdpr = v->devicePixelRatioF();
        for (const auto& e : v->legend()) {
            bool found = false;
            for (const auto& [label, rect] : v->legendSwatches())
                if (label == e.label) {
                    found = true;
                    QVERIFY2(near(pixelAt(vi, rect, vdpr), QColor(e.color.r, e.color.g, e.color.b), 3),
                             e.label.c_str());
                }
            QVERIFY2(found, e.label.c_str());
        }
        // The nodes themselves: at the projected centre of each matched neuron the pixel is nearest to its
        // own community's colour among the communities shown (spheres are shaded, neighbours may overlap).
        // Edges hidden, as a user looking at the neurons would.
        v->setEdgeFilter(0, INFINITY, {false, false});
        // Zoom onto the traced neurons (the head): the camera looks at their centroid from where it was.
        {
            const nr::Graph& g = *w.graph();
            double c[3] = {0, 0, 0}, r = 0;
            size_t k = 0;
            for (long node : a->join().target)
                if (node >= 0)
                    c[0] += g.x[size_t(node)], c[1] += g.y[size_t(node)], c[2] += g.z[size_t(node)], ++k;
            for (double& x : c) x /= double(std::max<size_t>(1, k));
            for (long node : a->join().target)
                if (node >= 0)
                    r = std::max(r, std::hypot(g.x[size_t(node)] - c[0], g.y[size_t(node)] - c[1],
                                               g.z[size_t(node)] - c[2]));
            ConnectomeView::CameraState cam = v->camera();
            double d[3] = {cam.pos[0] - cam.focal[0], cam.pos[1] - cam.focal[1], cam.pos[2] - cam.focal[2]};
            const double len = std::max(1e-9, std::hypot(d[0], d[1], d[2]));
            const double dist = 1.05 * r / std::tan(cam.viewAngle * M_PI / 360.0);
            for (int i = 0; i < 3; ++i) cam.focal[i] = c[i], cam.pos[i] = c[i] + d[i] / len * dist;
            v->setCamera(cam);
        }
        v->lod().settle();
        v->update();
        QTest::qWait(200);
        vi = v->grabFramebuffer();
        shot(&w, "communities-3d-nodes");
        shot(&w, "communities-3d");
        size_t judged = 0, right = 0;
        for (size_t i = 0; i < traces->neurons(); ++i) {
            const long node = a->join().target[i];
            if (node < 0) continue;
            const QPointF p = v->projectNode(node) * vdpr;
            if (!QRectF(vi.rect()).contains(p)) continue;
            // Only neurons in front at their centre (hardware pick), not hidden behind their neighbours.
            if (v->pickNode(v->projectNode(node).toPoint()) != node) continue;
            const QColor px = vi.pixelColor(p.toPoint());
            const int own = tl->result.labels[size_t(win)][i];
            int best = -2;
            double bestD = 1e9;
            for (const auto& [label, c] : count) {
                const QColor q = colormaps::community(label);
                // Compare chromaticity, so shading (brightness) does not matter.
                const double s1 = std::max(1, px.red() + px.green() + px.blue()),
                             s2 = std::max(1, q.red() + q.green() + q.blue());
                const double d = std::abs(px.red() / s1 - q.red() / s2) +
                                 std::abs(px.green() / s1 - q.green() / s2) +
                                 std::abs(px.blue() / s1 - q.blue() / s2);
                if (d < bestD) bestD = d, best = label;
            }
            ++judged;
            right += best == own;
            if (best != own) qDebug("%s C%d pixel %s", traces->names[i].c_str(), own, qPrintable(rgb(px)));
        }
        QVERIFY2(judged >= 10, qPrintable(QStringLiteral("%1 judged, %2 right").arg(judged).arg(right)));
        QVERIFY2(double(right) >= 0.7 * double(judged),
                 qPrintable(
                     QStringLiteral("%1 of %2 nodes show their community's colour").arg(right).arg(judged)));
        // Back to activity: the heatmap's colours again, no community legend.
        a->setColorMode(ActivityDock::ColorMode::Activity);
        const size_t frame = a->plot()->cursorFrame();
        colors = v->nodeColors();
        for (size_t i = 0; i < traces->neurons(); ++i) {
            const long node = a->join().target[i];
            if (node < 0) continue;
            const QColor want = a->plot()->colorForValue(traces->at(i, frame));
            QVERIFY(near(QColor(colors->GetValue(3 * node), colors->GetValue(3 * node + 1),
                                colors->GetValue(3 * node + 2)),
                         want, 2));
        }
        // Beside the colour bar only the grey entries: no trace, and NaN at the cursor when there is any.
        size_t nanHere = 0;
        for (size_t i = 0; i < traces->neurons(); ++i)
            nanHere += a->join().target[i] >= 0 && std::isnan(traces->at(i, frame));
        QVERIFY(!v->legend().empty());
        QCOMPARE(v->legend()[0].label, std::string("no trace"));
        QCOMPARE(v->legend()[0].count, untraced);
        QCOMPARE(v->legend().size(), size_t(nanHere > 0 ? 2 : 1));
        if (nanHere > 0) QCOMPARE(v->legend()[1].count, nanHere);
        const auto keys = v->figureKeys();
        QVERIFY(!keys.empty() && !keys[0].ramp.empty());
        QCOMPARE(keys[0].swatches.size(), v->legend().size());
        shot(&w, "activity-3d");
        // A small window: 1024x700 still shows the docks.
        w.resize(1024, 700);
        a->setColorMode(ActivityDock::ColorMode::Community);
        fd->show();
        fd->raise();
        QTest::qWait(300);
        QVERIFY(fd->membershipPlot()->isVisible() || fd->matrixPlot()->isVisible() ||
                fd->scatterPlot()->isVisible());
        shot(&w, "small-window");
        // The communities legend at this size: the swatches that fit, then "+N more" below the last of them
        // (not over it), inside the legend.
        {
            fd->tabs()->setCurrentIndex(1); // Communities
            QTest::qWait(100);
            const QRectF more = mp->legendMoreRect();
            QVERIFY(!more.isEmpty()); // 23 communities do not fit in 1024x700
            QVERIFY(mp->legendRect().adjusted(-1, -1, 1, 1).contains(more));
            size_t fit = 0;
            while (!mp->legendSwatch(fit).isEmpty()) {
                QVERIFY(mp->legendSwatch(fit).bottom() <= more.top());
                ++fit;
            }
            QVERIFY(fit >= 1 && fit < mp->legend().size());
        }
    }

    void structureFunctionIsThePlugins() {
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        FunctionalDock* fd = openAndFloat(w);
        QVERIFY(fd);
        QVERIFY(fd->runStructureFunction());
        QVERIFY(fd->waitIdle(120000));
        const nr::StructureFunction* sf = fd->structureFunction();
        QVERIFY(sf);
        auto res = runPlugin("structure_function", w.activityDock()->traces(),
                             {{"connectome", herm().toStdString()}, {"node_table", somas().toStdString()}});
        QVERIFY2(res, res ? "" : res.error().str().c_str());
        QCOMPARE(double(sf->pairs), res.value().scalar("pairs")->value);
        QCOMPARE(sf->r, res.value().scalar("r")->value);
        QCOMPARE(sf->p, res.value().scalar("p")->value);
        QVERIFY(sf->connected > 0 && sf->connected < sf->pairs);
        ScatterPlot* sp = fd->scatterPlot();
        QCOMPARE(sp->count(), sf->pairs);
        // The plot reports the same r and p.
        QVERIFY2(sp->statsText().contains(QStringLiteral("r = %1").arg(sf->r, 0, 'f', 4)),
                 qPrintable(sp->statsText()));
        QVERIFY2(sp->statsText().contains(QStringLiteral("p = %1").arg(sf->p, 0, 'g', 4)),
                 qPrintable(sp->statsText()));
        QVERIFY(sp->title().contains(QString::number(sf->pairs)));
        QVERIFY(!sp->xTitle().isEmpty() && !sp->yTitle().isEmpty());
        // Synapse counts span decades: the weight axis is logarithmic.
        QVERIFY(sp->logX());
        // A connected pair's dot is drawn where the plot says.
        QTRY_VERIFY(sp->isVisible() && sp->height() > 500);
        size_t k = 0;
        while (k < sf->weight.size() && !(sf->weight[k] > 0)) ++k;
        QVERIFY(k < sf->weight.size());
        sp->update();
        QTest::qWait(100);
        const QImage img = sp->grabFramebuffer();
        const QColor px = img.pixelColor((sp->pointPos(k) * sp->devicePixelRatioF()).toPoint());
        QVERIFY2(px.blue() > px.red() + 30, qPrintable(rgb(px))); // the blue of connected pairs, not white
        shot(sp, "structure-function");
        // Chemical synapses only changes the weights and the statistic.
        StructureFunctionParams p = fd->structureParams();
        p.synapses = nr::SynapseKind::Chemical;
        fd->setStructureParams(p);
        QVERIFY(fd->runStructureFunction());
        QVERIFY(fd->waitIdle(120000));
        auto chem = runPlugin("structure_function", w.activityDock()->traces(),
                              {{"connectome", herm().toStdString()},
                               {"node_table", somas().toStdString()},
                               {"synapses", "chemical"}});
        QVERIFY(chem);
        QCOMPARE(fd->structureFunction()->r, chem.value().scalar("r")->value);
        QVERIFY(fd->structureFunction()->r != sf->r || fd->structureFunction()->connected != sf->connected);
    }

    void figuresExportHeadless() {
        QTemporaryDir dir;
        for (const QString& view : FunctionalDock::figureNames()) {
            const QString out = dir.filePath(view + ".png");
            const auto r = runApp(
                {"export", tracesFile(), herm(), somas(), "--view", view, "--out", out, "--size", "900x700"},
                300000);
            QVERIFY2(r.code == 0, qPrintable(view + ": " + r.err));
            const QImage img(out);
            QCOMPARE(img.size(), QSize(900, 700));
            // Not blank: many distinct colours.
            std::set<QRgb> colours;
            for (int y = 0; y < img.height(); y += 3)
                for (int x = 0; x < img.width(); x += 3) colours.insert(img.pixel(x, y));
            QVERIFY2(colours.size() > 8, qPrintable(view));
            if (const QByteArray d = qgetenv("NR_SHOT_DIR"); !d.isEmpty())
                img.save(QString::fromLocal8Bit(d) + "/export-" + view + ".png");
        }
        // Without a connectome there is no structure-function figure, and the message says why.
        const auto r =
            runApp({"export", tracesFile(), "--view", "structure-function", "--out", dir.filePath("sf.png")});
        QVERIFY(r.code != 0);
        QVERIFY2(r.err.contains("connectome"), qPrintable(r.err));
    }
};

QTEST_MAIN(TestFunctional)
#include "test_functional.moc"
