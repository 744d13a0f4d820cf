// ScatterPlot: points (x, y) with axis titles, a title and a statistics line (e.g. "r = 0.21, p = 0.001"),
// for structure against function: one point per neuron pair. The x axis can be logarithmic in 1 + x
// (structural weights are synapse counts with many zeros: 0, 1, 10, 100 are evenly spread and zero stays on
// the axis). Points at x = 0 are drawn in a muted colour; the hovered point's name shows in a tooltip.
#pragma once

#include <QStringList>
#include <vector>

#include "plots/PlotWidget.h"

class QOpenGLShaderProgram;

class ScatterPlot : public PlotWidget {
    Q_OBJECT
public:
    explicit ScatterPlot(QWidget* parent = nullptr);
    ~ScatterPlot() override;

    // x and y of the same length (otherwise the plot is cleared); names optional (one per point).
    void setPoints(const std::vector<double>& x, const std::vector<double>& y, const QStringList& names = {});
    void setAxisTitles(const QString& x, const QString& y);
    void setTitle(const QString& title);
    // A line of statistics under the title (drawn in the top-left corner of the plot area).
    void setStatsText(const QString& text);
    // x axis in log10(1 + x) (x >= 0); off: linear.
    void setLogX(bool on);

    size_t count() const { return x_.size(); }
    bool logX() const { return logX_; }
    const QString& title() const { return title_; }
    const QString& statsText() const { return stats_; }
    const QString& xTitle() const { return xTitle_; }
    const QString& yTitle() const { return yTitle_; }
    // Visible data ranges (after the log transform for x: in log10(1 + x)).
    QRectF dataRange() const { return range_; }

    // Geometry in widget coordinates.
    QRectF plotRect() const;
    QPointF pointPos(size_t i) const;
    // Nearest point within 6 units of a widget position (-1: none).
    long pointAt(QPointF pos) const;
    QColor pointColor(size_t i) const;

protected:
    void initPlotGL() override;
    void releasePlotGL() override;
    void drawGL(const QSizeF& logical, double scale) override;
    void drawAnnotations(QPainter& p, const QSizeF& logical) override;
    void drawVectorData(QPainter& p, const QSizeF& logical) override;
    void drawReadouts() override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void leaveEvent(QEvent* e) override;

private:
    QRectF plotArea(const QSizeF& logical) const;
    double tx(double x) const; // data x -> axis coordinate
    QPointF toWidget(const QRectF& area, double x, double y) const;
    void rebuildRange();

    std::vector<double> x_, y_;
    QStringList names_;
    QString title_, stats_, xTitle_, yTitle_;
    bool logX_ = false;
    QRectF range_{0, 0, 1, 1}; // x, y, width, height in axis coordinates
    std::unique_ptr<QOpenGLShaderProgram> prog_;
    unsigned vao_ = 0, vbo_ = 0;
    long hover_ = -1;
};
