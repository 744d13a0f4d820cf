// libFuzzer harness: the node-table join (nr::readNodeTable).
#include "FuzzCommon.h"
#include "io/GraphIO.h"

using namespace nr::fuzz;

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    seedCorpus(*argc, *argv,
               {{"xyz", "name,x,y,z,class\nA,1,2,3,E\nB,4,5,6,I\n"},
                {"tsv", "id\tlayer\tlabel\nA\t1\tfoo\nC\t2\tbar\n"}});
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::string path = scratchPath(".csv");
    writeBytes(path, data, size);
    nr::Graph g;
    g.addNode("A");
    g.addNode("B");
    (void)nr::readNodeTable(path, g);
    return 0;
}
