// Registration of core/io's readers in the ReaderRegistry: graphs (edge lists, node tables, GraphML, GML)
// and spike trains (CSV, NPY, NWB units tables, trial-structured pairs).
#pragma once

#include "io/ReaderRegistry.h"

namespace nr {

void registerGraphReaders(ReaderRegistry& r);
void registerSpikeReaders(ReaderRegistry& r);

// Reads a graph file and, when `nodeTable` is not empty, joins that node table onto it; lays out graphs
// without positions. `summary` gets "nodes=N edges=M" and what the join did; `warnings` the names that did
// not match. This is the read function of the graph formats.
Result<Dataset> readGraphDataset(const std::string& path, const std::string& nodeTable,
                                 const OpenOptions& opt);

// True when the first line of delimited text names a unit and a time column (a spike table).
bool headerLooksLikeSpikes(const std::string& head);

} // namespace nr
