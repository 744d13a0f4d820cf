#include "AdjacencyDock.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>
#include <set>

#include "model/Palette.h"

#include "DocumentModel.h"
#include "plots/AdjacencyPlot.h"
#include "vtk/ConnectomeView.h"

namespace {
constexpr size_t kMaxCells = 1024; // at most one cell per pixel of a large view
}

AdjacencyDock::AdjacencyDock(DocumentModel* model, ConnectomeView* view, QWidget* parent)
    : QDockWidget(tr("Adjacency Matrix"), parent), model_(model), view_(view) {
    setObjectName(QStringLiteral("adjacencyDock"));
    auto* w = new QWidget;
    auto* v = new QVBoxLayout(w);
    v->setContentsMargins(4, 4, 4, 4);
    auto* row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("Order rows by")));
    orderCombo_ = new QComboBox;
    orderCombo_->setObjectName(QStringLiteral("adjacencyOrder"));
    orderCombo_->setToolTip(
        tr("Row and column order: the file's, a node column (class, cell type...), Leiden "
           "communities, or average-linkage clustering of the connection profiles"));
    row->addWidget(orderCombo_, 1);
    log_ = new QCheckBox(tr("Log colour scale"));
    log_->setToolTip(tr("Colour by log10 of the weight (positive weights only)"));
    row->addWidget(log_);
    v->addLayout(row);
    plot_ = new AdjacencyPlot;
    plot_->setObjectName(QStringLiteral("adjacencyPlot"));
    plot_->setMinimumSize(320, 300);
    v->addWidget(plot_, 1);
    status_ = new QLabel;
    status_->setWordWrap(true);
    v->addWidget(status_);
    setWidget(w);

    fitTimer_.setSingleShot(true);
    fitTimer_.setInterval(150);
    connect(&fitTimer_, &QTimer::timeout, this, &AdjacencyDock::fitCellsToView);
    plot_->installEventFilter(this);
    connect(orderCombo_, &QComboBox::activated, this, [this] { refresh(); });
    connect(log_, &QCheckBox::toggled, plot_, &AdjacencyPlot::setLogScale);
    connect(model_, &DocumentModel::shownGraphChanged, this, [this] { follow(); });
    connect(model_, &DocumentModel::changed, this, [this] { follow(); });
    connect(this, &QDockWidget::visibilityChanged, this, [this](bool on) {
        if (on) follow();
    });
    // Selection both ways: clicks in the matrix select in 3-D; the 3-D selection is marked in the margins.
    connect(plot_, &AdjacencyPlot::nodesClicked, this, [this](std::vector<uint32_t> ids, bool add) {
        if (!view_) return;
        if (add) {
            std::vector<uint32_t> cur = view_->selection();
            for (uint32_t i : ids)
                if (std::find(cur.begin(), cur.end(), i) == cur.end()) cur.push_back(i);
            ids = cur;
        }
        view_->setSelection(ids);
        emit view_->selectionChanged(ids);
    });
    if (view_)
        connect(view_, &ConnectomeView::selectionChanged, plot_,
                [this](std::vector<uint32_t> ids) { plot_->setSelection(ids); });
}

AdjacencyDock::~AdjacencyDock() = default;

void AdjacencyDock::fillOrders() {
    const QString keep = order();
    orderCombo_->clear();
    orderCombo_->addItem(tr("File order"), QStringLiteral("file"));
    if (graph_) {
        if (graph_->nodeClass.size() == graph_->nodeCount())
            orderCombo_->addItem(tr("Class"), QStringLiteral("class:class"));
        for (const auto& [name, col] : graph_->nodeText)
            if (name != "color")
                orderCombo_->addItem(tr("Column: %1").arg(QString::fromStdString(name)),
                                     QStringLiteral("class:") + QString::fromStdString(name));
    }
    orderCombo_->addItem(tr("Community (Leiden)"), QStringLiteral("community"));
    orderCombo_->addItem(tr("Hierarchical clustering"), QStringLiteral("cluster"));
    int k = orderCombo_->findData(keep);
    if (k < 0 && keep.isEmpty()) k = orderCombo_->findData(QStringLiteral("class:class"));
    orderCombo_->setCurrentIndex(std::max(0, k));
}

void AdjacencyDock::setOrder(const QString& o) {
    const int k = orderCombo_->findData(o);
    if (k >= 0) orderCombo_->setCurrentIndex(k);
    refresh();
}

QString AdjacencyDock::order() const {
    return orderCombo_->currentData().toString();
}

void AdjacencyDock::setLogScale(bool on) {
    log_->setChecked(on);
}

bool AdjacencyDock::logScale() const {
    return log_->isChecked();
}

void AdjacencyDock::follow() {
    if (!isVisible() && graph_) return;
    auto g = model_->shownGraph();
    if (g == graph_) return;
    graph_ = g;
    fillOrders();
    refresh();
}

bool AdjacencyDock::showShownGraph() {
    auto g = model_->shownGraph();
    if (g != graph_) {
        graph_ = g;
        fillOrders();
    }
    return refresh();
}

bool AdjacencyDock::refresh() {
    error_.clear();
    if (!graph_ || graph_->nodeCount() == 0) {
        plot_->setData({});
        plot_->setTitle(QString());
        status_->setText(tr("No network is shown."));
        return graph_ != nullptr;
    }
    QApplication::setOverrideCursor(Qt::WaitCursor);
    AdjacencyPlot::Data d = plotData(*graph_, order(), &error_);
    QApplication::restoreOverrideCursor();
    if (!error_.isEmpty()) {
        status_->setText(error_);
        emit message(tr("Adjacency matrix: %1").arg(error_), true);
    }
    const nr::Graph& g = *graph_;
    plot_->setData(std::move(d));
    plot_->setSelection(view_ ? view_->selection() : std::vector<uint32_t>());
    plot_->setTitle(tr("%1 nodes · %2 edges · %3")
                        .arg(g.nodeCount())
                        .arg(g.edgeCount())
                        .arg(g.directed ? tr("directed") : tr("undirected")));
    fitCellsToView();
    showStatus();
    return error_.isEmpty();
}

void AdjacencyDock::showStatus() {
    if (!error_.isEmpty() || !graph_) return;
    status_->setText(
        plot_->span() > 1
            ? tr("%1 nodes per cell a side (one cell per pixel): weights summed.").arg(plot_->span())
            : tr("Click a cell or a row to select its nodes in 3-D."));
}

bool AdjacencyDock::eventFilter(QObject* watched, QEvent* e) {
    if (watched == plot_ && e->type() == QEvent::Resize) fitTimer_.start();
    return QDockWidget::eventFilter(watched, e);
}

void AdjacencyDock::fitCellsToView() {
    const size_t n = plot_->order().size();
    if (!graph_ || n == 0 || n != graph_->nodeCount()) return;
    const QRectF m = plot_->matrixRect();
    const double px = std::min(m.width(), m.height()) * plot_->devicePixelRatioF();
    if (!(px >= 16)) return; // not laid out yet
    const size_t bins = std::min(kMaxCells, size_t(px));
    const size_t want = n <= bins ? 1 : (n + bins - 1) / bins;
    if (want == plot_->span()) return;
    size_t side = 0, span = 1;
    std::vector<float> cells = nr::adjacencyCells(*graph_, plot_->order(), bins, &side, &span);
    plot_->setCells(std::move(cells), side, span);
    showStatus();
}

AdjacencyPlot::Data AdjacencyDock::plotData(const nr::Graph& g, const QString& order, QString* error) {
    const QString o = order;
    nr::AdjacencyOrderKind kind = nr::AdjacencyOrderKind::File;
    std::string column = "class";
    if (o == QLatin1String("community"))
        kind = nr::AdjacencyOrderKind::Community;
    else if (o == QLatin1String("cluster"))
        kind = nr::AdjacencyOrderKind::Cluster;
    else if (o.startsWith(QLatin1String("class:"))) {
        kind = nr::AdjacencyOrderKind::Class;
        column = o.mid(6).toStdString();
    }
    auto r = nr::adjacencyOrder(g, kind, column);
    if (!r) {
        if (error) *error = QString::fromStdString(r.error().reason);
        r = nr::adjacencyOrder(g, nr::AdjacencyOrderKind::File);
    }
    AdjacencyPlot::Data d;
    d.order = r.value().order;
    for (const auto& s : r.value().groups) d.groups.push_back(QString::fromStdString(s));
    if (kind == nr::AdjacencyOrderKind::Class) {
        // The colours the 3-D view gives the same column: E/I by name when all values are E/I names, else by
        // rank among the sorted values (ConnectomeView's categorical colouring).
        std::set<std::string> values(r.value().groups.begin(), r.value().groups.end());
        values.erase("");
        bool ei = true;
        for (const auto& v : values) ei = ei && nr::palette::excitatorySign(v) != 0;
        size_t rank = 0;
        for (const auto& v : values) {
            nr::palette::Rgb c = nr::palette::kCategorical[rank++ % 12];
            if (const int s = nr::palette::excitatorySign(v); ei && s != 0)
                c = s > 0 ? nr::palette::kExcitatory : nr::palette::kInhibitory;
            d.colors[QString::fromStdString(v)] = QColor(c.r, c.g, c.b);
        }
        const nr::palette::Rgb u = nr::palette::kUnknown;
        d.colors[QString()] = QColor(u.r, u.g, u.b);
    }
    d.cells = nr::adjacencyCells(g, d.order, kMaxCells, &d.cells_, &d.span);
    d.names.reserve(qsizetype(g.nodeCount()));
    for (const auto& n : g.names) d.names << QString::fromStdString(n);
    return d;
}
