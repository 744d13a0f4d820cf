#include "LiveGeometry.h"

#include <QtConcurrent>
#include <algorithm>

#include "SimulationDock.h"
#include "analysis/Rdm.h"
#include "analysis/Shesha.h"
#include "analysis/TrialCounts.h"
#include "io/TrialIO.h"
#include "plots/GeometryPlot.h"

namespace {
const size_t kTrajectoryBins = 150; // 3 s of 20 ms bins
}

LiveGeometry::LiveGeometry(SimulationDock* sim, GeometryPlot* plot, QObject* parent)
    : QObject(parent), sim_(sim), plot_(plot) {
    connect(sim_, &SimulationDock::spikesArrived, this, &LiveGeometry::onSpikes);
    connect(sim_, &SimulationDock::modelLoaded, this, [this](const QString&, uint32_t n) {
        neurons_ = n;
        reset();
    });
    connect(&watcher_, &QFutureWatcher<GeometryUpdate>::finished, this, [this] {
        last_ = watcher_.result();
        if (!last_.error.isEmpty() || last_.conditions < 2) return;
        plot_->setRdm(last_.rdm, last_.conditions, last_.labels, metric_);
        if (last_.haveShesha) plot_->appendStability(last_.t, last_.shesha, last_.ciLow, last_.ciHigh);
        emit updated(last_);
    });
    tick_.setInterval(500);
    connect(&tick_, &QTimer::timeout, this, &LiveGeometry::onTick);
    tick_.start();
}

void LiveGeometry::setEnabled(bool on) {
    enabled_ = on;
    if (on)
        tick_.start();
    else
        tick_.stop();
}

void LiveGeometry::reset() {
    spikes_ = nr::SpikeTrains{};
    spikes_.unitIds.resize(neurons_);
    for (uint32_t i = 0; i < neurons_; ++i) spikes_.unitIds[i] = i;
    bins_.clear();
    current_.assign(neurons_, 0.f);
    binStart_ = 0;
    pca_ = nr::StreamingPca(3);
    plot_->clearStability();
}

GeometryUpdate LiveGeometry::showRecording(const nr::SpikeTrains& s,
                                           const std::vector<nr::TrialEpoch>& epochs) {
    reset();
    plot_->setTrajectory({}, {}, 3);
    GeometryUpdate u = compute(s, epochs, winStart_, winEnd_, metric_, 20);
    last_ = u;
    if (!u.error.isEmpty() || u.conditions < 2) return u;
    plot_->setRdm(u.rdm, u.conditions, u.labels, metric_);
    if (u.haveShesha) plot_->appendStability(u.t, u.shesha, u.ciLow, u.ciHigh);
    emit updated(u);
    return u;
}

void LiveGeometry::onSpikes(const std::vector<nr::SpikeEvent>& ev) {
    if (!enabled_ || neurons_ == 0) return;
    for (const auto& e : ev) {
        if (e.neuron >= neurons_) continue;
        spikes_.add(e.t, e.neuron);
        while (e.t >= binStart_ + binS_) {
            bins_.push_back(current_);
            if (bins_.size() > kTrajectoryBins) bins_.pop_front();
            std::fill(current_.begin(), current_.end(), 0.f);
            binStart_ += binS_;
        }
        current_[e.neuron] += 1.f;
    }
    if (!ev.empty()) spikes_.tStop = ev.back().t;
}

GeometryUpdate LiveGeometry::compute(const nr::SpikeTrains& s, const std::vector<nr::TrialEpoch>& epochs,
                                     double winStart, double winEnd, const QString& metric, int splits) {
    GeometryUpdate u;
    u.t = s.tStop;
    std::vector<nr::TrialEpoch> done;
    for (const auto& e : epochs)
        if (e.stop <= s.tStop) done.push_back(e);
    if (done.size() < 2) {
        u.error = QStringLiteral("waiting for trials");
        return u;
    }
    const double len = done.front().stop - done.front().start;
    const nr::TrialData td = nr::trialDataFromEpochs(s, done);
    auto tc = nr::countSpikes(td, winStart, winEnd > winStart ? winEnd : len);
    if (!tc.ok()) {
        u.error = QString::fromStdString(tc.error().reason);
        return u;
    }
    auto m = nr::parseRdmMetric(metric.toStdString());
    if (!m.ok()) {
        u.error = QString::fromStdString(m.error().reason);
        return u;
    }
    auto rdm = nr::computeRdm(tc.value(), m.value());
    if (!rdm.ok()) {
        u.error = QString::fromStdString(rdm.error().reason);
        return u;
    }
    const Eigen::MatrixXd& r = rdm.value().d;
    u.conditions = int(r.rows());
    u.rdm.resize(size_t(r.size()));
    for (int i = 0; i < r.rows(); ++i)
        for (int j = 0; j < r.cols(); ++j) u.rdm[size_t(i * r.cols() + j)] = r(i, j);
    for (const auto& c : tc.value().conditions) u.labels << QString::fromStdString(c);
    nr::SheshaOptions so;
    so.splits = splits;
    so.metric = m.value();
    so.bootstrap = 200;
    so.threads = 1;
    auto sh = nr::shesha(tc.value(), so);
    if (sh.ok()) {
        u.haveShesha = true;
        u.shesha = sh.value().mean;
        u.ciLow = sh.value().ciLow;
        u.ciHigh = sh.value().ciHigh;
    }
    return u;
}

void LiveGeometry::onTick() {
    if (!enabled_ || !plot_->isVisible() || neurons_ == 0) return;
    // Trajectory: project the recent binned activity onto its first principal components.
    if (bins_.size() >= 4) {
        Eigen::MatrixXd w(Eigen::Index(bins_.size()), Eigen::Index(neurons_));
        for (size_t b = 0; b < bins_.size(); ++b)
            for (uint32_t n = 0; n < neurons_; ++n) w(Eigen::Index(b), Eigen::Index(n)) = bins_[b][n];
        const Eigen::MatrixXd proj = pca_.update(w);
        const std::vector<nr::TrialEpoch> epochs = sim_->runner()->epochs();
        std::vector<std::array<float, 3>> pts(size_t(proj.rows()));
        std::vector<int> cond(pts.size(), -1);
        const double t0 = binStart_ - double(bins_.size()) * binS_;
        size_t ei = 0;
        for (size_t b = 0; b < pts.size(); ++b) {
            for (int k = 0; k < 3; ++k)
                pts[b][size_t(k)] = k < proj.cols() ? float(proj(Eigen::Index(b), k)) : 0.f;
            const double t = t0 + (double(b) + 0.5) * binS_;
            while (ei < epochs.size() && epochs[ei].stop <= t) ++ei;
            if (ei < epochs.size() && epochs[ei].start <= t) cond[b] = epochs[ei].condition;
        }
        if (epochs.empty()) {
            // No stimulus schedule: one trajectory of the whole population.
            std::fill(cond.begin(), cond.end(), 0);
            plot_->setConditionNames({QStringLiteral("population")});
        } else {
            plot_->setConditionNames({});
        }
        plot_->setTrajectory(pts, cond, 3);
    }
    if (watcher_.isRunning()) return;
    const auto epochs = sim_->runner()->epochs();
    if (epochs.size() < 2) return;
    watcher_.setFuture(QtConcurrent::run([s = spikes_, epochs, a = winStart_, b = winEnd_, m = metric_] {
        return compute(s, epochs, a, b, m, 20);
    }));
}
