// Helpers shared by the benchmarks: the machine's load average, medians, and running a peer's command.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace bench {

// The 1, 5 and 15 minute load averages from /proc/loadavg ("?" when unreadable).
inline std::string loadAverage() {
    std::ifstream f("/proc/loadavg");
    std::string a, b, c;
    if (!(f >> a >> b >> c)) return "?";
    return a + "," + b + "," + c;
}

inline void printLoad(const char* when) {
    std::printf("load_avg_%s=%s\n", when, loadAverage().c_str());
    std::fflush(stdout);
}

inline double median(std::vector<double> v) {
    if (v.empty()) return NAN;
    std::sort(v.begin(), v.end());
    const size_t h = v.size() / 2;
    return v.size() % 2 ? v[h] : 0.5 * (v[h - 1] + v[h]);
}

inline std::string joined(const std::vector<double>& v) {
    std::string s;
    char buf[32];
    for (double x : v) {
        std::snprintf(buf, sizeof buf, "%s%.4f", s.empty() ? "" : ",", x);
        s += buf;
    }
    return s;
}

struct PeerRun {
    int status = -1;
    std::string output;                      // standard output (standard error passes through)
    std::map<std::string, std::string> keys; // its key=value lines
    double number(const std::string& k) const {
        const auto it = keys.find(k);
        return it == keys.end() ? NAN : std::strtod(it->second.c_str(), nullptr);
    }
    std::string text(const std::string& k) const {
        const auto it = keys.find(k);
        return it == keys.end() ? std::string() : it->second;
    }
};

// Runs a peer's shell command. OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed from its environment (they
// pin an older kernel choice and slow a current OpenBLAS); everything else is inherited.
inline PeerRun runPeer(const std::string& cmd) {
    PeerRun r;
    const std::string full = "env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE " + cmd;
    FILE* f = popen(full.c_str(), "r");
    if (!f) return r;
    char buf[4096];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, f)) > 0) r.output.append(buf, k);
    r.status = pclose(f);
    size_t p = 0;
    while (p < r.output.size()) {
        size_t e = r.output.find('\n', p);
        if (e == std::string::npos) e = r.output.size();
        const std::string line = r.output.substr(p, e - p);
        const size_t eq = line.find('=');
        if (eq != std::string::npos && eq > 0 && line.find(' ') > eq)
            r.keys[line.substr(0, eq)] = line.substr(eq + 1);
        p = e + 1;
    }
    return r;
}

// True when a peer's peer_blas names no optimised BLAS: the reference libblas (or nothing found).
inline bool referenceBlas(const std::string& peerBlas) {
    if (peerBlas.empty() || peerBlas == "none") return true;
    return peerBlas.find("openblas") == std::string::npos && peerBlas.find("mkl") == std::string::npos &&
           peerBlas.find("blis") == std::string::npos;
}

} // namespace bench
