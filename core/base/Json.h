// JSON for everything Neurorama reads and writes as JSON (sessions, Zarr metadata, plugin parameters): one
// strict reader that remembers the line of every value, and one deterministic writer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/Error.h"

namespace nr {

struct JsonValue {
    enum Type { Null, Bool, Number, String, Array, Object } type = Null;
    bool b = false;
    double num = 0;
    std::string str; // String; for a parsed Number also its text as written
    std::vector<JsonValue> arr;
    std::vector<std::pair<std::string, JsonValue>> obj; // in the order written
    long line = 0;                                      // 1-based line where a parsed value starts (0: built)

    // ---- building ---------------------------------------------------------------------------------
    static JsonValue boolean(bool v);
    static JsonValue number(double v); // a non-finite number is written as null
    static JsonValue string(std::string v);
    static JsonValue array();
    static JsonValue object();
    // Object: replaces the value of `key` or appends it. Returns *this (chainable).
    JsonValue& set(const std::string& key, JsonValue v);
    JsonValue& set(const std::string& key, double v) { return set(key, number(v)); }
    JsonValue& set(const std::string& key, const char* v) { return set(key, string(v)); }
    JsonValue& set(const std::string& key, const std::string& v) { return set(key, string(v)); }
    JsonValue& set(const std::string& key, bool v) { return set(key, boolean(v)); }
    // Array: appends. Returns *this.
    JsonValue& push(JsonValue v);
    bool remove(const std::string& key);

    // ---- reading ----------------------------------------------------------------------------------
    const JsonValue* get(const std::string& key) const;
    JsonValue* get(const std::string& key);
    bool isNull() const { return type == Null; }
    bool isObject() const { return type == Object; }
    bool isArray() const { return type == Array; }
    bool isNumber() const { return type == Number; }
    bool isString() const { return type == String; }
    bool isBool() const { return type == Bool; }
    // Convenience with a default when the key is absent or of another type.
    double numberOr(const std::string& key, double def) const;
    std::string stringOr(const std::string& key, const std::string& def) const;
    bool boolOr(const std::string& key, bool def) const;

    bool operator==(const JsonValue& o) const; // structural (numbers by value, object keys in order)
    bool operator!=(const JsonValue& o) const { return !(*this == o); }
};

// "null", "true or false", "a number", "a string", "an array", "an object" (for messages).
const char* jsonTypeName(JsonValue::Type t);

struct JsonLimits {
    size_t maxDepth = 256;
    size_t maxBytes = size_t(256) << 20;
    // Values (of any type, nested ones included): each costs a JsonValue in memory, so a file of tiny values
    // ("[0,0,0,...") is refused here before it fills memory.
    size_t maxValues = size_t(1) << 26;
};

// Parses `text` strictly: the RFC 8259 grammar exactly (no NaN, no comments, no trailing commas, no control
// characters in strings, valid UTF-8 escapes), a duplicate key in an object is an error, nesting deeper than
// maxDepth is an error, more than maxValues values too. Errors are Error{file, line, "invalid JSON: reason",
// byteOffset}.
Result<JsonValue> parseJson(const std::string& text, const std::string& file, const JsonLimits& lim = {});
// Older form used by the Zarr reader: false and "byte N: reason" on failure. The same reader, except that it
// takes NaN, Infinity and -Infinity as numbers (Zarr metadata written by Python's json module holds them).
bool parseJson(const std::string& text, JsonValue& out, std::string& error);

// Writes `v` deterministically: objects keep their order, `indent` spaces per level (0: one line), arrays of
// numbers/booleans/null on one line, numbers as the shortest text that reads back to the same double
// (integers without a fraction), strings escaped (control characters as \u00XX, UTF-8 kept), a final newline
// when indent > 0. The same value always gives the same bytes.
std::string writeJson(const JsonValue& v, int indent = 2);

// Typed access with errors naming the file and the value's line, for validating documents:
//   auto n = jsonNumber(obj, "opacity", file, 0.0, 1.0);
//   // Error "FILE:12: "opacity" must be a number in [0, 1], not 3"
// The `required` forms fail when the key is absent; the others return `def`.
Result<double> jsonNumber(const JsonValue& obj, const std::string& key, const std::string& file, double lo,
                          double hi, std::optional<double> def = std::nullopt);
Result<std::string> jsonString(const JsonValue& obj, const std::string& key, const std::string& file,
                               std::optional<std::string> def = std::nullopt, size_t maxLen = 1 << 20);
Result<bool> jsonBool(const JsonValue& obj, const std::string& key, const std::string& file,
                      std::optional<bool> def = std::nullopt);
// An Error at the value's line: Error{file, v.line, reason}.
Error jsonError(const JsonValue& v, const std::string& file, const std::string& reason);

} // namespace nr
