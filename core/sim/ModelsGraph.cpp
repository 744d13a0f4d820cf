// Models that come from graphs: the demo network and connectome files.
#include "sim/Models.h"

#include "io/DemoNetwork.h"
#include "io/GraphIO.h"

namespace nr {

Result<Network> buildModel(const ModelRequest& req) {
    if (req.model == "coba") return makeCoba(req);
    if (req.model == "brunel") return makeBrunel(req);
    if (req.model == "attractor") return makeAttractor(req);
    if (req.model == "demo") {
        DemoOptions o;
        o.seed = unsigned(req.seed);
        ModelRequest r = req;
        if (req.neurons > 0) o.neurons = req.neurons;
        r.neurons = 0;
        auto net = networkFromGraph(makeDemoNetwork(o), r);
        if (net) net.value().model = "demo";
        return net;
    }
    auto g = readGraph(req.model);
    if (!g) return g.error();
    auto net = networkFromGraph(g.value(), req);
    if (net) net.value().model = req.model;
    return net;
}

} // namespace nr
