// ImageVolume: the microscopy image a segmentation came from, shown beside its labels.
//
// A 3-D grey volume (z, y, x) or a 4-D volume with a leading or trailing channel axis of 1 or 3 (RGB), as
// found in FISBe's prediction files (`volumes/gmm_image`, 385x685x686x3 uint8) and in NRRD/TIFF/Zarr image
// stacks. Samples are stored interleaved (channel fastest, then x, y, z), in the narrowest of uint8, uint16
// and float32 that holds the file's values exactly (other integer types and float64 become float32).
//
// Read through the same readers as label volumes (Zarr v2, HDF5, NRRD, TIFF): the memory needed is
// estimated from the header and checked against the memory budget before anything is allocated.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "io/ReaderRegistry.h"
#include "model/Error.h"

namespace nr {

struct ImageVolume {
    enum class Sample { U8, U16, F32 };

    std::string file;                // file or folder read
    std::string array;               // path inside a container ("" for plain files)
    std::string axes;                // the array's own axis order: "zyx", "zyxc", "czyx"
    std::vector<uint64_t> fileShape; // shape as stored
    size_t nz = 0, ny = 0, nx = 0;
    int channels = 1; // 1 (grey) or 3 (RGB)
    Sample sample = Sample::U8;
    double voxelSize[3] = {1, 1, 1}; // z, y, x
    double origin[3] = {0, 0, 0};    // z, y, x, in units
    bool voxelSizeKnown = false;     // from the file or the voxel_size option (else 1, and a view may align
                                     // the image with the labels it is shown with)
    std::string unit;
    std::vector<uint8_t> data;         // nz*ny*nx*channels samples, interleaved, native byte order
    double minValue = 0, maxValue = 0; // over all samples
    std::vector<std::string> warnings;

    size_t voxelCount() const { return nz * ny * nx; }
    int sampleBytes() const { return sample == Sample::U8 ? 1 : sample == Sample::U16 ? 2 : 4; }
    // Sample of channel c at a voxel, as a double.
    double value(size_t z, size_t y, size_t x, int c = 0) const;
    // "385x685x686" for grey, "385x685x686x3" for RGB (z x y x x [x channels]).
    std::string shapeString() const;
};

// Options: "array" (path inside a Zarr/HDF5 container; default: the dataset that looks most like an image),
// "channel_axis" (0 or 3 of a 4-D array; default: the first or last axis of size 1 or 3), "voxel_size"
// ("0.44" or "z,y,x"), "unit", "max_bytes" (override the memory limit).
Result<ImageVolume> readZarrImage(const std::string& path, const OpenOptions& opt = {});
Result<ImageVolume> readHdf5Image(const std::string& path, const OpenOptions& opt = {});
Result<ImageVolume> readNrrdImage(const std::string& path, const OpenOptions& opt = {});
Result<ImageVolume> readTiffImage(const std::string& path, const OpenOptions& opt = {});
// Which of these reads a file is the ReaderRegistry's choice: openImageVolume (formats/Open.h).

} // namespace nr
