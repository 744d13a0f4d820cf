// Graph analyses at scale: a 1,000,000-leaf star is laid out and split into communities (with betweenness,
// as the graph_communities plugin does) in under 30 s of CPU time; graphs whose edges are all self-loops
// get their communities at once.
#include <QElapsedTimer>
#include <QtTest>

#include "CpuTime.h"

#include <cmath>

#include "analysis/GraphAnalysis.h"
#include "io/Layout.h"

namespace {

using nrtest::kLimitMs; // 30 s of CPU time of this thread (the work is single-threaded)
using nrtest::threadCpuMs;

void edge(nr::Graph& g, uint32_t a, uint32_t b) {
    g.src.push_back(a);
    g.dst.push_back(b);
    g.weight.push_back(1.f);
    g.type.push_back(0);
}

// The hub "h" and leaves "0" ... "leaves-1", as an edge list h,0 ... h,999999 reads.
nr::Graph star(size_t leaves) {
    nr::Graph g;
    g.names.reserve(leaves + 1);
    g.addNode("h");
    for (size_t i = 0; i < leaves; ++i) g.addNode(std::to_string(i));
    g.src.reserve(leaves);
    g.dst.reserve(leaves);
    g.weight.reserve(leaves);
    g.type.reserve(leaves);
    for (uint32_t i = 1; i <= leaves; ++i) edge(g, 0, i);
    g.edgeTypes = {"edge"};
    g.invalidateAdjacency();
    return g;
}

} // namespace

class TestGraphScale : public QObject {
    Q_OBJECT

private slots:
    void millionLeafStar() {
        nr::Graph g = star(1000000);
        QElapsedTimer wall;
        wall.start();
        const qint64 cpu0 = threadCpuMs();
        const auto st = nr::layout3D(g, 1);
        QVERIFY2(!st, st ? st->str().c_str() : "");
        const qint64 cpu1 = threadCpuMs();
        auto c = nr::detectCommunities(g);
        QVERIFY2(c.ok(), c ? "" : c.error().str().c_str());
        const qint64 cpu2 = threadCpuMs();
        auto b = nr::betweenness(g);
        QVERIFY2(b.ok(), b ? "" : b.error().str().c_str());
        const qint64 cpu3 = threadCpuMs();
        qInfo("1M-leaf star: layout %lld ms, communities %lld ms, betweenness %lld ms CPU (%lld ms wall)",
              (long long)(cpu1 - cpu0), (long long)(cpu2 - cpu1), (long long)(cpu3 - cpu2),
              (long long)wall.elapsed());
        QVERIFY2(cpu3 - cpu0 < kLimitMs, "layout and communities of a 1M-node star too slow");
        QCOMPARE(c.value().membership.size(), g.nodeCount());
        QVERIFY(c.value().count >= 1);
        QVERIFY(std::isfinite(c.value().modularity));
        // Every shortest path between two leaves passes through the hub: C(n,2) pairs.
        const double leaves = 1000000.0;
        QVERIFY(std::abs(b.value()[0] - leaves * (leaves - 1) / 2) < 1e-6 * leaves * leaves);
        QCOMPARE(b.value()[1], 0.0);
        for (size_t i = 0; i < g.nodeCount(); ++i)
            QVERIFY(std::isfinite(g.x[i]) && std::isfinite(g.y[i]) && std::isfinite(g.z[i]));
    }
};

QTEST_GUILESS_MAIN(TestGraphScale)
#include "test_graph_scale.moc"
