// 3-D force-directed layout for graphs without (or with partial) positions.
#pragma once

#include <functional>

#include "model/Error.h"
#include "model/Graph.h"

namespace nr {

// Fills g.x/y/z with a 3-D force-directed layout (Fruchterman-Reingold forces: exact all-pairs repulsion up
// to 500 nodes, grid-local repulsion above, with crowded cells sampled so hubs and stars stay linear in the
// edge count); edges are taken as undirected, self-loops ignored. The same graph and seed give the same
// layout; no global state is touched, so layouts may run on several threads at once. With `keepExisting`,
// nodes that already have finite positions keep them exactly and the others are placed among them (starting
// next to their placed neighbours), in the placed nodes' units. progress(0..1) may return false to cancel
// (Error "cancelled").
Status layout3D(Graph& g, unsigned seed = 1, bool keepExisting = false,
                const std::function<bool(double)>& progress = {});

} // namespace nr
