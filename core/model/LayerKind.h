// The kinds of layer a document holds. Each kind has one core type (see DESIGN.md, "Layers").
#pragma once

namespace nr {

enum class LayerKind {
    Graph,        // nr::Graph (connectomes, generic graphs, layouts of simulated models)
    Spikes,       // nr::SpikeTrains (recorded or simulated), optional trials and epochs
    Simulation,   // a running or finished nr::Simulation with its spike store
    Vessels,      // nr::VesselGraph (VesselGraph CSV pairs, network.dat, legacy VTK)
    Morphologies, // nr::MorphologySet (SWC skeletons)
    LabelVolume,  // nr::LabelVolume (instance label volumes: Zarr, HDF5, NRRD, TIFF)
    Traces,       // nr::Traces (calcium-imaging activity of named neurons)
    Image,        // nr::ImageVolume (the grey or RGB microscopy volume labels came from)
};

inline constexpr LayerKind kAllLayerKinds[] = {
    LayerKind::Graph,        LayerKind::Spikes,      LayerKind::Simulation, LayerKind::Vessels,
    LayerKind::Morphologies, LayerKind::LabelVolume, LayerKind::Traces,     LayerKind::Image};

// Each kind's name as people read it ("label volume") and as files store it ("label_volume").
struct LayerKindNames {
    LayerKind kind;
    const char* display;
    const char* key;
};
inline constexpr LayerKindNames kLayerKindNames[] = {
    {LayerKind::Graph, "graph", "graph"},
    {LayerKind::Spikes, "spikes", "spikes"},
    {LayerKind::Simulation, "simulation", "simulation"},
    {LayerKind::Vessels, "vessels", "vessels"},
    {LayerKind::Morphologies, "morphologies", "morphologies"},
    {LayerKind::LabelVolume, "label volume", "label_volume"},
    {LayerKind::Traces, "traces", "traces"},
    {LayerKind::Image, "image", "image"}};

inline const char* layerKindName(LayerKind k) {
    for (const auto& n : kLayerKindNames)
        if (n.kind == k) return n.display;
    return "?";
}

// The identifier sessions and other files store for a kind.
inline const char* layerKindKey(LayerKind k) {
    for (const auto& n : kLayerKindNames)
        if (n.kind == k) return n.key;
    return "graph";
}

} // namespace nr
