#include "sim/SpikeRecorder.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace nr {

namespace {

constexpr char kFileMagic[8] = {'N', 'R', 'S', 'P', 'K', 'R', 'E', 'C'};
constexpr char kChunkMagic[4] = {'C', 'H', 'N', 'K'};
constexpr uint32_t kVersion = 1;
constexpr uint64_t kHeaderBytes = 16;
constexpr uint64_t kChunkHeaderBytes = 8;
constexpr uint64_t kBytesPerSpike = 12;

bool preadAll(int fd, void* p, size_t n, uint64_t off) {
    char* c = static_cast<char*>(p);
    while (n) {
        const ssize_t k = ::pread(fd, c, n, off_t(off));
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return false;
        c += k;
        n -= size_t(k);
        off += uint64_t(k);
    }
    return true;
}

std::string errnoText() {
    return std::strerror(errno);
}

} // namespace

SpikeRecorder::SpikeRecorder(size_t chunkSpikes) : chunk_(std::max<size_t>(1, chunkSpikes)) {
    times_.reserve(chunk_);
    units_.reserve(chunk_);
}

SpikeRecorder::~SpikeRecorder() {
    if (fd_ >= 0) ::close(fd_);
}

bool SpikeRecorder::writeAll(const void* p, size_t n) {
    const char* c = static_cast<const char*>(p);
    while (n) {
        const ssize_t k = ::write(fd_, c, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return false;
        c += k;
        n -= size_t(k);
        fileBytes_ += uint64_t(k);
    }
    return true;
}

Status SpikeRecorder::open(const std::string& path) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    path_ = path;
    times_.clear();
    units_.clear();
    chunkOffsets_.clear();
    chunkCounts_.clear();
    written_ = lost_ = fileBytes_ = 0;
    error_.reset();
    if (path.empty()) {
        const char* tmp = std::getenv("TMPDIR");
        std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/neurorama-spikes-XXXXXX";
        std::vector<char> buf(templ.begin(), templ.end());
        buf.push_back('\0');
        fd_ = ::mkostemp(buf.data(), O_CLOEXEC);
        if (fd_ < 0) {
            error_ = Error{templ, 0, "cannot create the spike recording file: " + errnoText()};
            return error_;
        }
        ::unlink(buf.data());
    } else {
        fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd_ < 0) {
            error_ = Error{path, 0, "cannot open the spike recording file for writing: " + errnoText()};
            return error_;
        }
    }
    char header[kHeaderBytes] = {};
    std::memcpy(header, kFileMagic, 8);
    std::memcpy(header + 8, &kVersion, 4);
    if (!writeAll(header, sizeof header)) {
        error_ = Error{path_, 0, "cannot write the spike recording file: " + errnoText()};
        return error_;
    }
    return std::nullopt;
}

void SpikeRecorder::writeChunk() {
    const size_t n = times_.size();
    if (n == 0) return;
    if (fd_ < 0 || error_) {
        lost_ += n;
    } else {
        const uint64_t offset = fileBytes_;
        char head[kChunkHeaderBytes];
        std::memcpy(head, kChunkMagic, 4);
        const uint32_t count = uint32_t(n);
        std::memcpy(head + 4, &count, 4);
        if (writeAll(head, sizeof head) && writeAll(times_.data(), n * sizeof(double)) &&
            writeAll(units_.data(), n * sizeof(uint32_t))) {
            chunkOffsets_.push_back(offset);
            chunkCounts_.push_back(count);
            written_ += n;
        } else {
            error_ = Error{path_, 0, "writing the spike recording failed (disk full?): " + errnoText()};
            lost_ += n;
        }
    }
    times_.clear();
    units_.clear();
}

Status SpikeRecorder::flush() {
    writeChunk();
    return error_;
}

Status SpikeRecorder::clear() {
    times_.clear();
    units_.clear();
    chunkOffsets_.clear();
    chunkCounts_.clear();
    written_ = lost_ = 0;
    error_.reset();
    if (fd_ < 0) return std::nullopt;
    if (::ftruncate(fd_, off_t(kHeaderBytes)) != 0 || ::lseek(fd_, off_t(kHeaderBytes), SEEK_SET) < 0) {
        error_ = Error{path_, 0, "cannot truncate the spike recording file: " + errnoText()};
        return error_;
    }
    fileBytes_ = kHeaderBytes;
    return std::nullopt;
}

Status SpikeRecorder::readBack(SpikeTrains& out, uint64_t maxBytes, bool* truncated) const {
    if (truncated) *truncated = false;
    // Newest chunks first until the budget is spent; the buffer (newest of all) always fits.
    uint64_t bytes = uint64_t(times_.size()) * kBytesPerSpike;
    size_t firstChunk = chunkCounts_.size();
    while (firstChunk > 0) {
        const uint64_t add = uint64_t(chunkCounts_[firstChunk - 1]) * kBytesPerSpike;
        if (bytes + add > maxBytes) {
            if (truncated) *truncated = true;
            break;
        }
        bytes += add;
        --firstChunk;
    }
    uint64_t n = times_.size();
    for (size_t c = firstChunk; c < chunkCounts_.size(); ++c) n += chunkCounts_[c];
    out.times.clear();
    out.units.clear();
    out.times.resize(n);
    out.units.resize(n);
    uint64_t at = 0;
    for (size_t c = firstChunk; c < chunkCounts_.size(); ++c) {
        const uint64_t k = chunkCounts_[c];
        const uint64_t off = chunkOffsets_[c] + kChunkHeaderBytes;
        if (!preadAll(fd_, out.times.data() + at, k * sizeof(double), off) ||
            !preadAll(fd_, out.units.data() + at, k * sizeof(uint32_t), off + k * sizeof(double))) {
            out.times.resize(at);
            out.units.resize(at);
            return Error{path_, 0, "cannot read the spike recording back: " + errnoText()};
        }
        at += k;
    }
    std::copy(times_.begin(), times_.end(), out.times.begin() + long(at));
    std::copy(units_.begin(), units_.end(), out.units.begin() + long(at));
    return std::nullopt;
}

Result<RecordingScan> SpikeRecorder::scan(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Error{path, 0, "cannot open the spike recording: " + errnoText()};
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st;
    if (::fstat(fd, &st) != 0) return Error{path, 0, "cannot stat the spike recording"};
    const uint64_t size = uint64_t(st.st_size);
    char header[kHeaderBytes];
    if (size < kHeaderBytes || !preadAll(fd, header, kHeaderBytes, 0) ||
        std::memcmp(header, kFileMagic, 8) != 0)
        return Error{path, 0, "not a spike recording (missing the NRSPKREC header)", 0};
    uint32_t version = 0;
    std::memcpy(&version, header + 8, 4);
    if (version != kVersion)
        return Error{path, 0, "unsupported spike recording version " + std::to_string(version), 8};
    RecordingScan s;
    uint64_t off = kHeaderBytes;
    std::vector<double> times;
    std::vector<uint32_t> units;
    bool first = true;
    while (off < size) {
        char head[kChunkHeaderBytes];
        if (size - off < kChunkHeaderBytes || !preadAll(fd, head, kChunkHeaderBytes, off))
            return Error{path, 0, "truncated chunk header", (long long)off};
        if (std::memcmp(head, kChunkMagic, 4) != 0)
            return Error{path, 0, "chunk without its CHNK mark", (long long)off};
        uint32_t count = 0;
        std::memcpy(&count, head + 4, 4);
        const uint64_t body = uint64_t(count) * kBytesPerSpike;
        if (count == 0 || size - off - kChunkHeaderBytes < body)
            return Error{path, 0,
                         "chunk of " + std::to_string(count) + " spikes runs past the end of the file",
                         (long long)off};
        times.resize(count);
        units.resize(count);
        if (!preadAll(fd, times.data(), count * sizeof(double), off + kChunkHeaderBytes) ||
            !preadAll(fd, units.data(), count * sizeof(uint32_t), off + kChunkHeaderBytes + count * 8ull))
            return Error{path, 0, "cannot read a chunk", (long long)off};
        for (uint32_t i = 0; i < count; ++i) {
            const double t = times[i];
            if (!std::isfinite(t) || (!first && t < s.tLast))
                return Error{path, 0,
                             "spike " + std::to_string(s.spikes + i) +
                                 ": time is not finite or goes backwards",
                             (long long)(off + kChunkHeaderBytes + i * 8ull)};
            if (first) s.tFirst = t;
            first = false;
            s.tLast = t;
            s.maxUnit = std::max(s.maxUnit, units[i]);
        }
        s.spikes += count;
        ++s.chunks;
        off += kChunkHeaderBytes + body;
    }
    return s;
}

} // namespace nr
