// FigureCache: what the composer's preview keeps between redraws, so that an edit redraws only what it
// changed.
//
// - Panel data (figureDataFromDocument for one panel: correlations, structure–function permutations,
//   communities over sliding windows) is keyed by everything it is computed from: the panel's view, layer,
//   colorBy, camera and settings (not its title, letter or place in the grid) and the layer's content (its
//   id, revision — bumped by every Document notification about it — name, kind, the identity of its data and
//   the number of spikes of a store a simulation appends to). Structure–function also joins a connectome from
//   any other layer, so its key holds every layer's content.
// - A 3-D panel's picture (the offscreen render and its vector key, drawn into a transparent image) is keyed
// by
//   the panel's data key, the area it is drawn in, the DPI and the figure's font and line width.
//
// Entries not used by the last preview are dropped, so the cache holds one figure's worth. Export does not go
// through it: a written file is always computed fresh and vector where it can be.
#pragma once

#include <QImage>
#include <QPointF>
#include <QRectF>
#include <QStringList>
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "FigureRender.h"

class QPainter;

class FigureCache {
public:
    // The data of every panel, computed for the panels whose key changed and reused for the others.
    std::vector<FigurePanelData> data(const nr::Figure& f, const nr::Document& doc);
    // Draws a 3-D panel into `area` of `p`: the cached picture when its key matches, else `paint` (drawing
    // into the painter and area it is given) into a new transparent picture that is kept and drawn.
    // What `paint` appended to `warnings` is kept with the picture and appended again when it is reused.
    void paintScene(QPainter& p, const QRectF& area, const nr::Figure& f, size_t panel, int dpi,
                    const std::function<void(QPainter&, const QRectF&)>& paint,
                    QStringList* warnings = nullptr);
    // Forgets everything (the composer's Refresh: a new snapshot of every layer).
    void clear();
    // Off: data() recomputes every panel and paintScene always paints (what the preview did without a cache).
    void setEnabled(bool on);
    bool enabled() const { return enabled_; }

    // Panels whose data was computed, and 3-D pictures painted, since the cache was made (for tests).
    size_t dataComputed() const { return dataComputed_; }
    size_t scenesPainted() const { return scenesPainted_; }

    // The key of a panel's data (exposed for tests): equal keys mean equal data.
    static std::string dataKey(const nr::Figure& f, size_t panel, const nr::Document& doc);

private:
    struct Scene {
        QImage image;
        QPointF at; // offset of the image's top-left from the area's floored top-left
        QStringList warnings;
        bool used = false;
    };
    struct Data {
        FigurePanelData data;
        bool used = false;
    };
    std::map<std::string, Data> data_;
    std::map<std::string, Scene> scenes_;
    std::vector<std::string> lastKeys_; // data keys of the last data() call, by panel
    bool enabled_ = true;
    size_t dataComputed_ = 0, scenesPainted_ = 0;
};
