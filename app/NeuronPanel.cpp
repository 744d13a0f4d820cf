#include "NeuronPanel.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

#include "plots/ShollPlot.h"

NeuronPanel::NeuronPanel(QWidget* parent) : QDockWidget(tr("Neuron"), parent) {
    setObjectName(QStringLiteral("NeuronPanel"));
    auto* w = new QWidget;
    auto* lay = new QVBoxLayout(w);
    lay->setContentsMargins(6, 6, 6, 6);
    text_ = new QLabel(tr("Click a neuron in the Neurons view."));
    text_->setWordWrap(true);
    text_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    lay->addWidget(text_);
    plot_ = new ShollPlot;
    plot_->setMinimumSize(200, 160);
    lay->addWidget(plot_, 1);
    export_ = new QPushButton(tr("Export Sholl Plot…"));
    export_->setEnabled(false);
    connect(export_, &QPushButton::clicked, this, &NeuronPanel::exportDialog);
    lay->addWidget(export_);
    // Scrolls rather than asking the window for more height than the screen has.
    auto* scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(w);
    setWidget(scroll);
    setMinimumSize(120, 80);
}

void NeuronPanel::showNeuron(std::shared_ptr<const nr::MorphologySet> set, int neuron) {
    set_ = std::move(set);
    if (!set_ || neuron < 0 || size_t(neuron) >= set_->neurons.size()) {
        set_.reset();
        neuron_ = -1;
        metrics_ = nr::Morphometrics{};
        plot_->clear();
        text_->setText(tr("Click a neuron in the Neurons view."));
        export_->setEnabled(false);
        return;
    }
    neuron_ = neuron;
    const nr::Morphology& m = set_->neurons[size_t(neuron)];
    metrics_ = nr::computeMorphometrics(m); // as `analyze morphometry` (its unit scale, 50 shells)
    const QString unit = QStringLiteral("µm");
    plot_->setProfile(metrics_.shollRadius, metrics_.shollIntersections, QString::fromStdString(m.name),
                      unit);
    text_->setText(metricsText());
    export_->setEnabled(!metrics_.shollRadius.empty());
}

QString NeuronPanel::metricsText() const {
    if (neuron_ < 0 || !set_) return QString();
    const nr::Morphology& m = set_->neurons[size_t(neuron_)];
    const auto& s = metrics_;
    return tr("<b>%1</b><br>nodes %2, roots %3<br>total length %4 µm<br>branch points %5, tips %6<br>"
              "max path length %7 µm<br>bounding box %8 × %9 × %10 µm")
        .arg(QString::fromStdString(m.name).toHtmlEscaped())
        .arg(s.nodes)
        .arg(s.roots)
        .arg(s.totalLength, 0, 'f', 1)
        .arg(s.branchPoints)
        .arg(s.tips)
        .arg(s.maxPathLength, 0, 'f', 1)
        .arg(s.bboxMax[0] - s.bboxMin[0], 0, 'f', 1)
        .arg(s.bboxMax[1] - s.bboxMin[1], 0, 'f', 1)
        .arg(s.bboxMax[2] - s.bboxMin[2], 0, 'f', 1);
}

QString NeuronPanel::exportSholl(const QString& path, QSize pixels, int dpi, bool transparent) {
    if (plot_->radii().empty())
        return tr("%1: nothing to draw in the Sholl plot: pick a neuron first").arg(path);
    if (!plot_->exportFigure(path, pixels, dpi, transparent))
        return tr("%1: could not write the Sholl plot (%2)").arg(path, plot_->lastError());
    return QString();
}

void NeuronPanel::exportDialog() {
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export Sholl Plot"), QStringLiteral("sholl.svg"), tr("Figures (*.png *.tif *.svg *.pdf)"));
    if (path.isEmpty()) return;
    const QString err = exportSholl(path, QSize(1200, 800), 300, false);
    if (!err.isEmpty()) QMessageBox::warning(this, tr("Export Sholl Plot"), err);
}
