// libFuzzer harness: the spike reader on CSV (nr::readSpikes).
#include "FuzzCommon.h"
#include "io/SpikeIO.h"

using namespace nr::fuzz;

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    seedCorpus(*argc, *argv,
               {{"plain", "unit,time_s\n6,0.030333\n191,0.1\n6,0.2019\n"},
                {"trials", "unit,trial,time_s\n5,0,0.3\n7,0,0.1\n5,1,0.05\n"},
                {"labels", "neuron\tt\tlabel\n1\t0.5\tpyr\n2\t0.25\tint\n"}});
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::string path = scratchPath(".csv");
    writeBytes(path, data, size);
    (void)nr::readSpikesCsv(path);
    return 0;
}
