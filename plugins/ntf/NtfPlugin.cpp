// Built-in plugin: dynamic functional connectome by non-negative tensor factorisation. Pairwise affinities of
// the traces over sliding windows form a pairs x windows tensor; a rank-R non-negative CP decomposition gives
// per component a weighted neuron-pair graph (with its Leiden communities) and a time course.
#include <QObject>
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "formats/Open.h"
#include "io/MemoryBudget.h"
#include "plugin/AnalysisPlugin.h"
#include "traces/TraceAnalysis.h"
#include "traces/TraceFormats.h"

namespace nr {

namespace {
std::vector<std::string> splitPaths(const std::string& s) {
    std::vector<std::string> out;
    size_t a = 0;
    while (a <= s.size()) {
        const size_t b = std::min(s.find(',', a), s.size());
        if (b > a) out.push_back(s.substr(a, b - a));
        a = b + 1;
    }
    return out;
}

Traces subset(const Traces& t, const std::vector<size_t>& idx) {
    Traces s;
    s.time = t.time;
    s.behaviour = t.behaviour;
    s.source = t.source;
    for (size_t i : idx) {
        s.names.push_back(t.names[i]);
        s.values.insert(s.values.end(), t.row(i), t.row(i) + t.timepoints());
    }
    s.countNaN();
    return s;
}
} // namespace

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
               "component gives a neuron-pair graph with communities and a time course; with `recordings` "
               "the tensor is "
               "pairs x windows x recordings over the neurons all recordings share (by name). rel_error is "
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
            {"recordings",
             T::String,
             "",
             0,
             0,
             {},
             "more trace files, comma-separated: pairs x windows x recordings"},
            {"array", T::String, "", 0, 0, {}, "HDF5/NWB: path of the trace dataset"},
            {"time", T::String, "", 0, 0, {}, "HDF5: path of the time dataset; NPY: time file"},
        };
    }
    Result<Results> run(const Inputs& in, const Params& p, Progress& progress) const override {
        const auto* tp = std::any_cast<std::shared_ptr<const Traces>>(&in.traces);
        if (!tp || !*tp) return Error{in.source, 0, "ntf needs activity traces"};
        // Several recordings (the input plus `recordings`): the neurons all of them share, by name.
        std::vector<std::shared_ptr<const Traces>> recs = {*tp};
        for (const auto& path : splitPaths(p.text("recordings"))) {
            auto r = openTraces(path);
            if (!r) return r.error();
            recs.push_back(r.value());
        }
        std::vector<std::vector<size_t>> keep(recs.size());
        for (size_t i = 0; i < recs[0]->neurons(); ++i) {
            std::vector<size_t> idx = {i};
            for (size_t k = 1; k < recs.size(); ++k) {
                const long j = recs[k]->find(recs[0]->names[i]);
                if (j < 0) break;
                idx.push_back(size_t(j));
            }
            if (idx.size() == recs.size())
                for (size_t k = 0; k < recs.size(); ++k) keep[k].push_back(idx[k]);
        }
        const size_t K = recs.size();
        if (K > 1)
            for (size_t k = 0; k < K; ++k)
                recs[k] = std::make_shared<const Traces>(subset(*recs[k], keep[k]));
        const Traces& t = *recs[0];
        const size_t n = t.neurons(), P = pairCount(n);
        if (n < 2) return Error{in.source, 0, "ntf needs at least two neurons (in every recording)"};
        std::vector<WindowedCorrelations> wcs;
        size_t W = 0;
        for (size_t k = 0; k < K; ++k) {
            auto wc = windowedCorrelations(*recs[k], CorrMethod::Pearson, p.number("window"),
                                           p.number("step"), 2, [&](double f) {
                                               progress.report(0.3 * (double(k) + f) / double(K));
                                               return !progress.cancelled();
                                           });
            if (!wc) return wc.error();
            W = k == 0 ? wc.value().windows.size() : std::min(W, wc.value().windows.size());
            wcs.push_back(std::move(wc.value()));
        }
        const size_t R = size_t(p.integer("rank", 4));
        {
            // The float tensor (pairs x windows x recordings) and its copy, and one n x n matrix per
            // component.
            const uint64_t need = satAdd(satMul(satMul(satMul(K, P), W), 2 * sizeof(float)),
                                         satMul(satMul(satMul(n, n), R), sizeof(double)));
            if (auto s = checkCorrelationBudget(t, need, "ntf in " + std::to_string(W) + " windows"))
                return *s;
        }
        std::vector<float> X;
        X.reserve(K * P * W);
        for (size_t k = 0; k < K; ++k) {
            wcs[k].r.resize(W * P);
            const std::vector<float> x = affinityTensor(wcs[k].r, P, W, p.text("affinity", "positive"));
            X.insert(X.end(), x.begin(), x.end());
        }
        auto f = ntf(X, P, W, K, R, uint64_t(p.integer("seed", 1)), int(p.integer("max_iter", 500)), 1e-7,
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
        if (K > 1) {
            r.addScalar("recordings", double(K));
            r.addScalar("shared_neurons", double(n));
            TableResult rw{"recording weights", {{"recording", {}, {}, false}}};
            for (size_t c = 0; c < R; ++c)
                rw.columns.push_back({"component " + std::to_string(c + 1), {}, {}, false});
            for (size_t k = 0; k < K; ++k) {
                rw.columns[0].numbers.push_back(double(k));
                for (size_t c = 0; c < R; ++c) rw.columns[c + 1].numbers.push_back(res.C[k * R + c]);
            }
            r.tables.push_back(std::move(rw));
        }
        // Time courses (window centres) and pair graphs.
        std::vector<double> centre(W);
        for (size_t w = 0; w < W; ++w) centre[w] = 0.5 * (wcs[0].windows[w].tStart + wcs[0].windows[w].tEnd);
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
