// Labels in 3-D figure panels (settings.labels: nodes of a network, neurons of a morphologies layer) written
// as vector text next to the point they name, and the composer's Panel box that edits a panel's title,
// colouring, labels and camera.
#include <QComboBox>
#include <QLineEdit>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>
#include <set>

#include "AppTestSupport.h"
#include "ConnectomePanel.h"
#include "FigureComposer.h"
#include "FigureRender.h"
#include "FigureTestSupport.h"
#include "MainWindow.h"
#include "Session.h"
#include "WidgetShot.h"
#include "model/Document.h"
#include "morph/Morphology.h"
#include "vtk/ConnectomeView.h"

using apptest::layerOf;
using apptest::svgTexts;

namespace {

const QString kSwc = apptest::kData + QStringLiteral("/neurons/swc/C031097B-I4.CNG.swc");

nr::Figure oneNetworkPanel(nr::LayerId graph, const std::vector<std::string>& labels) {
    nr::Figure f = nrtest::figurePage("Labelled", 114, 80, 1, 1);
    nr::FigurePanel p;
    p.view = nr::PanelView::Network;
    p.layer = graph;
    p.colorBy = "class";
    nr::JsonValue names = nr::JsonValue::array();
    for (const std::string& s : labels) names.push(nr::JsonValue::string(s));
    p.settings.set("labels", std::move(names));
    f.panels.push_back(p);
    return f;
}

} // namespace

class TestFigureLabels : public QObject {
    Q_OBJECT

private slots:
    // The figure camera's projection puts a node where the render drew it: the pixel under a projected node
    // is not the white background.
    void figureProjectionHitsTheDrawnNodes() {
        MainWindow w;
        w.resize(1000, 700);
        QCOMPARE(w.openFilesBlocking({apptest::herm(), apptest::somas()}), QString());
        const nr::Layer* l = w.document().find(layerOf(w, nr::LayerKind::Graph));
        QVERIFY(l && l->graph && l->graph->hasPositions());
        ConnectomeView view;
        view.setAttribute(Qt::WA_DontShowOnScreen);
        view.resize(640, 400);
        view.setWhiteBackground(true);
        view.setOverlayVisible(false);
        view.show();
        QTRY_VERIFY(view.hasContext());
        view.setGraph(l->graph);
        view.setNodeSize(3);
        view.setEdgeOpacity(0);
        view.resetCamera();
        view.lod().settle();
        const QImage img = view.renderFigure(QSize(900, 500), false).convertToFormat(QImage::Format_RGB32);
        QVERIFY(!img.isNull());
        const nr::Graph& g = *l->graph;
        int inside = 0, onNode = 0;
        for (size_t i = 0; i < g.nodeCount(); i += 3) {
            const double p[3] = {g.x[i], g.y[i], g.z[i]};
            const std::optional<QPointF> q = view.figureProject(p);
            QVERIFY(q);
            const QPoint px = q->toPoint();
            if (!img.rect().adjusted(1, 1, -1, -1).contains(px)) continue;
            ++inside;
            // The node's disc covers its centre pixel or one beside it.
            bool hit = false;
            for (int dy = -1; dy <= 1 && !hit; ++dy)
                for (int dx = -1; dx <= 1 && !hit; ++dx)
                    hit = qGray(img.pixel(px.x() + dx, px.y() + dy)) < 235;
            onNode += hit;
        }
        QVERIFY2(inside > int(g.nodeCount() / 3) * 9 / 10, qPrintable(QString::number(inside)));
        QVERIFY2(onNode >= inside * 95 / 100, qPrintable(QStringLiteral("%1 of %2").arg(onNode).arg(inside)));
    }

    void labelsAreVectorTextAndBadNamesAreRefused() {
        QTemporaryDir dir;
        MainWindow w;
        w.resize(1000, 700);
        QCOMPARE(w.openFilesBlocking({apptest::herm(), apptest::somas()}), QString());
        QCOMPARE(w.openFilesBlocking({kSwc}), QString());
        const nr::LayerId graph = layerOf(w, nr::LayerKind::Graph);
        const nr::LayerId morph = layerOf(w, nr::LayerKind::Morphologies);
        QVERIFY(graph && morph);

        // Names as the user types them: case-insensitive, written as the network spells them.
        nr::Figure f = oneNetworkPanel(graph, {"AVAL", "pvcl", "ADAL", "RIML"});
        std::vector<FigurePanelData> data = figureDataFromDocument(f, w.document());
        QCOMPARE(figureProblems(f, data), QString());
        QCOMPARE(data[0].labelAnchors.size(), size_t(4));
        QCOMPARE(data[0].labelAnchors[1].text, QStringLiteral("PVCL"));
        const QString svg = dir.filePath("labels.svg");
        FigureWriteStats st;
        QCOMPARE(writeFigure(f, data, svg, 300, &st), QString());
        QVERIFY2(st.warnings.isEmpty(), qPrintable(st.warnings.join('\n')));
        QString err;
        const std::set<QString> texts = svgTexts(svg, &err);
        QVERIFY2(err.isEmpty(), qPrintable(err));
        for (const char* name : {"AVAL", "PVCL", "ADAL", "RIML"})
            QVERIFY2(texts.count(QString::fromLatin1(name)), name);
        if (const QByteArray shots = qgetenv("NR_SHOT_DIR"); !shots.isEmpty())
            QCOMPARE(writeFigure(f, data, QString::fromLocal8Bit(shots) + "/figure_labels.png", 300),
                     QString());

        // A name the network does not hold: the panel says which name and refuses to draw without it.
        nr::Figure bad = oneNetworkPanel(graph, {"AVAL", "NOPE1"});
        const QString why = figureProblems(bad, figureDataFromDocument(bad, w.document()));
        QVERIFY2(why.contains("panel A (network)") &&
                     why.contains("settings.labels names \"NOPE1\", which is "
                                  "not a node of it"),
                 qPrintable(why));
        bad.panels[0].settings.set("labels", "AVAL");
        QVERIFY(figureProblems(bad, figureDataFromDocument(bad, w.document()))
                    .contains("is not a list of names"));

        // A font family this machine lacks: drawn in another, and said.
        nr::Figure font = oneNetworkPanel(graph, {});
        font.fontFamily = "No Such Family 12";
        FigureWriteStats fontSt;
        QCOMPARE(writeFigure(font, figureDataFromDocument(font, w.document()), dir.filePath("font.svg"), 150,
                             &fontSt),
                 QString());
        QVERIFY2(fontSt.warnings.join('\n').contains("the font \"No Such Family 12\" is not installed"),
                 qPrintable(fontSt.warnings.join('\n')));

        // A camera looking away from the network: the labels are outside the picture, which the export says.
        nr::Figure away = oneNetworkPanel(graph, {"AVAL"});
        nr::FigurePanelCamera cam;
        cam.position = {0, 0, 5000};
        cam.focalPoint = {0, 0, 10000};
        away.panels[0].camera = cam;
        FigureWriteStats awaySt;
        QCOMPARE(writeFigure(away, figureDataFromDocument(away, w.document()), dir.filePath("away.svg"), 150,
                             &awaySt),
                 QString());
        QVERIFY2(awaySt.warnings.join('\n').contains(
                     "panel A (network): labels outside the picture (not drawn): AVAL"),
                 qPrintable(awaySt.warnings.join('\n')));

        // A neuron named in a 3-D neurons panel.
        const nr::Layer* ml = w.document().find(morph);
        auto set = std::any_cast<std::shared_ptr<const nr::MorphologySet>>(&ml->payload);
        QVERIFY(set && *set && !(*set)->neurons.empty());
        const std::string neuron = (*set)->neurons[0].name;
        nr::Figure nf = nrtest::figurePage("Neuron", 85, 70, 1, 1);
        nr::FigurePanel np;
        np.view = nr::PanelView::Neurons;
        np.layer = morph;
        np.settings.set("labels", nr::JsonValue::array().push(nr::JsonValue::string(neuron)));
        nf.panels.push_back(np);
        const QString nsvg = dir.filePath("neuron.svg");
        QCOMPARE(writeFigure(nf, figureDataFromDocument(nf, w.document()), nsvg, 300), QString());
        QVERIFY(svgTexts(nsvg, &err).count(QString::fromStdString(neuron)));
    }

    // The composer's Panel box writes a panel's title, colouring and labels, takes the window's camera, and
    // all of it comes back from the session.
    void composerPanelBoxEditsAPanelAndTheSessionKeepsIt() {
        QTemporaryDir dir;
        const QString session = dir.filePath("s.nrsession");
        MainWindow w;
        w.resize(1200, 800);
        w.show();
        QCOMPARE(w.openFilesBlocking({apptest::herm(), apptest::somas()}), QString());
        const nr::LayerId graph = layerOf(w, nr::LayerKind::Graph);
        auto* c = new FigureComposer(&w);
        c->show();
        c->resize(1024, 700);
        c->setCell(0, 0, 0, graph); // the first view: 3-D network
        QVERIFY(c->pickPanel(0, 0));
        QVERIFY(!c->pickPanel(1, 1)); // no panel there
        auto* title = c->findChild<QLineEdit*>("panelTitle");
        auto* labels = c->findChild<QLineEdit*>("panelLabels");
        auto* colorBy = c->findChild<QComboBox*>("panelColorBy");
        QVERIFY(title && labels && colorBy);
        QVERIFY(labels->isEnabled() && colorBy->isEnabled());
        title->setText("Head neurons");
        emit title->editingFinished();
        labels->setText("AVAL,  AVAR , ");
        emit labels->editingFinished();
        const int degree = colorBy->findText("degree");
        QVERIFY(degree > 0);
        colorBy->setCurrentIndex(degree);
        emit colorBy->activated(degree);
        const nr::FigurePanel& p = c->figure().panels.at(0);
        QCOMPARE(p.title, std::string("Head neurons"));
        QCOMPARE(p.colorBy, std::string("degree"));
        const nr::JsonValue* l = p.settings.get("labels");
        QVERIFY(l && l->isArray() && l->arr.size() == 2);
        QCOMPARE(l->arr[1].str, std::string("AVAR"));
        // The window's view, turned: the panel takes its camera.
        QVERIFY(!p.camera);
        ConnectomeView* v = w.connectomeView();
        VtkView::CameraState cam = v->camera();
        cam.pos[0] += 123.5;
        v->setCamera(cam);
        const VtkView::CameraState set = v->camera();
        // ... and the Network dock's edge filter: electrical synapses hidden, weights of 3 and more.
        EdgeFilter ef = w.connectomePanel()->currentFilter();
        const nr::Graph& g = *w.document().find(graph)->graph;
        ef.minWeight = 3;
        ef.typeVisible.assign(g.edgeTypes.size(), true);
        size_t electrical = g.edgeTypes.size(), shown = 0;
        for (size_t k = 0; k < g.edgeTypes.size(); ++k)
            if (g.edgeTypes[k] == "electrical") electrical = k, ef.typeVisible[k] = false;
        QVERIFY(electrical < g.edgeTypes.size());
        for (size_t e = 0; e < g.edgeCount(); ++e) shown += g.type[e] != electrical && g.weight[e] >= 3;
        QVERIFY(shown > 0);
        w.connectomePanel()->applyFilter(ef);
        QVERIFY(c->cameraFromWindow());
        QVERIFY(c->figure().panels.at(0).camera);
        QCOMPARE(c->figure().panels.at(0).camera->position[0], set.pos[0]);
        QCOMPARE(c->figure().panels.at(0).settings.numberOr("minWeight", 0), 3.0);
        const std::string dockColor = w.connectomePanel()->colorBy().toStdString();
        QCOMPARE(c->figure().panels.at(0).colorBy, dockColor); // the window's colouring came along
        const nr::JsonValue* types = c->figure().panels.at(0).settings.get("edgeTypes");
        QVERIFY(types && types->arr.size() == g.edgeTypes.size() - 1);
        // The figure's edge key lists only the types drawn, with the edges that pass.
        nr::Figure one = c->figure();
        one.panels.resize(1);
        const QString fsvg = dir.filePath("filtered.svg");
        QCOMPARE(writeFigure(one, figureDataFromDocument(one, w.document()), fsvg, 150), QString());
        QString err;
        const std::set<QString> texts = svgTexts(fsvg, &err);
        QVERIFY(texts.count(QStringLiteral("edges (weight ≥ 3)")));
        bool anyElectrical = false;
        for (const QString& s : texts) anyElectrical = anyElectrical || s.startsWith("electrical edges");
        QVERIFY(!anyElectrical);
        QVERIFY2(texts.count(QStringLiteral("chemical edges (%1)").arg(shown)),
                 qPrintable(QString::number(shown)));
        // A type the network does not have is a panel problem.
        one.panels[0].settings.set("edgeTypes", nr::JsonValue::array().push(nr::JsonValue::string("gap")));
        QVERIFY(figureProblems(one, figureDataFromDocument(one, w.document()))
                    .contains("settings.edgeTypes names \"gap\", which is not one of its edge types"));
        // A 2-D panel has no labels or colouring to edit.
        int adjacency = -1;
        for (size_t k = 0; k < nr::allPanelViews().size(); ++k)
            if (nr::allPanelViews()[k] == nr::PanelView::Adjacency) adjacency = int(k);
        c->setCell(1, 0, adjacency, graph);
        QVERIFY(c->pickPanel(1, 0));
        QVERIFY(!labels->isEnabled() && !colorBy->isEnabled());
        QVERIFY(c->pickPanel(0, 0));
        QCOMPARE(labels->text(), QStringLiteral("AVAL, AVAR"));
        c->refresh();
        nrtest::shot(c, "figure_composer_panel_box");
        // Undo steps back through the edits (the filter, the camera, then the colour), redo forward again.
        const nr::Figure edited = c->figure();
        QCOMPARE(c->figure().panels.size(), size_t(2));
        QVERIFY(c->undo()); // the adjacency panel
        QCOMPARE(c->figure().panels.size(), size_t(1));
        QVERIFY(c->figure().panels.at(0).settings.get("edgeTypes"));
        QVERIFY(c->undo()); // the window's camera, colouring and filter
        QVERIFY(!c->figure().panels.at(0).settings.get("edgeTypes"));
        QVERIFY(!c->figure().panels.at(0).camera);
        QVERIFY(c->redo());
        QVERIFY(c->redo());
        QVERIFY(nr::figureJson(c->figure()) == nr::figureJson(edited));
        QVERIFY(!c->redo());
        auto* rows = c->findChild<QSpinBox*>("rows");
        QVERIFY(rows);
        const int rowsBefore = c->figure().rows;
        rows->setValue(rowsBefore + 1);
        QCOMPARE(c->figure().rows, rowsBefore + 1);
        QVERIFY(c->undo());
        QCOMPARE(c->figure().rows, rowsBefore);
        QCOMPARE(rows->value(), rowsBefore); // the controls follow
        QVERIFY(nr::figureJson(c->figure()) == nr::figureJson(edited));
        QCOMPARE(labels->text(), QStringLiteral("AVAL, AVAR"));
        int steps = 0;
        while (c->undo()) ++steps;
        QVERIFY(steps >= 4);
        QVERIFY(c->figure().panels.empty());
        while (c->redo()) --steps;
        QCOMPARE(steps, -1); // every edit again, up to the extra row that was undone last
        QCOMPARE(c->figure().rows, rowsBefore + 1);
        QVERIFY(c->undo());
        QVERIFY(nr::figureJson(c->figure()) == nr::figureJson(edited));
        const std::string name = c->figure().name;
        c->close();
        QCOMPARE(saveSession(&w, session), QString());

        MainWindow w2;
        QCOMPARE(loadSession(&w2, session, OutsidePaths::Allow).error, QString());
        const nr::Figure* back = nullptr;
        for (const nr::Figure& f : w2.figures())
            if (f.name == name) back = &f;
        QVERIFY(back && !back->panels.empty());
        QCOMPARE(back->panels[0].title, std::string("Head neurons"));
        QCOMPARE(back->panels[0].colorBy, dockColor);
        QCOMPARE(back->panels[0].settings.numberOr("minWeight", 0), 3.0);
        QVERIFY(back->panels[0].camera);
        QCOMPARE(back->panels[0].camera->position[0], set.pos[0]);
        const nr::JsonValue* bl = back->panels[0].settings.get("labels");
        QVERIFY(bl && bl->arr.size() == 2 && bl->arr[0].str == "AVAL");
    }
};

QTEST_MAIN(TestFigureLabels)
#include "test_figure_labels.moc"
