#include "WheelGuard.h"

#include <QAbstractSlider>
#include <QAbstractSpinBox>
#include <QApplication>
#include <QComboBox>
#include <QEvent>
#include <QWheelEvent>

void WheelGuard::install() {
    static WheelGuard* guard = nullptr;
    if (guard || !qApp) return;
    guard = new WheelGuard(qApp);
    qApp->installEventFilter(guard);
}

QWidget* WheelGuard::guardedWidget(QObject* o) {
    auto* w = qobject_cast<QWidget*>(o);
    // The line edit inside a spin box or an editable combo box receives the event first.
    for (int depth = 0; w && depth < 2; ++depth, w = w->parentWidget()) {
        if (qobject_cast<QAbstractSpinBox*>(w) || qobject_cast<QComboBox*>(w)) return w;
        // Scroll bars scroll: they are what a wheel over a scroll area is meant for.
        if (qobject_cast<QAbstractSlider*>(w) && !w->inherits("QScrollBar")) return w;
    }
    return nullptr;
}

bool WheelGuard::eventFilter(QObject* watched, QEvent* e) {
    if (e->type() == QEvent::Polish) {
        if (QWidget* w = guardedWidget(watched);
            w == watched && (w->focusPolicy() & Qt::WheelFocus) == Qt::WheelFocus)
            w->setFocusPolicy(Qt::StrongFocus);
        return false;
    }
    if (e->type() != QEvent::Wheel) return false;
    QWidget* w = guardedWidget(watched);
    if (!w || w->hasFocus()) return false;
    // Not for this widget: ignored, so the event goes on to the parents (the dock's scroll area).
    if ((w->focusPolicy() & Qt::WheelFocus) == Qt::WheelFocus) w->setFocusPolicy(Qt::StrongFocus);
    e->ignore();
    return true;
}
