#include "CommandLine.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QImageWriter>
#include <QScreen>
#include <QThread>
#include <cstdio>

#include "ActivityDock.h"
#include "ConnectomePanel.h"
#include "FigureExport.h"
#include "FigureLabelCheck.h"
#include "FigureRender.h"
#include "MainWindow.h"
#include "Session.h"
#include "SimulationDock.h"
#include "VesselPanel.h"
#include "plots/TracePlot.h"
#include "traces/Traces.h"
#include "vtk/ConnectomeView.h"
#include "vtk/NeuronView.h"
#include "vtk/VesselView.h"
#include "vtk/VtkView.h"

std::optional<QSize> parseSize(const QString& s) {
    const QStringList p = s.toLower().split(QLatin1Char('x'));
    if (p.size() != 2) return std::nullopt;
    bool ok1 = false, ok2 = false;
    const int w = p[0].toInt(&ok1), h = p[1].toInt(&ok2);
    if (!ok1 || !ok2 || w < ExportLimits::kMinPixels || h < ExportLimits::kMinPixels ||
        w > ExportLimits::kMaxPixels || h > ExportLimits::kMaxPixels)
        return std::nullopt;
    return QSize(w, h);
}

QString usageText() {
    return QStringLiteral(
        "Usage:\n"
        "  neurorama [FILE [NODE_TABLE]]            open the window (the demo network when no file)\n"
        "  neurorama --screenshot OUT.png [--size WxH] [FILE [NODE_TABLE]]\n"
        "                                           render the window offscreen to a PNG and exit\n"
        "  neurorama export [FILES] --out FIG.(png|tif|svg|pdf) [--view VIEW]\n"
        "                   VIEW: network, vessels, neurons, sholl, raster, geometry, traces, fc-matrix,\n"
        "                   communities, structure-function, adjacency (default: what the window shows\n"
        "                   for FILES)\n"
        "                   [--size WxH | --width-mm MM] [--dpi N] [--transparent] [--color-by COLUMN]\n"
        "                   [--radius MIN[:MAX]] [--slab AXIS:LO:HI | --clip-box X0:X1:Y0:Y1:Z0:Z1]\n"
        "                                           write one view as a figure and exit\n"
        "  neurorama export SESSION --figure NAME --out FIG.(pdf|svg|png|tif) [--dpi N]\n"
        "                                           write a figure composed and saved in the session\n"
        "  neurorama export --example-figure --out FIG.(pdf|svg|png|tif) [--dpi N]\n"
        "                                           write the four-panel example figure\n"
        "  neurorama simulate MODEL [--seconds T] [--seed S] [--neurons N] [--threads N] [--param name=value "
        "...]\n"
        "                   [--out spikes.csv|.npy] MODEL: coba, brunel, attractor, demo or a connectome "
        "file\n"
        "                   [--engine neuron --ranks K [--hostfile F]]  on NEURON under mpirun (MODEL also "
        "ei or "
        "a .py script)\n"
        "  neurorama export MODEL --neuron-model DIR [--seconds T] [--seed S] [--neurons N] [--param "
        "name=value ...]\n"
        "                   [--ranks K]  write MODEL's description with run.py and README.txt for\n"
        "                   `mpirun -n K nrniv -mpi -python run.py` (File > Export Model for NEURON...)\n"
        "  neurorama analyze PLUGIN --input FILE [--trials FILE] [--param name=value ...] [--out "
        "result.json|.csv]\n"
        "  neurorama analyze --list\n"
        "  neurorama --help | --version\n"
        "\n"
        "Options for window modes:\n"
        "  --color-by COLUMN     colour nodes by degree, class or any node column; vessels by any edge "
        "column\n"
        "  --radius MIN[:MAX]    vessels: show only those with a radius in [MIN, MAX]\n"
        "  --slab AXIS:LO:HI     vessels: show only those whose middle lies in LO..HI along x, y or z\n"
        "  --clip-box X0:X1:Y0:Y1:Z0:Z1\n"
        "                        vessels: show only those whose middle lies in the box\n"
        "  --sim-seconds T       simulated time to run the live demo before a screenshot (default 1)\n"
        "  --neuron-ranks K      run the open network (or the example E/I network) on NEURON with K MPI "
        "ranks\n"
        "                        for --sim-seconds before the screenshot (Simulation > Run on NEURON...)\n"
        "  --no-simulation       show the demo network without running its simulation\n"
        "  --model MODEL         run coba, brunel or attractor in the window instead\n"
        "  --array PATH          the array inside the HDF5/Zarr file given before it (same as FILE:PATH),\n"
        "                        e.g. pred.hdf --array volumes/gmm_label_cleaned IMAGE.hdf:volumes/raw\n"
        "  --param NAME=VALUE    a reader option of the file given before it, e.g. rate=1.7 (frames per\n"
        "                        second of traces without a time vector), time=DATASET, as=image\n"
        "\n"
        "Options for export:\n"
        "  --out FIG             the figure file; its extension picks PNG, TIFF, SVG or PDF (vector for 2-D "
        "plots)\n"
        "  --view VIEW           which view to draw (default: what the window shows for the files)\n"
        "  --size WxH            the picture's size in pixels (16..16384 each)\n"
        "  --width-mm MM         the figure's physical width (10..1000 mm), with --dpi\n"
        "  --dpi N               dots per inch for --width-mm (72..2400)\n"
        "  --transparent         draw no background\n"
        "  --figure NAME         a composed figure of the session (File > New Figure), at its page size\n"
        "  --example-figure      the example figure: demo column in 3-D, COBA raster, RDM, vessel radii\n"
        "\n"
        "Options for simulate:\n"
        "  --seconds T           simulated time in seconds\n"
        "  --seed S              random seed; the same seed gives the same spikes\n"
        "  --neurons N           network size, for the models that scale\n"
        "  --dt MS               time step in milliseconds (default 0.1)\n"
        "  --param NAME=VALUE    a model parameter (e.g. coupling=6 for the attractor)\n"
        "  --out FILE            write the spikes as CSV (unit,time_s) or NPY\n"
        "  --trials PREFIX       stimulus models: PREFIX_spikes.csv and PREFIX_trials.csv for the spike "
        "analyses\n"
        "\n"
        "Options for analyze:\n"
        "  --input FILE          the data the plugin runs on: any file Neurorama reads\n"
        "  --trials FILE         the trials table of a trial-structured recording\n"
        "  --param NAME=VALUE    a plugin parameter (the Plugins tab and plugins/SDK.md list them)\n"
        "  --out FILE            write the result as JSON or CSV\n"
        "  --list                list every analysis plugin found, with the file it was loaded from\n"
        "\n"
        "Sessions:\n"
        "  neurorama SESSION.nrsession\n"
        "                        open a session saved with File > Save Session (.nrsession or .json, any\n"
        "                        file whose \"format\" is \"neurorama-session\"); double-clicking one does "
        "the same.\n"
        "                        A session holds the whole workspace: every layer with its files and reader\n"
        "                        options, colouring, filters, selection, analysis results, the simulation\n"
        "                        (run again to the time it had reached), the 3-D views' cameras and the "
        "docks\n"
        "  neurorama --screenshot OUT.png SESSION | neurorama export SESSION --out FIG [--view VIEW]\n"
        "                        draw a session without a window (the summary starts with session layers=K)\n"
        "  --save-session FILE   with --screenshot or export: after opening the files and applying the\n"
        "                        options given (colouring, filters, size), write that workspace as a "
        "session\n"
        "  --allow-outside-paths\n"
        "                        open the files a session lists outside its own folder; without it the\n"
        "                        window lists them and asks, and --screenshot and export refuse the session\n"
        "\n"
        "Environment:\n"
        "  NR_PLUGIN_PATH        colon-separated folders searched for analysis plugins, after the install's\n"
        "                        plugin folder and the user's (~/.local/share/neurorama/plugins)\n"
        "  NR_MEMORY_LIMIT_MIB   memory budget in MiB for reading, meshing and analysing large data "
        "(default:\n"
        "                        half the machine's memory); work that would need more is refused up front\n"
        "  NR_HDF5_TIMEOUT_S     wall-time limit in seconds for reading one HDF5 or NWB file, which is read "
        "in\n"
        "                        a child process (default: 20 s plus 1 s per 50 MB of file)\n"
        "  DISPLAY               the X display; without one, --screenshot and export start a private Xvfb\n"
        "  QT_QPA_PLATFORM       the Qt platform to use instead (e.g. offscreen)\n"
        "\n"
        "Files:\n"
        "  ~/.config/Neurorama/Neurorama.conf\n"
        "                        recent files, volume choices and export dialog settings\n"
        "  ~/.local/share/neurorama/plugins\n"
        "                        the user's analysis plugins (see the plugin SDK, SDK.md)\n"
        "\n"
        "Exit status:\n"
        "0 on success; non-zero when reading, drawing or an analysis failed (stderr says FILE:LINE: reason)\n"
        "or the command line was wrong.\n");
}

CommandLine parseCommandLine(const QStringList& argsIn) {
    CommandLine cl;
    QStringList args = argsIn.mid(1);
    if (!args.isEmpty() && (args[0] == QLatin1String("simulate") || args[0] == QLatin1String("analyze"))) {
        cl.mode =
            args[0] == QLatin1String("simulate") ? CommandLine::Mode::Simulate : CommandLine::Mode::Analyze;
        cl.rest = args.mid(1);
        return cl;
    }
    if (!args.isEmpty() && args[0] == QLatin1String("export") &&
        args.contains(QLatin1String("--neuron-model"))) {
        cl.mode = CommandLine::Mode::ExportModel; // no window: sim/ExportModelCommand.h
        cl.rest = args.mid(1);
        return cl;
    }
    if (!args.isEmpty() && args[0] == QLatin1String("export")) {
        cl.mode = CommandLine::Mode::Export;
        args.removeFirst();
    }
    auto fail = [&](const QString& why) {
        cl.mode = CommandLine::Mode::Error;
        cl.error = QStringLiteral("neurorama: %1").arg(why);
        return cl;
    };
    QString pendingArray; // --array given before its file
    for (int i = 0; i < args.size(); ++i) {
        const QString& a = args[i];
        auto value = [&](QString& into) {
            if (i + 1 >= args.size()) return false;
            into = args[++i];
            return true;
        };
        QString v;
        if (a == QLatin1String("--help") || a == QLatin1String("-h")) {
            cl.mode = CommandLine::Mode::Help;
            return cl;
        } else if (a == QLatin1String("--version")) {
            cl.mode = CommandLine::Mode::Version;
            return cl;
        } else if (a == QLatin1String("--screenshot")) {
            if (!value(cl.out)) return fail(QStringLiteral("--screenshot needs an output PNG path"));
            if (cl.mode != CommandLine::Mode::Export) cl.mode = CommandLine::Mode::Screenshot;
        } else if (a == QLatin1String("--out") || a == QLatin1String("-o")) {
            if (!value(cl.out)) return fail(QStringLiteral("%1 needs a path").arg(a));
        } else if (a == QLatin1String("--size")) {
            if (!value(v)) return fail(QStringLiteral("--size needs WxH"));
            auto s = parseSize(v);
            if (!s) return fail(QStringLiteral("--size '%1' is not WxH with 16..16384 pixels each").arg(v));
            cl.size = *s;
            cl.sizeGiven = true;
        } else if (a == QLatin1String("--width-mm")) {
            bool ok = false;
            if (!value(v) || (cl.widthMm = v.toDouble(&ok), !ok) || cl.widthMm < ExportLimits::kMinWidthMm ||
                cl.widthMm > ExportLimits::kMaxWidthMm)
                return fail(QStringLiteral("--width-mm needs a width from 10 to 1000"));
        } else if (a == QLatin1String("--dpi")) {
            bool ok = false;
            if (!value(v) || (cl.dpi = v.toInt(&ok), !ok) || cl.dpi < ExportLimits::kMinDpi ||
                cl.dpi > ExportLimits::kMaxDpi)
                return fail(QStringLiteral("--dpi needs a number from 72 to 2400"));
        } else if (a == QLatin1String("--transparent")) {
            cl.transparent = true;
        } else if (a == QLatin1String("--view")) {
            if (!value(cl.view) || cl.view.isEmpty())
                return fail(
                    QStringLiteral("--view needs a view: network, vessels, neurons, raster, geometry or "
                                   "traces"));
        } else if (a == QLatin1String("--figure")) {
            if (!value(cl.figure) || cl.figure.isEmpty())
                return fail(QStringLiteral("--figure needs the name of a figure saved in the session"));
        } else if (a == QLatin1String("--example-figure")) {
            cl.exampleFigure = true;
        } else if (a == QLatin1String("--color-by")) {
            if (!value(cl.colorBy)) return fail(QStringLiteral("--color-by needs a column name"));
        } else if (a == QLatin1String("--radius")) {
            const QStringList p = value(v) ? v.split(QLatin1Char(':')) : QStringList();
            bool ok1 = false, ok2 = true;
            if (p.size() >= 1) cl.radiusMin = p[0].toDouble(&ok1);
            if (p.size() == 2) cl.radiusMax = p[1].toDouble(&ok2);
            if (p.isEmpty() || p.size() > 2 || !ok1 || !ok2 || !(cl.radiusMin >= 0) ||
                (p.size() == 2 && !(cl.radiusMax >= cl.radiusMin)))
                return fail(QStringLiteral("--radius needs MIN or MIN:MAX with 0 <= MIN <= MAX"));
        } else if (a == QLatin1String("--slab")) {
            const QStringList p = value(v) ? v.split(QLatin1Char(':')) : QStringList();
            bool ok1 = false, ok2 = false;
            if (p.size() == 3) {
                cl.slabAxis = QStringLiteral("xyz").indexOf(p[0].toLower());
                cl.slab[0] = p[1].toDouble(&ok1);
                cl.slab[1] = p[2].toDouble(&ok2);
            }
            if (p.size() != 3 || p[0].size() != 1 || cl.slabAxis < 0 || !ok1 || !ok2 ||
                !(cl.slab[1] > cl.slab[0]))
                return fail(QStringLiteral("--slab needs AXIS:LO:HI with AXIS x, y or z and LO < HI"));
        } else if (a == QLatin1String("--clip-box")) {
            const QStringList p = value(v) ? v.split(QLatin1Char(':')) : QStringList();
            bool ok = p.size() == 6;
            for (int i = 0; ok && i < 6; ++i) cl.clipBox[i] = p[i].toDouble(&ok);
            for (int i = 0; ok && i < 3; ++i) ok = cl.clipBox[2 * i + 1] > cl.clipBox[2 * i];
            if (!ok)
                return fail(
                    QStringLiteral("--clip-box needs X0:X1:Y0:Y1:Z0:Z1 with each low below its high"));
            cl.clipBoxGiven = true;
        } else if (a == QLatin1String("--sim-seconds")) {
            bool ok = false;
            if (!value(v) || (cl.simSeconds = v.toDouble(&ok), !ok) || cl.simSeconds < 0 ||
                cl.simSeconds > 3600)
                return fail(QStringLiteral("--sim-seconds needs a time from 0 to 3600"));
        } else if (a == QLatin1String("--model")) {
            if (!value(cl.model)) return fail(QStringLiteral("--model needs coba, brunel or attractor"));
            if (cl.model != QLatin1String("coba") && cl.model != QLatin1String("brunel") &&
                cl.model != QLatin1String("attractor"))
                return fail(QStringLiteral("--model '%1' is not coba, brunel or attractor").arg(cl.model));
        } else if (a == QLatin1String("--neuron-ranks")) {
            bool ok = false;
            if (!value(v) || (cl.neuronRanks = v.toInt(&ok), !ok) || cl.neuronRanks < 1 ||
                cl.neuronRanks > 4096)
                return fail(QStringLiteral("--neuron-ranks needs 1 to 4096 MPI ranks"));
            cl.noSimulation = true;
        } else if (a == QLatin1String("--no-simulation")) {
            cl.noSimulation = true;
        } else if (a == QLatin1String("--save-session")) {
            if (!value(cl.saveSession) || cl.saveSession.isEmpty())
                return fail(QStringLiteral("--save-session needs a session file path"));
        } else if (a == QLatin1String("--allow-outside-paths")) {
            cl.allowOutsidePaths = true;
        } else if (a == QLatin1String("--array")) {
            // The array inside the container given just before (else the next one): FILE --array P is the
            // same as FILE:P (see nr::splitArrayPath).
            if (!value(v) || v.isEmpty()) return fail(QStringLiteral("--array needs a path inside the file"));
            if (!cl.files.isEmpty() && !cl.files.last().contains(QLatin1Char(':')))
                cl.files.last() += QLatin1Char(':') + v;
            else
                pendingArray = v;
        } else if (a == QLatin1String("--param")) {
            if (!value(v) || v.indexOf(QLatin1Char('=')) <= 0)
                return fail(QStringLiteral("--param needs NAME=VALUE"));
            if (cl.files.isEmpty())
                return fail(QStringLiteral("--param %1: give it after the file it is for").arg(v));
            cl.fileParams.last() << v;
        } else if (a.startsWith(QLatin1String("-")) && a.size() > 1) {
            return fail(QStringLiteral("unknown option '%1' (see --help)").arg(a));
        } else {
            cl.files << (pendingArray.isEmpty() ? a : a + QLatin1Char(':') + pendingArray);
            cl.fileParams << QStringList();
            pendingArray.clear();
        }
    }
    if (!pendingArray.isEmpty())
        return fail(QStringLiteral("--array %1: no file to read it from").arg(pendingArray));
    if (cl.mode == CommandLine::Mode::Export && cl.out.isEmpty())
        return fail(QStringLiteral("export needs --out FILE"));
    if ((cl.exampleFigure || !cl.figure.isEmpty()) && cl.mode != CommandLine::Mode::Export)
        return fail(QStringLiteral("--figure and --example-figure go with export"));
    if (cl.exampleFigure && (!cl.files.isEmpty() || !cl.figure.isEmpty()))
        return fail(QStringLiteral("--example-figure takes no session and no --figure"));
    if (!cl.figure.isEmpty() && (cl.files.size() != 1 || !isSessionFile(cl.files[0])))
        return fail(QStringLiteral("--figure NAME needs one session file (export SESSION --figure NAME)"));
    if (cl.files.size() > 3)
        return fail(
            QStringLiteral("give at most three files (e.g. traces, an edge list and its node table)"));
    return cl;
}

namespace {

void waitFor(int ms) {
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < ms) {
        QApplication::processEvents(QEventLoop::AllEvents, 20);
        QThread::msleep(5);
    }
}

std::vector<FileOptions> fileOptions(const CommandLine& cl) {
    std::vector<FileOptions> out;
    for (const QStringList& params : cl.fileParams) {
        FileOptions o;
        for (const QString& p : params) {
            const int eq = p.indexOf(QLatin1Char('='));
            o.emplace_back(p.left(eq).toStdString(), p.mid(eq + 1).toStdString());
        }
        out.push_back(std::move(o));
    }
    return out;
}

int figureSummary(const nr::Figure& f, const FigureWriteStats& st, const CommandLine& cl, const QString& what,
                  double ms) {
    // What the figure lacks that its settings ask for: written, but said (exit 0).
    for (const QString& w : st.warnings)
        fprintf(stderr, "%s: warning: %s\n", qPrintable(cl.out), qPrintable(w));
    printf("export figure=\"%s\"%s%s panels=%d page=%gx%gmm out=%s size=%dx%d dpi=%d bytes=%lld ms=%.0f\n",
           f.name.c_str(), what.isEmpty() ? "" : " ", qPrintable(what), st.panels, f.widthMm, f.heightMm,
           qPrintable(cl.out), st.pixels.width(), st.pixels.height(), cl.dpi, (long long)st.bytes, ms);
    return 0;
}

int runExampleFigure(const CommandLine& cl) {
    QElapsedTimer t;
    t.start();
    std::vector<FigurePanelData> data;
    const nr::Figure f = exampleFigure(data);
    FigureWriteStats st;
    if (const QString err = writeFigure(f, data, cl.out, cl.dpi, &st); !err.isEmpty()) {
        fprintf(stderr, "%s\n", qPrintable(err));
        return 1;
    }
    return figureSummary(f, st, cl, QString(), t.nsecsElapsed() / 1e6);
}

int exportSessionFigure(MainWindow& w, const CommandLine& cl, const QString& what) {
    QElapsedTimer t;
    t.start();
    const nr::Figure* found = nullptr;
    QStringList names;
    for (const nr::Figure& f : w.figures()) {
        names << QString::fromStdString(f.name);
        if (QString::fromStdString(f.name) == cl.figure) found = &f;
    }
    if (!found) {
        fprintf(stderr, "%s: no figure named \"%s\" in the session (%s)\n", qPrintable(cl.files[0]),
                qPrintable(cl.figure),
                names.isEmpty() ? "it has none" : qPrintable(QStringLiteral("figures: ") + names.join(", ")));
        return 1;
    }
    const std::vector<FigurePanelData> data = figureDataFromDocument(*found, w.document());
    FigureWriteStats st;
    if (const QString err = writeFigure(*found, data, cl.out, cl.dpi, &st); !err.isEmpty()) {
        fprintf(stderr, "%s\n", qPrintable(err));
        return 1;
    }
    // Written, but a panel is too small for its labels: say which and how large it needs to be.
    for (const FigureLabelWarning& lw : figureLabelWarnings(*found, data, cl.dpi))
        fprintf(stderr, "%s: warning: figure \"%s\": %s\n", qPrintable(cl.files[0]), found->name.c_str(),
                qPrintable(lw.message));
    return figureSummary(*found, st, cl, what, t.nsecsElapsed() / 1e6);
}

} // namespace

int runWindowCommand(const CommandLine& cl) {
    if (cl.exampleFigure) return runExampleFigure(cl);
    MainWindow w;
    w.resize(cl.size);
    w.setMinimumSize(QSize(16, 16));
    const bool live = (cl.files.isEmpty() && !cl.noSimulation) || !cl.model.isEmpty();
    int sessionLayers = -1; // layers a session restored (-1: not a session)
    if (cl.files.isEmpty()) {
        w.showDemo(live && cl.model.isEmpty());
    } else if (cl.files.size() == 1 && isSessionFile(cl.files[0])) {
        // Nobody is there to confirm files outside the session's folder: refused unless allowed.
        const OutsidePaths outside = cl.allowOutsidePaths ? OutsidePaths::Allow : OutsidePaths::Refuse;
        const SessionReport rep = loadSession(&w, cl.files[0], outside);
        if (!rep.error.isEmpty()) {
            fprintf(stderr, "%s\n", qPrintable(rep.error));
            return 1;
        }
        // Missing or changed files are warnings: the rest of the session is drawn.
        for (const QString& warning : rep.warnings)
            fprintf(stderr, "%s: warning: %s\n", qPrintable(cl.files[0]), qPrintable(warning));
        sessionLayers = rep.layers;
        w.simulationDock()->pause(); // drawn at the time the session reached
    } else if (QString err = w.openFilesBlocking(cl.files, fileOptions(cl)); !err.isEmpty()) {
        fprintf(stderr, "%s\n", qPrintable(err));
        return 1;
    }
    VesselPanel* vp =
        w.vesselPanel() && w.vesselView() && w.vesselView()->graph() ? w.vesselPanel() : nullptr;
    const bool vesselFilter = cl.radiusMin >= 0 || cl.slabAxis >= 0 || cl.clipBoxGiven;
    if (vesselFilter && !vp) {
        fprintf(stderr, "neurorama: --radius, --slab and --clip-box apply to a vessel graph; none is open\n");
        return 1;
    }
    if (cl.slabAxis >= 0 && cl.clipBoxGiven) {
        fprintf(stderr, "neurorama: give --slab or --clip-box, not both\n");
        return 1;
    }
    if (!cl.colorBy.isEmpty() && w.graph()) {
        const auto cols = w.graph()->nodeColumnNames();
        if (std::find(cols.begin(), cols.end(), cl.colorBy.toStdString()) == cols.end()) {
            fprintf(stderr, "neurorama: --color-by: no node column '%s'\n", qPrintable(cl.colorBy));
            return 1;
        }
        w.connectomePanel()->applyColorBy(cl.colorBy, false);
    } else if (!cl.colorBy.isEmpty() && vp) {
        const auto cols = w.vesselView()->colorColumns();
        if (std::find(cols.begin(), cols.end(), cl.colorBy.toStdString()) == cols.end()) {
            QStringList names;
            for (const auto& c : cols) names << QString::fromStdString(c);
            fprintf(stderr, "neurorama: --color-by: no vessel column '%s' (columns: %s)\n",
                    qPrintable(cl.colorBy), qPrintable(names.join(QStringLiteral(", "))));
            return 1;
        }
        vp->applyColorBy(cl.colorBy, false);
    }
    if (vesselFilter) {
        VesselFilter f = vp->currentFilter();
        if (cl.radiusMin >= 0) f.minRadius = float(cl.radiusMin);
        if (cl.radiusMax >= 0) f.maxRadius = float(cl.radiusMax);
        if (cl.slabAxis >= 0) {
            f.clip = VesselFilter::Clip::Slab;
            f.slabAxis = cl.slabAxis;
            f.slabLo = float(cl.slab[0]);
            f.slabHi = float(cl.slab[1]);
        }
        if (cl.clipBoxGiven) {
            f.clip = VesselFilter::Clip::Box;
            for (int i = 0; i < 6; ++i) f.box[i] = float(cl.clipBox[i]);
        }
        vp->applyFilter(f, false);
        // A clip frames what it leaves, as R does in the window.
        if (f.clip != VesselFilter::Clip::None) w.vesselView()->resetCamera();
    }
    w.show();
    w.resize(cl.size);
    waitFor(200);
    if (w.size() != cl.size) {
        fprintf(stderr, "neurorama: the window cannot be made %dx%d (smallest it fits is %dx%d)\n",
                cl.size.width(), cl.size.height(), w.minimumSizeHint().width(), w.minimumSizeHint().height());
        return 1;
    }
    if (!cl.model.isEmpty()) {
        w.simulationDock()->runner()->setSpeed(0);
        if (!w.simulationDock()->startModel(cl.model, nullptr, true)) {
            fprintf(stderr, "neurorama: --model %s could not start\n", qPrintable(cl.model));
            return 1;
        }
    }
    if (cl.neuronRanks > 0) {
        // Simulation > Run on NEURON…: the open network (or the example E/I network) for --sim-seconds.
        QString err;
        SimulationDock::NeuronSpec spec;
        spec.ranks = cl.neuronRanks;
        spec.params =
            w.simulationDock()->neuronParams(w.graph() != nullptr, 2000, std::max(0.1, cl.simSeconds), &err);
        if (spec.params.isEmpty() || !w.simulationDock()->startNeuron(spec)) {
            fprintf(stderr, "neurorama: --neuron-ranks: the NEURON run could not start%s%s\n",
                    err.isEmpty() ? "" : ": ", qPrintable(err));
            return 1;
        }
        QElapsedTimer t;
        t.start();
        while (!w.simulationDock()->neuronFinished() && t.elapsed() < 300000) waitFor(50);
        waitFor(150);
    }
    if (live) {
        // Let the demo simulation run so the raster and the flashing network have something to show.
        QElapsedTimer t;
        t.start();
        while (w.simulationDock()->simulatedSeconds() < cl.simSeconds && t.elapsed() < 20000) waitFor(50);
        w.simulationDock()->pause();
        waitFor(150);
    }
    QStringList parts;
    if (sessionLayers >= 0) parts << QStringLiteral("session layers=%1").arg(sessionLayers);
    // Other kinds first: their summary line is what the command promises.
    for (const auto& lp : w.document().layers()) {
        const nr::Layer& l = *lp;
        if (l.kind == nr::LayerKind::Traces) {
            parts << QStringLiteral("traces %1").arg(QString::fromStdString(l.summary));
            if (w.graph() && w.activityDock()->join().target.size() > 0)
                parts << QStringLiteral("join %1").arg(
                    QString::fromStdString(w.activityDock()->join().summary()));
        } else if (l.kind == nr::LayerKind::Vessels && w.vesselView() && w.vesselView()->graph()) {
            w.vesselView()->lod().settle();
            waitFor(100);
            parts << QStringLiteral("vessels nodes=%1 edges=%2")
                         .arg(w.vesselView()->graph()->nodeCount())
                         .arg(w.vesselView()->graph()->edgeCount());
            if (vesselFilter)
                parts.last() += QStringLiteral(" visible=%1").arg(w.vesselView()->visibleEdgeCount());
        } else if ((l.kind == nr::LayerKind::Morphologies || l.kind == nr::LayerKind::LabelVolume) &&
                   w.neuronView()) {
            if (l.kind == nr::LayerKind::LabelVolume && !w.neuronView()->waitForMeshes(300000)) {
                fprintf(stderr, "%s: meshing did not finish\n",
                        l.files.empty() ? "volume" : l.files[0].c_str());
                return 1;
            }
            parts << QString::fromStdString(w.neuronView()->summaryLine());
        } else if (l.kind == nr::LayerKind::Image && w.neuronView() && w.neuronView()->image()) {
            parts << QString::fromStdString(w.neuronView()->imageSummary());
        }
    }
    if (w.graph()) {
        parts << QStringLiteral("connectome nodes=%1 edges=%2 visible_edges=%3")
                     .arg(w.graph()->nodeCount())
                     .arg(w.graph()->edgeCount())
                     .arg(w.connectomeView()->visibleEdgeCount());
    }
    if (const nr::Layer* sp = w.document().current(nr::LayerKind::Spikes); sp && sp->spikes) {
        parts << QStringLiteral("spikes=%1 units=%2").arg(sp->spikes->size()).arg(sp->spikes->unitCount());
    } else if (parts.size() == (sessionLayers >= 0 ? 1 : 0)) {
        const auto s = w.simulationDock()->currentSpikes();
        parts
            << QStringLiteral("spikes=%1 units=%2").arg(s ? s->spikeCount() : 0).arg(s ? s->unitCount() : 0);
    }
    // A session's cameras, now that every view has its size and its surfaces.
    w.applyPendingCameras();
    waitFor(50);
    if (!cl.saveSession.isEmpty()) {
        if (QString err = saveSession(&w, cl.saveSession); !err.isEmpty()) {
            fprintf(stderr, "%s\n", qPrintable(err));
            return 1;
        }
    }
    const QString what = parts.join(QLatin1Char(' '));
    if (cl.mode == CommandLine::Mode::Screenshot) {
        if (cl.view == QLatin1String("adjacency")) {
            w.showAdjacency(); // Analysis > Adjacency Matrix
            // The dock takes room from the 3-D view: frame the network again in what is left of it.
            waitFor(100);
            w.connectomeView()->resetCamera();
        }
        w.connectomeView()->lod().settle();
        waitFor(100);
        // Every 3-D view on screen has drawn a frame at its final size (a frame can take a few hundred
        // milliseconds in software GL, and the last layout change may have come after the previous one).
        QElapsedTimer settle;
        settle.start();
        auto stale = [&w] {
            for (VtkView* v : w.findChildren<VtkView*>())
                if (v->isVisible() && !v->frameIsCurrent()) return true;
            return false;
        };
        while (stale() && settle.elapsed() < 5000) waitFor(20);
        waitFor(50);
        // What the window shows on its screen (the X server's pixels); grab() as a fallback, and when the
        // window reaches past the screen's edge (a size larger than the display): the server has no pixels
        // there, so its picture would end in a blank strip.
        const bool onScreen =
            w.screen() && w.screen()->geometry().contains(QRect(w.mapToGlobal(QPoint(0, 0)), w.size()));
        QImage img = onScreen ? w.screen()->grabWindow(w.winId()).toImage() : QImage();
        if (img.isNull() || img.size() != w.size() * w.devicePixelRatio()) img = w.grab().toImage();
        if (img.isNull()) {
            fprintf(stderr, "%s: the window could not be rendered\n", qPrintable(cl.out));
            return 1;
        }
        QImageWriter writer(cl.out);
        if (!writer.write(img)) {
            fprintf(stderr, "%s: %s\n", qPrintable(cl.out), qPrintable(writer.errorString()));
            return 1;
        }
        printf("%s image=%s size=%dx%d\n", qPrintable(what), qPrintable(cl.out), img.width(), img.height());
        return 0;
    }
    if (!cl.figure.isEmpty()) return exportSessionFigure(w, cl, what);
    FigureSpec spec;
    spec.path = cl.out;
    spec.dpi = cl.dpi;
    spec.transparent = cl.transparent;
    spec.pixels = cl.widthMm > 0 ? pixelsForWidth(cl.widthMm, cl.dpi, cl.size) : cl.size;
    const QString view = cl.view.isEmpty() ? defaultFigureView(&w) : cl.view;
    const QString err = exportViewFigure(&w, view, spec);
    if (!err.isEmpty()) {
        fprintf(stderr, "%s\n", qPrintable(err));
        return 1;
    }
    printf("export view=%s %s figure=%s size=%dx%d dpi=%d\n", qPrintable(view), qPrintable(what),
           qPrintable(cl.out), spec.pixels.width(), spec.pixels.height(), spec.dpi);
    return 0;
}
