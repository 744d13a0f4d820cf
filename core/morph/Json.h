// Internal to nr_morph: a small JSON reader for Zarr metadata (.zarray, .zattrs, .zgroup).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace nr {

struct JsonValue {
    enum Type { Null, Bool, Number, String, Array, Object } type = Null;
    bool b = false;
    double num = 0;
    std::string str; // String; also the number's text for Number
    std::vector<JsonValue> arr;
    std::vector<std::pair<std::string, JsonValue>> obj;

    const JsonValue* get(const std::string& key) const {
        for (auto& kv : obj)
            if (kv.first == key) return &kv.second;
        return nullptr;
    }
    bool isNull() const { return type == Null; }
};

// Parses `text`; on failure returns false and sets `error` ("byte N: reason").
bool parseJson(const std::string& text, JsonValue& out, std::string& error);

} // namespace nr
