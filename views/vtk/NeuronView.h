// NeuronView: segmented neurons in 3-D.
//
// Skeletons (a MorphologySet) are drawn as radius-true tubes with imposters: one vtkOpenGLStickMapper actor
// for every parent-child segment of every neuron (radius of the child node) and one vtkOpenGLSphereMapper
// actor for the nodes (joints, and the soma at its own radius). Colouring rewrites one colour array per
// actor: by neuron, by compartment type (soma, axon, basal, apical, custom), by branch order or by path
// distance from the root (colour bar).
//
// Label volumes are drawn as one smooth surface per instance (one actor each, own colour), meshed off the UI
// thread by nr::LabelMeshJob; instances can be shown, hidden, isolated and recoloured.
//
// The image the labels came from (an ImageVolume: grey or RGB) is drawn beside them as three orthogonal
// slices (ImageSlices) in the same frame, with slice positions and opacity set in the overlay or by setSlice.
//
// A second label volume (an evaluation's prediction) can be drawn beside the first, offset along x by the
// first's width and a gap, with its own instance colours, a caption over each side and a key naming every
// colour (setComparison; meshed on its own worker thread). It is a view of the comparison only: the shown
// volume stays the first.
//
// pick() returns the neuron (and node) or the instance under a widget position: neurons by a ray test
// against their segments and somata, instances with a vtkCellPicker on the surfaces; the nearer wins.
#pragma once

#include <QPointF>
#include <memory>
#include <optional>
#include <string>
#include <vector>
#include <vtkNew.h>
#include <vtkSmartPointer.h>

#include "model/Palette.h"
#include "morph/ImageVolume.h"
#include "morph/LabelVolume.h"
#include "morph/Morphology.h"
#include "vtk/ImageSlices.h"
#include "vtk/LabelMesher.h"
#include "vtk/VtkView.h"

struct ImVec2;
class vtkActor;
class vtkOpenGLSphereMapper;
class vtkOpenGLStickMapper;
class vtkPolyData;
class vtkUnsignedCharArray;

class NeuronView : public VtkView {
    Q_OBJECT
public:
    enum class ColorBy { Neuron, Type, BranchOrder, PathDistance };

    struct Pick {
        // Beside: an instance of the comparison (index in comparison()->volume->instances).
        enum Kind { None, Neuron, Instance, Beside } kind = None;
        int neuron = -1;    // index in the MorphologySet
        long node = -1;     // node index within that neuron
        long instance = -1; // index in LabelVolume::instances
    };
    struct LegendEntry {
        std::string label;
        nr::palette::Rgb color;
        size_t count = 0;
    };
    struct ColorBar {
        bool valid = false;
        std::string title;
        double lo = 0, hi = 0;
    };

    explicit NeuronView(QWidget* parent = nullptr);
    ~NeuronView() override;

    // Shows what a reader made (LayerKind::Morphologies, LabelVolume or Image payloads, see
    // morph/MorphFormats.h); volumes are meshed on a worker thread. Returns false for other kinds.
    bool showDataset(const nr::Dataset& d);

    // ---- skeletons ----
    // Shows the neurons (replaces the previous set; nullptr clears) and fits the camera.
    void setMorphologies(std::shared_ptr<const nr::MorphologySet> set);
    const std::shared_ptr<const nr::MorphologySet>& morphologies() const { return set_; }
    void setColorBy(ColorBy c);
    ColorBy colorBy() const { return colorBy_; }
    // Multiplies every radius (1 = radius-true).
    void setRadiusScale(float s);
    size_t neuronCount() const;
    size_t nodeCount() const;

    // ---- label volumes ----
    // Shows the volume's instances. With meshNow the surfaces are meshed on a worker thread (meshingProgress,
    // then meshingFinished); otherwise give them with setInstanceMeshes().
    void setLabelVolume(std::shared_ptr<const nr::LabelVolume> volume, bool meshNow = true,
                        const nr::MeshOptions& opt = {});
    const std::shared_ptr<const nr::LabelVolume>& labelVolume() const { return volume_; }
    // Surfaces of the current volume's instances (from nr::meshInstances); fits the camera the first time.
    void setInstanceMeshes(const std::vector<nr::InstanceMesh>& meshes);
    // Processes events until meshing has finished (or timeoutMs passed); true when the surfaces are shown.
    bool waitForMeshes(int timeoutMs);
    void cancelMeshing();
    bool meshing() const;
    size_t instanceCount() const;
    void setInstanceVisible(size_t i, bool visible);
    bool instanceVisible(size_t i) const;
    // Shows only instance i (-1 shows all again).
    void isolateInstance(long i);
    void setInstanceColor(size_t i, nr::palette::Rgb c);
    // A note after each instance's label in the instance list and the figure key (an evaluation's verdict,
    // e.g. "= pred 10, clDice 0.78" or "missed"); "" for none. Cleared with the volume.
    void setInstanceNotes(std::vector<std::string> notes);
    const std::vector<std::string>& instanceNotes() const { return instanceNotes_; }
    nr::palette::Rgb instanceColor(size_t i) const;
    vtkActor* instanceActor(size_t i) const;

    // ---- a second label volume beside the first (an evaluation's prediction) ----
    struct Comparison {
        // Drawn beside the shown volume, along +x; once meshed, its instances (labels, sizes) without voxels.
        std::shared_ptr<const nr::LabelVolume> volume;
        std::vector<nr::palette::Rgb> colors; // one per instance of `volume`
        std::vector<std::string> notes;       // one per instance ("" for none)
        std::string leftCaption = "ground truth", rightCaption = "prediction";
        std::string title;               // title of the key, e.g. "fisbe_eval at clDice 0.5"
        std::vector<LegendEntry> legend; // every colour of both sides and what it means
    };
    // Until setComparison: the comparison is being prepared (`what` shows in the overlay; waitForMeshes
    // waits).
    void setComparisonPending(const std::string& what);
    // The comparison could not be made: `why` ("FILE: reason") shows in the overlay instead.
    void setComparisonFailed(const std::string& why);
    const std::string& comparisonProblem() const { return comparisonProblem_; }
    // Shows `c` beside the shown volume (same shape expected) and meshes its instances on a worker thread
    // (comparisonProgress, then comparisonFinished). Cleared with the shown volume or by clearComparison().
    void setComparison(Comparison c, const nr::MeshOptions& opt = {});
    void clearComparison();
    const Comparison* comparison() const { return comparison_ ? &*comparison_ : nullptr; }
    // Draws the comparison beside the shown volume (true) or hides it.
    void setComparisonShown(bool shown);
    bool comparisonShown() const { return comparisonShown_; }
    bool comparisonMeshing() const;
    nr::palette::Rgb comparisonColor(size_t i) const;
    vtkActor* comparisonActor(size_t i) const;
    // The x offset of the comparison's frame (world units).
    double comparisonOffset() const { return comparisonOffset_; }

    // ---- the source image ----
    // Shows the image as three orthogonal slices (nullptr removes them). An image without a voxel size of its
    // own takes the label volume's frame when their shapes agree.
    void setImage(std::shared_ptr<const nr::ImageVolume> image);
    const std::shared_ptr<const nr::ImageVolume>& image() const { return slices_.image(); }
    ImageSlices& imageSlices() { return slices_; }
    // "image shape=ZxYxX[xC]" when an image is shown, else "".
    std::string imageSummary() const;

    // ---- both ----
    Pick pick(QPoint widgetPos);
    // World point -> widget position (logical pixels) under the current camera.
    QPointF projectPoint(double x, double y, double z) const;
    // The line `--screenshot` prints: "neurons=K nodes=N", "volume instances=K shape=ZxYxX", or both
    // separated by a space when both are shown ("" when empty).
    std::string summaryLine() const;
    // What the colours mean: categorical entries (neuron, type) or a colour bar (order, distance).
    const std::vector<LegendEntry>& legend() const { return legend_; }
    const ColorBar& colorBar() const { return colorBar_; }
    // The legend (neurons: categories or colour bar; label volumes: the visible instances) as a figure key.
    std::vector<FigureKey> figureKeys() const override;

    vtkActor* segmentActor() const;
    vtkActor* nodeActor() const;
    vtkPolyData* segmentPolyData() const;
    // World position of node `node` of neuron `neuron` (scaled units).
    bool nodePosition(int neuron, long node, double p[3]) const;

signals:
    void meshingProgress(double fraction);
    void meshingFinished(bool ok);
    void picked(NeuronView::Pick p);
    void comparisonProgress(double fraction);
    void comparisonFinished(bool ok);

protected:
    void drawOverlay() override;
    void mousePressEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;

private:
    void rebuildSkeletons();
    void recolor();
    void clearInstances();
    void setComparisonMeshes(const std::vector<nr::InstanceMesh>& meshes);
    void fitComparison();
    void drawComparisonOverlay(const ImVec2& display, bool belowNeuronKey);
    Pick pickNeuron(const double o[3], const double dir[3], double tolPerUnit, double& t) const;

    std::shared_ptr<const nr::MorphologySet> set_;
    std::shared_ptr<const nr::LabelVolume> volume_;
    ColorBy colorBy_ = ColorBy::Neuron;
    float radiusScale_ = 1.0f;
    // per node of all neurons, concatenated
    std::vector<uint32_t> nodeNeuron_;
    std::vector<uint32_t> nodeOffset_; // first node of each neuron
    std::vector<int> order_;
    std::vector<double> pathDist_;
    std::vector<uint32_t> segNode_; // node (child) of each segment
    vtkNew<vtkPolyData> segPoly_, nodePoly_;
    // One-pixel lines along every segment under the cylinders: branches thinner than a pixel stay
    // continuous instead of breaking into the dots of their joints.
    vtkNew<vtkPolyData> linePoly_;
    vtkNew<vtkActor> lineActor_;
    vtkSmartPointer<vtkOpenGLStickMapper> segMapper_;
    vtkNew<vtkOpenGLSphereMapper> nodeMapper_;
    vtkNew<vtkActor> segActor_, nodeActor_;
    ImageSlices slices_;
    std::vector<vtkSmartPointer<vtkActor>> instanceActors_;
    std::vector<nr::palette::Rgb> instanceColors_;
    nr::LabelMeshJob job_;
    double meshFraction_ = 0;
    bool cameraFitted_ = false;
    std::vector<LegendEntry> legend_;
    ColorBar colorBar_;
    std::vector<std::string> instanceNotes_;
    QPoint pressPos_;
    Pick lastPick_;
    std::optional<Comparison> comparison_;
    std::string comparisonPending_, comparisonProblem_;
    std::vector<vtkSmartPointer<vtkActor>> comparisonActors_;
    nr::LabelMeshJob comparisonJob_;
    double comparisonFraction_ = 0, comparisonOffset_ = 0;
    bool comparisonShown_ = true;
};
