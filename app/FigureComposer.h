// The figure composer (File > New Figure): a window that edits one nr::Figure of the workspace — page width
// (85, 114, 174 mm or custom) and height, grid rows and columns, a view and a layer per cell, panel letters,
// font size — with a preview at physical size and Export… to PDF, SVG, PNG or TIFF at 300, 600 or a custom
// DPI. The figure is kept in MainWindow::figures() (so a session saves it) under its name.
//
// The preview is drawn by paintFigure from a snapshot of the layers taken when the figure changes: a running
// simulation's raster stays frozen until "Refresh" (or an edit) unless "Live" is on. A removed layer shows in
// its panel as a red frame saying which layer went. Layers can be dragged from the composer's layer list onto
// a cell of the preview; a cell's panel can span several rows and columns (the cells it covers are greyed).
// The Panel box edits one panel's own settings: its title, what a 3-D panel colours by, the nodes or neurons
// it labels (vector text in the figure) and its camera (taken from the window's view, or the whole data).
#pragma once

#include <QDialog>
#include <QImage>
#include <QString>
#include <memory>
#include <vector>

#include "session/Figure.h"

class FigureCache;
class MainWindow;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QScrollArea;
class QSpinBox;
class QTableWidget;
class QTimer;

class FigureComposer : public QDialog {
    Q_OBJECT
public:
    // Edits the workspace's figure named `name`, or a new one (2 x 2, 174 mm) when there is none.
    FigureComposer(MainWindow* w, const QString& name = QString());
    ~FigureComposer() override;

    const nr::Figure& figure() const { return fig_; }
    // The last preview drawn (device pixels at the screen's DPI x zoom).
    const QImage& previewImage() const { return preview_; }
    // Sets a cell's panel (view index into nr::allPanelViews(), -1 empty; layer id) as the combos would.
    void setCell(int row, int col, int view, uint64_t layer);
    // Sets how many rows and columns the panel of a cell spans (clamped to the grid), as the spin boxes
    // would.
    void setSpan(int row, int col, int rowSpan, int colSpan);
    // A layer dropped on the preview at `pos` (the preview label's coordinates): the cell under it shows the
    // layer in the first view that fits its kind. False when `pos` is outside every cell or nothing fits.
    bool dropLayer(const QPoint& pos, uint64_t layer);
    // The widget showing the preview (drops land on it).
    QWidget* previewWidget() const;
    // Live: the preview follows the layers (a running simulation) once a second instead of staying a frozen
    // snapshot between refreshes.
    void setLive(bool on);
    bool isLive() const;
    // Sets the title of the panel at (row, col) as the Panel box's Title field would.
    void setTitle(int row, int col, const QString& title);
    // Redraws the preview now (also done 300 ms after every edit). Panel data and 3-D pictures whose inputs
    // did not change since the last preview are reused (cache()); the Refresh button clears them first.
    void refresh();
    FigureCache& cache() { return *cache_; }
    // Wall time of the last refresh() in ms.
    double lastRefreshMs() const { return lastRefreshMs_; }
    // Writes the figure; "" or the error.
    QString exportTo(const QString& path, int dpi);
    // The panel the Panel box edits: the one at (row, col) of the grid. False when no panel starts there.
    bool pickPanel(int row, int col);
    // The picked 3-D panel takes the camera of the window's view of its kind (the user framed it there), and
    // a network panel the Network dock's colouring and edge filter; false when there is no such view or the
    // picked panel is not 3-D.
    bool cameraFromWindow();
    // Steps back (Ctrl+Z) or forward (Ctrl+Shift+Z) through the figure's edits; false when there is none.
    bool undo();
    bool redo();

private:
    void buildCells();
    void fillLayerCombo(QComboBox* c, int viewIndex, uint64_t layer) const;
    void readControls();
    void edited();
    void exportDialog();
    void store();
    void markCovered();
    void fillLayerList();
    bool eventFilter(QObject* o, QEvent* e) override;
    // The Panel box: the settings of one panel (title, colouring, labels, camera).
    QWidget* buildPanelBox();
    void fillPanelPick();
    void showPanelSettings();
    void panelSettingsEdited();
    void showFigure(); // every control from fig_ (after undo or redo)
    nr::FigurePanel* pickedPanel();

    MainWindow* w_;
    nr::Figure fig_;
    QString storedName_;
    QLineEdit* name_;
    QComboBox* widthPreset_;
    QDoubleSpinBox* width_;
    QDoubleSpinBox* height_;
    QSpinBox* rows_;
    QSpinBox* cols_;
    QCheckBox* letters_;
    QDoubleSpinBox* fontPt_;
    QTableWidget* cells_;
    class QListWidget* layerList_;
    QCheckBox* live_;
    QTimer* liveTimer_;
    QLabel* previewLabel_;
    QLabel* status_;
    QScrollArea* scroll_;
    QTimer* debounce_;
    QImage preview_;
    class QFontComboBox* fontFamily_;
    nr::Figure committed_;                // the figure as last recorded in the history
    std::vector<nr::Figure> undo_, redo_; // edits before and after it
    class QGroupBox* panelBox_;
    QComboBox* panelPick_;
    QLineEdit* panelTitle_;
    QComboBox* panelColorBy_;
    QLineEdit* panelLabels_;
    class QPushButton* cameraFromWindow_;
    class QPushButton* cameraReset_;
    QLabel* cameraState_;
    std::unique_ptr<FigureCache> cache_;
    double lastRefreshMs_ = 0;
    bool building_ = false;
};
