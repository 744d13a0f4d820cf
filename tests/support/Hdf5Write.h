// HDF5 fixtures written in code: float64 datasets (intermediate groups created), variable-length string
// datasets, string/double/object-reference attributes and groups.
#pragma once

#include <hdf5.h>
#include <string>
#include <vector>

namespace nrtest {

inline void h5Write(hid_t loc, const std::string& path, const std::vector<double>& v,
                    std::vector<hsize_t> dims) {
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    hid_t sp = H5Screate_simple(int(dims.size()), dims.data(), nullptr);
    hid_t ds = H5Dcreate2(loc, path.c_str(), H5T_IEEE_F64LE, sp, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
    H5Dclose(ds);
    H5Sclose(sp);
    H5Pclose(lcpl);
}
inline void h5WriteStrings(hid_t loc, const std::string& path, const std::vector<std::string>& s) {
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    hsize_t n = s.size();
    hid_t sp = H5Screate_simple(1, &n, nullptr);
    hid_t ty = H5Tcopy(H5T_C_S1);
    H5Tset_size(ty, H5T_VARIABLE);
    std::vector<const char*> p;
    for (const auto& x : s) p.push_back(x.c_str());
    hid_t ds = H5Dcreate2(loc, path.c_str(), ty, sp, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(ds, ty, H5S_ALL, H5S_ALL, H5P_DEFAULT, p.data());
    H5Dclose(ds);
    H5Tclose(ty);
    H5Sclose(sp);
    H5Pclose(lcpl);
}
inline void h5AttrString(hid_t loc, const std::string& obj, const char* name, const std::string& value) {
    hid_t ty = H5Tcopy(H5T_C_S1);
    H5Tset_size(ty, value.size() + 1);
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate_by_name(loc, obj.c_str(), name, ty, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, ty, value.c_str());
    H5Aclose(a);
    H5Sclose(sp);
    H5Tclose(ty);
}
inline void h5AttrRef(hid_t file, const std::string& obj, const char* name, const std::string& target) {
    hobj_ref_t ref;
    H5Rcreate(&ref, file, target.c_str(), H5R_OBJECT, -1);
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate_by_name(file, obj.c_str(), name, H5T_STD_REF_OBJ, sp, H5P_DEFAULT, H5P_DEFAULT,
                                H5P_DEFAULT);
    H5Awrite(a, H5T_STD_REF_OBJ, &ref);
    H5Aclose(a);
    H5Sclose(sp);
}
inline void h5AttrDouble(hid_t loc, const std::string& obj, const char* name, double v) {
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a =
        H5Acreate_by_name(loc, obj.c_str(), name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, H5T_NATIVE_DOUBLE, &v);
    H5Aclose(a);
    H5Sclose(sp);
}
inline void h5Group(hid_t file, const std::string& path) {
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    H5Gclose(H5Gcreate2(file, path.c_str(), lcpl, H5P_DEFAULT, H5P_DEFAULT));
    H5Pclose(lcpl);
}

} // namespace nrtest
