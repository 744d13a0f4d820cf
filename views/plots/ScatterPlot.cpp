#include "plots/ScatterPlot.h"

#include <QFontMetricsF>
#include <QMouseEvent>
#include <QOpenGLShaderProgram>
#include <QPainter>
#include <QVector2D>
#include <algorithm>
#include <cmath>
#include <imgui.h>
#include <limits>

namespace {
constexpr double kTitleH = 22, kKeyH = 18, kLeft = 58, kRight = 14, kTop = 6, kBottom = 40, kPointPx = 4;
}

ScatterPlot::ScatterPlot(QWidget* parent) : PlotWidget(parent) {}

ScatterPlot::~ScatterPlot() {
    teardownGL();
}

void ScatterPlot::setPoints(const std::vector<double>& x, const std::vector<double>& y,
                            const QStringList& names) {
    if (x.size() != y.size()) {
        x_.clear();
        y_.clear();
    } else {
        x_ = x;
        y_ = y;
    }
    names_ = names;
    hover_ = -1;
    rebuildRange();
}

void ScatterPlot::setAxisTitles(const QString& x, const QString& y) {
    xTitle_ = x;
    yTitle_ = y;
    update();
}

void ScatterPlot::setTitle(const QString& title) {
    title_ = title;
    update();
}

void ScatterPlot::setStatsText(const QString& text) {
    stats_ = text;
    update();
}

void ScatterPlot::setLogX(bool on) {
    logX_ = on;
    rebuildRange();
}

double ScatterPlot::tx(double x) const {
    return logX_ ? std::log10(1.0 + std::max(0.0, x)) : x;
}

void ScatterPlot::rebuildRange() {
    double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
    for (size_t i = 0; i < x_.size(); ++i) {
        if (!std::isfinite(x_[i]) || !std::isfinite(y_[i])) continue;
        x0 = std::min(x0, tx(x_[i]));
        x1 = std::max(x1, tx(x_[i]));
        y0 = std::min(y0, y_[i]);
        y1 = std::max(y1, y_[i]);
    }
    if (!std::isfinite(x0)) x0 = 0, x1 = 1, y0 = 0, y1 = 1;
    if (!(x1 > x0)) x1 = x0 + 1;
    if (!(y1 > y0)) y0 -= 0.5, y1 += 0.5;
    const double px = 0.04 * (x1 - x0), py = 0.05 * (y1 - y0);
    range_ = QRectF(logX_ ? std::min(0.0, x0) - px : x0 - px, y0 - py, x1 - x0 + 2 * px, y1 - y0 + 2 * py);
    update();
}

QRectF ScatterPlot::plotArea(const QSizeF& logical) const {
    return QRectF(kLeft, kTitleH + kKeyH + kTop, std::max(10.0, logical.width() - kLeft - kRight),
                  std::max(10.0, logical.height() - kTitleH - kKeyH - kTop - kBottom));
}

QRectF ScatterPlot::plotRect() const {
    return plotArea(QSizeF(size()));
}

QPointF ScatterPlot::toWidget(const QRectF& a, double x, double y) const {
    return QPointF(a.left() + (tx(x) - range_.left()) / range_.width() * a.width(),
                   a.bottom() - (y - range_.top()) / range_.height() * a.height());
}

QPointF ScatterPlot::pointPos(size_t i) const {
    return i < x_.size() ? toWidget(plotRect(), x_[i], y_[i]) : QPointF();
}

long ScatterPlot::pointAt(QPointF pos) const {
    const QRectF a = plotRect();
    long best = -1;
    double bestD = 36;
    for (size_t i = 0; i < x_.size(); ++i) {
        const QPointF d = toWidget(a, x_[i], y_[i]) - pos;
        const double dd = d.x() * d.x() + d.y() * d.y();
        if (dd < bestD) bestD = dd, best = long(i);
    }
    return best;
}

QColor ScatterPlot::pointColor(size_t i) const {
    return i < x_.size() && x_[i] > 0 ? QColor(33, 102, 172, 190) : QColor(150, 150, 150, 140);
}

// ---- drawing --------------------------------------------------------------------------------------------
void ScatterPlot::initPlotGL() {
    prog_ = loadProgram(QStringLiteral("color"));
    makeVertexArray(vao_, vbo_, {2, 4});
    glBindVertexArray(0);
    glBindBuffer(GL_ARRAY_BUFFER, 0);
}

void ScatterPlot::releasePlotGL() {
    glDeleteVertexArrays(1, &vao_);
    glDeleteBuffers(1, &vbo_);
    vao_ = vbo_ = 0;
    prog_.reset();
}

void ScatterPlot::drawGL(const QSizeF& logical, double scale) {
    if (!prog_ || x_.empty()) return;
    const QRectF a = plotArea(logical);
    std::vector<float> v;
    v.reserve(x_.size() * 6);
    // Zeros first so connected pairs are drawn over them.
    for (int pass = 0; pass < 2; ++pass)
        for (size_t i = 0; i < x_.size(); ++i) {
            if ((x_[i] > 0) != (pass == 1) || !std::isfinite(x_[i]) || !std::isfinite(y_[i])) continue;
            const QColor c = pointColor(i);
            v.insert(v.end(), {float(tx(x_[i])), float(y_[i]), c.redF(), c.greenF(), c.blueF(), c.alphaF()});
        }
    glDisable(GL_DEPTH_TEST);
    glEnable(GL_BLEND);
    glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
    glEnable(GL_PROGRAM_POINT_SIZE);
    setViewport(a);
    prog_->bind();
    const float sx = float(2.0 / range_.width()), sy = float(2.0 / range_.height());
    prog_->setUniformValue("uScale", QVector2D(sx, sy));
    prog_->setUniformValue("uOffset",
                           QVector2D(float(-1.0 - range_.left() * sx), float(-1.0 - range_.top() * sy)));
    prog_->setUniformValue("uPointSize", float(kPointPx * scale));
    prog_->setUniformValue("uRoundPoints", 1);
    glBindVertexArray(vao_);
    glBindBuffer(GL_ARRAY_BUFFER, vbo_);
    glBufferData(GL_ARRAY_BUFFER, GLsizeiptr(v.size() * sizeof(float)), v.data(), GL_STREAM_DRAW);
    glDrawArrays(GL_POINTS, 0, GLsizei(v.size() / 6));
    glBindVertexArray(0);
    glBindBuffer(GL_ARRAY_BUFFER, 0);
    prog_->release();
    glDisable(GL_SCISSOR_TEST);
}

void ScatterPlot::drawVectorData(QPainter& p, const QSizeF& logical) {
    const QRectF a = plotArea(logical);
    p.save();
    p.setClipRect(a);
    p.setRenderHint(QPainter::Antialiasing, true);
    p.setPen(Qt::NoPen);
    for (int pass = 0; pass < 2; ++pass)
        for (size_t i = 0; i < x_.size(); ++i) {
            if ((x_[i] > 0) != (pass == 1) || !std::isfinite(x_[i]) || !std::isfinite(y_[i])) continue;
            p.setBrush(pointColor(i));
            p.drawEllipse(toWidget(a, x_[i], y_[i]), kPointPx / 2, kPointPx / 2);
        }
    p.restore();
}

void ScatterPlot::drawAnnotations(QPainter& p, const QSizeF& logical) {
    const QRectF a = plotArea(logical);
    const Style& st = style();
    p.save();
    p.setFont(labelFont(12));
    drawText(p, QRectF(0, 0, logical.width(), kTitleH), Qt::AlignCenter, title_);
    p.setFont(labelFont());
    p.setPen(QPen(st.axis, 1.0));
    p.setBrush(Qt::NoBrush);
    p.drawRect(a);
    if (x_.empty()) {
        drawText(p, a, Qt::AlignCenter, QStringLiteral("no pairs"));
        p.restore();
        return;
    }
    // y ticks.
    const auto yt = niceTicks(range_.top(), range_.bottom(), std::max(2, int(a.height() / 40)));
    const double ys = yt.size() > 1 ? yt[1] - yt[0] : 1;
    for (double y : yt) {
        const double py = a.bottom() - (y - range_.top()) / range_.height() * a.height();
        if (py < a.top() - 0.5 || py > a.bottom() + 0.5) continue;
        p.setPen(QPen(st.axis, 1.0));
        p.drawLine(QPointF(a.left() - 4, py), QPointF(a.left(), py));
        if (std::fabs(y) < 1e-12) {
            p.setPen(QPen(st.muted, 0.5, Qt::DashLine));
            p.drawLine(QPointF(a.left(), py), QPointF(a.right(), py));
        }
        drawText(p, QRectF(0, py - 7, a.left() - 6, 14), Qt::AlignRight | Qt::AlignVCenter, tickLabel(y, ys));
    }
    // x ticks: decades of 1 + x on the log axis (0, 1, 3, 10, 30, ...), nice ticks otherwise.
    std::vector<std::pair<double, QString>> xt;
    if (logX_) {
        const double hi = std::pow(10.0, range_.right()) - 1;
        for (double d = 1; d / 10 <= hi; d *= 10)
            for (double m : {1.0, 3.0})
                if (m * d <= hi * 1.0001 || (m == 1 && d == 1)) xt.push_back({m * d, QString::number(m * d)});
        xt.insert(xt.begin(), {0.0, QStringLiteral("0")});
    } else {
        const auto t = niceTicks(range_.left(), range_.right(), std::max(2, int(a.width() / 70)));
        const double s = t.size() > 1 ? t[1] - t[0] : 1;
        for (double v : t) xt.push_back({v, tickLabel(v, s)});
    }
    for (const auto& [v, label] : xt) {
        const double px = a.left() + (tx(v) - range_.left()) / range_.width() * a.width();
        if (px < a.left() - 0.5 || px > a.right() + 0.5) continue;
        p.setPen(QPen(st.axis, 1.0));
        p.drawLine(QPointF(px, a.bottom()), QPointF(px, a.bottom() + 4));
        drawText(p, QRectF(px - 30, a.bottom() + 5, 60, 14), Qt::AlignHCenter | Qt::AlignTop, label);
    }
    drawText(p, QRectF(a.left(), a.bottom() + 21, a.width(), 14), Qt::AlignHCenter | Qt::AlignTop,
             xTitle_ + (logX_ ? QStringLiteral(" (log scale of 1 + w)") : QString()));
    p.save();
    p.translate(12, a.center().y());
    p.rotate(-90);
    drawText(p, QRectF(-a.height() / 2, -8, a.height(), 16), Qt::AlignCenter, yTitle_);
    p.restore();
    // Key line between the title and the axes (never over the points): what the two colours mean, then
    // the statistics.
    {
        size_t connected = 0;
        for (double x : x_) connected += x > 0;
        const QRectF line(a.left(), kTitleH, a.width(), kKeyH);
        double x = line.left();
        const QFontMetricsF fm(p.font());
        auto swatch = [&](const QColor& c, const QString& text) {
            p.setPen(Qt::NoPen);
            p.setBrush(QColor(c.red(), c.green(), c.blue()));
            p.drawEllipse(QPointF(x + 4, line.center().y()), 3.5, 3.5);
            p.setBrush(Qt::NoBrush);
            p.setPen(st.text);
            drawText(p, QRectF(x + 11, line.top(), fm.horizontalAdvance(text) + 4, line.height()),
                     Qt::AlignLeft | Qt::AlignVCenter, text);
            x += 11 + fm.horizontalAdvance(text) + 14;
        };
        if (!x_.empty()) {
            swatch(QColor(33, 102, 172), QStringLiteral("connected (%1)").arg(connected));
            swatch(QColor(150, 150, 150), QStringLiteral("not connected (%1)").arg(x_.size() - connected));
        }
        if (!stats_.isEmpty()) {
            // Beside the legend when it fits there; else on the title's line when there is no title (a
            // figure's panel, whose title is the figure's), so it is never cut.
            const bool beside = fm.horizontalAdvance(stats_) <= line.right() - x || !title_.isEmpty();
            const QRectF at = beside ? QRectF(x, line.top(), std::max(0.0, line.right() - x), line.height())
                                     : QRectF(a.left(), 0, a.width(), kTitleH);
            drawText(p, at, Qt::AlignRight | Qt::AlignVCenter, stats_);
        }
    }
    if (hover_ >= 0 && size_t(hover_) < x_.size() && !exporting()) {
        p.setPen(QPen(st.axis, 1.5));
        p.drawEllipse(toWidget(a, x_[size_t(hover_)], y_[size_t(hover_)]), 5, 5);
    }
    p.restore();
}

void ScatterPlot::drawReadouts() {
    if (hover_ < 0 || size_t(hover_) >= x_.size()) return;
    const size_t i = size_t(hover_);
    const QString s = QStringLiteral("%1  %2 = %3  %4 = %5")
                          .arg(int(i) < names_.size() ? names_[int(i)] : QString::number(i), xTitle_)
                          .arg(x_[i], 0, 'g', 4)
                          .arg(yTitle_)
                          .arg(y_[i], 0, 'f', 3);
    ImGui::BeginTooltip();
    ImGui::TextUnformatted(s.toUtf8().constData());
    ImGui::EndTooltip();
}

void ScatterPlot::mouseMoveEvent(QMouseEvent* e) {
    const long h = pointAt(e->position());
    if (h != hover_) {
        hover_ = h;
        update();
    }
    PlotWidget::mouseMoveEvent(e);
}

void ScatterPlot::leaveEvent(QEvent* e) {
    hover_ = -1;
    update();
    PlotWidget::leaveEvent(e);
}
