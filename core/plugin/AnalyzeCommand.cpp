#include "plugin/AnalyzeCommand.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <memory>

#include "io/ReaderRegistry.h"
#include "plugin/PluginRegistry.h"
#include "plugin/ResultsIO.h"

namespace nr {

namespace {

const char* kUsage = "usage: neurorama analyze PLUGIN --input FILE [--trials FILE] [--param name=value ...] "
                     "[--out result.json|.csv]\n       neurorama analyze --list";

std::string extensionOf(const std::string& path) {
    const size_t slash = path.find_last_of('/');
    const size_t dot = path.find_last_of('.');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
    std::string e = path.substr(dot + 1);
    for (char& c : e) c = char(std::tolower(static_cast<unsigned char>(c)));
    return e;
}

// Progress of a long run on stderr: "PLUGIN: 40 %" every 10 % once the run has taken 2 s.
class CommandProgress : public Progress {
public:
    CommandProgress(std::string name, std::ostream& err)
        : name_(std::move(name)), err_(err), start_(std::chrono::steady_clock::now()) {}
    void report(double f) override {
        const int pct = int(std::clamp(f, 0.0, 1.0) * 100.0);
        if (pct < shown_ + 10 || pct >= 100) return;
        if (std::chrono::steady_clock::now() - start_ < std::chrono::seconds(2)) return;
        shown_ = pct - pct % 10;
        err_ << name_ << ": " << shown_ << " %" << std::endl;
    }

private:
    std::string name_;
    std::ostream& err_;
    std::chrono::steady_clock::time_point start_;
    int shown_ = 0;
};

// Loads the input in the form the plugin takes: any file the reader registry reads, handed to the plugin as
// the kind it accepts. `options` carries --param values that readers understand (array, time, ...).
} // namespace

Result<Inputs> loadPluginInputs(const AnalysisPlugin& plugin, const std::string& input,
                                const std::string& trials, const std::map<std::string, std::string>& params) {
    Inputs in;
    in.source = input;
    const InputKinds accepts = plugin.inputs();
    OpenOptions opt;
    for (const auto& kv : params) opt.options.push_back(kv);
    // Evaluation plugins (fisbe_eval) name the input's array gt_array, beside the prediction's pred_array.
    if (params.count("gt_array") && !params.count("array"))
        opt.options.push_back({"array", params.at("gt_array")});
    std::vector<std::string> others;
    if (!trials.empty()) others.push_back(trials);
    const ReaderRegistry& reg = ReaderRegistry::builtin();
    const FormatReader* reader = reg.find(input);
    // A graph-only plugin given a delimited file takes it as a graph even when it could be read otherwise.
    if (reader && reader->kind != LayerKind::Graph && (accepts & GraphInput) &&
        !(accepts &
          (SpikeTrainsInput | TrialDataInput | TracesInput | VesselInput | MorphologyInput | VolumeInput))) {
        auto d = reg.openAs(LayerKind::Graph, input, {}, opt);
        if (!d) return d.error();
        in.graph = d.value().graph;
        return in;
    }
    auto d = reg.open(input, others, opt);
    if (!d) return d.error();
    Dataset& ds = d.value();
    switch (ds.kind) {
    case LayerKind::Spikes:
        if (ds.trials && (accepts & TrialDataInput)) {
            in.trials = ds.trials;
            return in;
        }
        if (accepts & SpikeTrainsInput) {
            if (!trials.empty())
                return Error{trials, 0, "plugin " + plugin.name() + " does not use a trials table"};
            in.spikes = ds.spikes;
            return in;
        }
        if (accepts & TrialDataInput)
            return Error{input, 0,
                         "plugin " + plugin.name() + " needs trials: give --trials FILE or put " +
                             "a trials table beside the spikes (X_spikes.csv with X_trials.csv)"};
        break;
    case LayerKind::Graph:
        if (accepts & GraphInput) {
            in.graph = ds.graph;
            return in;
        }
        break;
    case LayerKind::Vessels:
        if (accepts & VesselInput) {
            in.vessels = ds.payload;
            return in;
        }
        break;
    case LayerKind::Morphologies:
        if (accepts & MorphologyInput) {
            in.morphology = ds.payload;
            return in;
        }
        break;
    case LayerKind::LabelVolume:
        if (accepts & VolumeInput) {
            in.volume = ds.payload;
            return in;
        }
        break;
    case LayerKind::Traces:
        if (accepts & TracesInput) {
            in.traces = ds.payload;
            return in;
        }
        break;
    case LayerKind::Simulation:
    case LayerKind::Image:
        break;
    }
    return Error{input, 0,
                 "plugin " + plugin.name() + " cannot take " + std::string(layerKindName(ds.kind)) + " (" +
                     (reader ? reader->name : std::string("?")) + ")"};
}

int runAnalyzeCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    if (args.size() == 1 && args[0] == "--list") {
        // Every plugin found, one line each (name, then the file it was loaded from); problems as warnings.
        PluginRegistry registry;
        registry.load();
        for (const auto& p : registry.problems()) err << "warning: " << p.str() << "\n";
        for (const auto& p : registry.plugins()) out << p.name << "\t" << p.file << "\n";
        if (registry.plugins().empty()) {
            err << "no analysis plugins found (searched:";
            for (const auto& d : registry.searchDirs()) err << " " << d;
            err << ")\n";
            return 1;
        }
        return 0;
    }
    if (args.empty() || args[0].empty() || args[0][0] == '-') {
        err << kUsage << "\n";
        return 2;
    }
    const std::string pluginName = args[0];
    std::string input, trials, outPath;
    std::map<std::string, std::string> params;
    for (size_t i = 1; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&](std::string& dst) {
            if (i + 1 >= args.size()) return false;
            dst = args[++i];
            return true;
        };
        bool ok = true;
        if (a == "--input")
            ok = value(input);
        else if (a == "--trials")
            ok = value(trials);
        else if (a == "--out")
            ok = value(outPath);
        else if (a == "--param") {
            std::string p;
            ok = value(p);
            const size_t eq = p.find('=');
            if (ok && (eq == std::string::npos || eq == 0)) {
                err << "--param " << p << ": expected name=value\n";
                return 2;
            }
            if (ok) params[p.substr(0, eq)] = p.substr(eq + 1);
        } else {
            err << "unknown option '" << a << "'\n" << kUsage << "\n";
            return 2;
        }
        if (!ok) {
            err << a << " needs a value\n" << kUsage << "\n";
            return 2;
        }
    }
    if (input.empty()) {
        err << "--input FILE is required\n" << kUsage << "\n";
        return 2;
    }
    if (!outPath.empty() && extensionOf(outPath) != "json" && extensionOf(outPath) != "csv") {
        err << outPath << ": --out must end in .json or .csv\n";
        return 2;
    }

    PluginRegistry registry;
    registry.load();
    const AnalysisPlugin* plugin = registry.find(pluginName);
    for (const auto& p : registry.problems()) err << "warning: " << p.str() << "\n";
    if (!plugin) {
        err << "no analysis plugin named '" << pluginName << "'; available:";
        for (const auto& p : registry.plugins()) err << " " << p.name;
        if (registry.plugins().empty()) err << " none (searched:";
        if (registry.plugins().empty())
            for (const auto& d : registry.searchDirs()) err << " " << d;
        if (registry.plugins().empty()) err << ")";
        err << "\n";
        return 1;
    }
    auto in = loadPluginInputs(*plugin, input, trials, params);
    if (!in) {
        err << in.error().str() << "\n";
        return 1;
    }
    in.value().outFile = outPath;
    CommandProgress progress(pluginName, err);
    auto r = PluginRegistry::run(*plugin, in.value(), params, progress);
    if (!r) {
        err << r.error().str() << "\n";
        return 1;
    }
    out << scalarLine(r.value()) << "\n";
    if (!outPath.empty()) {
        const Status s = extensionOf(outPath) == "json" ? saveResultsJson(r.value(), outPath)
                                                        : saveResultsCsv(r.value(), outPath);
        if (s) {
            err << s->str() << "\n";
            return 1;
        }
    }
    return 0;
}

} // namespace nr
