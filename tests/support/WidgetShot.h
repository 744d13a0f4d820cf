// Screenshots of widgets for looking at a suite's states by eye: written only when NR_SHOT_DIR is set.
#pragma once

#include <QString>
#include <QWidget>
#include <QtTest>

namespace nrtest {

// Saves `w` as NR_SHOT_DIR/name.png (after 200 ms for the last paint); does nothing without NR_SHOT_DIR.
inline void shot(QWidget* w, const QString& name) {
    const QByteArray dir = qgetenv("NR_SHOT_DIR");
    if (dir.isEmpty()) return;
    QTest::qWait(200);
    w->grab().save(QString::fromLocal8Bit(dir) + "/" + name + ".png");
}

} // namespace nrtest
