// Whole-application tests: the command line (screenshot, export, errors) as a user runs it, and the main
// window's controls (search, colour, filter, undo).
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QtTest>

#include "AnalysisDock.h"
#include "AppTestSupport.h"
#include "CommandLine.h"
#include "ConnectomePanel.h"
#include "FigureExport.h"
#include "LiveGeometry.h"
#include "MainWindow.h"
#include "Session.h"
#include "SimulationDock.h"
#include "io/SpikeIO.h"
#include "plots/GeometryPlot.h"
#include "plots/RasterPlot.h"
#include "vtk/ConnectomeView.h"

namespace {

using apptest::herm;
using apptest::kData;
using apptest::Run;
using apptest::runApp;
using apptest::somas;

// Fraction of pixels that differ clearly from the corner colour.
double nonBackgroundFraction(const QImage& img) {
    const QRgb bg = img.pixel(2, 2);
    long n = 0;
    for (int y = 0; y < img.height(); y += 2)
        for (int x = 0; x < img.width(); x += 2) {
            const QRgb c = img.pixel(x, y);
            if (std::abs(qRed(c) - qRed(bg)) + std::abs(qGreen(c) - qGreen(bg)) +
                    std::abs(qBlue(c) - qBlue(bg)) >
                40)
                ++n;
        }
    return double(n) / ((img.width() / 2) * (img.height() / 2));
}

} // namespace

class TestApp : public QObject {
    Q_OBJECT
private slots:
    void parsesCommandLine() {
        auto cl = parseCommandLine({"neurorama", "--screenshot", "a.png", "--size", "640x480", "g.csv"});
        QCOMPARE(int(cl.mode), int(CommandLine::Mode::Screenshot));
        QCOMPARE(cl.out, QStringLiteral("a.png"));
        QCOMPARE(cl.size, QSize(640, 480));
        QCOMPARE(cl.files, QStringList{"g.csv"});
        QCOMPARE(int(parseCommandLine({"neurorama", "--size", "12"}).mode), int(CommandLine::Mode::Error));
        QCOMPARE(int(parseCommandLine({"neurorama", "--bogus"}).mode), int(CommandLine::Mode::Error));
        QCOMPARE(int(parseCommandLine({"neurorama", "export", "g.csv"}).mode), int(CommandLine::Mode::Error));
        auto sim = parseCommandLine({"neurorama", "simulate", "coba", "--seconds", "1"});
        QCOMPARE(int(sim.mode), int(CommandLine::Mode::Simulate));
        QCOMPARE(sim.rest, (QStringList{"coba", "--seconds", "1"}));
        QVERIFY(!parseSize("0x10"));
        QCOMPARE(pixelsForWidth(25.4, 300, QSize(400, 200)), QSize(300, 150));
    }

    void helpAndVersion() {
        Run h = runApp({"--help"});
        QCOMPARE(h.code, 0);
        QVERIFY(h.out.contains("--screenshot"));
        // Every view `export --view` takes is named in the help.
        MainWindow w;
        const QList<FigureView> views = figureViews(&w);
        QVERIFY(views.size() >= 10);
        const QString list =
            h.out.mid(h.out.indexOf("VIEW:"), h.out.indexOf("(default:") - h.out.indexOf("VIEW:"));
        for (const FigureView& fv : views)
            QVERIFY2(
                QRegularExpression("\\b" + QRegularExpression::escape(fv.id) + "\\b").match(list).hasMatch(),
                qPrintable(fv.id));
        Run v = runApp({"--version"});
        QCOMPARE(v.code, 0);
        QVERIFY(v.out.startsWith("neurorama "));
    }

    // `export MODEL --neuron-model DIR`: the description with run.py and README.txt, one summary line; bad
    // input exits non-zero with the reason on stderr.
    void exportModelForNeuron() {
        QTemporaryDir dir;
        const QString out = dir.filePath("brunel");
        Run ex = runApp({"export", "brunel", "--neurons", "200", "--neuron-model", out, "--seconds", "0.2"});
        QVERIFY2(ex.code == 0, qPrintable(ex.err));
        QVERIFY(
            QRegularExpression("^export model=brunel cells=200 synapses=\\d+ dir=").match(ex.out).hasMatch());
        for (const char* f : {"model.json", "run.py", "README.txt"}) QVERIFY(QFile::exists(out + "/" + f));
        Run again = runApp({"simulate", out + "/model.json", "--seconds", "0.2"});
        QVERIFY2(again.code == 0, qPrintable(again.err));
        Run direct = runApp({"simulate", "brunel", "--neurons", "200", "--seconds", "0.2"});
        QCOMPARE(again.out.section(' ', 0, 0), direct.out.section(' ', 0, 0)); // the same spikes=N
        Run bad = runApp({"export", "brunel", "--param", "J=-1", "--neuron-model", out});
        QVERIFY(bad.code != 0);
        QVERIFY2(bad.err.contains("parameter 'J' = -1 is outside"), qPrintable(bad.err));
    }

    void simulateThenAnalyze() {
        QTemporaryDir dir;
        const QString prefix = dir.filePath("attr");
        Run sim = runApp({"simulate", "attractor", "--seconds", "8", "--trials", prefix});
        QVERIFY2(sim.code == 0, qPrintable(sim.err));
        QVERIFY(QRegularExpression(
                    "^spikes=\\d+ rate_hz=[0-9.]+ wall_s=[0-9.e-]+ engine=embedded threads=\\d+\n$")
                    .match(sim.out)
                    .hasMatch());
        QVERIFY(QFile::exists(prefix + "_spikes.csv"));
        QVERIFY(QFile::exists(prefix + "_trials.csv"));
        Run an = runApp({"analyze", "shesha", "--input", prefix + "_spikes.csv", "--param", "window=0:0.2",
                         "--param", "splits=20", "--out", dir.filePath("r.json")});
        QVERIFY2(an.code == 0, qPrintable(an.err));
        const auto m =
            QRegularExpression("^shesha=(\\S+) ci_low=(\\S+) ci_high=(\\S+) splits=20\n$").match(an.out);
        QVERIFY2(m.hasMatch(), qPrintable(an.out));
        QVERIFY(m.captured(2).toDouble() <= m.captured(1).toDouble());
        QVERIFY(m.captured(1).toDouble() <= m.captured(3).toDouble());
        QVERIFY(QFile::exists(dir.filePath("r.json")));
        Run bad = runApp({"simulate", "coba", "--seconds", "1", "--trials", prefix});
        QVERIFY(bad.code != 0); // COBA has no stimulus trials
        QVERIFY(bad.err.contains("no stimulus trials"));
    }

    void screenshotOfCelegans() {
        QTemporaryDir dir;
        const QString png = dir.filePath("celegans.png");
        Run r = runApp({"--screenshot", png, "--size", "1200x800", herm(), somas()});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.startsWith("connectome nodes=448 edges=7379"), qPrintable(r.out));
        QCOMPARE(r.out.count('\n'), 1);
        QImage img(png);
        QCOMPARE(img.size(), QSize(1200, 800));
        QVERIFY(nonBackgroundFraction(img) > 0.05);
    }

    void screenshotWiderThanTheScreen() {
        // The test's X screen is 1600 pixels wide: a 2000-pixel window reaches past its edge, where the
        // server has no pixels. The picture still shows the whole 3-D view, up to its right edge.
        QTemporaryDir dir;
        const QString png = dir.filePath("wide.png");
        Run r = runApp({"--screenshot", png, "--size", "2000x700", herm(), somas()});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QImage img(png);
        QCOMPARE(img.size(), QSize(2000, 700));
        const QRgb bg = img.pixel(1500, 120); // the view's background, inside the screen
        QCOMPARE(qAlpha(bg), 255);
        long same = 0, all = 0;
        for (int y = 250; y < 450; ++y)
            for (int x = 1960; x < 1995; ++x, ++all) {
                const QRgb c = img.pixel(x, y);
                const int d = std::abs(qRed(c) - qRed(bg)) + std::abs(qGreen(c) - qGreen(bg)) +
                              std::abs(qBlue(c) - qBlue(bg));
                same += qAlpha(c) == 255 && d < 12;
            }
        QVERIFY2(same > all * 9 / 10,
                 qPrintable(QStringLiteral("%1 of %2 like the background").arg(same).arg(all)));
    }

    void screenshotOfDemo() {
        QTemporaryDir dir;
        const QString png = dir.filePath("demo.png");
        Run r = runApp({"--screenshot", png, "--size", "1400x900", "--sim-seconds", "0.3"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.startsWith("connectome nodes=3000 "), qPrintable(r.out));
        QVERIFY(nonBackgroundFraction(QImage(png)) > 0.05);
    }

    void screenshotOfBadFileFails() {
        QTemporaryDir dir;
        const QString bad = dir.filePath("bad.csv");
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("source,target,weight\nA,B,1\nB,C,heavy\n");
        f.close();
        const QString png = dir.filePath("never.png");
        Run r = runApp({"--screenshot", png, bad});
        QVERIFY(r.code != 0);
        QVERIFY2(r.err.contains(bad + ":3:"), qPrintable(r.err));
        QVERIFY(!QFile::exists(png));
        Run missing = runApp({"--screenshot", png, dir.filePath("nope.csv")});
        QVERIFY(missing.code != 0);
        QVERIFY(missing.err.contains("nope.csv"));
    }

    void exportAtPhysicalWidth() {
        QTemporaryDir dir;
        const QString png = dir.filePath("fig.png");
        Run r = runApp({"export", herm(), somas(), "--out", png, "--width-mm", "85", "--dpi", "300", "--size",
                        "800x600", "--transparent", "--color-by", "class"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QImage img(png);
        QCOMPARE(img.width(), 1004); // 85 mm at 300 dpi
        QCOMPARE(img.height(), 753);
        QVERIFY(std::abs(img.dotsPerMeterX() - 11811) <= 1);
        QCOMPARE(qAlpha(img.pixel(0, 0)), 0);
        Run bad = runApp({"export", herm(), "--out", dir.filePath("x.png"), "--color-by", "no_such_column"});
        QVERIFY(bad.code != 0);
        QVERIFY(bad.err.contains("no_such_column"));
    }

    void windowSearchFilterUndo() {
        MainWindow w;
        QCOMPARE(w.openFilesBlocking({herm(), somas()}), QString());
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        auto g = w.graph();
        QCOMPARE(g->nodeCount(), size_t(448));
        ConnectomePanel* p = w.connectomePanel();
        QVERIFY(p->findNeuron("aval"));
        QVERIFY(!p->findNeuron("NOT_A_NEURON"));
        const size_t all = w.connectomeView()->visibleEdgeCount();
        QCOMPARE(all, size_t(7379));
        EdgeFilter f = p->currentFilter();
        f.typeVisible = {true, true};
        const long chemIdx =
            std::find(g->edgeTypes.begin(), g->edgeTypes.end(), "chemical") - g->edgeTypes.begin();
        f.typeVisible[size_t(1 - chemIdx)] = false; // electrical off
        p->applyFilter(f);
        QCOMPARE(w.connectomeView()->visibleEdgeCount(), size_t(4681));
        w.undoStack()->undo();
        QCOMPARE(w.connectomeView()->visibleEdgeCount(), all);
        w.undoStack()->redo();
        QCOMPARE(w.connectomeView()->visibleEdgeCount(), size_t(4681));
        p->applyColorBy("degree");
        QCOMPARE(p->colorBy(), QStringLiteral("degree"));
        w.undoStack()->undo();
        QVERIFY(p->colorBy() != QStringLiteral("degree"));
    }

    void demoSimulationRunsLiveAndSaves() {
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.showDemo(true);
        SimulationDock* sim = w.simulationDock();
        QTRY_VERIFY_WITH_TIMEOUT(sim->simulatedSeconds() > 0.3, 30000);
        QVERIFY(sim->running());
        QTRY_VERIFY_WITH_TIMEOUT(sim->raster()->spikeCount() > 100, 10000);
        sim->pause();
        QVERIFY(!sim->running());
        const double t = sim->simulatedSeconds();
        QTest::qWait(200);
        QCOMPARE(sim->simulatedSeconds(), t); // paused means paused
        sim->stepOnce();
        QVERIFY(std::abs(sim->simulatedSeconds() - (t + 0.01)) < 1e-6);

        // Rows sorted by the demo's layer column: a deeper layer never comes before a shallower one.
        const auto& layer = w.graph()->nodeNumeric.at("layer");
        const std::vector<uint32_t> rowOf = sim->rowOrder("layer");
        QCOMPARE(rowOf.size(), layer.size());
        std::vector<uint32_t> byRow(rowOf.size());
        for (size_t i = 0; i < rowOf.size(); ++i) byRow[rowOf[i]] = uint32_t(i);
        for (size_t r = 1; r < byRow.size(); ++r) QVERIFY(layer[byRow[r - 1]] <= layer[byRow[r]]);
        QVERIFY(sim->rowOrder("population") != rowOf);

        // Selection in the 3-D view selects raster rows.
        emit w.connectomeView()->selectionChanged(std::vector<uint32_t>{3, 7});
        QCOMPARE(sim->raster()->selectedNeurons(), (std::vector<uint32_t>{3, 7}));

        QTemporaryDir dir;
        const QString csv = dir.filePath("run_spikes.csv");
        QString err;
        QVERIFY2(sim->saveSpikes(csv, &err), qPrintable(err));
        auto back = nr::readSpikesCsv(csv.toStdString());
        QVERIFY(back.ok());
        QVERIFY(back.value().spikeCount() >= sim->raster()->spikeCount() / 2);
        // Reopened as a dataset through File > Open.
        QCOMPARE(w.openFilesBlocking({csv}), QString());
        QCOMPARE(sim->raster()->spikeCount(), back.value().spikeCount());
    }

    void attractorFeedsLiveGeometry() {
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        SimulationDock* sim = w.simulationDock();
        QSignalSpy speedSpy(sim, &SimulationDock::modelLoaded);
        QVERIFY(sim->startModel("attractor", nullptr, false));
        QCOMPARE(speedSpy.count(), 1);
        sim->runner()->setSpeed(0); // as fast as possible
        sim->play();
        GeometryPlot* plot = w.analysisDock()->geometryPlot();
        QTRY_VERIFY_WITH_TIMEOUT(plot->rdmSize() >= 2, 90000);
        QTRY_VERIFY_WITH_TIMEOUT(plot->stabilityCount() >= 1, 60000);
        const GeometryUpdate& u = w.analysisDock()->liveGeometry()->last();
        QVERIFY(u.haveShesha);
        QVERIFY(u.shesha >= -1 && u.shesha <= 1);
        QVERIFY(u.ciLow <= u.shesha && u.shesha <= u.ciHigh);
        sim->stop();
    }

    void sessionRoundTrip() {
        QTemporaryDir dir;
        const QString session = dir.filePath("s.json");
        {
            MainWindow w;
            QCOMPARE(w.openFilesBlocking(apptest::copiesIn(dir.path(), {herm(), somas()})), QString());
            w.connectomePanel()->applyColorBy("degree", false);
            EdgeFilter f = w.connectomePanel()->currentFilter();
            f.minWeight = 5;
            w.connectomePanel()->applyFilter(f, false);
            QCOMPARE(saveSession(&w, session), QString());
        }
        MainWindow w2;
        QCOMPARE(loadSession(&w2, session).error, QString());
        QCOMPARE(w2.graph()->nodeCount(), size_t(448));
        QCOMPARE(w2.connectomePanel()->colorBy(), QStringLiteral("degree"));
        QCOMPARE(w2.connectomePanel()->currentFilter().minWeight, 5.f);
        QFile bad(dir.filePath("bad.json"));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("{\"format\": \"neurorama-session\", \"files\": [");
        bad.close();
        QVERIFY(loadSession(&w2, bad.fileName()).error.contains("bad.json"));
        QCOMPARE(w2.graph()->nodeCount(), size_t(448)); // what was open stays open
    }
};

QTEST_MAIN(TestApp)
#include "test_app.moc"
