// Running a model on NEURON under mpirun and receiving its spikes (docs/NEURON_STREAM.md).
// `writeNetworkFile` writes one of Neurorama's networks for the shipped example model
// (python/neurorama_network.py, mode "file"); `NeuronProcess` starts and stops `mpirun -n K nrniv -mpi
// -python SCRIPT` in its own process group; `runNeuronEngine` is `simulate --engine neuron`.
#pragma once

#include "model/Error.h"
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

// Conductance-based LIF networks only (the connectome and demo models, coba); others are an error that says
// which part NEURON's built-in mechanisms cannot reproduce.
Status writeNetworkFile(const Network& net, const std::string& path);

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
