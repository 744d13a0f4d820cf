// The Functional Connectivity dock, next to the Activity dock: what the open traces say about how neurons
// work together, each in a tab with its figure.
//   Matrix:      the correlation matrix (Pearson or Spearman) over the whole recording or over the window
//                centred on the playback cursor, rows in the trace heatmap's current order (MatrixPlot).
//   Communities: dynamic communities (Leiden on each sliding window's positive correlations, labels matched
//                across windows) run on a worker thread with progress and cancel; the membership-over-time
//                plot, and the result handed to the Activity dock (community colours in 3-D at the cursor,
//                "community" row order).
//   Structure:   structure vs function: the symmetrised structural weight of every neuron pair in both the
//                connectome and the traces against its functional r, with Pearson r and the permutation p
//                (ScatterPlot), on a worker thread.
// Every plot exports like the others (File > Export Figure, `neurorama export --view fc-matrix|communities|
// structure-function`).
#pragma once

#include <QDockWidget>
#include <QFutureWatcher>
#include <atomic>
#include <memory>

#include "ActivityDock.h"
#include "traces/TraceAnalysis.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QMenu;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QCheckBox;
class QTabWidget;
class QTimer;
class MatrixPlot;
class MembershipPlot;
class PlotWidget;
class ScatterPlot;

// What the Structure tab computes, with its inputs (the defaults are the structure_function plugin's).
struct StructureFunctionParams {
    nr::SynapseKind synapses = nr::SynapseKind::Both;
    bool connectedOnly = false;
    nr::CorrMethod method = nr::CorrMethod::Pearson;
    size_t permutations = 1000;
    uint64_t seed = 1;
};
struct CommunityParams {
    double windowS = 60, stepS = 10, resolution = 1;
    uint64_t seed = 1;
};

class FunctionalDock : public QDockWidget {
    Q_OBJECT
public:
    explicit FunctionalDock(ActivityDock* activity, QWidget* parent = nullptr);
    ~FunctionalDock() override;

    QTabWidget* tabs() const { return tabs_; }
    MatrixPlot* matrixPlot() const { return matrixPlot_; }
    MembershipPlot* membershipPlot() const { return membership_; }
    ScatterPlot* scatterPlot() const { return scatter_; }

    // ---- matrix
    enum class Range { Whole, CursorWindow };
    void setMethod(nr::CorrMethod m);
    void setRange(Range r, double windowS = 60);
    const nr::CorrMatrix& matrix() const { return fc_; }
    // Time points [begin, end) the matrix covers.
    std::pair<size_t, size_t> matrixFrames() const { return frames_; }

    // ---- communities (worker thread); false when there are no traces or a run is going on
    void setCommunityParams(const CommunityParams& p);
    CommunityParams communityParams() const;
    bool runCommunities();
    std::shared_ptr<const CommunityTimeline> communities() const { return activity_->communities(); }

    // ---- structure vs function (worker thread); false without traces joined to a connectome, or busy
    void setStructureParams(const StructureFunctionParams& p);
    StructureFunctionParams structureParams() const;
    bool runStructureFunction();
    const nr::StructureFunction* structureFunction() const { return sf_ ? sf_.get() : nullptr; }

    bool busy() const;
    void cancel();
    // Waits (processing events) until no run is going on; false on timeout.
    bool waitIdle(int timeoutMs);

    // Figures: "fc-matrix", "communities", "structure-function". prepareFigure computes what the figure needs
    // when it is missing (blocking) and returns an error or ""; figurePlot is the plot to export.
    static QStringList figureNames();
    static QString figureLabel(const QString& name);
    // Why a figure cannot be drawn now ("" when it can; cheap: nothing is computed).
    QString figureUnavailable(const QString& name) const;
    QString prepareFigure(const QString& name);
    PlotWidget* figurePlot(const QString& name) const;

    // Analysis menu entries: the matrix, dynamic communities and structure vs function.
    void addMenuActions(QMenu* menu);

    // The computations, also used headless: communities of the traces over sliding windows, and structure vs
    // function against `graph` joined by `join`. `progress` gets 0..1 and returns false to cancel.
    static nr::Result<CommunityTimeline> computeCommunities(const nr::Traces& t, const CommunityParams& p,
                                                            const std::function<bool(double)>& progress = {});
    static nr::Result<nr::StructureFunction> computeStructureFunction(const nr::Traces& t, const nr::Graph& g,
                                                                      const nr::NameJoin& join,
                                                                      const StructureFunctionParams& p);

signals:
    void message(const QString& text, bool error);
    void communitiesReady();
    void structureFunctionReady();

private:
    void onTracesChanged();
    void recomputeMatrix();
    void applyOrder();
    void showStructureFunction();
    void startProgress(const QString& what);
    void endProgress();
    void reveal(int tab);
    void applyCommunities(nr::Result<CommunityTimeline> r, const std::shared_ptr<const nr::Traces>& from);
    void applyStructureFunction(nr::Result<nr::StructureFunction> r,
                                const std::shared_ptr<const nr::Traces>& from);

    ActivityDock* activity_;
    std::shared_ptr<const nr::Traces> traces_;
    std::shared_ptr<const nr::Graph> graph_;
    std::shared_ptr<const nr::Traces> runTraces_; // traces the running job works on
    int jobs_ = 0;
    QTabWidget* tabs_ = nullptr;
    // matrix
    MatrixPlot* matrixPlot_ = nullptr;
    QComboBox* method_ = nullptr;
    QComboBox* range_ = nullptr;
    QDoubleSpinBox* fcWindow_ = nullptr;
    nr::CorrMatrix fc_;
    const nr::Traces* fcTraces_ = nullptr;
    nr::CorrMethod fcMethod_ = nr::CorrMethod::Pearson;
    std::pair<size_t, size_t> frames_{0, 0};
    // communities
    MembershipPlot* membership_ = nullptr;
    QDoubleSpinBox* cWindow_ = nullptr;
    QDoubleSpinBox* cStep_ = nullptr;
    QDoubleSpinBox* cResolution_ = nullptr;
    QPushButton* runCommunities_ = nullptr;
    QFutureWatcher<nr::Result<CommunityTimeline>> commWatcher_;
    // structure vs function
    ScatterPlot* scatter_ = nullptr;
    QComboBox* synapses_ = nullptr;
    QComboBox* pairs_ = nullptr;
    QComboBox* sfMethod_ = nullptr;
    QSpinBox* permutations_ = nullptr;
    QCheckBox* logAxis_ = nullptr;
    QPushButton* runSf_ = nullptr;
    QFutureWatcher<nr::Result<nr::StructureFunction>> sfWatcher_;
    std::shared_ptr<nr::StructureFunction> sf_;
    StructureFunctionParams sfParams_;
    // progress of the running job
    QProgressBar* progress_ = nullptr;
    QPushButton* cancel_ = nullptr;
    QLabel* status_ = nullptr;
    QTimer* poll_ = nullptr;
    std::atomic<bool> cancelFlag_{false};
    std::atomic<int> permille_{0};
};
