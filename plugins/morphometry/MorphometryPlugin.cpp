// Built-in plugin: morphometrics of SWC neurons (one file, several, or a folder).
#include <QObject>
#include <cmath>
#include <cstdlib>

#include "morph/Morphology.h"
#include "plugin/AnalysisPlugin.h"

namespace nr {

class MorphometryPlugin : public QObject, public AnalysisPlugin {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID NR_ANALYSIS_PLUGIN_IID FILE "morphometry.json")
    Q_INTERFACES(nr::AnalysisPlugin)

public:
    std::string name() const override { return "morphometry"; }
    std::string description() const override {
        return "Per neuron: nodes, roots, total length (sum of parent distances), branch points, tips, "
               "maximum "
               "path length, bounding box, Sholl profile and a table of unbranched pieces.";
    }
    InputKinds inputs() const override { return MorphologyInput; }
    std::vector<ParamSpec> parameters() const override {
        using T = ParamSpec::Type;
        return {
            {"unit_scale",
             T::String,
             "",
             0,
             0,
             {},
             "size of one file unit (e.g. 0.008 for 8 nm voxels in µm); empty: as the file was opened"},
            {"sholl_step", T::Double, "0", 0, 1e9, {}, "radius step of the Sholl shells (0: 50 shells)"},
        };
    }
    Result<Results> run(const Inputs& in, const Params& p, Progress& progress) const override {
        std::shared_ptr<const MorphologySet> set;
        try {
            set = std::any_cast<std::shared_ptr<const MorphologySet>>(in.morphology);
        } catch (const std::bad_any_cast&) {
        }
        if (!set || set->neurons.empty()) return Error{in.source, 0, "morphometry needs SWC morphologies"};
        double absScale = 0; // 0: keep each morphology's own unit scale
        const std::string us = p.text("unit_scale");
        if (!us.empty()) {
            char* e = nullptr;
            absScale = std::strtod(us.c_str(), &e);
            if (*e || !(absScale > 0) || !std::isfinite(absScale))
                return Error{in.source, 0, "unit_scale '" + us + "' must be a number > 0"};
        }
        const double step = p.number("sholl_step", 0);
        Results r;
        TableResult neurons{"neurons",
                            {{"neuron", {}, {}, true},
                             {"nodes", {}, {}, false},
                             {"roots", {}, {}, false},
                             {"total_length", {}, {}, false},
                             {"branch_points", {}, {}, false},
                             {"tips", {}, {}, false},
                             {"max_path_length", {}, {}, false},
                             {"min_x", {}, {}, false},
                             {"max_x", {}, {}, false},
                             {"min_y", {}, {}, false},
                             {"max_y", {}, {}, false},
                             {"min_z", {}, {}, false},
                             {"max_z", {}, {}, false}}};
        TableResult sholl{
            "sholl", {{"neuron", {}, {}, true}, {"radius", {}, {}, false}, {"intersections", {}, {}, false}}};
        TableResult branches{"branches",
                             {{"neuron", {}, {}, true},
                              {"branch", {}, {}, false},
                              {"start_id", {}, {}, false},
                              {"end_id", {}, {}, false},
                              {"type", {}, {}, false},
                              {"order", {}, {}, false},
                              {"length", {}, {}, false},
                              {"euclidean", {}, {}, false},
                              {"nodes", {}, {}, false},
                              {"ends_in_tip", {}, {}, false}}};
        double nodes = 0, roots = 0, len = 0, bp = 0, tips = 0;
        for (size_t i = 0; i < set->neurons.size(); ++i) {
            if (progress.cancelled()) return Error{in.source, 0, "cancelled"};
            const Morphology& m = set->neurons[i];
            const double factor = absScale > 0 ? absScale / m.unitScale : 1.0;
            const Morphometrics s = computeMorphometrics(m, factor, step);
            nodes += double(s.nodes), roots += double(s.roots), len += s.totalLength;
            bp += double(s.branchPoints), tips += double(s.tips);
            const double row[12] = {double(s.nodes), double(s.roots), s.totalLength, double(s.branchPoints),
                                    double(s.tips),  s.maxPathLength, s.bboxMin[0],  s.bboxMax[0],
                                    s.bboxMin[1],    s.bboxMax[1],    s.bboxMin[2],  s.bboxMax[2]};
            neurons.columns[0].text.push_back(m.name);
            for (int k = 0; k < 12; ++k) neurons.columns[size_t(k) + 1].numbers.push_back(row[k]);
            SeriesResult prof;
            prof.name = "Sholl profile";
            prof.label = m.name;
            for (size_t k = 0; k < s.shollRadius.size(); ++k) {
                sholl.columns[0].text.push_back(m.name);
                sholl.columns[1].numbers.push_back(s.shollRadius[k]);
                sholl.columns[2].numbers.push_back(s.shollIntersections[k]);
                prof.x.push_back(s.shollRadius[k]);
                prof.y.push_back(s.shollIntersections[k]);
            }
            r.series.push_back(std::move(prof));
            for (size_t k = 0; k < s.branches.size(); ++k) {
                const MorphBranch& b = s.branches[k];
                branches.columns[0].text.push_back(m.name);
                const double v[9] = {double(k + 1),  double(b.startId), double(b.endId),
                                     double(b.type), double(b.order),   b.length,
                                     b.euclidean,    double(b.nodes),   b.endsInTip ? 1.0 : 0.0};
                for (int c = 0; c < 9; ++c) branches.columns[size_t(c) + 1].numbers.push_back(v[c]);
            }
            progress.report(double(i + 1) / double(set->neurons.size()));
        }
        r.addScalar("nodes", nodes);
        r.addScalar("roots", roots);
        r.addScalar("total_length", len);
        r.addScalar("branch_points", bp);
        r.addScalar("tips", tips);
        r.tables.push_back(std::move(neurons));
        r.tables.push_back(std::move(sholl));
        r.tables.push_back(std::move(branches));
        return r;
    }
};

} // namespace nr

#include "MorphometryPlugin.moc"
