// Image volumes (the microscopy image beside its labels): the FISBe prediction file's RGB dataset, fixtures
// written here in HDF5 (uint8 RGB with the channel axis first or last, float32 grey), NRRD (uint16), Zarr
// (chunked u2) and TIFF (8-bit), read through the readers and the registry (FILE:ARRAY paths, "as"), and bad
// input: wrong dimensions, no channel axis of 1 or 3, too big for the memory limit, a missing array.
#include <QTemporaryDir>
#include <QtTest>
#include <cstring>
#include <fstream>
#include <hdf5.h>
#include <sys/stat.h>
#include <tiffio.h>

#include "io/ReaderRegistry.h"
#include "morph/ImageVolume.h"
#include "morph/LabelVolume.h"

using namespace nr;

namespace {

const std::string kPred = std::string(NR_SHARED_DATA) + "/labels/fisbe/R14A02-20180905_65_A6_pred.hdf";

OpenOptions with(std::initializer_list<std::pair<std::string, std::string>> kv) {
    OpenOptions o;
    for (auto& p : kv) o.options.push_back(p);
    return o;
}

void writeFile(const std::string& path, const std::string& bytes) {
    std::ofstream f(path, std::ios::binary);
    f.write(bytes.data(), std::streamsize(bytes.size()));
}

// One dataset `name` of `dims` in a new HDF5 file, chunked by `chunk` (empty: contiguous), gzip.
void writeH5(const std::string& path, const std::string& name, const std::vector<hsize_t>& dims,
             hid_t fileType, hid_t memType, const void* data, const std::vector<hsize_t>& chunk = {}) {
    hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    hid_t sp = H5Screate_simple(int(dims.size()), dims.data(), nullptr);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (!chunk.empty()) {
        H5Pset_chunk(dcpl, int(chunk.size()), chunk.data());
        H5Pset_deflate(dcpl, 4);
    }
    hid_t ds = H5Dcreate2(f, name.c_str(), fileType, sp, lcpl, dcpl, H5P_DEFAULT);
    H5Dwrite(ds, memType, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
    H5Dclose(ds);
    H5Pclose(dcpl);
    H5Sclose(sp);
    H5Pclose(lcpl);
    H5Fclose(f);
}

template <class T> void expectError(const Result<T>& r, const std::string& file, const std::string& part) {
    QVERIFY2(!r.ok(), ("expected an error containing: " + part).c_str());
    const std::string s = r.error().str();
    QVERIFY2(s.find(file) != std::string::npos, ("error does not name " + file + ": " + s).c_str());
    QVERIFY2(s.find(part) != std::string::npos, ("error lacks '" + part + "': " + s).c_str());
}

} // namespace

class TestImageVolume : public QObject {
    Q_OBJECT
private slots:
    void fisbeRgb();
    void fisbeThroughRegistry();
    void hdf5Fixtures();
    void nrrdZarrTiffFixtures();
    void badInput();
};

void TestImageVolume::fisbeRgb() {
    // Checked independently with python3-h5py (Debian):
    //   d = h5py.File(PRED)['volumes/gmm_image']  -> shape (385, 685, 686, 3), uint8, chunks (25, 43, 86, 1),
    //   gzip, 6144 chunks stored; d[...].min() == d[...].max() == 0 (the published rendering is all zeros:
    //   every chunk is stored and holds 0), so every voxel value below is 0 in h5py too.
    auto r = readHdf5Image(kPred, with({{"array", "volumes/gmm_image"}}));
    QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
    const ImageVolume& v = r.value();
    QCOMPARE(v.nz, size_t(385));
    QCOMPARE(v.ny, size_t(685));
    QCOMPARE(v.nx, size_t(686));
    QCOMPARE(v.channels, 3);
    QCOMPARE(v.axes, std::string("zyxc"));
    QCOMPARE(v.shapeString(), std::string("385x685x686x3"));
    QVERIFY(v.sample == ImageVolume::Sample::U8);
    QCOMPARE(v.data.size(), size_t(385) * 685 * 686 * 3);
    QCOMPARE(v.minValue, 0.0);
    QCOMPARE(v.maxValue, 0.0);
    QCOMPARE(v.value(0, 0, 0, 0), 0.0);
    QCOMPARE(v.value(192, 342, 343, 1), 0.0);
    QCOMPARE(v.value(384, 684, 685, 2), 0.0);
    // No voxel size in the file (data README): 1 with a warning.
    QCOMPARE(v.voxelSize[0], 1.0);
    bool warned = false;
    for (auto& w : v.warnings) warned |= w.find("no voxel size") != std::string::npos;
    QVERIFY(warned);
}

void TestImageVolume::fisbeThroughRegistry() {
    const ReaderRegistry& reg = ReaderRegistry::builtin();
    // FILE:ARRAY names the dataset; "image" in its name makes it an image layer.
    auto img = reg.open(kPred + ":/volumes/gmm_image");
    QVERIFY2(img.ok(), img.ok() ? "" : img.error().str().c_str());
    QVERIFY(img.value().kind == LayerKind::Image);
    QCOMPARE(img.value().summary, std::string("image shape=385x685x686x3"));
    QCOMPARE(img.value().files.front(), kPred);
    auto p = std::any_cast<std::shared_ptr<const ImageVolume>>(img.value().payload);
    QCOMPARE(p->array, std::string("/volumes/gmm_image"));
    // The labels of the same file (data README: 11 labels in gmm_label_cleaned).
    auto lab = reg.open(kPred + ":volumes/gmm_label_cleaned");
    QVERIFY2(lab.ok(), lab.ok() ? "" : lab.error().str().c_str());
    QVERIFY(lab.value().kind == LayerKind::LabelVolume);
    QCOMPARE(lab.value().summary, std::string("volume instances=11 shape=385x685x686"));
    expectError(reg.open(kPred, {}, with({{"as", "movie"}})), "pred.hdf", "as 'movie'");
    // A suffix naming nothing in the file.
    expectError(reg.open(kPred + ":/volumes/nothing"), "pred.hdf", "does not exist");
}

void TestImageVolume::hdf5Fixtures() {
    QTemporaryDir tmp;
    const std::string d = tmp.path().toStdString();
    // uint8 RGB, channel axis first (c, z, y, x) = (3, 4, 5, 6): value = 100*c + 10*z + y + x.
    {
        std::vector<uint8_t> a(3 * 4 * 5 * 6);
        for (int c = 0; c < 3; ++c)
            for (int z = 0; z < 4; ++z)
                for (int y = 0; y < 5; ++y)
                    for (int x = 0; x < 6; ++x)
                        a[size_t(((c * 4 + z) * 5 + y) * 6 + x)] = uint8_t(100 * c + 10 * z + y + x);
        writeH5(d + "/rgb.h5", "raw/image", {3, 4, 5, 6}, H5T_STD_U8LE, H5T_NATIVE_UINT8, a.data(),
                {1, 2, 5, 3});
        auto r = readHdf5Image(d + "/rgb.h5");
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
        const ImageVolume& v = r.value();
        QCOMPARE(v.shapeString(), std::string("4x5x6x3"));
        QCOMPARE(v.axes, std::string("czyx"));
        for (int c = 0; c < 3; ++c)
            for (int z = 0; z < 4; ++z)
                for (int y = 0; y < 5; ++y)
                    for (int x = 0; x < 6; ++x)
                        QCOMPARE(v.value(size_t(z), size_t(y), size_t(x), c),
                                 double(100 * c + 10 * z + y + x));
        QCOMPARE(v.minValue, 0.0);
        QCOMPARE(v.maxValue, double(200 + 30 + 4 + 5));
        // the interleaved layout VTK takes: channel fastest
        QCOMPARE(int(v.data[3 * (1 * 5 * 6 + 2 * 6 + 3) + 2]), 200 + 10 + 2 + 3);
    }
    // uint8 RGB, channel axis last (z, y, x, c) = (4, 5, 6, 3), one channel per chunk (as FISBe's image):
    // blocks are read a channel at a time and interleaved here.
    {
        auto val = [](int z, int y, int x, int c) {
            return uint8_t((z * 31 + y * 7 + x * 3 + c * 50) % 256);
        };
        std::vector<uint8_t> a(4 * 5 * 6 * 3);
        for (int z = 0; z < 4; ++z)
            for (int y = 0; y < 5; ++y)
                for (int x = 0; x < 6; ++x)
                    for (int c = 0; c < 3; ++c) a[size_t(((z * 5 + y) * 6 + x) * 3 + c)] = val(z, y, x, c);
        writeH5(d + "/zyxc.h5", "volumes/image", {4, 5, 6, 3}, H5T_STD_U8LE, H5T_NATIVE_UINT8, a.data(),
                {2, 3, 4, 1});
        auto r = readHdf5Image(d + "/zyxc.h5");
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
        QCOMPARE(r.value().axes, std::string("zyxc"));
        QVERIFY(r.value().data == a); // the file's own interleaved layout, every sample
    }
    // float32 grey (z, y, x) = (3, 4, 5) with element_size_um.
    {
        std::vector<float> a(60);
        for (size_t i = 0; i < a.size(); ++i) a[i] = float(i) * 0.5f - 3.f;
        writeH5(d + "/grey.h5", "data", {3, 4, 5}, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, a.data(), {2, 2, 5});
        hid_t f = H5Fopen((d + "/grey.h5").c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
        hid_t ds = H5Dopen2(f, "data", H5P_DEFAULT);
        const hsize_t three = 3;
        hid_t sp = H5Screate_simple(1, &three, nullptr);
        hid_t at = H5Acreate2(ds, "element_size_um", H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
        const double es[3] = {2.0, 0.5, 0.25};
        H5Awrite(at, H5T_NATIVE_DOUBLE, es);
        H5Aclose(at);
        H5Sclose(sp);
        H5Dclose(ds);
        H5Fclose(f);
        auto r = readHdf5Image(d + "/grey.h5");
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
        const ImageVolume& v = r.value();
        QCOMPARE(v.channels, 1);
        QVERIFY(v.sample == ImageVolume::Sample::F32);
        QCOMPARE(v.value(2, 3, 4), double(59 * 0.5f - 3.f));
        QCOMPARE(v.value(1, 0, 2), double(22 * 0.5f - 3.f));
        QCOMPARE(v.minValue, -3.0);
        QCOMPARE(v.voxelSize[0], 2.0);
        QCOMPARE(v.voxelSize[2], 0.25);
        QCOMPARE(v.unit, std::string("µm"));
        // the label reader refuses floats, the image reader takes them
        QVERIFY(!readHdf5Volume(d + "/grey.h5").ok());
        // voxel_size overrides the file's
        auto vs = readHdf5Image(d + "/grey.h5", with({{"voxel_size", "0.44"}}));
        QVERIFY(vs.ok());
        QCOMPARE(vs.value().voxelSize[0], 0.44);
        QVERIFY(vs.value().voxelSizeKnown);
    }
    // Several datasets: without an array the image-like one is read; "as" reads labels as an image.
    {
        std::vector<uint16_t> lab(2 * 3 * 4, 0), raw(2 * 3 * 4 * 3, 0);
        for (size_t i = 0; i < lab.size(); ++i) lab[i] = uint16_t(i % 5);
        for (size_t i = 0; i < raw.size(); ++i) raw[i] = uint16_t(40 * i);
        writeH5(d + "/two.h5", "volumes/labels", {2, 3, 4}, H5T_STD_U16LE, H5T_NATIVE_UINT16, lab.data());
        hid_t f = H5Fopen((d + "/two.h5").c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
        const hsize_t dims[4] = {2, 3, 4, 3};
        hid_t sp = H5Screate_simple(4, dims, nullptr);
        hid_t ds = H5Dcreate2(f, "volumes/raw", H5T_STD_U16LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        H5Dwrite(ds, H5T_NATIVE_UINT16, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data());
        H5Dclose(ds);
        H5Sclose(sp);
        H5Fclose(f);
        auto a = readHdf5Image(d + "/two.h5");
        QVERIFY2(a.ok(), a.ok() ? "" : a.error().str().c_str());
        QCOMPARE(a.value().array, std::string("volumes/raw"));
        QCOMPARE(a.value().shapeString(), std::string("2x3x4x3"));
        QVERIFY(a.value().sample == ImageVolume::Sample::U16);
        QCOMPARE(a.value().value(1, 2, 3, 2), double(40 * 71));
        const ReaderRegistry& reg = ReaderRegistry::builtin();
        auto labels = reg.open(d + "/two.h5");
        QVERIFY(labels.ok());
        QVERIFY(labels.value().kind == LayerKind::LabelVolume);
        QCOMPARE(labels.value().summary, std::string("volume instances=4 shape=2x3x4"));
        auto asImage = reg.open(d + "/two.h5:volumes/labels", {}, with({{"as", "image"}}));
        QVERIFY(asImage.ok());
        QVERIFY(asImage.value().kind == LayerKind::Image);
        auto gi = std::any_cast<std::shared_ptr<const ImageVolume>>(asImage.value().payload);
        QCOMPARE(gi->maxValue, 4.0);
        QCOMPARE(gi->value(0, 1, 1), double((1 * 4 + 1) % 5));
    }
}

void TestImageVolume::nrrdZarrTiffFixtures() {
    QTemporaryDir tmp;
    const std::string d = tmp.path().toStdString();
    // NRRD uint16 raw, 2 x 3 x 4 (z, y, x), spacings.
    {
        std::string body(24 * 2, '\0');
        for (int i = 0; i < 24; ++i) {
            const uint16_t v = uint16_t(1000 * i + 7);
            std::memcpy(&body[size_t(i) * 2], &v, 2);
        }
        writeFile(d + "/stack.nrrd", "NRRD0004\ntype: ushort\ndimension: 3\nsizes: 4 3 2\nencoding: raw\n"
                                     "endian: little\nspacings: 0.5 0.5 1.5\n\n" +
                                         body);
        auto r = readNrrdImage(d + "/stack.nrrd");
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
        QVERIFY(r.value().sample == ImageVolume::Sample::U16);
        QCOMPARE(r.value().shapeString(), std::string("2x3x4"));
        QCOMPARE(r.value().value(1, 2, 3), double(1000 * 23 + 7));
        QCOMPARE(r.value().value(0, 1, 2), double(1000 * 6 + 7));
        QCOMPARE(r.value().voxelSize[0], 1.5);
        // through the registry with as=image
        auto ds = ReaderRegistry::builtin().open(d + "/stack.nrrd", {}, with({{"as", "image"}}));
        QVERIFY(ds.ok());
        QVERIFY(ds.value().kind == LayerKind::Image);
        QCOMPARE(ds.value().summary, std::string("image shape=2x3x4"));
    }
    // Zarr v2, <u2, shape (5, 4, 3), chunks (2, 3, 2), no compressor; an absent chunk takes fill_value 9.
    {
        const std::string z = d + "/img.zarr";
        ::mkdir(z.c_str(), 0755);
        writeFile(z + "/.zarray",
                  R"({"zarr_format": 2, "shape": [5, 4, 3], "chunks": [2, 3, 2], "dtype": "<u2",
            "order": "C", "fill_value": 9, "filters": null, "compressor": null})");
        auto val = [](int zz, int y, int x) { return uint16_t(300 + 100 * zz + 10 * y + x); };
        for (int cz = 0; cz < 3; ++cz)
            for (int cy = 0; cy < 2; ++cy)
                for (int cx = 0; cx < 2; ++cx) {
                    if (cz == 2 && cy == 1 && cx == 1) continue; // absent
                    std::string raw(2 * 3 * 2 * 2, '\0');
                    for (int i = 0; i < 2; ++i)
                        for (int j = 0; j < 3; ++j)
                            for (int k = 0; k < 2; ++k) {
                                const uint16_t v = val(cz * 2 + i, cy * 3 + j, cx * 2 + k);
                                std::memcpy(&raw[size_t(((i * 3 + j) * 2 + k) * 2)], &v, 2);
                            }
                    writeFile(z + "/" + std::to_string(cz) + "." + std::to_string(cy) + "." +
                                  std::to_string(cx),
                              raw);
                }
        auto r = readZarrImage(z);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
        const ImageVolume& v = r.value();
        QCOMPARE(v.shapeString(), std::string("5x4x3"));
        QCOMPARE(v.value(0, 0, 0), double(val(0, 0, 0)));
        QCOMPARE(v.value(3, 2, 1), double(val(3, 2, 1)));
        QCOMPARE(v.value(4, 3, 2), 9.0); // in the absent chunk
        QCOMPARE(v.value(4, 0, 2), double(val(4, 0, 2)));
    }
    // TIFF, 8-bit, 3 pages of 5 x 4.
    {
        const std::string p = d + "/pages.tif";
        TIFF* t = TIFFOpen(p.c_str(), "w");
        for (int page = 0; page < 3; ++page) {
            TIFFSetField(t, TIFFTAG_IMAGEWIDTH, 5);
            TIFFSetField(t, TIFFTAG_IMAGELENGTH, 4);
            TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 8);
            TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
            TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
            TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
            TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, 4);
            uint8_t row[5];
            for (uint32_t y = 0; y < 4; ++y) {
                for (int x = 0; x < 5; ++x) row[x] = uint8_t(50 * page + 5 * int(y) + x);
                TIFFWriteScanline(t, row, y, 0);
            }
            TIFFWriteDirectory(t);
        }
        TIFFClose(t);
        auto r = readTiffImage(p);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
        QCOMPARE(r.value().shapeString(), std::string("3x4x5"));
        QCOMPARE(r.value().value(2, 3, 4), double(100 + 15 + 4));
        QCOMPARE(r.value().maxValue, 119.0);
    }
}

void TestImageVolume::badInput() {
    QTemporaryDir tmp;
    const std::string d = tmp.path().toStdString();
    std::vector<uint8_t> a(5 * 6 * 7 * 5, 1);
    // wrong dimensions: 2-D and 4-D with 5 channels at both ends
    writeH5(d + "/flat.h5", "image", {6, 7}, H5T_STD_U8LE, H5T_NATIVE_UINT8, a.data());
    expectError(readHdf5Image(d + "/flat.h5", with({{"array", "image"}})), "flat.h5",
                "2-D array (6x7): an image volume is 3-D");
    expectError(readHdf5Image(d + "/flat.h5"), "flat.h5", "no 3-D or 4-D numeric dataset");
    writeH5(d + "/five.h5", "image", {5, 6, 7, 5}, H5T_STD_U8LE, H5T_NATIVE_UINT8, a.data());
    expectError(readHdf5Image(d + "/five.h5"), "five.h5", "no leading or trailing channel axis of 1 or 3");
    expectError(readHdf5Image(d + "/five.h5", with({{"channel_axis", "1"}})), "five.h5", "axis 0 or 3");
    // too big: refused with the estimate before allocating (5*6*7*3 = 630 bytes of samples and a 6*7*3-byte
    // block buffer of the contiguous dataset's row of planes: 651 > 600)
    writeH5(d + "/rgb.h5", "image", {5, 6, 7, 3}, H5T_STD_U8LE, H5T_NATIVE_UINT8, a.data());
    expectError(readHdf5Image(d + "/rgb.h5", with({{"max_bytes", "600"}})), "rgb.h5",
                "image too big for memory: 5x6x7x3 1-byte samples need about 651 bytes, limit 600 bytes");
    QVERIFY(readHdf5Image(d + "/rgb.h5", with({{"max_bytes", "100000"}})).ok());
    // the full FISBe image against a small limit: 385*685*686*3 bytes of samples and one block of 25 planes
    // of 685x686 (a channel at a time): 542.7 + 11.7 MB
    expectError(readHdf5Image(kPred, with({{"array", "volumes/gmm_image"}, {"max_bytes", "1e8"}})),
                "pred.hdf", "385x685x686x3 1-byte samples need about 554.494 MB");
    // a missing array, a missing file, a string dataset
    expectError(readHdf5Image(d + "/rgb.h5", with({{"array", "volumes/none"}})), "rgb.h5", "does not exist");
    expectError(readHdf5Image(d + "/nope.h5"), "nope.h5", "no such file");
    {
        hid_t f = H5Fcreate((d + "/str.h5").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
        hid_t ty = H5Tcopy(H5T_C_S1);
        H5Tset_size(ty, 4);
        const hsize_t dims[3] = {2, 2, 2};
        hid_t sp = H5Screate_simple(3, dims, nullptr);
        hid_t ds = H5Dcreate2(f, "image", ty, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        H5Dclose(ds);
        H5Sclose(sp);
        H5Tclose(ty);
        H5Fclose(f);
        expectError(readHdf5Image(d + "/str.h5", with({{"array", "image"}})), "str.h5",
                    "does not hold numbers");
    }
    // NRRD: labels refuse floats, a 2-D image is refused too
    writeFile(d + "/f2.nrrd",
              "NRRD0004\ntype: float\ndimension: 2\nsizes: 2 2\nencoding: raw\n\n" + std::string(16, '\0'));
    expectError(readNrrdImage(d + "/f2.nrrd"), "f2.nrrd", "2-D array");
    // truncated raw NRRD data
    writeFile(d + "/short.nrrd",
              "NRRD0004\ntype: uchar\ndimension: 3\nsizes: 4 4 4\nencoding: raw\n\n" + std::string(10, '\0'));
    QVERIFY(!readNrrdImage(d + "/short.nrrd").ok());
}

QTEST_GUILESS_MAIN(TestImageVolume)
#include "test_image_volume.moc"
