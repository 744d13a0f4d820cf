#include "plots/RasterPlot.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QOpenGLContext>
#include <QOpenGLFunctions>
#include <QOpenGLShaderProgram>
#include <QPainter>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>
#include <imgui.h>
#include <numeric>

#include "imgui/ImGuiLayer.h"

namespace {

constexpr uint32_t kMaxNeurons = 1u << 26;       // rows beyond this are refused as bad input
constexpr size_t kMaxRateBins = size_t(1) << 24; // bins beyond this are not counted

struct GpuSpike {
    float t;
    uint32_t neuron;
};

constexpr double kMarginLeft = 64, kMarginRight = 16, kMarginTop = 26, kMarginBottom = 42, kGap = 10;

} // namespace

RasterPlot::RasterPlot(QWidget* parent) : PlotWidget(parent), store_(std::make_shared<nr::SpikeStore>()) {
    rateClock_.start();
    resetView();
}

RasterPlot::~RasterPlot() {
    teardownGL();
}

// ---------------------------------------------------------------------------------------------------------
// Data

void RasterPlot::setStore(std::shared_ptr<nr::SpikeStore> store) {
    store_ = store ? std::move(store) : std::make_shared<nr::SpikeStore>();
    seenGeneration_ = seenRowVersion_ = 0;
    storeChanged();
    resetView();
}

void RasterPlot::storeChanged() {
    syncStore();
    arrivedSinceTick_ += 0;
    if (follow_) followNewest();
    update();
}

void RasterPlot::syncStore() {
    const nr::SpikeStore& s = *store_;
    if (s.generation() != seenGeneration_) {
        // A new source, or the oldest spikes were evicted: every derived index starts again.
        for (Chunk& c : chunks_)
            if (c.vbo) spare_.push_back({c.vao, c.vbo});
        chunks_.clear();
        chunkMaxPrefix_.clear();
        indexed_ = uploaded_ = drawn_ = 0;
        rateDirtyFrom_ = rateUploaded_ = 0;
        hover_ = Hit();
        seenGeneration_ = s.generation();
        newest_ = 0;
        ++styleVersion_;
    }
    if (s.rowVersion() != seenRowVersion_) {
        const size_t n = s.unitCount();
        if (!colors_.empty()) colors_.resize(n, style().dot.rgba());
        selected_.resize(n, 0);
        rowTexDirty_ = colorTexDirty_ = true;
        ++styleVersion_;
        if (!rowsUser_ || r1_ > std::max<double>(1, n) * 4) {
            rowsUser_ = false;
            r0_ = 0;
            r1_ = std::max<double>(1, n);
        }
        seenRowVersion_ = s.rowVersion();
        hover_ = Hit();
    }
    const auto& times = s.times();
    for (size_t i = indexed_; i < times.size(); ++i) {
        const double t = times[i];
        const size_t c = i / kChunkSpikes;
        if (c == chunks_.size()) {
            Chunk ch;
            ch.base = ch.tMin = ch.tMax = t;
            chunks_.push_back(ch);
            chunkMaxPrefix_.push_back(chunkMaxPrefix_.empty() ? t : std::max(chunkMaxPrefix_.back(), t));
        } else {
            Chunk& ch = chunks_[c];
            if (t < times[i - 1]) ch.sorted = false;
            ch.tMin = std::min(ch.tMin, t);
            ch.tMax = std::max(ch.tMax, t);
            chunkMaxPrefix_[c] = std::max(chunkMaxPrefix_[c], t);
        }
    }
    indexed_ = times.size();
    newest_ = s.empty() ? 0 : s.dataMax();
    rateDirtyFrom_ = std::min(rateDirtyFrom_, s.rateDirtyFrom());
}

void RasterPlot::growNeurons(uint32_t n) {
    if (n <= store_->unitCount()) return;
    store_->setUnitCount(std::min(n, kMaxNeurons));
    syncStore();
}

void RasterPlot::setNeuronCount(uint32_t n) {
    store_->setUnitCount(std::min(n, kMaxNeurons));
    syncStore();
    update();
}

void RasterPlot::appendSpikes(const nr::SpikeEvent* ev, size_t n) {
    if (!ev || n == 0) return;
    store_->append(ev, n);
    syncStore();
    arrivedSinceTick_ += n;
    if (follow_) followNewest();
    update();
}

void RasterPlot::clear() {
    store_->clearSpikes();
    syncStore();
    if (follow_) followNewest();
    update();
}

void RasterPlot::setSpikes(const nr::SpikeTrains& s) {
    const bool wasFollow = follow_;
    follow_ = false;
    store_->assign(s);
    syncStore();
    if (wasFollow) emit followChanged(false);
    resetView();
}

void RasterPlot::setRateBinWidth(double seconds) {
    if (!(seconds > 0) || !std::isfinite(seconds)) return;
    store_->setRateBinWidth(seconds);
    rateDirtyFrom_ = 0;
    syncStore();
    update();
}

void RasterPlot::setRateVisible(bool on) {
    rateVisible_ = on;
    update();
}

double RasterPlot::rateNorm() const {
    return store_->rateNorm();
}

std::vector<double> RasterPlot::rateHz() const {
    return store_->rateHz();
}

double RasterPlot::rateMax(double ta, double tb) const {
    if (store_->rateCounts().empty()) return 1;
    const double start = rateBinStart();
    const long long a = std::max(0LL, (long long)std::floor((ta - start) / store_->rateBinWidth()));
    const long long b = std::min((long long)store_->rateCounts().size() - 1,
                                 (long long)std::ceil((tb - start) / store_->rateBinWidth()));
    uint32_t m = 0;
    for (long long i = a; i <= b; ++i) m = std::max(m, store_->rateCounts()[size_t(i)]);
    const double hz = m * rateNorm();
    return hz > 0 ? hz * 1.1 : 1;
}

// ---------------------------------------------------------------------------------------------------------
// Rows, colours, selection

bool RasterPlot::setRowOrder(const std::vector<uint32_t>& rowOfNeuron) {
    if (rowOfNeuron.size() > kMaxNeurons) return false;
    if (rowOfNeuron.size() > store_->unitCount()) store_->setUnitCount(uint32_t(rowOfNeuron.size()));
    {
        std::vector<uint8_t> seen(rowOfNeuron.size(), 0);
        for (uint32_t r : rowOfNeuron) {
            if (r >= rowOfNeuron.size() || seen[r]) {
                qWarning("RasterPlot::setRowOrder: row %u is out of range or repeated; the order must be a "
                         "permutation of 0..%zu",
                         r, rowOfNeuron.size() - 1);
                return false;
            }
            seen[r] = 1;
        }
    }
    if (!store_->setRowOrder(rowOfNeuron)) return false;
    syncStore();
    update();
    return true;
}

void RasterPlot::setNeuronColors(const std::vector<uint32_t>& rgba) {
    if (rgba.size() > kMaxNeurons) return;
    if (rgba.empty()) {
        colors_.clear();
    } else {
        growNeurons(uint32_t(rgba.size()));
        colors_ = rgba;
        colors_.resize(store_->rowOrder().size(), style().dot.rgba());
    }
    colorTexDirty_ = true;
    ++styleVersion_;
    update();
}

void RasterPlot::setOverviewThreshold(double spikesPerPixel) {
    if (!(spikesPerPixel > 0)) return;
    overview_ = spikesPerPixel;
    update();
}

void RasterPlot::setNeuronNames(const QStringList& names) {
    std::vector<std::string> labels;
    labels.reserve(size_t(names.size()));
    for (const QString& n : names) labels.push_back(n.toStdString());
    store_->setUnitLabels(std::move(labels));
    update();
}

void RasterPlot::setSelectedNeurons(const std::vector<uint32_t>& neurons) {
    std::fill(selected_.begin(), selected_.end(), 0);
    for (uint32_t n : neurons)
        if (n < selected_.size()) selected_[n] = 1;
    update();
}

std::vector<uint32_t> RasterPlot::selectedNeurons() const {
    std::vector<uint32_t> out;
    for (size_t i = 0; i < selected_.size(); ++i)
        if (selected_[i]) out.push_back(uint32_t(i));
    return out;
}

void RasterPlot::setLagInfo(uint64_t framesSkipped, uint64_t spikesLost) {
    framesSkipped_ = framesSkipped;
    spikesLost_ = spikesLost;
}

QStringList RasterPlot::readoutLines() const {
    QStringList l;
    l << QStringLiteral("frame %1 ms").arg(lastFrameMs(), 0, 'f', 1)
      << QStringLiteral("%1 spikes on screen").arg(drawn_)
      << QStringLiteral("%1 spikes/s").arg(arrivalRate_, 0, 'f', 0);
    if (framesSkipped_ > 0) l << QStringLiteral("display frames skipped %1").arg(framesSkipped_);
    l << QStringLiteral("spikes lost %1").arg(spikesLost_);
    return l;
}

QRectF RasterPlot::overlayRect() const {
    const Layout l = layout(QSizeF(size()));
    return QRectF(l.raster.left(), 0, l.raster.width(), std::max(0.0, l.raster.top() - 2));
}

// ---------------------------------------------------------------------------------------------------------
// View

void RasterPlot::setFollow(bool on) {
    if (follow_ == on) return;
    follow_ = on;
    if (follow_) followNewest();
    emit followChanged(on);
    update();
}

void RasterPlot::setWindowSeconds(double w) {
    if (!(w > 0) || !std::isfinite(w)) return;
    window_ = w;
    if (follow_) followNewest();
    update();
}

void RasterPlot::followNewest() {
    t1_ = std::max(newest_, window_);
    t0_ = t1_ - window_;
}

void RasterPlot::setTimeRange(double t0, double t1) {
    if (!(t1 > t0) || !std::isfinite(t0) || !std::isfinite(t1)) return;
    t0_ = t0;
    t1_ = t1;
    update();
}

void RasterPlot::setRowRange(double r0, double r1) {
    if (!(r1 > r0) || !std::isfinite(r0) || !std::isfinite(r1)) return;
    r0_ = r0;
    r1_ = r1;
    rowsUser_ = true;
    update();
}

void RasterPlot::resetView() {
    rowsUser_ = false;
    r0_ = 0;
    r1_ = std::max<double>(1, store_->rowOrder().size());
    if (follow_) {
        followNewest();
    } else if (store_->recordStop() > store_->recordStart()) {
        t0_ = store_->recordStart();
        t1_ = store_->recordStop();
    } else if (!store_->times().empty()) {
        const double pad =
            store_->dataMax() > store_->dataMin() ? 0.02 * (store_->dataMax() - store_->dataMin()) : 0.5;
        t0_ = store_->dataMin() - pad;
        t1_ = store_->dataMax() + pad;
    } else {
        t0_ = 0;
        t1_ = window_;
    }
    update();
}

RasterPlot::Layout RasterPlot::layout(const QSizeF& logical) const {
    Layout l;
    const double w = std::max(10.0, logical.width() - kMarginLeft - kMarginRight - sidePanel_);
    const double h = std::max(10.0, logical.height() - kMarginTop - kMarginBottom);
    double rateH = rateVisible_ ? std::clamp(0.22 * h, 40.0, 140.0) : 0;
    if (h - rateH - kGap < 30) rateH = 0;
    l.raster = QRectF(kMarginLeft, kMarginTop, w, rateH > 0 ? h - rateH - kGap : h);
    if (rateH > 0) l.rate = QRectF(kMarginLeft, l.raster.bottom() + kGap, w, rateH);
    return l;
}

void RasterPlot::setSidePanelWidth(double px) {
    sidePanel_ = std::clamp(px, 0.0, 600.0);
    update();
}

QRectF RasterPlot::sidePanelRect() const {
    const Layout l = layout(QSizeF(size()));
    if (sidePanel_ <= 0) return QRectF();
    const double x = l.raster.right() + kMarginRight;
    return QRectF(x, l.raster.top(), std::max(0.0, width() - x - 4),
                  std::max(0.0, height() - l.raster.top() - 4));
}

QRectF RasterPlot::rasterRect() const {
    return layout(QSizeF(size())).raster;
}

QRectF RasterPlot::rateRect() const {
    return layout(QSizeF(size())).rate;
}

double RasterPlot::pointSize(const Layout& l) const {
    const double rowPx = l.raster.height() / std::max(1e-9, r1_ - r0_);
    return std::clamp(rowPx * 0.8, 1.0, 4.0);
}

QPointF RasterPlot::mapToWidget(double t, uint32_t neuron) const {
    const QRectF r = rasterRect();
    const double row = neuron < store_->rowOrder().size() ? store_->rowOrder()[neuron] : neuron;
    return QPointF(r.left() + (t - t0_) / (t1_ - t0_) * r.width(),
                   r.bottom() - (row + 0.5 - r0_) / (r1_ - r0_) * r.height());
}

// ---------------------------------------------------------------------------------------------------------
// Spike lookup

std::pair<size_t, size_t> RasterPlot::visibleChunks(double ta, double tb) const {
    // First chunk whose running maximum reaches ta; chunks before it end before ta.
    const size_t first = size_t(std::lower_bound(chunkMaxPrefix_.begin(), chunkMaxPrefix_.end(), ta) -
                                chunkMaxPrefix_.begin());
    size_t last = chunks_.size();
    if (store_->ordered()) {
        // Chunk start times are non-decreasing: stop at the first one starting after tb.
        last = size_t(std::upper_bound(chunks_.begin() + first, chunks_.end(), tb,
                                       [](double t, const Chunk& c) { return t < c.tMin; }) -
                      chunks_.begin());
    }
    return {first, last};
}

std::pair<size_t, size_t> RasterPlot::chunkRange(size_t c, double ta, double tb) const {
    const size_t begin = c * kChunkSpikes;
    const size_t end = std::min(store_->times().size(), begin + kChunkSpikes);
    const Chunk& ch = chunks_[c];
    if (ch.tMax < ta || ch.tMin > tb) return {begin, begin};
    if (!ch.sorted) return {begin, end};
    const auto b = store_->times().begin();
    const size_t lo = size_t(std::lower_bound(b + begin, b + end, ta) - b);
    const size_t hi = size_t(std::upper_bound(b + lo, b + end, tb) - b);
    return {lo, hi};
}

template <class F> void RasterPlot::forEachSpikeIn(double ta, double tb, F&& f) const {
    const auto [c0, c1] = visibleChunks(ta, tb);
    for (size_t c = c0; c < c1; ++c) {
        const auto [lo, hi] = chunkRange(c, ta, tb);
        for (size_t i = lo; i < hi; ++i)
            if (store_->times()[i] >= ta && store_->times()[i] <= tb) f(i);
    }
}

RasterPlot::Hit RasterPlot::hitTest(QPointF pos, double radiusPx) const {
    Hit best;
    const Layout l = layout(QSizeF(size()));
    if (!l.raster.adjusted(-radiusPx, -radiusPx, radiusPx, radiusPx).contains(pos) || store_->times().empty())
        return best;
    const double secPerPx = (t1_ - t0_) / l.raster.width();
    const double reach = radiusPx + pointSize(l) * 0.5;
    const double tc = t0_ + (pos.x() - l.raster.left()) * secPerPx;
    const double rowPerPx = (r1_ - r0_) / l.raster.height();
    const double rc = r0_ + (l.raster.bottom() - pos.y()) * rowPerPx;
    double bestD = reach;
    forEachSpikeIn(tc - reach * secPerPx, tc + reach * secPerPx, [&](size_t i) {
        const double row = store_->rowOrder()[store_->units()[i]] + 0.5;
        const double dy = (row - rc) / rowPerPx;
        if (std::abs(dy) > bestD) return;
        const double dx = (store_->times()[i] - tc) / secPerPx;
        const double d = std::hypot(dx, dy);
        if (d <= bestD) {
            bestD = d;
            best.valid = true;
            best.neuron = store_->units()[i];
            best.t = store_->times()[i];
            best.index = i;
        }
    });
    return best;
}

QVector<uint32_t> RasterPlot::neuronsInRect(const QRectF& r) const {
    QVector<uint32_t> out;
    const QRectF area = rasterRect();
    const QRectF band = r.normalized().intersected(area);
    if (band.isEmpty() && band.height() <= 0) return out;
    const double rowPerPx = (r1_ - r0_) / area.height();
    const double lo = r0_ + (area.bottom() - band.bottom()) * rowPerPx;
    const double hi = r0_ + (area.bottom() - band.top()) * rowPerPx;
    // Rows [row, row + 1) that intersect [lo, hi].
    const double rowLo = std::max(0.0, std::floor(lo));
    const double rowHi = std::min(double(store_->rowOrder().size()) - 1, std::ceil(hi) - 1);
    for (size_t n = 0; n < store_->rowOrder().size(); ++n)
        if (store_->rowOrder()[n] >= rowLo && store_->rowOrder()[n] <= rowHi) out.push_back(uint32_t(n));
    return out;
}

QString RasterPlot::hoverText() const {
    if (!hover_.valid) return QString();
    QString s = QStringLiteral("neuron %1").arg(hover_.neuron);
    const std::string name = store_->unitName(hover_.neuron);
    if (name != std::to_string(hover_.neuron)) s += QStringLiteral(" (%1)").arg(QString::fromStdString(name));
    return s + QStringLiteral("\nt = %1 s").arg(hover_.t, 0, 'f', 4);
}

std::vector<nr::SpikeEvent> RasterPlot::readBackSpikes(size_t first, size_t n) {
    std::vector<nr::SpikeEvent> out;
    if (!glReady() || first >= uploaded_) return out;
    n = std::min(n, uploaded_ - first);
    makeCurrent();
    std::vector<GpuSpike> buf;
    for (size_t i = first; i < first + n;) {
        const size_t c = i / kChunkSpikes;
        const size_t off = i - c * kChunkSpikes;
        const size_t k = std::min(first + n - i, kChunkSpikes - off);
        buf.resize(k);
        glBindBuffer(GL_ARRAY_BUFFER, chunks_[c].vbo);
        glGetBufferSubData(GL_ARRAY_BUFFER, GLintptr(off * sizeof(GpuSpike)),
                           GLsizeiptr(k * sizeof(GpuSpike)), buf.data());
        for (const GpuSpike& g : buf) out.push_back({chunks_[c].base + double(g.t), g.neuron});
        i += k;
    }
    glBindBuffer(GL_ARRAY_BUFFER, 0);
    doneCurrent();
    return out;
}

// ---------------------------------------------------------------------------------------------------------
// GL

void RasterPlot::initPlotGL() {
    spikeProg_ = loadProgram(QStringLiteral("raster"));
    colorProg_ = loadProgram(QStringLiteral("color"));
    imageProg_ = loadProgram(QStringLiteral("image"));
    makeTexture(overviewTex_);
    overviewKey_.clear();
    {
        const float quad[] = {-1, -1, 0, 0, 1, -1, 1, 0, 1, 1, 1, 1, -1, -1, 0, 0, 1, 1, 1, 1, -1, 1, 0, 1};
        makeVertexArray(imageVao_, imageVbo_, {2, 2}, quad, sizeof(quad));
    }
    glGenBuffers(1, &rowBuf_);
    glGenTextures(1, &rowTex_);
    glGenBuffers(1, &colorBuf_);
    glGenTextures(1, &colorTex_);
    makeVertexArray(rateVao_, rateVbo_, {2});
    makeVertexArray(quadVao_, quadVbo_, {2, 4});
    glBindVertexArray(0);
    glBindBuffer(GL_ARRAY_BUFFER, 0);
    uploaded_ = 0;
    rateCapacity_ = rateUploaded_ = rateDirtyFrom_ = 0;
    rowTexDirty_ = colorTexDirty_ = true;
}

void RasterPlot::releasePlotGL() {
    for (Chunk& c : chunks_)
        if (c.vbo) spare_.push_back({c.vao, c.vbo});
    for (auto& [vao, vbo] : spare_) {
        glDeleteVertexArrays(1, &vao);
        glDeleteBuffers(1, &vbo);
    }
    spare_.clear();
    for (Chunk& c : chunks_) c.vao = c.vbo = 0;
    glDeleteTextures(1, &rowTex_);
    glDeleteTextures(1, &colorTex_);
    glDeleteBuffers(1, &rowBuf_);
    glDeleteBuffers(1, &colorBuf_);
    glDeleteVertexArrays(1, &rateVao_);
    glDeleteBuffers(1, &rateVbo_);
    glDeleteVertexArrays(1, &quadVao_);
    glDeleteBuffers(1, &quadVbo_);
    glDeleteTextures(1, &overviewTex_);
    glDeleteVertexArrays(1, &imageVao_);
    glDeleteBuffers(1, &imageVbo_);
    rowTex_ = colorTex_ = rowBuf_ = colorBuf_ = rateVao_ = rateVbo_ = quadVao_ = quadVbo_ = 0;
    overviewTex_ = imageVao_ = imageVbo_ = 0;
    overviewKey_.clear();
    spikeProg_.reset();
    colorProg_.reset();
    imageProg_.reset();
    uploaded_ = 0;
    rateCapacity_ = rateUploaded_ = 0;
}

void RasterPlot::syncGpu() {
    if (!glReady()) return;
    if (rowTexDirty_) {
        std::vector<uint32_t> rows = store_->rowOrder();
        if (rows.empty()) rows.push_back(0);
        glBindBuffer(GL_TEXTURE_BUFFER, rowBuf_);
        glBufferData(GL_TEXTURE_BUFFER, GLsizeiptr(rows.size() * 4), rows.data(), GL_DYNAMIC_DRAW);
        glBindTexture(GL_TEXTURE_BUFFER, rowTex_);
        glTexBuffer(GL_TEXTURE_BUFFER, GL_R32UI, rowBuf_);
        rowTexDirty_ = false;
    }
    if (colorTexDirty_) {
        std::vector<uint8_t> rgba(std::max<size_t>(1, colors_.size()) * 4, 0);
        for (size_t i = 0; i < colors_.size(); ++i) {
            const QRgb c = colors_[i];
            rgba[4 * i] = uint8_t(qRed(c));
            rgba[4 * i + 1] = uint8_t(qGreen(c));
            rgba[4 * i + 2] = uint8_t(qBlue(c));
            rgba[4 * i + 3] = uint8_t(qAlpha(c));
        }
        glBindBuffer(GL_TEXTURE_BUFFER, colorBuf_);
        glBufferData(GL_TEXTURE_BUFFER, GLsizeiptr(rgba.size()), rgba.data(), GL_DYNAMIC_DRAW);
        glBindTexture(GL_TEXTURE_BUFFER, colorTex_);
        glTexBuffer(GL_TEXTURE_BUFFER, GL_RGBA8, colorBuf_);
        colorTexDirty_ = false;
    }
    glBindTexture(GL_TEXTURE_BUFFER, 0);
    glBindBuffer(GL_TEXTURE_BUFFER, 0);

    // Spikes: append what arrived since the last upload, chunk by chunk.
    std::vector<GpuSpike> buf;
    while (uploaded_ < store_->times().size()) {
        const size_t c = uploaded_ / kChunkSpikes;
        Chunk& ch = chunks_[c];
        if (!ch.vbo) {
            if (!spare_.empty()) {
                ch.vao = spare_.back().first;
                ch.vbo = spare_.back().second;
                spare_.pop_back();
            } else {
                glGenVertexArrays(1, &ch.vao);
                glGenBuffers(1, &ch.vbo);
                glBindVertexArray(ch.vao);
                glBindBuffer(GL_ARRAY_BUFFER, ch.vbo);
                glBufferData(GL_ARRAY_BUFFER, GLsizeiptr(kChunkSpikes * sizeof(GpuSpike)), nullptr,
                             GL_DYNAMIC_DRAW);
                glEnableVertexAttribArray(0);
                glVertexAttribPointer(0, 1, GL_FLOAT, GL_FALSE, sizeof(GpuSpike), nullptr);
                glEnableVertexAttribArray(1);
                glVertexAttribIPointer(1, 1, GL_UNSIGNED_INT, sizeof(GpuSpike),
                                       reinterpret_cast<const void*>(sizeof(float)));
                glBindVertexArray(0);
            }
        }
        const size_t end = std::min(store_->times().size(), (c + 1) * kChunkSpikes);
        buf.resize(end - uploaded_);
        for (size_t i = uploaded_; i < end; ++i)
            buf[i - uploaded_] = {float(store_->times()[i] - ch.base), store_->units()[i]};
        glBindBuffer(GL_ARRAY_BUFFER, ch.vbo);
        glBufferSubData(GL_ARRAY_BUFFER, GLintptr((uploaded_ - c * kChunkSpikes) * sizeof(GpuSpike)),
                        GLsizeiptr(buf.size() * sizeof(GpuSpike)), buf.data());
        uploaded_ = end;
    }

    // Rate: bins changed since the last upload (the buffer doubles when full).
    if (store_->rateCounts().size() > rateCapacity_) {
        rateCapacity_ = std::max<size_t>(1024, 2 * store_->rateCounts().size());
        glBindBuffer(GL_ARRAY_BUFFER, rateVbo_);
        glBufferData(GL_ARRAY_BUFFER, GLsizeiptr(rateCapacity_ * 2 * sizeof(float)), nullptr,
                     GL_DYNAMIC_DRAW);
        rateDirtyFrom_ = 0;
    }
    if (rateDirtyFrom_ < store_->rateCounts().size()) {
        std::vector<float> v;
        v.reserve((store_->rateCounts().size() - rateDirtyFrom_) * 2);
        for (size_t i = rateDirtyFrom_; i < store_->rateCounts().size(); ++i) {
            v.push_back(float((double(i) + 0.5) * store_->rateBinWidth()));
            v.push_back(float(store_->rateCounts()[i]));
        }
        glBindBuffer(GL_ARRAY_BUFFER, rateVbo_);
        glBufferSubData(GL_ARRAY_BUFFER, GLintptr(rateDirtyFrom_ * 2 * sizeof(float)),
                        GLsizeiptr(v.size() * sizeof(float)), v.data());
    }
    rateDirtyFrom_ = store_->rateCounts().size();
    rateUploaded_ = store_->rateCounts().size();
    glBindBuffer(GL_ARRAY_BUFFER, 0);
}

void RasterPlot::drawGL(const QSizeF& logical, double scale) {
    if (!spikeProg_ || !colorProg_) return;
    const Layout l = layout(logical);
    glEnable(GL_BLEND);
    glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
    glEnable(GL_PROGRAM_POINT_SIZE);
    glDisable(GL_DEPTH_TEST);
    setViewport(l.raster);

    // Selected rows: translucent bands behind the dots, consecutive rows merged.
    std::vector<float> quads;
    const QColor sel = style().selection;
    auto addQuad = [&](float y0, float y1) {
        const float q[6][2] = {{-1, y0}, {1, y0}, {1, y1}, {-1, y0}, {1, y1}, {-1, y1}};
        for (auto& p : q)
            quads.insert(quads.end(), {p[0], p[1], sel.redF(), sel.greenF(), sel.blueF(), sel.alphaF()});
    };
    {
        std::vector<uint32_t> rows;
        for (size_t n = 0; n < selected_.size(); ++n)
            if (selected_[n] && store_->rowOrder()[n] + 1 > r0_ && store_->rowOrder()[n] < r1_)
                rows.push_back(store_->rowOrder()[n]);
        std::sort(rows.begin(), rows.end());
        for (size_t i = 0; i < rows.size();) {
            size_t j = i;
            while (j + 1 < rows.size() && rows[j + 1] == rows[j] + 1) ++j;
            addQuad(float(rows[i]) - float(r0_), float(rows[j] + 1) - float(r0_));
            i = j + 1;
        }
    }
    if (!quads.empty()) {
        colorProg_->bind();
        colorProg_->setUniformValue("uScale", QVector2D(1.f, float(2.0 / (r1_ - r0_))));
        colorProg_->setUniformValue("uOffset", QVector2D(0.f, -1.f));
        colorProg_->setUniformValue("uPointSize", 1.f);
        colorProg_->setUniformValue("uRoundPoints", 0);
        glBindVertexArray(quadVao_);
        glBindBuffer(GL_ARRAY_BUFFER, quadVbo_);
        glBufferData(GL_ARRAY_BUFFER, GLsizeiptr(quads.size() * sizeof(float)), quads.data(), GL_STREAM_DRAW);
        glDrawArrays(GL_TRIANGLES, 0, GLsizei(quads.size() / 6));
    }

    // Spikes of the chunks overlapping the visible time range.
    const float pointPx = float(std::max(1.0, std::round(pointSize(l) * scale)));
    const double padT = (t1_ - t0_) * 4.0 / l.raster.width();
    const double ta = t0_ - padT, tb = t1_ + padT;
    const int vw = std::max(1, int(std::lround(l.raster.width() * scale)));
    const int vh = std::max(1, int(std::lround(l.raster.height() * scale)));
    const size_t visible = visibleSpikeCount(ta, tb);
    overviewUsed_ = imageProg_ && double(visible) > overview_ * vw * vh;
    drawn_ = visible;
    if (overviewUsed_) {
        drawOverview(vw, vh, pointPx);
    } else {
        spikeProg_->bind();
        glActiveTexture(GL_TEXTURE0);
        glBindTexture(GL_TEXTURE_BUFFER, rowTex_);
        glActiveTexture(GL_TEXTURE1);
        glBindTexture(GL_TEXTURE_BUFFER, colorTex_);
        glActiveTexture(GL_TEXTURE0);
        spikeProg_->setUniformValue("uRowOf", 0);
        spikeProg_->setUniformValue("uColors", 1);
        spikeProg_->setUniformValue("uHasColors", colors_.empty() ? 0 : 1);
        spikeProg_->setUniformValue("uDefaultColor", style().dot);
        spikeProg_->setUniformValue("uTimeScale", float(2.0 / (t1_ - t0_)));
        spikeProg_->setUniformValue("uRow0", float(r0_));
        spikeProg_->setUniformValue("uRowScale", float(2.0 / (r1_ - r0_)));
        spikeProg_->setUniformValue("uPointSize", pointPx);
        const auto [c0, c1] = visibleChunks(ta, tb);
        for (size_t c = c0; c < c1; ++c) {
            const Chunk& ch = chunks_[c];
            if (!ch.vao) continue;
            auto [lo, hi] = chunkRange(c, ta, tb);
            hi = std::min(hi, uploaded_);
            if (hi <= lo) continue;
            spikeProg_->setUniformValue("uTimeOffset", float(ch.base - t0_));
            glBindVertexArray(ch.vao);
            glDrawArrays(GL_POINTS, GLint(lo - c * kChunkSpikes), GLsizei(hi - lo));
        }
        glBindTexture(GL_TEXTURE_BUFFER, 0);
        glActiveTexture(GL_TEXTURE1);
        glBindTexture(GL_TEXTURE_BUFFER, 0);
        glActiveTexture(GL_TEXTURE0);
    }

    // Population rate as a line strip through the bin centres.
    if (!l.rate.isEmpty() && rateUploaded_ > 0) {
        setViewport(l.rate);
        const double start = rateBinStart();
        const long long a = std::max(0LL, (long long)std::floor((t0_ - start) / store_->rateBinWidth()) - 1);
        const long long b = std::min((long long)rateUploaded_,
                                     (long long)std::ceil((t1_ - start) / store_->rateBinWidth()) + 2);
        if (b > a) {
            const double sx = 2.0 / (t1_ - t0_);
            const double yMax = rateMax(t0_, t1_);
            colorProg_->bind();
            colorProg_->setUniformValue("uScale", QVector2D(float(sx), float(2.0 * rateNorm() / yMax)));
            colorProg_->setUniformValue("uOffset", QVector2D(float((start - t0_) * sx - 1.0), -1.f));
            colorProg_->setUniformValue("uPointSize", 1.f);
            colorProg_->setUniformValue("uRoundPoints", 0);
            glBindVertexArray(rateVao_);
            const QColor lc = darkTheme() ? QColor(120, 180, 255) : QColor(31, 119, 180);
            QOpenGLContext::currentContext()->functions()->glVertexAttrib4f(1, lc.redF(), lc.greenF(),
                                                                            lc.blueF(), 1.f);
            glDrawArrays(GL_LINE_STRIP, GLint(a), GLsizei(b - a));
        }
    }
    glBindVertexArray(0);
    glBindBuffer(GL_ARRAY_BUFFER, 0);
    glDisable(GL_SCISSOR_TEST);
}

size_t RasterPlot::visibleSpikeCount(double ta, double tb) const {
    size_t n = 0;
    const auto [c0, c1] = visibleChunks(ta, tb);
    for (size_t c = c0; c < c1; ++c) {
        const auto [lo, hi] = chunkRange(c, ta, tb);
        n += hi - lo;
    }
    return n;
}

void RasterPlot::drawOverview(int w, int h, float pointPx) {
    // The image is rebuilt only when what it shows changed.
    const std::vector<double> key = {t0_,
                                     t1_,
                                     r0_,
                                     r1_,
                                     double(w),
                                     double(h),
                                     double(pointPx),
                                     double(store_->times().size()),
                                     double(styleVersion_),
                                     double(style().dot.rgba())};
    glActiveTexture(GL_TEXTURE0);
    glBindTexture(GL_TEXTURE_2D, overviewTex_);
    if (key != overviewKey_) {
        overviewKey_ = key;
        overviewPixels_.assign(size_t(w) * size_t(h), 0);
        const QColor dc = style().dot;
        const uint32_t dot = uint32_t(dc.red()) | uint32_t(dc.green()) << 8 | uint32_t(dc.blue()) << 16 |
                             uint32_t(dc.alpha()) << 24;
        const double sx = w / (t1_ - t0_), sy = h / (r1_ - r0_);
        // A point of size s centred at x covers the pixels whose centres lie within s/2 of x.
        const double half = pointPx * 0.5;
        forEachSpikeIn(t0_ - half / sx, t1_ + half / sx, [&](size_t i) {
            const uint32_t n = store_->units()[i];
            const double x = (store_->times()[i] - t0_) * sx;
            const double y = (store_->rowOrder()[n] + 0.5 - r0_) * sy; // from the bottom, as GL rows
            const int x0 = std::max(0, int(std::ceil(x - half - 0.5))),
                      x1 = std::min(w - 1, int(std::floor(x + half - 0.5)));
            const int y0 = std::max(0, int(std::ceil(y - half - 0.5))),
                      y1 = std::min(h - 1, int(std::floor(y + half - 0.5)));
            if (x0 > x1 || y0 > y1) return;
            uint32_t c = dot;
            if (!colors_.empty()) {
                const QRgb q = colors_[n];
                c = uint32_t(qRed(q)) | uint32_t(qGreen(q)) << 8 | uint32_t(qBlue(q)) << 16 |
                    uint32_t(qAlpha(q)) << 24;
            }
            for (int yy = y0; yy <= y1; ++yy) {
                uint32_t* row = overviewPixels_.data() + size_t(yy) * size_t(w);
                for (int xx = x0; xx <= x1; ++xx) row[xx] = c;
            }
        });
        glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
        glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, w, h, 0, GL_RGBA, GL_UNSIGNED_BYTE, overviewPixels_.data());
    }
    imageProg_->bind();
    imageProg_->setUniformValue("uImage", 0);
    glBindVertexArray(imageVao_);
    glDrawArrays(GL_TRIANGLES, 0, 6);
    glBindTexture(GL_TEXTURE_2D, 0);
}

// ---------------------------------------------------------------------------------------------------------
// Axes, vector export, readouts

void RasterPlot::drawAnnotations(QPainter& p, const QSizeF& logical) {
    const Layout l = layout(logical);
    const Style& st = style();
    p.save();
    p.setFont(labelFont());
    const QPen axisPen(st.axis, 1.0);
    const double tick = 4;
    const QRectF bottom = l.rate.isEmpty() ? l.raster : l.rate;

    // Spines.
    p.setPen(axisPen);
    p.drawLine(l.raster.bottomLeft(), l.raster.topLeft());
    p.drawLine(l.raster.bottomLeft(), l.raster.bottomRight());
    if (!l.rate.isEmpty()) {
        p.drawLine(l.rate.bottomLeft(), l.rate.topLeft());
        p.drawLine(l.rate.bottomLeft(), l.rate.bottomRight());
    }

    // Time ticks (labels under the lowest panel).
    const auto tt = niceTicks(t0_, t1_, std::max(2, int(l.raster.width() / 90)));
    const double tStep = tt.size() > 1 ? tt[1] - tt[0] : (t1_ - t0_);
    for (double t : tt) {
        const double x = l.raster.left() + (t - t0_) / (t1_ - t0_) * l.raster.width();
        p.setPen(axisPen);
        p.drawLine(QPointF(x, l.raster.bottom()), QPointF(x, l.raster.bottom() + tick));
        if (!l.rate.isEmpty()) p.drawLine(QPointF(x, l.rate.bottom()), QPointF(x, l.rate.bottom() + tick));
        drawText(p, QRectF(x - 40, bottom.bottom() + tick + 1, 80, 14), Qt::AlignHCenter | Qt::AlignTop,
                 tickLabel(t, tStep));
    }
    drawText(p, QRectF(bottom.left(), bottom.bottom() + 20, bottom.width(), 16),
             Qt::AlignHCenter | Qt::AlignTop, QStringLiteral("time (s)"));

    // Neuron ticks at row centres; names when rows are tall enough.
    const double rowPx = l.raster.height() / (r1_ - r0_);
    const bool permuted = [&] {
        for (size_t i = 0; i < store_->rowOrder().size(); ++i)
            if (store_->rowOrder()[i] != i) return true;
        return false;
    }();
    if (rowPx >= 12 && (r1_ - r0_) <= 60) {
        std::vector<int> neuronOfRow(store_->rowOrder().size(), -1);
        for (size_t n = 0; n < store_->rowOrder().size(); ++n)
            if (store_->rowOrder()[n] < neuronOfRow.size()) neuronOfRow[store_->rowOrder()[n]] = int(n);
        for (long r = std::max(0L, long(std::floor(r0_)));
             r < long(std::ceil(r1_)) && r < long(store_->rowOrder().size()); ++r) {
            const int n = neuronOfRow[size_t(r)];
            if (n < 0) continue;
            const double y = l.raster.bottom() - (r + 0.5 - r0_) * rowPx;
            const QString label = QString::fromStdString(store_->unitName(uint32_t(n)));
            drawText(p, QRectF(2, y - 7, l.raster.left() - tick - 4, 14), Qt::AlignRight | Qt::AlignVCenter,
                     label);
        }
    } else {
        const auto rt = niceTicks(r0_, r1_ - 1, std::max(2, int(l.raster.height() / 40)));
        for (double r : rt) {
            if (std::abs(r - std::round(r)) > 1e-9 || r < 0) continue;
            const double y = l.raster.bottom() - (r + 0.5 - r0_) * rowPx;
            if (y < l.raster.top() - 0.5 || y > l.raster.bottom() + 0.5) continue;
            p.setPen(axisPen);
            p.drawLine(QPointF(l.raster.left() - tick, y), QPointF(l.raster.left(), y));
            drawText(p, QRectF(0, y - 7, l.raster.left() - tick - 3, 14), Qt::AlignRight | Qt::AlignVCenter,
                     QString::number(long(r)));
        }
    }
    // A vertical axis title may reach into the gaps above and below its plot, never further: a title
    // longer than that is shortened ("rate (Hz)" becomes "Hz") rather than clipped.
    auto verticalTitle = [&](const QRectF& area, const QString& s, const QString& shortText) {
        // Each title may use half of the gaps above and below its plot; a longer one is shortened, and
        // one that does not fit even then is left out, so two titles never overlap.
        const double room = area.height() + 0.9 * kGap;
        QString text = s;
        double tw = p.fontMetrics().horizontalAdvance(text) + 4;
        if (tw > room) {
            text = shortText;
            tw = p.fontMetrics().horizontalAdvance(text) + 4;
        }
        if (tw > room) return;
        const double w = std::max(area.height(), tw);
        p.save();
        p.translate(12, area.center().y());
        p.rotate(-90);
        drawText(p, QRectF(-w / 2, -8, w, 16), Qt::AlignCenter | Qt::TextDontClip, text);
        p.restore();
    };
    verticalTitle(l.raster, permuted ? QStringLiteral("neuron (sorted)") : QStringLiteral("neuron"),
                  QStringLiteral("neuron"));

    // Rate ticks.
    if (!l.rate.isEmpty()) {
        const double yMax = rateMax(t0_, t1_);
        const auto yt = niceTicks(0, yMax, std::max(2, int(l.rate.height() / 22)));
        const double yStep = yt.size() > 1 ? yt[1] - yt[0] : yMax;
        for (double v : yt) {
            const double y = l.rate.bottom() - v / yMax * l.rate.height();
            p.setPen(axisPen);
            p.drawLine(QPointF(l.rate.left() - tick, y), QPointF(l.rate.left(), y));
            drawText(p, QRectF(0, y - 7, l.rate.left() - tick - 3, 14), Qt::AlignRight | Qt::AlignVCenter,
                     tickLabel(v, yStep));
        }
        verticalTitle(l.rate, QStringLiteral("rate (Hz)"), QStringLiteral("Hz"));
    }

    if (store_->times().empty()) {
        p.setPen(st.muted);
        p.drawText(l.raster, Qt::AlignCenter, QStringLiteral("no spikes"));
    }
    if (drag_ == Drag::Select && !exporting()) {
        p.setPen(QPen(st.rubberBand.darker(150), 1));
        p.setBrush(st.rubberBand);
        p.drawRect(band_);
    }
    p.restore();
}

void RasterPlot::drawVectorData(QPainter& p, const QSizeF& logical) {
    const Layout l = layout(logical);
    p.save();
    p.setPen(Qt::NoPen);
    const double rowPx = l.raster.height() / (r1_ - r0_);

    // Selected rows.
    {
        std::vector<uint32_t> rows;
        for (size_t n = 0; n < selected_.size(); ++n)
            if (selected_[n] && store_->rowOrder()[n] + 1 > r0_ && store_->rowOrder()[n] < r1_)
                rows.push_back(store_->rowOrder()[n]);
        std::sort(rows.begin(), rows.end());
        for (size_t i = 0; i < rows.size();) {
            size_t j = i;
            while (j + 1 < rows.size() && rows[j + 1] == rows[j] + 1) ++j;
            const double yTop = std::max(l.raster.top(), l.raster.bottom() - (rows[j] + 1 - r0_) * rowPx);
            const double yBot = std::min(l.raster.bottom(), l.raster.bottom() - (rows[i] - r0_) * rowPx);
            p.fillRect(QRectF(l.raster.left(), yTop, l.raster.width(), yBot - yTop), style().selection);
            i = j + 1;
        }
    }

    // Spikes merged on a grid of dot-sized cells: one rectangle per occupied cell, first colour wins.
    double cell = pointSize(l);
    const QTransform& xf = p.worldTransform();
    const double devScale = std::max(1e-6, std::sqrt(std::abs(xf.determinant())));
    cell = std::max(cell, 1.0 / devScale); // never finer than a device pixel
    const double cells = (l.raster.width() / cell) * (l.raster.height() / cell);
    if (cells > 6e7) cell *= std::sqrt(cells / 6e7);
    const size_t nx = size_t(std::ceil(l.raster.width() / cell)) + 1;
    const size_t ny = size_t(std::ceil(l.raster.height() / cell)) + 1;
    std::vector<QRgb> grid(nx * ny, 0);
    const QRgb dot = style().dot.rgba();
    std::vector<size_t> order; // occupied cells in first-hit order
    forEachSpikeIn(t0_, t1_, [&](size_t i) {
        const double row = store_->rowOrder()[store_->units()[i]];
        if (row + 1 <= r0_ || row >= r1_) return;
        const double x = (store_->times()[i] - t0_) / (t1_ - t0_) * l.raster.width();
        const double y = l.raster.height() - (row + 0.5 - r0_) * rowPx;
        const size_t cx = size_t(std::clamp(x / cell, 0.0, double(nx - 1)));
        const size_t cy = size_t(std::clamp(y / cell, 0.0, double(ny - 1)));
        QRgb& g = grid[cy * nx + cx];
        if (g) return;
        g = colors_.empty() ? dot : colors_[store_->units()[i]];
        if (qAlpha(g) == 0) g = qRgba(qRed(g), qGreen(g), qBlue(g), 1);
        order.push_back(cy * nx + cx);
    });
    QRgb current = 0;
    for (size_t k : order) {
        const QRgb c = grid[k];
        if (c != current) {
            p.setBrush(QColor::fromRgba(c));
            current = c;
        }
        const double cx = double(k % nx), cy = double(k / nx);
        p.drawRect(QRectF(l.raster.left() + cx * cell, l.raster.top() + cy * cell, cell, cell));
    }

    // Population rate.
    if (!l.rate.isEmpty() && !store_->rateCounts().empty()) {
        const double start = rateBinStart();
        const double yMax = rateMax(t0_, t1_);
        const long long a = std::max(0LL, (long long)std::floor((t0_ - start) / store_->rateBinWidth()));
        const long long b = std::min((long long)store_->rateCounts().size(),
                                     (long long)std::ceil((t1_ - start) / store_->rateBinWidth()) + 1);
        QPolygonF line;
        for (long long i = a; i < b; ++i) {
            const double tc = start + (double(i) + 0.5) * store_->rateBinWidth();
            if (tc < t0_ || tc > t1_) continue;
            line << QPointF(l.rate.left() + (tc - t0_) / (t1_ - t0_) * l.rate.width(),
                            l.rate.bottom() -
                                store_->rateCounts()[size_t(i)] * rateNorm() / yMax * l.rate.height());
        }
        if (line.size() > 1) {
            p.setPen(QPen(darkTheme() ? QColor(120, 180, 255) : QColor(31, 119, 180), 1.0));
            p.setBrush(Qt::NoBrush);
            p.drawPolyline(line);
        }
    }
    p.restore();
}

void RasterPlot::drawReadouts() {
    const double el = rateClock_.nsecsElapsed() / 1e9;
    if (el >= 0.5) {
        arrivalRate_ = arrivedSinceTick_ / el;
        arrivedSinceTick_ = 0;
        rateClock_.restart();
    }
    // One line in the strip above the raster: never over the data.
    const QRectF r = overlayRect();
    ImGui::SetNextWindowPos(ImVec2(float(r.right()), float(r.top())), ImGuiCond_Always, ImVec2(1, 0));
    ImGui::SetNextWindowBgAlpha(0.0f);
    const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize |
                                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoFocusOnAppearing |
                                   ImGuiWindowFlags_NoNav | ImGuiWindowFlags_NoMove |
                                   ImGuiWindowFlags_NoInputs;
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(2, 2));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowMinSize, ImVec2(1, 1));
    if (ImGui::Begin("##raster-readouts", nullptr, flags)) {
        const QString line = readoutLines().join(QStringLiteral("   "));
        if (spikesLost_ > 0)
            ImGui::TextColored(ImVec4(1.f, 0.45f, 0.2f, 1.f), "%s", line.toUtf8().constData());
        else
            ImGui::TextUnformatted(line.toUtf8().constData());
        readoutRect_ = QRectF(ImGui::GetWindowPos().x, ImGui::GetWindowPos().y, ImGui::GetWindowSize().x,
                              ImGui::GetWindowSize().y);
    }
    ImGui::End();
    ImGui::PopStyleVar(2);
    if (hover_.valid && drag_ == Drag::None) {
        ImGui::BeginTooltip();
        ImGui::TextUnformatted(hoverText().toUtf8().constData());
        ImGui::EndTooltip();
    }
}

// ---------------------------------------------------------------------------------------------------------
// Input

void RasterPlot::mousePressEvent(QMouseEvent* e) {
    if (e->button() != Qt::LeftButton) return;
    pressPos_ = lastPos_ = e->position();
    if (e->modifiers() & Qt::ShiftModifier) {
        drag_ = Drag::Select;
        band_ = QRectF(pressPos_, pressPos_);
    } else {
        drag_ = Drag::Pan;
    }
    hover_ = Hit();
    update();
}

void RasterPlot::mouseMoveEvent(QMouseEvent* e) {
    const QPointF pos = e->position();
    if (drag_ == Drag::Pan) {
        const QRectF r = rasterRect();
        const QPointF d = pos - lastPos_;
        lastPos_ = pos;
        if (d.x() != 0) {
            const double dt = -d.x() / r.width() * (t1_ - t0_);
            t0_ += dt;
            t1_ += dt;
            if (follow_) {
                follow_ = false;
                emit followChanged(false);
            }
        }
        if (d.y() != 0) {
            const double dr = d.y() / r.height() * (r1_ - r0_);
            r0_ += dr;
            r1_ += dr;
            rowsUser_ = true;
        }
        update();
        return;
    }
    if (drag_ == Drag::Select) {
        band_ = QRectF(pressPos_, pos).normalized();
        update();
        return;
    }
    const Hit h = hitTest(pos);
    hoverPos_ = pos;
    if (h.valid != hover_.valid || h.index != hover_.index) {
        hover_ = h;
        if (h.valid) emit spikeHovered(h.neuron, h.t);
        update();
    }
}

void RasterPlot::mouseReleaseEvent(QMouseEvent* e) {
    if (e->button() != Qt::LeftButton) return;
    if (drag_ == Drag::Select) {
        band_ = QRectF(pressPos_, e->position()).normalized();
        applySelection(band_);
    }
    drag_ = Drag::None;
    update();
}

void RasterPlot::applySelection(const QRectF& band) {
    const QVector<uint32_t> sel = neuronsInRect(band);
    setSelectedNeurons(std::vector<uint32_t>(sel.begin(), sel.end()));
    emit neuronsSelected(sel);
}

void RasterPlot::mouseDoubleClickEvent(QMouseEvent* e) {
    if (e->button() == Qt::LeftButton) resetView();
}

void RasterPlot::keyPressEvent(QKeyEvent* e) {
    if (e->key() == Qt::Key_Home) {
        resetView();
        return;
    }
    PlotWidget::keyPressEvent(e);
}

void RasterPlot::leaveEvent(QEvent* e) {
    if (hover_.valid) {
        hover_ = Hit();
        update();
    }
    PlotWidget::leaveEvent(e);
}

void RasterPlot::wheelEvent(QWheelEvent* e) {
    const double steps = e->angleDelta().y() / 120.0;
    if (steps == 0) return;
    const double f = std::pow(0.8, steps);
    const QRectF r = rasterRect();
    const QPointF pos = e->position();
    if (e->modifiers() & Qt::ControlModifier) {
        const double rc = r0_ + (r.bottom() - pos.y()) / r.height() * (r1_ - r0_);
        double a = rc - (rc - r0_) * f, b = rc + (r1_ - rc) * f;
        if (b - a < 2) return;
        r0_ = a;
        r1_ = b;
        rowsUser_ = true;
    } else if (follow_) {
        window_ = std::max(1e-4, window_ * f);
        followNewest();
    } else {
        const double tc = t0_ + (pos.x() - r.left()) / r.width() * (t1_ - t0_);
        const double a = tc - (tc - t0_) * f, b = tc + (t1_ - tc) * f;
        if (b - a < 1e-5) return;
        t0_ = a;
        t1_ = b;
    }
    e->accept();
    update();
}
