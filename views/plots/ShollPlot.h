// ShollPlot: the Sholl profile of one neuron, intersections against the radius of the shell around the soma
// (nr::Morphometrics::shollRadius / shollIntersections), as a line with a dot per shell.
//
// Axes carry titles with units; the curve, axes and text are drawn with QPainter in every path (on screen,
// renderImage for PNG/TIFF, paintVector for SVG/PDF), so exports match the screen. Export as any PlotWidget.
#pragma once

#include <QString>
#include <vector>

#include "plots/PlotWidget.h"

class ShollPlot : public PlotWidget {
    Q_OBJECT
public:
    explicit ShollPlot(QWidget* parent = nullptr);
    ~ShollPlot() override;

    // The profile to draw; `unit` is the radius unit ("µm"), `title` names the neuron.
    void setProfile(const std::vector<double>& radius, const std::vector<int>& intersections,
                    const QString& title, const QString& unit);
    void clear();
    const std::vector<double>& radii() const { return radius_; }
    const std::vector<int>& intersections() const { return count_; }
    const QString& title() const { return title_; }
    QString xTitle() const;
    QString yTitle() const;

    // The data rectangle and the position of shell k, in logical units of a plot of size `logical`.
    QRectF dataRect(const QSizeF& logical) const;
    QPointF pointPosition(size_t k, const QSizeF& logical) const;
    // The colour of the curve and its dots.
    static QColor curveColor() { return QColor(31, 119, 180); }

    QSize sizeHint() const override { return QSize(320, 220); }
    QSize minimumSizeHint() const override { return QSize(200, 140); }

protected:
    void initPlotGL() override {}
    void releasePlotGL() override {}
    void drawGL(const QSizeF&, double) override {}
    void drawAnnotations(QPainter& p, const QSizeF& logical) override;
    void drawVectorData(QPainter&, const QSizeF&) override {}

private:
    double xMax() const;
    double yMax() const;

    std::vector<double> radius_;
    std::vector<int> count_;
    QString title_, unit_;
};
