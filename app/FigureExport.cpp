#include "FigureExport.h"

#include "AdjacencyDock.h"
#include "plots/AdjacencyPlot.h"

#include "LiveGeometry.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontMetrics>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QImageWriter>
#include <QLineEdit>
#include <QLinearGradient>
#include <QMessageBox>
#include <QPainter>
#include <QPdfWriter>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QSpinBox>
#include <QSvgGenerator>
#include <QTabWidget>
#include <QThread>
#include <algorithm>
#include <cmath>

#include "ActivityDock.h"
#include "AnalysisDock.h"
#include "FunctionalDock.h"
#include "MainWindow.h"
#include "NeuronPanel.h"
#include "SimulationDock.h"
#include "plots/GeometryPlot.h"
#include "plots/RasterPlot.h"
#include "plots/ShollPlot.h"
#include "plots/TracePlot.h"
#include "vtk/ConnectomeView.h"
#include "vtk/NeuronView.h"
#include "vtk/VesselView.h"

QSize pixelsForWidth(double widthMm, int dpi, QSize aspectFrom) {
    const int w = std::max(1, int(std::lround(widthMm / 25.4 * dpi)));
    const double aspect = aspectFrom.width() > 0 ? double(aspectFrom.height()) / aspectFrom.width() : 0.75;
    return QSize(w, std::max(1, int(std::lround(w * aspect))));
}

namespace {

QString checkSize(const FigureSpec& spec) {
    if (spec.pixels.width() < ExportLimits::kMinPixels || spec.pixels.height() < ExportLimits::kMinPixels ||
        spec.pixels.width() > ExportLimits::kMaxPixels || spec.pixels.height() > ExportLimits::kMaxPixels)
        return QStringLiteral("%1: figure size %2x%3 is outside 16..16384 pixels")
            .arg(spec.path)
            .arg(spec.pixels.width())
            .arg(spec.pixels.height());
    return QString();
}

// Brings a view of the central tabs to the front and waits (bounded) until it has a GL context, so a
// tab the user never opened can still be written.
void prepare3D(MainWindow* w, VtkView* view) {
    if (QTabWidget* tabs = w->centralTabs(); tabs && tabs->indexOf(view) >= 0) tabs->setCurrentWidget(view);
    QElapsedTimer t;
    t.start();
    while (!view->hasContext() && t.elapsed() < 3000) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        QThread::msleep(5);
    }
}

// A 2-D plot: refuse an empty one rather than writing an empty figure.
QString writePlot(PlotWidget* plot, const FigureSpec& spec, const QString& name) {
    if (const QString e = checkSize(spec); !e.isEmpty()) return e;
    return plot->exportFigure(spec.path, spec.pixels, spec.dpi, spec.transparent, spec.fontPt)
               ? QString()
               : QStringLiteral("%1: could not write the %2 figure").arg(spec.path, name);
}

} // namespace

// The key panel of a 3-D figure: text at the figure's font size (bounded by the image height), swatches
// as tall as a line, a colour bar half the height at most, all in a column right of the scene.
KeyLayout layoutKeys(const std::vector<VtkView::FigureKey>& keys, QSize pixels, int dpi, double fontPt) {
    KeyLayout l;
    int rows = 0;
    for (const auto& k : keys) rows += 1 + int(k.swatches.size()) + (k.ramp.empty() ? 0 : 6);
    int px = std::clamp(int(std::lround(fontPt * dpi / 72.0)), 9,
                        std::max(9, pixels.height() / std::max(12, int(1.4 * rows + 2))));
    // Smaller text until the panel takes at most a third of the figure (labels elide below 9 px).
    for (;; --px) {
        l.font.setPixelSize(px);
        const QFontMetrics fm(l.font);
        l.line = fm.height() + px / 4;
        int widest = 0;
        for (const auto& k : keys) {
            widest = std::max(widest, fm.horizontalAdvance(k.title + (k.logScale ? " (log scale)" : "")));
            for (const auto& sw : k.swatches)
                widest = std::max(widest, l.line + fm.horizontalAdvance(sw.label));
            if (!k.ramp.empty())
                widest = std::max(widest, l.line + fm.horizontalAdvance(QStringLiteral("-0.000e+00")));
        }
        l.width = widest + 3 * px;
        if (l.width <= pixels.width() / 3 || px <= 9) break;
    }
    l.width = std::min(l.width, pixels.width() / 3);
    return l;
}

void drawKeys(QPainter& p, const std::vector<VtkView::FigureKey>& keys, const KeyLayout& l, QRect area,
              const QColor& ink) {
    p.setRenderHint(QPainter::Antialiasing);
    p.setFont(l.font);
    const QFontMetrics fm(l.font);
    const int pad = l.font.pixelSize(), textW = area.width() - 2 * pad;
    int total = 0;
    for (const auto& k : keys)
        total += l.line * (1 + int(k.swatches.size())) + (k.ramp.empty() ? 0 : area.height() / 2) + l.line;
    int y = area.top() + std::max(pad, (area.height() - total) / 2);
    const int x = area.left() + pad;
    for (const auto& k : keys) {
        p.setPen(ink);
        const QString title = k.logScale ? k.title + QStringLiteral(" (log scale)") : k.title;
        p.drawText(QRect(x, y, textW, l.line), Qt::AlignLeft | Qt::AlignVCenter,
                   fm.elidedText(title, Qt::ElideRight, textW));
        y += l.line;
        const int box = fm.height() * 3 / 4;
        for (size_t i = 0; i < k.swatches.size(); ++i) {
            const auto& sw = k.swatches[i];
            if (y + 2 * l.line > area.bottom() && i + 1 < k.swatches.size()) { // no room: say how many
                p.setPen(ink);
                p.drawText(QRect(x, y, textW, l.line), Qt::AlignLeft | Qt::AlignVCenter,
                           QStringLiteral("... %1 more").arg(k.swatches.size() - i));
                y += l.line;
                break;
            }
            if (sw.color.isValid()) p.fillRect(QRect(x, y + (l.line - box) / 2, box, box), sw.color);
            p.setPen(ink);
            p.drawText(QRect(x + l.line, y, textW - l.line, l.line), Qt::AlignLeft | Qt::AlignVCenter,
                       fm.elidedText(sw.label, Qt::ElideRight, textW - l.line));
            y += l.line;
        }
        if (!k.ramp.empty()) {
            const int h = std::max(l.line * 3, area.height() / 2 - l.line);
            QLinearGradient g(0, y + h, 0, y); // lo at the bottom
            for (size_t i = 0; i < k.ramp.size(); ++i)
                g.setColorAt(k.ramp.size() > 1 ? double(i) / double(k.ramp.size() - 1) : 0.0, k.ramp[i]);
            p.fillRect(QRect(x, y, box, h), g);
            p.setPen(ink);
            p.drawText(QRect(x + l.line, y, textW - l.line, l.line), Qt::AlignLeft | Qt::AlignTop,
                       QString::number(k.hi, 'g', 4));
            p.drawText(QRect(x + l.line, y + h - l.line, textW - l.line, l.line),
                       Qt::AlignLeft | Qt::AlignBottom, QString::number(k.lo, 'g', 4));
            y += h;
        }
        y += l.line;
    }
}

QString exportVtkFigure(VtkView* view, const FigureSpec& spec, const QString& title) {
    if (const QString e = checkSize(spec); !e.isEmpty()) return e;
    const std::vector<VtkView::FigureKey> keys = view->figureKeys();
    QImage img;
    if (keys.empty()) {
        img = view->renderFigure(spec.pixels, spec.transparent);
    } else {
        // The key goes in a panel beside the scene, never over it.
        double bg[3];
        view->backgroundColor(bg);
        const QColor back = QColor::fromRgbF(bg[0], bg[1], bg[2], spec.transparent ? 0.0 : 1.0);
        const QColor ink = (bg[0] + bg[1] + bg[2]) / 3 > 0.5 ? QColor(30, 30, 30) : QColor(225, 225, 225);
        KeyLayout layout = layoutKeys(keys, spec.pixels, spec.dpi, spec.fontPt);
        const QImage scene = view->renderFigure(
            QSize(spec.pixels.width() - layout.width, spec.pixels.height()), spec.transparent);
        if (!scene.isNull()) {
            img = QImage(spec.pixels, QImage::Format_ARGB32);
            img.fill(back);
            QPainter p(&img);
            p.drawImage(0, 0, scene);
            drawKeys(p, keys, layout, QRect(scene.width(), 0, layout.width, spec.pixels.height()), ink);
        }
    }
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
        gen.setTitle(title);
        QPainter p(&gen);
        p.drawImage(QPoint(0, 0), img);
        return p.end() ? QString() : QStringLiteral("%1: could not write SVG").arg(spec.path);
    }
    if (ext == QLatin1String("pdf")) {
        QPdfWriter pdf(spec.path);
        pdf.setResolution(spec.dpi);
        pdf.setTitle(title);
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

QString exportConnectomeFigure(ConnectomeView* view, const FigureSpec& spec) {
    view->lod().settle(); // the full picture, never the reduced one drawn while the camera moves
    return exportVtkFigure(view, spec, QStringLiteral("Neurorama network"));
}

QList<FigureView> figureViews(MainWindow* w) {
    QList<FigureView> v;
    const nr::Document& doc = w->document();
    v.append({QStringLiteral("network"), QObject::tr("3-D network"),
              [w] {
                  const auto& g = w->connectomeView()->graph();
                  return !g || g->nodeCount() == 0 ? QStringLiteral("no network is open") : QString();
              },
              [w](const FigureSpec& spec) {
                  prepare3D(w, w->connectomeView());
                  return exportConnectomeFigure(w->connectomeView(), spec);
              }});
    v.append({QStringLiteral("vessels"), QObject::tr("3-D vessels"),
              [&doc] {
                  return doc.current(nr::LayerKind::Vessels) ? QString()
                                                             : QStringLiteral("no vessel graph is open");
              },
              [w](const FigureSpec& spec) {
                  prepare3D(w, w->vesselView());
                  w->vesselView()->lod().settle();
                  return exportVtkFigure(w->vesselView(), spec, QStringLiteral("Neurorama vessels"));
              }});
    v.append({QStringLiteral("neurons"), QObject::tr("3-D neurons"),
              [&doc] {
                  return doc.current(nr::LayerKind::Morphologies) ||
                                 doc.current(nr::LayerKind::LabelVolume) || doc.current(nr::LayerKind::Image)
                             ? QString()
                             : QStringLiteral("no morphologies, label volume or image are open");
              },
              [w](const FigureSpec& spec) {
                  prepare3D(w, w->neuronView());
                  return exportVtkFigure(w->neuronView(), spec, QStringLiteral("Neurorama neurons"));
              }});
    v.append({QStringLiteral("raster"), QObject::tr("Spike raster and rate"),
              [w] {
                  return w->simulationDock()->raster()->spikeCount() == 0
                             ? QStringLiteral("no spikes are open (open a spike file or run a simulation)")
                             : QString();
              },
              [w](const FigureSpec& spec) {
                  return writePlot(w->simulationDock()->raster(), spec, QStringLiteral("raster"));
              }});
    v.append({QStringLiteral("geometry"), QObject::tr("Population geometry"),
              [w] {
                  const LiveGeometry* g = w->analysisDock()->liveGeometry();
                  if (g && g->last().conditions >= 2) return QString();
                  return QStringLiteral(
                             "it needs spikes with trials of at least two conditions (a trial pair "
                             "X_spikes.csv + X_trials.csv, an NWB file with trials, or the attractor "
                             "model)%1")
                      .arg(g && !g->last().error.isEmpty() ? QStringLiteral(" (%1)").arg(g->last().error)
                                                           : QString());
              },
              [w](const FigureSpec& spec) {
                  return writePlot(w->analysisDock()->geometryPlot(), spec, QStringLiteral("geometry"));
              }});
    v.append({QStringLiteral("traces"), QObject::tr("Activity traces"),
              [w] {
                  return w->activityDock() && w->activityDock()->plot()->traces()
                             ? QString()
                             : QStringLiteral("no traces are open");
              },
              [w](const FigureSpec& spec) {
                  return writePlot(w->activityDock()->plot(), spec, QStringLiteral("traces"));
              }});
    v.append({QStringLiteral("sholl"), QObject::tr("Sholl profile of the picked neuron"),
              [w] {
                  return w->neuronPanel() && w->neuronPanel()->neuron() >= 0
                             ? QString()
                             : QStringLiteral("no neuron is picked (click one in the Neurons view)");
              },
              [w](const FigureSpec& spec) {
                  return writePlot(w->neuronPanel()->shollPlot(), spec, QStringLiteral("Sholl profile"));
              }});
    // Functional connectivity of the open traces: fc-matrix, communities, structure-function (computed on
    // demand when the figure is asked for before the analysis was run).
    if (FunctionalDock* fd = w->findChild<FunctionalDock*>())
        for (const QString& id : FunctionalDock::figureNames())
            v.append({id, FunctionalDock::figureLabel(id), [fd, id] { return fd->figureUnavailable(id); },
                      [fd, id](const FigureSpec& spec) {
                          if (const QString e = fd->prepareFigure(id); !e.isEmpty())
                              return QStringLiteral("%1: %2").arg(spec.path, e);
                          return writePlot(fd->figurePlot(id), spec, id);
                      }});
    // The shown network's adjacency matrix (Analysis > Adjacency Matrix), in the order the dock shows.
    if (AdjacencyDock* ad = w->adjacencyDock())
        v.append({QStringLiteral("adjacency"), QObject::tr("Adjacency matrix of the network"),
                  [w] { return w->graph() ? QString() : QStringLiteral("no network is shown"); },
                  [ad](const FigureSpec& spec) {
                      ad->showShownGraph();
                      return writePlot(ad->plot(), spec, QStringLiteral("adjacency"));
                  }});
    return v;
}

QString defaultFigureView(MainWindow* w) {
    if (QWidget* c = w->centralTabs() ? w->centralTabs()->currentWidget() : nullptr) {
        if (c == w->vesselView()) return QStringLiteral("vessels");
        if (c == w->neuronView()) return QStringLiteral("neurons");
    }
    const nr::Document& doc = w->document();
    if (!doc.current(nr::LayerKind::Graph) && !doc.current(nr::LayerKind::Simulation)) {
        if (doc.current(nr::LayerKind::Traces)) return QStringLiteral("traces");
        if (doc.current(nr::LayerKind::Spikes)) return QStringLiteral("raster");
    }
    return QStringLiteral("network");
}

QString exportViewFigure(MainWindow* w, const QString& viewName, const FigureSpec& spec) {
    QStringList names;
    for (const FigureView& v : figureViews(w)) {
        names << v.id;
        if (v.id != viewName) continue;
        if (const QString why = v.unavailable(); !why.isEmpty())
            return QStringLiteral("%1: nothing to draw in the %2 view: %3").arg(spec.path, v.id, why);
        return v.write(spec);
    }
    return QStringLiteral("export: unknown view '%1' (%2)").arg(viewName, names.join(QStringLiteral(", ")));
}

FigureExportDialog::FigureExportDialog(MainWindow* w) : QDialog(w), w_(w) {
    setWindowTitle(tr("Export Figure"));
    auto* form = new QFormLayout(this);
    viewCombo_ = new QComboBox;
    viewCombo_->setObjectName(QStringLiteral("figureView"));
    const QString current = defaultFigureView(w);
    for (const FigureView& v : figureViews(w)) {
        const QString why = v.unavailable();
        viewCombo_->addItem(v.label, v.id);
        const int row = viewCombo_->count() - 1;
        if (!why.isEmpty()) viewCombo_->setItemData(row, tr("Nothing to draw: %1").arg(why), Qt::ToolTipRole);
        if (v.id == current) viewCombo_->setCurrentIndex(row);
    }
    form->addRow(tr("View"), viewCombo_);

    // Size, resolution and font as last used (a cancelled dialog leaves them).
    const QSettings st;
    byPixels_ = new QRadioButton(tr("Pixels"));
    byPixels_->setObjectName(QStringLiteral("sizeByPixels"));
    auto* byPhysical = new QRadioButton(tr("Physical width"));
    byPhysical->setObjectName(QStringLiteral("sizeByPhysical"));
    const bool physical = st.value(QStringLiteral("export/sizeBy")).toString() == QLatin1String("physical");
    (physical ? byPhysical : byPixels_)->setChecked(true);
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
    width_->setObjectName(QStringLiteral("figureWidthPx"));
    height_->setObjectName(QStringLiteral("figureHeightPx"));
    const QSize vs = st.value(QStringLiteral("export/pixels"), viewSize() * 2).toSize();
    width_->setValue(vs.width());
    height_->setValue(vs.height());
    auto* pxRow = new QHBoxLayout;
    pxRow->addWidget(width_);
    pxRow->addWidget(height_);
    form->addRow(tr("Width × height"), pxRow);

    widthMm_ = new QDoubleSpinBox;
    widthMm_->setObjectName(QStringLiteral("widthMm"));
    widthMm_->setRange(ExportLimits::kMinWidthMm, ExportLimits::kMaxWidthMm);
    widthMm_->setValue(st.value(QStringLiteral("export/widthMm"), 180.0).toDouble());
    widthMm_->setSuffix(tr(" mm"));
    widthMm_->setToolTip(tr("Journal column widths: single ~85 mm, double ~180 mm"));
    dpi_ = new QSpinBox;
    dpi_->setObjectName(QStringLiteral("figureDpi"));
    dpi_->setRange(ExportLimits::kMinDpi, ExportLimits::kMaxDpi);
    dpi_->setValue(st.value(QStringLiteral("export/dpi"), 300).toInt());
    dpi_->setSuffix(tr(" dpi"));
    fontPt_ = new QDoubleSpinBox;
    fontPt_->setObjectName(QStringLiteral("fontPt"));
    fontPt_->setRange(4, 24);
    fontPt_->setDecimals(1);
    fontPt_->setSingleStep(0.5);
    fontPt_->setValue(st.value(QStringLiteral("export/fontPt"), 7.0).toDouble());
    fontPt_->setSuffix(tr(" pt"));
    fontPt_->setToolTip(tr("Text size of every plot and key at the figure's printed size (journals ask for "
                           "5–8 pt)"));
    form->addRow(tr("Width"), widthMm_);
    form->addRow(tr("Resolution"), dpi_);
    form->addRow(tr("Font size"), fontPt_);
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

    path_ = new QLineEdit(st.value(QStringLiteral("export/path"), QStringLiteral("figure.png")).toString());
    path_->setObjectName(QStringLiteral("figurePath"));
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
    spec.fontPt = fontPt_->value();
    const QString err = exportViewFigure(w_, viewCombo_->currentData().toString(), spec);
    if (!err.isEmpty()) {
        QMessageBox::warning(this, tr("Export failed"), err);
        return;
    }
    QSettings s;
    s.setValue(QStringLiteral("export/path"), spec.path);
    s.setValue(QStringLiteral("export/dpi"), spec.dpi);
    s.setValue(QStringLiteral("export/widthMm"), widthMm_->value());
    s.setValue(QStringLiteral("export/fontPt"), spec.fontPt);
    s.setValue(QStringLiteral("export/sizeBy"),
               byPixels_->isChecked() ? QStringLiteral("pixels") : QStringLiteral("physical"));
    if (byPixels_->isChecked()) s.setValue(QStringLiteral("export/pixels"), spec.pixels);
    w_->logMessage(tr("Exported %1 (%2×%3 px, %4 dpi)")
                       .arg(spec.path)
                       .arg(spec.pixels.width())
                       .arg(spec.pixels.height())
                       .arg(spec.dpi));
    QDialog::accept();
}
