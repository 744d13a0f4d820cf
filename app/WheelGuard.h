// Spin boxes, sliders and combo boxes take the mouse wheel only when they have the keyboard focus: scrolling
// over a dock moves the dock's scroll area instead of silently changing a filter value under the pointer.
// One instance, installed on the application, covers every widget of these kinds, also those made later
// (their focus policy becomes Qt::StrongFocus when they are first polished, so the wheel no longer focuses
// them either).
#pragma once

#include <QObject>

class QWidget;

class WheelGuard : public QObject {
    Q_OBJECT
public:
    // Installs the guard on the application (once; later calls do nothing).
    static void install();
    // True for the widgets the guard protects (spin boxes, sliders, combo boxes and their line edits).
    static QWidget* guardedWidget(QObject* o);

protected:
    bool eventFilter(QObject* watched, QEvent* e) override;

private:
    using QObject::QObject;
};
