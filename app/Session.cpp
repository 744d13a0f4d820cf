#include "Session.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMessageBox>
#include <QRegularExpression>
#include <cmath>

#include "ConnectomePanel.h"
#include "MainWindow.h"
#include "io/SessionFile.h"
#include "vtk/ConnectomeView.h"

namespace {

QJsonArray vec3(const double* v) {
    return QJsonArray{v[0], v[1], v[2]};
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
    QJsonObject o;
    o[QStringLiteral("format")] = QStringLiteral("neurorama-session");
    o[QStringLiteral("version")] = 1;
    // Files in the session's folder (or below) are written relative to it, so the folder can be moved or
    // sent as a whole and reopens without asking; others keep their absolute path.
    const QDir folder = QFileInfo(path).absoluteDir();
    QJsonArray files;
    for (const QString& f : w->datasetFiles()) {
        const QString abs = QFileInfo(f).absoluteFilePath();
        const QString rel = folder.relativeFilePath(abs);
        files.append(rel.startsWith(QLatin1String("../")) || QDir::isAbsolutePath(rel) ? abs : rel);
    }
    o[QStringLiteral("files")] = files;
    ConnectomePanel* p = w->connectomePanel();
    o[QStringLiteral("colorBy")] = p->colorBy();
    const EdgeFilter f = p->currentFilter();
    QJsonArray types;
    for (bool b : f.typeVisible) types.append(b);
    o[QStringLiteral("edgeFilter")] =
        QJsonObject{{"minWeight", f.minWeight}, {"maxWeight", f.maxWeight}, {"typeVisible", types}};
    const auto cam = w->connectomeView()->camera();
    bool finite = std::isfinite(cam.viewAngle);
    for (int i = 0; i < 3; ++i)
        finite =
            finite && std::isfinite(cam.pos[i]) && std::isfinite(cam.focal[i]) && std::isfinite(cam.up[i]);
    if (finite) // (JSON has no NaN; a view that never framed anything is saved without a camera)
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

QString loadSession(MainWindow* w, const QString& path, OutsidePaths outside) {
    // Parsing and validation (types, ranges, files that must exist and be regular files) live in core:
    // io/SessionFile.h.
    const auto session = nr::readSession(path.toStdString());
    if (!session) return QString::fromStdString(session.error().str());
    const nr::Session& s = session.value();
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
    QStringList files;
    for (const std::string& f : s.files) files << QString::fromStdString(f);
    if (files.isEmpty())
        w->showDemo(false);
    else if (QString err = w->openFilesBlocking(files); !err.isEmpty())
        return err;

    ConnectomePanel* p = w->connectomePanel();
    if (!s.colorBy.empty()) p->applyColorBy(QString::fromStdString(s.colorBy), false);
    if (s.edgeFilter) {
        EdgeFilter f = p->currentFilter();
        if (s.edgeFilter->minWeight) f.minWeight = float(*s.edgeFilter->minWeight);
        if (s.edgeFilter->maxWeight) f.maxWeight = float(*s.edgeFilter->maxWeight);
        if (s.edgeFilter->typeVisible.size() == f.typeVisible.size())
            f.typeVisible = s.edgeFilter->typeVisible;
        p->applyFilter(f, false);
    }
    if (s.camera) {
        auto cam = w->connectomeView()->camera();
        for (int i = 0; i < 3; ++i) {
            cam.pos[i] = s.camera->position[size_t(i)];
            cam.focal[i] = s.camera->focalPoint[size_t(i)];
            cam.up[i] = s.camera->viewUp[size_t(i)];
        }
        if (s.camera->viewAngle) cam.viewAngle = *s.camera->viewAngle;
        w->connectomeView()->setCamera(cam);
    }
    return QString();
}
