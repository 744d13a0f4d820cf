// Sessions in the window: the whole workspace (every layer with its files and reader options, display,
// filters, selection, results, the simulation, the 3-D views' cameras, the docks) to a session file and back.
// The format and its validation are core's (core/session/Session.h, docs/SESSION.md); what each kind of layer
// keeps is its presenter's (app/layers/LayerPresenter.h).
#pragma once

#include <QString>
#include <QStringList>

class MainWindow;

// Writes the workspace to `path` atomically (the previous file stays whole when anything fails). Returns ""
// or the error.
QString saveSession(MainWindow* w, const QString& path);
// What to do with session entries outside the session's folder (a session is data someone may send):
// ask in a message box that lists them (Yes opens the session, No opens nothing), refuse the session
// (command line without --allow-outside-paths), or open them.
enum class OutsidePaths { Ask, Refuse, Allow };

struct SessionReport {
    QString error;         // "FILE:LINE: reason": nothing was changed
    QStringList warnings;  // layers that could not open (missing or unreadable files), files that changed
    int layers = 0;        // layers restored
    bool declined = false; // the user declined to open files outside the session's folder
};

// Replaces the workspace with the session's. A damaged or newer session is refused before anything that is
// open changes; a layer whose file is missing or unreadable is listed in `warnings` and the others open.
SessionReport loadSession(MainWindow* w, const QString& path, OutsidePaths outside = OutsidePaths::Ask);
// True when the file's first KiB names the session format ("format": "neurorama-session"), whatever its
// extension: sessions are saved as .nrsession (the registered file type) or .json.
bool isSessionFile(const QString& path);
