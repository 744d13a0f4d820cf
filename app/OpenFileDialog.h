// File > Open: the file dialog, which also opens Zarr stores (folders). Selecting a store's folder, or any
// file inside a store (.zgroup, .zarray, .zattrs, a chunk), opens the store; double-clicking a store's
// folder opens it instead of walking into it. storeOf() maps the paths of drag-and-drop the same way.
#pragma once

#include <QFileDialog>
#include <QStringList>

class OpenFileDialog : public QFileDialog {
    Q_OBJECT
public:
    OpenFileDialog(QWidget* parent, const QString& caption, const QString& filter);
    // What to open once accepted: the selected files, each inside a Zarr store replaced by the store.
    QStringList chosen() const { return chosen_; }

    // The Zarr store (v2 directory store: .zgroup / .zarray inside) `path` is or lies in: the outermost
    // folder with Zarr metadata among its parents, or "" when `path` is not in a store.
    static QString storeOf(const QString& path);
    // Each path inside a store replaced by the store (once), others kept, in order.
    static QStringList mapToStores(const QStringList& paths);

public slots:
    void accept() override;

private:
    QStringList chosen_;
};
