// GraphML: a small XML scanner (elements, attributes, text, comments, CDATA, processing instructions,
// DOCTYPE, the five predefined entities and character references) and the GraphML elements on top of it.
#include <cmath>
#include <limits>

#include "CsvTable.h"
#include "GraphColumns.h"
#include "GraphIO.h"
#include "GraphParse.h"

namespace nr {

namespace {

bool isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

class XmlScanner {
public:
    enum Kind { Start, End, Text, Done };
    struct Attr {
        std::string_view name, value;
    };

    XmlScanner(std::string_view doc, parse::ParsedGraph& store) : d_(doc), store_(store) {}

    Kind kind = Done;
    std::string_view name; // local name (namespace prefix removed)
    std::vector<Attr> attrs;
    bool selfClosing = false;
    std::string_view text;
    long line = 1; // line where the current token starts
    size_t pos() const { return p_; }

    std::string_view attr(std::string_view n) const {
        for (auto& a : attrs)
            if (a.name == n) return a.value;
        return {};
    }
    bool hasAttr(std::string_view n) const {
        for (auto& a : attrs)
            if (a.name == n) return true;
        return false;
    }

    Status next() {
        for (;;) {
            attrs.clear();
            selfClosing = false;
            line = line_;
            if (p_ >= d_.size()) {
                kind = Done;
                return std::nullopt;
            }
            if (d_[p_] != '<') {
                size_t q = d_.find('<', p_);
                if (q == std::string_view::npos) q = d_.size();
                text = d_.substr(p_, q - p_);
                advanceTo(q);
                if (text.find('&') != std::string_view::npos) {
                    std::string out, reason;
                    if (!parse::decodeEntities(text, out, reason)) return err(reason);
                    text = store_.keep(std::move(out));
                }
                kind = Text;
                return std::nullopt;
            }
            const std::string_view rest = d_.substr(p_);
            if (starts(rest, "<!--")) {
                const size_t q = d_.find("-->", p_ + 4);
                if (q == std::string_view::npos) return err("comment '<!--' is never closed with '-->'");
                advanceTo(q + 3);
                continue;
            }
            if (starts(rest, "<![CDATA[")) {
                const size_t q = d_.find("]]>", p_ + 9);
                if (q == std::string_view::npos) return err("CDATA section is never closed with ']]>'");
                text = d_.substr(p_ + 9, q - p_ - 9);
                advanceTo(q + 3);
                kind = Text;
                return std::nullopt;
            }
            if (starts(rest, "<?")) {
                const size_t q = d_.find("?>", p_ + 2);
                if (q == std::string_view::npos)
                    return err("processing instruction '<?' is never closed with '?>'");
                advanceTo(q + 2);
                continue;
            }
            if (starts(rest, "<!")) {
                int depth = 0;
                size_t q = p_ + 2;
                for (; q < d_.size(); ++q) {
                    if (d_[q] == '[')
                        ++depth;
                    else if (d_[q] == ']')
                        --depth;
                    else if (d_[q] == '>' && depth <= 0)
                        break;
                }
                if (q >= d_.size()) return err("declaration '<!' is never closed with '>'");
                advanceTo(q + 1);
                continue;
            }
            if (starts(rest, "</")) {
                size_t q = p_ + 2;
                const size_t b = q;
                while (q < d_.size() && !isSpace(d_[q]) && d_[q] != '>' && d_[q] != '<') ++q;
                name = local(d_.substr(b, q - b));
                while (q < d_.size() && isSpace(d_[q])) ++q;
                if (q >= d_.size() || d_[q] != '>' || name.empty())
                    return err("malformed closing tag " + csv::quoteForError(d_.substr(p_, q - p_ + 1)));
                advanceTo(q + 1);
                kind = End;
                return std::nullopt;
            }
            return startTag();
        }
    }

private:
    static bool starts(std::string_view s, std::string_view pre) { return s.substr(0, pre.size()) == pre; }
    static std::string_view local(std::string_view n) {
        const size_t c = n.find(':');
        return c == std::string_view::npos ? n : n.substr(c + 1);
    }
    Error err(const std::string& reason) const { return Error{store_.path, line, reason}; }
    void advanceTo(size_t q) {
        line_ = parse::lineAt(d_, p_, line_, q);
        p_ = q;
    }

    Status startTag() {
        size_t q = p_ + 1;
        const size_t b = q;
        while (q < d_.size() && !isSpace(d_[q]) && d_[q] != '>' && d_[q] != '/' && d_[q] != '<') ++q;
        const std::string_view raw = d_.substr(b, q - b);
        if (raw.empty()) return err("malformed tag: expected an element name after '<'");
        name = local(raw);
        const std::string tag = "<" + std::string(raw) + ">";
        for (;;) {
            while (q < d_.size() && isSpace(d_[q])) ++q;
            if (q >= d_.size()) return err("tag " + tag + " is never closed with '>' (the file ends first)");
            if (d_[q] == '>') {
                ++q;
                break;
            }
            if (d_[q] == '/') {
                if (q + 1 < d_.size() && d_[q + 1] == '>') {
                    selfClosing = true;
                    q += 2;
                    break;
                }
                return err("stray '/' in tag " + tag);
            }
            if (d_[q] == '<') return err("tag " + tag + " is never closed with '>' (found '<' first)");
            const size_t ab = q;
            while (q < d_.size() && !isSpace(d_[q]) && d_[q] != '=' && d_[q] != '>' && d_[q] != '/' &&
                   d_[q] != '<')
                ++q;
            const std::string_view an = d_.substr(ab, q - ab);
            if (an.empty()) return err("malformed attribute in tag " + tag);
            while (q < d_.size() && isSpace(d_[q])) ++q;
            if (q >= d_.size() || d_[q] != '=')
                return err("attribute " + csv::quoteForError(an) + " in tag " + tag + " has no value");
            ++q;
            while (q < d_.size() && isSpace(d_[q])) ++q;
            if (q >= d_.size() || (d_[q] != '"' && d_[q] != '\''))
                return err("value of attribute " + csv::quoteForError(an) + " in tag " + tag +
                           " is not quoted");
            const char quote = d_[q];
            const size_t ve = d_.find(quote, q + 1);
            if (ve == std::string_view::npos)
                return err("value of attribute " + csv::quoteForError(an) + " in tag " + tag +
                           " is never closed");
            std::string_view v = d_.substr(q + 1, ve - q - 1);
            if (v.find('<') != std::string_view::npos)
                return err("'<' inside the value of attribute " + csv::quoteForError(an) + " in tag " + tag);
            if (v.find('&') != std::string_view::npos) {
                std::string out, reason;
                if (!parse::decodeEntities(v, out, reason)) return err(reason);
                v = store_.keep(std::move(out));
            }
            for (const auto& a : attrs)
                if (a.name == an)
                    return err("duplicate attribute " + csv::quoteForError(an) + " in tag " + tag);
            attrs.push_back({an, v});
            q = ve + 1;
        }
        advanceTo(q);
        kind = Start;
        return std::nullopt;
    }

    std::string_view d_;
    parse::ParsedGraph& store_;
    size_t p_ = 0;
    long line_ = 1;
};

enum class KeyType { Boolean, Int, Long, Float, Double, String };

struct Key {
    std::string id, forWhat, name, typeName;
    KeyType type = KeyType::String;
    long line = 0;
    bool hasDefault = false;
    std::string def;
};

bool parseKeyType(std::string_view s, KeyType& t) {
    const std::string l = csv::lower(s);
    if (l.empty() || l == "string")
        t = KeyType::String;
    else if (l == "boolean")
        t = KeyType::Boolean;
    else if (l == "int")
        t = KeyType::Int;
    else if (l == "long")
        t = KeyType::Long;
    else if (l == "float")
        t = KeyType::Float;
    else if (l == "double")
        t = KeyType::Double;
    else
        return false;
    return true;
}

// Checks `value` against the key's declared type; `num` gets its numeric value (booleans 0/1).
bool typedValue(const Key& k, std::string_view value, double& num, std::string& reason) {
    const std::string_view v = csv::trim(value);
    const std::string what =
        "value " + csv::quoteForError(v) + " of key '" + k.name + "' (attr.type " + k.typeName + ")";
    switch (k.type) {
    case KeyType::String:
        num = 0;
        return true;
    case KeyType::Boolean: {
        const std::string l = csv::lower(v);
        if (l == "true" || l == "1")
            num = 1;
        else if (l == "false" || l == "0")
            num = 0;
        else {
            reason = what + " is not true or false";
            return false;
        }
        return true;
    }
    case KeyType::Int:
    case KeyType::Long: {
        long long i = 0;
        if (!csv::parseInteger(v, i)) {
            reason = what + " is not an integer";
            return false;
        }
        num = double(i);
        return true;
    }
    case KeyType::Float:
    case KeyType::Double:
        if (!csv::parseNumber(v, num)) {
            reason = what + " is not a number";
            return false;
        }
        return true;
    }
    return true;
}

enum class Role { X, Y, Z, Class, Label, Weight, EdgeType, Other };

Role nodeRole(const Key& k) {
    if (cols::isX(k.name)) return Role::X;
    if (cols::isY(k.name)) return Role::Y;
    if (cols::isZ(k.name)) return Role::Z;
    if (cols::isClass(k.name)) return Role::Class;
    if (cols::isLabel(k.name)) return Role::Label;
    return Role::Other;
}

Role edgeRole(const Key& k) {
    if (cols::isWeight(k.name) || csv::oneOf(k.name, {"value"})) return Role::Weight;
    if (cols::isEdgeType(k.name)) return Role::EdgeType;
    return Role::Other;
}

bool forNodes(const Key& k) {
    return k.forWhat == "node" || k.forWhat == "all";
}
bool forEdges(const Key& k) {
    return k.forWhat == "edge" || k.forWhat == "all";
}

class GraphMLParser {
public:
    GraphMLParser(const std::string& path, std::string_view doc, const ReadOptions& opt)
        : doc_(doc), opt_(opt), xml_(doc, pg_) {
        pg_.path = path;
    }

    Result<Graph> run() {
        std::vector<std::pair<std::string_view, long>> stack;
        bool root = false;
        size_t events = 0;
        for (;;) {
            if (auto e = xml_.next()) return *e;
            if (opt_.progress && (++events & 65535) == 0 &&
                !opt_.progress(double(xml_.pos()) / double(std::max<size_t>(1, doc_.size()))))
                return err(xml_.line, "cancelled");
            if (xml_.kind == XmlScanner::Done) break;
            if (xml_.kind == XmlScanner::Text) {
                if (inData_ || inDefault_)
                    value_.append(xml_.text);
                else if (stack.empty() && !csv::trim(trimNl(xml_.text)).empty())
                    return err(xml_.line, "text outside the root element: " +
                                              csv::quoteForError(csv::trim(trimNl(xml_.text))));
                continue;
            }
            if (xml_.kind == XmlScanner::End) {
                if (stack.empty())
                    return err(xml_.line,
                               "closing tag </" + std::string(xml_.name) + "> without an opening tag");
                if (stack.back().first != xml_.name)
                    return err(xml_.line, "closing tag </" + std::string(xml_.name) + "> does not match <" +
                                              std::string(stack.back().first) + "> opened on line " +
                                              std::to_string(stack.back().second));
                stack.pop_back();
                if (auto e = endElement(xml_.name)) return *e;
                continue;
            }
            // Start tag.
            if (stack.empty()) {
                if (root) return err(xml_.line, "more than one root element");
                if (xml_.name != "graphml")
                    return err(xml_.line, "not a GraphML file: the root element is <" +
                                              std::string(xml_.name) + ">, expected <graphml>");
                root = true;
            }
            if (auto e = startElement()) return *e;
            if (xml_.selfClosing) {
                if (auto e = endElement(xml_.name)) return *e;
            } else {
                stack.emplace_back(xml_.name, xml_.line);
            }
        }
        if (!stack.empty())
            return err(stack.back().second,
                       "<" + std::string(stack.back().first) +
                           "> opened on this line is never closed (the file ends first)");
        if (!root) return err(1, "no <graphml> element (empty file or not GraphML)");
        if (!sawGraph_) return err(1, "empty GraphML document: no <graph> element");
        if (pg_.ids.empty() && pg_.edges.empty())
            return err(1, "empty graph: the <graph> has no nodes and no edges");
        if (auto e = applyNodeDefaults()) return *e;
        if (opt_.progress) opt_.progress(1.0);
        return pg_.build();
    }

private:
    static std::string_view trimNl(std::string_view s) {
        while (!s.empty() && isSpace(s.front())) s.remove_prefix(1);
        while (!s.empty() && isSpace(s.back())) s.remove_suffix(1);
        return s;
    }
    Error err(long line, const std::string& reason) const { return Error{pg_.path, line, reason}; }

    long findKey(std::string_view id) const {
        auto it = keyIndex_.find(std::string(id));
        return it == keyIndex_.end() ? -1 : long(it->second);
    }

    Status startElement() {
        const std::string_view n = xml_.name;
        if (n == "key") {
            Key k;
            k.id = std::string(xml_.attr("id"));
            k.forWhat = csv::lower(xml_.attr("for"));
            if (k.forWhat.empty()) k.forWhat = "all";
            k.name = std::string(xml_.hasAttr("attr.name") ? xml_.attr("attr.name") : xml_.attr("id"));
            k.typeName = std::string(xml_.attr("attr.type"));
            k.line = xml_.line;
            if (k.id.empty()) return err(xml_.line, "<key> without an id");
            if (!parseKeyType(k.typeName, k.type))
                return err(xml_.line, "key '" + k.id + "' has unknown attr.type " +
                                          csv::quoteForError(k.typeName) +
                                          " (expected boolean, int, long, float, double or string)");
            if (k.typeName.empty()) k.typeName = "string";
            if (keyIndex_.count(k.id))
                return err(xml_.line, "duplicate key id '" + k.id + "' (first on line " +
                                          std::to_string(keys_[keyIndex_[k.id]].line) + ")");
            keyIndex_[k.id] = keys_.size();
            keys_.push_back(std::move(k));
            curKey_ = long(keys_.size() - 1);
        } else if (n == "default") {
            if (curKey_ >= 0) {
                inDefault_ = true;
                value_.clear();
                valueLine_ = xml_.line;
            }
        } else if (n == "node") {
            if (!xml_.hasAttr("id") || xml_.attr("id").empty()) return err(xml_.line, "node without an id");
            if (auto e = pg_.addNode(xml_.attr("id"), xml_.line)) return e;
            curNode_ = long(pg_.ids.size() - 1);
        } else if (n == "edge") {
            if (!xml_.hasAttr("source")) return err(xml_.line, "edge without a source");
            if (!xml_.hasAttr("target")) return err(xml_.line, "edge without a target");
            parse::ParsedEdge e;
            e.source = xml_.attr("source");
            e.target = xml_.attr("target");
            e.line = xml_.line;
            pg_.edges.push_back(e);
            curEdge_ = long(pg_.edges.size() - 1);
            edgeHasWeight_ = edgeHasType_ = false;
        } else if (n == "data") {
            if (!xml_.hasAttr("key")) return err(xml_.line, "<data> without a key attribute");
            dataKey_ = findKey(xml_.attr("key"));
            if (dataKey_ < 0)
                return err(xml_.line,
                           "<data> refers to undeclared key " + csv::quoteForError(xml_.attr("key")));
            inData_ = true;
            value_.clear();
            valueLine_ = xml_.line;
        } else if (n == "graph") {
            if (sawGraph_) return err(xml_.line, "more than one <graph> (only one graph per file is read)");
            sawGraph_ = true;
            if (xml_.hasAttr("edgedefault")) {
                const std::string d = csv::lower(xml_.attr("edgedefault"));
                if (d != "directed" && d != "undirected")
                    return err(xml_.line, "edgedefault " + csv::quoteForError(xml_.attr("edgedefault")) +
                                              " (expected directed or undirected)");
            }
        } else if (n == "hyperedge") {
            return err(xml_.line, "hyperedges are not supported");
        }
        return std::nullopt;
    }

    Status endElement(std::string_view n) {
        if (n == "key") {
            curKey_ = -1;
        } else if (n == "default") {
            if (inDefault_) {
                Key& k = keys_[size_t(curKey_)];
                double v = 0;
                std::string reason;
                if (!typedValue(k, value_, v, reason)) return err(valueLine_, "default " + reason);
                k.hasDefault = true;
                k.def = std::string(csv::trim(trimNl(value_)));
                inDefault_ = false;
            }
        } else if (n == "node") {
            curNode_ = -1;
        } else if (n == "edge") {
            if (curEdge_ >= 0) {
                if (auto e = finishEdge(pg_.edges[size_t(curEdge_)])) return e;
            }
            curEdge_ = -1;
        } else if (n == "data") {
            inData_ = false;
            if (dataKey_ >= 0) {
                const Key& k = keys_[size_t(dataKey_)];
                if (auto e = applyData(k, std::string(trimNl(value_)))) return e;
            }
            dataKey_ = -1;
        }
        return std::nullopt;
    }

    Status weightValue(const Key& k, std::string_view v, long line, float& w) {
        double d = 0;
        if (!csv::parseNumber(v, d))
            return err(line, "value " + csv::quoteForError(v) + " of key '" + k.name + "' is not a number");
        if (!std::isfinite(d) || std::fabs(d) > double(std::numeric_limits<float>::max()))
            return err(line,
                       "value " + csv::quoteForError(v) + " of key '" + k.name + "' is not a finite number");
        w = float(d);
        return std::nullopt;
    }

    Status applyData(const Key& k, const std::string& value) {
        double num = 0;
        std::string reason;
        if (!typedValue(k, value, num, reason)) return err(valueLine_, reason);
        if (curEdge_ >= 0) {
            if (!forEdges(k))
                return err(valueLine_,
                           "key '" + k.id + "' is declared for " + k.forWhat + ", used on an edge");
            parse::ParsedEdge& e = pg_.edges[size_t(curEdge_)];
            switch (edgeRole(k)) {
            case Role::Weight:
                edgeHasWeight_ = true;
                return weightValue(k, value, valueLine_, e.weight);
            case Role::EdgeType:
                edgeHasType_ = true;
                return pg_.typeIndex(value.empty() ? "edge" : value, valueLine_, e.type);
            default:
                return std::nullopt;
            }
        }
        if (curNode_ >= 0) {
            if (!forNodes(k))
                return err(valueLine_,
                           "key '" + k.id + "' is declared for " + k.forWhat + ", used on a node");
            const size_t i = size_t(curNode_);
            const Role r = nodeRole(k);
            if (r == Role::X || r == Role::Y || r == Role::Z) {
                float c = 0;
                if (auto e = weightValue(k, value, valueLine_, c)) return e;
                pg_.setCoord(r == Role::X ? pg_.x : r == Role::Y ? pg_.y : pg_.z, i, c);
            } else if (r == Role::Class) {
                pg_.setText(pg_.cls, i, value);
            } else if (r == Role::Label) {
                pg_.setText(pg_.label, i, value);
            } else {
                pg_.column(k.name).set(i, value, k.type != KeyType::String, num);
            }
        }
        return std::nullopt;
    }

    Status finishEdge(parse::ParsedEdge& e) {
        if (!edgeHasWeight_ || !edgeHasType_) {
            for (const Key& k : keys_) {
                if (!forEdges(k) || !k.hasDefault) continue;
                const Role r = edgeRole(k);
                if (r == Role::Weight && !edgeHasWeight_) {
                    if (auto s = weightValue(k, k.def, k.line, e.weight)) return s;
                    edgeHasWeight_ = true;
                } else if (r == Role::EdgeType && !edgeHasType_) {
                    if (auto s = pg_.typeIndex(k.def.empty() ? "edge" : k.def, k.line, e.type)) return s;
                    edgeHasType_ = true;
                }
            }
        }
        if (!edgeHasType_) return pg_.typeIndex("edge", e.line, e.type);
        return std::nullopt;
    }

public:
    // Node keys with defaults fill nodes that had no value.
    Status applyNodeDefaults() {
        for (const Key& k : keys_) {
            if (!forNodes(k) || !k.hasDefault) continue;
            const Role r = nodeRole(k);
            const size_t n = pg_.ids.size();
            if (r == Role::X || r == Role::Y || r == Role::Z) {
                float c = 0;
                if (auto e = weightValue(k, k.def, k.line, c)) return e;
                auto& col = r == Role::X ? pg_.x : r == Role::Y ? pg_.y : pg_.z;
                col.resize(n, std::numeric_limits<float>::quiet_NaN());
                for (auto& v : col)
                    if (std::isnan(v)) v = c;
            } else if (r == Role::Class || r == Role::Label) {
                auto& col = r == Role::Class ? pg_.cls : pg_.label;
                col.resize(n);
                for (auto& v : col)
                    if (v.empty()) v = k.def;
            } else {
                double num = 0;
                std::string reason;
                typedValue(k, k.def, num, reason);
                parse::Column& c = pg_.column(k.name);
                c.text.resize(n);
                if (c.numeric) c.num.resize(n, std::numeric_limits<double>::quiet_NaN());
                for (size_t i = 0; i < n; ++i)
                    if (c.text[i].empty()) {
                        c.text[i] = k.def;
                        if (c.numeric) c.num[i] = num;
                    }
            }
        }
        return std::nullopt;
    }

private:
    std::string_view doc_;
    const ReadOptions& opt_;
    parse::ParsedGraph pg_;
    XmlScanner xml_;
    std::vector<Key> keys_;
    std::unordered_map<std::string, size_t> keyIndex_;
    long curKey_ = -1, curNode_ = -1, curEdge_ = -1;
    bool inData_ = false, inDefault_ = false, edgeHasWeight_ = false, edgeHasType_ = false, sawGraph_ = false;
    long dataKey_ = -1;
    std::string value_;
    long valueLine_ = 0;
};

} // namespace

Result<Graph> readGraphML(const std::string& path, const ReadOptions& opt) {
    auto text = parse::readTextFile(path);
    if (!text.ok()) return text.error();
    const std::string& doc = text.value();
    if (doc.find_first_not_of("\r\n \t") == std::string::npos)
        return Error{path, 1, "file is empty (expected a <graphml> document)"};
    GraphMLParser p(path, doc, opt);
    return p.run();
}

} // namespace nr
