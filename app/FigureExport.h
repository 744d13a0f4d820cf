// Figure export: any view to PNG / TIFF at a pixel size or a physical width and DPI, and, for 2-D plots, to
// SVG / PDF as vector paths. Used by File > Export Figure and by `neurorama export`.
#pragma once

// Figure limits, declared once: the command line, the export dialog and exportViewFigure all use these.
struct ExportLimits {
    static constexpr int kMinPixels = 16, kMaxPixels = 16384;
    static constexpr int kMinDpi = 72, kMaxDpi = 2400;
    static constexpr double kMinWidthMm = 10, kMaxWidthMm = 1000;
};

#include <QDialog>
#include <QFont>
#include <QList>
#include <QSize>
#include <QString>
#include <functional>
#include <vector>

#include "vtk/VtkView.h"

class MainWindow;
class ConnectomeView;
class VtkView;
class QComboBox;
class QSpinBox;
class QDoubleSpinBox;
class QCheckBox;
class QLineEdit;
class QPainter;
class QRadioButton;

struct FigureSpec {
    QString path; // format from the extension: png, tif/tiff, svg, pdf
    QSize pixels{1600, 1200};
    int dpi = 300;
    bool transparent = false;
    double fontPt = 7; // text size at the figure's physical size (pixels / dpi), in every plot and key
};

// Pixel size for a physical width in millimetres at a DPI, keeping the aspect ratio of `aspectFrom`.
QSize pixelsForWidth(double widthMm, int dpi, QSize aspectFrom);

// Writes a 3-D view as drawn (raster image; SVG and PDF embed it). Returns an empty string or the error
// message (naming the file).
QString exportVtkFigure(VtkView* view, const FigureSpec& spec, const QString& title);
QString exportConnectomeFigure(ConnectomeView* view, const FigureSpec& spec);

// The key of a 3-D figure (what VtkView::figureKeys says), drawn as vector text and shapes beside the scene:
// layoutKeys picks the font (fontPt at dpi, smaller until the key takes at most a third of `pixels`) and the
// width; drawKeys draws titles, swatches and colour bars with their range into `area`. Also used by the
// composed figures (app/FigureRender.h).
struct KeyLayout {
    int width = 0;
    QFont font;
    int line = 0;
};
KeyLayout layoutKeys(const std::vector<VtkView::FigureKey>& keys, QSize pixels, int dpi, double fontPt);
void drawKeys(QPainter& p, const std::vector<VtkView::FigureKey>& keys, const KeyLayout& l, QRect area,
              const QColor& ink);

// One view of the window that can be written as a figure. The export dialog and `neurorama export --view`
// are made from this list; a new view adds one entry in figureViews().
struct FigureView {
    QString id;                                      // --view name
    QString label;                                   // shown in the dialog
    std::function<QString()> unavailable;            // why there is nothing to draw ("" when there is)
    std::function<QString(const FigureSpec&)> write; // "" or the error, naming the file
};
QList<FigureView> figureViews(MainWindow* w);
// The view the window shows (the front 3-D tab, or the plot of the only kind of data open).
QString defaultFigureView(MainWindow* w);
// Writes one of the window's views by id. Refuses a view with nothing to draw.
QString exportViewFigure(MainWindow* w, const QString& viewName, const FigureSpec& spec);

class FigureExportDialog : public QDialog {
    Q_OBJECT
public:
    explicit FigureExportDialog(MainWindow* w);

private:
    void updatePixelsFromPhysical();
    void browse();
    void accept() override;
    QSize viewSize() const;

    MainWindow* w_;
    QComboBox* viewCombo_;
    QRadioButton* byPixels_;
    QSpinBox* width_;
    QSpinBox* height_;
    QDoubleSpinBox* widthMm_;
    QSpinBox* dpi_;
    QDoubleSpinBox* fontPt_;
    QCheckBox* transparent_;
    QLineEdit* path_;
};
