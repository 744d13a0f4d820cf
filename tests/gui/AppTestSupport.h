// Shared by the whole-application test suites: the shared data files they open, a way to run the
// neurorama executable as a user would from a shell, and readers of what it writes.
#pragma once

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QXmlStreamReader>
#include <set>

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

// The bytes of a file (empty when it cannot be read).
inline QByteArray readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Every string drawn as text in an SVG (<text> and its <tspan>s), whitespace-trimmed; `error` says why the
// file could not be read or parsed.
inline std::set<QString> svgTexts(const QString& path, QString* error) {
    std::set<QString> out;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot open");
        return out;
    }
    QXmlStreamReader xml(&f);
    int depth = 0;
    QString cur;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isStartElement() && xml.name() == QLatin1String("text")) {
            ++depth;
            cur.clear();
        } else if (xml.isCharacters() && depth > 0) {
            cur += xml.text();
        } else if (xml.isEndElement() && xml.name() == QLatin1String("text")) {
            --depth;
            out.insert(cur.trimmed());
        }
    }
    if (xml.hasError()) *error = xml.errorString() + " at line " + QString::number(xml.lineNumber());
    return out;
}

// The id of the layer of kind `k` the window's views show (0: none). A template so that suites which
// never open a window need not include MainWindow.h.
template <class Window, class Kind> auto layerOf(const Window& w, Kind k) {
    const auto* l = w.document().current(k);
    return l ? l->id : decltype(l->id){0};
}

} // namespace apptest
