// bench_meshing: meshing a label volume with many instances, ours against the straightforward VTK pipeline.
//
// Volume: 512 x 512 x 256 voxels (x, y, z), uint16, 1,000 tubular branching instances drawn as chains of
// balls (radius 1-2 voxels) along random walks with side branches.
// Ours: nr::meshInstances (each instance on its bounding box with discrete flying edges, windowed-sinc
//   smoothing, decimation of large meshes and normals, instances in parallel).
// Peer: one vtkDiscreteMarchingCubes pass per label on the whole volume. It is timed on a subset of labels
//   and extended to all labels by a least-squares fit T(k) = a + b*k of the cumulative time.
// Each side runs in its own child process so that peak memory (max resident set) is measured per side.
// Check: on the timed labels our unsmoothed surface has the same area as VTK's (within 1 %); a mismatch exits
// with status 1.
// Also: the FISBe ground truth read (Zarr, Blosc/zstd) and meshed, Zarr decode throughput, 1,000 generated
// SWC files loaded.
#include <QTemporaryDir>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <random>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>
#include <vtkDiscreteMarchingCubes.h>
#include <vtkImageData.h>
#include <vtkMassProperties.h>
#include <vtkPointData.h>
#include <vtkPolyData.h>
#include <vtkTriangleFilter.h>
#include <vtkUnsignedShortArray.h>

#include "morph/LabelVolume.h"
#include "morph/Morphology.h"
#include "vtk/LabelMesher.h"

using namespace nr;
using Clock = std::chrono::steady_clock;

namespace {

double seconds(Clock::time_point a) {
    return std::chrono::duration<double>(Clock::now() - a).count();
}

LabelVolume makeVolume(int instances) {
    LabelVolume v;
    v.nz = 256, v.ny = 512, v.nx = 512;
    v.bytesPerVoxel = 2;
    v.labelData.assign(v.voxelCount() * 2, 0);
    uint16_t* d = reinterpret_cast<uint16_t*>(v.labelData.data());
    std::mt19937 rng(12345);
    std::uniform_real_distribution<double> u(0, 1);
    auto ball = [&](double cx, double cy, double cz, double r, uint16_t label) {
        for (int z = int(std::floor(cz - r)); z <= int(std::ceil(cz + r)); ++z)
            for (int y = int(std::floor(cy - r)); y <= int(std::ceil(cy + r)); ++y)
                for (int x = int(std::floor(cx - r)); x <= int(std::ceil(cx + r)); ++x) {
                    if (x < 0 || y < 0 || z < 0 || x >= 512 || y >= 512 || z >= 256) continue;
                    if ((x - cx) * (x - cx) + (y - cy) * (y - cy) + (z - cz) * (z - cz) > r * r) continue;
                    uint16_t& t = d[(size_t(z) * 512 + size_t(y)) * 512 + size_t(x)];
                    if (!t) t = label;
                }
    };
    auto walk = [&](double p[3], double dir[3], int steps, double r, uint16_t label,
                    std::vector<std::array<double, 6>>* forks) {
        for (int s = 0; s < steps; ++s) {
            for (int k = 0; k < 3; ++k) dir[k] += (u(rng) - 0.5) * 0.5;
            const double n = std::sqrt(dir[0] * dir[0] + dir[1] * dir[1] + dir[2] * dir[2]);
            for (int k = 0; k < 3; ++k) dir[k] /= n, p[k] += dir[k];
            ball(p[0], p[1], p[2], r, label);
            if (forks && u(rng) < 0.04) forks->push_back({p[0], p[1], p[2], -dir[1], dir[0], dir[2]});
        }
    };
    for (int i = 0; i < instances; ++i) {
        const uint16_t label = uint16_t(i + 1);
        double p[3] = {20 + u(rng) * 472, 20 + u(rng) * 472, 20 + u(rng) * 216};
        double dir[3] = {u(rng) - 0.5, u(rng) - 0.5, u(rng) - 0.5};
        const double r = 1.0 + u(rng);
        std::vector<std::array<double, 6>> forks;
        walk(p, dir, 40 + int(u(rng) * 40), r, label, &forks);
        for (auto& f : forks) {
            double q[3] = {f[0], f[1], f[2]}, e[3] = {f[3], f[4], f[5]};
            walk(q, e, 15 + int(u(rng) * 25), std::max(0.9, r * 0.7), label, nullptr);
        }
    }
    computeInstances(v);
    return v;
}

double area(vtkPolyData* p) {
    vtkNew<vtkTriangleFilter> t;
    t->SetInputData(p);
    vtkNew<vtkMassProperties> m;
    m->SetInputConnection(t->GetOutputPort());
    m->Update();
    return m->GetSurfaceArea();
}

// Runs fn in a child process; returns its doubles and its peak resident memory in MB.
std::vector<double> inChild(const std::function<std::vector<double>()>& fn, size_t n, double& peakMB) {
    int fd[2];
    if (pipe(fd) != 0) return {};
    const pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        std::vector<double> r = fn();
        r.resize(n);
        ssize_t w = write(fd[1], r.data(), n * sizeof(double));
        (void)w;
        close(fd[1]);
        _exit(0);
    }
    close(fd[1]);
    std::vector<double> r(n, NAN);
    size_t got = 0;
    while (got < n * sizeof(double)) {
        const ssize_t k = read(fd[0], reinterpret_cast<char*>(r.data()) + got, n * sizeof(double) - got);
        if (k <= 0) break;
        got += size_t(k);
    }
    close(fd[0]);
    int status = 0;
    struct rusage ru {};
    wait4(pid, &status, 0, &ru);
    peakMB = double(ru.ru_maxrss) / 1024.0;
    return r;
}

} // namespace

int main(int argc, char** argv) {
    int peerLabels = 6;
    for (int i = 1; i + 1 < argc; ++i)
        if (std::string(argv[i]) == "--peer-labels") peerLabels = std::max(2, std::atoi(argv[i + 1]));
    auto t0 = Clock::now();
    const LabelVolume v = makeVolume(1000);
    std::printf("volume=512x512x256 instances=%zu foreground_voxels=%llu generate_s=%.2f\n",
                v.instances.size(), (unsigned long long)v.foregroundVoxels, seconds(t0));
    // the peer's labels: spread over the label range, away from the volume's faces (where our surfaces are
    // closed and VTK's stay open)
    std::vector<size_t> subset;
    for (size_t i = 0; i < v.instances.size() && int(subset.size()) < peerLabels;
         i += v.instances.size() / size_t(peerLabels * 2)) {
        const auto& in = v.instances[i];
        const size_t dims[3] = {v.nz, v.ny, v.nx};
        bool inside = true;
        for (int d = 0; d < 3; ++d) inside = inside && in.lo[d] > 0 && in.hi[d] + 1 < int64_t(dims[d]);
        if (inside) subset.push_back(i);
    }

    double oursMB = 0, peerMB = 0;
    // ours: [0] time all, [1] triangles, [2] time of extraction alone, [3..] unsmoothed areas of the subset
    const std::vector<double> ours = inChild(
        [&] {
            std::vector<double> r;
            auto t = Clock::now();
            const auto meshes = meshInstances(v);
            const double s = seconds(t);
            double tris = 0;
            for (const auto& m : meshes)
                if (m.mesh) tris += double(m.mesh->GetNumberOfPolys());
            MeshOptions raw;
            raw.smooth = raw.decimate = raw.normals = false;
            raw.physicalUnits = false;
            t = Clock::now();
            meshInstances(v, raw);
            const double extract = seconds(t);
            r = {s, tris, extract};
            for (size_t i : subset) r.push_back(area(meshInstance(v, i, raw)));
            return r;
        },
        3 + subset.size(), oursMB);
    // peer: [0..k) cumulative times, [k..2k) areas
    const std::vector<double> peer = inChild(
        [&] {
            std::vector<double> r, areas;
            vtkNew<vtkImageData> img;
            img->SetDimensions(512, 512, 256);
            vtkNew<vtkUnsignedShortArray> a;
            a->SetNumberOfTuples(vtkIdType(v.voxelCount()));
            std::memcpy(a->GetPointer(0), v.labelData.data(), v.labelData.size());
            img->GetPointData()->SetScalars(a);
            auto t = Clock::now();
            for (size_t i : subset) {
                vtkNew<vtkDiscreteMarchingCubes> mc;
                mc->SetInputData(img);
                mc->SetValue(0, double(v.instances[i].label));
                mc->ComputeNormalsOff();
                mc->ComputeGradientsOff();
                mc->ComputeScalarsOff();
                mc->Update();
                r.push_back(seconds(t));
                areas.push_back(area(mc->GetOutput()));
            }
            r.insert(r.end(), areas.begin(), areas.end());
            return r;
        },
        2 * subset.size(), peerMB);

    // least-squares T(k) = a + b k over the cumulative times
    const size_t k = subset.size();
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (size_t i = 0; i < k; ++i) {
        const double x = double(i + 1), y = peer[i];
        sx += x, sy += y, sxx += x * x, sxy += x * y;
    }
    const double b = (double(k) * sxy - sx * sy) / (double(k) * sxx - sx * sx), a = (sy - b * sx) / double(k);
    const double vtkAll = a + b * double(v.instances.size());
    std::printf("ours_s=%.3f ours_extract_only_s=%.3f ours_triangles=%.0f ours_peak_mb=%.0f\n", ours[0],
                ours[2], ours[1], oursMB);
    std::printf("vtk_labels_timed=%zu vtk_timed_s=%.3f vtk_fit_a=%.3f vtk_fit_b=%.4f vtk_all_labels_s=%.1f "
                "vtk_peak_mb=%.0f\n",
                k, peer[k - 1], a, b, vtkAll, peerMB);
    bool agree = true;
    for (size_t i = 0; i < k; ++i) {
        const double ao = ours[3 + i], ap = peer[k + i];
        const double rel = std::fabs(ao / ap - 1);
        std::printf("check label=%llu area_ours=%.1f area_vtk=%.1f rel=%.5f\n",
                    (unsigned long long)v.instances[subset[i]].label, ao, ap, rel);
        if (!(rel < 0.01)) agree = false;
    }

    // FISBe ground truth: read and mesh
    {
        const std::string zarr = std::string(NR_SHARED_DIR) + "/data/labels/fisbe/R14A02-20180905_65_A6.zarr";
        auto t = Clock::now();
        auto g = readZarrVolume(zarr);
        const double readS = seconds(t);
        if (!g) {
            std::printf("fisbe_error=\"%s\"\n", g.error().str().c_str());
            agree = false;
        } else {
            const double bytes = 7.0 * 385 * 685 * 686;
            t = Clock::now();
            const auto meshes = meshInstances(g.value());
            const double meshS = seconds(t);
            double tris = 0;
            for (const auto& m : meshes)
                if (m.mesh) tris += double(m.mesh->GetNumberOfPolys());
            std::printf("fisbe_read_s=%.2f fisbe_mesh_s=%.2f fisbe_read_mesh_s=%.2f fisbe_instances=%zu "
                        "fisbe_triangles=%.0f zarr_decode_mb_s=%.0f\n",
                        readS, meshS, readS + meshS, meshes.size(), tris, bytes / 1e6 / readS);
            if (g.value().instances.size() != 7 || g.value().overlapVoxels != 677) agree = false;
        }
    }
    // 1,000 generated SWC files
    {
        QTemporaryDir dir;
        std::mt19937 rng(7);
        std::uniform_real_distribution<double> u(-1, 1);
        for (int f = 0; f < 1000; ++f) {
            std::ofstream o(dir.filePath(QString("n%1.swc").arg(f, 4, 10, QChar('0'))).toStdString());
            o << "# generated\n1 1 0 0 0 5 -1\n";
            double p[3] = {0, 0, 0};
            for (int i = 2; i <= 300; ++i) {
                for (double& c : p) c += u(rng) * 3;
                const int parent = (i % 37 == 0) ? 1 + int((u(rng) + 1) * 0.5 * (i - 2)) : i - 1;
                o << i << " 3 " << p[0] << " " << p[1] << " " << p[2] << " 0.5 " << parent << "\n";
            }
        }
        auto t = Clock::now();
        auto set = readSwcFolder(dir.path().toStdString());
        const double s = seconds(t);
        if (!set || set.value().neurons.size() != 1000) agree = false;
        std::printf("swc_files=1000 swc_nodes=%zu swc_load_s=%.3f swc_files_per_s=%.0f\n",
                    set ? set.value().totalNodes() : size_t(0), s, 1000.0 / s);
    }
    std::printf("ratio=%.1f\n", vtkAll / ours[0]);
    if (!agree) {
        std::fprintf(stderr, "bench_meshing: results disagree\n");
        return 1;
    }
    return 0;
}
