// HDF5 label datasets: 3-D label maps or 4-D with a channel axis, any filter HDF5 itself decodes (gzip).
// Every HDF5 call here runs in a child process (see openHdf5Array).
#include <algorithm>
#include <cctype>
#include <cstring>
#include <hdf5.h>
#include <memory>
#include <mutex>
#include <set>

#include "io/Hdf5Sandbox.h"
#include "io/MemoryBudget.h"
#include "model/FileKind.h"
#include "morph/Codecs.h"
#include "morph/VolumeSource.h"

namespace nr {

namespace {

// Silences HDF5's error printing while alive (errors become our own messages).
struct QuietHdf5 {
    H5E_auto2_t func = nullptr;
    void* data = nullptr;
    QuietHdf5() {
        H5Eget_auto2(H5E_DEFAULT, &func, &data);
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    }
    ~QuietHdf5() { H5Eset_auto2(H5E_DEFAULT, func, data); }
};

struct Hid {
    hid_t id = -1;
    herr_t (*close)(hid_t) = nullptr;
    Hid(hid_t i, herr_t (*c)(hid_t)) : id(i), close(c) {}
    ~Hid() {
        if (id >= 0 && close) close(id);
    }
    Hid(const Hid&) = delete;
    Hid& operator=(const Hid&) = delete;
};

struct Candidate {
    std::string path;
    int rank = 0;
    bool integer = false;
    bool floating = false;
};

// The search for datasets when no array is named is bounded: a file of thousands of nested groups (or
// millions of objects) would otherwise be walked for minutes.
constexpr int kMaxGroupDepth = 32;
constexpr size_t kMaxObjects = 100000;

struct Walk {
    std::vector<Candidate> found;
    std::set<std::string> seen; // object addresses/tokens already visited (hard links can make cycles)
    size_t objects = 0;
    bool tooDeep = false, tooMany = false;
    bool truncated() const { return tooDeep || tooMany; }
    std::string limitText() const {
        return tooDeep ? "its groups nest deeper than " + std::to_string(kMaxGroupDepth) + " levels"
                       : "it holds more than " + std::to_string(kMaxObjects) + " objects";
    }
};

struct WalkCtx {
    Walk* walk;
    std::string prefix;
    int depth;
};

void walkGroup(hid_t group, const std::string& prefix, int depth, Walk& w);

herr_t walkCb(hid_t group, const char* name, const H5L_info_t* linfo, void* op) {
    auto* ctx = static_cast<WalkCtx*>(op);
    Walk& w = *ctx->walk;
    if (linfo->type != H5L_TYPE_HARD) return 0; // soft and external links are not followed
    if (++w.objects > kMaxObjects) {
        w.tooMany = true;
        return 1;
    }
#if H5_VERSION_GE(1, 12, 0)
    H5O_info2_t info;
    if (H5Oget_info_by_name3(group, name, &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0) return 0;
    char* tok = nullptr;
    std::string key;
    if (H5Otoken_to_str(group, &info.token, &tok) >= 0 && tok) {
        key = tok;
        H5free_memory(tok);
    }
#else
    H5O_info_t info;
    if (H5Oget_info_by_name2(group, name, &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0) return 0;
    const std::string key = std::to_string(info.addr);
#endif
    if (!key.empty() && !w.seen.insert(key).second) return 0;
    const std::string path = ctx->prefix.empty() ? std::string(name) : ctx->prefix + "/" + name;
    if (info.type == H5O_TYPE_GROUP) {
        if (ctx->depth + 1 >= kMaxGroupDepth) {
            w.tooDeep = true;
            return 1;
        }
        Hid g(H5Gopen2(group, name, H5P_DEFAULT), H5Gclose);
        if (g.id >= 0) walkGroup(g.id, path, ctx->depth + 1, w);
        return w.truncated() ? 1 : 0;
    }
    if (info.type != H5O_TYPE_DATASET) return 0;
    Hid ds(H5Dopen2(group, name, H5P_DEFAULT), H5Dclose);
    if (ds.id < 0) return 0;
    Hid ty(H5Dget_type(ds.id), H5Tclose);
    Hid sp(H5Dget_space(ds.id), H5Sclose);
    Candidate c;
    c.path = path;
    c.rank = H5Sget_simple_extent_ndims(sp.id);
    c.integer = H5Tget_class(ty.id) == H5T_INTEGER;
    c.floating = H5Tget_class(ty.id) == H5T_FLOAT;
    w.found.push_back(c);
    return 0;
}

void walkGroup(hid_t group, const std::string& prefix, int depth, Walk& w) {
    WalkCtx ctx{&w, prefix, depth};
    hsize_t idx = 0;
    H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, &idx, walkCb, &ctx);
}

Walk walkFile(hid_t file) {
    Walk w;
    walkGroup(file, "", 0, w);
    return w;
}

std::vector<Candidate> datasets(hid_t file) {
    return walkFile(file).found;
}

std::string labelLike(const std::vector<Candidate>& cs, std::string& others) {
    std::string best;
    int bestScore = -1;
    for (const auto& c : cs) {
        if (!c.integer || c.rank < 3 || c.rank > 4) continue;
        others += (others.empty() ? "" : ", ") + c.path;
        std::string l = c.path;
        for (char& ch : l) ch = char(std::tolower(static_cast<unsigned char>(ch)));
        int s = c.rank == 3 ? 1 : 0;
        for (const char* w : {"label", "inst", "seg", "gt"})
            if (l.find(w) != std::string::npos) s += 2;
        if (s > bestScore) bestScore = s, best = c.path;
    }
    return best;
}

bool readVec3Attr(hid_t ds, const char* name, double out[3]) {
    if (H5Aexists(ds, name) <= 0) return false;
    Hid a(H5Aopen(ds, name, H5P_DEFAULT), H5Aclose);
    if (a.id < 0) return false;
    Hid sp(H5Aget_space(a.id), H5Sclose);
    if (H5Sget_simple_extent_npoints(sp.id) != 3) return false;
    double v[3];
    if (H5Aread(a.id, H5T_NATIVE_DOUBLE, v) < 0) return false;
    for (int k = 0; k < 3; ++k)
        if (!(v[k] > 0)) return false;
    for (int k = 0; k < 3; ++k) out[k] = v[k];
    return true;
}

// The 3-D or 4-D numeric dataset that looks most like an image ("" when none).
std::string imageLike(const std::vector<Candidate>& cs, std::string& others) {
    std::vector<std::string> names;
    for (const auto& c : cs)
        if ((c.integer || c.floating) && c.rank >= 3 && c.rank <= 4) names.push_back(c.path);
    for (const auto& n : names) others += (others.empty() ? "" : ", ") + n;
    return names.empty() ? std::string() : mostImageLike(names);
}

// The HDF5 type blocks are read as (and a fill value compared in): the dataset's kind and width,
// little-endian, as ArraySource::read promises.
hid_t blockType(bool floating, bool isSigned, int bytes) {
    if (floating) return bytes == 4 ? H5T_IEEE_F32LE : H5T_IEEE_F64LE;
    if (isSigned)
        return bytes == 1   ? H5T_STD_I8LE
               : bytes == 2 ? H5T_STD_I16LE
               : bytes == 4 ? H5T_STD_I32LE
                            : H5T_STD_I64LE;
    return bytes == 1   ? H5T_STD_U8LE
           : bytes == 2 ? H5T_STD_U16LE
           : bytes == 4 ? H5T_STD_U32LE
                        : H5T_STD_U64LE;
}

// What the describing child hands back (H5Columns names).
enum MetaFlag : size_t { kFloat, kBytes, kSigned, kDirect, kAllFill, kHaveVoxel, kRank, kFlags };

// Runs in the describing child (io/Hdf5Sandbox.h): opens the file, finds the array (walking the groups when
// none is named), checks it and describes it. No voxel is read.
Result<H5Columns> describeArray(const std::string& path, std::string array, ArrayUse use) {
    QuietHdf5 quiet;
    if (H5Fis_hdf5(path.c_str()) <= 0) return Error{path, 0, "not an HDF5 file (no HDF5 signature)"};
    Hid file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (file.id < 0) return Error{path, 0, "HDF5 could not open the file (damaged or truncated?)"};
    std::vector<std::string> warnings;
    if (array.empty()) {
        std::string others;
        const bool image = use == ArrayUse::Image;
        const Walk walk = walkFile(file.id);
        array = image ? imageLike(walk.found, others) : labelLike(walk.found, others);
        if (walk.truncated())
            return Error{path, 0,
                         "no array named, and the search for one stopped: " + walk.limitText() +
                             (others.empty() ? std::string() : " (found so far: " + others + ")") +
                             "; name the dataset (FILE:DATASET or the array option)"};
        // Several 3-D label maps: guessing by name picked the wrong one (gmm_label for gmm_label_cleaned).
        std::string threeD;
        size_t n3 = 0;
        for (const auto& c : walk.found)
            if (c.integer && c.rank == 3) threeD += (n3++ ? ", " : "") + c.path;
        if (!image && n3 > 1)
            return Error{path, 0,
                         "several 3-D integer datasets (" + threeD +
                             ") and no array named; choose one with the option array (FILE:DATASET)"};
        if (array.empty())
            return Error{path, 0,
                         std::string("no 3-D or 4-D ") + (image ? "numeric" : "integer") +
                             " dataset in this file (set array)"};
        if (others != array)
            warnings.push_back(path + (image ? ": datasets " : ": label datasets ") + others + "; read " +
                               array + " (choose with the array option)");
    }
    // Check each component so a wrong path gets a clear message instead of an HDF5 stack.
    {
        std::string sofar;
        size_t pos = 0;
        std::string a = array;
        while (!a.empty() && a.front() == '/') a.erase(0, 1);
        while (pos <= a.size()) {
            const size_t slash = a.find('/', pos);
            const std::string comp =
                a.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
            sofar += "/" + comp;
            if (comp.empty() || H5Lexists(file.id, sofar.c_str(), H5P_DEFAULT) <= 0) {
                std::string others;
                const Walk walk = walkFile(file.id);
                if (use == ArrayUse::Image)
                    imageLike(walk.found, others);
                else
                    labelLike(walk.found, others);
                return Error{
                    path, 0,
                    "HDF5 path '" + array + "' does not exist (no '" + sofar + "')" +
                        (others.empty()
                             ? std::string()
                             : (use == ArrayUse::Image ? "; datasets: " : "; label datasets: ") + others)};
            }
            if (slash == std::string::npos) break;
            pos = slash + 1;
        }
    }
    Hid ds(H5Dopen2(file.id, array.c_str(), H5P_DEFAULT), H5Dclose);
    if (ds.id < 0) return Error{path, 0, "'" + array + "' is not a dataset"};
    Hid ty(H5Dget_type(ds.id), H5Tclose);
    const bool floating = use == ArrayUse::Image && H5Tget_class(ty.id) == H5T_FLOAT;
    if (H5Tget_class(ty.id) != H5T_INTEGER && !floating)
        return Error{path, 0,
                     "'" + array + "' does not hold " +
                         (use == ArrayUse::Image
                              ? "numbers (an image holds integer or floating-point samples)"
                              : "integers (a label volume holds integer labels)")};
    const int dtypeBytes = int(H5Tget_size(ty.id));
    const bool isSigned = !floating && H5Tget_sign(ty.id) == H5T_SGN_2;
    if (dtypeBytes != 1 && dtypeBytes != 2 && dtypeBytes != 4 && dtypeBytes != 8)
        return Error{path, 0,
                     "'" + array + "': " + (floating ? "floats" : "integers") + " of " +
                         std::to_string(dtypeBytes) + " bytes"};
    if (floating && dtypeBytes != 4 && dtypeBytes != 8)
        return Error{path, 0, "'" + array + "': floats of " + std::to_string(dtypeBytes) + " bytes"};
    Hid sp(H5Dget_space(ds.id), H5Sclose);
    const int rank = H5Sget_simple_extent_ndims(sp.id);
    if (rank < 2 || rank > 4)
        return Error{path, 0, "'" + array + "' has " + std::to_string(rank) + " dimensions (3 or 4 wanted)"};
    hsize_t dims[4], maxDims[4], cd[4];
    H5Sget_simple_extent_dims(sp.id, dims, maxDims);
    Hid dcpl(H5Dget_create_plist(ds.id), H5Pclose);
    const bool chunked = H5Pget_layout(dcpl.id) == H5D_CHUNKED && H5Pget_chunk(dcpl.id, rank, cd) == rank;
    if (!chunked)
        for (int d = 0; d < rank; ++d) cd[d] = d < rank - 2 ? 1 : dims[d];
    // HDF5 itself never writes a chunk larger than a fixed-size dimension; a layout that says so is damaged,
    // and libhdf5 then reads past the end of each decoded chunk (found by fuzzing).
    if (chunked) {
        std::string c, e;
        bool bad = false;
        for (int d = 0; d < rank; ++d) {
            c += (d ? "x" : "") + std::to_string(cd[d]);
            e += (d ? "x" : "") + std::to_string(dims[d]);
            bad = bad || cd[d] == 0 || (maxDims[d] != H5S_UNLIMITED && cd[d] > maxDims[d]);
        }
        if (bad)
            return Error{path, 0,
                         "'" + array + "': chunks of " + c + " do not fit the dataset's fixed shape " + e +
                             " (damaged layout)"};
    }
    // Blocks: whole chunks in the leading dims, grown to the full extent of the last two while small.
    std::vector<uint64_t> shape, chunk, stored;
    for (int d = 0; d < rank; ++d) {
        shape.push_back(dims[d]);
        chunk.push_back(std::max<hsize_t>(1, cd[d]));
        stored.push_back(cd[d]);
    }
    const hid_t memType = blockType(floating, isSigned, dtypeBytes);
    uint64_t chunkBytes = uint64_t(dtypeBytes);
    for (int d = 0; d < rank; ++d) chunkBytes = satMul(chunkBytes, cd[d]);
    // Blocks that are exactly one gzip-only chunk stored in the memory type are read raw and inflated here,
    // into the block: HDF5's own filter would grow a second buffer of the chunk's size by doubling (a 1 GiB
    // chunk of zeros, 1 MB on disk, took 2 GiB and many seconds), and inflateExact checks the stream's
    // checksum.
    bool direct = chunked && chunkBytes >= (uint64_t(1) << 20) && H5Tequal(ty.id, memType) > 0 &&
                  H5Pget_nfilters(dcpl.id) == 1;
    if (direct) {
        unsigned flags = 0;
        size_t nelmts = 0;
        unsigned cdv[8];
        direct = H5Pget_filter2(dcpl.id, 0, &flags, &nelmts, cdv, 0, nullptr, nullptr) == H5Z_FILTER_DEFLATE;
    }
    // An image's trailing channel axis stored one channel per chunk (FISBe's RGB: chunks of 25x43x86x1) is
    // not grown: HDF5 copies contiguous runs along x that way, instead of interleaving sample by sample.
    const bool splitChannels = use == ArrayUse::Image && rank == 4 && dims[3] <= 4 && cd[3] == 1;
    for (int d = rank - 1 - (splitChannels ? 1 : 0);
         !direct && d >= std::max(0, rank - 2 - (splitChannels ? 1 : 0)); --d) {
        double bytes = dtypeBytes;
        for (int k = 0; k < rank; ++k) bytes *= double(k == d ? dims[k] : chunk[size_t(k)]);
        if (bytes <= 64.0 * (1 << 20)) chunk[size_t(d)] = std::max<uint64_t>(1, dims[d]);
    }
    // No chunk or contiguous block was ever written and the fill value is 0: every voxel is background, and
    // nothing needs to be read (or held) to know it.
    bool allFill = false;
    if (H5Dget_storage_size(ds.id) == 0) {
        H5D_fill_value_t defined = H5D_FILL_VALUE_UNDEFINED;
        bool zeroFill = true;
        if (H5Pfill_value_defined(dcpl.id, &defined) >= 0 && defined == H5D_FILL_VALUE_USER_DEFINED) {
            std::vector<uint8_t> fv(size_t(dtypeBytes), 0);
            zeroFill = H5Pget_fill_value(dcpl.id, memType, fv.data()) >= 0 &&
                       std::all_of(fv.begin(), fv.end(), [](uint8_t b) { return b == 0; });
        }
        allFill = zeroFill;
    }
    double voxel[3] = {1, 1, 1};
    bool haveVoxel = false;
    std::string unit;
    for (const char* key : {"resolution", "voxel_size", "element_size_um", "spacing"})
        if (readVec3Attr(ds.id, key, voxel)) {
            haveVoxel = true;
            if (std::string(key) == "element_size_um") unit = "µm";
            break;
        }
    std::vector<int64_t> flags(kFlags, 0);
    flags[kFloat] = floating;
    flags[kBytes] = dtypeBytes;
    flags[kSigned] = isSigned;
    flags[kDirect] = direct;
    flags[kAllFill] = allFill;
    flags[kHaveVoxel] = haveVoxel;
    flags[kRank] = rank;
    H5Columns out;
    out.put("array", std::vector<std::string>{array});
    out.put("warnings", std::move(warnings));
    out.put("unit", std::vector<std::string>{unit});
    out.put("flags", std::move(flags));
    out.put("shape", std::move(shape));
    out.put("chunk", std::move(chunk));
    out.put("stored_chunk", std::move(stored));
    out.put("voxel", std::vector<double>{voxel[0], voxel[1], voxel[2]});
    return out;
}

// The block child's side of reading: the file and dataset stay open across requests.
struct BlockReader {
    std::string path, array;
    std::vector<uint64_t> shape, chunk;
    int rank = 0;
    hid_t memType = -1;
    bool direct = false;
    uint64_t chunkBytes = 0;
    std::unique_ptr<Hid> file, ds;

    Status read(const std::vector<uint64_t>& idx, uint8_t* out, size_t outBytes) {
        QuietHdf5 q;
        if (idx.size() != size_t(rank)) return Error{path, 0, "internal: block index of the wrong rank"};
        if (!ds) {
            file = std::make_unique<Hid>(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
            if (file->id < 0) return Error{path, 0, "HDF5 could not open the file (damaged or truncated?)"};
            ds = std::make_unique<Hid>(H5Dopen2(file->id, array.c_str(), H5P_DEFAULT), H5Dclose);
            if (ds->id < 0) return Error{path, 0, "'" + array + "' is not a dataset"};
        }
        hsize_t start[4], count[4], mdims[4], zero[4] = {0, 0, 0, 0};
        std::string name;
        for (int d = 0; d < rank; ++d) {
            start[d] = idx[size_t(d)] * chunk[size_t(d)];
            if (start[d] >= shape[size_t(d)])
                return Error{path, 0, "internal: block index outside the array"};
            count[d] = std::min<hsize_t>(chunk[size_t(d)], shape[size_t(d)] - start[d]);
            mdims[d] = chunk[size_t(d)];
            name += (d ? "," : "") + std::to_string(start[d]);
        }
        hsize_t stored = 0;
        if (direct && outBytes >= chunkBytes && H5Dget_chunk_storage_size(ds->id, start, &stored) >= 0 &&
            stored > 0) {
            if (stored > chunkBytes + chunkBytes / 2 + (1 << 20))
                return Error{path, 0,
                             array + ": the chunk at (" + name + ") is stored in " + std::to_string(stored) +
                                 " bytes, more than its " + std::to_string(chunkBytes) +
                                 " bytes uncompressed"};
            std::vector<uint8_t> raw(static_cast<size_t>(stored));
            uint32_t mask = 0;
            if (H5Dread_chunk(ds->id, H5P_DEFAULT, start, &mask, raw.data()) < 0)
                return Error{path, 0, array + ": HDF5 could not read the chunk at (" + name + ")"};
            std::string err;
            if (mask & 1u) { // the filter was skipped for this chunk: stored as it is
                if (raw.size() != chunkBytes)
                    return Error{path, 0,
                                 array + ": the unfiltered chunk at (" + name + ") has " +
                                     std::to_string(raw.size()) + " bytes, expected " +
                                     std::to_string(chunkBytes)};
                std::memcpy(out, raw.data(), raw.size());
            } else if (!inflateExact(raw.data(), raw.size(), out, size_t(chunkBytes), err))
                return Error{path, 0, array + ": the gzip chunk at (" + name + "): " + err};
            return std::nullopt;
        }
        Hid fsp(H5Dget_space(ds->id), H5Sclose);
        Hid msp(H5Screate_simple(rank, mdims, nullptr), H5Sclose);
        if (H5Sselect_hyperslab(fsp.id, H5S_SELECT_SET, start, nullptr, count, nullptr) < 0 ||
            H5Sselect_hyperslab(msp.id, H5S_SELECT_SET, zero, nullptr, count, nullptr) < 0)
            return Error{path, 0, array + ": cannot select the block at " + name};
        if (H5Dread(ds->id, memType, msp.id, fsp.id, H5P_DEFAULT, out) < 0)
            return Error{path, 0,
                         array + ": HDF5 could not read the block at (" + name +
                             ") (damaged data, or a compression filter this HDF5 does not have)"};
        return std::nullopt;
    }
};

// Every HDF5 call of a volume read runs in a child process (io/Hdf5Sandbox.h): libhdf5 can crash or loop
// on a corrupt file (a damaged object header crashed H5Literate's walk), and must not take the app with it.
// One child describes the array (the walk, the checks, the layout); a second one, started on the first
// block, keeps the dataset open and reads one block at a time into memory shared with this process.
Status openHdf5Array(const std::string& path, const OpenOptions& opt, ArrayUse use, const ArraySink& sink) {
    if (pathKind(path) == PathKind::Missing) return Error{path, 0, "cannot open: no such file"};
    if (Status st = requireRegularFile(path, "HDF5 file")) return st;
    const std::string named = opt.option("array");
    auto described = readHdf5InChild(path, [&]() { return describeArray(path, named, use); });
    if (!described) return described.error();
    H5Columns& meta = described.value();
    const std::vector<std::string> arrayCol = meta.takeText("array");
    const std::vector<int64_t> flags = meta.takeI64("flags");
    ArraySource src;
    src.shape = meta.takeU64("shape");
    src.chunk = meta.takeU64("chunk");
    const std::vector<uint64_t> stored = meta.takeU64("stored_chunk");
    const std::vector<double> voxel = meta.takeF64("voxel");
    const std::vector<std::string> unit = meta.takeText("unit");
    const int rank = flags.size() == kFlags ? int(flags[kRank]) : 0;
    // The child is not trusted either: what it sends must be the shape of what it describes.
    if (arrayCol.size() != 1 || flags.size() != kFlags || rank < 2 || rank > 4 ||
        src.shape.size() != size_t(rank) || src.chunk.size() != size_t(rank) ||
        stored.size() != size_t(rank) || voxel.size() != 3 || unit.size() != 1 ||
        (flags[kBytes] != 1 && flags[kBytes] != 2 && flags[kBytes] != 4 && flags[kBytes] != 8))
        return Error{path, 0, "the process reading the file sent an incomplete description of the array"};
    for (int d = 0; d < rank; ++d)
        if (src.chunk[size_t(d)] == 0)
            return Error{path, 0, "the process reading the file sent an empty block shape"};
    src.file = path;
    src.array = arrayCol[0];
    src.warnings = meta.takeText("warnings");
    src.threadSafe = false;
    src.isFloat = flags[kFloat] != 0;
    src.dtypeBytes = int(flags[kBytes]);
    src.isSigned = flags[kSigned] != 0;
    src.allFill = flags[kAllFill] != 0;
    src.haveVoxelSize = flags[kHaveVoxel] != 0;
    if (src.haveVoxelSize)
        for (int k = 0; k < 3; ++k) src.voxelSize[k] = voxel[size_t(k)];
    src.unit = unit[0];
    uint64_t blockBytes = uint64_t(src.dtypeBytes);
    for (uint64_t c : src.chunk) blockBytes = satMul(blockBytes, c);
    if (Status st = checkBudget(blockBytes, "one block of '" + src.array + "'",
                                "store the dataset in smaller chunks", path))
        return st;
    auto reader = std::make_shared<BlockReader>();
    reader->path = path;
    reader->array = src.array;
    reader->shape = src.shape;
    reader->chunk = src.chunk;
    reader->rank = rank;
    reader->memType = blockType(src.isFloat, src.isSigned, src.dtypeBytes);
    reader->direct = flags[kDirect] != 0;
    reader->chunkBytes = uint64_t(src.dtypeBytes);
    for (uint64_t c : stored) reader->chunkBytes = satMul(reader->chunkBytes, c);
    auto child = std::make_shared<Hdf5BlockChild>(
        path, size_t(blockBytes), [reader](const std::vector<uint64_t>& idx, uint8_t* block, size_t bytes) {
            return reader->read(idx, block, bytes);
        });
    src.read = [child, blockBytes](const std::vector<uint64_t>& idx, std::vector<uint8_t>& out) -> Status {
        if (out.size() < blockBytes) out.resize(size_t(blockBytes));
        return child->request(idx, out.data());
    };
    if (!src.haveVoxelSize && opt.option("voxel_size").empty())
        src.warnings.push_back(path + ": the dataset gives no voxel size; 1 is used (set voxel_size)");
    sink(src);
    return std::nullopt;
}

// The walk's candidates that `keep` accepts, found in a child ({} when the file cannot be read).
std::vector<std::string> listArrays(const std::string& path, bool (*keep)(const Candidate&)) {
    if (pathKind(path) != PathKind::Regular) return {};
    auto r = readHdf5InChild(path, [&]() -> Result<H5Columns> {
        QuietHdf5 quiet;
        std::vector<std::string> out;
        if (H5Fis_hdf5(path.c_str()) > 0) {
            Hid f(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
            if (f.id >= 0)
                for (const auto& c : datasets(f.id))
                    if (keep(c)) out.push_back(c.path);
        }
        H5Columns cols;
        cols.put("arrays", std::move(out));
        return cols;
    });
    return r ? r.value().takeText("arrays") : std::vector<std::string>{};
}

} // namespace

std::vector<std::string> listVolumeArraysHdf5(const std::string& path) {
    return listArrays(path, [](const Candidate& c) { return c.integer && c.rank >= 3 && c.rank <= 4; });
}

std::vector<std::string> listNumericArraysHdf5(const std::string& path) {
    return listArrays(
        path, [](const Candidate& c) { return (c.integer || c.floating) && c.rank >= 3 && c.rank <= 4; });
}

Status probeHdf5Array(const std::string& path, const std::string& array, const ArraySink& sink) {
    OpenOptions opt;
    opt.options.push_back({"array", array});
    return openHdf5Array(path, opt, ArrayUse::Image, sink);
}

Result<LabelVolume> readHdf5Volume(const std::string& path, const OpenOptions& opt) {
    return buildFrom<LabelVolume>(openHdf5Array, buildLabelVolume, ArrayUse::Labels, path, opt);
}

Result<ImageVolume> readHdf5Image(const std::string& path, const OpenOptions& opt) {
    return buildFrom<ImageVolume>(openHdf5Array, buildImageVolume, ArrayUse::Image, path, opt);
}

} // namespace nr
