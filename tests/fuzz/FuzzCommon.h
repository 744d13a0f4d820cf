// Shared pieces of the libFuzzer harnesses: the readers take file paths, so each input is written to a
// per-process file in /dev/shm (or /tmp) first; seeds are generated in code into the first corpus folder
// when it is empty.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>
#include <vector>

namespace nr::fuzz {

inline std::string scratchPath(const char* ext) {
    struct stat st;
    const std::string dir = stat("/dev/shm", &st) == 0 ? "/dev/shm" : "/tmp";
    return dir + "/nr_fuzz_" + std::to_string(getpid()) + ext;
}

inline void writeBytes(const std::string& path, const uint8_t* data, size_t size) {
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) std::abort();
    if (size) std::fwrite(data, 1, size, f);
    std::fclose(f);
}

inline void writeText(const std::string& path, const std::string& s) {
    writeBytes(path, reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

// Writes `seeds` into the first corpus folder named on the command line when it has no files yet.
inline void seedCorpus(int argc, char** argv, const std::vector<std::pair<std::string, std::string>>& seeds) {
    for (int i = 1; i < argc; ++i) {
        if (argv[i][0] == '-') continue;
        const std::string dir = argv[i];
        struct stat d;
        if (stat(dir.c_str(), &d) == 0 && !S_ISDIR(d.st_mode)) return; // a file to replay, not a corpus
        mkdir(dir.c_str(), 0755);
        const std::string probe = dir + "/" + seeds.front().first;
        struct stat st;
        if (stat(probe.c_str(), &st) != 0)
            for (const auto& s : seeds) writeText(dir + "/" + s.first, s.second);
        return;
    }
}

// Multi-file formats take one input cut into parts at each kPartSeparator (at most `maxParts`; the last
// part keeps the rest). joinParts makes seeds the same way.
constexpr const char* kPartSeparator = "\n--8<--\n";

inline std::vector<std::string> splitParts(const uint8_t* data, size_t size, size_t maxParts) {
    const std::string in(reinterpret_cast<const char*>(data), size);
    const std::string sep = kPartSeparator;
    std::vector<std::string> parts;
    size_t at = 0;
    while (parts.size() + 1 < maxParts) {
        const size_t k = in.find(sep, at);
        if (k == std::string::npos) break;
        parts.push_back(in.substr(at, k - at));
        at = k + sep.size();
    }
    parts.push_back(in.substr(at));
    return parts;
}

// Cuts the input into one part per path and writes each to its file (a missing part makes an empty file).
inline void writeParts(const uint8_t* data, size_t size, const std::vector<std::string>& paths) {
    const auto parts = splitParts(data, size, paths.size());
    for (size_t i = 0; i < paths.size(); ++i)
        writeText(paths[i], i < parts.size() ? parts[i] : std::string());
}

inline std::string joinParts(const std::vector<std::string>& parts) {
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i) out += (i ? kPartSeparator : "") + parts[i];
    return out;
}

// Lowers the readers' memory budget (io/MemoryBudget.h) so that a declared size far beyond the input is
// refused by the budget check well below libFuzzer's -rss_limit_mb.
inline void limitMemory(const char* mib = "256") {
    setenv("NR_MEMORY_LIMIT_MIB", mib, 0);
}

// The bytes of a file written by a library (seeds made with the HDF5 or TIFF writers), which is then removed.
inline std::string slurpAndRemove(const std::string& path) {
    std::string bytes;
    if (FILE* f = std::fopen(path.c_str(), "rb")) {
        char buf[65536];
        size_t k;
        while ((k = std::fread(buf, 1, sizeof buf, f)) > 0) bytes.append(buf, k);
        std::fclose(f);
    }
    unlink(path.c_str());
    return bytes;
}

inline std::string npy(const std::string& dict, const std::string& data) {
    std::string h = dict;
    while ((10 + h.size() + 1) % 64) h += ' ';
    h += '\n';
    std::string out = "\x93NUMPY";
    out += char(1);
    out += char(0);
    out += char(h.size() & 0xff);
    out += char(h.size() >> 8);
    return out + h + data;
}

inline std::string f8(std::initializer_list<double> v) {
    std::string s;
    for (double x : v) s.append(reinterpret_cast<const char*>(&x), sizeof x);
    return s;
}

} // namespace nr::fuzz
