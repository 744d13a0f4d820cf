// Analysis > Adjacency Matrix in the window: a matrix file with its label file, the dock's class order, and
// the selection both ways between the matrix and the 3-D connectome view.
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <fstream>

#include "AdjacencyDock.h"
#include "MainWindow.h"
#include "Session.h"
#include "plots/AdjacencyPlot.h"
#include "vtk/ConnectomeView.h"

class TestAdjacencyDock : public QObject {
    Q_OBJECT

private slots:
    void selectionGoesBothWays() {
        QTemporaryDir dir;
        const QString m = dir.filePath("m.csv"), l = dir.filePath("labels.txt");
        {
            // 6 nodes; classes B A B A C A (class order: B first, as the first node's).
            std::ofstream f(m.toStdString());
            f << "0 3 0 0 0 1\n3 0 0 2 0 0\n0 0 0 0 5 0\n0 2 0 0 0 0\n0 0 5 0 0 0\n1 0 0 0 0 0\n";
            std::ofstream g(l.toStdString());
            g << "B\nA\nB\nA\nC\nA\n";
        }
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QCOMPARE(w.openFilesBlocking({m, l}), QString());
        QVERIFY(w.graph());
        QVERIFY(!w.graph()->directed);
        w.showAdjacency();
        AdjacencyDock* d = w.adjacencyDock();
        QTRY_VERIFY(d->isVisible());
        QCOMPARE(d->order(), QStringLiteral("class:class"));
        AdjacencyPlot* p = d->plot();
        QCOMPARE(p->cellCount(), size_t(6));
        QCOMPARE(p->groupNames(), QStringList({"B", "A", "C"}));
        // Click the cell of row 0 (a B node) and column 2 (an A node): both are selected in 3-D.
        QTRY_VERIFY(p->matrixRect().width() > 60);
        const QRectF r = p->matrixRect();
        const double c = r.width() / 6;
        QTest::mouseClick(p, Qt::LeftButton, {}, QPointF(r.left() + 2.5 * c, r.top() + 0.5 * c).toPoint());
        std::vector<uint32_t> want{p->order()[0], p->order()[2]};
        QCOMPARE(w.connectomeView()->selection(), want);
        QCOMPARE(p->selection(), want);
        // Selecting in 3-D marks the node in the matrix.
        w.connectomeView()->setSelection({4});
        emit w.connectomeView()->selectionChanged({4});
        QCOMPARE(p->selection(), (std::vector<uint32_t>{4}));
        // Community and clustering orders keep every node.
        d->setOrder(QStringLiteral("cluster"));
        QCOMPARE(d->lastError(), QString());
        std::vector<uint32_t> o = p->order();
        std::sort(o.begin(), o.end());
        QCOMPARE(o, (std::vector<uint32_t>{0, 1, 2, 3, 4, 5}));

        // The order, the log scale and the open dock come back from a session.
        d->setLogScale(true);
        const std::vector<uint32_t> clustered = p->order();
        const QString session = dir.filePath("adj.neurorama.json");
        QCOMPARE(saveSession(&w, session), QString());
        MainWindow w2;
        w2.resize(1024, 700);
        w2.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w2));
        const SessionReport rep = loadSession(&w2, session, OutsidePaths::Allow);
        QCOMPARE(rep.error, QString());
        QVERIFY2(rep.warnings.isEmpty(), qPrintable(rep.warnings.join('\n')));
        AdjacencyDock* d2 = w2.adjacencyDock();
        QTRY_VERIFY(d2->isVisible());
        QCOMPARE(d2->order(), QStringLiteral("cluster"));
        QVERIFY(d2->logScale());
        QCOMPARE(d2->plot()->order(), clustered);
        QCOMPARE(d2->plot()->cellCount(), size_t(6));
    }

    void cellsFollowThePlotsPixels() {
        // C. elegans (448 nodes) in a matrix smaller than 448 pixels: nodes are summed so that there is at
        // most one cell per pixel (nearest sampling of more cells would drop rows and their edges), the
        // total weight is kept, and a larger plot goes back to one node per cell.
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QCOMPARE(w.openFilesBlocking({QStringLiteral(NR_SHARED_DATA "/connectome/herm_full_edgelist.csv")}),
                 QString());
        const size_t n = w.graph()->nodeCount();
        QCOMPARE(n, size_t(448));
        w.showAdjacency();
        AdjacencyDock* d = w.adjacencyDock();
        QTRY_VERIFY(d->isVisible());
        d->setFloating(true);
        d->resize(420, 470);
        AdjacencyPlot* p = d->plot();
        auto px = [p] {
            const QRectF m = p->matrixRect();
            return size_t(std::max(0.0, std::min(m.width(), m.height()) * p->devicePixelRatioF()));
        };
        QTRY_VERIFY(px() >= 16 && px() < n && p->span() == (n + px() - 1) / px());
        QVERIFY(p->cellCount() <= px());
        auto sum = [](const std::vector<float>& v) {
            double s = 0;
            for (float x : v)
                if (std::isfinite(x)) s += x;
            return s;
        };
        size_t side = 0, span = 0;
        const double full = sum(nr::adjacencyCells(*w.graph(), p->order(), n, &side, &span));
        QCOMPARE(span, size_t(1));
        QVERIFY(full > 0);
        QVERIFY2(std::abs(sum(p->cells()) - full) <= 1e-4 * full,
                 qPrintable(QStringLiteral("%1 against %2").arg(sum(p->cells())).arg(full)));
        d->resize(1000, 1000);
        QTRY_VERIFY(px() >= n);
        QTRY_COMPARE(p->span(), size_t(1));
        QCOMPARE(p->cellCount(), n);
    }
};

QTEST_MAIN(TestAdjacencyDock)
#include "test_adjacency_dock.moc"
