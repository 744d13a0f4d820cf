#include <QApplication>
#include <QCoreApplication>
#include <QHashFunctions>
#include <QSurfaceFormat>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <iostream>
#include <poll.h>
#include <string>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "CommandLine.h"
#include "MainWindow.h"
#include "SimulationDock.h"
#include "plugin/AnalyzeCommand.h"
#include "sim/ExportModelCommand.h"
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

// Screenshot and export need an OpenGL context. Without a display, start a private X server (Xvfb on a
// free display number, which it picks and reports through -displayfd) and run the command under it. The
// process splits in two: the app runs in a child; this process waits for it, then stops the server and
// exits with the app's own exit code (128 + signal when it died of one). Xvfb and the app get
// PR_SET_PDEATHSIG, so even a killed supervisor leaves no server behind.
pid_t gApp = -1;
void forwardSignal(int sig) {
    if (gApp > 0) kill(gApp, sig);
}

void stopServer(pid_t x) {
    kill(x, SIGTERM);
    for (int i = 0; i < 50; ++i) {
        if (waitpid(x, nullptr, WNOHANG) == x) return;
        usleep(20000);
    }
    kill(x, SIGKILL);
    waitpid(x, nullptr, 0);
}

void runUnderOwnXvfb() {
    if (haveDisplay() || getenv("NR_IN_XVFB")) return;
    int fds[2];
    if (pipe(fds) != 0) {
        perror("neurorama: pipe");
        exit(1);
    }
    const pid_t parent = getpid();
    const pid_t x = fork();
    if (x < 0) {
        perror("neurorama: fork");
        exit(1);
    }
    if (x == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent) _exit(1);
        close(fds[0]);
        const int null = open("/dev/null", O_RDWR);
        if (null >= 0) {
            dup2(null, 0);
            dup2(null, 1);
            dup2(null, 2);
        }
        const std::string fd = std::to_string(fds[1]);
        execlp("Xvfb", "Xvfb", "-displayfd", fd.c_str(), "-nolisten", "tcp", "-screen", "0", "1920x1200x24",
               static_cast<char*>(nullptr));
        _exit(127);
    }
    close(fds[1]);
    // The server writes its display number and a newline once it accepts connections.
    std::string number;
    struct pollfd pfd {
        fds[0], POLLIN, 0
    };
    while (number.find('\n') == std::string::npos && poll(&pfd, 1, 15000) > 0) {
        char buf[32];
        const ssize_t k = read(fds[0], buf, sizeof buf);
        if (k <= 0) break;
        number.append(buf, size_t(k));
    }
    close(fds[0]);
    if (number.find('\n') == std::string::npos) {
        stopServer(x);
        fprintf(stderr,
                "neurorama: no display, and Xvfb could not be started (install xvfb or set DISPLAY)\n");
        exit(1);
    }
    number.resize(number.find('\n'));
    setenv("DISPLAY", (":" + number).c_str(), 1);
    setenv("NR_IN_XVFB", "1", 1);
    gApp = fork();
    if (gApp < 0) {
        stopServer(x);
        perror("neurorama: fork");
        exit(1);
    }
    if (gApp == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent) _exit(1);
        return; // the app
    }
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) signal(sig, forwardSignal);
    int status = 0;
    while (waitpid(gApp, &status, 0) < 0 && errno == EINTR) {
    }
    stopServer(x);
    _exit(WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1);
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
    // One hash seed for every run: Qt's PDF writer emits its fonts in the order of a hash table, so with a
    // random seed per process the same figure exported twice could differ in the order of its font objects.
    QHashSeed::setDeterministicGlobalSeed();
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
    case CommandLine::Mode::ExportModel: {
        QCoreApplication app(argc, argv);
        return nr::runExportModelCommand(toStd(cl.rest), std::cout, std::cerr);
    }
    case CommandLine::Mode::Analyze: {
        QCoreApplication app(argc, argv);
        return nr::runAnalyzeCommand(toStd(cl.rest), std::cout, std::cerr);
    }
    case CommandLine::Mode::Screenshot:
    case CommandLine::Mode::Export:
        // A software rasterizer (Mesa llvmpipe, what Xvfb offers) bins every primitive of a frame before
        // its threads rasterize, and with worker threads several binned scenes of a large graph queue up:
        // a 1,000,000-edge screenshot peaked at 1.05 GB, 0.54 GB with rasterizing in the drawing thread,
        // for the same pixels and CPU time. Only for one-frame runs, and a user's own setting wins.
        setenv("LP_NUM_THREADS", "0", 0);
        runUnderOwnXvfb();
        break;
    case CommandLine::Mode::Window:
        break;
    }
    QCoreApplication::setOrganizationName(QStringLiteral("Neurorama"));
    QCoreApplication::setApplicationName(QStringLiteral("Neurorama"));
    QCoreApplication::setApplicationVersion(QStringLiteral(NR_VERSION));
    setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    if (cl.mode == CommandLine::Mode::Screenshot || cl.mode == CommandLine::Mode::Export) {
        // Nobody moves the camera of a one-frame run: views skip preparing their moving-frame level of
        // detail.
        app.setProperty("neurorama.oneFrame", true);
        return runWindowCommand(cl);
    }

    MainWindow w;
    w.restoreLayout(); // size and docks of the last run, inside this screen
    w.setAllowOutsidePaths(cl.allowOutsidePaths);
    w.show();
    if (cl.files.isEmpty())
        w.showDemo(!cl.noSimulation);
    else
        w.openFiles(cl.files);
    return app.exec();
}
