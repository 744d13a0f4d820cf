// The time axis of HDF5 traces, on files generated here as a Julia whole-brain recording is laid out
// (gcamp/trace_array, neurons x frames, with timing/timestamp_confocal beside it in another group): the time
// vector is found and used; without one the axis is in frames ("frame", never "s") unless a rate is given
// (the `rate` option, `--param rate=` on the command line, or the Sampling Rate dialog when the window opens
// the file); `--screenshot` prints the duration it used.
#include <QAction>
#include <QApplication>
#include <QDoubleSpinBox>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>
#include <cmath>
#include <hdf5.h>

#include "ActivityDock.h"
#include "AppTestSupport.h"
#include "FigureExport.h"
#include "Hdf5Write.h"
#include "MainWindow.h"
#include "TraceRateDialog.h"
#include "formats/Open.h"
#include "plots/TracePlot.h"
#include "traces/TraceFormats.h"
#include "traces/Traces.h"

namespace {

using nrtest::h5Write;

constexpr size_t kNeurons = 130, kFrames = 799;
constexpr double kStep = 589.2 / double(kFrames); // the recording covers 589.2 s

// Julia writes its 799 x 130 (frames x neurons) array column-major: HDF5 sees 130 x 799.
QString writeRecording(const QString& path, bool withTime) {
    hid_t h = H5Fcreate(path.toLocal8Bit().constData(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    std::vector<double> v(kNeurons * kFrames);
    for (size_t i = 0; i < kNeurons; ++i)
        for (size_t k = 0; k < kFrames; ++k) v[i * kFrames + k] = std::sin(0.01 * double(k) * double(i + 1));
    h5Write(h, "/gcamp/trace_array", v, {kNeurons, kFrames});
    if (withTime) {
        std::vector<double> t(kFrames), nir(3 * kFrames);
        for (size_t k = 0; k < kFrames; ++k) t[k] = 12.5 + kStep * double(k);
        for (size_t k = 0; k < nir.size(); ++k) nir[k] = kStep / 3 * double(k);
        h5Write(h, "/timing/timestamp_confocal", t, {kFrames});
        h5Write(h, "/timing/timestamp_nir", nir, {nir.size()}); // another camera: no axis has its length
    }
    h5Write(h, "/behavior/velocity", std::vector<double>(kFrames, 0.1), {kFrames});
    H5Fclose(h);
    return path;
}

nr::Traces mustRead(const QString& file, const nr::OpenOptions& opt) {
    auto r = nr::openTraces(file.toStdString(), opt);
    if (!r.ok()) qWarning("%s", r.error().str().c_str());
    return r.ok() ? *r.value() : nr::Traces{};
}

nr::OpenOptions options(std::vector<std::pair<std::string, std::string>> o) {
    nr::OpenOptions opt;
    opt.options = std::move(o);
    return opt;
}

} // namespace

class TestTraceTime : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString timed_, untimed_;

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("NeuroramaTest"));
        QCoreApplication::setApplicationName(QStringLiteral("test_trace_time"));
        QSettings().clear();
        timed_ = writeRecording(dir_.filePath(QStringLiteral("worm.h5")), true);
        untimed_ = writeRecording(dir_.filePath(QStringLiteral("frames.h5")), false);
    }

    void timeVectorBesideTheArray() {
        const nr::Traces t = mustRead(timed_, options({{"array", "gcamp/trace_array"}}));
        QCOMPARE(t.neurons(), kNeurons);
        QCOMPARE(t.timepoints(), kFrames);
        QCOMPARE(t.timeUnit, std::string("s"));
        QCOMPARE(t.time.front(), 12.5);
        QVERIFY(std::abs(t.time.back() - (12.5 + kStep * double(kFrames - 1))) < 1e-9);
        QCOMPARE(t.durationText(), std::string("589.2s"));
        QVERIFY(nr::tracesSummary(t).find("duration=589.2s") != std::string::npos);
        // The option names it as well.
        const nr::Traces o = mustRead(
            timed_, options({{"array", "gcamp/trace_array"}, {"time", "timing/timestamp_confocal"}}));
        QCOMPARE(o.time, t.time);
    }

    void framesWithoutTimeOrRate() {
        const nr::Traces f = mustRead(untimed_, options({{"array", "gcamp/trace_array"}}));
        QCOMPARE(f.timepoints(), kFrames);
        QCOMPARE(f.timeUnit, std::string("frame"));
        QVERIFY(f.inFrames());
        QCOMPARE(f.time[1], 1.0);
        QCOMPARE(f.durationText(), std::string("799frames"));
        // rate: seconds
        const nr::Traces r = mustRead(untimed_, options({{"array", "gcamp/trace_array"}, {"rate", "2"}}));
        QCOMPARE(r.timeUnit, std::string("s"));
        QCOMPARE(r.time[1], 0.5);
        QCOMPARE(r.durationText(), std::string("399.5s"));
        // a bad rate is an error naming the file and the value
        auto bad = nr::openTraces(untimed_.toStdString(),
                                  options({{"array", "gcamp/trace_array"}, {"rate", "fast"}}));
        QVERIFY(!bad.ok());
        QCOMPARE(QString::fromStdString(bad.error().file), untimed_);
        QVERIFY2(bad.error().reason.find("rate 'fast'") != std::string::npos, bad.error().reason.c_str());
    }

    void plotAxisSaysWhichUnit() {
        MainWindow w;
        w.resize(1280, 800);
        QCOMPARE(w.openFilesBlocking({untimed_ + QStringLiteral(":gcamp/trace_array")}), QString());
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        const nr::Traces* t = w.activityDock()->plot()->traces();
        QVERIFY(t && t->inFrames());
        FigureSpec spec;
        spec.path = dir_.filePath(QStringLiteral("frames.svg"));
        QCOMPARE(exportViewFigure(&w, QStringLiteral("traces"), spec), QString());
        QFile f(spec.path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray svg = f.readAll();
        QVERIFY(svg.contains(">frame<"));
        QVERIFY(!svg.contains("time (s)"));

        MainWindow w2;
        w2.resize(1280, 800);
        QCOMPARE(w2.openFilesBlocking({timed_ + QStringLiteral(":gcamp/trace_array")}), QString());
        w2.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w2));
        spec.path = dir_.filePath(QStringLiteral("timed.svg"));
        QCOMPARE(exportViewFigure(&w2, QStringLiteral("traces"), spec), QString());
        QFile f2(spec.path);
        QVERIFY(f2.open(QIODevice::ReadOnly));
        QVERIFY(f2.readAll().contains("time (s)"));
    }

    void openDialogAsksForTheRate() {
        MainWindow w;
        w.resize(1280, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        bool asked = false;
        QTimer t;
        t.setInterval(20);
        connect(&t, &QTimer::timeout, [&] {
            auto* dlg = qobject_cast<TraceRateDialog*>(QApplication::activeModalWidget());
            if (!dlg || !dlg->isVisible()) return;
            t.stop();
            asked = true;
            dlg->findChild<QDoubleSpinBox*>(QStringLiteral("traceRate"))->setValue(1.356);
            QTest::mouseClick(dlg->findChild<QPushButton*>(QStringLiteral("useRate")), Qt::LeftButton);
        });
        t.start();
        w.openFiles({untimed_ + QStringLiteral(":gcamp/trace_array")});
        QTRY_VERIFY_WITH_TIMEOUT(w.activityDock()->plot()->traces(), 30000);
        QVERIFY(asked);
        const nr::Traces* tr = w.activityDock()->plot()->traces();
        QCOMPARE(tr->timeUnit, std::string("s"));
        QVERIFY(std::abs(tr->time[1] - 1 / 1.356) < 1e-12);
        // Open Recent reopens it at that rate without asking.
        const QStringList recent = QSettings().value(QStringLiteral("recentFiles")).toStringList();
        QVERIFY2(!recent.isEmpty() && recent.first().contains(QStringLiteral("rate=1.356")),
                 qPrintable(recent.join(QLatin1Char('\n'))));

        // Keep Frames: the axis stays in frames.
        MainWindow w2;
        w2.resize(1280, 800);
        w2.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w2));
        asked = false;
        QTimer t2;
        t2.setInterval(20);
        connect(&t2, &QTimer::timeout, [&] {
            auto* dlg = qobject_cast<TraceRateDialog*>(QApplication::activeModalWidget());
            if (!dlg || !dlg->isVisible() || asked) return;
            t2.stop();
            asked = true;
            QTest::mouseClick(dlg->findChild<QPushButton*>(QStringLiteral("keepFrames")), Qt::LeftButton);
        });
        t2.start();
        w2.openFiles({untimed_ + QStringLiteral(":gcamp/trace_array")});
        QTRY_VERIFY_WITH_TIMEOUT(w2.activityDock()->plot()->traces(), 30000);
        QVERIFY(asked);
        QVERIFY(w2.activityDock()->plot()->traces()->inFrames());
    }

    void screenshotPrintsTheDuration() {
        const QString png = dir_.filePath(QStringLiteral("shot.png"));
        auto r = apptest::runApp({QStringLiteral("--screenshot"), png, QStringLiteral("--size"),
                                  QStringLiteral("1024x700"), timed_ + QStringLiteral(":gcamp/trace_array")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(QStringLiteral("duration=589.2s")), qPrintable(r.out));
        r = apptest::runApp({QStringLiteral("--screenshot"), png, QStringLiteral("--size"),
                             QStringLiteral("1024x700"), untimed_ + QStringLiteral(":gcamp/trace_array")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(QStringLiteral("duration=799frames")), qPrintable(r.out));
        r = apptest::runApp({QStringLiteral("--screenshot"), png, untimed_, QStringLiteral("--array"),
                             QStringLiteral("gcamp/trace_array"), QStringLiteral("--param"),
                             QStringLiteral("rate=2")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(QStringLiteral("duration=399.5s")), qPrintable(r.out));
        // --param before any file, and a bad rate, are clear errors
        r = apptest::runApp({QStringLiteral("--screenshot"), png, QStringLiteral("--param"),
                             QStringLiteral("rate=2"), untimed_});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("give it after the file")), qPrintable(r.err));
        r = apptest::runApp({QStringLiteral("--screenshot"), png,
                             untimed_ + QStringLiteral(":gcamp/trace_array"), QStringLiteral("--param"),
                             QStringLiteral("rate=-1")});
        QVERIFY(r.code != 0);
        QVERIFY2(r.err.contains(QStringLiteral("frames.h5")) && r.err.contains(QStringLiteral("rate '-1'")),
                 qPrintable(r.err));
    }
};

QTEST_MAIN(TestTraceTime)
#include "test_trace_time.moc"
