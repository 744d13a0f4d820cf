// Activity traces: readers (real wide CSV, generated long CSV / NPY / HDF5 / NWB files and malformed ones),
// the name join with the C. elegans connectome, correlations, windows, communities, structure vs function
// and NTF.
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <fstream>
#include <hdf5.h>
#include <random>
#include <set>

#include "Hdf5Write.h"
#include "formats/Open.h"
#include "io/CsvTable.h"
#include "io/GraphIO.h"
#include "io/Hdf5Sandbox.h"
#include "io/ReaderRegistry.h"
#include "traces/TraceAnalysis.h"
#include "traces/TraceFormats.h"

namespace {

using namespace nrtest;

const std::string kData = NR_SHARED_DATA;
const std::string kTraces = kData + "/activity/atanas2023_traces.csv";
const std::string kHerm = kData + "/connectome/herm_full_edgelist.csv";
const std::string kSomas = kData + "/connectome/celegans_somas.csv";

nr::Traces mustRead(nr::Result<nr::Traces> r) {
    if (!r.ok()) qFatal("%s", r.error().str().c_str());
    return std::move(r).value();
}
nr::Traces mustRead(nr::Result<std::shared_ptr<const nr::Traces>> r) {
    if (!r.ok()) qFatal("%s", r.error().str().c_str());
    return *r.value();
}

// Writes an NPY array (little-endian float64, C order unless `fortran`).
void writeNpy(const std::string& path, const std::vector<double>& v, std::vector<size_t> shape,
              bool fortran = false) {
    std::string dict =
        "{'descr': '<f8', 'fortran_order': " + std::string(fortran ? "True" : "False") + ", 'shape': (";
    for (size_t i = 0; i < shape.size(); ++i)
        dict += std::to_string(shape[i]) + (shape.size() == 1 ? "," : (i + 1 < shape.size() ? ", " : ""));
    dict += "), }";
    while ((10 + dict.size() + 1) % 64) dict += ' ';
    dict += '\n';
    std::ofstream f(path, std::ios::binary);
    f.write("\x93NUMPY\x01\x00", 8);
    const uint16_t hl = uint16_t(dict.size());
    f.write(reinterpret_cast<const char*>(&hl), 2);
    f << dict;
    f.write(reinterpret_cast<const char*>(v.data()), std::streamsize(v.size() * sizeof(double)));
}

// Three groups of neurons driven by three slow signals plus independent noise.
nr::Traces plantedTraces(size_t perGroup, size_t T, uint64_t seed, std::vector<int>& group) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> N01(0, 1);
    nr::Traces t;
    const size_t G = 3, n = G * perGroup;
    std::vector<std::vector<double>> drive(G, std::vector<double>(T));
    for (auto& d : drive) {
        double x = 0;
        for (auto& v : d) v = x = 0.95 * x + N01(rng);
    }
    for (size_t i = 0; i < n; ++i) {
        t.names.push_back("N" + std::to_string(i));
        group.push_back(int(i % G));
    }
    for (size_t k = 0; k < T; ++k) t.time.push_back(0.5 * double(k));
    t.values.resize(n * T);
    for (size_t i = 0; i < n; ++i)
        for (size_t k = 0; k < T; ++k) t.values[i * T + k] = float(drive[i % G][k] + 0.7 * N01(rng));
    return t;
}

} // namespace

class TestTraces : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    std::string file(const std::string& name) {
        return tmp_.filePath(QString::fromStdString(name)).toStdString();
    }
    std::string write(const std::string& name, const std::string& text) {
        const std::string p = file(name);
        std::ofstream(p, std::ios::binary) << text;
        return p;
    }
    void expectError(const nr::Result<nr::Traces>& r, const std::string& path, long line, const char* what) {
        QVERIFY2(!r.ok(), (path + " was accepted").c_str());
        const nr::Error& e = r.error();
        QVERIFY2(e.file == path, e.str().c_str());
        QVERIFY2(e.line == line, (e.str() + " (expected line " + std::to_string(line) + ")").c_str());
        QVERIFY2(e.reason.find(what) != std::string::npos, (e.str() + " (expected '" + what + "')").c_str());
    }

private slots:
    void realCsvShapeAndCorrelations() {
        QCOMPARE(nr::sniffWideTraceCsv(nr::readHead(kTraces)), 3);
        nr::Traces t = mustRead(nr::readTracesWideCsv(kTraces));
        QCOMPARE(t.neurons(), size_t(98));
        QCOMPARE(t.timepoints(), size_t(1600));
        QCOMPARE(t.values.size(), size_t(98 * 1600));
        QCOMPARE(t.nanFrames, size_t(0));
        QCOMPARE(t.names.front(), std::string("SAADR"));
        QCOMPARE(t.names[1], std::string("IL1R"));
        QCOMPARE(t.time.front(), 0.0);
        QVERIFY(std::fabs(t.time.back() - 961.9052) < 1e-9);
        float lo = 1e9f, hi = -1e9f;
        for (float v : t.values) lo = std::min(lo, v), hi = std::max(hi, v);
        QCOMPARE(lo, -4.231746f);
        QCOMPARE(hi, 31.87491f);
        const nr::CorrMatrix fc = nr::correlationMatrix(t);
        const long aval = t.find("AVAL"), avar = t.find("AVAR"), aibl = t.find("AIBL"), ribl = t.find("RIBL");
        QVERIFY(aval >= 0 && avar >= 0 && aibl >= 0 && ribl >= 0);
        QVERIFY(std::fabs(fc.at(size_t(aval), size_t(avar)) - 0.969242) < 1e-6);
        QVERIFY(std::fabs(fc.at(size_t(aval), size_t(aibl)) - 0.834553) < 1e-6);
        QVERIFY(std::fabs(fc.at(size_t(aval), size_t(ribl)) + 0.604333) < 1e-6);
        const nr::MeanAbsR m = nr::meanAbsCorrelation(t, fc);
        QCOMPARE(m.pairs, size_t(4753));
        QCOMPARE(m.neurons, size_t(98));
        QVERIFY2(std::fabs(m.mean - 0.225896) < 1e-6, std::to_string(m.mean).c_str());
        // Through a registry that holds the trace readers.
        nr::ReaderRegistry reg;
        nr::registerTraceReaders(reg);
        auto d = reg.open(kTraces);
        QVERIFY2(d.ok(), d.ok() ? "" : d.error().str().c_str());
        QVERIFY(d.value().kind == nr::LayerKind::Traces);
        QCOMPARE(d.value().summary, std::string("neurons=98 timepoints=1600 duration=962.5s"));
        auto p = std::any_cast<std::shared_ptr<const nr::Traces>>(d.value().payload);
        QCOMPARE(p->neurons(), size_t(98));
    }

    void sniffLeavesOtherCsvAlone() {
        QCOMPARE(nr::sniffWideTraceCsv("unit,time_s\n6,0.03\n"), 0);
        QCOMPARE(nr::sniffWideTraceCsv("time_s,unit\n0.03,6\n"), 0);
        QCOMPARE(nr::sniffWideTraceCsv(nr::readHead(kHerm)), 0);
        QCOMPARE(nr::sniffWideTraceCsv(nr::readHead(kSomas)), 0);
        QCOMPARE(nr::sniffWideTraceCsv("t,1,2,3\n"), 0);
        QCOMPARE(nr::sniffLongTraceCsv("neuron,time,value\n"), 3);
        QCOMPARE(nr::sniffLongTraceCsv(nr::readHead(kTraces)), 0);
        QCOMPARE(nr::sniffLongTraceCsv("unit,time_s\n"), 0);
    }

    void canonicalNames() {
        QCOMPARE(nr::canonicalNeuronName("VB02"), std::string("VB2"));
        QCOMPARE(nr::canonicalNeuronName(" AS01 "), std::string("AS1"));
        QCOMPARE(nr::canonicalNeuronName("VD13"), std::string("VD13"));
        QCOMPARE(nr::canonicalNeuronName("DA10"), std::string("DA10"));
        QCOMPARE(nr::canonicalNeuronName("AVAL"), std::string("AVAL"));
        QCOMPARE(nr::canonicalNeuronName("I2L"), std::string("I2L"));
        QCOMPARE(nr::canonicalNeuronName("VA00"), std::string("VA0"));
    }

    void nameJoinWithConnectome() {
        nr::Traces t = mustRead(nr::readTracesWideCsv(kTraces));
        auto somas = nr::csv::readTable(kSomas);
        QVERIFY(somas.ok());
        const auto& tab = somas.value();
        const int cn = tab.column({"name"}), cp = tab.column({"name_padded"});
        QVERIFY(cn >= 0 && cp >= 0);
        std::vector<std::string> names, padded;
        for (size_t r = 0; r < tab.rows(); ++r) {
            names.emplace_back(tab.cell(r, size_t(cn)));
            padded.emplace_back(tab.cell(r, size_t(cp)));
        }
        // NeuroML spelling: 97 exact, VB02 only through its unpadded number.
        nr::NameJoin j = nr::joinNames(t.names, names);
        QCOMPARE(j.matched, size_t(98));
        QCOMPARE(j.matchedByCanonical, size_t(1));
        const long vb = t.find("VB02");
        QVERIFY(vb >= 0);
        QCOMPARE(names[size_t(j.target[size_t(vb)])], std::string("VB2"));
        QVERIFY(j.unmatched.empty());
        // With the padded column as an alternative spelling everything is exact.
        nr::NameJoin jp = nr::joinNames(t.names, names, padded);
        QCOMPARE(jp.matched, size_t(98));
        QCOMPARE(jp.matchedByCanonical, size_t(0));
        // The hermaphrodite edge list spells names padded.
        auto g = nr::openGraph(kHerm);
        QVERIFY2(g.ok(), g.ok() ? "" : g.error().str().c_str());
        nr::NameJoin jh = nr::joinNames(t.names, g.value().names);
        QCOMPARE(jh.matched, size_t(98));
        QCOMPARE(g.value().names[size_t(jh.target[size_t(vb)])], std::string("VB02"));
        // Unmatched names are reported.
        std::vector<std::string> extra = {"AVAL", "NOTANEURON", "VB2"};
        nr::NameJoin ju = nr::joinNames(extra, g.value().names);
        QCOMPARE(ju.matched, size_t(2));
        QCOMPARE(ju.unmatched, std::vector<std::string>{"NOTANEURON"});
        QVERIFY(ju.summary().find("NOTANEURON") != std::string::npos);
    }

    void windowCounts() {
        QCOMPARE(nr::slidingWindows(1600, 100, 17).size(), size_t(89));
        auto w = nr::slidingWindows(10, 3, 2);
        QCOMPARE(w.size(), size_t(4));
        QCOMPARE(w.back().begin, size_t(6));
        QCOMPARE(w.back().end, size_t(9));
        QCOMPARE(nr::slidingWindows(10, 11, 1).size(), size_t(0));
        QCOMPARE(nr::slidingWindows(100000, 1000, 100).size(), size_t(991));
        nr::Traces t = mustRead(nr::readTracesWideCsv(kTraces));
        QCOMPARE(nr::secondsToSamples(t, 60), size_t(100));
        auto ws = nr::slidingWindows(t, 60, 10);
        QVERIFY(ws.ok());
        QCOMPARE(ws.value().size(), size_t(89));
        QVERIFY(std::fabs(ws.value()[1].tStart - t.time[17]) < 1e-12);
        QVERIFY(!nr::slidingWindows(t, 5000, 10).ok());
        QVERIFY(!nr::slidingWindows(t, 60, 0).ok());
    }

    void fastWindowedPearsonMatchesDirect() {
        std::mt19937_64 rng(5);
        std::normal_distribution<double> N01(0, 1);
        const size_t n = 37, T = 1400;
        nr::Traces t;
        for (size_t i = 0; i < n; ++i) t.names.push_back("n" + std::to_string(i));
        for (size_t k = 0; k < T; ++k) t.time.push_back(double(k));
        std::vector<double> data(n * T);
        for (size_t i = 0; i < n; ++i) {
            double x = 0;
            for (size_t k = 0; k < T; ++k) data[i * T + k] = (x = 0.8 * x + N01(rng)) + 3.0 * double(i % 5);
        }
        for (size_t k = 0; k < T; ++k) data[4 * T + k] = 2.5; // constant row -> NaN
        for (double v : data) t.values.push_back(float(v));
        for (size_t i = 0; i < n * T; ++i) data[i] = double(t.values[i]);
        struct Case {
            size_t w, s;
            int threads;
        };
        for (Case c : {Case{200, 50, 2}, Case{150, 7, 2}, Case{300, 300, 1}, Case{128, 96, 2}}) {
            std::vector<double> out;
            const size_t W = nr::windowedPearson(data.data(), n, T, c.w, c.s, c.threads, out);
            const auto wins = nr::slidingWindows(T, c.w, c.s);
            QCOMPARE(W, wins.size());
            double maxDiff = 0;
            for (size_t w = 0; w < W; ++w) {
                const nr::CorrMatrix m =
                    nr::correlationMatrix(t, nr::CorrMethod::Pearson, wins[w].begin, wins[w].end);
                for (size_t i = 0; i < n; ++i)
                    for (size_t j = i + 1; j < n; ++j) {
                        const double a = out[w * nr::pairCount(n) + nr::pairIndex(i, j, n)], b = m.at(i, j);
                        if (i == 4 || j == 4) {
                            QVERIFY(std::isnan(a) && std::isnan(b));
                            continue;
                        }
                        maxDiff = std::max(maxDiff, std::fabs(a - b));
                    }
            }
            QVERIFY2(maxDiff < 1e-12, std::to_string(maxDiff).c_str());
        }
    }

    // Long recordings are centred by the mean of every 64th sample: rows with large offsets and a slow drift
    // still agree with the direct correlation of each window.
    void fastWindowedPearsonLongRecording() {
        std::mt19937_64 rng(11);
        std::normal_distribution<double> N01(0, 1);
        const size_t n = 11, T = 70000;
        nr::Traces t;
        for (size_t i = 0; i < n; ++i) t.names.push_back("n" + std::to_string(i));
        for (size_t k = 0; k < T; ++k) t.time.push_back(double(k));
        for (size_t i = 0; i < n; ++i) {
            double x = 0;
            for (size_t k = 0; k < T; ++k) {
                x = 0.9 * x + N01(rng);
                t.values.push_back(float(500.0 * double(i) + 2.0 * x + 40.0 * double(k) / double(T)));
            }
        }
        std::vector<double> data(t.values.begin(), t.values.end()), out;
        for (int threads : {1, 2}) {
            const size_t W = nr::windowedPearson(data.data(), n, T, 1000, 4500, threads, out);
            const auto wins = nr::slidingWindows(T, 1000, 4500);
            QCOMPARE(W, wins.size());
            double maxDiff = 0;
            for (size_t w = 0; w < W; ++w) {
                const nr::CorrMatrix m =
                    nr::correlationMatrix(t, nr::CorrMethod::Pearson, wins[w].begin, wins[w].end);
                for (size_t i = 0; i < n; ++i)
                    for (size_t j = i + 1; j < n; ++j)
                        maxDiff =
                            std::max(maxDiff, std::fabs(out[w * nr::pairCount(n) + nr::pairIndex(i, j, n)] -
                                                        m.at(i, j)));
            }
            QVERIFY2(maxDiff < 1e-12, std::to_string(maxDiff).c_str());
        }
    }

    void nanIgnoredPairwise() {
        std::vector<int> group;
        nr::Traces t = plantedTraces(2, 200, 3, group);
        const size_t T = t.timepoints();
        t.values[0 * T + 10] = NAN;
        t.values[0 * T + 11] = NAN;
        t.values[3 * T + 50] = NAN;
        t.countNaN();
        QCOMPARE(t.nanValues, size_t(3));
        QCOMPARE(t.nanFrames, size_t(3));
        const nr::CorrMatrix m = nr::correlationMatrix(t);
        QCOMPARE(m.ignoredFrames, size_t(3));
        QCOMPARE(m.ignoredValues, size_t(3));
        // r(0, 3) over the 197 frames where both are finite.
        std::vector<double> x, y;
        for (size_t k = 0; k < T; ++k)
            if (k != 10 && k != 11 && k != 50) {
                x.push_back(t.at(0, k));
                y.push_back(t.at(3, k));
            }
        double mx = 0, my = 0;
        for (size_t k = 0; k < x.size(); ++k) mx += x[k], my += y[k];
        mx /= double(x.size());
        my /= double(y.size());
        double sxy = 0, sxx = 0, syy = 0;
        for (size_t k = 0; k < x.size(); ++k) {
            sxy += (x[k] - mx) * (y[k] - my);
            sxx += (x[k] - mx) * (x[k] - mx);
            syy += (y[k] - my) * (y[k] - my);
        }
        QVERIFY(std::fabs(m.at(0, 3) - sxy / std::sqrt(sxx * syy)) < 1e-12);
        QCOMPARE(m.at(0, 0), 1.0);
        // Neurons with NaN are left out of mean |r|.
        const nr::MeanAbsR ma = nr::meanAbsCorrelation(t, m);
        QCOMPARE(ma.neurons, size_t(4));
        QCOMPARE(ma.pairs, size_t(6));
    }

    void spearman() {
        nr::Traces t;
        t.names = {"a", "b", "c"};
        t.time = {0, 1, 2, 3, 4, 5};
        t.values = {1, 2, 3, 4, 5, 6, /**/ 1, 8, 27, 64, 125, 216, /**/ 6, 5, 5, 3, 2, 1};
        const nr::CorrMatrix s = nr::correlationMatrix(t, nr::CorrMethod::Spearman);
        QVERIFY(std::fabs(s.at(0, 1) - 1.0) < 1e-12);
        QVERIFY(std::fabs(s.at(0, 2) + 0.985611) < 1e-6); // ties get average ranks (scipy: -0.9856107)
        const nr::CorrMatrix p = nr::correlationMatrix(t, nr::CorrMethod::Pearson);
        QVERIFY(p.at(0, 1) < 0.95);
    }

    void leidenRecoversPlantedCommunities() {
        std::vector<int> group;
        nr::Traces t = plantedTraces(8, 3000, 11, group);
        const size_t n = t.neurons(), T = t.timepoints();
        std::vector<double> data(t.values.begin(), t.values.end());
        std::vector<double> r;
        const size_t W = nr::windowedPearson(data.data(), n, T, 500, 250, 2, r);
        QCOMPARE(W, size_t(11));
        auto dc = nr::dynamicCommunities(r, n, W, 1.0, 3);
        QVERIFY2(dc.ok(), dc.ok() ? "" : dc.error().str().c_str());
        QCOMPARE(dc.value().labels.size(), W);
        for (size_t w = 0; w < W; ++w) {
            QCOMPARE(dc.value().count[w], 3);
            for (size_t i = 0; i < n; ++i)
                for (size_t j = 0; j < n; ++j)
                    QCOMPARE(dc.value().labels[w][i] == dc.value().labels[w][j], group[i] == group[j]);
            // Matched labels are stable: the same neuron keeps its label in every window.
            QCOMPARE(dc.value().labels[w], dc.value().labels[0]);
        }
        QCOMPARE(dc.value().labelsUsed, 3);
        int free = 2;
        QCOMPARE(nr::matchLabels({0, 0, 1, 1, 1}, {7, 7, 3, 3, 9}, free), (std::vector<int>{0, 0, 1, 1, 2}));
        QCOMPARE(free, 3);
    }

    void ntfRecoversPlantedFactors() {
        const size_t I = 40, J = 30, K = 3, R = 3;
        std::mt19937_64 rng(21);
        std::uniform_real_distribution<double> U(0, 1);
        std::vector<double> A(I * R), B(J * R), C(K * R);
        // Each component has its own block of rows/columns so the factors are identifiable.
        for (size_t i = 0; i < I; ++i)
            for (size_t r = 0; r < R; ++r) A[i * R + r] = (i % R == r) ? 0.5 + U(rng) : 0.05 * U(rng);
        for (size_t j = 0; j < J; ++j)
            for (size_t r = 0; r < R; ++r) B[j * R + r] = (j / (J / R) == r) ? 0.5 + U(rng) : 0.05 * U(rng);
        for (size_t k = 0; k < K; ++k)
            for (size_t r = 0; r < R; ++r) C[k * R + r] = 0.5 + U(rng);
        std::vector<float> X(I * J * K, 0.f);
        for (size_t k = 0; k < K; ++k)
            for (size_t i = 0; i < I; ++i)
                for (size_t j = 0; j < J; ++j) {
                    double s = 0;
                    for (size_t r = 0; r < R; ++r) s += A[i * R + r] * B[j * R + r] * C[k * R + r];
                    X[(k * I + i) * J + j] = float(s);
                }
        auto res = nr::ntf(X, I, J, K, R, 9, 3000, 1e-12);
        QVERIFY(res.ok());
        QVERIFY2(res.value().relError < 1e-3, std::to_string(res.value().relError).c_str());
        // Each planted factor of A and B has a recovered column with cosine > 0.99.
        auto cosine = [](const std::vector<double>& P, const std::vector<float>& Q, size_t rows, size_t a,
                         size_t b) {
            double pq = 0, pp = 0, qq = 0;
            for (size_t i = 0; i < rows; ++i) {
                pq += P[i * 3 + a] * Q[i * 3 + b];
                pp += P[i * 3 + a] * P[i * 3 + a];
                qq += double(Q[i * 3 + b]) * Q[i * 3 + b];
            }
            return pq / std::sqrt(pp * qq);
        };
        for (size_t a = 0; a < R; ++a) {
            double bestA = 0, bestB = 0;
            for (size_t b = 0; b < R; ++b) {
                const double ca = cosine(A, res.value().A, I, a, b);
                if (ca > bestA) {
                    bestA = ca;
                    bestB = cosine(B, res.value().B, J, a, b);
                }
            }
            QVERIFY2(bestA > 0.99 && bestB > 0.99,
                     (std::to_string(bestA) + " " + std::to_string(bestB)).c_str());
        }
        // Deterministic for a seed.
        auto again = nr::ntf(X, I, J, K, R, 9, 3000, 1e-12);
        QVERIFY(again.ok());
        QCOMPARE(again.value().A, res.value().A);
        QCOMPARE(again.value().relError, res.value().relError);
        QVERIFY(!nr::ntf({-1.f, 1.f}, 1, 2, 1, 1).ok());
    }

    void structureVsFunction() {
        nr::Graph g;
        for (const char* n : {"A", "B", "C", "D"}) g.addNode(n);
        const uint8_t chem = g.typeIndex("chemical"), elec = g.typeIndex("electrical");
        g.addEdge(0, 1, 5, chem);
        g.addEdge(1, 0, 1, chem);
        g.addEdge(2, 3, 2, elec);
        g.addEdge(3, 2, 2, elec);
        g.addEdge(0, 2, 1, chem);
        nr::CorrMatrix fc;
        fc.n = 4;
        fc.r.assign(16, 0.0);
        const double r[4][4] = {{1, .9, .2, .1}, {.9, 1, .15, .05}, {.2, .15, 1, .5}, {.1, .05, .5, 1}};
        for (size_t i = 0; i < 4; ++i)
            for (size_t j = 0; j < 4; ++j) fc.r[i * 4 + j] = r[i][j];
        auto j = nr::joinNames({"A", "B", "C", "D"}, g.names);
        auto both = nr::structureFunction(g, j, fc, nr::SynapseKind::Both, false, 2000, 4);
        QVERIFY(both.ok());
        QCOMPARE(both.value().pairs, size_t(6));
        QCOMPARE(both.value().connected, size_t(3));
        // Weights per pair (A-B 6, A-C 1, A-D 0, B-C 0, B-D 0, C-D 4) against r.
        const std::vector<double> w = {6, 1, 0, 0, 0, 4}, f = {.9, .2, .1, .15, .05, .5};
        QCOMPARE(both.value().weight, w);
        double mw = 0, mf = 0;
        for (size_t k = 0; k < 6; ++k) mw += w[k] / 6, mf += f[k] / 6;
        double sxy = 0, sxx = 0, syy = 0;
        for (size_t k = 0; k < 6; ++k) {
            sxy += (w[k] - mw) * (f[k] - mf);
            sxx += (w[k] - mw) * (w[k] - mw);
            syy += (f[k] - mf) * (f[k] - mf);
        }
        QVERIFY(std::fabs(both.value().r - sxy / std::sqrt(sxx * syy)) < 1e-12);
        QVERIFY(both.value().p > 0 && both.value().p <= 1);
        auto again = nr::structureFunction(g, j, fc, nr::SynapseKind::Both, false, 2000, 4);
        QCOMPARE(again.value().p, both.value().p);
        auto chemOnly = nr::structureFunction(g, j, fc, nr::SynapseKind::Chemical, false, 10, 4);
        QCOMPARE(chemOnly.value().weight, (std::vector<double>{6, 1, 0, 0, 0, 0}));
        auto elecOnly = nr::structureFunction(g, j, fc, nr::SynapseKind::Electrical, true, 10, 4);
        QVERIFY(!elecOnly.ok()); // one connected pair is not enough

        // Real data: the C. elegans hermaphrodite connectome against the recorded traces.
        nr::Traces t = mustRead(nr::readTracesWideCsv(kTraces));
        auto herm = nr::openGraph(kHerm);
        QVERIFY(herm.ok());
        auto jr = nr::joinNames(t.names, herm.value().names);
        auto real = nr::structureFunction(herm.value(), jr, nr::correlationMatrix(t), nr::SynapseKind::Both,
                                          false, 200, 1);
        QVERIFY(real.ok());
        QCOMPARE(real.value().pairs, size_t(4753));
        QVERIFY(real.value().connected > 100);
        QVERIFY(std::isfinite(real.value().r));
    }

    void functionalGraphLayer() {
        nr::Traces t = mustRead(nr::readTracesWideCsv(kTraces));
        const nr::CorrMatrix fc = nr::correlationMatrix(t);
        auto herm = nr::openGraph(kHerm);
        QVERIFY(herm.ok());
        auto somas = nr::readNodeTable(kSomas, herm.value());
        QVERIFY(somas.ok());
        QVERIFY(herm.value().hasPositions());
        const nr::NameJoin j = nr::joinNames(t.names, herm.value().names);
        const nr::Graph g = nr::functionalGraph(t, fc, 0.6, 0, &herm.value(), &j);
        QCOMPARE(g.nodeCount(), size_t(98));
        QVERIFY(g.hasPositions());
        const long aval = t.find("AVAL"), avar = t.find("AVAR"), ribl = t.find("RIBL");
        const long hv = herm.value().findNode("AVAL");
        QCOMPARE(g.x[size_t(aval)], herm.value().x[size_t(hv)]);
        size_t expected = 0;
        for (size_t a = 0; a < 98; ++a)
            for (size_t b = a + 1; b < 98; ++b) expected += std::fabs(fc.at(a, b)) >= 0.6;
        QCOMPARE(g.edgeCount(), expected);
        bool avalAvar = false, avalRibl = false;
        for (size_t e = 0; e < g.edgeCount(); ++e) {
            const std::set<long> ends = {long(g.src[e]), long(g.dst[e])};
            if (ends == std::set<long>{aval, avar}) avalAvar = g.edgeTypes[g.type[e]] == "positive";
            if (ends == std::set<long>{aval, ribl}) avalRibl = g.edgeTypes[g.type[e]] == "negative";
        }
        QVERIFY(avalAvar && avalRibl);
        // Top 2 per neuron: at most 2 * 98 edges, every neuron has at least 2.
        const nr::Graph k2 = nr::functionalGraph(t, fc, 0, 2);
        QVERIFY(k2.edgeCount() <= 196 && k2.edgeCount() >= 98);
        for (uint32_t d : k2.degrees()) QVERIFY(d >= 2);
    }

    void longCsvNpyHdf5Nwb() {
        // Long CSV with a missing cell.
        const std::string lp = write("long.csv", "neuron,time,value\nAVAL,0,1\nAVAL,1,2\nAVAL,2,4\nAVAR,0,1\n"
                                                 "AVAR,2,3\n");
        nr::Traces l = mustRead(nr::readTracesLongCsv(lp));
        QCOMPARE(l.names, (std::vector<std::string>{"AVAL", "AVAR"}));
        QCOMPARE(l.timepoints(), size_t(3));
        QVERIFY(std::isnan(l.at(1, 1)));
        QCOMPARE(l.at(0, 2), 4.f);
        QCOMPARE(l.nanValues, size_t(1));
        // Wide CSV with a behaviour column and NaN.
        const std::string wp =
            write("wide.csv", "time,AVAL,AVAR,velocity\n0,1,,0.1\n0.5,2,3,0.2\n1,3,4,-0.1\n");
        nr::Traces w = mustRead(nr::readTracesWideCsv(wp));
        QCOMPARE(w.neurons(), size_t(2));
        QCOMPARE(w.behaviour.size(), size_t(1));
        QCOMPARE(w.behaviour[0].name, std::string("velocity"));
        QCOMPARE(w.behaviour[0].values[2], -0.1f);
        QCOMPARE(w.nanFrames, size_t(1));
        // Round trip through the writer.
        const std::string rp = file("round.csv");
        QVERIFY(!nr::writeTracesCsv(rp, w));
        nr::Traces w2 = mustRead(nr::readTracesWideCsv(rp));
        QCOMPARE(w2.names, w.names);
        QCOMPARE(w2.behaviour.size(), size_t(1));
        QVERIFY(std::isnan(w2.at(1, 0)));
        // NPY time x neurons with a names file, C and Fortran order.
        const size_t T = 5, N = 3;
        std::vector<double> c(T * N), f(T * N);
        for (size_t k = 0; k < T; ++k)
            for (size_t i = 0; i < N; ++i) c[k * N + i] = f[i * T + k] = double(10 * i + k);
        const std::string np = file("x.npy");
        writeNpy(np, c, {T, N});
        write("x_names.txt", "AVAL\nAVAR\nVB02\n");
        writeNpy(file("x_time.npy"), {0, 0.25, 0.5, 0.75, 1.0}, {T});
        const nr::Traces a = mustRead(nr::readTracesNpy(np));
        QCOMPARE(a.names[2], std::string("VB02"));
        QCOMPARE(a.at(2, 4), 24.f);
        QCOMPARE(a.time[1], 0.25);
        const std::string fp = file("y.npy");
        writeNpy(fp, f, {T, N}, true);
        const nr::Traces b = mustRead(nr::readTracesNpy(fp));
        QCOMPARE(b.values, a.values);
        QCOMPARE(b.names[0], std::string("n0"));
        // HDF5 transposed (neurons x time, as Julia writes T x N) with time and names; and C order.
        const std::string hp = file("t.h5");
        {
            hid_t h = H5Fcreate(hp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
            std::vector<double> nt(N * T);
            for (size_t i = 0; i < N; ++i)
                for (size_t k = 0; k < T; ++k) nt[i * T + k] = double(10 * i + k);
            h5Write(h, "/gcamp/traces", nt, {N, T});
            h5Write(h, "/gcamp/traces_tn", c, {T, N});
            h5Write(h, "/gcamp/timestamps", {0, 0.25, 0.5, 0.75, 1.0}, {T});
            h5Write(h, "/gcamp/velocity", {1, 2, 3, 4, 5}, {T});
            h5WriteStrings(h, "/gcamp/names", {"AVAL", "AVAR", "VB02"});
            H5Fclose(h);
        }
        nr::OpenOptions o;
        o.options = {{"array", "/gcamp/traces"}, {"behaviour", "gcamp/velocity"}};
        const nr::Traces h1 = mustRead(nr::readTracesHdf5(hp, o));
        QCOMPARE(h1.values, a.values);
        QCOMPARE(h1.names, a.names);
        QCOMPARE(h1.behaviour.size(), size_t(1));
        o.options = {{"array", "gcamp/traces_tn"}, {"time", "gcamp/timestamps"}};
        const nr::Traces h2 = mustRead(nr::readTracesHdf5(hp, o));
        QCOMPARE(h2.values, a.values);
        // NWB ophys: a RoiResponseSeries whose ROIs reference a PlaneSegmentation with names.
        const std::string nw = file("ophys.nwb");
        {
            hid_t h = H5Fcreate(nw.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
            const std::string seg = "/processing/ophys/ImageSegmentation/PlaneSegmentation";
            h5Group(h, seg);
            h5WriteStrings(h, seg + "/neuron_name", {"VB02", "AVAL", "AVAR", "SMDVL"});
            const std::string rs = "/processing/ophys/DfOverF/RoiResponseSeries";
            h5Group(h, rs);
            h5AttrString(h, rs, "neurodata_type", "RoiResponseSeries");
            h5Write(h, rs + "/data", c, {T, N});
            h5Write(h, rs + "/starting_time", {2.0}, {1});
            h5AttrDouble(h, rs + "/starting_time", "rate", 4.0);
            h5Write(h, rs + "/rois", {1, 2, 0}, {3});
            h5AttrRef(h, rs + "/rois", "table", seg);
            h5Write(h, "/processing/behavior/BehavioralTimeSeries/velocity/data", {1, 2, 3, 4, 5}, {T});
            H5Fclose(h);
        }
        QVERIFY(nr::isNwbOphys(nw));
        const nr::Traces nwb = mustRead(nr::readTracesNwb(nw));
        QCOMPARE(nwb.names, (std::vector<std::string>{"AVAL", "AVAR", "VB02"}));
        QCOMPARE(nwb.values, a.values);
        QCOMPARE(nwb.time[1], 2.25);
        QCOMPARE(nwb.behaviour.size(), size_t(1));
        QCOMPARE(nwb.behaviour[0].name, std::string("velocity"));
        // Plain TimeSeries per neuron under acquisition.
        const std::string na = file("acq.nwb");
        {
            hid_t h = H5Fcreate(na.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
            for (size_t i = 0; i < N; ++i) {
                const std::string g = "/acquisition/" + a.names[i];
                h5Write(h, g + "/data", std::vector<double>(a.row(i), a.row(i) + T), {T});
                h5Write(h, g + "/timestamps", {0, 0.25, 0.5, 0.75, 1.0}, {T});
            }
            H5Fclose(h);
        }
        const nr::Traces acq = mustRead(nr::openTraces(na));
        QCOMPARE(acq.values, a.values);
        QCOMPARE(acq.names.size(), size_t(3));
        nr::ReaderRegistry reg;
        nr::registerTraceReaders(reg);
        QVERIFY(reg.find(nw) && reg.find(nw)->name == "Activity traces, NWB ophys");
        QVERIFY(reg.find(np) && reg.find(np)->name == "Activity traces, NPY");
        QVERIFY(reg.find(lp) && reg.find(lp)->name == "Activity traces, long CSV");
    }

    void corruptHdf5EndsWithAnError() {
        // The names beside the traces are variable-length strings in the file's global heap. Zeroed after
        // its header, libhdf5 loops inside H5Dread (H5HG_read) for ever; the read runs in a child process,
        // which is killed at the wall-time limit, and the reader returns an error naming the file.
        const std::string hp = file("heap.h5");
        const size_t T = 4, N = 2;
        {
            hid_t h = H5Fcreate(hp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
            h5Write(h, "/traces", {1, 2, 3, 4, 5, 6, 7, 8}, {T, N});
            h5Write(h, "/time", {0, 1, 2, 3}, {T});
            h5WriteStrings(h, "/names", {"AVAL", "AVAR"});
            H5Fclose(h);
        }
        // Intact, the names come back from the child with the matrix.
        const nr::Traces ok = mustRead(nr::openTraces(hp));
        QCOMPARE(ok.names, (std::vector<std::string>{"AVAL", "AVAR"}));
        QCOMPARE(ok.at(1, 3), 8.f);
        QCOMPARE(ok.time[2], 2.0);
        std::string bytes;
        {
            std::ifstream in(hp, std::ios::binary);
            bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        }
        const size_t gcol = bytes.find("GCOL");
        QVERIFY(gcol != std::string::npos && gcol + 96 <= bytes.size());
        std::fill(bytes.begin() + long(gcol) + 16, bytes.begin() + long(gcol) + 96, '\0');
        write("heap.h5", bytes);
        nr::Hdf5ChildLimits lim;
        lim.seconds = 2;
        nr::setHdf5ChildLimits(lim);
        QElapsedTimer t;
        t.start();
        auto r = nr::openTraces(hp);
        const double s = double(t.elapsed()) / 1000;
        // Sniffing (the registry's way in) lists datasets and reads no strings: it still recognises the file.
        nr::ReaderRegistry reg;
        nr::registerTraceReaders(reg);
        const nr::FormatReader* found = reg.find(hp);
        nr::setHdf5ChildLimits({});
        QVERIFY(!r.ok());
        QCOMPARE(r.error().file, hp);
        QVERIFY2(r.error().reason.find("did not finish") != std::string::npos, r.error().reason.c_str());
        QVERIFY2(s < 4.5, std::to_string(s).c_str());
        QVERIFY(found && found->name == "Activity traces, HDF5");
    }

    void malformedInputs() {
        int cases = 0;
        auto wide = [&](const char* name, const std::string& text, long line, const char* what) {
            const std::string p = write(name, text);
            expectError(nr::readTracesWideCsv(p), p, line, what);
            ++cases;
        };
        wide("ragged.csv", "time_s,A,B\n0,1,2\n1,2\n", 3, "ragged row");
        wide("cell.csv", "time_s,A,B\n0,1,2\n1,2,x7\n", 3, "is not a number");
        wide("order.csv", "time_s,A,B\n0,1,2\n1,2,3\n0.5,2,3\n", 4, "time not increasing");
        wide("same.csv", "time_s,A,B\n0,1,2\n0,2,3\n", 3, "time not increasing");
        wide("dup.csv", "time_s,A,B,A\n0,1,2,3\n", 1, "duplicate neuron name 'A'");
        wide("badtime.csv", "time_s,A,B\n0,1,2\nabc,2,3\n", 3, "not a finite number");
        wide("notime.csv", "A,B,C\n0,1,2\n", 1, "time column");
        wide("norows.csv", "time,A,B\n", 1, "no rows");
        wide("inf.csv", "time,A,B\n0,1,inf\n", 2, "infinite");
        auto longCsv = [&](const char* name, const std::string& text, long line, const char* what) {
            const std::string p = write(name, text);
            expectError(nr::readTracesLongCsv(p), p, line, what);
            ++cases;
        };
        longCsv("l_order.csv", "neuron,time,value\nA,0,1\nB,0,1\nA,1,2\nA,1,3\n", 5, "time not increasing");
        longCsv("l_ragged.csv", "neuron,time,value\nA,0,1\nA,1\n", 3, "ragged row");
        longCsv("l_cell.csv", "neuron,time,value\nA,0,1\nA,1,high\n", 3, "is not a number");
        longCsv("l_header.csv", "neuron,when,value\nA,0,1\n", 1, "neuron,time,value");
        // NPY: truncated data, names count and duplicate names.
        const std::string tp = file("trunc.npy");
        writeNpy(tp, std::vector<double>(6, 1.0), {4, 3});
        expectError(nr::readTracesNpy(tp), tp, 0, "truncated");
        ++cases;
        const std::string cp = file("count.npy");
        writeNpy(cp, std::vector<double>(12, 1.0), {4, 3});
        const std::string cn = write("count_names.txt", "A\nB\n");
        expectError(nr::readTracesNpy(cp), cn, 2, "2 names for 3 neurons");
        ++cases;
        const std::string dp = file("dupn.npy");
        writeNpy(dp, std::vector<double>(12, 1.0), {4, 3});
        const std::string dn = write("dupn.names.txt", "A\nB\nA\n");
        expectError(nr::readTracesNpy(dp), dn, 3, "duplicate neuron name 'A'");
        ++cases;
        // HDF5: a path that does not exist, a time vector matching no axis, time not increasing, 3-D data.
        const std::string hp = file("bad.h5");
        {
            hid_t h = H5Fcreate(hp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
            h5Write(h, "/traces", std::vector<double>(12, 1.0), {4, 3});
            h5Write(h, "/t5", {0, 1, 2, 3, 4}, {5});
            h5Write(h, "/tback", {0, 1, 3, 2}, {4});
            h5Write(h, "/cube", std::vector<double>(8, 1.0), {2, 2, 2});
            H5Fclose(h);
        }
        auto h5case = [&](std::vector<std::pair<std::string, std::string>> opts, const char* what) {
            nr::OpenOptions o;
            o.options = std::move(opts);
            expectError(nr::readTracesHdf5(hp, o), hp, 0, what);
            ++cases;
        };
        h5case({{"array", "/gcamp/missing"}}, "HDF5 path '/gcamp/missing' does not exist");
        h5case({{"array", "/traces"}, {"time", "/nope"}}, "HDF5 path '/nope' does not exist");
        h5case({{"array", "/traces"}, {"time", "/t5"}}, "no axis has that length");
        h5case({{"array", "/traces"}, {"time", "/tback"}}, "time not increasing");
        h5case({{"array", "/cube"}}, "3 axes");
        // Nothing bad input does leaves a half-read object: the reader either returns traces or an Error.
        QVERIFY2(cases >= 12, std::to_string(cases).c_str());
    }
};

QTEST_GUILESS_MAIN(TestTraces)
#include "test_traces.moc"
