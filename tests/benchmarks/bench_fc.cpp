// bench_fc: all-pairs Pearson r in sliding windows (300 neurons x 100,000 time points, windows of 1,000
// samples every 100) with nr::windowedPearson against NumPy on the same data, in the same run. The peer
// (tests/benchmarks/fc_numpy.py) runs np.corrcoef per window, z-scored windows with one matrix product per
// window, and block running sums, on the BLAS NumPy loads (OpenBLAS; the run is refused on the reference
// BLAS), once with one BLAS thread and once on all cores. Each side is the median of 3 runs; the ratios are
// against the fastest NumPy variant: ratio_single_thread (ours on 1 thread) and ratio_all_cores (ours on 2),
// the headline. Results must agree with np.corrcoef to 1e-9 (exit 1 otherwise). Also times NTF of rank 8 on
// the resulting pairs x windows affinity tensor.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

#include "BenchCommon.h"
#include "traces/TraceAnalysis.h"

namespace {

double seconds(std::chrono::steady_clock::time_point a) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count();
}

bool writeNpy(const std::string& path, const std::vector<double>& v, size_t rows, size_t cols) {
    std::string dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + std::to_string(rows) + ", " +
                       std::to_string(cols) + "), }";
    while ((10 + dict.size() + 1) % 64) dict += ' ';
    dict += '\n';
    std::ofstream f(path, std::ios::binary);
    f.write("\x93NUMPY\x01\x00", 8);
    const uint16_t hl = uint16_t(dict.size());
    f.write(reinterpret_cast<const char*>(&hl), 2);
    f << dict;
    f.write(reinterpret_cast<const char*>(v.data()), std::streamsize(v.size() * sizeof(double)));
    return bool(f);
}

// Reads a float64 C-order .npy of exactly `count` values.
bool readNpy(const std::string& path, std::vector<double>& v, size_t count) {
    std::ifstream f(path, std::ios::binary);
    char magic[10];
    if (!f.read(magic, 10) || std::memcmp(magic, "\x93NUMPY", 6) != 0) return false;
    size_t hl =
        size_t(static_cast<unsigned char>(magic[8])) | (size_t(static_cast<unsigned char>(magic[9])) << 8);
    if (magic[6] != 1) {
        char more[2];
        f.read(more, 2);
        hl |= (size_t(static_cast<unsigned char>(more[0])) << 16) |
              (size_t(static_cast<unsigned char>(more[1])) << 24);
    }
    std::string h(hl, '\0');
    f.read(&h[0], std::streamsize(hl));
    if (h.find("'<f8'") == std::string::npos || h.find("True") != std::string::npos) return false;
    v.resize(count);
    f.read(reinterpret_cast<char*>(v.data()), std::streamsize(count * sizeof(double)));
    return bool(f);
}

} // namespace

int main() {
    bench::printLoad("before");
    const size_t n = 300, T = 100000, window = 1000, step = 100;
    // Correlated data: 6 shared slow signals mixed into AR(1) noise with neuron-specific offsets and scales.
    std::mt19937_64 rng(2023);
    std::normal_distribution<double> N01(0, 1);
    std::vector<std::vector<double>> shared(6, std::vector<double>(T));
    for (auto& s : shared) {
        double x = 0;
        for (auto& v : s) v = x = 0.99 * x + 0.14 * N01(rng);
    }
    std::vector<double> data(n * T);
    for (size_t i = 0; i < n; ++i) {
        const double gain = 0.5 + 2.0 * (double(i % 7) / 7.0), offset = 10.0 * N01(rng),
                     scale = 0.5 + (i % 5);
        double x = 0;
        for (size_t k = 0; k < T; ++k) {
            x = 0.9 * x + N01(rng);
            data[i * T + k] = offset + scale * (gain * shared[i % 6][k] + x);
        }
    }
    const std::string dir = "/tmp/bench_fc_" + std::to_string(::getpid());
    if (std::system(("mkdir -p " + dir).c_str()) != 0) return 1;
    const std::string dataPath = dir + "/data.npy", outPath = dir + "/numpy_r.npy";
    if (!writeNpy(dataPath, data, n, T)) {
        std::fprintf(stderr, "cannot write %s\n", dataPath.c_str());
        return 1;
    }

    // Ours: median of 3 runs on one thread and on both cores.
    std::vector<double> ours, ours1, ours2;
    size_t W = 0;
    for (int threads : {1, 2})
        for (int rep = 0; rep < 3; ++rep) {
            const auto t0 = std::chrono::steady_clock::now();
            W = nr::windowedPearson(data.data(), n, T, window, step, threads, ours);
            (threads == 1 ? ours1 : ours2).push_back(seconds(t0));
        }
    const double ours1S = bench::median(ours1), ours2S = bench::median(ours2);
    const size_t P = nr::pairCount(n);

    // NumPy on the same data: one BLAS thread, then the library's default (all cores); each variant 3 times.
    const std::string script = std::string(NR_BENCH_SOURCE_DIR) + "/fc_numpy.py";
    const std::string args = " " + dataPath + " " + std::to_string(window) + " " + std::to_string(step);
    const bench::PeerRun py1 =
        bench::runPeer("/usr/bin/python3 " + script + args + " --threads 1 --reps 3 --out " + outPath);
    const bench::PeerRun py2 = bench::runPeer("/usr/bin/python3 " + script + args + " --threads 2 --reps 3");
    for (const bench::PeerRun* r : {&py1, &py2}) {
        if (bench::referenceBlas(r->text("peer_blas"))) {
            std::printf("peer_blas=%s\n", r->text("peer_blas").c_str());
            std::fprintf(stderr,
                         "the NumPy peer runs on the reference BLAS (%s): install libopenblas0-pthread "
                         "(packaging/install-deps.sh); no ratio\n",
                         r->text("peer_blas").c_str());
            return 2;
        }
        if (r->status != 0 || !std::isfinite(r->number("best_s"))) {
            std::fprintf(stderr, "fc_numpy.py failed (status %d)\n%s", r->status, r->output.c_str());
            return 1;
        }
    }
    std::vector<double> theirs;
    if (!readNpy(outPath, theirs, W * P)) {
        std::fprintf(stderr, "fc_numpy.py gave incomplete output\n");
        return 1;
    }
    double maxDiff = 0;
    size_t mismatchedNaN = 0;
    for (size_t k = 0; k < W * P; ++k) {
        const bool a = std::isnan(ours[k]), b = std::isnan(theirs[k]);
        if (a || b) {
            mismatchedNaN += a != b;
            continue;
        }
        maxDiff = std::max(maxDiff, std::fabs(ours[k] - theirs[k]));
    }
    theirs.clear();
    theirs.shrink_to_fit();
    std::remove(dataPath.c_str());
    std::remove(outPath.c_str());
    ::rmdir(dir.c_str());

    // NTF rank 8 on the pairs x windows affinity tensor (max(r, 0)).
    const std::vector<float> X = nr::affinityTensor(ours, P, W, "positive");
    ours.clear();
    ours.shrink_to_fit();
    const auto t1 = std::chrono::steady_clock::now();
    auto f = nr::ntf(X, P, W, 1, 8, 1, 50, 1e-6);
    const double ntfS = seconds(t1);
    if (!f.ok()) {
        std::fprintf(stderr, "ntf failed: %s\n", f.error().str().c_str());
        return 1;
    }

    std::printf("neurons=%zu\ntimepoints=%zu\nwindow=%zu\nstep=%zu\nwindows=%zu\npairs=%zu\n", n, T, window,
                step, W, P);
    std::printf("ours_1t_s=%.4f\nours_1t_runs_s=%s\nours_2t_s=%.4f\nours_2t_runs_s=%s\n", ours1S,
                bench::joined(ours1).c_str(), ours2S, bench::joined(ours2).c_str());
    std::printf("peer=numpy_%s\npeer_blas=%s\npeer_blas_kernel=%s\n", py1.text("peer_numpy").c_str(),
                py1.text("peer_blas").c_str(), py1.text("peer_blas_kernel").c_str());
    const char* variants[] = {"corrcoef", "zscore", "running"};
    for (const auto& [tag, r] : {std::pair<const char*, const bench::PeerRun*>{"1t", &py1}, {"all", &py2}}) {
        std::printf("peer_threads_%s=%s\n", tag, r->text("peer_threads").c_str());
        for (const char* v : variants)
            std::printf("peer_%s_%s_s=%s\npeer_%s_%s_runs_s=%s\n", v, tag,
                        r->text(std::string(v) + "_s").c_str(), v, tag,
                        r->text(std::string(v) + "_runs_s").c_str());
        std::printf("peer_best_%s=%s\npeer_best_%s_s=%s\n", tag, r->text("best_variant").c_str(), tag,
                    r->text("best_s").c_str());
    }
    const double ratio1 = py1.number("best_s") / ours1S, ratio2 = py2.number("best_s") / ours2S;
    std::printf("ratio_vs_corrcoef_1t=%.2f\nratio_vs_corrcoef_all=%.2f\n", py1.number("corrcoef_s") / ours1S,
                py2.number("corrcoef_s") / ours2S);
    std::printf("max_abs_diff=%.3g\nnan_mismatch=%zu\n", maxDiff, mismatchedNaN);
    std::printf("ntf_rank=8\nntf_tensor=%zux%zu\nntf_iterations=%d\nntf_rel_error=%.6f\nntf_s=%.3f\n", P, W,
                f.value().iterations, f.value().relError, ntfS);
    bench::printLoad("after");
    const bool agree = maxDiff <= 1e-9 && mismatchedNaN == 0;
    // Headline: both sides on both cores, against the faster NumPy variant.
    std::printf("agree=%d\nratio_single_thread=%.2f\nratio_all_cores=%.2f\nratio=%.2f\n", agree ? 1 : 0,
                ratio1, ratio2, ratio2);
    if (!agree) {
        std::fprintf(stderr, "results differ from NumPy: max |diff| %.3g, NaN mismatches %zu\n", maxDiff,
                     mismatchedNaN);
        return 1;
    }
    return 0;
}
