#include "ActivityDock.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>
#include <numeric>

#include "plots/TracePlot.h"
#include "vtk/ConnectomeView.h"

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
    order_->setToolTip(tr("Order of the heatmap rows"));
    bar->addWidget(order_);
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

void ActivityDock::setTraces(std::shared_ptr<const nr::Traces> traces) {
    plot_->stop();
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
    if (!traces_) {
        joinLabel_->clear();
        return;
    }
    if (!graph_) {
        joinLabel_->setText(tr("open a connectome to see the activity on it"));
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
}

void ActivityDock::paintCursor(qulonglong frame) {
    if (!view_ || !traces_ || !graph_ || view_->graph() != graph_ || join_.matched == 0) return;
    const auto v = nr::activityAt(*traces_, join_, graph_->nodeCount(), size_t(frame));
    view_->setNodeColors(plot_->colorsFor(v, QColor(90, 90, 90)), "activity at the cursor");
}
