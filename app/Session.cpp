#include "Session.h"

#include <QFile>
#include <QFileInfo>
#include <QMessageBox>
#include <QRegularExpression>
#include <cmath>

#include "ConnectomePanel.h"
#include "MainWindow.h"
#include "session/Session.h"
#include "vtk/ConnectomeView.h"

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
    // The shown graph as one graph layer (core/session/Session.h writes, fingerprints and saves atomically;
    // files in the session's folder are written relative to it).
    nr::SessionDoc s;
    nr::SessionLayer layer;
    layer.id = 1;
    layer.kind = nr::LayerKind::Graph;
    for (const QString& f : w->datasetFiles()) {
        nr::SessionFileRef ref;
        ref.path = QFileInfo(f).absoluteFilePath().toStdString();
        layer.files.push_back(ref);
    }
    layer.name = w->datasetFiles().isEmpty()
                     ? std::string("Demo cortical column")
                     : QFileInfo(w->datasetFiles()[0]).completeBaseName().toStdString();
    ConnectomePanel* p = w->connectomePanel();
    layer.state.set("colorBy", p->colorBy().toStdString());
    const EdgeFilter f = p->currentFilter();
    nr::JsonValue types = nr::JsonValue::array();
    for (bool b : f.typeVisible) types.push(nr::JsonValue::boolean(b));
    nr::JsonValue filter = nr::JsonValue::object();
    filter.set("minWeight", double(f.minWeight));
    filter.set("maxWeight", double(f.maxWeight));
    filter.set("typeVisible", std::move(types));
    layer.state.set("edgeFilter", std::move(filter));
    s.layers.push_back(std::move(layer));
    s.selected = 1;
    const auto cam = w->connectomeView()->camera();
    bool finite = std::isfinite(cam.viewAngle);
    for (int i = 0; i < 3; ++i)
        finite =
            finite && std::isfinite(cam.pos[i]) && std::isfinite(cam.focal[i]) && std::isfinite(cam.up[i]);
    if (finite) { // (JSON has no NaN; a view that never framed anything is saved without a camera)
        nr::SessionCamera c;
        for (size_t i = 0; i < 3; ++i) {
            c.position[i] = cam.pos[i];
            c.focalPoint[i] = cam.focal[i];
            c.viewUp[i] = cam.up[i];
        }
        c.viewAngle = cam.viewAngle;
        s.cameras["connectome"] = c;
    }
    if (nr::Status e = nr::saveSession(std::move(s), path.toStdString()))
        return QString::fromStdString(e->str());
    return QString();
}

QString loadSession(MainWindow* w, const QString& path, OutsidePaths outside) {
    // Parsing and validation (types, ranges, files that must exist and be regular files) live in core:
    // session/Session.h.
    const auto session = nr::readSession(path.toStdString());
    if (!session) return QString::fromStdString(session.error().str());
    const nr::SessionDoc& s = session.value();
    if (!s.outside.empty() && outside != OutsidePaths::Allow) {
        QStringList list;
        for (const std::string& f : s.outside) list << QString::fromStdString(f);
        if (outside == OutsidePaths::Refuse)
            return QString::fromStdString(nr::outsidePathsError(s, path.toStdString())->str());
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
        if (box.exec() != QMessageBox::Yes) return QString();
    }
    // Files of every layer that is there (missing ones are reported after the others opened).
    QStringList files;
    for (const nr::SessionLayer& l : s.layers)
        if (!l.missing)
            for (const nr::SessionFileRef& f : l.files) files << QString::fromStdString(f.path);
    const bool anyMissing = !s.missing.empty();
    if (files.isEmpty() && !anyMissing)
        w->showDemo(false);
    else if (!files.isEmpty())
        if (QString err = w->openFilesBlocking(files); !err.isEmpty()) return err;

    // Colour-by and edge filter: the state of the first graph layer.
    const nr::JsonValue* state = nullptr;
    for (const nr::SessionLayer& l : s.layers)
        if (l.kind == nr::LayerKind::Graph) {
            state = &l.state;
            break;
        }
    ConnectomePanel* p = w->connectomePanel();
    if (state) {
        const std::string colorBy = state->stringOr("colorBy", "");
        if (!colorBy.empty()) p->applyColorBy(QString::fromStdString(colorBy), false);
        if (const nr::JsonValue* ef = state->get("edgeFilter"); ef && ef->isObject()) {
            EdgeFilter f = p->currentFilter();
            f.minWeight = float(ef->numberOr("minWeight", f.minWeight));
            f.maxWeight = float(ef->numberOr("maxWeight", f.maxWeight));
            if (const nr::JsonValue* t = ef->get("typeVisible");
                t && t->isArray() && t->arr.size() == f.typeVisible.size()) {
                std::vector<bool> types;
                for (const nr::JsonValue& b : t->arr) types.push_back(b.isBool() && b.b);
                f.typeVisible = types;
            }
            p->applyFilter(f, false);
        }
    }
    if (auto c = s.cameras.find("connectome"); c != s.cameras.end()) {
        auto cam = w->connectomeView()->camera();
        for (int i = 0; i < 3; ++i) {
            cam.pos[i] = c->second.position[size_t(i)];
            cam.focal[i] = c->second.focalPoint[size_t(i)];
            cam.up[i] = c->second.viewUp[size_t(i)];
        }
        cam.viewAngle = c->second.viewAngle;
        w->connectomeView()->setCamera(cam);
    }
    if (anyMissing) {
        QStringList lines;
        for (const std::string& m : s.missing) lines << QString::fromStdString(m);
        return QStringLiteral("%1: %2").arg(path, lines.join(QStringLiteral("; ")));
    }
    return QString();
}
