// Readers for trial-structured recordings (spikes + trials tables) and for plain spike-time tables.
//
// Spikes table columns (header names matched case-insensitively, other columns ignored):
//   unit | unit_id | neuron,   trial | trial_id,   time_s | time | t
// Trials table columns: trial | trial_id,   condition | stimulus | cond,   optionally unit | unit_id |
// neuron. CSV: a header line, comma- or tab-separated. NPY: a structured array with those field names, or a
// 2-D numeric array in column order unit,trial,time_s (spikes; unit,time_s without trials) and
// trial,condition[,unit] (trials), parsed by io/Npy.h.
#pragma once

#include <string>
#include <vector>

#include "analysis/TrialData.h"
#include "model/Error.h"
#include "model/SpikeTrains.h"

namespace nr {

// `X_spikes.csv` -> `X_trials.csv` (same extension) when that file exists; "" otherwise.
std::string findTrialsFile(const std::string& spikesPath);

// Spikes and trials tables (CSV or NPY, told by content, or an NWB (HDF5) file with a trials table).
// `trialsPath` "" = found beside the spikes file (X_spikes.csv -> X_trials.csv). Spike times need not be
// sorted. Rejects: missing or non-numeric unit/trial ids, NaN or infinite times or numeric conditions, a
// missing required column, an empty trials table. Errors name the file holding the defect: CSV with its line,
// NPY with the byte offset (and row).
Result<TrialData> readTrialData(const std::string& spikesPath, const std::string& trialsPath = "");

// Cuts a continuous recording into trials: spikes in [start, stop) of each epoch, time relative to the epoch
// start, condition = the epoch's condition index as text, trial = its trial id. Epochs with stop <= start are
// skipped. Unit ids are the recording's unitIds (or the unit index when unitIds is empty).
TrialData trialDataFromEpochs(const SpikeTrains& trains, const std::vector<TrialEpoch>& epochs);

// Writes tables in the CSV form that readTrialData reads (used by tests and examples).
Status writeTrialCsv(const TrialData& data, const std::string& spikesPath, const std::string& trialsPath);

} // namespace nr
