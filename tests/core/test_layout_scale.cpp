// The layout at scale: a 200,000-node star, a random 100,000-node graph and a hub-heavy graph with a million
// edges each finish in well under 30 s, stay finite and spread out, and two layouts on two threads at once
// give the seed's layout.
#include <QElapsedTimer>
#include <QtTest>

#include "CpuTime.h"

#include <cmath>
#include <random>
#include <set>
#include <thread>

#include "io/Layout.h"

namespace {

using nrtest::kLimitMs; // 30 s of CPU time of this thread (the work is single-threaded)
using nrtest::threadCpuMs;

nr::Graph nodes(size_t n) {
    nr::Graph g;
    g.names.reserve(n);
    for (size_t i = 0; i < n; ++i) g.addNode("n" + std::to_string(i));
    return g;
}

void edge(nr::Graph& g, uint32_t a, uint32_t b) {
    g.src.push_back(a);
    g.dst.push_back(b);
    g.weight.push_back(1.f);
    g.type.push_back(0);
}

nr::Graph star(size_t n) {
    nr::Graph g = nodes(n);
    for (uint32_t i = 1; i < n; ++i) edge(g, 0, i);
    g.edgeTypes = {"edge"};
    g.invalidateAdjacency();
    return g;
}

nr::Graph randomGraph(size_t n, size_t m, unsigned seed) {
    nr::Graph g = nodes(n);
    std::mt19937 rng(seed);
    std::uniform_int_distribution<uint32_t> pick(0, uint32_t(n - 1));
    for (size_t k = 0; k < m; ++k) edge(g, pick(rng), pick(rng));
    g.edgeTypes = {"edge"};
    g.invalidateAdjacency();
    return g;
}

// Every edge has one end among 20 hubs (chosen by weight), the other uniform.
nr::Graph hubGraph(size_t n, size_t m, unsigned seed) {
    nr::Graph g = nodes(n);
    std::mt19937 rng(seed);
    std::uniform_int_distribution<uint32_t> pick(0, uint32_t(n - 1));
    std::discrete_distribution<uint32_t> hub({40, 20, 10, 8, 6, 5, 4, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1});
    for (size_t k = 0; k < m; ++k) edge(g, hub(rng), pick(rng));
    g.edgeTypes = {"edge"};
    g.invalidateAdjacency();
    return g;
}

// Finite, and not collapsed: distinct positions for nearly every node, a spread of more than one unit.
void checkSpread(const nr::Graph& g) {
    QCOMPARE(g.x.size(), g.nodeCount());
    std::set<std::tuple<float, float, float>> distinct;
    for (size_t i = 0; i < g.nodeCount(); ++i) {
        QVERIFY(std::isfinite(g.x[i]) && std::isfinite(g.y[i]) && std::isfinite(g.z[i]));
        distinct.emplace(g.x[i], g.y[i], g.z[i]);
    }
    QVERIFY2(double(distinct.size()) > 0.99 * double(g.nodeCount()), "nodes collapsed onto each other");
    const auto bb = g.bounds();
    for (int k = 0; k < 3; ++k) QVERIFY(bb[size_t(k + 3)] - bb[size_t(k)] > 1.f);
}

qint64 timed(nr::Graph& g, const char* what) {
    QElapsedTimer t;
    t.start();
    const qint64 cpu0 = threadCpuMs();
    int calls = 0;
    const auto st = nr::layout3D(g, 1, false, [&](double) { return ++calls, true; });
    const qint64 cpu = threadCpuMs() - cpu0;
    qInfo("%s: %zu nodes, %zu edges laid out in %lld ms CPU (%lld ms wall)", what, g.nodeCount(),
          g.edgeCount(), (long long)cpu, (long long)t.elapsed());
    if (st) qWarning("%s", st->str().c_str());
    return st || calls < 3 ? -1 : cpu;
}

} // namespace

class TestLayoutScale : public QObject {
    Q_OBJECT

private slots:
    void star200k() {
        nr::Graph g = star(200000);
        const qint64 ms = timed(g, "star");
        QVERIFY(ms >= 0);
        QVERIFY2(ms < kLimitMs, "star layout too slow");
        checkSpread(g);
    }

    void random100k() {
        nr::Graph g = randomGraph(100000, 500000, 3);
        const qint64 ms = timed(g, "random");
        QVERIFY(ms >= 0);
        QVERIFY2(ms < kLimitMs, "random layout too slow");
        checkSpread(g);
    }

    void hubs200kMillionEdges() {
        nr::Graph g = hubGraph(200000, 1000000, 5);
        const qint64 ms = timed(g, "hubs");
        QVERIFY(ms >= 0);
        QVERIFY2(ms < kLimitMs, "hub-heavy layout too slow");
        checkSpread(g);
    }

    void deterministicOnTwoThreads() {
        const nr::Graph base = hubGraph(20000, 60000, 9);
        nr::Graph ref = base;
        QVERIFY(!nr::layout3D(ref, 4));
        nr::Graph a = base, b = base, c = base;
        std::thread ta([&] { nr::layout3D(a, 4); });
        std::thread tb([&] { nr::layout3D(b, 4); });
        ta.join();
        tb.join();
        QCOMPARE(a.x, ref.x);
        QCOMPARE(b.z, ref.z);
        QVERIFY(!nr::layout3D(c, 5));
        QVERIFY(c.x != ref.x);
    }

    void cancelStopsQuickly() {
        nr::Graph g = star(200000);
        QElapsedTimer t;
        t.start();
        const auto st = nr::layout3D(g, 1, false, [](double f) { return f < 0.1; });
        QVERIFY(st.has_value());
        QCOMPARE(st->reason, std::string("cancelled"));
        QVERIFY2(t.elapsed() < 10000, "cancel was not honoured promptly");
    }
};

QTEST_GUILESS_MAIN(TestLayoutScale)
#include "test_layout_scale.moc"
