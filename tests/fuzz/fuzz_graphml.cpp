// libFuzzer harness: the GraphML reader (nr::readGraphML).
#include "FuzzCommon.h"
#include "io/GraphIO.h"

using namespace nr::fuzz;

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    seedCorpus(*argc, *argv,
               {{"small", "<?xml version=\"1.0\"?>\n<graphml><key id=\"w\" for=\"edge\" attr.name=\"weight\" "
                          "attr.type=\"double\"><default>1</default></key><key id=\"x\" for=\"node\" "
                          "attr.name=\"x\" attr.type=\"float\"/><graph edgedefault=\"directed\"><node "
                          "id=\"a\"><data key=\"x\">1.5</data></node><node id=\"b\"/><edge source=\"a\" "
                          "target=\"b\"><data key=\"w\">2</data></edge></graph></graphml>\n"},
                {"entities", "<graphml><graph edgedefault=\"undirected\"><node id=\"a&amp;b\"/><node "
                             "id=\"&#65;\"/><edge source=\"a&amp;b\" target=\"A\"/></graph></graphml>"}});
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::string path = scratchPath(".graphml");
    writeBytes(path, data, size);
    (void)nr::readGraphML(path);
    return 0;
}
