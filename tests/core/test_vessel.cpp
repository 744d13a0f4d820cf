// Vessel graphs: readers on the real VesselGraph sample (CSV pair and legacy VTK), network.dat fixtures with
// each quirk of files in the field, malformed input (file, line, reason), statistics against hand-computed
// values and the parallel parser against the serial one.
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <fstream>
#include <functional>
#include <sstream>

#include "io/ReaderRegistry.h"
#include "vessel/VesselFormats.h"
#include "vessel/VesselGraph.h"

namespace {
const std::string kDir = std::string(NR_SHARED_DATA) + "/vessel/";
const std::string kNodes = kDir + "example_nodes.csv";
const std::string kEdges = kDir + "example_edges.csv";
const std::string kVtk = kDir + "example_graph.vtk";

// A small network.dat: node names are not contiguous, two flows are negative, node 300 lies above the
// 100 um box and node 500 below it.
const char* kNetwork = "Test network for the reader\n"
                       "100 100 100 box dimensions in microns\n"
                       "10 10 10 number of tissue points in x,y,z directions\n"
                       "20 outer bound distance\n"
                       "5.0 max. segment length\n"
                       "30 maximum number of segments per node\n"
                       "4 total number of segments\n"
                       "name type from to diam flow[nl/min] hd\n"
                       "10 5 100 200 8.0 1.5 0.45\n"
                       "11 5 200 300 6.0 -0.5 0.40\n"
                       "12 4 200 400 5.0 1.0 0.40\n"
                       "13 3 400 500 4.0 -2.0 0.45\n"
                       "5 number of nodes\n"
                       "name x y z\n"
                       "100 0 0 0\n"
                       "200 30 40 0\n"
                       "300 30 40 120\n"
                       "400 -10 40 0\n"
                       "500 -10 40 -5\n"
                       "3 number of boundary nodes\n"
                       "name bctyp presflo HD PO2\n"
                       "100 0 80.0 0.45 100\n"
                       "300 0 20.0 0.45 50\n"
                       "500 2 -1.0 0.45 40\n";

std::vector<std::string> splitLines(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string l;
    while (std::getline(ss, l)) out.push_back(l);
    return out;
}
std::string joinLines(const std::vector<std::string>& v, const std::string& eol = "\n") {
    std::string s;
    for (const auto& l : v) s += l + eol;
    return s;
}
std::string replaceAll(std::string s, const std::string& a, const std::string& b) {
    for (size_t at = s.find(a); at != std::string::npos; at = s.find(a, at + b.size()))
        s.replace(at, a.size(), b);
    return s;
}
} // namespace

class TestVessel : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    std::string write(const std::string& name, const std::string& text) {
        const std::string p = tmp_.filePath(QString::fromStdString(name)).toStdString();
        std::ofstream(p, std::ios::binary) << text;
        return p;
    }
    template <class T>
    void expectError(const nr::Result<T>& r, const std::string& file, long line,
                     const std::string& reasonPart) {
        QVERIFY2(!r.ok(), ("accepted bad input " + file).c_str());
        const nr::Error& e = r.error();
        QVERIFY2(e.file == file, (e.str() + " names the wrong file, expected " + file).c_str());
        QVERIFY2(e.line == line, (e.str() + ": expected line " + std::to_string(line)).c_str());
        QVERIFY2(e.reason.find(reasonPart) != std::string::npos, (e.str() + " lacks: " + reasonPart).c_str());
    }
    // Checks the graph of kNetwork, however it was written.
    void checkNetwork(const nr::VesselGraph& g) {
        QCOMPARE(g.nodeCount(), size_t(5));
        QCOMPARE(g.edgeCount(), size_t(4));
        QCOMPARE(g.units, std::string("um"));
        const int64_t names[5] = {100, 200, 300, 400, 500};
        for (size_t i = 0; i < 5; ++i) QCOMPARE(g.nodeId(i), names[i]);
        QCOMPARE(g.edgeId(0), int64_t(10));
        QCOMPARE(g.edgeId(3), int64_t(13));
        QCOMPARE(g.z[2], 120.f);
        QCOMPARE(g.z[4], -5.f);
        QCOMPARE(g.src[1], 1u);
        QCOMPARE(g.dst[1], 2u);
        QCOMPARE(g.src[3], 3u);
        QCOMPARE(g.dst[3], 4u);
        const auto* flow = g.edgeColumn("flow");
        QVERIFY(flow);
        QCOMPARE((*flow)[1], -0.5f);
        QCOMPARE((*flow)[3], -2.f);
        QCOMPARE((*g.edgeColumn("diameter"))[0], 8.f);
        QCOMPARE(g.edgeRadii()[2], 2.5f);
        QCOMPARE((*g.edgeColumn("hd"))[1], 0.40f);
        QCOMPARE((*g.nodeColumn("bctype"))[4], 2.f);
        QCOMPARE((*g.nodeColumn("bcvalue"))[0], 80.f);
        QVERIFY(std::isnan((*g.nodeColumn("bctype"))[1]));
        const std::vector<float> len = g.edgeLengths(); // no length column: Euclidean
        QCOMPARE(len[0], 50.f);
        QCOMPARE(len[1], 120.f);
        QCOMPARE(len[2], 40.f);
        QCOMPARE(len[3], 5.f);
    }

private slots:
    // ---- the real VesselGraph sample ----------------------------------------------------------------------
    void sampleCsvPair() {
        auto r = nr::readVesselCsvPair(kNodes, kEdges);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
        const nr::VesselGraph& g = r.value();
        QCOMPARE(g.nodeCount(), size_t(2970));
        QCOMPARE(g.edgeCount(), size_t(3062));
        QVERIFY(g.nodeIds.empty()); // ids are the row indices
        QVERIFY(g.edgeIds.empty());
        QCOMPARE(g.units, std::string("voxel"));
        QCOMPARE(g.lengthColumn, std::string("length"));
        QCOMPARE(g.radiusColumn, std::string("avgRadiusAvg"));
        // The 17 attribute columns of the edge file are kept; node1id/node2id/id are structural.
        QCOMPARE(g.edgeColumns.size(), size_t(17));
        QCOMPARE(g.nodeColumns.size(), size_t(2));
        for (const char* c :
             {"distance", "curveness", "volume", "minRadiusStd", "num_voxels", "hasNodeAtSampleBorder"})
            QVERIFY2(g.edgeColumn(c), c);
        double sum = 0;
        for (float v : g.edgeLengths()) sum += v;
        QVERIFY2(std::fabs(sum - 74965.19489) < 0.01, std::to_string(sum).c_str());
        std::vector<uint32_t> label;
        QCOMPARE(nr::vesselComponents(g, &label), size_t(2));
        size_t in0 = size_t(std::count(label.begin(), label.end(), 0u));
        QVERIFY((in0 == 2954 && label.size() - in0 == 16) || (in0 == 16 && label.size() - in0 == 2954));
        // Degrees computed from the edges equal the file's degree column (self-loops count twice).
        const auto deg = nr::vesselDegrees(g);
        const auto* degCol = g.nodeColumn("degree");
        QVERIFY(degCol);
        for (size_t i = 0; i < g.nodeCount(); ++i) QCOMPARE(float(deg[i]), (*degCol)[i]);
        const nr::VesselStats s = nr::vesselStats(g);
        QCOMPARE(s.degreeCounts.size(), size_t(11));
        const size_t expect[11] = {0, 1421, 1, 1513, 24, 7, 2, 0, 0, 1, 1};
        for (size_t d = 0; d < 11; ++d) QCOMPARE(s.degreeCounts[d], expect[d]);
        size_t selfLoops = 0;
        for (size_t e = 0; e < g.edgeCount(); ++e) selfLoops += g.src[e] == g.dst[e];
        QCOMPARE(selfLoops, size_t(13));
        QCOMPARE(g.bounds[0], -315.f);
        QCOMPARE(g.bounds[1], -6.f);
        QCOMPARE(g.bounds[2], -297.f);
        QCOMPARE(g.bounds[3], -27.f);
        QCOMPARE(g.bounds[4], 0.f);
        QCOMPARE(g.bounds[5], 591.f);
        const auto rad = g.edgeRadii();
        auto mm = std::minmax_element(rad.begin(), rad.end());
        QVERIFY(std::fabs(*mm.first - 1.34362f) < 1e-5f && std::fabs(*mm.second - 7.00422f) < 1e-5f);
        // First edge row: 0;1421;33;48.1319;47.0106;1.02385;...
        QCOMPARE(g.src[0], 1421u);
        QCOMPARE(g.dst[0], 33u);
        QCOMPARE((*g.edgeColumn("distance"))[0], 47.0106f);
        QVERIFY(g.memoryBytes() >= g.edgeCount() * (8 + 17 * 4));
    }

    void sampleThroughRegistry() {
        const auto& reg = nr::ReaderRegistry::builtin();
        for (const std::string& f : {kNodes, kEdges}) {
            const nr::FormatReader* fr = reg.find(f);
            QVERIFY(fr);
            QCOMPARE(fr->name, std::string("VesselGraph CSV pair"));
            QCOMPARE(fr->sniff(f, nr::readHead(f)), 3);
            auto d = reg.open(f); // the partner is found by name
            QVERIFY2(d.ok(), d.ok() ? "" : d.error().str().c_str());
            QCOMPARE(d.value().kind, nr::LayerKind::Vessels);
            QCOMPARE(d.value().summary, std::string("nodes=2970 edges=3062 units=voxel"));
            QCOMPARE(d.value().files.size(), size_t(2));
            QCOMPARE(d.value().name, std::string("example"));
            auto g = std::any_cast<std::shared_ptr<const nr::VesselGraph>>(d.value().payload);
            QCOMPARE(g->edgeCount(), size_t(3062));
        }
        // Both chosen together, under names that do not pair up.
        const std::string a = write("a.csv", joinLines(splitLines(readAll(kEdges))));
        const std::string b = write("b.csv", joinLines(splitLines(readAll(kNodes))));
        auto d = reg.open(a, {b});
        QVERIFY2(d.ok(), d.ok() ? "" : d.error().str().c_str());
        QCOMPARE(d.value().summary, std::string("nodes=2970 edges=3062 units=voxel"));
        // Alone, without a partner: a clear message.
        auto lone = reg.open(a);
        QVERIFY(!lone.ok());
        QVERIFY(lone.error().reason.find("partner") != std::string::npos);
        // The VTK file and a network.dat are claimed by their own readers.
        QCOMPARE(reg.find(kVtk)->name, std::string("Legacy VTK polydata"));
        const std::string net = write("network.dat", kNetwork);
        QCOMPARE(reg.find(net)->name, std::string("Secomb network.dat"));
        auto dn = reg.open(net);
        QVERIFY(dn.ok());
        QCOMPARE(dn.value().summary, std::string("nodes=5 edges=4 units=um"));
    }

    void legacyVtkAgreesWithCsv() {
        auto c = nr::readVesselCsvPair(kEdges, kNodes); // order does not matter
        QVERIFY(c.ok());
        auto v = nr::readVesselLegacyVtk(kVtk);
        QVERIFY2(v.ok(), v.ok() ? "" : v.error().str().c_str());
        const nr::VesselGraph &a = c.value(), &b = v.value();
        QCOMPARE(b.nodeCount(), a.nodeCount());
        QCOMPARE(b.edgeCount(), a.edgeCount());
        for (size_t i = 0; i < a.nodeCount(); ++i) {
            QVERIFY(std::fabs(a.x[i] - b.x[i]) < 1e-3f && std::fabs(a.y[i] - b.y[i]) < 1e-3f &&
                    std::fabs(a.z[i] - b.z[i]) < 1e-3f);
            QCOMPARE((*b.nodeColumn("degree"))[i], (*a.nodeColumn("degree"))[i]);
        }
        const auto ra = a.edgeRadii(), rb = b.edgeRadii();
        QCOMPARE(b.radiusColumn, std::string("radius"));
        for (size_t e = 0; e < a.edgeCount(); ++e) {
            QCOMPARE(b.src[e], a.src[e]);
            QCOMPARE(b.dst[e], a.dst[e]);
            QVERIFY(std::fabs(ra[e] - rb[e]) < 1e-4f);
        }
        QCOMPARE(nr::vesselComponents(b), size_t(2));
    }

    void legacyVtkAscii() {
        const std::string p =
            write("ascii.vtk", "# vtk DataFile Version 4.2\nvtk output\nASCII\nDATASET POLYDATA\n"
                               "POINTS 3 float\n0 0 0 3 4 0\n3 4 12\n"
                               "LINES 1 4\n3 0 1 2\n"
                               "CELL_DATA 1\nSCALARS radius float\nLOOKUP_TABLE default\n2.5\n"
                               "POINT_DATA 3\nFIELD FieldData 1\nlabel 1 3 int\n7 8 9\n");
        auto r = nr::readVesselLegacyVtk(p);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
        const auto& g = r.value();
        QCOMPARE(g.edgeCount(), size_t(2)); // a 3-point line is two segments sharing the cell data
        QCOMPARE(g.edgeRadii()[1], 2.5f);
        QCOMPARE((*g.nodeColumn("label"))[2], 9.f);
        QCOMPARE(g.edgeLengths()[1], 12.f);
    }

    // ---- network.dat
    // ---------------------------------------------------------------------------------------
    void networkPlain() {
        std::vector<std::string> warnings;
        auto r = nr::readSecombNetwork(write("plain.dat", kNetwork), {}, &warnings);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
        checkNetwork(r.value());
        QVERIFY(warnings.empty());
    }

    void networkQuirks_data() {
        QTest::addColumn<QString>("name");
        QTest::newRow("tabs") << "tabs";
        QTest::newRow("space runs") << "spaces";
        QTest::newRow("bom") << "bom";
        QTest::newRow("trailing markers") << "markers";
        QTest::newRow("blank lines") << "blank";
        QTest::newRow("crlf") << "crlf";
        QTest::newRow("all together") << "all";
    }
    void networkQuirks() {
        QFETCH(QString, name);
        const std::string q = name.toStdString();
        std::vector<std::string> lines = splitLines(kNetwork);
        const bool all = q == "all";
        if (q == "tabs" || all)
            for (size_t i = 8; i < lines.size(); ++i) lines[i] = replaceAll(lines[i], " ", "\t");
        if (q == "spaces" || all)
            for (size_t i = 1; i < lines.size(); ++i) lines[i] = "  " + replaceAll(lines[i], " ", "    ");
        if (q == "markers" || all)
            for (size_t i : {8, 9, 10, 11}) lines[i] += i % 2 ? "  *" : "\t! arteriole";
        if (q == "markers" || all)
            for (size_t i : {14, 15, 21}) lines[i] += " #";
        if (q == "blank" || all) {
            lines.insert(lines.begin() + 19, "");   // before the boundary count
            lines.insert(lines.begin() + 12, "  "); // between segment rows and the node count
            lines.insert(lines.begin() + 9, "");    // among the segment rows
            lines.insert(lines.begin() + 3, "\t");  // among the header lines
            lines.push_back("");
            lines.push_back("");
        }
        std::string text = joinLines(lines, q == "crlf" || all ? "\r\n" : "\n");
        if (q == "bom" || all) text = "\xEF\xBB\xBF" + text;
        auto r = nr::readSecombNetwork(write("quirk_" + q + ".dat", text));
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
        checkNetwork(r.value());
        // The registry recognises the file by its content whatever its name.
        QCOMPARE(nr::ReaderRegistry::builtin().find(write("quirk_" + q + ".txt", text))->name,
                 std::string("Secomb network.dat"));
    }

    // ---- statistics against values computed by hand
    // --------------------------------------------------------
    void statisticsByHand() {
        // 4 nodes; edges 0-1 (length 6, straight distance 5), 1-2 (12, 12), a loop on 2 (length 2); node 3
        // alone.
        const std::string n =
            write("hand_nodes.csv", "id;pos_x;pos_y;pos_z\n0;0;0;0\n1;3;4;0\n2;3;4;12\n3;0;0;1\n");
        const std::string e = write(
            "hand_edges.csv", "id;node1id;node2id;length;avgRadiusAvg\n0;0;1;6;1\n1;1;2;12;2\n2;2;2;2;3\n");
        auto r = nr::readVesselCsvPair(n, e);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
        const nr::VesselStats s = nr::vesselStats(r.value());
        QCOMPARE(s.nodes, size_t(4));
        QCOMPARE(s.edges, size_t(3));
        QCOMPARE(s.components, size_t(2));
        QCOMPARE(s.totalLength, 20.0);
        QCOMPARE(s.meanRadius, 2.0);
        QCOMPARE(s.boxVolume, 3.0 * 4.0 * 12.0);
        QCOMPARE(s.lengthDensity, 20.0 / 144.0);
        QCOMPARE(s.meanTortuosity, (6.0 / 5.0 + 1.0) / 2.0); // the loop has no distance
        const std::vector<size_t> deg = {1, 1, 1, 1}; // degrees 0 (node 3), 1, 2, 3 (loop counts twice)
        QCOMPARE(s.degreeCounts, deg);
        // Without a length column: Euclidean lengths (network.dat): 50 + 120 + 40 + 5.
        auto net = nr::readSecombNetwork(write("stats.dat", kNetwork));
        QVERIFY(net.ok());
        const nr::VesselStats t = nr::vesselStats(net.value());
        QCOMPARE(t.totalLength, 215.0);
        QCOMPARE(t.meanRadius, (4.0 + 3.0 + 2.5 + 2.0) / 4.0);
        QCOMPARE(t.components, size_t(1));
        QCOMPARE(t.boxVolume, 40.0 * 40.0 * 125.0);
        QCOMPARE(t.meanTortuosity, 1.0);
        const nr::Histogram h = nr::histogram({1, 2, 2, 3, 4, NAN}, 3);
        QCOMPARE(h.lo, 1.0);
        QCOMPARE(h.hi, 4.0);
        QCOMPARE(h.counts, (std::vector<size_t>{1, 2, 2}));
    }

    // ---- generic spatial graph ----------------------------------------------------------------------------
    void spatialGraphPair() {
        const std::string n = write("cells_nodes.csv", "id,x,y,z,radius,label\n7,0,0,0,1.0,a\n9,1,0,0,3.0,b\n"
                                                       "8,1,1,0,2.0,c\n");
        const std::string e = write("cells_edges.csv", "source,target,weight\n7,9,0.5\n9,8,0.25\n");
        const auto& reg = nr::ReaderRegistry::builtin();
        const nr::FormatReader* fr = reg.find(e);
        QVERIFY(fr);
        QCOMPARE(fr->name, std::string("Spatial graph CSV pair"));
        QCOMPARE(fr->sniff(e, nr::readHead(e)), 2);
        QCOMPARE(reg.find(n)->name, std::string("Spatial graph CSV pair"));
        auto d = reg.open(e);
        QVERIFY2(d.ok(), d.ok() ? "" : d.error().str().c_str());
        auto g = std::any_cast<std::shared_ptr<const nr::VesselGraph>>(d.value().payload);
        QCOMPARE(g->nodeCount(), size_t(3));
        QCOMPARE(g->nodeId(1), int64_t(9));
        QCOMPARE(g->dst[1], 2u);           // node 8 is the third row
        QCOMPARE(g->edgeRadii()[0], 2.0f); // mean of the node radii 1 and 3
        QCOMPARE((*g->edgeColumn("weight"))[1], 0.25f);
        QVERIFY(!g->nodeColumn("label"));               // text column not kept ...
        QCOMPARE(d.value().warnings.size(), size_t(1)); // ... and said so
        // A lone edge list (no partner) is left to the generic graph readers.
        const std::string lone = write("connectome.csv", "source,target,weight\n1,2,3\n");
        const nr::FormatReader* lf = reg.find(lone);
        QVERIFY(!lf || lf->kind != nr::LayerKind::Vessels);
    }

    // ---- the parallel parser gives what the serial one gives
    // ------------------------------------------------
    void parallelEqualsSerial() {
        std::string nodes = "id;pos_x;pos_y;pos_z;degree\n";
        std::string edges = "id;node1id;node2id;length;avgRadiusAvg;curveness\n";
        const size_t N = 40000, M = 60000;
        for (size_t i = 0; i < N; ++i)
            nodes += std::to_string(i) + ";" + std::to_string(int(i % 97) - 40) + "." +
                     std::to_string(i % 10) + ";" + std::to_string(i % 31) + ";" + std::to_string(i / 7) +
                     ";3\n";
        std::vector<uint32_t> src(M), dst(M);
        std::vector<float> len(M), rad(M);
        uint32_t s = 12345;
        for (size_t e = 0; e < M; ++e) {
            s = s * 1664525u + 1013904223u;
            src[e] = s % N, dst[e] = (s >> 8) % N;
            len[e] = float(1 + (s >> 4) % 1000) + 0.25f;
            edges += std::to_string(e) + ";" + std::to_string(src[e]) + ";" + std::to_string(dst[e]) + ";" +
                     std::to_string(1 + (s >> 4) % 1000) + ".25;" + std::to_string((s >> 12) % 9) +
                     ".5e-1;1.0" + std::to_string(e % 10) + "\n";
            rad[e] = float(double((s >> 12) % 9) * 0.1 + 0.05);
            if (e % 9999 == 0) edges += "\n"; // blank lines inside: gaps the parser closes
        }
        const std::string n = write("par_nodes.csv", nodes), e = write("par_edges.csv", edges);
        QVERIFY(edges.size() > (1u << 20)); // large enough to be split between threads
        auto one = nr::readVesselCsvPair(n, e, {nullptr, {{"threads", "1"}}});
        auto three = nr::readVesselCsvPair(n, e, {nullptr, {{"threads", "3"}}});
        QVERIFY(one.ok() && three.ok());
        const auto &a = one.value(), &b = three.value();
        QCOMPARE(a.edgeCount(), M);
        QCOMPARE(b.edgeCount(), M);
        QVERIFY(a.src == src && a.dst == dst);
        QVERIFY(b.src == src && b.dst == dst && a.x == b.x && a.z == b.z);
        QVERIFY(*b.edgeColumn("length") == len);
        for (size_t k = 0; k < M; ++k) QCOMPARE((*b.edgeColumn("avgRadiusAvg"))[k], rad[k]);
        for (size_t k = 0; k < a.edgeColumns.size(); ++k)
            QVERIFY(a.edgeColumns[k].values == b.edgeColumns[k].values);
        // Read in small blocks (lines cut between reads, and 7-byte blocks shorter than every line): the
        // same.
        for (const char* block : {"4093", "7"}) {
            auto r = nr::readVesselCsvPair(n, e, {nullptr, {{"threads", "3"}, {"block_bytes", block}}});
            QVERIFY(r.ok());
            const auto& c = r.value();
            QVERIFY(c.src == src && c.dst == dst && c.x == a.x && c.y == a.y && c.z == a.z);
            for (size_t k = 0; k < a.edgeColumns.size(); ++k)
                QVERIFY(a.edgeColumns[k].values == c.edgeColumns[k].values);
        }
        // An error deep in the file keeps its line number whatever the threads and blocks.
        std::string bad = edges;
        size_t at = 0;
        long badLine = 1;
        for (size_t k = 0; k < 50000; ++k) {
            at = bad.find('\n', at) + 1;
            ++badLine;
        }
        bad.insert(at, "99;1;" + std::to_string(N + 7) + ";1;1;1\n");
        const std::string eb = write("par_edges_bad.csv", bad);
        for (const char* threads : {"1", "3"})
            for (const char* block : {"4194304", "4093"})
                expectError(
                    nr::readVesselCsvPair(n, eb, {nullptr, {{"threads", threads}, {"block_bytes", block}}}),
                    eb, badLine, "node " + std::to_string(N + 7));
    }

    // ---- bad input: each case names the file, the line and the reason ------------------------------------
    void malformedCsv_data() {
        QTest::addColumn<QString>("nodes");
        QTest::addColumn<QString>("edges");
        QTest::addColumn<bool>("inEdges");
        QTest::addColumn<int>("line");
        QTest::addColumn<QString>("reason");
        const QString nh = "id;pos_x;pos_y;pos_z\n", eh = "id;node1id;node2id;length;avgRadiusAvg\n";
        const QString n3 = nh + "0;0;0;0\n1;1;0;0\n2;2;0;0\n";
        QTest::newRow("missing node") << n3 << eh + "0;0;1;1;1\n1;1;5;1;1\n" << true << 3 << "node 5";
        QTest::newRow("negative radius") << n3 << eh + "0;0;1;1;1\n1;1;2;1;-0.5\n" << true << 3 << "negative";
        QTest::newRow("NaN radius") << n3 << eh + "0;0;1;1;nan\n" << true << 2 << "NaN";
        QTest::newRow("empty radius") << n3 << eh + "0;0;1;1;\n" << true << 2 << "NaN value (empty)";
        QTest::newRow("duplicate node id") << nh + "0;0;0;0\n1;1;0;0\n1;2;0;0\n"
                                           << eh + "0;0;1;1;1\n"
                                           << false << 4 << "duplicate node id 1 (first on line 3)";
        QTest::newRow("truncated edge line") << n3 << eh + "0;0;1;1;1\n1;1;2\n"
                                             << true << 3 << "truncated line";
        QTest::newRow("truncated node line") << nh + "0;0;0;0\n1;1;0\n"
                                             << eh << false << 3 << "truncated line";
        QTest::newRow("text in position") << nh + "0;0;0;0\n1;abc;0;0\n"
                                          << eh << false << 3 << "'abc' is not a number";
        QTest::newRow("too many fields") << n3 << eh + "0;0;1;1;1;7\n" << true << 2 << "more fields";
        QTest::newRow("duplicate edge id") << n3 << eh + "4;0;1;1;1\n\n4;1;2;1;1\n"
                                           << true << 4 << "duplicate edge id 4 (first on line 2)";
        QTest::newRow("non-integer node id") << n3 << eh + "0;0;1.5;1;1\n"
                                             << true << 2 << "not an integer id";
        QTest::newRow("negative length") << n3 << eh + "0;0;1;-3;1\n"
                                         << true << 2 << "column length: negative";
        QTest::newRow("infinite position") << nh + "0;inf;0;0\n" << eh << false << 2 << "not finite";
        QTest::newRow("garbage after value") << n3 << eh + "0;0;1;1x;1\n" << true << 2 << "unexpected 'x'";
    }
    void malformedCsv() {
        QFETCH(QString, nodes);
        QFETCH(QString, edges);
        QFETCH(bool, inEdges);
        QFETCH(int, line);
        QFETCH(QString, reason);
        const std::string tag = QTest::currentDataTag();
        const std::string n = write("bad_" + tag + "_nodes.csv", nodes.toStdString());
        const std::string e = write("bad_" + tag + "_edges.csv", edges.toStdString());
        expectError(nr::readVesselCsvPair(n, e), inEdges ? e : n, line, reason.toStdString());
        // Through the registry, from either file.
        expectError(nr::ReaderRegistry::builtin().open(n), inEdges ? e : n, line, reason.toStdString());
    }

    void malformedNetwork_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("line");
        QTest::addColumn<QString>("reason");
        const std::string base = kNetwork;
        auto edit = [&](const std::string& a, const std::string& b) {
            return QString::fromStdString(replaceAll(base, a, b));
        };
        QTest::newRow("more segments declared")
            << edit("4 total number", "5 total number") << 13 << "says 5 segments, found 4";
        QTest::newRow("fewer segments declared")
            << edit("4 total number", "3 total number") << 12 << "more segment rows than the header's 3";
        QTest::newRow("more nodes declared")
            << edit("5 number of nodes", "6 number of nodes") << 20 << "says 6 nodes";
        QTest::newRow("fewer nodes declared")
            << edit("5 number of nodes", "4 number of nodes") << 19 << "more node rows";
        QTest::newRow("segment to missing node")
            << edit("13 3 400 500", "13 3 400 501") << 12 << "names node 501, which is not in the node list";
        QTest::newRow("negative diameter")
            << edit("12 4 200 400 5.0", "12 4 200 400 -5.0") << 11 << "diameter is negative";
        QTest::newRow("NaN diameter")
            << edit("12 4 200 400 5.0", "12 4 200 400 nan") << 11 << "diameter is NaN";
        QTest::newRow("truncated segment") << edit("11 5 200 300 6.0 -0.5 0.40", "11 5 200 300 6.0") << 10
                                           << "truncated segment row: 5 of 7";
        QTest::newRow("truncated node") << edit("400 -10 40 0", "400 -10") << 18 << "truncated node row";
        QTest::newRow("duplicate node name")
            << edit("400 -10 40 0", "300 -10 40 0") << 18 << "duplicate node name 300";
        QTest::newRow("duplicate segment name")
            << edit("12 4 200", "11 4 200") << 11 << "duplicate segment name 11 (first on line 10)";
        QTest::newRow("bad segment count line")
            << edit("4 total number", "four total number") << 7 << "total number of segments";
        QTest::newRow("ends inside segments")
            << QString::fromStdString(base.substr(0, base.find("12 4 200"))) << 11 << "file ends after 2";
        QTest::newRow("boundary node unknown")
            << edit("300 0 20.0", "301 0 20.0") << 23 << "not among the nodes";
        QTest::newRow("absurd segment count")
            << edit("4 total number", "900000000 total number") << 7 << "more than the file's";
    }
    void malformedNetwork() {
        QFETCH(QString, text);
        QFETCH(int, line);
        QFETCH(QString, reason);
        const std::string p =
            write(std::string("bad_") + QTest::currentDataTag() + ".dat", text.toStdString());
        expectError(nr::readSecombNetwork(p), p, line, reason.toStdString());
    }

    void malformedVtk() {
        // Truncated binary block: reported with its byte offset.
        const std::string whole = readAll(kVtk);
        const std::string cut = write("cut.vtk", whole.substr(0, 50000));
        auto r = nr::readVesselLegacyVtk(cut);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().file, cut);
        QVERIFY(r.error().reason.find("file ends inside a binary block") != std::string::npos);
        QVERIFY(r.error().byteOffset > 0);
        // A line naming a point that does not exist.
        const std::string bad =
            write("badline.vtk", "# vtk DataFile Version 4.2\nt\nASCII\nDATASET POLYDATA\n"
                                 "POINTS 2 float\n0 0 0 1 1 1\nLINES 1 3\n2 0 7\n");
        expectError(nr::readVesselLegacyVtk(bad), bad, 7, "names point 7");
        const std::string neg =
            write("negr.vtk", "# vtk DataFile Version 4.2\nt\nASCII\nDATASET POLYDATA\n"
                              "POINTS 2 float\n0 0 0 1 1 1\nLINES 1 3\n2 0 1\nCELL_DATA 1\n"
                              "SCALARS radius float\nLOOKUP_TABLE default\n-1\n");
        expectError(nr::readVesselLegacyVtk(neg), neg, 10, "cell 0 of radius is negative");
    }

    void tooBigRefusedWithEstimate() {
        // The estimate comes from the file size, before anything is allocated.
        nr::OpenOptions opt;
        opt.options = {{"max_memory_bytes", "100000"}};
        auto r = nr::readVesselCsvPair(kNodes, kEdges, opt);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().file, kEdges);
        QVERIFY2(r.error().reason.find("too big for this machine's memory: about ") != std::string::npos,
                 r.error().str().c_str());
        QVERIFY(r.error().reason.find("can be used") != std::string::npos);
        auto ok = nr::readVesselCsvPair(kNodes, kEdges, {nullptr, {{"max_memory_bytes", "10000000"}}});
        QVERIFY(ok.ok());
    }

    void cancelStopsTheParse() {
        nr::OpenOptions opt;
        int calls = 0;
        opt.progress = [&](double, const std::string&) { return ++calls < 1; };
        std::string edges = "id;node1id;node2id;length\n";
        for (int i = 0; i < 100000; ++i) edges += std::to_string(i) + ";0;1;2.5\n";
        const std::string n = write("cancel_nodes.csv", "id;pos_x;pos_y;pos_z\n0;0;0;0\n1;1;1;1\n");
        const std::string e = write("cancel_edges.csv", edges);
        auto r = nr::readVesselCsvPair(n, e, opt);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().reason, std::string("cancelled"));
        QVERIFY(calls >= 1);
    }

private:
    static std::string readAll(const std::string& p) {
        std::ifstream f(p, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(f), {});
    }
};

QTEST_GUILESS_MAIN(TestVessel)
#include "test_vessel.moc"
