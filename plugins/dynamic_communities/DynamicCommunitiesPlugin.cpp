// Built-in plugin: dynamic communities. Leiden (modularity) on each sliding window's graph of positive
// correlations; community labels are matched across windows by greatest overlap so colours stay stable.
#include <QObject>
#include <cmath>
#include <cstdio>

#include "plugin/AnalysisPlugin.h"
#include "traces/TraceAnalysis.h"

namespace nr {

class DynamicCommunitiesPlugin : public QObject, public AnalysisPlugin {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID NR_ANALYSIS_PLUGIN_IID FILE "dynamic_communities.json")
    Q_INTERFACES(nr::AnalysisPlugin)

public:
    std::string name() const override { return "dynamic_communities"; }
    std::string description() const override {
        return "Leiden communities on the positive Pearson correlations of each sliding window, with labels "
               "matched across windows (greatest overlap) so that a community keeps its colour over time.";
    }
    InputKinds inputs() const override { return TracesInput; }
    std::vector<ParamSpec> parameters() const override {
        using T = ParamSpec::Type;
        return {
            {"window", T::Double, "60", 1e-9, 1e9, {}, "window in seconds"},
            {"step", T::Double, "10", 1e-9, 1e9, {}, "step between windows in seconds"},
            {"resolution", T::Double, "1", 1e-6, 1e6, {}, "modularity resolution"},
            {"seed", T::Int, "1", 0, 1e18, {}, "Leiden seed"},
            {"array", T::String, "", 0, 0, {}, "HDF5/NWB: path of the trace dataset"},
            {"time", T::String, "", 0, 0, {}, "HDF5: path of the time dataset; NPY: time file"},
        };
    }
    Result<Results> run(const Inputs& in, const Params& p, Progress& progress) const override {
        const auto* tp = std::any_cast<std::shared_ptr<const Traces>>(&in.traces);
        if (!tp || !*tp) return Error{in.source, 0, "dynamic_communities needs activity traces"};
        const Traces& t = **tp;
        const size_t n = t.neurons();
        auto wc = windowedCorrelations(t, CorrMethod::Pearson, p.number("window"), p.number("step"), 2,
                                       [&](double f) {
                                           progress.report(0.3 * f);
                                           return !progress.cancelled();
                                       });
        if (!wc) return wc.error();
        const size_t W = wc.value().windows.size();
        bool anyFinite = false;
        for (double v : wc.value().r)
            if (std::isfinite(v)) {
                anyFinite = true;
                break;
            }
        if (!anyFinite)
            return Error{
                t.source, 0,
                "dynamic_communities: no pair of neurons has a finite correlation in any window (every "
                "trace is constant or NaN there)"};
        auto dc = dynamicCommunities(wc.value().r, n, W, p.number("resolution", 1.0),
                                     uint64_t(p.integer("seed", 1)), [&](double f) {
                                         progress.report(0.3 + 0.7 * f);
                                         return !progress.cancelled();
                                     });
        if (!dc) return Error{in.source, 0, dc.error().reason};
        Results r;
        double meanCount = 0, meanQ = 0;
        for (size_t w = 0; w < W; ++w) meanCount += dc.value().count[w], meanQ += dc.value().modularity[w];
        r.addScalar("windows", double(W));
        r.addScalar("labels", double(dc.value().labelsUsed));
        r.addScalar("mean_communities", W ? meanCount / double(W) : NAN);
        r.addScalar("mean_modularity", W ? meanQ / double(W) : NAN);
        // Membership over time: neurons x windows.
        MatrixResult m;
        m.name = "membership";
        m.rows = n;
        m.cols = W;
        m.rowLabels = t.names;
        for (size_t w = 0; w < W; ++w) {
            char label[64];
            std::snprintf(label, sizeof label, "%.6g s",
                          0.5 * (wc.value().windows[w].tStart + wc.value().windows[w].tEnd));
            m.colLabels.push_back(label);
        }
        m.values.resize(n * W);
        for (size_t i = 0; i < n; ++i)
            for (size_t w = 0; w < W; ++w) m.values[i * W + w] = dc.value().labels[w][i];
        r.matrices.push_back(std::move(m));
        SeriesResult q{"modularity", "Q", {}, {}};
        for (size_t w = 0; w < W; ++w) {
            q.x.push_back(0.5 * (wc.value().windows[w].tStart + wc.value().windows[w].tEnd));
            q.y.push_back(dc.value().modularity[w]);
        }
        r.series.push_back(std::move(q));
        progress.report(1.0);
        return r;
    }
};

} // namespace nr

#include "DynamicCommunitiesPlugin.moc"
