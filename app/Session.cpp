#include "Session.h"

#include <QDockWidget>
#include <QFile>
#include <QFileInfo>
#include <QMessageBox>
#include <QRegularExpression>
#include <QTabWidget>
#include <cmath>

#include "MainWindow.h"
#include "layers/LayerPresenter.h"
#include "session/Session.h"
#include "vtk/ConnectomeView.h"
#include "vtk/NeuronView.h"
#include "vtk/VesselView.h"

namespace {

bool finiteCamera(const VtkView::CameraState& c) {
    bool ok = std::isfinite(c.viewAngle);
    for (int i = 0; i < 3; ++i)
        ok = ok && std::isfinite(c.pos[i]) && std::isfinite(c.focal[i]) && std::isfinite(c.up[i]);
    return ok;
}

// Cameras are kept to 10 significant digits: the 3-D view recomputes its camera from what it is given (the
// last bits of a position change), and a session saved again must read the same.
double tenDigits(double v) {
    if (v == 0 || !std::isfinite(v)) return v;
    return std::stod(QString::number(v, 'g', 10).toStdString());
}

nr::SessionCamera toSession(VtkView::CameraState c) {
    // The view-up as the view uses it: at right angles to the direction of view (a view never drawn still has
    // the one it was given).
    double d[3], n = 0;
    for (int i = 0; i < 3; ++i) {
        d[i] = c.focal[i] - c.pos[i];
        n += d[i] * d[i];
    }
    if (n > 0) {
        n = std::sqrt(n);
        double dot = 0, len = 0, up[3];
        for (int i = 0; i < 3; ++i) dot += c.up[i] * (d[i] /= n);
        for (int i = 0; i < 3; ++i) {
            up[i] = c.up[i] - dot * d[i];
            len += up[i] * up[i];
        }
        if (len > 1e-24)
            for (int i = 0; i < 3; ++i) c.up[i] = up[i] / std::sqrt(len);
    }
    nr::SessionCamera s;
    for (int i = 0; i < 3; ++i) {
        s.position[size_t(i)] = tenDigits(c.pos[i]);
        s.focalPoint[size_t(i)] = tenDigits(c.focal[i]);
        s.viewUp[size_t(i)] = tenDigits(c.up[i]);
    }
    s.viewAngle = tenDigits(c.viewAngle);
    return s;
}

// A camera as a session gave it (already in the form toSession writes).
nr::SessionCamera asRead(const VtkView::CameraState& c) {
    nr::SessionCamera s;
    for (int i = 0; i < 3; ++i) {
        s.position[size_t(i)] = c.pos[i];
        s.focalPoint[size_t(i)] = c.focal[i];
        s.viewUp[size_t(i)] = c.up[i];
    }
    s.viewAngle = c.viewAngle;
    return s;
}

VtkView::CameraState fromSession(const nr::SessionCamera& s, VtkView::CameraState c) {
    for (int i = 0; i < 3; ++i) {
        c.pos[i] = s.position[size_t(i)];
        c.focal[i] = s.focalPoint[size_t(i)];
        c.up[i] = s.viewUp[size_t(i)];
    }
    c.viewAngle = s.viewAngle;
    return c;
}

// The 3-D views by the names sessions use.
std::vector<std::pair<const char*, VtkView*>> views3d(MainWindow* w) {
    return {{"connectome", w->connectomeView()}, {"vessels", w->vesselView()}, {"neurons", w->neuronView()}};
}

} // namespace

bool isSessionFile(const QString& path) {
    const QFileInfo fi(path);
    if (!fi.isFile()) return false; // never open a FIFO or device just to sniff it
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return false;
    const QByteArray head = f.read(1024);
    const int brace = head.indexOf('{');
    if (brace < 0 || !head.left(brace).trimmed().isEmpty()) return false;
    static const QRegularExpression re(QStringLiteral("\"format\"\\s*:\\s*\"neurorama-session\""));
    return re.match(QString::fromUtf8(head)).hasMatch();
}

QString saveSession(MainWindow* w, const QString& path) {
    nr::Document& doc = w->document();
    // What the views show now goes into the layers first (filters, cursor, simulation time...).
    for (const auto& lp : doc.layers()) lp->state = presenterFor(lp->kind).capture(*w, *lp);
    nr::SessionDoc s = nr::sessionFromDocument(doc);
    // Layers that cannot be made again (a simulation's generated layout is made by the simulation).
    std::vector<nr::SessionLayer> kept;
    for (auto& l : s.layers) {
        const nr::Layer* dl = doc.find(l.id);
        if (dl && presenterFor(dl->kind).saved(*dl)) kept.push_back(std::move(l));
    }
    s.layers = std::move(kept);
    for (auto& l : s.layers) {
        bool ownerKept = false;
        for (const auto& o : s.layers) ownerKept = ownerKept || o.id == l.owner;
        if (!ownerKept) l.owner = 0;
    }
    // A selected layer that is not saved: its owner is selected instead (or nothing).
    auto keptId = [&](uint64_t id) {
        for (const auto& l : s.layers)
            if (l.id == id) return true;
        return false;
    };
    bool selectOwned = false;
    if (!keptId(s.selected)) {
        const nr::Layer* sel = doc.find(s.selected);
        selectOwned = sel && keptId(sel->owner);
        s.selected = selectOwned ? sel->owner : 0;
    }
    for (auto [name, v] : views3d(w)) {
        if (!v || !finiteCamera(v->camera())) continue;
        const VtkView::CameraState* given = w->unchangedSessionCamera(name, v->camera());
        s.cameras[name] = given ? asRead(*given) : toSession(v->camera());
    }
    nr::JsonValue win = nr::JsonValue::object();
    if (QWidget* tab = w->centralTabs()->currentWidget()) {
        for (auto [name, v] : views3d(w))
            if (v == tab) win.set("activeTab", name);
    }
    win.set("dockState", w->saveState().toBase64().toStdString());
    if (selectOwned) win.set("selectOwned", true); // the generated layer its owner makes again
    s.window = win;
    s.figures = w->figures();
    if (auto err = nr::saveSession(std::move(s), path.toStdString()))
        return QString::fromStdString(err->str());
    return QString();
}

SessionReport loadSession(MainWindow* w, const QString& path, OutsidePaths outside) {
    SessionReport rep;
    // Parsing and validation come first: a session that is refused changes nothing that is open.
    const auto session = nr::readSession(path.toStdString());
    if (!session) {
        rep.error = QString::fromStdString(session.error().str());
        return rep;
    }
    const nr::SessionDoc& s = session.value();
    if (!s.outside.empty() && outside != OutsidePaths::Allow) {
        if (outside == OutsidePaths::Refuse) {
            rep.error = QString::fromStdString(nr::outsidePathsError(s, path.toStdString())->str());
            return rep;
        }
        QStringList list;
        for (const std::string& f : s.outside) list << QString::fromStdString(f);
        QMessageBox box(
            QMessageBox::Warning, QObject::tr("Files outside the session's folder"),
            QObject::tr("The session %1 opens files outside its folder:").arg(QFileInfo(path).fileName()),
            QMessageBox::Yes | QMessageBox::No, w);
        box.setObjectName(QStringLiteral("outsidePathsBox"));
        box.setInformativeText(
            list.mid(0, 20).join(QLatin1Char('\n')) +
            (list.size() > 20 ? QObject::tr("\n… and %1 more").arg(list.size() - 20) : QString()) +
            QObject::tr("\n\nOpen them? Open sessions only from sources you trust."));
        box.setDefaultButton(QMessageBox::No);
        if (box.exec() != QMessageBox::Yes) {
            rep.declined = true;
            return rep;
        }
    }
    // The session replaces the workspace.
    w->clearWorkspace();
    for (const std::string& m : s.missing) rep.warnings << QString::fromStdString(m);
    std::map<uint64_t, nr::LayerId> ids;
    for (const nr::SessionLayer& l : s.layers) {
        if (l.missing) continue;
        const LayerPresenter& p = presenterFor(l.kind);
        nr::LayerId id = 0;
        const QString err = p.open(*w, l, ids, &id);
        if (id == 0) {
            rep.warnings << (err.isEmpty()
                                 ? QObject::tr("%1: could not be opened").arg(QString::fromStdString(l.name))
                                 : err);
            continue;
        }
        if (!err.isEmpty()) rep.warnings << err;
        ids[l.id] = id;
        nr::Document& doc = w->document();
        doc.rename(id, l.name);
        doc.setState(id, l.state);
        doc.setDisplay(id, l.display);
        rep.warnings << p.restore(*w, id, l.state, ids);
        ++rep.layers;
    }
    for (const auto& l : s.layers) {
        auto it = ids.find(l.id);
        auto ot = ids.find(l.owner);
        if (it != ids.end() && ot != ids.end())
            if (nr::Layer* dl = w->document().find(it->second)) dl->owner = ot->second;
    }
    if (auto it = ids.find(s.selected); it != ids.end()) {
        nr::LayerId sel = it->second;
        const auto owned = w->document().ownedBy(sel);
        if (s.window.boolOr("selectOwned", false) && !owned.empty()) sel = owned.front()->id;
        w->document().select(sel);
    }
    for (const std::string& c : s.changed) rep.warnings << QString::fromStdString(c);
    // The docks, then the view on top, then the cameras (applied once the views have their size).
    const std::string dock = s.window.stringOr("dockState", "");
    if (!dock.empty()) w->restoreState(QByteArray::fromBase64(QByteArray::fromStdString(dock)));
    const std::string tab = s.window.stringOr("activeTab", "");
    for (auto [name, v] : views3d(w))
        if (v && tab == name) w->centralTabs()->setCurrentWidget(v);
    std::map<std::string, VtkView::CameraState> cams;
    for (auto [name, v] : views3d(w)) {
        auto it = s.cameras.find(name);
        if (v && it != s.cameras.end()) cams[name] = fromSession(it->second, v->camera());
    }
    // Figures refer to layers by id: the session's ids become the workspace's.
    std::vector<nr::Figure> figures = s.figures;
    for (nr::Figure& f : figures)
        for (size_t i = 0; i < f.panels.size(); ++i) {
            nr::FigurePanel& p = f.panels[i];
            if (p.layer == 0) continue;
            if (auto it = ids.find(p.layer); it != ids.end()) {
                p.layer = it->second;
                continue;
            }
            p.layerNote = "layer " + std::to_string(p.layer) + " is not a layer of the session";
            for (const nr::SessionLayer& l : s.layers)
                if (l.id == p.layer)
                    p.layerNote = "layer \"" + l.name + "\" (" + nr::sessionKindName(l.kind) +
                                  ") of the session did not open" + (l.missing ? " (a file is missing)" : "");
            p.layer = 0;
        }
    w->figures() = std::move(figures);
    w->setPendingCameras(std::move(cams));
    w->setSessionPath(path);
    return rep;
}
