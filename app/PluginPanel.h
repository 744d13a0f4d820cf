// Runs any analysis plugin on what is open: a form made from the plugin's declared parameters, the input
// (open graph, recorded or simulated spikes, or a file), a worker thread with progress and cancel, the
// results as a table, node columns painted onto the 3-D view, matrices shown in the geometry panel, Save as
// CSV / JSON.
#pragma once

#include <QFutureWatcher>
#include <QWidget>
#include <atomic>
#include <functional>
#include <map>
#include <memory>

#include "plugin/PluginRegistry.h"

class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTableWidget;

class PluginPanel : public QWidget {
    Q_OBJECT
public:
    explicit PluginPanel(QWidget* parent = nullptr);
    ~PluginPanel() override;

    nr::PluginRegistry& registry() { return registry_; }
    // The network analyses run on (the one on show, asked for when a run starts).
    void setGraphProvider(std::function<std::shared_ptr<const nr::Graph>()> f) {
        graphProvider_ = std::move(f);
    }
    // Called when a run needs spikes (the simulation's recording or an opened spike file).
    // Trials of what is on show (the running attractor's completed trials, or a recording's trials table).
    void setTrialsProvider(std::function<std::shared_ptr<const nr::TrialData>()> f) {
        trialsProvider_ = std::move(f);
    }
    // The open layers a plugin can take (traces, vessels, morphologies, volumes, graph), by kind.
    void setLayerProvider(std::function<nr::Inputs(nr::InputKinds)> f) { layerProvider_ = std::move(f); }
    // The last error shown in the panel ("" after a successful run).
    QString errorText() const;
    void setSpikesProvider(std::function<std::shared_ptr<const nr::SpikeTrains>()> f) {
        spikesProvider_ = std::move(f);
    }
    void selectPlugin(const QString& name);
    // Starts the selected plugin on a worker thread; false when the input is missing.
    bool runSelected();
    void cancel() { cancel_ = true; }
    bool busy() const { return watcher_.isRunning(); }
    const nr::Results& lastResults() const { return results_; }

signals:
    void message(const QString& text, bool error);
    void finished(const nr::Results& r);

private:
    void rebuildForm();
    void showResults();
    void save();
    nr::Result<nr::Inputs> gatherInputs(const nr::AnalysisPlugin& p) const;

    nr::PluginRegistry registry_;
    std::function<std::shared_ptr<const nr::Graph>()> graphProvider_;
    std::function<std::shared_ptr<const nr::SpikeTrains>()> spikesProvider_;
    std::function<std::shared_ptr<const nr::TrialData>()> trialsProvider_;
    std::function<nr::Inputs(nr::InputKinds)> layerProvider_;
    QLabel* error_ = nullptr;
    void showError(const QString& e);
    QComboBox* pluginCombo_;
    QComboBox* inputCombo_;
    QLineEdit* inputFile_;
    QFormLayout* form_;
    QWidget* formHost_;
    std::map<std::string, QWidget*> editors_;
    QPushButton* run_;
    QPushButton* cancelBtn_;
    QPushButton* saveBtn_;
    QProgressBar* progress_;
    QTableWidget* table_;
    QLabel* description_;
    QFutureWatcher<nr::Result<nr::Results>> watcher_;
    std::atomic<bool> cancel_{false};
    std::atomic<int> progressPermille_{0};
    nr::Results results_;
};
