// FISBe instance metrics (morph/FisbeEval.h) and the fisbe_eval plugin's command.
#include <QtTest>

#include <cmath>
#include <fstream>
#include <sstream>

#include "formats/Open.h"
#include "morph/FisbeEval.h"
#include "morph/LabelVolume.h"
#include "plugin/AnalyzeCommand.h"

using namespace nr;

namespace {

const std::string kFisbe = std::string(NR_SHARED_DATA) + "/labels/fisbe/";

// Instances from boxes [z0,z1) x [y0,y1) x [x0,x1) (several boxes may form one instance).
struct Box {
    int inst, z0, z1, y0, y1, x0, x1;
};
FisbeInstances boxes(size_t n, int count, const std::vector<Box>& bs) {
    FisbeInstances f;
    f.nz = f.ny = f.nx = n;
    f.voxels.resize(size_t(count));
    for (const Box& b : bs)
        for (int z = b.z0; z < b.z1; ++z)
            for (int y = b.y0; y < b.y1; ++y)
                for (int x = b.x0; x < b.x1; ++x)
                    f.voxels[size_t(b.inst)].push_back(uint64_t((z * n + y) * n + x));
    for (auto& v : f.voxels) {
        std::sort(v.begin(), v.end());
        v.erase(std::unique(v.begin(), v.end()), v.end());
    }
    return f;
}

bool nearly(double a, double b, double tol = 1e-6) {
    return std::fabs(a - b) <= tol;
}

} // namespace

class TestFisbeEval : public QObject {
    Q_OBJECT
private slots:
    void skeletonOfBarIsItsAxis();
    void referenceCasesOverlappingGt();
    void referenceCaseErroneous();
    void r14a02EqualsPublishedResult();
    void badInputIsRefused();
};

// A 5x5x40 bar thins to a line along its axis; a single voxel stays; a solid cube shrinks to a point-like
// core.
void TestFisbeEval::skeletonOfBarIsItsAxis() {
    const size_t n = 50;
    FisbeInstances f = boxes(n, 2, {{0, 10, 15, 10, 15, 5, 45}, {1, 30, 31, 30, 31, 30, 31}});
    const auto s = skeletonize3d(f.voxels[0], n, n, n);
    QVERIFY(s.size() >= 30 && s.size() <= 40);
    for (uint64_t v : s) {
        QCOMPARE(int(v / (n * n)), 12);
        QCOMPARE(int((v / n) % n), 12);
    }
    QCOMPARE(skeletonize3d(f.voxels[1], n, n, n).size(), size_t(1));
    QVERIFY(skeletonize3d({}, n, n, n).empty());
}

// The benchmark's own test (tests/test_metrics.py, test_3d_neuron, cases 1.1 and 1.2): two crossing bars in
// two GT channels; a perfect prediction with overlaps, then the same as one label map.
void TestFisbeEval::referenceCasesOverlappingGt() {
    const std::vector<Box> gtBoxes = {{0, 14, 17, 14, 17, 5, 25}, {1, 14, 17, 5, 25, 14, 17}};
    const FisbeInstances gt = boxes(30, 2, gtBoxes);
    FisbeOptions opt;
    opt.minPredSize = 1;
    auto r = fisbeEvaluate(gt, gt, opt);
    QVERIFY2(r, r ? "" : r.error().str().c_str());
    QCOMPARE(r.value().numGt, 2);
    QCOMPARE(r.value().numPred, 2);
    QVERIFY(nearly(r.value().avgGtCoverage, 1.0));
    QVERIFY(nearly(r.value().avFscore19, 1.0));
    QCOMPARE(r.value().thresholds[4].tp, 2);
    QCOMPARE(r.value().fs, 0);
    QCOMPARE(r.value().fm, 0);

    // max over the channels: the crossing belongs to instance 2.
    FisbeInstances pred = gt;
    std::vector<uint64_t> only1;
    std::set_difference(gt.voxels[0].begin(), gt.voxels[0].end(), gt.voxels[1].begin(), gt.voxels[1].end(),
                        std::back_inserter(only1));
    pred.voxels[0] = only1;
    r = fisbeEvaluate(gt, pred, opt);
    QVERIFY(r);
    const auto& R = r.value();
    QVERIFY(nearly(R.gtCoverage[0], 15 / 18.0));
    QVERIFY(nearly(R.gtCoverage[1], 1.0));
    QVERIFY(nearly(R.avFscore59, 0.95));
    QVERIFY(nearly(R.avFscore19, 1.0));
    QVERIFY(nearly(R.avAP59, 0.925));
    QVERIFY(nearly(R.avAP19, 1.0));
    QCOMPARE(R.thresholds[4].tp, 2);
    QCOMPARE(R.thresholds[4].fp, 0);
    QCOMPARE(R.thresholds[4].falseSplit, 0);
    QCOMPARE(R.thresholds[4].falseMerge, 0);
}

// The benchmark's own test, case 2.1: a merge, a split, a miss and false positives.
void TestFisbeEval::referenceCaseErroneous() {
    const FisbeInstances gt =
        boxes(30, 3, {{0, 14, 17, 14, 17, 5, 25}, {1, 14, 17, 5, 25, 14, 17}, {2, 5, 8, 5, 25, 20, 23}});
    const FisbeInstances pred = boxes(30, 5,
                                      {{0, 14, 17, 14, 17, 5, 25},
                                       {0, 14, 17, 5, 20, 14, 17},
                                       {1, 25, 30, 25, 30, 25, 30},
                                       {2, 5, 8, 5, 11, 20, 23},
                                       {3, 5, 8, 19, 22, 20, 23},
                                       {4, 1, 5, 1, 5, 1, 5}});
    FisbeOptions opt;
    opt.minPredSize = 1;
    auto r = fisbeEvaluate(gt, pred, opt);
    QVERIFY(r);
    const auto& R = r.value();
    QCOMPARE(R.numGt, 3);
    QCOMPARE(R.numPred, 5);
    QVERIFY(nearly(R.gtCoverage[0], 1.0));
    QVERIFY(nearly(R.gtCoverage[1], 0.0));
    QVERIFY(nearly(R.gtCoverage[2], 8 / 18.0));
    QVERIFY(nearly(R.avFscore19, (0.5 * 4 + 0.25 * 3) / 9));
    QVERIFY(nearly(R.avFscore59, 0.25 * 6 / 10));
    QVERIFY(nearly(R.avAP19, (4 / 15.0 * 4 + 1 / 15.0 * 3) / 9));
    QCOMPARE(R.thresholds[4].tp, 1);
    QCOMPARE(R.thresholds[4].fp, 4);
    QCOMPARE(R.thresholds[4].fn, 2);
    QCOMPARE(R.thresholds[4].falseSplit, 2);
    QCOMPARE(R.thresholds[4].falseMerge, 1);
}

// The R14A02 sample of shared data against the result the benchmark publishes for it:
// Kainmueller-Lab/evaluate-instance-segmentation, tests/results/
// R14A02-20180905_65_A6_volumes_gmm_label_cleaned_cldice_greedy_rm800.toml, unchanged from commit
// 97c39fcd1fb9e16c2f13f380234b5f73125d35b8 (the commit the shared data comes from) to 4d2ecd83f1b7 (its last
// change). Values below are copied from that file; the float32 values there are printed with 8 digits.
void TestFisbeEval::r14a02EqualsPublishedResult() {
    const std::string gtPath = kFisbe + "R14A02-20180905_65_A6.zarr";
    const std::string predPath = kFisbe + "R14A02-20180905_65_A6_pred.hdf";
    QVERIFY2(QFileInfo::exists(QString::fromStdString(gtPath)),
             (gtPath + " is missing: the shared data must be present").c_str());
    auto gtv = openLabelVolume(gtPath);
    QVERIFY2(gtv, gtv ? "" : gtv.error().str().c_str());
    OpenOptions po;
    po.options.push_back({"array", "volumes/gmm_label_cleaned"});
    auto pv = openLabelVolume(predPath, po);
    QVERIFY2(pv, pv ? "" : pv.error().str().c_str());
    FisbeOptions opt;
    opt.dimLabels = fisbeDimLabels(*gtv.value());
    QCOMPARE(opt.dimLabels, (std::vector<uint64_t>{3, 5, 7})); // .zattrs "dim_neurons"
    auto r = fisbeEvaluate(fisbeInstances(*gtv.value()), fisbeInstances(*pv.value()), opt);
    QVERIFY2(r, r ? "" : r.error().str().c_str());
    const FisbeResult& R = r.value();

    // [general]
    QCOMPARE(R.numGt, 7);
    QCOMPARE(R.numPred, 9);
    QCOMPARE(R.tp05, 3);
    QCOMPARE(double(R.tp05) / R.numGt, 0.42857142857142855); // TP_05_rel
    const float tpCl[] = {0.99020946f, 0.96136016f, 0.7825463f};
    QCOMPARE(R.tp05ClDice.size(), size_t(3));
    for (int i = 0; i < 3; ++i) QCOMPARE(R.tp05ClDice[size_t(i)], tpCl[i]);
    QCOMPARE(R.avgTp05ClDice, 0.91137195f);
    const float cov[] = {0.08819876f, 0.9552964f, 0.0f, 0.64759886f, 0.0f, 0.99777406f, 0.0f};
    QCOMPARE(R.gtCoverage.size(), size_t(7));
    for (int i = 0; i < 7; ++i) QCOMPARE(float(R.gtCoverage[size_t(i)]), cov[i]);
    QCOMPARE(float(R.avgGtCoverage), 0.384124f);
    QCOMPARE(R.avgF1CovScore, 0.36567311651176876);
    QCOMPARE(R.fm, 0);
    QCOMPARE(R.fs, 0);
    QCOMPARE(R.dim.count, 3);
    QCOMPARE(R.dim.tp05, 0);
    QCOMPARE(R.dim.tp05Rel, 0.0);
    QCOMPARE(R.dim.coverage.size(), size_t(3));
    for (double c : R.dim.coverage) QCOMPARE(c, 0.0);
    QCOMPARE(R.dim.avgCoverage, 0.0);
    QCOMPARE(R.overlap.count, 5);
    QCOMPARE(R.overlap.tp05, 2);
    QCOMPARE(R.overlap.tp05Rel, 0.4);
    const float covOv[] = {0.08819876f, 0.9552964f, 0.0f, 0.64759886f, 0.0f};
    QCOMPARE(R.overlap.coverage.size(), size_t(5));
    for (int i = 0; i < 5; ++i) QCOMPARE(float(R.overlap.coverage[size_t(i)]), covOv[i]);
    QCOMPARE(float(R.overlap.avgCoverage), 0.3382188f);
    // [confusion_matrix]
    QCOMPARE(R.avAP59, 0.11111111111111109);
    QCOMPARE(R.avAP19, 0.12522045855379188);
    QCOMPARE(R.avFscore19, 0.3472222222222222);
    QCOMPARE(R.avFscore59, 0.325);
    // [confusion_matrix.th_*]: TP, FP, FN, false_split, false_merge per threshold
    struct Th {
        double th;
        int tp, fp, fn, fs, fm;
    };
    const Th ths[] = {{0.1, 3, 6, 4, 3, 0},  {0.2, 3, 6, 4, 3, 0},  {0.3, 3, 6, 4, 3, 0},
                      {0.4, 3, 6, 4, 3, 0},  {0.5, 3, 6, 4, 3, 0},  {0.6, 3, 6, 4, 3, 0},
                      {0.7, 3, 6, 4, 3, 0},  {0.8, 2, 7, 5, 4, 0},  {0.9, 2, 7, 5, 4, 0},
                      {0.55, 3, 6, 4, 3, 0}, {0.65, 3, 6, 4, 3, 0}, {0.75, 3, 6, 4, 3, 0},
                      {0.85, 2, 7, 5, 4, 0}, {0.95, 2, 7, 5, 4, 0}};
    QCOMPARE(R.thresholds.size(), size_t(14));
    for (size_t i = 0; i < 14; ++i) {
        const auto& T = R.thresholds[i];
        QCOMPARE(T.th, ths[i].th);
        QCOMPARE(T.tp, ths[i].tp);
        QCOMPARE(T.fp, ths[i].fp);
        QCOMPARE(T.fn, ths[i].fn);
        QCOMPARE(T.falseSplit, ths[i].fs);
        QCOMPARE(T.falseMerge, ths[i].fm);
    }
    QCOMPARE(R.thresholds[4].precision, 0.3333333333333333);
    QCOMPARE(R.thresholds[4].recall, 0.42857142857142855);
    QCOMPARE(R.thresholds[4].fscore, 0.375);
    QCOMPARE(R.thresholds[7].ap, 0.06349206349206349);

    // The command: one line, the per-instance table.
    const QString out = QDir::temp().filePath("nr_fisbe_eval_r14a02.csv");
    std::ostringstream so, se;
    const int rc =
        runAnalyzeCommand({"fisbe_eval", "--input", gtPath, "--param", "pred=" + predPath, "--param",
                           "pred_array=volumes/gmm_label_cleaned", "--out", out.toStdString()},
                          so, se);
    QVERIFY2(rc == 0, se.str().c_str());
    QVERIFY2(so.str().rfind("num_gt=7 num_pred=9 tp_0.5=3 fs=0 fm=0 avg_f1=0.347222", 0) == 0,
             so.str().c_str());
    QVERIFY(so.str().find("avg_gt_skel_coverage=0.384124") != std::string::npos);
    QVERIFY2(so.str().find("gt_dim=3 tp_0.5_dim=0 avg_gt_cov_dim=0 gt_overlap=5 tp_0.5_overlap=2") !=
                 std::string::npos,
             so.str().c_str());
    std::ifstream csv(out.toStdString());
    std::string line;
    int gtRows = 0, predRows = 0, matched = 0;
    while (std::getline(csv, line)) {
        if (line.rfind("gt,", 0) == 0) ++gtRows;
        if (line.rfind("pred,", 0) == 0) ++predRows;
        if (line.size() > 8 && line.compare(line.size() - 8, 8, ",matched") == 0) ++matched;
    }
    QCOMPARE(gtRows, 7);
    QCOMPARE(predRows, 9);
    QCOMPARE(matched, 6); // the three pairs, seen from both sides
}

void TestFisbeEval::badInputIsRefused() {
    // Shapes differ.
    FisbeInstances a = boxes(20, 1, {{0, 2, 5, 2, 5, 2, 15}});
    FisbeInstances b = boxes(21, 1, {{0, 2, 5, 2, 5, 2, 15}});
    auto r = fisbeEvaluate(a, b, FisbeOptions{}, "gt.zarr", "pred.hdf");
    QVERIFY(!r);
    QVERIFY(r.error().str().find("pred.hdf") != std::string::npos);
    QVERIFY(r.error().str().find("differs") != std::string::npos);
    // Empty ground truth.
    FisbeInstances e;
    e.nz = e.ny = e.nx = 20;
    r = fisbeEvaluate(e, a, FisbeOptions{}, "gt.zarr", "pred.hdf");
    QVERIFY(!r);
    QVERIFY(r.error().str().find("gt.zarr") != std::string::npos);
    // An empty prediction is a valid (bad) segmentation: nothing found.
    r = fisbeEvaluate(a, e, FisbeOptions{}, "gt.zarr", "pred.hdf");
    QVERIFY(r);
    QCOMPARE(r.value().numPred, 0);
    QCOMPARE(r.value().thresholds[4].fn, 1);

    // An absurd size is refused before anything is allocated.
    FisbeInstances huge;
    huge.nz = huge.ny = huge.nx = size_t(1) << 20;
    huge.voxels = {{0, 1, 2}};
    r = fisbeEvaluate(huge, huge, FisbeOptions{}, "gt.zarr", "pred.hdf");
    QVERIFY(!r);
    QVERIFY2(r.error().str().find("too large") != std::string::npos, r.error().str().c_str());
    // Voxels outside the volume.
    FisbeInstances outside = a;
    outside.voxels[0].push_back(20 * 20 * 20);
    r = fisbeEvaluate(a, outside, FisbeOptions{}, "gt.zarr", "pred.hdf");
    QVERIFY(!r);
    QVERIFY(r.error().str().find("pred.hdf") != std::string::npos);

    const std::string gtPath = kFisbe + "R14A02-20180905_65_A6.zarr";
    const std::string predPath = kFisbe + "R14A02-20180905_65_A6_pred.hdf";
    QVERIFY2(QFileInfo::exists(QString::fromStdString(gtPath)),
             (gtPath + " is missing: the shared data must be present").c_str());
    auto run = [](const std::vector<std::string>& args, std::string& err) {
        std::ostringstream so, se;
        const int rc = runAnalyzeCommand(args, so, se);
        err = se.str();
        return rc;
    };
    std::string err;
    // No prediction.
    QVERIFY(run({"fisbe_eval", "--input", gtPath}, err) != 0);
    QVERIFY2(err.find("pred") != std::string::npos, err.c_str());
    // Missing prediction array.
    QVERIFY(run({"fisbe_eval", "--input", gtPath, "--param", "pred=" + predPath, "--param",
                 "pred_array=volumes/nothing_here"},
                err) != 0);
    QVERIFY2(err.find(predPath) != std::string::npos && err.find("nothing_here") != std::string::npos,
             err.c_str());
    // Missing ground-truth array.
    QVERIFY(run({"fisbe_eval", "--input", gtPath, "--param", "gt_array=volumes/none", "--param",
                 "pred=" + predPath, "--param", "pred_array=volumes/gmm_label_cleaned"},
                err) != 0);
    QVERIFY2(err.find("volumes/none") != std::string::npos, err.c_str());
    // The prediction file missing.
    QVERIFY(run({"fisbe_eval", "--input", gtPath, "--param", "pred=/nonexistent/p.hdf"}, err) != 0);
    QVERIFY2(err.find("/nonexistent/p.hdf") != std::string::npos, err.c_str());
    // A prediction of another shape (a small NRRD written here).
    const QString small = QDir::temp().filePath("nr_fisbe_eval_small.nrrd");
    {
        std::ofstream f(small.toStdString(), std::ios::binary);
        f << "NRRD0004\ntype: uint8\ndimension: 3\nsizes: 4 3 2\nencoding: raw\n\n";
        for (int i = 0; i < 24; ++i) f.put(char(i % 3));
    }
    QVERIFY(run({"fisbe_eval", "--input", gtPath, "--param", "pred=" + small.toStdString()}, err) != 0);
    QVERIFY2(err.find(small.toStdString()) != std::string::npos && err.find("differs") != std::string::npos,
             err.c_str());
}

QTEST_GUILESS_MAIN(TestFisbeEval)
#include "test_fisbe_eval.moc"
