// RasterPlot: incremental GPU upload, dots where the spikes are, row order, follow mode, selection, hover,
// rate per bin, a million spikes per frame, and figure export (SVG, PDF, PNG with DPI).
#include <QElapsedTimer>
#include <QFile>
#include <QImageReader>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <tiffio.h>

#include "plots/RasterPlot.h"

namespace {

bool isDark(QRgb c) {
    return qGray(c) < 110;
}

// Whether any pixel within `r` pixels of p is dark.
bool darkNear(const QImage& img, QPointF p, int r = 2) {
    const int cx = int(std::floor(p.x())), cy = int(std::floor(p.y()));
    for (int y = cy - r; y <= cy + r; ++y)
        for (int x = cx - r; x <= cx + r; ++x)
            if (x >= 0 && y >= 0 && x < img.width() && y < img.height() && isDark(img.pixel(x, y)))
                return true;
    return false;
}

std::unique_ptr<RasterPlot> makePlot(QSize s = QSize(800, 400)) {
    auto p = std::make_unique<RasterPlot>();
    p->setReadoutsVisible(false);
    p->resize(s);
    p->show();
    return p;
}

int countOf(const QByteArray& hay, const QByteArray& needle) {
    int n = 0;
    for (int i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + 1)) ++n;
    return n;
}

} // namespace

class TestRasterPlot : public QObject {
    Q_OBJECT
private slots:
    void appendUploadsIncrementally();
    void dotsAppearAtMappedPositions();
    void rowOrderMovesRows();
    void followModeScrolls();
    void rubberBandSelectsRows();
    void hoverFindsNeuronAndTime();
    void rateEqualsHandCount();
    void recordedDatasetIsSortedAndFramed();
    void overviewImageMatchesPoints();
    void millionSpikesRenderInBoundedTime();
    void svgMergesSpikesOnTheSameCell();
    void pdfAndPngExports();
};

void TestRasterPlot::appendUploadsIncrementally() {
    auto p = makePlot();
    QVERIFY(QTest::qWaitForWindowExposed(p.get()));
    p->setNeuronCount(100);
    std::vector<nr::SpikeEvent> all;
    const size_t batch = 10000;
    for (int b = 0; b < 10; ++b) {
        std::vector<nr::SpikeEvent> ev(batch);
        for (size_t i = 0; i < batch; ++i) {
            const size_t k = b * batch + i;
            ev[i] = {k * 1e-4, uint32_t((k * 7) % 100)};
        }
        p->appendSpikes(ev.data(), ev.size());
        all.insert(all.end(), ev.begin(), ev.end());
        QCOMPARE(p->spikeCount(), (b + 1) * batch);
        // Appending only stores; the upload happens with the next frame.
        QCOMPARE(p->uploadedCount(), b * batch);
        QVERIFY(!p->renderImage(QSize(200, 100), false).isNull());
        QCOMPARE(p->uploadedCount(), (b + 1) * batch);
    }
    QCOMPARE(p->gpuChunkCount(), size_t((100000 + RasterPlot::kChunkSpikes - 1) / RasterPlot::kChunkSpikes));
    // Read back across the chunk boundary and compare with what was appended.
    const size_t first = RasterPlot::kChunkSpikes - 5;
    const auto back = p->readBackSpikes(first, 10);
    QCOMPARE(back.size(), size_t(10));
    for (size_t i = 0; i < back.size(); ++i) {
        QCOMPARE(back[i].neuron, all[first + i].neuron);
        QVERIFY2(std::abs(back[i].t - all[first + i].t) < 1e-5, qPrintable(QString::number(back[i].t)));
    }
}

void TestRasterPlot::dotsAppearAtMappedPositions() {
    auto p = makePlot();
    QVERIFY(QTest::qWaitForWindowExposed(p.get()));
    p->setNeuronCount(50);
    p->setTimeRange(0, 1);
    const nr::SpikeEvent ev[] = {{0.25, 10}, {0.5, 25}, {0.75, 40}};
    p->appendSpikes(ev, 3);
    const QImage img = p->renderImage(p->size(), false);
    QCOMPARE(img.size(), p->size());
    for (const auto& e : ev) {
        const QPointF at = p->mapToWidget(e.t, e.neuron);
        QVERIFY(p->rasterRect().contains(at));
        QVERIFY2(darkNear(img, at), qPrintable(QStringLiteral("no dot at %1,%2").arg(at.x()).arg(at.y())));
    }
    // Same times on other rows, same rows at other times: background only.
    const nr::SpikeEvent empty[] = {{0.25, 40}, {0.5, 10}, {0.75, 25}, {0.4, 25}, {0.6, 10}};
    for (const auto& e : empty)
        QVERIFY2(!darkNear(img, p->mapToWidget(e.t, e.neuron)), qPrintable(QString::number(e.t)));
    QCOMPARE(p->drawnCount(), size_t(3));
}

void TestRasterPlot::rowOrderMovesRows() {
    auto p = makePlot();
    QVERIFY(QTest::qWaitForWindowExposed(p.get()));
    p->setNeuronCount(50);
    p->setTimeRange(0, 1);
    const nr::SpikeEvent ev[] = {{0.3, 10}, {0.6, 30}};
    p->appendSpikes(ev, 2);
    const QPointF before = p->mapToWidget(0.3, 10);
    std::vector<uint32_t> order(50);
    for (uint32_t i = 0; i < 50; ++i) order[i] = 49 - i; // reversed: neuron 10 -> row 39
    QVERIFY(p->setRowOrder(order));
    const QPointF after = p->mapToWidget(0.3, 10);
    QVERIFY(std::abs(after.y() - before.y()) > 50);
    const QImage img = p->renderImage(p->size(), false);
    QVERIFY(darkNear(img, after));
    QVERIFY(!darkNear(img, before));
    QVERIFY(darkNear(img, p->mapToWidget(0.6, 30)));
    // Not a permutation: refused, order kept.
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression("setRowOrder: row 0 is out of range or repeated"));
    QVERIFY(!p->setRowOrder({0, 0, 1}));
    QCOMPARE(p->rowOrder()[10], uint32_t(39));
}

void TestRasterPlot::followModeScrolls() {
    auto p = makePlot();
    QVERIFY(QTest::qWaitForWindowExposed(p.get()));
    p->setNeuronCount(20);
    p->setWindowSeconds(0.5);
    p->setFollow(true);
    double t = 0;
    for (int step = 0; step < 40; ++step) {
        std::vector<nr::SpikeEvent> ev;
        for (int k = 0; k < 5; ++k) ev.push_back({t += 0.02, uint32_t((step + k) % 20)});
        p->appendSpikes(ev.data(), ev.size());
        if (t > 0.5) {
            QCOMPARE(p->timeEnd(), p->newestTime());
            QVERIFY(std::abs(p->timeStart() - (p->newestTime() - 0.5)) < 1e-12);
        }
    }
    QVERIFY(p->newestTime() > 3.9);
    // The newest spike is drawn at the right edge of the raster.
    const QImage img = p->renderImage(p->size(), false);
    const QPointF newest = p->mapToWidget(p->newestTime(), uint32_t((39 + 4) % 20));
    QVERIFY(std::abs(newest.x() - p->rasterRect().right()) < 1.0);
    QVERIFY(darkNear(img, newest));
    // Spikes older than the window are off screen.
    QVERIFY(p->drawnCount() < 40);
    // Panning in time leaves follow mode.
    QSignalSpy spy(p.get(), &RasterPlot::followChanged);
    const QPoint c = p->rasterRect().center().toPoint();
    QTest::mousePress(p.get(), Qt::LeftButton, Qt::NoModifier, c);
    QTest::mouseMove(p.get(), c + QPoint(-60, 0));
    QTest::mouseRelease(p.get(), Qt::LeftButton, Qt::NoModifier, c + QPoint(-60, 0));
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toBool(), false);
    QVERIFY(p->timeEnd() > p->newestTime());
}

void TestRasterPlot::rubberBandSelectsRows() {
    auto p = makePlot();
    QVERIFY(QTest::qWaitForWindowExposed(p.get()));
    p->setNeuronCount(20);
    p->setTimeRange(0, 1);
    QSignalSpy spy(p.get(), &RasterPlot::neuronsSelected);
    const QPoint a = p->mapToWidget(0.2, 5).toPoint();
    const QPoint b = p->mapToWidget(0.4, 8).toPoint();
    QTest::mousePress(p.get(), Qt::LeftButton, Qt::ShiftModifier, a);
    QTest::mouseMove(p.get(), (a + b) / 2);
    QTest::mouseRelease(p.get(), Qt::LeftButton, Qt::ShiftModifier, b);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).value<QVector<uint32_t>>(), (QVector<uint32_t>{5, 6, 7, 8}));
    QCOMPARE(p->selectedNeurons(), (std::vector<uint32_t>{5, 6, 7, 8}));

    // With a permuted order the band selects the neurons drawn on those rows.
    std::vector<uint32_t> order(20);
    for (uint32_t i = 0; i < 20; ++i) order[i] = (i + 10) % 20; // neuron n on row n+10 mod 20
    QVERIFY(p->setRowOrder(order));
    QCOMPARE(p->neuronsInRect(QRectF(a, b)), (QVector<uint32_t>{15, 16, 17, 18}));
    // A highlighted row is drawn as a band (non-background pixels on an otherwise empty row).
    p->setSelectedNeurons({3});
    const QImage img = p->renderImage(p->size(), false);
    const QPointF row3 = p->mapToWidget(0.5, 3);
    QVERIFY(img.pixel(row3.toPoint()) != img.pixel(p->mapToWidget(0.5, 4).toPoint()));
}

void TestRasterPlot::hoverFindsNeuronAndTime() {
    auto p = makePlot();
    QVERIFY(QTest::qWaitForWindowExposed(p.get()));
    p->setNeuronCount(30);
    p->setTimeRange(0, 2);
    p->setNeuronNames(QStringList() << "n0"
                                    << "n1"
                                    << "n2"
                                    << "AVAL");
    const nr::SpikeEvent ev[] = {{0.5, 3}, {0.52, 4}, {1.5, 20}};
    p->appendSpikes(ev, 3);
    RasterPlot::Hit h = p->hitTest(p->mapToWidget(1.5, 20) + QPointF(1, 1));
    QVERIFY(h.valid);
    QCOMPARE(h.neuron, uint32_t(20));
    QCOMPARE(h.t, 1.5);
    h = p->hitTest(p->mapToWidget(0.52, 4) + QPointF(0, -1));
    QVERIFY(h.valid);
    QCOMPARE(h.neuron, uint32_t(4));
    QVERIFY(!p->hitTest(p->mapToWidget(1.0, 10)).valid);
    QSignalSpy spy(p.get(), &RasterPlot::spikeHovered);
    QTest::mouseMove(p.get(), p->mapToWidget(0.5, 3).toPoint());
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).value<uint32_t>(), uint32_t(3));
    QVERIFY(p->hoverText().contains("AVAL"));
    QVERIFY(p->hoverText().contains("0.5000"));
}

void TestRasterPlot::rateEqualsHandCount() {
    auto p = makePlot();
    QVERIFY(QTest::qWaitForWindowExposed(p.get()));
    p->setNeuronCount(10);
    p->setRateBinWidth(0.005);
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> ut(0.0, 0.1);
    std::vector<nr::SpikeEvent> ev(2000);
    for (auto& e : ev) e = {ut(rng), uint32_t(rng() % 10)};
    std::sort(ev.begin(), ev.end(), [](auto& a, auto& b) { return a.t < b.t; });
    // Appended in uneven pieces, as frames would deliver them.
    size_t done = 0;
    for (size_t piece : {1, 7, 300, 92, 1600}) {
        p->appendSpikes(ev.data() + done, piece);
        done += piece;
    }
    QCOMPARE(done, ev.size());
    for (double w : {0.005, 0.01}) {
        p->setRateBinWidth(w);
        const std::vector<double> r = p->rateHz();
        const long long first = (long long)std::floor(ev.front().t / w);
        QVERIFY(std::abs(p->rateBinStart() - first * w) < 1e-12);
        std::vector<int> hand(r.size(), 0);
        for (const auto& e : ev) {
            const long long b = (long long)std::floor(e.t / w) - first;
            QVERIFY(b >= 0 && b < (long long)hand.size());
            ++hand[size_t(b)];
        }
        for (size_t i = 0; i < r.size(); ++i) QCOMPARE(r[i], hand[i] / (w * 10));
    }
    // The rate line is drawn in the strip.
    p->setTimeRange(0, 0.1);
    const QImage img = p->renderImage(p->size(), false);
    const QRect strip = p->rateRect().toRect().adjusted(2, 2, -2, -2);
    int coloured = 0;
    for (int y = strip.top(); y <= strip.bottom(); ++y)
        for (int x = strip.left(); x <= strip.right(); ++x) {
            const QColor c = img.pixelColor(x, y);
            if (c.blue() > c.red() + 40) ++coloured;
        }
    QVERIFY2(coloured > 100, qPrintable(QString::number(coloured)));
}

void TestRasterPlot::recordedDatasetIsSortedAndFramed() {
    auto p = makePlot();
    QVERIFY(QTest::qWaitForWindowExposed(p.get()));
    p->setFollow(true);
    nr::SpikeTrains s;
    s.unitIds = {100, 101, 102};
    s.unitLabels = {"a", "b", "c"};
    s.tStart = 1;
    s.tStop = 5;
    s.add(3.0, 2);
    s.add(1.5, 0);
    s.add(4.5, 1);
    p->setSpikes(s);
    QVERIFY(!p->follow());
    QCOMPARE(p->spikeCount(), size_t(3));
    QCOMPARE(p->neuronCount(), uint32_t(3));
    QCOMPARE(p->timeStart(), 1.0);
    QCOMPARE(p->timeEnd(), 5.0);
    p->renderImage(QSize(100, 60), false);
    const auto back = p->readBackSpikes(0, 3);
    QCOMPARE(back.size(), size_t(3));
    QCOMPARE(back[0].neuron, uint32_t(0));
    QCOMPARE(back[1].neuron, uint32_t(2));
    QCOMPARE(back[2].neuron, uint32_t(1));
    QVERIFY(std::abs(back[2].t - 4.5) < 1e-6);
}

void TestRasterPlot::overviewImageMatchesPoints() {
    auto p = makePlot();
    QVERIFY(QTest::qWaitForWindowExposed(p.get()));
    p->setNeuronCount(200);
    std::vector<uint32_t> colors(200);
    for (uint32_t i = 0; i < 200; ++i) colors[i] = i < 160 ? qRgb(31, 119, 180) : qRgb(214, 39, 40);
    p->setNeuronColors(colors);
    std::mt19937 rng(3);
    std::vector<nr::SpikeEvent> ev(20000);
    for (size_t i = 0; i < ev.size(); ++i) ev[i] = {2.0 * double(i) / ev.size(), uint32_t(rng() % 200)};
    p->appendSpikes(ev.data(), ev.size());
    p->setTimeRange(0, 2);
    p->setOverviewThreshold(1e9);
    const QImage points = p->renderImage(p->size(), false);
    QVERIFY(!p->lastFrameUsedOverview());
    p->setOverviewThreshold(1e-6);
    const QImage overview = p->renderImage(p->size(), false);
    QVERIFY(p->lastFrameUsedOverview());
    // NR_PLOTS_SAVE_DIR keeps the pictures for a look.
    if (qEnvironmentVariableIsSet("NR_PLOTS_SAVE_DIR")) {
        const QString d = qEnvironmentVariable("NR_PLOTS_SAVE_DIR");
        points.save(d + "/raster_points.png");
        overview.save(d + "/raster_overview.png");
    }
    const QRect r = p->rasterRect().toRect();
    long differ = 0, blue = 0, red = 0;
    for (int y = r.top(); y < r.bottom(); ++y)
        for (int x = r.left() + 1; x < r.right(); ++x) {
            const QColor a = points.pixelColor(x, y), b = overview.pixelColor(x, y);
            if (std::abs(a.red() - b.red()) + std::abs(a.green() - b.green()) +
                    std::abs(a.blue() - b.blue()) >
                30)
                ++differ;
            if (b.blue() > 150 && b.red() < 60) ++blue;
            if (b.red() > 180 && b.blue() < 60) ++red;
        }
    const long area = long(r.width()) * r.height();
    QVERIFY2(differ < area / 200, qPrintable(QStringLiteral("%1 of %2").arg(differ).arg(area)));
    // Excitatory rows blue, inhibitory red, in proportion.
    QVERIFY(blue > 2 * red && red > 1000);
}

void TestRasterPlot::millionSpikesRenderInBoundedTime() {
    auto p = makePlot();
    QVERIFY(QTest::qWaitForWindowExposed(p.get()));
    const uint32_t neurons = 1000;
    const size_t n = 1000000;
    p->setNeuronCount(neurons);
    std::mt19937 rng(1);
    std::vector<nr::SpikeEvent> ev(n);
    for (size_t i = 0; i < n; ++i) ev[i] = {10.0 * double(i) / n, uint32_t(rng() % neurons)};
    QElapsedTimer t;
    t.start();
    for (size_t i = 0; i < n; i += 50000) p->appendSpikes(ev.data() + i, std::min<size_t>(50000, n - i));
    const double appendMs = t.nsecsElapsed() / 1e6;
    p->setTimeRange(0, 10);
    p->renderImage(QSize(800, 400), false); // uploads
    QCOMPARE(p->uploadedCount(), n);
    std::vector<double> ms;
    for (int k = 0; k < 5; ++k) {
        p->setTimeRange(0.001 * k, 10 + 0.001 * k); // a new view each frame, as when following a simulation
        t.restart();
        const QImage img = p->renderImage(QSize(800, 400), false);
        ms.push_back(t.nsecsElapsed() / 1e6);
        QVERIFY(!img.isNull());
    }
    std::sort(ms.begin(), ms.end());
    QVERIFY(p->drawnCount() > n - 1000 && p->drawnCount() <= n);
    // On-screen frames too.
    t.restart();
    for (int k = 0; k < 5; ++k) {
        p->setTimeRange(0.002 * k, 10 + 0.002 * k);
        p->repaint();
    }
    const double screenMs = t.nsecsElapsed() / 1e6 / 5;
    qInfo("append 1e6 spikes %.1f ms, render 800x400 median %.1f ms, screen frame %.1f ms (cpu %.1f)",
          appendMs, ms[2], screenMs, p->lastFrameMs());
    QVERIFY2(ms[2] < 200, qPrintable(QString::number(ms[2])));
    QVERIFY2(screenMs < 200, qPrintable(QString::number(screenMs)));
    QVERIFY(p->lastFrameUsedOverview());
    // Zoomed in, only the chunks and spike ranges in view are drawn, one point each.
    p->setTimeRange(5.0, 5.1);
    t.restart();
    p->renderImage(QSize(800, 400), false);
    const double zoomMs = t.nsecsElapsed() / 1e6;
    QVERIFY(!p->lastFrameUsedOverview());
    QVERIFY(p->drawnCount() > 9000 && p->drawnCount() < 11000);
    QVERIFY2(zoomMs < 200, qPrintable(QString::number(zoomMs)));
}

void TestRasterPlot::svgMergesSpikesOnTheSameCell() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    auto p = makePlot();
    QVERIFY(QTest::qWaitForWindowExposed(p.get()));
    p->setNeuronCount(10);
    p->setTimeRange(0, 1);
    p->setRateVisible(false);
    auto rects = [&](const QString& name) {
        const QString path = dir.filePath(name);
        if (!p->exportFigure(path, QSize(800, 400), 96, false)) return -1;
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly)) return -2;
        const QByteArray svg = f.readAll();
        if (!svg.contains("<svg")) return -3;
        return countOf(svg, "<rect");
    };
    const int base = rects("empty.svg");
    QVERIFY(base >= 0);
    const nr::SpikeEvent five[] = {{0.1, 1}, {0.3, 3}, {0.5, 5}, {0.7, 7}, {0.9, 9}};
    p->appendSpikes(five, 5);
    QCOMPARE(rects("five.svg"), base + 5);
    // A sixth spike a tenth of a pixel from the first one falls on the same cell.
    const nr::SpikeEvent close[] = {{0.1 + 0.1 / 800, 1}};
    p->appendSpikes(close, 1);
    QCOMPARE(rects("six.svg"), base + 5);
    const nr::SpikeEvent apart[] = {{0.2, 1}};
    p->appendSpikes(apart, 1);
    QCOMPARE(rects("seven.svg"), base + 6);
    // Unknown extension: refused with the path in the message.
    QVERIFY(!p->exportFigure(dir.filePath("x.bmpx"), QSize(100, 100), 96, false));
    QVERIFY(p->lastError().contains("x.bmpx"));
}

void TestRasterPlot::pdfAndPngExports() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    auto p = makePlot();
    QVERIFY(QTest::qWaitForWindowExposed(p.get()));
    p->setNeuronCount(10);
    p->setTimeRange(0, 1);
    const nr::SpikeEvent ev[] = {{0.5, 5}};
    p->appendSpikes(ev, 1);
    const QString pdf = dir.filePath("r.pdf");
    QVERIFY2(p->exportFigure(pdf, QSize(1600, 800), 300, false), qPrintable(p->lastError()));
    QFile f(pdf);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(f.read(4) == "%PDF");
    QVERIFY(f.size() > 1000);
    const QString png = dir.filePath(QStringLiteral("r.png"));
    // Font size 0: the widget's own layout, scaled (the default sets the text to 7 pt instead).
    QVERIFY2(p->exportFigure(png, QSize(1600, 800), 300, false, 0), qPrintable(p->lastError()));
    QImageReader reader(png);
    const QImage img = reader.read();
    QVERIFY(!img.isNull());
    QCOMPARE(img.size(), QSize(1600, 800));
    QVERIFY2(std::abs(img.dotsPerMeterX() - 11811) <= 1, qPrintable(QString::number(img.dotsPerMeterX())));
    QVERIFY(std::abs(img.dotsPerMeterY() - 11811) <= 1);
    // The spike is in the picture at twice the widget scale.
    QVERIFY(darkNear(img, p->mapToWidget(0.5, 5) * 2.0, 3));
    // TIFF: size and resolution tags, and the same dark pixel.
    const QString tifPath = dir.filePath(QStringLiteral("r.tif"));
    QVERIFY2(p->exportFigure(tifPath, QSize(1600, 800), 300, false, 0), qPrintable(p->lastError()));
    TIFF* tif = TIFFOpen(QFile::encodeName(tifPath).constData(), "r");
    QVERIFY(tif);
    uint32_t w = 0, h = 0;
    float xres = 0, yres = 0;
    uint16_t unit = 0;
    TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &w);
    TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &h);
    TIFFGetField(tif, TIFFTAG_XRESOLUTION, &xres);
    TIFFGetField(tif, TIFFTAG_YRESOLUTION, &yres);
    TIFFGetField(tif, TIFFTAG_RESOLUTIONUNIT, &unit);
    std::vector<uint32_t> raster(size_t(w) * h);
    const bool read = TIFFReadRGBAImageOriented(tif, w, h, raster.data(), ORIENTATION_TOPLEFT, 0);
    TIFFClose(tif);
    QCOMPARE(w, uint32_t(1600));
    QCOMPARE(h, uint32_t(800));
    QCOMPARE(xres, 300.f);
    QCOMPARE(yres, 300.f);
    QCOMPARE(unit, uint16_t(RESUNIT_INCH));
    QVERIFY(read);
    const QPoint spike = (p->mapToWidget(0.5, 5) * 2.0).toPoint();
    bool dark = false;
    for (int y = spike.y() - 3; y <= spike.y() + 3; ++y)
        for (int x = spike.x() - 3; x <= spike.x() + 3; ++x) {
            const uint32_t px = raster[size_t(y) * w + size_t(x)];
            dark = dark || qGray(int(TIFFGetR(px)), int(TIFFGetG(px)), int(TIFFGetB(px))) < 110;
        }
    QVERIFY(dark);
    // Transparent PNG keeps alpha 0 in the background.
    const QString tp = dir.filePath("t.png");
    QVERIFY(p->exportFigure(tp, QSize(800, 400), 150, true));
    const QImage t(tp);
    QVERIFY(t.hasAlphaChannel());
    QCOMPARE(qAlpha(t.pixel(p->rasterRect().center().toPoint() + QPoint(30, 30))), 0);
}

QTEST_MAIN(TestRasterPlot)
#include "test_raster_plot.moc"
