// TrialData: a trial-structured recording as two tables (spikes and trials). Header-only so that readers in
// core/io can produce it without linking the analyses.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nr {

struct TrialData {
    // ---- spikes table: one row per spike; time in seconds from the start of its trial -------------------
    std::vector<int64_t> spikeUnit;
    std::vector<int64_t> spikeTrial;
    std::vector<double> spikeTime;

    // ---- trials table: one row per trial (or per unit and trial for pseudo-populations) ------------------
    std::vector<int64_t> trialId;
    std::vector<std::string> trialCondition;
    // Empty, or one per trials row: the unit this trial belongs to. When present, a unit's trials of a
    // condition are the rows with that condition and that unit; otherwise every unit shares every trial.
    std::vector<int64_t> trialUnit;

    // Where the tables came from (used in error messages).
    std::string spikesSource;
    std::string trialsSource;

    bool hasTrialUnits() const { return !trialUnit.empty(); }
    size_t spikeCount() const { return spikeTime.size(); }
    size_t trialRowCount() const { return trialId.size(); }
    void addSpike(int64_t unit, int64_t trial, double t) {
        spikeUnit.push_back(unit);
        spikeTrial.push_back(trial);
        spikeTime.push_back(t);
    }
    void addTrial(int64_t trial, const std::string& condition) {
        trialId.push_back(trial);
        trialCondition.push_back(condition);
    }
    void addTrial(int64_t trial, const std::string& condition, int64_t unit) {
        addTrial(trial, condition);
        trialUnit.push_back(unit);
    }
};

} // namespace nr
