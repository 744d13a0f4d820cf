#include "formats/BuiltinReaders.h"

#include <mutex>

#include "io/IoFormats.h"
#if __has_include("vessel/VesselFormats.h")
#include "vessel/VesselFormats.h"
#define NR_HAVE_VESSEL 1
#endif
#if __has_include("morph/MorphFormats.h")
#include "morph/MorphFormats.h"
#define NR_HAVE_MORPH 1
#endif
#if __has_include("traces/TraceFormats.h")
#include "traces/TraceFormats.h"
#define NR_HAVE_TRACES 1
#endif

namespace nr {

void registerBuiltinReaders(ReaderRegistry& r) {
    // Specialised formats first: on equal sniff scores the earlier registration wins.
#ifdef NR_HAVE_VESSEL
    registerVesselReaders(r);
#endif
#ifdef NR_HAVE_MORPH
    registerMorphReaders(r);
#endif
#ifdef NR_HAVE_TRACES
    registerTraceReaders(r);
#endif
    registerSpikeReaders(r);
    registerGraphReaders(r);
}

const ReaderRegistry& ReaderRegistry::builtin() {
    static ReaderRegistry reg;
    static std::once_flag once;
    std::call_once(once, [] { registerBuiltinReaders(reg); });
    return reg;
}

} // namespace nr
