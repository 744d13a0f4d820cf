#include "layers/LayerPresenter.h"

#include <QObject>
#include <cmath>
#include <limits>
#include <memory>

#include "ActivityDock.h"
#include "AdjacencyDock.h"
#include "AnalysisDock.h"
#include "ConnectomePanel.h"
#include "FisbeView.h"
#include "MainWindow.h"
#include "SimulationDock.h"
#include "VesselPanel.h"
#include "io/ReaderRegistry.h"
#include "morph/ImageVolume.h"
#include "morph/LabelVolume.h"
#include "plots/TracePlot.h"
#include "plugin/ResultsJson.h"
#include "session/Session.h"
#include "sim/SimulationRunner.h"
#include "traces/Traces.h"
#include "vessel/VesselGraph.h"
#include "vtk/ConnectomeView.h"
#include "vtk/NeuronView.h"
#include "vtk/VesselView.h"
#include <QDockWidget>
#include <QTabWidget>

namespace {

using nr::JsonValue;

JsonValue numberArray(std::initializer_list<double> v) {
    JsonValue a = JsonValue::array();
    for (double x : v) a.push(JsonValue::number(x));
    return a;
}

// A finite float, or null for an open end (JSON has no infinity).
JsonValue finiteOrNull(float v) {
    return std::isfinite(v) ? JsonValue::number(double(v)) : JsonValue{};
}

template <class T> std::shared_ptr<const T> payloadOf(const nr::Layer& l) {
    if (auto* p = std::any_cast<std::shared_ptr<const T>>(&l.payload)) return *p;
    return nullptr;
}

nr::LayerId mapped(const std::map<uint64_t, nr::LayerId>& ids, double sessionId) {
    auto it = ids.find(uint64_t(sessionId));
    return it == ids.end() ? 0 : it->second;
}

// ---- graphs: colouring, edge filter, highlighted neuron, analysis results; generated demo and FC graphs --
class GraphPresenter : public LayerPresenter {
public:
    nr::LayerKind kind() const override { return nr::LayerKind::Graph; }

    void show(MainWindow& w, nr::LayerId id, int upAxis) const override { w.showGraphLayer(id, upAxis); }
    void raise(MainWindow& w, nr::LayerId id) const override {
        if (id != w.shownGraphLayer()) w.showGraphLayer(id);
        w.centralTabs()->setCurrentWidget(w.connectomeView());
    }
    void follow(MainWindow& w, bool, nr::LayerId) const override {
        // The network view shows the newest visible graph layer (nothing when none is left).
        const nr::Layer* g = w.document().current(nr::LayerKind::Graph);
        if (!g)
            w.clearShownGraph();
        else if (g->id != w.shownGraphLayer())
            w.showGraphLayer(g->id);
    }

    QString open(MainWindow& w, const nr::SessionLayer& l, const std::map<uint64_t, nr::LayerId>& ids,
                 nr::LayerId* id) const override {
        const std::string gen = l.state.stringOr("generated", "");
        if (gen == "demo") {
            w.showDemo(false);
            *id = w.shownGraphLayer();
            return QString();
        }
        if (gen == "functional") {
            const double threshold = l.state.numberOr("threshold", 0.5);
            if (!(threshold >= 0 && threshold <= 1))
                return QObject::tr("%1: functional graph threshold %2 is not in [0, 1]")
                    .arg(QString::fromStdString(l.name))
                    .arg(threshold);
            if (QString err = w.addFunctionalGraph(threshold); !err.isEmpty()) return err;
            *id = w.shownGraphLayer();
            return QString();
        }
        return LayerPresenter::open(w, l, ids, id);
    }

    JsonValue capture(MainWindow& w, const nr::Layer& l) const override {
        JsonValue st = l.state.isObject() ? l.state : JsonValue::object();
        if (l.id != w.shownGraphLayer()) return st;
        const EdgeFilter f = w.connectomePanel()->currentFilter();
        JsonValue types = JsonValue::array();
        for (bool b : f.typeVisible) types.push(JsonValue::boolean(b));
        st.set("edgeFilter", JsonValue::object()
                                 .set("minWeight", double(f.minWeight))
                                 .set("maxWeight", double(f.maxWeight))
                                 .set("typeVisible", types));
        const long h = w.connectomeView()->highlightedNode();
        if (h >= 0 && l.graph && size_t(h) < l.graph->nodeCount())
            st.set("highlight", l.graph->names[size_t(h)]);
        else
            st.remove("highlight");
        // The Adjacency Matrix dock follows the graph on show: its order, scale and whether it is open.
        const AdjacencyDock* ad = w.adjacencyDock();
        if (ad && ad->graph() && ad->graph() == l.graph)
            st.set("adjacency", JsonValue::object()
                                    .set("order", ad->order().toStdString())
                                    .set("log", JsonValue::boolean(ad->logScale()))
                                    .set("open", JsonValue::boolean(ad->isVisible())));
        return st;
    }

    QStringList restore(MainWindow& w, nr::LayerId id, const JsonValue& state,
                        const std::map<uint64_t, nr::LayerId>&) const override {
        QStringList warnings;
        const nr::Layer* l = w.document().find(id);
        if (!l || id != w.shownGraphLayer() || !l->graph) return warnings;
        // Stored results first (they add node columns to colour by), then the colouring chosen.
        if (const JsonValue* rs = state.get("results"); rs && rs->isArray())
            for (const JsonValue& rj : rs->arr) {
                auto r = nr::resultsFromJson(rj, l->name);
                if (r.ok())
                    w.analysisDock()->applyResults(r.value());
                else
                    warnings << QString::fromStdString(r.error().str());
            }
        ConnectomePanel* p = w.connectomePanel();
        if (!l->display.colorBy.empty() && p->colorBy() != QString::fromStdString(l->display.colorBy))
            p->applyColorBy(QString::fromStdString(l->display.colorBy), false);
        w.connectomeView()->setNodeSize(l->display.pointSize);
        w.connectomeView()->setEdgeOpacity(l->display.opacity * 0.5f);
        if (const JsonValue* ef = state.get("edgeFilter"); ef && ef->isObject()) {
            EdgeFilter f = p->currentFilter();
            f.minWeight = float(ef->numberOr("minWeight", f.minWeight));
            f.maxWeight = float(ef->numberOr("maxWeight", f.maxWeight));
            if (const JsonValue* tv = ef->get("typeVisible"); tv && tv->isArray()) {
                std::vector<bool> types;
                for (const JsonValue& b : tv->arr) types.push_back(b.isBool() && b.b);
                if (types.size() == f.typeVisible.size()) f.typeVisible = types;
            }
            p->applyFilter(f, false);
        }
        if (const JsonValue* aj = state.get("adjacency"); aj && aj->isObject()) {
            AdjacencyDock* ad = w.adjacencyDock();
            const JsonValue* open = aj->get("open");
            if (open && open->isBool() && open->b) w.showAdjacency();
            ad->showShownGraph();
            const QString order = QString::fromStdString(aj->stringOr("order", "file"));
            if (ad->order() != order) {
                ad->setOrder(order);
                if (ad->order() != order)
                    warnings << QObject::tr("%1: adjacency order %2 is not available for this network")
                                    .arg(QString::fromStdString(l->name), order);
            }
            const JsonValue* lg = aj->get("log");
            ad->setLogScale(lg && lg->isBool() && lg->b);
        }
        const std::string h = state.stringOr("highlight", "");
        if (!h.empty()) {
            const long n = l->graph->findNode(h);
            if (n >= 0)
                w.connectomeView()->highlightNode(n);
            else
                warnings << QObject::tr("%1: no neuron %2 to highlight")
                                .arg(QString::fromStdString(l->name), QString::fromStdString(h));
        }
        return warnings;
    }

    bool saved(const nr::Layer& l) const override {
        if (l.owner != 0) return false; // a simulation's layout: the simulation makes it again
        return LayerPresenter::saved(l);
    }
};

// ---- vessels: radius range, box or slab clip, tube size (colour is the display's) ---------------------
class VesselPresenter : public LayerPresenter {
public:
    nr::LayerKind kind() const override { return nr::LayerKind::Vessels; }

    void show(MainWindow& w, nr::LayerId id, int) const override {
        const nr::Layer* l = w.document().find(id);
        auto g = l ? payloadOf<nr::VesselGraph>(*l) : nullptr;
        if (!g) return;
        w.setVesselGraph(g);
        // The layer's colouring and tube size, when it has them (a session, or a change in the Layers dock).
        VesselPanel* p = w.vesselPanel();
        if (!l->display.colorBy.empty() && p->colorBy() != QString::fromStdString(l->display.colorBy))
            p->applyColorBy(QString::fromStdString(l->display.colorBy), false);
        p->setTubeSize(l->display.edgeSize);
        w.centralTabs()->setCurrentWidget(w.vesselView());
        w.vesselDock()->show();
        w.vesselDock()->raise();
    }
    void raise(MainWindow& w, nr::LayerId) const override {
        if (w.vesselView()) w.centralTabs()->setCurrentWidget(w.vesselView());
    }
    void follow(MainWindow& w, bool, nr::LayerId) const override {
        if (!w.vesselView()) return;
        if (const nr::Layer* v = w.document().current(nr::LayerKind::Vessels)) {
            auto g = payloadOf<nr::VesselGraph>(*v);
            if (g && g != w.vesselView()->graph()) show(w, v->id, -1);
        } else if (w.vesselView()->graph()) {
            w.setVesselGraph(nullptr);
        }
    }

    static bool shown(MainWindow& w, const nr::Layer& l) {
        return w.vesselPanel() && w.vesselView() && payloadOf<nr::VesselGraph>(l) &&
               w.vesselView()->graph() == payloadOf<nr::VesselGraph>(l);
    }

    JsonValue capture(MainWindow& w, const nr::Layer& l) const override {
        JsonValue st = l.state.isObject() ? l.state : JsonValue::object();
        if (!shown(w, l)) return st;
        const VesselFilter f = w.vesselPanel()->currentFilter();
        const char* clip = f.clip == VesselFilter::Clip::Box    ? "box"
                           : f.clip == VesselFilter::Clip::Slab ? "slab"
                                                                : "none";
        JsonValue fj = JsonValue::object();
        fj.set("minRadius", finiteOrNull(f.minRadius));
        fj.set("maxRadius", finiteOrNull(f.maxRadius));
        fj.set("clip", clip);
        fj.set("box", numberArray({f.box[0], f.box[1], f.box[2], f.box[3], f.box[4], f.box[5]}));
        fj.set("slabAxis", double(f.slabAxis));
        fj.set("slabLo", double(f.slabLo));
        fj.set("slabHi", double(f.slabHi));
        st.set("filter", fj);
        st.set("tubeSize", w.vesselPanel()->tubeSize());
        return st;
    }

    QStringList restore(MainWindow& w, nr::LayerId id, const JsonValue& state,
                        const std::map<uint64_t, nr::LayerId>&) const override {
        const nr::Layer* l = w.document().find(id);
        if (!l || !shown(w, *l)) return {};
        VesselPanel* p = w.vesselPanel();
        if (!l->display.colorBy.empty() && p->colorBy() != QString::fromStdString(l->display.colorBy))
            p->applyColorBy(QString::fromStdString(l->display.colorBy), false);
        p->setTubeSize(state.numberOr("tubeSize", l->display.edgeSize));
        if (const JsonValue* fj = state.get("filter"); fj && fj->isObject()) {
            VesselFilter f;
            const float inf = std::numeric_limits<float>::infinity();
            const JsonValue* lo = fj->get("minRadius");
            const JsonValue* hi = fj->get("maxRadius");
            f.minRadius = lo && lo->isNumber() ? float(lo->num) : -inf;
            f.maxRadius = hi && hi->isNumber() ? float(hi->num) : inf;
            const std::string clip = fj->stringOr("clip", "none");
            f.clip = clip == "box"    ? VesselFilter::Clip::Box
                     : clip == "slab" ? VesselFilter::Clip::Slab
                                      : VesselFilter::Clip::None;
            if (const JsonValue* b = fj->get("box"); b && b->isArray() && b->arr.size() == 6)
                for (size_t i = 0; i < 6; ++i) f.box[i] = float(b->arr[i].num);
            f.slabAxis = std::clamp(int(fj->numberOr("slabAxis", 2)), 0, 2);
            f.slabLo = float(fj->numberOr("slabLo", 0));
            f.slabHi = float(fj->numberOr("slabHi", 0));
            p->applyFilter(f, false);
        }
        return {};
    }
};

// Applies `fn` to the Neurons view now, or once its label-volume surfaces are there.
void whenMeshed(MainWindow& w, std::function<void()> fn) {
    NeuronView* v = w.neuronView();
    if (!v) return;
    if (!v->meshing()) {
        fn();
        return;
    }
    auto conn = std::make_shared<QMetaObject::Connection>();
    *conn = QObject::connect(v, &NeuronView::meshingFinished, v, [conn, fn](bool) {
        QObject::disconnect(*conn);
        fn();
    });
}

// The Neurons view (made on first use) shows morphologies, label volumes and images.
void showInNeuronView(MainWindow& w, nr::LayerId id) {
    const nr::Layer* l = w.document().find(id);
    if (!l) return;
    NeuronView* v = w.ensureNeuronView();
    if (l->kind == nr::LayerKind::Morphologies) {
        // Every visible morphology layer together (nine SWC files are nine layers, one scene).
        w.showMorphologies();
    } else {
        nr::Dataset ds;
        ds.kind = l->kind;
        ds.name = l->name;
        ds.files = l->files;
        ds.summary = l->summary;
        ds.payload = l->payload;
        if (!v->showDataset(ds)) {
            w.showError(QObject::tr("%1: the reader returned data of an unexpected type")
                            .arg(QString::fromStdString(l->name)));
            return;
        }
    }
    w.centralTabs()->setCurrentWidget(v);
}

void raiseNeuronView(MainWindow& w) {
    if (w.neuronView()) w.centralTabs()->setCurrentWidget(w.neuronView());
}

// ---- label volumes: hidden instances and instance colours ----------------------------------------------
class LabelVolumePresenter : public LayerPresenter {
public:
    nr::LayerKind kind() const override { return nr::LayerKind::LabelVolume; }

    void show(MainWindow& w, nr::LayerId id, int) const override { showInNeuronView(w, id); }
    void raise(MainWindow& w, nr::LayerId) const override { raiseNeuronView(w); }
    void follow(MainWindow& w, bool removed, nr::LayerId) const override {
        NeuronView* v = w.neuronView();
        if (!v) return;
        if (const nr::Layer* m = w.document().current(nr::LayerKind::LabelVolume)) {
            if (removed) showInNeuronView(w, m->id);
        } else if (v->labelVolume()) {
            v->setLabelVolume(nullptr);
        }
    }

    JsonValue capture(MainWindow& w, const nr::Layer& l) const override {
        JsonValue st = l.state.isObject() ? l.state : JsonValue::object();
        NeuronView* v = w.neuronView();
        if (!v || !v->labelVolume() || v->labelVolume() != payloadOf<nr::LabelVolume>(l) || v->meshing())
            return st;
        JsonValue hidden = JsonValue::array(), colors = JsonValue::array();
        for (size_t i = 0; i < v->instanceCount(); ++i) {
            if (!v->instanceVisible(i)) hidden.push(JsonValue::number(double(i)));
            const auto c = v->instanceColor(i);
            colors.push(numberArray({double(c.r), double(c.g), double(c.b)}));
        }
        st.set("hidden", hidden);
        st.set("colors", colors);
        if (v->comparison())
            st.set("comparisonShown", JsonValue::boolean(v->comparisonShown()));
        else
            st.remove("comparisonShown");
        return st;
    }

    QStringList restore(MainWindow& w, nr::LayerId id, const JsonValue& state,
                        const std::map<uint64_t, nr::LayerId>&) const override {
        const nr::Layer* l = w.document().find(id);
        if (!l || !w.neuronView()) return {};
        auto vol = payloadOf<nr::LabelVolume>(*l);
        MainWindow* win = &w;
        whenMeshed(w, [win, vol, state] {
            NeuronView* v = win->neuronView();
            if (!v || v->labelVolume() != vol) return;
            // An evaluation kept with the volume shows again (its prediction beside it), under the colours
            // below.
            if (const JsonValue* rs = state.get("results"); rs && rs->isArray())
                for (const JsonValue& rj : rs->arr)
                    if (rj.stringOr("plugin", "") == "fisbe_eval")
                        if (auto r = nr::resultsFromJson(rj, vol->file); r.ok()) {
                            showFisbeResult(r.value(), v);
                            v->setComparisonShown(state.boolOr("comparisonShown", true));
                        }
            const size_t n = v->instanceCount();
            if (const JsonValue* c = state.get("colors"); c && c->isArray() && c->arr.size() == n)
                for (size_t i = 0; i < n; ++i) {
                    const JsonValue& rgb = c->arr[i];
                    if (!rgb.isArray() || rgb.arr.size() != 3) continue;
                    v->setInstanceColor(i, {uint8_t(std::clamp(rgb.arr[0].num, 0.0, 255.0)),
                                            uint8_t(std::clamp(rgb.arr[1].num, 0.0, 255.0)),
                                            uint8_t(std::clamp(rgb.arr[2].num, 0.0, 255.0))});
                }
            if (const JsonValue* h = state.get("hidden"); h && h->isArray())
                for (const JsonValue& i : h->arr)
                    if (i.isNumber() && i.num >= 0 && i.num < double(n))
                        v->setInstanceVisible(size_t(i.num), false);
        });
        return {};
    }
};

// ---- the source image: slice positions, which slices show, opacity -------------------------------------
class ImagePresenter : public LayerPresenter {
public:
    nr::LayerKind kind() const override { return nr::LayerKind::Image; }

    void show(MainWindow& w, nr::LayerId id, int) const override { showInNeuronView(w, id); }
    void raise(MainWindow& w, nr::LayerId) const override { raiseNeuronView(w); }
    void follow(MainWindow& w, bool, nr::LayerId) const override {
        NeuronView* v = w.neuronView();
        if (!v) return;
        // The source image: the newest visible image layer, or none.
        const nr::Layer* im = w.document().current(nr::LayerKind::Image);
        auto img = im ? payloadOf<nr::ImageVolume>(*im) : nullptr;
        if (img && img != v->image())
            v->setImage(img);
        else if (!img && v->image())
            v->setImage(nullptr);
    }

    JsonValue capture(MainWindow& w, const nr::Layer& l) const override {
        JsonValue st = l.state.isObject() ? l.state : JsonValue::object();
        NeuronView* v = w.neuronView();
        if (!v || !v->image() || v->image() != payloadOf<nr::ImageVolume>(l)) return st;
        ImageSlices& s = v->imageSlices();
        st.set("slices", numberArray({double(s.slice(0)), double(s.slice(1)), double(s.slice(2))}));
        JsonValue vis = JsonValue::array();
        for (int a = 0; a < 3; ++a) vis.push(JsonValue::boolean(s.sliceVisible(a)));
        st.set("sliceVisible", vis);
        st.set("opacity", s.opacity());
        return st;
    }

    QStringList restore(MainWindow& w, nr::LayerId id, const JsonValue& state,
                        const std::map<uint64_t, nr::LayerId>&) const override {
        const nr::Layer* l = w.document().find(id);
        NeuronView* v = w.neuronView();
        if (!l || !v || !v->image() || v->image() != payloadOf<nr::ImageVolume>(*l)) return {};
        ImageSlices& s = v->imageSlices();
        if (const JsonValue* a = state.get("slices"); a && a->isArray() && a->arr.size() == 3)
            for (int i = 0; i < 3; ++i) {
                const double k = a->arr[size_t(i)].num;
                if (k >= 0 && k < double(s.sliceCount(i))) s.setSlice(i, long(k));
            }
        if (const JsonValue* a = state.get("sliceVisible"); a && a->isArray() && a->arr.size() == 3)
            for (int i = 0; i < 3; ++i)
                s.setSliceVisible(i, a->arr[size_t(i)].isBool() && a->arr[size_t(i)].b);
        const double op = state.numberOr("opacity", s.opacity());
        if (op >= 0 && op <= 1) s.setOpacity(op);
        v->update();
        return {};
    }
};

// ---- morphologies: what the skeletons are coloured by ---------------------------------------------------
class MorphologyPresenter : public LayerPresenter {
public:
    nr::LayerKind kind() const override { return nr::LayerKind::Morphologies; }

    void show(MainWindow& w, nr::LayerId id, int) const override { showInNeuronView(w, id); }
    void raise(MainWindow& w, nr::LayerId) const override { raiseNeuronView(w); }
    // Every visible morphology layer together (redrawn only when that set changes).
    void follow(MainWindow& w, bool, nr::LayerId) const override { w.showMorphologies(); }
    JsonValue capture(MainWindow& w, const nr::Layer& l) const override {
        JsonValue st = l.state.isObject() ? l.state : JsonValue::object();
        if (w.neuronView() && w.neuronView()->morphologies())
            st.set("colorBy", double(int(w.neuronView()->colorBy())));
        return st;
    }
    QStringList restore(MainWindow& w, nr::LayerId, const JsonValue& state,
                        const std::map<uint64_t, nr::LayerId>&) const override {
        const double c = state.numberOr("colorBy", -1);
        if (w.neuronView() && c >= 0 && c <= 3) w.neuronView()->setColorBy(NeuronView::ColorBy(int(c)));
        return {};
    }
};

// ---- traces: playback cursor, heatmap row order, what the network is painted with ----------------------
class TracesPresenter : public LayerPresenter {
public:
    nr::LayerKind kind() const override { return nr::LayerKind::Traces; }

    void show(MainWindow& w, nr::LayerId id, int) const override {
        const nr::Layer* l = w.document().find(id);
        auto t = l ? payloadOf<nr::Traces>(*l) : nullptr;
        if (!t) return;
        w.activityDock()->setTraces(t);
        w.activityDock()->setGraph(w.graph());
        w.revealDock(w.functionalDock(), false);
        w.revealDock(w.activityDock());
    }
    void follow(MainWindow& w, bool, nr::LayerId) const override {
        if (const nr::Layer* t = w.document().current(nr::LayerKind::Traces)) {
            auto tr = payloadOf<nr::Traces>(*t);
            if (tr && tr != w.activityDock()->traces()) show(w, t->id, -1);
        } else if (w.activityDock()->traces()) {
            w.activityDock()->setTraces(nullptr);
            w.connectomeView()->setNodeColors({});
        }
    }
    static bool shown(MainWindow& w, const nr::Layer& l) {
        return w.activityDock()->traces() && w.activityDock()->traces() == payloadOf<nr::Traces>(l);
    }
    JsonValue capture(MainWindow& w, const nr::Layer& l) const override {
        JsonValue st = l.state.isObject() ? l.state : JsonValue::object();
        if (!shown(w, l)) return st;
        st.set("cursor", w.activityDock()->plot()->cursorTime());
        st.set("rowOrder", double(int(w.activityDock()->plot()->rowOrder())));
        st.set("colorMode", double(int(w.activityDock()->colorMode())));
        return st;
    }
    QStringList restore(MainWindow& w, nr::LayerId id, const JsonValue& state,
                        const std::map<uint64_t, nr::LayerId>&) const override {
        const nr::Layer* l = w.document().find(id);
        if (!l || !shown(w, *l)) return {};
        const double order = state.numberOr("rowOrder", -1);
        if (order >= 0 && order <= 3) w.activityDock()->plot()->setRowOrder(TracePlot::RowOrder(int(order)));
        const double mode = state.numberOr("colorMode", -1);
        if (mode >= 0 && mode <= 2) w.activityDock()->setColorMode(ActivityDock::ColorMode(int(mode)));
        if (const JsonValue* c = state.get("cursor"); c && c->isNumber())
            w.activityDock()->plot()->setCursorTime(c->num);
        return {};
    }
};

// ---- the simulation: model, seed, parameters, time reached (run again to there) ------------------------
class SimulationPresenter : public LayerPresenter {
public:
    nr::LayerKind kind() const override { return nr::LayerKind::Simulation; }

    // A simulation shows through the network it runs on.
    void raise(MainWindow& w, nr::LayerId id) const override {
        for (const nr::Layer* o : w.document().ownedBy(id))
            if (o->kind == nr::LayerKind::Graph && o->id != w.shownGraphLayer()) w.showGraphLayer(o->id);
    }

    QString open(MainWindow& w, const nr::SessionLayer& l, const std::map<uint64_t, nr::LayerId>& ids,
                 nr::LayerId* id) const override {
        const JsonValue& st = l.state;
        if (const std::string engine = st.stringOr("engine", "embedded"); engine != "embedded") {
            // A run on NEURON starts again from its script, ranks and parameters; an attached one listens
            // again.
            SimulationDock::NeuronSpec spec;
            spec.script = QString::fromStdString(st.stringOr("script", ""));
            spec.ranks = int(st.numberOr("ranks", 1));
            spec.hostfile = QString::fromStdString(st.stringOr("hostfile", ""));
            spec.params = QString::fromStdString(st.stringOr("params", "{}"));
            spec.host = QString::fromStdString(st.stringOr("host", ""));
            spec.port = int(st.numberOr("port", 0));
            if (spec.ranks < 1 || spec.ranks > 4096 || spec.port < 0 || spec.port > 65535)
                return QObject::tr("%1: ranks or port out of range").arg(QString::fromStdString(l.name));
            SimulationDock* sim = w.simulationDock();
            const bool ok = engine == "neuron" ? sim->startNeuron(spec) : sim->attachNeuron(spec);
            const nr::Layer* simLayer = w.document().current(nr::LayerKind::Simulation);
            if (!ok || !simLayer)
                return QObject::tr("%1: the NEURON run could not start again")
                    .arg(QString::fromStdString(l.name));
            *id = simLayer->id;
            return QString();
        }
        const std::string model = st.stringOr("model", "");
        if (model.empty())
            return QObject::tr("%1: the simulation names no model").arg(QString::fromStdString(l.name));
        SimulationDock* sim = w.simulationDock();
        const double seed = st.numberOr("seed", 1);
        if (!(seed >= 0 && seed <= 2147483647))
            return QObject::tr("%1: seed %2 is out of range").arg(QString::fromStdString(l.name)).arg(seed);
        sim->setSeed(int(seed));
        std::shared_ptr<const nr::Graph> g;
        if (const JsonValue* n = st.get("network"); n && n->isNumber()) {
            const nr::Layer* net = w.document().find(mapped(ids, n->num));
            if (!net || !net->graph)
                return QObject::tr("%1: the network it ran on did not open")
                    .arg(QString::fromStdString(l.name));
            g = net->graph;
        }
        if (!sim->startModel(QString::fromStdString(model), g, false))
            return QObject::tr("%1: model %2 could not start")
                .arg(QString::fromStdString(l.name), QString::fromStdString(model));
        const nr::Layer* simLayer = w.document().current(nr::LayerKind::Simulation);
        if (!simLayer)
            return QObject::tr("%1: the simulation did not start").arg(QString::fromStdString(l.name));
        *id = simLayer->id;
        QStringList bad;
        if (const JsonValue* ps = st.get("params"); ps && ps->isObject())
            for (const auto& [name, v] : ps->obj) {
                if (!v.isNumber()) continue;
                if (auto e = sim->runner()->setParameter(name, v.num))
                    bad << QString::fromStdString(e->reason);
            }
        const double t = st.numberOr("time", 0);
        if (t > 0 && t <= 3600) sim->advanceTo(t);
        if (st.boolOr("running", false)) sim->play();
        return bad.isEmpty() ? QString()
                             : QObject::tr("%1: %2").arg(QString::fromStdString(l.name),
                                                         bad.join(QStringLiteral("; ")));
    }

    JsonValue capture(MainWindow& w, const nr::Layer& l) const override {
        JsonValue st = l.state.isObject() ? l.state : JsonValue::object();
        SimulationDock* sim = w.simulationDock();
        if (sim->store() != l.spikes) return st;
        if (sim->engine() != QLatin1String("embedded")) {
            // What started the run, not the live connection (the token is never saved).
            const auto& spec = sim->neuronSpec();
            st.set("engine", sim->engine().toStdString());
            st.set("script", spec.script.toStdString());
            st.set("ranks", double(spec.ranks));
            st.set("hostfile", spec.hostfile.toStdString());
            st.set("params", spec.params.toStdString());
            if (sim->engine() == QLatin1String("attached")) {
                st.set("host", spec.host.toStdString());
                st.set("port", double(spec.port));
            }
            st.set("time", sim->neuronCompleteSeconds());
            return st;
        }
        st.set("model", sim->modelName().toStdString());
        st.set("seed", double(sim->seed()));
        JsonValue ps = JsonValue::object();
        for (const auto& p : sim->runner()->parameters()) ps.set(p.name, p.value);
        st.set("params", ps);
        st.set("time", sim->simulatedSeconds());
        st.set("running", sim->running());
        st.remove("network");
        for (const auto& o : w.document().layers())
            if (o->kind == nr::LayerKind::Graph && o->graph && o->graph == l.graph && o->owner != l.id)
                st.set("network", double(o->id));
        return st;
    }

    bool saved(const nr::Layer&) const override { return true; }
};

// ---- recorded spikes: the raster (and the population geometry of their epochs) -------------------------
class SpikesPresenter : public LayerPresenter {
public:
    nr::LayerKind kind() const override { return nr::LayerKind::Spikes; }
    void show(MainWindow& w, nr::LayerId id, int) const override { w.showSpikesLayer(id); }
    void raise(MainWindow& w, nr::LayerId id) const override {
        if (id != w.shownSpikesLayerId()) w.showSpikesLayer(id);
    }
    void follow(MainWindow& w, bool removed, nr::LayerId changed) const override {
        if (!removed || changed != w.shownSpikesLayerId()) return;
        w.forgetShownSpikes();
        if (const nr::Layer* sp = w.document().current(nr::LayerKind::Spikes)) w.showSpikesLayer(sp->id);
    }
};

} // namespace

QString LayerPresenter::open(MainWindow& w, const nr::SessionLayer& l, const std::map<uint64_t, nr::LayerId>&,
                             nr::LayerId* id) const {
    std::vector<std::string> files;
    std::vector<FileOptions> options;
    for (const auto& f : l.files) {
        files.push_back(f.path);
        options.push_back(f.options);
    }
    if (files.empty())
        return QObject::tr("%1: a %2 layer without files cannot be opened again")
            .arg(QString::fromStdString(l.name), QString::fromLatin1(nr::layerKindName(l.kind)));
    return w.openLayer(files, options, id);
}

void LayerPresenter::show(MainWindow&, nr::LayerId, int) const {}
void LayerPresenter::raise(MainWindow&, nr::LayerId) const {}
void LayerPresenter::follow(MainWindow&, bool, nr::LayerId) const {}

nr::JsonValue LayerPresenter::capture(MainWindow&, const nr::Layer& l) const {
    return l.state.isObject() ? l.state : JsonValue::object();
}

QStringList LayerPresenter::restore(MainWindow&, nr::LayerId, const nr::JsonValue&,
                                    const std::map<uint64_t, nr::LayerId>&) const {
    return {};
}

bool LayerPresenter::saved(const nr::Layer& l) const {
    for (const auto& f : l.files)
        if (!f.empty()) return true;
    return !l.state.stringOr("generated", "").empty();
}

const LayerPresenter& presenterFor(nr::LayerKind k) {
    static const GraphPresenter graph;
    static const VesselPresenter vessels;
    static const LabelVolumePresenter labels;
    static const ImagePresenter image;
    static const MorphologyPresenter morph;
    static const TracesPresenter traces;
    static const SimulationPresenter sim;
    static const SpikesPresenter spikes;
    switch (k) {
    case nr::LayerKind::Graph:
        return graph;
    case nr::LayerKind::Spikes:
        return spikes;
    case nr::LayerKind::Simulation:
        return sim;
    case nr::LayerKind::Vessels:
        return vessels;
    case nr::LayerKind::Morphologies:
        return morph;
    case nr::LayerKind::LabelVolume:
        return labels;
    case nr::LayerKind::Traces:
        return traces;
    case nr::LayerKind::Image:
        return image;
    }
    return spikes;
}

void recordResults(nr::Document& doc, nr::LayerId id, const nr::Results& r) {
    const nr::Layer* l = doc.find(id);
    if (!l) return;
    JsonValue results = JsonValue::array();
    if (const JsonValue* old = l->state.get("results"); old && old->isArray())
        for (const JsonValue& e : old->arr)
            if (e.stringOr("plugin", "") != r.plugin) results.push(e);
    results.push(nr::resultsToJson(r));
    doc.setStateKey(id, "results", results);
}
