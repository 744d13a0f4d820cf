#include "io/Npy.h"

#include "io/MemoryBudget.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <sys/stat.h>

namespace nr {
namespace npy {

namespace {

// A Python literal as numpy writes it in the header: str, int, True/False/None, tuple, list, dict.
struct Value {
    enum Kind { Str, Int, Bool, None, Tuple, List, Dict } kind = None;
    std::string str;               // Str; Int: the digits as written (for messages)
    bool negative = false;         // Int
    bool overflow = false;         // Int: more than 64 bits
    uint64_t magnitude = 0;        // Int
    bool flag = false;             // Bool
    std::vector<Value> items;      // Tuple, List, Dict values
    std::vector<std::string> keys; // Dict
    size_t pos = 0;                // offset in the header
};

class LiteralParser {
public:
    LiteralParser(const std::string& text, std::string& error, size_t& errorPos)
        : s_(text), error_(error), errorPos_(errorPos) {}

    bool parseTop(Value& v) {
        skip();
        if (!parse(v, 0)) return false;
        skip();
        if (p_ != s_.size()) return fail("unexpected text after the header dict");
        return true;
    }

private:
    const std::string& s_;
    std::string& error_;
    size_t& errorPos_;
    size_t p_ = 0;

    bool fail(const std::string& why) {
        error_ = why;
        errorPos_ = p_;
        return false;
    }
    void skip() {
        while (p_ < s_.size() && (s_[p_] == ' ' || s_[p_] == '\t' || s_[p_] == '\n' || s_[p_] == '\r')) ++p_;
    }
    bool parse(Value& v, int depth) {
        if (depth > 16) return fail("header nests too deeply");
        skip();
        v.pos = p_;
        if (p_ >= s_.size()) return fail("header ends too early");
        const char c = s_[p_];
        if (c == '\'' || c == '"') return parseString(v);
        if (c == '-' || c == '+' || (c >= '0' && c <= '9')) return parseInt(v);
        if (c == '(' || c == '[') return parseSequence(v, depth);
        if (c == '{') return parseDict(v, depth);
        for (const char* word : {"True", "False", "None"}) {
            const size_t n = std::strlen(word);
            if (s_.compare(p_, n, word) == 0) {
                p_ += n;
                v.kind = word[0] == 'N' ? Value::None : Value::Bool;
                v.flag = word[0] == 'T';
                return true;
            }
        }
        char buf[48];
        const unsigned char uc = static_cast<unsigned char>(c);
        if (uc >= 32 && uc < 127)
            std::snprintf(buf, sizeof buf, "unexpected character '%c' in the header", c);
        else
            std::snprintf(buf, sizeof buf, "unexpected byte 0x%02x in the header", uc);
        return fail(buf);
    }
    bool parseString(Value& v) {
        const char q = s_[p_++];
        v.kind = Value::Str;
        while (p_ < s_.size() && s_[p_] != q) {
            if (s_[p_] == '\\' && p_ + 1 < s_.size()) ++p_;
            if (s_[p_] == '\0' || s_[p_] == '\n') return fail("control character inside a header string");
            v.str += s_[p_++];
        }
        if (p_ >= s_.size()) return fail("unterminated string in the header");
        ++p_;
        return true;
    }
    bool parseInt(Value& v) {
        v.kind = Value::Int;
        if (s_[p_] == '-' || s_[p_] == '+') v.negative = s_[p_++] == '-';
        const size_t start = p_;
        while (p_ < s_.size() && s_[p_] >= '0' && s_[p_] <= '9') {
            const uint64_t d = uint64_t(s_[p_] - '0');
            if (v.magnitude > (UINT64_MAX - d) / 10) v.overflow = true;
            v.magnitude = v.magnitude * 10 + d;
            ++p_;
        }
        v.str = (v.negative ? "-" : "") + s_.substr(start, p_ - start);
        if (p_ == start) return fail("a sign without digits in the header");
        if (p_ < s_.size() && (s_[p_] == '.' || s_[p_] == 'e' || s_[p_] == 'E' || s_[p_] == 'j')) {
            size_t q = p_;
            while (q < s_.size() && std::strchr("0123456789.eE+-j", s_[q])) ++q;
            v.str += s_.substr(p_, q - p_);
            return fail("'" + v.str + "' is not an integer");
        }
        if (p_ < s_.size() && (s_[p_] == 'L' || s_[p_] == 'l')) ++p_; // Python 2 longs: (3L, 2L)
        return true;
    }
    bool parseSequence(Value& v, int depth) {
        const char close = s_[p_] == '(' ? ')' : ']';
        v.kind = s_[p_] == '(' ? Value::Tuple : Value::List;
        ++p_;
        while (true) {
            skip();
            if (p_ < s_.size() && s_[p_] == close) {
                ++p_;
                return true;
            }
            Value item;
            if (!parse(item, depth + 1)) return false;
            v.items.push_back(std::move(item));
            skip();
            if (p_ < s_.size() && s_[p_] == ',') {
                ++p_;
                continue;
            }
            if (p_ < s_.size() && s_[p_] == close) {
                ++p_;
                // (5) is an int in Python, not a tuple; numpy writes (5,).
                if (v.kind == Value::Tuple && v.items.size() == 1)
                    return fail("a one-element shape needs a trailing comma, as in (5,)");
                return true;
            }
            return fail(std::string("expected ',' or '") + close + "'");
        }
    }
    bool parseDict(Value& v, int depth) {
        v.kind = Value::Dict;
        ++p_;
        while (true) {
            skip();
            if (p_ < s_.size() && s_[p_] == '}') {
                ++p_;
                return true;
            }
            Value key;
            if (!parse(key, depth + 1)) return false;
            if (key.kind != Value::Str) {
                p_ = key.pos;
                return fail("header dict keys must be strings");
            }
            if (std::find(v.keys.begin(), v.keys.end(), key.str) != v.keys.end()) {
                p_ = key.pos;
                return fail("header key '" + key.str + "' appears twice");
            }
            skip();
            if (p_ >= s_.size() || s_[p_] != ':') return fail("expected ':' after a header key");
            ++p_;
            Value val;
            if (!parse(val, depth + 1)) return false;
            v.keys.push_back(key.str);
            v.items.push_back(std::move(val));
            skip();
            if (p_ < s_.size() && s_[p_] == ',') {
                ++p_;
                continue;
            }
            if (p_ < s_.size() && s_[p_] == '}') {
                ++p_;
                return true;
            }
            return fail("expected ',' or '}' in the header dict");
        }
    }
};

// '<f8' -> Field. Empty string when fine, else the reason.
std::string parseType(const std::string& d, Field& f) {
    if (d.size() < 2) return "unsupported NPY dtype '" + d + "'";
    size_t k = 0;
    if (d[0] == '<' || d[0] == '>' || d[0] == '|' || d[0] == '=') {
        f.bigEndian = d[0] == '>';
        k = 1;
    }
    f.kind = d[k];
    if (f.kind == 'O') return "object arrays (pickled Python objects) are not read: dtype '" + d + "'";
    if (f.kind == '?') f.kind = 'b';
    if (!std::strchr("fiubSU", f.kind)) return "unsupported NPY dtype '" + d + "'";
    const std::string digits = d.substr(k + 1);
    if (digits.empty() && f.kind == 'b') {
        f.size = 1;
        return "";
    }
    if (digits.empty() || digits.size() > 7 || digits.find_first_not_of("0123456789") != std::string::npos)
        return "unsupported NPY dtype '" + d + "'";
    const long n = std::atol(digits.c_str());
    f.size = int(n);
    switch (f.kind) {
    case 'f':
        if (n != 4 && n != 8) return "unsupported NPY dtype '" + d + "' (float32 or float64 only)";
        break;
    case 'i':
    case 'u':
        if (n != 1 && n != 2 && n != 4 && n != 8) return "unsupported NPY dtype '" + d + "'";
        break;
    case 'b':
        if (n != 1) return "unsupported NPY dtype '" + d + "'";
        break;
    case 'S':
        if (n < 1) return "zero-width text dtype '" + d + "'";
        break;
    default: // U: UCS-4
        if (n < 1) return "zero-width text dtype '" + d + "'";
        f.size = int(n * 4);
        break;
    }
    return "";
}

} // namespace

std::string shapeText(const std::vector<uint64_t>& shape) {
    std::string s = "(";
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + (shape.size() == 1 ? ",)" : ")");
}

namespace {

// Parses the preamble and header of `bytes`; with `checkData` also that the data has exactly the size the
// shape and type announce.
Result<Array> parseImpl(std::string bytes, const std::string& path, bool checkData) {
    auto bad = [&](long long off, const std::string& why) {
        Error e{path, 0, why};
        e.byteOffset = off;
        return e;
    };
    if (!isNpyHead(bytes)) return bad(0, "not an NPY file (missing the \\x93NUMPY magic)");
    if (bytes.size() < 10) return bad(6, "truncated NPY header: the file ends inside the preamble");
    const unsigned major = static_cast<unsigned char>(bytes[6]), minor = static_cast<unsigned char>(bytes[7]);
    if ((major != 1 && major != 2 && major != 3) || minor != 0)
        return bad(6, "unsupported NPY version " + std::to_string(major) + "." + std::to_string(minor) +
                          " (1.0, 2.0 and 3.0 are read)");
    size_t hlen, hstart;
    auto byte = [&](size_t i) { return size_t(static_cast<unsigned char>(bytes[i])); };
    if (major == 1) {
        hlen = byte(8) | byte(9) << 8;
        hstart = 10;
    } else {
        if (bytes.size() < 12) return bad(8, "truncated NPY header: the file ends inside the header length");
        hlen = byte(8) | byte(9) << 8 | byte(10) << 16 | byte(11) << 24;
        hstart = 12;
    }
    if (hlen > bytes.size() - hstart)
        return bad((long long)hstart, "truncated NPY header: " + std::to_string(hlen) + " bytes announced, " +
                                          std::to_string(bytes.size() - hstart) + " present");
    const std::string header = bytes.substr(hstart, hlen);
    std::string why;
    size_t at = 0;
    Value dict;
    LiteralParser lp(header, why, at);
    if (!lp.parseTop(dict)) return bad((long long)(hstart + at), "bad NPY header: " + why);
    if (dict.kind != Value::Dict) return bad((long long)hstart, "bad NPY header: not a dict");
    const Value *descr = nullptr, *fortran = nullptr, *shape = nullptr;
    for (size_t i = 0; i < dict.keys.size(); ++i) {
        const std::string& k = dict.keys[i];
        if (k == "descr")
            descr = &dict.items[i];
        else if (k == "fortran_order")
            fortran = &dict.items[i];
        else if (k == "shape")
            shape = &dict.items[i];
        else
            return bad((long long)(hstart + dict.items[i].pos),
                       "bad NPY header: unknown key '" + k + "' (only descr, fortran_order and shape)");
    }
    if (!descr || !fortran || !shape) {
        std::string missing;
        if (!descr) missing += " 'descr'";
        if (!fortran) missing += " 'fortran_order'";
        if (!shape) missing += " 'shape'";
        return bad((long long)hstart, "bad NPY header: missing" + missing);
    }
    Array a;
    a.file = path;
    a.major = int(major);
    a.minor = int(minor);
    // fortran_order
    if (fortran->kind != Value::Bool)
        return bad((long long)(hstart + fortran->pos), "bad NPY header: fortran_order must be True or False");
    a.fortranOrder = fortran->flag;
    // shape
    if (shape->kind != Value::Tuple)
        return bad((long long)(hstart + shape->pos), "bad NPY header: shape must be a tuple of integers");
    a.elements = 1;
    bool overflow = false;
    for (const Value& d : shape->items) {
        if (d.kind != Value::Int)
            return bad((long long)(hstart + d.pos), "bad NPY header: shape must be a tuple of integers");
        if (d.negative && d.magnitude != 0)
            return bad((long long)(hstart + d.pos),
                       "bad NPY header: negative dimension " + d.str + " in shape");
        if (d.overflow)
            return bad((long long)(hstart + d.pos), "bad NPY header: dimension " + d.str + " is too large");
        a.shape.push_back(d.magnitude);
        a.elements = satMul(a.elements, d.magnitude);
        if (a.elements == UINT64_MAX) overflow = true;
    }
    // descr
    if (descr->kind == Value::Str) {
        Field f;
        const std::string e = parseType(descr->str, f);
        if (!e.empty()) return bad((long long)(hstart + descr->pos), e);
        a.fields.push_back(f);
        a.itemSize = size_t(f.size);
    } else if (descr->kind == Value::List) {
        a.structured = true;
        if (descr->items.empty())
            return bad((long long)(hstart + descr->pos), "structured dtype without fields");
        size_t off = 0;
        for (const Value& t : descr->items) {
            const long long where = (long long)(hstart + t.pos);
            if (t.kind != Value::Tuple || t.items.size() < 2 || t.items[0].kind != Value::Str ||
                t.items[1].kind != Value::Str)
                return bad(where, "bad NPY header: a structured field must be ('name', 'type')");
            if (t.items.size() > 2) return bad(where, "sub-array field '" + t.items[0].str + "' is not read");
            Field f;
            f.name = t.items[0].str;
            const std::string e = parseType(t.items[1].str, f);
            if (!e.empty()) return bad(where, e + " for field '" + f.name + "'");
            for (const Field& g : a.fields)
                if (g.name == f.name) return bad(where, "field '" + f.name + "' appears twice");
            f.offset = off;
            off += size_t(f.size);
            a.fields.push_back(f);
        }
        a.itemSize = off;
        if (a.fortranOrder && a.shape.size() > 1)
            return bad((long long)(hstart + fortran->pos), "Fortran-ordered structured arrays are not read");
    } else {
        return bad((long long)(hstart + descr->pos),
                   "bad NPY header: descr must be a type string or a field list");
    }
    a.dataOffset = hstart + hlen;
    if (!checkData) return a;
    const uint64_t need = satMul(a.elements, a.itemSize);
    const uint64_t have = bytes.size() - a.dataOffset;
    if (overflow || need == UINT64_MAX)
        return bad((long long)(hstart + shape->pos),
                   "bad NPY header: shape " + shapeText(a.shape) + " is larger than any file can hold");
    if (have < need)
        return bad((long long)bytes.size(), "truncated NPY data: shape " + shapeText(a.shape) + " needs " +
                                                std::to_string(need) + " bytes after the header, " +
                                                std::to_string(have) + " present");
    if (have > need)
        return bad((long long)(a.dataOffset + need), std::to_string(have - need) +
                                                         " trailing bytes after the data of shape " +
                                                         shapeText(a.shape) + " (" + std::to_string(need) +
                                                         " bytes expected after the header)");
    a.bytes = std::move(bytes);
    return a;
}

} // namespace

Result<Array> parse(std::string bytes, const std::string& path) {
    return parseImpl(std::move(bytes), path, true);
}

Result<Array> parseHeader(const std::string& head, const std::string& path) {
    return parseImpl(head, path, false);
}

Result<Array> readFile(const std::string& path) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0)
        return Error{path, 0, "cannot open the file: " + std::string(std::strerror(errno))};
    if (!S_ISREG(st.st_mode)) return Error{path, 0, "not a regular file"};
    if (auto e = checkBudget(uint64_t(st.st_size), "reading this NPY file",
                             "split the array into smaller files", path))
        return *e;
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return Error{path, 0, "cannot open the file: " + std::string(std::strerror(errno))};
    std::string bytes(size_t(st.st_size), '\0');
    const size_t got = bytes.empty() ? 0 : std::fread(&bytes[0], 1, bytes.size(), f);
    std::fclose(f);
    bytes.resize(got);
    return parse(std::move(bytes), path);
}

double number(const unsigned char* p, const Field& f) {
    unsigned char b[8] = {0};
    std::memcpy(b, p, size_t(f.size));
    if (f.bigEndian) std::reverse(b, b + f.size);
    switch (f.kind) {
    case 'f': {
        if (f.size == 4) {
            float x;
            std::memcpy(&x, b, 4);
            return x;
        }
        double x;
        std::memcpy(&x, b, 8);
        return x;
    }
    case 'b':
        return b[0] ? 1 : 0;
    case 'i': {
        if (f.size == 1) return double(int8_t(b[0]));
        if (f.size == 2) {
            int16_t x;
            std::memcpy(&x, b, 2);
            return x;
        }
        if (f.size == 4) {
            int32_t x;
            std::memcpy(&x, b, 4);
            return x;
        }
        int64_t x;
        std::memcpy(&x, b, 8);
        return double(x);
    }
    case 'u': {
        uint64_t x = 0;
        for (int i = f.size - 1; i >= 0; --i) x = x << 8 | b[i];
        return double(x);
    }
    default:
        return 0; // text fields have no number
    }
}

std::string text(const unsigned char* p, const Field& f) {
    std::string s;
    if (f.kind == 'S') {
        for (int i = 0; i < f.size && p[i]; ++i) s += char(p[i]);
    } else if (f.kind == 'U') {
        for (int i = 0; i + 3 < f.size; i += 4) {
            unsigned char b[4];
            std::memcpy(b, p + i, 4);
            if (f.bigEndian) std::reverse(b, b + 4);
            const uint32_t cp =
                uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 | uint32_t(b[3]) << 24;
            if (!cp) break;
            s += cp < 128 ? char(cp) : '?';
        }
    }
    return s;
}

std::string float64Header(size_t rows, size_t cols) {
    std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + std::to_string(rows) + ", " +
                         std::to_string(cols) + "), }";
    const size_t total = 10 + header.size() + 1;
    header.append((64 - total % 64) % 64, ' ');
    header.push_back('\n');
    std::string out = kMagic;
    out.push_back(1);
    out.push_back(0);
    out.push_back(char(header.size() & 0xff));
    out.push_back(char(header.size() >> 8));
    return out + header;
}

} // namespace npy
} // namespace nr
