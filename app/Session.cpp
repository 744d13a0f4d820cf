#include "Session.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include "ConnectomePanel.h"
#include "MainWindow.h"
#include "vtk/ConnectomeView.h"

namespace {

QJsonArray vec3(const double* v) {
    return QJsonArray{v[0], v[1], v[2]};
}

bool readVec3(const QJsonValue& j, double* out) {
    const QJsonArray a = j.toArray();
    if (a.size() != 3) return false;
    for (int i = 0; i < 3; ++i) {
        if (!a[i].isDouble()) return false;
        out[i] = a[i].toDouble();
    }
    return true;
}

} // namespace

QString saveSession(MainWindow* w, const QString& path) {
    QJsonObject o;
    o[QStringLiteral("format")] = QStringLiteral("neurorama-session");
    o[QStringLiteral("version")] = 1;
    QJsonArray files;
    for (const QString& f : w->datasetFiles()) files.append(QFileInfo(f).absoluteFilePath());
    o[QStringLiteral("files")] = files;
    ConnectomePanel* p = w->connectomePanel();
    o[QStringLiteral("colorBy")] = p->colorBy();
    const EdgeFilter f = p->currentFilter();
    QJsonArray types;
    for (bool b : f.typeVisible) types.append(b);
    o[QStringLiteral("edgeFilter")] =
        QJsonObject{{"minWeight", f.minWeight}, {"maxWeight", f.maxWeight}, {"typeVisible", types}};
    const auto cam = w->connectomeView()->camera();
    o[QStringLiteral("camera")] = QJsonObject{{"position", vec3(cam.pos)},
                                              {"focalPoint", vec3(cam.focal)},
                                              {"viewUp", vec3(cam.up)},
                                              {"viewAngle", cam.viewAngle}};
    QFile out(path);
    if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return QStringLiteral("%1: %2").arg(path, out.errorString());
    out.write(QJsonDocument(o).toJson());
    return out.error() == QFile::NoError ? QString() : QStringLiteral("%1: %2").arg(path, out.errorString());
}

QString loadSession(MainWindow* w, const QString& path) {
    QFile in(path);
    if (!in.open(QIODevice::ReadOnly)) return QStringLiteral("%1: %2").arg(path, in.errorString());
    if (in.size() > 16 * 1024 * 1024) return QStringLiteral("%1: too large for a session file").arg(path);
    QJsonParseError perr;
    const QJsonDocument doc = QJsonDocument::fromJson(in.readAll(), &perr);
    if (doc.isNull()) return QStringLiteral("%1:@%2: %3").arg(path).arg(perr.offset).arg(perr.errorString());
    const QJsonObject o = doc.object();
    if (o.value(QStringLiteral("format")).toString() != QLatin1String("neurorama-session"))
        return QStringLiteral("%1: not a Neurorama session (no \"format\": \"neurorama-session\")").arg(path);
    QStringList files;
    for (const QJsonValue& v : o.value(QStringLiteral("files")).toArray()) files << v.toString();
    if (files.isEmpty())
        w->showDemo(false);
    else if (QString err = w->openFilesBlocking(files); !err.isEmpty())
        return err;

    ConnectomePanel* p = w->connectomePanel();
    const QString colorBy = o.value(QStringLiteral("colorBy")).toString();
    if (!colorBy.isEmpty()) p->applyColorBy(colorBy, false);
    const QJsonObject fo = o.value(QStringLiteral("edgeFilter")).toObject();
    if (!fo.isEmpty()) {
        EdgeFilter f = p->currentFilter();
        f.minWeight = float(fo.value(QStringLiteral("minWeight")).toDouble(f.minWeight));
        f.maxWeight = float(fo.value(QStringLiteral("maxWeight")).toDouble(f.maxWeight));
        const QJsonArray types = fo.value(QStringLiteral("typeVisible")).toArray();
        if (size_t(types.size()) == f.typeVisible.size())
            for (int i = 0; i < types.size(); ++i) f.typeVisible[size_t(i)] = types[i].toBool(true);
        p->applyFilter(f, false);
    }
    const QJsonObject co = o.value(QStringLiteral("camera")).toObject();
    auto cam = w->connectomeView()->camera();
    if (readVec3(co.value(QStringLiteral("position")), cam.pos) &&
        readVec3(co.value(QStringLiteral("focalPoint")), cam.focal) &&
        readVec3(co.value(QStringLiteral("viewUp")), cam.up)) {
        cam.viewAngle = co.value(QStringLiteral("viewAngle")).toDouble(cam.viewAngle);
        w->connectomeView()->setCamera(cam);
    }
    return QString();
}
