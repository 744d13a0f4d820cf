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
