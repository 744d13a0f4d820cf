// Internal to nr_morph: whole-file reads and the decoders the volume readers share.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/FileKind.h" // fileExists, isDirectory

namespace nr {

// Reads a whole file (refuses more than maxBytes). Returns false with `err` set.
bool readWholeFile(const std::string& path, std::vector<uint8_t>& out, std::string& err,
                   uint64_t maxBytes = uint64_t(1) << 34);

// Sorted names in a folder (no "." or ".."); dirsOnly / filesOnly filter.
std::vector<std::string> listFolder(const std::string& path, bool dirsOnly = false, bool filesOnly = false);

// zlib or gzip stream (detected from the header) into exactly `expected` bytes, up to and including its
// trailer (gzip CRC-32 and length, zlib Adler-32 are checked by zlib there). On failure returns false with
// `err` saying what went wrong ("decompressed to 100 bytes, expected 4096", "checksum ... does not match").
bool inflateExact(const uint8_t* src, size_t n, uint8_t* dst, size_t expected, std::string& err);
// Blosc frame (any inner codec, any shuffle) into exactly `expected` bytes.
bool bloscExact(const uint8_t* src, size_t n, uint8_t* dst, size_t expected, std::string& err);
// zstd frame into exactly `expected` bytes.
bool zstdExact(const uint8_t* src, size_t n, uint8_t* dst, size_t expected, std::string& err);

} // namespace nr
