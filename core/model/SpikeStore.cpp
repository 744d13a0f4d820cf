#include "model/SpikeStore.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unistd.h>

namespace nr {

size_t SpikeStore::defaultCapacity() {
    const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
    const double phys = pages > 0 && page > 0 ? double(pages) * double(page) : 8e9;
    const double n = 0.05 * phys / 12.0;
    return size_t(std::clamp(n, 1e6, 4e8));
}

SpikeStore::SpikeStore(size_t capacity) : capacity_(std::max<size_t>(capacity, 16)) {}

void SpikeStore::reset(uint32_t units, std::vector<int64_t> ids, std::vector<std::string> labels) {
    units = std::min(units, kMaxUnits);
    times_.clear();
    units_.clear();
    times_.shrink_to_fit();
    units_.shrink_to_fit();
    ordered_ = true;
    dataMin_ = dataMax_ = recStart_ = recStop_ = 0;
    evicted_ = total_ = 0;
    ids_.clear();
    labels_.clear();
    rowOf_.clear();
    growUnits(units);
    for (size_t i = 0; i < ids.size() && i < ids_.size(); ++i) ids_[i] = ids[i];
    for (size_t i = 0; i < labels.size() && i < labels_.size(); ++i) labels_[i] = labels[i];
    counts_.clear();
    binOrigin_ = 0;
    rateDirtyFrom_ = 0;
    ++generation_;
    ++rowVersion_;
}

void SpikeStore::assign(const SpikeTrains& s) {
    std::vector<int64_t> ids = s.unitIds;
    reset(uint32_t(std::min<size_t>(std::max(s.unitCount(), ids.size()), kMaxUnits)), ids, s.unitLabels);
    const size_t n = std::min(s.times.size(), s.units.size());
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), size_t(0));
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return s.times[a] < s.times[b]; });
    std::vector<SpikeEvent> ev;
    ev.reserve(std::min(n, capacity_));
    const size_t first = n > capacity_ ? n - capacity_ : 0; // keep the newest when the recording is larger
    for (size_t k = first; k < n; ++k) ev.push_back({s.times[order[k]], s.units[order[k]]});
    append(ev.data(), ev.size());
    evicted_ = first;
    total_ = n;
    recStart_ = s.tStart;
    recStop_ = s.tStop;
}

void SpikeStore::growUnits(uint32_t n) {
    n = std::min(n, kMaxUnits);
    const size_t old = ids_.size();
    if (n <= old) return;
    ids_.resize(n);
    labels_.resize(n);
    rowOf_.resize(n);
    for (size_t i = old; i < n; ++i) {
        ids_[i] = int64_t(i);
        rowOf_[i] = uint32_t(i);
    }
    ++rowVersion_;
}

void SpikeStore::setUnitCount(uint32_t n) {
    n = std::min(n, kMaxUnits);
    if (n >= ids_.size()) {
        growUnits(n);
        return;
    }
    ids_.resize(n);
    labels_.resize(n);
    rowOf_.resize(n);
    // Keep a permutation of 0..n-1: rank the remaining rows.
    std::vector<uint32_t> idx(n);
    std::iota(idx.begin(), idx.end(), 0u);
    std::stable_sort(idx.begin(), idx.end(), [&](uint32_t a, uint32_t b) { return rowOf_[a] < rowOf_[b]; });
    for (uint32_t r = 0; r < n; ++r) rowOf_[idx[r]] = r;
    ++rowVersion_;
}

size_t SpikeStore::append(const SpikeEvent* ev, size_t n) {
    if (!ev || n == 0) return 0;
    if (times_.size() + n > capacity_) {
        while (!times_.empty() && times_.size() + n > capacity_) evictOldest();
        if (n > capacity_) {
            ev += n - capacity_;
            n = capacity_;
        }
    }
    size_t taken = 0;
    times_.reserve(times_.size() + n);
    units_.reserve(units_.size() + n);
    for (size_t k = 0; k < n; ++k) {
        const double t = ev[k].t;
        const uint32_t u = ev[k].neuron;
        if (!std::isfinite(t) || u >= kMaxUnits) continue;
        if (u >= ids_.size()) growUnits(u + 1);
        if (times_.empty())
            dataMin_ = dataMax_ = t;
        else if (t < times_.back())
            ordered_ = false;
        dataMin_ = std::min(dataMin_, t);
        dataMax_ = std::max(dataMax_, t);
        times_.push_back(t);
        units_.push_back(u);
        countRate(t);
        ++taken;
    }
    total_ += taken;
    return taken;
}

void SpikeStore::evictOldest() {
    const size_t drop = std::max<size_t>(times_.size() / 4, 1);
    times_.erase(times_.begin(), times_.begin() + long(drop));
    units_.erase(units_.begin(), units_.begin() + long(drop));
    evicted_ += drop;
    if (!times_.empty()) {
        dataMin_ = ordered_ ? times_.front() : *std::min_element(times_.begin(), times_.end());
    }
    rebuildRates();
    ++generation_;
}

void SpikeStore::clearSpikes() {
    times_.clear();
    units_.clear();
    ordered_ = true;
    dataMin_ = dataMax_ = recStart_ = recStop_ = 0;
    evicted_ = total_ = 0;
    counts_.clear();
    binOrigin_ = 0;
    rateDirtyFrom_ = 0;
    ++generation_;
}

std::pair<size_t, size_t> SpikeStore::indexRange(double ta, double tb) const {
    if (!ordered_) return {0, times_.size()};
    auto lo = std::lower_bound(times_.begin(), times_.end(), ta);
    auto hi = std::upper_bound(lo, times_.end(), tb);
    return {size_t(lo - times_.begin()), size_t(hi - times_.begin())};
}

size_t SpikeStore::countIn(double ta, double tb, long unit) const {
    auto [b, e] = indexRange(ta, tb);
    size_t c = 0;
    for (size_t i = b; i < e; ++i)
        if (times_[i] >= ta && times_[i] < tb && (unit < 0 || units_[i] == uint32_t(unit))) ++c;
    return c;
}

SpikeTrains SpikeStore::toTrains() const {
    SpikeTrains s;
    s.times = times_;
    s.units = units_;
    s.unitIds = ids_;
    s.unitLabels = labels_;
    s.tStart = recStop_ > recStart_ ? recStart_ : (times_.empty() ? 0 : std::min(0.0, dataMin_));
    s.tStop = recStop_ > recStart_ ? recStop_ : dataMax_;
    return s;
}

std::string SpikeStore::unitName(uint32_t u) const {
    if (u < labels_.size() && !labels_[u].empty()) return labels_[u];
    if (u < ids_.size()) return std::to_string(ids_[u]);
    return std::to_string(u);
}

void SpikeStore::setUnitLabels(std::vector<std::string> labels) {
    labels.resize(ids_.size());
    labels_ = std::move(labels);
}

bool SpikeStore::setRowOrder(const std::vector<uint32_t>& rowOfUnit) {
    if (rowOfUnit.empty()) {
        std::iota(rowOf_.begin(), rowOf_.end(), 0u);
        ++rowVersion_;
        return true;
    }
    const size_t m = rowOfUnit.size();
    if (m > rowOf_.size()) return false;
    std::vector<uint8_t> seen(m, 0);
    for (uint32_t r : rowOfUnit) {
        if (r >= m || seen[r]) return false;
        seen[r] = 1;
    }
    std::copy(rowOfUnit.begin(), rowOfUnit.end(), rowOf_.begin());
    for (size_t i = m; i < rowOf_.size(); ++i) rowOf_[i] = uint32_t(i);
    ++rowVersion_;
    return true;
}

std::vector<uint32_t> SpikeStore::rowsSortedBy(const std::vector<double>& key) {
    std::vector<uint32_t> idx(key.size());
    std::iota(idx.begin(), idx.end(), 0u);
    std::stable_sort(idx.begin(), idx.end(), [&](uint32_t a, uint32_t b) { return key[a] < key[b]; });
    std::vector<uint32_t> row(key.size());
    for (uint32_t r = 0; r < idx.size(); ++r) row[idx[r]] = r;
    return row;
}

void SpikeStore::countRate(double t) {
    const double bf = std::floor(t / binWidth_);
    if (!std::isfinite(bf) || std::abs(bf) > 9e15) return;
    const int64_t b = int64_t(bf);
    if (counts_.empty()) {
        binOrigin_ = b;
        counts_.assign(1, 0);
    }
    if (b < binOrigin_) {
        const size_t extra = size_t(binOrigin_ - b);
        if (extra + counts_.size() > kMaxRateBins) return;
        counts_.insert(counts_.begin(), extra, 0);
        binOrigin_ = b;
        rateDirtyFrom_ = 0;
    }
    const size_t idx = size_t(b - binOrigin_);
    if (idx >= kMaxRateBins) return; // outside the bounded histogram: not counted
    if (idx >= counts_.size()) counts_.resize(idx + 1, 0);
    ++counts_[idx];
    rateDirtyFrom_ = std::min(rateDirtyFrom_, idx);
}

void SpikeStore::rebuildRates() {
    counts_.clear();
    binOrigin_ = 0;
    for (double t : times_) countRate(t);
    rateDirtyFrom_ = 0;
}

void SpikeStore::setRateBinWidth(double seconds) {
    if (!(seconds > 0) || !std::isfinite(seconds)) return;
    binWidth_ = seconds;
    rebuildRates();
}

double SpikeStore::rateNorm() const {
    const double n = std::max<double>(1, double(ids_.size()));
    return 1.0 / (binWidth_ * n);
}

std::vector<double> SpikeStore::rateHz() const {
    std::vector<double> r(counts_.size());
    const double k = rateNorm();
    for (size_t i = 0; i < counts_.size(); ++i) r[i] = counts_[i] * k;
    return r;
}

} // namespace nr
