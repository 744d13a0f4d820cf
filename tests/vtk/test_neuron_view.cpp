// Meshing of label volumes and the neuron view: surfaces of a voxelised sphere, thin processes kept, instance
// picking and neuron picking in the rendered view; the source image as three slices beside the labels (pixels
// read back, slice position, opacity, the labels' frame).
#include <QApplication>
#include <QtTest>
#include <cmath>
#include <map>
#include <vtkActor.h>
#include <vtkDiscreteFlyingEdges3D.h>
#include <vtkImageData.h>
#include <vtkImageSlice.h>
#include <vtkMassProperties.h>
#include <vtkPointData.h>
#include <vtkPolyData.h>
#include <vtkProperty.h>
#include <vtkTriangleFilter.h>
#include <vtkUnsignedCharArray.h>

#include "io/ReaderRegistry.h"
#include "morph/ImageVolume.h"
#include "morph/LabelVolume.h"
#include "morph/Morphology.h"
#include "vtk/LabelMesher.h"
#include "vtk/NeuronView.h"
#include "vtk/SurfaceMesh.h"

using namespace nr;

namespace {

// A label map with a ball of radius r (voxel centres within r of the centre) labelled 1, and optionally a
// one-voxel-wide straight process labelled 2.
LabelVolume ballVolume(int n, double r, double voxel, bool process) {
    LabelVolume v;
    v.nz = v.ny = v.nx = size_t(n);
    v.voxelSize[0] = v.voxelSize[1] = v.voxelSize[2] = voxel;
    v.bytesPerVoxel = 1;
    v.labelData.assign(v.voxelCount(), 0);
    const double c = (n - 1) / 2.0;
    for (int z = 0; z < n; ++z)
        for (int y = 0; y < n; ++y)
            for (int x = 0; x < n; ++x)
                if ((x - c) * (x - c) + (y - c) * (y - c) + (z - c) * (z - c) <= r * r)
                    v.labelData[size_t((z * n + y) * n + x)] = 1;
    if (process)
        for (int x = 2; x < n - 2; ++x) v.labelData[size_t((2 * n + 2) * n + x)] = 2;
    computeInstances(v);
    return v;
}

void areaVolume(vtkPolyData* p, double& area, double& volume) {
    vtkNew<vtkTriangleFilter> t;
    t->SetInputData(p);
    vtkNew<vtkMassProperties> mp;
    mp->SetInputConnection(t->GetOutputPort());
    mp->Update();
    area = mp->GetSurfaceArea();
    volume = mp->GetVolume();
}

// Two label-map balls (labels 1 and 2) far apart in a 40 x 40 x 80 volume.
LabelVolume twoBalls() {
    LabelVolume v;
    v.nz = 40, v.ny = 40, v.nx = 80;
    v.bytesPerVoxel = 1;
    v.labelData.assign(v.voxelCount(), 0);
    for (int z = 0; z < 40; ++z)
        for (int y = 0; y < 40; ++y)
            for (int x = 0; x < 80; ++x) {
                const double d1 = (x - 18) * (x - 18) + (y - 20) * (y - 20) + (z - 20) * (z - 20);
                const double d2 = (x - 60) * (x - 60) + (y - 20) * (y - 20) + (z - 20) * (z - 20);
                if (d1 <= 100) v.labelData[size_t((z * 40 + y) * 80 + x)] = 1;
                if (d2 <= 64) v.labelData[size_t((z * 40 + y) * 80 + x)] = 2;
            }
    computeInstances(v);
    return v;
}

// Two small neurons: a soma with a dendrite that forks, one around x = 0 and one around x = 100.
std::shared_ptr<const MorphologySet> twoNeurons() {
    auto set = std::make_shared<MorphologySet>();
    for (int k = 0; k < 2; ++k) {
        const double x0 = 100.0 * k;
        std::string text = "1 1 " + std::to_string(x0) + " 0 0 4 -1\n";
        text += "2 3 " + std::to_string(x0) + " 10 0 1.5 1\n";
        text += "3 3 " + std::to_string(x0) + " 30 0 1.5 2\n";
        text += "4 3 " + std::to_string(x0 - 15) + " 45 0 1.0 3\n";
        text += "5 4 " + std::to_string(x0 + 15) + " 45 0 1.0 3\n";
        text += "6 2 " + std::to_string(x0) + " -30 0 0.8 1\n";
        auto m = parseSwc(text, "n" + std::to_string(k) + ".swc");
        if (!m) qFatal("%s", m.error().str().c_str());
        set->neurons.push_back(m.value());
    }
    return set;
}

void savePng(const QImage& img, const char* name) {
    const QByteArray dir = qgetenv("NR_NEURON_VIEW_PNG");
    if (!dir.isEmpty()) img.save(QString::fromLocal8Bit(dir) + "/" + name);
}

// Fraction of pixels that differ from the corner (background) colour.
double drawnFraction(const QImage& img) {
    const QRgb bg = img.pixel(0, 0);
    size_t n = 0;
    for (int y = 0; y < img.height(); ++y)
        for (int x = 0; x < img.width(); ++x) n += img.pixel(x, y) != bg;
    return double(n) / (img.width() * img.height());
}

} // namespace

class TestNeuronView : public QObject {
    Q_OBJECT
private slots:
    void sphereAreaAndVolume() {
        const double r = 20, voxel = 0.44;
        LabelVolume v = ballVolume(48, r, voxel, false);
        QCOMPARE(v.instances.size(), size_t(1));
        auto mesh = meshInstance(v, 0);
        QVERIFY(mesh && mesh->GetNumberOfPolys() > 1000);
        double a, vol;
        areaVolume(mesh, a, vol);
        const double R = r * voxel;
        const double wantA = 4 * M_PI * R * R, wantV = 4.0 / 3.0 * M_PI * R * R * R;
        qInfo("area %.4f vs %.4f (%.2f%%), volume %.4f vs %.4f (%.2f%%)", a, wantA, 100 * (a / wantA - 1),
              vol, wantV, 100 * (vol / wantV - 1));
        QVERIFY(std::fabs(a / wantA - 1) < 0.02);
        QVERIFY(std::fabs(vol / wantV - 1) < 0.02);
        // without smoothing the staircase surface overestimates the area: smoothing is what gets it right
        MeshOptions raw;
        raw.smooth = raw.decimate = false;
        double ra, rv;
        areaVolume(meshInstance(v, 0, raw), ra, rv);
        QVERIFY(ra / wantA - 1 > 0.03);
    }

    void extractionMatchesFlyingEdges() {
        // a ball and a one-voxel process: our extraction against vtkDiscreteFlyingEdges3D on the same mask
        LabelVolume v = ballVolume(40, 12.3, 1.0, true);
        for (size_t i = 0; i < v.instances.size(); ++i) {
            const InstanceMask m = v.instanceMask(i, 1);
            vtkNew<vtkImageData> img;
            img->SetDimensions(int(m.dims[2]), int(m.dims[1]), int(m.dims[0]));
            vtkNew<vtkUnsignedCharArray> sc;
            sc->SetNumberOfTuples(vtkIdType(m.mask.size()));
            std::copy(m.mask.begin(), m.mask.end(), sc->GetPointer(0));
            img->GetPointData()->SetScalars(sc);
            vtkNew<vtkDiscreteFlyingEdges3D> fe;
            fe->SetInputData(img);
            fe->SetValue(0, 1);
            fe->ComputeNormalsOff();
            fe->Update();
            double va, vv;
            areaVolume(fe->GetOutput(), va, vv);
            SurfaceMesh s = extractSurface(m);
            QCOMPARE(vtkIdType(s.vertexCount()), fe->GetOutput()->GetNumberOfPoints());
            QCOMPARE(vtkIdType(s.triangleCount()), fe->GetOutput()->GetNumberOfPolys());
            QVERIFY(std::fabs(surfaceArea(s) / va - 1) < 1e-6);
            // closed: every edge in exactly two triangles, once in each direction
            std::map<std::pair<int32_t, int32_t>, int> dir;
            for (size_t t = 0; t < s.tris.size(); t += 3)
                for (int k = 0; k < 3; ++k) ++dir[{s.tris[t + size_t(k)], s.tris[t + size_t((k + 1) % 3)]}];
            for (const auto& [e, n] : dir) {
                QCOMPARE(n, 1);
                QVERIFY(dir.count({e.second, e.first}));
            }
        }
        // normals point outwards: on the ball, along the radius
        const InstanceMask m = v.instanceMask(0, 1);
        SurfaceMesh s = extractSurface(m);
        computeNormals(s);
        const double c[3] = {19.5 - double(m.origin[2]), 19.5 - double(m.origin[1]),
                             19.5 - double(m.origin[0])};
        for (size_t i = 0; i < s.vertexCount(); ++i) {
            double d = 0;
            for (int k = 0; k < 3; ++k)
                d += (s.points[3 * i + size_t(k)] - c[k]) * s.normals[3 * i + size_t(k)];
            QVERIFY(d > 0);
        }
    }

    void decimationHalvesAndKeepsShape() {
        LabelVolume v = ballVolume(48, 20, 1.0, false);
        MeshOptions keep, half;
        keep.decimate = false;
        half.minTrianglesToDecimate = 0;
        auto a = meshInstance(v, 0, keep), b = meshInstance(v, 0, half);
        QVERIFY(a && b);
        const double ratio = double(b->GetNumberOfPolys()) / double(a->GetNumberOfPolys());
        double aa, av, ba, bv;
        areaVolume(a, aa, av);
        areaVolume(b, ba, bv);
        qInfo("decimated %lld -> %lld triangles, area %.1f -> %.1f, volume %.1f -> %.1f",
              (long long)a->GetNumberOfPolys(), (long long)b->GetNumberOfPolys(), aa, ba, av, bv);
        QVERIFY(ratio > 0.45 && ratio < 0.55);
        QVERIFY(std::fabs(ba / aa - 1) < 0.02);
        QVERIFY(std::fabs(bv / av - 1) < 0.02);
        QVERIFY(b->GetPointData()->GetNormals());
        QCOMPARE(b->GetPointData()->GetNormals()->GetNumberOfTuples(), b->GetNumberOfPoints());
    }

    void manyInstancesMeshedLikeOne() {
        // 27 balls (labels 1..27, some touching) in a 16-bit map: meshing all of them at once (the map
        // scanned once for every instance's runs, masks in reused buffers) gives each the surface meshing it
        // alone gives
        LabelVolume v;
        v.nz = v.ny = v.nx = 40;
        v.bytesPerVoxel = 2;
        v.labelData.assign(v.voxelCount() * 2, 0);
        uint16_t* d = reinterpret_cast<uint16_t*>(v.labelData.data());
        for (int z = 0; z < 40; ++z)
            for (int y = 0; y < 40; ++y)
                for (int x = 0; x < 40; ++x) {
                    const int cx = 7 + 13 * (x / 13), cy = 7 + 13 * (y / 13), cz = 7 + 13 * (z / 13);
                    if (x >= 39 || y >= 39 || z >= 39) continue;
                    if ((x - cx) * (x - cx) + (y - cy) * (y - cy) + (z - cz) * (z - cz) <= 36 + (x / 13) * 9)
                        d[(z * 40 + y) * 40 + x] = uint16_t(1 + x / 13 + 3 * (y / 13) + 9 * (z / 13));
                }
        computeInstances(v);
        QCOMPARE(v.instances.size(), size_t(27));
        for (unsigned threads : {1u, 2u}) {
            MeshOptions o;
            o.threads = threads;
            for (int rep = 0; rep < 2; ++rep) { // the second time with the buffers of the first
                const auto all = meshInstances(v, o);
                QCOMPARE(all.size(), size_t(27));
                for (size_t i = 0; i < all.size(); ++i) {
                    QCOMPARE(all[i].instance, i);
                    auto one = meshInstance(v, i, o);
                    QVERIFY(one && all[i].mesh);
                    QCOMPARE(all[i].mesh->GetNumberOfPolys(), one->GetNumberOfPolys());
                    QCOMPARE(all[i].mesh->GetNumberOfPoints(), one->GetNumberOfPoints());
                    double a1, v1, a2, v2;
                    areaVolume(all[i].mesh, a1, v1);
                    areaVolume(one, a2, v2);
                    QVERIFY(std::fabs(a1 / a2 - 1) < 1e-9);
                }
            }
        }
    }

    void thinProcessKept() {
        LabelVolume v = ballVolume(48, 10, 1.0, true);
        QCOMPARE(v.instances.size(), size_t(2));
        QCOMPARE(v.instances[1].voxels, uint64_t(44));
        // the surface flying edges gives (a diamond tube around the voxel centres), then smoothed
        MeshOptions raw;
        raw.smooth = raw.decimate = false;
        double ra, rv;
        areaVolume(meshInstance(v, 1, raw), ra, rv);
        auto mesh = meshInstance(v, 1);
        QVERIFY(mesh && mesh->GetNumberOfPolys() > 0);
        double a, vol, b[6];
        areaVolume(mesh, a, vol);
        mesh->GetBounds(b);
        qInfo("one-voxel process: volume %.2f (unsmoothed %.2f), length %.2f, thickness %.2f x %.2f", vol, rv,
              b[1] - b[0], b[3] - b[2], b[5] - b[4]);
        QVERIFY(rv > 0.4 * 44);
        QVERIFY(vol > 0.75 * rv);
        QVERIFY(b[1] - b[0] > 0.9 * 43);
        QVERIFY(b[3] - b[2] > 0.8 && b[5] - b[4] > 0.8);
        // unconstrained windowed-sinc smoothing is what would thin it away
        MeshOptions free;
        free.maxDisplacement = 0;
        double fa, fv;
        areaVolume(meshInstance(v, 1, free), fa, fv);
        QVERIFY(fv < 0.25 * rv);
    }

    void meshingCancels() {
        LabelVolume v = twoBalls();
        bool cancelled = false;
        int calls = 0;
        MeshOptions one;
        one.threads = 1;
        auto r = meshInstances(
            v, one, {}, [&](double) { return ++calls < 1; }, &cancelled);
        QVERIFY(cancelled);
        QVERIFY(r.empty());
        auto all = meshInstances(
            v, one, {}, [&](double) { return true; }, &cancelled);
        QVERIFY(!cancelled);
        QCOMPARE(all.size(), size_t(2));
        QCOMPARE(all[1].label, uint64_t(2));
    }

    void neuronsDrawnColouredAndPicked() {
        NeuronView view;
        view.resize(640, 480);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        auto set = twoNeurons();
        view.setMorphologies(set);
        QCOMPARE(view.summaryLine(), std::string("neurons=2 nodes=12"));
        QCOMPARE(view.segmentPolyData()->GetNumberOfPoints(), vtkIdType(10));
        // by neuron: a legend entry per neuron
        QCOMPARE(view.legend().size(), size_t(2));
        QCOMPARE(view.legend()[1].label, std::string("n1"));
        QCOMPARE(view.legend()[1].count, size_t(6));
        view.setColorBy(NeuronView::ColorBy::Type);
        QCOMPARE(view.legend().size(), size_t(4)); // soma, axon, basal, apical
        QCOMPARE(view.legend()[0].label, std::string("soma"));
        QCOMPARE(view.legend()[2].count, size_t(6)); // basal: 3 per neuron
        auto* sc = vtkUnsignedCharArray::SafeDownCast(view.segmentPolyData()->GetPointData()->GetScalars());
        QVERIFY(sc);
        unsigned char axon[3], basal[3];
        sc->GetTypedTuple(4, axon); // segment of node 6 (axon)
        sc->GetTypedTuple(0, basal);
        QVERIFY(axon[2] > axon[0] && basal[0] > basal[2]);
        view.setColorBy(NeuronView::ColorBy::BranchOrder);
        QVERIFY(view.colorBar().valid);
        QCOMPARE(view.colorBar().hi, 2.0); // soma fork, then the dendrite fork
        view.setColorBy(NeuronView::ColorBy::PathDistance);
        QCOMPARE(view.colorBar().hi, 30.0 + std::sqrt(15.0 * 15.0 + 15.0 * 15.0));

        const QImage img = view.renderImage(QSize(640, 480), false);
        QVERIFY(!img.isNull());
        savePng(img, "neuron_view_synthetic.png");
        QVERIFY(drawnFraction(img) > 0.01);

        // pick the second neuron on its dendrite, the first on its soma, nothing in a corner
        double p[3];
        QVERIFY(view.nodePosition(1, 2, p));
        const QPointF w = view.projectPoint(p[0], p[1] - 10, p[2]); // middle of segment 2-3
        NeuronView::Pick k = view.pick(w.toPoint());
        QCOMPARE(int(k.kind), int(NeuronView::Pick::Neuron));
        QCOMPARE(k.neuron, 1);
        QVERIFY(view.nodePosition(0, 0, p));
        k = view.pick(view.projectPoint(p[0], p[1], p[2]).toPoint());
        QCOMPARE(int(k.kind), int(NeuronView::Pick::Neuron));
        QCOMPARE(k.neuron, 0);
        QCOMPARE(k.node, 0L);
        QCOMPARE(int(view.pick(QPoint(3, 3)).kind), int(NeuronView::Pick::None));
    }

    // A branch far thinner than a pixel is still drawn as a continuous line, not as the dots of its joints:
    // every pixel column along a straight 0.01-radius process of 200 nodes is coloured.
    void subPixelBranchesStayContinuous() {
        std::string text = "1 1 0 0 0 3 -1\n";
        for (int i = 2; i <= 200; ++i)
            text += std::to_string(i) + " 3 " + std::to_string(5 * i) + " 0 0 0.01 " + std::to_string(i - 1) +
                    "\n";
        auto m = parseSwc(text, "thin.swc");
        QVERIFY(m.ok());
        auto set = std::make_shared<MorphologySet>();
        set->neurons.push_back(m.value());
        NeuronView view;
        view.resize(640, 480);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setMorphologies(set);
        view.resetCamera();
        const QImage img = view.renderImage(QSize(640, 480), false);
        savePng(img, "neuron_view_thin.png");
        const QRgb bg = img.pixel(0, 0);
        double a[3], b[3];
        QVERIFY(view.nodePosition(0, 20, a) && view.nodePosition(0, 180, b));
        // renderImage has the widget's size here, so projected points are image pixels
        const QPointF pa = view.projectPoint(a[0], a[1], a[2]), pb = view.projectPoint(b[0], b[1], b[2]);
        QVERIFY(pb.x() - pa.x() > 100);
        int gaps = 0;
        for (int x = int(pa.x()); x <= int(pb.x()); ++x) {
            const int y = int(std::lround(pa.y() + (pb.y() - pa.y()) * (x - pa.x()) / (pb.x() - pa.x())));
            bool drawn = false;
            for (int dy = -1; dy <= 1 && !drawn; ++dy)
                drawn = y + dy >= 0 && y + dy < img.height() && img.pixel(x, y + dy) != bg;
            gaps += !drawn;
        }
        QCOMPARE(gaps, 0);
    }

    void realNeuronsScreenshot() {
        auto set = std::make_shared<MorphologySet>();
        for (const char* f : {"Scnn1a_473845048_m.swc", "Pvalb_469628681_m.swc"}) {
            auto m = readSwc(std::string(NR_SHARED_DATA) + "/neurons/swc/" + f);
            QVERIFY(m.ok());
            set->neurons.push_back(m.value());
        }
        NeuronView view;
        view.resize(800, 600);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setMorphologies(set);
        view.setColorBy(NeuronView::ColorBy::Type);
        QCOMPARE(view.summaryLine(), std::string("neurons=2 nodes=5030"));
        const QImage img = view.renderImage(QSize(800, 600), false);
        savePng(img, "neuron_view_allen.png");
        QVERIFY(drawnFraction(img) > 0.004); // radius-true: thin
    }

    void fisbeThroughTheRegistry() {
        // what `--screenshot out.png R14A02-20180905_65_A6.zarr` does
        OpenOptions o;
        o.options.push_back({"array", "volumes/gt_instances"});
        auto d = ReaderRegistry::builtin().open(
            std::string(NR_SHARED_DATA) + "/labels/fisbe/R14A02-20180905_65_A6.zarr", {}, o);
        QVERIFY2(d.ok(), d.ok() ? "" : d.error().str().c_str());
        NeuronView view;
        view.resize(800, 600);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(view.showDataset(d.value()));
        QVERIFY(view.waitForMeshes(300000));
        QCOMPARE(view.summaryLine(), std::string("volume instances=7 shape=385x685x686"));
        QCOMPARE(view.summaryLine(), d.value().summary);
        for (size_t i = 0; i < 7; ++i) QVERIFY(view.instanceActor(i));
        const QImage img = view.renderImage(QSize(800, 600), false);
        savePng(img, "neuron_view_fisbe.png");
        QVERIFY(drawnFraction(img) > 0.02);
    }

    void instancesShownIsolatedRecolouredPicked() {
        auto v = std::make_shared<LabelVolume>(twoBalls());
        QCOMPARE(v->instances.size(), size_t(2));
        NeuronView view;
        view.resize(640, 480);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setLabelVolume(v, true); // meshed on a worker thread
        QVERIFY(view.waitForMeshes(60000));
        QCOMPARE(view.summaryLine(), std::string("volume instances=2 shape=40x40x80"));
        QVERIFY(view.instanceActor(0) && view.instanceActor(1));
        const QImage img = view.renderImage(QSize(640, 480), false);
        savePng(img, "neuron_view_instances.png");
        QVERIFY(drawnFraction(img) > 0.05);
        // the window shows the instance list in the top right corner (the figure render leaves it out)
        const QImage shown = view.grabFramebuffer();
        savePng(shown, "neuron_view_instances_window.png");
        const QImage corner = shown.copy(shown.width() - 120, 10, 100, 40);
        const QImage bare = img.scaled(shown.size()).copy(shown.width() - 120, 10, 100, 40);
        QVERIFY(drawnFraction(corner) > 0.05);
        QVERIFY(drawnFraction(bare) < 0.01);

        // the centre of ball 2 (x = 60) picks instance 1, ball 1 (x = 18) instance 0
        NeuronView::Pick k = view.pick(view.projectPoint(60, 20, 20).toPoint());
        QCOMPARE(int(k.kind), int(NeuronView::Pick::Instance));
        QCOMPARE(k.instance, 1L);
        k = view.pick(view.projectPoint(18, 20, 20).toPoint());
        QCOMPARE(k.instance, 0L);
        // isolate instance 0: instance 1 is hidden and can no longer be picked
        view.isolateInstance(0);
        QVERIFY(view.instanceVisible(0));
        QVERIFY(!view.instanceVisible(1));
        QCOMPARE(int(view.pick(view.projectPoint(60, 20, 20).toPoint()).kind), int(NeuronView::Pick::None));
        view.isolateInstance(-1);
        QVERIFY(view.instanceVisible(1));
        view.setInstanceVisible(0, false);
        QVERIFY(!view.instanceVisible(0));
        view.setInstanceColor(1, {255, 0, 0});
        double c[3];
        view.instanceActor(1)->GetProperty()->GetColor(c);
        QCOMPARE(c[0], 1.0);
        QCOMPARE(c[1], 0.0);
        const QImage red = view.renderImage(QSize(640, 480), false);
        int reddish = 0;
        for (int y = 0; y < red.height(); ++y)
            for (int x = 0; x < red.width(); ++x) {
                const QColor q = red.pixelColor(x, y);
                reddish += q.red() > 100 && q.green() < 60 && q.blue() < 60;
            }
        QVERIFY(reddish > 500);
    }

    void imageSlicesBesideLabels() {
        // RGB image 20 x 30 x 40 (z, y, x) without a voxel size: red below z = 10, blue above; green for x
        // < 20.
        auto img = std::make_shared<ImageVolume>();
        img->nz = 20, img->ny = 30, img->nx = 40;
        img->channels = 3;
        img->data.resize(img->voxelCount() * 3);
        for (size_t z = 0; z < 20; ++z)
            for (size_t y = 0; y < 30; ++y)
                for (size_t x = 0; x < 40; ++x) {
                    uint8_t* p = &img->data[((z * 30 + y) * 40 + x) * 3];
                    p[0] = z < 10 ? 200 : 30;
                    p[1] = x < 20 ? 180 : 20;
                    p[2] = z < 10 ? 30 : 200;
                }
        img->maxValue = 200;
        // labels of the same shape at 0.5 voxels: the image is put in their frame
        auto lab = std::make_shared<LabelVolume>();
        lab->nz = 20, lab->ny = 30, lab->nx = 40;
        lab->voxelSize[0] = lab->voxelSize[1] = lab->voxelSize[2] = 0.5;
        lab->labelData.assign(lab->voxelCount(), 0);
        for (size_t z = 8; z < 12; ++z)
            for (size_t y = 4; y < 8; ++y)
                for (size_t x = 30; x < 36; ++x) lab->labelData[(z * 30 + y) * 40 + x] = 1;
        computeInstances(*lab);

        NeuronView view;
        view.resize(400, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setLabelVolume(lab, true);
        QVERIFY(view.waitForMeshes(60000));
        nr::Dataset d;
        d.kind = LayerKind::Image;
        d.payload = std::shared_ptr<const ImageVolume>(img);
        QVERIFY(view.showDataset(d));
        QCOMPARE(view.imageSummary(), std::string("image shape=20x30x40x3"));
        ImageSlices& s = view.imageSlices();
        QCOMPARE(s.spacing()[0], 0.5);
        double b[6];
        s.actor(0)->GetBounds(b); // the z plane spans x and y of the label volume's frame
        QCOMPARE(b[0], 0.0);
        QCOMPARE(b[1], 39 * 0.5);
        QCOMPARE(b[3], 29 * 0.5);
        QCOMPARE(s.slice(0), 10L); // middle
        // only the z plane, opaque, at z = 5 (red); the default camera looks down -z
        s.setSliceVisible(1, false);
        s.setSliceVisible(2, false);
        s.setOpacity(1.0);
        s.setSlice(0, 5);
        view.resetCamera();
        auto colourAt = [&](const QImage& im, double x, double y, double z) {
            const QPoint p = view.projectPoint(x * 0.5, y * 0.5, z * 0.5).toPoint();
            return im.pixelColor(p);
        };
        auto near = [](QColor c, int r, int g, int bl) {
            return std::abs(c.red() - r) <= 6 && std::abs(c.green() - g) <= 6 && std::abs(c.blue() - bl) <= 6;
        };
        QImage im = view.renderImage(view.size(), false);
        savePng(im, "neuron_view_image_z5.png");
        QColor c = colourAt(im, 10, 15, 5);
        QVERIFY2(near(c, 200, 180, 30), qPrintable(c.name()));
        c = colourAt(im, 30, 20, 5);
        QVERIFY2(near(c, 200, 20, 30), qPrintable(c.name()));
        // moved to z = 15 (blue)
        s.setSlice(0, 15);
        QCOMPARE(s.slice(0), 15L);
        im = view.renderImage(view.size(), false);
        c = colourAt(im, 10, 15, 15);
        QVERIFY2(near(c, 30, 180, 200), qPrintable(c.name()));
        s.setSlice(0, 99); // clamped
        QCOMPARE(s.slice(0), 19L);
        s.setSlice(0, 15);
        // half opacity mixes with the background
        double bg[3];
        view.backgroundColor(bg);
        s.setOpacity(0.5);
        im = view.renderImage(view.size(), false);
        c = colourAt(im, 10, 15, 15);
        QVERIFY2(near(c, int(0.5 * 30 + 0.5 * 255 * bg[0]), int(0.5 * 180 + 0.5 * 255 * bg[1]),
                      int(0.5 * 200 + 0.5 * 255 * bg[2])),
                 qPrintable(c.name()));
        // the planes are not picked: the instance is, where it is
        s.setOpacity(1.0);
        QCOMPARE(int(view.pick(view.projectPoint(10 * 0.5, 15 * 0.5, 15 * 0.5).toPoint()).kind),
                 int(NeuronView::Pick::None));
        // hidden planes draw nothing there; removing the image clears the summary
        s.setSliceVisible(0, false);
        im = view.renderImage(view.size(), false);
        c = colourAt(im, 10, 15, 15);
        QVERIFY2(near(c, int(255 * bg[0]), int(255 * bg[1]), int(255 * bg[2])), qPrintable(c.name()));
        view.setImage(nullptr);
        QCOMPARE(view.imageSummary(), std::string());
    }
};

QTEST_MAIN(TestNeuronView)
#include "test_neuron_view.moc"
