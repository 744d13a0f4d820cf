// libFuzzer harness: the GML reader (nr::readGml).
#include "FuzzCommon.h"
#include "io/GraphIO.h"

using namespace nr::fuzz;

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    seedCorpus(*argc, *argv,
               {{"small", "graph [ directed 1 node [ id 1 label \"a\" graphics [ x 1.0 y 2.0 ] ] node [ id 2 "
                          "] edge [ source 1 target 2 weight 0.5 ] ]"},
                {"comments", "# c\ngraph [\n node [ id \"n1\" class \"E\" ]\n node [ id \"n2\" ]\n edge [ "
                             "source \"n1\" target \"n2\" type \"electrical\" ]\n]\n"}});
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::string path = scratchPath(".gml");
    writeBytes(path, data, size);
    (void)nr::readGml(path);
    return 0;
}
