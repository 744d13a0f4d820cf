// TracePlot: heatmap cells carry the diverging colour map applied to the trace values (read back from
// pixels), colour bar ends, row orders, the time cursor and selection driven by the mouse, lanes of selected
// neurons and behaviour, export, and the real C. elegans recording.
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <memory>

#include "plots/TracePlot.h"
#include "traces/TraceFormats.h"

namespace {

std::unique_ptr<TracePlot> makePlot(QSize s = QSize(900, 500)) {
    auto p = std::make_unique<TracePlot>();
    p->setReadoutsVisible(false);
    p->resize(s);
    p->show();
    return p;
}

int colorDistance(const QColor& a, const QColor& b) {
    return std::abs(a.red() - b.red()) + std::abs(a.green() - b.green()) + std::abs(a.blue() - b.blue());
}

// 5 neurons x 40 frames at 2 Hz: value = (neuron - 2) * 0.5 + frame / 40, one NaN, a behaviour row.
std::shared_ptr<nr::Traces> smallTraces() {
    auto t = std::make_shared<nr::Traces>();
    t->names = {"RIML", "AVAL", "SMDVR", "AIBL", "VB02"};
    for (int k = 0; k < 40; ++k) t->time.push_back(0.5 * k);
    for (int i = 0; i < 5; ++i)
        for (int k = 0; k < 40; ++k) t->values.push_back(float((i - 2) * 0.5 + k / 40.0));
    t->values[3 * 40 + 7] = NAN;
    nr::BehaviourRow b{"velocity", {}};
    for (int k = 0; k < 40; ++k) b.values.push_back(float(std::sin(k / 3.0)));
    t->behaviour.push_back(b);
    t->countNaN();
    return t;
}

bool anyPixelNear(const QImage& img, const QRectF& r, const QColor& c, int tol) {
    for (int y = int(r.top()) + 1; y < int(r.bottom()); ++y)
        for (int x = int(r.left()) + 1; x < int(r.right()); ++x)
            if (colorDistance(img.pixelColor(x, y), c) <= tol) return true;
    return false;
}

} // namespace

class TestTracePlot : public QObject {
    Q_OBJECT
private slots:
    void heatmapPixelsAreTheColourMapOfTheValues() {
        auto p = makePlot();
        QVERIFY(QTest::qWaitForWindowExposed(p.get()));
        auto t = smallTraces();
        p->setColorLimit(1.5);
        p->setTraces(t);
        p->setRowOrder(TracePlot::RowOrder::Given);
        QCOMPARE(p->rows(), (std::vector<int>{0, 1, 2, 3, 4}));
        const QImage img = p->renderImage(p->size(), false);
        QVERIFY(!img.isNull());
        int checked = 0;
        for (int r = 0; r < 5; ++r)
            for (size_t k : {size_t(0), size_t(7), size_t(20), size_t(39)}) {
                const QRectF cell = p->cellRect(r, k);
                QVERIFY(cell.width() > 4 && cell.height() > 4);
                const QColor c = img.pixelColor(cell.center().toPoint());
                const float v = t->at(size_t(p->rows()[size_t(r)]), k);
                const QColor want = p->colorForValue(v);
                QVERIFY2(colorDistance(c, want) <= 6,
                         qPrintable(QStringLiteral("row %1 frame %2 value %3: %4 vs %5")
                                        .arg(r)
                                        .arg(k)
                                        .arg(double(v))
                                        .arg(c.name(), want.name())));
                ++checked;
            }
        QCOMPARE(checked, 20);
        // Colours for connectome nodes at the cursor: the same map, `missing` where a node has no trace.
        nr::NameJoin join = nr::joinNames(t->names, {"AVAL", "X", "VB2", "RIML"});
        const auto act = nr::activityAt(*t, join, 4, 7);
        QCOMPARE(act[0], t->at(1, 7));
        QVERIFY(std::isnan(act[1]));
        QCOMPARE(act[2], t->at(4, 7));
        const auto cols = p->colorsFor(act, Qt::black);
        QCOMPARE(cols[0], p->colorForValue(t->at(1, 7)));
        QCOMPARE(cols[1], QColor(Qt::black));
        QCOMPARE(cols[3], p->colorForValue(t->at(0, 7)));
        // NaN is grey; the map is diverging: low blue, 0 white, high red.
        QVERIFY(colorDistance(img.pixelColor(p->cellRect(3, 7).center().toPoint()), TracePlot::nanColor()) <=
                6);
        QVERIFY(p->colorForValue(-1.5).blue() > p->colorForValue(-1.5).red() + 50);
        QVERIFY(p->colorForValue(1.5).red() > p->colorForValue(1.5).blue() + 50);
        QVERIFY(colorDistance(p->colorForValue(0), QColor(0xf7, 0xf7, 0xf7)) <= 6);
        // Colour bar: red at the top, blue at the bottom, white in the middle.
        const QRectF bar = p->colorBarRect();
        QVERIFY(bar.left() > p->heatmapRect().right());
        const QColor top = img.pixelColor(QPointF(bar.center().x(), bar.top() + 2).toPoint());
        const QColor bottom = img.pixelColor(QPointF(bar.center().x(), bar.bottom() - 2).toPoint());
        const QColor mid = img.pixelColor(bar.center().toPoint());
        QVERIFY2(colorDistance(top, TracePlot::diverging(1)) < 24, qPrintable(top.name()));
        QVERIFY2(colorDistance(bottom, TracePlot::diverging(0)) < 24, qPrintable(bottom.name()));
        QVERIFY2(colorDistance(mid, TracePlot::diverging(0.5)) < 24, qPrintable(mid.name()));
        // Zooming into the first half doubles the cell width.
        const double w = p->cellRect(0, 0).width();
        p->setTimeRange(0, 10);
        QVERIFY(std::fabs(p->cellRect(0, 0).width() - 2 * w) < 0.5);
        const QImage zoomed = p->renderImage(p->size(), false);
        QVERIFY(colorDistance(zoomed.pixelColor(p->cellRect(4, 19).center().toPoint()),
                              p->colorForValue(t->at(4, 19))) <= 6);
    }

    void rowOrders() {
        auto p = makePlot();
        auto t = smallTraces();
        p->setTraces(t);
        p->setRowOrder(TracePlot::RowOrder::Name);
        QCOMPARE(p->rows(), (std::vector<int>{3, 1, 0, 2, 4})); // AIBL AVAL RIML SMDVR VB02
        p->setRowOrder(TracePlot::RowOrder::Given);
        p->setGivenOrder({4, 2});
        QCOMPARE(p->rows(), (std::vector<int>{4, 2, 3, 1, 0}));
        p->setCommunities({1, 0, 1, -1, 0});
        p->setRowOrder(TracePlot::RowOrder::Community);
        QCOMPARE(p->rows(), (std::vector<int>{1, 4, 0, 2, 3}));
        // Correlation clustering puts the two anti-correlated pairs' partners next to each other.
        auto c = std::make_shared<nr::Traces>();
        c->names = {"a", "b", "c", "d"};
        for (int k = 0; k < 50; ++k) c->time.push_back(k);
        for (int i = 0; i < 4; ++i)
            for (int k = 0; k < 50; ++k) {
                const double s = i % 2 == 0 ? std::sin(k / 4.0) : std::cos(k / 7.0);
                c->values.push_back(float(s + 0.01 * i));
            }
        p->setTraces(c);
        p->setRowOrder(TracePlot::RowOrder::Correlation);
        const auto& r = p->rows();
        QCOMPARE(r.size(), size_t(4));
        auto pos = [&](int n) { return int(std::find(r.begin(), r.end(), n) - r.begin()); };
        QCOMPARE(std::abs(pos(0) - pos(2)), 1);
        QCOMPARE(std::abs(pos(1) - pos(3)), 1);
    }

    void cursorAndSelectionFromTheMouse() {
        auto p = makePlot();
        QVERIFY(QTest::qWaitForWindowExposed(p.get()));
        auto t = smallTraces();
        p->setTraces(t);
        QSignalSpy cursor(p.get(), &TracePlot::cursorMoved);
        QSignalSpy sel(p.get(), &TracePlot::selectionChanged);
        p->setCursorTime(5.2);
        QCOMPARE(cursor.count(), 1);
        QCOMPARE(cursor.last().at(1).toULongLong(), qulonglong(10));
        QCOMPARE(p->cursorFrame(), size_t(10));
        // Click on row 2 at t = 12 s, then drag to t = 3 s.
        const QRectF h = p->heatmapRect();
        const QPoint press(int(p->xOfTime(12.0)), int(p->cellRect(2, 0).center().y()));
        QTest::mousePress(p.get(), Qt::LeftButton, Qt::NoModifier, press);
        QCOMPARE(sel.count(), 1);
        QCOMPARE(sel.last().at(0).value<QVector<int>>(), QVector<int>{p->rows()[2]});
        QVERIFY(std::fabs(p->cursorTime() - 12.0) < 0.1);
        QTest::mouseMove(p.get(), QPoint(int(p->xOfTime(3.0)), press.y()));
        QTest::mouseRelease(p.get(), Qt::LeftButton, Qt::NoModifier, QPoint(int(p->xOfTime(3.0)), press.y()));
        QVERIFY2(std::fabs(p->cursorTime() - 3.0) < 0.1, qPrintable(QString::number(p->cursorTime())));
        QVERIFY(std::fabs(cursor.last().at(0).toDouble() - p->cursorTime()) < 1e-12);
        // Ctrl-click adds a neuron; the lanes panel shows both traces and the behaviour row.
        QTest::mouseClick(p.get(), Qt::LeftButton, Qt::ControlModifier,
                          QPoint(int(h.center().x()), int(p->cellRect(4, 0).center().y())));
        QCOMPARE(p->selectedNeurons(), (std::vector<int>{p->rows()[2], p->rows()[4]}));
        const QRectF lines = p->linesRect();
        QVERIFY(!lines.isEmpty() && lines.top() > p->heatmapRect().bottom());
        const QImage img = p->renderImage(p->size(), false);
        QVERIFY(anyPixelNear(img, lines, TracePlot::categorical(0), 40));
        QVERIFY(anyPixelNear(img, lines, TracePlot::categorical(1), 40));
        // The cursor line is drawn at its time.
        const int cx = int(std::lround(p->xOfTime(p->cursorTime())));
        int dark = 0;
        for (int y = int(lines.top()) + 2; y < int(lines.bottom()) - 2; ++y)
            for (int dx = -1; dx <= 1; ++dx)
                if (img.pixelColor(cx + dx, y).lightness() < 90) {
                    ++dark;
                    break;
                }
        QVERIFY2(dark > int(lines.height() * 0.8), qPrintable(QString::number(dark)));
        // Programmatic selection of an unknown neuron is ignored.
        p->setSelectedNeurons({99});
        QVERIFY(p->selectedNeurons().empty());
        QVERIFY(p->linesRect().isEmpty());
    }

    void playbackMovesTheCursor() {
        auto p = makePlot();
        QVERIFY(QTest::qWaitForWindowExposed(p.get()));
        p->setTraces(smallTraces()); // 0 .. 19.5 s
        QSignalSpy cursor(p.get(), &TracePlot::cursorMoved);
        QSignalSpy playing(p.get(), &TracePlot::playingChanged);
        p->setCursorTime(2.0);
        p->play(10.0);
        QVERIFY(p->playing());
        QCOMPARE(playing.count(), 1);
        QTest::qWait(300);
        p->stop();
        QCOMPARE(playing.count(), 2);
        QCOMPARE(playing.last().at(0).toBool(), false);
        // About 3 s of recording in 0.3 s of wall clock (generous bounds for a loaded machine).
        QVERIFY2(p->cursorTime() > 2.0 + 1.0 && p->cursorTime() < 2.0 + 8.0,
                 qPrintable(QString::number(p->cursorTime())));
        QVERIFY(cursor.count() >= 3);
        // Times reported are increasing and match the frames.
        for (int i = 1; i < cursor.count(); ++i)
            QVERIFY(cursor.at(i).at(0).toDouble() > cursor.at(i - 1).at(0).toDouble());
        const double stopped = p->cursorTime();
        QTest::qWait(100);
        QCOMPARE(p->cursorTime(), stopped);
        // Playing runs out at the end of the recording and stops by itself.
        p->setCursorTime(19.0);
        p->play(50.0);
        QTRY_VERIFY_WITH_TIMEOUT(!p->playing(), 3000);
        QCOMPARE(p->cursorTime(), 19.5);
        QCOMPARE(p->cursorFrame(), size_t(39));
    }

    void exportsAndRealRecording() {
        auto p = makePlot(QSize(1000, 620));
        QVERIFY(QTest::qWaitForWindowExposed(p.get()));
        auto r = nr::readTracesWideCsv(std::string(NR_SHARED_DATA) + "/activity/atanas2023_traces.csv");
        QVERIFY(r.ok());
        auto t = std::make_shared<const nr::Traces>(std::move(r.value()));
        p->setTraces(t);
        p->setRowOrder(TracePlot::RowOrder::Correlation);
        QCOMPARE(p->rows().size(), size_t(98));
        p->setSelectedNeurons({int(t->find("AVAL")), int(t->find("AVAR")), int(t->find("RIBL"))});
        p->setCursorTime(300);
        QTemporaryDir dir;
        const QString png = dir.filePath("traces.png"), svg = dir.filePath("traces.svg");
        QVERIFY2(p->exportFigure(png, QSize(1600, 1000), 200, false), qPrintable(p->lastError()));
        QVERIFY2(p->exportFigure(svg, QSize(1600, 1000), 200, false), qPrintable(p->lastError()));
        QImage out(png);
        QCOMPARE(out.size(), QSize(1600, 1000));
        QFile f(svg);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray s = f.readAll();
        QVERIFY(s.contains("<image"));
        QVERIFY(s.contains("AVAL"));
        QVERIFY(s.count("<path") >= 3);
        // Cells of the real recording carry the colour of their value.
        const QImage img = p->renderImage(p->size(), false);
        for (int row : {0, 40, 97}) {
            const size_t k = 800;
            const QRectF cell = p->cellRect(row, k);
            const QColor c = img.pixelColor(cell.center().toPoint());
            // Cells are thinner than a pixel in time: compare with the value of the frame under that pixel.
            const size_t frame = t->frameAt(p->timeAt(cell.center().toPoint().x() + 0.5));
            const QColor want = p->colorForValue(t->at(size_t(p->rows()[size_t(row)]), frame));
            const QColor want2 = p->colorForValue(t->at(size_t(p->rows()[size_t(row)]), k));
            QVERIFY2(colorDistance(c, want) <= 30 || colorDistance(c, want2) <= 30,
                     qPrintable(c.name() + " " + want.name()));
        }
        if (qEnvironmentVariableIsSet("NR_TRACE_PLOT_PNG"))
            out.save(qEnvironmentVariable("NR_TRACE_PLOT_PNG"));
    }
};

QTEST_MAIN(TestTracePlot)
#include "test_trace_plot.moc"
