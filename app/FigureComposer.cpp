#include "FigureComposer.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFontComboBox>
#include <QFormLayout>
#include <QFrame>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QMimeData>
#include <QPainter>
#include <QPushButton>
#include <QScrollArea>
#include <QShortcut>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

#include "ConnectomePanel.h"
#include "DocumentModel.h"
#include "FigureCache.h"
#include "FigureLabelCheck.h"
#include "FigureRender.h"
#include "MainWindow.h"
#include "model/Document.h"
#include "vtk/ConnectomeView.h"
#include "vtk/NeuronView.h"
#include "vtk/VesselView.h"

namespace {

bool kindFits(nr::PanelView v, nr::LayerKind k) {
    switch (v) {
    case nr::PanelView::Network:
        return k == nr::LayerKind::Graph;
    case nr::PanelView::Raster:
    case nr::PanelView::Geometry:
    case nr::PanelView::Rates:
        return k == nr::LayerKind::Spikes || k == nr::LayerKind::Simulation;
    case nr::PanelView::Rdm:
        return k == nr::LayerKind::Spikes || k == nr::LayerKind::Graph;
    case nr::PanelView::Histogram:
        return k == nr::LayerKind::Vessels || k == nr::LayerKind::Spikes || k == nr::LayerKind::Simulation ||
               k == nr::LayerKind::Morphologies;
    case nr::PanelView::Vessels:
        return k == nr::LayerKind::Vessels;
    case nr::PanelView::Traces:
    case nr::PanelView::FcMatrix:
    case nr::PanelView::StructureFunction:
    case nr::PanelView::Communities:
        return k == nr::LayerKind::Traces;
    case nr::PanelView::Adjacency:
        return k == nr::LayerKind::Graph;
    case nr::PanelView::Sholl:
        return k == nr::LayerKind::Morphologies;
    case nr::PanelView::Neurons:
        return k == nr::LayerKind::Morphologies || k == nr::LayerKind::LabelVolume;
    }
    return false;
}

// The kinds of layer a view draws, as a user reads them ("graph", "spikes or simulation").
QString kindsOf(nr::PanelView v) {
    QStringList names;
    for (nr::LayerKind k : nr::kAllLayerKinds)
        if (kindFits(v, k)) names << QString::fromLatin1(nr::layerKindName(k));
    return names.join(QStringLiteral(" or "));
}

constexpr const char* kLayerMime = "application/x-neurorama-layer-id";

// The first panel view that draws a layer of kind `k` (index into nr::allPanelViews()), or -1.
int firstViewFor(nr::LayerKind k) {
    const std::vector<nr::PanelView> views = nr::allPanelViews();
    // A histogram is the first view of vessels only; spikes and neurons have views of their own first.
    for (size_t i = 0; i < views.size(); ++i)
        if (kindFits(views[i], k) && (views[i] != nr::PanelView::Histogram || k == nr::LayerKind::Vessels))
            return int(i);
    for (size_t i = 0; i < views.size(); ++i)
        if (kindFits(views[i], k)) return int(i);
    return -1;
}

// A list of the workspace's layers that drags their ids.
class LayerDragList : public QListWidget {
public:
    LayerDragList() {
        setDragEnabled(true);
        setDragDropMode(QAbstractItemView::DragOnly);
        setSelectionMode(QAbstractItemView::SingleSelection);
    }

protected:
    QMimeData* mimeData(const QList<QListWidgetItem*>& items) const override {
        if (items.isEmpty()) return nullptr;
        auto* m = new QMimeData;
        m->setData(QString::fromLatin1(kLayerMime),
                   QByteArray::number(items.first()->data(Qt::UserRole).toULongLong()));
        return m;
    }
    QStringList mimeTypes() const override { return {QString::fromLatin1(kLayerMime)}; }
};

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

FigureComposer::~FigureComposer() = default;

FigureComposer::FigureComposer(MainWindow* w, const QString& name)
    : QDialog(w), w_(w), cache_(std::make_unique<FigureCache>()) {
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
    rows_->setObjectName(QStringLiteral("rows"));
    cols_->setObjectName(QStringLiteral("columns"));
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
    fontFamily_ = new QFontComboBox;
    fontFamily_->setFontFilters(QFontComboBox::ScalableFonts | QFontComboBox::ProportionalFonts);
    fontFamily_->setCurrentFont(QFont(QString::fromStdString(fig_.fontFamily)));
    fontFamily_->setToolTip(tr("One font family for every text of the figure (a family this machine lacks is "
                               "replaced, and the status line says so)"));
    auto* fontRow = new QHBoxLayout;
    fontRow->addWidget(fontFamily_, 1);
    fontRow->addWidget(fontPt_);
    form->addRow(tr("Font"), fontRow);

    cells_ = new QTableWidget(0, 5);
    cells_->setHorizontalHeaderLabels({tr("Cell"), tr("View"), tr("Layer"), tr("Rows"), tr("Cols")});
    cells_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    cells_->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
    cells_->horizontalHeader()->setMinimumSectionSize(36);
    cells_->verticalHeader()->hide();
    cells_->setToolTip(tr("What each cell of the grid shows: a view, the layer it draws and how many rows "
                          "and columns its panel spans"));
    layerList_ = new LayerDragList;
    layerList_->setToolTip(tr("Drag a layer onto a cell of the preview to show it there"));
    layerList_->setMaximumHeight(90);
    live_ = new QCheckBox(tr("&Live"));
    live_->setToolTip(tr("Redraw the preview every second (a running simulation moves); off: a frozen "
                         "snapshot until Refresh"));
    liveTimer_ = new QTimer(this);
    liveTimer_->setInterval(1000);

    auto* buttons = new QHBoxLayout;
    auto* refreshBtn = new QPushButton(tr("&Refresh"));
    refreshBtn->setToolTip(
        tr("Take a new snapshot of the layers (a running simulation's raster is frozen "
           "between refreshes; F5). Ctrl+Z and Ctrl+Shift+Z undo and redo edits of the figure"));
    auto* exportBtn = new QPushButton(tr("&Export…"));
    exportBtn->setToolTip(tr("Write the figure as PDF, SVG, PNG or TIFF (Ctrl+E)"));
    auto* closeBtn = new QPushButton(tr("Close"));
    closeBtn->setToolTip(tr("Close the composer (the figure stays in the session)"));
    buttons->addWidget(refreshBtn);
    buttons->addWidget(live_);
    buttons->addStretch(1);
    buttons->addWidget(exportBtn);
    buttons->addWidget(closeBtn);
    status_ = new QLabel;
    status_->setWordWrap(true);

    // The controls scroll when the window is short; the status line and the buttons stay below them. The
    // grid's table keeps at least four rows in view.
    auto* controls = new QWidget;
    auto* leftLay = new QVBoxLayout(controls);
    leftLay->setContentsMargins(0, 0, 0, 0);
    leftLay->addLayout(form);
    leftLay->addWidget(cells_, 1);
    leftLay->addWidget(buildPanelBox());
    leftLay->addWidget(new QLabel(tr("Layers (drag onto the preview):")));
    leftLay->addWidget(layerList_);
    cells_->setMinimumHeight(cells_->horizontalHeader()->sizeHint().height() + 4 * 30 + 4);
    auto* controlsScroll = new QScrollArea;
    controlsScroll->setWidget(controls);
    controlsScroll->setWidgetResizable(true);
    controlsScroll->setFrameShape(QFrame::NoFrame);
    controlsScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    auto* left = new QWidget;
    auto* outer = new QVBoxLayout(left);
    outer->addWidget(controlsScroll, 1);
    outer->addWidget(status_);
    outer->addLayout(buttons);

    previewLabel_ = new QLabel;
    previewLabel_->setAlignment(Qt::AlignCenter);
    scroll_ = new QScrollArea;
    scroll_->setWidget(previewLabel_);
    scroll_->setWidgetResizable(true);
    scroll_->setBackgroundRole(QPalette::Dark);
    scroll_->setToolTip(tr("The figure at its printed size on this screen; drop a layer on a cell"));
    previewLabel_->setAcceptDrops(true);
    previewLabel_->installEventFilter(this);

    auto* split = new QSplitter;
    split->addWidget(left);
    split->addWidget(scroll_);
    split->setStretchFactor(1, 1);
    split->setSizes({460, 560});
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
    connect(fontFamily_, &QFontComboBox::currentFontChanged, this, changed);
    // Undo and redo of the figure's edits; export and refresh from the keyboard.
    auto* undo = new QShortcut(QKeySequence::Undo, this);
    auto* redo = new QShortcut(QKeySequence::Redo, this);
    connect(undo, &QShortcut::activated, this, &FigureComposer::undo);
    connect(redo, &QShortcut::activated, this, &FigureComposer::redo);
    auto* exportKey = new QShortcut(QKeySequence(tr("Ctrl+E")), this);
    connect(exportKey, &QShortcut::activated, this, &FigureComposer::exportDialog);
    // Refresh takes a new snapshot of every layer: nothing computed before is reused.
    auto fresh = [this] {
        cache_->clear();
        refresh();
    };
    auto* refreshKey = new QShortcut(QKeySequence::Refresh, this);
    connect(refreshKey, &QShortcut::activated, this, fresh);
    connect(refreshBtn, &QPushButton::clicked, this, fresh);
    connect(live_, &QCheckBox::toggled, this, [this](bool on) {
        if (on) {
            liveTimer_->start();
            refresh();
        } else {
            liveTimer_->stop();
        }
    });
    connect(liveTimer_, &QTimer::timeout, this, &FigureComposer::refresh);
    connect(exportBtn, &QPushButton::clicked, this, &FigureComposer::exportDialog);
    connect(closeBtn, &QPushButton::clicked, this, &QDialog::close);
    // A layer added, removed or renamed: the layer lists follow and the preview says what went.
    connect(w_->model(), &DocumentModel::changed, this, [this](nr::Document::Change c, nr::LayerId) {
        if (c == nr::Document::Change::Added || c == nr::Document::Change::Removed ||
            c == nr::Document::Change::Renamed) {
            buildCells();
            fillLayerList();
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
    fillLayerList();
    fillPanelPick();
    store();
    committed_ = fig_;
    QTimer::singleShot(0, this, &FigureComposer::refresh);
}

bool FigureComposer::undo() {
    if (undo_.empty()) return false;
    redo_.push_back(committed_);
    fig_ = undo_.back();
    undo_.pop_back();
    showFigure();
    return true;
}

bool FigureComposer::redo() {
    if (redo_.empty()) return false;
    undo_.push_back(committed_);
    fig_ = redo_.back();
    redo_.pop_back();
    showFigure();
    return true;
}

void FigureComposer::showFigure() {
    committed_ = fig_;
    building_ = true;
    {
        QSignalBlocker b1(name_), b2(width_), b3(widthPreset_), b4(height_), b5(rows_), b6(cols_),
            b7(letters_), b8(fontPt_), b9(fontFamily_);
        name_->setText(QString::fromStdString(fig_.name));
        width_->setValue(fig_.widthMm);
        int preset = 3;
        for (int i = 0; i < 3; ++i)
            if (std::abs(widthPreset_->itemData(i).toDouble() - fig_.widthMm) < 1e-9) preset = i;
        widthPreset_->setCurrentIndex(preset);
        height_->setValue(fig_.heightMm);
        rows_->setValue(fig_.rows);
        cols_->setValue(fig_.cols);
        letters_->setChecked(fig_.letters);
        fontPt_->setValue(fig_.fontPt);
        fontFamily_->setCurrentFont(QFont(QString::fromStdString(fig_.fontFamily)));
    }
    building_ = false;
    buildCells();
    fillPanelPick();
    store();
    debounce_->start();
}

namespace {

bool is3d(nr::PanelView v) {
    return v == nr::PanelView::Network || v == nr::PanelView::Vessels || v == nr::PanelView::Neurons;
}

int cellKey(int row, int col) {
    return row * 1000 + col;
}

} // namespace

QWidget* FigureComposer::buildPanelBox() {
    panelBox_ = new QGroupBox(tr("Panel"));
    auto* form = new QFormLayout(panelBox_);
    form->setContentsMargins(6, 4, 6, 4);
    panelPick_ = new QComboBox;
    panelPick_->setObjectName(QStringLiteral("panelPick"));
    panelPick_->setToolTip(tr("The panel whose own settings are edited below"));
    form->addRow(tr("Panel"), panelPick_);
    panelTitle_ = new QLineEdit;
    panelTitle_->setObjectName(QStringLiteral("panelTitle"));
    panelTitle_->setPlaceholderText(tr("(no title)"));
    panelTitle_->setToolTip(tr("A line of text above the panel"));
    form->addRow(tr("Title"), panelTitle_);
    panelColorBy_ = new QComboBox;
    panelColorBy_->setObjectName(QStringLiteral("panelColorBy"));
    panelColorBy_->setToolTip(
        tr("What a 3-D panel colours by; its key in the figure names it with its range and "
           "unit"));
    form->addRow(tr("Colour by"), panelColorBy_);
    panelLabels_ = new QLineEdit;
    panelLabels_->setObjectName(QStringLiteral("panelLabels"));
    panelLabels_->setPlaceholderText(tr("names, separated by commas"));
    panelLabels_->setToolTip(
        tr("Nodes (3-D network) or neurons (3-D neurons) to name in the figure: vector text "
           "beside each, with a line to it"));
    form->addRow(tr("Labels"), panelLabels_);
    auto* camRow = new QHBoxLayout;
    cameraFromWindow_ = new QPushButton(tr("From &window"));
    cameraFromWindow_->setObjectName(QStringLiteral("panelCameraFromWindow"));
    cameraFromWindow_->setToolTip(
        tr("Take the camera of the window's 3-D view of this kind (and, for a network, "
           "the Network dock's colouring and edge filter): set it up there, then press "
           "this"));
    cameraReset_ = new QPushButton(tr("Whole data"));
    cameraReset_->setObjectName(QStringLiteral("panelCameraReset"));
    cameraReset_->setToolTip(tr("Forget the panel's camera: the whole data in view"));
    cameraState_ = new QLabel;
    camRow->addWidget(cameraFromWindow_);
    camRow->addWidget(cameraReset_);
    camRow->addWidget(cameraState_, 1);
    form->addRow(tr("Camera"), camRow);

    connect(panelPick_, &QComboBox::currentIndexChanged, this, [this] { showPanelSettings(); });
    connect(panelTitle_, &QLineEdit::editingFinished, this, [this] { panelSettingsEdited(); });
    connect(panelLabels_, &QLineEdit::editingFinished, this, [this] { panelSettingsEdited(); });
    connect(panelColorBy_, &QComboBox::activated, this, [this] { panelSettingsEdited(); });
    connect(cameraFromWindow_, &QPushButton::clicked, this, [this] {
        if (!cameraFromWindow())
            status_->setText(tr("Open the window's 3-D view of this panel's kind first, then frame the data "
                                "there"));
    });
    connect(cameraReset_, &QPushButton::clicked, this, [this] {
        if (nr::FigurePanel* p = pickedPanel()) {
            p->camera.reset();
            edited();
            showPanelSettings();
        }
    });
    return panelBox_;
}

nr::FigurePanel* FigureComposer::pickedPanel() {
    const int key = panelPick_->currentData().toInt();
    if (panelPick_->currentIndex() < 0) return nullptr;
    for (nr::FigurePanel& p : fig_.panels)
        if (cellKey(p.row, p.col) == key) return &p;
    return nullptr;
}

void FigureComposer::fillPanelPick() {
    const QVariant was = panelPick_->currentData();
    {
        QSignalBlocker b(panelPick_);
        panelPick_->clear();
        for (size_t i = 0; i < fig_.panels.size(); ++i) {
            const nr::FigurePanel& p = fig_.panels[i];
            const nr::Layer* l = w_->document().find(p.layer);
            panelPick_->addItem(
                tr("%1: %2%3")
                    .arg(QString::fromStdString(nr::panelLetter(i)),
                         QString::fromLatin1(nr::panelViewLabel(p.view)),
                         l ? QStringLiteral(" (%1)").arg(QString::fromStdString(l->name)) : QString()),
                cellKey(p.row, p.col));
        }
        const int at = was.isValid() ? panelPick_->findData(was) : -1;
        panelPick_->setCurrentIndex(at >= 0 ? at : (panelPick_->count() > 0 ? 0 : -1));
    }
    showPanelSettings();
}

bool FigureComposer::pickPanel(int row, int col) {
    const int at = panelPick_->findData(cellKey(row, col));
    if (at < 0) return false;
    panelPick_->setCurrentIndex(at);
    showPanelSettings();
    return true;
}

void FigureComposer::showPanelSettings() {
    const nr::FigurePanel* p = pickedPanel();
    const bool three = p && is3d(p->view);
    const nr::Layer* layer = p ? w_->document().find(p->layer) : nullptr;
    const bool volume = layer && layer->kind == nr::LayerKind::LabelVolume;
    // Names to label: nodes of a network, neurons of morphologies (a label volume's instances have none).
    const bool named =
        p && (p->view == nr::PanelView::Network || (p->view == nr::PanelView::Neurons && !volume));
    panelTitle_->setEnabled(p);
    panelColorBy_->setEnabled(three);
    panelLabels_->setEnabled(named);
    cameraFromWindow_->setEnabled(three);
    cameraReset_->setEnabled(three && p->camera);
    QSignalBlocker b1(panelTitle_), b2(panelColorBy_), b3(panelLabels_);
    panelTitle_->setText(p ? QString::fromStdString(p->title) : QString());
    panelColorBy_->clear();
    panelLabels_->clear();
    cameraState_->setText(!three ? QString() : p->camera ? tr("its own") : tr("whole data"));
    if (!p) return;
    // What the panel's layer can be coloured by, the default first.
    QStringList options;
    const nr::Layer* l = w_->document().find(p->layer);
    if (p->view == nr::PanelView::Network) {
        options << QStringLiteral("class") << QStringLiteral("degree") << QStringLiteral("in-degree")
                << QStringLiteral("out-degree");
        if (l && l->graph) {
            for (const auto& [name, v] : l->graph->nodeNumeric) options << QString::fromStdString(name);
            for (const auto& [name, v] : l->graph->nodeText) options << QString::fromStdString(name);
        }
    } else if (p->view == nr::PanelView::Neurons && volume) {
        options << QStringLiteral("instance");
    } else if (p->view == nr::PanelView::Neurons) {
        options << QStringLiteral("neuron") << QStringLiteral("type") << QStringLiteral("branch-order")
                << QStringLiteral("path-distance");
    } else if (p->view == nr::PanelView::Vessels) {
        options << QStringLiteral("radius");
        if (l)
            if (auto g = std::any_cast<std::shared_ptr<const nr::VesselGraph>>(&l->payload); g && *g)
                for (const auto& col : (*g)->edgeColumns)
                    if (col.name != "radius") options << QString::fromStdString(col.name);
    }
    options.removeDuplicates();
    panelColorBy_->addItems(options);
    const QString cur = QString::fromStdString(p->colorBy);
    if (!cur.isEmpty() && !options.contains(cur)) panelColorBy_->addItem(cur);
    panelColorBy_->setCurrentIndex(cur.isEmpty() ? 0 : panelColorBy_->findText(cur));
    QStringList names;
    if (const nr::JsonValue* labels = p->settings.get("labels"); labels && labels->isArray())
        for (const nr::JsonValue& v : labels->arr) names << QString::fromStdString(v.str);
    panelLabels_->setText(names.join(QStringLiteral(", ")));
}

void FigureComposer::panelSettingsEdited() {
    nr::FigurePanel* p = pickedPanel();
    if (!p) return;
    p->title = panelTitle_->text().trimmed().toStdString();
    if (panelColorBy_->isEnabled() && panelColorBy_->currentIndex() >= 0)
        p->colorBy =
            panelColorBy_->currentIndex() == 0 ? std::string() : panelColorBy_->currentText().toStdString();
    if (panelLabels_->isEnabled()) {
        nr::JsonValue labels = nr::JsonValue::array();
        for (const QString& s : panelLabels_->text().split(QLatin1Char(','), Qt::SkipEmptyParts))
            if (const QString t = s.trimmed(); !t.isEmpty())
                labels.push(nr::JsonValue::string(t.toStdString()));
        if (labels.arr.empty())
            p->settings.remove("labels");
        else
            p->settings.set("labels", std::move(labels));
    }
    edited();
}

bool FigureComposer::cameraFromWindow() {
    nr::FigurePanel* p = pickedPanel();
    if (!p || !is3d(p->view)) return false;
    VtkView* view = p->view == nr::PanelView::Network   ? static_cast<VtkView*>(w_->connectomeView())
                    : p->view == nr::PanelView::Vessels ? static_cast<VtkView*>(w_->vesselView())
                                                        : static_cast<VtkView*>(w_->neuronView());
    if (!view) return false;
    const VtkView::CameraState c = view->camera();
    nr::FigurePanelCamera cam;
    for (int k = 0; k < 3; ++k) {
        cam.position[size_t(k)] = c.pos[k];
        cam.focalPoint[size_t(k)] = c.focal[k];
        cam.viewUp[size_t(k)] = c.up[k];
    }
    cam.viewAngle = c.viewAngle;
    p->camera = cam;
    // A network panel takes the Network dock's colouring and edge filter too: what the user set up there.
    if (p->view == nr::PanelView::Network && w_->connectomePanel()) {
        const nr::Layer* l = w_->document().find(p->layer);
        const ConnectomePanel* dock = w_->connectomePanel();
        if (const std::string by = dock->colorBy().toStdString(); !by.empty()) p->colorBy = by;
        const EdgeFilter ef = dock->currentFilter();
        p->settings.remove("minWeight");
        p->settings.remove("maxWeight");
        p->settings.remove("edgeTypes");
        if (l && l->graph && !l->graph->weight.empty()) {
            const auto [lo, hi] = std::minmax_element(l->graph->weight.begin(), l->graph->weight.end());
            if (ef.minWeight > *lo) p->settings.set("minWeight", double(ef.minWeight));
            if (ef.maxWeight > ef.minWeight && ef.maxWeight < *hi)
                p->settings.set("maxWeight", double(ef.maxWeight));
        }
        if (l && l->graph && std::count(ef.typeVisible.begin(), ef.typeVisible.end(), false) > 0) {
            nr::JsonValue types = nr::JsonValue::array();
            for (size_t k = 0; k < l->graph->edgeTypes.size(); ++k)
                if (k >= ef.typeVisible.size() || ef.typeVisible[k])
                    types.push(nr::JsonValue::string(l->graph->edgeTypes[k]));
            p->settings.set("edgeTypes", std::move(types));
        }
    }
    edited();
    showPanelSettings();
    status_->setText(tr("Panel %1 keeps the window's camera; move the window's view freely now")
                         .arg(panelPick_->currentText().section(QLatin1Char(':'), 0, 0)));
    return true;
}

void FigureComposer::fillLayerList() {
    layerList_->clear();
    for (const auto& lp : w_->document().layers()) {
        if (firstViewFor(lp->kind) < 0) continue;
        auto* it = new QListWidgetItem(QStringLiteral("%1 (%2)").arg(
            QString::fromStdString(lp->name), QString::fromLatin1(nr::layerKindName(lp->kind))));
        it->setData(Qt::UserRole, QVariant::fromValue<qulonglong>(lp->id));
        layerList_->addItem(it);
    }
}

bool FigureComposer::eventFilter(QObject* o, QEvent* e) {
    if (o == previewLabel_) {
        if (e->type() == QEvent::DragEnter || e->type() == QEvent::DragMove) {
            auto* d = static_cast<QDropEvent*>(e);
            if (d->mimeData()->hasFormat(QString::fromLatin1(kLayerMime))) {
                d->acceptProposedAction();
                return true;
            }
        } else if (e->type() == QEvent::Drop) {
            auto* d = static_cast<QDropEvent*>(e);
            const QByteArray id = d->mimeData()->data(QString::fromLatin1(kLayerMime));
            if (!id.isEmpty() && dropLayer(d->position().toPoint(), id.toULongLong())) {
                d->acceptProposedAction();
                return true;
            }
        }
    }
    return QDialog::eventFilter(o, e);
}

bool FigureComposer::dropLayer(const QPoint& pos, uint64_t layer) {
    const nr::Layer* l = w_->document().find(layer);
    if (!l) return false;
    int view = firstViewFor(l->kind);
    if (view < 0) {
        status_->setText(
            tr("No panel view draws a %1 layer").arg(QString::fromLatin1(nr::layerKindName(l->kind))));
        return false;
    }
    // The preview is centred in the label at the screen's DPI.
    const QSize img = preview_.size();
    const QPoint origin((previewLabel_->width() - img.width()) / 2,
                        (previewLabel_->height() - img.height()) / 2);
    const auto cell = figureCellAt(fig_, QPointF(pos - origin), std::max(72, logicalDpiX()));
    if (!cell) return false;
    // A cell covered by another panel's span: the panel that covers it.
    int r = cell->first, c = cell->second;
    const nr::FigurePanel* held = nullptr;
    for (const nr::FigurePanel& q : fig_.panels)
        if (r >= q.row && r < q.row + q.rowSpan && c >= q.col && c < q.col + q.colSpan)
            r = q.row, c = q.col, held = &q;
    // A panel that already shows a view keeps it: a layer it cannot draw is refused, saying which kinds fit.
    if (held) {
        if (!kindFits(held->view, l->kind)) {
            status_->setText(
                tr("Row %1, column %2 holds a panel \"%3\", which draws a %4 layer, not \"%5\" "
                   "(%6). Choose another view for the cell first, or drop the layer on an empty cell.")
                    .arg(r + 1)
                    .arg(c + 1)
                    .arg(QString::fromLatin1(nr::panelViewLabel(held->view)), kindsOf(held->view),
                         QString::fromStdString(l->name), QString::fromLatin1(nr::layerKindName(l->kind))));
            status_->setStyleSheet(QStringLiteral("color: #b00000"));
            return false;
        }
        for (size_t k = 0; k < nr::allPanelViews().size(); ++k)
            if (nr::allPanelViews()[k] == held->view) view = int(k);
    }
    setCell(r, c, view, layer);
    status_->setText(
        tr("%1 in row %2, column %3").arg(QString::fromStdString(l->name)).arg(r + 1).arg(c + 1));
    return true;
}

QWidget* FigureComposer::previewWidget() const {
    return previewLabel_;
}

void FigureComposer::setLive(bool on) {
    live_->setChecked(on);
}

bool FigureComposer::isLive() const {
    return live_->isChecked();
}

void FigureComposer::setSpan(int row, int col, int rowSpan, int colSpan) {
    const int i = row * fig_.cols + col;
    auto* rs = qobject_cast<QSpinBox*>(cells_->cellWidget(i, 3));
    auto* cs = qobject_cast<QSpinBox*>(cells_->cellWidget(i, 4));
    if (!rs || !cs) return;
    {
        QSignalBlocker b1(rs), b2(cs);
        rs->setValue(rowSpan);
        cs->setValue(colSpan);
    }
    edited();
}

void FigureComposer::markCovered() {
    // Cells under another panel's span: their controls are greyed and say which panel covers them.
    for (int r = 0; r < fig_.rows; ++r)
        for (int c = 0; c < fig_.cols; ++c) {
            const int row = r * fig_.cols + c;
            const nr::FigurePanel* cover = nullptr;
            for (const nr::FigurePanel& q : fig_.panels)
                if ((q.row != r || q.col != c) && r >= q.row && r < q.row + q.rowSpan && c >= q.col &&
                    c < q.col + q.colSpan)
                    cover = &q;
            if (QTableWidgetItem* it = cells_->item(row, 0)) {
                it->setText(
                    cover ? tr("%1,%2 in %3,%4").arg(r + 1).arg(c + 1).arg(cover->row + 1).arg(cover->col + 1)
                          : tr("%1,%2").arg(r + 1).arg(c + 1));
                it->setToolTip(cover ? tr("Row %1, column %2: under the panel of row %3, column %4")
                                           .arg(r + 1)
                                           .arg(c + 1)
                                           .arg(cover->row + 1)
                                           .arg(cover->col + 1)
                                     : tr("Row %1, column %2 of the grid").arg(r + 1).arg(c + 1));
            }
            for (int k = 1; k < 5; ++k)
                if (QWidget* wdg = cells_->cellWidget(row, k)) wdg->setEnabled(!cover);
        }
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
            auto* cell = new QTableWidgetItem(tr("%1,%2").arg(r + 1).arg(c + 1));
            cell->setFlags(Qt::ItemIsEnabled);
            cells_->setItem(row, 0, cell);
            auto* view = new QComboBox;
            // Long view names do not widen the table past the pane: the list shows them whole.
            view->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
            view->setMinimumContentsLength(14);
            view->addItem(tr("(empty)"));
            for (nr::PanelView v : views) view->addItem(QString::fromLatin1(nr::panelViewLabel(v)));
            int vi = -1;
            if (p)
                for (size_t k = 0; k < views.size(); ++k)
                    if (views[k] == p->view) vi = int(k);
            view->setCurrentIndex(vi + 1);
            view->setToolTip(tr("What this cell shows"));
            auto* layer = new QComboBox;
            layer->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
            layer->setMinimumContentsLength(10);
            layer->setToolTip(tr("The layer of the workspace this cell draws (layers of a fitting kind)"));
            fillLayerCombo(layer, vi, p ? p->layer : 0);
            auto* rowSpan = new QSpinBox;
            auto* colSpan = new QSpinBox;
            rowSpan->setRange(1, fig_.rows - r);
            colSpan->setRange(1, fig_.cols - c);
            rowSpan->setValue(p ? std::clamp(p->rowSpan, 1, fig_.rows - r) : 1);
            colSpan->setValue(p ? std::clamp(p->colSpan, 1, fig_.cols - c) : 1);
            rowSpan->setToolTip(tr("How many rows of the grid this panel spans"));
            colSpan->setToolTip(tr("How many columns of the grid this panel spans"));
            cells_->setCellWidget(row, 1, view);
            cells_->setCellWidget(row, 2, layer);
            cells_->setCellWidget(row, 3, rowSpan);
            cells_->setCellWidget(row, 4, colSpan);
            for (QSpinBox* sb : {rowSpan, colSpan})
                connect(sb, &QSpinBox::valueChanged, this, [this] {
                    if (!building_) edited();
                });
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
    markCovered();
    building_ = false;
}

void FigureComposer::readControls() {
    fig_.name = name_->text().trimmed().toStdString();
    if (fig_.name.empty()) fig_.name = storedName_.toStdString();
    fig_.widthMm = width_->value();
    fig_.heightMm = height_->value();
    fig_.letters = letters_->isChecked();
    fig_.fontPt = fontPt_->value();
    fig_.fontFamily = fontFamily_->currentFont().family().toStdString();
    // Panels from the cells of the grid as it was; cells outside a smaller grid are dropped.
    std::vector<nr::FigurePanel> panels;
    const std::vector<nr::PanelView> views = nr::allPanelViews();
    const int newRows = rows_->value(), newCols = cols_->value();
    std::vector<char> covered(size_t(newRows * newCols), 0);
    for (int row = 0; row < cells_->rowCount(); ++row) {
        auto* view = qobject_cast<QComboBox*>(cells_->cellWidget(row, 1));
        auto* layer = qobject_cast<QComboBox*>(cells_->cellWidget(row, 2));
        auto* rs = qobject_cast<QSpinBox*>(cells_->cellWidget(row, 3));
        auto* cs = qobject_cast<QSpinBox*>(cells_->cellWidget(row, 4));
        if (!view || !layer || view->currentIndex() <= 0) continue;
        const int r = row / fig_.cols, c = row % fig_.cols;
        if (r >= newRows || c >= newCols || covered[size_t(r * newCols + c)]) continue;
        nr::FigurePanel p;
        for (const nr::FigurePanel& q : fig_.panels) // keep a panel's own settings and camera
            if (q.row == r && q.col == c) p = q;
        p.view = views[size_t(view->currentIndex() - 1)];
        p.layer = layer->currentData().toULongLong();
        p.row = r, p.col = c;
        // A span stops at the grid's edge and before a cell another panel already holds.
        p.rowSpan = std::clamp(rs ? rs->value() : 1, 1, newRows - r);
        p.colSpan = std::clamp(cs ? cs->value() : 1, 1, newCols - c);
        for (int rr = r; rr < r + p.rowSpan; ++rr)
            for (int cc = c; cc < c + p.colSpan; ++cc) covered[size_t(rr * newCols + cc)] = 1;
        panels.push_back(p);
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
    markCovered();
    fillPanelPick();
    // One step of history per edit that changed the figure (what a session would save).
    if (nr::figureJson(fig_) != nr::figureJson(committed_)) {
        undo_.push_back(committed_);
        if (undo_.size() > 200) undo_.erase(undo_.begin());
        redo_.clear();
        committed_ = fig_;
    }
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

void FigureComposer::setTitle(int row, int col, const QString& title) {
    if (!pickPanel(row, col)) return;
    panelTitle_->setText(title);
    panelSettingsEdited();
}

void FigureComposer::refresh() {
    debounce_->stop();
    QElapsedTimer timer;
    timer.start();
    // A first draw can take seconds (a label volume meshed, structure–function permutations): a busy cursor
    // says the window is working until the preview is there.
    struct BusyCursor {
        BusyCursor() { QApplication::setOverrideCursor(Qt::WaitCursor); }
        ~BusyCursor() { QApplication::restoreOverrideCursor(); }
    } busy;
    const int dpi = std::max(72, logicalDpiX());
    // Only the panels an edit changed are computed and rendered again (FigureCache).
    const std::vector<FigurePanelData> data = cache_->data(fig_, w_->document());
    const QString why = QString::fromStdString(nr::checkFigure(fig_));
    QImage img(figurePixels(fig_, dpi), QImage::Format_RGB32);
    img.fill(Qt::white);
    FigureWriteStats st;
    if (why.isEmpty()) {
        QPainter p(&img);
        paintFigure(p, fig_, data, dpi, &st, cache_.get());
    }
    preview_ = img;
    previewLabel_->setPixmap(QPixmap::fromImage(img));
    const QString problems = figureProblems(fig_, data);
    // Panels too small for their labels at the figure's font size, and the size they need; labels outside a
    // 3-D picture and a font this machine lacks.
    QStringList small;
    if (why.isEmpty())
        for (const FigureLabelWarning& lw : figureLabelWarnings(fig_, data, dpi)) small << lw.message;
    QString text =
        !why.isEmpty() ? why
        : problems.isEmpty()
            ? tr("%1 × %2 mm, %3 panels").arg(fig_.widthMm).arg(fig_.heightMm).arg(fig_.panels.size())
            : problems;
    if (why.isEmpty() && !small.isEmpty())
        text += QLatin1Char('\n') + tr("Labels do not fit: ") + small.join(QLatin1Char('\n'));
    if (why.isEmpty() && !st.warnings.isEmpty())
        text += QLatin1Char('\n') + st.warnings.join(QLatin1Char('\n'));
    status_->setText(text);
    status_->setStyleSheet(!why.isEmpty() || !problems.isEmpty()        ? QStringLiteral("color: #b00000")
                           : !small.isEmpty() || !st.warnings.isEmpty() ? QStringLiteral("color: #9a5b00")
                                                                        : QString());
    lastRefreshMs_ = timer.nsecsElapsed() / 1e6;
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
