// Panels too small for their labels: the text check (FigureLabelCheck) draws each 2-D panel as the figure
// does and finds the labels the plots elide or clip. With the shared calcium traces, a figure of 40 mm cells
// is warned about with the size each panel needs; the same panels in cells of that size are not; the
// double-column figure of 87 mm cells is not; the composer's status line says it; a string drawn past the
// panel's edge or elided is found by the text check itself.
#include <QLabel>
#include <QPainter>
#include <QtTest>

#include "AppTestSupport.h"
#include "FigureComposer.h"
#include "FigureLabelCheck.h"
#include "FigureRender.h"
#include "MainWindow.h"
#include "WidgetShot.h"

namespace {

// With NR_SHOT_DIR the figure at `dpi` is written there as NAME.png (to look at what the check found).
void savePage(const nr::Figure& f, const std::vector<FigurePanelData>& data, int dpi, const QString& name) {
    const QByteArray dir = qgetenv("NR_SHOT_DIR");
    if (dir.isEmpty()) return;
    QImage img(figurePixels(f, dpi), QImage::Format_RGB32);
    QPainter p(&img);
    paintFigure(p, f, data, dpi);
    p.end();
    img.save(QString::fromLocal8Bit(dir) + "/" + name + ".png");
}

nr::Figure tracesFigure(nr::LayerId traces, double widthMm, double heightMm) {
    nr::Figure f;
    f.name = "Labels";
    f.widthMm = widthMm;
    f.heightMm = heightMm;
    f.rows = 2;
    f.cols = 2;
    auto add = [&f](nr::PanelView v, nr::LayerId l, int r, int c) {
        nr::FigurePanel p;
        p.view = v;
        p.layer = l;
        p.row = r, p.col = c;
        f.panels.push_back(p);
    };
    add(nr::PanelView::Traces, traces, 0, 0);
    add(nr::PanelView::FcMatrix, traces, 0, 1);
    add(nr::PanelView::Communities, traces, 1, 0);
    add(nr::PanelView::StructureFunction, traces, 1, 1);
    return f;
}

} // namespace

class TestFigureLabelFit : public QObject {
    Q_OBJECT
    MainWindow* w_ = nullptr;
    nr::LayerId traces_ = 0;

private slots:
    void initTestCase() {
        w_ = new MainWindow;
        w_->resize(1200, 800);
        QCOMPARE(w_->openFilesBlocking({apptest::kData + "/activity/atanas2023_traces.csv"}), QString());
        QCOMPARE(w_->openFilesBlocking({apptest::herm(), apptest::somas()}), QString());
        const nr::Layer* l = w_->document().current(nr::LayerKind::Traces);
        QVERIFY(l);
        traces_ = l->id;
    }
    void cleanupTestCase() { delete w_; }

    void smallCellsAreWarnedWithTheSizeTheyNeed() {
        const int dpi = 300;
        const nr::Figure small = tracesFigure(traces_, 85, 85); // cells of about 40 x 40 mm
        const std::vector<FigurePanelData> data = figureDataFromDocument(small, w_->document());
        QCOMPARE(figureProblems(small, data), QString());
        const std::vector<FigureLabelWarning> ws = figureLabelWarnings(small, data, dpi);
        savePage(small, data, dpi, "labels_small");
        for (const FigureLabelWarning& w : ws) qInfo("%s", qPrintable(w.message));
        QVERIFY(ws.size() >= 2);
        for (const FigureLabelWarning& w : ws) {
            QVERIFY(!w.audit.fits());
            QVERIFY2(w.message.startsWith(QStringLiteral("panel %1 (").arg(QChar('A' + int(w.panel)))),
                     qPrintable(w.message));
            QVERIFY2(w.message.contains(" at 7 pt in 40 x 40 mm"), qPrintable(w.message));
            QVERIFY2(w.message.contains("; it needs about "), qPrintable(w.message));
            QVERIFY(w.neededWmm > w.cellWmm && w.neededHmm > w.cellHmm);

            // The same panel alone in a cell of the size it was said to need: its labels fit.
            nr::Figure one = small;
            one.rows = one.cols = 1;
            one.panels = {small.panels[w.panel]};
            one.panels[0].row = one.panels[0].col = 0;
            one.widthMm = std::ceil(w.neededWmm) + 1.5 + 0.5; // the page's margin around the cell
            one.heightMm = std::ceil(w.neededHmm) + 1.5 + 0.5;
            const std::vector<FigureLabelWarning> again =
                figureLabelWarnings(one, figureDataFromDocument(one, w_->document()), dpi);
            QVERIFY2(again.empty(), qPrintable(again.empty() ? QString() : again[0].message));
        }
        // A panel that was warned about really drew elided or clipped text (not just a check of sizes).
        const FigureLabelWarning& w = ws.front();
        QVERIFY(!w.audit.examples.isEmpty());
        QVERIFY(w.audit.strings > w.audit.clipped + w.audit.elided);
    }

    void doubleColumnCellsAreFine() {
        // 87 x 95 mm cells, as test_figure_panels draws these panels.
        const nr::Figure big = tracesFigure(traces_, 174, 190);
        const std::vector<FigurePanelData> data = figureDataFromDocument(big, w_->document());
        savePage(big, data, 96, "labels_big_96");
        for (int dpi : {96, 300, 600}) {
            const std::vector<FigureLabelWarning> ws = figureLabelWarnings(big, data, dpi);
            QVERIFY2(ws.empty(), qPrintable(QString::number(dpi) + ": " + (ws.empty() ? "" : ws[0].message)));
        }
    }

    // The text check on its own: a string past the panel's edge and an elided one are found, whole ones not.
    void textCheckFindsClippedAndElidedStrings() {
        nr::Figure f;
        f.rows = f.cols = 1;
        nr::FigurePanel p;
        p.view = nr::PanelView::Histogram;
        p.layer = 1;
        f.panels.push_back(p);
        FigurePanelData d;
        d.histogram.lo = 0;
        d.histogram.hi = 1;
        d.histogram.counts = {3, 5, 2};
        d.quantity = QStringLiteral("a quantity with a long name that cannot fit in a narrow panel");
        d.unit = QStringLiteral("µm");
        const FigureTextAudit wide = auditFigurePanelText(f, 0, d, QRectF(0, 0, 2400, 1200), 300);
        QVERIFY(wide.strings >= 5);
        QVERIFY2(wide.fits(), qPrintable(wide.examples.join("; ")));
        const FigureTextAudit narrow = auditFigurePanelText(f, 0, d, QRectF(0, 0, 300, 1200), 300);
        QVERIFY(narrow.clipped >= 1);
        QVERIFY(narrow.examples.join(" ").contains("a quantity with a long name"));
    }

    void composerSaysWhichPanelIsTooSmall() {
        w_->figures().push_back(tracesFigure(traces_, 85, 85));
        auto* c = new FigureComposer(w_, "Labels");
        c->show();
        QVERIFY(QTest::qWaitForWindowExposed(c));
        c->refresh();
        QString status;
        for (QLabel* l : c->findChildren<QLabel*>())
            if (l->text().contains("Labels do not fit")) status = l->text();
        QVERIFY2(status.contains("panel ") && status.contains("it needs about"), qPrintable(status));
        nrtest::shot(c, "figure_labels_composer");
        c->close();
        delete c;
        w_->figures().clear();
    }
};

QTEST_MAIN(TestFigureLabelFit)
#include "test_figure_label_fit.moc"
