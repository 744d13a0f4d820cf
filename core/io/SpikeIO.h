// Spike times + unit ids as CSV or NPY, chosen by the file extension (.csv / .npy).
//
// CSV: header `unit,time_s`, one spike per line, unit = external unit id (integer >= 0), time in
// seconds. Columns may come in either order; other columns are refused.
// NPY written: a 2-D little-endian float64 array of shape (spikes, 2), columns (unit, time_s), C order.
// NPY read: 2-D arrays (float64, float32, int8..int64, uint8..uint64) with two columns (unit, time),
// or a 1-D structured array with fields named unit/units/id and time/times/time_s/t.
// Units are mapped to indices 0..U-1 in order of first appearance; unitIds keeps the external ids.
#pragma once

#include "model/Error.h"
#include "model/SpikeTrains.h"

#include <string>

namespace nr {

Result<SpikeTrains> readSpikes(const std::string& path);
Status writeSpikes(const std::string& path, const SpikeTrains& spikes);

Result<SpikeTrains> readSpikesCsv(const std::string& path);
Result<SpikeTrains> readSpikesNpy(const std::string& path);
Status writeSpikesCsv(const std::string& path, const SpikeTrains& spikes);
Status writeSpikesNpy(const std::string& path, const SpikeTrains& spikes);

} // namespace nr
