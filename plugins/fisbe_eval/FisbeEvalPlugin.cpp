// Built-in plugin: the FISBe benchmark's instance metrics of a predicted segmentation (--param pred=FILE)
// against the input ground truth (morph/FisbeEval.h).
#include <QObject>

#include <cmath>

#include "formats/Open.h"
#include "morph/FisbeEval.h"
#include "morph/LabelVolume.h"
#include "plugin/AnalysisPlugin.h"

namespace nr {

class FisbeEvalPlugin : public QObject, public AnalysisPlugin {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID NR_ANALYSIS_PLUGIN_IID FILE "fisbe_eval.json")
    Q_INTERFACES(nr::AnalysisPlugin)

public:
    std::string name() const override { return "fisbe_eval"; }
    std::string description() const override {
        return "FISBe benchmark metrics of a predicted instance segmentation against this ground truth: "
               "clDice matching (greedy), true positives at 0.1-0.9, average F1, false splits and merges, "
               "average GT skeleton coverage, and a per-instance table.";
    }
    InputKinds inputs() const override { return VolumeInput; }
    std::vector<ParamSpec> parameters() const override {
        using T = ParamSpec::Type;
        return {
            {"pred", T::String, "", 0, 0, {}, "the predicted label volume (Zarr, HDF5, NRRD, TIFF)"},
            {"pred_array",
             T::String,
             "",
             0,
             0,
             {},
             "array inside the prediction (e.g. volumes/gmm_label_cleaned)"},
            {"gt_array",
             T::String,
             "",
             0,
             0,
             {},
             "array inside the ground truth (e.g. volumes/gt_instances)"},
            {"min_size",
             T::Int,
             "800",
             0,
             1e12,
             {},
             "predicted instances of at most this many voxels are removed"},
            {"threads", T::Int, "0", 0, 256, {}, "threads for the skeletons (0: all cores)"},
        };
    }
    Result<Results> run(const Inputs& in, const Params& params, Progress& progress) const override {
        std::shared_ptr<const LabelVolume> gt;
        try {
            gt = std::any_cast<std::shared_ptr<const LabelVolume>>(in.volume);
        } catch (const std::bad_any_cast&) {
        }
        if (!gt) return Error{in.source, 0, "fisbe_eval needs a ground-truth label volume"};
        const std::string predPath = params.text("pred");
        if (predPath.empty())
            return Error{in.source, 0,
                         "fisbe_eval needs the prediction: --param pred=FILE [--param pred_array=A]"};
        OpenOptions po;
        if (!params.text("pred_array").empty()) po.options.push_back({"array", params.text("pred_array")});
        auto pv = openLabelVolume(predPath, po);
        if (!pv) return pv.error();
        progress.report(0.2);
        if (progress.cancelled()) return Error{in.source, 0, "cancelled"};
        const LabelVolume& P = *pv.value();
        const std::string gtName = gt->file, predName = P.file;
        const std::string predArray = P.array.empty() ? "" : "array " + P.array + ": ";
        if (P.nz != gt->nz || P.ny != gt->ny || P.nx != gt->nx)
            return Error{predName, 0,
                         predArray + "shape " + P.shapeString() +
                             " (z x y x x) differs from the ground truth's " + gt->shapeString()};
        FisbeOptions opt;
        opt.minPredSize = uint64_t(std::max(0LL, params.integer("min_size", 800)));
        opt.threads = int(params.integer("threads", 0));
        opt.dimLabels = fisbeDimLabels(*gt);
        auto r = fisbeEvaluate(fisbeInstances(*gt), fisbeInstances(P), opt, gtName, predName);
        if (!r) return r.error();
        const FisbeResult& R = r.value();
        progress.report(0.95);

        Results res;
        res.addScalar("num_gt", R.numGt);
        res.addScalar("num_pred", R.numPred);
        res.addScalar("tp_0.5", R.tp05);
        res.addScalar("fs", R.fs);
        res.addScalar("fm", R.fm);
        res.addScalar("avg_f1", R.avFscore19);
        res.addScalar("avg_gt_skel_coverage", R.avgGtCoverage);
        res.addScalar("avg_f1_cov_score", R.avgF1CovScore);
        res.addScalar("avg_tp_0.5_cldice", double(R.avgTp05ClDice));
        res.addScalar("tp_0.5_rel", double(R.tp05) / std::max(1, R.numGt));
        res.addScalar("fp_0.5", R.thresholds[4].fp);
        res.addScalar("fn_0.5", R.thresholds[4].fn);
        res.addScalar("removed_pred", R.removedPred);
        for (const auto& T : R.thresholds) {
            if (T.th > 0.9 + 1e-9 || std::fabs(T.th * 10 - std::round(T.th * 10)) > 1e-9) continue;
            char k[32];
            std::snprintf(k, sizeof k, "tp_%.1f", T.th);
            if (T.th != 0.5) res.addScalar(k, T.tp);
        }
        res.addScalar("av_ap_0.5_0.9", R.avAP59);
        res.addScalar("gt_dim", R.dim.count);
        res.addScalar("tp_0.5_dim", R.dim.tp05);
        res.addScalar("avg_gt_cov_dim", R.dim.avgCoverage);
        res.addScalar("gt_overlap", R.overlap.count);
        res.addScalar("tp_0.5_overlap", R.overlap.tp05);
        res.addScalar("avg_gt_cov_overlap", R.overlap.avgCoverage);

        // One row per instance: GT rows first, then predictions.
        TableResult t{"instances", {}};
        auto num = [&](const char* n) {
            t.columns.push_back({n, {}, {}, false});
            return t.columns.size() - 1;
        };
        t.columns.push_back({"kind", {}, {}, true});
        const size_t cIdx = num("instance"), cLab = num("label"), cVox = num("voxels"),
                     cSk = num("skeleton_voxels"), cMatch = num("match_0.5"), cCl = num("cldice_0.5"),
                     cCov = num("gt_skel_coverage"), cBest = num("best_gt_by_clprecision"),
                     cPrec = num("clprecision_best"), cRec = num("clrecall_of_match");
        t.columns.push_back({"status_0.5", {}, {}, true});
        const size_t cStatus = t.columns.size() - 1;
        const int W = R.numPred + 1;
        auto row = [&](const char* kind, double idx, double lab, double vox, double sk, double match,
                       double cl, double cov, double best, double pbest, double rmatch,
                       const std::string& status) {
            t.columns[0].text.push_back(kind);
            const double v[] = {idx, lab, vox, sk, match, cl, cov, best, pbest, rmatch};
            const size_t c[] = {cIdx, cLab, cVox, cSk, cMatch, cCl, cCov, cBest, cPrec, cRec};
            for (int k = 0; k < 10; ++k) t.columns[c[k]].numbers.push_back(v[k]);
            t.columns[cStatus].text.push_back(status);
        };
        for (int g = 1; g <= R.numGt; ++g) {
            const int p = R.gtMatchedPred[size_t(g - 1)];
            const double cl = p ? double(R.clDice[size_t(g * W + p)]) : NAN;
            const double rm = p ? double(R.clRecall[size_t(g * W + p)]) : NAN;
            row("gt", g, double(R.gtLabels[size_t(g - 1)]), double(R.gtVoxels[size_t(g - 1)]),
                R.gtSkeletonVoxels[size_t(g - 1)], p, cl, R.gtCoverage[size_t(g - 1)], NAN, NAN, rm,
                p ? "matched" : "false negative");
        }
        std::vector<int> predMatch(size_t(W), 0);
        for (size_t k = 0; k < R.tp05Gt.size(); ++k) predMatch[size_t(R.tp05Pred[k])] = R.tp05Gt[k];
        for (int p = 1; p <= R.numPred; ++p) {
            const int g = predMatch[size_t(p)];
            const int best = R.predBestGt[size_t(p - 1)];
            const double cl = g ? double(R.clDice[size_t(g * W + p)]) : NAN;
            const double pb = double(R.clPrecision[size_t(best * W + p)]);
            const std::string status = g ? "matched" : best > 0 ? "false split" : "false positive";
            row("pred", p, double(R.predLabels[size_t(p - 1)]), double(R.predVoxels[size_t(p - 1)]),
                R.predSkeletonVoxels[size_t(p - 1)], g, cl, NAN, best, pb,
                g ? double(R.clRecall[size_t(g * W + p)]) : NAN, status);
        }
        res.tables.push_back(std::move(t));
        progress.report(1.0);
        return res;
    }
};

} // namespace nr

#include "FisbeEvalPlugin.moc"
