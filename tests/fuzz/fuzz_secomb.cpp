// libFuzzer harness: Secomb's network.dat reader (nr::readSecombNetwork); the statistics run on every graph
// read.
#include "FuzzCommon.h"
#include "vessel/VesselFormats.h"
#include "vessel/VesselGraph.h"

using namespace nr::fuzz;

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    limitMemory();
    const std::string head = "Network\n100 100 100 box size\n10 10 10 tissue grid\n50 outer bound\n"
                             "10 max segment length\n30 max segments per node\n";
    seedCorpus(*argc, *argv,
               {{"network", head + "3 total number of segments\nname type from to diam flow hd\n"
                                   "1 3 10 11 5.5 1.2 0.4\n2 3 11 12 4 -0.5 0.45\n3 5 12 10 6 0 0\n"
                                   "3 number of nodes\nname x y z\n10 0 0 0\n11 20 0 0\n12 20 15 3\n"
                                   "2 number of boundary nodes\nname bctyp press/flow HD PO2\n"
                                   "10 0 80 0.4 100\n12 2 1.5 0.4 90\n"},
                {"tabs crlf", "\xEF\xBB\xBFnet\r\n1\t1\t1\r\n2\t2\t2\r\n3\r\n4\r\n5\r\n"
                              "1\ttotal number of segments\r\nname\ttype\r\n0\t1\t0\t1\t2\t3\t0.4\r\n"
                              "2\tnumber of nodes\r\nname x y z\r\n0\t0\t0\t0\r\n1\t1\t1\t1\r\n"}});
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::string path = scratchPath(".dat");
    writeBytes(path, data, size);
    auto g = nr::readSecombNetwork(path);
    if (g) (void)nr::vesselStats(g.value());
    return 0;
}
