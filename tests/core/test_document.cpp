// The document of layers, the spike store and the reader registry (headless).
#include <QTemporaryDir>
#include <QtTest>
#include <fstream>

#include "analysis/TrialData.h"
#include "io/IoFormats.h"
#include "io/ReaderRegistry.h"
#include "io/TrialIO.h"
#include "model/Document.h"
#include "model/SpikeStore.h"

namespace {
const QString kData = QStringLiteral(NR_SHARED_DATA);
std::string data(const char* rel) {
    return (kData + QLatin1Char('/') + QLatin1String(rel)).toStdString();
}
} // namespace

class TestDocument : public QObject {
    Q_OBJECT
private slots:
    void storeResetStartsANewSource() {
        nr::SpikeStore s;
        s.reset(3000);
        std::vector<nr::SpikeEvent> ev;
        for (int i = 0; i < 100; ++i) ev.push_back({i * 0.01, uint32_t(i % 3000)});
        s.append(ev.data(), ev.size());
        QCOMPARE(s.unitCount(), 3000u);
        const auto gen = s.generation();
        // A new model of 448 neurons: rows, rates and counters start again.
        s.reset(448);
        QCOMPARE(s.unitCount(), 448u);
        QCOMPARE(s.size(), size_t(0));
        QVERIFY(s.rateCounts().empty());
        QVERIFY(s.generation() != gen);
        QCOMPARE(s.rowOrder().size(), size_t(448));
    }

    void storeRateAgainstHandCount() {
        nr::SpikeStore s;
        s.reset(4);
        s.setRateBinWidth(0.1);
        // 10 spikes in [0, 0.1), 2 in [0.1, 0.2).
        std::vector<nr::SpikeEvent> ev;
        for (int i = 0; i < 10; ++i) ev.push_back({0.005 + i * 0.009, uint32_t(i % 4)});
        ev.push_back({0.15, 0});
        ev.push_back({0.16, 1});
        s.append(ev.data(), ev.size());
        const auto hz = s.rateHz();
        QCOMPARE(hz.size(), size_t(2));
        QVERIFY(std::abs(hz[0] - 10.0 / (0.1 * 4)) < 1e-9);
        QVERIFY(std::abs(hz[1] - 2.0 / (0.1 * 4)) < 1e-9);
        QCOMPARE(s.countIn(0.0, 0.1), size_t(10));
        QCOMPARE(s.countIn(0.0, 1.0, 1), size_t(4));
    }

    void storeIsBounded() {
        nr::SpikeStore s(1000);
        s.reset(10);
        std::vector<nr::SpikeEvent> ev(300);
        for (int round = 0; round < 20; ++round) {
            for (size_t i = 0; i < ev.size(); ++i) ev[i] = {round + i * 1e-3, uint32_t(i % 10)};
            s.append(ev.data(), ev.size());
            QVERIFY(s.size() <= 1000);
        }
        QCOMPARE(s.totalAppended(), uint64_t(6000));
        QCOMPARE(s.evicted() + s.size(), size_t(6000));
        // What is kept is the newest.
        QVERIFY(s.times().back() > 19.0);
    }

    void storeKeepsUnitIdsAndLabels() {
        nr::SpikeTrains t;
        t.unitIds = {6, 191, 206};
        t.unitLabels = {"", "", ""};
        t.add(0.5, 2);
        t.add(0.1, 0);
        t.add(0.3, 1);
        nr::SpikeStore s;
        s.assign(t);
        QCOMPARE(s.unitName(0), std::string("6"));
        QCOMPARE(s.unitName(2), std::string("206"));
        QVERIFY(s.ordered());
        QCOMPARE(s.times().front(), 0.1);
        auto range = s.indexRange(0.2, 0.4);
        QCOMPARE(range.second - range.first, size_t(1));
    }

    void rowOrderMustBeAPermutation() {
        nr::SpikeStore s;
        s.reset(4);
        QVERIFY(!s.setRowOrder({0, 0, 1, 2}));
        QVERIFY(s.setRowOrder({3, 2, 1, 0}));
        QCOMPARE(s.rowOrder()[0], 3u);
        const auto rows = nr::SpikeStore::rowsSortedBy({2.0, 1.0, 2.0, 0.0});
        QCOMPARE(rows, (std::vector<uint32_t>{2, 1, 3, 0}));
    }

    void documentNotifiesAndRemovesOwnedLayers() {
        nr::Document doc;
        std::vector<std::pair<nr::Document::Change, nr::LayerId>> seen;
        const int tok = doc.subscribe([&](nr::Document::Change c, nr::LayerId id) {
            seen.push_back({c, id});
        });
        nr::Layer sim;
        sim.kind = nr::LayerKind::Simulation;
        sim.name = "Simulation: coba";
        const nr::LayerId s = doc.add(sim);
        nr::Layer lay;
        lay.kind = nr::LayerKind::Graph;
        lay.name = "coba layout";
        lay.owner = s;
        lay.graph = std::make_shared<nr::Graph>();
        const nr::LayerId g = doc.add(lay);
        QCOMPARE(doc.selected(), g);
        QCOMPARE(doc.current(nr::LayerKind::Graph)->id, g);
        QVERIFY(doc.rename(g, "layout"));
        QVERIFY(!doc.rename(g, ""));
        QCOMPARE(doc.find(g)->name, std::string("layout"));
        QVERIFY(doc.setVisible(g, false));
        QVERIFY(doc.current(nr::LayerKind::Graph) == nullptr);
        QVERIFY(doc.remove(s));
        QCOMPARE(doc.size(), size_t(0)); // the layout went with its simulation
        bool removedG = false;
        for (auto& [c, id] : seen) removedG = removedG || (c == nr::Document::Change::Removed && id == g);
        QVERIFY(removedG);
        doc.unsubscribe(tok);
        const size_t before = seen.size();
        doc.add(nr::Layer{});
        QCOMPARE(seen.size(), before);
    }

    // Every notification about a layer but selection bumps its revision (caches of derived data compare it).
    void layerRevisionCountsChanges() {
        nr::Document doc;
        nr::Layer a;
        a.name = "a";
        const nr::LayerId id = doc.add(a);
        nr::Layer b;
        b.name = "b";
        const nr::LayerId other = doc.add(b);
        const uint64_t r0 = doc.find(id)->revision;
        QVERIFY(doc.select(id));
        QCOMPARE(doc.find(id)->revision, r0);
        QVERIFY(doc.setStateKey(id, "k", nr::JsonValue::number(1)));
        QCOMPARE(doc.find(id)->revision, r0 + 1);
        doc.dataChanged(id);
        QVERIFY(doc.rename(id, "a2"));
        QCOMPARE(doc.find(id)->revision, r0 + 3);
        const uint64_t o = doc.find(other)->revision;
        QVERIFY(doc.setVisible(id, false));
        QCOMPARE(doc.find(id)->revision, r0 + 4);
        QCOMPARE(doc.find(other)->revision, o);
    }

    void registryOpensEveryKnownKind() {
        const auto& reg = nr::ReaderRegistry::builtin();
        auto g = reg.open(data("connectome/herm_full_edgelist.csv"), {data("connectome/celegans_somas.csv")});
        QVERIFY2(g.ok(), g.ok() ? "" : g.error().str().c_str());
        QCOMPARE(g.value().kind, nr::LayerKind::Graph);
        QCOMPARE(g.value().graph->edgeCount(), size_t(7379));
        QCOMPARE(g.value().graph->nodeCount(), size_t(448));

        auto s = reg.open(data("spikes/spikes.csv"));
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().str().c_str());
        QCOMPARE(s.value().kind, nr::LayerKind::Spikes);
        QCOMPARE(s.value().spikes->spikeCount(), size_t(21354));
        QCOMPARE(s.value().spikes->unitIds, (std::vector<int64_t>{6, 191, 206}));

        auto n = reg.open(data("spikes/A8604-211122.nwb"));
        QVERIFY2(n.ok(), n.ok() ? "" : n.error().str().c_str());
        QCOMPARE(n.value().spikes->unitIds, (std::vector<int64_t>{6, 191, 206}));
        QCOMPARE(n.value().spikes->spikeCount(), size_t(21354));
    }

    void registryReadsUnsortedTrialPairs() {
        // The pair `simulate --trials` writes: times relative to each trial, so not sorted per unit.
        QTemporaryDir dir;
        const std::string sp = dir.filePath(QStringLiteral("x_spikes.csv")).toStdString();
        const std::string tr = dir.filePath(QStringLiteral("x_trials.csv")).toStdString();
        std::ofstream(sp) << "unit,trial,time_s\n0,0,0.10\n0,1,0.05\n1,0,0.02\n1,1,0.15\n0,2,0.01\n";
        std::ofstream(tr) << "trial,condition\n0,a\n1,b\n2,a\n";
        auto d = nr::ReaderRegistry::builtin().open(sp);
        QVERIFY2(d.ok(), d.ok() ? "" : d.error().str().c_str());
        QVERIFY(d.value().trials);
        QCOMPARE(d.value().spikes->spikeCount(), size_t(5));
        QCOMPARE(d.value().epochs.size(), size_t(3));
        QCOMPARE(d.value().epochs[1].condition, 1);
        QCOMPARE(d.value().epochs[2].condition, 0);
        // Laid end to end: every spike inside its trial's epoch, in time order.
        const auto& t = d.value().spikes->times;
        QVERIFY(std::is_sorted(t.begin(), t.end()));
        QVERIFY(t.back() >= d.value().epochs[2].start);
    }

    void unreadFileNamesTheFormats() {
        QTemporaryDir dir;
        const std::string f = dir.filePath(QStringLiteral("cells.xyz")).toStdString();
        std::ofstream(f) << "hello world\n"; // (an SWC line would be read as SWC by its content)
        auto d = nr::ReaderRegistry::builtin().open(f);
        QVERIFY(!d.ok());
        QCOMPARE(d.error().file, f);
        QVERIFY2(d.error().reason.find("readable formats") != std::string::npos, d.error().reason.c_str());
        QVERIFY(d.error().reason.find("GraphML") != std::string::npos);
        QVERIFY(d.error().reason.find("NWB") != std::string::npos);
        const std::string filters = nr::ReaderRegistry::builtin().dialogFilters();
        QVERIFY(filters.find("*.nwb") != std::string::npos);
        QVERIFY(filters.find("*.graphml") != std::string::npos);
        QVERIFY(filters.rfind("All files (*)") != std::string::npos);
    }

    void graphAdjacencyIsThreadSafe() {
        auto g = nr::ReaderRegistry::builtin().open(data("connectome/herm_full_edgelist.csv"));
        QVERIFY(g.ok());
        const nr::Graph& gr = *g.value().graph;
        size_t a = 0, b = 0;
        std::thread t1([&] { a = gr.out().idx.size(); });
        std::thread t2([&] { b = gr.in().idx.size() + 0 * gr.out().idx.size(); });
        t1.join();
        t2.join();
        QCOMPARE(a, size_t(7379));
        QCOMPARE(b, size_t(7379));
    }
};

QTEST_GUILESS_MAIN(TestDocument)
#include "test_document.moc"
