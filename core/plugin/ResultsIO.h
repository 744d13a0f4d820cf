// Parameter checking and saving of plugin results (CSV and JSON).
#pragma once

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

// Parses "START:END" seconds.
Result<std::pair<double, double>> parseWindow(const std::string& text);
// A window parameter for trial data: "START:END", or "" for [0, just after the latest spike).
Result<std::pair<double, double>> trialWindow(const std::string& text, const TrialData& data);

} // namespace nr
