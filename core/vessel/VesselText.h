// Internal helpers of the vessel readers: a read-only memory-mapped file, fast number parsing and the memory
// budget a reader may allocate. Not part of the public API.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "io/ReaderRegistry.h"

namespace nr::vessel {

// The whole file mapped read-only (an empty file maps to an empty range).
class MappedFile {
public:
    MappedFile() = default;
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    // Error{path, 0, reason} when the file cannot be opened or mapped. `populate` maps every page at once
    // (for readers that go through the whole mapping); without it pages are mapped when first touched.
    Status open(const std::string& path, bool populate = true);
    const char* data() const { return data_; }
    size_t size() const { return size_; }
    const char* end() const { return data_ + size_; }

private:
    const char* data_ = nullptr;
    size_t size_ = 0;
    void* map_ = nullptr;
};

// Asks for transparent huge pages on a large block before it is first touched (far fewer page faults).
void adviseHugePages(void* p, size_t bytes);
// Resizes a large column: the storage is allocated, advised for huge pages, then filled.
template <class T> void resizeColumn(std::vector<T>& v, size_t n) {
    v.reserve(n);
    adviseHugePages(v.data(), n * sizeof(T));
    v.resize(n);
}

// Bytes a reader may allocate: the "max_memory_bytes" option when given, else 80 % of the memory the
// system reports as available (MemAvailable).
size_t memoryBudget(const OpenOptions& opt);
// "1.4 GB", "512 MB".
std::string formatBytes(double bytes);
// A number for messages: "12", "1e+300", "nan" (never converted to an integer type).
std::string numberText(double v);

inline bool isDigit(char c) {
    return unsigned(c - '0') < 10u;
}

// Parses a decimal number at p (sign, digits, '.', exponent; "nan", "inf" in any case). On success advances
// p past it. One correctly rounded operation for up to 19 digits below 2^53 and |exponent| <= 22, strtod
// otherwise.
__attribute__((always_inline)) inline bool parseNumber(const char*& p, const char* end, double& out) {
    static const double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const char* s = p;
    bool neg = false;
    if (s < end && (*s == '-' || *s == '+')) neg = *s++ == '-';
    uint64_t m = 0;
    const char* d0 = s;
    while (s < end && isDigit(*s)) m = m * 10 + uint64_t(*s++ - '0');
    long digits = long(s - d0);
    int exp10 = 0;
    if (s < end && *s == '.') {
        const char* f = ++s;
        while (s < end && isDigit(*s)) m = m * 10 + uint64_t(*s++ - '0');
        exp10 = -int(s - f);
        digits += long(s - f);
    }
    if (digits == 0) {
        // nan / inf
        auto word = [&](const char* w) {
            const size_t n = std::strlen(w);
            if (size_t(end - s) < n) return false;
            for (size_t i = 0; i < n; ++i)
                if ((s[i] | 0x20) != w[i]) return false;
            s += n;
            return true;
        };
        if (s != d0) return false; // a lone '.'
        if (word("nan")) {
            out = __builtin_nan("");
        } else if (word("infinity") || word("inf")) {
            out = neg ? -__builtin_inf() : __builtin_inf();
        } else {
            return false;
        }
        p = s;
        return true;
    }
    if (s < end && (*s == 'e' || *s == 'E')) {
        const char* e = s + 1;
        bool eneg = false;
        if (e < end && (*e == '-' || *e == '+')) eneg = *e++ == '-';
        if (e < end && isDigit(*e)) {
            int ev = 0;
            while (e < end && isDigit(*e)) {
                if (ev < 100000) ev = ev * 10 + (*e - '0');
                ++e;
            }
            exp10 += eneg ? -ev : ev;
            s = e;
        }
    }
    if (digits <= 19 && m < (uint64_t(1) << 53) && exp10 >= -22 && exp10 <= 22) {
        const double v = exp10 < 0 ? double(m) / kPow10[-exp10] : double(m) * kPow10[exp10];
        out = neg ? -v : v;
    } else {
        // Many digits or a large exponent: the exact conversion of the C library.
        char buf[128];
        const size_t n = size_t(s - p) < sizeof buf - 1 ? size_t(s - p) : sizeof buf - 1;
        std::memcpy(buf, p, n);
        buf[n] = 0;
        out = std::strtod(buf, nullptr);
    }
    p = s;
    return true;
}

// Parses a decimal integer (optional sign). "12.0" is accepted as 12 (a whole number written as float).
inline bool parseInt(const char*& p, const char* end, int64_t& out) {
    const char* s = p;
    bool neg = false;
    if (s < end && (*s == '-' || *s == '+')) neg = *s++ == '-';
    if (s >= end || !isDigit(*s)) return false;
    uint64_t v = 0;
    int n = 0;
    while (s < end && isDigit(*s)) {
        v = v * 10 + uint64_t(*s++ - '0');
        if (++n > 18) return false;
    }
    if (s < end && *s == '.') { // "12.0", "12."
        const char* t = s + 1;
        while (t < end && *t == '0') ++t;
        if (t < end && isDigit(*t)) return false;
        s = t;
    }
    out = neg ? -int64_t(v) : int64_t(v);
    p = s;
    return true;
}

} // namespace nr::vessel
