// Figure panels drawn by the window's plots and 3-D views: a traces heatmap, the functional connectivity
// matrix of the traces, structure vs function, communities, the adjacency matrix of a connectome, a neuron's
// Sholl profile, and vessels and neurons in 3-D with their keys as vector text, from the shared data. The SVG
// holds every axis title and colour-bar label (with its units) as text; a panel given a layer of the wrong
// kind or a missing layer says so; the composer offers only fitting layers and refuses a drop of a layer a
// cell's view cannot draw; the figure saved in a session and reopened is written to the identical file.
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>
#include <algorithm>
#include <set>

#include "AppTestSupport.h"
#include "FigureComposer.h"
#include "FigureRender.h"
#include "FigureTestSupport.h"
#include "MainWindow.h"
#include "Session.h"
#include "WidgetShot.h"
#include "analysis/Pca.h"
#include "model/Graph.h"
#include "model/SpikeStore.h"
#include "morph/LabelVolume.h"
#include "morph/Morphology.h"
#include "session/Session.h"
#include "traces/Traces.h"
#include <random>

using apptest::layerOf;
using apptest::readAll;
using apptest::svgTexts;

namespace {

const QString kTraces = apptest::kData + QStringLiteral("/activity/atanas2023_traces.csv");
const QString kSwc = apptest::kData + QStringLiteral("/neurons/swc/C031097B-I4.CNG.swc");
const QString kSpikes = apptest::kData + QStringLiteral("/spikes/spikes.csv");

bool anyMatches(const std::set<QString>& texts, const QString& pattern) {
    const QRegularExpression re(pattern);
    for (const QString& s : texts)
        if (re.match(s).hasMatch()) return true;
    qWarning() << "no text matches" << pattern;
    return false;
}

// A generated network recording: 160 excitatory units at 5 Hz and 40 inhibitory ones at 20 Hz (Poisson),
// 2 s, with 8 stimulus epochs of 200 ms alternating between two conditions; in condition 1 the first 50
// excitatory units fire at 40 Hz.
nr::Layer generatedSpikes() {
    nr::Layer l;
    l.kind = nr::LayerKind::Spikes;
    l.name = "generated E/I";
    const uint32_t nE = 160, nI = 40, n = nE + nI;
    auto g = std::make_shared<nr::Graph>();
    g->nodeClass.resize(n);
    for (uint32_t u = 0; u < n; ++u) g->nodeClass[u] = u < nE ? "E" : "I";
    l.graph = g;
    for (int k = 0; k < 8; ++k) l.epochs.push_back({0.2 + 0.2 * k, 0.4 + 0.2 * k, k % 2, k});
    std::mt19937_64 rng(3);
    nr::SpikeTrains s;
    s.tStart = 0, s.tStop = 2.0;
    for (uint32_t u = 0; u < n; ++u) s.unitIds.push_back(u);
    std::vector<std::pair<double, uint32_t>> ev;
    for (uint32_t u = 0; u < n; ++u) {
        // Thinning: candidates at 40 Hz, each kept with the rate at its time / 40.
        std::uniform_real_distribution<double> U(0, 1);
        for (double t = -std::log(1 - U(rng)) / 40; t < 2.0; t += -std::log(1 - U(rng)) / 40) {
            const bool driven = u < 50 && t >= 0.2 && t < 1.8 && int((t - 0.2) / 0.2) % 2 == 1;
            const double rate = u >= nE ? 20 : driven ? 40 : 5;
            if (U(rng) < rate / 40) ev.emplace_back(t, u);
        }
    }
    std::sort(ev.begin(), ev.end());
    for (const auto& [t, u] : ev) s.add(t, u);
    l.spikes = std::make_shared<nr::SpikeStore>();
    l.spikes->assign(s);
    return l;
}

// A 3 x 2 figure (a journal's double column, cells 87 mm wide): traces heatmap, FC matrix; structure vs
// function, adjacency (weights in synapses); Sholl profile, communities over time.
nr::Figure panelsFigure(nr::LayerId traces, nr::LayerId graph, nr::LayerId morph) {
    nr::Figure f = nrtest::figurePage("Panels", 174, 190, 3, 2);
    auto add = [&f](nr::PanelView v, nr::LayerId l, int r, int c, const char* title) {
        nr::FigurePanel p;
        p.view = v;
        p.layer = l;
        p.row = r, p.col = c;
        p.title = title;
        f.panels.push_back(p);
        return &f.panels.back();
    };
    add(nr::PanelView::Traces, traces, 0, 0, "Calcium activity");
    add(nr::PanelView::FcMatrix, traces, 0, 1, "Functional connectivity");
    nr::FigurePanel* sf = add(nr::PanelView::StructureFunction, traces, 1, 0, "Structure vs function");
    sf->settings.set("weightUnit", "synapses");
    sf->settings.set("permutations", 200.0);
    add(nr::PanelView::Adjacency, graph, 1, 1, "Hermaphrodite connectome")
        ->settings.set("weightUnit", "synapses");
    add(nr::PanelView::Sholl, morph, 2, 0, "");
    add(nr::PanelView::Communities, traces, 2, 1, "Communities");
    return f;
}

} // namespace

class TestFigurePanels : public QObject {
    Q_OBJECT

private slots:
    void panelsDrawTheirLabelsAndComeBackFromASession() {
        QTemporaryDir dir;
        const QString session = dir.filePath("s.nrsession");
        const QString before = dir.filePath("before.svg"), after = dir.filePath("after.svg");
        nr::Figure f;
        QString valueLabel, firstName;
        {
            MainWindow w;
            w.resize(1200, 800);
            QCOMPARE(w.openFilesBlocking({kTraces}), QString());
            QCOMPARE(w.openFilesBlocking({apptest::herm(), apptest::somas()}), QString());
            QCOMPARE(w.openFilesBlocking({kSwc}), QString());
            const nr::LayerId traces = layerOf(w, nr::LayerKind::Traces);
            const nr::LayerId graph = layerOf(w, nr::LayerKind::Graph);
            const nr::LayerId morph = layerOf(w, nr::LayerKind::Morphologies);
            QVERIFY(traces && graph && morph);
            const nr::Layer* tl = w.document().find(traces);
            auto t = std::any_cast<std::shared_ptr<const nr::Traces>>(&tl->payload);
            QVERIFY(t && *t);
            valueLabel = QString::fromStdString(nr::valueLabel(**t));
            firstName = QString::fromStdString(*std::min_element((*t)->names.begin(), (*t)->names.end()));
            QVERIFY(!valueLabel.isEmpty());

            f = panelsFigure(traces, graph, morph);
            const std::vector<FigurePanelData> data = figureDataFromDocument(f, w.document());
            QCOMPARE(figureProblems(f, data), QString());
            QCOMPARE(data[1].n, int((*t)->neurons()));
            QCOMPARE(data[1].matrix.size(), (*t)->neurons() * (*t)->neurons());
            QVERIFY2(data[2].x.size() > 1000, qPrintable(QString::number(data[2].x.size())));
            QCOMPARE(data[2].x.size(), data[2].y.size());
            QVERIFY(data[3].adjacency.cells_ > 100);
            QVERIFY(!data[3].adjacency.groups.empty()); // grouped by class by default
            QVERIFY(data[4].shollRadius.size() > 3);
            QVERIFY(data[5].membership.size() > 10); // windows of 60 s every 10 s
            QCOMPARE(data[5].membership[0].size(), (*t)->neurons());

            FigureWriteStats st;
            QCOMPARE(writeFigure(f, data, before, 300, &st), QString());
            QCOMPARE(st.panels, 6);
            w.figures().push_back(f);
            QCOMPARE(saveSession(&w, session), QString());
            if (const QByteArray shots = qgetenv("NR_SHOT_DIR"); !shots.isEmpty()) {
                QCOMPARE(writeFigure(f, data, QString::fromLocal8Bit(shots) + "/figure_panels.png", 300),
                         QString());
                QFile::remove(QString::fromLocal8Bit(shots) + "/figure_panels.nrsession");
                QFile::copy(session, QString::fromLocal8Bit(shots) + "/figure_panels.nrsession");
            }

            // The 3-D network coloured by degree: its colour bar says the unit; a colorUnit names another.
            {
                nr::Figure net = nrtest::figurePage("Net", 85, 60, 1, 1);
                nr::FigurePanel np;
                np.view = nr::PanelView::Network;
                np.layer = graph;
                np.colorBy = "degree";
                net.panels.push_back(np);
                const QString nsvg = dir.filePath("net.svg");
                QCOMPARE(writeFigure(net, figureDataFromDocument(net, w.document()), nsvg, 150), QString());
                QString e;
                auto starts = [&](const QString& prefix) {
                    for (const QString& x : svgTexts(nsvg, &e))
                        if (x.startsWith(prefix)) return true;
                    return false;
                };
                QVERIFY(starts("degree (edges)")); // "(log scale)" may follow
                net.panels[0].colorBy = "soma_diam";
                net.panels[0].settings.set("colorUnit", "µm");
                QCOMPARE(writeFigure(net, figureDataFromDocument(net, w.document()), nsvg, 150), QString());
                QVERIFY(starts("soma_diam (µm)"));
            }
            // A layer of the wrong kind and a missing layer: the panel says which layer and why.
            nr::Figure wrong = f;
            wrong.panels[3].layer = traces; // adjacency of a traces layer
            wrong.panels[4].layer = graph;  // Sholl profile of a network
            wrong.panels[0].layer = 4242;   // gone
            const QString why = figureProblems(wrong, figureDataFromDocument(wrong, w.document()));
            QVERIFY2(why.contains("panel D (adjacency): layer \"") && why.contains("is not a network"),
                     qPrintable(why));
            QVERIFY2(why.contains("panel E (sholl): layer \"") && why.contains("is not a morphologies layer"),
                     qPrintable(why));
            QVERIFY2(why.contains("panel A (traces): layer 4242 is not in the workspace"), qPrintable(why));
            nr::Figure badNeuron = f;
            badNeuron.panels[4].settings.set("neuron", 5.0);
            const QString whyNeuron =
                figureProblems(badNeuron, figureDataFromDocument(badNeuron, w.document()));
            QVERIFY2(whyNeuron.contains("has 1 neurons; settings.neuron 5 is not one of them"),
                     qPrintable(whyNeuron));
        }

        QString err;
        const std::set<QString> texts = svgTexts(before, &err);
        QVERIFY2(err.isEmpty(), qPrintable(err));
        auto has = [&](const QString& s) {
            if (!texts.count(s)) qWarning() << "missing text" << s;
            return texts.count(s) > 0;
        };
        for (const char* letter : {"A", "B", "C", "D", "E", "F"}) QVERIFY(has(letter));
        // Traces: time axis and the colour bar saying what the values are.
        QVERIFY(has("time (s)"));
        QVERIFY(has(valueLabel));
        QVERIFY(has(firstName)); // the first row, by name
        // FC: colour bar label with its measure, range -1 .. 1.
        QVERIFY(has("Pearson r"));
        // Structure vs function: both axis titles with units, r and p.
        QVERIFY(has("structural weight (synapses) (log scale of 1 + w)"));
        QVERIFY(has("functional Pearson r"));
        bool legend = false; // the scatter's own legend names both colours
        for (const QString& s : texts) legend = legend || s.startsWith("not connected (");
        QVERIFY(legend);
        bool stats = false;
        for (const QString& s : texts) stats = stats || (s.startsWith("r = ") && s.contains(", p = "));
        QVERIFY(stats);
        // Adjacency: colour bar with the weight's unit, group legend entries.
        QVERIFY(has("weight (synapses)"));
        QVERIFY(has("SensoryNeuron"));
        QVERIFY(has("PolymodalNeuron"));
        for (const QString& s : texts) QVERIFY2(!s.endsWith(QChar(0x2026)), qPrintable("elided: " + s));
        // Sholl: both axis titles with units.
        QVERIFY(has("radius from soma (µm)"));
        QVERIFY(has("intersections (count)"));
        QVERIFY(has("Calcium activity"));
        // Communities: the time axis and the legend's heading.
        QVERIFY(has("window centre (s)"));
        QVERIFY(has("community"));

        // The session reopened: the figure is written to the identical file.
        MainWindow w2;
        w2.resize(1200, 800);
        const SessionReport rep = loadSession(&w2, session, OutsidePaths::Allow);
        QVERIFY2(rep.error.isEmpty(), qPrintable(rep.error));
        QCOMPARE(w2.figures().size(), size_t(1));
        const nr::Figure& back = w2.figures()[0];
        QCOMPARE(back.panels.size(), size_t(6));
        QCOMPARE(back.panels[3].settings.stringOr("weightUnit", ""), std::string("synapses"));
        QCOMPARE(writeFigure(back, figureDataFromDocument(back, w2.document()), after, 300), QString());
        QVERIFY(!readAll(before).isEmpty());
        QVERIFY(readAll(before) == readAll(after));
    }

    void threeDPanelsWithTheirKeysAsText() {
        MainWindow w;
        w.resize(1200, 800);
        QCOMPARE(w.openFilesBlocking({apptest::kData + "/vessel/example_nodes.csv",
                                      apptest::kData + "/vessel/example_edges.csv"}),
                 QString());
        const nr::LayerId vessels = layerOf(w, nr::LayerKind::Vessels);
        QVERIFY(vessels);
        nr::Figure f = nrtest::figurePage("Vessels", 174, 70, 1, 2);
        nr::FigurePanel a;
        a.view = nr::PanelView::Vessels;
        a.layer = vessels;
        f.panels.push_back(a);
        nr::FigurePanel b;
        b.view = nr::PanelView::Histogram;
        b.layer = vessels;
        b.col = 1;
        f.panels.push_back(b);
        const std::vector<FigurePanelData> data = figureDataFromDocument(f, w.document());
        QCOMPARE(figureProblems(f, data), QString());
        QTemporaryDir dir;
        const QString svg = dir.filePath("v.svg");
        FigureWriteStats st;
        QCOMPARE(writeFigure(f, data, svg, 300, &st), QString());
        QCOMPARE(st.panels, 2);
        QVERIFY(st.ms3d > 0);
        if (const QByteArray shots = qgetenv("NR_SHOT_DIR"); !shots.isEmpty())
            QCOMPARE(writeFigure(f, data, QString::fromLocal8Bit(shots) + "/figure_vessels.png", 300),
                     QString());
        QString err;
        const std::set<QString> texts = svgTexts(svg, &err);
        QVERIFY2(err.isEmpty(), qPrintable(err));
        // The colour bar's title names the radius column and its unit (the files' positions are voxels); the
        // scale bar and the histogram's axis say voxels too.
        QVERIFY2(texts.count("avgRadiusAvg (voxel)"), "no colour-bar title");
        QVERIFY2(texts.count("vessel radius (voxels)"), "no histogram axis title");
        bool scale = false;
        for (const QString& s : texts)
            scale = scale || QRegularExpression("^[0-9.]+ voxels$").match(s).hasMatch();
        QVERIFY2(scale, "no scale bar");
        // An unknown column to colour by is named with the columns there are.
        f.panels[0].colorBy = "pressure";
        const QString why = figureProblems(f, figureDataFromDocument(f, w.document()));
        QVERIFY2(why.contains("panel A (vessels)") &&
                     why.contains("colorBy \"pressure\" is not one of its edge "
                                  "columns (radius, "),
                 qPrintable(why));

        // Neurons in 3-D coloured by path distance: the colour bar's title with its unit, the scale bar in
        // µm.
        QCOMPARE(w.openFilesBlocking({kSwc}), QString());
        nr::Figure g = nrtest::figurePage("Neurons", 85, 70, 1, 1);
        nr::FigurePanel n;
        n.view = nr::PanelView::Neurons;
        n.layer = layerOf(w, nr::LayerKind::Morphologies);
        n.colorBy = "path-distance";
        g.panels.push_back(n);
        const std::vector<FigurePanelData> nd = figureDataFromDocument(g, w.document());
        QCOMPARE(figureProblems(g, nd), QString());
        const QString nsvg = dir.filePath("n.svg");
        QCOMPARE(writeFigure(g, nd, nsvg, 300), QString());
        if (const QByteArray shots = qgetenv("NR_SHOT_DIR"); !shots.isEmpty())
            QCOMPARE(writeFigure(g, nd, QString::fromLocal8Bit(shots) + "/figure_neurons.png", 300),
                     QString());
        const std::set<QString> ntexts = svgTexts(nsvg, &err);
        QVERIFY2(ntexts.count("path distance from the root (µm)"), "no colour-bar title");
        bool um = false;
        for (const QString& s : ntexts) um = um || QRegularExpression("^[0-9.]+ µm$").match(s).hasMatch();
        QVERIFY2(um, "no scale bar");
        g.panels[0].colorBy = "depth";
        const QString whyN = figureProblems(g, figureDataFromDocument(g, w.document()));
        QVERIFY2(whyN.contains("colorBy \"depth\" is not neuron, type, branch-order or path-distance"),
                 qPrintable(whyN));
    }

    // Geometry and rates of a recording: the numbers are those of the pca analysis and of the raster's rate
    // strip, the SVG holds their axis titles, colour bar and legend as text, and the figure comes back from a
    // session byte for byte; a layer of another kind is refused naming the panel.
    void activityPanelsOfARecording() {
        QTemporaryDir dir;
        const QString session = dir.filePath("a.nrsession");
        const QString before = dir.filePath("before.svg"), after = dir.filePath("after.svg");
        nr::Figure f = nrtest::figurePage("Activity", 174, 70, 1, 2);
        {
            MainWindow w;
            w.resize(1200, 800);
            QCOMPARE(w.openFilesBlocking({kSpikes}), QString());
            QCOMPARE(w.openFilesBlocking({kSwc}), QString());
            const nr::LayerId spikes = layerOf(w, nr::LayerKind::Spikes);
            const nr::LayerId morph = layerOf(w, nr::LayerKind::Morphologies);
            QVERIFY(spikes && morph);
            nr::FigurePanel g;
            g.view = nr::PanelView::Geometry;
            g.layer = spikes;
            f.panels.push_back(g);
            nr::FigurePanel r;
            r.view = nr::PanelView::Rates;
            r.layer = spikes;
            r.col = 1;
            f.panels.push_back(r);
            const std::vector<FigurePanelData> data = figureDataFromDocument(f, w.document());
            QCOMPARE(figureProblems(f, data), QString());
            const nr::Layer* l = w.document().find(spikes);
            const nr::SpikeTrains trains = l->spikes->toTrains();

            // Geometry: 1087 s in at most 2000 bins (1 s each), the pca analysis' numbers on the same bins.
            const FigurePanelData& gd = data[0];
            QCOMPARE(gd.binMs, 1000.0);
            nr::TrialData td;
            for (size_t i = 0; i < trains.times.size(); ++i)
                td.addSpike(int64_t(trains.units[i]), 0, trains.times[i] - trains.tStart);
            td.addTrial(0, "population");
            nr::PcaOptions o;
            o.binMs = 1000;
            o.end = std::nextafter(trains.tStop - trains.tStart, 1e9);
            auto pca = nr::pcaTrajectories(td, o);
            QVERIFY(pca.ok());
            QCOMPARE(gd.trajectory.size(), size_t(pca.value().trajectories[0].rows()));
            QVERIFY(gd.trajectory.size() > 1000);
            QCOMPARE(gd.explained.size(), size_t(3));
            QVERIFY(std::abs(gd.explained[0] - pca.value().model.explained(0)) < 1e-12);
            QVERIFY(gd.explained[0] >= gd.explained[1] && gd.explained[0] + gd.explained[1] <= 1 + 1e-9);
            for (size_t b : {size_t(0), gd.trajectory.size() / 2})
                QVERIFY(std::abs(gd.trajectory[b][1] - pca.value().trajectories[0](Eigen::Index(b), 1)) <
                        1e-3);
            QCOMPARE(gd.trajectoryTimeTitle, QStringLiteral("time (s)"));

            // Rates: at the raster's own bin the units' mean rate is the rate strip's, bin for bin.
            nr::Figure fine = f;
            fine.panels[1].settings.set("binMs", l->spikes->rateBinWidth() * 1000);
            const FigurePanelData rd = figureDataFromDocument(fine, w.document())[1];
            QCOMPARE(rd.problem, QString());
            QCOMPARE(rd.rates.size(), size_t(1));
            const std::vector<double> strip = l->spikes->rateHz();
            const int64_t off =
                int64_t(std::llround((trains.tStart - l->spikes->rateBinStart()) / rd.rateBinS));
            size_t compared = 0;
            for (size_t b = 0; b + 1 < rd.rates[0].size() && compared < 20000; ++b) {
                const int64_t sb = int64_t(b) + off;
                if (sb < 0 || size_t(sb) >= strip.size()) continue;
                QVERIFY2(std::abs(rd.rates[0][b] - strip[size_t(sb)]) < 1e-9,
                         qPrintable(QStringLiteral("bin %1: %2 vs %3")
                                        .arg(b)
                                        .arg(rd.rates[0][b])
                                        .arg(strip[size_t(sb)])));
                ++compared;
            }
            QVERIFY(compared > 1000);
            double total = 0;
            for (double v : data[1].rates[0]) total += v * data[1].rateBinS * 3;
            QCOMPARE(qint64(std::llround(total)), qint64(trains.times.size()));

            QCOMPARE(writeFigure(f, data, before, 300), QString());
            if (const QByteArray shots = qgetenv("NR_SHOT_DIR"); !shots.isEmpty())
                QCOMPARE(writeFigure(f, data, QString::fromLocal8Bit(shots) + "/figure_activity.png", 300),
                         QString());
            w.figures().push_back(f);
            QCOMPARE(saveSession(&w, session), QString());
            if (const QByteArray shots = qgetenv("NR_SHOT_DIR"); !shots.isEmpty()) {
                QFile::remove(QString::fromLocal8Bit(shots) + "/figure_activity.nrsession");
                QFile::copy(session, QString::fromLocal8Bit(shots) + "/figure_activity.nrsession");
            }

            // Wrong kinds and a missing layer: named with the panel.
            nr::Figure wrong = f;
            wrong.panels[0].layer = morph;
            wrong.panels[1].layer = 4242;
            const QString why = figureProblems(wrong, figureDataFromDocument(wrong, w.document()));
            QVERIFY2(why.contains("panel A (geometry): layer \"") &&
                         why.contains("is not a spikes or simulation layer"),
                     qPrintable(why));
            QVERIFY2(why.contains("panel B (rates): layer 4242 is not in the workspace"), qPrintable(why));
            nr::Figure badBin = f;
            badBin.panels[0].settings.set("binMs", 0.5); // 2 million bins
            const QString whyBin = figureProblems(badBin, figureDataFromDocument(badBin, w.document()));
            QVERIFY2(whyBin.contains("panel A (geometry): settings.binMs 0.5 gives"), qPrintable(whyBin));

            // The composer: a geometry cell takes the spikes and refuses the morphologies with a message.
            auto* c = new FigureComposer(&w);
            c->show();
            QVERIFY(QTest::qWaitForWindowExposed(c));
            const std::vector<nr::PanelView> views = nr::allPanelViews();
            const int geo =
                int(std::find(views.begin(), views.end(), nr::PanelView::Geometry) - views.begin());
            QVERIFY(geo < int(views.size()));
            c->setCell(0, 0, geo, spikes);
            c->refresh();
            QCOMPARE(c->figure().panels.size(), size_t(1));
            QCOMPARE(c->figure().panels[0].view, nr::PanelView::Geometry);
            const QImage& img = c->previewImage();
            QLabel* label = qobject_cast<QLabel*>(c->previewWidget());
            QVERIFY(label);
            const QPoint cell00((label->width() - img.width()) / 2 + img.width() / 4,
                                (label->height() - img.height()) / 2 + img.height() / 4);
            QVERIFY(!c->dropLayer(cell00, morph));
            bool said = false;
            for (QLabel* l : c->findChildren<QLabel*>())
                said = said || (l->text().contains("draws a spikes or simulation layer") &&
                                l->text().contains("morphologies"));
            QVERIFY(said);
            QCOMPARE(c->figure().panels[0].layer, spikes);
            nrtest::shot(c, "figure_geometry_composer");
            c->close();
        }
        QString err;
        const std::set<QString> texts = svgTexts(before, &err);
        QVERIFY2(err.isEmpty(), qPrintable(err));
        QVERIFY(anyMatches(texts, "^PC1 \\([0-9.]+ % of variance\\)$"));
        QVERIFY(anyMatches(texts, "^PC2 \\([0-9.]+ % of variance\\)$"));
        QVERIFY(texts.count("time (s)") > 0); // colour bar of the trajectory, the rates' x axis
        QVERIFY(texts.count("population (3 units)") > 0);
        QVERIFY(texts.count("rate per unit (Hz)") > 0);
        QVERIFY(texts.count("all 3 units") > 0);
        QVERIFY(texts.count("bins of 500 ms") > 0);
        for (const QString& s : texts) QVERIFY2(!s.endsWith(QChar(0x2026)), qPrintable("elided: " + s));

        MainWindow w2;
        w2.resize(1200, 800);
        const SessionReport rep = loadSession(&w2, session, OutsidePaths::Allow);
        QVERIFY2(rep.error.isEmpty(), qPrintable(rep.error));
        QCOMPARE(w2.figures().size(), size_t(1));
        const nr::Figure& back = w2.figures()[0];
        QCOMPARE(back.panels[0].view, nr::PanelView::Geometry);
        QCOMPARE(back.panels[1].view, nr::PanelView::Rates);
        QCOMPARE(writeFigure(back, figureDataFromDocument(back, w2.document()), after, 300), QString());
        QVERIFY(readAll(before) == readAll(after));
    }

    // Populations and conditions: the rates of a network's excitatory and inhibitory units in their colours
    // with a legend, the trajectory averaged over the stimulus epochs of each condition, time in ms.
    void activityPanelsByPopulationAndCondition() {
        nr::Document doc;
        const nr::LayerId id = doc.add(generatedSpikes());
        nr::Figure f = nrtest::figurePage("EI", 174, 70, 1, 2);
        nr::FigurePanel g;
        g.view = nr::PanelView::Geometry;
        g.layer = id;
        f.panels.push_back(g);
        nr::FigurePanel r;
        r.view = nr::PanelView::Rates;
        r.layer = id;
        r.col = 1;
        r.settings.set("binMs", 50.0);
        f.panels.push_back(r);
        const std::vector<FigurePanelData> data = figureDataFromDocument(f, doc);
        QCOMPARE(figureProblems(f, data), QString());
        // Two conditions of 200 ms in 50 ms bins (the pca analysis' default).
        QCOMPARE(data[0].conditionNames, QStringList({"condition 0", "condition 1"}));
        QCOMPARE(data[0].trajectory.size(), size_t(8));
        QCOMPARE(data[0].trajectoryTimeTitle, QStringLiteral("time in trial (ms)"));
        QCOMPARE(data[0].trajectoryTime.front(), 25.0);
        QCOMPARE(data[0].trajectoryTime.back(), 175.0);
        // Rates per population: inhibitory about 20 Hz, excitatory about 5 Hz plus the driven units.
        const FigurePanelData& rd = data[1];
        QCOMPARE(rd.populations, QStringList({"excitatory (E), 160 units", "inhibitory (I), 40 units"}));
        QCOMPARE(rd.rates[0].size(), size_t(40));
        auto mean = [](const std::vector<double>& v) {
            double s = 0;
            for (double x : v) s += x;
            return s / double(v.size());
        };
        QVERIFY2(std::abs(mean(rd.rates[1]) - 20) < 2, qPrintable(QString::number(mean(rd.rates[1]))));
        const double e = 5 + 50.0 / 160 * 35 * 0.4; // driven 40 % of the time
        QVERIFY2(std::abs(mean(rd.rates[0]) - e) < 1, qPrintable(QString::number(mean(rd.rates[0]))));
        QVERIFY(rd.populationColors[0] != rd.populationColors[1]);

        // A simulation without a stimulus schedule: the whole run is one trajectory in the live view's 20 ms
        // bins, time in ms.
        nr::Layer sim = generatedSpikes();
        sim.kind = nr::LayerKind::Simulation;
        sim.epochs.clear();
        nr::Figure one = f;
        one.panels.resize(1);
        one.panels[0].layer = doc.add(std::move(sim));
        const FigurePanelData sd = figureDataFromDocument(one, doc)[0];
        QCOMPARE(sd.problem, QString());
        QCOMPARE(sd.binMs, 20.0);
        QCOMPARE(sd.trajectory.size(), size_t(100));
        QCOMPARE(sd.conditionNames, QStringList({"population (200 units)"}));
        QCOMPARE(sd.trajectoryTimeTitle, QStringLiteral("time (ms)"));
        QCOMPARE(sd.trajectoryTime.back(), 1990.0);

        QTemporaryDir dir;
        const QString svg = dir.filePath("ei.svg");
        QCOMPARE(writeFigure(f, data, svg, 300), QString());
        if (const QByteArray shots = qgetenv("NR_SHOT_DIR"); !shots.isEmpty())
            QCOMPARE(writeFigure(f, data, QString::fromLocal8Bit(shots) + "/figure_activity_ei.png", 300),
                     QString());
        QString err;
        const std::set<QString> texts = svgTexts(svg, &err);
        QVERIFY2(err.isEmpty(), qPrintable(err));
        for (const char* t : {"time in trial (ms)", "condition 0", "condition 1", "excitatory (E), 160 units",
                              "inhibitory (I), 40 units", "rate per unit (Hz)", "bins of 50 ms"})
            QVERIFY2(texts.count(t), t);
        QVERIFY(anyMatches(texts, "^PC1 \\([0-9.]+ % of variance\\)$"));
    }

    // Histograms of more than vessel radii: firing rates and ISI CVs of a recording's units, segment lengths
    // of a neuron, each axis titled with its unit; the same file after a session; wrong settings named.
    void histogramsOfMoreQuantities() {
        QTemporaryDir dir;
        const QString session = dir.filePath("h.nrsession");
        const QString before = dir.filePath("before.svg"), after = dir.filePath("after.svg");
        nr::Figure f = nrtest::figurePage("Histograms", 174, 55, 1, 3);
        {
            MainWindow w;
            w.resize(1200, 800);
            QCOMPARE(w.openFilesBlocking({kSpikes}), QString());
            QCOMPARE(w.openFilesBlocking({kSwc}), QString());
            const nr::LayerId spikes = layerOf(w, nr::LayerKind::Spikes);
            const nr::LayerId morph = layerOf(w, nr::LayerKind::Morphologies);
            QVERIFY(spikes && morph);
            auto add = [&f](nr::LayerId l, int c, const char* q) {
                nr::FigurePanel p;
                p.view = nr::PanelView::Histogram;
                p.layer = l;
                p.col = c;
                if (q) p.settings.set("quantity", q);
                p.settings.set("bins", 10.0);
                f.panels.push_back(p);
            };
            add(spikes, 0, nullptr); // firing rate by default
            add(spikes, 1, "isi-cv");
            add(morph, 2, nullptr); // segment length by default
            const std::vector<FigurePanelData> data = figureDataFromDocument(f, w.document());
            QCOMPARE(figureProblems(f, data), QString());
            auto total = [](const nr::Histogram& h) {
                size_t n = 0;
                for (size_t c : h.counts) n += c;
                return n;
            };
            QCOMPARE(total(data[0].histogram), size_t(3)); // three units
            QCOMPARE(total(data[1].histogram), size_t(3));
            QCOMPARE(data[0].histogram.counts.size(), size_t(10));
            // Unit 6: 11,020 spikes in the recording (README of the shared data).
            const nr::SpikeTrains t = w.document().find(spikes)->spikes->toTrains();
            const double rate6 = 11020 / (t.tStop - t.tStart);
            QVERIFY2(data[0].histogram.lo <= rate6 * (1 + 1e-6) && rate6 <= data[0].histogram.hi * (1 + 1e-6),
                     qPrintable(QStringLiteral("%1 in %2..%3")
                                    .arg(rate6)
                                    .arg(data[0].histogram.lo)
                                    .arg(data[0].histogram.hi)));
            auto set =
                std::any_cast<std::shared_ptr<const nr::MorphologySet>>(&w.document().find(morph)->payload);
            QVERIFY(set && *set);
            QCOMPARE(total(data[2].histogram), nr::computeMorphometrics((*set)->neurons[0]).branches.size());
            QCOMPARE(writeFigure(f, data, before, 300), QString());
            if (const QByteArray shots = qgetenv("NR_SHOT_DIR"); !shots.isEmpty())
                QCOMPARE(writeFigure(f, data, QString::fromLocal8Bit(shots) + "/figure_histograms.png", 300),
                         QString());
            w.figures().push_back(f);
            QCOMPARE(saveSession(&w, session), QString());

            nr::Figure wrong = f;
            wrong.panels[2].settings.set("quantity", "isi-cv");
            wrong.panels[0].settings.set("bins", 0.0);
            const QString why = figureProblems(wrong, figureDataFromDocument(wrong, w.document()));
            QVERIFY2(why.contains("panel C (histogram): layer \"") &&
                         why.contains("settings.quantity \"isi-cv\" is not segment-length"),
                     qPrintable(why));
            QVERIFY2(why.contains("panel A (histogram): settings.bins must be a number from 1 to 1000"),
                     qPrintable(why));
        }
        QString err;
        const std::set<QString> texts = svgTexts(before, &err);
        QVERIFY2(err.isEmpty(), qPrintable(err));
        for (const char* t :
             {"firing rate per unit (Hz)", "ISI CV (std / mean)", "segment length (µm)", "count", "n = 3"})
            QVERIFY2(texts.count(t), t);

        MainWindow w2;
        w2.resize(1200, 800);
        const SessionReport rep = loadSession(&w2, session, OutsidePaths::Allow);
        QVERIFY2(rep.error.isEmpty(), qPrintable(rep.error));
        const nr::Figure& back = w2.figures()[0];
        QCOMPARE(back.panels[1].settings.stringOr("quantity", ""), std::string("isi-cv"));
        QCOMPARE(writeFigure(back, figureDataFromDocument(back, w2.document()), after, 300), QString());
        QVERIFY(readAll(before) == readAll(after));
    }

    // A label volume (FISBe fly neurons, one channel per instance) in the neurons panel: meshed offscreen,
    // its instances in the key, a scale bar in µm from the voxel size; the same file after a session.
    void labelVolumeIn3d() {
        const QString zarr = apptest::kData + QStringLiteral("/labels/fisbe/R14A02-20180905_65_A6.zarr");
        QTemporaryDir dir;
        const QString session = dir.filePath("v.nrsession");
        const QString before = dir.filePath("before.svg"), after = dir.filePath("after.svg");
        nr::Figure f = nrtest::figurePage("Fly neurons", 85, 70, 1, 1);
        {
            MainWindow w;
            w.resize(1200, 800);
            QCOMPARE(
                w.openFilesBlocking(
                    {zarr}, {{{"array", "volumes/gt_instances"}, {"voxel_size", "0.44"}, {"unit", "um"}}}),
                QString());
            QCOMPARE(w.openFilesBlocking({kSpikes}), QString());
            const nr::LayerId vol = layerOf(w, nr::LayerKind::LabelVolume);
            QVERIFY(vol);
            nr::FigurePanel n;
            n.view = nr::PanelView::Neurons;
            n.layer = vol;
            f.panels.push_back(n);
            const std::vector<FigurePanelData> data = figureDataFromDocument(f, w.document());
            QCOMPARE(figureProblems(f, data), QString());
            QVERIFY(data[0].labelVolume);
            QCOMPARE(data[0].spatialUnit, QStringLiteral("µm"));
            FigureWriteStats st;
            QCOMPARE(writeFigure(f, data, before, 300, &st), QString());
            QVERIFY(st.ms3d > 0);
            // Drawn again (the composer's preview, then the export): the surfaces are not meshed again, and
            // the file is the same.
            FigureWriteStats again;
            const QString twice = dir.filePath("twice.svg");
            QCOMPARE(writeFigure(f, data, twice, 300, &again), QString());
            QVERIFY2(again.ms3d < 0.6 * st.ms3d,
                     qPrintable(QStringLiteral("%1 ms, first %2 ms").arg(again.ms3d).arg(st.ms3d)));
            QVERIFY(readAll(twice) == readAll(before));
            qInfo("label volume panel: %.0f ms with meshing, %.0f ms with the meshes kept", st.ms3d,
                  again.ms3d);
            if (const QByteArray shots = qgetenv("NR_SHOT_DIR"); !shots.isEmpty())
                QCOMPARE(
                    writeFigure(f, data, QString::fromLocal8Bit(shots) + "/figure_label_volume.png", 300),
                    QString());
            w.figures().push_back(f);
            QCOMPARE(saveSession(&w, session), QString());
            // A spikes layer is not drawn in 3-D; a colouring the volume does not have is named.
            nr::Figure wrong = f;
            wrong.panels[0].layer = layerOf(w, nr::LayerKind::Spikes);
            QString why = figureProblems(wrong, figureDataFromDocument(wrong, w.document()));
            QVERIFY2(why.contains("panel A (neurons): layer \"") &&
                         why.contains("is not a morphologies layer or a label volume"),
                     qPrintable(why));
            wrong = f;
            wrong.panels[0].colorBy = "path-distance";
            why = figureProblems(wrong, figureDataFromDocument(wrong, w.document()));
            QVERIFY2(why.contains("colorBy \"path-distance\" is not instance"), qPrintable(why));
        }
        QString err;
        const std::set<QString> texts = svgTexts(before, &err);
        QVERIFY2(err.isEmpty(), qPrintable(err));
        QVERIFY(texts.count("instance label (voxels)"));
        // The seven instances with their sizes (README of the shared data).
        for (const char* e : {"1 (72631)", "2 (41350)", "5 (3888)", "7 (29399)"}) QVERIFY2(texts.count(e), e);
        QVERIFY(anyMatches(texts, "^[0-9.]+ µm$"));
        for (const QString& s : texts) QVERIFY2(!s.endsWith(QChar(0x2026)), qPrintable("elided: " + s));

        MainWindow w2;
        w2.resize(1200, 800);
        const SessionReport rep = loadSession(&w2, session, OutsidePaths::Allow);
        QVERIFY2(rep.error.isEmpty(), qPrintable(rep.error));
        QCOMPARE(w2.figures().size(), size_t(1));
        const nr::Figure& back = w2.figures()[0];
        QCOMPARE(writeFigure(back, figureDataFromDocument(back, w2.document()), after, 300), QString());
        QVERIFY(readAll(before) == readAll(after));

        // 20 instances (cubes of a volume made here, no voxel size): 12 named in the key, then "and 8 more";
        // the scale bar in voxels.
        auto v = std::make_shared<nr::LabelVolume>();
        v->nz = 8, v->ny = 24, v->nx = 60;
        v->labelData.assign(v->voxelCount(), 0);
        for (int k = 0; k < 20; ++k)
            for (size_t z = 2; z < 6; ++z)
                for (size_t y = 2 + 10 * size_t(k / 10); y < 6 + 10 * size_t(k / 10); ++y)
                    for (size_t x = 1 + 6 * size_t(k % 10); x < 5 + 6 * size_t(k % 10); ++x)
                        v->labelData[(z * v->ny + y) * v->nx + x] = uint8_t(k + 1);
        nr::computeInstances(*v);
        QCOMPARE(v->instances.size(), size_t(20));
        nr::Document doc;
        nr::Layer l;
        l.kind = nr::LayerKind::LabelVolume;
        l.name = "cubes";
        l.payload = std::shared_ptr<const nr::LabelVolume>(v);
        f.panels[0].layer = doc.add(std::move(l));
        const std::vector<FigurePanelData> cd = figureDataFromDocument(f, doc);
        QCOMPARE(figureProblems(f, cd), QString());
        QCOMPARE(cd[0].spatialUnit, QStringLiteral("voxels"));
        const QString csvg = dir.filePath("cubes.svg");
        QCOMPARE(writeFigure(f, cd, csvg, 150), QString());
        if (const QByteArray shots = qgetenv("NR_SHOT_DIR"); !shots.isEmpty())
            QCOMPARE(writeFigure(f, cd, QString::fromLocal8Bit(shots) + "/figure_label_cubes.png", 150),
                     QString());
        const std::set<QString> ct = svgTexts(csvg, &err);
        QVERIFY(ct.count("12 (64)"));
        QVERIFY(!ct.count("13 (64)"));
        QVERIFY(ct.count("and 8 more"));
        QVERIFY(anyMatches(ct, "^[0-9.]+ voxels$"));
    }

    void composerOffersFittingLayersAndRefusesAWrongDrop() {
        MainWindow w;
        w.resize(1200, 800);
        QCOMPARE(w.openFilesBlocking({kTraces}), QString());
        QCOMPARE(w.openFilesBlocking({kSwc}), QString());
        const nr::LayerId traces = layerOf(w, nr::LayerKind::Traces);
        const nr::LayerId morph = layerOf(w, nr::LayerKind::Morphologies);
        QVERIFY(traces && morph);
        {
            // Structure vs function with no connectome open: the panel says what is missing.
            nr::Figure f;
            f.rows = f.cols = 1;
            nr::FigurePanel p;
            p.view = nr::PanelView::StructureFunction;
            p.layer = traces;
            f.panels.push_back(p);
            const QString why = figureProblems(f, figureDataFromDocument(f, w.document()));
            QVERIFY2(why.startsWith("panel A (structure-function): layer \"") &&
                         why.contains("no network in the workspace has 3 or more of its neurons by name"),
                     qPrintable(why));
        }
        auto* c = new FigureComposer(&w);
        c->show();
        QVERIFY(QTest::qWaitForWindowExposed(c));
        const std::vector<nr::PanelView> views = nr::allPanelViews();
        auto indexOf = [&](nr::PanelView v) {
            for (size_t i = 0; i < views.size(); ++i)
                if (views[i] == v) return int(i);
            return -1;
        };
        c->setCell(0, 0, indexOf(nr::PanelView::FcMatrix), traces);
        c->refresh();
        QCOMPARE(c->figure().panels.size(), size_t(1));
        QCOMPARE(c->figure().panels[0].view, nr::PanelView::FcMatrix);
        // The layer combo of the FC cell lists the traces layer and not the morphologies.
        QComboBox* layerCombo = nullptr;
        for (QComboBox* cb : c->findChildren<QComboBox*>())
            for (int i = 0; i < cb->count(); ++i)
                if (cb->itemData(i).toULongLong() == traces && cb->currentData().toULongLong() == traces)
                    layerCombo = cb;
        QVERIFY(layerCombo);
        for (int i = 0; i < layerCombo->count(); ++i) QVERIFY(layerCombo->itemData(i).toULongLong() != morph);

        // A drop on the FC cell: the morphologies are refused with a message, the traces keep the FC view.
        const QImage& img = c->previewImage();
        QLabel* label = qobject_cast<QLabel*>(c->previewWidget());
        QVERIFY(label);
        const QPoint origin((label->width() - img.width()) / 2, (label->height() - img.height()) / 2);
        const QPoint inCell00 = origin + QPoint(img.width() / 4, img.height() / 4);
        const QPoint inCell01 = origin + QPoint(img.width() * 3 / 4, img.height() / 4);
        QVERIFY(!c->dropLayer(inCell00, morph));
        bool said = false;
        for (QLabel* l : c->findChildren<QLabel*>())
            said = said || (l->text().contains("draws a traces layer") && l->text().contains("morphologies"));
        QVERIFY(said);
        QCOMPARE(c->figure().panels[0].layer, traces);
        QVERIFY(c->dropLayer(inCell00, traces));
        QCOMPARE(c->figure().panels[0].view, nr::PanelView::FcMatrix);
        // On an empty cell the morphologies become a Sholl panel.
        QVERIFY(c->dropLayer(inCell01, morph));
        QCOMPARE(c->figure().panels.size(), size_t(2));
        QCOMPARE(c->figure().panels[1].view, nr::PanelView::Sholl);
        c->refresh();
        QVERIFY(!c->previewImage().isNull());
        nrtest::shot(c, "figure_panels_composer");
        c->close();
    }
};

QTEST_MAIN(TestFigurePanels)
#include "test_figure_panels.moc"
