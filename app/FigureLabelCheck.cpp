#include "FigureLabelCheck.h"

#include <QFontMetricsF>
#include <QPaintDevice>
#include <QPaintEngine>
#include <QPainter>
#include <QTextItem>
#include <algorithm>
#include <cmath>

#include "session/Figure.h"

namespace {

// A paint engine that draws nothing and looks at every string: where it lands on the device and whether the
// clip in force when it was drawn holds it whole.
class TextAuditEngine : public QPaintEngine {
public:
    TextAuditEngine() : QPaintEngine(QPaintEngine::AllFeatures) {}
    FigureTextAudit audit;

    bool begin(QPaintDevice*) override { return true; }
    bool end() override { return true; }
    void updateState(const QPaintEngineState&) override {}
    void drawPixmap(const QRectF&, const QPixmap&, const QRectF&) override {}
    void drawImage(const QRectF&, const QImage&, const QRectF&, Qt::ImageConversionFlags) override {}
    void drawPath(const QPainterPath&) override {}
    void drawPolygon(const QPointF*, int, PolygonDrawMode) override {}
    void drawLines(const QLineF*, int) override {}
    void drawRects(const QRectF*, int) override {}
    void drawEllipse(const QRectF&) override {}
    void drawPoints(const QPointF*, int) override {}
    Type type() const override { return QPaintEngine::User; }

    void drawTextItem(const QPointF& at, const QTextItem& ti) override {
        const QString text = ti.text();
        if (text.trimmed().isEmpty()) return;
        ++audit.strings;
        QPainter* p = painter();
        // The string's ink, across only as far as its advance too (side bearings and the whole pixels of the
        // ink box do not count), less a slack of a twelfth of the ascent: a glyph's antialiased edge touching
        // the clip is not a clipped label.
        const QRectF ink = QFontMetricsF(ti.font(), paintDevice()).tightBoundingRect(text).translated(at);
        const double x0 = std::max(at.x(), ink.left()), x1 = std::min(at.x() + ti.width(), ink.right());
        const double slack = std::max(0.5, ti.ascent() / 12);
        const QRectF shrunk = QRectF(x0, ink.top(), std::max(0.0, x1 - x0), ink.height())
                                  .adjusted(slack, slack, -slack, -slack);
        bool clipped = false;
        if (p && p->hasClipping()) {
            // clipBoundingRect and the string are both in the painter's logical coordinates.
            const QRectF clip = p->clipBoundingRect();
            clipped = !clip.contains(shrunk);
        }
        const bool elided = text.contains(QChar(0x2026));
        if (elided) ++audit.elided;
        if (clipped) ++audit.clipped;
        if ((elided || clipped) && audit.examples.size() < 3) audit.examples << text.trimmed();
    }
};

class TextAuditDevice : public QPaintDevice {
public:
    TextAuditDevice(QSize size, int dpi) : size_(size), dpi_(dpi) {}
    QPaintEngine* paintEngine() const override { return &engine_; }
    TextAuditEngine& engine() const { return engine_; }

protected:
    int metric(PaintDeviceMetric m) const override {
        switch (m) {
        case PdmWidth:
            return size_.width();
        case PdmHeight:
            return size_.height();
        case PdmWidthMM:
            return int(std::lround(size_.width() * 25.4 / dpi_));
        case PdmHeightMM:
            return int(std::lround(size_.height() * 25.4 / dpi_));
        case PdmNumColors:
            return 0x7fffffff;
        case PdmDepth:
            return 32;
        case PdmDpiX:
        case PdmDpiY:
        case PdmPhysicalDpiX:
        case PdmPhysicalDpiY:
            return dpi_;
        case PdmDevicePixelRatio:
            return 1;
        case PdmDevicePixelRatioScaled:
            return int(QPaintDevice::devicePixelRatioFScale());
        default:
            return 0;
        }
    }

private:
    QSize size_;
    int dpi_;
    mutable TextAuditEngine engine_;
};

bool is3d(nr::PanelView v) {
    return v == nr::PanelView::Network || v == nr::PanelView::Vessels || v == nr::PanelView::Neurons;
}

} // namespace

FigureTextAudit auditFigurePanelText(const nr::Figure& f, size_t i, const FigurePanelData& d,
                                     const QRectF& content, int dpi) {
    const QRectF r(QPointF(0, 0), content.size());
    TextAuditDevice dev(QSize(int(std::ceil(r.width())) + 1, int(std::ceil(r.height())) + 1), dpi);
    {
        QPainter p(&dev);
        p.setRenderHint(QPainter::Antialiasing);
        p.setRenderHint(QPainter::TextAntialiasing);
        p.setClipRect(r); // the panel's cell clips what it draws (paintFigure)
        paintFigurePanelContent(p, r, f, i, d, dpi);
    }
    return dev.engine().audit;
}

std::vector<FigureLabelWarning> figureLabelWarnings(const nr::Figure& f,
                                                    const std::vector<FigurePanelData>& data, int dpi) {
    std::vector<FigureLabelWarning> out;
    if (!nr::checkFigure(f).empty()) return out;
    const double mmPerPx = 25.4 / dpi;
    for (size_t i = 0; i < f.panels.size() && i < data.size(); ++i) {
        if (is3d(f.panels[i].view) || !data[i].problem.isEmpty()) continue;
        QRectF cell;
        const QRectF content = figurePanelContentRect(f, i, dpi, &cell);
        FigureLabelWarning w;
        w.panel = i;
        w.audit = auditFigurePanelText(f, i, data[i], content, dpi);
        if (w.audit.fits()) continue;
        w.cellWmm = cell.width() * mmPerPx;
        w.cellHmm = cell.height() * mmPerPx;
        // Grow the panel (the same font size, the letter and title above it unchanged) until its labels fit.
        const double above = content.top() - cell.top();
        for (double s = 1.1; s <= 4.0 + 1e-9; s += 0.1) {
            const QRectF grown(0, 0, content.width() * s, content.height() * s);
            if (!auditFigurePanelText(f, i, data[i], grown, dpi).fits()) continue;
            w.neededWmm = grown.width() * mmPerPx;
            w.neededHmm = (grown.height() + above) * mmPerPx;
            break;
        }
        const nr::FigurePanel& panel = f.panels[i];
        const int n = w.audit.elided + w.audit.clipped;
        QString what = QStringLiteral("%1 label%2 %3")
                           .arg(n)
                           .arg(n == 1 ? "" : "s")
                           .arg(w.audit.clipped == 0  ? QStringLiteral("elided")
                                : w.audit.elided == 0 ? QStringLiteral("clipped")
                                                      : QStringLiteral("elided or clipped"));
        w.message = QStringLiteral("panel %1 (%2): %3 at %4 pt in %5 x %6 mm")
                        .arg(QString::fromStdString(nr::panelLetter(i)),
                             QLatin1String(nr::panelViewName(panel.view)), what)
                        .arg(f.fontPt)
                        .arg(w.cellWmm, 0, 'f', 0)
                        .arg(w.cellHmm, 0, 'f', 0);
        if (!w.audit.examples.isEmpty())
            w.message += QStringLiteral(" (e.g. \"%1\")").arg(w.audit.examples.first());
        w.message += w.neededWmm > 0 ? QStringLiteral("; it needs about %1 x %2 mm")
                                           .arg(std::ceil(w.neededWmm), 0, 'f', 0)
                                           .arg(std::ceil(w.neededHmm), 0, 'f', 0)
                                     : QStringLiteral("; it does not fit even at 4 times the size");
        out.push_back(std::move(w));
    }
    return out;
}
