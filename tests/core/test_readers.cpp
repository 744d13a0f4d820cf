// Graph readers against the real connectome and vessel files, and small generated GraphML / GML / CSV files.
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>

#include "formats/Open.h"
#include "io/GraphIO.h"

namespace {

const std::string kData = NR_SHARED_DATA;
const std::string kHerm = kData + "/connectome/herm_full_edgelist.csv";
const std::string kWhite = kData + "/connectome/aconnectome_white_1986_whole.csv";
const std::string kSomas = kData + "/connectome/celegans_somas.csv";
const std::string kVesselEdges = kData + "/vessel/example_edges.csv";
const std::string kVesselNodes = kData + "/vessel/example_nodes.csv";

struct TypeStats {
    size_t edges = 0;
    double weight = 0;
    size_t selfLoops = 0;
};

std::map<std::string, TypeStats> typeStats(const nr::Graph& g) {
    std::map<std::string, TypeStats> m;
    for (size_t e = 0; e < g.edgeCount(); ++e) {
        auto& s = m[g.edgeTypes.at(g.type[e])];
        ++s.edges;
        s.weight += g.weight[e];
        s.selfLoops += g.src[e] == g.dst[e];
    }
    return m;
}

nr::Graph load(const std::string& path) {
    auto r = nr::openGraph(path);
    if (!r.ok()) qFatal("%s", r.error().str().c_str());
    return std::move(r).value();
}

bool trimmed(const std::string& s) {
    return !s.empty() && s.front() != ' ' && s.back() != ' ';
}

} // namespace

class TestReaders : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    std::string write(const std::string& name, const std::string& text) {
        const std::string p = tmp_.filePath(QString::fromStdString(name)).toStdString();
        std::ofstream(p, std::ios::binary) << text;
        return p;
    }

private slots:
    void hermFullEdgeList() {
        const nr::Graph g = load(kHerm);
        QCOMPARE(g.edgeCount(), size_t(7379));
        QCOMPARE(g.nodeCount(), size_t(448));
        auto st = typeStats(g);
        QCOMPARE(st.size(), size_t(2));
        QCOMPARE(st["chemical"].edges, size_t(4681));
        QCOMPARE(st["chemical"].weight, 27019.0);
        QCOMPARE(st["electrical"].edges, size_t(2698));
        QCOMPARE(st["electrical"].weight, 12683.0);
        QCOMPARE(st["chemical"].selfLoops, size_t(34));
        QCOMPARE(st["electrical"].selfLoops, size_t(14));
        for (auto& n : g.names) QVERIFY2(trimmed(n), n.c_str());
        // Zero-padded motor neuron names as written in this file.
        QVERIFY(g.findNode("AS01") >= 0);
        QVERIFY(g.findNode("VD13") >= 0);
        QCOMPARE(g.findNode("AS1"), -1L);
        QVERIFY(g.findNode("dBWML1") >= 0);
        QVERIFY(g.findNode("CANL") < 0);
        const auto [lo, hi] = std::minmax_element(g.weight.begin(), g.weight.end());
        QCOMPARE(*lo, 1.f);
        QCOMPARE(*hi, 142.f);
        QVERIFY(!g.hasPositions());
    }

    void white1986TabSeparated() {
        const nr::Graph g = load(kWhite);
        QCOMPARE(g.edgeCount(), size_t(2961));
        QCOMPARE(g.nodeCount(), size_t(309));
        auto st = typeStats(g);
        QCOMPARE(st["chemical"].edges, size_t(2386));
        QCOMPARE(st["chemical"].weight, 7943.0);
        QCOMPARE(st["electrical"].edges, size_t(575));
        QCOMPARE(st["electrical"].weight, 971.0);
        QCOMPARE(st["chemical"].weight + st["electrical"].weight, 8914.0);
        QCOMPARE(st["chemical"].selfLoops, size_t(0));
        QCOMPARE(st["electrical"].selfLoops, size_t(6));
        QVERIFY(g.findNode("AS1") >= 0);
        QVERIFY(g.findNode("LegacyBodyWallMuscles") >= 0);
        for (auto& n : g.names) QVERIFY2(trimmed(n), n.c_str());
    }

    void vesselEdgesAsGraph() {
        const nr::Graph g = load(kVesselEdges);
        QCOMPARE(g.edgeCount(), size_t(3062));
        QCOMPARE(g.nodeCount(), size_t(2970));
        QCOMPARE(g.edgeTypes, std::vector<std::string>{"edge"});
        size_t loops = 0;
        for (size_t e = 0; e < g.edgeCount(); ++e) loops += g.src[e] == g.dst[e];
        QCOMPARE(loops, size_t(13));
        QVERIFY(std::all_of(g.weight.begin(), g.weight.end(), [](float w) { return w == 1.f; }));
        // Numeric ids are names: the first edge is 1421 -> 33.
        QCOMPARE(g.names[g.src[0]], std::string("1421"));
        QCOMPARE(g.names[g.dst[0]], std::string("33"));
    }

    void vesselNodeTableJoin() {
        nr::Graph g = load(kVesselEdges);
        auto j = nr::readNodeTable(kVesselNodes, g);
        QVERIFY2(j.ok(), j.ok() ? "" : j.error().str().c_str());
        QCOMPARE(j.value().keyColumn, std::string("id"));
        QCOMPARE(j.value().matched, size_t(2970));
        QVERIFY(j.value().tableOnly.empty());
        QVERIFY(j.value().graphOnly.empty());
        QVERIFY(g.hasPositions());
        const auto b = g.bounds();
        QCOMPARE(b[0], -315.f);
        QCOMPARE(b[1], -297.f);
        QCOMPARE(b[2], 0.f);
        QCOMPARE(b[3], -6.f);
        QCOMPARE(b[4], -27.f);
        QCOMPARE(b[5], 591.f);
        QVERIFY(g.nodeNumeric.count("degree"));
        QVERIFY(g.nodeNumeric.count("isAtSampleBorder"));
        const auto& border = g.nodeNumeric.at("isAtSampleBorder");
        QCOMPARE(std::count(border.begin(), border.end(), 1.f), 19L);
        // Node 0 is at (-138, -39, 0).
        const long n0 = g.findNode("0");
        QVERIFY(n0 >= 0);
        QCOMPARE(g.x[size_t(n0)], -138.f);
        QCOMPARE(g.y[size_t(n0)], -39.f);
        QCOMPARE(g.z[size_t(n0)], 0.f);
    }

    void somasJoinHermUsesPaddedNames() {
        nr::Graph g = load(kHerm);
        auto j = nr::readNodeTable(kSomas, g);
        QVERIFY2(j.ok(), j.ok() ? "" : j.error().str().c_str());
        const nr::JoinReport& r = j.value();
        QCOMPARE(r.keyColumn, std::string("name_padded"));
        QCOMPARE(r.matched, size_t(300));
        std::set<std::string> tableOnly(r.tableOnly.begin(), r.tableOnly.end());
        QCOMPARE(tableOnly, (std::set<std::string>{"CANL", "CANR", "MDL08"}));
        QCOMPARE(r.graphOnly.size(), size_t(148));
        QVERIFY(std::count(r.graphOnly.begin(), r.graphOnly.end(), "hyp") == 1);
        QVERIFY(std::count(r.graphOnly.begin(), r.graphOnly.end(), "dBWML1") == 1);
        QCOMPARE(g.nodeCount(), size_t(448)); // table-only rows are not added
        const size_t adal = size_t(g.findNode("ADAL"));
        QCOMPARE(g.x[adal], 8.65f);
        QCOMPARE(g.y[adal], -239.25f);
        QCOMPARE(g.z[adal], 31.05f);
        QCOMPARE(g.nodeClass[adal], std::string("Interneuron"));
        const size_t as01 = size_t(g.findNode("AS01"));
        QCOMPARE(g.nodeClass[as01], std::string("Motor Neuron"));
        QVERIFY(std::isfinite(g.x[as01]));
        // The unpadded spelling becomes a text column; soma diameter a numeric one.
        QCOMPARE(g.nodeText.at("name")[as01], std::string("AS1"));
        QVERIFY(g.nodeNumeric.count("soma_diam"));
        QVERIFY(g.nodeText.count("neurotransmitter"));
        QVERIFY(g.nodeNumeric.at("soma_diam")[adal] > 2.f);
        const size_t hyp = size_t(g.findNode("hyp"));
        QVERIFY(std::isnan(g.x[hyp]));
        QCOMPARE(g.nodeClass[hyp], std::string());
        size_t placed = 0;
        for (size_t i = 0; i < g.nodeCount(); ++i) placed += std::isfinite(g.x[i]);
        QCOMPARE(placed, size_t(300));
    }

    void somasJoinWhiteUsesNames() {
        nr::Graph g = load(kWhite);
        auto j = nr::readNodeTable(kSomas, g);
        QVERIFY2(j.ok(), j.ok() ? "" : j.error().str().c_str());
        const nr::JoinReport& r = j.value();
        QCOMPARE(r.keyColumn, std::string("name"));
        QCOMPARE(r.matched, size_t(300));
        std::set<std::string> graphOnly(r.graphOnly.begin(), r.graphOnly.end());
        QCOMPARE(graphOnly, (std::set<std::string>{"GLRDL", "GLRDR", "GLRL", "GLRR", "GLRVL", "GLRVR",
                                                   "LegacyBodyWallMuscles", "pm1", "pm4"}));
        std::set<std::string> tableOnly(r.tableOnly.begin(), r.tableOnly.end());
        QCOMPARE(tableOnly, (std::set<std::string>{"CANL", "CANR", "MDL08"}));
        const size_t as1 = size_t(g.findNode("AS1"));
        QCOMPARE(g.nodeText.at("name_padded")[as1], std::string("AS01"));
        // Bounding box of the placed neurons as the data README gives it.
        float lo[3] = {1e9f, 1e9f, 1e9f}, hi[3] = {-1e9f, -1e9f, -1e9f};
        for (size_t i = 0; i < g.nodeCount(); ++i) {
            if (!std::isfinite(g.x[i])) continue;
            const float p[3] = {g.x[i], g.y[i], g.z[i]};
            for (int a = 0; a < 3; ++a) {
                lo[a] = std::min(lo[a], p[a]);
                hi[a] = std::max(hi[a], p[a]);
            }
        }
        QCOMPARE(lo[0], -27.35f);
        QCOMPARE(hi[0], 25.75f);
        QCOMPARE(lo[1], -311.65f);
        QCOMPARE(hi[1], 410.15f);
        QCOMPARE(lo[2], -66.75f);
    }

    void dispatchAndNodeTableDetection() {
        QVERIFY(nr::looksLikeNodeTable(kSomas));
        QVERIFY(nr::looksLikeNodeTable(kVesselNodes));
        QVERIFY(!nr::looksLikeNodeTable(kVesselEdges));
        QVERIFY(!nr::looksLikeNodeTable(kHerm));
        QVERIFY(!nr::looksLikeNodeTable(kWhite));
        // A node table read on its own is a graph of its nodes.
        const nr::Graph g = load(kSomas);
        QCOMPARE(g.nodeCount(), size_t(303));
        QCOMPARE(g.edgeCount(), size_t(0));
        QVERIFY(g.hasPositions());
        QVERIFY(g.findNode("MDL08") >= 0);
        QCOMPARE(g.nodeClass[size_t(g.findNode("MDL08"))], std::string("Body Wall Muscle"));
        // GraphML content in a file without the extension is recognised.
        const std::string p =
            write("noext_graph", "<?xml version=\"1.0\"?>\n<graphml><graph edgedefault=\"directed\">"
                                 "<node id=\"a\"/><node id=\"b\"/><edge source=\"a\" target=\"b\"/>"
                                 "</graph></graphml>\n");
        const nr::Graph x = load(p);
        QCOMPARE(x.nodeCount(), size_t(2));
        QCOMPARE(x.edgeCount(), size_t(1));
        // GML content in a .txt file; an edge list whose header has brackets stays an edge list.
        const nr::Graph gml = load(write("net.txt", "\n# exported\ngraph\n[\n node [ id 1 ]\n node [ id 2 ]\n"
                                                    " edge [ source 2 target 1 ]\n]\n"));
        QCOMPARE(gml.nodeCount(), size_t(2));
        QCOMPARE(gml.names[gml.src[0]], std::string("2"));
        const nr::Graph brackets = load(write("br.csv", "pre,post,weight [nS]\nA,B,1\n"));
        QCOMPARE(brackets.edgeCount(), size_t(1));
        QCOMPARE(brackets.weight[0], 1.f);
    }

    void edgeListVariants() {
        // Quoted names with delimiters inside, alternative header names, type column.
        auto r = nr::readEdgeList(
            write("q.csv", "From,To,Synapses,Kind\n\"A, left\",B,2,gap\n B ,\"C \"\"x\"\"\",3.5,gap\n"
                           "C \"x\",A, left,1,chem\n"));
        // The last line has an unquoted comma: 5 fields, refused.
        QVERIFY(!r.ok());
        QCOMPARE(r.error().line, 4L);
        r = nr::readEdgeList(
            write("q2.csv", "From,To,Synapses,Kind\n\"A, left\",B,2,gap\n B ,\"C \"\"x\"\"\",3.5,gap\n"));
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
        const nr::Graph& g = r.value();
        QCOMPARE(g.nodeCount(), size_t(3));
        QCOMPARE(g.names[0], std::string("A, left"));
        QCOMPARE(g.names[1], std::string("B"));
        QCOMPARE(g.names[2], std::string("C \"x\""));
        QCOMPARE(g.weight[1], 3.5f);
        QCOMPARE(g.edgeTypes, std::vector<std::string>{"gap"});

        // Whitespace-separated without a header: numeric ids and weights.
        r = nr::readEdgeList(write("ws.txt", "# comment\n1 2 0.5\n2\t3   1.5\n\n3 1 2\n"));
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
        QCOMPARE(r.value().edgeCount(), size_t(3));
        QCOMPARE(r.value().nodeCount(), size_t(3));
        QCOMPARE(r.value().weight[0], 0.5f);
        QCOMPARE(r.value().weight[1], 1.5f);
        QCOMPARE(r.value().names[r.value().src[2]], std::string("3"));

        // Semicolons, i/j/w header, negative (inhibitory) weight kept.
        r = nr::readEdgeList(write("semi.csv", "i;j;w\nx;y;-2.5\ny;x;+1e2\n"));
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
        QCOMPARE(r.value().weight[0], -2.5f);
        QCOMPARE(r.value().weight[1], 100.f);
    }

    void graphMLAttributes() {
        const std::string p = write(
            "g.graphml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<!-- a comment with <tags> inside -->\n"
            "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n"
            "  <key id=\"d0\" for=\"node\" attr.name=\"x\" attr.type=\"double\"/>\n"
            "  <key id=\"d1\" for=\"node\" attr.name=\"y\" attr.type=\"double\"/>\n"
            "  <key id=\"d2\" for=\"node\" attr.name=\"z\" attr.type=\"double\"/>\n"
            "  <key id=\"d3\" for=\"node\" attr.name=\"cell_type\" attr.type=\"string\"/>\n"
            "  <key id=\"d4\" for=\"node\" attr.name=\"label\" attr.type=\"string\"/>\n"
            "  <key id=\"d5\" for=\"node\" attr.name=\"age\" attr.type=\"int\"><default>7</default></key>\n"
            "  <key id=\"d6\" for=\"node\" attr.name=\"motor\" attr.type=\"boolean\"/>\n"
            "  <key id=\"d7\" for=\"node\" attr.name=\"note\" attr.type=\"string\"/>\n"
            "  <key id=\"w\" for=\"edge\" attr.name=\"weight\" "
            "attr.type=\"double\"><default>1.5</default></key>\n"
            "  <key id=\"t\" for=\"edge\" attr.name=\"synapse_type\" attr.type=\"string\"/>\n"
            "  <graph id=\"G\" edgedefault=\"undirected\">\n"
            "    <node id=\"n0\"><data key=\"d0\">1</data><data key=\"d1\">2</data><data "
            "key=\"d2\">3</data>\n"
            "      <data key=\"d3\">Interneuron</data><data key=\"d4\">AVAL &amp; co</data><data "
            "key=\"d6\">true</data>\n"
            "      <data key=\"d7\">first</data></node>\n"
            "    <node id=\"n1\"><data key=\"d0\">-1.5</data><data key=\"d1\">0</data><data "
            "key=\"d2\">4e1</data>\n"
            "      <data key=\"d4\">AVAR</data><data key=\"d5\">3</data><data "
            "key=\"d6\">false</data></node>\n"
            "    <node id=\"n2\">\n"
            "      <data key=\"d0\">0</data><data key=\"d1\">0</data><data key=\"d2\">0</data><data "
            "key=\"d4\">&lt;PVC&gt;</data>\n"
            "    </node>\n"
            "    <edge source=\"n0\" target=\"n1\"><data key=\"w\">2.5</data><data "
            "key=\"t\">chemical</data></edge>\n"
            "    <edge source=\"n1\" target=\"n2\"><data key=\"t\">electrical</data></edge>\n"
            "    <edge source=\"n2\" target=\"n2\"/>\n"
            "  </graph>\n"
            "</graphml>\n");
        auto r = nr::readGraphML(p);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
        const nr::Graph& g = r.value();
        QCOMPARE(g.nodeCount(), size_t(3));
        QCOMPARE(g.names, (std::vector<std::string>{"AVAL & co", "AVAR", "<PVC>"}));
        QCOMPARE(g.x, (std::vector<float>{1.f, -1.5f, 0.f}));
        QCOMPARE(g.z, (std::vector<float>{3.f, 40.f, 0.f}));
        QCOMPARE(g.nodeClass, (std::vector<std::string>{"Interneuron", "", ""}));
        QCOMPARE(g.nodeNumeric.at("age"), (std::vector<float>{7.f, 3.f, 7.f}));
        QCOMPARE(g.nodeNumeric.at("motor")[0], 1.f);
        QCOMPARE(g.nodeNumeric.at("motor")[1], 0.f);
        QCOMPARE(g.nodeText.at("note")[0], std::string("first"));
        QCOMPARE(g.edgeCount(), size_t(3));
        QCOMPARE(g.weight, (std::vector<float>{2.5f, 1.5f, 1.5f}));
        QCOMPARE(g.edgeTypes[g.type[0]], std::string("chemical"));
        QCOMPARE(g.edgeTypes[g.type[1]], std::string("electrical"));
        QCOMPARE(g.edgeTypes[g.type[2]], std::string("edge"));
        QCOMPARE(g.src[2], g.dst[2]);
    }

    void graphMLEdgesBeforeNodesAndIdNames() {
        // Edges may precede the nodes they use; ids are names when labels are missing or repeated.
        const std::string p =
            write("ids.graphml", "<graphml><key id='l' for='node' attr.name='name'/>"
                                 "<graph edgedefault='directed'><edge source='b' target='a'/>"
                                 "<node id='a'><data key='l'>same</data></node>"
                                 "<node id='b'><data key='l'>same</data></node></graph></graphml>");
        auto r = nr::openGraph(p);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
        QCOMPARE(r.value().names, (std::vector<std::string>{"a", "b"}));
        QCOMPARE(r.value().src[0], 1u);
        QCOMPARE(r.value().nodeText.at("label")[1], std::string("same"));
    }

    void gmlGraph() {
        const std::string p = write("g.gml", "Creator \"test\"\n"
                                             "# a comment line\n"
                                             "graph [\n"
                                             "  directed 1\n"
                                             "  node [ id 1 label \"AVAL\" graphics [ x 1.5 y -2 z 3 ] class "
                                             "\"Interneuron\" soma 2.5 nt \"ACh\" ]\n"
                                             "  node [ id 2 label \"AVAR\" x 4 y 5 z 6 soma 3 ]\n"
                                             "  node [ id 3 label \"PVCL\" x 0 y 0 z 0 nt \"GABA\" ]\n"
                                             "  edge [ source 1 target 2 weight 3 type \"chemical\" ]\n"
                                             "  edge [ source 2 target 3 value 0.5 ]\n"
                                             "  edge [ source 3 target 3 ]\n"
                                             "]\n");
        auto r = nr::openGraph(p);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
        const nr::Graph& g = r.value();
        QCOMPARE(g.names, (std::vector<std::string>{"AVAL", "AVAR", "PVCL"}));
        QCOMPARE(g.x, (std::vector<float>{1.5f, 4.f, 0.f}));
        QCOMPARE(g.y, (std::vector<float>{-2.f, 5.f, 0.f}));
        QCOMPARE(g.nodeClass[0], std::string("Interneuron"));
        QCOMPARE(g.nodeNumeric.at("soma")[1], 3.f);
        QVERIFY(std::isnan(g.nodeNumeric.at("soma")[2]));
        QCOMPARE(g.nodeText.at("nt")[2], std::string("GABA"));
        QCOMPARE(g.edgeCount(), size_t(3));
        QCOMPARE(g.weight, (std::vector<float>{3.f, 0.5f, 1.f}));
        QCOMPARE(g.edgeTypes[g.type[0]], std::string("chemical"));
        QCOMPARE(g.edgeTypes[g.type[1]], std::string("edge"));
        QCOMPARE(g.src[1], 1u);
        QCOMPARE(g.dst[1], 2u);
    }

    void progressAndCancel() {
        std::string text = "source,target,weight\n";
        for (int i = 0; i < 200000; ++i)
            text += "n" + std::to_string(i % 5000) + ",n" + std::to_string((i * 7 + 3) % 5000) + "," +
                    std::to_string(i % 9 + 1) + "\n";
        const std::string p = write("big.csv", text);
        double last = -1;
        int calls = 0;
        bool monotone = true;
        nr::ReadOptions opt;
        opt.progress = [&](double f) {
            monotone = monotone && f >= last && f <= 1.0;
            last = f;
            ++calls;
            return true;
        };
        QElapsedTimer t;
        t.start();
        auto r = nr::readEdgeList(p, opt);
        qInfo("200000 edges read in %lld ms", (long long)t.elapsed());
        QVERIFY(r.ok());
        QCOMPARE(r.value().edgeCount(), size_t(200000));
        QCOMPARE(r.value().nodeCount(), size_t(5000));
        QVERIFY(calls >= 3);
        QVERIFY(monotone);
        QCOMPARE(last, 1.0);
        double sum = 0;
        for (float w : r.value().weight) sum += w;
        double want = 0;
        for (int i = 0; i < 200000; ++i) want += i % 9 + 1;
        QCOMPARE(sum, want);

        opt.progress = [](double) { return false; };
        auto c = nr::readEdgeList(p, opt);
        QVERIFY(!c.ok());
        QCOMPARE(c.error().reason, std::string("cancelled"));
        QCOMPARE(c.error().file, p);
        nr::OpenOptions oo;
        oo.progress = [](double, const std::string&) { return false; };
        auto cg = nr::openGraph(p, oo);
        QVERIFY(!cg.ok());
        QCOMPARE(cg.error().reason, std::string("cancelled"));
    }
};

QTEST_GUILESS_MAIN(TestReaders)
#include "test_readers.moc"
