// Built-in plugin: Shesha, the split-half reliability of representational geometry.
#include <QObject>

#include "analysis/Shesha.h"
#include "plugin/AnalysisPlugin.h"
#include "plugin/ResultsIO.h"

namespace nr {

// The defaults are SheshaOptions' own, declared once in core/analysis/Shesha.h.
const SheshaOptions kDefaults{};

class SheshaPlugin : public QObject, public AnalysisPlugin {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID NR_ANALYSIS_PLUGIN_IID FILE "shesha.json")
    Q_INTERFACES(nr::AnalysisPlugin)

public:
    std::string name() const override { return "shesha"; }
    std::string description() const override {
        return "Spearman correlation between the RDMs of two disjoint halves of the data (trials or units), "
               "averaged over splits, with a bootstrap 95 % interval.";
    }
    InputKinds inputs() const override { return TrialDataInput; }
    std::vector<ParamSpec> parameters() const override {
        using T = ParamSpec::Type;
        return {
            {"mode",
             T::Enum,
             "trials",
             0,
             0,
             {"trials", "units"},
             "halve each unit's trials, or halve the units"},
            {"split",
             T::Enum,
             "random",
             0,
             0,
             {"random", "odd-even"},
             "random halves, or one deterministic alternation by trial (unit) id"},
            {"splits", T::Int, std::to_string(kDefaults.splits), 1, 100000, {}, "number of random splits"},
            {"seed",
             T::Int,
             std::to_string(kDefaults.seed),
             0,
             4294967295.0,
             {},
             "seed of the random splits and of the bootstrap"},
            {"window", T::String, "", 0, 0, {}, "START:END seconds from trial start (empty: whole trials)"},
            {"metric",
             T::Enum,
             "correlation",
             0,
             0,
             {"correlation", "euclidean", "crossnobis"},
             "RDM dissimilarity"},
            {"shrinkage",
             T::Double,
             "0.2",
             0,
             1,
             {},
             "crossnobis: shrinkage of unit variances towards their mean"},
            {"bootstrap",
             T::Int,
             std::to_string(kDefaults.bootstrap),
             1,
             1000000,
             {},
             "bootstrap resamples for the confidence interval"},
        };
    }
    Result<Results> run(const Inputs& in, const Params& p, Progress& progress) const override {
        if (!in.trials) return Error{in.source, 0, "shesha needs trial data"};
        auto w = trialWindow(p.text("window"), *in.trials);
        if (!w) return w.error();
        auto tc = countSpikes(*in.trials, w.value().first, w.value().second);
        if (!tc) return tc.error();
        auto metric = parseRdmMetric(p.text("metric"));
        if (!metric) return metric.error();
        SheshaOptions o;
        o.mode = p.text("mode") == "units" ? SheshaMode::Units : SheshaMode::Trials;
        o.split = p.text("split") == "odd-even" ? SheshaSplit::OddEven : SheshaSplit::Random;
        o.splits = int(p.integer("splits", kDefaults.splits));
        o.seed = uint64_t(p.integer("seed", (long long)kDefaults.seed));
        o.metric = metric.value();
        o.shrinkage = p.number("shrinkage", kCrossnobisShrinkage);
        o.bootstrap = int(p.integer("bootstrap", kDefaults.bootstrap));
        o.progress = [&progress](double f) {
            progress.report(f);
            return !progress.cancelled();
        };
        auto s = shesha(tc.value(), o);
        if (!s) return s.error();
        Results r;
        r.addScalar("shesha", s.value().mean);
        r.addScalar("ci_low", s.value().ciLow);
        r.addScalar("ci_high", s.value().ciHigh);
        r.addScalar("splits", s.value().splits);
        TableColumn idx{"split", {}, {}, false}, val{"spearman", s.value().perSplit, {}, false};
        for (size_t i = 0; i < s.value().perSplit.size(); ++i) idx.numbers.push_back(double(i));
        r.tables.push_back({"splits", {idx, val}});
        return r;
    }
};

} // namespace nr

#include "SheshaPlugin.moc"
