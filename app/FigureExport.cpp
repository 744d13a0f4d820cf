#include "FigureExport.h"

#include "LiveGeometry.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QImageWriter>
#include <QLineEdit>
#include <QMessageBox>
#include <QPainter>
#include <QPdfWriter>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QSpinBox>
#include <QSvgGenerator>
#include <cmath>

#include "AnalysisDock.h"
#include "MainWindow.h"
#include "SimulationDock.h"
#include "plots/GeometryPlot.h"
#include "plots/RasterPlot.h"
#include "vtk/ConnectomeView.h"

QSize pixelsForWidth(double widthMm, int dpi, QSize aspectFrom) {
    const int w = std::max(1, int(std::lround(widthMm / 25.4 * dpi)));
    const double aspect = aspectFrom.width() > 0 ? double(aspectFrom.height()) / aspectFrom.width() : 0.75;
    return QSize(w, std::max(1, int(std::lround(w * aspect))));
}

QString exportConnectomeFigure(ConnectomeView* view, const FigureSpec& spec) {
    if (spec.pixels.width() < ExportLimits::kMinPixels || spec.pixels.height() < ExportLimits::kMinPixels ||
        spec.pixels.width() > ExportLimits::kMaxPixels || spec.pixels.height() > ExportLimits::kMaxPixels)
        return QStringLiteral("%1: figure size %2x%3 is outside 16..16384 pixels")
            .arg(spec.path)
            .arg(spec.pixels.width())
            .arg(spec.pixels.height());
    view->lod().settle(); // the full picture, never the reduced one drawn while the camera moves
    QImage img = view->renderImage(spec.pixels, spec.transparent);
    if (img.isNull()) return QStringLiteral("%1: the 3-D view could not be rendered").arg(spec.path);
    const QString ext = QFileInfo(spec.path).suffix().toLower();
    const int dpm = int(std::lround(spec.dpi / 0.0254));
    img.setDotsPerMeterX(dpm);
    img.setDotsPerMeterY(dpm);
    if (ext == QLatin1String("svg")) {
        QSvgGenerator gen;
        gen.setFileName(spec.path);
        gen.setSize(spec.pixels);
        gen.setViewBox(QRect(QPoint(0, 0), spec.pixels));
        gen.setResolution(spec.dpi);
        gen.setTitle(QStringLiteral("Neurorama network"));
        QPainter p(&gen);
        p.drawImage(QPoint(0, 0), img);
        return p.end() ? QString() : QStringLiteral("%1: could not write SVG").arg(spec.path);
    }
    if (ext == QLatin1String("pdf")) {
        QPdfWriter pdf(spec.path);
        pdf.setResolution(spec.dpi);
        pdf.setPageSize(
            QPageSize(QSizeF(spec.pixels.width() * 25.4 / spec.dpi, spec.pixels.height() * 25.4 / spec.dpi),
                      QPageSize::Millimeter));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        QPainter p(&pdf);
        if (!p.isActive()) return QStringLiteral("%1: could not write PDF").arg(spec.path);
        p.drawImage(QRect(QPoint(0, 0), spec.pixels), img);
        return QString();
    }
    if (ext != QLatin1String("png") && ext != QLatin1String("tif") && ext != QLatin1String("tiff"))
        return QStringLiteral("%1: unknown figure format '.%2' (use .png, .tif, .svg or .pdf)")
            .arg(spec.path, ext);
    QImageWriter writer(spec.path);
    if (!writer.write(img)) return QStringLiteral("%1: %2").arg(spec.path, writer.errorString());
    return QString();
}

QString exportViewFigure(MainWindow* w, const QString& viewName, const FigureSpec& spec) {
    if (viewName == QLatin1String("network")) return exportConnectomeFigure(w->connectomeView(), spec);
    bool ok = false;
    // Refuse what cannot be drawn rather than writing an empty figure.
    if (viewName == QLatin1String("raster") && w->simulationDock()->raster()->spikeCount() == 0)
        return QStringLiteral("%1: nothing to draw in the raster: no spikes are open (open a spike file or "
                              "run a simulation)")
            .arg(spec.path);
    if (viewName == QLatin1String("geometry") && w->analysisDock()->liveGeometry() &&
        w->analysisDock()->liveGeometry()->last().conditions < 2)
        return QStringLiteral("%1: nothing to draw in the population geometry: it needs spikes with "
                              "trials of at least two conditions (a trial pair X_spikes.csv + X_trials.csv, "
                              "an NWB file with trials, or the attractor model)%2")
            .arg(spec.path,
                 w->analysisDock()->liveGeometry()->last().error.isEmpty()
                     ? QString()
                     : QStringLiteral(" (%1)").arg(w->analysisDock()->liveGeometry()->last().error));
    if (viewName == QLatin1String("raster"))
        ok = w->simulationDock()->raster()->exportFigure(spec.path, spec.pixels, spec.dpi, spec.transparent);
    else if (viewName == QLatin1String("geometry"))
        ok = w->analysisDock()->geometryPlot()->exportFigure(spec.path, spec.pixels, spec.dpi,
                                                             spec.transparent);
    else
        return QStringLiteral("export: unknown view '%1' (network, raster, geometry)").arg(viewName);
    return ok ? QString() : QStringLiteral("%1: could not write the %2 figure").arg(spec.path, viewName);
}

FigureExportDialog::FigureExportDialog(MainWindow* w) : QDialog(w), w_(w) {
    setWindowTitle(tr("Export Figure"));
    auto* form = new QFormLayout(this);
    viewCombo_ = new QComboBox;
    viewCombo_->addItem(tr("3-D network"), QStringLiteral("network"));
    viewCombo_->addItem(tr("Spike raster and rate"), QStringLiteral("raster"));
    viewCombo_->addItem(tr("Population geometry"), QStringLiteral("geometry"));
    form->addRow(tr("View"), viewCombo_);

    byPixels_ = new QRadioButton(tr("Pixels"));
    auto* byPhysical = new QRadioButton(tr("Physical width"));
    byPixels_->setChecked(true);
    auto* modeRow = new QHBoxLayout;
    modeRow->addWidget(byPixels_);
    modeRow->addWidget(byPhysical);
    form->addRow(tr("Size by"), modeRow);

    width_ = new QSpinBox;
    height_ = new QSpinBox;
    for (auto* s : {width_, height_}) {
        s->setRange(ExportLimits::kMinPixels, ExportLimits::kMaxPixels);
        s->setSuffix(tr(" px"));
    }
    const QSize vs = viewSize();
    width_->setValue(vs.width() * 2);
    height_->setValue(vs.height() * 2);
    auto* pxRow = new QHBoxLayout;
    pxRow->addWidget(width_);
    pxRow->addWidget(height_);
    form->addRow(tr("Width × height"), pxRow);

    widthMm_ = new QDoubleSpinBox;
    widthMm_->setRange(ExportLimits::kMinWidthMm, ExportLimits::kMaxWidthMm);
    widthMm_->setValue(QSettings().value(QStringLiteral("export/widthMm"), 180.0).toDouble());
    widthMm_->setSuffix(tr(" mm"));
    widthMm_->setToolTip(tr("Journal column widths: single ~85 mm, double ~180 mm"));
    dpi_ = new QSpinBox;
    dpi_->setRange(ExportLimits::kMinDpi, ExportLimits::kMaxDpi);
    dpi_->setValue(QSettings().value(QStringLiteral("export/dpi"), 300).toInt());
    dpi_->setSuffix(tr(" dpi"));
    form->addRow(tr("Width"), widthMm_);
    form->addRow(tr("Resolution"), dpi_);
    auto sync = [this] {
        widthMm_->setEnabled(!byPixels_->isChecked());
        width_->setEnabled(byPixels_->isChecked());
        height_->setEnabled(byPixels_->isChecked());
        if (!byPixels_->isChecked()) updatePixelsFromPhysical();
    };
    connect(byPixels_, &QRadioButton::toggled, this, sync);
    connect(widthMm_, &QDoubleSpinBox::valueChanged, this, sync);
    connect(dpi_, &QSpinBox::valueChanged, this, sync);
    sync();

    transparent_ = new QCheckBox(tr("Transparent background"));
    form->addRow(QString(), transparent_);

    path_ = new QLineEdit(
        QSettings().value(QStringLiteral("export/path"), QStringLiteral("figure.png")).toString());
    path_->setToolTip(tr("The extension picks the format: .png, .tif, .svg, .pdf"));
    auto* browse = new QPushButton(tr("Browse…"));
    connect(browse, &QPushButton::clicked, this, &FigureExportDialog::browse);
    auto* pathRow = new QHBoxLayout;
    pathRow->addWidget(path_);
    pathRow->addWidget(browse);
    form->addRow(tr("File"), pathRow);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &FigureExportDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    form->addRow(buttons);
}

QSize FigureExportDialog::viewSize() const {
    const QSize s = w_->connectomeView()->size();
    return s.isValid() && s.width() > 0 ? s : QSize(800, 600);
}

void FigureExportDialog::updatePixelsFromPhysical() {
    const QSize px = pixelsForWidth(widthMm_->value(), dpi_->value(), viewSize());
    width_->setValue(px.width());
    height_->setValue(px.height());
}

void FigureExportDialog::browse() {
    const QString f = QFileDialog::getSaveFileName(this, tr("Export figure"), path_->text(),
                                                   tr("PNG (*.png);;TIFF (*.tif);;SVG (*.svg);;PDF (*.pdf)"));
    if (!f.isEmpty()) path_->setText(f);
}

void FigureExportDialog::accept() {
    FigureSpec spec;
    spec.path = path_->text().trimmed();
    spec.pixels = QSize(width_->value(), height_->value());
    spec.dpi = dpi_->value();
    spec.transparent = transparent_->isChecked();
    const QString err = exportViewFigure(w_, viewCombo_->currentData().toString(), spec);
    if (!err.isEmpty()) {
        QMessageBox::warning(this, tr("Export failed"), err);
        return;
    }
    QSettings s;
    s.setValue(QStringLiteral("export/path"), spec.path);
    s.setValue(QStringLiteral("export/dpi"), spec.dpi);
    s.setValue(QStringLiteral("export/widthMm"), widthMm_->value());
    w_->logMessage(tr("Exported %1 (%2×%3 px, %4 dpi)")
                       .arg(spec.path)
                       .arg(spec.pixels.width())
                       .arg(spec.pixels.height())
                       .arg(spec.dpi));
    QDialog::accept();
}
