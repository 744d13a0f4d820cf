// Plugin registry, parameter checking, result files, the headless analyze command, the out-of-tree SDK build.
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include "io/TrialIO.h"
#include "plugin/AnalyzeCommand.h"
#include "plugin/PluginRegistry.h"
#include "plugin/ResultsIO.h"

using namespace nr;

namespace {

// The build tree: tests live in <build>/bin.
QString buildDir() {
    return QDir(QCoreApplication::applicationDirPath() + "/..").absolutePath();
}

class ThrowingPlugin : public AnalysisPlugin {
public:
    std::string name() const override { return "thrower"; }
    std::string description() const override { return "throws"; }
    InputKinds inputs() const override { return SpikeTrainsInput; }
    std::vector<ParamSpec> parameters() const override { return {}; }
    Result<Results> run(const Inputs&, const Params&, Progress&) const override {
        throw std::runtime_error("deliberate failure");
    }
};

// Structured trial data: 6 conditions, 12 units, 6 trials, Poisson counts around condition-specific means.
void writeTrialFixture(const std::string& spikes, const std::string& trials) {
    std::mt19937 rng(21);
    std::uniform_real_distribution<double> mu(1, 12);
    TrialData d;
    for (int c = 0; c < 6; ++c) {
        std::vector<double> m(12);
        for (auto& x : m) x = mu(rng);
        for (int k = 0; k < 6; ++k) {
            const int id = c * 100 + k;
            d.addTrial(id, "s" + std::to_string(c));
            for (int u = 0; u < 12; ++u) {
                std::poisson_distribution<int> p(m[size_t(u)]);
                const int n = p(rng);
                for (int s = 0; s < n; ++s) d.addSpike(u, id, (s + 0.5) / (n + 1.0));
            }
        }
    }
    if (writeTrialCsv(d, spikes, trials)) qFatal("cannot write fixture");
}

int analyze(const std::vector<std::string>& args, std::string& out, std::string& err) {
    std::ostringstream o, e;
    const int rc = runAnalyzeCommand(args, o, e);
    out = o.str();
    err = e.str();
    return rc;
}

} // namespace

class TestPlugins : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::string spikes_, trials_;

private slots:
    void initTestCase() {
        if (qEnvironmentVariableIsEmpty("NR_PLUGIN_PATH"))
            qputenv("NR_PLUGIN_PATH", (buildDir() + "/lib/neurorama/plugins").toLocal8Bit());
        spikes_ = dir_.filePath("fx_spikes.csv").toStdString();
        trials_ = dir_.filePath("fx_trials.csv").toStdString();
        writeTrialFixture(spikes_, trials_);
    }

    void registryLoadsBuiltPlugins() {
        PluginRegistry reg;
        reg.load();
        for (const char* n : {"rdm", "shesha", "pca", "firing_stats", "graph_communities"})
            QVERIFY2(reg.find(n), n);
        const AnalysisPlugin* s = reg.find("shesha");
        QVERIFY(s->inputs() & TrialDataInput);
        bool hasSplits = false;
        for (const auto& p : s->parameters())
            if (p.name == "splits") hasSplits = p.defaultValue == "100" && p.type == ParamSpec::Type::Int;
        QVERIFY(hasSplits);
        QVERIFY(reg.find("graph_communities")->inputs() & GraphInput);
    }

    void brokenPluginIsReportedAndSkipped() {
        QTemporaryDir junk;
        QFile f(junk.filePath("libbroken.so"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("this is not an ELF shared object at all\n");
        f.close();
        PluginRegistry reg;
        reg.addSearchDir(junk.path().toStdString());
        reg.load();
        bool reported = false;
        for (const auto& p : reg.problems())
            if (p.name == "libbroken.so" && p.file.find("libbroken.so") != std::string::npos) reported = true;
        QVERIFY(reported);
        QVERIFY(reg.find("rdm") && reg.find("shesha")); // the rest go on
        // Loading the same folder again does not report twice.
        const size_t n = reg.problems().size();
        reg.load();
        QCOMPARE(reg.problems().size(), n);
    }

    void throwingRunIsReportedByName() {
        ThrowingPlugin t;
        Inputs in;
        in.spikes = std::make_shared<const SpikeTrains>();
        in.source = "x.csv";
        Progress p;
        auto r = PluginRegistry::run(t, in, {}, p);
        QVERIFY(!r.ok());
        QVERIFY(r.error().reason.find("plugin thrower failed: deliberate failure") != std::string::npos);
        // Wrong kind of input is refused before running.
        Inputs g;
        g.graph = std::make_shared<const Graph>();
        auto w = PluginRegistry::run(t, g, {}, p);
        QVERIFY(!w.ok());
        QVERIFY(w.error().reason.find("cannot use this input") != std::string::npos);
    }

    void parameterChecking() {
        using T = ParamSpec::Type;
        const std::vector<ParamSpec> specs = {{"n", T::Int, "5", 1, 10, {}, ""},
                                              {"x", T::Double, "0.5", 0, 1, {}, ""},
                                              {"m", T::Enum, "a", 0, 0, {"a", "b"}, ""},
                                              {"f", T::Bool, "false", 0, 0, {}, ""}};
        auto ok = resolveParams(specs, {{"n", "7"}, {"f", "yes"}});
        QVERIFY(ok.ok());
        QCOMPARE(ok.value().integer("n"), 7LL);
        QCOMPARE(ok.value().number("x"), 0.5);
        QCOMPARE(ok.value().text("m"), std::string("a"));
        QVERIFY(ok.value().flag("f"));
        QVERIFY(!resolveParams(specs, {{"n", "11"}}).ok());
        QVERIFY(!resolveParams(specs, {{"n", "2.5"}}).ok());
        QVERIFY(!resolveParams(specs, {{"x", "abc"}}).ok());
        QVERIFY(!resolveParams(specs, {{"m", "c"}}).ok());
        auto unk = resolveParams(specs, {{"zz", "1"}});
        QVERIFY(!unk.ok());
        QVERIFY(unk.error().reason.find("unknown parameter 'zz'") != std::string::npos);
    }

    void analyzeSheshaFormat() {
        std::string out, err;
        const int rc =
            analyze({"shesha", "--input", spikes_, "--param", "splits=25", "--param", "seed=3"}, out, err);
        QVERIFY2(rc == 0, err.c_str());
        const QRegularExpression re("^shesha=(\\S+) ci_low=(\\S+) ci_high=(\\S+) splits=25\\n$");
        const auto m = re.match(QString::fromStdString(out));
        QVERIFY2(m.hasMatch(), out.c_str());
        const double s = m.captured(1).toDouble(), lo = m.captured(2).toDouble(),
                     hi = m.captured(3).toDouble();
        QVERIFY(lo <= s && s <= hi);
        QVERIFY(s > 0.3 && s <= 1.0); // structured fixture
        // Same through the library: identical numbers.
        auto d = readTrialData(spikes_);
        QVERIFY(d.ok());
        std::string out2, err2;
        QCOMPARE(analyze({"shesha", "--input", spikes_, "--trials", trials_, "--param", "splits=25",
                          "--param", "seed=3"},
                         out2, err2),
                 0);
        QCOMPARE(out2, out);
        // Odd-even: splits=1 and the interval collapses onto the value.
        QCOMPARE(analyze({"shesha", "--input", spikes_, "--param", "split=odd-even"}, out, err), 0);
        const auto m2 = re.match(QString::fromStdString(out));
        QVERIFY(!m2.hasMatch());
        QVERIFY(QString::fromStdString(out).endsWith("splits=1\n"));
    }

    void analyzeOtherPluginsAndFiles() {
        std::string out, err;
        const std::string csv = std::string(NR_SHARED_DATA) + "/spikes/spikes.csv";
        QCOMPARE(analyze({"firing_stats", "--input", csv}, out, err), 0);
        QVERIFY2(out.rfind("units=3 mean_rate_hz=", 0) == 0, out.c_str());
        // Mean rate over units = (21354 / 3) / span of the spikes.
        const double span = 1087.352833 - 0.028133;
        const double rate =
            QString::fromStdString(out).section("mean_rate_hz=", 1).section(' ', 0, 0).toDouble();
        QVERIFY(std::fabs(rate - 21354.0 / 3 / span) < 1e-3);
        const std::string nwb = std::string(NR_SHARED_DATA) + "/spikes/A8604-211122.nwb";
        QCOMPARE(analyze({"firing_stats", "--input", nwb}, out, err), 0);
        QVERIFY(out.rfind("units=3 ", 0) == 0);
        // JSON and CSV result files carry the parameters.
        const std::string json = dir_.filePath("rdm.json").toStdString();
        QCOMPARE(analyze({"rdm", "--input", spikes_, "--param", "metric=euclidean", "--out", json}, out, err),
                 0);
        QVERIFY(out.rfind("conditions=6 units=12 mean_dissimilarity=", 0) == 0);
        std::ifstream j(json);
        const std::string js((std::istreambuf_iterator<char>(j)), std::istreambuf_iterator<char>());
        QVERIFY(js.find("\"plugin\": \"rdm\"") != std::string::npos);
        QVERIFY(js.find("\"metric\": \"euclidean\"") != std::string::npos);
        QVERIFY(js.find("\"row_labels\": [\"s0\",\"s1\"") != std::string::npos);
        const std::string csvOut = dir_.filePath("pca.csv").toStdString();
        QCOMPARE(analyze({"pca", "--input", spikes_, "--param", "bin_ms=100", "--out", csvOut}, out, err), 0);
        QVERIFY(out.find("explained_pc1=") != std::string::npos);
        std::ifstream c(csvOut);
        const std::string cs((std::istreambuf_iterator<char>(c)), std::istreambuf_iterator<char>());
        QVERIFY(cs.find("# param bin_ms=100") != std::string::npos);
        QVERIFY(cs.find("# table trajectories") != std::string::npos);
    }

    void analyzeErrors() {
        std::string out, err;
        // Bad input file: FILE:LINE: reason, non-zero.
        const std::string bad = dir_.filePath("bad_spikes.csv").toStdString();
        std::ofstream(bad) << "unit,trial,time_s\n0,0,0.5\n0,0,0.1s\n";
        QVERIFY(analyze({"shesha", "--input", bad, "--trials", trials_}, out, err) != 0);
        QVERIFY2(err.find(bad + ":3: spike time '0.1s' is not a number") != std::string::npos, err.c_str());
        QVERIFY(out.empty());
        // Analysis error: empty window.
        QVERIFY(analyze({"shesha", "--input", spikes_, "--param", "window=0.5:0.2"}, out, err) != 0);
        QVERIFY2(err.find("empty window") != std::string::npos, err.c_str());
        // Unknown plugin, unknown parameter, usage.
        QVERIFY(analyze({"nosuch", "--input", spikes_}, out, err) != 0);
        QVERIFY(err.find("no analysis plugin named 'nosuch'") != std::string::npos);
        QVERIFY(analyze({"rdm", "--input", spikes_, "--param", "bogus=1"}, out, err) != 0);
        QVERIFY(err.find("unknown parameter 'bogus'") != std::string::npos);
        QCOMPARE(analyze({"rdm"}, out, err), 2);
        QCOMPARE(analyze({}, out, err), 2);
    }

    void sdkExampleBuildsOutOfTree() {
        const QString build = buildDir();
        QVERIFY2(QFile::exists(build + "/CMakeCache.txt"), qPrintable(build));
        QTemporaryDir work;
        const QString prefix = work.filePath("prefix"), exBuild = work.filePath("ex");
        auto run = [](const QStringList& args) {
            QProcess p;
            p.setProcessChannelMode(QProcess::MergedChannels);
            p.start("cmake", args);
            p.waitForFinished(600000);
            const QByteArray log = p.readAll();
            if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) qWarning("%s", log.constData());
            return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
        };
        QVERIFY(run({"--install", build, "--component", "plugin_sdk", "--prefix", prefix}));
        QVERIFY(QFile::exists(prefix + "/include/neurorama/plugin/AnalysisPlugin.h"));
        QVERIFY(run({"-S", QString(NR_TEST_SOURCE_DIR) + "/../plugins/sdk-example", "-B", exBuild,
                     "-DCMAKE_PREFIX_PATH=" + prefix, "-DCMAKE_BUILD_TYPE=Release"}));
        QVERIFY(run({"--build", exBuild}));
        PluginRegistry reg;
        reg.addSearchDir(exBuild.toStdString());
        reg.load();
        const AnalysisPlugin* p = reg.find("spike_count");
        QVERIFY2(p, "example plugin did not load");
        auto d = readTrialData(spikes_);
        QVERIFY(d.ok());
        Inputs in;
        in.trials = std::make_shared<const TrialData>(d.value());
        Progress prog;
        auto r = PluginRegistry::run(*p, in, {{"scale", "2"}}, prog);
        QVERIFY(r.ok());
        QCOMPARE(r.value().scalar("spikes")->value, 2.0 * double(d.value().spikeCount()));
        QCOMPARE(r.value().params.at("scale"), std::string("2"));
    }
};

QTEST_GUILESS_MAIN(TestPlugins)
#include "test_plugins.moc"
