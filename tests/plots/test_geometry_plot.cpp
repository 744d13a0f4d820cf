// GeometryPlot: RDM heatmap colours ordered by value with a colour bar, trajectory points coloured by
// condition and rotated in 3-D, the stability series, panel selection, and export (SVG cell count, PDF, PNG
// DPI).
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <memory>

#include "plots/GeometryPlot.h"

namespace {

std::unique_ptr<GeometryPlot> makePlot(QSize s = QSize(1200, 400)) {
    auto p = std::make_unique<GeometryPlot>();
    p->setReadoutsVisible(false);
    p->resize(s);
    p->show();
    return p;
}

int colorDistance(const QColor& a, const QColor& b) {
    return std::abs(a.red() - b.red()) + std::abs(a.green() - b.green()) + std::abs(a.blue() - b.blue());
}

double luminance(const QColor& c) {
    return 0.2126 * c.redF() + 0.7152 * c.greenF() + 0.0722 * c.blueF();
}

int countOf(const QByteArray& hay, const QByteArray& needle) {
    int n = 0;
    for (int i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + 1)) ++n;
    return n;
}

// Whether a pixel within r of p is within `tol` of colour c.
bool colorNear(const QImage& img, QPointF p, const QColor& c, int r, int tol) {
    for (int y = int(p.y()) - r; y <= int(p.y()) + r; ++y)
        for (int x = int(p.x()) - r; x <= int(p.x()) + r; ++x)
            if (img.rect().contains(x, y) && colorDistance(img.pixelColor(x, y), c) <= tol) return true;
    return false;
}

} // namespace

class TestGeometryPlot : public QObject {
    Q_OBJECT
private slots:
    void rdmCellsColouredInValueOrder();
    void trajectoryColoursAndRotation();
    void stabilitySeriesIsDrawn();
    void panelsCanBeShownAlone();
    void exportsVectorAndRaster();
};

void TestGeometryPlot::rdmCellsColouredInValueOrder() {
    auto p = makePlot();
    QVERIFY(QTest::qWaitForWindowExposed(p.get()));
    // 4 x 4 with distinct values in scrambled positions and one NaN.
    const int n = 4;
    std::vector<double> m = {0.5, 3.0,  1.25, 2.0,  0.1,  2.75, 1.0, 0.75,
                             1.5, 0.25, 2.5,  1.75, 2.25, 0.0,  3.5, NAN};
    p->setRdm(m, n, {"A", "B", "C", "D"}, "correlation");
    QCOMPARE(p->rdmMin(), 0.0);
    QCOMPARE(p->rdmMax(), 3.5);
    const QImage img = p->renderImage(p->size(), false);
    std::vector<std::pair<double, QColor>> cells;
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
            const QRectF r = p->rdmCellRect(i, j);
            QVERIFY(!r.isEmpty());
            const QColor c = img.pixelColor(r.center().toPoint());
            const double v = m[size_t(i * n + j)];
            if (std::isnan(v))
                QVERIFY2(colorDistance(c, QColor(160, 160, 160)) < 12, qPrintable(c.name()));
            else
                cells.push_back({v, c});
        }
    std::sort(cells.begin(), cells.end(), [](auto& a, auto& b) { return a.first < b.first; });
    // Min and max cells carry the ends of the colour map; luminance grows with the value.
    QVERIFY2(colorDistance(cells.front().second, GeometryPlot::viridis(0)) < 12,
             qPrintable(cells.front().second.name()));
    QVERIFY2(colorDistance(cells.back().second, GeometryPlot::viridis(1)) < 12,
             qPrintable(cells.back().second.name()));
    for (size_t k = 1; k < cells.size(); ++k)
        QVERIFY2(luminance(cells[k].second) > luminance(cells[k - 1].second),
                 qPrintable(QStringLiteral("value %1").arg(cells[k].first)));
    // Colour bar: min colour at the bottom, max at the top.
    const QRectF bar = p->colorBarRect();
    QVERIFY(!bar.isEmpty());
    QVERIFY(bar.left() > p->rdmRect().right());
    const QColor top = img.pixelColor(QPointF(bar.center().x(), bar.top() + 2).toPoint());
    const QColor bottom = img.pixelColor(QPointF(bar.center().x(), bar.bottom() - 2).toPoint());
    const QColor mid = img.pixelColor(bar.center().toPoint());
    QVERIFY2(colorDistance(top, GeometryPlot::viridis(1)) < 20, qPrintable(top.name()));
    QVERIFY2(colorDistance(bottom, GeometryPlot::viridis(0)) < 20, qPrintable(bottom.name()));
    QVERIFY2(colorDistance(mid, GeometryPlot::viridis(0.5)) < 20, qPrintable(mid.name()));
    // Hover lookup of a cell.
    QCOMPARE(p->rdmCellAt(p->rdmCellRect(2, 1).center()), QPoint(1, 2));
    QCOMPARE(p->rdmCellAt(QPointF(1, 1)), QPoint(-1, -1));
    // A matrix with too few values is refused and the previous one kept.
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression("setRdm: 5 x 5 matrix needs 25 values, got 3"));
    p->setRdm({1, 2, 3}, 5, {}, "x");
    QCOMPARE(p->rdmSize(), 4);
}

void TestGeometryPlot::trajectoryColoursAndRotation() {
    auto p = makePlot();
    QVERIFY(QTest::qWaitForWindowExposed(p.get()));
    std::vector<std::array<float, 3>> pts;
    std::vector<int> cond;
    for (int c = 0; c < 2; ++c)
        for (int k = 0; k < 20; ++k) {
            const float a = float(k) / 19.f * 3.f;
            pts.push_back({std::cos(a) * (1.f + c), std::sin(a) * (1.f + c), float(k) / 19.f - 0.5f + c});
            cond.push_back(c);
        }
    p->setTrajectory(pts, cond, 2);
    p->setConditionNames({"left", "right"});
    QImage img = p->renderImage(p->size(), false);
    // The newest point of each condition is opaque in its condition colour.
    for (int c = 0; c < 2; ++c) {
        const QPointF at = p->trajectoryPoint(size_t(c * 20 + 19));
        QVERIFY(p->trajectoryRect().contains(at));
        QVERIFY2(colorNear(img, at, GeometryPlot::conditionColor(c), 1, 30), qPrintable(QString::number(c)));
    }
    // The oldest point is faded towards the white background.
    const QColor oldest = img.pixelColor(p->trajectoryPoint(0).toPoint());
    QVERIFY2(luminance(oldest) > luminance(GeometryPlot::conditionColor(0)) + 0.3, qPrintable(oldest.name()));

    // 3-D: a yaw of 90 degrees brings PC3 onto the horizontal axis.
    p->setTrajectory(pts, cond, 3);
    const QPointF before = p->trajectoryPoint(39);
    p->setRotation(90, 0);
    const QPointF after = p->trajectoryPoint(39);
    QVERIFY(std::abs(after.x() - before.x()) > 20);
    QCOMPARE(after.y(), before.y());
    img = p->renderImage(p->size(), false);
    QVERIFY(colorNear(img, after, GeometryPlot::conditionColor(1), 1, 30));
    // Dragging rotates; double-click resets.
    const QPoint c = p->trajectoryRect().center().toPoint();
    QTest::mousePress(p.get(), Qt::LeftButton, Qt::NoModifier, c);
    QTest::mouseMove(p.get(), c + QPoint(40, 0));
    QTest::mouseRelease(p.get(), Qt::LeftButton, Qt::NoModifier, c + QPoint(40, 0));
    QVERIFY(std::abs(p->yaw() - 110) < 1e-9);
    QTest::mouseDClick(p.get(), Qt::LeftButton, Qt::NoModifier, c);
    QCOMPARE(p->yaw(), 0.0);
}

void TestGeometryPlot::stabilitySeriesIsDrawn() {
    auto p = makePlot();
    QVERIFY(QTest::qWaitForWindowExposed(p.get()));
    for (int k = 0; k < 10; ++k) p->appendStability(k * 0.5, 0.4 + 0.05 * k, 0.3 + 0.05 * k, 0.5 + 0.05 * k);
    QCOMPARE(p->stabilityCount(), size_t(10));
    const QImage img = p->renderImage(p->size(), false);
    const QColor line = GeometryPlot::categorical(0);
    for (size_t k : {size_t(0), size_t(5), size_t(9)}) {
        const QPointF at = p->stabilityPoint(k);
        QVERIFY(p->stabilityRect().adjusted(-1, -1, 1, 1).contains(at));
        QVERIFY2(colorNear(img, at, line, 1, 40), qPrintable(QString::number(k)));
    }
    // Values rise: the last point is higher on screen than the first.
    QVERIFY(p->stabilityPoint(9).y() < p->stabilityPoint(0).y() - 50);
    // The confidence band is tinted above a point (inside the band, off the line).
    const QPointF above = p->stabilityPoint(5) + QPointF(0, -12);
    const QColor b = img.pixelColor(above.toPoint());
    QVERIFY2(b != QColor(Qt::white) && b.blue() > b.red(), qPrintable(b.name()));
}

void TestGeometryPlot::panelsCanBeShownAlone() {
    auto p = makePlot();
    QVERIFY(QTest::qWaitForWindowExposed(p.get()));
    const QRectF three = p->rdmRect();
    p->setPanels(GeometryPlot::Rdm);
    QVERIFY(p->trajectoryRect().isEmpty());
    QVERIFY(p->stabilityRect().isEmpty());
    QVERIFY(p->rdmRect().width() > three.width());
    p->setPanels(GeometryPlot::Trajectory | GeometryPlot::Stability);
    QVERIFY(p->rdmRect().isEmpty());
    QVERIFY(p->trajectoryRect().right() < p->stabilityRect().left());
}

void TestGeometryPlot::exportsVectorAndRaster() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    auto p = makePlot();
    QVERIFY(QTest::qWaitForWindowExposed(p.get()));
    p->setPanels(GeometryPlot::Rdm);
    auto rects = [&](int n) {
        std::vector<double> m(size_t(n * n));
        for (int i = 0; i < n * n; ++i) m[size_t(i)] = i;
        p->setRdm(m, n, {}, "euclidean");
        const QString path = dir.filePath(QStringLiteral("rdm%1.svg").arg(n));
        if (!p->exportFigure(path, QSize(600, 400), 96, false)) return -1;
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly)) return -2;
        const QByteArray svg = f.readAll();
        if (!svg.contains("<svg")) return -3;
        return countOf(svg, "<rect");
    };
    const int r3 = rects(3), r4 = rects(4), r6 = rects(6);
    QVERIFY(r3 > 0);
    QCOMPARE(r4 - r3, 16 - 9); // one rectangle per matrix cell
    QCOMPARE(r6 - r4, 36 - 16);

    p->setPanels(GeometryPlot::AllPanels);
    p->appendStability(0, 0.5, 0.4, 0.6);
    p->appendStability(1, 0.6, 0.5, 0.7);
    const QString pdf = dir.filePath("g.pdf");
    QVERIFY2(p->exportFigure(pdf, QSize(2400, 800), 300, false), qPrintable(p->lastError()));
    QFile f(pdf);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(f.read(5) == "%PDF-");
    const QString png = qEnvironmentVariableIsSet("NR_PLOTS_SAVE_DIR")
                            ? qEnvironmentVariable("NR_PLOTS_SAVE_DIR") + "/geometry.png"
                            : dir.filePath("g.png");
    if (qEnvironmentVariableIsSet("NR_PLOTS_SAVE_DIR")) {
        std::vector<std::array<float, 3>> pts;
        std::vector<int> cond;
        for (int c = 0; c < 3; ++c)
            for (int k = 0; k < 30; ++k) {
                const float a = float(k) / 29.f * 4.f + c;
                pts.push_back({std::cos(a) * (1.f + c * 0.3f), std::sin(a), 0});
                cond.push_back(c);
            }
        p->setTrajectory(pts, cond, 2);
        p->setRdm({0, 1, 2, 1, 0, 3, 2, 3, 0}, 3, {"a", "b", "c"}, "euclidean");
        p->exportFigure(qEnvironmentVariable("NR_PLOTS_SAVE_DIR") + "/geometry.svg", QSize(1200, 400), 96,
                        false);
        p->setRdm(std::vector<double>(36, 0.0), 6, {}, "euclidean");
        std::vector<double> m(36);
        for (int i = 0; i < 36; ++i) m[size_t(i)] = i;
        p->setRdm(m, 6, {}, "euclidean");
    }
    // Font size 0: the widget's own layout, scaled (the default sets the text to 7 pt instead).
    QVERIFY2(p->exportFigure(png, QSize(2400, 800), 300, false, 0), qPrintable(p->lastError()));
    const QImage img(png);
    QCOMPARE(img.size(), QSize(2400, 800));
    QVERIFY(std::abs(img.dotsPerMeterX() - 11811) <= 1);
    // The max cell of the 6 x 6 matrix at twice the widget scale.
    const QPointF maxCell = p->rdmCellRect(5, 5).center() * 2.0;
    QVERIFY2(colorDistance(img.pixelColor(maxCell.toPoint()), GeometryPlot::viridis(1)) < 12,
             qPrintable(img.pixelColor(maxCell.toPoint()).name()));
}

QTEST_MAIN(TestGeometryPlot)
#include "test_geometry_plot.moc"
