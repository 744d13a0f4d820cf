#include "vtk/NeuronView.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QMouseEvent>
#include <algorithm>
#include <cmath>
#include <imgui.h>
#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkCellPicker.h>
#include <vtkFloatArray.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkMath.h>
#include <vtkOpenGLSphereMapper.h>
#include <vtkOpenGLStickMapper.h>
#include <vtkOpenGLVertexBufferObject.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkTypeInt32Array.h>
#include <vtkUnsignedCharArray.h>

using nr::palette::Rgb;

namespace {

// The stick mapper draws points without cells; its bounds are the cylinders' ends grown by their radius.
class NeuronStickMapper : public vtkOpenGLStickMapper {
public:
    static NeuronStickMapper* New() {
        auto* m = new NeuronStickMapper;
        m->InitializeObjectBase();
        return m;
    }

protected:
    void ComputeBounds() override {
        vtkPolyData* in = this->GetInput();
        vtkMath::UninitializeBounds(this->Bounds);
        auto* s = in ? vtkFloatArray::SafeDownCast(in->GetPointData()->GetArray("scale")) : nullptr;
        auto* o = in ? vtkFloatArray::SafeDownCast(in->GetPointData()->GetArray("orient")) : nullptr;
        if (!in || !in->GetPoints() || in->GetNumberOfPoints() == 0 || !s || !o) return;
        double b[6] = {INFINITY, -INFINITY, INFINITY, -INFINITY, INFINITY, -INFINITY};
        const float* c = static_cast<const float*>(in->GetPoints()->GetVoidPointer(0));
        const float* sp = s->GetPointer(0);
        const float* op = o->GetPointer(0);
        for (vtkIdType i = 0, n = in->GetNumberOfPoints(); i < n; ++i) {
            const float h = 0.5f * sp[3 * i], r = sp[3 * i + 1];
            for (int a = 0; a < 3; ++a) {
                const float e = std::fabs(op[3 * i + a] * h) + r;
                b[2 * a] = std::min(b[2 * a], double(c[3 * i + a] - e));
                b[2 * a + 1] = std::max(b[2 * a + 1], double(c[3 * i + a] + e));
            }
        }
        std::copy(b, b + 6, this->Bounds);
    }
};

// Colours of the SWC compartment types.
Rgb typeColor(int t) {
    switch (t) {
    case nr::SwcSoma:
        return {40, 40, 40};
    case nr::SwcAxon:
        return {0, 114, 178};
    case nr::SwcBasal:
        return {213, 94, 0};
    case nr::SwcApical:
        return {204, 121, 167};
    case nr::SwcUndefined:
        return nr::palette::kUnknown;
    default:
        return {0, 158, 115};
    }
}
const char* typeName(int t) {
    switch (t) {
    case nr::SwcSoma:
        return "soma";
    case nr::SwcAxon:
        return "axon";
    case nr::SwcBasal:
        return "basal dendrite";
    case nr::SwcApical:
        return "apical dendrite";
    case nr::SwcUndefined:
        return "undefined";
    default:
        return "custom";
    }
}

using nr::palette::viridis; // the shared map, t in 0..1

} // namespace

NeuronView::NeuronView(QWidget* parent)
    : VtkView(parent), segMapper_(vtkSmartPointer<NeuronStickMapper>::New()), slices_(renderer()) {
    segMapper_->SetInputData(segPoly_);
    segMapper_->SetScaleArray("scale");
    segMapper_->SetOrientationArray("orient");
    segMapper_->SetColorModeToDirectScalars();
    segMapper_->SetScalarModeToUsePointData();
    segMapper_->ScalarVisibilityOn();
    segMapper_->SetVBOShiftScaleMethod(vtkOpenGLVertexBufferObject::DISABLE_SHIFT_SCALE);
    segActor_->SetMapper(segMapper_);
    nodeMapper_->SetInputData(nodePoly_);
    nodeMapper_->SetScaleArray("radius");
    nodeMapper_->SetColorModeToDirectScalars();
    nodeMapper_->SetScalarModeToUsePointData();
    nodeMapper_->ScalarVisibilityOn();
    nodeMapper_->SetVBOShiftScaleMethod(vtkOpenGLVertexBufferObject::DISABLE_SHIFT_SCALE);
    nodeActor_->SetMapper(nodeMapper_);
    for (vtkActor* a : {segActor_.GetPointer(), nodeActor_.GetPointer()}) {
        a->GetProperty()->SetAmbient(0.2);
        a->GetProperty()->SetDiffuse(0.8);
        a->GetProperty()->SetSpecular(0.3);
        a->GetProperty()->SetSpecularPower(25);
        a->PickableOff(); // neurons are picked by a ray test, not by the cell picker
    }
    vtkNew<vtkPolyDataMapper> lineMapper;
    lineMapper->SetInputData(linePoly_);
    lineMapper->SetColorModeToDirectScalars();
    lineMapper->SetScalarModeToUsePointData();
    lineMapper->ScalarVisibilityOn();
    lineActor_->SetMapper(lineMapper);
    lineActor_->GetProperty()->SetLighting(false);
    lineActor_->GetProperty()->SetLineWidth(1.0f);
    lineActor_->PickableOff();
    renderer()->AddActor(lineActor_);
    renderer()->AddActor(segActor_);
    renderer()->AddActor(nodeActor_);
    connect(&job_, &nr::LabelMeshJob::progress, this, [this](double f) {
        meshFraction_ = f;
        emit meshingProgress(f);
        requestRender();
    });
    connect(&job_, &nr::LabelMeshJob::finished, this, [this](bool ok) {
        if (ok && job_.volume() == volume_) setInstanceMeshes(job_.meshes());
        emit meshingFinished(ok);
    });
    connect(&comparisonJob_, &nr::LabelMeshJob::progress, this, [this](double f) {
        comparisonFraction_ = f;
        emit comparisonProgress(f);
        requestRender();
    });
    connect(&comparisonJob_, &nr::LabelMeshJob::finished, this, [this](bool ok) {
        if (ok && comparison_ && comparisonJob_.volume() == comparison_->volume) {
            setComparisonMeshes(comparisonJob_.meshes());
            comparisonJob_.release();
        }
        emit comparisonFinished(ok);
    });
}

NeuronView::~NeuronView() {
    job_.cancel();
    comparisonJob_.cancel();
}

vtkActor* NeuronView::segmentActor() const {
    return segActor_;
}
vtkActor* NeuronView::nodeActor() const {
    return nodeActor_;
}
vtkPolyData* NeuronView::segmentPolyData() const {
    return segPoly_;
}

size_t NeuronView::neuronCount() const {
    return set_ ? set_->neurons.size() : 0;
}
size_t NeuronView::nodeCount() const {
    return set_ ? set_->totalNodes() : 0;
}

bool NeuronView::showDataset(const nr::Dataset& d) {
    try {
        if (d.kind == nr::LayerKind::Morphologies) {
            setMorphologies(std::any_cast<std::shared_ptr<const nr::MorphologySet>>(d.payload));
            return true;
        }
        if (d.kind == nr::LayerKind::LabelVolume) {
            setLabelVolume(std::any_cast<std::shared_ptr<const nr::LabelVolume>>(d.payload), true);
            return true;
        }
        if (d.kind == nr::LayerKind::Image) {
            setImage(std::any_cast<std::shared_ptr<const nr::ImageVolume>>(d.payload));
            return true;
        }
    } catch (const std::bad_any_cast&) {
    }
    return false;
}

// ---- the source image ------------------------------------------------------------------------------------

void NeuronView::setImage(std::shared_ptr<const nr::ImageVolume> image) {
    // Without a voxel size of its own, an image of the label volume's shape is put in the labels' frame.
    const bool sameShape =
        image && volume_ && image->nz == volume_->nz && image->ny == volume_->ny && image->nx == volume_->nx;
    slices_.setImage(std::move(image), sameShape ? volume_->voxelSize : nullptr,
                     sameShape ? volume_->origin : nullptr);
    if (slices_.image() && !cameraFitted_) {
        resetCamera();
        cameraFitted_ = true;
    }
    requestRender();
}

std::string NeuronView::imageSummary() const {
    return slices_.image() ? "image shape=" + slices_.image()->shapeString() : std::string();
}

// ---- skeletons -------------------------------------------------------------------------------------------

void NeuronView::setMorphologies(std::shared_ptr<const nr::MorphologySet> set) {
    set_ = std::move(set);
    rebuildSkeletons();
    cameraFitted_ = false;
    if (set_ && !set_->neurons.empty()) {
        resetCamera();
        cameraFitted_ = true;
    }
    requestRender();
}

bool NeuronView::nodePosition(int neuron, long node, double p[3]) const {
    if (!set_ || neuron < 0 || size_t(neuron) >= set_->neurons.size()) return false;
    const nr::Morphology& m = set_->neurons[size_t(neuron)];
    if (node < 0 || size_t(node) >= m.size()) return false;
    p[0] = m.x[size_t(node)] * m.unitScale;
    p[1] = m.y[size_t(node)] * m.unitScale;
    p[2] = m.z[size_t(node)] * m.unitScale;
    return true;
}

void NeuronView::rebuildSkeletons() {
    nodeNeuron_.clear();
    nodeOffset_.clear();
    order_.clear();
    pathDist_.clear();
    segNode_.clear();
    const size_t n = nodeCount();
    vtkNew<vtkPoints> np;
    np->SetDataTypeToFloat();
    np->SetNumberOfPoints(vtkIdType(n));
    vtkNew<vtkFloatArray> radius;
    radius->SetName("radius");
    radius->SetNumberOfTuples(vtkIdType(n));
    vtkNew<vtkCellArray> verts;
    verts->Use32BitStorage();
    verts->GetOffsetsArray32()->SetNumberOfValues(vtkIdType(n + 1));
    verts->GetConnectivityArray32()->SetNumberOfValues(vtkIdType(n));
    float* p = n ? static_cast<float*>(np->GetVoidPointer(0)) : nullptr;
    int32_t* vo = verts->GetOffsetsArray32()->GetPointer(0);
    int32_t* vc = n ? verts->GetConnectivityArray32()->GetPointer(0) : nullptr;
    vo[0] = 0;
    size_t segs = 0;
    if (set_)
        for (const auto& m : set_->neurons)
            for (int32_t par : m.parent) segs += par >= 0;
    vtkNew<vtkPoints> sp;
    sp->SetDataTypeToFloat();
    sp->SetNumberOfPoints(vtkIdType(segs));
    vtkNew<vtkFloatArray> orient, scale;
    orient->SetName("orient");
    orient->SetNumberOfComponents(3);
    orient->SetNumberOfTuples(vtkIdType(segs));
    scale->SetName("scale");
    scale->SetNumberOfComponents(3);
    scale->SetNumberOfTuples(vtkIdType(segs));
    float* c = segs ? static_cast<float*>(sp->GetVoidPointer(0)) : nullptr;
    float* o = segs ? orient->GetPointer(0) : nullptr;
    float* s = segs ? scale->GetPointer(0) : nullptr;
    vtkNew<vtkCellArray> lines;
    lines->Use32BitStorage();
    lines->GetOffsetsArray32()->SetNumberOfValues(vtkIdType(segs + 1));
    lines->GetConnectivityArray32()->SetNumberOfValues(vtkIdType(2 * segs));
    int32_t* lo = lines->GetOffsetsArray32()->GetPointer(0);
    int32_t* lc = segs ? lines->GetConnectivityArray32()->GetPointer(0) : nullptr;
    lo[0] = 0;
    size_t k = 0, seg = 0;
    if (set_)
        for (size_t ni = 0; ni < set_->neurons.size(); ++ni) {
            const nr::Morphology& m = set_->neurons[ni];
            const double us = m.unitScale;
            nodeOffset_.push_back(uint32_t(k));
            const nr::MorphTree t = nr::buildTree(m);
            const auto ord = nr::branchOrders(m, t);
            const auto pd = nr::pathDistances(m, t, 1.0);
            order_.insert(order_.end(), ord.begin(), ord.end());
            pathDist_.insert(pathDist_.end(), pd.begin(), pd.end());
            for (size_t i = 0; i < m.size(); ++i, ++k) {
                p[3 * k] = float(m.x[i] * us), p[3 * k + 1] = float(m.y[i] * us),
                      p[3 * k + 2] = float(m.z[i] * us);
                // joints at the segment radius; the soma at its own
                radius->SetValue(vtkIdType(k), float(m.radius[i] * us) * radiusScale_);
                vc[k] = int32_t(k);
                vo[k + 1] = int32_t(k + 1);
                nodeNeuron_.push_back(uint32_t(ni));
                const int32_t par = m.parent[i];
                if (par < 0) continue;
                const double a[3] = {m.x[size_t(par)] * us, m.y[size_t(par)] * us, m.z[size_t(par)] * us};
                const double b[3] = {m.x[i] * us, m.y[i] * us, m.z[i] * us};
                const double d[3] = {b[0] - a[0], b[1] - a[1], b[2] - a[2]};
                const double len = std::sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
                for (int q = 0; q < 3; ++q) {
                    c[3 * seg + size_t(q)] = float(0.5 * (a[q] + b[q]));
                    o[3 * seg + size_t(q)] = len > 0 ? float(d[q] / len) : (q == 0 ? 1.f : 0.f);
                }
                const float r = float(m.radius[i] * us) * radiusScale_;
                s[3 * seg] = float(len), s[3 * seg + 1] = r, s[3 * seg + 2] = r;
                segNode_.push_back(uint32_t(k));
                lo[seg + 1] = int32_t(2 * (seg + 1));
                lc[2 * seg] = int32_t(nodeOffset_.back() + uint32_t(par));
                lc[2 * seg + 1] = int32_t(k);
                ++seg;
            }
        }
    nodePoly_->Initialize();
    nodePoly_->SetPoints(np);
    nodePoly_->SetVerts(verts);
    nodePoly_->GetPointData()->AddArray(radius);
    segPoly_->Initialize();
    segPoly_->SetPoints(sp);
    segPoly_->GetPointData()->AddArray(orient);
    segPoly_->GetPointData()->AddArray(scale);
    linePoly_->Initialize();
    linePoly_->SetPoints(np);
    linePoly_->SetLines(lines);
    segActor_->SetVisibility(segs > 0);
    lineActor_->SetVisibility(segs > 0);
    nodeActor_->SetVisibility(n > 0);
    recolor();
}

void NeuronView::setColorBy(ColorBy c) {
    colorBy_ = c;
    recolor();
    requestRender();
}

void NeuronView::setRadiusScale(float s) {
    radiusScale_ = std::max(0.01f, s);
    rebuildSkeletons();
    requestRender();
}

void NeuronView::recolor() {
    legend_.clear();
    colorBar_ = ColorBar{};
    const size_t n = nodeNeuron_.size();
    std::vector<Rgb> col(n);
    switch (colorBy_) {
    case ColorBy::Neuron: {
        std::vector<size_t> counts(set_ ? set_->neurons.size() : 0, 0);
        for (size_t i = 0; i < n; ++i) {
            col[i] = nr::palette::kCategorical[nodeNeuron_[i] % 12];
            ++counts[nodeNeuron_[i]];
        }
        for (size_t k = 0; k < counts.size(); ++k)
            legend_.push_back({set_->neurons[k].name, nr::palette::kCategorical[k % 12], counts[k]});
        break;
    }
    case ColorBy::Type: {
        std::vector<std::pair<int, size_t>> counts; // type bucket (0..5), count
        size_t bucket[6] = {0, 0, 0, 0, 0, 0};
        for (size_t i = 0; i < n; ++i) {
            const int t = set_->neurons[nodeNeuron_[i]].type[i - nodeOffset_[nodeNeuron_[i]]];
            col[i] = typeColor(t);
            ++bucket[t >= 0 && t <= 4 ? t : 5];
        }
        const int shown[6] = {1, 2, 3, 4, 5, 0};
        for (int b : shown)
            if (bucket[b])
                legend_.push_back({typeName(b == 5 ? 7 : b), typeColor(b == 5 ? 7 : b), bucket[b]});
        break;
    }
    case ColorBy::BranchOrder: {
        int hi = 0;
        for (int v : order_) hi = std::max(hi, v);
        for (size_t i = 0; i < n; ++i) col[i] = viridis(hi ? double(order_[i]) / hi : 0.0);
        colorBar_ = {true, "branch order", 0, double(hi)};
        break;
    }
    case ColorBy::PathDistance: {
        // distances in scaled units, from each neuron's root
        double hi = 0;
        std::vector<double> d(n);
        for (size_t i = 0; i < n; ++i) {
            d[i] = pathDist_[i] * set_->neurons[nodeNeuron_[i]].unitScale;
            hi = std::max(hi, d[i]);
        }
        for (size_t i = 0; i < n; ++i) col[i] = viridis(hi > 0 ? d[i] / hi : 0.0);
        colorBar_ = {true, "path distance from the root (µm)", 0, hi}; // SWC coordinates are µm
        break;
    }
    }
    vtkNew<vtkUnsignedCharArray> nc, sc;
    nc->SetName("color");
    nc->SetNumberOfComponents(3);
    nc->SetNumberOfTuples(vtkIdType(n));
    for (size_t i = 0; i < n; ++i) nc->SetTypedTuple(vtkIdType(i), &col[i].r);
    sc->SetName("color");
    sc->SetNumberOfComponents(3);
    sc->SetNumberOfTuples(vtkIdType(segNode_.size()));
    for (size_t k = 0; k < segNode_.size(); ++k) sc->SetTypedTuple(vtkIdType(k), &col[segNode_[k]].r);
    nodePoly_->GetPointData()->SetScalars(nc);
    segPoly_->GetPointData()->SetScalars(sc);
    linePoly_->GetPointData()->SetScalars(nc);
    nodePoly_->Modified();
    segPoly_->Modified();
    linePoly_->Modified();
}

// ---- label volumes ---------------------------------------------------------------------------------------

void NeuronView::clearInstances() {
    for (auto& a : instanceActors_)
        if (a) renderer()->RemoveActor(a);
    instanceActors_.clear();
    instanceColors_.clear();
    instanceNotes_.clear();
}

void NeuronView::setInstanceNotes(std::vector<std::string> notes) {
    instanceNotes_ = std::move(notes);
    requestRender();
}

void NeuronView::setLabelVolume(std::shared_ptr<const nr::LabelVolume> volume, bool meshNow,
                                const nr::MeshOptions& opt) {
    job_.cancel();
    if (volume != volume_) clearComparison(); // a comparison belongs to the volume it was made for
    clearInstances();
    volume_ = std::move(volume);
    meshFraction_ = 0;
    if (volume_) {
        instanceColors_.resize(volume_->instances.size());
        for (size_t i = 0; i < instanceColors_.size(); ++i)
            instanceColors_[i] = nr::palette::kCategorical[i % 12];
        instanceActors_.resize(volume_->instances.size());
        if (meshNow) job_.start(volume_, opt);
    }
    // An image shown before its labels arrived takes their frame now.
    if (slices_.image() && !slices_.image()->voxelSizeKnown) setImage(slices_.image());
    requestRender();
}

bool NeuronView::meshing() const {
    return job_.running();
}
void NeuronView::cancelMeshing() {
    job_.cancel();
}

bool NeuronView::waitForMeshes(int timeoutMs) {
    QElapsedTimer t;
    t.start();
    // A comparison can be asked for when the volume's meshes arrive (a session's evaluation): wait for it
    // too.
    auto busy = [this] { return job_.running() || !comparisonPending_.empty() || comparisonJob_.running(); };
    do {
        while (busy() && t.elapsed() < timeoutMs) QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
        // the finished signals are queued: let them arrive
        QCoreApplication::processEvents();
    } while (busy() && t.elapsed() < timeoutMs);
    return !job_.running() && volume_ &&
           std::any_of(instanceActors_.begin(), instanceActors_.end(), [](auto& a) { return bool(a); });
}

void NeuronView::setInstanceMeshes(const std::vector<nr::InstanceMesh>& meshes) {
    if (!volume_) return;
    for (const auto& m : meshes) {
        if (m.instance >= instanceActors_.size() || !m.mesh) continue;
        if (instanceActors_[m.instance]) renderer()->RemoveActor(instanceActors_[m.instance]);
        vtkNew<vtkPolyDataMapper> mapper;
        mapper->SetInputData(m.mesh);
        mapper->ScalarVisibilityOff();
        auto a = vtkSmartPointer<vtkActor>::New();
        a->SetMapper(mapper);
        const Rgb c = instanceColors_[m.instance];
        a->GetProperty()->SetColor(c.r / 255.0, c.g / 255.0, c.b / 255.0);
        a->GetProperty()->SetSpecular(0.2);
        a->GetProperty()->SetSpecularPower(20);
        renderer()->AddActor(a);
        instanceActors_[m.instance] = a;
    }
    if (!cameraFitted_) {
        resetCamera();
        cameraFitted_ = true;
    }
    requestRender();
}

size_t NeuronView::instanceCount() const {
    return volume_ ? volume_->instances.size() : 0;
}

vtkActor* NeuronView::instanceActor(size_t i) const {
    return i < instanceActors_.size() ? instanceActors_[i].Get() : nullptr;
}

void NeuronView::setInstanceVisible(size_t i, bool visible) {
    if (i < instanceActors_.size() && instanceActors_[i]) instanceActors_[i]->SetVisibility(visible);
    requestRender();
}

bool NeuronView::instanceVisible(size_t i) const {
    return i < instanceActors_.size() && instanceActors_[i] && instanceActors_[i]->GetVisibility();
}

void NeuronView::isolateInstance(long i) {
    for (size_t k = 0; k < instanceActors_.size(); ++k)
        if (instanceActors_[k]) instanceActors_[k]->SetVisibility(i < 0 || size_t(i) == k);
    requestRender();
}

void NeuronView::setInstanceColor(size_t i, Rgb c) {
    if (i >= instanceColors_.size()) return;
    instanceColors_[i] = c;
    if (instanceActors_[i])
        instanceActors_[i]->GetProperty()->SetColor(c.r / 255.0, c.g / 255.0, c.b / 255.0);
    requestRender();
}

Rgb NeuronView::instanceColor(size_t i) const {
    return i < instanceColors_.size() ? instanceColors_[i] : nr::palette::kUnknown;
}

// ---- a second label volume beside the first -------------------------------------------------------------

void NeuronView::setComparisonPending(const std::string& what) {
    clearComparison();
    comparisonPending_ = what.empty() ? std::string("preparing the comparison") : what;
    requestRender();
}

void NeuronView::setComparisonFailed(const std::string& why) {
    clearComparison();
    comparisonProblem_ = why;
    requestRender();
}

void NeuronView::clearComparison() {
    comparisonJob_.cancel();
    for (auto& a : comparisonActors_)
        if (a) renderer()->RemoveActor(a);
    comparisonActors_.clear();
    comparison_.reset();
    if (lastPick_.kind == Pick::Beside) lastPick_ = Pick{};
    comparisonPending_.clear();
    comparisonProblem_.clear();
    comparisonFraction_ = 0;
    requestRender();
}

void NeuronView::setComparison(Comparison c, const nr::MeshOptions& opt) {
    clearComparison();
    if (!volume_ || !c.volume) return;
    c.colors.resize(c.volume->instances.size(), nr::palette::kUnknown);
    c.notes.resize(c.volume->instances.size());
    comparison_ = std::move(c);
    comparisonActors_.resize(comparison_->volume->instances.size());
    // Meshed in voxel index space and placed in the shown volume's frame by the actors' scale and position,
    // so a prediction without a voxel size of its own lines up with its ground truth.
    const double width = double(volume_->nx) * volume_->voxelSize[2];
    comparisonOffset_ = width + 0.12 * width;
    nr::MeshOptions o = opt;
    o.physicalUnits = false;
    comparisonJob_.start(comparison_->volume, o);
    requestRender();
}

void NeuronView::setComparisonMeshes(const std::vector<nr::InstanceMesh>& meshes) {
    if (!comparison_ || !volume_) return;
    for (const auto& m : meshes) {
        if (m.instance >= comparisonActors_.size() || !m.mesh) continue;
        vtkNew<vtkPolyDataMapper> mapper;
        mapper->SetInputData(m.mesh);
        mapper->ScalarVisibilityOff();
        auto a = vtkSmartPointer<vtkActor>::New();
        a->SetMapper(mapper);
        const Rgb c = comparison_->colors[m.instance];
        a->GetProperty()->SetColor(c.r / 255.0, c.g / 255.0, c.b / 255.0);
        a->GetProperty()->SetSpecular(0.2);
        a->GetProperty()->SetSpecularPower(20);
        a->SetScale(volume_->voxelSize[2], volume_->voxelSize[1], volume_->voxelSize[0]);
        a->SetPosition(volume_->origin[2] + comparisonOffset_, volume_->origin[1], volume_->origin[0]);
        a->SetVisibility(comparisonShown_);
        renderer()->AddActor(a);
        comparisonActors_[m.instance] = a;
    }
    // Once meshed, the comparison keeps its instances (labels, sizes) but not its voxels: a prediction's
    // label map can be as large as the ground truth's.
    auto kept = std::make_shared<nr::LabelVolume>();
    const nr::LabelVolume& full = *comparison_->volume;
    kept->file = full.file, kept->array = full.array, kept->axes = full.axes,
    kept->fileShape = full.fileShape;
    kept->nz = full.nz, kept->ny = full.ny, kept->nx = full.nx;
    std::copy(full.voxelSize, full.voxelSize + 3, kept->voxelSize);
    std::copy(full.origin, full.origin + 3, kept->origin);
    kept->unit = full.unit, kept->perChannel = full.perChannel, kept->bytesPerVoxel = full.bytesPerVoxel;
    kept->instances = full.instances, kept->foregroundVoxels = full.foregroundVoxels;
    kept->overlapVoxels = full.overlapVoxels, kept->warnings = full.warnings;
    comparison_->volume = std::move(kept);
    fitComparison();
}

// Frames both volumes (or the shown one alone): the pair's boxes fill the view between the captions above
// and the key at the bottom left, which covers none of them.
void NeuronView::fitComparison() {
    resetCamera();
    cameraFitted_ = true;
    const QSize sz = size();
    if (!comparison_ || !comparisonShown_ || !volume_ || sz.width() < 50 || sz.height() < 50) {
        requestRender();
        return;
    }
    vtkRenderer* ren = renderer();
    ren->ResetCameraClippingRange();
    const double x0 = volume_->origin[2], y0 = volume_->origin[1], z0 = volume_->origin[0];
    const double dx = comparisonOffset_ + double(volume_->nx) * volume_->voxelSize[2],
                 dy = double(volume_->ny) * volume_->voxelSize[1],
                 dz = double(volume_->nz) * volume_->voxelSize[0];
    double lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
    for (int k = 0; k < 8; ++k) {
        const QPointF q = projectPoint(x0 + (k & 1 ? dx : 0), y0 + (k & 2 ? dy : 0), z0 + (k & 4 ? dz : 0));
        lo[0] = std::min(lo[0], q.x()), hi[0] = std::max(hi[0], q.x());
        lo[1] = std::min(lo[1], q.y()), hi[1] = std::max(hi[1], q.y());
    }
    // Room: a line of caption (and the stats window) above, the key's rows below.
    const double line = 20;
    const double top = 3.2 * line,
                 bottom = line * double(std::min<size_t>(comparison_->legend.size(), 16) + 3);
    const double availW = sz.width() - 24.0, availH = sz.height() - top - bottom;
    const double bw = hi[0] - lo[0], bh = hi[1] - lo[1];
    if (!(bw > 1 && bh > 1) || availH < 40) {
        requestRender();
        return;
    }
    const double zoom = std::clamp(std::min(availW / bw, availH / bh), 0.3, 4.0);
    vtkCamera* cam = ren->GetActiveCamera();
    cam->Zoom(zoom);
    // Move the boxes' centre to the middle of the room: pan by the pixel offset at the focal plane.
    const double cx = 0.5 * (lo[0] + hi[0]), cy = 0.5 * (lo[1] + hi[1]);
    const double wc = 0.5 * sz.width(), hc = 0.5 * sz.height();
    const double tx = wc + (cx - wc) * zoom, ty = hc + (cy - hc) * zoom; // where the centre lands
    const double wantX = 0.5 * sz.width(), wantY = top + 0.5 * availH;
    double f[3], p[3];
    cam->GetFocalPoint(f);
    cam->GetPosition(p);
    ren->SetWorldPoint(f[0], f[1], f[2], 1.0);
    ren->WorldToDisplay();
    double d[3];
    ren->GetDisplayPoint(d);
    const double dpr = pixelRatio();
    // display y runs upwards; widget y downwards
    ren->SetDisplayPoint(d[0] + (tx - wantX) * dpr, d[1] - (ty - wantY) * dpr, d[2]);
    ren->DisplayToWorld();
    double w[4];
    ren->GetWorldPoint(w);
    if (w[3] != 0) {
        for (int i = 0; i < 3; ++i) w[i] /= w[3];
        cam->SetFocalPoint(w[0], w[1], w[2]);
        cam->SetPosition(p[0] + w[0] - f[0], p[1] + w[1] - f[1], p[2] + w[2] - f[2]);
    }
    ren->ResetCameraClippingRange();
    requestRender();
}

void NeuronView::setComparisonShown(bool shown) {
    comparisonShown_ = shown;
    for (auto& a : comparisonActors_)
        if (a) a->SetVisibility(shown);
    if (comparison_) fitComparison();
    requestRender();
}

bool NeuronView::comparisonMeshing() const {
    return comparisonJob_.running();
}

Rgb NeuronView::comparisonColor(size_t i) const {
    return comparison_ && i < comparison_->colors.size() ? comparison_->colors[i] : nr::palette::kUnknown;
}

vtkActor* NeuronView::comparisonActor(size_t i) const {
    return i < comparisonActors_.size() ? comparisonActors_[i].Get() : nullptr;
}

// ---- picking ---------------------------------------------------------------------------------------------

QPointF NeuronView::projectPoint(double x, double y, double z) const {
    vtkRenderer* ren = renderer();
    ren->SetWorldPoint(x, y, z, 1.0);
    ren->WorldToDisplay();
    double d[3];
    ren->GetDisplayPoint(d);
    const double dpr = pixelRatio();
    const int h = renderWindow()->GetSize()[1];
    return QPointF(d[0] / dpr, (h - 1 - d[1]) / dpr);
}

NeuronView::Pick NeuronView::pickNeuron(const double o[3], const double dir[3], double tolPerUnit,
                                        double& bestT) const {
    Pick best;
    bestT = INFINITY;
    if (!set_) return best;
    for (size_t ni = 0; ni < set_->neurons.size(); ++ni) {
        const nr::Morphology& m = set_->neurons[ni];
        const double us = m.unitScale;
        for (size_t i = 0; i < m.size(); ++i) {
            const double b[3] = {m.x[i] * us, m.y[i] * us, m.z[i] * us};
            const int32_t par = m.parent[i];
            const double a[3] = {par >= 0 ? m.x[size_t(par)] * us : b[0],
                                 par >= 0 ? m.y[size_t(par)] * us : b[1],
                                 par >= 0 ? m.z[size_t(par)] * us : b[2]};
            // closest points between the ray o + t dir and the segment a + s (b - a), s in [0, 1]
            const double u[3] = {b[0] - a[0], b[1] - a[1], b[2] - a[2]};
            const double w[3] = {o[0] - a[0], o[1] - a[1], o[2] - a[2]};
            const double A = vtkMath::Dot(dir, dir), B = vtkMath::Dot(dir, u), C = vtkMath::Dot(u, u);
            const double D = vtkMath::Dot(dir, w), E = vtkMath::Dot(u, w);
            const double den = A * C - B * B;
            double s = den > 1e-12 ? (A * E - B * D) / den : 0.0;
            s = std::min(1.0, std::max(0.0, s));
            const double q[3] = {a[0] + s * u[0], a[1] + s * u[1], a[2] + s * u[2]};
            const double t = vtkMath::Dot(dir, q) - vtkMath::Dot(dir, o);
            if (t <= 0) continue;
            const double pq[3] = {o[0] + t * dir[0] - q[0], o[1] + t * dir[1] - q[1],
                                  o[2] + t * dir[2] - q[2]};
            const double dist = std::sqrt(vtkMath::Dot(pq, pq));
            const double r = m.radius[i] * us * radiusScale_;
            if (dist <= r + tolPerUnit * t && t < bestT) {
                bestT = t;
                best.kind = Pick::Neuron;
                best.neuron = int(ni);
                best.node = long(s < 0.5 && par >= 0 ? par : long(i));
            }
        }
    }
    return best;
}

NeuronView::Pick NeuronView::pick(QPoint widgetPos) {
    Pick result;
    if (!rect().contains(widgetPos)) return result;
    int px = 0, py = 0;
    toDisplay(widgetPos, px, py);
    vtkRenderer* ren = renderer();
    vtkCamera* cam = ren->GetActiveCamera();
    double p0[4], p1[4];
    ren->SetDisplayPoint(px, py, 0.0);
    ren->DisplayToWorld();
    ren->GetWorldPoint(p0);
    ren->SetDisplayPoint(px, py, 1.0);
    ren->DisplayToWorld();
    ren->GetWorldPoint(p1);
    if (p0[3] == 0 || p1[3] == 0) return result;
    for (int i = 0; i < 3; ++i) p0[i] /= p0[3], p1[i] /= p1[3];
    double o[3], dir[3];
    if (cam->GetParallelProjection())
        std::copy(p0, p0 + 3, o);
    else
        cam->GetPosition(o);
    for (int i = 0; i < 3; ++i) dir[i] = p1[i] - o[i];
    const double dl = std::sqrt(vtkMath::Dot(dir, dir));
    if (!(dl > 0)) return result;
    for (double& v : dir) v /= dl;
    const int hpx = std::max(1, renderWindow()->GetSize()[1]);
    const double tol =
        3.0 * pixelRatio() *
        (cam->GetParallelProjection() ? 2.0 * cam->GetParallelScale() / hpx
                                      : 2.0 * std::tan(cam->GetViewAngle() * M_PI / 360.0) / hpx);
    double tNeuron = INFINITY;
    result = pickNeuron(o, dir, tol, tNeuron);
    // instances: the cell picker on the surfaces only
    bool anyInstance = false;
    for (auto& a : instanceActors_) anyInstance = anyInstance || (a && a->GetVisibility());
    for (auto& a : comparisonActors_) anyInstance = anyInstance || (a && a->GetVisibility());
    if (anyInstance) {
        vtkNew<vtkCellPicker> cp;
        cp->SetTolerance(0.0005);
        cp->PickFromListOn();
        for (auto& a : instanceActors_)
            if (a && a->GetVisibility()) cp->AddPickList(a);
        for (auto& a : comparisonActors_)
            if (a && a->GetVisibility()) cp->AddPickList(a);
        if (cp->Pick(px, py, 0, ren) && cp->GetActor()) {
            double w[3];
            cp->GetPickPosition(w);
            const double t = (w[0] - o[0]) * dir[0] + (w[1] - o[1]) * dir[1] + (w[2] - o[2]) * dir[2];
            if (t < tNeuron)
                for (size_t k = 0; k < instanceActors_.size(); ++k)
                    if (instanceActors_[k].Get() == cp->GetActor()) {
                        result = Pick{};
                        result.kind = Pick::Instance;
                        result.instance = long(k);
                    }
            if (t < tNeuron)
                for (size_t k = 0; k < comparisonActors_.size(); ++k)
                    if (comparisonActors_[k].Get() == cp->GetActor()) {
                        result = Pick{};
                        result.kind = Pick::Beside;
                        result.instance = long(k);
                    }
        }
    }
    lastPick_ = result;
    return result;
}

void NeuronView::mousePressEvent(QMouseEvent* e) {
    pressPos_ = e->position().toPoint();
    VtkView::mousePressEvent(e);
}

void NeuronView::mouseReleaseEvent(QMouseEvent* e) {
    VtkView::mouseReleaseEvent(e);
    if (e->button() == Qt::LeftButton && (e->position().toPoint() - pressPos_).manhattanLength() < 4) {
        const Pick p = pick(e->position().toPoint());
        emit picked(p);
        requestRender();
    }
}

std::string NeuronView::summaryLine() const {
    std::string s;
    if (set_ && !set_->neurons.empty())
        s = "neurons=" + std::to_string(neuronCount()) + " nodes=" + std::to_string(nodeCount());
    if (volume_)
        s += (s.empty() ? "" : " ") + std::string("volume instances=") +
             std::to_string(volume_->instances.size()) + " shape=" + volume_->shapeString();
    if (volume_ && comparison_) {
        size_t meshed = 0;
        for (const auto& a : comparisonActors_) meshed += a ? 1 : 0;
        s += " beside instances=" + std::to_string(meshed);
    }
    return s;
}

// ---- overlay ---------------------------------------------------------------------------------------------

void NeuronView::drawOverlay() {
    const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize |
                                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoFocusOnAppearing |
                                   ImGuiWindowFlags_NoNav | ImGuiWindowFlags_NoMove;
    ImGui::SetNextWindowPos(ImVec2(8, 8), ImGuiCond_Always);
    ImGui::SetNextWindowBgAlpha(0.55f);
    if (ImGui::Begin("##neurons-stats", nullptr, flags)) {
        if (set_ && !set_->neurons.empty()) ImGui::Text("%zu neurons, %zu nodes", neuronCount(), nodeCount());
        if (volume_) {
            ImGui::Text("%zu instances, %s voxels", volume_->instances.size(),
                        volume_->shapeString().c_str());
            if (job_.running()) ImGui::Text("meshing %.0f %%", 100 * meshFraction_);
        }
        if (!comparisonPending_.empty()) ImGui::TextUnformatted(comparisonPending_.c_str());
        if (!comparisonProblem_.empty()) {
            ImGui::PushTextWrapPos(ImGui::GetFontSize() * 30);
            ImGui::TextColored(ImVec4(1.f, 0.45f, 0.4f, 1.f), "%s", comparisonProblem_.c_str());
            ImGui::PopTextWrapPos();
        }
        if (comparison_ && comparisonJob_.running())
            ImGui::Text("meshing the %s %.0f %%", comparison_->rightCaption.c_str(),
                        100 * comparisonFraction_);
        if (lastPick_.kind == Pick::Neuron && set_) {
            ImGui::Separator();
            const nr::Morphology& m = set_->neurons[size_t(lastPick_.neuron)];
            ImGui::Text("%s, node %lld (type %d)", m.name.c_str(), (long long)m.ids[size_t(lastPick_.node)],
                        m.type[size_t(lastPick_.node)]);
        } else if (lastPick_.kind == Pick::Instance && volume_) {
            ImGui::Separator();
            const auto& in = volume_->instances[size_t(lastPick_.instance)];
            const size_t i = size_t(lastPick_.instance);
            const char* note = i < instanceNotes_.size() ? instanceNotes_[i].c_str() : "";
            ImGui::Text("instance %llu: %llu voxels%s%s", (unsigned long long)in.label,
                        (unsigned long long)in.voxels, *note ? " " : "", note);
        } else if (lastPick_.kind == Pick::Beside && comparison_ &&
                   size_t(lastPick_.instance) < comparison_->volume->instances.size()) {
            ImGui::Separator();
            const size_t i = size_t(lastPick_.instance);
            const auto& in = comparison_->volume->instances[i];
            ImGui::Text("%s %llu: %llu voxels %s", comparison_->rightCaption.c_str(),
                        (unsigned long long)in.label, (unsigned long long)in.voxels,
                        comparison_->notes[i].c_str());
        }
    }
    ImGui::End();
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    // Controls on the right: colouring of the neurons, and the instance list (show, hide, isolate, recolour).
    const bool haveNeurons = set_ && !set_->neurons.empty();
    const bool haveInstances = !instanceActors_.empty();
    const bool haveImage = slices_.image() != nullptr;
    if (haveNeurons || haveInstances || haveImage) {
        ImGui::SetNextWindowPos(ImVec2(display.x - 8, 8), ImGuiCond_Always, ImVec2(1, 0));
        ImGui::SetNextWindowBgAlpha(0.6f);
        if (ImGui::Begin("##neurons-controls", nullptr, flags)) {
            if (haveNeurons) {
                static const char* names[] = {"neuron", "compartment type", "branch order", "path distance"};
                int c = int(colorBy_);
                ImGui::SetNextItemWidth(150);
                if (ImGui::Combo("colour by", &c, names, 4)) setColorBy(ColorBy(c));
            }
            if (haveInstances && volume_) {
                if (ImGui::SmallButton("show all")) isolateInstance(-1);
                // The list scrolls within what the view's height leaves after the other controls.
                const ImGuiStyle& st = ImGui::GetStyle();
                const float line = ImGui::GetFrameHeightWithSpacing();
                const float others = line * (1 + (haveNeurons ? 1 : 0) + (haveImage ? 5 : 0)) +
                                     2 * st.WindowPadding.y + (haveImage ? st.ItemSpacing.y * 2 : 0) + 16;
                const float room = std::max(3 * line, display.y - others);
                // Beside a comparison the key below names every instance: the list starts folded.
                bool listOpen = true;
                if (comparison_) {
                    ImGui::SameLine();
                    ImGui::SetNextItemOpen(false, ImGuiCond_Once);
                    listOpen = ImGui::TreeNodeEx("##cmp-instances", ImGuiTreeNodeFlags_NoTreePushOnOpen,
                                                 "%s instances", comparison_->leftCaption.c_str());
                }
                if (listOpen) {
                    ImGui::BeginChild(
                        "##instances",
                        ImVec2(instanceNotes_.empty() ? 230.f : 400.f,
                               std::min({300.f, 22.f * float(instanceActors_.size()) + 8, room})),
                        false);
                    for (size_t i = 0; i < instanceActors_.size(); ++i) {
                        if (!instanceActors_[i]) continue;
                        ImGui::PushID(int(i));
                        bool vis = instanceActors_[i]->GetVisibility() != 0;
                        if (ImGui::Checkbox("##v", &vis)) setInstanceVisible(i, vis);
                        ImGui::SameLine();
                        float col[3] = {instanceColors_[i].r / 255.f, instanceColors_[i].g / 255.f,
                                        instanceColors_[i].b / 255.f};
                        if (ImGui::ColorEdit3("##c", col,
                                              ImGuiColorEditFlags_NoInputs | ImGuiColorEditFlags_NoLabel))
                            setInstanceColor(i, {uint8_t(col[0] * 255 + 0.5f), uint8_t(col[1] * 255 + 0.5f),
                                                 uint8_t(col[2] * 255 + 0.5f)});
                        ImGui::SameLine();
                        const auto& in = volume_->instances[i];
                        const char* note = i < instanceNotes_.size() ? instanceNotes_[i].c_str() : "";
                        ImGui::Text("%llu (%llu)%s%s", (unsigned long long)in.label,
                                    (unsigned long long)in.voxels, *note ? " " : "", note);
                        ImGui::SameLine();
                        if (ImGui::SmallButton("isolate")) isolateInstance(long(i));
                        ImGui::PopID();
                    }
                    ImGui::EndChild();
                }
            }
            if (haveImage) {
                // The source image: a slider per plane (with its own show box) and one opacity.
                if (haveNeurons || haveInstances) ImGui::Separator();
                ImGui::Text("image %s", slices_.image()->shapeString().c_str());
                static const char* axisNames[3] = {"z", "y", "x"};
                for (int a = 0; a < 3; ++a) {
                    ImGui::PushID(1000 + a);
                    bool vis = slices_.sliceVisible(a);
                    if (ImGui::Checkbox("##show", &vis)) {
                        slices_.setSliceVisible(a, vis);
                        requestRender();
                    }
                    ImGui::SameLine();
                    int idx = int(slices_.slice(a));
                    ImGui::SetNextItemWidth(150);
                    if (ImGui::SliderInt(axisNames[a], &idx, 0, int(slices_.sliceCount(a) - 1))) {
                        slices_.setSlice(a, idx);
                        requestRender();
                    }
                    ImGui::PopID();
                }
                float op = float(slices_.opacity());
                ImGui::SetNextItemWidth(150 + ImGui::GetFrameHeight() + ImGui::GetStyle().ItemSpacing.x);
                if (ImGui::SliderFloat("opacity", &op, 0.f, 1.f, "%.2f")) {
                    slices_.setOpacity(op);
                    requestRender();
                }
            }
        }
        ImGui::End();
    }
    if (comparison_ && volume_) drawComparisonOverlay(display, haveNeurons);
    if (!haveNeurons) return;
    ImGui::SetNextWindowPos(ImVec2(8, display.y - 8), ImGuiCond_Always, ImVec2(0, 1));
    ImGui::SetNextWindowBgAlpha(0.6f);
    if (ImGui::Begin("##neurons-legend", nullptr, flags)) {
        // Small views get smaller type, fewer rows and shortened names, so the key does not cover the data.
        const bool compact = display.x < 700 || display.y < 480;
        ImGui::SetWindowFontScale(compact ? 0.8f : 1.f);
        ImDrawList* dl = ImGui::GetWindowDrawList();
        const float sw = ImGui::GetTextLineHeight();
        if (colorBar_.valid) {
            ImGui::TextUnformatted(colorBar_.title.c_str());
            const float w = 180, h = sw;
            const ImVec2 p = ImGui::GetCursorScreenPos();
            for (int i = 0; i < 32; ++i) {
                const Rgb c = viridis(i / 31.0);
                dl->AddRectFilled(ImVec2(p.x + w * i / 32, p.y), ImVec2(p.x + w * (i + 1) / 32, p.y + h),
                                  IM_COL32(c.r, c.g, c.b, 255));
            }
            ImGui::Dummy(ImVec2(w, h));
            ImGui::Text("%.3g", colorBar_.lo);
            ImGui::SameLine(w - 30);
            ImGui::Text("%.3g", colorBar_.hi);
        } else {
            const float rowH = ImGui::GetTextLineHeightWithSpacing();
            const size_t maxRows = std::clamp<size_t>(size_t(display.y * 0.33f / std::max(1.f, rowH)), 3, 12);
            const size_t maxChars = compact ? 18 : 28;
            for (size_t k = 0; k < legend_.size() && k < maxRows; ++k) {
                const ImVec2 p = ImGui::GetCursorScreenPos();
                const Rgb c = legend_[k].color;
                dl->AddRectFilled(p, ImVec2(p.x + sw, p.y + sw), IM_COL32(c.r, c.g, c.b, 255));
                ImGui::Dummy(ImVec2(sw, sw));
                ImGui::SameLine();
                std::string label = legend_[k].label;
                if (label.size() > maxChars)
                    label = label.substr(0, maxChars - 3) + "..."; // the overlay font has no ellipsis
                if (compact)
                    ImGui::TextUnformatted(label.c_str());
                else
                    ImGui::Text("%s (%zu)", label.c_str(), legend_[k].count);
            }
            if (legend_.size() > maxRows) ImGui::Text("... %zu more", legend_.size() - maxRows);
        }
    }
    ImGui::End();
}

// Captions over both volumes and the comparison's key (bottom left; bottom right when neurons have theirs).
void NeuronView::drawComparisonOverlay(const ImVec2& display, bool neuronKeyShown) {
    const Comparison& c = *comparison_;
    // Each caption sits centred above its volume's box as the camera sees it, kept inside the view.
    const double x0 = volume_->origin[2], y0 = volume_->origin[1], z0 = volume_->origin[0];
    const double dx = double(volume_->nx) * volume_->voxelSize[2],
                 dy = double(volume_->ny) * volume_->voxelSize[1],
                 dz = double(volume_->nz) * volume_->voxelSize[0];
    auto caption = [&](double shift, const std::string& text) {
        double top = INFINITY, sx = 0;
        for (int k = 0; k < 8; ++k) {
            const QPointF q =
                projectPoint(x0 + shift + (k & 1 ? dx : 0), y0 + (k & 2 ? dy : 0), z0 + (k & 4 ? dz : 0));
            top = std::min(top, q.y());
            sx += q.x() / 8;
        }
        const ImVec2 ts = ImGui::CalcTextSize(text.c_str());
        const float x = std::clamp(float(sx) - ts.x / 2, 4.f, std::max(4.f, display.x - ts.x - 4));
        const float y = std::clamp(float(top) - ts.y - 6, 4.f, std::max(4.f, display.y - ts.y - 4));
        ImDrawList* dl = ImGui::GetBackgroundDrawList();
        dl->AddRectFilled(ImVec2(x - 4, y - 2), ImVec2(x + ts.x + 4, y + ts.y + 2), IM_COL32(0, 0, 0, 140),
                          3.f);
        dl->AddText(ImVec2(x, y), IM_COL32(235, 235, 235, 255), text.c_str());
    };
    const bool besideDrawn =
        comparisonShown_ &&
        std::any_of(comparisonActors_.begin(), comparisonActors_.end(), [](auto& a) { return bool(a); });
    if (besideDrawn) {
        caption(0, c.leftCaption);
        caption(comparisonOffset_, c.rightCaption);
    }
    const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize |
                                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoFocusOnAppearing |
                                   ImGuiWindowFlags_NoNav | ImGuiWindowFlags_NoMove;
    if (neuronKeyShown)
        ImGui::SetNextWindowPos(ImVec2(display.x - 8, display.y - 8), ImGuiCond_Always, ImVec2(1, 1));
    else
        ImGui::SetNextWindowPos(ImVec2(8, display.y - 8), ImGuiCond_Always, ImVec2(0, 1));
    ImGui::SetNextWindowBgAlpha(0.6f);
    if (ImGui::Begin("##comparison-key", nullptr, flags)) {
        const bool compact = display.x < 700 || display.y < 480;
        ImGui::SetWindowFontScale(compact ? 0.8f : 1.f);
        if (!c.title.empty()) ImGui::TextUnformatted(c.title.c_str());
        bool shown = comparisonShown_;
        const std::string box = c.rightCaption + " beside";
        if (ImGui::Checkbox(box.c_str(), &shown)) setComparisonShown(shown);
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("Draw the %s beside the %s (same colour: a matched pair)",
                              c.rightCaption.c_str(), c.leftCaption.c_str());
        ImDrawList* dl = ImGui::GetWindowDrawList();
        const float sw = ImGui::GetTextLineHeight();
        const float rowH = ImGui::GetTextLineHeightWithSpacing();
        const size_t maxRows = std::clamp<size_t>(size_t(display.y * 0.4f / std::max(1.f, rowH)), 3, 16);
        for (size_t k = 0; k < c.legend.size() && k < maxRows; ++k) {
            const ImVec2 p = ImGui::GetCursorScreenPos();
            const Rgb col = c.legend[k].color;
            dl->AddRectFilled(p, ImVec2(p.x + sw, p.y + sw), IM_COL32(col.r, col.g, col.b, 255));
            ImGui::Dummy(ImVec2(sw, sw));
            ImGui::SameLine();
            if (c.legend[k].count)
                ImGui::Text("%s (%zu)", c.legend[k].label.c_str(), c.legend[k].count);
            else
                ImGui::TextUnformatted(c.legend[k].label.c_str());
        }
        if (c.legend.size() > maxRows) ImGui::Text("... %zu more", c.legend.size() - maxRows);
    }
    ImGui::End();
}

std::vector<VtkView::FigureKey> NeuronView::figureKeys() const {
    std::vector<FigureKey> keys;
    auto qc = [](const nr::palette::Rgb& c) { return QColor(c.r, c.g, c.b); };
    if (set_ && !set_->neurons.empty()) {
        FigureKey k;
        if (colorBar_.valid) {
            k.title = QString::fromStdString(colorBar_.title);
            for (int i = 0; i < 32; ++i) {
                const Rgb c = viridis(i / 31.0);
                k.ramp.push_back(QColor(c.r, c.g, c.b));
            }
            k.lo = colorBar_.lo;
            k.hi = colorBar_.hi;
        } else {
            static const char* names[] = {"neuron", "compartment type", "branch order", "path distance"};
            k.title = QString::fromLatin1(names[std::clamp(int(colorBy_), 0, 3)]);
            for (const LegendEntry& e : legend_)
                k.swatches.push_back(
                    {qc(e.color),
                     QStringLiteral("%1 (%2)").arg(QString::fromStdString(e.label)).arg(e.count)});
        }
        keys.push_back(std::move(k));
    }
    if (volume_ && !instanceActors_.empty()) {
        FigureKey k;
        k.title = QStringLiteral("instances (voxels)");
        size_t more = 0;
        for (size_t i = 0; i < instanceActors_.size() && i < volume_->instances.size(); ++i) {
            if (!instanceActors_[i] || !instanceActors_[i]->GetVisibility()) continue;
            if (k.swatches.size() == 24) {
                ++more;
                continue;
            }
            const auto& in = volume_->instances[i];
            k.swatches.push_back(
                {qc(instanceColors_[i]),
                 QStringLiteral("%1 (%2)").arg(qulonglong(in.label)).arg(qulonglong(in.voxels)) +
                     (i < instanceNotes_.size() && !instanceNotes_[i].empty()
                          ? QStringLiteral(" ") + QString::fromStdString(instanceNotes_[i])
                          : QString())});
        }
        if (more) k.swatches.push_back({QColor(), QStringLiteral("... %1 more").arg(more)});
        if (!k.swatches.empty()) keys.push_back(std::move(k));
    }
    if (comparison_ && volume_ && !comparison_->legend.empty()) {
        FigureKey k;
        k.title = QString::fromStdString(comparison_->title.empty()
                                             ? comparison_->leftCaption + " | " + comparison_->rightCaption
                                             : comparison_->title);
        // A figure has no captions over the volumes: the key says which side is which.
        if (comparisonShown_)
            k.swatches.push_back({QColor(), QString::fromStdString("left: " + comparison_->leftCaption +
                                                                   ", right: " + comparison_->rightCaption)});
        for (const LegendEntry& e : comparison_->legend)
            k.swatches.push_back(
                {qc(e.color),
                 e.count ? QStringLiteral("%1 (%2)").arg(QString::fromStdString(e.label)).arg(e.count)
                         : QString::fromStdString(e.label)});
        keys.push_back(std::move(k));
    }
    return keys;
}
