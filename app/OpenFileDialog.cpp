#include "OpenFileDialog.h"

#include <QDir>
#include <QFileInfo>

namespace {

bool hasZarrMetadata(const QDir& d) {
    return QFileInfo::exists(d.filePath(QStringLiteral(".zgroup"))) ||
           QFileInfo::exists(d.filePath(QStringLiteral(".zarray")));
}

} // namespace

OpenFileDialog::OpenFileDialog(QWidget* parent, const QString& caption, const QString& filter)
    : QFileDialog(parent, caption, QString(), filter) {
    setObjectName(QStringLiteral("openFileDialog"));
    setFileMode(QFileDialog::ExistingFiles);
    setAcceptMode(QFileDialog::AcceptOpen);
    // The dialog of Qt itself on every desktop: a platform dialog would walk into a store's folder.
    setOption(QFileDialog::DontUseNativeDialog);
    // A store entered (double-click) is opened, not browsed.
    connect(this, &QFileDialog::directoryEntered, this, [this](const QString& dir) {
        const QString store = storeOf(dir);
        if (store.isEmpty() || !isVisible()) return;
        chosen_ = {store};
        QDialog::accept();
    });
}

QString OpenFileDialog::storeOf(const QString& path) {
    const QFileInfo fi(path);
    if (!fi.exists()) return QString();
    QDir d = fi.isDir() ? QDir(fi.absoluteFilePath()) : fi.absoluteDir();
    // A chunk may sit a few folders below its array (dimension separator "/").
    QString found;
    for (int up = 0; up < 64; ++up) {
        if (hasZarrMetadata(d))
            found = d.absolutePath();
        else if (!found.isEmpty() || up >= 8)
            break;
        if (!d.cdUp()) break;
    }
    return found;
}

QStringList OpenFileDialog::mapToStores(const QStringList& paths) {
    QStringList out;
    for (const QString& p : paths) {
        const QString store = storeOf(p);
        const QString q = store.isEmpty() ? p : store;
        if (!out.contains(q)) out << q;
    }
    return out;
}

void OpenFileDialog::accept() {
    const QStringList sel = selectedFiles();
    // A store's folder (or a file in one) is what to open: QFileDialog would enter a folder instead.
    for (const QString& f : sel)
        if (!storeOf(f).isEmpty()) {
            chosen_ = mapToStores(sel);
            QDialog::accept();
            return;
        }
    QFileDialog::accept();
    if (result() == QDialog::Accepted) chosen_ = mapToStores(selectedFiles());
}
