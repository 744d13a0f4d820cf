#include "VolumeOpenDialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QTableWidget>
#include <QVBoxLayout>

#include "io/ReaderRegistry.h"

namespace {

const QString kSizeKey = QStringLiteral("volumeOpen/voxelSize");

enum Column { ColArray, ColShape, ColType, ColAs, ColCount };

QString typeName(const std::string& dtype) {
    if (dtype.size() < 2) return QString::fromStdString(dtype);
    const int bits = 8 * (dtype[1] - '0');
    const char* kind = dtype[0] == 'f' ? "float" : dtype[0] == 'i' ? "int" : "uint";
    return QStringLiteral("%1%2").arg(QLatin1String(kind)).arg(bits);
}

QString shapeText(const std::vector<uint64_t>& shape) {
    QStringList s;
    for (auto n : shape) s << QString::number(n);
    return s.join(QStringLiteral(" × "));
}

QString withoutSlash(QString f) {
    while (f.size() > 1 && f.endsWith(QLatin1Char('/'))) f.chop(1);
    return f;
}

// A container named without an array that the label-volume readers read.
bool isPlainContainer(const QString& file) {
    const std::string f = withoutSlash(file).toStdString();
    std::string c, a;
    if (nr::splitArrayPath(f, c, a) || !nr::isVolumeContainer(f)) return false;
    const nr::FormatReader* r = nr::ReaderRegistry::builtin().find(f);
    return r && (r->kind == nr::LayerKind::LabelVolume || r->kind == nr::LayerKind::Image);
}

} // namespace

VolumeOpenDialog::VolumeOpenDialog(const QString& file, QWidget* parent)
    : QDialog(parent), file_(withoutSlash(file)) {
    setWindowTitle(tr("Open Volume"));
    auto r = nr::listVolumeArrayInfo(file_.toStdString());
    if (!r)
        error_ = QString::fromStdString(r.error().str());
    else if (r.value().empty())
        error_ = tr("%1: no 3-D or 4-D array to open").arg(file_);
    else
        arrays_ = r.value();

    auto* lay = new QVBoxLayout(this);
    auto* head = new QLabel(tr("<b>%1</b><br>Choose the arrays to open: the labels and, to show beside them, "
                               "the image they came from.")
                                .arg(QFileInfo(file_).fileName().toHtmlEscaped()),
                            this);
    head->setWordWrap(true);
    lay->addWidget(head);

    table_ = new QTableWidget(int(arrays_.size()), ColCount, this);
    table_->setHorizontalHeaderLabels({tr("Array"), tr("Shape"), tr("Type"), tr("Open as")});
    table_->verticalHeader()->hide();
    table_->setSelectionMode(QAbstractItemView::NoSelection);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    // Checked by default: the array the readers would take as labels (the first that does not look like an
    // image), else the first.
    int preferred = 0;
    for (size_t i = 0; i < arrays_.size(); ++i)
        if (!arrays_[i].looksLikeImage) {
            preferred = int(i);
            break;
        }
    for (size_t i = 0; i < arrays_.size(); ++i) {
        const auto& a = arrays_[i];
        const int row = int(i);
        auto* name = new QTableWidgetItem(a.path.empty() ? QFileInfo(file_).fileName()
                                                         : QString::fromStdString(a.path));
        name->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
        name->setCheckState(row == preferred ? Qt::Checked : Qt::Unchecked);
        table_->setItem(row, ColArray, name);
        table_->setItem(row, ColShape, new QTableWidgetItem(shapeText(a.shape)));
        table_->setItem(row, ColType, new QTableWidgetItem(typeName(a.dtype)));
        auto* as = new QComboBox(table_);
        as->addItems({tr("Labels"), tr("Image")});
        as->setCurrentIndex(a.looksLikeImage ? 1 : 0);
        table_->setCellWidget(row, ColAs, as);
    }
    table_->resizeColumnsToContents();
    table_->horizontalHeader()->setSectionResizeMode(ColArray, QHeaderView::Stretch);
    table_->setMinimumWidth(520);
    table_->setMinimumHeight(std::min(6, int(arrays_.size()) + 1) *
                                 table_->verticalHeader()->defaultSectionSize() +
                             table_->horizontalHeader()->sizeHint().height() + 4);
    lay->addWidget(table_);

    // Voxel size: from the file when an array gives it, else the size last used, else 1.
    double vs[3] = {1, 1, 1};
    QString unit = QStringLiteral("µm");
    for (const auto& a : arrays_)
        if (a.haveVoxelSize) {
            for (int k = 0; k < 3; ++k) vs[k] = a.voxelSize[k];
            if (!a.unit.empty()) unit = QString::fromStdString(a.unit);
            fromFile_ = true;
            break;
        }
    bool remembered = false;
    if (!fromFile_) {
        const QStringList last = QSettings().value(kSizeKey).toString().split(QLatin1Char(','));
        bool good = last.size() == 3;
        double v[3] = {1, 1, 1};
        for (int k = 0; good && k < 3; ++k) v[k] = last[k].toDouble(&good);
        if (good && v[0] > 0 && v[1] > 0 && v[2] > 0) {
            for (int k = 0; k < 3; ++k) vs[k] = v[k];
            remembered = true;
        }
    }
    auto* sizeRow = new QHBoxLayout;
    sizeRow->addWidget(new QLabel(tr("Voxel size (%1):").arg(unit), this));
    const char* axis[3] = {"z", "y", "x"};
    for (int k = 0; k < 3; ++k) {
        size_[k] = new QDoubleSpinBox(this);
        size_[k]->setDecimals(4);
        size_[k]->setRange(0.0001, 1e6);
        size_[k]->setSingleStep(0.01);
        size_[k]->setValue(vs[k]);
        size_[k]->setPrefix(QStringLiteral("%1 ").arg(QLatin1String(axis[k])));
        size_[k]->setAccessibleName(tr("Voxel size %1").arg(QLatin1String(axis[k])));
        sizeRow->addWidget(size_[k]);
    }
    sizeRow->addStretch(1);
    lay->addLayout(sizeRow);
    sizeNote_ =
        new QLabel(fromFile_    ? tr("From the file's metadata.")
                   : remembered ? tr("The file gives no voxel size: the size used last time is "
                                     "filled in. Please confirm it.")
                                : tr("The file gives no voxel size: please set it (1 keeps voxel units)."),
                   this);
    sizeNote_->setWordWrap(true);
    lay->addWidget(sizeNote_);

    message_ = new QLabel(error_, this);
    message_->setStyleSheet(QStringLiteral("color: #b00020"));
    message_->setWordWrap(true);
    message_->setVisible(!error_.isEmpty());
    lay->addWidget(message_);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Open"));
    buttons->button(QDialogButtonBox::Ok)->setEnabled(ok());
    connect(buttons, &QDialogButtonBox::accepted, this, &VolumeOpenDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &VolumeOpenDialog::reject);
    lay->addWidget(buttons);
}

QStringList VolumeOpenDialog::arrays() const {
    QStringList out;
    for (const auto& a : arrays_) out << QString::fromStdString(a.path);
    return out;
}

int VolumeOpenDialog::rowOf(const QString& array) const {
    for (size_t i = 0; i < arrays_.size(); ++i)
        if (QString::fromStdString(arrays_[i].path) == array) return int(i);
    return -1;
}

void VolumeOpenDialog::setChecked(const QString& array, bool on) {
    const int r = rowOf(array);
    if (r >= 0) table_->item(r, ColArray)->setCheckState(on ? Qt::Checked : Qt::Unchecked);
}

bool VolumeOpenDialog::isChecked(const QString& array) const {
    const int r = rowOf(array);
    return r >= 0 && table_->item(r, ColArray)->checkState() == Qt::Checked;
}

void VolumeOpenDialog::setReadAsImage(const QString& array, bool image) {
    const int r = rowOf(array);
    if (r >= 0) static_cast<QComboBox*>(table_->cellWidget(r, ColAs))->setCurrentIndex(image ? 1 : 0);
}

bool VolumeOpenDialog::readAsImage(const QString& array) const {
    const int r = rowOf(array);
    return r >= 0 && static_cast<QComboBox*>(table_->cellWidget(r, ColAs))->currentIndex() == 1;
}

void VolumeOpenDialog::setVoxelSize(double z, double y, double x) {
    size_[0]->setValue(z);
    size_[1]->setValue(y);
    size_[2]->setValue(x);
}

std::array<double, 3> VolumeOpenDialog::voxelSize() const {
    return {size_[0]->value(), size_[1]->value(), size_[2]->value()};
}

QStringList VolumeOpenDialog::chosenPaths() const {
    QStringList labels, images;
    for (const auto& a : arrays_) {
        const QString p = QString::fromStdString(a.path);
        if (!isChecked(p)) continue;
        (readAsImage(p) ? images : labels) << (p.isEmpty() ? file_ : file_ + QLatin1Char(':') + p);
    }
    return labels + images;
}

std::vector<FileOptions> VolumeOpenDialog::chosenOptions() const {
    const auto v = voxelSize();
    const std::string size = QStringLiteral("%1,%2,%3")
                                 .arg(v[0], 0, 'g', 10)
                                 .arg(v[1], 0, 'g', 10)
                                 .arg(v[2], 0, 'g', 10)
                                 .toStdString();
    std::vector<FileOptions> labels, images;
    for (const auto& a : arrays_) {
        const QString p = QString::fromStdString(a.path);
        if (!isChecked(p)) continue;
        const bool image = readAsImage(p);
        (image ? images : labels).push_back({{"as", image ? "image" : "labels"}, {"voxel_size", size}});
    }
    labels.insert(labels.end(), images.begin(), images.end());
    return labels;
}

void VolumeOpenDialog::accept() {
    if (!ok()) return;
    if (chosenPaths().isEmpty()) {
        message_->setText(tr("Check at least one array to open."));
        message_->show();
        return;
    }
    const auto v = voxelSize();
    QSettings().setValue(kSizeKey, QStringLiteral("%1,%2,%3").arg(v[0]).arg(v[1]).arg(v[2]));
    QDialog::accept();
}

bool VolumeOpenDialog::shouldAsk(const QString& file) {
    if (!isPlainContainer(file)) return false;
    auto r = nr::listVolumeArrayInfo(withoutSlash(file).toStdString());
    if (!r || r.value().empty()) return false; // the reader reports what is wrong
    if (r.value().size() > 1) return true;
    return !r.value().front().haveVoxelSize;
}

bool VolumeOpenDialog::resolve(QWidget* parent, QStringList& files, std::vector<FileOptions>& options) {
    QStringList outFiles;
    std::vector<FileOptions> outOptions;
    for (const QString& f : files) {
        if (!shouldAsk(f)) {
            outFiles << f;
            outOptions.emplace_back();
            continue;
        }
        VolumeOpenDialog dlg(f, parent);
        if (dlg.exec() != QDialog::Accepted) return false;
        outFiles << dlg.chosenPaths();
        const auto o = dlg.chosenOptions();
        outOptions.insert(outOptions.end(), o.begin(), o.end());
    }
    files = outFiles;
    options = outOptions;
    return true;
}
