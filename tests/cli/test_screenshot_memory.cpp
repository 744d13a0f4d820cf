// A --screenshot of a 200,000-leaf star stays under a peak-memory bound: one-frame runs must not let the
// software rasterizer queue the binned scenes of a large frame (measured: about 295-330 MB when the drawing
// thread rasterizes each scene, 411-421 MB when worker threads queue them).
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QtTest>
#include <sys/resource.h>

class TestScreenshotMemory : public QObject {
    Q_OBJECT
private slots:
    void starStaysUnderTheBound() {
        const double boundMb = qEnvironmentVariableIsSet("NR_STAR_BOUND_MB")
                                   ? qEnvironmentVariable("NR_STAR_BOUND_MB").toDouble()
                                   : 370.0;
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString csv = dir.filePath("star.csv"), png = dir.filePath("star.png");
        {
            QFile f(csv);
            QVERIFY(f.open(QIODevice::WriteOnly));
            QByteArray text("source,target\n");
            text.reserve(2200000);
            for (int i = 0; i < 200000; ++i) text += "h," + QByteArray::number(i) + '\n';
            QCOMPARE(f.write(text), qint64(text.size()));
        }
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove("LP_NUM_THREADS"); // the application's own choice is what is tested
        env.remove("QT_QPA_PLATFORM");
        env.remove("DISPLAY"); // the screenshot starts its own X server, as in a Makefile
        p.setProcessEnvironment(env);
        p.start(QCoreApplication::applicationDirPath() + "/neurorama", {"--screenshot", png, csv});
        QVERIFY(p.waitForStarted());
        QVERIFY2(p.waitForFinished(180000), "the screenshot did not finish in 180 s");
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0, qPrintable(err));
        QVERIFY2(out.contains("edges=200000"), qPrintable(out));
        QVERIFY(QFileInfo(png).size() > 0);
        rusage ru{};
        QCOMPARE(getrusage(RUSAGE_CHILDREN, &ru), 0);
        const double peakMb = double(ru.ru_maxrss) / 1024.0;
        qInfo("peak_rss_mb=%.1f bound_mb=%.1f", peakMb, boundMb);
        QVERIFY2(peakMb > 50,
                 "the child's peak memory was not measured"); // a real run reads and draws 200k nodes
        QVERIFY2(peakMb <= boundMb,
                 qPrintable(QString("peak resident memory %1 MB over the bound").arg(peakMb)));
    }
};

QTEST_GUILESS_MAIN(TestScreenshotMemory)
#include "test_screenshot_memory.moc"
