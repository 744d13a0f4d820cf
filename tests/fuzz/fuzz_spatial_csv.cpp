// libFuzzer harness: the generic spatial graph CSV pair (node table id,x,y,z[,radius...] with an edge table
// source,target[,...]) through nr::readVesselCsvPair, cut from one input at each "\n--8<--\n"; the
// statistics run on every graph read.
#include "FuzzCommon.h"
#include "vessel/VesselFormats.h"
#include "vessel/VesselGraph.h"

using namespace nr::fuzz;

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    limitMemory();
    seedCorpus(
        *argc, *argv,
        {{"plain", joinParts({"id,x,y,z,radius\nA,0,0,0,1\nB,1,0,0,2\nC,0,1,1.5,0.5\n",
                              "source,target,radius\nA,B,1\nB,C,0.5\nC,A,2\n"})},
         {"numeric", joinParts({"node_id\tx\ty\tz\n1\t0\t0\t0\n2\t3\t4\t0\n", "source\ttarget\n1\t2\n"})},
         {"quoted", joinParts({"name,x,y,z\n\"n,1\",0,0,0\nn2,1,1,1\n", "from,to\n\"n,1\",n2\n"})}});
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::string nodes = scratchPath("_nodes.csv"), edges = scratchPath("_edges.csv");
    writeParts(data, size, {nodes, edges});
    auto g = nr::readVesselCsvPair(nodes, edges);
    if (g) (void)nr::vesselStats(g.value());
    return 0;
}
