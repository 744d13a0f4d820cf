// File > Export Model for NEURON (part of SimulationDock): the model on show in the Simulation dock, with its
// current parameter values and seed, written as a model description with run.py and README.txt
// (nr::exportNeuronModel), the same as `neurorama export MODEL --neuron-model DIR`.
#include "SimulationDock.h"

#include "sim/Models.h"
#include "sim/NeuronRun.h"
#include "sim/SimulationRunner.h"

#include <QDir>

nr::Result<nr::ModelDescription> SimulationDock::currentDescription() const {
    if (model_.isEmpty() || engine_ != QLatin1String("embedded"))
        return nr::Error{"export", 0,
                         "no model of Neurorama's simulator is loaded (choose one in the Simulation dock; "
                         "a NEURON run is exported already)"};
    nr::ModelRequest req;
    req.seed = uint64_t(seed());
    for (const auto& p : runner_->parameters())
        if (p.name != "neurons" && p.name != "speed") req.params.emplace_back(p.name, p.value);
    for (const auto& p : runner_->parameters())
        if (p.name == "neurons") req.neurons = size_t(p.value);
    if (model_ == QLatin1String("graph") || model_ == QLatin1String("demo")) {
        // The network on show (the demo column or an opened connectome) as the dock built it.
        if (!simGraph_) return nr::Error{"export", 0, "the network the model was built from is closed"};
        auto d = nr::describeGraph(*simGraph_, req);
        if (d) d.value().model = model_.toStdString();
        return d;
    }
    req.model = model_.toStdString();
    return nr::describeModel(req);
}

bool SimulationDock::exportModelForNeuron(const QString& dir, double seconds, QString* summary) const {
    auto d = currentDescription();
    if (!d) {
        if (summary) *summary = QString::fromStdString(d.error().str());
        return false;
    }
    nr::NeuronExportOptions o;
    o.seconds = seconds;
    if (auto e = nr::exportNeuronModel(d.value(), QDir::cleanPath(dir).toStdString(), o)) {
        if (summary) *summary = QString::fromStdString(e->str());
        return false;
    }
    if (summary)
        *summary = tr("Exported %1 (%2 cells, %3 synapses) to %4; run it there with: mpirun -n 2 nrniv -mpi "
                      "-python run.py")
                       .arg(QString::fromStdString(d.value().model))
                       .arg(d.value().cellCount())
                       .arg(qulonglong(d.value().synapseCount()))
                       .arg(QDir::toNativeSeparators(dir));
    return true;
}
