// Windowed Pearson r on packed upper tiles (AVX-512). Internal to core/traces: windowedPearson() uses it when
// the processor has AVX-512F and falls back to its portable kernels otherwise.
#pragma once

#include <cstddef>

namespace nr::detail {

// True when windowedPearsonTiles can run on this processor.
bool pearsonTilesAvailable();

// Windows [w0, w1) of windowedPearson (same arguments and output layout; `mean` holds the n row means that
// centre the data). Each block of gcd(window, step) samples (or each whole window when the window holds
// more than 64 such blocks) is multiplied once; the product's 8 x 16 tiles on or above the diagonal are
// kept packed in a ring of the window's blocks, and while a tile of the entering block's product is still
// in registers it updates the window's running sums and writes that tile's r values.
void windowedPearsonTiles(const double* data, const double* mean, size_t n, size_t T, size_t window,
                          size_t step, size_t w0, size_t w1, double* out);

} // namespace nr::detail
