// Sessions: what is open and how it is shown, as JSON (files, colouring, edge filter, camera).
#pragma once

#include <QJsonObject>
#include <QString>

class MainWindow;

// Writes the window's state to `path`. Returns an empty string or the error.
QString saveSession(MainWindow* w, const QString& path);
// What to do with session entries outside the session's folder (a session is data someone may send):
// ask in a message box that lists them (Yes opens the session, No opens nothing), refuse the session
// (command line without --allow-outside-paths), or open them.
enum class OutsidePaths { Ask, Refuse, Allow };
// Reopens the files of a session and restores its view. Returns an empty string or "FILE: reason"; an
// empty string too when the user declines to open files outside the session's folder (nothing is opened).
QString loadSession(MainWindow* w, const QString& path, OutsidePaths outside = OutsidePaths::Ask);
// True when the file's first KiB names the session format ("format": "neurorama-session"), whatever its
// extension: sessions are saved as .nrsession (the registered file type) or .json.
bool isSessionFile(const QString& path);
