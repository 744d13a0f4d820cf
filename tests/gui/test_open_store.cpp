// A Zarr store (a folder) opened from the window as the command line opens it: File > Open with the store's
// folder selected, with a file inside it typed or chosen (.zgroup, .zarray, a chunk), and a drop of the
// folder or of a file inside it all reach the Open Volume dialog for the store (the FISBe ground truth has no
// voxel size, so the dialog asks). Other files pass through unchanged.
#include <QAction>
#include <QApplication>
#include <QDir>
#include <QDropEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMimeData>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTimer>
#include <QUrl>
#include <QtTest>
#include <functional>

#include "AppTestSupport.h"
#include "MainWindow.h"
#include "OpenFileDialog.h"
#include "VolumeOpenDialog.h"

namespace {

const QString kStore = apptest::kData + QStringLiteral("/labels/fisbe/R14A02-20180905_65_A6.zarr");
const QString kArray = kStore + QStringLiteral("/volumes/gt_instances");

QAction* menuAction(MainWindow& w, const QString& text) {
    for (QAction* a : w.menuBar()->findChildren<QAction*>())
        if (a->text() == text) return a;
    return nullptr;
}

// Watches for modal dialogs: `onOpen` runs on the file dialog; the Open Volume dialog that may follow is
// recorded (its arrays) and cancelled, so nothing is read.
struct Watch {
    QTimer timer;
    QStringList volumeArrays;
    bool volumeSeen = false;
    std::function<void(OpenFileDialog*)> onOpen;
    Watch() {
        timer.setInterval(20);
        QObject::connect(&timer, &QTimer::timeout, [this] {
            QWidget* m = QApplication::activeModalWidget();
            if (auto* open = qobject_cast<OpenFileDialog*>(m); open && open->isVisible() && onOpen) {
                auto f = std::move(onOpen);
                onOpen = nullptr;
                f(open);
            } else if (auto* vol = qobject_cast<VolumeOpenDialog*>(m); vol && vol->isVisible()) {
                volumeSeen = true;
                volumeArrays = vol->arrays();
                vol->reject();
            }
        });
        timer.start();
    }
};

void drop(MainWindow& w, const QString& path) {
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(path)});
    const QPoint at(w.width() / 2, w.height() / 2);
    QDragEnterEvent enter(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&w, &enter);
    QDragMoveEvent move(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&w, &move);
    QDropEvent e(QPointF(at), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&w, &e);
}

} // namespace

class TestOpenStore : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("NeuroramaTest"));
        QCoreApplication::setApplicationName(QStringLiteral("test_open_store"));
        QSettings().clear();
    }

    void storeOfAPath() {
        const QString store = QDir::cleanPath(kStore);
        QCOMPARE(OpenFileDialog::storeOf(kStore), store);
        QCOMPARE(OpenFileDialog::storeOf(kStore + QStringLiteral("/.zgroup")), store);
        QCOMPARE(OpenFileDialog::storeOf(kArray + QStringLiteral("/.zarray")), store);
        QCOMPARE(OpenFileDialog::storeOf(kArray + QStringLiteral("/0.3.6.2")), store);
        QCOMPARE(OpenFileDialog::storeOf(apptest::herm()), QString());
        QCOMPARE(OpenFileDialog::storeOf(kStore + QStringLiteral("/no-such-file")), QString());
        QCOMPARE(OpenFileDialog::mapToStores({kArray + QStringLiteral("/.zarray"), kStore, apptest::somas()}),
                 (QStringList{store, apptest::somas()}));
    }

    void fileOpenReachesTheOpenVolumeDialog() {
        MainWindow w;
        w.resize(1280, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QAction* open = menuAction(w, QStringLiteral("&Open…"));
        QVERIFY(open);
        // As a user would: the store's folder selected and Open; then .zgroup typed in the store; then a
        // chunk.
        const QStringList picks = {kStore, kStore + QStringLiteral("/.zgroup"),
                                   kArray + QStringLiteral("/.zarray"), kArray + QStringLiteral("/0.3.6.2")};
        for (const QString& pick : picks) {
            Watch watch;
            bool dialogShown = false;
            watch.onOpen = [&](OpenFileDialog* dlg) {
                dialogShown = true;
                QFileInfo fi(pick);
                dlg->setDirectory(fi.absolutePath());
                // Typed into the file name field, as a user would (a hidden .zgroup is not listed to click).
                auto* name = dlg->findChild<QLineEdit*>(QStringLiteral("fileNameEdit"));
                QVERIFY(name);
                name->setText(fi.fileName());
                dlg->accept();
            };
            open->trigger();
            QVERIFY2(dialogShown, qPrintable(pick));
            QTRY_VERIFY2(watch.volumeSeen, qPrintable(pick));
            QCOMPARE(watch.volumeArrays, QStringList{QStringLiteral("volumes/gt_instances")});
        }
        // Double-clicking into the store's folder opens it instead of walking in.
        {
            Watch watch;
            watch.onOpen = [&](OpenFileDialog* dlg) {
                dlg->setDirectory(apptest::kData + QStringLiteral("/labels/fisbe"));
                emit dlg->directoryEntered(kStore);
            };
            open->trigger();
            QTRY_VERIFY(watch.volumeSeen);
        }
        // Cancelling the file dialog opens nothing.
        {
            Watch watch;
            watch.onOpen = [&](OpenFileDialog* dlg) { dlg->reject(); };
            open->trigger();
            QTest::qWait(200);
            QVERIFY(!watch.volumeSeen);
        }
        QVERIFY(w.document().layers().empty());
    }

    void dropOfTheFolderOrAFileInIt() {
        MainWindow w;
        w.resize(1280, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        for (const QString& path :
             {kStore, kArray + QStringLiteral("/.zarray"), kArray + QStringLiteral("/0.1.4.0")}) {
            Watch watch;
            drop(w, path);
            QTRY_VERIFY2(watch.volumeSeen,
                         qPrintable(path + QStringLiteral(": ") + w.statusBar()->currentMessage() +
                                    w.findChild<QLabel*>()->text()));
            QCOMPARE(watch.volumeArrays, QStringList{QStringLiteral("volumes/gt_instances")});
        }
    }
};

QTEST_MAIN(TestOpenStore)
#include "test_open_store.moc"
