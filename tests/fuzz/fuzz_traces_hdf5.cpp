// libFuzzer harness: the HDF5 trace reader (nr::readTracesHdf5). It does its HDF5 work in a child process
// (io/Hdf5Sandbox.h), here with a 3 s limit; the validation of what the child sends back runs in this
// process and is what the fuzzer sees. A child that ends without a result and without a signal (an
// AddressSanitizer report in our code) is turned into a crash here.
#include "FuzzCommon.h"
#include "io/Hdf5Sandbox.h"
#include "traces/TraceFormats.h"

#include <hdf5.h>

using namespace nr::fuzz;

namespace {

std::string seedFile(bool withTime) {
    const std::string path = scratchPath("_seed.h5");
    hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    auto write = [&](const char* p, hsize_t d0, hsize_t d1, int rank, const double* v) {
        const hsize_t dims[2] = {d0, d1};
        hid_t sp = H5Screate_simple(rank, dims, nullptr);
        hid_t ds = H5Dcreate2(file, p, H5T_NATIVE_DOUBLE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
        H5Dclose(ds);
        H5Sclose(sp);
    };
    double v[12];
    for (int i = 0; i < 12; ++i) v[i] = 0.1 * double((i * 7) % 5);
    write("/traces", 4, 3, 2, v);
    if (withTime) {
        const double t[4] = {0, 0.5, 1, 1.5};
        write("/time", 4, 1, 1, t);
    }
    H5Fclose(file);
    return slurpAndRemove(path);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    limitMemory();
    nr::Hdf5ChildLimits lim;
    lim.seconds = 3;
    lim.memoryBytes = uint64_t(1) << 30;
    nr::setHdf5ChildLimits(lim);
    seedCorpus(*argc, *argv, {{"traces_time", seedFile(true)}, {"traces", seedFile(false)}});
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::string path = scratchPath(".h5");
    writeBytes(path, data, size);
    auto t = nr::readTracesHdf5(path);
    if (!t.ok() && t.error().reason.find("ended without a result") != std::string::npos) {
        std::fprintf(stderr, "%s\n", t.error().str().c_str());
        std::abort();
    }
    return 0;
}
