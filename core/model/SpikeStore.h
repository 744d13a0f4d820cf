// SpikeStore: the spikes of one source (a simulation or a recording) as the views see them. Headless.
//
// Columnar (time, unit), appended in arrival order, indexed by time (binary search while the spikes arrived
// in time order), with the unit count, ids and labels of its source, a population-rate histogram kept up to
// date as spikes arrive, and the row order in which a raster shows the units.
//
// Bounded: at most capacity() spikes are held. When an append would pass it, the oldest quarter is evicted
// (evicted() counts them) and generation() changes, so views that keep derived state (GPU buffers) rebuild.
// reset() and assign() also change generation(): they start a new source with its own unit count, so nothing
// of the previous source (rows, axis, rates, counters) survives.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "model/SpikeTrains.h"

namespace nr {

class SpikeStore {
public:
    static constexpr uint32_t kMaxUnits = 1u << 26;
    static constexpr size_t kMaxRateBins = size_t(1) << 22;
    // Default capacity: 5 % of physical memory at 12 bytes per spike, at least 1M and at most 400M spikes.
    static size_t defaultCapacity();

    explicit SpikeStore(size_t capacity = defaultCapacity());

    // ---- source -----------------------------------------------------------------------------------------
    // Starts a new source of `units` units (ids default to 0..units-1, labels to "").
    void reset(uint32_t units, std::vector<int64_t> ids = {}, std::vector<std::string> labels = {});
    // Replaces everything by a recording: spikes sorted by time, its units, ids and labels, its interval.
    void assign(const SpikeTrains& s);
    // Appends spikes (normally in time order). Spikes of units >= unitCount() grow the unit count (up to
    // kMaxUnits); non-finite times are skipped. Returns how many were taken.
    size_t append(const SpikeEvent* ev, size_t n);
    void clearSpikes();            // keeps units, labels and row order; new generation
    void setUnitCount(uint32_t n); // exactly n units (spikes of units >= n stay but are not drawn)

    uint64_t generation() const { return generation_; }
    size_t capacity() const { return capacity_; }
    uint64_t evicted() const { return evicted_; }
    uint64_t totalAppended() const { return total_; }

    // ---- spikes -----------------------------------------------------------------------------------------
    size_t size() const { return times_.size(); }
    bool empty() const { return times_.empty(); }
    const std::vector<double>& times() const { return times_; }
    const std::vector<uint32_t>& units() const { return units_; }
    bool ordered() const { return ordered_; }
    double dataMin() const { return dataMin_; }
    double dataMax() const { return dataMax_; }
    // Recording interval (stop <= start: none, use the data range).
    double recordStart() const { return recStart_; }
    double recordStop() const { return recStop_; }
    // Index range [begin, end) of spikes with time in [ta, tb] when ordered(); [0, size()) otherwise.
    std::pair<size_t, size_t> indexRange(double ta, double tb) const;
    // Spikes with time in [ta, tb), optionally of one unit (-1: all).
    size_t countIn(double ta, double tb, long unit = -1) const;
    SpikeTrains toTrains() const;

    // ---- units ------------------------------------------------------------------------------------------
    uint32_t unitCount() const { return uint32_t(ids_.size()); }
    const std::vector<int64_t>& unitIds() const { return ids_; }
    const std::vector<std::string>& unitLabels() const { return labels_; }
    // "AVAL" when labelled, else the external id ("191").
    std::string unitName(uint32_t u) const;
    void setUnitLabels(std::vector<std::string> labels);

    // ---- row order --------------------------------------------------------------------------------------
    // rowOfUnit[u] = row where unit u is drawn; a permutation of 0..M-1 over the first M units (the rest keep
    // their index). Returns false (and keeps the order) when it is not one.
    bool setRowOrder(const std::vector<uint32_t>& rowOfUnit);
    const std::vector<uint32_t>& rowOrder() const { return rowOf_; }
    uint64_t rowVersion() const { return rowVersion_; }
    // Rows sorted by a key per unit (stable, ascending): the row order that puts equal keys together.
    static std::vector<uint32_t> rowsSortedBy(const std::vector<double>& key);

    // ---- population rate --------------------------------------------------------------------------------
    void setRateBinWidth(double seconds); // recounts
    double rateBinWidth() const { return binWidth_; }
    int64_t rateBinOrigin() const { return binOrigin_; }
    double rateBinStart() const { return double(binOrigin_) * binWidth_; }
    const std::vector<uint32_t>& rateCounts() const { return counts_; }
    // First bin changed since the last markRateClean() (views upload from there).
    size_t rateDirtyFrom() const { return rateDirtyFrom_; }
    void markRateClean() { rateDirtyFrom_ = counts_.size(); }
    // Spikes per bin / (bin width * unit count): the mean rate of one unit, in Hz.
    double rateNorm() const;
    std::vector<double> rateHz() const;

private:
    void countRate(double t);
    void rebuildRates();
    void evictOldest();
    void growUnits(uint32_t n);

    size_t capacity_;
    uint64_t generation_ = 1, evicted_ = 0, total_ = 0, rowVersion_ = 1;
    std::vector<double> times_;
    std::vector<uint32_t> units_;
    bool ordered_ = true;
    double dataMin_ = 0, dataMax_ = 0, recStart_ = 0, recStop_ = 0;
    std::vector<int64_t> ids_;
    std::vector<std::string> labels_;
    std::vector<uint32_t> rowOf_;
    double binWidth_ = 0.005;
    int64_t binOrigin_ = 0;
    std::vector<uint32_t> counts_;
    size_t rateDirtyFrom_ = 0;
};

} // namespace nr
