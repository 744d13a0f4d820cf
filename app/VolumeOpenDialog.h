// Open Volume: picks the arrays inside a Zarr store or HDF5 file (labels and, beside them, the image they
// came from) and sets or confirms the voxel size. File > Open and drag-and-drop show it for a container named
// without an array that holds several candidate arrays or gives no voxel size; the chosen arrays are then
// opened as FILE:ARRAY with the options "as" and "voxel_size".
#pragma once

#include <QDialog>
#include <QStringList>
#include <array>
#include <vector>

#include "DatasetLoader.h"
#include "morph/VolumeArrays.h"

class QTableWidget;
class QDoubleSpinBox;
class QLabel;

class VolumeOpenDialog : public QDialog {
    Q_OBJECT
public:
    // Lists the container's arrays from its metadata (no voxel data is read).
    explicit VolumeOpenDialog(const QString& file, QWidget* parent = nullptr);

    // False when the container could not be listed (errorText() says why).
    bool ok() const { return error_.isEmpty(); }
    QString errorText() const { return error_; }
    const std::vector<nr::VolumeArrayInfo>& arrayInfo() const { return arrays_; }
    // Array paths in table order.
    QStringList arrays() const;
    QTableWidget* table() const { return table_; }

    void setChecked(const QString& array, bool on);
    bool isChecked(const QString& array) const;
    void setReadAsImage(const QString& array, bool image);
    bool readAsImage(const QString& array) const;
    void setVoxelSize(double z, double y, double x);
    std::array<double, 3> voxelSize() const; // z, y, x
    // Where the shown voxel size came from: the file's metadata, or (when the file gives none) the size last
    // used, or 1.
    bool voxelSizeFromFile() const { return fromFile_; }

    // What to open: FILE:ARRAY for each checked array, labels first, and the options for each.
    QStringList chosenPaths() const;
    std::vector<FileOptions> chosenOptions() const;

    // Whether opening `file` from the window asks first: a Zarr store or HDF5 label-volume file named without
    // an array that holds more than one candidate array, or whose arrays give no voxel size.
    static bool shouldAsk(const QString& file);
    // Replaces each file that shouldAsk() by the arrays chosen in the dialog (with their options; other files
    // get none). Returns false when the user cancelled: nothing is to be opened.
    static bool resolve(QWidget* parent, QStringList& files, std::vector<FileOptions>& options);

public slots:
    // Refuses (with a message in the dialog) when no array is checked; remembers the voxel size.
    void accept() override;

private:
    int rowOf(const QString& array) const;

    QString file_, error_;
    std::vector<nr::VolumeArrayInfo> arrays_;
    QTableWidget* table_ = nullptr;
    QDoubleSpinBox* size_[3] = {nullptr, nullptr, nullptr};
    QLabel* sizeNote_ = nullptr;
    QLabel* message_ = nullptr;
    bool fromFile_ = false;
};
