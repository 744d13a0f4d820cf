#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unordered_map>

#include "morph/Morphology.h"

namespace nr {

int Morphology::soma() const {
    for (size_t i = 0; i < type.size(); ++i)
        if (type[i] == SwcSoma) return int(i);
    return -1;
}

size_t MorphologySet::totalNodes() const {
    size_t n = 0;
    for (const auto& m : neurons) n += m.size();
    return n;
}

namespace {

bool isSep(char c) {
    return c == ' ' || c == '\t' || c == ',' || c == '\r' || c == '\v' || c == '\f';
}

// Splits [b, e) into fields separated by blanks or commas.
int splitFields(const char* b, const char* e, const char** fb, const char** fe, int maxFields) {
    int n = 0;
    const char* p = b;
    while (p < e) {
        while (p < e && isSep(*p)) ++p;
        if (p >= e) break;
        const char* s = p;
        while (p < e && !isSep(*p)) ++p;
        if (n < maxFields) {
            fb[n] = s;
            fe[n] = p;
        }
        ++n;
    }
    return n;
}

bool parseDouble(const char* b, const char* e, double& v) {
    char buf[64];
    const size_t len = size_t(e - b);
    if (len == 0 || len >= sizeof buf) return false;
    std::memcpy(buf, b, len);
    buf[len] = 0;
    char* end = nullptr;
    errno = 0;
    v = std::strtod(buf, &end);
    return end == buf + len && std::isfinite(v);
}

bool parseId(const char* b, const char* e, long long& v) {
    double d;
    if (!parseDouble(b, e, d)) return false;
    if (d != std::floor(d) || std::fabs(d) > 9.0e15) return false;
    v = (long long)d;
    return true;
}

std::string where(const std::string& file, long line) {
    return file + ":" + std::to_string(line) + ": ";
}

} // namespace

Result<Morphology> parseSwc(const std::string& text, const std::string& file, const SwcOptions& opt) {
    Morphology m;
    m.file = file;
    {
        std::string b = baseName(file);
        const size_t dot = b.rfind('.');
        m.name = dot == std::string::npos || dot == 0 ? b : b.substr(0, dot);
    }
    m.unitScale = opt.unitScale;
    std::vector<long long> parentId;
    const char* p = text.data();
    const char* end = p + text.size();
    long lineNo = 0;
    while (p < end) {
        const char* ls = p;
        const char* le = static_cast<const char*>(std::memchr(p, '\n', size_t(end - p)));
        // Lone CR line ends (old Mac files) are honoured too.
        const char* cr = static_cast<const char*>(std::memchr(p, '\r', size_t((le ? le : end) - p)));
        if (cr && cr + 1 < end && cr[1] != '\n') le = cr;
        if (!le) le = end;
        p = le + 1;
        ++lineNo;
        const char* q = ls;
        while (q < le && isSep(*q)) ++q;
        if (q == le || *q == '#') continue;
        const char* fb[8];
        const char* fe[8];
        const int n = splitFields(q, le, fb, fe, 8);
        if (n < 7)
            return Error{file, lineNo,
                         "expected 7 columns (id type x y z radius parent), found " + std::to_string(n)};
        long long id, par, ty;
        double v[4];
        if (!parseId(fb[0], fe[0], id))
            return Error{file, lineNo, "id '" + std::string(fb[0], fe[0]) + "' is not an integer"};
        if (!parseId(fb[1], fe[1], ty) || ty < INT32_MIN || ty > INT32_MAX)
            return Error{file, lineNo, "type '" + std::string(fb[1], fe[1]) + "' is not an integer"};
        static const char* names[4] = {"x", "y", "z", "radius"};
        // Lengths, areas and volumes are sums of squares and cubes of these: beyond 1e50 they overflow.
        constexpr double kMaxMagnitude = 1e50;
        for (int k = 0; k < 4; ++k) {
            if (!parseDouble(fb[2 + k], fe[2 + k], v[k]))
                return Error{file, lineNo,
                             std::string(names[k]) + " '" + std::string(fb[2 + k], fe[2 + k]) +
                                 "' is not a number"};
            if (std::fabs(v[k]) > kMaxMagnitude)
                return Error{
                    file, lineNo,
                    std::string(names[k]) + " '" + std::string(fb[2 + k], fe[2 + k]) +
                        "' is out of range (lengths and volumes would overflow; |value| must be at most "
                        "1e50)"};
        }
        if (!parseId(fb[6], fe[6], par))
            return Error{file, lineNo, "parent '" + std::string(fb[6], fe[6]) + "' is not an integer"};
        if (m.ids.size() >= size_t(INT32_MAX - 1)) return Error{file, lineNo, "more than 2^31 nodes"};
        m.ids.push_back(id);
        m.type.push_back(int(ty));
        m.x.push_back(v[0]);
        m.y.push_back(v[1]);
        m.z.push_back(v[2]);
        m.radius.push_back(v[3]);
        m.line.push_back(int32_t(lineNo));
        parentId.push_back(par);
    }
    const size_t n = m.ids.size();
    if (n == 0) return Error{file, 0, "no nodes (an SWC line is: id type x y z radius parent)"};

    // Ids -> index; duplicates are refused.
    std::unordered_map<long long, int32_t> index;
    index.reserve(n * 2);
    for (size_t i = 0; i < n; ++i) {
        auto ins = index.emplace(m.ids[i], int32_t(i));
        if (!ins.second)
            return Error{file, m.line[i],
                         "duplicate id " + std::to_string(m.ids[i]) + " (first on line " +
                             std::to_string(m.line[size_t(ins.first->second)]) + ")"};
    }
    const bool hasZero = index.count(0) != 0;
    m.parent.resize(n);
    long zeroRootLine = 0;
    size_t zeroRoots = 0;
    for (size_t i = 0; i < n; ++i) {
        const long long pid = parentId[i];
        if (pid < 0) {
            m.parent[i] = -1;
            continue;
        }
        if (pid == m.ids[i])
            return Error{file, m.line[i], "cycle: node " + std::to_string(pid) + " is its own parent"};
        auto it = index.find(pid);
        if (it == index.end()) {
            if (pid == 0 && !hasZero) {
                m.parent[i] = -1;
                if (!zeroRoots++) zeroRootLine = m.line[i];
                continue;
            }
            return Error{file, m.line[i],
                         "missing parent: node " + std::to_string(m.ids[i]) + " names parent " +
                             std::to_string(pid) + ", which is not in the file"};
        }
        m.parent[i] = it->second;
    }
    if (zeroRoots)
        m.warnings.push_back(where(file, zeroRootLine) + std::to_string(zeroRoots) +
                             " node(s) with parent 0 in a file without id 0: taken as roots");

    // Cycles: a node not reached from any root lies on (or hangs from) a cycle.
    {
        std::vector<int32_t> cnt(n + 1, 0), kids(n);
        for (size_t i = 0; i < n; ++i)
            if (m.parent[i] >= 0) ++cnt[size_t(m.parent[i]) + 1];
        for (size_t i = 0; i < n; ++i) cnt[i + 1] += cnt[i];
        std::vector<int32_t> fill(cnt.begin(), cnt.end() - 1);
        for (size_t i = 0; i < n; ++i)
            if (m.parent[i] >= 0) kids[size_t(fill[size_t(m.parent[i])]++)] = int32_t(i);
        std::vector<char> seen(n, 0);
        std::vector<int32_t> stack;
        for (size_t i = 0; i < n; ++i)
            if (m.parent[i] < 0) stack.push_back(int32_t(i));
        size_t reached = 0;
        while (!stack.empty()) {
            const int32_t v = stack.back();
            stack.pop_back();
            seen[size_t(v)] = 1;
            ++reached;
            for (int32_t k = cnt[size_t(v)]; k < cnt[size_t(v) + 1]; ++k) stack.push_back(kids[size_t(k)]);
        }
        if (reached != n) {
            // Walk up from an unreached node until a node repeats: that node is on the cycle.
            size_t start = 0;
            while (seen[start]) ++start;
            std::vector<char> onPath(n, 0);
            size_t v = start;
            while (!onPath[v]) {
                onPath[v] = 1;
                v = size_t(m.parent[v]);
            }
            // Report the cycle member that comes first in the file.
            size_t first = v, u = size_t(m.parent[v]);
            std::string ring = std::to_string(m.ids[v]);
            int shown = 1;
            while (u != v) {
                if (m.line[u] < m.line[first]) first = u;
                if (shown++ < 8) ring += " -> " + std::to_string(m.ids[u]);
                u = size_t(m.parent[u]);
            }
            ring += shown > 8 ? " -> ... -> " + std::to_string(m.ids[v]) : " -> " + std::to_string(m.ids[v]);
            return Error{file, m.line[first], "cycle in parent links: " + ring};
        }
    }

    // Radii: zero or negative are repaired.
    double minPos = INFINITY;
    for (double r : m.radius)
        if (r > 0 && r < minPos) minPos = r;
    if (!std::isfinite(minPos)) minPos = 1.0;
    size_t neg = 0, zero = 0;
    long negLine = 0, zeroLine = 0;
    double negMin = 0;
    for (size_t i = 0; i < n; ++i) {
        double& r = m.radius[i];
        if (r < 0) {
            if (!neg++) negLine = m.line[i];
            negMin = std::min(negMin, r);
            r = -r;
        } else if (r == 0) {
            if (!zero++) zeroLine = m.line[i];
            r = minPos;
        }
    }
    if (neg) {
        std::ostringstream s;
        s << where(file, negLine) << neg << " node(s) with negative radius (min " << negMin
          << "): repaired with the absolute value";
        m.warnings.push_back(s.str());
    }
    if (zero) {
        std::ostringstream s;
        s << where(file, zeroLine) << zero
          << " node(s) with zero radius: repaired with the smallest positive radius (" << minPos << ")";
        m.warnings.push_back(s.str());
    }
    return m;
}

Result<Morphology> readSwc(const std::string& path, const SwcOptions& opt) {
    std::ifstream f(path, std::ios::binary);
    if (!f) return Error{path, 0, "cannot open for reading"};
    f.seekg(0, std::ios::end);
    const std::streamoff size = f.tellg();
    f.seekg(0);
    if (size < 0) return Error{path, 0, "cannot read"};
    if (size > (std::streamoff(1) << 33)) return Error{path, 0, "larger than 8 GiB: not an SWC file"};
    std::string text(size_t(size), '\0');
    f.read(&text[0], size);
    if (f.gcount() != size) return Error{path, 0, "short read"};
    return parseSwc(text, path, opt);
}

Result<MorphologySet> readSwcFolder(const std::string& folder, const SwcOptions& opt) {
    DIR* d = ::opendir(folder.c_str());
    if (!d) return Error{folder, 0, "cannot open folder"};
    std::vector<std::string> files;
    while (dirent* e = ::readdir(d)) {
        const std::string n = e->d_name;
        if (n.size() > 4 && fileExtension(n) == "swc")
            files.push_back(folder + (folder.back() == '/' ? "" : "/") + n);
    }
    ::closedir(d);
    std::sort(files.begin(), files.end());
    if (files.empty()) return Error{folder, 0, "no .swc files in this folder"};
    MorphologySet set;
    set.neurons.reserve(files.size());
    for (const auto& f : files) {
        auto m = readSwc(f, opt);
        if (!m) return m.error();
        set.neurons.push_back(std::move(m.value()));
    }
    return set;
}

} // namespace nr
