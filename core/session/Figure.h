// Figures for papers: a page of a physical size with a grid of panels, each panel one view of a layer of the
// workspace with its own settings (a 3-D panel keeps its own camera and colouring). No widgets here: the
// model, its limits and its JSON (the optional "figures" key of a session, docs/SESSION.md). The app draws a
// figure (app/FigureRender.h) and edits it (app/FigureComposer.h).
//
//   { "name": "Figure 1", "widthMm": 174, "heightMm": 120, "rows": 2, "cols": 2, "letters": true,
//     "fontFamily": "DejaVu Sans", "fontPt": 7, "lineWidthPt": 0.5,
//     "panels": [ { "view": "raster", "layer": 3, "row": 0, "col": 0, "rowSpan": 1, "colSpan": 2,
//                   "title": "", "colorBy": "", "camera": {…}, "settings": {…} } ] }
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/Json.h"
#include "model/Error.h"

namespace nr {

// Limits every figure is held to (reading, the composer, the command line).
struct FigureLimits {
    static constexpr double kMinMm = 10, kMaxMm = 1000;
    static constexpr int kMaxGrid = 8; // rows and columns
    static constexpr size_t kMaxPanels = 64;
    static constexpr size_t kMaxFigures = 256;
    static constexpr double kMinFontPt = 4, kMaxFontPt = 24;
    static constexpr double kMinLinePt = 0.1, kMaxLinePt = 4;
    static constexpr int kMinDpi = 72, kMaxDpi = 2400;
    static constexpr double kMaxPixels = 16384; // per side of a raster figure
};

// Journal column widths offered by the composer (single, 1.5 and double column), in millimetres.
constexpr double kFigureWidthsMm[3] = {85, 114, 174};

// What a panel shows. The string is the JSON and command-line name.
// Traces (heatmap of a traces layer), FcMatrix (its functional connectome), Adjacency (of a graph layer) and
// Sholl (profile of one neuron of a morphologies layer) draw with the window's 2-D plots.
// StructureFunction: structural weight against functional r of every neuron pair of a traces layer, joined by
// name to the workspace's connectome that matches it best.
// Communities: community membership of a traces layer's neurons over sliding windows. Vessels and Neurons: a
// vessels or morphologies layer in 3-D (rendered offscreen as Network is); Neurons also draws a label volume
// (one meshed surface per instance).
// Geometry: the population trajectory of a spikes or simulation layer on its first two principal components
// (the pca analysis' numbers), points coloured by time. Rates: the population firing rate over time of a
// spikes or simulation layer, one line per population.
enum class PanelView {
    Network,
    Raster,
    Rdm,
    Histogram,
    Traces,
    FcMatrix,
    Adjacency,
    Sholl,
    StructureFunction,
    Communities,
    Vessels,
    Neurons,
    Geometry,
    Rates
};
// "network", "raster", "rdm", "histogram", "traces", "fc-matrix", "adjacency", "sholl", "structure-function",
// "communities", "vessels", "neurons", "geometry", "rates"
const char* panelViewName(PanelView v);
const char* panelViewLabel(PanelView v); // "3-D network", "Spike raster with rates", …
std::optional<PanelView> panelViewFromName(const std::string& s);
std::vector<PanelView> allPanelViews();

// The same camera a session keeps per 3-D view (SessionCamera, core/session/Session.h).
struct FigurePanelCamera {
    std::array<double, 3> position{0, 0, 1}, focalPoint{}, viewUp{0, 1, 0};
    double viewAngle = 30;
};

struct FigurePanel {
    PanelView view = PanelView::Raster;
    uint64_t layer = 0; // id of the layer shown (0: none chosen)
    int row = 0, col = 0, rowSpan = 1, colSpan = 1;
    std::string title;                        // drawn above the panel ("" none)
    std::string colorBy;                      // 3-D: the column the nodes are coloured by ("" the default)
    std::optional<FigurePanelCamera> camera;  // 3-D: its own camera (none: the whole data in view)
    JsonValue settings = JsonValue::object(); // view-specific (time range, bins, filters…), kept as written
    std::string layerNote; // not saved: why `layer` is 0 after a session opened (its layer did not open)
};

struct Figure {
    std::string name = "Figure";
    double widthMm = 174, heightMm = 120;
    int rows = 2, cols = 2;
    bool letters = true;
    std::string fontFamily = "DejaVu Sans";
    double fontPt = 7;
    double lineWidthPt = 0.5;
    std::vector<FigurePanel> panels;
};

// The panel letter of panel i ("A".."Z", then "AA"…).
std::string panelLetter(size_t i);
// "" when the figure is valid, else why not (size, grid, a panel outside the grid or over another one).
std::string checkFigure(const Figure& f);

// Reads the "figures" array of a session (strict: every type and range with the value's line; names unique).
Result<std::vector<Figure>> parseFigures(const JsonValue& v, const std::string& file);
JsonValue figuresJson(const std::vector<Figure>& figures);
JsonValue figureJson(const Figure& f);

} // namespace nr
