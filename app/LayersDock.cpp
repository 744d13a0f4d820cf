#include "LayersDock.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeySequence>
#include <QLabel>
#include <QShortcut>
#include <QSignalBlocker>
#include <QSlider>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <any>
#include <memory>

#include "vessel/VesselGraph.h"

namespace {
constexpr int kIdRole = Qt::UserRole + 1;
}

LayersDock::LayersDock(nr::Document* doc, QWidget* parent) : QDockWidget(tr("Layers"), parent), doc_(doc) {
    setObjectName(QStringLiteral("layersDock"));
    auto* body = new QWidget;
    auto* lay = new QVBoxLayout(body);
    lay->setContentsMargins(4, 4, 4, 4);

    tree_ = new QTreeWidget;
    tree_->setColumnCount(2);
    tree_->setHeaderLabels({tr("Layer"), tr("Kind")});
    tree_->setRootIsDecorated(false);
    tree_->setEditTriggers(QAbstractItemView::EditKeyPressed | QAbstractItemView::DoubleClicked);
    tree_->header()->setStretchLastSection(false);
    tree_->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    tree_->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    tree_->setToolTip(tr("Open datasets. Check to show, double-click or F2 to rename, Delete to remove."));
    tree_->setMinimumHeight(60);
    lay->addWidget(tree_, 1);

    auto* bar = new QHBoxLayout;
    remove_ = new QToolButton;
    remove_->setText(tr("Remove"));
    remove_->setToolTip(tr("Close the selected layer (Delete)"));
    bar->addWidget(remove_);
    bar->addStretch(1);
    lay->addLayout(bar);

    auto* form = new QFormLayout;
    info_ = new QLabel;
    info_->setWordWrap(true);
    info_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(info_);
    colorBy_ = new QComboBox;
    colorBy_->setToolTip(tr("Node column that colours this layer"));
    form->addRow(tr("Colour by"), colorBy_);
    opacity_ = new QSlider(Qt::Horizontal);
    opacity_->setRange(5, 100);
    opacity_->setToolTip(tr("Edge opacity"));
    form->addRow(tr("Opacity"), opacity_);
    pointSize_ = new QDoubleSpinBox;
    pointSize_->setRange(0.1, 10);
    pointSize_->setSingleStep(0.1);
    pointSize_->setToolTip(tr("Node size relative to the default"));
    form->addRow(tr("Point size"), pointSize_);
    edgeSize_ = new QDoubleSpinBox;
    edgeSize_->setRange(0.1, 10);
    edgeSize_->setSingleStep(0.1);
    edgeSize_->setToolTip(tr("Edge or tube width relative to the default"));
    form->addRow(tr("Edge size"), edgeSize_);
    lay->addLayout(form);
    setWidget(body);

    connect(remove_, &QToolButton::clicked, this, &LayersDock::removeSelected);
    auto* del = new QShortcut(QKeySequence::Delete, tree_);
    del->setContext(Qt::WidgetShortcut);
    connect(del, &QShortcut::activated, this, &LayersDock::removeSelected);
    connect(tree_, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* cur) {
        if (updating_ || !cur) return;
        doc_->select(cur->data(0, kIdRole).toULongLong());
    });
    connect(tree_, &QTreeWidget::itemChanged, this, [this](QTreeWidgetItem* it, int col) {
        if (updating_ || col != 0) return;
        const nr::LayerId id = it->data(0, kIdRole).toULongLong();
        const nr::Layer* l = doc_->find(id);
        if (!l) return;
        const bool vis = it->checkState(0) == Qt::Checked;
        QString text = it->text(0).trimmed();
        if (text.startsWith(QStringLiteral("↳ "))) text = text.mid(2).trimmed();
        const std::string name = text.toStdString();
        if (vis != l->display.visible) doc_->setVisible(id, vis);
        if (!name.empty() && name != l->name)
            doc_->rename(id, name);
        else if (name.empty())
            onChange(nr::Document::Change::Renamed, id); // an empty name is refused: show the old one
    });
    auto edit = [this](auto apply) {
        if (updating_) return;
        const nr::Layer* l = doc_->find(doc_->selected());
        if (!l) return;
        nr::LayerDisplay d = l->display;
        apply(d);
        doc_->setDisplay(l->id, d);
        emit displayEdited(l->id);
    };
    connect(colorBy_, &QComboBox::currentIndexChanged, this, [this, edit](int i) {
        if (updating_ || i < 0) return;
        const QString kind = colorBy_->itemData(i).toString();
        if (!kind.isEmpty()) {
            emit coloringChosen(kind);
            return;
        }
        // A column ends colours from elsewhere on this layer, also when it is the column beneath them.
        if (!coloredKind_.isEmpty() && coloredLayer_ == doc_->selected()) emit coloringChosen(QString());
        const QString c = colorBy_->itemText(i);
        edit([&](nr::LayerDisplay& d) { d.colorBy = c.toStdString(); });
    });
    connect(opacity_, &QSlider::valueChanged, this,
            [edit](int v) { edit([&](nr::LayerDisplay& d) { d.opacity = float(v) / 100.f; }); });
    connect(pointSize_, &QDoubleSpinBox::valueChanged, this,
            [edit](double v) { edit([&](nr::LayerDisplay& d) { d.pointSize = float(v); }); });
    connect(edgeSize_, &QDoubleSpinBox::valueChanged, this,
            [edit](double v) { edit([&](nr::LayerDisplay& d) { d.edgeSize = float(v); }); });

    token_ = doc_->subscribe([this](nr::Document::Change c, nr::LayerId id) { onChange(c, id); });
    rebuild();
}

LayersDock::~LayersDock() {
    doc_->unsubscribe(token_);
}

int LayersDock::rowOf(nr::LayerId id) const {
    for (int i = 0; i < tree_->topLevelItemCount(); ++i)
        if (tree_->topLevelItem(i)->data(0, kIdRole).toULongLong() == id) return i;
    return -1;
}

void LayersDock::removeSelected() {
    if (const nr::LayerId id = doc_->selected(); id != 0) doc_->remove(id);
}

void LayersDock::onChange(nr::Document::Change c, nr::LayerId) {
    using C = nr::Document::Change;
    if (c == C::Added || c == C::Removed) {
        rebuild();
        return;
    }
    // Rename, display and selection changes update the rows in place (this may run inside the tree's own
    // itemChanged signal, so no row is deleted here).
    updating_ = true;
    for (int i = 0; i < tree_->topLevelItemCount(); ++i) {
        QTreeWidgetItem* it = tree_->topLevelItem(i);
        const nr::Layer* l = doc_->find(it->data(0, kIdRole).toULongLong());
        if (!l) continue;
        const QString name = QString::fromStdString(l->name);
        const QString shown = l->owner ? QStringLiteral("  ↳ ") + name : name;
        if (it->text(0) != shown) it->setText(0, shown);
        const Qt::CheckState cs = l->display.visible ? Qt::Checked : Qt::Unchecked;
        if (it->checkState(0) != cs) it->setCheckState(0, cs);
        if (l->id == doc_->selected() && tree_->currentItem() != it) tree_->setCurrentItem(it);
    }
    remove_->setEnabled(doc_->selected() != 0);
    updating_ = false;
    refreshProperties();
}

void LayersDock::rebuild() {
    updating_ = true;
    tree_->clear();
    QTreeWidgetItem* current = nullptr;
    for (const auto& lp : doc_->layers()) {
        const nr::Layer& l = *lp;
        auto* it = new QTreeWidgetItem(tree_);
        QString name = QString::fromStdString(l.name);
        it->setText(0, name);
        it->setText(1, QString::fromLatin1(nr::layerKindName(l.kind)));
        it->setData(0, kIdRole, QVariant::fromValue<qulonglong>(l.id));
        it->setFlags(it->flags() | Qt::ItemIsUserCheckable | Qt::ItemIsEditable);
        it->setCheckState(0, l.display.visible ? Qt::Checked : Qt::Unchecked);
        QStringList tip;
        for (const auto& f : l.files)
            if (!f.empty()) tip << QString::fromStdString(f);
        if (!l.summary.empty()) tip << QString::fromStdString(l.summary);
        if (l.owner) tip << tr("belongs to layer %1").arg(l.owner);
        it->setToolTip(0, tip.join(QLatin1Char('\n')));
        if (l.owner) it->setText(0, QStringLiteral("  ↳ ") + name);
        if (l.id == doc_->selected()) current = it;
    }
    if (current) tree_->setCurrentItem(current);
    remove_->setEnabled(doc_->selected() != 0);
    updating_ = false;
    refreshProperties();
}

void LayersDock::setShownColoring(nr::LayerId id, const QString& kind) {
    if (id == coloredLayer_ && kind == coloredKind_) return;
    coloredLayer_ = kind.isEmpty() ? 0 : id;
    coloredKind_ = kind;
    refreshProperties();
}

void LayersDock::refreshProperties() {
    updating_ = true;
    const nr::Layer* l = doc_->find(doc_->selected());
    const bool any = l != nullptr;
    for (QWidget* w : {static_cast<QWidget*>(colorBy_), static_cast<QWidget*>(opacity_),
                       static_cast<QWidget*>(pointSize_), static_cast<QWidget*>(edgeSize_)})
        w->setEnabled(any);
    if (!l) {
        info_->setText(tr("No layer open. File > Open (Ctrl+O) or drop files here."));
        updating_ = false;
        return;
    }
    QStringList files;
    for (const auto& f : l->files)
        if (!f.empty()) files << QFileInfo(QString::fromStdString(f)).fileName();
    info_->setText(
        QStringLiteral("<b>%1</b> (%2)<br>%3<br>%4")
            .arg(QString::fromStdString(l->name).toHtmlEscaped(),
                 QString::fromLatin1(nr::layerKindName(l->kind)),
                 files.isEmpty() ? tr("generated") : files.join(QStringLiteral(", ")).toHtmlEscaped(),
                 QString::fromStdString(l->summary).toHtmlEscaped()));
    colorBy_->clear();
    const bool graphLike =
        l->graph && (l->kind == nr::LayerKind::Graph || l->kind == nr::LayerKind::Simulation);
    const bool vessels = l->kind == nr::LayerKind::Vessels;
    if (graphLike) {
        for (const auto& c : l->graph->nodeColumnNames()) colorBy_->addItem(QString::fromStdString(c));
        colorBy_->setToolTip(tr("Node column that colours this layer"));
    } else if (vessels) {
        if (auto g = std::any_cast<std::shared_ptr<const nr::VesselGraph>>(&l->payload); g && *g)
            for (const auto& c : (*g)->colorColumns()) colorBy_->addItem(QString::fromStdString(c));
        colorBy_->setToolTip(tr("Edge column that colours the vessels"));
    }
    if (graphLike && l->id == coloredLayer_ && !coloredKind_.isEmpty()) {
        colorBy_->addItem(tr("%1 (Activity dock)").arg(coloredKind_), coloredKind_);
        colorBy_->setCurrentIndex(colorBy_->count() - 1);
    } else if (const int i = colorBy_->findText(QString::fromStdString(l->display.colorBy)); i >= 0) {
        colorBy_->setCurrentIndex(i);
    }
    colorBy_->setEnabled(colorBy_->count() > 0);
    // What the views of each kind use: networks all four, vessels colour and tube size (Edge size).
    const QString unused = tr("Not used by this kind of layer");
    opacity_->setEnabled(graphLike);
    pointSize_->setEnabled(graphLike);
    edgeSize_->setEnabled(graphLike || vessels);
    opacity_->setToolTip(graphLike ? tr("Edge opacity") : unused);
    pointSize_->setToolTip(graphLike ? tr("Node size relative to the default") : unused);
    edgeSize_->setToolTip(graphLike ? tr("Edge width relative to the default")
                          : vessels ? tr("Tube radius relative to the radius in the data")
                                    : unused);
    if (!colorBy_->isEnabled() && !graphLike && !vessels) colorBy_->setToolTip(unused);
    opacity_->setValue(int(l->display.opacity * 100));
    pointSize_->setValue(l->display.pointSize);
    edgeSize_->setValue(l->display.edgeSize);
    remove_->setEnabled(true);
    updating_ = false;
}
