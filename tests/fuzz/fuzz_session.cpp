// libFuzzer harness: the session reader (nr::parseSession on the bytes, nr::readSession on a file).
#include "FuzzCommon.h"
#include "session/Session.h"

using namespace nr::fuzz;

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    limitMemory();
    seedCorpus(
        *argc, *argv,
        {{"demo", "{\"format\": \"neurorama-session\", \"version\": 1, \"files\": [], \"colorBy\": "
                  "\"degree\",\n \"edgeFilter\": {\"minWeight\": 0, \"maxWeight\": 10, \"typeVisible\": "
                  "{\"chemical\": true, \"electrical\": false}},\n \"camera\": {\"position\": [0, 0, 10], "
                  "\"focalPoint\": [0, 0, 0], \"viewUp\": [0, 1, 0], \"viewAngle\": 30}}\n"},
         {"escapes", "{\"format\": \"neurorama-session\", \"version\": 1, \"files\": [\"a\\u00e9\\n.csv\"], "
                     "\"colorBy\": \"\\\"x\\\"\"}"},
         {"numbers", "{\"format\":\"neurorama-session\",\"version\":1,\"files\":[],\"edgeFilter\":"
                     "{\"minWeight\":-1e308,\"maxWeight\":1.5E+3}}"},
         {"v2",
          "{\"format\": \"neurorama-session\", \"version\": 2, \"layers\": [{\"id\": 1, \"kind\": \"graph\", "
          "\"files\": [{\"path\": \"g.csv\", \"size\": 12, \"hash\": \"0123456789abcdef\", \"options\": "
          "{\"as\": \"graph\"}}], \"display\": {\"opacity\": 0.5}, \"state\": {\"x\": [1, 2]}}, {\"id\": 2, "
          "\"kind\": \"spikes\", \"owner\": 1}], \"selected\": 2, \"cameras\": {\"connectome\": "
          "{\"position\": [0, 0, 10], \"focalPoint\": [0, 0, 0], \"viewUp\": [0, 1, 0]}}}"}});
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::string path = scratchPath(".json");
    (void)nr::parseSession(std::string(reinterpret_cast<const char*>(data), size), path);
    writeBytes(path, data, size);
    (void)nr::readSession(path);
    return 0;
}
