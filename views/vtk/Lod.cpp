#include "vtk/Lod.h"

#include <algorithm>
#include <cmath>
#include <numeric>

LodController::LodController(QObject* parent) : QObject(parent) {
    timer_.setSingleShot(true);
    timer_.setInterval(150);
    connect(&timer_, &QTimer::timeout, this, &LodController::settle);
}

void LodController::setEnabled(bool on) {
    enabled_ = on;
    if (!on) settle();
}

void LodController::setTargetFrameMs(double ms, size_t minimum, size_t maximum) {
    adaptive_ = true;
    targetMs_ = ms;
    minBudget_ = minimum;
    maxBudget_ = std::max(minimum, maximum);
}

void LodController::budgetFrameDrawn(size_t primitives, double ms) {
    if (!restMeasured_ || !(ms > 0)) return;
    const double f = std::max(0.0, ms - double(primitives) * msPerPrimitive_);
    fixedMs_ = fixedMs_ >= 0 ? 0.5 * fixedMs_ + 0.5 * f : f;
    updateBudget();
}

void LodController::frameDrawn(size_t primitives, double ms) {
    if (primitives < 1000 || !(ms > 0)) return; // too few to measure a cost per primitive
    if (moving_ && restMeasured_) {
        // A budget frame: what the per-primitive cost does not explain is the fixed part.
        const double f = std::max(0.0, ms - double(primitives) * msPerPrimitive_);
        fixedMs_ = fixedMs_ >= 0 ? 0.5 * fixedMs_ + 0.5 * f : f;
    } else {
        // At rest: the cost per primitive. Moving frames stand in until a frame at rest was reported (their
        // cost per primitive includes the fixed part: a smaller, safe budget).
        const double c = ms / double(primitives);
        if (!moving_ && !restMeasured_) {
            restMeasured_ = true;
            msPerPrimitive_ = c; // the first frame at rest replaces what moving frames estimated
        } else {
            msPerPrimitive_ = msPerPrimitive_ > 0 ? 0.5 * msPerPrimitive_ + 0.5 * c : c;
        }
    }
    updateBudget();
}

void LodController::updateBudget() {
    if (!adaptive_ || !(msPerPrimitive_ > 0)) return;
    // The fixed part takes at most three quarters of the frame; the budget has the rest.
    const double fixed = std::min(0.75 * targetMs_, fixedMs_ >= 0 ? fixedMs_ : 0.25 * targetMs_);
    budget_ = std::clamp(size_t((targetMs_ - fixed) / msPerPrimitive_), minBudget_, maxBudget_);
}

void LodController::cameraMoved() {
    if (!enabled_) return;
    timer_.start();
    if (!moving_) {
        moving_ = true;
        emit modeChanged(true);
    }
}

void LodController::settle() {
    timer_.stop();
    if (moving_) {
        moving_ = false;
        emit modeChanged(false);
    }
}

std::vector<uint32_t> lodSample(const std::vector<float>& weight, const std::vector<uint32_t>& candidates,
                                size_t budget, double thickShare, const std::vector<uint32_t>& always) {
    std::vector<uint32_t> pool;
    if (candidates.empty()) {
        pool.resize(weight.size());
        std::iota(pool.begin(), pool.end(), 0u);
    } else {
        pool = candidates;
    }
    if (pool.size() <= budget) {
        std::sort(pool.begin(), pool.end());
        return pool;
    }
    std::vector<uint32_t> out;
    out.reserve(budget);
    std::vector<char> taken; // indexed by position in pool
    taken.assign(pool.size(), 0);
    // The ones that must stay visible.
    if (!always.empty()) {
        std::vector<uint32_t> sortedPool = pool;
        std::sort(sortedPool.begin(), sortedPool.end());
        for (uint32_t a : always)
            if (out.size() < budget && std::binary_search(sortedPool.begin(), sortedPool.end(), a))
                out.push_back(a);
        for (size_t i = 0; i < pool.size(); ++i)
            if (std::find(always.begin(), always.end(), pool[i]) != always.end()) taken[i] = 1;
    }
    // The thickest share.
    const size_t thick = std::min(budget - out.size(), size_t(std::llround(thickShare * double(budget))));
    if (thick > 0) {
        std::vector<uint32_t> order(pool.size());
        std::iota(order.begin(), order.end(), 0u);
        auto w = [&](uint32_t i) {
            const float v = weight[pool[i]];
            return std::isnan(v) ? -INFINITY : v;
        };
        std::nth_element(order.begin(), order.begin() + long(thick), order.end(),
                         [&](uint32_t a, uint32_t b) { return w(a) > w(b); });
        for (size_t k = 0; k < thick; ++k)
            if (!taken[order[k]]) {
                taken[order[k]] = 1;
                out.push_back(pool[order[k]]);
            }
    }
    // A uniform stride sample of the rest.
    const size_t rest = budget - out.size();
    size_t left = 0;
    for (char t : taken) left += !t;
    if (rest > 0 && left > 0) {
        const double stride = double(left) / double(rest);
        double next = 0;
        size_t seen = 0;
        for (size_t i = 0; i < pool.size() && out.size() < budget; ++i) {
            if (taken[i]) continue;
            if (double(seen) >= next) {
                out.push_back(pool[i]);
                next += stride;
            }
            ++seen;
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}
