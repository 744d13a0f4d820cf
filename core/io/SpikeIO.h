// The spike parsers: spike times + unit ids from CSV/TSV or NPY (NWB units tables: readNwbUnits, Nwb.h).
// Which one reads a file is the ReaderRegistry's choice (its spike readers call these); code that needs the
// spikes of a path given by a user calls openSpikes (formats/Open.h).
//
// CSV/TSV: a header naming a unit column (unit, units, unit_id, id, neuron, cluster) and a time column
// (time_s, time, times, t, spike_time, spike_times), optionally a trial column (trial, trial_id) and a
// label column (label, unit_label, unit_name, name); other columns are ignored. One spike per line, unit =
// external id (integer >= 0), time in seconds.
// NPY (see Npy.h): a 2-D numeric array with 2 columns (unit, time) or 3 (unit, trial, time), or a 1-D
// structured array with fields named as the CSV columns (a text field may carry the label).
// NWB: the units table (ids, ragged spike times).
//
// Units are indices 0..U-1 in order of first appearance; unitIds keeps the external ids, unitLabels the
// labels ("" when the file has none). Spike times that go backwards within a unit are sorted (stable).
// A table with a trial column holds trial-relative times (as `simulate --trials` writes them): trials are
// laid end to end in ascending trial id, trial k starting at k x the longest trial span, so the result is one
// continuous recording. An empty table (header only) is an error.
// NPY written: a 2-D little-endian float64 array of shape (spikes, 2), columns (unit, time_s), C order.
#pragma once

#include "model/Error.h"
#include "model/SpikeTrains.h"

#include <string>

namespace nr {

// Writes CSV or NPY as the file name's extension says (.csv, .npy).
Status writeSpikes(const std::string& path, const SpikeTrains& spikes);

Result<SpikeTrains> readSpikesCsv(const std::string& path);
Result<SpikeTrains> readSpikesNpy(const std::string& path);
Status writeSpikesCsv(const std::string& path, const SpikeTrains& spikes);
Status writeSpikesNpy(const std::string& path, const SpikeTrains& spikes);

} // namespace nr
