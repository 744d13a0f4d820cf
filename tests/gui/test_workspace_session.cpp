// The whole workspace in a session: one layer of every kind with its filters, selection and results saved,
// opened in a new window and saved again gives the same file and the same picture; sessions replace what is
// open, survive a failed save, and keep the other layers when one file is missing.
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include "ActivityDock.h"
#include "AnalysisDock.h"
#include "AppTestSupport.h"
#include "ConnectomePanel.h"
#include "FigureExport.h"
#include "LayersDock.h"
#include "MainWindow.h"
#include "PluginPanel.h"
#include "Session.h"
#include "SimulationDock.h"
#include "VesselPanel.h"
#include "analysis/GraphAnalysis.h"
#include "plots/TracePlot.h"
#include "session/Session.h"
#include "vtk/ConnectomeView.h"
#include "vtk/NeuronView.h"
#include "vtk/VesselView.h"

using apptest::kData;
using apptest::readAll;

namespace {

void settle(int ms) {
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < ms) {
        QApplication::processEvents(QEventLoop::AllEvents, 20);
        QThread::msleep(5);
    }
}

// What the window shows: every 3-D view has drawn a current frame, then the window's pixels.
QImage picture(MainWindow& w) {
    QElapsedTimer t;
    t.start();
    auto stale = [&w] {
        for (VtkView* v : w.findChildren<VtkView*>())
            if (v->isVisible() && !v->frameIsCurrent()) return true;
        return false;
    };
    do settle(50);
    while (stale() && t.elapsed() < 8000);
    settle(100);
    return w.grab().toImage().convertToFormat(QImage::Format_RGB32);
}

// The figure of each view (what a paper gets: the 3-D views without their frame-time overlay, the plots) and
// the Layers dock.
std::map<QString, QImage> figures(MainWindow& w, const QString& dir, const QString& tag) {
    picture(w); // every view has drawn at its size
    std::map<QString, QImage> out;
    for (const char* view : {"network", "vessels", "neurons", "raster", "traces"}) {
        FigureSpec spec;
        spec.path = dir + "/" + tag + "_" + QString::fromLatin1(view) + ".png";
        spec.pixels = QSize(700, 500);
        spec.dpi = 150;
        const QString err = exportViewFigure(&w, view, spec);
        if (!err.isEmpty()) qWarning("%s", qPrintable(err));
        out[QString::fromLatin1(view)] = QImage(spec.path).convertToFormat(QImage::Format_RGB32);
    }
    out["layers"] = w.layersDock()->grab().toImage().convertToFormat(QImage::Format_RGB32);
    return out;
}

// Pixels that differ, and their bounding box.
int differing(const QImage& a, const QImage& b, QRect* box) {
    if (a.size() != b.size()) return -1;
    int n = 0;
    QRect r;
    for (int y = 0; y < a.height(); ++y)
        for (int x = 0; x < a.width(); ++x)
            if (a.pixel(x, y) != b.pixel(x, y)) {
                ++n;
                r |= QRect(x, y, 1, 1);
            }
    if (box) *box = r;
    return n;
}

} // namespace

class TestWorkspaceSession : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    QString session_;

    // One layer of every kind, each with something set up on it.
    void buildWorkspace(MainWindow& w) {
        const QString d = dir_.path();
        const QStringList net = apptest::copiesIn(d, {apptest::herm(), apptest::somas()});
        QCOMPARE(w.openFilesBlocking(net), QString());
        const QStringList more = apptest::copiesIn(
            d, {kData + "/activity/atanas2023_traces.csv", kData + "/spikes/spikes.csv",
                kData + "/vessel/example_nodes.csv", kData + "/vessel/example_edges.csv",
                kData + "/neurons/swc/C031097B-I4.CNG.swc", kData + "/labels/pinky40_crop_256x256x64.nrrd"});
        QCOMPARE(w.openFilesBlocking({more[0]}), QString());          // traces, joined to the connectome
        QCOMPARE(w.openFilesBlocking({more[1]}), QString());          // recorded spikes
        QCOMPARE(w.openFilesBlocking({more[2], more[3]}), QString()); // vessels
        QCOMPARE(w.openFilesBlocking({more[4]}), QString());          // a neuron
        QCOMPARE(w.openFilesBlocking({more[5]}), QString());          // a label volume
        QVERIFY(w.neuronView()->waitForMeshes(120000));
        QCOMPARE(w.openFilesBlocking({more[5]}, {{{"as", "image"}}}), QString()); // its voxels as an image
        // The functional connectivity of the traces, on the connectome's positions.
        QCOMPARE(w.addFunctionalGraph(0.5), QString());
        // Back to the connectome: communities as an analysis result, coloured by, AVAL highlighted, an edge
        // filter.
        const nr::Layer* conn = w.document().ofKind(nr::LayerKind::Graph).front();
        w.document().select(conn->id);
        QCOMPARE(w.shownGraphLayer(), conn->id);
        auto comm = nr::detectCommunities(*conn->graph);
        QVERIFY(comm.ok());
        nr::Results r;
        r.plugin = "graph_communities";
        r.params["resolution"] = "1";
        nr::NodeColumnResult col;
        col.name = "community";
        for (int c : comm.value().membership) col.values.push_back(c);
        r.nodeColumns.push_back(col);
        r.addScalar("modularity", comm.value().modularity);
        emit w.analysisDock()->pluginPanel()->finished(r);
        w.connectomePanel()->applyColorBy(QStringLiteral("community"), false);
        EdgeFilter f = w.connectomePanel()->currentFilter();
        f.minWeight = 3;
        w.connectomePanel()->applyFilter(f, false);
        w.connectomeView()->highlightNode(conn->graph->findNode("AVAL"));
        // Vessels: a slab and a radius range.
        VesselFilter vf = w.vesselPanel()->currentFilter();
        vf.minRadius = 2;
        vf.clip = VesselFilter::Clip::Slab;
        const float* b = w.vesselView()->graph()->bounds;
        vf.slabAxis = 2;
        vf.slabLo = b[4] + 0.3f * (b[5] - b[4]);
        vf.slabHi = b[4] + 0.6f * (b[5] - b[4]);
        w.vesselPanel()->applyFilter(vf, false);
        // The label volume: one instance hidden; the image's slices moved.
        w.neuronView()->setInstanceVisible(1, false);
        w.neuronView()->imageSlices().setSlice(0, 10);
        // The traces' cursor.
        w.activityDock()->plot()->setCursorTime(30.0);
        // And the attractor, run to 0.4 s and paused.
        QVERIFY(w.simulationDock()->startModel(QStringLiteral("attractor"), nullptr, false));
        QVERIFY(w.simulationDock()->advanceTo(0.4));
        w.centralTabs()->setCurrentWidget(w.connectomeView());
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        session_ = dir_.filePath("workspace.nrsession");
    }

    void roundTripOfEveryKind() {
        std::map<QString, QImage> before;
        {
            MainWindow w;
            w.resize(1400, 900);
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            buildWorkspace(w);
            QCOMPARE(saveSession(&w, session_), QString());
            before = figures(w, dir_.path(), "before");
        }
        const QByteArray first = readAll(session_);
        QVERIFY(first.contains("\"version\": 2"));
        for (const char* kind : {"\"graph\"", "\"spikes\"", "\"simulation\"", "\"vessels\"",
                                 "\"morphologies\"", "\"label_volume\"", "\"traces\"", "\"image\""})
            QVERIFY2(first.contains(kind), kind);
        QVERIFY(first.contains("\"results\""));
        QVERIFY(first.contains("\"slab\""));
        QVERIFY(first.contains("\"AVAL\""));
        // Beside the session: written relative to it.
        QVERIFY(first.contains("\"path\": \"herm_full_edgelist.csv\""));

        MainWindow w2;
        w2.resize(1400, 900);
        w2.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w2));
        const SessionReport rep = loadSession(&w2, session_);
        QCOMPARE(rep.error, QString());
        QVERIFY2(rep.warnings.isEmpty(), qPrintable(rep.warnings.join('\n')));
        QVERIFY(w2.neuronView()->waitForMeshes(120000));
        settle(300);
        const QString again = dir_.filePath("again.nrsession");
        QCOMPARE(saveSession(&w2, again), QString());
        const QByteArray second = readAll(again);
        if (first != second) {
            if (qEnvironmentVariableIsSet("NR_KEEP_SESSIONS")) {
                QFile::copy(session_, "/tmp/first.nrsession");
                QFile::copy(again, "/tmp/second.nrsession");
            }
            const QList<QByteArray> a = first.split('\n'), b = second.split('\n');
            for (int i = 0; i < std::min(a.size(), b.size()); ++i)
                if (a[i] != b[i])
                    QFAIL(qPrintable(QStringLiteral("line %1 differs:\n%2\n%3")
                                         .arg(i + 1)
                                         .arg(QString::fromUtf8(a[i]), QString::fromUtf8(b[i]))));
            QFAIL("the sessions differ in length");
        }
        // The same pictures.
        const auto after = figures(w2, dir_.path(), "after");
        for (const auto& [view, img] : before) {
            QVERIFY2(!img.isNull(), qPrintable(view));
            QRect box;
            const int n = differing(img, after.at(view), &box);
            if (n != 0 && qEnvironmentVariableIsSet("NR_KEEP_SESSIONS")) {
                img.save("/tmp/before_" + view + ".png");
                after.at(view).save("/tmp/after_" + view + ".png");
            }
            QVERIFY2(n == 0, qPrintable(QStringLiteral("%1: %2 pixels differ in %3,%4 %5x%6")
                                            .arg(view)
                                            .arg(n)
                                            .arg(box.x())
                                            .arg(box.y())
                                            .arg(box.width())
                                            .arg(box.height())));
        }
        // What was set up is back: on the simulation's network, and on the connectome once selected.
        QCOMPARE(w2.simulationDock()->modelName(), QStringLiteral("attractor"));
        QVERIFY(std::abs(w2.simulationDock()->simulatedSeconds() - 0.4) < 0.011);
        w2.document().select(w2.document().ofKind(nr::LayerKind::Graph).front()->id);
        settle(200);
        QCOMPARE(w2.connectomePanel()->colorBy(), QStringLiteral("community"));
        QCOMPARE(w2.connectomePanel()->currentFilter().minWeight, 3.0f);
        QCOMPARE(QString::fromStdString(w2.graph()->names[size_t(w2.connectomeView()->highlightedNode())]),
                 QStringLiteral("AVAL"));
        QCOMPARE(w2.vesselPanel()->currentFilter().clip, VesselFilter::Clip::Slab);
        QCOMPARE(w2.vesselPanel()->currentFilter().minRadius, 2.0f);
        QVERIFY(!w2.neuronView()->instanceVisible(1));
        QCOMPARE(w2.neuronView()->imageSlices().slice(0), 10L);
        QCOMPARE(w2.activityDock()->plot()->cursorTime(), 30.0);
    }

    void replacesTheWorkspaceAndKeepsItOnRefusal() {
        MainWindow w;
        w.resize(1200, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QCOMPARE(w.openFilesBlocking({kData + "/neurons/swc/BG001.CNG.swc"}), QString());
        // A damaged session changes nothing.
        QFile bad(dir_.filePath("damaged.nrsession"));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write(readAll(session_).left(400));
        bad.close();
        const SessionReport refused = loadSession(&w, bad.fileName());
        QVERIFY(refused.error.contains("damaged.nrsession"));
        QCOMPARE(w.document().size(), size_t(1));
        // A newer version neither.
        QByteArray v3 = readAll(session_);
        v3.replace("\"version\": 2", "\"version\": 3");
        QFile newer(dir_.filePath("newer.nrsession"));
        QVERIFY(newer.open(QIODevice::WriteOnly));
        newer.write(v3);
        newer.close();
        const SessionReport tooNew = loadSession(&w, newer.fileName());
        QVERIFY2(tooNew.error.contains("version 3"), qPrintable(tooNew.error));
        QCOMPARE(w.document().size(), size_t(1));
        // A good one replaces the workspace; twice gives the same.
        const SessionReport rep = loadSession(&w, session_);
        QCOMPARE(rep.error, QString());
        const size_t layers = w.document().size();
        QVERIFY(layers >= 9);
        for (const auto& l : w.document().layers()) QVERIFY(l->name != "BG001.CNG");
        QCOMPARE(loadSession(&w, session_).error, QString());
        QCOMPARE(w.document().size(), layers);
        // Remove a layer and save: it is gone from the session, the rest stays.
        const nr::Layer* swc = w.document().ofKind(nr::LayerKind::Morphologies).front();
        QVERIFY(w.document().remove(swc->id));
        const QString fewer = dir_.filePath("fewer.nrsession");
        QCOMPARE(saveSession(&w, fewer), QString());
        QVERIFY(!readAll(fewer).contains("\"morphologies\""));
        QVERIFY(readAll(fewer).contains("\"vessels\""));
    }

    void aMissingFileKeepsTheOtherLayers() {
        QTemporaryDir moved;
        // The session and its data copied elsewhere, without the traces.
        for (const QString& f : QDir(dir_.path()).entryList(QDir::Files)) {
            if (f.endsWith(".png") || f.contains("traces")) continue;
            QVERIFY(QFile::copy(dir_.filePath(f), moved.filePath(f)));
        }
        MainWindow w;
        w.resize(1200, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        const SessionReport rep = loadSession(&w, moved.filePath("workspace.nrsession"));
        QCOMPARE(rep.error, QString());
        QVERIFY(rep.warnings.join('\n').contains("atanas2023_traces.csv"));
        QVERIFY(w.document().ofKind(nr::LayerKind::Traces).empty());
        QCOMPARE(w.document().ofKind(nr::LayerKind::Vessels).size(), size_t(1));
        QVERIFY(!w.document().ofKind(nr::LayerKind::Graph).empty());
    }

    void aFailedSaveKeepsThePreviousSession() {
        MainWindow w;
        QCOMPARE(w.openFilesBlocking({kData + "/neurons/swc/BG001.CNG.swc"}), QString());
        const QByteArray previous = readAll(session_);
        nr::setAtomicWriteHook([](const std::string&) { return false; });
        const QString err = saveSession(&w, session_);
        nr::setAtomicWriteHook(nullptr);
        QVERIFY(!err.isEmpty());
        QVERIFY(err.contains("workspace.nrsession"));
        QCOMPARE(readAll(session_), previous);
        for (const QString& f : QDir(dir_.path()).entryList(QDir::Files | QDir::Hidden))
            QVERIFY2(!f.startsWith(".workspace"), qPrintable(f)); // no temporary file left behind
    }

    void headlessFromASession() {
        // --screenshot of a session: the summary lists its layers.
        const QString png = dir_.filePath("shot.png");
        auto r = apptest::runApp({"--screenshot", png, "--size", "1200x800", session_});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.startsWith("session layers="), qPrintable(r.out));
        QVERIFY(QImage(png).width() == 1200);
        // export of one view.
        const QString fig = dir_.filePath("fig.png");
        r = apptest::runApp({"export", session_, "--view", "network", "--out", fig});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("session layers="));
        QVERIFY(!QImage(fig).isNull());
        // --save-session: a script makes a session from files and options.
        const QString made = dir_.filePath("made.nrsession");
        r = apptest::runApp({"--screenshot", dir_.filePath("m.png"), "--size", "1000x700",
                             dir_.filePath("example_nodes.csv"), dir_.filePath("example_edges.csv"),
                             "--radius", "3", "--save-session", made});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const auto s = nr::readSession(made.toStdString());
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().str().c_str());
        QCOMPARE(s.value().layers.size(), size_t(1));
        QCOMPARE(s.value().layers[0].kind, nr::LayerKind::Vessels);
        const nr::JsonValue* filter = s.value().layers[0].state.get("filter");
        QVERIFY(filter);
        QCOMPARE(filter->numberOr("minRadius", 0), 3.0);
    }
};

QTEST_MAIN(TestWorkspaceSession)
#include "test_workspace_session.moc"
