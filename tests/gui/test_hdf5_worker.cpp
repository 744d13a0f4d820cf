// NWB files opened the way File > Open does (DatasetLoader: a worker thread of the running application, with
// the main window shown): the HDF5 reading child is forked from that thread. A file on which libhdf5 loops
// comes back as an error within the limit and the window stays usable; a real NWB file still loads.
#include <QTemporaryDir>
#include <QtTest>

#include <chrono>
#include <fstream>
#include <hdf5.h>
#include <iterator>

#include "AppTestSupport.h"
#include "DatasetLoader.h"
#include "MainWindow.h"
#include "io/Hdf5Sandbox.h"

namespace {

// A small NWB file whose trials table has a variable-length string column, then its global heap (the
// strings) zeroed after the collection header: libhdf5 loops in H5Dread on it.
bool writeCorruptNwb(const std::string& path) {
    hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    auto group = [&](const char* p) { H5Gclose(H5Gcreate2(file, p, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)); };
    auto write = [&](const char* p, hid_t type, hsize_t n, const void* d) {
        hid_t sp = H5Screate_simple(1, &n, nullptr);
        hid_t ds = H5Dcreate2(file, p, type, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, d);
        H5Dclose(ds);
        H5Sclose(sp);
    };
    group("/units");
    group("/intervals");
    group("/intervals/trials");
    const int64_t ids[2] = {4, 9};
    const double times[4] = {0.1, 1.2, 0.5, 1.5};
    const uint64_t idx[2] = {2, 4};
    write("/units/id", H5T_NATIVE_INT64, 2, ids);
    write("/units/spike_times", H5T_NATIVE_DOUBLE, 4, times);
    write("/units/spike_times_index", H5T_NATIVE_UINT64, 2, idx);
    const double start[2] = {0, 1}, stop[2] = {1, 2};
    write("/intervals/trials/start_time", H5T_NATIVE_DOUBLE, 2, start);
    write("/intervals/trials/stop_time", H5T_NATIVE_DOUBLE, 2, stop);
    const char* stim[2] = {"grating", "dots"};
    hid_t st = H5Tcopy(H5T_C_S1);
    H5Tset_size(st, H5T_VARIABLE);
    write("/intervals/trials/stimulus", st, 2, stim);
    H5Tclose(st);
    H5Fclose(file);
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const size_t gcol = bytes.find("GCOL");
    if (gcol == std::string::npos || gcol + 96 > bytes.size()) return false;
    std::fill(bytes.begin() + long(gcol) + 16, bytes.begin() + long(gcol) + 96, '\0');
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
    return true;
}

} // namespace

class TestHdf5Worker : public QObject {
    Q_OBJECT

private slots:
    void cleanupTestCase() { nr::setHdf5ChildLimits({}); }

    void corruptNwbFromTheWorkerThread() {
        nr::Hdf5ChildLimits lim;
        lim.seconds = 3;
        nr::setHdf5ChildLimits(lim);
        QTemporaryDir dir;
        const QString bad = dir.filePath(QStringLiteral("stuck.nwb"));
        QVERIFY(writeCorruptNwb(bad.toStdString()));
        MainWindow w;
        w.resize(1024, 700);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        DatasetLoader loader;
        bool gotFailed = false, gotLoaded = false;
        QString message;
        LoadedData data;
        connect(&loader, &DatasetLoader::failed, this, [&](const QString& m) {
            message = m;
            gotFailed = true;
        });
        connect(&loader, &DatasetLoader::loaded, this, [&](const LoadedData& d) {
            data = d;
            gotLoaded = true;
        });
        const auto t0 = std::chrono::steady_clock::now();
        loader.load({bad});
        QTRY_VERIFY_WITH_TIMEOUT(gotFailed || gotLoaded, 20000);
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        QVERIFY(!gotLoaded);
        QVERIFY2(message.contains(QStringLiteral("stuck.nwb")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("HDF5 library did not finish reading the file within 3 s")),
                 qPrintable(message));
        QVERIFY2(s < 10, qPrintable(QString::number(s)));

        // The same thread pool then loads a real NWB file.
        gotFailed = false;
        const QString good = apptest::kData + QStringLiteral("/spikes/A8604-211122.nwb");
        QTRY_VERIFY_WITH_TIMEOUT(!loader.busy(), 5000);
        loader.load({good});
        QTRY_VERIFY_WITH_TIMEOUT(gotFailed || gotLoaded, 30000);
        QVERIFY2(gotLoaded, qPrintable(message));
        QVERIFY(data.ok());
        QCOMPARE(data.datasets.front().summary.rfind("units=3 spikes=21354", 0), size_t(0));
        QVERIFY(w.isVisible());
    }
};

QTEST_MAIN(TestHdf5Worker)
#include "test_hdf5_worker.moc"
