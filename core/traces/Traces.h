// Traces: activity of named neurons over time (calcium imaging: dF/F, z-scored ratios, ...).
//
// Values are neurons x time, row-major per neuron (row i = neuron i, contiguous in time), float. NaN marks a
// frame where a neuron was not tracked; it is kept as NaN and ignored by the statistics. Behaviour variables
// recorded with the traces (velocity, reversals, head curvature) are extra rows on the same time base.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace nr {

struct BehaviourRow {
    std::string name;
    std::vector<float> values; // one per time point
};

struct Traces {
    std::vector<std::string> names; // one per neuron, distinct
    std::vector<double> time;       // strictly increasing, one per time point, in `timeUnit`
    // "s", or "frame" when the file gave no time and no sampling rate (time is then the frame index).
    std::string timeUnit = "s";
    // What the values are when the file says ("ΔF/F" for an NWB DfOverF series); else empty.
    std::string valueUnit;
    std::vector<float> values; // neurons() * timepoints(), row i = neuron i
    std::vector<BehaviourRow> behaviour;
    std::string source;   // file the traces were read from
    size_t nanValues = 0; // NaN cells in `values`
    size_t nanFrames = 0; // time points where at least one neuron is NaN

    size_t neurons() const { return names.size(); }
    size_t timepoints() const { return time.size(); }
    const float* row(size_t i) const { return values.data() + i * time.size(); }
    float* row(size_t i) { return values.data() + i * time.size(); }
    float at(size_t neuron, size_t t) const { return values[neuron * time.size() + t]; }
    // Index of `name` (exact first, then by canonical neuron name), -1 when absent.
    long find(const std::string& name) const;
    // Recounts nanValues and nanFrames from `values`.
    void countNaN();
    // Index of the last time point <= t (0 before the start), for a cursor at time t.
    size_t frameAt(double t) const;
    // Median time step (0 with fewer than 2 points).
    double medianStep() const;
    bool inFrames() const { return timeUnit == "frame"; }
    // Time the recording covers: from the first time point to one median step past the last (T frames, or
    // T steps of the time vector), in `timeUnit`.
    double duration() const;
    // "589.2s" or "799frames".
    std::string durationText() const;
};

// Label of the values for colour bars and axes: valueUnit when the file gave one, "z-score" when (nearly)
// every neuron has mean 0 and SD 1, else "ΔF/F".
std::string valueLabel(const Traces& t);

// Canonical spelling of a neuron name for joining recordings to connectomes: trimmed, and the trailing
// number stripped of zero padding, so `VB02` and `VB2` (and `AS01`/`AS1`) compare equal. Other names are
// returned trimmed and unchanged (`AVAL`, `I2L`).
std::string canonicalNeuronName(const std::string& name);

// The result of joining trace names to the node names of a graph (or any list of names).
struct NameJoin {
    std::vector<long> target;           // per trace neuron: index into the names joined to, -1 if none
    std::vector<std::string> unmatched; // trace names with no partner
    size_t matched = 0;
    size_t matchedByCanonical = 0; // of those, how many only matched after canonicalNeuronName
    std::string summary() const;   // "matched=98/98 (1 by unpadded number)" + unmatched names
};

// Value of each target node at time point `frame`: traces row i goes to node join.target[i]; nodes without
// a trace (or with NaN there) get NaN. For painting the connectome by activity at a cursor.
std::vector<float> activityAt(const Traces& t, const NameJoin& join, size_t nodeCount, size_t frame);

// Exact names first, then canonical ones (a canonical name that several targets share is left unmatched).
// `alternatives` (optional, same length as `targets`) are other spellings of the same targets, such as the
// `name_padded` column of a node table.
NameJoin joinNames(const std::vector<std::string>& traceNames, const std::vector<std::string>& targets,
                   const std::vector<std::string>& alternatives = {});

} // namespace nr
