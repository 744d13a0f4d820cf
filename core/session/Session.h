// Sessions: the whole workspace as one JSON file (schema: docs/SESSION.md). One module reads and writes it:
// document -> SessionDoc -> JSON and JSON -> SessionDoc; the app opens the layers' files and hands each
// layer's `state` to the presenter of its kind (app/layers/).
//
//   { "format": "neurorama-session", "version": 2, "generator": "neurorama 0.1.0",
//     "layers": [ { "id": 1, "kind": "graph", "name": "herm_full_edgelist", "owner": 0,
//                   "files": [ { "path": "herm_full_edgelist.csv", "size": 123, "hash": "9f…",
//                                "options": { "array": "volumes/gt" } } ],
//                   "display": { "visible": true, "colorBy": "", "colorMap": "", "opacity": 1,
//                                "pointSize": 1, "edgeSize": 1 },
//                   "state": { … kind-specific: filters, selection, results, simulation … } } ],
//     "selected": 1,
//     "cameras": { "connectome": { "position": [x,y,z], "focalPoint": [x,y,z], "viewUp": [x,y,z],
//                                  "viewAngle": 30 } },
//     "window": { "activeTab": "connectome", "dockState": "base64…" } }
//
// Version 1 files ({"files": [...], "colorBy", "edgeFilter", "camera"}) read as one graph layer (or the demo
// network when "files" is empty) with state {"colorBy", "edgeFilter"} and the connectome camera.
// A version above kSessionVersion, a damaged file, a wrong type or range is an Error naming the session file
// and the line. A layer whose file is missing is not an error: the layer is marked `missing` and listed in
// SessionDoc::missing so the other layers still open. A file whose size or hash differs from the saved
// fingerprint is listed in SessionDoc::changed (a warning).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/Json.h"
#include "model/Document.h"
#include "model/Error.h"
#include "model/LayerKind.h"
#include "session/Figure.h"

namespace nr {

constexpr int kSessionVersion = 2;
constexpr size_t kMaxSessionBytes = size_t(256) << 20; // results (node columns, matrices) can be large
constexpr size_t kMaxSessionLayers = 1000;
constexpr size_t kMaxSessionFiles = 1000; // per layer

struct SessionFileRef {
    std::string path; // absolute after reading (relative entries resolve against the session's folder)
    std::vector<std::pair<std::string, std::string>> options; // reader options ("array", "voxel_size", "as"…)
    int64_t size = -1;                                        // fingerprint when saved (-1: none)
    std::string hash; // hex of a 64-bit hash of the first and last MiB ("" : none)
};

struct SessionCamera {
    std::array<double, 3> position{}, focalPoint{}, viewUp{0, 0, 1};
    double viewAngle = 30; // degrees, (0, 180)
};

struct SessionLayer {
    uint64_t id = 0; // the layer's id inside the session (owner and state references use it); > 0
    LayerKind kind = LayerKind::Graph;
    std::string name;
    uint64_t owner = 0; // 0 or the id of another layer of the session
    std::vector<SessionFileRef> files;
    LayerDisplay display;
    JsonValue state = JsonValue::object(); // kind-specific, interpreted by the app's presenter of `kind`
    bool missing = false;                  // reading: a file of this layer does not exist
};

struct SessionDoc {
    int version = kSessionVersion; // of the file read (a version 1 file is converted)
    std::vector<SessionLayer> layers;
    uint64_t selected = 0;
    std::map<std::string, SessionCamera> cameras; // per 3-D view: "connectome", "vessels", "neurons"
    JsonValue window = JsonValue::object();       // "activeTab", "dockState" (base64) …
    std::vector<Figure> figures;                  // composed figures, by name (session/Figure.h)

    // Filled by reading:
    std::vector<std::string> outside; // files outside the session's folder (after resolving links and "..")
    std::vector<std::string> missing; // "NAME (KIND): FILE does not exist" per missing file
    std::vector<std::string> changed; // "FILE changed since the session was saved (size A → B)" or "(contents
                                      // differ)"
};

// "graph", "spikes", "simulation", "vessels", "morphologies", "label_volume", "traces", "image".
const char* sessionKindName(LayerKind k);
std::optional<LayerKind> sessionKindFromName(const std::string& name);

// Reads and validates a session file (at most kMaxSessionBytes; refuses FIFOs, devices and folders).
Result<SessionDoc> readSession(const std::string& path);
// Validates session JSON `text` as if read from `path`.
Result<SessionDoc> parseSession(const std::string& text, const std::string& path);

// The session's JSON as it would be written to `sessionPath`: files in the session's folder (or below) are
// written relative to it, others absolute; fingerprints as given (see fingerprintFiles). Deterministic.
std::string sessionJson(const SessionDoc& s, const std::string& sessionPath);
// Computes size and hash of every file of every layer (files that cannot be read, and folders, keep what they
// had: -1/"" unless read from a session).
void fingerprintFiles(SessionDoc& s);
// Size and hash of one file: the hash covers the size, the first MiB and the last MiB. False when unreadable.
bool fingerprintFile(const std::string& path, int64_t& size, std::string& hash);

// fingerprintFiles + sessionJson + writeFileAtomic.
Status saveSession(SessionDoc s, const std::string& path);

// Writes `bytes` to `path` atomically: a temporary file in the same folder, write, flush, fsync, rename over
// `path`, fsync of the folder. On any failure the temporary file is removed and `path` is untouched; the
// Error names `path` and the failing step ("no space left on device while writing").
Status writeFileAtomic(const std::string& path, const std::string& bytes);
// Test hook: called with the temporary file's path after it is written and synced, before the rename; when
// it returns false the save fails there ("interrupted before rename") as a crash at that point would.
void setAtomicWriteHook(std::function<bool(const std::string& tmpPath)> hook);

// The refusal of a session with entries outside its folder, when nobody can confirm them (command line):
// Error{path, 0, "the session opens 2 files outside its folder: A, B (give --allow-outside-paths to open
// them)"}; nothing when every entry is inside.
Status outsidePathsError(const SessionDoc& s, const std::string& path);

// A camera object as a session holds it (position, focalPoint, viewUp, viewAngle), checked like the
// session's own cameras; `name` is how errors call it.
Result<SessionCamera> parseSessionCamera(const JsonValue& v, const std::string& file,
                                         const std::string& name);
JsonValue sessionCameraJson(const SessionCamera& c);

// The document's layers as session layers (ids, kinds, names, owners, files with their reader options,
// display, state). Cameras and window are the app's to fill.
SessionDoc sessionFromDocument(const Document& doc);

} // namespace nr
