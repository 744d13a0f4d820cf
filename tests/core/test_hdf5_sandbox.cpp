// readHdf5InChild (io/Hdf5Sandbox.h): columns come back intact (larger than a pipe buffer), a child that
// never finishes is killed at the wall-time limit, a crash and an allocation above the memory limit become
// errors, the child's own errors keep their file/line/offset, and two threads can read at once. The block
// child (Hdf5BlockChild) the same for a child that serves many blocks.
#include <QtTest>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <thread>
#include <vector>

#include "io/Hdf5Sandbox.h"
#include "io/MemoryBudget.h"

#if defined(__SANITIZE_ADDRESS__)
#define NR_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NR_UNDER_ASAN 1
#endif
#endif

using nr::H5Columns;
using nr::Result;

namespace {
double since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
} // namespace

class TestHdf5Sandbox : public QObject {
    Q_OBJECT

private slots:
    void init() { nr::setHdf5ChildLimits({}); }
    void cleanupTestCase() { nr::setHdf5ChildLimits({}); }

    void columnsRoundTrip() {
        const size_t n = 300000; // 2.4 MB per numeric column: many pipe buffers
        auto r = nr::readHdf5InChild("x.h5", [n]() -> Result<H5Columns> {
            H5Columns c;
            std::vector<double> f(n);
            std::vector<int64_t> i(n);
            std::vector<uint64_t> u(n);
            for (size_t k = 0; k < n; ++k) {
                f[k] = double(k) * 0.5;
                i[k] = -int64_t(k);
                u[k] = uint64_t(k) * 3;
            }
            c.put("f", std::move(f));
            c.put("i", std::move(i));
            c.put("u", std::move(u));
            c.put("t",
                  std::vector<std::string>{"grating", "", std::string(100000, 'x'), std::string("a\0b", 3)});
            c.put("empty", std::vector<double>{});
            return c;
        });
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
        H5Columns& c = r.value();
        QCOMPARE(c.columns().size(), size_t(5));
        QVERIFY(c.has("empty"));
        QCOMPARE(c.find("empty")->size(), size_t(0));
        const auto f = c.takeF64("f");
        const auto i = c.takeI64("i");
        const auto u = c.takeU64("u");
        QCOMPARE(f.size(), n);
        QCOMPARE(i.size(), n);
        QCOMPARE(u.size(), n);
        QCOMPARE(f[n - 1], double(n - 1) * 0.5);
        QCOMPARE(i[12345], int64_t(-12345));
        QCOMPARE(u[n - 1], uint64_t(n - 1) * 3);
        const auto t = c.takeText("t");
        QCOMPARE(t.size(), size_t(4));
        QCOMPARE(t[0], std::string("grating"));
        QCOMPARE(t[1], std::string());
        QCOMPARE(t[2].size(), size_t(100000));
        QCOMPARE(t[3], std::string("a\0b", 3));
        QVERIFY(c.takeF64("i").empty()); // another kind: nothing
    }

    void childErrorKeepsItsPlace() {
        auto r = nr::readHdf5InChild("in.nwb", []() -> Result<H5Columns> {
            nr::Error e{"other.nwb", 7, "dataset 'units/id' not found"};
            e.byteOffset = 99;
            return e;
        });
        QVERIFY(!r.ok());
        QCOMPARE(r.error().file, std::string("other.nwb"));
        QCOMPARE(r.error().line, 7L);
        QCOMPARE(r.error().byteOffset, 99LL);
        QCOMPARE(r.error().reason, std::string("dataset 'units/id' not found"));
    }

    void endlessChildIsKilledAtTheLimit() {
        nr::Hdf5ChildLimits lim;
        lim.seconds = 1.5;
        nr::setHdf5ChildLimits(lim);
        QCOMPARE(nr::hdf5ChildSeconds("whatever.nwb"), 1.5);
        const auto t0 = std::chrono::steady_clock::now();
        auto r = nr::readHdf5InChild("loop.nwb", []() -> Result<H5Columns> {
            volatile uint64_t x = 0;
            while (true) x = x + 1;
            return H5Columns{};
        });
        const double s = since(t0);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().file, std::string("loop.nwb"));
        QVERIFY2(r.error().reason.find("did not finish reading the file within 1.5 s") != std::string::npos,
                 r.error().reason.c_str());
        QVERIFY2(s >= 1.4 && s < 3.5, std::to_string(s).c_str());
    }

    void crashBecomesAnError() {
        auto r = nr::readHdf5InChild("crash.nwb", []() -> Result<H5Columns> {
            std::abort();
            return H5Columns{};
        });
        QVERIFY(!r.ok());
        QCOMPARE(r.error().file, std::string("crash.nwb"));
        QVERIFY2(r.error().reason.find("stopped on signal 6") != std::string::npos, r.error().reason.c_str());
    }

    void memoryLimitInTheChild() {
#ifdef NR_UNDER_ASAN
        QSKIP("no address-space limit under AddressSanitizer");
#else
        nr::Hdf5ChildLimits lim;
        lim.memoryBytes = uint64_t(64) << 20;
        nr::setHdf5ChildLimits(lim);
        auto r = nr::readHdf5InChild("big.nwb", []() -> Result<H5Columns> {
            std::vector<double> v(size_t(1) << 28); // 2 GiB
            v[v.size() - 1] = 1;
            H5Columns c;
            c.put("v", std::move(v));
            return c;
        });
        QVERIFY(!r.ok());
        QVERIFY2(r.error().reason.find("more than the memory limit of 64.0 MiB") != std::string::npos,
                 r.error().reason.c_str());
#endif
    }

    void childKeepsTheParentsBudget() {
        // The child lowers its address-space limit, but its budget checks (and messages) stay the parent's.
        auto r = nr::readHdf5InChild("b.nwb", []() -> Result<H5Columns> {
            H5Columns c;
            c.put("budget", std::vector<uint64_t>{nr::memoryBudgetBytes()});
            return c;
        });
        QVERIFY(r.ok());
        const auto b = r.value().takeU64("budget");
        QCOMPARE(b.size(), size_t(1));
        QCOMPARE(b[0], nr::memoryBudgetBytes());
    }

    void defaultLimitGrowsWithTheFile() {
        qunsetenv("NR_HDF5_TIMEOUT_S");
        QCOMPARE(nr::hdf5ChildSeconds("/nonexistent/file.nwb"), 20.0);
        qputenv("NR_HDF5_TIMEOUT_S", "45");
        QCOMPARE(nr::hdf5ChildSeconds("/nonexistent/file.nwb"), 45.0);
        qunsetenv("NR_HDF5_TIMEOUT_S");
    }

    void twoThreadsAtOnce() {
        std::vector<double> sums(2, 0.0);
        auto job = [&sums](int k) {
            auto r = nr::readHdf5InChild("t.nwb", [k]() -> Result<H5Columns> {
                H5Columns c;
                c.put("v", std::vector<double>(1000, double(k + 1)));
                return c;
            });
            if (r.ok())
                for (double x : r.value().takeF64("v")) sums[size_t(k)] += x;
        };
        std::thread a(job, 0), b(job, 1);
        a.join();
        b.join();
        QCOMPARE(sums[0], 1000.0);
        QCOMPARE(sums[1], 2000.0);
    }

    // Hdf5BlockChild: one child serves many blocks through shared memory, keeps its state between
    // requests, passes its errors on and stays usable, and ends with the object.
    void blockChildServesBlocks() {
        const size_t bytes = 3 << 20; // larger than a pipe or socket buffer
        int served = 0;               // the child's copy counts its requests
        pid_t childPid = 0;
        {
            nr::Hdf5BlockChild child(
                "vol.h5", bytes,
                [&served](const std::vector<uint64_t>& req, uint8_t* block, size_t n) -> nr::Status {
                    ++served;
                    if (req.size() == 1 && req[0] == 99) return nr::Error{"vol.h5", 0, "no block 99"};
                    for (size_t i = 0; i < n; ++i) block[i] = uint8_t(req[0] * 7 + i + size_t(served));
                    return std::nullopt;
                });
            QCOMPARE(child.pid(), 0); // nothing started before the first request
            std::vector<uint8_t> out(bytes);
            for (uint64_t k = 0; k < 20; ++k) {
                QVERIFY(!child.request({k}, out.data()));
                const size_t i = size_t(k) * 1000 + 12345;
                QCOMPARE(int(out[i]), int(uint8_t(k * 7 + i + k + 1)));
            }
            childPid = child.pid();
            QVERIFY(childPid > 0);
            auto e = child.request({99}, out.data());
            QVERIFY(e);
            QCOMPARE(e->file, std::string("vol.h5"));
            QCOMPARE(e->reason, std::string("no block 99"));
            QVERIFY(!child.request({3}, out.data())); // the same child goes on
            QCOMPARE(child.pid(), int(childPid));
            QCOMPARE(served, 0); // the parent's copy never ran
        }
        QCOMPARE(kill(childPid, 0), -1); // reaped when the object ended
    }

    void blockChildCrashBecomesAnError() {
        nr::Hdf5BlockChild child("crash.h5", 4096,
                                 [](const std::vector<uint64_t>& req, uint8_t*, size_t) -> nr::Status {
                                     if (req.at(0) == 2) raise(SIGSEGV);
                                     return std::nullopt;
                                 });
        std::vector<uint8_t> out(4096);
        QVERIFY(!child.request({1}, out.data()));
        auto e = child.request({2}, out.data());
        QVERIFY(e);
        QCOMPARE(e->file, std::string("crash.h5"));
        QVERIFY2(e->reason.find("stopped on signal 11") != std::string::npos, e->reason.c_str());
        auto again = child.request({1}, out.data()); // a dead child answers nothing more
        QVERIFY(again);
        QCOMPARE(again->reason, e->reason);
    }

    void blockChildLateIsKilled() {
        nr::Hdf5ChildLimits lim;
        lim.seconds = 1;
        nr::setHdf5ChildLimits(lim);
        nr::Hdf5BlockChild child("loop.h5", 16,
                                 [](const std::vector<uint64_t>&, uint8_t*, size_t) -> nr::Status {
                                     volatile uint64_t x = 0;
                                     while (true) x = x + 1;
                                     return std::nullopt;
                                 });
        std::vector<uint8_t> out(16);
        const auto t0 = std::chrono::steady_clock::now();
        auto e = child.request({0}, out.data());
        const double s = since(t0);
        QVERIFY(e);
        QVERIFY2(e->reason.find("did not finish reading the file within 1 s") != std::string::npos,
                 e->reason.c_str());
        QVERIFY2(s >= 0.9 && s < 4, std::to_string(s).c_str());
        QCOMPARE(child.pid(), 0);
    }
};

QTEST_GUILESS_MAIN(TestHdf5Sandbox)
#include "test_hdf5_sandbox.moc"
