#include "plots/MatrixPlot.h"

#include <QFontMetricsF>
#include <QMouseEvent>
#include <QOpenGLShaderProgram>
#include <QPainter>
#include <algorithm>
#include <cmath>
#include <imgui.h>
#include <limits>

namespace {
constexpr double kTitleH = 22, kPad = 8, kBarGap = 12, kBarW = 12, kTickW = 34, kBarLabelW = 18;
constexpr double kMinLabelCell = 7; // thinner cells write every k-th name
constexpr int kMaxItems = 4096;
} // namespace

MatrixPlot::MatrixPlot(QWidget* parent) : PlotWidget(parent) {
    heat_.setColorMap(&colormaps::diverging);
}

MatrixPlot::~MatrixPlot() {
    teardownGL();
}

void MatrixPlot::setMatrix(const std::vector<double>& values, int n, const QStringList& labels) {
    if (n < 0 || n > kMaxItems || values.size() != size_t(n) * size_t(n)) n = 0;
    n_ = n;
    values_ = n ? values : std::vector<double>();
    labels_ = labels;
    rebuild();
}

void MatrixPlot::setOrder(const std::vector<int>& order) {
    requested_ = order;
    rebuild();
}

void MatrixPlot::setRange(double lo, double hi) {
    if (!(hi > lo)) return;
    lo_ = lo;
    hi_ = hi;
    update();
}

void MatrixPlot::setColorMap(const HeatmapPainter::ColorMap& map) {
    heat_.setColorMap(map);
    update();
}

void MatrixPlot::setTitle(const QString& title) {
    title_ = title;
    update();
}

void MatrixPlot::setValueLabel(const QString& label) {
    valueLabel_ = label;
    update();
}

void MatrixPlot::rebuild() {
    order_.clear();
    std::vector<char> used(size_t(n_), 0);
    for (int i : requested_)
        if (i >= 0 && i < n_ && !used[size_t(i)]) {
            order_.push_back(i);
            used[size_t(i)] = 1;
        }
    for (int i = 0; i < n_; ++i)
        if (!used[size_t(i)]) order_.push_back(i);
    std::vector<float> cells(size_t(n_) * size_t(n_));
    for (int r = 0; r < n_; ++r)
        for (int c = 0; c < n_; ++c)
            cells[size_t(r) * size_t(n_) + size_t(c)] =
                float(values_[size_t(order_[size_t(r)]) * size_t(n_) + size_t(order_[size_t(c)])]);
    heat_.setValues(n_, n_, std::move(cells));
    hover_ = QPoint(-1, -1);
    update();
}

double MatrixPlot::valueAt(int row, int col) const {
    if (row < 0 || col < 0 || row >= n_ || col >= n_) return std::numeric_limits<double>::quiet_NaN();
    return values_[size_t(order_[size_t(row)]) * size_t(n_) + size_t(order_[size_t(col)])];
}

int MatrixPlot::labelStep() const {
    const double cell = layout(QSizeF(size())).cell;
    return cell > 0 ? std::max(1, int(std::ceil(kMinLabelCell / cell))) : 1;
}

// ---- geometry -------------------------------------------------------------------------------------------
MatrixPlot::Layout MatrixPlot::layout(const QSizeF& logical) const {
    Layout l;
    l.title = QRectF(0, 0, logical.width(), kTitleH);
    // Room for names: the widest label at the label font (at most 70 units), when there are labels.
    double lm = 18;
    if (!labels_.isEmpty()) {
        QFontMetricsF fm(inFigure() ? labelFont() : labelFont(9));
        double w = 0;
        for (const QString& s : labels_) w = std::max(w, fm.horizontalAdvance(s));
        lm = std::min(70.0, w + 8);
    }
    l.labelMargin = lm;
    const double right = kBarGap + kBarW + kTickW + kBarLabelW + kPad;
    const double side =
        std::max(10.0, std::min(logical.width() - lm - right - kPad, logical.height() - kTitleH - lm - kPad));
    // Centre the block horizontally.
    const double blockW = lm + side + right;
    const double x0 = std::max(kPad, (logical.width() - blockW) / 2) + lm;
    l.matrix = QRectF(x0, kTitleH + 2, side, side);
    l.bar = QRectF(l.matrix.right() + kBarGap, l.matrix.top(), kBarW, side);
    l.cell = n_ > 0 ? side / n_ : 0;
    return l;
}

QRectF MatrixPlot::matrixRect() const {
    return layout(QSizeF(size())).matrix;
}

QRectF MatrixPlot::colorBarRect() const {
    return layout(QSizeF(size())).bar;
}

QRectF MatrixPlot::cellRect(int row, int col) const {
    const Layout l = layout(QSizeF(size()));
    if (row < 0 || col < 0 || row >= n_ || col >= n_) return QRectF();
    return QRectF(l.matrix.left() + col * l.cell, l.matrix.top() + row * l.cell, l.cell, l.cell);
}

QPoint MatrixPlot::cellAt(QPointF pos) const {
    const Layout l = layout(QSizeF(size()));
    if (n_ <= 0 || !l.matrix.contains(pos)) return QPoint(-1, -1);
    return QPoint(std::min(n_ - 1, int((pos.x() - l.matrix.left()) / l.cell)),
                  std::min(n_ - 1, int((pos.y() - l.matrix.top()) / l.cell)));
}

// ---- drawing --------------------------------------------------------------------------------------------
void MatrixPlot::initPlotGL() {
    heat_.initGL(this, loadProgram(QStringLiteral("heatmap")));
}

void MatrixPlot::releasePlotGL() {
    heat_.releaseGL();
}

void MatrixPlot::syncGpu() {
    heat_.syncGL();
}

void MatrixPlot::drawGL(const QSizeF& logical, double) {
    if (n_ <= 0 || !heat_.ready()) return;
    const Layout l = layout(logical);
    glDisable(GL_DEPTH_TEST);
    heat_.bind(lo_, hi_);
    setViewport(l.matrix);
    heat_.drawCells();
    setViewport(l.bar);
    heat_.drawBar();
    heat_.unbind();
    glDisable(GL_SCISSOR_TEST);
}

void MatrixPlot::drawVectorData(QPainter& p, const QSizeF& logical) {
    if (n_ <= 0) return;
    const Layout l = layout(logical);
    heat_.paintCells(p, l.matrix, lo_, hi_);
    heat_.paintBar(p, l.bar);
}

void MatrixPlot::drawAnnotations(QPainter& p, const QSizeF& logical) {
    const Layout l = layout(logical);
    const Style& st = style();
    p.save();
    p.setFont(labelFont(12));
    drawText(p, l.title, Qt::AlignCenter, title_);
    p.setFont(labelFont());
    if (n_ <= 0) {
        drawText(p, QRectF(QPointF(0, kTitleH), logical), Qt::AlignCenter, QStringLiteral("no matrix"));
        p.restore();
        return;
    }
    p.setPen(QPen(st.axis, 1.0));
    p.setBrush(Qt::NoBrush);
    p.drawRect(l.matrix);
    // Names on the left (rows) and under the matrix (columns, written upwards), every k-th when thin.
    if (!labels_.isEmpty()) {
        p.setFont(inFigure() ? labelFont() : labelFont(std::clamp(l.cell * 0.9, 6.0, 9.0)));
        const int every =
            inFigure() ? rowLabelEvery(l.cell) : std::max(1, int(std::ceil(kMinLabelCell / l.cell)));
        for (int r = 0; r < n_; r += every) {
            const int item = order_[size_t(r)];
            const QString name = item < labels_.size() ? labels_[item] : QString::number(item);
            const double c = l.matrix.top() + (r + 0.5) * l.cell;
            drawText(p, QRectF(l.matrix.left() - l.labelMargin, c - 6, l.labelMargin - 3, 12),
                     Qt::AlignRight | Qt::AlignVCenter, name);
            p.save();
            p.translate(l.matrix.left() + (r + 0.5) * l.cell, l.matrix.bottom() + 3);
            p.rotate(-90);
            drawText(p, QRectF(-l.labelMargin + 3, -6, l.labelMargin - 3, 12),
                     Qt::AlignRight | Qt::AlignVCenter, name);
            p.restore();
        }
    }
    // Hovered cell outlined.
    if (hover_.x() >= 0 && !exporting()) {
        p.setPen(QPen(st.axis, 1.5));
        p.drawRect(QRectF(l.matrix.left() + hover_.x() * l.cell, l.matrix.top() + hover_.y() * l.cell, l.cell,
                          l.cell));
    }
    const auto ticks = niceTicks(lo_, hi_, std::max(2, int(l.bar.height() / 40)));
    HeatmapPainter::drawBarAxis(p, l.bar, lo_, hi_, ticks, valueLabel_,
                                {st.axis, st.text, labelFont(), kTickW});
    p.restore();
}

void MatrixPlot::drawReadouts() {
    if (hover_.x() < 0 || n_ <= 0) return;
    auto name = [&](int row) {
        const int item = order_[size_t(row)];
        return item < labels_.size() ? labels_[item] : QString::number(item);
    };
    const QString s = QStringLiteral("%1 – %2: %3 = %4")
                          .arg(name(hover_.y()), name(hover_.x()), valueLabel_)
                          .arg(valueAt(hover_.y(), hover_.x()), 0, 'f', 3);
    ImGui::BeginTooltip();
    ImGui::TextUnformatted(s.toUtf8().constData());
    ImGui::EndTooltip();
}

void MatrixPlot::mouseMoveEvent(QMouseEvent* e) {
    const QPoint c = cellAt(e->position());
    if (c != hover_) {
        hover_ = c;
        update();
    }
    PlotWidget::mouseMoveEvent(e);
}

void MatrixPlot::leaveEvent(QEvent* e) {
    hover_ = QPoint(-1, -1);
    update();
    PlotWidget::leaveEvent(e);
}
