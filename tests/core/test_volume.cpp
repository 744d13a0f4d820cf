// Label volumes: the FISBe Zarr and HDF5 files and the pinky40 NRRD crops against the data README; Zarr,
// TIFF and HDF5 fixtures written here (several chunkings, codecs written with zlib, the Blosc C API and
// zstd, all dtypes, absent chunks); and malformed inputs, each checking the file, chunk and reason.
#include <QTemporaryDir>
#include <QtTest>
#include <blosc.h>
#include <cstdio>
#include <fstream>
#include <hdf5.h>
#include <map>
#include <random>
#include <set>
#include <sys/stat.h>
#include <tiffio.h>
#include <zlib.h>
#include <zstd.h>

#include "io/ReaderRegistry.h"
#include "morph/LabelVolume.h"
#include "morph/MorphFormats.h"

using namespace nr;

namespace {

const std::string kLabels = std::string(NR_SHARED_DATA) + "/labels/";
const std::string kFisbe = kLabels + "fisbe/R14A02-20180905_65_A6.zarr";
const std::string kPred = kLabels + "fisbe/R14A02-20180905_65_A6_pred.hdf";

void writeFile(const std::string& path, const std::string& bytes) {
    std::ofstream f(path, std::ios::binary);
    f.write(bytes.data(), std::streamsize(bytes.size()));
}
std::string readAll(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
}

// Compresses one chunk's bytes with the codec named as in the fixture table.
std::string encode(const std::string& codec, const std::string& raw, int typesize) {
    if (codec == "none") return raw;
    if (codec == "zlib") {
        uLongf n = compressBound(uLong(raw.size()));
        std::string out(n, '\0');
        compress2(reinterpret_cast<Bytef*>(&out[0]), &n, reinterpret_cast<const Bytef*>(raw.data()),
                  uLong(raw.size()), 6);
        out.resize(n);
        return out;
    }
    if (codec == "gzip") {
        z_stream zs{};
        deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
        std::string out(deflateBound(&zs, uLong(raw.size())) + 32, '\0');
        zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
        zs.avail_in = uInt(raw.size());
        zs.next_out = reinterpret_cast<Bytef*>(&out[0]);
        zs.avail_out = uInt(out.size());
        deflate(&zs, Z_FINISH);
        out.resize(zs.total_out);
        deflateEnd(&zs);
        return out;
    }
    if (codec == "zstd") {
        std::string out(ZSTD_compressBound(raw.size()), '\0');
        out.resize(ZSTD_compress(&out[0], out.size(), raw.data(), raw.size(), 3));
        return out;
    }
    // blosc:<cname>:<shuffle>
    const size_t a = codec.find(':'), b = codec.rfind(':');
    const std::string cname = codec.substr(a + 1, b - a - 1);
    const int shuffle = std::atoi(codec.c_str() + b + 1);
    std::string out(raw.size() + BLOSC_MAX_OVERHEAD, '\0');
    const int n = blosc_compress_ctx(5, shuffle, size_t(typesize), raw.size(), raw.data(), &out[0],
                                     out.size(), cname.c_str(), 0, 1);
    if (n <= 0) qFatal("blosc_compress_ctx failed for %s", codec.c_str());
    out.resize(size_t(n));
    return out;
}

std::string compressorJson(const std::string& codec) {
    if (codec == "none") return "null";
    if (codec == "zlib" || codec == "gzip" || codec == "zstd")
        return "{\"id\": \"" + codec + "\", \"level\": 3}";
    const size_t a = codec.find(':'), b = codec.rfind(':');
    return "{\"blocksize\": 0, \"clevel\": 5, \"cname\": \"" + codec.substr(a + 1, b - a - 1) +
           "\", \"id\": \"blosc\", \"shuffle\": " + codec.substr(b + 1) + "}";
}

std::string jsonList(const std::vector<uint64_t>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
    return s + "]";
}

// Writes a Zarr v2 array at dir (created) with the given values (C order). skip(idx) leaves a chunk out.
void writeZarr(const std::string& dir, const std::vector<uint64_t>& shape,
               const std::vector<uint64_t>& chunks, const std::string& dtype, const std::string& codec,
               uint64_t fill, const std::vector<uint64_t>& values, const std::string& sep = ".",
               std::function<bool(const std::vector<uint64_t>&)> skip = nullptr) {
    ::mkdir(dir.c_str(), 0755);
    writeFile(dir + "/.zarray",
              "{\"chunks\": " + jsonList(chunks) + ", \"compressor\": " + compressorJson(codec) +
                  ", \"dtype\": \"" + dtype + "\", \"fill_value\": " + std::to_string(fill) +
                  ", \"filters\": null, \"order\": \"C\", \"shape\": " + jsonList(shape) +
                  (sep == "/" ? ", \"dimension_separator\": \"/\"" : "") + ", \"zarr_format\": 2}");
    const int w = dtype[2] - '0';
    const size_t nd = shape.size();
    std::vector<uint64_t> grid(nd), idx(nd, 0);
    uint64_t nchunks = 1, chunkVals = 1;
    for (size_t d = 0; d < nd; ++d) {
        grid[d] = (shape[d] + chunks[d] - 1) / chunks[d];
        nchunks *= grid[d];
        chunkVals *= chunks[d];
    }
    for (uint64_t c = 0; c < nchunks; ++c) {
        uint64_t r = c;
        for (size_t d = nd; d-- > 0;) idx[d] = r % grid[d], r /= grid[d];
        if (skip && skip(idx)) continue;
        std::string raw(size_t(chunkVals) * size_t(w), '\0');
        std::vector<uint64_t> in(nd, 0);
        for (uint64_t k = 0; k < chunkVals; ++k) {
            uint64_t q = k;
            bool inside = true;
            uint64_t lin = 0;
            for (size_t d = nd; d-- > 0;) in[d] = q % chunks[d], q /= chunks[d];
            for (size_t d = 0; d < nd; ++d) {
                const uint64_t g = idx[d] * chunks[d] + in[d];
                inside = inside && g < shape[d];
                lin = lin * shape[d] + g;
            }
            const uint64_t v = inside ? values[size_t(lin)] : 0;
            std::memcpy(&raw[size_t(k) * size_t(w)], &v, size_t(w));
        }
        std::string key;
        for (size_t d = 0; d < nd; ++d) key += (d ? sep : "") + std::to_string(idx[d]);
        if (sep == "/") {
            std::string p = dir;
            for (size_t d = 0; d + 1 < nd; ++d) {
                p += "/" + std::to_string(idx[d]);
                ::mkdir(p.c_str(), 0755);
            }
        }
        writeFile(dir + "/" + key, encode(codec, raw, w));
    }
}

// Random label map: about half background, labels up to maxLabel.
std::vector<uint64_t> randomLabels(size_t n, uint64_t maxLabel, unsigned seed) {
    std::mt19937_64 rng(seed);
    std::vector<uint64_t> v(n);
    for (auto& x : v) x = (rng() & 1) ? 1 + rng() % maxLabel : 0;
    v[n / 2] = maxLabel; // the largest label occurs
    return v;
}

void checkLabelMap(const LabelVolume& v, const std::vector<uint64_t>& want) {
    QCOMPARE(v.voxelCount(), want.size());
    std::map<uint64_t, uint64_t> counts;
    size_t i = 0;
    for (size_t z = 0; z < v.nz; ++z)
        for (size_t y = 0; y < v.ny; ++y)
            for (size_t x = 0; x < v.nx; ++x, ++i) {
                if (v.label(z, y, x) != want[i])
                    QFAIL(qPrintable(QString("voxel %1,%2,%3: %4 != %5")
                                         .arg(z)
                                         .arg(y)
                                         .arg(x)
                                         .arg(v.label(z, y, x))
                                         .arg(want[i])));
                if (want[i]) ++counts[want[i]];
            }
    QCOMPARE(v.instances.size(), counts.size());
    for (const auto& in : v.instances) QCOMPARE(in.voxels, counts[in.label]);
}

void expectError(const Result<LabelVolume>& r, const std::string& file, const std::string& reason,
                 const std::string& reason2 = "") {
    QVERIFY2(!r.ok(), "expected an error");
    const Error& e = r.error();
    QVERIFY2(e.file.find(file) != std::string::npos,
             (e.str() + "  [file should contain " + file + "]").c_str());
    QVERIFY2(e.reason.find(reason) != std::string::npos,
             (e.str() + "  [reason should say " + reason + "]").c_str());
    if (!reason2.empty())
        QVERIFY2(e.reason.find(reason2) != std::string::npos,
                 (e.str() + "  [reason should say " + reason2 + "]").c_str());
}

OpenOptions withArray(const std::string& a) {
    OpenOptions o;
    o.options.push_back({"array", a});
    return o;
}

void writeTiff(const std::string& path, int pages, uint32_t w, uint32_t h, int bps,
               const std::vector<uint64_t>& v, int spp = 1) {
    TIFF* t = TIFFOpen(path.c_str(), "w");
    for (int p = 0; p < pages; ++p) {
        TIFFSetField(t, TIFFTAG_IMAGEWIDTH, w);
        TIFFSetField(t, TIFFTAG_IMAGELENGTH, h);
        TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, bps);
        TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, spp);
        TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, 4);
        TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
        TIFFSetField(t, TIFFTAG_PHOTOMETRIC, spp == 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK);
        TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_ADOBE_DEFLATE);
        if (pages > 1) {
            TIFFSetField(t, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
            TIFFSetField(t, TIFFTAG_PAGENUMBER, p, pages);
        }
        const size_t bpp = size_t(bps) / 8 * size_t(spp);
        std::vector<uint8_t> row(w * bpp);
        for (uint32_t y = 0; y < h; ++y) {
            for (uint32_t x = 0; x < w; ++x) {
                const uint64_t val = v.empty() ? 0 : v[(size_t(p) * h + y) * w + x];
                std::memcpy(&row[x * bpp], &val, bpp);
            }
            TIFFWriteScanline(t, row.data(), y, 0);
        }
        TIFFWriteDirectory(t);
    }
    TIFFClose(t);
}

} // namespace

class TestVolume : public QObject {
    Q_OBJECT
private slots:
    void fisbeZarr() {
        auto r = readZarrVolume(kFisbe, withArray("volumes/gt_instances"));
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
        const LabelVolume& v = r.value();
        QCOMPARE(v.axes, std::string("czyx"));
        QCOMPARE(v.fileShape, (std::vector<uint64_t>{7, 385, 685, 686}));
        QCOMPARE(v.shapeString(), std::string("385x685x686"));
        QVERIFY(v.perChannel);
        const uint64_t voxels[7] = {72631, 41350, 47861, 70804, 3888, 53601, 29399};
        const int64_t box[7][6] = {{194, 337, 367, 581, 332, 685}, {54, 338, 344, 562, 43, 371},
                                   {54, 342, 330, 544, 57, 363},   {170, 328, 277, 666, 341, 684},
                                   {82, 270, 365, 440, 520, 595},  {64, 336, 37, 336, 340, 541},
                                   {62, 289, 181, 552, 251, 638}};
        QCOMPARE(v.instances.size(), size_t(7));
        for (size_t i = 0; i < 7; ++i) {
            QCOMPARE(v.instances[i].label, uint64_t(i + 1));
            QCOMPARE(v.instances[i].channel, int(i));
            QCOMPARE(v.instances[i].voxels, voxels[i]);
            for (int k = 0; k < 3; ++k) {
                QCOMPARE(v.instances[i].lo[k], box[i][2 * k]);
                QCOMPARE(v.instances[i].hi[k], box[i][2 * k + 1]);
            }
        }
        QCOMPARE(v.foregroundVoxels, uint64_t(318857));
        QCOMPARE(v.overlapVoxels, uint64_t(677));
        // the instance mask holds exactly the instance's voxels
        const InstanceMask m = v.instanceMask(4, 1);
        uint64_t set = 0;
        for (uint8_t b : m.mask) set += b;
        QCOMPARE(set, voxels[4]);
        QCOMPARE(m.origin[0], int64_t(81));
        QCOMPARE(m.dims[2], int64_t(595 - 520 + 3));

        // without the array option the only array is found; through the registry the summary is the line
        // `--screenshot` prints
        auto ds = ReaderRegistry::builtin().open(kFisbe);
        QVERIFY2(ds.ok(), ds.ok() ? "" : ds.error().str().c_str());
        QCOMPARE(ds.value().kind, LayerKind::LabelVolume);
        QCOMPARE(ds.value().summary, std::string("volume instances=7 shape=385x685x686"));
        QCOMPARE(std::any_cast<std::shared_ptr<const LabelVolume>>(ds.value().payload)->overlapVoxels,
                 uint64_t(677));
        QCOMPARE(listVolumeArrays(kFisbe), std::vector<std::string>{"volumes/gt_instances"});
    }

    void fisbeHdf5() {
        auto r = readHdf5Volume(kPred, withArray("volumes/gmm_label_cleaned"));
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
        const LabelVolume& v = r.value();
        QCOMPARE(v.shapeString(), std::string("385x685x686"));
        QVERIFY(!v.perChannel);
        QCOMPARE(v.bytesPerVoxel, 1); // int32 in the file, stored in the smallest type
        const uint64_t counts[11] = {1446, 40562, 62319, 1094, 1495, 1923, 1134, 128, 1225, 34230, 32};
        QCOMPARE(v.instances.size(), size_t(11));
        uint64_t total = 0;
        for (size_t i = 0; i < 11; ++i) {
            QCOMPARE(v.instances[i].label, uint64_t(i + 1));
            QCOMPARE(v.instances[i].voxels, counts[i]);
            total += counts[i];
        }
        QCOMPARE(v.foregroundVoxels, total);
        QCOMPARE(v.overlapVoxels, uint64_t(0));
        // nine labels with at least 800 voxels
        int big = 0;
        for (const auto& in : v.instances) big += in.voxels >= 800;
        QCOMPARE(big, 9);
    }

    void nrrdRawAndGzip() {
        auto a = readNrrdVolume(kLabels + "pinky40_crop_256x256x64.nrrd");
        auto b = readNrrdVolume(kLabels + "pinky40_crop_256x256x64_gzip.nrrd");
        QVERIFY2(a.ok(), a.ok() ? "" : a.error().str().c_str());
        QVERIFY2(b.ok(), b.ok() ? "" : b.error().str().c_str());
        QCOMPARE(a.value().shapeString(), std::string("64x256x256"));
        QCOMPARE(a.value().axes, std::string("zyx"));
        QVERIFY(a.value().labelData == b.value().labelData);
        QCOMPARE(a.value().voxelSize[0], 40.0);
        QCOMPARE(a.value().voxelSize[2], 32.0);
        QCOMPARE(a.value().unit, std::string("nm"));
        QCOMPARE(a.value().origin[0], 8960.0);
        // 244 distinct values: background + 243 labels, with the README's voxel counts from the CSV
        QCOMPARE(a.value().instances.size(), size_t(243));
        QCOMPARE(a.value().voxelCount() - a.value().foregroundVoxels, uint64_t(35775));
        std::ifstream csv(kLabels + "pinky40_crop_256x256x64_labels.csv");
        std::string line;
        std::getline(csv, line);
        size_t rows = 0;
        while (std::getline(csv, line)) {
            unsigned long long label, orig, vox;
            QCOMPARE(std::sscanf(line.c_str(), "%llu,%llu,%llu", &label, &orig, &vox), 3);
            if (label == 0) continue;
            QCOMPARE(a.value().instances[size_t(label - 1)].label, uint64_t(label));
            QCOMPARE(a.value().instances[size_t(label - 1)].voxels, uint64_t(vox));
            ++rows;
        }
        QCOMPARE(rows, size_t(243));
        QCOMPARE(a.value().instances[1].voxels, uint64_t(901701));
        auto ds = ReaderRegistry::builtin().open(kLabels + "pinky40_crop_256x256x64_gzip.nrrd");
        QVERIFY(ds.ok());
        QCOMPARE(ds.value().summary, std::string("volume instances=243 shape=64x256x256"));
    }

    void zarrFixtures_data() {
        QTest::addColumn<QString>("codec");
        QTest::addColumn<QString>("dtype");
        QTest::addColumn<QString>("chunks");
        QTest::addColumn<QString>("sep");
        QTest::addColumn<int>("fill");
        QTest::newRow("none u1 7x8x5") << "none"
                                       << "|u1"
                                       << "7,8,5"
                                       << "." << 0;
        QTest::newRow("zlib u2 whole") << "zlib"
                                       << "<u2"
                                       << "19,23,17"
                                       << "." << 0;
        QTest::newRow("gzip u4 rows") << "gzip"
                                      << "<u4"
                                      << "1,1,17"
                                      << "." << 0;
        QTest::newRow("blosc zstd bitshuffle u1") << "blosc:zstd:2"
                                                  << "|u1"
                                                  << "4,16,16"
                                                  << "." << 0;
        QTest::newRow("blosc lz4 byteshuffle u2") << "blosc:lz4:1"
                                                  << "<u2"
                                                  << "3,40,4"
                                                  << "." << 0;
        QTest::newRow("blosc zlib noshuffle u8") << "blosc:zlib:0"
                                                 << "<u8"
                                                 << "8,8,8"
                                                 << "/" << 0;
        QTest::newRow("blosc lz4hc bitshuffle i4") << "blosc:lz4hc:2"
                                                   << "<i4"
                                                   << "5,6,7"
                                                   << "." << 0;
        QTest::newRow("zstd i8 absent chunks fill 0") << "zstd"
                                                      << "<i8"
                                                      << "10,10,10"
                                                      << "." << 0;
        QTest::newRow("blosc zstd u2 absent chunks fill 7") << "blosc:zstd:1"
                                                            << "<u2"
                                                            << "6,7,8"
                                                            << "/" << 7;
    }
    void zarrFixtures() {
        QFETCH(QString, codec);
        QFETCH(QString, dtype);
        QFETCH(QString, chunks);
        QFETCH(QString, sep);
        QFETCH(int, fill);
        QTemporaryDir tmp;
        const std::string store = tmp.path().toStdString() + "/f.zarr";
        ::mkdir(store.c_str(), 0755);
        writeFile(store + "/.zgroup", "{\"zarr_format\": 2}");
        const std::vector<uint64_t> shape{19, 23, 17};
        std::vector<uint64_t> ch;
        for (const auto& s : chunks.split(',')) ch.push_back(s.toULongLong());
        const std::string dt = dtype.toStdString();
        const uint64_t maxLabel = dt == "|u1"   ? 200
                                  : dt == "<u2" ? 60000
                                  : dt == "<u4" ? 70000
                                  : dt == "<u8" ? 5000000000ull
                                                : 300;
        std::vector<uint64_t> v = randomLabels(19 * 23 * 17, maxLabel, unsigned(codec.size() * 31 + ch[0]));
        const bool skipSome = codec.startsWith("zstd") || fill != 0;
        auto skip = [&](const std::vector<uint64_t>& idx) {
            return skipSome && (idx[0] + idx[1] + idx[2]) % 3 == 1;
        };
        ::mkdir((store + "/labels").c_str(), 0755);
        writeZarr(store + "/labels/seg", shape, ch, dt, codec.toStdString(), uint64_t(fill), v,
                  sep.toStdString(), skip);
        // expected values: absent chunks hold the fill value
        if (skipSome)
            for (uint64_t z = 0; z < 19; ++z)
                for (uint64_t y = 0; y < 23; ++y)
                    for (uint64_t x = 0; x < 17; ++x)
                        if (skip({z / ch[0], y / ch[1], x / ch[2]}))
                            v[(z * 23 + y) * 17 + x] = uint64_t(fill);
        auto r = readZarrVolume(store, withArray("labels/seg"));
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
        QCOMPARE(r.value().array, std::string("labels/seg"));
        checkLabelMap(r.value(), v);
        const int want = maxLabel > 0xFFFFFFFFull ? 8 : maxLabel > 0xFFFF ? 4 : maxLabel > 0xFF ? 2 : 1;
        QCOMPARE(r.value().bytesPerVoxel, want);
    }

    void zarrChannels() {
        // one channel per instance, channel first and channel last, with overlaps
        QTemporaryDir tmp;
        const uint64_t C = 3, Z = 9, Y = 10, X = 11;
        std::mt19937 rng(5);
        std::vector<uint64_t> first(C * Z * Y * X), last(C * Z * Y * X);
        std::vector<std::set<uint64_t>> want(C);
        std::map<uint64_t, int> members;
        for (uint64_t c = 0; c < C; ++c)
            for (uint64_t i = 0; i < Z * Y * X; ++i)
                if (rng() % 4 == 0) {
                    first[c * Z * Y * X + i] = c + 1;
                    last[i * C + c] = c + 1;
                    want[c].insert(i);
                    ++members[i];
                }
        uint64_t overlap = 0;
        for (auto& kv : members) overlap += kv.second > 1;
        writeZarr(tmp.path().toStdString() + "/cf.zarr", {C, Z, Y, X}, {3, 4, 5, 6}, "|u1", "blosc:zstd:2", 0,
                  first);
        writeZarr(tmp.path().toStdString() + "/cl.zarr", {Z, Y, X, C}, {4, 5, 6, 2}, "|u1", "gzip", 0, last);
        for (const char* name : {"/cf.zarr", "/cl.zarr"}) {
            auto r = readZarrVolume(tmp.path().toStdString() + name);
            QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
            const LabelVolume& v = r.value();
            QCOMPARE(v.axes, std::string(name[2] == 'f' ? "czyx" : "zyxc"));
            QCOMPARE(v.shapeString(), std::string("9x10x11"));
            QCOMPARE(v.instances.size(), size_t(C));
            for (uint64_t c = 0; c < C; ++c)
                QVERIFY(std::vector<uint64_t>(want[c].begin(), want[c].end()) == v.instanceVoxels[c]);
            QCOMPARE(v.overlapVoxels, overlap);
            QCOMPARE(v.foregroundVoxels, uint64_t(members.size()));
        }
    }

    void tiffStacks() {
        QTemporaryDir tmp;
        const std::string d = tmp.path().toStdString();
        for (int bps : {8, 16, 32}) {
            const uint64_t maxLabel = bps == 8 ? 250 : bps == 16 ? 65000 : 100000;
            const auto v = randomLabels(5 * 13 * 11, maxLabel, unsigned(bps));
            const std::string f = d + "/stack" + std::to_string(bps) + ".tif";
            writeTiff(f, 5, 11, 13, bps, v);
            auto r = readTiffVolume(f);
            QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
            QCOMPARE(r.value().shapeString(), std::string("5x13x11"));
            checkLabelMap(r.value(), v);
        }
        // folder of slices
        const std::string slices = d + "/slices";
        ::mkdir(slices.c_str(), 0755);
        const auto v = randomLabels(4 * 6 * 7, 1000, 3);
        for (int z = 0; z < 4; ++z)
            writeTiff(slices + "/s" + std::to_string(z) + ".tif", 1, 7, 6, 16,
                      std::vector<uint64_t>(v.begin() + z * 42, v.begin() + (z + 1) * 42));
        auto r = ReaderRegistry::builtin().open(slices);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
        QCOMPARE(r.value().summary.substr(0, 17), std::string("volume instances="));
        checkLabelMap(*std::any_cast<std::shared_ptr<const LabelVolume>>(r.value().payload), v);
    }

    void hdf5Fixtures() {
        QTemporaryDir tmp;
        const std::string f = tmp.path().toStdString() + "/seg.h5";
        const auto v = randomLabels(12 * 9 * 10, 3000, 9);
        hid_t file = H5Fcreate(f.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
        hid_t g = H5Gcreate2(file, "volumes", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        hsize_t dims[3] = {12, 9, 10}, cd[3] = {5, 4, 3};
        hid_t sp = H5Screate_simple(3, dims, nullptr);
        hid_t pl = H5Pcreate(H5P_DATASET_CREATE);
        H5Pset_chunk(pl, 3, cd);
        H5Pset_deflate(pl, 4);
        hid_t ds = H5Dcreate2(g, "labels", H5T_STD_U16LE, sp, H5P_DEFAULT, pl, H5P_DEFAULT);
        std::vector<uint16_t> u16(v.begin(), v.end());
        H5Dwrite(ds, H5T_NATIVE_UINT16, H5S_ALL, H5S_ALL, H5P_DEFAULT, u16.data());
        H5Dclose(ds);
        hid_t fs = H5Dcreate2(g, "raw", H5T_IEEE_F32LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        H5Dclose(fs);
        H5Pclose(pl);
        H5Sclose(sp);
        H5Gclose(g);
        H5Fclose(file);
        auto r = readHdf5Volume(f, withArray("/volumes/labels"));
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
        checkLabelMap(r.value(), v);
        QCOMPARE(r.value().bytesPerVoxel, 2);
        auto guess = readHdf5Volume(f); // the only integer dataset is found
        QVERIFY(guess.ok());
        QCOMPARE(guess.value().array, std::string("volumes/labels"));
        expectError(readHdf5Volume(f, withArray("volumes/raw")), "seg.h5", "does not hold integers");
    }

    // Gzip chunks of 1 MiB and more are read raw and inflated into the block (no second chunk-sized buffer):
    // the labels, partial chunks at the edges and chunks never written (fill value 0) come out right, and a
    // damaged chunk names the dataset and the chunk.
    void hdf5LargeGzipChunks() {
        QTemporaryDir tmp;
        const std::string f = tmp.path().toStdString() + "/big.h5";
        const hsize_t dims[3] = {40, 130, 140}, cd[3] = {32, 128, 128}; // 1 MiB chunks of u16, 8 of them
        const size_t n = size_t(dims[0] * dims[1] * dims[2]);
        std::vector<uint64_t> want = randomLabels(n, 2000, 7);
        for (size_t i = 0; i < n; ++i)
            if (i / size_t(dims[1] * dims[2]) >= 32 && (i / size_t(dims[2])) % dims[1] >= 128) want[i] = 0;
        hid_t file = H5Fcreate(f.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
        hid_t sp = H5Screate_simple(3, dims, nullptr);
        hid_t pl = H5Pcreate(H5P_DATASET_CREATE);
        H5Pset_chunk(pl, 3, cd);
        H5Pset_deflate(pl, 1);
        hid_t ds = H5Dcreate2(file, "labels", H5T_STD_U16LE, sp, H5P_DEFAULT, pl, H5P_DEFAULT);
        std::vector<uint16_t> u16(want.begin(), want.end());
        // Everything but the chunks at z >= 32, y >= 128 (two of the eight) is written.
        for (hsize_t z0 : {hsize_t(0), hsize_t(32)})
            for (hsize_t y0 : {hsize_t(0), hsize_t(128)}) {
                if (z0 == 32 && y0 == 128) continue;
                const hsize_t start[3] = {z0, y0, 0},
                              count[3] = {std::min<hsize_t>(32, dims[0] - z0),
                                          std::min<hsize_t>(128, dims[1] - y0), dims[2]};
                hid_t fs = H5Dget_space(ds);
                H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, nullptr, count, nullptr);
                hid_t ms = H5Screate_simple(3, dims, nullptr);
                H5Sselect_hyperslab(ms, H5S_SELECT_SET, start, nullptr, count, nullptr);
                H5Dwrite(ds, H5T_NATIVE_UINT16, ms, fs, H5P_DEFAULT, u16.data());
                H5Sclose(ms);
                H5Sclose(fs);
            }
        H5Dclose(ds);
        H5Pclose(pl);
        H5Sclose(sp);
        H5Fclose(file);
        auto r = readHdf5Volume(f);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
        checkLabelMap(r.value(), want);
        // One byte of the first chunk's deflate stream changed: its checksum no longer matches.
        {
            hid_t fr = H5Fopen(f.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
            hid_t d = H5Dopen2(fr, "labels", H5P_DEFAULT);
            haddr_t addr = 0;
            hsize_t size = 0, off[3] = {0, 0, 0};
            H5Dget_chunk_info_by_coord(d, off, nullptr, &addr, &size);
            H5Dclose(d);
            H5Fclose(fr);
            QVERIFY(size > 100);
            std::string bytes = readAll(f);
            bytes[size_t(addr + size - 2)] = char(bytes[size_t(addr + size - 2)] ^ 0x40);
            writeFile(f, bytes);
        }
        expectError(readHdf5Volume(f), "big.h5", "labels: the gzip chunk at (0,0,0)", "checksum");
    }

    // Each malformed input names the file (and the chunk or line) and says why.
    void malformed() {
        QTemporaryDir tmp;
        const std::string d = tmp.path().toStdString();
        const std::vector<uint64_t> shape{4, 5, 6};
        const auto v = randomLabels(4 * 5 * 6, 9, 1);
        auto fresh = [&](const std::string& name, const std::string& codec,
                         const std::string& dtype = "|u1") {
            const std::string p = d + "/" + name;
            writeZarr(p, shape, {2, 5, 6}, dtype, codec, 0, v);
            return p;
        };
        int cases = 0;
        // 1 missing .zarray for the named array
        {
            const std::string p = fresh("a.zarr", "zlib");
            expectError(readZarrVolume(p, withArray("nope")), "a.zarr/nope/.zarray", "missing .zarray");
            ++cases;
        }
        // 2 a store with no array at all
        {
            const std::string p = d + "/empty.zarr";
            ::mkdir(p.c_str(), 0755);
            writeFile(p + "/.zgroup", "{\"zarr_format\": 2}");
            expectError(readZarrVolume(p), "empty.zarr/.zarray", "missing .zarray");
            ++cases;
        }
        // 3 unknown codec
        {
            const std::string p = fresh("codec.zarr", "zlib");
            std::string m = readAll(p + "/.zarray");
            m.replace(m.find("\"zlib\""), 6, "\"lzma\"");
            writeFile(p + "/.zarray", m);
            expectError(readZarrVolume(p), "codec.zarr/.zarray", "unknown codec \"lzma\"");
            ++cases;
        }
        // 4 zlib chunk whose decompressed size is wrong
        {
            const std::string p = fresh("size.zarr", "zlib");
            writeFile(p + "/1.0.0", encode("zlib", std::string(100, '\1'), 1));
            expectError(readZarrVolume(p), "size.zarr/1.0.0", "chunk 1.0.0",
                        "decompressed to 100 bytes, expected 60");
            ++cases;
        }
        // 5 Blosc chunk of the wrong size (valid header)
        {
            const std::string p = fresh("bsize.zarr", "blosc:zstd:2");
            writeFile(p + "/0.0.0", encode("blosc:zstd:2", std::string(59, '\2'), 1));
            expectError(readZarrVolume(p), "bsize.zarr/0.0.0", "chunk 0.0.0",
                        "59 bytes (Blosc header), expected 60");
            ++cases;
        }
        // 6 corrupt Blosc header
        {
            const std::string p = fresh("bhdr.zarr", "blosc:lz4:1");
            std::string c = readAll(p + "/1.0.0");
            c[0] = char(9); // version byte
            for (int k = 4; k < 16; ++k) c[size_t(k)] = char(0xFF);
            writeFile(p + "/1.0.0", c);
            expectError(readZarrVolume(p), "bhdr.zarr/1.0.0", "corrupt Blosc header");
            ++cases;
        }
        // 7 Blosc chunk cut short (shorter than a header)
        {
            const std::string p = fresh("bshort.zarr", "blosc:lz4:1");
            writeFile(p + "/0.0.0", std::string("\x02\x01", 2));
            expectError(readZarrVolume(p), "bshort.zarr/0.0.0", "corrupt Blosc header");
            ++cases;
        }
        // 8 uncompressed chunk of the wrong length
        {
            const std::string p = fresh("raw.zarr", "none");
            writeFile(p + "/0.0.0", std::string(7, '\1'));
            expectError(readZarrVolume(p), "raw.zarr/0.0.0", "has 7 bytes, expected 60");
            ++cases;
        }
        // 9 corrupt deflate data
        {
            const std::string p = fresh("deflate.zarr", "gzip");
            std::string c = readAll(p + "/1.0.0");
            for (size_t k = 12; k < c.size(); ++k) c[k] = char(0xA5);
            writeFile(p + "/1.0.0", c);
            expectError(readZarrVolume(p), "deflate.zarr/1.0.0", "chunk 1.0.0");
            ++cases;
        }
        // 10 mismatched dimensions in .zarray
        {
            const std::string p = fresh("dims.zarr", "none");
            std::string m = readAll(p + "/.zarray");
            m.replace(m.find("\"chunks\": [2, 5, 6]"), 19, "\"chunks\": [2, 5]");
            writeFile(p + "/.zarray", m);
            expectError(readZarrVolume(p), "dims.zarr/.zarray", "mismatched dimensions");
            ++cases;
        }
        // 11 floating-point dtype
        {
            const std::string p = fresh("float.zarr", "none");
            std::string m = readAll(p + "/.zarray");
            m.replace(m.find("\"|u1\""), 5, "\"<f4\"");
            writeFile(p + "/.zarray", m);
            expectError(readZarrVolume(p), "float.zarr/.zarray", "not an integer label type");
            ++cases;
        }
        // 12 not Zarr v2
        {
            const std::string p = fresh("v3.zarr", "none");
            std::string m = readAll(p + "/.zarray");
            m.replace(m.find("\"zarr_format\": 2"), 16, "\"zarr_format\": 3");
            writeFile(p + "/.zarray", m);
            expectError(readZarrVolume(p), "v3.zarr/.zarray", "zarr_format is not 2");
            ++cases;
        }
        // 13 broken JSON
        {
            const std::string p = fresh("json.zarr", "none");
            writeFile(p + "/.zarray", "{\"shape\": [4, 5,");
            expectError(readZarrVolume(p), "json.zarr/.zarray", "not valid JSON");
            ++cases;
        }
        // 14 negative labels in a signed label map
        {
            std::vector<uint64_t> neg = v;
            neg[37] = uint64_t(int64_t(-3));
            writeZarr(d + "/neg.zarr", shape, {2, 5, 6}, "<i4", "zlib", 0, neg);
            expectError(readZarrVolume(d + "/neg.zarr"), "neg.zarr", "block 0.0.0 holds negative labels");
            ++cases;
        }
        // 15 Fortran order
        {
            const std::string p = fresh("forder.zarr", "none");
            std::string m = readAll(p + "/.zarray");
            m.replace(m.find("\"order\": \"C\""), 12, "\"order\": \"F\"");
            writeFile(p + "/.zarray", m);
            expectError(readZarrVolume(p), "forder.zarr/.zarray", "only C order");
            ++cases;
        }
        // 16 too big for memory, refused from the header with an estimate
        {
            const std::string p = d + "/huge.zarr";
            ::mkdir(p.c_str(), 0755);
            writeFile(p + "/.zarray", "{\"chunks\": [64, 64, 64], \"compressor\": null, \"dtype\": \"<u4\", "
                                      "\"fill_value\": 0, \"filters\": null, \"order\": \"C\", \"shape\": "
                                      "[100000, 100000, 100000], \"zarr_format\": 2}");
            expectError(readZarrVolume(p), "huge.zarr", "volume too big for memory", "needs about 4.000 PB");
            ++cases;
        }
        // 17 too big with a small explicit limit (NRRD), nothing allocated
        {
            OpenOptions o;
            o.options.push_back({"max_bytes", "1000000"});
            expectError(readNrrdVolume(kLabels + "pinky40_crop_256x256x64.nrrd", o),
                        "pinky40_crop_256x256x64.nrrd", "volume too big for memory", "limit 1.000 MB");
            ++cases;
        }
        // 18 truncated raw NRRD
        {
            const std::string full = readAll(kLabels + "pinky40_crop_256x256x64.nrrd");
            writeFile(d + "/cut.nrrd", full.substr(0, 234 + 1000000));
            auto r = readNrrdVolume(d + "/cut.nrrd");
            expectError(r, "cut.nrrd",
                        "truncated: the header needs 8388608 bytes of data, the file has 1000000");
            QCOMPARE(r.error().byteOffset, 1000234LL);
            ++cases;
        }
        // 19 truncated gzip NRRD
        {
            const std::string full = readAll(kLabels + "pinky40_crop_256x256x64_gzip.nrrd");
            writeFile(d + "/cutgz.nrrd", full.substr(0, full.size() / 2));
            expectError(readNrrdVolume(d + "/cutgz.nrrd"), "cutgz.nrrd", "truncated: gzip data ends after");
            ++cases;
        }
        // 19b damaged gzip NRRD: a flipped bit anywhere in the stream is an error (the CRC is checked), never
        // other labels
        {
            const std::string full = readAll(kLabels + "pinky40_crop_256x256x64_gzip.nrrd");
            std::string crc = full;
            crc[crc.size() - 6] = char(crc[crc.size() - 6] ^ 0x01);
            writeFile(d + "/crc.nrrd", crc);
            expectError(readNrrdVolume(d + "/crc.nrrd"), "crc.nrrd", "gzip CRC does not match the data");
            for (int k = 1; k <= 9; ++k) {
                std::string flip = full;
                const size_t at = full.size() * size_t(k) / 10;
                flip[at] = char(flip[at] ^ (1 << (k % 8)));
                writeFile(d + "/flip.nrrd", flip);
                auto r = readNrrdVolume(d + "/flip.nrrd");
                QVERIFY2(!r.ok(), ("bit flip at byte " + std::to_string(at) + " was accepted").c_str());
            }
            ++cases;
        }
        // 20 NRRD sizes do not match the dimension
        {
            writeFile(d + "/dims.nrrd", "NRRD0004\ntype: uint8\ndimension: 3\nsizes: 4 5\nencoding: raw\n\n");
            expectError(readNrrdVolume(d + "/dims.nrrd"), "dims.nrrd", "mismatched dimensions");
            ++cases;
        }
        // 21 NRRD of floats
        {
            writeFile(d + "/f.nrrd",
                      "NRRD0004\ntype: float\ndimension: 3\nsizes: 1 1 1\nencoding: raw\n\n1234");
            expectError(readNrrdVolume(d + "/f.nrrd"), "f.nrrd", "type 'float' is not an integer label type");
            ++cases;
        }
        // 22 truncated TIFF
        {
            const std::string f = d + "/t.tif";
            writeTiff(f, 6, 64, 64, 16, randomLabels(6 * 64 * 64, 60000, 4));
            const std::string full = readAll(f);
            writeFile(d + "/tcut.tif", full.substr(0, full.size() / 3));
            expectError(readTiffVolume(d + "/tcut.tif"), "tcut.tif", "truncated or damaged");
            ++cases;
        }
        // 23 TIFF slices of mismatched dimensions
        {
            const std::string s = d + "/mis";
            ::mkdir(s.c_str(), 0755);
            writeTiff(s + "/a.tif", 1, 8, 8, 8, {});
            writeTiff(s + "/b.tif", 1, 9, 8, 8, {});
            expectError(readTiffVolume(s), "mis/b.tif", "mismatched dimensions: slice is 9x8");
            ++cases;
        }
        // 24 labels beyond the declared bit depth: a 12-bit TIFF is not a label depth we read
        {
            writeTiff(d + "/b12.tif", 1, 8, 8, 8, {});
            TIFF* t = TIFFOpen((d + "/b12.tif").c_str(), "w");
            TIFFSetField(t, TIFFTAG_IMAGEWIDTH, 8);
            TIFFSetField(t, TIFFTAG_IMAGELENGTH, 2);
            TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 12);
            TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
            TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
            std::vector<uint8_t> buf(24, 0xFF);
            TIFFWriteEncodedStrip(t, 0, buf.data(), tmsize_t(buf.size()));
            TIFFClose(t);
            expectError(readTiffVolume(d + "/b12.tif"), "b12.tif", "bit depth 12 is not read");
            ++cases;
        }
        // 25 colour TIFF
        {
            writeTiff(d + "/rgb.tif", 1, 4, 4, 8, {}, 3);
            expectError(readTiffVolume(d + "/rgb.tif"), "rgb.tif", "3 samples per pixel");
            ++cases;
        }
        // 26 HDF5 path that does not exist
        {
            auto r = readHdf5Volume(kPred, withArray("volumes/gmm_labels_v2"));
            expectError(r, "R14A02-20180905_65_A6_pred.hdf",
                        "HDF5 path 'volumes/gmm_labels_v2' does not exist", "volumes/gmm_label_cleaned");
            ++cases;
        }
        // 27 not an HDF5 file
        {
            writeFile(d + "/x.h5", "plain text");
            expectError(readHdf5Volume(d + "/x.h5"), "x.h5", "not an HDF5 file");
            ++cases;
        }
        QVERIFY(cases >= 20);
    }

    void cancelAndProgress() {
        QTemporaryDir tmp;
        const std::string p = tmp.path().toStdString() + "/many.zarr";
        writeZarr(p, {40, 5, 6}, {1, 5, 6}, "|u1", "zlib", 0, randomLabels(40 * 5 * 6, 9, 2));
        OpenOptions o;
        int calls = 0;
        o.progress = [&](double, const std::string&) { return ++calls < 3; };
        expectError(readZarrVolume(p, o), "many.zarr", "cancelled");
        QCOMPARE(calls, 3);
        calls = -1000;
        QVERIFY(readZarrVolume(p, o).ok());
        QVERIFY(calls > -1000);
    }
};

QTEST_APPLESS_MAIN(TestVolume)
#include "test_volume.moc"
