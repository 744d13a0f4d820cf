// soak_live: the live simulation (SimulationRunner + SpikeRing) at full speed for a long stretch of
// simulated time, with a display consumer that stalls on purpose. Prints the resident-memory curve, the
// ring's overwrites (display data, allowed) and the spikes the recorder lost (must be 0: the recorder
// streams every spike the engine produced to a file, sim/SpikeRecorder.h, and the file is counted against
// the engine). Exits non-zero when the recorder lost spikes, the ring's books do not balance, or resident
// memory grew after the start-up (it must stay flat: nothing in the run grows with simulated time).
//
//   soak_live [--seconds S] [--model NAME] [--neurons N] [--ring CAPACITY] [--stall-ms MS] [--every-s S]
//             [--record FILE] [--flat-mib M]
//
// Defaults: 3600 s of the attractor model, a 4,096-event ring, a 1.5 s stall every 5 s of wall time, the
// recording in a temporary file (removed at the end; --record keeps it), RSS growth allowed after the
// first point of the curve: 8 MiB.
#include "sim/SimulationRunner.h"
#include "sim/SpikeRecorder.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

double rssMiB() {
    std::ifstream f("/proc/self/statm");
    unsigned long long size = 0, resident = 0;
    f >> size >> resident;
    return double(resident) * double(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

double now() {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

} // namespace

int main(int argc, char** argv) {
    double seconds = 3600, stallMs = 1500, everyS = 5;
    std::string model = "attractor";
    size_t neurons = 0, ring = 1 << 12;
    std::string recordPath;
    double flatMiB = 8;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i], v = argv[i + 1];
        if (a == "--seconds")
            seconds = std::atof(v.c_str());
        else if (a == "--model")
            model = v;
        else if (a == "--neurons")
            neurons = size_t(std::atoll(v.c_str()));
        else if (a == "--ring")
            ring = size_t(std::atoll(v.c_str()));
        else if (a == "--stall-ms")
            stallMs = std::atof(v.c_str());
        else if (a == "--every-s")
            everyS = std::atof(v.c_str());
        else if (a == "--record")
            recordPath = v;
        else if (a == "--flat-mib")
            flatMiB = std::atof(v.c_str());
        else {
            std::fprintf(stderr, "soak_live: unknown argument %s\n", a.c_str());
            return 2;
        }
    }
    if (!(seconds > 0)) {
        std::fprintf(stderr, "soak_live: --seconds must be positive\n");
        return 2;
    }
    const bool keepRecording = !recordPath.empty();
    if (recordPath.empty()) {
        const char* tmp = std::getenv("TMPDIR");
        recordPath =
            std::string(tmp && *tmp ? tmp : "/tmp") + "/soak_live_" + std::to_string(getpid()) + ".nrspk";
    }
    nr::SimulationRunner runner(ring);
    if (auto e = runner.recordTo(recordPath)) {
        std::fprintf(stderr, "%s\n", e->str().c_str());
        return 2;
    }
    nr::ModelRequest req;
    req.model = model;
    req.neurons = neurons;
    if (auto e = runner.load(req)) {
        std::fprintf(stderr, "%s\n", e->str().c_str());
        return 2;
    }
    const double rss0 = rssMiB();
    std::printf("model=%s neurons=%u seconds=%g ring=%zu stall_ms=%g every_s=%g\n", model.c_str(),
                runner.neuronCount(), seconds, runner.spikes().capacity(), stallMs, everyS);
    std::printf("rss_start_mib=%.1f\n", rss0);

    // The display consumer: drains every 16 ms, and every `everyS` seconds stalls for `stallMs`.
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> received{0};
    std::thread consumer([&] {
        std::vector<nr::SpikeEvent> buf;
        std::vector<nr::RateBin> rates;
        std::vector<float> activity;
        double nextStall = now() + everyS;
        while (!stop) {
            buf.clear();
            received += runner.spikes().drain(buf);
            rates.clear();
            runner.drainRates(rates);
            runner.latestActivity(activity);
            std::this_thread::sleep_for(std::chrono::milliseconds(16));
            if (now() >= nextStall) {
                std::this_thread::sleep_for(std::chrono::microseconds(long(stallMs * 1000)));
                nextStall = now() + everyS;
            }
        }
        buf.clear();
        received += runner.spikes().drain(buf);
    });

    runner.setSpeed(0);
    runner.play();
    const double t0 = now();
    double peak = rss0, rssFirst = -1, peakAfterFirst = 0;
    const int points = 20;
    int printed = 0;
    std::printf("# rss curve: simulated_s wall_s rss_mib spikes_produced ring_overwritten\n");
    for (;;) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        const nr::RunnerStatus st = runner.status();
        const double rss = rssMiB();
        peak = std::max(peak, rss);
        if (rssFirst >= 0) peakAfterFirst = std::max(peakAfterFirst, rss);
        if (st.simulatedS >= seconds * double(printed + 1) / points || st.state == nr::RunState::Diverged ||
            st.state == nr::RunState::Stopped) {
            std::printf("rss_curve %.1f %.1f %.1f %llu %llu\n", st.simulatedS, now() - t0, rss,
                        (unsigned long long)st.spikesProduced, (unsigned long long)st.spikesLost);
            if (rssFirst < 0) rssFirst = rss;
            std::fflush(stdout);
            ++printed;
        }
        if (st.simulatedS >= seconds || st.state == nr::RunState::Diverged ||
            st.state == nr::RunState::Stopped)
            break;
    }
    runner.pause();
    runner.sync();
    stop = true;
    consumer.join();
    const nr::RunnerStatus st = runner.status();
    const double rssEnd = rssMiB();
    if (rssFirst < 0) rssFirst = rssEnd;
    peakAfterFirst = std::max(peakAfterFirst, rssEnd);
    const nr::Status flushed = runner.flushRecording();
    const uint64_t engine = st.spikesProduced; // every spike the engine emitted goes into the ring
    // Count what reached the file, independently of the recorder's own books.
    const auto scan = nr::SpikeRecorder::scan(recordPath);
    const uint64_t written = scan ? scan.value().spikes : 0;
    const uint64_t lostByRecorder = engine > written ? engine - written : 0;
    const uint64_t overwritten = runner.spikes().lost();
    const bool books = received.load() + overwritten == engine;
    const double growth = peakAfterFirst - rssFirst;
    std::printf("simulated_s=%.1f wall_s=%.1f steps=%llu\n", st.simulatedS, now() - t0,
                (unsigned long long)st.steps);
    std::printf("rss_start_mib=%.1f rss_first_point_mib=%.1f rss_end_mib=%.1f rss_peak_mib=%.1f "
                "rss_growth_after_first_point_mib=%.1f flat_bound_mib=%.1f\n",
                rss0, rssFirst, rssEnd, peak, growth, flatMiB);
    std::printf("recording_file=%s recording_chunks=%llu recorder_buffer_spikes_max=%zu\n",
                recordPath.c_str(), scan ? (unsigned long long)scan.value().chunks : 0ull,
                nr::SpikeRecorder::kDefaultChunk);
    std::printf("engine_spikes=%llu recorder_spikes_written=%llu spikes_lost_by_recorder=%llu\n",
                (unsigned long long)engine, (unsigned long long)written, (unsigned long long)lostByRecorder);
    std::printf("display_received=%llu ring_overwritten=%llu ring_books_balance=%d\n",
                (unsigned long long)received.load(), (unsigned long long)overwritten, books ? 1 : 0);
    int rc = 0;
    if (st.state == nr::RunState::Diverged) {
        std::printf("error=the run diverged: %s\n", st.reason.c_str());
        rc = 1;
    }
    if (flushed) {
        std::printf("error=%s\n", flushed->str().c_str());
        rc = 1;
    }
    if (!scan) {
        std::printf("error=%s\n", scan.error().str().c_str());
        rc = 1;
    }
    if (lostByRecorder > 0 || written != engine) {
        std::printf("error=the recorder lost spikes (the file holds %llu, the engine produced %llu)\n",
                    (unsigned long long)written, (unsigned long long)engine);
        rc = 1;
    }
    if (!books) {
        std::printf("error=received + overwritten != produced\n");
        rc = 1;
    }
    if (growth > flatMiB) {
        std::printf("error=resident memory grew by %.1f MiB after the first point, more than %.1f MiB\n",
                    growth, flatMiB);
        rc = 1;
    }
    if (!keepRecording) unlink(recordPath.c_str());
    std::printf("result=%s\n", rc == 0 ? "ok" : "fail");
    return rc;
}
