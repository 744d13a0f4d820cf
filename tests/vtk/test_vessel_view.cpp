// VesselView: the real VesselGraph sample drawn as cylinders; radius threshold and clip give exact visible
// counts; picking returns the vessel under the pointer; while the camera moves at most the LOD budget is
// drawn and at rest everything. With NR_VESSEL_SCREENSHOT=FILE.png the sample's frame is written there.
#include <QtTest>

#include <cmath>
#include <memory>

#include <random>
#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkCellData.h>
#include <vtkFloatArray.h>
#include <vtkOpenGLStickMapper.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkScalarBarActor.h>

#include "vessel/VesselFormats.h"
#include "vtk/Lod.h"
#include "vtk/VesselView.h"

namespace {

const std::string kDir = std::string(NR_SHARED_DATA) + "/vessel/";

std::shared_ptr<const nr::VesselGraph> sample() {
    auto r = nr::readVesselCsvPair(kDir + "example_nodes.csv", kDir + "example_edges.csv");
    if (!r.ok()) qFatal("%s", r.error().str().c_str());
    return std::make_shared<const nr::VesselGraph>(std::move(r.value()));
}

// Three thick parallel vessels along x at y = -10, 0, 10 (radius 2), and a thin one far away.
std::shared_ptr<const nr::VesselGraph> threeVessels() {
    auto g = std::make_shared<nr::VesselGraph>();
    g->x = {-20, 20, -20, 20, -20, 20, 0, 1};
    g->y = {-10, -10, 0, 0, 10, 10, 40, 40};
    g->z = {0, 0, 0, 0, 0, 0, 0, 0};
    g->src = {0, 2, 4, 6};
    g->dst = {1, 3, 5, 7};
    g->setEdgeColumn("avgRadiusAvg", {2.f, 2.f, 2.f, 0.2f});
    g->setEdgeColumn("curveness", {1.0f, 1.1f, 1.2f, 1.3f});
    g->radiusColumn = "avgRadiusAvg";
    g->units = "um";
    g->computeBounds();
    return g;
}

// A grid of many short vessels (for the LOD budget).
std::shared_ptr<const nr::VesselGraph> grid(size_t side) {
    auto g = std::make_shared<nr::VesselGraph>();
    std::vector<float> r;
    for (size_t i = 0; i < side; ++i)
        for (size_t j = 0; j < side; ++j) {
            g->x.push_back(float(i));
            g->y.push_back(float(j));
            g->z.push_back(0);
        }
    for (size_t i = 0; i < side; ++i)
        for (size_t j = 0; j + 1 < side; ++j) {
            g->src.push_back(uint32_t(i * side + j));
            g->dst.push_back(uint32_t(i * side + j + 1));
            r.push_back(0.05f + 0.3f * float((i * 7 + j * 13) % 10) / 10.f);
        }
    g->setEdgeColumn("radius", r);
    g->radiusColumn = "radius";
    g->computeBounds();
    return g;
}

} // namespace

class TestVesselView : public QObject {
    Q_OBJECT
    std::unique_ptr<VesselView> view_;

private slots:
    void initTestCase() {
        view_ = std::make_unique<VesselView>();
        view_->resize(800, 600);
        view_->show();
        QVERIFY(QTest::qWaitForWindowExposed(view_.get()));
    }

    void sampleDrawsEveryVessel() {
        auto g = sample();
        view_->setGraph(g);
        vtkPolyData* poly = view_->edgePolyData();
        vtkOpenGLStickMapper* mapper = view_->edgeMapper();
        const QImage img = view_->grabFramebuffer();
        QCOMPARE(view_->visibleEdgeCount(), size_t(3062));
        QCOMPARE(view_->drawnEdgeCount(), size_t(3062));
        QCOMPARE(poly->GetNumberOfPoints(), vtkIdType(3062));
        QVERIFY(view_->edgeActor()->GetVisibility());
        QCOMPARE(view_->colorBarTitle(), std::string("avgRadiusAvg (voxel)"));
        QCOMPARE(std::string(view_->scalarBar()->GetTitle()), std::string("avgRadiusAvg\n(voxel)"));
        // Cylinder radius = avgRadiusAvg of that edge.
        auto* scale = vtkFloatArray::SafeDownCast(poly->GetPointData()->GetArray("scale"));
        QVERIFY(scale);
        QCOMPARE(scale->GetComponent(17, 1), double((*g->edgeColumn("avgRadiusAvg"))[17]));
        if (!qEnvironmentVariableIsEmpty("NR_VESSEL_SCREENSHOT")) {
            view_->grabFramebuffer(); // the overlay appears from its second frame
            view_->grabFramebuffer().save(qEnvironmentVariable("NR_VESSEL_SCREENSHOT"));
        }
        // Something was drawn: many pixels differ from the background.
        const QColor bg = img.pixelColor(2, img.height() - 3);
        int drawn = 0;
        for (int y = 0; y < img.height(); y += 4)
            for (int x = 0; x < img.width() * 8 / 10; x += 4) drawn += img.pixelColor(x, y) != bg;
        QVERIFY2(drawn > 2000, std::to_string(drawn).c_str());
        // Colour by another column: only the scalars change, the pipeline stays.
        QVERIFY(view_->setColorBy("curveness"));
        QVERIFY(!view_->setColorBy("no such column"));
        QCOMPARE(view_->colorBy(), std::string("curveness"));
        QCOMPARE(view_->colorBarTitle(), std::string("curveness"));
        QVERIFY(view_->setColorBy("volume"));
        QCOMPARE(view_->colorBarTitle(), std::string("volume (voxel^3)"));
        auto* sc = vtkFloatArray::SafeDownCast(poly->GetPointData()->GetScalars());
        QVERIFY(sc);
        QCOMPARE(sc->GetValue(5), (*g->edgeColumn("volume"))[5]);
        QVERIFY(view_->edgePolyData() == poly && view_->edgeMapper() == mapper);
        view_->grabFramebuffer();
    }

    void thresholdAndClipGiveExactCounts() {
        auto g = sample();
        view_->setGraph(g);
        vtkPolyData* poly = view_->edgePolyData();
        const auto& r = *g->edgeColumn("avgRadiusAvg");
        auto mid = [&](size_t e, int axis) {
            const auto& c = axis == 0 ? g->x : axis == 1 ? g->y : g->z;
            return 0.5f * (c[g->src[e]] + c[g->dst[e]]);
        };
        size_t thick = 0, slab = 0, both = 0, box = 0;
        for (size_t e = 0; e < g->edgeCount(); ++e) {
            const bool t = r[e] >= 3.f;
            const bool s = mid(e, 2) >= 100.f && mid(e, 2) <= 250.f;
            const bool b = mid(e, 0) >= -200 && mid(e, 0) <= -100 && mid(e, 1) >= -250 && mid(e, 1) <= -50 &&
                           mid(e, 2) >= 0 && mid(e, 2) <= 300;
            thick += t, slab += s, both += t && s, box += b;
        }
        QVERIFY(thick > 100 && thick < 3000 && slab > 100 && both > 10 && box > 10);
        view_->setRadiusRange(3.f);
        QCOMPARE(view_->visibleEdgeCount(), thick);
        QCOMPARE(poly->GetNumberOfPoints(), vtkIdType(thick));
        view_->setSlab(2, 100.f, 250.f);
        QCOMPARE(view_->visibleEdgeCount(), both);
        view_->setRadiusRange(-1.f);
        QCOMPARE(view_->visibleEdgeCount(), slab);
        const float b[6] = {-200, -100, -250, -50, 0, 300};
        view_->setClipBox(b);
        QCOMPARE(view_->visibleEdgeCount(), box);
        QCOMPARE(view_->drawnEdgeCount(), box);
        // Histograms describe what is visible.
        const nr::Histogram h = view_->visibleHistogram("radius", 12);
        size_t sum = 0;
        for (size_t c : h.counts) sum += c;
        QCOMPARE(sum, box);
        const nr::Histogram hl = view_->visibleHistogram("length", 5);
        sum = 0;
        for (size_t c : hl.counts) sum += c;
        QCOMPARE(sum, box);
        view_->clearClip();
        QCOMPARE(view_->visibleEdgeCount(), size_t(3062));
        QVERIFY(view_->edgePolyData() == poly); // arrays rewritten, the pipeline kept
        view_->grabFramebuffer();
    }

    void pickReturnsTheVesselUnderThePointer() {
        auto g = threeVessels();
        view_->setGraph(g);
        vtkCamera* cam = view_->renderer()->GetActiveCamera();
        cam->SetFocalPoint(0, 10, 0);
        cam->SetPosition(0, 10, 150);
        cam->SetViewUp(0, 1, 0);
        view_->renderer()->ResetCameraClippingRange();
        view_->grabFramebuffer();
        for (long e : {0L, 1L, 2L}) {
            const double p[3] = {5.0, double(g->y[g->src[size_t(e)]]), 0.0};
            const QPointF w = view_->project(p);
            QCOMPARE(view_->pickEdge(w.toPoint()), e);
        }
        // Between two vessels and far from all: nothing.
        const double gap[3] = {5.0, -5.0, 0.0};
        QCOMPARE(view_->pickEdge(view_->project(gap).toPoint()), -1L);
        // A click picks, highlights and lists the attributes.
        const double p1[3] = {-8.0, 0.0, 0.0};
        QSignalSpy spy(view_.get(), &VesselView::edgePicked);
        QTest::mouseClick(view_.get(), Qt::LeftButton, Qt::NoModifier, view_->project(p1).toPoint());
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).toLongLong(), 1LL);
        QCOMPARE(view_->pickedEdge(), 1L);
        const auto attrs = view_->edgeAttributes(1);
        bool hasCurveness = false;
        for (const auto& kv : attrs)
            hasCurveness |= kv.first == "curveness" && std::fabs(kv.second - 1.1) < 1e-6;
        QVERIFY(hasCurveness);
        // A thresholded-away vessel cannot be picked.
        view_->setRadiusRange(3.f);
        QCOMPARE(view_->visibleEdgeCount(), size_t(0));
        QCOMPARE(view_->pickEdge(view_->project(p1).toPoint()), -1L);
    }

    void lodBudgetWhileMovingFullAtRest() {
        auto g = grid(320); // 102,080 vessels
        view_->lod().setBudget(5000);
        view_->setGraph(g);
        view_->grabFramebuffer(); // at rest: everything
        QCOMPARE(view_->drawnEdgeCount(), g->edgeCount());
        QVERIFY(!view_->lod().moving());
        view_->setPickedEdge(12345);
        // Move the camera: the next frame draws the budget, thickest first, with the picked vessel.
        view_->renderer()->GetActiveCamera()->Azimuth(10);
        view_->grabFramebuffer();
        QVERIFY(view_->lod().moving());
        QVERIFY(view_->drawingBudget());
        QCOMPARE(view_->edgeActor()->GetMapper(), static_cast<vtkMapper*>(view_->lodMapper()));
        QVERIFY(!view_->lineProp()->GetVisibility());
        QCOMPARE(view_->linesDrawn(), size_t(0));
        QCOMPARE(view_->drawnEdgeCount(), size_t(5000));
        QCOMPARE(view_->lodPolyData()->GetNumberOfPoints(), vtkIdType(5000));
        const std::vector<uint32_t> sampleIds = lodSample(*g->edgeColumn("radius"), {}, 5000, 0.5, {12345});
        QVERIFY(std::binary_search(sampleIds.begin(), sampleIds.end(), 12345u));
        size_t thickest = 0;
        for (float r : *g->edgeColumn("radius")) thickest += r >= 0.05f + 0.3f * 0.9f - 1e-6f;
        QVERIFY(thickest > 2500); // the thickest class alone fills the thick share
        size_t inSample = 0;
        for (uint32_t e : sampleIds) inSample += (*g->edgeColumn("radius"))[e] >= 0.05f + 0.27f - 1e-6f;
        QVERIFY(inSample >= 2500);
        // Keep moving: still the budget.
        view_->renderer()->GetActiveCamera()->Azimuth(10);
        view_->grabFramebuffer();
        QCOMPARE(view_->drawnEdgeCount(), size_t(5000));
        // 150 ms after the last move: the full picture.
        QTest::qWait(view_->lod().restDelayMs() + 100);
        QVERIFY(!view_->lod().moving());
        view_->grabFramebuffer();
        QCOMPARE(view_->drawnEdgeCount(), g->edgeCount());
        QVERIFY(view_->edgeActor()->GetVisibility());
        QVERIFY(!view_->drawingBudget());
        QCOMPARE(view_->edgeActor()->GetMapper(), static_cast<vtkMapper*>(view_->edgeMapper()));
        // Seen whole, these vessels are thinner than a pixel: drawn as lines. Zoomed in, as cylinders.
        QCOMPARE(view_->cylinderEdgeCount() + view_->lineEdgeCount(), g->edgeCount());
        QVERIFY(view_->lineEdgeCount() > g->edgeCount() / 2);
        QCOMPARE(view_->linesDrawn(), view_->lineEdgeCount());
        QVERIFY(view_->lineProp()->GetVisibility());
        view_->renderer()->GetActiveCamera()->Zoom(40);
        view_->grabFramebuffer();
        QTest::qWait(view_->lod().restDelayMs() + 100);
        view_->grabFramebuffer();
        QCOMPARE(view_->lineEdgeCount(), size_t(0));
        QCOMPARE(view_->cylinderEdgeCount(), g->edgeCount());
        QCOMPARE(view_->drawnEdgeCount(), g->edgeCount());
        view_->lod().setBudget(150000);
    }

    // At rest, with the event loop idle, the view draws and times its moving budget once: the first moving
    // frame then knows the fixed cost of a frame (and uploads nothing). The picture at rest is unchanged.
    void restPreparesTheFirstMovingFrame() {
        VesselView view;
        view.resize(640, 480);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.lod().setTargetFrameMs(80, 2000, 50000);
        auto g = grid(320); // 102,080 vessels, more than the largest budget
        view.setGraph(g);
        view.grabFramebuffer();
        // Seen whole, most of these vessels are lines: the rest frame cannot tell what a cylinder costs.
        QVERIFY(view.lineEdgeCount() > view.cylinderEdgeCount());
        QCOMPARE(view.lod().msPerPrimitive(), 0.0);
        QTRY_VERIFY_WITH_TIMEOUT(view.lod().msPerPrimitive() > 0.0, 5000); // the budget frame told it
        QVERIFY(view.lod().budget() <= 50000);
        QVERIFY(!view.lod().moving());
        QCOMPARE(view.edgeActor()->GetMapper(), static_cast<vtkMapper*>(view.edgeMapper()));
        view.grabFramebuffer();
        QCOMPARE(view.drawnEdgeCount(), g->edgeCount());
    }

    void emptyAndRadiusless() {
        view_->setGraph(nullptr);
        view_->grabFramebuffer();
        QCOMPARE(view_->visibleEdgeCount(), size_t(0));
        QCOMPARE(view_->drawnEdgeCount(), size_t(0));
        QCOMPARE(view_->pickEdge(QPoint(10, 10)), -1L);
        // No radius column: a thin default radius, coloured by length, threshold ignored.
        auto g = std::make_shared<nr::VesselGraph>();
        g->x = {0, 10, 10};
        g->y = {0, 0, 10};
        g->z = {0, 0, 0};
        g->src = {0, 1};
        g->dst = {1, 2};
        g->computeBounds();
        view_->setGraph(g);
        view_->grabFramebuffer();
        QCOMPARE(view_->colorBy(), std::string("length"));
        QCOMPARE(view_->visibleEdgeCount(), size_t(2));
        view_->setRadiusRange(5.f);
        QCOMPARE(view_->visibleEdgeCount(), size_t(2));
        QCOMPARE(view_->drawnEdgeCount(), size_t(2));
    }

    void linesLookLikeGlLines() {
        // Random short vessels in a cube, all far thinner than a pixel except a few thick ones in front of
        // and behind them. The lines drawn on the CPU must give the picture GL lines give (same pixels,
        // colours and occlusion by the cylinders), within a few pixels at line ends.
        auto g = std::make_shared<nr::VesselGraph>();
        std::mt19937 rng(5);
        std::uniform_real_distribution<float> u(0.f, 100.f), d(-6.f, 6.f);
        for (int i = 0; i < 3000; ++i) {
            g->x.push_back(u(rng));
            g->y.push_back(u(rng));
            g->z.push_back(u(rng));
        }
        std::vector<float> r;
        for (uint32_t i = 0; i < 2999; ++i) {
            g->src.push_back(i);
            g->dst.push_back(i + 1);
            r.push_back(i % 100 == 0 ? 4.f : 0.002f + 0.001f * float(i % 7));
        }
        for (uint32_t i = 0; i + 1 < 3000; i += 3) { // short vessels to a nearby new node
            g->x.push_back(g->x[i] + d(rng));
            g->y.push_back(g->y[i] + d(rng));
            g->z.push_back(g->z[i] + d(rng));
            g->src.push_back(i);
            g->dst.push_back(uint32_t(g->x.size() - 1));
            r.push_back(0.005f);
        }
        g->setEdgeColumn("radius", r);
        g->radiusColumn = "radius";
        g->computeBounds();
        view_->setGraph(g);
        view_->setOverlayVisible(false);
        const QImage ours = view_->grabFramebuffer();
        QVERIFY(view_->lineEdgeCount() > 3000 && view_->cylinderEdgeCount() >= 20);
        QCOMPARE(view_->linesDrawn(), view_->lineEdgeCount());
        // The same lines as GL primitives, coloured through the view's lookup table.
        vtkNew<vtkPoints> pts;
        for (size_t i = 0; i < g->nodeCount(); ++i) pts->InsertNextPoint(g->x[i], g->y[i], g->z[i]);
        vtkNew<vtkCellArray> lines;
        vtkNew<vtkFloatArray> values;
        for (size_t e = 0; e < g->edgeCount(); ++e) {
            if (r[e] >= 1.f) continue;
            const vtkIdType ids[2] = {vtkIdType(g->src[e]), vtkIdType(g->dst[e])};
            lines->InsertNextCell(2, ids);
            values->InsertNextValue(r[e]);
        }
        vtkNew<vtkPolyData> poly;
        poly->SetPoints(pts);
        poly->SetLines(lines);
        poly->GetCellData()->SetScalars(values);
        vtkNew<vtkPolyDataMapper> mapper;
        mapper->SetInputData(poly);
        mapper->SetLookupTable(view_->scalarBar()->GetLookupTable());
        mapper->UseLookupTableScalarRangeOn();
        mapper->SetScalarModeToUseCellData();
        vtkNew<vtkActor> glLines;
        glLines->SetMapper(mapper);
        glLines->GetProperty()->LightingOff();
        view_->lineProp()->VisibilityOff();
        view_->renderer()->AddActor(glLines);
        const QImage gl = view_->grabFramebuffer();
        view_->renderer()->RemoveActor(glLines);
        view_->lineProp()->VisibilityOn();
        view_->setOverlayVisible(true);
        QCOMPARE(ours.size(), gl.size());
        const QRgb bg = gl.pixel(2, gl.height() - 3);
        size_t litOurs = 0, litGl = 0, differ = 0;
        for (int y = 0; y < gl.height(); ++y)
            for (int x = 0; x < gl.width() * 3 / 4; ++x) { // left of the colour bar
                const QRgb a = ours.pixel(x, y), b = gl.pixel(x, y);
                litOurs += a != bg;
                litGl += b != bg;
                const int m = std::max({std::abs(qRed(a) - qRed(b)), std::abs(qGreen(a) - qGreen(b)),
                                        std::abs(qBlue(a) - qBlue(b))});
                differ += m > 24;
            }
        QVERIFY2(litGl > 5000, std::to_string(litGl).c_str());
        QVERIFY2(differ * 20 < litGl, (std::to_string(differ) + " of " + std::to_string(litGl)).c_str());
        QVERIFY(litOurs * 20 > litGl * 19 && litOurs * 19 < litGl * 20);
    }

    void lodAdaptiveBudget() {
        // The default target, 65 ms: a frame at rest of 1,000,000 primitives in 1000 ms is 1 us each; before
        // any moving frame a quarter of the target is kept for the fixed part: 48,750.
        {
            LodController d;
            d.frameDrawn(1000000, 1000.0);
            QCOMPARE(d.budget(), size_t(48750));
        }
        // With an 80 ms target: a quarter of it (20 ms) is kept for the fixed part: 60,000.
        LodController lod;
        lod.setTargetFrameMs(80);
        lod.frameDrawn(1000000, 1000.0);
        QCOMPARE(lod.msPerPrimitive(), 0.001);
        QCOMPARE(lod.fixedMs(), -1.0);
        QCOMPARE(lod.budget(), size_t(60000));
        // A moving frame of 60,000 in 100 ms: 40 ms were fixed; the budget leaves 80 - 40 ms to primitives.
        lod.cameraMoved();
        QVERIFY(lod.moving());
        lod.frameDrawn(60000, 100.0);
        QCOMPARE(lod.fixedMs(), 40.0);
        QCOMPARE(lod.msPerPrimitive(), 0.001);
        QCOMPARE(lod.budget(), size_t(40000));
        // A much slower moving frame: the fixed part (mean 250 ms) is capped at three quarters of the target.
        lod.frameDrawn(40000, 500.0);
        QCOMPARE(lod.fixedMs(), 250.0);
        QCOMPARE(lod.budget(), size_t(20000));
        // At rest again, primitives got dearer (4 us): the cap leaves 20 ms, i.e. within the minimum.
        lod.settle();
        lod.frameDrawn(1000000, 7000.0);
        QCOMPARE(lod.msPerPrimitive(), 0.004);
        QCOMPARE(lod.budget(), size_t(5000));
        lod.setTargetFrameMs(80, 6000, 400000);
        lod.frameDrawn(1000000, 4000.0);
        QCOMPARE(lod.budget(), size_t(6000));
        // A budget frame drawn at rest (before any move) measures the fixed part too.
        LodController first;
        first.setTargetFrameMs(80);
        first.budgetFrameDrawn(60000, 90.0); // nothing known yet: ignored
        QCOMPARE(first.fixedMs(), -1.0);
        first.frameDrawn(1000000, 1000.0);
        first.budgetFrameDrawn(60000, 90.0);
        QVERIFY(!first.moving());
        QCOMPARE(first.fixedMs(), 30.0);
        QCOMPARE(first.budget(), size_t(50000));
        lod.settle();
    }

    void lodSampleRules() {
        const std::vector<float> w = {5, 1, 9, 3, 7, 2, 8, 4, 6, 0};
        const auto s = lodSample(w, {}, 4, 0.5, {1});
        QCOMPARE(s.size(), size_t(4));
        QVERIFY(std::binary_search(s.begin(), s.end(), 1u)); // always kept
        QVERIFY(std::binary_search(s.begin(), s.end(), 2u)); // weight 9
        QVERIFY(std::binary_search(s.begin(), s.end(), 6u)); // weight 8
        const auto all = lodSample(w, {3, 4}, 4);
        QCOMPARE(all, (std::vector<uint32_t>{3, 4}));
    }
};

QTEST_MAIN(TestVesselView)
#include "test_vessel_view.moc"
