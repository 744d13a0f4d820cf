// The arrays of a volume container listed from metadata alone: the FISBe HDF5 prediction and Zarr ground
// truth against the data README, a Zarr fixture with voxel sizes in .zattrs, and what is refused.
#include <QTemporaryDir>
#include <QtTest>
#include <fstream>
#include <sys/stat.h>

#include "morph/LabelVolume.h"
#include "morph/VolumeArrays.h"

using namespace nr;

namespace {

const std::string kFisbeDir = std::string(NR_SHARED_DATA) + "/labels/fisbe/";
const std::string kFisbe = kFisbeDir + "R14A02-20180905_65_A6.zarr";
const std::string kPred = kFisbeDir + "R14A02-20180905_65_A6_pred.hdf";

void writeFile(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

std::string zarray(const std::string& shape, const std::string& dtype) {
    return "{\"zarr_format\": 2, \"shape\": " + shape + ", \"chunks\": " + shape + ", \"dtype\": \"" + dtype +
           "\", \"compressor\": null, \"fill_value\": 0, \"order\": \"C\", \"filters\": null}";
}

} // namespace

class TestVolumeArrays : public QObject {
    Q_OBJECT

private slots:
    void fisbePrediction() {
        auto r = listVolumeArrayInfo(kPred);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
        const auto& a = r.value();
        QCOMPARE(a.size(), size_t(3));
        QCOMPARE(a[0].path, std::string("volumes/gmm_image"));
        QCOMPARE(a[0].shape, (std::vector<uint64_t>{385, 685, 686, 3}));
        QCOMPARE(a[0].dtype, std::string("u1"));
        QVERIFY(a[0].looksLikeImage);
        QCOMPARE(a[0].shapeString(), std::string("385x685x686x3"));
        QCOMPARE(a[1].path, std::string("volumes/gmm_label"));
        QCOMPARE(a[2].path, std::string("volumes/gmm_label_cleaned"));
        for (size_t i = 1; i < 3; ++i) {
            QCOMPARE(a[i].shape, (std::vector<uint64_t>{385, 685, 686}));
            QCOMPARE(a[i].dtype, std::string("i4"));
            QVERIFY(!a[i].looksLikeImage);
        }
        for (const auto& x : a) QVERIFY(!x.haveVoxelSize); // the file gives none
        QVERIFY(isVolumeContainer(kPred));
    }

    void fisbeGroundTruthZarr() {
        auto r = listVolumeArrayInfo(kFisbe);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
        QCOMPARE(r.value().size(), size_t(1));
        const auto& a = r.value()[0];
        QCOMPARE(a.path, std::string("volumes/gt_instances"));
        QCOMPARE(a.shape, (std::vector<uint64_t>{7, 385, 685, 686}));
        QCOMPARE(a.dtype, std::string("u1"));
        QVERIFY(!a.looksLikeImage);
        QVERIFY(!a.haveVoxelSize);
        QVERIFY(isVolumeContainer(kFisbe));
        QVERIFY(isVolumeContainer(kFisbe + "/")); // a trailing slash from a file dialog
    }

    // Voxel sizes from .zattrs, float samples read as an image, a 2-D array and an unknown codec left out.
    void zarrFixture() {
        QTemporaryDir dir;
        const std::string root = dir.filePath(QStringLiteral("fx.zarr")).toStdString();
        for (const std::string d : {"", "/seg", "/raw", "/meta", "/odd"}) ::mkdir((root + d).c_str(), 0755);
        writeFile(root + "/.zgroup", "{\"zarr_format\": 2}");
        writeFile(root + "/seg/.zarray", zarray("[4, 5, 6]", "<u2"));
        writeFile(root + "/seg/.zattrs", "{\"resolution\": [2.0, 0.5, 0.25], \"unit\": \"um\"}");
        writeFile(root + "/raw/.zarray", zarray("[4, 5, 6]", "<f4"));
        writeFile(root + "/meta/.zarray", zarray("[5, 6]", "<u1"));
        std::string odd = zarray("[4, 5, 6]", "<u1");
        odd.replace(odd.find("null"), 4, "{\"id\": \"lzma\"}");
        writeFile(root + "/odd/.zarray", odd);
        auto r = listVolumeArrayInfo(root);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
        const auto& a = r.value();
        QCOMPARE(a.size(), size_t(2));
        QCOMPARE(a[0].path, std::string("raw"));
        QCOMPARE(a[0].dtype, std::string("f4"));
        QVERIFY(a[0].looksLikeImage);
        QVERIFY(!a[0].haveVoxelSize);
        QCOMPARE(a[1].path, std::string("seg"));
        QCOMPARE(a[1].dtype, std::string("u2"));
        QVERIFY(!a[1].looksLikeImage);
        QVERIFY(a[1].haveVoxelSize);
        QCOMPARE(a[1].voxelSize[0], 2.0);
        QCOMPARE(a[1].voxelSize[1], 0.5);
        QCOMPARE(a[1].voxelSize[2], 0.25);
        QCOMPARE(a[1].unit, std::string("um"));
    }

    // A voxel size set by the user (option voxel_size) is applied, and the "no voxel size" warning goes.
    void voxelSizeOptionReplacesTheWarning() {
        QTemporaryDir dir;
        const std::string root = dir.filePath(QStringLiteral("v.zarr")).toStdString();
        ::mkdir(root.c_str(), 0755);
        writeFile(root + "/.zarray", zarray("[2, 3, 4]", "<u1")); // every chunk absent: all background
        auto plain = readZarrVolume(root);
        QVERIFY(plain.ok());
        QCOMPARE(plain.value().voxelSize[0], 1.0);
        auto warns = [](const LabelVolume& v) {
            int n = 0;
            for (const auto& w : v.warnings) n += w.find("no voxel size") != std::string::npos;
            return n;
        };
        QCOMPARE(warns(plain.value()), 1);
        OpenOptions opt;
        opt.options = {{"voxel_size", "0.44,0.5,0.6"}};
        auto set = readZarrVolume(root, opt);
        QVERIFY(set.ok());
        QCOMPARE(set.value().voxelSize[0], 0.44);
        QCOMPARE(set.value().voxelSize[1], 0.5);
        QCOMPARE(set.value().voxelSize[2], 0.6);
        QCOMPARE(warns(set.value()), 0);
    }

    void refused() {
        QTemporaryDir dir;
        const std::string plain = dir.filePath(QStringLiteral("a.txt")).toStdString();
        writeFile(plain, "hello");
        QVERIFY(!isVolumeContainer(plain));
        auto r = listVolumeArrayInfo(plain);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().file, plain);
        QVERIFY(QString::fromStdString(r.error().reason).contains(QStringLiteral("not a Zarr v2 store")));
        auto m = listVolumeArrayInfo(dir.filePath(QStringLiteral("missing.h5")).toStdString());
        QVERIFY(!m.ok());
        QVERIFY(QString::fromStdString(m.error().reason).contains(QStringLiteral("no such file")));
        QVERIFY(!isVolumeContainer(std::string(NR_SHARED_DATA) + "/labels/pinky40_crop_256x256x64.nrrd"));
    }
};

QTEST_GUILESS_MAIN(TestVolumeArrays)
#include "test_volume_arrays.moc"
