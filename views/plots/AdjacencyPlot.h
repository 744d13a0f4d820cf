// AdjacencyPlot: a graph's weighted adjacency as a heatmap (rows = sources, columns = targets) in a given
// node order, summed into at most one cell per pixel for large graphs (the caller hands in the cells, see
// nr::adjacencyCells). A strip left of the rows and above the columns shows each position's group (class or
// community) in its colour, with a legend of the groups under the colour bar; empty cells (no edge) are the
// background. Selected nodes are marked in the margins; a click on a cell or a row's strip asks for its
// nodes (nodesClicked). Drawn with the shared HeatmapPainter; exports like every PlotWidget.
#pragma once

#include <QPoint>
#include <QStringList>
#include <cstdint>
#include <map>
#include <vector>

#include "plots/HeatmapPainter.h"
#include "plots/PlotWidget.h"

class AdjacencyPlot : public PlotWidget {
    Q_OBJECT
public:
    explicit AdjacencyPlot(QWidget* parent = nullptr);
    ~AdjacencyPlot() override;

    struct Data {
        std::vector<float> cells;         // cells x cells, row-major, NaN = no edge
        size_t cells_ = 0;                // cells a side
        size_t span = 1;                  // nodes per cell a side
        std::vector<uint32_t> order;      // node at each position
        std::vector<QString> groups;      // group at each position (empty: no groups)
        QStringList names;                // name of each node id
        std::map<QString, QColor> colors; // colour of a group (others: colormaps::community of its index)
    };
    void setData(Data d);
    // New cells for the same order (the same graph summed to another number of cells a side); keeps the
    // order, groups and selection.
    void setCells(std::vector<float> cells, size_t cellsASide, size_t span);
    // Log colour scale (log10 of positive weights); ignored when a weight is negative.
    void setLogScale(bool on);
    void setTitle(const QString& t);
    // Unit of the edge weights, written on the colour bar ("weight (synapses)"); empty: none.
    void setWeightUnit(const QString& unit);
    // The colour bar's label as drawn ("summed weight", "log10 weight (synapses)", …).
    QString colorBarLabel() const;
    void setSelection(const std::vector<uint32_t>& nodes);

    size_t cellCount() const { return d_.cells_; }
    const std::vector<float>& cells() const { return d_.cells; } // cellCount() squared, NaN = no edge
    size_t span() const { return d_.span; }
    const std::vector<uint32_t>& order() const { return d_.order; }
    const std::vector<uint32_t>& selection() const { return selection_; }
    double rangeLow() const { return lo_; }
    double rangeHigh() const { return hi_; }
    bool logScale() const { return log_; }
    QStringList groupNames() const { return groupNames_; }
    QColor groupColor(int g) const;
    // Colour a cell value gets (NaN: the background).
    QColor colorForValue(double v) const;
    // Geometry for the current size.
    QRectF matrixRect() const;
    QRectF colorBarRect() const;
    // Cell (x = column, y = row) under a widget position, (-1, -1) outside; a position on the group strips
    // gives the row (x -1) or the column (y -1).
    QPoint cellAt(QPointF pos) const;
    // Nodes of a cell's rows and columns (a cell spanning several nodes gives all of them).
    std::vector<uint32_t> nodesOf(QPoint cell) const;
    QString describe(QPoint cell) const;

signals:
    // The user clicked nodes (a cell: its source and target nodes; a strip: the row's nodes). `add`: Ctrl or
    // Shift held.
    void nodesClicked(std::vector<uint32_t> nodes, bool add);

protected:
    void initPlotGL() override;
    void releasePlotGL() override;
    void syncGpu() override;
    void drawGL(const QSizeF& logical, double scale) override;
    void drawAnnotations(QPainter& p, const QSizeF& logical) override;
    void drawVectorData(QPainter& p, const QSizeF& logical) override;
    void drawReadouts() override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void mousePressEvent(QMouseEvent* e) override;
    void leaveEvent(QEvent* e) override;

private:
    struct Layout {
        QRectF title, matrix, rowStrip, colStrip, bar, legend;
        double cell = 0, labelMargin = 0;
    };
    Layout layout(const QSizeF& logical) const;
    void rebuild();

    Data d_;
    std::vector<int> groupOf_; // group index at each position
    QStringList groupNames_;
    std::vector<uint32_t> selection_;
    bool log_ = false, logUsed_ = false, signed_ = false;
    double lo_ = 0, hi_ = 1;
    QString title_, unit_;
    HeatmapPainter heat_;
    QPoint hover_{-1, -1};
};
