// Document: everything that is open, as layers. Views subscribe and draw the layers they are given; they keep
// no data of their own. Headless (no Qt): the app wraps it for signals and undo.
//
// A layer has a name, its source files, its kind, its data (shared, read-only once added, except the spike
// store that a running simulation appends to) and display properties kept apart from the data. A layer can
// belong to another one (`owner`): the generated layout of a simulated model belongs to its simulation,
// so removing the simulation removes it, and the simulation's activity is drawn on it and nowhere else.
#pragma once

#include <any>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/Json.h"
#include "model/Graph.h"
#include "model/LayerKind.h"
#include "model/SpikeStore.h"
#include "model/SpikeTrains.h"

namespace nr {

struct TrialData;
using LayerId = uint64_t;

// How a layer is drawn. Views read these; nothing here changes the data.
struct LayerDisplay {
    bool visible = true;
    std::string colorBy;  // node/edge column, "class", "degree", "type"...; "" = the kind's default
    std::string colorMap; // "viridis", "coolwarm", "categorical"...; "" = the column's default
    float opacity = 1.0f;
    float pointSize = 1.0f; // node or soma scale
    float edgeSize = 1.0f;  // edge or tube scale
};

struct Layer {
    LayerId id = 0;
    std::string name;
    LayerKind kind = LayerKind::Graph;
    std::vector<std::string> files; // "" entries for generated data
    // Reader options per file (parallel to `files`, may be shorter): "array", "voxel_size", "as", "time"…
    std::vector<std::vector<std::pair<std::string, std::string>>> fileOptions;
    std::string summary;
    LayerDisplay display;
    LayerId owner = 0; // the layer this one belongs to (0: none)

    std::shared_ptr<const Graph> graph;      // Graph; for Simulation: the graph the model was built from
    std::shared_ptr<SpikeStore> spikes;      // Spikes and Simulation
    std::shared_ptr<const TrialData> trials; // Spikes with a trials table
    std::vector<TrialEpoch> epochs;          // stimulus schedule (simulated protocols)
    std::any payload;                        // shared_ptr<const T> for the other kinds
    // What the user set up on this layer beyond LayerDisplay, kind by kind (a JSON object written and read
    // by the app's presenter of the kind): filters, selection, playback cursor, simulation parameters,
    // analysis results. Saved in sessions as the layer's "state".
    JsonValue state = JsonValue::object();
    // Counts the notifications about this layer (added, renamed, display, data, state): a cache of something
    // computed from the layer is current while the revision it was computed at is.
    uint64_t revision = 0;
};

class Document {
public:
    enum class Change { Added, Removed, Renamed, Display, Data, Selected, State };
    using Listener = std::function<void(Change, LayerId)>;

    // Adds a layer (its id is assigned here) and returns the id. It becomes the selected layer.
    LayerId add(Layer layer);
    // Removes a layer and the layers it owns. False when there is no such layer.
    bool remove(LayerId id);
    bool rename(LayerId id, const std::string& name);
    bool setDisplay(LayerId id, const LayerDisplay& d);
    bool setVisible(LayerId id, bool visible);
    // Tells subscribers that a layer's data changed (a simulation appended spikes, a table was joined).
    void dataChanged(LayerId id);
    // Replaces the graph of a layer (e.g. after a node-table join) and notifies.
    bool setGraph(LayerId id, std::shared_ptr<const Graph> g, const std::string& summary);
    bool select(LayerId id);
    // Replaces the layer's state (notifies State). setStateKey replaces one key of it.
    bool setState(LayerId id, JsonValue state);
    bool setStateKey(LayerId id, const std::string& key, JsonValue value);
    void clear();

    LayerId selected() const { return selected_; }
    Layer* find(LayerId id);
    const Layer* find(LayerId id) const;
    const std::vector<std::unique_ptr<Layer>>& layers() const { return layers_; }
    size_t size() const { return layers_.size(); }
    // Layers of a kind, in the order they were added.
    std::vector<const Layer*> ofKind(LayerKind k) const;
    // The layer of a kind that views show: the selected one when it is of that kind and visible, else the
    // newest visible one (nullptr when none).
    const Layer* current(LayerKind k) const;
    // Layers owned by `id`.
    std::vector<const Layer*> ownedBy(LayerId id) const;

    int subscribe(Listener l);
    void unsubscribe(int token);

private:
    void notify(Change c, LayerId id);
    std::vector<std::unique_ptr<Layer>> layers_;
    LayerId next_ = 1, selected_ = 0;
    std::vector<std::pair<int, Listener>> listeners_;
    int nextToken_ = 1;
};

} // namespace nr
