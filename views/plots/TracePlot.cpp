#include "plots/TracePlot.h"

#include <QMouseEvent>
#include <QOpenGLShaderProgram>
#include <QPainter>
#include <QPainterPath>
#include <QVector2D>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>
#include <imgui.h>
#include <limits>
#include <numeric>

#include "traces/TraceAnalysis.h"

namespace {

constexpr double kLeft = 64, kRight = 82, kTop = 10, kBottom = 36, kGap = 10, kBarW = 12, kLaneH = 38;
constexpr int kMaxBins = 4096;

} // namespace

TracePlot::TracePlot(QWidget* parent) : PlotWidget(parent), timer_(new QTimer(this)) {
    heat_.setColorMap(&colormaps::diverging);
    heat_.setNanColor(nanColor());
    timer_->setInterval(16);
    connect(timer_, &QTimer::timeout, this, [this] {
        if (!traces_ || traces_->time.empty()) return stop();
        const double t = playFrom_ + speed_ * double(clock_.nsecsElapsed()) * 1e-9;
        setCursorTime(t);
        if (t >= traces_->time.back()) stop();
    });
}

void TracePlot::play(double speed) {
    if (!traces_ || traces_->time.empty() || !(speed > 0)) return;
    speed_ = speed;
    if (cursor_ >= traces_->time.back()) setCursorTime(traces_->time.front());
    playFrom_ = cursor_;
    clock_.start();
    const bool was = timer_->isActive();
    timer_->start();
    if (!was) emit playingChanged(true);
}

void TracePlot::stop() {
    if (!timer_->isActive()) return;
    timer_->stop();
    emit playingChanged(false);
}

bool TracePlot::playing() const {
    return timer_->isActive();
}

TracePlot::~TracePlot() {
    teardownGL();
}

QColor TracePlot::diverging(double x) {
    return colormaps::diverging(x);
}

QColor TracePlot::colorForValue(double v) const {
    return heat_.colorFor(v, -limit_, limit_);
}

std::vector<QColor> TracePlot::colorsFor(const std::vector<float>& values, QColor missing) const {
    std::vector<QColor> c;
    c.reserve(values.size());
    for (float v : values) c.push_back(std::isnan(v) ? missing : colorForValue(v));
    return c;
}

// ---- data -----------------------------------------------------------------------------------------------
void TracePlot::setTraces(std::shared_ptr<const nr::Traces> traces) {
    traces_ = std::move(traces);
    selected_.clear();
    communities_.clear();
    given_.clear();
    if (!userLimit_) {
        std::vector<float> a;
        if (traces_)
            for (float v : traces_->values)
                if (std::isfinite(v)) a.push_back(std::fabs(v));
        double lim = 1;
        if (!a.empty()) {
            const size_t k = std::min(a.size() - 1, size_t(0.99 * double(a.size())));
            std::nth_element(a.begin(), a.begin() + long(k), a.end());
            lim = a[k];
        }
        limit_ = std::max(lim, 1e-6);
    }
    valueLabel_ = traces_ ? QString::fromStdString(nr::valueLabel(*traces_)) : QString();
    dt_ = traces_ && traces_->medianStep() > 0 ? traces_->medianStep() : 1.0;
    resetTimeRange();
    cursor_ = traces_ && !traces_->time.empty() ? traces_->time.front() : 0;
    rebuildRows();
}

double TracePlot::spanEnd() const {
    if (!traces_ || traces_->time.empty()) return 1;
    return traces_->time.back() + dt_;
}

void TracePlot::resetTimeRange() {
    t0_ = traces_ && !traces_->time.empty() ? traces_->time.front() : 0;
    t1_ = spanEnd();
    update();
}

void TracePlot::setTimeRange(double t0, double t1) {
    if (!(t1 > t0)) return;
    const double lo = traces_ && !traces_->time.empty() ? traces_->time.front() : 0, hi = spanEnd();
    t0_ = std::max(lo, t0);
    t1_ = std::min(hi, t1);
    if (!(t1_ > t0_)) resetTimeRange();
    update();
}

void TracePlot::setColorLimit(double limit) {
    if (!(limit > 0)) return;
    limit_ = limit;
    userLimit_ = true;
    update();
}

void TracePlot::setRowOrder(RowOrder order) {
    order_ = order;
    rebuildRows();
}

void TracePlot::setGivenOrder(const std::vector<int>& neurons) {
    given_ = neurons;
    rebuildRows();
}

void TracePlot::setCommunities(const std::vector<int>& labels) {
    communities_ = labels;
    rebuildRows();
}

void TracePlot::rebuildRows() {
    rows_.clear();
    const size_t n = traces_ ? traces_->neurons() : 0;
    std::vector<int> byName(n);
    std::iota(byName.begin(), byName.end(), 0);
    if (traces_)
        std::stable_sort(byName.begin(), byName.end(),
                         [&](int a, int b) { return traces_->names[size_t(a)] < traces_->names[size_t(b)]; });
    switch (order_) {
    case RowOrder::Name:
        rows_ = byName;
        break;
    case RowOrder::Given: {
        std::vector<char> used(n, 0);
        for (int i : given_)
            if (i >= 0 && size_t(i) < n && !used[size_t(i)]) {
                rows_.push_back(i);
                used[size_t(i)] = 1;
            }
        if (given_.empty()) { // file order
            for (size_t i = 0; i < n; ++i) rows_.push_back(int(i));
        } else {
            for (int i : byName)
                if (!used[size_t(i)]) rows_.push_back(i);
        }
        break;
    }
    case RowOrder::Correlation:
        if (!traces_) break;
        // The matrix and the clustering's distances: beyond the memory budget, the file order is kept.
        if (nr::checkCorrelationBudget(*traces_, nr::correlationBytes(*traces_, nr::CorrMethod::Pearson, 1),
                                       "correlation order")) {
            for (size_t i = 0; i < n; ++i) rows_.push_back(int(i));
            break;
        }
        rows_ = nr::correlationOrder(nr::correlationMatrix(*traces_));
        break;
    case RowOrder::Community: {
        rows_ = byName;
        auto label = [&](int i) {
            const int l = size_t(i) < communities_.size() ? communities_[size_t(i)] : -1;
            return l < 0 ? std::numeric_limits<int>::max() : l;
        };
        std::stable_sort(rows_.begin(), rows_.end(), [&](int a, int b) { return label(a) < label(b); });
        break;
    }
    }
    rebuildImage();
    emit rowsChanged();
}

void TracePlot::rebuildImage() {
    std::vector<float> tex;
    int texW = 0, texH = 0;
    if (traces_ && traces_->timepoints() > 0 && !rows_.empty()) {
        const size_t T = traces_->timepoints();
        texW = int(std::min<size_t>(T, kMaxBins));
        texH = int(rows_.size());
        tex.assign(size_t(texW) * size_t(texH), std::numeric_limits<float>::quiet_NaN());
        for (int r = 0; r < texH; ++r) {
            const float* v = traces_->row(size_t(rows_[size_t(r)]));
            for (int b = 0; b < texW; ++b) {
                const size_t k0 = size_t(b) * T / size_t(texW),
                             k1 = std::max(k0 + 1, size_t(b + 1) * T / size_t(texW));
                double s = 0;
                int c = 0;
                for (size_t k = k0; k < k1; ++k)
                    if (!std::isnan(v[k])) s += v[k], ++c;
                if (c) tex[size_t(r) * size_t(texW) + size_t(b)] = float(s / c);
            }
        }
    }
    heat_.setValues(texW, texH, std::move(tex));
    update();
}

void TracePlot::setCursorTime(double t) {
    if (!traces_ || traces_->time.empty()) return;
    t = std::clamp(t, traces_->time.front(), traces_->time.back());
    if (t == cursor_) return;
    cursor_ = t;
    emit cursorMoved(cursor_, qulonglong(cursorFrame()));
    update();
}

size_t TracePlot::cursorFrame() const {
    return traces_ ? traces_->frameAt(cursor_) : 0;
}

void TracePlot::setSelectedNeurons(const std::vector<int>& neurons) {
    std::vector<int> s;
    for (int i : neurons)
        if (traces_ && i >= 0 && size_t(i) < traces_->neurons() &&
            std::find(s.begin(), s.end(), i) == s.end())
            s.push_back(i);
    if (s == selected_) return;
    selected_ = s;
    emit selectionChanged(QVector<int>(selected_.begin(), selected_.end()));
    update();
}

// ---- geometry -------------------------------------------------------------------------------------------
TracePlot::Layout TracePlot::layout(const QSizeF& logical) const {
    Layout l;
    const QRectF all(kLeft, kTop, std::max(10.0, logical.width() - kLeft - kRight),
                     std::max(10.0, logical.height() - kTop - kBottom));
    const size_t nl = lanes().size();
    double linesH = nl ? std::min(all.height() * 0.45, double(nl) * kLaneH) : 0;
    l.heat = QRectF(all.left(), all.top(), all.width(), all.height() - (nl ? linesH + kGap : 0));
    if (nl) l.lines = QRectF(all.left(), l.heat.bottom() + kGap, all.width(), linesH);
    l.bar = QRectF(l.heat.right() + 10, l.heat.top(), kBarW, l.heat.height());
    return l;
}

QRectF TracePlot::heatmapRect() const {
    return layout(QSizeF(size())).heat;
}
QRectF TracePlot::linesRect() const {
    return layout(QSizeF(size())).lines;
}
QRectF TracePlot::colorBarRect() const {
    return layout(QSizeF(size())).bar;
}

int TracePlot::rowAt(QPointF pos) const {
    const QRectF h = heatmapRect();
    if (rows_.empty() || !h.contains(pos)) return -1;
    return std::min(int(rows_.size()) - 1, int((pos.y() - h.top()) / h.height() * double(rows_.size())));
}

double TracePlot::timeAt(double x) const {
    const QRectF h = heatmapRect();
    return t0_ + (x - h.left()) / h.width() * (t1_ - t0_);
}

double TracePlot::xOfTime(double t) const {
    const QRectF h = heatmapRect();
    return h.left() + (t - t0_) / (t1_ - t0_) * h.width();
}

QRectF TracePlot::cellRect(int row, size_t frame) const {
    const QRectF h = heatmapRect();
    if (!traces_ || rows_.empty() || frame >= traces_->timepoints()) return {};
    const double rh = h.height() / double(rows_.size());
    const double x0 = xOfTime(traces_->time[frame]);
    const double x1 =
        frame + 1 < traces_->timepoints() ? xOfTime(traces_->time[frame + 1]) : xOfTime(spanEnd());
    return QRectF(x0, h.top() + row * rh, x1 - x0, rh);
}

std::vector<TracePlot::Lane> TracePlot::lanes() const {
    std::vector<Lane> out;
    if (!traces_) return out;
    const size_t T = traces_->timepoints();
    auto range = [&](const float* v, Lane& l) {
        double lo = std::numeric_limits<double>::infinity(), hi = -lo;
        for (size_t k = 0; k < T; ++k)
            if (std::isfinite(v[k])) lo = std::min(lo, double(v[k])), hi = std::max(hi, double(v[k]));
        if (!(hi > lo)) {
            lo = std::isfinite(lo) ? lo - 1 : -1;
            hi = lo + 2;
        }
        l.lo = lo;
        l.hi = hi;
    };
    for (size_t k = 0; k < selected_.size(); ++k) {
        Lane l;
        l.name = QString::fromStdString(traces_->names[size_t(selected_[k])]);
        l.v = traces_->row(size_t(selected_[k]));
        l.color = categorical(int(k));
        range(l.v, l);
        out.push_back(l);
    }
    if (!selected_.empty())
        for (const auto& b : traces_->behaviour) {
            if (b.values.size() != T) continue;
            Lane l;
            l.name = QString::fromStdString(b.name);
            l.v = b.values.data();
            l.color = style().muted;
            range(l.v, l);
            out.push_back(l);
        }
    return out;
}

std::vector<std::vector<QPointF>> TracePlot::lanePieces(const Lane& l, double widthPx) const {
    std::vector<std::vector<QPointF>> pieces;
    if (!traces_ || traces_->time.empty()) return pieces;
    const auto& tm = traces_->time;
    const size_t a = traces_->frameAt(t0_);
    const size_t b =
        std::min(tm.size(), size_t(std::upper_bound(tm.begin(), tm.end(), t1_) - tm.begin()) + 1);
    const double span = t1_ - t0_, range = l.hi - l.lo;
    auto pt = [&](double t, double v) { return QPointF((t - t0_) / span, (v - l.lo) / range); };
    std::vector<QPointF> cur;
    const double perPx = double(b - a) / std::max(1.0, widthPx);
    if (perPx <= 2) {
        for (size_t k = a; k < b; ++k) {
            if (std::isnan(l.v[k])) {
                if (cur.size() > 1) pieces.push_back(cur);
                cur.clear();
                continue;
            }
            cur.push_back(pt(tm[k], l.v[k]));
        }
    } else { // min and max of each pixel column
        const int cols = int(std::max(1.0, widthPx));
        for (int c = 0; c < cols; ++c) {
            const size_t k0 = a + size_t(double(c) * perPx),
                         k1 = std::min(b, a + size_t(double(c + 1) * perPx));
            double lo = std::numeric_limits<double>::infinity(), hi = -lo;
            for (size_t k = k0; k < k1; ++k)
                if (!std::isnan(l.v[k])) lo = std::min(lo, double(l.v[k])), hi = std::max(hi, double(l.v[k]));
            if (!std::isfinite(lo)) {
                if (cur.size() > 1) pieces.push_back(cur);
                cur.clear();
                continue;
            }
            cur.push_back(pt(tm[k0], lo));
            cur.push_back(pt(tm[k0], hi));
        }
    }
    if (cur.size() > 1) pieces.push_back(cur);
    return pieces;
}

// ---- GL -------------------------------------------------------------------------------------------------
void TracePlot::initPlotGL() {
    colorProg_ = loadProgram(QStringLiteral("color"));
    heat_.initGL(this, loadProgram(QStringLiteral("heatmap")));
    makeVertexArray(vao_, vbo_, {2, 4});
    glBindVertexArray(0);
    glBindBuffer(GL_ARRAY_BUFFER, 0);
}

void TracePlot::releasePlotGL() {
    glDeleteVertexArrays(1, &vao_);
    glDeleteBuffers(1, &vbo_);
    vao_ = vbo_ = 0;
    colorProg_.reset();
    heat_.releaseGL();
}

void TracePlot::syncGpu() {
    heat_.syncGL();
}

void TracePlot::drawGL(const QSizeF& logical, double scale) {
    if (!colorProg_ || !heat_.ready() || !traces_ || rows_.empty()) return;
    const Layout l = layout(logical);
    glDisable(GL_DEPTH_TEST);
    glEnable(GL_BLEND);
    glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
    // Heatmap (visible time range as a texture sub-range) and colour bar.
    const double s0 = traces_->time.front(), s1 = spanEnd();
    heat_.bind(-limit_, limit_);
    setViewport(l.heat);
    heat_.drawCells(float((t0_ - s0) / (s1 - s0)), float((t1_ - s0) / (s1 - s0)));
    setViewport(l.bar);
    heat_.drawBar();
    heat_.unbind();
    // Lanes.
    const auto ls = lanes();
    if (!l.lines.isEmpty() && !ls.empty()) {
        setViewport(l.lines);
        colorProg_->bind();
        colorProg_->setUniformValue("uScale", QVector2D(1, 1));
        colorProg_->setUniformValue("uOffset", QVector2D(0, 0));
        colorProg_->setUniformValue("uPointSize", float(scale));
        colorProg_->setUniformValue("uRoundPoints", 0);
        glBindVertexArray(vao_);
        glBindBuffer(GL_ARRAY_BUFFER, vbo_);
        const double laneH = 2.0 / double(ls.size());
        std::vector<float> v;
        for (size_t i = 0; i < ls.size(); ++i) {
            const double top = 1.0 - double(i) * laneH;
            for (const auto& piece : lanePieces(ls[i], l.lines.width() * scale)) {
                v.clear();
                for (const QPointF& p : piece)
                    v.insert(v.end(), {float(p.x() * 2 - 1), float(top - laneH * (0.92 - 0.84 * p.y())),
                                       ls[i].color.redF(), ls[i].color.greenF(), ls[i].color.blueF(), 1.f});
                glBufferData(GL_ARRAY_BUFFER, GLsizeiptr(v.size() * sizeof(float)), v.data(), GL_STREAM_DRAW);
                glDrawArrays(GL_LINE_STRIP, 0, GLsizei(v.size() / 6));
            }
        }
    }
    glBindVertexArray(0);
    glBindBuffer(GL_ARRAY_BUFFER, 0);
    glDisable(GL_SCISSOR_TEST);
}

// ---- annotations and vector export ----------------------------------------------------------------------
void TracePlot::drawVectorData(QPainter& p, const QSizeF& logical) {
    if (!traces_ || rows_.empty()) return;
    const Layout l = layout(logical);
    p.save();
    const double s0 = traces_->time.front(), s1 = spanEnd();
    heat_.paintCells(p, l.heat, -limit_, limit_, (t0_ - s0) / (s1 - s0), (t1_ - s0) / (s1 - s0));
    heat_.paintBar(p, l.bar);
    const auto ls = lanes();
    if (!l.lines.isEmpty() && !ls.empty()) {
        const double laneH = l.lines.height() / double(ls.size());
        for (size_t i = 0; i < ls.size(); ++i) {
            const double top = l.lines.top() + double(i) * laneH;
            p.setPen(QPen(ls[i].color, 1.0));
            for (const auto& piece : lanePieces(ls[i], l.lines.width())) {
                QPainterPath path;
                for (size_t k = 0; k < piece.size(); ++k) {
                    const QPointF q(l.lines.left() + piece[k].x() * l.lines.width(),
                                    top + laneH * (0.92 - 0.84 * piece[k].y()));
                    if (k == 0)
                        path.moveTo(q);
                    else
                        path.lineTo(q);
                }
                p.drawPath(path);
            }
        }
    }
    p.restore();
}

void TracePlot::drawAnnotations(QPainter& p, const QSizeF& logical) {
    const Layout l = layout(logical);
    const Style& st = style();
    p.save();
    p.setFont(labelFont());
    if (!traces_ || rows_.empty()) {
        drawText(p, QRectF(QPointF(0, 0), logical), Qt::AlignCenter, QStringLiteral("no traces"));
        p.restore();
        return;
    }
    p.setPen(QPen(st.axis, 1.0));
    p.setBrush(Qt::NoBrush);
    p.drawRect(l.heat);
    // Row names (every k-th when rows are thin).
    const double rh = l.heat.height() / double(rows_.size());
    p.setFont(rowLabelFont(rh));
    const int every = rowLabelEvery(rh);
    for (size_t r = 0; r < rows_.size(); r += size_t(every)) {
        const bool sel = std::find(selected_.begin(), selected_.end(), rows_[r]) != selected_.end();
        const QRectF box(0, l.heat.top() + double(r) * rh + rh / 2 - 6, kLeft - 4, 12);
        if (sel) p.fillRect(box, st.selection);
        drawText(p, box, Qt::AlignRight | Qt::AlignVCenter,
                 QString::fromStdString(traces_->names[size_t(rows_[r])]));
    }
    // Selected rows outlined in the heatmap.
    for (size_t r = 0; r < rows_.size(); ++r)
        if (std::find(selected_.begin(), selected_.end(), rows_[r]) != selected_.end()) {
            p.setPen(QPen(st.axis, 1.0));
            p.drawRect(QRectF(l.heat.left(), l.heat.top() + double(r) * rh, l.heat.width(), rh));
        }
    p.setFont(labelFont());
    // Time axis under the lowest panel.
    const QRectF low = l.lines.isEmpty() ? l.heat : l.lines;
    const auto ticks = niceTicks(t0_, t1_, std::max(2, int(low.width() / 80)));
    const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : 1;
    p.setPen(QPen(st.axis, 1.0));
    p.drawLine(low.bottomLeft(), low.bottomRight());
    for (double t : ticks) {
        const double x = low.left() + (t - t0_) / (t1_ - t0_) * low.width();
        if (x < low.left() - 0.5 || x > low.right() + 0.5) continue;
        p.drawLine(QPointF(x, low.bottom()), QPointF(x, low.bottom() + 4));
        drawText(p, QRectF(x - 40, low.bottom() + 5, 80, 14), Qt::AlignHCenter | Qt::AlignTop,
                 tickLabel(t, step));
    }
    drawText(p, QRectF(low.left(), low.bottom() + 19, low.width(), 14), Qt::AlignHCenter | Qt::AlignTop,
             traces_->inFrames() ? QStringLiteral("frame") : QStringLiteral("time (s)"));
    // Colour bar with its ticks and what the values are.
    HeatmapPainter::drawBarAxis(p, l.bar, -limit_, limit_, {-limit_, 0.0, limit_}, valueLabel_,
                                {st.axis, st.text, labelFont(), kRight - kBarW - 30});
    // Lane labels and frames.
    const auto ls = lanes();
    if (!l.lines.isEmpty() && !ls.empty()) {
        const double laneH = l.lines.height() / double(ls.size());
        for (size_t i = 0; i < ls.size(); ++i) {
            const QRectF lane(l.lines.left(), l.lines.top() + double(i) * laneH, l.lines.width(), laneH);
            p.setPen(QPen(st.muted, 0.5));
            p.drawLine(lane.bottomLeft(), lane.bottomRight());
            p.setPen(ls[i].color);
            p.drawText(QRectF(0, lane.top(), kLeft - 4, lane.height()), Qt::AlignRight | Qt::AlignVCenter,
                       ls[i].name);
        }
    }
    // Cursor.
    if (cursor_ >= t0_ && cursor_ <= t1_) {
        const double x = l.heat.left() + (cursor_ - t0_) / (t1_ - t0_) * l.heat.width();
        QColor c = st.axis;
        p.setPen(QPen(c, 1.5));
        p.drawLine(QPointF(x, l.heat.top()), QPointF(x, low.bottom()));
    }
    p.restore();
}

// ---- interaction ----------------------------------------------------------------------------------------
void TracePlot::mousePressEvent(QMouseEvent* e) {
    if (e->button() != Qt::LeftButton || !traces_) return PlotWidget::mousePressEvent(e);
    const QPointF pos = e->position();
    const QRectF h = heatmapRect(), li = linesRect();
    if (h.contains(pos)) {
        const int r = rowAt(pos);
        if (r >= 0) {
            const int neuron = rows_[size_t(r)];
            std::vector<int> s = selected_;
            auto it = std::find(s.begin(), s.end(), neuron);
            if (e->modifiers() & Qt::ControlModifier) {
                if (it == s.end())
                    s.push_back(neuron);
                else
                    s.erase(it);
            } else {
                s = {neuron};
            }
            setSelectedNeurons(s);
        }
    }
    if (h.contains(pos) || li.contains(pos)) {
        dragging_ = true;
        setCursorTime(timeAt(pos.x()));
    }
}

void TracePlot::mouseMoveEvent(QMouseEvent* e) {
    hover_ = e->position();
    if (dragging_)
        setCursorTime(timeAt(e->position().x()));
    else
        update();
    PlotWidget::mouseMoveEvent(e);
}

void TracePlot::mouseReleaseEvent(QMouseEvent* e) {
    dragging_ = false;
    PlotWidget::mouseReleaseEvent(e);
}

void TracePlot::wheelEvent(QWheelEvent* e) {
    if (!traces_) return;
    const double f = e->angleDelta().y() > 0 ? 0.8 : 1.25;
    const double at = timeAt(e->position().x());
    setTimeRange(at - (at - t0_) * f, at + (t1_ - at) * f);
    e->accept();
}

void TracePlot::drawReadouts() {
    // Hover: neuron, time and value under the mouse in the heatmap.
    if (!traces_ || hover_.x() < 0) return;
    const int r = rowAt(hover_);
    if (r < 0) return;
    const double t = timeAt(hover_.x());
    const size_t k = traces_->frameAt(t);
    const size_t i = size_t(rows_[size_t(r)]);
    if (traces_->inFrames())
        ImGui::SetTooltip("%s  frame %zu  value = %.3g", traces_->names[i].c_str(), k,
                          double(traces_->at(i, k)));
    else
        ImGui::SetTooltip("%s  t = %.2f s  value = %.3g", traces_->names[i].c_str(), traces_->time[k],
                          double(traces_->at(i, k)));
}

void TracePlot::leaveEvent(QEvent* e) {
    hover_ = QPointF(-1, -1);
    update();
    PlotWidget::leaveEvent(e);
}
