// Firing statistics per unit: mean rate, CV of inter-spike intervals, Fano factor of spike counts.
#pragma once

#include <cstdint>
#include <vector>

#include "analysis/TrialData.h"
#include "model/Error.h"
#include "model/SpikeTrains.h"

namespace nr {

struct UnitFiringStats {
    int64_t unit = 0;
    size_t spikes = 0;
    double rateHz = 0; // spikes / observed time
    double cvIsi = 0;  // std / mean of inter-spike intervals (sample std); NaN with fewer than 2 intervals
    double fano = 0;   // variance / mean of counts (sample variance); NaN when undefined
};

// One long recording: rate over [tStart, tStop) (or the span of the spikes when tStop <= tStart); Fano factor
// of counts in consecutive windows of `fanoWindowS` seconds (at least two windows).
Result<std::vector<UnitFiringStats>> firingStats(const SpikeTrains& trains, double fanoWindowS = 1.0,
                                                 const std::string& file = "");

// Trial data: counts in [start, end) from trial start. Rate = mean count / (end - start); CV from the
// intervals within each trial pooled; Fano factor = mean over conditions (with a positive mean count and at
// least two trials) of the variance / mean of the trial counts.
Result<std::vector<UnitFiringStats>> firingStats(const TrialData& data, double start, double end);

} // namespace nr
