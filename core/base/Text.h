// Small text helpers every part of core uses (one copy of each).
#pragma once

#include <string>
#include <string_view>

namespace nr {

// ASCII lower case ("Time_S" -> "time_s"); other bytes are kept as they are.
std::string lower(std::string_view s);

} // namespace nr
