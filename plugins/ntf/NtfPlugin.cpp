// Built-in plugin: dynamic functional connectome by non-negative tensor factorisation. Pairwise affinities of
// the traces over sliding windows form a pairs x windows tensor; a rank-R non-negative CP decomposition gives
// per component a weighted neuron-pair graph (with its Leiden communities) and a time course.
#include <QObject>
#include <cmath>
#include <cstdio>

#include "plugin/AnalysisPlugin.h"
#include "traces/TraceAnalysis.h"

namespace nr {

class NtfPlugin : public QObject, public AnalysisPlugin {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID NR_ANALYSIS_PLUGIN_IID FILE "ntf.json")
    Q_INTERFACES(nr::AnalysisPlugin)

public:
    std::string name() const override { return "ntf"; }
    std::string description() const override {
        return "Sliding-window correlations of the traces as a non-negative pairs x windows tensor (affinity "
               "max(r,0), (1+r)/2 or |r|), factorised by non-negative CP (HALS, deterministic for a seed). "
               "Each "
               "component gives a neuron-pair graph with communities and a time course; rel_error is "
               "||X - Xhat|| / ||X||.";
    }
    InputKinds inputs() const override { return TracesInput; }
    std::vector<ParamSpec> parameters() const override {
        using T = ParamSpec::Type;
        return {
            {"rank", T::Int, "4", 1, 1000, {}, "number of components"},
            {"window", T::Double, "60", 1e-9, 1e9, {}, "window in seconds"},
            {"step", T::Double, "10", 1e-9, 1e9, {}, "step between windows in seconds"},
            {"affinity",
             T::Enum,
             "positive",
             0,
             0,
             {"positive", "shifted", "abs"},
             "max(r,0), (1+r)/2 or |r|"},
            {"seed", T::Int, "1", 0, 1e18, {}, "seed of the random start"},
            {"max_iter", T::Int, "500", 1, 1e6, {}, "iterations at most"},
            {"array", T::String, "", 0, 0, {}, "HDF5/NWB: path of the trace dataset"},
            {"time", T::String, "", 0, 0, {}, "HDF5: path of the time dataset; NPY: time file"},
        };
    }
    Result<Results> run(const Inputs& in, const Params& p, Progress& progress) const override {
        const auto* tp = std::any_cast<std::shared_ptr<const Traces>>(&in.traces);
        if (!tp || !*tp) return Error{in.source, 0, "ntf needs activity traces"};
        const Traces& t = **tp;
        const size_t n = t.neurons(), P = pairCount(n);
        if (n < 2) return Error{in.source, 0, "ntf needs at least two neurons"};
        auto wc = windowedCorrelations(t, CorrMethod::Pearson, p.number("window"), p.number("step"), 2,
                                       [&](double f) {
                                           progress.report(0.3 * f);
                                           return !progress.cancelled();
                                       });
        if (!wc) return wc.error();
        const size_t W = wc.value().windows.size();
        const size_t R = size_t(p.integer("rank", 4));
        const std::vector<float> X = affinityTensor(wc.value().r, P, W, p.text("affinity", "positive"));
        auto f = ntf(X, P, W, 1, R, uint64_t(p.integer("seed", 1)), int(p.integer("max_iter", 500)), 1e-7,
                     [&](double x) {
                         progress.report(0.3 + 0.6 * x);
                         return !progress.cancelled();
                     });
        if (!f) return Error{in.source, 0, f.error().reason};
        const NtfResult& res = f.value();
        Results r;
        r.addScalar("rank", double(R));
        r.addScalar("windows", double(W));
        r.addScalar("rel_error", res.relError);
        // Time courses (window centres) and pair graphs.
        std::vector<double> centre(W);
        for (size_t w = 0; w < W; ++w)
            centre[w] = 0.5 * (wc.value().windows[w].tStart + wc.value().windows[w].tEnd);
        std::vector<double> factorGraphs(R * P);
        for (size_t c = 0; c < R; ++c) {
            char label[32];
            std::snprintf(label, sizeof label, "component %zu", c + 1);
            SeriesResult s{"ntf time courses", label, centre, {}};
            for (size_t w = 0; w < W; ++w) s.y.push_back(double(res.B[w * R + c]) * res.lambda[c]);
            r.series.push_back(std::move(s));
            MatrixResult m;
            m.name = std::string(label) + " pair weights";
            m.rows = m.cols = n;
            m.rowLabels = m.colLabels = t.names;
            m.values.assign(n * n, 0.0);
            for (size_t i = 0; i < n; ++i)
                for (size_t j = i + 1; j < n; ++j) {
                    const double v = res.A[pairIndex(i, j, n) * R + c];
                    m.values[i * n + j] = m.values[j * n + i] = v;
                    factorGraphs[c * P + pairIndex(i, j, n)] = v;
                }
            r.matrices.push_back(std::move(m));
        }
        // Communities of each component's pair graph (labels matched across components).
        auto dc = dynamicCommunities(factorGraphs, n, R, 1.0, uint64_t(p.integer("seed", 1)));
        if (dc) {
            TableResult tab{"component communities", {{"neuron", {}, t.names, true}}};
            for (size_t c = 0; c < R; ++c) {
                TableColumn col{"component " + std::to_string(c + 1), {}, {}, false};
                for (int l : dc.value().labels[c]) col.numbers.push_back(double(l));
                tab.columns.push_back(std::move(col));
            }
            r.tables.push_back(std::move(tab));
        }
        TableResult lam{"components", {{"component", {}, {}, false}, {"lambda", {}, {}, false}}};
        for (size_t c = 0; c < R; ++c) {
            lam.columns[0].numbers.push_back(double(c + 1));
            lam.columns[1].numbers.push_back(res.lambda[c]);
        }
        r.tables.push_back(std::move(lam));
        progress.report(1.0);
        return r;
    }
};

} // namespace nr

#include "NtfPlugin.moc"
