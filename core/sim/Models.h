// Ready-made networks for the simulator: coba, brunel, attractor, demo and connectome graphs.
// Every model lists its parameters (name, default, range, description); the UI makes sliders from the
// list and the CLI takes `--param name=value`.
#pragma once

#include "model/Error.h"
#include "model/Graph.h"
#include "sim/ModelDescription.h"
#include "sim/Network.h"

#include <string>
#include <utility>
#include <vector>

namespace nr {

struct ModelRequest {
    std::string model = "coba"; // coba | brunel | attractor | demo | path of a connectome file
    uint64_t seed = 1;
    size_t neurons = 0;                                 // 0: the model's default
    double dt = 0.1;                                    // ms
    std::vector<std::pair<std::string, double>> params; // overrides of the defaults, by name
};

// The built-in model names.
std::vector<std::string> modelNames();

// Parameters of a built-in model with their defaults (graph models: use "graph"). Error for unknown models.
Result<std::vector<Parameter>> modelParameters(const std::string& model);

// The model's description (ModelDescription.h): every model is written as one description that the
// embedded simulator builds from (buildModel) and the NEURON export writes out. A model that is not a
// built-in name is read as a connectome file. Errors name the bad parameter (file "simulate") or the file
// and line of a bad connectome.
Result<ModelDescription> describeModel(const ModelRequest& req);
// A model description file (ModelDescription.h, written by `export MODEL --neuron-model DIR`) is a model too:
// its "format" is "neurorama-model".
bool isModelDescriptionFile(const std::string& path);
// buildNetwork(describeModel(req)).
Result<Network> buildModel(const ModelRequest& req);

// Individual builders (parameters: defaults of modelParameters() with `params` applied).
Result<Network> makeCoba(const ModelRequest& req);
Result<Network> makeBrunel(const ModelRequest& req);
Result<Network> makeAttractor(const ModelRequest& req);
Result<ModelDescription> describeCoba(const ModelRequest& req);
Result<ModelDescription> describeBrunel(const ModelRequest& req);
Result<ModelDescription> describeAttractor(const ModelRequest& req);

// How chemical edges of a graph become excitatory or inhibitory.
enum class InhibitionRule {
    Class,   // node class "I", or a name / neurotransmitter column containing "GABA": inhibitory source
    Type,    // edge type "inhibitory"
    Fraction // a random fraction of the source neurons (parameter inh_fraction)
};

// A graph as a network of conductance-based LIF neurons: chemical edges become synapses (weight
// proportional to the edge weight and the coupling), "electrical" edges become symmetric gap junctions.
// Parameters: those of modelParameters("graph") with `req.params` applied; the rule is parameter
// "rule" (0 class, 1 type, 2 fraction).
Result<Network> networkFromGraph(const Graph& g, const ModelRequest& req);
Result<ModelDescription> describeGraph(const Graph& g, const ModelRequest& req);

} // namespace nr
