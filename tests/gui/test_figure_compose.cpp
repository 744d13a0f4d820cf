// Composed figures: the example figure written as SVG holds every label as text, the PDF has the page size in
// millimetres and the same bytes each time, PNG and TIFF have the pixel size and DPI, a figure saved in a
// session comes back and is written to the identical file, a panel whose layer was removed is named with the
// reason, bad figures in a session are refused with their line, and an interrupted write leaves nothing.
#include <QAbstractButton>
#include <QAbstractItemView>
#include <QAbstractSpinBox>
#include <QComboBox>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>
#include <cmath>
#include <set>
#include <tiffio.h>

#include "AppTestSupport.h"
#include "FigureComposer.h"
#include "FigureRender.h"
#include "MainWindow.h"
#include "Session.h"
#include "SimulationDock.h"
#include "WidgetShot.h"
#include "plots/PlotWidget.h"
#include "session/Session.h"

using apptest::readAll;
using apptest::svgTexts;

namespace {

// MediaBox of the first page in points.
QSizeF pdfMediaBox(const QByteArray& pdf) {
    static const QRegularExpression re(
        QStringLiteral("/MediaBox\\s*\\[\\s*([-0-9.]+)\\s+([-0-9.]+)\\s+([-0-9.]+)\\s+([-0-9.]+)\\s*\\]"));
    const auto m = re.match(QString::fromLatin1(pdf));
    if (!m.hasMatch()) return QSizeF();
    return QSizeF(m.captured(3).toDouble() - m.captured(1).toDouble(),
                  m.captured(4).toDouble() - m.captured(2).toDouble());
}

} // namespace

class TestFigureCompose : public QObject {
    Q_OBJECT

    std::vector<FigurePanelData> data_;
    nr::Figure example_;

private slots:
    void initTestCase() { example_ = exampleFigure(data_); }

    void exampleHasEveryPanel() {
        QCOMPARE(example_.panels.size(), size_t(4));
        QCOMPARE(figureProblems(example_, data_), QString());
        QVERIFY(data_[0].graph && data_[0].graph->nodeCount() > 1000);
        QVERIFY(data_[1].spikes && data_[1].spikes->size() > 1000);
        QCOMPARE(data_[2].n, 12);
        QCOMPARE(data_[2].matrix.size(), size_t(144));
        size_t total = 0;
        for (size_t c : data_[3].histogram.counts) total += c;
        QVERIFY(total > 19000); // a few of the 20000 radii fall beyond 15 µm
    }

    void svgHoldsEveryLabelAsText() {
        QTemporaryDir dir;
        const QString path = dir.filePath("fig.svg");
        FigureWriteStats st;
        QCOMPARE(writeFigure(example_, data_, path, 300, &st), QString());
        QCOMPARE(st.panels, 4);
        QString err;
        const std::set<QString> texts = svgTexts(path, &err);
        QVERIFY2(err.isEmpty(), qPrintable(err));
        auto has = [&](const QString& s) {
            if (!texts.count(s)) qWarning() << "missing text" << s;
            return texts.count(s) > 0;
        };
        // Panel letters.
        for (const char* letter : {"A", "B", "C", "D"}) QVERIFY(has(letter));
        // Raster: axis titles.
        QVERIFY(has("time (s)"));
        QVERIFY(has("rate (Hz)"));
        // Histogram: axis titles and every x tick label over its range, the y axis title.
        QVERIFY(has("vessel radius (µm)"));
        QVERIFY(has("count"));
        const std::vector<double> xt = PlotWidget::niceTicks(data_[3].histogram.lo, data_[3].histogram.hi, 3);
        QVERIFY(xt.size() >= 2);
        QVERIFY(has(PlotWidget::tickLabel(0, 5)));
        QVERIFY(has(PlotWidget::tickLabel(10, 5)));
        // RDM: the first condition's label, the colour bar's label.
        QVERIFY(has("40 ms"));
        QVERIFY(has("dissimilarity (1 − r)"));
        // 3-D key: one entry per class with its count, and the scale bar in µm.
        size_t e = 0, i = 0;
        const nr::Graph& g = *data_[0].graph;
        QCOMPARE(g.nodeClass.size(), g.nodeCount());
        for (const std::string& c : g.nodeClass) (c == "E" ? e : i)++;
        QVERIFY(has(QStringLiteral("E (%1)").arg(e)));
        QVERIFY(has(QStringLiteral("I (%1)").arg(i)));
        bool scale = false;
        for (const QString& s : texts)
            scale = scale || QRegularExpression("^[0-9.]+ µm$").match(s).hasMatch();
        QVERIFY2(scale, "no scale bar label");
        // No key label is elided, at print and at screen resolution (the composer's preview): every text of
        // the 3-D key is whole (the edge legend's labels are the longest).
        for (const int dpi : {300, 96}) {
            const QString at = dir.filePath(QStringLiteral("fig%1.svg").arg(dpi));
            QCOMPARE(writeFigure(example_, data_, at, dpi), QString());
            bool edges = false;
            for (const QString& s : svgTexts(at, &err)) {
                QVERIFY2(!s.endsWith(QChar(0x2026)),
                         qPrintable(QStringLiteral("%1 dpi: %2").arg(dpi).arg(s)));
                edges = edges || QRegularExpression("^excitatory edges \\([0-9]+\\)$").match(s).hasMatch();
            }
            QVERIFY(edges);
        }
    }

    void pdfPageSizeAndSameBytes() {
        QTemporaryDir dir;
        const QString a = dir.filePath("a.pdf"), b = dir.filePath("b.pdf");
        QCOMPARE(writeFigure(example_, data_, a, 300), QString());
        QTest::qWait(1100); // a timestamp would now differ
        QCOMPARE(writeFigure(example_, data_, b, 300), QString());
        const QByteArray pa = readAll(a), pb = readAll(b);
        QVERIFY(pa.startsWith("%PDF"));
        QVERIFY(pa == pb);
        const QSizeF mb = pdfMediaBox(pa);
        QVERIFY2(std::abs(mb.width() * 25.4 / 72 - example_.widthMm) < 0.2,
                 qPrintable(QString::number(mb.width())));
        QVERIFY(std::abs(mb.height() * 25.4 / 72 - example_.heightMm) < 0.2);
        // The text is text (a font is embedded), not outlines only.
        QVERIFY(pa.contains("/FontFile") || pa.contains("/Font"));
    }

    void pngAndTiffSizeAndDpi() {
        QTemporaryDir dir;
        const QString png = dir.filePath("f.png"), tif = dir.filePath("f.tif");
        QCOMPARE(writeFigure(example_, data_, png, 150), QString());
        const QImage img(png);
        QCOMPARE(img.size(), figurePixels(example_, 150));
        QCOMPARE(img.width(), int(std::lround(174 / 25.4 * 150)));
        QVERIFY(std::abs(img.dotsPerMeterX() * 0.0254 - 150) < 0.5);
        // The page is white and the panels drew something dark.
        QCOMPARE(img.pixel(1, 1), qRgb(255, 255, 255));
        QCOMPARE(writeFigure(example_, data_, dir.filePath("g.png"), 150), QString());
        QVERIFY(QImage(dir.filePath("g.png")) == img); // same pixels

        QCOMPARE(writeFigure(example_, data_, tif, 150), QString());
        TIFF* t = TIFFOpen(tif.toLocal8Bit().constData(), "r");
        QVERIFY(t);
        uint32_t w = 0, h = 0;
        float xres = 0;
        uint16_t unit = 0;
        TIFFGetField(t, TIFFTAG_IMAGEWIDTH, &w);
        TIFFGetField(t, TIFFTAG_IMAGELENGTH, &h);
        TIFFGetField(t, TIFFTAG_XRESOLUTION, &xres);
        TIFFGetField(t, TIFFTAG_RESOLUTIONUNIT, &unit);
        TIFFClose(t);
        QCOMPARE(int(w), img.width());
        QCOMPARE(int(h), img.height());
        QCOMPARE(unit, uint16_t(RESUNIT_INCH));
        QVERIFY(std::abs(xres - 150) < 0.5);
    }

    void absurdSizesAreRefused() {
        QTemporaryDir dir;
        const QString path = dir.filePath("x.png");
        QVERIFY(writeFigure(example_, data_, path, 5000, nullptr).contains("dpi is outside 72 to 2400"));
        nr::Figure big = example_;
        big.widthMm = 1000;
        QVERIFY(writeFigure(big, data_, path, 2400).contains("at most 16384 per side"));
        nr::Figure tiny = example_;
        tiny.widthMm = 2;
        QVERIFY(writeFigure(tiny, data_, path, 300).contains("outside 10 to 1000 mm"));
        QVERIFY(!QFile::exists(path));
    }

    void interruptedWriteLeavesNoFile() {
        QTemporaryDir dir;
        const QString path = dir.filePath("fig.pdf");
        nr::setAtomicWriteHook([](const std::string&) { return false; });
        const QString err = writeFigure(example_, data_, path, 300);
        nr::setAtomicWriteHook(nullptr);
        QVERIFY2(err.contains("fig.pdf"), qPrintable(err));
        QVERIFY(!QFile::exists(path));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 0);
    }

    void savedFigureReopensToTheSameFile() {
        QTemporaryDir dir;
        const QString session = dir.filePath("s.nrsession");
        const QString before = dir.filePath("before.pdf"), after = dir.filePath("after.pdf");
        nr::Figure f;
        {
            MainWindow w;
            w.resize(1200, 800);
            w.showDemo(false);
            const nr::Layer* g = w.document().current(nr::LayerKind::Graph);
            QVERIFY(g);
            f.name = "Fig 1";
            f.widthMm = 85;
            f.heightMm = 60;
            f.rows = 1;
            f.cols = 1;
            nr::FigurePanel p;
            p.view = nr::PanelView::Network;
            p.layer = g->id;
            p.colorBy = "layer";
            nr::FigurePanelCamera cam;
            cam.position = {0, -2500, 500};
            cam.focalPoint = {0, 0, 500};
            cam.viewUp = {0, 0, 1};
            p.camera = cam;
            f.panels.push_back(p);
            w.figures().push_back(f);
            QCOMPARE(writeFigure(f, figureDataFromDocument(f, w.document()), before, 300), QString());
            QCOMPARE(saveSession(&w, session), QString());
        }
        QVERIFY(readAll(session).contains("\"figures\""));
        MainWindow w2;
        w2.resize(1200, 800);
        const SessionReport rep = loadSession(&w2, session, OutsidePaths::Refuse);
        QVERIFY2(rep.error.isEmpty(), qPrintable(rep.error));
        QCOMPARE(w2.figures().size(), size_t(1));
        const nr::Figure& back = w2.figures()[0];
        QCOMPARE(back.name, f.name);
        QVERIFY(back.panels[0].camera.has_value());
        QCOMPARE(back.panels[0].colorBy, std::string("layer"));
        QCOMPARE(writeFigure(back, figureDataFromDocument(back, w2.document()), after, 300), QString());
        QVERIFY(readAll(before) == readAll(after));

        // The layer goes: the panel is named with the reason and nothing is written.
        w2.document().remove(back.panels[0].layer);
        const QString gone = dir.filePath("gone.pdf");
        const QString err = writeFigure(back, figureDataFromDocument(back, w2.document()), gone, 300);
        QVERIFY2(err.contains("panel A (network)") && err.contains("not in the workspace"), qPrintable(err));
        QVERIFY(!QFile::exists(gone));
    }

    void composerPreviewsAndMarksARemovedLayer() {
        MainWindow w;
        w.resize(1200, 800);
        w.showDemo(true); // the simulation runs
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        const nr::Layer* g = w.document().current(nr::LayerKind::Graph);
        QVERIFY(g);
        const nr::LayerId graphId = g->id;
        QElapsedTimer t;
        t.start();
        const nr::Layer* sim = nullptr;
        while (t.elapsed() < 20000) {
            sim = w.document().current(nr::LayerKind::Simulation);
            if (sim && sim->spikes && sim->spikes->size() > 1000) break;
            QTest::qWait(100);
        }
        QVERIFY(sim && sim->spikes && sim->spikes->size() > 1000);
        auto* c = new FigureComposer(&w);
        c->show();
        QVERIFY(QTest::qWaitForWindowExposed(c));
        c->resize(1024, 700);
        c->setCell(0, 0, 0, graphId); // network
        c->setCell(0, 1, 1, sim->id); // raster of the running simulation
        c->refresh();
        QCOMPARE(c->figure().panels.size(), size_t(2));
        QCOMPARE(w.figures().size(), size_t(1));
        QCOMPARE(w.figures()[0].panels.size(), size_t(2));
        const int dpi = std::max(72, c->logicalDpiX());
        QCOMPARE(c->previewImage().size(), figurePixels(c->figure(), dpi));
        QCOMPARE(c->size(), QSize(1024, 700));
        nrtest::shot(c, "figure_composer");
        // The simulation goes on; the preview is a snapshot until the next refresh.
        const QImage frozen = c->previewImage();
        QTest::qWait(600);
        QVERIFY(c->previewImage() == frozen);
        // Live: the preview follows the running simulation.
        c->setLive(true);
        QTRY_VERIFY_WITH_TIMEOUT(c->previewImage() != frozen, 5000);
        c->setLive(false);
        // The raster spans both rows of its column.
        c->setSpan(0, 1, 2, 1);
        QCOMPARE(c->figure().panels.size(), size_t(2));
        QCOMPARE(c->figure().panels[1].rowSpan, 2);
        QCOMPARE(QString::fromStdString(nr::checkFigure(c->figure())), QString());
        // A layer dropped on the empty cell at the bottom left shows there in its view.
        c->refresh();
        QWidget* pw = c->previewWidget();
        const QSize img = c->previewImage().size();
        const QPoint origin((pw->width() - img.width()) / 2, (pw->height() - img.height()) / 2);
        const QPoint at = origin + QPoint(img.width() / 4, img.height() * 3 / 4);
        QMimeData mime;
        mime.setData(QStringLiteral("application/x-neurorama-layer-id"),
                     QByteArray::number(qulonglong(graphId)));
        QDragEnterEvent enter(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(pw, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(at), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(pw, &drop);
        QVERIFY(drop.isAccepted());
        QCOMPARE(c->figure().panels.size(), size_t(3));
        QCOMPARE(c->figure().panels[2].row, 1);
        QCOMPARE(c->figure().panels[2].col, 0);
        QCOMPARE(c->figure().panels[2].view, nr::PanelView::Network);
        QCOMPARE(c->figure().panels[2].layer, uint64_t(graphId));
        c->refresh();
        nrtest::shot(c, "figure_composer_spans");
        // Closed and reopened from File > Open Figure: the same figure.
        const std::string name = c->figure().name;
        const nr::Figure kept = c->figure();
        c->close();
        QTRY_VERIFY(w.findChildren<FigureComposer*>().isEmpty());
        c = w.openFigure(QString::fromStdString(name));
        QVERIFY(QTest::qWaitForWindowExposed(c));
        QCOMPARE(nr::writeJson(nr::figureJson(c->figure())), nr::writeJson(nr::figureJson(kept)));
        QCOMPARE(w.openFigure(QString::fromStdString(name)), c); // raised, not opened twice
        // The network layer goes: the panel says so.
        w.document().remove(graphId);
        c->refresh();
        const QString problems =
            figureProblems(c->figure(), figureDataFromDocument(c->figure(), w.document()));
        QVERIFY2(problems.contains("panel A (network)") && problems.contains("not in the workspace"),
                 qPrintable(problems));
        bool shown = false;
        for (QLabel* l : c->findChildren<QLabel*>()) shown = shown || l->text().contains("panel A (network)");
        QVERIFY(shown);
        w.simulationDock()->pause();
        c->close();
    }

    // Ctrl+Shift+F opens a composer; every control in it says what it does.
    void newFigureShortcutAndTooltips() {
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&w));
        QVERIFY(w.findChildren<FigureComposer*>().isEmpty());
        QTest::keyClick(&w, Qt::Key_F, Qt::ControlModifier | Qt::ShiftModifier);
        QTRY_COMPARE(w.findChildren<FigureComposer*>().size(), qsizetype(1));
        FigureComposer* c = w.findChildren<FigureComposer*>().first();
        QVERIFY(QTest::qWaitForWindowExposed(c));
        int controls = 0;
        QStringList bare;
        for (QWidget* x : c->findChildren<QWidget*>()) {
            // Parts of other controls (a spin box's line edit, a table's corner button) are not controls.
            const bool inner = qobject_cast<QAbstractSpinBox*>(x->parentWidget()) ||
                               qobject_cast<QComboBox*>(x->parentWidget()) ||
                               qobject_cast<QAbstractItemView*>(x->parentWidget());
            const bool control = qobject_cast<QAbstractSpinBox*>(x) || qobject_cast<QComboBox*>(x) ||
                                 qobject_cast<QAbstractButton*>(x) || (qobject_cast<QLineEdit*>(x) && !inner);
            if (!control || inner) continue;
            ++controls;
            if (x->toolTip().isEmpty())
                bare << QStringLiteral("%1 \"%2\"")
                            .arg(QString::fromLatin1(x->metaObject()->className()),
                                 x->property("text").toString());
        }
        QVERIFY2(controls >= 12, qPrintable(QString::number(controls)));
        QVERIFY2(bare.isEmpty(), qPrintable(bare.join(", ")));
        c->close();
    }

    void badFiguresInASessionAreRefusedWithTheirLine() {
        auto parse = [](const std::string& figures) {
            const std::string text =
                "{\n\"format\": \"neurorama-session\",\n\"version\": 2,\n\"figures\": " + figures + "\n}\n";
            auto r = nr::parseSession(text, "/tmp/s.nrsession");
            return r.ok() ? std::string() : r.error().str();
        };
        QCOMPARE(parse("[]"), std::string());
        QCOMPARE(parse("[{\"name\": \"F\", \"widthMm\": 85, \"heightMm\": 50}]"), std::string());
        const std::string overlap = parse(
            "[{\"name\": \"F\", \"widthMm\": 85, \"heightMm\": 50, \"rows\": 1, \"cols\": 2, \"panels\": [\n"
            "{\"view\": \"raster\", \"row\": 0, \"col\": 0, \"colSpan\": 2},\n"
            "{\"view\": \"rdm\", \"row\": 0, \"col\": 1}]}]");
        QVERIFY2(overlap.find("panel B overlaps panel A") != std::string::npos, overlap.c_str());
        QVERIFY(overlap.rfind("/tmp/s.nrsession:4:", 0) == 0);
        const std::string view = parse("[{\"name\": \"F\", \"widthMm\": 85, \"heightMm\": 50, \"panels\": [\n"
                                       "{\"view\": \"pie\", \"row\": 0, \"col\": 0}]}]");
        QVERIFY2(view.rfind("/tmp/s.nrsession:5:", 0) == 0 &&
                     view.find("\"pie\" is not one of") != std::string::npos,
                 view.c_str());
        const std::string width = parse("[{\"name\": \"F\", \"widthMm\": 5000, \"heightMm\": 50}]");
        QVERIFY2(width.find("widthMm must be between 10 and 1000") != std::string::npos, width.c_str());
        const std::string twice = parse("[{\"name\": \"F\", \"widthMm\": 85, \"heightMm\": 50},\n"
                                        "{\"name\": \"F\", \"widthMm\": 85, \"heightMm\": 50}]");
        QVERIFY2(twice.find("a second figure named \"F\"") != std::string::npos, twice.c_str());
        // Written and read back, a figure is the same.
        nr::Figure f;
        f.name = "G";
        f.panels.push_back({});
        f.panels[0].settings.set("bins", 20.0);
        auto back = nr::parseFigures(nr::figuresJson({f}), "x");
        QVERIFY(back.ok());
        QCOMPARE(nr::writeJson(nr::figuresJson(back.value())), nr::writeJson(nr::figuresJson({f})));
    }
};

QTEST_MAIN(TestFigureCompose)
#include "test_figure_compose.moc"
