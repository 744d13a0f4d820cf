#include "FunctionalDock.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QThread>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent>
#include <algorithm>
#include <cmath>
#include <set>

#include "plots/MatrixPlot.h"
#include "plots/MembershipPlot.h"
#include "plots/ScatterPlot.h"
#include "plots/TracePlot.h"

namespace {

QDoubleSpinBox* secondsBox(double value, double lo, double hi, const QString& tip) {
    auto* b = new QDoubleSpinBox;
    b->setRange(lo, hi);
    b->setDecimals(1);
    b->setValue(value);
    b->setSuffix(QStringLiteral(" s"));
    b->setToolTip(tip);
    return b;
}

QWidget* tabPage(QHBoxLayout* controls, QWidget* plot) {
    auto* page = new QWidget;
    auto* lay = new QVBoxLayout(page);
    lay->setContentsMargins(2, 2, 2, 2);
    lay->setSpacing(2);
    controls->addStretch(1);
    lay->addLayout(controls);
    lay->addWidget(plot, 1);
    return page;
}

QString methodName(nr::CorrMethod m) {
    return m == nr::CorrMethod::Spearman ? QStringLiteral("Spearman") : QStringLiteral("Pearson");
}

} // namespace

FunctionalDock::FunctionalDock(ActivityDock* activity, QWidget* parent)
    : QDockWidget(tr("Functional Connectivity"), parent), activity_(activity) {
    setObjectName(QStringLiteral("functionalDock"));
    setMinimumSize(120, 80);
    auto* body = new QWidget;
    auto* lay = new QVBoxLayout(body);
    lay->setContentsMargins(4, 4, 4, 4);
    tabs_ = new QTabWidget;
    lay->addWidget(tabs_, 1);

    // ---- Matrix
    auto* mRow = new QHBoxLayout;
    method_ = new QComboBox;
    method_->addItem(tr("Pearson"), int(nr::CorrMethod::Pearson));
    method_->addItem(tr("Spearman"), int(nr::CorrMethod::Spearman));
    method_->setToolTip(tr("Correlation between the traces (NaN frames are left out pairwise)"));
    range_ = new QComboBox;
    range_->addItem(tr("whole recording"), int(Range::Whole));
    range_->addItem(tr("window at the cursor"), int(Range::CursorWindow));
    range_->setToolTip(tr("Correlate over the whole recording, or over a window centred on the playback "
                          "cursor (follows playback)"));
    fcWindow_ = secondsBox(60, 1, 1e6, tr("Length of the window at the cursor"));
    fcWindow_->setEnabled(false);
    mRow->addWidget(method_);
    mRow->addWidget(range_);
    mRow->addWidget(fcWindow_);
    matrixPlot_ = new MatrixPlot;
    tabs_->addTab(tabPage(mRow, matrixPlot_), tr("Matrix"));

    // ---- Communities
    auto* cRow = new QHBoxLayout;
    cWindow_ = secondsBox(60, 0.1, 1e6, tr("Length of each sliding window"));
    cStep_ = secondsBox(10, 0.1, 1e6, tr("Step between windows"));
    cResolution_ = new QDoubleSpinBox;
    cResolution_->setRange(0.01, 100);
    cResolution_->setValue(1);
    cResolution_->setToolTip(tr("Modularity resolution of Leiden (higher: more, smaller communities)"));
    runCommunities_ = new QPushButton(tr("Run"));
    runCommunities_->setToolTip(tr("Leiden on each window's positive correlations, labels matched across "
                                   "windows (the dynamic_communities analysis)"));
    cRow->addWidget(new QLabel(tr("Window")));
    cRow->addWidget(cWindow_);
    cRow->addWidget(new QLabel(tr("step")));
    cRow->addWidget(cStep_);
    cRow->addWidget(new QLabel(tr("resolution")));
    cRow->addWidget(cResolution_);
    cRow->addWidget(runCommunities_);
    membership_ = new MembershipPlot;
    tabs_->addTab(tabPage(cRow, membership_), tr("Communities"));

    // ---- Structure vs function
    auto* sRow = new QHBoxLayout;
    synapses_ = new QComboBox;
    synapses_->addItem(tr("chemical + electrical"), int(nr::SynapseKind::Both));
    synapses_->addItem(tr("chemical"), int(nr::SynapseKind::Chemical));
    synapses_->addItem(tr("electrical"), int(nr::SynapseKind::Electrical));
    synapses_->setToolTip(tr("Synapses counted in the structural weight w(a,b) + w(b,a)"));
    pairs_ = new QComboBox;
    pairs_->addItem(tr("all pairs"), false);
    pairs_->addItem(tr("connected pairs"), true);
    sfMethod_ = new QComboBox;
    sfMethod_->addItem(tr("Pearson"), int(nr::CorrMethod::Pearson));
    sfMethod_->addItem(tr("Spearman"), int(nr::CorrMethod::Spearman));
    sfMethod_->setToolTip(tr("Functional correlation between the traces"));
    permutations_ = new QSpinBox;
    permutations_->setRange(1, 10000000);
    permutations_->setValue(1000);
    permutations_->setToolTip(tr("Permutations for the p-value"));
    logAxis_ = new QCheckBox(tr("log w"));
    logAxis_->setToolTip(
        tr("Weight axis in log(1 + w); on by itself when the weights span more than a decade"));
    runSf_ = new QPushButton(tr("Run"));
    for (QWidget* w : {static_cast<QWidget*>(synapses_), static_cast<QWidget*>(pairs_),
                       static_cast<QWidget*>(sfMethod_), static_cast<QWidget*>(permutations_),
                       static_cast<QWidget*>(logAxis_), static_cast<QWidget*>(runSf_)})
        sRow->addWidget(w);
    scatter_ = new ScatterPlot;
    tabs_->addTab(tabPage(sRow, scatter_), tr("Structure"));

    // ---- progress of a run
    auto* pRow = new QHBoxLayout;
    status_ = new QLabel;
    status_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    progress_ = new QProgressBar;
    progress_->setRange(0, 1000);
    progress_->setMaximumWidth(160);
    progress_->hide();
    cancel_ = new QPushButton(tr("Cancel"));
    cancel_->hide();
    pRow->addWidget(status_, 1);
    pRow->addWidget(progress_);
    pRow->addWidget(cancel_);
    lay->addLayout(pRow);
    setWidget(body);
    poll_ = new QTimer(this);
    poll_->setInterval(100);
    connect(poll_, &QTimer::timeout, this, [this] { progress_->setValue(permille_.load()); });

    connect(method_, &QComboBox::currentIndexChanged, this, [this] { recomputeMatrix(); });
    connect(range_, &QComboBox::currentIndexChanged, this, [this] {
        fcWindow_->setEnabled(range_->currentData().toInt() == int(Range::CursorWindow));
        recomputeMatrix();
    });
    connect(fcWindow_, &QDoubleSpinBox::valueChanged, this, [this] { recomputeMatrix(); });
    connect(runCommunities_, &QPushButton::clicked, this, [this] { runCommunities(); });
    connect(runSf_, &QPushButton::clicked, this, [this] { runStructureFunction(); });
    connect(logAxis_, &QCheckBox::toggled, scatter_, &ScatterPlot::setLogX);
    connect(cancel_, &QPushButton::clicked, this, &FunctionalDock::cancel);
    connect(activity_, &ActivityDock::tracesChanged, this, &FunctionalDock::onTracesChanged);
    connect(activity_->plot(), &TracePlot::rowsChanged, this, &FunctionalDock::applyOrder);
    connect(activity_->plot(), &TracePlot::cursorMoved, this, [this](double t, qulonglong) {
        membership_->setCursorTime(t);
        if (range_->currentData().toInt() == int(Range::CursorWindow)) recomputeMatrix();
    });
    connect(&commWatcher_, &QFutureWatcher<nr::Result<CommunityTimeline>>::finished, this, [this] {
        applyCommunities(commWatcher_.result(), runTraces_);
        endProgress();
    });
    connect(&sfWatcher_, &QFutureWatcher<nr::Result<nr::StructureFunction>>::finished, this, [this] {
        applyStructureFunction(sfWatcher_.result(), runTraces_);
        endProgress();
    });
    onTracesChanged();
}

FunctionalDock::~FunctionalDock() {
    cancelFlag_ = true;
    commWatcher_.waitForFinished();
    sfWatcher_.waitForFinished();
}

// ---- traces and order -----------------------------------------------------------------------------------
void FunctionalDock::onTracesChanged() {
    auto t = activity_->traces();
    auto g = activity_->graph();
    if (t != traces_) {
        traces_ = t;
        // Windows are in the traces' time unit: frames when the file gave no time and no rate.
        const QString unit = t && t->inFrames() ? tr(" frames") : QStringLiteral(" s");
        for (QDoubleSpinBox* b : {fcWindow_, cWindow_, cStep_}) b->setSuffix(unit);
        membership_->setTimeUnit(t && t->inFrames() ? QStringLiteral("frame") : QStringLiteral("s"));
        membership_->clear();
        membership_->setTitle(t ? tr("Communities over time: not computed yet (Run)") : QString());
    }
    if (t != traces_ || g != graph_ || !t) {
        graph_ = g;
        sf_.reset();
        scatter_->setPoints({}, {});
        scatter_->setStatsText(QString());
        scatter_->setTitle(t && g ? tr("Structure vs function: not computed yet (Run)")
                           : t    ? tr("Structure vs function: open a connectome")
                                  : QString());
    }
    graph_ = g;
    fcTraces_ = nullptr;
    recomputeMatrix();
    applyOrder();
}

void FunctionalDock::applyOrder() {
    const auto& rows = activity_->plot()->rows();
    matrixPlot_->setOrder(rows);
    membership_->setOrder(rows);
}

// ---- matrix ---------------------------------------------------------------------------------------------
void FunctionalDock::setMethod(nr::CorrMethod m) {
    method_->setCurrentIndex(method_->findData(int(m)));
}

void FunctionalDock::setRange(Range r, double windowS) {
    fcWindow_->setValue(windowS);
    range_->setCurrentIndex(range_->findData(int(r)));
    recomputeMatrix();
}

void FunctionalDock::recomputeMatrix() {
    const nr::Traces* t = traces_.get();
    if (!t || t->timepoints() == 0 || t->neurons() == 0) {
        fc_ = nr::CorrMatrix();
        fcTraces_ = nullptr;
        frames_ = {0, 0};
        matrixPlot_->setMatrix({}, 0, {});
        matrixPlot_->setTitle(QString());
        return;
    }
    const size_t T = t->timepoints();
    size_t b = 0, e = T;
    const bool windowed = range_->currentData().toInt() == int(Range::CursorWindow);
    if (windowed) {
        const size_t w =
            std::clamp<size_t>(nr::secondsToSamples(*t, fcWindow_->value()), std::min<size_t>(3, T), T);
        const size_t c = activity_->plot()->cursorFrame();
        b = std::min(c >= w / 2 ? c - w / 2 : 0, T - w);
        e = b + w;
    }
    const auto m = nr::CorrMethod(method_->currentData().toInt());
    if (fcTraces_ == t && fcMethod_ == m && frames_ == std::make_pair(b, e)) return;
    if (auto s = nr::checkCorrelationBudget(*t, nr::correlationBytes(*t, m, 1), "correlation matrix")) {
        fc_ = nr::CorrMatrix();
        fcTraces_ = nullptr;
        frames_ = {0, 0};
        matrixPlot_->setMatrix({}, 0, {});
        matrixPlot_->setTitle(QString::fromStdString(s->reason));
        return;
    }
    fc_ = nr::correlationMatrix(*t, m, b, e);
    fcTraces_ = t;
    fcMethod_ = m;
    frames_ = {b, e};
    QStringList names;
    for (const auto& s : t->names) names << QString::fromStdString(s);
    matrixPlot_->setMatrix(fc_.r, int(fc_.n), names);
    matrixPlot_->setValueLabel(tr("%1 r").arg(methodName(m)));
    const QString span =
        windowed
            ? tr("%1–%2 s (window at the cursor)").arg(t->time[b], 0, 'f', 1).arg(t->time[e - 1], 0, 'f', 1)
            : tr("whole recording");
    matrixPlot_->setTitle(tr("%1 correlation, %2, %3 neurons%4")
                              .arg(methodName(m), span)
                              .arg(fc_.n)
                              .arg(fc_.ignoredFrames
                                       ? tr(", %1 frames with NaN left out pairwise").arg(fc_.ignoredFrames)
                                       : QString()));
}

// ---- jobs -----------------------------------------------------------------------------------------------
bool FunctionalDock::busy() const {
    return jobs_ > 0;
}

void FunctionalDock::cancel() {
    cancelFlag_ = true;
}

bool FunctionalDock::waitIdle(int timeoutMs) {
    QElapsedTimer clock;
    clock.start();
    while (busy() && clock.elapsed() < timeoutMs) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
        QThread::msleep(5);
    }
    return !busy();
}

void FunctionalDock::startProgress(const QString& what) {
    ++jobs_;
    cancelFlag_ = false;
    permille_ = 0;
    progress_->setValue(0);
    progress_->show();
    cancel_->show();
    status_->setText(what);
    runCommunities_->setEnabled(false);
    runSf_->setEnabled(false);
    poll_->start();
}

void FunctionalDock::endProgress() {
    jobs_ = std::max(0, jobs_ - 1);
    poll_->stop();
    progress_->hide();
    cancel_->hide();
    runCommunities_->setEnabled(true);
    runSf_->setEnabled(true);
}

void FunctionalDock::reveal(int tab) {
    show();
    raise();
    tabs_->setCurrentIndex(tab);
}

// ---- communities ----------------------------------------------------------------------------------------
void FunctionalDock::setCommunityParams(const CommunityParams& p) {
    cWindow_->setValue(p.windowS);
    cStep_->setValue(p.stepS);
    cResolution_->setValue(p.resolution);
}

CommunityParams FunctionalDock::communityParams() const {
    CommunityParams p;
    p.windowS = cWindow_->value();
    p.stepS = cStep_->value();
    p.resolution = cResolution_->value();
    return p;
}

nr::Result<CommunityTimeline>
FunctionalDock::computeCommunities(const nr::Traces& t, const CommunityParams& p,
                                   const std::function<bool(double)>& progress) {
    auto report = [&](double f) { return progress ? progress(f) : true; };
    // As the dynamic_communities analysis: Pearson per window, then Leiden with matched labels.
    auto wc = nr::windowedCorrelations(t, nr::CorrMethod::Pearson, p.windowS, p.stepS, 2,
                                       [&](double f) { return report(0.3 * f); });
    if (!wc) return wc.error();
    const size_t W = wc.value().windows.size();
    auto dc = nr::dynamicCommunities(wc.value().r, t.neurons(), W, p.resolution, p.seed,
                                     [&](double f) { return report(0.3 + 0.7 * f); });
    if (!dc) return dc.error();
    if (!report(1.0)) return nr::Error{t.source, 0, "cancelled"};
    CommunityTimeline tl;
    tl.windows = std::move(wc.value().windows);
    tl.result = std::move(dc.value());
    tl.windowS = p.windowS;
    tl.stepS = p.stepS;
    tl.resolution = p.resolution;
    return tl;
}

bool FunctionalDock::runCommunities() {
    reveal(1);
    if (!traces_) {
        emit message(tr("Dynamic communities need activity traces: open a trace file first"), true);
        return false;
    }
    if (busy()) return false;
    const CommunityParams p = communityParams();
    runTraces_ = traces_;
    startProgress(tr("Dynamic communities: windows of %1 s every %2 s…").arg(p.windowS).arg(p.stepS));
    commWatcher_.setFuture(QtConcurrent::run([this, t = traces_, p] {
        return computeCommunities(*t, p, [this](double f) {
            permille_ = int(std::clamp(f, 0.0, 1.0) * 1000);
            return !cancelFlag_.load();
        });
    }));
    return true;
}

void FunctionalDock::applyCommunities(nr::Result<CommunityTimeline> r,
                                      const std::shared_ptr<const nr::Traces>& from) {
    if (from != traces_) {
        status_->setText(tr("Dynamic communities of traces no longer open were dropped"));
        return;
    }
    if (!r) {
        const bool cancelled = cancelFlag_.load();
        const QString text =
            cancelled ? tr("Dynamic communities cancelled")
                      : tr("Dynamic communities failed: %1").arg(QString::fromStdString(r.error().str()));
        status_->setText(text);
        emit message(text, !cancelled);
        return;
    }
    auto tl = std::make_shared<const CommunityTimeline>(std::move(r.value()));
    std::vector<double> start, end;
    for (const auto& w : tl->windows) start.push_back(w.tStart), end.push_back(w.tEnd);
    QStringList names;
    for (const auto& s : from->names) names << QString::fromStdString(s);
    membership_->setMembership(tl->result.labels, start, end, names);
    membership_->setTitle(
        tr("Communities over time: %1 windows of %2 s every %3 s, %4 communities (resolution %5)")
            .arg(tl->windows.size())
            .arg(tl->windowS)
            .arg(tl->stepS)
            .arg(tl->result.labelsUsed)
            .arg(tl->resolution));
    membership_->setCursorTime(activity_->plot()->cursorTime());
    activity_->setCommunities(tl);
    const QString text = tr("Dynamic communities: %1 windows, %2 communities over time")
                             .arg(tl->windows.size())
                             .arg(tl->result.labelsUsed);
    status_->setText(text);
    emit message(text, false);
    emit communitiesReady();
}

// ---- structure vs function ------------------------------------------------------------------------------
void FunctionalDock::setStructureParams(const StructureFunctionParams& p) {
    synapses_->setCurrentIndex(synapses_->findData(int(p.synapses)));
    pairs_->setCurrentIndex(pairs_->findData(p.connectedOnly));
    sfMethod_->setCurrentIndex(sfMethod_->findData(int(p.method)));
    permutations_->setValue(int(p.permutations));
}

StructureFunctionParams FunctionalDock::structureParams() const {
    StructureFunctionParams p;
    p.synapses = nr::SynapseKind(synapses_->currentData().toInt());
    p.connectedOnly = pairs_->currentData().toBool();
    p.method = nr::CorrMethod(sfMethod_->currentData().toInt());
    p.permutations = size_t(permutations_->value());
    return p;
}

nr::Result<nr::StructureFunction> FunctionalDock::computeStructureFunction(const nr::Traces& t,
                                                                           const nr::Graph& g,
                                                                           const nr::NameJoin& join,
                                                                           const StructureFunctionParams& p) {
    // As the structure_function analysis: the whole recording's correlation against the symmetrised weight.
    if (join.matched < 3)
        return nr::Error{t.source, 0,
                         "fewer than 3 trace neurons are in the connectome (" + join.summary() + ")"};
    if (auto s = nr::checkCorrelationBudget(t, nr::correlationBytes(t, p.method), "structure vs function"))
        return *s;
    const nr::CorrMatrix fc = nr::correlationMatrix(t, p.method);
    return nr::structureFunction(g, join, fc, p.synapses, p.connectedOnly, p.permutations, p.seed);
}

bool FunctionalDock::runStructureFunction() {
    reveal(2);
    if (!traces_ || !graph_ || activity_->join().matched < 3) {
        emit message(tr("Structure vs function needs activity traces joined to an open connectome"), true);
        return false;
    }
    if (busy()) return false;
    sfParams_ = structureParams();
    runTraces_ = traces_;
    startProgress(tr("Structure vs function: %1 permutations…").arg(sfParams_.permutations));
    permille_ = 100;
    sfWatcher_.setFuture(
        QtConcurrent::run([t = traces_, g = graph_, join = activity_->join(), p = sfParams_] {
            return computeStructureFunction(*t, *g, join, p);
        }));
    return true;
}

void FunctionalDock::applyStructureFunction(nr::Result<nr::StructureFunction> r,
                                            const std::shared_ptr<const nr::Traces>& from) {
    if (from != traces_) return;
    if (cancelFlag_.load()) {
        status_->setText(tr("Structure vs function cancelled"));
        return;
    }
    if (!r) {
        const QString text =
            tr("Structure vs function failed: %1").arg(QString::fromStdString(r.error().str()));
        status_->setText(text);
        emit message(text, true);
        return;
    }
    sf_ = std::make_shared<nr::StructureFunction>(std::move(r.value()));
    showStructureFunction();
    const QString text = tr("Structure vs function: %1").arg(scatter_->statsText());
    status_->setText(text);
    emit message(text, false);
    emit structureFunctionReady();
}

void FunctionalDock::showStructureFunction() {
    if (!sf_) return;
    const nr::StructureFunction& s = *sf_;
    QStringList names;
    for (const auto& n : s.pairNames) names << QString::fromStdString(n);
    // A log weight axis when the positive weights span more than a decade.
    double lo = INFINITY, hi = 0;
    for (double w : s.weight)
        if (w > 0) lo = std::min(lo, w), hi = std::max(hi, w);
    const bool log = hi > 0 && hi >= 10 * lo;
    scatter_->setPoints(s.weight, s.functional, names);
    {
        const QSignalBlocker block(logAxis_);
        logAxis_->setChecked(log);
    }
    scatter_->setLogX(log);
    const QString syn = sfParams_.synapses == nr::SynapseKind::Chemical     ? tr("chemical")
                        : sfParams_.synapses == nr::SynapseKind::Electrical ? tr("electrical")
                                                                            : tr("chemical + electrical");
    scatter_->setAxisTitles(tr("structural weight w(a,b) + w(b,a), %1").arg(syn),
                            tr("functional %1 r").arg(methodName(sfParams_.method)));
    scatter_->setTitle(
        tr("Structure vs function: %1 neuron pairs, %2 connected").arg(s.pairs).arg(s.connected));
    scatter_->setStatsText(tr("r = %1, p = %2 (%3 permutations)")
                               .arg(s.r, 0, 'f', 4)
                               .arg(s.p, 0, 'g', 4)
                               .arg(sfParams_.permutations));
}

// ---- figures and menu -----------------------------------------------------------------------------------
QStringList FunctionalDock::figureNames() {
    return {QStringLiteral("fc-matrix"), QStringLiteral("communities"), QStringLiteral("structure-function")};
}

QString FunctionalDock::prepareFigure(const QString& name) {
    if (!traces_) return tr("nothing to draw in the %1 figure: no activity traces are open").arg(name);
    if (name == QLatin1String("fc-matrix")) {
        recomputeMatrix();
        return fc_.n ? QString() : tr("the traces have no neurons");
    }
    waitIdle(600000);
    if (name == QLatin1String("communities")) {
        if (!activity_->communities())
            applyCommunities(computeCommunities(*traces_, communityParams()), traces_);
        return activity_->communities() ? QString() : status_->text();
    }
    if (name == QLatin1String("structure-function")) {
        if (!graph_ || activity_->join().matched < 3)
            return tr("nothing to draw in the structure-function figure: open a connectome with the traces");
        if (!sf_) {
            sfParams_ = structureParams();
            cancelFlag_ = false;
            applyStructureFunction(computeStructureFunction(*traces_, *graph_, activity_->join(), sfParams_),
                                   traces_);
        }
        return sf_ ? QString() : status_->text();
    }
    return tr("unknown figure '%1'").arg(name);
}

QString FunctionalDock::figureLabel(const QString& name) {
    if (name == QLatin1String("fc-matrix")) return tr("Functional connectivity matrix");
    if (name == QLatin1String("communities")) return tr("Dynamic communities over time");
    if (name == QLatin1String("structure-function")) return tr("Structure vs function");
    return name;
}

QString FunctionalDock::figureUnavailable(const QString& name) const {
    if (!traces_) return tr("no activity traces are open");
    if (name == QLatin1String("structure-function") && (!graph_ || activity_->join().matched < 3))
        return tr("no connectome is joined to the traces");
    return QString();
}

PlotWidget* FunctionalDock::figurePlot(const QString& name) const {
    if (name == QLatin1String("fc-matrix")) return matrixPlot_;
    if (name == QLatin1String("communities")) return membership_;
    if (name == QLatin1String("structure-function")) return scatter_;
    return nullptr;
}

void FunctionalDock::addMenuActions(QMenu* menu) {
    QAction* m = menu->addAction(tr("Functional Connectivity &Matrix"), this, [this] { reveal(0); });
    m->setToolTip(tr("Correlation matrix of the open traces, rows in the heatmap's order"));
    QAction* c = menu->addAction(tr("&Dynamic Communities"), this, [this] { runCommunities(); });
    c->setToolTip(
        tr("Leiden communities of each sliding window, painted on the 3-D network during playback"));
    QAction* s = menu->addAction(tr("&Structure vs Function"), this, [this] { runStructureFunction(); });
    s->setToolTip(tr("Structural weight against functional correlation for pairs in both, with r and a "
                     "permutation p"));
}
