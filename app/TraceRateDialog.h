// Traces read without a time vector or a sampling rate have their time in frames. When the window opens such
// traces, this dialog asks for the sampling rate (as `--param rate=` does on the command line); "Keep frames"
// leaves the time axis in frames.
#pragma once

#include <QDialog>
#include <memory>

#include "traces/Traces.h"

class QDoubleSpinBox;

class TraceRateDialog : public QDialog {
    Q_OBJECT
public:
    TraceRateDialog(const QString& file, size_t frames, QWidget* parent = nullptr);
    QDoubleSpinBox* rateBox() const { return rate_; }
    double rate() const;
    // Remembers the rate as the next default.
    void accept() override;

    // A copy of `t` whose time is frame / rate seconds.
    static std::shared_ptr<const nr::Traces> withRate(const nr::Traces& t, double rate);

private:
    QDoubleSpinBox* rate_;
};
