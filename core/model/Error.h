// Error values carried by every reader and by anything that refuses bad input.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace nr {

// Where and why input was rejected. `line` is 1-based; 0 means "no line" (use byteOffset or nothing).
struct Error {
    std::string file;
    long line = 0;
    std::string reason;
    long long byteOffset = -1;

    // "FILE:LINE: reason" (or "FILE: reason" without a line), the form printed on stderr.
    std::string str() const {
        std::string s = file.empty() ? std::string("<input>") : file;
        if (line > 0) s += ":" + std::to_string(line);
        else if (byteOffset >= 0) s += ":@" + std::to_string(byteOffset);
        return s + ": " + reason;
    }
};

// A value or the Error that stopped it. Kept tiny on purpose: ok(), value(), error().
template <class T> class Result {
public:
    Result(T v) : v_(std::move(v)) {}
    Result(Error e) : v_(std::move(e)) {}
    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    const Error& error() const { return std::get<1>(v_); }

private:
    std::variant<T, Error> v_;
};

// For operations that return nothing but may fail.
using Status = std::optional<Error>;

} // namespace nr
