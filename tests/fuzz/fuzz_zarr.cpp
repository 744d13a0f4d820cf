// libFuzzer harness: the Zarr v2 readers (nr::readZarrVolume for labels, nr::readZarrImage for intensities)
// on a directory store cut from one input at each "\n--8<--\n" (FuzzCommon.h): .zarray, .zattrs, then the
// chunks 0.0.0, 0.0.1, 0.1.0 and 1.0.0.
#include "FuzzCommon.h"
#include "morph/ImageVolume.h"
#include "morph/LabelVolume.h"

#include <zlib.h>

using namespace nr::fuzz;

namespace {

const char* const kFiles[] = {".zarray", ".zattrs", "0.0.0", "0.0.1", "0.1.0", "1.0.0"};

std::string zarray(const std::string& dtype, const std::string& compressor) {
    return "{\"zarr_format\": 2, \"shape\": [2, 4, 4], \"chunks\": [1, 2, 4], \"dtype\": \"" + dtype +
           "\", \"compressor\": " + compressor + ", \"fill_value\": 0, \"order\": \"C\", \"filters\": null}";
}

std::string chunkU2(int k) {
    std::string s;
    for (int i = 0; i < 8; ++i) s += std::string{char((i + k) % 3), 0};
    return s;
}

std::string zlibOf(const std::string& raw) {
    uLongf n = compressBound(uLong(raw.size()));
    std::string out(n, '\0');
    compress2(reinterpret_cast<Bytef*>(&out[0]), &n, reinterpret_cast<const Bytef*>(raw.data()),
              uLong(raw.size()), 6);
    out.resize(n);
    return out;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    limitMemory();
    seedCorpus(
        *argc, *argv,
        {{"raw u2", joinParts({zarray("<u2", "null"), "{\"resolution\": [1, 0.5, 0.5]}", chunkU2(0),
                               chunkU2(1), chunkU2(2), chunkU2(3)})},
         {"zlib u2", joinParts({zarray("<u2", "{\"id\": \"zlib\", \"level\": 1}"), "{}", zlibOf(chunkU2(0)),
                                zlibOf(chunkU2(1))})},
         {"u1 missing chunks", joinParts({"{\"zarr_format\": 2, \"shape\": [2, 4, 4], \"chunks\": [2, 4, "
                                          "4], \"dtype\": \"|u1\", \"compressor\": null, \"fill_value\": "
                                          "3, \"order\": \"F\", \"filters\": null}"})}});
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::string dir = scratchPath(".zarr");
    mkdir(dir.c_str(), 0755);
    const auto parts = splitParts(data, size, sizeof kFiles / sizeof *kFiles);
    for (size_t i = 0; i < sizeof kFiles / sizeof *kFiles; ++i) {
        const std::string p = dir + "/" + kFiles[i];
        if (i < parts.size())
            writeText(p, parts[i]);
        else
            unlink(p.c_str());
    }
    (void)nr::readZarrVolume(dir);
    (void)nr::readZarrImage(dir);
    return 0;
}
