// Analysis results as JSON (sessions keep them with the layer they were computed on, so a restored session
// shows the same numbers without running the analysis again).
#pragma once

#include "base/Json.h"
#include "model/Error.h"
#include "plugin/PluginTypes.h"

namespace nr {

// {"plugin", "params": {..}, "scalars": {name: value}, "nodeColumns": {name: [..]}, "tables": [..],
//  "matrices": [{"name", "rows", "cols", "values", "rowLabels", "colLabels"}], "series": [..]}
JsonValue resultsToJson(const Results& r);
// The reverse; errors name `file` and the line of the bad value. Sizes are checked (a matrix's values are
// rows*cols, at most 10^8 entries in all).
Result<Results> resultsFromJson(const JsonValue& v, const std::string& file);

} // namespace nr
