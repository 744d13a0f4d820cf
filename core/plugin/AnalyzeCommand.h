// `neurorama analyze PLUGIN --input FILE [--trials FILE] [--param name=value ...] [--out result.json|.csv]`:
// runs an analysis plugin without a window. Needs a QCoreApplication.
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "plugin/AnalysisPlugin.h"

namespace nr {

// `args` = everything after `analyze`. Prints one line `name=value ...` of the plugin's scalars on `out`
// (for shesha: `shesha=S ci_low=L ci_high=H splits=K`); errors as `FILE:LINE: reason` on `err`.
// Returns 0 on success, 1 when the analysis or the input fails, 2 for a usage error.
int runAnalyzeCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// Reads `input` through the reader registry and hands it over as the kind the plugin takes (spikes, trials,
// graph, vessels, morphologies, volume, traces). `trials` "" = found beside the spikes. `params` may carry
// reader options (array, time).
Result<Inputs> loadPluginInputs(const AnalysisPlugin& plugin, const std::string& input,
                                const std::string& trials,
                                const std::map<std::string, std::string>& params = {});

} // namespace nr
