// `neurorama simulate MODEL [--seconds T] [--seed S] [--neurons N] [--dt MS] [--param name=value ...]
//  [--out spikes.csv|.npy]`: runs a model headless and prints one summary line
// `spikes=N rate_hz=R wall_s=W` on `out`. Errors print `FILE:LINE: reason` on `err` and return non-zero.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace nr {

// `args` are the words after `simulate`.
int runSimulateCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

} // namespace nr
