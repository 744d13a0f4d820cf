// The graph model (CSR adjacency, degrees) on read files, and the built-in demo network.
#include <QElapsedTimer>
#include <QtTest>

#include <cmath>
#include <map>
#include <numeric>
#include <set>

#include "formats/Open.h"
#include "io/DemoNetwork.h"
#include "io/GraphIO.h"

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

// Checks that a CSR lists exactly the edges (from[e] -> to[e]) under their source.
bool csrMatches(const nr::Csr& c, size_t n, const std::vector<uint32_t>& from,
                const std::vector<uint32_t>& to) {
    if (c.off.size() != n + 1 || c.off[0] != 0 || c.off[n] != from.size()) return false;
    std::vector<char> seen(from.size(), 0);
    for (size_t i = 0; i < n; ++i)
        for (uint32_t k = c.off[i]; k < c.off[i + 1]; ++k) {
            const uint32_t e = c.edge[k];
            if (e >= from.size() || seen[e] || from[e] != i || to[e] != c.idx[k]) return false;
            seen[e] = 1;
        }
    return true;
}

} // namespace

class TestGraph : public QObject {
    Q_OBJECT

private slots:
    void csrAndDegreesSmall() {
        nr::Graph g;
        const uint32_t a = g.addNode("a"), b = g.addNode("b"), c = g.addNode("c");
        const uint8_t t = g.typeIndex("edge");
        g.addEdge(a, b, 1, t);
        g.addEdge(a, c, 1, t);
        g.addEdge(c, c, 1, t); // self-loop
        g.addEdge(b, a, 1, t);
        QCOMPARE(g.out().off, (std::vector<uint32_t>{0, 2, 3, 4}));
        QCOMPARE(g.out().idx, (std::vector<uint32_t>{b, c, a, c}));
        QCOMPARE(g.in().off, (std::vector<uint32_t>{0, 1, 2, 4}));
        QCOMPARE(g.degrees(), (std::vector<uint32_t>{3, 2, 3}));
        QCOMPARE(g.outDegrees(), (std::vector<uint32_t>{2, 1, 1}));
        QCOMPARE(g.inDegrees(), (std::vector<uint32_t>{1, 1, 2}));
        // Adjacency follows later edits.
        g.addEdge(b, c, 1, t);
        QCOMPARE(g.out().off, (std::vector<uint32_t>{0, 2, 4, 5}));
    }

    void csrOfConnectome() {
        const nr::Graph g = load(kData + "/connectome/herm_full_edgelist.csv");
        QVERIFY(csrMatches(g.out(), g.nodeCount(), g.src, g.dst));
        QVERIFY(csrMatches(g.in(), g.nodeCount(), g.dst, g.src));
        const auto deg = g.degrees(), in = g.inDegrees(), out = g.outDegrees();
        QCOMPARE(std::accumulate(deg.begin(), deg.end(), size_t(0)), 2 * g.edgeCount());
        for (size_t i = 0; i < g.nodeCount(); ++i) {
            QCOMPARE(deg[i], in[i] + out[i]);
            QCOMPARE(out[i], g.out().off[i + 1] - g.out().off[i]);
        }
        // AVAL is a hub of the worm's connectome.
        const size_t aval = size_t(g.findNode("AVAL"));
        QVERIFY(deg[aval] > 100);
        QCOMPARE(g.findNode("aval"), long(aval)); // case-insensitive lookup
    }

    void vesselDegreeColumnMatchesComputedDegree() {
        nr::Graph g = load(kData + "/vessel/example_edges.csv");
        auto j = nr::readNodeTable(kData + "/vessel/example_nodes.csv", g);
        QVERIFY(j.ok());
        const auto& column = g.nodeNumeric.at("degree");
        const auto deg = g.degrees(); // self-loops counted twice, as in the file's column
        QCOMPARE(column.size(), deg.size());
        size_t loops = 0;
        for (size_t e = 0; e < g.edgeCount(); ++e) loops += g.src[e] == g.dst[e];
        QVERIFY(loops > 0);
        for (size_t i = 0; i < deg.size(); ++i) QCOMPARE(column[i], float(deg[i]));
        std::map<uint32_t, size_t> hist;
        for (auto d : deg) ++hist[d];
        QCOMPARE(hist[1], size_t(1421));
        QCOMPARE(hist[3], size_t(1513));
        QCOMPARE(hist[10], size_t(1));
        QVERIFY(g.memoryBytes() > g.edgeCount() * 8);
    }

    void demoCountsAndClasses() {
        QElapsedTimer t;
        t.start();
        const nr::Graph g = nr::makeDemoNetwork();
        qInfo("demo network: %zu neurons, %zu synapses in %lld ms", g.nodeCount(), g.edgeCount(),
              (long long)t.elapsed());
        QCOMPARE(g.nodeCount(), size_t(3000));
        QVERIFY(g.hasPositions());
        QCOMPARE(g.nodeClass.size(), size_t(3000));
        size_t ne = 0, ni = 0;
        for (size_t i = 0; i < g.nodeCount(); ++i) {
            const std::string& c = g.nodeClass[i];
            QVERIFY(c == "E" || c == "I");
            QCOMPARE(g.names[i].substr(0, 1), c);
            (c == "E" ? ne : ni)++;
        }
        QCOMPARE(ne, size_t(2400));
        QCOMPARE(ni, size_t(600));
        QVERIFY(g.findNode("E2400") >= 0);
        QVERIFY(g.findNode("I600") >= 0);
        QCOMPARE(g.findNode("E2401"), -1L);
        // Mean synapses per neuron in 100..300.
        const double perNeuron = double(g.edgeCount()) / double(g.nodeCount());
        QVERIFY2(perNeuron >= 100 && perNeuron <= 300, std::to_string(perNeuron).c_str());
    }

    void demoGeometryAndLayers() {
        const nr::Graph g = nr::makeDemoNetwork();
        const auto& layer = g.nodeNumeric.at("layer");
        std::map<int, size_t> perLayer;
        std::map<int, std::pair<float, float>> zRange;
        for (size_t i = 0; i < g.nodeCount(); ++i) {
            const double r = std::hypot(g.x[i], g.y[i]);
            QVERIFY(r <= 300.0 + 1e-3);
            QVERIFY(g.z[i] >= 0.f && g.z[i] <= 1000.f);
            const int l = int(layer[i]);
            QVERIFY(l >= 1 && l <= 6);
            ++perLayer[l];
            auto& zr = zRange.try_emplace(l, g.z[i], g.z[i]).first->second;
            zr.first = std::min(zr.first, g.z[i]);
            zr.second = std::max(zr.second, g.z[i]);
        }
        QCOMPARE(perLayer.size(), size_t(6));
        // Layer 1 at the top, layers stacked downwards without overlap.
        for (int l = 1; l < 6; ++l) QVERIFY(zRange[l].first >= zRange[l + 1].second);
        // Layers differ in density: layer 1 is sparse.
        const double d1 = perLayer[1] / double(zRange[1].second - zRange[1].first);
        const double d4 = perLayer[4] / double(zRange[4].second - zRange[4].first);
        QVERIFY(d4 > 3 * d1);
    }

    void demoSynapses() {
        const nr::Graph g = nr::makeDemoNetwork();
        QCOMPARE(g.edgeTypes, (std::vector<std::string>{"excitatory", "inhibitory"}));
        size_t selfLoops = 0;
        for (size_t e = 0; e < g.edgeCount(); ++e) {
            const bool exc = g.nodeClass[g.src[e]] == "E";
            QCOMPARE(g.edgeTypes[g.type[e]], std::string(exc ? "excitatory" : "inhibitory"));
            QVERIFY(g.weight[e] > 0.f && std::isfinite(g.weight[e]));
            selfLoops += g.src[e] == g.dst[e];
        }
        QCOMPARE(selfLoops, size_t(0));
        // Distance dependence: connected pairs are much closer than random pairs.
        double connected = 0, random = 0;
        for (size_t e = 0; e < g.edgeCount(); ++e) connected += dist(g, g.src[e], g.dst[e]);
        connected /= double(g.edgeCount());
        size_t pairs = 0;
        for (size_t a = 0; a < g.nodeCount(); a += 7)
            for (size_t b = 3; b < g.nodeCount(); b += 11) {
                if (a == b) continue;
                random += dist(g, a, b);
                ++pairs;
            }
        random /= double(pairs);
        qInfo("mean distance: connected %.1f um, random %.1f um", connected, random);
        QVERIFY(connected < 0.75 * random);
        // Nearer pairs are connected more often: compare near and far distance bands.
        size_t nearEdges = 0, farEdges = 0;
        for (size_t e = 0; e < g.edgeCount(); ++e) {
            const double d = dist(g, g.src[e], g.dst[e]);
            nearEdges += d < 100;
            farEdges += d >= 200 && d < 300;
        }
        size_t nearPairs = 0, farPairs = 0;
        for (size_t a = 0; a < g.nodeCount(); a += 3)
            for (size_t b = 0; b < g.nodeCount(); ++b) {
                if (a == b) continue;
                const double d = dist(g, a, b);
                nearPairs += d < 100;
                farPairs += d >= 200 && d < 300;
            }
        const double pNear = double(nearEdges) / (3.0 * double(nearPairs));
        const double pFar = double(farEdges) / (3.0 * double(farPairs));
        QVERIFY2(pNear > 3 * pFar, (std::to_string(pNear) + " vs " + std::to_string(pFar)).c_str());
    }

    void demoDeterministicForSeed() {
        nr::DemoOptions o;
        o.neurons = 800;
        const nr::Graph a = nr::makeDemoNetwork(o), b = nr::makeDemoNetwork(o);
        QCOMPARE(a.names, b.names);
        QCOMPARE(a.x, b.x);
        QCOMPARE(a.src, b.src);
        QCOMPARE(a.dst, b.dst);
        QCOMPARE(a.weight, b.weight);
        o.seed = 2;
        const nr::Graph c = nr::makeDemoNetwork(o);
        QCOMPARE(c.nodeCount(), size_t(800));
        QVERIFY(c.x != a.x);
        QVERIFY(c.src != a.src || c.dst != a.dst);
    }

    void demoOtherSizes() {
        nr::DemoOptions o;
        o.neurons = 20000;
        o.excitatoryFraction = 0.5;
        QElapsedTimer t;
        t.start();
        const nr::Graph g = nr::makeDemoNetwork(o);
        qInfo("demo network: %zu neurons, %zu synapses in %lld ms", g.nodeCount(), g.edgeCount(),
              (long long)t.elapsed());
        QCOMPARE(g.nodeCount(), size_t(20000));
        QCOMPARE(size_t(std::count(g.nodeClass.begin(), g.nodeClass.end(), "E")), size_t(10000));
        const double perNeuron = double(g.edgeCount()) / double(g.nodeCount());
        QVERIFY2(perNeuron >= 100 && perNeuron <= 300, std::to_string(perNeuron).c_str());
        o.neurons = 0;
        QCOMPARE(nr::makeDemoNetwork(o).nodeCount(), size_t(0));
        o.neurons = 1;
        const nr::Graph one = nr::makeDemoNetwork(o);
        QCOMPARE(one.nodeCount(), size_t(1));
        QCOMPARE(one.edgeCount(), size_t(0));
    }
};

QTEST_GUILESS_MAIN(TestGraph)
#include "test_graph.moc"
