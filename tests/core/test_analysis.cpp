// Analyses against hand-computed cases and invariants: RDM, Shesha, ranks, PCA, firing statistics, graphs.
#include <QtTest>
#include <cmath>
#include <random>

#include "analysis/FiringStats.h"
#include "analysis/GraphAnalysis.h"
#include "analysis/Pca.h"
#include "analysis/Rdm.h"
#include "analysis/Shesha.h"
#include "analysis/Stats.h"
#include "analysis/TrialCounts.h"

using namespace nr;

namespace {

// counts[c][u][k] spikes of unit u in the k-th trial of condition c; trial ids c*1000+k; spikes evenly spread
// in [0, 1) s.
TrialData fromCounts(const std::vector<std::vector<std::vector<int>>>& counts) {
    TrialData d;
    d.spikesSource = "hand.csv";
    d.trialsSource = "hand_trials.csv";
    for (size_t c = 0; c < counts.size(); ++c) {
        for (size_t k = 0; k < counts[c][0].size(); ++k) {
            const int64_t trial = int64_t(c * 1000 + k);
            d.addTrial(trial, "c" + std::to_string(c));
            for (size_t u = 0; u < counts[c].size(); ++u)
                for (int s = 0; s < counts[c][u][k]; ++s)
                    d.addSpike(int64_t(u + 1), trial, (s + 0.5) / (counts[c][u][k] + 1.0));
        }
    }
    return d;
}

TrialCounts mustCount(const TrialData& d, double a = 0, double b = 1) {
    auto r = countSpikes(d, a, b);
    if (!r) qFatal("%s", r.error().str().c_str());
    return r.value();
}

// Condition responses A=[1,2,3], B=[3,2,1], C=[2,4,6]; each as two trials m-1, m+1.
TrialData threeConditions() {
    const int resp[3][3] = {{1, 2, 3}, {3, 2, 1}, {2, 4, 6}};
    std::vector<std::vector<std::vector<int>>> counts(3, std::vector<std::vector<int>>(3));
    for (int c = 0; c < 3; ++c)
        for (int u = 0; u < 3; ++u) counts[c][u] = {resp[c][u] - 1, resp[c][u] + 1};
    return fromCounts(counts);
}

// Random structured data: mu[c][u] uniform in [lo, hi], Poisson counts.
std::vector<std::vector<std::vector<int>>> randomCounts(int C, int U, int T, std::mt19937& rng, double lo = 1,
                                                        double hi = 10) {
    std::uniform_real_distribution<double> mu(lo, hi);
    std::vector<std::vector<std::vector<int>>> counts(static_cast<size_t>(C),
                                                      std::vector<std::vector<int>>(static_cast<size_t>(U)));
    for (auto& c : counts)
        for (auto& u : c) {
            std::poisson_distribution<int> p(mu(rng));
            for (int k = 0; k < T; ++k) u.push_back(p(rng));
        }
    return counts;
}

} // namespace

class TestAnalysis : public QObject {
    Q_OBJECT

private slots:
    void countsAndResponses() {
        const TrialCounts tc = mustCount(threeConditions());
        QCOMPARE(tc.unitCount(), size_t(3));
        QCOMPARE(tc.conditionCount(), size_t(3));
        QCOMPARE(tc.trialsIn(0, 0), 2u);
        const Eigen::MatrixXd r = responseMatrix(tc);
        QCOMPARE(r(0, 2), 3.0);
        QCOMPARE(r(1, 0), 3.0);
        QCOMPARE(r(2, 1), 4.0);
    }

    void rdmCorrelation() {
        auto rdm = computeRdm(mustCount(threeConditions()), RdmMetric::Correlation);
        QVERIFY(rdm.ok());
        const auto& d = rdm.value().d;
        QVERIFY(std::fabs(d(0, 1) - 2.0) < 1e-12); // r(A,B) = -1
        QVERIFY(std::fabs(d(0, 2) - 0.0) < 1e-12); // C = 2A
        QVERIFY(std::fabs(d(1, 2) - 2.0) < 1e-12);
        QVERIFY(std::fabs(d(2, 1) - d(1, 2)) < 1e-15);
        QCOMPARE(d(1, 1), 0.0);
    }

    void rdmEuclidean() {
        auto rdm = computeRdm(mustCount(threeConditions()), RdmMetric::Euclidean);
        QVERIFY(rdm.ok());
        const auto& d = rdm.value().d;
        QVERIFY(std::fabs(d(0, 1) - std::sqrt(8.0)) < 1e-12);
        QVERIFY(std::fabs(d(0, 2) - std::sqrt(14.0)) < 1e-12);
        QVERIFY(std::fabs(d(1, 2) - std::sqrt(30.0)) < 1e-12);
    }

    void rdmCrossnobis() {
        // Folds: trial positions 0 and 1 -> means m-1 and m+1, so fold differences equal the mean
        // differences. Residual variance of every unit: 2 (each slot (-1, +1), n-1 = 1); d = ||diff||^2 / 2 /
        // 3 units.
        auto rdm = computeRdm(mustCount(threeConditions()), RdmMetric::Crossnobis, 0.5);
        QVERIFY(rdm.ok());
        const auto& d = rdm.value().d;
        QVERIFY(std::fabs(d(0, 1) - 8.0 / 6) < 1e-12);
        QVERIFY(std::fabs(d(0, 2) - 14.0 / 6) < 1e-12);
        QVERIFY(std::fabs(d(1, 2) - 30.0 / 6) < 1e-12);
    }

    void rdmConstantVectorIsError() {
        std::vector<std::vector<std::vector<int>>> counts = {
            {{1, 1}, {2, 2}}, {{3, 3}, {3, 3}}, {{1, 2}, {5, 5}}};
        auto rdm = computeRdm(mustCount(fromCounts(counts)), RdmMetric::Correlation);
        QVERIFY(!rdm.ok());
        QVERIFY(rdm.error().reason.find("'c1'") != std::string::npos);
        QCOMPARE(rdm.error().file, std::string("hand.csv"));
    }

    void ranksWithTies() {
        const auto r = averageRanks({10, 20, 20, 30, 20});
        const std::vector<double> expect = {1, 3, 3, 5, 3};
        QCOMPARE(r, expect);
        // Hand case: ranks {1, 2.5, 2.5, 4} vs {1, 2, 3, 4}: r = 4.5 / sqrt(4.5 * 5) = 3 / sqrt(10).
        QVERIFY(std::fabs(spearman({1, 2, 2, 3}, {1, 2, 3, 4}) - 3.0 / std::sqrt(10.0)) < 1e-12);
    }

    void monotoneTransformKeepsSpearman() {
        std::mt19937 rng(3);
        const TrialCounts tc = mustCount(fromCounts(randomCounts(8, 20, 4, rng)));
        auto rdm = computeRdm(tc, RdmMetric::Correlation);
        QVERIFY(rdm.ok());
        std::vector<double> a = upperTriangle(rdm.value().d), b;
        for (double v : a) b.push_back(std::exp(3 * v) + v * v * v);
        QVERIFY(std::fabs(spearman(a, b) - 1.0) < 1e-12);
        std::vector<double> c;
        for (double v : a) c.push_back(-v);
        QVERIFY(std::fabs(spearman(a, c) + 1.0) < 1e-12);
    }

    void sheshaIdenticalHalvesIsOne() {
        // Every trial of a unit and condition has the same count: any halves give the same RDM.
        std::mt19937 rng(5);
        auto counts = randomCounts(6, 12, 6, rng);
        for (auto& c : counts)
            for (auto& u : c) std::fill(u.begin(), u.end(), u[0]);
        const TrialCounts tc = mustCount(fromCounts(counts));
        for (auto split : {SheshaSplit::Random, SheshaSplit::OddEven}) {
            SheshaOptions o;
            o.split = split;
            o.splits = 20;
            auto s = shesha(tc, o);
            QVERIFY2(s.ok(), s.ok() ? "" : s.error().str().c_str());
            QVERIFY(std::fabs(s.value().mean - 1.0) < 1e-12);
            QVERIFY(std::fabs(s.value().ciLow - 1.0) < 1e-12 && std::fabs(s.value().ciHigh - 1.0) < 1e-12);
        }
    }

    void sheshaPermutedLabelsNearZero() {
        // Half A (even trial ids) keeps the true labels; half B (odd ids) has its condition labels permuted.
        // The odd-even split separates exactly these halves.
        std::mt19937 rng(11);
        const int C = 8, U = 30, R = 8;
        double permutedSum = 0, trueSum = 0;
        const int datasets = 150;
        for (int rep = 0; rep < datasets; ++rep) {
            auto counts = randomCounts(C, U, 2 * R, rng);
            std::vector<int> perm(C);
            std::iota(perm.begin(), perm.end(), 0);
            std::shuffle(perm.begin(), perm.end(), rng);
            for (int permuted = 0; permuted < 2; ++permuted) {
                TrialData d;
                d.spikesSource = "perm.csv";
                for (int c = 0; c < C; ++c) {
                    for (int k = 0; k < R; ++k) {
                        const int label[2] = {c, permuted ? perm[size_t(c)] : c};
                        for (int h = 0; h < 2; ++h) {
                            const int64_t id = int64_t(label[h]) * 10000 + 2 * k + h;
                            d.addTrial(id, std::to_string(label[h]));
                            for (int u = 0; u < U; ++u)
                                for (int s = 0; s < counts[size_t(c)][size_t(u)][size_t(2 * k + h)]; ++s)
                                    d.addSpike(u, id, 0.01 * (s + 1));
                        }
                    }
                }
                SheshaOptions o;
                o.split = SheshaSplit::OddEven;
                auto s = shesha(mustCount(d), o);
                QVERIFY2(s.ok(), s.ok() ? "" : s.error().str().c_str());
                (permuted ? permutedSum : trueSum) += s.value().mean;
            }
        }
        QVERIFY2(std::fabs(permutedSum / datasets) < 0.15,
                 qPrintable(QString::number(permutedSum / datasets)));
        QVERIFY2(trueSum / datasets > 0.5, qPrintable(QString::number(trueSum / datasets)));
    }

    void sheshaOddEvenIsDeterministic() {
        std::mt19937 rng(7);
        const TrialCounts tc = mustCount(fromCounts(randomCounts(6, 15, 5, rng)));
        SheshaOptions a, b;
        a.split = b.split = SheshaSplit::OddEven;
        a.seed = 1;
        b.seed = 999;
        auto ra = shesha(tc, a), rb = shesha(tc, b);
        QVERIFY(ra.ok() && rb.ok());
        QCOMPARE(ra.value().splits, 1);
        QCOMPARE(ra.value().mean, rb.value().mean);
        // The first half is positions 0, 2, 4 of each unit's trials in trial-id order.
        const auto mask = sheshaSplitMask(tc, a, 0);
        for (size_t s = 0; s + 1 < tc.offset.size(); ++s)
            for (uint32_t k = tc.offset[s]; k < tc.offset[s + 1]; ++k)
                QCOMPARE(int(mask[k]), int((k - tc.offset[s]) % 2 == 0));
        // Random splits are reproducible for a seed and differ between seeds.
        SheshaOptions r1, r2, r3;
        r1.splits = r2.splits = r3.splits = 10;
        r3.seed = 2;
        auto s1 = shesha(tc, r1), s2 = shesha(tc, r2), s3 = shesha(tc, r3);
        QVERIFY(s1.ok() && s2.ok() && s3.ok());
        QCOMPARE(s1.value().perSplit, s2.value().perSplit);
        QVERIFY(s1.value().perSplit != s3.value().perSplit);
        QVERIFY(s1.value().ciLow <= s1.value().mean && s1.value().mean <= s1.value().ciHigh);
    }

    void sheshaRandomHalvesMatchMask() {
        // The fast path and the explicit mask describe the same halves: recompute split 3 by hand.
        std::mt19937 rng(9);
        const TrialCounts tc = mustCount(fromCounts(randomCounts(5, 10, 5, rng)));
        SheshaOptions o;
        o.splits = 5;
        o.threads = 1;
        auto s = shesha(tc, o);
        QVERIFY(s.ok());
        const auto mask = sheshaSplitMask(tc, o, 3);
        std::vector<uint8_t> other(mask.size());
        for (size_t i = 0; i < mask.size(); ++i) other[i] = !mask[i];
        auto a = computeRdm(selectTrials(tc, mask), RdmMetric::Correlation);
        auto b = computeRdm(selectTrials(tc, other), RdmMetric::Correlation);
        QVERIFY(a.ok() && b.ok());
        const double r = spearman(upperTriangle(a.value().d), upperTriangle(b.value().d));
        QVERIFY(std::fabs(r - s.value().perSplit[3]) < 1e-12);
        // Half sizes: floor(5/2) = 2 trials per slot in the first half.
        QCOMPARE(selectTrials(tc, mask).trialsIn(0, 0), 2u);
    }

    void sheshaUnits() {
        // Units come in identical pairs (ids 2k, 2k+1); odd-even by unit id puts one of each pair in each
        // half.
        std::mt19937 rng(13);
        auto base = randomCounts(7, 10, 4, rng);
        std::vector<std::vector<std::vector<int>>> counts(7);
        for (size_t c = 0; c < 7; ++c)
            for (size_t u = 0; u < 10; ++u) {
                counts[c].push_back(base[c][u]);
                counts[c].push_back(base[c][u]);
            }
        const TrialCounts tc = mustCount(fromCounts(counts));
        SheshaOptions o;
        o.mode = SheshaMode::Units;
        o.split = SheshaSplit::OddEven;
        auto s = shesha(tc, o);
        QVERIFY(s.ok());
        QVERIFY(std::fabs(s.value().mean - 1.0) < 1e-12);
        o.split = SheshaSplit::Random;
        o.splits = 30;
        auto r = shesha(tc, o);
        QVERIFY(r.ok());
        QVERIFY(r.value().mean < 0.999 && r.value().mean > 0.0);
        const auto mask = sheshaSplitMask(tc, o, 0);
        QCOMPARE(mask.size(), size_t(20));
        QCOMPARE(std::count(mask.begin(), mask.end(), 1), 10L);
        // Crossnobis takes the generic path in both modes.
        o.metric = RdmMetric::Crossnobis;
        o.splits = 5;
        QVERIFY(shesha(tc, o).ok());
    }

    void sheshaCrossnobisTrials() {
        std::mt19937 rng(15);
        const TrialCounts tc = mustCount(fromCounts(randomCounts(6, 20, 8, rng)));
        SheshaOptions o;
        o.metric = RdmMetric::Crossnobis;
        o.splits = 10;
        auto s = shesha(tc, o);
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().str().c_str());
        QVERIFY(s.value().mean > 0.2 && s.value().mean <= 1.0);
    }

    void sheshaOneTrialCannotHalve() {
        std::vector<std::vector<std::vector<int>>> counts = {{{1, 2}, {2, 3}}, {{3}, {1}}, {{1, 2}, {5, 4}}};
        // Condition c1 has one trial.
        TrialData d;
        d.spikesSource = "one.csv";
        for (size_t c = 0; c < 3; ++c)
            for (size_t k = 0; k < counts[c][0].size(); ++k) {
                d.addTrial(int64_t(c * 10 + k), "c" + std::to_string(c));
                for (size_t u = 0; u < 2; ++u)
                    for (int s = 0; s < counts[c][u][k]; ++s)
                        d.addSpike(int64_t(u), int64_t(c * 10 + k), 0.1);
            }
        auto s = shesha(mustCount(d), SheshaOptions{});
        QVERIFY(!s.ok());
        QVERIFY(s.error().reason.find("'c1'") != std::string::npos);
        QVERIFY(s.error().reason.find("cannot halve") != std::string::npos);
        QCOMPARE(s.error().file, std::string("one.csv"));
    }

    void emptyWindowsAreErrors() {
        const TrialData d = threeConditions();
        auto a = countSpikes(d, 0.5, 0.5);
        QVERIFY(!a.ok());
        QVERIFY(a.error().reason.find("empty window") != std::string::npos);
        auto b = countSpikes(d, 0.7, 0.2);
        QVERIFY(!b.ok());
        TrialData none = d;
        none.spikeUnit.clear();
        none.spikeTrial.clear();
        none.spikeTime.clear();
        auto c = countSpikes(none, 0, 1);
        QVERIFY(!c.ok());
        QVERIFY(c.error().reason.find("no spikes") != std::string::npos);
        TrialData nan = d;
        nan.spikeTime[3] = std::nan("");
        auto e = countSpikes(nan, 0, 1);
        QVERIFY(!e.ok());
        QVERIFY(e.error().reason.find("row 4") != std::string::npos);
    }

    void pseudoPopulation() {
        // Units from different sessions with their own trial ids.
        TrialData d;
        d.spikesSource = "pseudo.csv";
        d.addTrial(1, "a", 10);
        d.addTrial(2, "b", 10);
        d.addTrial(1, "a", 20);
        d.addTrial(5, "a", 20);
        d.addTrial(6, "b", 20);
        d.addSpike(10, 1, 0.1);
        d.addSpike(10, 1, 0.2);
        d.addSpike(20, 5, 0.3);
        d.addSpike(20, 6, 0.3);
        d.addSpike(20, 6, 0.4);
        const TrialCounts tc = mustCount(d);
        const Eigen::MatrixXd r = responseMatrix(tc);
        QCOMPARE(r(0, 0), 2.0); // unit 10, condition a: one trial with 2 spikes
        QCOMPARE(r(1, 0), 0.0); // unit 10, b: silent trial counts as zero
        QCOMPARE(r(0, 1), 0.5); // unit 20, a: trials 1 (0 spikes) and 5 (1 spike)
        QCOMPARE(r(1, 1), 2.0);
        d.trialUnit[1] = 20; // unit 10 now has no trial of condition b
        auto bad = countSpikes(d, 0, 1);
        QVERIFY(!bad.ok());
        QVERIFY(bad.error().reason.find("'b'") != std::string::npos);
        QVERIFY(bad.error().reason.find("10") != std::string::npos);
    }

    void pcaDominantDirection() {
        std::mt19937 rng(17);
        std::normal_distribution<double> n(0, 1);
        Eigen::VectorXd v(6);
        v << 1, -2, 0.5, 0, 3, 1;
        v.normalize();
        Eigen::MatrixXd x(200, 6);
        for (int i = 0; i < 200; ++i) {
            const double t = 10 * n(rng);
            for (int j = 0; j < 6; ++j) x(i, j) = 5 + t * v(j) + 0.1 * n(rng);
        }
        const PcaModel m = fitPca(x, 2);
        QVERIFY(std::fabs(m.axes.col(0).dot(v)) > 0.999);
        QVERIFY(m.explained(0) > 0.99);
        QVERIFY(m.explained(0) >= m.explained(1));
        // Fewer samples than features uses the Gram route: same first axis.
        const PcaModel g = fitPca(x.topRows(4), 1);
        QVERIFY(std::fabs(g.axes.col(0).dot(v)) > 0.99);
        // Streaming: same window twice gives the same projection, signs stable.
        StreamingPca live(2);
        const Eigen::MatrixXd p1 = live.update(x.topRows(50));
        const Eigen::MatrixXd p2 = live.update(x.topRows(50));
        QVERIFY((p1 - p2).norm() < 1e-9);
        QCOMPARE(p1.cols(), Eigen::Index(2));
        QVERIFY(std::fabs(p1.col(0).mean()) < 1e-9);
    }

    void pcaTrajectoriesOnTrials() {
        // Unit 0 fires early in condition a and late in b, unit 1 the opposite: PC1 separates time.
        TrialData d;
        d.spikesSource = "traj.csv";
        for (int k = 0; k < 4; ++k) {
            d.addTrial(k, "a");
            d.addTrial(100 + k, "b");
            for (int s = 0; s < 20; ++s) {
                d.addSpike(0, k, 0.01 * s);
                d.addSpike(1, k, 0.5 + 0.01 * s);
                d.addSpike(0, 100 + k, 0.5 + 0.01 * s);
                d.addSpike(1, 100 + k, 0.01 * s);
            }
        }
        PcaOptions o;
        o.binMs = 250;
        o.end = 1.0;
        o.components = 2;
        o.smoothMs = 100;
        auto r = pcaTrajectories(d, o);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
        QCOMPARE(r.value().binCentres.size(), size_t(4));
        QCOMPARE(r.value().trajectories.size(), size_t(2));
        // The units are mirror images, so PC1 is their difference: axis (1, -1) / sqrt(2).
        const auto& axes = r.value().model.axes;
        QVERIFY(std::fabs(axes(0, 0) + axes(1, 0)) < 1e-9);
        QVERIFY(std::fabs(std::fabs(axes(0, 0)) - std::sqrt(0.5)) < 1e-9);
        QVERIFY(r.value().model.explained(0) > r.value().model.explained(1));
        // Conditions a and b are mirror images along PC1.
        const auto& ta = r.value().trajectories[0];
        const auto& tb = r.value().trajectories[1];
        QVERIFY(std::fabs(ta(0, 0) + tb(0, 0)) < 1e-9);
        QVERIFY(std::fabs(ta(0, 0)) > 1.0);
    }

    void firingStatsTrains() {
        SpikeTrains st;
        st.unitIds = {7, 8};
        st.tStart = 0;
        st.tStop = 1000;
        for (int i = 0; i < 10000; ++i) st.add(0.05 + 0.1 * i, 0); // regular 10 Hz
        std::mt19937 rng(19);
        std::exponential_distribution<double> isi(20.0); // Poisson 20 Hz
        for (double t = isi(rng); t < 1000; t += isi(rng)) st.add(t, 1);
        auto r = firingStats(st, 1.0, "trains");
        QVERIFY(r.ok());
        const auto& reg = r.value()[0];
        QCOMPARE(reg.unit, int64_t(7));
        QCOMPARE(reg.spikes, size_t(10000));
        QVERIFY(std::fabs(reg.rateHz - 10.0) < 1e-12);
        QVERIFY(reg.cvIsi < 1e-9);
        QVERIFY(reg.fano < 1e-9);
        const auto& poi = r.value()[1];
        QVERIFY(std::fabs(poi.cvIsi - 1.0) < 0.05);
        QVERIFY(std::fabs(poi.fano - 1.0) < 0.2);
        QVERIFY(std::fabs(poi.rateHz - 20.0) < 1.0);
    }

    void firingStatsTrials() {
        // Unit 1: counts (1, 3) in condition c0 -> mean 2, var 2, Fano 1; (2, 2) in c1 -> Fano 0. Mean 0.5.
        const TrialData d = fromCounts({{{1, 3}}, {{2, 2}}});
        auto r = firingStats(d, 0, 1);
        QVERIFY(r.ok());
        QCOMPARE(r.value().size(), size_t(1));
        QVERIFY(std::fabs(r.value()[0].fano - 0.5) < 1e-12);
        QVERIFY(std::fabs(r.value()[0].rateHz - 2.0) < 1e-12);
        QCOMPARE(r.value()[0].spikes, size_t(8));
    }

    void communitiesTwoCliques() {
        Graph g;
        for (int i = 0; i < 12; ++i) g.addNode("n" + std::to_string(i));
        const uint8_t t = g.typeIndex("e");
        for (int a = 0; a < 6; ++a)
            for (int b = a + 1; b < 6; ++b) {
                g.addEdge(uint32_t(a), uint32_t(b), 1, t);
                g.addEdge(uint32_t(a + 6), uint32_t(b + 6), 1, t);
            }
        g.addEdge(5, 6, 1, t);
        auto c = detectCommunities(g);
        QVERIFY2(c.ok(), c.ok() ? "" : c.error().str().c_str());
        QCOMPARE(c.value().count, 2);
        for (int i = 1; i < 6; ++i) QCOMPARE(c.value().membership[size_t(i)], c.value().membership[0]);
        for (int i = 7; i < 12; ++i) QCOMPARE(c.value().membership[size_t(i)], c.value().membership[6]);
        QVERIFY(c.value().membership[0] != c.value().membership[6]);
        // Modularity by hand: m = 31 edges, each community has 15 internal edges and degree sum 31.
        const double q = 2 * (15.0 / 31 - std::pow(31.0 / 62, 2));
        QVERIFY(std::fabs(c.value().modularity - q) < 1e-9);
    }

    void betweennessPath() {
        Graph g;
        for (int i = 0; i < 5; ++i) g.addNode(std::string(1, char('a' + i)));
        const uint8_t t = g.typeIndex("e");
        for (uint32_t i = 0; i + 1 < 5; ++i) g.addEdge(i, i + 1, 1, t);
        auto b = betweenness(g);
        QVERIFY(b.ok());
        const std::vector<double> expect = {0, 3, 4, 3, 0};
        QCOMPARE(b.value(), expect);
        const std::vector<double> deg = {1, 2, 2, 2, 1};
        QCOMPARE(degreeColumn(g), deg);
    }
};

QTEST_GUILESS_MAIN(TestAnalysis)
#include "test_analysis.moc"
