// TracePlot: activity traces of named neurons (nr::Traces).
//   (1) heatmap: neurons x time, values in a float texture coloured by a diverging map (blue - white - red,
//       symmetric about 0) with a colour bar; rows ordered by name, by a given order (the connectome's), by
//       correlation clustering or by community;
//   (2) lines: the traces of the selected neurons, one lane each, with the behaviour rows of the same file
//       (velocity, reversals) in lanes under them;
//   (3) a time cursor across both; moving it (setCursorTime, or dragging with the left button) emits
//       cursorMoved(t, frame). Clicking a heatmap row selects that neuron (Ctrl toggles); selectionChanged
//       reports the selected neuron indices.
// colorForValue() is the exact colour the heatmap shows for a value, so other views (the 3-D connectome)
// can paint neurons by their activity at the cursor with the same map. Export works as for every PlotWidget
// (the heatmap is an embedded image in SVG/PDF, lines and text are vector paths).
#pragma once

#include <QElapsedTimer>
#include <QTimer>
#include <QVector>
#include <memory>
#include <vector>

#include "plots/HeatmapPainter.h"
#include "plots/PlotWidget.h"
#include "traces/Traces.h"

class TracePlot : public PlotWidget {
    Q_OBJECT
public:
    enum class RowOrder { Name, Given, Correlation, Community };

    explicit TracePlot(QWidget* parent = nullptr);
    ~TracePlot() override;

    void setTraces(std::shared_ptr<const nr::Traces> traces);
    const nr::Traces* traces() const { return traces_.get(); }

    // Row order of the heatmap. Given uses setGivenOrder (neuron indices, e.g. connectome order; neurons not
    // listed follow by name); Community uses setCommunities (label per neuron; -1 last), by name within one.
    void setRowOrder(RowOrder order);
    RowOrder rowOrder() const { return order_; }
    void setGivenOrder(const std::vector<int>& neurons);
    void setCommunities(const std::vector<int>& labels);
    // Neuron index shown in each heatmap row, top to bottom.
    const std::vector<int>& rows() const { return rows_; }

    // Colour scale: values in [-limit, limit] (default: the 99th percentile of |value|, at least 1e-6).
    void setColorLimit(double limit);
    double colorLimit() const { return limit_; }
    // What the colour bar says the values are (nr::valueLabel: z-score, ΔF/F, ...).
    const QString& valueLabel() const { return valueLabel_; }
    // The diverging map, x in [0, 1] (0 blue, 0.5 white, 1 red) and the colour the plot gives a value
    // (NaN: grey), quantised as the GPU lookup is.
    static QColor diverging(double x);
    QColor colorForValue(double v) const;
    static QColor nanColor() { return QColor(160, 160, 160); }
    // colorForValue of each value (nodes without activity, NaN, get `missing`); with nr::activityAt this
    // colours the connectome's nodes by activity at the cursor with the heatmap's map.
    std::vector<QColor> colorsFor(const std::vector<float>& values, QColor missing) const;

    // Time cursor (seconds); clamped to the recording. frame = last time point at or before it.
    void setCursorTime(double t);
    double cursorTime() const { return cursor_; }
    size_t cursorFrame() const;
    // Playback: the cursor advances at `speed` recording seconds per wall-clock second (about 60 updates a
    // second, each emitting cursorMoved) and stops at the end of the recording (playingChanged(false)).
    void play(double speed = 1.0);
    void stop();
    bool playing() const;
    double playSpeed() const { return speed_; }

    // Visible time range (seconds); the whole recording by default.
    void setTimeRange(double t0, double t1);
    void resetTimeRange();

    void setSelectedNeurons(const std::vector<int>& neurons);
    const std::vector<int>& selectedNeurons() const { return selected_; }

    // Geometry in widget coordinates for the current size.
    QRectF heatmapRect() const;
    QRectF linesRect() const;
    QRectF colorBarRect() const;
    // Heatmap row under a widget y (-1 outside), time at a widget x, and the widget rectangle of a cell.
    int rowAt(QPointF pos) const;
    double timeAt(double x) const;
    double xOfTime(double t) const;
    QRectF cellRect(int row, size_t frame) const;

signals:
    void cursorMoved(double t, qulonglong frame);
    void selectionChanged(const QVector<int>& neurons);
    void playingChanged(bool playing);
    // The heatmap's row order changed (rows()).
    void rowsChanged();

protected:
    void initPlotGL() override;
    void releasePlotGL() override;
    void syncGpu() override;
    void drawGL(const QSizeF& logical, double scale) override;
    void drawAnnotations(QPainter& p, const QSizeF& logical) override;
    void drawVectorData(QPainter& p, const QSizeF& logical) override;

    void mousePressEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;
    void wheelEvent(QWheelEvent* e) override;
    void drawReadouts() override;
    void leaveEvent(QEvent* e) override;

private:
    struct Layout {
        QRectF heat, bar, lines;
    };
    struct Lane {
        QString name;
        const float* v = nullptr;
        double lo = 0, hi = 1;
        QColor color;
    };
    Layout layout(const QSizeF& logical) const;
    void rebuildRows();
    void rebuildImage();
    std::vector<Lane> lanes() const;
    // Polyline points of a lane in [0,1] x [0,1] over the visible range (min/max per pixel column when
    // dense), broken at NaN (a NaN point starts a new piece).
    std::vector<std::vector<QPointF>> lanePieces(const Lane& l, double widthPx) const;
    double spanEnd() const; // end of the last frame (time.back() + median step)

    std::shared_ptr<const nr::Traces> traces_;
    RowOrder order_ = RowOrder::Given;
    std::vector<int> given_, communities_, rows_, selected_;
    double limit_ = 1;
    QString valueLabel_; // the colour bar's label: z-score, ΔF/F, ...
    bool userLimit_ = false;
    double cursor_ = 0, t0_ = 0, t1_ = 1, dt_ = 1;
    // Heatmap: rows x bins (bins = frames, averaged down to at most kMaxBins) and its colour bar.
    HeatmapPainter heat_;
    GLuint vao_ = 0, vbo_ = 0;
    std::unique_ptr<QOpenGLShaderProgram> colorProg_;
    bool dragging_ = false;
    QTimer* timer_ = nullptr;
    QElapsedTimer clock_;
    double speed_ = 1, playFrom_ = 0;
    QPointF hover_{-1, -1};
};
