// Tiled offscreen renders: beyond the framebuffer limit VtkView::renderImage draws a grid of tiles and
// stitches them. With the limit forced down (VtkView::setMaxRenderSize) the connectome (imposter spheres and
// the CPU line splat), the vessels (sticks and splatted thin vessels, from the shared sample) and the neurons
// (sticks, spheres, GL lines) must give the same picture as one direct render, in perspective and parallel
// projection, and the figure's world units per pixel must not change. Timings of both are printed.
// With NR_TILES_PNG=DIR the direct and tiled images are written there.
#include <QElapsedTimer>
#include <QtTest>

#include <cmath>
#include <memory>
#include <random>
#include <vtkCamera.h>
#include <vtkRenderer.h>
#include <vtkScalarBarActor.h>

#include "model/Graph.h"
#include "morph/Morphology.h"
#include "vessel/VesselFormats.h"
#include "vtk/ConnectomeView.h"
#include "vtk/NeuronView.h"
#include "vtk/VesselView.h"

namespace {

// 400 nodes in a ball, 3000 random edges: lines in every direction cross every tile seam.
std::shared_ptr<const nr::Graph> ballGraph() {
    auto g = std::make_shared<nr::Graph>();
    std::mt19937 rng(7);
    std::normal_distribution<float> n(0.f, 20.f);
    const char* classes[] = {"sensory", "inter", "motor"};
    for (int i = 0; i < 400; ++i) {
        g->addNode("n" + std::to_string(i));
        g->x.push_back(n(rng));
        g->y.push_back(n(rng));
        g->z.push_back(n(rng));
        g->nodeClass.push_back(classes[i % 3]);
    }
    const uint8_t chem = g->typeIndex("chemical");
    std::uniform_int_distribution<uint32_t> pick(0, 399);
    for (int e = 0; e < 3000; ++e) {
        const uint32_t a = pick(rng), b = pick(rng);
        if (a != b) g->addEdge(a, b, 1.f + float(e % 5), chem);
    }
    return g;
}

std::shared_ptr<const nr::MorphologySet> neurons() {
    auto set = std::make_shared<nr::MorphologySet>();
    for (int k = 0; k < 3; ++k) {
        const double x0 = 60.0 * k;
        std::string text = "1 1 " + std::to_string(x0) + " 0 0 6 -1\n";
        int id = 2, parent = 1;
        for (int s = 1; s <= 12; ++s, ++id) { // a winding dendrite
            text += std::to_string(id) + " 3 " + std::to_string(x0 + 8 * std::sin(s * 0.7)) + " " +
                    std::to_string(8.0 * s) + " " + std::to_string(5 * std::cos(s * 0.5)) + " " +
                    std::to_string(2.0 - 0.12 * s) + " " + std::to_string(parent) + "\n";
            parent = id;
        }
        text += std::to_string(id) + " 2 " + std::to_string(x0 + 20) + " -40 0 0.7 1\n";
        auto m = nr::parseSwc(text, "n" + std::to_string(k) + ".swc");
        if (!m) qFatal("%s", m.error().str().c_str());
        set->neurons.push_back(m.value());
    }
    return set;
}

struct Diff {
    double meanAbs = 0;  // mean over pixels and channels, 0..255
    double fracOver = 0; // fraction of pixels where some channel differs by more than 48
};

Diff compare(const QImage& a0, const QImage& b0) {
    const QImage a = a0.convertToFormat(QImage::Format_RGBA8888),
                 b = b0.convertToFormat(QImage::Format_RGBA8888);
    Diff d;
    size_t over = 0;
    double sum = 0;
    for (int y = 0; y < a.height(); ++y) {
        const uchar *p = a.constScanLine(y), *q = b.constScanLine(y);
        for (int x = 0; x < a.width(); ++x) {
            int m = 0;
            for (int c = 0; c < 4; ++c) {
                const int v = std::abs(int(p[4 * x + c]) - int(q[4 * x + c]));
                sum += v;
                m = std::max(m, v);
            }
            over += m > 48;
        }
    }
    const double n = double(a.width()) * a.height();
    d.meanAbs = sum / (4 * n);
    d.fracOver = over / n;
    return d;
}

// Share of pixels that differ from the top-left (background) pixel: the picture is not empty.
double drawnFraction(const QImage& img) {
    const QRgb bg = img.pixel(0, 0);
    size_t n = 0;
    for (int y = 0; y < img.height(); ++y)
        for (int x = 0; x < img.width(); ++x) n += img.pixel(x, y) != bg;
    return double(n) / (double(img.width()) * img.height());
}

void save(const QImage& img, const QString& name) {
    const QByteArray dir = qgetenv("NR_TILES_PNG");
    if (!dir.isEmpty()) img.save(QString::fromLocal8Bit(dir) + "/" + name + ".png");
}

// Renders the view's figure direct and with tiles of 256, compares, and restores the limit.
void directVersusTiled(VtkView& view, const QString& name, bool transparent = false, QSize size = {900, 700},
                       int tile = 256, int expectTiles = 12) {
    VtkView::setMaxRenderSize(0);
    view.renderFigure(size, transparent); // warm-up: first-use shader compiles are not timed
    QElapsedTimer t;
    t.start();
    const QImage direct = view.renderFigure(size, transparent);
    const double directMs = t.nsecsElapsed() / 1e6;
    const double directUpp = view.lastFigureUnitsPerPixel();
    QCOMPARE(view.lastTiles(), 1);

    VtkView::setMaxRenderSize(tile);
    t.restart();
    const QImage tiled = view.renderFigure(size, transparent);
    const double tiledMs = t.nsecsElapsed() / 1e6;
    const double tiledUpp = view.lastFigureUnitsPerPixel();
    const int tiles = view.lastTiles();
    VtkView::setMaxRenderSize(0);
    save(direct, name + "_direct");
    save(tiled, name + "_tiled");

    // 900 x 700 in tiles of 256: 4 x 3 tiles of 225 x 234 (the last row reaches two pixels past the image).
    QCOMPARE(tiles, expectTiles);
    QCOMPARE(tiled.size(), size);
    QCOMPARE(direct.size(), size);
    QVERIFY2(drawnFraction(direct) > 0.02, qPrintable(name + ": the scene is empty"));
    QVERIFY(directUpp > 0);
    QCOMPARE(tiledUpp, directUpp);
    const Diff d = compare(direct, tiled);
    qInfo("%s: direct_ms=%.1f tiled_ms=%.1f tiles=%d mean_abs_diff=%.4f frac_over=%.5f", qPrintable(name),
          directMs, tiledMs, tiles, d.meanAbs, d.fracOver);
    // Rounding of projected positions may move an occasional edge pixel; a tile offset by one pixel or a
    // seam (a missing row or column) moves every line and sphere outline.
    QVERIFY2(d.meanAbs < 0.15, qPrintable(QString("%1: mean abs diff %2").arg(name).arg(d.meanAbs)));
    QVERIFY2(d.fracOver < 0.001, qPrintable(QString("%1: %2 of pixels differ").arg(name).arg(d.fracOver)));
}

} // namespace

class TestRenderTiles : public QObject {
    Q_OBJECT
private slots:
    void connectomeTiledEqualsDirect() {
        ConnectomeView view;
        view.resize(400, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.lod().setEnabled(false);
        view.setGraph(ballGraph());
        view.setColorBy("class");
        view.setWhiteBackground(true);
        VtkView::CameraState c;
        c.pos[0] = 90, c.pos[1] = -70, c.pos[2] = 40;
        c.up[0] = 0, c.up[1] = 0, c.up[2] = 1;
        view.setCamera(c);
        directVersusTiled(view, "connectome");
        // Transparent background: alpha is stitched too.
        directVersusTiled(view, "connectome_transparent", true);
        // Parallel projection: the parallel scale is split like the view angle.
        view.renderer()->GetActiveCamera()->ParallelProjectionOn();
        view.renderer()->ResetCamera();
        directVersusTiled(view, "connectome_parallel");
        // A print-sized image in tiles of 1024 (3 x 2 tiles of 800 x 900): the time tiling adds.
        view.renderer()->GetActiveCamera()->ParallelProjectionOff();
        view.setCamera(c);
        directVersusTiled(view, "connectome_2400x1800", false, QSize(2400, 1800), 1024, 6);
    }

    void vesselsTiledEqualsDirect() {
        const std::string dir = std::string(NR_SHARED_DATA) + "/vessel/";
        auto r = nr::readVesselCsvPair(dir + "example_nodes.csv", dir + "example_edges.csv");
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
        VesselView view;
        view.resize(400, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.lod().setEnabled(false);
        view.setGraph(std::make_shared<const nr::VesselGraph>(std::move(r.value())));
        view.scalarBar()->VisibilityOff(); // the figure draws its own key
        view.resetCamera();
        directVersusTiled(view, "vessels");
        // The pixel scale that splits vessels into cylinders and lines is the same in every tile.
        QVERIFY(view.lineEdgeCount() > 0);
        QVERIFY(view.cylinderEdgeCount() > 0);

        // The colour bar (a 2-D actor) is drawn once over the stitched scene, not once per tile: a tiled
        // image with the bar differs from one without it only where the bar is (a small part of the image).
        view.scalarBar()->VisibilityOn();
        VtkView::setMaxRenderSize(256);
        const QImage withBar = view.renderFigure(QSize(900, 700), false);
        view.scalarBar()->VisibilityOff();
        const QImage without = view.renderFigure(QSize(900, 700), false);
        VtkView::setMaxRenderSize(0);
        save(withBar, "vessels_bar_tiled");
        QVERIFY(view.scalarBar()->GetVisibility() == 0);
        const Diff bar = compare(withBar, without);
        QVERIFY2(bar.fracOver > 0.002 && bar.fracOver < 0.2, qPrintable(QString::number(bar.fracOver)));
    }

    void neuronsTiledEqualsDirect() {
        NeuronView view;
        view.resize(400, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setMorphologies(neurons());
        view.resetCamera();
        directVersusTiled(view, "neurons");
    }
};

QTEST_MAIN(TestRenderTiles)
#include "test_render_tiles.moc"
