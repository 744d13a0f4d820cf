// MatrixPlot: a square matrix of values between the same named items (a functional-connectivity matrix of
// neurons) as a heatmap with a diverging colour map, a colour bar with its label and a title. Rows and
// columns follow a given order (the trace heatmap's row order); names are written on both axes, every k-th
// when the cells are too thin for all of them, and the hovered cell's pair and value show in a tooltip.
// Drawn with the shared HeatmapPainter; exports like every PlotWidget.
#pragma once

#include <QPoint>
#include <QStringList>
#include <memory>
#include <vector>

#include "plots/HeatmapPainter.h"
#include "plots/PlotWidget.h"

class MatrixPlot : public PlotWidget {
    Q_OBJECT
public:
    explicit MatrixPlot(QWidget* parent = nullptr);
    ~MatrixPlot() override;

    // n x n values, row-major (NaN: undefined, drawn grey); labels name the n items. An empty or wrongly
    // sized matrix clears the plot.
    void setMatrix(const std::vector<double>& values, int n, const QStringList& labels);
    // Items shown top to bottom (and left to right); indices into the matrix. Items not listed follow in
    // matrix order; an empty order is matrix order.
    void setOrder(const std::vector<int>& order);
    // Colour range (default -1 .. 1, symmetric about 0 for the diverging map).
    void setRange(double lo, double hi);
    void setTitle(const QString& title);
    // The colour map (default colormaps::diverging, for signed values; a sequential map such as viridis for
    // distances).
    void setColorMap(const HeatmapPainter::ColorMap& map);
    void setValueLabel(const QString& label);

    int count() const { return n_; }
    const std::vector<int>& order() const { return order_; }
    const QString& title() const { return title_; }
    const QString& valueLabel() const { return valueLabel_; }
    double rangeLow() const { return lo_; }
    double rangeHigh() const { return hi_; }
    // Value of the cell at displayed row / column.
    double valueAt(int row, int col) const;
    // Colour the plot gives a value (the colour map's entry, NaN grey).
    QColor colorForValue(double v) const { return heat_.colorFor(v, lo_, hi_); }
    // Every k-th name is written on the axes (1: all of them).
    int labelStep() const;

    // Geometry in widget coordinates for the current size.
    QRectF matrixRect() const;
    QRectF colorBarRect() const;
    QRectF cellRect(int row, int col) const;
    // Displayed (row, column) under a widget position as (x = column, y = row); (-1, -1) outside.
    QPoint cellAt(QPointF pos) const;

protected:
    void initPlotGL() override;
    void releasePlotGL() override;
    void syncGpu() override;
    void drawGL(const QSizeF& logical, double scale) override;
    void drawAnnotations(QPainter& p, const QSizeF& logical) override;
    void drawVectorData(QPainter& p, const QSizeF& logical) override;
    void drawReadouts() override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void leaveEvent(QEvent* e) override;

private:
    struct Layout {
        QRectF matrix, bar, title;
        double cell = 0, labelMargin = 0;
    };
    Layout layout(const QSizeF& logical) const;
    void rebuild();

    std::vector<double> values_;
    int n_ = 0;
    QStringList labels_;
    std::vector<int> order_, requested_;
    double lo_ = -1, hi_ = 1;
    QString title_, valueLabel_ = QStringLiteral("r");
    HeatmapPainter heat_;
    QPoint hover_{-1, -1};
};
