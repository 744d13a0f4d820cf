// HeatmapPainter: the heatmap and colour bar shared by the 2-D plots (TracePlot, MatrixPlot, MembershipPlot).
//
// A grid of values (row-major, row 0 at the top, NaN for missing cells) is coloured through a 256-entry
// colour map. On screen the values sit in an R32F texture and the map in a 256 x 1 texture (shaders/heatmap);
// for vector export the same colours are baked into a QImage. colorFor() is the exact colour both paths give
// a value (the map is sampled at round(x * 255) / 255), so tests and other views can compare against it.
// The owning plot calls initGL / releaseGL / syncGL from its own GL hooks, and between bind() and unbind()
// draws the cells and the bar into rectangles it has set with PlotWidget::setViewport.
#pragma once

#include <QColor>
#include <QFont>
#include <QImage>
#include <QRectF>
#include <QString>
#include <functional>
#include <memory>
#include <vector>

class QOpenGLFunctions_3_3_Core;
class QOpenGLShaderProgram;
class QPainter;

class HeatmapPainter {
public:
    using ColorMap = std::function<QColor(double)>; // x in [0, 1]

    HeatmapPainter();
    ~HeatmapPainter();

    // The colour map (sampled into 256 entries) and the colour of NaN cells.
    void setColorMap(const ColorMap& map);
    void setNanColor(QColor c) { nan_ = c; }
    QColor nanColor() const { return nan_; }
    // The colour map's entry for x in [0, 1] (entry round(x * 255)).
    QColor mapColor(double x) const;
    // The colour a value gets for the range [lo, hi] (NaN: nanColor()).
    QColor colorFor(double v, double lo, double hi) const;

    // Cells: w columns x h rows, row-major, row 0 at the top.
    void setValues(int w, int h, std::vector<float> values);
    int columns() const { return w_; }
    int rows() const { return h_; }
    const std::vector<float>& values() const { return values_; }

    // GL side (the plot's context current). initGL takes the "heatmap" program loaded by the plot.
    void initGL(QOpenGLFunctions_3_3_Core* gl, std::unique_ptr<QOpenGLShaderProgram> program);
    void releaseGL();
    void syncGL();
    bool ready() const;
    // Binds the program and textures for the range [lo, hi]; then drawCells / drawBar fill the current
    // viewport; unbind() restores the texture units.
    void bind(double lo, double hi);
    // The columns [u0, u1] of the grid (fractions of its width) stretched over the viewport.
    void drawCells(float u0 = 0, float u1 = 1);
    // A vertical colour bar: low values at the bottom.
    void drawBar();
    void unbind();

    // QPainter side (vector export): the grid as an image (one pixel per cell) drawn into `target`, the
    // columns [u0, u1] of it; and the colour bar.
    QImage image(double lo, double hi) const;
    void paintCells(QPainter& p, const QRectF& target, double lo, double hi, double u0 = 0,
                    double u1 = 1) const;
    void paintBar(QPainter& p, const QRectF& bar) const;

    // Colour bar frame, ticks at `ticks` (values in [lo, hi]) with their labels on the right, and `label`
    // written vertically to the right of the tick labels (skipped when empty).
    struct BarStyle {
        QColor axis, text;
        QFont font;
        double tickLabelWidth = 40;
    };
    static void drawBarAxis(QPainter& p, const QRectF& bar, double lo, double hi,
                            const std::vector<double>& ticks, const QString& label, const BarStyle& style);

private:
    std::vector<QColor> lut_;
    QColor nan_{160, 160, 160};
    std::vector<float> values_;
    int w_ = 0, h_ = 0;
    bool dirtyValues_ = true, dirtyLut_ = true;
    QOpenGLFunctions_3_3_Core* gl_ = nullptr;
    std::unique_ptr<QOpenGLShaderProgram> prog_;
    unsigned vao_ = 0, vbo_ = 0, valTex_ = 0, lutTex_ = 0;
};

namespace colormaps {
// ColorBrewer RdBu (11 classes), x in [0, 1]: 0 blue, 0.5 white, 1 red.
QColor diverging(double x);
// Colour of a community label (stable: label k always gets the same colour; the 12 categorical colours of
// nr::palette, then golden-angle hues). Negative labels (no community) are the palette's grey.
QColor community(int label);
} // namespace colormaps
