// Simulation thread: the lock-free spike ring under a fast producer, and the runner's controls.
#include "sim/SimulationRunner.h"
#include "sim/SpikeRing.h"

#include <QtTest/QtTest>

#include <atomic>
#include <chrono>
#include <thread>

using namespace nr;

class TestSimRunner : public QObject {
    Q_OBJECT
private slots:
    void ringSingleThread();
    void ringFastProducerSlowConsumer();
    void runnerPlayPauseStep();
    void runnerLiveParameter();
    void runnerRefusesBadParameters();
};

void TestSimRunner::ringSingleThread() {
    SpikeRing ring(8);
    QCOMPARE(ring.capacity(), size_t(8));
    for (uint32_t i = 0; i < 5; ++i) ring.push(i * 0.001, i);
    std::vector<SpikeEvent> out;
    QCOMPARE(ring.drain(out), size_t(5));
    QCOMPARE(out[4].neuron, 4u);
    // Overfill: the oldest are overwritten and counted.
    for (uint32_t i = 0; i < 20; ++i) ring.push(i * 0.001, 100 + i);
    out.clear();
    QCOMPARE(ring.drain(out), size_t(8));
    QCOMPARE(out.front().neuron, 112u);
    QCOMPARE(out.back().neuron, 119u);
    QCOMPARE(ring.lost(), uint64_t(12));
    QCOMPARE(ring.produced(), uint64_t(25));
}

void TestSimRunner::ringFastProducerSlowConsumer() {
    SpikeRing ring(1024);
    const uint64_t total = 3000000;
    std::atomic<bool> done{false};
    std::thread producer([&] {
        for (uint64_t k = 0; k < total; ++k) ring.push(double(k), uint32_t(k * 2654435761u));
        done = true;
    });
    uint64_t received = 0, torn = 0, drains = 0;
    double last = -1;
    bool ordered = true;
    std::vector<SpikeEvent> out;
    while (true) {
        const bool finished = done.load();
        out.clear();
        ring.drain(out);
        ++drains;
        for (const auto& e : out) {
            const uint64_t k = uint64_t(e.t);
            if (uint32_t(k * 2654435761u) != e.neuron) ++torn; // time and neuron from different pushes
            if (e.t <= last) ordered = false;
            last = e.t;
        }
        received += out.size();
        if (finished) break;
        std::this_thread::sleep_for(std::chrono::microseconds(200)); // a slow consumer
    }
    producer.join();
    out.clear();
    received += ring.drain(out);
    QCOMPARE(torn, uint64_t(0));
    QVERIFY(ordered);
    QVERIFY2(ring.lost() > 0, "the consumer was expected to fall behind");
    QVERIFY(received > 0);
    QCOMPARE(received + ring.lost(), total);
    QCOMPARE(ring.produced(), total);
    QVERIFY(drains > 1);
}

void TestSimRunner::runnerPlayPauseStep() {
    SimulationRunner r(1 << 16);
    QCOMPARE(r.status().state, RunState::Stopped);
    ModelRequest req;
    req.model = "coba";
    req.neurons = 1000;
    QVERIFY(!r.load(req));
    QCOMPARE(r.status().state, RunState::Paused);
    QCOMPARE(r.neuronCount(), 1000u);
    r.step(10);
    r.sync();
    QCOMPARE(r.status().steps, uint64_t(10));
    r.stepMs(2.0);
    r.sync();
    QCOMPARE(r.status().steps, uint64_t(30));
    r.play();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    r.pause();
    r.sync();
    const RunnerStatus s = r.status();
    QCOMPARE(s.state, RunState::Paused);
    QVERIFY(s.simulatedS > 0.01);
    QVERIFY(s.stepsPerSecond > 0);
    std::vector<SpikeEvent> ev;
    const size_t got = r.spikes().drain(ev);
    QVERIFY(got > 0);
    QCOMPARE(got + r.spikes().lost(), r.status().spikesProduced);
    QCOMPARE(uint64_t(r.recordedSpikes().spikeCount()), r.status().spikesProduced);
    std::vector<RateBin> rates;
    QVERIFY(r.drainRates(rates) > 0);
    std::vector<float> act;
    QVERIFY(r.latestActivity(act));
    QCOMPARE(act.size(), size_t(1000));
    // Paused: time does not move.
    const double t = r.status().simulatedS;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    QCOMPARE(r.status().simulatedS, t);
    // Real-time pacing: about 0.2 s simulated in 0.2 s wall.
    QVERIFY(!r.reset(5));
    QCOMPARE(r.status().steps, uint64_t(0));
    r.setSpeed(1);
    r.play();
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    r.pause();
    r.sync();
    const double sim = r.status().simulatedS;
    QVERIFY2(sim > 0.2 && sim < 0.6, qPrintable(QString("%1 s simulated in 0.4 s at real time").arg(sim)));
}

void TestSimRunner::runnerLiveParameter() {
    SimulationRunner r;
    ModelRequest req;
    req.model = "coba";
    req.neurons = 1000;
    QVERIFY(!r.load(req));
    r.stepMs(300);
    r.sync();
    const uint64_t before = r.status().spikesProduced;
    QVERIFY(before > 0);
    // Drive far below threshold: activity collapses once the change lands at a step boundary.
    QVERIFY(!r.setParameter("I", -20));
    r.stepMs(100);
    r.sync();
    const uint64_t mid = r.status().spikesProduced;
    r.stepMs(300);
    r.sync();
    const uint64_t after = r.status().spikesProduced - mid;
    QVERIFY2(after * 5 < before,
             qPrintable(QString("%1 spikes in 300 ms before, %2 after").arg(before).arg(after)));
    QCOMPARE(r.parameters()[4].name, std::string("I"));
    QCOMPARE(r.parameters()[4].value, -20.0);
}

void TestSimRunner::runnerRefusesBadParameters() {
    SimulationRunner r;
    ModelRequest req;
    req.model = "brunel";
    req.neurons = 500;
    QVERIFY(!r.load(req));
    auto e = r.setParameter("nosuch", 1);
    QVERIFY(e);
    QVERIFY2(e->reason.find("nosuch") != std::string::npos, e->reason.c_str());
    e = r.setParameter("g", 1e9);
    QVERIFY(e);
    QVERIFY2(e->reason.find("outside") != std::string::npos, e->reason.c_str());
    req.params = {{"tau", -1}};
    e = r.load(req);
    QVERIFY(e);
    QVERIFY2(e->reason.find("'tau'") != std::string::npos, e->reason.c_str());
}

QTEST_GUILESS_MAIN(TestSimRunner)
#include "test_sim_runner.moc"
