#include "vessel/VesselText.h"

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace nr::vessel {

MappedFile::~MappedFile() {
    if (map_) ::munmap(map_, size_);
}

Status MappedFile::open(const std::string& path, bool populate) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Error{path, 0, std::string("cannot open: ") + std::strerror(errno)};
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return Error{path, 0, "cannot open: not a regular file"};
    }
    size_ = size_t(st.st_size);
    if (size_ == 0) {
        ::close(fd);
        data_ = "";
        return std::nullopt;
    }
    // MAP_POPULATE maps the whole file (from the page cache) in one call instead of one fault per page.
    void* m = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE | (populate ? MAP_POPULATE : 0), fd, 0);
    ::close(fd);
    if (m == MAP_FAILED) {
        size_ = 0;
        return Error{path, 0, std::string("cannot map the file: ") + std::strerror(errno)};
    }
    if (populate) ::madvise(m, size_, MADV_SEQUENTIAL | MADV_WILLNEED);
    map_ = m;
    data_ = static_cast<const char*>(m);
    return std::nullopt;
}

void adviseHugePages(void* p, size_t bytes) {
    if (bytes < (size_t(4) << 20)) return;
    const uintptr_t a =
        (reinterpret_cast<uintptr_t>(p) + (size_t(2) << 20) - 1) & ~((uintptr_t(2) << 20) - 1);
    const uintptr_t e = (reinterpret_cast<uintptr_t>(p) + bytes) & ~((uintptr_t(2) << 20) - 1);
    if (e > a) ::madvise(reinterpret_cast<void*>(a), e - a, MADV_HUGEPAGE);
}

size_t memoryBudget(const OpenOptions& opt) {
    const std::string given = opt.option("max_memory_bytes");
    if (!given.empty()) return size_t(std::strtoull(given.c_str(), nullptr, 10));
    size_t avail = 0;
    if (std::FILE* f = std::fopen("/proc/meminfo", "r")) {
        char line[256];
        while (std::fgets(line, sizeof line, f)) {
            unsigned long long kb = 0;
            if (std::sscanf(line, "MemAvailable: %llu kB", &kb) == 1) {
                avail = size_t(kb) * 1024;
                break;
            }
        }
        std::fclose(f);
    }
    if (avail == 0) {
        const long pages = ::sysconf(_SC_AVPHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
        if (pages > 0 && page > 0) avail = size_t(pages) * size_t(page);
    }
    return avail ? avail / 10 * 8 : size_t(1) << 34;
}

std::string numberText(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    return buf;
}

std::string formatBytes(double bytes) {
    char buf[64];
    if (bytes >= 1e9)
        std::snprintf(buf, sizeof buf, "%.1f GB", bytes / 1e9);
    else if (bytes >= 1e6)
        std::snprintf(buf, sizeof buf, "%.0f MB", bytes / 1e6);
    else
        std::snprintf(buf, sizeof buf, "%.0f kB", bytes / 1e3);
    return buf;
}

} // namespace nr::vessel
