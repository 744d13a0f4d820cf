// Labels that do not fit their panel: a figure's 2-D panels are drawn by the window's plots, whose layouts
// elide or clip text when a cell is small for the figure's font size. The check draws each panel as the
// figure does into a device that keeps only text (where each string lands, what clips it), and counts the
// strings that were elided ("…") or do not lie whole inside the clip in force when they were drawn (the
// panel's cell, a plot's own clip, the rectangle a string was drawn into). For a panel with such text it
// draws the panel again at growing sizes (the same font size) until every label fits, and says how large the
// panel's cell needs to be.
#pragma once

#include <QRectF>
#include <QString>
#include <QStringList>
#include <vector>

#include "FigureRender.h"

// What the text of one panel drawn into `content` at `dpi` does: strings drawn, and those elided or clipped
// (the first few of them in `examples`).
struct FigureTextAudit {
    int strings = 0;
    int elided = 0;
    int clipped = 0;
    QStringList examples;
    bool fits() const { return elided == 0 && clipped == 0; }
};
FigureTextAudit auditFigurePanelText(const nr::Figure& f, size_t i, const FigurePanelData& d,
                                     const QRectF& content, int dpi);

struct FigureLabelWarning {
    size_t panel = 0;
    FigureTextAudit audit;
    double cellWmm = 0, cellHmm = 0;     // the panel's cell now
    double neededWmm = 0, neededHmm = 0; // the smallest grown cell where the labels fit (0: none up to 4x)
    QString message; // "panel B (communities): 2 labels clipped at 7 pt in 84 x 62 mm (e.g. "C10 (289)"); it
                     // needs about 101 x 74 mm"
};

// The 2-D panels (3-D panels are left out: their keys are laid out to fit) whose labels are elided or clipped
// at the figure's font size, with the size they need. `dpi` is the resolution the figure is drawn at (the
// check's verdict barely depends on it: text and layout scale together).
std::vector<FigureLabelWarning> figureLabelWarnings(const nr::Figure& f,
                                                    const std::vector<FigurePanelData>& data, int dpi);
