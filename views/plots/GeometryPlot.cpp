#include "plots/GeometryPlot.h"

#include <QFontMetricsF>
#include <QMouseEvent>
#include <QOpenGLShaderProgram>
#include <QPainter>
#include <algorithm>
#include <cmath>
#include <imgui.h>
#include <limits>

namespace {

constexpr double kTitleH = 22, kLeft = 52, kRight = 14, kBottom = 42;
constexpr double kValueRight = 104; // right of a trajectory with point values: their colour bar and legend
constexpr double kPi = 3.14159265358979323846;
constexpr int kMaxRdm = 4096; // larger matrices are refused (16.7 M cells)

} // namespace

GeometryPlot::GeometryPlot(QWidget* parent) : PlotWidget(parent) {
    heat_.setColorMap(&PlotWidget::viridis);
}

GeometryPlot::~GeometryPlot() {
    teardownGL();
}

// ---------------------------------------------------------------------------------------------------------
// Data

void GeometryPlot::setPanels(int flags) {
    flags &= AllPanels;
    panels_ = flags ? flags : int(AllPanels);
    update();
}

void GeometryPlot::setTrajectory(const std::vector<std::array<float, 3>>& pts,
                                 const std::vector<int>& condition, int dims) {
    pts_ = pts;
    cond_ = condition;
    cond_.resize(pts_.size(), cond_.empty() ? 0 : cond_.back());
    dims_ = dims == 3 ? 3 : 2;
    conditions_ = cond_;
    std::sort(conditions_.begin(), conditions_.end());
    conditions_.erase(std::unique(conditions_.begin(), conditions_.end()), conditions_.end());

    // Age within each condition: the newest point of a condition is opaque, its oldest faint.
    alpha_.assign(pts_.size(), 1.0);
    std::vector<size_t> seen(conditions_.size(), 0), total(conditions_.size(), 0);
    auto slot = [&](int c) {
        return size_t(std::lower_bound(conditions_.begin(), conditions_.end(), c) - conditions_.begin());
    };
    for (int c : cond_) ++total[slot(c)];
    for (size_t i = 0; i < pts_.size(); ++i) {
        const size_t s = slot(cond_[i]);
        const size_t k = seen[s]++;
        alpha_[i] = total[s] > 1 ? 0.15 + 0.85 * double(k) / double(total[s] - 1) : 1.0;
    }

    // Ranges: per axis for 2-D; a centred ball for 3-D so rotation never rescales.
    xMin_ = yMin_ = std::numeric_limits<double>::infinity();
    xMax_ = yMax_ = -std::numeric_limits<double>::infinity();
    center_ = {0, 0, 0};
    size_t finite = 0;
    for (const auto& p : pts_) {
        if (!std::isfinite(p[0]) || !std::isfinite(p[1]) || !std::isfinite(p[2])) continue;
        xMin_ = std::min<double>(xMin_, p[0]);
        xMax_ = std::max<double>(xMax_, p[0]);
        yMin_ = std::min<double>(yMin_, p[1]);
        yMax_ = std::max<double>(yMax_, p[1]);
        for (int k = 0; k < 3; ++k) center_[size_t(k)] += p[size_t(k)];
        ++finite;
    }
    if (finite == 0) {
        xMin_ = yMin_ = -1;
        xMax_ = yMax_ = 1;
    } else {
        for (double& c : center_) c /= double(finite);
    }
    auto pad = [](double& lo, double& hi) {
        const double d = hi - lo;
        if (d <= 0) {
            lo -= 0.5;
            hi += 0.5;
        } else {
            lo -= 0.05 * d;
            hi += 0.05 * d;
        }
    };
    pad(xMin_, xMax_);
    pad(yMin_, yMax_);
    radius_ = 0;
    for (const auto& p : pts_) {
        if (!std::isfinite(p[0]) || !std::isfinite(p[1]) || !std::isfinite(p[2])) continue;
        const double dx = p[0] - center_[0], dy = p[1] - center_[1], dz = dims_ == 3 ? p[2] - center_[2] : 0;
        radius_ = std::max(radius_, std::sqrt(dx * dx + dy * dy + dz * dz));
    }
    radius_ = radius_ > 0 ? radius_ * 1.05 : 1.0;
    update();
}

void GeometryPlot::setConditionNames(const QStringList& names) {
    condNames_ = names;
    update();
}

void GeometryPlot::setPointValues(const std::vector<double>& values, const QString& title) {
    values_ = values;
    valueTitle_ = title;
    valueMin_ = std::numeric_limits<double>::infinity();
    valueMax_ = -std::numeric_limits<double>::infinity();
    for (double v : values_)
        if (std::isfinite(v)) valueMin_ = std::min(valueMin_, v), valueMax_ = std::max(valueMax_, v);
    if (!(valueMax_ >= valueMin_)) valueMin_ = 0, valueMax_ = 1;
    update();
}

void GeometryPlot::setAxisTitles(const QString& x, const QString& y) {
    xTitle_ = x;
    yTitle_ = y;
    update();
}

QColor GeometryPlot::pointColor(size_t i) const {
    if (values_.empty()) return conditionColor(i < cond_.size() ? cond_[i] : 0);
    if (i >= values_.size() || !std::isfinite(values_[i])) return QColor(150, 150, 150);
    const double span = valueMax_ - valueMin_;
    return viridis(span > 0 ? (values_[i] - valueMin_) / span : 0.5);
}

void GeometryPlot::setRotation(double yawDeg, double pitchDeg) {
    yaw_ = std::fmod(yawDeg, 360.0);
    pitch_ = std::clamp(pitchDeg, -89.0, 89.0);
    update();
}

void GeometryPlot::setRdm(const std::vector<double>& matrix, int n, const QStringList& labels,
                          QString metricName) {
    if (n < 0 || n > kMaxRdm || matrix.size() < size_t(n) * size_t(n)) {
        qWarning("GeometryPlot::setRdm: %d x %d matrix needs %lld values, got %zu (n must be 0..%d)", n, n,
                 (long long)n * n, matrix.size(), kMaxRdm);
        return;
    }
    rdmN_ = n;
    rdm_.assign(matrix.begin(), matrix.begin() + ptrdiff_t(n) * n);
    rdmLabels_ = labels;
    metric_ = std::move(metricName);
    rdmMin_ = std::numeric_limits<double>::infinity();
    rdmMax_ = -std::numeric_limits<double>::infinity();
    for (size_t i = 0; i < size_t(n) * size_t(n); ++i)
        if (std::isfinite(matrix[i])) {
            rdmMin_ = std::min(rdmMin_, matrix[i]);
            rdmMax_ = std::max(rdmMax_, matrix[i]);
        } else {
            rdm_[i] = std::numeric_limits<float>::quiet_NaN();
        }
    if (!(rdmMax_ >= rdmMin_)) rdmMin_ = rdmMax_ = 0;
    heat_.setValues(n, n, rdm_);
    update();
}

void GeometryPlot::appendStability(double t, double value, double ciLow, double ciHigh) {
    if (!std::isfinite(t) || !std::isfinite(value)) return;
    if (!std::isfinite(ciLow)) ciLow = value;
    if (!std::isfinite(ciHigh)) ciHigh = value;
    stab_.push_back({t, value, std::min(ciLow, ciHigh), std::max(ciLow, ciHigh)});
    update();
}

void GeometryPlot::clearStability() {
    stab_.clear();
    update();
}

// ---------------------------------------------------------------------------------------------------------
// Geometry

GeometryPlot::Layout GeometryPlot::layout(const QSizeF& logical) const {
    Layout l;
    const int k =
        ((panels_ & Trajectory) ? 1 : 0) + ((panels_ & Rdm) ? 1 : 0) + ((panels_ & Stability) ? 1 : 0);
    // Side by side in a wide plot; in a tall one (a dock at the window's side) trajectory and RDM share the
    // top row and the stability series runs along the bottom.
    const bool twoRows = k == 3 && logical.height() > 0.6 * logical.width();
    const double rowH = twoRows ? 0.62 * logical.height() : logical.height();
    const double pw = logical.width() / std::max(1, twoRows ? 2 : k);
    double x = 0;
    int placed = 0;
    auto next = [&] {
        if (twoRows && placed == 2) {
            ++placed;
            return QRectF(0, rowH, logical.width(), logical.height() - rowH);
        }
        const QRectF r(x, 0, pw, rowH);
        x += pw;
        ++placed;
        return r;
    };
    auto inner = [](const QRectF& panel, double left, double right) {
        QRectF r = panel.adjusted(left, kTitleH + 6, -right, -kBottom);
        if (r.width() < 10) r.setWidth(10);
        if (r.height() < 10) r.setHeight(10);
        return r;
    };
    if (panels_ & Trajectory) {
        l.trajPanel = next();
        // With point values the right column holds their colour bar with its labels and title and the
        // condition legend: as wide as its longest text, at most 45 % of the panel.
        double right = kRight;
        if (!values_.empty()) {
            const QFontMetricsF fm(labelFont());
            double w = fm.horizontalAdvance(valueTitle_) + 8;
            for (int c = 0; c < condNames_.size(); ++c)
                w = std::max(w, fm.horizontalAdvance(condNames_[c]) + 32);
            for (double v : {valueMin_, valueMax_})
                w = std::max(w, 36 + fm.horizontalAdvance(QString::number(v, 'g', 4)));
            right = std::clamp(w, kValueRight, std::max(kValueRight, 0.45 * l.trajPanel.width()));
        }
        l.traj = inner(l.trajPanel, kLeft, right);
        if (!values_.empty())
            l.valueBar = QRectF(l.traj.right() + 10, l.traj.top() + 2, 10,
                                std::max(30.0, std::min(l.traj.height() * 0.5, 160.0)));
    }
    if (panels_ & Rdm) {
        l.rdmPanel = next();
        const bool labels = !rdmLabels_.isEmpty() && rdmN_ <= 40;
        const QRectF area = inner(l.rdmPanel, labels ? 64 : 16, 78);
        const double side = std::max(10.0, std::min(area.width(), area.height()));
        l.rdm = QRectF(area.left(), area.top(), side, side);
        l.bar = QRectF(l.rdm.right() + 14, l.rdm.top(), 12, side);
    }
    if (panels_ & Stability) {
        l.stabPanel = next();
        l.stab = inner(l.stabPanel, kLeft, kRight);
    }
    return l;
}

QRectF GeometryPlot::trajectoryRect() const {
    return layout(QSizeF(size())).traj;
}
QRectF GeometryPlot::rdmRect() const {
    return layout(QSizeF(size())).rdm;
}
QRectF GeometryPlot::colorBarRect() const {
    return layout(QSizeF(size())).bar;
}
QRectF GeometryPlot::stabilityRect() const {
    return layout(QSizeF(size())).stab;
}

QRectF GeometryPlot::rdmCellRect(int row, int col) const {
    const QRectF r = rdmRect();
    if (rdmN_ <= 0 || r.isEmpty() || row < 0 || col < 0 || row >= rdmN_ || col >= rdmN_) return QRectF();
    const double c = r.width() / rdmN_;
    return QRectF(r.left() + col * c, r.top() + row * c, c, c);
}

QPoint GeometryPlot::rdmCellAt(QPointF pos) const {
    const QRectF r = rdmRect();
    if (rdmN_ <= 0 || !r.contains(pos)) return QPoint(-1, -1);
    const double c = r.width() / rdmN_;
    return QPoint(std::min(rdmN_ - 1, int((pos.x() - r.left()) / c)),
                  std::min(rdmN_ - 1, int((pos.y() - r.top()) / c)));
}

QPointF GeometryPlot::project(size_t i) const {
    const auto& p = pts_[i];
    if (dims_ == 2)
        return QPointF((p[0] - xMin_) / (xMax_ - xMin_) * 2 - 1, (p[1] - yMin_) / (yMax_ - yMin_) * 2 - 1);
    const double dx = p[0] - center_[0], dy = p[1] - center_[1], dz = p[2] - center_[2];
    const double ya = yaw_ * kPi / 180, pa = pitch_ * kPi / 180;
    const double x1 = std::cos(ya) * dx + std::sin(ya) * dz;
    const double z1 = -std::sin(ya) * dx + std::cos(ya) * dz;
    const double y2 = std::cos(pa) * dy - std::sin(pa) * z1;
    return QPointF(x1 / radius_, y2 / radius_);
}

QPointF GeometryPlot::toArea(const QRectF& area, QPointF clip) {
    return QPointF(area.left() + (clip.x() + 1) * 0.5 * area.width(),
                   area.bottom() - (clip.y() + 1) * 0.5 * area.height());
}

double GeometryPlot::pointAlpha(size_t i) const {
    return i < alpha_.size() ? alpha_[i] : 1.0;
}

QPointF GeometryPlot::trajectoryPoint(size_t i) const {
    const QRectF area = trajectoryRect();
    if (i >= pts_.size() || area.isEmpty()) return QPointF();
    QPointF c = project(i);
    if (dims_ == 3) {
        const double s = std::min(area.width(), area.height());
        c = QPointF(c.x() * s / area.width(), c.y() * s / area.height());
    }
    return toArea(area, c);
}

void GeometryPlot::stabilityRange(double& x0, double& x1, double& y0, double& y1) const {
    x0 = y0 = std::numeric_limits<double>::infinity();
    x1 = y1 = -std::numeric_limits<double>::infinity();
    for (const auto& s : stab_) {
        x0 = std::min(x0, s.t);
        x1 = std::max(x1, s.t);
        y0 = std::min(y0, s.lo);
        y1 = std::max(y1, s.hi);
    }
    if (stab_.empty()) x0 = y0 = 0, x1 = y1 = 1;
    if (x1 <= x0) x0 -= 0.5, x1 += 0.5;
    if (y1 <= y0) y0 -= 0.5, y1 += 0.5;
    const double px = 0.03 * (x1 - x0), py = 0.08 * (y1 - y0);
    x0 -= px;
    x1 += px;
    y0 -= py;
    y1 += py;
}

QPointF GeometryPlot::stabilityPoint(size_t i) const {
    const QRectF a = stabilityRect();
    if (i >= stab_.size() || a.isEmpty()) return QPointF();
    double x0, x1, y0, y1;
    stabilityRange(x0, x1, y0, y1);
    return QPointF(a.left() + (stab_[i].t - x0) / (x1 - x0) * a.width(),
                   a.bottom() - (stab_[i].v - y0) / (y1 - y0) * a.height());
}

// ---------------------------------------------------------------------------------------------------------
// GL

void GeometryPlot::initPlotGL() {
    colorProg_ = loadProgram(QStringLiteral("color"));
    heat_.initGL(this, loadProgram(QStringLiteral("heatmap")));
    makeVertexArray(vao_, vbo_, {2, 4});
    glBindVertexArray(0);
    glBindBuffer(GL_ARRAY_BUFFER, 0);
}

void GeometryPlot::releasePlotGL() {
    glDeleteVertexArrays(1, &vao_);
    glDeleteBuffers(1, &vbo_);
    vao_ = vbo_ = 0;
    colorProg_.reset();
    heat_.releaseGL();
}

void GeometryPlot::syncGpu() {
    heat_.syncGL();
}

void GeometryPlot::drawGL(const QSizeF& logical, double scale) {
    if (!colorProg_ || !heat_.ready()) return;
    const Layout l = layout(logical);
    glEnable(GL_BLEND);
    glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
    glEnable(GL_PROGRAM_POINT_SIZE);
    glDisable(GL_DEPTH_TEST);

    std::vector<float> v;
    auto vertex = [&](QPointF clip, const QColor& c, double a) {
        v.insert(v.end(),
                 {float(clip.x()), float(clip.y()), c.redF(), c.greenF(), c.blueF(), float(c.alphaF() * a)});
    };
    auto draw = [&](GLenum mode, float pointPx, bool round) {
        if (v.empty()) return;
        colorProg_->bind();
        colorProg_->setUniformValue("uScale", QVector2D(1, 1));
        colorProg_->setUniformValue("uOffset", QVector2D(0, 0));
        colorProg_->setUniformValue("uPointSize", float(pointPx * scale));
        colorProg_->setUniformValue("uRoundPoints", round ? 1 : 0);
        glBindVertexArray(vao_);
        glBindBuffer(GL_ARRAY_BUFFER, vbo_);
        glBufferData(GL_ARRAY_BUFFER, GLsizeiptr(v.size() * sizeof(float)), v.data(), GL_STREAM_DRAW);
        glDrawArrays(mode, 0, GLsizei(v.size() / 6));
        v.clear();
    };

    if (!l.traj.isEmpty() && !pts_.empty()) {
        setViewport(l.traj);
        const double s = std::min(l.traj.width(), l.traj.height());
        const QPointF aspect = dims_ == 3 ? QPointF(s / l.traj.width(), s / l.traj.height()) : QPointF(1, 1);
        std::vector<QPointF> c(pts_.size());
        for (size_t i = 0; i < pts_.size(); ++i) {
            const QPointF p = project(i);
            c[i] = QPointF(p.x() * aspect.x(), p.y() * aspect.y());
        }
        for (size_t i = 0; i + 1 < pts_.size(); ++i) {
            if (cond_[i] != cond_[i + 1]) continue;
            const QColor col = conditionColor(cond_[i]);
            vertex(c[i], col, pointAlpha(i));
            vertex(c[i + 1], col, pointAlpha(i + 1));
        }
        draw(GL_LINES, 1, false);
        for (size_t i = 0; i < pts_.size(); ++i)
            vertex(c[i], pointColor(i), values_.empty() ? pointAlpha(i) : 1.0);
        draw(GL_POINTS, 5, true);
    }

    if (!l.rdm.isEmpty() && rdmN_ > 0) {
        heat_.bind(rdmMin_, rdmMax_);
        setViewport(l.rdm);
        heat_.drawCells();
        setViewport(l.bar);
        heat_.drawBar();
        heat_.unbind();
    }

    if (!l.stab.isEmpty() && !stab_.empty()) {
        setViewport(l.stab);
        double x0, x1, y0, y1;
        stabilityRange(x0, x1, y0, y1);
        auto clip = [&](double t, double y) {
            return QPointF((t - x0) / (x1 - x0) * 2 - 1, (y - y0) / (y1 - y0) * 2 - 1);
        };
        const QColor band = style().band;
        for (const auto& s : stab_) {
            vertex(clip(s.t, s.lo), band, 1);
            vertex(clip(s.t, s.hi), band, 1);
        }
        draw(GL_TRIANGLE_STRIP, 1, false);
        const QColor line = categorical(0);
        for (const auto& s : stab_) vertex(clip(s.t, s.v), line, 1);
        draw(GL_LINE_STRIP, 1, false);
        for (const auto& s : stab_) vertex(clip(s.t, s.v), line, 1);
        draw(GL_POINTS, 4, true);
    }
    glBindVertexArray(0);
    glBindBuffer(GL_ARRAY_BUFFER, 0);
    glDisable(GL_SCISSOR_TEST);
}

// ---------------------------------------------------------------------------------------------------------
// Axes, legends, vector export

void GeometryPlot::drawAnnotations(QPainter& p, const QSizeF& logical) {
    const Layout l = layout(logical);
    const Style& st = style();
    p.save();
    p.setFont(labelFont());
    const QPen axisPen(st.axis, 1.0);
    const double tick = 4;
    auto title = [&](const QRectF& panel, const QString& s) {
        // In a figure the titles are in the figure's one font size (bold), as every other label.
        QFont f = inFigure() ? labelFont() : labelFont(12);
        f.setBold(true);
        p.setFont(f);
        drawText(p, QRectF(panel.left() + 8, panel.top() + 4, panel.width() - 16, kTitleH),
                 Qt::AlignLeft | Qt::AlignVCenter, s);
        p.setFont(labelFont());
    };
    auto vTitle = [&](double x, const QRectF& area, const QString& s) {
        p.save();
        p.translate(x, area.center().y());
        p.rotate(-90);
        drawText(p, QRectF(-area.height() / 2, -8, area.height(), 16), Qt::AlignCenter, s);
        p.restore();
    };
    auto axes = [&](const QRectF& a, double x0, double x1, double y0, double y1, const QString& xt,
                    const QString& yt, bool ticks) {
        p.setPen(axisPen);
        p.drawLine(a.bottomLeft(), a.topLeft());
        p.drawLine(a.bottomLeft(), a.bottomRight());
        if (ticks) {
            // At least two ticks where a few more (a finer step) give them.
            int nx = std::max(2, int(a.width() / 70));
            auto xs = niceTicks(x0, x1, nx);
            while (xs.size() < 2 && nx < 8) xs = niceTicks(x0, x1, ++nx);
            const double xStep = xs.size() > 1 ? xs[1] - xs[0] : x1 - x0;
            for (double x : xs) {
                const double px = a.left() + (x - x0) / (x1 - x0) * a.width();
                p.setPen(axisPen);
                p.drawLine(QPointF(px, a.bottom()), QPointF(px, a.bottom() + tick));
                drawText(p, QRectF(px - 35, a.bottom() + tick + 1, 70, 14), Qt::AlignHCenter | Qt::AlignTop,
                         tickLabel(x, xStep));
            }
            const auto ys = niceTicks(y0, y1, std::max(2, int(a.height() / 35)));
            const double yStep = ys.size() > 1 ? ys[1] - ys[0] : y1 - y0;
            for (double y : ys) {
                const double py = a.bottom() - (y - y0) / (y1 - y0) * a.height();
                p.setPen(axisPen);
                p.drawLine(QPointF(a.left() - tick, py), QPointF(a.left(), py));
                drawText(p, QRectF(a.left() - 50, py - 7, 50 - tick - 2, 14),
                         Qt::AlignRight | Qt::AlignVCenter, tickLabel(y, yStep));
            }
        }
        if (!xt.isEmpty())
            drawText(p, QRectF(a.left(), a.bottom() + 20, a.width(), 16), Qt::AlignHCenter | Qt::AlignTop,
                     xt);
        if (!yt.isEmpty()) vTitle(a.left() - 40, a, yt);
    };
    auto empty = [&](const QRectF& a, const QString& s) {
        // Inside the panel's axes: wrapped onto two lines when one does not fit its width.
        p.setPen(st.muted);
        p.drawText(a.adjusted(2, 0, -2, 0), Qt::AlignCenter | Qt::TextWordWrap, s);
    };

    if (!l.traj.isEmpty()) {
        title(l.trajPanel,
              dims_ == 3 ? QStringLiteral("trajectory (PC1–PC3)") : QStringLiteral("trajectory (PC1–PC2)"));
        const bool flat = dims_ == 2 || (yaw_ == 0 && pitch_ == 0);
        const QString xt = xTitle_.isEmpty() ? QStringLiteral("PC1") : xTitle_;
        const QString yt = yTitle_.isEmpty() ? QStringLiteral("PC2") : yTitle_;
        axes(l.traj, xMin_, xMax_, yMin_, yMax_, flat ? xt : QString(), flat ? yt : QString(), dims_ == 2);
        if (dims_ == 3) {
            // Orientation triad: where the PC axes point under the current rotation.
            const QPointF o(l.traj.left() + 30, l.traj.bottom() - 30);
            const double ya = yaw_ * kPi / 180, pa = pitch_ * kPi / 180;
            const double axesDir[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
            std::vector<QRectF> placed;
            for (int k = 0; k < 3; ++k) {
                const double dx = axesDir[k][0], dy = axesDir[k][1], dz = axesDir[k][2];
                const double x1 = std::cos(ya) * dx + std::sin(ya) * dz;
                const double z1 = -std::sin(ya) * dx + std::cos(ya) * dz;
                const double y2 = std::cos(pa) * dy - std::sin(pa) * z1;
                const QPointF dir(x1, -y2);
                const QPointF e = o + dir * 20;
                p.setPen(QPen(st.muted, 1.2));
                p.drawLine(o, e);
                // The label sits beyond the arrow's tip; an axis pointing at the viewer (no length on screen)
                // gets its label below-left of the origin. Labels never overlap: a colliding one moves down.
                const double len = std::hypot(dir.x(), dir.y());
                const QString text = QStringLiteral("PC%1").arg(k + 1);
                const double tw = p.fontMetrics().horizontalAdvance(text) + 4;
                QPointF c = len > 0.3 ? o + dir / len * (20 + tw * 0.6) : o + QPointF(-tw * 0.7, 12);
                QRectF r(c.x() - tw / 2, c.y() - 8, tw, 16);
                for (int guard = 0; guard < 4; ++guard) {
                    bool hit = false;
                    for (const QRectF& q : placed) hit = hit || q.intersects(r);
                    if (!hit) break;
                    r.translate(0, 15);
                }
                placed.push_back(r);
                drawText(p, r, Qt::AlignCenter, text);
            }
        }
        if (pts_.empty()) empty(l.traj, QStringLiteral("no trajectory"));
        // Legend: inside the area's top right, or, with point values, under their colour bar (a line per
        // condition, as the lines carry the condition colours there).
        const bool outside = !l.valueBar.isEmpty();
        double y = outside ? l.valueBar.bottom() + 30 : l.traj.top() + 4;
        for (int c : conditions_) {
            const QString name = c < 0                   ? QStringLiteral("between trials")
                                 : c < condNames_.size() ? condNames_[c]
                                                         : QStringLiteral("condition %1").arg(c);
            const double w = p.fontMetrics().horizontalAdvance(name) + 18;
            const QRectF row(outside ? l.traj.right() + 8 : l.traj.right() - w - 4, y, w, 14);
            if (outside) {
                p.setPen(QPen(conditionColor(c), 1.5));
                p.drawLine(QPointF(row.left(), row.center().y()), QPointF(row.left() + 10, row.center().y()));
            } else {
                p.setPen(Qt::NoPen);
                p.setBrush(conditionColor(c));
                p.drawEllipse(QRectF(row.left(), row.top() + 3, 8, 8));
            }
            drawText(p, row.adjusted(14, 0, 0, 0), Qt::AlignLeft | Qt::AlignVCenter, name);
            y += 15;
            if (y > (outside ? l.trajPanel.bottom() - 14 : l.traj.bottom() - 14)) break;
        }
        // Colour bar of the point values: viridis from low (bottom) to high, ticks at nice values, the title
        // with its unit along its right side.
        if (outside) {
            const QRectF& b = l.valueBar;
            const int steps = 64;
            p.setPen(Qt::NoPen);
            for (int k = 0; k < steps; ++k) {
                const double y0 = b.bottom() - b.height() * (k + 1) / steps;
                p.setBrush(viridis((k + 0.5) / steps));
                p.drawRect(QRectF(b.left(), y0, b.width(), b.height() / steps + 0.3));
            }
            p.setPen(axisPen);
            p.setBrush(Qt::NoBrush);
            p.drawRect(b);
            const double span = valueMax_ - valueMin_;
            std::vector<double> vt = span > 0 ? niceTicks(valueMin_, valueMax_, 3) : std::vector<double>{};
            // The range's ends are always labelled: the low and high value of the data.
            std::vector<double> labels{valueMin_, valueMax_};
            for (double v : vt)
                if (span > 0 && std::abs(v - valueMin_) > 0.2 * span && std::abs(v - valueMax_) > 0.2 * span)
                    labels.push_back(v);
            const double step = vt.size() > 1 ? vt[1] - vt[0] : (span > 0 ? span : 1);
            for (size_t k = 0; k < labels.size(); ++k) {
                const double v = labels[k];
                const double yy =
                    span > 0 ? b.bottom() - (v - valueMin_) / span * b.height() : b.center().y();
                p.setPen(axisPen);
                p.drawLine(QPointF(b.right(), yy), QPointF(b.right() + tick, yy));
                // The ends as the data's values (4 significant digits), the ticks between as ticks.
                drawText(p, QRectF(b.right() + tick + 2, yy - 7, 80, 14), Qt::AlignLeft | Qt::AlignVCenter,
                         k < 2 ? QString::number(v, 'g', 4) : tickLabel(v, step));
            }
            drawText(p, QRectF(b.left() - 10, b.bottom() + 4, l.trajPanel.right() - b.left() + 8, 16),
                     Qt::AlignLeft | Qt::AlignTop, valueTitle_);
        }
    }

    if (!l.rdm.isEmpty()) {
        title(l.rdmPanel,
              metric_.isEmpty() ? QStringLiteral("RDM") : QStringLiteral("RDM (%1)").arg(metric_));
        if (rdmN_ <= 0) {
            empty(l.rdm, QStringLiteral("no RDM"));
        } else {
            p.setPen(axisPen);
            p.setBrush(Qt::NoBrush);
            p.drawRect(l.bar);
            const double cell = l.rdm.width() / rdmN_;
            if (!rdmLabels_.isEmpty() && rdmN_ <= 40 && cell >= 8) {
                p.setFont(labelFont(std::min(11.0, cell * 0.9)));
                for (int i = 0; i < rdmN_ && i < rdmLabels_.size(); ++i) {
                    const double c = l.rdm.top() + (i + 0.5) * cell;
                    drawText(p, QRectF(l.rdm.left() - 62, c - 7, 58, 14), Qt::AlignRight | Qt::AlignVCenter,
                             rdmLabels_[i]);
                    p.save();
                    p.translate(l.rdm.left() + (i + 0.5) * cell, l.rdm.bottom() + 4);
                    p.rotate(-90);
                    drawText(p, QRectF(-40, -7, 40, 14), Qt::AlignRight | Qt::AlignVCenter, rdmLabels_[i]);
                    p.restore();
                }
                p.setFont(labelFont());
            }
            // Colour bar ticks: min, middle, max.
            const double span = rdmMax_ - rdmMin_;
            const double step = span > 0 ? span / 2 : 1;
            for (int k = 0; k <= 2; ++k) {
                const double v = rdmMin_ + k * span / 2;
                const double y = l.bar.bottom() - k * 0.5 * l.bar.height();
                p.setPen(axisPen);
                p.drawLine(QPointF(l.bar.right(), y), QPointF(l.bar.right() + tick, y));
                drawText(p, QRectF(l.bar.right() + tick + 2, y - 7, 48, 14), Qt::AlignLeft | Qt::AlignVCenter,
                         tickLabel(v, step / 50));
            }
        }
    }

    if (!l.stab.isEmpty()) {
        title(l.stabPanel, QStringLiteral("stability"));
        double x0, x1, y0, y1;
        stabilityRange(x0, x1, y0, y1);
        axes(l.stab, x0, x1, y0, y1, QStringLiteral("time (s)"), QStringLiteral("Shesha"), true);
        if (stab_.empty()) empty(l.stab, QStringLiteral("no stability values"));
    }
    p.restore();
}

void GeometryPlot::drawVectorData(QPainter& p, const QSizeF& logical) {
    const Layout l = layout(logical);
    p.save();
    if (!l.traj.isEmpty() && !pts_.empty()) {
        const double s = std::min(l.traj.width(), l.traj.height());
        std::vector<QPointF> c(pts_.size());
        for (size_t i = 0; i < pts_.size(); ++i) {
            QPointF q = project(i);
            if (dims_ == 3) q = QPointF(q.x() * s / l.traj.width(), q.y() * s / l.traj.height());
            c[i] = toArea(l.traj, q);
        }
        for (size_t i = 0; i + 1 < pts_.size(); ++i) {
            if (cond_[i] != cond_[i + 1]) continue;
            QColor col = conditionColor(cond_[i]);
            col.setAlphaF(float(pointAlpha(i + 1)));
            p.setPen(QPen(col, 1.0));
            p.drawLine(c[i], c[i + 1]);
        }
        p.setPen(Qt::NoPen);
        for (size_t i = 0; i < pts_.size(); ++i) {
            if (!l.traj.contains(c[i])) continue;
            QColor col = pointColor(i);
            if (values_.empty()) col.setAlphaF(float(pointAlpha(i)));
            p.setBrush(col);
            p.drawEllipse(c[i], 2.5, 2.5);
        }
    }
    if (!l.rdm.isEmpty() && rdmN_ > 0) {
        auto colorOf = [&](float v) { return heat_.colorFor(v, rdmMin_, rdmMax_); };
        if (rdmN_ <= 64) {
            const double cell = l.rdm.width() / rdmN_;
            p.setPen(Qt::NoPen);
            for (int i = 0; i < rdmN_; ++i)
                for (int j = 0; j < rdmN_; ++j) {
                    p.setBrush(colorOf(rdm_[size_t(i) * size_t(rdmN_) + size_t(j)]));
                    p.drawRect(QRectF(l.rdm.left() + j * cell, l.rdm.top() + i * cell, cell, cell));
                }
        } else {
            heat_.paintCells(p, l.rdm, rdmMin_, rdmMax_);
        }
        heat_.paintBar(p, l.bar);
    }
    if (!l.stab.isEmpty() && !stab_.empty()) {
        double x0, x1, y0, y1;
        stabilityRange(x0, x1, y0, y1);
        auto at = [&](double t, double y) {
            return QPointF(l.stab.left() + (t - x0) / (x1 - x0) * l.stab.width(),
                           l.stab.bottom() - (y - y0) / (y1 - y0) * l.stab.height());
        };
        QPolygonF band, line;
        for (const auto& s : stab_) band << at(s.t, s.lo);
        for (auto it = stab_.rbegin(); it != stab_.rend(); ++it) band << at(it->t, it->hi);
        for (const auto& s : stab_) line << at(s.t, s.v);
        p.setPen(Qt::NoPen);
        p.setBrush(style().band);
        p.drawPolygon(band);
        p.setPen(QPen(categorical(0), 1.2));
        p.setBrush(Qt::NoBrush);
        p.drawPolyline(line);
        p.setPen(Qt::NoPen);
        p.setBrush(categorical(0));
        for (const QPointF& q : line) p.drawEllipse(q, 2, 2);
    }
    p.restore();
}

void GeometryPlot::drawReadouts() {
    if (hoverCell_.x() < 0 || rdmN_ <= 0) return;
    const int i = hoverCell_.y(), j = hoverCell_.x();
    auto name = [&](int k) { return k < rdmLabels_.size() ? rdmLabels_[k] : QString::number(k); };
    const QString s = QStringLiteral("%1 vs %2: %3")
                          .arg(name(i), name(j))
                          .arg(double(rdm_[size_t(i) * size_t(rdmN_) + size_t(j)]), 0, 'g', 4);
    ImGui::BeginTooltip();
    ImGui::TextUnformatted(s.toUtf8().constData());
    ImGui::EndTooltip();
}

// ---------------------------------------------------------------------------------------------------------
// Input

void GeometryPlot::mousePressEvent(QMouseEvent* e) {
    if (e->button() == Qt::LeftButton && dims_ == 3 && trajectoryRect().contains(e->position())) {
        rotating_ = true;
        lastPos_ = e->position();
    }
}

void GeometryPlot::mouseMoveEvent(QMouseEvent* e) {
    if (rotating_) {
        const QPointF d = e->position() - lastPos_;
        lastPos_ = e->position();
        setRotation(yaw_ + d.x() * 0.5, pitch_ + d.y() * 0.5);
        return;
    }
    const QPoint c = rdmCellAt(e->position());
    if (c != hoverCell_) {
        hoverCell_ = c;
        update();
    }
}

void GeometryPlot::mouseReleaseEvent(QMouseEvent*) {
    rotating_ = false;
}

void GeometryPlot::mouseDoubleClickEvent(QMouseEvent* e) {
    if (trajectoryRect().contains(e->position())) setRotation(0, 0);
}

void GeometryPlot::leaveEvent(QEvent* e) {
    hoverCell_ = QPoint(-1, -1);
    update();
    PlotWidget::leaveEvent(e);
}
