// LabelVolume: an instance segmentation of a 3-D image.
//
// Two forms, as found in the field:
// - a label map (3-D array): one label per voxel, 0 is background. Stored densely in the smallest
//   unsigned type that holds the largest label (1, 2, 4 or 8 bytes per voxel), z slowest, x fastest.
// - one channel per instance (4-D array, e.g. FISBe ground truth): instances may overlap. Stored sparsely:
//   for each instance the sorted linear indices (z*ny*nx + y*nx + x) of its voxels.
//
// Readers: Zarr v2 directory stores, HDF5 datasets, NRRD, TIFF stacks (multi-page or a folder of slices).
// Each estimates the memory it needs from the header before allocating and refuses a volume that does not
// fit in half of the physical memory, saying how much it would take.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "io/ReaderRegistry.h"
#include "model/Error.h"

namespace nr {

struct LabelInstance {
    uint64_t label = 0; // value in the label map; channel + 1 for channel volumes
    int channel = -1;   // channel of a one-channel-per-instance volume, -1 for label maps
    uint64_t voxels = 0;
    int64_t lo[3] = {0, 0, 0}, hi[3] = {0, 0, 0}; // bounding box (z, y, x), inclusive
};

// A box of a volume with one byte per voxel (1 inside the instance, 0 outside).
struct InstanceMask {
    int64_t origin[3] = {0, 0,
                         0};     // z, y, x of mask voxel (0,0,0) in the volume (may be negative with padding)
    int64_t dims[3] = {0, 0, 0}; // z, y, x
    std::vector<uint8_t> mask;   // x fastest
};

struct LabelVolume {
    std::string file;                // file or folder read
    std::string array;               // path of the array inside a container ("" for plain files)
    std::string axes;                // the array's own axis order, e.g. "czyx", "zyx", "zyxc"
    std::vector<uint64_t> fileShape; // shape as stored, in that order
    size_t nz = 0, ny = 0, nx = 0;
    double voxelSize[3] = {1, 1, 1}; // z, y, x
    double origin[3] = {0, 0, 0};    // z, y, x, in units
    std::string unit;                // "" when the file does not say
    bool perChannel = false;         // true: one channel per instance

    int bytesPerVoxel = 1; // label map storage
    // Label map, nz*ny*nx values of bytesPerVoxel bytes (little-endian); empty when every voxel is
    // background.
    std::vector<uint8_t> labelData;
    std::vector<std::vector<uint64_t>> instanceVoxels; // perChannel: sorted linear indices per instance

    std::vector<LabelInstance> instances; // ascending label
    uint64_t foregroundVoxels = 0;        // voxels in at least one instance
    uint64_t overlapVoxels = 0;           // voxels in more than one instance
    std::vector<std::string> warnings;

    size_t voxelCount() const { return nz * ny * nx; }
    // Label at a voxel (label maps only).
    uint64_t label(size_t z, size_t y, size_t x) const;
    // "385x685x686" (z x y x x).
    std::string shapeString() const;
    // The instance's voxels in its bounding box grown by `pad` voxels on every side.
    InstanceMask instanceMask(size_t instance, int pad = 1) const;
    // The same into m, reusing m's memory (for meshing many instances on one thread).
    void instanceMask(size_t instance, int pad, InstanceMask& m) const;
};

// Fills instances and foregroundVoxels of a label map from labelData (for volumes built in memory).
void computeInstances(LabelVolume& v);

// Refuse-above limit in bytes: half the physical memory.
uint64_t volumeMemoryLimit();

// Options read from OpenOptions: "array" (path inside a Zarr/HDF5 container), "channel_axis" (0..3 of a
// 4-D array; default: the first or last axis, whichever is smaller), "voxel_size" ("0.44" or "z,y,x"),
// "unit", "max_bytes" (override the memory limit).
Result<LabelVolume> readZarrVolume(const std::string& path, const OpenOptions& opt = {});
Result<LabelVolume> readHdf5Volume(const std::string& path, const OpenOptions& opt = {});
Result<LabelVolume> readNrrdVolume(const std::string& path, const OpenOptions& opt = {});
// A multi-page TIFF file or a folder of single-page slices (sorted by name).
Result<LabelVolume> readTiffVolume(const std::string& path, const OpenOptions& opt = {});
// Which of these reads a file is the ReaderRegistry's choice: openLabelVolume (formats/Open.h).

// Names of the arrays in a Zarr store or HDF5 file that could be label volumes ("volumes/gt_instances").
std::vector<std::string> listVolumeArrays(const std::string& path);

} // namespace nr
