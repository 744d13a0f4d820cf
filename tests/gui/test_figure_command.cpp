// `neurorama export --example-figure` and `neurorama export SESSION --figure NAME` as a user runs them: one
// summary line on stdout, the file written; a figure that is not in the session, a panel whose layer is not
// there, an absurd DPI: a message naming the file and the problem, exit code 1 and no file.
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

class TestFigureCommand : public QObject {
    Q_OBJECT

    struct Run {
        int code = -1;
        QString out, err;
    };
    static Run run(const QStringList& args) {
        QProcess p;
        p.start(QCoreApplication::applicationDirPath() + "/neurorama", args);
        Run r;
        if (!p.waitForFinished(120000)) {
            p.kill();
            p.waitForFinished();
            return r;
        }
        r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        r.out = QString::fromUtf8(p.readAllStandardOutput());
        r.err = QString::fromUtf8(p.readAllStandardError());
        return r;
    }

    // Writes a session of one layer (id, kind, name; its file under the shared data folder) and one figure
    // (its JSON object).
    static bool writeSession(const QString& path, int id, const char* kind, const char* name,
                             const char* data, const QByteArray& figure) {
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly)) return false;
        const QByteArray file = QByteArray(NR_SHARED_DATA) + "/" + data;
        f.write("{\n\"format\": \"neurorama-session\",\n\"version\": 2,\n\"layers\": [\n{\"id\": " +
                QByteArray::number(id) + ", \"kind\": \"" + kind + "\", \"name\": \"" + name +
                "\", \"files\": [{\"path\": \"" + file + "\"}]}],\n\"figures\": [\n" + figure + "]\n}\n");
        return true;
    }

private slots:
    void exampleFigure() {
        QTemporaryDir dir;
        const QString out = dir.filePath("example.pdf");
        const Run r = run({"export", "--example-figure", "--out", out});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(r.out.count('\n'), 1);
        QVERIFY2(r.out.startsWith("export figure=\"Example\" panels=4 page=174x130mm"), qPrintable(r.out));
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.read(5) == "%PDF-");
        const Run bad = run({"export", "--example-figure", "--out", dir.filePath("x.pdf"), "--dpi", "9000"});
        QCOMPARE(bad.code, 2); // a refused command line
        QVERIFY2(bad.err.contains("--dpi needs a number from 72 to 2400"), qPrintable(bad.err));
        const Run fmt = run({"export", "--example-figure", "--out", dir.filePath("x.bmp")});
        QCOMPARE(fmt.code, 1);
        QVERIFY2(fmt.err.contains("x.bmp: unknown figure format '.bmp'"), qPrintable(fmt.err));
        QVERIFY(!QFile::exists(dir.filePath("x.pdf")) && !QFile::exists(dir.filePath("x.bmp")));
    }

    // A session whose figure shows a traces layer as a heatmap and as its FC matrix, exported headless: the
    // summary line, the SVG holding both colour bars' labels, and the same bytes a second time.
    void sessionFigureOfTraces() {
        QTemporaryDir dir;
        const QString session = dir.filePath("t.nrsession");
        QVERIFY(writeSession(
            session, 4, "traces", "calcium", "activity/atanas2023_traces.csv",
            "{\"name\": \"Activity\", \"widthMm\": 174, \"heightMm\": 70, \"cols\": 2, \"panels\": [\n"
            "{\"view\": \"traces\", \"layer\": 4, \"row\": 0, \"col\": 0},\n"
            "{\"view\": \"fc-matrix\", \"layer\": 4, \"row\": 0, \"col\": 1, "
            "\"settings\": {\"method\": \"spearman\"}}]}"));
        const QString a = dir.filePath("a.svg"), b = dir.filePath("b.svg");
        const Run r = run({"export", session, "--figure", "Activity", "--out", a, "--allow-outside-paths"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.startsWith("export figure=\"Activity\" ") &&
                     r.out.contains(" panels=2 page=174x70mm "),
                 qPrintable(r.out));
        QFile svg(a);
        QVERIFY(svg.open(QIODevice::ReadOnly));
        const QByteArray text = svg.readAll();
        QVERIFY(text.contains(">Spearman r<"));
        QVERIFY(text.contains(">time (s)<"));
        QVERIFY(run({"export", session, "--figure", "Activity", "--out", b, "--allow-outside-paths"}).code ==
                0);
        QFile again(b);
        QVERIFY(again.open(QIODevice::ReadOnly));
        QVERIFY(again.readAll() == text);
    }

    // Geometry and rates of a recording, headless, to PDF four times: the same bytes each time (fonts are
    // written in a fixed order whatever the process).
    void sessionFigureOfSpikesSameBytesEveryRun() {
        QTemporaryDir dir;
        const QString session = dir.filePath("s.nrsession");
        QVERIFY(writeSession(
            session, 2, "spikes", "units", "spikes/spikes.csv",
            "{\"name\": \"Units\", \"widthMm\": 174, \"heightMm\": 60, \"cols\": 2, \"panels\": [\n"
            "{\"view\": \"geometry\", \"layer\": 2, \"row\": 0, \"col\": 0},\n"
            "{\"view\": \"rates\", \"layer\": 2, \"row\": 0, \"col\": 1, \"settings\": {\"binMs\": "
            "2000}}]}"));
        QByteArray first;
        for (int i = 0; i < 4; ++i) {
            const QString out = dir.filePath(QStringLiteral("u%1.pdf").arg(i));
            const Run r =
                run({"export", session, "--figure", "Units", "--out", out, "--allow-outside-paths"});
            QVERIFY2(r.code == 0, qPrintable(r.err));
            QVERIFY2(r.out.contains(" panels=2 page=174x60mm "), qPrintable(r.out));
            QFile pdf(out);
            QVERIFY(pdf.open(QIODevice::ReadOnly));
            const QByteArray bytes = pdf.readAll();
            QVERIFY(bytes.startsWith("%PDF"));
            if (i == 0)
                first = bytes;
            else
                QVERIFY2(bytes == first, qPrintable(QStringLiteral("run %1 differs from run 0").arg(i)));
        }
    }

    // A figure whose communities panel is too small for its labels at 7 pt: written (exit 0), with a
    // `warning:` line on stderr naming the panel and the size it needs; the roomy panels are not named.
    void sessionFigureTooSmallForItsLabels() {
        QTemporaryDir dir;
        const QString session = dir.filePath("w.nrsession");
        QVERIFY(writeSession(
            session, 4, "traces", "calcium", "activity/atanas2023_traces.csv",
            "{\"name\": \"Small\", \"widthMm\": 174, \"heightMm\": 45, \"cols\": 3, \"panels\": [\n"
            "{\"view\": \"traces\", \"layer\": 4, \"row\": 0, \"col\": 0},\n"
            "{\"view\": \"fc-matrix\", \"layer\": 4, \"row\": 0, \"col\": 1},\n"
            "{\"view\": \"communities\", \"layer\": 4, \"row\": 0, \"col\": 2}]}"));
        const QString out = dir.filePath("small.pdf");
        const Run r = run({"export", session, "--figure", "Small", "--out", out, "--allow-outside-paths"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(r.out.count('\n'), 1);
        QVERIFY(QFile::exists(out));
        const QStringList lines = r.err.split('\n', Qt::SkipEmptyParts);
        QStringList warnings;
        for (const QString& l : lines)
            if (l.contains(": warning: figure ")) warnings << l;
        QVERIFY2(warnings.size() == 1, qPrintable(r.err));
        QVERIFY2(warnings[0].contains("w.nrsession: warning: figure \"Small\": panel C (communities): ") &&
                     warnings[0].contains(" at 7 pt in 56 x 42 mm") &&
                     warnings[0].contains("it needs about "),
                 qPrintable(warnings[0]));
    }

    void sessionFigureErrors() {
        QTemporaryDir dir;
        const QString session = dir.filePath("s.nrsession");
        QFile f(session);
        QVERIFY(f.open(QIODevice::WriteOnly));
        // A session with no layers: the figure's panel refers to a layer that is not there.
        f.write("{\n\"format\": \"neurorama-session\",\n\"version\": 2,\n\"figures\": [\n"
                "{\"name\": \"Fig 1\", \"widthMm\": 85, \"heightMm\": 60, \"cols\": 2, \"panels\": [\n"
                "{\"view\": \"raster\", \"layer\": 7, \"row\": 0, \"col\": 1}]}]\n}\n");
        f.close();
        const QString out = dir.filePath("f.pdf");
        const Run missing = run({"export", session, "--figure", "Fig 1", "--out", out});
        QCOMPARE(missing.code, 1);
        QVERIFY2(missing.err.contains("panel A (raster): layer 7 is not a layer of the session"),
                 qPrintable(missing.err));
        const Run unknown = run({"export", session, "--figure", "Nope", "--out", out});
        QCOMPARE(unknown.code, 1);
        QVERIFY2(
            unknown.err.contains("s.nrsession: no figure named \"Nope\" in the session (figures: Fig 1)"),
            qPrintable(unknown.err));
        QVERIFY(!QFile::exists(out));
        // A damaged figure: the session's line.
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\n\"format\": \"neurorama-session\",\n\"version\": 2,\n\"figures\": [\n"
                "{\"name\": \"Fig 1\", \"widthMm\": 5, \"heightMm\": 60}]\n}\n");
        f.close();
        const Run damaged = run({"export", session, "--figure", "Fig 1", "--out", out});
        QCOMPARE(damaged.code, 1);
        QVERIFY2(damaged.err.contains(
                     "s.nrsession:5: figure \"Fig 1\".widthMm must be between 10 and 1000, not 5"),
                 qPrintable(damaged.err));
    }
};

QTEST_MAIN(TestFigureCommand)
#include "test_figure_command.moc"
