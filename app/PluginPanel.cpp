#include "PluginPanel.h"

#include "plugin/AnalyzeCommand.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent>

#include "io/GraphIO.h"
#include "io/TrialIO.h"
#include "plugin/ResultsIO.h"

namespace {

class AtomicProgress : public nr::Progress {
public:
    AtomicProgress(std::atomic<bool>& c, std::atomic<int>& p) : cancel_(c), permille_(p) {}
    void report(double f) override { permille_ = int(std::clamp(f, 0.0, 1.0) * 1000); }
    bool cancelled() const override { return cancel_.load(); }

private:
    std::atomic<bool>& cancel_;
    std::atomic<int>& permille_;
};

} // namespace

PluginPanel::PluginPanel(QWidget* parent) : QWidget(parent) {
    registry_.load();
    auto* lay = new QVBoxLayout(this);
    pluginCombo_ = new QComboBox;
    pluginCombo_->setToolTip(tr("Analysis plugins found in the plugin folders"));
    for (const auto& p : registry_.plugins())
        pluginCombo_->addItem(QString::fromStdString(p.name), QString::fromStdString(p.file));
    lay->addWidget(pluginCombo_);
    description_ = new QLabel;
    description_->setWordWrap(true);
    lay->addWidget(description_);

    auto* inRow = new QHBoxLayout;
    inputCombo_ = new QComboBox;
    inputCombo_->addItem(tr("Open network"), QStringLiteral("graph"));
    inputCombo_->addItem(tr("Spikes (simulation or recording)"), QStringLiteral("spikes"));
    inputCombo_->addItem(tr("Open layer (traces, vessels, neurons, volume)"), QStringLiteral("layer"));
    inputCombo_->addItem(tr("File…"), QStringLiteral("file"));
    inputCombo_->setToolTip(tr("What the analysis runs on"));
    inRow->addWidget(inputCombo_);
    inputFile_ = new QLineEdit;
    inputFile_->setPlaceholderText(tr("spikes CSV/NPY (X_spikes.csv finds X_trials.csv), NWB, or a graph"));
    inRow->addWidget(inputFile_, 1);
    auto* browse = new QPushButton(tr("…"));
    browse->setToolTip(tr("Choose an input file"));
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString f = QFileDialog::getOpenFileName(this, tr("Analysis input"));
        if (f.isEmpty()) return;
        inputFile_->setText(f);
        inputCombo_->setCurrentIndex(2);
    });
    inRow->addWidget(browse);
    lay->addLayout(inRow);

    formHost_ = new QWidget;
    form_ = new QFormLayout(formHost_);
    lay->addWidget(formHost_);

    auto* btnRow = new QHBoxLayout;
    run_ = new QPushButton(tr("Run"));
    run_->setToolTip(tr("Run the analysis on a worker thread (Ctrl+Return)"));
    run_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    cancelBtn_ = new QPushButton(tr("Cancel"));
    cancelBtn_->setEnabled(false);
    saveBtn_ = new QPushButton(tr("Save…"));
    saveBtn_->setToolTip(tr("Save the results as CSV or JSON (with the parameters that produced them)"));
    saveBtn_->setEnabled(false);
    btnRow->addWidget(run_);
    btnRow->addWidget(cancelBtn_);
    btnRow->addWidget(saveBtn_);
    lay->addLayout(btnRow);
    progress_ = new QProgressBar;
    progress_->setRange(0, 1000);
    progress_->hide();
    lay->addWidget(progress_);
    error_ = new QLabel;
    error_->setWordWrap(true);
    error_->setStyleSheet(QStringLiteral("color: #d33;"));
    error_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    error_->hide();
    lay->addWidget(error_);
    table_ = new QTableWidget;
    table_->horizontalHeader()->setStretchLastSection(true);
    lay->addWidget(table_, 1);

    connect(pluginCombo_, &QComboBox::currentIndexChanged, this, &PluginPanel::rebuildForm);
    connect(run_, &QPushButton::clicked, this, &PluginPanel::runSelected);
    connect(cancelBtn_, &QPushButton::clicked, this, &PluginPanel::cancel);
    connect(saveBtn_, &QPushButton::clicked, this, &PluginPanel::save);
    auto* poll = new QTimer(this);
    poll->setInterval(100);
    connect(poll, &QTimer::timeout, this, [this] {
        if (watcher_.isRunning()) progress_->setValue(progressPermille_.load());
    });
    poll->start();
    connect(&watcher_, &QFutureWatcher<nr::Result<nr::Results>>::finished, this, [this] {
        progress_->hide();
        run_->setEnabled(true);
        cancelBtn_->setEnabled(false);
        auto r = watcher_.result();
        if (!r.ok()) {
            showError(QString::fromStdString(r.error().str()));
            return;
        }
        error_->hide();
        results_ = r.value();
        showResults();
        saveBtn_->setEnabled(true);
        emit message(tr("%1: %2").arg(QString::fromStdString(results_.plugin),
                                      QString::fromStdString(nr::scalarLine(results_))),
                     false);
        emit finished(results_);
    });
    rebuildForm();
}

PluginPanel::~PluginPanel() {
    cancel_ = true;
    watcher_.waitForFinished();
}

void PluginPanel::selectPlugin(const QString& name) {
    const int i = pluginCombo_->findText(name);
    if (i >= 0) pluginCombo_->setCurrentIndex(i);
}

void PluginPanel::rebuildForm() {
    while (form_->rowCount() > 0) form_->removeRow(0);
    editors_.clear();
    const nr::AnalysisPlugin* p = registry_.find(pluginCombo_->currentText().toStdString());
    run_->setEnabled(p != nullptr);
    if (!p) {
        description_->setText(tr("No analysis plugins found."));
        return;
    }
    description_->setText(QString::fromStdString(p->description()));
    const nr::InputKinds k = p->inputs();
    const bool layerKind = k & (nr::TracesInput | nr::VesselInput | nr::MorphologyInput | nr::VolumeInput);
    inputCombo_->setCurrentIndex(layerKind ? 2
                                 : (k & nr::GraphInput) && !(k & (nr::SpikeTrainsInput | nr::TrialDataInput))
                                     ? 0
                                     : 1);
    for (const auto& spec : p->parameters()) {
        QWidget* w = nullptr;
        const QString def = QString::fromStdString(spec.defaultValue);
        switch (spec.type) {
        case nr::ParamSpec::Type::Int: {
            auto* s = new QSpinBox;
            s->setRange(std::isfinite(spec.min) ? int(std::max(spec.min, -2e9)) : -2000000000,
                        std::isfinite(spec.max) ? int(std::min(spec.max, 2e9)) : 2000000000);
            s->setValue(def.toInt());
            w = s;
            break;
        }
        case nr::ParamSpec::Type::Double: {
            auto* s = new QDoubleSpinBox;
            s->setDecimals(4);
            s->setRange(std::isfinite(spec.min) ? spec.min : -1e12,
                        std::isfinite(spec.max) ? spec.max : 1e12);
            s->setValue(def.toDouble());
            w = s;
            break;
        }
        case nr::ParamSpec::Type::Enum: {
            auto* c = new QComboBox;
            for (auto& ch : spec.choices) c->addItem(QString::fromStdString(ch));
            c->setCurrentText(def);
            w = c;
            break;
        }
        case nr::ParamSpec::Type::Bool: {
            auto* c = new QCheckBox;
            c->setChecked(def == QLatin1String("true") || def == QLatin1String("1"));
            w = c;
            break;
        }
        case nr::ParamSpec::Type::String:
            w = new QLineEdit(def);
            break;
        }
        w->setToolTip(QString::fromStdString(spec.help));
        form_->addRow(QString::fromStdString(spec.name), w);
        editors_[spec.name] = w;
    }
}

nr::Result<nr::Inputs> PluginPanel::gatherInputs(const nr::AnalysisPlugin& p) const {
    nr::Inputs in;
    const QString kind = inputCombo_->currentData().toString();
    const nr::InputKinds k = p.inputs();
    if (kind == QLatin1String("graph")) {
        auto graph = graphProvider_ ? graphProvider_() : nullptr;
        if (!graph) return nr::Error{"analysis", 0, "no network is open"};
        if (!(k & nr::GraphInput)) return nr::Error{"analysis", 0, p.name() + " does not take a network"};
        in.graph = graph;
        return in;
    }
    if (kind == QLatin1String("spikes")) {
        if (k & nr::TrialDataInput) {
            auto trials = trialsProvider_ ? trialsProvider_() : nullptr;
            if (trials && trials->trialRowCount() > 0) {
                in.trials = trials;
                return in;
            }
            if (!(k & nr::SpikeTrainsInput))
                return nr::Error{"analysis", 0,
                                 p.name() +
                                     " needs trials: run the attractor until it has completed stimulus "
                                     "trials, or open a trial-structured recording (X_spikes.csv with "
                                     "X_trials.csv, or NWB with intervals/trials)"};
        }
        auto spikes = spikesProvider_ ? spikesProvider_() : nullptr;
        if (!spikes || spikes->spikeCount() == 0)
            return nr::Error{"analysis", 0, "no spikes recorded yet: run a simulation or open spikes"};
        in.spikes = spikes;
        return in;
    }
    if (kind == QLatin1String("layer")) {
        nr::Inputs li = layerProvider_ ? layerProvider_(k) : nr::Inputs{};
        if (!li.traces.has_value() && !li.vessels.has_value() && !li.morphology.has_value() &&
            !li.volume.has_value() && !li.graph)
            return nr::Error{"analysis", 0, "no open layer of a kind " + p.name() + " takes: open one first"};
        return li;
    }
    const std::string path = inputFile_->text().trimmed().toStdString();
    if (path.empty()) return nr::Error{"analysis", 0, "choose an input file"};
    return nr::loadPluginInputs(p, path, "");
}

QString PluginPanel::errorText() const {
    return error_->isVisible() || !error_->text().isEmpty() ? error_->text() : QString();
}

void PluginPanel::showError(const QString& e) {
    error_->setText(e);
    error_->show();
    emit message(e, true);
}

bool PluginPanel::runSelected() {
    if (watcher_.isRunning()) return false;
    const nr::AnalysisPlugin* p = registry_.find(pluginCombo_->currentText().toStdString());
    if (!p) return false;
    // A new run: the previous results go, so the table never shows another plugin's numbers.
    results_ = nr::Results();
    table_->clear();
    table_->setRowCount(0);
    table_->setColumnCount(0);
    saveBtn_->setEnabled(false);
    error_->clear();
    error_->hide();
    auto in = gatherInputs(*p);
    if (!in.ok()) {
        showError(QString::fromStdString(in.error().str()));
        return false;
    }
    std::map<std::string, std::string> params;
    for (auto& [name, w] : editors_) {
        if (auto* s = qobject_cast<QSpinBox*>(w))
            params[name] = std::to_string(s->value());
        else if (auto* d = qobject_cast<QDoubleSpinBox*>(w))
            params[name] = nr::formatNumber(d->value());
        else if (auto* c = qobject_cast<QComboBox*>(w))
            params[name] = c->currentText().toStdString();
        else if (auto* b = qobject_cast<QCheckBox*>(w))
            params[name] = b->isChecked() ? "true" : "false";
        else if (auto* e = qobject_cast<QLineEdit*>(w))
            params[name] = e->text().toStdString();
    }
    cancel_ = false;
    progressPermille_ = 0;
    progress_->setValue(0);
    progress_->show();
    run_->setEnabled(false);
    cancelBtn_->setEnabled(true);
    watcher_.setFuture(QtConcurrent::run([this, p, inputs = std::move(in).value(), params] {
        AtomicProgress prog(cancel_, progressPermille_);
        return nr::PluginRegistry::run(*p, inputs, params, prog);
    }));
    return true;
}

void PluginPanel::showResults() {
    table_->clear();
    // Scalars first, then the first table (if any) below them.
    int rows = int(results_.scalars.size());
    const nr::TableResult* t = results_.tables.empty() ? nullptr : &results_.tables.front();
    const int tRows = t && !t->columns.empty() ? int(t->columns[0].isText ? t->columns[0].text.size()
                                                                          : t->columns[0].numbers.size())
                                               : 0;
    const int cols = std::max(2, t ? int(t->columns.size()) : 0);
    table_->setColumnCount(cols);
    table_->setRowCount(rows + (t ? tRows + 1 : 0));
    int r = 0;
    for (const auto& s : results_.scalars) {
        table_->setItem(r, 0, new QTableWidgetItem(QString::fromStdString(s.name)));
        table_->setItem(r, 1, new QTableWidgetItem(QString::fromStdString(nr::formatNumber(s.value))));
        ++r;
    }
    if (t) {
        for (int c = 0; c < int(t->columns.size()); ++c) {
            auto* h = new QTableWidgetItem(QString::fromStdString(t->columns[size_t(c)].name));
            QFont f = h->font();
            f.setBold(true);
            h->setFont(f);
            table_->setItem(r, c, h);
        }
        ++r;
        for (int i = 0; i < tRows; ++i, ++r)
            for (int c = 0; c < int(t->columns.size()); ++c) {
                const auto& col = t->columns[size_t(c)];
                const QString v = col.isText
                                      ? QString::fromStdString(col.text[size_t(i)])
                                      : QString::fromStdString(nr::formatNumber(col.numbers[size_t(i)]));
                table_->setItem(r, c, new QTableWidgetItem(v));
            }
    }
    table_->resizeColumnsToContents();
}

void PluginPanel::save() {
    const QString f = QFileDialog::getSaveFileName(
        this, tr("Save results"), QString::fromStdString(results_.plugin) + QStringLiteral(".json"),
        tr("JSON (*.json);;CSV (*.csv)"));
    if (f.isEmpty()) return;
    const nr::Status st = f.endsWith(QLatin1String(".csv"), Qt::CaseInsensitive)
                              ? nr::saveResultsCsv(results_, f.toStdString())
                              : nr::saveResultsJson(results_, f.toStdString());
    if (st)
        emit message(QString::fromStdString(st->str()), true);
    else
        emit message(tr("Saved %1").arg(f), false);
}
