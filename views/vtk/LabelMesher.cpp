#include "vtk/LabelMesher.h"

#include <QMetaObject>
#include <QPointer>
#include <algorithm>
#include <cmath>
#include <mutex>
#include <vector>
#include <vtkCellArrayIterator.h>
#include <vtkDecimatePro.h>
#include <vtkDiscreteFlyingEdges3D.h>
#include <vtkFloatArray.h>
#include <vtkImageData.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolygon.h>
#include <vtkUnsignedCharArray.h>
#include <vtkWindowedSincPolyDataFilter.h>

namespace nr {

namespace {

// Point normals as vtkPolyDataNormals computes them without splitting: the normalised sum of the unit normals
// of the polygons around each point. Flying edges orders every triangle of a surface consistently and
// smoothing and decimation keep that order, so the reordering pass (ConsistencyOn) has nothing to change and
// is skipped, and so is the filter's pipeline.
vtkSmartPointer<vtkFloatArray> pointNormals(vtkPolyData* mesh) {
    vtkPoints* pts = mesh->GetPoints();
    const vtkIdType np = pts ? pts->GetNumberOfPoints() : 0;
    std::vector<double> acc(size_t(3 * np), 0.0);
    auto it = vtk::TakeSmartPointer(mesh->GetPolys()->NewIterator());
    for (it->GoToFirstCell(); !it->IsDoneWithTraversal(); it->GoToNextCell()) {
        vtkIdType n = 0;
        const vtkIdType* ids = nullptr;
        it->GetCurrentCell(n, ids);
        double nrm[3];
        vtkPolygon::ComputeNormal(pts, int(n), ids, nrm);
        for (vtkIdType k = 0; k < n; ++k)
            for (int c = 0; c < 3; ++c) acc[size_t(3 * ids[k] + c)] += nrm[c];
    }
    auto normals = vtkSmartPointer<vtkFloatArray>::New();
    normals->SetName("Normals");
    normals->SetNumberOfComponents(3);
    normals->SetNumberOfTuples(np);
    float* o = normals->GetPointer(0);
    for (vtkIdType i = 0; i < np; ++i) {
        const double* a = &acc[size_t(3 * i)];
        const double len = std::sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]);
        for (int c = 0; c < 3; ++c) o[3 * i + c] = len > 0 ? float(a[c] / len) : 0.0f;
    }
    return normals;
}

} // namespace

vtkSmartPointer<vtkPolyData> meshInstance(const LabelVolume& v, size_t instance, const MeshOptions& opt) {
    if (instance >= v.instances.size() || v.instances[instance].voxels == 0) return nullptr;
    InstanceMask m = v.instanceMask(instance, 1);
    auto img = vtkSmartPointer<vtkImageData>::New();
    img->SetDimensions(int(m.dims[2]), int(m.dims[1]), int(m.dims[0]));
    const double sx = opt.physicalUnits ? v.voxelSize[2] : 1, sy = opt.physicalUnits ? v.voxelSize[1] : 1,
                 sz = opt.physicalUnits ? v.voxelSize[0] : 1;
    img->SetSpacing(sx, sy, sz);
    const double o[3] = {opt.physicalUnits ? v.origin[2] : 0, opt.physicalUnits ? v.origin[1] : 0,
                         opt.physicalUnits ? v.origin[0] : 0};
    img->SetOrigin(o[0] + double(m.origin[2]) * sx, o[1] + double(m.origin[1]) * sy,
                   o[2] + double(m.origin[0]) * sz);
    auto scalars = vtkSmartPointer<vtkUnsignedCharArray>::New();
    scalars->SetNumberOfComponents(1);
    scalars->SetNumberOfTuples(vtkIdType(m.mask.size()));
    std::copy(m.mask.begin(), m.mask.end(), scalars->GetPointer(0));
    img->GetPointData()->SetScalars(scalars);

    auto fe = vtkSmartPointer<vtkDiscreteFlyingEdges3D>::New();
    fe->SetInputData(img);
    fe->SetValue(0, 1);
    fe->ComputeNormalsOff();
    fe->ComputeGradientsOff();
    fe->ComputeScalarsOff();
    fe->Update();
    vtkSmartPointer<vtkPolyData> out = fe->GetOutput();
    if (out->GetNumberOfPolys() == 0) return out;
    if (opt.smooth && opt.smoothIterations > 0) {
        auto ws = vtkSmartPointer<vtkWindowedSincPolyDataFilter>::New();
        ws->SetInputData(out);
        ws->SetNumberOfIterations(opt.smoothIterations);
        ws->SetPassBand(opt.passBand);
        ws->BoundarySmoothingOff();
        ws->FeatureEdgeSmoothingOff();
        ws->NonManifoldSmoothingOn();
        ws->NormalizeCoordinatesOn();
        ws->Update();
        vtkPolyData* sm = ws->GetOutput();
        if (opt.maxDisplacement > 0 && sm->GetNumberOfPoints() == out->GetNumberOfPoints()) {
            // Each flying-edges vertex sits halfway between an inside voxel A and an outside voxel B.
            // Smoothing may move it at most maxDisplacement voxels, and towards A by at most thinInward
            // voxels when A is the only inside voxel along that axis (a one-voxel-thick part), so thin
            // processes keep their thickness while thick parts are smoothed freely.
            const double sp[3] = {sx, sy, sz};
            double org[3];
            img->GetOrigin(org);
            const int64_t dim[3] = {m.dims[2], m.dims[1], m.dims[0]}; // x, y, z
            auto inside = [&](int64_t i, int64_t j, int64_t k) {
                if (i < 0 || j < 0 || k < 0 || i >= dim[0] || j >= dim[1] || k >= dim[2]) return false;
                return m.mask[size_t((k * dim[1] + j) * dim[0] + i)] != 0;
            };
            vtkPoints* p0 = out->GetPoints();
            vtkNew<vtkPoints> p1;
            p1->DeepCopy(sm->GetPoints());
            for (vtkIdType i = 0, n = p1->GetNumberOfPoints(); i < n; ++i) {
                double a[3], b[3], ia[3], d[3];
                p0->GetPoint(i, a);
                p1->GetPoint(i, b);
                for (int k = 0; k < 3; ++k) {
                    ia[k] = (a[k] - org[k]) / sp[k];
                    d[k] = (b[k] - a[k]) / sp[k];
                }
                int axis = -1;
                for (int k = 0; k < 3; ++k)
                    if (std::fabs(ia[k] - std::floor(ia[k]) - 0.5) < 0.01) axis = k;
                if (axis >= 0) {
                    int64_t lo[3];
                    for (int k = 0; k < 3; ++k) lo[k] = int64_t(std::floor(ia[k] + (k == axis ? 0.0 : 0.5)));
                    int64_t hi[3] = {lo[0], lo[1], lo[2]};
                    hi[axis] += 1;
                    const bool loIn = inside(lo[0], lo[1], lo[2]);
                    const int64_t* in = loIn ? lo : hi;
                    const int dirIn = loIn ? -1 : 1; // index direction from the vertex towards A
                    int64_t beyond[3] = {in[0], in[1], in[2]};
                    beyond[axis] += dirIn;
                    if (!inside(beyond[0], beyond[1], beyond[2]) && d[axis] * dirIn > opt.thinInward)
                        d[axis] = opt.thinInward * dirIn;
                }
                const double len = std::sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
                const double f = len > opt.maxDisplacement ? opt.maxDisplacement / len : 1.0;
                for (int k = 0; k < 3; ++k) b[k] = a[k] + d[k] * f * sp[k];
                p1->SetPoint(i, b);
            }
            auto clamped = vtkSmartPointer<vtkPolyData>::New();
            clamped->ShallowCopy(sm);
            clamped->SetPoints(p1);
            out = clamped;
        } else
            out = sm;
    }
    if (opt.decimate && opt.targetReduction > 0 && out->GetNumberOfPolys() >= opt.minTrianglesToDecimate) {
        auto qd = vtkSmartPointer<vtkDecimatePro>::New();
        qd->SetInputData(out);
        qd->SetTargetReduction(opt.targetReduction);
        qd->PreserveTopologyOn();
        qd->BoundaryVertexDeletionOff();
        qd->Update();
        out = qd->GetOutput();
    }
    auto result = vtkSmartPointer<vtkPolyData>::New();
    result->ShallowCopy(out);
    if (opt.normals) result->GetPointData()->SetNormals(pointNormals(result));
    return result;
}

std::vector<InstanceMesh> meshInstances(const LabelVolume& v, const MeshOptions& opt,
                                        const std::vector<size_t>& which,
                                        const std::function<bool(double)>& progress, bool* cancelled) {
    std::vector<size_t> todo = which;
    if (todo.empty())
        for (size_t i = 0; i < v.instances.size(); ++i) todo.push_back(i);
    // Largest first, so that the last instance to finish is a small one.
    std::sort(todo.begin(), todo.end(), [&](size_t a, size_t b) {
        auto box = [&](size_t i) {
            const auto& in = v.instances[i];
            return double(in.hi[0] - in.lo[0] + 1) * double(in.hi[1] - in.lo[1] + 1) *
                   double(in.hi[2] - in.lo[2] + 1);
        };
        return box(a) > box(b);
    });
    std::vector<InstanceMesh> out(todo.size());
    std::atomic<size_t> next{0}, done{0};
    std::atomic<bool> stop{false};
    std::mutex mu;
    auto work = [&] {
        for (;;) {
            if (stop) return;
            const size_t k = next++;
            if (k >= todo.size()) return;
            out[k].instance = todo[k];
            out[k].label = v.instances[todo[k]].label;
            out[k].mesh = meshInstance(v, todo[k], opt);
            const size_t d = ++done;
            if (progress) {
                std::lock_guard<std::mutex> g(mu);
                if (!stop && !progress(double(d) / double(todo.size()))) stop = true;
            }
        }
    };
    unsigned n = opt.threads ? opt.threads : std::max(1u, std::thread::hardware_concurrency());
    n = unsigned(std::min<size_t>(n, std::max<size_t>(1, todo.size())));
    std::vector<std::thread> th;
    for (unsigned t = 1; t < n; ++t) th.emplace_back(work);
    work();
    for (auto& t : th) t.join();
    if (cancelled) *cancelled = stop;
    if (stop) return {};
    // Back to instance order.
    std::sort(out.begin(), out.end(),
              [](const InstanceMesh& a, const InstanceMesh& b) { return a.instance < b.instance; });
    return out;
}

LabelMeshJob::LabelMeshJob(QObject* parent) : QObject(parent) {}

LabelMeshJob::~LabelMeshJob() {
    cancel();
    join();
}

void LabelMeshJob::join() {
    if (worker_.joinable()) worker_.join();
}

void LabelMeshJob::cancel() {
    cancel_ = true;
}

void LabelMeshJob::start(std::shared_ptr<const LabelVolume> volume, const MeshOptions& opt) {
    cancel();
    join();
    cancel_ = false;
    running_ = true;
    volume_ = std::move(volume);
    meshes_.clear();
    const unsigned gen = ++generation_;
    QPointer<LabelMeshJob> self(this);
    auto vol = volume_;
    worker_ = std::thread([this, self, vol, opt, gen] {
        bool cancelled = false;
        auto result = std::make_shared<std::vector<InstanceMesh>>(meshInstances(
            *vol, opt, {},
            [&](double f) {
                QMetaObject::invokeMethod(
                    this,
                    [self, f] {
                        if (self) emit self->progress(f);
                    },
                    Qt::QueuedConnection);
                return !cancel_.load();
            },
            &cancelled));
        QMetaObject::invokeMethod(
            this,
            [self, result, cancelled, gen] {
                if (!self || gen != self->generation_) return;
                self->running_ = false;
                if (!cancelled) self->meshes_ = std::move(*result);
                emit self->finished(!cancelled);
            },
            Qt::QueuedConnection);
    });
}

} // namespace nr
