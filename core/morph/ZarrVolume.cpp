// Zarr version 2 directory stores: .zgroup / .zarray / .zattrs, chunk files named by their grid index.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <dirent.h>
#include <sys/stat.h>

#include "base/Json.h"
#include "model/FileKind.h"
#include "morph/Codecs.h"
#include "morph/VolumeSource.h"

namespace nr {

namespace {

void findArrays(const std::string& root, const std::string& rel, int depth, std::vector<std::string>& out) {
    if (depth > 8 || out.size() > 1000) return;
    for (const auto& d : listFolder(root + (rel.empty() ? "" : "/" + rel), true)) {
        const std::string r = rel.empty() ? d : rel + "/" + d;
        if (fileExists(root + "/" + r + "/.zarray"))
            out.push_back(r);
        else
            findArrays(root, r, depth + 1, out);
    }
}

bool readJsonFile(const std::string& path, JsonValue& v, std::string& err) {
    std::vector<uint8_t> b;
    if (!readWholeFile(path, b, err, 1 << 24)) return false;
    return parseJson(std::string(b.begin(), b.end()), v, err);
}

bool intList(const JsonValue* v, std::vector<uint64_t>& out) {
    if (!v || v->type != JsonValue::Array) return false;
    for (const auto& x : v->arr) {
        if (x.type != JsonValue::Number || x.num < 0 || x.num != std::floor(x.num) || x.num > 9e15)
            return false;
        out.push_back(uint64_t(x.num));
    }
    return true;
}

std::string joinList(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
}

} // namespace

std::vector<std::string> listVolumeArraysZarr(const std::string& path) {
    std::vector<std::string> out;
    if (fileExists(path + "/.zarray")) out.push_back("");
    findArrays(path, "", 0, out);
    return out;
}

namespace {

Status openZarrArray(const std::string& pathIn, const OpenOptions& opt, ArrayUse use, const ArraySink& sink) {
    std::string path = pathIn;
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    if (!isDirectory(path)) return Error{path, 0, "not a folder: a Zarr v2 store is a directory"};
    std::string array = opt.option("array");
    while (!array.empty() && array.front() == '/') array.erase(0, 1);
    std::vector<std::string> warnings;
    if (array.empty() && !fileExists(path + "/.zarray")) {
        std::vector<std::string> arrays;
        findArrays(path, "", 0, arrays);
        if (arrays.empty())
            return Error{
                path + "/.zarray", 0,
                "missing .zarray: no array in this Zarr store (an array is a folder with a .zarray file)"};
        array = use == ArrayUse::Image ? mostImageLike(arrays) : arrays.front();
        if (arrays.size() > 1)
            warnings.push_back(path + ": several arrays (" + joinList(arrays) + "); read " + array +
                               " (choose with the array option)");
    }
    const std::string dir = array.empty() ? path : path + "/" + array;
    const std::string meta = dir + "/.zarray";
    if (!fileExists(meta)) {
        std::vector<std::string> arrays;
        findArrays(path, "", 0, arrays);
        return Error{meta, 0,
                     "missing .zarray: '" + array + "' is not an array of this store" +
                         (arrays.empty() ? std::string(" (it has none)") : "; arrays: " + joinList(arrays))};
    }
    JsonValue z;
    std::string err;
    if (!readJsonFile(meta, z, err)) return Error{meta, 0, "not valid JSON: " + err};
    if (z.type != JsonValue::Object) return Error{meta, 0, "not a JSON object"};
    const JsonValue* fmt = z.get("zarr_format");
    if (!fmt || fmt->type != JsonValue::Number || fmt->num != 2)
        return Error{meta, 0, "zarr_format is not 2 (only Zarr version 2 stores are read)"};
    ArraySource src;
    src.file = path;
    src.array = array;
    src.warnings = warnings;
    if (!intList(z.get("shape"), src.shape))
        return Error{meta, 0, "shape: must be a list of non-negative integers"};
    if (!intList(z.get("chunks"), src.chunk))
        return Error{meta, 0, "chunks: must be a list of positive integers"};
    if (src.shape.size() != src.chunk.size())
        return Error{meta, 0,
                     "shape, chunks: mismatched dimensions: shape has " + std::to_string(src.shape.size()) +
                         ", chunks has " + std::to_string(src.chunk.size())};
    for (auto c : src.chunk)
        if (c == 0) return Error{meta, 0, "chunks: must be positive (one is 0)"};
    const JsonValue* dt = z.get("dtype");
    if (!dt || dt->type != JsonValue::String)
        return Error{meta, 0, "dtype: missing or not a string (e.g. \"<u2\")"};
    const std::string d = dt->str;
    bool bigEndian = false;
    {
        const bool ok = d.size() == 3 && (d[0] == '<' || d[0] == '>' || d[0] == '|') &&
                        (d[1] == 'u' || d[1] == 'i' || d[1] == 'b') &&
                        (d[2] == '1' || d[2] == '2' || d[2] == '4' || d[2] == '8');
        const bool isFloat = use == ArrayUse::Image && d.size() == 3 && (d[0] == '<' || d[0] == '>') &&
                             d[1] == 'f' && (d[2] == '4' || d[2] == '8');
        if (isFloat) {
            bigEndian = d[0] == '>';
            src.isFloat = true;
            src.dtypeBytes = d[2] - '0';
        } else if (!ok)
            return Error{meta, 0,
                         "dtype: \"" + d.substr(0, 40) +
                             "\" is not an integer label type (u1, u2, u4, u8, i1, i2, i4, i8)"};
        if (!isFloat) {
            bigEndian = d[0] == '>';
            src.isSigned = d[1] == 'i';
            src.dtypeBytes = d[2] - '0';
            if (d[1] == 'b' && src.dtypeBytes != 1)
                return Error{meta, 0, "dtype: \"" + d + "\" is not valid"};
        }
    }
    if (const JsonValue* o = z.get("order"))
        if (o->type == JsonValue::String && o->str != "C")
            return Error{meta, 0, "order: \"" + o->str.substr(0, 40) + "\": only C order is read"};
    if (const JsonValue* f = z.get("filters"))
        if (!f->isNull() && !(f->type == JsonValue::Array && f->arr.empty())) {
            std::string ids;
            if (f->type == JsonValue::Array)
                for (auto& x : f->arr)
                    if (const JsonValue* id = x.get("id")) ids += (ids.empty() ? "" : ", ") + id->str;
            return Error{meta, 0, "filters: (" + ids + ") are not supported; only a compressor"};
        }
    std::string sep = ".";
    if (const JsonValue* s = z.get("dimension_separator")) {
        if (s->type == JsonValue::String)
            sep = s->str;
        else if (!s->isNull())
            return Error{meta, 0, "dimension_separator: must be the string \".\" or \"/\""};
    }
    if (sep != "." && sep != "/") return Error{meta, 0, "dimension_separator: must be \".\" or \"/\""};
    // fill value as little-endian bytes
    uint64_t fill = 0;
    if (const JsonValue* f = z.get("fill_value")) {
        if (f->type == JsonValue::Number && std::isfinite(f->num)) {
            if (f->num < 0)
                fill = uint64_t(int64_t(f->num));
            else
                fill = uint64_t(f->num);
        } else if (f->type == JsonValue::Bool)
            fill = f->b ? 1 : 0;
        else if (!f->isNull() && !src.isFloat)
            return Error{meta, 0, "fill_value: must be an integer (or null) for dtype \"" + d + "\""};
    }
    enum class Codec { None, Zlib, Blosc, Zstd } codec = Codec::None;
    if (const JsonValue* c = z.get("compressor")) {
        if (!c->isNull()) {
            const JsonValue* id = c->get("id");
            const std::string name = id && id->type == JsonValue::String ? id->str : "";
            if (name == "zlib" || name == "gzip")
                codec = Codec::Zlib;
            else if (name == "blosc")
                codec = Codec::Blosc;
            else if (name == "zstd")
                codec = Codec::Zstd;
            else
                return Error{meta, 0,
                             "compressor: unknown codec \"" + name.substr(0, 40) +
                                 "\" (readable: none, zlib, gzip, blosc, zstd)"};
        }
    }
    // .zattrs: axis names and voxel size when they are given
    {
        JsonValue a;
        std::string e2;
        if (fileExists(dir + "/.zattrs") && readJsonFile(dir + "/.zattrs", a, e2) &&
            a.type == JsonValue::Object) {
            if (const JsonValue* dims = a.get("_ARRAY_DIMENSIONS"))
                if (dims->type == JsonValue::Array && dims->arr.size() == src.shape.size()) {
                    std::string ax;
                    for (auto& x : dims->arr)
                        if (x.type == JsonValue::String && x.str.size() == 1)
                            ax += char(std::tolower(x.str[0]));
                    if (ax.size() == src.shape.size()) src.axes = ax;
                }
            for (const char* key : {"resolution", "voxel_size", "spacing"})
                if (const JsonValue* r = a.get(key))
                    if (r->type == JsonValue::Array && r->arr.size() == 3) {
                        bool ok = true;
                        for (int k = 0; k < 3; ++k)
                            ok = ok && r->arr[size_t(k)].type == JsonValue::Number &&
                                 r->arr[size_t(k)].num > 0;
                        if (ok) {
                            for (int k = 0; k < 3; ++k) src.voxelSize[k] = r->arr[size_t(k)].num;
                            src.haveVoxelSize = true;
                            break;
                        }
                    }
            if (const JsonValue* off = a.get("offset"))
                if (off->type == JsonValue::Array && off->arr.size() == 3)
                    for (int k = 0; k < 3; ++k) src.origin[k] = off->arr[size_t(k)].num;
            for (const char* key : {"unit", "units"})
                if (const JsonValue* u = a.get(key)) {
                    if (u->type == JsonValue::String)
                        src.unit = u->str;
                    else if (u->type == JsonValue::Array && !u->arr.empty() &&
                             u->arr[0].type == JsonValue::String)
                        src.unit = u->arr[0].str;
                }
        }
    }
    uint64_t chunkVals = 1;
    for (auto c : src.chunk) {
        if (double(chunkVals) * double(c) > double(uint64_t(1) << 40))
            return Error{meta, 0, "chunks: a chunk of more than 2^40 values is implausibly large"};
        chunkVals *= c;
    }
    const size_t chunkBytes = size_t(chunkVals) * size_t(src.dtypeBytes);
    // Chunks named with the other separator ("0.0.0" under "/", or folders "0/0/0" under "."): every expected
    // chunk would be absent and read as fill value. Count what the folder holds under each naming.
    if (src.shape.size() > 1) {
        size_t dotted = 0, folders = 0, seen = 0;
        DIR* dd = ::opendir(dir.c_str());
        while (dd &&
               seen < 200000) { // a sample is enough to tell the naming of a store of millions of chunks
            const dirent* de = ::readdir(dd);
            if (!de) break;
            ++seen;
            const std::string n = de->d_name;
            if (n.empty() || !std::isdigit(static_cast<unsigned char>(n[0]))) continue;
            size_t dots = 0;
            bool digits = true;
            for (char ch : n) {
                if (ch == '.')
                    ++dots;
                else if (!std::isdigit(static_cast<unsigned char>(ch)))
                    digits = false;
            }
            if (!digits) continue;
            if (dots == src.shape.size() - 1)
                ++dotted;
            else if (dots == 0 && isDirectory(dir + "/" + n))
                ++folders;
        }
        if (dd) ::closedir(dd);
        const size_t declared = sep == "." ? dotted : folders, other = sep == "." ? folders : dotted;
        if (other > declared)
            return Error{meta, 0,
                         "dimension_separator: the array says \"" + sep +
                             "\" but its chunks are named with \"" + (sep == "." ? "/" : ".") + "\" (" +
                             std::to_string(other) + " " +
                             (sep == "." ? "chunk folders such as 0/0/0" : "chunk files such as 0.0.0") +
                             ", " + std::to_string(declared) +
                             " under the declared naming): the chunks would all read as fill value"};
    }
    const int bytes = src.dtypeBytes;
    src.read = [=](const std::vector<uint64_t>& idx, std::vector<uint8_t>& out) -> Status {
        std::string key;
        for (size_t i = 0; i < idx.size(); ++i) key += (i ? sep : "") + std::to_string(idx[i]);
        const std::string cf = dir + "/" + key;
        out.resize(chunkBytes);
        std::vector<uint8_t> raw;
        std::string e;
        struct stat lst {};
        if (::lstat(cf.c_str(), &lst) != 0) { // absent chunk (nothing at all by that name): fill value
            if (fill == 0)
                std::fill(out.begin(), out.end(), 0);
            else
                for (size_t i = 0; i < chunkVals; ++i)
                    std::memcpy(&out[i * size_t(bytes)], &fill, size_t(bytes));
            return std::nullopt;
        }
        // Something is there: it must be a readable regular file (a folder, a dangling or looping link, a
        // FIFO or a device is an error, never fill).
        if (S_ISLNK(lst.st_mode) && pathKind(cf) == PathKind::Missing)
            return Error{cf, 0, "chunk " + key + ": is a dangling symbolic link (its target does not exist)"};
        if (Status st = requireRegularFile(cf, "chunk file")) {
            Error er = *st;
            er.reason = "chunk " + key + ": " + er.reason;
            return er;
        }
        if (!readWholeFile(cf, raw, e, uint64_t(chunkBytes) * 2 + (1 << 20)))
            return Error{cf, 0, "chunk " + key + ": " + e};
        bool ok = true;
        switch (codec) {
        case Codec::None:
            if (raw.size() != chunkBytes) {
                e = "uncompressed chunk has " + std::to_string(raw.size()) + " bytes, expected " +
                    std::to_string(chunkBytes);
                ok = false;
            } else
                out.swap(raw);
            break;
        case Codec::Zlib:
            ok = inflateExact(raw.data(), raw.size(), out.data(), chunkBytes, e);
            break;
        case Codec::Blosc:
            ok = bloscExact(raw.data(), raw.size(), out.data(), chunkBytes, e);
            break;
        case Codec::Zstd:
            ok = zstdExact(raw.data(), raw.size(), out.data(), chunkBytes, e);
            break;
        }
        if (!ok) return Error{cf, 0, "chunk " + key + ": " + e};
        if (bigEndian && bytes > 1)
            for (size_t i = 0; i < chunkVals; ++i)
                std::reverse(&out[i * size_t(bytes)], &out[i * size_t(bytes)] + bytes);
        return std::nullopt;
    };
    if (!src.haveVoxelSize && opt.option("voxel_size").empty())
        src.warnings.push_back(path + ": the store gives no voxel size; 1 is used (set voxel_size)");
    sink(src);
    return std::nullopt;
}

} // namespace

Status probeZarrArray(const std::string& path, const std::string& array, const ArraySink& sink) {
    OpenOptions opt;
    opt.options.push_back({"array", array});
    return openZarrArray(path, opt, ArrayUse::Image, sink);
}

Result<LabelVolume> readZarrVolume(const std::string& path, const OpenOptions& opt) {
    return buildFrom<LabelVolume>(openZarrArray, buildLabelVolume, ArrayUse::Labels, path, opt);
}

Result<ImageVolume> readZarrImage(const std::string& path, const OpenOptions& opt) {
    return buildFrom<ImageVolume>(openZarrArray, buildImageVolume, ArrayUse::Image, path, opt);
}

} // namespace nr
