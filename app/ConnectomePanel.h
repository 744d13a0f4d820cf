// The dock beside the 3-D view: find a neuron, colour nodes, filter edges, node size. Every change it makes
// goes through an undo stack, so Ctrl+Z walks back view changes.
#pragma once

#include <QWidget>
#include <memory>

#include "model/Graph.h"

class QComboBox;
class QLineEdit;
class QDoubleSpinBox;
class QSlider;
class QCheckBox;
class QLabel;
class QUndoStack;
class QVBoxLayout;
class ConnectomeView;

struct EdgeFilter {
    float minWeight = 0, maxWeight = 0;
    std::vector<bool> typeVisible;
    bool operator==(const EdgeFilter& o) const {
        return minWeight == o.minWeight && maxWeight == o.maxWeight && typeVisible == o.typeVisible;
    }
};

class ConnectomePanel : public QWidget {
    Q_OBJECT
public:
    ConnectomePanel(ConnectomeView* view, QUndoStack* undo, QWidget* parent = nullptr);
    void setGraph(std::shared_ptr<const nr::Graph> g);

    // Applied through the undo stack (and used by undo/redo themselves with record=false).
    void applyColorBy(const QString& column, bool record = true);
    void applyFilter(const EdgeFilter& f, bool record = true);
    EdgeFilter currentFilter() const { return filter_; }
    // The node column the Network dock colours by (what undo, sessions and the layer keep).
    QString colorBy() const { return colorBy_; }
    // What the "Colour by" box shows: the column, or what colours the nodes from elsewhere while it does
    // (e.g. "activity (Activity dock)"), the same as the 3-D view's legend.
    QString shownColoring() const;
    QComboBox* colorCombo() const { return colorCombo_; }
    // Finds a neuron by name (case-insensitive) and flies to it; false when absent.
    bool findNeuron(const QString& name);
    void focusSearch();
    // Offers a column that came from an analysis (e.g. communities) in the colour menu.
    void addColumn(const QString& name);

signals:
    void message(const QString& text);
    // The user chose in "Colour by": `kind` "" for a node column (colours set from elsewhere must go), or
    // the kind of colours set from elsewhere ("activity", "community").
    void coloringChosen(const QString& kind);
    // The node column changed (applied, also by undo and redo): the shown layer's display follows.
    void colorByChanged(const QString& column);

private:
    void rebuildTypeBoxes();
    void filterFromWidgets();
    void showFilter(const EdgeFilter& f);
    void updateCounts();
    void syncColoring(); // the combo shows the view's coloring()

    ConnectomeView* view_;
    QUndoStack* undo_;
    std::shared_ptr<const nr::Graph> graph_;
    QLineEdit* search_;
    QComboBox* colorCombo_;
    QDoubleSpinBox* minW_;
    QDoubleSpinBox* maxW_;
    QSlider* nodeSize_;
    QVBoxLayout* typeLayout_;
    std::vector<QCheckBox*> typeBoxes_;
    QLabel* counts_;
    EdgeFilter filter_;
    QString colorBy_ = QStringLiteral("degree");
    bool updating_ = false;
};
