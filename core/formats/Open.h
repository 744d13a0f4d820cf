// Typed opens over the reader registry: open a file with whatever reader of one kind of data claims it
// (ReaderRegistry::builtin().openAs) and take the data out of the Dataset. For code that needs one kind of
// data from a path given by the user (a connectome for the simulator, traces for a plugin, ...); nothing
// else picks a reader.
#pragma once

#include <memory>
#include <string>

#include "io/ReaderRegistry.h"
#include "model/Graph.h"
#include "model/SpikeTrains.h"

namespace nr {

struct Traces;
struct LabelVolume;
struct ImageVolume;

// The graph as the file holds it: positions where the file gives them (NaN elsewhere, no layout unless the
// option layout is set to something other than "none"). A node table beside it is not looked for.
Result<Graph> openGraph(const std::string& path, const OpenOptions& opt = {});
// Spike trains of a spike table, NPY array or NWB units table (a trials table beside it lays the trials end
// to end, as in the window).
Result<SpikeTrains> openSpikes(const std::string& path, const OpenOptions& opt = {});
// Activity traces (wide or long CSV, NPY, NWB ophys, HDF5).
Result<std::shared_ptr<const Traces>> openTraces(const std::string& path, const OpenOptions& opt = {});
// A label volume or image volume (Zarr, HDF5, NRRD, TIFF); "FILE:ARRAY" names an array inside a container.
Result<std::shared_ptr<const LabelVolume>> openLabelVolume(const std::string& path,
                                                           const OpenOptions& opt = {});
Result<std::shared_ptr<const ImageVolume>> openImageVolume(const std::string& path,
                                                           const OpenOptions& opt = {});

} // namespace nr
