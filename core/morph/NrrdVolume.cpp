// NRRD label volumes: raw or gzip encoding, attached or detached (.nhdr + data file) data, space directions,
// spacings, space units, space origin.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <zlib.h>

#include "base/Text.h"
#include "io/MemoryBudget.h"
#include "model/FileKind.h"
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
    bool open = false, ended = false, cut = false;
    std::vector<uint8_t> in = std::vector<uint8_t>(1 << 16);
    uint64_t produced = 0;
    uint64_t nextBlock = 0;
    ~GzipStream() {
        if (open) inflateEnd(&zs);
    }
};

} // namespace

namespace {

// Headers larger than this are refused: a header is a few hundred bytes; /dev/zero or a file with no empty
// line would otherwise be read without end.
constexpr size_t kMaxHeaderBytes = size_t(1) << 20;

// Integer field value: the whole text must be a number in [lo, hi].
bool parseLong(const std::string& v, long long lo, long long hi, long long& out) {
    if (v.empty()) return false;
    char* e = nullptr;
    errno = 0;
    const long long x = std::strtoll(v.c_str(), &e, 10);
    if (errno || *e || x < lo || x > hi) return false;
    out = x;
    return true;
}

// Lexically normalised absolute-or-relative path ("a/./b/../c" -> "a/c"); ".." above the start is kept.
std::string normalisePath(const std::string& p) {
    std::vector<std::string> parts;
    size_t i = 0;
    while (i <= p.size()) {
        const size_t j = std::min(p.find('/', i), p.size());
        const std::string c = p.substr(i, j - i);
        if (c == "..") {
            if (!parts.empty() && parts.back() != "..")
                parts.pop_back();
            else
                parts.push_back(c);
        } else if (!c.empty() && c != ".")
            parts.push_back(c);
        i = j + 1;
    }
    std::string out = !p.empty() && p[0] == '/' ? "/" : "";
    for (size_t k = 0; k < parts.size(); ++k) out += (k ? "/" : "") + parts[k];
    return out;
}

std::string realPath(const std::string& p) {
    char* r = ::realpath(p.c_str(), nullptr);
    if (!r) return std::string();
    std::string out = r;
    std::free(r);
    return out;
}

Status openNrrdArray(const std::string& path, const OpenOptions&, ArrayUse use, const ArraySink& sink) {
    if (Status s = requireRegularFile(path, "NRRD file")) return s;
    // The header: at most kMaxHeaderBytes, up to the first empty line (or the end of a detached header).
    std::string head;
    uint64_t fileSize = 0;
    {
        std::ifstream f(path, std::ios::binary | std::ios::ate);
        if (!f) return Error{path, 0, "cannot open for reading"};
        fileSize = uint64_t(std::max<std::streamoff>(0, f.tellg()));
        f.seekg(0);
        head.resize(size_t(std::min<uint64_t>(fileSize, kMaxHeaderBytes + 1)));
        f.read(&head[0], std::streamsize(head.size()));
        head.resize(size_t(std::max<std::streamsize>(0, f.gcount())));
    }
    size_t pos = 0;
    auto nextLine = [&](std::string& line) -> bool {
        if (pos >= head.size()) return false;
        const size_t nl = head.find('\n', pos);
        if (nl == std::string::npos) {
            line = head.substr(pos);
            pos = head.size();
            return true;
        }
        line = head.substr(pos, nl - pos);
        pos = nl + 1;
        return true;
    };
    std::string line;
    if (!nextLine(line) || line.compare(0, 4, "NRRD") != 0)
        return Error{path, 1, "not a NRRD file (first line must be NRRD000N)"};
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.size() != 8 || line.compare(0, 7, "NRRD000") != 0 || line[7] < '1' || line[7] > '5')
        return Error{path, 1,
                     "magic '" + line.substr(0, 40) +
                         "' is not a NRRD version this reader knows (NRRD0001 to NRRD0005)"};
    std::string type, encoding = "raw", endian = "little", dataFile;
    std::vector<uint64_t> sizes;
    int dimension = 0;
    long lineNo = 1;
    long long byteSkip = 0, lineSkip = 0;
    std::vector<std::vector<double>> dirs;
    std::vector<double> spacings;
    std::vector<std::string> units, kinds;
    std::vector<double> originV;
    bool sawBlank = false;
    long typeLine = 0, dimLine = 0, sizesLine = 0, encLine = 0, endianLine = 0, dataLine = 0,
         byteSkipLine = 0, lineSkipLine = 0;
    while (nextLine(line)) {
        ++lineNo;
        if (pos > kMaxHeaderBytes)
            return Error{path, lineNo,
                         "header larger than " + std::to_string(kMaxHeaderBytes >> 20) +
                             " MiB (no empty line ends it): refused"};
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
            type = lower(val), typeLine = lineNo;
        else if (key == "dimension") {
            long long dim = 0;
            if (!parseLong(val, 1, 16, dim))
                return Error{path, lineNo,
                             "dimension: '" + val.substr(0, 40) + "' is not a number from 1 to 16"};
            dimension = int(dim);
            dimLine = lineNo;
        } else if (key == "sizes") {
            sizesLine = lineNo;
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
            encoding = lower(val), encLine = lineNo;
        else if (key == "endian")
            endian = lower(val), endianLine = lineNo;
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
        } else if (key == "data file" || key == "datafile") {
            dataFile = val, dataLine = lineNo;
            if (dataFile.compare(0, 5, "LIST") == 0 || dataFile.find('%') != std::string::npos)
                return Error{path, lineNo,
                             "data file: lists and patterns of data files are not read (one file is)"};
        } else if (key == "byte skip" || key == "byteskip") {
            byteSkipLine = lineNo;
            if (!parseLong(val, -1, (long long)(uint64_t(1) << 50), byteSkip))
                return Error{path, lineNo,
                             "byte skip: '" + val.substr(0, 40) +
                                 "' is not -1 or a non-negative number of bytes"};
        } else if (key == "line skip" || key == "lineskip") {
            lineSkipLine = lineNo;
            if (!parseLong(val, 0, (long long)(uint64_t(1) << 50), lineSkip))
                return Error{path, lineNo,
                             "line skip: '" + val.substr(0, 40) + "' is not a non-negative number of lines"};
        }
    }
    if (dataFile.empty() && !sawBlank) {
        if (fileSize > kMaxHeaderBytes)
            return Error{path, lineNo,
                         "header larger than " + std::to_string(kMaxHeaderBytes >> 20) +
                             " MiB (no empty line ends it): refused"};
        return Error{path, lineNo, "header does not end with an empty line"};
    }
    if (dimension == 0) return Error{path, lineNo, "the header has no 'dimension' field"};
    if (dimension < 2 || dimension > 4)
        return Error{path, dimLine,
                     "dimension " + std::to_string(dimension) + ": a label volume has 3 (or 4)"};
    if (int(sizes.size()) != dimension)
        return Error{path, sizesLine ? sizesLine : dimLine,
                     "mismatched dimensions: dimension is " + std::to_string(dimension) + " but sizes has " +
                         std::to_string(sizes.size()) + " values"};
    if (endian != "little" && endian != "big")
        return Error{path, endianLine, "endian: '" + endian.substr(0, 40) + "' is neither little nor big"};
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
            return Error{path, typeLine ? typeLine : lineNo,
                         "type '" + type.substr(0, 40) +
                             "' is not an integer label type (uchar, ushort, uint, ulonglong, signed)"};
    }
    const bool gz = encoding == "gzip" || encoding == "gz";
    if (!gz && encoding != "raw")
        return Error{path, encLine,
                     "encoding '" + encoding.substr(0, 40) + "' is not read (raw and gzip are)"};
    if (gz && byteSkip < 0)
        return Error{path, byteSkipLine,
                     "byte skip: -1 (data at the end of the file) is only valid with raw encoding"};
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
    uint64_t dataStart = pos;
    if (!dataFile.empty()) {
        const size_t slash = path.find_last_of('/');
        const std::string folder = slash == std::string::npos ? std::string(".") : path.substr(0, slash);
        dataPath = dataFile[0] == '/' ? dataFile : folder + "/" + dataFile;
        // A header is data someone may send: its data file must stay in the header's folder.
        const std::string normFolder = normalisePath(folder), normData = normalisePath(dataPath);
        const std::string realFolder = realPath(folder), realData = realPath(dataPath);
        const bool lexInside =
            normFolder.empty() ? normData != ".." && normData.compare(0, 3, "../") != 0 && normData[0] != '/'
                               : normData.compare(0, normFolder.size() + 1, normFolder + "/") == 0;
        const bool inside = lexInside && (realData.empty() || realFolder.empty() ||
                                          realData.compare(0, realFolder.size() + 1, realFolder + "/") == 0);
        if (!inside)
            return Error{path, dataLine,
                         "data file: '" + dataFile.substr(0, 200) +
                             "' leaves the header's folder: refused (put the data file beside the header)"};
        if (Status s = requireRegularFile(dataPath, "data file")) {
            Error e = *s;
            e.reason = "data file named on line " + std::to_string(dataLine) + " of " + baseName(path) + " " +
                       e.reason;
            return e;
        }
        dataStart = 0;
    }
    // Blocks of whole planes (z slabs), sized below; the data's byte count first.
    uint64_t plane0 = uint64_t(src.dtypeBytes);
    for (size_t d = 1; d < src.shape.size(); ++d) plane0 = satMul(plane0, src.shape[d]);
    const uint64_t totalData = satMul(plane0, src.shape[0]);
    uint64_t dataSize = 0;
    {
        std::ifstream df(dataPath, std::ios::binary | std::ios::ate);
        if (!df) return Error{dataPath, 0, "cannot open the data file"};
        dataSize = uint64_t(std::max<std::streamoff>(0, df.tellg()));
        if (lineSkip > 0) {
            // Skip whole lines of the data file (before any decoding), never past its end.
            df.seekg(std::streamoff(dataStart));
            std::vector<char> buf(1 << 16);
            long long left = lineSkip;
            uint64_t at = dataStart;
            while (left > 0) {
                df.read(buf.data(), std::streamsize(buf.size()));
                const std::streamsize n = df.gcount();
                if (n <= 0) break;
                std::streamsize i = 0;
                for (; i < n && left > 0; ++i)
                    if (buf[size_t(i)] == '\n') --left;
                at += uint64_t(i);
            }
            if (left > 0)
                return Error{path, lineSkipLine,
                             "line skip: " + std::to_string(lineSkip) +
                                 " lines, but the data file has only " + std::to_string(lineSkip - left) +
                                 " after the header"};
            dataStart = at;
        }
    }
    if (byteSkip > 0 && !gz) {
        if (dataStart + uint64_t(byteSkip) > dataSize)
            return Error{path, byteSkipLine,
                         "byte skip: " + std::to_string(byteSkip) + " bytes, but the data file has only " +
                             std::to_string(dataSize - std::min(dataSize, dataStart)) + " after the header"};
        dataStart += uint64_t(byteSkip);
    }
    if (byteSkip == -1) // raw data at the end of the file
        dataStart = dataSize >= totalData ? dataSize - totalData : 0;
    const uint64_t gzipSkip = gz && byteSkip > 0 ? uint64_t(byteSkip) : 0;
    // Blocks of whole planes (z slabs), about 16 MB each.
    uint64_t plane = uint64_t(src.dtypeBytes);
    for (size_t d = 1; d < src.shape.size(); ++d) plane *= src.shape[d];
    src.chunk = src.shape;
    src.chunk[0] = std::max<uint64_t>(
        1, std::min<uint64_t>(src.shape[0], (uint64_t(16) << 20) / std::max<uint64_t>(1, plane)));
    double totalBytes = double(plane) * double(src.shape[0]);
    {
        const double have = double(dataSize) - double(dataStart);
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
            df.seekg(std::streamoff(dataStart + z0 * plane));
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
        gs->f.seekg(std::streamoff(dataStart));
        if (inflateInit2(&gs->zs, 15 + 32) != Z_OK) return Error{dataPath, 0, "zlib init failed"};
        gs->open = true;
        const uint64_t lastBlock = (nz + chunk0 - 1) / chunk0 - 1;
        // Inflates into dst (n bytes; nullptr: into a scratch buffer, discarded); returns the bytes made.
        auto pump = [gs, dataPath](uint8_t* dst, uint64_t n, Status& err) -> uint64_t {
            uint8_t scratch[1 << 14];
            uint64_t got = 0;
            while (got < n && !gs->ended) {
                if (gs->zs.avail_in == 0) {
                    gs->f.read(reinterpret_cast<char*>(gs->in.data()), std::streamsize(gs->in.size()));
                    gs->zs.next_in = gs->in.data();
                    gs->zs.avail_in = uInt(gs->f.gcount());
                    if (gs->zs.avail_in == 0) {
                        gs->cut = true;
                        gs->ended = true;
                        break;
                    }
                }
                gs->zs.next_out = dst ? dst + got : scratch;
                gs->zs.avail_out = uInt(dst ? std::min<uint64_t>(n - got, 1u << 30)
                                            : std::min<uint64_t>(n - got, sizeof scratch));
                const uInt before = gs->zs.avail_out;
                const int rc = inflate(&gs->zs, Z_NO_FLUSH);
                got += before - gs->zs.avail_out;
                gs->produced += before - gs->zs.avail_out;
                if (rc == Z_STREAM_END)
                    gs->ended = true;
                else if (rc != Z_OK && rc != Z_BUF_ERROR) {
                    const std::string m = gs->zs.msg ? gs->zs.msg : "zlib error";
                    err = Error{dataPath, 0,
                                (m == "incorrect data check"
                                     ? std::string("gzip CRC does not match the data (damaged file)")
                                 : m == "incorrect length check"
                                     ? std::string("gzip length field does not match the data (damaged file)")
                                     : "corrupt gzip data (" + m + ")") +
                                    " after " + std::to_string(gs->produced) + " bytes"};
                    return got;
                }
            }
            return got;
        };
        src.read = [=](const std::vector<uint64_t>& idx, std::vector<uint8_t>& out) -> Status {
            if (idx[0] != gs->nextBlock) return Error{dataPath, 0, "internal: gzip blocks out of order"};
            ++gs->nextBlock;
            Status err;
            if (idx[0] == 0 && gzipSkip > 0) { // byte skip counts decompressed bytes with gzip
                const uint64_t skipped = pump(nullptr, gzipSkip, err);
                if (err) return err;
                if (skipped < gzipSkip)
                    return Error{dataPath, 0,
                                 "truncated: gzip data ends after " + std::to_string(gs->produced) +
                                     " bytes, inside the byte skip of " + std::to_string(gzipSkip)};
            }
            const uint64_t z0 = idx[0] * chunk0, need = std::min(chunk0, nz - z0) * plane;
            const uint64_t got = pump(out.data(), need, err);
            if (err) return err;
            if (got < need)
                return Error{dataPath, 0,
                             "truncated: gzip data ends after " + std::to_string(gs->produced - gzipSkip) +
                                 " bytes, the header needs " + std::to_string(uint64_t(totalBytes))};
            if (idx[0] == lastBlock) {
                // All the data is in: the stream must end here, with a trailer whose CRC and length match.
                const uint64_t extra = pump(nullptr, uint64_t(1) << 20, err);
                if (err) return err;
                if (extra > 0)
                    return Error{dataPath, 0,
                                 "gzip data is longer than the header says (more than " +
                                     std::to_string(uint64_t(totalBytes)) + " bytes)"};
                if (gs->cut || !gs->ended)
                    return Error{dataPath, 0,
                                 "gzip stream ends before its trailer (cut after " +
                                     std::to_string(gs->produced) +
                                     " bytes): CRC and length cannot be checked"};
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
