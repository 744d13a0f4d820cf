// `neurorama export MODEL --neuron-model DIR [--seconds T] [--seed S] [--neurons N] [--dt MS]
//  [--param name=value ...] [--ranks K]`: writes the model's description for NEURON (model.json, run.py,
// README.txt and the two Python modules, see exportNeuronModel) and prints one summary line on `out`.
// Errors print `FILE:LINE: reason` on `err` and return non-zero.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace nr {

// True when `args` (the words after `export`) ask for a model export (they hold --neuron-model).
bool isExportModelCommand(const std::vector<std::string>& args);
// `args` are the words after `export`.
int runExportModelCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

} // namespace nr
