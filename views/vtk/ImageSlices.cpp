#include "vtk/ImageSlices.h"

#include <algorithm>
#include <vtkFloatArray.h>
#include <vtkImageData.h>
#include <vtkImageProperty.h>
#include <vtkImageSlice.h>
#include <vtkImageSliceMapper.h>
#include <vtkPointData.h>
#include <vtkRenderer.h>
#include <vtkUnsignedCharArray.h>
#include <vtkUnsignedShortArray.h>

namespace {

// vtkImageSliceMapper orientation (0 = I/x normal, 1 = J/y, 2 = K/z) of our axis (0 = z, 1 = y, 2 = x).
int orientationOf(int axis) {
    return 2 - axis;
}

} // namespace

ImageSlices::ImageSlices(vtkRenderer* renderer) : ren_(renderer) {
    for (int a = 0; a < 3; ++a) {
        mapper_[a] = vtkSmartPointer<vtkImageSliceMapper>::New();
        mapper_[a]->SetOrientation(orientationOf(a));
        slice_[a] = vtkSmartPointer<vtkImageSlice>::New();
        slice_[a]->SetMapper(mapper_[a]);
        slice_[a]->PickableOff();
        slice_[a]->GetProperty()->SetInterpolationTypeToLinear();
    }
}

ImageSlices::~ImageSlices() {
    setImage(nullptr);
}

vtkImageSlice* ImageSlices::actor(int axis) const {
    return slice_[axis];
}
vtkImageData* ImageSlices::data() const {
    return data_;
}

long ImageSlices::sliceCount(int axis) const {
    if (!image_) return 0;
    return long(axis == 0 ? image_->nz : axis == 1 ? image_->ny : image_->nx);
}

void ImageSlices::setImage(std::shared_ptr<const nr::ImageVolume> image, const double* frameVoxelSize,
                           const double* frameOrigin) {
    for (int a = 0; a < 3; ++a) ren_->RemoveViewProp(slice_[a]);
    for (int a = 0; a < 3; ++a) mapper_[a]->SetInputData(nullptr);
    data_ = nullptr;
    image_ = std::move(image);
    if (!image_ || image_->voxelCount() == 0) {
        image_.reset();
        return;
    }
    const nr::ImageVolume& v = *image_;
    const double* vs = v.voxelSize;
    const double* org = v.origin;
    if (!v.voxelSizeKnown && frameVoxelSize) {
        vs = frameVoxelSize;
        if (frameOrigin) org = frameOrigin;
    }
    for (int k = 0; k < 3; ++k) spacing_[k] = vs[2 - k], origin_[k] = org[2 - k];
    data_ = vtkSmartPointer<vtkImageData>::New();
    data_->SetDimensions(int(v.nx), int(v.ny), int(v.nz));
    data_->SetSpacing(spacing_);
    data_->SetOrigin(origin_);
    const vtkIdType n = vtkIdType(v.voxelCount());
    // No copy: VTK reads the volume's own samples (save = 1: VTK never frees them; we keep image_ alive).
    vtkSmartPointer<vtkDataArray> arr;
    void* raw = const_cast<uint8_t*>(v.data.data());
    switch (v.sample) {
    case nr::ImageVolume::Sample::U8: {
        auto a = vtkSmartPointer<vtkUnsignedCharArray>::New();
        a->SetNumberOfComponents(v.channels);
        a->SetArray(static_cast<unsigned char*>(raw), n * v.channels, 1);
        arr = a;
        break;
    }
    case nr::ImageVolume::Sample::U16: {
        auto a = vtkSmartPointer<vtkUnsignedShortArray>::New();
        a->SetNumberOfComponents(v.channels);
        a->SetArray(static_cast<unsigned short*>(raw), n * v.channels, 1);
        arr = a;
        break;
    }
    case nr::ImageVolume::Sample::F32: {
        auto a = vtkSmartPointer<vtkFloatArray>::New();
        a->SetNumberOfComponents(v.channels);
        a->SetArray(static_cast<float*>(raw), n * v.channels, 1);
        arr = a;
        break;
    }
    }
    arr->SetName("image");
    data_->GetPointData()->SetScalars(arr);
    // Grey ramp / colour window: 8-bit RGB as stored, otherwise the volume's range.
    double lo = v.minValue, hi = v.maxValue;
    if (v.channels == 3 && v.sample == nr::ImageVolume::Sample::U8) lo = 0, hi = 255;
    if (!(hi > lo)) hi = lo + 1;
    for (int a = 0; a < 3; ++a) {
        mapper_[a]->SetInputData(data_);
        vtkImageProperty* p = slice_[a]->GetProperty();
        p->SetColorWindow(hi - lo);
        p->SetColorLevel(0.5 * (hi + lo));
        index_[a] = sliceCount(a) / 2;
        ren_->AddViewProp(slice_[a]);
    }
    apply();
}

void ImageSlices::setSlice(int axis, long index) {
    if (axis < 0 || axis > 2) return;
    index_[axis] = std::clamp(index, 0L, std::max(0L, sliceCount(axis) - 1));
    apply();
}

void ImageSlices::setSliceVisible(int axis, bool visible) {
    if (axis < 0 || axis > 2) return;
    visible_[axis] = visible;
    apply();
}

void ImageSlices::setOpacity(double opacity) {
    opacity_ = std::clamp(opacity, 0.0, 1.0);
    apply();
}

void ImageSlices::apply() {
    for (int a = 0; a < 3; ++a) {
        mapper_[a]->SetSliceNumber(int(index_[a]));
        slice_[a]->GetProperty()->SetOpacity(opacity_);
        slice_[a]->SetVisibility(image_ && visible_[a] && opacity_ > 0);
    }
}
