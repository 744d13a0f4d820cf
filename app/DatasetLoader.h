// Loads graph files off the UI thread: edge list (+ optional node table), layout when positions are missing.
#pragma once

#include <QFutureWatcher>
#include <QObject>
#include <QStringList>
#include <atomic>
#include <memory>

#include "model/Error.h"
#include "model/Graph.h"

struct LoadedGraph {
    std::shared_ptr<nr::Graph> graph;
    QStringList files;     // what was read, edge list first
    QString summary;       // one line for the status bar and the log
    QStringList unmatched; // node-table names not in the graph (and graph names not in the table)
    bool laidOut = false;  // positions came from the force-directed layout
    int upAxis = -1;       // axis shown upright (-1: the bounding box's middle axis)
    nr::Error error;       // set when graph is null
};

// Synchronous load: used by the worker thread and by the command line. `progress` may cancel (return false).
LoadedGraph loadGraphFiles(const QStringList& files,
                           const std::function<bool(double, const QString&)>& progress);
// Joins a node table onto an already open graph (copy-on-write: returns a new graph).
LoadedGraph joinNodeTable(const nr::Graph& g, const QString& table);

class DatasetLoader : public QObject {
    Q_OBJECT
public:
    explicit DatasetLoader(QObject* parent = nullptr);
    bool busy() const { return watcher_.isRunning(); }
    void load(const QStringList& files);
    void cancel() { cancel_ = true; }

signals:
    void progress(double fraction, const QString& what);
    void loaded(const LoadedGraph& result);
    void failed(const QString& message);

private:
    QFutureWatcher<LoadedGraph> watcher_;
    std::atomic<bool> cancel_{false};
};
