// The arrays a volume container holds, described from its metadata alone (no voxel data is read): what the
// Open Volume dialog lists so a user can pick the labels and the image inside a Zarr store or an HDF5 file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/Error.h"

namespace nr {

struct VolumeArrayInfo {
    std::string path; // inside the container ("volumes/gt_instances"); "" when the store is one array
    std::vector<uint64_t> shape; // as stored
    std::string dtype;           // numpy style: "u1", "i4", "f4"
    bool looksLikeImage = false; // the name says image ("image", "raw", "rgb"...) or the samples are floats
    bool haveVoxelSize = false;  // the metadata gives a voxel size (else voxelSize is 1, 1, 1)
    double voxelSize[3] = {1, 1, 1}; // z, y, x
    std::string unit;                // "" when the metadata does not say
    // "385x685x686x3".
    std::string shapeString() const;
};

// Whether `path` is a container whose arrays listVolumeArrayInfo() lists: a Zarr v2 directory store or an
// HDF5 file (.h5, .hdf, .hdf5).
bool isVolumeContainer(const std::string& path);

// The 3-D and 4-D numeric arrays of a Zarr v2 store (every array under the directory) or an HDF5 file (every
// dataset of rank 3 or 4), in name order. An error names the file when it cannot be read as either.
Result<std::vector<VolumeArrayInfo>> listVolumeArrayInfo(const std::string& path);

} // namespace nr
