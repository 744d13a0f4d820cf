// Registration of core/io's readers in the ReaderRegistry: graphs (edge lists, node tables, GraphML, GML)
// and spike trains (CSV, NPY, NWB units tables, trial-structured pairs).
#pragma once

#include "io/ReaderRegistry.h"

namespace nr {

void registerGraphReaders(ReaderRegistry& r);
void registerSpikeReaders(ReaderRegistry& r);

// True when the first line of delimited text names a unit and a time column (a spike table).
bool headerLooksLikeSpikes(const std::string& head);

} // namespace nr
