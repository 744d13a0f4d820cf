// The Neuron dock: clicking a neuron in the Neurons view shows its morphometrics and its Sholl profile, the
// same numbers `neurorama analyze morphometry --out` writes (read back from its CSV here); the plot draws a
// dot at every shell (pixels read back), has axis titles with units and exports to PNG, SVG and PDF.
// The image beside the labels: `--screenshot` with labels and the FISBe image prints both summaries.
#include <QApplication>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>
#include <fstream>
#include <sstream>

#include "AppTestSupport.h"
#include "FigureExport.h"
#include "MainWindow.h"
#include "NeuronPanel.h"
#include "plots/ShollPlot.h"
#include "plugin/AnalyzeCommand.h"
#include "vtk/NeuronView.h"

namespace {

const QString kSwc = apptest::kData + QStringLiteral("/neurons/swc/C031097B-I4.CNG.swc");

// The rows of `# table sholl` in a results CSV: radius and intersections.
bool readShollTable(const std::string& path, std::vector<double>& r, std::vector<int>& n) {
    std::ifstream f(path);
    std::string line;
    bool in = false, header = false;
    while (std::getline(f, line)) {
        if (line.rfind("# table ", 0) == 0) {
            in = line == "# table sholl";
            header = in;
            continue;
        }
        if (!in || line.empty() || line[0] == '#') continue;
        if (header) {
            header = false; // neuron,radius,intersections
            continue;
        }
        std::stringstream s(line);
        std::string name, rad, cnt;
        std::getline(s, name, ',');
        std::getline(s, rad, ',');
        std::getline(s, cnt, ',');
        r.push_back(std::stod(rad));
        n.push_back(std::stoi(cnt));
    }
    return !r.empty();
}

} // namespace

class TestNeuronPanel : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private slots:
    void initTestCase() {
        if (qEnvironmentVariableIsEmpty("NR_PLUGIN_PATH"))
            qputenv("NR_PLUGIN_PATH",
                    (QCoreApplication::applicationDirPath() + "/../lib/neurorama/plugins").toLocal8Bit());
    }

    void pickShowsShollProfile() {
        // the plugin's profile, as a user gets it
        const std::string csv = dir_.filePath("m.csv").toStdString();
        std::ostringstream out, err;
        QCOMPARE(
            nr::runAnalyzeCommand({"morphometry", "--input", kSwc.toStdString(), "--out", csv}, out, err), 0);
        std::vector<double> wantR;
        std::vector<int> wantN;
        QVERIFY(readShollTable(csv, wantR, wantN));
        QCOMPARE(wantR.size(), size_t(50));

        MainWindow w;
        w.resize(1280, 800);
        QCOMPARE(w.openFilesBlocking({kSwc}), QString());
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        NeuronView* view = w.neuronView();
        QVERIFY(view);
        QVERIFY(w.neuronPanel());
        QVERIFY(!w.neuronPanel()->isVisible()); // until a neuron is picked
        {
            FigureSpec none;
            none.path = dir_.filePath(QStringLiteral("none.png"));
            QVERIFY(exportViewFigure(&w, QStringLiteral("sholl"), none)
                        .contains(QStringLiteral("no neuron is picked")));
        }
        QTest::qWait(200);
        // click the soma (node 0)
        double p[3];
        QVERIFY(view->nodePosition(0, 0, p));
        const QPoint at = view->projectPoint(p[0], p[1], p[2]).toPoint();
        QTest::mouseClick(view, Qt::LeftButton, Qt::NoModifier, at);
        QTest::qWait(100);
        NeuronPanel* panel = w.neuronPanel();
        QTRY_VERIFY(panel->isVisible());
        QCOMPARE(panel->neuron(), 0);
        QCOMPARE(panel->metrics().branchPoints, size_t(293));
        QCOMPARE(panel->metrics().tips, size_t(296));
        QVERIFY(panel->metricsText().contains(QStringLiteral("branch points 293, tips 296")));
        ShollPlot* plot = panel->shollPlot();
        QCOMPARE(plot->radii().size(), wantR.size());
        for (size_t k = 0; k < wantR.size(); ++k) {
            QVERIFY2(
                std::abs(plot->radii()[k] - wantR[k]) <= 1e-4 * std::max(1.0, wantR[k]),
                qPrintable(QStringLiteral("shell %1: %2 vs %3").arg(k).arg(plot->radii()[k]).arg(wantR[k])));
            QCOMPARE(plot->intersections()[k], wantN[k]);
        }
        QCOMPARE(plot->xTitle(), QStringLiteral("radius from soma (µm)"));
        QCOMPARE(plot->yTitle(), QStringLiteral("intersections (count)"));

        // the picture: a dot of the curve's colour at every shell
        const QSize px(640, 420);
        const QImage img = plot->renderImage(px, false);
        QVERIFY(!img.isNull());
        img.save(QStringLiteral("sholl_plot.png"));
        const QSizeF logical(px.width() / plot->exportScale(px), px.height() / plot->exportScale(px));
        const double s = plot->exportScale(px);
        const QColor cc = ShollPlot::curveColor();
        for (size_t k = 0; k < wantR.size(); ++k) {
            const QPointF q = plot->pointPosition(k, logical) * s;
            const QColor c = img.pixelColor(q.toPoint());
            QVERIFY2(
                std::abs(c.red() - cc.red()) < 40 && std::abs(c.green() - cc.green()) < 40 &&
                    std::abs(c.blue() - cc.blue()) < 40,
                qPrintable(
                    QStringLiteral("shell %1 at (%2,%3): %4").arg(k).arg(q.x()).arg(q.y()).arg(c.name())));
        }
        // the highest shell is at the top of the data area, the last (outermost) at its right edge
        const QRectF a = plot->dataRect(logical);
        int top = 0;
        for (size_t k = 1; k < wantN.size(); ++k)
            if (wantN[k] > wantN[size_t(top)]) top = int(k);
        QCOMPARE(plot->pointPosition(size_t(top), logical).y(), a.top());
        QCOMPARE(plot->pointPosition(wantR.size() - 1, logical).x(), a.right());

        // exports like the other plots
        for (const char* ext : {"png", "svg", "pdf"}) {
            const QString path = dir_.filePath(QStringLiteral("sholl.%1").arg(QLatin1String(ext)));
            QCOMPARE(panel->exportSholl(path, QSize(1200, 800), 300, false), QString());
            QVERIFY(QFileInfo(path).size() > 1000);
        }
        // and through the window's list of figure views (File > Export Figure, `export --view sholl`)
        FigureSpec spec;
        spec.path = dir_.filePath(QStringLiteral("view.pdf"));
        spec.pixels = QSize(900, 600);
        QCOMPARE(exportViewFigure(&w, QStringLiteral("sholl"), spec), QString());
        QVERIFY(QFileInfo(spec.path).size() > 1000);
        QFile svg(dir_.filePath(QStringLiteral("sholl.svg")));
        QVERIFY(svg.open(QIODevice::ReadOnly));
        const QByteArray text = svg.readAll();
        QVERIFY(text.contains("intersections (count)"));
        QVERIFY(text.contains("radius from soma"));
        // a click on empty space leaves the panel as it was
        QTest::mouseClick(view, Qt::LeftButton, Qt::NoModifier, QPoint(3, view->height() - 3));
        QCOMPARE(panel->neuron(), 0);
        panel->showNeuron(nullptr, -1);
        QVERIFY(panel->exportSholl(dir_.filePath(QStringLiteral("x.png")), QSize(100, 100), 300, false)
                    .contains(QStringLiteral("pick a neuron first")));
    }

    void screenshotLabelsWithImage() {
        const QString pred = apptest::kData + QStringLiteral("/labels/fisbe/R14A02-20180905_65_A6_pred.hdf");
        const QString png = dir_.filePath(QStringLiteral("both.png"));
        const auto r = apptest::runApp({QStringLiteral("--screenshot"), png, QStringLiteral("--size"),
                                        QStringLiteral("1024x700"), pred, QStringLiteral("--array"),
                                        QStringLiteral("volumes/gmm_label_cleaned"),
                                        pred + QStringLiteral(":/volumes/gmm_image")},
                                       600000);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(QStringLiteral("volume instances=11 shape=385x685x686")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("image shape=385x685x686x3")), qPrintable(r.out));
        QVERIFY(QFileInfo(png).size() > 1000);
        // --array without a file to read it from
        const auto bad = apptest::runApp(
            {QStringLiteral("--screenshot"), png, QStringLiteral("--array"), QStringLiteral("volumes/x")});
        QCOMPARE(bad.code, 2); // a command-line error
        QVERIFY(bad.err.contains(QStringLiteral("--array volumes/x: no file")));
    }
};

QTEST_MAIN(TestNeuronPanel)
#include "test_neuron_panel.moc"
