// Built-in plugin: statistics of a vessel graph. Scalars nodes, edges, total_length, mean_radius, components
// (in that order); tables: degree distribution, length density per volume of the bounding box, histograms of
// radius, length and tortuosity (length / straight distance). Without a length column an edge's length is the
// Euclidean distance between its nodes.
#include <QObject>
#include <algorithm>
#include <cmath>
#include <utility>

#include "plugin/AnalysisPlugin.h"
#include "vessel/VesselGraph.h"

namespace nr {

namespace {

TableResult histogramTable(const std::string& name, const std::string& what, const Histogram& h) {
    TableResult t{name, {{"bin_lo", {}, {}, false}, {"bin_hi", {}, {}, false}, {what, {}, {}, false}}};
    const double w = (h.hi - h.lo) / double(h.counts.size());
    for (size_t b = 0; b < h.counts.size(); ++b) {
        t.columns[0].numbers.push_back(h.lo + w * double(b));
        t.columns[1].numbers.push_back(b + 1 == h.counts.size() ? h.hi : h.lo + w * double(b + 1));
        t.columns[2].numbers.push_back(double(h.counts[b]));
    }
    return t;
}

} // namespace

class VesselStatsPlugin : public QObject, public AnalysisPlugin {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID NR_ANALYSIS_PLUGIN_IID FILE "vessel_stats.json")
    Q_INTERFACES(nr::AnalysisPlugin)

public:
    std::string name() const override { return "vessel_stats"; }
    std::string description() const override {
        return "Vessel graph: node and edge counts, total length, mean radius, connected components, node "
               "degree distribution, length density per volume of the bounding box, radius and length "
               "histograms, tortuosity (length / straight distance).";
    }
    InputKinds inputs() const override { return VesselInput; }
    std::vector<ParamSpec> parameters() const override {
        using T = ParamSpec::Type;
        return {{"bins",
                 T::Int,
                 "20",
                 1,
                 100000,
                 {},
                 "number of bins of the radius, length and tortuosity histograms"}};
    }
    Result<Results> run(const Inputs& in, const Params& p, Progress& progress) const override {
        std::shared_ptr<const VesselGraph> g;
        if (const auto* v = std::any_cast<std::shared_ptr<const VesselGraph>>(&in.vessels)) g = *v;
        if (!g) return Error{in.source, 0, "vessel_stats needs a vessel graph"};
        const size_t bins = size_t(std::max<long long>(1, p.integer("bins", 20)));
        const VesselStats s = vesselStats(*g);
        if (progress.cancelled()) return Error{in.source, 0, "cancelled"};
        // Sums of values that are each finite can still overflow.
        const std::pair<const char*, double> sums[] = {{"total_length", s.totalLength},
                                                       {"mean_radius", s.meanRadius},
                                                       {"length_density", s.lengthDensity},
                                                       {"mean_tortuosity", s.meanTortuosity}};
        for (const auto& [what, v] : sums)
            if (std::isinf(v))
                return Error{in.source, 0,
                             std::string("vessel_stats: ") + what +
                                 " overflows (the lengths or radii are too large to add up)"};
        progress.report(0.5);
        Results r;
        r.addScalar("nodes", double(s.nodes));
        r.addScalar("edges", double(s.edges));
        r.addScalar("total_length", s.totalLength);
        r.addScalar("mean_radius", s.meanRadius);
        r.addScalar("components", double(s.components));

        TableResult deg{"degree_distribution", {{"degree", {}, {}, false}, {"nodes", {}, {}, false}}};
        for (size_t d = 0; d < s.degreeCounts.size(); ++d) {
            if (!s.degreeCounts[d]) continue;
            deg.columns[0].numbers.push_back(double(d));
            deg.columns[1].numbers.push_back(double(s.degreeCounts[d]));
        }
        r.tables.push_back(std::move(deg));

        TableResult dens{"length_density",
                         {{"units", {}, {g->units.empty() ? std::string("unknown") : g->units}, true},
                          {"box_volume", {s.boxVolume}, {}, false},
                          {"total_length", {s.totalLength}, {}, false},
                          {"length_per_volume", {s.lengthDensity}, {}, false},
                          {"mean_tortuosity", {s.meanTortuosity}, {}, false}}};
        r.tables.push_back(std::move(dens));

        const std::vector<float> radius = g->edgeRadii(), length = g->edgeLengths();
        r.tables.push_back(histogramTable("radius_histogram", "edges", histogram(radius, bins)));
        r.tables.push_back(histogramTable("length_histogram", "edges", histogram(length, bins)));
        std::vector<float> tort;
        tort.reserve(length.size());
        for (size_t e = 0; e < g->edgeCount(); ++e) {
            const float d = g->euclidean(e);
            if (d > 0) tort.push_back(length[e] / d);
        }
        r.tables.push_back(histogramTable("tortuosity_histogram", "edges", histogram(tort, bins)));
        progress.report(1.0);
        return r;
    }
};

} // namespace nr

#include "VesselStatsPlugin.moc"
