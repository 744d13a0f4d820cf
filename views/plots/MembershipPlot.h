// MembershipPlot: community membership over time. One row per neuron, one column per sliding window, each
// cell coloured by the neuron's (matched) community in that window: colormaps::community(label), the same
// colours the 3-D view paints, stable across windows because the labels are matched. Neurons without a
// community in a window are grey. A legend lists the communities (with the neuron-windows of each), a time
// axis gives the window centres, and a cursor marks the window at the playback time.
#pragma once

#include <QPoint>
#include <QStringList>
#include <limits>
#include <vector>

#include "plots/HeatmapPainter.h"
#include "plots/PlotWidget.h"

class MembershipPlot : public PlotWidget {
    Q_OBJECT
public:
    explicit MembershipPlot(QWidget* parent = nullptr);
    ~MembershipPlot() override;

    // labels: windows x neurons (-1: none); window w spans [start[w], end[w]] seconds; names per neuron.
    void setMembership(const std::vector<std::vector<int>>& labels, const std::vector<double>& start,
                       const std::vector<double>& end, const QStringList& names);
    void clear();
    // Neurons shown top to bottom (others follow in index order; empty: index order).
    void setOrder(const std::vector<int>& neurons);
    void setTitle(const QString& title);
    // Unit of the window times on the axis: "s" (default) or "frame".
    void setTimeUnit(const QString& unit) { timeUnit_ = unit; }
    // Playback cursor (seconds): marks the window whose centre is nearest.
    void setCursorTime(double t);
    int cursorWindow() const { return windowAt(cursor_); }

    int windows() const { return int(labels_.size()); }
    int neurons() const { return n_; }
    const std::vector<int>& order() const { return order_; }
    // Window whose centre is nearest t (-1 without windows).
    int windowAt(double t) const;
    // Community of the neuron shown in `row` in window w (-1: none).
    int labelAt(int row, int window) const;
    // The colour the plot draws a label with.
    QColor colorForLabel(int label) const;
    struct LegendEntry {
        int label = -1;
        size_t cells = 0; // neuron-windows in this community
    };
    // Communities in label order (the legend), with "none" (-1) last when present.
    const std::vector<LegendEntry>& legend() const { return legend_; }

    // Geometry in widget coordinates for the current size.
    QRectF gridRect() const;
    QRectF legendRect() const;
    QRectF cellRect(int row, int window) const;
    // Swatch rectangle of legend entry i (empty when it did not fit).
    QRectF legendSwatch(size_t i) const;
    // The "+N more" line under the swatches when not all fit (empty when they do).
    QRectF legendMoreRect() const;

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
        QRectF grid, legend, title;
        double rowH = 0, colW = 0;
    };
    Layout layout(const QSizeF& logical) const;
    void rebuild();
    double centre(int w) const { return 0.5 * (start_[size_t(w)] + end_[size_t(w)]); }
    // Time range of the x axis: first centre - half a step .. last centre + half a step.
    std::pair<double, double> timeSpan() const;

    std::vector<std::vector<int>> labels_;
    std::vector<double> start_, end_;
    QStringList names_;
    int n_ = 0;
    std::vector<int> order_, requested_;
    std::vector<LegendEntry> legend_;
    QString title_;
    QString timeUnit_ = QStringLiteral("s");
    double cursor_ = std::numeric_limits<double>::quiet_NaN();
    HeatmapPainter heat_;
    QPoint hover_{-1, -1};
};
