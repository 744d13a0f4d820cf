// The composer's preview cache (FigureCache): a figure of structure vs function, communities over sliding
// windows, the 3-D C. elegans network and the traces heatmap, from the shared connectome and calcium traces.
// A second preview after a title edit computes no panel's data and renders no 3-D picture again, and looks
// the same as a preview drawn without the cache; a change to the traces layer recomputes the panels drawn
// from it (and structure vs function, which joins every network) but not the 3-D network; a change to the
// network's layer renders the network again. Refresh (a new snapshot) computes everything. Preview times with
// and without the cache are printed.
#include <QPushButton>
#include <QtTest>

#include "AppTestSupport.h"
#include "FigureCache.h"
#include "FigureComposer.h"
#include "FigureRender.h"
#include "ImageDiff.h"
#include "MainWindow.h"
#include "WidgetShot.h"

using apptest::layerOf;

class TestFigureCache : public QObject {
    Q_OBJECT
private slots:
    void titleEditReusesLayerChangeRecomputes() {
        MainWindow w;
        w.resize(1200, 800);
        QCOMPARE(w.openFilesBlocking({apptest::kData + "/activity/atanas2023_traces.csv"}), QString());
        QCOMPARE(w.openFilesBlocking({apptest::herm(), apptest::somas()}), QString());
        const nr::LayerId traces = layerOf(w, nr::LayerKind::Traces);
        const nr::LayerId graph = layerOf(w, nr::LayerKind::Graph);
        QVERIFY(traces && graph);

        nr::Figure f;
        f.name = "Cached";
        f.widthMm = 174;
        f.heightMm = 130;
        auto add = [&f](nr::PanelView v, nr::LayerId l, int r, int c, const char* title) {
            nr::FigurePanel p;
            p.view = v;
            p.layer = l;
            p.row = r, p.col = c;
            p.title = title;
            f.panels.push_back(p);
        };
        add(nr::PanelView::StructureFunction, traces, 0, 0, "Structure vs function");
        f.panels.back().settings.set("weightUnit", "synapses");
        add(nr::PanelView::Communities, traces, 0, 1, "Communities");
        add(nr::PanelView::Network, graph, 1, 0, "Connectome");
        add(nr::PanelView::Traces, traces, 1, 1, "Calcium activity");
        QCOMPARE(figureProblems(f, figureDataFromDocument(f, w.document())), QString());
        w.figures().push_back(f);

        auto* c = new FigureComposer(&w, "Cached");
        c->show();
        QVERIFY(QTest::qWaitForWindowExposed(c));
        QCOMPARE(c->figure().panels.size(), size_t(4));
        FigureCache& cache = c->cache();

        // Without the cache (every preview computes and renders everything).
        cache.setEnabled(false);
        c->refresh();
        c->refresh();
        const double uncachedMs = c->lastRefreshMs();
        const QImage uncached = c->previewImage();

        cache.setEnabled(true);
        c->refresh(); // fills the cache
        const double coldMs = c->lastRefreshMs();
        const size_t computed = cache.dataComputed(), painted = cache.scenesPainted();
        QVERIFY(nrtest::meanAbsRgbDiff(c->previewImage(), uncached) < 0.5);

        // A title edit of panel A: nothing computed or rendered again, the new title is drawn.
        c->setTitle(0, 0, "Structure and function");
        QCOMPARE(QString::fromStdString(c->figure().panels[0].title), QString("Structure and function"));
        c->refresh();
        const double titleMs = c->lastRefreshMs();
        QCOMPARE(cache.dataComputed(), computed);
        QCOMPARE(cache.scenesPainted(), painted);
        QVERIFY(c->previewImage() != uncached);
        qInfo("preview_uncached_ms=%.1f preview_cold_ms=%.1f preview_after_title_edit_ms=%.1f", uncachedMs,
              coldMs, titleMs);
        QVERIFY(titleMs < uncachedMs);
        nrtest::shot(c, "figure_cache_composer");
        if (const QByteArray dir = qgetenv("NR_SHOT_DIR"); !dir.isEmpty())
            c->previewImage().save(QString::fromLocal8Bit(dir) + "/figure_cache_preview.png");

        // The traces layer changes: its three panels are computed again, the network is not rendered again.
        QVERIFY(w.document().setStateKey(traces, "note", nr::JsonValue::string("changed")));
        c->refresh();
        QCOMPARE(cache.dataComputed(), computed + 3);
        QCOMPARE(cache.scenesPainted(), painted);

        // The network's layer changes: the network (and structure vs function, which joins it) again.
        QVERIFY(w.document().setStateKey(graph, "note", nr::JsonValue::string("changed")));
        c->refresh();
        QCOMPARE(cache.dataComputed(), computed + 5);
        QCOMPARE(cache.scenesPainted(), painted + 1);

        // Refresh: a new snapshot of every layer.
        QPushButton* refreshBtn = nullptr;
        for (QPushButton* b : c->findChildren<QPushButton*>())
            if (b->text().remove('&') == "Refresh") refreshBtn = b;
        QVERIFY(refreshBtn);
        refreshBtn->click();
        QCOMPARE(cache.dataComputed(), computed + 9);
        QCOMPARE(cache.scenesPainted(), painted + 2);
        c->close();
    }
};

QTEST_MAIN(TestFigureCache)
#include "test_figure_cache.moc"
