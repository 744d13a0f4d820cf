#include "plugin/ResultsIO.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace nr {

namespace {

bool parseDouble(const std::string& s, double& v) {
    if (s.empty()) return false;
    char* end = nullptr;
    v = std::strtod(s.c_str(), &end);
    return end && *end == '\0';
}

std::string jsonString(const std::string& s) {
    std::string o = "\"";
    for (unsigned char c : s) {
        switch (c) {
        case '"':
            o += "\\\"";
            break;
        case '\\':
            o += "\\\\";
            break;
        case '\n':
            o += "\\n";
            break;
        case '\r':
            o += "\\r";
            break;
        case '\t':
            o += "\\t";
            break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                o += buf;
            } else {
                o += char(c);
            }
        }
    }
    return o + "\"";
}

std::string jsonNumber(double v) {
    return std::isfinite(v) ? formatNumber(v) : "null";
}

std::string jsonNumbers(const std::vector<double>& v) {
    std::string o = "[";
    for (size_t i = 0; i < v.size(); ++i) o += (i ? "," : "") + jsonNumber(v[i]);
    return o + "]";
}

std::string jsonStrings(const std::vector<std::string>& v) {
    std::string o = "[";
    for (size_t i = 0; i < v.size(); ++i) o += (i ? "," : "") + jsonString(v[i]);
    return o + "]";
}

std::string jsonParamValue(const std::string& s) {
    double v;
    if (s == "true" || s == "false") return s;
    if (parseDouble(s, v) && std::isfinite(v)) return s;
    return jsonString(s);
}

std::string csvCell(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string o = "\"";
    for (char c : s) o += c == '"' ? std::string("\"\"") : std::string(1, c);
    return o + "\"";
}

} // namespace

std::string formatNumber(double v) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    if (v == std::floor(v) && std::fabs(v) < 1e15) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
        return buf;
    }
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    return buf;
}

Result<Params> resolveParams(const std::vector<ParamSpec>& specs,
                             const std::map<std::string, std::string>& given) {
    Params p;
    for (const auto& kv : given) {
        bool known = false;
        for (const auto& s : specs) known = known || s.name == kv.first;
        if (!known) {
            std::string names;
            for (const auto& s : specs) names += (names.empty() ? "" : ", ") + s.name;
            return Error{"", 0, "unknown parameter '" + kv.first + "' (known: " + names + ")"};
        }
    }
    for (const auto& s : specs) {
        auto it = given.find(s.name);
        std::string v = it == given.end() ? s.defaultValue : it->second;
        const std::string what = "parameter " + s.name + "=" + v;
        double x = 0;
        switch (s.type) {
        case ParamSpec::Type::Int:
            if (!parseDouble(v, x) || x != std::floor(x))
                return Error{"", 0, what + ": expected a whole number"};
            if (x < s.min || x > s.max)
                return Error{"", 0,
                             what + ": outside [" + formatNumber(s.min) + ", " + formatNumber(s.max) + "]"};
            v = formatNumber(x);
            break;
        case ParamSpec::Type::Double:
            if (!parseDouble(v, x) || !std::isfinite(x)) return Error{"", 0, what + ": expected a number"};
            if (x < s.min || x > s.max)
                return Error{"", 0,
                             what + ": outside [" + formatNumber(s.min) + ", " + formatNumber(s.max) + "]"};
            break;
        case ParamSpec::Type::Enum: {
            bool ok = false;
            std::string names;
            for (const auto& c : s.choices) {
                ok = ok || c == v;
                names += (names.empty() ? "" : ", ") + c;
            }
            if (!ok) return Error{"", 0, what + ": expected one of " + names};
            break;
        }
        case ParamSpec::Type::Bool:
            if (v == "1" || v == "yes" || v == "on") v = "true";
            if (v == "0" || v == "no" || v == "off") v = "false";
            if (v != "true" && v != "false") return Error{"", 0, what + ": expected true or false"};
            break;
        case ParamSpec::Type::String:
            break;
        }
        p.values[s.name] = v;
    }
    return p;
}

std::string scalarLine(const Results& r) {
    std::string s;
    for (const auto& sc : r.scalars) s += (s.empty() ? "" : " ") + sc.name + "=" + formatNumber(sc.value);
    return s;
}

namespace {

// Copies a matrix's scratch rows file into `o`.
bool copyRows(const std::string& file, std::ostream& o) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return false;
    char buf[1 << 16];
    while (in) {
        in.read(buf, sizeof buf);
        o.write(buf, in.gcount());
    }
    return !in.bad() && o.good();
}

// A matrix whose rows were written beside the results file (MatrixRowsWriter).
bool streamedMatrix(const MatrixResult& m) {
    return m.values.empty() && m.rows > 0 && m.cols > 0;
}

std::string rowsFileOf(const std::string& resultsPath) {
    return resultsPath + ".rows";
}

void writeJson(const Results& r, std::ostream& o, const std::string& rowsFile, bool& rowsOk) {
    o << "{\n  \"plugin\": " << jsonString(r.plugin) << ",\n  \"params\": {";
    bool first = true;
    for (const auto& kv : r.params) {
        o << (first ? "" : ", ") << jsonString(kv.first) << ": " << jsonParamValue(kv.second);
        first = false;
    }
    o << "},\n  \"scalars\": {";
    for (size_t i = 0; i < r.scalars.size(); ++i)
        o << (i ? ", " : "") << jsonString(r.scalars[i].name) << ": " << jsonNumber(r.scalars[i].value);
    o << "},\n  \"tables\": [";
    for (size_t t = 0; t < r.tables.size(); ++t) {
        o << (t ? ",\n    " : "\n    ") << "{\"name\": " << jsonString(r.tables[t].name)
          << ", \"columns\": {";
        for (size_t c = 0; c < r.tables[t].columns.size(); ++c) {
            const auto& col = r.tables[t].columns[c];
            o << (c ? ", " : "") << jsonString(col.name) << ": "
              << (col.isText ? jsonStrings(col.text) : jsonNumbers(col.numbers));
        }
        o << "}}";
    }
    o << "],\n  \"matrices\": [";
    for (size_t m = 0; m < r.matrices.size(); ++m) {
        const auto& mx = r.matrices[m];
        o << (m ? ",\n    " : "\n    ") << "{\"name\": " << jsonString(mx.name) << ", \"rows\": " << mx.rows
          << ", \"cols\": " << mx.cols << ", \"row_labels\": " << jsonStrings(mx.rowLabels)
          << ", \"col_labels\": " << jsonStrings(mx.colLabels) << ", \"values\": [";
        const bool streamed = streamedMatrix(mx);
        if (streamed) rowsOk = !rowsFile.empty() && copyRows(rowsFile, o) && rowsOk;
        for (size_t i = 0; i < mx.rows && !streamed; ++i) {
            std::vector<double> row(mx.values.begin() + long(i * mx.cols),
                                    mx.values.begin() + long((i + 1) * mx.cols));
            o << (i ? ", " : "") << jsonNumbers(row);
        }
        o << "]}";
    }
    o << "],\n  \"series\": [";
    for (size_t s = 0; s < r.series.size(); ++s)
        o << (s ? ",\n    " : "\n    ") << "{\"name\": " << jsonString(r.series[s].name)
          << ", \"label\": " << jsonString(r.series[s].label) << ", \"x\": " << jsonNumbers(r.series[s].x)
          << ", \"y\": " << jsonNumbers(r.series[s].y) << "}";
    o << "],\n  \"node_columns\": {";
    for (size_t n = 0; n < r.nodeColumns.size(); ++n)
        o << (n ? ", " : "") << jsonString(r.nodeColumns[n].name) << ": "
          << jsonNumbers(r.nodeColumns[n].values);
    o << "}\n}\n";
}

void removeRowsFile(const Results& r, const std::string& path) {
    for (const auto& m : r.matrices)
        if (streamedMatrix(m)) std::remove(rowsFileOf(path).c_str());
}

} // namespace

std::string resultsToJson(const Results& r) {
    std::ostringstream o;
    bool rowsOk = true;
    writeJson(r, o, "", rowsOk);
    return o.str();
}

Status saveResultsJson(const Results& r, const std::string& path) {
    std::ofstream f(path);
    if (!f) {
        removeRowsFile(r, path);
        return Error{path, 0, "cannot write file"};
    }
    bool rowsOk = true;
    writeJson(r, f, rowsFileOf(path), rowsOk);
    f.flush();
    removeRowsFile(r, path);
    if (!rowsOk)
        return Error{path, 0, "write failed (the matrix rows written beside it could not be copied)"};
    if (!f.good()) return Error{path, 0, "write failed"};
    return std::nullopt;
}

Status saveResultsCsv(const Results& r, const std::string& path) {
    std::ofstream f(path);
    if (!f) {
        removeRowsFile(r, path);
        return Error{path, 0, "cannot write file"};
    }
    bool rowsOk = true;
    f << "# plugin=" << r.plugin << "\n";
    for (const auto& kv : r.params) f << "# param " << kv.first << "=" << kv.second << "\n";
    if (!r.scalars.empty()) {
        f << "scalar,value\n";
        for (const auto& s : r.scalars) f << csvCell(s.name) << "," << formatNumber(s.value) << "\n";
    }
    for (const auto& t : r.tables) {
        f << "# table " << t.name << "\n";
        size_t rows = 0;
        for (size_t c = 0; c < t.columns.size(); ++c) {
            f << (c ? "," : "") << csvCell(t.columns[c].name);
            rows =
                std::max(rows, t.columns[c].isText ? t.columns[c].text.size() : t.columns[c].numbers.size());
        }
        f << "\n";
        for (size_t i = 0; i < rows; ++i) {
            for (size_t c = 0; c < t.columns.size(); ++c) {
                const auto& col = t.columns[c];
                f << (c ? "," : "");
                if (col.isText && i < col.text.size())
                    f << csvCell(col.text[i]);
                else if (!col.isText && i < col.numbers.size())
                    f << formatNumber(col.numbers[i]);
            }
            f << "\n";
        }
    }
    for (const auto& m : r.matrices) {
        f << "# matrix " << m.name << "\n";
        f << "";
        for (size_t j = 0; j < m.cols; ++j)
            f << "," << csvCell(j < m.colLabels.size() ? m.colLabels[j] : std::to_string(j));
        f << "\n";
        const bool streamed = streamedMatrix(m);
        if (streamed) rowsOk = copyRows(rowsFileOf(path), f) && rowsOk;
        for (size_t i = 0; i < m.rows && !streamed; ++i) {
            f << csvCell(i < m.rowLabels.size() ? m.rowLabels[i] : std::to_string(i));
            for (size_t j = 0; j < m.cols; ++j) f << "," << formatNumber(m.values[i * m.cols + j]);
            f << "\n";
        }
    }
    for (const auto& s : r.series) {
        f << "# series " << s.name << " " << s.label << "\nx,y\n";
        for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i)
            f << formatNumber(s.x[i]) << "," << formatNumber(s.y[i]) << "\n";
    }
    if (!r.nodeColumns.empty()) {
        f << "# node_columns\nnode";
        size_t rows = 0;
        for (const auto& c : r.nodeColumns) {
            f << "," << csvCell(c.name);
            rows = std::max(rows, c.values.size());
        }
        f << "\n";
        for (size_t i = 0; i < rows; ++i) {
            f << i;
            for (const auto& c : r.nodeColumns)
                f << "," << (i < c.values.size() ? formatNumber(c.values[i]) : "");
            f << "\n";
        }
    }
    f.flush();
    removeRowsFile(r, path);
    if (!rowsOk)
        return Error{path, 0, "write failed (the matrix rows written beside it could not be copied)"};
    if (!f.good()) return Error{path, 0, "write failed"};
    return std::nullopt;
}

MatrixRowsWriter::MatrixRowsWriter(const std::string& resultsPath) : path_(rowsFileOf(resultsPath)) {
    const size_t dot = resultsPath.find_last_of('.');
    std::string ext = dot == std::string::npos ? "" : resultsPath.substr(dot + 1);
    for (char& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
    json_ = ext == "json";
}

MatrixRowsWriter::~MatrixRowsWriter() {
    if (f_) std::fclose(f_);
    if (!released_) std::remove(path_.c_str());
}

Status MatrixRowsWriter::open() {
    f_ = std::fopen(path_.c_str(), "wb");
    if (!f_) return Error{path_, 0, std::string("cannot write the matrix rows: ") + std::strerror(errno)};
    return std::nullopt;
}

Status MatrixRowsWriter::append(const double* rows, size_t count, size_t cols,
                                const std::vector<std::string>& labels, size_t firstRow) {
    if (!f_) return Error{path_, 0, "matrix rows file not open"};
    std::string line;
    for (size_t i = 0; i < count; ++i) {
        const double* v = rows + i * cols;
        line.clear();
        if (json_) {
            line += written_ ? ", [" : "[";
            for (size_t j = 0; j < cols; ++j) line += (j ? "," : "") + jsonNumber(v[j]);
            line += "]";
        } else {
            const size_t row = firstRow + i;
            line += csvCell(row < labels.size() ? labels[row] : std::to_string(row));
            for (size_t j = 0; j < cols; ++j) line += "," + formatNumber(v[j]);
            line += "\n";
        }
        ++written_;
        if (std::fwrite(line.data(), 1, line.size(), f_) != line.size())
            return Error{path_, 0, std::string("cannot write the matrix rows: ") + std::strerror(errno)};
    }
    return std::nullopt;
}

Result<std::string> MatrixRowsWriter::release() {
    if (!f_) return Error{path_, 0, "matrix rows file not open"};
    const bool ok = std::fflush(f_) == 0 && !std::ferror(f_);
    std::fclose(f_);
    f_ = nullptr;
    if (!ok) return Error{path_, 0, "cannot write the matrix rows (disk full?)"};
    released_ = true;
    return path_;
}

Result<std::pair<double, double>> parseWindow(const std::string& text) {
    const size_t colon = text.find(':');
    double a = 0, b = 0;
    if (colon == std::string::npos || !parseDouble(text.substr(0, colon), a) ||
        !parseDouble(text.substr(colon + 1), b) || !std::isfinite(a) || !std::isfinite(b))
        return Error{"", 0, "window '" + text + "' is not START:END in seconds"};
    if (a >= b) return Error{"", 0, "empty window " + text + ": START must be before END"};
    return std::make_pair(a, b);
}

Result<std::pair<double, double>> trialWindow(const std::string& text, const TrialData& d) {
    if (!text.empty()) {
        auto w = parseWindow(text);
        if (!w) return Error{d.spikesSource, 0, w.error().reason};
        return w;
    }
    if (d.spikeTime.empty()) return Error{d.spikesSource, 0, "no spikes at all in the recording"};
    double hi = 0;
    for (double t : d.spikeTime)
        if (std::isfinite(t)) hi = std::max(hi, t);
    return std::make_pair(0.0, std::nextafter(hi, hi + 1));
}

} // namespace nr
