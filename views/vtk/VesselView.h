// VesselView: a vessel graph drawn as radius-scaled cylinders (one actor for all of them) and, for vessels
// thinner than a pixel, 1-pixel lines (one prop).
//
// Every visible edge is one point of a vtkPolyData (its midpoint) with an orientation, a scale (length,
// radius) and a scalar; vtkOpenGLStickMapper turns each point into an imposter cylinder. Colour (any edge
// column, with a colour bar that names the units), radius threshold and box/slab clip only rewrite these
// arrays; the pipeline is built once per graph.
//
// Level of detail: while the camera moves, the cylinder actor switches to a second mapper that draws at most
// lod().budget() edges (the thickest plus a uniform sample, always with the picked edge; the budget adapts to
// what draws in 65 ms) and the lines are hidden; 150 ms after the camera stops everything is drawn. At rest,
// vessels thinner than a pixel on screen (radius under 1 px, i.e. under 2 px wide) are drawn as 1-pixel lines
// in their colour instead of cylinders: they look the same and cost far less. The split is redone when the
// zoom changes. The lines are not GL primitives: a software rasterizer spends more on setting up and binning
// a GL line than on the few pixels it covers, so a prop (LineSplat, vtk/LineSplat.h) walks their pixels on
// the CPU into a colour and a depth image and composites both with one full-screen pass under the depth test.
//
// An edge is visible when its radius lies in [minRadius, maxRadius] and its midpoint lies inside the clip
// box.
#pragma once

#include <QPoint>
#include <QRectF>
#include <QString>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>
#include <vtkNew.h>
#include <vtkSmartPointer.h>

#include "vessel/VesselGraph.h"
#include "vtk/Lod.h"
#include "vtk/VtkView.h"

class LineSplat;
class vtkActor;
class vtkLookupTable;
class vtkOpenGLStickMapper;
class vtkPoints;
class vtkPolyData;
class vtkPolyDataMapper;
class vtkProp;
class vtkScalarBarActor;

class VesselView : public VtkView {
    Q_OBJECT
public:
    explicit VesselView(QWidget* parent = nullptr);
    ~VesselView() override;

    // Shows `g`: colour by radius (or the first edge column), no threshold, no clip; fits the camera.
    void setGraph(std::shared_ptr<const nr::VesselGraph> g);
    const std::shared_ptr<const nr::VesselGraph>& graph() const { return graph_; }

    // ---- colour ----
    // Colours by an edge column ("radius" means the graph's radius column). False for an unknown column.
    bool setColorBy(const std::string& column);
    const std::string& colorBy() const { return colorBy_; }
    // The columns that can colour: "radius", "length" and every edge column of the graph.
    std::vector<std::string> colorColumns() const;
    // Unit of a column for labels: "voxel", "voxel^3", "um", "" (dimensionless).
    std::string columnUnit(const std::string& column) const;
    // Title of the colour bar: "avgRadiusAvg (voxel)".
    std::string colorBarTitle() const;

    // ---- filters ----
    void setRadiusRange(float minRadius, float maxRadius = std::numeric_limits<float>::infinity());
    // Clip box xmin,xmax,ymin,ymax,zmin,zmax; a slab is a box that is infinite along two axes.
    void setClipBox(const float box[6]);
    void setSlab(int axis, float lo, float hi);
    void clearClip();
    // Radius range and clip box at once (one pass over the edges).
    void setFilter(float minRadius, float maxRadius, const float box[6]);
    float minRadius() const { return minRadius_; }
    float maxRadius() const { return maxRadius_; }
    const float* clipBox() const { return clip_; }
    size_t visibleEdgeCount() const { return visible_.size(); }
    // Edges drawn by the last frame: the LOD budget while moving, all visible ones at rest (cylinders +
    // lines).
    size_t drawnEdgeCount() const;
    // At rest: visible edges drawn as cylinders and as lines (thinner than `thinPixels` on screen).
    size_t cylinderEdgeCount() const { return thick_.size(); }
    size_t lineEdgeCount() const { return thin_.size(); }
    // Lines the last frame drew (0 while moving: the budget is drawn as cylinders).
    size_t linesDrawn() const;
    void setThinPixels(float px);
    // Visible edges (sorted edge ids).
    const std::vector<uint32_t>& visibleEdges() const { return visible_; }

    // Fits the camera to the visible vessels (all of them when none is visible), keeping the direction.
    void resetCamera() override;

    // ---- radius scale of the cylinders (1 = the radius in the data) ----
    void setRadiusScale(float s);

    // ---- picking ----
    // The visible edge under the widget position (nearest cylinder hit by the eye ray, 3 px tolerance), -1
    // for none. Computed on the CPU, not with vtkHardwareSelector (see the .cpp).
    long pickEdge(QPoint widgetPos);
    // Marks an edge as picked (always drawn, highlighted, named in the overlay); -1 clears.
    void setPickedEdge(long e);
    long pickedEdge() const { return picked_; }
    // Every attribute of an edge: id, node ids, endpoints, the computed length and each edge column.
    std::vector<std::pair<std::string, double>> edgeAttributes(size_t e) const;
    // Window position (logical pixels) of a world point under the current camera.
    QPointF project(const double world[3]) const;

    // The overlay window drawn in the last frame (widget pixels; empty before).
    QRectF overlayRect() const { return overlayRect_; }

    // ---- histograms of what is visible ----
    nr::Histogram visibleHistogram(const std::string& column, size_t bins) const;
    // The same over [lo, hi] (e.g. the range of all edges, so that bins stay put while filtering).
    nr::Histogram visibleHistogram(const std::string& column, size_t bins, double lo, double hi) const;
    // Finite range of a colour column over all edges ({0, 0} when it has no finite value).
    std::pair<double, double> columnRange(const std::string& column) const;

    // ---- level of detail ----
    LodController& lod() { return lod_; }

    // Pipeline objects, for tests and export.
    vtkPolyData* edgePolyData() const;
    vtkPolyData* lodPolyData() const;
    // The prop that draws the lines (vessels thinner than a pixel) at rest.
    vtkProp* lineProp() const;
    vtkActor* edgeActor() const;
    // The mapper of the budget drawn while moving (edgeActor() switches to it), and whether it is in use.
    vtkOpenGLStickMapper* lodMapper() const;
    bool drawingBudget() const;
    vtkScalarBarActor* scalarBar() const;
    vtkOpenGLStickMapper* edgeMapper() const;

signals:
    void edgePicked(long e);

protected:
    void paintGL() override;
    void drawOverlay() override;
    void backgroundChanged() override;
    void imageSizeChanged(bool forImage) override;
    void mousePressEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;

private:
    void rebuildVisible(); // filters -> visible_ -> arrays of both actors
    void fillPoly(vtkPolyData* poly, const std::vector<uint32_t>& edges) const;
    void recolor(bool lodOnly = false);
    void updateLodPoly();
    void splitThin(); // visible_ -> thick_ (cylinders) + thin_ (lines) for the current zoom; fills both
    double pixelsPerUnit() const;
    void updatePickedActor();
    void onLodMode(bool moving);
    // At rest with a new budget sample: draw and time the budget once (while the event loop is idle), so the
    // level of detail knows what a moving frame costs and the first moving frame does not upload.
    void warmLod();
    bool lodWarmQueued_ = false;
    vtkMTimeType lodWarmTime_ = 0;
    const std::vector<float>& columnValues(const std::string& column) const;
    std::vector<float> visibleValues(const std::string& column) const; // of the visible edges, in order

    std::shared_ptr<const nr::VesselGraph> graph_;
    std::vector<float> radius_; // drawn radius per edge (data radius, or a default when there is none)
    std::vector<float> length_; // edgeLengths()
    std::vector<uint32_t> visible_;
    std::vector<uint32_t> lodEdges_;
    std::vector<uint32_t> thick_, thin_;
    float thinPixels_ = 1.0f; // radius on screen below which a vessel is drawn as a 1-pixel line
    double splitScale_ = 0;   // pixelsPerUnit() when thick_/thin_ were made
    std::string colorBy_;
    float minRadius_ = -std::numeric_limits<float>::infinity();
    float maxRadius_ = std::numeric_limits<float>::infinity();
    float clip_[6];
    float radiusScale_ = 1.f;
    long picked_ = -1;
    QRectF overlayRect_;
    QPoint pressPos_;

    std::vector<uint32_t> lineOrder_; // every edge, in spatial order (for the line splat)
    vtkNew<vtkPolyData> poly_, lodPoly_, pickedPoly_;
    vtkSmartPointer<LineSplat> lines_;
    vtkSmartPointer<vtkOpenGLStickMapper> mapper_, lodMapper_, pickedMapper_;
    vtkNew<vtkActor> actor_, pickedActor_;
    vtkNew<vtkLookupTable> lut_;
    vtkNew<vtkScalarBarActor> bar_;
    CameraState lastCamera_;
    bool haveCamera_ = false;
    LodController lod_;
};
