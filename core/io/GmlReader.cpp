// GML (Graph Modelling Language): key/value lists, `graph [ node [ ... ] edge [ ... ] ]`.
#include <cmath>
#include <limits>

#include "CsvTable.h"
#include "GraphColumns.h"
#include "GraphIO.h"
#include "GraphParse.h"

namespace nr {

namespace {

struct Token {
    enum Kind { Key, Number, String, Open, Close, End } kind = End;
    std::string_view text;
    double num = 0;
    long line = 0;
};

std::string describe(const Token& t) {
    switch (t.kind) {
    case Token::Key:
        return "key " + csv::quoteForError(t.text);
    case Token::Number:
        return "number " + csv::quoteForError(t.text);
    case Token::String:
        return "string " + csv::quoteForError(t.text);
    case Token::Open:
        return "'['";
    case Token::Close:
        return "']'";
    case Token::End:
        return "the end of the file";
    }
    return "?";
}

class GmlParser {
public:
    GmlParser(const std::string& path, std::string_view doc, const ReadOptions& opt) : d_(doc), opt_(opt) {
        pg_.path = path;
    }

    Result<Graph> run() {
        bool haveGraph = false;
        for (;;) {
            Token k;
            if (auto e = next(k)) return *e;
            if (k.kind == Token::End) break;
            if (k.kind == Token::Close) return err(k.line, "unexpected ']' (no list is open)");
            if (k.kind != Token::Key) return err(k.line, "expected a key, found " + describe(k));
            Token v;
            if (auto e = value(k, v)) return *e;
            if (csv::lower(k.text) == "graph") {
                if (haveGraph)
                    return err(k.line, "more than one 'graph [ ... ]' list (one graph per file is read)");
                if (v.kind != Token::Open) return err(k.line, "'graph' must be followed by '['");
                haveGraph = true;
                graphLine_ = k.line;
                if (auto e = graph(v.line)) return *e;
            } else if (v.kind == Token::Open) {
                if (auto e = skipList(v.line)) return *e;
            }
        }
        if (!haveGraph) return err(1, "no 'graph [ ... ]' list found (empty file or not GML)");
        if (pg_.ids.empty() && pg_.edges.empty())
            return err(graphLine_, "empty graph: the graph list has no nodes and no edges");
        if (opt_.progress) opt_.progress(1.0);
        return pg_.build();
    }

private:
    Error err(long line, const std::string& reason) const { return Error{pg_.path, line, reason}; }

    static bool keyChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }

    Status next(Token& t) {
        for (;;) {
            while (p_ < d_.size() && (d_[p_] == ' ' || d_[p_] == '\t' || d_[p_] == '\r' || d_[p_] == '\n')) {
                if (d_[p_] == '\n') ++line_;
                ++p_;
            }
            if (p_ < d_.size() && d_[p_] == '#') {
                while (p_ < d_.size() && d_[p_] != '\n') ++p_;
                continue;
            }
            break;
        }
        t.line = line_;
        if (p_ >= d_.size()) {
            t.kind = Token::End;
            return std::nullopt;
        }
        if (opt_.progress && (++tokens_ & 262143) == 0 && !opt_.progress(double(p_) / double(d_.size())))
            return err(line_, "cancelled");
        const char c = d_[p_];
        if (c == '[' || c == ']') {
            t.kind = c == '[' ? Token::Open : Token::Close;
            t.text = d_.substr(p_++, 1);
            return std::nullopt;
        }
        if (c == '"') {
            const size_t q = d_.find('"', p_ + 1);
            if (q == std::string_view::npos)
                return err(line_, "string opened with '\"' on this line is never closed");
            std::string_view s = d_.substr(p_ + 1, q - p_ - 1);
            line_ = parse::lineAt(d_, p_, line_, q);
            p_ = q + 1;
            if (s.find('&') != std::string_view::npos) {
                std::string out, reason;
                // Unknown entities are kept as written: GML predates XML's entity rules.
                if (parse::decodeEntities(s, out, reason)) s = pg_.keep(std::move(out));
            }
            t.kind = Token::String;
            t.text = s;
            return std::nullopt;
        }
        if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.') {
            const size_t b = p_;
            while (p_ < d_.size() && (keyChar(d_[p_]) || d_[p_] == '-' || d_[p_] == '+' || d_[p_] == '.'))
                ++p_;
            t.text = d_.substr(b, p_ - b);
            if (!csv::parseNumber(t.text, t.num))
                return err(line_, "malformed number " + csv::quoteForError(t.text));
            t.kind = Token::Number;
            return std::nullopt;
        }
        if (keyChar(c)) {
            const size_t b = p_;
            while (p_ < d_.size() && keyChar(d_[p_])) ++p_;
            t.text = d_.substr(b, p_ - b);
            t.kind = Token::Key;
            return std::nullopt;
        }
        return err(line_, "unexpected character " + csv::quoteForError(d_.substr(p_, 1)));
    }

    // The value after key `k`: a number, a string, or '[' (the list is left for the caller).
    Status value(const Token& k, Token& v) {
        if (auto e = next(v)) return e;
        if (v.kind == Token::Key) {
            // Bare NaN / INF values as some writers emit them.
            double d = 0;
            if (csv::parseNumber(v.text, d)) {
                v.kind = Token::Number;
                v.num = d;
                return std::nullopt;
            }
        }
        if (v.kind == Token::End)
            return err(k.line, "key " + csv::quoteForError(k.text) + " has no value (the file ends first)");
        if (v.kind == Token::Close || v.kind == Token::Key)
            return err(v.line,
                       "key " + csv::quoteForError(k.text) + " has no value (found " + describe(v) + ")");
        return std::nullopt;
    }

    // Skips to the ']' that closes a list opened on `openLine`.
    Status skipList(long openLine) {
        long depth = 1;
        while (depth > 0) {
            Token t;
            if (auto e = next(t)) return e;
            if (t.kind == Token::End)
                return err(openLine, "list opened with '[' on this line is never closed (missing ']')");
            depth += t.kind == Token::Open ? 1 : t.kind == Token::Close ? -1 : 0;
        }
        return std::nullopt;
    }

    // Iterates key/value pairs of a list until its ']'; f(key, value) handles scalars and nested lists
    // (returning true when it consumed a nested list itself).
    template <class F> Status record(long openLine, F&& f) {
        for (;;) {
            Token k;
            if (auto e = next(k)) return e;
            if (k.kind == Token::Close) return std::nullopt;
            if (k.kind == Token::End)
                return err(openLine, "list opened with '[' on this line is never closed (missing ']')");
            if (k.kind != Token::Key) return err(k.line, "expected a key, found " + describe(k));
            Token v;
            if (auto e = value(k, v)) return e;
            bool consumed = false;
            if (auto e = f(k, v, consumed)) return e;
            if (v.kind == Token::Open && !consumed)
                if (auto e = skipList(v.line)) return e;
        }
    }

    Status coordinate(const Token& k, const Token& v, float& out) {
        double d = v.num;
        if (v.kind == Token::String && !csv::parseNumber(csv::trim(v.text), d))
            return err(v.line,
                       std::string(k.text) + " value " + csv::quoteForError(v.text) + " is not a number");
        if (!std::isfinite(d) || std::fabs(d) > double(std::numeric_limits<float>::max()))
            return err(v.line, std::string(k.text) + " value " + csv::quoteForError(v.text) +
                                   " is not a finite number");
        out = float(d);
        return std::nullopt;
    }

    Status node(const Token& nodeKey, long openLine) {
        std::string_view id;
        bool haveId = false;
        struct Pending {
            Token k, v;
        };
        std::vector<Pending> fields;
        float xyz[3] = {0, 0, 0};
        bool have[3] = {false, false, false};
        auto handle = [&](const Token& k, const Token& v, bool& consumed) -> Status {
            const std::string key = csv::lower(k.text);
            if (v.kind == Token::Open) {
                if (key != "graphics") return std::nullopt;
                consumed = true;
                return record(v.line, [&](const Token& gk, const Token& gv, bool&) -> Status {
                    const std::string g = csv::lower(gk.text);
                    const int axis = g == "x" ? 0 : g == "y" ? 1 : g == "z" ? 2 : -1;
                    if (axis < 0 || gv.kind == Token::Open || have[axis]) return std::nullopt;
                    have[axis] = true;
                    return coordinate(gk, gv, xyz[axis]);
                });
            }
            if (key == "id") {
                if (haveId) return err(k.line, "node has two ids");
                id = v.text;
                haveId = true;
                return std::nullopt;
            }
            const int axis = cols::isX(key) ? 0 : cols::isY(key) ? 1 : cols::isZ(key) ? 2 : -1;
            if (axis >= 0) {
                have[axis] = true;
                return coordinate(k, v, xyz[axis]);
            }
            fields.push_back({k, v});
            return std::nullopt;
        };
        if (auto e = record(openLine, handle)) return e;
        if (!haveId || id.empty()) return err(nodeKey.line, "node without an id");
        if (auto e = pg_.addNode(id, nodeKey.line)) return e;
        const size_t i = pg_.ids.size() - 1;
        if (have[0] && have[1]) {
            pg_.setCoord(pg_.x, i, xyz[0]);
            pg_.setCoord(pg_.y, i, xyz[1]);
            pg_.setCoord(pg_.z, i, have[2] ? xyz[2] : 0.f);
        }
        for (auto& f : fields) {
            if (cols::isLabel(f.k.text))
                pg_.setText(pg_.label, i, f.v.text);
            else if (cols::isClass(f.k.text))
                pg_.setText(pg_.cls, i, f.v.text);
            else
                pg_.column(f.k.text).set(i, f.v.text, f.v.kind == Token::Number, f.v.num);
        }
        return std::nullopt;
    }

    Status edge(const Token& edgeKey, long openLine) {
        parse::ParsedEdge e;
        e.line = edgeKey.line;
        bool haveS = false, haveT = false, haveType = false;
        std::string_view type;
        auto handle = [&](const Token& k, const Token& v, bool&) -> Status {
            if (v.kind == Token::Open) return std::nullopt;
            if (csv::oneOf(k.text, {"source"})) {
                if (haveS) return err(k.line, "edge has two sources");
                e.source = v.text;
                haveS = true;
            } else if (csv::oneOf(k.text, {"target"})) {
                if (haveT) return err(k.line, "edge has two targets");
                e.target = v.text;
                haveT = true;
            } else if (cols::isWeight(k.text) || csv::oneOf(k.text, {"value"})) {
                double d = v.num;
                if (v.kind == Token::String && !csv::parseNumber(csv::trim(v.text), d))
                    return err(v.line,
                               std::string(k.text) + " " + csv::quoteForError(v.text) + " is not a number");
                if (!std::isfinite(d) || std::fabs(d) > double(std::numeric_limits<float>::max()))
                    return err(v.line,
                               std::string(k.text) + " " + csv::quoteForError(v.text) + " is not finite");
                e.weight = float(d);
            } else if (cols::isEdgeType(k.text)) {
                type = v.text;
                haveType = true;
            }
            return std::nullopt;
        };
        if (auto s = record(openLine, handle)) return s;
        if (!haveS) return err(edgeKey.line, "edge without a source");
        if (!haveT) return err(edgeKey.line, "edge without a target");
        if (auto s = pg_.typeIndex(haveType && !type.empty() ? type : "edge", edgeKey.line, e.type)) return s;
        pg_.edges.push_back(e);
        return std::nullopt;
    }

    Status graph(long openLine) {
        for (;;) {
            Token k;
            if (auto e = next(k)) return e;
            if (k.kind == Token::Close) return std::nullopt;
            if (k.kind == Token::End)
                return err(openLine, "list opened with '[' on this line is never closed (missing ']')");
            if (k.kind != Token::Key) return err(k.line, "expected a key, found " + describe(k));
            Token v;
            if (auto e = value(k, v)) return e;
            const std::string key = csv::lower(k.text);
            if (key == "directed" && !(v.kind == Token::Number && (v.num == 0 || v.num == 1)))
                return err(v.line, "directed " + csv::quoteForError(v.text) + " (expected 0 or 1)");
            if (key == "node" || key == "edge") {
                if (v.kind != Token::Open) return err(k.line, "'" + key + "' must be followed by '['");
                if (auto e = key == "node" ? node(k, v.line) : edge(k, v.line)) return e;
            } else if (v.kind == Token::Open) {
                if (auto e = skipList(v.line)) return e;
            }
        }
    }

    std::string_view d_;
    const ReadOptions& opt_;
    parse::ParsedGraph pg_;
    size_t p_ = 0, tokens_ = 0;
    long line_ = 1, graphLine_ = 1;
};

} // namespace

Result<Graph> readGml(const std::string& path, const ReadOptions& opt) {
    auto text = parse::readTextFile(path);
    if (!text.ok()) return text.error();
    const std::string& doc = text.value();
    if (doc.find_first_not_of("\r\n \t") == std::string::npos)
        return Error{path, 1, "file is empty (expected graph [ ... ])"};
    GmlParser p(path, doc, opt);
    return p.run();
}

} // namespace nr
