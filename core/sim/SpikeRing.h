// SpikeRing: bounded lock-free single-producer single-consumer ring of spike events.
//
// The producer (simulation thread) never blocks: when the ring is full it overwrites the oldest
// entries and counts them as lost. The consumer (UI thread) drains everything written since its last
// read. Each slot carries a sequence number written after the payload, so a consumer that races with
// an overwrite detects the torn slot and counts it as lost instead of returning a mixed event.
// Invariant: received + lost == produced once the producer has stopped and the consumer has drained.
#pragma once

#include "model/SpikeTrains.h"

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <vector>

namespace nr {

class SpikeRing {
public:
    // Capacity is rounded up to a power of two (at least 2).
    explicit SpikeRing(size_t capacity = 1 << 20) {
        size_t c = 2;
        while (c < capacity) c <<= 1;
        mask_ = c - 1;
        // A slot's seq holds its position + 1 once written, 0 while never written or being written, so the
        // slots start as zero bytes: calloc hands out untouched pages, and a ring that never sees a spike
        // (every window that runs no simulation) costs no resident memory.
        slots_.reset(static_cast<Slot*>(std::calloc(c, sizeof(Slot))));
        if (!slots_) throw std::bad_alloc();
    }
    size_t capacity() const { return mask_ + 1; }

    // Producer side. Never blocks.
    void push(const SpikeEvent& e) {
        const uint64_t h = head_.load(std::memory_order_relaxed);
        Slot& s = slots_[h & mask_];
        s.seq.store(0, std::memory_order_relaxed); // mark as being written
        std::atomic_thread_fence(std::memory_order_release);
        s.t.store(e.t, std::memory_order_relaxed);
        s.neuron.store(e.neuron, std::memory_order_relaxed);
        s.seq.store(h + 1, std::memory_order_release);
        head_.store(h + 1, std::memory_order_release);
    }
    void push(double t, uint32_t neuron) { push(SpikeEvent{t, neuron}); }

    // Consumer side: appends every event written since the last drain to `out` (oldest first) and
    // returns how many were appended. Events overwritten before they could be read are added to lost().
    size_t drain(std::vector<SpikeEvent>& out) {
        const uint64_t h = head_.load(std::memory_order_acquire);
        uint64_t t = tail_;
        const uint64_t cap = mask_ + 1;
        if (h - t > cap) { // the producer lapped us: the oldest are gone
            lost_.fetch_add(h - cap - t, std::memory_order_relaxed);
            t = h - cap;
        }
        size_t got = 0;
        out.reserve(out.size() + size_t(h - t));
        for (; t < h; ++t) {
            Slot& s = slots_[t & mask_];
            const uint64_t before = s.seq.load(std::memory_order_acquire);
            const double time = s.t.load(std::memory_order_relaxed);
            const uint32_t n = s.neuron.load(std::memory_order_relaxed);
            std::atomic_thread_fence(std::memory_order_acquire);
            const uint64_t after = s.seq.load(std::memory_order_relaxed);
            if (before != t + 1 || after != t + 1) { // overwritten while we read it
                lost_.fetch_add(1, std::memory_order_relaxed);
                continue;
            }
            out.push_back(SpikeEvent{time, n});
            ++got;
        }
        tail_ = h;
        return got;
    }

    uint64_t produced() const { return head_.load(std::memory_order_acquire); }
    uint64_t lost() const { return lost_.load(std::memory_order_relaxed); }
    // Consumer side only: forget everything not yet drained (counted as lost).
    void skipAll() {
        const uint64_t h = head_.load(std::memory_order_acquire);
        lost_.fetch_add(h - tail_, std::memory_order_relaxed);
        tail_ = h;
    }

private:
    struct Slot {
        std::atomic<uint64_t> seq;
        std::atomic<double> t;
        std::atomic<uint32_t> neuron;
    };
    static_assert(std::atomic<uint64_t>::is_always_lock_free && std::atomic<double>::is_always_lock_free,
                  "slots are zero-filled memory, not constructed objects");
    struct FreeSlots {
        void operator()(Slot* p) const { std::free(p); }
    };
    std::unique_ptr<Slot[], FreeSlots> slots_;
    uint64_t mask_ = 0;
    alignas(64) std::atomic<uint64_t> head_{0};
    alignas(64) uint64_t tail_ = 0; // consumer only
    std::atomic<uint64_t> lost_{0};
};

} // namespace nr
