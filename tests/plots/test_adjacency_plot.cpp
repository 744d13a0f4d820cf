// AdjacencyPlot: cells carry the colour map of the weights (read back from pixels), empty cells are the
// background, a click on a cell or a row asks for its nodes, aggregated cells describe their node range, and
// the plot exports like the others.
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <limits>
#include <memory>

#include "plots/AdjacencyPlot.h"

namespace {

int colorDistance(const QColor& a, const QColor& b) {
    return std::abs(a.red() - b.red()) + std::abs(a.green() - b.green()) + std::abs(a.blue() - b.blue());
}

// 4 nodes shown in the order 2, 0, 3, 1; weights at (row, column) positions; groups "a", "a", "b", "b".
AdjacencyPlot::Data small() {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    AdjacencyPlot::Data d;
    d.cells_ = 4;
    d.cells = {nan, 1, nan, nan, nan, nan, 4, nan, 2, nan, nan, nan, nan, nan, nan, 8};
    d.order = {2, 0, 3, 1};
    d.groups = {"a", "a", "b", "b"};
    d.names = {"n0", "n1", "n2", "n3"};
    return d;
}

} // namespace

class TestAdjacencyPlot : public QObject {
    Q_OBJECT

private slots:
    void cellsColoursAndClicks() {
        auto p = std::make_unique<AdjacencyPlot>();
        p->setReadoutsVisible(false);
        p->resize(600, 480);
        p->show();
        QVERIFY(QTest::qWaitForWindowExposed(p.get()));
        p->setData(small());
        QCOMPARE(p->rangeLow(), 0.0);
        QCOMPARE(p->rangeHigh(), 8.0);
        QCOMPARE(p->groupNames(), QStringList({"a", "b"}));
        const QRectF m = p->matrixRect();
        QVERIFY(m.width() > 100);
        const double c = m.width() / 4;
        auto centre = [&](int row, int col) {
            return QPointF(m.left() + (col + 0.5) * c, m.top() + (row + 0.5) * c);
        };
        const QImage img = p->renderImage(p->size(), false);
        QVERIFY(!img.isNull());
        const double s = img.width() / double(p->width());
        auto pixel = [&](QPointF q) { return img.pixelColor(int(q.x() * s), int(q.y() * s)); };
        QVERIFY(colorDistance(pixel(centre(3, 3)), p->colorForValue(8)) < 12);
        QVERIFY(colorDistance(pixel(centre(1, 2)), p->colorForValue(4)) < 12);
        QVERIFY(colorDistance(pixel(centre(0, 0)), QColor(Qt::white)) < 12); // no edge: background
        // A click on the cell (row 1, column 2) asks for its source n0 and target n3.
        QSignalSpy spy(p.get(), &AdjacencyPlot::nodesClicked);
        QTest::mouseClick(p.get(), Qt::LeftButton, {}, centre(1, 2).toPoint());
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).value<std::vector<uint32_t>>(), (std::vector<uint32_t>{0, 3}));
        QCOMPARE(p->describe(QPoint(2, 1)), QStringLiteral("n0 [a] → n3 [b]\nweight: 4"));
        // Log scale: the range becomes log10 of the positive weights.
        p->setLogScale(true);
        QCOMPARE(p->rangeLow(), 0.0);
        QVERIFY(std::fabs(p->rangeHigh() - std::log10(8.0)) < 1e-9);
        // Export through the common path.
        QTemporaryDir dir;
        const QString png = dir.filePath("adj.png"), svg = dir.filePath("adj.svg");
        QVERIFY2(p->exportFigure(png, QSize(1200, 900), 200, false), qPrintable(p->lastError()));
        QVERIFY2(p->exportFigure(svg, QSize(1200, 900), 200, false), qPrintable(p->lastError()));
        QVERIFY(QImage(png).width() == 1200);
    }

    void aggregatedCellsNameTheirRange() {
        AdjacencyPlot p;
        AdjacencyPlot::Data d;
        d.cells_ = 2;
        d.span = 3;
        d.cells = {5, std::numeric_limits<float>::quiet_NaN(), 1, 2};
        d.order = {0, 1, 2, 3, 4};
        for (int i = 0; i < 5; ++i) d.names << QStringLiteral("v%1").arg(i);
        p.setData(d);
        QCOMPARE(p.nodesOf(QPoint(1, 0)), (std::vector<uint32_t>{0, 1, 2, 3, 4}));
        QCOMPARE(p.nodesOf(QPoint(-1, 1)), (std::vector<uint32_t>{3, 4}));
        QVERIFY(p.describe(QPoint(0, 1)).contains(QStringLiteral("v3 … v4 (2 nodes)")));
        QVERIFY(p.describe(QPoint(0, 1)).contains(QStringLiteral("summed weight: 1")));
    }
};

QTEST_MAIN(TestAdjacencyPlot)
#include "test_adjacency_plot.moc"
