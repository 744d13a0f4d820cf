// bench_neuron_stream: spikes per second delivered from a K-rank NEURON run (the shipped example E/I network)
// into Neurorama's receiver without loss, K = 1 and 2, against the same run writing its spikes to files
// (each rank its own, as a NEURON user does) and not streaming. Both modes are timed the same way: the run
// phase (psolve plus streaming, or psolve plus writing the files; the slowest rank's wall time, reported by
// rank 0 of the model) and the whole launch. Also prints the receiver's own ingest rate: the recorded frames
// of a streamed run fed to the parser from memory, and to the server over loopback, as fast as they go.
// Ends with ratio=X (streamed / file-writing spikes per second of the run phase, the smaller over K; >= 0.9:
// watching live costs the run less than 10 %). Exits non-zero when a streamed run loses or drops a batch or
// its spike count differs from the file-writing run's, or the receiver's replay of the frames disagrees.
#include "BenchCommon.h"
#include "sim/NeuronRun.h"
#include "sim/NeuronStream.h"

#include <algorithm>
#include <arpa/inet.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace nr;

namespace {

struct Run {
    double wall = 0, run = 0, build = 0;
    uint64_t spikes = 0, bytes = 0;
    bool ok = false;
};

double since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string params(size_t cells, double ms, const std::string& out, const std::string& timing) {
    std::string p = "{\"mode\": \"ei\", \"cells\": " + std::to_string(cells) +
                    ", \"tstop\": " + std::to_string(ms) + ", \"timing\": \"" + timing + "\"";
    if (!out.empty()) p += ", \"stream\": 0, \"out\": \"" + out + "\"";
    return p + "}";
}

// Reads "run_wall_s=X build_wall_s=Y" written by rank 0 of the model.
bool readTiming(const std::string& f, Run& r) {
    std::ifstream in(f);
    std::string line;
    if (!std::getline(in, line)) return false;
    return std::sscanf(line.c_str(), "run_wall_s=%lf build_wall_s=%lf", &r.run, &r.build) == 2;
}

std::string tempDir() {
    char tmpl[] = "/tmp/bench_neuron_stream-XXXXXX";
    return ::mkdtemp(tmpl) ? std::string(tmpl) : std::string();
}

// One received batch, kept to replay into the receiver afterwards.
struct Batch {
    uint32_t rank;
    std::vector<StreamSpike> spikes;
};

Run streamed(int ranks, size_t cells, double ms, double intervalMs, std::vector<Batch>* record) {
    Run r;
    const std::string dir = tempDir();
    if (dir.empty()) return r;
    const std::string timing = dir + "/timing.txt";
    NeuronStreamServer s;
    if (auto e = s.listen("127.0.0.1", 0, "bench")) {
        std::fprintf(stderr, "%s\n", e->str().c_str());
        return r;
    }
    uint64_t n = 0;
    s.setSpikeSink([&](uint32_t rank, const StreamSpike* sp, size_t k) {
        n += k;
        if (record) record->push_back({rank, std::vector<StreamSpike>(sp, sp + k)});
    });
    NeuronLaunch l;
    l.script = neuronPythonDir() + "/neurorama_network.py";
    l.ranks = ranks;
    l.params = params(cells, ms, "", timing);
    l.address = "127.0.0.1:" + std::to_string(s.port());
    l.token = "bench";
    l.runId = 7 + uint64_t(ranks);
    l.intervalMs = intervalMs;
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
    const bool timed = readTiming(timing, r);
    ::unlink(timing.c_str());
    ::rmdir(dir.c_str());
    r.ok = timed && p.exitCode() == 0 && s.allEnded() && s.missingBatches() == 0 && s.droppedBatches() == 0;
    if (!r.ok)
        std::fprintf(stderr,
                     "streamed run (%d ranks): exit %d, timing %d, ended %d, missing %llu, dropped %llu\n",
                     ranks, p.exitCode(), int(timed), int(s.allEnded()),
                     (unsigned long long)s.missingBatches(), (unsigned long long)s.droppedBatches());
    return r;
}

Run toFiles(int ranks, size_t cells, double ms) {
    Run r;
    const std::string dir = tempDir();
    if (dir.empty()) return r;
    const std::string prefix = dir + "/spikes", timing = dir + "/timing.txt";
    NeuronLaunch l;
    l.script = neuronPythonDir() + "/neurorama_network.py";
    l.ranks = ranks;
    l.params = params(cells, ms, prefix, timing);
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
    const bool timed = readTiming(timing, r);
    ::unlink(timing.c_str());
    ::rmdir(dir.c_str());
    r.ok = timed && p.exitCode() == 0;
    if (!r.ok)
        std::fprintf(stderr, "file-writing run (%d ranks): exit %d, timing %d\n", ranks, p.exitCode(),
                     int(timed));
    return r;
}

// Wire encoding (docs/NEURON_STREAM.md), for replaying recorded batches into the receiver.
template <class T> void put(std::vector<uint8_t>& b, T v) {
    const auto* p = reinterpret_cast<const uint8_t*>(&v);
    b.insert(b.end(), p, p + sizeof v);
}
void header(std::vector<uint8_t>& b, uint8_t type, uint32_t len) {
    b.push_back('N');
    b.push_back('R');
    b.push_back(stream::kVersion);
    b.push_back(type);
    put(b, len);
}
void text(std::vector<uint8_t>& b, const std::string& s) {
    put(b, uint16_t(s.size()));
    b.insert(b.end(), s.begin(), s.end());
}

// Per rank: hello, its recorded batches as spike frames, end of run.
std::vector<std::vector<uint8_t>> encode(const std::vector<Batch>& batches, int ranks, size_t cells,
                                         double ms) {
    auto out = std::vector<std::vector<uint8_t>>(size_t(ranks));
    std::vector<uint64_t> seq(size_t(ranks), 0), total(size_t(ranks), 0);
    for (int k = 0; k < ranks; ++k) {
        std::vector<uint8_t> p;
        put(p, uint16_t(stream::kVersion));
        put(p, uint32_t(k));
        put(p, uint32_t(ranks));
        put(p, uint64_t(99));
        put(p, uint32_t(cells));
        put(p, ms);
        put(p, 10.0);
        text(p, "bench");
        text(p, "replay");
        header(out[size_t(k)], stream::kHello, uint32_t(p.size()));
        out[size_t(k)].insert(out[size_t(k)].end(), p.begin(), p.end());
    }
    std::vector<double> tSent(size_t(ranks), 0.0);
    for (const Batch& b : batches) {
        auto& o = out[b.rank];
        const double tTo = b.spikes.empty() ? tSent[b.rank] : std::max(tSent[b.rank], b.spikes.back().tMs);
        header(o, stream::kSpikes, uint32_t(4 + 8 + 8 + 8 + 8 + 4 + 12 * b.spikes.size()));
        put(o, b.rank);
        put(o, ++seq[b.rank]);
        put(o, tSent[b.rank]);
        put(o, tTo);
        put(o, uint64_t(0));
        put(o, uint32_t(b.spikes.size()));
        for (const StreamSpike& x : b.spikes) {
            put(o, x.gid);
            put(o, x.tMs);
        }
        tSent[b.rank] = tTo;
        total[b.rank] += b.spikes.size();
    }
    for (int k = 0; k < ranks; ++k) {
        auto& o = out[size_t(k)];
        header(o, stream::kEnd, 4 + 8 + 8 + 8 + 8);
        put(o, uint32_t(k));
        put(o, seq[size_t(k)]);
        put(o, ms);
        put(o, total[size_t(k)]);
        put(o, uint64_t(0));
    }
    return out;
}

// The parser alone, from memory in 64 KiB reads. Returns spikes decoded per second (0 on error).
double parseRate(const std::vector<std::vector<uint8_t>>& bytes, uint64_t expect) {
    std::vector<double> ts;
    for (int rep = 0; rep < 3; ++rep) {
        uint64_t n = 0;
        const auto t0 = std::chrono::steady_clock::now();
        for (const auto& b : bytes) {
            StreamParser parser;
            std::vector<StreamFrame> frames;
            for (size_t a = 0; a < b.size(); a += 65536) {
                frames.clear();
                if (!parser.feed(b.data() + a, std::min<size_t>(65536, b.size() - a), frames)) {
                    std::fprintf(stderr, "replay: %s\n", parser.error().c_str());
                    return 0;
                }
                for (const auto& f : frames) n += f.spikes.size();
            }
        }
        ts.push_back(since(t0));
        if (n != expect) {
            std::fprintf(stderr, "replay: parser decoded %llu spikes, %llu were sent\n",
                         (unsigned long long)n, (unsigned long long)expect);
            return 0;
        }
    }
    return double(expect) / bench::median(ts);
}

// The whole receiver (TCP over loopback, parser, checks, spike callback), one sending thread per rank.
double serverRate(const std::vector<std::vector<uint8_t>>& bytes, uint64_t expect) {
    NeuronStreamServer s;
    if (auto e = s.listen("127.0.0.1", 0, "bench")) return 0;
    uint64_t n = 0;
    s.setSpikeSink([&](uint32_t, const StreamSpike*, size_t k) { n += k; });
    const uint16_t port = s.port();
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> senders;
    for (const auto& b : bytes)
        senders.emplace_back([&b, port] {
            const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
            sockaddr_in a{};
            a.sin_family = AF_INET;
            a.sin_port = htons(port);
            a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0)
                for (size_t off = 0; off < b.size();) {
                    const ssize_t w = ::send(fd, b.data() + off, b.size() - off, MSG_NOSIGNAL);
                    if (w <= 0) break;
                    off += size_t(w);
                }
            ::shutdown(fd, SHUT_WR);
            char c;
            (void)::recv(fd, &c, 1, 0); // until the receiver closes
            ::close(fd);
        });
    while (!s.allEnded() && since(t0) < 120) s.poll(5);
    const double t = since(t0);
    s.disconnectAll();
    for (auto& th : senders) th.join();
    for (const auto& m : s.takeMessages()) std::fprintf(stderr, "replay receiver: %s\n", m.c_str());
    if (n != expect || s.missingBatches() != 0) {
        std::fprintf(stderr, "replay: the receiver took %llu spikes, %llu were sent\n", (unsigned long long)n,
                     (unsigned long long)expect);
        return 0;
    }
    return double(expect) / t;
}

} // namespace

int main(int argc, char** argv) {
    size_t cells = 2000;
    double ms = 1000, intervalMs = 10;
    int repeats = 3;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--cells")) cells = size_t(std::atoll(argv[i + 1]));
        if (!std::strcmp(argv[i], "--ms")) ms = std::atof(argv[i + 1]);
        if (!std::strcmp(argv[i], "--repeats")) repeats = std::max(1, std::atoi(argv[i + 1]));
        if (!std::strcmp(argv[i], "--interval-ms")) intervalMs = std::max(0.1, std::atof(argv[i + 1]));
    }
    if (auto e = checkNeuronTools()) {
        std::fprintf(stderr, "%s\n", e->str().c_str());
        return 2;
    }
    bench::printLoad("before");
    std::printf("model=ei cells=%zu model_ms=%g repeats=%d interval_ms=%g\n", cells, ms, repeats, intervalMs);
    double worst = 1e300;
    bool agree = true;
    std::vector<Batch> recorded;
    int recordedRanks = 0;
    uint64_t recordedSpikes = 0;
    for (int ranks : {1, 2}) {
        std::vector<double> ws, wf, rs, rf, bs, bf;
        uint64_t spikesS = 0, spikesF = 0;
        for (int k = 0; k < repeats; ++k) {
            const Run f = toFiles(ranks, cells, ms);
            const bool rec = ranks == 2 && k == 0;
            const Run s = streamed(ranks, cells, ms, intervalMs, rec ? &recorded : nullptr);
            if (!f.ok || !s.ok) return 3;
            if (rec) recordedRanks = ranks, recordedSpikes = s.spikes;
            ws.push_back(s.wall);
            wf.push_back(f.wall);
            rs.push_back(s.run);
            rf.push_back(f.run);
            bs.push_back(s.build);
            bf.push_back(f.build);
            spikesS = s.spikes;
            spikesF = f.spikes;
            if (s.spikes != f.spikes) agree = false;
        }
        const double runS = bench::median(rs), runF = bench::median(rf);
        const double rateS = double(spikesS) / runS, rateF = double(spikesF) / runF;
        const double totS = double(spikesS) / bench::median(ws), totF = double(spikesF) / bench::median(wf);
        std::printf("ranks=%d spikes=%llu stream_run_s=%s file_run_s=%s\n", ranks,
                    (unsigned long long)spikesS, bench::joined(rs).c_str(), bench::joined(rf).c_str());
        std::printf("ranks=%d stream_build_s=%s file_build_s=%s stream_total_s=%s file_total_s=%s\n", ranks,
                    bench::joined(bs).c_str(), bench::joined(bf).c_str(), bench::joined(ws).c_str(),
                    bench::joined(wf).c_str());
        std::printf("ranks=%d model_spike_rate_hz=%.2f streamed_spikes_per_s=%.0f file_spikes_per_s=%.0f "
                    "streamed_total_spikes_per_s=%.0f file_total_spikes_per_s=%.0f "
                    "stream_bytes_per_s_per_rank=%.0f ratio_total_k%d=%.3f ratio_k%d=%.3f\n",
                    ranks, double(spikesS) / double(cells) / (ms / 1000.0), rateS, rateF, totS, totF,
                    double(spikesS) * 12 / runS / ranks, ranks, totS / totF, ranks, rateS / rateF);
        if (spikesS != spikesF) {
            std::fprintf(stderr, "ranks=%d: streamed %llu spikes, the file-writing run recorded %llu\n",
                         ranks, (unsigned long long)spikesS, (unsigned long long)spikesF);
            agree = false;
        }
        worst = std::min(worst, rateS / rateF);
    }
    // The receiver's own ceiling: the recorded frames of a streamed run, replayed as fast as they go.
    const auto bytes = encode(recorded, recordedRanks, cells, ms);
    size_t nbytes = 0;
    for (const auto& b : bytes) nbytes += b.size();
    const double parse = parseRate(bytes, recordedSpikes);
    const double server = serverRate(bytes, recordedSpikes);
    std::printf("receiver_frames=%zu receiver_bytes=%zu receiver_parse_spikes_per_s=%.0f "
                "receiver_loopback_spikes_per_s=%.0f\n",
                recorded.size() + size_t(2 * recordedRanks), nbytes, parse, server);
    if (parse <= 0 || server <= 0) agree = false;
    bench::printLoad("after");
    std::printf("agree=%d\nratio=%.3f\n", int(agree), worst);
    return agree ? 0 : 1;
}
