// NeuronPanel: the dock that shows the neuron picked in the Neurons view: its morphometrics (nodes, total
// length, branch points, tips, maximum path length, bounding box) and its Sholl profile as a ShollPlot that
// exports like the other plots (PNG/TIFF at a size and DPI, SVG and PDF as vector paths).
#pragma once

#include <QDockWidget>
#include <memory>

#include "morph/Morphology.h"

class QLabel;
class QPushButton;
class ShollPlot;

class NeuronPanel : public QDockWidget {
    Q_OBJECT
public:
    explicit NeuronPanel(QWidget* parent = nullptr);

    // Shows neuron `neuron` of `set` (the Sholl shells as the morphometry plugin computes them: about 50 over
    // the largest distance from the soma). A null set or an index out of range clears the panel.
    void showNeuron(std::shared_ptr<const nr::MorphologySet> set, int neuron);
    int neuron() const { return neuron_; }
    const nr::Morphometrics& metrics() const { return metrics_; }
    QString metricsText() const;
    ShollPlot* shollPlot() const { return plot_; }

    // Writes the Sholl plot to `path` (format from the extension). Returns "" or the error naming the file.
    QString exportSholl(const QString& path, QSize pixels, int dpi, bool transparent);

private:
    void exportDialog();

    std::shared_ptr<const nr::MorphologySet> set_;
    int neuron_ = -1;
    nr::Morphometrics metrics_;
    QLabel* text_ = nullptr;
    ShollPlot* plot_ = nullptr;
    QPushButton* export_ = nullptr;
};
