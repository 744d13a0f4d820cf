// PlotWidget: the common base of the 2-D plots (RasterPlot, GeometryPlot).
//
// A plot draws its data with OpenGL 3.3 core (shaders from the :/shaders resource) and its axes, ticks and
// labels with QPainter over the GL content; an optional Dear ImGui overlay carries readouts, tooltips and
// controls supplied by the application. The same picture can be drawn for export: renderImage() renders the
// GL data into a framebuffer object of any size, paintVector() draws data and axes with QPainter only (for
// QSvgGenerator and QPdfWriter), and exportFigure() picks the format by file extension.
//
// All geometry is laid out in logical units (widget pixels on screen). For export at a size of P pixels the
// logical size is P / s: in exportFigure s = figureScale(P, dpi) so that the label font is 7 pt at the
// figure's physical size in every plot; renderImage and paintVector use s = exportScale(P).
#pragma once

#include <QColor>
#include <QImage>
#include <QOpenGLFunctions_3_3_Core>
#include <QOpenGLWidget>
#include <QString>
#include <functional>
#include <initializer_list>
#include <memory>
#include <vector>

class ImGuiLayer;
class QOpenGLShaderProgram;
class QPainter;

class PlotWidget : public QOpenGLWidget, protected QOpenGLFunctions_3_3_Core {
    Q_OBJECT
public:
    explicit PlotWidget(QWidget* parent = nullptr);
    ~PlotWidget() override;

    // OpenGL 3.3 core, the format every plot asks for.
    static QSurfaceFormat defaultFormat();

    // Light (white background, dark axes; the default, meant for papers) or dark (matches the 3-D view).
    void setDarkTheme(bool dark);
    bool darkTheme() const { return dark_; }

    // In-canvas controls drawn by the application (ImGui:: calls) each frame, after the plot's own readouts.
    void setOverlay(std::function<void()> drawUi);
    // Whether the ImGui readouts are drawn on screen (never in exports).
    void setReadoutsVisible(bool on);

    // The picture at `pixels` (GL data rendered into a framebuffer object, then axes and labels). With
    // `transparent` the background is left at alpha 0. Returns a null image when no GL context can be had.
    QImage renderImage(QSize pixels, bool transparent);
    // Draws the same picture with QPainter only into `rect` of `p` (data as rectangles, lines and paths).
    void paintVector(QPainter& p, const QRectF& rect, bool transparent = false);
    // .png / .tif / .tiff: the picture with the DPI written to the image; .svg and .pdf: paintVector with a
    // page of pixels/dpi inches. Text is `fontPt` points at the figure's physical size (pixels / dpi), the
    // same in every plot (fontPt 0: the widget's own layout scaled to the figure, as exportScale gives).
    // Returns false and sets lastError() on failure.
    bool exportFigure(const QString& path, QSize pixels, int dpi, bool transparent,
                      double fontPt = kFigureFontPt);
    static constexpr double kFigureFontPt = 7;
    // Draws the picture with QPainter into `rect` of `p` (device units of a page at `dpi`) as one panel of a
    // composed figure: vector data and axes, text at `fontPt` points at the page's physical size.
    void paintFigurePanel(QPainter& p, const QRectF& rect, int dpi, double fontPt);
    // Writes `image` as TIFF with its resolution tags (Qt has no TIFF writer here). False and `error` on
    // failure.
    static bool writeTiffFile(const QImage& image, const QString& path, int dpi, QString* error);
    // Logical-to-pixel scale of a figure of `pixels` at `dpi`: the label font (11 logical px) comes out at
    // `fontPt` points, within the limits that keep the plot's layout (at least 240 logical px wide).
    double figureScale(QSize pixels, int dpi, double fontPt = kFigureFontPt) const;
    // Point size the label font has in a figure of `pixels` at `dpi` (what figureScale gives).
    double figureFontPt(QSize pixels, int dpi, double fontPt = kFigureFontPt) const;
    const QString& lastError() const { return lastError_; }

    // Milliseconds the last on-screen frame took on the CPU side (GL calls issued, text drawn).
    double lastFrameMs() const { return frameMs_; }
    // Logical-to-pixel scale used when exporting an image of `pixels`.
    double exportScale(QSize pixels) const;

    // Nice tick values covering [lo, hi] (at most about maxTicks of them).
    static std::vector<double> niceTicks(double lo, double hi, int maxTicks);
    // Tick label with as many decimals as the tick step needs.
    static QString tickLabel(double v, double step);
    // Perceptually uniform colour map (viridis), x in [0, 1].
    static QColor viridis(double x);
    // Categorical palette (10 colours, repeats).
    static QColor categorical(int i);

signals:
    void exported(const QString& path);

protected:
    // Creates a vertex array and its buffer of interleaved floats: attribute i takes sizes[i] floats per
    // vertex. With `data` the buffer is filled (static); the array and buffer stay bound.
    // Creates a 2-D texture sampled nearest, clamped at the edges (colour maps, binned images); left unbound.
    void makeTexture(GLuint& tex);
    void makeVertexArray(GLuint& vao, GLuint& vbo, std::initializer_list<int> sizes,
                         const void* data = nullptr, size_t bytes = 0);

    struct Style {
        QColor background, axis, text, muted, dot, selection, rubberBand, band;
        double fontPx = 11;
    };
    const Style& style() const { return style_; }

    // Create programs, buffers and textures (context current). Called once per GL context.
    virtual void initPlotGL() = 0;
    // Release what initPlotGL made (context current).
    virtual void releasePlotGL() = 0;
    // Upload pending data (context current, before drawing).
    virtual void syncGpu() {}
    // Draw the data with GL into a target of `logical` units at `scale` device pixels per unit. The target
    // framebuffer is bound and cleared; use setViewport() to draw into a logical rectangle.
    virtual void drawGL(const QSizeF& logical, double scale) = 0;
    // Axes, ticks, labels, legends (everything except the GL data) in logical units.
    virtual void drawAnnotations(QPainter& p, const QSizeF& logical) = 0;
    // The data drawn by drawGL, with QPainter, in logical units (vector export).
    virtual void drawVectorData(QPainter& p, const QSizeF& logical) = 0;
    // The plot's own ImGui readouts and tooltips (inside an ImGui frame).
    virtual void drawReadouts() {}

    // Restricts drawing to the logical rectangle r of the current target (viewport + scissor).
    void setViewport(const QRectF& r);
    // Loads ":/shaders/<name>.vert" and ".frag"; returns nullptr (and logs) on failure.
    std::unique_ptr<QOpenGLShaderProgram> loadProgram(const QString& name);
    // Text in the theme's text colour, and the label font (11 px unless px is given).
    void drawText(QPainter& p, const QRectF& r, int flags, const QString& s) const;
    QFont labelFont(double px = 0) const;

    // Scale of the target being drawn (device pixels per logical unit) and its height in device pixels.
    double targetScale() const { return targetScale_; }
    bool exporting() const { return exporting_; }
    // True while exportFigure draws: text is the figure's font size (labelFont() at least), dense labels
    // are thinned to fit it rather than shrunk.
    bool inFigure() const { return figure_; }
    // The font of labels on rows of height `rowH` (heatmap rows, matrix cells): smaller with the rows on
    // screen (6..10 px), the label font in figures; and every how many rows one fits.
    QFont rowLabelFont(double rowH) const;
    int rowLabelEvery(double rowH) const;
    bool glReady() const { return glReady_; }

    // Releases the GL side; derived destructors call it while their members still exist.
    void teardownGL();

    bool event(QEvent* e) override;
    void initializeGL() override;
    void paintGL() override;
    ImGuiLayer* imgui() const { return imgui_.get(); }

private:
    QImage renderAt(QSize pixels, double scale, bool transparent);
    void paintVectorAt(QPainter& p, const QRectF& rect, double scale, bool transparent);
    void applyTheme();
    void releaseAll();
    bool ensureContext();

    Style style_;
    bool dark_ = false;
    bool readouts_ = true;
    bool glReady_ = false;
    bool exporting_ = false;
    bool figure_ = false;
    double targetScale_ = 1;
    int targetHeightPx_ = 1;
    double frameMs_ = 0;
    QString lastError_;
    std::function<void()> overlay_;
    std::unique_ptr<ImGuiLayer> imgui_;
    QMetaObject::Connection contextGone_;
};
