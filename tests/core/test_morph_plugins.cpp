// `neurorama analyze morphometry` and `analyze label_stats` through the analyze command, as a user runs them.
#include <QCoreApplication>
#include <QDir>
#include <QTemporaryDir>
#include <QtTest>
#include <fstream>
#include <sstream>

#include "morph/LabelVolume.h"
#include "morph/Morphology.h"
#include "plugin/AnalyzeCommand.h"
#include "plugin/ResultsIO.h"

using namespace nr;

namespace {

const std::string kData = NR_SHARED_DATA;

int analyze(const std::vector<std::string>& args, std::string& out, std::string& err) {
    std::ostringstream o, e;
    const int rc = runAnalyzeCommand(args, o, e);
    out = o.str();
    err = e.str();
    return rc;
}

std::string readAll(const std::string& path) {
    std::ifstream f(path);
    return std::string(std::istreambuf_iterator<char>(f), {});
}

} // namespace

class TestMorphPlugins : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private slots:
    void initTestCase() {
        if (qEnvironmentVariableIsEmpty("NR_PLUGIN_PATH"))
            qputenv("NR_PLUGIN_PATH",
                    (QCoreApplication::applicationDirPath() + "/../lib/neurorama/plugins").toLocal8Bit());
    }

    void morphometryLine() {
        const std::string swc = kData + "/neurons/swc/C031097B-I4.CNG.swc";
        auto m = readSwc(swc);
        QVERIFY(m.ok());
        const Morphometrics s = computeMorphometrics(m.value());
        std::string out, err;
        const std::string csv = dir_.filePath("m.csv").toStdString();
        QCOMPARE(analyze({"morphometry", "--input", swc, "--out", csv}, out, err), 0);
        QCOMPARE(out, "nodes=5420 roots=1 total_length=" + formatNumber(s.totalLength) +
                          " branch_points=293 tips=296\n");
        const std::string text = readAll(csv);
        QVERIFY(text.find("# table sholl") != std::string::npos);
        QVERIFY(text.find("# table branches") != std::string::npos);
        QVERIFY(text.find("neuron,branch,start_id,end_id,type,order,length,euclidean,nodes,ends_in_tip") !=
                std::string::npos);
        // one branch row per child of the root and of each branch point (5420-node tree: 1 + 293 starts)
        size_t rows = 0;
        std::istringstream lines(text);
        std::string l;
        bool inBranches = false;
        while (std::getline(lines, l)) {
            if (l.rfind("# table", 0) == 0 || l.rfind("# series", 0) == 0)
                inBranches = l == "# table branches";
            else if (inBranches && l.rfind("C031097B-I4.CNG,", 0) == 0)
                ++rows;
        }
        QCOMPARE(rows, s.branches.size());

        // voxel units: 8 nm per unit in µm scales the length and nothing else
        QCOMPARE(analyze({"morphometry", "--input", swc, "--param", "unit_scale=0.008"}, out, err), 0);
        QCOMPARE(out, "nodes=5420 roots=1 total_length=" + formatNumber(s.totalLength * 0.008) +
                          " branch_points=293 tips=296\n");
        QVERIFY(analyze({"morphometry", "--input", swc, "--param", "unit_scale=abc"}, out, err) != 0);
        QVERIFY(err.find("unit_scale") != std::string::npos);
    }

    void morphometryFolder() {
        QTemporaryDir d;
        for (const char* f : {"BG001.CNG.swc", "Pvalb_469628681_m.swc"})
            QVERIFY(QFile::copy(QString::fromStdString(kData + "/neurons/swc/" + f), d.filePath(f)));
        std::string out, err;
        QCOMPARE(analyze({"morphometry", "--input", d.path().toStdString()}, out, err), 0);
        QVERIFY2(out.rfind("nodes=4057 roots=2 total_length=", 0) == 0, out.c_str());
        QVERIFY2(out.find(" branch_points=117 tips=122\n") != std::string::npos, out.c_str());
    }

    void labelStatsZarr() {
        std::string out, err;
        const std::string csv = dir_.filePath("l.csv").toStdString();
        QCOMPARE(analyze({"label_stats", "--input", kData + "/labels/fisbe/R14A02-20180905_65_A6.zarr",
                          "--param", "array=volumes/gt_instances", "--out", csv},
                         out, err),
                 0);
        QCOMPARE(out, std::string("instances=7 voxels=318857 overlap_voxels=677\n"));
        const std::string text = readAll(csv);
        QVERIFY(text.find("label,channel,voxels,volume,z_min,z_max,y_min,y_max,x_min,x_max") !=
                std::string::npos);
        QVERIFY2(text.find("\n5,4,3888,3888,82,270,365,440,520,595\n") != std::string::npos, text.c_str());
    }

    void labelStatsHdf5() {
        std::string out, err;
        const std::string pred = kData + "/labels/fisbe/R14A02-20180905_65_A6_pred.hdf";
        QCOMPARE(
            analyze({"label_stats", "--input", pred, "--param", "array=volumes/gmm_label_cleaned"}, out, err),
            0);
        QCOMPARE(out, std::string("instances=11 voxels=145588 overlap_voxels=0\n"));
        QCOMPARE(analyze({"label_stats", "--input", pred, "--param", "array=volumes/missing"}, out, err), 1);
        QVERIFY2(err.find("HDF5 path 'volumes/missing' does not exist") != std::string::npos, err.c_str());
    }
};

QTEST_GUILESS_MAIN(TestMorphPlugins)
#include "test_morph_plugins.moc"
