// Example analysis plugin: counts spikes and units of a recording (spike trains or trial data).
#include <QObject>
#include <set>

#include "plugin/AnalysisPlugin.h"

class SpikeCountPlugin : public QObject, public nr::AnalysisPlugin {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID NR_ANALYSIS_PLUGIN_IID FILE "spike_count.json")
    Q_INTERFACES(nr::AnalysisPlugin)

public:
    std::string name() const override { return "spike_count"; }
    std::string description() const override { return "Number of spikes and units, and spikes per unit."; }
    nr::InputKinds inputs() const override { return nr::SpikeTrainsInput | nr::TrialDataInput; }
    std::vector<nr::ParamSpec> parameters() const override {
        return {{"scale", nr::ParamSpec::Type::Double, "1", 0, 1e9, {}, "multiplies the spike count"}};
    }
    nr::Result<nr::Results> run(const nr::Inputs& in, const nr::Params& p,
                                nr::Progress& progress) const override {
        double spikes = 0, units = 0;
        if (in.spikes) {
            spikes = double(in.spikes->spikeCount());
            units = double(in.spikes->unitCount());
        } else if (in.trials) {
            spikes = double(in.trials->spikeCount());
            units =
                double(std::set<int64_t>(in.trials->spikeUnit.begin(), in.trials->spikeUnit.end()).size());
        } else {
            return nr::Error{in.source, 0, "spike_count needs spike trains or trial data"};
        }
        if (progress.cancelled()) return nr::Error{in.source, 0, "cancelled"};
        nr::Results r;
        r.addScalar("spikes", spikes * p.number("scale", 1));
        r.addScalar("units", units);
        r.addScalar("spikes_per_unit", units > 0 ? spikes / units : 0);
        progress.report(1.0);
        return r;
    }
};

#include "SpikeCountPlugin.moc"
