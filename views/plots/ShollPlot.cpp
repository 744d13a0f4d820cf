#include "plots/ShollPlot.h"

#include <QPainter>
#include <QPainterPath>
#include <algorithm>
#include <cmath>

namespace {
constexpr double kLeft = 52, kRight = 14, kTop = 26, kBottom = 40;
}

ShollPlot::ShollPlot(QWidget* parent) : PlotWidget(parent) {}

ShollPlot::~ShollPlot() {
    teardownGL();
}

void ShollPlot::setProfile(const std::vector<double>& radius, const std::vector<int>& intersections,
                           const QString& title, const QString& unit) {
    const size_t n = std::min(radius.size(), intersections.size());
    radius_.assign(radius.begin(), radius.begin() + long(n));
    count_.assign(intersections.begin(), intersections.begin() + long(n));
    title_ = title;
    unit_ = unit;
    update();
}

void ShollPlot::clear() {
    radius_.clear();
    count_.clear();
    title_.clear();
    update();
}

QString ShollPlot::xTitle() const {
    return unit_.isEmpty() ? tr("radius from soma") : tr("radius from soma (%1)").arg(unit_);
}

QString ShollPlot::yTitle() const {
    return tr("intersections (count)");
}

double ShollPlot::xMax() const {
    double m = 0;
    for (double r : radius_) m = std::max(m, r);
    return m > 0 ? m : 1;
}

double ShollPlot::yMax() const {
    int m = 0;
    for (int c : count_) m = std::max(m, c);
    return std::max(1, m);
}

QRectF ShollPlot::dataRect(const QSizeF& logical) const {
    return QRectF(kLeft, kTop, std::max(1.0, logical.width() - kLeft - kRight),
                  std::max(1.0, logical.height() - kTop - kBottom));
}

QPointF ShollPlot::pointPosition(size_t k, const QSizeF& logical) const {
    const QRectF a = dataRect(logical);
    if (k >= radius_.size()) return a.bottomLeft();
    return QPointF(a.left() + radius_[k] / xMax() * a.width(), a.bottom() - count_[k] / yMax() * a.height());
}

void ShollPlot::drawAnnotations(QPainter& p, const QSizeF& logical) {
    const QRectF a = dataRect(logical);
    p.setFont(labelFont(12));
    drawText(p, QRectF(kLeft, 4, a.width(), kTop - 6), Qt::AlignLeft | Qt::AlignVCenter,
             title_.isEmpty() ? tr("Sholl profile (pick a neuron)") : tr("Sholl profile: %1").arg(title_));
    p.setFont(labelFont());
    // axes and ticks
    p.setPen(QPen(style().axis, 1));
    p.drawLine(a.bottomLeft(), a.bottomRight());
    p.drawLine(a.bottomLeft(), a.topLeft());
    const double tick = 4;
    const auto xs = niceTicks(0, xMax(), std::max(2, int(a.width() / 70)));
    const double xStep = xs.size() > 1 ? xs[1] - xs[0] : 1;
    for (double x : xs) {
        const double px = a.left() + x / xMax() * a.width();
        if (px > a.right() + 0.5) continue;
        p.setPen(QPen(style().axis, 1));
        p.drawLine(QPointF(px, a.bottom()), QPointF(px, a.bottom() + tick));
        drawText(p, QRectF(px - 35, a.bottom() + tick + 1, 70, 14), Qt::AlignHCenter | Qt::AlignTop,
                 tickLabel(x, xStep));
    }
    const auto ys = niceTicks(0, yMax(), std::max(2, int(a.height() / 30)));
    const double yStep = ys.size() > 1 ? ys[1] - ys[0] : 1;
    for (double y : ys) {
        const double py = a.bottom() - y / yMax() * a.height();
        if (py < a.top() - 0.5) continue;
        p.setPen(QPen(style().axis, 1));
        p.drawLine(QPointF(a.left() - tick, py), QPointF(a.left(), py));
        drawText(p, QRectF(a.left() - 50, py - 7, 50 - tick - 2, 14), Qt::AlignRight | Qt::AlignVCenter,
                 tickLabel(y, yStep));
    }
    drawText(p, QRectF(a.left(), a.bottom() + tick + 15, a.width(), 16), Qt::AlignHCenter | Qt::AlignTop,
             xTitle());
    p.save();
    p.translate(12, a.center().y());
    p.rotate(-90);
    drawText(p, QRectF(-a.height() / 2 - 20, -8, a.height() + 40, 16), Qt::AlignCenter, yTitle());
    p.restore();
    if (radius_.empty()) return;
    // the profile
    QPainterPath path;
    for (size_t k = 0; k < radius_.size(); ++k) {
        const QPointF q = pointPosition(k, logical);
        if (k == 0)
            path.moveTo(q);
        else
            path.lineTo(q);
    }
    p.setPen(QPen(curveColor(), 1.6));
    p.setBrush(Qt::NoBrush);
    p.drawPath(path);
    p.setPen(Qt::NoPen);
    p.setBrush(curveColor());
    for (size_t k = 0; k < radius_.size(); ++k) p.drawEllipse(pointPosition(k, logical), 2.2, 2.2);
}
