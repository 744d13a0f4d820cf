// SimulationDock's runs on NEURON: Simulation > Run on NEURON… starts mpirun with the stream module on
// PYTHONPATH, Simulation > Attach… listens for a run started elsewhere; arrivals go to the same spike store,
// raster and rate views as an embedded run (docs/NEURON_STREAM.md).
#include "SimulationDock.h"

#include <array>

#include <QCheckBox>
#include <QCoreApplication>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QThread>
#include <algorithm>
#include <cmath>
#include <csignal>
#include <random>

#include "plots/RasterPlot.h"
#include "sim/Models.h"
#include "sim/NeuronRun.h"
#include "sim/NeuronStream.h"
#include "vtk/ConnectomeView.h"

namespace {

int networkFileCounter = 0;

QString randomToken() {
    std::random_device rd;
    QString t;
    for (int i = 0; i < 32; ++i) t += QChar("0123456789abcdef"[rd() % 16]);
    return t;
}

} // namespace

double SimulationDock::neuronCompleteSeconds() const {
    return stream_ ? stream_->completeUntilMs() * 1e-3 : 0;
}

double SimulationDock::neuronLeadMs() const {
    return stream_ ? stream_->latestMs() - stream_->completeUntilMs() : 0;
}

void SimulationDock::removeNeuronNetworkFile() {
    if (!neuronNetworkFile_.isEmpty()) QFile::remove(neuronNetworkFile_);
    neuronNetworkFile_.clear();
}

// Spikes of a run on the open network light its nodes (gid = node index), as an embedded run does: a trace
// that jumps by 1 per spike and decays with 50 ms of model time.
void SimulationDock::paintNeuronActivity(const std::vector<nr::SpikeEvent>& ready) {
    if (!showsActivity() || !simGraph_) return;
    const size_t n = simGraph_->nodeCount();
    if (activity_.size() != n) activity_.assign(n, 0.f);
    const double tEnd = ready.empty() ? std::max(neuronActivityT_, neuronCompleteSeconds()) : ready.back().t;
    if (tEnd > neuronActivityT_) {
        const float decay = float(std::exp(-(tEnd - neuronActivityT_) / 0.05));
        for (float& a : activity_) a *= decay;
        neuronActivityT_ = tEnd;
    }
    for (const auto& e : ready)
        if (e.neuron < n) activity_[e.neuron] += float(std::exp(-(tEnd - e.t) / 0.05));
    view_->setActivity(activity_);
    activityPainted_ = true;
}

void SimulationDock::stopNeuron() {
    if (neuronProc_) {
        if (neuronPaused_ && neuronProc_->pid() > 0) ::kill(-neuronProc_->pid(), SIGCONT);
        neuronProc_->stop(3); // SIGTERM to mpirun and every local rank, SIGKILL after 3 s
        neuronProc_.reset();
    }
    if (stream_) pollNeuron(true);
    stream_.reset();
    pending_.clear();
    removeNeuronNetworkFile();
    neuronPaused_ = false;
    engine_ = QStringLiteral("embedded");
}

bool SimulationDock::beginStream(const NeuronSpec& spec, const QString& name) {
    stop();
    auto server = std::make_unique<nr::NeuronStreamServer>();
    const bool attach = engineAttach_;
    const std::string host = attach && !spec.host.isEmpty() ? spec.host.toStdString()
                             : spec.hostfile.isEmpty()      ? "127.0.0.1"
                                                            : "0.0.0.0";
    if (auto e = server->listen(host, uint16_t(attach ? spec.port : 0), spec.token.toStdString())) {
        emit message(QString::fromStdString(e->str()), true);
        return false;
    }
    stream_ = std::move(server);
    stream_->setSpikeSink([this](uint32_t, const nr::StreamSpike* s, size_t n) {
        for (size_t i = 0; i < n; ++i) pending_.push_back({s[i].tMs * 1e-3, s[i].gid});
    });
    neuronSpec_ = spec;
    neuronSpec_.port = stream_->port();
    neuronDone_ = false;
    neuronPaused_ = false;
    neuronActivityT_ = 0;
    activity_.clear();
    recording_.reset();
    recordingTrials_.reset();
    params_.clear();
    model_ = name;
    store_ = std::make_shared<nr::SpikeStore>();
    const bool onGraph = graph_ && spec.params.contains(QLatin1String("\"file\""));
    simGraph_ = onGraph ? graph_ : nullptr;
    store_->reset(onGraph ? uint32_t(graph_->nodeCount()) : 0, {},
                  onGraph ? graph_->names : std::vector<std::string>{});
    raster_->setStore(store_);
    raster_->setNeuronColors({});
    raster_->setFollow(true);
    raster_->setWindowSeconds(2.0);
    if (view_ && activityPainted_) view_->setActivity({});
    activityPainted_ = false;
    framesLate_ = 0;
    emit runStarted(name, store_, simGraph_, false);
    sinceFrame_.start();
    frameTimer_.start();
    return true;
}

bool SimulationDock::startNeuron(const NeuronSpec& specIn) {
    NeuronSpec spec = specIn;
    if (spec.script.isEmpty())
        spec.script = QString::fromStdString(nr::neuronPythonDir()) + QStringLiteral("/neurorama_network.py");
    if (auto e = nr::checkNeuronTools()) {
        emit message(QString::fromStdString(e->str()), true);
        return false;
    }
    const QString name = tr("NEURON: %1 (%2 ranks)").arg(QFileInfo(spec.script).fileName()).arg(spec.ranks);
    const QString token = randomToken(); // a run started here always sends one, also on loopback
    spec.token = token;
    // A run on the open network reads the network file written for it; a session reopened later writes it
    // again (the file is removed when the run ends).
    QString networkFile;
    {
        static const QRegularExpression re(QStringLiteral("\"network\":\\s*\"([^\"]+)\""));
        const auto m = re.match(spec.params);
        if (m.hasMatch() && spec.params.contains(QLatin1String("\"file\""))) networkFile = m.captured(1);
    }
    if (!networkFile.isEmpty() && !QFileInfo::exists(networkFile) && graph_) {
        nr::ModelRequest req;
        req.seed = uint64_t(seed());
        auto net = nr::networkFromGraph(*graph_, req);
        if (!net.ok()) {
            emit message(QString::fromStdString(net.error().str()), true);
            return false;
        }
        if (auto e = nr::writeNetworkFile(net.value(), networkFile.toStdString())) {
            emit message(QString::fromStdString(e->str()), true);
            return false;
        }
    }
    if (!beginStream(spec, name)) return false;
    if (networkFile.startsWith(QDir::tempPath() + QStringLiteral("/neurorama-network-")))
        neuronNetworkFile_ = networkFile;
    neuronSpec_.port = stream_->port();
    nr::NeuronLaunch l;
    l.script = spec.script.toStdString();
    l.ranks = spec.ranks;
    l.hostfile = spec.hostfile.toStdString();
    l.params = spec.params.isEmpty() ? std::string("{}") : spec.params.toStdString();
    l.address =
        (spec.hostfile.isEmpty() ? QStringLiteral("127.0.0.1") : QSysInfo::machineHostName()).toStdString() +
        ":" + std::to_string(stream_->port());
    l.token = token.toStdString();
    l.runId = (uint64_t(std::random_device{}()) << 21) ^ std::random_device{}() ^ 1;
    l.quiet = true;
    neuronProc_ = std::make_unique<nr::NeuronProcess>();
    if (auto e = neuronProc_->start(l)) {
        emit message(QString::fromStdString(e->str()), true);
        stopNeuron();
        return false;
    }
    engine_ = QStringLiteral("neuron");
    emit message(
        tr("Started %1 on NEURON with %2 ranks").arg(QFileInfo(spec.script).fileName()).arg(spec.ranks),
        false);
    updateButtons();
    return true;
}

bool SimulationDock::attachNeuron(const NeuronSpec& specIn) {
    NeuronSpec spec = specIn;
    spec.script.clear();
    engineAttach_ = true;
    const bool ok = beginStream(spec, tr("Attached on port %1").arg(spec.port));
    engineAttach_ = false;
    if (!ok) return false;
    engine_ = QStringLiteral("attached");
    model_ = tr("Attached on port %1").arg(stream_->port());
    emit message(tr("Listening on %1:%2 for a NEURON run (NEURORAMA_STREAM=%1:%2)")
                     .arg(spec.host.isEmpty() ? QStringLiteral("127.0.0.1") : spec.host)
                     .arg(stream_->port()),
                 false);
    updateButtons();
    return true;
}

void SimulationDock::pollNeuron(bool flushAll) {
    if (!stream_) return;
    for (int i = 0; i < 8; ++i) stream_->poll(0);
    for (const auto& m : stream_->takeMessages())
        emit message(tr("NEURON: %1").arg(QString::fromStdString(m)), true);
    const bool procDone = neuronProc_ && !neuronProc_->running();
    if (stream_->cells() > store_->unitCount()) store_->reset(stream_->cells(), {}, {});
    // A model run with no network open that sends its cells' positions: they become a layout layer of their
    // own (shown in the 3-D view, lit by the spikes like a network).
    if (!graph_ && !simGraph_ && stream_->cells() > 0 && stream_->positions().size() >= stream_->cells()) {
        auto g = std::make_shared<nr::Graph>();
        const auto& pos = stream_->positions();
        for (uint32_t gid = 0; gid < stream_->cells(); ++gid) {
            g->addNode("cell " + std::to_string(gid));
            const auto it = pos.find(gid);
            const std::array<float, 3> p = it != pos.end() ? it->second : std::array<float, 3>{0, 0, 0};
            g->x.push_back(p[0]);
            g->y.push_back(p[1]);
            g->z.push_back(p[2]);
        }
        g->nodeClass.assign(g->nodeCount(), "NEURON cell");
        simGraph_ = g;
        emit runStarted(model_, store_, simGraph_, true);
    }
    // Shown in time order: only what every rank has passed, unless the run is over.
    const bool all = flushAll || procDone || stream_->allEnded() || pending_.size() > (size_t(1) << 24);
    const double until = all ? 1e300 : stream_->completeUntilMs() * 1e-3;
    auto mid = std::partition(pending_.begin(), pending_.end(),
                              [&](const nr::SpikeEvent& e) { return e.t <= until; });
    std::vector<nr::SpikeEvent> ready(pending_.begin(), mid);
    pending_.erase(pending_.begin(), mid);
    std::sort(ready.begin(), ready.end(), [](const nr::SpikeEvent& a, const nr::SpikeEvent& b) {
        return a.t < b.t || (a.t == b.t && a.neuron < b.neuron);
    });
    if (!ready.empty()) {
        raster_->appendSpikes(ready.data(), ready.size());
        emit spikesArrived(ready);
    }
    if (!ready.empty() || activityPainted_) paintNeuronActivity(ready);
    if (!neuronDone_ && (procDone || (engine_ == QLatin1String("attached") && stream_->allEnded()))) {
        neuronDone_ = true;
        removeNeuronNetworkFile();
        const int code = neuronProc_ ? neuronProc_->exitCode() : 0;
        emit message(
            tr("NEURON run finished: %1 spikes from %2 ranks%3%4")
                .arg(stream_->spikes())
                .arg(stream_->ranks())
                .arg(stream_->droppedBatches()
                         ? tr(", %1 display batches dropped by the model").arg(stream_->droppedBatches())
                         : QString())
                .arg(code != 0 ? tr(" (mpirun exit status %1)").arg(code) : QString()),
            code != 0);
        updateButtons();
    }
}

QString SimulationDock::neuronParams(bool onGraph, int cells, double seconds, QString* error) const {
    QString params = QStringLiteral("{\"tstop\": %1, \"seed\": %2").arg(seconds * 1000).arg(seed());
    if (onGraph && graph_) {
        nr::ModelRequest req;
        req.seed = uint64_t(seed());
        auto net = nr::networkFromGraph(*graph_, req);
        if (!net.ok()) {
            *error = QString::fromStdString(net.error().str());
            return {};
        }
        const QString path = QDir::temp().filePath(QStringLiteral("neurorama-network-%1-%2.json")
                                                       .arg(QCoreApplication::applicationPid())
                                                       .arg(++networkFileCounter));
        if (auto e = nr::writeNetworkFile(net.value(), path.toStdString())) {
            *error = QString::fromStdString(e->str());
            return {};
        }
        params += QStringLiteral(", \"mode\": \"file\", \"network\": \"%1\"").arg(path);
    } else {
        params += QStringLiteral(", \"mode\": \"ei\", \"cells\": %1").arg(cells);
    }
    return params + QStringLiteral("}");
}

void SimulationDock::addNeuronActions(QMenu* menu) {
    menu->addSeparator();
    QAction* run = menu->addAction(tr("Run on &NEURON…"), this, [this] {
        QDialog d(this);
        d.setWindowTitle(tr("Run on NEURON"));
        auto* form = new QFormLayout(&d);
        auto* script =
            new QLineEdit(neuronSpec_.script.isEmpty()
                              ? QString::fromStdString(nr::neuronPythonDir()) + "/neurorama_network.py"
                              : neuronSpec_.script);
        script->setToolTip(
            tr("A NEURON model in Python that streams with neurorama_stream; the default is the "
               "example E/I network shipped with Neurorama"));
        auto* browse = new QPushButton(tr("Browse…"));
        auto* row = new QHBoxLayout;
        row->addWidget(script, 1);
        row->addWidget(browse);
        form->addRow(tr("Model script"), row);
        connect(browse, &QPushButton::clicked, &d, [&] {
            const QString f = QFileDialog::getOpenFileName(
                &d, tr("NEURON model"), QFileInfo(script->text()).path(), tr("Python (*.py)"));
            if (!f.isEmpty()) script->setText(f);
        });
        auto* ranks = new QSpinBox;
        ranks->setRange(1, 4096);
        ranks->setValue(neuronSpec_.ranks);
        ranks->setToolTip(tr("MPI ranks (mpirun -n)"));
        form->addRow(tr("Ranks"), ranks);
        auto* hostfile = new QLineEdit(neuronSpec_.hostfile);
        hostfile->setPlaceholderText(tr("optional: Open MPI hostfile for several machines"));
        form->addRow(tr("Hostfile"), hostfile);
        auto* cells = new QSpinBox;
        cells->setRange(100, 10000000);
        cells->setValue(10000);
        cells->setToolTip(tr("Size of the example E/I network"));
        form->addRow(tr("Cells (example)"), cells);
        auto* seconds = new QSpinBox;
        seconds->setRange(1, 100000);
        seconds->setValue(10);
        seconds->setSuffix(tr(" s"));
        form->addRow(tr("Model time"), seconds);
        auto* onGraph =
            new QCheckBox(tr("Run the open network (connectome model, as Simulation > New > Demo)"));
        onGraph->setEnabled(graph_ != nullptr);
        onGraph->setChecked(graph_ != nullptr);
        form->addRow(QString(), onGraph);
        auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel);
        buttons->addButton(tr("Run"), QDialogButtonBox::AcceptRole);
        form->addRow(buttons);
        connect(buttons, &QDialogButtonBox::accepted, &d, &QDialog::accept);
        connect(buttons, &QDialogButtonBox::rejected, &d, &QDialog::reject);
        if (d.exec() != QDialog::Accepted) return;
        NeuronSpec spec;
        spec.script = script->text();
        spec.ranks = ranks->value();
        spec.hostfile = hostfile->text().trimmed();
        QString err;
        spec.params = neuronParams(onGraph->isChecked(), cells->value(), seconds->value(), &err);
        if (spec.params.isEmpty()) {
            emit message(err, true);
            return;
        }
        startNeuron(spec);
    });
    run->setToolTip(tr("Run a model on NEURON under mpirun and watch its spikes arrive"));
    menu->addAction(tr("&Attach…"), this, [this] {
        QDialog d(this);
        d.setWindowTitle(tr("Attach to a NEURON run"));
        auto* form = new QFormLayout(&d);
        auto* host = new QLineEdit(QStringLiteral("127.0.0.1"));
        host->setToolTip(tr("Address to listen on; anything but loopback needs a token"));
        form->addRow(tr("Listen on"), host);
        auto* port = new QSpinBox;
        port->setRange(1024, 65535);
        port->setValue(neuronSpec_.port >= 1024 ? neuronSpec_.port : 7461);
        form->addRow(tr("Port"), port);
        auto* token = new QLineEdit;
        token->setPlaceholderText(tr("required unless loopback (NEURORAMA_TOKEN of the run)"));
        form->addRow(tr("Token"), token);
        form->addRow(
            new QLabel(tr("Start the run with NEURORAMA_STREAM=HOST:PORT and NEURORAMA_TOKEN set; its model "
                          "imports neurorama_stream.")));
        auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel);
        buttons->addButton(tr("Listen"), QDialogButtonBox::AcceptRole);
        form->addRow(buttons);
        connect(buttons, &QDialogButtonBox::accepted, &d, &QDialog::accept);
        connect(buttons, &QDialogButtonBox::rejected, &d, &QDialog::reject);
        if (d.exec() != QDialog::Accepted) return;
        NeuronSpec spec;
        spec.host = host->text().trimmed();
        spec.port = port->value();
        spec.token = token->text();
        attachNeuron(spec);
    });
}
