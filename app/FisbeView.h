// A fisbe_eval result shown on the label volume it scored (the ground truth in the neuron view).
#pragma once

#include "plugin/PluginTypes.h"

class NeuronView;

// Each GT instance matched at clDice > 0.5 gets a colour of its own and the note "= pred L, clDice x" (L: the
// predicted instance's label); every unmatched GT instance is red with the note "missed". Instances are found
// by label in the volume the view shows. Returns how many instances were coloured (0: not a fisbe_eval
// result, or another volume on show).
int showFisbeResult(const nr::Results& r, NeuronView* view);
