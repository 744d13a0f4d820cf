// libFuzzer harness: the SWC reader (nr::parseSwc on the bytes, nr::readSwc on a file); morphometrics run on
// every morphology read.
#include "FuzzCommon.h"
#include "morph/Morphology.h"

using namespace nr::fuzz;

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    limitMemory();
    seedCorpus(*argc, *argv,
               {{"neuron", "# comment\n1 1 0 0 0 5 -1\n2 3 10 0 0 1 1\n3 3 20 5 0 0.8 2\n4 3 20 -5 0 0.8 2\n"
                           "5 2 -10 0 0 0.5 1\n"},
                {"three-point soma", "1 1 0 0 0 4 -1\n2 1 0 -4 0 4 1\n3 1 0 4 0 4 1\n4 3 6 0 0 1 1\n"},
                {"out of order", "3 3 2 0 0 1 2\n2 3 1 0 0 1 1\n1 1 0 0 0 1 -1\r\n\r\n10 4 0 3 0 0 -1\n"}});
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::string path = scratchPath(".swc");
    const std::string text(reinterpret_cast<const char*>(data), size);
    auto m = nr::parseSwc(text, "fuzz.swc");
    if (m) (void)nr::computeMorphometrics(m.value(), 1.0, 10.0);
    writeBytes(path, data, size);
    (void)nr::readSwc(path);
    return 0;
}
