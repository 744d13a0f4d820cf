#include "session/Figure.h"

#include <cmath>
#include <set>

#include "session/Session.h"

namespace nr {

const char* panelViewName(PanelView v) {
    switch (v) {
    case PanelView::Network:
        return "network";
    case PanelView::Raster:
        return "raster";
    case PanelView::Rdm:
        return "rdm";
    case PanelView::Histogram:
        return "histogram";
    case PanelView::Traces:
        return "traces";
    case PanelView::FcMatrix:
        return "fc-matrix";
    case PanelView::Adjacency:
        return "adjacency";
    case PanelView::Sholl:
        return "sholl";
    case PanelView::StructureFunction:
        return "structure-function";
    case PanelView::Communities:
        return "communities";
    case PanelView::Vessels:
        return "vessels";
    case PanelView::Neurons:
        return "neurons";
    case PanelView::Geometry:
        return "geometry";
    case PanelView::Rates:
        return "rates";
    }
    return "raster";
}

const char* panelViewLabel(PanelView v) {
    switch (v) {
    case PanelView::Network:
        return "3-D network";
    case PanelView::Raster:
        return "Spike raster with rates";
    case PanelView::Rdm:
        return "Dissimilarity matrix (RDM)";
    case PanelView::Histogram:
        return "Histogram (vessel radii, firing rates, ISI CV, segment lengths)";
    case PanelView::Traces:
        return "Activity traces heatmap";
    case PanelView::FcMatrix:
        return "Functional connectivity (FC) matrix";
    case PanelView::Adjacency:
        return "Adjacency matrix";
    case PanelView::Sholl:
        return "Sholl profile";
    case PanelView::StructureFunction:
        return "Structure vs function";
    case PanelView::Communities:
        return "Communities over time";
    case PanelView::Vessels:
        return "3-D vessels";
    case PanelView::Neurons:
        return "3-D neurons";
    case PanelView::Geometry:
        return "Population geometry (PCA trajectory)";
    case PanelView::Rates:
        return "Population firing rates";
    }
    return "";
}

std::vector<PanelView> allPanelViews() {
    return {PanelView::Network,     PanelView::Raster,  PanelView::Rdm,
            PanelView::Histogram,   PanelView::Traces,  PanelView::FcMatrix,
            PanelView::Adjacency,   PanelView::Sholl,   PanelView::StructureFunction,
            PanelView::Communities, PanelView::Vessels, PanelView::Neurons,
            PanelView::Geometry,    PanelView::Rates};
}

std::optional<PanelView> panelViewFromName(const std::string& s) {
    for (PanelView v : allPanelViews())
        if (s == panelViewName(v)) return v;
    return std::nullopt;
}

std::string panelLetter(size_t i) {
    std::string s;
    ++i;
    while (i > 0) {
        --i;
        s.insert(s.begin(), char('A' + i % 26));
        i /= 26;
    }
    return s;
}

namespace {

std::string num(double v) {
    char buf[64];
    snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

} // namespace

std::string checkFigure(const Figure& f) {
    using L = FigureLimits;
    if (f.name.empty() || f.name.size() > 256) return "the name must have 1 to 256 characters";
    if (!(f.widthMm >= L::kMinMm && f.widthMm <= L::kMaxMm) ||
        !(f.heightMm >= L::kMinMm && f.heightMm <= L::kMaxMm))
        return "the page " + num(f.widthMm) + " x " + num(f.heightMm) + " mm is outside " + num(L::kMinMm) +
               " to " + num(L::kMaxMm) + " mm";
    if (f.rows < 1 || f.rows > L::kMaxGrid || f.cols < 1 || f.cols > L::kMaxGrid)
        return "the grid " + std::to_string(f.rows) + " x " + std::to_string(f.cols) + " is outside 1 to " +
               std::to_string(L::kMaxGrid) + " rows and columns";
    if (!(f.fontPt >= L::kMinFontPt && f.fontPt <= L::kMaxFontPt))
        return "the font size " + num(f.fontPt) + " pt is outside " + num(L::kMinFontPt) + " to " +
               num(L::kMaxFontPt) + " pt";
    if (!(f.lineWidthPt >= L::kMinLinePt && f.lineWidthPt <= L::kMaxLinePt))
        return "the line width " + num(f.lineWidthPt) + " pt is outside " + num(L::kMinLinePt) + " to " +
               num(L::kMaxLinePt) + " pt";
    if (f.panels.size() > L::kMaxPanels) return "more than " + std::to_string(L::kMaxPanels) + " panels";
    std::vector<int> owner(size_t(f.rows * f.cols), -1);
    for (size_t i = 0; i < f.panels.size(); ++i) {
        const FigurePanel& p = f.panels[i];
        const std::string name = "panel " + panelLetter(i);
        if (p.row < 0 || p.col < 0 || p.rowSpan < 1 || p.colSpan < 1 || p.row + p.rowSpan > f.rows ||
            p.col + p.colSpan > f.cols)
            return name + " (row " + std::to_string(p.row) + ", column " + std::to_string(p.col) + ", span " +
                   std::to_string(p.rowSpan) + " x " + std::to_string(p.colSpan) + ") lies outside the " +
                   std::to_string(f.rows) + " x " + std::to_string(f.cols) + " grid";
        for (int r = p.row; r < p.row + p.rowSpan; ++r)
            for (int c = p.col; c < p.col + p.colSpan; ++c) {
                int& o = owner[size_t(r * f.cols + c)];
                if (o >= 0)
                    return name + " overlaps panel " + panelLetter(size_t(o)) + " at row " +
                           std::to_string(r) + ", column " + std::to_string(c);
                o = int(i);
            }
    }
    return "";
}

namespace {

struct Reader {
    const std::string& file;
    Error at(const JsonValue& v, const std::string& why) const { return jsonError(v, file, why); }
    Status type(const JsonValue& v, JsonValue::Type t, const std::string& name) const {
        if (v.type == t) return std::nullopt;
        return at(v, name + " must be " + jsonTypeName(t) + ", not " + jsonTypeName(v.type));
    }
    // An integer in [lo, hi] under `key` of `o` (def when absent).
    Result<int> integer(const JsonValue& o, const std::string& key, const std::string& name, int lo, int hi,
                        std::optional<int> def) const {
        const JsonValue* v = o.get(key);
        if (!v) {
            if (def) return *def;
            return at(o, name + " has no \"" + key + "\"");
        }
        if (auto e = type(*v, JsonValue::Number, name + "." + key)) return *e;
        if (!(v->num >= lo && v->num <= hi) || v->num != std::floor(v->num))
            return at(*v, name + "." + key + " must be an integer from " + std::to_string(lo) + " to " +
                              std::to_string(hi) + ", not " + (v->str.empty() ? num(v->num) : v->str));
        return int(v->num);
    }
    Result<double> number(const JsonValue& o, const std::string& key, const std::string& name, double lo,
                          double hi, std::optional<double> def) const {
        const JsonValue* v = o.get(key);
        if (!v) {
            if (def) return *def;
            return at(o, name + " has no \"" + key + "\"");
        }
        if (auto e = type(*v, JsonValue::Number, name + "." + key)) return *e;
        if (!(v->num >= lo && v->num <= hi))
            return at(*v, name + "." + key + " must be between " + num(lo) + " and " + num(hi) + ", not " +
                              (v->str.empty() ? num(v->num) : v->str));
        return v->num;
    }
    Result<std::string> string(const JsonValue& o, const std::string& key, const std::string& name,
                               size_t maxLen, std::optional<std::string> def) const {
        const JsonValue* v = o.get(key);
        if (!v) {
            if (def) return *def;
            return at(o, name + " has no \"" + key + "\"");
        }
        if (auto e = type(*v, JsonValue::String, name + "." + key)) return *e;
        if (v->str.size() > maxLen)
            return at(*v, name + "." + key + " is longer than " + std::to_string(maxLen) + " characters");
        return v->str;
    }
};

Result<FigurePanel> readPanel(const Reader& rd, const JsonValue& v, const std::string& name) {
    if (auto e = rd.type(v, JsonValue::Object, name)) return *e;
    FigurePanel p;
    auto view = rd.string(v, "view", name, 64, std::nullopt);
    if (!view) return view.error();
    auto pv = panelViewFromName(view.value());
    if (!pv) {
        std::string names;
        for (PanelView k : allPanelViews())
            names += std::string(names.empty() ? "" : ", ") + panelViewName(k);
        return rd.at(*v.get("view"), name + ".view \"" + view.value() + "\" is not one of " + names);
    }
    p.view = *pv;
    if (const JsonValue* l = v.get("layer")) {
        if (auto e = rd.type(*l, JsonValue::Number, name + ".layer")) return *e;
        if (!(l->num >= 0 && l->num <= 9007199254740992.0) || l->num != std::floor(l->num))
            return rd.at(*l, name + ".layer must be a layer id (an integer >= 0), not " + l->str);
        p.layer = uint64_t(l->num);
    }
    const int g = FigureLimits::kMaxGrid;
    auto row = rd.integer(v, "row", name, 0, g - 1, std::nullopt);
    if (!row) return row.error();
    auto col = rd.integer(v, "col", name, 0, g - 1, std::nullopt);
    if (!col) return col.error();
    auto rs = rd.integer(v, "rowSpan", name, 1, g, 1);
    if (!rs) return rs.error();
    auto cs = rd.integer(v, "colSpan", name, 1, g, 1);
    if (!cs) return cs.error();
    p.row = row.value(), p.col = col.value(), p.rowSpan = rs.value(), p.colSpan = cs.value();
    auto title = rd.string(v, "title", name, 1024, std::string());
    if (!title) return title.error();
    p.title = title.value();
    auto colorBy = rd.string(v, "colorBy", name, 256, std::string());
    if (!colorBy) return colorBy.error();
    p.colorBy = colorBy.value();
    if (const JsonValue* c = v.get("camera")) {
        auto cam = parseSessionCamera(*c, rd.file, name + ".camera");
        if (!cam) return cam.error();
        FigurePanelCamera fc;
        fc.position = cam.value().position;
        fc.focalPoint = cam.value().focalPoint;
        fc.viewUp = cam.value().viewUp;
        fc.viewAngle = cam.value().viewAngle;
        p.camera = fc;
    }
    if (const JsonValue* s = v.get("settings")) {
        if (auto e = rd.type(*s, JsonValue::Object, name + ".settings")) return *e;
        p.settings = *s;
    }
    return p;
}

Result<Figure> readFigure(const Reader& rd, const JsonValue& v, const std::string& name) {
    if (auto e = rd.type(v, JsonValue::Object, name)) return *e;
    using L = FigureLimits;
    Figure f;
    auto n = rd.string(v, "name", name, 256, std::nullopt);
    if (!n) return n.error();
    if (n.value().empty()) return rd.at(*v.get("name"), name + ".name is empty");
    f.name = n.value();
    const std::string fname = "figure \"" + f.name + "\"";
    auto w = rd.number(v, "widthMm", fname, L::kMinMm, L::kMaxMm, std::nullopt);
    if (!w) return w.error();
    auto h = rd.number(v, "heightMm", fname, L::kMinMm, L::kMaxMm, std::nullopt);
    if (!h) return h.error();
    auto rows = rd.integer(v, "rows", fname, 1, L::kMaxGrid, 1);
    if (!rows) return rows.error();
    auto cols = rd.integer(v, "cols", fname, 1, L::kMaxGrid, 1);
    if (!cols) return cols.error();
    f.widthMm = w.value(), f.heightMm = h.value(), f.rows = rows.value(), f.cols = cols.value();
    if (const JsonValue* b = v.get("letters")) {
        if (auto e = rd.type(*b, JsonValue::Bool, fname + ".letters")) return *e;
        f.letters = b->b;
    }
    auto fam = rd.string(v, "fontFamily", fname, 256, f.fontFamily);
    if (!fam) return fam.error();
    f.fontFamily = fam.value();
    auto pt = rd.number(v, "fontPt", fname, L::kMinFontPt, L::kMaxFontPt, 7.0);
    if (!pt) return pt.error();
    f.fontPt = pt.value();
    auto lw = rd.number(v, "lineWidthPt", fname, L::kMinLinePt, L::kMaxLinePt, 0.5);
    if (!lw) return lw.error();
    f.lineWidthPt = lw.value();
    if (const JsonValue* ps = v.get("panels")) {
        if (auto e = rd.type(*ps, JsonValue::Array, fname + ".panels")) return *e;
        if (ps->arr.size() > L::kMaxPanels)
            return rd.at(*ps, fname + " has " + std::to_string(ps->arr.size()) + " panels; at most " +
                                  std::to_string(L::kMaxPanels));
        for (size_t i = 0; i < ps->arr.size(); ++i) {
            auto p = readPanel(rd, ps->arr[i], fname + " panel " + panelLetter(i));
            if (!p) return p.error();
            f.panels.push_back(std::move(p.value()));
        }
    }
    if (const std::string why = checkFigure(f); !why.empty()) return rd.at(v, fname + ": " + why);
    return f;
}

} // namespace

Result<std::vector<Figure>> parseFigures(const JsonValue& v, const std::string& file) {
    const Reader rd{file};
    if (auto e = rd.type(v, JsonValue::Array, "\"figures\"")) return *e;
    if (v.arr.size() > FigureLimits::kMaxFigures)
        return rd.at(v, "\"figures\" has " + std::to_string(v.arr.size()) + " entries; at most " +
                            std::to_string(FigureLimits::kMaxFigures));
    std::vector<Figure> out;
    std::set<std::string> names;
    for (size_t i = 0; i < v.arr.size(); ++i) {
        auto f = readFigure(rd, v.arr[i], "\"figures\"[" + std::to_string(i) + "]");
        if (!f) return f.error();
        if (!names.insert(f.value().name).second)
            return rd.at(v.arr[i], "\"figures\"[" + std::to_string(i) + "]: a second figure named \"" +
                                       f.value().name + "\" (names must be unique)");
        out.push_back(std::move(f.value()));
    }
    return out;
}

JsonValue figureJson(const Figure& f) {
    JsonValue o = JsonValue::object();
    o.set("name", f.name);
    o.set("widthMm", f.widthMm);
    o.set("heightMm", f.heightMm);
    o.set("rows", double(f.rows));
    o.set("cols", double(f.cols));
    o.set("letters", f.letters);
    o.set("fontFamily", f.fontFamily);
    o.set("fontPt", f.fontPt);
    o.set("lineWidthPt", f.lineWidthPt);
    JsonValue panels = JsonValue::array();
    for (const FigurePanel& p : f.panels) {
        JsonValue po = JsonValue::object();
        po.set("view", panelViewName(p.view));
        po.set("layer", double(p.layer));
        po.set("row", double(p.row));
        po.set("col", double(p.col));
        po.set("rowSpan", double(p.rowSpan));
        po.set("colSpan", double(p.colSpan));
        if (!p.title.empty()) po.set("title", p.title);
        if (!p.colorBy.empty()) po.set("colorBy", p.colorBy);
        if (p.camera) {
            SessionCamera c;
            c.position = p.camera->position;
            c.focalPoint = p.camera->focalPoint;
            c.viewUp = p.camera->viewUp;
            c.viewAngle = p.camera->viewAngle;
            po.set("camera", sessionCameraJson(c));
        }
        if (p.settings.isObject() && !p.settings.obj.empty()) po.set("settings", p.settings);
        panels.push(std::move(po));
    }
    o.set("panels", std::move(panels));
    return o;
}

JsonValue figuresJson(const std::vector<Figure>& figures) {
    JsonValue a = JsonValue::array();
    for (const Figure& f : figures) a.push(figureJson(f));
    return a;
}

} // namespace nr
