// The Simulation dock: choose a model, play / pause / step / reset with a seed, pace it, change live
// parameters from in-canvas sliders, and watch the spike raster and population rate. Drains the simulation's
// ring buffer once per display frame and paints activity onto the 3-D network.
#pragma once

#include "sim/ModelDescription.h"

#include <QDockWidget>
#include <QElapsedTimer>
#include <QTimer>
#include <memory>
#include <vector>

#include "analysis/TrialData.h"
#include "model/Graph.h"
#include "model/SpikeStore.h"
#include "model/SpikeTrains.h"
#include "sim/SimulationRunner.h"

namespace nr {
class NeuronStreamServer;
class NeuronProcess;
} // namespace nr

class QComboBox;
class QLabel;
class QMenu;
class QSpinBox;
class QToolButton;
class RasterPlot;
class ConnectomeView;

class SimulationDock : public QDockWidget {
    Q_OBJECT
public:
    explicit SimulationDock(QWidget* parent, ConnectomeView* view = nullptr);
    ~SimulationDock() override;

    void setConnectomeView(ConnectomeView* v);
    void addMenuActions(QMenu* menu);
    void setGraph(std::shared_ptr<const nr::Graph> g);

    // Loads a model ("demo" and "graph" run on the open graph; "coba", "brunel", "attractor" on their own)
    // and starts it. Errors go to the message signal and leave the previous run as it was.
    bool startModel(const QString& model, std::shared_ptr<const nr::Graph> g = nullptr, bool play = true);
    void play();
    void pause();
    void stop();
    void stepOnce();
    void resetRun();
    // Shows a recorded dataset (spike times and unit ids) in the raster; stops any run.
    void showRecording(const nr::SpikeTrains& s, const QString& name);
    // Shows the spike store of a layer (a recording) in the raster; stops any run.
    void showStore(std::shared_ptr<nr::SpikeStore> store, const QString& name,
                   std::shared_ptr<const nr::TrialData> trials = nullptr);
    // The store of the current run (or recording on show).
    std::shared_ptr<nr::SpikeStore> store() const { return store_; }
    // The graph whose nodes are the running model's neurons: the network it was built from, or its
    // generated layout (null when no model runs).
    std::shared_ptr<const nr::Graph> modelGraph() const { return simGraph_; }
    // Trials of the run so far (completed stimulus epochs of the attractor), empty when it has none.
    std::shared_ptr<const nr::TrialData> currentTrials() const;
    bool saveSpikes(const QString& path, QString* error);
    // The spikes on show: the opened recording, or everything the simulation recorded so far.
    std::shared_ptr<const nr::SpikeTrains> currentSpikes() const;

    // Row of each neuron in the raster: "index", "population" (class) or a numeric node column of the model's
    // graph.
    std::vector<uint32_t> rowOrder(const QString& key) const;
    double simulatedSeconds() const;
    int seed() const;
    void setSeed(int seed);
    // Runs the loaded model (paused) until `seconds` of simulated time, draining spikes as it goes: a session
    // restores a run where it was. Returns false when no model is loaded.
    bool advanceTo(double seconds);
    bool running() const;
    QString modelName() const { return model_; }
    RasterPlot* raster() const { return raster_; }
    // Rectangle of the in-canvas Parameters panel in the last frame (raster coordinates; empty when hidden).
    QRectF parametersRect() const { return paramsRect_; }
    nr::SimulationRunner* runner() const { return runner_.get(); }

    // ---- runs on NEURON (SimulationNeuron.cpp) ---------------------------------------------------------
    struct NeuronSpec {
        QString script; // model script (python/neurorama_network.py by default)
        int ranks = 2;
        QString hostfile; // empty: this machine
        QString params;   // JSON object passed to the script as NEURORAMA_PARAMS
        int port = 0;     // attach: the port to listen on
        QString host;     // attach: the address to listen on (loopback by default)
        QString token;    // attach: required when host is not loopback
    };
    // Starts `mpirun -n K nrniv -mpi -python SCRIPT` streaming into this dock's raster; stops any run.
    bool startNeuron(const NeuronSpec& spec);
    // Listens for a run started elsewhere; stops any run.
    bool attachNeuron(const NeuronSpec& spec);
    // "embedded", "neuron" (started here) or "attached".
    QString engine() const { return engine_; }
    const NeuronSpec& neuronSpec() const { return neuronSpec_; }
    const nr::NeuronStreamServer* neuronStream() const { return stream_.get(); }
    // Model time (s) every rank has been shown up to, and how far the fastest rank is ahead (ms).
    double neuronCompleteSeconds() const;
    double neuronLeadMs() const;
    // NEURORAMA_PARAMS for the shipped example model: the open network (connectome model, written to a
    // temporary network file) or the E/I network of `cells` cells; empty with `error` on failure.
    QString neuronParams(bool onGraph, int cells, double seconds, QString* error) const;
    bool neuronFinished() const { return neuronDone_; }
    // The network file written for the running NEURON run (removed when the run ends), or empty.
    const QString& neuronNetworkFile() const { return neuronNetworkFile_; }
    // ---- File > Export Model for NEURON (SimulationExport.cpp) ------------------------------------------
    // The loaded model as a description, with the current parameter values and seed.
    nr::Result<nr::ModelDescription> currentDescription() const;
    // Writes DIR/model.json, run.py, README.txt (nr::exportNeuronModel); `summary` gets the message to show.
    bool exportModelForNeuron(const QString& dir, double seconds, QString* summary) const;
    // Spike activity is painted on the 3-D network now.
    bool activityShown() const { return activityPainted_; }

signals:
    void message(const QString& text, bool error);
    // Spikes drained this frame (for live analyses), in time order.
    void spikesArrived(const std::vector<nr::SpikeEvent>& spikes);
    // A new model was loaded (neuron count may have changed).
    void modelLoaded(const QString& model, uint32_t neurons);
    // A run started: its spike store, and the graph its activity is drawn on (`generated`: a layout made
    // for a model without positions, to be shown as a layer of its own).
    // Simulation > Open Recorded Spikes: the main window opens it like File > Open.
    void openRequested(const QString& file);
    void runStarted(const QString& model, std::shared_ptr<nr::SpikeStore> store,
                    std::shared_ptr<const nr::Graph> graph, bool generated);

private:
    void onFrame();
    void pollNeuron(bool flushAll);
    void stopNeuron();
    bool beginStream(const NeuronSpec& spec, const QString& name);
    void addNeuronActions(QMenu* menu);
    void drawControls();
    void updateStatus();
    void updateButtons();
    void refreshSortChoices();

    std::unique_ptr<nr::SimulationRunner> runner_;
    RasterPlot* raster_ = nullptr;
    ConnectomeView* view_ = nullptr;
    QComboBox* modelCombo_ = nullptr;
    QComboBox* speedCombo_ = nullptr;
    QComboBox* sortCombo_ = nullptr;
    QSpinBox* seed_ = nullptr;
    QToolButton* playBtn_ = nullptr;
    QLabel* status_ = nullptr;
    QTimer frameTimer_;
    QElapsedTimer sinceFrame_;
    std::shared_ptr<const nr::Graph> graph_;    // the open graph
    std::shared_ptr<const nr::Graph> simGraph_; // the graph the running model was built from (or null)
    QString model_;
    std::shared_ptr<const nr::SpikeTrains> recording_;
    std::shared_ptr<nr::SpikeStore> store_;
    std::shared_ptr<const nr::TrialData> recordingTrials_;
    std::vector<nr::SpikeEvent> drained_;
    std::vector<nr::RateBin> rates_;
    std::vector<float> activity_;
    std::vector<nr::Parameter> params_;
    uint64_t framesLate_ = 0;
    QRectF paramsRect_;
    bool showsActivity() const;
    bool activityPainted_ = false;
    QString engine_ = QStringLiteral("embedded");
    NeuronSpec neuronSpec_;
    std::unique_ptr<nr::NeuronStreamServer> stream_;
    std::unique_ptr<nr::NeuronProcess> neuronProc_;
    std::vector<nr::SpikeEvent> pending_; // arrived, not yet shown: later than the slowest rank
    bool neuronPaused_ = false, neuronDone_ = false, engineAttach_ = false;
    QString neuronNetworkFile_;  // temporary network file of the current run, removed when it ends
    double neuronActivityT_ = 0; // model time (s) the painted activity of a NEURON run is at
    void paintNeuronActivity(const std::vector<nr::SpikeEvent>& ready);
    void removeNeuronNetworkFile();
};
