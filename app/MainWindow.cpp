#include "MainWindow.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QEventLoop>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QKeySequence>
#include <QLabel>
#include <QLayout>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QScreen>
#include <QScrollArea>
#include <QSettings>
#include <QStatusBar>
#include <QTime>
#include <QTimer>
#include <QToolButton>
#include <QUndoStack>

#include "ActivityDock.h"
#include "AdjacencyDock.h"
#include "AnalysisDock.h"
#include "ConnectomePanel.h"
#include "DocumentModel.h"
#include "FigureComposer.h"
#include "FigureExport.h"
#include "FisbeView.h"
#include "FunctionalDock.h"
#include "LayersDock.h"
#include "LiveGeometry.h"
#include "NeuronPanel.h"
#include "OpenFileDialog.h"
#include "PluginPanel.h"
#include "Session.h"
#include "SimulationDock.h"
#include "TraceRateDialog.h"
#include "VesselPanel.h"
#include "VolumeOpenDialog.h"
#include "WheelGuard.h"
#include "io/DemoNetwork.h"
#include "io/GraphIO.h"
#include "io/IoFormats.h"
#include "io/Layout.h"
#include "io/ReaderRegistry.h"
#include "io/TrialIO.h"
#include "layers/LayerPresenter.h"
#include "model/SpikeStore.h"
#include "morph/ImageVolume.h"
#include "morph/LabelVolume.h"
#include "morph/Morphology.h"
#include "plots/TracePlot.h"
#include "traces/TraceAnalysis.h"
#include "traces/TraceFormats.h"
#include "traces/Traces.h"
#include "vessel/VesselGraph.h"
#include "vtk/ConnectomeView.h"
#include "vtk/NeuronView.h"
#include "vtk/VesselView.h"
#include <QTabBar>
#include <QTabWidget>

namespace {
const char* kRecentKey = "recentFiles";
const int kMaxRecent = 8;
// The open dialog's filters come from the reader registry.
QString fileFilter() {
    return QString::fromStdString(nr::ReaderRegistry::builtin().dialogFilters());
}
} // namespace

static void initAppResources() {
    Q_INIT_RESOURCE(resources);
}

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    initAppResources();
    // Spin boxes, sliders and combo boxes take the wheel only when focused (every dock, also later ones).
    WheelGuard::install();
    setWindowTitle(QStringLiteral("Neurorama"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/neurorama.svg")));
    setAcceptDrops(true);
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks);
    undo_ = new QUndoStack(this);
    model_ = new DocumentModel(&doc_, this);

    view_ = new ConnectomeView(this);
    view_->setMinimumSize(200, 150);
    // The 3-D views share the centre as tabs: the network, and vessels or neurons once opened.
    centralTabs_ = new QTabWidget(this);
    centralTabs_->setDocumentMode(true);
    centralTabs_->addTab(view_, tr("Network"));
    centralTabs_->tabBar()->setAutoHide(true);
    setCentralWidget(centralTabs_);

    buildDocks();
    buildMenus();
    // The right column follows the tab on top: the Vessels dock with the vessels, Analysis with the network.
    connect(centralTabs_, &QTabWidget::currentChanged, this, [this] {
        if (!vesselDock_ || !vesselDock_->isVisible()) return;
        if (centralTabs_->currentWidget() == vesselView_)
            vesselDock_->raise();
        else if (centralTabs_->currentWidget() == view_)
            analysisDock_->raise();
    });

    status_ = new QLabel(tr("Ready"));
    statusBar()->addWidget(status_, 1);
    progress_ = new QProgressBar;
    progress_->setRange(0, 1000);
    progress_->setMaximumWidth(220);
    progress_->hide();
    cancel_ = new QToolButton;
    cancel_->setText(tr("Cancel"));
    cancel_->setToolTip(tr("Stop loading (Esc)"));
    cancel_->hide();
    statusBar()->addPermanentWidget(progress_);
    statusBar()->addPermanentWidget(cancel_);
    connect(cancel_, &QToolButton::clicked, &loader_, &DatasetLoader::cancel);

    connect(&loader_, &DatasetLoader::progress, this, [this](double f, const QString& what) {
        progress_->setValue(int(f * 1000));
        status_->setText(what);
    });
    connect(&loader_, &DatasetLoader::loaded, this, [this](const LoadedData& r) {
        progress_->hide();
        cancel_->hide();
        QStringList files;
        for (size_t i = 0; i < r.datasets.size(); ++i) {
            const auto& d = r.datasets[i];
            for (const auto& f : d.files) files << QString::fromStdString(f);
            nr::Dataset timed = askTraceRate(d);
            LoadedData::Source src = i < r.sources.size() ? r.sources[i] : LoadedData::Source{};
            // A rate asked for frames is a reader option of the file (the session reopens at it).
            if (!src.options.empty())
                for (const auto& [k, v] : loadingRate_)
                    if (!src.files.empty() && k == src.files[0]) src.options[0].emplace_back("rate", v);
            addDataset(std::move(timed), -1, i < r.sources.size() ? &src : nullptr);
        }
        loadingRate_.clear();
        // What was asked for, with the options chosen for it (FILE:ARRAY and its voxel size).
        if (!loadingFiles_.isEmpty())
            addRecent(loadingFiles_, loadingOptions_);
        else
            addRecent(files);
    });
    connect(&loader_, &DatasetLoader::failed, this, [this](const QString& msg) {
        progress_->hide();
        cancel_->hide();
        showError(msg);
    });
    connect(view_, &ConnectomeView::nodeHovered, this, [this](long id) {
        if (!graph() || id < 0 || size_t(id) >= graph()->nodeCount()) return;
        const auto& o = graph()->out();
        const auto& in = graph()->in();
        status_->setText(tr("%1 — in %2, out %3")
                             .arg(QString::fromStdString(graph()->names[size_t(id)]))
                             .arg(in.off[size_t(id) + 1] - in.off[size_t(id)])
                             .arg(o.off[size_t(id) + 1] - o.off[size_t(id)]));
    });
    // The Plugins tab can run on the open layers of the kind a plugin takes.
    analysisDock_->pluginPanel()->setLayerProvider([this](nr::InputKinds k) {
        nr::Inputs in;
        auto take = [&](nr::LayerKind kind, std::any& slot) {
            if (const nr::Layer* l = doc_.current(kind)) {
                slot = l->payload;
                in.source = l->files.empty() ? l->name : l->files.front();
            }
        };
        if (k & nr::TracesInput) take(nr::LayerKind::Traces, in.traces);
        if (k & nr::VesselInput) take(nr::LayerKind::Vessels, in.vessels);
        if (k & nr::MorphologyInput) take(nr::LayerKind::Morphologies, in.morphology);
        if (k & nr::VolumeInput) take(nr::LayerKind::LabelVolume, in.volume);
        if ((k & nr::GraphInput) && graph()) in.graph = graph();
        return in;
    });
    // Analysis results are data of the layer they were computed on: node columns belong to the network on
    // show, other results to the layer of the plugin's input kind (the selected layer when unsure).
    connect(analysisDock_->pluginPanel(), &PluginPanel::finished, this, [this](const nr::Results& r) {
        nr::LayerId target = !r.nodeColumns.empty() ? model_->shownGraphLayer() : doc_.selected();
        if (target == 0) target = model_->shownGraphLayer() ? model_->shownGraphLayer() : shownSpikes_;
        if (target) recordResults(doc_, target, r);
        showFisbeResult(r, neuronView_); // an evaluation colours its matches on the volume it scored
    });
    docToken_ = doc_.subscribe([this](nr::Document::Change c, nr::LayerId id) { onDocumentChange(c, id); });
    // The window never grows because a dock appears: an explicit minimum size keeps the docks' minimum sizes
    // from pushing the window past the screen (they scroll or tab instead).
    setMinimumSize(QSize(480, 360));
    const QRect avail = screen() ? screen()->availableGeometry() : QRect(0, 0, 1500, 950);
    resize(defaultSize(avail));
    move(avail.center() - rect().center());
    // Docks of kinds that are not open start hidden; they come up when their data arrives.
    showDocksForData();
    defaultState_ = saveState();
}

QSize MainWindow::defaultSize(const QRect& available) {
    const QSize preferred(1500, 950);
    if (!available.isValid()) return preferred;
    // Room for the window frame and title bar that the free area does not include.
    const QSize room(std::max(480, available.width() - 16), std::max(360, available.height() - 40));
    return preferred.boundedTo(room);
}

void MainWindow::restoreLayout() {
    rememberLayout_ = true;
    QSettings s;
    const QByteArray geometry = s.value(QStringLiteral("window/geometry")).toByteArray();
    const QByteArray state = s.value(QStringLiteral("window/state")).toByteArray();
    if (!geometry.isEmpty()) restoreGeometry(geometry);
    if (!state.isEmpty()) restoreState(state);
    // A layout saved on a larger screen (or with a dock of data that is not open now) is brought back.
    showDocksForData();
    keepOnScreen();
}

void MainWindow::resetLayout() {
    QSettings s;
    s.remove(QStringLiteral("window/geometry"));
    s.remove(QStringLiteral("window/state"));
    if (isMaximized() || isFullScreen()) showNormal();
    restoreState(defaultState_);
    const QRect avail = screen() ? screen()->availableGeometry() : QRect(0, 0, 1500, 950);
    resize(defaultSize(avail));
    move(avail.center() - rect().center());
    // The docks made for data opened later (vessels, neuron) go back to the right column as tabs.
    for (QDockWidget* d : {vesselDock_, static_cast<QDockWidget*>(neuronPanel_)}) {
        if (!d) continue;
        d->setFloating(false);
        addDockWidget(Qt::RightDockWidgetArea, d);
    }
    if (neuronPanel_) neuronPanel_->hide();
    showDocksForData();
    resizeDocks({simDock_}, {std::max(200, int(height() * 0.36))}, Qt::Vertical);
    if (vesselDock_ && vesselDock_->isVisible())
        resizeDocks({vesselDock_}, {std::max(280, width() / 5)}, Qt::Horizontal);
    logMessage(tr("Layout reset to the default"));
}

void MainWindow::showDocksForData() {
    const bool spikes = shownSpikes_ != 0 || simLayer_ != 0 || !doc_.ofKind(nr::LayerKind::Spikes).empty();
    const bool traces = !doc_.ofKind(nr::LayerKind::Traces).empty();
    simDock_->setVisible(spikes);
    activityDock_->setVisible(traces);
    fcDock_->setVisible(traces);
    if (traces)
        activityDock_->raise();
    else if (spikes)
        simDock_->raise();
    // The population geometry and stability panels need spikes; small windows keep their room for the data
    // (View > Analysis, the Analysis menu or running the attractor opens it).
    const int w = isVisible() ? width() : size().width();
    analysisDock_->setVisible(spikes && w >= 1300);
    if (vesselDock_) vesselDock_->setVisible(vesselView_ && vesselView_->graph());
}

void MainWindow::revealDock(QDockWidget* d, bool raise) {
    const bool wasHidden = !d->isVisibleTo(this);
    d->show();
    if (raise) d->raise();
    if (wasHidden && dockWidgetArea(d) == Qt::BottomDockWidgetArea && !d->isFloating())
        resizeDocks({d}, {std::max(200, int(height() * 0.36))}, Qt::Vertical);
}

void MainWindow::focusFind() {
    centralTabs_->setCurrentWidget(view_);
    if (netDock_->isHidden()) netDock_->show();
    netDock_->raise();
    panel_->focusSearch();
}

void MainWindow::keepOnScreen() {
    if (keepingOnScreen_ || isMaximized() || isFullScreen() || !isVisible()) return;
    QScreen* sc = screen();
    if (!sc) return;
    const QRect avail = sc->availableGeometry();
    const QRect frame = frameGeometry();
    if (avail.contains(frame)) return;
    keepingOnScreen_ = true;
    const QSize extra = frame.size() - size(); // title bar and borders
    QSize s = size().boundedTo(avail.size() - extra);
    s = s.expandedTo(minimumSize());
    if (s != size()) resize(s);
    QRect f = frameGeometry();
    QPoint p = pos();
    if (f.right() > avail.right()) p.rx() -= f.right() - avail.right();
    if (f.bottom() > avail.bottom()) p.ry() -= f.bottom() - avail.bottom();
    if (f.left() + (p.x() - pos().x()) < avail.left()) p.setX(pos().x() + avail.left() - f.left());
    if (f.top() + (p.y() - pos().y()) < avail.top()) p.setY(pos().y() + avail.top() - f.top());
    if (p != pos()) move(p);
    keepingOnScreen_ = false;
}

void MainWindow::resizeEvent(QResizeEvent* e) {
    QMainWindow::resizeEvent(e);
    // A dock that appears never pushes the window past the bottom of the screen.
    // (The interactive window only: screenshots and tests ask for sizes of their own.)
    if (laidOut_ && rememberLayout_) QTimer::singleShot(0, this, &MainWindow::keepOnScreen);
}

MainWindow::~MainWindow() {
    doc_.unsubscribe(docToken_);
    // The model subscribes to the document, a member that goes before the child objects.
    delete model_;
    model_ = nullptr;
    simDock_->stop();
    // The Layers dock subscribes to the document, which is a member and goes before the child widgets.
    delete layersDock_;
    layersDock_ = nullptr;
}

void MainWindow::buildDocks() {
    layersDock_ = new LayersDock(&doc_, this);
    addDockWidget(Qt::LeftDockWidgetArea, layersDock_);
    connect(layersDock_, &LayersDock::displayEdited, this, [this](nr::LayerId id) {
        const nr::Layer* l = doc_.find(id);
        if (l && l->kind == nr::LayerKind::Vessels && vesselPanel_ &&
            doc_.current(nr::LayerKind::Vessels) == l) {
            if (!l->display.colorBy.empty() &&
                QString::fromStdString(l->display.colorBy) != vesselPanel_->colorBy())
                vesselPanel_->applyColorBy(QString::fromStdString(l->display.colorBy), true);
            vesselPanel_->setTubeSize(l->display.edgeSize);
            return;
        }
        // A simulation layer shows through the network it runs on: its display is that network's.
        if (l && l->kind == nr::LayerKind::Simulation && l->graph && l->graph == graph() &&
            model_->shownGraphLayer() != 0) {
            doc_.setDisplay(model_->shownGraphLayer(), l->display);
            l = doc_.find(model_->shownGraphLayer());
            id = model_->shownGraphLayer();
        }
        if (!l || id != model_->shownGraphLayer()) return;
        if (!l->display.colorBy.empty() && l->display.colorBy != view_->colorBy())
            panel_->applyColorBy(QString::fromStdString(l->display.colorBy), true);
        view_->setNodeSize(l->display.pointSize);
        view_->setEdgeOpacity(l->display.opacity * 0.5f);
    });

    auto* netDock = new QDockWidget(tr("Network"), this);
    netDock_ = netDock;
    netDock->setObjectName(QStringLiteral("networkDock"));
    panel_ = new ConnectomePanel(view_, undo_, netDock);
    netDock->setWidget(panel_);
    addDockWidget(Qt::LeftDockWidgetArea, netDock);
    connect(panel_, &ConnectomePanel::message, this, [this](const QString& m) {
        logMessage(m);
        status_->setText(m);
    });
    // One colouring state: the Layers dock's "Colour by" is the Network dock's column.
    connect(panel_, &ConnectomePanel::colorByChanged, this, [this](const QString& c) {
        const nr::Layer* l = doc_.find(model_->shownGraphLayer());
        if (!l || c.isEmpty() || l->display.colorBy == c.toStdString()) return;
        nr::LayerDisplay d = l->display;
        d.colorBy = c.toStdString();
        doc_.setDisplay(model_->shownGraphLayer(), d);
    });

    simDock_ = new SimulationDock(this);
    simDock_->setConnectomeView(view_);
    activityDock_ = new ActivityDock(view_, this);
    connect(activityDock_, &ActivityDock::message, this, [this](const QString& m, bool err) {
        logMessage(m, err);
        status_->setText(m);
    });
    connect(simDock_, &SimulationDock::runStarted, this, &MainWindow::onRunStarted);
    // Choosing in the Network dock's "Colour by" sets what the Activity dock paints (activity, community, or
    // nothing of the traces for a node column), so both show the colouring the 3-D view has.
    auto chooseColoring = [this](const QString& kind) {
        activityDock_->setColorMode(kind == QLatin1String("community")  ? ActivityDock::ColorMode::Community
                                    : kind == QLatin1String("activity") ? ActivityDock::ColorMode::Activity
                                                                        : ActivityDock::ColorMode::Off);
    };
    connect(panel_, &ConnectomePanel::coloringChosen, this, chooseColoring);
    connect(layersDock_, &LayersDock::coloringChosen, this, chooseColoring);
    // The Layers dock shows the same: the colours from elsewhere on the layer the network view shows.
    connect(view_, &ConnectomeView::coloringChanged, this, [this] {
        layersDock_->setShownColoring(
            model_->shownGraphLayer(),
            view_->hasNodeColorOverride() ? QString::fromStdString(view_->coloring()) : QString());
    });
    connect(simDock_, &SimulationDock::openRequested, this, [this](const QString& f) { openFiles({f}); });
    addDockWidget(Qt::BottomDockWidgetArea, simDock_);
    addDockWidget(Qt::BottomDockWidgetArea, activityDock_);
    tabifyDockWidget(simDock_, activityDock_);
    auto* fcDock = new FunctionalDock(activityDock_, this);
    connect(fcDock, &FunctionalDock::message, this, [this](const QString& m, bool err) {
        logMessage(m, err);
        status_->setText(m);
    });
    addDockWidget(Qt::BottomDockWidgetArea, fcDock);
    tabifyDockWidget(activityDock_, fcDock);
    fcDock_ = fcDock;
    simDock_->raise();
    connect(simDock_, &SimulationDock::message, this, [this](const QString& m, bool err) {
        logMessage(m, err);
        status_->setText(m);
    });

    analysisDock_ = new AnalysisDock(this);
    analysisDock_->setModel(model_);
    analysisDock_->connectTo(simDock_, view_, panel_);
    addDockWidget(Qt::RightDockWidgetArea, analysisDock_);
    connect(analysisDock_, &AnalysisDock::message, this, [this](const QString& m, bool err) {
        logMessage(m, err);
        status_->setText(m);
    });
    adjacencyDock_ = new AdjacencyDock(model_, view_, this);
    addDockWidget(Qt::RightDockWidgetArea, adjacencyDock_);
    adjacencyDock_->hide();
    connect(adjacencyDock_, &AdjacencyDock::message, this, [this](const QString& m, bool err) {
        logMessage(m, err);
        status_->setText(m);
    });

    auto* logDock = new QDockWidget(tr("Messages"), this);
    logDock->setObjectName(QStringLiteral("messagesDock"));
    log_ = new QPlainTextEdit;
    log_->setReadOnly(true);
    log_->setMaximumBlockCount(2000);
    logDock->setWidget(log_);
    addDockWidget(Qt::LeftDockWidgetArea, logDock);
    // Layers, Network and Messages share the left column as tabs, so the window fits 1024x700.
    tabifyDockWidget(layersDock_, netDock);
    tabifyDockWidget(netDock, logDock);
    layersDock_->raise();
    // Small windows (1024x700): the docks shrink, their contents scroll or tab.
    for (QDockWidget* d :
         {static_cast<QDockWidget*>(layersDock_), netDock, logDock, static_cast<QDockWidget*>(simDock_),
          static_cast<QDockWidget*>(analysisDock_), static_cast<QDockWidget*>(activityDock_)})
        d->setMinimumSize(120, 80);
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open…"), this, &MainWindow::openDialog);
    open->setShortcut(QKeySequence::Open);
    open->setToolTip(tr("Open a graph (edge list, GraphML, GML), optionally with its node table"));
    QAction* openDir = file->addAction(tr("Open &Folder…"), this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(
            this, tr("Open a folder (SWC morphologies, a TIFF stack or a Zarr store)"));
        if (!dir.isEmpty()) openFiles({dir});
    });
    openDir->setToolTip(tr("Open every SWC file of a folder as neurons drawn together"));
    file->addAction(tr("Add &Node Table…"), this, &MainWindow::addNodeTableDialog);
    recentMenu_ = file->addMenu(tr("Open &Recent"));
    rebuildRecentMenu();
    file->addAction(tr("Show &Demo Network"), this, [this] { showDemo(true); });
    file->addSeparator();
    QAction* openSession = file->addAction(tr("Open &Session…"), this, &MainWindow::openSessionInteractive);
    openSession->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    openSession->setToolTip(tr("Open a saved workspace: every layer, filter, result, camera and the docks"));
    QAction* saveS = file->addAction(tr("&Save Session"), this, [this] { saveSessionInteractive(false); });
    saveS->setShortcut(QKeySequence::Save);
    saveS->setToolTip(tr("Save the whole workspace to its session file (asks for one the first time)"));
    QAction* saveAs =
        file->addAction(tr("Save Session &As…"), this, [this] { saveSessionInteractive(true); });
    saveAs->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    file->addSeparator();
    QAction* exp = file->addAction(tr("&Export Figure…"), this, &MainWindow::exportFigureDialog);
    exp->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    QAction* expModel =
        file->addAction(tr("Export &Model for NEURON…"), this, &MainWindow::exportModelForNeuron);
    expModel->setToolTip(tr("Write the model in the Simulation dock (current parameters and seed) as a model "
                            "description with run.py for mpirun -n K nrniv -mpi -python run.py"));
    QAction* newFig =
        file->addAction(tr("New &Figure…"), this, [this] { (new FigureComposer(this))->show(); });
    newFig->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F));
    newFig->setToolTip(tr("Compose a figure of several panels for a paper (saved with the session)"));
    // The workspace's figures (a session's, or composed earlier), each reopened in the composer.
    QMenu* figs = file->addMenu(tr("Open F&igure"));
    figs->setObjectName(QStringLiteral("openFigureMenu"));
    figs->setToolTipsVisible(true);
    connect(figs, &QMenu::aboutToShow, this, [this, figs] {
        figs->clear();
        if (figures_.empty()) figs->addAction(tr("(no figures in this workspace)"))->setEnabled(false);
        for (const nr::Figure& f : figures_) {
            const QString name = QString::fromStdString(f.name);
            QAction* a = figs->addAction(name, this, [this, name] { openFigure(name); });
            a->setToolTip(tr("Edit %1 in the figure composer").arg(name));
        }
    });
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QAction* undo = undo_->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    QAction* redo = undo_->createRedoAction(this, tr("&Redo"));
    redo->setShortcut(QKeySequence::Redo);
    edit->addAction(undo);
    edit->addAction(redo);
    edit->addSeparator();
    QAction* find = edit->addAction(tr("&Find Neuron…"), this, &MainWindow::focusFind);
    find->setShortcut(QKeySequence::Find);
    QAction* clear = edit->addAction(tr("Clear &Highlight"), this, [this] { view_->highlightNode(-1); });
    clear->setShortcut(QKeySequence(Qt::Key_Escape));

    QMenu* viewMenu = menuBar()->addMenu(tr("&View"));
    viewMenu_ = viewMenu;
    // The 3-D view on top: the network, the vessels (framing the visible ones) or the neurons.
    QAction* reset = viewMenu->addAction(tr("&Reset Camera"), this, [this] {
        if (auto* v = qobject_cast<VtkView*>(centralTabs_->currentWidget()))
            v->resetCamera();
        else
            view_->resetCamera();
    });
    reset->setShortcut(QKeySequence(Qt::Key_R));
    reset->setToolTip(tr("Fit the camera to what the 3-D view on top shows"));
    viewMenu->addSeparator();
    for (QDockWidget* d : findChildren<QDockWidget*>()) viewMenu->addAction(d->toggleViewAction());
    viewMenu->addSeparator();
    QAction* resetLay = viewMenu->addAction(tr("Reset &Layout"), this, &MainWindow::resetLayout);
    resetLay->setToolTip(tr("The default window size and dock arrangement"));
    viewMenu->addSeparator(); // docks made later add their toggles below

    simDock_->addMenuActions(menuBar()->addMenu(tr("&Simulation")));
    QMenu* analysisMenu = menuBar()->addMenu(tr("&Analysis"));
    analysisDock_->addMenuActions(analysisMenu);
    analysisMenu->addSeparator();
    QAction* fc = analysisMenu->addAction(tr("Functional Connectivity &Graph (|r| ≥ 0.5)"), this, [this] {
        if (QString err = addFunctionalGraph(0.5); !err.isEmpty()) showError(err);
    });
    fc->setToolTip(
        tr("Pearson r between the open traces, drawn on the connectome's positions as a layer: edges "
           "with |r| at least 0.5, coloured by sign"));
    findChild<FunctionalDock*>()->addMenuActions(analysisMenu);
    analysisMenu->addSeparator();
    QAction* adj = analysisMenu->addAction(tr("Adjacency &Matrix"), this, &MainWindow::showAdjacency);
    adj->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_M));
    adj->setToolTip(tr("The shown network's weighted adjacency as a heatmap, ordered by class, community or "
                       "clustering; clicks select nodes in 3-D"));

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&Keyboard Shortcuts"), this, [this] {
        QMessageBox::information(this, tr("Keyboard shortcuts"),
                                 tr("Ctrl+O  open\nCtrl+E  export figure\nCtrl+F  find neuron\nCtrl+Z / "
                                    "Ctrl+Shift+Z  undo / redo view changes\nR  fit the camera to what the "
                                    "3-D view on top shows\nEsc  clear "
                                    "highlight\nSpace  play / pause simulation\nS  step simulation\n\n"
                                    "Mouse: left drag rotate, wheel zoom, middle or Shift+left drag pan, "
                                    "click a neuron to highlight its partners."));
    });
    help->addAction(tr("&About Neurorama"), this, [this] {
        QMessageBox::about(
            this, tr("About Neurorama"),
            tr("<b>Neurorama %1</b><p>Connectomes, neurons and spiking networks in one window.</p>")
                .arg(QStringLiteral(NR_VERSION)));
    });
}

void MainWindow::openDialog() {
    OpenFileDialog dlg(
        this, tr("Open (an edge list and, optionally, its node table; any readable file; a Zarr store)"),
        fileFilter());
    if (dlg.exec() == QDialog::Accepted && !dlg.chosen().isEmpty()) openFiles(dlg.chosen());
}

void MainWindow::addNodeTableDialog() {
    if (!graph() || model_->shownGraphLayer() == 0) {
        showError(tr("Open a graph first, then add its node table."));
        return;
    }
    const QString f = QFileDialog::getOpenFileName(this, tr("Add node table"), QString(), fileFilter());
    if (f.isEmpty()) return;
    LoadedGraph r = joinNodeTable(*graph(), f);
    if (!r.graph) {
        showError(QString::fromStdString(r.error.str()));
        return;
    }
    if (nr::Layer* l = doc_.find(model_->shownGraphLayer())) l->files.push_back(f.toStdString());
    doc_.setGraph(model_->shownGraphLayer(), r.graph, r.summary.toStdString());
    r.files = QStringList{title_} + r.files;
    setGraph(r);
}

QString MainWindow::openSpikes(const QString& file) {
    auto d = nr::ReaderRegistry::builtin().open(file.toStdString());
    if (!d.ok()) return QString::fromStdString(d.error().str());
    if (d.value().kind != nr::LayerKind::Spikes)
        return tr("%1: holds %2, not spike times")
            .arg(file, QString::fromLatin1(nr::layerKindName(d.value().kind)));
    addDataset(std::move(d.value()));
    addRecent({file});
    return QString();
}

void MainWindow::openFiles(const QStringList& files) {
    if (loader_.busy()) {
        status_->setText(tr("Still loading the previous file…"));
        return;
    }
    // A session (double-clicked, dropped or named on the command line) restores its workspace.
    if (files.size() == 1 && isSessionFile(files[0])) {
        const OutsidePaths outside = allowOutsidePaths_ ? OutsidePaths::Allow : OutsidePaths::Ask;
        const SessionReport rep = loadSession(this, files[0], outside);
        if (!rep.error.isEmpty()) showError(rep.error);
        reportSession(rep);
        return;
    }
    // A file inside a Zarr store (.zgroup, .zarray, a chunk) opens the store. A Zarr store or HDF5 file with
    // several arrays, or no voxel size, asks which arrays and what size first.
    QStringList chosen = OpenFileDialog::mapToStores(files);
    std::vector<FileOptions> options;
    if (!VolumeOpenDialog::resolve(this, chosen, options)) return; // cancelled: what is open stays
    openFiles(chosen, options);
}

void MainWindow::openFiles(const QStringList& chosen, const std::vector<FileOptions>& options) {
    if (loader_.busy()) {
        status_->setText(tr("Still loading the previous file…"));
        return;
    }
    loadingFiles_ = chosen;
    loadingOptions_ = options;
    progress_->setValue(0);
    progress_->show();
    cancel_->show();
    status_->setText(tr("Opening %1…").arg(QFileInfo(chosen.value(0)).fileName()));
    loader_.load(chosen, options);
}

QString MainWindow::openFilesBlocking(const QStringList& files, const std::vector<FileOptions>& options) {
    LoadedData r = loadFiles(files, {}, options);
    if (!r.ok()) return QString::fromStdString(r.error.str());
    for (size_t i = 0; i < r.datasets.size(); ++i)
        addDataset(std::move(r.datasets[i]), -1, i < r.sources.size() ? &r.sources[i] : nullptr);
    return QString();
}

QString MainWindow::openLayer(const std::vector<std::string>& files, const std::vector<FileOptions>& options,
                              nr::LayerId* id) {
    QStringList list;
    for (const auto& f : files) list << QString::fromStdString(f);
    LoadedData r = loadFiles(list, {}, options);
    if (!r.ok()) return QString::fromStdString(r.error.str());
    for (size_t i = 0; i < r.datasets.size(); ++i) {
        const nr::LayerId lid =
            addDataset(std::move(r.datasets[i]), -1, i < r.sources.size() ? &r.sources[i] : nullptr);
        if (i == 0 && id) *id = lid;
    }
    return QString();
}

void MainWindow::clearWorkspace() {
    loader_.cancel();
    simDock_->stop();
    if (neuronView_) neuronView_->cancelMeshing();
    doc_.clear();
    simLayer_ = shownSpikes_ = 0;
    model_->setShownGraphLayer(0);
    files_.clear();
    title_.clear();
    view_->setGraph(nullptr);
    panel_->setGraph(nullptr);
    simDock_->setGraph(nullptr);
    activityDock_->setTraces(nullptr);
    undo_->clear();
    pendingCameras_.clear();
    sessionCameras_.clear();
    setSessionPath(QString());
    setWindowTitle(QStringLiteral("Neurorama"));
}

void MainWindow::setSessionPath(const QString& p) {
    sessionPath_ = p;
}

void MainWindow::setPendingCameras(std::map<std::string, VtkView::CameraState> cams) {
    pendingCameras_ = std::move(cams);
    if (laidOut_ && isVisible()) applyPendingCameras();
}

void MainWindow::applyPendingCameras() {
    auto apply = [this](const char* key, VtkView* v) {
        auto it = pendingCameras_.find(key);
        if (it == pendingCameras_.end() || !v) return;
        v->setCamera(it->second);
        sessionCameras_[key] = {it->second, v->camera()};
        // A label volume fits the camera when its surfaces arrive: the saved camera waits for them.
        if (v != neuronView_ || !neuronView_->meshing()) pendingCameras_.erase(it);
    };
    apply("connectome", view_);
    apply("vessels", vesselView_);
    apply("neurons", neuronView_);
}

const VtkView::CameraState* MainWindow::unchangedSessionCamera(const std::string& key,
                                                               const VtkView::CameraState& now) const {
    auto it = sessionCameras_.find(key);
    if (it == sessionCameras_.end()) return nullptr;
    const VtkView::CameraState& a = it->second.second;
    for (int i = 0; i < 3; ++i)
        if (a.pos[i] != now.pos[i] || a.focal[i] != now.focal[i] || a.up[i] != now.up[i]) return nullptr;
    return a.viewAngle == now.viewAngle ? &it->second.first : nullptr;
}

void MainWindow::saveSessionInteractive(bool askPath) {
    QString f = sessionPath_;
    if (askPath || f.isEmpty()) {
        f = QFileDialog::getSaveFileName(this, tr("Save session"),
                                         f.isEmpty() ? QStringLiteral("session.nrsession") : f,
                                         tr("Sessions (*.nrsession *.json)"));
        if (f.isEmpty()) return;
    }
    if (QString err = saveSession(this, f); !err.isEmpty()) {
        showError(err);
        return;
    }
    setSessionPath(f);
    logMessage(tr("Saved session %1").arg(f));
    status_->setText(tr("Saved session %1").arg(QFileInfo(f).fileName()));
}

void MainWindow::openSessionInteractive() {
    const QString f = QFileDialog::getOpenFileName(this, tr("Open session"), QString(),
                                                   tr("Sessions (*.nrsession *.json)"));
    if (f.isEmpty()) return;
    const OutsidePaths outside = allowOutsidePaths_ ? OutsidePaths::Allow : OutsidePaths::Ask;
    const SessionReport rep = loadSession(this, f, outside);
    if (!rep.error.isEmpty()) showError(rep.error);
    reportSession(rep);
}

void MainWindow::reportSession(const SessionReport& rep) {
    for (const QString& w : rep.warnings) logMessage(w, true);
    if (!rep.warnings.isEmpty() && isVisible() &&
        !QApplication::arguments().contains(QStringLiteral("--screenshot")))
        QMessageBox::warning(
            this, tr("Session opened with problems"),
            rep.warnings.mid(0, 20).join(QLatin1Char('\n')) +
                (rep.warnings.size() > 20 ? tr("\n… and %1 more").arg(rep.warnings.size() - 20) : QString()));
}

nr::LayerId MainWindow::addDataset(nr::Dataset ds, int upAxis, const LoadedData::Source* source) {
    nr::Layer l;
    l.name = ds.name;
    l.kind = ds.kind;
    l.files = ds.files;
    if (source && !source->files.empty()) {
        l.files = source->files;
        l.fileOptions = source->options;
    }
    l.summary = ds.summary;
    l.graph = ds.graph;
    l.trials = ds.trials;
    l.epochs = ds.epochs;
    l.payload = ds.payload;
    if (ds.spikes) {
        l.spikes = std::make_shared<nr::SpikeStore>();
        l.spikes->assign(*ds.spikes);
    }
    if (l.kind == nr::LayerKind::Graph && l.graph && l.graph->nodeClass.size() == l.graph->nodeCount())
        l.display.colorBy = "class";
    if (l.kind == nr::LayerKind::Graph && l.graph && l.graph->nodeText.count("color"))
        l.display.colorBy = "color"; // an atlas table's own colours
    logMessage(
        QStringLiteral("%1: %2").arg(QString::fromStdString(ds.name), QString::fromStdString(ds.summary)));
    const int shown = std::min<int>(int(ds.warnings.size()), 40);
    for (int i = 0; i < shown; ++i) logMessage(QString::fromStdString(ds.warnings[size_t(i)]));
    if (int(ds.warnings.size()) > shown) logMessage(tr("… %1 more").arg(ds.warnings.size() - size_t(shown)));
    const nr::LayerId id = doc_.add(std::move(l));
    presenterFor(ds.kind).show(*this, id, upAxis);
    status_->setText(
        QStringLiteral("%1: %2").arg(QString::fromStdString(ds.name), QString::fromStdString(ds.summary)));
    return id;
}

void MainWindow::showDemo(bool startSimulation) {
    nr::Dataset ds;
    ds.kind = nr::LayerKind::Graph;
    ds.graph = std::make_shared<nr::Graph>(nr::makeDemoNetwork());
    ds.name = tr("Demo cortical column").toStdString();
    ds.summary =
        "nodes=" + std::to_string(ds.graph->nodeCount()) + " edges=" + std::to_string(ds.graph->edgeCount());
    ds.files = {""};
    const nr::LayerId id = addDataset(ds, 2); // the column stands upright
    doc_.setStateKey(id, "generated", nr::JsonValue::string("demo"));
    // Its six layers show at first sight.
    if (ds.graph->nodeNumeric.count("layer")) {
        nr::Layer* l = doc_.find(id);
        nr::LayerDisplay d = l->display;
        d.colorBy = "layer";
        doc_.setDisplay(id, d);
        panel_->applyColorBy(QStringLiteral("layer"), false);
    }
    if (startSimulation) simDock_->startModel(QStringLiteral("demo"), graph());
}

void MainWindow::showGraphLayer(nr::LayerId id, int upAxis) {
    const nr::Layer* l = doc_.find(id);
    if (!l || !l->graph) return;
    // The filters and results of the layer shown until now stay with it.
    if (nr::Layer* old = doc_.find(model_->shownGraphLayer()); old && model_->shownGraphLayer() != id)
        old->state = presenterFor(nr::LayerKind::Graph).capture(*this, *old);
    model_->setShownGraphLayer(id);
    LoadedGraph r;
    r.graph = std::const_pointer_cast<nr::Graph>(l->graph);
    for (const auto& f : l->files) r.files << QString::fromStdString(f);
    if (r.files.isEmpty() || r.files[0].isEmpty()) r.files = QStringList{QString::fromStdString(l->name)};
    r.summary = QString::fromStdString(l->name + ": " + l->summary);
    r.upAxis = upAxis;
    setGraph(r);
    const std::string colorBy = l->display.colorBy;
    if (!colorBy.empty() && view_->colorBy() != colorBy)
        panel_->applyColorBy(QString::fromStdString(colorBy), false);
    view_->setNodeSize(l->display.pointSize);
    // Its own filters, highlight and results, when it has some (shown before, or from a session).
    if (l->state.get("edgeFilter") || l->state.get("results") || l->state.get("highlight"))
        for (const QString& w : presenterFor(nr::LayerKind::Graph).restore(*this, id, l->state, {}))
            logMessage(w, true);
}

QString MainWindow::addFunctionalGraph(double threshold) {
    auto traces = activityDock_->traces();
    if (!traces) return tr("Open activity traces first (a wide CSV, NPY, HDF5 or NWB file)");
    // The matrix, and the n x n pair flags of the graph.
    if (auto s =
            nr::checkCorrelationBudget(*traces, nr::correlationBytes(*traces, nr::CorrMethod::Pearson, 1),
                                       "functional connectivity graph"))
        return QString::fromStdString(s->str());
    const nr::CorrMatrix m = nr::correlationMatrix(*traces);
    const nr::NameJoin join = activityDock_->join();
    const bool joined = graph() && join.matched > 0;
    nr::Dataset ds;
    ds.kind = nr::LayerKind::Graph;
    ds.graph = std::make_shared<nr::Graph>(nr::functionalGraph(
        *traces, m, threshold, 0, joined ? graph().get() : nullptr, joined ? &join : nullptr));
    if (!ds.graph->hasPositions()) {
        if (auto st = nr::layout3D(*ds.graph, 1)) return QString::fromStdString(st->str());
    }
    ds.name = tr("Functional connectivity |r|≥%1").arg(threshold).toStdString();
    ds.files = {""};
    ds.summary = "nodes=" + std::to_string(ds.graph->nodeCount()) +
                 " edges=" + std::to_string(ds.graph->edgeCount()) +
                 (joined ? " on the connectome's positions" : " (force layout: no connectome joined)");
    const nr::LayerId id = addDataset(std::move(ds));
    // Made again from the traces by a session.
    nr::JsonValue st = nr::JsonValue::object();
    st.set("generated", "functional").set("threshold", threshold);
    doc_.setState(id, st);
    return QString();
}

NeuronView* MainWindow::ensureNeuronView() {
    if (!neuronView_) {
        neuronView_ = new NeuronView(this);
        neuronView_->setMinimumSize(200, 150);
        centralTabs_->addTab(neuronView_, tr("Neurons"));
        connect(neuronView_, &NeuronView::meshingProgress, this, [this](double f) {
            progress_->show();
            progress_->setValue(int(f * 1000));
            status_->setText(tr("Meshing label volume…"));
        });
        connect(neuronView_, &NeuronView::meshingFinished, this, [this](bool ok) {
            progress_->hide();
            if (pendingCameras_.count("neurons") && laidOut_) applyPendingCameras();
            status_->setText(ok ? tr("Meshing done") : tr("Meshing cancelled"));
        });
        // Picking a neuron shows its morphometrics and Sholl profile in a dock on the right.
        neuronPanel_ = new NeuronPanel(this);
        addDockWidget(Qt::RightDockWidgetArea, neuronPanel_);
        // A tab of the right column: shown beside the others, it never stacks under them (which
        // made the window taller than the screen).
        tabifyDockWidget(analysisDock_, neuronPanel_);
        if (viewMenu_) viewMenu_->addAction(neuronPanel_->toggleViewAction());
        neuronPanel_->hide();
        connect(neuronView_, &NeuronView::picked, this, [this](NeuronView::Pick p) {
            if (p.kind != NeuronView::Pick::Neuron) return;
            neuronPanel_->showNeuron(neuronView_->morphologies(), p.neuron);
            neuronPanel_->show();
            neuronPanel_->raise();
        });
    }
    return neuronView_;
}

void MainWindow::showMorphologies() {
    if (!neuronView_) return;
    std::vector<std::shared_ptr<const nr::MorphologySet>> parts;
    for (const auto& lp : doc_.layers()) {
        if (lp->kind != nr::LayerKind::Morphologies || !lp->display.visible) continue;
        if (auto* p = std::any_cast<std::shared_ptr<const nr::MorphologySet>>(&lp->payload); p && *p)
            parts.push_back(*p);
    }
    if (parts == morphParts_ && (parts.empty() || neuronView_->morphologies())) return;
    morphParts_ = parts;
    if (parts.empty()) {
        neuronView_->setMorphologies(nullptr);
    } else if (parts.size() == 1) {
        neuronView_->setMorphologies(parts.front());
    } else {
        auto all = std::make_shared<nr::MorphologySet>();
        for (const auto& p : parts)
            all->neurons.insert(all->neurons.end(), p->neurons.begin(), p->neurons.end());
        neuronView_->setMorphologies(all);
    }
    if (neuronPanel_) neuronPanel_->showNeuron(nullptr, -1); // its neuron index was into the old set
}

void MainWindow::setVesselGraph(std::shared_ptr<const nr::VesselGraph> g) {
    if (!vesselView_) {
        vesselView_ = new VesselView(this);
        vesselView_->setMinimumSize(200, 150);
        centralTabs_->addTab(vesselView_, tr("Vessels"));
        // Colour, radius threshold, clip and histograms: a tab of the right column, beside Analysis.
        vesselDock_ = new QDockWidget(tr("Vessels"), this);
        vesselDock_->setObjectName(QStringLiteral("vesselsDock"));
        vesselPanel_ = new VesselPanel(vesselView_, undo_);
        auto* scroll = new QScrollArea;
        scroll->setWidgetResizable(true);
        scroll->setFrameShape(QFrame::NoFrame);
        scroll->setWidget(vesselPanel_);
        vesselDock_->setWidget(scroll);
        vesselDock_->setMinimumSize(120, 80);
        scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
        addDockWidget(Qt::RightDockWidgetArea, vesselDock_);
        tabifyDockWidget(analysisDock_, vesselDock_);
        if (viewMenu_) viewMenu_->addAction(vesselDock_->toggleViewAction());
        // A click on a vessel shows its attributes in the dock: brought forward (shown if it was closed),
        // scrolled to the picked vessel's box.
        connect(vesselView_, &VesselView::edgePicked, this, [this](long e) {
            if (e < 0) return;
            vesselDock_->show();
            vesselDock_->raise();
        });
        connect(vesselPanel_, &VesselPanel::message, this, [this](const QString& m) {
            logMessage(m);
            status_->setText(m);
        });
        // The panel's colouring and tube size are the vessel layer's display properties (Layers dock).
        auto toLayer = [this](auto apply) {
            const nr::Layer* v = doc_.current(nr::LayerKind::Vessels);
            if (!v) return;
            nr::LayerDisplay d = v->display;
            apply(d);
            if (!(d.colorBy == v->display.colorBy && d.edgeSize == v->display.edgeSize))
                doc_.setDisplay(v->id, d);
        };
        connect(vesselPanel_, &VesselPanel::colorByChanged, this, [toLayer](const QString& c) {
            toLayer([&](nr::LayerDisplay& d) { d.colorBy = c.toStdString(); });
        });
        connect(vesselPanel_, &VesselPanel::tubeSizeChanged, this,
                [toLayer](double s) { toLayer([&](nr::LayerDisplay& d) { d.edgeSize = float(s); }); });
    }
    vesselView_->setGraph(g);
    vesselPanel_->setGraph(g);
    if (!g) {
        vesselDock_->hide();
        return;
    }
    if (!vesselLaidOut_) {
        // The first vessel graph: room for the view. The right column narrows to the panel, and with no
        // spikes open the bottom docks give up height they have nothing to show in.
        vesselLaidOut_ = true;
        resizeDocks({vesselDock_}, {std::max(280, width() / 5)}, Qt::Horizontal);
        if (shownSpikes_ == 0 && simLayer_ == 0)
            resizeDocks({simDock_}, {std::max(140, height() / 5)}, Qt::Vertical);
    }
}

void MainWindow::showSpikesLayer(nr::LayerId id) {
    const nr::Layer* l = doc_.find(id);
    if (!l || !l->spikes) return;
    shownSpikes_ = id;
    if (l->kind == nr::LayerKind::Spikes) {
        simDock_->showStore(l->spikes, QString::fromStdString(l->name), l->trials);
        revealDock(simDock_);
        if (!l->epochs.empty() && analysisDock_->liveGeometry()) {
            const GeometryUpdate u =
                analysisDock_->liveGeometry()->showRecording(l->spikes->toTrains(), l->epochs);
            if (!u.error.isEmpty()) logMessage(tr("Population geometry: %1").arg(u.error));
        }
    }
}

void MainWindow::onDocumentChange(nr::Document::Change c, nr::LayerId id) {
    using C = nr::Document::Change;
    if (c == C::Selected) {
        // The view of the selected layer's kind shows it and comes to the front.
        const nr::Layer* l = doc_.find(id);
        if (l && l->display.visible) presenterFor(l->kind).raise(*this, id);
        return;
    }
    if (c == C::Removed || c == C::Display) {
        if (c == C::Removed && id == simLayer_) {
            simDock_->stop();
            simLayer_ = 0;
        }
        // Each view shows the newest visible layer of its kind, or nothing.
        for (nr::LayerKind k : nr::kAllLayerKinds) presenterFor(k).follow(*this, c == C::Removed, id);
    }
}

void MainWindow::clearShownGraph() {
    if (model_->shownGraphLayer() == 0 && !view_->graph()) return;
    model_->setShownGraphLayer(0);
    view_->setGraph(nullptr);
    panel_->setGraph(nullptr);
    simDock_->setGraph(nullptr);
    setWindowTitle(QStringLiteral("Neurorama"));
}

void MainWindow::onRunStarted(const QString& model, std::shared_ptr<nr::SpikeStore> store,
                              std::shared_ptr<const nr::Graph> graph, bool generated) {
    // One simulation layer at a time: the previous run (and its generated layout) goes.
    if (simLayer_ != 0) {
        const nr::LayerId old = simLayer_;
        simLayer_ = 0;
        doc_.remove(old);
    }
    nr::Layer sim;
    sim.kind = nr::LayerKind::Simulation;
    sim.name = tr("Simulation: %1").arg(model).toStdString();
    sim.summary = "neurons=" + std::to_string(store->unitCount());
    sim.spikes = store;
    sim.graph = graph;
    if (simDock_->engine() == QLatin1String("embedded")) sim.epochs = simDock_->runner()->epochs();
    sim.files = {""};
    // Run on the network the view shows: the layer's Colour by and sizes are that network's.
    if (const nr::Layer* shown = doc_.find(model_->shownGraphLayer());
        shown && graph && shown->graph == graph)
        sim.display = shown->display;
    if (generated && graph) sim.display.colorBy = graph->nodeText.count("group") ? "group" : "class";
    simLayer_ = doc_.add(std::move(sim));
    shownSpikes_ = simLayer_;
    revealDock(simDock_);
    // The live geometry panels have spikes to show now (wide windows keep them beside the view).
    if (width() >= 1300) analysisDock_->show();
    if (generated && graph) {
        nr::Layer lay;
        lay.kind = nr::LayerKind::Graph;
        lay.name = tr("%1 layout").arg(model).toStdString();
        lay.summary = "nodes=" + std::to_string(graph->nodeCount()) +
                      " edges=" + std::to_string(graph->edgeCount()) + " (generated: groups as clusters)";
        lay.graph = graph;
        lay.owner = simLayer_;
        lay.files = {""};
        lay.display.colorBy = graph->nodeText.count("group") ? "group" : "class";
        const nr::LayerId id = doc_.add(std::move(lay));
        showGraphLayer(id);
    }
}

// A lateral view that shows a dataset at its largest: look along the thinnest axis of its bounding box with
// the middle axis up (so the longest runs across the wide window), or with `upAxis` up when given.
static void frameGraph(ConnectomeView* view, const nr::Graph& g, int upAxis = -1) {
    const std::vector<float> b = g.bounds();
    double ext[3], centre[3];
    for (int i = 0; i < 3; ++i) {
        ext[i] = double(b[size_t(i) + 3]) - double(b[size_t(i)]);
        centre[i] = 0.5 * (double(b[size_t(i) + 3]) + double(b[size_t(i)]));
    }
    int order[3] = {0, 1, 2};
    std::sort(order, order + 3, [&](int a, int c) { return ext[a] < ext[c]; });
    int look = order[0], up = order[1];
    if (upAxis >= 0) {
        up = upAxis;
        look = up == order[0] ? order[1] : order[0];
    }
    ConnectomeView::CameraState cam;
    for (int i = 0; i < 3; ++i) {
        cam.focal[i] = centre[i];
        cam.pos[i] = centre[i];
        cam.up[i] = 0;
    }
    // Slightly from above and from the side, so depth reads as depth.
    const double d = std::max({ext[0], ext[1], ext[2], 1.0}) * 3;
    cam.pos[look] -= d;
    cam.pos[up] += 0.25 * d;
    cam.pos[3 - look - up] += 0.2 * d;
    cam.up[up] = 1;
    view->setCamera(cam);
    view->resetCamera();
}

void MainWindow::setGraph(const LoadedGraph& r) {
    title_ = r.files.value(0);
    files_.clear();
    for (const QString& f : r.files)
        if (QFileInfo::exists(f)) files_ << f;
    view_->setGraph(graph());
    centralTabs_->setCurrentWidget(view_);
    if (activityDock_) activityDock_->setGraph(graph());
    if (graph()->hasPositions()) frameGraph(view_, *graph(), r.upAxis);
    panel_->setGraph(graph());
    simDock_->setGraph(graph());
    undo_->clear();
    setWindowTitle(QStringLiteral("%1 — Neurorama").arg(QFileInfo(title_).fileName()));
    status_->setText(r.summary);
    logMessage(r.summary);
    if (!r.unmatched.isEmpty()) {
        const int shown = std::min<int>(int(r.unmatched.size()), 40);
        logMessage(tr("Names not matched between graph and node table (%1): %2%3")
                       .arg(r.unmatched.size())
                       .arg(r.unmatched.mid(0, shown).join(QStringLiteral(", ")))
                       .arg(r.unmatched.size() > shown ? QStringLiteral(", …") : QString()));
    }
}

void MainWindow::logMessage(const QString& text, bool error) {
    const QString line =
        QStringLiteral("%1  %2").arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss")), text);
    if (error)
        log_->appendHtml(QStringLiteral("<span style='color:#d33'>%1</span>").arg(line.toHtmlEscaped()));
    else
        log_->appendPlainText(line);
}

void MainWindow::showError(const QString& message) {
    logMessage(message, true);
    status_->setText(message);
    if (isVisible() && !QApplication::arguments().contains(QStringLiteral("--screenshot")))
        QMessageBox::warning(this, tr("Could not open"), message);
}

// An Open Recent entry: the files joined by '|', each followed by its options when it has any (unit and
// record separators between them: "FILE\x1fkey=value\x1ekey=value").
namespace {
const QChar kOptSep(0x1f), kPairSep(0x1e);

QString recentLabel(const QString& f) {
    std::string file, array;
    if (nr::splitArrayPath(f.toStdString(), file, array))
        return QFileInfo(QString::fromStdString(file)).fileName() + QLatin1Char(':') +
               QString::fromStdString(array);
    return QFileInfo(f).fileName();
}
} // namespace

void MainWindow::addRecent(const QStringList& files, const std::vector<FileOptions>& options) {
    if (files.isEmpty()) return;
    std::string first, array;
    if (!nr::splitArrayPath(files[0].toStdString(), first, array)) first = files[0].toStdString();
    if (!QFileInfo::exists(QString::fromStdString(first))) return;
    QStringList parts;
    for (int i = 0; i < files.size(); ++i) {
        QString p = files[i];
        if (size_t(i) < options.size() && !options[size_t(i)].empty()) {
            QStringList kv;
            for (const auto& [k, v] : options[size_t(i)])
                kv << QString::fromStdString(k) + QLatin1Char('=') + QString::fromStdString(v);
            p += kOptSep + kv.join(kPairSep);
        }
        parts << p;
    }
    QSettings s;
    QStringList recent = s.value(kRecentKey).toStringList();
    const QString entry = parts.join(QLatin1Char('|'));
    recent.removeAll(entry);
    recent.prepend(entry);
    while (recent.size() > kMaxRecent) recent.removeLast();
    s.setValue(kRecentKey, recent);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
    recentMenu_->clear();
    const QStringList recent = QSettings().value(kRecentKey).toStringList();
    for (const QString& entry : recent) {
        QStringList files, names;
        std::vector<FileOptions> options;
        bool anyOption = false;
        for (const QString& part : entry.split(QLatin1Char('|'))) {
            const QStringList fo = part.split(kOptSep);
            files << fo[0];
            names << recentLabel(fo[0]);
            FileOptions o;
            if (fo.size() > 1)
                for (const QString& kv : fo[1].split(kPairSep, Qt::SkipEmptyParts)) {
                    const int eq = kv.indexOf(QLatin1Char('='));
                    if (eq > 0) o.emplace_back(kv.left(eq).toStdString(), kv.mid(eq + 1).toStdString());
                }
            anyOption = anyOption || !o.empty();
            options.push_back(std::move(o));
        }
        QAction* a = recentMenu_->addAction(names.join(QStringLiteral(" + ")), this,
                                            [this, files, options, anyOption] {
                                                // Reopened as chosen then: the arrays and voxel size are not
                                                // asked again.
                                                if (anyOption)
                                                    openFiles(files, options);
                                                else
                                                    openFiles(files);
                                            });
        a->setToolTip(files.join(QLatin1Char('\n')));
    }
    recentMenu_->setEnabled(!recent.isEmpty());
}

nr::Dataset MainWindow::askTraceRate(nr::Dataset d) {
    auto t = d.kind == nr::LayerKind::Traces ? std::any_cast<std::shared_ptr<const nr::Traces>>(&d.payload)
                                             : nullptr;
    if (!t || !*t || !(*t)->inFrames() || !isVisible() || d.files.empty()) return d;
    const QString file = QString::fromStdString(d.files.front());
    TraceRateDialog dlg(file, (*t)->timepoints(), this);
    if (dlg.exec() != QDialog::Accepted) return d;
    auto timed = TraceRateDialog::withRate(**t, dlg.rate());
    d.summary = nr::tracesSummary(*timed);
    d.payload = timed;
    // Open Recent reopens the file at this rate.
    for (int i = 0; i < loadingFiles_.size(); ++i) {
        std::string f, array;
        if (!nr::splitArrayPath(loadingFiles_[i].toStdString(), f, array)) f = loadingFiles_[i].toStdString();
        if (f != d.files.front()) continue;
        if (loadingOptions_.size() < size_t(loadingFiles_.size()))
            loadingOptions_.resize(size_t(loadingFiles_.size()));
        loadingOptions_[size_t(i)].emplace_back("rate", QString::number(dlg.rate(), 'g', 10).toStdString());
        loadingRate_[f] = QString::number(dlg.rate(), 'g', 10).toStdString();
    }
    return d;
}

void MainWindow::exportModelForNeuron() {
    if (!simDock_) return;
    auto d = simDock_->currentDescription();
    if (!d) {
        QMessageBox::warning(this, tr("Export Model for NEURON"), QString::fromStdString(d.error().str()));
        return;
    }
    const QString suggested = QDir::home().filePath(
        QStringLiteral("%1-neuron")
            .arg(QFileInfo(QString::fromStdString(d.value().model)).completeBaseName()));
    const QString dir =
        QFileDialog::getSaveFileName(this, tr("Export Model for NEURON: folder to create"), suggested,
                                     QString(), nullptr, QFileDialog::ShowDirsOnly);
    if (dir.isEmpty()) return;
    QString summary;
    const bool ok = simDock_->exportModelForNeuron(dir, 1.0, &summary);
    if (ok)
        QMessageBox::information(this, tr("Export Model for NEURON"), summary);
    else
        QMessageBox::warning(this, tr("Export Model for NEURON"), summary);
    statusBar()->showMessage(summary, 8000);
}

void MainWindow::exportFigureDialog() {
    FigureExportDialog dlg(this);
    dlg.exec();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* e) {
    if (e->mimeData()->hasUrls()) e->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* e) {
    QStringList files;
    for (const QUrl& u : e->mimeData()->urls())
        if (u.isLocalFile()) files << u.toLocalFile();
    if (files.isEmpty()) return;
    e->acceptProposedAction();
    if (files.size() == 1 && graph() && model_->shownGraphLayer() &&
        nr::looksLikeNodeTable(files[0].toStdString())) {
        LoadedGraph r = joinNodeTable(*graph(), files[0]);
        if (r.graph) {
            if (nr::Layer* l = doc_.find(model_->shownGraphLayer()))
                l->files.push_back(files[0].toStdString());
            doc_.setGraph(model_->shownGraphLayer(), r.graph, r.summary.toStdString());
            r.files = QStringList{title_} + r.files;
            setGraph(r);
        } else {
            showError(QString::fromStdString(r.error.str()));
        }
        return;
    }
    openFiles(files);
}

void MainWindow::showEvent(QShowEvent* e) {
    QMainWindow::showEvent(e);
    if (laidOut_) return;
    laidOut_ = true;
    // Once shown at its final size: the raster gets about a third of the height, and narrow windows start
    // with the Analysis dock closed (View > Analysis, or running the attractor, opens it) so the 3-D view
    // keeps its room; then the data is framed for that size.
    QTimer::singleShot(0, this, [this] {
        // Vessels alone (no spikes, no traces): the bottom docks have nothing to show; the Vessels dock and
        // the view get the height.
        const bool vesselsOnly = vesselView_ && vesselView_->graph() && shownSpikes_ == 0 && simLayer_ == 0 &&
                                 !activityDock_->traces();
        resizeDocks({simDock_},
                    {vesselsOnly ? std::max(140, height() / 5) : std::max(200, int(height() * 0.36))},
                    Qt::Vertical);
        if (width() < 1300) analysisDock_->hide();
        if (layout()) layout()->activate(); // the central views take their final size now, before framing
        QTimer::singleShot(0, this, [this] {
            if (graph() && graph()->hasPositions() && !pendingCameras_.count("connectome"))
                view_->resetCamera();
            applyPendingCameras();
        });
    });
}

void MainWindow::closeEvent(QCloseEvent* e) {
    if (rememberLayout_) {
        QSettings s;
        s.setValue(QStringLiteral("window/geometry"), saveGeometry());
        s.setValue(QStringLiteral("window/state"), saveState());
    }
    loader_.cancel();
    simDock_->stop();
    QMainWindow::closeEvent(e);
}

std::shared_ptr<const nr::Graph> MainWindow::graph() const {
    return model_->shownGraph();
}

nr::LayerId MainWindow::shownGraphLayer() const {
    return model_->shownGraphLayer();
}

FigureComposer* MainWindow::openFigure(const QString& name) {
    // One composer per figure: a second request raises the open one.
    for (FigureComposer* c : findChildren<FigureComposer*>())
        if (QString::fromStdString(c->figure().name) == name) {
            c->raise();
            c->activateWindow();
            return c;
        }
    auto* c = new FigureComposer(this, name);
    c->show();
    return c;
}

void MainWindow::showAdjacency() {
    const bool wasHidden = adjacencyDock_->isHidden();
    revealDock(adjacencyDock_, true);
    // Room for the matrix: a good part of the window's width the first time it is shown.
    if (wasHidden && !adjacencyDock_->isFloating())
        resizeDocks({adjacencyDock_}, {std::max(420, int(width() * 0.38))}, Qt::Horizontal);
    adjacencyDock_->showShownGraph();
}
