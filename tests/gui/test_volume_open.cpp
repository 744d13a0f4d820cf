// The Open Volume dialog, driven the way File > Open and drag-and-drop use it (MainWindow::openFiles): it
// lists the FISBe prediction's three arrays, opens the cleaned labels with the RGB image beside them at the
// voxel size set in it, remembers that size, and a Cancel leaves what was open untouched.
#include <QAction>
#include <QApplication>
#include <QMenu>
#include <QPointer>
#include <QProgressBar>
#include <QScopeGuard>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableWidget>
#include <QTimer>
#include <QtTest>
#include <functional>

#include "AppTestSupport.h"
#include "MainWindow.h"
#include "VolumeOpenDialog.h"
#include "morph/ImageVolume.h"
#include "morph/LabelVolume.h"
#include "vtk/NeuronView.h"

namespace {

const QString kFisbe = apptest::kData + QStringLiteral("/labels/fisbe/");
const QString kPred = kFisbe + QStringLiteral("R14A02-20180905_65_A6_pred.hdf");
const QString kZarr = kFisbe + QStringLiteral("R14A02-20180905_65_A6.zarr");
const QString kNrrd = apptest::kData + QStringLiteral("/labels/pinky40_crop_256x256x64.nrrd");

// Runs `drive` on the Open Volume dialog once it is the active modal window; sets `seen` when it was. The
// watch ends when the dialog was seen, or when the caller deletes the returned timer.
QPointer<QTimer> whenDialogShows(const std::function<void(VolumeOpenDialog*)>& drive, bool* seen) {
    auto* t = new QTimer;
    t->setInterval(20);
    QObject::connect(t, &QTimer::timeout, [t, drive, seen] {
        auto* dlg = qobject_cast<VolumeOpenDialog*>(QApplication::activeModalWidget());
        if (!dlg || !dlg->isVisible()) return;
        t->stop();
        t->deleteLater();
        *seen = true;
        drive(dlg);
    });
    t->start();
    return t;
}

} // namespace

class TestVolumeOpen : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("NeuroramaTest"));
        QCoreApplication::setApplicationName(QStringLiteral("test_volume_open"));
        QSettings().remove(QStringLiteral("volumeOpen"));
    }

    void listsTheContainersArrays() {
        QVERIFY(VolumeOpenDialog::shouldAsk(kPred)); // three arrays
        QVERIFY(VolumeOpenDialog::shouldAsk(kZarr)); // one array, but no voxel size
        QVERIFY(!VolumeOpenDialog::shouldAsk(kPred + QStringLiteral(":volumes/gmm_label")));
        QVERIFY(!VolumeOpenDialog::shouldAsk(kNrrd)); // not a container
        QVERIFY(!VolumeOpenDialog::shouldAsk(apptest::herm()));

        VolumeOpenDialog dlg(kPred);
        QVERIFY2(dlg.ok(), qPrintable(dlg.errorText()));
        QCOMPARE(dlg.arrays(),
                 (QStringList{"volumes/gmm_image", "volumes/gmm_label", "volumes/gmm_label_cleaned"}));
        QCOMPARE(dlg.table()->rowCount(), 3);
        QCOMPARE(dlg.table()->item(0, 1)->text(), QStringLiteral("385 × 685 × 686 × 3"));
        QCOMPARE(dlg.table()->item(0, 2)->text(), QStringLiteral("uint8"));
        QCOMPARE(dlg.table()->item(2, 1)->text(), QStringLiteral("385 × 685 × 686"));
        QCOMPARE(dlg.table()->item(2, 2)->text(), QStringLiteral("int32"));
        QVERIFY(dlg.readAsImage(QStringLiteral("volumes/gmm_image")));
        QVERIFY(!dlg.readAsImage(QStringLiteral("volumes/gmm_label_cleaned")));
        // The labels the readers would take are checked; the file gives no voxel size.
        QVERIFY(dlg.isChecked(QStringLiteral("volumes/gmm_label")));
        QVERIFY(!dlg.isChecked(QStringLiteral("volumes/gmm_image")));
        QVERIFY(!dlg.voxelSizeFromFile());
        QCOMPARE(dlg.voxelSize()[0], 1.0);
        // Nothing checked: Open refuses and the dialog stays.
        dlg.setChecked(QStringLiteral("volumes/gmm_label"), false);
        QVERIFY(dlg.chosenPaths().isEmpty());
        dlg.show();
        dlg.accept();
        QVERIFY(dlg.isVisible());
        QCOMPARE(dlg.result(), int(QDialog::Rejected));
        dlg.reject();

        VolumeOpenDialog z(kZarr);
        QCOMPARE(z.arrays(), QStringList{QStringLiteral("volumes/gt_instances")});
        QVERIFY(z.isChecked(QStringLiteral("volumes/gt_instances")));
        QCOMPARE(z.chosenPaths(), QStringList{kZarr + QStringLiteral(":volumes/gt_instances")});
    }

    void opensLabelsAndImageAtTheChosenVoxelSize() {
        MainWindow w;
        w.resize(1024, 700);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        bool seen = false;
        QStringList paths;
        whenDialogShows(
            [&](VolumeOpenDialog* dlg) {
                dlg->setChecked(QStringLiteral("volumes/gmm_label"), false);
                dlg->setChecked(QStringLiteral("volumes/gmm_label_cleaned"), true);
                dlg->setChecked(QStringLiteral("volumes/gmm_image"), true);
                dlg->setVoxelSize(0.44, 0.44, 0.44);
                dlg->grab().save(QStringLiteral("/tmp/volume_open_dialog.png"));
                paths = dlg->chosenPaths();
                dlg->accept();
            },
            &seen);
        w.openFiles({kPred});
        QVERIFY(seen);
        QCOMPARE(paths, (QStringList{kPred + QStringLiteral(":volumes/gmm_label_cleaned"),
                                     kPred + QStringLiteral(":volumes/gmm_image")}));
        QTRY_VERIFY_WITH_TIMEOUT(w.document().size() == 2, 180000);
        std::shared_ptr<const nr::LabelVolume> labels;
        std::shared_ptr<const nr::ImageVolume> image;
        for (const auto& l : w.document().layers()) {
            if (l->kind == nr::LayerKind::LabelVolume)
                labels = std::any_cast<std::shared_ptr<const nr::LabelVolume>>(l->payload);
            if (l->kind == nr::LayerKind::Image)
                image = std::any_cast<std::shared_ptr<const nr::ImageVolume>>(l->payload);
        }
        QVERIFY(labels);
        QVERIFY(image);
        QCOMPARE(labels->array, std::string("volumes/gmm_label_cleaned"));
        QCOMPARE(labels->instances.size(), size_t(11));
        QCOMPARE(labels->instances[1].voxels, uint64_t(40562)); // label 2, from the data README
        QCOMPARE(image->array, std::string("volumes/gmm_image"));
        QCOMPARE(image->channels, 3);
        QVERIFY(image->voxelSizeKnown);
        for (int k = 0; k < 3; ++k) {
            QCOMPARE(labels->voxelSize[k], 0.44);
            QCOMPARE(image->voxelSize[k], 0.44);
        }
        // The size is remembered for the next file that gives none.
        VolumeOpenDialog next(kZarr);
        QVERIFY(!next.voxelSizeFromFile());
        QCOMPARE(next.voxelSize()[0], 0.44);
        QCOMPARE(next.voxelSize()[2], 0.44);
    }

    void openRecentKeepsArrayAndVoxelSize() {
        // A Zarr store without a voxel size: the size given in the dialog is kept with the Open Recent entry,
        // which reopens the same array at that size without asking again.
        QSettings().remove(QStringLiteral("recentFiles"));
        {
            MainWindow w;
            w.resize(1024, 700);
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            bool seen = false;
            whenDialogShows(
                [](VolumeOpenDialog* dlg) {
                    dlg->setVoxelSize(0.5, 0.25, 0.25);
                    dlg->accept();
                },
                &seen);
            w.openFiles({kZarr});
            QVERIFY(seen);
            QTRY_VERIFY_WITH_TIMEOUT(w.document().size() == 1, 180000);
        }
        MainWindow w;
        w.resize(1024, 700);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QMenu* recent = nullptr;
        for (QMenu* m : w.findChildren<QMenu*>())
            if (m->title() == QStringLiteral("Open &Recent")) recent = m;
        QVERIFY(recent && !recent->actions().isEmpty());
        QAction* again = recent->actions().first();
        QVERIFY2(again->text().contains(QStringLiteral(".zarr:volumes/gt_instances")),
                 qPrintable(again->text()));
        bool asked = false;
        QPointer<QTimer> watch = whenDialogShows([](VolumeOpenDialog* dlg) { dlg->reject(); }, &asked);
        auto stopWatching = qScopeGuard([&watch] { delete watch.data(); }); // no dialog is to come
        again->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(w.document().size() == 1, 180000);
        QVERIFY(!asked);
        auto labels =
            std::any_cast<std::shared_ptr<const nr::LabelVolume>>(w.document().layers()[0]->payload);
        QCOMPARE(labels->array, std::string("volumes/gt_instances"));
        QCOMPARE(labels->voxelSize[0], 0.5);
        QCOMPARE(labels->voxelSize[1], 0.25);
        QCOMPARE(labels->voxelSize[2], 0.25);
        if (auto* neurons = w.findChild<NeuronView*>()) neurons->waitForMeshes(60000);
    }

    void cancelLeavesWhatWasOpen() {
        MainWindow w;
        w.resize(1024, 700);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QCOMPARE(w.openFilesBlocking({kNrrd}), QString());
        QCOMPARE(w.document().size(), size_t(1));
        // The label volume is meshed in the background once its view shows it, with the status bar's
        // progress: wait for the surfaces, so that a progress bar seen below can only be a load of the
        // cancelled file.
        auto anyProgress = [&w] {
            for (auto* p : w.statusBar()->findChildren<QProgressBar*>())
                if (p->isVisible()) return true;
            return false;
        };
        auto* neurons = w.findChild<NeuronView*>();
        QVERIFY(neurons);
        QVERIFY(neurons->waitForMeshes(60000));
        QTRY_VERIFY(!anyProgress());
        const nr::LayerId before = w.document().layers()[0]->id;
        const std::any payload = w.document().layers()[0]->payload;
        bool seen = false;
        whenDialogShows([](VolumeOpenDialog* dlg) { dlg->reject(); }, &seen);
        w.openFiles({kPred});
        QVERIFY(seen);
        QTest::qWait(300); // a load, had one started, would finish or show progress by now
        QCOMPARE(w.document().size(), size_t(1));
        QCOMPARE(w.document().layers()[0]->id, before);
        QCOMPARE(std::any_cast<std::shared_ptr<const nr::LabelVolume>>(w.document().layers()[0]->payload),
                 std::any_cast<std::shared_ptr<const nr::LabelVolume>>(payload));
        QVERIFY(!anyProgress()); // no load
    }
};

QTEST_MAIN(TestVolumeOpen)
#include "test_volume_open.moc"
