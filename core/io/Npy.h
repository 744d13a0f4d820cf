// NPY files (numpy's np.save format), read strictly: one parser for every reader that takes .npy.
//
// Accepted: magic \x93NUMPY, version 1.0, 2.0 or 3.0; a header that is a Python dict literal with exactly
// the keys 'descr', 'fortran_order' and 'shape'; descr a simple type ('<f8', '|u1', '>i4', '|S8', '<U4',
// '|b1') or a list of (name, type) fields; shape a tuple of non-negative integers; the data exactly
// shape x itemsize bytes (no missing and no trailing bytes). Numbers: float32/64, int8..64, uint8..64,
// bool, either byte order. Text: fixed-width bytes (S) or UCS-4 (U).
// Every error carries the file and the byte offset of the defect.
#pragma once

#include "model/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace nr {
namespace npy {

struct Field {
    std::string name; // "" for a simple (non-structured) array
    char kind = 'f';  // f (float), i (signed), u (unsigned), b (bool), S (bytes), U (UCS-4 text)
    int size = 8;     // bytes per value
    bool bigEndian = false;
    size_t offset = 0; // within one element (record)
    bool numeric() const { return kind != 'S' && kind != 'U'; }
};

struct Array {
    std::string file;
    int major = 1, minor = 0;
    bool structured = false;     // descr was a list of fields
    std::vector<Field> fields;   // one for a simple array
    std::vector<uint64_t> shape; // () = scalar
    bool fortranOrder = false;
    size_t itemSize = 0;   // bytes per element (a record for structured arrays)
    uint64_t elements = 0; // product of shape
    size_t dataOffset = 0; // byte offset of the data in the file
    std::string bytes;     // the whole file

    const unsigned char* data() const {
        return reinterpret_cast<const unsigned char*>(bytes.data()) + dataOffset;
    }
    // Element (r, c) of a 2-D simple array, honouring fortran_order.
    const unsigned char* at2(uint64_t r, uint64_t c) const {
        const uint64_t i = fortranOrder ? c * shape[0] + r : r * shape[1] + c;
        return data() + i * itemSize;
    }
    // Byte offset in the file of element (r, c) of a 2-D simple array, or of record r's field f.
    long long offsetOf2(uint64_t r, uint64_t c) const { return (long long)(at2(r, c) - data() + dataOffset); }
    long long recordOffset(uint64_t r, const Field& f) const {
        return (long long)(dataOffset + r * itemSize + f.offset);
    }
};

// The magic string every NPY file starts with, and whether `head` (a file's first bytes) starts with it.
inline const std::string kMagic("\x93NUMPY", 6);
inline bool isNpyHead(const std::string& head) {
    return head.compare(0, kMagic.size(), kMagic) == 0;
}

// Reads and validates the whole file. Refuses files larger than the memory budget before reading them.
Result<Array> readFile(const std::string& path);
// Same checks on bytes already in memory (`path` is used in messages only).
Result<Array> parse(std::string bytes, const std::string& path);
// The header checks only, on the first bytes of a file (`head` must hold the whole header; the data is not
// checked and `bytes` stays empty). For sniffers that look at the shape and type before reading.
Result<Array> parseHeader(const std::string& head, const std::string& path);

// Value of a numeric field at p (converted to double; integers beyond 2^53 lose precision).
double number(const unsigned char* p, const Field& f);
// Text of an S or U field at p (up to the first NUL; non-ASCII code points become '?').
std::string text(const unsigned char* p, const Field& f);

// "(3, 2)" for messages.
std::string shapeText(const std::vector<uint64_t>& shape);

// Preamble and header (version 1.0, padded to 64 bytes) of a 2-D little-endian float64 C-order array; the
// caller writes rows x cols doubles after it.
std::string float64Header(size_t rows, size_t cols);

} // namespace npy
} // namespace nr
