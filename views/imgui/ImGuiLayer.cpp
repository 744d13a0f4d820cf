#include "imgui/ImGuiLayer.h"

#include <QGuiApplication>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QOpenGLContext>
#include <QOpenGLFunctions>
#include <QOpenGLWidget>
#include <QWheelEvent>

#include <backends/imgui_impl_opengl3.h>
#include <cmath>
#include <imgui.h>
#include <imgui_internal.h>

namespace {

// ImGui key slots are the ImGuiKey_ values themselves (io.KeyMap[k] = k); -1 for keys ImGui does not use.
int imguiKey(int qtKey) {
    switch (qtKey) {
    case Qt::Key_Tab:
        return ImGuiKey_Tab;
    case Qt::Key_Left:
        return ImGuiKey_LeftArrow;
    case Qt::Key_Right:
        return ImGuiKey_RightArrow;
    case Qt::Key_Up:
        return ImGuiKey_UpArrow;
    case Qt::Key_Down:
        return ImGuiKey_DownArrow;
    case Qt::Key_PageUp:
        return ImGuiKey_PageUp;
    case Qt::Key_PageDown:
        return ImGuiKey_PageDown;
    case Qt::Key_Home:
        return ImGuiKey_Home;
    case Qt::Key_End:
        return ImGuiKey_End;
    case Qt::Key_Insert:
        return ImGuiKey_Insert;
    case Qt::Key_Delete:
        return ImGuiKey_Delete;
    case Qt::Key_Backspace:
        return ImGuiKey_Backspace;
    case Qt::Key_Space:
        return ImGuiKey_Space;
    case Qt::Key_Return:
        return ImGuiKey_Enter;
    case Qt::Key_Escape:
        return ImGuiKey_Escape;
    case Qt::Key_Enter:
        return ImGuiKey_KeyPadEnter;
    case Qt::Key_A:
        return ImGuiKey_A;
    case Qt::Key_C:
        return ImGuiKey_C;
    case Qt::Key_V:
        return ImGuiKey_V;
    case Qt::Key_X:
        return ImGuiKey_X;
    case Qt::Key_Y:
        return ImGuiKey_Y;
    case Qt::Key_Z:
        return ImGuiKey_Z;
    default:
        return -1;
    }
}

int imguiButton(Qt::MouseButton b) {
    switch (b) {
    case Qt::LeftButton:
        return 0;
    case Qt::RightButton:
        return 1;
    case Qt::MiddleButton:
        return 2;
    default:
        return -1;
    }
}

void setModifiers(ImGuiIO& io, Qt::KeyboardModifiers m) {
    io.KeyCtrl = m & Qt::ControlModifier;
    io.KeyShift = m & Qt::ShiftModifier;
    io.KeyAlt = m & Qt::AltModifier;
    io.KeySuper = m & Qt::MetaModifier;
}

} // namespace

ImGuiLayer::ImGuiLayer(QOpenGLWidget* w) : w_(w) {
    ImGuiContext* previous = ImGui::GetCurrentContext();
    ctx_ = ImGui::CreateContext();
    ImGui::SetCurrentContext(ctx_);
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr; // overlays are placed by code, nothing to remember between runs
    io.LogFilename = nullptr;
    for (int k = 0; k < ImGuiKey_COUNT; ++k) io.KeyMap[k] = k;
    ImGui::StyleColorsDark();
    ImGuiStyle& style = ImGui::GetStyle();
    style.WindowRounding = 4.f;
    style.WindowBorderSize = 0.f;
    io.DisplaySize = ImVec2(float(std::max(1, w->width())), float(std::max(1, w->height())));
    clock_.start();
    ImGui::SetCurrentContext(previous ? previous : ctx_);
}

ImGuiLayer::~ImGuiLayer() {
    if (glReady_ && w_->context()) {
        w_->makeCurrent();
        releaseGL();
        w_->doneCurrent();
    }
    if (ImGui::GetCurrentContext() == ctx_) ImGui::SetCurrentContext(nullptr);
    ImGui::DestroyContext(ctx_);
}

void ImGuiLayer::makeCurrentContext() const {
    ImGui::SetCurrentContext(ctx_);
}

void ImGuiLayer::initializeGL() {
    makeCurrentContext();
    if (glReady_) releaseGL();
    // "#version 150" matches the OpenGL 3.2 core profile the views request.
    const QSurfaceFormat f = QOpenGLContext::currentContext()->format();
    const bool core32 = f.majorVersion() > 3 || (f.majorVersion() == 3 && f.minorVersion() >= 2);
    glReady_ = ImGui_ImplOpenGL3_Init(core32 ? "#version 150" : "#version 130");
    frames_ = 0;
}

void ImGuiLayer::releaseGL() {
    if (!glReady_) return;
    makeCurrentContext();
    ImGui_ImplOpenGL3_Shutdown();
    glReady_ = false;
}

bool ImGuiLayer::handleEvent(QEvent* e) {
    makeCurrentContext();
    ImGuiIO& io = ImGui::GetIO();
    switch (e->type()) {
    case QEvent::MouseMove:
    case QEvent::MouseButtonPress:
    case QEvent::MouseButtonRelease:
    case QEvent::MouseButtonDblClick: {
        auto* me = static_cast<QMouseEvent*>(e);
        io.MousePos = ImVec2(float(me->position().x()), float(me->position().y()));
        setModifiers(io, me->modifiers());
        const int b = imguiButton(me->button());
        if (b >= 0 && e->type() != QEvent::MouseMove)
            io.MouseDown[b] = e->type() != QEvent::MouseButtonRelease;
        const bool want = io.WantCaptureMouse;
        // Released buttons must reach the scene too, or a drag started there would never end.
        if (want) w_->update();
        return want && e->type() != QEvent::MouseButtonRelease;
    }
    case QEvent::Wheel: {
        auto* we = static_cast<QWheelEvent*>(e);
        io.MousePos = ImVec2(float(we->position().x()), float(we->position().y()));
        io.MouseWheel += we->angleDelta().y() / 120.f;
        io.MouseWheelH += we->angleDelta().x() / 120.f;
        if (io.WantCaptureMouse) w_->update();
        return io.WantCaptureMouse;
    }
    case QEvent::Leave:
        io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
        return false;
    case QEvent::KeyPress:
    case QEvent::KeyRelease: {
        auto* ke = static_cast<QKeyEvent*>(e);
        setModifiers(io, ke->modifiers());
        const int k = imguiKey(ke->key());
        if (k >= 0) io.KeysDown[k] = e->type() == QEvent::KeyPress;
        if (e->type() == QEvent::KeyPress && io.WantTextInput && !ke->text().isEmpty())
            io.AddInputCharactersUTF8(ke->text().toUtf8().constData());
        if (io.WantCaptureKeyboard) w_->update();
        return io.WantCaptureKeyboard;
    }
    case QEvent::FocusOut:
        for (bool& d : io.KeysDown) d = false;
        for (bool& d : io.MouseDown) d = false;
        return false;
    default:
        return false;
    }
}

void ImGuiLayer::render(const std::function<void()>& drawUi) {
    if (!glReady_) return;
    makeCurrentContext();
    ImGuiIO& io = ImGui::GetIO();
    const qreal dpr = w_->devicePixelRatioF();
    io.DisplaySize = ImVec2(float(std::max(1, w_->width())), float(std::max(1, w_->height())));
    io.DisplayFramebufferScale = ImVec2(float(dpr), float(dpr));
    const double dt = clock_.nsecsElapsed() / 1e9;
    clock_.restart();
    io.DeltaTime = float(std::max(dt, 1e-4));

    ImGui_ImplOpenGL3_NewFrame();
    ImGui::NewFrame();
    if (drawUi) drawUi();
    ImGui::Render();
    QOpenGLFunctions* gl = QOpenGLContext::currentContext()->functions();
    gl->glBindFramebuffer(GL_FRAMEBUFFER, w_->defaultFramebufferObject());
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    // Auto-sized windows are measured in their first frame and drawn from the second: ask for it. The same
    // after their content changed (a longer title, more legend rows): this frame drew them at the old size,
    // clipped. A few frames in a row at most, should a window never reach its size.
    settled_ = true;
    for (ImGuiWindow* win : ctx_->Windows) {
        if (!win->Active || !(win->Flags & ImGuiWindowFlags_AlwaysAutoResize)) continue;
        const ImVec2 fit = ImGui::CalcWindowNextAutoFitSize(win);
        if (std::fabs(fit.x - win->SizeFull.x) > 0.5f || std::fabs(fit.y - win->SizeFull.y) > 0.5f)
            settled_ = false;
    }
    unsettledFrames_ = settled_ ? 0 : unsettledFrames_ + 1;
    if (unsettledFrames_ > 3) settled_ = true;
    if (++frames_ <= 2 || !settled_) w_->update();
}

bool ImGuiLayer::wantsMouse() const {
    makeCurrentContext();
    return ImGui::GetIO().WantCaptureMouse;
}

bool ImGuiLayer::wantsKeyboard() const {
    makeCurrentContext();
    return ImGui::GetIO().WantCaptureKeyboard;
}
