// Running a model on NEURON under mpirun and receiving its spikes (docs/NEURON_STREAM.md).
// `writeNetworkFile` writes one of Neurorama's networks for the shipped example model
// (python/neurorama_network.py, mode "file"); `NeuronProcess` starts and stops `mpirun -n K nrniv -mpi
// -python SCRIPT` in its own process group; `runNeuronEngine` is `simulate --engine neuron`.
#pragma once

#include "model/Error.h"
#include "sim/ModelDescription.h"
#include "sim/Models.h"
#include "sim/Network.h"

#include <functional>
#include <ostream>
#include <string>
#include <sys/types.h>

namespace nr {

// The Debian packages a NEURON run needs; named in every "not found" message.
constexpr const char* kNeuronPackages = "openmpi-bin, neuron and python3-neuron";

// Error naming the packages when mpirun or nrniv is not on PATH.
Status checkNeuronTools();
// Folder holding neurorama_stream.py and neurorama_network.py: $NEURORAMA_PYTHON_DIR, the installed
// share/neurorama/python next to the executable, or the source tree's python/ folder.
std::string neuronPythonDir();

// Whether the shipped NEURON model (python/neurorama_network.py) runs this description: LIF cells (with
// conductance, current or delta synapses) without white-noise input. The error says which part it cannot run.
Status checkNeuronModel(const ModelDescription& d);
// The model description (JSON, ModelDescription.h) of an already-built network, for neurorama_network.py's
// mode "file"; checked with checkNeuronModel.
Status writeNetworkFile(const Network& net, const std::string& path);

// File > Export Model for NEURON and `export MODEL --neuron-model DIR`: writes DIR/model.json (the
// description), DIR/run.py (runs it with the copies of neurorama_network.py and neurorama_stream.py written
// beside it, or the installed ones), DIR/README.txt with the mpirun command. Creates DIR when missing.
struct NeuronExportOptions {
    double seconds = 1; // model time run.py simulates (NEURORAMA_PARAMS "tstop" overrides)
    int ranks = 2;      // the rank count README.txt shows
};
Status exportNeuronModel(const ModelDescription& d, const std::string& dir,
                         const NeuronExportOptions& o = {});

struct NeuronLaunch {
    std::string script; // the model script
    int ranks = 1;
    std::string hostfile; // empty: this machine only
    std::string params;   // JSON object passed as NEURORAMA_PARAMS
    std::string address;  // host:port of the receiver (NEURORAMA_STREAM)
    std::string token;
    uint64_t runId = 0;
    double intervalMs = 10;
    bool quiet = false; // rank output to /dev/null instead of stderr
};

class NeuronProcess {
public:
    ~NeuronProcess();
    Status start(const NeuronLaunch& l);
    bool running();                        // false once mpirun has exited (reaps it)
    int exitCode() const { return code_; } // -1 while running; 128 + signal when killed
    void stop(double graceSeconds = 3);    // SIGTERM to the whole process group, SIGKILL after the grace time
    pid_t pid() const { return pid_; }

private:
    pid_t pid_ = -1;
    int code_ = -1;
};

struct NeuronEngineOptions {
    ModelRequest req;
    double seconds = 1;
    int ranks = 1;
    std::string hostfile;
    double intervalMs = 10;
};

struct NeuronEngineResult {
    uint64_t spikes = 0;
    uint32_t cells = 0;
    double rateHz = 0, wallSeconds = 0;
    uint64_t dropped = 0, missing = 0;
};

// Runs MODEL (a .py script, "ei" for the example network, or any model `simulate` builds) on NEURON and
// hands each spike (gid, seconds) to `onSpike`. Errors name the file and the problem.
Result<NeuronEngineResult> runNeuronEngine(const NeuronEngineOptions& o,
                                           const std::function<void(uint32_t, double)>& onSpike,
                                           std::ostream& log);

} // namespace nr
