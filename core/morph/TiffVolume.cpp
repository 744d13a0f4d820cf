// TIFF label stacks: one multi-page file (a page per z plane) or a folder of single-page slices. 8, 16 and
// 32-bit unsigned or signed integer samples, one sample per pixel, striped or tiled.
#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <set>
#include <sys/stat.h>
#include <tiffio.h>

#include "model/FileKind.h"
#include "morph/Codecs.h"
#include "morph/VolumeSource.h"

namespace nr {

namespace {

thread_local std::string tiffLastError;

void tiffError(const char* module, const char* fmt, va_list ap) {
    char buf[512];
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    tiffLastError = (module ? std::string(module) + ": " : std::string()) + buf;
}
thread_local std::string tiffLastWarning;
void tiffWarning(const char* module, const char* fmt, va_list ap) {
    char buf[512];
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    // Kept when libtiff repairs what a file says about its strips (it would read other bytes than written).
    const std::string w = buf;
    if (w.find("StripByteCounts") != std::string::npos || w.find("TileByteCounts") != std::string::npos ||
        w.find("IFD looping") != std::string::npos || w.find("loop") != std::string::npos)
        tiffLastWarning = (module ? std::string(module) + ": " : std::string()) + w;
}

void installTiffHandlers() {
    static std::once_flag once;
    std::call_once(once, [] {
        TIFFSetErrorHandler(tiffError);
        TIFFSetWarningHandler(tiffWarning);
    });
}

struct TiffCloser {
    void operator()(TIFF* t) const {
        if (t) TIFFClose(t);
    }
};
using TiffPtr = std::unique_ptr<TIFF, TiffCloser>;

struct PageInfo {
    uint32_t w = 0, h = 0;
    uint16_t bps = 0, spp = 1, fmt = SAMPLEFORMAT_UINT, planar = PLANARCONFIG_CONTIG;
};

Status pageInfo(TIFF* t, const std::string& file, int page, PageInfo& p) {
    const std::string where = "page " + std::to_string(page) + ": ";
    if (!TIFFGetField(t, TIFFTAG_IMAGEWIDTH, &p.w) || !TIFFGetField(t, TIFFTAG_IMAGELENGTH, &p.h))
        return Error{file, 0, where + "no image size"};
    TIFFGetFieldDefaulted(t, TIFFTAG_BITSPERSAMPLE, &p.bps);
    TIFFGetFieldDefaulted(t, TIFFTAG_SAMPLESPERPIXEL, &p.spp);
    TIFFGetFieldDefaulted(t, TIFFTAG_SAMPLEFORMAT, &p.fmt);
    TIFFGetFieldDefaulted(t, TIFFTAG_PLANARCONFIG, &p.planar);
    if (p.bps != 8 && p.bps != 16 && p.bps != 32)
        return Error{file, 0,
                     where + "bit depth " + std::to_string(p.bps) + " is not read (8, 16 or 32-bit labels)"};
    if (p.spp != 1)
        return Error{file, 0,
                     where + std::to_string(p.spp) +
                         " samples per pixel: a label image has one (this is colour)"};
    if (p.fmt != SAMPLEFORMAT_UINT && p.fmt != SAMPLEFORMAT_INT)
        return Error{file, 0, where + "floating-point samples: labels are integers"};
    return std::nullopt;
}

uint64_t fileSizeOf(TIFF* t) {
    struct stat st {};
    return ::fstat(TIFFFileno(t), &st) == 0 ? uint64_t(st.st_size) : 0;
}

// What the directory says about its strips must fit the image and the file: every strip lies inside the file,
// uncompressed strips hold exactly their rows, compressed ones are not empty (libtiff would otherwise read
// other bytes than the writer meant, or guess the sizes).
Status checkStrips(TIFF* t, const std::string& file, int page, const PageInfo& p, uint32_t rps) {
    const std::string where = "page " + std::to_string(page) + ": ";
    if (!tiffLastWarning.empty())
        return Error{file, 0, where + "strip sizes are wrong (" + tiffLastWarning + ")"};
    uint16_t comp = COMPRESSION_NONE;
    TIFFGetFieldDefaulted(t, TIFFTAG_COMPRESSION, &comp);
    const uint64_t fsize = fileSizeOf(t), row = uint64_t(p.w) * (p.bps / 8);
    const tstrip_t ns = TIFFNumberOfStrips(t);
    const uint64_t expectStrips = (uint64_t(p.h) + rps - 1) / rps;
    if (ns < expectStrips)
        return Error{file, 0,
                     where + std::to_string(ns) + " strips for " + std::to_string(p.h) + " rows of " +
                         std::to_string(rps) + " per strip (" + std::to_string(expectStrips) + " needed)"};
    for (tstrip_t s = 0; s < ns && uint64_t(s) * rps < p.h; ++s) {
        int err = 0;
        const uint64_t off = TIFFGetStrileOffsetWithErr(t, s, &err);
        const uint64_t cnt = TIFFGetStrileByteCountWithErr(t, s, &err);
        const uint64_t rows = std::min<uint64_t>(rps, p.h - uint64_t(s) * rps);
        const std::string which =
            where + "strip " + std::to_string(s) + ": StripByteCounts " + std::to_string(cnt);
        if (err)
            return Error{file, 0, where + "strip " + std::to_string(s) + ": offsets or sizes cannot be read"};
        if (cnt == 0) return Error{file, 0, which + " (an empty strip; the image needs its rows)"};
        if (off > fsize || cnt > fsize - off)
            return Error{file, 0,
                         which + " at offset " + std::to_string(off) + " runs past the end of the file (" +
                             std::to_string(fsize) + " bytes)"};
        if (comp == COMPRESSION_NONE && cnt < rows * row)
            return Error{file, 0,
                         which + " is less than its " + std::to_string(rows) + " rows of " +
                             std::to_string(row) + " bytes need (" + std::to_string(rows * row) + ")"};
    }
    return std::nullopt;
}

// Decodes the current directory into out (h*w samples of bps/8 bytes).
Status readPage(TIFF* t, const std::string& file, int page, const PageInfo& p, uint8_t* out) {
    const std::string where = "page " + std::to_string(page) + ": ";
    const size_t bpp = p.bps / 8, row = size_t(p.w) * bpp;
    tiffLastError.clear();
    if (TIFFIsTiled(t)) {
        uint32_t tw = 0, th = 0;
        TIFFGetField(t, TIFFTAG_TILEWIDTH, &tw);
        TIFFGetField(t, TIFFTAG_TILELENGTH, &th);
        if (!tw || !th) return Error{file, 0, where + "tiled without tile size"};
        if (double(tw) * th > 4.0 * (double(p.w) + 256) * (double(p.h) + 256) || TIFFTileSize(t) <= 0)
            return Error{file, 0,
                         where + "tile of " + std::to_string(tw) + "x" + std::to_string(th) +
                             " is larger than the page allows"};
        std::vector<uint8_t> tile(size_t(TIFFTileSize(t)));
        for (uint32_t y = 0; y < p.h; y += th)
            for (uint32_t x = 0; x < p.w; x += tw) {
                const ttile_t ti = TIFFComputeTile(t, x, y, 0, 0);
                if (TIFFReadEncodedTile(t, ti, tile.data(), tmsize_t(tile.size())) < 0)
                    return Error{file, 0, where + "truncated or damaged (" + tiffLastError + ")"};
                const uint32_t nh = std::min(th, p.h - y), nw = std::min(tw, p.w - x);
                for (uint32_t r = 0; r < nh; ++r)
                    std::memcpy(out + size_t(y + r) * row + size_t(x) * bpp,
                                tile.data() + size_t(r) * tw * bpp, size_t(nw) * bpp);
            }
        return std::nullopt;
    }
    uint32_t rps = 0;
    TIFFGetFieldDefaulted(t, TIFFTAG_ROWSPERSTRIP, &rps);
    rps = std::max<uint32_t>(1, std::min(rps, p.h));
    const tstrip_t ns = TIFFNumberOfStrips(t);
    if (Status s = checkStrips(t, file, page, p, rps)) return s;
    for (tstrip_t s = 0; s < ns; ++s) {
        const uint32_t y0 = s * rps;
        if (y0 >= p.h) break;
        const uint32_t nrows = std::min(rps, p.h - y0);
        const tmsize_t want = tmsize_t(size_t(nrows) * row);
        const tmsize_t got = TIFFReadEncodedStrip(t, s, out + size_t(y0) * row, want);
        if (got < 0 || got < want)
            return Error{file, 0,
                         where + "truncated or damaged at strip " + std::to_string(s) + " (" +
                             (tiffLastError.empty() ? "short strip" : tiffLastError) + ")"};
    }
    return std::nullopt;
}

void imageJVoxelSize(TIFF* t, ArraySource& src) {
    char* desc = nullptr;
    if (!TIFFGetField(t, TIFFTAG_IMAGEDESCRIPTION, &desc) || !desc || std::strncmp(desc, "ImageJ=", 7) != 0)
        return;
    const std::string d = desc;
    auto value = [&](const char* key) -> std::string {
        const std::string k = std::string("\n") + key + "=";
        const size_t p = d.find(k);
        if (p == std::string::npos) return "";
        const size_t e = d.find('\n', p + 1);
        return d.substr(p + k.size(), e == std::string::npos ? std::string::npos : e - p - k.size());
    };
    float xr = 0, yr = 0;
    const double sp = std::atof(value("spacing").c_str());
    if (TIFFGetField(t, TIFFTAG_XRESOLUTION, &xr) && TIFFGetField(t, TIFFTAG_YRESOLUTION, &yr) && xr > 0 &&
        yr > 0) {
        src.voxelSize[1] = 1.0 / yr, src.voxelSize[2] = 1.0 / xr;
        src.voxelSize[0] = sp > 0 ? sp : 1.0;
        src.haveVoxelSize = true;
    }
    std::string u = value("unit");
    if (u == "micron" || u == "\\u00B5m") u = "µm";
    src.unit = u;
}

} // namespace

namespace {

Status openTiffArray(const std::string& pathIn, const OpenOptions& opt, ArrayUse, const ArraySink& sink) {
    installTiffHandlers();
    std::string path = pathIn;
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    ArraySource src;
    src.file = path;
    src.axes = "zyx";
    if (isDirectory(path)) {
        std::vector<std::string> files;
        for (const auto& n : listFolder(path, false, true)) {
            const std::string e = fileExtension(n);
            if (e == "tif" || e == "tiff") files.push_back(path + "/" + n);
        }
        if (files.empty()) return Error{path, 0, "no .tif or .tiff slices in this folder"};
        for (const auto& fn : files) // a FIFO named z01.tif would block TIFFOpen for ever
            if (Status st = requireRegularFile(fn, "TIFF slice")) return st;
        PageInfo first;
        {
            tiffLastError.clear();
            TiffPtr t(TIFFOpen(files[0].c_str(), "rm"));
            if (!t) return Error{files[0], 0, "not a readable TIFF (" + tiffLastError + ")"};
            if (Status s = pageInfo(t.get(), files[0], 0, first)) return *s;
            imageJVoxelSize(t.get(), src);
        }
        // Every slice must have the first one's size and type (checked when read, too).
        for (size_t i = 1; i < files.size(); ++i) {
            tiffLastError.clear();
            TiffPtr t(TIFFOpen(files[i].c_str(), "rm"));
            if (!t) return Error{files[i], 0, "not a readable TIFF (" + tiffLastError + ")"};
            PageInfo p;
            if (Status s = pageInfo(t.get(), files[i], 0, p)) return *s;
            if (p.w != first.w || p.h != first.h || p.bps != first.bps)
                return Error{files[i], 0,
                             "mismatched dimensions: slice is " + std::to_string(p.w) + "x" +
                                 std::to_string(p.h) + " at " + std::to_string(p.bps) +
                                 " bits, the first slice (" + baseName(files[0]) + ") is " +
                                 std::to_string(first.w) + "x" + std::to_string(first.h) + " at " +
                                 std::to_string(first.bps) + " bits"};
        }
        src.shape = {files.size(), first.h, first.w};
        src.chunk = {1, first.h, first.w};
        src.dtypeBytes = first.bps / 8;
        src.isSigned = first.fmt == SAMPLEFORMAT_INT;
        src.read = [files, first](const std::vector<uint64_t>& idx, std::vector<uint8_t>& out) -> Status {
            const std::string& fn = files[size_t(idx[0])];
            if (Status st = requireRegularFile(fn, "TIFF slice")) return st;
            tiffLastError.clear();
            tiffLastWarning.clear();
            TiffPtr t(TIFFOpen(fn.c_str(), "rm"));
            if (!t) return Error{fn, 0, "not a readable TIFF (" + tiffLastError + ")"};
            PageInfo p;
            if (Status s = pageInfo(t.get(), fn, 0, p)) return s;
            if (p.w != first.w || p.h != first.h || p.bps != first.bps)
                return Error{fn, 0, "mismatched dimensions: slice changed while reading"};
            return readPage(t.get(), fn, 0, p, out.data());
        };
    } else {
        if (Status st = requireRegularFile(path, "TIFF file")) return st;
        tiffLastError.clear();
        tiffLastWarning.clear();
        auto t = std::shared_ptr<TIFF>(TIFFOpen(path.c_str(), "rm"), TiffCloser());
        if (!t)
            return Error{path, 0,
                         "not a readable TIFF (" + (tiffLastError.empty() ? "cannot open" : tiffLastError) +
                             ")"};
        PageInfo first;
        if (Status s = pageInfo(t.get(), path, 0, first)) return *s;
        if (!tiffLastWarning.empty())
            return Error{path, 0, "page 0: strip sizes are wrong (" + tiffLastWarning + ")"};
        imageJVoxelSize(t.get(), src);
        // Count pages (a truncated chain of directories is reported, not followed).
        uint64_t pages = 1;
        tiffLastError.clear();
        std::set<uint64_t> seenDirs{TIFFCurrentDirOffset(t.get())};
        for (;;) {
            const uint64_t before = TIFFCurrentDirOffset(t.get());
            tiffLastWarning.clear();
            const int ok = TIFFReadDirectory(t.get());
            if (!tiffLastWarning.empty() && tiffLastWarning.find("loop") != std::string::npos)
                return Error{path, 0,
                             "the chain of pages (IFDs) loops back after page " + std::to_string(pages - 1) +
                                 " (" + tiffLastWarning + ")"};
            if (!ok) break;
            if (!tiffLastWarning.empty())
                return Error{path, 0,
                             "page " + std::to_string(pages) + ": strip sizes are wrong (" + tiffLastWarning +
                                 ")"};
            const uint64_t at = TIFFCurrentDirOffset(t.get());
            if (!seenDirs.insert(at).second || at == before)
                return Error{path, 0,
                             "the chain of pages (IFDs) loops: page " + std::to_string(pages) +
                                 " is the directory at offset " + std::to_string(at) + " again"};
            PageInfo p;
            if (Status s = pageInfo(t.get(), path, int(pages), p)) return *s;
            if (p.w != first.w || p.h != first.h || p.bps != first.bps)
                return Error{path, 0,
                             "mismatched dimensions: page " + std::to_string(pages) + " is " +
                                 std::to_string(p.w) + "x" + std::to_string(p.h) + ", page 0 is " +
                                 std::to_string(first.w) + "x" + std::to_string(first.h)};
            if (++pages > 1000000) return Error{path, 0, "more than a million pages"};
        }
        if (tiffLastError.find("loop") != std::string::npos)
            return Error{path, 0,
                         "the chain of pages (IFDs) loops back after page " + std::to_string(pages - 1) +
                             " (" + tiffLastError + ")"};
        if (!tiffLastError.empty())
            return Error{path, 0,
                         "truncated or damaged after page " + std::to_string(pages - 1) + " (" +
                             tiffLastError + ")"};
        src.threadSafe = false;
        src.shape = {pages, first.h, first.w};
        src.chunk = {1, first.h, first.w};
        src.dtypeBytes = first.bps / 8;
        src.isSigned = first.fmt == SAMPLEFORMAT_INT;
        src.read = [t, path, first](const std::vector<uint64_t>& idx, std::vector<uint8_t>& out) -> Status {
            tiffLastError.clear();
            tiffLastWarning.clear();
            if (!TIFFSetDirectory(t.get(), tdir_t(idx[0])))
                return Error{path, 0,
                             "page " + std::to_string(idx[0]) + ": cannot be reached (" + tiffLastError +
                                 ")"};
            return readPage(t.get(), path, int(idx[0]), first, out.data());
        };
    }
    if (!src.haveVoxelSize && opt.option("voxel_size").empty())
        src.warnings.push_back(path + ": no voxel size in the TIFF; 1 is used (set voxel_size)");
    sink(src);
    return std::nullopt;
}

} // namespace

Result<LabelVolume> readTiffVolume(const std::string& path, const OpenOptions& opt) {
    return buildFrom<LabelVolume>(openTiffArray, buildLabelVolume, ArrayUse::Labels, path, opt);
}

Result<ImageVolume> readTiffImage(const std::string& path, const OpenOptions& opt) {
    return buildFrom<ImageVolume>(openTiffArray, buildImageVolume, ArrayUse::Image, path, opt);
}

} // namespace nr
