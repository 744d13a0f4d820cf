// Reading untrusted HDF5 in a child process.
//
// libhdf5 trusts the structures it finds in a file: a corrupt global heap (variable-length strings) or
// B-tree can make it loop forever or allocate without bound, inside a single H5Dread, where no check of
// ours can interrupt it. A reader of untrusted HDF5 therefore does its HDF5 work in a forked child:
// readHdf5InChild() forks, the child runs `work` (HDF5 calls only) under an address-space limit, sends the
// columns it read back through a pipe and _exit()s; the parent waits at most the wall-time limit, kills the
// child when it is late and returns
//   Error{file, 0, "HDF5 library did not finish reading the file within N s (file is probably corrupt;
//   ...)"}.
// The parent then validates the columns itself (that code stays in the process, where tests and fuzzers
// see it).
//
// Constraints on `work` (it runs in the child of a possibly multi-threaded process, e.g. the Qt app
// forking from a worker thread; only the forking thread exists in the child):
// - call HDF5 and plain C++ (std::vector/std::string: glibc's malloc is reset for the child by fork());
// - no Qt, no locks (hdf5Mutex() is held by the parent across the fork and is NOT to be taken again:
//   it is a plain mutex that the child sees locked), no stdio/iostream, no threads, no exit()/atexit;
// - report failures as Error values; exceptions (std::bad_alloc at the memory limit) are caught and
//   turned into errors.
// readHdf5InChild() itself takes hdf5Mutex(), so no other thread of the process is inside HDF5 while it
// forks (every HDF5 user in the process holds that lock: io/Hdf5Lock.h).
#pragma once

#include "model/Error.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace nr {

// One named 1-D column a child read: numbers (double, int64, uint64) or text.
struct H5Column {
    enum class Kind : uint8_t { F64 = 1, I64 = 2, U64 = 3, Text = 4 };
    Kind kind = Kind::F64;
    std::vector<double> f64;
    std::vector<int64_t> i64;
    std::vector<uint64_t> u64;
    std::vector<std::string> text;
    size_t size() const;
};

// What a child hands back: named columns, in the order they were added.
class H5Columns {
public:
    void put(const std::string& name, std::vector<double> v);
    void put(const std::string& name, std::vector<int64_t> v);
    void put(const std::string& name, std::vector<uint64_t> v);
    void put(const std::string& name, std::vector<std::string> v);
    bool has(const std::string& name) const { return find(name) != nullptr; }
    const H5Column* find(const std::string& name) const;
    // Moves a column out (empty vector when absent or of another kind).
    std::vector<double> takeF64(const std::string& name);
    std::vector<int64_t> takeI64(const std::string& name);
    std::vector<uint64_t> takeU64(const std::string& name);
    std::vector<std::string> takeText(const std::string& name);
    const std::vector<std::pair<std::string, H5Column>>& columns() const { return cols_; }
    std::vector<std::pair<std::string, H5Column>>& columns() { return cols_; }

private:
    H5Column* findMutable(const std::string& name);
    std::vector<std::pair<std::string, H5Column>> cols_;
};

struct Hdf5ChildLimits {
    // Wall time for the child, seconds. 0 = default: 20 s plus 1 s per 50 MB of the file, or the
    // environment variable NR_HDF5_TIMEOUT_S when set.
    double seconds = 0;
    // Address space the child may add to what the process already maps. 0 = memoryBudgetBytes().
    // (Not applied under AddressSanitizer, which reserves terabytes for its shadow.)
    uint64_t memoryBytes = 0;
};

// Process-wide limits used by readHdf5InChild (tests and fuzz harnesses lower the wall time).
void setHdf5ChildLimits(const Hdf5ChildLimits& limits);
Hdf5ChildLimits hdf5ChildLimits();

// The wall time readHdf5InChild allows for `file` (resolves the defaults above).
double hdf5ChildSeconds(const std::string& file);

// Runs `work` in a forked child (see the constraints above) and returns what it returned, or an error on
// `file` when the child did not finish in time, died (signal) or could not be started.
Result<H5Columns> readHdf5InChild(const std::string& file, const std::function<Result<H5Columns>()>& work);

// A reading child that stays alive and serves block requests, for data too large to send back at once
// (HDF5 volumes: one chunk-sized block at a time). The child is forked on the first request with a shared
// buffer of `blockBytes`; each request is a list of numbers handed to `serve` (in the child, same
// constraints as `work` above), which fills the buffer or returns an error. The parent waits at most the
// wall-time limit per request (hdf5ChildSeconds) and then copies the buffer out. When the child dies or is
// late, that request and every later one fail with the same error on `file` (see readHdf5InChild). The
// child ends when this object is destroyed. Requests are serialised (safe to call from any thread).
class Hdf5BlockChild {
public:
    using Serve = std::function<Status(const std::vector<uint64_t>& request, uint8_t* block, size_t bytes)>;
    Hdf5BlockChild(std::string file, size_t blockBytes, Serve serve);
    ~Hdf5BlockChild();
    Hdf5BlockChild(const Hdf5BlockChild&) = delete;
    Hdf5BlockChild& operator=(const Hdf5BlockChild&) = delete;
    // Runs `serve(request)` in the child; on success copies the block into `out` (blockBytes bytes).
    Status request(const std::vector<uint64_t>& request, uint8_t* out);
    // The child's process id (0 before the first request or after it ended).
    int pid() const;

private:
    struct Impl;
    std::unique_ptr<Impl> d_;
};

} // namespace nr
