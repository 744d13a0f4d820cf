// Loads graph files off the UI thread: edge list (+ optional node table), layout when positions are missing.
#pragma once

#include <QFutureWatcher>
#include <QObject>
#include <QStringList>
#include <atomic>
#include <memory>

#include "io/ReaderRegistry.h"
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

// What File > Open, drag-and-drop and the command line made of the files they were given: one dataset per
// file, or one for a pair that belongs together (an edge list and its node table, a vessel node and edge
// CSV). All or nothing: on error `datasets` is empty.
struct LoadedData {
    std::vector<nr::Dataset> datasets;
    nr::Error error;
    bool ok() const { return !datasets.empty(); }
};

// Reader options for one file (OpenOptions::options: "as", "voxel_size"...).
using FileOptions = std::vector<std::pair<std::string, std::string>>;

// Synchronous load through the reader registry: used by the worker thread and by the command line.
// `progress` may cancel (return false). `options[i]`, when given, are the reader options of files[i].
LoadedData loadFiles(const QStringList& files, const std::function<bool(double, const QString&)>& progress,
                     const std::vector<FileOptions>& options = {});
// Joins a node table onto an already open graph (copy-on-write: returns a new graph).
LoadedGraph joinNodeTable(const nr::Graph& g, const QString& table);

class DatasetLoader : public QObject {
    Q_OBJECT
public:
    explicit DatasetLoader(QObject* parent = nullptr);
    bool busy() const { return watcher_.isRunning(); }
    void load(const QStringList& files, const std::vector<FileOptions>& options = {});
    void cancel() { cancel_ = true; }

signals:
    void progress(double fraction, const QString& what);
    void loaded(const LoadedData& result);
    void failed(const QString& message);

private:
    QFutureWatcher<LoadedData> watcher_;
    std::atomic<bool> cancel_{false};
};
