// Built-in plugin: functional connectivity of activity traces. The correlation matrix (Pearson or Spearman,
// NaN ignored pairwise) over the whole recording, or one matrix per sliding window. A whole-recording matrix
// too large for memory is computed in blocks of rows and written to the results file as it goes, when the
// host gives one (Inputs::outFile: `analyze --out`).
#include <QObject>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

#include "io/MemoryBudget.h"
#include "plugin/AnalysisPlugin.h"
#include "plugin/ResultsIO.h"
#include "traces/TraceAnalysis.h"

namespace nr {

class FunctionalConnectivityPlugin : public QObject, public AnalysisPlugin {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID NR_ANALYSIS_PLUGIN_IID FILE "functional_connectivity.json")
    Q_INTERFACES(nr::AnalysisPlugin)

public:
    std::string name() const override { return "functional_connectivity"; }
    std::string description() const override {
        return "Correlation matrix of activity traces (Pearson or Spearman, NaN frames ignored pairwise) "
               "over the "
               "whole recording or in sliding windows. mean_abs_r is the mean |Pearson r| over the pairs "
               "whose "
               "traces are finite and not constant over the whole recording.";
    }
    InputKinds inputs() const override { return TracesInput; }
    std::vector<ParamSpec> parameters() const override {
        using T = ParamSpec::Type;
        return {
            {"method",
             T::Enum,
             "pearson",
             0,
             0,
             {"pearson", "spearman"},
             "correlation of the matrices written"},
            {"window", T::Double, "0", 0, 1e9, {}, "sliding window in seconds (0: whole recording only)"},
            {"step", T::Double, "0", 0, 1e9, {}, "step between windows in seconds (0: the window length)"},
            {"array", T::String, "", 0, 0, {}, "HDF5/NWB: path of the trace dataset"},
            {"time", T::String, "", 0, 0, {}, "HDF5: path of the time dataset; NPY: time file"},
        };
    }
    Result<Results> run(const Inputs& in, const Params& p, Progress& progress) const override {
        const auto* tp = std::any_cast<std::shared_ptr<const Traces>>(&in.traces);
        if (!tp || !*tp) return Error{in.source, 0, "functional_connectivity needs activity traces"};
        const Traces& t = **tp;
        const CorrMethod method = p.text("method") == "spearman" ? CorrMethod::Spearman : CorrMethod::Pearson;
        const double window = p.number("window"), step = p.number("step") > 0 ? p.number("step") : window;
        // Before anything is allocated: the whole-recording matrix, its copy in the results and, without
        // windows, the matrix of the chosen method; with windows, one result matrix per window.
        {
            size_t extra = 1 + (method == CorrMethod::Spearman ? 2 : 0);
            if (window > 0) {
                auto ws = slidingWindows(t, window, step);
                if (!ws) return ws.error();
                extra = ws.value().size();
            }
            const uint64_t need = correlationBytes(t, method, extra);
            // Too large to hold, but a results file is given: the rows go to it block by block.
            if (window <= 0 && !in.outFile.empty() && need > memoryBudgetBytes())
                return streamed(t, method, in.outFile, progress);
            if (auto s = checkCorrelationBudget(t, need, "functional_connectivity")) return *s;
        }
        const CorrMatrix whole = correlationMatrix(t, CorrMethod::Pearson);
        const MeanAbsR m = meanAbsCorrelation(t, whole);
        bool anyFinite = false;
        for (size_t i = 0; i < whole.n && !anyFinite; ++i)
            for (size_t j = i + 1; j < whole.n && !anyFinite; ++j) anyFinite = std::isfinite(whole.at(i, j));
        if (!anyFinite)
            return Error{t.source, 0,
                         "functional_connectivity: no pair of neurons has a finite correlation (every trace "
                         "is constant or NaN, or no two are finite at 3 common time points)"};
        progress.report(0.2);
        Results r;
        size_t windows = 1;
        const size_t n = t.neurons();
        auto matrixOf = [&](const std::string& name) {
            MatrixResult mr;
            mr.name = name;
            mr.rows = mr.cols = n;
            mr.rowLabels = mr.colLabels = t.names;
            return mr;
        };
        if (window > 0) {
            auto wc = windowedCorrelations(t, method, window, step, 2, [&](double f) {
                progress.report(0.2 + 0.7 * f);
                return !progress.cancelled();
            });
            if (!wc) return wc.error();
            windows = wc.value().windows.size();
            const size_t P = pairCount(n);
            for (size_t w = 0; w < windows; ++w) {
                char label[96];
                std::snprintf(label, sizeof label, "window %zu (%.6g-%.6g s)", w,
                              wc.value().windows[w].tStart, wc.value().windows[w].tEnd);
                MatrixResult mr = matrixOf(label);
                mr.values.assign(n * n, 1.0);
                for (size_t i = 0; i < n; ++i)
                    for (size_t j = i + 1; j < n; ++j)
                        mr.values[i * n + j] = mr.values[j * n + i] =
                            wc.value().r[w * P + pairIndex(i, j, n)];
                r.matrices.push_back(std::move(mr));
            }
        } else {
            const CorrMatrix c = method == CorrMethod::Pearson ? whole : correlationMatrix(t, method);
            MatrixResult mr = matrixOf(method == CorrMethod::Pearson ? "pearson r" : "spearman rho");
            mr.values = c.r;
            r.matrices.push_back(std::move(mr));
        }
        r.addScalar("neurons", double(n));
        r.addScalar("timepoints", double(t.timepoints()));
        r.addScalar("windows", double(windows));
        r.addScalar("mean_abs_r", m.mean);
        // Per neuron: NaN frames (ignored in every statistic) and mean |r| to the others.
        TableResult tab{
            "neurons",
            {{"neuron", {}, {}, true}, {"nan_frames", {}, {}, false}, {"mean_abs_r", {}, {}, false}}};
        for (size_t i = 0; i < n; ++i) {
            size_t nan = 0;
            for (size_t k = 0; k < t.timepoints(); ++k) nan += std::isnan(t.at(i, k));
            double s = 0;
            size_t c = 0;
            for (size_t j = 0; j < n; ++j)
                if (j != i && std::isfinite(whole.at(i, j))) s += std::fabs(whole.at(i, j)), ++c;
            tab.columns[0].text.push_back(t.names[i]);
            tab.columns[1].numbers.push_back(double(nan));
            tab.columns[2].numbers.push_back(c ? s / double(c) : NAN);
        }
        r.tables.push_back(std::move(tab));
        progress.report(1.0);
        return r;
    }

private:
    // The whole-recording matrix in blocks of rows written to the results file as they come (memory
    // O(n * T + block * n)); the scalars and the neuron table are summed along the way, in the order the
    // in-memory run sums them.
    static Result<Results> streamed(const Traces& t, CorrMethod method, const std::string& outFile,
                                    Progress& progress) {
        const size_t n = t.neurons(), T = t.timepoints();
        const bool spearman = method == CorrMethod::Spearman;
        // Blocks of about 32 MiB of results (less under a small budget).
        const uint64_t blockBytes = std::min<uint64_t>(uint64_t(32) << 20, memoryBudgetBytes() / 8);
        const size_t block = size_t(std::clamp<uint64_t>(
            blockBytes / (sizeof(double) * std::max<size_t>(n, 1)), 1, std::max<size_t>(n, 1)));
        const uint64_t need = satMul(CorrelationRows::bytes(t, block), spearman ? 2 : 1);
        if (auto s = checkCorrelationBudget(t, need,
                                            "functional_connectivity (in blocks of " + std::to_string(block) +
                                                " rows, to " + outFile + ")"))
            return *s;
        const CorrelationRows pearson(t, CorrMethod::Pearson);
        std::unique_ptr<CorrelationRows> ranked;
        if (spearman) ranked = std::make_unique<CorrelationRows>(t, CorrMethod::Spearman);
        // Neurons in mean_abs_r: finite and not constant over the whole recording.
        std::vector<char> use(n, 0);
        for (size_t i = 0; i < n; ++i) {
            const float* r = t.row(i);
            bool finite = T > 0, varies = false;
            for (size_t k = 0; k < T; ++k) {
                if (!std::isfinite(r[k])) finite = false;
                if (r[k] != r[0]) varies = true;
            }
            use[i] = finite && varies;
        }
        MatrixRowsWriter rowsOut(outFile);
        if (auto s = rowsOut.open()) return *s;
        std::vector<double> P(block * n), S(spearman ? block * n : 0);
        double sum = 0;
        size_t pairs = 0;
        bool anyFinite = false;
        std::vector<double> rowMean(n, NAN);
        for (size_t first = 0; first < n; first += block) {
            if (progress.cancelled()) return Error{t.source, 0, "functional_connectivity: cancelled"};
            const size_t count = std::min(block, n - first);
            pearson.rows(first, count, P.data());
            if (spearman) ranked->rows(first, count, S.data());
            for (size_t a = 0; a < count; ++a) {
                const size_t i = first + a;
                const double* row = P.data() + a * n;
                double s = 0;
                size_t c = 0;
                for (size_t j = 0; j < n; ++j) {
                    const double v = row[j];
                    if (j != i && std::isfinite(v)) s += std::fabs(v), ++c;
                    if (j > i && std::isfinite(v)) anyFinite = true;
                    if (j > i && use[i] && use[j] && std::isfinite(v)) {
                        sum += std::fabs(v);
                        ++pairs;
                    }
                }
                rowMean[i] = c ? s / double(c) : NAN;
            }
            if (auto s = rowsOut.append(spearman ? S.data() : P.data(), count, n, t.names, first)) return *s;
            progress.report(0.05 + 0.9 * double(first + count) / double(n));
        }
        if (!anyFinite)
            return Error{t.source, 0,
                         "functional_connectivity: no pair of neurons has a finite correlation (every trace "
                         "is constant or NaN, or no two are finite at 3 common time points)"};
        // The rows stay in the scratch file beside the results file; saving the results copies them in.
        if (auto kept = rowsOut.release(); !kept) return kept.error();
        Results r;
        MatrixResult mr;
        mr.name = spearman ? "spearman rho" : "pearson r";
        mr.rows = mr.cols = n;
        mr.rowLabels = mr.colLabels = t.names;
        r.matrices.push_back(std::move(mr));
        r.addScalar("neurons", double(n));
        r.addScalar("timepoints", double(T));
        r.addScalar("windows", 1.0);
        r.addScalar("mean_abs_r", pairs ? sum / double(pairs) : NAN);
        TableResult tab{
            "neurons",
            {{"neuron", {}, {}, true}, {"nan_frames", {}, {}, false}, {"mean_abs_r", {}, {}, false}}};
        for (size_t i = 0; i < n; ++i) {
            size_t nan = 0;
            for (size_t k = 0; k < T; ++k) nan += std::isnan(t.at(i, k));
            tab.columns[0].text.push_back(t.names[i]);
            tab.columns[1].numbers.push_back(double(nan));
            tab.columns[2].numbers.push_back(rowMean[i]);
        }
        r.tables.push_back(std::move(tab));
        progress.report(1.0);
        return r;
    }
};

} // namespace nr

#include "FunctionalConnectivityPlugin.moc"
