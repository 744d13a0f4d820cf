// How much memory a reader or an analysis may allocate, and the check every one of them makes before it
// allocates: estimate the bytes from the input, refuse above the budget with the estimate and the parameter
// (or input) to change.
#pragma once

#include "model/Error.h"

#include <cstdint>
#include <string>

namespace nr {

// Half of physical memory, or half of the address-space limit (RLIMIT_AS) when that is lower. The
// environment variable NR_MEMORY_LIMIT_MIB lowers it further (used by tests and by shared machines).
uint64_t memoryBudgetBytes();

// Fixes memoryBudgetBytes() at `bytes` for the rest of the process (0: computed at each call again). The
// HDF5 reading child (io/Hdf5Sandbox.h) keeps its parent's budget this way before it lowers its own
// address-space limit, so its checks and messages match the parent's.
void pinMemoryBudget(uint64_t bytes);

// nullopt when `bytes` fits the budget; otherwise an Error on `file` (at `line`, 0 = none) saying
// "<what> needs about X MiB, more than the limit of Y MiB (50 % of memory); <remedy>".
Status checkBudget(uint64_t bytes, const std::string& what, const std::string& remedy,
                   const std::string& file, long line = 0);

// a * b, saturating at UINT64_MAX (so an estimate never wraps round to a small number).
inline uint64_t satMul(uint64_t a, uint64_t b) {
    if (a != 0 && b > UINT64_MAX / a) return UINT64_MAX;
    return a * b;
}
inline uint64_t satAdd(uint64_t a, uint64_t b) {
    return b > UINT64_MAX - a ? UINT64_MAX : a + b;
}

// Human-readable MiB count with one decimal ("12.5").
std::string mibText(uint64_t bytes);

} // namespace nr
