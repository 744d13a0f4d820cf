// ReaderRegistry: the one list of file formats Neurorama reads. File > Open, drag-and-drop, the command line
// (`--screenshot`, `export`, `analyze`) and the open dialog's filters all go through it.
//
// A reader registers a FormatReader: a name, the extensions it claims, a content sniff, the kind of layer it
// makes, a one-line description and a read function. To open a file the registry asks every reader to sniff
// it (the file's first bytes are passed in) and takes the highest score; ties go to the earlier registration.
// Content comes first: a sniffer scores what the bytes say whatever the file is called (2 or 3), and the
// extension alone gives at most 1, so a headerless edge list named x.edgelist or a GraphML file named x.csv
// is read by what it holds. A file nobody claims gets an Error that lists the formats that can be read.
//
// This is the only place that picks a reader: no other code chooses a parser by a file's extension. Callers
// that need one kind of data use openAs (or the typed helpers of formats/Open.h).
//
// Readers of one area register themselves from a function of that area (registerGraphReaders,
// registerVesselReaders, ...); core/formats/BuiltinReaders.cpp calls all of them once.
#pragma once

#include <any>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "model/Error.h"
#include "model/Graph.h"
#include "model/LayerKind.h"
#include "model/SpikeTrains.h"

namespace nr {

struct TrialData;

// What a reader made from one or more files. Exactly the member of `kind` is set:
//   Graph -> graph; Spikes -> spikes (and trials/epochs when the file has them);
//   Vessels, Morphologies, LabelVolume, Traces, Image -> payload holds std::shared_ptr<const T> of the area's
//   type (VesselGraph, MorphologySet, LabelVolume, Traces, ImageVolume).
struct Dataset {
    LayerKind kind = LayerKind::Graph;
    std::string name;                  // layer name (the file's base name unless the reader knows better)
    std::vector<std::string> files;    // every file read, main file first
    std::string summary;               // one line: "nodes=448 edges=7379", "units=3 spikes=21354", ...
    std::vector<std::string> warnings; // recoverable problems that were repaired, "FILE:LINE: reason"
    std::shared_ptr<Graph> graph;
    std::shared_ptr<SpikeTrains> spikes;
    std::shared_ptr<TrialData> trials;
    std::vector<TrialEpoch> epochs;
    std::any payload;
};

struct OpenOptions {
    // progress(fraction 0..1, what) is called now and then; returning false cancels (Error "cancelled").
    std::function<bool(double, const std::string&)> progress;
    // Extra named options some readers take: "array" (path inside a Zarr/HDF5 container), "time",
    // "unit_scale", "voxel_size"... Unknown names are ignored.
    std::vector<std::pair<std::string, std::string>> options;
    std::string option(const std::string& name, const std::string& def = "") const {
        for (auto& kv : options)
            if (kv.first == name) return kv.second;
        return def;
    }
    bool say(double f, const std::string& what) const { return !progress || progress(f, what); }
};

struct FormatReader {
    std::string name;                    // "VesselGraph CSV pair"
    std::vector<std::string> extensions; // lower case without dot: {"csv"}; a folder reader uses "/"
    LayerKind kind = LayerKind::Graph;
    std::string description; // one line for `--help`, tooltips and errors
    // 0: not mine; 1: extension fits but content says nothing; 2: content fits; 3: content is certainly
    // mine (a magic number or an exact header). `head` holds up to the first 4 KiB of the file ("" for a
    // folder).
    std::function<int(const std::string& path, const std::string& head)> sniff;
    // Reads `path` (and a partner file it finds or that is given in `others`).
    using Read = std::function<Result<Dataset>(
        const std::string& path, const std::vector<std::string>& others, const OpenOptions& opt)>;
    Read read;
};

class ReaderRegistry {
public:
    // The registry with every built-in reader (filled once, on first use; thread-safe).
    static const ReaderRegistry& builtin();

    void add(FormatReader r);
    const std::vector<FormatReader>& readers() const { return readers_; }

    // The reader that claims `path` best, or nullptr. `declined`, when given, receives the readers that take
    // the file's extension but turned it down, each with its reason (see sniffDeclined; "" when none).
    const FormatReader* find(const std::string& path,
                             std::vector<std::pair<std::string, std::string>>* declined = nullptr) const;
    // The same among the readers that make `kind` only.
    const FormatReader* find(const std::string& path, LayerKind kind,
                             std::vector<std::pair<std::string, std::string>>* declined = nullptr) const;
    // Reads `path` with the reader that claims it (others = companion files chosen together with it).
    // `path` may name an array inside a container: "FILE:ARRAY" (see splitArrayPath).
    // A file nobody claims: Error{path, 0, "not a format Neurorama reads (...)"}: the readers that take its
    // extension and why they turned it down, or, when none does, the list of readable formats.
    Result<Dataset> open(const std::string& path, const std::vector<std::string>& others = {},
                         const OpenOptions& opt = {}) const;
    // open() among the readers that make `kind` only: a caller that needs a graph gets the graph reading of a
    // file that would otherwise open as traces. The Dataset's kind is the reader's (a volume reader asked
    // for `as=image` gives an Image).
    Result<Dataset> openAs(LayerKind kind, const std::string& path,
                           const std::vector<std::string>& others = {}, const OpenOptions& opt = {}) const;
    // "Graphs (*.csv *.tsv *.graphml *.gml);;Spike trains (*.csv *.npy *.nwb);;..." for QFileDialog.
    std::string dialogFilters() const;
    // One line per format: "name (.ext, .ext): description".
    std::string formatList() const;

private:
    const FormatReader* findAmong(const std::string& path, const LayerKind* kind,
                                  std::vector<std::pair<std::string, std::string>>* declined) const;
    Result<Dataset> openAmong(const std::string& path, const LayerKind* kind,
                              const std::vector<std::string>& others, const OpenOptions& opt) const;

    std::vector<FormatReader> readers_;
};

// "pred.hdf:/volumes/gmm_image" or "store.zarr:volumes/gt": a file or folder that exists, a colon and the
// path of an array inside it. Sets `file` and `array` and returns true when `path` itself does not exist and
// such a prefix does; open() then reads `file` with the option "array" set to `array`.
bool splitArrayPath(const std::string& path, std::string& file, std::string& array);

// Called by a sniffer that returns 0 for a file whose extension it takes, to say why in a few words ("no
// source/target columns in the header"); ReaderRegistry::find collects it for the message of a file nobody
// reads. Does nothing outside find.
void sniffDeclined(const std::string& reason);

// Reads up to `n` bytes from the start of `path` ("" when it cannot be opened or is a folder); a UTF-8 byte
// order mark at the start is left out, so sniffers see the text itself.
std::string readHead(const std::string& path, size_t n = 4096);
// Lower-case extension without the dot ("" when none); ".nrrd.gz"-style double extensions give "gz".
std::string fileExtension(const std::string& path);
// File name without folders.
std::string baseName(const std::string& path);

} // namespace nr
