// ConnectomeView and VtkView under a real GL context (run under xvfb-run with Mesa llvmpipe).
#include <QDir>
#include <QFile>
#include <QImage>
#include <QLineF>
#include <QSignalSpy>
#include <QTest>
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <tuple>

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkCellData.h>
#include <vtkFloatArray.h>
#include <vtkOpenGLSphereMapper.h>
#include <vtkPointData.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkRenderer.h>
#include <vtkTypeInt32Array.h>
#include <vtkUnsignedCharArray.h>

#include "model/Graph.h"
#include "vtk/ConnectomeView.h"
#include "vtk/LineSplat.h"

namespace {

// Six nodes well apart in the z = 0 plane plus one off-plane node; two classes, two edge types.
//   id  name  pos            class
//   0   a     (0, 0, 0)      A
//   1   b     (10, 0, 0)     A
//   2   c     (0, 10, 0)     B
//   3   d     (10, 10, 0)    B
//   4   e     (5, 5, 0)      A
//   5   f     (-10, 5, 2)    B
// edges (src -> dst, weight, type): 0->1 1 chem, 1->2 2 chem, 2->3 3 elec, 3->0 4 elec, 4->0 0.5 chem,
//   1->4 5 elec, 4->3 2.5 chem, 5->4 1.5 elec
std::shared_ptr<nr::Graph> smallGraph() {
    auto g = std::make_shared<nr::Graph>();
    const char* names[] = {"a", "b", "c", "d", "e", "f"};
    const float pos[6][3] = {{0, 0, 0}, {10, 0, 0}, {0, 10, 0}, {10, 10, 0}, {5, 5, 0}, {-10, 5, 2}};
    const char* cls[] = {"A", "A", "B", "B", "A", "B"};
    for (int i = 0; i < 6; ++i) {
        g->addNode(names[i]);
        g->x.push_back(pos[i][0]);
        g->y.push_back(pos[i][1]);
        g->z.push_back(pos[i][2]);
        g->nodeClass.push_back(cls[i]);
    }
    const uint8_t chem = g->typeIndex("chemical"), elec = g->typeIndex("electrical");
    g->addEdge(0, 1, 1.f, chem);
    g->addEdge(1, 2, 2.f, chem);
    g->addEdge(2, 3, 3.f, elec);
    g->addEdge(3, 0, 4.f, elec);
    g->addEdge(4, 0, 0.5f, chem);
    g->addEdge(1, 4, 5.f, elec);
    g->addEdge(4, 3, 2.5f, chem);
    g->addEdge(5, 4, 1.5f, elec);
    g->nodeNumeric["score"] = {0.f, 1.f, 2.f, 3.f, 4.f, 5.f};
    return g;
}

// A fixed camera looking down -z at the small graph.
VtkView::CameraState topCamera() {
    VtkView::CameraState c;
    c.pos[0] = 0;
    c.pos[1] = 5;
    c.pos[2] = 60;
    c.focal[0] = 0;
    c.focal[1] = 5;
    c.focal[2] = 0;
    c.up[0] = 0;
    c.up[1] = 1;
    c.up[2] = 0;
    c.viewAngle = 30;
    return c;
}

int countDiffering(const QImage& img, QRgb bg, int tol = 24) {
    int n = 0;
    for (int y = 0; y < img.height(); ++y)
        for (int x = 0; x < img.width(); ++x) {
            const QRgb p = img.pixel(x, y);
            if (std::abs(qRed(p) - qRed(bg)) + std::abs(qGreen(p) - qGreen(bg)) +
                    std::abs(qBlue(p) - qBlue(bg)) >
                tol)
                ++n;
        }
    return n;
}

double luminance(vtkUnsignedCharArray* a, vtkIdType i) {
    return 0.2126 * a->GetComponent(i, 0) + 0.7152 * a->GetComponent(i, 1) + 0.0722 * a->GetComponent(i, 2);
}

std::array<int, 3> rgbOf(vtkUnsignedCharArray* a, vtkIdType i) {
    return {int(a->GetComponent(i, 0)), int(a->GetComponent(i, 1)), int(a->GetComponent(i, 2))};
}

// 300 nodes on a sphere shell and `m` distinct directed edges: edge e joins s = e % 300 to
// (s + 1 + e / 300) % 300, so a (source, target) pair names its edge. Weights are a scrambled ramp in (0, 1).
constexpr uint32_t kRing = 300;
std::shared_ptr<nr::Graph> ringGraph(size_t m) {
    auto g = std::make_shared<nr::Graph>();
    for (uint32_t i = 0; i < kRing; ++i) {
        g->addNode("n" + std::to_string(i));
        const double t = 2 * M_PI * i / kRing, u = M_PI * ((i * 37) % kRing) / kRing;
        g->x.push_back(float(100 * std::cos(t) * std::sin(u)));
        g->y.push_back(float(100 * std::sin(t) * std::sin(u)));
        g->z.push_back(float(100 * std::cos(u)));
    }
    const uint8_t chem = g->typeIndex("chemical"), elec = g->typeIndex("electrical");
    for (size_t e = 0; e < m; ++e) {
        const uint32_t s = uint32_t(e % kRing), d = uint32_t((s + 1 + e / kRing) % kRing);
        g->addEdge(s, d, float((e * 7919) % 10007 + 1) / 10008.f, e % 3 ? chem : elec);
    }
    return g;
}

size_t ringEdgeId(uint32_t s, uint32_t d) {
    return size_t((d + kRing - s - 1) % kRing) * kRing + s;
}

} // namespace

class TestConnectomeView : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<ConnectomeView> view_;
    std::shared_ptr<nr::Graph> graph_;

private slots:
    void init() {
        view_ = std::make_unique<ConnectomeView>();
        view_->resize(400, 300);
        view_->show();
        QVERIFY(QTest::qWaitForWindowExposed(view_.get()));
        graph_ = smallGraph();
        view_->setGraph(graph_);
        view_->setCamera(topCamera());
        QCoreApplication::processEvents();
    }
    void cleanup() { view_.reset(); }

    void rendersNonBlankImageOfRequestedSize() {
        // Larger than the widget on purpose.
        const QSize size(1100, 700);
        const QImage img = view_->renderImage(size, false);
        QCOMPARE(img.size(), size);
        const QRgb bg = img.pixel(0, 0);
        const int n = countDiffering(img, bg);
        QVERIFY2(n > 2000, qPrintable(QStringLiteral("only %1 non-background pixels").arg(n)));
        // The widget keeps rendering at its own size afterwards.
        const QImage widgetImg = view_->grabFramebuffer();
        QCOMPARE(widgetImg.size(), view_->size() * view_->devicePixelRatio());
        QVERIFY(countDiffering(widgetImg, widgetImg.pixel(widgetImg.width() - 1, widgetImg.height() - 1)) >
                200);
    }

    void picksNodeAtItsProjectedPosition() {
        view_->grabFramebuffer();
        for (long id = 0; id < 6; ++id) {
            const QPointF p = view_->projectNode(id);
            QVERIFY(QRectF(view_->rect()).contains(p));
            QCOMPARE(view_->pickNode(p.toPoint()), id);
        }
        // Corner and a point half-way between two nodes are empty.
        QCOMPARE(view_->pickNode(QPoint(3, 3)), -1L);
        const QPointF mid = (view_->projectNode(0) + view_->projectNode(5)) / 2.0 + QPointF(0, 25);
        QCOMPARE(view_->pickNode(mid.toPoint()), -1L);
    }

    void clickHighlightsAndEmits() {
        view_->grabFramebuffer();
        QSignalSpy clicked(view_.get(), &ConnectomeView::nodeClicked);
        const QPoint p = view_->projectNode(4).toPoint();
        QTest::mouseClick(view_.get(), Qt::LeftButton, Qt::NoModifier, p);
        QCOMPARE(clicked.count(), 1);
        QCOMPARE(clicked.at(0).at(0).toLongLong(), 4LL);
        QCOMPARE(view_->highlightedNode(), 4L);
        QSignalSpy selected(view_.get(), &ConnectomeView::selectionChanged);
        QTest::mouseClick(view_.get(), Qt::LeftButton, Qt::ShiftModifier, view_->projectNode(2).toPoint());
        QCOMPARE(selected.count(), 1);
        QCOMPARE(view_->selection(), std::vector<uint32_t>{2});
    }

    void filterChangesVisibleEdgesWithoutRebuild() {
        vtkPolyData* poly = view_->edgePolyData();
        vtkCellArray* lines = poly->GetLines();
        vtkUnsignedCharArray* colors = view_->edgeColors();
        QCOMPARE(view_->visibleEdgeCount(), size_t(8));
        QCOMPARE(poly->GetNumberOfLines(), vtkIdType(8));
        QVERIFY(!lines->IsStorage64Bit());

        // Weights in [1, 2.5]: 0->1 (1), 1->2 (2), 4->3 (2.5), 5->4 (1.5).
        view_->setEdgeFilter(1.f, 2.5f, {true, true});
        QCOMPARE(view_->visibleEdgeCount(), size_t(4));
        QCOMPARE(poly->GetNumberOfLines(), vtkIdType(4));
        const int expected[4][2] = {{0, 1}, {1, 2}, {4, 3}, {5, 4}};
        vtkTypeInt32Array* conn = lines->GetConnectivityArray32();
        for (int i = 0; i < 4; ++i) {
            QCOMPARE(int(conn->GetValue(2 * i)), expected[i][0]);
            QCOMPARE(int(conn->GetValue(2 * i + 1)), expected[i][1]);
        }
        QCOMPARE(colors->GetNumberOfTuples(), vtkIdType(4));

        // Only electrical (type 1): 2->3, 3->0, 1->4, 5->4.
        view_->setEdgeFilter(-1e9f, 1e9f, {false, true});
        QCOMPARE(view_->visibleEdgeCount(), size_t(4));
        // Electrical with weight >= 3: 2->3, 3->0, 1->4.
        view_->setEdgeFilter(3.f, 1e9f, {false, true});
        QCOMPARE(view_->visibleEdgeCount(), size_t(3));
        view_->setEdgeFilter(100.f, 200.f, {true, true});
        QCOMPARE(view_->visibleEdgeCount(), size_t(0));
        view_->grabFramebuffer(); // renders with no edges
        view_->setEdgeFilter(-1e9f, 1e9f, {true, true});
        QCOMPARE(view_->visibleEdgeCount(), size_t(8));

        QCOMPARE(view_->edgePolyData(), poly);
        QCOMPARE(poly->GetLines(), lines);
        QCOMPARE(view_->edgeColors(), colors);
        QCOMPARE(poly->GetCellData()->GetScalars(), static_cast<vtkDataArray*>(colors));
        // The line splat draws exactly these lines in these colours (in its own order).
        LineSplat* splat = view_->edgeSplat();
        QCOMPARE(splat->lineCount(), size_t(8));
        conn = lines->GetConnectivityArray32();
        std::vector<std::tuple<uint32_t, uint32_t, uint32_t>> drawn, cells;
        for (size_t i = 0; i < 8; ++i) {
            drawn.emplace_back(splat->ends()[2 * i], splat->ends()[2 * i + 1], splat->colors()[i]);
            const unsigned char* c = colors->GetPointer(vtkIdType(3 * i));
            cells.emplace_back(uint32_t(conn->GetValue(vtkIdType(2 * i))),
                               uint32_t(conn->GetValue(vtkIdType(2 * i + 1))),
                               LineSplat::rgba(c[0], c[1], c[2]));
        }
        std::sort(drawn.begin(), drawn.end());
        std::sort(cells.begin(), cells.end());
        QVERIFY(drawn == cells);
        view_->grabFramebuffer();
        QCOMPARE(splat->lastDrawn(), size_t(8));
    }

    void edgeColoursByTypeAndSource() {
        vtkUnsignedCharArray* c = view_->edgeColors();
        // Edge 0 is chemical, edge 2 electrical.
        QVERIFY(rgbOf(c, 0) != rgbOf(c, 2));
        QCOMPARE(rgbOf(c, 0), rgbOf(c, 1)); // both chemical
        view_->setColorBy("class");
        view_->setEdgeColoring(ConnectomeView::EdgeColoring::BySource);
        QCOMPARE(view_->edgeColors(), c);
        // Edge 0 starts at node 0 (class A), edge 2 at node 2 (class B), edge 4 at node 4 (class A).
        QCOMPARE(rgbOf(c, 0), rgbOf(c, 4));
        QVERIFY(rgbOf(c, 0) != rgbOf(c, 2));
        // At full opacity an edge has exactly its source node's colour.
        view_->setEdgeOpacity(1.f);
        QCOMPARE(rgbOf(c, 0), rgbOf(view_->nodeColors(), 0));
        QCOMPARE(rgbOf(c, 2), rgbOf(view_->nodeColors(), 2));
        // Lower opacity mixes towards the (dark) background.
        const double full = luminance(c, 2);
        view_->setEdgeOpacity(0.2f);
        QVERIFY(luminance(c, 2) < full * 0.5);
        QCOMPARE(view_->edgeColors(), c);
    }

    void colourByClassGivesDistinctColours() {
        vtkUnsignedCharArray* colors = view_->nodeColors();
        QVERIFY(view_->setColorBy("class"));
        QCOMPARE(view_->nodeColors(), colors);
        QCOMPARE(colors->GetNumberOfTuples(), vtkIdType(6));
        QCOMPARE(rgbOf(colors, 0), rgbOf(colors, 1)); // A
        QCOMPARE(rgbOf(colors, 0), rgbOf(colors, 4)); // A
        QCOMPARE(rgbOf(colors, 2), rgbOf(colors, 3)); // B
        QVERIFY(rgbOf(colors, 0) != rgbOf(colors, 2));
        // Numeric column: increasing values give increasing brightness on the viridis-like map.
        QVERIFY(view_->setColorBy("score"));
        QVERIFY(luminance(colors, 5) > luminance(colors, 0) + 50);
        QVERIFY(!view_->setColorBy("no such column"));
        QCOMPARE(view_->colorBy(), std::string("score"));
        // A column added by name (e.g. community ids).
        view_->setNodeColumn("community", {0, 0, 0, 1, 1, 1});
        QVERIFY(view_->setColorBy("community"));
        QCOMPARE(rgbOf(colors, 0), rgbOf(colors, 2));
        QVERIFY(rgbOf(colors, 0) != rgbOf(colors, 3));
    }

    void highlightDimsNonPartners() {
        view_->setColorBy("class");
        vtkUnsignedCharArray* nc = view_->nodeColors();
        std::vector<double> before;
        for (int i = 0; i < 6; ++i) before.push_back(luminance(nc, i));
        // Node 4: presynaptic partners 1 (1->4) and 5 (5->4); postsynaptic 0 (4->0) and 3 (4->3). Node 2 is
        // not a partner.
        view_->highlightNode(4);
        QVERIFY(luminance(nc, 2) < before[2] * 0.5);
        const auto pre1 = rgbOf(nc, 1), pre5 = rgbOf(nc, 5), post0 = rgbOf(nc, 0), post3 = rgbOf(nc, 3);
        QCOMPARE(pre1, pre5);
        QCOMPARE(post0, post3);
        QVERIFY(pre1 != post0);
        QVERIFY(luminance(nc, 4) > 200);
        for (int i : {0, 1, 3, 5}) QVERIFY(luminance(nc, i) > luminance(nc, 2) * 2);
        // Edges: 1->2 (index 1) and 2->3 (index 2) are not incident to node 4 and are dimmed; 1->4 (index 5,
        // into the node) and 4->3 (index 6, out of it) keep pre and post colours.
        vtkUnsignedCharArray* ec = view_->edgeColors();
        QCOMPARE(rgbOf(ec, 5), pre1);
        QCOMPARE(rgbOf(ec, 6), post0);
        QVERIFY(luminance(ec, 1) < 40);
        QVERIFY(luminance(ec, 6) > luminance(ec, 1) * 3);
        // Radii: the highlighted node is the largest.
        auto* radius = vtkFloatArray::SafeDownCast(view_->nodePolyData()->GetPointData()->GetArray("radius"));
        QVERIFY(radius);
        QVERIFY(radius->GetValue(4) > radius->GetValue(1));
        view_->highlightNode(-1);
        for (int i = 0; i < 6; ++i) QCOMPARE(luminance(nc, i), before[i]);
    }

    void selectionAndActivityAreArrayUpdates() {
        auto* radius = vtkFloatArray::SafeDownCast(view_->nodePolyData()->GetPointData()->GetArray("radius"));
        vtkUnsignedCharArray* nc = view_->nodeColors();
        const float r0 = radius->GetValue(1);
        QCOMPARE(r0, view_->nodeRadius());
        const double l0 = luminance(nc, 1);
        view_->setSelection({1, 3});
        QVERIFY(radius->GetValue(1) > r0 * 1.2f);
        QVERIFY(luminance(nc, 1) > l0);
        QCOMPARE(radius->GetValue(0), r0);
        view_->setSelection({});

        std::vector<float> act(6, 0.f);
        act[2] = 1.f;
        const double l2 = luminance(nc, 2);
        view_->setActivity(act);
        QVERIFY(luminance(nc, 2) > l2 + 30);
        QVERIFY(radius->GetValue(2) > r0 * 1.3f);
        QCOMPARE(radius->GetValue(3), r0);
        QCOMPARE(view_->nodeColors(), nc);
        view_->setActivity({});
        QCOMPARE(radius->GetValue(2), r0);
        QCOMPARE(view_->nodeMapper()->GetInput(), view_->nodePolyData());

        view_->setNodeSize(2.f);
        QCOMPARE(radius->GetValue(0), 2.f * r0);
    }

    void cameraRoundTrip() {
        VtkView::CameraState c = topCamera();
        c.pos[0] = 7;
        c.viewAngle = 25;
        view_->setCamera(c);
        const VtkView::CameraState d = view_->camera();
        QCOMPARE(d.pos[0], 7.0);
        QCOMPARE(d.pos[2], 60.0);
        QCOMPARE(d.focal[1], 5.0);
        QCOMPARE(d.viewAngle, 25.0);
        view_->flyTo(3);
        QTRY_COMPARE_WITH_TIMEOUT(view_->camera().focal[0], 10.0, 3000);
        QCOMPARE(view_->camera().focal[1], 10.0);
        const QPointF p = view_->projectNode(3);
        QVERIFY(std::abs(p.x() - view_->width() / 2.0) < 3);
        QVERIFY(std::abs(p.y() - view_->height() / 2.0) < 3);
    }

    void transparentBackgroundExport() {
        const QImage img = view_->renderImage(QSize(300, 200), true);
        QCOMPARE(img.size(), QSize(300, 200));
        QVERIFY(img.hasAlphaChannel());
        for (QPoint p : {QPoint(0, 0), QPoint(299, 0), QPoint(0, 199), QPoint(299, 199)})
            QCOMPARE(qAlpha(img.pixel(p)), 0);
        int opaque = 0;
        for (int y = 0; y < img.height(); ++y)
            for (int x = 0; x < img.width(); ++x) opaque += qAlpha(img.pixel(x, y)) > 200;
        QVERIFY2(opaque > 100, qPrintable(QString::number(opaque)));
        const QImage solid = view_->renderImage(QSize(300, 200), false);
        QCOMPARE(qAlpha(solid.pixel(0, 0)), 255);
    }

    void whiteBackground() {
        view_->setWhiteBackground(true);
        const QImage img = view_->renderImage(QSize(200, 150), false);
        QCOMPARE(img.pixel(0, 0), qRgb(255, 255, 255));
        view_->setWhiteBackground(false);
        const QImage dark = view_->renderImage(QSize(200, 150), false);
        QVERIFY(qGray(dark.pixel(0, 0)) < 40);
    }

    void lodBudgetWhileMovingFullAtRest() {
        const size_t m = 20000, budget = 2000;
        auto g = ringGraph(m);
        const size_t nodeBudget = 200;
        view_->lod().setBudget(budget);
        view_->setLodNodeBudget(nodeBudget);
        view_->setGraph(g);
        view_->grabFramebuffer(); // the first frame of a graph: everything, at rest
        QVERIFY(!view_->lod().moving());
        QCOMPARE(view_->drawnEdgeCount(), m);
        QCOMPARE(view_->drawnNodeCount(), size_t(kRing));
        QVERIFY(view_->edgeSplat()->GetVisibility());
        QVERIFY(!view_->lodEdgeSplat()->GetVisibility());
        QVERIFY(view_->nodeActor()->GetVisibility());
        QVERIFY(!view_->lodNodesShown());
        const long hub = 7;
        view_->highlightNode(hub);

        // The sampled edges of the budget actor, by edge id, with their colours checked against the full
        // actor's colour of the same edge (the full actor lists the visible edges in edge order).
        auto sampled = [&](const std::vector<size_t>& fullIds) {
            vtkPolyData* lp = view_->lodEdgePolyData();
            vtkCellArray* lines = lp->GetLines();
            auto* conn = lines->GetConnectivityArray32();
            auto* lc = vtkUnsignedCharArray::SafeDownCast(lp->GetCellData()->GetScalars());
            std::vector<size_t> ids;
            if (!lc || lc->GetNumberOfTuples() != lines->GetNumberOfCells()) return ids;
            std::vector<long> slot(m, -1);
            for (size_t j = 0; j < fullIds.size(); ++j) slot[fullIds[j]] = long(j);
            for (vtkIdType c = 0; c < lines->GetNumberOfCells(); ++c) {
                const size_t e =
                    ringEdgeId(uint32_t(conn->GetValue(2 * c)), uint32_t(conn->GetValue(2 * c + 1)));
                if (slot[e] < 0 || rgbOf(lc, c) != rgbOf(view_->edgeColors(), slot[e]))
                    return std::vector<size_t>();
                ids.push_back(e);
            }
            return ids;
        };
        std::vector<size_t> all(m);
        for (size_t e = 0; e < m; ++e) all[e] = e;

        // Moving: the frame draws the budget actor only, at most `budget` edges, with the strongest edge and
        // every edge of the highlighted node.
        view_->renderer()->GetActiveCamera()->Azimuth(10);
        const QImage movingFrame = view_->grabFramebuffer();
        QVERIFY(view_->lod().moving());
        QVERIFY(view_->lodEdgeSplat()->GetVisibility());
        QVERIFY(!view_->edgeSplat()->GetVisibility());
        QVERIFY(view_->drawnEdgeCount() <= budget);
        QVERIFY(view_->drawnEdgeCount() > budget / 2);
        std::vector<size_t> ids = sampled(all);
        QCOMPARE(ids.size(), view_->drawnEdgeCount());
        size_t strongest = 0, hubEdges = 0, hubDrawn = 0;
        for (size_t e = 0; e < m; ++e) {
            if (g->weight[e] > g->weight[strongest]) strongest = e;
            hubEdges += g->src[e] == hub || g->dst[e] == hub;
        }
        for (size_t e : ids) hubDrawn += g->src[e] == hub || g->dst[e] == hub;
        QVERIFY(hubEdges > 100);
        QCOMPARE(hubDrawn, hubEdges);
        QVERIFY(std::find(ids.begin(), ids.end(), strongest) != ids.end());
        // The budget nodes: at most the node budget, with the hub and all its partners, in the full colours.
        QVERIFY(view_->lodNodesShown());
        QCOMPARE(view_->lodEdgeSplat()->lastDrawnDiscs(), view_->drawnNodeCount());
        QVERIFY(!view_->nodeActor()->GetVisibility());
        QVERIFY(view_->drawnNodeCount() <= nodeBudget);
        vtkPolyData* np = view_->lodNodePolyData();
        QCOMPARE(size_t(np->GetNumberOfPoints()), view_->drawnNodeCount());
        auto* nc = vtkUnsignedCharArray::SafeDownCast(np->GetPointData()->GetScalars());
        QVERIFY(nc && nc->GetNumberOfTuples() == np->GetNumberOfPoints());
        std::vector<char> nodeDrawn(kRing, 0);
        for (vtkIdType j = 0; j < np->GetNumberOfPoints(); ++j) {
            double q[3];
            np->GetPoint(j, q);
            long id = -1;
            for (uint32_t i = 0; i < kRing && id < 0; ++i)
                if (float(q[0]) == g->x[i] && float(q[1]) == g->y[i] && float(q[2]) == g->z[i]) id = long(i);
            QVERIFY(id >= 0);
            QCOMPARE(rgbOf(nc, j), rgbOf(view_->nodeColors(), id));
            nodeDrawn[size_t(id)] = 1;
        }
        QVERIFY(nodeDrawn[hub]);
        // The budget nodes are discs of the budget splat: the centre pixel of a partner of the hub (lit
        // head-on there) shows the node's colour over the edges that end in it. The partner: away from the
        // hub's label and the overlay windows, the farthest on screen from any other drawn node.
        {
            const double dpr = view_->devicePixelRatioF();
            const QPointF hubAt = view_->projectNode(hub);
            long best = -1;
            double bestGap = 0;
            for (uint32_t i = 0; i < kRing; ++i) {
                const QPointF p = view_->projectNode(i);
                const bool partner = i != hub && (std::find_if(ids.begin(), ids.end(), [&](size_t e) {
                                                      return (g->src[e] == hub && g->dst[e] == i) ||
                                                             (g->dst[e] == hub && g->src[e] == i);
                                                  }) != ids.end());
                if (!partner || !nodeDrawn[i] || p.x() < view_->width() / 2.0 ||
                    QLineF(p, hubAt).length() < 40)
                    continue;
                double gap = 1e9;
                for (uint32_t j = 0; j < kRing; ++j)
                    if (j != i && nodeDrawn[j])
                        gap = std::min(gap, QLineF(p, view_->projectNode(j)).length());
                if (gap > bestGap) bestGap = gap, best = long(i);
            }
            QVERIFY(best >= 0);
            const QPoint c = (view_->projectNode(best) * dpr).toPoint();
            QVERIFY(movingFrame.rect().contains(c));
            const QRgb px = movingFrame.pixel(c);
            const auto want = rgbOf(view_->nodeColors(), best);
            const int got[3] = {qRed(px), qGreen(px), qBlue(px)};
            for (int k = 0; k < 3; ++k)
                QVERIFY2(std::abs(got[k] - want[size_t(k)]) <= 16,
                         qPrintable(QString("node %1 channel %2: %3, node colour %4")
                                        .arg(best)
                                        .arg(k)
                                        .arg(got[k])
                                        .arg(want[size_t(k)])));
        }
        for (size_t e = 0; e < m; ++e)
            if (g->src[e] == hub || g->dst[e] == hub) QVERIFY(nodeDrawn[g->src[e]] && nodeDrawn[g->dst[e]]);
        // The strong share plus about half of the uniform rest is above the median weight (a uniform
        // sample alone would put about half of it there).
        size_t strong = 0;
        for (size_t e : ids) strong += g->weight[e] > 0.5f;
        QVERIFY2(strong > budget * 6 / 10, qPrintable(QString::number(strong)));

        // Filter and colour changes while moving: the budget follows the visible edges and their colours.
        view_->highlightNode(-1);
        view_->setEdgeFilter(0.6f, 2.f, {});
        view_->setEdgeColoring(ConnectomeView::EdgeColoring::BySource);
        view_->renderer()->GetActiveCamera()->Azimuth(10);
        view_->grabFramebuffer();
        QVERIFY(view_->lod().moving());
        std::vector<size_t> visible;
        for (size_t e = 0; e < m; ++e)
            if (g->weight[e] >= 0.6f) visible.push_back(e);
        QCOMPARE(view_->visibleEdgeCount(), visible.size());
        QVERIFY(view_->drawnEdgeCount() <= budget);
        ids = sampled(visible);
        QCOMPARE(ids.size(), view_->drawnEdgeCount());
        for (size_t e : ids) QVERIFY(g->weight[e] >= 0.6f);

        // 150 ms after the last move: every visible edge.
        QTest::qWait(view_->lod().restDelayMs() + 100);
        QVERIFY(!view_->lod().moving());
        view_->grabFramebuffer();
        QCOMPARE(view_->drawnEdgeCount(), visible.size());
        QVERIFY(view_->edgeSplat()->GetVisibility());
        QVERIFY(!view_->lodEdgeSplat()->GetVisibility());
        QCOMPARE(size_t(view_->edgePolyData()->GetNumberOfCells()), visible.size());
        QCOMPARE(view_->drawnNodeCount(), size_t(kRing));
        QVERIFY(view_->nodeActor()->GetVisibility());
        QVERIFY(!view_->lodNodesShown());

        // Few enough visible edges for the budget: moving frames draw them all.
        view_->setEdgeFilter(0.95f, 2.f, {});
        QVERIFY(view_->visibleEdgeCount() < budget);
        view_->renderer()->GetActiveCamera()->Azimuth(10);
        view_->grabFramebuffer();
        QVERIFY(view_->lod().moving());
        QCOMPARE(view_->drawnEdgeCount(), view_->visibleEdgeCount());
        QVERIFY(view_->edgeSplat()->GetVisibility());
        // Edges hidden by the opacity stay hidden while moving.
        view_->setEdgeFilter(0.f, 2.f, {});
        view_->setEdgeOpacity(0.f);
        view_->renderer()->GetActiveCamera()->Azimuth(10);
        view_->grabFramebuffer();
        QCOMPARE(view_->drawnEdgeCount(), size_t(0));
    }

    void overlayDrawsInItsCorner() {
        view_->setOverlayVisible(false);
        const QImage off = view_->grabFramebuffer();
        view_->setOverlayVisible(true);
        view_->grabFramebuffer(); // auto-sized ImGui windows appear from their second frame
        const QImage on = view_->grabFramebuffer();
        QCOMPARE(on.size(), off.size());
        int differ = 0;
        for (int y = 0; y < 60; ++y)
            for (int x = 0; x < 120; ++x) differ += on.pixel(x, y) != off.pixel(x, y);
        QVERIFY2(differ > 300, qPrintable(QString::number(differ)));
        // The opposite corner has no overlay.
        int far = 0;
        for (int y = on.height() - 40; y < on.height(); ++y)
            for (int x = on.width() - 60; x < on.width(); ++x) far += on.pixel(x, y) != off.pixel(x, y);
        QCOMPARE(far, 0);
        QVERIFY(view_->lastFrameMs() > 0);
    }
    void overlayGrowsWithItsContent() {
        // A longer legend title: the first frame after the change draws the auto-sized legend at its old
        // width (ImGui measures in one frame and resizes in the next); the view asks for the next frame
        // itself and is not "current" before it, so that screenshots never catch the legend clipped.
        view_->resize(700, 500);
        QTRY_VERIFY(view_->frameIsCurrent());
        for (int i = 0; i < 3; ++i) view_->grabFramebuffer(); // the overlay's first frames (font atlas) done
        QTRY_VERIFY(view_->frameIsCurrent());
        auto legendWidth = [this] {
            const auto& r = view_->overlayRects();
            return r.size() >= 2 ? r[1].width() : 0.0;
        };
        const double before = legendWidth();
        QVERIFY(before > 0);
        const std::string title = "activity at the cursor, a title much longer than the legend was";
        view_->setNodeColors(std::vector<QColor>(graph_->nodeCount(), QColor(200, 100, 50)), title);
        view_->grabFramebuffer();
        // Either the frame drawn was at the old width and the view knows it is not current yet (the next
        // frame is on its way), or the legend already has its final width: never "current" while clipped.
        const bool currentAtOnce = view_->frameIsCurrent();
        const double first = legendWidth();
        QTRY_VERIFY(view_->frameIsCurrent());
        const double grown = legendWidth();
        QVERIFY2(grown > before + 30, qPrintable(QStringLiteral("%1 -> %2").arg(before).arg(grown)));
        if (currentAtOnce) QCOMPARE(first, grown);
        view_->grabFramebuffer();
        QCOMPARE(legendWidth(), grown); // settled: nothing more to do
        QVERIFY(view_->frameIsCurrent());
    }
};

QTEST_MAIN(TestConnectomeView)
#include "test_connectome_view.moc"
