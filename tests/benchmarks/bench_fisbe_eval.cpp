// bench_fisbe_eval: the FISBe benchmark's instance metrics (fisbe_eval), ours against a NumPy + scikit-image
// implementation of the same definitions.
//
// Data, generated here: a 512 x 512 x 256 (x, y, z) volume with 200 ground-truth instances, thin branching
// tubes (radius 1.2-2.5 voxels) drawn as chains of balls along persistent random walks with 1-2 side
// branches; a third start on an earlier instance, so instances touch and overlap (the ground truth is a list
// of instances, as FISBe's one-channel-per-instance arrays). The prediction is a uint16 label map made from
// it: most instances copied (some shifted by a voxel), some split in two, some merged with another, some
// missed, and 150 small false positives (balls and short tubes, many under the 800-voxel minimum).
// Ours: nr::fisbeInstances on the label map, then nr::fisbeEvaluate, on 1 thread
//   and on 2 (median of 3 runs each).
// Peer (tests/benchmarks/fisbe_eval_skimage.py, NumPy + Debian's python3-skimage): the same metrics as the
//   benchmark's evaluation code defines them, skeletons by skimage on each instance's bounding box; median of
//   3 runs in one process (skimage's thinning is single-threaded).
// Check: counts at every threshold, false splits / merges, and the averages (to 1e-9) equal the peer's; a
// difference exits with status 1.
#include <QTemporaryDir>
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <vector>

#include "BenchCommon.h"
#include "morph/FisbeEval.h"
#include "morph/LabelVolume.h"

namespace {

constexpr int NX = 512, NY = 512, NZ = 256;
constexpr int kInstances = 200, kFalsePositives = 150;

double since(std::chrono::steady_clock::time_point a) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count();
}

uint64_t lin(int z, int y, int x) {
    return (uint64_t(z) * NY + uint64_t(y)) * NX + uint64_t(x);
}

struct Tube {
    std::vector<std::array<double, 3>> centres; // z, y, x
    std::vector<uint64_t> voxels;
};

void stamp(std::vector<uint64_t>& out, const std::array<double, 3>& c, double r) {
    const int ri = int(std::ceil(r));
    for (int dz = -ri; dz <= ri; ++dz)
        for (int dy = -ri; dy <= ri; ++dy)
            for (int dx = -ri; dx <= ri; ++dx) {
                if (dz * dz + dy * dy + dx * dx > r * r) continue;
                const int z = int(std::lround(c[0])) + dz, y = int(std::lround(c[1])) + dy,
                          x = int(std::lround(c[2])) + dx;
                if (z < 0 || y < 0 || x < 0 || z >= NZ || y >= NY || x >= NX) continue;
                out.push_back(lin(z, y, x));
            }
}

// A persistent random walk of `steps` from `start`; its centres are appended.
void walk(std::mt19937_64& rng, std::array<double, 3> p, int steps, double r, Tube& t) {
    std::normal_distribution<double> n(0, 1);
    std::array<double, 3> d = {n(rng) * 0.5, n(rng), n(rng)};
    for (int s = 0; s < steps; ++s) {
        double len = std::sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
        for (auto& v : d) v /= len;
        for (int a = 0; a < 3; ++a) p[a] += d[a];
        if (p[0] < 2 || p[1] < 2 || p[2] < 2 || p[0] > NZ - 3 || p[1] > NY - 3 || p[2] > NX - 3) break;
        t.centres.push_back(p);
        stamp(t.voxels, p, r);
        for (auto& v : d) v += 0.15 * n(rng);
    }
}

void finish(std::vector<uint64_t>& v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
}

template <class T>
void writeNpy(const std::string& path, const char* descr, const std::vector<uint64_t>& shape, const T* data,
              size_t n) {
    std::string sh = "(";
    for (size_t i = 0; i < shape.size(); ++i)
        sh += std::to_string(shape[i]) + (shape.size() == 1 ? "," : i + 1 < shape.size() ? ", " : "");
    sh += ")";
    std::string h = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': " + sh + ", }";
    while ((10 + h.size() + 1) % 64) h += ' ';
    h += '\n';
    std::ofstream f(path, std::ios::binary);
    f.write("\x93NUMPY\x01\x00", 8);
    const uint16_t hl = uint16_t(h.size());
    f.write(reinterpret_cast<const char*>(&hl), 2);
    f.write(h.data(), std::streamsize(h.size()));
    f.write(reinterpret_cast<const char*>(data), std::streamsize(n * sizeof(T)));
}

} // namespace

int main() {
    bench::printLoad("before");
    std::mt19937_64 rng(20261206);
    std::uniform_real_distribution<double> U(0, 1);

    // ---- ground truth
    // ---------------------------------------------------------------------------------------
    std::vector<Tube> gt(kInstances);
    for (int i = 0; i < kInstances; ++i) {
        Tube& t = gt[size_t(i)];
        const double r = 1.2 + 1.3 * U(rng);
        std::array<double, 3> start;
        if (i > 0 && U(rng) < 0.33) {
            const Tube& o = gt[size_t(rng() % uint64_t(i))];
            start = o.centres.empty() ? std::array<double, 3>{NZ / 2.0, NY / 2.0, NX / 2.0}
                                      : o.centres[size_t(rng() % o.centres.size())];
        } else {
            start = {20 + U(rng) * (NZ - 40), 20 + U(rng) * (NY - 40), 20 + U(rng) * (NX - 40)};
        }
        walk(rng, start, 120 + int(rng() % 100), r, t);
        const int branches = 1 + int(rng() % 2);
        for (int b = 0; b < branches && t.centres.size() > 10; ++b) {
            const auto from = t.centres[size_t(rng() % t.centres.size())];
            walk(rng, from, 40 + int(rng() % 60), std::max(1.0, r * 0.8), t);
        }
        finish(t.voxels);
    }

    // ---- prediction
    // -----------------------------------------------------------------------------------------
    std::vector<uint16_t> pred(size_t(NX) * NY * NZ, 0);
    uint16_t next = 1;
    int copied = 0, shifted = 0, split = 0, merged = 0, missed = 0;
    uint16_t lastCopy = 0;
    for (int i = 0; i < kInstances; ++i) {
        const Tube& t = gt[size_t(i)];
        const double f = U(rng);
        if (f < 0.1) {
            ++missed;
            continue;
        }
        if (f < 0.2 && lastCopy) { // merged with the previous copied instance
            ++merged;
            for (uint64_t v : t.voxels) pred[v] = lastCopy;
            continue;
        }
        if (f < 0.3 && t.centres.size() > 2) { // split in two along the start-end direction
            ++split;
            const auto& a = t.centres.front();
            const auto& b = t.centres.back();
            const double d[3] = {b[0] - a[0], b[1] - a[1], b[2] - a[2]};
            const double mid = 0.5 * (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
            const uint16_t l1 = next++, l2 = next++;
            for (uint64_t v : t.voxels) {
                const double z = double(v / (uint64_t(NY) * NX)) - a[0], y = double((v / NX) % NY) - a[1],
                             x = double(v % NX) - a[2];
                pred[v] = (z * d[0] + y * d[1] + x * d[2]) < mid ? l1 : l2;
            }
            continue;
        }
        const uint16_t l = next++;
        if (f < 0.4) { // shifted by one voxel in x
            ++shifted;
            for (uint64_t v : t.voxels)
                if (v % NX + 1 < uint64_t(NX)) pred[v + 1] = l;
        } else {
            ++copied;
            for (uint64_t v : t.voxels) pred[v] = l;
        }
        lastCopy = l;
    }
    for (int k = 0; k < kFalsePositives; ++k) {
        Tube t;
        const std::array<double, 3> c = {10 + U(rng) * (NZ - 20), 10 + U(rng) * (NY - 20),
                                         10 + U(rng) * (NX - 20)};
        if (k % 3 == 0)
            walk(rng, c, 30 + int(rng() % 40), 2.0, t);
        else
            stamp(t.voxels, c, 2 + 5 * U(rng));
        finish(t.voxels);
        const uint16_t l = next++;
        for (uint64_t v : t.voxels) pred[v] = l;
    }

    nr::FisbeInstances gtI;
    gtI.nz = NZ;
    gtI.ny = NY;
    gtI.nx = NX;
    std::vector<uint64_t> gtVox, gtOff = {0};
    uint64_t overlapCount = 0;
    {
        std::vector<uint64_t> all;
        for (const auto& t : gt) {
            gtI.voxels.push_back(t.voxels);
            gtVox.insert(gtVox.end(), t.voxels.begin(), t.voxels.end());
            gtOff.push_back(gtVox.size());
        }
        all = gtVox;
        std::sort(all.begin(), all.end());
        for (size_t i = 1; i < all.size(); ++i) overlapCount += all[i] == all[i - 1];
    }
    printf("volume=%dx%dx%d\ngt_instances=%d\ngt_voxels=%zu\ngt_overlap_voxels=%llu\n", NX, NY, NZ,
           kInstances, gtVox.size(), (unsigned long long)overlapCount);
    printf("pred_labels=%d\npred_copied=%d\npred_shifted=%d\npred_split=%d\npred_merged=%d\npred_missed=%d\n"
           "pred_false_positives=%d\n",
           int(next) - 1, copied, shifted, split, merged, missed, kFalsePositives);
    fflush(stdout);

    // ---- ours
    // -----------------------------------------------------------------------------------------------
    auto runOurs = [&](int threads, nr::FisbeResult& out) {
        const auto t0 = std::chrono::steady_clock::now();
        nr::LabelVolume v;
        v.nz = NZ;
        v.ny = NY;
        v.nx = NX;
        v.bytesPerVoxel = 2;
        v.labelData.resize(pred.size() * 2);
        std::memcpy(v.labelData.data(), pred.data(), v.labelData.size());
        const double copyS = since(t0);
        const auto t1 = std::chrono::steady_clock::now();
        nr::FisbeOptions opt;
        opt.threads = threads;
        auto r = nr::fisbeEvaluate(gtI, nr::fisbeInstances(v), opt);
        const double s = since(t1);
        (void)copyS;
        if (!r) {
            fprintf(stderr, "bench_fisbe_eval: %s\n", r.error().str().c_str());
            exit(2);
        }
        out = std::move(r.value());
        return s;
    };
    nr::FisbeResult ours;
    std::vector<double> t1s, t2s;
    for (int k = 0; k < 3; ++k) t1s.push_back(runOurs(1, ours));
    for (int k = 0; k < 3; ++k) t2s.push_back(runOurs(2, ours));
    const double ours1 = bench::median(t1s), ours2 = bench::median(t2s);
    printf("ours_1thread_s=%.4f\nours_1thread_runs_s=%s\nours_2threads_s=%.4f\nours_2threads_runs_s=%s\n",
           ours1, bench::joined(t1s).c_str(), ours2, bench::joined(t2s).c_str());
    printf("ours_skeleton_s=%.4f\n", ours.skeletonSeconds);
    fflush(stdout);

    // ---- peer
    // -----------------------------------------------------------------------------------------------
    QTemporaryDir dir;
    if (!dir.isValid()) {
        fprintf(stderr, "bench_fisbe_eval: no temporary folder\n");
        return 2;
    }
    const std::string d = dir.path().toStdString();
    writeNpy(d + "/gt_vox.npy", "<u8", {gtVox.size()}, gtVox.data(), gtVox.size());
    std::vector<int64_t> off(gtOff.begin(), gtOff.end());
    writeNpy(d + "/gt_off.npy", "<i8", {off.size()}, off.data(), off.size());
    writeNpy(d + "/pred.npy", "<u2", {uint64_t(NZ), uint64_t(NY), uint64_t(NX)}, pred.data(), pred.size());
    pred.clear();
    pred.shrink_to_fit();
    const std::string cmd =
        "/usr/bin/python3 " + std::string(NR_BENCH_SOURCE_DIR) + "/fisbe_eval_skimage.py " + d + " 800";
    const bench::PeerRun peer = bench::runPeer(cmd);
    for (const char* k : {"peer_blas", "peer_numpy"}) printf("%s=%s\n", k, peer.text(k).c_str());
    if (peer.status != 0 || peer.keys.find("peer_s") == peer.keys.end()) {
        fprintf(stderr,
                "bench_fisbe_eval: the peer failed (status %d); it needs python3-numpy and python3-skimage "
                "(packaging/packages.txt); no ratio\n%s",
                peer.status, peer.output.c_str());
        return 3;
    }
    const double peerS = peer.number("peer_s");
    printf("peer_s=%.4f\npeer_runs_s=%s\n", peerS, peer.text("peer_runs_s").c_str());

    // ---- agreement
    // ------------------------------------------------------------------------------------------
    int bad = 0;
    auto same = [&](const std::string& k, double ourValue, double tol) {
        const double p = peer.number(k);
        if (!(std::fabs(p - ourValue) <= tol)) {
            fprintf(stderr, "bench_fisbe_eval: %s: ours %.12g, peer %.12g\n", k.c_str(), ourValue, p);
            ++bad;
        }
    };
    same("num_gt", ours.numGt, 0);
    same("num_pred", ours.numPred, 0);
    for (const auto& T : ours.thresholds) {
        char th[16];
        snprintf(th, sizeof th, "%g", T.th);
        same(std::string("tp_") + th, T.tp, 0);
        same(std::string("false_split_") + th, T.falseSplit, 0);
        same(std::string("false_merge_") + th, T.falseMerge, 0);
    }
    same("fs", ours.fs, 0);
    same("fm", ours.fm, 0);
    same("avg_f1", ours.avFscore19, 1e-9);
    same("av_ap_0.5_0.9", ours.avAP59, 1e-9);
    same("avg_gt_skel_coverage", ours.avgGtCoverage, 1e-9);
    same("avg_f1_cov_score", ours.avgF1CovScore, 1e-9);
    same("avg_tp_0.5_cldice", ours.avgTp05ClDice, 1e-9);
    printf("num_gt=%d\nnum_pred=%d\ntp_0.5=%d\nfs=%d\nfm=%d\navg_f1=%.10f\navg_gt_skel_coverage=%.10f\n",
           ours.numGt, ours.numPred, ours.tp05, ours.fs, ours.fm, ours.avFscore19, ours.avgGtCoverage);
    printf("results_equal=%s\n", bad ? "no" : "yes");
    bench::printLoad("after");
    const double ratio1 = peerS / ours1, ratio2 = peerS / ours2;
    printf("ratio_single_thread=%.2f\nratio_all_cores=%.2f\nratio=%.2f\n", ratio1, ratio2, ratio2);
    return bad ? 1 : 0;
}
