// FISBe instance metrics: a predicted instance segmentation scored against a ground truth whose instances may
// overlap, as the FISBe benchmark defines them (Kainmueller-Lab/evaluate-instance-segmentation,
// `evalinstseg`, FlyLight preset: clDice localisation, greedy one-to-one matching, predicted instances of <=
// 800 voxels removed, coverage by one-to-many assignment, false splits / merges by greedy many-to-many
// matching).
//
// Instances are given as sorted linear voxel indices (z*ny*nx + y*nx + x) of one volume shape, so both
// label maps and one-channel-per-instance volumes fit. Skeletons are 3-D thinnings (Lee, Kashyap & Chu 1994:
// six directional sub-iterations, Euler-invariant simple border points, sequential recheck), the same
// thinning scikit-image's 3-D skeletonize performs, so the numbers equal the benchmark's own.
//
// Floating point follows the benchmark's arrays: the clPrecision / clRecall / clDice matrices are single
// precision, F1 scores double precision, means summed pairwise (as NumPy does).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/Error.h"

namespace nr {

struct LabelVolume;

struct FisbeInstances {
    size_t nz = 0, ny = 0, nx = 0;
    std::vector<std::vector<uint64_t>> voxels; // per instance, sorted linear indices
    std::vector<uint64_t> labels;              // the label (or channel + 1) each instance had in its file
};

struct FisbeOptions {
    uint64_t minPredSize = 800; // predicted instances with at most this many voxels are removed
    double fmThresh = 0.1;      // clRecall threshold of the many-to-many matching for false merges
    double fsThresh = 0.05;     // ... for false splits
    int threads = 0;            // skeletonisation threads; 0 = all cores
    // GT labels of dim (low contrast) instances (FISBe's `dim_neurons` attribute); their subset is scored
    // too.
    std::vector<uint64_t> dimLabels;
};

// Scores on a subset of the GT instances (dim ones; ones in an overlap), as the benchmark computes them.
struct FisbeSubset {
    int count = 0; // GT instances in the subset
    int tp05 = 0;  // greedy matches with clDice > 0.5 among them
    double tp05Rel = 0;
    std::vector<double> coverage; // per subset instance
    double avgCoverage = 0;
};

struct FisbeThreshold {
    double th = 0;
    int tp = 0, fp = 0, fn = 0;
    double precision = 0, recall = 0, ap = 0, fscore = 0;
    int falseSplit = 0, falseMerge = 0; // per-threshold error labels (evaluate_false_labels)
};

struct FisbeResult {
    int numGt = 0, numPred = 0;
    std::vector<uint64_t> gtLabels, predLabels; // file labels of the evaluated instances (pred after removal)
    std::vector<uint64_t> gtVoxels, predVoxels; // voxel counts of the evaluated instances
    int removedPred = 0;
    // (numGt+1) x (numPred+1), row-major, row/column 0 = background.
    std::vector<float> clPrecision, clRecall, clDice;
    std::vector<FisbeThreshold> thresholds; // 0.1 ... 0.9, then 0.55, 0.65, 0.75, 0.85, 0.95
    int tp05 = 0;
    std::vector<int> tp05Gt, tp05Pred; // matched pairs at 0.5 (1-based instance numbers), in match order
    std::vector<float> tp05ClDice;
    float avgTp05ClDice = 0;
    std::vector<double> gtCoverage; // per GT instance
    double avgGtCoverage = 0;
    double avFscore19 = 0, avFscore59 = 0, avAP19 = 0, avAP59 = 0;
    double avgF1CovScore = 0;
    int fs = 0, fm = 0;                  // many-to-many false splits / merges
    FisbeSubset dim, overlap;            // dim GT instances; GT instances with voxels in an overlap
    std::vector<int> gtSkeletonVoxels;   // per GT instance
    std::vector<int> predSkeletonVoxels; // per predicted instance
    std::vector<int> predBestGt;         // per predicted instance: GT with the highest clPrecision (0 = none)
    std::vector<int> gtMatchedPred;      // per GT instance: pred matched at 0.5 (0 = none)
    double skeletonSeconds = 0, totalSeconds = 0;
};

// 3-D thinning of one instance. `voxels` are sorted linear indices in a volume of nz*ny*nx; the result is the
// skeleton's voxels, sorted.
std::vector<uint64_t> skeletonize3d(const std::vector<uint64_t>& voxels, size_t nz, size_t ny, size_t nx);

// The metrics. `gt` and `pred` must have the same shape (checked: Error names `gtName`/`predName`).
Result<FisbeResult> fisbeEvaluate(const FisbeInstances& gt, const FisbeInstances& pred,
                                  const FisbeOptions& opt, const std::string& gtName = "ground truth",
                                  const std::string& predName = "prediction");

// The `dim_neurons` attribute of a Zarr array (FISBe ground truth), or nothing.
std::vector<uint64_t> fisbeDimLabels(const LabelVolume& v);

// A label volume as instances (label maps: one instance per label; channel volumes: one per channel).
FisbeInstances fisbeInstances(const LabelVolume& v);

} // namespace nr
