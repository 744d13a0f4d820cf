#include "morph/Json.h"

#include <cmath>
#include <cstdlib>
#include <cstring>

namespace nr {

namespace {

struct Parser {
    const std::string& s;
    size_t i = 0;
    std::string err;
    int depth = 0;

    void ws() {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
    }
    bool fail(const std::string& r) {
        if (err.empty()) err = "byte " + std::to_string(i) + ": " + r;
        return false;
    }
    bool lit(const char* w) {
        const size_t n = std::strlen(w);
        if (s.compare(i, n, w) != 0) return fail(std::string("expected ") + w);
        i += n;
        return true;
    }
    bool str(std::string& out) {
        if (i >= s.size() || s[i] != '"') return fail("expected a string");
        ++i;
        while (i < s.size() && s[i] != '"') {
            char c = s[i++];
            if (c == '\\') {
                if (i >= s.size()) return fail("unterminated escape");
                char e = s[i++];
                switch (e) {
                case 'n':
                    out += '\n';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case 'u': {
                    if (i + 4 > s.size()) return fail("short \\u escape");
                    const unsigned cp = unsigned(std::strtoul(s.substr(i, 4).c_str(), nullptr, 16));
                    i += 4;
                    if (cp < 0x80)
                        out += char(cp);
                    else if (cp < 0x800)
                        out += char(0xC0 | (cp >> 6)), out += char(0x80 | (cp & 0x3F));
                    else
                        out += char(0xE0 | (cp >> 12)), out += char(0x80 | ((cp >> 6) & 0x3F)),
                            out += char(0x80 | (cp & 0x3F));
                    break;
                }
                default:
                    out += e;
                }
            } else
                out += c;
        }
        if (i >= s.size()) return fail("unterminated string");
        ++i;
        return true;
    }
    bool value(JsonValue& v) {
        if (++depth > 64) return fail("nested too deeply");
        ws();
        if (i >= s.size()) return fail("unexpected end");
        const char c = s[i];
        bool ok = true;
        if (c == '{') {
            v.type = JsonValue::Object;
            ++i;
            ws();
            if (i < s.size() && s[i] == '}')
                ++i;
            else
                for (;;) {
                    ws();
                    std::string k;
                    JsonValue x;
                    if (!str(k)) return false;
                    ws();
                    if (i >= s.size() || s[i] != ':') return fail("expected ':'");
                    ++i;
                    if (!value(x)) return false;
                    v.obj.emplace_back(std::move(k), std::move(x));
                    ws();
                    if (i < s.size() && s[i] == ',') {
                        ++i;
                        continue;
                    }
                    if (i < s.size() && s[i] == '}') {
                        ++i;
                        break;
                    }
                    return fail("expected ',' or '}'");
                }
        } else if (c == '[') {
            v.type = JsonValue::Array;
            ++i;
            ws();
            if (i < s.size() && s[i] == ']')
                ++i;
            else
                for (;;) {
                    JsonValue x;
                    if (!value(x)) return false;
                    v.arr.push_back(std::move(x));
                    ws();
                    if (i < s.size() && s[i] == ',') {
                        ++i;
                        continue;
                    }
                    if (i < s.size() && s[i] == ']') {
                        ++i;
                        break;
                    }
                    return fail("expected ',' or ']'");
                }
        } else if (c == '"') {
            v.type = JsonValue::String;
            ok = str(v.str);
        } else if (c == 't') {
            v.type = JsonValue::Bool, v.b = true;
            ok = lit("true");
        } else if (c == 'f') {
            v.type = JsonValue::Bool;
            ok = lit("false");
        } else if (c == 'n') {
            ok = lit("null");
        } else if (c == 'N') {
            v.type = JsonValue::Number, v.num = NAN;
            ok = lit("NaN");
        } else {
            const char* b = s.c_str() + i;
            char* e = nullptr;
            v.num = std::strtod(b, &e);
            if (e == b) return fail("unexpected character");
            v.type = JsonValue::Number;
            v.str.assign(b, size_t(e - b));
            i += size_t(e - b);
        }
        --depth;
        return ok;
    }
};

} // namespace

bool parseJson(const std::string& text, JsonValue& out, std::string& error) {
    Parser p{text, 0, {}, 0};
    if (!p.value(out)) {
        error = p.err;
        return false;
    }
    p.ws();
    if (p.i != text.size()) {
        error = "byte " + std::to_string(p.i) + ": trailing characters";
        return false;
    }
    return true;
}

} // namespace nr
