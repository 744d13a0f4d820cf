// NWB (HDF5) readers: the units table (ids and ragged spike times) and the trials interval table.
// Each reads the file in a child process (io/Hdf5Sandbox.h: wall-time and memory limits), since libhdf5 can
// loop forever inside one call on a corrupt file; the columns are validated here, in the process.
#pragma once

#include <string>

#include "analysis/TrialData.h"
#include "model/Error.h"
#include "model/SpikeTrains.h"

namespace nr {

// `units/id`, `units/spike_times`, `units/spike_times_index` -> one long recording. tStart/tStop = the span
// of the spikes (or of `intervals/epochs` when present).
Result<SpikeTrains> readNwbUnits(const std::string& path);

// True when the file has `intervals/trials` with start_time and stop_time.
bool nwbHasTrials(const std::string& path);

// Units plus `intervals/trials` (start_time, stop_time and a condition column named condition, stimulus,
// cond, stimulus_name or stim; numeric or text). Spikes in [start, stop) of each trial, relative to its
// start; trial ids from `intervals/trials/id` (row index when absent).
Result<TrialData> readNwbTrialData(const std::string& path);

} // namespace nr
