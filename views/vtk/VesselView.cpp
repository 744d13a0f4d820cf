#include "vtk/VesselView.h"
#include "vtk/LineSplat.h"

#include "model/Palette.h"

#include <QElapsedTimer>
#include <QMouseEvent>
#include <QTimer>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <imgui.h>

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkCellData.h>
#include <vtkFloatArray.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkIdTypeArray.h>
#include <vtkLookupTable.h>
#include <vtkMath.h>
#include <vtkOpenGLStickMapper.h>
#include <vtkOpenGLVertexBufferObject.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkScalarBarActor.h>
#include <vtkTextProperty.h>
#include <vtkTypeInt32Array.h>
#include <vtkUnsignedCharArray.h>
#include <vtkViewport.h>

#include <thread>
#include <vtkMatrix4x4.h>
#include <vtkOpenGLQuadHelper.h>
#include <vtkOpenGLRenderWindow.h>
#include <vtkOpenGLRenderer.h>
#include <vtkOpenGLShaderCache.h>
#include <vtkOpenGLState.h>
#include <vtkShaderProgram.h>
#include <vtkTextureObject.h>

namespace {

const char* kScalars = "color";

// The stick mapper draws points without cells; vtkPolyDataMapper's bounds only count points used by cells, so
// the bounds (for the camera and culling) are the points' bounds grown by the largest radius.
class VesselStickMapper : public vtkOpenGLStickMapper {
public:
    static VesselStickMapper* New() {
        auto* m = new VesselStickMapper;
        m->InitializeObjectBase();
        return m;
    }

protected:
    void ComputeBounds() override {
        vtkPolyData* in = this->GetInput();
        if (in && in->GetMTime() <= boundsTime_ && in == boundsOf_) {
            std::copy(cached_, cached_ + 6, this->Bounds);
            return;
        }
        vtkMath::UninitializeBounds(this->Bounds);
        auto* s = in ? vtkFloatArray::SafeDownCast(in->GetPointData()->GetArray("scale")) : nullptr;
        auto* o = in ? vtkFloatArray::SafeDownCast(in->GetPointData()->GetArray("orient")) : nullptr;
        if (!in || !in->GetPoints() || in->GetNumberOfPoints() == 0 || !s || !o) return;
        // Both ends of every cylinder, grown by its radius.
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
        std::copy(b, b + 6, cached_);
        boundsTime_ = in->GetMTime();
        boundsOf_ = in;
    }

private:
    double cached_[6] = {0, 0, 0, 0, 0, 0};
    vtkMTimeType boundsTime_ = 0;
    vtkPolyData* boundsOf_ = nullptr;
};

// A viridis-like colour map (5 stops, linear in between).
void fillLut(vtkLookupTable* lut) {
    static const double stops[5][3] = {{0.267, 0.005, 0.329},
                                       {0.229, 0.322, 0.546},
                                       {0.128, 0.567, 0.551},
                                       {0.369, 0.789, 0.383},
                                       {0.993, 0.906, 0.144}};
    const int n = 256;
    lut->SetNumberOfTableValues(n);
    for (int i = 0; i < n; ++i) {
        const double t = double(i) / (n - 1) * 4.0;
        const int k = std::min(3, int(t));
        const double f = t - k;
        lut->SetTableValue(i, stops[k][0] + f * (stops[k + 1][0] - stops[k][0]),
                           stops[k][1] + f * (stops[k + 1][1] - stops[k][1]),
                           stops[k][2] + f * (stops[k + 1][2] - stops[k][2]), 1.0);
    }
    lut->SetNanColor(0.5, 0.5, 0.5, 1.0);
    lut->Build();
}

void setupMapper(vtkOpenGLStickMapper* m, vtkPolyData* poly, vtkLookupTable* lut) {
    m->SetInputData(poly);
    m->SetScaleArray("scale");
    m->SetOrientationArray("orient");
    m->SetSelectionIdArray("edgeId");
    m->SetLookupTable(lut);
    m->SetScalarModeToUsePointData();
    m->SetColorModeToMapScalars();
    m->ScalarVisibilityOn();
    m->UseLookupTableScalarRangeOff();
    m->SetInterpolateScalarsBeforeMapping(false);
    // The stick shader takes model coordinates as they are: no VBO shift/scale.
    m->SetVBOShiftScaleMethod(vtkOpenGLVertexBufferObject::DISABLE_SHIFT_SCALE);
}

} // namespace

VesselView::VesselView(QWidget* parent)
    : VtkView(parent), lines_(vtkSmartPointer<LineSplat>::New()),
      mapper_(vtkSmartPointer<VesselStickMapper>::New()),
      lodMapper_(vtkSmartPointer<VesselStickMapper>::New()),
      pickedMapper_(vtkSmartPointer<VesselStickMapper>::New()) {
    fillLut(lut_);
    setupMapper(mapper_, poly_, lut_);
    setupMapper(lodMapper_, lodPoly_, lut_);
    // The picked vessel has its own colour and its own table: a mapper sets its table's range when it draws,
    // and sharing lut_ made the colour bar read 0..1 whenever a vessel was picked.
    vtkNew<vtkLookupTable> pickedLut;
    setupMapper(pickedMapper_, pickedPoly_, pickedLut);
    pickedMapper_->SetColorModeToDirectScalars();
    // One actor draws every cylinder: mapper_ (all visible vessels thicker than a pixel) at rest, lodMapper_
    // (the budget) while moving. Each mapper keeps its own buffers, so the swap uploads nothing.
    actor_->SetMapper(mapper_);
    pickedActor_->SetMapper(pickedMapper_);
    // Magenta: no colour of viridis (the yellow of the widest vessels included) comes near it.
    pickedActor_->GetProperty()->SetColor(nr::palette::kPickedVessel.r / 255.0,
                                          nr::palette::kPickedVessel.g / 255.0,
                                          nr::palette::kPickedVessel.b / 255.0);
    pickedActor_->GetProperty()->SetAmbient(0.3);
    pickedActor_->VisibilityOff();
    pickedActor_->PickableOff();
    actor_->GetProperty()->SetSpecular(0.25);
    actor_->GetProperty()->SetSpecularPower(20);
    actor_->GetProperty()->SetAmbient(0.15);
    // The vessels thinner than a pixel are a second prop: they are not GL primitives at all (rasterized on
    // the CPU and composited, see LineSplat), so no mapper of the cylinder actor can draw them.
    lines_->PickableOff();
    renderer()->AddActor(actor_);
    renderer()->AddViewProp(lines_);
    renderer()->AddActor(pickedActor_);

    bar_->SetLookupTable(lut_);
    bar_->SetNumberOfLabels(5);
    bar_->SetLabelFormat("%.4g"); // 2362, 74.6, 1.01 (VTK's default prints "148.")
    bar_->SetMaximumWidthInPixels(90);
    bar_->SetMaximumHeightInPixels(400);
    bar_->SetPosition(0.80, 0.1);
    bar_->SetWidth(0.1);
    bar_->SetHeight(0.8);
    bar_->UnconstrainedFontSizeOn();
    bar_->GetTitleTextProperty()->SetFontSize(14);
    bar_->GetLabelTextProperty()->SetFontSize(12);
    bar_->VisibilityOff();
    renderer()->AddActor2D(bar_);

    std::fill(clip_, clip_ + 6, 0.f);
    clearClip();
    connect(&lod_, &LodController::modeChanged, this, &VesselView::onLodMode);
    backgroundChanged();
}

VesselView::~VesselView() = default;

vtkPolyData* VesselView::edgePolyData() const {
    return poly_;
}
vtkPolyData* VesselView::lodPolyData() const {
    return lodPoly_;
}
size_t VesselView::linesDrawn() const {
    return lines_->GetVisibility() ? lines_->lastDrawn() : 0;
}

vtkProp* VesselView::lineProp() const {
    return lines_;
}
vtkActor* VesselView::edgeActor() const {
    return actor_;
}
vtkOpenGLStickMapper* VesselView::lodMapper() const {
    return lodMapper_;
}

bool VesselView::drawingBudget() const {
    return actor_->GetMapper() == lodMapper_.Get();
}
vtkScalarBarActor* VesselView::scalarBar() const {
    return bar_;
}
vtkOpenGLStickMapper* VesselView::edgeMapper() const {
    return mapper_;
}

void VesselView::setGraph(std::shared_ptr<const nr::VesselGraph> g) {
    graph_ = std::move(g);
    picked_ = -1;
    minRadius_ = -std::numeric_limits<float>::infinity();
    maxRadius_ = std::numeric_limits<float>::infinity();
    for (int a = 0; a < 3; ++a) {
        clip_[2 * a] = -std::numeric_limits<float>::infinity();
        clip_[2 * a + 1] = std::numeric_limits<float>::infinity();
    }
    radius_.clear();
    length_.clear();
    visible_.clear();
    lineOrder_.clear();
    splitScale_ = 0;
    if (graph_) {
        const float* fb = graph_->bounds;
        const double bounds[6] = {fb[0], fb[1], fb[2], fb[3], fb[4], fb[5]};
        lineOrder_ =
            spatialLineOrder(graph_->x.data(), graph_->y.data(), graph_->z.data(), graph_->src.data(),
                             graph_->dst.data(), nullptr, graph_->edgeCount(), bounds);
        length_ = graph_->edgeLengths();
        radius_ = graph_->edgeRadii();
        const float* b = graph_->bounds;
        const double diag =
            std::sqrt(double(b[1] - b[0]) * (b[1] - b[0]) + double(b[3] - b[2]) * (b[3] - b[2]) +
                      double(b[5] - b[4]) * (b[5] - b[4]));
        const float fallback = float(std::max(1e-6, diag * 0.001));
        for (float& r : radius_)
            if (!(r > 0)) r = fallback; // no radius column (or zero): a thin default
    }
    colorBy_.clear();
    const std::string first = graph_ && !graph_->radiusColumn.empty() ? "radius" : "length";
    setColorBy(first);
    if (graph_) {
        // A three-quarter view with z up, fitted to the graph (before the arrays are made: the split into
        // cylinders and lines depends on the zoom).
        const float* b = graph_->bounds;
        const double c[3] = {0.5 * (b[0] + b[1]), 0.5 * (b[2] + b[3]), 0.5 * (b[4] + b[5])};
        float rmax = 0;
        for (float r : radius_) rmax = std::max(rmax, r);
        vtkCamera* cam = renderer()->GetActiveCamera();
        cam->SetFocalPoint(c);
        cam->SetPosition(c[0] + 0.55, c[1] - 0.75, c[2] + 0.45);
        cam->SetViewUp(0, 0, 1);
        renderer()->ResetCamera(double(b[0]) - rmax, double(b[1]) + rmax, double(b[2]) - rmax,
                                double(b[3]) + rmax, double(b[4]) - rmax, double(b[5]) + rmax);
    }
    rebuildVisible();
    renderer()->ResetCameraClippingRange();
    bar_->SetVisibility(graph_ && graph_->edgeCount() > 0);
    haveCamera_ = false; // the first frame of a new graph is drawn in full
    lod_.settle();
    requestRender();
}

std::vector<std::string> VesselView::colorColumns() const {
    return graph_ ? graph_->colorColumns() : std::vector<std::string>();
}

std::string VesselView::columnUnit(const std::string& column) const {
    const std::string u = graph_ ? graph_->units : "";
    if (u.empty()) return "";
    std::string l;
    for (char ch : column) l += char(std::tolower(static_cast<unsigned char>(ch)));
    if (l.find("std") != std::string::npos && l.find("radius") == std::string::npos) return "";
    if (l == "volume") return u + "^3";
    if (l.find("crosssection") != std::string::npos || l.find("area") != std::string::npos) return u + "^2";
    if (l == "radius" || l == "length" || l == "distance" || l.find("radius") != std::string::npos ||
        l.find("diam") != std::string::npos)
        return u;
    if (l == "flow") return "nl/min";
    if (l == "num_voxels") return "voxels";
    return "";
}

std::string VesselView::colorBarTitle() const {
    std::string name = colorBy_;
    if (colorBy_ == "radius" && graph_ && !graph_->radiusColumn.empty()) name = graph_->radiusColumn;
    const std::string u = columnUnit(colorBy_ == "radius" ? std::string("radius") : colorBy_);
    return u.empty() ? name : name + " (" + u + ")";
}

const std::vector<float>& VesselView::columnValues(const std::string& column) const {
    if (column == "radius") return radius_;
    if (column == "length") return length_;
    static const std::vector<float> none;
    const auto* c = graph_ ? graph_->edgeColumn(column) : nullptr;
    return c ? *c : none;
}

bool VesselView::setColorBy(const std::string& column) {
    if (!graph_) return false;
    const std::vector<float>& v = columnValues(column);
    if (v.size() != graph_->edgeCount()) return false;
    colorBy_ = column;
    auto [lo, hi] = columnRange(column);
    if (hi == lo) hi = lo + 1; // also a column without a finite value: 0..1
    lut_->SetTableRange(lo, hi);
    for (auto* m : {mapper_.Get(), lodMapper_.Get()}) m->SetScalarRange(lo, hi);
    // The unit goes on a line of its own so the title stays inside the view.
    std::string title = colorBarTitle();
    if (const size_t paren = title.find(" ("); paren != std::string::npos) title[paren] = '\n';
    bar_->SetTitle(title.c_str());
    recolor();
    requestRender();
    return true;
}

void VesselView::setRadiusRange(float minRadius, float maxRadius) {
    minRadius_ = minRadius;
    maxRadius_ = maxRadius;
    rebuildVisible();
    requestRender();
}

void VesselView::resetCamera() {
    if (!graph_) return VtkView::resetCamera();
    const nr::VesselGraph& g = *graph_;
    double b[6] = {INFINITY, -INFINITY, INFINITY, -INFINITY, INFINITY, -INFINITY};
    float rmax = 0;
    auto grow = [&](uint32_t n) {
        const double p[3] = {g.x[n], g.y[n], g.z[n]};
        for (int k = 0; k < 3; ++k)
            b[2 * k] = std::min(b[2 * k], p[k]), b[2 * k + 1] = std::max(b[2 * k + 1], p[k]);
    };
    for (uint32_t e : visible_) {
        grow(g.src[e]);
        grow(g.dst[e]);
        rmax = std::max(rmax, radius_[e] * radiusScale_);
    }
    if (!(b[0] <= b[1])) {
        for (int k = 0; k < 6; ++k) b[k] = g.bounds[k];
        for (float r : radius_) rmax = std::max(rmax, r * radiusScale_);
    }
    for (int k = 0; k < 3; ++k) b[2 * k] -= rmax, b[2 * k + 1] += rmax;
    renderer()->ResetCamera(b);
    renderer()->ResetCameraClippingRange();
    splitThin(); // the zoom changed: which vessels are lines
    requestRender();
}

void VesselView::imageSizeChanged(bool forImage) {
    if (!graph_) return;
    // An image is the full picture at its own pixel scale: which vessels are lines depends on it.
    if (forImage) lod_.settle();
    const double ppu = pixelsPerUnit();
    if (splitScale_ <= 0 || std::fabs(ppu / splitScale_ - 1.0) > 0.2) splitThin();
    onLodMode(lod_.moving());
}

void VesselView::setFilter(float minRadius, float maxRadius, const float box[6]) {
    minRadius_ = minRadius;
    maxRadius_ = maxRadius;
    std::copy(box, box + 6, clip_);
    rebuildVisible();
    requestRender();
}

void VesselView::setClipBox(const float box[6]) {
    std::copy(box, box + 6, clip_);
    rebuildVisible();
    requestRender();
}

void VesselView::setSlab(int axis, float lo, float hi) {
    float b[6];
    for (int a = 0; a < 3; ++a) {
        b[2 * a] = -std::numeric_limits<float>::infinity();
        b[2 * a + 1] = std::numeric_limits<float>::infinity();
    }
    if (axis >= 0 && axis < 3) b[2 * axis] = lo, b[2 * axis + 1] = hi;
    setClipBox(b);
}

void VesselView::clearClip() {
    for (int a = 0; a < 3; ++a) {
        clip_[2 * a] = -std::numeric_limits<float>::infinity();
        clip_[2 * a + 1] = std::numeric_limits<float>::infinity();
    }
    if (graph_) {
        rebuildVisible();
        requestRender();
    }
}

void VesselView::setRadiusScale(float s) {
    radiusScale_ = s > 0 ? s : 1.f;
    rebuildVisible();
    requestRender();
}

size_t VesselView::drawnEdgeCount() const {
    if (drawingBudget()) return size_t(lodPoly_->GetNumberOfPoints());
    return size_t(poly_->GetNumberOfPoints()) + (lines_->GetVisibility() ? lines_->lineCount() : 0);
}

void VesselView::setThinPixels(float px) {
    thinPixels_ = px;
    splitThin();
    requestRender();
}

double VesselView::pixelsPerUnit() const {
    vtkCamera* cam = renderer()->GetActiveCamera();
    const int* size = renderWindow()->GetSize();
    const int h = std::max(1, size[1] > 1 ? size[1] : int(height() * pixelRatio()));
    if (cam->GetParallelProjection()) return h / (2.0 * std::max(1e-12, cam->GetParallelScale()));
    const double d = std::max(1e-12, cam->GetDistance());
    return h / (2.0 * d * std::tan(cam->GetViewAngle() * M_PI / 360.0));
}

void VesselView::splitThin() {
    thick_.clear();
    thin_.clear();
    const double ppu = pixelsPerUnit();
    splitScale_ = ppu;
    const double limit = thinPixels_ / std::max(1e-12, ppu); // world radius below which a vessel is a line
    // Cylinders in edge order; lines in the spatial order of lineOrder_ (what the line splat draws fastest).
    std::vector<uint8_t> isThin;
    if (graph_) isThin.assign(graph_->edgeCount(), 0);
    for (uint32_t e : visible_) {
        if (double(radius_[e]) * radiusScale_ < limit)
            isThin[e] = 1;
        else
            thick_.push_back(e);
    }
    if (graph_) {
        thin_.reserve(visible_.size() - thick_.size());
        for (uint32_t e : lineOrder_)
            if (isThin[e]) thin_.push_back(e);
        fillPoly(poly_, thick_);
    } else {
        poly_->Initialize();
    }
    // The line splat draws the thin edges, their end nodes next to each other in the drawing order.
    std::vector<uint32_t> ends(2 * thin_.size());
    for (size_t k = 0; k < thin_.size(); ++k)
        ends[2 * k] = graph_->src[thin_[k]], ends[2 * k + 1] = graph_->dst[thin_[k]];
    if (graph_) {
        const float* fb = graph_->bounds;
        const double bounds[6] = {fb[0], fb[1], fb[2], fb[3], fb[4], fb[5]};
        lines_->setNodes(graph_, graph_->x.data(), graph_->y.data(), graph_->z.data(), graph_->nodeCount(),
                         bounds);
    } else {
        lines_->setNodes(nullptr, nullptr, nullptr, nullptr, 0, nullptr);
    }
    lines_->setLines(std::move(ends));
    recolor();
}

void VesselView::fillPoly(vtkPolyData* poly, const std::vector<uint32_t>& edges) const {
    const nr::VesselGraph& g = *graph_;
    const vtkIdType n = vtkIdType(edges.size());
    vtkNew<vtkPoints> pts;
    pts->SetDataTypeToFloat();
    pts->SetNumberOfPoints(n);
    float* p = static_cast<float*>(pts->GetVoidPointer(0));
    vtkNew<vtkFloatArray> orient, scale;
    orient->SetName("orient");
    orient->SetNumberOfComponents(3);
    orient->SetNumberOfTuples(n);
    scale->SetName("scale");
    scale->SetNumberOfComponents(3);
    scale->SetNumberOfTuples(n);
    vtkNew<vtkIdTypeArray> ids;
    ids->SetName("edgeId");
    ids->SetNumberOfTuples(n);
    float* o = orient->GetPointer(0);
    float* s = scale->GetPointer(0);
    vtkIdType* id = ids->GetPointer(0);
    for (vtkIdType k = 0; k < n; ++k) {
        const uint32_t e = edges[size_t(k)], a = g.src[e], b = g.dst[e];
        const float dx = g.x[b] - g.x[a], dy = g.y[b] - g.y[a], dz = g.z[b] - g.z[a];
        const float len = std::sqrt(dx * dx + dy * dy + dz * dz);
        p[3 * k] = 0.5f * (g.x[a] + g.x[b]);
        p[3 * k + 1] = 0.5f * (g.y[a] + g.y[b]);
        p[3 * k + 2] = 0.5f * (g.z[a] + g.z[b]);
        if (len > 0) {
            o[3 * k] = dx / len, o[3 * k + 1] = dy / len, o[3 * k + 2] = dz / len;
        } else {
            o[3 * k] = 1, o[3 * k + 1] = 0, o[3 * k + 2] = 0;
        }
        const float r = radius_[e] * radiusScale_;
        s[3 * k] = len, s[3 * k + 1] = r, s[3 * k + 2] = r;
        id[k] = vtkIdType(e) + 1; // 0 is "nothing" for the selector
    }
    poly->Initialize();
    poly->SetPoints(pts);
    poly->GetPointData()->AddArray(orient);
    poly->GetPointData()->AddArray(scale);
    poly->GetPointData()->AddArray(ids);
}

void VesselView::rebuildVisible() {
    visible_.clear();
    if (graph_) {
        const nr::VesselGraph& g = *graph_;
        const bool clipped = std::isfinite(clip_[0]) || std::isfinite(clip_[1]) || std::isfinite(clip_[2]) ||
                             std::isfinite(clip_[3]) || std::isfinite(clip_[4]) || std::isfinite(clip_[5]);
        const std::vector<float> rawRadius = g.edgeRadii();
        const bool hasRadius = !g.radiusColumn.empty();
        visible_.reserve(g.edgeCount());
        for (size_t e = 0; e < g.edgeCount(); ++e) {
            if (hasRadius) {
                const float r = rawRadius[e];
                if (!(r >= minRadius_ && r <= maxRadius_)) continue;
            }
            if (clipped) {
                const uint32_t a = g.src[e], b = g.dst[e];
                const float mx = 0.5f * (g.x[a] + g.x[b]), my = 0.5f * (g.y[a] + g.y[b]),
                            mz = 0.5f * (g.z[a] + g.z[b]);
                if (mx < clip_[0] || mx > clip_[1] || my < clip_[2] || my > clip_[3] || mz < clip_[4] ||
                    mz > clip_[5])
                    continue;
            }
            visible_.push_back(uint32_t(e));
        }
    }
    splitThin();
    updateLodPoly();
    recolor();
    updatePickedActor();
    onLodMode(lod_.moving());
}

void VesselView::updateLodPoly() {
    if (!graph_) {
        lodEdges_.clear();
        lodPoly_->Initialize();
        return;
    }
    std::vector<uint32_t> always;
    if (picked_ >= 0) always.push_back(uint32_t(picked_));
    lodEdges_ = lodSample(radius_, visible_, lod_.budget(), 0.5, always);
    fillPoly(lodPoly_, lodEdges_);
}

void VesselView::recolor(bool lodOnly) {
    if (!graph_) return;
    const std::vector<float>& v = columnValues(colorBy_);
    if (v.size() != graph_->edgeCount()) return;
    auto put = [&](vtkPolyData* poly, const std::vector<uint32_t>& edges) {
        if (poly->GetNumberOfPoints() != vtkIdType(edges.size())) return;
        vtkNew<vtkFloatArray> s;
        s->SetName(kScalars);
        s->SetNumberOfTuples(vtkIdType(edges.size()));
        float* d = s->GetPointer(0);
        for (size_t k = 0; k < edges.size(); ++k) d[k] = v[edges[k]];
        poly->GetPointData()->SetScalars(s);
        poly->Modified();
    };
    put(lodPoly_, lodEdges_);
    if (lodOnly) return;
    put(poly_, thick_);
    if (lines_->lineCount() == thin_.size() && !thin_.empty()) {
        // The colours the lookup table gives (as a mapper would), packed RGBA per line.
        vtkNew<vtkFloatArray> s;
        s->SetNumberOfTuples(vtkIdType(thin_.size()));
        float* d = s->GetPointer(0);
        for (size_t k = 0; k < thin_.size(); ++k) d[k] = v[thin_[k]];
        vtkSmartPointer<vtkUnsignedCharArray> rgba = vtkSmartPointer<vtkUnsignedCharArray>::Take(
            lut_->MapScalars(s, VTK_COLOR_MODE_MAP_SCALARS, -1, VTK_RGBA));
        std::vector<uint32_t>& c = lines_->colors();
        if (rgba && rgba->GetNumberOfTuples() == vtkIdType(c.size()) && rgba->GetNumberOfComponents() == 4)
            std::memcpy(c.data(), rgba->GetPointer(0), c.size() * 4);
        lines_->Modified();
    }
}

void VesselView::updatePickedActor() {
    if (!graph_ || picked_ < 0 || size_t(picked_) >= graph_->edgeCount()) {
        pickedActor_->VisibilityOff();
        return;
    }
    fillPoly(pickedPoly_, {uint32_t(picked_)});
    // Slightly thicker than the vessel so that it shows around it, in a highlight colour.
    vtkFloatArray* s = vtkFloatArray::SafeDownCast(pickedPoly_->GetPointData()->GetArray("scale"));
    s->SetComponent(0, 1, s->GetComponent(0, 1) * 1.3);
    s->SetComponent(0, 2, s->GetComponent(0, 2) * 1.3);
    vtkNew<vtkUnsignedCharArray> rgb;
    rgb->SetNumberOfComponents(3);
    rgb->InsertNextTuple3(nr::palette::kPickedVessel.r, nr::palette::kPickedVessel.g,
                          nr::palette::kPickedVessel.b);
    pickedPoly_->GetPointData()->SetScalars(rgb);
    pickedActor_->VisibilityOn();
}

void VesselView::onLodMode(bool moving) {
    if (!moving && graph_) {
        // At rest: redo the cylinder/line split when the zoom changed, and the budget when it adapted.
        const double ppu = pixelsPerUnit();
        if (splitScale_ <= 0 || std::fabs(ppu / splitScale_ - 1.0) > 0.2) splitThin();
        const size_t want = std::min(visible_.size(), lod_.budget());
        if (lodEdges_.size() != want && (want < lodEdges_.size() * 3 / 4 || want > lodEdges_.size() * 5 / 4))
            updateLodPoly(), recolor();
    }
    const bool useLod = moving && visible_.size() > lodEdges_.size();
    actor_->SetMapper(useLod ? lodMapper_.Get() : mapper_.Get());
    lines_->SetVisibility(!useLod);
    if (!moving) update();
}

void VesselView::setPickedEdge(long e) {
    if (!graph_ || e < 0 || size_t(e) >= graph_->edgeCount()) e = -1;
    if (e == picked_) return;
    picked_ = e;
    updateLodPoly();
    recolor();
    updatePickedActor();
    onLodMode(lod_.moving());
    requestRender();
}

long VesselView::pickEdge(QPoint widgetPos) {
    if (!graph_ || visible_.empty() || !rect().contains(widgetPos)) return -1;
    // A ray from the eye through the pixel, tested against the cylinder of every visible edge (with a
    // tolerance of 3 pixels so that thin vessels can be hit); the nearest hit along the ray wins.
    // Not vtkHardwareSelector: at rest most vessels are not GL primitives (LineSplat draws them on the
    // CPU), so its id passes would miss them, and a 1-pixel line is hard to hit without a tolerance; while
    // moving only the budget is drawn, but every visible vessel must stay pickable. One pass over the visible
    // edges is exact under all of these.
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
    if (p0[3] == 0 || p1[3] == 0) return -1;
    for (int i = 0; i < 3; ++i) p0[i] /= p0[3], p1[i] /= p1[3];
    const bool parallel = cam->GetParallelProjection();
    double o[3], dir[3];
    if (parallel) {
        std::copy(p0, p0 + 3, o);
    } else {
        cam->GetPosition(o);
    }
    for (int i = 0; i < 3; ++i) dir[i] = p1[i] - o[i];
    const double dl = std::sqrt(dir[0] * dir[0] + dir[1] * dir[1] + dir[2] * dir[2]);
    if (!(dl > 0)) return -1;
    for (double& v : dir) v /= dl;
    const int hpx = std::max(1, renderWindow()->GetSize()[1]);
    const double tol = 3.0 * pixelRatio();
    const double perPixelAt1 = parallel ? 2.0 * cam->GetParallelScale() / hpx
                                        : 2.0 * std::tan(cam->GetViewAngle() * M_PI / 360.0) / hpx;
    const nr::VesselGraph& g = *graph_;
    long best = -1;
    double bestT = INFINITY;
    for (uint32_t e : visible_) {
        const uint32_t ia = g.src[e], ib = g.dst[e];
        const double ax = g.x[ia], ay = g.y[ia], az = g.z[ia];
        const double ux = g.x[ib] - ax, uy = g.y[ib] - ay, uz = g.z[ib] - az;
        const double wx = o[0] - ax, wy = o[1] - ay, wz = o[2] - az;
        const double b = dir[0] * ux + dir[1] * uy + dir[2] * uz;
        const double c = ux * ux + uy * uy + uz * uz;
        const double d = dir[0] * wx + dir[1] * wy + dir[2] * wz;
        const double ee = ux * wx + uy * wy + uz * wz;
        const double denom = c - b * b; // |dir| = 1
        double s = denom > 1e-12 * c ? (ee - b * d) / denom : 0.0;
        s = std::clamp(s, 0.0, 1.0);
        const double t = s * b - d;
        if (t <= 0) continue;
        const double qx = o[0] + t * dir[0] - (ax + s * ux), qy = o[1] + t * dir[1] - (ay + s * uy),
                     qz = o[2] + t * dir[2] - (az + s * uz);
        const double dist2 = qx * qx + qy * qy + qz * qz;
        const double r = double(radius_[e]) * radiusScale_ + tol * perPixelAt1 * (parallel ? 1.0 : t);
        if (dist2 > r * r) continue;
        const double front = t - std::sqrt(std::max(0.0, r * r - dist2));
        if (front < bestT) bestT = front, best = long(e);
    }
    return best;
}

std::vector<std::pair<std::string, double>> VesselView::edgeAttributes(size_t e) const {
    std::vector<std::pair<std::string, double>> a;
    if (!graph_ || e >= graph_->edgeCount()) return a;
    const nr::VesselGraph& g = *graph_;
    const uint32_t s = g.src[e], d = g.dst[e];
    a.push_back({"id", double(g.edgeId(e))});
    a.push_back({"node1", double(g.nodeId(s))});
    a.push_back({"node2", double(g.nodeId(d))});
    a.push_back({"x1", g.x[s]});
    a.push_back({"y1", g.y[s]});
    a.push_back({"z1", g.z[s]});
    a.push_back({"x2", g.x[d]});
    a.push_back({"y2", g.y[d]});
    a.push_back({"z2", g.z[d]});
    if (g.lengthColumn.empty()) a.push_back({"length", length_[e]});
    if (g.radiusColumn.empty()) a.push_back({"radius (drawn)", radius_[e]});
    for (const auto& c : g.edgeColumns) a.push_back({c.name, c.values[e]});
    return a;
}

QPointF VesselView::project(const double world[3]) const {
    vtkRenderer* ren = renderer();
    ren->SetWorldPoint(world[0], world[1], world[2], 1.0);
    ren->WorldToDisplay();
    double d[3];
    ren->GetDisplayPoint(d);
    const double dpr = pixelRatio();
    const int h = renderWindow()->GetSize()[1];
    return QPointF(d[0] / dpr, (h - 1 - d[1]) / dpr);
}

std::vector<float> VesselView::visibleValues(const std::string& column) const {
    const std::vector<float>& v = columnValues(column);
    std::vector<float> vis;
    if (graph_ && v.size() == graph_->edgeCount()) {
        vis.reserve(visible_.size());
        for (uint32_t e : visible_) vis.push_back(v[e]);
    }
    return vis;
}

nr::Histogram VesselView::visibleHistogram(const std::string& column, size_t bins, double lo,
                                           double hi) const {
    return nr::histogram(visibleValues(column), bins, lo, hi);
}

std::pair<double, double> VesselView::columnRange(const std::string& column) const {
    double lo = INFINITY, hi = -INFINITY;
    for (float x : columnValues(column))
        if (std::isfinite(x)) lo = std::min(lo, double(x)), hi = std::max(hi, double(x));
    return lo <= hi ? std::make_pair(lo, hi) : std::make_pair(0.0, 0.0);
}

nr::Histogram VesselView::visibleHistogram(const std::string& column, size_t bins) const {
    return nr::histogram(visibleValues(column), bins);
}

void VesselView::backgroundChanged() {
    double bg[3];
    backgroundColor(bg);
    const double lum = 0.3 * bg[0] + 0.6 * bg[1] + 0.1 * bg[2];
    const double fg = lum > 0.5 ? 0.1 : 0.92;
    bar_->GetTitleTextProperty()->SetColor(fg, fg, fg);
    bar_->GetLabelTextProperty()->SetColor(fg, fg, fg);
}

void VesselView::drawOverlay() {
    if (!graph_) return;
    ImGui::SetNextWindowPos(ImVec2(8, 8), ImGuiCond_Always);
    ImGui::SetNextWindowBgAlpha(0.6f);
    ImGui::Begin("vessels", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoNav |
                     ImGuiWindowFlags_NoFocusOnAppearing);
    ImGui::Text("%zu of %zu vessels%s", visible_.size(), graph_->edgeCount(),
                drawingBudget() ? " (moving: reduced)" : "");
    if (picked_ >= 0) {
        // One line: the attributes are listed in the Vessels dock, not over the vessels.
        const float r = size_t(picked_) < radius_.size() ? radius_[size_t(picked_)] : NAN;
        const float l = size_t(picked_) < length_.size() ? length_[size_t(picked_)] : NAN;
        ImGui::Text("picked vessel %lld: radius %.3g, length %.3g",
                    (long long)graph_->edgeId(size_t(picked_)), r, l);
    }
    overlayRect_ = QRectF(ImGui::GetWindowPos().x, ImGui::GetWindowPos().y, ImGui::GetWindowSize().x,
                          ImGui::GetWindowSize().y);
    ImGui::End();
}

void VesselView::mousePressEvent(QMouseEvent* e) {
    pressPos_ = e->position().toPoint();
    VtkView::mousePressEvent(e);
}

void VesselView::mouseReleaseEvent(QMouseEvent* e) {
    VtkView::mouseReleaseEvent(e);
    const QPoint pos = e->position().toPoint();
    if (e->button() != Qt::LeftButton || (pos - pressPos_).manhattanLength() >= 4) return;
    const long id = pickEdge(pos);
    setPickedEdge(id);
    emit edgePicked(id);
}

void VesselView::paintGL() {
    // A camera that differs from the last frame's means the view is moving: draw the budget until it rests.
    const CameraState c = camera();
    if (haveCamera_) {
        bool same = c.viewAngle == lastCamera_.viewAngle;
        for (int i = 0; i < 3 && same; ++i)
            same = c.pos[i] == lastCamera_.pos[i] && c.focal[i] == lastCamera_.focal[i] &&
                   c.up[i] == lastCamera_.up[i];
        if (!same) lod_.cameraMoved();
    }
    lastCamera_ = c;
    haveCamera_ = true;
    VtkView::paintGL();
    // The cost of this frame tunes the budget of the next moving frames (cylinders cost the most).
    if (drawingBudget()) {
        lod_.frameDrawn(size_t(lodPoly_->GetNumberOfPoints()), lastFrameMs());
        // Far over budget (the first moving frame of a big graph): resample now for the next frame.
        if (lod_.budget() * 4 < lodEdges_.size() * 3) {
            updateLodPoly();
            recolor(true);
        }
    } else if (thin_.size() < thick_.size()) {
        lod_.frameDrawn(thick_.size(), lastFrameMs());
    }
    if (!lod_.moving() && !lodWarmQueued_ && !lodEdges_.empty() && visible_.size() > lodEdges_.size() &&
        lodPoly_->GetMTime() > lodWarmTime_) {
        lodWarmQueued_ = true;
        QTimer::singleShot(0, this, &VesselView::warmLod);
    }
}

void VesselView::warmLod() {
    lodWarmQueued_ = false;
    if (lod_.moving() || !graph_ || lodEdges_.empty() || visible_.size() <= lodEdges_.size()) return;
    const bool ok = withRenderContext([&] {
        const bool linesOn = lines_->GetVisibility();
        actor_->SetMapper(lodMapper_);
        lines_->SetVisibility(false);
        // The first frame uploads the sample; the second is timed like a moving frame. When the rest frames
        // could not measure a cylinder (most vessels drawn as lines), it measures it, fixed part included: a
        // cautious first budget.
        renderSceneMs();
        const double ms = renderSceneMs();
        const size_t n = size_t(lodPoly_->GetNumberOfPoints());
        if (lod_.msPerPrimitive() > 0)
            lod_.budgetFrameDrawn(n, ms);
        else
            lod_.frameDrawn(n, ms);
        // The measured frame moved the budget far from the sample: resample and upload it now.
        const size_t want = std::min(visible_.size(), lod_.budget());
        if (want < lodEdges_.size() * 3 / 4 || want > lodEdges_.size() * 5 / 4) {
            updateLodPoly();
            recolor(true);
            renderWindow()->Render();
        }
        actor_->SetMapper(mapper_);
        lines_->SetVisibility(linesOn);
    });
    if (ok) lodWarmTime_ = lodPoly_->GetMTime();
}
