// SpikeTrains: spike events as columns (time, unit). Shared by the simulator, readers, plots and analyses.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nr {

// One spike as it travels from the simulation thread to the UI.
struct SpikeEvent {
    double t;        // seconds
    uint32_t neuron; // index 0..N-1
};

struct SpikeTrains {
    std::vector<double> times;   // seconds, one per spike
    std::vector<uint32_t> units; // unit index 0..unitCount()-1, one per spike
    std::vector<int64_t> unitIds; // external id of each unit index (NWB ids, simulator neuron ids)
    std::vector<std::string> unitLabels; // optional, one per unit ("" when unknown)
    double tStart = 0, tStop = 0; // recording interval in seconds

    size_t spikeCount() const { return times.size(); }
    size_t unitCount() const { return unitIds.size(); }
    void add(double t, uint32_t u) {
        times.push_back(t);
        units.push_back(u);
    }
};

} // namespace nr

namespace nr {

// One stimulus presentation in a continuous recording: [start, stop) seconds, condition index and trial id.
struct TrialEpoch {
    double start = 0, stop = 0;
    int condition = 0;
    int64_t trialId = 0;
};

} // namespace nr
