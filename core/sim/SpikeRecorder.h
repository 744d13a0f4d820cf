// SpikeRecorder: keeps every spike of a run on disk with bounded memory.
//
// Spikes are buffered in columns (time, unit) of at most `chunkSpikes` entries (12 B each; 768 KiB for the
// default 65,536) and written as one binary columnar chunk when the buffer is full:
//
//   file   = "NRSPKREC" (8 bytes), u32 version (1), u32 reserved (0), chunk*
//   chunk  = "CHNK", u32 count, f64 time_s[count], u32 unit[count]          (little-endian)
//
// Memory stays flat however long the run: the buffer plus 16 bytes per chunk of bookkeeping (the chunk
// offsets, so the newest part of a recording can be read back without scanning the file). The file is one
// the caller names, or an anonymous temporary file (created in $TMPDIR or /tmp and unlinked at once, so it
// disappears with the process). Not thread-safe: the owner serialises add() and the readers.
#pragma once

#include "model/Error.h"
#include "model/SpikeTrains.h"

#include <cstdint>
#include <string>
#include <vector>

namespace nr {

// What a recorder file holds, found by reading it chunk by chunk (memory: one chunk).
struct RecordingScan {
    uint64_t chunks = 0;
    uint64_t spikes = 0;
    double tFirst = 0, tLast = 0;
    uint32_t maxUnit = 0;
};

class SpikeRecorder {
public:
    static constexpr size_t kDefaultChunk = size_t(1) << 16;

    explicit SpikeRecorder(size_t chunkSpikes = kDefaultChunk);
    ~SpikeRecorder();
    SpikeRecorder(const SpikeRecorder&) = delete;
    SpikeRecorder& operator=(const SpikeRecorder&) = delete;

    // Starts a new recording in `path` (truncated), or in an anonymous temporary file when `path` is "".
    Status open(const std::string& path = "");
    bool isOpen() const { return fd_ >= 0; }
    const std::string& path() const { return path_; } // "" for the anonymous file

    // Buffers one spike; a full buffer is written out as a chunk. A failed write is kept in error() and
    // later spikes are counted as lost.
    void add(double t, uint32_t unit) {
        times_.push_back(t);
        units_.push_back(unit);
        if (times_.size() >= chunk_) writeChunk();
    }
    // Writes the buffered spikes as a (short) chunk.
    Status flush();
    // Forgets everything recorded (the file is truncated to its header).
    Status clear();

    uint64_t count() const { return written_ + times_.size(); } // written + buffered
    uint64_t written() const { return written_; }               // in the file
    uint64_t lost() const { return lost_; }                     // dropped after a write error
    uint64_t fileBytes() const { return fileBytes_; }
    size_t bufferedSpikes() const { return times_.size(); }
    size_t chunkSpikes() const { return chunk_; }
    const Status& error() const { return error_; }

    // Reads the recording back (file and buffer) into out.times/out.units, oldest first. When it needs
    // more than `maxBytes` (12 B per spike), only the newest whole chunks that fit are read and
    // `*truncated` is set. Other fields of `out` are left alone.
    Status readBack(SpikeTrains& out, uint64_t maxBytes, bool* truncated = nullptr) const;

    // Checks a recorder file written by anyone (header, chunk framing, finite non-decreasing times) and
    // counts its spikes, reading one chunk at a time.
    static Result<RecordingScan> scan(const std::string& path);

private:
    void writeChunk();
    bool writeAll(const void* p, size_t n);

    size_t chunk_;
    int fd_ = -1;
    std::string path_;
    std::vector<double> times_;
    std::vector<uint32_t> units_;
    std::vector<uint64_t> chunkOffsets_; // file offset of each chunk
    std::vector<uint32_t> chunkCounts_;
    uint64_t written_ = 0, lost_ = 0, fileBytes_ = 0;
    Status error_;
};

} // namespace nr
