// libFuzzer harness: the NPY trace reader (nr::readTracesNpy: time x neurons), and the correlation matrix of
// what it reads.
#include "FuzzCommon.h"
#include "traces/TraceAnalysis.h"
#include "traces/TraceFormats.h"

using namespace nr::fuzz;

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    limitMemory();
    std::string f4;
    for (float v : {1.f, 2.f, 0.5f, 3.f, 2.f, 1.f, 0.f, 4.f, 1.f})
        f4.append(reinterpret_cast<const char*>(&v), 4);
    std::string i2;
    for (int16_t v : {1, 2, 3, 4, 6, 5, 7, 9}) i2.append(reinterpret_cast<const char*>(&v), 2);
    seedCorpus(*argc, *argv,
               {{"f8", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }",
                           f8({1, 0.5, 2, 0.25, 3, 1}))},
                {"f4", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 3), }", f4)},
                {"fortran i2", npy("{'descr': '<i2', 'fortran_order': True, 'shape': (4, 2), }", i2)}});
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::string path = scratchPath(".npy");
    writeBytes(path, data, size);
    auto t = nr::readTracesNpy(path);
    if (t && t.value().neurons() <= 64) (void)nr::correlationMatrix(t.value());
    return 0;
}
