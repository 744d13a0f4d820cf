// `neurorama analyze PLUGIN --input FILE [--trials FILE] [--param name=value ...] [--out result.json|.csv]`:
// runs an analysis plugin without a window. Needs a QCoreApplication.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace nr {

// `args` = everything after `analyze`. Prints one line `name=value ...` of the plugin's scalars on `out`
// (for shesha: `shesha=S ci_low=L ci_high=H splits=K`); errors as `FILE:LINE: reason` on `err`.
// Returns 0 on success, 1 when the analysis or the input fails, 2 for a usage error.
int runAnalyzeCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

} // namespace nr
