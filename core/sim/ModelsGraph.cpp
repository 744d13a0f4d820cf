// Models that come from graphs: the demo network and connectome files.
#include "sim/Models.h"

#include "formats/Open.h"
#include "io/DemoNetwork.h"

#include <fstream>

namespace nr {

bool isModelDescriptionFile(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    char head[256] = {};
    f.read(head, sizeof head - 1);
    return std::string(head, size_t(f.gcount())).find("\"neurorama-model\"") != std::string::npos;
}

Result<Network> buildModel(const ModelRequest& req) {
    auto d = describeModel(req);
    if (!d) return d.error();
    return buildNetwork(std::move(d.value()));
}

Result<ModelDescription> describeModel(const ModelRequest& req) {
    if (req.model == "coba") return describeCoba(req);
    if (req.model == "brunel") return describeBrunel(req);
    if (req.model == "attractor") return describeAttractor(req);
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
        auto net = describeGraph(makeDemoNetwork(o), r);
        if (net) net.value().model = "demo";
        return net;
    }
    if (isModelDescriptionFile(req.model)) {
        if (req.neurons > 0 || !req.params.empty())
            return Error{
                req.model, 0,
                "a model description is built as written; drop --neurons and --param (export the model "
                "again with them instead)"};
        auto d = readModelDescription(req.model);
        if (d) d.value().seed = req.seed;
        return d;
    }
    auto g = openGraph(req.model);
    if (!g) return g.error();
    auto net = describeGraph(g.value(), req);
    if (net) net.value().model = req.model;
    return net;
}

} // namespace nr
