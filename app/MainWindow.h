// The main window: menus, the central 3-D view and the docks. It wires parts together and delegates the work:
// loading to DatasetLoader, view controls to ConnectomePanel, figures to FigureExport, the simulator to
// SimulationDock, analyses to AnalysisDock.
#pragma once

#include <QMainWindow>
#include <memory>

#include "DatasetLoader.h"
#include "Session.h"
#include "model/Document.h"
#include "session/Figure.h"
#include "vtk/VtkView.h"

#include <map>

class ConnectomeView;
class DocumentModel;
class ConnectomePanel;
class QUndoStack;
class QPlainTextEdit;
class QProgressBar;
class QToolButton;
class QMenu;
class QLabel;
class SimulationDock;
class AnalysisDock;
class LayersDock;
class AdjacencyDock;
class FigureComposer;
class ActivityDock;
class NeuronView;
class NeuronPanel;
class VesselView;
class VesselPanel;
class QDockWidget;
class QTabWidget;
namespace nr {
struct VesselGraph;
struct MorphologySet;
} // namespace nr

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens files in the background (progress in the status bar, cancellable). A single session file opens as
    // a session: files it lists outside its folder are opened only after the user confirms (or when allowed).
    void openFiles(const QStringList& files);
    // --allow-outside-paths: sessions may open files outside their folder without asking.
    void setAllowOutsidePaths(bool allow) { allowOutsidePaths_ = allow; }
    // With the options the Open Volume dialog would give (arrays and voxel size): opens without asking.
    void openFiles(const QStringList& files, const std::vector<FileOptions>& options);
    // Opens files and waits; returns the error ("FILE:LINE: reason") or an empty string.
    // `options[i]`: reader options of files[i] (as chosen in the Open Volume dialog).
    QString openFilesBlocking(const QStringList& files, const std::vector<FileOptions>& options = {});
    // The built-in demo network (and, with simulation, its running simulation).
    void showDemo(bool startSimulation = true);
    // Opens recorded spikes (CSV / NPY with unit and time columns, NWB units table) as a layer.
    QString openSpikes(const QString& file);
    // Adds what a reader made as a layer and shows it. Returns the layer id. `source`: the files and reader
    // options it was opened from (kept on the layer for sessions).
    nr::LayerId addDataset(nr::Dataset ds, int upAxis = -1, const LoadedData::Source* source = nullptr);
    // Opens the files of one layer with their reader options and waits (sessions). Returns the error or "".
    QString openLayer(const std::vector<std::string>& files, const std::vector<FileOptions>& options,
                      nr::LayerId* id);
    // Closes everything that is open (layers, simulation, views' contents): a session replaces the workspace.
    void clearWorkspace();
    // The session file the workspace was opened from or last saved to ("" when none): File > Save Session.
    QString sessionPath() const { return sessionPath_; }
    void setSessionPath(const QString& p);
    // Cameras a session restored, applied once the views have their final size and content (first show,
    // meshing done). Keys: "connectome", "vessels", "neurons".
    void setPendingCameras(std::map<std::string, VtkView::CameraState> cams);
    void applyPendingCameras();
    // The camera of view `key` as the session gave it, while the view still shows it unchanged (the view
    // recomputes a camera it is given in the last bits; a session saved again writes what it read).
    const VtkView::CameraState* unchangedSessionCamera(const std::string& key,
                                                       const VtkView::CameraState& now) const;
    // File > Save Session (Ctrl+S): to the session's file, or asks for one.
    void saveSessionInteractive(bool askPath);
    // File > Open Session (Ctrl+Shift+O).
    void openSessionInteractive();
    // Logs what a session could not restore (missing or changed files) and lists it in a message box.
    void reportSession(const SessionReport& rep);
    // Adds the functional connectivity of the open traces (Pearson |r| >= threshold) as a graph layer on the
    // positions of the connectome they are joined to. Returns an error or "".
    QString addFunctionalGraph(double threshold);

    // Everything that is open.
    nr::Document& document() { return doc_; }
    const nr::Document& document() const { return doc_; }
    // Composed figures (File > New Figure; app/FigureComposer.h), saved in sessions.
    std::vector<nr::Figure>& figures() { return figures_; }
    LayersDock* layersDock() const { return layersDock_; }
    ActivityDock* activityDock() const { return activityDock_; }
    AdjacencyDock* adjacencyDock() const { return adjacencyDock_; }
    // Analysis > Adjacency Matrix: shows and raises the dock (made for the graph on show).
    void showAdjacency();
    // File > Open Figure: the composer for the workspace's figure `name` (a new figure when there is none).
    FigureComposer* openFigure(const QString& name);
    // Views of the other kinds, made when a layer of their kind is first shown (null before).
    NeuronView* neuronView() const { return neuronView_; }
    // The picked neuron's morphometrics and Sholl plot (made with the Neurons view; nullptr before).
    NeuronPanel* neuronPanel() const { return neuronPanel_; }
    VesselView* vesselView() const { return vesselView_; }
    // Colour, radius threshold, clip and histograms of the vessel view (made with it; nullptr before).
    VesselPanel* vesselPanel() const { return vesselPanel_; }
    QDockWidget* vesselDock() const { return vesselDock_; }
    QTabWidget* centralTabs() const { return centralTabs_; }
    // The graph the 3-D view shows (null when none).
    std::shared_ptr<const nr::Graph> graph() const;
    nr::LayerId shownGraphLayer() const;
    // The document as a QObject: docks and views subscribe to it and pull what they show.
    DocumentModel* model() const { return model_; }
    nr::LayerId shownSpikesLayer() const { return shownSpikes_; }
    ConnectomeView* connectomeView() const { return view_; }
    ConnectomePanel* connectomePanel() const { return panel_; }
    SimulationDock* simulationDock() const { return simDock_; }
    AnalysisDock* analysisDock() const { return analysisDock_; }
    QUndoStack* undoStack() const { return undo_; }
    QString datasetTitle() const { return title_; }
    QStringList datasetFiles() const { return files_; }
    void logMessage(const QString& text, bool error = false);
    QDockWidget* networkDock() const { return netDock_; }
    QDockWidget* functionalDock() const { return fcDock_; }

    // The size a new window starts at on a screen whose free area is `available`: the preferred 1500x950,
    // shrunk to fit (never larger than the screen, never below a usable minimum).
    static QSize defaultSize(const QRect& available);
    // The window's size and dock layout of the last run (QSettings), when there is one; later closes save
    // them. Only the interactive window calls this (screenshots and tests keep their own size).
    void restoreLayout();
    // View > Reset Layout: the default size (centred on the screen) and dock arrangement, with the docks of
    // kinds that are not open hidden.
    void resetLayout();
    // Shows the docks of the kinds that are open and hides those with nothing to show (the Simulation,
    // Activity, Functional and Analysis docks).
    void showDocksForData();
    // Ctrl+F: brings the Network dock forward (raising its tab) and puts the focus in its find field.
    void focusFind();

    // ---- for the layer presenters (app/layers/): what showing a layer of each kind takes ----
    void showGraphLayer(nr::LayerId id, int upAxis = -1);
    void showSpikesLayer(nr::LayerId id);
    nr::LayerId shownSpikesLayerId() const { return shownSpikes_; }
    void forgetShownSpikes() { shownSpikes_ = 0; }
    // The network view shows nothing (its last graph layer went).
    void clearShownGraph();
    void setVesselGraph(std::shared_ptr<const nr::VesselGraph> g);
    // The Neurons view (and its Neuron dock), made the first time a layer needs it.
    NeuronView* ensureNeuronView();
    // The Neurons view draws every visible morphology layer together.
    void showMorphologies();
    // Shows a dock that data arrived for (and, when it was hidden, gives a bottom dock its share of height).
    void revealDock(QDockWidget* d, bool raise = true);
    void showError(const QString& message);

protected:
    void dragEnterEvent(QDragEnterEvent* e) override;
    void dropEvent(QDropEvent* e) override;
    void closeEvent(QCloseEvent* e) override;
    void resizeEvent(QResizeEvent* e) override;
    void showEvent(QShowEvent* e) override;

private:
    bool allowOutsidePaths_ = false;
    QString sessionPath_;
    std::map<std::string, VtkView::CameraState> pendingCameras_;
    // Per view: the camera a session gave, and the camera the view reported right after taking it.
    std::map<std::string, std::pair<VtkView::CameraState, VtkView::CameraState>> sessionCameras_;
    void buildMenus();
    void buildDocks();
    void setGraph(const LoadedGraph& r);
    void onDocumentChange(nr::Document::Change c, nr::LayerId id);
    void onRunStarted(const QString& model, std::shared_ptr<nr::SpikeStore> store,
                      std::shared_ptr<const nr::Graph> graph, bool generated);
    void addRecent(const QStringList& files, const std::vector<FileOptions>& options = {});
    void rebuildRecentMenu();
    void openDialog();
    void addNodeTableDialog();
    void exportFigureDialog();
    // File > Export Model for NEURON: the Simulation dock's model as model.json + run.py + README.txt.
    void exportModelForNeuron();
    // Traces in frames (no time vector, no rate) opened from the window: asks for the sampling rate.
    nr::Dataset askTraceRate(nr::Dataset d);
    // Shrinks and moves the window back inside its screen's free area when it does not fit.
    void keepOnScreen();

    ConnectomeView* view_ = nullptr;
    ConnectomePanel* panel_ = nullptr;
    SimulationDock* simDock_ = nullptr;
    AnalysisDock* analysisDock_ = nullptr;
    QUndoStack* undo_ = nullptr;
    QPlainTextEdit* log_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QToolButton* cancel_ = nullptr;
    QLabel* status_ = nullptr;
    QMenu* recentMenu_ = nullptr;
    QMenu* viewMenu_ = nullptr; // docks made later add their toggles here
    // What the loader is reading (after the Open Volume dialog): Open Recent keeps the arrays and voxel size.
    QStringList loadingFiles_;
    std::vector<FileOptions> loadingOptions_;
    std::map<std::string, std::string> loadingRate_; // file -> sampling rate asked for traces in frames
    DatasetLoader loader_;
    nr::Document doc_;
    std::vector<nr::Figure> figures_;
    LayersDock* layersDock_ = nullptr;
    ActivityDock* activityDock_ = nullptr;
    NeuronView* neuronView_ = nullptr;
    NeuronPanel* neuronPanel_ = nullptr;
    VesselView* vesselView_ = nullptr;
    VesselPanel* vesselPanel_ = nullptr;
    QDockWidget* vesselDock_ = nullptr;
    bool vesselLaidOut_ = false;
    QTabWidget* centralTabs_ = nullptr;
    QDockWidget* netDock_ = nullptr;
    QDockWidget* fcDock_ = nullptr;
    AdjacencyDock* adjacencyDock_ = nullptr;
    QByteArray defaultState_;     // dock arrangement as built, for View > Reset Layout
    bool rememberLayout_ = false; // save geometry and dock state on close (restoreLayout was called)
    bool keepingOnScreen_ = false;
    std::vector<std::shared_ptr<const nr::MorphologySet>> morphParts_;
    nr::LayerId shownSpikes_ = 0, simLayer_ = 0;
    DocumentModel* model_ = nullptr;
    int docToken_ = 0;
    bool laidOut_ = false;
    QString title_;
    QStringList files_; // files of the open graph (empty for the demo)
};
