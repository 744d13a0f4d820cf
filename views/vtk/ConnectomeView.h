// ConnectomeView: a graph with node positions drawn in 3-D: one actor for all nodes (imposter spheres,
// vtkOpenGLSphereMapper, radius and colour per point) and the edges (one vtkPolyData of 2-point lines with
// 32-bit cell storage and an RGB colour per line, the data the edges are drawn from). Edges are 1-pixel lines
// drawn by a LineSplat (vtk/LineSplat.h): rasterized on the CPU and composited under the depth test, so
// nodes hide them and they hide nodes behind them as GL lines would, without a GL primitive per edge.
// Colouring, filtering, highlight, selection and activity only rewrite arrays; the pipeline is built once
// per graph.
//
// Level of detail (vtk/Lod.h): while the camera moves, a second edge splat draws at most lod().budget() of
// the visible edges (the strongest by weight plus a uniform sample of the rest, always with the highlighted
// node's edges); 150 ms after the camera stops, the full edge splat draws every visible edge again. The
// budget splat follows the edge filter, the edge colours and the highlight. Nodes likewise: while moving the
// budget splat also draws at most lodNodeBudget() nodes (the highest degrees plus a uniform sample, always
// with the highlighted node, its partners and the selection) as shaded discs (LineSplat::setDiscs) in the
// colours and sizes of the full node actor, which is hidden meanwhile: a moving frame has no GL primitive per
// node or edge.
#pragma once

#include <QColor>
#include <QPoint>
#include <QRectF>
#include <QString>
#include <QTimer>
#include <QVariantAnimation>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>
#include <vtkNew.h>
#include <vtkSmartPointer.h>
#include <vtkType.h>

#include "model/Graph.h"
#include "model/Palette.h"
#include "vtk/Lod.h"
#include "vtk/VtkView.h"

class LineSplat;
class vtkActor;
class vtkCellArray;
class vtkFloatArray;
class vtkOpenGLSphereMapper;
class vtkPoints;
class vtkPolyData;
class vtkPolyDataMapper;
class vtkUnsignedCharArray;

class ConnectomeView : public VtkView {
    Q_OBJECT
public:
    enum class EdgeColoring { ByType, BySource };

    explicit ConnectomeView(QWidget* parent = nullptr);
    ~ConnectomeView() override;

    // Shows `g` (nodes need positions: g->hasPositions(); without them the view is empty). Resets colouring
    // to "degree", the edge filter to everything, highlight, selection and activity, and fits the camera.
    void setGraph(std::shared_ptr<const nr::Graph> g);
    const std::shared_ptr<const nr::Graph>& graph() const { return graph_; }

    // "degree", "in-degree", "out-degree", "class", a node column of the graph or one set by setNodeColumn.
    // Numeric columns use a viridis-like colour map, text columns a categorical palette. Returns false
    // (and keeps the colouring) for an unknown column.
    bool setColorBy(const std::string& column);
    const std::string& colorBy() const { return colorBy_; }
    // Colours set from outside (e.g. calcium activity at a playback cursor), one per node; replaces the
    // colouring until called with an empty vector. `legendTitle` names what the colours mean, `kind` what
    // colours them (the name the colour controls show, e.g. "activity" or "community").
    void setNodeColors(const std::vector<QColor>& colors, const std::string& legendTitle = "activity",
                       const std::string& kind = "activity");
    bool hasNodeColorOverride() const { return !overrideRgb_.empty(); }
    // What the nodes are coloured by now: the kind of the colours set from outside while they show, else
    // colorBy().
    std::string coloring() const { return overrideRgb_.empty() ? colorBy_ : overrideKind_; }
    // Adds or replaces a numeric node column (e.g. community ids); one value per node.
    void setNodeColumn(const std::string& name, const std::vector<float>& values);

    // Shows edges with minWeight <= weight <= maxWeight whose type index t has typeVisible[t] (types past
    // the end of typeVisible are shown).
    void setEdgeFilter(float minWeight, float maxWeight, const std::vector<bool>& typeVisible);
    size_t visibleEdgeCount() const { return visibleEdges_; }
    void setEdgeColoring(EdgeColoring c);
    EdgeColoring edgeColoring() const { return edgeColoring_; }

    // Node radius relative to the default (a fraction of the scene's bounding box diagonal).
    void setNodeSize(float scale);
    // Edge opacity 0..1: edges stay opaque, their colour is mixed with the background by this factor.
    void setEdgeOpacity(float a);

    // -1 clears. Otherwise the node, its presynaptic (in) and postsynaptic (out) partners and the edges
    // between the node and them keep their look; everything else is dimmed. Partners are tinted: blue for
    // presynaptic, orange for postsynaptic, purple for both.
    void highlightNode(long id);
    long highlightedNode() const { return highlight_; }
    // Moves the camera to centre the node (animated, about 0.4 s).
    void flyTo(long id);
    // Selected nodes are drawn brighter and larger.
    void setSelection(const std::vector<uint32_t>& ids);
    const std::vector<uint32_t>& selection() const { return selection_; }
    // 0..1 per node: nodes flash towards yellow-white and grow slightly. Only rewrites two arrays; meant to
    // be called at display rate. An empty vector clears.
    void setActivity(const std::vector<float>& level);

    // Node under the widget position (hardware selection), -1 for none.
    long pickNode(QPoint widgetPos);
    // Window position of node `id` (logical widget pixels) under the current camera.
    QPointF projectNode(long id) const;
    // Radius node `id` is drawn with, on screen (logical pixels) under the current camera.
    double projectedRadius(long id) const;

    // The text the overlay shows for the hovered neuron ("" when none).
    const QString& overlayHoverText() const { return hoverText_; }

    // Pipeline objects, for tests and export code.
    vtkPolyData* edgePolyData() const;
    vtkPolyData* nodePolyData() const;
    vtkOpenGLSphereMapper* nodeMapper() const;
    // The prop that draws every visible edge at rest (the lines and colours of edgePolyData()).
    LineSplat* edgeSplat() const;
    vtkActor* nodeActor() const;
    // Level of detail: the budget splat (the sampled edges and, as discs, the budget nodes) and its data
    // (line cells and colours of the sampled edges).
    LodController& lod() { return lod_; }
    LineSplat* lodEdgeSplat() const;
    vtkPolyData* lodEdgePolyData() const;
    // Edges drawn by the last frame: the budget sample while moving, every visible edge at rest.
    size_t drawnEdgeCount() const { return drawnEdges_; }
    // Nodes drawn while moving (default 20,000), beyond the ones that must stay visible.
    void setLodNodeBudget(size_t n);
    size_t lodNodeBudget() const { return lodNodeBudget_; }
    // Whether the last state change put the budget nodes in place of the node actor (moving), and their
    // data (points, colours and radii the budget splat's discs are drawn from).
    bool lodNodesShown() const;
    vtkPolyData* lodNodePolyData() const;
    // Nodes drawn by the last frame.
    size_t drawnNodeCount() const { return drawnNodes_; }
    // RGB per node after colouring, highlight, selection and activity (the array the mapper draws).
    vtkUnsignedCharArray* nodeColors() const;
    // RGB per visible edge, in the order of the line cells.
    vtkUnsignedCharArray* edgeColors() const;
    // Base radius of a node in world units (before selection and activity).
    float nodeRadius() const;

    // What the colours mean, as the overlay's legend shows them.
    struct LegendEntry {
        std::string label;
        nr::palette::Rgb color;
        size_t count = 0; // nodes (or edges) of this entry
    };
    struct ColorBar {
        bool valid = false;
        std::string column;
        double lo = 0, hi = 0;
        bool log = false;
    };
    // Categorical node colours (class, community, E/I, any text column); empty for numeric colourings.
    const std::vector<LegendEntry>& legend() const { return legend_; }
    // Legend entries for colours set with setNodeColors (e.g. communities at a playback cursor); call after
    // setNodeColors, which clears them.
    void setNodeColorLegend(const std::vector<LegendEntry>& entries);
    // A continuous colour bar for colours set with setNodeColors (e.g. activity at the cursor): the colours
    // from lo to hi. Call after setNodeColors, which clears it.
    void setNodeColorRamp(const std::vector<QColor>& ramp, double lo, double hi);
    // Numeric node colouring: the column, its range and scale.
    const ColorBar& colorBar() const { return colorBar_; }
    // Edge colours: one entry per edge type (or pre/post/both while a neuron is highlighted).
    std::vector<LegendEntry> edgeLegend() const;
    // Swatches drawn in the last frame: label and rectangle (widget pixels), for tests that read pixels back.
    const std::vector<std::pair<std::string, QRectF>>& legendSwatches() const { return swatches_; }
    // Rectangles of the overlay panels drawn in the last frame (widget pixels).
    const std::vector<QRectF>& overlayRects() const { return overlayRects_; }
    // The name drawn beside the highlighted neuron in the last frame and its rectangle (widget pixels); empty
    // when none is highlighted or it is off screen.
    const QString& highlightLabel() const { return highlightLabel_; }
    QRectF highlightLabelRect() const { return highlightLabelRect_; }
    // The legend as a figure key: node colours (swatches or colour bar), edge types, activity.
    std::vector<FigureKey> figureKeys() const override;

signals:
    // coloring() changed (a new column, or colours set from outside came or went).
    void coloringChanged();
    void nodeHovered(long id);
    void nodeClicked(long id);
    void selectionChanged(std::vector<uint32_t> ids);

protected:
    void paintGL() override;
    void drawOverlay() override;
    void backgroundChanged() override;
    void mousePressEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void leaveEvent(QEvent* e) override;

private:
    void updateBaseColors();
    void updateNodeArrays();
    void rebuildEdges(); // filter: rewrites connectivity and colours of the visible edges
    void recolorEdges(); // colours only, same visible edges
    // Copies the visible edges' (or the budget's) colours into the splat that draws them; `lines` also
    // gives it the lines.
    void syncSplat(LineSplat* splat, vtkCellArray* cells, vtkUnsignedCharArray* colors, bool lines);
    bool edgeVisible(size_t e) const;
    void edgeColor(size_t e, unsigned char rgb[3]) const; // after prepareEdgeColors
    void prepareEdgeColors();
    void updateLodEdges(); // resamples the budget edges from the visible ones and colours them
    void recolorLodEdges();
    bool lodSampleStale() const; // the budget moved far from the sample's size
    // Draws the budget actors once at rest, into VTK's framebuffer only (the widget keeps showing the last
    // frame), so that their buffers are uploaded and their shaders built before the first moving frame.
    void warmLod();
    void applyEdgeVisibility(); // full or budget edge and node actors, by the LOD state and the edge opacity
    void updateLodNodes();      // resamples the budget nodes (colours follow in updateNodeArrays)
    void onHoverTimer();
    std::vector<uint32_t> nodesInRect(QRect r) const;

    std::shared_ptr<const nr::Graph> graph_;
    vtkNew<vtkPoints> points_;
    vtkNew<vtkPolyData> nodePoly_;
    vtkNew<vtkPolyData> edgePoly_;
    vtkNew<vtkCellArray> lines_;
    vtkNew<vtkCellArray> verts_;
    vtkNew<vtkUnsignedCharArray> nodeColors_;
    vtkNew<vtkFloatArray> nodeRadii_;
    vtkNew<vtkUnsignedCharArray> edgeColors_;
    vtkNew<vtkOpenGLSphereMapper> nodeMapper_;
    vtkNew<vtkActor> nodeActor_;
    vtkSmartPointer<LineSplat> edgeSplat_;

    std::string colorBy_ = "degree";
    std::vector<LegendEntry> legend_;
    std::vector<unsigned char> overrideRgb_;
    std::string overrideTitle_;
    std::string overrideKind_;
    std::vector<LegendEntry> overrideLegend_;
    std::vector<QColor> overrideRamp_;
    double overrideLo_ = 0, overrideHi_ = 0;
    ColorBar colorBar_;
    std::vector<std::pair<std::string, QRectF>> swatches_;
    std::vector<QRectF> overlayRects_;
    QString highlightLabel_;
    QRectF highlightLabelRect_;
    std::map<std::string, std::vector<float>> extraColumns_;
    std::vector<unsigned char> baseRgb_;  // 3 per node
    std::vector<unsigned char> role_;     // per node: 0 other, 1 pre, 2 post, 3 both, 4 the highlighted node
    std::vector<unsigned char> selected_; // per node
    std::vector<uint32_t> selection_;
    std::vector<float> activity_;
    long highlight_ = -1;
    float minWeight_ = -std::numeric_limits<float>::infinity();
    float maxWeight_ = std::numeric_limits<float>::infinity();
    std::vector<bool> typeVisible_;
    size_t visibleEdges_ = 0;
    EdgeColoring edgeColoring_ = EdgeColoring::ByType;
    float nodeScale_ = 1.f;
    float baseRadius_ = 1.f;
    float edgeOpacity_ = 0.5f;
    float edgeBack_[3] = {0, 0, 0};  // background, 0..255 (prepareEdgeColors)
    std::vector<float> edgeTypeRgb_; // per edge type (and one past the last for unknown types), 0..255
    // Level of detail: the visible edges when a filter hides some (empty when all are visible), the sampled
    // edge ids (sorted) and the budget actor's pipeline, sharing points_ with the others.
    LodController lod_;
    std::vector<uint32_t> visibleIds_;
    std::vector<uint32_t> lodEdges_;
    vtkMTimeType lodWarmTime_ = 0; // lodLines_ time when the budget actors were last drawn by warmLod
    bool lodWarmQueued_ = false;
    vtkNew<vtkPolyData> lodPoly_;
    vtkNew<vtkCellArray> lodLines_;
    vtkNew<vtkUnsignedCharArray> lodColors_;
    vtkSmartPointer<LineSplat> lodSplat_;
    std::vector<uint32_t> edgeOrder_, lodOrder_; // line k of a splat is cell order[k] of its poly data
    size_t drawnEdges_ = 0;
    std::vector<float> lodNodeWeight_; // degree per node
    std::vector<uint32_t> lodNodes_;
    size_t lodNodeBudget_ = 20000;
    vtkNew<vtkPoints> lodNodePoints_;
    vtkNew<vtkPolyData> lodNodePoly_;
    vtkNew<vtkCellArray> lodNodeVerts_;
    vtkNew<vtkUnsignedCharArray> lodNodeColors_;
    vtkNew<vtkFloatArray> lodNodeRadii_;
    bool lodNodesOn_ = false; // the budget splat draws the budget nodes (moving)
    size_t drawnNodes_ = 0;
    VtkView::CameraState lastCamera_;
    bool haveCamera_ = false;
    // Set when the line arrays were rebuilt: the next frame re-uploads them and the old buffers become free.
    bool trimAfterPaint_ = false;

    QTimer hoverTimer_;
    QPoint hoverPos_;
    long hovered_ = -1;
    QString hoverText_;
    QPoint pressPos_;
    Qt::MouseButton pressButton_ = Qt::NoButton;
    bool rubberBand_ = false;
    QPoint bandEnd_;
    QVariantAnimation flight_;
    VtkView::CameraState flightFrom_, flightTo_;
};
