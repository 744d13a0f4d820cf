#include "plots/MembershipPlot.h"

#include <QFontMetricsF>
#include <QMouseEvent>
#include <QOpenGLShaderProgram>
#include <QPainter>
#include <algorithm>
#include <cmath>
#include <imgui.h>
#include <map>

namespace {
constexpr double kTitleH = 20, kLeft = 64, kBottom = 36, kLegendW = 150, kPad = 8, kSwatch = 10, kRowH = 14,
                 kLegendHead = 36; // two heading lines above the swatches
constexpr int kMaxLabel = 255;     // the colour map has 256 entries: label % 256 (see colormaps::community)
} // namespace

MembershipPlot::MembershipPlot(QWidget* parent) : PlotWidget(parent) {
    // Value k (0..255) maps to entry k: the community palette.
    heat_.setColorMap([](double x) { return colormaps::community(int(std::lround(x * kMaxLabel))); });
    heat_.setNanColor(colormaps::community(-1));
}

MembershipPlot::~MembershipPlot() {
    teardownGL();
}

void MembershipPlot::setMembership(const std::vector<std::vector<int>>& labels,
                                   const std::vector<double>& start, const std::vector<double>& end,
                                   const QStringList& names) {
    labels_.clear();
    start_.clear();
    end_.clear();
    n_ = 0;
    if (!labels.empty() && start.size() == labels.size() && end.size() == labels.size()) {
        const size_t n = labels.front().size();
        bool same = true;
        for (const auto& w : labels) same = same && w.size() == n;
        if (same) {
            labels_ = labels;
            start_ = start;
            end_ = end;
            n_ = int(n);
        }
    }
    names_ = names;
    rebuild();
}

void MembershipPlot::clear() {
    setMembership({}, {}, {}, {});
}

void MembershipPlot::setOrder(const std::vector<int>& neurons) {
    requested_ = neurons;
    rebuild();
}

void MembershipPlot::setTitle(const QString& title) {
    title_ = title;
    update();
}

void MembershipPlot::setCursorTime(double t) {
    if (t == cursor_) return;
    cursor_ = t;
    update();
}

void MembershipPlot::rebuild() {
    order_.clear();
    std::vector<char> used(size_t(n_), 0);
    for (int i : requested_)
        if (i >= 0 && i < n_ && !used[size_t(i)]) {
            order_.push_back(i);
            used[size_t(i)] = 1;
        }
    for (int i = 0; i < n_; ++i)
        if (!used[size_t(i)]) order_.push_back(i);
    const int W = windows();
    std::vector<float> cells(size_t(W) * size_t(n_));
    std::map<int, size_t> counts;
    for (int r = 0; r < n_; ++r)
        for (int w = 0; w < W; ++w) {
            const int lab = labels_[size_t(w)][size_t(order_[size_t(r)])];
            cells[size_t(r) * size_t(W) + size_t(w)] =
                lab < 0 ? std::numeric_limits<float>::quiet_NaN() : float(lab % (kMaxLabel + 1));
            ++counts[lab < 0 ? -1 : lab];
        }
    heat_.setValues(W, n_, std::move(cells));
    legend_.clear();
    for (const auto& [lab, c] : counts)
        if (lab >= 0) legend_.push_back({lab, c});
    if (counts.count(-1)) legend_.push_back({-1, counts[-1]});
    hover_ = QPoint(-1, -1);
    update();
}

int MembershipPlot::windowAt(double t) const {
    const int W = windows();
    if (W == 0 || !std::isfinite(t)) return -1;
    int best = 0;
    for (int w = 1; w < W; ++w)
        if (std::fabs(centre(w) - t) < std::fabs(centre(best) - t)) best = w;
    return best;
}

int MembershipPlot::labelAt(int row, int window) const {
    if (row < 0 || row >= n_ || window < 0 || window >= windows()) return -1;
    return labels_[size_t(window)][size_t(order_[size_t(row)])];
}

QColor MembershipPlot::colorForLabel(int label) const {
    return label < 0 ? heat_.nanColor() : heat_.colorFor(double(label % (kMaxLabel + 1)), 0, kMaxLabel);
}

std::pair<double, double> MembershipPlot::timeSpan() const {
    const int W = windows();
    if (W == 0) return {0, 1};
    const double step = W > 1 ? (centre(W - 1) - centre(0)) / (W - 1) : (end_[0] - start_[0]);
    const double half = std::max(1e-9, step / 2);
    return {centre(0) - half, centre(W - 1) + half};
}

// ---- geometry -------------------------------------------------------------------------------------------
MembershipPlot::Layout MembershipPlot::layout(const QSizeF& logical) const {
    Layout l;
    l.title = QRectF(0, 0, logical.width(), kTitleH);
    const double w = std::max(10.0, logical.width() - kLeft - kLegendW - 2 * kPad);
    const double h = std::max(10.0, logical.height() - kTitleH - kBottom);
    l.grid = QRectF(kLeft, kTitleH, w, h);
    l.legend = QRectF(l.grid.right() + kPad, kTitleH, kLegendW, h);
    l.rowH = n_ > 0 ? h / n_ : 0;
    l.colW = windows() > 0 ? w / windows() : 0;
    return l;
}

QRectF MembershipPlot::gridRect() const {
    return layout(QSizeF(size())).grid;
}

QRectF MembershipPlot::legendRect() const {
    return layout(QSizeF(size())).legend;
}

QRectF MembershipPlot::cellRect(int row, int window) const {
    const Layout l = layout(QSizeF(size()));
    if (row < 0 || row >= n_ || window < 0 || window >= windows()) return QRectF();
    return QRectF(l.grid.left() + window * l.colW, l.grid.top() + row * l.rowH, l.colW, l.rowH);
}

QRectF MembershipPlot::legendSwatch(size_t i) const {
    const Layout l = layout(QSizeF(size()));
    const double y = l.legend.top() + kLegendHead + double(i) * kRowH;
    if (i >= legend_.size() || y + kRowH > l.legend.bottom() - kRowH) return QRectF();
    return QRectF(l.legend.left() + 2, y + (kRowH - kSwatch) / 2, kSwatch, kSwatch);
}

QRectF MembershipPlot::legendMoreRect() const {
    const Layout l = layout(QSizeF(size()));
    size_t shown = 0;
    while (shown < legend_.size() && !legendSwatch(shown).isEmpty()) ++shown;
    if (shown == legend_.size()) return QRectF();
    return QRectF(l.legend.left(), l.legend.top() + kLegendHead + double(shown) * kRowH, l.legend.width(),
                  kRowH);
}

// ---- drawing --------------------------------------------------------------------------------------------
void MembershipPlot::initPlotGL() {
    heat_.initGL(this, loadProgram(QStringLiteral("heatmap")));
}

void MembershipPlot::releasePlotGL() {
    heat_.releaseGL();
}

void MembershipPlot::syncGpu() {
    heat_.syncGL();
}

void MembershipPlot::drawGL(const QSizeF& logical, double) {
    if (n_ <= 0 || windows() == 0 || !heat_.ready()) return;
    const Layout l = layout(logical);
    glDisable(GL_DEPTH_TEST);
    heat_.bind(0, kMaxLabel);
    setViewport(l.grid);
    heat_.drawCells();
    heat_.unbind();
    glDisable(GL_SCISSOR_TEST);
}

void MembershipPlot::drawVectorData(QPainter& p, const QSizeF& logical) {
    if (n_ <= 0 || windows() == 0) return;
    heat_.paintCells(p, layout(logical).grid, 0, kMaxLabel);
}

void MembershipPlot::drawAnnotations(QPainter& p, const QSizeF& logical) {
    const Layout l = layout(logical);
    const Style& st = style();
    p.save();
    p.setFont(labelFont(12));
    drawText(p, l.title, Qt::AlignCenter, title_);
    p.setFont(labelFont());
    if (n_ <= 0 || windows() == 0) {
        drawText(p, QRectF(QPointF(0, kTitleH), logical), Qt::AlignCenter,
                 QStringLiteral("no communities: run Dynamic Communities"));
        p.restore();
        return;
    }
    p.setPen(QPen(st.axis, 1.0));
    p.setBrush(Qt::NoBrush);
    p.drawRect(l.grid);
    // Neuron names (every k-th when rows are thin).
    p.setFont(rowLabelFont(l.rowH));
    const int every = rowLabelEvery(l.rowH);
    for (int r = 0; r < n_; r += every) {
        const int i = order_[size_t(r)];
        drawText(p, QRectF(0, l.grid.top() + (r + 0.5) * l.rowH - 6, kLeft - 4, 12),
                 Qt::AlignRight | Qt::AlignVCenter, i < names_.size() ? names_[i] : QString::number(i));
    }
    p.setFont(labelFont());
    // Time axis: window centres.
    const auto [t0, t1] = timeSpan();
    const auto ticks = niceTicks(t0, t1, std::max(2, int(l.grid.width() / 80)));
    const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : 1;
    p.setPen(QPen(st.axis, 1.0));
    for (double t : ticks) {
        const double x = l.grid.left() + (t - t0) / (t1 - t0) * l.grid.width();
        if (x < l.grid.left() - 0.5 || x > l.grid.right() + 0.5) continue;
        p.drawLine(QPointF(x, l.grid.bottom()), QPointF(x, l.grid.bottom() + 4));
        drawText(p, QRectF(x - 40, l.grid.bottom() + 5, 80, 14), Qt::AlignHCenter | Qt::AlignTop,
                 tickLabel(t, step));
    }
    drawText(p, QRectF(l.grid.left(), l.grid.bottom() + 19, l.grid.width(), 14),
             Qt::AlignHCenter | Qt::AlignTop,
             timeUnit_ == QLatin1String("s") ? QStringLiteral("window centre (s)")
                                             : QStringLiteral("window centre (%1)").arg(timeUnit_));
    // Cursor: the window at the playback time.
    const int cw = windowAt(cursor_);
    if (cw >= 0) {
        const QRectF col(l.grid.left() + cw * l.colW, l.grid.top(), l.colW, l.grid.height());
        p.setPen(QPen(st.axis, 1.5));
        p.drawRect(col);
    }
    // Legend of communities.
    // Two lines, so the heading fits the legend's width.
    drawText(p, QRectF(l.legend.left(), l.legend.top(), l.legend.width(), 16),
             Qt::AlignLeft | Qt::AlignVCenter, QStringLiteral("community"));
    drawText(p, QRectF(l.legend.left(), l.legend.top() + 16, l.legend.width(), 16),
             Qt::AlignLeft | Qt::AlignVCenter, QStringLiteral("(neuron-windows)"));
    size_t shown = 0;
    for (size_t i = 0; i < legend_.size(); ++i) {
        const double y = l.legend.top() + kLegendHead + double(i) * kRowH;
        if (y + kRowH > l.legend.bottom() - kRowH) break;
        const QRectF sw(l.legend.left() + 2, y + (kRowH - kSwatch) / 2, kSwatch, kSwatch);
        p.fillRect(sw, colorForLabel(legend_[i].label));
        p.setPen(QPen(st.axis, 0.5));
        p.drawRect(sw);
        const QString text = legend_[i].label < 0
                                 ? QStringLiteral("none (%1)").arg(legend_[i].cells)
                                 : QStringLiteral("C%1 (%2)").arg(legend_[i].label).arg(legend_[i].cells);
        drawText(p, QRectF(sw.right() + 4, y, l.legend.width() - kSwatch - 8, kRowH),
                 Qt::AlignLeft | Qt::AlignVCenter, text);
        ++shown;
    }
    // Below the last entry of the layout being drawn (a figure's, not the widget's).
    if (shown < legend_.size())
        drawText(p,
                 QRectF(l.legend.left(), l.legend.top() + kLegendHead + double(shown) * kRowH,
                        l.legend.width(), kRowH),
                 Qt::AlignLeft | Qt::AlignVCenter, QStringLiteral("+%1 more").arg(legend_.size() - shown));
    p.restore();
}

void MembershipPlot::drawReadouts() {
    if (hover_.x() < 0) return;
    const int r = hover_.y(), w = hover_.x();
    const int i = order_[size_t(r)];
    const QString name = i < names_.size() ? names_[i] : QString::number(i);
    const int lab = labelAt(r, w);
    const QString s = QStringLiteral("%1  window %2 (%3–%4 %5): %6")
                          .arg(name)
                          .arg(w)
                          .arg(start_[size_t(w)], 0, 'g', 5)
                          .arg(end_[size_t(w)], 0, 'g', 5)
                          .arg(timeUnit_ == QLatin1String("s") ? timeUnit_ : timeUnit_ + QLatin1Char('s'))
                          .arg(lab < 0 ? QStringLiteral("no community") : QStringLiteral("C%1").arg(lab));
    ImGui::BeginTooltip();
    ImGui::TextUnformatted(s.toUtf8().constData());
    ImGui::EndTooltip();
}

void MembershipPlot::mouseMoveEvent(QMouseEvent* e) {
    const Layout l = layout(QSizeF(size()));
    QPoint c(-1, -1);
    if (n_ > 0 && windows() > 0 && l.grid.contains(e->position()))
        c = QPoint(std::min(windows() - 1, int((e->position().x() - l.grid.left()) / l.colW)),
                   std::min(n_ - 1, int((e->position().y() - l.grid.top()) / l.rowH)));
    if (c != hover_) {
        hover_ = c;
        update();
    }
    PlotWidget::mouseMoveEvent(e);
}

void MembershipPlot::leaveEvent(QEvent* e) {
    hover_ = QPoint(-1, -1);
    update();
    PlotWidget::leaveEvent(e);
}
