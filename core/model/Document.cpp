#include "model/Document.h"

#include <algorithm>

namespace nr {

LayerId Document::add(Layer layer) {
    layer.id = next_++;
    const LayerId id = layer.id;
    layers_.push_back(std::make_unique<Layer>(std::move(layer)));
    selected_ = id;
    notify(Change::Added, id);
    notify(Change::Selected, id);
    return id;
}

bool Document::remove(LayerId id) {
    if (!find(id)) return false;
    // Owned layers first.
    std::vector<LayerId> owned;
    for (const auto& l : layers_)
        if (l->owner == id) owned.push_back(l->id);
    for (LayerId o : owned) remove(o);
    auto it = std::find_if(layers_.begin(), layers_.end(), [&](const auto& l) { return l->id == id; });
    if (it == layers_.end()) return false;
    // Keep the layer alive while subscribers hear about it.
    std::unique_ptr<Layer> gone = std::move(*it);
    layers_.erase(it);
    if (selected_ == id) selected_ = layers_.empty() ? 0 : layers_.back()->id;
    notify(Change::Removed, id);
    notify(Change::Selected, selected_);
    return true;
}

bool Document::rename(LayerId id, const std::string& name) {
    Layer* l = find(id);
    if (!l || name.empty()) return false;
    l->name = name;
    notify(Change::Renamed, id);
    return true;
}

bool Document::setDisplay(LayerId id, const LayerDisplay& d) {
    Layer* l = find(id);
    if (!l) return false;
    l->display = d;
    notify(Change::Display, id);
    return true;
}

bool Document::setState(LayerId id, JsonValue state) {
    Layer* l = find(id);
    if (!l) return false;
    l->state = std::move(state);
    notify(Change::State, id);
    return true;
}

bool Document::setStateKey(LayerId id, const std::string& key, JsonValue value) {
    Layer* l = find(id);
    if (!l) return false;
    if (!l->state.isObject()) l->state = JsonValue::object();
    l->state.set(key, std::move(value));
    notify(Change::State, id);
    return true;
}

bool Document::setVisible(LayerId id, bool visible) {
    Layer* l = find(id);
    if (!l) return false;
    if (l->display.visible == visible) return true;
    l->display.visible = visible;
    notify(Change::Display, id);
    return true;
}

void Document::dataChanged(LayerId id) {
    if (find(id)) notify(Change::Data, id);
}

bool Document::setGraph(LayerId id, std::shared_ptr<const Graph> g, const std::string& summary) {
    Layer* l = find(id);
    if (!l) return false;
    l->graph = std::move(g);
    if (!summary.empty()) l->summary = summary;
    notify(Change::Data, id);
    return true;
}

bool Document::select(LayerId id) {
    if (id != 0 && !find(id)) return false;
    if (selected_ == id) return true;
    selected_ = id;
    notify(Change::Selected, id);
    return true;
}

void Document::clear() {
    while (!layers_.empty()) remove(layers_.front()->id);
}

Layer* Document::find(LayerId id) {
    for (auto& l : layers_)
        if (l->id == id) return l.get();
    return nullptr;
}

const Layer* Document::find(LayerId id) const {
    for (const auto& l : layers_)
        if (l->id == id) return l.get();
    return nullptr;
}

std::vector<const Layer*> Document::ofKind(LayerKind k) const {
    std::vector<const Layer*> out;
    for (const auto& l : layers_)
        if (l->kind == k) out.push_back(l.get());
    return out;
}

const Layer* Document::current(LayerKind k) const {
    if (const Layer* s = find(selected_); s && s->kind == k && s->display.visible) return s;
    for (auto it = layers_.rbegin(); it != layers_.rend(); ++it)
        if ((*it)->kind == k && (*it)->display.visible) return it->get();
    return nullptr;
}

std::vector<const Layer*> Document::ownedBy(LayerId id) const {
    std::vector<const Layer*> out;
    for (const auto& l : layers_)
        if (l->owner == id) out.push_back(l.get());
    return out;
}

int Document::subscribe(Listener l) {
    const int t = nextToken_++;
    listeners_.push_back({t, std::move(l)});
    return t;
}

void Document::unsubscribe(int token) {
    listeners_.erase(
        std::remove_if(listeners_.begin(), listeners_.end(), [&](const auto& p) { return p.first == token; }),
        listeners_.end());
}

void Document::notify(Change c, LayerId id) {
    // What is drawn from the layer may have changed: caches of derived data (figure panels) compare it.
    if (c != Change::Selected && c != Change::Removed)
        if (Layer* l = find(id)) ++l->revision;
    // Copy: a listener may subscribe or unsubscribe while being called.
    auto ls = listeners_;
    for (auto& [t, f] : ls)
        if (f) f(c, id);
}

} // namespace nr
