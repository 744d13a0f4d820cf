// Sessions: what is open and how it is shown, as JSON (files, colouring, edge filter, camera).
#pragma once

#include <QJsonObject>
#include <QString>

class MainWindow;

// Writes the window's state to `path`. Returns an empty string or the error.
QString saveSession(MainWindow* w, const QString& path);
// Reopens the files of a session and restores its view. Returns an empty string or "FILE: reason".
QString loadSession(MainWindow* w, const QString& path);
// True when the file's first KiB names the session format ("format": "neurorama-session"), whatever its
// extension: sessions are saved as .nrsession (the registered file type) or .json.
bool isSessionFile(const QString& path);
