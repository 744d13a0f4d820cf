#include "io/Hdf5Sandbox.h"

#include "io/Hdf5Lock.h"
#include "io/MemoryBudget.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <new>
#include <optional>
#include <poll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define NR_SANDBOX_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NR_SANDBOX_ASAN 1
#endif
#endif

namespace nr {

// ---- columns ------------------------------------------------------------------------------------------
size_t H5Column::size() const {
    switch (kind) {
    case Kind::F64:
        return f64.size();
    case Kind::I64:
        return i64.size();
    case Kind::U64:
        return u64.size();
    case Kind::Text:
        return text.size();
    }
    return 0;
}

H5Column* H5Columns::findMutable(const std::string& name) {
    for (auto& c : cols_)
        if (c.first == name) return &c.second;
    return nullptr;
}

const H5Column* H5Columns::find(const std::string& name) const {
    for (const auto& c : cols_)
        if (c.first == name) return &c.second;
    return nullptr;
}

void H5Columns::put(const std::string& name, std::vector<double> v) {
    H5Column c;
    c.kind = H5Column::Kind::F64;
    c.f64 = std::move(v);
    cols_.emplace_back(name, std::move(c));
}
void H5Columns::put(const std::string& name, std::vector<int64_t> v) {
    H5Column c;
    c.kind = H5Column::Kind::I64;
    c.i64 = std::move(v);
    cols_.emplace_back(name, std::move(c));
}
void H5Columns::put(const std::string& name, std::vector<uint64_t> v) {
    H5Column c;
    c.kind = H5Column::Kind::U64;
    c.u64 = std::move(v);
    cols_.emplace_back(name, std::move(c));
}
void H5Columns::put(const std::string& name, std::vector<std::string> v) {
    H5Column c;
    c.kind = H5Column::Kind::Text;
    c.text = std::move(v);
    cols_.emplace_back(name, std::move(c));
}

std::vector<double> H5Columns::takeF64(const std::string& name) {
    H5Column* c = findMutable(name);
    return c && c->kind == H5Column::Kind::F64 ? std::move(c->f64) : std::vector<double>{};
}
std::vector<int64_t> H5Columns::takeI64(const std::string& name) {
    H5Column* c = findMutable(name);
    return c && c->kind == H5Column::Kind::I64 ? std::move(c->i64) : std::vector<int64_t>{};
}
std::vector<uint64_t> H5Columns::takeU64(const std::string& name) {
    H5Column* c = findMutable(name);
    return c && c->kind == H5Column::Kind::U64 ? std::move(c->u64) : std::vector<uint64_t>{};
}
std::vector<std::string> H5Columns::takeText(const std::string& name) {
    H5Column* c = findMutable(name);
    return c && c->kind == H5Column::Kind::Text ? std::move(c->text) : std::vector<std::string>{};
}

// ---- limits -------------------------------------------------------------------------------------------
namespace {

std::atomic<double> gSeconds{0};
std::atomic<uint64_t> gMemory{0};

constexpr char kMagic[4] = {'N', 'R', 'H', '5'};
constexpr char kEnd[4] = {'E', 'N', 'D', '!'};

std::string secondsText(double s) {
    char buf[32];
    if (s == std::floor(s) && s < 1e9)
        std::snprintf(buf, sizeof buf, "%.0f", s);
    else
        std::snprintf(buf, sizeof buf, "%.3g", s);
    return buf;
}

// Pages the process maps now (VmSize), in bytes; 0 when unknown.
uint64_t mappedBytes() {
    FILE* f = std::fopen("/proc/self/statm", "r");
    if (!f) return 0;
    unsigned long long pages = 0;
    const int got = std::fscanf(f, "%llu", &pages);
    std::fclose(f);
    if (got != 1) return 0;
    return uint64_t(pages) * uint64_t(sysconf(_SC_PAGESIZE));
}

// ---- child side: buffered writes to the pipe ----------------------------------------------------------
class FdWriter {
public:
    explicit FdWriter(int fd) : fd_(fd) { buf_.reserve(kCap); }
    ~FdWriter() { flush(); }
    void bytes(const void* p, size_t n) {
        const char* c = static_cast<const char*>(p);
        if (n >= kCap) {
            flush();
            raw(c, n);
            return;
        }
        if (buf_.size() + n > kCap) flush();
        buf_.insert(buf_.end(), c, c + n);
    }
    void u8(uint8_t v) { bytes(&v, 1); }
    void u64(uint64_t v) { bytes(&v, 8); }
    void i64(int64_t v) { bytes(&v, 8); }
    void str(const std::string& s) {
        u64(s.size());
        bytes(s.data(), s.size());
    }
    void flush() {
        raw(buf_.data(), buf_.size());
        buf_.clear();
    }
    bool failed() const { return failed_; }

private:
    static constexpr size_t kCap = 1 << 16;
    void raw(const char* p, size_t n) {
        while (n && !failed_) {
            const ssize_t w = ::write(fd_, p, n);
            if (w < 0) {
                if (errno == EINTR) continue;
                failed_ = true;
                return;
            }
            p += w;
            n -= size_t(w);
        }
    }
    int fd_;
    bool failed_ = false;
    std::vector<char> buf_;
};

void sendError(FdWriter& w, const Error& e) {
    w.bytes(kMagic, 4);
    w.u8(1);
    w.str(e.file);
    w.i64(e.line);
    w.i64(e.byteOffset);
    w.str(e.reason);
    w.bytes(kEnd, 4);
}

void sendColumns(FdWriter& w, const H5Columns& cols) {
    w.bytes(kMagic, 4);
    w.u8(0);
    w.u64(cols.columns().size());
    for (const auto& [name, c] : cols.columns()) {
        w.str(name);
        w.u8(uint8_t(c.kind));
        w.u64(c.size());
        switch (c.kind) {
        case H5Column::Kind::F64:
            w.bytes(c.f64.data(), c.f64.size() * 8);
            break;
        case H5Column::Kind::I64:
            w.bytes(c.i64.data(), c.i64.size() * 8);
            break;
        case H5Column::Kind::U64:
            w.bytes(c.u64.data(), c.u64.size() * 8);
            break;
        case H5Column::Kind::Text:
            for (const auto& s : c.text) w.str(s);
            break;
        }
    }
    w.bytes(kEnd, 4);
}

// The child's first steps: default signal dispositions, death with the parent, the memory limit.
// `alarmSeconds` > 0: ends itself that long after it would have been killed anyway.
void prepareChild(double alarmSeconds, uint64_t memoryBytes, uint64_t budget, uint64_t mappedNow,
                  pid_t parent) {
    // Default dispositions: the parent's handlers (a crash reporter, Qt's, a fuzzer's alarm) are not the
    // child's business; a crash in the child ends it and the parent reports the signal.
    struct sigaction dfl;
    std::memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig)
        if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &dfl, nullptr);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    // Die with the parent, and on our own a little after the parent would have killed us anyway.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(3);
    if (alarmSeconds > 0) alarm(unsigned(std::ceil(alarmSeconds)) + 5);
    pinMemoryBudget(budget);
#ifndef NR_SANDBOX_ASAN
    if (mappedNow > 0) {
        struct rlimit rl;
        if (getrlimit(RLIMIT_AS, &rl) == 0) {
            const rlim_t want = rlim_t(satAdd(mappedNow, memoryBytes));
            if (rl.rlim_cur == RLIM_INFINITY || want < rl.rlim_cur) {
                rl.rlim_cur = want;
                setrlimit(RLIMIT_AS, &rl);
            }
        }
    }
#else
    (void)memoryBytes;
    (void)mappedNow;
#endif
}

// The error for a child that ended without a (complete) answer; `status` from waitpid.
Error childEndedError(const std::string& file, int status) {
    if (status >= 0 && WIFSIGNALED(status)) {
        const int sig = WTERMSIG(status);
        return Error{file, 0,
                     "HDF5 library stopped on signal " + std::to_string(sig) + " (" + strsignal(sig) +
                         ") while reading the file (file is probably corrupt)"};
    }
    return Error{file, 0,
                 "the process reading the file ended without a result (exit status " +
                     std::to_string(status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")"};
}

Error childLateError(const std::string& file, double seconds) {
    return Error{file, 0,
                 "HDF5 library did not finish reading the file within " + secondsText(seconds) +
                     " s (file is probably corrupt; NR_HDF5_TIMEOUT_S raises the limit)"};
}

[[noreturn]] void childMain(int fd, const std::string& file, double seconds, uint64_t memoryBytes,
                            uint64_t budget, uint64_t mappedNow, pid_t parent,
                            const std::function<Result<H5Columns>()>& work) {
    prepareChild(seconds, memoryBytes, budget, mappedNow, parent);
    {
        FdWriter w(fd);
        try {
            Result<H5Columns> r = work();
            if (r)
                sendColumns(w, r.value());
            else
                sendError(w, r.error());
        } catch (const std::bad_alloc&) {
            sendError(w,
                      Error{file, 0,
                            "reading the file needs more than the memory limit of " + mibText(memoryBytes) +
                                " MiB (the file is probably corrupt, or too large for this machine)"});
        } catch (const std::exception& e) {
            sendError(w, Error{file, 0, std::string("reading the file failed: ") + e.what()});
        } catch (...) {
            sendError(w, Error{file, 0, "reading the file failed"});
        }
    }
    close(fd);
    _exit(0);
}

// ---- parent side: reads with a deadline ---------------------------------------------------------------
using Clock = std::chrono::steady_clock;

enum class ReadStatus { Ok, Eof, Timeout };

class FdReader {
public:
    FdReader(int fd, Clock::time_point deadline) : fd_(fd), deadline_(deadline) {}
    ReadStatus exact(void* p, size_t n) {
        char* out = static_cast<char*>(p);
        while (n) {
            if (pos_ == len_) {
                const ReadStatus s = fill();
                if (s != ReadStatus::Ok) return s;
            }
            const size_t k = std::min(n, len_ - pos_);
            std::memcpy(out, buf_ + pos_, k);
            pos_ += k;
            out += k;
            n -= k;
        }
        return ReadStatus::Ok;
    }

private:
    ReadStatus fill() {
        while (true) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
            if (left.count() <= 0) return ReadStatus::Timeout;
            pollfd pfd{fd_, POLLIN, 0};
            const int pr = poll(&pfd, 1, int(std::min<long long>(left.count(), 1000)));
            if (pr < 0) {
                if (errno == EINTR) continue;
                return ReadStatus::Eof;
            }
            if (pr == 0) continue;
            const ssize_t k = ::read(fd_, buf_, sizeof buf_);
            if (k < 0) {
                if (errno == EINTR || errno == EAGAIN) continue;
                return ReadStatus::Eof;
            }
            if (k == 0) return ReadStatus::Eof;
            pos_ = 0;
            len_ = size_t(k);
            return ReadStatus::Ok;
        }
    }
    int fd_;
    Clock::time_point deadline_;
    char buf_[1 << 16];
    size_t pos_ = 0, len_ = 0;
};

// Parses the child's message. Returns the status of the first failed read (Eof/Timeout) in `status`.
struct Parsed {
    ReadStatus status = ReadStatus::Ok;
    bool malformed = false;
    std::optional<Error> childError;
    H5Columns columns;
};

Parsed parseMessage(FdReader& r, const std::string& file) {
    Parsed p;
    auto rd = [&](void* d, size_t n) {
        if (p.status != ReadStatus::Ok) return false;
        p.status = r.exact(d, n);
        return p.status == ReadStatus::Ok;
    };
    auto u64 = [&](uint64_t& v) { return rd(&v, 8); };
    const uint64_t budget = memoryBudgetBytes();
    auto str = [&](std::string& s) {
        uint64_t n = 0;
        if (!u64(n)) return false;
        if (n > budget) {
            p.malformed = true;
            return false;
        }
        s.resize(n);
        return n == 0 || rd(&s[0], n);
    };
    char magic[4];
    if (!rd(magic, 4)) return p;
    if (std::memcmp(magic, kMagic, 4) != 0) {
        p.malformed = true;
        return p;
    }
    uint8_t status = 0;
    if (!rd(&status, 1)) return p;
    if (status == 1) {
        Error e;
        int64_t line = 0, off = 0;
        if (!str(e.file) || !rd(&line, 8) || !rd(&off, 8) || !str(e.reason)) return p;
        e.line = long(line);
        e.byteOffset = (long long)off;
        if (e.file.empty()) e.file = file;
        p.childError = std::move(e);
    } else {
        uint64_t ncols = 0;
        if (!u64(ncols)) return p;
        for (uint64_t i = 0; i < ncols; ++i) {
            std::string name;
            uint8_t kind = 0;
            uint64_t n = 0;
            if (!str(name) || !rd(&kind, 1) || !u64(n)) return p;
            if (satMul(n, 8) > budget) {
                p.malformed = true;
                return p;
            }
            switch (H5Column::Kind(kind)) {
            case H5Column::Kind::F64: {
                std::vector<double> v(n);
                if (n && !rd(v.data(), n * 8)) return p;
                p.columns.put(name, std::move(v));
                break;
            }
            case H5Column::Kind::I64: {
                std::vector<int64_t> v(n);
                if (n && !rd(v.data(), n * 8)) return p;
                p.columns.put(name, std::move(v));
                break;
            }
            case H5Column::Kind::U64: {
                std::vector<uint64_t> v(n);
                if (n && !rd(v.data(), n * 8)) return p;
                p.columns.put(name, std::move(v));
                break;
            }
            case H5Column::Kind::Text: {
                std::vector<std::string> v(n);
                for (auto& s : v)
                    if (!str(s)) return p;
                p.columns.put(name, std::move(v));
                break;
            }
            default:
                p.malformed = true;
                return p;
            }
        }
    }
    char end[4];
    if (!rd(end, 4)) return p;
    if (std::memcmp(end, kEnd, 4) != 0) p.malformed = true;
    return p;
}

int waitChild(pid_t pid) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return -1;
    }
    return status;
}

// Waits for a child whose pipe ended until `deadline`, then kills it; its waitpid status.
int reapChild(pid_t pid, Clock::time_point deadline) {
    int status = 0;
    pid_t got = 0;
    while ((got = waitpid(pid, &status, WNOHANG)) == 0 && Clock::now() < deadline) usleep(2000);
    if (got == 0) {
        kill(pid, SIGKILL);
        status = waitChild(pid);
    }
    return status;
}

bool readAll(int fd, void* p, size_t n) {
    char* c = static_cast<char*>(p);
    while (n) {
        const ssize_t k = ::read(fd, c, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return false;
        c += k;
        n -= size_t(k);
    }
    return true;
}

bool sendAll(int fd, const void* p, size_t n) {
    const char* c = static_cast<const char*>(p);
    while (n) {
        const ssize_t k = ::send(fd, c, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return false;
        c += k;
        n -= size_t(k);
    }
    return true;
}

// The block child's loop: requests (count, then that many u64) in, one message per request out.
[[noreturn]] void blockChildMain(int fd, const std::string& file, uint8_t* block, size_t bytes,
                                 uint64_t memoryBytes, uint64_t budget, uint64_t mappedNow, pid_t parent,
                                 const Hdf5BlockChild::Serve& serve) {
    prepareChild(0, memoryBytes, budget, mappedNow, parent);
    while (true) {
        uint64_t n = 0;
        if (!readAll(fd, &n, 8) || n > 64) break;
        std::vector<uint64_t> req(n);
        if (n && !readAll(fd, req.data(), n * 8)) break;
        FdWriter w(fd);
        try {
            if (Status st = serve(req, block, bytes))
                sendError(w, *st);
            else
                sendColumns(w, H5Columns{});
        } catch (const std::bad_alloc&) {
            sendError(w,
                      Error{file, 0,
                            "reading the file needs more than the memory limit of " + mibText(memoryBytes) +
                                " MiB (the file is probably corrupt, or too large for this machine)"});
        } catch (const std::exception& e) {
            sendError(w, Error{file, 0, std::string("reading the file failed: ") + e.what()});
        } catch (...) {
            sendError(w, Error{file, 0, "reading the file failed"});
        }
        w.flush();
        if (w.failed()) break;
    }
    close(fd);
    _exit(0);
}

} // namespace

void setHdf5ChildLimits(const Hdf5ChildLimits& limits) {
    gSeconds = limits.seconds;
    gMemory = limits.memoryBytes;
}

Hdf5ChildLimits hdf5ChildLimits() {
    Hdf5ChildLimits l;
    l.seconds = gSeconds;
    l.memoryBytes = gMemory;
    return l;
}

double hdf5ChildSeconds(const std::string& file) {
    const double set = gSeconds;
    if (set > 0) return set;
    if (const char* env = std::getenv("NR_HDF5_TIMEOUT_S")) {
        char* end = nullptr;
        const double v = std::strtod(env, &end);
        if (end != env && std::isfinite(v) && v > 0) return v;
    }
    struct stat st;
    const double bytes = ::stat(file.c_str(), &st) == 0 ? double(st.st_size) : 0.0;
    return 20.0 + std::floor(bytes / 50e6);
}

Result<H5Columns> readHdf5InChild(const std::string& file, const std::function<Result<H5Columns>()>& work) {
    const double seconds = hdf5ChildSeconds(file);
    const uint64_t budget = memoryBudgetBytes();
    const uint64_t memory = gMemory ? uint64_t(gMemory) : budget;
    const uint64_t mappedNow = mappedBytes();
    // Held across fork(): no other thread of ours is inside HDF5 when the child's copy of it is taken.
    Hdf5Guard lock(hdf5Mutex());
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return Error{file, 0, std::string("cannot start the reading process: pipe: ") + std::strerror(errno)};
    const pid_t parent = getpid();
    const auto start = Clock::now();
    const pid_t pid = fork();
    if (pid < 0) {
        const int err = errno;
        close(fds[0]);
        close(fds[1]);
        return Error{file, 0, std::string("cannot start the reading process: fork: ") + std::strerror(err)};
    }
    if (pid == 0) {
        close(fds[0]);
        childMain(fds[1], file, seconds, memory, budget, mappedNow, parent, work);
    }
    close(fds[1]);
    const auto deadline =
        start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    FdReader reader(fds[0], deadline);
    Parsed p = parseMessage(reader, file);
    close(fds[0]);
    if (p.status == ReadStatus::Timeout) {
        kill(pid, SIGKILL);
        waitChild(pid);
        return childLateError(file, seconds);
    }
    if (p.status == ReadStatus::Ok && !p.malformed) {
        waitChild(pid);
        if (p.childError) return *p.childError;
        return std::move(p.columns);
    }
    // The message stopped early: the child died.
    if (p.status == ReadStatus::Eof) return childEndedError(file, reapChild(pid, deadline));
    kill(pid, SIGKILL);
    waitChild(pid);
    return Error{file, 0, "the process reading the file sent a malformed result"};
}

// ---- block child --------------------------------------------------------------------------------------
struct Hdf5BlockChild::Impl {
    std::string file;
    size_t bytes = 0;
    Serve serve;
    std::mutex mu;
    pid_t pid = 0;
    int fd = -1;
    uint8_t* block = nullptr;
    double seconds = 0;
    std::optional<Error> dead;

    Status start();
    void stop(bool kill);
};

Status Hdf5BlockChild::Impl::start() {
    seconds = hdf5ChildSeconds(file);
    const uint64_t budget = memoryBudgetBytes();
    const uint64_t memory = gMemory ? uint64_t(gMemory) : budget;
    void* m =
        mmap(nullptr, std::max<size_t>(bytes, 1), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return Error{file, 0,
                     "cannot start the reading process: no shared block of " + mibText(bytes) +
                         " MiB: " + std::strerror(errno)};
    block = static_cast<uint8_t*>(m);
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
        return Error{file, 0,
                     std::string("cannot start the reading process: socketpair: ") + std::strerror(errno)};
    const uint64_t mappedNow = mappedBytes();
    const pid_t parent = getpid();
    pid_t child;
    {
        // Held across fork(): no other thread of ours is inside HDF5 when the child's copy of it is taken.
        Hdf5Guard lock(hdf5Mutex());
        child = fork();
    }
    if (child < 0) {
        const int err = errno;
        close(fds[0]);
        close(fds[1]);
        return Error{file, 0, std::string("cannot start the reading process: fork: ") + std::strerror(err)};
    }
    if (child == 0) {
        close(fds[0]);
        blockChildMain(fds[1], file, block, bytes, memory, budget, mappedNow, parent, serve);
    }
    close(fds[1]);
    fd = fds[0];
    pid = child;
    return std::nullopt;
}

void Hdf5BlockChild::Impl::stop(bool killIt) {
    if (fd >= 0) close(fd);
    fd = -1;
    if (pid > 0) {
        if (killIt) kill(pid, SIGKILL);
        // Told to end by the closed socket; a child stuck in HDF5 is killed after a moment.
        reapChild(pid, Clock::now() + std::chrono::seconds(2));
    }
    pid = 0;
}

Hdf5BlockChild::Hdf5BlockChild(std::string file, size_t blockBytes, Serve serve)
    : d_(std::make_unique<Impl>()) {
    d_->file = std::move(file);
    d_->bytes = blockBytes;
    d_->serve = std::move(serve);
}

Hdf5BlockChild::~Hdf5BlockChild() {
    d_->stop(false);
    if (d_->block) munmap(d_->block, std::max<size_t>(d_->bytes, 1));
}

int Hdf5BlockChild::pid() const {
    std::lock_guard<std::mutex> g(d_->mu);
    return int(d_->pid);
}

Status Hdf5BlockChild::request(const std::vector<uint64_t>& req, uint8_t* out) {
    std::lock_guard<std::mutex> g(d_->mu);
    Impl& d = *d_;
    if (d.dead) return *d.dead;
    if (!d.pid)
        if (Status st = d.start()) {
            d.dead = *st;
            return st;
        }
    std::vector<uint64_t> msg;
    msg.push_back(req.size());
    msg.insert(msg.end(), req.begin(), req.end());
    const auto deadline =
        Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(d.seconds));
    if (!sendAll(d.fd, msg.data(), msg.size() * 8)) {
        close(d.fd);
        d.fd = -1;
        d.dead = childEndedError(d.file, reapChild(d.pid, deadline));
        d.pid = 0;
        return d.dead;
    }
    FdReader reader(d.fd, deadline);
    Parsed p = parseMessage(reader, d.file);
    if (p.status == ReadStatus::Ok && !p.malformed) {
        if (p.childError) return *p.childError;
        std::memcpy(out, d.block, d.bytes);
        return std::nullopt;
    }
    if (p.status == ReadStatus::Timeout) {
        d.stop(true);
        d.dead = childLateError(d.file, d.seconds);
    } else if (p.status == ReadStatus::Eof) {
        close(d.fd);
        d.fd = -1;
        d.dead = childEndedError(d.file, reapChild(d.pid, deadline));
        d.pid = 0;
    } else {
        d.stop(true);
        d.dead = Error{d.file, 0, "the process reading the file sent a malformed result"};
    }
    return d.dead;
}

} // namespace nr
