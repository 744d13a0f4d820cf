// NRRD label volumes: raw or gzip encoding, attached or detached (.nhdr + data file) data, space directions,
// spacings, space units, space origin.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <zlib.h>

#include "morph/Codecs.h"
#include "morph/VolumeSource.h"

namespace nr {

namespace {

std::string trim(const std::string& s) {
    size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
    return s.substr(b, e - b);
}

std::string lower(std::string s) {
    for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// "(32,0,0) (0,32,0) none" -> vectors (empty for none)
std::vector<std::vector<double>> parseVectors(const std::string& v) {
    std::vector<std::vector<double>> out;
    size_t i = 0;
    while (i < v.size()) {
        while (i < v.size() && std::isspace(static_cast<unsigned char>(v[i]))) ++i;
        if (i >= v.size()) break;
        if (v[i] == '(') {
            const size_t e = v.find(')', i);
            if (e == std::string::npos) break;
            std::vector<double> vec;
            std::string inner = v.substr(i + 1, e - i - 1);
            for (char& c : inner)
                if (c == ',') c = ' ';
            std::istringstream s(inner);
            double x;
            while (s >> x) vec.push_back(x);
            out.push_back(vec);
            i = e + 1;
        } else {
            size_t e = i;
            while (e < v.size() && !std::isspace(static_cast<unsigned char>(v[e]))) ++e;
            out.push_back({});
            i = e;
        }
    }
    return out;
}

std::vector<std::string> quotedList(const std::string& v) {
    std::vector<std::string> out;
    size_t i = 0;
    while ((i = v.find('"', i)) != std::string::npos) {
        const size_t e = v.find('"', i + 1);
        if (e == std::string::npos) break;
        out.push_back(v.substr(i + 1, e - i - 1));
        i = e + 1;
    }
    return out;
}

struct GzipStream {
    std::ifstream f;
    z_stream zs{};
    bool open = false, ended = false;
    std::vector<uint8_t> in = std::vector<uint8_t>(1 << 16);
    uint64_t produced = 0;
    uint64_t nextBlock = 0;
    ~GzipStream() {
        if (open) inflateEnd(&zs);
    }
};

} // namespace

namespace {

Status openNrrdArray(const std::string& path, const OpenOptions&, ArrayUse use, const ArraySink& sink) {
    std::ifstream f(path, std::ios::binary);
    if (!f) return Error{path, 0, "cannot open for reading"};
    std::string line;
    if (!std::getline(f, line) || line.compare(0, 4, "NRRD") != 0)
        return Error{path, 1, "not a NRRD file (first line must be NRRD000N)"};
    std::string type, encoding = "raw", endian = "little", dataFile;
    std::vector<uint64_t> sizes;
    int dimension = 0;
    long lineNo = 1, byteSkip = 0;
    std::vector<std::vector<double>> dirs;
    std::vector<double> spacings;
    std::vector<std::string> units, kinds;
    std::vector<double> originV;
    bool sawBlank = false;
    while (std::getline(f, line)) {
        ++lineNo;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) {
            sawBlank = true;
            break;
        }
        if (line[0] == '#') continue;
        if (line.find(":=") != std::string::npos) continue; // key/value pairs
        const size_t colon = line.find(": ");
        if (colon == std::string::npos) return Error{path, lineNo, "expected 'field: value' in the header"};
        const std::string key = lower(trim(line.substr(0, colon)));
        const std::string val = trim(line.substr(colon + 2));
        if (key == "type")
            type = lower(val);
        else if (key == "dimension")
            dimension = std::atoi(val.c_str());
        else if (key == "sizes") {
            std::istringstream s(val);
            std::string t;
            while (s >> t) {
                char* e = nullptr;
                const double d = std::strtod(t.c_str(), &e);
                if (*e || d < 1 || d != std::floor(d) || d > 9e15)
                    return Error{path, lineNo, "sizes: '" + t + "' is not a positive integer"};
                sizes.push_back(uint64_t(d));
            }
        } else if (key == "encoding")
            encoding = lower(val);
        else if (key == "endian")
            endian = lower(val);
        else if (key == "space directions")
            dirs = parseVectors(val);
        else if (key == "spacings") {
            std::istringstream s(val);
            double x;
            while (s >> x) spacings.push_back(x);
        } else if (key == "space units" || key == "units")
            units = quotedList(val);
        else if (key == "space origin") {
            auto o = parseVectors(val);
            if (!o.empty()) originV = o[0];
        } else if (key == "kinds") {
            std::istringstream s(val);
            std::string k;
            while (s >> k) kinds.push_back(lower(k));
        } else if (key == "data file" || key == "datafile")
            dataFile = val;
        else if (key == "byte skip")
            byteSkip = std::atol(val.c_str());
    }
    if (dataFile.empty() && !sawBlank) return Error{path, lineNo, "header does not end with an empty line"};
    if (dimension < 2 || dimension > 4)
        return Error{path, 0, "dimension " + std::to_string(dimension) + ": a label volume has 3 (or 4)"};
    if (int(sizes.size()) != dimension)
        return Error{path, 0,
                     "mismatched dimensions: dimension is " + std::to_string(dimension) + " but sizes has " +
                         std::to_string(sizes.size()) + " values"};
    ArraySource src;
    src.file = path;
    {
        static const std::vector<std::pair<std::vector<std::string>, std::pair<int, bool>>> types = {
            {{"uchar", "unsigned char", "uint8", "uint8_t"}, {1, false}},
            {{"signed char", "int8", "int8_t", "char"}, {1, true}},
            {{"ushort", "unsigned short", "unsigned short int", "uint16", "uint16_t"}, {2, false}},
            {{"short", "short int", "signed short", "signed short int", "int16", "int16_t"}, {2, true}},
            {{"uint", "unsigned int", "uint32", "uint32_t"}, {4, false}},
            {{"int", "signed int", "int32", "int32_t"}, {4, true}},
            {{"ulonglong", "unsigned long long", "unsigned long long int", "uint64", "uint64_t"}, {8, false}},
            {{"longlong", "long long", "long long int", "signed long long", "signed long long int", "int64",
              "int64_t"},
             {8, true}},
        };
        bool found = false;
        for (const auto& t : types)
            if (std::find(t.first.begin(), t.first.end(), type) != t.first.end()) {
                src.dtypeBytes = t.second.first;
                src.isSigned = t.second.second;
                found = true;
            }
        if (!found && use == ArrayUse::Image && (type == "float" || type == "double")) {
            src.dtypeBytes = type == "float" ? 4 : 8;
            src.isFloat = found = true;
        }
        if (!found)
            return Error{path, 0,
                         "type '" + type +
                             "' is not an integer label type (uchar, ushort, uint, ulonglong, signed)"};
    }
    const bool gz = encoding == "gzip" || encoding == "gz";
    if (!gz && encoding != "raw")
        return Error{path, 0, "encoding '" + encoding + "' is not read (raw and gzip are)"};
    const bool swap = endian == "big" && src.dtypeBytes > 1;
    // C-order shape is the reverse of NRRD's fastest-first sizes.
    for (int d = dimension - 1; d >= 0; --d) src.shape.push_back(sizes[size_t(d)]);
    src.axes = dimension == 4 ? (sizes[0] <= sizes[3] ? "zyxc" : "czyx") : dimension == 3 ? "zyx" : "yx";
    // Voxel size (x, y, z in file order -> z, y, x).
    {
        std::vector<double> len;
        for (const auto& v : dirs)
            if (!v.empty()) {
                double s = 0;
                for (double x : v) s += x * x;
                len.push_back(std::sqrt(s));
            }
        if (len.size() < 3) {
            len.clear();
            for (double s : spacings)
                if (std::isfinite(s)) len.push_back(s);
        }
        if (len.size() >= 3 && len[0] > 0 && len[1] > 0 && len[2] > 0) {
            src.voxelSize[0] = len[2], src.voxelSize[1] = len[1], src.voxelSize[2] = len[0];
            src.haveVoxelSize = true;
        }
        if (originV.size() >= 3)
            src.origin[0] = originV[2], src.origin[1] = originV[1], src.origin[2] = originV[0];
        if (!units.empty()) src.unit = units[0];
    }
    std::string dataPath = path;
    std::streamoff dataStart = f.tellg();
    if (!dataFile.empty()) {
        const size_t slash = path.find_last_of('/');
        dataPath = dataFile[0] == '/' || slash == std::string::npos ? dataFile
                                                                    : path.substr(0, slash + 1) + dataFile;
        dataStart = 0;
    }
    if (byteSkip > 0 && !gz) dataStart += byteSkip;
    f.close();
    // Blocks of whole planes (z slabs), about 16 MB each.
    uint64_t plane = uint64_t(src.dtypeBytes);
    for (size_t d = 1; d < src.shape.size(); ++d) plane *= src.shape[d];
    src.chunk = src.shape;
    src.chunk[0] = std::max<uint64_t>(
        1, std::min<uint64_t>(src.shape[0], (uint64_t(16) << 20) / std::max<uint64_t>(1, plane)));
    double totalBytes = double(plane) * double(src.shape[0]);
    {
        std::ifstream df(dataPath, std::ios::binary | std::ios::ate);
        if (!df) return Error{dataPath, 0, "cannot open the data file"};
        const double have = double(df.tellg()) - double(dataStart);
        if (!gz && have < totalBytes) {
            Error e{dataPath, 0,
                    "truncated: the header needs " + std::to_string(uint64_t(totalBytes)) +
                        " bytes of data, the file has " + std::to_string(uint64_t(std::max(0.0, have)))};
            e.byteOffset = (long long)(std::max(0.0, have)) + (long long)dataStart;
            return e;
        }
        if (!gz && have > totalBytes)
            src.warnings.push_back(dataPath + ": " + std::to_string(uint64_t(have - totalBytes)) +
                                   " bytes after the data are ignored");
    }
    const uint64_t chunk0 = src.chunk[0], nz = src.shape[0];
    const int bytes = src.dtypeBytes;
    if (!gz) {
        src.read = [=](const std::vector<uint64_t>& idx, std::vector<uint8_t>& out) -> Status {
            const uint64_t z0 = idx[0] * chunk0, nzb = std::min(chunk0, nz - z0);
            std::ifstream df(dataPath, std::ios::binary);
            df.seekg(dataStart + std::streamoff(z0 * plane));
            df.read(reinterpret_cast<char*>(out.data()), std::streamsize(nzb * plane));
            if (uint64_t(df.gcount()) != nzb * plane)
                return Error{dataPath, 0, "short read at plane " + std::to_string(z0)};
            if (swap)
                for (size_t i = 0; i < size_t(nzb * plane); i += size_t(bytes))
                    std::reverse(&out[i], &out[i] + bytes);
            return std::nullopt;
        };
    } else {
        src.threadSafe = false;
        auto gs = std::make_shared<GzipStream>();
        gs->f.open(dataPath, std::ios::binary);
        gs->f.seekg(dataStart);
        if (inflateInit2(&gs->zs, 15 + 32) != Z_OK) return Error{dataPath, 0, "zlib init failed"};
        gs->open = true;
        src.read = [=](const std::vector<uint64_t>& idx, std::vector<uint8_t>& out) -> Status {
            if (idx[0] != gs->nextBlock) return Error{dataPath, 0, "internal: gzip blocks out of order"};
            ++gs->nextBlock;
            const uint64_t z0 = idx[0] * chunk0, need = std::min(chunk0, nz - z0) * plane;
            uint64_t got = 0;
            while (got < need) {
                if (gs->ended) {
                    Error e{dataPath, 0,
                            "truncated: gzip data ends after " + std::to_string(gs->produced) +
                                " bytes, the header needs " + std::to_string(uint64_t(totalBytes))};
                    return e;
                }
                if (gs->zs.avail_in == 0) {
                    gs->f.read(reinterpret_cast<char*>(gs->in.data()), std::streamsize(gs->in.size()));
                    gs->zs.next_in = gs->in.data();
                    gs->zs.avail_in = uInt(gs->f.gcount());
                    if (gs->zs.avail_in == 0) {
                        gs->ended = true;
                        continue;
                    }
                }
                gs->zs.next_out = out.data() + got;
                gs->zs.avail_out = uInt(std::min<uint64_t>(need - got, 1u << 30));
                const uInt before = gs->zs.avail_out;
                const int rc = inflate(&gs->zs, Z_NO_FLUSH);
                got += before - gs->zs.avail_out;
                gs->produced += before - gs->zs.avail_out;
                if (rc == Z_STREAM_END)
                    gs->ended = true;
                else if (rc != Z_OK && rc != Z_BUF_ERROR)
                    return Error{dataPath, 0,
                                 std::string("corrupt gzip data (") +
                                     (gs->zs.msg ? gs->zs.msg : "zlib error") + ") after " +
                                     std::to_string(gs->produced) + " bytes"};
            }
            if (swap)
                for (size_t i = 0; i < size_t(need); i += size_t(bytes))
                    std::reverse(&out[i], &out[i] + bytes);
            return std::nullopt;
        };
    }
    if (!src.haveVoxelSize)
        src.warnings.push_back(path + ": no space directions or spacings; voxel size 1 is used");
    sink(src);
    return std::nullopt;
}

} // namespace

Result<LabelVolume> readNrrdVolume(const std::string& path, const OpenOptions& opt) {
    return buildFrom<LabelVolume>(openNrrdArray, buildLabelVolume, ArrayUse::Labels, path, opt);
}

Result<ImageVolume> readNrrdImage(const std::string& path, const OpenOptions& opt) {
    return buildFrom<ImageVolume>(openNrrdArray, buildImageVolume, ArrayUse::Image, path, opt);
}

} // namespace nr
