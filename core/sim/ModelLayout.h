// A 3-D picture for models that have no positions of their own (COBA, Brunel, the attractor): each group of
// neurons (a population, or an assembly of the attractor) becomes a ball of points, the balls on a ring, so
// the model's activity has a network of its own to light up and never lands on an unrelated graph.
#pragma once

#include "model/Graph.h"
#include "sim/Network.h"

namespace nr {

// Node i is neuron i (name "n<i>", class "E" or "I" by population, text column "group" = population or
// assembly), positions in arbitrary units; edges: up to `maxEdges` synapses sampled evenly (type
// "excitatory" or "inhibitory" by the presynaptic population). Deterministic.
Graph modelLayout(const Network& net, size_t maxEdges = 60000);

} // namespace nr
