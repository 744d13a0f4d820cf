#include "plugin/AnalyzeCommand.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>

#include "io/Nwb.h"
#include "io/TrialIO.h"
#include "plugin/PluginRegistry.h"
#include "plugin/ResultsIO.h"
#if __has_include("io/GraphIO.h")
#include "io/GraphIO.h"
#define NR_HAVE_GRAPH_IO 1
#endif

namespace nr {

namespace {

const char* kUsage = "usage: neurorama analyze PLUGIN --input FILE [--trials FILE] [--param name=value ...] "
                     "[--out result.json|.csv]";

std::string extensionOf(const std::string& path) {
    const size_t slash = path.find_last_of('/');
    const size_t dot = path.find_last_of('.');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
    std::string e = path.substr(dot + 1);
    for (char& c : e) c = char(std::tolower(static_cast<unsigned char>(c)));
    return e;
}

// Loads the input in the form the plugin takes.
Result<Inputs> loadInputs(const AnalysisPlugin& plugin, const std::string& input, const std::string& trials) {
    Inputs in;
    in.source = input;
    const InputKinds accepts = plugin.inputs();
    const std::string ext = extensionOf(input);
    const bool spikeFile =
        ext == "nwb" || ext == "npy" ||
        (ext == "csv" && !(accepts & GraphInput && !(accepts & (SpikeTrainsInput | TrialDataInput))));
    if (spikeFile) {
        const bool haveTrials =
            ext == "nwb" ? nwbHasTrials(input) : (!trials.empty() || !findTrialsFile(input).empty());
        if (haveTrials && (accepts & TrialDataInput)) {
            auto d = readTrialData(input, trials);
            if (!d) return d.error();
            in.trials = std::make_shared<const TrialData>(std::move(d.value()));
            return in;
        }
        if (accepts & SpikeTrainsInput) {
            if (!trials.empty())
                return Error{trials, 0, "plugin " + plugin.name() + " does not use a trials table"};
            auto s = readSpikeTrainsFile(input);
            if (!s) return s.error();
            in.spikes = std::make_shared<const SpikeTrains>(std::move(s.value()));
            return in;
        }
        if (accepts & TrialDataInput) {
            auto d = readTrialData(input, trials); // reports the missing trials table
            if (!d) return d.error();
            in.trials = std::make_shared<const TrialData>(std::move(d.value()));
            return in;
        }
    }
    if (accepts & GraphInput) {
#ifdef NR_HAVE_GRAPH_IO
        auto g = readGraph(input);
        if (!g) return g.error();
        in.graph = std::make_shared<const Graph>(std::move(g.value()));
        return in;
#else
        return Error{input, 0, "graph files cannot be read by this build"};
#endif
    }
    return Error{input, 0, "plugin " + plugin.name() + " cannot take a ." + ext + " file"};
}

} // namespace

int runAnalyzeCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
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
    auto in = loadInputs(*plugin, input, trials);
    if (!in) {
        err << in.error().str() << "\n";
        return 1;
    }
    Progress progress;
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
