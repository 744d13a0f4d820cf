#include "morph/Codecs.h"

#include <algorithm>
#include <blosc.h>
#include <dirent.h>
#include <fstream>
#include <sys/stat.h>
#include <zlib.h>
#include <zstd.h>

namespace nr {

bool readWholeFile(const std::string& path, std::vector<uint8_t>& out, std::string& err, uint64_t maxBytes) {
    std::ifstream f(path, std::ios::binary);
    if (!f) {
        err = "cannot open for reading";
        return false;
    }
    f.seekg(0, std::ios::end);
    const std::streamoff size = f.tellg();
    f.seekg(0);
    if (size < 0) {
        err = "cannot read";
        return false;
    }
    if (uint64_t(size) > maxBytes) {
        err = "file of " + std::to_string(size) + " bytes is larger than expected";
        return false;
    }
    out.resize(size_t(size));
    if (size) f.read(reinterpret_cast<char*>(out.data()), size);
    if (f.gcount() != size) {
        err = "short read";
        return false;
    }
    return true;
}

std::vector<std::string> listFolder(const std::string& path, bool dirsOnly, bool filesOnly) {
    std::vector<std::string> out;
    DIR* d = ::opendir(path.c_str());
    if (!d) return out;
    while (dirent* e = ::readdir(d)) {
        const std::string n = e->d_name;
        if (n == "." || n == "..") continue;
        if (dirsOnly || filesOnly) {
            const bool dir = isDirectory(path + "/" + n);
            if (dirsOnly && !dir) continue;
            if (filesOnly && dir) continue;
        }
        out.push_back(n);
    }
    ::closedir(d);
    std::sort(out.begin(), out.end());
    return out;
}

bool inflateExact(const uint8_t* src, size_t n, uint8_t* dst, size_t expected, std::string& err) {
    z_stream zs{};
    if (inflateInit2(&zs, 15 + 32) != Z_OK) {
        err = "zlib init failed";
        return false;
    }
    size_t produced = 0;
    size_t consumed = 0;
    int rc = Z_OK;
    uint8_t extra[4096];
    bool overflow = false, bailed = false;
    while (rc != Z_STREAM_END) {
        const size_t inChunk = std::min<size_t>(n - consumed, 1u << 30);
        zs.next_in = const_cast<Bytef*>(src + consumed);
        zs.avail_in = uInt(inChunk);
        if (produced < expected) {
            zs.next_out = dst + produced;
            zs.avail_out = uInt(std::min<size_t>(expected - produced, 1u << 30));
        } else {
            zs.next_out = extra;
            zs.avail_out = sizeof extra;
        }
        const uInt outBefore = zs.avail_out;
        rc = inflate(&zs, Z_NO_FLUSH);
        consumed += inChunk - zs.avail_in;
        const size_t got = outBefore - zs.avail_out;
        if (produced >= expected && got > 0) overflow = true;
        produced += got;
        if (rc == Z_STREAM_END) break;
        if (rc == Z_BUF_ERROR && consumed >= n) {
            inflateEnd(&zs);
            err = produced >= expected
                      ? "compressed stream ends before its trailer (cut after " + std::to_string(produced) +
                            " bytes): its checksum and length cannot be checked"
                      : "compressed data ends early: decompressed to " + std::to_string(produced) +
                            " bytes, expected " + std::to_string(expected);
            return false;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            const std::string m = zs.msg ? zs.msg : "zlib error";
            inflateEnd(&zs);
            if (m == "incorrect data check")
                err = "checksum (gzip CRC-32 or zlib Adler-32) does not match the data: damaged chunk";
            else if (m == "incorrect length check")
                err = "gzip length field does not match the data: damaged chunk";
            else
                err = "corrupt deflate data (" + m + ") after " + std::to_string(produced) + " bytes";
            return false;
        }
        if (overflow && produced > expected + (uint64_t(1) << 26)) {
            bailed = true;
            break;
        }
    }
    inflateEnd(&zs);
    if (produced != expected) {
        err = "decompressed to " + std::string(bailed ? "more than " : "") + std::to_string(produced) +
              " bytes, expected " + std::to_string(expected);
        return false;
    }
    return true;
}

bool bloscExact(const uint8_t* src, size_t n, uint8_t* dst, size_t expected, std::string& err) {
    if (n < BLOSC_MIN_HEADER_LENGTH) {
        err = "corrupt Blosc header: " + std::to_string(n) + " bytes, a header has " +
              std::to_string(BLOSC_MIN_HEADER_LENGTH);
        return false;
    }
    size_t nbytes = 0;
    if (blosc_cbuffer_validate(src, n, &nbytes) < 0) {
        size_t nb = 0, cb = 0, bs = 0;
        blosc_cbuffer_sizes(src, &nb, &cb, &bs);
        err = "corrupt Blosc header (version " + std::to_string(int(src[0])) + ", says " +
              std::to_string(nb) + " bytes from " + std::to_string(cb) + " compressed, the chunk has " +
              std::to_string(n) + ")";
        return false;
    }
    if (nbytes != expected) {
        err = "decompressed size is " + std::to_string(nbytes) + " bytes (Blosc header), expected " +
              std::to_string(expected);
        return false;
    }
    const int got = blosc_decompress_ctx(src, dst, expected, 1);
    if (got < 0 || size_t(got) != expected) {
        err = "Blosc could not decode the chunk (error " + std::to_string(got) + ")";
        return false;
    }
    return true;
}

bool zstdExact(const uint8_t* src, size_t n, uint8_t* dst, size_t expected, std::string& err) {
    const unsigned long long fs = ZSTD_getFrameContentSize(src, n);
    if (fs == ZSTD_CONTENTSIZE_ERROR) {
        err = "not a zstd frame";
        return false;
    }
    if (fs != ZSTD_CONTENTSIZE_UNKNOWN && fs != expected) {
        err = "decompressed size is " + std::to_string(fs) + " bytes (zstd frame), expected " +
              std::to_string(expected);
        return false;
    }
    const size_t got = ZSTD_decompress(dst, expected, src, n);
    if (ZSTD_isError(got)) {
        err = std::string("zstd: ") + ZSTD_getErrorName(got);
        return false;
    }
    if (got != expected) {
        err = "decompressed to " + std::to_string(got) + " bytes, expected " + std::to_string(expected);
        return false;
    }
    return true;
}

} // namespace nr
