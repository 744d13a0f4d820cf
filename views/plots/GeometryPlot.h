// GeometryPlot: population geometry in up to three panels side by side.
//   (1) trajectory: population state projected on its first 2 or 3 principal components, one polyline per
//       condition (categorical colours, legend), older points more transparent; a 3-D projection rotates
//       when dragged;
//   (2) RDM: a representational dissimilarity matrix as a heatmap (values in a float texture, coloured by a
//       viridis lookup in the shader) with a colour bar carrying min and max;
//   (3) stability: a series of Shesha values over time with its confidence band.
// Each panel can be shown alone (setPanels). Export works as for every PlotWidget.
#pragma once

#include <QPoint>
#include <QStringList>
#include <array>
#include <memory>
#include <vector>

#include "plots/HeatmapPainter.h"
#include "plots/PlotWidget.h"

class GeometryPlot : public PlotWidget {
    Q_OBJECT
public:
    enum Panel { Trajectory = 1, Rdm = 2, Stability = 4, AllPanels = 7 };

    explicit GeometryPlot(QWidget* parent = nullptr);
    ~GeometryPlot() override;

    // OR of Panel flags; 0 is taken as AllPanels.
    void setPanels(int flags);
    int panels() const { return panels_; }

    // Points of the trajectory (PC coordinates; the third is ignored when dims == 2), the condition of each
    // point (points of one condition form one polyline in the given order) and 2 or 3 dimensions.
    void setTrajectory(const std::vector<std::array<float, 3>>& pts, const std::vector<int>& condition,
                       int dims);
    // Legend names of conditions 0, 1, ... ("condition k" when missing).
    void setConditionNames(const QStringList& names);
    // Colours every trajectory point by a value (e.g. its time) on viridis, with a colour bar titled `title`
    // (with its unit) and its range right of the trajectory; the lines keep their condition colours, and the
    // condition legend moves under the bar. Empty values: points in their condition's colour.
    void setPointValues(const std::vector<double>& values, const QString& title);
    // Axis titles of a 2-D trajectory (empty: "PC1", "PC2"), e.g. with the variance each axis explains.
    void setAxisTitles(const QString& x, const QString& y);
    // Rotation of a 3-D trajectory in degrees (yaw about the vertical axis, then pitch).
    void setRotation(double yawDeg, double pitchDeg);
    double yaw() const { return yaw_; }
    double pitch() const { return pitch_; }

    // n x n matrix, row-major. NaN cells are drawn grey. Labels name rows/columns (shown when they fit).
    void setRdm(const std::vector<double>& matrix, int n, const QStringList& labels, QString metricName);
    int rdmSize() const { return rdmN_; }
    double rdmMin() const { return rdmMin_; }
    double rdmMax() const { return rdmMax_; }

    void appendStability(double t, double value, double ciLow, double ciHigh);
    void clearStability();
    size_t stabilityCount() const { return stab_.size(); }

    // Geometry in widget coordinates for the current size (empty when the panel is hidden).
    QRectF trajectoryRect() const;
    QRectF rdmRect() const;
    QRectF colorBarRect() const;
    QRectF stabilityRect() const;
    QRectF rdmCellRect(int row, int col) const;
    // Matrix cell under a widget position, (-1, -1) for none (x = column, y = row).
    QPoint rdmCellAt(QPointF pos) const;
    // Widget position of trajectory point i under the current projection.
    QPointF trajectoryPoint(size_t i) const;
    QPointF stabilityPoint(size_t i) const;
    // Colour of a condition (legend and lines).
    static QColor conditionColor(int condition) { return categorical(condition); }

protected:
    void initPlotGL() override;
    void releasePlotGL() override;
    void syncGpu() override;
    void drawGL(const QSizeF& logical, double scale) override;
    void drawAnnotations(QPainter& p, const QSizeF& logical) override;
    void drawVectorData(QPainter& p, const QSizeF& logical) override;
    void drawReadouts() override;

    void mousePressEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;
    void mouseDoubleClickEvent(QMouseEvent* e) override;
    void leaveEvent(QEvent* e) override;

private:
    struct Layout {
        QRectF traj, rdm, bar, stab;           // data areas
        QRectF trajPanel, rdmPanel, stabPanel; // whole panels (titles)
        QRectF valueBar;                       // colour bar of the point values (setPointValues)
    };
    struct StabilityPoint {
        double t, v, lo, hi;
    };
    Layout layout(const QSizeF& logical) const;
    // Projected trajectory point i in [-1, 1]^2 of the trajectory area (y up).
    QPointF project(size_t i) const;
    double pointAlpha(size_t i) const;
    void stabilityRange(double& x0, double& x1, double& y0, double& y1) const;
    static QPointF toArea(const QRectF& area, QPointF clip);

    int panels_ = AllPanels;
    // Trajectory.
    std::vector<std::array<float, 3>> pts_;
    std::vector<int> cond_;
    std::vector<double> alpha_;   // per point, fading with age within its condition
    std::vector<int> conditions_; // distinct conditions, sorted
    QStringList condNames_;
    int dims_ = 2;
    std::array<double, 3> center_{};
    double radius_ = 1;
    double xMin_ = -1, xMax_ = 1, yMin_ = -1, yMax_ = 1; // 2-D data ranges
    double yaw_ = 0, pitch_ = 0;
    // RDM.
    std::vector<float> rdm_;
    int rdmN_ = 0;
    double rdmMin_ = 0, rdmMax_ = 1;
    QStringList rdmLabels_;
    QString metric_;
    // Stability.
    std::vector<StabilityPoint> stab_;
    // Interaction.
    bool rotating_ = false;
    QPointF lastPos_;
    QPoint hoverCell_{-1, -1};

    // GL objects.
    std::unique_ptr<QOpenGLShaderProgram> colorProg_;
    unsigned vao_ = 0, vbo_ = 0;
    HeatmapPainter heat_; // the RDM and its colour bar
    // Point values (setPointValues) and axis titles (setAxisTitles).
    std::vector<double> values_;
    QString valueTitle_;
    double valueMin_ = 0, valueMax_ = 1;
    QString xTitle_, yTitle_;
    QColor pointColor(size_t i) const;
};
