// Dense adjacency matrices (text, NPY, HDF5 / MATLAB v7.3) read as graphs.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <hdf5.h>
#include <limits>
#include <numeric>
#include <sys/stat.h>

#include "io/CsvTable.h"
#include "io/GraphColumns.h"
#include "io/Hdf5Sandbox.h"
#include "io/Hdf5Util.h"
#include "io/MatrixIO.h"
#include "io/MemoryBudget.h"
#include "io/Npy.h"
#include "io/ReaderRegistry.h"

namespace nr {

namespace {

// Collects the non-zero cells of an n x n matrix in row-major order and makes the graph.
class MatrixBuilder {
public:
    MatrixBuilder(std::string file, size_t n) : file_(std::move(file)), n_(n) {}

    // Checks the value of cell (r, c); `line` and `byteOffset` say where it is.
    Status add(size_t r, size_t c, double v, long line, long long byteOffset = -1) {
        if (!std::isfinite(v)) {
            Error e{file_, line,
                    std::string(std::isnan(v) ? "NaN" : "infinite value") + " at row " +
                        std::to_string(r + 1) + ", column " + std::to_string(c + 1) +
                        " (a matrix cell must be a finite number; 0 = no edge)"};
            e.byteOffset = byteOffset;
            return e;
        }
        if (std::fabs(v) > double(std::numeric_limits<float>::max())) {
            Error e{file_, line,
                    "value at row " + std::to_string(r + 1) + ", column " + std::to_string(c + 1) +
                        " is too large"};
            e.byteOffset = byteOffset;
            return e;
        }
        if (v == 0) return std::nullopt;
        src_.push_back(uint32_t(r));
        dst_.push_back(uint32_t(c));
        w_.push_back(float(v));
        return std::nullopt;
    }

    Result<Graph> finish(std::vector<std::string> names) {
        Graph g;
        if (names.empty()) {
            names.reserve(n_);
            for (size_t i = 0; i < n_; ++i) names.push_back(std::to_string(i));
        }
        setNodeNames(g, names);
        // Symmetric: the list sorted by (target, source) equals the list sorted by (source, target).
        std::vector<uint32_t> t(src_.size());
        std::iota(t.begin(), t.end(), 0u);
        std::sort(t.begin(), t.end(), [&](uint32_t a, uint32_t b) {
            return dst_[a] != dst_[b] ? dst_[a] < dst_[b] : src_[a] < src_[b];
        });
        bool symmetric = true;
        for (size_t k = 0; k < t.size() && symmetric; ++k)
            symmetric = dst_[t[k]] == src_[k] && src_[t[k]] == dst_[k] && w_[t[k]] == w_[k];
        g.directed = !symmetric;
        if (symmetric) {
            size_t o = 0;
            for (size_t k = 0; k < src_.size(); ++k)
                if (src_[k] <= dst_[k]) {
                    src_[o] = src_[k];
                    dst_[o] = dst_[k];
                    w_[o] = w_[k];
                    ++o;
                }
            src_.resize(o);
            dst_.resize(o);
            w_.resize(o);
        }
        g.src = std::move(src_);
        g.dst = std::move(dst_);
        g.weight = std::move(w_);
        g.type.assign(g.src.size(), 0);
        if (!g.src.empty()) g.edgeTypes = {"edge"};
        g.invalidateAdjacency();
        return g;
    }

private:
    std::string file_;
    size_t n_;
    std::vector<uint32_t> src_, dst_;
    std::vector<float> w_;
};

bool isNumberField(std::string_view s) {
    double v;
    s = csv::trim(s);
    return !s.empty() && csv::parseNumber(s, v);
}

bool allNumbers(const std::vector<std::string_view>& f, size_t from) {
    if (f.size() <= from) return false;
    for (size_t i = from; i < f.size(); ++i)
        if (!isNumberField(f[i])) return false;
    return true;
}

bool skipLine(std::string_view l) {
    const std::string_view t = csv::trim(l);
    return t.empty() || t[0] == '#' || t[0] == '%';
}

Status uniqueNames(const std::string& file, long line, const std::vector<std::string>& names,
                   const char* what) {
    std::vector<std::string> s = names;
    std::sort(s.begin(), s.end());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i].empty()) return Error{file, line, std::string("empty name in the ") + what};
        if (i && s[i] == s[i - 1])
            return Error{file, line, "name " + csv::quoteForError(s[i]) + " appears twice in the " + what};
    }
    return std::nullopt;
}

// How the first lines of a text matrix are laid out.
struct TextLayout {
    bool header = false, index = false;
    size_t n = 0; // value columns
};

// Decides the layout from the first line and the first data line (f2 empty when there is none).
bool textLayout(const std::vector<std::string_view>& f1, const std::vector<std::string_view>& f2,
                TextLayout& t) {
    if (allNumbers(f1, 0)) {
        t.header = t.index = false;
        t.n = f1.size();
        return true;
    }
    if (!isNumberField(f1[0]) && !csv::trim(f1[0]).empty() && allNumbers(f1, 1)) {
        t.header = false; // a name, then numbers: index column, no header
        t.index = true;
        t.n = f1.size() - 1;
        return true;
    }
    t.header = true;
    if (f2.empty()) return false;
    if (f2.size() == f1.size() + 1) {
        t.index = true;
    } else if (f2.size() == f1.size()) {
        t.index = csv::trim(f1[0]).empty() || !isNumberField(f2[0]);
    } else {
        return false;
    }
    t.n = f2.size() - (t.index ? 1 : 0);
    return t.n > 0;
}

} // namespace

// ---- text -----------------------------------------------------------------------------------------------
Result<Graph> readMatrixText(const std::string& path, const ReadOptions& opt) {
    csv::LineReader in;
    if (!in.open(path)) return in.error();
    std::string_view line;
    std::vector<std::string_view> f1, f;
    std::string s1, scratch, reason;
    bool have = false;
    while (in.next(line))
        if (!skipLine(line)) {
            have = true;
            break;
        }
    if (in.failed()) return in.error();
    if (!have) return Error{path, 1, "file is empty (expected rows of numbers: an adjacency matrix)"};
    const long line1 = in.lineNumber();
    const char delim = csv::detectDelimiter(line);
    const std::string first(line);
    if (!csv::splitLine(first, delim, f1, s1, reason)) return Error{path, line1, reason};

    TextLayout lay;
    std::string second;
    long line2 = 0;
    bool haveSecond = false;
    if (!allNumbers(f1, 0) && !(allNumbers(f1, 1) && !csv::trim(f1[0]).empty())) {
        while (in.next(line))
            if (!skipLine(line)) {
                haveSecond = true;
                break;
            }
        if (in.failed()) return in.error();
        if (!haveSecond) return Error{path, line1, "a header row and no rows of numbers"};
        second = std::string(line);
        line2 = in.lineNumber();
        if (!csv::splitLine(second, delim, f, scratch, reason)) return Error{path, line2, reason};
    }
    if (!textLayout(f1, f, lay))
        return Error{path, haveSecond ? line2 : line1,
                     haveSecond ? std::to_string(f.size()) + " fields under a header of " +
                                      std::to_string(f1.size()) +
                                      " (expected as many, or one more for an index column)"
                                : "not a row of numbers"};
    const size_t n = lay.n;
    if (n > (size_t(1) << 31)) return Error{path, line1, "too many columns"};
    const size_t width = n + (lay.index ? 1 : 0);

    std::vector<std::string> colNames, rowNames;
    if (lay.header) {
        for (size_t i = f1.size() - n; i < f1.size(); ++i) colNames.emplace_back(csv::trim(f1[i]));
        if (auto e = uniqueNames(path, line1, colNames, "header")) return *e;
    }
    // Edges are at most one per two bytes of the file; names at most the file again.
    if (auto e = checkBudget(satAdd(satMul(in.fileSize() / 2 + 16, 16), satMul(n, 40)), "reading this matrix",
                             "split the matrix into smaller files", path, line1))
        return *e;

    MatrixBuilder b(path, n);
    size_t row = 0;
    auto addRow = [&](const std::vector<std::string_view>& fs, long lineNo) -> Status {
        if (fs.size() != width) {
            std::string r = std::to_string(fs.size()) + (fs.size() == 1 ? " field" : " fields") +
                            ", expected " + std::to_string(width) + " (a ragged row";
            r += lay.index ? ": a name and " + std::to_string(n) + " values)"
                           : ": " + std::to_string(n) + " values as on the first row)";
            if (in.atUnterminatedEnd()) r += " (the file ends in the middle of this line: truncated?)";
            return Error{path, lineNo, r};
        }
        if (row >= n)
            return Error{path, lineNo,
                         "more rows than the " + std::to_string(n) +
                             " columns (an adjacency matrix must be square: as many rows as columns)"};
        if (lay.index) rowNames.emplace_back(csv::trim(fs[0]));
        for (size_t c = 0; c < n; ++c) {
            const std::string_view v = csv::trim(fs[c + (lay.index ? 1 : 0)]);
            double x = 0;
            if (v.empty())
                return Error{path, lineNo,
                             "empty cell at row " + std::to_string(row + 1) + ", column " +
                                 std::to_string(c + 1)};
            if (!csv::parseNumber(v, x))
                return Error{path, lineNo,
                             "value " + csv::quoteForError(v) + " at row " + std::to_string(row + 1) +
                                 ", column " + std::to_string(c + 1) + " is not a number"};
            if (auto e = b.add(row, c, x, lineNo)) return e;
        }
        ++row;
        return std::nullopt;
    };
    if (!lay.header) {
        if (auto e = addRow(f1, line1)) return *e;
    } else if (auto e = addRow(f, line2)) {
        return *e;
    }
    long last = haveSecond ? line2 : line1;
    size_t count = 0;
    while (in.next(line)) {
        if (skipLine(line)) continue;
        if (!csv::splitLine(line, delim, f, scratch, reason)) return Error{path, in.lineNumber(), reason};
        if (auto e = addRow(f, in.lineNumber())) return *e;
        last = in.lineNumber();
        if (opt.progress && (++count & 255) == 0 && !opt.progress(in.fraction()))
            return Error{path, in.lineNumber(), "cancelled"};
    }
    if (in.failed()) return in.error();
    if (row != n)
        return Error{path, last,
                     std::to_string(n) + " columns but " + std::to_string(row) +
                         " rows (an adjacency matrix must be square: as many rows as columns)"};
    std::vector<std::string> names;
    if (lay.index) {
        if (auto e = uniqueNames(path, last, rowNames, "index column")) return *e;
        if (lay.header)
            for (size_t i = 0; i < n; ++i)
                if (rowNames[i] != colNames[i])
                    return Error{path, line1,
                                 "row " + std::to_string(i + 1) + " is named " +
                                     csv::quoteForError(rowNames[i]) + " but column " +
                                     std::to_string(i + 1) + " " + csv::quoteForError(colNames[i]) +
                                     " (rows and columns must name the same nodes in the same order)"};
        names = std::move(rowNames);
    } else if (lay.header) {
        names = std::move(colNames);
    }
    if (opt.progress) opt.progress(1.0);
    return b.finish(std::move(names));
}

int sniffMatrixText(const std::string& path, const std::string& head) {
    if (head.empty() || head.find('\0') != std::string::npos) return 0;
    // Complete lines only (the head may end inside one).
    std::vector<std::string> lines;
    size_t at = 0;
    while (at < head.size() && lines.size() < 64) {
        const size_t nl = head.find('\n', at);
        if (nl == std::string::npos && head.size() >= 4096) break;
        std::string l = head.substr(at, nl == std::string::npos ? std::string::npos : nl - at);
        at = nl == std::string::npos ? head.size() : nl + 1;
        if (!l.empty() && l.back() == '\r') l.pop_back();
        if (!skipLine(l)) lines.push_back(std::move(l));
    }
    const bool whole = head.size() < 4096;
    if (lines.size() < 2 && !whole) {
        // Rows longer than the head (a wide matrix): read the first rows themselves (each at most
        // csv::kMaxLineBytes).
        struct stat rs;
        if (::stat(path.c_str(), &rs) != 0 || !S_ISREG(rs.st_mode)) return 0;
        csv::LineReader in;
        if (!in.open(path, 0)) return 0;
        lines.clear();
        at = 0;
        std::string_view l;
        while (lines.size() < 3 && in.next(l)) {
            at += l.size() + 1;
            if (!skipLine(l)) lines.emplace_back(l);
        }
    }
    if (lines.empty()) return 0;
    const char delim = csv::detectDelimiter(lines[0]);
    std::vector<std::string_view> f1, f2, f;
    std::string s1, s2, s, reason;
    if (!csv::splitLine(lines[0], delim, f1, s1, reason)) return 0;
    if (lines.size() > 1 && !csv::splitLine(lines[1], delim, f2, s2, reason)) return 0;
    TextLayout lay;
    if (!textLayout(f1, f2, lay)) return 0;
    if (lay.header && lines.size() < 2) return 0;
    if (lay.header) {
        // A header naming source and target columns is an edge list, however many rows it has (a
        // four-column synapse table with four rows is not a 4 x 4 matrix).
        bool src = false, dst = false;
        for (const auto& h : f1) {
            src = src || cols::isSource(csv::trim(h));
            dst = dst || cols::isTarget(csv::trim(h));
        }
        if (src && dst) return 0;
    }
    // Small all-number blocks of 2 or 3 columns are headerless edge lists ('u v [w]').
    if (!lay.header && !lay.index && lay.n <= 3) return 0;
    if (lay.n < 2) return 0;
    const size_t width = lay.n + (lay.index ? 1 : 0);
    bool namesMatch = lay.header && lay.index;
    size_t rows = 0;
    for (size_t i = lay.header ? 1 : 0; i < lines.size(); ++i) {
        if (!csv::splitLine(lines[i], delim, f, s, reason) || f.size() != width) return 0;
        if (!allNumbers(f, lay.index ? 1 : 0)) return 0;
        if (namesMatch) {
            const size_t hc = f1.size() - lay.n + rows;
            namesMatch = hc < f1.size() && csv::trim(f[0]) == csv::trim(f1[hc]);
        }
        ++rows;
    }
    if (rows == 0) return 0;
    if (lay.header && lay.index) return namesMatch ? 3 : 0;
    if (whole) return rows == lay.n ? 3 : 0;
    // Part of the file: estimate the number of rows from its size and the lines seen.
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return 0;
    const double perLine = double(at) / double(std::max<size_t>(1, lines.size()));
    const double est = double(st.st_size) / std::max(1.0, perLine);
    return est >= 0.5 * double(lay.n) && est <= 2.0 * double(lay.n) ? 2 : 0;
}

// ---- NPY ------------------------------------------------------------------------------------------------
bool isSquareNpyHead(const std::string& head, const std::string& path) {
    if (!npy::isNpyHead(head)) return false;
    auto h = npy::parseHeader(head, path);
    if (!h) return false;
    const auto& a = h.value();
    return !a.structured && a.fields.size() == 1 && a.fields[0].numeric() && a.shape.size() == 2 &&
           a.shape[0] == a.shape[1] && a.shape[0] > 0;
}

Result<Graph> readMatrixNpy(const std::string& path, const ReadOptions& opt) {
    const std::string head = readHead(path, 65536 + 16);
    if (!npy::isNpyHead(head)) return Error{path, 0, "not an NPY file (no \\x93NUMPY magic)"};
    auto h = npy::parseHeader(head, path);
    if (!h) return h.error();
    {
        const auto& a = h.value();
        if (a.structured || a.fields.size() != 1 || !a.fields[0].numeric())
            return Error{path, 0,
                         "an adjacency matrix must be an array of numbers (this one holds records or text)"};
        if (a.shape.size() != 2 || a.shape[0] != a.shape[1] || a.shape[0] == 0)
            return Error{path, 0,
                         "an adjacency matrix must be a 2-D square array; this one has shape " +
                             npy::shapeText(a.shape)};
        if (auto e = checkBudget(satMul(satMul(a.shape[0], a.shape[1]), uint64_t(a.itemSize) + 12),
                                 "reading this " + npy::shapeText(a.shape) + " matrix",
                                 "split the matrix into smaller files", path))
            return *e;
    }
    auto r = npy::readFile(path);
    if (!r) return r.error();
    const npy::Array& a = r.value();
    const size_t n = size_t(a.shape[0]);
    MatrixBuilder b(path, n);
    const npy::Field& fld = a.fields[0];
    for (size_t i = 0; i < n; ++i) {
        for (size_t j = 0; j < n; ++j)
            if (auto e = b.add(i, j, npy::number(a.at2(i, j), fld), 0, a.offsetOf2(i, j))) return *e;
        if (opt.progress && (i & 63) == 0 && !opt.progress(double(i) / double(n)))
            return Error{path, 0, "cancelled"};
    }
    return b.finish({});
}

// ---- HDF5 / MATLAB v7.3 ---------------------------------------------------------------------------------
bool isMatFileHead(const std::string& head) {
    return isHdf5Head(head) || (head.size() >= 520 && isHdf5Head(head.substr(512, 8)));
}

namespace {

struct FindState {
    std::vector<std::string> found; // 2-D numeric datasets
    size_t square = 0;              // of which square
    bool volume = false;            // a dataset of 3 or more axes
    bool time = false;              // a 1-D dataset named like a time axis (traces)
    size_t visited = 0;
};

bool timeLikeName(std::string n) {
    const size_t slash = n.rfind('/');
    if (slash != std::string::npos) n = n.substr(slash + 1);
    for (char& c : n) c = char(std::tolower(static_cast<unsigned char>(c)));
    return n == "t" || n == "time" || n == "times" || n == "timestamps" || n == "time_s";
}

herr_t visitLink(hid_t loc, const char* name, const H5L_info_t* info, void* data) {
    auto* st = static_cast<FindState*>(data);
    if (++st->visited > 100000) return 1;
    if (info->type != H5L_TYPE_HARD) return 0;
    H5O_info_t oi;
    if (H5Oget_info_by_name(loc, name, &oi, H5P_DEFAULT) < 0 || oi.type != H5O_TYPE_DATASET) return 0;
    H5Handle ds(H5Dopen2(loc, name, H5P_DEFAULT), H5Dclose);
    if (!ds.ok()) return 0;
    H5Handle sp(H5Dget_space(ds.id), H5Sclose);
    H5Handle ty(H5Dget_type(ds.id), H5Tclose);
    const int rank = H5Sget_simple_extent_ndims(sp.id);
    if (rank >= 3) st->volume = true;
    if (rank == 1 && timeLikeName(name)) st->time = true;
    if (rank != 2) return 0;
    const H5T_class_t c = H5Tget_class(ty.id);
    if (c != H5T_INTEGER && c != H5T_FLOAT) return 0;
    hsize_t d[2] = {0, 0};
    H5Sget_simple_extent_dims(sp.id, d, nullptr);
    if (d[0] == d[1] && d[0] > 0) ++st->square;
    st->found.push_back(std::string("/") + name);
    return 0;
}

} // namespace

int sniffMatrixHdf5(const std::string& path) {
    auto cols = readHdf5InChild(path, [&]() -> Result<H5Columns> {
        H5Quiet quiet;
        H5Columns out;
        int64_t score = 0;
        H5Handle f(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
        if (f.ok()) {
            FindState st;
            H5Lvisit(f.id, H5_INDEX_NAME, H5_ITER_NATIVE, visitLink, &st);
            // One square 2-D dataset and nothing that makes it a volume or a traces file.
            score = st.found.size() == 1 && st.square == 1 && !st.volume && !st.time ? 3 : 1;
        }
        out.put("score", std::vector<int64_t>{score});
        return out;
    });
    if (!cols) return 0;
    const std::vector<int64_t> v = cols.value().takeI64("score");
    return v.size() == 1 && v[0] >= 0 && v[0] <= 3 ? int(v[0]) : 0;
}

namespace {} // namespace

Result<Graph> readMatrixHdf5(const std::string& path, const std::string& array, const ReadOptions& opt) {
    const std::string head = readHead(path, 1024);
    if (!isMatFileHead(head)) return Error{path, 0, "not an HDF5 file (no HDF5 signature at byte 0 or 512)"};
    const bool mat = !isHdf5Head(head);
    const uint64_t budget = memoryBudgetBytes();
    auto cols = readHdf5InChild(path, [&]() -> Result<H5Columns> {
        H5Quiet quiet;
        H5Handle f(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
        if (!f.ok()) return Error{path, 0, "cannot open the file as HDF5"};
        std::string name = array;
        if (name.empty()) {
            FindState st;
            H5Lvisit(f.id, H5_INDEX_NAME, H5_ITER_NATIVE, visitLink, &st);
            if (st.found.empty())
                return Error{path, 0, "no 2-D numeric dataset in the file (an adjacency matrix)"};
            if (st.found.size() > 1) {
                std::string l;
                for (size_t i = 0; i < st.found.size() && i < 8; ++i) l += (i ? ", " : "") + st.found[i];
                return Error{path, 0, "several 2-D datasets (" + l + "); name one: FILE:/path/to/matrix"};
            }
            name = st.found[0];
        }
        if (!h5Exists(f.id, name)) return Error{path, 0, "dataset '" + name + "' not found"};
        H5Handle ds(H5Dopen2(f.id, name.c_str(), H5P_DEFAULT), H5Dclose);
        if (!ds.ok()) return Error{path, 0, "'" + name + "' is not a dataset"};
        H5Handle sp(H5Dget_space(ds.id), H5Sclose);
        H5Handle ty(H5Dget_type(ds.id), H5Tclose);
        const H5T_class_t c = H5Tget_class(ty.id);
        if (c != H5T_INTEGER && c != H5T_FLOAT)
            return Error{path, 0, "dataset '" + name + "' does not hold numbers"};
        const int rank = H5Sget_simple_extent_ndims(sp.id);
        if (rank != 2)
            return Error{path, 0, "dataset '" + name + "' has " + std::to_string(rank) + " axes, not 2"};
        hsize_t d[2] = {0, 0};
        H5Sget_simple_extent_dims(sp.id, d, nullptr);
        if (d[0] != d[1] || d[0] == 0)
            return Error{path, 0,
                         "dataset '" + name + "' is " + std::to_string(d[0]) + " x " + std::to_string(d[1]) +
                             " (an adjacency matrix must be square)"};
        const uint64_t bytes = satMul(satMul(d[0], d[1]), 8 + 12);
        if (bytes > budget)
            return Error{path, 0,
                         "dataset '" + name + "' (" + std::to_string(d[0]) + " x " + std::to_string(d[1]) +
                             ") needs about " + mibText(bytes) + " MiB, more than the limit of " +
                             mibText(budget) + " MiB; split the matrix into smaller files"};
        std::vector<double> v(size_t(d[0] * d[1]));
        if (H5Dread(ds.id, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) < 0)
            return Error{path, 0, "cannot read dataset '" + name + "' as numbers"};
        H5Columns out;
        out.put("n", std::vector<uint64_t>{uint64_t(d[0])});
        out.put("values", std::move(v));
        out.put("name", std::vector<std::string>{name});
        return out;
    });
    if (!cols) return cols.error();
    H5Columns& cs = cols.value();
    const std::vector<uint64_t> nv = cs.takeU64("n");
    const std::vector<double> v = cs.takeF64("values");
    if (nv.size() != 1 || nv[0] == 0 || v.size() != nv[0] * nv[0])
        return Error{path, 0, "the HDF5 reading child sent an inconsistent matrix"};
    const size_t n = size_t(nv[0]);
    MatrixBuilder b(path, n);
    for (size_t i = 0; i < n; ++i) {
        for (size_t j = 0; j < n; ++j) {
            // MATLAB writes column-major: element (i, j) of the MATLAB matrix is at j * n + i in HDF5's
            // order.
            const double x = mat ? v[j * n + i] : v[i * n + j];
            if (auto e = b.add(i, j, x, 0)) return *e;
        }
        if (opt.progress && (i & 63) == 0 && !opt.progress(double(i) / double(n)))
            return Error{path, 0, "cancelled"};
    }
    return b.finish({});
}

} // namespace nr
