#include "sim/NeuronStream.h"

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace nr {

namespace {

double nowSeconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Little-endian readers over a bounded payload.
struct Reader {
    const uint8_t* p;
    size_t n, at = 0;
    bool ok = true;
    template <class T> T get() {
        T v{};
        if (at + sizeof(T) > n) {
            ok = false;
            return v;
        }
        std::memcpy(&v, p + at, sizeof(T)); // little-endian hosts (x86-64, arm64)
        at += sizeof(T);
        return v;
    }
    std::string text() {
        const uint16_t len = get<uint16_t>();
        if (!ok || at + len > n) {
            ok = false;
            return {};
        }
        std::string s(reinterpret_cast<const char*>(p + at), len);
        at += len;
        return s;
    }
};

const char* typeName(uint8_t t) {
    switch (t) {
    case stream::kHello:
        return "hello";
    case stream::kSpikes:
        return "spikes";
    case stream::kHeartbeat:
        return "heartbeat";
    case stream::kEnd:
        return "end";
    case stream::kPositions:
        return "positions";
    default:
        return "unknown";
    }
}

bool sameToken(const std::string& a, const std::string& b) {
    // Compares every byte whatever the first difference.
    unsigned char d = a.size() == b.size() ? 0 : 1;
    const size_t n = std::max(a.size(), b.size());
    for (size_t i = 0; i < n; ++i)
        d |= static_cast<unsigned char>((i < a.size() ? a[i] : 0) ^ (i < b.size() ? b[i] : 0));
    return d == 0;
}

} // namespace

bool StreamParser::decode(uint8_t type, const uint8_t* p, size_t n, StreamFrame& f) {
    Reader r{p, n};
    f.type = type;
    auto bad = [&](const std::string& why) {
        error_ =
            std::string(typeName(type)) + " frame at byte " + std::to_string(offset_ + pos_) + ": " + why;
        return false;
    };
    switch (type) {
    case stream::kHello:
        f.version = r.get<uint16_t>();
        f.rank = r.get<uint32_t>();
        f.nranks = r.get<uint32_t>();
        f.runId = r.get<uint64_t>();
        f.ncells = r.get<uint32_t>();
        f.tstopMs = r.get<double>();
        f.intervalMs = r.get<double>();
        f.token = r.text();
        f.model = r.text();
        if (!r.ok) return bad("truncated");
        if (f.version != stream::kVersion)
            return bad("protocol version " + std::to_string(f.version) + ", this receiver reads version " +
                       std::to_string(stream::kVersion));
        if (f.nranks == 0 || f.rank >= f.nranks)
            return bad("rank " + std::to_string(f.rank) + " of " + std::to_string(f.nranks) + " ranks");
        if (!std::isfinite(f.tstopMs) || !std::isfinite(f.intervalMs) || f.tstopMs < 0 || f.intervalMs < 0)
            return bad("model times are not finite non-negative numbers");
        break;
    case stream::kSpikes: {
        f.rank = r.get<uint32_t>();
        f.seq = r.get<uint64_t>();
        f.tFrom = r.get<double>();
        f.tTo = r.get<double>();
        f.dropped = r.get<uint64_t>();
        const uint32_t count = r.get<uint32_t>();
        if (!r.ok) return bad("truncated header");
        if (count > stream::kMaxSpikesPerFrame)
            return bad(std::to_string(count) + " spikes, more than the limit of " +
                       std::to_string(stream::kMaxSpikesPerFrame));
        if (n - r.at != size_t(count) * 12)
            return bad("says " + std::to_string(count) + " spikes but carries " + std::to_string(n - r.at) +
                       " bytes of them (12 per spike)");
        if (f.seq == 0) return bad("sequence number 0 (they start at 1)");
        if (!std::isfinite(f.tFrom) || !std::isfinite(f.tTo) || f.tTo < f.tFrom)
            return bad("model time window is not finite and increasing");
        f.spikes.resize(count);
        for (uint32_t i = 0; i < count; ++i) {
            f.spikes[i].gid = r.get<uint32_t>();
            f.spikes[i].tMs = r.get<double>();
            if (!std::isfinite(f.spikes[i].tMs))
                return bad("spike " + std::to_string(i) + " has no finite time");
        }
        break;
    }
    case stream::kHeartbeat:
        f.rank = r.get<uint32_t>();
        f.tTo = r.get<double>();
        f.dropped = r.get<uint64_t>();
        if (!r.ok || r.at != n) return bad(r.ok ? "has trailing bytes" : "truncated");
        if (!std::isfinite(f.tTo)) return bad("model time is not finite");
        break;
    case stream::kEnd:
        f.rank = r.get<uint32_t>();
        f.seq = r.get<uint64_t>();
        f.tTo = r.get<double>();
        f.recorded = r.get<uint64_t>();
        f.dropped = r.get<uint64_t>();
        if (!r.ok || r.at != n) return bad(r.ok ? "has trailing bytes" : "truncated");
        if (!std::isfinite(f.tTo)) return bad("model time is not finite");
        break;
    case stream::kPositions: {
        f.rank = r.get<uint32_t>();
        const uint32_t count = r.get<uint32_t>();
        if (!r.ok) return bad("truncated header");
        if (n - r.at != size_t(count) * 16)
            return bad("says " + std::to_string(count) + " cells but carries " + std::to_string(n - r.at) +
                       " bytes of them (16 per cell)");
        f.posGid.resize(count);
        f.posXyz.resize(size_t(count) * 3);
        for (uint32_t i = 0; i < count; ++i) {
            f.posGid[i] = r.get<uint32_t>();
            for (int k = 0; k < 3; ++k) {
                f.posXyz[size_t(i) * 3 + k] = r.get<float>();
                if (!std::isfinite(f.posXyz[size_t(i) * 3 + k]))
                    return bad("cell " + std::to_string(i) + " has no finite position");
            }
        }
        break;
    }
    default:
        return bad("unknown frame type " + std::to_string(type));
    }
    return true;
}

bool StreamParser::feed(const uint8_t* data, size_t n, std::vector<StreamFrame>& out) {
    if (!error_.empty()) return false;
    buf_.insert(buf_.end(), data, data + n);
    while (buf_.size() - pos_ >= stream::kHeaderBytes) {
        const uint8_t* h = buf_.data() + pos_;
        if (h[0] != 'N' || h[1] != 'R') {
            error_ =
                "byte " + std::to_string(offset_ + pos_) + ": not a Neurorama stream frame (no \"NR\" magic)";
            return false;
        }
        if (h[2] != stream::kVersion) {
            error_ = "byte " + std::to_string(offset_ + pos_) + ": frame of protocol version " +
                     std::to_string(h[2]) + ", this receiver reads version " +
                     std::to_string(stream::kVersion);
            return false;
        }
        uint32_t len;
        std::memcpy(&len, h + 4, 4);
        if (len > stream::kMaxPayload) {
            error_ = "byte " + std::to_string(offset_ + pos_) + ": frame of " + std::to_string(len) +
                     " bytes, more than the limit of " + std::to_string(stream::kMaxPayload);
            return false;
        }
        if (buf_.size() - pos_ < stream::kHeaderBytes + len) break;
        StreamFrame f;
        if (!decode(h[3], h + stream::kHeaderBytes, len, f)) return false;
        out.push_back(std::move(f));
        pos_ += stream::kHeaderBytes + len;
    }
    if (pos_ > 0 && (pos_ == buf_.size() || pos_ > (1u << 20))) {
        buf_.erase(buf_.begin(), buf_.begin() + long(pos_));
        offset_ += pos_;
        pos_ = 0;
    }
    return true;
}

struct NeuronStreamServer::Conn {
    int fd = -1;
    std::string peer;
    StreamParser parser;
    bool hello = false;
    uint32_t rank = 0;
    double opened = 0;
};

NeuronStreamServer::NeuronStreamServer() = default;

NeuronStreamServer::~NeuronStreamServer() {
    close();
}

void NeuronStreamServer::close() {
    for (auto& c : conns_)
        if (c->fd >= 0) ::close(c->fd);
    conns_.clear();
    if (listenFd_ >= 0) ::close(listenFd_);
    listenFd_ = -1;
}

void NeuronStreamServer::disconnectAll() {
    while (!conns_.empty()) drop(conns_.size() - 1, std::string());
}

Status NeuronStreamServer::listen(const std::string& host, uint16_t port, const std::string& token) {
    close();
    const std::string where = "listen " + host + ":" + std::to_string(port);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    const std::string h = host.empty() || host == "localhost" ? "127.0.0.1" : host;
    if (inet_pton(AF_INET, h.c_str(), &a.sin_addr) != 1)
        return Error{where, 0,
                     "'" + host +
                         "' is not an IPv4 address (use 127.0.0.1, 0.0.0.0 or an interface address)"};
    const bool loopback = (ntohl(a.sin_addr.s_addr) >> 24) == 127;
    if (!loopback && token.empty())
        return Error{
            where, 0,
            "listening on an address other than loopback needs a token (the run sends it in its hello)"};
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return Error{where, 0, std::string("socket: ") + std::strerror(errno)};
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 64) != 0) {
        const std::string e = std::strerror(errno);
        ::close(fd);
        return Error{where, 0, "cannot listen: " + e};
    }
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    listenFd_ = fd;
    port_ = ntohs(a.sin_port);
    token_ = token;
    lastFrame_ = nowSeconds();
    return std::nullopt;
}

void NeuronStreamServer::accept() {
    for (;;) {
        sockaddr_in a{};
        socklen_t len = sizeof a;
        const int fd =
            ::accept4(listenFd_, reinterpret_cast<sockaddr*>(&a), &len, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) return;
        if (conns_.size() >= 4096) {
            messages_.push_back("refused a connection: 4096 connections are open");
            ::close(fd);
            continue;
        }
        auto c = std::make_unique<Conn>();
        c->fd = fd;
        char ip[INET_ADDRSTRLEN] = "?";
        inet_ntop(AF_INET, &a.sin_addr, ip, sizeof ip);
        c->peer = std::string(ip) + ":" + std::to_string(ntohs(a.sin_port));
        c->opened = nowSeconds();
        conns_.push_back(std::move(c));
    }
}

void NeuronStreamServer::drop(size_t i, const std::string& why) {
    Conn& c = *conns_[i];
    if (!why.empty()) messages_.push_back("connection from " + c.peer + " closed: " + why);
    if (c.hello) {
        auto it = ranks_.find(c.rank);
        if (it != ranks_.end()) {
            it->second.connected = false;
            if (!it->second.ended)
                messages_.push_back("rank " + std::to_string(c.rank) +
                                    " disconnected before its end of run (at " +
                                    std::to_string(it->second.tMs) + " ms of model time)");
        }
    }
    ::close(c.fd);
    conns_.erase(conns_.begin() + long(i));
}

bool NeuronStreamServer::handle(Conn& c, StreamFrame& f) {
    if (!c.hello) {
        if (f.type != stream::kHello) {
            messages_.push_back("connection from " + c.peer + " closed: the first frame is " +
                                typeName(f.type) + ", not hello");
            return false;
        }
        if (!token_.empty() && !sameToken(f.token, token_)) {
            messages_.push_back("refused connection from " + c.peer + " (rank " + std::to_string(f.rank) +
                                "): wrong or missing token");
            return false;
        }
        if (f.runId != runId_) { // a new run: forget the previous one
            runId_ = f.runId;
            ranks_.clear();
            positions_.clear();
            spikes_ = 0;
        }
        if (nranks_ != f.nranks || ncells_ != f.ncells) {
            nranks_ = f.nranks;
            ncells_ = f.ncells;
        }
        model_ = f.model;
        // A rank that reconnects replaces its old connection.
        for (size_t i = 0; i < conns_.size(); ++i)
            if (conns_[i].get() != &c && conns_[i]->hello && conns_[i]->rank == f.rank) {
                messages_.push_back("rank " + std::to_string(f.rank) + " reconnected from " + c.peer);
                ::close(conns_[i]->fd);
                conns_.erase(conns_.begin() + long(i));
                break;
            }
        c.hello = true;
        c.rank = f.rank;
        ranks_[f.rank].connected = true;
        return true;
    }
    if (f.type == stream::kHello) {
        messages_.push_back("connection from " + c.peer + " closed: a second hello");
        return false;
    }
    if (f.rank != c.rank) {
        messages_.push_back("connection from " + c.peer + " closed: rank " + std::to_string(c.rank) +
                            " sent a frame for rank " + std::to_string(f.rank));
        return false;
    }
    StreamRankState& st = ranks_[c.rank];
    switch (f.type) {
    case stream::kSpikes: {
        if (f.seq <= st.lastSeq) {
            ++st.duplicates;
            return true;
        }
        for (const StreamSpike& s : f.spikes)
            if (ncells_ > 0 && s.gid >= ncells_) {
                messages_.push_back("connection from " + c.peer + " closed: spike of gid " +
                                    std::to_string(s.gid) + " but the run has " + std::to_string(ncells_) +
                                    " cells");
                return false;
            }
        st.missing += f.seq - st.lastSeq - 1;
        st.lastSeq = f.seq;
        st.dropped = std::max(st.dropped, f.dropped);
        st.tMs = std::max(st.tMs, f.tTo);
        st.spikes += f.spikes.size();
        spikes_ += f.spikes.size();
        if (sink_ && !f.spikes.empty()) sink_(c.rank, f.spikes.data(), f.spikes.size());
        break;
    }
    case stream::kHeartbeat:
        st.tMs = std::max(st.tMs, f.tTo);
        st.dropped = std::max(st.dropped, f.dropped);
        break;
    case stream::kEnd:
        st.ended = true;
        st.tMs = std::max(st.tMs, f.tTo);
        st.recorded = f.recorded;
        st.dropped = std::max(st.dropped, f.dropped);
        if (f.seq > st.lastSeq) st.missing += f.seq - st.lastSeq;
        break;
    case stream::kPositions:
        for (size_t i = 0; i < f.posGid.size(); ++i)
            positions_[f.posGid[i]] = {f.posXyz[3 * i], f.posXyz[3 * i + 1], f.posXyz[3 * i + 2]};
        break;
    default:
        break;
    }
    return true;
}

bool NeuronStreamServer::readConn(Conn& c) {
    uint8_t buf[65536];
    for (int rounds = 0; rounds < 256; ++rounds) { // bounded: other connections get their turn
        const ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
        if (n == 0) return false;
        if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
        std::vector<StreamFrame> frames;
        const bool ok = c.parser.feed(buf, size_t(n), frames);
        if (!frames.empty()) lastFrame_ = nowSeconds();
        for (StreamFrame& f : frames)
            if (!handle(c, f)) return false;
        if (!ok) {
            messages_.push_back("connection from " + c.peer +
                                " closed: malformed stream: " + c.parser.error());
            return false;
        }
    }
    return true;
}

void NeuronStreamServer::poll(int timeoutMs) {
    if (listenFd_ < 0) return;
    std::vector<pollfd> fds;
    fds.push_back({listenFd_, POLLIN, 0});
    for (auto& c : conns_) fds.push_back({c->fd, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), std::max(0, timeoutMs)) <= 0) return;
    // Read the open connections first (their indices match fds), then accept new ones.
    std::vector<Conn*> ready;
    for (size_t i = 1; i < fds.size(); ++i)
        if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) ready.push_back(conns_[i - 1].get());
    for (Conn* c : ready) {
        size_t idx = 0;
        while (idx < conns_.size() && conns_[idx].get() != c) ++idx;
        if (idx == conns_.size()) continue; // replaced by a reconnect
        const size_t before = messages_.size();
        if (!readConn(*c)) {
            idx = 0;
            while (idx < conns_.size() && conns_[idx].get() != c) ++idx;
            if (idx < conns_.size()) {
                if (messages_.size() == before && c->parser.pending() > 0)
                    drop(idx, "truncated frame (" + std::to_string(c->parser.pending()) +
                                  " bytes of an unfinished frame)");
                else
                    drop(idx, std::string());
            }
        }
    }
    if (fds[0].revents & POLLIN) accept();
    // Connections that never say hello within 10 s are closed.
    const double now = nowSeconds();
    for (size_t i = 0; i < conns_.size();)
        if (!conns_[i]->hello && now - conns_[i]->opened > 10)
            drop(i, "no hello within 10 s");
        else
            ++i;
}

std::vector<std::string> NeuronStreamServer::takeMessages() {
    std::vector<std::string> out;
    out.swap(messages_);
    return out;
}

bool NeuronStreamServer::allEnded() const {
    if (nranks_ == 0 || ranks_.size() < nranks_) return false;
    for (const auto& [r, st] : ranks_)
        if (!st.ended) return false;
    return true;
}

uint64_t NeuronStreamServer::duplicates() const {
    uint64_t n = 0;
    for (const auto& [r, st] : ranks_) n += st.duplicates;
    return n;
}
uint64_t NeuronStreamServer::missingBatches() const {
    uint64_t n = 0;
    for (const auto& [r, st] : ranks_) n += st.missing;
    return n;
}
uint64_t NeuronStreamServer::droppedBatches() const {
    uint64_t n = 0;
    for (const auto& [r, st] : ranks_) n += st.dropped;
    return n;
}

double NeuronStreamServer::completeUntilMs() const {
    if (ranks_.empty() || ranks_.size() < nranks_) return 0;
    double t = 1e300;
    for (const auto& [r, st] : ranks_) t = std::min(t, st.tMs);
    return t;
}

double NeuronStreamServer::latestMs() const {
    double t = 0;
    for (const auto& [r, st] : ranks_) t = std::max(t, st.tMs);
    return t;
}

double NeuronStreamServer::secondsSinceLastFrame() const {
    return nowSeconds() - lastFrame_;
}

} // namespace nr
