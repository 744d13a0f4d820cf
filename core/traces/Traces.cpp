#include "traces/Traces.h"

#include <algorithm>
#include <cctype>
#include <cmath>
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
