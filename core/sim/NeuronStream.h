// The receiving end of a NEURON run's spike stream (wire format: docs/NEURON_STREAM.md, version 1).
// `StreamParser` turns bytes into checked frames; `NeuronStreamServer` listens on TCP (loopback by default),
// accepts one connection per MPI rank, checks the hello and token, drops batches it already has (a rank
// that reconnects replays its recent batches) and hands spikes to a callback. Plain POSIX sockets, driven
// by `poll(timeoutMs)` from the caller's thread (the CLI loop or the window's frame timer).
#pragma once

#include "model/Error.h"

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace nr {

namespace stream {
constexpr uint8_t kVersion = 1;
constexpr uint8_t kHello = 1, kSpikes = 2, kHeartbeat = 3, kEnd = 4, kPositions = 5;
constexpr size_t kHeaderBytes = 8;
constexpr uint32_t kMaxPayload = 64u << 20;       // bytes
constexpr uint32_t kMaxSpikesPerFrame = 1u << 20; // spikes
} // namespace stream

struct StreamSpike {
    uint32_t gid;
    double tMs;
};

struct StreamFrame {
    uint8_t type = 0;
    // Hello
    uint16_t version = 0;
    uint32_t rank = 0, nranks = 0, ncells = 0;
    uint64_t runId = 0;
    double tstopMs = 0, intervalMs = 0;
    std::string token, model;
    // Spikes / heartbeat / end
    uint64_t seq = 0, dropped = 0, recorded = 0;
    double tFrom = 0, tTo = 0; // model time, ms (heartbeat and end: tTo)
    std::vector<StreamSpike> spikes;
    // Positions
    std::vector<uint32_t> posGid;
    std::vector<float> posXyz;
};

// Incremental frame decoder for one connection. After an error it stays failed.
class StreamParser {
public:
    // Appends bytes; decoded frames go to `out`. Returns false (with error()) on a malformed frame.
    bool feed(const uint8_t* data, size_t n, std::vector<StreamFrame>& out);
    const std::string& error() const { return error_; }
    size_t pending() const { return buf_.size() - pos_; } // bytes of an incomplete frame
private:
    bool decode(uint8_t type, const uint8_t* p, size_t n, StreamFrame& f);
    std::vector<uint8_t> buf_;
    size_t pos_ = 0;
    std::string error_;
    uint64_t offset_ = 0; // stream offset of buf_[0], for messages
};

// What is known about one rank of the current run.
struct StreamRankState {
    bool connected = false, ended = false;
    uint64_t lastSeq = 0, duplicates = 0, missing = 0, dropped = 0, spikes = 0, recorded = 0;
    double tMs = 0; // model time this rank has been streamed up to
};

class NeuronStreamServer {
public:
    using SpikeSink = std::function<void(uint32_t rank, const StreamSpike* s, size_t n)>;
    NeuronStreamServer();
    ~NeuronStreamServer();
    NeuronStreamServer(const NeuronStreamServer&) = delete;
    NeuronStreamServer& operator=(const NeuronStreamServer&) = delete;

    // Binds host:port (port 0: any free port). A host other than loopback needs a non-empty token.
    // With a token, every hello must carry it.
    Status listen(const std::string& host, uint16_t port, const std::string& token);
    uint16_t port() const { return port_; }
    bool listening() const { return listenFd_ >= 0; }
    void close();
    // Closes every connection but keeps listening and keeps the run's state (ranks reconnect and resume).
    void disconnectAll();

    void setSpikeSink(SpikeSink s) { sink_ = std::move(s); }
    // Accepts, reads and decodes what is waiting, waiting at most timeoutMs for the first byte.
    void poll(int timeoutMs);

    // Run state: id of the current run (0 before a hello), ranks announced, per-rank state.
    uint64_t runId() const { return runId_; }
    uint32_t ranks() const { return nranks_; }
    uint32_t cells() const { return ncells_; }
    const std::string& model() const { return model_; }
    const std::map<uint32_t, StreamRankState>& rankStates() const { return ranks_; }
    bool allEnded() const; // every announced rank sent end-of-run
    uint64_t spikes() const { return spikes_; }
    uint64_t duplicates() const;
    uint64_t missingBatches() const;
    uint64_t droppedBatches() const;
    // Model time every rank has reached (the display is complete up to here) and the newest one.
    double completeUntilMs() const;
    double latestMs() const;
    // Seconds since the last frame arrived (for the lag display).
    double secondsSinceLastFrame() const;
    // Positions (um) sent by the model, by gid.
    const std::map<uint32_t, std::array<float, 3>>& positions() const { return positions_; }
    // Log lines (refused connections, malformed frames, ranks lost); taken once.
    std::vector<std::string> takeMessages();
    size_t openConnections() const { return conns_.size(); }

private:
    struct Conn;
    void accept();
    bool readConn(Conn& c);
    bool handle(Conn& c, StreamFrame& f);
    void drop(size_t i, const std::string& why);
    int listenFd_ = -1;
    uint16_t port_ = 0;
    std::string token_, peerName_;
    std::vector<std::unique_ptr<Conn>> conns_;
    SpikeSink sink_;
    uint64_t runId_ = 0, spikes_ = 0;
    uint32_t nranks_ = 0, ncells_ = 0;
    std::string model_;
    std::map<uint32_t, StreamRankState> ranks_;
    std::map<uint32_t, std::array<float, 3>> positions_;
    std::vector<std::string> messages_;
    double lastFrame_ = 0;
};

} // namespace nr
