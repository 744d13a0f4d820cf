// bench_neuron_stream: spikes per second delivered from a K-rank NEURON run (the shipped example E/I network)
// into Neurorama's receiver without loss, K = 1 and 2, against the same run writing its spikes to files
// (each rank its own, as a NEURON user does) and not streaming. Prints key=value lines and ends with
// ratio=X (streamed spikes/s / file-writing spikes/s, the smaller over K; >= 0.9: watching live costs the run
// less than 10 %). Exits non-zero when a streamed run loses or drops a batch or its spike count differs from
// the file-writing run's.
#include "BenchCommon.h"
#include "sim/NeuronRun.h"
#include "sim/NeuronStream.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace nr;

namespace {

struct Run {
    double wall = 0;
    uint64_t spikes = 0, bytes = 0;
    bool ok = false;
};

double since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string params(size_t cells, double ms, const std::string& out) {
    std::string p =
        "{\"mode\": \"ei\", \"cells\": " + std::to_string(cells) + ", \"tstop\": " + std::to_string(ms);
    if (!out.empty()) p += ", \"stream\": 0, \"out\": \"" + out + "\"";
    return p + "}";
}

Run streamed(int ranks, size_t cells, double ms) {
    Run r;
    NeuronStreamServer s;
    if (auto e = s.listen("127.0.0.1", 0, "bench")) {
        std::fprintf(stderr, "%s\n", e->str().c_str());
        return r;
    }
    uint64_t n = 0;
    s.setSpikeSink([&](uint32_t, const StreamSpike*, size_t k) { n += k; });
    NeuronLaunch l;
    l.script = neuronPythonDir() + "/neurorama_network.py";
    l.ranks = ranks;
    l.params = params(cells, ms, "");
    l.address = "127.0.0.1:" + std::to_string(s.port());
    l.token = "bench";
    l.runId = 7 + uint64_t(ranks);
    l.quiet = true;
    NeuronProcess p;
    const auto t0 = std::chrono::steady_clock::now();
    if (auto e = p.start(l)) {
        std::fprintf(stderr, "%s\n", e->str().c_str());
        return r;
    }
    int idle = 0;
    while ((p.running() || s.openConnections() > 0) && idle < 100) {
        s.poll(20);
        if (!p.running()) ++idle;
    }
    r.wall = since(t0);
    for (const auto& m : s.takeMessages()) std::fprintf(stderr, "receiver: %s\n", m.c_str());
    r.spikes = n;
    r.bytes = n * 12;
    r.ok = p.exitCode() == 0 && s.allEnded() && s.missingBatches() == 0 && s.droppedBatches() == 0;
    if (!r.ok)
        std::fprintf(stderr, "streamed run (%d ranks): exit %d, ended %d, missing %llu, dropped %llu\n",
                     ranks, p.exitCode(), int(s.allEnded()), (unsigned long long)s.missingBatches(),
                     (unsigned long long)s.droppedBatches());
    return r;
}

Run toFiles(int ranks, size_t cells, double ms) {
    Run r;
    char tmpl[] = "/tmp/bench_neuron_stream-XXXXXX";
    if (!::mkdtemp(tmpl)) return r;
    const std::string prefix = std::string(tmpl) + "/spikes";
    NeuronLaunch l;
    l.script = neuronPythonDir() + "/neurorama_network.py";
    l.ranks = ranks;
    l.params = params(cells, ms, prefix);
    l.quiet = true;
    NeuronProcess p;
    const auto t0 = std::chrono::steady_clock::now();
    if (auto e = p.start(l)) {
        std::fprintf(stderr, "%s\n", e->str().c_str());
        return r;
    }
    while (p.running()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    r.wall = since(t0);
    for (int k = 0; k < ranks; ++k) {
        const std::string f = prefix + ".rank" + std::to_string(k) + ".txt";
        std::ifstream in(f);
        std::string line;
        while (std::getline(in, line)) ++r.spikes;
        ::unlink(f.c_str());
    }
    ::rmdir(tmpl);
    r.ok = p.exitCode() == 0;
    return r;
}

} // namespace

int main(int argc, char** argv) {
    size_t cells = 10000;
    double ms = 1000;
    int repeats = 3;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--cells")) cells = size_t(std::atoll(argv[i + 1]));
        if (!std::strcmp(argv[i], "--ms")) ms = std::atof(argv[i + 1]);
        if (!std::strcmp(argv[i], "--repeats")) repeats = std::max(1, std::atoi(argv[i + 1]));
    }
    if (auto e = checkNeuronTools()) {
        std::fprintf(stderr, "%s\n", e->str().c_str());
        return 2;
    }
    bench::printLoad("before");
    std::printf("model=ei cells=%zu model_ms=%g repeats=%d interval_ms=10\n", cells, ms, repeats);
    double worst = 1e300;
    bool agree = true;
    for (int ranks : {1, 2}) {
        std::vector<double> ws, wf;
        uint64_t spikesS = 0, spikesF = 0;
        for (int k = 0; k < repeats; ++k) {
            const Run f = toFiles(ranks, cells, ms);
            const Run s = streamed(ranks, cells, ms);
            if (!f.ok || !s.ok) return 3;
            ws.push_back(s.wall);
            wf.push_back(f.wall);
            spikesS = s.spikes;
            spikesF = f.spikes;
            if (s.spikes != f.spikes) agree = false;
        }
        const double tS = bench::median(ws), tF = bench::median(wf);
        const double rateS = double(spikesS) / tS, rateF = double(spikesF) / tF;
        std::printf("ranks=%d spikes=%llu stream_wall_s=%s file_wall_s=%s\n", ranks,
                    (unsigned long long)spikesS, bench::joined(ws).c_str(), bench::joined(wf).c_str());
        std::printf(
            "ranks=%d streamed_spikes_per_s=%.0f file_spikes_per_s=%.0f stream_bytes_per_s_per_rank=%.0f "
            "ratio_k%d=%.3f\n",
            ranks, rateS, rateF, double(spikesS) * 12 / tS / ranks, ranks, rateS / rateF);
        if (spikesS != spikesF) {
            std::fprintf(stderr, "ranks=%d: streamed %llu spikes, the file-writing run recorded %llu\n",
                         ranks, (unsigned long long)spikesS, (unsigned long long)spikesF);
            agree = false;
        }
        worst = std::min(worst, rateS / rateF);
    }
    bench::printLoad("after");
    std::printf("agree=%d\nratio=%.3f\n", int(agree), worst);
    return agree ? 0 : 1;
}
