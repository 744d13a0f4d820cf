// Internal to nr_morph: what a volume format reader hands to the common LabelVolume builder.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "morph/LabelVolume.h"

namespace nr {

// An N-D (2..4) integer array read block by block. Blocks tile the array on a regular grid of `chunk`.
struct ArraySource {
    std::string file;  // container file or folder (errors name the chunk file when there is one)
    std::string array; // path inside the container
    std::string axes;  // axis names in array order ("czyx"); empty: the builder names them
    std::vector<uint64_t> shape, chunk;
    int dtypeBytes = 1;
    bool isSigned = false;
    bool threadSafe = true; // false: blocks are read one at a time, in increasing grid order
    bool haveVoxelSize = false;
    double voxelSize[3] = {1, 1, 1}; // z, y, x
    double origin[3] = {0, 0, 0};
    std::string unit;
    std::vector<std::string> warnings;
    // Fills `out` with the block at grid index `idx`: prod(chunk) values of dtypeBytes bytes, little-endian,
    // C order over the full block shape (parts beyond the array's edge are ignored).
    std::function<Status(const std::vector<uint64_t>& idx, std::vector<uint8_t>& out)> read;
};

// Reads every block and builds the volume: a label map for 2-D/3-D arrays (or 4-D with one channel), one
// instance per channel for 4-D arrays. Checks the memory estimate against the limit first.
Result<LabelVolume> buildLabelVolume(ArraySource& src, const OpenOptions& opt);

// Memory limit for this read (option "max_bytes", else volumeMemoryLimit()).
uint64_t memoryLimitFor(const OpenOptions& opt);
// "1.3 GB" style.
std::string humanBytes(double bytes);

} // namespace nr
