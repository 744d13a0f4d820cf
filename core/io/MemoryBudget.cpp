#include "io/MemoryBudget.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <sys/resource.h>
#include <unistd.h>

namespace nr {

namespace {
std::atomic<uint64_t> gPinned{0};
} // namespace

void pinMemoryBudget(uint64_t bytes) {
    gPinned = bytes;
}

uint64_t memoryBudgetBytes() {
    if (const uint64_t pinned = gPinned) return pinned;
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    uint64_t limit = pages > 0 && page > 0 ? uint64_t(pages) * uint64_t(page) / 2 : (uint64_t(4) << 30);
    struct rlimit rl;
    if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && uint64_t(rl.rlim_cur) / 2 < limit)
        limit = uint64_t(rl.rlim_cur) / 2;
    if (const char* env = std::getenv("NR_MEMORY_LIMIT_MIB")) {
        char* end = nullptr;
        const unsigned long long mib = std::strtoull(env, &end, 10);
        if (end != env && *end == '\0' && mib > 0 && satMul(mib, 1 << 20) < limit) limit = mib << 20;
    }
    return limit;
}

std::string mibText(uint64_t bytes) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1f", double(bytes) / double(1 << 20));
    return buf;
}

Status checkBudget(uint64_t bytes, const std::string& what, const std::string& remedy,
                   const std::string& file, long line) {
    const uint64_t limit = memoryBudgetBytes();
    if (bytes <= limit) return std::nullopt;
    const std::string need = bytes == UINT64_MAX ? std::string("more than 16 EiB") : mibText(bytes) + " MiB";
    return Error{file, line,
                 what + " needs about " + need + ", more than the limit of " + mibText(limit) +
                     " MiB (half of memory); " + remedy};
}

} // namespace nr
