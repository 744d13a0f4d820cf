#include "VesselPanel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPainter>
#include <QPushButton>
#include <QScrollArea>
#include <QSlider>
#include <QStackedWidget>
#include <QTableWidget>
#include <QTimer>
#include <QUndoCommand>
#include <QUndoStack>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "vtk/VesselView.h"

// A histogram of what is visible: bars over the range of all vessels, counts on a log scale (capillaries
// outnumber arteries by orders of magnitude), the range and the unit under the axis.
class VesselHistogram : public QWidget {
public:
    explicit VesselHistogram(QWidget* parent = nullptr) : QWidget(parent) {
        setMinimumHeight(96);
        setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    }
    void setData(const QString& title, const QString& unit, nr::Histogram h) {
        title_ = title;
        unit_ = unit;
        h_ = std::move(h);
        size_t total = 0;
        for (size_t c : h_.counts) total += c;
        setToolTip(tr("%1 of the %2 visible vessels, counts on a log scale").arg(title_).arg(total));
        update();
    }
    const nr::Histogram& histogram() const { return h_; }
    QSize sizeHint() const override { return QSize(240, 96); }

protected:
    void paintEvent(QPaintEvent*) override {
        QPainter p(this);
        p.setRenderHint(QPainter::Antialiasing, false);
        const QPalette& pal = palette();
        const QFontMetrics fm(font());
        const int line = fm.height();
        p.setPen(pal.color(QPalette::WindowText));
        p.drawText(QRect(0, 0, width(), line), Qt::AlignLeft | Qt::AlignVCenter, title_);
        // The counts axis leaves room for the largest count's label.
        size_t maxCount = 0, total = 0;
        for (size_t c : h_.counts) maxCount = std::max(maxCount, c), total += c;
        const QString top = QLocale().toString(qulonglong(maxCount));
        const int left = fm.horizontalAdvance(top) + 6;
        const QRect plot(left, line + 4, std::max(10, width() - left - 6), height() - 3 * line - 10);
        p.setPen(pal.color(QPalette::Mid));
        p.drawLine(plot.bottomLeft(), plot.bottomRight());
        p.drawLine(plot.bottomLeft(), plot.topLeft());
        if (total == 0 || h_.counts.empty()) {
            p.setPen(pal.color(QPalette::PlaceholderText));
            p.drawText(plot, Qt::AlignCenter, tr("no visible vessels"));
        } else {
            const double lmax = std::log10(1.0 + double(maxCount));
            const double bw = double(plot.width()) / double(h_.counts.size());
            const QColor bar(70, 130, 200);
            for (size_t i = 0; i < h_.counts.size(); ++i) {
                if (h_.counts[i] == 0) continue;
                const double hgt = std::log10(1.0 + double(h_.counts[i])) / lmax * plot.height();
                p.fillRect(QRectF(plot.left() + 1 + i * bw, plot.bottom() - hgt, std::max(1.0, bw - 1), hgt),
                           bar);
            }
            p.setPen(pal.color(QPalette::WindowText));
            p.drawText(QRect(0, plot.top() - line / 2, left - 4, line), Qt::AlignRight | Qt::AlignVCenter,
                       top);
            p.drawText(QRect(0, plot.bottom() - line / 2, left - 4, line), Qt::AlignRight | Qt::AlignVCenter,
                       QStringLiteral("0"));
        }
        // The range of the bins under the axis, the unit between. Each label is drawn where it fits whole:
        // the low end starts under the axis' start, the high end ends at the widget's right edge at most.
        p.setPen(pal.color(QPalette::WindowText));
        const QString lo = QString::number(h_.lo, 'g', 4), hi = QString::number(h_.hi, 'g', 4);
        const QString axis = unit_.isEmpty() ? title_ : QStringLiteral("%1 (%2)").arg(title_, unit_);
        const int y = plot.bottom() + 3;
        const int loW = fm.horizontalAdvance(lo), hiW = fm.horizontalAdvance(hi);
        const QRect loR(std::max(0, plot.left() - loW / 2), y, loW, line);
        const QRect hiR(std::min(width() - hiW, plot.right() - hiW / 2), y, hiW, line);
        const int axisW = std::min(width(), fm.horizontalAdvance(axis));
        const QRect axisR(std::clamp(plot.center().x() - axisW / 2, 0, width() - axisW), y + line, axisW,
                          line);
        p.drawText(loR, Qt::AlignLeft | Qt::AlignVCenter, lo);
        p.drawText(hiR, Qt::AlignLeft | Qt::AlignVCenter, hi);
        p.drawText(axisR, Qt::AlignLeft | Qt::AlignVCenter, fm.elidedText(axis, Qt::ElideRight, axisW));
        setProperty("labelRects", QVariantList{loR, hiR, axisR});
    }

private:
    QString title_, unit_;
    nr::Histogram h_;
};

bool VesselFilter::operator==(const VesselFilter& o) const {
    return minRadius == o.minRadius && maxRadius == o.maxRadius && clip == o.clip &&
           std::equal(box, box + 6, o.box) && slabAxis == o.slabAxis && slabLo == o.slabLo &&
           slabHi == o.slabHi;
}

void VesselFilter::clipBox(float out[6]) const {
    const float inf = std::numeric_limits<float>::infinity();
    for (int a = 0; a < 3; ++a) out[2 * a] = -inf, out[2 * a + 1] = inf;
    if (clip == Clip::Box) std::copy(box, box + 6, out);
    if (clip == Clip::Slab && slabAxis >= 0 && slabAxis < 3)
        out[2 * slabAxis] = slabLo, out[2 * slabAxis + 1] = slabHi;
}

namespace {

// Commands belong to the graph they were made on: once another graph is shown they drop out of the stack
// when reached (QUndoCommand::setObsolete) instead of applying one graph's ranges to another.
class VesselColorCommand : public QUndoCommand {
public:
    VesselColorCommand(VesselPanel* p, QString before, QString after)
        : QUndoCommand(QStringLiteral("Colour vessels by %1").arg(after)), p_(p), graph_(p->graph().get()),
          before_(std::move(before)), after_(std::move(after)) {}
    void undo() override { apply(before_); }
    void redo() override { apply(after_); }

private:
    void apply(const QString& c) {
        if (p_->graph().get() != graph_) return setObsolete(true);
        p_->applyColorBy(c, false);
    }
    VesselPanel* p_;
    const nr::VesselGraph* graph_;
    QString before_, after_;
};

class VesselFilterCommand : public QUndoCommand {
public:
    VesselFilterCommand(VesselPanel* p, VesselFilter before, VesselFilter after)
        : QUndoCommand(QStringLiteral("Filter vessels")), p_(p), graph_(p->graph().get()), before_(before),
          after_(after) {}
    void undo() override { apply(before_); }
    void redo() override { apply(after_); }
    void apply(const VesselFilter& f) {
        if (p_->graph().get() != graph_) return setObsolete(true);
        p_->applyFilter(f, false);
    }
    int id() const override { return 2; }
    bool mergeWith(const QUndoCommand* other) override {
        // Steps of one control (a spin box, the slab slider) collapse into one undo step; a change of another
        // kind (radius, then the clip) stays a step of its own.
        const auto* o = static_cast<const VesselFilterCommand*>(other);
        const int k = changed(before_, after_);
        if (k == 0 || k == kClipMode || k != changed(o->before_, o->after_) || o->graph_ != graph_)
            return false;
        after_ = o->after_;
        return true;
    }
    enum { kRadius = 1, kClipMode = 2, kBox = 3, kSlab = 4 };
    static int changed(const VesselFilter& a, const VesselFilter& b) {
        if (a.clip != b.clip) return kClipMode;
        if (a.minRadius != b.minRadius || a.maxRadius != b.maxRadius) return kRadius;
        if (!std::equal(a.box, a.box + 6, b.box)) return kBox;
        if (a.slabAxis != b.slabAxis || a.slabLo != b.slabLo || a.slabHi != b.slabHi) return kSlab;
        return 0;
    }

private:
    VesselPanel* p_;
    const nr::VesselGraph* graph_;
    VesselFilter before_, after_;
};

const char* const kAxes[3] = {"x", "y", "z"};

} // namespace

VesselPanel::VesselPanel(VesselView* view, QUndoStack* undo, QWidget* parent)
    : QWidget(parent), view_(view), undo_(undo) {
    // Compact: the whole dock fits a 1280x800 window without scrolling.
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(4, 4, 4, 4);
    lay->setSpacing(4);
    auto compact = [](QLayout* l) {
        l->setContentsMargins(6, 2, 6, 4);
        l->setSpacing(3);
    };
    counts_ = new QLabel;
    counts_->setWordWrap(true);
    counts_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    lay->addWidget(counts_);

    // The picked vessel: every attribute, here rather than over the view.
    pickedBox_ = new QGroupBox(tr("Picked vessel"));
    auto* pl = new QVBoxLayout(pickedBox_);
    compact(pl);
    picked_ = new QTableWidget(0, 2);
    picked_->setObjectName(QStringLiteral("vesselPicked"));
    picked_->setHorizontalHeaderLabels({tr("attribute"), tr("value")});
    picked_->verticalHeader()->hide();
    picked_->horizontalHeader()->setStretchLastSection(true);
    picked_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    picked_->setSelectionBehavior(QAbstractItemView::SelectRows);
    // Every row shown, none scrolled inside the table: the dock scrolls to the whole box on a pick.
    picked_->verticalHeader()->setMinimumSectionSize(picked_->fontMetrics().height());
    picked_->verticalHeader()->setDefaultSectionSize(picked_->fontMetrics().height() + 1);
    picked_->horizontalHeader()->hide(); // the box's title names the vessel; rows read "name  value"
    picked_->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    picked_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    picked_->setSizeAdjustPolicy(QAbstractScrollArea::AdjustToContents);
    picked_->setToolTip(tr("Every attribute of the vessel clicked in the view (click empty space to clear)"));
    pl->addWidget(picked_);
    pickedBox_->hide();
    lay->addWidget(pickedBox_);
    connect(view_, &VesselView::edgePicked, this, &VesselPanel::showPicked);

    auto* look = new QGroupBox(tr("Colour"));
    auto* lf = new QFormLayout(look);
    compact(lf);
    colorCombo_ = new QComboBox;
    colorCombo_->setObjectName(QStringLiteral("vesselColorBy"));
    colorCombo_->setToolTip(tr("Colour the vessels by any edge column; the colour bar gives its unit"));
    connect(colorCombo_, &QComboBox::currentTextChanged, this, [this](const QString& c) {
        if (!updating_ && !c.isEmpty() && c != colorBy_)
            undo_->push(new VesselColorCommand(this, colorBy_, c));
    });
    lf->addRow(tr("Colour by"), colorCombo_);
    tubeSize_ = new QSlider(Qt::Horizontal);
    tubeSize_->setRange(10, 400);
    tubeSize_->setValue(100);
    tubeSize_->setToolTip(tr("Tube radius, percent of the radius in the data"));
    connect(tubeSize_, &QSlider::valueChanged, this, [this](int v) {
        view_->setRadiusScale(float(v) / 100.f);
        if (!updating_) emit tubeSizeChanged(v / 100.0);
    });
    lf->addRow(tr("Tube size"), tubeSize_);
    lay->addWidget(look);

    auto* radius = new QGroupBox(tr("Radius"));
    radius->setObjectName(QStringLiteral("vesselRadiusGroup"));
    auto* rf = new QHBoxLayout(radius);
    compact(rf);
    minR_ = new QDoubleSpinBox;
    maxR_ = new QDoubleSpinBox;
    minR_->setObjectName(QStringLiteral("vesselMinRadius"));
    maxR_->setObjectName(QStringLiteral("vesselMaxRadius"));
    for (auto* s : {minR_, maxR_}) {
        s->setMinimumWidth(80);
        s->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
        s->setDecimals(3);
        s->setKeyboardTracking(false);
        s->setAccelerated(true);
        connect(s, &QDoubleSpinBox::valueChanged, this, [this] { filterFromWidgets(); });
    }
    minR_->setToolTip(tr("Hide vessels thinner than this (e.g. raise it to leave only arteries and veins)"));
    maxR_->setToolTip(tr("Hide vessels thicker than this (e.g. lower it to leave only capillaries)"));
    rf->addWidget(new QLabel(tr("From")));
    rf->addWidget(minR_, 1);
    rf->addWidget(new QLabel(tr("to")));
    rf->addWidget(maxR_, 1);
    lay->addWidget(radius);

    auto* clip = new QGroupBox(tr("Clip"));
    auto* cl = new QVBoxLayout(clip);
    compact(cl);
    clipMode_ = new QComboBox;
    clipMode_->setObjectName(QStringLiteral("vesselClipMode"));
    clipMode_->addItems({tr("None"), tr("Box"), tr("Slab")});
    clipMode_->setToolTip(
        tr("Show only the vessels whose middle lies in a box, or in a slab along one axis"));
    auto* clipRow = new QHBoxLayout;
    clipRow->addWidget(clipMode_, 1);
    cl->addLayout(clipRow);
    clipPages_ = new QStackedWidget;
    clipPages_->addWidget(new QWidget);
    auto* boxPage = new QWidget;
    auto* bg = new QGridLayout(boxPage);
    bg->setContentsMargins(0, 0, 0, 0);
    boxUnit_ = new QLabel;
    bg->addWidget(boxUnit_, 3, 0, 1, 3);
    for (int a = 0; a < 3; ++a) {
        bg->addWidget(new QLabel(QString::fromLatin1(kAxes[a])), a, 0);
        for (int k = 0; k < 2; ++k) {
            auto* s = new QDoubleSpinBox;
            s->setDecimals(1);
            s->setMinimumWidth(64); // narrow docks: the spin boxes shrink, the unit is in the heading
            s->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
            s->setKeyboardTracking(false);
            s->setAccelerated(true);
            s->setToolTip(k == 0 ? tr("Lower %1 of the box").arg(QString::fromLatin1(kAxes[a]))
                                 : tr("Upper %1 of the box").arg(QString::fromLatin1(kAxes[a])));
            connect(s, &QDoubleSpinBox::valueChanged, this, [this] { filterFromWidgets(); });
            box_[2 * a + k] = s;
            bg->addWidget(s, a, 1 + k);
        }
    }
    clipPages_->addWidget(boxPage);
    auto* slabPage = new QWidget;
    auto* sf = new QFormLayout(slabPage);
    sf->setContentsMargins(0, 0, 0, 0);
    slabAxis_ = new QComboBox;
    slabAxis_->addItems({QStringLiteral("x"), QStringLiteral("y"), QStringLiteral("z")});
    slabAxis_->setToolTip(tr("Axis the slab is perpendicular to"));
    sf->addRow(tr("Axis"), slabAxis_);
    slabPos_ = new QSlider(Qt::Horizontal);
    slabPos_->setObjectName(QStringLiteral("vesselSlabPosition"));
    slabPos_->setRange(0, 1000);
    slabPos_->setValue(500);
    slabPos_->setToolTip(tr("Move the slab through the volume (arrow keys, Page Up/Down)"));
    sf->addRow(tr("Position"), slabPos_);
    slabWidth_ = new QDoubleSpinBox;
    slabWidth_->setDecimals(1);
    slabWidth_->setKeyboardTracking(false);
    slabWidth_->setToolTip(tr("Thickness of the slab"));
    sf->addRow(tr("Thickness"), slabWidth_);
    slabRange_ = new QLabel;
    sf->addRow(slabRange_);
    clipPages_->addWidget(slabPage);
    cl->addWidget(clipPages_);
    lay->addWidget(clip);
    apply_ = new QTimer(this);
    apply_->setSingleShot(true);
    apply_->setInterval(0);
    connect(apply_, &QTimer::timeout, this, [this] { filterFromWidgets(); });
    // The stack takes the height of the page shown (none for "None"), not of its largest page.
    connect(clipPages_, &QStackedWidget::currentChanged, this, [this](int cur) {
        for (int i = 0; i < clipPages_->count(); ++i)
            clipPages_->widget(i)->setSizePolicy(QSizePolicy::Preferred,
                                                 i == cur ? QSizePolicy::Preferred : QSizePolicy::Ignored);
        clipPages_->adjustSize();
    });
    for (int i = 1; i < clipPages_->count(); ++i)
        clipPages_->widget(i)->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Ignored);
    connect(clipMode_, &QComboBox::currentIndexChanged, this, [this](int i) {
        clipPages_->setCurrentIndex(i);
        filterFromWidgets();
    });
    connect(slabAxis_, &QComboBox::currentIndexChanged, this, [this] { filterFromWidgets(); });
    connect(slabPos_, &QSlider::valueChanged, this, [this] {
        if (!updating_) apply_->start();
    });
    connect(slabWidth_, &QDoubleSpinBox::valueChanged, this, [this] { filterFromWidgets(); });

    auto* all = new QPushButton(tr("Show all"));
    all->setObjectName(QStringLiteral("vesselShowAll"));
    all->setToolTip(tr("Show all vessels: clear the radius range and the clip (Ctrl+Z takes it back)"));
    connect(all, &QPushButton::clicked, this, &VesselPanel::showAll);
    clipRow->addWidget(all);

    auto* hist = new QGroupBox(tr("Visible vessels"));
    auto* hl = new QVBoxLayout(hist);
    compact(hl);
    radiusHist_ = new VesselHistogram;
    lengthHist_ = new VesselHistogram;
    radiusHist_->setObjectName(QStringLiteral("vesselRadiusHistogram"));
    lengthHist_->setObjectName(QStringLiteral("vesselLengthHistogram"));
    hl->addWidget(radiusHist_);
    hl->addWidget(lengthHist_);
    lay->addWidget(hist);
    lay->addStretch(1);
    setEnabled(false);
}

void VesselPanel::setGraph(std::shared_ptr<const nr::VesselGraph> g) {
    graph_ = std::move(g);
    setEnabled(graph_ != nullptr);
    filter_ = VesselFilter();
    showPicked(-1);
    if (!graph_) {
        counts_->setText(tr("No vessel graph open."));
        radiusHist_->setData(tr("radius"), QString(), {});
        lengthHist_->setData(tr("length"), QString(), {});
        return;
    }
    updating_ = true;
    colorCombo_->clear();
    for (const auto& c : view_->colorColumns()) colorCombo_->addItem(QString::fromStdString(c));
    colorBy_ = QString::fromStdString(view_->colorBy());
    colorCombo_->setCurrentText(colorBy_);
    // Spin box ranges: the data's, widened to their decimals so that the ends hold every value.
    const bool hasRadius = !graph_->radiusColumn.empty();
    // The histograms' ranges (all vessels, fixed while filtering) and the spin boxes' ranges.
    radiusRange_ = view_->columnRange("radius");
    lengthRange_ = view_->columnRange("length");
    const auto [rlo, rhi] = radiusRange_;
    for (auto* s : {minR_, maxR_}) {
        s->setRange(std::floor(rlo * 1000) / 1000, std::ceil(rhi * 1000) / 1000);
        s->setSingleStep(std::max(0.001, (rhi - rlo) / 100));
        s->setSuffix(graph_->units.empty() ? QString()
                                           : QStringLiteral(" ") + QString::fromStdString(graph_->units));
    }
    minR_->parentWidget()->setEnabled(hasRadius);
    minR_->parentWidget()->setToolTip(hasRadius ? QString() : tr("This graph has no radius column"));
    const QString unit =
        graph_->units.empty() ? QString() : QStringLiteral(" ") + QString::fromStdString(graph_->units);
    for (int a = 0; a < 3; ++a) {
        const double lo = graph_->bounds[2 * a], hi = graph_->bounds[2 * a + 1];
        const double pad = std::max(1.0, 0.01 * (hi - lo));
        for (int k = 0; k < 2; ++k) {
            box_[2 * a + k]->setRange(std::floor(lo - pad), std::ceil(hi + pad));
            box_[2 * a + k]->setSingleStep(std::max(0.1, (hi - lo) / 50));
        }
        filter_.box[2 * a] = float(std::floor(lo - pad));
        filter_.box[2 * a + 1] = float(std::ceil(hi + pad));
    }
    boxUnit_->setText(graph_->units.empty() ? tr("from, to")
                                            : tr("from, to (%1)").arg(QString::fromStdString(graph_->units)));
    double extent = 0;
    for (int a = 0; a < 3; ++a)
        extent = std::max(extent, double(graph_->bounds[2 * a + 1] - graph_->bounds[2 * a]));
    slabWidth_->setRange(std::max(0.1, extent / 1000), std::max(1.0, extent));
    slabWidth_->setSingleStep(std::max(0.1, extent / 100));
    slabWidth_->setSuffix(unit);
    // The slab starts as a tenth of the volume along z, centred (choosing Slab then shows a slice).
    const double zlo = graph_->bounds[4], zhi = graph_->bounds[5];
    const double half = 0.5 * std::max(slabWidth_->minimum(), 0.1 * (zhi > zlo ? zhi - zlo : extent));
    slabPos_->setValue(500);
    filter_.slabAxis = 2;
    filter_.slabLo = float(0.5 * (zlo + zhi) - half);
    filter_.slabHi = float(0.5 * (zlo + zhi) + half);
    tubeSize_->setValue(100);
    showFilter(filter_);
    updating_ = false;
    float box[6];
    filter_.clipBox(box);
    view_->setFilter(filter_.minRadius, filter_.maxRadius, box);
    updateCounts();
}

void VesselPanel::filterFromWidgets() {
    if (updating_ || !graph_) return;
    VesselFilter f = filter_;
    const bool hasRadius = !graph_->radiusColumn.empty();
    f.minRadius = !hasRadius || minR_->value() <= minR_->minimum() ? -std::numeric_limits<float>::infinity()
                                                                   : float(minR_->value());
    f.maxRadius = !hasRadius || maxR_->value() >= maxR_->maximum() ? std::numeric_limits<float>::infinity()
                                                                   : float(maxR_->value());
    f.clip = VesselFilter::Clip(clipMode_->currentIndex());
    for (int i = 0; i < 6; ++i) f.box[i] = float(box_[i]->value());
    f.slabAxis = slabAxis_->currentIndex();
    const double lo = graph_->bounds[2 * f.slabAxis], hi = graph_->bounds[2 * f.slabAxis + 1];
    const double centre = lo + (hi - lo) * slabPos_->value() / 1000.0, half = slabWidth_->value() / 2;
    f.slabLo = float(centre - half);
    f.slabHi = float(centre + half);
    if (!(f == filter_))
        undo_->push(new VesselFilterCommand(this, filter_, f));
    else
        showFilter(f); // e.g. the slab's range label
}

void VesselPanel::showFilter(const VesselFilter& f) {
    const bool was = updating_;
    updating_ = true;
    minR_->setValue(std::isfinite(f.minRadius) ? double(f.minRadius) : minR_->minimum());
    maxR_->setValue(std::isfinite(f.maxRadius) ? double(f.maxRadius) : maxR_->maximum());
    clipMode_->setCurrentIndex(int(f.clip));
    clipPages_->setCurrentIndex(int(f.clip));
    for (int i = 0; i < 6; ++i) box_[i]->setValue(f.box[i]);
    slabAxis_->setCurrentIndex(f.slabAxis);
    if (graph_) {
        const double lo = graph_->bounds[2 * f.slabAxis], hi = graph_->bounds[2 * f.slabAxis + 1];
        const double centre = 0.5 * (double(f.slabLo) + double(f.slabHi));
        slabPos_->setValue(hi > lo ? int(std::lround((centre - lo) / (hi - lo) * 1000)) : 500);
        slabWidth_->setValue(double(f.slabHi) - double(f.slabLo));
        slabRange_->setText(tr("%1 from %2 to %3%4")
                                .arg(QString::fromLatin1(kAxes[f.slabAxis]))
                                .arg(double(f.slabLo), 0, 'f', 1)
                                .arg(double(f.slabHi), 0, 'f', 1)
                                .arg(graph_->units.empty()
                                         ? QString()
                                         : QStringLiteral(" ") + QString::fromStdString(graph_->units)));
    }
    updating_ = was;
}

void VesselPanel::applyColorBy(const QString& column, bool record) {
    if (record) {
        if (column != colorBy_) undo_->push(new VesselColorCommand(this, colorBy_, column));
        return;
    }
    if (!view_->setColorBy(column.toStdString())) {
        emit message(tr("The vessel graph has no column '%1'").arg(column));
        return;
    }
    colorBy_ = column;
    const bool was = updating_;
    updating_ = true;
    colorCombo_->setCurrentText(column);
    updating_ = was;
    emit colorByChanged(column);
}

void VesselPanel::applyFilter(const VesselFilter& f, bool record) {
    if (record) {
        if (!(f == filter_)) undo_->push(new VesselFilterCommand(this, filter_, f));
        return;
    }
    filter_ = f;
    showFilter(f);
    float box[6];
    f.clipBox(box);
    view_->setFilter(f.minRadius, f.maxRadius, box);
    updateCounts();
}

void VesselPanel::showAll() {
    if (!graph_) return;
    VesselFilter f = filter_;
    f.minRadius = -std::numeric_limits<float>::infinity();
    f.maxRadius = std::numeric_limits<float>::infinity();
    f.clip = VesselFilter::Clip::None;
    applyFilter(f, true);
}

void VesselPanel::updateCounts() {
    if (!graph_) return;
    const QLocale loc;
    // Length as vessel_stats counts it: the length column, or the distance between the nodes without one.
    const std::vector<float>* lc =
        graph_->lengthColumn.empty() ? nullptr : graph_->edgeColumn(graph_->lengthColumn);
    double length = 0;
    const std::vector<uint32_t>& vis = view_->visibleEdges();
    for (uint32_t e : vis) {
        const float l = lc ? (*lc)[e] : graph_->euclidean(e);
        if (std::isfinite(l)) length += l;
    }
    const QString unit =
        graph_->units.empty() ? QString() : QStringLiteral(" ") + QString::fromStdString(graph_->units);
    counts_->setText(tr("%1 of %2 vessels visible, total length %3%4")
                         .arg(loc.toString(qulonglong(vis.size())),
                              loc.toString(qulonglong(graph_->edgeCount())),
                              loc.toString(length, 'f', length < 100 ? 1 : 0), unit));
    const auto [rlo, rhi] = radiusRange_;
    const auto [llo, lhi] = lengthRange_;
    const QString u = QString::fromStdString(graph_->units);
    radiusHist_->setData(tr("radius"), graph_->radiusColumn.empty() ? QString() : u,
                         view_->visibleHistogram("radius", 40, rlo, rhi));
    lengthHist_->setData(tr("length"), u, view_->visibleHistogram("length", 40, llo, lhi));
}

void VesselPanel::showPicked(long edge) {
    picked_->setRowCount(0);
    pickedBox_->setVisible(edge >= 0 && graph_);
    if (edge < 0 || !graph_) return;
    const auto attrs = view_->edgeAttributes(size_t(edge));
    picked_->setRowCount(int(attrs.size()));
    for (int i = 0; i < int(attrs.size()); ++i) {
        picked_->setItem(i, 0, new QTableWidgetItem(QString::fromStdString(attrs[size_t(i)].first)));
        picked_->setItem(i, 1, new QTableWidgetItem(QString::number(attrs[size_t(i)].second, 'g', 6)));
    }
    pickedBox_->setTitle(tr("Picked vessel %1").arg(qlonglong(graph_->edgeId(size_t(edge)))));
    int h = 2 * picked_->frameWidth();
    for (int i = 0; i < picked_->rowCount(); ++i) h += picked_->rowHeight(i);
    picked_->setFixedHeight(h);
    // The dock scrolls to the whole box (its parent is the scroll area's viewport).
    QTimer::singleShot(0, this, [this] {
        for (QWidget* p = parentWidget(); p; p = p->parentWidget())
            if (auto* area = qobject_cast<QScrollArea*>(p)) {
                area->ensureWidgetVisible(pickedBox_, 0, 0);
                break;
            }
    });
}

QWidget* VesselPanel::pickedBox() const {
    return pickedBox_;
}

std::vector<std::pair<QString, QString>> VesselPanel::pickedRows() const {
    std::vector<std::pair<QString, QString>> rows;
    if (pickedBox_->isHidden()) return rows;
    for (int i = 0; i < picked_->rowCount(); ++i)
        rows.emplace_back(picked_->item(i, 0)->text(), picked_->item(i, 1)->text());
    return rows;
}

void VesselPanel::setTubeSize(double scale) {
    const bool was = updating_;
    updating_ = true;
    tubeSize_->setValue(int(std::lround(std::clamp(scale, 0.1, 4.0) * 100)));
    updating_ = was;
}

double VesselPanel::tubeSize() const {
    return tubeSize_->value() / 100.0;
}

const nr::Histogram& VesselPanel::radiusHistogram() const {
    return radiusHist_->histogram();
}

const nr::Histogram& VesselPanel::lengthHistogram() const {
    return lengthHist_->histogram();
}

QString VesselPanel::countsText() const {
    return counts_->text();
}
