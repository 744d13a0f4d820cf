// bench_figure: a 174 mm wide, 600 DPI, four-panel PDF (a raster of 1,000,000 spikes with its population
// rate, a 3-D network of 100,000 nodes and 100,000 edges, a 100 x 100 RDM and a histogram of 1,000,000
// radii) written by writeFigure, and the same figure drawn by matplotlib (figure_matplotlib.py: the raster as
// pixel markers, the 3-D view rasterised) from the same data in the same run. Run under xvfb-run (the 3-D
// panel renders with OpenGL).
//
// Output (key=value): ours_s_runs, ours_s, ours_bytes, ours_3d_s; mpl_backend, mpl_version, mpl_s_runs,
// mpl_s, mpl_bytes; size_ratio (matplotlib bytes / ours); ratio = matplotlib time / our time, medians of
// three runs of each side. Exits 1 when a panel is missing, a page size is not 174 x 130 mm, or the histogram
// counts differ from matplotlib's.
#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>

#include "BenchCommon.h"
#include "FigureRender.h"
#include "model/Graph.h"
#include "model/SpikeStore.h"

namespace {

constexpr double kWidthMm = 174, kHeightMm = 130;
constexpr int kDpi = 600;

template <class T> bool writeRaw(const QString& path, const std::vector<T>& v) {
    std::ofstream f(path.toStdString(), std::ios::binary);
    f.write(reinterpret_cast<const char*>(v.data()), std::streamsize(v.size() * sizeof(T)));
    return bool(f);
}

QSizeF mediaBoxMm(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return QSizeF();
    static const QRegularExpression re(
        QStringLiteral("/MediaBox\\s*\\[\\s*([-0-9.]+)\\s+([-0-9.]+)\\s+([-0-9.]+)\\s+([-0-9.]+)\\s*\\]"));
    const auto m = re.match(QString::fromLatin1(f.readAll()));
    if (!m.hasMatch()) return QSizeF();
    return QSizeF((m.captured(3).toDouble() - m.captured(1).toDouble()) * 25.4 / 72,
                  (m.captured(4).toDouble() - m.captured(2).toDouble()) * 25.4 / 72);
}

bool pageOk(const QSizeF& mm) {
    return std::abs(mm.width() - kWidthMm) < 0.3 && std::abs(mm.height() - kHeightMm) < 0.3;
}

} // namespace

int main(int argc, char** argv) {
    if (!qEnvironmentVariableIsSet("DISPLAY") && !qEnvironmentVariableIsSet("WAYLAND_DISPLAY")) {
        std::fprintf(stderr, "bench_figure: needs a display for the 3-D panel; run it as xvfb-run -a %s\n",
                     argv[0]);
        return 2;
    }
    QApplication app(argc, argv);
    bench::printLoad("start");
    QTemporaryDir dir;
    const QString d = dir.path();
    std::mt19937_64 rng(42);

    // Raster: 1000 neurons, 10 s, 1M spikes in time order.
    const uint32_t units = 1000;
    const size_t spikes = 1000000;
    nr::SpikeTrains trains;
    {
        std::uniform_real_distribution<double> ut(0, 10);
        std::uniform_int_distribution<uint32_t> uu(0, units - 1);
        std::vector<double> t(spikes);
        for (double& x : t) x = ut(rng);
        std::sort(t.begin(), t.end());
        for (double x : t) trains.add(x, uu(rng));
        for (uint32_t u = 0; u < units; ++u) trains.unitIds.push_back(u);
        trains.tStart = 0, trains.tStop = 10;
    }
    // Network: 100k nodes in a cylinder, 100k edges between near neighbours in index order.
    const size_t nodes = 100000, edges = 100000;
    auto g = std::make_shared<nr::Graph>();
    std::vector<float> xyz;
    std::vector<uint8_t> cls;
    std::vector<uint32_t> ed;
    {
        std::uniform_real_distribution<double> ang(0, 2 * M_PI), rad(0, 1), zz(0, 1000);
        for (size_t i = 0; i < nodes; ++i) {
            const double a = ang(rng), r = 300 * std::sqrt(rad(rng)), z = zz(rng);
            g->addNode((i % 5 == 4 ? "I" : "E") + std::to_string(i));
            g->x.push_back(float(r * std::cos(a)));
            g->y.push_back(float(r * std::sin(a)));
            g->z.push_back(float(z));
            g->nodeClass.push_back(i % 5 == 4 ? "I" : "E");
            xyz.insert(xyz.end(), {g->x.back(), g->y.back(), g->z.back()});
            cls.push_back(i % 5 == 4 ? 1 : 0);
        }
        std::uniform_int_distribution<uint32_t> un(0, uint32_t(nodes - 1));
        const uint8_t ty = g->typeIndex("chemical");
        g->reserveEdges(edges);
        for (size_t e = 0; e < edges; ++e) {
            const uint32_t s = un(rng), t = un(rng);
            g->addEdge(s, t, 1, ty);
            ed.push_back(s);
            ed.push_back(t);
        }
    }
    // RDM 100 x 100: symmetric, zero diagonal.
    const int n = 100;
    std::vector<double> rdm(size_t(n * n), 0);
    {
        std::uniform_real_distribution<double> uv(0.2, 1.4);
        for (int i = 0; i < n; ++i)
            for (int j = i + 1; j < n; ++j) rdm[size_t(i * n + j)] = rdm[size_t(j * n + i)] = uv(rng);
    }
    // Histogram: 1M log-normal radii, 50 bins over 0..15 µm.
    std::vector<float> radii(1000000);
    {
        std::normal_distribution<double> ln(std::log(3.0), 0.45);
        for (float& r : radii) r = float(std::exp(ln(rng)));
    }
    const size_t bins = 50;
    const double lo = 0, hi = 15;

    nr::Figure f;
    f.name = "bench";
    f.widthMm = kWidthMm, f.heightMm = kHeightMm, f.rows = 2, f.cols = 2;
    std::vector<FigurePanelData> data(4);
    nr::FigurePanel p;
    p.view = nr::PanelView::Network, p.row = 0, p.col = 0;
    nr::FigurePanelCamera cam;
    cam.position = {0, -3000, 500}, cam.focalPoint = {0, 0, 500}, cam.viewUp = {0, 0, 1};
    p.camera = cam;
    p.colorBy = "class";
    f.panels.push_back(p);
    p = nr::FigurePanel();
    p.view = nr::PanelView::Raster, p.row = 0, p.col = 1;
    f.panels.push_back(p);
    p.view = nr::PanelView::Rdm, p.row = 1, p.col = 0;
    f.panels.push_back(p);
    p.view = nr::PanelView::Histogram, p.row = 1, p.col = 1;
    f.panels.push_back(p);

    // Each side three times; the ratio is of the medians.
    const QString ours = QDir(d).filePath("ours.pdf");
    FigureWriteStats st;
    std::vector<double> oursRuns, ours3d;
    for (int rep = 0; rep < 3; ++rep) {
        QElapsedTimer timer;
        timer.start();
        data[0].graph = g;
        auto store = std::make_shared<nr::SpikeStore>();
        store->assign(trains);
        data[1].spikes = store;
        data[2].matrix = rdm, data[2].n = n;
        data[2].labels.clear();
        for (int i = 0; i < n; ++i) data[2].labels << QStringLiteral("c%1").arg(i + 1);
        data[3].histogram = nr::histogram(radii, bins, lo, hi);
        data[3].quantity = QStringLiteral("vessel radius"), data[3].unit = QStringLiteral("µm");
        st = FigureWriteStats();
        const QString err = writeFigure(f, data, ours, kDpi, &st);
        oursRuns.push_back(timer.nsecsElapsed() / 1e9);
        ours3d.push_back(st.ms3d / 1e3);
        if (!err.isEmpty()) {
            std::fprintf(stderr, "bench_figure: %s\n", qPrintable(err));
            return 1;
        }
    }
    auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
    };
    auto list = [](const std::vector<double>& v) {
        std::string s;
        for (double x : v) s += (s.empty() ? "" : ",") + std::to_string(x).substr(0, 6);
        return s;
    };
    const double oursS = median(oursRuns);
    std::printf("ours_s_runs=%s\n", list(oursRuns).c_str());
    size_t ourHist = 0;
    for (size_t c : data[3].histogram.counts) ourHist += c;
    std::printf("ours_s=%.3f\nours_3d_s=%.3f\nours_bytes=%lld\nours_panels=%d\n", oursS, median(ours3d),
                (long long)st.bytes, st.panels);
    const QSizeF ourPage = mediaBoxMm(ours);
    std::printf("ours_page_mm=%.2fx%.2f\n", ourPage.width(), ourPage.height());
    std::fflush(stdout);

    // The peer on the same data.
    bool wrote = writeRaw(d + "/spike_t.f64", trains.times) && writeRaw(d + "/spike_u.u32", trains.units) &&
                 writeRaw(d + "/node_xyz.f32", xyz) && writeRaw(d + "/node_c.u8", cls) &&
                 writeRaw(d + "/edges.u32", ed) && writeRaw(d + "/rdm.f64", rdm) &&
                 writeRaw(d + "/radii.f32", radii);
    {
        std::ofstream b((d + "/bins.txt").toStdString());
        b << bins << " " << lo << " " << hi << "\n";
        wrote = wrote && bool(b);
    }
    if (!wrote) {
        std::fprintf(stderr, "bench_figure: could not write the peer's data in %s\n", qPrintable(d));
        return 1;
    }
    const QString mplOut = QDir(d).filePath("mpl.pdf");
    const std::string script = std::string(NR_BENCH_SOURCE_DIR) + "/figure_matplotlib.py";
    char args[512];
    std::snprintf(args, sizeof args, " %s %s %g %g %d", qPrintable(d), qPrintable(mplOut), kWidthMm,
                  kHeightMm, kDpi);
    QElapsedTimer peerWall;
    bench::PeerRun py;
    std::vector<double> mplRuns, mplWall;
    for (int rep = 0; rep < 3; ++rep) {
        peerWall.start();
        py = bench::runPeer("/usr/bin/python3 " + script + args);
        mplWall.push_back(peerWall.nsecsElapsed() / 1e9);
        if (py.status != 0 || std::isnan(py.number("draw_s"))) {
            std::fprintf(stderr, "bench_figure: matplotlib failed (status %d):\n%s\n", py.status,
                         py.output.c_str());
            return 1;
        }
        mplRuns.push_back(py.number("draw_s"));
    }
    const double peerWallS = median(mplWall);
    std::printf("mpl_s_runs=%s\n", list(mplRuns).c_str());
    const double mplS = median(mplRuns);
    const double mplBytes = py.number("bytes");
    const QSizeF mplPage = mediaBoxMm(mplOut);
    std::printf("mpl_backend=%s\nmpl_version=%s\nmpl_s=%.3f\nmpl_wall_s=%.3f\nmpl_bytes=%.0f\nmpl_page_mm=%."
                "2fx%.2f\n",
                py.text("backend").c_str(), py.text("version").c_str(), mplS, peerWallS, mplBytes,
                mplPage.width(), mplPage.height());
    std::printf("size_ratio=%.2f\n", mplBytes / double(st.bytes));
    bench::printLoad("end");
    int status = 0;
    if (st.panels != 4) {
        std::fprintf(stderr, "bench_figure: %d of 4 panels drawn\n", st.panels);
        status = 1;
    }
    if (!pageOk(ourPage) || !pageOk(mplPage)) {
        std::fprintf(
            stderr, "bench_figure: page sizes %.2fx%.2f (ours) and %.2fx%.2f (matplotlib), not %gx%g mm\n",
            ourPage.width(), ourPage.height(), mplPage.width(), mplPage.height(), kWidthMm, kHeightMm);
        status = 1;
    }
    if (double(ourHist) != py.number("hist_sum")) {
        std::fprintf(stderr, "bench_figure: histogram counts %zu (ours) and %s (matplotlib) differ\n",
                     ourHist, py.text("hist_sum").c_str());
        status = 1;
    }
    // The first run of ours also creates the offscreen GL context and compiles its shaders, once per process;
    // every matplotlib run is a process of its own (its imports and data reading are not timed).
    std::printf("ratio_first_run=%.2f\n", mplRuns[0] / oursRuns[0]);
    std::printf("ratio=%.2f\n", mplS / oursS);
    return status;
}
