// Files a session points to: a session is data someone may send. Files in its folder open at once (and the
// writer lists them relative to it); files outside it are listed in a message box and open only on Yes
// (No opens nothing); the command line refuses them unless --allow-outside-paths is given; entries that are
// not regular files are refused.
#include <QAbstractButton>
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageBox>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>
#include <sys/stat.h>

#include "AppTestSupport.h"
#include "MainWindow.h"
#include "Session.h"

using apptest::herm;

namespace {

QString writeSession(const QString& path, const QStringList& files) {
    QJsonArray a;
    for (const QString& f : files) a.append(f);
    QJsonObject o{{"format", "neurorama-session"}, {"version", 1}, {"files", a}};
    QFile f(path);
    f.open(QIODevice::WriteOnly);
    f.write(QJsonDocument(o).toJson());
    return path;
}

// Watches for the outside-paths message box and answers it with `button`, keeping its text.
struct BoxAnswer {
    QTimer timer;
    bool seen = false;
    QString text;
    explicit BoxAnswer(QMessageBox::StandardButton button) {
        timer.setInterval(20);
        QObject::connect(&timer, &QTimer::timeout, [this, button] {
            auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
            if (!box || box->objectName() != QLatin1String("outsidePathsBox")) return;
            seen = true;
            text = box->text() + QLatin1Char('\n') + box->informativeText();
            timer.stop();
            box->button(button)->click();
        });
        timer.start();
    }
};

} // namespace

class TestSessionPaths : public QObject {
    Q_OBJECT

private slots:
    void savedFilesInTheFolderAreRelative() {
        QTemporaryDir dir;
        const QStringList files = apptest::copiesIn(dir.path(), {herm()});
        const QString session = dir.filePath("s.nrsession");
        {
            MainWindow w;
            QCOMPARE(w.openFilesBlocking(files), QString());
            QCOMPARE(saveSession(&w, session), QString());
        }
        QFile f(session);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonArray layers = QJsonDocument::fromJson(f.readAll()).object().value("layers").toArray();
        QCOMPARE(layers.size(), 1);
        const QJsonArray saved = layers[0].toObject().value("files").toArray();
        QCOMPARE(saved.size(), 1);
        QCOMPARE(saved[0].toObject().value("path").toString(), QStringLiteral("herm_full_edgelist.csv"));
        BoxAnswer never(QMessageBox::No);
        MainWindow w2;
        w2.openFiles(QStringList{session});
        QVERIFY(!never.seen); // nothing outside the folder: no question
        QVERIFY(w2.graph());
        QCOMPARE(w2.graph()->nodeCount(), size_t(448));
    }

    void outsideFilesAnsweredNoOpenNothing() {
        QTemporaryDir dir;
        const QString session = writeSession(dir.filePath("s.nrsession"), {herm()});
        BoxAnswer no(QMessageBox::No);
        MainWindow w;
        w.openFiles(QStringList{session});
        QVERIFY(no.seen);
        QVERIFY2(no.text.contains(herm()), qPrintable(no.text));
        QVERIFY(!w.graph());
        QCOMPARE(w.document().size(), size_t(0));
    }

    void outsideFilesAnsweredYesOpen() {
        QTemporaryDir dir;
        const QString session = writeSession(dir.filePath("s.nrsession"), {herm()});
        BoxAnswer yes(QMessageBox::Yes);
        MainWindow w;
        w.openFiles(QStringList{session});
        QVERIFY(yes.seen);
        QVERIFY(w.graph());
        QCOMPARE(w.graph()->nodeCount(), size_t(448));
    }

    void relativePathLeavingTheFolderIsAsked() {
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkdir("s"));
        apptest::copiesIn(dir.path(), {herm()});
        const QString session =
            writeSession(dir.filePath("s/s.nrsession"), {QStringLiteral("../herm_full_edgelist.csv")});
        BoxAnswer no(QMessageBox::No);
        MainWindow w;
        QCOMPARE(loadSession(&w, session).error, QString());
        QVERIFY(no.seen);
        QVERIFY2(no.text.contains("../herm_full_edgelist.csv"), qPrintable(no.text));
        QVERIFY(!w.graph());
    }

    void allowedOutsideFilesOpenWithoutAsking() {
        QTemporaryDir dir;
        const QString session = writeSession(dir.filePath("s.nrsession"), {herm()});
        BoxAnswer never(QMessageBox::No);
        MainWindow w;
        w.setAllowOutsidePaths(true);
        w.openFiles(QStringList{session});
        QVERIFY(!never.seen);
        QVERIFY(w.graph());
        QCOMPARE(loadSession(&w, session, OutsidePaths::Allow).error, QString());
    }

    void refusedWhenNobodyCanConfirm() {
        QTemporaryDir dir;
        const QString session = writeSession(dir.filePath("s.nrsession"), {herm()});
        MainWindow w;
        const QString err = loadSession(&w, session, OutsidePaths::Refuse).error;
        QVERIFY2(err.contains("s.nrsession") && err.contains("outside its folder") && err.contains(herm()) &&
                     err.contains("--allow-outside-paths"),
                 qPrintable(err));
        QVERIFY(!w.graph());
    }

    void commandLineRefusesUnlessAllowed() {
        QTemporaryDir dir;
        const QString session = writeSession(dir.filePath("s.nrsession"), {herm()});
        const QString png = dir.filePath("shot.png");
        const auto refused = apptest::runApp({"--screenshot", png, "--size", "320x240", session});
        QVERIFY2(refused.code != 0, qPrintable(refused.err));
        QVERIFY2(refused.err.contains("outside its folder") && refused.err.contains("--allow-outside-paths"),
                 qPrintable(refused.err));
        QVERIFY(!QFile::exists(png));
        const auto allowed =
            apptest::runApp({"--screenshot", png, "--size", "320x240", "--allow-outside-paths", session});
        QVERIFY2(allowed.code == 0, qPrintable(allowed.err));
        QVERIFY(QFile::exists(png));
        const auto help = apptest::runApp({"--help"});
        QVERIFY(help.out.contains("\n  --allow-outside-paths\n"));
    }

    void entriesMustBeRegularFiles() {
        QTemporaryDir dir;
        const QByteArray fifo = dir.filePath("p.csv").toLocal8Bit();
        QCOMPARE(mkfifo(fifo.constData(), 0600), 0);
        MainWindow w;
        QString err = loadSession(&w, writeSession(dir.filePath("a.nrsession"), {"p.csv"})).error;
        QVERIFY2(err.contains("a.nrsession") && err.contains("FIFO"), qPrintable(err));
        err = loadSession(&w, writeSession(dir.filePath("b.nrsession"), {"/dev/zero"}), OutsidePaths::Allow).error;
        QVERIFY2(err.contains("character device"), qPrintable(err));
        err = loadSession(&w, writeSession(dir.filePath("c.nrsession"), {"c.nrsession"})).error;
        QVERIFY2(err.contains("this session file itself"), qPrintable(err));
        QVERIFY(!w.graph());
    }
};

QTEST_MAIN(TestSessionPaths)
#include "test_session_paths.moc"
