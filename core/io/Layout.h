// 3-D force-directed layout for graphs without (or with partial) positions.
#pragma once

#include <functional>

#include "model/Error.h"
#include "model/Graph.h"

namespace nr {

// Fills g.x/y/z. Fruchterman-Reingold 3-D (igraph) for graphs up to a few thousand nodes, DrL 3-D for big
// ones; edges are taken as undirected, self-loops ignored. The same graph and seed give the same layout.
// With `keepExisting`, nodes that already have finite positions keep them exactly and the others are placed
// among them (starting next to their placed neighbours), in the placed nodes' units. progress(0..1) may
// return false to cancel (Error "cancelled").
Status layout3D(Graph& g, unsigned seed = 1, bool keepExisting = false,
                const std::function<bool(double)>& progress = {});

} // namespace nr
