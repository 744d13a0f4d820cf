#include "plots/HeatmapPainter.h"

#include <QFontMetricsF>
#include <QOpenGLFunctions_3_3_Core>
#include <QOpenGLShaderProgram>
#include <QPainter>
#include <QVector2D>
#include <algorithm>
#include <cmath>
#include <limits>

#include "model/Palette.h"

namespace colormaps {

QColor diverging(double x) {
    // ColorBrewer RdBu (11 classes) from blue to red.
    static const QColor kStops[] = {
        QColor(0x05, 0x30, 0x61), QColor(0x21, 0x66, 0xac), QColor(0x43, 0x93, 0xc3),
        QColor(0x92, 0xc5, 0xde), QColor(0xd1, 0xe5, 0xf0), QColor(0xf7, 0xf7, 0xf7),
        QColor(0xfd, 0xdb, 0xc7), QColor(0xf4, 0xa5, 0x82), QColor(0xd6, 0x60, 0x4d),
        QColor(0xb2, 0x18, 0x2b), QColor(0x67, 0x00, 0x1f)};
    x = std::clamp(std::isfinite(x) ? x : 0.5, 0.0, 1.0) * 10.0;
    const int i = std::min(9, int(x));
    const double f = x - i;
    const QColor& a = kStops[i];
    const QColor& b = kStops[i + 1];
    return QColor(int(std::lround(a.red() + f * (b.red() - a.red()))),
                  int(std::lround(a.green() + f * (b.green() - a.green()))),
                  int(std::lround(a.blue() + f * (b.blue() - a.blue()))));
}

QColor community(int label) {
    // The categorical colours of every view (nr::palette): communities, classes, edge types and highlights
    // stay apart in one legend.
    if (label < 0) return QColor(nr::palette::kUnknown.r, nr::palette::kUnknown.g, nr::palette::kUnknown.b);
    label %= 256; // the heatmap's colour map has 256 entries
    if (label < 12) {
        const nr::palette::Rgb c = nr::palette::kCategorical[label];
        return QColor(c.r, c.g, c.b);
    }
    // Further labels: hues a golden angle apart, alternating lightness so neighbours differ.
    const double hue = std::fmod(0.07 + 0.6180339887498949 * label, 1.0);
    return QColor::fromHsvF(float(hue), label % 2 ? 0.55f : 0.8f, label % 3 ? 0.85f : 0.65f).toRgb();
}

} // namespace colormaps

HeatmapPainter::HeatmapPainter() {
    setColorMap(&colormaps::diverging);
}

HeatmapPainter::~HeatmapPainter() = default;

void HeatmapPainter::setColorMap(const ColorMap& map) {
    lut_.resize(256);
    for (int i = 0; i < 256; ++i) lut_[size_t(i)] = map(i / 255.0).toRgb();
    dirtyLut_ = true;
}

QColor HeatmapPainter::mapColor(double x) const {
    if (!std::isfinite(x)) x = 0.5;
    x = std::clamp(x, 0.0, 1.0);
    return lut_[size_t(std::lround(std::floor(x * 255.0 + 0.5)))];
}

QColor HeatmapPainter::colorFor(double v, double lo, double hi) const {
    if (std::isnan(v)) return nan_;
    const double x = hi > lo ? (v - lo) / (hi - lo) : 0.5;
    return mapColor(x);
}

void HeatmapPainter::setValues(int w, int h, std::vector<float> values) {
    if (w <= 0 || h <= 0 || values.size() < size_t(w) * size_t(h)) {
        w = h = 0;
        values.clear();
    }
    w_ = w;
    h_ = h;
    values_ = std::move(values);
    dirtyValues_ = true;
}

// ---- GL -------------------------------------------------------------------------------------------------
void HeatmapPainter::initGL(QOpenGLFunctions_3_3_Core* gl, std::unique_ptr<QOpenGLShaderProgram> program) {
    gl_ = gl;
    prog_ = std::move(program);
    // Two quads covering the viewport (position, uv): the cells (row 0 at the top) and the bar (v = value).
    gl_->glGenVertexArrays(1, &vao_);
    gl_->glGenBuffers(1, &vbo_);
    gl_->glBindVertexArray(vao_);
    gl_->glBindBuffer(GL_ARRAY_BUFFER, vbo_);
    for (unsigned a = 0; a < 2; ++a) {
        gl_->glEnableVertexAttribArray(a);
        gl_->glVertexAttribPointer(a, 2, GL_FLOAT, GL_FALSE, 4 * sizeof(float),
                                   reinterpret_cast<void*>(size_t(a) * 2 * sizeof(float)));
    }
    gl_->glBindVertexArray(0);
    gl_->glBindBuffer(GL_ARRAY_BUFFER, 0);
    for (unsigned* t : {&valTex_, &lutTex_}) {
        gl_->glGenTextures(1, t);
        gl_->glBindTexture(GL_TEXTURE_2D, *t);
        gl_->glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
        gl_->glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
        gl_->glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
        gl_->glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    }
    gl_->glBindTexture(GL_TEXTURE_2D, 0);
    dirtyValues_ = dirtyLut_ = true;
}

void HeatmapPainter::releaseGL() {
    if (gl_) {
        gl_->glDeleteVertexArrays(1, &vao_);
        gl_->glDeleteBuffers(1, &vbo_);
        gl_->glDeleteTextures(1, &valTex_);
        gl_->glDeleteTextures(1, &lutTex_);
    }
    vao_ = vbo_ = valTex_ = lutTex_ = 0;
    prog_.reset();
    gl_ = nullptr;
}

bool HeatmapPainter::ready() const {
    return gl_ && prog_ && vao_;
}

void HeatmapPainter::syncGL() {
    if (!ready()) return;
    if (dirtyLut_) {
        std::vector<uint8_t> lut(256 * 4);
        for (size_t i = 0; i < 256; ++i) {
            lut[4 * i] = uint8_t(lut_[i].red());
            lut[4 * i + 1] = uint8_t(lut_[i].green());
            lut[4 * i + 2] = uint8_t(lut_[i].blue());
            lut[4 * i + 3] = 255;
        }
        gl_->glBindTexture(GL_TEXTURE_2D, lutTex_);
        gl_->glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, 256, 1, 0, GL_RGBA, GL_UNSIGNED_BYTE, lut.data());
        dirtyLut_ = false;
    }
    if (dirtyValues_) {
        gl_->glBindTexture(GL_TEXTURE_2D, valTex_);
        gl_->glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
        const float none = std::numeric_limits<float>::quiet_NaN();
        gl_->glTexImage2D(GL_TEXTURE_2D, 0, GL_R32F, std::max(1, w_), std::max(1, h_), 0, GL_RED, GL_FLOAT,
                          values_.empty() ? &none : values_.data());
        gl_->glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
        dirtyValues_ = false;
    }
    gl_->glBindTexture(GL_TEXTURE_2D, 0);
}

void HeatmapPainter::bind(double lo, double hi) {
    if (!ready()) return;
    syncGL();
    prog_->bind();
    gl_->glActiveTexture(GL_TEXTURE0);
    gl_->glBindTexture(GL_TEXTURE_2D, valTex_);
    gl_->glActiveTexture(GL_TEXTURE1);
    gl_->glBindTexture(GL_TEXTURE_2D, lutTex_);
    gl_->glActiveTexture(GL_TEXTURE0);
    prog_->setUniformValue("uValues", 0);
    prog_->setUniformValue("uColorMap", 1);
    prog_->setUniformValue("uScale", QVector2D(1, 1));
    prog_->setUniformValue("uOffset", QVector2D(0, 0));
    prog_->setUniformValue("uMin", float(lo));
    prog_->setUniformValue("uMax", float(hi));
    prog_->setUniformValue("uNanColor", nan_);
    gl_->glBindVertexArray(vao_);
    gl_->glBindBuffer(GL_ARRAY_BUFFER, vbo_);
}

void HeatmapPainter::drawCells(float u0, float u1) {
    if (!ready()) return;
    const float q[] = {-1, -1, u0, 1, 1, -1, u1, 1, 1, 1, u1, 0, -1, -1, u0, 1, 1, 1, u1, 0, -1, 1, u0, 0};
    gl_->glBufferData(GL_ARRAY_BUFFER, sizeof(q), q, GL_STREAM_DRAW);
    prog_->setUniformValue("uMode", 0);
    gl_->glDrawArrays(GL_TRIANGLES, 0, 6);
}

void HeatmapPainter::drawBar() {
    if (!ready()) return;
    const float q[] = {-1, -1, 0, 0, 1, -1, 1, 0, 1, 1, 1, 1, -1, -1, 0, 0, 1, 1, 1, 1, -1, 1, 0, 1};
    gl_->glBufferData(GL_ARRAY_BUFFER, sizeof(q), q, GL_STREAM_DRAW);
    prog_->setUniformValue("uMode", 1);
    gl_->glDrawArrays(GL_TRIANGLES, 0, 6);
}

void HeatmapPainter::unbind() {
    if (!ready()) return;
    gl_->glActiveTexture(GL_TEXTURE1);
    gl_->glBindTexture(GL_TEXTURE_2D, 0);
    gl_->glActiveTexture(GL_TEXTURE0);
    gl_->glBindTexture(GL_TEXTURE_2D, 0);
    gl_->glBindVertexArray(0);
    gl_->glBindBuffer(GL_ARRAY_BUFFER, 0);
    prog_->release();
}

// ---- QPainter -------------------------------------------------------------------------------------------
QImage HeatmapPainter::image(double lo, double hi) const {
    QImage img(std::max(1, w_), std::max(1, h_), QImage::Format_RGB32);
    img.fill(nan_);
    for (int r = 0; r < h_; ++r) {
        auto* line = reinterpret_cast<QRgb*>(img.scanLine(r));
        for (int c = 0; c < w_; ++c)
            line[c] = colorFor(values_[size_t(r) * size_t(w_) + size_t(c)], lo, hi).rgb();
    }
    return img;
}

void HeatmapPainter::paintCells(QPainter& p, const QRectF& target, double lo, double hi, double u0,
                                double u1) const {
    if (w_ <= 0 || h_ <= 0) return;
    const QImage img = image(lo, hi);
    p.save();
    p.setRenderHint(QPainter::SmoothPixmapTransform, false);
    p.drawImage(target, img, QRectF(img.width() * u0, 0, img.width() * (u1 - u0), img.height()));
    p.restore();
}

void HeatmapPainter::paintBar(QPainter& p, const QRectF& bar) const {
    QImage img(1, 256, QImage::Format_RGB32);
    for (int i = 0; i < 256; ++i) img.setPixelColor(0, 255 - i, lut_[size_t(i)]);
    p.save();
    p.setRenderHint(QPainter::SmoothPixmapTransform, false);
    p.drawImage(bar, img);
    p.restore();
}

void HeatmapPainter::drawBarAxis(QPainter& p, const QRectF& bar, double lo, double hi,
                                 const std::vector<double>& ticks, const QString& label, const BarStyle& st) {
    p.save();
    p.setFont(st.font);
    p.setPen(QPen(st.axis, 1.0));
    p.setBrush(Qt::NoBrush);
    p.drawRect(bar);
    const double h = QFontMetricsF(p.font()).height();
    for (double v : ticks) {
        if (!(hi > lo) || v < lo - 1e-12 || v > hi + 1e-12) continue;
        const double y = bar.bottom() - (v - lo) / (hi - lo) * bar.height();
        p.setPen(QPen(st.axis, 1.0));
        p.drawLine(QPointF(bar.right(), y), QPointF(bar.right() + 3, y));
        p.setPen(st.text);
        p.drawText(QRectF(bar.right() + 5, y - h / 2, st.tickLabelWidth, h), Qt::AlignLeft | Qt::AlignVCenter,
                   QString::number(v, 'g', 3));
    }
    if (!label.isEmpty()) {
        p.setPen(st.text);
        p.translate(bar.right() + 7 + st.tickLabelWidth, bar.center().y());
        p.rotate(-90);
        p.drawText(QRectF(-bar.height() / 2 - 40, 0, bar.height() + 80, h), Qt::AlignHCenter | Qt::AlignTop,
                   label);
    }
    p.restore();
}
