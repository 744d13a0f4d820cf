// Trial-structured readers: CSV and NPY pairs, NWB (real file and a written one), epochs, bad input.
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <cstring>
#include <fstream>
#include <hdf5.h>

#include "io/Nwb.h"
#include "io/SpikeIO.h"
#include "io/TrialIO.h"

using namespace nr;

namespace {

void writeText(const QString& path, const std::string& text) {
    std::ofstream f(path.toStdString(), std::ios::binary);
    f << text;
}

// NPY version 1.0 with the given header dict and raw body.
void writeNpy(const QString& path, const std::string& dict, const std::string& body) {
    std::string header = dict;
    while ((10 + header.size() + 1) % 64) header += ' ';
    header += '\n';
    std::string out = "\x93NUMPY";
    out += char(1);
    out += char(0);
    out += char(header.size() & 0xff);
    out += char(header.size() >> 8);
    out += header + body;
    writeText(path, out);
}

template <class T> void put(std::string& s, T v) {
    s.append(reinterpret_cast<const char*>(&v), sizeof v);
}

void expectError(const Result<TrialData>& r, const std::string& file, long line, const std::string& what) {
    QVERIFY2(!r.ok(), "bad input was accepted");
    QCOMPARE(r.error().file, file);
    QCOMPARE(r.error().line, line);
    QVERIFY2(r.error().reason.find(what) != std::string::npos, r.error().str().c_str());
    QVERIFY(r.error().str().find(file + ":" + std::to_string(line) + ": ") == 0);
}

} // namespace

class TestTrialIO : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    QString path(const QString& n) const { return dir_.filePath(n); }

private slots:
    void nwbRealFile() {
        const std::string f = std::string(NR_SHARED_DATA) + "/spikes/A8604-211122.nwb";
        auto r = readNwbUnits(f);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
        const SpikeTrains& st = r.value();
        QCOMPARE(st.unitIds, (std::vector<int64_t>{6, 191, 206}));
        QCOMPARE(st.spikeCount(), size_t(21354));
        size_t n[3] = {0, 0, 0};
        for (uint32_t u : st.units) ++n[u];
        QCOMPARE(n[0], size_t(11020));
        QCOMPARE(n[1], size_t(4690));
        QCOMPARE(n[2], size_t(5644));
        QVERIFY(std::fabs(st.times[0] - 0.030333) < 1e-6);
        QVERIFY(std::fabs(st.times[11019] - 1087.352833) < 1e-6);
        QVERIFY(std::fabs(st.tStop - 1087.5289) < 1e-3); // the wake epoch
        QVERIFY(!nwbHasTrials(f));
        auto t = readNwbTrialData(f);
        QVERIFY(!t.ok());
        QVERIFY(t.error().reason.find("no trials table") != std::string::npos);
        // Same recording through the derived CSV.
        auto c = readSpikesCsv(std::string(NR_SHARED_DATA) + "/spikes/spikes.csv");
        QVERIFY(c.ok());
        QCOMPARE(c.value().spikeCount(), size_t(21354));
        QCOMPARE(c.value().unitIds, st.unitIds);
        QCOMPARE(c.value().times[11019], st.times[11019]);
    }

    void nwbWithTrials() {
        // A small NWB-shaped file: 2 units, 3 trials with a text stimulus column.
        const std::string f = path("trials.nwb").toStdString();
        hid_t file = H5Fcreate(f.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
        QVERIFY(file >= 0);
        auto group = [&](const char* p) {
            H5Gclose(H5Gcreate2(file, p, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
        };
        auto write = [&](const char* p, hid_t type, hsize_t n, const void* data) {
            hid_t sp = H5Screate_simple(1, &n, nullptr);
            hid_t ds = H5Dcreate2(file, p, type, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
            H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
            H5Dclose(ds);
            H5Sclose(sp);
        };
        group("/units");
        group("/intervals");
        group("/intervals/trials");
        const int64_t ids[2] = {4, 9};
        const double times[6] = {0.1, 1.2, 1.3, 2.5, 0.5, 2.05};
        const uint16_t idx[2] = {4, 6};
        write("/units/id", H5T_NATIVE_INT64, 2, ids);
        write("/units/spike_times", H5T_NATIVE_DOUBLE, 6, times);
        write("/units/spike_times_index", H5T_NATIVE_UINT16, 2, idx);
        const double start[3] = {0, 1, 2}, stop[3] = {1, 2, 3};
        write("/intervals/trials/start_time", H5T_NATIVE_DOUBLE, 3, start);
        write("/intervals/trials/stop_time", H5T_NATIVE_DOUBLE, 3, stop);
        const char* stim[3] = {"grating", "dots", "grating"};
        hid_t st = H5Tcopy(H5T_C_S1);
        H5Tset_size(st, H5T_VARIABLE);
        write("/intervals/trials/stimulus", st, 3, stim);
        H5Tclose(st);
        H5Fclose(file);

        QVERIFY(nwbHasTrials(f));
        auto r = readNwbTrialData(f);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
        const TrialData& d = r.value();
        QCOMPARE(d.trialCondition, (std::vector<std::string>{"grating", "dots", "grating"}));
        QCOMPARE(d.trialId, (std::vector<int64_t>{0, 1, 2}));
        QCOMPARE(d.spikeCount(), size_t(6));
        // Unit 4's spike at 1.3 s is 0.3 s into trial 1.
        bool found = false;
        for (size_t i = 0; i < d.spikeCount(); ++i)
            if (d.spikeUnit[i] == 4 && d.spikeTrial[i] == 1 && std::fabs(d.spikeTime[i] - 0.3) < 1e-12)
                found = true;
        QVERIFY(found);
        auto via = readTrialData(f);
        QVERIFY(via.ok());
        QCOMPARE(via.value().spikeCount(), size_t(6));
    }

    void csvPair() {
        writeText(path("rec_spikes.csv"),
                  "Neuron,Extra,TRIAL_ID,Time\r\n3,x,1,0.10\r\n3,y,1,0.20\r\n5,z,2,0.05\r\n");
        writeText(path("rec_trials.csv"), "note,Trial,Stimulus\nq,1,left\nr,2,right\n");
        QCOMPARE(findTrialsFile(path("rec_spikes.csv").toStdString()), path("rec_trials.csv").toStdString());
        auto r = readTrialData(path("rec_spikes.csv").toStdString());
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
        QCOMPARE(r.value().spikeUnit, (std::vector<int64_t>{3, 3, 5}));
        QCOMPARE(r.value().spikeTrial, (std::vector<int64_t>{1, 1, 2}));
        QCOMPARE(r.value().spikeTime[1], 0.20);
        QCOMPARE(r.value().trialCondition, (std::vector<std::string>{"left", "right"}));
        QVERIFY(!r.value().hasTrialUnits());
        // Explicit trials file with a unit column (pseudo-population).
        writeText(path("other.csv"), "trial,cond,unit_id\n1,a,3\n2,b,5\n");
        auto p = readTrialData(path("rec_spikes.csv").toStdString(), path("other.csv").toStdString());
        QVERIFY(p.ok());
        QCOMPARE(p.value().trialUnit, (std::vector<int64_t>{3, 5}));
        // Round trip through the writer.
        QVERIFY(!writeTrialCsv(p.value(), path("w_spikes.csv").toStdString(),
                               path("w_trials.csv").toStdString()));
        auto w = readTrialData(path("w_spikes.csv").toStdString());
        QVERIFY(w.ok());
        QCOMPARE(w.value().spikeTime, p.value().spikeTime);
        QCOMPARE(w.value().trialUnit, p.value().trialUnit);
    }

    void npyPairs() {
        // Structured spikes, plain 2-D trials.
        std::string body;
        const int64_t units[3] = {1, 1, 2};
        const int32_t trials[3] = {7, 7, 8};
        const double times[3] = {0.1, 0.4, 0.2};
        for (int i = 0; i < 3; ++i) {
            put(body, units[i]);
            put(body, trials[i]);
            put(body, times[i]);
        }
        writeNpy(
            path("s_spikes.npy"),
            "{'descr': [('unit', '<i8'), ('trial_id', '<i4'), ('time_s', '<f8')], 'fortran_order': False, "
            "'shape': (3,), }",
            body);
        std::string tb;
        for (double v : {7.0, 1.0, 8.0, 2.0}) put(tb, v);
        writeNpy(path("s_trials.npy"), "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", tb);
        auto r = readTrialData(path("s_spikes.npy").toStdString());
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
        QCOMPARE(r.value().spikeUnit, (std::vector<int64_t>{1, 1, 2}));
        QCOMPARE(r.value().spikeTrial, (std::vector<int64_t>{7, 7, 8}));
        QCOMPARE(r.value().spikeTime[1], 0.4);
        QCOMPARE(r.value().trialCondition, (std::vector<std::string>{"1", "2"}));
        // A structured trials table with a text condition.
        std::string tt;
        for (int i = 0; i < 2; ++i) {
            put(tt, int64_t(7 + i));
            tt += i == 0 ? std::string("up\0\0", 4) : std::string("down", 4);
        }
        writeNpy(path("t2.npy"),
                 "{'descr': [('trial', '<i8'), ('condition', '|S4')], 'fortran_order': False, "
                 "'shape': (2,), }",
                 tt);
        auto s = readTrialData(path("s_spikes.npy").toStdString(), path("t2.npy").toStdString());
        QVERIFY(s.ok());
        QCOMPARE(s.value().trialCondition, (std::vector<std::string>{"up", "down"}));
        // Unsorted spikes in an NPY name the unit and the row.
        std::string bad;
        for (int i = 0; i < 3; ++i) {
            put(bad, units[i]);
            put(bad, trials[i]);
            put(bad, i == 1 ? 0.05 : times[i]);
        }
        writeNpy(
            path("b_spikes.npy"),
            "{'descr': [('unit', '<i8'), ('trial_id', '<i4'), ('time_s', '<f8')], 'fortran_order': False, "
            "'shape': (3,), }",
            bad);
        // Unsorted spikes within a unit and trial are read as they are (a table of events).
        auto b = readTrialData(path("b_spikes.npy").toStdString(), path("s_trials.npy").toStdString());
        QVERIFY(b.ok());
        QCOMPARE(b.value().spikeTime[1], 0.05);
        // A NaN condition in an NPY trials table names that file, the row and its byte offset.
        std::string nb;
        for (double v : {7.0, std::nan(""), 8.0, 2.0}) put(nb, v);
        writeNpy(path("nan_trials.npy"), "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", nb);
        auto nc = readTrialData(path("s_spikes.npy").toStdString(), path("nan_trials.npy").toStdString());
        QVERIFY(!nc.ok());
        QCOMPARE(nc.error().file, path("nan_trials.npy").toStdString());
        QCOMPARE(nc.error().byteOffset,
                 QFileInfo(path("nan_trials.npy")).size() - 32 + 8); // data is the last 32 bytes
        QVERIFY2(nc.error().reason.find("row 0: condition is NaN") != std::string::npos,
                 nc.error().str().c_str());
        // Truncated body.
        writeNpy(path("trunc_spikes.npy"), "{'descr': '<f8', 'fortran_order': False, 'shape': (10, 3), }",
                 tb);
        auto t = readTrialData(path("trunc_spikes.npy").toStdString(), path("s_trials.npy").toStdString());
        QVERIFY(!t.ok());
        QVERIFY(t.error().reason.find("truncated") != std::string::npos);
    }

    void badCsvInput() {
        writeText(path("ok_trials.csv"), "trial,condition\n1,a\n2,b\n");
        const std::string trials = path("ok_trials.csv").toStdString();
        auto run = [&](const QString& name, const std::string& text) {
            writeText(path(name), text);
            return readTrialData(path(name).toStdString(), trials);
        };
        const std::string uns = path("uns.csv").toStdString();
        QVERIFY(run("uns.csv", "unit,trial,time_s\n1,1,0.5\n2,1,0.1\n1,1,0.4\n").ok());
        expectError(run("uns.csv", std::string("unit,trial,time_s\n1,1,0.5\n2,1,0\x00.1\n", 35)), uns, 3,
                    "binary data");
        expectError(run("uns.csv", "unit,trial,time_s\n1,1,0.5\n2,1,0.1x\n"), uns, 3, "not a number");
        const std::string emp = path("emp.csv").toStdString();
        expectError(run("emp.csv", "unit,trial,time_s\n1,1,0.5\n,1,0.6\n"), emp, 3, "unit id missing");
        const std::string txt = path("txt.csv").toStdString();
        expectError(run("txt.csv", "unit,trial,time_s\n1,1,0.5\n\nabc,1,0.6\n"), txt, 4,
                    "'abc' is not a number");
        const std::string nan = path("nan.csv").toStdString();
        expectError(run("nan.csv", "unit,trial,time_s\n1,1,0.5\n1,2,nan\n"), nan, 3, "NaN");
        const std::string inf = path("inf.csv").toStdString();
        expectError(run("inf.csv", "unit,trial,time_s\n1,2,inf\n"), inf, 2, "infinite");
        const std::string col = path("col.csv").toStdString();
        expectError(run("col.csv", "unit,when,time_s\n1,1,0.5\n"), col, 1, "no trial column");
        // No trials file beside and none given.
        writeText(path("alone_spikes.csv"), "unit,trial,time_s\n1,1,0.5\n");
        auto alone = readTrialData(path("alone_spikes.csv").toStdString());
        QVERIFY(!alone.ok());
        QVERIFY(alone.error().reason.find("no trials table") != std::string::npos);
        // Empty condition in the trials table.
        writeText(path("bt.csv"), "trial,condition\n1,a\n2,\n");
        writeText(path("fine.csv"), "unit,trial,time_s\n1,1,0.5\n");
        auto bt = readTrialData(path("fine.csv").toStdString(), path("bt.csv").toStdString());
        expectError(bt, path("bt.csv").toStdString(), 3, "condition missing");
        // Missing file.
        auto missing = readTrialData(path("nope_spikes.csv").toStdString(), trials);
        QVERIFY(!missing.ok());
        QVERIFY(missing.error().reason.find("cannot open") != std::string::npos);
        // A defect in the trials table is reported against the trials table, at its line.
        writeText(path("d_trials.csv"), "trial,condition\n1,a\n2x,b\n");
        writeText(path("d_spikes.csv"), "unit,trial,time_s\n1,1,0.5\n");
        expectError(readTrialData(path("d_spikes.csv").toStdString()), path("d_trials.csv").toStdString(), 3,
                    "trial id '2x' is not a number");
        // The missing pair names the real file names.
        auto lone = readTrialData(path("lone_spikes.npy").toStdString());
        QVERIFY(!lone.ok());
        QVERIFY2(lone.error().reason.find("expected lone_trials.npy beside lone_spikes.npy") !=
                     std::string::npos,
                 lone.error().str().c_str());
        // Continuous tables: unsorted within a unit are sorted.
        writeText(path("cont.csv"), "unit,time_s\n1,0.5\n1,0.2\n");
        auto cont = readSpikesCsv(path("cont.csv").toStdString());
        QVERIFY(cont.ok());
        QCOMPARE(cont.value().times, (std::vector<double>{0.2, 0.5}));
    }

    void epochsToTrials() {
        SpikeTrains st;
        st.unitIds = {10, 11};
        st.add(0.5, 0);
        st.add(1.25, 1);
        st.add(1.5, 0);
        st.add(3.5, 1);
        st.add(2.2, 0);
        std::vector<TrialEpoch> ep = {{1.0, 2.0, 3, 100}, {2.0, 3.0, 4, 101}, {5.0, 5.0, 1, 102}};
        const TrialData d = trialDataFromEpochs(st, ep);
        QCOMPARE(d.trialId, (std::vector<int64_t>{100, 101}));
        QCOMPARE(d.trialCondition, (std::vector<std::string>{"3", "4"}));
        QCOMPARE(d.spikeCount(), size_t(3));
        QCOMPARE(d.spikeUnit, (std::vector<int64_t>{11, 10, 10}));
        QCOMPARE(d.spikeTrial, (std::vector<int64_t>{100, 100, 101}));
        QVERIFY(std::fabs(d.spikeTime[0] - 0.25) < 1e-12);
        QVERIFY(std::fabs(d.spikeTime[2] - 0.2) < 1e-12);
    }
};

QTEST_GUILESS_MAIN(TestTrialIO)
#include "test_trialio.moc"
