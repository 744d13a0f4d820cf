#include "ActivityDock.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>
#include <climits>
#include <cmath>
#include <map>
#include <numeric>

#include "plots/HeatmapPainter.h"
#include "plots/TracePlot.h"
#include "vtk/ConnectomeView.h"

namespace {
// Nodes without a value to show (no trace joined to them, or NaN at the cursor).
const QColor kNoData(90, 90, 90);
const nr::palette::Rgb kNoDataRgb{90, 90, 90};
} // namespace

ActivityDock::ActivityDock(ConnectomeView* view, QWidget* parent)
    : QDockWidget(tr("Activity"), parent), view_(view) {
    setObjectName(QStringLiteral("activityDock"));
    auto* body = new QWidget;
    auto* lay = new QVBoxLayout(body);
    lay->setContentsMargins(4, 4, 4, 4);
    auto* bar = new QHBoxLayout;
    play_ = new QToolButton;
    play_->setText(tr("Play"));
    play_->setToolTip(tr("Play the recording; the 3-D network shows each neuron's activity at the cursor"));
    bar->addWidget(play_);
    speed_ = new QComboBox;
    for (double s : {0.5, 1.0, 2.0, 5.0, 10.0, 30.0}) speed_->addItem(tr("%1× real time").arg(s), s);
    speed_->setCurrentIndex(3);
    speed_->setToolTip(tr("Playback speed"));
    bar->addWidget(speed_);
    bar->addWidget(new QLabel(tr("Rows")));
    order_ = new QComboBox;
    order_->addItem(tr("name"), int(TracePlot::RowOrder::Name));
    order_->addItem(tr("connectome order"), int(TracePlot::RowOrder::Given));
    order_->addItem(tr("correlation clustering"), int(TracePlot::RowOrder::Correlation));
    order_->addItem(tr("community"), int(TracePlot::RowOrder::Community));
    order_->setToolTip(tr("Order of the heatmap rows (community: each neuron's most frequent community "
                          "over the windows of Dynamic Communities)"));
    bar->addWidget(order_);
    bar->addWidget(new QLabel(tr("3-D")));
    colorMode_ = new QComboBox;
    colorMode_->addItem(tr("activity"), int(ColorMode::Activity));
    colorMode_->addItem(tr("community"), int(ColorMode::Community));
    colorMode_->addItem(tr("node column"), int(ColorMode::Off));
    colorMode_->setToolTip(tr("What the 3-D network shows at the cursor: each neuron's activity, its "
                              "community in the window at the cursor (run Dynamic Communities first), or "
                              "the node column chosen in the Network dock"));
    bar->addWidget(colorMode_);
    joinLabel_ = new QLabel;
    joinLabel_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    bar->addWidget(joinLabel_, 1);
    lay->addLayout(bar);
    plot_ = new TracePlot;
    plot_->setMinimumHeight(120);
    lay->addWidget(plot_, 1);
    setWidget(body);

    connect(play_, &QToolButton::clicked, this, [this] {
        if (plot_->playing())
            plot_->stop();
        else
            plot_->play(speed_->currentData().toDouble());
    });
    connect(plot_, &TracePlot::playingChanged, this,
            [this](bool on) { play_->setText(on ? tr("Pause") : tr("Play")); });
    connect(order_, &QComboBox::currentIndexChanged, this,
            [this] { plot_->setRowOrder(TracePlot::RowOrder(order_->currentData().toInt())); });
    connect(plot_, &TracePlot::cursorMoved, this, [this](double, qulonglong frame) { paintCursor(frame); });
    connect(colorMode_, &QComboBox::currentIndexChanged, this, [this] {
        if (colorMode() == ColorMode::Community && !communities_)
            emit message(tr("No communities yet: run Analysis > Dynamic Communities; showing activity"),
                         false);
        paintedWindow_ = -2;
        paintCursor(plot_->cursorFrame());
    });
    // Selection follows both ways: trace rows <-> 3-D nodes.
    connect(plot_, &TracePlot::selectionChanged, this, [this](const QVector<int>& rows) {
        if (syncing_ || !view_ || !graph_ || view_->graph() != graph_) return;
        std::vector<uint32_t> ids;
        for (int i : rows)
            if (i >= 0 && size_t(i) < join_.target.size() && join_.target[size_t(i)] >= 0)
                ids.push_back(uint32_t(join_.target[size_t(i)]));
        syncing_ = true;
        view_->setSelection(ids);
        syncing_ = false;
    });
    if (view_)
        connect(view_, &ConnectomeView::nodeClicked, this, [this](long id) {
            if (syncing_ || !traces_) return;
            std::vector<int> rows;
            for (size_t i = 0; i < join_.target.size(); ++i)
                if (join_.target[i] == id) rows.push_back(int(i));
            syncing_ = true;
            plot_->setSelectedNeurons(rows);
            syncing_ = false;
        });
}

int CommunityTimeline::windowAt(double t) const {
    if (windows.empty() || !std::isfinite(t)) return -1;
    int best = 0;
    auto centre = [&](size_t w) { return 0.5 * (windows[w].tStart + windows[w].tEnd); };
    for (size_t w = 1; w < windows.size(); ++w)
        if (std::fabs(centre(w) - t) < std::fabs(centre(size_t(best)) - t)) best = int(w);
    return best;
}

std::vector<int> CommunityTimeline::consensus() const {
    const size_t n = result.labels.empty() ? 0 : result.labels.front().size();
    std::vector<int> out(n, -1);
    for (size_t i = 0; i < n; ++i) {
        std::map<int, int> count;
        for (const auto& w : result.labels)
            if (w[i] >= 0) ++count[w[i]];
        int best = 0;
        for (const auto& [label, c] : count)
            if (c > best) best = c, out[i] = label;
    }
    return out;
}

void ActivityDock::setCommunities(std::shared_ptr<const CommunityTimeline> c) {
    communities_ = std::move(c);
    plot_->setCommunities(communities_ ? communities_->consensus() : std::vector<int>());
    paintedWindow_ = -2;
    if (communities_ && colorMode() != ColorMode::Community)
        setColorMode(ColorMode::Community); // repaints
    else
        paintCursor(plot_->cursorFrame());
}

void ActivityDock::setColorMode(ColorMode m) {
    colorMode_->setCurrentIndex(colorMode_->findData(int(m)));
}

ActivityDock::ColorMode ActivityDock::colorMode() const {
    return ColorMode(colorMode_->currentData().toInt());
}

void ActivityDock::setTraces(std::shared_ptr<const nr::Traces> traces) {
    plot_->stop();
    if (traces != traces_) communities_.reset();
    traces_ = std::move(traces);
    plot_->setTraces(traces_);
    rejoin();
}

void ActivityDock::setGraph(std::shared_ptr<const nr::Graph> graph) {
    graph_ = std::move(graph);
    rejoin();
}

void ActivityDock::rejoin() {
    join_ = nr::NameJoin();
    paintedWindow_ = -2;
    if (!traces_) {
        joinLabel_->clear();
        emit tracesChanged();
        return;
    }
    if (!graph_) {
        joinLabel_->setText(tr("open a connectome to see the activity on it"));
        emit tracesChanged();
        return;
    }
    std::vector<std::string> alt;
    for (const char* col : {"name_padded", "name"}) {
        auto it = graph_->nodeText.find(col);
        if (it != graph_->nodeText.end() && it->second.size() == graph_->nodeCount()) {
            alt = it->second;
            break;
        }
    }
    join_ = nr::joinNames(traces_->names, graph_->names, alt);
    joinLabel_->setText(tr("joined to the network: %1").arg(QString::fromStdString(join_.summary())));
    joinLabel_->setToolTip(joinLabel_->text());
    emit message(tr("Traces joined to the network by name: %1").arg(QString::fromStdString(join_.summary())),
                 false);
    // Connectome order: the traces in the order of their nodes.
    std::vector<int> order(traces_->names.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        const long ta = join_.target[size_t(a)], tb = join_.target[size_t(b)];
        return (ta < 0 ? LONG_MAX : ta) < (tb < 0 ? LONG_MAX : tb);
    });
    plot_->setGivenOrder(order);
    paintCursor(plot_->cursorFrame());
    emit tracesChanged();
}

void ActivityDock::paintCursor(qulonglong frame) {
    if (!view_ || !traces_ || !graph_ || view_->graph() != graph_ || join_.matched == 0) return;
    if (colorMode() == ColorMode::Off) {
        // The Network dock's colouring shows.
        paintedWindow_ = -2;
        if (view_->hasNodeColorOverride()) view_->setNodeColors({});
        return;
    }
    if (colorMode() == ColorMode::Community && communities_) {
        // Each matched neuron in its community's colour in the window at the cursor (the membership plot's
        // colours); nodes without a trace stay dark grey. Repainted only when the window changes.
        const int w = communities_->windowAt(plot_->cursorTime());
        if (w == paintedWindow_ && view_->hasNodeColorOverride()) return;
        paintedWindow_ = w;
        std::vector<QColor> colors(graph_->nodeCount(), kNoData);
        std::map<int, size_t> count;
        if (w >= 0)
            for (size_t i = 0; i < join_.target.size(); ++i) {
                if (join_.target[i] < 0) continue;
                const int label = communities_->result.labels[size_t(w)][i];
                colors[size_t(join_.target[i])] = colormaps::community(label);
                ++count[label];
            }
        view_->setNodeColors(colors, tr("community, window %1").arg(w).toStdString(), "community");
        std::vector<ConnectomeView::LegendEntry> legend;
        for (const auto& [label, c] : count) {
            const QColor q = colormaps::community(label);
            legend.push_back({label < 0 ? "no community" : "C" + std::to_string(label),
                              {uint8_t(q.red()), uint8_t(q.green()), uint8_t(q.blue())},
                              c});
        }
        if (!legend.empty() && legend.front().label == "no community")
            std::rotate(legend.begin(), legend.begin() + 1, legend.end());
        if (const size_t n = graph_->nodeCount() - tracedNodes(); n > 0)
            legend.push_back({"no trace", kNoDataRgb, n});
        view_->setNodeColorLegend(legend);
        return;
    }
    paintedWindow_ = -2;
    const auto v = nr::activityAt(*traces_, join_, graph_->nodeCount(), size_t(frame));
    view_->setNodeColors(plot_->colorsFor(v, kNoData), "activity at the cursor", "activity");
    std::vector<QColor> ramp;
    const double lim = plot_->colorLimit();
    for (int k = 0; k < 33; ++k) ramp.push_back(plot_->colorForValue(-lim + 2 * lim * k / 32.0));
    view_->setNodeColorRamp(ramp, -lim, lim);
    // The grey nodes have their own entries beside the colour bar: no trace, or NaN at the cursor.
    size_t nan = 0;
    for (float x : v) nan += std::isnan(x);
    const size_t noTrace = graph_->nodeCount() - tracedNodes();
    std::vector<ConnectomeView::LegendEntry> grey;
    if (noTrace > 0) grey.push_back({"no trace", kNoDataRgb, noTrace});
    if (nan > noTrace) grey.push_back({"no value here (NaN)", kNoDataRgb, nan - noTrace});
    view_->setNodeColorLegend(grey);
}

size_t ActivityDock::tracedNodes() const {
    if (!graph_) return 0;
    std::vector<char> has(graph_->nodeCount(), 0);
    for (long t : join_.target)
        if (t >= 0 && size_t(t) < has.size()) has[size_t(t)] = 1;
    return size_t(std::count(has.begin(), has.end(), 1));
}
