// Readers of segmented neurons, registered in the ReaderRegistry:
//   SWC files (.swc) and folders of SWC files -> LayerKind::Morphologies, payload
//     std::shared_ptr<const nr::MorphologySet>, summary "neurons=K nodes=N";
//   label volumes (Zarr v2 folders, .h5/.hdf/.hdf5, .nrrd/.nhdr, .tif/.tiff and folders of TIFF slices)
//     -> LayerKind::LabelVolume, payload std::shared_ptr<const nr::LabelVolume>,
//     summary "volume instances=K shape=ZxYxX".
// OpenOptions understood: "unit_scale" (SWC), "array", "channel_axis", "voxel_size", "unit", "max_bytes"
// (volumes).
#pragma once

#include "io/ReaderRegistry.h"

namespace nr {

void registerMorphReaders(ReaderRegistry& r);

} // namespace nr
