// Drawing a composed figure (core/session/Figure.h) with QPainter: to PDF (QPdfWriter), SVG (QSvgGenerator),
// PNG and TIFF (QImage at the figure's DPI, with the DPI in the file), and to the composer's preview.
//
// Each panel is drawn by the view that draws it in the window: 2-D plots (RasterPlot, MatrixPlot) paint
// themselves as vector with PlotWidget::paintFigurePanel (a 1M-spike raster is merged into dot-sized cells);
// a 3-D network is rendered offscreen by a ConnectomeView of its own at the figure's DPI and placed as an
// image, with its key (legend, colour bar with range) and a scale bar as vector beside it; the vessel-radius
// histogram is drawn here. The page is white with black text, one font family and size for every panel.
//
// Output is deterministic: the same figure and data give the same bytes (the PDF's dates and document id are
// fixed) and every file is written atomically (nr::writeFileAtomic).
#pragma once

#include <QColor>
#include <QPointF>
#include <QRectF>
#include <array>
#include <optional>
#include <utility>

#include <QSize>
#include <QString>
#include <QStringList>
#include <memory>
#include <vector>

#include "plots/AdjacencyPlot.h"
#include "session/Figure.h"
#include "vessel/VesselGraph.h"

class FigureCache;
class QPainter;
namespace nr {
class Document;
class Graph;
struct LabelVolume;
struct MorphologySet;
class SpikeStore;
struct Traces;
} // namespace nr

// What one panel draws (resolved from the document, or made in code for the example figure).
struct FigurePanelData {
    QString problem; // why the panel cannot be drawn ("" when it can); names the layer
    QString source;  // the layer's name
    // network
    std::shared_ptr<const nr::Graph> graph;
    QString spatialUnit = QStringLiteral("µm"); // unit of the node positions (scale bar)
    // vessels, neurons (3-D)
    std::shared_ptr<const nr::VesselGraph> vessels;
    std::shared_ptr<const nr::MorphologySet> morphologies;
    // raster
    std::shared_ptr<nr::SpikeStore> spikes;
    // rdm
    std::vector<double> matrix;
    int n = 0;
    QStringList labels;
    // histogram
    nr::Histogram histogram;
    QString quantity, unit;
    // traces (heatmap); fc-matrix uses matrix / n / labels with valueLabel ("Pearson r")
    std::shared_ptr<const nr::Traces> traces;
    QString valueLabel;
    std::vector<int> order; // fc-matrix: rows and columns shown, by neuron name as the traces heatmap
    // adjacency (the Adjacency Matrix dock's data) and the unit of the edge weights for its colour bar
    AdjacencyPlot::Data adjacency;
    QString weightUnit;
    // sholl: one neuron's profile
    std::vector<double> shollRadius;
    std::vector<int> shollIntersections;
    QString neuron;
    // structure-function: one point per neuron pair, the axis titles and r / p
    std::vector<double> x, y;
    QStringList pointNames;
    QString xTitle, yTitle, stats;
    bool logX = false;
    // communities: labels (windows x neurons, -1 none), window spans, the neurons' names (labels) and time
    // unit
    std::vector<std::vector<int>> membership;
    std::vector<double> windowStart, windowEnd;
    QString timeUnit;
    // 3-D panels: the labels chosen in settings.labels, each with the world point it names (a node; a
    // neuron's soma), written beside the scene as vector text with a leader line to the point
    struct Anchor {
        QString text;
        std::array<double, 3> p{};
    };
    std::vector<Anchor> labelAnchors;
    // geometry: trajectory points on PC1..PC3 (one polyline per condition, in time order), each point's time
    // (in trajectoryTimeUnit), the conditions' names, the fraction of variance each PC explains and the bin
    std::vector<std::array<float, 3>> trajectory;
    std::vector<int> trajectoryCondition;
    std::vector<double> trajectoryTime;
    QString trajectoryTimeTitle; // "time from trial start (ms)"
    QStringList conditionNames;
    std::vector<double> explained;
    double binMs = 0;
    // rates: one series per population (Hz per bin of rateBinS seconds from rateT0), names and colours
    std::vector<std::vector<double>> rates;
    QStringList populations;
    std::vector<QColor> populationColors;
    double rateBinS = 0, rateT0 = 0;
    // neurons: a label volume (one meshed surface per instance; spatialUnit its unit) and its layer's state
    // (the instance colours and hidden instances set in the window)
    std::shared_ptr<const nr::LabelVolume> labelVolume;
    nr::JsonValue labelState;
};

// At most this many labels in one 3-D panel (settings.labels).
constexpr size_t kMaxFigureLabels = 200;

struct FigureWriteStats {
    QSize pixels;         // page in device pixels at the DPI
    int panels = 0;       // panels drawn
    qint64 bytes = 0;     // file size
    double ms3d = 0;      // time spent rendering 3-D panels
    QStringList warnings; // what the figure lacks that the user asked for ("panel A (network): labels …")
};

// The page in pixels at `dpi` (mm / 25.4 * dpi, rounded).
QSize figurePixels(const nr::Figure& f, int dpi);
// The grid cell (row, column) under `px` (pixels of the figure drawn at `dpi`), or none outside every cell.
std::optional<std::pair<int, int>> figureCellAt(const nr::Figure& f, const QPointF& px, int dpi);
// "" or why a figure cannot be written at `dpi` (DPI or pixel size beyond FigureLimits, invalid figure).
QString checkFigureOutput(const nr::Figure& f, int dpi);

// The data of every panel from the document: a panel whose layer was removed, or is of a kind the view
// cannot show, or holds nothing to draw, gets a `problem` naming the layer and why.
std::vector<FigurePanelData> figureDataFromDocument(const nr::Figure& f, const nr::Document& doc);
// "" or one line per panel that cannot be drawn: `panel B (raster): layer 7 is not in the workspace
// (removed)`.
QString figureProblems(const nr::Figure& f, const std::vector<FigurePanelData>& data);

// Paints the figure on a page of figurePixels(f, dpi) device units (white background). A panel with a problem
// is drawn as a framed note saying so. `stats` (optional) counts the panels drawn and the 3-D time. With a
// `cache` (the composer's preview) a 3-D panel whose picture is current is not rendered again.
void paintFigure(QPainter& p, const nr::Figure& f, const std::vector<FigurePanelData>& data, int dpi,
                 FigureWriteStats* stats = nullptr, FigureCache* cache = nullptr);

// The rectangle panel `i` is drawn in on a page at `dpi` (its cell below the letter and title; the cell in
// `cell`), and the panel drawn into a rectangle of any size (text and lines as in the figure at `dpi`).
QRectF figurePanelContentRect(const nr::Figure& f, size_t i, int dpi, QRectF* cell = nullptr);
void paintFigurePanelContent(QPainter& p, const QRectF& content, const nr::Figure& f, size_t i,
                             const FigurePanelData& d, int dpi);

// Writes the figure to `path` (.pdf, .svg, .png, .tif/.tiff) at `dpi`, atomically. Refuses a figure with a
// panel problem. Returns "" or the error, naming the file.
QString writeFigure(const nr::Figure& f, const std::vector<FigurePanelData>& data, const QString& path,
                    int dpi, FigureWriteStats* stats = nullptr);

// The example figure built in code: the demo column in 3-D, a COBA raster with rates, an RDM of the COBA
// run's activity in 12 time windows and a vessel-radius histogram of generated radii; 174 mm wide.
nr::Figure exampleFigure(std::vector<FigurePanelData>& data);

// Axes of a 2-D figure panel drawn here (histogram, rates): the frame's left and bottom lines in `lw`, ticks
// on x from PlotWidget::niceTicks over xlo..xhi and at `yt` on y (0 at the bottom, yTop at the top; labels
// right- aligned in labelW), the x title under the tick labels and the y title turned along the left edge of
// `r`.
void paintFigureAxes(QPainter& p, const QRectF& r, const QRectF& plot, double xlo, double xhi,
                     const std::vector<double>& yt, double yTop, double labelW, double line, double lw,
                     const QString& xTitle, const QString& yTitle);

// PDF bytes with the creation/modification dates and document ids QPdfWriter writes replaced by fixed
// values of the same length (offsets in the file stay valid).
QByteArray fixPdfTimestamps(QByteArray pdf);
