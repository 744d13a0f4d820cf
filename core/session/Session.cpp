#include "session/Session.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

#include "io/MemoryBudget.h"
#include "model/FileKind.h"

#ifndef NR_VERSION
#define NR_VERSION ""
#endif

namespace nr {

namespace {

constexpr size_t kMaxPathLength = 4096;
constexpr size_t kMaxNameLength = 4096;
constexpr size_t kMaxOptionLength = 4096;
constexpr size_t kMaxOptions = 64;
constexpr size_t kMaxCameras = 64;
constexpr size_t kMaxSessionDepth = 128;
constexpr double kMaxId = 9007199254740992.0; // 2^53: every integer below is exact in a JSON number
constexpr int64_t kFingerprintSpan = int64_t(1) << 20;

std::string folderOf(const std::string& path) {
    const size_t slash = path.find_last_of('/');
    return slash == std::string::npos ? std::string(".") : path.substr(0, slash == 0 ? 1 : slash);
}

std::string baseName(const std::string& path) {
    const size_t slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The path with every link, "." and ".." resolved ("" when it cannot be resolved).
std::string canonical(const std::string& path) {
    char* r = ::realpath(path.c_str(), nullptr);
    if (!r) return {};
    std::string s(r);
    std::free(r);
    return s;
}

// An absolute path with "." and ".." removed by text alone (links are not followed).
std::string lexicalAbsolute(const std::string& path) {
    std::string p = path;
    if (p.empty() || p[0] != '/') {
        char buf[8192];
        const std::string cwd = ::getcwd(buf, sizeof buf) ? std::string(buf) : std::string("/");
        p = cwd + "/" + p;
    }
    std::vector<std::string> parts;
    size_t i = 0;
    while (i <= p.size()) {
        size_t j = p.find('/', i);
        if (j == std::string::npos) j = p.size();
        const std::string part = p.substr(i, j - i);
        if (part == "..") {
            if (!parts.empty()) parts.pop_back();
        } else if (!part.empty() && part != ".") {
            parts.push_back(part);
        }
        i = j + 1;
    }
    std::string out;
    for (const auto& part : parts) out += "/" + part;
    return out.empty() ? "/" : out;
}

// True when `path` lies inside `folder` or below it (both absolute and normalised the same way).
bool inside(const std::string& path, const std::string& folder) {
    if (path.empty() || folder.empty()) return false;
    if (folder == "/") return path.size() > 1;
    return path.size() > folder.size() && path.compare(0, folder.size(), folder) == 0 &&
           path[folder.size()] == '/';
}

std::string numberText(double d) {
    return writeJson(JsonValue::number(d), 0);
}

// ---- validation helpers ---------------------------------------------------------------------------------

class Checker {
public:
    explicit Checker(const std::string& file) : file_(file) {}
    Error at(const JsonValue& v, const std::string& why) const { return Error{file_, v.line, why}; }
    Status type(const JsonValue& v, JsonValue::Type t, const std::string& name) const {
        if (v.type == t) return std::nullopt;
        return at(v, name + " must be " + jsonTypeName(t) + ", not " + jsonTypeName(v.type));
    }
    Status finite(const JsonValue& v, const std::string& name) const {
        if (auto e = type(v, JsonValue::Number, name)) return e;
        if (!std::isfinite(v.num))
            return at(v, name + " = " + v.str + " is out of range (not a finite number)");
        return std::nullopt;
    }
    // An integer in [lo, hi].
    Result<double> integer(const JsonValue& v, const std::string& name, double lo, double hi) const {
        if (auto e = type(v, JsonValue::Number, name)) return *e;
        if (!(v.num >= lo && v.num <= hi) || v.num != std::floor(v.num))
            return at(v, name + " must be an integer from " + numberText(lo) + " to " + numberText(hi) +
                             ", not " + (v.str.empty() ? numberText(v.num) : v.str));
        return v.num;
    }
    Result<std::string> string(const JsonValue& v, const std::string& name, size_t maxLen) const {
        if (auto e = type(v, JsonValue::String, name)) return *e;
        if (v.str.size() > maxLen)
            return at(v, name + " is longer than " + std::to_string(maxLen) + " characters");
        return v.str;
    }
    Result<std::array<double, 3>> vec3(const JsonValue& v, const std::string& name) const {
        if (auto e = type(v, JsonValue::Array, name)) return *e;
        if (v.arr.size() != 3)
            return at(v, name + " must hold 3 numbers (x, y, z), not " + std::to_string(v.arr.size()));
        std::array<double, 3> out{};
        for (size_t k = 0; k < 3; ++k) {
            if (auto e = finite(v.arr[k], name + "[" + std::to_string(k) + "]")) return *e;
            out[k] = v.arr[k].num;
        }
        return out;
    }
    const std::string& file() const { return file_; }

private:
    std::string file_;
};

// A camera object: position, focalPoint, viewUp (3 finite numbers each), viewAngle in (0, 180) (optional).
Result<SessionCamera> readCamera(const Checker& ck, const JsonValue& v, const std::string& name) {
    if (auto e = ck.type(v, JsonValue::Object, name)) return *e;
    SessionCamera c;
    const char* keys[3] = {"position", "focalPoint", "viewUp"};
    std::array<double, 3>* dst[3] = {&c.position, &c.focalPoint, &c.viewUp};
    for (int k = 0; k < 3; ++k) {
        const JsonValue* p = v.get(keys[k]);
        if (!p) return ck.at(v, name + " has no " + keys[k]);
        auto r = ck.vec3(*p, name + "." + keys[k]);
        if (!r) return r.error();
        *dst[k] = r.value();
    }
    const double upLen = std::hypot(c.viewUp[0], c.viewUp[1], c.viewUp[2]);
    if (!(upLen > 0)) return ck.at(*v.get("viewUp"), name + ".viewUp is the zero vector");
    if (c.position == c.focalPoint)
        return ck.at(*v.get("position"), name + ".position is the focal point itself (no view direction)");
    double far = 0;
    for (size_t k = 0; k < 3; ++k)
        far = std::max({far, std::fabs(c.position[k]), std::fabs(c.focalPoint[k])});
    if (far > 1e15)
        return ck.at(v, name + " coordinates beyond 1e15 (a corrupt camera: the view would be empty)");
    if (const JsonValue* a = v.get("viewAngle")) {
        if (auto e = ck.finite(*a, name + ".viewAngle")) return *e;
        if (!(a->num > 0 && a->num < 180))
            return ck.at(*a, name + ".viewAngle must be between 0 and 180 degrees, not " + a->str);
        c.viewAngle = a->num;
    }
    return c;
}

// What reading found about the files of the layers: resolves, checks the kind of each file, marks missing
// layers and lists outside and changed files.
class FileScan {
public:
    FileScan(const Checker& ck, const std::string& sessionPath, SessionDoc& s)
        : ck_(ck), folder_(folderOf(sessionPath)), realFolder_(canonical(folderOf(sessionPath))),
          realSelf_(canonical(sessionPath)), s_(s) {}

    // `entry` is where the path was written (for the line), `name` how messages call it. `folderOk`: the
    // layer's kind reads folders (SWC folders, TIFF stacks, Zarr/N5 stores).
    Result<std::string> resolve(const JsonValue& entry, const std::string& rel, const std::string& name,
                                bool folderOk, bool& missing) {
        missing = false;
        if (rel.empty()) return ck_.at(entry, name + " is an empty file name");
        if (rel.size() > kMaxPathLength)
            return ck_.at(entry, name + " is longer than " + std::to_string(kMaxPathLength) + " characters");
        if (rel.find('\0') != std::string::npos) return ck_.at(entry, name + " holds a NUL byte");
        const std::string full = rel[0] == '/' ? rel : folder_ + "/" + rel;
        const PathKind k = pathKind(full);
        if (k == PathKind::Missing) {
            missing = true;
            return full;
        }
        if (k == PathKind::Directory) {
            const bool store =
                full.find(".zarr") != std::string::npos || full.find(".n5") != std::string::npos;
            if (!folderOk && !store)
                return ck_.at(entry, name + ": " + full + " is a folder, not a data file");
        }
        // A FIFO, socket or device would block or never end when read: refuse it by name, unopened.
        if (Status bad = k == PathKind::Directory ? requireFileOrFolder(full, "data file")
                                                  : requireRegularFile(full, "data file"))
            return ck_.at(entry, name + ": " + full + " " + bad->reason);
        const std::string real = canonical(full);
        if (!realSelf_.empty() && real == realSelf_)
            return ck_.at(entry, name + ": " + full + " is this session file itself, not a data file");
        if (!inside(real, realFolder_) &&
            std::find(s_.outside.begin(), s_.outside.end(), full) == s_.outside.end())
            s_.outside.push_back(full);
        return full;
    }

private:
    const Checker& ck_;
    std::string folder_, realFolder_, realSelf_;
    SessionDoc& s_;
};

bool kindReadsFolders(LayerKind k) {
    return k == LayerKind::Morphologies || k == LayerKind::LabelVolume || k == LayerKind::Image;
}

void noteMissing(SessionDoc& s, SessionLayer& l, const std::string& file) {
    l.missing = true;
    s.missing.push_back((l.name.empty() ? std::string("(unnamed)") : l.name) + " (" +
                        sessionKindName(l.kind) + "): " + file + " does not exist");
}

void compareFingerprint(SessionDoc& s, const SessionFileRef& f) {
    if (f.size < 0 && f.hash.empty()) return;
    if (pathKind(f.path) != PathKind::Regular) return;
    int64_t size = -1;
    std::string hash;
    if (!fingerprintFile(f.path, size, hash)) return;
    if (f.size >= 0 && size != f.size)
        s.changed.push_back(f.path + " changed since the session was saved (size " + std::to_string(f.size) +
                            " → " + std::to_string(size) + ")");
    else if (!f.hash.empty() && hash != f.hash)
        s.changed.push_back(f.path + " changed since the session was saved (contents differ)");
}

// ---- version 1 --------------------------------------------------------------------------------------------

Status readVersion1(const Checker& ck, const JsonValue& o, const std::string& path, SessionDoc& s) {
    SessionLayer layer;
    layer.id = 1;
    layer.kind = LayerKind::Graph;
    FileScan scan(ck, path, s);
    if (const JsonValue* v = o.get("files")) {
        if (auto e = ck.type(*v, JsonValue::Array, "\"files\"")) return e;
        if (v->arr.size() > kMaxSessionFiles)
            return ck.at(*v, "\"files\" lists " + std::to_string(v->arr.size()) + " files; at most " +
                                 std::to_string(kMaxSessionFiles));
        for (size_t k = 0; k < v->arr.size(); ++k) {
            const JsonValue& f = v->arr[k];
            const std::string name = "\"files\"[" + std::to_string(k) + "]";
            if (auto e = ck.type(f, JsonValue::String, name)) return e;
            bool missing = false;
            auto full = scan.resolve(f, f.str, name, false, missing);
            if (!full) return full.error();
            SessionFileRef ref;
            ref.path = full.value();
            layer.files.push_back(ref);
            if (layer.name.empty()) {
                layer.name = baseName(ref.path);
                const size_t dot = layer.name.find_last_of('.');
                if (dot != std::string::npos && dot > 0) layer.name.erase(dot);
            }
            if (missing) noteMissing(s, layer, ref.path);
        }
    }
    if (layer.files.empty()) layer.name = "Demo cortical column";
    if (const JsonValue* v = o.get("colorBy")) {
        auto c = ck.string(*v, "\"colorBy\"", 256);
        if (!c) return c.error();
        layer.state.set("colorBy", c.value());
    }
    if (const JsonValue* v = o.get("edgeFilter")) {
        if (auto e = ck.type(*v, JsonValue::Object, "\"edgeFilter\"")) return e;
        JsonValue f = JsonValue::object();
        for (const char* key : {"minWeight", "maxWeight"}) {
            if (const JsonValue* w = v->get(key)) {
                if (auto e = ck.finite(*w, std::string("\"edgeFilter\".") + key)) return e;
                f.set(key, w->num);
            }
        }
        const JsonValue *lo = v->get("minWeight"), *hi = v->get("maxWeight");
        if (lo && hi && lo->num > hi->num)
            return ck.at(*v, "\"edgeFilter\": minWeight " + lo->str + " is above maxWeight " + hi->str);
        if (const JsonValue* t = v->get("typeVisible")) {
            if (auto e = ck.type(*t, JsonValue::Array, "\"edgeFilter\".typeVisible")) return e;
            if (t->arr.size() > 256)
                return ck.at(*t, "\"edgeFilter\".typeVisible has " + std::to_string(t->arr.size()) +
                                     " entries; at most 256");
            JsonValue types = JsonValue::array();
            for (size_t k = 0; k < t->arr.size(); ++k) {
                if (auto e = ck.type(t->arr[k], JsonValue::Bool,
                                     "\"edgeFilter\".typeVisible[" + std::to_string(k) + "]"))
                    return e;
                types.push(JsonValue::boolean(t->arr[k].b));
            }
            f.set("typeVisible", std::move(types));
        }
        layer.state.set("edgeFilter", std::move(f));
    }
    if (const JsonValue* v = o.get("camera")) {
        auto c = readCamera(ck, *v, "\"camera\"");
        if (!c) return c.error();
        s.cameras["connectome"] = c.value();
    }
    for (const SessionFileRef& f : layer.files) compareFingerprint(s, f);
    s.layers.push_back(std::move(layer));
    s.selected = 1;
    return std::nullopt;
}

// ---- version 2 --------------------------------------------------------------------------------------------

Status readDisplay(const Checker& ck, const JsonValue& v, const std::string& name, LayerDisplay& d) {
    if (auto e = ck.type(v, JsonValue::Object, name)) return e;
    if (const JsonValue* x = v.get("visible")) {
        if (auto e = ck.type(*x, JsonValue::Bool, name + ".visible")) return e;
        d.visible = x->b;
    }
    for (const char* key : {"colorBy", "colorMap"}) {
        if (const JsonValue* x = v.get(key)) {
            auto s = ck.string(*x, name + "." + key, 256);
            if (!s) return s.error();
            (std::strcmp(key, "colorBy") == 0 ? d.colorBy : d.colorMap) = s.value();
        }
    }
    if (const JsonValue* x = v.get("opacity")) {
        if (auto e = ck.finite(*x, name + ".opacity")) return e;
        if (!(x->num >= 0 && x->num <= 1))
            return ck.at(*x, name + ".opacity must be between 0 and 1, not " + x->str);
        d.opacity = float(x->num);
    }
    for (const char* key : {"pointSize", "edgeSize"}) {
        if (const JsonValue* x = v.get(key)) {
            if (auto e = ck.finite(*x, name + "." + key)) return e;
            if (!(x->num > 0 && x->num <= 100))
                return ck.at(*x, name + "." + key + " must be above 0 and at most 100, not " + x->str);
            (std::strcmp(key, "pointSize") == 0 ? d.pointSize : d.edgeSize) = float(x->num);
        }
    }
    return std::nullopt;
}

Status readFileRef(const Checker& ck, FileScan& scan, const JsonValue& v, const std::string& name,
                   LayerKind kind, SessionFileRef& ref, bool& missing) {
    if (auto e = ck.type(v, JsonValue::Object, name)) return e;
    const JsonValue* p = v.get("path");
    if (!p) return ck.at(v, name + " has no \"path\"");
    if (auto e = ck.type(*p, JsonValue::String, name + ".path")) return e;
    auto full = scan.resolve(*p, p->str, name + ".path", kindReadsFolders(kind), missing);
    if (!full) return full.error();
    ref.path = full.value();
    if (const JsonValue* x = v.get("size")) {
        auto n = ck.integer(*x, name + ".size", 0, 4.6e18);
        if (!n) return n.error();
        ref.size = int64_t(n.value());
    }
    if (const JsonValue* x = v.get("hash")) {
        auto h = ck.string(*x, name + ".hash", 64);
        if (!h) return h.error();
        const std::string& s = h.value();
        if (s.size() != 16 || s.find_first_not_of("0123456789abcdef") != std::string::npos)
            return ck.at(*x, name + ".hash must be 16 hexadecimal digits (0-9, a-f), not \"" + s + "\"");
        ref.hash = s;
    }
    if (const JsonValue* x = v.get("options")) {
        if (auto e = ck.type(*x, JsonValue::Object, name + ".options")) return e;
        if (x->obj.size() > kMaxOptions)
            return ck.at(*x, name + ".options has " + std::to_string(x->obj.size()) + " entries; at most " +
                                 std::to_string(kMaxOptions));
        for (const auto& kv : x->obj) {
            if (kv.first.empty() || kv.first.size() > 256)
                return ck.at(kv.second, name + ".options: a key must have 1 to 256 characters");
            auto s = ck.string(kv.second, name + ".options." + kv.first, kMaxOptionLength);
            if (!s) return s.error();
            ref.options.emplace_back(kv.first, s.value());
        }
    }
    return std::nullopt;
}

Status readVersion2(const Checker& ck, const JsonValue& o, const std::string& path, SessionDoc& s) {
    if (const JsonValue* g = o.get("generator")) {
        auto r = ck.string(*g, "\"generator\"", 256);
        if (!r) return r.error();
    }
    FileScan scan(ck, path, s);
    std::set<uint64_t> ids;
    std::vector<const JsonValue*> ownerAt; // where each layer's owner was written
    if (const JsonValue* v = o.get("layers")) {
        if (auto e = ck.type(*v, JsonValue::Array, "\"layers\"")) return e;
        if (v->arr.size() > kMaxSessionLayers)
            return ck.at(*v, "\"layers\" lists " + std::to_string(v->arr.size()) + " layers; at most " +
                                 std::to_string(kMaxSessionLayers));
        for (size_t k = 0; k < v->arr.size(); ++k) {
            const JsonValue& lv = v->arr[k];
            const std::string name = "\"layers\"[" + std::to_string(k) + "]";
            if (auto e = ck.type(lv, JsonValue::Object, name)) return e;
            SessionLayer l;
            const JsonValue* id = lv.get("id");
            if (!id) return ck.at(lv, name + " has no \"id\"");
            auto idv = ck.integer(*id, name + ".id", 1, kMaxId);
            if (!idv) return idv.error();
            l.id = uint64_t(idv.value());
            if (!ids.insert(l.id).second)
                return ck.at(*id, name + ".id " + std::to_string(l.id) + " is used by an earlier layer too");
            const JsonValue* kind = lv.get("kind");
            if (!kind) return ck.at(lv, name + " has no \"kind\"");
            auto ks = ck.string(*kind, name + ".kind", 64);
            if (!ks) return ks.error();
            const auto kv = sessionKindFromName(ks.value());
            if (!kv) {
                std::string known;
                for (LayerKind x : kAllLayerKinds)
                    known += std::string(known.empty() ? "" : ", ") + sessionKindName(x);
                return ck.at(*kind,
                             name + ".kind \"" + ks.value() + "\" is not a kind of layer (" + known + ")");
            }
            l.kind = *kv;
            if (const JsonValue* n = lv.get("name")) {
                auto r = ck.string(*n, name + ".name", kMaxNameLength);
                if (!r) return r.error();
                l.name = r.value();
            }
            const JsonValue* owner = lv.get("owner");
            if (owner) {
                auto r = ck.integer(*owner, name + ".owner", 0, kMaxId);
                if (!r) return r.error();
                l.owner = uint64_t(r.value());
            }
            if (const JsonValue* files = lv.get("files")) {
                if (auto e = ck.type(*files, JsonValue::Array, name + ".files")) return e;
                if (files->arr.size() > kMaxSessionFiles)
                    return ck.at(*files, name + ".files lists " + std::to_string(files->arr.size()) +
                                             " files; at most " + std::to_string(kMaxSessionFiles));
                for (size_t f = 0; f < files->arr.size(); ++f) {
                    SessionFileRef ref;
                    bool missing = false;
                    if (Status e =
                            readFileRef(ck, scan, files->arr[f], name + ".files[" + std::to_string(f) + "]",
                                        l.kind, ref, missing))
                        return e;
                    if (missing) noteMissing(s, l, ref.path);
                    l.files.push_back(std::move(ref));
                }
            }
            if (const JsonValue* d = lv.get("display"))
                if (Status e = readDisplay(ck, *d, name + ".display", l.display)) return e;
            if (const JsonValue* st = lv.get("state")) {
                if (auto e = ck.type(*st, JsonValue::Object, name + ".state")) return e;
                l.state = *st;
            }
            ownerAt.push_back(owner);
            s.layers.push_back(std::move(l));
        }
    }
    for (size_t k = 0; k < s.layers.size(); ++k) {
        const SessionLayer& l = s.layers[k];
        if (l.owner == 0) continue;
        const std::string name = "\"layers\"[" + std::to_string(k) + "].owner";
        if (l.owner == l.id) return ck.at(*ownerAt[k], name + " is the layer itself");
        if (!ids.count(l.owner))
            return ck.at(*ownerAt[k],
                         name + " " + std::to_string(l.owner) + " is not the id of a layer of this session");
    }
    if (const JsonValue* v = o.get("selected")) {
        auto r = ck.integer(*v, "\"selected\"", 0, kMaxId);
        if (!r) return r.error();
        s.selected = uint64_t(r.value());
        if (s.selected != 0 && !ids.count(s.selected))
            return ck.at(*v, "\"selected\" " + std::to_string(s.selected) +
                                 " is not the id of a layer of this session");
    }
    if (const JsonValue* v = o.get("cameras")) {
        if (auto e = ck.type(*v, JsonValue::Object, "\"cameras\"")) return e;
        if (v->obj.size() > kMaxCameras)
            return ck.at(*v, "\"cameras\" has " + std::to_string(v->obj.size()) + " entries; at most " +
                                 std::to_string(kMaxCameras));
        for (const auto& kv : v->obj) {
            if (kv.first.empty() || kv.first.size() > 256)
                return ck.at(kv.second, "\"cameras\": a view name must have 1 to 256 characters");
            auto c = readCamera(ck, kv.second, "\"cameras\"." + kv.first);
            if (!c) return c.error();
            s.cameras[kv.first] = c.value();
        }
    }
    if (const JsonValue* v = o.get("window")) {
        if (auto e = ck.type(*v, JsonValue::Object, "\"window\"")) return e;
        s.window = *v;
    }
    if (const JsonValue* v = o.get("figures")) {
        auto f = parseFigures(*v, path);
        if (!f) return f.error();
        s.figures = std::move(f.value());
    }
    for (const SessionLayer& l : s.layers)
        for (const SessionFileRef& f : l.files) compareFingerprint(s, f);
    return std::nullopt;
}

// ---- writing ----------------------------------------------------------------------------------------------

std::string errnoText(int err) {
    std::string t = std::strerror(err);
    if (!t.empty() && t[0] >= 'A' && t[0] <= 'Z' && !(t.size() > 1 && t[1] >= 'A' && t[1] <= 'Z'))
        t[0] = char(t[0] - 'A' + 'a');
    return t;
}

std::function<bool(const std::string&)>& atomicWriteHook() {
    static std::function<bool(const std::string&)> hook;
    return hook;
}

// How `file` is written in a session saved in `folder` (both as given): relative when inside or below.
std::string pathForSession(const std::string& file, const std::string& folderAbs,
                           const std::string& realFolder) {
    const std::string abs = lexicalAbsolute(file);
    if (inside(abs, folderAbs)) return abs.substr(folderAbs == "/" ? 1 : folderAbs.size() + 1);
    const std::string real = canonical(file);
    if (!realFolder.empty() && inside(real, realFolder))
        return real.substr(realFolder == "/" ? 1 : realFolder.size() + 1);
    return abs;
}

// A float as the double of its shortest text (0.3f is written "0.3", not "0.30000001192092896"); it reads
// back to the same float.
JsonValue floatNumber(float f) {
    if (!std::isfinite(f)) return JsonValue::number(double(f));
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf - 1, f);
    *r.ptr = '\0';
    return JsonValue::number(std::strtod(buf, nullptr));
}

JsonValue cameraJson(const SessionCamera& c) {
    auto vec = [](const std::array<double, 3>& a) {
        JsonValue v = JsonValue::array();
        for (double x : a) v.push(JsonValue::number(x));
        return v;
    };
    JsonValue o = JsonValue::object();
    o.set("position", vec(c.position));
    o.set("focalPoint", vec(c.focalPoint));
    o.set("viewUp", vec(c.viewUp));
    o.set("viewAngle", c.viewAngle);
    return o;
}

} // namespace

const char* sessionKindName(LayerKind k) {
    return layerKindKey(k);
}

std::optional<LayerKind> sessionKindFromName(const std::string& name) {
    for (LayerKind k : kAllLayerKinds)
        if (name == sessionKindName(k)) return k;
    return std::nullopt;
}

Result<SessionDoc> parseSession(const std::string& text, const std::string& path) {
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
        return Error{path, 0, "UTF-16 text; a session is UTF-8 JSON"};
    JsonLimits lim;
    lim.maxDepth = kMaxSessionDepth;
    lim.maxBytes = kMaxSessionBytes;
    // Every value costs a JsonValue: a file of tiny values ("[0,0,0,…") is refused before it fills memory.
    lim.maxValues = std::max<uint64_t>(1 << 16, memoryBudgetBytes() / (3 * sizeof(JsonValue)));
    auto doc = parseJson(text, path, lim);
    if (!doc) return doc.error();
    const JsonValue& o = doc.value();
    const Checker ck(path);
    if (o.type != JsonValue::Object)
        return ck.at(o, std::string("a session is a JSON object, not ") + jsonTypeName(o.type));
    const JsonValue* format = o.get("format");
    if (!format || format->type != JsonValue::String || format->str != "neurorama-session")
        return Error{path, format ? format->line : 0,
                     "not a Neurorama session (no \"format\": \"neurorama-session\")"};
    SessionDoc s;
    const JsonValue* v = o.get("version");
    if (!v) return Error{path, 0, "no \"version\""};
    if (auto e = ck.type(*v, JsonValue::Number, "\"version\"")) return *e;
    if (v->num != std::floor(v->num) || v->num < 1 || v->num > 1e9)
        return ck.at(*v, "\"version\" must be a positive integer, not " + v->str);
    if (v->num > kSessionVersion)
        return ck.at(*v, "session version " + v->str + " is newer than this Neurorama reads (" +
                             std::to_string(kSessionVersion) + ")");
    s.version = int(v->num);
    if (Status e = s.version == 1 ? readVersion1(ck, o, path, s) : readVersion2(ck, o, path, s)) return *e;
    return s;
}

Result<SessionDoc> readSession(const std::string& path) {
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
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return Error{path, 0, "cannot open the session: " + std::string(std::strerror(errno))};
    std::string text;
    text.resize(size_t(st.st_size));
    size_t got = 0;
    while (got < text.size()) {
        const ssize_t n = ::read(fd, &text[got], text.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int err = errno;
            ::close(fd);
            return Error{path, 0, "cannot read the session: " + std::string(std::strerror(err))};
        }
        if (n == 0) break; // shrank while read
        got += size_t(n);
    }
    ::close(fd);
    text.resize(got);
    return parseSession(text, path);
}

bool fingerprintFile(const std::string& path, int64_t& size, std::string& hash) {
    size = -1;
    hash.clear();
    if (pathKind(path) != PathKind::Regular) return false;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return false;
    struct stat st;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return false;
    }
    const int64_t n = int64_t(st.st_size);
    // 64-bit FNV-1a over the size (8 bytes, little end first), the first MiB and the last MiB (the part of
    // it that is not in the first).
    uint64_t h = 1469598103934665603ull;
    auto mix = [&h](const unsigned char* p, size_t len) {
        for (size_t k = 0; k < len; ++k) {
            h ^= p[k];
            h *= 1099511628211ull;
        }
    };
    unsigned char sz[8];
    for (int k = 0; k < 8; ++k) sz[k] = (unsigned char)((uint64_t(n) >> (8 * k)) & 0xff);
    mix(sz, 8);
    std::vector<unsigned char> buf(static_cast<size_t>(kFingerprintSpan));
    auto span = [&](int64_t from, int64_t len) {
        int64_t done = 0;
        while (done < len) {
            const ssize_t r = ::pread(fd, buf.data(), size_t(len - done), off_t(from + done));
            if (r < 0 && errno == EINTR) continue;
            if (r < 0) return false;
            if (r == 0) break;
            mix(buf.data(), size_t(r));
            done += r;
        }
        return true;
    };
    const int64_t head = std::min(n, kFingerprintSpan);
    const int64_t tail = std::min(n - head, kFingerprintSpan);
    const bool ok = span(0, head) && span(n - tail, tail);
    ::close(fd);
    if (!ok) return false;
    static const char digits[] = "0123456789abcdef";
    hash.assign(16, '0');
    for (int k = 0; k < 16; ++k) hash[size_t(k)] = digits[(h >> (60 - 4 * k)) & 15];
    size = n;
    return true;
}

void fingerprintFiles(SessionDoc& s) {
    for (SessionLayer& l : s.layers)
        for (SessionFileRef& f : l.files) {
            int64_t size = -1;
            std::string hash;
            if (fingerprintFile(f.path, size, hash)) {
                f.size = size;
                f.hash = hash;
            }
        }
}

std::string sessionJson(const SessionDoc& s, const std::string& sessionPath) {
    const std::string folderAbs = lexicalAbsolute(folderOf(sessionPath));
    const std::string realFolder = canonical(folderOf(sessionPath));
    JsonValue o = JsonValue::object();
    o.set("format", "neurorama-session");
    o.set("version", double(kSessionVersion));
    o.set("generator", std::string(NR_VERSION).empty() ? std::string("neurorama")
                                                       : std::string("neurorama ") + NR_VERSION);
    JsonValue layers = JsonValue::array();
    for (const SessionLayer& l : s.layers) {
        JsonValue lo = JsonValue::object();
        lo.set("id", double(l.id));
        lo.set("kind", sessionKindName(l.kind));
        lo.set("name", l.name);
        lo.set("owner", double(l.owner));
        JsonValue files = JsonValue::array();
        for (const SessionFileRef& f : l.files) {
            if (f.path.empty()) continue;
            JsonValue fo = JsonValue::object();
            fo.set("path", pathForSession(f.path, folderAbs, realFolder));
            if (f.size >= 0) fo.set("size", double(f.size));
            if (!f.hash.empty()) fo.set("hash", f.hash);
            if (!f.options.empty()) {
                JsonValue opts = JsonValue::object();
                for (const auto& kv : f.options) opts.set(kv.first, kv.second);
                fo.set("options", std::move(opts));
            }
            files.push(std::move(fo));
        }
        lo.set("files", std::move(files));
        JsonValue d = JsonValue::object();
        d.set("visible", l.display.visible);
        d.set("colorBy", l.display.colorBy);
        d.set("colorMap", l.display.colorMap);
        d.set("opacity", floatNumber(l.display.opacity));
        d.set("pointSize", floatNumber(l.display.pointSize));
        d.set("edgeSize", floatNumber(l.display.edgeSize));
        lo.set("display", std::move(d));
        lo.set("state", l.state.isObject() ? l.state : JsonValue::object());
        layers.push(std::move(lo));
    }
    o.set("layers", std::move(layers));
    o.set("selected", double(s.selected));
    JsonValue cams = JsonValue::object();
    for (const auto& kv : s.cameras) cams.set(kv.first, cameraJson(kv.second));
    o.set("cameras", std::move(cams));
    o.set("window", s.window.isObject() ? s.window : JsonValue::object());
    if (!s.figures.empty()) o.set("figures", figuresJson(s.figures));
    return writeJson(o, 2);
}

Result<SessionCamera> parseSessionCamera(const JsonValue& v, const std::string& file,
                                         const std::string& name) {
    return readCamera(Checker(file), v, name);
}

JsonValue sessionCameraJson(const SessionCamera& c) {
    return cameraJson(c);
}

Status saveSession(SessionDoc s, const std::string& path) {
    fingerprintFiles(s);
    return writeFileAtomic(path, sessionJson(s, path));
}

void setAtomicWriteHook(std::function<bool(const std::string& tmpPath)> hook) {
    atomicWriteHook() = std::move(hook);
}

Status writeFileAtomic(const std::string& path, const std::string& bytes) {
    auto fail = [&path](const std::string& why) {
        return Error{path, 0, "could not save: " + why + " (the previous file is unchanged)"};
    };
    // Saving over a link replaces what it points to, not the link.
    std::string target = path;
    struct stat lst;
    if (::lstat(path.c_str(), &lst) == 0 && S_ISLNK(lst.st_mode)) {
        const std::string real = canonical(path);
        if (!real.empty()) target = real;
    }
    mode_t mode = 0644;
    struct stat st;
    if (::stat(target.c_str(), &st) == 0) {
        if (!S_ISREG(st.st_mode))
            return Error{path, 0,
                         std::string("could not save: it is ") + pathKindName(pathKind(target)) +
                             ", not a file (nothing was written)"};
        mode = st.st_mode & 07777;
    }
    const std::string folder = folderOf(target);
    std::string tmp = folder + "/." + baseName(target) + ".XXXXXX";
    std::vector<char> name(tmp.begin(), tmp.end());
    name.push_back('\0');
    const int fd = ::mkstemp(name.data());
    if (fd < 0) {
        const int err = errno;
        return Error{path, 0,
                     "could not save: " + errnoText(err) + " while creating a temporary file in " + folder +
                         " (the previous file is unchanged)"};
    }
    tmp = name.data();
    auto abandon = [&](int fdToClose, const std::string& why) {
        if (fdToClose >= 0) ::close(fdToClose);
        ::unlink(tmp.c_str());
        return fail(why);
    };
    (void)::fchmod(fd, mode);
    size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return abandon(fd, errnoText(errno) + " while writing");
        if (n == 0) return abandon(fd, "nothing written while writing");
        done += size_t(n);
    }
    while (::fsync(fd) != 0) {
        if (errno == EINTR) continue;
        return abandon(fd, errnoText(errno) + " while syncing");
    }
    if (::close(fd) != 0 && errno != EINTR) return abandon(-1, errnoText(errno) + " while closing");
    if (auto& hook = atomicWriteHook(); hook && !hook(tmp)) return abandon(-1, "interrupted before rename");
    if (::rename(tmp.c_str(), target.c_str()) != 0) return abandon(-1, errnoText(errno) + " while renaming");
    // The rename itself reaches the disk with the folder's entry.
    const int dfd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        (void)::fsync(dfd);
        ::close(dfd);
    }
    return std::nullopt;
}

Status outsidePathsError(const SessionDoc& s, const std::string& path) {
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

SessionDoc sessionFromDocument(const Document& doc) {
    SessionDoc s;
    for (const auto& lp : doc.layers()) {
        const Layer& l = *lp;
        SessionLayer sl;
        sl.id = l.id;
        sl.kind = l.kind;
        sl.name = l.name;
        sl.owner = l.owner;
        for (size_t k = 0; k < l.files.size(); ++k) {
            if (l.files[k].empty()) continue; // generated data has no file
            SessionFileRef f;
            f.path = l.files[k];
            if (k < l.fileOptions.size()) f.options = l.fileOptions[k];
            sl.files.push_back(std::move(f));
        }
        sl.display = l.display;
        sl.state = l.state.isObject() ? l.state : JsonValue::object();
        s.layers.push_back(std::move(sl));
    }
    s.selected = doc.selected();
    return s;
}

} // namespace nr
