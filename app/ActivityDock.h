// The Activity dock: calcium-imaging traces of named neurons (TracePlot: heatmap with colour bar, lanes of
// the selected neurons and behaviour), with playback. Joined by name to the network on show, the cursor
// paints each matched neuron in 3-D with its activity (or, once dynamic communities were computed, with its
// community in the window at the cursor), and selection follows in both directions.
#pragma once

#include <QDockWidget>
#include <memory>

#include "model/Graph.h"
#include "traces/TraceAnalysis.h"
#include "traces/Traces.h"

// Communities of the traces' neurons over sliding windows (labels matched across windows).
struct CommunityTimeline {
    std::vector<nr::Window> windows;
    nr::DynamicCommunities result; // labels: windows x neurons
    double windowS = 0, stepS = 0, resolution = 1;
    // Window whose centre is nearest t (-1 without windows).
    int windowAt(double t) const;
    // Each neuron's most frequent community over the windows (-1 when it never has one), for row sorting.
    std::vector<int> consensus() const;
};

class QComboBox;
class QLabel;
class QToolButton;
class TracePlot;
class ConnectomeView;

class ActivityDock : public QDockWidget {
    Q_OBJECT
public:
    ActivityDock(ConnectomeView* view, QWidget* parent = nullptr);

    // Shows a trace layer (null clears) and joins it to `graph` (the network on show, may be null).
    void setTraces(std::shared_ptr<const nr::Traces> traces);
    void setGraph(std::shared_ptr<const nr::Graph> graph);
    TracePlot* plot() const { return plot_; }
    const nr::NameJoin& join() const { return join_; }
    std::shared_ptr<const nr::Traces> traces() const { return traces_; }
    std::shared_ptr<const nr::Graph> graph() const { return graph_; }

    // Dynamic communities of the open traces (null clears): the heatmap's "community" row order uses each
    // neuron's most frequent community, and the "community" colour mode paints the window at the cursor.
    void setCommunities(std::shared_ptr<const CommunityTimeline> c);
    std::shared_ptr<const CommunityTimeline> communities() const { return communities_; }
    // What the 3-D nodes show during playback: activity, community, or nothing of the traces (the Network
    // dock's node colouring).
    enum class ColorMode { Activity, Community, Off };
    void setColorMode(ColorMode m);
    ColorMode colorMode() const;

signals:
    void message(const QString& text, bool error);
    // The traces or the network they are joined to changed (after the join).
    void tracesChanged();

private:
    void rejoin();
    void paintCursor(qulonglong frame);
    size_t tracedNodes() const; // network nodes a trace is joined to

    ConnectomeView* view_;
    TracePlot* plot_ = nullptr;
    QToolButton* play_ = nullptr;
    QComboBox* speed_ = nullptr;
    QComboBox* order_ = nullptr;
    QComboBox* colorMode_ = nullptr;
    QLabel* joinLabel_ = nullptr;
    std::shared_ptr<const nr::Traces> traces_;
    std::shared_ptr<const nr::Graph> graph_;
    nr::NameJoin join_;
    std::shared_ptr<const CommunityTimeline> communities_;
    int paintedWindow_ = -2;
    bool syncing_ = false;
};
