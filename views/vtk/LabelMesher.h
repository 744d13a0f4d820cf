// LabelMesher: one smooth surface per instance of a LabelVolume.
//
// Each instance is meshed on its own bounding-box sub-volume (one voxel of padding) with
// vtkDiscreteFlyingEdges3D, smoothed with a windowed-sinc filter (a low-pass filter that does not shrink, so
// one-voxel-wide processes keep their volume) and, when large, decimated (vtkDecimatePro, topology kept).
// Instances are meshed in
// parallel, several at a time; the work reports progress and can be cancelled.
//
// meshInstances() is synchronous and can run on any thread. LabelMeshJob runs it on a worker thread and
// reports back on the UI thread through Qt signals.
#pragma once

#include <QObject>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>
#include <vector>
#include <vtkSmartPointer.h>

#include "morph/LabelVolume.h"

class vtkPolyData;

namespace nr {

struct MeshOptions {
    bool smooth = true;
    int smoothIterations = 20;
    double passBand = 0.1; // windowed-sinc pass band (smaller = smoother), 0..2
    // Smoothing moves no vertex further than maxDisplacement voxels from where flying edges put it, and no
    // vertex of a one-voxel-thick part more than thinInward voxels inwards, so that one-voxel-wide processes
    // keep their thickness. maxDisplacement <= 0: no limit.
    double maxDisplacement = 0.5;
    double thinInward = 0.05;
    bool decimate = true;
    double targetReduction = 0.5;       // fraction of triangles removed
    int minTrianglesToDecimate = 20000; // smaller meshes are cheap to draw and kept whole
    bool normals = true;                // point normals for shading
    unsigned threads = 0;               // 0: one per core
    bool physicalUnits = true;          // scale by voxel size and origin (false: voxel index space)
};

struct InstanceMesh {
    size_t instance = 0; // index into LabelVolume::instances
    uint64_t label = 0;
    vtkSmartPointer<vtkPolyData> mesh; // null for an empty instance
};

// The surface of one instance.
vtkSmartPointer<vtkPolyData> meshInstance(const LabelVolume& v, size_t instance, const MeshOptions& opt = {});

// Meshes `which` (all instances when empty). progress(fraction) is called from worker threads (serialised);
// returning false cancels: the result is then empty and *cancelled (if given) is true.
std::vector<InstanceMesh> meshInstances(const LabelVolume& v, const MeshOptions& opt = {},
                                        const std::vector<size_t>& which = {},
                                        const std::function<bool(double)>& progress = nullptr,
                                        bool* cancelled = nullptr);

// Runs meshInstances on a worker thread. Signals arrive on the thread that owns the job (the UI thread).
class LabelMeshJob : public QObject {
    Q_OBJECT
public:
    explicit LabelMeshJob(QObject* parent = nullptr);
    ~LabelMeshJob() override; // cancels and joins

    // Starts meshing (cancels a running job first).
    void start(std::shared_ptr<const LabelVolume> volume, const MeshOptions& opt = {});
    void cancel();
    bool running() const { return running_; }
    // The meshes of the last finished job (valid after finished(true)).
    const std::vector<InstanceMesh>& meshes() const { return meshes_; }
    std::shared_ptr<const LabelVolume> volume() const { return volume_; }
    // Lets go of the last finished job's volume and meshes (their memory goes once nobody else holds them).
    void release();

signals:
    void progress(double fraction);
    void finished(bool ok); // false when cancelled

private:
    void join();
    std::shared_ptr<const LabelVolume> volume_;
    std::vector<InstanceMesh> meshes_;
    std::thread worker_;
    std::atomic<bool> cancel_{false};
    std::atomic<bool> running_{false};
    unsigned generation_ = 0;
};

} // namespace nr
