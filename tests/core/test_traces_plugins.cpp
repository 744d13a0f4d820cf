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

    // With --out, a matrix over the memory budget is computed in blocks of rows and streamed to the file; the
    // file is the one the in-memory run writes (numbers to rounding), for CSV and JSON, Pearson and Spearman.
    void functionalConnectivityInBlocks() {
        nr::Traces t;
        const size_t n = 600, T = 100;
        for (size_t i = 0; i < n; ++i) t.names.push_back("n" + std::to_string(i));
        for (size_t k = 0; k < T; ++k) t.time.push_back(0.1 * double(k));
        t.values.resize(n * T);
        uint64_t x = 12345;
        for (size_t i = 0; i < n; ++i)
            for (size_t k = 0; k < T; ++k) {
                x = x * 6364136223846793005ull + 1442695040888963407ull;
                const double noise = double(x >> 11) / double(1ull << 53) - 0.5;
                t.values[i * T + k] = float(std::sin(0.05 * double(k) * double(1 + i % 7)) + noise);
            }
        for (size_t k = 10; k < 14; ++k) t.values[5 * T + k] = NAN; // NaN frames: pairs computed apart
        t.values[7 * T + 50] = NAN;
        for (size_t k = 0; k < T; ++k) t.values[9 * T + k] = 2.0f; // constant: no r
        t.countNaN();
        const std::string in = tmp_.filePath("many.csv").toStdString();
        QVERIFY(!nr::writeTracesCsv(in, t));
        // Tokens of a results file; numbers compared to 1e-9.
        auto tokens = [](const std::string& path) {
            std::ifstream f(path);
            std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>()), cur;
            std::vector<std::string> out;
            for (char c : s) {
                if (std::string(",[]{}:\n ").find(c) != std::string::npos) {
                    if (!cur.empty()) out.push_back(cur);
                    cur.clear();
                } else {
                    cur += c;
                }
            }
            if (!cur.empty()) out.push_back(cur);
            return out;
        };
        auto same = [&](const std::string& a, const std::string& b) {
            const auto ta = tokens(a), tb = tokens(b);
            if (ta.size() != tb.size() || ta.size() < n * n)
                return "token counts " + std::to_string(ta.size()) + " and " + std::to_string(tb.size());
            for (size_t i = 0; i < ta.size(); ++i) {
                if (ta[i] == tb[i]) continue;
                char *ea = nullptr, *eb = nullptr;
                const double va = std::strtod(ta[i].c_str(), &ea), vb = std::strtod(tb[i].c_str(), &eb);
                if (*ea || *eb || !(std::fabs(va - vb) <= 1e-9))
                    return "token " + std::to_string(i) + ": " + ta[i] + " vs " + tb[i];
            }
            return std::string();
        };
        for (const std::string method : {"pearson", "spearman"})
            for (const std::string ext : {"csv", "json"}) {
                const std::string whole =
                    tmp_.filePath(QString::fromStdString("whole_" + method + "." + ext)).toStdString();
                const std::string blocks =
                    tmp_.filePath(QString::fromStdString("blocks_" + method + "." + ext)).toStdString();
                int rc = 0;
                std::string err;
                const std::vector<std::string> args = {"functional_connectivity", "--input", in, "--param",
                                                       "method=" + method};
                auto withOut = [&](const std::string& out) {
                    auto a = args;
                    a.insert(a.end(), {"--out", out});
                    return a;
                };
                auto m1 = analyze(withOut(whole), rc, err);
                QVERIFY2(rc == 0, err.c_str());
                // A budget of 3 MiB: the matrices need about 9 MiB (Pearson) or 16 MiB (Spearman).
                qputenv("NR_MEMORY_LIMIT_MIB", "3");
                auto refused = analyze(args, rc, err);
                QCOMPARE(rc, 1);
                QVERIFY2(err.find("functional_connectivity of 600 neurons (179700 pairs) needs about") !=
                             std::string::npos,
                         err.c_str());
                auto m2 = analyze(withOut(blocks), rc, err);
                qunsetenv("NR_MEMORY_LIMIT_MIB");
                QVERIFY2(rc == 0, err.c_str());
                QCOMPARE(m2["neurons"], 600.0);
                QVERIFY2(std::fabs(m1["mean_abs_r"] - m2["mean_abs_r"]) < 1e-12, err.c_str());
                QVERIFY(m1["mean_abs_r"] > 0.05);
                const std::string diff = same(whole, blocks);
                QVERIFY2(diff.empty(), (method + "." + ext + ": " + diff).c_str());
                QVERIFY(
                    !QFile::exists(QString::fromStdString(blocks + ".rows"))); // the scratch rows are gone
            }
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
