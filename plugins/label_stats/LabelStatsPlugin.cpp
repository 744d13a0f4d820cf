// Built-in plugin: instances, voxel counts, overlaps and bounding boxes of an instance label volume.
#include <QObject>

#include "morph/LabelVolume.h"
#include "plugin/AnalysisPlugin.h"

namespace nr {

class LabelStatsPlugin : public QObject, public AnalysisPlugin {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID NR_ANALYSIS_PLUGIN_IID FILE "label_stats.json")
    Q_INTERFACES(nr::AnalysisPlugin)

public:
    std::string name() const override { return "label_stats"; }
    std::string description() const override {
        return "Number of instances, voxels in at least one instance, voxels in more than one (overlaps), "
               "and "
               "per instance its voxel count, volume and bounding box.";
    }
    InputKinds inputs() const override { return VolumeInput; }
    std::vector<ParamSpec> parameters() const override {
        using T = ParamSpec::Type;
        // The reader options are declared so that they can be given on the command line.
        return {
            {"array",
             T::String,
             "",
             0,
             0,
             {},
             "array inside a Zarr store or HDF5 file (e.g. volumes/gt_instances)"},
            {"voxel_size",
             T::String,
             "",
             0,
             0,
             {},
             "voxel size: one value or z,y,x (default: from the file)"},
            {"channel_axis",
             T::String,
             "",
             0,
             0,
             {},
             "channel axis of a 4-D array (default: the smaller end)"},
        };
    }
    Result<Results> run(const Inputs& in, const Params&, Progress& progress) const override {
        std::shared_ptr<const LabelVolume> v;
        try {
            v = std::any_cast<std::shared_ptr<const LabelVolume>>(in.volume);
        } catch (const std::bad_any_cast&) {
        }
        if (!v) return Error{in.source, 0, "label_stats needs a label volume"};
        Results r;
        r.addScalar("instances", double(v->instances.size()));
        r.addScalar("voxels", double(v->foregroundVoxels));
        r.addScalar("overlap_voxels", double(v->overlapVoxels));
        const char* names[] = {"label", "channel", "voxels", "volume", "z_min",
                               "z_max", "y_min",   "y_max",  "x_min",  "x_max"};
        TableResult t{"instances", {}};
        for (const char* n : names) t.columns.push_back({n, {}, {}, false});
        const double voxelVolume = v->voxelSize[0] * v->voxelSize[1] * v->voxelSize[2];
        for (const auto& i : v->instances) {
            const double row[10] = {
                double(i.label), double(i.channel), double(i.voxels), double(i.voxels) * voxelVolume,
                double(i.lo[0]), double(i.hi[0]),   double(i.lo[1]),  double(i.hi[1]),
                double(i.lo[2]), double(i.hi[2])};
            for (int k = 0; k < 10; ++k) t.columns[size_t(k)].numbers.push_back(row[k]);
        }
        r.tables.push_back(std::move(t));
        progress.report(1.0);
        return r;
    }
};

} // namespace nr

#include "LabelStatsPlugin.moc"
