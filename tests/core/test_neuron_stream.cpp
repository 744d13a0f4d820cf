// The NEURON spike stream: the frame parser and the receiver against hand-made frames (malformed, truncated,
// wrong token, resumed connections), and real 2-rank mpirun runs of the shipped example model (every spike
// arrives once and in order per gid, even across a lost connection; a killed rank is reported) and of a small
// connectome (mean rate within 15 % of the embedded simulator).
#include "StreamFrames.h"
#include "sim/Models.h"
#include "sim/NeuronRun.h"
#include "sim/NeuronStream.h"
#include "sim/Simulation.h"

#include <QTemporaryDir>
#include <QtTest>

#include <arpa/inet.h>
#include <chrono>
#include <csignal>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <map>
#include <netinet/in.h>
#include <random>
#include <set>
#include <sstream>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace nr;

namespace {

using namespace streamframes;

void sendAll(int fd, const std::string& s) {
    size_t at = 0;
    while (at < s.size()) {
        const ssize_t n = ::send(fd, s.data() + at, s.size() - at, MSG_NOSIGNAL);
        if (n <= 0) return;
        at += size_t(n);
    }
}

// Polls until `done` or the time is up.
template <class F> bool pump(NeuronStreamServer& s, F done, double seconds = 5) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < until) {
        s.poll(20);
        if (done()) return true;
    }
    return false;
}

std::string joined(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += x + "\n";
    return s;
}

// Whether mpirun can start a 1-rank nrniv here (QSKIP otherwise, with the reason).
std::string neuronUnavailable() {
    if (auto e = checkNeuronTools()) return e->str();
    static std::string probe = [] {
        NeuronProcess p;
        NeuronLaunch l;
        l.script = neuronPythonDir() + "/neurorama_network.py";
        l.params = "{\"mode\": \"ei\", \"cells\": 10, \"tstop\": 1, \"stream\": 0}";
        l.quiet = true;
        if (auto e = p.start(l)) return e->str();
        for (int i = 0; i < 3000 && p.running(); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        if (p.running()) {
            p.stop(1);
            return std::string("a 1-rank test run of nrniv under mpirun did not finish in 30 s");
        }
        return p.exitCode() == 0 ? std::string()
                                 : "mpirun -n 1 nrniv exited with status " + std::to_string(p.exitCode());
    }();
    return probe;
}

std::vector<pid_t> childrenOf(pid_t parent) {
    std::vector<pid_t> out;
    DIR* d = ::opendir("/proc");
    if (!d) return out;
    while (dirent* e = ::readdir(d)) {
        const pid_t pid = pid_t(std::atoi(e->d_name));
        if (pid <= 0) continue;
        std::ifstream f("/proc/" + std::string(e->d_name) + "/stat");
        std::string line;
        std::getline(f, line);
        const size_t close = line.rfind(')');
        if (close == std::string::npos) continue;
        std::istringstream rest(line.substr(close + 2));
        char state;
        pid_t ppid = 0;
        rest >> state >> ppid;
        if (ppid == parent) out.push_back(pid);
    }
    ::closedir(d);
    return out;
}

} // namespace

class TestNeuronStream : public QObject {
    Q_OBJECT
private slots:
    void parserReadsFramesSplitAnywhere() {
        const std::string all = hello(0, 2, 7, "") + spikes(0, 1, 0, 10, {{3, 1.5}, {4, 2.5}}) +
                                spikes(0, 2, 10, 20, {}) + endFrame(0, 2, 20, 2);
        for (size_t cut = 0; cut <= all.size(); cut += 7) {
            StreamParser p;
            std::vector<StreamFrame> f;
            QVERIFY(p.feed(reinterpret_cast<const uint8_t*>(all.data()), cut, f));
            QVERIFY(p.feed(reinterpret_cast<const uint8_t*>(all.data()) + cut, all.size() - cut, f));
            QCOMPARE(f.size(), size_t(4));
            QCOMPARE(f[0].runId, uint64_t(7));
            QCOMPARE(f[1].spikes.size(), size_t(2));
            QCOMPARE(f[1].spikes[1].gid, 4u);
            QCOMPARE(f[1].spikes[1].tMs, 2.5);
            QCOMPARE(f[3].type, stream::kEnd);
            QCOMPARE(p.pending(), size_t(0));
        }
    }

    void malformedFramesAreRejectedWithAReason_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("reason");
        auto add = [](const char* name, const std::string& b, const char* why) {
            QTest::newRow(name) << QByteArray(b.data(), qsizetype(b.size())) << QString(why);
        };
        add("bad magic", "XX" + hello(0, 1, 1, "").substr(2), "no \"NR\" magic");
        add("other version", frame(stream::kHello, "", 2), "protocol version 2");
        std::string big = frame(stream::kSpikes, "");
        const uint32_t huge = 0xffffffffu;
        std::memcpy(&big[4], &huge, 4);
        add("oversized", big, "more than the limit");
        add("unknown type", frame(9, "abc"), "unknown frame type 9");
        add("truncated hello", frame(stream::kHello, std::string(6, '\0')), "truncated");
        std::string wrongCount = spikes(0, 1, 0, 10, {{1, 1.0}});
        wrongCount.resize(wrongCount.size() - 4);
        const uint32_t len = uint32_t(wrongCount.size() - 8);
        std::memcpy(&wrongCount[4], &len, 4);
        add("count mismatch", hello(0, 1, 1, "") + wrongCount, "carries 8 bytes");
        add("nan time", hello(0, 1, 1, "") + spikes(0, 1, 0, 10, {{1, std::nan("")}}), "no finite time");
        add("seq zero", hello(0, 1, 1, "") + spikes(0, 0, 0, 10, {}), "sequence number 0");
        add("time backwards", hello(0, 1, 1, "") + spikes(0, 1, 10, 5, {}), "not finite and increasing");
        add("rank out of range", hello(3, 2, 1, ""), "rank 3 of 2");
    }
    void malformedFramesAreRejectedWithAReason() {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, reason);
        StreamParser p;
        std::vector<StreamFrame> f;
        QVERIFY(!p.feed(reinterpret_cast<const uint8_t*>(bytes.data()), size_t(bytes.size()), f));
        QVERIFY2(QString::fromStdString(p.error()).contains(reason), p.error().c_str());
        // Failed parsers stay failed.
        QVERIFY(!p.feed(reinterpret_cast<const uint8_t*>("NR"), 2, f));
    }

    void serverClosesMalformedAndTruncatedConnections() {
        NeuronStreamServer s;
        QVERIFY(!s.listen("127.0.0.1", 0, ""));
        uint64_t got = 0;
        s.setSpikeSink([&](uint32_t, const StreamSpike*, size_t n) { got += n; });
        // Garbage after a good batch: the batch counts, the connection is closed with the reason.
        int fd = connectTo(s.port());
        QVERIFY(fd >= 0);
        sendAll(fd, hello(0, 1, 5, "") + spikes(0, 1, 0, 10, {{1, 1.0}}) + "NRgarbage!");
        std::vector<std::string> msgs;
        QVERIFY(pump(s, [&] {
            for (auto& m : s.takeMessages()) msgs.push_back(m);
            return !msgs.empty() && s.openConnections() == 0;
        }));
        QCOMPARE(got, uint64_t(1));
        QVERIFY2(joined(msgs).find("malformed stream") != std::string::npos, joined(msgs).c_str());
        ::close(fd);
        // A frame cut short by the sender going away.
        fd = connectTo(s.port());
        const std::string half = spikes(0, 2, 10, 20, {{2, 11.0}, {3, 12.0}});
        sendAll(fd, hello(0, 1, 5, "") + half.substr(0, half.size() - 5));
        pump(s, [&] { return s.openConnections() == 1 && s.rankStates().at(0).connected; });
        ::close(fd);
        msgs.clear();
        QVERIFY(pump(s, [&] {
            for (auto& m : s.takeMessages()) msgs.push_back(m);
            return s.openConnections() == 0;
        }));
        QVERIFY2(joined(msgs).find("truncated frame") != std::string::npos, joined(msgs).c_str());
        QVERIFY2(joined(msgs).find("disconnected before its end of run") != std::string::npos,
                 joined(msgs).c_str());
        QCOMPARE(got, uint64_t(1));
        // A spike with a gid past the run's cells.
        fd = connectTo(s.port());
        sendAll(fd, hello(0, 1, 5, "", 10) + spikes(0, 3, 20, 30, {{10, 21.0}}));
        msgs.clear();
        QVERIFY(pump(s, [&] {
            for (auto& m : s.takeMessages()) msgs.push_back(m);
            return s.openConnections() == 0 && !msgs.empty();
        }));
        QVERIFY2(joined(msgs).find("gid 10 but the run has 10 cells") != std::string::npos,
                 joined(msgs).c_str());
        ::close(fd);
    }

    void tokenIsRequiredAndChecked() {
        NeuronStreamServer open;
        auto e = open.listen("0.0.0.0", 0, "");
        QVERIFY(e);
        QVERIFY2(e->str().find("needs a token") != std::string::npos, e->str().c_str());
        QVERIFY(!open.listening());
        NeuronStreamServer s;
        QVERIFY(!s.listen("127.0.0.1", 0, "s3cret"));
        uint64_t got = 0;
        s.setSpikeSink([&](uint32_t, const StreamSpike*, size_t n) { got += n; });
        int fd = connectTo(s.port());
        sendAll(fd, hello(0, 1, 9, "wrong") + spikes(0, 1, 0, 10, {{1, 1.0}}));
        std::vector<std::string> msgs;
        QVERIFY(pump(s, [&] {
            for (auto& m : s.takeMessages()) msgs.push_back(m);
            return !msgs.empty() && s.openConnections() == 0;
        }));
        QVERIFY2(joined(msgs).find("wrong or missing token") != std::string::npos, joined(msgs).c_str());
        QCOMPARE(got, uint64_t(0));
        ::close(fd);
        fd = connectTo(s.port());
        sendAll(fd, hello(0, 1, 9, "s3cret") + spikes(0, 1, 0, 10, {{1, 1.0}}) + endFrame(0, 1, 10, 1));
        QVERIFY(pump(s, [&] { return s.allEnded(); }));
        QCOMPARE(got, uint64_t(1));
        ::close(fd);
    }

    void reconnectReplaysWithoutDuplicates() {
        NeuronStreamServer s;
        QVERIFY(!s.listen("127.0.0.1", 0, ""));
        std::vector<StreamSpike> got;
        s.setSpikeSink([&](uint32_t, const StreamSpike* x, size_t n) { got.insert(got.end(), x, x + n); });
        int fd = connectTo(s.port());
        sendAll(fd,
                hello(1, 2, 11, "") + spikes(1, 1, 0, 10, {{1, 1.0}}) + spikes(1, 2, 10, 20, {{1, 15.0}}));
        QVERIFY(pump(s, [&] { return got.size() == 2; }));
        ::close(fd);
        // The rank comes back and replays batches 1..3: only 3 is new. Batch 5 skips 4: one missing.
        fd = connectTo(s.port());
        sendAll(fd, hello(1, 2, 11, "") + spikes(1, 1, 0, 10, {{1, 1.0}}) +
                        spikes(1, 2, 10, 20, {{1, 15.0}}) + spikes(1, 3, 20, 30, {{2, 25.0}}) +
                        spikes(1, 5, 40, 50, {{2, 45.0}}) + endFrame(1, 5, 50, 4));
        QVERIFY(pump(s, [&] { return s.rankStates().at(1).ended; }));
        QCOMPARE(got.size(), size_t(3 + 0) + 1);
        QCOMPARE(got[2].tMs, 25.0);
        QCOMPARE(s.rankStates().at(1).duplicates, uint64_t(2));
        QCOMPARE(s.missingBatches(), uint64_t(1));
        QCOMPARE(s.latestMs(), 50.0);
        QVERIFY(!s.allEnded()); // rank 0 never came
        ::close(fd);
        // A new run id starts afresh.
        fd = connectTo(s.port());
        sendAll(fd, hello(0, 1, 12, "") + spikes(0, 1, 0, 10, {{7, 3.0}}) + endFrame(0, 1, 10, 1));
        QVERIFY(pump(s, [&] { return s.allEnded(); }));
        QCOMPARE(s.runId(), uint64_t(12));
        QCOMPARE(s.spikes(), uint64_t(1));
        ::close(fd);
    }

    void missingToolsNamePackages() {
        const QByteArray old = qgetenv("PATH");
        qputenv("PATH", "/nonexistent");
        auto e = checkNeuronTools();
        qputenv("PATH", old);
        QVERIFY(e);
        QVERIFY2(e->str().find("openmpi-bin, neuron and python3-neuron") != std::string::npos,
                 e->str().c_str());
    }

    // A real 2-rank run of the example network. Each rank also writes every spike it records to a file; the
    // stream must deliver exactly those, once each, in time order per gid, although the receiver drops every
    // connection once in the middle of the run.
    void twoRankRunDeliversEverySpikeOnce() {
        if (auto why = neuronUnavailable(); !why.empty())
            QSKIP(("mpirun cannot start NEURON here: " + why).c_str());
        QTemporaryDir dir;
        const std::string prefix = dir.path().toStdString() + "/spk";
        NeuronStreamServer s;
        QVERIFY(!s.listen("127.0.0.1", 0, "tok"));
        std::vector<StreamSpike> got;
        s.setSpikeSink([&](uint32_t, const StreamSpike* x, size_t n) { got.insert(got.end(), x, x + n); });
        NeuronLaunch l;
        l.script = neuronPythonDir() + "/neurorama_network.py";
        l.ranks = 2;
        l.params = "{\"mode\": \"ei\", \"cells\": 1000, \"tstop\": 400, \"out\": \"" + prefix + "\"}";
        l.address = "127.0.0.1:" + std::to_string(s.port());
        l.token = "tok";
        l.runId = 42;
        l.intervalMs = 5;
        NeuronProcess p;
        QVERIFY(!p.start(l));
        bool cut = false;
        std::vector<std::string> msgs;
        const auto t0 = std::chrono::steady_clock::now();
        int idle = 0;
        while ((p.running() || s.openConnections() > 0) && idle < 50 &&
               std::chrono::steady_clock::now() - t0 < std::chrono::seconds(120)) {
            s.poll(20);
            if (!p.running()) ++idle;
            for (auto& m : s.takeMessages()) msgs.push_back(m);
            if (!cut && s.completeUntilMs() > 100) {
                s.disconnectAll();
                cut = true;
            }
        }
        QVERIFY2(cut, "the run never reached 100 ms of model time");
        QCOMPARE(p.exitCode(), 0);
        QVERIFY2(s.allEnded(), joined(msgs).c_str());
        QCOMPARE(s.ranks(), 2u);
        QCOMPARE(s.missingBatches(), uint64_t(0));
        QCOMPARE(s.droppedBatches(), uint64_t(0));
        QVERIFY2(s.duplicates() > 0, "the reconnect replayed nothing (the cut came too late?)");
        // What the ranks recorded, from their own files.
        std::multiset<std::pair<uint32_t, double>> recorded;
        for (int r = 0; r < 2; ++r) {
            std::ifstream f(prefix + ".rank" + std::to_string(r) + ".txt");
            QVERIFY(f.good());
            double g, t;
            while (f >> g >> t) recorded.insert({uint32_t(g), t});
        }
        QVERIFY(recorded.size() > 1000);
        std::multiset<std::pair<uint32_t, double>> arrived;
        std::map<uint32_t, double> last;
        for (const auto& x : got) {
            arrived.insert({x.gid, x.tMs});
            auto it = last.find(x.gid);
            QVERIFY2(it == last.end() || it->second < x.tMs,
                     ("gid " + std::to_string(x.gid) + " out of order").c_str());
            last[x.gid] = x.tMs;
        }
        QCOMPARE(got.size(), recorded.size());
        QVERIFY(arrived == recorded);
        uint64_t recordedByRanks = 0;
        for (const auto& [r, st] : s.rankStates()) recordedByRanks += st.recorded;
        QCOMPARE(recordedByRanks, uint64_t(recorded.size()));
    }

    // A rank killed in the middle: the receiver reports it, mpirun fails, nothing hangs.
    void killedRankIsReported() {
        if (auto why = neuronUnavailable(); !why.empty())
            QSKIP(("mpirun cannot start NEURON here: " + why).c_str());
        NeuronStreamServer s;
        QVERIFY(!s.listen("127.0.0.1", 0, ""));
        NeuronLaunch l;
        l.script = neuronPythonDir() + "/neurorama_network.py";
        l.ranks = 2;
        l.params = "{\"mode\": \"ei\", \"cells\": 1000, \"tstop\": 100000}";
        l.address = "127.0.0.1:" + std::to_string(s.port());
        l.runId = 43;
        l.quiet = true;
        NeuronProcess p;
        QVERIFY(!p.start(l));
        QVERIFY(pump(
            s, [&] { return s.completeUntilMs() > 20; }, 60));
        std::vector<pid_t> kids = childrenOf(p.pid());
        QVERIFY2(!kids.empty(), "no rank processes under mpirun");
        ::kill(kids.front(), SIGKILL);
        std::vector<std::string> msgs;
        QVERIFY(pump(
            s,
            [&] {
                for (auto& m : s.takeMessages()) msgs.push_back(m);
                return joined(msgs).find("disconnected before its end of run") != std::string::npos;
            },
            30));
        const auto t0 = std::chrono::steady_clock::now();
        while (p.running() && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(20)) s.poll(50);
        if (p.running()) p.stop(2); // mpirun normally ends the job itself; Stop must end it otherwise
        QVERIFY(!p.running());
        QVERIFY(p.exitCode() != 0);
        QVERIFY(!s.allEnded());
        QVERIFY(pump(
            s, [&] { return s.openConnections() == 0; }, 10));
    }

    // The same small connectome on both engines: mean rates within 15 %.
    void connectomeRatesMatchEmbedded() {
        if (auto why = neuronUnavailable(); !why.empty())
            QSKIP(("mpirun cannot start NEURON here: " + why).c_str());
        QTemporaryDir dir;
        const std::string path = dir.path().toStdString() + "/small_edgelist.csv";
        {
            std::ofstream f(path);
            f << "Source,Target,Weight,Type\n";
            std::mt19937 rng(3);
            const int n = 80;
            for (int i = 0; i < n; ++i)
                for (int j = 0; j < n; ++j) {
                    if (i == j) continue;
                    const double u = std::uniform_real_distribution<double>(0, 1)(rng);
                    if (u < 0.08)
                        f << "N" << i << ",N" << j << "," << 1 + int(u * 100) % 8 << ",chemical\n";
                    else if (u < 0.1 && i < j)
                        f << "N" << i << ",N" << j << "," << 1 + int(u * 1000) % 4 << ",electrical\n";
                }
            // Two GABAergic cells give inhibitory edges.
            for (int j = 0; j < 40; ++j)
                f << "GABA_1,N" << j << ",3,chemical\nGABA_2,N" << 40 + j << ",3,chemical\n";
            for (int j = 0; j < 10; ++j)
                f << "N" << j << ",GABA_1,2,chemical\nN" << 40 + j << ",GABA_2,2,chemical\n";
        }
        const double seconds = 2;
        ModelRequest req;
        req.model = path;
        auto net = buildModel(req);
        QVERIFY2(net, net ? "" : net.error().str().c_str());
        QVERIFY(!net.value().gaps.empty());
        QVERIFY(!net.value().synapses[1].target.empty());
        Simulation sim;
        QVERIFY(!sim.init(net.value(), req.seed));
        for (int k = 0; k < int(seconds * 1e4); ++k) sim.step();
        const double embedded = sim.meanRateHz();
        QVERIFY(embedded > 2);
        NeuronEngineOptions o;
        o.req = req;
        o.seconds = seconds;
        o.ranks = 2;
        std::ostringstream log;
        uint64_t n = 0;
        auto r = runNeuronEngine(
            o, [&](uint32_t, double) { ++n; }, log);
        QVERIFY2(r, r ? "" : (r.error().str() + "\n" + log.str()).c_str());
        QCOMPARE(r.value().cells, net.value().n);
        QCOMPARE(r.value().spikes, n);
        const double neuron = r.value().rateHz;
        qInfo("embedded %.3f Hz, NEURON %.3f Hz", embedded, neuron);
        QVERIFY2(std::fabs(neuron - embedded) <= 0.15 * embedded,
                 qPrintable(QString("embedded %1 Hz, NEURON %2 Hz").arg(embedded).arg(neuron)));
    }
};

QTEST_GUILESS_MAIN(TestNeuronStream)
#include "test_neuron_stream.moc"
