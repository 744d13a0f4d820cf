// 3-D force-directed layout: determinism, finiteness, locality, keeping placed nodes.
#include <QElapsedTimer>
#include <QtTest>

#include <cmath>
#include <limits>

#include "formats/Open.h"
#include "io/GraphIO.h"
#include "io/Layout.h"

namespace {

const std::string kData = NR_SHARED_DATA;

nr::Graph load(const std::string& path) {
    auto r = nr::openGraph(path);
    if (!r.ok()) qFatal("%s", r.error().str().c_str());
    return std::move(r).value();
}

double dist(const nr::Graph& g, size_t a, size_t b) {
    const double dx = g.x[a] - g.x[b], dy = g.y[a] - g.y[b], dz = g.z[a] - g.z[b];
    return std::sqrt(dx * dx + dy * dy + dz * dz);
}

bool allFinite(const nr::Graph& g) {
    if (!g.hasPositions() || g.y.size() != g.nodeCount() || g.z.size() != g.nodeCount()) return false;
    for (size_t i = 0; i < g.nodeCount(); ++i)
        if (!std::isfinite(g.x[i]) || !std::isfinite(g.y[i]) || !std::isfinite(g.z[i])) return false;
    return true;
}

// Mean length of non-loop edges over the mean distance of a deterministic sample of node pairs.
double edgeToRandomRatio(const nr::Graph& g) {
    double e = 0, r = 0;
    size_t ne = 0, nr_ = 0;
    for (size_t k = 0; k < g.edgeCount(); ++k)
        if (g.src[k] != g.dst[k]) {
            e += dist(g, g.src[k], g.dst[k]);
            ++ne;
        }
    const size_t n = g.nodeCount();
    for (size_t k = 0; k < 20000; ++k) {
        const size_t a = (k * 2654435761u) % n, b = (k * 40503u + 17) % n;
        if (a == b) continue;
        r += dist(g, a, b);
        ++nr_;
    }
    return (e / double(ne)) / (r / double(nr_));
}

} // namespace

class TestLayout : public QObject {
    Q_OBJECT

private slots:
    void smallGraphDeterministicAndLocal() {
        // 309 nodes: igraph's Fruchterman-Reingold 3-D.
        nr::Graph a = load(kData + "/connectome/aconnectome_white_1986_whole.csv");
        nr::Graph b = a;
        QVERIFY(!nr::layout3D(a, 7));
        QVERIFY(!nr::layout3D(b, 7));
        QVERIFY(allFinite(a));
        QCOMPARE(a.x, b.x);
        QCOMPARE(a.y, b.y);
        QCOMPARE(a.z, b.z);
        nr::Graph c = load(kData + "/connectome/aconnectome_white_1986_whole.csv");
        QVERIFY(!nr::layout3D(c, 8));
        QVERIFY(c.x != a.x);
        const double ratio = edgeToRandomRatio(a);
        qInfo("white_1986: mean edge / mean random pair distance = %.3f", ratio);
        QVERIFY(ratio < 0.8);
        // Not degenerate: the layout spans all three axes.
        const auto bb = a.bounds();
        for (int k = 0; k < 3; ++k) QVERIFY(bb[size_t(k + 3)] - bb[size_t(k)] > 1.f);
    }

    void largerGraphUsesGridLayout() {
        // 2,970 nodes: the grid-based force layout.
        nr::Graph a = load(kData + "/vessel/example_edges.csv");
        nr::Graph b = a;
        QElapsedTimer t;
        t.start();
        int calls = 0;
        QVERIFY(!nr::layout3D(a, 1, false, [&](double) { return ++calls, true; }));
        qInfo("vessel graph (2970 nodes) laid out in %lld ms", (long long)t.elapsed());
        QVERIFY(calls >= 2);
        QVERIFY(!nr::layout3D(b, 1));
        QVERIFY(allFinite(a));
        QCOMPARE(a.x, b.x);
        QCOMPARE(a.z, b.z);
        const double ratio = edgeToRandomRatio(a);
        qInfo("vessel: mean edge / mean random pair distance = %.3f", ratio);
        QVERIFY(ratio < 0.3);
    }

    void keepExistingPositions() {
        nr::Graph g = load(kData + "/connectome/herm_full_edgelist.csv");
        QVERIFY(nr::readNodeTable(kData + "/connectome/celegans_somas.csv", g).ok());
        const std::vector<float> x0 = g.x, y0 = g.y, z0 = g.z;
        QVERIFY(!allFinite(g));
        QVERIFY(!nr::layout3D(g, 1, true));
        QVERIFY(allFinite(g));
        size_t kept = 0;
        for (size_t i = 0; i < g.nodeCount(); ++i)
            if (std::isfinite(x0[i])) {
                QCOMPARE(g.x[i], x0[i]);
                QCOMPARE(g.y[i], y0[i]);
                QCOMPARE(g.z[i], z0[i]);
                ++kept;
            }
        QCOMPARE(kept, size_t(300));
        // Newly placed nodes land in the neighbourhood of the worm (µm), not at the force model's scale.
        float lo[3] = {1e9f, 1e9f, 1e9f}, hi[3] = {-1e9f, -1e9f, -1e9f};
        for (size_t i = 0; i < g.nodeCount(); ++i)
            if (std::isfinite(x0[i])) {
                const float p[3] = {x0[i], y0[i], z0[i]};
                for (int k = 0; k < 3; ++k) {
                    lo[k] = std::min(lo[k], p[k]);
                    hi[k] = std::max(hi[k], p[k]);
                }
            }
        const float span = hi[1] - lo[1];
        for (size_t i = 0; i < g.nodeCount(); ++i) {
            if (std::isfinite(x0[i])) continue;
            QVERIFY(g.y[i] > lo[1] - span && g.y[i] < hi[1] + span);
        }
    }

    void keepExistingOnLargeGraph() {
        nr::Graph g = load(kData + "/vessel/example_edges.csv");
        QVERIFY(nr::readNodeTable(kData + "/vessel/example_nodes.csv", g).ok());
        const nr::Graph truth = g;
        const float nan = std::numeric_limits<float>::quiet_NaN();
        for (size_t i = 0; i < g.nodeCount(); i += 10) g.x[i] = g.y[i] = g.z[i] = nan;
        QVERIFY(!nr::layout3D(g, 3, true));
        QVERIFY(allFinite(g));
        double moved = 0;
        for (size_t i = 0; i < g.nodeCount(); ++i) {
            if (i % 10 == 0) {
                moved += std::hypot(g.x[i] - truth.x[i], g.y[i] - truth.y[i]);
                continue;
            }
            QCOMPARE(g.x[i], truth.x[i]);
            QCOMPARE(g.z[i], truth.z[i]);
        }
        // Re-placed nodes end up near where they were (their neighbours are placed), far closer than the
        // size of the sample.
        const auto bb = truth.bounds();
        const double size = std::hypot(bb[3] - bb[0], bb[4] - bb[1]);
        const double meanErr = moved / double((g.nodeCount() + 9) / 10);
        qInfo("mean x/y displacement of re-placed vessel nodes: %.1f (sample size %.1f)", meanErr, size);
        QVERIFY(meanErr < 0.2 * size);
    }

    void degenerateGraphs() {
        nr::Graph empty;
        QVERIFY(!nr::layout3D(empty));
        QCOMPARE(empty.x.size(), size_t(0));
        nr::Graph one;
        one.addNode("a");
        QVERIFY(!nr::layout3D(one));
        QVERIFY(allFinite(one));
        nr::Graph isolated;
        for (int i = 0; i < 50; ++i) isolated.addNode("n" + std::to_string(i));
        QVERIFY(!nr::layout3D(isolated));
        QVERIFY(allFinite(isolated));
        // A fully placed graph is left alone.
        nr::Graph placed = isolated;
        const std::vector<float> x = placed.x;
        QVERIFY(!nr::layout3D(placed, 5, true));
        QCOMPARE(placed.x, x);
    }

    void cancel() {
        nr::Graph g = load(kData + "/vessel/example_edges.csv");
        auto st = nr::layout3D(g, 1, false, [](double f) { return f < 0.2; });
        QVERIFY(st.has_value());
        QCOMPARE(st->reason, std::string("cancelled"));
        nr::Graph s = load(kData + "/connectome/aconnectome_white_1986_whole.csv");
        st = nr::layout3D(s, 1, false, [](double) { return false; });
        QVERIFY(st.has_value());
        QCOMPARE(st->reason, std::string("cancelled"));
        QVERIFY(!s.hasPositions());
    }
};

QTEST_GUILESS_MAIN(TestLayout)
#include "test_layout.moc"
