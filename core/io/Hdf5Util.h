// Helpers for HDF5 files that every reader shares. The HDF5 calls themselves need hdf5Mutex() (Hdf5Lock.h),
// or run in the child of readHdf5InChild (Hdf5Sandbox.h), which holds it.
#pragma once

#include <hdf5.h>
#include <string>

namespace nr {

// The 8-byte HDF5 signature at the start of `head` (the first bytes of a file).
bool isHdf5Head(const std::string& head);
// The same for the file at `path` (false when it cannot be read).
bool isHdf5File(const std::string& path);

// An HDF5 identifier closed with `close` when it goes out of scope.
struct H5Handle {
    hid_t id = -1;
    herr_t (*close)(hid_t) = nullptr;
    H5Handle(hid_t i, herr_t (*c)(hid_t)) : id(i), close(c) {}
    ~H5Handle() {
        if (id >= 0 && close) close(id);
    }
    H5Handle(const H5Handle&) = delete;
    H5Handle& operator=(const H5Handle&) = delete;
    bool ok() const { return id >= 0; }
};

// Silences the HDF5 error stack printing while alive (readers report errors themselves).
struct H5Quiet {
    H5E_auto2_t func = nullptr;
    void* data = nullptr;
    H5Quiet() {
        H5Eget_auto2(H5E_DEFAULT, &func, &data);
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    }
    ~H5Quiet() { H5Eset_auto2(H5E_DEFAULT, func, data); }
    H5Quiet(const H5Quiet&) = delete;
    H5Quiet& operator=(const H5Quiet&) = delete;
};

// True when every component of `path` ("/a/b/c", "a/b" or "/") exists below `loc`, checked one link at a
// time so that a missing group does not raise.
bool h5Exists(hid_t loc, const std::string& path);

} // namespace nr
