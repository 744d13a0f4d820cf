// Readers of activity traces (nr::Traces), registered in the ReaderRegistry by registerTraceReaders():
//
// - wide CSV: a time column (`time`, `time_s` or `t`) and one column per neuron name; columns named
//   `behaviour:X` / `behavior:X` or a known behaviour variable (velocity, speed, reversal, head_curvature,
//   angular_velocity, pumping, body_curvature) become behaviour rows. Empty cells and `nan` are NaN.
// - long CSV: `neuron,time,value`, one row per sample; neurons share one time base (missing cells are NaN).
// - NPY: time x neurons (float or integer, C or Fortran order), names from `X_names.txt` or `X.names.txt`
//   beside it (one per line), time from `X_time.npy` / `X.time.npy` beside it or option "rate" (Hz).
// - HDF5: option "array" = trace dataset (found when the file has exactly one 2-D numeric dataset), option
//   "time" = time dataset (else `time`, `t` or `timestamps` next to the array, else a 1-D dataset anywhere
//   named like time (t, time*, *timestamp*, e.g. `timing/timestamp_confocal`) as long as one of the array's
//   axes), else option "rate" (Hz). Files written from Julia or
//   MATLAB are transposed: the time axis is the axis whose length equals the time vector's (option
//   "time_axis" = 0 or 1 decides a square array or a file without time). Names from option "names" or a
//   string dataset `names`/`neuron_names`/`neurons`/`labels` next to the array; option "behaviour" =
//   comma-separated 1-D datasets added as behaviour rows.
// - NWB ophys: a RoiResponseSeries in DfOverF (preferred) or Fluorescence, names from the referenced
//   PlaneSegmentation (`neuron_name`, `name`, `label`... columns); or plain TimeSeries, one per neuron, under
//   acquisition. 1-D series under processing/behavior become behaviour rows.
//
// NPY and HDF5 without a time vector or a rate have time in frames (Traces::timeUnit "frame", the frame
// index).
//
// Bad input (ragged rows, non-numeric cells, time not increasing, duplicate names, a missing HDF5 path, a
// time vector that matches no axis, sizes the file cannot hold) is an Error with file, line and reason.
#pragma once

#include <string>

#include "io/ReaderRegistry.h"
#include "traces/Traces.h"

namespace nr {

void registerTraceReaders(ReaderRegistry& r);

// Sniff scores (see FormatReader::sniff) of the text formats, from the first bytes of a file.
int sniffWideTraceCsv(const std::string& head);
int sniffLongTraceCsv(const std::string& head);

Result<Traces> readTracesWideCsv(const std::string& path, const OpenOptions& opt = {});
Result<Traces> readTracesLongCsv(const std::string& path, const OpenOptions& opt = {});
Result<Traces> readTracesNpy(const std::string& path, const OpenOptions& opt = {});
Result<Traces> readTracesHdf5(const std::string& path, const OpenOptions& opt = {});
Result<Traces> readTracesNwb(const std::string& path, const OpenOptions& opt = {});

// True when an HDF5 file holds NWB optical physiology (a RoiResponseSeries or TimeSeries under acquisition).
bool isNwbOphys(const std::string& path);

// Wide CSV with a `time_s` column, 9 significant digits (behaviour rows as `behaviour:NAME` columns).
Status writeTracesCsv(const std::string& path, const Traces& t);

// "neurons=98 timepoints=1600 nan_frames=0", the Dataset summary.
std::string tracesSummary(const Traces& t);

} // namespace nr
