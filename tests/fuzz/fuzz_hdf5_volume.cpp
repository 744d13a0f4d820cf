// libFuzzer harness: the HDF5 volume readers (nr::readHdf5Volume for labels, nr::readHdf5Image for
// intensities). Seeds are 3-D datasets written with the HDF5 C API (contiguous, and chunked with gzip).
// libhdf5 runs in the readers' child processes (io/Hdf5Sandbox.h), with a short wall-time limit here; a
// crash there is an error for the reader (under ASan the child's report and artifact still appear).
#include "FuzzCommon.h"
#include "morph/ImageVolume.h"
#include "morph/LabelVolume.h"

#include "io/Hdf5Sandbox.h"

#include <hdf5.h>

using namespace nr::fuzz;

namespace {

std::string seed(bool chunked, hid_t type) {
    const std::string path = scratchPath("_seed.h5");
    hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    const hsize_t dims[3] = {4, 6, 5}, chunk[3] = {2, 3, 5};
    hid_t sp = H5Screate_simple(3, dims, nullptr);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (chunked) {
        H5Pset_chunk(dcpl, 3, chunk);
        H5Pset_deflate(dcpl, 4);
    }
    hid_t g = H5Gcreate2(file, "/volumes", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Gclose(g);
    hid_t ds = H5Dcreate2(file, "/volumes/labels", type, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    uint32_t v[120];
    for (int i = 0; i < 120; ++i) v[i] = uint32_t(i % 9 < 4 ? 0 : 1 + (i / 30));
    H5Dwrite(ds, H5T_NATIVE_UINT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
    const double res[3] = {1, 0.5, 0.5};
    const hsize_t three = 3;
    hid_t as = H5Screate_simple(1, &three, nullptr);
    hid_t at = H5Acreate2(ds, "resolution", H5T_NATIVE_DOUBLE, as, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(at, H5T_NATIVE_DOUBLE, res);
    H5Aclose(at);
    H5Sclose(as);
    H5Dclose(ds);
    H5Pclose(dcpl);
    H5Sclose(sp);
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
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    seedCorpus(*argc, *argv,
               {{"u32 contiguous", seed(false, H5T_STD_U32LE)},
                {"u8 gzip chunks", seed(true, H5T_STD_U8LE)},
                {"u16be", seed(false, H5T_STD_U16BE)}});
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::string path = scratchPath(".h5");
    writeBytes(path, data, size);
    (void)nr::readHdf5Volume(path);
    (void)nr::readHdf5Image(path);
    return 0;
}
