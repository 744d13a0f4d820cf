#include "analysis/TrialCounts.h"

#include "io/MemoryBudget.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <unordered_map>

namespace nr {

namespace {

bool parseNumber(const std::string& s, double& v) {
    if (s.empty()) return false;
    char* end = nullptr;
    v = std::strtod(s.c_str(), &end);
    return end && *end == '\0' && std::isfinite(v);
}

struct PairHash {
    size_t operator()(const std::pair<int64_t, int64_t>& p) const {
        return std::hash<int64_t>()(p.first * 1000003LL) ^ std::hash<int64_t>()(p.second);
    }
};

} // namespace

void sortConditions(std::vector<std::string>& conditions) {
    bool numeric = true;
    double v;
    for (const auto& c : conditions) numeric = numeric && parseNumber(c, v);
    if (numeric) {
        std::stable_sort(conditions.begin(), conditions.end(),
                         [](const std::string& a, const std::string& b) {
                             double x = 0, y = 0;
                             parseNumber(a, x);
                             parseNumber(b, y);
                             return x < y;
                         });
    } else {
        std::stable_sort(conditions.begin(), conditions.end());
    }
}

Result<TrialCounts> countSpikes(const TrialData& d, double start, double end) {
    const std::string file = d.spikesSource;
    if (!std::isfinite(start) || !std::isfinite(end))
        return Error{file, 0, "window bounds must be finite numbers"};
    if (start >= end)
        return Error{file, 0,
                     "empty window: start " + std::to_string(start) + " s is not before end " +
                         std::to_string(end) + " s"};
    if (d.spikeTime.empty()) return Error{file, 0, "no spikes at all in the recording"};
    if (d.trialId.empty()) return Error{d.trialsSource, 0, "the trials table is empty"};
    const bool perUnit = d.hasTrialUnits();
    if (perUnit && d.trialUnit.size() != d.trialId.size())
        return Error{d.trialsSource, 0, "the unit column of the trials table has the wrong length"};

    TrialCounts tc;
    tc.windowStart = start;
    tc.windowEnd = end;
    tc.source = file;

    // Units: every unit that spikes, plus units named by the trials table.
    tc.unitIds = d.spikeUnit;
    if (perUnit) tc.unitIds.insert(tc.unitIds.end(), d.trialUnit.begin(), d.trialUnit.end());
    std::sort(tc.unitIds.begin(), tc.unitIds.end());
    tc.unitIds.erase(std::unique(tc.unitIds.begin(), tc.unitIds.end()), tc.unitIds.end());
    std::unordered_map<int64_t, uint32_t> unitIndex;
    for (size_t i = 0; i < tc.unitIds.size(); ++i) unitIndex[tc.unitIds[i]] = static_cast<uint32_t>(i);

    tc.conditions = d.trialCondition;
    std::sort(tc.conditions.begin(), tc.conditions.end());
    tc.conditions.erase(std::unique(tc.conditions.begin(), tc.conditions.end()), tc.conditions.end());
    sortConditions(tc.conditions);
    std::map<std::string, uint32_t> condIndex;
    for (size_t i = 0; i < tc.conditions.size(); ++i) condIndex[tc.conditions[i]] = static_cast<uint32_t>(i);

    const size_t U = tc.unitIds.size(), C = tc.conditions.size();
    // Slots (condition x unit) hold a vector each; every trial row lands in one slot or, without a unit
    // column, in all U of them (an id, a count and a map entry each).
    {
        const uint64_t trialCells = perUnit ? d.trialId.size() : satMul(d.trialId.size(), U);
        const uint64_t bytes = satAdd(satMul(satMul(C, U), 40), satMul(trialCells, 64));
        if (auto e = checkBudget(bytes,
                                 "counting spikes of " + std::to_string(U) + " units in " +
                                     std::to_string(C) + " conditions",
                                 "use fewer conditions or units, or a per-unit trials table", d.trialsSource))
            return *e;
    }
    // Trials of each slot, then sorted by id.
    std::vector<std::vector<int64_t>> slotTrials(C * U);
    // (unit or -1, trial) -> condition, to reject duplicates and to place spikes.
    std::unordered_map<std::pair<int64_t, int64_t>, uint32_t, PairHash> trialCond;
    for (size_t r = 0; r < d.trialId.size(); ++r) {
        const int64_t unitKey = perUnit ? d.trialUnit[r] : -1;
        const uint32_t c = condIndex[d.trialCondition[r]];
        if (!trialCond.emplace(std::make_pair(unitKey, d.trialId[r]), c).second)
            return Error{d.trialsSource, 0,
                         "trials row " + std::to_string(r + 1) + ": trial " + std::to_string(d.trialId[r]) +
                             " appears twice" +
                             (perUnit ? " for unit " + std::to_string(unitKey) : std::string())};
        if (perUnit) {
            slotTrials[c * U + unitIndex[unitKey]].push_back(d.trialId[r]);
        } else {
            for (size_t u = 0; u < U; ++u) slotTrials[c * U + u].push_back(d.trialId[r]);
        }
    }
    tc.offset.assign(C * U + 1, 0);
    for (size_t c = 0; c < C; ++c) {
        for (size_t u = 0; u < U; ++u) {
            auto& v = slotTrials[c * U + u];
            if (v.empty())
                return Error{d.trialsSource, 0,
                             "condition '" + tc.conditions[c] + "' has no trial for unit " +
                                 std::to_string(tc.unitIds[u])};
            std::sort(v.begin(), v.end());
            tc.offset[c * U + u + 1] = tc.offset[c * U + u] + static_cast<uint32_t>(v.size());
        }
    }
    tc.counts.assign(tc.offset.back(), 0.f);
    tc.trialIds.resize(tc.offset.back());
    for (size_t s = 0; s < C * U; ++s)
        std::copy(slotTrials[s].begin(), slotTrials[s].end(), tc.trialIds.begin() + tc.offset[s]);

    // Position of (unit, trial) in the flat arrays.
    std::unordered_map<std::pair<int64_t, int64_t>, uint32_t, PairHash> where;
    where.reserve(tc.trialIds.size());
    for (size_t c = 0; c < C; ++c)
        for (size_t u = 0; u < U; ++u)
            for (uint32_t k = tc.offset[c * U + u]; k < tc.offset[c * U + u + 1]; ++k)
                where.emplace(std::make_pair(tc.unitIds[u], tc.trialIds[k]), k);

    for (size_t i = 0; i < d.spikeTime.size(); ++i) {
        const double t = d.spikeTime[i];
        if (!std::isfinite(t))
            return Error{file, 0, "spike row " + std::to_string(i + 1) + ": time is not a finite number"};
        if (t < start || t >= end) continue;
        auto it = where.find(std::make_pair(d.spikeUnit[i], d.spikeTrial[i]));
        if (it == where.end())
            return Error{file, 0,
                         "spike row " + std::to_string(i + 1) + ": unit " + std::to_string(d.spikeUnit[i]) +
                             " refers to trial " + std::to_string(d.spikeTrial[i]) +
                             ", which the trials table does not list"};
        tc.counts[it->second] += 1.f;
    }
    return tc;
}

TrialCounts selectTrials(const TrialCounts& tc, const std::vector<uint8_t>& keep) {
    TrialCounts out;
    out.unitIds = tc.unitIds;
    out.conditions = tc.conditions;
    out.windowStart = tc.windowStart;
    out.windowEnd = tc.windowEnd;
    out.source = tc.source;
    out.offset.assign(tc.offset.size(), 0);
    for (size_t s = 0; s + 1 < tc.offset.size(); ++s) {
        for (uint32_t k = tc.offset[s]; k < tc.offset[s + 1]; ++k) {
            if (!keep[k]) continue;
            out.counts.push_back(tc.counts[k]);
            out.trialIds.push_back(tc.trialIds[k]);
        }
        out.offset[s + 1] = static_cast<uint32_t>(out.counts.size());
    }
    return out;
}

TrialCounts selectUnits(const TrialCounts& tc, const std::vector<uint8_t>& keepUnit) {
    TrialCounts out;
    out.conditions = tc.conditions;
    out.windowStart = tc.windowStart;
    out.windowEnd = tc.windowEnd;
    out.source = tc.source;
    for (size_t u = 0; u < tc.unitCount(); ++u)
        if (keepUnit[u]) out.unitIds.push_back(tc.unitIds[u]);
    out.offset.push_back(0);
    for (size_t c = 0; c < tc.conditionCount(); ++c) {
        for (size_t u = 0; u < tc.unitCount(); ++u) {
            if (!keepUnit[u]) continue;
            const size_t s = tc.slot(c, u);
            for (uint32_t k = tc.offset[s]; k < tc.offset[s + 1]; ++k) {
                out.counts.push_back(tc.counts[k]);
                out.trialIds.push_back(tc.trialIds[k]);
            }
            out.offset.push_back(static_cast<uint32_t>(out.counts.size()));
        }
    }
    return out;
}

} // namespace nr
