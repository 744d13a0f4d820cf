// Connectome files beyond named edge lists: dense adjacency matrices (text, NPY, HDF5, MATLAB v7.3), label
// files and atlas node tables, networkx edge lists with data dicts, synapse-table column names; the
// adjacency orders of Analysis > Adjacency Matrix; and the analyses on a graph read from a matrix.
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <fstream>
#include <hdf5.h>
#include <map>
#include <random>
#include <sstream>

#include "Hdf5Write.h"
#include "analysis/AdjacencyOrder.h"
#include "analysis/GraphAnalysis.h"
#include "formats/Open.h"
#include "io/MatrixIO.h"
#include "io/Npy.h"
#include "io/ReaderRegistry.h"
#include "plugin/AnalyzeCommand.h"

namespace {

void writeFile(const std::string& path, const std::string& bytes) {
    std::ofstream f(path, std::ios::binary);
    f << bytes;
}

// A connectome shaped like graspologic's larva mushroom body: n x n synapse counts, directed, sparse,
// written as a space-separated block without header; one-letter cell types (K, P, O, I) in a label file.
struct Larva {
    size_t n = 0;
    std::vector<int> w; // row-major
    std::vector<std::string> labels;
};
Larva makeLarva(size_t n, unsigned seed) {
    Larva l;
    l.n = n;
    l.w.assign(n * n, 0);
    std::mt19937 rng(seed);
    const char* kinds[] = {"K", "P", "O", "I"};
    for (size_t i = 0; i < n; ++i) l.labels.push_back(kinds[i * 4 / n]);
    for (size_t i = 0; i < n; ++i)
        for (size_t j = 0; j < n; ++j) {
            const bool same = l.labels[i] == l.labels[j];
            if (i != j && rng() % 100 < (same ? 30u : 4u)) l.w[i * n + j] = 1 + int(rng() % 40);
        }
    return l;
}
std::string larvaText(const Larva& l, char sep) {
    std::string s;
    for (size_t i = 0; i < l.n; ++i) {
        for (size_t j = 0; j < l.n; ++j) {
            if (j) s += sep;
            s += std::to_string(l.w[i * l.n + j]);
        }
        s += '\n';
    }
    return s;
}

// (source name, target name) -> weight, summed.
std::map<std::pair<std::string, std::string>, double> pairs(const nr::Graph& g) {
    std::map<std::pair<std::string, std::string>, double> m;
    for (size_t e = 0; e < g.edgeCount(); ++e) {
        m[{g.names[g.src[e]], g.names[g.dst[e]]}] += g.weight[e];
        if (!g.directed && g.src[e] != g.dst[e]) m[{g.names[g.dst[e]], g.names[g.src[e]]}] += g.weight[e];
    }
    return m;
}

} // namespace

class TestMatrixReaders : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    std::string at(const std::string& f) const { return dir_.path().toStdString() + "/" + f; }

private slots:
    void larvaMatrixWithLabels() {
        const Larva l = makeLarva(40, 7);
        writeFile(at("left_adjacency.csv"), larvaText(l, ' '));
        std::string lab;
        for (const auto& s : l.labels) lab += s + "\n";
        writeFile(at("left_cell_labels.csv"), lab);
        const auto& reg = nr::ReaderRegistry::builtin();
        const nr::FormatReader* r = reg.find(at("left_adjacency.csv"));
        QVERIFY(r);
        QCOMPARE(QString::fromStdString(r->name), QStringLiteral("Adjacency matrix (text)"));
        nr::OpenOptions opt;
        opt.options = {{"layout", "none"}};
        auto d = reg.open(at("left_adjacency.csv"), {at("left_cell_labels.csv")}, opt);
        QVERIFY2(d.ok(), d.ok() ? "" : d.error().str().c_str());
        const nr::Graph& g = *d.value().graph;
        QCOMPARE(g.nodeCount(), l.n);
        QVERIFY(g.directed);
        size_t nnz = 0;
        for (int v : l.w) nnz += v != 0;
        QCOMPARE(g.edgeCount(), nnz);
        for (size_t e = 0; e < g.edgeCount(); ++e)
            QCOMPARE(
                double(g.weight[e]),
                double(
                    l.w[size_t(std::stoi(g.names[g.src[e]])) * l.n + size_t(std::stoi(g.names[g.dst[e]]))]));
        QCOMPARE(g.nodeClass, l.labels);
        QVERIFY(QString::fromStdString(d.value().summary).startsWith(QStringLiteral("nodes=40 edges=")));
        // The label file through the reader option as well.
        opt.options.push_back({"labels", at("left_cell_labels.csv")});
        auto d2 = reg.open(at("left_adjacency.csv"), {}, opt);
        QVERIFY(d2.ok());
        QCOMPARE(d2.value().graph->nodeClass, l.labels);
        // A label file with the wrong count names the file and says how many.
        writeFile(at("short_labels.csv"), "K\nP\n");
        auto bad = reg.open(at("left_adjacency.csv"), {at("short_labels.csv")}, opt);
        QVERIFY(!bad.ok());
        QVERIFY(bad.error().str().find("short_labels.csv") != std::string::npos);
        QVERIFY(bad.error().reason.find("2 labels for 40 nodes") != std::string::npos);
    }

    void symmetricCsvWithNamesIsUndirected() {
        writeFile(at("sym.csv"), ",A,B,C,D\nA,0,2,0,1\nB,2,0,3,0\nC,0,3,0,0\nD,1,0,0,5\n");
        auto g = nr::openGraph(at("sym.csv"));
        QVERIFY2(g.ok(), g.ok() ? "" : g.error().str().c_str());
        QVERIFY(!g.value().directed);
        QCOMPARE(g.value().names, (std::vector<std::string>{"A", "B", "C", "D"}));
        QCOMPARE(g.value().edgeCount(), size_t(4)); // A-B, A-D, B-C, D-D
        auto p = pairs(g.value());
        QCOMPARE((p[{"B", "C"}]), 3.0);
        QCOMPARE((p[{"C", "B"}]), 3.0);
        QCOMPARE((p[{"D", "D"}]), 5.0);
        // Header only (no index column), tab-separated, negative weights kept (signed connectome).
        writeFile(at("hdr.tsv"), "a\tb\tc\td\n0\t-1.5\t0\t0\n0\t0\t2\t0\n0\t0\t0\t1\n4\t0\t0\t0\n");
        auto h = nr::openGraph(at("hdr.tsv"));
        QVERIFY2(h.ok(), h.ok() ? "" : h.error().str().c_str());
        QVERIFY(h.value().directed);
        QCOMPARE(pairs(h.value())[std::make_pair(std::string("a"), std::string("b"))], -1.5);
        // Index column without header.
        writeFile(at("idx.txt"), "n1 0 1 0 0\nn2 0 0 1 0\nn3 0 0 0 1\nn4 1 0 0 0\n");
        auto x = nr::openGraph(at("idx.txt"));
        QVERIFY2(x.ok(), x.ok() ? "" : x.error().str().c_str());
        QCOMPARE(x.value().names.back(), std::string("n4"));
        QCOMPARE(x.value().edgeCount(), size_t(4));
    }

    void npyAndHdf5Matrices() {
        const Larva l = makeLarva(24, 3);
        std::string npy = nr::npy::float64Header(l.n, l.n);
        for (int v : l.w) {
            const double d = v;
            npy.append(reinterpret_cast<const char*>(&d), 8);
        }
        writeFile(at("m.npy"), npy);
        const auto& reg = nr::ReaderRegistry::builtin();
        QCOMPARE(QString::fromStdString(reg.find(at("m.npy"))->name),
                 QStringLiteral("Adjacency matrix (NPY)"));
        auto gn = nr::openGraph(at("m.npy"));
        QVERIFY2(gn.ok(), gn.ok() ? "" : gn.error().str().c_str());
        writeFile(at("m.txt"), larvaText(l, ','));
        auto gt = nr::openGraph(at("m.txt"));
        QVERIFY(gt.ok());
        QCOMPARE(pairs(gn.value()), pairs(gt.value()));

        // HDF5 (by array path) and MATLAB v7.3 (HDF5 after a 512-byte user block, column-major).
        std::vector<double> v(l.w.begin(), l.w.end());
        {
            hid_t f = H5Fcreate(at("m.h5").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
            nrtest::h5Write(f, "/connectome/adjacency", v, {l.n, l.n});
            nrtest::h5Write(f, "/other", {1, 2, 3}, {3});
            H5Fclose(f);
        }
        auto gh = nr::openGraph(at("m.h5:/connectome/adjacency"));
        QVERIFY2(gh.ok(), gh.ok() ? "" : gh.error().str().c_str());
        QCOMPARE(pairs(gh.value()), pairs(gt.value()));
        // File > Open without a path: the only square 2-D dataset makes the file a matrix, not traces.
        QCOMPARE(QString::fromStdString(reg.find(at("m.h5"))->name),
                 QStringLiteral("Adjacency matrix (HDF5, MATLAB v7.3)"));
        auto gd = reg.open(at("m.h5"));
        QVERIFY2(gd.ok(), gd.ok() ? "" : gd.error().str().c_str());
        QCOMPARE(gd.value().kind, nr::LayerKind::Graph);
        QCOMPARE(pairs(*gd.value().graph), pairs(gt.value()));
        // Time x neurons with a time axis beside it stays traces.
        {
            hid_t f = H5Fcreate(at("tr.h5").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
            nrtest::h5Write(f, "/dff", std::vector<double>(40, 0.5), {20, 2});
            std::vector<double> t(20);
            for (size_t i = 0; i < t.size(); ++i) t[i] = 0.1 * double(i);
            nrtest::h5Write(f, "/time", t, {20});
            H5Fclose(f);
        }
        QCOMPARE(reg.find(at("tr.h5"))->kind, nr::LayerKind::Traces);
        {
            std::vector<double> t(v.size());
            for (size_t i = 0; i < l.n; ++i)
                for (size_t j = 0; j < l.n; ++j) t[j * l.n + i] = v[i * l.n + j];
            hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
            H5Pset_userblock(fcpl, 512);
            hid_t f = H5Fcreate(at("m.mat").c_str(), H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
            nrtest::h5Write(f, "/A", t, {l.n, l.n});
            H5Fclose(f);
            H5Pclose(fcpl);
        }
        QCOMPARE(QString::fromStdString(reg.find(at("m.mat"))->name),
                 QStringLiteral("Adjacency matrix (HDF5, MATLAB v7.3)"));
        auto gm = nr::openGraph(at("m.mat"));
        QVERIFY2(gm.ok(), gm.ok() ? "" : gm.error().str().c_str());
        QCOMPARE(pairs(gm.value()), pairs(gt.value()));
        // Not square.
        {
            hid_t f = H5Fcreate(at("r.h5").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
            nrtest::h5Write(f, "/m", std::vector<double>(6, 1.0), {2, 3});
            H5Fclose(f);
        }
        auto gr = nr::openGraph(at("r.h5"));
        QVERIFY(!gr.ok());
        QVERIFY(gr.error().reason.find("must be square") != std::string::npos);
    }

    void networkxEdgeListsAndSynapseTables() {
        // networkx write_edgelist(G, path) with data=True, and read_weighted_edgelist's 'u v w'.
        writeFile(at("mouse.edgelist"), "0 1 {'weight': 3.0}\n1 2 {'weight': 0.5}\n2 0 {}\n");
        auto a = nr::openGraph(at("mouse.edgelist"));
        QVERIFY2(a.ok(), a.ok() ? "" : a.error().str().c_str());
        QCOMPARE(a.value().edgeCount(), size_t(3));
        QCOMPARE(double(a.value().weight[0]), 3.0);
        QCOMPARE(double(a.value().weight[2]), 1.0);
        writeFile(at("mouse2.edgelist"), "0 1 3.0\n1 2 0.5\n");
        nr::OpenOptions und;
        und.options = {{"directed", "false"}};
        auto b = nr::openGraph(at("mouse2.edgelist"), und);
        QVERIFY(b.ok());
        QVERIFY(!b.value().directed);
        auto bd = nr::openGraph(at("mouse2.edgelist"));
        QVERIFY(bd.value().directed);

        // neuPrint, FlyWire and MICrONS column names.
        writeFile(at("neuprint.csv"),
                  "bodyId_pre,bodyId_post,roi,weight\n1001,1002,MB(R),12\n1002,1003,MB(R),4\n");
        auto n = nr::openGraph(at("neuprint.csv"));
        QVERIFY2(n.ok(), n.ok() ? "" : n.error().str().c_str());
        QCOMPARE(double(n.value().weight[0]), 12.0);
        writeFile(at("flywire.csv"), "pre_root_id,post_root_id,neuropil,syn_count,nt_type\n"
                                     "720575940629970489,720575940631693610,AVLP_R,7,ACH\n"
                                     "720575940631693610,720575940629970489,AVLP_R,9,GABA\n");
        auto fw = nr::openGraph(at("flywire.csv"));
        QVERIFY2(fw.ok(), fw.ok() ? "" : fw.error().str().c_str());
        QCOMPARE(fw.value().edgeTypes, (std::vector<std::string>{"ACH", "GABA"}));
        QCOMPARE(fw.value().names[0], std::string("720575940629970489"));
        // MICrONS: one row per synapse; rows of a pair are summed into one edge counting its synapses.
        writeFile(at("microns.csv"), "id,pre_pt_root_id,post_pt_root_id,size\n1,864691135,864691136,340\n"
                                     "2,864691136,864691135,120\n3,864691135,864691136,88\n"
                                     "4,864691135,864691136,410\n");
        auto mc = nr::openGraph(at("microns.csv"));
        QVERIFY2(mc.ok(), mc.ok() ? "" : mc.error().str().c_str());
        QCOMPARE(mc.value().edgeCount(), size_t(2));
        QCOMPARE(mc.value().names[mc.value().src[0]], std::string("864691135"));
        QCOMPARE(double(mc.value().weight[0]), 3.0);
        QCOMPARE(double(mc.value().weight[1]), 1.0);
        // FlyWire: one row per pair and neuropil; the counts of a pair are summed per neurotransmitter.
        writeFile(at("flywire_np.csv"),
                  "pre_root_id,post_root_id,neuropil,syn_count,nt_type\n"
                  "7205,7206,AVLP_R,7,ACH\n7205,7206,SLP_R,5,ACH\n7206,7205,AVLP_R,9,GABA\n");
        auto fn = nr::openGraph(at("flywire_np.csv"));
        QVERIFY2(fn.ok(), fn.ok() ? "" : fn.error().str().c_str());
        QCOMPARE(fn.value().edgeCount(), size_t(2));
        QCOMPARE(double(fn.value().weight[0]), 12.0);
        QCOMPARE(double(fn.value().weight[1]), 9.0);
        // A plain edge list keeps repeated rows as parallel edges.
        writeFile(at("multi.csv"), "source,target,weight\na,b,1\na,b,2\n");
        QCOMPARE(nr::openGraph(at("multi.csv")).value().edgeCount(), size_t(2));
    }

    void atlasTableKeyedByIndex() {
        // A 4 x 4 matrix (rows 0..3) and an atlas table with ROI 1..4 and colours.
        writeFile(at("dti4.csv"), "0 1 0 0\n1 0 2 0\n0 2 0 1\n0 0 1 0\n");
        writeFile(
            at("atlas.csv"),
            "ROI,Region,c_R,c_G,c_B\n1,lh-a,255,0,0\n2,lh-b,0,255,0\n3,rh-a,0,0,255\n4,rh-b,10,20,30\n");
        nr::OpenOptions opt;
        opt.options = {{"layout", "none"}};
        auto d = nr::ReaderRegistry::builtin().open(at("dti4.csv"), {at("atlas.csv")}, opt);
        QVERIFY2(d.ok(), d.ok() ? "" : d.error().str().c_str());
        const nr::Graph& g = *d.value().graph;
        QVERIFY(!g.directed);
        QCOMPARE(g.nodeText.at("color")[0], std::string("#ff0000"));
        QCOMPARE(g.nodeText.at("color")[3], std::string("#0a141e"));
        QCOMPARE(g.nodeText.at("Region")[2], std::string("rh-a"));
        // ROI out of range.
        writeFile(at("atlas_bad.csv"), "ROI,Region\n1,a\n9,b\n");
        auto bad = nr::ReaderRegistry::builtin().open(at("dti4.csv"), {at("atlas_bad.csv")}, opt);
        QVERIFY(!bad.ok());
        QCOMPARE(bad.error().line, 3L);
        QVERIFY(bad.error().reason.find("out of range") != std::string::npos);
    }

    void sharedConnectomeAsMatrix() {
        // The C. elegans edge list (shared data) written as a named dense matrix reads back to the same
        // summed pair weights.
        const std::string src = std::string(NR_SHARED_DATA) + "/connectome/herm_full_edgelist.csv";
        QVERIFY2(QFileInfo::exists(QString::fromStdString(src)),
                 (src + " is missing: the shared data must be present").c_str());
        auto e = nr::openGraph(src);
        QVERIFY(e.ok());
        const nr::Graph& g = e.value();
        const size_t n = g.nodeCount();
        std::vector<double> m(n * n, 0);
        for (size_t k = 0; k < g.edgeCount(); ++k) m[g.src[k] * n + g.dst[k]] += g.weight[k];
        std::ostringstream os;
        for (size_t j = 0; j < n; ++j) os << ',' << g.names[j];
        os << '\n';
        for (size_t i = 0; i < n; ++i) {
            os << g.names[i];
            for (size_t j = 0; j < n; ++j) os << ',' << m[i * n + j];
            os << '\n';
        }
        writeFile(at("herm_matrix.csv"), os.str());
        auto r = nr::openGraph(at("herm_matrix.csv"));
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
        QCOMPARE(r.value().nodeCount(), n);
        QCOMPARE(pairs(r.value()), pairs(g));
        // Communities and the adjacency orders on the matrix graph.
        auto c = nr::detectCommunities(r.value());
        QVERIFY(c.ok());
        QVERIFY(c.value().count >= 2 && c.value().modularity > 0.1);
        for (auto k : {nr::AdjacencyOrderKind::Community, nr::AdjacencyOrderKind::Cluster}) {
            auto o = nr::adjacencyOrder(r.value(), k);
            QVERIFY2(o.ok(), o.ok() ? "" : o.error().reason.c_str());
            std::vector<uint32_t> s = o.value().order;
            std::sort(s.begin(), s.end());
            for (size_t i = 0; i < n; ++i) QCOMPARE(s[i], uint32_t(i));
        }
        // Headless: `analyze graph_communities` on the matrix file, and structure_function of the shared
        // traces against it.
        std::ostringstream out, err;
        const int rc =
            nr::runAnalyzeCommand({"graph_communities", "--input", at("herm_matrix.csv")}, out, err);
        QVERIFY2(rc == 0, err.str().c_str());
        QVERIFY(out.str().find("communities=") != std::string::npos);
        const std::string traces = std::string(NR_SHARED_DATA) + "/activity/atanas2023_traces.csv";
        std::ostringstream out2, err2;
        const int rc2 = nr::runAnalyzeCommand(
            {"structure_function", "--input", traces, "--param", "connectome=" + at("herm_matrix.csv")}, out2,
            err2);
        QVERIFY2(rc2 == 0, err2.str().c_str());
        QVERIFY(!out2.str().empty());
    }

    void adjacencyOrdersAndCells() {
        // Two blocks shuffled: clustering puts each block together; cells sum the weights.
        const size_t n = 30;
        nr::Graph g;
        std::vector<int> block(n);
        for (size_t i = 0; i < n; ++i) {
            g.addNode(std::to_string(i));
            block[i] = int((i * 7) % 2);
        }
        g.nodeClass.resize(n);
        for (size_t i = 0; i < n; ++i) g.nodeClass[i] = block[i] ? "b" : "a";
        for (size_t i = 0; i < n; ++i)
            for (size_t j = 0; j < n; ++j)
                if (i != j && block[i] == block[j] && (i + j) % 3 != 0)
                    g.addEdge(uint32_t(i), uint32_t(j), 2.f, 0);
        g.edgeTypes = {"edge"};
        auto o = nr::adjacencyOrder(g, nr::AdjacencyOrderKind::Cluster);
        QVERIFY(o.ok());
        int switches = 0;
        for (size_t k = 1; k < n; ++k) switches += block[o.value().order[k]] != block[o.value().order[k - 1]];
        QCOMPARE(switches, 1);
        auto c = nr::adjacencyOrder(g, nr::AdjacencyOrderKind::Class);
        QVERIFY(c.ok());
        QCOMPARE(c.value().groups.front(), g.nodeClass[0]);
        size_t cells = 0, span = 0;
        const auto v = nr::adjacencyCells(g, c.value().order, 8, &cells, &span);
        QCOMPARE(span, size_t(4));
        QCOMPARE(cells, size_t(8));
        double sum = 0;
        for (float x : v)
            if (std::isfinite(x)) sum += x;
        QCOMPARE(sum, 2.0 * double(g.edgeCount()));
        QVERIFY(!nr::adjacencyOrder(g, nr::AdjacencyOrderKind::Class, "nope").ok());
    }
};

QTEST_GUILESS_MAIN(TestMatrixReaders)
#include "test_matrix_readers.moc"
