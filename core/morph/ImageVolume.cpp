#include "morph/ImageVolume.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <mutex>
#include <thread>

#include "morph/VolumeSource.h"

namespace nr {

double ImageVolume::value(size_t z, size_t y, size_t x, int c) const {
    const size_t i = ((z * ny + y) * nx + x) * size_t(channels) + size_t(c);
    switch (sample) {
    case Sample::U8:
        return data[i];
    case Sample::U16: {
        uint16_t v;
        std::memcpy(&v, &data[i * 2], 2);
        return v;
    }
    case Sample::F32: {
        float v;
        std::memcpy(&v, &data[i * 4], 4);
        return v;
    }
    }
    return 0;
}

std::string ImageVolume::shapeString() const {
    std::string s = std::to_string(nz) + "x" + std::to_string(ny) + "x" + std::to_string(nx);
    if (channels > 1) s += "x" + std::to_string(channels);
    return s;
}

std::string mostImageLike(const std::vector<std::string>& names) {
    std::string best;
    int bestScore = std::numeric_limits<int>::min();
    for (const auto& n : names) {
        std::string l = n;
        for (char& ch : l) ch = char(std::tolower(static_cast<unsigned char>(ch)));
        int s = 0;
        for (const char* w : {"image", "img", "raw", "rgb", "intensity", "mip", "channel", "data"})
            if (l.find(w) != std::string::npos) s += 2;
        for (const char* w : {"label", "inst", "seg", "gt", "mask", "pred"})
            if (l.find(w) != std::string::npos) s -= 3;
        if (s > bestScore) bestScore = s, best = n;
    }
    return best;
}

namespace {

// Copies n source values (array dtype) src[j * srcStep] to dst[j * stride], converting to D; tracks the
// range.
template <class D>
void convertRun(const uint8_t* src, size_t n, size_t srcStep, int bytes, bool isSigned, bool isFloat, D* dst,
                size_t stride, double& lo, double& hi) {
    auto go = [&](auto tag) {
        using S = decltype(tag);
        for (size_t j = 0; j < n; ++j) {
            S v;
            std::memcpy(&v, src + j * srcStep * sizeof(S), sizeof(S));
            const D d = D(v);
            dst[j * stride] = d;
            const double dv = double(d);
            if (dv < lo) lo = dv;
            if (dv > hi) hi = dv;
        }
    };
    if (isFloat) {
        if (bytes == 4)
            go(float());
        else
            go(double());
        return;
    }
    switch (bytes) {
    case 1:
        isSigned ? go(int8_t()) : go(uint8_t());
        break;
    case 2:
        isSigned ? go(int16_t()) : go(uint16_t());
        break;
    case 4:
        isSigned ? go(int32_t()) : go(uint32_t());
        break;
    default:
        isSigned ? go(int64_t()) : go(uint64_t());
        break;
    }
}

} // namespace

Result<ImageVolume> buildImageVolume(ArraySource& src, const OpenOptions& opt) {
    const size_t nd = src.shape.size();
    const std::string where = src.array.empty() ? std::string() : src.array + ": ";
    std::string shapeText;
    for (size_t d = 0; d < nd; ++d) shapeText += (d ? "x" : "") + std::to_string(src.shape[d]);
    if (nd < 3 || nd > 4)
        return Error{src.file, 0,
                     where + std::to_string(nd) + "-D array (" + shapeText +
                         "): an image volume is 3-D (z, y, x) or 4-D with a channel axis of 1 or 3"};
    if (src.chunk.size() != nd) return Error{src.file, 0, "chunk shape has the wrong number of dimensions"};
    for (size_t d = 0; d < nd; ++d) {
        if (src.chunk[d] == 0) return Error{src.file, 0, "chunk dimension " + std::to_string(d) + " is 0"};
        if (src.shape[d] == 0) return Error{src.file, 0, "array dimension " + std::to_string(d) + " is 0"};
    }
    if (src.isFloat && src.dtypeBytes != 4 && src.dtypeBytes != 8)
        return Error{src.file, 0,
                     where + "floating-point samples of " + std::to_string(src.dtypeBytes) + " bytes"};
    // Roles over 4 normalised dims: 0=c, 1=z, 2=y, 3=x.
    uint64_t shp[4] = {1, 1, 1, 1}, chk[4] = {1, 1, 1, 1};
    const size_t off = 4 - nd;
    for (size_t d = 0; d < nd; ++d) shp[off + d] = src.shape[d], chk[off + d] = src.chunk[d];
    int role[4] = {0, 1, 2, 3};
    if (nd == 4) {
        int cax = -1;
        const std::string ca = opt.option("channel_axis");
        if (!ca.empty()) {
            cax = std::atoi(ca.c_str());
            if (ca != "0" && ca != "3")
                return Error{src.file, 0, "channel_axis '" + ca + "': an image's channels are axis 0 or 3"};
        } else if (shp[3] == 3 || shp[3] == 1) {
            cax = 3;
        } else if (shp[0] == 3 || shp[0] == 1) {
            cax = 0;
        }
        if (cax < 0 || (shp[cax] != 1 && shp[cax] != 3))
            return Error{src.file, 0,
                         where + "4-D array " + shapeText +
                             " has no leading or trailing channel axis of 1 or 3 (grey or RGB); an image "
                             "volume is z, y, x with 1 or 3 channels"};
        int r = 1;
        for (int d = 0; d < 4; ++d) role[d] = d == cax ? 0 : r++;
    }
    uint64_t dimOf[4];
    for (int d = 0; d < 4; ++d) dimOf[role[d]] = shp[d];
    const uint64_t C = dimOf[0], Z = dimOf[1], Y = dimOf[2], X = dimOf[3];

    ImageVolume v;
    v.file = src.file;
    v.array = src.array;
    v.fileShape = src.shape;
    v.nz = size_t(Z), v.ny = size_t(Y), v.nx = size_t(X);
    v.channels = int(C);
    v.warnings = src.warnings;
    v.sample = src.isFloat                            ? ImageVolume::Sample::F32
               : src.dtypeBytes == 1 && !src.isSigned ? ImageVolume::Sample::U8
               : src.dtypeBytes == 2 && !src.isSigned ? ImageVolume::Sample::U16
                                                      : ImageVolume::Sample::F32;
    if (src.isFloat && src.dtypeBytes == 8)
        v.warnings.push_back(src.file + ": " + where + "64-bit floats are kept as 32-bit floats");
    if (src.axes.size() == nd)
        v.axes = src.axes;
    else {
        const char names[4] = {'c', 'z', 'y', 'x'};
        for (size_t d = 0; d < nd; ++d) v.axes += names[role[off + d]];
    }
    for (int k = 0; k < 3; ++k) v.voxelSize[k] = src.voxelSize[k], v.origin[k] = src.origin[k];
    v.voxelSizeKnown = src.haveVoxelSize;
    v.unit = src.unit;
    {
        const std::string vs = opt.option("voxel_size");
        if (!vs.empty()) {
            double a[3];
            const int n = std::sscanf(vs.c_str(), "%lf,%lf,%lf", &a[0], &a[1], &a[2]);
            if (n == 1) a[1] = a[2] = a[0];
            if ((n != 1 && n != 3) || !(a[0] > 0 && a[1] > 0 && a[2] > 0))
                return Error{src.file, 0, "voxel_size '" + vs + "': expected one size or z,y,x, all > 0"};
            for (int k = 0; k < 3; ++k) v.voxelSize[k] = a[k];
            v.voxelSizeKnown = true;
        }
        const std::string u = opt.option("unit");
        if (!u.empty()) v.unit = u;
    }

    // Memory estimate before allocating anything: the samples, plus one block buffer per reading thread.
    const double samples = double(Z) * double(Y) * double(X) * double(C);
    double chunkValsD = 1, nChunksD = 1;
    uint64_t grid[4], nChunks = 1, chunkVals = 1;
    for (int d = 0; d < 4; ++d) {
        chunkValsD *= double(chk[d]);
        chunkVals *= chk[d];
        grid[d] = (shp[d] + chk[d] - 1) / chk[d];
        nChunks *= grid[d];
        nChunksD *= double(grid[d]);
    }
    const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
    const unsigned nthreads = src.threadSafe ? unsigned(std::min<double>(hw, nChunksD)) : 1u;
    const double estimate = samples * v.sampleBytes() + chunkValsD * src.dtypeBytes * nthreads;
    const uint64_t limit = memoryLimitFor(opt);
    if (estimate > double(limit) || !std::isfinite(estimate))
        return Error{src.file, 0,
                     where + "image too big for memory: " + v.shapeString() + " " +
                         std::to_string(src.dtypeBytes) + "-byte samples need about " + humanBytes(estimate) +
                         ", limit " + humanBytes(double(limit)) +
                         " (the memory budget: half the physical memory; crop the image or raise max_bytes)"};

    v.data.assign(size_t(samples) * size_t(v.sampleBytes()), 0);
    // Destination strides (in samples) of each role: c, z, y, x.
    const uint64_t stride[4] = {1, Y * X * C, X * C, C};
    std::atomic<uint64_t> next{0}, done{0};
    std::atomic<bool> stop{false};
    std::mutex mu;
    std::optional<Error> firstError;
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    auto worker = [&]() {
        std::vector<uint8_t> buf;
        std::vector<uint64_t> idx(nd);
        double tlo = std::numeric_limits<double>::infinity(), thi = -tlo;
        while (!stop) {
            const uint64_t ci = next++;
            if (ci >= nChunks) break;
            uint64_t g[4], rem = ci;
            for (int d = 3; d >= 0; --d) g[d] = rem % grid[d], rem /= grid[d];
            for (size_t d = 0; d < nd; ++d) idx[d] = g[off + d];
            buf.assign(size_t(chunkVals) * size_t(src.dtypeBytes), 0);
            if (Status s = src.read(idx, buf)) {
                std::lock_guard<std::mutex> l(mu);
                if (!firstError) firstError = *s;
                stop = true;
                return;
            }
            uint64_t o[4], e[4];
            for (int d = 0; d < 4; ++d) {
                o[d] = g[d] * chk[d];
                e[d] = std::min(chk[d], shp[d] - o[d]);
            }
            // Runs along the last axis of the block, or along the one before it when the block holds a
            // single sample of the last (a channel read one at a time).
            const uint64_t srcStride[4] = {chk[1] * chk[2] * chk[3], chk[2] * chk[3], chk[3], 1};
            const int ra = e[3] == 1 ? 2 : 3;
            int outer[3], no = 0;
            for (int d = 0; d < 4; ++d)
                if (d != ra) outer[no++] = d;
            const size_t st = size_t(stride[role[ra]]), srcStep = size_t(srcStride[ra]);
            for (uint64_t ia = 0; ia < e[outer[0]]; ++ia)
                for (uint64_t ib = 0; ib < e[outer[1]]; ++ib)
                    for (uint64_t ic = 0; ic < e[outer[2]]; ++ic) {
                        uint64_t at[4] = {o[0], o[1], o[2], o[3]}, srcIdx = 0;
                        const uint64_t ii[3] = {ia, ib, ic};
                        for (int k = 0; k < 3; ++k) {
                            at[outer[k]] += ii[k];
                            srcIdx += ii[k] * srcStride[outer[k]];
                        }
                        uint64_t dstIdx = 0;
                        for (int d = 0; d < 4; ++d) dstIdx += at[d] * stride[role[d]];
                        const uint8_t* run = buf.data() + srcIdx * uint64_t(src.dtypeBytes);
                        switch (v.sample) {
                        case ImageVolume::Sample::U8:
                            convertRun(run, size_t(e[ra]), srcStep, src.dtypeBytes, src.isSigned, src.isFloat,
                                       v.data.data() + dstIdx, st, tlo, thi);
                            break;
                        case ImageVolume::Sample::U16:
                            convertRun(run, size_t(e[ra]), srcStep, src.dtypeBytes, src.isSigned, src.isFloat,
                                       reinterpret_cast<uint16_t*>(v.data.data()) + dstIdx, st, tlo, thi);
                            break;
                        case ImageVolume::Sample::F32:
                            convertRun(run, size_t(e[ra]), srcStep, src.dtypeBytes, src.isSigned, src.isFloat,
                                       reinterpret_cast<float*>(v.data.data()) + dstIdx, st, tlo, thi);
                            break;
                        }
                    }
            const uint64_t n = ++done;
            if (opt.progress) {
                std::lock_guard<std::mutex> l(mu);
                if (stop) break;
                if (!opt.say(double(n) / double(nChunks), "reading " + baseName(src.file))) {
                    stop = true;
                    if (!firstError) firstError = Error{src.file, 0, "cancelled"};
                    break;
                }
            }
        }
        std::lock_guard<std::mutex> l(mu);
        lo = std::min(lo, tlo);
        hi = std::max(hi, thi);
    };
    if (nthreads == 1)
        worker();
    else {
        std::vector<std::thread> th;
        for (unsigned t = 0; t < nthreads; ++t) th.emplace_back(worker);
        for (auto& t : th) t.join();
    }
    if (firstError) return *firstError;
    v.minValue = std::isfinite(lo) ? lo : 0;
    v.maxValue = std::isfinite(hi) ? hi : 0;
    return v;
}

} // namespace nr
