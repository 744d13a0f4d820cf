// VtkView: VTK 9 rendering hosted in a Qt 6 QOpenGLWidget.
//
// A vtkGenericOpenGLRenderWindow renders into its own offscreen framebuffers with the widget's context
// (own context off, no blit); paintGL renders and blits the result into the widget's framebuffer, then an
// ImGuiLayer draws the overlay (subclasses fill it by overriding drawOverlay()). Qt mouse events drive a
// vtkGenericRenderWindowInteractor with a trackball camera: left drag rotates, wheel or right drag zooms,
// middle drag or shift + left drag pans.
#pragma once

#include <QColor>
#include <QImage>
#include <QOpenGLWidget>
#include <QPointF>
#include <QSize>
#include <QString>
#include <array>
#include <functional>
#include <optional>
#include <vector>
#include <vtkNew.h>

#include "imgui/ImGuiLayer.h"

class vtkGenericOpenGLRenderWindow;
class vtkGenericRenderWindowInteractor;
class vtkInteractorStyleTrackballCamera;
class vtkObject;
class vtkRenderer;

class VtkView : public QOpenGLWidget {
    Q_OBJECT
public:
    // Camera as stored in sessions and undo steps.
    struct CameraState {
        double pos[3] = {0, 0, 1};
        double focal[3] = {0, 0, 0};
        double up[3] = {0, 1, 0};
        double viewAngle = 30;
    };

    explicit VtkView(QWidget* parent = nullptr);
    ~VtkView() override;

    // The OpenGL 3.2 core format VTK needs; set on every VtkView by its constructor.
    static QSurfaceFormat defaultFormat();

    vtkRenderer* renderer() const;
    vtkGenericOpenGLRenderWindow* renderWindow() const;
    // Fits the camera to what is shown (the visible props; views narrow it to what passes their filters).
    // R in the view.
    virtual void resetCamera();
    // Schedules a repaint (coalesced by Qt).
    void requestRender();

    // Renders the scene offscreen at `pixels` (independent of the widget size) without the overlay.
    // With transparentBackground the background has alpha 0. Returns a null image when the widget has no
    // GL context yet (it must have been shown once) or the size is empty.
    // Beyond the GL framebuffer limit (or maxRenderSize()) the image is rendered as a grid of tiles and
    // stitched: the same pixels as one big render.
    QImage renderImage(QSize pixels, bool transparentBackground);
    // The largest render in pixels per side before renderImage tiles (0, the default: the driver's
    // GL_MAX_RENDERBUFFER_SIZE and GL_MAX_VIEWPORT_DIMS). For every view; tests force tiling with it.
    static void setMaxRenderSize(int px);
    static int maxRenderSize() { return maxRenderSize_; }
    // Tiles the last renderImage drew (1 when it fitted in one render, 0 when it failed).
    int lastTiles() const { return lastTiles_; }
    // renderImage for a figure. When everything drawn is on screen, the figure frames it, centred, at the
    // figure's own aspect with a margin of `margin` (fraction of the field of view) around it; when the view
    // is zoomed into part of the data, that part stays in the picture whatever the figure's aspect (a figure
    // narrower than the view widens the field of view to keep its width). The camera is left as it was.
    QImage renderFigure(QSize pixels, bool transparentBackground, double margin = 0.05);
    // World units per image pixel at the depth of the focal point in the last renderFigure (0 before): what a
    // scale bar beside the image measures.
    double lastFigureUnitsPerPixel() const { return figureUnitsPerPixel_; }
    // Where world point `p` falls in the image of the last renderFigure (pixels, y down), or nullopt when it
    // is behind the camera or there was no renderFigure yet. Vector labels of a figure are placed with it.
    std::optional<QPointF> figureProject(const double p[3]) const;
    // True once the widget has been shown and has its GL context (renderImage works from then on).
    bool hasContext() const { return glInitialized_; }

    // What the colours of the scene mean, for the key panel that figure export draws beside the scene
    // (the overlay's legends are not part of renderImage). A view returns one key per colouring shown.
    struct FigureKey {
        struct Swatch {
            QColor color;
            QString label;
        };
        QString title;
        std::vector<Swatch> swatches;
        // A continuous colour bar when ramp is not empty: ramp[0] at lo, ramp.back() at hi.
        std::vector<QColor> ramp;
        double lo = 0, hi = 0;
        bool logScale = false;
    };
    virtual std::vector<FigureKey> figureKeys() const { return {}; }

    // Wall time of the last paintGL (scene, blit and overlay, finished on the GPU), in milliseconds.
    double lastFrameMs() const { return lastFrameMs_; }
    // Device-pixel size of the last frame drawn (empty before the first); differs from the widget's size
    // between a resize and the frame that follows it.
    QSize paintedSize() const { return paintedSize_; }
    // True when the last frame was drawn at the widget's current size, with its overlay windows whole.
    bool frameIsCurrent() const;

    CameraState camera() const;
    void setCamera(const CameraState& c);

    // Dark background (default) or white, for figures.
    void setWhiteBackground(bool white);
    bool whiteBackground() const { return white_; }
    // Background colour in 0..1.
    void backgroundColor(double rgb[3]) const;

    void setOverlayVisible(bool on);
    bool overlayVisible() const { return overlay_; }
    ImGuiLayer& imgui() { return imgui_; }

protected:
    void initializeGL() override;
    void resizeGL(int w, int h) override;
    void paintGL() override;
    bool event(QEvent* e) override;
    void mousePressEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void wheelEvent(QWheelEvent* e) override;
    void keyPressEvent(QKeyEvent* e) override;

    // ImGui calls that draw the overlay; runs inside paintGL after the scene.
    virtual void drawOverlay() {}
    // Called after the background colour changed (subclasses recolour what depends on it).
    virtual void backgroundChanged() {}
    // renderImage() is about to draw an image of the render window's current size (`forImage`), or has
    // drawn it and restored the widget's size (!forImage): views whose arrays depend on the pixel scale
    // (VesselView's cylinders and lines) redo them, and draw the full picture.
    virtual void imageSizeChanged(bool forImage) { (void)forImage; }
    // Renders the scene into the render window now and waits for it to finish; the time in ms. Inside
    // withRenderContext (level-of-detail warm-ups time their budget frames with it).
    double renderSceneMs();

    // Runs fn with the GL context current and the render window ready to render and read pixels (for
    // hardware selection and offscreen renders). Returns false when there is no GL context yet.
    bool withRenderContext(const std::function<void()>& fn);
    // Device pixel ratio used between Qt logical pixels and VTK display pixels.
    double pixelRatio() const;
    // Qt widget position -> VTK display coordinates (device pixels, origin bottom-left).
    void toDisplay(QPointF widgetPos, int& x, int& y) const;

private:
    void forwardMouse(QMouseEvent* e, unsigned long vtkEvent);
    void onInteractorRender(vtkObject*, unsigned long, void*);
    void releaseGraphics();
    bool renderTiles(QImage& img, int maxW, int maxH, bool transparentBackground);
    void onContextDestroyed();

    vtkNew<vtkGenericOpenGLRenderWindow> rw_;
    vtkNew<vtkRenderer> ren_;
    vtkNew<vtkGenericRenderWindowInteractor> iren_;
    vtkNew<vtkInteractorStyleTrackballCamera> style_;
    ImGuiLayer imgui_;
    double lastFrameMs_ = 0;
    bool white_ = false;
    bool overlay_ = true;
    bool glInitialized_ = false;
    QSize paintedSize_;
    double figureUnitsPerPixel_ = 0;
    std::array<double, 16> figureProjection_{}; // world to clip space of the last renderFigure
    QSize figurePixels_;
    int renderDepth_ = 0;
    int lastTiles_ = 0;
    static int maxRenderSize_;
};
