#include "plugin/PluginRegistry.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonObject>
#include <QLibrary>
#include <QPluginLoader>
#include <QStandardPaths>
#include <cstdlib>
#include <exception>

#include "plugin/ResultsIO.h"

namespace nr {

PluginRegistry::PluginRegistry() = default;
// Loaders are destroyed without unloading: plugin objects may still be referenced by results or threads.
PluginRegistry::~PluginRegistry() = default;

std::string PluginRegistry::userPluginDir() {
    // $XDG_DATA_HOME/neurorama/plugins, ~/.local/share/neurorama/plugins by default.
    const QString base = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    if (base.isEmpty()) return {};
    return (base + QStringLiteral("/neurorama/plugins")).toStdString();
}

bool PluginRegistry::runFromBuildTree() {
#ifdef NR_BUILD_BIN_DIR
    if (!QCoreApplication::instance()) return false;
    const QString bin = QFileInfo(QCoreApplication::applicationDirPath()).canonicalFilePath();
    const QString build = QFileInfo(QStringLiteral(NR_BUILD_BIN_DIR)).canonicalFilePath();
    return !bin.isEmpty() && bin == build;
#else
    return false;
#endif
}

std::vector<std::string> PluginRegistry::defaultSearchDirs() {
    std::vector<std::string> dirs;
#ifdef NR_PLUGIN_BUILD_DIR
    if (runFromBuildTree()) dirs.push_back(NR_PLUGIN_BUILD_DIR);
#endif
#ifdef NR_PLUGIN_REL_TO_BIN
    if (QCoreApplication::instance() && !runFromBuildTree())
        dirs.push_back(QDir(QCoreApplication::applicationDirPath() + QStringLiteral("/" NR_PLUGIN_REL_TO_BIN))
                           .absolutePath()
                           .toStdString());
#endif
    if (std::string user = userPluginDir(); !user.empty()) dirs.push_back(user);
    if (const char* env = std::getenv("NR_PLUGIN_PATH")) {
        const std::string s(env);
        size_t a = 0;
        while (a <= s.size()) {
            size_t b = s.find(':', a);
            if (b == std::string::npos) b = s.size();
            if (b > a) dirs.push_back(s.substr(a, b - a));
            a = b + 1;
        }
    }
    return dirs;
}

void PluginRegistry::addSearchDir(const std::string& dir) {
    extraDirs_.push_back(dir);
}

std::vector<std::string> PluginRegistry::searchDirs() const {
    std::vector<std::string> dirs = defaultSearchDirs();
    dirs.insert(dirs.end(), extraDirs_.begin(), extraDirs_.end());
    return dirs;
}

void PluginRegistry::load() {
    for (const std::string& d : searchDirs()) {
        QDir dir(QString::fromStdString(d));
        if (!dir.exists()) continue;
        const auto entries = dir.entryInfoList(QDir::Files | QDir::NoDotAndDotDot, QDir::Name);
        for (const QFileInfo& fi : entries)
            if (QLibrary::isLibrary(fi.fileName())) loadFile(fi.absoluteFilePath().toStdString());
    }
}

bool PluginRegistry::loadFile(const std::string& path) {
    const QString canonical = QFileInfo(QString::fromStdString(path)).canonicalFilePath();
    const std::string key = canonical.isEmpty() ? path : canonical.toStdString();
    if (seenFiles_.count(key)) return false;
    seenFiles_[key] = true;
    const std::string baseName = QFileInfo(QString::fromStdString(path)).fileName().toStdString();
    auto loader = std::make_unique<QPluginLoader>(QString::fromStdString(key));
    const QString iid = loader->metaData().value(QStringLiteral("IID")).toString();
    if (!iid.isEmpty() && iid != QStringLiteral(NR_ANALYSIS_PLUGIN_IID)) {
        problems_.push_back(
            {baseName, key, "interface id is " + iid.toStdString() + ", expected " NR_ANALYSIS_PLUGIN_IID});
        return false;
    }
    QObject* obj = loader->instance();
    if (!obj) {
        problems_.push_back({baseName, key, "failed to load: " + loader->errorString().toStdString()});
        return false;
    }
    auto* plugin = qobject_cast<AnalysisPlugin*>(obj);
    if (!plugin) {
        problems_.push_back({baseName, key, "does not implement " NR_ANALYSIS_PLUGIN_IID});
        return false;
    }
    std::string name;
    try {
        name = plugin->name();
    } catch (...) {
        problems_.push_back({baseName, key, "threw while reporting its name"});
        return false;
    }
    if (find(name)) {
        problems_.push_back({name, key, "a plugin of this name is already loaded from " + [&] {
                                 for (const auto& p : plugins_)
                                     if (p.name == name) return p.file;
                                 return std::string();
                             }()});
        return false;
    }
    plugins_.push_back({name, key, plugin});
    loaders_.push_back(std::move(loader));
    return true;
}

const AnalysisPlugin* PluginRegistry::find(const std::string& name) const {
    for (const auto& p : plugins_)
        if (p.name == name) return p.plugin;
    return nullptr;
}

Result<Results> PluginRegistry::run(const AnalysisPlugin& plugin, const Inputs& in,
                                    const std::map<std::string, std::string>& given, Progress& progress) {
    std::string name = "?";
    try {
        name = plugin.name();
        const InputKinds accepts = plugin.inputs();
        InputKinds have = 0;
        if (in.spikes) have |= SpikeTrainsInput;
        if (in.trials) have |= TrialDataInput;
        if (in.graph) have |= GraphInput;
        if (in.morphology.has_value()) have |= MorphologyInput;
        if (in.volume.has_value()) have |= VolumeInput;
        if (in.simulation.has_value()) have |= SimulationOutputInput;
        if (in.traces.has_value()) have |= TracesInput;
        if (in.vessels.has_value()) have |= VesselInput;
        if (!(accepts & have))
            return Error{in.source, 0, "plugin " + name + " cannot use this input (it takes " + [&] {
                             std::string s;
                             const char* names[] = {"spike trains", "trial data",    "a graph",
                                                    "a morphology", "a volume",      "simulation output",
                                                    "traces",       "a vessel graph"};
                             for (int i = 0; i < 8; ++i)
                                 if (accepts & (1u << i))
                                     s += (s.empty() ? "" : ", ") + std::string(names[i]);
                             return s;
                         }() + ")"};
        auto params = resolveParams(plugin.parameters(), given);
        if (!params) return Error{in.source, 0, params.error().reason};
        auto r = plugin.run(in, params.value(), progress);
        if (!r) return r;
        r.value().plugin = name;
        r.value().params = params.value().values;
        return r;
    } catch (const std::exception& e) {
        return Error{in.source, 0, "plugin " + name + " failed: " + e.what()};
    } catch (...) {
        return Error{in.source, 0, "plugin " + name + " failed with an unknown exception"};
    }
}

} // namespace nr
