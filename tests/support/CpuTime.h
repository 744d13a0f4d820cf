// CPU-time bounds for the scale suites: the work they time runs on one thread, so the calling thread's CPU
// time is measured, and what other work on the machine takes from it (CTest runs suites side by side) does
// not count against it.
#pragma once

#include <QtGlobal>
#include <ctime>

namespace nrtest {

// 30 s of CPU time is the bound; sanitizer builds run several times slower and only check that the work
// finishes.
#if defined(__SANITIZE_ADDRESS__)
constexpr qint64 kLimitMs = 600000;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr qint64 kLimitMs = 600000;
#else
constexpr qint64 kLimitMs = 30000;
#endif
#else
constexpr qint64 kLimitMs = 30000;
#endif

// CPU time of the calling thread, ms.
inline qint64 threadCpuMs() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return qint64(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

} // namespace nrtest
