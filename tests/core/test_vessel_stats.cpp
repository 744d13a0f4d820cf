// The vessel_stats plugin through `neurorama analyze`: scalars on the real sample and on a network.dat whose
// values are computed by hand, histograms written with --out.
#include <QCoreApplication>
#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <map>
#include <sstream>

#include "plugin/AnalyzeCommand.h"
#include "vessel/VesselFormats.h"

namespace {
const std::string kNodes = std::string(NR_SHARED_DATA) + "/vessel/example_nodes.csv";

// Three segments, names not contiguous: 1-2 (straight 5 um), 2-3 (12 um), 3-4 (3 um, negative flow).
const char* kNet = "net\n100 100 100 box\n10 10 10 grid\n20 bound\n5 maxlen\n30 maxseg\n"
                   "3 total number of segments\nname type from to diam flow hd\n"
                   "1 5 11 12 2.0 1.0 0.4\n2 5 12 13 4.0 1.0 0.4\n3 5 13 14 6.0 -1.0 0.4\n"
                   "4 number of nodes\nname x y z\n11 0 0 0\n12 3 4 0\n13 3 4 12\n14 3 7 12\n"
                   "0 number of boundary nodes\n";

std::map<std::string, double> scalars(const std::string& line) {
    std::map<std::string, double> m;
    std::istringstream s(line);
    std::string kv;
    while (s >> kv) {
        const size_t eq = kv.find('=');
        if (eq != std::string::npos) m[kv.substr(0, eq)] = std::stod(kv.substr(eq + 1));
    }
    return m;
}
} // namespace

class TestVesselStats : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;

    int analyze(const std::vector<std::string>& args, std::string& out, std::string& err) {
        std::ostringstream o, e;
        const int rc = nr::runAnalyzeCommand(args, o, e);
        out = o.str();
        err = e.str();
        return rc;
    }

private slots:
    void initTestCase() {
        if (qEnvironmentVariableIsEmpty("NR_PLUGIN_PATH"))
            qputenv("NR_PLUGIN_PATH", (QDir(QCoreApplication::applicationDirPath() + "/..").absolutePath() +
                                       "/lib/neurorama/plugins")
                                          .toLocal8Bit());
    }

    void realSample() {
        std::string out, err;
        QVERIFY2(analyze({"vessel_stats", "--input", kNodes}, out, err) == 0, err.c_str());
        // The scalars in their order.
        QVERIFY2(out.rfind("nodes=2970 edges=3062 total_length=74965.1", 0) == 0, out.c_str());
        const size_t mr = out.find(" mean_radius="), co = out.find(" components=2");
        QVERIFY2(mr != std::string::npos && co != std::string::npos && mr < co, out.c_str());
        const auto s = scalars(out);
        QVERIFY(std::fabs(s.at("total_length") - 74965.19489) < 0.01);
        // Mean of avgRadiusAvg, computed here from the reader's column.
        auto g = nr::readVesselCsvPair(kNodes, std::string(NR_SHARED_DATA) + "/vessel/example_edges.csv");
        QVERIFY(g.ok());
        double sum = 0;
        for (float r : *g.value().edgeColumn("avgRadiusAvg")) sum += r;
        QVERIFY(std::fabs(s.at("mean_radius") - sum / 3062.0) < 1e-6);
    }

    void networkByHandAndHistograms() {
        const std::string net = tmp_.filePath("network.dat").toStdString();
        std::ofstream(net) << kNet;
        const std::string csv = tmp_.filePath("stats.csv").toStdString();
        std::string out, err;
        QVERIFY2(analyze({"vessel_stats", "--input", net, "--param", "bins=4", "--out", csv}, out, err) == 0,
                 err.c_str());
        const auto s = scalars(out);
        QCOMPARE(s.at("nodes"), 4.0);
        QCOMPARE(s.at("edges"), 3.0);
        QCOMPARE(s.at("total_length"), 20.0); // Euclidean: 5 + 12 + 3
        QCOMPARE(s.at("mean_radius"), 2.0);   // diameters 2, 4, 6
        QCOMPARE(s.at("components"), 1.0);
        std::ifstream f(csv);
        const std::string text((std::istreambuf_iterator<char>(f)), {});
        for (const char* t :
             {"# table degree_distribution", "# table radius_histogram", "# table length_histogram",
              "# table tortuosity_histogram", "# table length_density"})
            QVERIFY2(text.find(t) != std::string::npos, t);
        // Radius histogram over [1, 3] in 4 bins: 1 | - | 2 | 3 -> counts 1, 0, 1, 1.
        const size_t at = text.find("# table radius_histogram");
        std::istringstream rs(text.substr(at));
        std::string line;
        std::getline(rs, line); // title
        std::getline(rs, line); // header
        QCOMPARE(line, std::string("bin_lo,bin_hi,edges"));
        std::vector<std::string> rows;
        for (int i = 0; i < 4 && std::getline(rs, line); ++i) rows.push_back(line);
        QCOMPARE(rows, (std::vector<std::string>{"1,1.5,1", "1.5,2,0", "2,2.5,1", "2.5,3,1"}));
        // Degrees 1, 2, 2, 1; box 3 x 7 x 12 um.
        QVERIFY(text.find("degree,nodes\n1,2\n2,2\n") != std::string::npos);
        QVERIFY2(text.find("um,252,20,") != std::string::npos, text.c_str());
    }

    void wrongInputIsRefused() {
        std::string out, err;
        const std::string spikes = tmp_.filePath("s.csv").toStdString();
        std::ofstream(spikes) << "unit,time_s\n1,0.5\n";
        QCOMPARE(analyze({"vessel_stats", "--input", spikes}, out, err), 1);
        QVERIFY2(err.find("cannot take") != std::string::npos, err.c_str());
    }
};

QTEST_GUILESS_MAIN(TestVesselStats)
#include "test_vessel_stats.moc"
