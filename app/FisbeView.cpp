#include "FisbeView.h"

#include <cmath>
#include <cstdio>
#include <map>

#include "model/Palette.h"
#include "morph/LabelVolume.h"
#include "vtk/NeuronView.h"

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
               *cl = col("cldice_0.5");
    if (!kind || !inst || !label || !match || !cl) return 0;
    std::map<int, double> predLabel; // predicted instance number -> its label
    for (size_t i = 0; i < kind->text.size(); ++i)
        if (kind->text[i] == "pred") predLabel[int(inst->numbers[i])] = label->numbers[i];
    const nr::LabelVolume& v = *view->labelVolume();
    std::map<uint64_t, size_t> index;
    for (size_t i = 0; i < v.instances.size(); ++i) index[v.instances[i].label] = i;
    std::vector<std::string> notes(v.instances.size());
    const nr::palette::Rgb missed{220, 30, 30};
    int coloured = 0, pair = 0;
    for (size_t i = 0; i < kind->text.size(); ++i) {
        if (kind->text[i] != "gt") continue;
        auto it = index.find(uint64_t(label->numbers[i]));
        if (it == index.end()) continue;
        const int m = int(match->numbers[i]);
        char note[96];
        if (m > 0) {
            std::snprintf(note, sizeof note, "= pred %.0f, clDice %.2f", predLabel[m], cl->numbers[i]);
            // Matched pairs take the categorical colours in order, skipping the red kept for misses.
            nr::palette::Rgb c = nr::palette::kCategorical[size_t(pair++) % 12];
            if (c.r > 180 && c.g < 80 && c.b < 80) c = nr::palette::kCategorical[size_t(pair++) % 12];
            view->setInstanceColor(it->second, c);
        } else {
            std::snprintf(note, sizeof note, "missed");
            view->setInstanceColor(it->second, missed);
        }
        notes[it->second] = note;
        ++coloured;
    }
    if (coloured) view->setInstanceNotes(std::move(notes));
    return coloured;
}
