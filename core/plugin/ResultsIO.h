// Parameter checking and saving of plugin results (CSV and JSON).
#pragma once

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "plugin/PluginTypes.h"

namespace nr {

// Checks `given` (name -> text) against the specs: unknown names, wrong types, values out of range or not
// among the choices are errors; missing names get their defaults.
Result<Params> resolveParams(const std::vector<ParamSpec>& specs,
                             const std::map<std::string, std::string>& given);

// Number as text: whole numbers without a decimal point, others with up to 10 significant digits,
// NaN as "nan".
std::string formatNumber(double v);

// `name=value name=value ...` of all scalars.
std::string scalarLine(const Results& r);

// JSON object: plugin, params, scalars, tables, matrices, series, node_columns. NaN/inf become null.
std::string resultsToJson(const Results& r);
Status saveResultsJson(const Results& r, const std::string& path);

// CSV: `# plugin=NAME` and `# param NAME=VALUE` lines, then sections: `scalar,value` rows, each table
// (`# table NAME` then a header and rows), each matrix (`# matrix NAME`, header of column labels, rows led by
// their label), each series (`# series NAME LABEL`, `x,y` rows) and the node columns (`# node_columns`, one
// row per node).
Status saveResultsCsv(const Results& r, const std::string& path);

// Writes the rows of one matrix as they are computed, for a matrix too large to hold: formatted as the
// results file `resultsPath` (.json or .csv) holds them, into a scratch file beside it (`resultsPath` +
// ".rows"). Put its path in MatrixResult::rowsFile; saveResultsJson/saveResultsCsv then copy the rows in
// place, so the file is the one the matrix held in memory would give.
class MatrixRowsWriter {
public:
    explicit MatrixRowsWriter(const std::string& resultsPath);
    ~MatrixRowsWriter(); // removes the scratch file unless release()d
    Status open();
    // `count` rows of `cols` values, row-major; `labels` are the row labels (CSV only; "" gives the index).
    Status append(const double* rows, size_t count, size_t cols, const std::vector<std::string>& labels,
                  size_t firstRow);
    // Flushes and closes; the scratch file then belongs to the caller (MatrixResult::rowsFile).
    Result<std::string> release();
    const std::string& path() const { return path_; }

private:
    std::string path_;
    bool json_ = false, released_ = false;
    size_t written_ = 0;
    std::FILE* f_ = nullptr;
};

// Parses "START:END" seconds.
Result<std::pair<double, double>> parseWindow(const std::string& text);
// A window parameter for trial data: "START:END", or "" for [0, just after the latest spike).
Result<std::pair<double, double>> trialWindow(const std::string& text, const TrialData& data);

} // namespace nr
