// Built-in plugin: graph communities (Leiden, modularity) and node centralities as per-node columns.
#include <QObject>

#include "analysis/GraphAnalysis.h"
#include "plugin/AnalysisPlugin.h"
#include "plugin/ResultsIO.h"

namespace nr {

class GraphCommunitiesPlugin : public QObject, public AnalysisPlugin {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID NR_ANALYSIS_PLUGIN_IID FILE "graph_communities.json")
    Q_INTERFACES(nr::AnalysisPlugin)

public:
    std::string name() const override { return "graph_communities"; }
    std::string description() const override {
        return "Leiden communities maximising modularity, plus degree and betweenness; per-node columns that "
               "can colour the 3-D view.";
    }
    InputKinds inputs() const override { return GraphInput; }
    std::vector<ParamSpec> parameters() const override {
        using T = ParamSpec::Type;
        return {
            {"weighted", T::Bool, "true", 0, 0, {}, "use edge weights for communities"},
            {"resolution", T::Double, "1", 1e-6, 1e6, {}, "modularity resolution (1: standard modularity)"},
            {"seed", T::Int, "1", 0, 4294967295.0, {}, "seed of the Leiden algorithm"},
            {"betweenness", T::Bool, "true", 0, 0, {}, "compute betweenness centrality"},
        };
    }
    Result<Results> run(const Inputs& in, const Params& p, Progress& progress) const override {
        if (!in.graph) return Error{in.source, 0, "graph_communities needs a graph"};
        const Graph& g = *in.graph;
        auto c = detectCommunities(g, p.flag("weighted", true), p.number("resolution", 1),
                                   uint64_t(p.integer("seed", 1)));
        if (!c) return Error{in.source, 0, c.error().reason};
        progress.report(0.4);
        if (progress.cancelled()) return Error{in.source, 0, "cancelled"};
        Results r;
        r.addScalar("nodes", double(g.nodeCount()));
        r.addScalar("edges", double(g.edgeCount()));
        r.addScalar("communities", c.value().count);
        r.addScalar("modularity", c.value().modularity);
        r.nodeColumns.push_back(
            {"community", std::vector<double>(c.value().membership.begin(), c.value().membership.end())});
        r.nodeColumns.push_back({"degree", degreeColumn(g)});
        if (p.flag("betweenness", true)) {
            size_t sources = 0;
            auto b = betweenness(g, false, &sources);
            if (!b) return Error{in.source, 0, b.error().reason};
            // Large graphs get an estimate from a sample of source nodes; say how many.
            if (sources < g.nodeCount()) r.addScalar("betweenness_sources", double(sources));
            r.nodeColumns.push_back({"betweenness", b.value()});
        }
        TableResult names{"nodes", {{"name", {}, g.names, true}}};
        r.tables.push_back(std::move(names));
        progress.report(1.0);
        return r;
    }
};

} // namespace nr

#include "GraphCommunitiesPlugin.moc"
