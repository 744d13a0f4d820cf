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

inline const char* layerKindName(LayerKind k) {
    switch (k) {
    case LayerKind::Graph:
        return "graph";
    case LayerKind::Spikes:
        return "spikes";
    case LayerKind::Simulation:
        return "simulation";
    case LayerKind::Vessels:
        return "vessels";
    case LayerKind::Morphologies:
        return "morphologies";
    case LayerKind::LabelVolume:
        return "label volume";
    case LayerKind::Traces:
        return "traces";
    case LayerKind::Image:
        return "image";
    }
    return "?";
}

} // namespace nr
