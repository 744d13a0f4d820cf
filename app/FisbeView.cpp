#include "FisbeView.h"

#include <QFileInfo>
#include <QMetaObject>
#include <QObject>
#include <QPointer>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <thread>

#include "formats/Open.h"
#include "morph/LabelVolume.h"
#include "vtk/NeuronView.h"

namespace {

using nr::palette::Rgb;

// Reads the prediction on a worker thread and hands it to the view it belongs to (a child of that view, so
// it goes with it; a newer evaluation replaces it). Cancelled and joined when deleted.
class PredictionLoader : public QObject {
public:
    PredictionLoader(NeuronView* view, std::string path, std::string array,
                     std::function<void(std::shared_ptr<const nr::LabelVolume>)> done)
        : QObject(view), done_(std::move(done)) {
        setObjectName(QStringLiteral("fisbe-prediction-loader"));
        QPointer<PredictionLoader> self(this);
        worker_ = std::thread([this, self, path, array] {
            nr::OpenOptions o;
            if (!array.empty()) o.options.push_back({"array", array});
            o.progress = [this](double, const std::string&) { return !cancel_.load(); };
            auto r = nr::openLabelVolume(path, o);
            auto vol = r ? r.value() : nullptr;
            const std::string err = r ? std::string() : r.error().str();
            QMetaObject::invokeMethod(
                this,
                [self, vol, err] {
                    if (!self || self->cancel_) return;
                    self->finish(vol, err);
                },
                Qt::QueuedConnection);
        });
    }
    ~PredictionLoader() override {
        cancel_ = true;
        if (worker_.joinable()) worker_.join();
    }
    void cancel() { cancel_ = true; }

private:
    void finish(std::shared_ptr<const nr::LabelVolume> vol, const std::string& err) {
        auto* view = qobject_cast<NeuronView*>(parent());
        if (view) {
            if (!vol)
                view->setComparisonFailed("prediction not shown: " + err);
            else
                done_(vol);
        }
        deleteLater();
    }
    std::function<void(std::shared_ptr<const nr::LabelVolume>)> done_;
    std::thread worker_;
    std::atomic<bool> cancel_{false};
};

struct PredVerdict {
    Rgb color = fisbeview::kRemoved;
    std::string note = "removed (not scored)";
};

} // namespace

int showFisbeResult(const nr::Results& r, NeuronView* view) {
    if (r.plugin != "fisbe_eval" || !view || !view->labelVolume()) return 0;
    const nr::TableResult* t = nullptr;
    for (const auto& tab : r.tables)
        if (tab.name == "instances") t = &tab;
    if (!t) return 0;
    auto col = [&](const char* n) -> const nr::TableColumn* {
        for (const auto& c : t->columns)
            if (c.name == n) return &c;
        return nullptr;
    };
    const auto *kind = col("kind"), *inst = col("instance"), *label = col("label"), *match = col("match_0.5"),
               *cl = col("cldice_0.5"), *best = col("best_gt_by_clprecision");
    if (!kind || !inst || !label || !match || !cl) return 0;
    std::map<int, double> predLabel, gtLabel; // instance number -> its label
    for (size_t i = 0; i < kind->text.size(); ++i)
        (kind->text[i] == "pred" ? predLabel : gtLabel)[int(inst->numbers[i])] = label->numbers[i];
    auto gt = view->labelVolume();
    const nr::LabelVolume& v = *gt;
    std::map<uint64_t, size_t> index;
    for (size_t i = 0; i < v.instances.size(); ++i) index[v.instances[i].label] = i;
    std::vector<std::string> notes(v.instances.size());
    std::map<int, Rgb> pairColor; // GT instance number -> the colour of its pair
    std::vector<NeuronView::LegendEntry> pairs;
    int coloured = 0, pair = 0;
    size_t missed = 0;
    for (size_t i = 0; i < kind->text.size(); ++i) {
        if (kind->text[i] != "gt") continue;
        auto it = index.find(uint64_t(label->numbers[i]));
        if (it == index.end()) continue;
        const int m = int(match->numbers[i]);
        char note[96];
        if (m > 0) {
            std::snprintf(note, sizeof note, "= pred %.0f, clDice %.2f", predLabel[m], cl->numbers[i]);
            // Matched pairs take the categorical colours in order, skipping a red that reads as "missed".
            Rgb c = nr::palette::kCategorical[size_t(pair++) % 12];
            if (c.r > 180 && c.g < 80 && c.b < 80) c = nr::palette::kCategorical[size_t(pair++) % 12];
            view->setInstanceColor(it->second, c);
            pairColor[int(inst->numbers[i])] = c;
            char entry[96];
            std::snprintf(entry, sizeof entry, "GT %.0f = pred %.0f, clDice %.2f", label->numbers[i],
                          predLabel[m], cl->numbers[i]);
            pairs.push_back({entry, c, 0});
        } else {
            std::snprintf(note, sizeof note, "missed");
            view->setInstanceColor(it->second, fisbeview::kMissed);
            ++missed;
        }
        notes[it->second] = note;
        ++coloured;
    }
    if (!coloured) return 0;
    view->setInstanceNotes(std::move(notes));

    // The prediction beside the ground truth: what each scored predicted instance is, by its label.
    auto pit = r.params.find("pred");
    if (pit == r.params.end() || pit->second.empty()) return coloured;
    std::map<uint64_t, PredVerdict> verdict;
    size_t falsePos = 0;
    for (size_t i = 0; i < kind->text.size(); ++i) {
        if (kind->text[i] != "pred") continue;
        PredVerdict pv;
        const int g = int(match->numbers[i]);
        char note[96];
        if (g > 0) {
            pv.color = pairColor.count(g) ? pairColor[g] : nr::palette::kUnknown;
            std::snprintf(note, sizeof note, "= GT %.0f, clDice %.2f", gtLabel[g], cl->numbers[i]);
        } else {
            // Unmatched: a false positive as the benchmark counts it (fp_0.5), named with the GT it lies on.
            pv.color = fisbeview::kFalsePositive;
            const double on = best && best->numbers[i] > 0 ? gtLabel[int(best->numbers[i])] : 0.0;
            if (on > 0)
                std::snprintf(note, sizeof note, "false positive (on GT %.0f)", on);
            else
                std::snprintf(note, sizeof note, "false positive");
            ++falsePos;
        }
        pv.note = note;
        verdict[uint64_t(label->numbers[i])] = pv;
    }
    auto mit = r.params.find("min_size");
    const std::string minSize = mit == r.params.end() || mit->second.empty() ? "800" : mit->second;
    auto ait = r.params.find("pred_array");
    const std::string path = pit->second, array = ait == r.params.end() ? "" : ait->second;

    // A newer evaluation replaces a prediction still being read.
    for (QObject* old : view->findChildren<QObject*>(QStringLiteral("fisbe-prediction-loader"),
                                                     Qt::FindDirectChildrenOnly)) {
        static_cast<PredictionLoader*>(old)->cancel();
        old->setObjectName(QString());
        old->deleteLater();
    }
    view->setComparisonPending("reading the prediction " +
                               QFileInfo(QString::fromStdString(path)).fileName().toStdString());
    QPointer<NeuronView> vp(view);
    std::weak_ptr<const nr::LabelVolume> gtWeak = gt;
    new PredictionLoader(
        view, path, array,
        [vp, gtWeak, verdict, pairs, missed, falsePos, minSize](std::shared_ptr<const nr::LabelVolume> pred) {
            auto gtNow = gtWeak.lock();
            if (!vp || !gtNow || vp->labelVolume() != gtNow) return; // another volume is on show now
            if (pred->nz != gtNow->nz || pred->ny != gtNow->ny || pred->nx != gtNow->nx) {
                vp->setComparisonFailed("prediction not shown: " + pred->file + ": shape " +
                                        pred->shapeString() + " differs from the ground truth's " +
                                        gtNow->shapeString());
                return;
            }
            NeuronView::Comparison c;
            c.volume = pred;
            c.title = "fisbe_eval, matched at clDice 0.5";
            size_t removed = 0;
            for (const auto& in : pred->instances) {
                auto it = verdict.find(in.label);
                const PredVerdict pv = it == verdict.end() ? PredVerdict{} : it->second;
                removed += it == verdict.end() ? 1 : 0;
                c.colors.push_back(pv.color);
                c.notes.push_back(pv.note);
            }
            // Every colour on screen, highlights first (a long list of pairs is what gets cut short).
            if (missed) c.legend.push_back({"missed (ground truth)", fisbeview::kMissed, missed});
            if (falsePos)
                c.legend.push_back({"false positive (prediction)", fisbeview::kFalsePositive, falsePos});
            if (removed)
                c.legend.push_back(
                    {"removed: <= " + minSize + " voxels, not scored", fisbeview::kRemoved, removed});
            c.legend.insert(c.legend.end(), pairs.begin(), pairs.end());
            vp->setComparison(std::move(c));
        });
    return coloured;
}
