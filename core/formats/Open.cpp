#include "formats/Open.h"

#if __has_include("traces/Traces.h")
#include "traces/Traces.h"
#define NR_HAVE_TRACES 1
#endif
#if __has_include("morph/LabelVolume.h")
#include "morph/ImageVolume.h"
#include "morph/LabelVolume.h"
#define NR_HAVE_MORPH 1
#endif

namespace nr {

namespace {

// `opt` with `name=value` put first (so it wins over the same option given by the caller) unless the caller
// set it and `force` is false.
OpenOptions withOption(OpenOptions opt, const std::string& name, const std::string& value, bool force) {
    for (const auto& kv : opt.options)
        if (kv.first == name && !force) return opt;
    opt.options.insert(opt.options.begin(), {name, value});
    return opt;
}

Error wrongKind(const std::string& path, const Dataset& d, LayerKind want) {
    return Error{path, 0, std::string("holds ") + layerKindName(d.kind) + ", not " + layerKindName(want)};
}

template <class T>
Result<std::shared_ptr<const T>> payloadOf(Result<Dataset> d, const std::string& path, LayerKind want) {
    if (!d) return d.error();
    if (d.value().kind != want) return wrongKind(path, d.value(), want);
    const auto* p = std::any_cast<std::shared_ptr<const T>>(&d.value().payload);
    if (!p || !*p) return Error{path, 0, std::string("the reader gave no ") + layerKindName(want)};
    return *p;
}

} // namespace

Result<Graph> openGraph(const std::string& path, const OpenOptions& opt) {
    auto d = ReaderRegistry::builtin().openAs(LayerKind::Graph, path, {},
                                              withOption(opt, "layout", "none", false));
    if (!d) return d.error();
    if (!d.value().graph) return wrongKind(path, d.value(), LayerKind::Graph);
    return std::move(*d.value().graph);
}

Result<SpikeTrains> openSpikes(const std::string& path, const OpenOptions& opt) {
    auto d = ReaderRegistry::builtin().openAs(LayerKind::Spikes, path, {}, opt);
    if (!d) return d.error();
    if (!d.value().spikes) return wrongKind(path, d.value(), LayerKind::Spikes);
    return std::move(*d.value().spikes);
}

#ifdef NR_HAVE_TRACES
Result<std::shared_ptr<const Traces>> openTraces(const std::string& path, const OpenOptions& opt) {
    return payloadOf<Traces>(ReaderRegistry::builtin().openAs(LayerKind::Traces, path, {}, opt), path,
                             LayerKind::Traces);
}
#endif

#ifdef NR_HAVE_MORPH
Result<std::shared_ptr<const LabelVolume>> openLabelVolume(const std::string& path, const OpenOptions& opt) {
    return payloadOf<LabelVolume>(ReaderRegistry::builtin().openAs(LayerKind::LabelVolume, path, {},
                                                                   withOption(opt, "as", "labels", true)),
                                  path, LayerKind::LabelVolume);
}

Result<std::shared_ptr<const ImageVolume>> openImageVolume(const std::string& path, const OpenOptions& opt) {
    // The volume readers make an image when asked with as=image.
    return payloadOf<ImageVolume>(ReaderRegistry::builtin().openAs(LayerKind::LabelVolume, path, {},
                                                                   withOption(opt, "as", "image", true)),
                                  path, LayerKind::Image);
}
#endif

} // namespace nr
