#include "AnalysisDock.h"

#include "DocumentModel.h"

#include <QFrame>
#include <QScrollArea>

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QTabWidget>
#include <QVBoxLayout>

#include "ConnectomePanel.h"
#include "LiveGeometry.h"
#include "PluginPanel.h"
#include "SimulationDock.h"
#include "plots/GeometryPlot.h"
#include "vtk/ConnectomeView.h"

AnalysisDock::AnalysisDock(QWidget* parent) : QDockWidget(tr("Analysis"), parent) {
    setObjectName(QStringLiteral("analysisDock"));
    tabs_ = new QTabWidget;

    auto* geo = new QWidget;
    auto* gl = new QVBoxLayout(geo);
    gl->setContentsMargins(4, 4, 4, 4);
    auto* row = new QHBoxLayout;
    liveBox_ = new QCheckBox(tr("Live"));
    liveBox_->setChecked(true);
    liveBox_->setToolTip(tr("Update the geometry from the running simulation"));
    row->addWidget(liveBox_);
    row->addWidget(new QLabel(tr("RDM metric")));
    metric_ = new QComboBox;
    metric_->addItems(
        {QStringLiteral("correlation"), QStringLiteral("euclidean"), QStringLiteral("crossnobis")});
    metric_->setToolTip(tr("Dissimilarity between condition response vectors"));
    row->addWidget(metric_);
    sheshaLabel_ = new QLabel(tr("Shesha: run the attractor model"));
    sheshaLabel_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    sheshaLabel_->setWordWrap(true);
    sheshaLabel_->setToolTip(
        tr("Split-half stability of the RDM: Spearman correlation of the RDMs of two disjoint "
           "halves of the trials, averaged over random splits"));
    row->addWidget(sheshaLabel_, 1);
    gl->addLayout(row);
    plot_ = new GeometryPlot;
    plot_->setMinimumSize(200, 150);
    gl->addWidget(plot_, 1);
    tabs_->addTab(geo, tr("Geometry"));

    plugins_ = new PluginPanel;
    // In small windows the plugin form scrolls instead of making the window taller.
    auto* scroll = new QScrollArea;
    scroll->setWidget(plugins_);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    tabs_->addTab(scroll, tr("Plugins"));
    setWidget(tabs_);
    connect(plugins_, &PluginPanel::message, this, &AnalysisDock::message);
    connect(plugins_, &PluginPanel::finished, this, &AnalysisDock::applyResults);
}

void AnalysisDock::connectTo(SimulationDock* sim, ConnectomeView* view, ConnectomePanel* panel) {
    sim_ = sim;
    view_ = view;
    panel_ = panel;
    live_ = new LiveGeometry(sim, plot_, this);
    plugins_->setSpikesProvider([sim] { return sim->currentSpikes(); });
    plugins_->setTrialsProvider([sim] { return sim->currentTrials(); });
    connect(liveBox_, &QCheckBox::toggled, live_, &LiveGeometry::setEnabled);
    connect(metric_, &QComboBox::currentTextChanged, live_, &LiveGeometry::setMetric);
    connect(live_, &LiveGeometry::updated, this, [this](const GeometryUpdate& u) {
        if (u.haveShesha)
            sheshaLabel_->setText(tr("Shesha %1  [%2, %3]  %4 conditions")
                                      .arg(u.shesha, 0, 'f', 3)
                                      .arg(u.ciLow, 0, 'f', 3)
                                      .arg(u.ciHigh, 0, 'f', 3)
                                      .arg(u.conditions));
    });
    connect(sim, &SimulationDock::modelLoaded, this, [this](const QString& model, uint32_t) {
        if (model == QLatin1String("attractor")) {
            tabs_->setCurrentIndex(0);
            show();
            raise();
        }
    });
}

void AnalysisDock::addMenuActions(QMenu* menu) {
    menu->addAction(tr("&Population Geometry"), this, [this] {
        show();
        raise();
        tabs_->setCurrentIndex(0);
    });
    menu->addSeparator();
    for (const auto& p : plugins_->registry().plugins()) {
        const QString name = QString::fromStdString(p.name);
        menu->addAction(tr("Run %1…").arg(name), this, [this, name] {
            show();
            raise();
            tabs_->setCurrentIndex(1);
            plugins_->selectPlugin(name);
        });
    }
    for (const auto& prob : plugins_->registry().problems()) {
        QAction* a = menu->addAction(tr("Skipped: %1").arg(QString::fromStdString(prob.name)));
        a->setEnabled(false);
        a->setToolTip(QString::fromStdString(prob.str()));
    }
}

void AnalysisDock::setModel(DocumentModel* m) {
    model_ = m;
    plugins_->setGraphProvider([m] { return m ? m->shownGraph() : nullptr; });
}

void AnalysisDock::applyResults(const nr::Results& r) {
    const auto graph = model_ ? model_->shownGraph() : nullptr;
    if (view_ && graph) {
        for (const auto& col : r.nodeColumns) {
            if (col.values.size() != graph->nodeCount()) continue;
            std::vector<float> v(col.values.begin(), col.values.end());
            view_->setNodeColumn(col.name, v);
            if (panel_) panel_->addColumn(QString::fromStdString(col.name));
        }
        if (!r.nodeColumns.empty() && panel_)
            panel_->applyColorBy(QString::fromStdString(r.nodeColumns.front().name));
    }
    for (const auto& m : r.matrices) {
        if (m.rows != m.cols || m.rows < 2) continue;
        QStringList labels;
        for (auto& l : m.rowLabels) labels << QString::fromStdString(l);
        plot_->setRdm(m.values, int(m.rows), labels, QString::fromStdString(m.name));
        tabs_->setCurrentIndex(0);
        break;
    }
}
