// Level of detail for views of millions of primitives on a software rasterizer.
//
// While the camera moves a view draws a bounded budget of primitives; 150 ms after the last camera change it
// draws everything again. LodController keeps that state (moving / at rest) and says when it changes;
// lodSample() picks which primitives make the budget: the thickest (largest weight) share plus a uniform
// sample of the rest, always including the ones that must stay visible (a picked vessel or neuron).
//
// Use in a view: keep two actors, the full one and a budget one built from lodSample(); connect
// LodController::modeChanged to swap their visibility and repaint; call cameraMoved() from an observer of
// the camera's ModifiedEvent (or from mouse interaction). Nothing is rebuilt when the mode changes, so the
// switch costs one frame.
#pragma once

#include <QObject>
#include <QTimer>
#include <cstddef>
#include <cstdint>
#include <vector>

class LodController : public QObject {
    Q_OBJECT
public:
    explicit LodController(QObject* parent = nullptr);

    // A fixed number of primitives drawn while moving (turns the adaptive budget off).
    void setBudget(size_t n) {
        budget_ = n;
        adaptive_ = false;
    }
    size_t budget() const { return budget_; }
    // Adaptive budget (the default): after every frame the view reports what it drew and how long it took.
    // A frame costs a fixed part (what a moving frame draws besides its budget: nodes, overlay, blit) plus a
    // cost per primitive. Frames at rest (the full picture, many primitives) measure the cost per primitive;
    // moving frames measure the fixed part as what the per-primitive cost does not explain (assumed to be a
    // quarter of `ms` until a moving frame was seen, so that the first moving frame is already in time).
    // The budget becomes what fits in `ms` after the fixed part, within [minimum, maximum] (default 2,000 ..
    // 400,000). The default target, 65 ms, leaves room under 100 ms for the frames that cost more than the
    // model says (views turned to where more edges overlap, a busy machine).
    void setTargetFrameMs(double ms, size_t minimum = 2000, size_t maximum = 400000);
    bool adaptive() const { return adaptive_; }
    void frameDrawn(size_t primitives, double ms);
    // Cost per primitive in ms measured so far (0 before the first report).
    double msPerPrimitive() const { return msPerPrimitive_; }
    // A frame of the moving budget drawn while at rest (a view preparing its budget): measures the fixed part
    // like a moving frame, so that the first moving frame already knows it.
    void budgetFrameDrawn(size_t primitives, double ms);
    // Fixed cost of a moving frame in ms (-1 before a moving frame was measured).
    double fixedMs() const { return fixedMs_; }
    // Delay after the last camera change before the full picture is drawn (default 150 ms).
    void setRestDelayMs(int ms) { timer_.setInterval(ms); }
    int restDelayMs() const { return timer_.interval(); }
    // Off: always at rest (full picture), e.g. for figure export.
    void setEnabled(bool on);
    bool enabled() const { return enabled_; }

    bool moving() const { return moving_; }
    // The camera changed: enter the moving state (if enabled) and restart the rest timer.
    void cameraMoved();
    // Back to rest now (stops the timer).
    void settle();

signals:
    // Emitted on every change of state; the view swaps what it draws and repaints.
    void modeChanged(bool moving);

private:
    QTimer timer_;
    size_t budget_ = 100000;
    bool adaptive_ = true;
    double targetMs_ = 65, msPerPrimitive_ = 0, fixedMs_ = -1;
    bool restMeasured_ = false;
    void updateBudget();
    size_t minBudget_ = 2000, maxBudget_ = 400000;
    bool moving_ = false;
    bool enabled_ = true;
};

// Indices (into `weight`) of at most `budget` items among `candidates` (all items when empty): the
// round(thickShare * budget) with the largest weight, then a uniform stride sample of the others. Every item
// of `always` that is a candidate is included first. The result is sorted. When the candidates fit, all are
// returned.
std::vector<uint32_t> lodSample(const std::vector<float>& weight, const std::vector<uint32_t>& candidates,
                                size_t budget, double thickShare = 0.5,
                                const std::vector<uint32_t>& always = {});
