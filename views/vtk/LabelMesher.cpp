#include "vtk/LabelMesher.h"

#include <QMetaObject>
#include <QPointer>
#include <algorithm>
#include <cmath>
#include <mutex>
#include <vector>
#include <vtkPolyData.h>

#include "vtk/SurfaceMesh.h"

namespace nr {

vtkSmartPointer<vtkPolyData> meshInstance(const LabelVolume& v, size_t instance, const MeshOptions& opt) {
    if (instance >= v.instances.size() || v.instances[instance].voxels == 0) return nullptr;
    thread_local InstanceMask m; // reused: no fresh pages for every instance
    v.instanceMask(instance, 1, m);
    SurfaceMesh s = extractSurface(m);
    if (s.triangleCount() > 0 && opt.smooth && opt.smoothIterations > 0) {
        std::vector<double> before;
        if (opt.maxDisplacement > 0) before = s.points;
        smoothWindowedSinc(s, opt.smoothIterations, opt.passBand);
        if (opt.maxDisplacement > 0) clampDisplacement(s, before, m, opt.maxDisplacement, opt.thinInward);
    }
    // mask voxel indices (x, y, z) to the volume's coordinates
    const double sp[3] = {opt.physicalUnits ? v.voxelSize[2] : 1, opt.physicalUnits ? v.voxelSize[1] : 1,
                          opt.physicalUnits ? v.voxelSize[0] : 1};
    const double org[3] = {(opt.physicalUnits ? v.origin[2] : 0) + double(m.origin[2]) * sp[0],
                           (opt.physicalUnits ? v.origin[1] : 0) + double(m.origin[1]) * sp[1],
                           (opt.physicalUnits ? v.origin[0] : 0) + double(m.origin[0]) * sp[2]};
    for (size_t i = 0; i < s.points.size(); i += 3)
        for (int k = 0; k < 3; ++k) s.points[i + size_t(k)] = org[k] + s.points[i + size_t(k)] * sp[k];
    if (opt.decimate && opt.targetReduction > 0 &&
        s.triangleCount() >= size_t(std::max(0, opt.minTrianglesToDecimate)))
        decimateQuadric(s, opt.targetReduction);
    if (opt.normals) computeNormals(s);
    return toPolyData(s);
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
