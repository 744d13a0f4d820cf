// Session files: what is open and how it is shown (files, colouring, edge filter, camera), as JSON.
// Pure parsing and validation, no Qt: the app applies a Session to its window (app/Session.cpp).
//
//   { "format": "neurorama-session", "version": 1,
//     "files": ["/abs/or/relative/to/the/session/file.graphml", ...],
//     "colorBy": "type",
//     "edgeFilter": { "minWeight": 0, "maxWeight": 5, "typeVisible": [true, false] },
//     "camera": { "position": [x, y, z], "focalPoint": [x, y, z], "viewUp": [x, y, z], "viewAngle": 30 } }
//
// Strict: the JSON grammar exactly (no NaN, no comments, no trailing commas), a duplicate key is an error,
// every value has its type and range checked, every listed file must exist and be a regular file (or a
// .zarr folder), not a FIFO, device or the session itself. Unknown keys are ignored (a
// later version may add some). Errors name the session file with the line of the bad value.
#pragma once

#include "model/Error.h"

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace nr {

struct SessionCamera {
    std::array<double, 3> position{}, focalPoint{}, viewUp{};
    std::optional<double> viewAngle; // degrees, (0, 180)
};

struct SessionEdgeFilter {
    std::optional<double> minWeight, maxWeight;
    std::vector<bool> typeVisible; // empty = not given
};

struct Session {
    int version = 1;
    std::vector<std::string> files; // absolute paths (relative entries resolved against the session's folder)
    // The entries of `files` that lie outside the session's folder (after resolving links and ".."). A
    // session is data someone may send: the window asks before opening these, the command line refuses
    // them unless --allow-outside-paths is given.
    std::vector<std::string> outside;
    std::string colorBy; // "" = not given
    std::optional<SessionEdgeFilter> edgeFilter;
    std::optional<SessionCamera> camera;
};

constexpr size_t kMaxSessionBytes = size_t(16) << 20;
constexpr size_t kMaxSessionFiles = 1000;

// Reads and validates a session file.
Result<Session> readSession(const std::string& path);
// Validates session JSON `text` as if read from `path` (relative files resolve against path's folder).
Result<Session> parseSession(const std::string& text, const std::string& path);
// The refusal of a session with entries outside its folder, when nobody can confirm them (command line):
// Error{path, 0, "the session opens 2 files outside its folder: A, B (give --allow-outside-paths to open
// them)"}; nothing when every entry is inside.
Status outsidePathsError(const Session& s, const std::string& path);

} // namespace nr
