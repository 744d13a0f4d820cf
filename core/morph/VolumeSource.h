// Internal to nr_morph: what a volume format reader hands to the common LabelVolume builder.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "morph/ImageVolume.h"
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
    bool isFloat = false;   // IEEE float (4 or 8 bytes); only images accept it
    bool threadSafe = true; // false: blocks are read one at a time, in increasing grid order
    bool haveVoxelSize = false;
    double voxelSize[3] = {1, 1, 1}; // z, y, x
    double origin[3] = {0, 0, 0};
    std::string unit;
    std::vector<std::string> warnings;
    // Nothing is stored and the fill value is 0 (an HDF5 dataset with no chunk written): a label volume is
    // all background without reading a block.
    bool allFill = false;
    // Fills `out` with the block at grid index `idx`: prod(chunk) values of dtypeBytes bytes, little-endian,
    // C order over the full block shape (parts beyond the array's edge are ignored).
    std::function<Status(const std::vector<uint64_t>& idx, std::vector<uint8_t>& out)> read;
};

// Reads every block and builds the volume: a label map for 2-D/3-D arrays (or 4-D with one channel), one
// instance per channel for 4-D arrays. Checks the memory estimate against the limit first.
Result<LabelVolume> buildLabelVolume(ArraySource& src, const OpenOptions& opt);

// Reads every block and builds an image: 3-D grey, or 4-D with a leading or trailing channel axis of 1 or 3.
Result<ImageVolume> buildImageVolume(ArraySource& src, const OpenOptions& opt);

// What a format reader opens its array for. Images accept floating-point samples and, when no array is named,
// choose the dataset that looks most like an image instead of the most label-like one.
enum class ArrayUse { Labels, Image };
// Called by a format reader with the array it opened (while its files, handles and locks are held).
using ArraySink = std::function<void(ArraySource&)>;
// A format reader's opening half: finds and checks the array, then hands it to `sink` (errors before that
// are returned).
using ArrayOpener = std::function<Status(const std::string& path, const OpenOptions& opt, ArrayUse use,
                                         const ArraySink& sink)>;

// Opens `path` with `open` and builds a label volume or an image from the array.
template <class T>
Result<T> buildFrom(const ArrayOpener& open, Result<T> (*build)(ArraySource&, const OpenOptions&),
                    ArrayUse use, const std::string& path, const OpenOptions& opt) {
    std::optional<Result<T>> out;
    if (Status s = open(path, opt, use, [&](ArraySource& src) { out.emplace(build(src, opt)); })) return *s;
    if (!out) return Error{path, 0, "internal: the reader opened no array"};
    return std::move(*out);
}

// Open one array of a Zarr store / HDF5 file as an image would be (any integer or float samples) and hand its
// metadata to `sink` without reading any block: what listVolumeArrayInfo() describes.
Status probeZarrArray(const std::string& path, const std::string& array, const ArraySink& sink);
Status probeHdf5Array(const std::string& path, const std::string& array, const ArraySink& sink);
// Every 3-D or 4-D integer or floating-point dataset of an HDF5 file (empty when it is not one).
std::vector<std::string> listNumericArraysHdf5(const std::string& path);

// The name in `names` that looks most like an image ("raw", "image", "rgb"...; not "label", "gt"...).
std::string mostImageLike(const std::vector<std::string>& names);

// Memory limit for this read (option "max_bytes", else volumeMemoryLimit()).
uint64_t memoryLimitFor(const OpenOptions& opt);
// "1.3 GB" style.
std::string humanBytes(double bytes);

} // namespace nr
