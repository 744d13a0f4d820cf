// Delimited text (CSV, TSV, ';'-separated, whitespace-separated): a block-reading line source with a line
// length cap, a quote-aware field splitter, number parsing and a small string interner. Used by the edge
// list and node table readers; nothing here allocates per field on the fast path.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/Text.h"
#include "model/Error.h"

namespace nr::csv {

// Longest line accepted. Longer ones are refused before they are read into memory in full.
constexpr size_t kMaxLineBytes = size_t(1) << 20;

// Reads a text file in large blocks and hands out one line at a time (without the line break; a CR before
// the LF is dropped; a UTF-8 byte order mark at the start is skipped). Lines with control bytes other than
// tab are refused as binary data.
class LineReader {
public:
    LineReader() = default;
    ~LineReader();
    LineReader(const LineReader&) = delete;
    LineReader& operator=(const LineReader&) = delete;

    // Opens `path`; on failure error() says why. `blockBytes` (0: 8 MB) is the read size, at least 1 MB + 64
    // kB.
    bool open(const std::string& path, size_t blockBytes = 0);
    // Next line into `line` (valid until the next call). False at the end of the file or on error.
    bool next(std::string_view& line);
    // 1-based number of the line last returned.
    long lineNumber() const { return line_; }
    // True when the last line returned was the file's last and had no line break after it.
    bool atUnterminatedEnd() const { return unterminatedEnd_; }
    // Bytes consumed / file size, 0..1.
    double fraction() const;
    uint64_t fileSize() const { return size_; }
    bool failed() const { return failed_; }
    const Error& error() const { return err_; }
    const std::string& path() const { return path_; }

private:
    bool fill();
    bool fail(long line, std::string reason);

    std::string path_;
    std::FILE* f_ = nullptr;
    std::vector<char> buf_;
    size_t pos_ = 0, end_ = 0;
    uint64_t size_ = 0, consumed_ = 0;
    long line_ = 0;
    bool eof_ = false, failed_ = false, unterminatedEnd_ = false, first_ = true;
    Error err_;
};

// Picks the delimiter of a header line: the most frequent of tab, ';' and ',' outside quotes, else ' '
// (runs of spaces and tabs).
char detectDelimiter(std::string_view header);

// Splits `line` into fields. Fields are trimmed of surrounding spaces (and tabs unless tab is the
// delimiter); "quoted" fields may contain the delimiter and "" for a quote. Unquoted text goes straight into
// `fields` as views of `line`; unescaped quoted text is written into `scratch`, which must outlive the views.
// Returns false with `reason` set on an unterminated quote or text after a closing quote.
bool splitLine(std::string_view line, char delim, std::vector<std::string_view>& fields, std::string& scratch,
               std::string& reason);

// Error{path, line, "column 'source' appears twice in the header (columns 1 and 2)"} when two header fields
// have the same name (trimmed, case-insensitive; empty names are not compared); nothing when all differ.
Status duplicateColumn(const std::string& path, long line, const std::vector<std::string_view>& header);

std::string_view trim(std::string_view s);
using nr::lower; // base/Text.h
// True when lower(s) equals one of `names`.
bool oneOf(std::string_view s, std::initializer_list<const char*> names);

// Whole-field number parsing (a leading '+' is allowed). parseNumber accepts nan/inf; check finiteness apart
// so the error can say which it was.
bool parseNumber(std::string_view s, double& v);
bool parseInteger(std::string_view s, long long& v);

// Shortens text for an error message and makes control bytes visible.
std::string quoteForError(std::string_view s, size_t maxLen = 40);

// Maps names to dense ids in order of first appearance (open addressing, linear probing); the names
// themselves live in `names`.
class Interner {
public:
    explicit Interner(size_t expected = 1024);
    uint32_t intern(std::string_view s);
    // The same with hash(s) computed beforehand; prefetch(hash(s)) a little earlier hides the memory access.
    uint32_t intern(std::string_view s, uint64_t h);
    void prefetch(uint64_t h) const;
    static uint64_t hash(std::string_view s);
    // ~0u when absent.
    uint32_t find(std::string_view s) const;
    size_t size() const { return names.size(); }
    std::vector<std::string> names;

private:
    void grow();
    std::vector<uint64_t> slots_;
    size_t mask_ = 0;
};

// A whole delimited table with a header: cells are kept in one byte arena, row-major.
struct Table {
    std::string file;
    char delim = ',';
    std::vector<std::string> header; // trimmed, as written
    long headerLine = 1;
    std::vector<long> rowLine; // 1-based file line of each row
    size_t rows() const { return rowLine.size(); }
    size_t cols() const { return header.size(); }
    std::string_view cell(size_t r, size_t c) const {
        const size_t k = r * header.size() + c;
        return std::string_view(arena.data() + start[k], start[k + 1] - start[k]);
    }
    // Index of the column named (case-insensitively) by the earliest entry of `names` that has one, or -1.
    int column(std::initializer_list<const char*> names) const;

    std::string arena;
    std::vector<uint64_t> start{0};
};

// Reads a delimited table with a header line. Blank lines are skipped; every row must have as many fields
// as the header. progress(fraction) returning false cancels.
Result<Table> readTable(const std::string& path, const std::function<bool(double)>& progress = {});

// The header fields of a delimited file (empty on any failure).
std::vector<std::string> readHeader(const std::string& path, char* delimOut = nullptr);

} // namespace nr::csv
