// AdjacencyDock: Analysis > Adjacency Matrix. The shown graph's weighted adjacency (AdjacencyPlot) with its
// row order (file, class or another node column, community, hierarchical clustering) and a log colour scale;
// selection goes both ways with the 3-D connectome view. It follows the graph on show (DocumentModel) while
// visible. Orders are computed when asked (a wait cursor; clustering is capped at nr::kMaxClusterNodes).
#pragma once

#include <QDockWidget>
#include <QTimer>
#include <memory>

#include "analysis/AdjacencyOrder.h"
#include "model/Graph.h"
#include "plots/AdjacencyPlot.h"

class ConnectomeView;
class DocumentModel;
class QCheckBox;
class QComboBox;
class QLabel;

class AdjacencyDock : public QDockWidget {
    Q_OBJECT
public:
    AdjacencyDock(DocumentModel* model, ConnectomeView* view, QWidget* parent = nullptr);
    ~AdjacencyDock() override;

    AdjacencyPlot* plot() const { return plot_; }
    // "file", "class:<column>", "community", "cluster".
    void setOrder(const QString& order);
    QString order() const;
    void setLogScale(bool on);
    bool logScale() const;
    // Recomputes for the graph on show; false (lastError) when the order cannot be computed.
    bool refresh();
    // Takes the graph on show now and recomputes (Analysis > Adjacency Matrix, export, screenshots).
    bool showShownGraph();
    std::shared_ptr<const nr::Graph> graph() const { return graph_; }
    QString lastError() const { return error_; }
    // What the plot draws for `g` in `order` (as setOrder takes it): the order, its groups with the colours
    // the 3-D view gives a class column, and the cells. An order that cannot be computed falls back to the
    // file's and says why in `error`. Also used by figure panels.
    static AdjacencyPlot::Data plotData(const nr::Graph& g, const QString& order, QString* error);

signals:
    void message(const QString& text, bool error);

protected:
    bool eventFilter(QObject* watched, QEvent* e) override;

private:
    void follow();
    void fillOrders();
    // Sums the graph into at most one cell per device pixel of the plot's matrix (nearest sampling of more
    // cells than pixels would skip whole rows and columns, and the edges in them), up to 1,024 a side.
    void fitCellsToView();
    void showStatus();

    DocumentModel* model_;
    ConnectomeView* view_;
    AdjacencyPlot* plot_ = nullptr;
    QComboBox* orderCombo_ = nullptr;
    QCheckBox* log_ = nullptr;
    QLabel* status_ = nullptr;
    std::shared_ptr<const nr::Graph> graph_;
    QString error_;
    QTimer fitTimer_; // after a resize settles
};
