// Meshing of label volumes and the neuron view: surfaces of a voxelised sphere, thin processes kept, instance
// picking and neuron picking in the rendered view.
#include <QtTest>
#include <cmath>
#include <vtkMassProperties.h>
#include <vtkPolyData.h>
#include <vtkTriangleFilter.h>

#include "morph/LabelVolume.h"
#include "vtk/LabelMesher.h"

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
        qInfo("area %.4f vs %.4f (%.2f%%), volume %.4f vs %.4f (%.2f%%)", a, wantA, 100 * (a / wantA - 1), vol, wantV,
              100 * (vol / wantV - 1));
        QVERIFY(std::fabs(a / wantA - 1) < 0.02);
        QVERIFY(std::fabs(vol / wantV - 1) < 0.02);
    }
};

QTEST_MAIN(TestNeuronView)
#include "test_neuron_view.moc"
