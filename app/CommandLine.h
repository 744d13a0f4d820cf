// The command line: `neurorama [FILE...]`, `--screenshot`, `export`, `simulate`, `analyze`, `--help`,
// `--version`. Headless modes print one summary line on stdout, `FILE:LINE: reason` on stderr on failure and
// return non-zero.
#pragma once

#include <QSize>
#include <QString>
#include <QStringList>
#include <optional>

struct CommandLine {
    enum class Mode { Window, Screenshot, Export, Simulate, Analyze, Help, Version, Error, ExportModel };
    Mode mode = Mode::Window;
    QStringList files;             // datasets to open
    QList<QStringList> fileParams; // per file: reader options "name=value" (--param after the file)
    QString out;                   // --screenshot PATH / export --out PATH
    QSize size{1600, 1000};        // --size WxH
    bool sizeGiven = false;
    double widthMm = 0;         // export --width-mm
    int dpi = 300;              // export --dpi
    bool transparent = false;   // export --transparent
    QString view;               // export --view ("" = what the window shows)
    QString figure;             // export --figure NAME: a figure composed and saved in the session
    bool exampleFigure = false; // export --example-figure: the four-panel example built in code
    QString colorBy;            // --color-by COLUMN
    // Vessels: --radius MIN[:MAX], --slab AXIS:LO:HI, --clip-box X0:X1:Y0:Y1:Z0:Z1 (NaN / -1: not given).
    double radiusMin = -1, radiusMax = -1;
    int slabAxis = -1;
    double slab[2] = {0, 0};
    bool clipBoxGiven = false;
    double clipBox[6] = {0, 0, 0, 0, 0, 0};
    double simSeconds = 1.0;        // --sim-seconds for screenshots/exports of the live demo
    bool noSimulation = false;      // --no-simulation
    QString saveSession;            // --save-session FILE: the workspace as opened and set up, as a session
    bool allowOutsidePaths = false; // --allow-outside-paths: a session may open files outside its folder
    QString model;                  // --model coba|brunel|attractor: run this model in the window
    int neuronRanks = 0;            // --neuron-ranks K: run the open network (or the example) on NEURON
    QStringList rest;               // arguments after `simulate` / `analyze` / `export` (--neuron-model)
    QString error;                  // for Mode::Error
};

CommandLine parseCommandLine(const QStringList& args);
QString usageText();
// Parses "WxH" (e.g. 1920x1080); nullopt when malformed or outside 16..16384.
std::optional<QSize> parseSize(const QString& s);
// Runs --screenshot or export with a window that is shown under the current display; returns the exit code.
int runWindowCommand(const CommandLine& cl);
