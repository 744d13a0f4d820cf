// Built-in plugin: structure vs function. Joins trace neurons to a connectome by name (VB02 = VB2), takes the
// symmetrised structural weight of every pair present in both and correlates it with the functional r.
#include <QObject>
#include <cmath>

#include "formats/Open.h"
#include "io/GraphIO.h"
#include "plugin/AnalysisPlugin.h"
#include "traces/TraceAnalysis.h"

namespace nr {

class StructureFunctionPlugin : public QObject, public AnalysisPlugin {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID NR_ANALYSIS_PLUGIN_IID FILE "structure_function.json")
    Q_INTERFACES(nr::AnalysisPlugin)

public:
    std::string name() const override { return "structure_function"; }
    std::string description() const override {
        return "For neuron pairs in both the traces and the connectome: structural weight (chemical, "
               "electrical "
               "or both; w(a,b) + w(b,a)) against functional correlation. Reports Pearson r and a two-sided "
               "permutation p-value (functional values shuffled across pairs, seeded).";
    }
    InputKinds inputs() const override { return TracesInput; }
    std::vector<ParamSpec> parameters() const override {
        using T = ParamSpec::Type;
        return {
            {"connectome", T::String, "", 0, 0, {}, "edge list (or GraphML/GML) of the connectome"},
            {"node_table", T::String, "", 0, 0, {}, "optional node table joined to the connectome"},
            {"synapses", T::Enum, "both", 0, 0, {"both", "chemical", "electrical"}, "edge types counted"},
            {"pairs",
             T::Enum,
             "all",
             0,
             0,
             {"all", "connected"},
             "all matched pairs, or only those with a synapse"},
            {"method", T::Enum, "pearson", 0, 0, {"pearson", "spearman"}, "functional correlation"},
            {"permutations", T::Int, "1000", 1, 1e7, {}, "permutations for the p-value"},
            {"seed", T::Int, "1", 0, 1e18, {}, "random seed of the permutations"},
            {"array", T::String, "", 0, 0, {}, "HDF5/NWB: path of the trace dataset"},
            {"time", T::String, "", 0, 0, {}, "HDF5: path of the time dataset; NPY: time file"},
        };
    }
    Result<Results> run(const Inputs& in, const Params& p, Progress& progress) const override {
        const auto* tp = std::any_cast<std::shared_ptr<const Traces>>(&in.traces);
        if (!tp || !*tp) return Error{in.source, 0, "structure_function needs activity traces"};
        const Traces& t = **tp;
        const std::string edges = p.text("connectome");
        if (edges.empty()) return Error{in.source, 0, "structure_function needs --param connectome=EDGES"};
        auto g = openGraph(edges);
        if (!g) return g.error();
        Graph& graph = g.value();
        if (!p.text("node_table").empty()) {
            auto j = readNodeTable(p.text("node_table"), graph);
            if (!j) return j.error();
        }
        progress.report(0.2);
        // Other spellings from the node table (name_padded / name) help the join.
        std::vector<std::string> alt;
        for (const char* col : {"name_padded", "name"}) {
            auto it = graph.nodeText.find(col);
            if (it != graph.nodeText.end() && it->second.size() == graph.nodeCount()) {
                alt = it->second;
                break;
            }
        }
        const NameJoin join = joinNames(t.names, graph.names, alt);
        if (join.matched < 3)
            return Error{in.source, 0,
                         "fewer than 3 trace neurons are in the connectome (" + join.summary() + ")"};
        const CorrMethod method = p.text("method") == "spearman" ? CorrMethod::Spearman : CorrMethod::Pearson;
        if (auto s = checkCorrelationBudget(t, correlationBytes(t, method, 1), "structure_function"))
            return *s;
        const CorrMatrix fc = correlationMatrix(t, method);
        progress.report(0.4);
        const std::string syn = p.text("synapses");
        const SynapseKind kind = syn == "chemical"     ? SynapseKind::Chemical
                                 : syn == "electrical" ? SynapseKind::Electrical
                                                       : SynapseKind::Both;
        auto sf = structureFunction(graph, join, fc, kind, p.text("pairs") == "connected",
                                    size_t(p.integer("permutations", 1000)), uint64_t(p.integer("seed", 1)));
        if (!sf) return Error{in.source, 0, sf.error().reason};
        Results r;
        r.addScalar("pairs", double(sf.value().pairs));
        r.addScalar("r", sf.value().r);
        r.addScalar("p", sf.value().p);
        TableResult tab{
            "pairs",
            {{"pair", {}, {}, true}, {"structural_weight", {}, {}, false}, {"functional_r", {}, {}, false}}};
        tab.columns[0].text = sf.value().pairNames;
        tab.columns[1].numbers = sf.value().weight;
        tab.columns[2].numbers = sf.value().functional;
        r.tables.push_back(std::move(tab));
        TableResult um{"unmatched", {{"neuron", {}, join.unmatched, true}}};
        r.tables.push_back(std::move(um));
        r.series.push_back({"structure vs function", "pairs", sf.value().weight, sf.value().functional});
        progress.report(1.0);
        return r;
    }
};

} // namespace nr

#include "StructureFunctionPlugin.moc"
