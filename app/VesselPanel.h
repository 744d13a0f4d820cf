// The dock beside the vessel view: colour by any edge column, threshold by radius, clip with a box or a slab
// (a slider moves the slab through the volume), the tube size, and histograms of the radius and length of
// what is visible. Colour and filter changes go through the window's undo stack, so Ctrl+Z walks them back.
#pragma once

#include <QWidget>
#include <limits>
#include <memory>
#include <utility>

#include "vessel/VesselGraph.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSlider;
class QStackedWidget;
class QTableWidget;
class QGroupBox;
class QTimer;
class QUndoStack;
class VesselView;
class VesselHistogram;

// What is visible: a radius range and a clip (none, a box, or a slab along one axis).
struct VesselFilter {
    enum class Clip { None = 0, Box = 1, Slab = 2 };
    float minRadius = -std::numeric_limits<float>::infinity();
    float maxRadius = std::numeric_limits<float>::infinity();
    Clip clip = Clip::None;
    float box[6] = {0, 0, 0, 0, 0, 0}; // xmin, xmax, ymin, ymax, zmin, zmax
    int slabAxis = 2;
    float slabLo = 0, slabHi = 0;
    bool operator==(const VesselFilter& o) const;
    // The clip box this filter gives the view (infinite where it does not clip).
    void clipBox(float out[6]) const;
};

class VesselPanel : public QWidget {
    Q_OBJECT
public:
    VesselPanel(VesselView* view, QUndoStack* undo, QWidget* parent = nullptr);
    // Shows `g` (nullptr: nothing): colour by radius, everything visible; fills the colour menu and the
    // ranges.
    void setGraph(std::shared_ptr<const nr::VesselGraph> g);
    const std::shared_ptr<const nr::VesselGraph>& graph() const { return graph_; }

    // Applied through the undo stack (and by undo/redo themselves with record=false).
    void applyColorBy(const QString& column, bool record = true);
    void applyFilter(const VesselFilter& f, bool record = true);
    VesselFilter currentFilter() const { return filter_; }
    // Everything visible again (one undo step).
    void showAll();
    QString colorBy() const { return colorBy_; }
    // Tube radius relative to the data (1 = as in the file); the slider shows 10 % .. 400 %.
    void setTubeSize(double scale);
    double tubeSize() const;
    // The histograms shown (of the visible vessels, over the range of all of them).
    const nr::Histogram& radiusHistogram() const;
    const nr::Histogram& lengthHistogram() const;
    QString countsText() const;
    // The picked vessel's attributes (name, value), as listed in the dock (empty when none is picked).
    std::vector<std::pair<QString, QString>> pickedRows() const;
    // The box listing them (hidden while none is picked).
    QWidget* pickedBox() const;

signals:
    void message(const QString& text);
    void colorByChanged(const QString& column);
    void tubeSizeChanged(double scale);

private:
    void filterFromWidgets();
    void showFilter(const VesselFilter& f);
    void updateCounts();
    void slabFromSlider();
    void showPicked(long edge);

    VesselView* view_;
    QUndoStack* undo_;
    std::shared_ptr<const nr::VesselGraph> graph_;
    QLabel* counts_;
    QGroupBox* pickedBox_;
    QTableWidget* picked_;
    QComboBox* colorCombo_;
    QSlider* tubeSize_;
    QDoubleSpinBox* minR_;
    QDoubleSpinBox* maxR_;
    QComboBox* clipMode_;
    QStackedWidget* clipPages_;
    QDoubleSpinBox* box_[6];
    QLabel* boxUnit_;
    QComboBox* slabAxis_;
    QSlider* slabPos_;
    QDoubleSpinBox* slabWidth_;
    QLabel* slabRange_;
    QTimer* apply_; // coalesces slider steps into one filter change per event-loop pass
    VesselHistogram* radiusHist_;
    VesselHistogram* lengthHist_;
    std::pair<double, double> radiusRange_, lengthRange_; // over all vessels of the graph
    VesselFilter filter_;
    QString colorBy_;
    bool updating_ = false;
};
