#include "DocumentModel.h"

DocumentModel::DocumentModel(nr::Document* doc, QObject* parent) : QObject(parent), doc_(doc) {
    token_ = doc_->subscribe([this](nr::Document::Change c, nr::LayerId id) {
        if (c == nr::Document::Change::Removed && id == shownGraph_) setShownGraphLayer(0);
        emit changed(c, id);
    });
}

DocumentModel::~DocumentModel() {
    doc_->unsubscribe(token_);
}

std::shared_ptr<const nr::Graph> DocumentModel::shownGraph() const {
    const nr::Layer* l = doc_->find(shownGraph_);
    return l ? l->graph : nullptr;
}

void DocumentModel::setShownGraphLayer(nr::LayerId id) {
    if (id == shownGraph_) return;
    shownGraph_ = id;
    emit shownGraphChanged(id);
}
