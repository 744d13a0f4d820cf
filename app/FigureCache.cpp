#include "FigureCache.h"

#include <QPainter>
#include <any>
#include <cmath>
#include <sstream>

#include "base/Json.h"
#include "model/Document.h"
#include "morph/Morphology.h"
#include "traces/Traces.h"

namespace {

// The address of a layer's payload (shared, read-only data: a new object when the data is replaced).
const void* payloadAddress(const std::any& a) {
    if (auto t = std::any_cast<std::shared_ptr<const nr::Traces>>(&a)) return t->get();
    if (auto m = std::any_cast<std::shared_ptr<const nr::MorphologySet>>(&a)) return m->get();
    if (auto v = std::any_cast<std::shared_ptr<const nr::VesselGraph>>(&a)) return v->get();
    return nullptr;
}

void layerContent(std::ostream& o, const nr::Layer& l) {
    o << '[' << l.id << ' ' << l.revision << ' ' << int(l.kind) << ' ' << l.name.size() << ':' << l.name
      << ' ' << static_cast<const void*>(l.graph.get()) << ' ' << payloadAddress(l.payload) << ' '
      << static_cast<const void*>(l.spikes.get()) << ' ' << (l.spikes ? l.spikes->size() : 0) << ']';
}

template <class Map> void dropUnused(Map& m) {
    for (auto it = m.begin(); it != m.end();) it = it->second.used ? std::next(it) : m.erase(it);
}

} // namespace

std::string FigureCache::dataKey(const nr::Figure& f, size_t panel, const nr::Document& doc) {
    nr::FigurePanel p = f.panels[panel];
    // What the data does not depend on: where the panel is and what it is called.
    p.title.clear();
    p.row = p.col = 0;
    p.rowSpan = p.colSpan = 1;
    nr::Figure one;
    one.panels = {p};
    std::ostringstream o;
    o << nr::writeJson(nr::figureJson(one), 0) << '|' << p.layerNote << '|';
    if (p.view == nr::PanelView::StructureFunction) {
        for (const auto& l : doc.layers()) layerContent(o, *l);
    } else if (const nr::Layer* l = doc.find(p.layer)) {
        layerContent(o, *l);
    } else {
        o << "[missing " << p.layer << ']';
    }
    return o.str();
}

std::vector<FigurePanelData> FigureCache::data(const nr::Figure& f, const nr::Document& doc) {
    if (!enabled_) {
        lastKeys_.clear();
        dataComputed_ += f.panels.size();
        return figureDataFromDocument(f, doc);
    }
    std::vector<FigurePanelData> out(f.panels.size());
    lastKeys_.assign(f.panels.size(), std::string());
    for (auto& [k, d] : data_) d.used = false;
    for (size_t i = 0; i < f.panels.size(); ++i) {
        const std::string key = dataKey(f, i, doc);
        lastKeys_[i] = key;
        auto it = data_.find(key);
        if (it == data_.end()) {
            // One panel at a time: the figure's data function on a figure of this panel alone.
            nr::Figure one = f;
            one.panels = {f.panels[i]};
            it = data_.emplace(key, Data{std::move(figureDataFromDocument(one, doc).front()), false}).first;
            ++dataComputed_;
        }
        it->second.used = true;
        out[i] = it->second.data;
    }
    dropUnused(data_);
    // Pictures the previous preview did not draw (panels changed or gone) are dropped.
    dropUnused(scenes_);
    for (auto& [k, s] : scenes_) s.used = false;
    return out;
}

void FigureCache::paintScene(QPainter& p, const QRectF& area, const nr::Figure& f, size_t panel, int dpi,
                             const std::function<void(QPainter&, const QRectF&)>& paint,
                             QStringList* warnings) {
    // Only where the picture lands on whole device pixels of the page (the preview) and data() gave the key.
    if (!enabled_ || panel >= lastKeys_.size() || !p.transform().isIdentity() || area.isEmpty()) {
        ++scenesPainted_;
        paint(p, area);
        return;
    }
    const int x0 = int(std::floor(area.left())), y0 = int(std::floor(area.top()));
    const int w = int(std::ceil(area.right())) - x0, h = int(std::ceil(area.bottom())) - y0;
    std::ostringstream o;
    o << lastKeys_[panel] << "|scene " << w << 'x' << h << ' ' << std::lround((area.left() - x0) * 64) << ','
      << std::lround((area.top() - y0) * 64) << ' ' << std::lround(area.width() * 64) << 'x'
      << std::lround(area.height() * 64) << ' ' << dpi << ' ' << f.fontPt << ' ' << f.fontFamily << ' '
      << f.lineWidthPt;
    const std::string key = o.str();
    auto it = scenes_.find(key);
    if (it == scenes_.end()) {
        Scene s;
        s.image = QImage(w, h, QImage::Format_ARGB32_Premultiplied);
        s.image.fill(Qt::transparent);
        const qsizetype before = warnings ? warnings->size() : 0;
        {
            QPainter q(&s.image);
            q.setRenderHints(p.renderHints());
            q.translate(-x0, -y0);
            paint(q, area);
        }
        if (warnings) s.warnings = warnings->mid(before);
        ++scenesPainted_;
        it = scenes_.emplace(key, std::move(s)).first;
    } else if (warnings) {
        *warnings << it->second.warnings;
    }
    it->second.used = true;
    p.drawImage(QPoint(x0, y0), it->second.image);
}

void FigureCache::clear() {
    data_.clear();
    scenes_.clear();
    lastKeys_.clear();
}

void FigureCache::setEnabled(bool on) {
    enabled_ = on;
    if (!on) clear();
}
