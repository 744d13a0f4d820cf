#include "SimulationDock.h"

#include <QAction>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>
#include <csignal>
#include <imgui.h>

#include "io/SpikeIO.h"
#include "io/TrialIO.h"
#include "model/Palette.h"
#include "plots/RasterPlot.h"
#include "sim/Models.h"
#include "sim/NeuronRun.h"
#include "sim/NeuronStream.h"
#include "vtk/ConnectomeView.h"

namespace {

struct SpeedChoice {
    const char* label;
    double factor;
};
const SpeedChoice kSpeeds[] = {{"As fast as possible", 0}, {"0.1× real time", 0.1}, {"0.5× real time", 0.5},
                               {"Real time", 1},           {"2× real time", 2},     {"10× real time", 10}};

} // namespace

SimulationDock::SimulationDock(QWidget* parent, ConnectomeView* view)
    : QDockWidget(tr("Simulation"), parent), runner_(std::make_unique<nr::SimulationRunner>()), view_(view) {
    setObjectName(QStringLiteral("simulationDock"));
    auto* body = new QWidget;
    auto* lay = new QVBoxLayout(body);
    lay->setContentsMargins(4, 4, 4, 4);
    auto* bar = new QHBoxLayout;

    modelCombo_ = new QComboBox;
    modelCombo_->addItem(tr("Open network"), QStringLiteral("graph"));
    modelCombo_->addItem(tr("COBA (Vogels & Abbott 2005)"), QStringLiteral("coba"));
    modelCombo_->addItem(tr("Brunel (2000) balanced E/I"), QStringLiteral("brunel"));
    modelCombo_->addItem(tr("Attractor, stimulus trials"), QStringLiteral("attractor"));
    modelCombo_->setToolTip(tr("Simulation > New: the model to run"));
    bar->addWidget(modelCombo_);
    auto* newBtn = new QToolButton;
    newBtn->setText(tr("New"));
    newBtn->setToolTip(tr("Build the chosen model and run it"));
    connect(newBtn, &QToolButton::clicked, this,
            [this] { startModel(modelCombo_->currentData().toString(), graph_, true); });
    bar->addWidget(newBtn);

    playBtn_ = new QToolButton;
    playBtn_->setToolTip(tr("Play / pause (Space)"));
    connect(playBtn_, &QToolButton::clicked, this, [this] { running() ? pause() : play(); });
    bar->addWidget(playBtn_);
    auto* stepBtn = new QToolButton;
    stepBtn->setText(tr("Step"));
    stepBtn->setToolTip(tr("Advance 10 ms and pause (S)"));
    connect(stepBtn, &QToolButton::clicked, this, &SimulationDock::stepOnce);
    bar->addWidget(stepBtn);
    auto* resetBtn = new QToolButton;
    resetBtn->setText(tr("Reset"));
    resetBtn->setToolTip(tr("Rebuild the model with this seed, back to t = 0"));
    connect(resetBtn, &QToolButton::clicked, this, &SimulationDock::resetRun);
    bar->addWidget(resetBtn);

    bar->addWidget(new QLabel(tr("Seed")));
    seed_ = new QSpinBox;
    seed_->setRange(0, 2147483647);
    seed_->setValue(1);
    seed_->setToolTip(tr("Same seed, same spikes: runs are reproducible"));
    bar->addWidget(seed_);

    speedCombo_ = new QComboBox;
    for (const auto& s : kSpeeds) speedCombo_->addItem(tr(s.label), s.factor);
    speedCombo_->setCurrentIndex(3);
    speedCombo_->setToolTip(tr("Pace of the run"));
    connect(speedCombo_, &QComboBox::currentIndexChanged, this,
            [this] { runner_->setSpeed(speedCombo_->currentData().toDouble()); });
    bar->addWidget(speedCombo_);
    sortCombo_ = new QComboBox;
    sortCombo_->setToolTip(tr("Order of the raster rows: by population or by a node column"));
    connect(sortCombo_, &QComboBox::currentTextChanged, this, [this](const QString& key) {
        if (!key.isEmpty() && runner_->neuronCount() > 0) raster_->setRowOrder(rowOrder(key));
    });
    bar->addWidget(new QLabel(tr("Rows")));
    bar->addWidget(sortCombo_);
    bar->addStretch(1);
    lay->addLayout(bar);
    // The status line has a row of its own so the controls fit narrow windows.
    status_ = new QLabel;
    status_->setMinimumWidth(0);
    status_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    lay->addWidget(status_);
    for (QComboBox* c : {modelCombo_, speedCombo_, sortCombo_}) {
        c->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        c->setMinimumContentsLength(6);
    }
    modelCombo_->setMinimumContentsLength(12); // "Open network" whole; the row still fits 1024 px

    raster_ = new RasterPlot;
    raster_->setMinimumHeight(120);
    raster_->setOverlay([this] { drawControls(); });
    lay->addWidget(raster_, 1);
    setWidget(body);

    connect(raster_, &RasterPlot::neuronsSelected, this, [this](const QVector<uint32_t>& rows) {
        if (view_ && simGraph_ && simGraph_ == graph_)
            view_->setSelection(std::vector<uint32_t>(rows.begin(), rows.end()));
    });

    frameTimer_.setTimerType(Qt::PreciseTimer);
    frameTimer_.setInterval(16);
    connect(&frameTimer_, &QTimer::timeout, this, &SimulationDock::onFrame);
    updateButtons();
}

SimulationDock::~SimulationDock() {
    stop();
}

void SimulationDock::setConnectomeView(ConnectomeView* v) {
    view_ = v;
    connect(view_, &ConnectomeView::selectionChanged, this, [this](std::vector<uint32_t> ids) {
        if (simGraph_ && simGraph_ == graph_) raster_->setSelectedNeurons(ids);
    });
}

void SimulationDock::addMenuActions(QMenu* menu) {
    QMenu* newMenu = menu->addMenu(tr("&New"));
    for (int i = 0; i < modelCombo_->count(); ++i) {
        const QString key = modelCombo_->itemData(i).toString();
        newMenu->addAction(modelCombo_->itemText(i), this, [this, i, key] {
            modelCombo_->setCurrentIndex(i);
            startModel(key, graph_, true);
        });
    }
    QAction* playPause = menu->addAction(tr("&Play / Pause"), this, [this] { running() ? pause() : play(); });
    playPause->setShortcut(QKeySequence(Qt::Key_Space));
    QAction* step = menu->addAction(tr("&Step 10 ms"), this, &SimulationDock::stepOnce);
    step->setShortcut(QKeySequence(Qt::Key_S));
    menu->addAction(tr("&Reset"), this, &SimulationDock::resetRun);
    menu->addSeparator();
    menu->addAction(tr("Save &Spikes…"), this, [this] {
        const QString f = QFileDialog::getSaveFileName(this, tr("Save spikes"), QStringLiteral("spikes.csv"),
                                                       tr("Spikes (*.csv *.npy)"));
        if (f.isEmpty()) return;
        QString err;
        if (!saveSpikes(f, &err))
            emit message(err, true);
        else
            emit message(tr("Saved spikes to %1").arg(f), false);
    });
    menu->addAction(tr("&Open Recorded Spikes…"), this, [this] {
        const QString f = QFileDialog::getOpenFileName(this, tr("Open spikes"), QString(),
                                                       tr("Spikes (*.csv *.npy *.nwb)"));
        if (f.isEmpty()) return;
        emit openRequested(f);
    });
    addNeuronActions(menu);
}

void SimulationDock::setGraph(std::shared_ptr<const nr::Graph> g) {
    graph_ = std::move(g);
    if (activityPainted_ && !showsActivity()) {
        // The network on screen is not the running model's: its activity is not drawn there.
        if (view_) view_->setActivity({});
        activityPainted_ = false;
    }
}

bool SimulationDock::showsActivity() const {
    return view_ && simGraph_ && view_->graph() == simGraph_;
}

bool SimulationDock::startModel(const QString& modelIn, std::shared_ptr<const nr::Graph> g,
                                bool startPlaying) {
    QString model = modelIn == QLatin1String("demo") ? QStringLiteral("graph") : modelIn;
    nr::ModelRequest req;
    req.seed = uint64_t(seed_->value());
    req.model = model == QLatin1String("graph") ? "demo" : model.toStdString();
    nr::Status st;
    if (model == QLatin1String("graph")) {
        if (!g) g = graph_;
        if (!g) {
            emit message(tr("Open a network first, or choose COBA, Brunel or Attractor"), true);
            return false;
        }
        auto net = nr::networkFromGraph(*g, req);
        if (!net.ok()) {
            emit message(QString::fromStdString(net.error().str()), true);
            return false;
        }
        stop();
        st = runner_->load(std::move(net).value(), req.seed);
        if (!st) simGraph_ = g;
    } else {
        stop();
        st = runner_->load(req);
        if (!st) simGraph_ = std::make_shared<const nr::Graph>(runner_->modelLayout());
    }
    if (st) {
        emit message(QString::fromStdString(st->str()), true);
        return false;
    }
    const bool generated = model != QLatin1String("graph");
    if (view_ && activityPainted_) view_->setActivity({});
    activityPainted_ = false;
    framesLate_ = 0;
    model_ = modelIn == QLatin1String("demo") ? modelIn : model;
    if (const int idx = modelCombo_->findData(model); idx >= 0) modelCombo_->setCurrentIndex(idx);
    recording_.reset();
    recordingTrials_.reset();
    params_ = runner_->parameters();
    runner_->setSpeed(speedCombo_->currentData().toDouble());
    // A new source: its own store, so rows, axis, rates and counters start from this model.
    store_ = std::make_shared<nr::SpikeStore>();
    store_->reset(runner_->neuronCount(), {}, generated ? std::vector<std::string>{} : simGraph_->names);
    raster_->setStore(store_);
    refreshSortChoices();
    raster_->setRowOrder(rowOrder(sortCombo_->currentText()));
    raster_->setFollow(true);
    raster_->setWindowSeconds(2.0);
    if (simGraph_ && simGraph_->nodeClass.size() == runner_->neuronCount()) {
        // Inhibitory neurons red, the others blue, as in most raster figures.
        // The same excitatory / inhibitory colours as the 3-D view and its legend.
        std::vector<uint32_t> colors(simGraph_->nodeClass.size());
        for (size_t i = 0; i < colors.size(); ++i) {
            const bool inh = nr::palette::excitatorySign(simGraph_->nodeClass[i]) < 0 ||
                             simGraph_->nodeClass[i].find("GABA") != std::string::npos;
            const nr::palette::Rgb c = inh ? nr::palette::kInhibitory : nr::palette::kExcitatory;
            colors[i] = qRgb(c.r, c.g, c.b);
        }
        raster_->setNeuronColors(colors);
    } else {
        raster_->setNeuronColors({});
    }
    activity_.clear();
    raster_->setSidePanelWidth(params_.empty() ? 0 : 250);
    emit runStarted(model_, store_, simGraph_, generated);
    emit modelLoaded(model_, runner_->neuronCount());
    emit message(
        tr("Simulation: %1, %2 neurons, seed %3").arg(model_).arg(runner_->neuronCount()).arg(req.seed),
        false);
    if (startPlaying) play();
    updateButtons();
    return true;
}

void SimulationDock::refreshSortChoices() {
    const QSignalBlocker block(sortCombo_);
    sortCombo_->clear();
    sortCombo_->addItem(QStringLiteral("index"));
    const uint32_t n = runner_->neuronCount();
    if (simGraph_ && simGraph_->nodeClass.size() == n) sortCombo_->addItem(QStringLiteral("population"));
    if (simGraph_)
        for (const auto& [name, values] : simGraph_->nodeNumeric)
            if (values.size() == n) sortCombo_->addItem(QString::fromStdString(name));
    sortCombo_->setCurrentIndex(sortCombo_->count() > 1 ? 1 : 0);
}

std::vector<uint32_t> SimulationDock::rowOrder(const QString& key) const {
    const uint32_t n = runner_->neuronCount();
    std::vector<uint32_t> order(n);
    for (uint32_t i = 0; i < n; ++i) order[i] = i;
    if (simGraph_ && key == QLatin1String("population") && simGraph_->nodeClass.size() == n) {
        std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
            return simGraph_->nodeClass[a] < simGraph_->nodeClass[b];
        });
    } else if (simGraph_) {
        auto it = simGraph_->nodeNumeric.find(key.toStdString());
        if (it != simGraph_->nodeNumeric.end() && it->second.size() == n) {
            const std::vector<float>& v = it->second;
            std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return v[a] < v[b]; });
        }
    }
    std::vector<uint32_t> rowOf(n);
    for (uint32_t r = 0; r < n; ++r) rowOf[order[r]] = r;
    return rowOf;
}

void SimulationDock::play() {
    if (engine_ != QLatin1String("embedded")) {
        if (neuronProc_ && neuronPaused_ && neuronProc_->pid() > 0) ::kill(-neuronProc_->pid(), SIGCONT);
        neuronPaused_ = false;
        frameTimer_.start();
        updateButtons();
        return;
    }
    runner_->play();
    sinceFrame_.start();
    frameTimer_.start();
    updateButtons();
}

void SimulationDock::pause() {
    if (engine_ != QLatin1String("embedded")) {
        // Every rank and mpirun stop where they are (SIGSTOP to the process group); Play continues them.
        if (neuronProc_ && neuronProc_->running() && neuronProc_->pid() > 0) {
            ::kill(-neuronProc_->pid(), SIGSTOP);
            neuronPaused_ = true;
        } else if (engine_ == QLatin1String("attached")) {
            emit message(tr("An attached run pauses where it runs; Stop closes the connection"), false);
        }
        updateButtons();
        return;
    }
    runner_->pause();
    onFrame();
    if (activityPainted_ && !frameTimer_.isActive()) frameTimer_.start(); // let the flashes fade
    updateButtons();
}

void SimulationDock::stop() {
    if (!runner_) return;
    if (engine_ != QLatin1String("embedded")) stopNeuron();
    runner_->pause();
    runner_->sync();
    frameTimer_.stop();
    updateButtons();
}

void SimulationDock::stepOnce() {
    runner_->stepMs(10);
    runner_->sync();
    onFrame();
    updateButtons();
}

int SimulationDock::seed() const {
    return seed_->value();
}

void SimulationDock::setSeed(int seed) {
    seed_->setValue(seed);
}

bool SimulationDock::advanceTo(double seconds) {
    if (model_.isEmpty()) return false;
    pause();
    params_ = runner_->parameters(); // values a session set
    // In steps of 100 ms, so the spike ring never overflows between drains.
    for (int guard = 0; simulatedSeconds() + 1e-9 < seconds && guard < 100000; ++guard) {
        const double left = (seconds - simulatedSeconds()) * 1000.0;
        runner_->stepMs(std::min(100.0, left));
        runner_->sync();
        onFrame();
    }
    updateButtons();
    return true;
}

void SimulationDock::resetRun() {
    if (model_.isEmpty()) return;
    startModel(model_, simGraph_, false);
}

bool SimulationDock::running() const {
    if (engine_ == QLatin1String("neuron")) return neuronProc_ && !neuronPaused_ && !neuronDone_;
    if (engine_ == QLatin1String("attached")) return stream_ && !neuronDone_;
    return runner_->status().state == nr::RunState::Running;
}

double SimulationDock::simulatedSeconds() const {
    return runner_->status().simulatedS;
}

void SimulationDock::showRecording(const nr::SpikeTrains& s, const QString& name) {
    auto store = std::make_shared<nr::SpikeStore>();
    store->assign(s);
    showStore(store, name);
}

void SimulationDock::showStore(std::shared_ptr<nr::SpikeStore> store, const QString& name,
                               std::shared_ptr<const nr::TrialData> trials) {
    stop();
    recordingTrials_ = std::move(trials);
    if (view_ && activityPainted_) view_->setActivity({});
    activityPainted_ = false;
    model_.clear();
    simGraph_.reset();
    params_.clear();
    raster_->setSidePanelWidth(0);
    store_ = std::move(store);
    recording_ = std::make_shared<nr::SpikeTrains>(store_->toTrains());
    raster_->setFollow(false);
    raster_->setNeuronColors({});
    raster_->setStore(store_);
    raster_->setLagInfo(0, 0);
    {
        const QSignalBlocker block(sortCombo_);
        sortCombo_->clear();
        sortCombo_->addItem(QStringLiteral("index"));
    }
    status_->setText(tr("%1: %2 spikes, %3 units")
                         .arg(QFileInfo(name).fileName())
                         .arg(store_->size())
                         .arg(store_->unitCount()));
    updateButtons();
}

std::shared_ptr<const nr::SpikeTrains> SimulationDock::currentSpikes() const {
    if (recording_) return recording_;
    if (model_.isEmpty()) return nullptr;
    return std::make_shared<nr::SpikeTrains>(runner_->recordedSpikes());
}

std::shared_ptr<const nr::TrialData> SimulationDock::currentTrials() const {
    if (recording_) return recordingTrials_;
    if (model_.isEmpty()) return nullptr;
    const double now = simulatedSeconds();
    std::vector<nr::TrialEpoch> done;
    for (const auto& e : runner_->epochs())
        if (e.stop <= now) done.push_back(e);
    if (done.empty()) return nullptr;
    auto td = std::make_shared<nr::TrialData>(nr::trialDataFromEpochs(runner_->recordedSpikes(), done));
    td->spikesSource = model_.toStdString() + " (running)";
    td->trialsSource = model_.toStdString() + " (stimulus schedule)";
    return td;
}

bool SimulationDock::saveSpikes(const QString& path, QString* error) {
    const auto s = currentSpikes();
    if (!s) {
        if (error) *error = tr("%1: nothing recorded yet").arg(path);
        return false;
    }
    if (auto st = nr::writeSpikes(path.toStdString(), *s)) {
        if (error) *error = QString::fromStdString(st->str());
        return false;
    }
    return true;
}

void SimulationDock::onFrame() {
    if (stream_) {
        pollNeuron(false);
        updateStatus();
        return;
    }
    // Frames that fire much later than the display interval are counted: the UI fell behind.
    if (sinceFrame_.isValid() && sinceFrame_.restart() > 3 * frameTimer_.interval()) ++framesLate_;
    drained_.clear();
    runner_->spikes().drain(drained_);
    if (!drained_.empty() && store_) {
        raster_->appendSpikes(drained_.data(), drained_.size());
        emit spikesArrived(drained_);
    }
    const bool isRunning = runner_->status().state == nr::RunState::Running;
    if (showsActivity()) {
        if (isRunning && runner_->latestActivity(activity_)) {
            view_->setActivity(activity_);
            activityPainted_ = true;
        } else if (activityPainted_) {
            // Paused: the flashes fade back to the layer's colouring.
            float peak = 0;
            for (float& a : activity_) {
                a *= 0.8f;
                peak = std::max(peak, a);
            }
            if (peak < 0.02f) {
                view_->setActivity({});
                activityPainted_ = false;
            } else {
                view_->setActivity(activity_);
            }
        }
    }
    const nr::RunnerStatus st = runner_->status();
    raster_->setLagInfo(framesLate_, st.spikesLost);
    updateStatus();
    if (st.state == nr::RunState::Diverged) {
        frameTimer_.stop();
        emit message(tr("Simulation stopped: %1 (spikes recorded so far are kept)")
                         .arg(QString::fromStdString(st.reason)),
                     true);
        updateButtons();
    } else if (st.state != nr::RunState::Running && frameTimer_.isActive() && !activityPainted_) {
        frameTimer_.stop();
        updateButtons();
    }
}

void SimulationDock::updateStatus() {
    if (stream_) {
        status_->setText(
            tr("%1   shown to t = %2 s   lead %3 ms   last data %4 s ago   spikes %5   dropped %6%7")
                .arg(engine_ == QLatin1String("neuron") ? tr("NEURON %1 ranks").arg(neuronSpec_.ranks)
                                                        : tr("attached :%1").arg(stream_->port()))
                .arg(neuronCompleteSeconds(), 0, 'f', 2)
                .arg(neuronLeadMs(), 0, 'f', 0)
                .arg(stream_->secondsSinceLastFrame(), 0, 'f', 1)
                .arg(stream_->spikes())
                .arg(stream_->droppedBatches())
                .arg(neuronPaused_ ? tr("   paused")
                     : neuronDone_ ? tr("   finished")
                                   : QString()));
        status_->setToolTip(
            tr("Model time every rank has reached (shown), how far the fastest rank is ahead, and "
               "display batches the model dropped because the window was slow"));
        return;
    }
    const nr::RunnerStatus st = runner_->status();
    status_->setText(tr("t = %1 s   %2 steps/s   spikes %3   lost %4")
                         .arg(st.simulatedS, 0, 'f', 2)
                         .arg(st.stepsPerSecond, 0, 'f', 0)
                         .arg(st.spikesProduced)
                         .arg(st.spikesLost));
}

void SimulationDock::updateButtons() {
    playBtn_->setText(running() ? tr("Pause") : tr("Play"));
    playBtn_->setEnabled(!model_.isEmpty());
}

void SimulationDock::drawControls() {
    if (model_.isEmpty()) return;
    // In the margin the raster keeps free on its right, never over the data; collapsible by its title.
    const QRectF side = raster_->sidePanelRect();
    if (side.width() < 40) return;
    ImGui::SetNextWindowPos(ImVec2(float(side.left()), float(side.top())), ImGuiCond_Always);
    ImGui::SetNextWindowSizeConstraints(ImVec2(float(side.width()), 0),
                                        ImVec2(float(side.width()), float(side.height())));
    ImGui::SetNextWindowBgAlpha(0.85f);
    const bool open = ImGui::Begin("Parameters", nullptr,
                                   ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoMove |
                                       ImGuiWindowFlags_NoSavedSettings);
    paramsRect_ = QRectF(ImGui::GetWindowPos().x, ImGui::GetWindowPos().y, ImGui::GetWindowSize().x,
                         ImGui::GetWindowSize().y);
    if (!open) {
        ImGui::End();
        return;
    }
    ImGui::PushItemWidth(float(side.width()) * 0.5f);
    for (auto& p : params_) {
        // Speed has its own control in the dock's tool bar.
        if (p.live == nr::LiveKnob::None || p.live == nr::LiveKnob::Speed) continue;
        float v = float(p.value);
        if (ImGui::SliderFloat(p.name.c_str(), &v, float(p.min), float(p.max))) {
            if (auto err = runner_->setParameter(p.name, v))
                emit message(QString::fromStdString(err->str()), true);
            else
                p.value = v;
        }
        if (ImGui::IsItemHovered() && !p.description.empty()) ImGui::SetTooltip("%s", p.description.c_str());
    }
    ImGui::PopItemWidth();
    const nr::RunnerStatus st = runner_->status();
    ImGui::Text("t = %.2f s, %.0f steps/s", st.simulatedS, st.stepsPerSecond);
    ImGui::End();
}
