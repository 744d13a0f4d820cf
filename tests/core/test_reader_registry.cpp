// The reader registry picks readers by content first: a file is read by what it holds whatever it is called,
// the extension alone never beats content, and a file nobody claims gets a message listing the formats.
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <fstream>

#include "formats/Open.h"
#include "io/Npy.h"
#include "io/ReaderRegistry.h"

namespace {

const nr::FormatReader* claim(const std::string& path) {
    return nr::ReaderRegistry::builtin().find(path);
}

std::string readerName(const std::string& path) {
    const nr::FormatReader* r = claim(path);
    return r ? r->name : std::string("(none)");
}

} // namespace

class TestReaderRegistry : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;

    std::string write(const std::string& name, const std::string& bytes) {
        const std::string p = tmp_.filePath(QString::fromStdString(name)).toStdString();
        std::ofstream(p, std::ios::binary) << bytes;
        return p;
    }

    // Opens `p` with the built-in registry; fails the test with the reader's message when it cannot.
    nr::Dataset mustOpen(const std::string& p) {
        auto d = nr::ReaderRegistry::builtin().open(p);
        if (!d.ok()) qFatal("%s", d.error().str().c_str());
        return std::move(d).value();
    }

private slots:
    void initTestCase() { QVERIFY(tmp_.isValid()); }

    void headerlessEdgelistWithWeights() {
        // What networkx's write_edgelist(data=["weight"]) writes, and how graspologic ships its DTI graphs.
        const std::string p = write("mouse.edgelist", "0 1 2.5\n1 2 1\n2 0 4\n0 2 0.5\n");
        QCOMPARE(readerName(p), std::string("Edge list or node table"));
        nr::Dataset d = mustOpen(p);
        QCOMPARE(d.kind, nr::LayerKind::Graph);
        QVERIFY(d.graph);
        QCOMPARE(d.graph->nodeCount(), size_t(3));
        QCOMPARE(d.graph->edgeCount(), size_t(4));
        QCOMPARE(d.graph->weight, (std::vector<float>{2.5f, 1.f, 4.f, 0.5f}));
        QCOMPARE(d.graph->names, (std::vector<std::string>{"0", "1", "2"}));
        QCOMPARE(d.files, std::vector<std::string>{p});
    }

    void txtEdgeListWithComments() {
        const std::string p = write("pairs.txt", "# made by hand\n1\t2\n2\t3\n3\t1\n");
        QCOMPARE(readerName(p), std::string("Edge list or node table"));
        auto g = nr::openGraph(p);
        QVERIFY2(g.ok(), g.ok() ? "" : g.error().str().c_str());
        QCOMPARE(g.value().nodeCount(), size_t(3));
        QCOMPARE(g.value().edgeCount(), size_t(3));
        QCOMPARE(g.value().weight, (std::vector<float>{1.f, 1.f, 1.f}));
        // openGraph leaves positions the file does not give unset (no layout).
        QVERIFY(!g.value().hasPositions() || std::isnan(g.value().x[0]));
    }

    void csvNamedDatIsAGraph() {
        // .dat is also the Secomb network extension; the content says edge list.
        const std::string p = write("wiring.dat", "source,target,weight\nAVAL,AVAR,2\nAVAR,PVCL,3\n");
        QCOMPARE(readerName(p), std::string("Edge list or node table"));
        nr::Dataset d = mustOpen(p);
        QCOMPARE(d.kind, nr::LayerKind::Graph);
        QCOMPARE(d.graph->edgeCount(), size_t(2));
        QCOMPARE(d.graph->names, (std::vector<std::string>{"AVAL", "AVAR", "PVCL"}));
        QCOMPARE(d.graph->weight, (std::vector<float>{2.f, 3.f}));
    }

    void misleadingExtensionsAreReadByContent() {
        // GraphML named .csv.
        const std::string xml =
            write("really_graphml.csv", "<?xml version='1.0'?>\n<graphml><graph edgedefault='directed'>"
                                        "<node id='a'/><node id='b'/><edge source='a' "
                                        "target='b'/></graph></graphml>\n");
        QCOMPARE(readerName(xml), std::string("GraphML"));
        QCOMPARE(mustOpen(xml).graph->edgeCount(), size_t(1));
        // GML named .txt.
        const std::string gml = write(
            "really_gml.txt", "graph [\n node [ id 1 ]\n node [ id 2 ]\n edge [ source 1 target 2 ]\n]\n");
        QCOMPARE(readerName(gml), std::string("GML"));
        QCOMPARE(mustOpen(gml).graph->nodeCount(), size_t(2));
        // A spike table named .dat.
        const std::string sp = write("spikes.dat", "unit,time_s\n1,0.5\n2,0.25\n1,0.75\n");
        QCOMPARE(readerName(sp), std::string("Spike table"));
        nr::Dataset s = mustOpen(sp);
        QCOMPARE(s.kind, nr::LayerKind::Spikes);
        QCOMPARE(s.spikes->spikeCount(), size_t(3));
        // An NPY spike array named .bin.
        std::string npy = nr::npy::float64Header(2, 2);
        const double v[4] = {3, 0.1, 4, 0.2};
        npy.append(reinterpret_cast<const char*>(v), sizeof v);
        const std::string np = write("spikes.bin", npy);
        QCOMPARE(readerName(np), std::string("Spike array (NPY)"));
        QCOMPARE(mustOpen(np).spikes->unitCount(), size_t(2));
        // An edge list named .graphml: its extension names GraphML but the content is text.
        const std::string el = write("list.graphml", "source,target\nA,B\n");
        QCOMPARE(readerName(el), std::string("Edge list or node table"));
        QCOMPARE(mustOpen(el).graph->edgeCount(), size_t(1));
    }

    void extensionAloneNeverBeatsContent() {
        // Two readers: one takes the extension (score 1), the other recognises the content (score 2). The
        // content reader wins whatever the registration order; on equal scores the earlier one wins.
        auto reader = [](const std::string& name, const std::string& ext, int score) {
            nr::FormatReader r;
            r.name = name;
            r.extensions = {ext};
            r.sniff = [score](const std::string&, const std::string&) { return score; };
            r.read = [](const std::string&, const std::vector<std::string>&,
                        const nr::OpenOptions&) -> nr::Result<nr::Dataset> { return nr::Dataset{}; };
            return r;
        };
        const std::string p = write("x.foo", "content\n");
        for (bool extFirst : {true, false}) {
            nr::ReaderRegistry reg;
            if (extFirst) reg.add(reader("by extension", "foo", 1));
            reg.add(reader("by content", "bar", 2));
            if (!extFirst) reg.add(reader("by extension", "foo", 1));
            QVERIFY(reg.find(p));
            QCOMPARE(reg.find(p)->name, std::string("by content"));
        }
        nr::ReaderRegistry tie;
        tie.add(reader("first", "foo", 2));
        tie.add(reader("second", "foo", 2));
        QCOMPARE(tie.find(p)->name, std::string("first"));
        // openAs looks only at readers of the kind asked for.
        nr::ReaderRegistry kinds;
        nr::FormatReader spikes = reader("spikes", "foo", 3);
        spikes.kind = nr::LayerKind::Spikes;
        kinds.add(spikes);
        kinds.add(reader("graph", "foo", 1));
        QCOMPARE(kinds.find(p)->name, std::string("spikes"));
        QCOMPARE(kinds.find(p, nr::LayerKind::Graph)->name, std::string("graph"));
        QVERIFY(kinds.openAs(nr::LayerKind::Graph, p).ok());
        auto none = kinds.openAs(nr::LayerKind::Traces, p);
        QVERIFY(!none.ok());
        QVERIFY2(none.error().reason.find("read as traces") != std::string::npos, none.error().str().c_str());
    }

    void builtinContentScoresBeatExtension() {
        // Each reader recognising its content scores 2 or 3, so a reader that takes the extension alone (1)
        // never wins against it.
        const nr::ReaderRegistry& reg = nr::ReaderRegistry::builtin();
        struct Case {
            std::string file, bytes, reader;
        };
        const std::vector<Case> cases = {
            {"a.edgelist", "0 1\n1 2\n", "Edge list or node table"},
            {"b.csv", "source,target\nA,B\n", "Edge list or node table"},
            {"c.graphml", "<graphml></graphml>\n", "GraphML"},
            {"d.gml", "graph [ ]\n", "GML"},
            {"e.csv", "unit,time_s\n1,0.5\n", "Spike table"},
            {"f.swc", "1 1 0 0 0 1 -1\n2 3 1 0 0 1 1\n", "SWC morphology"},
        };
        for (const Case& c : cases) {
            const std::string p = write(c.file, c.bytes);
            const std::string head = nr::readHead(p);
            for (const auto& r : reg.readers())
                if (r.name == c.reader) {
                    const int s = r.sniff(p, head);
                    QVERIFY2(s >= 2, (c.file + ": " + r.name + " scored " + std::to_string(s)).c_str());
                }
            QCOMPARE(readerName(p), c.reader);
        }
    }

    void unclaimedFileListsFormats() {
        const std::string p = write("notes.qqq", "\x01\x02 nothing anyone reads\n");
        auto d = nr::ReaderRegistry::builtin().open(p);
        QVERIFY(!d.ok());
        QCOMPARE(d.error().file, p);
        QVERIFY2(d.error().reason.find("not a format Neurorama reads") != std::string::npos,
                 d.error().str().c_str());
        QVERIFY2(d.error().reason.find("readable formats:") != std::string::npos, d.error().str().c_str());
        QVERIFY2(d.error().reason.find("Edge list or node table") != std::string::npos,
                 d.error().str().c_str());
        QVERIFY2(d.error().reason.find("GraphML") != std::string::npos, d.error().str().c_str());
        // A .edgelist file that is not an edge list: the edge-list reader says why it declined.
        const std::string e = write("bad.edgelist", "hello world again\nfoo bar baz qux\n");
        auto b = nr::ReaderRegistry::builtin().open(e);
        QVERIFY(!b.ok());
        QVERIFY2(b.error().reason.find("Edge list or node table: no source/target") != std::string::npos,
                 b.error().str().c_str());
    }

    void typedOpenRefusesTheWrongKind() {
        const std::string p = write("only_spikes.csv", "unit,time_s\n1,0.5\n");
        auto g = nr::openGraph(p);
        QVERIFY(!g.ok());
        QCOMPARE(g.error().file, p);
        QVERIFY2(g.error().reason.find("read as graph") != std::string::npos, g.error().str().c_str());
        auto s = nr::openSpikes(p);
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().str().c_str());
        QCOMPARE(s.value().spikeCount(), size_t(1));
    }
};

QTEST_GUILESS_MAIN(TestReaderRegistry)
#include "test_reader_registry.moc"
