#include "io/ReaderRegistry.h"

#include "model/FileKind.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sys/stat.h>

namespace nr {

namespace {
// The reason the sniffer being asked gave for declining (set only while find() asks one).
thread_local std::string* tlsDecline = nullptr;
} // namespace

void sniffDeclined(const std::string& reason) {
    if (tlsDecline) *tlsDecline = reason;
}

std::string readHead(const std::string& path, size_t n) {
    if (pathKind(path) != PathKind::Regular) return {}; // never open a FIFO or device to sniff it
    std::ifstream f(path, std::ios::binary);
    if (!f) return {};
    std::string s(n, '\0');
    f.read(&s[0], std::streamsize(n));
    s.resize(size_t(f.gcount()));
    if (s.compare(0, 3, "\xEF\xBB\xBF") == 0) {
        s.erase(0, 3);
        // Keep `n` bytes of text when the file has them.
        std::string more(3, '\0');
        f.read(&more[0], 3);
        s.append(more, 0, size_t(f.gcount()));
    }
    return s;
}

std::string baseName(const std::string& path) {
    std::string p = path;
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    const size_t slash = p.find_last_of('/');
    return slash == std::string::npos ? p : p.substr(slash + 1);
}

std::string fileExtension(const std::string& path) {
    const std::string b = baseName(path);
    const size_t dot = b.find_last_of('.');
    if (dot == std::string::npos || dot == 0) return "";
    std::string e = b.substr(dot + 1);
    for (char& c : e) c = char(std::tolower(static_cast<unsigned char>(c)));
    return e;
}

void ReaderRegistry::add(FormatReader r) {
    readers_.push_back(std::move(r));
}

bool splitArrayPath(const std::string& path, std::string& file, std::string& array) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) return false;
    for (size_t colon = path.find(':'); colon != std::string::npos; colon = path.find(':', colon + 1)) {
        const std::string f = path.substr(0, colon);
        if (colon + 1 < path.size() && ::stat(f.c_str(), &st) == 0) {
            file = f;
            array = path.substr(colon + 1);
            return true;
        }
    }
    return false;
}

const FormatReader* ReaderRegistry::find(const std::string& path,
                                         std::vector<std::pair<std::string, std::string>>* declined) const {
    return findAmong(path, nullptr, declined);
}

const FormatReader* ReaderRegistry::find(const std::string& path, LayerKind kind,
                                         std::vector<std::pair<std::string, std::string>>* declined) const {
    return findAmong(path, &kind, declined);
}

const FormatReader*
ReaderRegistry::findAmong(const std::string& pathIn, const LayerKind* kind,
                          std::vector<std::pair<std::string, std::string>>* declined) const {
    std::string path = pathIn, array;
    splitArrayPath(pathIn, path, array);
    // Sniffers open the file: a FIFO, socket or device is nobody's format (and would block or never end).
    if (requireFileOrFolder(path)) return nullptr;
    const std::string head = readHead(path);
    const FormatReader* best = nullptr;
    int bestScore = 0;
    const std::string ext = fileExtension(path);
    for (const auto& r : readers_) {
        if (kind && r.kind != *kind) continue;
        std::string why;
        tlsDecline = &why;
        const int s = r.sniff ? r.sniff(path, head) : 0;
        tlsDecline = nullptr;
        if (declined && s == 0 && !ext.empty() &&
            std::find(r.extensions.begin(), r.extensions.end(), ext) != r.extensions.end())
            declined->emplace_back(r.name, why);
        if (s > bestScore) {
            bestScore = s;
            best = &r;
        }
    }
    return best;
}

Result<Dataset> ReaderRegistry::open(const std::string& path, const std::vector<std::string>& others,
                                     const OpenOptions& opt) const {
    return openAmong(path, nullptr, others, opt);
}

Result<Dataset> ReaderRegistry::openAs(LayerKind kind, const std::string& path,
                                       const std::vector<std::string>& others, const OpenOptions& opt) const {
    return openAmong(path, &kind, others, opt);
}

Result<Dataset> ReaderRegistry::openAmong(const std::string& path, const LayerKind* kind,
                                          const std::vector<std::string>& others,
                                          const OpenOptions& opt) const {
    std::string file, array;
    if (splitArrayPath(path, file, array)) {
        OpenOptions o = opt;
        o.options.insert(o.options.begin(), {"array", array}); // before any "array" given as an option
        auto d = openAmong(file, kind, others, o);
        if (d && d.value().files.empty()) d.value().files.push_back(file);
        return d;
    }
    struct stat st {};
    if (pathKind(path) == PathKind::LinkLoop) return *requireFileOrFolder(path);
    if (::stat(path.c_str(), &st) != 0) return Error{path, 0, "cannot open: no such file or folder"};
    if (Status bad = requireFileOrFolder(path)) return *bad;
    for (const std::string& o : others) {
        std::string of = o, oa;
        splitArrayPath(o, of, oa);
        if (Status bad = requireFileOrFolder(of)) return *bad;
    }
    std::vector<std::pair<std::string, std::string>> declined;
    const FormatReader* r = findAmong(path, kind, &declined);
    if (!r) {
        std::string ext = fileExtension(path);
        std::string what = ext.empty() ? std::string("this file") : "a ." + ext + " file";
        if (S_ISDIR(st.st_mode)) what = "this folder";
        if (kind) what += std::string(" read as ") + layerKindName(*kind);
        if (!declined.empty()) {
            // The readers that take this extension came closest: say why each turned the file down, those
            // whose sniffer gave a reason first.
            std::string why;
            for (const auto& d : declined)
                if (!d.second.empty()) why += "; " + d.first + ": " + d.second;
            for (const auto& d : declined)
                if (d.second.empty()) why += "; " + d.first + ": the content does not fit";
            return Error{path, 0, "not a format Neurorama reads (" + what + why + ")"};
        }
        std::string names;
        for (const auto& f : readers_) {
            if (kind && f.kind != *kind) continue;
            if (!names.empty()) names += "; ";
            names += f.name;
        }
        return Error{path, 0, "not a format Neurorama reads (" + what + "); readable formats: " + names};
    }
    auto d = r->read(path, others, opt);
    if (!d) return d;
    Dataset& ds = d.value();
    if (ds.files.empty()) ds.files.push_back(path);
    if (ds.name.empty()) ds.name = baseName(path);
    return d;
}

std::string ReaderRegistry::dialogFilters() const {
    // One filter per layer kind, in registration order, plus "All readable files" first.
    std::vector<std::pair<std::string, std::vector<std::string>>> groups;
    auto kindTitle = [](LayerKind k) -> std::string {
        switch (k) {
        case LayerKind::Graph:
            return "Graphs and connectomes";
        case LayerKind::Spikes:
            return "Spike trains";
        case LayerKind::Simulation:
            return "Simulations";
        case LayerKind::Vessels:
            return "Vessel graphs";
        case LayerKind::Morphologies:
            return "Neuron morphologies";
        case LayerKind::LabelVolume:
            return "Label volumes";
        case LayerKind::Traces:
            return "Activity traces";
        case LayerKind::Image:
            return "Image volumes";
        }
        return "Other";
    };
    std::vector<std::string> all;
    for (const auto& r : readers_) {
        const std::string t = kindTitle(r.kind);
        auto it = std::find_if(groups.begin(), groups.end(), [&](auto& g) { return g.first == t; });
        if (it == groups.end()) {
            groups.push_back({t, {}});
            it = groups.end() - 1;
        }
        for (const auto& e : r.extensions) {
            if (e == "/") continue;
            const std::string pat = "*." + e;
            if (std::find(it->second.begin(), it->second.end(), pat) == it->second.end())
                it->second.push_back(pat);
            if (std::find(all.begin(), all.end(), pat) == all.end()) all.push_back(pat);
        }
    }
    auto join = [](const std::vector<std::string>& v) {
        std::string s;
        for (const auto& x : v) s += (s.empty() ? "" : " ") + x;
        return s;
    };
    std::string out = "All readable files (" + join(all) + ")";
    for (const auto& g : groups)
        if (!g.second.empty()) out += ";;" + g.first + " (" + join(g.second) + ")";
    out += ";;All files (*)";
    return out;
}

std::string ReaderRegistry::formatList() const {
    std::string out;
    for (const auto& r : readers_) {
        out += "  " + r.name + " (";
        for (size_t i = 0; i < r.extensions.size(); ++i)
            out += (i ? ", " : "") + (r.extensions[i] == "/" ? std::string("folder") : "." + r.extensions[i]);
        out += ") -> " + std::string(layerKindName(r.kind)) + ": " + r.description + "\n";
    }
    return out;
}

} // namespace nr
