// File > Export Figure driven as a user does: the view chosen in the dialog is the one written (every view
// the dialog lists, checked by what the SVG says), the dialog remembers Physical width, its width, DPI and
// font size between uses; every 2-D plot's text is 7 pt at the figure's physical size (read back from the
// SVG's font sizes and transforms); the heatmap's colour bar says what its values are; the 3-D figure frames
// the whole worm with a margin beside its key.
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QLineEdit>
#include <QMenuBar>
#include <QPushButton>
#include <QRadioButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>
#include <functional>

#include "ActivityDock.h"
#include "AppTestSupport.h"
#include "FigureExport.h"
#include "FunctionalDock.h"
#include "MainWindow.h"
#include "NeuronPanel.h"
#include "SimulationDock.h"
#include "plots/RasterPlot.h"
#include "plots/TracePlot.h"
#include "vtk/ConnectomeView.h"
#include "vtk/NeuronView.h"

using apptest::readAll;

namespace {

const QString kTraces = apptest::kData + QStringLiteral("/activity/atanas2023_traces.csv");
const QString kSwc = apptest::kData + QStringLiteral("/neurons/swc/C031097B-I4.CNG.swc");
const QString kSpikes = apptest::kData + QStringLiteral("/spikes/spikes.csv");

QAction* menuAction(MainWindow& w, const QString& text) {
    for (QAction* a : w.menuBar()->findChildren<QAction*>())
        if (a->text() == text) return a;
    return nullptr;
}

// Opens File > Export Figure and runs `drive` on the dialog once it shows.
bool withExportDialog(MainWindow& w, const std::function<void(FigureExportDialog*)>& drive) {
    bool seen = false;
    QTimer t;
    t.setInterval(20);
    QObject::connect(&t, &QTimer::timeout, [&] {
        auto* dlg = qobject_cast<FigureExportDialog*>(QApplication::activeModalWidget());
        if (!dlg || !dlg->isVisible()) return;
        t.stop();
        seen = true;
        drive(dlg);
    });
    t.start();
    QAction* a = menuAction(w, QStringLiteral("&Export Figure…"));
    if (!a) return false;
    a->trigger(); // exec() returns when the dialog is closed
    return seen;
}

// Effective font sizes (pixels of the SVG's user space) of the text elements: font-size times the scale of
// the group's transform, as QSvgGenerator writes them.
// Only groups that hold text count (QSvgGenerator opens a group for each change of state).
QList<double> svgFontPixels(const QByteArray& svg) {
    QList<double> out;
    static const QRegularExpression matrix(QStringLiteral("matrix\\(([-0-9.e]+),([-0-9.e]+),"));
    static const QRegularExpression size(QStringLiteral("font-size=\"([0-9.]+)\""));
    const QString s = QString::fromUtf8(svg);
    for (qsizetype at = s.indexOf(QLatin1String("<g ")); at >= 0;) {
        const qsizetype close = s.indexOf(QLatin1Char('>'), at);
        if (close < 0) break;
        const QString attrs = s.mid(at, close - at);
        const qsizetype next = s.indexOf(QLatin1String("<g "), close);
        const QString body = s.mid(close, (next < 0 ? s.size() : next) - close);
        at = next;
        if (!body.contains(QLatin1String("<text"))) continue;
        const auto a = matrix.match(attrs), f = size.match(attrs);
        if (!a.hasMatch() || !f.hasMatch()) continue;
        out << std::hypot(a.captured(1).toDouble(), a.captured(2).toDouble()) * f.captured(1).toDouble();
    }
    return out;
}

// The most common text size and the smallest, in points at `dpi`.
std::pair<double, double> fontPt(const QByteArray& svg, int dpi) {
    QMap<int, int> n;
    double smallest = 1e9;
    for (double px : svgFontPixels(svg)) {
        const double pt = px * 72.0 / dpi;
        ++n[int(std::lround(pt * 10))];
        smallest = std::min(smallest, pt);
    }
    int best = 0, count = 0;
    for (auto it = n.begin(); it != n.end(); ++it)
        if (it.value() > count) best = it.key(), count = it.value();
    return {best / 10.0, smallest};
}

} // namespace

class TestExportDialog : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("NeuroramaTest"));
        QCoreApplication::setApplicationName(QStringLiteral("test_export_dialog"));
        QSettings().clear();
        if (qEnvironmentVariableIsEmpty("NR_PLUGIN_PATH"))
            qputenv("NR_PLUGIN_PATH",
                    (QCoreApplication::applicationDirPath() + "/../lib/neurorama/plugins").toLocal8Bit());
    }

    void dialogWritesTheViewChosen() {
        MainWindow w;
        w.resize(1280, 800);
        QCOMPARE(w.openFilesBlocking({kTraces}), QString());
        QCOMPARE(w.openFilesBlocking({kSwc}), QString());
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QTest::qWait(200);
        // A neuron picked: the Sholl profile has something to draw too.
        NeuronView* view = w.neuronView();
        QVERIFY(view);
        double p[3];
        QVERIFY(view->nodePosition(0, 0, p));
        QTest::mouseClick(view, Qt::LeftButton, Qt::NoModifier,
                          view->projectPoint(p[0], p[1], p[2]).toPoint());
        QTRY_COMPARE(w.neuronPanel()->neuron(), 0);

        // What each SVG must say (and must not), by view.
        struct Want {
            QString label, must, mustNot;
        };
        const QList<Want> wants = {
            {QStringLiteral("Activity traces"), QStringLiteral("AVAL"), QStringLiteral("Sholl profile")},
            {QStringLiteral("Sholl profile of the picked neuron"), QStringLiteral("Sholl profile"),
             QStringLiteral("AVAL")},
            {QStringLiteral("Functional connectivity matrix"), QStringLiteral("Pearson correlation"),
             QStringLiteral("Sholl profile")}};
        for (const Want& want : wants) {
            const QString path = dir_.filePath(QStringLiteral("fig_%1.svg").arg(want.label.left(5)));
            QString error;
            QVERIFY(withExportDialog(w, [&](FigureExportDialog* dlg) {
                auto* combo = dlg->findChild<QComboBox*>(QStringLiteral("figureView"));
                const int i = combo ? combo->findText(want.label) : -1;
                if (i < 0) {
                    error = QStringLiteral("no view '%1' in the dialog").arg(want.label);
                    dlg->reject();
                    return;
                }
                // As a user: the view picked with the mouse, Physical width 85 mm, the file, Save.
                combo->setCurrentIndex(i);
                combo->activated(i);
                dlg->findChild<QRadioButton*>(QStringLiteral("sizeByPhysical"))->setChecked(true);
                dlg->findChild<QDoubleSpinBox*>(QStringLiteral("widthMm"))->setValue(85);
                dlg->findChild<QLineEdit*>(QStringLiteral("figurePath"))->setText(path);
                QTest::mouseClick(dlg->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Save),
                                  Qt::LeftButton);
            }));
            QVERIFY2(error.isEmpty(), qPrintable(error));
            const QByteArray svg = readAll(path);
            QVERIFY2(!svg.isEmpty(), qPrintable(path));
            QVERIFY2(svg.contains(want.must.toUtf8()), qPrintable(want.label + ": " + want.must));
            QVERIFY2(!svg.contains(want.mustNot.toUtf8()), qPrintable(want.label + ": " + want.mustNot));
            // 85 mm at 300 dpi
            QVERIFY2(svg.contains("viewBox=\"0 0 1004 "), qPrintable(QString::fromUtf8(svg.left(300))));
            QVERIFY2(svg.contains("width=\"85.0"), qPrintable(QString::fromUtf8(svg.left(300))));
        }

        // Every 2-D view the dialog lists writes what `export --view ID` writes for the same size.
        QStringList ids, checked;
        QVERIFY(withExportDialog(w, [&](FigureExportDialog* dlg) {
            auto* combo = dlg->findChild<QComboBox*>(QStringLiteral("figureView"));
            for (int i = 0; i < combo->count(); ++i)
                if (combo->itemData(i, Qt::ToolTipRole).toString().isEmpty())
                    ids << combo->itemData(i).toString();
            dlg->reject();
        }));
        for (const QString& id : ids) {
            if (id == QLatin1String("network") || id == QLatin1String("vessels") ||
                id == QLatin1String("neurons"))
                continue; // 3-D: a picture of the scene, compared above by content
            const QString viaDialog = dir_.filePath(QStringLiteral("dialog_%1.svg").arg(id));
            QVERIFY(withExportDialog(w, [&](FigureExportDialog* dlg) {
                auto* combo = dlg->findChild<QComboBox*>(QStringLiteral("figureView"));
                const int i = combo->findData(id);
                combo->setCurrentIndex(i);
                combo->activated(i);
                dlg->findChild<QLineEdit*>(QStringLiteral("figurePath"))->setText(viaDialog);
                QTest::mouseClick(dlg->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Save),
                                  Qt::LeftButton);
            }));
            FigureSpec spec;
            spec.path = dir_.filePath(QStringLiteral("direct_%1.svg").arg(id));
            spec.pixels = pixelsForWidth(85, 300, w.connectomeView()->size());
            QCOMPARE(exportViewFigure(&w, id, spec), QString());
            QVERIFY2(readAll(viaDialog) == readAll(spec.path), qPrintable(id));
            checked << id;
        }
        QVERIFY2(checked.contains(QStringLiteral("traces")) && checked.contains(QStringLiteral("sholl")),
                 qPrintable(checked.join(QLatin1Char(' '))));

        // The dialog remembers Physical width and its values.
        QVERIFY(withExportDialog(w, [&](FigureExportDialog* dlg) {
            QVERIFY(dlg->findChild<QRadioButton*>(QStringLiteral("sizeByPhysical"))->isChecked());
            QCOMPARE(dlg->findChild<QDoubleSpinBox*>(QStringLiteral("widthMm"))->value(), 85.0);
            QCOMPARE(dlg->findChild<QSpinBox*>(QStringLiteral("figureDpi"))->value(), 300);
            QCOMPARE(dlg->findChild<QDoubleSpinBox*>(QStringLiteral("fontPt"))->value(), 7.0);
            dlg->findChild<QSpinBox*>(QStringLiteral("figureDpi"))->setValue(600);
            dlg->findChild<QDoubleSpinBox*>(QStringLiteral("fontPt"))->setValue(8);
            dlg->findChild<QLineEdit*>(QStringLiteral("figurePath"))
                ->setText(dir_.filePath(QStringLiteral("again.png")));
            QTest::mouseClick(dlg->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Save),
                              Qt::LeftButton);
        }));
        QVERIFY(QFileInfo(dir_.filePath(QStringLiteral("again.png"))).size() > 1000);
        QVERIFY(withExportDialog(w, [&](FigureExportDialog* dlg) {
            QCOMPARE(dlg->findChild<QSpinBox*>(QStringLiteral("figureDpi"))->value(), 600);
            QCOMPARE(dlg->findChild<QDoubleSpinBox*>(QStringLiteral("fontPt"))->value(), 8.0);
            dlg->findChild<QRadioButton*>(QStringLiteral("sizeByPixels"))->setChecked(true);
            dlg->reject(); // a cancelled dialog changes nothing
        }));
        QVERIFY(withExportDialog(w, [&](FigureExportDialog* dlg) {
            QVERIFY(dlg->findChild<QRadioButton*>(QStringLiteral("sizeByPhysical"))->isChecked());
            dlg->reject();
        }));
    }

    void plotsShareOneFontSize() {
        // Traces joined to the connectome (for the structure-function plot) and spikes (the raster).
        MainWindow w;
        w.resize(1280, 800);
        QCOMPARE(w.openFilesBlocking({kTraces}), QString());
        QCOMPARE(w.openFilesBlocking({apptest::herm(), apptest::somas()}), QString());
        QCOMPARE(w.openFilesBlocking({kSpikes}), QString());
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QTest::qWait(200);
        QCOMPARE(w.activityDock()->plot()->valueLabel(), QStringLiteral("z-score"));
        for (const int dpi : {300, 600}) {
            for (const QString& v : {QStringLiteral("traces"), QStringLiteral("raster"),
                                     QStringLiteral("structure-function"), QStringLiteral("fc-matrix")}) {
                FigureSpec spec;
                spec.path = dir_.filePath(QStringLiteral("%1_%2.svg").arg(v).arg(dpi));
                spec.dpi = dpi;
                spec.pixels = pixelsForWidth(85, dpi, QSize(4, 3));
                QCOMPARE(exportViewFigure(&w, v, spec), QString());
                const QByteArray svg = readAll(spec.path);
                const auto [pt, smallest] = fontPt(svg, dpi);
                QVERIFY2(std::abs(pt - 7.0) <= 0.15,
                         qPrintable(QStringLiteral("%1 at %2 dpi: text %3 pt").arg(v).arg(dpi).arg(pt)));
                QVERIFY2(
                    smallest >= 6.85,
                    qPrintable(
                        QStringLiteral("%1 at %2 dpi: smallest text %3 pt").arg(v).arg(dpi).arg(smallest)));
                if (v == QLatin1String("traces"))
                    QVERIFY2(svg.contains("z-score"), "the heatmap's colour bar names its values");
            }
        }
    }

    void networkFigureFramesTheWorm() {
        MainWindow w;
        w.resize(1280, 800);
        QCOMPARE(w.openFilesBlocking({apptest::herm(), apptest::somas()}), QString());
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QTest::qWait(300);
        // 85 mm wide, 4:3, with the class key beside the scene: the worm runs along the narrower scene.
        FigureSpec spec;
        spec.path = dir_.filePath(QStringLiteral("network.png"));
        spec.pixels = pixelsForWidth(85, 300, QSize(4, 3));
        QCOMPARE(exportViewFigure(&w, QStringLiteral("network"), spec), QString());
        QImage img(spec.path);
        QVERIFY(!img.isNull());
        img = img.convertToFormat(QImage::Format_RGB32);
        const QRgb bg = img.pixel(1, 1);
        // The key panel starts where the background runs down the whole height right of the scene; the
        // scene's drawn columns must stay clear of both of its edges.
        auto columnDrawn = [&](int x) {
            for (int y = 0; y < img.height(); ++y) {
                const QRgb c = img.pixel(x, y);
                if (std::abs(qRed(c) - qRed(bg)) + std::abs(qGreen(c) - qGreen(bg)) +
                        std::abs(qBlue(c) - qBlue(bg)) >
                    60)
                    return true;
            }
            return false;
        };
        int first = -1;
        for (int x = 0; x < img.width() && first < 0; ++x)
            if (columnDrawn(x)) first = x;
        QVERIFY(first >= 0);
        QVERIFY2(
            first >= img.width() / 100,
            qPrintable(QStringLiteral("the worm touches the left edge (first drawn column %1)").arg(first)));
        // The worm ends where a wide empty band (before the key panel) starts; it fills most of the scene.
        int last = first;
        for (int x = first, empty = 0; x < img.width() && empty < img.width() / 25; ++x) {
            if (columnDrawn(x))
                last = x, empty = 0;
            else
                ++empty;
        }
        QVERIFY2(
            last - first > img.width() / 2,
            qPrintable(
                QStringLiteral("the worm spans columns %1..%2 of %3").arg(first).arg(last).arg(img.width())));
        // Top and bottom clear too.
        for (int x = first; x <= last; ++x) {
            QCOMPARE(img.pixel(x, 0), bg);
            QCOMPARE(img.pixel(x, img.height() - 1), bg);
        }
    }
};

QTEST_MAIN(TestExportDialog)
#include "test_export_dialog.moc"
