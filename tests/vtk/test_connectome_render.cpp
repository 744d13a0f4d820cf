// Rendering against a baseline image, and the view on the real C. elegans connectome.
//
// Baseline comparison: the view renders a fixed graph with a fixed camera offscreen at 400x300 and the
// result is compared with tests/vtk/baselines/connectome_helix_400x300.png by the mean absolute
// difference per channel (R, G, B over all pixels, 0..255). The test fails above kMaxMeanDiff = 3.0:
// small enough to catch a missing actor, a wrong colour map or a moved camera (each gives > 10), large
// enough for rasterisation differences between Mesa versions. On failure the actual image is written next
// to the test binary as connectome_helix_400x300.actual.png. A missing baseline is an error unless
// NR_UPDATE_BASELINES=1, which writes it.
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QTest>
#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <vtkUnsignedCharArray.h>

#include "ImageDiff.h"
#include "formats/Open.h"
#include "io/GraphIO.h"
#include "model/Graph.h"
#include "vtk/ConnectomeView.h"

namespace {

constexpr double kMaxMeanDiff = 3.0;

// 48 nodes on a helix, ring edges i -> i+1 (chemical) and chords i -> i+7 (electrical); three classes.
std::shared_ptr<nr::Graph> helixGraph() {
    auto g = std::make_shared<nr::Graph>();
    const int n = 48;
    const char* classes[] = {"sensory", "inter", "motor"};
    for (int i = 0; i < n; ++i) {
        g->addNode("h" + std::to_string(i));
        const double t = i * 0.35;
        g->x.push_back(float(10 * std::cos(t)));
        g->y.push_back(float(10 * std::sin(t)));
        g->z.push_back(float(i * 0.8 - 19));
        g->nodeClass.push_back(classes[i % 3]);
    }
    const uint8_t chem = g->typeIndex("chemical"), elec = g->typeIndex("electrical");
    for (int i = 0; i + 1 < n; ++i) g->addEdge(uint32_t(i), uint32_t(i + 1), 1.f + i % 4, chem);
    for (int i = 0; i + 7 < n; ++i) g->addEdge(uint32_t(i), uint32_t(i + 7), 2.f, elec);
    return g;
}

// C. elegans: the hermaphrodite edge list (herm_full_edgelist.csv, 448 cells: 300 neurons and 148
// muscle and other cells) read with nr::readGraph, the soma table (celegans_somas.csv: 302 neurons and the
// muscle cell MDL08) joined with nr::readNodeTable. The view shows the cells that have a soma position: a
// graph of those neurons and the edges between them.
struct Worm {
    nr::Graph full; // the edge list with the table joined (NaN positions where no soma)
    nr::JoinReport join;
    std::shared_ptr<nr::Graph> graph; // neurons with positions only
    size_t droppedEdges = 0;          // edges of `full` with an end without a position
};

Worm readWorm(const std::string& dir) {
    Worm w;
    auto r = nr::openGraph(dir + "/herm_full_edgelist.csv");
    if (!r.ok()) qFatal("%s", r.error().str().c_str());
    w.full = std::move(r).value();
    auto j = nr::readNodeTable(dir + "/celegans_somas.csv", w.full);
    if (!j.ok()) qFatal("%s", j.error().str().c_str());
    w.join = j.value();

    const nr::Graph& f = w.full;
    auto g = std::make_shared<nr::Graph>();
    std::vector<long> newId(f.nodeCount(), -1);
    for (size_t i = 0; i < f.nodeCount(); ++i) {
        if (!std::isfinite(f.x[i]) || !std::isfinite(f.y[i]) || !std::isfinite(f.z[i])) continue;
        newId[i] = long(g->addNode(f.names[i]));
        g->x.push_back(f.x[i]);
        g->y.push_back(f.y[i]);
        g->z.push_back(f.z[i]);
        g->nodeClass.push_back(f.nodeClass.empty() ? std::string() : f.nodeClass[i]);
    }
    for (size_t e = 0; e < f.edgeCount(); ++e) {
        const long s = newId[f.src[e]], d = newId[f.dst[e]];
        if (s < 0 || d < 0) {
            ++w.droppedEdges;
            continue;
        }
        g->addEdge(uint32_t(s), uint32_t(d), f.weight[e], g->typeIndex(f.edgeTypes[f.type[e]]));
    }
    w.graph = g;
    return w;
}

} // namespace

class TestConnectomeRender : public QObject {
    Q_OBJECT
private slots:
    void matchesBaselineImage() {
        ConnectomeView view;
        view.resize(320, 240);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setGraph(helixGraph());
        view.setColorBy("class");
        VtkView::CameraState c;
        c.pos[0] = 55;
        c.pos[1] = -45;
        c.pos[2] = 25;
        c.up[0] = 0;
        c.up[1] = 0;
        c.up[2] = 1;
        c.viewAngle = 30;
        view.setCamera(c);
        const QImage actual = view.renderImage(QSize(400, 300), false).convertToFormat(QImage::Format_RGB32);
        QCOMPARE(actual.size(), QSize(400, 300));

        const QString name = QStringLiteral("connectome_helix_400x300");
        const QString baselinePath = QStringLiteral(NR_TEST_SOURCE_DIR "/vtk/baselines/%1.png").arg(name);
        const QString actualPath = QCoreApplication::applicationDirPath() + "/" + name + ".actual.png";
        if (!QFile::exists(baselinePath)) {
            if (qgetenv("NR_UPDATE_BASELINES") == "1") {
                QVERIFY(QDir().mkpath(QFileInfo(baselinePath).path()));
                QVERIFY(actual.save(baselinePath));
                qInfo("wrote baseline %s", qPrintable(baselinePath));
            } else {
                actual.save(actualPath);
                QFAIL(qPrintable(QStringLiteral("missing baseline %1 (actual image: %2; run with "
                                                "NR_UPDATE_BASELINES=1 to write it)")
                                     .arg(baselinePath, actualPath)));
            }
        }
        const QImage baseline = QImage(baselinePath).convertToFormat(QImage::Format_RGB32);
        QCOMPARE(baseline.size(), actual.size());
        const double diff = nrtest::meanAbsRgbDiff(actual, baseline);
        if (diff > kMaxMeanDiff) actual.save(actualPath);
        QVERIFY2(diff <= kMaxMeanDiff,
                 qPrintable(QStringLiteral("mean abs difference %1 > %2; actual image: %3")
                                .arg(diff)
                                .arg(kMaxMeanDiff)
                                .arg(actualPath)));
        // The comparison is sensitive: the same scene with another colouring is far from the baseline.
        view.setColorBy("degree");
        const QImage other = view.renderImage(QSize(400, 300), false).convertToFormat(QImage::Format_RGB32);
        QVERIFY(nrtest::meanAbsRgbDiff(other, baseline) > kMaxMeanDiff / 3);
    }

    void realWormConnectome() {
        const Worm w = readWorm(NR_SHARED_DATA "/connectome");
        // The reader sees every row of the edge list and all 448 cells in it.
        QCOMPARE(w.full.edgeCount(), size_t(7379));
        QCOMPARE(w.full.nodeCount(), size_t(448));
        QCOMPARE(w.full.edgeTypes.size(), size_t(2));
        // The table joins on its padded spelling (AS01 as in the edge list): the 300 neurons of the edge
        // list match; CANL, CANR (no synapses) and the muscle cell MDL08 are table-only; the 148 muscle and
        // other cells have no soma.
        QCOMPARE(w.join.keyColumn, std::string("name_padded"));
        QCOMPARE(w.join.matched, size_t(300));
        std::vector<std::string> tableOnly = w.join.tableOnly;
        std::sort(tableOnly.begin(), tableOnly.end());
        QCOMPARE(tableOnly, (std::vector<std::string>{"CANL", "CANR", "MDL08"}));
        QCOMPARE(w.join.graphOnly.size(), size_t(148));
        QVERIFY(w.full.findNode("AS01") >= 0 && w.full.findNode("dBWML1") >= 0);
        QVERIFY(std::isnan(w.full.x[size_t(w.full.findNode("dBWML1"))]));
        // Every neuron carries its cell type from the table.
        const long avalFull = w.full.findNode("AVAL");
        QVERIFY(avalFull >= 0);
        QCOMPARE(w.full.nodeClass[size_t(avalFull)], std::string("Interneuron"));

        QVERIFY(w.graph);
        const nr::Graph& g = *w.graph;
        QCOMPARE(g.nodeCount(), size_t(300));
        QVERIFY(g.hasPositions());
        QVERIFY(g.edgeCount() > 3000 && g.edgeCount() + w.droppedEdges == 7379);

        ConnectomeView view;
        view.resize(640, 480);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setGraph(w.graph);
        QCOMPARE(view.visibleEdgeCount(), g.edgeCount());
        // Looking down the body axis from the side keeps the left/right pairs apart.
        VtkView::CameraState c;
        c.focal[1] = 50;
        c.pos[0] = 0;
        c.pos[1] = 50;
        c.pos[2] = 1500;
        c.viewAngle = 30;
        view.setCamera(c);
        view.resetCamera();

        const QImage img = view.renderImage(QSize(800, 600), false);
        const QRgb bg = img.pixel(0, 0);
        int lit = 0;
        for (int y = 0; y < img.height(); ++y)
            for (int x = 0; x < img.width(); ++x) lit += img.pixel(x, y) != bg;
        QVERIFY2(lit > 5000, qPrintable(QString::number(lit)));

        // Pick the neuron whose projection is farthest from any other: it must come back from pickNode.
        view.grabFramebuffer();
        long loneliest = -1;
        double best = 0;
        std::vector<QPointF> p(g.nodeCount());
        for (size_t i = 0; i < g.nodeCount(); ++i) p[i] = view.projectNode(long(i));
        for (size_t i = 0; i < g.nodeCount(); ++i) {
            if (!QRectF(view.rect()).adjusted(10, 10, -10, -10).contains(p[i])) continue;
            double nearest = 1e9;
            for (size_t j = 0; j < g.nodeCount(); ++j)
                if (j != i) nearest = std::min(nearest, std::hypot(p[i].x() - p[j].x(), p[i].y() - p[j].y()));
            if (nearest > best) best = nearest, loneliest = long(i);
        }
        QVERIFY(loneliest >= 0 && best > 6);
        QCOMPARE(view.pickNode(p[size_t(loneliest)].toPoint()), loneliest);

        // Highlighting AVAL keeps exactly AVAL and its partners bright.
        const long aval = g.findNode("AVAL");
        QVERIFY(aval >= 0);
        std::set<uint32_t> partners;
        for (size_t e = 0; e < g.edgeCount(); ++e) {
            if (g.src[e] == uint32_t(aval)) partners.insert(g.dst[e]);
            if (g.dst[e] == uint32_t(aval)) partners.insert(g.src[e]);
        }
        partners.erase(uint32_t(aval));
        QVERIFY(partners.size() > 20);
        view.setColorBy("class");
        vtkUnsignedCharArray* nc = view.nodeColors();
        std::vector<std::array<int, 3>> before(g.nodeCount());
        for (size_t i = 0; i < g.nodeCount(); ++i)
            for (int k = 0; k < 3; ++k) before[i][size_t(k)] = int(nc->GetComponent(vtkIdType(i), k));
        view.highlightNode(aval);
        size_t unchangedOrBright = 0, dimmed = 0;
        for (size_t i = 0; i < g.nodeCount(); ++i) {
            int sumBefore = 0, sumAfter = 0;
            for (int k = 0; k < 3; ++k) {
                sumBefore += before[i][size_t(k)];
                sumAfter += int(nc->GetComponent(vtkIdType(i), k));
            }
            if (sumAfter < sumBefore / 2)
                ++dimmed;
            else
                ++unchangedOrBright;
        }
        QCOMPARE(unchangedOrBright, partners.size() + 1);
        QCOMPARE(dimmed, g.nodeCount() - partners.size() - 1);
    }
};

QTEST_MAIN(TestConnectomeRender)
#include "test_connectome_render.moc"
