// RasterPlot: spike raster with a population-rate strip underneath, sharing the time axis. It draws one
// nr::SpikeStore (setStore): the store holds the spikes, the unit count and labels, the rates and the row
// order; the plot keeps only what it derives for drawing (GPU chunks, colours, view). A new source in the
// store (reset/assign, generation() changes) resets rows, axis, rates and counters here too.
//
// Spikes live in GPU vertex buffers of fixed-capacity chunks (kChunkSpikes spikes each, 8 bytes per spike:
// time as float relative to the chunk's first spike, neuron index). Appending uploads only the new spikes
// (glBufferSubData); each frame draws only the chunks, and within sorted chunks only the spike range, that
// overlap the visible time window. The row of each neuron and its colour are buffer textures, so a new row
// order or colouring is one small upload. The population rate (Hz per bin) is counted incrementally as spikes
// arrive and drawn as a line strip from its own GPU buffer.
//
// Interaction: wheel zooms time, ctrl+wheel zooms the neuron axis, drag pans, shift+drag selects rows
// (neuronsSelected), double-click or Home resets the view, hovering a dot shows its neuron and time.
#pragma once

#include <QElapsedTimer>
#include <QStringList>
#include <QVector>
#include <cstdint>
#include <memory>
#include <vector>

#include "model/SpikeStore.h"
#include "model/SpikeTrains.h"
#include "plots/PlotWidget.h"

class RasterPlot : public PlotWidget {
    Q_OBJECT
public:
    static constexpr size_t kChunkSpikes = 65536;

    // A spike found under the pointer.
    struct Hit {
        bool valid = false;
        uint32_t neuron = 0;
        double t = 0;
        size_t index = 0; // order of arrival
    };

    explicit RasterPlot(QWidget* parent = nullptr);
    ~RasterPlot() override;

    // The store drawn (the plot starts with an empty one of its own). Call storeChanged() after appending to
    // the store from outside; the calls below that change data go through to the store.
    void setStore(std::shared_ptr<nr::SpikeStore> store);
    const std::shared_ptr<nr::SpikeStore>& store() const { return store_; }
    void storeChanged();

    // Number of neurons (rows). Spikes of neurons >= n extend it.
    void setNeuronCount(uint32_t n);
    uint32_t neuronCount() const { return store_->unitCount(); }
    // Appends spikes (normally in time order, as a simulation produces them). Cheap: the GPU upload happens
    // at the next frame.
    void appendSpikes(const nr::SpikeEvent* ev, size_t n);
    // Removes all spikes (keeps neuron count, order, colours and names).
    void clear();
    // Replaces everything by a recorded dataset (spikes sorted by time, neuron count = unit count, names from
    // unit labels when present) and shows its whole recording interval; follow mode is switched off.
    void setSpikes(const nr::SpikeTrains& s);

    // Follow mode: the view shows the last windowSeconds() ending at the newest spike.
    void setFollow(bool on);
    bool follow() const { return follow_; }
    void setWindowSeconds(double w);
    double windowSeconds() const { return window_; }

    // Visible ranges: time [t0, t1] in seconds, rows [r0, r1] (row r spans [r, r + 1)).
    void setTimeRange(double t0, double t1);
    void setRowRange(double r0, double r1);
    double timeStart() const { return t0_; }
    double timeEnd() const { return t1_; }
    double rowStart() const { return r0_; }
    double rowEnd() const { return r1_; }
    // Full rows; time: the follow window, else all data (or the recording interval).
    void resetView();

    // rowOfNeuron[n] = row where neuron n is drawn: a permutation of 0..M-1 for the first M neurons (the
    // rest keep their index); empty = identity. Returns false (and keeps the order) when it is not one.
    bool setRowOrder(const std::vector<uint32_t>& rowOfNeuron);
    const std::vector<uint32_t>& rowOrder() const { return store_->rowOrder(); }
    // One colour per neuron as QRgb (0xAARRGGBB, e.g. qRgb(31, 119, 180)); empty = theme default.
    void setNeuronColors(const std::vector<uint32_t>& rgba);
    void setNeuronNames(const QStringList& names);
    // Rows of these neurons are highlighted.
    void setSelectedNeurons(const std::vector<uint32_t>& neurons);
    std::vector<uint32_t> selectedNeurons() const;

    // Readout shown in the overlay: display frames skipped (the UI fell behind; no data is lost) and spikes
    // lost (the simulation's ring overwrote them before the UI read them; 0 in normal use).
    void setLagInfo(uint64_t framesSkipped, uint64_t spikesLost);
    // The readout's text lines (also drawn in the overlay).
    QStringList readoutLines() const;
    // Where in-canvas panels go: the strip above the raster, outside every data rectangle.
    QRectF overlayRect() const;
    // Screen rectangle of the readout drawn in the last frame (widget coordinates; empty before).
    QRectF readoutRect() const { return readoutRect_; }
    // Width kept free right of the plots for an in-canvas panel (e.g. simulation parameters); 0 = none.
    void setSidePanelWidth(double px);
    double sidePanelWidth() const { return sidePanel_; }
    // The free area right of the plots (widget coordinates).
    QRectF sidePanelRect() const;

    // Population rate strip.
    void setRateVisible(bool on);
    bool rateVisible() const { return rateVisible_; }
    void setRateBinWidth(double seconds);
    double rateBinWidth() const { return store_->rateBinWidth(); }
    // Start time of rate bin 0 (bins are aligned to multiples of the bin width).
    double rateBinStart() const { return store_->rateBinStart(); }
    // Population rate per bin in Hz: spikes in the bin / (bin width * neuron count).
    std::vector<double> rateHz() const;

    // Above this many visible spikes per device pixel of the raster, the frame draws a per-pixel image of
    // the spikes (binned on the CPU, one textured quad) instead of one point per spike: the picture is the
    // same while the cost no longer grows with the spike count. Default 0.25; infinity: always points.
    void setOverviewThreshold(double spikesPerPixel);
    // Whether the last frame used the per-pixel image.
    bool lastFrameUsedOverview() const { return overviewUsed_; }

    // Spikes received, spikes uploaded to GPU buffers, spikes drawn in the last frame.
    size_t spikeCount() const { return store_->size(); }
    size_t uploadedCount() const { return uploaded_; }
    size_t drawnCount() const { return drawn_; }
    size_t gpuChunkCount() const { return chunks_.size(); }
    // Reads spikes [first, first + n) back from the GPU buffers as (time, neuron) (makes the context
    // current).
    std::vector<nr::SpikeEvent> readBackSpikes(size_t first, size_t n);
    double newestTime() const { return newest_; }

    // Geometry in widget coordinates (logical pixels) for the current widget size.
    QRectF rasterRect() const;
    QRectF rateRect() const;
    QPointF mapToWidget(double t, uint32_t neuron) const;
    // Spike nearest to pos within radiusPx (widget coordinates).
    Hit hitTest(QPointF pos, double radiusPx = 4) const;
    // Neurons whose rows intersect the vertical extent of a widget rectangle, sorted.
    QVector<uint32_t> neuronsInRect(const QRectF& r) const;
    const Hit& hovered() const { return hover_; }
    QString hoverText() const;

signals:
    void neuronsSelected(QVector<uint32_t> neurons);
    void spikeHovered(uint32_t neuron, double t);
    void followChanged(bool on);

protected:
    void initPlotGL() override;
    void releasePlotGL() override;
    void syncGpu() override;
    void drawGL(const QSizeF& logical, double scale) override;
    void drawAnnotations(QPainter& p, const QSizeF& logical) override;
    void drawVectorData(QPainter& p, const QSizeF& logical) override;
    void drawReadouts() override;

    void mousePressEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;
    void mouseDoubleClickEvent(QMouseEvent* e) override;
    void wheelEvent(QWheelEvent* e) override;
    void keyPressEvent(QKeyEvent* e) override;
    void leaveEvent(QEvent* e) override;

private:
    struct Layout {
        QRectF raster, rate;
    };
    struct Chunk {
        unsigned vao = 0, vbo = 0;
        double base = 0;           // time of the chunk's first spike
        double tMin = 0, tMax = 0; // time bounds
        bool sorted = true;        // spikes in non-decreasing time order
    };
    Layout layout(const QSizeF& logical) const;
    void growNeurons(uint32_t n);
    // Catches up with the store: new source (drop GPU chunks), new row order, new spikes (chunk index).
    void syncStore();
    double pointSize(const Layout& l) const; // logical pixels
    // Spike index range [begin, end) of chunk c that can lie in [ta, tb].
    std::pair<size_t, size_t> chunkRange(size_t c, double ta, double tb) const;
    // Chunks that may hold spikes in [ta, tb].
    std::pair<size_t, size_t> visibleChunks(double ta, double tb) const;
    template <class F> void forEachSpikeIn(double ta, double tb, F&& f) const;
    void followNewest();
    double rateMax(double ta, double tb) const;
    double rateNorm() const;
    void applySelection(const QRectF& band);
    size_t visibleSpikeCount(double ta, double tb) const;
    void drawOverview(int w, int h, float pointPx);

    std::shared_ptr<nr::SpikeStore> store_;
    uint64_t seenGeneration_ = 0, seenRowVersion_ = 0;
    size_t indexed_ = 0; // spikes of the store already in chunks_
    std::vector<Chunk> chunks_;
    std::vector<double> chunkMaxPrefix_; // running max of chunk tMax (monotone, for binary search)
    std::vector<std::pair<unsigned, unsigned>> spare_; // (vao, vbo) of cleared chunks, reused
    size_t uploaded_ = 0;
    size_t drawn_ = 0;
    double newest_ = 0;

    std::vector<uint32_t> colors_; // QRgb per neuron (empty: default)
    std::vector<uint8_t> selected_;
    QStringList names_;
    bool rowTexDirty_ = true, colorTexDirty_ = true;

    // Rate: GPU copy of the store's counts.
    size_t rateUploaded_ = 0, rateDirtyFrom_ = 0, rateCapacity_ = 0;
    bool rateVisible_ = true;

    // View.
    bool follow_ = false;
    double window_ = 1.0;
    double t0_ = 0, t1_ = 1, r0_ = 0, r1_ = 1;
    bool rowsUser_ = false; // the row range was zoomed/panned by the user

    // Interaction.
    enum class Drag { None, Pan, Select } drag_ = Drag::None;
    QPointF pressPos_, lastPos_;
    QRectF band_;
    Hit hover_;
    QPointF hoverPos_;

    // Readouts.
    QRectF readoutRect_;
    double sidePanel_ = 0;
    uint64_t framesSkipped_ = 0;
    uint64_t spikesLost_ = 0;
    QElapsedTimer rateClock_;
    size_t arrivedSinceTick_ = 0;
    double arrivalRate_ = 0;

    // Overview image (cached while view, data and colours are unchanged).
    double overview_ = 0.25;
    bool overviewUsed_ = false;
    uint64_t styleVersion_ = 0; // bumped when row order or colours change
    std::vector<double> overviewKey_;
    std::vector<uint32_t> overviewPixels_;

    // GL objects.
    std::unique_ptr<QOpenGLShaderProgram> spikeProg_, colorProg_, imageProg_;
    unsigned overviewTex_ = 0, imageVao_ = 0, imageVbo_ = 0;
    unsigned rowTex_ = 0, rowBuf_ = 0, colorTex_ = 0, colorBuf_ = 0;
    unsigned rateVao_ = 0, rateVbo_ = 0, quadVao_ = 0, quadVbo_ = 0;
};
