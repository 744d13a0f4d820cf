// DocumentModel: the window's view of the document (nr::Document, headless) as a QObject. Docks and views
// subscribe to its signals and pull what they show from it (current(kind), shownGraph()) instead of keeping
// copies. It also holds which graph layer the network view shows: several graph layers can be open, one is on
// show, and everything that works on "the network" (analyses, simulation of a connectome, the Network dock)
// asks the model which one that is.
#pragma once

#include <QObject>
#include <memory>

#include "model/Document.h"

class DocumentModel : public QObject {
    Q_OBJECT
public:
    explicit DocumentModel(nr::Document* doc, QObject* parent = nullptr);
    ~DocumentModel() override;

    nr::Document& document() { return *doc_; }
    const nr::Document& document() const { return *doc_; }
    const nr::Layer* current(nr::LayerKind k) const { return doc_->current(k); }

    // The graph layer the network view shows (0: none) and its graph (null: none).
    nr::LayerId shownGraphLayer() const { return shownGraph_; }
    std::shared_ptr<const nr::Graph> shownGraph() const;
    void setShownGraphLayer(nr::LayerId id);

signals:
    // Every change of the document, as nr::Document::Listener reports it.
    void changed(nr::Document::Change change, nr::LayerId id);
    void shownGraphChanged(nr::LayerId id);

private:
    nr::Document* doc_;
    int token_ = 0;
    nr::LayerId shownGraph_ = 0;
};
