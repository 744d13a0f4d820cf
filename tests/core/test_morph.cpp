// SWC morphologies: the real files of the shared data against the README's counts and against a second,
// deliberately plain implementation written here; every SWC variant and pathology, generated in code.
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "io/ReaderRegistry.h"
#include "morph/MorphFormats.h"
#include "morph/Morphology.h"

using namespace nr;

namespace {

const std::string kSwcDir = std::string(NR_SHARED_DATA) + "/neurons/swc/";

// The README's table: nodes, roots, tips, branch points, and its bounding boxes.
struct Expected {
    const char* file;
    size_t nodes, roots, tips, branch;
    double box[6]; // xmin xmax ymin ymax zmin zmax
};
const Expected kFiles[] = {
    {"C031097B-I4.CNG.swc", 5420, 1, 296, 293, {-135.98, 402.08, -401.93, 459.41, -198.27, 33.25}},
    {"C040600B3.CNG.swc", 5543, 1, 206, 198, {-97.41, 325.08, -400.88, 254.92, -215.16, 37.26}},
    {"C080400A3.CNG.swc", 5243, 1, 424, 421, {-228.13, 228.55, -391.19, 164.37, -195.32, 33.15}},
    {"C220498B-I4.CNG.swc", 4911, 1, 253, 247, {-258.11, 197.48, -510.64, 480.39, -86.26, 320.93}},
    {"BG001.CNG.swc", 2810, 1, 99, 98, {18.6, 155.62, 4.03, 119.66, 20.46, 176.7}},
    {"Scnn1a_473845048_m.swc", 3783, 1, 66, 57, {83.2832, 439.9824, 71.3856, 455.5408, 10.9175, 151.5816}},
    {"Pvalb_469628681_m.swc", 1247, 1, 23, 19, {217.1312, 430.8304, 223.4232, 468.3536, 12.88, 51.8}},
    {"1606013050101.swc", 3434, 1, 15, 11, {131.703, 512.372, 115.363, 756.668, 0.84, 134.4}},
    {"Pvalb-IRES-Cre_Ai14-176848.03.01.01_491119484_m.swc",
     6772,
     1,
     96,
     91,
     {106.4497, 518.2583, 79.1785, 491.7187, 14.758, 100.5558}},
};

// ---- the second implementation ---------------------------------------------------------------------------
// Method: read the file with std::getline + std::istringstream (no shared code with the reader), keep nodes
// in a std::map keyed by id, and compute
//   total length = sum over nodes with a parent of the Euclidean distance to that parent (looked up by id);
//   path length of a node = recursive sum of parent distances up to its root (memoised by id);
//   Sholl count at radius r = number of (node, parent) pairs with exactly one end closer than r to the soma;
//   branches = number of children of roots and of nodes with >= 2 children.
struct PlainNode {
    int type;
    double x, y, z, r;
    long long parent;
};
struct Plain {
    std::map<long long, PlainNode> nodes;
    double totalLength = 0, maxPath = 0;
    size_t branches = 0;
    double soma[3] = {0, 0, 0};
};

Plain plainRead(const std::string& path) {
    Plain p;
    std::ifstream f(path);
    std::string line;
    while (std::getline(f, line)) {
        std::istringstream s(line);
        std::string first;
        if (!(s >> first) || first[0] == '#') continue;
        PlainNode n;
        std::istringstream s2(line);
        long long id;
        s2 >> id >> n.type >> n.x >> n.y >> n.z >> n.r >> n.parent;
        p.nodes[id] = n;
    }
    auto dist = [&](const PlainNode& a, const PlainNode& b) {
        return std::sqrt((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y) + (a.z - b.z) * (a.z - b.z));
    };
    std::map<long long, double> memo;
    std::function<double(long long)> path_ = [&](long long id) -> double {
        auto it = memo.find(id);
        if (it != memo.end()) return it->second;
        const PlainNode& n = p.nodes.at(id);
        const double d = n.parent < 0 ? 0.0 : path_(n.parent) + dist(n, p.nodes.at(n.parent));
        memo[id] = d;
        return d;
    };
    std::map<long long, int> kids;
    for (auto& kv : p.nodes) {
        if (kv.second.parent >= 0) {
            p.totalLength += dist(kv.second, p.nodes.at(kv.second.parent));
            ++kids[kv.second.parent];
        }
        p.maxPath = std::max(p.maxPath, path_(kv.first));
        if (kv.second.type == 1) p.soma[0] = kv.second.x, p.soma[1] = kv.second.y, p.soma[2] = kv.second.z;
    }
    for (auto& kv : p.nodes)
        if (kv.second.parent < 0 || kids[kv.first] >= 2) p.branches += size_t(kids[kv.first]);
    return p;
}

int plainSholl(const Plain& p, double r) {
    int n = 0;
    auto d = [&](const PlainNode& a) {
        return std::sqrt((a.x - p.soma[0]) * (a.x - p.soma[0]) + (a.y - p.soma[1]) * (a.y - p.soma[1]) +
                         (a.z - p.soma[2]) * (a.z - p.soma[2]));
    };
    for (auto& kv : p.nodes)
        if (kv.second.parent >= 0 && ((d(kv.second) < r) != (d(p.nodes.at(kv.second.parent)) < r))) ++n;
    return n;
}

Morphology mustParse(const std::string& text, const std::string& name = "gen.swc", double scale = 1.0) {
    SwcOptions o;
    o.unitScale = scale;
    auto m = parseSwc(text, name, o);
    if (!m) qFatal("%s", m.error().str().c_str());
    return m.value();
}

} // namespace

class TestMorph : public QObject {
    Q_OBJECT
private slots:
    void realFilesMatchReadme() {
        for (const auto& e : kFiles) {
            auto m = readSwc(kSwcDir + e.file);
            QVERIFY2(m.ok(), m.ok() ? "" : m.error().str().c_str());
            const Morphometrics r = computeMorphometrics(m.value());
            QCOMPARE(r.nodes, e.nodes);
            QCOMPARE(r.roots, e.roots);
            QCOMPARE(r.tips, e.tips);
            QCOMPARE(r.branchPoints, e.branch);
            for (int k = 0; k < 3; ++k) {
                QVERIFY2(std::fabs(r.bboxMin[k] - e.box[2 * k]) < 1e-3, e.file);
                QVERIFY2(std::fabs(r.bboxMax[k] - e.box[2 * k + 1]) < 1e-3, e.file);
            }
            QCOMPARE(m.value().soma(), 0); // the soma is the root in all of them
        }
    }

    void realFilesMatchSecondImplementation() {
        for (const auto& e : kFiles) {
            const std::string path = kSwcDir + e.file;
            auto m = readSwc(path);
            QVERIFY(m.ok());
            const Morphometrics r = computeMorphometrics(m.value(), 1.0, 25.0);
            const Plain p = plainRead(path);
            QCOMPARE(p.nodes.size(), e.nodes);
            QVERIFY2(std::fabs(r.totalLength - p.totalLength) < 1e-6 * p.totalLength, e.file);
            QVERIFY2(std::fabs(r.maxPathLength - p.maxPath) < 1e-6 * p.maxPath, e.file);
            QVERIFY(r.totalLength > 1000);
            // Sholl profile at every shell
            QVERIFY(!r.shollRadius.empty());
            for (size_t k = 0; k < r.shollRadius.size(); ++k)
                QCOMPARE(r.shollIntersections[k], plainSholl(p, r.shollRadius[k]));
            // branch table: one row per child of a root or branch point; lengths add up to the total
            QCOMPARE(r.branches.size(), p.branches);
            double sum = 0;
            size_t tipEnds = 0;
            for (const auto& b : r.branches) {
                sum += b.length;
                tipEnds += b.endsInTip;
                QVERIFY(b.euclidean <= b.length + 1e-9);
            }
            QVERIFY(std::fabs(sum - r.totalLength) < 1e-6 * r.totalLength);
            QCOMPARE(tipEnds, r.tips);
        }
    }

    void negativeRadiiRepairedWithWarning() {
        auto m = readSwc(kSwcDir + "C031097B-I4.CNG.swc");
        QVERIFY(m.ok());
        QCOMPARE(m.value().warnings.size(), size_t(1));
        const std::string w = m.value().warnings[0];
        QVERIFY2(w.find("C031097B-I4.CNG.swc:") != std::string::npos, w.c_str());
        QVERIFY2(w.find("815 node(s) with negative radius") != std::string::npos, w.c_str());
        QVERIFY(w.find("-0.275") != std::string::npos);
        for (double r : m.value().radius) QVERIFY(r > 0);
        // the first negative radius is on the line the warning names
        const size_t colon = w.find(".swc:") + 5;
        const long line = std::atol(w.c_str() + colon);
        std::ifstream f(kSwcDir + "C031097B-I4.CNG.swc");
        std::string l;
        long n = 0, firstNeg = 0;
        while (std::getline(f, l) && !firstNeg) {
            ++n;
            std::istringstream s(l);
            std::string a;
            double v[7];
            if (!(s >> a) || a[0] == '#') continue;
            std::istringstream s2(l);
            for (double& x : v) s2 >> x;
            if (v[5] < 0) firstNeg = n;
        }
        QCOMPARE(line, firstNeg);
        // other files carry no warning
        auto clean = readSwc(kSwcDir + "BG001.CNG.swc");
        QVERIFY(clean.ok() && clean.value().warnings.empty());
    }

    void zeroBasedCrlfFile() {
        auto m = readSwc(kSwcDir + "Pvalb-IRES-Cre_Ai14-176848.03.01.01_491119484_m.swc");
        QVERIFY(m.ok());
        QCOMPARE(m.value().ids[0], 0LL);
        QCOMPARE(m.value().parent[0], -1);
        QCOMPARE(m.value().parent[1], 0);
    }

    void variants() {
        // 0-based ids
        {
            Morphology m = mustParse("0 1 0 0 0 1 -1\n1 3 3 4 0 0.5 0\n2 3 6 8 0 0.5 1\n");
            QCOMPARE(computeMorphometrics(m).totalLength, 10.0);
        }
        // non-sequential ids, children before parents, tabs and commas
        {
            Morphology m = mustParse("# c\n50\t3\t3,4,0,0.5,7\n7 1 0 0 0 1 -1\n90,3,0,0,2,0.5,7\n");
            const Morphometrics r = computeMorphometrics(m);
            QCOMPARE(r.totalLength, 7.0);
            QCOMPARE(r.branchPoints, size_t(1));
            QCOMPARE(r.tips, size_t(2));
            QCOMPARE(m.parent[0], 1);
        }
        // several roots, no soma, soma not root, CRLF, lone CR, fixed width, trailing spaces
        {
            Morphology m =
                mustParse("   1  2   0.0   0.0  0.0  0.5  -1 \r\n   2  2   1.0   0.0  0.0  0.5   1 \r\n"
                          "  10  3  10.0   0.0  0.0  0.5  -1\r  11  1  10.0   2.0  0.0  2.0  10\r");
            const Morphometrics r = computeMorphometrics(m);
            QCOMPARE(r.nodes, size_t(4));
            QCOMPARE(r.roots, size_t(2));
            QCOMPARE(r.totalLength, 3.0);
            QCOMPARE(m.soma(), 3);
            QCOMPARE(m.line[3], 4);
            QCOMPARE(r.shollCenter[1], 2.0); // Sholl centre is the soma even when it is not a root
        }
        {
            Morphology m = mustParse("1 2 0 0 0 1 -1\n2 2 0 0 5 1 1\n");
            QCOMPARE(m.soma(), -1);
            QCOMPARE(computeMorphometrics(m).roots, size_t(1));
        }
        // unit scale: 8 nm voxels in µm (reader option and analysis factor multiply)
        {
            Morphology m = mustParse("1 1 0 0 0 1 -1\n2 3 0 1000 0 1 1\n", "vox.swc", 0.008);
            QCOMPARE(computeMorphometrics(m).totalLength, 8.0);
            QCOMPARE(computeMorphometrics(m, 0.5).totalLength, 4.0);
        }
        // types that encode topology (5 = fork, 6 = end) are kept as they are
        {
            Morphology m = mustParse("1 1 0 0 0 1 -1\n2 5 1 0 0 1 1\n3 6 2 0 0 1 2\n4 6 1 1 0 1 2\n");
            QCOMPARE(m.type[1], 5);
            QCOMPARE(computeMorphometrics(m).branchPoints, size_t(1));
        }
        // parent 0 in a 1-based file: a root marker, repaired with a warning
        {
            Morphology m = mustParse("1 1 0 0 0 1 0\n2 3 1 0 0 1 1\n", "zero.swc");
            QCOMPARE(m.parent[0], -1);
            QCOMPARE(m.warnings.size(), size_t(1));
            QVERIFY(m.warnings[0].rfind("zero.swc:1: ", 0) == 0);
        }
        // branch orders and path distances for colouring
        {
            Morphology m =
                mustParse("1 1 0 0 0 1 -1\n2 3 1 0 0 1 1\n3 3 2 0 0 1 2\n4 3 1 1 0 1 2\n5 3 1 2 0 1 4\n");
            const MorphTree t = buildTree(m);
            const auto o = branchOrders(m, t);
            const auto d = pathDistances(m, t, 1.0);
            QCOMPARE(o[1], 0);
            QCOMPARE(o[2], 1);
            QCOMPARE(o[4], 1);
            QCOMPARE(d[4], 3.0);
        }
    }

    void pathologies_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("line");
        QTest::addColumn<QString>("reason");
        QTest::newRow("too few columns") << "1 1 0 0 0 1 -1\n2 3 0 0 1\n" << 2 << "expected 7 columns";
        QTest::newRow("not a number") << "1 1 0 0 0 1 -1\n\n2 3 0 abc 1 1 1\n"
                                      << 3 << "y 'abc' is not a number";
        QTest::newRow("fractional id") << "1.5 1 0 0 0 1 -1\n" << 1 << "id '1.5' is not an integer";
        QTest::newRow("duplicate id") << "1 1 0 0 0 1 -1\n2 3 0 0 1 1 1\n2 3 0 0 2 1 1\n"
                                      << 3 << "duplicate id 2 (first on line 2)";
        QTest::newRow("missing parent") << "1 1 0 0 0 1 -1\n2 3 0 0 1 1 1\n# x\n3 3 0 0 2 1 9\n"
                                        << 4 << "missing parent: node 3 names parent 9";
        QTest::newRow("own parent") << "1 1 0 0 0 1 -1\n2 3 0 0 1 1 2\n"
                                    << 2 << "cycle: node 2 is its own parent";
        QTest::newRow("cycle") << "1 1 0 0 0 1 -1\n2 3 0 0 1 1 4\n3 3 0 0 2 1 2\n4 3 0 0 3 1 3\n"
                               << 2 << "cycle in parent links";
        QTest::newRow("no nodes") << "# only a comment\n\n" << 0 << "no nodes";
        QTest::newRow("nan radius") << "1 1 0 0 0 nan -1\n" << 1 << "radius 'nan' is not a number";
    }
    void pathologies() {
        QFETCH(QString, text);
        QFETCH(int, line);
        QFETCH(QString, reason);
        auto m = parseSwc(text.toStdString(), "bad.swc");
        QVERIFY(!m.ok());
        QCOMPARE(QString::fromStdString(m.error().file), QString("bad.swc"));
        QCOMPARE(int(m.error().line), line);
        QVERIFY2(m.error().reason.find(reason.toStdString()) != std::string::npos, m.error().str().c_str());
    }

    void radiusRepairs() {
        Morphology m =
            mustParse("1 1 0 0 0 2 -1\n2 3 0 0 1 0 1\n3 3 0 0 2 -0.5 2\n4 3 0 0 3 0.25 3\n", "r.swc");
        QCOMPARE(m.radius[1], 0.25); // zero -> smallest positive radius
        QCOMPARE(m.radius[2], 0.5);  // negative -> absolute value
        QCOMPARE(m.warnings.size(), size_t(2));
        QVERIFY(m.warnings[0].rfind("r.swc:3: 1 node(s) with negative radius", 0) == 0);
        QVERIFY(m.warnings[1].rfind("r.swc:2: 1 node(s) with zero radius", 0) == 0);
    }

    void foldersAndRegistry() {
        QTemporaryDir dir;
        const std::string d = dir.path().toStdString();
        for (int i = 0; i < 3; ++i) {
            std::ofstream f(d + "/n" + std::to_string(i) + ".swc");
            f << "1 1 0 0 0 1 -1\n";
            for (int k = 0; k <= i; ++k) f << k + 2 << " 3 " << k + 1 << " 0 0 0.5 " << k + 1 << "\n";
        }
        std::ofstream(d + "/notes.txt") << "not an swc\n";
        auto set = readSwcFolder(d);
        QVERIFY(set.ok());
        QCOMPARE(set.value().neurons.size(), size_t(3));
        QCOMPARE(set.value().totalNodes(), size_t(2 + 3 + 4));
        QCOMPARE(set.value().neurons[2].name, std::string("n2"));

        const ReaderRegistry& reg = ReaderRegistry::builtin();
        auto ds = reg.open(d);
        QVERIFY2(ds.ok(), ds.ok() ? "" : ds.error().str().c_str());
        QCOMPARE(ds.value().kind, LayerKind::Morphologies);
        QCOMPARE(ds.value().summary, std::string("neurons=3 nodes=9"));
        auto p = std::any_cast<std::shared_ptr<const MorphologySet>>(ds.value().payload);
        QCOMPARE(p->neurons.size(), size_t(3));

        // one bad file refuses the folder and is named
        std::ofstream(d + "/z_bad.swc") << "1 1 0 0 0 1 -1\n1 3 0 0 1 1 1\n";
        auto bad = reg.open(d);
        QVERIFY(!bad.ok());
        QVERIFY(bad.error().file.find("z_bad.swc") != std::string::npos);
        QCOMPARE(bad.error().line, 2L);

        auto one = reg.open(kSwcDir + "C031097B-I4.CNG.swc", {kSwcDir + "BG001.CNG.swc"});
        QVERIFY(one.ok());
        QCOMPARE(one.value().summary, std::string("neurons=2 nodes=8230"));
        QCOMPARE(one.value().warnings.size(), size_t(1));
        OpenOptions o;
        o.options.push_back({"unit_scale", "0.5"});
        auto scaled = reg.open(kSwcDir + "BG001.CNG.swc", {}, o);
        QVERIFY(scaled.ok());
        auto sp = std::any_cast<std::shared_ptr<const MorphologySet>>(scaled.value().payload);
        QCOMPARE(sp->neurons[0].unitScale, 0.5);
    }
};

QTEST_APPLESS_MAIN(TestMorph)
#include "test_morph.moc"
