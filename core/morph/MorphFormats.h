// Readers of segmented neurons, registered in the ReaderRegistry:
//   SWC files (.swc) and folders of SWC files -> LayerKind::Morphologies, payload
//     std::shared_ptr<const nr::MorphologySet>, summary "neurons=K nodes=N";
//   label volumes (Zarr v2 folders, .h5/.hdf/.hdf5, .nrrd/.nhdr, .tif/.tiff and folders of TIFF slices)
//     -> LayerKind::LabelVolume, payload std::shared_ptr<const nr::LabelVolume>,
//     summary "volume instances=K shape=ZxYxX";
//   the same files read as an image (the microscopy volume the labels came from) -> LayerKind::Image, payload
//     std::shared_ptr<const nr::ImageVolume>, summary "image shape=ZxYxX[xC]". A file is an image when the
//     option "as" is "image", or when the array's name (else the file's name) looks like one ("image", "raw",
//     "rgb"... and not "label", "gt", "seg"...): e.g. `pred.hdf:/volumes/gmm_image`.
// OpenOptions understood: "unit_scale" (SWC), "array", "as" (image or labels), "channel_axis", "voxel_size",
// "unit", "max_bytes" (volumes).
#pragma once

#include "io/ReaderRegistry.h"

namespace nr {

void registerMorphReaders(ReaderRegistry& r);

} // namespace nr
