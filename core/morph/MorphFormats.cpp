#include "morph/MorphFormats.h"

#include <cstdlib>

#include "io/Hdf5Util.h"
#include "morph/Codecs.h"
#include "morph/ImageVolume.h"
#include "morph/LabelVolume.h"
#include "morph/Morphology.h"
#include "morph/VolumeSource.h"

namespace nr {

std::vector<std::string> listVolumeArraysZarr(const std::string& path);
std::vector<std::string> listVolumeArraysHdf5(const std::string& path);

std::vector<std::string> listVolumeArrays(const std::string& path) {
    if (isDirectory(path)) return listVolumeArraysZarr(path);
    return listVolumeArraysHdf5(path);
}

namespace {

bool folderHas(const std::string& dir, const char* ext1, const char* ext2 = nullptr) {
    for (const auto& n : listFolder(dir, false, true)) {
        const std::string e = fileExtension(n);
        if (e == ext1 || (ext2 && e == ext2)) return true;
    }
    return false;
}

bool isZarrFolder(const std::string& p) {
    return fileExists(p + "/.zgroup") || fileExists(p + "/.zarray");
}

// The first data line of an SWC looks like "id type x y z radius parent".
bool looksLikeSwc(const std::string& head) {
    size_t i = 0;
    while (i < head.size()) {
        size_t e = head.find('\n', i);
        if (e == std::string::npos) e = head.size();
        std::string l = head.substr(i, e - i);
        i = e + 1;
        size_t b = l.find_first_not_of(" \t\r");
        if (b == std::string::npos || l[b] == '#') continue;
        int n = 0;
        const char* p = l.c_str() + b;
        char* q = nullptr;
        while (n < 7) {
            std::strtod(p, &q);
            if (q == p) break;
            ++n;
            p = q;
        }
        // Exactly seven numbers (a wider row of numbers is a matrix or a table, not SWC).
        while (*p == ' ' || *p == '\t' || *p == '\r') ++p;
        return n == 7 && (*p == '\0' || *p == '#');
    }
    return false;
}

double unitScaleOf(const OpenOptions& opt, const std::string& path, Status& bad) {
    const std::string s = opt.option("unit_scale");
    if (s.empty()) return 1.0;
    char* e = nullptr;
    const double v = std::strtod(s.c_str(), &e);
    if (*e || !(v > 0)) bad = Error{path, 0, "unit_scale '" + s + "' must be a number > 0"};
    return v;
}

Dataset morphDataset(std::shared_ptr<MorphologySet> set, const std::string& name) {
    Dataset d;
    d.kind = LayerKind::Morphologies;
    d.name = name;
    for (const auto& m : set->neurons) {
        d.files.push_back(m.file);
        d.warnings.insert(d.warnings.end(), m.warnings.begin(), m.warnings.end());
    }
    d.summary =
        "neurons=" + std::to_string(set->neurons.size()) + " nodes=" + std::to_string(set->totalNodes());
    d.payload = std::shared_ptr<const MorphologySet>(std::move(set));
    return d;
}

// Whether a volume file is read as an image rather than labels: option "as" ("image" or "labels"), else the
// array's name (or, without one, the file's) says image ("image", "raw", "rgb"...) and not labels.
Result<bool> wantsImage(const std::string& path, const OpenOptions& opt) {
    const std::string as = opt.option("as");
    if (as == "image") return true;
    if (as == "labels" || as == "label") return false;
    if (!as.empty()) return Error{path, 0, "as '" + as + "': read a volume as image or labels"};
    const std::string array = opt.option("array");
    const std::string name = array.empty() ? baseName(path) : array;
    return mostImageLike({"", name}) == name;
}

Result<Dataset> imageDataset(Result<ImageVolume> v, const std::string& path) {
    if (!v) return v.error();
    auto p = std::make_shared<ImageVolume>(std::move(v.value()));
    Dataset d;
    d.kind = LayerKind::Image;
    d.name = baseName(path) + (p->array.empty() ? "" : ":" + p->array);
    d.files.push_back(path);
    d.warnings = p->warnings;
    d.summary = "image shape=" + p->shapeString();
    d.payload = std::shared_ptr<const ImageVolume>(std::move(p));
    return d;
}

using LabelsReader = Result<LabelVolume> (*)(const std::string&, const OpenOptions&);
using ImageReader = Result<ImageVolume> (*)(const std::string&, const OpenOptions&);

Result<Dataset> volumeDataset(Result<LabelVolume> v, const std::string& path);

// Reads a volume file as labels or as an image (see wantsImage).
Result<Dataset> readVolumeFile(const std::string& path, const OpenOptions& opt, LabelsReader labels,
                               ImageReader image) {
    auto img = wantsImage(path, opt);
    if (!img) return img.error();
    if (img.value()) return imageDataset(image(path, opt), path);
    return volumeDataset(labels(path, opt), path);
}

Result<Dataset> volumeDataset(Result<LabelVolume> v, const std::string& path) {
    if (!v) return v.error();
    auto p = std::make_shared<LabelVolume>(std::move(v.value()));
    Dataset d;
    d.kind = LayerKind::LabelVolume;
    d.name = baseName(path) + (p->array.empty() ? "" : ":" + p->array);
    d.files.push_back(path);
    d.warnings = p->warnings;
    d.summary = "volume instances=" + std::to_string(p->instances.size()) + " shape=" + p->shapeString();
    d.payload = std::shared_ptr<const LabelVolume>(std::move(p));
    return d;
}

} // namespace

void registerMorphReaders(ReaderRegistry& r) {
    r.add({"SWC morphology",
           {"swc"},
           LayerKind::Morphologies,
           "traced neuron skeletons (id type x y z radius parent; NeuroMorpho and Allen variants)",
           [](const std::string& path, const std::string& head) {
               if (isDirectory(path)) return 0;
               // Seven numbers on the first data line fit an SWC whatever the file is called.
               const bool ext = fileExtension(path) == "swc";
               if (looksLikeSwc(head)) return ext ? 3 : 2;
               return ext ? 1 : 0;
           },
           [](const std::string& path, const std::vector<std::string>& others,
              const OpenOptions& opt) -> Result<Dataset> {
               Status bad;
               SwcOptions so;
               so.unitScale = unitScaleOf(opt, path, bad);
               if (bad) return *bad;
               auto set = std::make_shared<MorphologySet>();
               std::vector<std::string> files{path};
               for (const auto& o : others)
                   if (fileExtension(o) == "swc") files.push_back(o);
               for (size_t i = 0; i < files.size(); ++i) {
                   if (!opt.say(double(i) / double(files.size()), "reading " + baseName(files[i])))
                       return Error{files[i], 0, "cancelled"};
                   auto m = readSwc(files[i], so);
                   if (!m) return m.error();
                   set->neurons.push_back(std::move(m.value()));
               }
               return morphDataset(std::move(set), files.size() == 1 ? baseName(path)
                                                                     : baseName(path) + " +" +
                                                                           std::to_string(files.size() - 1));
           }});
    r.add({"SWC folder",
           {"/"},
           LayerKind::Morphologies,
           "every .swc file of a folder, one neuron each",
           [](const std::string& path, const std::string&) {
               if (!isDirectory(path) || isZarrFolder(path)) return 0;
               return folderHas(path, "swc") ? 2 : 0;
           },
           [](const std::string& path, const std::vector<std::string>&,
              const OpenOptions& opt) -> Result<Dataset> {
               Status bad;
               SwcOptions so;
               so.unitScale = unitScaleOf(opt, path, bad);
               if (bad) return *bad;
               auto s = readSwcFolder(path, so);
               if (!s) return s.error();
               return morphDataset(std::make_shared<MorphologySet>(std::move(s.value())), baseName(path));
           }});
    r.add({"Zarr v2 label volume",
           {"zarr", "/"},
           LayerKind::LabelVolume,
           "instance labels in a Zarr version 2 directory store (label map or one channel per instance)",
           [](const std::string& path, const std::string&) {
               if (!isDirectory(path)) return 0;
               if (isZarrFolder(path)) return 3;
               return fileExtension(path) == "zarr" ? 1 : 0;
           },
           [](const std::string& path, const std::vector<std::string>&, const OpenOptions& opt) {
               return readVolumeFile(path, opt, readZarrVolume, readZarrImage);
           }});
    r.add({"HDF5 label volume",
           {"h5", "hdf", "hdf5"},
           LayerKind::LabelVolume,
           "3-D label map or 4-D one-channel-per-instance dataset in an HDF5 file (choose it with array)",
           [](const std::string& path, const std::string& head) {
               const std::string e = fileExtension(path);
               if (e != "h5" && e != "hdf" && e != "hdf5") return 0;
               return isHdf5Head(head) ? 2 : 1;
           },
           [](const std::string& path, const std::vector<std::string>&, const OpenOptions& opt) {
               return readVolumeFile(path, opt, readHdf5Volume, readHdf5Image);
           }});
    r.add({"NRRD label volume",
           {"nrrd", "nhdr"},
           LayerKind::LabelVolume,
           "integer NRRD volume (raw or gzip encoding) read as a label map",
           [](const std::string& path, const std::string& head) {
               if (head.compare(0, 4, "NRRD") == 0) return 3;
               const std::string e = fileExtension(path);
               return e == "nrrd" || e == "nhdr" ? 1 : 0;
           },
           [](const std::string& path, const std::vector<std::string>&, const OpenOptions& opt) {
               return readVolumeFile(path, opt, readNrrdVolume, readNrrdImage);
           }});
    r.add({"TIFF label stack",
           {"tif", "tiff", "/"},
           LayerKind::LabelVolume,
           "8/16/32-bit integer labels, a multi-page TIFF or a folder of TIFF slices",
           [](const std::string& path, const std::string& head) {
               if (isDirectory(path)) return !isZarrFolder(path) && folderHas(path, "tif", "tiff") ? 2 : 0;
               const std::string e = fileExtension(path);
               const bool magic = head.compare(0, 4, std::string("II*\0", 4)) == 0 ||
                                  head.compare(0, 4, std::string("MM\0*", 4)) == 0 ||
                                  head.compare(0, 4, std::string("II+\0", 4)) == 0 ||
                                  head.compare(0, 4, std::string("MM\0+", 4)) == 0;
               if (magic) return 2; // a TIFF by content, whatever it is called
               return e == "tif" || e == "tiff" ? 1 : 0;
           },
           [](const std::string& path, const std::vector<std::string>&, const OpenOptions& opt) {
               return readVolumeFile(path, opt, readTiffVolume, readTiffImage);
           }});
}

} // namespace nr
