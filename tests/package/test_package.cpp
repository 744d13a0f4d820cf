// The Debian package as a user gets it: cpack makes neurorama_<version>_<arch>.deb from this build; the test
// checks its name, control fields (Depends from packaging/packages.txt), file list, desktop entry, metainfo,
// MIME types, icons and man page with the Debian tools, asks lintian for errors, then unpacks it into a
// temporary root and runs the unpacked binary as an installed one: --version, `analyze --list` (each plugin
// once, from the unpacked folder, never from this build tree), an analysis, a screenshot of the demo, and a
// plugin built out of tree against the unpacked SDK.
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

namespace {

const QString kSource = QStringLiteral(NR_SOURCE_DIR);
const QString kBuild = QStringLiteral(NR_BUILD_DIR);
const QString kVersion = QStringLiteral(NR_VERSION);

struct Run {
    int code = -1;
    QString out, err;
    QString both() const { return out + err; }
};

Run run(const QString& program, const QStringList& args, const QString& cwd = QString(),
        const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment(), int timeoutMs = 300000) {
    QProcess p;
    p.setProgram(program);
    p.setArguments(args);
    p.setProcessEnvironment(env);
    if (!cwd.isEmpty()) p.setWorkingDirectory(cwd);
    p.start();
    Run r;
    if (!p.waitForStarted(10000)) {
        r.err = program + QStringLiteral(": could not be started");
        return r;
    }
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(5000);
        r.err = program + QStringLiteral(": timed out");
        return r;
    }
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

// The `run` packages of the one package list.
QStringList runPackages() {
    QFile f(kSource + QStringLiteral("/packaging/packages.txt"));
    if (!f.open(QIODevice::ReadOnly)) return {};
    QStringList out;
    for (QString line : QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'))) {
        line = line.section(QLatin1Char('#'), 0, 0).trimmed();
        const QStringList w = line.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts);
        if (w.size() >= 2 && w.mid(1).contains(QStringLiteral("run"))) out << w[0];
    }
    return out;
}

// The built-in plugins: every folder of plugins/ with a CMakeLists.txt but the out-of-tree SDK example.
QStringList builtinPlugins() {
    QStringList out;
    const auto dirs = QDir(kSource + QStringLiteral("/plugins")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString& d : dirs)
        if (d != QLatin1String("sdk-example") &&
            QFile::exists(kSource + QStringLiteral("/plugins/") + d + QStringLiteral("/CMakeLists.txt")))
            out << d;
    return out;
}

} // namespace

class TestPackage : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    QString deb_, root_;
    QStringList files_;

    // An environment like a fresh user's: no plugin path, an empty home.
    QProcessEnvironment userEnv() const {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("NR_PLUGIN_PATH"));
        env.remove(QStringLiteral("XDG_DATA_HOME"));
        env.insert(QStringLiteral("HOME"), tmp_.path() + QStringLiteral("/home"));
        return env;
    }
    QString bin() const { return root_ + QStringLiteral("/usr/bin/neurorama"); }

private slots:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        QDir().mkpath(tmp_.path() + QStringLiteral("/home"));
        for (const char* tool : {"cpack", "dpkg-deb", "lintian", "desktop-file-validate", "appstreamcli",
                                 "update-mime-database", "man"})
            QVERIFY2(
                !QStandardPaths::findExecutable(QString::fromLatin1(tool)).isEmpty(),
                qPrintable(QStringLiteral("%1 is not installed (bash packaging/install-deps.sh installs it)")
                               .arg(QString::fromLatin1(tool))));
        const QString out = tmp_.path() + QStringLiteral("/deb");
        const Run r = run(QStringLiteral("cpack"),
                          {QStringLiteral("-G"), QStringLiteral("DEB"), QStringLiteral("-B"), out}, kBuild);
        QVERIFY2(r.code == 0, qPrintable(r.both()));
        const QStringList debs = QDir(out).entryList({QStringLiteral("*.deb")}, QDir::Files);
        QCOMPARE(debs.size(), 1);
        deb_ = out + QLatin1Char('/') + debs[0];
        const Run c = run(QStringLiteral("dpkg-deb"), {QStringLiteral("-c"), deb_});
        QVERIFY2(c.code == 0, qPrintable(c.both()));
        for (const QString& line : c.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
            QString path = line.section(QLatin1Char(' '), -1);
            if (line.contains(QStringLiteral(" -> ")))
                path = line.section(QStringLiteral(" -> "), 0, 0).section(QLatin1Char(' '), -1);
            files_ << path.mid(1); // "./usr/bin/x" -> "/usr/bin/x"
        }
        root_ = tmp_.path() + QStringLiteral("/root");
        const Run x = run(QStringLiteral("dpkg-deb"), {QStringLiteral("-x"), deb_, root_});
        QVERIFY2(x.code == 0, qPrintable(x.both()));
    }

    void debianFileName() {
        const Run a = run(QStringLiteral("dpkg"), {QStringLiteral("--print-architecture")});
        QCOMPARE(a.code, 0);
        QCOMPARE(QFileInfo(deb_).fileName(),
                 QStringLiteral("neurorama_%1_%2.deb").arg(kVersion, a.out.trimmed()));
    }

    void controlFields() {
        const Run r =
            run(QStringLiteral("dpkg-deb"),
                {QStringLiteral("-f"), deb_, QStringLiteral("Package"), QStringLiteral("Version"),
                 QStringLiteral("Depends"), QStringLiteral("Section"), QStringLiteral("Description")});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(QStringLiteral("Package: neurorama\n")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("Version: ") + kVersion + QLatin1Char('\n')),
                 qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("Section: science")), qPrintable(r.out));
        const QString depends =
            r.out.section(QStringLiteral("Depends: "), 1).section(QLatin1Char('\n'), 0, 0);
        const QStringList declared = runPackages();
        QVERIFY(declared.size() >= 3);
        // Each `run` package of the one list, and the shared libraries dpkg-shlibdeps found.
        for (const QString& p : declared)
            QVERIFY2(QRegularExpression(QStringLiteral("(^|, )%1( |,|$)").arg(QRegularExpression::escape(p)))
                         .match(depends)
                         .hasMatch(),
                     qPrintable(p + QStringLiteral(" missing from Depends: ") + depends));
        for (const char* lib : {"libqt6widgets6", "libvtk9.1", "libigraph3", "libhdf5"})
            QVERIFY2(
                depends.contains(QString::fromLatin1(lib)),
                qPrintable(QString::fromLatin1(lib) + QStringLiteral(" missing from Depends: ") + depends));
    }

    void installsAndRemovesCleanly() {
        // No maintainer scripts and no conffiles: dpkg removes exactly what it installed, and the desktop,
        // MIME and icon caches are refreshed by the triggers of the packages that own them.
        const Run i = run(QStringLiteral("dpkg-deb"), {QStringLiteral("-I"), deb_});
        QCOMPARE(i.code, 0);
        for (const char* member : {"preinst", "postinst", "prerm", "postrm", "conffiles"})
            QVERIFY2(!QRegularExpression(QStringLiteral("\\s%1\\s").arg(QString::fromLatin1(member)))
                          .match(i.out)
                          .hasMatch(),
                     qPrintable(i.out));
        // apt resolves every dependency from Debian's archive (a dry run: nothing is installed).
        const Run a = run(QStringLiteral("apt-get"), {QStringLiteral("install"), QStringLiteral("-s"),
                                                      QStringLiteral("--reinstall"), deb_});
        QVERIFY2(a.code == 0 && a.out.contains(QStringLiteral("Inst neurorama")), qPrintable(a.both()));
    }

    void fileList() {
        QStringList want = {
            QStringLiteral("/usr/bin/neurorama"),
            QStringLiteral("/usr/share/applications/org.neurorama.Neurorama.desktop"),
            QStringLiteral("/usr/share/metainfo/org.neurorama.Neurorama.metainfo.xml"),
            QStringLiteral("/usr/share/mime/packages/neurorama.xml"),
            QStringLiteral("/usr/share/icons/hicolor/scalable/apps/neurorama.svg"),
            QStringLiteral("/usr/share/man/man1/neurorama.1.gz"),
            QStringLiteral("/usr/share/doc/neurorama/copyright"),
            QStringLiteral("/usr/share/doc/neurorama/changelog.gz"),
            QStringLiteral("/usr/share/doc/neurorama/SDK.md"),
            QStringLiteral("/usr/include/neurorama/plugin/AnalysisPlugin.h"),
            QStringLiteral("/usr/include/neurorama/plugin/PluginTypes.h"),
            QStringLiteral("/usr/include/neurorama/model/SpikeTrains.h"),
            QStringLiteral("/usr/lib/cmake/NeuroramaPlugin/NeuroramaPluginConfig.cmake"),
        };
        for (int s : {16, 22, 24, 32, 48, 64, 128, 256, 512})
            want << QStringLiteral("/usr/share/icons/hicolor/%1x%1/apps/neurorama.png").arg(s);
        for (const QString& p : builtinPlugins())
            want << QStringLiteral("/usr/lib/neurorama/plugins/libnr_%1.so").arg(p);
        for (const QString& w : want)
            QVERIFY2(files_.contains(w), qPrintable(w + QStringLiteral(" is not in the package")));
        // Nothing of the build tree or the developer's machine.
        for (const QString& f : files_) {
            QVERIFY2(f.startsWith(QStringLiteral("/usr/")) || f == QStringLiteral("/") ||
                         f == QStringLiteral("/usr"),
                     qPrintable(f));
            QVERIFY2(!f.contains(QStringLiteral("/build")), qPrintable(f));
        }
    }

    void desktopMetainfoAndMime() {
        const Run d =
            run(QStringLiteral("desktop-file-validate"),
                {root_ + QStringLiteral("/usr/share/applications/org.neurorama.Neurorama.desktop")});
        QVERIFY2(d.code == 0 && !d.both().contains(QStringLiteral("error")), qPrintable(d.both()));
        const Run a =
            run(QStringLiteral("appstreamcli"),
                {QStringLiteral("validate"), QStringLiteral("--no-net"),
                 root_ + QStringLiteral("/usr/share/metainfo/org.neurorama.Neurorama.metainfo.xml")});
        QVERIFY2(a.code == 0, qPrintable(a.both()));
        // The MIME package compiles into a database that knows each type the desktop entry claims.
        const QString mime = tmp_.path() + QStringLiteral("/mime");
        QDir().mkpath(mime + QStringLiteral("/packages"));
        QVERIFY(QFile::copy(root_ + QStringLiteral("/usr/share/mime/packages/neurorama.xml"),
                            mime + QStringLiteral("/packages/neurorama.xml")));
        const Run u = run(QStringLiteral("update-mime-database"), {mime});
        QVERIFY2(u.code == 0 && !u.both().contains(QStringLiteral("rror")), qPrintable(u.both()));
        QFile globs(mime + QStringLiteral("/globs2"));
        QVERIFY(globs.open(QIODevice::ReadOnly));
        const QString g = QString::fromUtf8(globs.readAll());
        for (const char* pair :
             {"application/x-neurorama-session:*.nrsession", "application/x-swc:*.swc",
              "application/x-vesselgraph-csv:*_nodes.csv", "application/x-vesselgraph-csv:*_edges.csv",
              "application/x-graphml:*.graphml", "application/x-nwb:*.nwb"})
            QVERIFY2(g.contains(QString::fromLatin1(pair)), pair);
        QFile desktop(root_ + QStringLiteral("/usr/share/applications/org.neurorama.Neurorama.desktop"));
        QVERIFY(desktop.open(QIODevice::ReadOnly));
        const QString entry = QString::fromUtf8(desktop.readAll());
        QFile types(mime + QStringLiteral("/types"));
        QVERIFY(types.open(QIODevice::ReadOnly));
        const QString known = QString::fromUtf8(types.readAll());
        const QString claimed =
            entry.section(QStringLiteral("MimeType="), 1).section(QLatin1Char('\n'), 0, 0);
        for (const QString& t : claimed.split(QLatin1Char(';'), Qt::SkipEmptyParts))
            if (t.contains(QStringLiteral("/x-")))
                QVERIFY2(known.contains(t), qPrintable(t + QStringLiteral(" is claimed but not defined")));
        // Icons: a PNG of its size in each hicolor folder.
        for (int s : {16, 22, 24, 32, 48, 64, 128, 256, 512}) {
            const QImage img(root_ +
                             QStringLiteral("/usr/share/icons/hicolor/%1x%1/apps/neurorama.png").arg(s));
            QCOMPARE(img.size(), QSize(s, s));
            QVERIFY(img.pixelColor(s / 2, s / 2).alpha() > 0);
        }
    }

    void manPageDocumentsEveryOption() {
        QProcessEnvironment env = userEnv();
        env.insert(QStringLiteral("MANWIDTH"), QStringLiteral("120"));
        env.insert(QStringLiteral("MAN_KEEP_FORMATTING"), QStringLiteral("0"));
        const Run m = run(QStringLiteral("man"),
                          {QStringLiteral("-P"), QStringLiteral("cat"), QStringLiteral("-l"),
                           root_ + QStringLiteral("/usr/share/man/man1/neurorama.1.gz")},
                          QString(), env);
        QVERIFY2(m.code == 0, qPrintable(m.both()));
        QString page = m.out;
        page.remove(QRegularExpression(QStringLiteral(".\b"))); // overstrike bold/underline
        page.replace(QChar(0x2010), QLatin1Char('-')).replace(QChar(0x2212), QLatin1Char('-'));
        QVERIFY2(!m.err.contains(QStringLiteral("warning")), qPrintable(m.err));
        for (const char* s : {"SYNOPSIS", "ENVIRONMENT", "FILES", "NR_MEMORY_LIMIT_MIB", "NR_HDF5_TIMEOUT_S",
                              "NR_PLUGIN_PATH", "--screenshot", "simulate", "analyze", "export", "SESSION"})
            QVERIFY2(page.contains(QString::fromLatin1(s)), s);
        // Every option the program's own help names is in the page.
        const Run h = run(bin(), {QStringLiteral("--help")}, QString(), userEnv());
        QCOMPARE(h.code, 0);
        const auto opts = QRegularExpression(QStringLiteral("(--[a-z][a-z-]+)")).globalMatch(h.out);
        QSet<QString> seen;
        auto it = opts;
        while (it.hasNext()) seen.insert(it.next().captured(1));
        QVERIFY(seen.size() >= 15);
        for (const QString& o : seen)
            QVERIFY2(page.contains(o), qPrintable(o + QStringLiteral(" is not in the man page")));
    }

    void lintianReportsNoErrors() {
        const Run l = run(QStringLiteral("lintian"), {QStringLiteral("--fail-on"), QStringLiteral("error"),
                                                      QStringLiteral("--allow-root"), deb_});
        QVERIFY2(l.code == 0, qPrintable(l.both()));
        for (const QString& line : l.out.split(QLatin1Char('\n')))
            QVERIFY2(!line.startsWith(QStringLiteral("E: ")), qPrintable(line));
    }

    void unpackedBinaryRunsAsInstalled() {
        const Run v = run(bin(), {QStringLiteral("--version")}, QString(), userEnv());
        QCOMPARE(v.code, 0);
        QCOMPARE(v.out.trimmed(), QStringLiteral("neurorama ") + kVersion);

        // Each built-in plugin once, from the unpacked plugin folder, with no warning about a second copy.
        const Run l = run(bin(), {QStringLiteral("analyze"), QStringLiteral("--list")}, QString(), userEnv());
        QVERIFY2(l.code == 0, qPrintable(l.both()));
        QVERIFY2(!l.err.contains(QStringLiteral("warning")), qPrintable(l.err));
        const QStringList lines = l.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), builtinPlugins().size());
        const QString pluginDir =
            QFileInfo(root_ + QStringLiteral("/usr/lib/neurorama/plugins")).canonicalFilePath();
        QSet<QString> names;
        for (const QString& line : lines) {
            names.insert(line.section(QLatin1Char('\t'), 0, 0));
            QVERIFY2(line.section(QLatin1Char('\t'), 1).startsWith(pluginDir), qPrintable(line));
        }
        QCOMPARE(names.size(), lines.size());

        const QString spikes = QStringLiteral(NR_SHARED_DATA) + QStringLiteral("/spikes/spikes.csv");
        const Run a = run(
            bin(),
            {QStringLiteral("analyze"), QStringLiteral("firing_stats"), QStringLiteral("--input"), spikes},
            QString(), userEnv());
        QVERIFY2(a.code == 0, qPrintable(a.both()));
        QVERIFY2(!a.err.contains(QStringLiteral("warning")), qPrintable(a.err));
        QVERIFY2(a.out.contains(QStringLiteral("mean_rate")) || a.out.contains(QLatin1Char('=')),
                 qPrintable(a.out));

        const QString png = tmp_.path() + QStringLiteral("/demo.png");
        const Run s = run(
            bin(), {QStringLiteral("--screenshot"), png, QStringLiteral("--size"), QStringLiteral("800x600")},
            QString(), userEnv());
        QVERIFY2(s.code == 0, qPrintable(s.both()));
        const QImage img(png);
        QCOMPARE(img.size(), QSize(800, 600));
    }

    void buildTreeBinaryUsesBuildPlugins() {
        // Run from the build tree, the binary finds the plugins it was built with, and nothing else.
        const Run l = run(kBuild + QStringLiteral("/bin/neurorama"),
                          {QStringLiteral("analyze"), QStringLiteral("--list")}, QString(), userEnv());
        QVERIFY2(l.code == 0, qPrintable(l.both()));
        const QString buildPlugins =
            QFileInfo(kBuild + QStringLiteral("/lib/neurorama/plugins")).canonicalFilePath();
        const QStringList lines = l.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), builtinPlugins().size());
        for (const QString& line : lines)
            QVERIFY2(line.section(QLatin1Char('\t'), 1).startsWith(buildPlugins), qPrintable(line));
    }

    void sdkExampleBuildsAgainstUnpackedHeaders() {
        const QString sdkBuild = tmp_.path() + QStringLiteral("/sdk-build");
        const Run c =
            run(QStringLiteral("cmake"),
                {QStringLiteral("-S"), kSource + QStringLiteral("/plugins/sdk-example"), QStringLiteral("-B"),
                 sdkBuild, QStringLiteral("-DCMAKE_PREFIX_PATH=") + root_ + QStringLiteral("/usr")});
        QVERIFY2(c.code == 0, qPrintable(c.both()));
        const Run b = run(QStringLiteral("cmake"), {QStringLiteral("--build"), sdkBuild});
        QVERIFY2(b.code == 0, qPrintable(b.both()));
        // It compiled against the unpacked headers, not the source tree's.
        QFile cache(sdkBuild + QStringLiteral("/CMakeCache.txt"));
        QVERIFY(cache.open(QIODevice::ReadOnly));
        QVERIFY(cache.readAll().contains(root_.toUtf8() + "/usr/lib/cmake/NeuroramaPlugin"));

        QProcessEnvironment env = userEnv();
        env.insert(QStringLiteral("NR_PLUGIN_PATH"), sdkBuild);
        const QString spikes = QStringLiteral(NR_SHARED_DATA) + QStringLiteral("/spikes/spikes.csv");
        const Run a =
            run(bin(),
                {QStringLiteral("analyze"), QStringLiteral("spike_count"), QStringLiteral("--input"), spikes},
                QString(), env);
        QVERIFY2(a.code == 0, qPrintable(a.both()));
        QVERIFY2(a.out.contains(QStringLiteral("spikes=")), qPrintable(a.out));
    }
};

QTEST_GUILESS_MAIN(TestPackage)
#include "test_package.moc"
