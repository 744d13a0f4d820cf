// ImGuiLayer: a Dear ImGui overlay drawn on top of any QOpenGLWidget.
//
// Each layer owns its own ImGui context, so several widgets can carry overlays at once. The widget forwards
// its GL lifecycle and input events:
//   initializeGL() -> layer.initializeGL()   (context current)
//   event(e)       -> if (layer.handleEvent(e)) return true;
//   paintGL()      -> draw the scene, then layer.render([&] { ImGui::Text(...); });
#pragma once

#include <QElapsedTimer>
#include <functional>

class QEvent;
class QOpenGLWidget;
struct ImGuiContext;

class ImGuiLayer {
public:
    explicit ImGuiLayer(QOpenGLWidget* w);
    ~ImGuiLayer();
    ImGuiLayer(const ImGuiLayer&) = delete;
    ImGuiLayer& operator=(const ImGuiLayer&) = delete;

    // Creates the GL objects (shaders, font texture). Call with the widget's context current. Calling it
    // again after the context was recreated releases the old objects first.
    void initializeGL();
    // Releases the GL objects; call with the context current (e.g. on QOpenGLContext::aboutToBeDestroyed).
    void releaseGL();
    bool isInitialized() const { return glReady_; }

    // Feeds mouse, wheel and key events to ImGui. Returns true when ImGui wants the event (the pointer is
    // over an ImGui window or a text field has focus); the widget should then not act on it.
    bool handleEvent(QEvent* e);

    // Starts a frame, runs drawUi (which issues ImGui:: calls) and draws the result into the widget's
    // default framebuffer. Call from paintGL after the scene.
    void render(const std::function<void()>& drawUi);

    bool wantsMouse() const;
    bool wantsKeyboard() const;
    // Frames rendered since initializeGL.
    long frameCount() const { return frames_; }
    // The last frame drew every auto-sized window at the size of its content (false after the content of
    // one changed: the next frame, already requested, draws it whole).
    bool settled() const { return settled_ && frames_ > 2; }
    ImGuiContext* context() const { return ctx_; }

private:
    void makeCurrentContext() const;

    QOpenGLWidget* w_;
    ImGuiContext* ctx_ = nullptr;
    bool glReady_ = false;
    long frames_ = 0;
    bool settled_ = false;
    int unsettledFrames_ = 0;
    QElapsedTimer clock_;
};
