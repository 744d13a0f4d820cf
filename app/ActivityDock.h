// The Activity dock: calcium-imaging traces of named neurons (TracePlot: heatmap with colour bar, lanes of
// the selected neurons and behaviour), with playback. Joined by name to the network on show, the cursor
// paints each matched neuron in 3-D with its activity, and selection follows in both directions.
#pragma once

#include <QDockWidget>
#include <memory>

#include "model/Graph.h"
#include "traces/Traces.h"

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

signals:
    void message(const QString& text, bool error);

private:
    void rejoin();
    void paintCursor(qulonglong frame);

    ConnectomeView* view_;
    TracePlot* plot_ = nullptr;
    QToolButton* play_ = nullptr;
    QComboBox* speed_ = nullptr;
    QComboBox* order_ = nullptr;
    QLabel* joinLabel_ = nullptr;
    std::shared_ptr<const nr::Traces> traces_;
    std::shared_ptr<const nr::Graph> graph_;
    nr::NameJoin join_;
    bool syncing_ = false;
};
