// ImageSlices: an nr::ImageVolume drawn as three orthogonal slices (vtkImageSlice + vtkImageSliceMapper), in
// the world frame of the label surfaces (x, y, z = voxel index times voxel size plus origin).
//
// The image's voxels are handed to VTK without a copy (the view keeps the volume alive). RGB images are drawn
// in their own colours (window 0..255 for 8-bit samples, else the volume's range); grey images through a
// grey ramp over the volume's range. The planes are not pickable, so picking still finds the surfaces.
#pragma once

#include <memory>
#include <vtkNew.h>
#include <vtkSmartPointer.h>

#include "morph/ImageVolume.h"

class vtkImageData;
class vtkImageSlice;
class vtkImageSliceMapper;
class vtkRenderer;

class ImageSlices {
public:
    explicit ImageSlices(vtkRenderer* renderer);
    ~ImageSlices();
    ImageSlices(const ImageSlices&) = delete;
    ImageSlices& operator=(const ImageSlices&) = delete;

    // Shows `image` (nullptr removes the slices); each slice starts at the middle of its axis. When the image
    // has no voxel size of its own and `frameVoxelSize` / `frameOrigin` (z, y, x) are given (the label
    // volume shown with it, of the same shape), the image takes that frame.
    void setImage(std::shared_ptr<const nr::ImageVolume> image, const double* frameVoxelSize = nullptr,
                  const double* frameOrigin = nullptr);
    const std::shared_ptr<const nr::ImageVolume>& image() const { return image_; }

    // Axis 0 = z (the x-y plane at z = index), 1 = y, 2 = x; index in voxels, clamped to the image.
    void setSlice(int axis, long index);
    long slice(int axis) const { return index_[axis]; }
    long sliceCount(int axis) const;
    void setSliceVisible(int axis, bool visible);
    bool sliceVisible(int axis) const { return visible_[axis]; }
    // Opacity of the three planes, 0..1.
    void setOpacity(double opacity);
    double opacity() const { return opacity_; }

    vtkImageSlice* actor(int axis) const;
    vtkImageData* data() const;
    // World spacing and origin used (x, y, z).
    const double* spacing() const { return spacing_; }
    const double* origin() const { return origin_; }

private:
    void apply();

    vtkRenderer* ren_;
    std::shared_ptr<const nr::ImageVolume> image_;
    vtkSmartPointer<vtkImageData> data_;
    vtkSmartPointer<vtkImageSliceMapper> mapper_[3];
    vtkSmartPointer<vtkImageSlice> slice_[3];
    long index_[3] = {0, 0, 0};
    bool visible_[3] = {true, true, true};
    double opacity_ = 0.6;
    double spacing_[3] = {1, 1, 1}, origin_[3] = {0, 0, 0};
};
