#include "base/Json.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <unordered_set>

namespace nr {

// ---- JsonValue ------------------------------------------------------------------------------------------

JsonValue JsonValue::boolean(bool v) {
    JsonValue j;
    j.type = Bool;
    j.b = v;
    return j;
}

JsonValue JsonValue::number(double v) {
    JsonValue j;
    j.type = Number;
    j.num = v;
    return j;
}

JsonValue JsonValue::string(std::string v) {
    JsonValue j;
    j.type = String;
    j.str = std::move(v);
    return j;
}

JsonValue JsonValue::array() {
    JsonValue j;
    j.type = Array;
    return j;
}

JsonValue JsonValue::object() {
    JsonValue j;
    j.type = Object;
    return j;
}

JsonValue& JsonValue::set(const std::string& key, JsonValue v) {
    if (type != Object) {
        *this = object();
    }
    if (JsonValue* old = get(key))
        *old = std::move(v);
    else
        obj.emplace_back(key, std::move(v));
    return *this;
}

JsonValue& JsonValue::push(JsonValue v) {
    if (type != Array) *this = array();
    arr.push_back(std::move(v));
    return *this;
}

bool JsonValue::remove(const std::string& key) {
    for (auto it = obj.begin(); it != obj.end(); ++it)
        if (it->first == key) {
            obj.erase(it);
            return true;
        }
    return false;
}

const JsonValue* JsonValue::get(const std::string& key) const {
    if (type != Object) return nullptr;
    for (const auto& kv : obj)
        if (kv.first == key) return &kv.second;
    return nullptr;
}

JsonValue* JsonValue::get(const std::string& key) {
    if (type != Object) return nullptr;
    for (auto& kv : obj)
        if (kv.first == key) return &kv.second;
    return nullptr;
}

double JsonValue::numberOr(const std::string& key, double def) const {
    const JsonValue* v = get(key);
    return v && v->type == Number ? v->num : def;
}

std::string JsonValue::stringOr(const std::string& key, const std::string& def) const {
    const JsonValue* v = get(key);
    return v && v->type == String ? v->str : def;
}

bool JsonValue::boolOr(const std::string& key, bool def) const {
    const JsonValue* v = get(key);
    return v && v->type == Bool ? v->b : def;
}

bool JsonValue::operator==(const JsonValue& o) const {
    if (type != o.type) return false;
    switch (type) {
    case Null:
        return true;
    case Bool:
        return b == o.b;
    case Number:
        return num == o.num || (std::isnan(num) && std::isnan(o.num));
    case String:
        return str == o.str;
    case Array:
        return arr == o.arr;
    case Object:
        return obj == o.obj;
    }
    return false;
}

const char* jsonTypeName(JsonValue::Type t) {
    switch (t) {
    case JsonValue::Null:
        return "null";
    case JsonValue::Bool:
        return "true or false";
    case JsonValue::Number:
        return "a number";
    case JsonValue::String:
        return "a string";
    case JsonValue::Array:
        return "an array";
    case JsonValue::Object:
        return "an object";
    }
    return "?";
}

// ---- reader ---------------------------------------------------------------------------------------------

namespace {

struct ReadOptions {
    JsonLimits lim;
    bool allowNonFinite = false; // NaN, Infinity, -Infinity as numbers (metadata written by Python's json)
};

class Reader {
public:
    Reader(const std::string& text, const std::string& file, const ReadOptions& opt)
        : s_(text), file_(file), opt_(opt) {}

    Result<JsonValue> document() {
        JsonValue v;
        if (!value(v, 0)) return err_;
        ws();
        if (i_ != s_.size()) {
            fail("unexpected text after the JSON value");
            return err_;
        }
        return v;
    }

private:
    bool fail(const std::string& why) { return failAt(why, line_, i_); }
    bool failAt(const std::string& why, long line, size_t at) {
        if (err_.reason.empty()) err_ = Error{file_, line, "invalid JSON: " + why, (long long)at};
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
    static void utf8(unsigned cp, std::string& out) {
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
            if (h < 0) return fail("bad \\u escape (four hexadecimal digits expected)");
            cp = cp * 16 + unsigned(h);
        }
        i_ += 4;
        return true;
    }
    bool string(std::string& out) {
        ++i_; // opening quote
        while (true) {
            // Copy a run of plain characters at once.
            size_t j = i_;
            while (j < s_.size()) {
                const unsigned char c = static_cast<unsigned char>(s_[j]);
                if (c == '"' || c == '\\' || c < 0x20) break;
                ++j;
            }
            out.append(s_, i_, j - i_);
            i_ = j;
            if (i_ >= s_.size()) return fail("unterminated string");
            const unsigned char c = static_cast<unsigned char>(s_[i_]);
            if (c == '"') {
                ++i_;
                return true;
            }
            if (c < 0x20)
                return fail(c == 0 ? "NUL byte inside a string" : "control character inside a string");
            // a backslash
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
                --i_;
                return fail(std::string("unknown escape \\") + e);
            }
        }
    }
    bool nonFinite(JsonValue& v) {
        static const struct {
            const char* text;
            double value;
        } words[] = {{"NaN", NAN}, {"Infinity", INFINITY}, {"-Infinity", -INFINITY}};
        for (const auto& w : words)
            if (s_.compare(i_, std::strlen(w.text), w.text) == 0) {
                if (!opt_.allowNonFinite) return fail("NaN and Infinity are not JSON numbers");
                v.type = JsonValue::Number;
                v.num = w.value;
                v.str = w.text;
                i_ += std::strlen(w.text);
                return true;
            }
        return fail("unexpected character");
    }
    bool number(JsonValue& v) {
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
            return nonFinite(v);
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
        v.type = JsonValue::Number;
        v.str = s_.substr(start, i_ - start);
        // strtod rounds correctly; out-of-range values become ±inf (callers check ranges; the writer
        // writes a non-finite number as null).
        v.num = std::strtod(v.str.c_str(), nullptr);
        return true;
    }
    bool value(JsonValue& v, size_t depth) {
        ws();
        if (++values_ > opt_.lim.maxValues)
            return fail("more than " + std::to_string(opt_.lim.maxValues) +
                        " values (too many to hold in memory)");
        v.line = line_;
        if (i_ >= s_.size()) return fail("the file ends where a value should be (truncated?)");
        const char c = s_[i_];
        if ((c == '{' || c == '[') && depth >= opt_.lim.maxDepth)
            return fail("nested more than " + std::to_string(opt_.lim.maxDepth) + " levels deep");
        if (c == '{') {
            v.type = JsonValue::Object;
            ++i_;
            ws();
            if (i_ < s_.size() && s_[i_] == '}') {
                ++i_;
                return true;
            }
            std::unordered_set<std::string> keys; // filled once the object is large
            while (true) {
                ws();
                if (i_ >= s_.size()) return fail("the file ends inside an object (truncated?)");
                if (s_[i_] != '"') return fail("expected a key in double quotes");
                const long keyLine = line_;
                const size_t keyAt = i_;
                std::string key;
                if (!string(key)) return false;
                bool dup = false;
                if (keys.empty() && v.obj.size() < 16) {
                    for (const auto& kv : v.obj) dup = dup || kv.first == key;
                } else {
                    if (keys.empty())
                        for (const auto& kv : v.obj) keys.insert(kv.first);
                    dup = !keys.insert(key).second;
                }
                if (dup) return failAt("key \"" + key + "\" appears twice", keyLine, keyAt);
                ws();
                if (i_ >= s_.size()) return fail("the file ends inside an object (truncated?)");
                if (s_[i_] != ':') return fail("expected ':' after a key");
                ++i_;
                JsonValue x;
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
            v.type = JsonValue::Array;
            ++i_;
            ws();
            if (i_ < s_.size() && s_[i_] == ']') {
                ++i_;
                return true;
            }
            while (true) {
                JsonValue x;
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
            v.type = JsonValue::String;
            return string(v.str);
        }
        if (c == 't') {
            v.type = JsonValue::Bool;
            v.b = true;
            return literal("true");
        }
        if (c == 'f') {
            v.type = JsonValue::Bool;
            return literal("false");
        }
        if (c == 'n') return literal("null");
        return number(v);
    }

    const std::string& s_;
    std::string file_;
    ReadOptions opt_;
    size_t i_ = 0;
    long line_ = 1;
    size_t values_ = 0;
    Error err_;
};

std::string mib(size_t bytes) {
    return std::to_string((bytes + (size_t(1) << 20) - 1) >> 20) + " MiB";
}

} // namespace

Result<JsonValue> parseJson(const std::string& text, const std::string& file, const JsonLimits& lim) {
    if (text.size() > lim.maxBytes)
        return Error{file, 0,
                     "invalid JSON: too large (" + mib(text.size()) + "; at most " + mib(lim.maxBytes) + ")"};
    ReadOptions opt;
    opt.lim = lim;
    return Reader(text, file, opt).document();
}

bool parseJson(const std::string& text, JsonValue& out, std::string& error) {
    ReadOptions opt;
    opt.allowNonFinite = true;           // Zarr metadata written by Python's json module may hold NaN
    opt.lim.maxValues = size_t(1) << 21; // metadata, not data: about 200 MiB of values at most
    if (text.size() > opt.lim.maxBytes) {
        error = "byte 0: too large (" + mib(text.size()) + "; at most " + mib(opt.lim.maxBytes) + ")";
        return false;
    }
    auto r = Reader(text, "", opt).document();
    if (!r) {
        const Error& e = r.error();
        std::string reason = e.reason;
        if (reason.compare(0, 14, "invalid JSON: ") == 0) reason.erase(0, 14);
        error = "byte " + std::to_string(e.byteOffset < 0 ? 0 : e.byteOffset) + ": " + reason;
        return false;
    }
    out = std::move(r).value();
    return true;
}

// ---- writer ---------------------------------------------------------------------------------------------

namespace {

void writeNumber(double d, std::string& out) {
    if (!std::isfinite(d)) {
        out += "null";
        return;
    }
    char buf[64];
    // The shortest text that reads back to the same double; integral values get no fraction.
    const auto r = std::to_chars(buf, buf + sizeof buf, d);
    out.append(buf, r.ptr);
}

void writeString(const std::string& s, std::string& out) {
    static const char digits[] = "0123456789abcdef";
    out += '"';
    for (const char ch : s) {
        const unsigned char c = static_cast<unsigned char>(ch);
        if (c == '"') {
            out += "\\\"";
        } else if (c == '\\') {
            out += "\\\\";
        } else if (c < 0x20 || c == 0x7F) {
            out += "\\u00";
            out += digits[c >> 4];
            out += digits[c & 15];
        } else {
            out += ch;
        }
    }
    out += '"';
}

bool isScalar(const JsonValue& v) {
    return v.type == JsonValue::Null || v.type == JsonValue::Bool || v.type == JsonValue::Number;
}

void writeValue(const JsonValue& v, int indent, int level, std::string& out) {
    const bool pretty = indent > 0;
    auto newline = [&](int lvl) {
        if (!pretty) return;
        out += '\n';
        out.append(size_t(indent) * size_t(lvl), ' ');
    };
    switch (v.type) {
    case JsonValue::Null:
        out += "null";
        return;
    case JsonValue::Bool:
        out += v.b ? "true" : "false";
        return;
    case JsonValue::Number:
        writeNumber(v.num, out);
        return;
    case JsonValue::String:
        writeString(v.str, out);
        return;
    case JsonValue::Array: {
        if (v.arr.empty()) {
            out += "[]";
            return;
        }
        bool flat = !pretty;
        if (pretty) {
            flat = true;
            for (const JsonValue& x : v.arr) flat = flat && isScalar(x);
        }
        out += '[';
        for (size_t k = 0; k < v.arr.size(); ++k) {
            if (k) out += pretty && flat ? ", " : ",";
            if (!flat) newline(level + 1);
            writeValue(v.arr[k], indent, level + 1, out);
        }
        if (!flat) newline(level);
        out += ']';
        return;
    }
    case JsonValue::Object: {
        if (v.obj.empty()) {
            out += "{}";
            return;
        }
        out += '{';
        for (size_t k = 0; k < v.obj.size(); ++k) {
            if (k) out += ',';
            newline(level + 1);
            writeString(v.obj[k].first, out);
            out += pretty ? ": " : ":";
            writeValue(v.obj[k].second, indent, level + 1, out);
        }
        newline(level);
        out += '}';
        return;
    }
    }
}

std::string numberText(double d) {
    std::string s;
    writeNumber(d, s);
    return s;
}

} // namespace

std::string writeJson(const JsonValue& v, int indent) {
    std::string out;
    writeValue(v, indent < 0 ? 0 : indent, 0, out);
    if (indent > 0) out += '\n';
    return out;
}

// ---- typed access ---------------------------------------------------------------------------------------

Error jsonError(const JsonValue& v, const std::string& file, const std::string& reason) {
    return Error{file, v.line, reason};
}

Result<double> jsonNumber(const JsonValue& obj, const std::string& key, const std::string& file, double lo,
                          double hi, std::optional<double> def) {
    const JsonValue* v = obj.get(key);
    const std::string what =
        "\"" + key + "\" must be a number in [" + numberText(lo) + ", " + numberText(hi) + "]";
    if (!v) {
        if (def) return *def;
        return jsonError(obj, file, "no \"" + key + "\" (" + what.substr(key.size() + 3) + ")");
    }
    if (v->type != JsonValue::Number) return jsonError(*v, file, what + ", not " + jsonTypeName(v->type));
    if (!(v->num >= lo && v->num <= hi))
        return jsonError(*v, file, what + ", not " + (v->str.empty() ? numberText(v->num) : v->str));
    return v->num;
}

Result<std::string> jsonString(const JsonValue& obj, const std::string& key, const std::string& file,
                               std::optional<std::string> def, size_t maxLen) {
    const JsonValue* v = obj.get(key);
    if (!v) {
        if (def) return *def;
        return jsonError(obj, file, "no \"" + key + "\" (a string)");
    }
    if (v->type != JsonValue::String)
        return jsonError(*v, file, "\"" + key + "\" must be a string, not " + jsonTypeName(v->type));
    if (v->str.size() > maxLen)
        return jsonError(*v, file,
                         "\"" + key + "\" is longer than " + std::to_string(maxLen) + " characters");
    return v->str;
}

Result<bool> jsonBool(const JsonValue& obj, const std::string& key, const std::string& file,
                      std::optional<bool> def) {
    const JsonValue* v = obj.get(key);
    if (!v) {
        if (def) return *def;
        return jsonError(obj, file, "no \"" + key + "\" (true or false)");
    }
    if (v->type != JsonValue::Bool)
        return jsonError(*v, file, "\"" + key + "\" must be true or false, not " + jsonTypeName(v->type));
    return v->b;
}

} // namespace nr
