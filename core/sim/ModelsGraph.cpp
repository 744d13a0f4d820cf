// Models that come from graphs: the demo network and connectome files.
#include "sim/Models.h"

#include "formats/Open.h"
#include "io/DemoNetwork.h"

namespace nr {

Result<Network> buildModel(const ModelRequest& req) {
    if (req.model == "coba") return makeCoba(req);
    if (req.model == "brunel") return makeBrunel(req);
    if (req.model == "attractor") return makeAttractor(req);
    if (req.model == "demo") {
        // Six layers and about 150 synapses per neuron: smaller columns have empty layers and no recurrence.
        constexpr size_t kDemoMin = 200, kDemoMax = 2000000;
        if (req.neurons > 0 && (req.neurons < kDemoMin || req.neurons > kDemoMax))
            return Error{"simulate", 0,
                         "the demo column needs between " + std::to_string(kDemoMin) + " and " +
                             std::to_string(kDemoMax) +
                             " neurons (six cortical layers, about 150 synapses per "
                             "neuron); --neurons " +
                             std::to_string(req.neurons) + " is outside"};
        if (req.neurons > 0)
            if (auto e = checkMemory(estimateNetworkBytes(req.neurons, req.neurons * 150 * 3, 2, 2),
                                     "the demo network with " + std::to_string(req.neurons) + " neurons"))
                return *e;
        DemoOptions o;
        o.seed = unsigned(req.seed);
        ModelRequest r = req;
        if (req.neurons > 0) o.neurons = req.neurons;
        r.neurons = 0;
        auto net = networkFromGraph(makeDemoNetwork(o), r);
        if (net) net.value().model = "demo";
        return net;
    }
    auto g = openGraph(req.model);
    if (!g) return g.error();
    auto net = networkFromGraph(g.value(), req);
    if (net) net.value().model = req.model;
    return net;
}

} // namespace nr
