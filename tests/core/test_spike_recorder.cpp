// SpikeRecorder (sim/SpikeRecorder.h): chunks on disk with a bounded buffer, read back whole or newest-first
// within a byte budget, scanned and checked from the file alone; the live runner records every spike the
// engine produced to it.
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <fstream>
#include <iterator>
#include <thread>

#include "sim/SimulationRunner.h"
#include "sim/SpikeRecorder.h"

class TestSpikeRecorder : public QObject {
    Q_OBJECT

private slots:
    void chunksAndReadBack() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("r.nrspk").toStdString();
        nr::SpikeRecorder rec(100);
        QVERIFY(!rec.open(path));
        for (uint32_t k = 0; k < 1050; ++k) rec.add(0.001 * k, k % 7);
        QCOMPARE(rec.count(), uint64_t(1050));
        QCOMPARE(rec.written(), uint64_t(1000)); // ten full chunks on disk
        QCOMPARE(rec.bufferedSpikes(), size_t(50));
        nr::SpikeTrains all;
        bool truncated = true;
        QVERIFY(!rec.readBack(all, uint64_t(1) << 30, &truncated));
        QVERIFY(!truncated);
        QCOMPARE(all.spikeCount(), size_t(1050));
        for (uint32_t k = 0; k < 1050; ++k) {
            QCOMPARE(all.times[k], 0.001 * k);
            QCOMPARE(all.units[k], k % 7);
        }
        // 12 bytes per spike: a budget of 400 spikes gives the buffer (50) and the newest 3 chunks.
        nr::SpikeTrains recent;
        QVERIFY(!rec.readBack(recent, 400 * 12, &truncated));
        QVERIFY(truncated);
        QCOMPARE(recent.spikeCount(), size_t(350));
        QCOMPARE(recent.times.front(), 0.001 * 700);
        QCOMPARE(recent.times.back(), 0.001 * 1049);
        QVERIFY(!rec.flush());
        auto scan = nr::SpikeRecorder::scan(path);
        QVERIFY2(scan.ok(), scan.ok() ? "" : scan.error().str().c_str());
        QCOMPARE(scan.value().spikes, uint64_t(1050));
        QCOMPARE(scan.value().chunks, uint64_t(11));
        QCOMPARE(scan.value().maxUnit, uint32_t(6));
        QCOMPARE(scan.value().tLast, 0.001 * 1049);
        QCOMPARE(QFileInfo(QString::fromStdString(path)).size(), qint64(16 + 11 * 8 + 1050 * 12));
        QVERIFY(!rec.clear());
        QCOMPARE(rec.count(), uint64_t(0));
        QCOMPARE(nr::SpikeRecorder::scan(path).value().spikes, uint64_t(0));
    }

    void anonymousFile() {
        nr::SpikeRecorder rec(8);
        QVERIFY(!rec.open());
        QVERIFY(rec.isOpen());
        QVERIFY(rec.path().empty());
        for (int k = 0; k < 20; ++k) rec.add(k, 1);
        nr::SpikeTrains s;
        QVERIFY(!rec.readBack(s, 1 << 20));
        QCOMPARE(s.spikeCount(), size_t(20));
        QCOMPARE(s.times[19], 19.0);
    }

    void scanRefusesDamage() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("d.nrspk").toStdString();
        {
            nr::SpikeRecorder rec(4);
            QVERIFY(!rec.open(path));
            for (int k = 0; k < 8; ++k) rec.add(k, 0);
            QVERIFY(!rec.flush());
        }
        std::ifstream in(path, std::ios::binary);
        const std::string good((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        auto check = [&](const std::string& bytes, const std::string& expect) {
            std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
            auto r = nr::SpikeRecorder::scan(path);
            QVERIFY2(!r.ok(), expect.c_str());
            QVERIFY2(r.error().reason.find(expect) != std::string::npos, r.error().str().c_str());
        };
        check(good.substr(0, good.size() - 5), "runs past the end of the file");
        check("NOTSPIKE" + good.substr(8), "missing the NRSPKREC header");
        std::string b = good;
        b[16] = 'X';
        check(b, "without its CHNK mark");
        b = good;
        const double back = -1;
        std::memcpy(&b[16 + 8 + 8], &back, 8); // second spike before the first
        check(b, "goes backwards");
    }

    void runnerRecordsEverySpike() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("run.nrspk").toStdString();
        nr::SimulationRunner runner(256); // a tiny ring: the display side overflows, the recording must not
        QVERIFY(!runner.recordTo(path));
        nr::ModelRequest req;
        req.model = "attractor";
        QVERIFY(!runner.load(req));
        runner.setSpeed(0);
        runner.stepMs(3000);
        runner.sync();
        const nr::RunnerStatus st = runner.status();
        QVERIFY(st.spikesProduced > 1000);
        std::vector<nr::SpikeEvent> seen;
        runner.spikes().drain(seen);
        QVERIFY(runner.spikes().lost() > 0); // the display side missed spikes: the ring was not drained
        QVERIFY(seen.size() < st.spikesProduced);
        QCOMPARE(runner.recordedCount(), st.spikesProduced);
        QVERIFY(!runner.flushRecording());
        QCOMPARE(runner.recordingLost(), uint64_t(0));
        auto scan = nr::SpikeRecorder::scan(path);
        QVERIFY(scan.ok());
        QCOMPARE(scan.value().spikes, st.spikesProduced);
        const nr::SpikeTrains s = runner.recordedSpikes();
        QCOMPARE(uint64_t(s.spikeCount()), st.spikesProduced);
        QCOMPARE(s.unitCount(), size_t(runner.neuronCount()));
        QVERIFY(s.tStop >= 2.99);
        // A reset starts an empty recording.
        QVERIFY(!runner.reset(7));
        QCOMPARE(runner.recordedCount(), uint64_t(0));
        QCOMPARE(nr::SpikeRecorder::scan(path).value().spikes, uint64_t(0));
    }
};

QTEST_GUILESS_MAIN(TestSpikeRecorder)
#include "test_spike_recorder.moc"
