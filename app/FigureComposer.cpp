#include "FigureComposer.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPainter>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

#include "DocumentModel.h"
#include "FigureRender.h"
#include "MainWindow.h"

namespace {

bool kindFits(nr::PanelView v, nr::LayerKind k) {
    switch (v) {
    case nr::PanelView::Network:
        return k == nr::LayerKind::Graph;
    case nr::PanelView::Raster:
        return k == nr::LayerKind::Spikes || k == nr::LayerKind::Simulation;
    case nr::PanelView::Rdm:
        return k == nr::LayerKind::Spikes || k == nr::LayerKind::Graph;
    case nr::PanelView::Histogram:
        return k == nr::LayerKind::Vessels;
    }
    return false;
}

// The figure name not yet used in the workspace: "Figure N".
std::string freshName(const std::vector<nr::Figure>& figs) {
    for (int i = 1;; ++i) {
        const std::string n = "Figure " + std::to_string(i);
        bool used = false;
        for (const nr::Figure& f : figs) used = used || f.name == n;
        if (!used) return n;
    }
}

} // namespace

FigureComposer::FigureComposer(MainWindow* w, const QString& name) : QDialog(w), w_(w) {
    setWindowTitle(tr("Figure composer"));
    setAttribute(Qt::WA_DeleteOnClose);
    bool found = false;
    for (const nr::Figure& f : w_->figures())
        if (QString::fromStdString(f.name) == name) fig_ = f, found = true;
    if (!found) {
        fig_ = nr::Figure();
        fig_.name = freshName(w_->figures());
    }
    storedName_ = QString::fromStdString(fig_.name);

    auto* form = new QFormLayout;
    name_ = new QLineEdit(QString::fromStdString(fig_.name));
    name_->setToolTip(tr("The figure's name: `neurorama export SESSION --figure NAME` writes it"));
    form->addRow(tr("Name"), name_);
    auto* widthRow = new QHBoxLayout;
    widthPreset_ = new QComboBox;
    widthPreset_->addItem(tr("Single column (85 mm)"), 85.0);
    widthPreset_->addItem(tr("1.5 columns (114 mm)"), 114.0);
    widthPreset_->addItem(tr("Double column (174 mm)"), 174.0);
    widthPreset_->addItem(tr("Custom"), 0.0);
    width_ = new QDoubleSpinBox;
    width_->setRange(nr::FigureLimits::kMinMm, nr::FigureLimits::kMaxMm);
    width_->setSuffix(tr(" mm"));
    width_->setValue(fig_.widthMm);
    widthPreset_->setToolTip(tr("A journal's column width, or Custom to type one"));
    width_->setToolTip(tr("The page's printed width"));
    widthRow->addWidget(widthPreset_, 1);
    widthRow->addWidget(width_);
    form->addRow(tr("Width"), widthRow);
    height_ = new QDoubleSpinBox;
    height_->setRange(nr::FigureLimits::kMinMm, nr::FigureLimits::kMaxMm);
    height_->setSuffix(tr(" mm"));
    height_->setValue(fig_.heightMm);
    height_->setToolTip(tr("The page's printed height"));
    form->addRow(tr("Height"), height_);
    auto* gridRow = new QHBoxLayout;
    rows_ = new QSpinBox;
    cols_ = new QSpinBox;
    for (QSpinBox* s : {rows_, cols_}) s->setRange(1, nr::FigureLimits::kMaxGrid);
    rows_->setValue(fig_.rows);
    cols_->setValue(fig_.cols);
    rows_->setToolTip(tr("Rows of the grid of panels"));
    cols_->setToolTip(tr("Columns of the grid of panels"));
    gridRow->addWidget(new QLabel(tr("rows")));
    gridRow->addWidget(rows_);
    gridRow->addWidget(new QLabel(tr("columns")));
    gridRow->addWidget(cols_);
    gridRow->addStretch(1);
    form->addRow(tr("Grid"), gridRow);
    letters_ = new QCheckBox(tr("Panel letters (A, B, C…)"));
    letters_->setChecked(fig_.letters);
    letters_->setToolTip(tr("A bold letter at the top left of each panel, in reading order"));
    form->addRow(QString(), letters_);
    fontPt_ = new QDoubleSpinBox;
    fontPt_->setRange(nr::FigureLimits::kMinFontPt, nr::FigureLimits::kMaxFontPt);
    fontPt_->setSingleStep(0.5);
    fontPt_->setSuffix(tr(" pt"));
    fontPt_->setValue(fig_.fontPt);
    fontPt_->setToolTip(tr("One text size for every panel, at the printed size (journals ask for 7–8 pt)"));
    form->addRow(tr("Font size"), fontPt_);

    cells_ = new QTableWidget(0, 3);
    cells_->setHorizontalHeaderLabels({tr("Cell"), tr("View"), tr("Layer")});
    cells_->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
    cells_->verticalHeader()->hide();
    cells_->setToolTip(tr("What each cell of the grid shows: a view and the layer it draws"));

    auto* buttons = new QHBoxLayout;
    auto* refreshBtn = new QPushButton(tr("&Refresh"));
    refreshBtn->setToolTip(tr("Take a new snapshot of the layers (a running simulation's raster is frozen "
                              "between refreshes)"));
    auto* exportBtn = new QPushButton(tr("&Export…"));
    exportBtn->setToolTip(tr("Write the figure as PDF, SVG, PNG or TIFF"));
    auto* closeBtn = new QPushButton(tr("Close"));
    closeBtn->setToolTip(tr("Close the composer (the figure stays in the session)"));
    buttons->addWidget(refreshBtn);
    buttons->addStretch(1);
    buttons->addWidget(exportBtn);
    buttons->addWidget(closeBtn);
    status_ = new QLabel;
    status_->setWordWrap(true);

    auto* left = new QWidget;
    auto* leftLay = new QVBoxLayout(left);
    leftLay->addLayout(form);
    leftLay->addWidget(cells_, 1);
    leftLay->addWidget(status_);
    leftLay->addLayout(buttons);

    previewLabel_ = new QLabel;
    previewLabel_->setAlignment(Qt::AlignCenter);
    scroll_ = new QScrollArea;
    scroll_->setWidget(previewLabel_);
    scroll_->setWidgetResizable(true);
    scroll_->setBackgroundRole(QPalette::Dark);
    scroll_->setToolTip(tr("The figure at its printed size on this screen"));

    auto* split = new QSplitter;
    split->addWidget(left);
    split->addWidget(scroll_);
    split->setStretchFactor(1, 1);
    split->setSizes({360, 660});
    auto* lay = new QVBoxLayout(this);
    lay->addWidget(split);
    resize(1024, 700);

    debounce_ = new QTimer(this);
    debounce_->setSingleShot(true);
    debounce_->setInterval(300);
    connect(debounce_, &QTimer::timeout, this, &FigureComposer::refresh);
    auto changed = [this] { edited(); };
    connect(name_, &QLineEdit::editingFinished, this, changed);
    connect(widthPreset_, &QComboBox::currentIndexChanged, this, [this](int i) {
        const double mm = widthPreset_->itemData(i).toDouble();
        if (mm > 0) width_->setValue(mm);
    });
    connect(width_, &QDoubleSpinBox::valueChanged, this, [this](double v) {
        int preset = 3;
        for (int i = 0; i < 3; ++i)
            if (std::abs(widthPreset_->itemData(i).toDouble() - v) < 1e-9) preset = i;
        QSignalBlocker b(widthPreset_);
        widthPreset_->setCurrentIndex(preset);
        edited();
    });
    connect(height_, &QDoubleSpinBox::valueChanged, this, changed);
    connect(rows_, &QSpinBox::valueChanged, this, [this] {
        readControls();
        buildCells();
        edited();
    });
    connect(cols_, &QSpinBox::valueChanged, this, [this] {
        readControls();
        buildCells();
        edited();
    });
    connect(letters_, &QCheckBox::toggled, this, changed);
    connect(fontPt_, &QDoubleSpinBox::valueChanged, this, changed);
    connect(refreshBtn, &QPushButton::clicked, this, &FigureComposer::refresh);
    connect(exportBtn, &QPushButton::clicked, this, &FigureComposer::exportDialog);
    connect(closeBtn, &QPushButton::clicked, this, &QDialog::close);
    // A layer added, removed or renamed: the layer lists follow and the preview says what went.
    connect(w_->model(), &DocumentModel::changed, this, [this](nr::Document::Change c, nr::LayerId) {
        if (c == nr::Document::Change::Added || c == nr::Document::Change::Removed ||
            c == nr::Document::Change::Renamed) {
            buildCells();
            debounce_->start();
        }
    });
    {
        QSignalBlocker b(width_);
        int preset = 3;
        for (int i = 0; i < 3; ++i)
            if (std::abs(widthPreset_->itemData(i).toDouble() - fig_.widthMm) < 1e-9) preset = i;
        QSignalBlocker bp(widthPreset_);
        widthPreset_->setCurrentIndex(preset);
    }
    buildCells();
    store();
    QTimer::singleShot(0, this, &FigureComposer::refresh);
}

void FigureComposer::fillLayerCombo(QComboBox* c, int viewIndex, uint64_t layer) const {
    QSignalBlocker b(c);
    c->clear();
    c->addItem(tr("(none)"), QVariant::fromValue<qulonglong>(0));
    if (viewIndex < 0) return;
    const nr::PanelView v = nr::allPanelViews()[size_t(viewIndex)];
    bool have = layer == 0;
    for (const auto& lp : w_->document().layers()) {
        if (!kindFits(v, lp->kind) && lp->id != layer) continue;
        c->addItem(QStringLiteral("%1 (%2)").arg(QString::fromStdString(lp->name),
                                                 QString::fromLatin1(nr::layerKindName(lp->kind))),
                   QVariant::fromValue<qulonglong>(lp->id));
        have = have || lp->id == layer;
    }
    if (!have)
        c->addItem(tr("layer %1 (removed)").arg(qulonglong(layer)), QVariant::fromValue<qulonglong>(layer));
    for (int i = 0; i < c->count(); ++i)
        if (c->itemData(i).toULongLong() == layer) c->setCurrentIndex(i);
}

void FigureComposer::buildCells() {
    building_ = true;
    cells_->setRowCount(fig_.rows * fig_.cols);
    const std::vector<nr::PanelView> views = nr::allPanelViews();
    for (int r = 0; r < fig_.rows; ++r)
        for (int c = 0; c < fig_.cols; ++c) {
            const int row = r * fig_.cols + c;
            const nr::FigurePanel* p = nullptr;
            for (const nr::FigurePanel& q : fig_.panels)
                if (q.row == r && q.col == c) p = &q;
            auto* cell = new QTableWidgetItem(tr("row %1, col %2").arg(r + 1).arg(c + 1));
            cell->setFlags(Qt::ItemIsEnabled);
            cells_->setItem(row, 0, cell);
            auto* view = new QComboBox;
            view->addItem(tr("(empty)"));
            for (nr::PanelView v : views) view->addItem(QString::fromLatin1(nr::panelViewLabel(v)));
            int vi = -1;
            if (p)
                for (size_t k = 0; k < views.size(); ++k)
                    if (views[k] == p->view) vi = int(k);
            view->setCurrentIndex(vi + 1);
            view->setToolTip(tr("What this cell shows"));
            auto* layer = new QComboBox;
            layer->setToolTip(tr("The layer of the workspace this cell draws (layers of a fitting kind)"));
            fillLayerCombo(layer, vi, p ? p->layer : 0);
            cells_->setCellWidget(row, 1, view);
            cells_->setCellWidget(row, 2, layer);
            connect(view, &QComboBox::currentIndexChanged, this, [this, view, layer](int i) {
                if (building_) return;
                fillLayerCombo(layer, i - 1, 0);
                if (layer->count() > 1) layer->setCurrentIndex(1); // the first layer that fits
                edited();
            });
            connect(layer, &QComboBox::currentIndexChanged, this, [this] {
                if (!building_) edited();
            });
        }
    cells_->resizeColumnsToContents();
    building_ = false;
}

void FigureComposer::readControls() {
    fig_.name = name_->text().trimmed().toStdString();
    if (fig_.name.empty()) fig_.name = storedName_.toStdString();
    fig_.widthMm = width_->value();
    fig_.heightMm = height_->value();
    fig_.letters = letters_->isChecked();
    fig_.fontPt = fontPt_->value();
    // Panels from the cells of the grid as it was; cells outside a smaller grid are dropped.
    std::vector<nr::FigurePanel> panels;
    const std::vector<nr::PanelView> views = nr::allPanelViews();
    for (int row = 0; row < cells_->rowCount(); ++row) {
        auto* view = qobject_cast<QComboBox*>(cells_->cellWidget(row, 1));
        auto* layer = qobject_cast<QComboBox*>(cells_->cellWidget(row, 2));
        if (!view || !layer || view->currentIndex() <= 0) continue;
        const int r = row / fig_.cols, c = row % fig_.cols;
        nr::FigurePanel p;
        for (const nr::FigurePanel& q : fig_.panels) // keep a panel's own settings and camera
            if (q.row == r && q.col == c) p = q;
        p.view = views[size_t(view->currentIndex() - 1)];
        p.layer = layer->currentData().toULongLong();
        p.row = r, p.col = c, p.rowSpan = 1, p.colSpan = 1;
        if (r < rows_->value() && c < cols_->value()) panels.push_back(p);
    }
    fig_.panels = std::move(panels);
    fig_.rows = rows_->value();
    fig_.cols = cols_->value();
}

void FigureComposer::setCell(int row, int col, int view, uint64_t layer) {
    const int i = row * fig_.cols + col;
    auto* v = qobject_cast<QComboBox*>(cells_->cellWidget(i, 1));
    auto* l = qobject_cast<QComboBox*>(cells_->cellWidget(i, 2));
    if (!v || !l) return;
    v->setCurrentIndex(view + 1);
    fillLayerCombo(l, view, layer);
    edited();
}

void FigureComposer::edited() {
    if (building_) return;
    readControls();
    store();
    debounce_->start();
}

void FigureComposer::store() {
    // Renamed to a name another figure has: keep the old name.
    for (const nr::Figure& f : w_->figures())
        if (f.name == fig_.name && QString::fromStdString(f.name) != storedName_) {
            status_->setText(tr("Another figure is named \"%1\"; the name stays \"%2\".")
                                 .arg(QString::fromStdString(fig_.name), storedName_));
            fig_.name = storedName_.toStdString();
            name_->setText(storedName_);
        }
    auto& figs = w_->figures();
    bool replaced = false;
    for (nr::Figure& f : figs)
        if (QString::fromStdString(f.name) == storedName_) f = fig_, replaced = true;
    if (!replaced) figs.push_back(fig_);
    storedName_ = QString::fromStdString(fig_.name);
}

void FigureComposer::refresh() {
    debounce_->stop();
    const int dpi = std::max(72, logicalDpiX());
    const std::vector<FigurePanelData> data = figureDataFromDocument(fig_, w_->document());
    const QString why = QString::fromStdString(nr::checkFigure(fig_));
    QImage img(figurePixels(fig_, dpi), QImage::Format_RGB32);
    img.fill(Qt::white);
    if (why.isEmpty()) {
        QPainter p(&img);
        paintFigure(p, fig_, data, dpi);
    }
    preview_ = img;
    previewLabel_->setPixmap(QPixmap::fromImage(img));
    const QString problems = figureProblems(fig_, data);
    status_->setText(
        !why.isEmpty() ? why
        : problems.isEmpty()
            ? tr("%1 × %2 mm, %3 panels").arg(fig_.widthMm).arg(fig_.heightMm).arg(fig_.panels.size())
            : problems);
    status_->setStyleSheet(why.isEmpty() && problems.isEmpty() ? QString()
                                                               : QStringLiteral("color: #b00000"));
}

QString FigureComposer::exportTo(const QString& path, int dpi) {
    readControls();
    return writeFigure(fig_, figureDataFromDocument(fig_, w_->document()), path, dpi);
}

void FigureComposer::exportDialog() {
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export figure"), QString::fromStdString(fig_.name) + QStringLiteral(".pdf"),
        tr("PDF (*.pdf);;SVG (*.svg);;PNG (*.png);;TIFF (*.tif *.tiff)"));
    if (path.isEmpty()) return;
    QStringList items{QStringLiteral("300"), QStringLiteral("600"), tr("Custom…")};
    bool ok = false;
    const QString choice = QInputDialog::getItem(
        this, tr("Resolution"), tr("Dots per inch (3-D panels and raster files):"), items, 1, false, &ok);
    if (!ok) return;
    int dpi = choice.toInt();
    if (dpi == 0) {
        dpi = QInputDialog::getInt(this, tr("Resolution"), tr("Dots per inch:"), 600,
                                   nr::FigureLimits::kMinDpi, nr::FigureLimits::kMaxDpi, 50, &ok);
        if (!ok) return;
    }
    QApplication::setOverrideCursor(Qt::WaitCursor);
    const QString err = exportTo(path, dpi);
    QApplication::restoreOverrideCursor();
    if (!err.isEmpty())
        QMessageBox::warning(this, tr("Export figure"), err);
    else
        status_->setText(tr("Wrote %1 at %2 dpi").arg(path).arg(dpi));
}
