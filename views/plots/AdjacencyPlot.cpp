#include "plots/AdjacencyPlot.h"

#include <QFontMetricsF>
#include <QMouseEvent>
#include <QOpenGLShaderProgram>
#include <QPainter>
#include <algorithm>
#include <cmath>
#include <imgui.h>
#include <limits>

namespace {
constexpr double kTitleH = 22, kPad = 8, kStrip = 7, kBarGap = 14, kBarW = 12, kTickW = 38, kBarLabelW = 18;
constexpr double kLegendW = 96, kMaxLegendW = 180;
constexpr int kMaxLegend = 16;
} // namespace

AdjacencyPlot::AdjacencyPlot(QWidget* parent) : PlotWidget(parent) {
    heat_.setColorMap(&PlotWidget::viridis);
    setMouseTracking(true);
}

AdjacencyPlot::~AdjacencyPlot() {
    teardownGL();
}

void AdjacencyPlot::setData(Data d) {
    d_ = std::move(d);
    if (d_.cells.size() != d_.cells_ * d_.cells_) {
        d_.cells.clear();
        d_.cells_ = 0;
    }
    groupOf_.assign(d_.order.size(), -1);
    groupNames_.clear();
    if (d_.groups.size() == d_.order.size())
        for (size_t i = 0; i < d_.groups.size(); ++i) {
            int k = int(groupNames_.indexOf(d_.groups[i]));
            if (k < 0) {
                k = int(groupNames_.size());
                groupNames_ << d_.groups[i];
            }
            groupOf_[i] = k;
        }
    rebuild();
}

void AdjacencyPlot::setCells(std::vector<float> cells, size_t cellsASide, size_t span) {
    if (cells.size() != cellsASide * cellsASide) return;
    d_.cells = std::move(cells);
    d_.cells_ = cellsASide;
    d_.span = std::max<size_t>(1, span);
    hover_ = QPoint(-1, -1);
    rebuild();
}

void AdjacencyPlot::setLogScale(bool on) {
    log_ = on;
    rebuild();
}

void AdjacencyPlot::setTitle(const QString& t) {
    title_ = t;
    update();
}

void AdjacencyPlot::setSelection(const std::vector<uint32_t>& nodes) {
    selection_ = nodes;
    update();
}

QColor AdjacencyPlot::groupColor(int g) const {
    if (g >= 0 && g < groupNames_.size())
        if (auto it = d_.colors.find(groupNames_[g]); it != d_.colors.end()) return it->second;
    return colormaps::community(g);
}

void AdjacencyPlot::rebuild() {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (float v : d_.cells)
        if (std::isfinite(v)) {
            lo = std::min(lo, double(v));
            hi = std::max(hi, double(v));
        }
    signed_ = lo < 0;
    logUsed_ = log_ && !signed_ && lo > 0;
    std::vector<float> shown = d_.cells;
    if (logUsed_)
        for (float& v : shown)
            if (std::isfinite(v)) v = std::log10(v);
    if (!std::isfinite(lo)) {
        lo_ = 0;
        hi_ = 1;
    } else if (signed_) {
        const double m = std::max(std::fabs(lo), std::fabs(hi));
        lo_ = -m;
        hi_ = m;
    } else if (logUsed_) {
        lo_ = std::log10(lo);
        hi_ = std::log10(hi);
    } else {
        lo_ = std::min(0.0, lo);
        hi_ = hi;
    }
    if (!(hi_ > lo_)) hi_ = lo_ + 1;
    heat_.setColorMap(signed_ ? &colormaps::diverging : &PlotWidget::viridis);
    heat_.setNanColor(style().background);
    heat_.setValues(int(d_.cells_), int(d_.cells_), std::move(shown));
    hover_ = QPoint(-1, -1);
    update();
}

QColor AdjacencyPlot::colorForValue(double v) const {
    if (logUsed_ && std::isfinite(v)) v = v > 0 ? std::log10(v) : std::numeric_limits<double>::quiet_NaN();
    return heat_.colorFor(v, lo_, hi_);
}

// ---- geometry -------------------------------------------------------------------------------------------
AdjacencyPlot::Layout AdjacencyPlot::layout(const QSizeF& logical) const {
    Layout l;
    l.title = QRectF(0, 0, logical.width(), kTitleH);
    const size_t n = d_.order.size();
    // Names on the rows when each row is tall enough, else none.
    QFontMetricsF fm(inFigure() ? labelFont() : labelFont(9));
    // The legend is as wide as its longest group name needs (swatch and gap 14), within 96 to 180.
    double legendW = kLegendW;
    {
        const QFontMetricsF lf(labelFont());
        for (const QString& g : groupNames_)
            legendW = std::max(legendW, std::min(kMaxLegendW, lf.horizontalAdvance(g) + 16));
    }
    const double right =
        kBarGap + std::max(kBarW + kTickW + kBarLabelW, groupNames_.isEmpty() ? 0.0 : legendW) + kPad;
    double side0 = std::max(10.0, std::min(logical.width() - right - kPad - 2 * kStrip - 8,
                                           logical.height() - kTitleH - kPad - 2 * kStrip - 8));
    double lm = 0;
    if (n > 0 && side0 / double(n) >= 7) {
        double w = 0;
        for (uint32_t i : d_.order)
            if (int(i) < d_.names.size()) w = std::max(w, fm.horizontalAdvance(d_.names[int(i)]));
        lm = std::min(70.0, w + 6);
    }
    l.labelMargin = lm;
    const double strips = groupNames_.isEmpty() ? 0 : kStrip + 2;
    const double side =
        std::max(10.0, std::min(logical.width() - std::max(lm, 14.0) - strips - right - kPad,
                                logical.height() - kTitleH - strips - kPad - std::max(lm, 20.0)));
    const double x0 = kPad + std::max(lm, 14.0) + strips;
    l.matrix = QRectF(x0, kTitleH + 4 + strips, side, side);
    l.rowStrip = QRectF(l.matrix.left() - strips, l.matrix.top(), kStrip, side);
    l.colStrip = QRectF(l.matrix.left(), l.matrix.top() - strips, side, kStrip);
    const double barH = groupNames_.isEmpty() ? side : std::max(60.0, side * 0.45);
    l.bar = QRectF(l.matrix.right() + kBarGap, l.matrix.top(), kBarW, barH);
    l.legend = QRectF(l.matrix.right() + kBarGap, l.bar.bottom() + 14, legendW, side - barH - 14);
    l.cell = d_.cells_ > 0 ? side / double(d_.cells_) : 0;
    return l;
}

QRectF AdjacencyPlot::matrixRect() const {
    return layout(QSizeF(size())).matrix;
}

QRectF AdjacencyPlot::colorBarRect() const {
    return layout(QSizeF(size())).bar;
}

QPoint AdjacencyPlot::cellAt(QPointF pos) const {
    const Layout l = layout(QSizeF(size()));
    const int m = int(d_.cells_);
    if (m <= 0) return QPoint(-1, -1);
    auto idx = [&](double v, double from) { return std::clamp(int((v - from) / l.cell), 0, m - 1); };
    if (l.matrix.contains(pos)) return QPoint(idx(pos.x(), l.matrix.left()), idx(pos.y(), l.matrix.top()));
    const QRectF rowHit(l.matrix.left() - l.labelMargin - kStrip - 2, l.matrix.top(),
                        l.labelMargin + kStrip + 2, l.matrix.height());
    if (rowHit.contains(pos)) return QPoint(-1, idx(pos.y(), l.matrix.top()));
    if (l.colStrip.contains(pos)) return QPoint(idx(pos.x(), l.matrix.left()), -1);
    return QPoint(-1, -1);
}

std::vector<uint32_t> AdjacencyPlot::nodesOf(QPoint cell) const {
    std::vector<uint32_t> out;
    auto add = [&](int c) {
        if (c < 0) return;
        for (size_t k = 0; k < d_.span; ++k) {
            const size_t p = size_t(c) * d_.span + k;
            if (p < d_.order.size() && std::find(out.begin(), out.end(), d_.order[p]) == out.end())
                out.push_back(d_.order[p]);
        }
    };
    add(cell.y());
    add(cell.x());
    return out;
}

QString AdjacencyPlot::describe(QPoint cell) const {
    auto name = [&](size_t p) {
        const uint32_t i = d_.order[p];
        return int(i) < d_.names.size() ? d_.names[int(i)] : QString::number(i);
    };
    auto range = [&](int c) {
        const size_t a = size_t(c) * d_.span, b = std::min(d_.order.size(), a + d_.span) - 1;
        QString s =
            a == b ? name(a) : QStringLiteral("%1 … %2 (%3 nodes)").arg(name(a), name(b)).arg(b - a + 1);
        if (!groupOf_.empty() && groupOf_[a] >= 0) s += QStringLiteral(" [%1]").arg(groupNames_[groupOf_[a]]);
        return s;
    };
    if (cell.x() < 0 && cell.y() < 0) return QString();
    if (cell.x() < 0) return QStringLiteral("row %1").arg(range(cell.y()));
    if (cell.y() < 0) return QStringLiteral("column %1").arg(range(cell.x()));
    const float v = d_.cells[size_t(cell.y()) * d_.cells_ + size_t(cell.x())];
    const QString w = std::isfinite(v) ? QString::number(double(v), 'g', 5) : QStringLiteral("no edge");
    return QStringLiteral("%1 → %2\n%3: %4")
        .arg(range(cell.y()), range(cell.x()),
             d_.span > 1 ? QStringLiteral("summed weight") : QStringLiteral("weight"), w);
}

// ---- drawing --------------------------------------------------------------------------------------------
void AdjacencyPlot::initPlotGL() {
    heat_.initGL(this, loadProgram(QStringLiteral("heatmap")));
}

void AdjacencyPlot::releasePlotGL() {
    heat_.releaseGL();
}

void AdjacencyPlot::syncGpu() {
    heat_.syncGL();
}

void AdjacencyPlot::drawGL(const QSizeF& logical, double) {
    if (d_.cells_ == 0 || !heat_.ready()) return;
    const Layout l = layout(logical);
    glDisable(GL_DEPTH_TEST);
    heat_.setNanColor(style().background);
    heat_.bind(lo_, hi_);
    setViewport(l.matrix);
    heat_.drawCells();
    setViewport(l.bar);
    heat_.drawBar();
    heat_.unbind();
    glDisable(GL_SCISSOR_TEST);
}

void AdjacencyPlot::drawVectorData(QPainter& p, const QSizeF& logical) {
    if (d_.cells_ == 0) return;
    const Layout l = layout(logical);
    heat_.paintCells(p, l.matrix, lo_, hi_);
    heat_.paintBar(p, l.bar);
}

void AdjacencyPlot::drawAnnotations(QPainter& p, const QSizeF& logical) {
    const Layout l = layout(logical);
    const Style& st = style();
    p.save();
    p.setFont(labelFont(12));
    drawText(p, l.title, Qt::AlignCenter, title_);
    p.setFont(labelFont());
    if (d_.cells_ == 0) {
        drawText(p, QRectF(QPointF(0, kTitleH), logical), Qt::AlignCenter, QStringLiteral("no graph"));
        p.restore();
        return;
    }
    const double posH = l.matrix.height() / double(std::max<size_t>(1, d_.order.size())); // one node
    // Group strips (one colour per group) and separators between groups.
    if (!groupNames_.isEmpty()) {
        size_t a = 0;
        while (a < groupOf_.size()) {
            size_t b = a;
            while (b < groupOf_.size() && groupOf_[b] == groupOf_[a]) ++b;
            const QColor c = groupColor(groupOf_[a]);
            p.fillRect(QRectF(l.rowStrip.left(), l.matrix.top() + a * posH, kStrip, (b - a) * posH), c);
            p.fillRect(QRectF(l.matrix.left() + a * posH, l.colStrip.top(), (b - a) * posH, kStrip), c);
            if (a > 0) {
                p.setPen(QPen(st.muted, 0.6));
                p.drawLine(QPointF(l.matrix.left(), l.matrix.top() + a * posH),
                           QPointF(l.matrix.right(), l.matrix.top() + a * posH));
                p.drawLine(QPointF(l.matrix.left() + a * posH, l.matrix.top()),
                           QPointF(l.matrix.left() + a * posH, l.matrix.bottom()));
            }
            a = b;
        }
    }
    p.setPen(QPen(st.axis, 1.0));
    p.setBrush(Qt::NoBrush);
    p.drawRect(l.matrix);
    // Row and column names when the rows are tall enough.
    if (l.labelMargin > 0) {
        p.setFont(inFigure() ? labelFont() : labelFont(std::clamp(posH * 0.9, 6.0, 9.0)));
        const int every = inFigure() ? rowLabelEvery(posH) : 1;
        const double left = l.matrix.left() - (groupNames_.isEmpty() ? 0 : kStrip + 2);
        for (size_t r = 0; r < d_.order.size(); r += size_t(every)) {
            const uint32_t i = d_.order[r];
            const QString nm = int(i) < d_.names.size() ? d_.names[int(i)] : QString::number(i);
            const double c = l.matrix.top() + (r + 0.5) * posH;
            drawText(p, QRectF(left - l.labelMargin, c - 6, l.labelMargin - 3, 12),
                     Qt::AlignRight | Qt::AlignVCenter, nm);
            p.save();
            p.translate(l.matrix.left() + (r + 0.5) * posH, l.matrix.bottom() + 3);
            p.rotate(-90);
            drawText(p, QRectF(-l.labelMargin + 3, -6, l.labelMargin - 3, 12),
                     Qt::AlignRight | Qt::AlignVCenter, nm);
            p.restore();
        }
    } else {
        p.setFont(labelFont());
        drawText(p, QRectF(l.matrix.left(), l.matrix.bottom() + 2, l.matrix.width(), 14), Qt::AlignCenter,
                 QStringLiteral("target (%1 nodes%2)")
                     .arg(d_.order.size())
                     .arg(d_.span > 1 ? QStringLiteral(", %1 per pixel").arg(d_.span) : QString()));
        // Rows are sources: written upwards left of the rows (and their group strip).
        p.save();
        p.translate(l.matrix.left() - (groupNames_.isEmpty() ? 0 : kStrip + 2) - 2, l.matrix.center().y());
        p.rotate(-90);
        drawText(p, QRectF(-l.matrix.height() / 2, -14, l.matrix.height(), 14), Qt::AlignCenter,
                 QStringLiteral("source"));
        p.restore();
    }
    // Selected nodes: marks in the margins, outside the data.
    if (!selection_.empty()) {
        std::vector<int> posOf(size_t(d_.names.size()), -1);
        for (size_t r = 0; r < d_.order.size(); ++r)
            if (d_.order[r] < posOf.size()) posOf[d_.order[r]] = int(r);
        p.setPen(Qt::NoPen);
        p.setBrush(st.selection);
        for (uint32_t i : selection_) {
            if (i >= posOf.size() || posOf[i] < 0) continue;
            const double y = l.matrix.top() + (posOf[i] + 0.5) * posH;
            const double x = l.matrix.left() + (posOf[i] + 0.5) * posH;
            const double s = 4;
            const double rx = l.matrix.right() + 1;
            p.drawPolygon(
                QPolygonF({QPointF(rx, y), QPointF(rx + s * 1.6, y - s), QPointF(rx + s * 1.6, y + s)}));
            const double ty = l.matrix.top() - (groupNames_.isEmpty() ? 1 : kStrip + 3);
            p.drawPolygon(
                QPolygonF({QPointF(x, ty), QPointF(x - s, ty - s * 1.6), QPointF(x + s, ty - s * 1.6)}));
        }
        p.setBrush(Qt::NoBrush);
    }
    if (hover_.x() >= 0 && hover_.y() >= 0 && !exporting()) {
        p.setPen(QPen(st.axis, 1.5));
        p.drawRect(QRectF(l.matrix.left() + hover_.x() * l.cell, l.matrix.top() + hover_.y() * l.cell, l.cell,
                          l.cell));
    }
    // Colour bar with its range.
    const auto ticks = niceTicks(lo_, hi_, std::max(2, int(l.bar.height() / 40)));
    HeatmapPainter::drawBarAxis(p, l.bar, lo_, hi_, ticks, colorBarLabel(),
                                {st.axis, st.text, labelFont(), kTickW});
    // Group legend.
    if (!groupNames_.isEmpty()) {
        p.setFont(labelFont());
        const double h = QFontMetricsF(p.font()).height() + 2;
        const int fits = std::max(1, int(l.legend.height() / h));
        const int shown = std::min<int>({int(groupNames_.size()), kMaxLegend, fits});
        for (int k = 0; k < shown; ++k) {
            const bool more = k == shown - 1 && shown < groupNames_.size();
            const double y = l.legend.top() + k * h;
            if (more) {
                drawText(p, QRectF(l.legend.left(), y, l.legend.width(), h), Qt::AlignLeft | Qt::AlignVCenter,
                         QStringLiteral("+ %1 more").arg(groupNames_.size() - k));
                break;
            }
            p.fillRect(QRectF(l.legend.left(), y + 2, 10, h - 4), groupColor(k));
            const QString nm = groupNames_[k].isEmpty() ? QStringLiteral("(none)") : groupNames_[k];
            drawText(p, QRectF(l.legend.left() + 14, y, l.legend.width() - 14, h),
                     Qt::AlignLeft | Qt::AlignVCenter,
                     QFontMetricsF(p.font()).elidedText(nm, Qt::ElideRight, l.legend.width() - 14));
        }
    }
    p.restore();
}

void AdjacencyPlot::drawReadouts() {
    if ((hover_.x() < 0 && hover_.y() < 0) || d_.cells_ == 0) return;
    const QString s = describe(hover_);
    ImGui::BeginTooltip();
    ImGui::TextUnformatted(s.toUtf8().constData());
    ImGui::EndTooltip();
}

void AdjacencyPlot::mouseMoveEvent(QMouseEvent* e) {
    const QPoint c = cellAt(e->position());
    if (c != hover_) {
        hover_ = c;
        update();
    }
    PlotWidget::mouseMoveEvent(e);
}

void AdjacencyPlot::mousePressEvent(QMouseEvent* e) {
    const QPoint c = cellAt(e->position());
    if (e->button() == Qt::LeftButton && (c.x() >= 0 || c.y() >= 0)) {
        const bool add = e->modifiers() & (Qt::ControlModifier | Qt::ShiftModifier);
        emit nodesClicked(nodesOf(c), add);
        e->accept();
        return;
    }
    PlotWidget::mousePressEvent(e);
}

void AdjacencyPlot::leaveEvent(QEvent* e) {
    hover_ = QPoint(-1, -1);
    update();
    PlotWidget::leaveEvent(e);
}

void AdjacencyPlot::setWeightUnit(const QString& unit) {
    unit_ = unit;
    update();
}

QString AdjacencyPlot::colorBarLabel() const {
    QString label = d_.span > 1 ? QStringLiteral("summed weight") : QStringLiteral("weight");
    if (logUsed_) label = QStringLiteral("log10 ") + label;
    if (!unit_.isEmpty()) label += QStringLiteral(" (%1)").arg(unit_);
    return label;
}
