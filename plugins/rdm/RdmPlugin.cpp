// Built-in plugin: representational dissimilarity matrix of trial data.
#include <QObject>

#include "analysis/Rdm.h"
#include "plugin/AnalysisPlugin.h"
#include "plugin/ResultsIO.h"

namespace nr {

class RdmPlugin : public QObject, public AnalysisPlugin {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID NR_ANALYSIS_PLUGIN_IID FILE "rdm.json")
    Q_INTERFACES(nr::AnalysisPlugin)

public:
    std::string name() const override { return "rdm"; }
    std::string description() const override {
        return "Dissimilarities between the condition response vectors (mean spike count per unit in a "
               "window).";
    }
    InputKinds inputs() const override { return TrialDataInput; }
    std::vector<ParamSpec> parameters() const override {
        using T = ParamSpec::Type;
        return {
            {"window", T::String, "", 0, 0, {}, "START:END seconds from trial start (empty: whole trials)"},
            {"metric",
             T::Enum,
             "correlation",
             0,
             0,
             {"correlation", "euclidean", "crossnobis"},
             "1 - Pearson r, Euclidean distance, or cross-validated Mahalanobis distance"},
            {"shrinkage",
             T::Double,
             "0.2",
             0,
             1,
             {},
             "crossnobis: shrinkage of unit variances towards their mean"},
        };
    }
    Result<Results> run(const Inputs& in, const Params& p, Progress& progress) const override {
        if (!in.trials) return Error{in.source, 0, "rdm needs trial data"};
        auto w = trialWindow(p.text("window"), *in.trials);
        if (!w) return w.error();
        auto tc = countSpikes(*in.trials, w.value().first, w.value().second);
        if (!tc) return tc.error();
        progress.report(0.5);
        if (progress.cancelled()) return Error{in.source, 0, "cancelled"};
        auto metric = parseRdmMetric(p.text("metric"));
        if (!metric) return metric.error();
        auto rdm = computeRdm(tc.value(), metric.value(), p.number("shrinkage", kCrossnobisShrinkage));
        if (!rdm) return rdm.error();
        const auto& d = rdm.value().d;
        Results r;
        r.addScalar("conditions", double(d.rows()));
        r.addScalar("units", double(tc.value().unitCount()));
        const auto upper = upperTriangle(d);
        double mean = 0;
        for (double v : upper) mean += v;
        r.addScalar("mean_dissimilarity", upper.empty() ? 0.0 : mean / double(upper.size()));
        MatrixResult m;
        m.name = "rdm";
        m.rows = m.cols = size_t(d.rows());
        m.rowLabels = m.colLabels = rdm.value().conditions;
        for (Eigen::Index i = 0; i < d.rows(); ++i)
            for (Eigen::Index j = 0; j < d.cols(); ++j) m.values.push_back(d(i, j));
        r.matrices.push_back(std::move(m));
        progress.report(1.0);
        return r;
    }
};

} // namespace nr

#include "RdmPlugin.moc"
