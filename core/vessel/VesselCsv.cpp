// VesselGraph and generic spatial graph CSV pairs: a hand-written parser over the memory-mapped file.
//
// Two passes over the file: the first counts line ends per chunk (so every chunk knows its first line number
// and where its rows go), the second parses the chunks in parallel straight into the final columns. Blank
// lines leave gaps that are closed afterwards. Node ids are mapped to indices before the edge file is read,
// so each edge row is validated and stored as two uint32 indices as it is parsed.
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <unordered_map>

#include "base/Text.h"
#include "model/FileKind.h"
#include "vessel/VesselFormats.h"
#include "vessel/VesselText.h"

namespace nr {

using vessel::MappedFile;

namespace {

// First header line of a delimited text (BOM, blank and '#' lines skipped); its offset past the line in
// `after` and its 1-based line number in `lineNo`.
std::string headerLine(const char* b, const char* e, size_t* after = nullptr, long* lineNo = nullptr) {
    const char* p = b;
    if (e - p >= 3 && std::memcmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3;
    long line = 1;
    while (p < e) {
        const char* nl = static_cast<const char*>(std::memchr(p, '\n', size_t(e - p)));
        const char* le = nl ? nl : e;
        const char* q = p;
        while (q < le && (*q == ' ' || *q == '\t' || *q == '\r')) ++q;
        if (q < le && *q != '#') {
            const char* t = le;
            while (t > p && (t[-1] == '\r' || t[-1] == ' ' || t[-1] == '\t')) --t;
            if (after) *after = size_t((nl ? nl + 1 : e) - b);
            if (lineNo) *lineNo = line;
            return std::string(p, t);
        }
        p = nl ? nl + 1 : e;
        ++line;
    }
    if (after) *after = size_t(e - b);
    if (lineNo) *lineNo = line;
    return {};
}

char delimiterOf(const std::string& header) {
    const size_t semi = size_t(std::count(header.begin(), header.end(), ';'));
    const size_t comma = size_t(std::count(header.begin(), header.end(), ','));
    const size_t tab = size_t(std::count(header.begin(), header.end(), '\t'));
    if (semi >= comma && semi >= tab && semi > 0) return ';';
    if (tab > comma) return '\t';
    return ',';
}

std::vector<std::string> splitHeader(const std::string& header, char delim) {
    std::vector<std::string> out;
    size_t s = 0;
    for (;;) {
        size_t d = header.find(delim, s);
        std::string f = header.substr(s, d == std::string::npos ? std::string::npos : d - s);
        size_t a = 0, b = f.size();
        while (a < b && (f[a] == ' ' || f[a] == '\t' || f[a] == '"' || f[a] == '\'')) ++a;
        while (b > a && (f[b - 1] == ' ' || f[b - 1] == '\t' || f[b - 1] == '"' || f[b - 1] == '\'')) --b;
        out.push_back(f.substr(a, b - a));
        if (d == std::string::npos) break;
        s = d + 1;
    }
    return out;
}

int findName(const std::vector<std::string>& cols, std::initializer_list<const char*> names) {
    for (const char* n : names)
        for (size_t i = 0; i < cols.size(); ++i)
            if (lower(cols[i]) == n) return int(i);
    return -1;
}

const std::initializer_list<const char*> kStrictNodeId = {"id"};
const std::initializer_list<const char*> kNodeId = {"id", "node", "node_id", "nodeid", "name", "index"};
const std::initializer_list<const char*> kX = {"pos_x", "x"}, kY = {"pos_y", "y"}, kZ = {"pos_z", "z"};
const std::initializer_list<const char*> kStrictSrc = {"node1id"}, kStrictDst = {"node2id"};
const std::initializer_list<const char*> kSrc = {"node1id", "source", "src", "from", "node1", "u", "start"};
const std::initializer_list<const char*> kDst = {"node2id", "target", "dst", "to", "node2", "v", "end"};

// ---- the column plan of one table ----
enum class Role : unsigned char { Skip, Id, Src, Dst, X, Y, Z, Attr };
struct Col {
    Role role = Role::Skip;
    int attr = -1;       // index into the attribute columns (Role::Attr)
    bool nonNeg = false; // radius-like: negative or NaN is an error
    std::string name;
};

bool radiusLike(const std::string& name) {
    const std::string l = lower(name);
    return l.find("radius") != std::string::npos || l.find("diam") != std::string::npos || l == "length";
}

struct Table {
    std::string path;
    MappedFile file;
    char delim = ',';
    std::vector<Col> cols;
    std::vector<std::string> attrNames;
    size_t dataStart = 0; // byte offset of the first line after the header
    long dataLine = 2;    // its 1-based line number
};

// Node ids -> indices.
struct NodeIndex {
    size_t n = 0;
    bool identity = true;
    int64_t lo = 0;
    std::vector<uint32_t> dense;
    std::vector<std::pair<int64_t, uint32_t>> sorted;
    static constexpr uint32_t kNone = 0xFFFFFFFFu;
    uint32_t find(int64_t id) const {
        if (identity) return id >= 0 && uint64_t(id) < n ? uint32_t(id) : kNone;
        if (!dense.empty()) {
            const uint64_t k = uint64_t(id - lo);
            return id >= lo && k < dense.size() ? dense[k] : kNone;
        }
        auto it = std::lower_bound(sorted.begin(), sorted.end(), std::make_pair(id, uint32_t(0)));
        return it != sorted.end() && it->first == id ? it->second : kNone;
    }
};

struct Targets {
    int64_t* ids = nullptr;
    float *x = nullptr, *y = nullptr, *z = nullptr;
    uint32_t *src = nullptr, *dst = nullptr;
    std::vector<float*> attrs;
};

struct Chunk {
    const char* b = nullptr;
    const char* e = nullptr;
    size_t lines = 0; // line ends in [b, e) (+1 when the last line has none)
    size_t rowBase = 0;
    long firstLine = 0;
    size_t rows = 0;
    long endLine = 0; // line number after the last line parsed
    bool failed = false;
    Error err;
};

inline bool blankRest(const char* p, const char* e) {
    while (p < e && *p != '\n') {
        if (*p != ' ' && *p != '\t' && *p != '\r') return false;
        ++p;
    }
    return true;
}

std::string fieldText(const char* p, const char* e, char delim) {
    const char* q = p;
    while (q < e && *q != delim && *q != '\n' && *q != '\r' && q - p < 40) ++q;
    return std::string(p, q);
}

// Parses the rows of one chunk into the targets.
void parseChunk(const Table& t, Chunk& c, Targets& out, const NodeIndex* index, const std::string& nodeFile,
                std::atomic<bool>& stop, std::atomic<size_t>& bytesDone, bool reporter,
                const OpenOptions& opt, double progBase, double progSpan, size_t totalBytes) {
    const char delim = t.delim;
    const size_t ncols = t.cols.size();
    const char* p = c.b;
    const char* const e = c.e;
    long line = c.firstLine;
    size_t row = c.rowBase;
    const char* lastReport = p;
    auto fail = [&](std::string reason) {
        c.failed = true;
        c.err = Error{t.path, line, std::move(reason)};
        stop = true;
    };
    size_t sinceCheck = 0;
    while (p < e) {
        if (++sinceCheck == 16384) {
            sinceCheck = 0;
            bytesDone += size_t(p - lastReport);
            lastReport = p;
            if (stop.load(std::memory_order_relaxed)) return;
            if (reporter && !opt.say(progBase + progSpan * double(bytesDone.load()) / double(totalBytes),
                                     "reading " + baseName(t.path))) {
                c.failed = true;
                c.err = Error{t.path, 0, "cancelled"};
                stop = true;
                return;
            }
        }
        // Blank lines (only white space) are skipped.
        if ((*p == '\n' || *p == '\r' || *p == ' ' || *p == '\t') && blankRest(p, e)) {
            const char* nl = static_cast<const char*>(std::memchr(p, '\n', size_t(e - p)));
            p = nl ? nl + 1 : e;
            ++line;
            continue;
        }
        for (size_t k = 0; k < ncols; ++k) {
            const Col& col = t.cols[k];
            while (p < e && *p == ' ') ++p;
            const bool empty = p >= e || *p == delim || *p == '\n' || *p == '\r';
            switch (col.role) {
            case Role::Skip:
                if (p < e && *p == '"') {
                    const char* q = static_cast<const char*>(std::memchr(p + 1, '"', size_t(e - p - 1)));
                    p = q ? q + 1 : e;
                }
                while (p < e && *p != delim && *p != '\n' && *p != '\r') ++p;
                break;
            case Role::Id:
            case Role::Src:
            case Role::Dst: {
                int64_t v = 0;
                if (empty) return fail("column " + col.name + " is empty");
                const char* s = p;
                if (!vessel::parseInt(p, e, v))
                    return fail("column " + col.name + ": '" + fieldText(s, e, delim) +
                                "' is not an integer id");
                if (col.role == Role::Id) {
                    out.ids[row] = v;
                } else {
                    const uint32_t i = index->find(v);
                    if (i == NodeIndex::kNone)
                        return fail("edge names node " + std::to_string(v) + " (column " + col.name +
                                    "), which is not in " + baseName(nodeFile));
                    (col.role == Role::Src ? out.src : out.dst)[row] = i;
                }
                break;
            }
            case Role::X:
            case Role::Y:
            case Role::Z:
            case Role::Attr: {
                double v = __builtin_nan("");
                const char* s0 = p;
                if (empty) {
                    if (col.role != Role::Attr) return fail("column " + col.name + " is empty");
                } else {
                    const char* s = p;
                    if (!vessel::parseNumber(p, e, v))
                        return fail("column " + col.name + ": '" + fieldText(s, e, delim) +
                                    "' is not a number");
                }
                // Values are kept as float: infinity, and numbers beyond float range, are refused.
                const bool finite = std::isfinite(v) && std::fabs(v) <= 3.4028234663852886e38;
                if (col.role == Role::Attr) {
                    if (col.nonNeg && !(v >= 0))
                        return fail("column " + col.name + ": " + (std::isnan(v) ? "NaN" : "negative") +
                                    " value " + (empty ? std::string("(empty)") : std::to_string(v)) +
                                    " (must be a number >= 0)");
                    if (!empty && !std::isnan(v) && !finite)
                        return fail("column " + col.name + ": '" + std::string(s0, size_t(p - s0)) +
                                    "' is not a finite number");
                    out.attrs[size_t(col.attr)][row] = float(v);
                } else {
                    if (!finite)
                        return fail("column " + col.name + ": position is not finite ('" +
                                    std::string(s0, size_t(p - s0)) + "')");
                    (col.role == Role::X ? out.x : col.role == Role::Y ? out.y : out.z)[row] = float(v);
                }
                break;
            }
            }
            while (p < e && *p == ' ') ++p;
            if (k + 1 < ncols) {
                if (p >= e || *p == '\n' || *p == '\r')
                    return fail("truncated line: " + std::to_string(k + 1) + " of " + std::to_string(ncols) +
                                " fields");
                if (*p != delim)
                    return fail("column " + col.name + ": unexpected '" + fieldText(p, e, delim) +
                                "' after the value");
                ++p;
            } else {
                while (p < e && (*p == '\r' || *p == '\t' || *p == ' ')) ++p;
                if (p < e && *p != '\n') {
                    if (*p == delim && blankRest(p + 1, e)) { // a trailing delimiter
                        const char* nl = static_cast<const char*>(std::memchr(p, '\n', size_t(e - p)));
                        p = nl ? nl : e;
                    } else {
                        return fail(*p == delim ? "more fields than the header's " + std::to_string(ncols)
                                                : "column " + col.name + ": unexpected '" +
                                                      fieldText(p, e, delim) + "' after the value");
                    }
                }
            }
        }
        if (p < e) ++p; // the '\n'
        ++line;
        ++row;
    }
    bytesDone += size_t(p - lastReport);
    c.rows = row - c.rowBase;
    c.endLine = line;
}

// Classifies the header and sets up the column plan. `edges` selects the edge roles.
Status planTable(Table& t, bool edges, bool strict) {
    size_t after = 0;
    long hl = 1;
    const std::string header = headerLine(t.file.data(), t.file.end(), &after, &hl);
    if (header.empty()) return Error{t.path, 0, "empty file: no header line"};
    t.delim = delimiterOf(header);
    t.dataStart = after;
    t.dataLine = hl + 1;
    const std::vector<std::string> names = splitHeader(header, t.delim);
    {
        std::unordered_map<std::string, size_t> seen;
        for (size_t i = 0; i < names.size(); ++i) {
            if (names[i].empty()) continue;
            auto r = seen.emplace(lower(names[i]), i);
            if (!r.second)
                return Error{t.path, hl,
                             "column '" + names[i] + "' appears twice in the header (fields " +
                                 std::to_string(r.first->second + 1) + " and " + std::to_string(i + 1) + ")"};
        }
    }
    t.cols.assign(names.size(), Col{});
    for (size_t i = 0; i < names.size(); ++i)
        t.cols[i].name = names[i].empty() ? "#" + std::to_string(i + 1) : names[i];
    auto need = [&](std::initializer_list<const char*> aliases, Role role, const char* what) -> Status {
        const int i = findName(names, aliases);
        if (i < 0) return Error{t.path, hl, std::string("header has no ") + what + " column"};
        t.cols[size_t(i)].role = role;
        return std::nullopt;
    };
    if (edges) {
        if (auto s = need(strict ? kStrictSrc : kSrc, Role::Src, strict ? "node1id" : "source")) return s;
        if (auto s = need(strict ? kStrictDst : kDst, Role::Dst, strict ? "node2id" : "target")) return s;
        const int id = findName(names, {"id", "edge_id", "edgeid"});
        if (id >= 0 && t.cols[size_t(id)].role == Role::Skip) t.cols[size_t(id)].role = Role::Id;
    } else {
        if (auto s = need(strict ? kStrictNodeId : kNodeId, Role::Id, "id")) return s;
        if (auto s = need(kX, Role::X, "x (pos_x)")) return s;
        if (auto s = need(kY, Role::Y, "y (pos_y)")) return s;
        if (auto s = need(kZ, Role::Z, "z (pos_z)")) return s;
    }
    for (auto& c : t.cols) {
        if (c.role != Role::Skip) continue;
        for (const auto& n : t.attrNames)
            if (n == c.name) return Error{t.path, hl, "column " + c.name + " appears twice in the header"};
        c.role = Role::Attr;
        c.attr = int(t.attrNames.size());
        c.nonNeg = radiusLike(c.name);
        t.attrNames.push_back(c.name);
    }
    return std::nullopt;
}

// Attribute columns whose first value is not a number are text: they are skipped (with a warning).
void dropTextColumns(Table& t, std::vector<std::string>* warnings) {
    const char* p = t.file.data() + t.dataStart;
    const char* e = t.file.end();
    long line = t.dataLine;
    while (p < e && blankRest(p, e)) {
        const char* nl = static_cast<const char*>(std::memchr(p, '\n', size_t(e - p)));
        p = nl ? nl + 1 : e;
        ++line;
    }
    for (size_t k = 0; k < t.cols.size() && p < e; ++k) {
        Col& c = t.cols[k];
        while (p < e && *p == ' ') ++p;
        const char* s = p;
        while (p < e && *p != t.delim && *p != '\n' && *p != '\r') ++p;
        if (c.role == Role::Attr && p > s) {
            const char* q = s;
            double v;
            if (!vessel::parseNumber(q, p, v)) {
                c.role = Role::Skip;
                if (warnings)
                    warnings->push_back(t.path + ":" + std::to_string(line) + ": column " + c.name +
                                        " is text ('" + std::string(s, p) + "'), not kept");
            }
        }
        if (p < e && *p == t.delim) ++p;
    }
    // Renumber the kept attributes.
    t.attrNames.clear();
    for (auto& c : t.cols)
        if (c.role == Role::Attr) {
            c.attr = int(t.attrNames.size());
            t.attrNames.push_back(c.name);
        }
}

size_t bytesPerRow(const Table& t) {
    size_t b = 0;
    for (const auto& c : t.cols) b += c.role == Role::Id ? 8 : c.role == Role::Skip ? 0 : 4;
    return b;
}

// Estimated number of rows from the mean length of the first lines.
size_t estimateRows(const Table& t) {
    const char* p = t.file.data() + t.dataStart;
    const size_t rest = t.file.size() - t.dataStart;
    const size_t sample = std::min<size_t>(rest, 1 << 16);
    size_t lines = size_t(std::count(p, p + sample, '\n'));
    if (lines == 0) return rest ? 1 : 0;
    return size_t(double(rest) / (double(sample) / double(lines))) + 1;
}

// Line number of data row `row` (0-based, blank lines skipped), for messages about a row found after parsing.
long lineOfRow(const Table& t, size_t row) {
    const char* p = t.file.data() + t.dataStart;
    const char* e = t.file.end();
    long line = t.dataLine;
    size_t r = 0;
    while (p < e) {
        const bool blank = blankRest(p, e);
        if (!blank) {
            if (r == row) return line;
            ++r;
        }
        const char* nl = static_cast<const char*>(std::memchr(p, '\n', size_t(e - p)));
        p = nl ? nl + 1 : e;
        ++line;
    }
    return 0;
}

struct Parsed {
    size_t rows = 0;
};

// Parses the whole table. `alloc(rowsUpperBound)` sizes the outputs and returns their targets.
template <class Alloc>
Result<Parsed> parseTable(const Table& t, Alloc alloc, const NodeIndex* index, const std::string& nodeFile,
                          const OpenOptions& opt, double progBase, double progSpan) {
    const char* b = t.file.data() + t.dataStart;
    const char* e = t.file.end();
    const size_t bytes = size_t(e - b);
    unsigned nthreads = std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
    const std::string given = opt.option("threads");
    if (!given.empty()) nthreads = unsigned(std::max(1, std::min(64, std::atoi(given.c_str()))));
    if (bytes < (1u << 20)) nthreads = 1;
    std::vector<Chunk> chunks(nthreads);
    const char* s = b;
    for (unsigned i = 0; i < nthreads; ++i) {
        const char* ce = i + 1 == nthreads ? e : b + bytes / nthreads * (i + 1);
        if (ce < s) ce = s;
        if (ce < e) {
            const char* nl = static_cast<const char*>(std::memchr(ce, '\n', size_t(e - ce)));
            ce = nl ? nl + 1 : e;
        }
        chunks[i].b = s;
        chunks[i].e = ce;
        s = ce;
    }
    // The file is read in blocks with pread rather than through its mapping: on virtual machines the first
    // touch of every 4 kB page of a mapping is expensive, and a copy from the page cache into a small buffer
    // that stays mapped costs much less. The mapping is only used for the header and the chunk boundaries.
    const int fd = ::open(t.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Error{t.path, 0, std::string("cannot open: ") + std::strerror(errno)};
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    const char* const base = t.file.data();
    // Bytes read at a time (the "block_bytes" option, for tests; a line longer than a block grows it).
    size_t kBlock = size_t(4) << 20;
    const std::string blockGiven = opt.option("block_bytes");
    if (!blockGiven.empty())
        kBlock = std::max<size_t>(1, size_t(std::strtoull(blockGiven.c_str(), nullptr, 10)));
    // Reads [off, off + n) into dst; false on a read error or a short file.
    auto readAt = [fd](char* dst, size_t n, size_t off) {
        while (n > 0) {
            const ssize_t r = ::pread(fd, dst, n, off_t(off));
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) return false;
            dst += r, off += size_t(r), n -= size_t(r);
        }
        return true;
    };
    // Pass 1: line ends per chunk.
    auto countLines = [&](Chunk& c) {
        // Eight bytes at a time: a byte of x is 0 where the text has '\n'; t gets its top bit set exactly
        // there.
        size_t n = 0;
        std::vector<char> buf(std::min(kBlock, size_t(c.e - c.b)));
        const uint64_t lo7 = 0x7F7F7F7F7F7F7F7FULL, nl = 0x0A0A0A0A0A0A0A0AULL;
        for (size_t off = size_t(c.b - base); off < size_t(c.e - base);) {
            const size_t len = std::min(buf.size(), size_t(c.e - base) - off);
            if (!readAt(buf.data(), len, off)) {
                c.failed = true;
                c.err = Error{t.path, 0, "read error"};
                return;
            }
            const char* p = buf.data();
            size_t i = 0;
            for (; i + 8 <= len; i += 8) {
                uint64_t w;
                std::memcpy(&w, p + i, 8);
                const uint64_t x = w ^ nl;
                const uint64_t t = ~(((x & lo7) + lo7) | x | lo7);
                n += size_t(((t >> 7) * 0x0101010101010101ULL) >> 56); // one bit per byte: sum the bytes
            }
            for (; i < len; ++i) n += p[i] == '\n';
            off += len;
        }
        if (c.e > c.b && c.e[-1] != '\n') ++n; // a last line without a line end
        c.lines = n;
    };
    {
        std::vector<std::thread> th;
        for (unsigned i = 1; i < nthreads; ++i) th.emplace_back(countLines, std::ref(chunks[i]));
        countLines(chunks[0]);
        for (auto& x : th) x.join();
    }
    for (auto& c : chunks)
        if (c.failed) return c.err;
    size_t total = 0;
    long line = t.dataLine;
    for (auto& c : chunks) {
        c.rowBase = total;
        c.firstLine = line;
        total += c.lines;
        line += long(c.lines);
    }
    if (total >= size_t(NodeIndex::kNone)) return Error{t.path, 0, "more than 4 billion rows"};
    Targets out = alloc(total);
    std::atomic<bool> stop{false};
    std::atomic<size_t> done{0};
    // Pass 2: each chunk is read block by block; the whole lines of a block are parsed, a partial last line
    // is carried to the front of the buffer for the next read.
    auto parseStream = [&](Chunk& c, bool reporter) {
        const size_t end = size_t(c.e - base);
        size_t off = size_t(c.b - base), carry = 0;
        size_t row = c.rowBase;
        long ln = c.firstLine;
        std::vector<char> buf(std::min(kBlock, end - off) + 1);
        while (off < end) {
            if (carry == buf.size()) buf.resize(buf.size() * 2); // a line longer than the buffer
            const size_t len = std::min(buf.size() - carry, end - off);
            if (!readAt(buf.data() + carry, len, off)) {
                c.failed = true;
                c.err = Error{t.path, 0, "read error"};
                stop = true;
                return;
            }
            off += len;
            const size_t avail = carry + len;
            size_t whole = avail;
            if (off < end) {
                const char* q = static_cast<const char*>(::memrchr(buf.data(), '\n', avail));
                whole = q ? size_t(q - buf.data()) + 1 : 0;
            }
            if (whole > 0) {
                Chunk part;
                part.b = buf.data();
                part.e = buf.data() + whole;
                part.rowBase = row;
                part.firstLine = ln;
                parseChunk(t, part, out, index, nodeFile, stop, done, reporter, opt, progBase, progSpan,
                           bytes);
                if (part.failed) {
                    c.failed = true;
                    c.err = std::move(part.err);
                    return;
                }
                if (stop.load(std::memory_order_relaxed)) return;
                row += part.rows;
                ln = part.endLine;
            }
            carry = avail - whole;
            std::memmove(buf.data(), buf.data() + whole, carry);
        }
        c.rows = row - c.rowBase;
    };
    {
        std::vector<std::thread> th;
        for (unsigned i = 1; i < nthreads; ++i) th.emplace_back([&, i] { parseStream(chunks[i], false); });
        parseStream(chunks[0], true);
        for (auto& x : th) x.join();
    }
    // The first failure in file order.
    for (auto& c : chunks)
        if (c.failed && c.err.reason != "cancelled") return c.err;
    for (auto& c : chunks)
        if (c.failed) return c.err;
    Parsed r;
    // Close the gaps left by blank lines.
    size_t w = 0;
    for (auto& c : chunks) {
        if (c.rowBase != w && c.rows) {
            auto move = [&](auto* a) {
                if (a) std::memmove(a + w, a + c.rowBase, c.rows * sizeof(*a));
            };
            move(out.ids);
            move(out.x);
            move(out.y);
            move(out.z);
            move(out.src);
            move(out.dst);
            for (float* a : out.attrs) move(a);
        }
        w += c.rows;
    }
    r.rows = w;
    return r;
}

Status budgetCheck(const Table& t, size_t extraBytes, const OpenOptions& opt) {
    const size_t rows = estimateRows(t);
    const double need = double(rows) * double(bytesPerRow(t)) * 1.05 + double(extraBytes);
    const size_t budget = vessel::memoryBudget(opt);
    if (need > double(budget))
        return Error{t.path, 0,
                     "too big for this machine's memory: about " + std::to_string(rows) +
                         " rows need about " + vessel::formatBytes(need) + ", only " +
                         vessel::formatBytes(double(budget)) + " can be used"};
    return std::nullopt;
}

std::string partnerCandidate(const std::string& path, const std::string& from, const std::string& to) {
    const size_t slash = path.find_last_of('/');
    const size_t start = slash == std::string::npos ? 0 : slash + 1;
    std::string base = path.substr(start);
    std::string lb = lower(base);
    const size_t at = lb.rfind(from);
    if (at == std::string::npos) return "";
    std::string cand = to;
    // Keep the case of the original ("Nodes" -> "Edges").
    for (size_t i = 0; i < cand.size() && i < from.size(); ++i)
        if (std::isupper(static_cast<unsigned char>(base[at + i])))
            cand[i] = char(std::toupper(static_cast<unsigned char>(cand[i])));
    base.replace(at, from.size(), cand);
    return path.substr(0, start) + base;
}

} // namespace

std::string vesselPartnerFile(const std::string& path) {
    const std::string lb = lower(baseName(path));
    const std::pair<const char*, const char*> pairs[] = {
        {"nodes", "edges"}, {"edges", "nodes"}, {"vertices", "edges"}, {"edges", "vertices"}};
    for (const auto& pr : pairs) {
        if (lb.find(pr.first) == std::string::npos) continue;
        const std::string c = partnerCandidate(path, pr.first, pr.second);
        if (fileExists(c) && c != path) return c;
    }
    return "";
}

std::string vesselPartnerNotAFile(const std::string& path) {
    const std::string lb = lower(baseName(path));
    const std::pair<const char*, const char*> pairs[] = {
        {"nodes", "edges"}, {"edges", "nodes"}, {"vertices", "edges"}, {"edges", "vertices"}};
    for (const auto& pr : pairs) {
        if (lb.find(pr.first) == std::string::npos) continue;
        const std::string c = partnerCandidate(path, pr.first, pr.second);
        if (c.empty() || c == path) continue;
        const PathKind k = pathKind(c);
        if (k != PathKind::Missing && k != PathKind::Regular) return c;
    }
    return "";
}

VesselTableKind vesselTableKind(const std::string& head, bool strict) {
    const char* b = head.data();
    const std::string h = headerLine(b, b + head.size());
    if (h.empty()) return VesselTableKind::None;
    const char d = delimiterOf(h);
    const std::vector<std::string> names = splitHeader(h, d);
    if (names.size() < 2) return VesselTableKind::None;
    if (findName(names, strict ? kStrictSrc : kSrc) >= 0 && findName(names, strict ? kStrictDst : kDst) >= 0)
        return VesselTableKind::Edges;
    if (findName(names, strict ? kStrictNodeId : kNodeId) >= 0) {
        if (strict) {
            if (findName(names, {"pos_x"}) >= 0 && findName(names, {"pos_y"}) >= 0 &&
                findName(names, {"pos_z"}) >= 0)
                return VesselTableKind::Nodes;
        } else if (findName(names, kX) >= 0 && findName(names, kY) >= 0 && findName(names, kZ) >= 0) {
            return VesselTableKind::Nodes;
        }
    }
    return VesselTableKind::None;
}

Result<VesselGraph> readVesselCsvPair(const std::string& a, const std::string& b, const OpenOptions& opt,
                                      std::vector<std::string>* warnings) {
    Table nodes, edges;
    for (const std::string* p : {&a, &b})
        if (!p->empty())
            if (auto s = requireRegularFile(*p, "vessel table")) return *s;
    {
        // Classify both files by their headers.
        const std::string ha = readHead(a), hb = readHead(b);
        const VesselTableKind ka = vesselTableKind(ha, false), kb = vesselTableKind(hb, false);
        if (ka == VesselTableKind::Nodes && kb == VesselTableKind::Edges) {
            nodes.path = a, edges.path = b;
        } else if (ka == VesselTableKind::Edges && kb == VesselTableKind::Nodes) {
            nodes.path = b, edges.path = a;
        } else {
            const std::string& bad =
                (ka == VesselTableKind::None || ka == kb) ? (ka == VesselTableKind::None ? a : b) : b;
            if (a.empty() || b.empty())
                return Error{a.empty() ? b : a, 0, "a vessel graph needs a node table and an edge table"};
            return Error{bad, 1,
                         "expected one node table (id;pos_x;pos_y;pos_z or id,x,y,z) and one edge table "
                         "(node1id;node2id or source,target); this header is " +
                             std::string(ka == kb && ka != VesselTableKind::None
                                             ? "the same kind as the other file's"
                                             : "neither")};
        }
    }
    if (auto s = nodes.file.open(nodes.path, false)) return *s;
    if (auto s = edges.file.open(edges.path, false)) return *s;
    const bool strictNodes = vesselTableKind(readHead(nodes.path), true) == VesselTableKind::Nodes;
    const bool strictEdges = vesselTableKind(readHead(edges.path), true) == VesselTableKind::Edges;
    if (auto s = planTable(nodes, false, strictNodes)) return *s;
    if (auto s = planTable(edges, true, strictEdges)) return *s;
    dropTextColumns(nodes, warnings);
    dropTextColumns(edges, warnings);

    // Refuse before allocating when the parsed graph would not fit.
    const size_t nodeRowsEst = estimateRows(nodes);
    if (auto s = budgetCheck(edges, nodeRowsEst * (bytesPerRow(nodes) + 8), opt)) return *s;
    if (auto s = budgetCheck(nodes, 0, opt)) return *s;

    VesselGraph g;
    std::vector<int64_t> ids;
    // Columns are sized on several threads at once: the first touch of fresh memory (page faults, zeroing)
    // is a large share of the parse.
    auto sizeColumns = [](std::vector<std::function<void()>>& jobs) {
        const size_t nt = std::max<size_t>(1, std::min<size_t>(4, std::thread::hardware_concurrency()));
        std::vector<std::thread> th;
        for (size_t k = 1; k < nt; ++k)
            th.emplace_back([&, k] {
                for (size_t j = k; j < jobs.size(); j += nt) jobs[j]();
            });
        for (size_t j = 0; j < jobs.size(); j += nt) jobs[j]();
        for (auto& x : th) x.join();
    };
    auto nodeAlloc = [&](size_t n) {
        Targets t;
        for (const auto& name : nodes.attrNames) g.nodeColumns.push_back({name, {}});
        std::vector<std::function<void()>> jobs = {
            [&] { vessel::resizeColumn(ids, n); }, [&] { vessel::resizeColumn(g.x, n); },
            [&] { vessel::resizeColumn(g.y, n); }, [&] { vessel::resizeColumn(g.z, n); }};
        for (auto& c : g.nodeColumns) jobs.push_back([&c, n] { vessel::resizeColumn(c.values, n); });
        sizeColumns(jobs);
        t.ids = ids.data();
        t.x = g.x.data();
        t.y = g.y.data();
        t.z = g.z.data();
        for (auto& c : g.nodeColumns) t.attrs.push_back(c.values.data());
        return t;
    };
    auto pn = parseTable(nodes, nodeAlloc, nullptr, "", opt, 0.0, 0.1);
    if (!pn) return pn.error();
    const size_t n = pn.value().rows;
    ids.resize(n);
    g.x.resize(n);
    g.y.resize(n);
    g.z.resize(n);
    for (auto& c : g.nodeColumns) c.values.resize(n);

    // Node id -> index, duplicates refused.
    NodeIndex index;
    index.n = n;
    for (size_t i = 0; i < n && index.identity; ++i) index.identity = ids[i] == int64_t(i);
    if (!index.identity) {
        auto mm = std::minmax_element(ids.begin(), ids.end());
        const int64_t lo = *mm.first, hi = *mm.second;
        auto dup = [&](size_t first, size_t second) {
            return Error{nodes.path, lineOfRow(nodes, second),
                         "duplicate node id " + std::to_string(ids[second]) + " (first on line " +
                             std::to_string(lineOfRow(nodes, first)) + ")"};
        };
        if (uint64_t(hi - lo) < uint64_t(4 * n + 1024)) {
            index.lo = lo;
            index.dense.assign(size_t(hi - lo) + 1, NodeIndex::kNone);
            for (size_t i = 0; i < n; ++i) {
                uint32_t& slot = index.dense[size_t(ids[i] - lo)];
                if (slot != NodeIndex::kNone) return dup(slot, i);
                slot = uint32_t(i);
            }
        } else {
            index.sorted.resize(n);
            for (size_t i = 0; i < n; ++i) index.sorted[i] = {ids[i], uint32_t(i)};
            std::sort(index.sorted.begin(), index.sorted.end());
            for (size_t i = 1; i < n; ++i)
                if (index.sorted[i].first == index.sorted[i - 1].first)
                    return dup(index.sorted[i - 1].second, index.sorted[i].second);
        }
        g.nodeIds = std::move(ids);
    }
    std::vector<int64_t>().swap(ids);

    bool hasEdgeIds = false;
    for (const auto& c : edges.cols) hasEdgeIds |= c.role == Role::Id;
    auto edgeAlloc = [&](size_t m) {
        Targets t;
        for (const auto& name : edges.attrNames) g.edgeColumns.push_back({name, {}});
        std::vector<std::function<void()>> jobs = {[&] { vessel::resizeColumn(g.src, m); },
                                                   [&] { vessel::resizeColumn(g.dst, m); }};
        if (hasEdgeIds) jobs.push_back([&] { vessel::resizeColumn(g.edgeIds, m); });
        for (auto& c : g.edgeColumns) jobs.push_back([&c, m] { vessel::resizeColumn(c.values, m); });
        sizeColumns(jobs);
        t.src = g.src.data();
        t.dst = g.dst.data();
        if (hasEdgeIds) t.ids = g.edgeIds.data();
        for (auto& c : g.edgeColumns) t.attrs.push_back(c.values.data());
        return t;
    };
    auto pe = parseTable(edges, edgeAlloc, &index, nodes.path, opt, 0.1, 0.9);
    if (!pe) return pe.error();
    const size_t m = pe.value().rows;
    auto fit = [&](auto& v) {
        if (v.size() == m) return;
        v.resize(m);
        v.shrink_to_fit();
    };
    fit(g.src);
    fit(g.dst);
    for (auto& c : g.edgeColumns) fit(c.values);
    if (hasEdgeIds) {
        fit(g.edgeIds);
        bool identity = true;
        for (size_t e = 0; e < m && identity; ++e) identity = g.edgeIds[e] == int64_t(e);
        if (identity) {
            std::vector<int64_t>().swap(g.edgeIds);
        } else {
            std::vector<std::pair<int64_t, uint32_t>> s(m);
            for (size_t e = 0; e < m; ++e) s[e] = {g.edgeIds[e], uint32_t(e)};
            std::sort(s.begin(), s.end());
            for (size_t i = 1; i < m; ++i)
                if (s[i].first == s[i - 1].first)
                    return Error{edges.path, lineOfRow(edges, s[i].second),
                                 "duplicate edge id " + std::to_string(s[i].first) + " (first on line " +
                                     std::to_string(lineOfRow(edges, s[i - 1].second)) + ")"};
        }
    }
    if (n > 0 && nodes.file.size() > 0) {
        // shrink node arrays when blank lines left room
        auto fitn = [&](auto& v) {
            if (v.capacity() > v.size() + v.size() / 64) v.shrink_to_fit();
        };
        fitn(g.x), fitn(g.y), fitn(g.z);
        for (auto& c : g.nodeColumns) fitn(c.values);
    }

    // Which columns hold length and radius.
    for (const char* c : {"length", "len", "segment_length"})
        if (g.edgeColumn(c)) {
            g.lengthColumn = c;
            break;
        }
    for (const char* c : {"avgRadiusAvg", "radius", "avg_radius", "r"})
        if (g.edgeColumn(c)) {
            g.radiusColumn = c;
            break;
        }
    if (g.radiusColumn.empty()) {
        if (const auto* d = g.edgeColumn("diameter")) {
            std::vector<float> r(d->size());
            for (size_t e = 0; e < r.size(); ++e) r[e] = (*d)[e] * 0.5f;
            g.setEdgeColumn("radius", std::move(r));
            g.radiusColumn = "radius";
        } else if (const auto* nr = g.nodeColumn("radius")) {
            // Generic spatial graphs often carry the radius on the nodes: an edge gets the mean of its ends.
            std::vector<float> r(m);
            for (size_t e = 0; e < m; ++e) r[e] = 0.5f * ((*nr)[g.src[e]] + (*nr)[g.dst[e]]);
            g.setEdgeColumn("radius", std::move(r));
            g.radiusColumn = "radius";
        }
    }
    g.units = opt.option("units", strictNodes && strictEdges ? "voxel" : "");
    g.computeBounds();
    return g;
}

} // namespace nr
