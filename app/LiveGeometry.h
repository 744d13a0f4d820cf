// Live population geometry of a running simulation: the trajectory on the first principal components of
// recent binned activity, the RDM of the stimulus conditions seen so far and its split-half stability
// (Shesha). Fed by the simulation dock's drained spikes; heavy parts run on a worker thread.
#pragma once

#include <QFutureWatcher>
#include <QObject>
#include <QTimer>
#include <deque>
#include <memory>

#include "analysis/Pca.h"
#include "model/SpikeTrains.h"

class GeometryPlot;
class SimulationDock;

struct GeometryUpdate {
    std::vector<double> rdm; // n x n
    int conditions = 0;
    QStringList labels;
    double shesha = 0, ciLow = 0, ciHigh = 0;
    bool haveShesha = false;
    double t = 0;
    QString error;
};

class LiveGeometry : public QObject {
    Q_OBJECT
public:
    LiveGeometry(SimulationDock* sim, GeometryPlot* plot, QObject* parent = nullptr);
    void setEnabled(bool on);
    void setMetric(const QString& metric) { metric_ = metric; }
    void setWindow(double start, double end) {
        winStart_ = start;
        winEnd_ = end;
    }
    void reset();
    // Fills the panel from a recording with trials (RDM and Shesha of the whole recording, computed now).
    // Returns the update (its error says why nothing was drawn).
    GeometryUpdate showRecording(const nr::SpikeTrains& s, const std::vector<nr::TrialEpoch>& epochs);
    // Computes RDM and Shesha of everything recorded so far (used by the timer and by tests).
    static GeometryUpdate compute(const nr::SpikeTrains& s, const std::vector<nr::TrialEpoch>& epochs,
                                  double winStart, double winEnd, const QString& metric, int splits);
    const GeometryUpdate& last() const { return last_; }

signals:
    void updated(const GeometryUpdate& u);

private:
    void onSpikes(const std::vector<nr::SpikeEvent>& ev);
    void onTick();

    SimulationDock* sim_;
    GeometryPlot* plot_;
    QTimer tick_;
    QFutureWatcher<GeometryUpdate> watcher_;
    nr::SpikeTrains spikes_;
    uint32_t neurons_ = 0;
    // Binned population activity for the trajectory: one row per bin of binS_, one column per neuron.
    std::deque<std::vector<float>> bins_;
    double binS_ = 0.02;
    double binStart_ = 0;
    std::vector<float> current_;
    nr::StreamingPca pca_{3};
    QString metric_ = QStringLiteral("correlation");
    double winStart_ = 0, winEnd_ = -1; // -1: the epoch's length
    bool enabled_ = true;
    GeometryUpdate last_;
};
