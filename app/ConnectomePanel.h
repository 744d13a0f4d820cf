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
    QString colorBy() const { return colorBy_; }
    // Finds a neuron by name (case-insensitive) and flies to it; false when absent.
    bool findNeuron(const QString& name);
    void focusSearch();
    // Offers a column that came from an analysis (e.g. communities) in the colour menu.
    void addColumn(const QString& name);

signals:
    void message(const QString& text);

private:
    void rebuildTypeBoxes();
    void filterFromWidgets();
    void showFilter(const EdgeFilter& f);
    void updateCounts();

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
