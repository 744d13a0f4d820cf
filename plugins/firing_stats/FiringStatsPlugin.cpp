// Built-in plugin: firing rate, CV of inter-spike intervals and Fano factor per unit.
#include <QObject>
#include <cmath>

#include "analysis/FiringStats.h"
#include "plugin/AnalysisPlugin.h"
#include "plugin/ResultsIO.h"

namespace nr {

class FiringStatsPlugin : public QObject, public AnalysisPlugin {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID NR_ANALYSIS_PLUGIN_IID FILE "firing_stats.json")
    Q_INTERFACES(nr::AnalysisPlugin)

public:
    std::string name() const override { return "firing_stats"; }
    std::string description() const override {
        return "Per unit: mean firing rate, coefficient of variation of inter-spike intervals, Fano factor "
               "of "
               "spike counts (in windows of a long recording, or over trials).";
    }
    InputKinds inputs() const override { return SpikeTrainsInput | TrialDataInput; }
    std::vector<ParamSpec> parameters() const override {
        using T = ParamSpec::Type;
        return {
            {"fano_window_s",
             T::Double,
             "1",
             1e-6,
             1e9,
             {},
             "long recordings: counting window of the Fano factor"},
            {"window",
             T::String,
             "",
             0,
             0,
             {},
             "trial data: START:END seconds from trial start (empty: whole)"},
        };
    }
    Result<Results> run(const Inputs& in, const Params& p, Progress& progress) const override {
        Result<std::vector<UnitFiringStats>> stats = std::vector<UnitFiringStats>{};
        if (in.trials) {
            auto w = trialWindow(p.text("window"), *in.trials);
            if (!w) return w.error();
            stats = firingStats(*in.trials, w.value().first, w.value().second);
        } else if (in.spikes) {
            stats = firingStats(*in.spikes, p.number("fano_window_s", 1.0), in.source);
        } else {
            return Error{in.source, 0, "firing_stats needs spike trains or trial data"};
        }
        if (!stats) return stats.error();
        progress.report(0.9);
        Results r;
        TableResult t{"units",
                      {{"unit", {}, {}, false},
                       {"spikes", {}, {}, false},
                       {"rate_hz", {}, {}, false},
                       {"cv_isi", {}, {}, false},
                       {"fano", {}, {}, false}}};
        double rate = 0, cv = 0, fano = 0;
        int ncv = 0, nfano = 0;
        for (const auto& s : stats.value()) {
            t.columns[0].numbers.push_back(double(s.unit));
            t.columns[1].numbers.push_back(double(s.spikes));
            t.columns[2].numbers.push_back(s.rateHz);
            t.columns[3].numbers.push_back(s.cvIsi);
            t.columns[4].numbers.push_back(s.fano);
            rate += s.rateHz;
            if (std::isfinite(s.cvIsi)) cv += s.cvIsi, ++ncv;
            if (std::isfinite(s.fano)) fano += s.fano, ++nfano;
        }
        const double n = double(stats.value().size());
        r.addScalar("units", n);
        r.addScalar("mean_rate_hz", n > 0 ? rate / n : NAN);
        r.addScalar("mean_cv_isi", ncv ? cv / ncv : NAN);
        r.addScalar("mean_fano", nfano ? fano / nfano : NAN);
        r.tables.push_back(std::move(t));
        progress.report(1.0);
        return r;
    }
};

} // namespace nr

#include "FiringStatsPlugin.moc"
