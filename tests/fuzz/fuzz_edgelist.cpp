// libFuzzer harness: the edge-list reader (nr::readEdgeList).
#include "FuzzCommon.h"
#include "io/GraphIO.h"

using namespace nr::fuzz;

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    seedCorpus(*argc, *argv,
               {{"plain", "source,target,weight\nA,B,1\nB,C,2.5\n"},
                {"typed", "pre;post;type;weight\nAVAL;AVAR;chemical;3\nAVAR;AVAL;electrical;1\n"},
                {"headerless", "1 2\n2 3\n3 1\n"},
                {"quoted", "from,to,w\n\"a,b\",c,1e-3\n"}});
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::string path = scratchPath(".csv");
    writeBytes(path, data, size);
    (void)nr::readEdgeList(path);
    return 0;
}
