#include "morph/VolumeArrays.h"

#include <algorithm>

#include "io/Hdf5Util.h"
#include "morph/Codecs.h"
#include "morph/VolumeSource.h"

namespace nr {

std::vector<std::string> listVolumeArraysZarr(const std::string& path);

namespace {

bool isZarrStore(const std::string& p) {
    return isDirectory(p) && (fileExists(p + "/.zgroup") || fileExists(p + "/.zarray"));
}

// An HDF5 file by its signature, whatever it is called (.h5, .hdf5, .mat v7.3, .nwb...).
bool isHdf5Container(const std::string& p) {
    return !isDirectory(p) && isHdf5File(p);
}

std::string dtypeOf(const ArraySource& s) {
    return std::string(s.isFloat ? "f" : s.isSigned ? "i" : "u") + std::to_string(s.dtypeBytes);
}

} // namespace

std::string VolumeArrayInfo::shapeString() const {
    std::string s;
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? "x" : "") + std::to_string(shape[i]);
    return s;
}

bool isVolumeContainer(const std::string& path) {
    return isZarrStore(path) || isHdf5Container(path);
}

Result<std::vector<VolumeArrayInfo>> listVolumeArrayInfo(const std::string& pathIn) {
    std::string path = pathIn;
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    const bool zarr = isZarrStore(path);
    if (!zarr && !isDirectory(path) && !fileExists(path)) return Error{path, 0, "cannot open: no such file"};
    if (!zarr && !isHdf5Container(path))
        return Error{path, 0, "not a Zarr v2 store or an HDF5 file (no HDF5 signature)"};
    std::vector<std::string> names = zarr ? listVolumeArraysZarr(path) : listNumericArraysHdf5(path);
    std::sort(names.begin(), names.end());
    std::vector<VolumeArrayInfo> out;
    for (const auto& name : names) {
        VolumeArrayInfo info;
        info.path = name;
        const Status s = (zarr ? probeZarrArray : probeHdf5Array)(path, name, [&](ArraySource& src) {
            info.shape = src.shape;
            info.dtype = dtypeOf(src);
            info.haveVoxelSize = src.haveVoxelSize;
            for (int k = 0; k < 3; ++k) info.voxelSize[k] = src.voxelSize[k];
            info.unit = src.unit;
            const std::string n = name.empty() ? baseName(path) : name;
            info.looksLikeImage = src.isFloat || mostImageLike({"", n}) == n;
        });
        // Arrays the readers cannot take (an unknown codec or dtype, 1-D or 5-D) are not offered.
        if (s || info.shape.size() < 3 || info.shape.size() > 4) continue;
        out.push_back(std::move(info));
    }
    return out;
}

} // namespace nr
