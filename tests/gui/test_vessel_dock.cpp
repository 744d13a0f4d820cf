// The Vessels dock as a new user meets it at 1280x800 and 1024x700: it fits without scrolling; choosing Slab
// shows a slab a tenth of the volume thick, centred (not the whole volume); the histograms' range labels are
// drawn whole inside their widget; a click on a vessel brings the dock forward (from behind the Analysis tab,
// or closed) with every attribute of the vessel in view, none scrolled out of sight.
#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QGroupBox>
#include <QScrollArea>
#include <QScrollBar>
#include <QTableWidget>
#include <QtTest>
#include <cmath>

#include "AnalysisDock.h"
#include "AppTestSupport.h"
#include "MainWindow.h"
#include "VesselPanel.h"
#include "WidgetShot.h"
#include "vessel/VesselGraph.h"
#include "vtk/VesselView.h"

namespace {

using nrtest::shot;

const QString kNodes = apptest::kData + QStringLiteral("/vessel/example_nodes.csv");

QScrollArea* scrollOf(QWidget* w) {
    for (QWidget* p = w->parentWidget(); p; p = p->parentWidget())
        if (auto* a = qobject_cast<QScrollArea*>(p)) return a;
    return nullptr;
}

// The part of `w` shown in its scroll area's viewport (empty when scrolled out of sight).
QRect shownPart(QWidget* w, QScrollArea* area) {
    const QRect r(w->mapTo(area->viewport(), QPoint(0, 0)), w->size());
    return r.intersected(area->viewport()->rect());
}

} // namespace

class TestVesselDock : public QObject {
    Q_OBJECT

private slots:
    void dockAtWindowSize_data() {
        QTest::addColumn<QSize>("size");
        QTest::newRow("1280x800") << QSize(1280, 800);
        QTest::newRow("1024x700") << QSize(1024, 700);
    }

    void dockAtWindowSize() {
        QFETCH(QSize, size);
        MainWindow w;
        w.resize(size);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QCOMPARE(w.openFilesBlocking({kNodes}), QString());
        QTest::qWait(300);
        VesselPanel* panel = w.vesselPanel();
        VesselView* view = w.vesselView();
        QVERIFY(panel && view && w.vesselDock()->isVisible());
        QScrollArea* area = scrollOf(panel);
        QVERIFY(area);
        const auto g = view->graph();
        shot(&w, QStringLiteral("vessel-dock-%1x%2").arg(size.width()).arg(size.height()));

        // No scrolling needed at 1280x800 (the panel's height fits the dock).
        if (size == QSize(1280, 800))
            QVERIFY2(area->verticalScrollBar()->maximum() == 0,
                     qPrintable(QStringLiteral("panel %1 px in a %2 px dock")
                                    .arg(panel->height())
                                    .arg(area->viewport()->height())));

        // The histograms' x labels (range and unit) lie inside the widget, not cut at its edges.
        for (const char* name : {"vesselRadiusHistogram", "vesselLengthHistogram"}) {
            QWidget* h = panel->findChild<QWidget*>(QString::fromLatin1(name));
            QVERIFY2(h, name);
            const QVariant labels = h->property("labelRects");
            QVERIFY(labels.isValid());
            for (const QVariant& v : labels.toList()) {
                const QRect r = v.toRect();
                QVERIFY2(h->rect().contains(r),
                         qPrintable(QStringLiteral("%1: label %2,%3 %4x%5 outside %6x%7")
                                        .arg(QLatin1String(name))
                                        .arg(r.x())
                                        .arg(r.y())
                                        .arg(r.width())
                                        .arg(r.height())
                                        .arg(h->width())
                                        .arg(h->height())));
            }
        }

        // Slab: a tenth of the extent along z, centred; fewer vessels visible than in all.
        auto* mode = panel->findChild<QComboBox*>(QStringLiteral("vesselClipMode"));
        mode->setCurrentIndex(2);
        QApplication::processEvents();
        const VesselFilter f = panel->currentFilter();
        QCOMPARE(int(f.clip), int(VesselFilter::Clip::Slab));
        const double zlo = g->bounds[4], zhi = g->bounds[5];
        QVERIFY2(std::abs((f.slabHi - f.slabLo) - 0.1 * (zhi - zlo)) < 0.01 * (zhi - zlo),
                 qPrintable(
                     QStringLiteral("slab %1..%2 in %3..%4").arg(f.slabLo).arg(f.slabHi).arg(zlo).arg(zhi)));
        QVERIFY(std::abs(0.5 * (f.slabLo + f.slabHi) - 0.5 * (zlo + zhi)) < 0.01 * (zhi - zlo));
        QVERIFY(view->visibleEdgeCount() > 0 && view->visibleEdgeCount() < g->edgeCount() / 2);
        shot(&w, QStringLiteral("vessel-slab-%1x%2").arg(size.width()).arg(size.height()));

        // The dock behind the Analysis tab, then closed: a click on a vessel brings it forward with the whole
        // attribute list in view.
        for (const bool closed : {false, true}) {
            w.analysisDock()->show();
            w.analysisDock()->raise();
            if (closed) w.vesselDock()->close();
            QApplication::processEvents();
            const uint32_t e = view->visibleEdges()[closed ? 1 : 0];
            const double m[3] = {0.5 * (g->x[g->src[e]] + g->x[g->dst[e]]),
                                 0.5 * (g->y[g->src[e]] + g->y[g->dst[e]]),
                                 0.5 * (g->z[g->src[e]] + g->z[g->dst[e]])};
            QTest::mouseClick(view, Qt::LeftButton, Qt::NoModifier, view->project(m).toPoint());
            QVERIFY(view->pickedEdge() >= 0);
            QTRY_VERIFY(w.vesselDock()->isVisible());
            QTRY_VERIFY(!w.vesselDock()->visibleRegion().isEmpty()); // in front of Analysis
            QWidget* box = panel->pickedBox();
            QVERIFY(box->isVisible());
            auto* table = box->findChild<QTableWidget*>(QStringLiteral("vesselPicked"));
            QVERIFY(table);
            QVERIFY(table->rowCount() > 20);
            QCOMPARE(table->verticalScrollBar()->maximum(), 0); // no row hidden inside the table
            // Every row inside the dock's viewport at 1280x800; in a smaller window the box's top at least
            // (the dock scrolls to it, the rest follows by scrolling the dock, never the table).
            if (size.height() < 800) {
                QTRY_VERIFY(shownPart(box, area).top() == 0 ||
                            shownPart(box, area).height() == box->height());
                QVERIFY(shownPart(table, area).height() > area->viewport()->height() / 2);
                continue;
            }
            QTRY_VERIFY2(shownPart(table, area).height() == table->height(),
                         qPrintable(QStringLiteral("%1 of %2 px of the table shown")
                                        .arg(shownPart(table, area).height())
                                        .arg(table->height())));
            shot(&w,
                 QStringLiteral("vessel-picked-%1x%2-%3").arg(size.width()).arg(size.height()).arg(closed));
        }
    }
};

QTEST_MAIN(TestVesselDock)
#include "test_vessel_dock.moc"
