// A session opens the way a user's desktop hands it over: as a file given to the window (double-click, drop,
// or the command line), recognised by its content whatever its extension. Other files are not mistaken for
// one, and sniffing never blocks on something that is not a regular file.
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>
#include <sys/stat.h>

#include "AppTestSupport.h"
#include "ConnectomePanel.h"
#include "MainWindow.h"
#include "Session.h"

using apptest::herm;
using apptest::somas;

class TestSessionOpen : public QObject {
    Q_OBJECT

private slots:
    void sniffsSessionsByContent() {
        QTemporaryDir dir;
        auto write = [&](const QString& name, const QByteArray& text) {
            QFile f(dir.filePath(name));
            f.open(QIODevice::WriteOnly);
            f.write(text);
            return f.fileName();
        };
        QVERIFY(isSessionFile(
            write("a.nrsession", "{\n  \"format\": \"neurorama-session\",\n  \"version\": 1\n}")));
        QVERIFY(isSessionFile(write("b.json", "  {\"version\":1,\"format\" : \"neurorama-session\"}")));
        QVERIFY(!isSessionFile(write("c.json", "{\"format\": \"something-else\"}")));
        QVERIFY(!isSessionFile(write("d.csv", "source,target\nneurorama-session,\"format\"\n")));
        QVERIFY(!isSessionFile(write("e.nrsession", "")));
        QVERIFY(!isSessionFile(dir.filePath("missing.nrsession")));
        QVERIFY(!isSessionFile(dir.path())); // a folder
        const QByteArray fifo = dir.filePath("f.nrsession").toLocal8Bit();
        QCOMPARE(mkfifo(fifo.constData(), 0600), 0);
        QElapsedTimer t;
        t.start();
        QVERIFY(!isSessionFile(QString::fromLocal8Bit(fifo))); // refused by kind, never opened
        QVERIFY(t.elapsed() < 2000);
    }

    void openFilesRestoresASession() {
        QTemporaryDir dir;
        const QString session = dir.filePath("worm.nrsession");
        {
            MainWindow w;
            QCOMPARE(w.openFilesBlocking(apptest::copiesIn(dir.path(), {herm(), somas()})), QString());
            w.connectomePanel()->applyColorBy("degree", false);
            QCOMPARE(saveSession(&w, session), QString());
        }
        MainWindow w2;
        QVERIFY(!w2.graph());
        w2.openFiles(QStringList{session}); // what a double-click or a drop does
        QVERIFY(w2.graph());
        QCOMPARE(w2.graph()->nodeCount(), size_t(448));
        QCOMPARE(w2.connectomePanel()->colorBy(), QStringLiteral("degree"));
    }
};

QTEST_MAIN(TestSessionOpen)
#include "test_session_open.moc"
