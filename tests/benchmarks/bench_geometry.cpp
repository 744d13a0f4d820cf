// Benchmark: RDM and Shesha (100 random splits, mode=trials, correlation) for 500 units x 100 conditions x 40
// trials, against the NumPy/SciPy peer tests/benchmarks/geometry_reference.py run on the same counts and the
// same split halves.
// The peer runs on the BLAS NumPy loads (OpenBLAS; refused on the reference BLAS, exit 3) with one BLAS
// thread and with all cores; ours runs Shesha on one thread and on two. Medians of 3 runs (RDM: 5);
// ratio_single_thread and ratio_all_cores (the headline) compare RDM + Shesha time. Exits non-zero when the
// RDM or the Shesha value differs from NumPy's by more than 1e-6.
#include <QCoreApplication>
#include <QTemporaryDir>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <random>
#include <string>

#include "BenchCommon.h"
#include "analysis/Rdm.h"
#include "analysis/Shesha.h"

using namespace nr;

namespace {

constexpr int kUnits = 500, kConditions = 100, kTrials = 40, kSplits = 100;

double seconds(std::chrono::steady_clock::time_point a) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count();
}

// NPY v1.0 header for a C-ordered array.
void writeNpy(const std::string& path, const std::string& descr, const std::string& shape, const void* data,
              size_t bytes) {
    std::string h = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    while ((10 + h.size() + 1) % 64) h += ' ';
    h += '\n';
    std::ofstream f(path, std::ios::binary);
    f.write("\x93NUMPY\x01\x00", 8);
    const char len[2] = {char(h.size() & 0xff), char(h.size() >> 8)};
    f.write(len, 2);
    f.write(h.data(), std::streamsize(h.size()));
    f.write(static_cast<const char*>(data), std::streamsize(bytes));
}

// Counts with low-dimensional structure: log rate = unit bias + unit loadings . condition latent (3-D).
TrialCounts syntheticCounts(uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> n(0, 1);
    std::vector<double> bias(kUnits), load(kUnits * 3), lat(kConditions * 3);
    for (auto& b : bias) b = 1.0 + 0.5 * n(rng);
    for (auto& l : load) l = 0.3 * n(rng);
    for (auto& l : lat) l = n(rng);
    TrialCounts tc;
    tc.source = "synthetic";
    for (int u = 0; u < kUnits; ++u) tc.unitIds.push_back(u);
    for (int c = 0; c < kConditions; ++c) tc.conditions.push_back(std::to_string(c));
    tc.offset.push_back(0);
    for (int c = 0; c < kConditions; ++c)
        for (int u = 0; u < kUnits; ++u) {
            double x = bias[size_t(u)];
            for (int d = 0; d < 3; ++d) x += load[size_t(u * 3 + d)] * lat[size_t(c * 3 + d)];
            std::poisson_distribution<int> p(std::exp(x));
            for (int k = 0; k < kTrials; ++k) {
                tc.counts.push_back(float(p(rng)));
                tc.trialIds.push_back(c * 1000 + k);
            }
            tc.offset.push_back(uint32_t(tc.counts.size()));
        }
    tc.windowStart = 0;
    tc.windowEnd = 1;
    return tc;
}

} // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    bench::printLoad("before");
    QTemporaryDir dir;
    const TrialCounts tc = syntheticCounts(12345);
    SheshaOptions opt;
    opt.splits = kSplits;
    opt.seed = 7;

    // Ours: RDM (median of 5, like the peer).
    std::vector<double> rdmRuns;
    Eigen::MatrixXd rdm;
    for (int r = 0; r < 5; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        auto res = rdmOfResponses(responseMatrix(tc), RdmMetric::Correlation, tc.conditions, tc.source);
        rdmRuns.push_back(seconds(t0));
        if (!res) {
            fprintf(stderr, "%s\n", res.error().str().c_str());
            return 1;
        }
        rdm = res.value();
    }
    const double ourRdm = bench::median(rdmRuns);
    // Shesha on one thread and on both cores: one warm-up run (first touch of the buffers), then the median
    // of 3 wall-clock times, like the peer.
    double sheshaValue = 0, ourShesha[2] = {0, 0};
    std::vector<double> sheshaRuns[2];
    double ourSheshaCpu = 0;
    for (int threads : {1, 2}) {
        opt.threads = threads;
        if (!shesha(tc, opt)) return 1;
        std::vector<std::pair<double, double>> runs;
        for (int r = 0; r < 3; ++r) {
            const auto t0 = std::chrono::steady_clock::now();
            const std::clock_t c0 = std::clock();
            auto s = shesha(tc, opt);
            runs.push_back({seconds(t0), double(std::clock() - c0) / CLOCKS_PER_SEC});
            if (!s) {
                fprintf(stderr, "%s\n", s.error().str().c_str());
                return 1;
            }
            sheshaValue = s.value().mean;
            sheshaRuns[threads - 1].push_back(runs.back().first);
        }
        std::sort(runs.begin(), runs.end());
        ourShesha[threads - 1] = runs[1].first;
        if (threads == 2) ourSheshaCpu = runs[1].second;
    }

    // Inputs for the peer: the counts and the exact halves (packed bits, numpy.packbits order).
    const std::string countsPath = dir.filePath("counts.npy").toStdString();
    const std::string masksPath = dir.filePath("masks.npy").toStdString();
    const std::string prefix = dir.filePath("numpy").toStdString();
    writeNpy(countsPath, "<f4",
             "(" + std::to_string(kConditions) + ", " + std::to_string(kUnits) + ", " +
                 std::to_string(kTrials) + ")",
             tc.counts.data(), tc.counts.size() * sizeof(float));
    const size_t packed = (tc.counts.size() + 7) / 8;
    std::vector<uint8_t> bits(packed * kSplits, 0);
    for (int i = 0; i < kSplits; ++i) {
        const auto mask = sheshaSplitMask(tc, opt, i);
        for (size_t k = 0; k < mask.size(); ++k)
            if (mask[k]) bits[size_t(i) * packed + k / 8] |= uint8_t(0x80u >> (k % 8));
    }
    writeNpy(masksPath, "|u1", "(" + std::to_string(kSplits) + ", " + std::to_string(packed) + ")",
             bits.data(), bits.size());

    // The peer with one BLAS thread, then with the library's default (all cores).
    const std::string cmd = "/usr/bin/python3 " + std::string(NR_BENCH_SOURCE_DIR) +
                            "/geometry_reference.py " + countsPath + " " + masksPath + " " + prefix;
    bench::PeerRun runs[2] = {bench::runPeer(cmd + " 1"), bench::runPeer(cmd + " 0")};
    for (const auto& r : runs) {
        if (bench::referenceBlas(r.text("peer_blas"))) {
            printf("peer_blas=%s\n", r.text("peer_blas").c_str());
            fprintf(stderr,
                    "the NumPy peer runs on the reference BLAS (%s): install libopenblas0-pthread "
                    "(packaging/install-deps.sh); no ratio\n",
                    r.text("peer_blas").c_str());
            return 3;
        }
        if (r.status != 0) {
            fprintf(stderr, "geometry_reference.py failed (status %d)\n", r.status);
            return 1;
        }
    }
    std::map<std::string, double> peer;
    for (const auto& [k, v] : runs[1].keys) peer[k] = std::strtod(v.c_str(), nullptr);
    std::vector<double> npRdm(size_t(kConditions) * kConditions);
    std::ifstream rf(prefix + ".rdm", std::ios::binary);
    rf.read(reinterpret_cast<char*>(npRdm.data()), std::streamsize(npRdm.size() * sizeof(double)));
    if (!rf || !peer.count("numpy_rdm_s") || !peer.count("numpy_shesha_s") || !peer.count("numpy_shesha")) {
        fprintf(stderr, "geometry_reference.py gave incomplete output\n");
        return 1;
    }
    double maxDiff = 0;
    for (int i = 0; i < kConditions; ++i)
        for (int j = 0; j < kConditions; ++j)
            maxDiff = std::max(maxDiff, std::fabs(rdm(i, j) - npRdm[size_t(i * kConditions + j)]));

    printf("units=%d\nconditions=%d\ntrials=%d\nsplits=%d\n", kUnits, kConditions, kTrials, kSplits);
    printf("peer=numpy_%s_scipy\npeer_blas=%s\npeer_blas_kernel=%s\n", runs[0].text("peer_numpy").c_str(),
           runs[0].text("peer_blas").c_str(), runs[0].text("peer_blas_kernel").c_str());
    printf("peer_threads_1t=%s\npeer_threads_all=%s\n", runs[0].text("peer_threads").c_str(),
           runs[1].text("peer_threads").c_str());
    printf("shesha=%.9f\n", sheshaValue);
    printf("our_rdm_s=%.6f\n", ourRdm);
    printf("numpy_rdm_1t_s=%.6f\nnumpy_rdm_all_s=%.6f\n", runs[0].number("numpy_rdm_s"), peer["numpy_rdm_s"]);
    printf("our_shesha_1t_s=%.6f\nour_shesha_1t_runs_s=%s\n", ourShesha[0],
           bench::joined(sheshaRuns[0]).c_str());
    printf("our_shesha_2t_s=%.6f\nour_shesha_2t_runs_s=%s\n", ourShesha[1],
           bench::joined(sheshaRuns[1]).c_str());
    printf("numpy_shesha_1t_s=%.6f\nnumpy_shesha_1t_runs_s=%s\n", runs[0].number("numpy_shesha_s"),
           runs[0].text("numpy_shesha_runs_s").c_str());
    printf("numpy_shesha_all_s=%.6f\nnumpy_shesha_all_runs_s=%s\n", peer["numpy_shesha_s"],
           runs[1].text("numpy_shesha_runs_s").c_str());
    printf("our_shesha_2t_cpu_s=%.6f\n", ourSheshaCpu); // summed over threads
    printf("numpy_shesha_all_cpu_s=%.6f\n", peer["numpy_shesha_cpu_s"]);
    const double sheshaDiff = std::max(std::fabs(sheshaValue - peer["numpy_shesha"]),
                                       std::fabs(sheshaValue - runs[0].number("numpy_shesha")));
    printf("max_abs_diff_rdm=%.3g\n", maxDiff);
    printf("abs_diff_shesha=%.3g\n", sheshaDiff);
    // Written so that a NaN on either side counts as a disagreement.
    constexpr double kTolerance = 1e-6;
    const bool agree = maxDiff <= kTolerance && sheshaDiff <= kTolerance;
    printf("agree=%d\n", agree ? 1 : 0);
    bench::printLoad("after");
    const double ratio1 =
        (runs[0].number("numpy_rdm_s") + runs[0].number("numpy_shesha_s")) / (ourRdm + ourShesha[0]);
    const double ratio2 = (peer["numpy_rdm_s"] + peer["numpy_shesha_s"]) / (ourRdm + ourShesha[1]);
    printf("ratio_single_thread=%.2f\nratio_all_cores=%.2f\nratio=%.2f\n", ratio1, ratio2, ratio2);
    if (!agree) {
        fprintf(stderr,
                "results disagree with NumPy: max_abs_diff_rdm=%.3g abs_diff_shesha=%.3g (tolerance %.0e)\n",
                maxDiff, sheshaDiff, kTolerance);
        return 2;
    }
    return 0;
}
