// Presenters: one per layer kind, listed in one table (presenterFor). Each knows how a layer of its kind is
// opened for a session, what it keeps beyond its data and LayerDisplay (the layer's `state`: filters,
// selection, playback cursor, simulation parameters, analysis results) and how to give that back to the
// views. The main window and the session code call them instead of switching on the kind.
//
// State keys by kind are documented in docs/SESSION.md ("Layer state by kind").
#pragma once

#include <QString>
#include <QStringList>
#include <map>

#include "base/Json.h"
#include "model/Document.h"

class MainWindow;
namespace nr {
struct SessionLayer;
struct Results;
} // namespace nr

class LayerPresenter {
public:
    virtual ~LayerPresenter() = default;
    virtual nr::LayerKind kind() const = 0;

    // A layer of this kind was added: its view shows it (and comes forward). `upAxis` for graphs: the axis
    // shown upright (-1: the bounding box's middle axis).
    virtual void show(MainWindow& w, nr::LayerId id, int upAxis) const;
    // The layer was selected (Layers dock): its view shows it and comes to the front.
    virtual void raise(MainWindow& w, nr::LayerId id) const;
    // A layer was removed or its display changed: the view of this kind shows the newest visible layer of the
    // kind, or nothing.
    virtual void follow(MainWindow& w, bool removed, nr::LayerId changed) const;

    // Makes the layer of a session: opens its files with their reader options (or, for generated layers,
    // makes the data again). `ids` maps the session's layer ids to the document's, for layers opened before.
    // Returns an error ("FILE:LINE: reason") or "" with `id` set.
    virtual QString open(MainWindow& w, const nr::SessionLayer& l, const std::map<uint64_t, nr::LayerId>& ids,
                         nr::LayerId* id) const;
    // The layer's state as the views show it now (before saving). Layers no view shows keep what they have.
    virtual nr::JsonValue capture(MainWindow& w, const nr::Layer& l) const;
    // Gives a restored layer its display and state (after open). `ids` as for open. Returns warnings.
    virtual QStringList restore(MainWindow& w, nr::LayerId id, const nr::JsonValue& state,
                                const std::map<uint64_t, nr::LayerId>& ids) const;
    // Whether a layer can be saved in a session: it has files, or it is generated data its presenter can make
    // again. Layers made by another layer (a simulation's layout) are made again by that layer.
    virtual bool saved(const nr::Layer& l) const;
};

const LayerPresenter& presenterFor(nr::LayerKind k);

// Analysis results kept on a layer (state "results", one entry per plugin: the newest run replaces the
// previous one of the same plugin).
void recordResults(nr::Document& doc, nr::LayerId id, const nr::Results& r);
