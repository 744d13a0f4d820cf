// Spike counts per unit, condition and trial in a window: the common input of RDM and Shesha.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/TrialData.h"
#include "model/Error.h"

namespace nr {

// Dense, flattened counts. Slot s = c * unitCount() + u holds the trials of unit u in condition c, ordered by
// trial id, at positions offset[s] .. offset[s+1] of `counts` and `trialIds`.
struct TrialCounts {
    std::vector<int64_t> unitIds;        // ascending
    std::vector<std::string> conditions; // numeric order when every condition is a number, else text order
    std::vector<uint32_t> offset;        // conditionCount() * unitCount() + 1 entries
    std::vector<float> counts;           // spike count of one unit in one trial within the window
    std::vector<int64_t> trialIds;
    double windowStart = 0, windowEnd = 0;
    std::string source; // for error messages

    size_t unitCount() const { return unitIds.size(); }
    size_t conditionCount() const { return conditions.size(); }
    size_t slot(size_t c, size_t u) const { return c * unitIds.size() + u; }
    uint32_t trialsIn(size_t c, size_t u) const { return offset[slot(c, u) + 1] - offset[slot(c, u)]; }
};

// Counts spikes in [start, end) seconds from trial start. Errors: start >= end, non-finite bounds, no spikes
// at all in the recording, a spike whose trial is not in the trials table, duplicate trial rows, and a unit
// with no trial of some condition (the error names the condition and the unit).
Result<TrialCounts> countSpikes(const TrialData& data, double start, double end);

// Keeps the trials (or units) whose flag is non-zero. `keepTrial` has one flag per entry of `counts`.
TrialCounts selectTrials(const TrialCounts& tc, const std::vector<uint8_t>& keepTrial);
TrialCounts selectUnits(const TrialCounts& tc, const std::vector<uint8_t>& keepUnit);

// Sorts condition labels: numerically when all parse as numbers, otherwise as text.
void sortConditions(std::vector<std::string>& conditions);

} // namespace nr
