#include "io/SessionFile.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sys/stat.h>

#include "model/FileKind.h"

namespace nr {

namespace {

// ---- a strict JSON reader that remembers where each value starts ---------------------------------------
struct JVal {
    enum Type { Null, Bool, Number, String, Array, Object } type = Null;
    bool b = false;
    double num = 0;
    std::string str;
    std::vector<JVal> arr;
    std::vector<std::pair<std::string, JVal>> obj;
    long line = 1;
    long long offset = 0;

    const JVal* get(const std::string& key) const {
        for (const auto& kv : obj)
            if (kv.first == key) return &kv.second;
        return nullptr;
    }
};

const char* typeName(JVal::Type t) {
    switch (t) {
    case JVal::Null:
        return "null";
    case JVal::Bool:
        return "true or false";
    case JVal::Number:
        return "a number";
    case JVal::String:
        return "a string";
    case JVal::Array:
        return "an array";
    case JVal::Object:
        return "an object";
    }
    return "?";
}

class JsonReader {
public:
    JsonReader(const std::string& text, const std::string& file) : s_(text), file_(file) {}

    Result<JVal> document() {
        JVal v;
        if (!value(v, 0)) return err_;
        ws();
        if (i_ != s_.size()) {
            fail("unexpected text after the JSON value");
            return err_;
        }
        return v;
    }

private:
    bool fail(const std::string& why) {
        if (err_.reason.empty()) err_ = Error{file_, line_, "invalid JSON: " + why, (long long)i_};
        return false;
    }
    void ws() {
        while (i_ < s_.size()) {
            const char c = s_[i_];
            if (c == '\n')
                ++line_;
            else if (c != ' ' && c != '\t' && c != '\r')
                break;
            ++i_;
        }
    }
    bool literal(const char* w) {
        const size_t n = std::strlen(w);
        if (s_.compare(i_, n, w) != 0) return fail("unexpected character");
        i_ += n;
        return true;
    }
    static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }
    void utf8(unsigned cp, std::string& out) {
        if (cp < 0x80) {
            out += char(cp);
        } else if (cp < 0x800) {
            out += char(0xC0 | (cp >> 6));
            out += char(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += char(0xE0 | (cp >> 12));
            out += char(0x80 | ((cp >> 6) & 0x3F));
            out += char(0x80 | (cp & 0x3F));
        } else {
            out += char(0xF0 | (cp >> 18));
            out += char(0x80 | ((cp >> 12) & 0x3F));
            out += char(0x80 | ((cp >> 6) & 0x3F));
            out += char(0x80 | (cp & 0x3F));
        }
    }
    bool hex4(unsigned& cp) {
        if (i_ + 4 > s_.size()) return fail("truncated \\u escape");
        cp = 0;
        for (int k = 0; k < 4; ++k) {
            const int h = hex(s_[i_ + size_t(k)]);
            if (h < 0) return fail("bad \\u escape");
            cp = cp * 16 + unsigned(h);
        }
        i_ += 4;
        return true;
    }
    bool string(std::string& out) {
        ++i_; // opening quote
        while (true) {
            if (i_ >= s_.size()) return fail("unterminated string");
            const unsigned char c = static_cast<unsigned char>(s_[i_]);
            if (c == '"') {
                ++i_;
                return true;
            }
            if (c < 0x20)
                return fail(c == 0 ? "NUL byte inside a string" : "control character inside a string");
            if (c != '\\') {
                out += char(c);
                ++i_;
                continue;
            }
            if (++i_ >= s_.size()) return fail("unterminated escape");
            const char e = s_[i_++];
            switch (e) {
            case '"':
                out += '"';
                break;
            case '\\':
                out += '\\';
                break;
            case '/':
                out += '/';
                break;
            case 'b':
                out += '\b';
                break;
            case 'f':
                out += '\f';
                break;
            case 'n':
                out += '\n';
                break;
            case 'r':
                out += '\r';
                break;
            case 't':
                out += '\t';
                break;
            case 'u': {
                unsigned cp = 0;
                if (!hex4(cp)) return false;
                if (cp >= 0xD800 && cp < 0xDC00) {
                    unsigned lo = 0;
                    if (s_.compare(i_, 2, "\\u") != 0) return fail("unpaired surrogate in \\u escape");
                    i_ += 2;
                    if (!hex4(lo)) return false;
                    if (lo < 0xDC00 || lo > 0xDFFF) return fail("unpaired surrogate in \\u escape");
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    return fail("unpaired surrogate in \\u escape");
                }
                if (cp == 0) return fail("\\u0000 inside a string");
                utf8(cp, out);
                break;
            }
            default:
                return fail(std::string("unknown escape \\") + e);
            }
        }
    }
    bool number(JVal& v) {
        const size_t start = i_;
        if (i_ < s_.size() && s_[i_] == '-') ++i_;
        auto digits = [&] {
            const size_t d = i_;
            while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
            return i_ - d;
        };
        if (i_ < s_.size() && s_[i_] == '0') {
            ++i_;
        } else if (digits() == 0) {
            i_ = start;
            if (s_.compare(i_, 3, "NaN") == 0 || s_.compare(i_, 8, "Infinity") == 0 ||
                s_.compare(i_, 9, "-Infinity") == 0)
                return fail("NaN and Infinity are not JSON numbers");
            return fail("unexpected character");
        }
        if (i_ < s_.size() && s_[i_] == '.') {
            ++i_;
            if (digits() == 0) return fail("a number needs digits after its '.'");
        }
        if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
            ++i_;
            if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
            if (digits() == 0) return fail("a number needs digits in its exponent");
        }
        v.type = JVal::Number;
        v.str = s_.substr(start, i_ - start);
        v.num = std::strtod(v.str.c_str(), nullptr);
        return true;
    }
    bool value(JVal& v, int depth) {
        if (depth > 32) return fail("nested more than 32 levels deep");
        ws();
        v.line = line_;
        v.offset = (long long)i_;
        if (i_ >= s_.size()) return fail("the file ends where a value should be (truncated?)");
        const char c = s_[i_];
        if (c == '{') {
            v.type = JVal::Object;
            ++i_;
            ws();
            if (i_ < s_.size() && s_[i_] == '}') {
                ++i_;
                return true;
            }
            while (true) {
                ws();
                if (i_ >= s_.size()) return fail("the file ends inside an object (truncated?)");
                if (s_[i_] != '"') return fail("expected a key in double quotes");
                const long keyLine = line_;
                const size_t keyAt = i_;
                std::string key;
                if (!string(key)) return false;
                if (v.get(key)) {
                    err_ = Error{file_, keyLine, "key \"" + key + "\" appears twice", (long long)keyAt};
                    return false;
                }
                ws();
                if (i_ >= s_.size() || s_[i_] != ':') return fail("expected ':' after a key");
                ++i_;
                JVal x;
                if (!value(x, depth + 1)) return false;
                v.obj.emplace_back(std::move(key), std::move(x));
                ws();
                if (i_ >= s_.size()) return fail("the file ends inside an object (truncated?)");
                if (s_[i_] == ',') {
                    ++i_;
                    continue;
                }
                if (s_[i_] == '}') {
                    ++i_;
                    return true;
                }
                return fail("expected ',' or '}'");
            }
        }
        if (c == '[') {
            v.type = JVal::Array;
            ++i_;
            ws();
            if (i_ < s_.size() && s_[i_] == ']') {
                ++i_;
                return true;
            }
            while (true) {
                JVal x;
                if (!value(x, depth + 1)) return false;
                v.arr.push_back(std::move(x));
                ws();
                if (i_ >= s_.size()) return fail("the file ends inside an array (truncated?)");
                if (s_[i_] == ',') {
                    ++i_;
                    continue;
                }
                if (s_[i_] == ']') {
                    ++i_;
                    return true;
                }
                return fail("expected ',' or ']'");
            }
        }
        if (c == '"') {
            v.type = JVal::String;
            return string(v.str);
        }
        if (c == 't') {
            v.type = JVal::Bool;
            v.b = true;
            return literal("true");
        }
        if (c == 'f') {
            v.type = JVal::Bool;
            return literal("false");
        }
        if (c == 'n') return literal("null");
        return number(v);
    }

    const std::string& s_;
    std::string file_;
    size_t i_ = 0;
    long line_ = 1;
    Error err_;
};

// ---- session validation ---------------------------------------------------------------------------------
class Checker {
public:
    explicit Checker(const std::string& file) : file_(file) {}
    Error at(const JVal& v, const std::string& why) const { return Error{file_, v.line, why}; }
    // nullopt when `v` is of type `t`, else the error.
    Status type(const JVal& v, JVal::Type t, const std::string& name) const {
        if (v.type == t) return std::nullopt;
        return at(v, name + " must be " + typeName(t) + ", not " + typeName(v.type));
    }
    Status finite(const JVal& v, const std::string& name) const {
        if (auto e = type(v, JVal::Number, name)) return e;
        if (!std::isfinite(v.num))
            return at(v, name + " = " + v.str + " is out of range (not a finite number)");
        return std::nullopt;
    }
    Result<std::array<double, 3>> vec3(const JVal& v, const std::string& name) const {
        if (auto e = type(v, JVal::Array, name)) return *e;
        if (v.arr.size() != 3)
            return at(v, name + " must hold 3 numbers (x, y, z), not " + std::to_string(v.arr.size()));
        std::array<double, 3> out{};
        for (size_t k = 0; k < 3; ++k) {
            if (auto e = finite(v.arr[k], name + "[" + std::to_string(k) + "]")) return *e;
            out[k] = v.arr[k].num;
        }
        return out;
    }

private:
    std::string file_;
};

std::string folderOf(const std::string& path) {
    const size_t slash = path.find_last_of('/');
    return slash == std::string::npos ? std::string(".") : path.substr(0, slash == 0 ? 1 : slash);
}

// The path with every link, "." and ".." resolved ("" when it cannot be resolved).
std::string canonical(const std::string& path) {
    char* r = ::realpath(path.c_str(), nullptr);
    if (!r) return {};
    std::string s(r);
    std::free(r);
    return s;
}

// True when `path` (resolved) lies inside `folder` (resolved) or below it.
bool inside(const std::string& path, const std::string& folder) {
    if (path.empty() || folder.empty()) return false;
    if (folder == "/") return true;
    return path.size() > folder.size() && path.compare(0, folder.size(), folder) == 0 &&
           path[folder.size()] == '/';
}

} // namespace

Result<Session> parseSession(const std::string& text, const std::string& path) {
    if (text.size() > kMaxSessionBytes)
        return Error{path, 0,
                     "too large for a session file (" + std::to_string(text.size() >> 20) + " MiB; at most " +
                         std::to_string(kMaxSessionBytes >> 20) + " MiB)"};
    if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) // a UTF-8 byte order mark: skip it, keeping the lines
        return parseSession(std::string(3, ' ') + text.substr(3), path);
    if (text.find_first_not_of(" \t\r\n") == std::string::npos)
        return Error{path, 0, "empty file, not a session"};
    if (text.size() >= 2 &&
        ((text[0] == '\xff' && text[1] == '\xfe') || (text[0] == '\xfe' && text[1] == '\xff')))
        return Error{path, 0, "UTF-16 text; a session is UTF-8 JSON", 0};
    JsonReader reader(text, path);
    auto doc = reader.document();
    if (!doc) return doc.error();
    const JVal& o = doc.value();
    const Checker ck(path);
    if (o.type != JVal::Object)
        return ck.at(o, std::string("a session is a JSON object, not ") + typeName(o.type));
    const JVal* format = o.get("format");
    if (!format || format->type != JVal::String || format->str != "neurorama-session")
        return Error{path, format ? format->line : 0,
                     "not a Neurorama session (no \"format\": \"neurorama-session\")"};
    Session s;
    if (const JVal* v = o.get("version")) {
        if (auto e = ck.type(*v, JVal::Number, "\"version\"")) return *e;
        if (v->num != std::floor(v->num) || v->num < 1 || v->num > 1e9)
            return ck.at(*v, "\"version\" must be a positive integer, not " + v->str);
        if (v->num != 1)
            return ck.at(*v, "unsupported session version " + v->str + " (this Neurorama reads version 1)");
        s.version = 1;
    } else {
        return Error{path, 0, "no \"version\""};
    }
    if (const JVal* v = o.get("files")) {
        if (auto e = ck.type(*v, JVal::Array, "\"files\"")) return *e;
        if (v->arr.size() > kMaxSessionFiles)
            return ck.at(*v, "\"files\" lists " + std::to_string(v->arr.size()) + " files; at most " +
                                 std::to_string(kMaxSessionFiles));
        const std::string folder = folderOf(path);
        const std::string realFolder = canonical(folder), realSelf = canonical(path);
        for (size_t k = 0; k < v->arr.size(); ++k) {
            const JVal& f = v->arr[k];
            const std::string name = "\"files\"[" + std::to_string(k) + "]";
            if (auto e = ck.type(f, JVal::String, name)) return *e;
            if (f.str.empty()) return ck.at(f, name + " is an empty file name");
            if (f.str.size() > 4096) return ck.at(f, name + " is longer than 4096 characters");
            const std::string full = f.str[0] == '/' ? f.str : folder + "/" + f.str;
            struct stat st;
            if (::stat(full.c_str(), &st) != 0)
                return ck.at(f, name + ": " + full +
                                    " does not exist (moved or deleted since the session was saved?)");
            if (S_ISDIR(st.st_mode) && f.str.find(".zarr") == std::string::npos)
                return ck.at(f, name + ": " + full + " is a folder, not a data file");
            // A FIFO, socket or device would block or never end when read: refuse it by name, unopened.
            if (Status bad = S_ISDIR(st.st_mode) ? requireFileOrFolder(full, "data file")
                                                 : requireRegularFile(full, "data file"))
                return ck.at(f, name + ": " + full + " " + bad->reason);
            const std::string real = canonical(full);
            if (!realSelf.empty() && real == realSelf)
                return ck.at(f, name + ": " + full + " is this session file itself, not a data file");
            if (!inside(real, realFolder)) s.outside.push_back(full);
            s.files.push_back(full);
        }
    }
    if (const JVal* v = o.get("colorBy")) {
        if (auto e = ck.type(*v, JVal::String, "\"colorBy\"")) return *e;
        if (v->str.size() > 256) return ck.at(*v, "\"colorBy\" is longer than 256 characters");
        s.colorBy = v->str;
    }
    if (const JVal* v = o.get("edgeFilter")) {
        if (auto e = ck.type(*v, JVal::Object, "\"edgeFilter\"")) return *e;
        SessionEdgeFilter f;
        for (const char* key : {"minWeight", "maxWeight"}) {
            if (const JVal* w = v->get(key)) {
                if (auto e = ck.finite(*w, std::string("\"edgeFilter\".") + key)) return *e;
                (std::strcmp(key, "minWeight") == 0 ? f.minWeight : f.maxWeight) = w->num;
            }
        }
        if (f.minWeight && f.maxWeight && *f.minWeight > *f.maxWeight)
            return ck.at(*v, "\"edgeFilter\": minWeight " + v->get("minWeight")->str +
                                 " is above maxWeight " + v->get("maxWeight")->str);
        if (const JVal* t = v->get("typeVisible")) {
            if (auto e = ck.type(*t, JVal::Array, "\"edgeFilter\".typeVisible")) return *e;
            if (t->arr.size() > 256)
                return ck.at(*t, "\"edgeFilter\".typeVisible has " + std::to_string(t->arr.size()) +
                                     " entries; at most 256");
            for (size_t k = 0; k < t->arr.size(); ++k) {
                if (auto e = ck.type(t->arr[k], JVal::Bool,
                                     "\"edgeFilter\".typeVisible[" + std::to_string(k) + "]"))
                    return *e;
                f.typeVisible.push_back(t->arr[k].b);
            }
        }
        s.edgeFilter = f;
    }
    if (const JVal* v = o.get("camera")) {
        if (auto e = ck.type(*v, JVal::Object, "\"camera\"")) return *e;
        SessionCamera c;
        const char* keys[3] = {"position", "focalPoint", "viewUp"};
        std::array<double, 3>* dst[3] = {&c.position, &c.focalPoint, &c.viewUp};
        for (int k = 0; k < 3; ++k) {
            const JVal* p = v->get(keys[k]);
            if (!p) return ck.at(*v, std::string("\"camera\" has no ") + keys[k]);
            auto r = ck.vec3(*p, std::string("\"camera\".") + keys[k]);
            if (!r) return r.error();
            *dst[k] = r.value();
        }
        const double upLen = std::hypot(c.viewUp[0], c.viewUp[1], c.viewUp[2]);
        if (!(upLen > 0)) return ck.at(*v->get("viewUp"), "\"camera\".viewUp is the zero vector");
        if (c.position == c.focalPoint)
            return ck.at(*v->get("position"),
                         "\"camera\".position is the focal point itself (no view direction)");
        double far = 0;
        for (int k = 0; k < 3; ++k)
            far = std::max({far, std::fabs(c.position[size_t(k)]), std::fabs(c.focalPoint[size_t(k)])});
        if (far > 1e15)
            return ck.at(*v,
                         "\"camera\" coordinates beyond 1e15 (a corrupt camera: the view would be empty)");
        if (const JVal* a = v->get("viewAngle")) {
            if (auto e = ck.finite(*a, "\"camera\".viewAngle")) return *e;
            if (!(a->num > 0 && a->num < 180))
                return ck.at(*a, "\"camera\".viewAngle must be between 0 and 180 degrees, not " + a->str);
            c.viewAngle = a->num;
        }
        s.camera = c;
    }
    return s;
}

Status outsidePathsError(const Session& s, const std::string& path) {
    if (s.outside.empty()) return std::nullopt;
    std::string list;
    for (size_t k = 0; k < s.outside.size() && k < 20; ++k) list += (k ? ", " : "") + s.outside[k];
    if (s.outside.size() > 20) list += ", ... (" + std::to_string(s.outside.size() - 20) + " more)";
    const bool one = s.outside.size() == 1;
    return Error{path, 0,
                 "the session opens " +
                     (one ? std::string("a file") : std::to_string(s.outside.size()) + " files") +
                     " outside its folder: " + list + " (give --allow-outside-paths to open " +
                     (one ? "it" : "them") + ")"};
}

Result<Session> readSession(const std::string& path) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0)
        return Error{path, 0, "cannot open the session: " + std::string(std::strerror(errno))};
    if (S_ISDIR(st.st_mode)) return Error{path, 0, "is a folder, not a session file"};
    // A FIFO or device named like a session: refused before it is opened (opening a FIFO blocks).
    if (Status bad = requireRegularFile(path, "session")) return *bad;
    if (uint64_t(st.st_size) > kMaxSessionBytes)
        return Error{path, 0,
                     "too large for a session file (" + std::to_string(uint64_t(st.st_size) >> 20) +
                         " MiB; at most " + std::to_string(kMaxSessionBytes >> 20) + " MiB)"};
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error{path, 0, "cannot open the session for reading"};
    std::string text(size_t(st.st_size), '\0');
    in.read(&text[0], std::streamsize(text.size()));
    text.resize(size_t(in.gcount()));
    return parseSession(text, path);
}

} // namespace nr
