// The trace analyses as plugins through the headless analyze command, on the real C. elegans recording and
// connectome: functional_connectivity, structure_function, ntf, dynamic_communities.
#include <QCoreApplication>
#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <fstream>
#include <hdf5.h>
#include <map>
#include <sstream>

#include "plugin/AnalyzeCommand.h"
#include "traces/TraceFormats.h"

namespace {

const std::string kData = NR_SHARED_DATA;
const std::string kTraces = kData + "/activity/atanas2023_traces.csv";
const std::string kHerm = kData + "/connectome/herm_full_edgelist.csv";
const std::string kSomas = kData + "/connectome/celegans_somas.csv";

// Runs `neurorama analyze ARGS` and parses its `name=value ...` line.
std::map<std::string, double> analyze(const std::vector<std::string>& args, int& rc, std::string& err) {
    std::ostringstream o, e;
    rc = nr::runAnalyzeCommand(args, o, e);
    err = e.str();
    qInfo("analyze %s: %s", args[0].c_str(), o.str().c_str());
    std::map<std::string, double> m;
    std::istringstream in(o.str());
    std::string kv;
    while (in >> kv) {
        const size_t eq = kv.find('=');
        if (eq != std::string::npos) m[kv.substr(0, eq)] = std::strtod(kv.c_str() + eq + 1, nullptr);
    }
    return m;
}

} // namespace

class TestTracesPlugins : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;

private slots:
    void initTestCase() {
        if (qEnvironmentVariableIsEmpty("NR_PLUGIN_PATH"))
            qputenv("NR_PLUGIN_PATH", (QDir(QCoreApplication::applicationDirPath() + "/..").absolutePath() +
                                       "/lib/neurorama/plugins")
                                          .toLocal8Bit());
    }

    void functionalConnectivity() {
        int rc = 0;
        std::string err;
        auto m = analyze({"functional_connectivity", "--input", kTraces}, rc, err);
        QVERIFY2(rc == 0, err.c_str());
        QCOMPARE(m["neurons"], 98.0);
        QCOMPARE(m["timepoints"], 1600.0);
        QCOMPARE(m["windows"], 1.0);
        QVERIFY2(std::fabs(m["mean_abs_r"] - 0.225896) < 1e-6, std::to_string(m["mean_abs_r"]).c_str());
        const std::string out = tmp_.filePath("fc.csv").toStdString();
        m = analyze({"functional_connectivity", "--input", kTraces, "--param", "window=60", "--param",
                     "step=10", "--out", out},
                    rc, err);
        QVERIFY2(rc == 0, err.c_str());
        QCOMPARE(m["windows"], 89.0);
        QVERIFY(std::fabs(m["mean_abs_r"] - 0.225896) < 1e-6);
        std::ifstream f(out);
        std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
        QVERIFY(text.find("window 88") != std::string::npos);
        QVERIFY(text.find("AVAL") != std::string::npos);
        // A file that is not traces is refused with its name.
        m = analyze({"functional_connectivity", "--input", kHerm}, rc, err);
        QCOMPARE(rc, 1);
        QVERIFY2(err.find(kHerm) != std::string::npos, err.c_str());
    }

    void hdf5WithArrayAndTimePaths() {
        // A transposed (neurons x time, as Julia writes it) HDF5 file: 4 neurons, 50 time points.
        const std::string path = tmp_.filePath("julia.h5").toStdString();
        hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
        hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
        H5Pset_create_intermediate_group(lcpl, 1);
        auto put = [&](const char* name, const std::vector<double>& v, std::vector<hsize_t> dims) {
            hid_t sp = H5Screate_simple(int(dims.size()), dims.data(), nullptr);
            hid_t ds = H5Dcreate2(f, name, H5T_IEEE_F64LE, sp, lcpl, H5P_DEFAULT, H5P_DEFAULT);
            H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
            H5Dclose(ds);
            H5Sclose(sp);
        };
        std::vector<double> v, t;
        for (int i = 0; i < 4; ++i)
            for (int k = 0; k < 50; ++k) v.push_back(std::sin(0.2 * k + (i < 2 ? 0.0 : 1.5)) + 0.01 * i * k);
        for (int k = 0; k < 50; ++k) t.push_back(0.25 * k);
        put("/data/gcamp", v, {4, 50});
        put("/data/other", v, {4, 50});
        put("/timing/t", t, {50});
        H5Pclose(lcpl);
        H5Fclose(f);
        int rc = 0;
        std::string err;
        auto m = analyze({"functional_connectivity", "--input", path, "--param", "array=/data/gcamp",
                          "--param", "time=/timing/t", "--param", "window=5", "--param", "step=2.5"},
                         rc, err);
        QVERIFY2(rc == 0, err.c_str());
        QCOMPARE(m["neurons"], 4.0);
        QCOMPARE(m["timepoints"], 50.0);
        QCOMPARE(m["windows"], double((50 - 20) / 10 + 1));
        // Without the array path the file is ambiguous; a wrong path is named in the error.
        m = analyze({"functional_connectivity", "--input", path, "--param", "array=/data/missing"}, rc, err);
        QCOMPARE(rc, 1);
        QVERIFY2(err.find("/data/missing") != std::string::npos && err.find(path) != std::string::npos,
                 err.c_str());
    }

    void structureFunction() {
        int rc = 0;
        std::string err;
        auto m = analyze({"structure_function", "--input", kTraces, "--param", "connectome=" + kHerm,
                          "--param", "permutations=200"},
                         rc, err);
        QVERIFY2(rc == 0, err.c_str());
        QCOMPARE(m["pairs"], 4753.0);
        QVERIFY(std::isfinite(m["r"]) && std::fabs(m["r"]) < 1);
        QVERIFY(m["p"] > 0 && m["p"] <= 1);
        m = analyze({"structure_function", "--input", kTraces, "--param", "connectome=" + kHerm, "--param",
                     "node_table=" + kSomas, "--param", "pairs=connected", "--param", "synapses=electrical"},
                    rc, err);
        QVERIFY2(rc == 0, err.c_str());
        QVERIFY(m["pairs"] > 10 && m["pairs"] < 4753);
    }

    void ntf() {
        int rc = 0;
        std::string err;
        auto m = analyze(
            {"ntf", "--input", kTraces, "--param", "rank=4", "--param", "window=60", "--param", "step=10"},
            rc, err);
        QVERIFY2(rc == 0, err.c_str());
        QCOMPARE(m["rank"], 4.0);
        QCOMPARE(m["windows"], 89.0);
        QVERIFY(m["rel_error"] > 0 && m["rel_error"] < 1);
        // Deterministic for a seed; a higher rank fits at least as well.
        auto again = analyze(
            {"ntf", "--input", kTraces, "--param", "rank=4", "--param", "window=60", "--param", "step=10"},
            rc, err);
        QCOMPARE(again["rel_error"], m["rel_error"]);
        auto r8 = analyze(
            {"ntf", "--input", kTraces, "--param", "rank=8", "--param", "window=60", "--param", "step=10"},
            rc, err);
        QVERIFY(r8["rel_error"] < m["rel_error"]);
        // A second recording (the last 900 frames without 10 neurons, VB02 spelled VB2): pairs x windows x 2.
        auto t = nr::readTracesWideCsv(kTraces);
        QVERIFY(t.ok());
        nr::Traces second;
        const size_t T = t.value().timepoints();
        for (size_t k = T - 900; k < T; ++k)
            second.time.push_back(t.value().time[k] - t.value().time[T - 900]);
        for (size_t i = 10; i < t.value().neurons(); ++i) {
            const std::string& nm = t.value().names[i];
            second.names.push_back(nm == "VB02" ? "VB2" : nm);
            second.values.insert(second.values.end(), t.value().row(i) + (T - 900), t.value().row(i) + T);
        }
        const std::string path = tmp_.filePath("second.csv").toStdString();
        QVERIFY(!nr::writeTracesCsv(path, second));
        auto two = analyze({"ntf", "--input", kTraces, "--param", "rank=4", "--param", "window=60", "--param",
                            "step=10", "--param", "recordings=" + path},
                           rc, err);
        QVERIFY2(rc == 0, err.c_str());
        QCOMPARE(two["recordings"], 2.0);
        QCOMPARE(two["shared_neurons"], 88.0);
        QCOMPARE(two["windows"], double((900 - 100) / 17 + 1));
        QVERIFY(two["rel_error"] > 0 && two["rel_error"] < 1);
    }

    void dynamicCommunities() {
        int rc = 0;
        std::string err;
        auto m = analyze(
            {"dynamic_communities", "--input", kTraces, "--param", "window=120", "--param", "step=30"}, rc,
            err);
        QVERIFY2(rc == 0, err.c_str());
        QCOMPARE(m["windows"], double((1600 - 200) / 50 + 1));
        QVERIFY(m["mean_communities"] >= 2);
        QVERIFY(m["mean_modularity"] > 0);
    }
};

QTEST_GUILESS_MAIN(TestTracesPlugins)
#include "test_traces_plugins.moc"
