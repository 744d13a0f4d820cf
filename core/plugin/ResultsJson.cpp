#include "plugin/ResultsJson.h"

#include <cmath>

namespace nr {

namespace {

constexpr size_t kMaxValues = size_t(100) * 1000 * 1000;

JsonValue numbers(const std::vector<double>& v) {
    JsonValue a = JsonValue::array();
    a.arr.reserve(v.size());
    for (double x : v) a.push(JsonValue::number(x));
    return a;
}

JsonValue strings(const std::vector<std::string>& v) {
    JsonValue a = JsonValue::array();
    for (const auto& s : v) a.push(JsonValue::string(s));
    return a;
}

Status readNumbers(const JsonValue* v, const std::string& what, const std::string& file,
                   std::vector<double>& out, size_t& budget) {
    if (!v || !v->isArray())
        return jsonError(v ? *v : JsonValue{}, file, what + " must be an array of numbers");
    if (v->arr.size() > budget) return jsonError(*v, file, what + " has more values than a session may hold");
    budget -= v->arr.size();
    out.clear();
    out.reserve(v->arr.size());
    for (const JsonValue& x : v->arr) {
        if (x.isNull()) {
            out.push_back(std::nan("")); // (the writer writes NaN as null)
            continue;
        }
        if (!x.isNumber()) return jsonError(x, file, what + " must hold numbers only");
        out.push_back(x.num);
    }
    return std::nullopt;
}

Status readStrings(const JsonValue* v, const std::string& what, const std::string& file,
                   std::vector<std::string>& out) {
    out.clear();
    if (!v) return std::nullopt;
    if (!v->isArray()) return jsonError(*v, file, what + " must be an array of strings");
    for (const JsonValue& x : v->arr) {
        if (!x.isString()) return jsonError(x, file, what + " must hold strings only");
        out.push_back(x.str);
    }
    return std::nullopt;
}

} // namespace

JsonValue resultsToJson(const Results& r) {
    JsonValue o = JsonValue::object();
    o.set("plugin", r.plugin);
    JsonValue params = JsonValue::object();
    for (const auto& [k, v] : r.params) params.set(k, v);
    o.set("params", params);
    JsonValue scalars = JsonValue::object();
    for (const auto& s : r.scalars) scalars.set(s.name, JsonValue::number(s.value));
    o.set("scalars", scalars);
    JsonValue cols = JsonValue::object();
    for (const auto& c : r.nodeColumns) cols.set(c.name, numbers(c.values));
    o.set("nodeColumns", cols);
    JsonValue tables = JsonValue::array();
    for (const auto& t : r.tables) {
        JsonValue tj = JsonValue::object();
        tj.set("name", t.name);
        JsonValue columns = JsonValue::array();
        for (const auto& c : t.columns) {
            JsonValue cj = JsonValue::object();
            cj.set("name", c.name);
            if (c.isText)
                cj.set("text", strings(c.text));
            else
                cj.set("numbers", numbers(c.numbers));
            columns.push(cj);
        }
        tj.set("columns", columns);
        tables.push(tj);
    }
    o.set("tables", tables);
    JsonValue matrices = JsonValue::array();
    for (const auto& m : r.matrices) {
        JsonValue mj = JsonValue::object();
        mj.set("name", m.name);
        mj.set("rows", double(m.rows));
        mj.set("cols", double(m.cols));
        mj.set("values", numbers(m.values));
        mj.set("rowLabels", strings(m.rowLabels));
        mj.set("colLabels", strings(m.colLabels));
        matrices.push(mj);
    }
    o.set("matrices", matrices);
    JsonValue series = JsonValue::array();
    for (const auto& s : r.series) {
        JsonValue sj = JsonValue::object();
        sj.set("name", s.name);
        sj.set("label", s.label);
        sj.set("x", numbers(s.x));
        sj.set("y", numbers(s.y));
        series.push(sj);
    }
    o.set("series", series);
    return o;
}

Result<Results> resultsFromJson(const JsonValue& v, const std::string& file) {
    if (!v.isObject()) return jsonError(v, file, "an analysis result must be an object");
    Results r;
    size_t budget = kMaxValues;
    auto plugin = jsonString(v, "plugin", file);
    if (!plugin) return plugin.error();
    r.plugin = plugin.value();
    if (const JsonValue* p = v.get("params")) {
        if (!p->isObject()) return jsonError(*p, file, "\"params\" must be an object of strings");
        for (const auto& [k, x] : p->obj) {
            if (!x.isString()) return jsonError(x, file, "parameter \"" + k + "\" must be a string");
            r.params[k] = x.str;
        }
    }
    if (const JsonValue* s = v.get("scalars")) {
        if (!s->isObject()) return jsonError(*s, file, "\"scalars\" must be an object of numbers");
        for (const auto& [k, x] : s->obj) {
            if (!x.isNumber() && !x.isNull())
                return jsonError(x, file, "scalar \"" + k + "\" must be a number");
            r.addScalar(k, x.isNull() ? std::nan("") : x.num);
        }
    }
    if (const JsonValue* c = v.get("nodeColumns")) {
        if (!c->isObject()) return jsonError(*c, file, "\"nodeColumns\" must be an object of arrays");
        for (const auto& [k, x] : c->obj) {
            NodeColumnResult col;
            col.name = k;
            if (auto st = readNumbers(&x, "node column \"" + k + "\"", file, col.values, budget)) return *st;
            r.nodeColumns.push_back(std::move(col));
        }
    }
    if (const JsonValue* t = v.get("tables")) {
        if (!t->isArray()) return jsonError(*t, file, "\"tables\" must be an array");
        for (const JsonValue& tj : t->arr) {
            if (!tj.isObject()) return jsonError(tj, file, "a table must be an object");
            TableResult table;
            table.name = tj.stringOr("name", "");
            const JsonValue* cols = tj.get("columns");
            if (!cols || !cols->isArray()) return jsonError(tj, file, "a table needs \"columns\" (an array)");
            for (const JsonValue& cj : cols->arr) {
                if (!cj.isObject()) return jsonError(cj, file, "a table column must be an object");
                TableColumn col;
                col.name = cj.stringOr("name", "");
                if (const JsonValue* text = cj.get("text")) {
                    col.isText = true;
                    if (auto st = readStrings(text, "column \"" + col.name + "\"", file, col.text))
                        return *st;
                    if (col.text.size() > budget) return jsonError(cj, file, "the table is too large");
                    budget -= col.text.size();
                } else if (auto st = readNumbers(cj.get("numbers"), "column \"" + col.name + "\"", file,
                                                 col.numbers, budget)) {
                    return *st;
                }
                table.columns.push_back(std::move(col));
            }
            r.tables.push_back(std::move(table));
        }
    }
    if (const JsonValue* m = v.get("matrices")) {
        if (!m->isArray()) return jsonError(*m, file, "\"matrices\" must be an array");
        for (const JsonValue& mj : m->arr) {
            if (!mj.isObject()) return jsonError(mj, file, "a matrix must be an object");
            MatrixResult mat;
            mat.name = mj.stringOr("name", "");
            auto rows = jsonNumber(mj, "rows", file, 0, 1e8);
            if (!rows) return rows.error();
            auto cols = jsonNumber(mj, "cols", file, 0, 1e8);
            if (!cols) return cols.error();
            if (rows.value() != std::floor(rows.value()) || cols.value() != std::floor(cols.value()))
                return jsonError(mj, file, "a matrix's \"rows\" and \"cols\" must be whole numbers");
            mat.rows = size_t(rows.value());
            mat.cols = size_t(cols.value());
            if (double(mat.rows) * double(mat.cols) > double(budget))
                return jsonError(mj, file, "the matrix is larger than a session may hold");
            if (auto st =
                    readNumbers(mj.get("values"), "matrix \"" + mat.name + "\"", file, mat.values, budget))
                return *st;
            if (mat.values.size() != mat.rows * mat.cols)
                return jsonError(mj, file,
                                 "matrix \"" + mat.name + "\" has " + std::to_string(mat.values.size()) +
                                     " values for " + std::to_string(mat.rows) + "x" +
                                     std::to_string(mat.cols));
            if (auto st = readStrings(mj.get("rowLabels"), "\"rowLabels\"", file, mat.rowLabels)) return *st;
            if (auto st = readStrings(mj.get("colLabels"), "\"colLabels\"", file, mat.colLabels)) return *st;
            r.matrices.push_back(std::move(mat));
        }
    }
    if (const JsonValue* s = v.get("series")) {
        if (!s->isArray()) return jsonError(*s, file, "\"series\" must be an array");
        for (const JsonValue& sj : s->arr) {
            if (!sj.isObject()) return jsonError(sj, file, "a series must be an object");
            SeriesResult ser;
            ser.name = sj.stringOr("name", "");
            ser.label = sj.stringOr("label", "");
            if (auto st = readNumbers(sj.get("x"), "series x", file, ser.x, budget)) return *st;
            if (auto st = readNumbers(sj.get("y"), "series y", file, ser.y, budget)) return *st;
            if (ser.x.size() != ser.y.size())
                return jsonError(sj, file, "a series needs as many x as y values");
            r.series.push_back(std::move(ser));
        }
    }
    return r;
}

} // namespace nr
