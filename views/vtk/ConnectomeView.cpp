#include "vtk/ConnectomeView.h"
#include "vtk/LineSplat.h"

#include <cstdio>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QLineF>
#include <QMouseEvent>
#include <QRect>
#include <algorithm>
#include <cmath>
#include <iterator>
#include <set>

#include <imgui.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkCellData.h>
#include <vtkFloatArray.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkHardwareSelector.h>
#include <vtkMatrix4x4.h>
#include <vtkOpenGLPolyDataMapper.h>
#include <vtkOpenGLSphereMapper.h>
#include <vtkOpenGLVertexBufferObject.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkTypeInt32Array.h>
#include <vtkUnsignedCharArray.h>

namespace {

struct Rgb {
    float r, g, b;
};

Rgb rgbOf(const nr::palette::Rgb& c) {
    return {float(c.r), float(c.g), float(c.b)};
}

// Categorical palette: the shared colour-blind-safe set.
const Rgb kPalette[12] = {rgbOf(nr::palette::kCategorical[0]),  rgbOf(nr::palette::kCategorical[1]),
                          rgbOf(nr::palette::kCategorical[2]),  rgbOf(nr::palette::kCategorical[3]),
                          rgbOf(nr::palette::kCategorical[4]),  rgbOf(nr::palette::kCategorical[5]),
                          rgbOf(nr::palette::kCategorical[6]),  rgbOf(nr::palette::kCategorical[7]),
                          rgbOf(nr::palette::kCategorical[8]),  rgbOf(nr::palette::kCategorical[9]),
                          rgbOf(nr::palette::kCategorical[10]), rgbOf(nr::palette::kCategorical[11])};
const Rgb kUnknown = rgbOf(nr::palette::kUnknown);

const Rgb kPre = rgbOf(nr::palette::kPresynaptic);   // presynaptic partners (edges into the highlighted node)
const Rgb kPost = rgbOf(nr::palette::kPostsynaptic); // postsynaptic partners (edges out of it)
const Rgb kBoth = rgbOf(nr::palette::kBothWays);     // partners in both directions
const Rgb kFocus = rgbOf(nr::palette::kFocus);
const Rgb kFlash = rgbOf(nr::palette::kActivityFlash);

Rgb viridis(float t) {
    // The darkest tenth of the map disappears on a dark background: start above it.
    return rgbOf(nr::palette::viridis(0.1 + 0.9 * std::clamp(double(t), 0.0, 1.0)));
}

Rgb edgeTypeColor(const std::string& name, size_t index) {
    if (name == "chemical") return rgbOf(nr::palette::kChemical);
    if (name == "electrical") return rgbOf(nr::palette::kElectrical);
    if (const int s = nr::palette::excitatorySign(name); s != 0)
        return rgbOf(s > 0 ? nr::palette::kExcitatory : nr::palette::kInhibitory);
    return kPalette[(index + 4) % 12];
}

// A category's colour: E/I by name when every category shown is an E/I name (`ei`), else by its rank among
// the categories shown (one-letter cell types such as the larva's I = input are not inhibitory).
Rgb categoryColor(const std::string& name, size_t rank, bool ei = true) {
    if (const int s = nr::palette::excitatorySign(name); ei && s != 0)
        return rgbOf(s > 0 ? nr::palette::kExcitatory : nr::palette::kInhibitory);
    return kPalette[rank % 12];
}

unsigned char u8(float v) {
    return (unsigned char)std::lround(std::clamp(v, 0.f, 255.f));
}

} // namespace

ConnectomeView::ConnectomeView(QWidget* parent)
    : VtkView(parent), edgeSplat_(vtkSmartPointer<LineSplat>::New()),
      lodSplat_(vtkSmartPointer<LineSplat>::New()) {
    points_->SetDataTypeToFloat();
    nodeColors_->SetName("color");
    nodeColors_->SetNumberOfComponents(3);
    nodeRadii_->SetName("radius");
    edgeColors_->SetName("color");
    edgeColors_->SetNumberOfComponents(3);
    lines_->Use32BitStorage();

    nodePoly_->SetPoints(points_);
    verts_->Use32BitStorage();
    nodePoly_->SetVerts(verts_);
    nodePoly_->GetPointData()->SetScalars(nodeColors_);
    nodePoly_->GetPointData()->AddArray(nodeRadii_);
    nodeMapper_->SetInputData(nodePoly_);
    nodeMapper_->SetScaleArray("radius");
    // Nodes and edges share one point array and so one cached vertex buffer; the imposter shader reads
    // raw coordinates, so neither mapper may shift and scale that buffer.
    nodeMapper_->SetVBOShiftScaleMethod(vtkOpenGLVertexBufferObject::DISABLE_SHIFT_SCALE);
    nodeMapper_->SetColorModeToDirectScalars();
    nodeMapper_->SetScalarModeToUsePointData();
    nodeMapper_->ScalarVisibilityOn();
    nodeActor_->SetMapper(nodeMapper_);
    vtkProperty* np = nodeActor_->GetProperty();
    np->SetAmbient(0.25);
    np->SetDiffuse(0.8);
    np->SetSpecular(0.35);
    np->SetSpecularPower(30);

    edgePoly_->SetPoints(points_); // the same points as the nodes: no copy
    edgePoly_->SetLines(lines_);
    edgePoly_->GetCellData()->SetScalars(edgeColors_);
    // The edges are drawn by a line splat (1-pixel lines rasterized on the CPU, composited with depth).
    edgeSplat_->PickableOff();

    // The budget edges drawn while the camera moves: the same look as the full edge splat.
    lodColors_->SetName("color");
    lodColors_->SetNumberOfComponents(3);
    lodLines_->Use32BitStorage();
    lodPoly_->SetPoints(points_);
    lodPoly_->SetLines(lodLines_);
    lodPoly_->GetCellData()->SetScalars(lodColors_);
    lodSplat_->PickableOff();
    lodSplat_->VisibilityOff();

    // The budget nodes drawn while the camera moves: their points, colours and radii copied from the full
    // node arrays (lodNodePolyData), drawn as shaded discs by the budget splat (no GL primitives).
    lodNodePoints_->SetDataTypeToFloat();
    lodNodeColors_->SetName("color");
    lodNodeColors_->SetNumberOfComponents(3);
    lodNodeRadii_->SetName("radius");
    lodNodeVerts_->Use32BitStorage();
    lodNodePoly_->SetPoints(lodNodePoints_);
    lodNodePoly_->SetVerts(lodNodeVerts_);
    lodNodePoly_->GetPointData()->SetScalars(lodNodeColors_);
    lodNodePoly_->GetPointData()->AddArray(lodNodeRadii_);

    renderer()->AddViewProp(edgeSplat_);
    renderer()->AddViewProp(lodSplat_);
    renderer()->AddActor(nodeActor_);

    connect(&lod_, &LodController::modeChanged, this, [this](bool moving) {
        // At rest: resample when the (adaptive) budget moved far from the sample's size.
        if (!moving && lodSampleStale()) updateLodEdges();
        applyEdgeVisibility();
        if (!moving) update(); // moving starts inside a frame, which draws the budget already
    });

    hoverTimer_.setSingleShot(true);
    hoverTimer_.setInterval(40);
    connect(&hoverTimer_, &QTimer::timeout, this, &ConnectomeView::onHoverTimer);

    flight_.setDuration(400);
    flight_.setStartValue(0.0);
    flight_.setEndValue(1.0);
    flight_.setEasingCurve(QEasingCurve::InOutCubic);
    connect(&flight_, &QVariantAnimation::valueChanged, this, [this](const QVariant& v) {
        const double u = v.toDouble();
        CameraState c = flightTo_;
        for (int k = 0; k < 3; ++k) {
            c.pos[k] = flightFrom_.pos[k] + (flightTo_.pos[k] - flightFrom_.pos[k]) * u;
            c.focal[k] = flightFrom_.focal[k] + (flightTo_.focal[k] - flightFrom_.focal[k]) * u;
        }
        setCamera(c);
    });
}

ConnectomeView::~ConnectomeView() = default;

vtkPolyData* ConnectomeView::edgePolyData() const {
    return edgePoly_;
}
vtkPolyData* ConnectomeView::nodePolyData() const {
    return nodePoly_;
}
vtkOpenGLSphereMapper* ConnectomeView::nodeMapper() const {
    return nodeMapper_;
}
LineSplat* ConnectomeView::edgeSplat() const {
    return edgeSplat_;
}
vtkActor* ConnectomeView::nodeActor() const {
    return nodeActor_;
}
LineSplat* ConnectomeView::lodEdgeSplat() const {
    return lodSplat_;
}
vtkPolyData* ConnectomeView::lodEdgePolyData() const {
    return lodPoly_;
}
bool ConnectomeView::lodNodesShown() const {
    return lodNodesOn_;
}
vtkPolyData* ConnectomeView::lodNodePolyData() const {
    return lodNodePoly_;
}
void ConnectomeView::setLodNodeBudget(size_t n) {
    lodNodeBudget_ = n;
    updateLodNodes();
    updateNodeArrays();
}
vtkUnsignedCharArray* ConnectomeView::nodeColors() const {
    return nodeColors_;
}
vtkUnsignedCharArray* ConnectomeView::edgeColors() const {
    return edgeColors_;
}
float ConnectomeView::nodeRadius() const {
    return baseRadius_ * nodeScale_;
}

void ConnectomeView::setGraph(std::shared_ptr<const nr::Graph> g) {
    flight_.stop();
    graph_ = std::move(g);
    highlight_ = -1;
    hovered_ = -1;
    hoverText_.clear();
    selection_.clear();
    activity_.clear();
    overrideRgb_.clear();
    extraColumns_.clear();
    colorBy_ = "degree";
    minWeight_ = -std::numeric_limits<float>::infinity();
    maxWeight_ = std::numeric_limits<float>::infinity();
    typeVisible_.clear();
    lod_.settle();

    const size_t n = graph_ && graph_->hasPositions() ? graph_->nodeCount() : 0;
    role_.assign(n, 0);
    selected_.assign(n, 0);
    points_->SetNumberOfPoints(vtkIdType(n));
    float* p = static_cast<float*>(points_->GetVoidPointer(0));
    for (size_t i = 0; i < n; ++i) {
        p[3 * i] = graph_->x[i];
        p[3 * i + 1] = graph_->y[i];
        p[3 * i + 2] = graph_->z[i];
    }
    points_->Modified();
    // The splats read the node positions of the graph itself (kept alive by the shared pointer).
    double bounds[6] = {0, 0, 0, 0, 0, 0};
    if (n > 0) {
        const std::vector<float> b = graph_->bounds();
        for (int a = 0; a < 3; ++a) bounds[2 * a] = b[size_t(a)], bounds[2 * a + 1] = b[size_t(a) + 3];
    }
    for (LineSplat* s : {edgeSplat_.Get(), lodSplat_.Get()})
        s->setNodes(n ? std::shared_ptr<const void>(graph_) : nullptr, n ? graph_->x.data() : nullptr,
                    n ? graph_->y.data() : nullptr, n ? graph_->z.data() : nullptr, n, bounds);
    // One vertex cell per node: the sphere mapper draws (and the selector identifies) vertex cells.
    verts_->GetOffsetsArray32()->SetNumberOfValues(vtkIdType(n + 1));
    verts_->GetConnectivityArray32()->SetNumberOfValues(vtkIdType(n));
    int32_t* vo = verts_->GetOffsetsArray32()->GetPointer(0);
    int32_t* vc = n ? verts_->GetConnectivityArray32()->GetPointer(0) : nullptr;
    for (size_t i = 0; i <= n; ++i) vo[i] = int32_t(i);
    for (size_t i = 0; i < n; ++i) vc[i] = int32_t(i);
    verts_->Modified();
    double diag = 0;
    if (n > 0) {
        const std::vector<float> b = graph_->bounds();
        diag = std::sqrt(double(b[3] - b[0]) * (b[3] - b[0]) + double(b[4] - b[1]) * (b[4] - b[1]) +
                         double(b[5] - b[2]) * (b[5] - b[2]));
    }
    // Node size follows the scene: a fraction of the bounding box diagonal that shrinks with the node
    // count (dense graphs stay readable), between 1/500 and 1/50 of the diagonal.
    baseRadius_ =
        diag > 0 ? float(std::clamp(0.08 * diag / std::sqrt(double(n)), diag * 0.002, diag * 0.02)) : 1.f;
    nodeColors_->SetNumberOfTuples(vtkIdType(n));
    nodeRadii_->SetNumberOfTuples(vtkIdType(n));

    // Degree ranks nodes for the moving budget (hubs first).
    lodNodeWeight_.clear();
    if (n > 0) {
        const std::vector<uint32_t> deg = graph_->degrees();
        lodNodeWeight_.assign(deg.begin(), deg.end());
    }
    updateLodNodes();
    updateBaseColors();
    updateNodeArrays();
    rebuildEdges();
    nodePoly_->Modified();
    resetCamera();
    haveCamera_ = false; // the first frame of a new graph is drawn in full
    emit coloringChanged();
}

// ---- colouring ---------------------------------------------------------------------------------------

void ConnectomeView::setNodeColumn(const std::string& name, const std::vector<float>& values) {
    extraColumns_[name] = values;
    if (colorBy_ == name) {
        updateBaseColors();
        updateNodeArrays();
        if (edgeColoring_ == EdgeColoring::BySource) recolorEdges();
    }
}

bool ConnectomeView::setColorBy(const std::string& column) {
    const bool known = column == "degree" || column == "in-degree" || column == "out-degree" ||
                       column == "class" || extraColumns_.count(column) ||
                       (graph_ && (graph_->nodeNumeric.count(column) || graph_->nodeText.count(column)));
    if (!known) return false;
    const bool changed = colorBy_ != column;
    colorBy_ = column;
    updateBaseColors();
    updateNodeArrays();
    if (edgeColoring_ == EdgeColoring::BySource) recolorEdges();
    if (changed) emit coloringChanged();
    return true;
}

void ConnectomeView::setNodeColorRamp(const std::vector<QColor>& ramp, double lo, double hi) {
    overrideRamp_ = overrideRgb_.empty() ? std::vector<QColor>() : ramp;
    overrideLo_ = lo;
    overrideHi_ = hi;
    update();
}

void ConnectomeView::setNodeColorLegend(const std::vector<LegendEntry>& entries) {
    overrideLegend_ = entries;
    if (!overrideRgb_.empty()) legend_ = overrideLegend_;
    update();
}

void ConnectomeView::setNodeColors(const std::vector<QColor>& colors, const std::string& legendTitle,
                                   const std::string& kind) {
    const std::string kindBefore = overrideRgb_.empty() ? std::string() : overrideKind_;
    overrideRgb_.clear();
    overrideLegend_.clear();
    overrideRamp_.clear();
    if (!colors.empty() && colors.size() == role_.size()) {
        overrideRgb_.resize(3 * colors.size());
        for (size_t i = 0; i < colors.size(); ++i) {
            overrideRgb_[3 * i] = u8(float(colors[i].red()));
            overrideRgb_[3 * i + 1] = u8(float(colors[i].green()));
            overrideRgb_[3 * i + 2] = u8(float(colors[i].blue()));
        }
    }
    overrideTitle_ = legendTitle;
    overrideKind_ = kind;
    updateBaseColors();
    updateNodeArrays();
    if (edgeColoring_ == EdgeColoring::BySource) recolorEdges();
    update();
    if ((overrideRgb_.empty() ? std::string() : overrideKind_) != kindBefore) emit coloringChanged();
}

void ConnectomeView::updateBaseColors() {
    const size_t n = role_.size();
    baseRgb_.assign(3 * n, 128);
    legend_.clear();
    colorBar_ = ColorBar();
    colorBar_.column = colorBy_;
    if (!overrideRgb_.empty() && overrideRgb_.size() == 3 * n) {
        baseRgb_ = overrideRgb_;
        legend_ = overrideLegend_;
        return;
    }
    if (n == 0) return;
    auto put = [this](size_t i, const Rgb& c) {
        baseRgb_[3 * i] = u8(c.r);
        baseRgb_[3 * i + 1] = u8(c.g);
        baseRgb_[3 * i + 2] = u8(c.b);
    };
    auto categorical = [&](const std::vector<std::string>& v) {
        if (v.size() != n) {
            for (size_t i = 0; i < n; ++i) put(i, kUnknown);
            return;
        }
        std::set<std::string> cats(v.begin(), v.end());
        cats.erase("");
        std::map<std::string, size_t> index;
        for (const auto& c : cats) index.emplace(c, index.size());
        // A column of "#rrggbb" values (an atlas table's c_R, c_G, c_B): the nodes take those colours.
        auto hex = [](const std::string& s, Rgb& c) {
            if (s.size() != 7 || s[0] != '#') return false;
            unsigned r = 0, g = 0, b = 0;
            if (std::sscanf(s.c_str() + 1, "%2x%2x%2x", &r, &g, &b) != 3) return false;
            c = {float(r), float(g), float(b)};
            return true;
        };
        bool direct = !cats.empty();
        for (const auto& c : cats) {
            Rgb x;
            direct = direct && hex(c, x);
        }
        if (direct) {
            std::map<std::string, size_t> counts;
            for (size_t i = 0; i < n; ++i) {
                Rgb c = kUnknown;
                if (!v[i].empty()) hex(v[i], c);
                put(i, c);
                ++counts[v[i]];
            }
            for (const auto& [name, count] : counts) {
                Rgb c = kUnknown;
                if (!name.empty()) hex(name, c);
                legend_.push_back({name.empty() ? "(none)" : name, {u8(c.r), u8(c.g), u8(c.b)}, count});
            }
            return;
        }
        bool ei = true;
        for (const auto& c : cats) ei = ei && nr::palette::excitatorySign(c) != 0;
        for (size_t i = 0; i < n; ++i) put(i, v[i].empty() ? kUnknown : categoryColor(v[i], index[v[i]], ei));
        std::map<std::string, size_t> counts;
        for (const auto& x : v) ++counts[x];
        for (const auto& [name, rank] : index) {
            const Rgb c = categoryColor(name, rank, ei);
            legend_.push_back({name, {u8(c.r), u8(c.g), u8(c.b)}, counts[name]});
        }
        if (counts.count(""))
            legend_.push_back({"(none)", {u8(kUnknown.r), u8(kUnknown.g), u8(kUnknown.b)}, counts[""]});
    };
    auto numeric = [&](const std::vector<float>& v, bool logScale) {
        float lo = std::numeric_limits<float>::infinity(), hi = -lo;
        for (size_t i = 0; i < n && i < v.size(); ++i)
            if (std::isfinite(v[i])) {
                const float x = logScale ? std::log1p(std::max(0.f, v[i])) : v[i];
                lo = std::min(lo, x);
                hi = std::max(hi, x);
            }
        for (size_t i = 0; i < n; ++i) {
            if (i >= v.size() || !std::isfinite(v[i])) {
                put(i, kUnknown);
                continue;
            }
            const float x = logScale ? std::log1p(std::max(0.f, v[i])) : v[i];
            put(i, viridis(hi > lo ? (x - lo) / (hi - lo) : 0.5f));
        }
        if (hi >= lo) {
            colorBar_.valid = true;
            colorBar_.lo = logScale ? std::expm1(lo) : lo;
            colorBar_.hi = logScale ? std::expm1(hi) : hi;
            colorBar_.log = logScale;
        }
    };
    auto fromCounts = [&](const std::vector<uint32_t>& d) {
        numeric(std::vector<float>(d.begin(), d.end()), true);
    };
    if (auto it = extraColumns_.find(colorBy_); it != extraColumns_.end())
        numeric(it->second, false);
    else if (colorBy_ == "degree")
        fromCounts(graph_->degrees());
    else if (colorBy_ == "in-degree")
        fromCounts(graph_->inDegrees());
    else if (colorBy_ == "out-degree")
        fromCounts(graph_->outDegrees());
    else if (colorBy_ == "class")
        categorical(graph_->nodeClass);
    else if (auto nt = graph_->nodeNumeric.find(colorBy_); nt != graph_->nodeNumeric.end())
        numeric(nt->second, false);
    else if (auto tt = graph_->nodeText.find(colorBy_); tt != graph_->nodeText.end())
        categorical(tt->second);
}

void ConnectomeView::updateNodeArrays() {
    const size_t n = role_.size();
    double bg[3];
    backgroundColor(bg);
    const Rgb back = {float(bg[0] * 255), float(bg[1] * 255), float(bg[2] * 255)};
    const bool hasActivity = activity_.size() == n;
    unsigned char* c = n ? nodeColors_->GetPointer(0) : nullptr;
    float* r = n ? nodeRadii_->GetPointer(0) : nullptr;
    const float r0 = baseRadius_ * nodeScale_;
    for (size_t i = 0; i < n; ++i) {
        Rgb col = {float(baseRgb_[3 * i]), float(baseRgb_[3 * i + 1]), float(baseRgb_[3 * i + 2])};
        float rad = r0;
        if (highlight_ >= 0) {
            switch (role_[i]) {
            case 4:
                col = kFocus;
                rad *= 1.8f;
                break;
            case 1:
                col = kPre;
                rad *= 1.3f;
                break;
            case 2:
                col = kPost;
                rad *= 1.3f;
                break;
            case 3:
                col = kBoth;
                rad *= 1.3f;
                break;
            default: // dimmed: most of the way to the background
                col = {back.r + (col.r - back.r) * 0.18f, back.g + (col.g - back.g) * 0.18f,
                       back.b + (col.b - back.b) * 0.18f};
                rad *= 0.8f;
            }
        }
        if (selected_[i]) {
            col = {col.r + (255 - col.r) * 0.55f, col.g + (255 - col.g) * 0.55f,
                   col.b + (255 - col.b) * 0.55f};
            rad *= 1.5f;
        }
        if (hasActivity) {
            const float a = std::clamp(activity_[i], 0.f, 1.f);
            col = {col.r + (kFlash.r - col.r) * a, col.g + (kFlash.g - col.g) * a,
                   col.b + (kFlash.b - col.b) * a};
            rad *= 1.f + 0.6f * a;
        }
        c[3 * i] = u8(col.r);
        c[3 * i + 1] = u8(col.g);
        c[3 * i + 2] = u8(col.b);
        r[i] = rad;
    }
    nodeColors_->Modified();
    nodeRadii_->Modified();
    // The budget nodes follow.
    const size_t k = lodNodes_.size();
    lodNodeColors_->SetNumberOfTuples(vtkIdType(k));
    lodNodeRadii_->SetNumberOfTuples(vtkIdType(k));
    unsigned char* lc = k ? lodNodeColors_->GetPointer(0) : nullptr;
    float* lr = k ? lodNodeRadii_->GetPointer(0) : nullptr;
    for (size_t j = 0; j < k; ++j) {
        const uint32_t i = lodNodes_[j];
        std::copy(c + 3 * i, c + 3 * i + 3, lc + 3 * j);
        lr[j] = r[i];
    }
    lodNodeColors_->Modified();
    lodNodeRadii_->Modified();
    lodNodePoly_->Modified();
    std::vector<uint32_t> discRgba(k);
    for (size_t j = 0; j < k; ++j) discRgba[j] = LineSplat::rgba(lc[3 * j], lc[3 * j + 1], lc[3 * j + 2]);
    lodSplat_->setDiscs(lodNodes_, std::move(discRgba), std::vector<float>(lr, lr + k));
    update();
}

void ConnectomeView::backgroundChanged() {
    updateNodeArrays();
    recolorEdges();
}

// ---- edges -------------------------------------------------------------------------------------------

bool ConnectomeView::edgeVisible(size_t e) const {
    const float w = graph_->weight.empty() ? 1.f : graph_->weight[e];
    if (w < minWeight_ || w > maxWeight_) return false;
    const size_t t = graph_->type.empty() ? 0 : graph_->type[e];
    if (t < typeVisible_.size() && !typeVisible_[t]) return false;
    return graph_->src[e] < role_.size() && graph_->dst[e] < role_.size();
}

void ConnectomeView::prepareEdgeColors() {
    // What every edge colour is made of, looked up once per rebuild instead of once per edge.
    double bg[3];
    backgroundColor(bg);
    edgeBack_[0] = float(bg[0] * 255), edgeBack_[1] = float(bg[1] * 255), edgeBack_[2] = float(bg[2] * 255);
    const size_t types = graph_ ? graph_->edgeTypes.size() : 0;
    edgeTypeRgb_.assign(3 * (types + 1), 0.f);
    for (size_t t = 0; t <= types; ++t) {
        const Rgb c = edgeTypeColor(t < types ? graph_->edgeTypes[t] : std::string(), t);
        edgeTypeRgb_[3 * t] = c.r, edgeTypeRgb_[3 * t + 1] = c.g, edgeTypeRgb_[3 * t + 2] = c.b;
    }
}

void ConnectomeView::edgeColor(size_t e, unsigned char rgb[3]) const {
    Rgb c;
    if (edgeColoring_ == EdgeColoring::BySource) {
        const uint32_t s = graph_->src[e];
        c = {float(baseRgb_[3 * s]), float(baseRgb_[3 * s + 1]), float(baseRgb_[3 * s + 2])};
    } else {
        const size_t types = edgeTypeRgb_.size() / 3 - 1;
        const size_t t = std::min<size_t>(graph_->type.empty() ? 0 : graph_->type[e], types);
        c = {edgeTypeRgb_[3 * t], edgeTypeRgb_[3 * t + 1], edgeTypeRgb_[3 * t + 2]};
    }
    // Edges are opaque; their "opacity" mixes the colour with the background, which looks like blending
    // over the background without the cost of a translucent pass over millions of lines.
    float mix = edgeOpacity_;
    if (highlight_ >= 0) {
        const uint32_t h = uint32_t(highlight_);
        if (graph_->dst[e] == h && graph_->src[e] != h)
            c = kPre, mix = 1.f;
        else if (graph_->src[e] == h)
            c = kPost, mix = 1.f;
        else
            mix *= 0.18f; // as the dimmed nodes
    }
    const float* back = edgeBack_;
    c = {back[0] + (c.r - back[0]) * mix, back[1] + (c.g - back[1]) * mix, back[2] + (c.b - back[2]) * mix};
    rgb[0] = u8(c.r);
    rgb[1] = u8(c.g);
    rgb[2] = u8(c.b);
}

void ConnectomeView::rebuildEdges() {
    prepareEdgeColors();
    const size_t m = graph_ && !role_.empty() ? graph_->edgeCount() : 0;
    size_t k = 0;
    for (size_t e = 0; e < m; ++e) k += edgeVisible(e);
    vtkTypeInt32Array* offsets = lines_->GetOffsetsArray32();
    vtkTypeInt32Array* conn = lines_->GetConnectivityArray32();
    offsets->SetNumberOfValues(vtkIdType(k + 1));
    conn->SetNumberOfValues(vtkIdType(2 * k));
    edgeColors_->SetNumberOfTuples(vtkIdType(k));
    int32_t* off = offsets->GetPointer(0);
    int32_t* ids = k ? conn->GetPointer(0) : nullptr;
    unsigned char* col = k ? edgeColors_->GetPointer(0) : nullptr;
    off[0] = 0;
    // The visible edge ids are kept for the level of detail only when a filter hides some.
    visibleIds_.clear();
    visibleIds_.shrink_to_fit();
    if (k < m) visibleIds_.reserve(k);
    size_t j = 0;
    for (size_t e = 0; e < m && j < k; ++e) {
        if (!edgeVisible(e)) continue;
        if (k < m) visibleIds_.push_back(uint32_t(e));
        ids[2 * j] = int32_t(graph_->src[e]);
        ids[2 * j + 1] = int32_t(graph_->dst[e]);
        off[j + 1] = int32_t(2 * (j + 1));
        edgeColor(e, col + 3 * j);
        ++j;
    }
    visibleEdges_ = k;
    trimAfterPaint_ = true;
    offsets->Modified();
    conn->Modified();
    lines_->Modified();
    edgeColors_->Modified();
    edgePoly_->Modified();
    syncSplat(edgeSplat_, lines_, edgeColors_, true);
    updateLodEdges();
    applyEdgeVisibility();
    update();
}

void ConnectomeView::recolorEdges() {
    prepareEdgeColors();
    const size_t m = graph_ && !role_.empty() ? graph_->edgeCount() : 0;
    if (size_t(edgeColors_->GetNumberOfTuples()) != visibleEdges_) return rebuildEdges();
    unsigned char* col = visibleEdges_ ? edgeColors_->GetPointer(0) : nullptr;
    size_t j = 0;
    for (size_t e = 0; e < m && j < visibleEdges_; ++e)
        if (edgeVisible(e)) edgeColor(e, col + 3 * j++);
    edgeColors_->Modified();
    syncSplat(edgeSplat_, lines_, edgeColors_, false);
    recolorLodEdges();
    update();
}

// ---- level of detail ---------------------------------------------------------------------------------

void ConnectomeView::updateLodEdges() {
    lodEdges_.clear();
    const size_t m = graph_ && !role_.empty() ? graph_->edgeCount() : 0;
    const size_t budget = lod_.budget();
    if (m > 0 && visibleEdges_ > budget) {
        // The highlighted node's visible edges are always drawn; the sample fills the rest of the budget.
        std::vector<uint32_t> always;
        if (highlight_ >= 0) {
            const uint32_t h = uint32_t(highlight_);
            for (size_t e = 0; e < m; ++e)
                if ((graph_->src[e] == h || graph_->dst[e] == h) && edgeVisible(e))
                    always.push_back(uint32_t(e));
        }
        std::vector<uint32_t> sample;
        if (budget > always.size()) {
            // The strongest edges by |weight| first; without weights, a uniform sample only.
            const std::vector<float>* w = &graph_->weight;
            std::vector<float> tmp;
            double strongShare = 0.5;
            if (w->size() != m) {
                tmp.assign(m, 0.f);
                w = &tmp;
                strongShare = 0;
            } else if (std::any_of(w->begin(), w->end(), [](float x) { return x < 0; })) {
                tmp.resize(m);
                std::transform(w->begin(), w->end(), tmp.begin(), [](float x) { return std::fabs(x); });
                w = &tmp;
            }
            sample = lodSample(*w, visibleIds_, budget - always.size(), strongShare);
        }
        lodEdges_.reserve(sample.size() + always.size());
        std::set_union(sample.begin(), sample.end(), always.begin(), always.end(),
                       std::back_inserter(lodEdges_));
    }
    const size_t k = lodEdges_.size();
    vtkTypeInt32Array* offsets = lodLines_->GetOffsetsArray32();
    vtkTypeInt32Array* conn = lodLines_->GetConnectivityArray32();
    offsets->SetNumberOfValues(vtkIdType(k + 1));
    conn->SetNumberOfValues(vtkIdType(2 * k));
    int32_t* off = offsets->GetPointer(0);
    int32_t* ids = k ? conn->GetPointer(0) : nullptr;
    off[0] = 0;
    for (size_t j = 0; j < k; ++j) {
        ids[2 * j] = int32_t(graph_->src[lodEdges_[j]]);
        ids[2 * j + 1] = int32_t(graph_->dst[lodEdges_[j]]);
        off[j + 1] = int32_t(2 * (j + 1));
    }
    offsets->Modified();
    conn->Modified();
    lodLines_->Modified();
    recolorLodEdges();
    syncSplat(lodSplat_, lodLines_, lodColors_, true);
}

void ConnectomeView::recolorLodEdges() {
    prepareEdgeColors();
    const size_t k = lodEdges_.size();
    lodColors_->SetNumberOfTuples(vtkIdType(k));
    unsigned char* col = k ? lodColors_->GetPointer(0) : nullptr;
    for (size_t j = 0; j < k; ++j) edgeColor(lodEdges_[j], col + 3 * j);
    lodColors_->Modified();
    lodPoly_->Modified();
    syncSplat(lodSplat_, lodLines_, lodColors_, false);
}

void ConnectomeView::syncSplat(LineSplat* splat, vtkCellArray* cells, vtkUnsignedCharArray* colors,
                               bool lines) {
    const size_t k = size_t(colors->GetNumberOfTuples());
    const bool full = splat == edgeSplat_.Get();
    std::vector<uint32_t>& order = full ? edgeOrder_ : lodOrder_;
    if (lines) {
        // Drawn in a spatial order (neighbouring lines write neighbouring pixels); order[i] is the cell.
        const uint32_t* ids = full ? (visibleIds_.empty() ? nullptr : visibleIds_.data()) : lodEdges_.data();
        double b[6] = {0, 0, 0, 0, 0, 0};
        if (graph_ && k > 0) {
            const std::vector<float> gb = graph_->bounds();
            for (int a = 0; a < 3; ++a) b[2 * a] = gb[size_t(a)], b[2 * a + 1] = gb[size_t(a) + 3];
            order = spatialLineOrder(graph_->x.data(), graph_->y.data(), graph_->z.data(), graph_->src.data(),
                                     graph_->dst.data(), ids, k, b);
        } else {
            order.clear();
        }
        vtkTypeInt32Array* conn = cells->GetConnectivityArray32();
        std::vector<uint32_t> ends(2 * order.size());
        const int32_t* cell = k ? conn->GetPointer(0) : nullptr;
        for (size_t i = 0; i < order.size(); ++i) {
            ends[2 * i] = uint32_t(cell[2 * size_t(order[i])]);
            ends[2 * i + 1] = uint32_t(cell[2 * size_t(order[i]) + 1]);
        }
        splat->setLines(std::move(ends));
    }
    std::vector<uint32_t>& out = splat->colors();
    if (out.size() != k || order.size() != k) return; // the lines follow (rebuildEdges, updateLodEdges)
    const unsigned char* c = k ? colors->GetPointer(0) : nullptr;
    for (size_t i = 0; i < k; ++i) {
        const unsigned char* q = c + 3 * size_t(order[i]);
        out[i] = LineSplat::rgba(q[0], q[1], q[2]);
    }
    splat->Modified();
}

bool ConnectomeView::lodSampleStale() const {
    const size_t want = visibleEdges_ > lod_.budget() ? lod_.budget() : 0;
    const size_t have = lodEdges_.size();
    return (want == 0) != (have == 0) || want * 4 < have * 3 || want * 3 > have * 4;
}

void ConnectomeView::applyEdgeVisibility() {
    const bool show = edgeOpacity_ > 0.f;
    const bool useLod = lod_.moving() && !lodEdges_.empty() && lodEdges_.size() < visibleEdges_;
    edgeSplat_->SetVisibility(show && !useLod);
    const bool useLodNodes = lod_.moving() && !lodNodes_.empty() && lodNodes_.size() < role_.size();
    // The budget splat draws the budget edges and the budget nodes (as discs), either or both.
    lodSplat_->setLinesShown(show && useLod);
    lodSplat_->SetVisibility((show && useLod) || useLodNodes);
    nodeActor_->SetVisibility(!useLodNodes);
    lodNodesOn_ = useLodNodes;
}

void ConnectomeView::updateLodNodes() {
    lodNodes_.clear();
    const size_t n = role_.size();
    if (n > lodNodeBudget_ && lodNodeWeight_.size() == n) {
        // The highlighted node, its partners and the selection are always drawn; the highest-degree nodes
        // and a uniform sample fill the rest of the budget.
        std::vector<uint32_t> always;
        for (size_t i = 0; i < n; ++i)
            if (role_[i] || selected_[i]) always.push_back(uint32_t(i));
        std::vector<uint32_t> sample;
        if (lodNodeBudget_ > always.size())
            sample = lodSample(lodNodeWeight_, {}, lodNodeBudget_ - always.size(), 0.5);
        lodNodes_.reserve(sample.size() + always.size());
        std::set_union(sample.begin(), sample.end(), always.begin(), always.end(),
                       std::back_inserter(lodNodes_));
    }
    const size_t k = lodNodes_.size();
    lodNodePoints_->SetNumberOfPoints(vtkIdType(k));
    float* p = k ? static_cast<float*>(lodNodePoints_->GetVoidPointer(0)) : nullptr;
    for (size_t j = 0; j < k; ++j) {
        p[3 * j] = graph_->x[lodNodes_[j]];
        p[3 * j + 1] = graph_->y[lodNodes_[j]];
        p[3 * j + 2] = graph_->z[lodNodes_[j]];
    }
    lodNodePoints_->Modified();
    lodNodeVerts_->GetOffsetsArray32()->SetNumberOfValues(vtkIdType(k + 1));
    lodNodeVerts_->GetConnectivityArray32()->SetNumberOfValues(vtkIdType(k));
    int32_t* vo = lodNodeVerts_->GetOffsetsArray32()->GetPointer(0);
    int32_t* vc = k ? lodNodeVerts_->GetConnectivityArray32()->GetPointer(0) : nullptr;
    for (size_t j = 0; j <= k; ++j) vo[j] = int32_t(j);
    for (size_t j = 0; j < k; ++j) vc[j] = int32_t(j);
    lodNodeVerts_->Modified();
    lodNodePoly_->Modified();
    applyEdgeVisibility();
}

void ConnectomeView::setEdgeFilter(float minWeight, float maxWeight, const std::vector<bool>& typeVisible) {
    minWeight_ = minWeight;
    maxWeight_ = maxWeight;
    typeVisible_ = typeVisible;
    rebuildEdges();
}

void ConnectomeView::setEdgeColoring(EdgeColoring c) {
    edgeColoring_ = c;
    recolorEdges();
}

void ConnectomeView::setNodeSize(float scale) {
    nodeScale_ = std::max(0.01f, scale);
    updateNodeArrays();
}

void ConnectomeView::setEdgeOpacity(float a) {
    edgeOpacity_ = std::clamp(a, 0.f, 1.f);
    applyEdgeVisibility();
    recolorEdges();
}

// ---- highlight, selection, activity ------------------------------------------------------------------

void ConnectomeView::highlightNode(long id) {
    const size_t n = role_.size();
    if (id < 0 || size_t(id) >= n) id = -1;
    if (id == highlight_) return;
    highlight_ = id;
    std::fill(role_.begin(), role_.end(), 0);
    if (id >= 0) {
        // One pass over the edge columns: cheaper in memory than building both adjacency indexes.
        const uint32_t h = uint32_t(id);
        const auto& s = graph_->src;
        const auto& d = graph_->dst;
        for (size_t e = 0; e < s.size(); ++e) {
            if (d[e] == h && s[e] < n) role_[s[e]] |= 1;
            if (s[e] == h && d[e] < n) role_[d[e]] |= 2;
        }
        role_[h] = 4;
    }
    updateLodNodes();
    updateNodeArrays();
    // The highlighted node's edges join the budget sample (recolorEdges colours it).
    if (visibleEdges_ > lod_.budget()) updateLodEdges();
    recolorEdges();
}

void ConnectomeView::setSelection(const std::vector<uint32_t>& ids) {
    std::fill(selected_.begin(), selected_.end(), 0);
    selection_.clear();
    for (uint32_t i : ids)
        if (i < selected_.size() && !selected_[i]) {
            selected_[i] = 1;
            selection_.push_back(i);
        }
    updateLodNodes();
    updateNodeArrays();
}

void ConnectomeView::setActivity(const std::vector<float>& level) {
    if (level.size() == role_.size())
        activity_ = level;
    else
        activity_.clear();
    updateNodeArrays();
}

// ---- camera ------------------------------------------------------------------------------------------

void ConnectomeView::flyTo(long id) {
    if (id < 0 || size_t(id) >= role_.size()) return;
    flight_.stop();
    flightFrom_ = camera();
    flightTo_ = flightFrom_;
    const double target[3] = {graph_->x[size_t(id)], graph_->y[size_t(id)], graph_->z[size_t(id)]};
    double dir[3], dist = 0;
    for (int k = 0; k < 3; ++k) {
        dir[k] = flightFrom_.pos[k] - flightFrom_.focal[k];
        dist += dir[k] * dir[k];
    }
    dist = std::sqrt(dist);
    if (dist <= 0) return;
    // Close enough to see the neighbourhood: at most 60 node radii away.
    const double newDist = std::min(dist, 60.0 * baseRadius_ * nodeScale_ /
                                              std::tan(flightFrom_.viewAngle * M_PI / 360.0) * 0.2);
    for (int k = 0; k < 3; ++k) {
        flightTo_.focal[k] = target[k];
        flightTo_.pos[k] = target[k] + dir[k] / dist * std::max(newDist, dist * 0.25);
    }
    flight_.start();
}

// ---- picking -----------------------------------------------------------------------------------------

long ConnectomeView::pickNode(QPoint widgetPos) {
    if (role_.empty() || !rect().contains(widgetPos)) return -1;
    // The highlighted (found or clicked) neuron first: a click inside the disc it is drawn as picks it, also
    // where a neighbour in front overlaps it (in a dense nerve ring the spheres overlap; after Find the user
    // clicks the neuron that was found, at the centre of the view, not the one that happens to be nearer).
    if (highlight_ >= 0 && size_t(highlight_) < role_.size()) {
        const QPointF c = projectNode(highlight_);
        const double r = std::max(3.0, projectedRadius(highlight_));
        if (QLineF(c, QPointF(widgetPos)).length() <= r) return highlight_;
    }
    int x = 0, y = 0;
    toDisplay(widgetPos, x, y);
    long picked = -1;
    withRenderContext([&] {
        const int* size = renderWindow()->GetSize();
        const int reach = std::max(2, int(3 * pixelRatio()));
        vtkNew<vtkHardwareSelector> sel;
        sel->SetRenderer(renderer());
        // Vertex cell i is node i, so the cell id is the node id.
        sel->SetFieldAssociation(vtkDataObject::FIELD_ASSOCIATION_CELLS);
        sel->SetArea(unsigned(std::max(0, x - reach)), unsigned(std::max(0, y - reach)),
                     unsigned(std::min(size[0] - 1, x + reach)), unsigned(std::min(size[1] - 1, y + reach)));
        // Edges never hide a node from the pointer: the line splats draw nothing in selection passes.
        const bool nodesOn = nodeActor_->GetVisibility();
        // Every node can be picked, also while the view draws the moving budget.
        nodeActor_->VisibilityOn();
        if (sel->CaptureBuffers()) {
            const unsigned int pos[2] = {unsigned(x), unsigned(y)};
            unsigned int found[2];
            const auto info = sel->GetPixelInformation(pos, reach, found);
            if (info.Valid && info.Prop == nodeActor_.GetPointer() && info.AttributeID >= 0 &&
                size_t(info.AttributeID) < role_.size())
                picked = long(info.AttributeID);
            sel->ClearBuffers();
        }
        nodeActor_->SetVisibility(nodesOn);
    });
    update();
    return picked;
}

QPointF ConnectomeView::projectNode(long id) const {
    if (id < 0 || size_t(id) >= role_.size()) return QPointF(-1, -1);
    vtkRenderer* ren = renderer();
    ren->SetWorldPoint(graph_->x[size_t(id)], graph_->y[size_t(id)], graph_->z[size_t(id)], 1.0);
    ren->WorldToDisplay();
    double d[3];
    ren->GetDisplayPoint(d);
    const double dpr = pixelRatio();
    const int h = renderWindow()->GetSize()[1];
    return QPointF(d[0] / dpr, (h - 1 - d[1]) / dpr);
}

double ConnectomeView::projectedRadius(long id) const {
    if (id < 0 || size_t(id) >= role_.size() || nodeRadii_->GetNumberOfTuples() <= vtkIdType(id)) return 0;
    // The node's centre and a point one drawn radius from it along the camera's up direction, on screen.
    vtkCamera* cam = renderer()->GetActiveCamera();
    double up[3];
    cam->GetViewUp(up);
    const double len = std::sqrt(up[0] * up[0] + up[1] * up[1] + up[2] * up[2]);
    if (len <= 0) return 0;
    const double rad = nodeRadii_->GetValue(vtkIdType(id));
    const double p[3] = {graph_->x[size_t(id)], graph_->y[size_t(id)], graph_->z[size_t(id)]};
    double a[3], b[3];
    vtkRenderer* ren = renderer();
    ren->SetWorldPoint(p[0], p[1], p[2], 1.0);
    ren->WorldToDisplay();
    ren->GetDisplayPoint(a);
    ren->SetWorldPoint(p[0] + up[0] / len * rad, p[1] + up[1] / len * rad, p[2] + up[2] / len * rad, 1.0);
    ren->WorldToDisplay();
    ren->GetDisplayPoint(b);
    return std::hypot(a[0] - b[0], a[1] - b[1]) / pixelRatio();
}

std::vector<uint32_t> ConnectomeView::nodesInRect(QRect r) const {
    std::vector<uint32_t> ids;
    const size_t n = role_.size();
    if (n == 0) return ids;
    vtkRenderer* ren = renderer();
    const double aspect = double(width()) / std::max(1, height());
    vtkMatrix4x4* m = ren->GetActiveCamera()->GetCompositeProjectionTransformMatrix(aspect, -1, 1);
    double a[16];
    std::copy(&m->Element[0][0], &m->Element[0][0] + 16, a);
    for (size_t i = 0; i < n; ++i) {
        const double p[3] = {graph_->x[i], graph_->y[i], graph_->z[i]};
        const double w = a[12] * p[0] + a[13] * p[1] + a[14] * p[2] + a[15];
        if (w <= 0) continue;
        const double nx = (a[0] * p[0] + a[1] * p[1] + a[2] * p[2] + a[3]) / w;
        const double ny = (a[4] * p[0] + a[5] * p[1] + a[6] * p[2] + a[7]) / w;
        const double sx = (nx + 1) * 0.5 * width(), sy = (1 - ny) * 0.5 * height();
        if (r.contains(QPoint(int(sx), int(sy)))) ids.push_back(uint32_t(i));
    }
    return ids;
}

// ---- mouse -------------------------------------------------------------------------------------------

void ConnectomeView::mousePressEvent(QMouseEvent* e) {
    pressPos_ = e->position().toPoint();
    pressButton_ = e->button();
    hoverTimer_.stop();
    if (e->button() == Qt::LeftButton && (e->modifiers() & Qt::ControlModifier)) {
        // Ctrl + drag draws a rubber band that adds the nodes inside to the selection.
        rubberBand_ = true;
        bandEnd_ = pressPos_;
        return;
    }
    VtkView::mousePressEvent(e);
}

void ConnectomeView::mouseMoveEvent(QMouseEvent* e) {
    if (rubberBand_) {
        bandEnd_ = e->position().toPoint();
        update();
        return;
    }
    if (e->buttons() == Qt::NoButton) {
        hoverPos_ = e->position().toPoint();
        if (!hoverTimer_.isActive()) hoverTimer_.start();
    }
    VtkView::mouseMoveEvent(e);
}

void ConnectomeView::mouseReleaseEvent(QMouseEvent* e) {
    const QPoint pos = e->position().toPoint();
    const bool click = e->button() == pressButton_ && (pos - pressPos_).manhattanLength() < 4;
    const bool additive = e->modifiers() & (Qt::ShiftModifier | Qt::ControlModifier);
    if (rubberBand_ && e->button() == Qt::LeftButton) {
        rubberBand_ = false;
        std::vector<uint32_t> add;
        if (click) {
            const long id = pickNode(pos);
            if (id >= 0) add.push_back(uint32_t(id));
        } else {
            add = nodesInRect(QRect(pressPos_, pos).normalized());
        }
        std::vector<uint32_t> sel = selection_;
        if (click && add.size() == 1 && add[0] < selected_.size() && selected_[add[0]])
            sel.erase(std::remove(sel.begin(), sel.end(), add[0]), sel.end());
        else
            sel.insert(sel.end(), add.begin(), add.end());
        setSelection(sel);
        emit selectionChanged(selection_);
        update();
        return;
    }
    VtkView::mouseReleaseEvent(e);
    if (!click || e->button() != Qt::LeftButton) return;
    const long id = pickNode(pos);
    if (additive) {
        if (id < 0) return;
        std::vector<uint32_t> sel = selection_;
        if (selected_[size_t(id)])
            sel.erase(std::remove(sel.begin(), sel.end(), uint32_t(id)), sel.end());
        else
            sel.push_back(uint32_t(id));
        setSelection(sel);
        emit selectionChanged(selection_);
        return;
    }
    highlightNode(id);
    emit nodeClicked(id);
}

void ConnectomeView::leaveEvent(QEvent* e) {
    hoverTimer_.stop();
    if (hovered_ != -1) {
        hovered_ = -1;
        hoverText_.clear();
        emit nodeHovered(-1);
        update();
    }
    VtkView::leaveEvent(e);
}

void ConnectomeView::onHoverTimer() {
    const long id = pickNode(hoverPos_);
    if (id == hovered_) return;
    hovered_ = id;
    if (id >= 0) {
        hoverText_ = QString::fromStdString(graph_->names[size_t(id)]);
        if (!graph_->nodeClass.empty() && !graph_->nodeClass[size_t(id)].empty())
            hoverText_ += QStringLiteral(" (%1)").arg(QString::fromStdString(graph_->nodeClass[size_t(id)]));
    } else {
        hoverText_.clear();
    }
    emit nodeHovered(id);
    update();
}

// ---- frames ------------------------------------------------------------------------------------------

void ConnectomeView::warmLod() {
    lodWarmQueued_ = false;
    if (lod_.moving() || !graph_ || (lodEdges_.empty() && lodNodes_.empty())) return;
    const bool ok = withRenderContext([&] {
        const bool edgesOn = edgeSplat_->GetVisibility(), lodOn = lodSplat_->GetVisibility();
        const bool lodLinesOn = lodSplat_->linesShown(), nodesOn = nodeActor_->GetVisibility();
        edgeSplat_->VisibilityOff();
        nodeActor_->VisibilityOff();
        auto showBudget = [&] {
            const bool lines = !lodEdges_.empty() && edgeOpacity_ > 0.f;
            lodSplat_->setLinesShown(lines);
            lodSplat_->SetVisibility(lines || !lodNodes_.empty());
            return lines;
        };
        const bool lines = showBudget();
        // The first frame uploads the budget; the second is timed: it tells the level of detail what a moving
        // frame costs besides its edges. When that moves the budget far, the sample is redone.
        renderSceneMs();
        lod_.budgetFrameDrawn(lines ? lodEdges_.size() : 0, renderSceneMs());
        if (lodSampleStale()) {
            updateLodEdges();
            showBudget();
            renderWindow()->Render(); // uploads the new sample
        }
        edgeSplat_->SetVisibility(edgesOn);
        lodSplat_->SetVisibility(lodOn);
        lodSplat_->setLinesShown(lodLinesOn);
        nodeActor_->SetVisibility(nodesOn);
    });
    if (ok) lodWarmTime_ = lodLines_->GetMTime();
}

void ConnectomeView::paintGL() {
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
    const bool lodOn = lodSplat_->GetVisibility() && lodSplat_->linesShown();
    drawnEdges_ = lodOn ? lodSplat_->lastDrawn() : edgeSplat_->GetVisibility() ? edgeSplat_->lastDrawn() : 0;
    drawnNodes_ = lodNodesOn_ ? lodNodes_.size() : nodeActor_->GetVisibility() ? role_.size() : 0;
    // The cost of this frame tunes the budget of the next moving frames.
    lod_.frameDrawn(drawnEdges_, lastFrameMs());
    // Far over budget (the first moving frame of a big graph): resample now for the next frame. At rest, the
    // frame just measured may have moved the budget far from the sample: resample for the first moving frame.
    if (lodOn ? lod_.budget() * 4 < lodEdges_.size() * 3 : !lod_.moving() && lodSampleStale())
        updateLodEdges();
    // At rest with a new sample: upload it now (when the event loop is idle), not in the first moving frame.
    if (!lod_.moving() && !lodWarmQueued_ && (!lodEdges_.empty() || !lodNodes_.empty()) &&
        lodLines_->GetMTime() > lodWarmTime_ &&
        !QCoreApplication::instance()->property("neurorama.oneFrame").toBool()) {
        lodWarmQueued_ = true;
        QTimer::singleShot(0, this, &ConnectomeView::warmLod);
    }
    if (!trimAfterPaint_) return;
    trimAfterPaint_ = false;
#if defined(__GLIBC__)
    // The frame after a rebuild has uploaded the new line buffers; the temporaries of that upload, the
    // old buffers and whatever else was freed while the graph was read are free blocks that glibc keeps
    // (below its mmap threshold, or in the arenas of the rasterizer threads). Return them to the system.
    malloc_trim(0);
#endif
}

// ---- overlay -----------------------------------------------------------------------------------------

std::vector<ConnectomeView::LegendEntry> ConnectomeView::edgeLegend() const {
    std::vector<LegendEntry> out;
    if (!graph_) return out;
    if (highlight_ >= 0) {
        out.push_back({"presynaptic (in)", nr::palette::kPresynaptic, 0});
        out.push_back({"postsynaptic (out)", nr::palette::kPostsynaptic, 0});
        out.push_back({"both ways", nr::palette::kBothWays, 0});
        return out;
    }
    if (edgeColoring_ == EdgeColoring::BySource) return out;
    std::vector<size_t> counts(graph_->edgeTypes.size(), 0);
    for (uint8_t t : graph_->type)
        if (t < counts.size()) ++counts[t];
    for (size_t t = 0; t < graph_->edgeTypes.size(); ++t) {
        if (counts[t] == 0) continue;
        const Rgb c = edgeTypeColor(graph_->edgeTypes[t], t);
        out.push_back({graph_->edgeTypes[t] + " edges", {u8(c.r), u8(c.g), u8(c.b)}, counts[t]});
    }
    return out;
}

void ConnectomeView::drawOverlay() {
    swatches_.clear();
    overlayRects_.clear();
    const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize |
                                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoFocusOnAppearing |
                                   ImGuiWindowFlags_NoNav | ImGuiWindowFlags_NoMove;
    auto noteWindow = [this] {
        overlayRects_.push_back(QRectF(ImGui::GetWindowPos().x, ImGui::GetWindowPos().y,
                                       ImGui::GetWindowSize().x, ImGui::GetWindowSize().y));
    };
    ImGui::SetNextWindowPos(ImVec2(8, 8), ImGuiCond_Always);
    ImGui::SetNextWindowBgAlpha(0.55f);
    if (ImGui::Begin("##connectome-stats", nullptr, flags)) {
        ImGui::Text("%7.1f ms/frame", lastFrameMs()); // fixed width: the window keeps its size
        ImGui::Text("%zu nodes", role_.size());
        ImGui::Text("%zu / %zu edges", visibleEdges_,
                    graph_ && !role_.empty() ? graph_->edgeCount() : size_t(0));
        if (lodSplat_->GetVisibility())
            ImGui::Text("moving: %zu nodes, %zu edges drawn", drawnNodes_, drawnEdges_);
        if (!selection_.empty()) ImGui::Text("%zu selected", selection_.size());
        if (!hoverText_.isEmpty()) {
            ImGui::Separator();
            ImGui::TextUnformatted(hoverText_.toUtf8().constData());
        }
        noteWindow();
    }
    ImGui::End();

    // The highlighted (clicked or found) neuron carries its name beside it.
    highlightLabel_.clear();
    highlightLabelRect_ = QRectF();
    if (graph_ && highlight_ >= 0 && size_t(highlight_) < graph_->names.size()) {
        const QPointF at = projectNode(highlight_);
        if (rect().contains(at.toPoint())) {
            highlightLabel_ = QString::fromStdString(graph_->names[size_t(highlight_)]);
            const QByteArray text = highlightLabel_.toUtf8();
            const ImVec2 ts = ImGui::CalcTextSize(text.constData());
            // Above right of the node, clear of the disc it is drawn as, kept inside the view.
            const float r = float(std::max(4.0, projectedRadius(highlight_))) * 0.72f + 4.f;
            const float cx = float(at.x()), cy = float(at.y());
            float x = cx + r, y = cy - r - ts.y;
            x = std::min(x, float(width()) - ts.x - 6.f);
            y = std::max(y, 4.f);
            ImDrawList* fg = ImGui::GetForegroundDrawList();
            fg->AddLine(ImVec2(cx + (r - 4.f), cy - (r - 4.f)), ImVec2(x - 3, y + ts.y + 2),
                        IM_COL32(255, 255, 255, 200));
            fg->AddRectFilled(ImVec2(x - 3, y - 2), ImVec2(x + ts.x + 3, y + ts.y + 2),
                              IM_COL32(0, 0, 0, 170), 3.f);
            fg->AddText(ImVec2(x, y), IM_COL32(255, 255, 255, 255), text.constData());
            highlightLabelRect_ = QRectF(x - 3, y - 2, ts.x + 6, ts.y + 4);
        }
    }

    // Legend: what every colour means, in the bottom-left corner. Small views get a smaller one (smaller
    // type, fewer rows) so that it does not cover the data.
    if (graph_ && !role_.empty()) {
        const ImVec2 display = ImGui::GetIO().DisplaySize;
        const bool compact = display.x < 700 || display.y < 480;
        ImGui::SetNextWindowPos(ImVec2(8, display.y - 8), ImGuiCond_Always, ImVec2(0, 1));
        ImGui::SetNextWindowBgAlpha(0.6f);
        if (ImGui::Begin("##connectome-legend", nullptr, flags)) {
            ImGui::SetWindowFontScale(compact ? 0.8f : 1.f);
            ImDrawList* dl = ImGui::GetWindowDrawList();
            const float sw = ImGui::GetTextLineHeight();
            auto swatch = [&](const std::string& label, nr::palette::Rgb c, size_t count) {
                const ImVec2 p = ImGui::GetCursorScreenPos();
                dl->AddRectFilled(p, ImVec2(p.x + sw, p.y + sw), IM_COL32(c.r, c.g, c.b, 255));
                swatches_.push_back({label, QRectF(p.x, p.y, sw, sw)});
                ImGui::Dummy(ImVec2(sw, sw));
                ImGui::SameLine();
                if (count > 0 && !compact)
                    ImGui::Text("%s (%zu)", label.c_str(), count);
                else
                    ImGui::TextUnformatted(label.c_str());
            };
            const std::string& shown = overrideRgb_.empty() ? colorBy_ : overrideTitle_;
            const std::string title = highlight_ >= 0 ? std::string("nodes: ") + shown : "colour: " + shown;
            ImGui::TextUnformatted(title.c_str());
            // At most about a third of the view's height of rows.
            const float rowH = ImGui::GetTextLineHeightWithSpacing();
            const size_t maxRows = std::clamp<size_t>(size_t(display.y * 0.33f / std::max(1.f, rowH)), 3, 14);
            for (size_t i = 0; i < legend_.size() && i < maxRows; ++i)
                swatch(legend_[i].label, legend_[i].color, legend_[i].count);
            if (legend_.size() > maxRows) ImGui::Text("... %zu more", legend_.size() - maxRows);
            if (!overrideRgb_.empty() && !overrideRamp_.empty()) {
                // Colour bar of the colours set from outside (activity at the cursor).
                const ImVec2 p = ImGui::GetCursorScreenPos();
                const float w = compact ? 110.f : 160.f, h = sw;
                const int steps = int(overrideRamp_.size());
                for (int k = 0; k < steps; ++k) {
                    const QColor& c = overrideRamp_[size_t(k)];
                    dl->AddRectFilled(ImVec2(p.x + w * k / steps, p.y),
                                      ImVec2(p.x + w * (k + 1) / steps + 0.5f, p.y + h),
                                      IM_COL32(c.red(), c.green(), c.blue(), 255));
                }
                swatches_.push_back({"colorbar", QRectF(p.x, p.y, w, h)});
                ImGui::Dummy(ImVec2(w, h));
                ImGui::Text("%.3g", overrideLo_);
                ImGui::SameLine(w - 30);
                ImGui::Text("%.3g", overrideHi_);
            } else if (colorBar_.valid && legend_.empty()) {
                // Colour bar: the colour map from low to high, with its range and scale.
                const ImVec2 p = ImGui::GetCursorScreenPos();
                const float w = compact ? 110.f : 160.f, h = sw;
                const int steps = 32;
                for (int k = 0; k < steps; ++k) {
                    const Rgb c = viridis(float(k) / float(steps - 1));
                    dl->AddRectFilled(ImVec2(p.x + w * k / steps, p.y),
                                      ImVec2(p.x + w * (k + 1) / steps + 0.5f, p.y + h),
                                      IM_COL32(u8(c.r), u8(c.g), u8(c.b), 255));
                }
                swatches_.push_back({"colorbar", QRectF(p.x, p.y, w, h)});
                ImGui::Dummy(ImVec2(w, h));
                ImGui::Text("%.3g", colorBar_.lo);
                ImGui::SameLine(w - 30);
                ImGui::Text("%.3g", colorBar_.hi);
                if (colorBar_.log) ImGui::TextUnformatted("(log scale)");
            }
            const auto edges = edgeLegend();
            if (!edges.empty()) {
                ImGui::Separator();
                for (const auto& e : edges) swatch(e.label, e.color, e.count);
            }
            if (!activity_.empty()) {
                ImGui::Separator();
                swatch("spiking (activity)", nr::palette::kActivityFlash, 0);
            }
            noteWindow();
        }
        ImGui::End();
    }
    if (rubberBand_) {
        ImDrawList* dl = ImGui::GetForegroundDrawList();
        const ImVec2 a(float(pressPos_.x()), float(pressPos_.y())),
            b(float(bandEnd_.x()), float(bandEnd_.y()));
        dl->AddRectFilled(a, b, IM_COL32(120, 170, 255, 40));
        dl->AddRect(a, b, IM_COL32(120, 170, 255, 200));
    }
}

std::vector<VtkView::FigureKey> ConnectomeView::figureKeys() const {
    std::vector<FigureKey> keys;
    if (!graph_ || graph_->nodeCount() == 0) return keys;
    auto qc = [](const nr::palette::Rgb& c) { return QColor(c.r, c.g, c.b); };
    auto entry = [](const LegendEntry& e) {
        return e.count > 0 ? QStringLiteral("%1 (%2)").arg(QString::fromStdString(e.label)).arg(e.count)
                           : QString::fromStdString(e.label);
    };
    FigureKey nodes;
    nodes.title = QString::fromStdString(overrideRgb_.empty() ? colorBy_ : overrideTitle_);
    for (const LegendEntry& e : legend_) nodes.swatches.push_back({qc(e.color), entry(e)});
    if (!overrideRgb_.empty() && !overrideRamp_.empty()) {
        nodes.ramp = overrideRamp_;
        nodes.lo = overrideLo_;
        nodes.hi = overrideHi_;
    } else if (colorBar_.valid && legend_.empty()) {
        for (int k = 0; k < 32; ++k) {
            const Rgb c = viridis(float(k) / 31.f);
            nodes.ramp.push_back(QColor(u8(c.r), u8(c.g), u8(c.b)));
        }
        nodes.lo = colorBar_.lo;
        nodes.hi = colorBar_.hi;
        nodes.logScale = colorBar_.log;
    }
    if (!nodes.swatches.empty() || !nodes.ramp.empty()) keys.push_back(std::move(nodes));
    FigureKey edges;
    edges.title = QStringLiteral("edges");
    for (const LegendEntry& e : edgeLegend()) edges.swatches.push_back({qc(e.color), entry(e)});
    if (!activity_.empty())
        edges.swatches.push_back({qc(nr::palette::kActivityFlash), QStringLiteral("spiking (activity)")});
    if (!edges.swatches.empty()) keys.push_back(std::move(edges));
    return keys;
}
