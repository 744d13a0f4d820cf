// Shesha: split-half reliability of representational geometry. Two RDMs from disjoint halves of the data are
// compared by Spearman correlation of their upper triangles, averaged over splits.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "analysis/Rdm.h"
#include "analysis/TrialCounts.h"
#include "model/Error.h"

namespace nr {

enum class SheshaMode { Trials, Units };
enum class SheshaSplit { Random, OddEven };

struct SheshaOptions {
    SheshaMode mode = SheshaMode::Trials;
    SheshaSplit split = SheshaSplit::Random;
    int splits = 100;  // random splits; odd-even is one deterministic split
    uint64_t seed = 1; // seeds the splits and the bootstrap
    RdmMetric metric = RdmMetric::Correlation;
    double shrinkage = kCrossnobisShrinkage;
    int bootstrap = 1000; // resamples of the percentile bootstrap of the mean over splits
    int threads = 0;      // 0: one per hardware thread (at most 8)
    // Called with the fraction done; returning false stops the computation (the result is an error).
    std::function<bool(double)> progress;
};

struct SheshaResult {
    double mean = 0, ciLow = 0, ciHigh = 0;
    int splits = 0;
    std::vector<double> perSplit;
};

Result<SheshaResult> shesha(const TrialCounts& tc, const SheshaOptions& opt);

// Membership of the first half in split `index` (0-based): mode=trials one flag per entry of tc.counts,
// mode=units one flag per unit. Exactly the halves that shesha() uses.
std::vector<uint8_t> sheshaSplitMask(const TrialCounts& tc, const SheshaOptions& opt, int index);

} // namespace nr
