#include "CsvTable.h"

#include "MemoryBudget.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <sys/stat.h>

namespace nr::csv {

namespace {
constexpr size_t kBlockBytes = size_t(8) << 20;
}

// ---- LineReader -------------------------------------------------------------------------------------------

LineReader::~LineReader() {
    if (f_) std::fclose(f_);
}

bool LineReader::fail(long line, std::string reason) {
    failed_ = true;
    err_ = Error{path_, line, std::move(reason)};
    return false;
}

bool LineReader::open(const std::string& path, size_t blockBytes) {
    path_ = path;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return fail(0, std::string("cannot open: ") + std::strerror(errno));
    if (S_ISDIR(st.st_mode)) return fail(0, "is a directory, not a file");
    f_ = std::fopen(path.c_str(), "rb");
    if (!f_) return fail(0, std::string("cannot open: ") + std::strerror(errno));
    size_ = uint64_t(st.st_size);
    // A small file is read in one block of its own size (no line can be longer than the file).
    size_t block = std::max(blockBytes ? blockBytes : kBlockBytes, kMaxLineBytes + 65536);
    if (size_ + 1 < block) block = size_t(size_) + 1;
    buf_.resize(block);
    return true;
}

bool LineReader::fill() {
    if (pos_ > 0) {
        std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
        end_ -= pos_;
        pos_ = 0;
    }
    // A buffer sized from the file's stated size grows when the file holds more (special files, growth).
    const size_t full = kMaxLineBytes + 65536;
    if (end_ == buf_.size() && buf_.size() < full)
        buf_.resize(std::min(full, std::max<size_t>(4096, 2 * buf_.size())));
    const size_t n = std::fread(buf_.data() + end_, 1, buf_.size() - end_, f_);
    if (n == 0) {
        if (std::ferror(f_)) return fail(line_ + 1, std::string("read error: ") + std::strerror(errno));
        eof_ = true;
    }
    end_ += n;
    return true;
}

double LineReader::fraction() const {
    return size_ == 0 ? 1.0 : std::min(1.0, double(consumed_) / double(size_));
}

bool LineReader::next(std::string_view& line) {
    if (failed_ || !f_) return false;
    for (;;) {
        if (pos_ < end_) {
            const char* p = buf_.data() + pos_;
            const size_t avail = end_ - pos_;
            const char* nl = static_cast<const char*>(std::memchr(p, '\n', avail));
            if (nl || eof_) {
                const size_t len = nl ? size_t(nl - p) : avail;
                if (len > kMaxLineBytes)
                    return fail(line_ + 1,
                                "line longer than " + std::to_string(kMaxLineBytes) +
                                    " bytes; not a delimited text file, or line breaks are missing");
                line = std::string_view(p, len);
                pos_ += nl ? len + 1 : len;
                consumed_ += nl ? len + 1 : len;
                unterminatedEnd_ = !nl;
                break;
            }
            if (avail > kMaxLineBytes)
                return fail(line_ + 1, "line longer than " + std::to_string(kMaxLineBytes) +
                                           " bytes; not a delimited text file, or line breaks are missing");
        } else if (eof_) {
            return false;
        }
        if (!fill()) return false;
    }
    ++line_;
    if (first_) {
        first_ = false;
        const unsigned char* u = reinterpret_cast<const unsigned char*>(line.data());
        if (line.size() >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF)))
            return fail(1, "UTF-16 text is not supported; save the file as UTF-8");
        if (line.size() >= 3 && std::memcmp(line.data(), "\xEF\xBB\xBF", 3) == 0) line.remove_prefix(3);
        // A NUL byte near the start means binary data: say so rather than complain about the header.
        const size_t scan = std::min<size_t>(end_, 65536);
        if (const void* z = std::memchr(buf_.data(), 0, scan)) {
            const char* zp = static_cast<const char*>(z);
            const long zl = 1 + long(std::count(static_cast<const char*>(buf_.data()), zp, '\n'));
            const char* ls = zp;
            while (ls > buf_.data() && ls[-1] != '\n') --ls;
            return fail(zl, "binary data (byte 0x00 at column " + std::to_string(zp - ls + 1) +
                                "); not a text file");
        }
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    for (size_t i = 0; i < line.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(line[i]);
        if (c < 0x20 && c != '\t') {
            if (c == '\r')
                return fail(line_, "carriage return inside a line at column " + std::to_string(i + 1) +
                                       " (line breaks must be LF or CRLF)");
            char hex[8];
            std::snprintf(hex, sizeof hex, "0x%02X", c);
            return fail(line_, std::string("binary data (byte ") + hex + " at column " +
                                   std::to_string(i + 1) + "); not a text file");
        }
    }
    return true;
}

// ---- fields -----------------------------------------------------------------------------------------------

char detectDelimiter(std::string_view header) {
    size_t tabs = 0, semis = 0, commas = 0;
    bool quoted = false;
    for (char c : header) {
        if (c == '"')
            quoted = !quoted;
        else if (!quoted) {
            tabs += c == '\t';
            semis += c == ';';
            commas += c == ',';
        }
    }
    if (tabs == 0 && semis == 0 && commas == 0) return ' ';
    if (tabs >= semis && tabs >= commas) return '\t';
    if (semis >= commas) return ';';
    return ',';
}

Status duplicateColumn(const std::string& path, long line, const std::vector<std::string_view>& header) {
    std::vector<std::pair<std::string, size_t>> names;
    names.reserve(header.size());
    for (size_t c = 0; c < header.size(); ++c) {
        const std::string_view h = trim(header[c]);
        if (!h.empty()) names.emplace_back(lower(h), c);
    }
    std::stable_sort(names.begin(), names.end(), [](auto& x, auto& y) { return x.first < y.first; });
    // The repeat that comes first in the header, with the column it repeats.
    size_t first = 0, second = header.size();
    for (size_t k = 1; k < names.size(); ++k)
        if (names[k].first == names[k - 1].first && names[k].second < second) {
            first = names[k - 1].second;
            second = names[k].second;
        }
    if (second == header.size()) return std::nullopt;
    return Error{path, line,
                 "column " + quoteForError(trim(header[first])) + " appears twice in the header (columns " +
                     std::to_string(first + 1) + " and " + std::to_string(second + 1) +
                     "); rename or remove one"};
}

std::string_view trim(std::string_view s) {
    size_t b = 0, e = s.size();
    while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
    return s.substr(b, e - b);
}

bool oneOf(std::string_view s, std::initializer_list<const char*> names) {
    const std::string l = lower(trim(s));
    for (const char* n : names)
        if (l == n) return true;
    return false;
}

bool splitLine(std::string_view line, char delim, std::vector<std::string_view>& fields, std::string& scratch,
               std::string& reason) {
    fields.clear();
    scratch.clear();
    if (scratch.capacity() < line.size()) scratch.reserve(line.size());
    const bool ws = delim == ' ';
    const size_t n = line.size();
    const char* d = line.data();
    auto pad = [&](char c) { return c == ' ' || (c == '\t' && delim != '\t'); };
    size_t i = 0;
    if (ws) {
        while (i < n && pad(d[i])) ++i;
        if (i == n) return true;
    }
    for (;;) {
        while (i < n && pad(d[i])) ++i;
        if (i < n && d[i] == '"') {
            ++i;
            const size_t s0 = scratch.size();
            for (;;) {
                const char* q = static_cast<const char*>(std::memchr(d + i, '"', n - i));
                if (!q) {
                    reason = "unterminated quote in field " + std::to_string(fields.size() + 1);
                    return false;
                }
                const size_t j = size_t(q - d);
                scratch.append(d + i, j - i);
                if (j + 1 < n && d[j + 1] == '"') {
                    scratch.push_back('"');
                    i = j + 2;
                    continue;
                }
                i = j + 1;
                break;
            }
            fields.emplace_back(scratch.data() + s0, scratch.size() - s0);
            while (i < n && pad(d[i])) ++i;
            if (i < n && !(ws ? (d[i] == ' ' || d[i] == '\t') : d[i] == delim)) {
                reason = "text after the closing quote in field " + std::to_string(fields.size());
                return false;
            }
        } else {
            size_t j = i;
            if (ws) {
                while (j < n && d[j] != ' ' && d[j] != '\t') ++j;
            } else {
                const char* q = static_cast<const char*>(std::memchr(d + i, delim, n - i));
                j = q ? size_t(q - d) : n;
            }
            size_t e = j;
            while (e > i && (d[e - 1] == ' ' || d[e - 1] == '\t')) --e;
            fields.emplace_back(d + i, e - i);
            i = j;
        }
        if (i >= n) break;
        ++i; // the delimiter
        if (ws) {
            while (i < n && (d[i] == ' ' || d[i] == '\t')) ++i;
            if (i >= n) break;
        }
    }
    return true;
}

bool parseNumber(std::string_view s, double& v) {
    if (s.empty()) return false;
    if (s[0] == '+') {
        s.remove_prefix(1);
        if (s.empty() || s[0] == '-' || s[0] == '+') return false;
    }
    const char* end = s.data() + s.size();
    auto r = std::from_chars(s.data(), end, v);
    if (r.ptr != end) return false;
    if (r.ec == std::errc::result_out_of_range) {
        // Overflow becomes infinity (refused by callers as not finite); underflow becomes zero.
        const bool neg = s[0] == '-';
        const size_t e = s.find_first_of("eE");
        const bool tiny = e != std::string_view::npos && s.find('-', e) != std::string_view::npos;
        v = tiny ? 0.0
                 : (neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity());
        return true;
    }
    return r.ec == std::errc();
}

bool parseInteger(std::string_view s, long long& v) {
    if (s.empty()) return false;
    if (s[0] == '+') {
        s.remove_prefix(1);
        if (s.empty() || s[0] == '-') return false;
    }
    const char* end = s.data() + s.size();
    auto r = std::from_chars(s.data(), end, v);
    return r.ec == std::errc() && r.ptr == end;
}

std::string quoteForError(std::string_view s, size_t maxLen) {
    std::string r = "'";
    for (size_t i = 0; i < s.size() && i < maxLen; ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c == 0x7F) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02X", c);
            r += hex;
        } else {
            r += char(c);
        }
    }
    if (s.size() > maxLen) r += "...";
    return r + "'";
}

// ---- Interner ---------------------------------------------------------------------------------------------

// A slot is two words: (24 hash bits << 40 | length << 32 | id + 1), 0 when empty, and the name's first
// eight bytes. Names of up to eight bytes (most neuron names and numeric ids) are settled from the slot
// alone, so a lookup costs about one cache miss.
namespace {
inline uint64_t prefix8(std::string_view s) {
    uint64_t p = 0;
    std::memcpy(&p, s.data(), std::min<size_t>(8, s.size()));
    return p;
}
inline uint64_t slotTag(uint64_t h, size_t len) {
    return (h >> 40 << 40) | (uint64_t(std::min<size_t>(len, 255)) << 32);
}
constexpr uint64_t kTagMask = 0xFFFFFFFF00000000ull;
} // namespace

Interner::Interner(size_t expected) {
    size_t cap = 64;
    while (cap < expected * 2) cap *= 2;
    slots_.assign(2 * cap, 0);
    mask_ = cap - 1;
    names.reserve(expected);
}

uint64_t Interner::hash(std::string_view s) {
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
    }
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    return h ^ (h >> 32);
}

void Interner::grow() {
    std::vector<uint64_t> old;
    old.swap(slots_);
    const size_t cap = old.size(); // twice the old slot count
    slots_.assign(2 * cap, 0);
    mask_ = cap - 1;
    for (size_t k = 0; k < old.size(); k += 2) {
        if (!old[k]) continue;
        const uint32_t id = uint32_t(old[k]) - 1;
        size_t i = hash(names[id]) & mask_;
        while (slots_[2 * i]) i = (i + 1) & mask_;
        slots_[2 * i] = old[k];
        slots_[2 * i + 1] = old[k + 1];
    }
}

uint32_t Interner::find(std::string_view s) const {
    const uint64_t h = hash(s);
    const uint64_t tag = slotTag(h, s.size()), pre = prefix8(s);
    size_t i = h & mask_;
    for (;;) {
        const uint64_t v = slots_[2 * i];
        if (!v) return ~0u;
        if ((v & kTagMask) == tag && slots_[2 * i + 1] == pre &&
            (s.size() <= 8 || names[uint32_t(v) - 1] == s))
            return uint32_t(v) - 1;
        i = (i + 1) & mask_;
    }
}

void Interner::prefetch(uint64_t h) const {
    __builtin_prefetch(&slots_[2 * (h & mask_)]);
}

uint32_t Interner::intern(std::string_view s) {
    return intern(s, hash(s));
}

uint32_t Interner::intern(std::string_view s, uint64_t h) {
    const uint64_t tag = slotTag(h, s.size()), pre = prefix8(s);
    size_t i = h & mask_;
    for (;;) {
        const uint64_t v = slots_[2 * i];
        if (!v) break;
        if ((v & kTagMask) == tag && slots_[2 * i + 1] == pre &&
            (s.size() <= 8 || names[uint32_t(v) - 1] == s))
            return uint32_t(v) - 1;
        i = (i + 1) & mask_;
    }
    const uint32_t id = uint32_t(names.size());
    names.emplace_back(s);
    slots_[2 * i] = tag | (uint64_t(id) + 1);
    slots_[2 * i + 1] = pre;
    if (names.size() * 2 > mask_ + 1) grow();
    return id;
}

// ---- Table ------------------------------------------------------------------------------------------------

int Table::column(std::initializer_list<const char*> names) const {
    for (const char* n : names)
        for (size_t c = 0; c < header.size(); ++c)
            if (lower(header[c]) == n) return int(c);
    return -1;
}

Result<Table> readTable(const std::string& path, const std::function<bool(double)>& progress) {
    LineReader in;
    if (!in.open(path)) return in.error();
    // The arena holds the file's bytes; each cell adds an 8-byte offset (a cell takes at least 2 bytes).
    if (auto e =
            checkBudget(satMul(in.fileSize(), 5), "reading this table", "split it into smaller files", path))
        return *e;
    Table t;
    t.file = path;
    std::string_view line;
    std::vector<std::string_view> f;
    std::string scratch, reason;
    bool haveHeader = false;
    t.arena.reserve(size_t(std::min<uint64_t>(in.fileSize(), uint64_t(1) << 32)));
    while (in.next(line)) {
        if (trim(line).empty()) continue;
        if (!haveHeader) {
            t.delim = detectDelimiter(line);
            if (!splitLine(line, t.delim, f, scratch, reason)) return Error{path, in.lineNumber(), reason};
            if (auto dup = duplicateColumn(path, in.lineNumber(), f)) return *dup;
            for (auto s : f) t.header.emplace_back(trim(s));
            t.headerLine = in.lineNumber();
            haveHeader = true;
            continue;
        }
        if (!splitLine(line, t.delim, f, scratch, reason)) return Error{path, in.lineNumber(), reason};
        if (f.size() != t.header.size()) {
            std::string r = std::to_string(f.size()) + " fields, expected " +
                            std::to_string(t.header.size()) + " as in the header";
            if (in.atUnterminatedEnd()) r += " (the file ends in the middle of this line: truncated?)";
            return Error{path, in.lineNumber(), r};
        }
        for (auto s : f) {
            t.arena.append(s.data(), s.size());
            t.start.push_back(t.arena.size());
        }
        t.rowLine.push_back(in.lineNumber());
        if (progress && (t.rowLine.size() & 16383) == 0 && !progress(in.fraction()))
            return Error{path, in.lineNumber(), "cancelled"};
    }
    if (in.failed()) return in.error();
    if (!haveHeader) return Error{path, 1, "file is empty (expected a header line)"};
    return t;
}

std::vector<std::string> readHeader(const std::string& path, char* delimOut) {
    LineReader in;
    std::vector<std::string> out;
    if (!in.open(path, 1)) return out;
    std::string_view line;
    std::vector<std::string_view> f;
    std::string scratch, reason;
    while (in.next(line)) {
        if (trim(line).empty()) continue;
        const char d = detectDelimiter(line);
        if (delimOut) *delimOut = d;
        if (!splitLine(line, d, f, scratch, reason)) return out;
        for (auto s : f) out.emplace_back(trim(s));
        break;
    }
    return out;
}

} // namespace nr::csv
