// Built-in plugin: PCA trajectories of trial-averaged population activity.
#include <QObject>

#include "analysis/Pca.h"
#include "plugin/AnalysisPlugin.h"
#include "plugin/ResultsIO.h"

namespace nr {

class PcaPlugin : public QObject, public AnalysisPlugin {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID NR_ANALYSIS_PLUGIN_IID FILE "pca.json")
    Q_INTERFACES(nr::AnalysisPlugin)

public:
    std::string name() const override { return "pca"; }
    std::string description() const override {
        return "Bins population activity, averages over trials per condition and projects onto the first "
               "principal components.";
    }
    InputKinds inputs() const override { return TrialDataInput; }
    std::vector<ParamSpec> parameters() const override {
        using T = ParamSpec::Type;
        return {
            {"bin_ms", T::Double, "50", 0.1, 1e6, {}, "bin width in milliseconds"},
            {"smooth_ms", T::Double, "0", 0, 1e6, {}, "Gaussian smoothing sigma in milliseconds (0: none)"},
            {"window", T::String, "", 0, 0, {}, "START:END seconds from trial start (empty: whole trials)"},
            {"components", T::Int, "3", 1, 10, {}, "number of principal components"},
        };
    }
    Result<Results> run(const Inputs& in, const Params& p, Progress& progress) const override {
        if (!in.trials) return Error{in.source, 0, "pca needs trial data"};
        auto w = trialWindow(p.text("window"), *in.trials);
        if (!w) return w.error();
        PcaOptions o;
        o.binMs = p.number("bin_ms", 50);
        o.smoothMs = p.number("smooth_ms", 0);
        o.start = w.value().first;
        o.end = w.value().second;
        o.components = int(p.integer("components", 3));
        auto res = pcaTrajectories(*in.trials, o);
        if (!res) return res.error();
        progress.report(0.9);
        const PcaTrajectories& t = res.value();
        Results r;
        r.addScalar("units", double(t.unitIds.size()));
        r.addScalar("conditions", double(t.conditions.size()));
        r.addScalar("bins", double(t.binCentres.size()));
        for (Eigen::Index k = 0; k < t.model.explained.size(); ++k)
            r.addScalar("explained_pc" + std::to_string(k + 1), t.model.explained(k));
        TableResult table{"trajectories", {{"condition", {}, {}, true}, {"time_s", {}, {}, false}}};
        const Eigen::Index K = t.model.axes.cols();
        for (Eigen::Index k = 0; k < K; ++k)
            table.columns.push_back({"pc" + std::to_string(k + 1), {}, {}, false});
        for (size_t c = 0; c < t.conditions.size(); ++c) {
            const Eigen::MatrixXd& tr = t.trajectories[c];
            SeriesResult s{"trajectory", t.conditions[c], {}, {}};
            for (Eigen::Index b = 0; b < tr.rows(); ++b) {
                table.columns[0].text.push_back(t.conditions[c]);
                table.columns[1].numbers.push_back(t.binCentres[size_t(b)]);
                for (Eigen::Index k = 0; k < K; ++k) table.columns[size_t(2 + k)].numbers.push_back(tr(b, k));
                s.x.push_back(K > 0 ? tr(b, 0) : 0.0);
                s.y.push_back(K > 1 ? tr(b, 1) : 0.0);
            }
            r.series.push_back(std::move(s));
        }
        r.tables.push_back(std::move(table));
        MatrixResult m{"loadings", size_t(t.model.axes.rows()), size_t(K), {}, {}, {}};
        for (int64_t id : t.unitIds) m.rowLabels.push_back(std::to_string(id));
        for (Eigen::Index k = 0; k < K; ++k) m.colLabels.push_back("pc" + std::to_string(k + 1));
        for (Eigen::Index i = 0; i < t.model.axes.rows(); ++i)
            for (Eigen::Index k = 0; k < K; ++k) m.values.push_back(t.model.axes(i, k));
        r.matrices.push_back(std::move(m));
        progress.report(1.0);
        return r;
    }
};

} // namespace nr

#include "PcaPlugin.moc"
