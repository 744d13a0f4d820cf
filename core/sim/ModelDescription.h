// ModelDescription: one declarative description of a spiking model that both engines consume. The built-in
// models (coba, brunel, attractor, demo, connectome files) are written as a description (Models.h), the
// embedded simulator builds its Network from it (buildNetwork), and the NEURON export writes it as JSON for
// python/neurorama_network.py. File format: docs/NEURON_STREAM.md, "Model description".
//
// Units: time in ms (stimulus epochs in s, as the simulator's trial epochs), voltage in mV, rates in Hz;
// weights and drive in the units of NeuronParams / SynapseType for the cell kind.
#pragma once

#include "model/Error.h"
#include "sim/Network.h"

#include <cstdint>
#include <string>
#include <vector>

namespace nr {

constexpr int kModelDescriptionVersion = 1;

// A named set of cell parameters; several populations may share one kind.
struct CellKind {
    std::string name;
    NeuronParams p;
};

// `size` consecutive cells of one kind; populations cover the cells in order (first population from 0).
struct PopulationSpec {
    std::string name;
    uint32_t kind = 0; // index into cellKinds
    uint32_t size = 0;
    bool inhibitory = false;
};

// The synapses of one channel, stored by presynaptic cell (CSR, as the simulator uses them); the JSON file
// lists them per target cell. Delays in ms: one for the table, or one per synapse when delayMs is not empty.
struct Connections {
    uint32_t channel = 0;
    std::vector<uint32_t> off; // size n + 1, or empty for a channel without synapses
    std::vector<uint32_t> target;
    std::vector<float> weight;
    std::vector<float> delayMs; // empty: every synapse has uniformDelayMs
    double uniformDelayMs = 0.1;
    size_t size() const { return target.size(); }
};

// What a run records. Both engines record the spikes of every cell; "spikes" probes name the populations a
// viewer shows (population "*" = all).
struct Probe {
    std::string kind = "spikes";
    std::string population = "*";
};

struct ModelDescription {
    int version = kModelDescriptionVersion;
    std::string model; // coba, brunel, attractor, demo, graph or the connectome file it came from
    double dt = 0.1;   // ms
    uint64_t seed = 1;
    std::vector<Parameter> parameters; // the values the model was built with
    std::vector<CellKind> cellKinds;
    std::vector<PopulationSpec> populations;
    std::vector<Channel> channels;
    std::vector<Connections> connections; // at most one table per channel
    GapJunctions gaps;                    // symmetric, stored both ways
    PoissonInput poisson;                 // stimulus generator: independent Poisson drive per cell
    StimulusSchedule stimulus;            // stimulus generator: extra Poisson rate to assemblies by epoch
    std::vector<Probe> probes = {Probe{}};
    std::vector<std::string> labels; // one per cell, or empty

    uint32_t cellCount() const;
    size_t synapseCount() const;
    // Appends a population of `size` cells with parameters `p`, reusing an existing kind with the same
    // parameters (the kind is named `kindName`, or after the population when empty).
    void addPopulation(const std::string& name, const NeuronParams& p, uint32_t size, bool inhibitory,
                       const std::string& kindName = {});
    // Adds a table of the channel (moved in); its delays are `delaySteps` steps of dt.
    void addSynapses(uint32_t channel, SynapseTable&& t);
};

// The engine's network: populations, synapse tables (delays rounded to steps of dt), inputs. Moves the
// connection tables out of `d`. Errors (file `source`) for inconsistent descriptions.
Result<Network> buildNetwork(ModelDescription&& d, const std::string& source = "simulate");
Result<Network> buildNetwork(const ModelDescription& d, const std::string& source = "simulate");

// The description of an already-built network (a copy), e.g. the network open in the window.
ModelDescription describeNetwork(const Network& net);

// Structural checks (sizes, indices, finite numbers, positive time constants) with the problem named.
Status validateDescription(const ModelDescription& d, const std::string& source);

// JSON (format "neurorama-model", version 1). Writing streams the synapse lists; reading reports
// FILE:LINE: reason for a wrong version, missing keys, wrong types, negative sizes, non-finite numbers and
// indices out of range.
Status writeModelDescription(const ModelDescription& d, const std::string& path);
std::string modelDescriptionJson(const ModelDescription& d);
Result<ModelDescription> readModelDescription(const std::string& path);
Result<ModelDescription> parseModelDescription(const std::string& text, const std::string& file);

// Names used in the file for the enums (and back; false for an unknown name).
const char* neuronTypeName(NeuronType t);
const char* synapseTypeName(SynapseType t);
const char* liveKnobName(LiveKnob k);

} // namespace nr
