#include "vtk/LabelMesher.h"

#include <QMetaObject>
#include <QPointer>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>
#include <vtkPolyData.h>

#include "vtk/SurfaceMesh.h"

namespace nr {

namespace {

// One pass over a label map that records, for every instance, the runs of its voxels along x: meshing many
// instances then builds each mask from its runs instead of reading its whole bounding box of the map.
struct Run {
    int32_t z, y, x0, x1; // voxels x0 .. x1 - 1 of row (z, y)
};

template <class T>
void scanRuns(const LabelVolume& v, const std::vector<std::pair<uint64_t, int32_t>>& labels, size_t z0,
              size_t z1, std::vector<std::vector<Run>>& runs) {
    const T* d = reinterpret_cast<const T*>(v.labelData.data());
    const size_t nx = v.nx;
    uint64_t lastLabel = 0;
    int32_t lastIndex = -1;
    for (size_t z = z0; z < z1; ++z)
        for (size_t y = 0; y < v.ny; ++y) {
            const T* row = d + (z * v.ny + y) * nx;
            size_t x = 0;
            while (x < nx) {
                // skip background eight bytes at a time
                while (x + 8 / sizeof(T) <= nx) {
                    uint64_t w;
                    std::memcpy(&w, row + x, 8);
                    if (w) break;
                    x += 8 / sizeof(T);
                }
                while (x < nx && !row[x]) ++x;
                if (x >= nx) break;
                const T l = row[x];
                size_t e = x + 1;
                while (e < nx && row[e] == l) ++e;
                if (uint64_t(l) != lastLabel) {
                    lastLabel = uint64_t(l);
                    auto it = std::lower_bound(labels.begin(), labels.end(),
                                               std::make_pair(lastLabel, int32_t(-1)));
                    lastIndex = it != labels.end() && it->first == lastLabel ? it->second : -1;
                }
                if (lastIndex >= 0)
                    runs[size_t(lastIndex)].push_back({int32_t(z), int32_t(y), int32_t(x), int32_t(e)});
                x = e;
            }
        }
}

// Runs of every instance in `todo` (indexed like v.instances), the map split into z slabs over threads.
std::vector<std::vector<Run>> instanceRuns(const LabelVolume& v, const std::vector<size_t>& todo,
                                           unsigned threads) {
    std::vector<std::pair<uint64_t, int32_t>> labels;
    for (size_t i : todo) labels.push_back({v.instances[i].label, int32_t(i)});
    std::sort(labels.begin(), labels.end());
    threads = std::max(1u, std::min<unsigned>(threads, unsigned(v.nz)));
    std::vector<std::vector<std::vector<Run>>> part(threads,
                                                    std::vector<std::vector<Run>>(v.instances.size()));
    auto scan = [&](unsigned t) {
        const size_t z0 = v.nz * t / threads, z1 = v.nz * (t + 1) / threads;
        switch (v.bytesPerVoxel) {
        case 1:
            scanRuns<uint8_t>(v, labels, z0, z1, part[t]);
            break;
        case 2:
            scanRuns<uint16_t>(v, labels, z0, z1, part[t]);
            break;
        case 4:
            scanRuns<uint32_t>(v, labels, z0, z1, part[t]);
            break;
        default:
            scanRuns<uint64_t>(v, labels, z0, z1, part[t]);
            break;
        }
    };
    std::vector<std::thread> th;
    for (unsigned t = 1; t < threads; ++t) th.emplace_back(scan, t);
    scan(0);
    for (auto& t : th) t.join();
    std::vector<std::vector<Run>> runs = std::move(part[0]);
    for (unsigned t = 1; t < threads; ++t)
        for (size_t i = 0; i < runs.size(); ++i)
            runs[i].insert(runs[i].end(), part[t][i].begin(), part[t][i].end());
    return runs;
}

// Masks built from runs in a buffer that is all zero between uses: only the instance's runs are written and
// cleared again, never its whole bounding box. The buffers outlive the worker threads (a small pool), so
// repeated meshing does not fault in fresh pages.
struct MaskBuffer {
    InstanceMask m;
    void set(const LabelInstance& in, const std::vector<Run>& runs, uint8_t value) {
        for (int k = 0; k < 3; ++k) {
            m.origin[k] = in.lo[k] - 1;
            m.dims[k] = in.hi[k] - in.lo[k] + 3;
        }
        const size_t need = size_t(m.dims[0] * m.dims[1] * m.dims[2]);
        if (m.mask.size() < need) m.mask.resize(need, 0);
        for (const Run& r : runs)
            std::memset(&m.mask[size_t(((r.z - m.origin[0]) * m.dims[1] + (r.y - m.origin[1])) * m.dims[2] +
                                       (r.x0 - m.origin[2]))],
                        value, size_t(r.x1 - r.x0));
    }
};

std::mutex poolMutex;
std::vector<std::unique_ptr<MaskBuffer>> pool;

std::unique_ptr<MaskBuffer> takeBuffer() {
    std::lock_guard<std::mutex> g(poolMutex);
    if (pool.empty()) return std::make_unique<MaskBuffer>();
    auto b = std::move(pool.back());
    pool.pop_back();
    return b;
}

void giveBuffer(std::unique_ptr<MaskBuffer> b) {
    if (b->m.mask.size() > (size_t(64) << 20)) return; // very large boxes: not kept
    std::lock_guard<std::mutex> g(poolMutex);
    if (pool.size() < 64) pool.push_back(std::move(b));
}

// The pipeline on one instance's mask (one voxel of padding).
vtkSmartPointer<vtkPolyData> meshMask(const LabelVolume& v, const InstanceMask& m, const MeshOptions& opt) {
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

} // namespace

vtkSmartPointer<vtkPolyData> meshInstance(const LabelVolume& v, size_t instance, const MeshOptions& opt) {
    if (instance >= v.instances.size() || v.instances[instance].voxels == 0) return nullptr;
    thread_local InstanceMask m; // reused: no fresh pages for every instance
    v.instanceMask(instance, 1, m);
    return meshMask(v, m, opt);
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
    unsigned n = opt.threads ? opt.threads : std::max(1u, std::thread::hardware_concurrency());
    // Many instances of a label map: one pass over the map finds every instance's voxels.
    const std::vector<std::vector<Run>> runs =
        !v.perChannel && todo.size() >= 16 ? instanceRuns(v, todo, n) : std::vector<std::vector<Run>>();
    std::vector<InstanceMesh> out(todo.size());
    std::atomic<size_t> next{0}, done{0};
    std::atomic<bool> stop{false};
    std::mutex mu;
    auto work = [&] {
        std::unique_ptr<MaskBuffer> buf;
        for (;;) {
            if (stop) break;
            const size_t k = next++;
            if (k >= todo.size()) break;
            out[k].instance = todo[k];
            out[k].label = v.instances[todo[k]].label;
            if (runs.empty())
                out[k].mesh = meshInstance(v, todo[k], opt);
            else if (v.instances[todo[k]].voxels > 0) {
                if (!buf) buf = takeBuffer();
                buf->set(v.instances[todo[k]], runs[todo[k]], 1);
                out[k].mesh = meshMask(v, buf->m, opt);
                buf->set(v.instances[todo[k]], runs[todo[k]], 0);
            }
            const size_t d = ++done;
            if (progress) {
                std::lock_guard<std::mutex> g(mu);
                if (!stop && !progress(double(d) / double(todo.size()))) stop = true;
            }
        }
        if (buf) giveBuffer(std::move(buf));
    };
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

void LabelMeshJob::release() {
    if (running_) return;
    volume_.reset();
    std::vector<InstanceMesh>().swap(meshes_);
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
