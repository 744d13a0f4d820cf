#include "io/IoFormats.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "analysis/TrialData.h"
#include "base/Text.h"
#include "io/GraphColumns.h"
#include "io/GraphIO.h"
#include "io/Hdf5Util.h"
#include "io/Layout.h"
#include "io/MatrixIO.h"
#include "io/Npy.h"
#include "io/Nwb.h"
#include "io/SpikeIO.h"
#include "io/TrialIO.h"

namespace nr {

namespace {

std::string firstLine(const std::string& head) {
    size_t e = head.find_first_of("\r\n");
    return head.substr(0, e == std::string::npos ? head.size() : e);
}

// Splits a header line on the delimiter that gives the most fields.
std::vector<std::string> headerFields(const std::string& line) {
    std::vector<std::string> best;
    for (char d : {',', '\t', ';'}) {
        std::vector<std::string> f;
        size_t s = 0;
        while (true) {
            size_t e = line.find(d, s);
            std::string x = line.substr(s, e == std::string::npos ? std::string::npos : e - s);
            while (!x.empty() && std::isspace(static_cast<unsigned char>(x.back()))) x.pop_back();
            size_t b = 0;
            while (b < x.size() && (std::isspace(static_cast<unsigned char>(x[b])) || x[b] == '"')) ++b;
            x = x.substr(b);
            if (!x.empty() && x.back() == '"') x.pop_back();
            f.push_back(lower(x));
            if (e == std::string::npos) break;
            s = e + 1;
        }
        if (f.size() > best.size()) best = f;
    }
    return best;
}

// The first line of a file, quoted and shortened for a message.
std::string headerForMessage(const std::string& line) {
    std::string q = "'";
    for (size_t i = 0; i < line.size() && i < 60; ++i) {
        const unsigned char c = static_cast<unsigned char>(line[i]);
        q += c < 0x20 || c == 0x7F ? '?' : char(c);
    }
    return q + (line.size() > 60 ? "...'" : "'");
}

bool allFinitePositions(const Graph& g) {
    if (!g.hasPositions()) return false;
    for (size_t i = 0; i < g.x.size(); ++i)
        if (!std::isfinite(g.x[i]) || !std::isfinite(g.y[i]) || !std::isfinite(g.z[i])) return false;
    return true;
}

// A spike table that has a trial column: lay the trials end to end so the recording reads as one run, and
// describe each trial as an epoch of that run (condition = rank of its condition name).
SpikeTrains trainsFromTrials(const TrialData& d, std::vector<TrialEpoch>* epochs) {
    SpikeTrains st;
    std::vector<int64_t> trialOrder = d.trialId;
    std::sort(trialOrder.begin(), trialOrder.end());
    trialOrder.erase(std::unique(trialOrder.begin(), trialOrder.end()), trialOrder.end());
    double span = 0;
    for (double t : d.spikeTime) span = std::max(span, t);
    span = span > 0 ? span : 1.0;
    std::vector<int64_t> ids = d.spikeUnit;
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    st.unitIds = ids;
    st.unitLabels.assign(ids.size(), "");
    std::vector<size_t> order(d.spikeTime.size());
    std::vector<double> abs(d.spikeTime.size());
    for (size_t i = 0; i < order.size(); ++i) {
        order[i] = i;
        const size_t k = size_t(std::lower_bound(trialOrder.begin(), trialOrder.end(), d.spikeTrial[i]) -
                                trialOrder.begin());
        abs[i] = double(k) * span + d.spikeTime[i];
    }
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return abs[a] < abs[b]; });
    st.times.reserve(order.size());
    st.units.reserve(order.size());
    for (size_t i : order) {
        const uint32_t u = uint32_t(std::lower_bound(ids.begin(), ids.end(), d.spikeUnit[i]) - ids.begin());
        st.add(abs[i], u);
    }
    st.tStart = 0;
    st.tStop = double(std::max<size_t>(trialOrder.size(), 1)) * span;
    if (epochs) {
        std::vector<std::string> conds = d.trialCondition;
        std::sort(conds.begin(), conds.end());
        conds.erase(std::unique(conds.begin(), conds.end()), conds.end());
        std::vector<std::string> condOfTrial(trialOrder.size());
        for (size_t r = 0; r < d.trialId.size(); ++r) {
            const size_t k = size_t(std::lower_bound(trialOrder.begin(), trialOrder.end(), d.trialId[r]) -
                                    trialOrder.begin());
            if (k < condOfTrial.size()) condOfTrial[k] = d.trialCondition[r];
        }
        for (size_t k = 0; k < trialOrder.size(); ++k) {
            TrialEpoch e;
            e.start = double(k) * span;
            e.stop = e.start + span;
            e.trialId = trialOrder[k];
            e.condition = int(std::lower_bound(conds.begin(), conds.end(), condOfTrial[k]) - conds.begin());
            epochs->push_back(e);
        }
    }
    return st;
}

} // namespace

bool headerLooksLikeSpikes(const std::string& head) {
    bool unit = false, time = false, edge = false;
    for (const auto& h : headerFields(firstLine(head))) {
        unit = unit || h == "unit" || h == "unit_id" || h == "neuron" || h == "units" || h == "id";
        time = time || h == "time" || h == "time_s" || h == "t" || h == "times" || h == "spike_time";
        edge = edge || h == "source" || h == "target" || h == "pre" || h == "post" || h == "node1id";
    }
    return unit && time && !edge;
}

namespace {

using GraphParser = std::function<Result<Graph>(const std::string&, const ReadOptions&)>;

// The parser for a graph file given beside another (an edge list with its node table in either order), by
// what the file holds.
GraphParser parserFor(const std::string& path) {
    const std::string head = readHead(path);
    if (sniffMatrixText(path, head) > 0) return readMatrixText;
    switch (graphTextKind(head)) {
    case GraphText::Xml:
        return readGraphML;
    case GraphText::Gml:
        return readGml;
    case GraphText::Delimited:
        break;
    }
    return readDelimitedGraph;
}

// Reads a graph with `parse` and, when `nodeTable` is not empty, joins that node table onto it (a node table
// given first and a graph second are swapped). Lays out graphs without positions unless the option
// layout=none is set. The read function of every graph format.
Result<Dataset> graphDataset(GraphParser parse, const std::string& path, const std::string& nodeTable,
                             const OpenOptions& opt) {
    std::string edges = path, table = nodeTable;
    if (table.empty()) table = opt.option("labels"); // a label file or node table named by the option
    if (!table.empty() && looksLikeNodeTable(edges) && !looksLikeNodeTable(table)) {
        std::swap(edges, table);
        parse = parserFor(edges);
    }
    ReadOptions ro;
    ro.progress = [&](double f) { return opt.say(0.6 * f, "reading " + baseName(edges)); };
    auto r = parse(edges, ro);
    if (!r) return r.error();
    Dataset ds;
    ds.kind = LayerKind::Graph;
    ds.name = baseName(edges);
    ds.files.push_back(edges);
    auto g = std::make_shared<Graph>(std::move(r.value()));
    ds.summary = "nodes=" + std::to_string(g->nodeCount()) + " edges=" + std::to_string(g->edgeCount());
    if (g->nodeCount() == 0) return Error{edges, 0, "the file holds no nodes and no edges"};
    const std::string directed = lower(opt.option("directed"));
    if (directed == "false" || directed == "no" || directed == "0") g->directed = false;
    if (!g->directed) ds.summary += " undirected";
    if (!table.empty() && hasIndexNames(*g) && !looksLikeNodeTable(table)) {
        // Numbered nodes (a matrix, integer ids) and a label file or an index-keyed table (atlas ROI).
        auto j = joinNodeLabels(table, *g);
        if (!j) return j.error();
        ds.files.push_back(table);
        ds.summary += "; " + baseName(table) + " joined " + j.value().how + ": " +
                      std::to_string(j.value().matched) + " nodes";
    } else if (!table.empty()) {
        ReadOptions to;
        to.progress = [&](double f) { return opt.say(0.6 + 0.1 * f, "reading node table"); };
        auto j = readNodeTable(table, *g, to);
        if (!j) return j.error();
        ds.files.push_back(table);
        const JoinReport& rep = j.value();
        ds.summary += "; node table " + baseName(table) + " joined by '" + rep.keyColumn +
                      "': " + std::to_string(rep.matched) + " matched, " +
                      std::to_string(rep.tableOnly.size()) + " only in table, " +
                      std::to_string(rep.graphOnly.size()) + " only in graph";
        for (const auto& n : rep.tableOnly)
            ds.warnings.push_back(table + ": '" + n + "' is not in the graph");
        for (const auto& n : rep.graphOnly)
            ds.warnings.push_back(edges + ": '" + n + "' has no row in the node table");
    }
    if (!allFinitePositions(*g) && opt.option("layout") != "none") {
        const bool partial = g->hasPositions();
        opt.say(0.7, "laying out " + std::to_string(g->nodeCount()) + " nodes");
        if (auto st = layout3D(*g, 1, partial, [&](double f) { return opt.say(0.7 + 0.3 * f, "layout"); }))
            return *st;
        ds.summary += partial ? "; unplaced nodes laid out" : "; force-directed layout";
    }
    opt.say(1.0, "done");
    ds.graph = std::move(g);
    return ds;
}

bool isInteger(std::string_view s) {
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(uint8_t(c)); });
}

bool isNumber(const std::string& s) {
    if (s.empty()) return false;
    char* end = nullptr;
    std::strtod(s.c_str(), &end);
    return end == s.c_str() + s.size();
}

// Splits a data line on ',', tab or ';' (the one that gives the most fields) or else on runs of spaces.
std::vector<std::string> dataFields(const std::string& line) {
    std::vector<std::string> f = headerFields(line);
    if (f.size() > 1) return f;
    f.clear();
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && std::isspace(uint8_t(line[i]))) ++i;
        size_t e = i;
        while (e < line.size() && !std::isspace(uint8_t(line[e]))) ++e;
        if (e > i) f.push_back(line.substr(i, e - i));
        i = e;
    }
    return f;
}

// A headerless edge list: every complete line of the head that is not blank or a '#'/'%' comment holds two
// integer ids and optionally a numeric weight (what networkx's write_edgelist and graspologic's connectomes
// look like), separated by commas, tabs, semicolons or spaces.
bool looksLikeHeaderlessEdges(const std::string& head) {
    size_t lines = 0, at = 0;
    while (at < head.size()) {
        const size_t nl = head.find('\n', at);
        if (nl == std::string::npos && lines > 0) break; // the last line may be cut by the head's size
        std::string l = head.substr(at, nl == std::string::npos ? std::string::npos : nl - at);
        at = nl == std::string::npos ? head.size() : nl + 1;
        if (!l.empty() && l.back() == '\r') l.pop_back();
        const size_t b = l.find_first_not_of(" \t");
        if (b == std::string::npos || l[b] == '#' || l[b] == '%') continue;
        const auto f = dataFields(l);
        // networkx write_edgelist with data: "u v {'weight': 3.0}".
        if (f.size() >= 3 && isInteger(f[0]) && isInteger(f[1]) && !f[2].empty() && f[2][0] == '{') {
            ++lines;
            continue;
        }
        if (f.size() < 2 || f.size() > 3 || !isInteger(f[0]) || !isInteger(f[1])) return false;
        if (f.size() == 3 && !isNumber(f[2])) return false;
        ++lines;
    }
    return lines > 0;
}

// The first line that is not blank or a '#'/'%' comment.
std::string firstDataLine(const std::string& head) {
    size_t at = 0;
    while (at < head.size()) {
        const size_t nl = head.find('\n', at);
        std::string l = head.substr(at, nl == std::string::npos ? std::string::npos : nl - at);
        at = nl == std::string::npos ? head.size() : nl + 1;
        if (!l.empty() && l.back() == '\r') l.pop_back();
        const size_t b = l.find_first_not_of(" \t");
        if (b != std::string::npos && l[b] != '#' && l[b] != '%') return l;
    }
    return "";
}

} // namespace

void registerGraphReaders(ReaderRegistry& r) {
    FormatReader graphml;
    graphml.name = "GraphML";
    graphml.extensions = {"graphml", "xml"};
    graphml.kind = LayerKind::Graph;
    graphml.description = "graph with node and edge attributes (<graphml> XML)";
    graphml.sniff = [](const std::string& path, const std::string& head) {
        if (head.find("<graphml") != std::string::npos) return 3;
        const std::string e = fileExtension(path);
        return e == "graphml" || (e == "xml" && graphTextKind(head) == GraphText::Xml) ? 1 : 0;
    };
    graphml.read = [](const std::string& path, const std::vector<std::string>& others,
                      const OpenOptions& opt) {
        return graphDataset(readGraphML, path, others.empty() ? std::string() : others.front(), opt);
    };
    r.add(graphml);

    FormatReader gml;
    gml.name = "GML";
    gml.extensions = {"gml"};
    gml.kind = LayerKind::Graph;
    gml.description = "graph [ node [ id label x y z ] edge [ source target weight ] ]";
    gml.sniff = [](const std::string& path, const std::string& head) {
        if (graphTextKind(head) == GraphText::Gml) return 3;
        if (fileExtension(path) == "gml") return head.find('[') != std::string::npos ? 2 : 1;
        return 0;
    };
    gml.read = [](const std::string& path, const std::vector<std::string>& others, const OpenOptions& opt) {
        return graphDataset(readGml, path, others.empty() ? std::string() : others.front(), opt);
    };
    r.add(gml);

    FormatReader csv;
    csv.name = "Edge list or node table";
    csv.extensions = {"csv", "tsv", "txt", "edgelist"};
    csv.kind = LayerKind::Graph;
    csv.description =
        "delimited text: source,target[,weight,type], or headerless 'u v [w]' lines of integer ids "
        "(with a node table: name,x,y,z,class,...)";
    csv.sniff = [](const std::string&, const std::string& head) {
        // By content, whatever the file is called.
        if (head.empty() || head.find('\0') != std::string::npos) {
            if (!head.empty()) sniffDeclined("binary data (byte 0x00), not text");
            return 0;
        }
        if (graphTextKind(head) != GraphText::Delimited) return 0;
        const std::string l = firstDataLine(head);
        bool src = false, dst = false, name = false;
        for (const auto& h : headerFields(l)) {
            src = src || cols::isSource(h);
            dst = dst || cols::isTarget(h);
            name = name || h == "name" || h == "name_padded" || h == "label" || h == "node" || h == "cell";
        }
        if (src && dst) return 2;
        if (name) return 2;
        if (headerLooksLikeSpikes(head)) return 0;
        if (looksLikeHeaderlessEdges(head)) return 2;
        sniffDeclined("no source/target (or name) columns in the header " +
                      headerForMessage(firstLine(head)));
        return 0;
    };
    csv.read = [](const std::string& path, const std::vector<std::string>& others, const OpenOptions& opt) {
        return graphDataset(readDelimitedGraph, path, others.empty() ? std::string() : others.front(), opt);
    };
    r.add(csv);

    FormatReader mtext;
    mtext.name = "Adjacency matrix (text)";
    mtext.extensions = {"csv", "tsv", "txt", "dat"};
    mtext.kind = LayerKind::Graph;
    mtext.description =
        "square block of numbers (comma, tab or space separated; optional header row and index "
        "column of names); zero = no edge, symmetric = undirected";
    mtext.sniff = [](const std::string& path, const std::string& head) {
        return sniffMatrixText(path, head);
    };
    mtext.read = [](const std::string& path, const std::vector<std::string>& others, const OpenOptions& opt) {
        return graphDataset(readMatrixText, path, others.empty() ? std::string() : others.front(), opt);
    };
    r.add(mtext);

    FormatReader mnpy;
    mnpy.name = "Adjacency matrix (NPY)";
    mnpy.extensions = {"npy"};
    mnpy.kind = LayerKind::Graph;
    mnpy.description = "NumPy 2-D square numeric array; zero = no edge, symmetric = undirected";
    mnpy.sniff = [](const std::string& path, const std::string& head) {
        // A (2, 2) array is as likely two spikes (unit, time): the spike reader takes it unless a graph is
        // asked.
        if (isSquareNpyHead(head, path)) return npy::parseHeader(head, path).value().shape[0] > 2 ? 3 : 1;
        return 0;
    };
    mnpy.read = [](const std::string& path, const std::vector<std::string>& others, const OpenOptions& opt) {
        return graphDataset(readMatrixNpy, path, others.empty() ? std::string() : others.front(), opt);
    };
    r.add(mnpy);

    FormatReader mh5;
    mh5.name = "Adjacency matrix (HDF5, MATLAB v7.3)";
    mh5.extensions = {"mat", "h5", "hdf5"};
    mh5.kind = LayerKind::Graph;
    mh5.description =
        "2-D square numeric dataset in an HDF5 or MATLAB v7.3 file (FILE:/path or option array)";
    mh5.sniff = [](const std::string& path, const std::string& head) {
        // A MATLAB v7.3 file: HDF5 after its 512-byte header. An HDF5 file whose only 2-D dataset is square
        // (and holds no volume or time axis) is a matrix; other HDF5 files are volumes or traces unless a
        // graph is asked for (openAs), which the extension allows.
        const std::string e = fileExtension(path);
        if (e == "mat") return isMatFileHead(head) ? 3 : 1;
        if ((e != "h5" && e != "hdf5") || !isHdf5Head(head)) return 0;
        return sniffMatrixHdf5(path);
    };
    mh5.read = [](const std::string& path, const std::vector<std::string>& others, const OpenOptions& opt) {
        const std::string array = opt.option("array");
        auto parse = [array](const std::string& p, const ReadOptions& ro) {
            return readMatrixHdf5(p, array, ro);
        };
        return graphDataset(parse, path, others.empty() ? std::string() : others.front(), opt);
    };
    r.add(mh5);
}

namespace {

using SpikeParser = Result<SpikeTrains> (*)(const std::string&);

// The read function of a spike format: `parse` reads the spike table; a trials table beside it (or given in
// `others`, or inside an NWB file) makes a trial-structured recording.
FormatReader::Read spikeRead(SpikeParser parse, bool nwb) {
    return [parse, nwb](const std::string& path, const std::vector<std::string>& others,
                        const OpenOptions& opt) -> Result<Dataset> {
        opt.say(0.0, "reading " + baseName(path));
        Dataset ds;
        ds.kind = LayerKind::Spikes;
        ds.name = baseName(path);
        ds.files.push_back(path);
        std::string trialsPath = others.empty() ? findTrialsFile(path) : others.front();
        const bool nwbTrials = nwb && nwbHasTrials(path);
        if (!trialsPath.empty() || nwbTrials) {
            auto td = readTrialData(path, trialsPath);
            if (!td) return td.error();
            if (!trialsPath.empty()) ds.files.push_back(trialsPath);
            ds.trials = std::make_shared<TrialData>(std::move(td.value()));
        }
        if (ds.trials && !nwb) {
            // A trial pair: spike times are relative to their trial; show the trials end to end.
            ds.spikes = std::make_shared<SpikeTrains>(trainsFromTrials(*ds.trials, &ds.epochs));
        } else {
            auto st = parse(path);
            if (!st) return st.error();
            ds.spikes = std::make_shared<SpikeTrains>(std::move(st.value()));
        }
        if (ds.spikes->spikeCount() == 0) return Error{path, 0, "the file holds no spikes"};
        ds.summary = "units=" + std::to_string(ds.spikes->unitCount()) +
                     " spikes=" + std::to_string(ds.spikes->spikeCount());
        if (ds.trials) ds.summary += " trials=" + std::to_string(ds.trials->trialRowCount());
        opt.say(1.0, "done");
        return ds;
    };
}

} // namespace

void registerSpikeReaders(ReaderRegistry& r) {
    FormatReader nwb;
    nwb.name = "NWB units table";
    nwb.extensions = {"nwb"};
    nwb.kind = LayerKind::Spikes;
    nwb.description = "Neurodata Without Borders (HDF5): units/spike_times, optional intervals/trials";
    nwb.sniff = [](const std::string& path, const std::string& head) {
        // Any HDF5 file may be NWB; only the extension tells it apart without opening it.
        if (fileExtension(path) == "nwb") return isHdf5Head(head) ? 3 : 1;
        return 0;
    };
    nwb.read = spikeRead(readNwbUnits, true);
    r.add(nwb);

    FormatReader csv;
    csv.name = "Spike table";
    csv.extensions = {"csv", "tsv", "txt"};
    csv.kind = LayerKind::Spikes;
    csv.description = "unit,time_s per spike (optional trial column with an X_trials.csv beside it)";
    csv.sniff = [](const std::string&, const std::string& head) {
        if (headerLooksLikeSpikes(head)) return 3;
        sniffDeclined("no unit and time columns in the header " + headerForMessage(firstLine(head)));
        return 0;
    };
    csv.read = spikeRead(readSpikesCsv, false);
    r.add(csv);

    FormatReader npy;
    npy.name = "Spike array (NPY)";
    npy.extensions = {"npy"};
    npy.kind = LayerKind::Spikes;
    npy.description =
        "NumPy (spikes, 2) array of unit, time_s, or a structured array with unit and time fields";
    npy.sniff = [](const std::string& path, const std::string& head) {
        if (npy::isNpyHead(head)) return 2;
        return fileExtension(path) == "npy" ? 1 : 0;
    };
    npy.read = spikeRead(readSpikesNpy, false);
    r.add(npy);
}

} // namespace nr
