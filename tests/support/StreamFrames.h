// Frames of the NEURON spike stream (docs/NEURON_STREAM.md) written byte by byte, as a model's sender would,
// and a loopback client socket: for tests of the receiver.
#pragma once

#include <arpa/inet.h>
#include <cstdint>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

#include "sim/NeuronStream.h"

namespace streamframes {

struct Bytes {
    std::string b;
    template <class T> Bytes& put(T v) {
        b.append(reinterpret_cast<const char*>(&v), sizeof v);
        return *this;
    }
    Bytes& text(const std::string& s) {
        put<uint16_t>(uint16_t(s.size()));
        b += s;
        return *this;
    }
};

inline std::string frame(uint8_t type, const std::string& payload, uint8_t version = 1) {
    Bytes h;
    h.b = "NR";
    h.put<uint8_t>(version).put<uint8_t>(type).put<uint32_t>(uint32_t(payload.size()));
    return h.b + payload;
}

inline std::string hello(uint32_t rank, uint32_t nranks, uint64_t run, const std::string& token,
                         uint32_t ncells = 100) {
    Bytes p;
    p.put<uint16_t>(1).put<uint32_t>(rank).put<uint32_t>(nranks).put<uint64_t>(run).put<uint32_t>(ncells);
    p.put<double>(1000).put<double>(10).text(token).text("test");
    return frame(nr::stream::kHello, p.b);
}

inline std::string spikes(uint32_t rank, uint64_t seq, double t0, double t1,
                          const std::vector<nr::StreamSpike>& s) {
    Bytes p;
    p.put<uint32_t>(rank).put<uint64_t>(seq).put<double>(t0).put<double>(t1).put<uint64_t>(0);
    p.put<uint32_t>(uint32_t(s.size()));
    for (const auto& x : s) p.put<uint32_t>(x.gid).put<double>(x.tMs);
    return frame(nr::stream::kSpikes, p.b);
}

inline std::string endFrame(uint32_t rank, uint64_t lastSeq, double t, uint64_t recorded) {
    Bytes p;
    p.put<uint32_t>(rank).put<uint64_t>(lastSeq).put<double>(t).put<uint64_t>(recorded).put<uint64_t>(0);
    return frame(nr::stream::kEnd, p.b);
}

// A TCP connection to 127.0.0.1:port, or -1.
inline int connectTo(uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

} // namespace streamframes
