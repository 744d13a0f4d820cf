// The one lock around every HDF5 call in the process.
//
// Debian's libhdf5 is built without thread safety: two threads inside the library at once corrupt its
// global state. Every reader that calls HDF5 (NWB units and trials, trace HDF5/NWB files, HDF5 label and
// image volumes) holds this mutex for the whole time it has HDF5 objects open, from H5Fopen to the last
// H5*close. It is a plain (non-recursive) mutex: take it once, at the reader's entry point.
#pragma once

#include <mutex>

namespace nr {

std::mutex& hdf5Mutex();

// RAII: holds hdf5Mutex() while alive.
using Hdf5Guard = std::lock_guard<std::mutex>;

} // namespace nr
