#include "vtk/VtkView.h"

#include <QElapsedTimer>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QOpenGLContext>
#include <QOpenGLExtraFunctions>
#include <QPainter>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>
#include <cstring>

#include <vtkActor2D.h>
#include <vtkActor2DCollection.h>
#include <vtkCamera.h>
#include <vtkCommand.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkInteractorStyleTrackballCamera.h>
#include <vtkMatrix4x4.h>
#include <vtkOpenGLState.h>
#include <vtkPropCollection.h>
#include <vtkRenderer.h>
#include <vtkUnsignedCharArray.h>

namespace {
const double kDark[3] = {0.07, 0.075, 0.09};
const double kWhite[3] = {1.0, 1.0, 1.0};
} // namespace

QSurfaceFormat VtkView::defaultFormat() {
    QSurfaceFormat f;
    f.setRenderableType(QSurfaceFormat::OpenGL);
    f.setVersion(3, 2);
    f.setProfile(QSurfaceFormat::CoreProfile);
    f.setSwapBehavior(QSurfaceFormat::DoubleBuffer);
    f.setRedBufferSize(8);
    f.setGreenBufferSize(8);
    f.setBlueBufferSize(8);
    f.setAlphaBufferSize(8);
    f.setDepthBufferSize(24);
    f.setStencilBufferSize(8);
    f.setSamples(0);
    return f;
}

VtkView::VtkView(QWidget* parent) : QOpenGLWidget(parent), imgui_(this) {
    setFormat(defaultFormat());
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    setMinimumSize(64, 48);

    rw_->SetOwnContext(false);
    rw_->SetFrameBlitModeToNoBlit();
    rw_->SetReadyForRendering(false);
    rw_->SetMultiSamples(0);
    rw_->SetAlphaBitPlanes(1);
    rw_->SetIsDirect(1);
    rw_->SetSupportsOpenGL(1);
    rw_->SetMapped(1);
    rw_->SetForceMaximumHardwareLineWidth(1);
    rw_->SetSize(std::max(1, width()), std::max(1, height()));
    rw_->AddRenderer(ren_);
    // Called by VTK when it needs the context (e.g. from a picker); inside paintGL it already is current.
    rw_->AddObserver(vtkCommand::WindowMakeCurrentEvent, this, &VtkView::onInteractorRender);

    ren_->SetBackground(kDark[0], kDark[1], kDark[2]);
    ren_->SetBackgroundAlpha(1.0);
    ren_->SetUseDepthPeeling(false);

    iren_->SetRenderWindow(rw_);
    iren_->SetInteractorStyle(style_);
    // The interactor does not render by itself; its render requests become widget repaints.
    iren_->EnableRenderOff();
    iren_->AddObserver(vtkCommand::RenderEvent, this, &VtkView::onInteractorRender);
    iren_->Initialize();
}

VtkView::~VtkView() {
    if (glInitialized_ && context()) {
        makeCurrent();
        releaseGraphics();
        doneCurrent();
    }
}

vtkRenderer* VtkView::renderer() const {
    return ren_;
}
vtkGenericOpenGLRenderWindow* VtkView::renderWindow() const {
    return rw_;
}

void VtkView::onInteractorRender(vtkObject*, unsigned long event, void*) {
    if (event == vtkCommand::WindowMakeCurrentEvent) {
        if (context() && QOpenGLContext::currentContext() != context()) makeCurrent();
        return;
    }
    update();
}

void VtkView::releaseGraphics() {
    rw_->SetReadyForRendering(false);
    rw_->ReleaseGraphicsResources(rw_);
    imgui_.releaseGL();
    glInitialized_ = false;
}

void VtkView::onContextDestroyed() {
    if (!glInitialized_) return;
    makeCurrent();
    releaseGraphics();
    doneCurrent();
}

void VtkView::initializeGL() {
    if (glInitialized_) releaseGraphics();
    connect(context(), &QOpenGLContext::aboutToBeDestroyed, this, &VtkView::onContextDestroyed,
            Qt::UniqueConnection);
    const double dpr = pixelRatio();
    rw_->SetSize(std::max(1, int(width() * dpr)), std::max(1, int(height() * dpr)));
    rw_->SetPosition(0, 0);
    rw_->OpenGLInitContext();
    imgui_.initializeGL();
    glInitialized_ = true;
}

double VtkView::pixelRatio() const {
    return devicePixelRatioF();
}

void VtkView::resizeGL(int w, int h) {
    const double dpr = pixelRatio();
    const int pw = std::max(1, int(w * dpr)), ph = std::max(1, int(h * dpr));
    iren_->UpdateSize(pw, ph);
    rw_->SetSize(pw, ph);
}

bool VtkView::frameIsCurrent() const {
    const double dpr = pixelRatio();
    return paintedSize_ == QSize(std::max(1, int(width() * dpr)), std::max(1, int(height() * dpr))) &&
           (!overlay_ || !imgui_.isInitialized() || imgui_.settled());
}

void VtkView::paintGL() {
    QElapsedTimer t;
    t.start();
    const double dpr = pixelRatio();
    const int pw = std::max(1, int(width() * dpr)), ph = std::max(1, int(height() * dpr));
    if (rw_->GetSize()[0] != pw || rw_->GetSize()[1] != ph) rw_->SetSize(pw, ph);

    vtkOpenGLState* state = rw_->GetState();
    // Qt and the overlay change GL state behind VTK's cache: re-read it before every frame.
    state->Reset();
    state->Push();
    state->vtkglDepthFunc(GL_LEQUAL);
    rw_->SetReadyForRendering(true);
    rw_->SetIsCurrent(true);
    ++renderDepth_;
    rw_->Render();
    --renderDepth_;

    state->PushFramebufferBindings();
    state->vtkglBindFramebuffer(GL_DRAW_FRAMEBUFFER, defaultFramebufferObject());
    rw_->BlitDisplayFramebuffer(0, 0, 0, pw, ph, 0, 0, pw, ph, GL_COLOR_BUFFER_BIT, GL_NEAREST);
    state->PopFramebufferBindings();
    rw_->SetReadyForRendering(false);
    state->Pop();

    auto* gl = context()->extraFunctions();
    gl->glBindFramebuffer(GL_FRAMEBUFFER, defaultFramebufferObject());
    gl->glViewport(0, 0, pw, ph);
    if (overlay_) imgui_.render([this] { drawOverlay(); });
    gl->glFinish();
    lastFrameMs_ = t.nsecsElapsed() / 1e6;
    paintedSize_ = QSize(pw, ph);
}

bool VtkView::withRenderContext(const std::function<void()>& fn) {
    if (!glInitialized_ || !context()) return false;
    const bool nested = renderDepth_ > 0;
    if (!nested) makeCurrent();
    vtkOpenGLState* state = rw_->GetState();
    if (!nested) {
        state->Reset();
        state->Push();
    }
    const bool wasReady = rw_->GetReadyForRendering();
    rw_->SetReadyForRendering(true);
    rw_->SetIsCurrent(true);
    ++renderDepth_;
    fn();
    --renderDepth_;
    rw_->SetReadyForRendering(wasReady);
    if (!nested) {
        state->Pop();
        doneCurrent();
    }
    return true;
}

int VtkView::maxRenderSize_ = 0;

void VtkView::setMaxRenderSize(int px) {
    maxRenderSize_ = std::max(0, px);
}

namespace {
// The render window's w x h pixels (VTK rows bottom-up) into `img` with its lower-left corner at (x0, y0) of
// an image `fullH` rows high (QImage rows top-down); only what lies inside the image. Opaque unless
// `keepAlpha`.
bool readInto(vtkRenderWindow* rw, int w, int h, QImage& img, int x0, int y0, bool keepAlpha) {
    vtkNew<vtkUnsignedCharArray> rgba;
    rw->GetRGBACharPixelData(0, 0, w - 1, h - 1, 1, rgba);
    if (rgba->GetNumberOfTuples() != vtkIdType(w) * h) return false;
    const unsigned char* src = rgba->GetPointer(0);
    const int cw = std::min(w, img.width() - x0);
    for (int y = 0; y < h && y0 + y < img.height(); ++y) {
        uchar* row = img.scanLine(img.height() - 1 - (y0 + y)) + size_t(x0) * 4;
        std::memcpy(row, src + size_t(y) * w * 4, size_t(cw) * 4);
        if (!keepAlpha)
            for (int x = 0; x < cw; ++x) row[4 * x + 3] = 255;
    }
    return true;
}
} // namespace

QImage VtkView::renderImage(QSize pixels, bool transparentBackground) {
    if (pixels.isEmpty()) return QImage();
    QImage out;
    lastTiles_ = 0;
    withRenderContext([&] {
        GLint maxRb = 4096, maxVp[2] = {4096, 4096};
        auto* gl = context()->extraFunctions();
        gl->glGetIntegerv(GL_MAX_RENDERBUFFER_SIZE, &maxRb);
        gl->glGetIntegerv(GL_MAX_VIEWPORT_DIMS, maxVp);
        int maxW = std::min<int>(maxRb, maxVp[0]), maxH = std::min<int>(maxRb, maxVp[1]);
        if (maxRenderSize_ > 0) maxW = std::min(maxW, maxRenderSize_), maxH = std::min(maxH, maxRenderSize_);
        const int W = pixels.width(), H = pixels.height();

        const int oldW = rw_->GetSize()[0], oldH = rw_->GetSize()[1];
        const double oldAlpha = ren_->GetBackgroundAlpha();
        ren_->SetBackgroundAlpha(transparentBackground ? 0.0 : 1.0);
        QImage img(W, H, QImage::Format_RGBA8888);
        bool ok = true;
        if (W <= maxW && H <= maxH) {
            rw_->SetSize(W, H);
            imageSizeChanged(true);
            rw_->Render();
            ok = readInto(rw_, W, H, img, 0, 0, transparentBackground);
            lastTiles_ = 1;
        } else {
            ok = renderTiles(img, maxW, maxH, transparentBackground);
        }
        if (ok) out = img;
        ren_->SetBackgroundAlpha(oldAlpha);
        rw_->SetSize(oldW, oldH);
        imageSizeChanged(false);
    });
    update();
    return out;
}

// Beyond the framebuffer limit the image is a grid of tiles of equal size (the last row and column may reach
// past the image; what lies outside is dropped). Each tile is the same camera with a field of view narrowed
// by the tile's share of the image height and its window centre moved onto the tile, so that pixel (x, y) of
// a tile is pixel (x0 + x, y0 + y) of one big render: the projection, depth range, pixels per world unit and
// pixel centres are the same, and only the window's size differs. 2-D actors (a colour bar) are laid out
// relative to the viewport, so they are drawn once, at the largest size of the image's aspect, and scaled
// over the stitched scene.
bool VtkView::renderTiles(QImage& img, int maxW, int maxH, bool transparentBackground) {
    const int W = img.width(), H = img.height();
    const int nx = (W + maxW - 1) / maxW, ny = (H + maxH - 1) / maxH;
    const int tw = (W + nx - 1) / nx, th = (H + ny - 1) / ny;
    vtkCamera* cam = ren_->GetActiveCamera();
    double wc[2];
    cam->GetWindowCenter(wc);
    const double angle = cam->GetViewAngle(), scale = cam->GetParallelScale();
    const bool horizontal = cam->GetUseHorizontalViewAngle();
    // Half the image height as a tangent (perspective) or a length (parallel), and the tile's share of it.
    double halfTan = std::tan(angle * M_PI / 360.0);
    if (horizontal) halfTan *= double(H) / W;
    const double share = double(th) / H;

    // 2-D actors are hidden while the tiles render.
    std::vector<vtkProp*> shown2d;
    vtkActor2DCollection* a2d = ren_->GetActors2D();
    a2d->InitTraversal();
    while (vtkActor2D* a = a2d->GetNextActor2D())
        if (a->GetVisibility()) shown2d.push_back(a), a->VisibilityOff();

    cam->SetUseHorizontalViewAngle(false);
    cam->SetViewAngle(std::atan(halfTan * share) * 360.0 / M_PI);
    cam->SetParallelScale(scale * share);
    rw_->SetSize(tw, th);
    imageSizeChanged(true);
    bool ok = true;
    for (int j = 0; j < ny && ok; ++j)
        for (int i = 0; i < nx && ok; ++i) {
            const int x0 = i * tw, y0 = j * th; // lower-left corner, VTK rows bottom-up
            const double cx = (2.0 * x0 + tw) / W - 1, cy = (2.0 * y0 + th) / H - 1;
            cam->SetWindowCenter((wc[0] + cx) * W / tw, (wc[1] + cy) * H / th);
            rw_->Render();
            ok = readInto(rw_, tw, th, img, x0, y0, transparentBackground);
        }
    lastTiles_ = nx * ny;
    cam->SetWindowCenter(wc[0], wc[1]);
    cam->SetViewAngle(angle);
    cam->SetParallelScale(scale);
    cam->SetUseHorizontalViewAngle(horizontal);

    if (ok && !shown2d.empty()) {
        // The 2-D actors alone, transparent, at the largest size of the image's aspect.
        std::vector<vtkProp*> hidden;
        vtkPropCollection* props = ren_->GetViewProps();
        vtkCollectionSimpleIterator it;
        props->InitTraversal(it);
        while (vtkProp* p = props->GetNextProp(it))
            if (p->GetVisibility()) hidden.push_back(p), p->VisibilityOff();
        for (vtkProp* p : shown2d) p->VisibilityOn();
        const double shrink = std::min(double(maxW) / W, double(maxH) / H);
        const int w = std::max(1, int(W * shrink)), h = std::max(1, int(H * shrink));
        const double oldAlpha = ren_->GetBackgroundAlpha();
        ren_->SetBackgroundAlpha(0.0);
        rw_->SetSize(w, h);
        rw_->Render();
        QImage keys(w, h, QImage::Format_RGBA8888);
        if (readInto(rw_, w, h, keys, 0, 0, true)) {
            QPainter p(&img);
            p.setRenderHint(QPainter::SmoothPixmapTransform);
            p.drawImage(QRect(0, 0, W, H), keys.convertToFormat(QImage::Format_RGBA8888_Premultiplied));
        }
        ren_->SetBackgroundAlpha(oldAlpha);
        for (vtkProp* p : hidden) p->VisibilityOn();
    }
    for (vtkProp* p : shown2d) p->VisibilityOn();
    return ok;
}

QImage VtkView::renderFigure(QSize pixels, bool transparentBackground, double margin) {
    if (pixels.isEmpty()) return QImage();
    vtkCamera* cam = ren_->GetActiveCamera();
    double pos[3], focal[3], up[3];
    cam->GetPosition(pos);
    cam->GetFocalPoint(focal);
    cam->GetViewUp(up);
    const double angle = cam->GetViewAngle(), scale = cam->GetParallelScale();
    const bool parallel = cam->GetParallelProjection();
    const int* sz = rw_->GetSize();
    const double screenAspect = sz[0] > 0 && sz[1] > 0 ? double(sz[0]) / sz[1] : 1.0;
    const double figAspect = double(pixels.width()) / pixels.height();
    const double grow = 1 + std::max(0.0, margin);

    // The corners of what is drawn in the camera's frame: across (u), up (v), as tangents of the angle from
    // the view axis (perspective) or as lengths (parallel).
    double b[6];
    ren_->ComputeVisiblePropBounds(b);
    double dir[3] = {focal[0] - pos[0], focal[1] - pos[1], focal[2] - pos[2]};
    const double dist = std::sqrt(dir[0] * dir[0] + dir[1] * dir[1] + dir[2] * dir[2]);
    double right[3], upv[3];
    bool ok = b[0] <= b[1] && dist > 0;
    if (ok) {
        for (double& d : dir) d /= dist;
        right[0] = dir[1] * up[2] - dir[2] * up[1];
        right[1] = dir[2] * up[0] - dir[0] * up[2];
        right[2] = dir[0] * up[1] - dir[1] * up[0];
        const double rn = std::sqrt(right[0] * right[0] + right[1] * right[1] + right[2] * right[2]);
        ok = rn > 0;
        for (double& r : right) r /= rn > 0 ? rn : 1;
        upv[0] = right[1] * dir[2] - right[2] * dir[1];
        upv[1] = right[2] * dir[0] - right[0] * dir[2];
        upv[2] = right[0] * dir[1] - right[1] * dir[0];
    }
    double u0 = 1e300, u1 = -1e300, v0 = 1e300, v1 = -1e300;
    for (int c = 0; ok && c < 8; ++c) {
        const double p[3] = {b[c & 1] - pos[0], b[2 + ((c >> 1) & 1)] - pos[1],
                             b[4 + ((c >> 2) & 1)] - pos[2]};
        const double z = p[0] * dir[0] + p[1] * dir[1] + p[2] * dir[2];
        if (!parallel && z <= 0) ok = false; // behind the camera: keep the view as it is
        const double k = parallel ? 1.0 : 1.0 / std::max(z, 1e-12);
        const double u = (p[0] * right[0] + p[1] * right[1] + p[2] * right[2]) * k;
        const double v = (p[0] * upv[0] + p[1] * upv[1] + p[2] * upv[2]) * k;
        u0 = std::min(u0, u), u1 = std::max(u1, u), v0 = std::min(v0, v), v1 = std::max(v1, v);
    }
    const double half = parallel ? scale : std::tan(angle * M_PI / 360.0);
    // Everything drawn is on screen: the figure frames it (centred, with the margin) at its own aspect.
    // Otherwise the user cropped it: the figure keeps the view, widened if the figure is narrower.
    const bool allShown =
        ok && v0 >= -half && v1 <= half && u0 >= -half * screenAspect && u1 <= half * screenAspect;
    double newHalf = half * grow * std::max(1.0, screenAspect / figAspect);
    if (allShown) {
        const double uc = 0.5 * (u0 + u1), vc = 0.5 * (v0 + v1);
        const double shift = parallel ? 1.0 : dist;
        double np[3], nf[3];
        for (int i = 0; i < 3; ++i) {
            const double d = (uc * right[i] + vc * upv[i]) * shift;
            np[i] = pos[i] + d;
            nf[i] = focal[i] + d;
        }
        cam->SetPosition(np);
        cam->SetFocalPoint(nf);
        newHalf = grow * std::max(0.5 * (v1 - v0), 0.5 * (u1 - u0) / figAspect);
    }
    if (parallel)
        cam->SetParallelScale(newHalf);
    else
        cam->SetViewAngle(std::clamp(std::atan(newHalf) * 360.0 / M_PI, 1.0, 170.0));
    ren_->ResetCameraClippingRange();
    {
        double fp[3], pp[3];
        cam->GetFocalPoint(fp);
        cam->GetPosition(pp);
        const double d = std::sqrt((fp[0] - pp[0]) * (fp[0] - pp[0]) + (fp[1] - pp[1]) * (fp[1] - pp[1]) +
                                   (fp[2] - pp[2]) * (fp[2] - pp[2]));
        const double halfWorld =
            parallel ? cam->GetParallelScale() : d * std::tan(cam->GetViewAngle() * M_PI / 360.0);
        figureUnitsPerPixel_ = 2 * halfWorld / pixels.height();
        vtkMatrix4x4* m = cam->GetCompositeProjectionTransformMatrix(figAspect, -1, 1);
        std::copy(&m->Element[0][0], &m->Element[0][0] + 16, figureProjection_.begin());
        figurePixels_ = pixels;
    }
    QImage img = renderImage(pixels, transparentBackground);
    cam->SetPosition(pos);
    cam->SetFocalPoint(focal);
    cam->SetViewUp(up);
    cam->SetViewAngle(angle);
    cam->SetParallelScale(scale);
    ren_->ResetCameraClippingRange();
    update();
    return img;
}

std::optional<QPointF> VtkView::figureProject(const double p[3]) const {
    if (figurePixels_.isEmpty()) return std::nullopt;
    const std::array<double, 16>& a = figureProjection_;
    const double w = a[12] * p[0] + a[13] * p[1] + a[14] * p[2] + a[15];
    if (!(w > 0)) return std::nullopt;
    const double nx = (a[0] * p[0] + a[1] * p[1] + a[2] * p[2] + a[3]) / w;
    const double ny = (a[4] * p[0] + a[5] * p[1] + a[6] * p[2] + a[7]) / w;
    return QPointF((nx + 1) * 0.5 * figurePixels_.width(), (1 - ny) * 0.5 * figurePixels_.height());
}

double VtkView::renderSceneMs() {
    QElapsedTimer t;
    t.start();
    rw_->Render();
    rw_->WaitForCompletion();
    return t.nsecsElapsed() / 1e6;
}

void VtkView::resetCamera() {
    ren_->ResetCamera();
    ren_->ResetCameraClippingRange();
    update();
}

void VtkView::requestRender() {
    update();
}

VtkView::CameraState VtkView::camera() const {
    CameraState c;
    vtkCamera* cam = ren_->GetActiveCamera();
    cam->GetPosition(c.pos);
    cam->GetFocalPoint(c.focal);
    cam->GetViewUp(c.up);
    c.viewAngle = cam->GetViewAngle();
    return c;
}

void VtkView::setCamera(const CameraState& c) {
    vtkCamera* cam = ren_->GetActiveCamera();
    cam->SetPosition(c.pos);
    cam->SetFocalPoint(c.focal);
    cam->SetViewUp(c.up);
    cam->SetViewAngle(c.viewAngle);
    cam->OrthogonalizeViewUp();
    ren_->ResetCameraClippingRange();
    update();
}

void VtkView::setWhiteBackground(bool white) {
    if (white == white_) return;
    white_ = white;
    const double* c = white ? kWhite : kDark;
    ren_->SetBackground(c[0], c[1], c[2]);
    backgroundChanged();
    update();
}

void VtkView::backgroundColor(double rgb[3]) const {
    ren_->GetBackground(rgb);
}

void VtkView::setOverlayVisible(bool on) {
    overlay_ = on;
    update();
}

void VtkView::toDisplay(QPointF p, int& x, int& y) const {
    const double dpr = pixelRatio();
    x = int(p.x() * dpr);
    y = std::max(1, int(height() * dpr)) - 1 - int(p.y() * dpr);
}

bool VtkView::event(QEvent* e) {
    if (glInitialized_ && overlay_ && imgui_.handleEvent(e)) return true;
    return QOpenGLWidget::event(e);
}

void VtkView::forwardMouse(QMouseEvent* e, unsigned long vtkEvent) {
    int x = 0, y = 0;
    toDisplay(e->position(), x, y);
    const auto m = e->modifiers();
    iren_->SetEventInformation(x, y, (m & Qt::ControlModifier) ? 1 : 0, (m & Qt::ShiftModifier) ? 1 : 0, 0,
                               e->type() == QEvent::MouseButtonDblClick ? 1 : 0);
    iren_->SetAltKey((m & Qt::AltModifier) ? 1 : 0);
    iren_->InvokeEvent(vtkEvent, e);
}

void VtkView::mousePressEvent(QMouseEvent* e) {
    switch (e->button()) {
    case Qt::LeftButton:
        forwardMouse(e, vtkCommand::LeftButtonPressEvent);
        break;
    case Qt::MiddleButton:
        forwardMouse(e, vtkCommand::MiddleButtonPressEvent);
        break;
    case Qt::RightButton:
        forwardMouse(e, vtkCommand::RightButtonPressEvent);
        break;
    default:
        break;
    }
}

void VtkView::mouseReleaseEvent(QMouseEvent* e) {
    switch (e->button()) {
    case Qt::LeftButton:
        forwardMouse(e, vtkCommand::LeftButtonReleaseEvent);
        break;
    case Qt::MiddleButton:
        forwardMouse(e, vtkCommand::MiddleButtonReleaseEvent);
        break;
    case Qt::RightButton:
        forwardMouse(e, vtkCommand::RightButtonReleaseEvent);
        break;
    default:
        break;
    }
}

void VtkView::mouseMoveEvent(QMouseEvent* e) {
    forwardMouse(e, vtkCommand::MouseMoveEvent);
}

void VtkView::wheelEvent(QWheelEvent* e) {
    int x = 0, y = 0;
    toDisplay(e->position(), x, y);
    const auto m = e->modifiers();
    iren_->SetEventInformation(x, y, (m & Qt::ControlModifier) ? 1 : 0, (m & Qt::ShiftModifier) ? 1 : 0);
    const int d = e->angleDelta().y();
    if (d > 0)
        iren_->InvokeEvent(vtkCommand::MouseWheelForwardEvent, e);
    else if (d < 0)
        iren_->InvokeEvent(vtkCommand::MouseWheelBackwardEvent, e);
    e->accept();
}

void VtkView::keyPressEvent(QKeyEvent* e) {
    if (e->key() == Qt::Key_R && e->modifiers() == Qt::NoModifier) {
        resetCamera();
        return;
    }
    QOpenGLWidget::keyPressEvent(e);
}
