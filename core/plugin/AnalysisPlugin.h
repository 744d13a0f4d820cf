// The analysis plugin interface, version 1.0.
//
// A plugin is a Qt plugin (QObject + this interface) built as a shared module:
//
//   class MyPlugin : public QObject, public nr::AnalysisPlugin {
//       Q_OBJECT
//       Q_PLUGIN_METADATA(IID NR_ANALYSIS_PLUGIN_IID FILE "my.json")
//       Q_INTERFACES(nr::AnalysisPlugin)
//   public:
//       ... the five functions below ...
//   };
//
// Rules for implementers:
// - run() is const and may be called from several worker threads at once: keep no mutable state.
// - Report progress with progress.report(f) and return early when progress.cancelled() is true.
// - Refuse bad input by returning nr::Error (file, line, reason); throwing is caught by the host, reported
//   with the plugin's name, and counts as a failure of that run only.
// - Parameters arrive checked against parameters(): every declared name is present, within its range.
//
// Changes: 1.0 first version. A change of the interface id means old plugins are refused, never misread.
#pragma once

#include <QtPlugin>
#include <string>
#include <vector>

#include "plugin/PluginTypes.h"

#define NR_ANALYSIS_PLUGIN_IID "org.neurorama.AnalysisPlugin/1.0"

namespace nr {

class AnalysisPlugin {
public:
    virtual ~AnalysisPlugin() = default;

    // Short unique name used on the command line (`neurorama analyze NAME`) and in menus.
    virtual std::string name() const = 0;
    // One or two sentences for tooltips and `--help`.
    virtual std::string description() const = 0;
    // The inputs this plugin can take (InputKind flags); the host supplies at least one of them.
    virtual InputKinds inputs() const = 0;
    // Declared parameters: the UI builds its form and the command line checks `--param` from this list.
    virtual std::vector<ParamSpec> parameters() const = 0;
    // The analysis itself.
    virtual Result<Results> run(const Inputs& in, const Params& params, Progress& progress) const = 0;
};

} // namespace nr

Q_DECLARE_INTERFACE(nr::AnalysisPlugin, NR_ANALYSIS_PLUGIN_IID)
