#include "sim/ModelLayout.h"

#include <algorithm>
#include <cmath>

#include "sim/Rng.h"

namespace nr {

Graph modelLayout(const Network& net, size_t maxEdges) {
    Graph g;
    const uint32_t n = net.n;
    // Group of each neuron: attractor assemblies first, then populations.
    std::vector<int> group(n, -1);
    std::vector<std::string> groupName;
    for (size_t a = 0; a < net.stimulus.assemblies.size(); ++a) {
        groupName.push_back("assembly " + std::to_string(a + 1));
        for (uint32_t i : net.stimulus.assemblies[a])
            if (i < n) group[i] = int(a);
    }
    std::vector<uint8_t> inhib(n, 0);
    for (const Population& p : net.populations) {
        int id = -1;
        for (uint32_t i = p.start; i < p.start + p.size && i < n; ++i) {
            inhib[i] = p.inhibitory ? 1 : 0;
            if (group[i] >= 0) continue;
            if (id < 0) {
                id = int(groupName.size());
                groupName.push_back(p.name.empty() ? (p.inhibitory ? "I" : "E") : p.name);
            }
            group[i] = id;
        }
    }
    for (uint32_t i = 0; i < n; ++i)
        if (group[i] < 0) {
            group[i] = int(groupName.size());
            groupName.push_back("other");
        }
    std::vector<size_t> size(groupName.size(), 0);
    for (int gi : group) ++size[size_t(gi)];
    const size_t G = groupName.size();
    // Group centres on a ring (one group: the origin); ball radius grows with the cube root of its size.
    const double ring = G > 1 ? 6.0 * std::sqrt(double(G)) : 0.0;
    for (uint32_t i = 0; i < n; ++i) g.addNode("n" + std::to_string(i));
    g.x.resize(n);
    g.y.resize(n);
    g.z.resize(n);
    g.nodeClass.resize(n);
    std::vector<std::string> groupCol(n);
    Rng rng(0x5eed1234ULL);
    for (uint32_t i = 0; i < n; ++i) {
        const size_t gi = size_t(group[i]);
        const double ang = 2 * M_PI * double(gi) / double(std::max<size_t>(G, 1));
        const double cx = ring * std::cos(ang), cy = ring * std::sin(ang);
        const double r = 1.2 * std::cbrt(double(size[gi]) / 50.0 + 1.0);
        // Uniform in a ball: rejection from the cube.
        double px, py, pz;
        do {
            px = 2 * rng.uniform() - 1;
            py = 2 * rng.uniform() - 1;
            pz = 2 * rng.uniform() - 1;
        } while (px * px + py * py + pz * pz > 1);
        g.x[i] = float(cx + r * px);
        g.y[i] = float(cy + r * py);
        g.z[i] = float(r * pz);
        g.nodeClass[i] = inhib[i] ? "I" : "E";
        groupCol[i] = groupName[gi];
    }
    g.nodeText["group"] = std::move(groupCol);
    // Edges: an even sample of the recurrent synapses.
    size_t total = 0;
    for (const auto& t : net.synapses) total += t.size();
    const size_t stride = total > maxEdges ? (total + maxEdges - 1) / maxEdges : 1;
    const uint8_t exc = g.typeIndex("excitatory"), inh = g.typeIndex("inhibitory");
    size_t k = 0;
    for (const auto& t : net.synapses) {
        if (t.off.size() != size_t(n) + 1) continue;
        for (uint32_t pre = 0; pre < n; ++pre)
            for (uint32_t s = t.off[pre]; s < t.off[pre + 1]; ++s, ++k)
                if (k % stride == 0 && t.target[s] < n)
                    g.addEdge(pre, t.target[s], std::abs(t.weight[s]), inhib[pre] ? inh : exc);
    }
    return g;
}

} // namespace nr
