// The Layers dock: every open dataset as a layer (name, kind, visibility). Show or hide with the check box,
// rename by editing the name (F2), remove with the Remove button (Delete), select to make it the layer the
// views and the properties panel below follow. The properties panel shows the selected layer's files and
// summary and edits its display properties (colour by, opacity, point and edge size).
#pragma once

#include <QDockWidget>

#include "model/Document.h"

class QTreeWidget;
class QTreeWidgetItem;
class QLabel;
class QComboBox;
class QDoubleSpinBox;
class QSlider;
class QToolButton;

class LayersDock : public QDockWidget {
    Q_OBJECT
public:
    LayersDock(nr::Document* doc, QWidget* parent = nullptr);
    ~LayersDock() override;

    QTreeWidget* tree() const { return tree_; }
    // Row of a layer in the list (-1 when absent).
    int rowOf(nr::LayerId id) const;
    void removeSelected();
    // While colours from elsewhere (`kind`: "activity", "community") colour graph layer `id`, its "Colour
    // by" shows them as the Network dock does; an empty kind ends that.
    void setShownColoring(nr::LayerId id, const QString& kind);
    QComboBox* colorByBox() const { return colorBy_; }

signals:
    // Display properties the user changed for a layer (the document already holds them).
    void displayEdited(nr::LayerId id);
    // The user chose in "Colour by": "" for a column (colours from elsewhere end), or their kind.
    void coloringChosen(const QString& kind);

private:
    void rebuild();
    void refreshProperties();
    void onChange(nr::Document::Change c, nr::LayerId id);

    nr::Document* doc_;
    int token_ = 0;
    bool updating_ = false;
    nr::LayerId coloredLayer_ = 0; // setShownColoring
    QString coloredKind_;
    QTreeWidget* tree_ = nullptr;
    QToolButton* remove_ = nullptr;
    QLabel* info_ = nullptr;
    QComboBox* colorBy_ = nullptr;
    QSlider* opacity_ = nullptr;
    QDoubleSpinBox* pointSize_ = nullptr;
    QDoubleSpinBox* edgeSize_ = nullptr;
};
