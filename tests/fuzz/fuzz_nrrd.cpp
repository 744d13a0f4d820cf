// libFuzzer harness: the NRRD readers (nr::readNrrdVolume for labels, nr::readNrrdImage for intensities) on
// an attached-header .nrrd file, raw and gzip.
#include "FuzzCommon.h"
#include "morph/ImageVolume.h"
#include "morph/LabelVolume.h"

#include <zlib.h>

using namespace nr::fuzz;

namespace {

std::string gzipOf(const std::string& raw) {
    z_stream z{};
    deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    std::string out(raw.size() + 64, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
    z.avail_in = uInt(raw.size());
    z.next_out = reinterpret_cast<Bytef*>(&out[0]);
    z.avail_out = uInt(out.size());
    deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

std::string labels(size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s += char(i % 7 < 3 ? 0 : 1 + i % 3);
    return s;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    limitMemory();
    const std::string head = "NRRD0004\n# labels\ntype: uint8\ndimension: 3\nsizes: 4 4 4\n";
    std::string u16;
    for (int i = 0; i < 27; ++i) u16 += std::string{char(i % 5), 0};
    seedCorpus(
        *argc, *argv,
        {{"raw", head +
                     "space directions: (0.5,0,0) (0,0.5,0) (0,0,1)\nspace units: \"um\" \"um\" \"um\"\n"
                     "encoding: raw\n\n" +
                     labels(64)},
         {"gzip", head + "spacings: 1 1 2\nencoding: gzip\n\n" + gzipOf(labels(64))},
         {"u16 big", "NRRD0005\ntype: unsigned short\ndimension: 3\nsizes: 3 3 3\nendian: big\n"
                     "space origin: (1,2,3)\nencoding: raw\n\n" +
                         u16}});
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::string path = scratchPath(".nrrd");
    writeBytes(path, data, size);
    (void)nr::readNrrdVolume(path);
    (void)nr::readNrrdImage(path);
    return 0;
}
