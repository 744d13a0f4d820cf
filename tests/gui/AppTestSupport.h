// Shared by the whole-application test suites: the shared data files they open and a way to run the
// neurorama executable as a user would from a shell.
#pragma once

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QString>
#include <QStringList>

namespace apptest {

inline const QString kData = QStringLiteral(NR_SHARED_DATA);
inline QString herm() {
    return kData + QStringLiteral("/connectome/herm_full_edgelist.csv");
}
inline QString somas() {
    return kData + QStringLiteral("/connectome/celegans_somas.csv");
}

// Copies `files` into `dir` and returns the copies' paths: a session saved in `dir` then lists them relative
// to its own folder, and reopens without asking about files outside it.
inline QStringList copiesIn(const QString& dir, const QStringList& files) {
    QStringList out;
    for (const QString& f : files) {
        const QString to = dir + QLatin1Char('/') + QFileInfo(f).fileName();
        QFile::copy(f, to);
        out << to;
    }
    return out;
}

struct Run {
    int code = -1;
    QString out, err;
};

// Runs build/bin/neurorama with `args`; a run that outlives `timeoutMs` is killed and reported as timed out.
inline Run runApp(const QStringList& args, int timeoutMs = 120000) {
    QProcess p;
    p.setProgram(QCoreApplication::applicationDirPath() + QStringLiteral("/neurorama"));
    p.setArguments(args);
    p.start();
    Run r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        r.err = QStringLiteral("timed out");
        return r;
    }
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

} // namespace apptest
