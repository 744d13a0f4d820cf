// The attractor model's representational geometry becomes more reliable with stronger assembly coupling:
// simulated trials are counted per condition and their split-half Shesha compared between a weakly and a
// strongly coupled network.
#include <QtTest>
#include <string>
#include <vector>

#include "analysis/Shesha.h"
#include "analysis/TrialCounts.h"
#include "io/TrialIO.h"
#include "sim/Models.h"
#include "sim/Simulation.h"

using namespace nr;

namespace {

struct Run {
    double shesha = 0, ciLow = 0, ciHigh = 0, rateHz = 0;
};

// Builds the attractor model with the given coupling, simulates all its trials and returns the Shesha of the
// spike counts in the stimulus window.
Result<Run> sheshaOfAttractor(double coupling, uint64_t seed) {
    ModelRequest req;
    req.model = "attractor";
    req.seed = seed;
    req.params = {
        {"coupling", coupling}, {"neurons", 400}, {"trials", 48}, {"stim_ms", 200}, {"gap_ms", 150}};
    auto net = buildModel(req);
    if (!net) return net.error();
    const std::vector<TrialEpoch> epochs = net.value().stimulus.epochs;
    const double endMs = (epochs.back().stop + 0.01) * 1e3;
    Simulation sim;
    if (auto e = sim.init(std::move(net.value()), seed)) return *e;
    sim.run(endMs);
    if (sim.diverged()) return Error{"attractor", 0, "diverged: " + sim.divergeReason()};
    const TrialData td = trialDataFromEpochs(sim.spikes(), epochs);
    auto tc = countSpikes(td, 0.0, 0.2);
    if (!tc) return tc.error();
    SheshaOptions opt;
    opt.splits = 50;
    opt.seed = seed;
    auto s = shesha(tc.value(), opt);
    if (!s) return s.error();
    Run r;
    r.shesha = s.value().mean;
    r.ciLow = s.value().ciLow;
    r.ciHigh = s.value().ciHigh;
    r.rateHz = sim.meanRateHz();
    return r;
}

} // namespace

class TestAttractorGeometry : public QObject {
    Q_OBJECT
private slots:
    void sheshaRisesWithCoupling() {
        for (uint64_t seed : {1u, 2u, 3u, 4u, 5u}) {
            auto low = sheshaOfAttractor(2.0, seed);
            QVERIFY2(low.ok(), low.ok() ? "" : low.error().str().c_str());
            auto high = sheshaOfAttractor(6.0, seed);
            QVERIFY2(high.ok(), high.ok() ? "" : high.error().str().c_str());
            const QString msg = QString("seed %1: low %2 [%3, %4] (%5 Hz), high %6 [%7, %8] (%9 Hz)")
                                    .arg(seed)
                                    .arg(low.value().shesha)
                                    .arg(low.value().ciLow)
                                    .arg(low.value().ciHigh)
                                    .arg(low.value().rateHz)
                                    .arg(high.value().shesha)
                                    .arg(high.value().ciLow)
                                    .arg(high.value().ciHigh)
                                    .arg(high.value().rateHz);
            qInfo("%s", qPrintable(msg));
            QVERIFY2(high.value().shesha > low.value().shesha + 0.1, qPrintable(msg));
            // The bootstrap intervals of the two means do not overlap.
            QVERIFY2(high.value().ciLow > low.value().ciHigh, qPrintable(msg));
        }
    }
};

QTEST_GUILESS_MAIN(TestAttractorGeometry)
#include "test_attractor_geometry.moc"
