#include "FigureRender.h"
#include "FigureCache.h"

#include <QApplication>
#include <QBuffer>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QFontInfo>
#include <QFontMetricsF>
#include <QImage>
#include <QImageWriter>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QRegularExpression>
#include <QSvgGenerator>
#include <QTemporaryDir>
#include <QThread>
#include <algorithm>
#include <cmath>
#include <map>
#include <random>

#include "AdjacencyDock.h"
#include "FigureActivityPanels.h"
#include "FigureExport.h"
#include "FunctionalDock.h"
#include "analysis/Rdm.h"
#include "io/DemoNetwork.h"
#include "model/Document.h"
#include "model/SpikeStore.h"
#include "morph/LabelVolume.h"
#include "morph/Morphology.h"
#include "plots/MatrixPlot.h"
#include "plots/MembershipPlot.h"
#include "plots/RasterPlot.h"
#include "plots/ScatterPlot.h"
#include "plots/ShollPlot.h"
#include "plots/TracePlot.h"
#include "session/Session.h"
#include "sim/Models.h"
#include "sim/Simulation.h"
#include "traces/TraceAnalysis.h"
#include "traces/Traces.h"
#include "vtk/ConnectomeView.h"
#include "vtk/NeuronView.h"
#include "vtk/VesselView.h"
#include <vtkScalarBarActor.h>
#include <vtkScalarsToColors.h>

namespace {

QString qs(const std::string& s) {
    return QString::fromStdString(s);
}

QString panelName(const nr::Figure& f, size_t i) {
    return QStringLiteral("panel %1 (%2)")
        .arg(qs(nr::panelLetter(i)), QLatin1String(nr::panelViewName(f.panels[i].view)));
}

double pxPerPt(int dpi) {
    return dpi / 72.0;
}

QFont figureFont(const nr::Figure& f, int dpi, double scale = 1.0, bool bold = false) {
    QFont font(qs(f.fontFamily));
    font.setPixelSize(std::max(1, int(std::lround(f.fontPt * scale * pxPerPt(dpi)))));
    font.setBold(bold);
    font.setStyleStrategy(QFont::PreferAntialias);
    return font;
}

// A frame with a sentence in it, where a panel cannot be drawn.
// The unit of a vessel graph's positions and radii as written on axes and scale bars.
QString vesselUnit(const nr::VesselGraph& g) {
    if (g.units == "um") return QStringLiteral("µm");
    if (g.units == "voxel") return QStringLiteral("voxels");
    return g.units.empty() ? QStringLiteral("units") : qs(g.units);
}

void paintProblem(QPainter& p, const QRectF& r, const QString& why, const QFont& font, double linePx) {
    p.save();
    p.setPen(QPen(QColor(180, 0, 0), linePx, Qt::DashLine));
    p.setBrush(Qt::NoBrush);
    p.drawRect(r.adjusted(linePx, linePx, -linePx, -linePx));
    p.setFont(font);
    p.setPen(QColor(150, 0, 0));
    p.drawText(r.adjusted(r.width() * 0.05, 0, -r.width() * 0.05, 0), Qt::AlignCenter | Qt::TextWordWrap,
               why);
    p.restore();
}

// 1, 2 or 5 times a power of ten, at most x.
double niceBelow(double x) {
    if (!(x > 0)) return 0;
    const double mag = std::pow(10.0, std::floor(std::log10(x)));
    for (double m : {5.0, 2.0, 1.0})
        if (m * mag <= x) return m * mag;
    return mag;
}

// A 3-D panel: `View` rendered offscreen at the figure's DPI with a white background, the panel's camera (or
// the data framed) and `setup` (data, colouring, sizes) applied, placed as an image; its key (legend, colour
// bar with range and units) as vector text beside it and a scale bar in `spatialUnit` under it.
// Views with a level of detail draw everything once it has settled; others always do.
template <class V> auto settle(V& v, int) -> decltype(v.lod().settle(), void()) {
    v.lod().settle();
}
template <class V> void settle(V&, long) {}

// The labels of a 3-D panel as vector text over its scene (drawn at `scene` on the page): each anchor's point
// projected with the camera of the scene's render, its name put at the first of sixteen places around the
// point (eight directions, near then farther) that stays inside the scene and clears the labels already
// placed and their points, with a leader line from the point to the text. Returns the names whose point is
// outside the picture (not drawn).
QStringList paintSceneLabels(QPainter& p, const QRectF& scene, const VtkView& view,
                             const std::vector<FigurePanelData::Anchor>& anchors, const QFont& font,
                             double linePx) {
    QStringList outside;
    if (anchors.empty()) return outside;
    const QFontMetricsF fm(font);
    const double gap = 0.45 * fm.height();
    std::vector<QPointF> points;
    std::vector<int> which;
    for (size_t i = 0; i < anchors.size(); ++i) {
        const double w[3] = {anchors[i].p[0], anchors[i].p[1], anchors[i].p[2]};
        const std::optional<QPointF> q = view.figureProject(w);
        if (!q || q->x() < 0 || q->y() < 0 || q->x() > scene.width() || q->y() > scene.height()) {
            outside << anchors[i].text;
            continue;
        }
        points.push_back(scene.topLeft() + *q);
        which.push_back(int(i));
    }
    std::vector<QRectF> placed;
    p.save();
    p.setFont(font);
    for (size_t k = 0; k < points.size(); ++k) {
        const QPointF a = points[k];
        const QString& text = anchors[size_t(which[k])].text;
        const QSizeF sz(fm.horizontalAdvance(text) + 0.2 * gap, fm.height());
        auto clear = [&](const QRectF& box) {
            if (!scene.contains(box)) return false;
            for (const QRectF& o : placed)
                if (o.intersects(box)) return false;
            for (size_t j = 0; j < points.size(); ++j)
                if (j != k && box.adjusted(-gap / 2, -gap / 2, gap / 2, gap / 2).contains(points[j]))
                    return false;
            return true;
        };
        QRectF box;
        QPointF end; // where the leader meets the text
        bool found = false;
        for (double reach : {1.0, 3.0}) {
            const double d = gap * reach, dd = d * 0.7071;
            const std::pair<QPointF, QPointF> places[8] = {
                // (top-left of the box, end of the leader) for NE, NW, SE, SW, E, W, N, S
                {QPointF(a.x() + dd, a.y() - dd - sz.height()), QPointF(a.x() + dd, a.y() - dd)},
                {QPointF(a.x() - dd - sz.width(), a.y() - dd - sz.height()), QPointF(a.x() - dd, a.y() - dd)},
                {QPointF(a.x() + dd, a.y() + dd), QPointF(a.x() + dd, a.y() + dd)},
                {QPointF(a.x() - dd - sz.width(), a.y() + dd), QPointF(a.x() - dd, a.y() + dd)},
                {QPointF(a.x() + d, a.y() - sz.height() / 2), QPointF(a.x() + d, a.y())},
                {QPointF(a.x() - d - sz.width(), a.y() - sz.height() / 2), QPointF(a.x() - d, a.y())},
                {QPointF(a.x() - sz.width() / 2, a.y() - d - sz.height()), QPointF(a.x(), a.y() - d)},
                {QPointF(a.x() - sz.width() / 2, a.y() + d), QPointF(a.x(), a.y() + d)}};
            for (const auto& [topLeft, e] : places) {
                const QRectF b(topLeft, sz);
                if (clear(b)) {
                    box = b, end = e, found = true;
                    break;
                }
            }
            if (found) break;
        }
        if (!found) { // crowded: up and to the right, kept inside the scene
            const double x =
                std::clamp(a.x() + gap, scene.left(), std::max(scene.left(), scene.right() - sz.width()));
            const double y = std::clamp(a.y() - gap - sz.height(), scene.top(),
                                        std::max(scene.top(), scene.bottom() - sz.height()));
            box = QRectF(QPointF(x, y), sz);
            end = QPointF(std::clamp(a.x(), box.left(), box.right()),
                          std::clamp(a.y(), box.top(), box.bottom()));
        }
        placed.push_back(box);
        // The leader starts a little off the point so it does not cover the node.
        const QPointF dir = end - a;
        const double len = std::hypot(dir.x(), dir.y());
        if (len > gap * 0.5) {
            p.setPen(QPen(Qt::black, linePx, Qt::SolidLine, Qt::RoundCap));
            p.drawLine(a + dir * (0.25 * gap / len), end);
        }
        p.setPen(Qt::black);
        p.drawText(box, Qt::AlignCenter, text);
    }
    p.restore();
    return outside;
}

template <class View, class Setup, class Keys>
void paint3d(QPainter& p, const QRectF& r, const nr::Figure& f, const nr::FigurePanel& panel,
             const QString& spatialUnit, int dpi, FigureWriteStats* stats, Setup setup, Keys keysOf,
             const std::vector<FigurePanelData::Anchor>& anchors = {}) {
    QElapsedTimer timer;
    timer.start();
    View view;
    view.setAttribute(Qt::WA_DontShowOnScreen);
    // The widget has the figure's aspect, so framing at the figure's size changes nothing but the scale.
    const double aspect = r.width() / std::max(1.0, r.height());
    view.resize(aspect >= 1 ? QSize(640, std::max(16, int(640 / aspect)))
                            : QSize(std::max(16, int(640 * aspect)), 640));
    view.setWhiteBackground(true);
    view.setOverlayVisible(false);
    view.show();
    QElapsedTimer wait;
    wait.start();
    while (!view.hasContext() && wait.elapsed() < 5000) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        if (!view.hasContext()) QThread::msleep(2);
    }
    setup(view);
    if (panel.camera) {
        VtkView::CameraState c;
        for (int k = 0; k < 3; ++k) {
            c.pos[k] = panel.camera->position[size_t(k)];
            c.focal[k] = panel.camera->focalPoint[size_t(k)];
            c.up[k] = panel.camera->viewUp[size_t(k)];
        }
        c.viewAngle = panel.camera->viewAngle;
        view.setCamera(c);
    } else {
        view.resetCamera();
    }
    settle(view, 0);
    const std::vector<VtkView::FigureKey> keys = keysOf(view);
    const QSize area = r.size().toSize();
    KeyLayout kl;
    if (!keys.empty()) {
        // A figure's key may take half the panel (a window's export keeps a third): its labels are in the
        // figure's font size and are not elided where half the width holds them.
        kl = layoutKeys(keys, QSize(area.width() * 3 / 2, area.height()), dpi, f.fontPt);
        kl.font.setFamily(qs(f.fontFamily));
    }
    const QFont font = figureFont(f, dpi);
    const double line = QFontMetricsF(font).height();
    // The scene left of the key, above the scale bar.
    const QSize scenePx(std::max(16, area.width() - kl.width), std::max(16, int(area.height() - 1.8 * line)));
    const QImage scene = view.renderFigure(scenePx, false);
    if (stats) stats->ms3d += timer.nsecsElapsed() / 1e6;
    if (scene.isNull()) {
        paintProblem(p, r, QStringLiteral("the 3-D view could not be rendered (no OpenGL)"), font, 1);
        return;
    }
    p.drawImage(QRectF(r.topLeft(), QSizeF(scenePx)), scene);
    const QStringList outside = paintSceneLabels(p, QRectF(r.topLeft(), QSizeF(scenePx)), view, anchors, font,
                                                 std::max(0.5, f.lineWidthPt * pxPerPt(dpi)));
    if (stats && !outside.isEmpty())
        stats->warnings << QStringLiteral("labels outside the picture (not drawn): %1")
                               .arg(outside.join(QStringLiteral(", ")));
    if (!keys.empty())
        drawKeys(p, keys, kl,
                 QRect(int(r.left()) + scenePx.width(), int(r.top()), kl.width, scenePx.height()), Qt::black);
    // Scale bar: about a fifth of the scene's width, at the depth of the focal point.
    const double upp = view.lastFigureUnitsPerPixel();
    if (upp > 0) {
        const double len = niceBelow(upp * scenePx.width() / 5);
        const double px = len / upp;
        const double y = r.top() + scenePx.height() + 0.5 * line;
        const double x0 = r.left() + 0.5 * line;
        p.save();
        p.setPen(
            QPen(Qt::black, std::max(1.0, f.lineWidthPt * 2 * pxPerPt(dpi)), Qt::SolidLine, Qt::FlatCap));
        p.drawLine(QPointF(x0, y), QPointF(x0 + px, y));
        p.setFont(font);
        p.drawText(QRectF(x0 + px + 0.5 * line, y - line, r.width(), 2 * line),
                   Qt::AlignLeft | Qt::AlignVCenter,
                   QStringLiteral("%1 %2").arg(QString::number(len, 'g', 6), spatialUnit));
        p.restore();
    }
}

// A network panel with its own edge filter: the edge key lists the types drawn, each with the number of its
// edges that pass, and its title says the weight range ("edges (weight ≥ 2)").
void filteredEdgeKey(std::vector<VtkView::FigureKey>& keys, const nr::JsonValue& s, const nr::Graph& g) {
    const nr::JsonValue* types = s.get("edgeTypes");
    const double lo = s.numberOr("minWeight", -HUGE_VAL), hi = s.numberOr("maxWeight", HUGE_VAL);
    if (!types && !std::isfinite(lo) && !std::isfinite(hi)) return;
    for (VtkView::FigureKey& k : keys) {
        if (k.title != QLatin1String("edges")) continue;
        std::vector<size_t> counts(g.edgeTypes.size(), 0);
        for (size_t e = 0; e < g.edgeCount(); ++e) {
            const double w = e < g.weight.size() ? g.weight[e] : 1.0;
            if (w >= lo && w <= hi && g.type[e] < counts.size()) ++counts[g.type[e]];
        }
        std::vector<VtkView::FigureKey::Swatch> kept;
        for (const VtkView::FigureKey::Swatch& sw : k.swatches)
            for (size_t t = 0; t < g.edgeTypes.size(); ++t) {
                bool shown = !types;
                if (types)
                    for (const nr::JsonValue& v : types->arr) shown = shown || v.str == g.edgeTypes[t];
                const QString name = qs(g.edgeTypes[t]) + QStringLiteral(" edges");
                if (shown && counts[t] > 0 && sw.label.startsWith(name + QLatin1Char(' ')))
                    kept.push_back({sw.color, QStringLiteral("%1 (%2)").arg(name).arg(counts[t])});
            }
        k.swatches = std::move(kept);
        const QString ge = QStringLiteral("weight ≥ %1").arg(lo, 0, 'g', 4);
        const QString le = QStringLiteral("weight ≤ %1").arg(hi, 0, 'g', 4);
        if (std::isfinite(lo) && std::isfinite(hi))
            k.title += QStringLiteral(" (%1 ≤ weight ≤ %2)").arg(lo, 0, 'g', 4).arg(hi, 0, 'g', 4);
        else if (std::isfinite(lo))
            k.title += QStringLiteral(" (%1)").arg(ge);
        else if (std::isfinite(hi))
            k.title += QStringLiteral(" (%1)").arg(le);
    }
    keys.erase(
        std::remove_if(keys.begin(), keys.end(),
                       [](const VtkView::FigureKey& k) { return k.ramp.empty() && k.swatches.empty(); }),
        keys.end());
}

void paintNetwork(QPainter& p, const QRectF& r, const nr::Figure& f, const nr::FigurePanel& panel,
                  const FigurePanelData& d, int dpi, FigureWriteStats* stats) {
    paint3d<ConnectomeView>(
        p, r, f, panel, d.spatialUnit, dpi, stats,
        [&](ConnectomeView& view) {
            view.setGraph(d.graph);
            const std::string colorBy = panel.colorBy.empty() ? std::string("class") : panel.colorBy;
            if (!view.setColorBy(colorBy)) view.setColorBy("degree");
            if (const double ns = panel.settings.numberOr("nodeSize", -1); ns > 0 && ns <= 100)
                view.setNodeSize(float(ns));
            if (const double a = panel.settings.numberOr("edgeOpacity", -1); a >= 0 && a <= 1)
                view.setEdgeOpacity(float(a));
            // The panel's own edge filter (settings minWeight, maxWeight, edgeTypes; checked when the data
            // was taken): edges outside it are not drawn, as the window's Network dock hides them.
            const nr::JsonValue* types = panel.settings.get("edgeTypes");
            if (panel.settings.get("minWeight") || panel.settings.get("maxWeight") || types) {
                std::vector<bool> visible(d.graph->edgeTypes.size(), !types);
                if (types)
                    for (const nr::JsonValue& t : types->arr)
                        for (size_t k = 0; k < d.graph->edgeTypes.size(); ++k)
                            if (d.graph->edgeTypes[k] == t.str) visible[k] = true;
                view.setEdgeFilter(float(panel.settings.numberOr("minWeight", -HUGE_VAL)),
                                   float(panel.settings.numberOr("maxWeight", HUGE_VAL)), visible);
            }
        },
        [&](const ConnectomeView& view) {
            // A colour bar says its unit: the panel's colorUnit, or edges for the degrees.
            std::vector<VtkView::FigureKey> keys = view.figureKeys();
            if (!keys.empty() && !keys[0].ramp.empty() && !keys[0].title.contains(QLatin1Char('('))) {
                std::string unit = panel.settings.stringOr("colorUnit", "");
                const QString& t = keys[0].title;
                if (unit.empty() && (t == QLatin1String("degree") || t == QLatin1String("in-degree") ||
                                     t == QLatin1String("out-degree")))
                    unit = "edges";
                if (!unit.empty()) keys[0].title += QStringLiteral(" (%1)").arg(qs(unit));
            }
            filteredEdgeKey(keys, panel.settings, *d.graph);
            return keys;
        },
        d.labelAnchors);
}

// Neurons as the Neurons view draws them (skeletons, radius-true), coloured by neuron, compartment type,
// branch order or path distance with the view's own key (legend or colour bar with its range and unit).
void paintNeurons(QPainter& p, const QRectF& r, const nr::Figure& f, const nr::FigurePanel& panel,
                  const FigurePanelData& d, int dpi, FigureWriteStats* stats) {
    paint3d<NeuronView>(
        p, r, f, panel, QStringLiteral("µm"), dpi, stats,
        [&](NeuronView& view) {
            view.setMorphologies(d.morphologies);
            const std::string& c = panel.colorBy;
            view.setColorBy(c == "type"            ? NeuronView::ColorBy::Type
                            : c == "branch-order"  ? NeuronView::ColorBy::BranchOrder
                            : c == "path-distance" ? NeuronView::ColorBy::PathDistance
                                                   : NeuronView::ColorBy::Neuron);
        },
        [](const NeuronView& view) { return view.figureKeys(); }, d.labelAnchors);
}

// A label volume as the Neurons view draws it: one smooth surface per instance (meshed here, offscreen), in
// the instances' colours (the layer's own, as set in the window, or the view's defaults), hidden instances
// left out. The key names at most 12 instances (label and voxels) and how many more there are; the scale bar
// is in the volume's unit (voxel size aware).
// The surfaces of the last label volume a figure drew: the composer's preview (each edit, Live every second)
// and the export after it reuse them instead of meshing the volume again. A layer's volume is never changed
// in place (shared_ptr<const>), so the same live pointer is the same volume.
struct LabelMeshCache {
    std::weak_ptr<const nr::LabelVolume> volume;
    std::vector<nr::InstanceMesh> meshes;
};

const std::vector<nr::InstanceMesh>& labelMeshes(const std::shared_ptr<const nr::LabelVolume>& v) {
    static LabelMeshCache cache;
    if (cache.volume.lock() != v) {
        cache.meshes.clear();                 // the previous volume's surfaces go first
        cache.meshes = nr::meshInstances(*v); // the options the Neurons view meshes with
        cache.volume = v;
    }
    return cache.meshes;
}

void paintLabelVolume(QPainter& p, const QRectF& r, const nr::Figure& f, const nr::FigurePanel& panel,
                      const FigurePanelData& d, int dpi, FigureWriteStats* stats) {
    paint3d<NeuronView>(
        p, r, f, panel, d.spatialUnit, dpi, stats,
        [&](NeuronView& view) {
            view.setLabelVolume(d.labelVolume, false);
            view.setInstanceMeshes(labelMeshes(d.labelVolume));
            const size_t n = view.instanceCount();
            if (const nr::JsonValue* c = d.labelState.get("colors"); c && c->isArray() && c->arr.size() == n)
                for (size_t i = 0; i < n; ++i) {
                    const nr::JsonValue& rgb = c->arr[i];
                    if (!rgb.isArray() || rgb.arr.size() != 3) continue;
                    view.setInstanceColor(i, {uint8_t(std::clamp(rgb.arr[0].num, 0.0, 255.0)),
                                              uint8_t(std::clamp(rgb.arr[1].num, 0.0, 255.0)),
                                              uint8_t(std::clamp(rgb.arr[2].num, 0.0, 255.0))});
                }
            if (const nr::JsonValue* h = d.labelState.get("hidden"); h && h->isArray())
                for (const nr::JsonValue& i : h->arr)
                    if (i.isNumber() && i.num >= 0 && i.num < double(n))
                        view.setInstanceVisible(size_t(i.num), false);
        },
        [](const NeuronView& view) {
            std::vector<VtkView::FigureKey> keys = view.figureKeys();
            for (VtkView::FigureKey& k : keys) {
                if (k.swatches.empty() || !k.ramp.empty()) continue;
                // Instances: label (voxels); at most 12 named, then how many more.
                size_t more = 0;
                std::vector<VtkView::FigureKey::Swatch> kept;
                for (const auto& s : k.swatches) {
                    if (!s.color.isValid()) {
                        // The view's own "... N more" line.
                        bool ok = false;
                        const size_t m = s.label.section(QLatin1Char(' '), 1, 1).toULongLong(&ok);
                        if (ok) more += m;
                        continue;
                    }
                    if (kept.size() < 12)
                        kept.push_back(s);
                    else
                        ++more;
                }
                k.title = QStringLiteral("instance label (voxels)");
                k.swatches = std::move(kept);
                if (more) k.swatches.push_back({QColor(), QStringLiteral("and %1 more").arg(more)});
            }
            return keys;
        });
}

// Vessels as the Vessels view draws them (radius-true cylinders), coloured by an edge column (default the
// radius) with its colour bar naming the column's unit.
void paintVessels(QPainter& p, const QRectF& r, const nr::Figure& f, const nr::FigurePanel& panel,
                  const FigurePanelData& d, int dpi, FigureWriteStats* stats) {
    paint3d<VesselView>(
        p, r, f, panel, d.spatialUnit, dpi, stats,
        [&](VesselView& view) {
            view.setGraph(d.vessels);
            if (!panel.colorBy.empty()) view.setColorBy(panel.colorBy);
            // The colour bar goes beside the scene as vector (below), not into the image.
            view.scalarBar()->VisibilityOff();
        },
        [](VesselView& view) {
            // The scene's colour bar: the view's lookup table sampled from its low to its high end, titled
            // with the column and its unit ("avgRadiusAvg (voxel)").
            VtkView::FigureKey key;
            key.title = qs(view.colorBarTitle());
            vtkScalarsToColors* lut = view.scalarBar()->GetLookupTable();
            if (!lut) return std::vector<VtkView::FigureKey>();
            const double* range = lut->GetRange();
            key.lo = range[0];
            key.hi = range[1];
            for (int i = 0; i < 64; ++i) {
                double rgb[3];
                lut->GetColor(key.lo + (key.hi - key.lo) * i / 63.0, rgb);
                key.ramp.push_back(QColor::fromRgbF(rgb[0], rgb[1], rgb[2]));
            }
            return std::vector<VtkView::FigureKey>{key};
        });
}

void paintRaster(QPainter& p, const QRectF& r, const nr::Figure& f, const FigurePanelData& d, int dpi) {
    RasterPlot plot;
    plot.setFont(QFont(qs(f.fontFamily)));
    plot.setStore(d.spikes);
    plot.setRateVisible(true);
    plot.resetView();
    plot.paintFigurePanel(p, r, dpi, f.fontPt);
}

void paintRdm(QPainter& p, const QRectF& r, const nr::Figure& f, const FigurePanelData& d, int dpi) {
    MatrixPlot plot;
    plot.setFont(QFont(qs(f.fontFamily)));
    plot.setColorMap([](double x) { return PlotWidget::viridis(x); });
    plot.setMatrix(d.matrix, d.n, d.labels);
    double hi = 0;
    for (double v : d.matrix)
        if (std::isfinite(v)) hi = std::max(hi, v);
    plot.setRange(0, hi > 0 ? hi : 1);
    plot.setValueLabel(QStringLiteral("dissimilarity (1 − r)"));
    plot.paintFigurePanel(p, r, dpi, f.fontPt);
}

// The traces heatmap as the Activity dock draws it (neurons x time, diverging map about 0), its colour bar
// labelled with what the values are (ΔF/F, z-score).
void paintTraces(QPainter& p, const QRectF& r, const nr::Figure& f, const FigurePanelData& d, int dpi) {
    TracePlot plot;
    plot.setFont(QFont(qs(f.fontFamily)));
    plot.setTraces(d.traces);
    plot.setRowOrder(TracePlot::RowOrder::Name);
    plot.paintFigurePanel(p, r, dpi, f.fontPt);
}

// The functional connectome of a traces layer as the FC tab draws it: a correlation matrix on -1 .. 1.
void paintFc(QPainter& p, const QRectF& r, const nr::Figure& f, const FigurePanelData& d, int dpi) {
    MatrixPlot plot;
    plot.setFont(QFont(qs(f.fontFamily)));
    plot.setMatrix(d.matrix, d.n, d.labels);
    plot.setOrder(d.order);
    plot.setRange(-1, 1);
    plot.setValueLabel(d.valueLabel);
    plot.paintFigurePanel(p, r, dpi, f.fontPt);
}

void paintAdjacency(QPainter& p, const QRectF& r, const nr::Figure& f, const FigurePanelData& d, int dpi) {
    AdjacencyPlot plot;
    plot.setFont(QFont(qs(f.fontFamily)));
    plot.setData(d.adjacency);
    plot.setWeightUnit(d.weightUnit);
    plot.paintFigurePanel(p, r, dpi, f.fontPt);
}

void paintStructureFunction(QPainter& p, const QRectF& r, const nr::Figure& f, const FigurePanelData& d,
                            int dpi) {
    ScatterPlot plot;
    plot.setFont(QFont(qs(f.fontFamily)));
    plot.setPoints(d.x, d.y, d.pointNames);
    plot.setLogX(d.logX);
    plot.setAxisTitles(d.xTitle, d.yTitle);
    plot.setStatsText(d.stats);
    plot.paintFigurePanel(p, r, dpi, f.fontPt);
}

// Community membership over time as the Communities tab draws it (colours of colormaps::community, legend).
void paintCommunities(QPainter& p, const QRectF& r, const nr::Figure& f, const FigurePanelData& d, int dpi) {
    MembershipPlot plot;
    plot.setFont(QFont(qs(f.fontFamily)));
    plot.setTimeUnit(d.timeUnit);
    plot.setMembership(d.membership, d.windowStart, d.windowEnd, d.labels);
    plot.setOrder(d.order);
    plot.paintFigurePanel(p, r, dpi, f.fontPt);
}

void paintSholl(QPainter& p, const QRectF& r, const nr::Figure& f, const FigurePanelData& d, int dpi) {
    ShollPlot plot;
    plot.setFont(QFont(qs(f.fontFamily)));
    plot.setProfile(d.shollRadius, d.shollIntersections, d.neuron, d.unit);
    plot.paintFigurePanel(p, r, dpi, f.fontPt);
}

// Bars of the histogram with its axes: counts (linear) against the quantity, ticks from
// PlotWidget::niceTicks.
void paintHistogram(QPainter& p, const QRectF& r, const nr::Figure& f, const FigurePanelData& d, int dpi) {
    const nr::Histogram& h = d.histogram;
    const QFont font = figureFont(f, dpi);
    const QFontMetricsF fm(font);
    const double line = fm.height(), lw = std::max(1.0, f.lineWidthPt * pxPerPt(dpi));
    size_t maxCount = 0, total = 0;
    for (size_t c : h.counts) maxCount = std::max(maxCount, c), total += c;
    // Counts are whole: no more ticks than counts (0, 1, 2 rather than 0, 0.5, 1).
    const std::vector<double> yt = PlotWidget::niceTicks(0, double(std::max<size_t>(1, maxCount)),
                                                         int(std::clamp<size_t>(maxCount, 1, 4)));
    const double yTop = yt.empty() ? 1 : std::max(double(maxCount), yt.back());
    double labelW = 0;
    const double ystep = yt.size() > 1 ? yt[1] - yt[0] : 1;
    for (double v : yt) labelW = std::max(labelW, fm.horizontalAdvance(PlotWidget::tickLabel(v, ystep)));
    // The count n above the plot's top right, clear of the bars.
    const QRectF plot(r.left() + labelW + 2.2 * line, r.top() + 1.3 * line, r.width() - labelW - 2.8 * line,
                      r.height() - 4.1 * line);
    p.save();
    p.setFont(font);
    // Bars.
    const double lo = h.lo, hi = h.hi > h.lo ? h.hi : h.lo + 1;
    const QColor bar = PlotWidget::viridis(0.35);
    for (size_t b = 0; b < h.counts.size(); ++b) {
        if (h.counts[b] == 0) continue;
        const double x0 = plot.left() + plot.width() * double(b) / h.counts.size();
        const double x1 = plot.left() + plot.width() * double(b + 1) / h.counts.size();
        const double y = plot.bottom() - plot.height() * double(h.counts[b]) / yTop;
        p.fillRect(QRectF(x0, y, x1 - x0, plot.bottom() - y), bar);
    }
    const QString xTitle = d.unit.isEmpty() ? d.quantity : QStringLiteral("%1 (%2)").arg(d.quantity, d.unit);
    paintFigureAxes(p, r, plot, lo, hi, yt, yTop, labelW, line, lw, xTitle, QStringLiteral("count"));
    p.setPen(Qt::black);
    p.drawText(QRectF(plot.left() + line, r.top(), plot.width() - line, line), Qt::AlignRight | Qt::AlignTop,
               QStringLiteral("n = %1").arg(total));
    p.restore();
}

} // namespace

QSize figurePixels(const nr::Figure& f, int dpi) {
    return QSize(std::max(1, int(std::lround(f.widthMm / 25.4 * dpi))),
                 std::max(1, int(std::lround(f.heightMm / 25.4 * dpi))));
}

QString checkFigureOutput(const nr::Figure& f, int dpi) {
    using L = nr::FigureLimits;
    if (const std::string why = nr::checkFigure(f); !why.empty())
        return QStringLiteral("figure \"%1\": %2").arg(qs(f.name), qs(why));
    if (dpi < L::kMinDpi || dpi > L::kMaxDpi)
        return QStringLiteral("resolution %1 dpi is outside %2 to %3")
            .arg(dpi)
            .arg(L::kMinDpi)
            .arg(L::kMaxDpi);
    const QSize px = figurePixels(f, dpi);
    if (px.width() > L::kMaxPixels || px.height() > L::kMaxPixels)
        return QStringLiteral(
                   "figure \"%1\" at %2 dpi would be %3x%4 pixels; at most %5 per side (lower the DPI)")
            .arg(qs(f.name))
            .arg(dpi)
            .arg(px.width())
            .arg(px.height())
            .arg(int(L::kMaxPixels));
    return QString();
}

namespace {

// Structure against function of the traces `tr` (correlation matrix `fc`): the graph layer of `doc` whose
// node names match the traces' best (at least 3 neurons), its symmetrised weight of every pair against r,
// with the permutation p, as the Functional dock's Structure tab computes them.
void structureFunctionData(FigurePanelData& d, const nr::FigurePanel& panel, const QString& named,
                           const nr::Traces& tr, const nr::CorrMatrix& fc, nr::CorrMethod method,
                           const nr::Document& doc) {
    const nr::Graph* best = nullptr;
    nr::NameJoin join;
    for (const auto& lp : doc.layers()) {
        if (lp->kind != nr::LayerKind::Graph || !lp->graph) continue;
        const nr::Graph& g = *lp->graph;
        std::vector<std::string> alt;
        for (const char* col : {"name_padded", "name"}) {
            auto it = g.nodeText.find(col);
            if (it != g.nodeText.end() && it->second.size() == g.nodeCount()) {
                alt = it->second;
                break;
            }
        }
        nr::NameJoin j = nr::joinNames(tr.names, g.names, alt);
        if (j.matched >= 3 && (!best || j.matched > join.matched)) best = &g, join = std::move(j);
    }
    if (!best) {
        d.problem =
            named + QStringLiteral(": no network in the workspace has 3 or more of its neurons by name "
                                   "(open the connectome the traces were recorded in)");
        return;
    }
    const std::string syn = panel.settings.stringOr("synapses", "both");
    if (syn != "both" && syn != "chemical" && syn != "electrical") {
        d.problem =
            QStringLiteral("settings.synapses \"%1\" is not both, chemical or electrical").arg(qs(syn));
        return;
    }
    const nr::SynapseKind kind = syn == "chemical"     ? nr::SynapseKind::Chemical
                                 : syn == "electrical" ? nr::SynapseKind::Electrical
                                                       : nr::SynapseKind::Both;
    const double perms = panel.settings.numberOr("permutations", 1000);
    if (!(perms >= 0 && perms <= 100000) || perms != std::floor(perms)) {
        d.problem =
            QStringLiteral("settings.permutations %1 is not a whole number from 0 to 100000").arg(perms);
        return;
    }
    auto r = nr::structureFunction(*best, join, fc, kind, false, size_t(perms), 1);
    if (!r) {
        d.problem = named + QStringLiteral(": ") + qs(r.error().reason);
        return;
    }
    const nr::StructureFunction& sf = r.value();
    d.x = sf.weight;
    d.y = sf.functional;
    for (const auto& n : sf.pairNames) d.pointNames << qs(n);
    // A log weight axis when the positive weights span more than a decade (as the Structure tab).
    double lo = INFINITY, hi = 0;
    for (double w : sf.weight)
        if (w > 0) lo = std::min(lo, w), hi = std::max(hi, w);
    d.logX = hi > 0 && hi >= 10 * lo;
    const std::string unit = panel.settings.stringOr("weightUnit", "");
    // Short enough for a column-wide panel; the scatter adds its log-scale note and a legend of both colours.
    const QString u = unit.empty() ? QStringLiteral("a.u.") : qs(unit);
    d.xTitle = syn == "both" ? QStringLiteral("structural weight (%1)").arg(u)
                             : QStringLiteral("structural weight, %1 (%2)").arg(qs(syn), u);
    d.yTitle =
        QStringLiteral("functional %1 r").arg(method == nr::CorrMethod::Spearman ? "Spearman" : "Pearson");
    d.stats = QStringLiteral("r = %1, p = %2").arg(sf.r, 0, 'f', 3).arg(sf.p, 0, 'g', 3);
}

// Dynamic communities of the traces as the Communities tab computes them (Pearson in sliding windows, Leiden
// with labels matched across windows), rows by name as the traces heatmap.
void communitiesData(FigurePanelData& d, const nr::FigurePanel& panel, const QString& named,
                     const nr::Traces& tr) {
    CommunityParams cp;
    cp.windowS = panel.settings.numberOr("windowS", cp.windowS);
    cp.stepS = panel.settings.numberOr("stepS", cp.stepS);
    cp.resolution = panel.settings.numberOr("resolution", cp.resolution);
    const double seed = panel.settings.numberOr("seed", 1);
    if (!(cp.windowS > 0 && cp.windowS < 1e9) || !(cp.stepS > 0 && cp.stepS < 1e9) ||
        !(cp.resolution > 0 && cp.resolution <= 100) || !(seed >= 0 && seed < 4e9) ||
        seed != std::floor(seed)) {
        d.problem =
            QStringLiteral("settings windowS %1, stepS %2 must be positive, resolution %3 in (0, 100] "
                           "and seed %4 a whole number")
                .arg(cp.windowS)
                .arg(cp.stepS)
                .arg(cp.resolution)
                .arg(seed);
        return;
    }
    cp.seed = uint64_t(seed);
    auto r = FunctionalDock::computeCommunities(tr, cp);
    if (!r) {
        d.problem = named + QStringLiteral(": ") + qs(r.error().reason);
        return;
    }
    const CommunityTimeline& tl = r.value();
    d.membership = tl.result.labels;
    for (const auto& w : tl.windows) d.windowStart.push_back(w.tStart), d.windowEnd.push_back(w.tEnd);
    for (const std::string& name : tr.names) d.labels << qs(name);
    d.order.resize(tr.neurons());
    for (size_t i = 0; i < d.order.size(); ++i) d.order[i] = int(i);
    std::stable_sort(d.order.begin(), d.order.end(),
                     [&tr](int a, int b) { return tr.names[size_t(a)] < tr.names[size_t(b)]; });
    d.timeUnit = tr.inFrames() ? QStringLiteral("frame") : QStringLiteral("s");
}

// "" or why a network panel's edge filter (settings minWeight, maxWeight: numbers; edgeTypes: names of the
// graph's edge types to show) cannot be used.
QString checkEdgeFilter(const nr::JsonValue& s, const nr::Graph& g) {
    for (const char* key : {"minWeight", "maxWeight"})
        if (const nr::JsonValue* v = s.get(key); v && !v->isNumber())
            return QStringLiteral("settings.%1 is not a number").arg(QLatin1String(key));
    if (s.numberOr("minWeight", -HUGE_VAL) > s.numberOr("maxWeight", HUGE_VAL))
        return QStringLiteral("settings.minWeight is above settings.maxWeight");
    const nr::JsonValue* types = s.get("edgeTypes");
    if (!types) return QString();
    if (!types->isArray()) return QStringLiteral("settings.edgeTypes is not a list of edge type names");
    for (const nr::JsonValue& t : types->arr)
        if (!t.isString() || std::find(g.edgeTypes.begin(), g.edgeTypes.end(), t.str) == g.edgeTypes.end()) {
            QStringList known;
            for (const std::string& k : g.edgeTypes) known << qs(k);
            return QStringLiteral("settings.edgeTypes names \"%1\", which is not one of its edge types (%2)")
                .arg(t.isString() ? qs(t.str) : QStringLiteral("?"), known.join(QStringLiteral(", ")));
        }
    return QString();
}

// settings.labels of a 3-D panel: the names of nodes (network) or neurons (neurons) to write beside the scene
// as vector text, each resolved to the world point it names. A name the layer does not hold is a problem of
// the panel (the figure would silently lose a label the user asked for).
void resolveLabels(const nr::FigurePanel& panel, FigurePanelData& d, const QString& named) {
    const nr::JsonValue* labels = panel.settings.get("labels");
    if (!labels) return;
    if (!labels->isArray()) {
        d.problem = QStringLiteral("settings.labels is not a list of names");
        return;
    }
    if (labels->arr.size() > kMaxFigureLabels) {
        d.problem = QStringLiteral("settings.labels holds %1 names; at most %2 are drawn")
                        .arg(labels->arr.size())
                        .arg(kMaxFigureLabels);
        return;
    }
    for (const nr::JsonValue& v : labels->arr) {
        if (!v.isString() || v.str.empty()) {
            d.problem = QStringLiteral("settings.labels holds something that is not a name");
            return;
        }
        FigurePanelData::Anchor a;
        a.text = qs(v.str);
        bool found = false;
        if (panel.view == nr::PanelView::Network && d.graph) {
            const long id = d.graph->findNode(v.str);
            if (id >= 0) {
                a.p = {d.graph->x[size_t(id)], d.graph->y[size_t(id)], d.graph->z[size_t(id)]};
                a.text = qs(d.graph->names[size_t(id)]);
                found = true;
            }
        } else if (panel.view == nr::PanelView::Neurons && d.morphologies) {
            for (const nr::Morphology& m : d.morphologies->neurons)
                if (!found && m.name == v.str && m.size() > 0) {
                    // The soma, or the first point of a neuron without one (a traced fragment).
                    const size_t k = size_t(std::max(0, m.soma()));
                    a.p = {m.x[k] * m.unitScale, m.y[k] * m.unitScale, m.z[k] * m.unitScale};
                    found = true;
                }
        } else {
            d.problem = QStringLiteral("settings.labels: this view has no named items to label");
            return;
        }
        if (!found) {
            d.problem =
                named + QStringLiteral(": settings.labels names \"%1\", which is not a %2 of it")
                            .arg(qs(v.str), panel.view == nr::PanelView::Network ? QStringLiteral("node")
                                                                                 : QStringLiteral("neuron"));
            return;
        }
        d.labelAnchors.push_back(std::move(a));
    }
}

} // namespace

std::vector<FigurePanelData> figureDataFromDocument(const nr::Figure& f, const nr::Document& doc) {
    std::vector<FigurePanelData> out(f.panels.size());
    for (size_t i = 0; i < f.panels.size(); ++i) {
        const nr::FigurePanel& panel = f.panels[i];
        FigurePanelData& d = out[i];
        if (panel.layer == 0) {
            d.problem = panel.layerNote.empty() ? QStringLiteral("no layer chosen") : qs(panel.layerNote);
            continue;
        }
        const nr::Layer* l = doc.find(panel.layer);
        if (!l) {
            d.problem = QStringLiteral("layer %1 is not in the workspace (it was removed or did not open)")
                            .arg(qulonglong(panel.layer));
            continue;
        }
        d.source = qs(l->name);
        const QString named =
            QStringLiteral("layer \"%1\" (%2)").arg(d.source, qs(nr::layerKindName(l->kind)));
        switch (panel.view) {
        case nr::PanelView::Network:
            if (l->kind != nr::LayerKind::Graph || !l->graph)
                d.problem = named + QStringLiteral(" is not a network");
            else if (!l->graph->hasPositions())
                d.problem = named + QStringLiteral(" has no node positions to draw in 3-D");
            else if (const QString why = checkEdgeFilter(panel.settings, *l->graph); !why.isEmpty())
                d.problem = named + QStringLiteral(": ") + why;
            else
                d.graph = l->graph;
            break;
        case nr::PanelView::Raster:
            if (!l->spikes)
                d.problem = named + QStringLiteral(" holds no spikes");
            else if (l->spikes->empty())
                d.problem = named + QStringLiteral(" has no spikes yet");
            else {
                // A frozen copy: a running simulation keeps appending to the layer's store.
                auto copy = std::make_shared<nr::SpikeStore>(*l->spikes);
                d.spikes = std::move(copy);
            }
            break;
        case nr::PanelView::Rdm: {
            // The last square matrix an analysis recorded on the layer (the rdm plugin's "rdm").
            const nr::JsonValue* results = l->state.get("results");
            const nr::JsonValue* found = nullptr;
            if (results && results->isArray())
                for (const nr::JsonValue& run : results->arr)
                    if (const nr::JsonValue* ms = run.get("matrices"); ms && ms->isArray())
                        for (const nr::JsonValue& m : ms->arr)
                            if (m.numberOr("rows", -1) == m.numberOr("cols", -2) &&
                                m.numberOr("rows", 0) > 0 && (!found || m.stringOr("name", "") == "rdm"))
                                found = &m;
            if (!found) {
                d.problem =
                    named + QStringLiteral(" holds no dissimilarity matrix (run the rdm analysis on it)");
                break;
            }
            d.n = int(found->numberOr("rows", 0));
            const nr::JsonValue* vals = found->get("values");
            if (!vals || !vals->isArray() || vals->arr.size() != size_t(d.n) * size_t(d.n)) {
                d.problem = named + QStringLiteral(": its matrix has no values of size %1 x %1").arg(d.n);
                break;
            }
            for (const nr::JsonValue& v : vals->arr) d.matrix.push_back(v.isNumber() ? v.num : NAN);
            if (const nr::JsonValue* lab = found->get("rowLabels"); lab && lab->isArray())
                for (const nr::JsonValue& s : lab->arr) d.labels << qs(s.str);
            break;
        }
        case nr::PanelView::Histogram: {
            if (l->kind != nr::LayerKind::Vessels) {
                histogramPanelData(d, panel, named, *l); // rates, ISI CV, segment lengths
                break;
            }
            auto g = std::any_cast<std::shared_ptr<const nr::VesselGraph>>(&l->payload);
            if (!g || !*g) {
                d.problem = named + QStringLiteral(" is not a vessel graph");
                break;
            }
            const double bins = panel.settings.numberOr("bins", 40);
            const std::string q = panel.settings.stringOr("quantity", "radius");
            if (!(bins >= 1 && bins <= 1000) || q != "radius") {
                d.problem =
                    QStringLiteral("settings.bins %1 must be from 1 to 1000 and settings.quantity \"%2\" "
                                   "radius for a vessels layer")
                        .arg(bins)
                        .arg(qs(q));
                break;
            }
            std::vector<float> radii = (*g)->edgeRadii();
            radii.erase(std::remove_if(radii.begin(), radii.end(), [](float v) { return !std::isfinite(v); }),
                        radii.end());
            if (radii.empty()) {
                d.problem = named + QStringLiteral(" has no vessel radii");
                break;
            }
            d.histogram = nr::histogram(radii, size_t(panel.settings.numberOr("bins", 40)));
            d.quantity = QStringLiteral("vessel radius");
            d.unit = vesselUnit(**g);
            break;
        }
        case nr::PanelView::Neurons: {
            if (l->kind == nr::LayerKind::LabelVolume) {
                auto vol = std::any_cast<std::shared_ptr<const nr::LabelVolume>>(&l->payload);
                if (!vol || !*vol) {
                    d.problem = named + QStringLiteral(" holds no volume");
                    break;
                }
                if ((*vol)->instances.empty()) {
                    d.problem = named + QStringLiteral(" has no instances (every voxel is background)");
                    break;
                }
                if (!panel.colorBy.empty() && panel.colorBy != "instance") {
                    d.problem =
                        QStringLiteral("colorBy \"%1\" is not instance (a label volume is coloured by "
                                       "instance)")
                            .arg(qs(panel.colorBy));
                    break;
                }
                const nr::LabelVolume& v = **vol;
                const bool unitVoxels = v.voxelSize[0] == 1 && v.voxelSize[1] == 1 && v.voxelSize[2] == 1;
                d.labelVolume = *vol;
                d.labelState = l->state;
                d.spatialUnit = v.unit == "um" || v.unit == "micrometer" || v.unit == "µm"
                                    ? QStringLiteral("µm")
                                : !v.unit.empty() ? qs(v.unit)
                                : unitVoxels      ? QStringLiteral("voxels")
                                                  : QStringLiteral("units");
                break;
            }
            auto set = std::any_cast<std::shared_ptr<const nr::MorphologySet>>(&l->payload);
            if (l->kind != nr::LayerKind::Morphologies || !set || !*set) {
                d.problem = named + QStringLiteral(" is not a morphologies layer or a label volume");
                break;
            }
            if ((*set)->neurons.empty()) {
                d.problem = named + QStringLiteral(" has no neurons");
                break;
            }
            const std::string& c = panel.colorBy;
            if (!c.empty() && c != "neuron" && c != "type" && c != "branch-order" && c != "path-distance") {
                d.problem =
                    QStringLiteral("colorBy \"%1\" is not neuron, type, branch-order or path-distance")
                        .arg(qs(c));
                break;
            }
            d.morphologies = *set;
            d.spatialUnit = QStringLiteral("µm");
            break;
        }
        case nr::PanelView::Vessels: {
            auto g = std::any_cast<std::shared_ptr<const nr::VesselGraph>>(&l->payload);
            if (l->kind != nr::LayerKind::Vessels || !g || !*g) {
                d.problem = named + QStringLiteral(" is not a vessel graph");
                break;
            }
            if ((*g)->edgeCount() == 0) {
                d.problem = named + QStringLiteral(" has no vessel segments");
                break;
            }
            if (!panel.colorBy.empty() && panel.colorBy != "radius") {
                QStringList names;
                bool found = false;
                for (const auto& c : (*g)->edgeColumns) {
                    names << qs(c.name);
                    found = found || c.name == panel.colorBy;
                }
                if (!found) {
                    d.problem =
                        named + QStringLiteral(": colorBy \"%1\" is not one of its edge columns (radius, %2)")
                                    .arg(qs(panel.colorBy), names.join(QStringLiteral(", ")));
                    break;
                }
            }
            d.vessels = *g;
            d.spatialUnit = vesselUnit(**g);
            break;
        }
        case nr::PanelView::Traces:
        case nr::PanelView::FcMatrix:
        case nr::PanelView::StructureFunction:
        case nr::PanelView::Communities: {
            auto t = std::any_cast<std::shared_ptr<const nr::Traces>>(&l->payload);
            if (l->kind != nr::LayerKind::Traces || !t || !*t) {
                d.problem = named + QStringLiteral(" is not a traces layer (activity of named neurons)");
                break;
            }
            const nr::Traces& tr = **t;
            if (tr.neurons() == 0 || tr.timepoints() == 0) {
                d.problem = named + QStringLiteral(" has no neurons or no time points");
                break;
            }
            if (panel.view == nr::PanelView::Traces) {
                d.traces = *t;
                break;
            }
            if (panel.view == nr::PanelView::Communities) {
                communitiesData(d, panel, named, tr);
                break;
            }
            const std::string m = panel.settings.stringOr("method", "pearson");
            if (m != "pearson" && m != "spearman") {
                d.problem = QStringLiteral("settings.method \"%1\" is not pearson or spearman").arg(qs(m));
                break;
            }
            const nr::CorrMethod method =
                m == "spearman" ? nr::CorrMethod::Spearman : nr::CorrMethod::Pearson;
            if (nr::Status e = nr::checkCorrelationBudget(tr, nr::correlationBytes(tr, method, 1),
                                                          "functional connectivity matrix")) {
                d.problem = named + QStringLiteral(": ") + qs(e->reason);
                break;
            }
            const nr::CorrMatrix fc = nr::correlationMatrix(tr, method);
            if (panel.view == nr::PanelView::StructureFunction) {
                structureFunctionData(d, panel, named, tr, fc, method, doc);
                break;
            }
            d.n = int(fc.n);
            d.matrix = fc.r;
            for (const std::string& name : tr.names) d.labels << qs(name);
            // By name, as the traces panel orders its rows (TracePlot::RowOrder::Name).
            d.order.resize(tr.neurons());
            for (size_t i = 0; i < d.order.size(); ++i) d.order[i] = int(i);
            std::stable_sort(d.order.begin(), d.order.end(),
                             [&tr](int a, int b) { return tr.names[size_t(a)] < tr.names[size_t(b)]; });
            d.valueLabel = method == nr::CorrMethod::Spearman ? QStringLiteral("Spearman r")
                                                              : QStringLiteral("Pearson r");
            break;
        }
        case nr::PanelView::Geometry:
            geometryPanelData(d, panel, named, *l);
            break;
        case nr::PanelView::Rates:
            ratesPanelData(d, panel, named, *l);
            break;
        case nr::PanelView::Adjacency: {
            if (l->kind != nr::LayerKind::Graph || !l->graph) {
                d.problem = named + QStringLiteral(" is not a network");
                break;
            }
            const nr::Graph& g = *l->graph;
            if (g.nodeCount() == 0 || g.edgeCount() == 0) {
                d.problem = named + QStringLiteral(" has no edges");
                break;
            }
            // The order the settings ask for ("file", "class:COLUMN", "community", "cluster"); by default
            // grouped by class when the nodes have one.
            const std::string asked = panel.settings.stringOr("order", "");
            const QString order = !asked.empty()        ? qs(asked)
                                  : g.nodeClass.empty() ? QStringLiteral("file")
                                                        : QStringLiteral("class:class");
            if (!asked.empty() && asked != "file" && asked != "community" && asked != "cluster" &&
                asked.rfind("class:", 0) != 0) {
                d.problem =
                    QStringLiteral("settings.order \"%1\" is not file, class:COLUMN, community or cluster")
                        .arg(qs(asked));
                break;
            }
            QString err;
            d.adjacency = AdjacencyDock::plotData(g, order, &err);
            if (!err.isEmpty() && !asked.empty()) {
                d.problem = named + QStringLiteral(": order \"%1\": %2").arg(order, err);
                break;
            }
            const std::string unit = panel.settings.stringOr("weightUnit", "");
            d.weightUnit = unit.empty() ? QStringLiteral("a.u.") : qs(unit);
            break;
        }
        case nr::PanelView::Sholl: {
            auto set = std::any_cast<std::shared_ptr<const nr::MorphologySet>>(&l->payload);
            if (l->kind != nr::LayerKind::Morphologies || !set || !*set) {
                d.problem = named + QStringLiteral(" is not a morphologies layer");
                break;
            }
            const auto& neurons = (*set)->neurons;
            const double k = panel.settings.numberOr("neuron", 0);
            if (neurons.empty() || !(k >= 0 && k < double(neurons.size())) || k != std::floor(k)) {
                d.problem = named + QStringLiteral(" has %1 neurons; settings.neuron %2 is not one of them")
                                        .arg(neurons.size())
                                        .arg(k);
                break;
            }
            const nr::Morphology& m = neurons[size_t(k)];
            const nr::Morphometrics mm = nr::computeMorphometrics(m); // as the Neuron panel (50 shells)
            if (mm.shollRadius.empty()) {
                d.problem =
                    named + QStringLiteral(": neuron \"%1\" has no Sholl profile (no branches around a "
                                           "soma)")
                                .arg(qs(m.name));
                break;
            }
            d.shollRadius = mm.shollRadius;
            d.shollIntersections = mm.shollIntersections;
            d.neuron = qs(m.name);
            d.unit = QStringLiteral("µm");
            break;
        }
        }
        if (d.problem.isEmpty()) resolveLabels(panel, d, named);
    }
    return out;
}

QString figureProblems(const nr::Figure& f, const std::vector<FigurePanelData>& data) {
    QStringList lines;
    for (size_t i = 0; i < f.panels.size(); ++i) {
        if (i >= data.size())
            lines << QStringLiteral("%1: no data").arg(panelName(f, i));
        else if (!data[i].problem.isEmpty())
            lines << QStringLiteral("%1: %2").arg(panelName(f, i), data[i].problem);
    }
    return lines.join(QLatin1Char('\n'));
}

// The panel's view drawn into `content` (its data has no problem).
static void paintPanelContent(QPainter& p, const QRectF& content, const nr::Figure& f,
                              const nr::FigurePanel& panel, const FigurePanelData& d, int dpi,
                              FigureWriteStats* stats) {
    switch (panel.view) {
    case nr::PanelView::Network:
        paintNetwork(p, content, f, panel, d, dpi, stats);
        break;
    case nr::PanelView::Raster:
        paintRaster(p, content, f, d, dpi);
        break;
    case nr::PanelView::Rdm:
        paintRdm(p, content, f, d, dpi);
        break;
    case nr::PanelView::Histogram:
        paintHistogram(p, content, f, d, dpi);
        break;
    case nr::PanelView::Traces:
        paintTraces(p, content, f, d, dpi);
        break;
    case nr::PanelView::FcMatrix:
        paintFc(p, content, f, d, dpi);
        break;
    case nr::PanelView::Adjacency:
        paintAdjacency(p, content, f, d, dpi);
        break;
    case nr::PanelView::Sholl:
        paintSholl(p, content, f, d, dpi);
        break;
    case nr::PanelView::StructureFunction:
        paintStructureFunction(p, content, f, d, dpi);
        break;
    case nr::PanelView::Communities:
        paintCommunities(p, content, f, d, dpi);
        break;
    case nr::PanelView::Vessels:
        paintVessels(p, content, f, panel, d, dpi, stats);
        break;
    case nr::PanelView::Neurons:
        if (d.labelVolume)
            paintLabelVolume(p, content, f, panel, d, dpi, stats);
        else
            paintNeurons(p, content, f, panel, d, dpi, stats);
        break;
    case nr::PanelView::Geometry:
        paintGeometryPanel(p, content, f, d, dpi);
        break;
    case nr::PanelView::Rates:
        paintRatesPanel(p, content, f, d, dpi);
        break;
    }
}

void paintFigure(QPainter& p, const nr::Figure& f, const std::vector<FigurePanelData>& data, int dpi,
                 FigureWriteStats* stats, FigureCache* cache) {
    const QSize page = figurePixels(f, dpi);
    p.save();
    p.setRenderHint(QPainter::Antialiasing);
    p.setRenderHint(QPainter::TextAntialiasing);
    p.fillRect(QRectF(QPointF(0, 0), QSizeF(page)), Qt::white);
    const QFont font = figureFont(f, dpi);
    const QFont letterFont = figureFont(f, dpi, 8.0 / 7.0, true);
    // A family this machine lacks is replaced by Qt's choice: the figure is drawn, and says so.
    if (const QString drawn = QFontInfo(font).family(); stats && drawn != qs(f.fontFamily))
        stats->warnings << QStringLiteral("the font \"%1\" is not installed; \"%2\" is drawn instead")
                               .arg(qs(f.fontFamily), drawn);
    const double line = QFontMetricsF(font).height();
    const double letterH = QFontMetricsF(letterFont).height();
    const double margin = 1.5 / 25.4 * dpi; // 1.5 mm around the page and between cells
    const double cellW = (page.width() - margin) / f.cols, cellH = (page.height() - margin) / f.rows;
    for (size_t i = 0; i < f.panels.size(); ++i) {
        const nr::FigurePanel& panel = f.panels[i];
        const QRectF cell(margin + panel.col * cellW, margin + panel.row * cellH,
                          panel.colSpan * cellW - margin, panel.rowSpan * cellH - margin);
        QRectF content = cell;
        if (f.letters) {
            p.setFont(letterFont);
            p.setPen(Qt::black);
            p.drawText(QRectF(cell.left(), cell.top(), 3 * letterH, letterH), Qt::AlignLeft | Qt::AlignTop,
                       qs(nr::panelLetter(i)));
            content.setTop(content.top() + letterH * 0.9);
        }
        if (!panel.title.empty()) {
            p.setFont(font);
            p.setPen(Qt::black);
            p.drawText(QRectF(content.left() + 2 * letterH, cell.top(), content.width() - 2 * letterH, line),
                       Qt::AlignHCenter | Qt::AlignTop, qs(panel.title));
            content.setTop(std::max(content.top(), cell.top() + line));
        }
        const FigurePanelData* d = i < data.size() ? &data[i] : nullptr;
        if (!d || !d->problem.isEmpty()) {
            paintProblem(p, content, d ? d->problem : QStringLiteral("no data"), font,
                         std::max(1.0, f.lineWidthPt * pxPerPt(dpi)));
            continue;
        }
        p.save();
        p.setClipRect(cell);
        const qsizetype warned = stats ? stats->warnings.size() : 0;
        const bool is3d = panel.view == nr::PanelView::Network || panel.view == nr::PanelView::Vessels ||
                          panel.view == nr::PanelView::Neurons;
        if (cache && is3d)
            cache->paintScene(
                p, content, f, i, dpi,
                [&](QPainter& q, const QRectF& area) {
                    paintPanelContent(q, area, f, panel, *d, dpi, stats);
                },
                stats ? &stats->warnings : nullptr);
        else
            paintPanelContent(p, content, f, panel, *d, dpi, stats);
        p.restore();
        if (stats) {
            ++stats->panels;
            for (qsizetype k = warned; k < stats->warnings.size(); ++k)
                stats->warnings[k] = QStringLiteral("%1: %2").arg(panelName(f, i), stats->warnings[k]);
        }
    }
    p.restore();
    if (stats) stats->pixels = page;
}

QByteArray fixPdfTimestamps(QByteArray pdf) {
    // Same-length replacements: digits become fixed digits, so every byte offset (xref) stays valid.
    auto fixAll = [&pdf](const QRegularExpression& re, auto make) {
        QRegularExpressionMatchIterator it = re.globalMatch(QString::fromLatin1(pdf));
        std::vector<std::pair<qsizetype, QByteArray>> edits;
        while (it.hasNext()) {
            const QRegularExpressionMatch m = it.next();
            edits.emplace_back(m.capturedStart(1), make(m.captured(1).toLatin1()));
        }
        for (const auto& e : edits) pdf.replace(e.first, e.second.size(), e.second);
    };
    // /CreationDate (D:20261206051500+00'00') and /ModDate
    fixAll(QRegularExpression(QStringLiteral("/(?:CreationDate|ModDate) ?\\(D:([0-9]{14})")),
           [](const QByteArray&) { return QByteArray("20000101000000"); });
    // XMP: xmp:CreateDate / ModifyDate / MetadataDate = 2026-12-06T05:15:00+00:00
    fixAll(QRegularExpression(QStringLiteral("(?:CreateDate|ModifyDate|MetadataDate)[=>\"' "
                                             "]+([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})")),
           [](const QByteArray&) { return QByteArray("2000-01-01T00:00:00"); });
    // Document and instance ids (uuid:…) and the trailer's /ID [<hex> <hex>].
    fixAll(QRegularExpression(QStringLiteral("uuid:([0-9a-fA-F-]{36})")),
           [](const QByteArray& s) { return QByteArray(s.size(), '0'); });
    fixAll(QRegularExpression(QStringLiteral("/ID ?\\[ ?<([0-9a-fA-F]+)>")),
           [](const QByteArray& s) { return QByteArray(s.size(), '0'); });
    fixAll(QRegularExpression(QStringLiteral("/ID ?\\[ ?<[0-9a-fA-F]+> ?<([0-9a-fA-F]+)>")),
           [](const QByteArray& s) { return QByteArray(s.size(), '0'); });
    return pdf;
}

QString writeFigure(const nr::Figure& f, const std::vector<FigurePanelData>& data, const QString& path,
                    int dpi, FigureWriteStats* stats) {
    if (const QString e = checkFigureOutput(f, dpi); !e.isEmpty()) return path + QStringLiteral(": ") + e;
    if (const QString e = figureProblems(f, data); !e.isEmpty())
        return QStringLiteral("%1: figure \"%2\" cannot be drawn: %3").arg(path, qs(f.name), e);
    const QString ext = QFileInfo(path).suffix().toLower();
    const QSize px = figurePixels(f, dpi);
    FigureWriteStats local;
    FigureWriteStats& st = stats ? *stats : local;
    st = FigureWriteStats();
    QByteArray bytes;
    if (ext == QLatin1String("pdf")) {
        QBuffer buf(&bytes);
        buf.open(QIODevice::WriteOnly);
        {
            QPdfWriter pdf(&buf);
            pdf.setResolution(dpi);
            pdf.setCreator(QStringLiteral("Neurorama"));
            pdf.setTitle(qs(f.name));
            pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
            pdf.setPageSize(QPageSize(QSizeF(f.widthMm, f.heightMm), QPageSize::Millimeter, QString(),
                                      QPageSize::ExactMatch));
            QPainter p;
            if (!p.begin(&pdf)) return path + QStringLiteral(": could not start the PDF");
            paintFigure(p, f, data, dpi, &st);
            if (!p.end()) return path + QStringLiteral(": could not finish the PDF");
        }
        bytes = fixPdfTimestamps(bytes);
    } else if (ext == QLatin1String("svg")) {
        QBuffer buf(&bytes);
        buf.open(QIODevice::WriteOnly);
        QSvgGenerator gen;
        gen.setOutputDevice(&buf);
        gen.setSize(px);
        gen.setViewBox(QRect(QPoint(0, 0), px));
        gen.setResolution(dpi);
        gen.setTitle(qs(f.name));
        gen.setDescription(QStringLiteral("Neurorama figure"));
        QPainter p;
        if (!p.begin(&gen)) return path + QStringLiteral(": could not start the SVG");
        paintFigure(p, f, data, dpi, &st);
        if (!p.end()) return path + QStringLiteral(": could not finish the SVG");
    } else if (ext == QLatin1String("png") || ext == QLatin1String("tif") || ext == QLatin1String("tiff")) {
        QImage img(px, QImage::Format_RGB32);
        if (img.isNull())
            return QStringLiteral("%1: not enough memory for a %2x%3 image")
                .arg(path)
                .arg(px.width())
                .arg(px.height());
        const int dpm = int(std::lround(dpi / 0.0254));
        img.setDotsPerMeterX(dpm);
        img.setDotsPerMeterY(dpm);
        img.fill(Qt::white);
        {
            QPainter p(&img);
            paintFigure(p, f, data, dpi, &st);
        }
        if (ext == QLatin1String("png")) {
            QBuffer buf(&bytes);
            buf.open(QIODevice::WriteOnly);
            QImageWriter w(&buf, "png");
            if (!w.write(img)) return path + QStringLiteral(": ") + w.errorString();
        } else {
            QTemporaryDir tmp;
            const QString t = tmp.filePath(QStringLiteral("figure.tif"));
            QString err;
            if (!tmp.isValid() || !PlotWidget::writeTiffFile(img, t, dpi, &err))
                return path + QStringLiteral(": could not encode TIFF: ") + err;
            QFile in(t);
            if (!in.open(QIODevice::ReadOnly)) return path + QStringLiteral(": could not encode TIFF");
            bytes = in.readAll();
        }
    } else {
        return QStringLiteral("%1: unknown figure format '.%2' (use .pdf, .svg, .png, .tif or .tiff)")
            .arg(path, ext);
    }
    if (nr::Status e =
            nr::writeFileAtomic(path.toStdString(), std::string(bytes.constData(), size_t(bytes.size()))))
        return qs(e->str());
    st.bytes = bytes.size();
    st.pixels = px;
    return QString();
}

nr::Figure exampleFigure(std::vector<FigurePanelData>& data) {
    nr::Figure f;
    f.name = "Example";
    f.widthMm = 174;
    f.heightMm = 130;
    f.rows = 2;
    f.cols = 2;
    data.assign(4, FigurePanelData());
    // A: the demo column in 3-D, coloured by class.
    nr::FigurePanel a;
    a.view = nr::PanelView::Network;
    a.row = 0, a.col = 0;
    a.title = "Demo cortical column";
    a.colorBy = "class";
    nr::FigurePanelCamera side; // from the side: the layers stacked along z (µm)
    side.position = {0, -2800, 500};
    side.focalPoint = {0, 0, 500};
    side.viewUp = {0, 0, 1};
    a.camera = side;
    a.settings.set("edgeOpacity", 0.2);
    a.settings.set("nodeSize", 4.0);
    f.panels.push_back(a);
    data[0].graph = std::make_shared<const nr::Graph>(nr::makeDemoNetwork());
    data[0].source = QStringLiteral("Demo cortical column");

    // B: a COBA run of 1 s, raster with the population rate.
    nr::FigurePanel b;
    b.view = nr::PanelView::Raster;
    b.row = 0, b.col = 1;
    b.title = "COBA network, 1 s";
    f.panels.push_back(b);
    nr::ModelRequest req;
    req.model = "coba";
    req.seed = 1;
    auto net = nr::buildModel(req);
    auto store = std::make_shared<nr::SpikeStore>();
    nr::SpikeTrains trains;
    if (net) {
        nr::Simulation sim;
        if (!sim.init(std::move(net.value()), req.seed)) {
            sim.run(1000.0);
            trains = sim.spikes();
            trains.tStart = 0;
            trains.tStop = 1.0;
            if (trains.unitIds.empty())
                for (uint32_t u = 0; u < sim.size(); ++u) trains.unitIds.push_back(u);
            store->assign(trains);
        }
    }
    data[1].spikes = store;
    data[1].source = QStringLiteral("COBA");
    if (store->empty()) data[1].problem = QStringLiteral("the COBA model produced no spikes");

    // C: RDM of the COBA activity: 12 windows of 80 ms as conditions, spike counts per neuron.
    nr::FigurePanel c;
    c.view = nr::PanelView::Rdm;
    c.row = 1, c.col = 0;
    c.title = "RDM of 12 time windows";
    f.panels.push_back(c);
    {
        const int k = 12;
        const size_t units = std::max<size_t>(1, trains.unitCount());
        Eigen::MatrixXd resp = Eigen::MatrixXd::Zero(k, Eigen::Index(units));
        for (size_t s = 0; s < trains.times.size(); ++s) {
            const int w = int((trains.times[s] - 0.04) / 0.08);
            if (w >= 0 && w < k && trains.units[s] < units) resp(w, Eigen::Index(trains.units[s])) += 1;
        }
        std::vector<std::string> names;
        for (int w = 0; w < k; ++w) names.push_back(std::to_string(40 + 80 * w) + " ms");
        auto rdm = nr::rdmOfResponses(resp, nr::RdmMetric::Correlation, names, "example");
        if (rdm) {
            data[2].n = k;
            for (int i = 0; i < k; ++i)
                for (int j = 0; j < k; ++j) data[2].matrix.push_back(rdm.value()(i, j));
            for (const std::string& n : names) data[2].labels << qs(n);
        } else {
            data[2].problem = qs(rdm.error().reason);
        }
        data[2].source = QStringLiteral("COBA");
    }

    // D: radii of 20000 generated vessel segments (log-normal, median 3 µm).
    nr::FigurePanel dpanel;
    dpanel.view = nr::PanelView::Histogram;
    dpanel.row = 1, dpanel.col = 1;
    dpanel.title = "Vessel radii (generated)";
    f.panels.push_back(dpanel);
    {
        std::mt19937_64 rng(7);
        std::normal_distribution<double> g(std::log(3.0), 0.45);
        std::vector<float> radii(20000);
        for (float& r : radii) r = float(std::exp(g(rng)));
        data[3].histogram = nr::histogram(radii, 40, 0, 15);
        data[3].quantity = QStringLiteral("vessel radius");
        data[3].unit = QStringLiteral("µm");
        data[3].source = QStringLiteral("generated vessels");
    }
    return f;
}

std::optional<std::pair<int, int>> figureCellAt(const nr::Figure& f, const QPointF& px, int dpi) {
    // The same grid paintFigure draws: 1.5 mm around the page and between cells.
    const QSize page = figurePixels(f, dpi);
    const double margin = 1.5 / 25.4 * dpi;
    const double cellW = (page.width() - margin) / f.cols, cellH = (page.height() - margin) / f.rows;
    if (px.x() < margin || px.y() < margin || cellW <= 0 || cellH <= 0) return std::nullopt;
    const int c = int((px.x() - margin) / cellW), r = int((px.y() - margin) / cellH);
    if (r < 0 || c < 0 || r >= f.rows || c >= f.cols) return std::nullopt;
    return std::make_pair(r, c);
}

QRectF figurePanelContentRect(const nr::Figure& f, size_t i, int dpi, QRectF* cellOut) {
    // The same layout as paintFigure: cells on a grid with a margin, the letter and title above the content.
    const QSize page = figurePixels(f, dpi);
    const nr::FigurePanel& panel = f.panels[i];
    const double line = QFontMetricsF(figureFont(f, dpi)).height();
    const double letterH = QFontMetricsF(figureFont(f, dpi, 8.0 / 7.0, true)).height();
    const double margin = 1.5 / 25.4 * dpi;
    const double cellW = (page.width() - margin) / f.cols, cellH = (page.height() - margin) / f.rows;
    const QRectF cell(margin + panel.col * cellW, margin + panel.row * cellH, panel.colSpan * cellW - margin,
                      panel.rowSpan * cellH - margin);
    QRectF content = cell;
    if (f.letters) content.setTop(content.top() + letterH * 0.9);
    if (!panel.title.empty()) content.setTop(std::max(content.top(), cell.top() + line));
    if (cellOut) *cellOut = cell;
    return content;
}

void paintFigurePanelContent(QPainter& p, const QRectF& content, const nr::Figure& f, size_t i,
                             const FigurePanelData& d, int dpi) {
    paintPanelContent(p, content, f, f.panels[i], d, dpi, nullptr);
}

void paintFigureAxes(QPainter& p, const QRectF& r, const QRectF& plot, double xlo, double xhi,
                     const std::vector<double>& yt, double yTop, double labelW, double line, double lw,
                     const QString& xTitle, const QString& yTitle) {
    const double xspan = xhi > xlo ? xhi - xlo : 1;
    p.save();
    p.setPen(QPen(Qt::black, lw, Qt::SolidLine, Qt::FlatCap));
    p.drawLine(plot.bottomLeft(), plot.bottomRight());
    p.drawLine(plot.bottomLeft(), plot.topLeft());
    const double tick = 0.3 * line;
    const std::vector<double> xt =
        PlotWidget::niceTicks(xlo, xlo + xspan, std::max(2, int(plot.width() / (4 * line))));
    const double xstep = xt.size() > 1 ? xt[1] - xt[0] : 1;
    for (double v : xt) {
        const double x = plot.left() + (v - xlo) / xspan * plot.width();
        p.drawLine(QPointF(x, plot.bottom()), QPointF(x, plot.bottom() + tick));
        p.drawText(QRectF(x - 3 * line, plot.bottom() + tick, 6 * line, line),
                   Qt::AlignHCenter | Qt::AlignTop, PlotWidget::tickLabel(v, xstep));
    }
    const double ystep = yt.size() > 1 ? yt[1] - yt[0] : 1;
    for (double v : yt) {
        const double y = plot.bottom() - v / yTop * plot.height();
        p.drawLine(QPointF(plot.left() - tick, y), QPointF(plot.left(), y));
        p.drawText(QRectF(plot.left() - tick - labelW - line, y - line / 2, labelW + 0.8 * line, line),
                   Qt::AlignRight | Qt::AlignVCenter, PlotWidget::tickLabel(v, ystep));
    }
    p.drawText(QRectF(plot.left(), plot.bottom() + tick + line, plot.width(), line * 1.2),
               Qt::AlignHCenter | Qt::AlignTop, xTitle);
    p.translate(r.left() + 0.1 * line, plot.center().y());
    p.rotate(-90);
    p.drawText(QRectF(-plot.height() / 2, 0, plot.height(), line * 1.2), Qt::AlignHCenter | Qt::AlignTop,
               yTitle);
    p.restore();
}
