#include "DatasetLoader.h"

#include <QFileInfo>
#include <QMetaObject>
#include <QtConcurrent>

#include "io/GraphIO.h"
#include "io/Layout.h"

namespace {

QString describe(const nr::Graph& g) {
    return QStringLiteral("nodes=%1 edges=%2").arg(g.nodeCount()).arg(g.edgeCount());
}

bool allFinitePositions(const nr::Graph& g) {
    if (!g.hasPositions()) return false;
    for (size_t i = 0; i < g.x.size(); ++i)
        if (!std::isfinite(g.x[i]) || !std::isfinite(g.y[i]) || !std::isfinite(g.z[i])) return false;
    return true;
}

void applyJoin(LoadedGraph& out, const nr::JoinReport& rep, const QString& table) {
    for (auto& n : rep.tableOnly) out.unmatched << QString::fromStdString(n);
    for (auto& n : rep.graphOnly) out.unmatched << QString::fromStdString(n);
    out.summary +=
        QStringLiteral("; node table %1 joined by '%2': %3 matched, %4 only in table, %5 only in graph")
            .arg(QFileInfo(table).fileName(), QString::fromStdString(rep.keyColumn))
            .arg(rep.matched)
            .arg(rep.tableOnly.size())
            .arg(rep.graphOnly.size());
}

} // namespace

LoadedGraph joinNodeTable(const nr::Graph& g0, const QString& table) {
    LoadedGraph out;
    auto g = std::make_shared<nr::Graph>(g0);
    auto j = nr::readNodeTable(table.toStdString(), *g, {});
    if (!j.ok()) {
        out.error = j.error();
        return out;
    }
    out.summary = describe(*g);
    applyJoin(out, j.value(), table);
    if (!allFinitePositions(*g)) {
        auto st = nr::layout3D(*g, 1, g->hasPositions(), {});
        if (st) {
            out.error = *st;
            return out;
        }
        out.laidOut = true;
    }
    out.files << table;
    out.graph = g;
    return out;
}

LoadedData loadFiles(const QStringList& files, const std::function<bool(double, const QString&)>& progress,
                     const std::vector<FileOptions>& options) {
    LoadedData out;
    if (files.isEmpty()) {
        out.error = nr::Error{"open", 0, "no file given"};
        return out;
    }
    const nr::ReaderRegistry& reg = nr::ReaderRegistry::builtin();
    // Groups of files read together: a pair whose readers make the same kind of graph-like layer.
    std::vector<std::pair<QString, std::vector<std::string>>> groups;
    std::vector<int> firstFile; // index in `files` of each group's first file
    std::vector<const nr::FormatReader*> rd;
    for (const QString& f : files) rd.push_back(reg.find(f.toStdString()));
    for (int i = 0; i < files.size(); ++i) {
        // A pair whose readers make the same graph-like kind is read together (edge list + node table,
        // vessel nodes + edges).
        if (i + 1 < files.size() && rd[size_t(i)] && rd[size_t(i) + 1] &&
            rd[size_t(i)]->kind == rd[size_t(i) + 1]->kind &&
            (rd[size_t(i)]->kind == nr::LayerKind::Graph || rd[size_t(i)]->kind == nr::LayerKind::Vessels)) {
            groups.push_back({files[i], {files[i + 1].toStdString()}});
            firstFile.push_back(i);
            ++i;
            continue;
        }
        // A graph and a file no reader claims after it: a label file (one class per line) for its nodes.
        if (i + 1 < files.size() && rd[size_t(i)] && !rd[size_t(i) + 1] &&
            rd[size_t(i)]->kind == nr::LayerKind::Graph) {
            groups.push_back({files[i], {files[i + 1].toStdString()}});
            firstFile.push_back(i);
            ++i;
            continue;
        }
        groups.push_back({files[i], {}});
        firstFile.push_back(i);
    }
    const double n = double(groups.size());
    for (size_t i = 0; i < groups.size(); ++i) {
        nr::OpenOptions opt;
        if (size_t(firstFile[i]) < options.size()) opt.options = options[size_t(firstFile[i])];
        opt.progress = [&](double f, const std::string& what) {
            return !progress || progress((double(i) + f) / n, QString::fromStdString(what));
        };
        auto d = reg.open(groups[i].first.toStdString(), groups[i].second, opt);
        if (!d) {
            out.datasets.clear();
            out.error = d.error();
            return out;
        }
        out.datasets.push_back(std::move(d.value()));
        LoadedData::Source src;
        std::vector<std::string> given{groups[i].first.toStdString()};
        given.insert(given.end(), groups[i].second.begin(), groups[i].second.end());
        for (size_t k = 0; k < given.size(); ++k) {
            std::string file, array;
            FileOptions o;
            if (size_t(firstFile[i]) + k < options.size()) o = options[size_t(firstFile[i]) + k];
            if (nr::splitArrayPath(given[k], file, array))
                o.insert(o.begin(), {"array", array});
            else
                file = given[k];
            src.files.push_back(file);
            src.options.push_back(std::move(o));
        }
        out.sources.push_back(std::move(src));
    }
    return out;
}

DatasetLoader::DatasetLoader(QObject* parent) : QObject(parent) {
    connect(&watcher_, &QFutureWatcher<LoadedData>::finished, this, [this] {
        LoadedData r = watcher_.result();
        if (r.ok())
            emit loaded(r);
        else
            emit failed(QString::fromStdString(r.error.str()));
    });
}

void DatasetLoader::load(const QStringList& files, const std::vector<FileOptions>& options) {
    if (watcher_.isRunning()) return;
    cancel_ = false;
    watcher_.setFuture(QtConcurrent::run([this, files, options] {
        return loadFiles(
            files,
            [this](double f, const QString& what) {
                QMetaObject::invokeMethod(
                    this, [this, f, what] { emit progress(f, what); }, Qt::QueuedConnection);
                return !cancel_.load();
            },
            options);
    }));
}
