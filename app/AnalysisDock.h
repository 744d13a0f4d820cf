// The Analysis dock: live population geometry of the running simulation (trajectory, RDM, Shesha) and the
// plugin runner. Plugin results that are per-node columns are painted onto the 3-D network.
#pragma once

#include <QDockWidget>
#include <memory>

#include "model/Graph.h"

class DocumentModel;
class QMenu;
class QComboBox;
class QCheckBox;
class QLabel;
class GeometryPlot;
class PluginPanel;
class LiveGeometry;
class SimulationDock;
class ConnectomePanel;
class ConnectomeView;
class QTabWidget;
namespace nr {
struct Results;
}

class AnalysisDock : public QDockWidget {
    Q_OBJECT
public:
    explicit AnalysisDock(QWidget* parent = nullptr);
    // Wires the live geometry to the simulation and results to the 3-D view.
    void connectTo(SimulationDock* sim, ConnectomeView* view, ConnectomePanel* panel);
    void addMenuActions(QMenu* menu);
    // Where the network on show comes from (analyses run on it, result columns go to it).
    void setModel(DocumentModel* m);

    GeometryPlot* geometryPlot() const { return plot_; }
    PluginPanel* pluginPanel() const { return plugins_; }
    LiveGeometry* liveGeometry() const { return live_; }

    // Shows analysis results: node columns on the network (and its Colour by), a dissimilarity matrix in the
    // geometry tab. Sessions give back stored results this way.
    void applyResults(const nr::Results& r);

signals:
    void message(const QString& text, bool error);

private:
    QTabWidget* tabs_;
    GeometryPlot* plot_;
    PluginPanel* plugins_;
    LiveGeometry* live_ = nullptr;
    QComboBox* metric_;
    QCheckBox* liveBox_;
    QLabel* sheshaLabel_;
    SimulationDock* sim_ = nullptr;
    ConnectomeView* view_ = nullptr;
    ConnectomePanel* panel_ = nullptr;
    DocumentModel* model_ = nullptr;
};
