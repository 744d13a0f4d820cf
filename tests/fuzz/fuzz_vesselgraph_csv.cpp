// libFuzzer harness: the VesselGraph CSV pair (nr::readVesselCsvPair) on X_nodes.csv and X_edges.csv, cut
// from one input at each "\n--8<--\n" (FuzzCommon.h); the statistics run on every graph read.
#include "FuzzCommon.h"
#include "vessel/VesselFormats.h"
#include "vessel/VesselGraph.h"

using namespace nr::fuzz;

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    limitMemory();
    seedCorpus(
        *argc, *argv,
        {{"strict", joinParts({"id;pos_x;pos_y;pos_z\n0;0;0;0\n1;10;0;0\n2;0;10;5\n",
                               "id;node1id;node2id;length;avgRadiusAvg;minRadiusAvg\n0;0;1;10.5;2.5;1\n"
                               "1;1;2;14.2;3;2\n"})},
         {"attributes", joinParts({"id;pos_x;pos_y;pos_z;degree;isAtSampleBorder\n0;1.5;2;3;1;0\n"
                                   "1;4;5;6;2;1\n",
                                   "id;node1id;node2id;distance;curveness;volume;avgCrossSection\n"
                                   "0;0;1;5.2;1.1;30;4.4\n1;1;1;0;1;0;0\n"})},
         {"crlf", joinParts({"id;pos_x;pos_y;pos_z\r\n0;0;0;0\r\n\r\n1;1;1;1\r\n",
                             "id;node1id;node2id\r\n0;0;1\r\n"})}});
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::string nodes = scratchPath("_nodes.csv"), edges = scratchPath("_edges.csv");
    writeParts(data, size, {nodes, edges});
    auto g = nr::readVesselCsvPair(nodes, edges);
    if (g) (void)nr::vesselStats(g.value());
    return 0;
}
