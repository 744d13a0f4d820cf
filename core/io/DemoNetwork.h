// The built-in demo network: a cortical-column-like volume of excitatory and inhibitory neurons.
#pragma once

#include <cstddef>

#include "model/Graph.h"

namespace nr {

struct DemoOptions {
    size_t neurons = 3000;
    unsigned seed = 1;
    double excitatoryFraction = 0.8;
};

// A cylinder of radius 300 µm and height 1000 µm (z up, layer 1 at the top, z = 1000) in six layers of
// different thickness and density. Neurons: class "E" (named E1, E2, ...) or "I" (I1, ...), exactly
// round(neurons * excitatoryFraction) excitatory, node column "layer" (1..6), positions in µm.
// Connections: probability p0 * exp(-d² / 2σ²) for distance d (σ = 150 µm, narrower above 3000 neurons so
// the work stays linear), p0 chosen for about 150 outgoing synapses per neuron. Edge type "excitatory" from
// E and "inhibitory" from I neurons; weights are positive magnitudes (log-normal, mean about 1), the sign
// is carried by the type. Deterministic for the seed.
Graph makeDemoNetwork(const DemoOptions& o = {});

} // namespace nr
