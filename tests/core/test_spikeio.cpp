// Spike files: CSV and NPY round trips, the shared recording, numpy layouts, malformed input.
#include "io/SpikeIO.h"

#include <QtTest/QtTest>

#include <cmath>
#include <cstring>
#include <fstream>

using namespace nr;

namespace {

void writeText(const QString& path, const std::string& text) {
    std::ofstream f(path.toStdString(), std::ios::binary);
    f << text;
}

// An NPY v1.0 file with the given header dict and raw data, laid out as numpy writes it.
std::string npy(const std::string& dict, const std::string& data) {
    std::string h = dict;
    const size_t total = 10 + h.size() + 1;
    h.append((64 - total % 64) % 64, ' ');
    h.push_back('\n');
    std::string out = "\x93NUMPY";
    out.push_back(1);
    out.push_back(0);
    out.push_back(char(h.size() & 0xff));
    out.push_back(char(h.size() >> 8));
    return out + h + data;
}

template <class T> void put(std::string& s, T v) {
    s.append(reinterpret_cast<const char*>(&v), sizeof v);
}

SpikeTrains sample() {
    SpikeTrains s;
    s.unitIds = {6, 191, 42};
    s.unitLabels = {"", "", ""};
    s.add(0.030333, 0);
    s.add(0.1 + 1e-12, 1);
    s.add(1087.352833, 2);
    s.add(0.2019, 0);
    return s;
}

} // namespace

class TestSpikeIO : public QObject {
    Q_OBJECT
private slots:
    void roundTripCsv();
    void roundTripNpy();
    void readSharedCsv();
    void readNumpyLayouts();
    void malformedCsv();
    void malformedNpy();
    void trialTableAndUnsorted();
};

void TestSpikeIO::roundTripCsv() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("s.csv").toStdString();
    const SpikeTrains s = sample();
    QVERIFY(!writeSpikes(path, s));
    auto r = readSpikesCsv(path);
    QVERIFY(r.ok());
    QCOMPARE(r.value().times, s.times); // exact: written with 17 significant digits
    QCOMPARE(r.value().unitIds, std::vector<int64_t>({6, 191, 42}));
    QCOMPARE(r.value().units, s.units);
}

void TestSpikeIO::roundTripNpy() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("s.npy").toStdString();
    const SpikeTrains s = sample();
    QVERIFY(!writeSpikes(path, s));
    std::ifstream f(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    QCOMPARE(bytes.size() % 16, size_t(0)); // 64-byte aligned header + 4 rows of 2 float64
    QVERIFY(bytes.find("'shape': (4, 2)") != std::string::npos);
    auto r = readSpikesNpy(path);
    QVERIFY(r.ok());
    QCOMPARE(r.value().times, s.times);
    QCOMPARE(r.value().unitIds, std::vector<int64_t>({6, 191, 42}));
    QCOMPARE(r.value().units, s.units);
}

void TestSpikeIO::readSharedCsv() {
    auto r = readSpikesCsv(std::string(NR_SHARED_DATA) + "/spikes/spikes.csv");
    QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
    const SpikeTrains& s = r.value();
    QCOMPARE(s.spikeCount(), size_t(21354));
    QCOMPARE(s.unitIds, std::vector<int64_t>({6, 191, 206}));
    std::vector<size_t> count(3, 0);
    for (uint32_t u : s.units) ++count[u];
    QCOMPARE(count, std::vector<size_t>({11020, 4690, 5644}));
    QCOMPARE(s.times.front(), 0.030333);
    QCOMPARE(s.tStop, 1087.352833);
}

void TestSpikeIO::readNumpyLayouts() {
    QTemporaryDir dir;
    // 1-D structured array (unit int64, time float64), as np.save writes a record array.
    std::string d;
    put<int64_t>(d, 7);
    put<double>(d, 0.5);
    put<int64_t>(d, 3);
    put<double>(d, 0.25);
    const QString p1 = dir.filePath("rec.npy");
    writeText(
        p1, npy("{'descr': [('unit', '<i8'), ('time', '<f8')], 'fortran_order': False, 'shape': (2,), }", d));
    auto r = readSpikesNpy(p1.toStdString());
    QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
    QCOMPARE(r.value().unitIds, std::vector<int64_t>({7, 3}));
    QCOMPARE(r.value().times, std::vector<double>({0.5, 0.25}));
    // 2-D int32 array, columns (unit, time in whole seconds).
    d.clear();
    for (int32_t v : {1, 10, 2, 20, 1, 30}) put<int32_t>(d, v);
    const QString p2 = dir.filePath("int.npy");
    writeText(p2, npy("{'descr': '<i4', 'fortran_order': False, 'shape': (3, 2), }", d));
    r = readSpikesNpy(p2.toStdString());
    QVERIFY(r.ok());
    QCOMPARE(r.value().times, std::vector<double>({10, 20, 30}));
    QCOMPARE(r.value().units, std::vector<uint32_t>({0, 1, 0}));
    // 2-D float32 in Fortran order: first all units, then all times.
    d.clear();
    for (float v : {4.f, 5.f, 0.5f, 1.5f}) put<float>(d, v);
    const QString p3 = dir.filePath("f32.npy");
    writeText(p3, npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", d));
    r = readSpikesNpy(p3.toStdString());
    QVERIFY(r.ok());
    QCOMPARE(r.value().unitIds, std::vector<int64_t>({4, 5}));
    QCOMPARE(r.value().times, std::vector<double>({0.5, 1.5}));
}

void TestSpikeIO::malformedCsv() {
    QTemporaryDir dir;
    struct Case {
        const char* text;
        long line;
        const char* reason;
    } cases[] = {
        {"unit,time_s,depth\n1,0.5,3\n1,0.7\n", 3, "expected 3 columns"},
        {"unit,time_s\n1,0.5s\n", 2, "not a number"},
        {"unit,time_s\n", 0, "no spikes"},
        {"neuron_name,when\n1,0.5\n", 1, "expected the header"},
        {"unit,time_s\n1,0.5\n2,nan\n", 3, "NaN"},
        {"unit,time_s\n-4,0.5\n", 2, "negative unit"},
        {"unit,time_s\n1,0.5\n1\n", 3, "expected 2 columns"},
        {"unit,time_s\nabc,0.5\n", 2, "not an integer"},
        {"", 1, "empty file"},
    };
    // A NUL byte inside a number is binary data, not a number cut short.
    const QString nul = dir.filePath("nul.csv");
    writeText(nul, std::string("unit,time_s\n1,0\0.297538\n", 24));
    auto rn = readSpikesCsv(nul.toStdString());
    QVERIFY(!rn.ok());
    QCOMPARE(rn.error().line, 2L);
    QVERIFY2(rn.error().reason.find("binary data") != std::string::npos, rn.error().str().c_str());
    int k = 0;
    for (const auto& c : cases) {
        const QString path = dir.filePath(QString("bad%1.csv").arg(k++));
        writeText(path, c.text);
        auto r = readSpikesCsv(path.toStdString());
        QVERIFY2(!r.ok(), c.text);
        QCOMPARE(r.error().file, path.toStdString());
        QCOMPARE(r.error().line, c.line);
        QVERIFY2(r.error().str().find(c.reason) != std::string::npos, r.error().str().c_str());
    }
}

void TestSpikeIO::malformedNpy() {
    QTemporaryDir dir;
    std::string d;
    put<double>(d, 1);
    put<double>(d, 0.5);
    auto check = [&](const std::string& bytes, const char* reason, long long minOffset) {
        const QString path = dir.filePath("bad.npy");
        writeText(path, bytes);
        auto r = readSpikesNpy(path.toStdString());
        QVERIFY2(!r.ok(), reason);
        QCOMPARE(r.error().file, path.toStdString());
        QVERIFY(r.error().byteOffset >= minOffset);
        QVERIFY2(r.error().str().find(reason) != std::string::npos, r.error().str().c_str());
        QVERIFY2(r.error().str().find(":@") != std::string::npos, r.error().str().c_str());
    };
    // Truncated data: two rows announced, one present.
    check(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", d), "truncated NPY data", 64);
    // Truncated header.
    check(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }", d).substr(0, 30),
          "truncated NPY header", 0);
    // Bad magic, bad dtype, wrong shape.
    check("PK\x03\x04 not numpy at all", "not an NPY file", 0);
    check(npy("{'descr': '<c16', 'fortran_order': False, 'shape': (1, 2), }", d), "unsupported NPY dtype", 0);
    check(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", d), "2 columns", 0);
    check(npy("{'fortran_order': False, 'shape': (1, 2), }", d), "bad NPY header", 0);
    // NaN time and negative unit, at the row's byte offset.
    std::string nanRow;
    put<double>(nanRow, 1);
    put<double>(nanRow, std::nan(""));
    check(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }", nanRow), "NaN", 64);
    std::string negRow;
    put<double>(negRow, -2);
    put<double>(negRow, 0.5);
    check(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }", negRow), "negative unit", 64);
    // Strict header: huge, fractional and negative dimensions, other versions, trailing bytes.
    check(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000, 2), }", d),
          "truncated NPY data", 0);
    check(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1.5, 2), }", d), "not an integer", 10);
    check(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (-1, 2), }", d), "negative dimension", 10);
    std::string v9 = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }", d);
    v9[6] = 9;
    check(v9, "unsupported NPY version 9", 6);
    check(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }", d + "xx"), "trailing bytes", 64);
    check(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), 'extra': 1}", d), "unknown key", 10);
}

void TestSpikeIO::trialTableAndUnsorted() {
    QTemporaryDir dir;
    // The table `simulate --trials` writes: trial-relative times, unsorted per unit across trials.
    const QString p = dir.filePath("x_spikes.csv");
    writeText(p, "unit,trial,time_s\n5,0,0.30\n7,0,0.10\n5,1,0.05\n7,2,0.20\n5,2,0.35\n");
    auto r = readSpikesCsv(p.toStdString());
    QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
    const SpikeTrains& s = r.value();
    QCOMPARE(s.unitIds, std::vector<int64_t>({5, 7}));
    QCOMPARE(s.spikeCount(), size_t(5));
    // Trials of span 0.35 s laid end to end: trial k starts at 0.35 k.
    const std::vector<double> want = {0.30, 0.10, 0.35 + 0.05, 0.70 + 0.20, 0.70 + 0.35};
    for (size_t i = 0; i < want.size(); ++i)
        QVERIFY2(std::fabs(s.times[i] - want[i]) < 1e-12, "laid-out time");
    QCOMPARE(s.units, std::vector<uint32_t>({0, 1, 0, 1, 0}));
    QVERIFY(std::fabs(s.tStop - 1.05) < 1e-12);
    // A plain recording with a unit going backwards is sorted (stably), not refused.
    const QString q = dir.filePath("uns.csv");
    writeText(q, "unit,time_s\n1,0.5\n2,0.1\n1,0.2\n");
    r = readSpikesCsv(q.toStdString());
    QVERIFY(r.ok());
    QCOMPARE(r.value().times, std::vector<double>({0.1, 0.2, 0.5}));
    QCOMPARE(r.value().units, std::vector<uint32_t>({1, 0, 0}));
    // Labels are kept.
    const QString l = dir.filePath("lab.csv");
    writeText(l, "unit,time_s,label\n3,0.1,pyr\n4,0.2,int\n");
    r = readSpikesCsv(l.toStdString());
    QVERIFY(r.ok());
    QCOMPARE(r.value().unitLabels, std::vector<std::string>({"pyr", "int"}));
}

QTEST_GUILESS_MAIN(TestSpikeIO)
#include "test_spikeio.moc"
