#include "FigureActivityPanels.h"

#include <QFontMetricsF>
#include <QPainter>
#include <algorithm>
#include <cmath>
#include <map>

#include "analysis/FiringStats.h"
#include "analysis/Pca.h"
#include "io/TrialIO.h"
#include "model/Document.h"
#include "model/Palette.h"
#include "model/SpikeStore.h"
#include "morph/Morphology.h"
#include "plots/GeometryPlot.h"
#include "plots/PlotWidget.h"

namespace {

QString qs(const std::string& s) {
    return QString::fromStdString(s);
}

// 1, 2 or 5 times a power of ten, at least x.
double niceAbove(double x) {
    if (!(x > 0)) return 1;
    const double mag = std::pow(10.0, std::floor(std::log10(x)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * mag >= x * (1 - 1e-12)) return m * mag;
    return 10 * mag;
}

QString msText(double ms) {
    return ms >= 1000 ? QStringLiteral("%1 s").arg(ms / 1000, 0, 'g', 6)
                      : QStringLiteral("%1 ms").arg(ms, 0, 'g', 6);
}

// The spikes of a spikes or simulation layer, frozen, or why not.
bool layerSpikes(FigurePanelData& d, const QString& named, const nr::Layer& l, nr::SpikeTrains& out) {
    if ((l.kind != nr::LayerKind::Spikes && l.kind != nr::LayerKind::Simulation) || !l.spikes) {
        d.problem = named + QStringLiteral(" is not a spikes or simulation layer");
        return false;
    }
    if (l.spikes->empty()) {
        d.problem = named + QStringLiteral(" has no spikes yet");
        return false;
    }
    out = l.spikes->toTrains();
    if (!(out.tStop > out.tStart)) {
        out.tStart = std::min(0.0, l.spikes->dataMin());
        out.tStop = l.spikes->dataMax();
    }
    return true;
}

// settings[key] in [lo, hi] or the default; false (and d.problem) when it is set but not a number in range.
bool setting(FigurePanelData& d, const nr::FigurePanel& panel, const char* key, double lo, double hi,
             double& v) {
    const nr::JsonValue* j = panel.settings.get(key);
    if (!j) return true;
    if (!j->isNumber() || !(j->num >= lo && j->num <= hi)) {
        d.problem = QStringLiteral("settings.%1 must be a number from %2 to %3")
                        .arg(QLatin1String(key))
                        .arg(lo)
                        .arg(hi);
        return false;
    }
    v = j->num;
    return true;
}

} // namespace

void geometryPanelData(FigurePanelData& d, const nr::FigurePanel& panel, const QString& named,
                       const nr::Layer& l) {
    nr::SpikeTrains s;
    if (!layerSpikes(d, named, l, s)) return;
    // The trials: the layer's table, else its stimulus epochs (a simulated protocol), else one trial.
    nr::TrialData td;
    bool trials = true;
    double t0 = 0, length = -1;
    if (l.trials) {
        td = *l.trials;
    } else if (!l.epochs.empty()) {
        std::vector<nr::TrialEpoch> done;
        for (const nr::TrialEpoch& e : l.epochs)
            if (e.stop <= s.tStop) done.push_back(e);
        if (done.empty()) {
            d.problem = named + QStringLiteral(": no stimulus epoch has ended yet");
            return;
        }
        td = nr::trialDataFromEpochs(s, done);
        length = done.front().stop - done.front().start;
    } else {
        trials = false;
        t0 = s.tStart;
        length = s.tStop - s.tStart;
        for (size_t i = 0; i < s.times.size(); ++i) td.addSpike(int64_t(s.units[i]), 0, s.times[i] - t0);
        td.addTrial(0, "population");
        td.spikesSource = l.name;
    }
    if (td.spikeTime.empty()) {
        d.problem = named + QStringLiteral(" has no spikes in its trials");
        return;
    }
    if (length <= 0) length = *std::max_element(td.spikeTime.begin(), td.spikeTime.end());
    const bool asked = panel.settings.get("binMs") != nullptr;
    double binMs = trials ? 50 : (l.kind == nr::LayerKind::Simulation ? 20 : 50);
    double smoothMs = 0;
    if (!setting(d, panel, "binMs", 0.1, 1e6, binMs) || !setting(d, panel, "smoothMs", 0, 1e6, smoothMs))
        return;
    if (!asked && length * 1000 / binMs > 2000) binMs = niceAbove(length * 1000 / 2000);
    if (length * 1000 / binMs > 20000) {
        d.problem = QStringLiteral("settings.binMs %1 gives %2 bins of a %3 s trial; at most 20000")
                        .arg(binMs)
                        .arg(std::ceil(length * 1000 / binMs))
                        .arg(length);
        return;
    }
    nr::PcaOptions o;
    o.binMs = binMs;
    o.smoothMs = smoothMs;
    o.start = 0;
    o.end = trials ? (l.trials ? -1 : length) : std::nextafter(length, length + 1);
    o.components = 3;
    auto r = nr::pcaTrajectories(td, o);
    if (!r) {
        d.problem = named + QStringLiteral(": ") + qs(r.error().reason);
        return;
    }
    const nr::PcaTrajectories& t = r.value();
    if (t.model.axes.cols() < 2 || t.unitIds.size() < 2) {
        d.problem =
            named +
            QStringLiteral(": %1 unit(s) with spikes; a trajectory needs at least 2").arg(t.unitIds.size());
        return;
    }
    // Times in ms up to 10 s, else in s.
    const double tEnd = t0 + (t.binCentres.empty() ? 0 : t.binCentres.back());
    const bool ms = std::abs(tEnd) <= 10;
    const double scale = ms ? 1000 : 1;
    d.trajectoryTimeTitle =
        QStringLiteral("%1 (%2)").arg(trials ? QStringLiteral("time in trial") : QStringLiteral("time"),
                                      ms ? QStringLiteral("ms") : QStringLiteral("s"));
    for (size_t c = 0; c < t.trajectories.size(); ++c) {
        const Eigen::MatrixXd& m = t.trajectories[c];
        for (Eigen::Index b = 0; b < m.rows(); ++b) {
            std::array<float, 3> pt{0, 0, 0};
            for (Eigen::Index k = 0; k < std::min<Eigen::Index>(3, m.cols()); ++k)
                pt[size_t(k)] = float(m(b, k));
            d.trajectory.push_back(pt);
            d.trajectoryCondition.push_back(int(c));
            d.trajectoryTime.push_back((t0 + t.binCentres[size_t(b)]) * scale);
        }
    }
    for (const std::string& c : t.conditions)
        d.conditionNames << (trials ? (l.trials ? qs(c) : QStringLiteral("condition %1").arg(qs(c)))
                                    : QStringLiteral("population (%1 units)").arg(t.unitIds.size()));
    for (Eigen::Index k = 0; k < t.model.explained.size(); ++k) d.explained.push_back(t.model.explained(k));
    d.binMs = binMs;
}

void ratesPanelData(FigurePanelData& d, const nr::FigurePanel& panel, const QString& named,
                    const nr::Layer& l) {
    nr::SpikeTrains s;
    if (!layerSpikes(d, named, l, s)) return;
    const size_t units = std::max<size_t>(1, s.unitCount());
    // Populations: the classes of the layer's network (one per unit), at most 12; else excitatory and
    // inhibitory by those classes; else all units.
    std::vector<int> popOf(units, 0);
    QStringList names;
    std::vector<QColor> colors;
    std::vector<size_t> sizes;
    const nr::Graph* g = l.graph.get();
    auto colorOfSign = [](int sign, size_t i) {
        const nr::palette::Rgb c = sign > 0 ? nr::palette::kExcitatory : nr::palette::kInhibitory;
        return sign != 0 ? QColor(c.r, c.g, c.b) : PlotWidget::categorical(int(i));
    };
    if (g && g->nodeClass.size() == units) {
        std::map<std::string, int> classes;
        for (const std::string& c : g->nodeClass) classes.emplace(c, 0);
        if (classes.size() <= 12) {
            int k = 0;
            for (auto& [name, idx] : classes) {
                idx = k++;
                const int sign = nr::palette::excitatorySign(name);
                const QString shown = name.empty() ? QStringLiteral("no class") : qs(name);
                names << (sign > 0 && name.size() <= 3   ? QStringLiteral("excitatory (%1)").arg(shown)
                          : sign < 0 && name.size() <= 3 ? QStringLiteral("inhibitory (%1)").arg(shown)
                                                         : shown);
            }
            for (size_t u = 0; u < units; ++u) popOf[u] = classes[g->nodeClass[u]];
            // Excitatory and inhibitory in the raster's colours, the others categorical.
            size_t other = 0;
            for (auto& [name, idx] : classes) {
                const int sign = nr::palette::excitatorySign(name);
                colors.push_back(sign != 0 ? colorOfSign(sign, 0) : PlotWidget::categorical(int(other++)));
            }
        } else {
            bool any = false;
            for (size_t u = 0; u < units; ++u) {
                const int sign = nr::palette::excitatorySign(g->nodeClass[u]);
                popOf[u] = sign > 0 ? 0 : sign < 0 ? 1 : 2;
                any = any || sign != 0;
            }
            if (any) {
                names = {QStringLiteral("excitatory"), QStringLiteral("inhibitory"), QStringLiteral("other")};
                colors = {colorOfSign(1, 0), colorOfSign(-1, 0), QColor(120, 120, 120)};
            } else {
                std::fill(popOf.begin(), popOf.end(), 0);
            }
        }
    }
    if (names.isEmpty()) {
        names = {QStringLiteral("all")};
        colors = {QColor(30, 30, 30)};
    }
    sizes.assign(size_t(names.size()), 0);
    for (int p : popOf) ++sizes[size_t(p)];
    // Bins: the raster's rate bin unless set; coarser beyond 4000 bins (a vector line of a long recording).
    const double length = s.tStop - s.tStart;
    const bool asked = panel.settings.get("binMs") != nullptr;
    double binMs = l.spikes->rateBinWidth() * 1000;
    if (!setting(d, panel, "binMs", 0.1, 1e6, binMs)) return;
    if (!asked && length * 1000 / binMs > 4000) binMs = niceAbove(length * 1000 / 4000);
    const double bins = std::ceil(length * 1000 / binMs - 1e-9);
    if (bins > 1e6) {
        d.problem = QStringLiteral("settings.binMs %1 gives %2 bins of the %3 s recording; at most 1000000")
                        .arg(binMs)
                        .arg(bins)
                        .arg(length);
        return;
    }
    const size_t B = std::max<size_t>(1, size_t(bins));
    const double bin = binMs / 1000;
    std::vector<std::vector<double>> counts(size_t(names.size()), std::vector<double>(B, 0.0));
    for (size_t i = 0; i < s.times.size(); ++i) {
        const double t = s.times[i] - s.tStart;
        if (!(t >= 0) || s.units[i] >= units) continue;
        const size_t b = std::min(B - 1, size_t(t / bin));
        counts[size_t(popOf[s.units[i]])][b] += 1;
    }
    for (size_t p = 0; p < counts.size(); ++p) {
        if (sizes[p] == 0) continue;
        for (double& c : counts[p]) c /= bin * double(sizes[p]);
        d.rates.push_back(std::move(counts[p]));
        d.populations << (names.size() == 1 && sizes[p] == units
                              ? QStringLiteral("all %1 units").arg(sizes[p])
                              : QStringLiteral("%1, %2 units").arg(names[int(p)]).arg(sizes[p]));
        d.populationColors.push_back(colors[p]);
    }
    d.rateBinS = bin;
    d.rateT0 = s.tStart;
    d.binMs = binMs;
}

void histogramPanelData(FigurePanelData& d, const nr::FigurePanel& panel, const QString& named,
                        const nr::Layer& l) {
    const bool spikes = l.kind == nr::LayerKind::Spikes || l.kind == nr::LayerKind::Simulation;
    const bool morph = l.kind == nr::LayerKind::Morphologies;
    if (!spikes && !morph) {
        d.problem = named + QStringLiteral(" is not a vessels, spikes, simulation or morphologies layer");
        return;
    }
    const std::string q = panel.settings.stringOr("quantity", spikes ? "firing-rate" : "segment-length");
    if (spikes ? (q != "firing-rate" && q != "isi-cv") : q != "segment-length") {
        d.problem = named + QStringLiteral(": settings.quantity \"%1\" is not %2")
                                .arg(qs(q), spikes ? QStringLiteral("firing-rate or isi-cv")
                                                   : QStringLiteral("segment-length"));
        return;
    }
    double bins = 40;
    if (!setting(d, panel, "bins", 1, 1000, bins)) return;
    std::vector<float> values;
    if (spikes) {
        nr::SpikeTrains s;
        if (!layerSpikes(d, named, l, s)) return;
        auto st = nr::firingStats(s, 1.0, l.name);
        if (!st) {
            d.problem = named + QStringLiteral(": ") + qs(st.error().reason);
            return;
        }
        for (const nr::UnitFiringStats& u : st.value()) {
            const double v = q == "isi-cv" ? u.cvIsi : u.rateHz;
            if (std::isfinite(v)) values.push_back(float(v));
        }
        d.quantity = q == "isi-cv" ? QStringLiteral("ISI CV") : QStringLiteral("firing rate per unit");
        d.unit = q == "isi-cv" ? QStringLiteral("std / mean") : QStringLiteral("Hz");
    } else {
        auto set = std::any_cast<std::shared_ptr<const nr::MorphologySet>>(&l.payload);
        if (!set || !*set || (*set)->neurons.empty()) {
            d.problem = named + QStringLiteral(" has no neurons");
            return;
        }
        for (const nr::Morphology& m : (*set)->neurons)
            for (const nr::MorphBranch& b : nr::computeMorphometrics(m).branches)
                if (std::isfinite(b.length)) values.push_back(float(b.length));
        d.quantity = QStringLiteral("segment length");
        d.unit = QStringLiteral("µm");
    }
    if (values.empty()) {
        d.problem = named + QStringLiteral(": no %1 to count (%2)")
                                .arg(d.quantity, spikes ? QStringLiteral("units need 2 or more spikes")
                                                        : QStringLiteral("no branches"));
        return;
    }
    d.histogram = nr::histogram(values, size_t(bins));
}

void paintGeometryPanel(QPainter& p, const QRectF& r, const nr::Figure& f, const FigurePanelData& d,
                        int dpi) {
    GeometryPlot plot;
    plot.setFont(QFont(qs(f.fontFamily)));
    plot.setPanels(GeometryPlot::Trajectory);
    plot.setTrajectory(d.trajectory, d.trajectoryCondition, 2);
    plot.setConditionNames(d.conditionNames);
    plot.setPointValues(d.trajectoryTime, d.trajectoryTimeTitle);
    auto axis = [&d](size_t k) {
        return k < d.explained.size()
                   ? QStringLiteral("PC%1 (%2 % of variance)").arg(k + 1).arg(d.explained[k] * 100, 0, 'f', 1)
                   : QStringLiteral("PC%1").arg(k + 1);
    };
    plot.setAxisTitles(axis(0), axis(1));
    plot.paintFigurePanel(p, r, dpi, f.fontPt);
}

void paintRatesPanel(QPainter& p, const QRectF& r, const nr::Figure& f, const FigurePanelData& d, int dpi) {
    QFont font(qs(f.fontFamily));
    font.setPixelSize(std::max(1, int(std::lround(f.fontPt * dpi / 72.0))));
    const QFontMetricsF fm(font);
    const double line = fm.height(), lw = std::max(1.0, f.lineWidthPt * dpi / 72.0);
    double hi = 0;
    size_t B = 0;
    for (const auto& s : d.rates) {
        B = std::max(B, s.size());
        for (double v : s)
            if (std::isfinite(v)) hi = std::max(hi, v);
    }
    const std::vector<double> yt = PlotWidget::niceTicks(0, hi > 0 ? hi : 1, 4);
    const double yTop = yt.empty() ? 1 : std::max(hi, yt.back());
    const double ystep = yt.size() > 1 ? yt[1] - yt[0] : 1;
    double labelW = 0;
    for (double v : yt) labelW = std::max(labelW, fm.horizontalAdvance(PlotWidget::tickLabel(v, ystep)));
    // The legend right of the plot: a line and the population's name per row.
    double legendW = 0;
    for (const QString& n : d.populations) legendW = std::max(legendW, fm.horizontalAdvance(n));
    legendW = std::min(legendW + 2.2 * line, r.width() * 0.45);
    const QRectF plot(r.left() + labelW + 2.2 * line, r.top() + 0.6 * line,
                      r.width() - labelW - 3.0 * line - legendW, r.height() - 3.4 * line);
    p.save();
    p.setFont(font);
    const double t0 = d.rateT0, t1 = d.rateT0 + double(B) * d.rateBinS;
    const double span = t1 > t0 ? t1 - t0 : 1;
    // Lines: a step per bin at its centre.
    p.save();
    p.setClipRect(plot.adjusted(-lw, -lw, lw, lw));
    for (size_t k = 0; k < d.rates.size(); ++k) {
        QPolygonF poly;
        for (size_t b = 0; b < d.rates[k].size(); ++b)
            poly << QPointF(plot.left() + ((double(b) + 0.5) * d.rateBinS) / span * plot.width(),
                            plot.bottom() - d.rates[k][b] / yTop * plot.height());
        p.setPen(QPen(d.populationColors[k], lw, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
        p.setBrush(Qt::NoBrush);
        p.drawPolyline(poly);
    }
    p.restore();
    paintFigureAxes(p, r, plot, t0, t1, yt, yTop, labelW, line, lw, QStringLiteral("time (s)"),
                    QStringLiteral("rate per unit (Hz)"));
    // Legend.
    double y = plot.top();
    const double lx = plot.right() + 0.8 * line;
    for (int k = 0; k < d.populations.size(); ++k) {
        if (y + line > r.bottom()) break;
        p.setPen(QPen(d.populationColors[size_t(k)], 1.5 * lw, Qt::SolidLine, Qt::FlatCap));
        p.drawLine(QPointF(lx, y + line / 2), QPointF(lx + 1.2 * line, y + line / 2));
        p.setPen(Qt::black);
        p.drawText(QRectF(lx + 1.6 * line, y, r.right() - lx - 1.6 * line, line),
                   Qt::AlignLeft | Qt::AlignVCenter, d.populations[k]);
        y += 1.2 * line;
    }
    // Under the legend: the bin width.
    p.setPen(Qt::black);
    p.drawText(QRectF(lx, y + 0.4 * line, r.right() - lx, line), Qt::AlignLeft | Qt::AlignVCenter,
               QStringLiteral("bins of %1").arg(msText(d.binMs)));
    p.restore();
}
