#include "traces/Traces.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>
#include <unordered_map>

namespace nr {

namespace {
std::string trimmed(const std::string& s) {
    size_t a = 0, b = s.size();
    while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
    while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
    return s.substr(a, b - a);
}
} // namespace

std::string canonicalNeuronName(const std::string& name) {
    std::string s = trimmed(name);
    size_t d = s.size();
    while (d > 0 && std::isdigit(static_cast<unsigned char>(s[d - 1]))) --d;
    if (d == 0 || d == s.size()) return s; // all digits, or no trailing number
    size_t z = d;
    while (z + 1 < s.size() && s[z] == '0') ++z; // keep at least one digit
    return s.substr(0, d) + s.substr(z);
}

long Traces::find(const std::string& name) const {
    for (size_t i = 0; i < names.size(); ++i)
        if (names[i] == name) return long(i);
    const std::string c = canonicalNeuronName(name);
    for (size_t i = 0; i < names.size(); ++i)
        if (canonicalNeuronName(names[i]) == c) return long(i);
    return -1;
}

void Traces::countNaN() {
    nanValues = 0;
    nanFrames = 0;
    const size_t T = time.size(), N = names.size();
    std::vector<unsigned char> frame(T, 0);
    for (size_t i = 0; i < N; ++i) {
        const float* r = row(i);
        for (size_t t = 0; t < T; ++t)
            if (std::isnan(r[t])) {
                ++nanValues;
                frame[t] = 1;
            }
    }
    for (unsigned char f : frame) nanFrames += f;
}

size_t Traces::frameAt(double t) const {
    if (time.empty() || t <= time.front()) return 0;
    auto it = std::upper_bound(time.begin(), time.end(), t);
    return size_t(it - time.begin()) - 1;
}

double Traces::medianStep() const {
    if (time.size() < 2) return 0;
    std::vector<double> d(time.size() - 1);
    for (size_t i = 0; i + 1 < time.size(); ++i) d[i] = time[i + 1] - time[i];
    std::nth_element(d.begin(), d.begin() + long(d.size() / 2), d.end());
    return d[d.size() / 2];
}

double Traces::duration() const {
    if (time.empty()) return 0;
    if (inFrames()) return double(time.size());
    return time.back() - time.front() + medianStep();
}

std::string Traces::durationText() const {
    if (inFrames()) return std::to_string(time.size()) + "frames";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1fs", duration());
    return buf;
}

std::string valueLabel(const Traces& t) {
    if (!t.valueUnit.empty()) return t.valueUnit;
    const size_t T = t.timepoints();
    size_t rows = 0, z = 0;
    for (size_t i = 0; i < t.neurons() && T > 1; ++i) {
        double sum = 0, sq = 0;
        size_t n = 0;
        for (size_t k = 0; k < T; ++k)
            if (const float v = t.at(i, k); std::isfinite(v)) sum += v, sq += double(v) * v, ++n;
        if (n < 2) continue;
        ++rows;
        const double mean = sum / double(n), sd = std::sqrt(std::max(0.0, sq / double(n) - mean * mean));
        if (std::fabs(mean) < 0.1 && std::fabs(sd - 1) < 0.1) ++z;
    }
    return rows > 0 && z * 10 >= rows * 9 ? "z-score" : "\u0394F/F";
}

std::string NameJoin::summary() const {
    std::string s = "matched=" + std::to_string(matched) + "/" + std::to_string(target.size());
    if (matchedByCanonical) s += " (" + std::to_string(matchedByCanonical) + " by unpadded number)";
    if (!unmatched.empty()) {
        s += " unmatched:";
        for (const auto& u : unmatched) s += " " + u;
    }
    return s;
}

std::vector<float> activityAt(const Traces& t, const NameJoin& join, size_t nodeCount, size_t frame) {
    std::vector<float> v(nodeCount, std::numeric_limits<float>::quiet_NaN());
    if (frame >= t.timepoints()) return v;
    for (size_t i = 0; i < join.target.size() && i < t.neurons(); ++i)
        if (join.target[i] >= 0 && size_t(join.target[i]) < nodeCount)
            v[size_t(join.target[i])] = t.at(i, frame);
    return v;
}

NameJoin joinNames(const std::vector<std::string>& traceNames, const std::vector<std::string>& targets,
                   const std::vector<std::string>& alternatives) {
    NameJoin j;
    j.target.assign(traceNames.size(), -1);
    std::unordered_map<std::string, long> exact, canon;
    auto addExact = [&](const std::string& n, long i) {
        const std::string t = trimmed(n);
        if (!t.empty()) exact.emplace(t, i);
    };
    for (size_t i = 0; i < targets.size(); ++i) addExact(targets[i], long(i));
    for (size_t i = 0; i < alternatives.size() && i < targets.size(); ++i) addExact(alternatives[i], long(i));
    auto addCanon = [&](const std::string& n, long i) {
        const std::string c = canonicalNeuronName(n);
        if (c.empty()) return;
        auto it = canon.find(c);
        if (it == canon.end())
            canon.emplace(c, i);
        else if (it->second != i)
            it->second = -2; // ambiguous
    };
    for (size_t i = 0; i < targets.size(); ++i) addCanon(targets[i], long(i));
    for (size_t i = 0; i < alternatives.size() && i < targets.size(); ++i) addCanon(alternatives[i], long(i));
    for (size_t k = 0; k < traceNames.size(); ++k) {
        auto e = exact.find(trimmed(traceNames[k]));
        if (e != exact.end()) {
            j.target[k] = e->second;
            ++j.matched;
            continue;
        }
        auto c = canon.find(canonicalNeuronName(traceNames[k]));
        if (c != canon.end() && c->second >= 0) {
            j.target[k] = c->second;
            ++j.matched;
            ++j.matchedByCanonical;
            continue;
        }
        j.unmatched.push_back(traceNames[k]);
    }
    return j;
}

} // namespace nr
