#include "TraceRateDialog.h"

#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QSettings>

#include "traces/TraceFormats.h"

namespace {
const char* const kRateKey = "traces/rate";
}

TraceRateDialog::TraceRateDialog(const QString& file, size_t frames, QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("Sampling Rate"));
    auto* form = new QFormLayout(this);
    auto* note = new QLabel(tr("%1 has no time vector for its %2 frames. With the sampling rate the time "
                               "axis is in seconds; without it, in frames.")
                                .arg(QFileInfo(file).fileName())
                                .arg(frames));
    note->setWordWrap(true);
    form->addRow(note);
    rate_ = new QDoubleSpinBox;
    rate_->setObjectName(QStringLiteral("traceRate"));
    rate_->setDecimals(4);
    rate_->setRange(0.0001, 1e6);
    rate_->setSuffix(tr(" Hz"));
    rate_->setValue(QSettings().value(QLatin1String(kRateKey), 1.0).toDouble());
    rate_->setToolTip(tr("Frames per second of the recording (volumes per second for whole-brain imaging)"));
    form->addRow(tr("Sampling rate"), rate_);
    auto* buttons = new QDialogButtonBox;
    QPushButton* use = buttons->addButton(tr("Use Rate"), QDialogButtonBox::AcceptRole);
    use->setObjectName(QStringLiteral("useRate"));
    use->setDefault(true);
    buttons->addButton(tr("Keep Frames"), QDialogButtonBox::RejectRole)
        ->setObjectName(QStringLiteral("keepFrames"));
    connect(buttons, &QDialogButtonBox::accepted, this, &TraceRateDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    form->addRow(buttons);
}

double TraceRateDialog::rate() const {
    return rate_->value();
}

void TraceRateDialog::accept() {
    QSettings().setValue(QLatin1String(kRateKey), rate());
    QDialog::accept();
}

std::shared_ptr<const nr::Traces> TraceRateDialog::withRate(const nr::Traces& t, double rate) {
    auto out = std::make_shared<nr::Traces>(t);
    for (size_t k = 0; k < out->time.size(); ++k) out->time[k] = double(k) / rate;
    out->timeUnit = "s";
    return out;
}
