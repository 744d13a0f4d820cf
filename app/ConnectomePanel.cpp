#include "ConnectomePanel.h"

#include <QAbstractListModel>
#include <QCheckBox>
#include <QComboBox>
#include <QCompleter>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSlider>
#include <QUndoCommand>
#include <QUndoStack>
#include <QVBoxLayout>
#include <algorithm>
#include <limits>
#include <memory>

#include "vtk/ConnectomeView.h"

namespace {

// The node names of the shown graph for the search box's completer, converted to QString only for the rows
// the completer asks for: a 1M-node graph does not keep a second copy of every name.
class GraphNamesModel : public QAbstractListModel {
public:
    using QAbstractListModel::QAbstractListModel;
    void setGraph(std::shared_ptr<const nr::Graph> g) {
        beginResetModel();
        graph_ = std::move(g);
        endResetModel();
    }
    int rowCount(const QModelIndex& parent = {}) const override {
        if (parent.isValid() || !graph_) return 0;
        return int(std::min<size_t>(graph_->names.size(), size_t(std::numeric_limits<int>::max())));
    }
    QVariant data(const QModelIndex& index, int role) const override {
        if (!graph_ || !index.isValid() || size_t(index.row()) >= graph_->names.size()) return {};
        if (role != Qt::DisplayRole && role != Qt::EditRole) return {};
        return QString::fromStdString(graph_->names[size_t(index.row())]);
    }

private:
    std::shared_ptr<const nr::Graph> graph_;
};

class ColorCommand : public QUndoCommand {
public:
    ColorCommand(ConnectomePanel* p, QString before, QString after)
        : QUndoCommand(QStringLiteral("Colour by %1").arg(after)), p_(p), before_(std::move(before)),
          after_(std::move(after)) {}
    void undo() override { p_->applyColorBy(before_, false); }
    void redo() override { p_->applyColorBy(after_, false); }

private:
    ConnectomePanel* p_;
    QString before_, after_;
};

class FilterCommand : public QUndoCommand {
public:
    FilterCommand(ConnectomePanel* p, EdgeFilter before, EdgeFilter after)
        : QUndoCommand(QStringLiteral("Filter edges")), p_(p), before_(std::move(before)),
          after_(std::move(after)) {}
    void undo() override { p_->applyFilter(before_, false); }
    void redo() override { p_->applyFilter(after_, false); }
    int id() const override { return 1; }
    bool mergeWith(const QUndoCommand* other) override {
        // Consecutive spin-box steps collapse into one undo step.
        after_ = static_cast<const FilterCommand*>(other)->after_;
        return true;
    }

private:
    ConnectomePanel* p_;
    EdgeFilter before_, after_;
};

} // namespace

ConnectomePanel::ConnectomePanel(ConnectomeView* view, QUndoStack* undo, QWidget* parent)
    : QWidget(parent), view_(view), undo_(undo) {
    auto* lay = new QVBoxLayout(this);

    search_ = new QLineEdit;
    search_->setPlaceholderText(tr("Find neuron (e.g. AVAL)…"));
    search_->setToolTip(tr("Type a neuron name and press Enter to fly to it (Ctrl+F)"));
    search_->setClearButtonEnabled(true);
    auto* completer = new QCompleter(this);
    completer->setCaseSensitivity(Qt::CaseInsensitive);
    completer->setFilterMode(Qt::MatchContains);
    completer->setModel(new GraphNamesModel(this));
    search_->setCompleter(completer);
    connect(search_, &QLineEdit::returnPressed, this, [this] {
        const QString name = search_->text().trimmed();
        if (!name.isEmpty() && !findNeuron(name)) emit message(tr("No neuron named '%1'").arg(name));
    });
    connect(completer, qOverload<const QString&>(&QCompleter::activated), this,
            [this](const QString& name) { findNeuron(name); });
    lay->addWidget(search_);

    auto* colorBox = new QGroupBox(tr("Nodes"));
    auto* cf = new QFormLayout(colorBox);
    colorCombo_ = new QComboBox;
    colorCombo_->setToolTip(tr("Colour nodes by degree, class or any node column"));
    connect(colorCombo_, &QComboBox::currentIndexChanged, this, [this](int i) {
        if (updating_ || i < 0) return;
        const QString kind = colorCombo_->itemData(i).toString();
        if (!kind.isEmpty()) { // colours from elsewhere (the Activity dock)
            emit coloringChosen(kind);
            return;
        }
        const QString c = colorCombo_->itemText(i);
        // A node column replaces colours set from elsewhere, also when it is the column beneath them.
        if (view_->hasNodeColorOverride()) emit coloringChosen(QString());
        if (!c.isEmpty() && c != colorBy_) undo_->push(new ColorCommand(this, colorBy_, c));
        syncColoring();
    });
    connect(view_, &ConnectomeView::coloringChanged, this, &ConnectomePanel::syncColoring);
    cf->addRow(tr("Colour by"), colorCombo_);
    nodeSize_ = new QSlider(Qt::Horizontal);
    nodeSize_->setRange(10, 400);
    nodeSize_->setValue(100);
    nodeSize_->setToolTip(tr("Node size (percent of the default)"));
    connect(nodeSize_, &QSlider::valueChanged, this, [this](int v) { view_->setNodeSize(v / 100.f); });
    cf->addRow(tr("Size"), nodeSize_);
    lay->addWidget(colorBox);

    auto* filterBox = new QGroupBox(tr("Edges"));
    auto* ff = new QFormLayout(filterBox);
    minW_ = new QDoubleSpinBox;
    maxW_ = new QDoubleSpinBox;
    for (auto* s : {minW_, maxW_}) {
        s->setDecimals(2);
        s->setRange(-1e9, 1e9);
        s->setKeyboardTracking(false);
        connect(s, &QDoubleSpinBox::valueChanged, this, [this] { filterFromWidgets(); });
    }
    minW_->setToolTip(tr("Hide edges lighter than this weight"));
    maxW_->setToolTip(tr("Hide edges heavier than this weight"));
    ff->addRow(tr("Min weight"), minW_);
    ff->addRow(tr("Max weight"), maxW_);
    typeLayout_ = new QVBoxLayout;
    ff->addRow(tr("Types"), typeLayout_);
    auto* reset = new QPushButton(tr("Show all edges"));
    connect(reset, &QPushButton::clicked, this, [this] {
        if (!graph_) return;
        EdgeFilter f;
        f.minWeight = minW_->minimum();
        f.maxWeight = maxW_->maximum();
        f.typeVisible.assign(graph_->edgeTypes.size(), true);
        if (!(f == filter_)) undo_->push(new FilterCommand(this, filter_, f));
    });
    ff->addRow(reset);
    lay->addWidget(filterBox);

    counts_ = new QLabel;
    counts_->setWordWrap(true);
    lay->addWidget(counts_);
    lay->addStretch(1);
    setEnabled(false);
}

void ConnectomePanel::setGraph(std::shared_ptr<const nr::Graph> g) {
    graph_ = std::move(g);
    setEnabled(graph_ != nullptr);
    static_cast<GraphNamesModel*>(search_->completer()->model())->setGraph(graph_);
    if (!graph_) return;
    updating_ = true;

    colorCombo_->clear();
    for (auto& c : graph_->nodeColumnNames()) colorCombo_->addItem(QString::fromStdString(c));
    if (colorCombo_->findText(colorBy_) < 0) colorBy_ = QStringLiteral("degree");
    if (!graph_->nodeClass.empty() && colorBy_ == QStringLiteral("degree"))
        colorBy_ = QStringLiteral("class");
    syncColoring();

    float lo = 0, hi = 1;
    if (!graph_->weight.empty()) {
        auto [a, b] = std::minmax_element(graph_->weight.begin(), graph_->weight.end());
        lo = *a;
        hi = *b;
    }
    for (auto* s : {minW_, maxW_}) s->setRange(lo, hi);
    filter_.minWeight = lo;
    filter_.maxWeight = hi;
    // Dense graphs open on their strongest edges: hundreds of thousands of overlapping lines hide the nodes
    // (and their activity) and cost frame time. Lowering Min weight shows the rest.
    const size_t keep = std::max<size_t>(50000, 10 * graph_->nodeCount());
    if (graph_->edgeCount() > keep && graph_->edgeCount() > 15 * graph_->nodeCount()) {
        std::vector<float> w(graph_->weight);
        std::nth_element(w.begin(), w.begin() + long(w.size() - keep), w.end());
        filter_.minWeight = w[w.size() - keep];
        emit message(
            tr("Dense network: showing the strongest edges (weight ≥ %1); lower Min weight to see all %2")
                .arg(double(filter_.minWeight), 0, 'g', 3)
                .arg(graph_->edgeCount()));
    }
    filter_.typeVisible.assign(graph_->edgeTypes.size(), true);
    rebuildTypeBoxes();
    showFilter(filter_);
    updating_ = false;
    view_->setColorBy(colorBy_.toStdString());
    view_->setEdgeFilter(filter_.minWeight, filter_.maxWeight, filter_.typeVisible);
    updateCounts();
}

void ConnectomePanel::rebuildTypeBoxes() {
    for (auto* b : typeBoxes_) delete b;
    typeBoxes_.clear();
    for (size_t i = 0; i < graph_->edgeTypes.size(); ++i) {
        auto* b = new QCheckBox(QString::fromStdString(graph_->edgeTypes[i]));
        b->setChecked(true);
        b->setToolTip(tr("Show or hide %1 edges").arg(b->text()));
        connect(b, &QCheckBox::toggled, this, [this] { filterFromWidgets(); });
        typeLayout_->addWidget(b);
        typeBoxes_.push_back(b);
    }
}

void ConnectomePanel::filterFromWidgets() {
    if (updating_ || !graph_) return;
    EdgeFilter f;
    f.minWeight = float(minW_->value());
    f.maxWeight = float(maxW_->value());
    for (auto* b : typeBoxes_) f.typeVisible.push_back(b->isChecked());
    if (!(f == filter_)) undo_->push(new FilterCommand(this, filter_, f));
}

void ConnectomePanel::showFilter(const EdgeFilter& f) {
    const bool was = updating_;
    updating_ = true;
    minW_->setValue(f.minWeight);
    maxW_->setValue(f.maxWeight);
    for (size_t i = 0; i < typeBoxes_.size() && i < f.typeVisible.size(); ++i)
        typeBoxes_[i]->setChecked(f.typeVisible[i]);
    updating_ = was;
}

void ConnectomePanel::applyColorBy(const QString& column, bool record) {
    if (record) {
        if (column != colorBy_) undo_->push(new ColorCommand(this, colorBy_, column));
        return;
    }
    colorBy_ = column;
    view_->setColorBy(column.toStdString());
    syncColoring();
    emit colorByChanged(column);
}

QString ConnectomePanel::shownColoring() const {
    return colorCombo_->currentText();
}

void ConnectomePanel::syncColoring() {
    const bool was = updating_;
    updating_ = true;
    // One entry for colours set from elsewhere, present while they show.
    const QString kind =
        view_->hasNodeColorOverride() ? QString::fromStdString(view_->coloring()) : QString();
    for (int i = colorCombo_->count() - 1; i >= 0; --i)
        if (!colorCombo_->itemData(i).toString().isEmpty() && colorCombo_->itemData(i).toString() != kind)
            colorCombo_->removeItem(i);
    if (!kind.isEmpty()) {
        int i = colorCombo_->findData(kind);
        if (i < 0) {
            colorCombo_->addItem(tr("%1 (Activity dock)").arg(kind), kind);
            i = colorCombo_->count() - 1;
        }
        colorCombo_->setCurrentIndex(i);
    } else {
        colorCombo_->setCurrentIndex(colorCombo_->findText(colorBy_, Qt::MatchExactly));
    }
    updating_ = was;
}

void ConnectomePanel::applyFilter(const EdgeFilter& f, bool record) {
    if (record) {
        if (!(f == filter_)) undo_->push(new FilterCommand(this, filter_, f));
        return;
    }
    filter_ = f;
    showFilter(f);
    view_->setEdgeFilter(f.minWeight, f.maxWeight, f.typeVisible);
    updateCounts();
}

bool ConnectomePanel::findNeuron(const QString& name) {
    if (!graph_) return false;
    const long id = graph_->findNode(name.trimmed().toStdString());
    if (id < 0) return false;
    view_->flyTo(id);
    view_->highlightNode(id);
    emit message(tr("%1: degree %2")
                     .arg(QString::fromStdString(graph_->names[size_t(id)]))
                     .arg(graph_->degrees()[size_t(id)]));
    return true;
}

void ConnectomePanel::focusSearch() {
    search_->setFocus();
    search_->selectAll();
}

void ConnectomePanel::updateCounts() {
    if (!graph_) return;
    counts_->setText(tr("%1 nodes, %2 of %3 edges shown")
                         .arg(graph_->nodeCount())
                         .arg(view_->visibleEdgeCount())
                         .arg(graph_->edgeCount()));
}

void ConnectomePanel::addColumn(const QString& name) {
    if (colorCombo_->findText(name) >= 0) return;
    const bool was = updating_;
    updating_ = true;
    colorCombo_->addItem(name);
    updating_ = was;
}
