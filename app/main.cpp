#include <QApplication>
#include <QCoreApplication>
#include <QSurfaceFormat>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <unistd.h>
#include <vector>

#include "CommandLine.h"
#include "MainWindow.h"
#include "SimulationDock.h"
#include "plugin/AnalyzeCommand.h"
#include "sim/SimulateCommand.h"

namespace {

std::vector<std::string> toStd(const QStringList& l) {
    std::vector<std::string> v;
    for (const QString& s : l) v.push_back(s.toStdString());
    return v;
}

bool haveDisplay() {
    const char* p = getenv("QT_QPA_PLATFORM");
    if (p && *p) return true; // the user chose a platform: respect it
    return (getenv("DISPLAY") && *getenv("DISPLAY")) ||
           (getenv("WAYLAND_DISPLAY") && *getenv("WAYLAND_DISPLAY"));
}

// Screenshot and export need an OpenGL context. Without a display, run ourselves again inside a private X
// server (xvfb-run) so they work from scripts, Makefiles and CI as they do on a desktop.
void reexecUnderXvfb(int argc, char** argv) {
    if (haveDisplay() || getenv("NR_IN_XVFB")) return;
    setenv("NR_IN_XVFB", "1", 1);
    std::vector<char*> a;
    static char xvfb[] = "xvfb-run", dashA[] = "-a", dashS[] = "-s", screen[] = "-screen 0 1920x1200x24";
    a.insert(a.end(), {xvfb, dashA, dashS, screen});
    for (int i = 0; i < argc; ++i) a.push_back(argv[i]);
    a.push_back(nullptr);
    execvp("xvfb-run", a.data());
    fprintf(stderr, "neurorama: no display and xvfb-run not found; set DISPLAY or install xvfb\n");
    exit(1);
}

void setDefaultSurfaceFormat() {
    QSurfaceFormat fmt;
    fmt.setVersion(3, 3);
    fmt.setProfile(QSurfaceFormat::CoreProfile);
    fmt.setDepthBufferSize(24);
    fmt.setStencilBufferSize(8);
    fmt.setAlphaBufferSize(8);
    QSurfaceFormat::setDefaultFormat(fmt);
}

} // namespace

int main(int argc, char** argv) {
    QStringList args;
    for (int i = 0; i < argc; ++i) args << QString::fromLocal8Bit(argv[i]);
    const CommandLine cl = parseCommandLine(args);
    switch (cl.mode) {
    case CommandLine::Mode::Help:
        printf("%s", qPrintable(usageText()));
        return 0;
    case CommandLine::Mode::Version:
        printf("neurorama %s\n", NR_VERSION);
        return 0;
    case CommandLine::Mode::Error:
        fprintf(stderr, "%s\n", qPrintable(cl.error));
        return 2;
    case CommandLine::Mode::Simulate: {
        QCoreApplication app(argc, argv);
        return nr::runSimulateCommand(toStd(cl.rest), std::cout, std::cerr);
    }
    case CommandLine::Mode::Analyze: {
        QCoreApplication app(argc, argv);
        return nr::runAnalyzeCommand(toStd(cl.rest), std::cout, std::cerr);
    }
    case CommandLine::Mode::Screenshot:
    case CommandLine::Mode::Export:
        reexecUnderXvfb(argc, argv);
        break;
    case CommandLine::Mode::Window:
        break;
    }
    QCoreApplication::setOrganizationName(QStringLiteral("Neurorama"));
    QCoreApplication::setApplicationName(QStringLiteral("Neurorama"));
    QCoreApplication::setApplicationVersion(QStringLiteral(NR_VERSION));
    setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    if (cl.mode == CommandLine::Mode::Screenshot || cl.mode == CommandLine::Mode::Export)
        return runWindowCommand(cl);

    MainWindow w;
    w.show();
    if (cl.files.isEmpty())
        w.showDemo(!cl.noSimulation);
    else
        w.openFiles(cl.files);
    return app.exec();
}
