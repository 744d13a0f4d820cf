// A fisbe_eval result shown on the label volume it scored (the ground truth in the neuron view), with the
// prediction drawn beside it.
#pragma once

#include "model/Palette.h"
#include "plugin/PluginTypes.h"

class NeuronView;

namespace fisbeview {
// The colours that name an unmatched instance (matched pairs take the categorical palette).
constexpr nr::palette::Rgb kMissed{220, 30, 30};        // a ground-truth instance no prediction matches
constexpr nr::palette::Rgb kFalsePositive{230, 0, 230}; // a prediction matched to no GT instance (fp_0.5)
constexpr nr::palette::Rgb kRemoved{95, 95, 95};        // a prediction under min_size, not scored
} // namespace fisbeview

// Each GT instance matched at clDice > 0.5 gets a colour of its own and the note "= pred L, clDice x" (L: the
// predicted instance's label); every unmatched GT instance is red with the note "missed". Instances are found
// by label in the volume the view shows. Then the prediction (the run's `pred` and `pred_array`) is read
// again on a worker thread and drawn beside the ground truth: each matched prediction in its partner's
// colour, the unmatched ones in the colours above, all named in the view's key (NeuronView::setComparison).
// Returns how many GT instances were coloured (0: not a fisbe_eval result, or another volume on show).
int showFisbeResult(const nr::Results& r, NeuronView* view);
