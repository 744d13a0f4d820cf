// Finds and loads analysis plugins (QPluginLoader) and runs them with checked parameters.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "plugin/AnalysisPlugin.h"

class QPluginLoader;

namespace nr {

struct LoadedPlugin {
    std::string name; // AnalysisPlugin::name()
    std::string file; // absolute path of the module
    AnalysisPlugin* plugin = nullptr;
};

// A module that was skipped, or a run that failed because the plugin threw.
struct PluginProblem {
    std::string name; // plugin name when known, else the module's file name
    std::string file;
    std::string reason;
    std::string str() const { return "plugin " + name + " (" + file + "): " + reason; }
};

class PluginRegistry {
public:
    PluginRegistry();
    ~PluginRegistry();
    PluginRegistry(const PluginRegistry&) = delete;
    PluginRegistry& operator=(const PluginRegistry&) = delete;

    // In search order: the build tree's plugin folder for an executable run from the build tree, otherwise
    // the install's plugin folder beside the executable (../lib/neurorama/plugins, relative, so an unpacked
    // or moved install finds its own); then the user's folder (userPluginDir()); then each folder of the
    // colon-separated environment variable NR_PLUGIN_PATH. An installed binary never searches a build tree.
    static std::vector<std::string> defaultSearchDirs();
    // $XDG_DATA_HOME/neurorama/plugins (~/.local/share/neurorama/plugins); empty without a home.
    static std::string userPluginDir();
    // True when the running executable sits in the build tree's bin folder.
    static bool runFromBuildTree();

    // Folders the user adds are searched after the defaults.
    void addSearchDir(const std::string& dir);
    std::vector<std::string> searchDirs() const;

    // Loads every plugin module found in the search folders (once per file; the first plugin of a name wins).
    // Modules that fail to load, have another interface id, or repeat a name are recorded in problems().
    void load();
    // Loads one module file; false (and a problem recorded) when it is skipped.
    bool loadFile(const std::string& path);

    const std::vector<LoadedPlugin>& plugins() const { return plugins_; }
    const std::vector<PluginProblem>& problems() const { return problems_; }
    const AnalysisPlugin* find(const std::string& name) const;

    // Checks inputs and parameters, runs, catches exceptions (reported by plugin name), and stamps the
    // results with the plugin name and the parameters used. Thread-safe for concurrent runs.
    static Result<Results> run(const AnalysisPlugin& plugin, const Inputs& in,
                               const std::map<std::string, std::string>& params, Progress& progress);

private:
    std::vector<std::string> extraDirs_;
    std::vector<LoadedPlugin> plugins_;
    std::vector<PluginProblem> problems_;
    std::vector<std::unique_ptr<QPluginLoader>> loaders_;
    std::map<std::string, bool> seenFiles_;
};

} // namespace nr
