// libFuzzer harness: the TIFF readers (nr::readTiffVolume for labels, nr::readTiffImage for intensities) on a
// multi-page file. Seeds are written with libtiff.
#include "FuzzCommon.h"
#include "morph/ImageVolume.h"
#include "morph/LabelVolume.h"

#include <tiffio.h>
#include <vector>

using namespace nr::fuzz;

namespace {

void quiet(const char*, const char*, va_list) {}

std::string seed(int bits, int pages, uint16_t compression, bool tiled) {
    const std::string path = scratchPath("_seed.tif");
    TIFF* t = TIFFOpen(path.c_str(), "w");
    const uint32_t w = 16, h = 8;
    for (int p = 0; p < pages; ++p) {
        TIFFSetField(t, TIFFTAG_IMAGEWIDTH, w);
        TIFFSetField(t, TIFFTAG_IMAGELENGTH, h);
        TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, uint16_t(bits));
        TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, uint16_t(1));
        TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
        TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
        TIFFSetField(t, TIFFTAG_COMPRESSION, compression);
        TIFFSetField(t, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
        TIFFSetField(t, TIFFTAG_PAGENUMBER, uint16_t(p), uint16_t(pages));
        std::vector<uint8_t> buf(size_t(w) * h * size_t(bits / 8));
        for (size_t i = 0; i < buf.size(); ++i) buf[i] = uint8_t((i / 5 + size_t(p)) % 4);
        if (tiled) {
            TIFFSetField(t, TIFFTAG_TILEWIDTH, 16u);
            TIFFSetField(t, TIFFTAG_TILELENGTH, 16u);
            std::vector<uint8_t> tile(16 * 16 * size_t(bits / 8), 0);
            std::copy(buf.begin(), buf.end(), tile.begin());
            TIFFWriteEncodedTile(t, 0, tile.data(), tmsize_t(tile.size()));
        } else {
            TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, 4u);
            const size_t row = size_t(w) * size_t(bits / 8);
            for (uint32_t s = 0; s < h / 4; ++s)
                TIFFWriteEncodedStrip(t, s, buf.data() + s * 4 * row, tmsize_t(4 * row));
        }
        TIFFWriteDirectory(t);
    }
    TIFFClose(t);
    return slurpAndRemove(path);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    limitMemory();
    TIFFSetWarningHandler(quiet);
    TIFFSetErrorHandler(quiet);
    seedCorpus(*argc, *argv,
               {{"u8 3 pages", seed(8, 3, COMPRESSION_NONE, false)},
                {"u16 deflate", seed(16, 2, COMPRESSION_ADOBE_DEFLATE, false)},
                {"u8 tiled lzw", seed(8, 2, COMPRESSION_LZW, true)}});
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::string path = scratchPath(".tif");
    writeBytes(path, data, size);
    (void)nr::readTiffVolume(path);
    (void)nr::readTiffImage(path);
    return 0;
}
