// libFuzzer harness: the NWB readers (nr::readNwbUnits, nr::readNwbTrialData) on a temporary file. The seed
// is a small NWB-shaped HDF5 file written here with the HDF5 C API. The readers do their HDF5 work in a
// child process (io/Hdf5Sandbox.h) with a 3 s wall-time limit here (under libFuzzer's -timeout=10): a file on
// which libhdf5 loops comes back as an error. Coverage of the child is not seen by the fuzzer; the
// validation that follows runs in the process and is. A child that ends without a result and without a
// signal (an AddressSanitizer report in our code, which exits with status 1) is turned into a crash here.
#include "FuzzCommon.h"
#include "io/Hdf5Sandbox.h"
#include "io/Nwb.h"

#include <fstream>
#include <hdf5.h>
#include <iterator>

using namespace nr::fuzz;

namespace {

std::string seedFile() {
    const std::string path = scratchPath("_seed.nwb");
    hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    auto group = [&](const char* p) { H5Gclose(H5Gcreate2(file, p, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)); };
    auto write = [&](const char* p, hid_t type, hsize_t n, const void* d) {
        hid_t sp = H5Screate_simple(1, &n, nullptr);
        hid_t ds = H5Dcreate2(file, p, type, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, d);
        H5Dclose(ds);
        H5Sclose(sp);
    };
    group("/units");
    group("/intervals");
    group("/intervals/trials");
    const int64_t ids[2] = {4, 9};
    const double times[5] = {0.1, 1.2, 1.3, 0.5, 2.05};
    const uint64_t idx[2] = {3, 5};
    write("/units/id", H5T_NATIVE_INT64, 2, ids);
    write("/units/spike_times", H5T_NATIVE_DOUBLE, 5, times);
    write("/units/spike_times_index", H5T_NATIVE_UINT64, 2, idx);
    const double start[2] = {0, 1}, stop[2] = {1, 2};
    write("/intervals/trials/start_time", H5T_NATIVE_DOUBLE, 2, start);
    write("/intervals/trials/stop_time", H5T_NATIVE_DOUBLE, 2, stop);
    const char* stim[2] = {"grating", "dots"};
    hid_t st = H5Tcopy(H5T_C_S1);
    H5Tset_size(st, H5T_VARIABLE);
    write("/intervals/trials/stimulus", st, 2, stim);
    H5Tclose(st);
    H5Fclose(file);
    std::ifstream f(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    unlink(path.c_str());
    return bytes;
}

template <class T> void check(const nr::Result<T>& r) {
    if (!r.ok() && r.error().reason.find("ended without a result") != std::string::npos) {
        std::fprintf(stderr, "%s\n", r.error().str().c_str());
        std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    nr::Hdf5ChildLimits lim;
    lim.seconds = 3;
    lim.memoryBytes = uint64_t(1) << 30;
    nr::setHdf5ChildLimits(lim);
    seedCorpus(*argc, *argv, {{"units_trials", seedFile()}});
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::string path = scratchPath(".nwb");
    writeBytes(path, data, size);
    check(nr::readNwbUnits(path));
    check(nr::readNwbTrialData(path));
    return 0;
}
