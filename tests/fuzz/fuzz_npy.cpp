// libFuzzer harness: the NPY module and the spike reader on NPY (nr::npy::parse, nr::readSpikes).
#include "FuzzCommon.h"
#include "io/Npy.h"
#include "io/SpikeIO.h"

using namespace nr::fuzz;

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    seedCorpus(
        *argc, *argv,
        {{"f8", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", f8({1, 0.5, 2, 0.25}))},
         {"structured",
          npy("{'descr': [('unit', '<f8'), ('time', '<f8')], 'fortran_order': False, 'shape': (1,), }",
              f8({3, 0.5}))},
         {"fortran",
          npy("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", f8({1, 2, 0, 1, 0.5, 0.25}))}});
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::string path = scratchPath(".npy");
    writeBytes(path, data, size);
    (void)nr::npy::parse(std::string(reinterpret_cast<const char*>(data), size), "fuzz.npy");
    (void)nr::readSpikesNpy(path);
    return 0;
}
