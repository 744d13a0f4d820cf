// Figure panels of spike activity (core/session/Figure.h): the population geometry (a PCA trajectory) and the
// population firing rates of a spikes or simulation layer. Their data come from a frozen copy of the layer's
// spikes (a running simulation keeps appending to the layer), computed by the same code as the `pca` analysis
// and the raster's rate strip; their drawing is vector (text stays text in SVG/PDF).
#pragma once

#include <QRectF>
#include <QString>

#include "FigureRender.h"

class QPainter;
namespace nr {
struct Layer;
} // namespace nr

// Geometry: the layer's spikes binned (settings "binMs", default 50 ms as the pca analysis, 20 ms for a
// simulation without trials as the window's live trajectory; coarser when the recording would give more than
// 2000 bins), averaged over trials per condition (the layer's trials table or its stimulus epochs; else the
// whole recording is one trial), smoothed (settings "smoothMs", default 0) and projected on the first
// principal components (nr::pcaTrajectories). Sets d.problem, naming `named`, when it cannot.
void geometryPanelData(FigurePanelData& d, const nr::FigurePanel& panel, const QString& named,
                       const nr::Layer& l);
// Rates: spikes per bin / (bin width x units) of each population (the classes of the layer's network when it
// has one per unit, at most 12, else excitatory / inhibitory, else all units), in bins of settings "binMs"
// (default the raster's rate bin, coarser beyond 4000 bins; at most 10^6 bins).
void ratesPanelData(FigurePanelData& d, const nr::FigurePanel& panel, const QString& named,
                    const nr::Layer& l);

// Histogram of a quantity other than vessel radius (settings "quantity"): "firing-rate" (Hz, default) or
// "isi-cv" (CV of the inter-spike intervals) per unit of a spikes or simulation layer, as the firing_stats
// analysis gives them; "segment-length" (µm, default) of the unbranched pieces of every neuron of a
// morphologies layer, as the morphometry analysis gives them. settings "bins" (1 to 1000, default 40).
void histogramPanelData(FigurePanelData& d, const nr::FigurePanel& panel, const QString& named,
                        const nr::Layer& l);

// PC1 against PC2 in a GeometryPlot (axis titles with the variance explained, points coloured by time with
// a colour bar, one line per condition with a legend).
void paintGeometryPanel(QPainter& p, const QRectF& r, const nr::Figure& f, const FigurePanelData& d, int dpi);
// One line per population, Hz against seconds, a legend of the populations and the bin width.
void paintRatesPanel(QPainter& p, const QRectF& r, const nr::Figure& f, const FigurePanelData& d, int dpi);
