// Sessions in core (core/session/Session.h): version 2 round trip of every kind of layer, version 1
// conversion, refusals with the session's line, missing and changed files, relative paths, atomic saving
// (interrupted and on a full disk) and a session that is a FIFO.
#include <QTemporaryDir>
#include <QtTest>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "session/Session.h"

namespace {

void writeFile(const std::string& path, const std::string& bytes) {
    std::ofstream f(path, std::ios::binary);
    f << bytes;
}

std::string readFile(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

std::vector<std::string> listFolder(const std::string& dir) {
    std::vector<std::string> out;
    if (DIR* d = opendir(dir.c_str())) {
        while (dirent* e = readdir(d)) {
            const std::string n = e->d_name;
            if (n != "." && n != "..") out.push_back(n);
        }
        closedir(d);
    }
    std::sort(out.begin(), out.end());
    return out;
}

const char* kHead = "{\"format\": \"neurorama-session\", \"version\": 2";

std::string errorOf(const nr::Result<nr::SessionDoc>& r) {
    return r ? std::string() : r.error().str();
}

// A session of one layer of every kind, with files in `dir`, cameras and window.
nr::SessionDoc everyKind(const std::string& dir) {
    writeFile(dir + "/g.csv", "a,b\n1,2\n");
    writeFile(dir + "/spikes.csv", "unit,time\n1,0.5\n");
    writeFile(dir + "/nodes.csv", "id,x\n");
    writeFile(dir + "/edges.csv", "a,b\n");
    mkdir((dir + "/swc").c_str(), 0755);
    writeFile(dir + "/swc/n.swc", "1 1 0 0 0 1 -1\n");
    mkdir((dir + "/l.zarr").c_str(), 0755);
    writeFile(dir + "/l.zarr/.zgroup", "{\"zarr_format\": 2}");
    writeFile(dir + "/t.csv", "time,AVAL\n0,1\n");
    writeFile(dir + "/i.tif", std::string(5000, 'i'));
    nr::SessionDoc s;
    auto layer = [&](uint64_t id, nr::LayerKind kind, const std::string& name,
                     std::vector<std::string> files) {
        nr::SessionLayer l;
        l.id = id;
        l.kind = kind;
        l.name = name;
        for (const auto& f : files) {
            nr::SessionFileRef r;
            r.path = dir + "/" + f;
            l.files.push_back(r);
        }
        s.layers.push_back(l);
        return &s.layers.back();
    };
    nr::SessionLayer* g = layer(3, nr::LayerKind::Graph, "worm", {"g.csv"});
    g->display.colorBy = "degree";
    g->display.colorMap = "viridis";
    g->display.opacity = 0.25f;
    g->display.pointSize = 2.5f;
    g->display.edgeSize = 0.125f;
    g->state.set("edgeFilter", nr::JsonValue::object().set("minWeight", 2.0).set("maxWeight", 0.1));
    g->state.set("selection",
                 nr::JsonValue::array().push(nr::JsonValue::number(4)).push(nr::JsonValue::number(7)));
    nr::SessionLayer* sp = layer(4, nr::LayerKind::Spikes, "spikes", {"spikes.csv"});
    sp->state.set("cursor", 1.5);
    sp->display.opacity = 0.3f; // written as "0.3", read back as 0.3f
    sp->display.pointSize = 0.7f;
    nr::SessionLayer* sim = layer(5, nr::LayerKind::Simulation, "coba", {});
    sim->state.set("model", "coba").set("dt", 1e-4).set("neurons", 4000.0);
    layer(6, nr::LayerKind::Graph, "coba layout", {})->owner = 5;
    nr::SessionLayer* v = layer(7, nr::LayerKind::Vessels, "vessels", {"nodes.csv", "edges.csv"});
    v->display.visible = false;
    layer(8, nr::LayerKind::Morphologies, "neurons", {"swc"});
    nr::SessionLayer* lv = layer(9, nr::LayerKind::LabelVolume, "labels", {"l.zarr"});
    lv->files[0].options = {{"array", "volumes/gt"}, {"voxel_size", "4,4,40"}};
    layer(10, nr::LayerKind::Traces, "traces", {"t.csv"})->state.set("name", "ünï \"code\"\n");
    layer(11, nr::LayerKind::Image, "image", {"i.tif"})->owner = 9;
    s.selected = 4;
    nr::SessionCamera c;
    c.position = {1.5, -2, 300};
    c.focalPoint = {0.1, 0.2, 0.3};
    c.viewUp = {0, 1, 0};
    c.viewAngle = 42;
    s.cameras["connectome"] = c;
    c.viewAngle = 10;
    s.cameras["vessels"] = c;
    s.window.set("activeTab", "vessels").set("dockState", "AAAA/w==");
    return s;
}

} // namespace

class TestSessionStore : public QObject {
    Q_OBJECT

private slots:
    void kindNames() {
        for (nr::LayerKind k : {nr::LayerKind::Graph, nr::LayerKind::Spikes, nr::LayerKind::Simulation,
                                nr::LayerKind::Vessels, nr::LayerKind::Morphologies,
                                nr::LayerKind::LabelVolume, nr::LayerKind::Traces, nr::LayerKind::Image}) {
            auto back = nr::sessionKindFromName(nr::sessionKindName(k));
            QVERIFY(back && *back == k);
        }
        QCOMPARE(std::string(nr::sessionKindName(nr::LayerKind::LabelVolume)), std::string("label_volume"));
        QVERIFY(!nr::sessionKindFromName("label volume"));
    }

    void roundTripOfEveryKind() {
        QTemporaryDir tmp;
        const std::string dir = tmp.path().toStdString();
        const nr::SessionDoc s = everyKind(dir);
        const std::string path = dir + "/work.nrsession";
        QVERIFY(!nr::saveSession(s, path));
        const std::string first = readFile(path);
        QVERIFY(first.find("\"generator\": \"neurorama") != std::string::npos);
        QVERIFY(first.find("\"path\": \"g.csv\"") != std::string::npos); // beside the session: relative
        QVERIFY(first.find(dir) == std::string::npos);
        QVERIFY(first.find("\"opacity\": 0.3,\n") != std::string::npos);
        QVERIFY(first.find("\"pointSize\": 0.7,\n") != std::string::npos);

        auto r = nr::readSession(path);
        QVERIFY2(r.ok(), errorOf(r).c_str());
        const nr::SessionDoc& b = r.value();
        QCOMPARE(b.version, 2);
        QVERIFY(b.missing.empty());
        QVERIFY(b.changed.empty());
        QVERIFY(b.outside.empty());
        QCOMPARE(b.layers.size(), s.layers.size());
        for (size_t k = 0; k < s.layers.size(); ++k) {
            const nr::SessionLayer &x = s.layers[k], &y = b.layers[k];
            QCOMPARE(y.id, x.id);
            QVERIFY(y.kind == x.kind);
            QCOMPARE(y.name, x.name);
            QCOMPARE(y.owner, x.owner);
            QVERIFY(!y.missing);
            QCOMPARE(y.display.visible, x.display.visible);
            QCOMPARE(y.display.colorBy, x.display.colorBy);
            QCOMPARE(y.display.colorMap, x.display.colorMap);
            QCOMPARE(y.display.opacity, x.display.opacity);
            QCOMPARE(y.display.pointSize, x.display.pointSize);
            QCOMPARE(y.display.edgeSize, x.display.edgeSize);
            QVERIFY2(y.state == x.state, nr::writeJson(y.state).c_str());
            QCOMPARE(y.files.size(), x.files.size());
            for (size_t f = 0; f < x.files.size(); ++f) {
                QCOMPARE(y.files[f].path, x.files[f].path);
                QVERIFY(y.files[f].options == x.files[f].options);
            }
        }
        // Regular files got a fingerprint, folders none.
        QCOMPARE(b.layers[0].files[0].size, int64_t(8));
        QCOMPARE(b.layers[0].files[0].hash.size(), size_t(16));
        QCOMPARE(b.layers[5].files[0].size, int64_t(-1));
        QCOMPARE(b.selected, uint64_t(4));
        QCOMPARE(b.cameras.size(), size_t(2));
        const nr::SessionCamera& c = b.cameras.at("connectome");
        QCOMPARE(c.position[0], 1.5);
        QCOMPARE(c.position[2], 300.0);
        QCOMPARE(c.focalPoint[1], 0.2);
        QCOMPARE(c.viewAngle, 42.0);
        QCOMPARE(b.cameras.at("vessels").viewAngle, 10.0);
        QVERIFY(b.window == s.window);

        // Saved again: the same bytes.
        QVERIFY(!nr::saveSession(b, path));
        QCOMPARE(readFile(path), first);
        QCOMPARE(nr::sessionJson(b, path), first);
    }

    void fromDocument() {
        nr::Document doc;
        nr::Layer a;
        a.name = "net";
        a.kind = nr::LayerKind::Graph;
        a.files = {"/data/a.csv", "", "/data/b.csv"};
        a.fileOptions = {{{"as", "graph"}}, {}, {{"array", "x"}}};
        a.display.opacity = 0.5f;
        a.state.set("colorBy", "class");
        const nr::LayerId ida = doc.add(a);
        nr::Layer sim;
        sim.name = "sim";
        sim.kind = nr::LayerKind::Simulation;
        sim.files = {""};
        sim.owner = ida;
        const nr::LayerId ids = doc.add(sim);
        doc.select(ida);
        const nr::SessionDoc s = nr::sessionFromDocument(doc);
        QCOMPARE(s.layers.size(), size_t(2));
        QCOMPARE(s.layers[0].id, ida);
        QCOMPARE(s.layers[0].files.size(), size_t(2)); // the "" entry of generated data is skipped
        QCOMPARE(s.layers[0].files[0].path, std::string("/data/a.csv"));
        QVERIFY(s.layers[0].files[0].options ==
                (std::vector<std::pair<std::string, std::string>>{{"as", "graph"}}));
        QCOMPARE(s.layers[0].files[1].path, std::string("/data/b.csv"));
        QCOMPARE(s.layers[0].files[1].options.size(), size_t(1));
        QCOMPARE(s.layers[0].display.opacity, 0.5f);
        QCOMPARE(s.layers[0].state.stringOr("colorBy", ""), std::string("class"));
        QCOMPARE(s.layers[1].id, ids);
        QVERIFY(s.layers[1].kind == nr::LayerKind::Simulation);
        QCOMPARE(s.layers[1].owner, ida);
        QVERIFY(s.layers[1].files.empty());
        QCOMPARE(s.selected, ida);
        // Files outside the session's folder are written absolute.
        const std::string text = nr::sessionJson(s, "/elsewhere/s.nrsession");
        QVERIFY(text.find("\"path\": \"/data/a.csv\"") != std::string::npos);
        QVERIFY(text.find("\"options\": {\n") != std::string::npos);
        // In the folder or below: relative.
        const std::string inside = nr::sessionJson(s, "/data/s.nrsession");
        QVERIFY(inside.find("\"path\": \"a.csv\"") != std::string::npos);
        const std::string above = nr::sessionJson(s, "/s.nrsession");
        QVERIFY(above.find("\"path\": \"data/a.csv\"") != std::string::npos);
    }

    void version1Converts() {
        QTemporaryDir tmp;
        const std::string dir = tmp.path().toStdString();
        writeFile(dir + "/herm.csv", "a b\n");
        writeFile(dir + "/somas.csv", "name,x\n");
        writeFile(
            dir + "/s.json",
            "{\"format\": \"neurorama-session\", \"version\": 1, \"files\": [\"herm.csv\", \"somas.csv\"],\n"
            "\"colorBy\": \"degree\", \"edgeFilter\": {\"minWeight\": 5, \"maxWeight\": 9, \"typeVisible\": "
            "[true, false]},\n\"camera\": {\"position\": [0, 0, 10], \"focalPoint\": [0, 0, 0], \"viewUp\": "
            "[0, "
            "1, 0], \"viewAngle\": 25}}");
        auto r = nr::readSession(dir + "/s.json");
        QVERIFY2(r.ok(), errorOf(r).c_str());
        const nr::SessionDoc& s = r.value();
        QCOMPARE(s.version, 1);
        QCOMPARE(s.layers.size(), size_t(1));
        const nr::SessionLayer& l = s.layers[0];
        QVERIFY(l.kind == nr::LayerKind::Graph);
        QCOMPARE(l.id, uint64_t(1));
        QCOMPARE(l.name, std::string("herm"));
        QCOMPARE(l.files.size(), size_t(2));
        QCOMPARE(l.files[1].path, dir + "/somas.csv");
        QCOMPARE(l.state.stringOr("colorBy", ""), std::string("degree"));
        const nr::JsonValue* f = l.state.get("edgeFilter");
        QVERIFY(f && f->isObject());
        QCOMPARE(f->numberOr("minWeight", 0), 5.0);
        QCOMPARE(f->numberOr("maxWeight", 0), 9.0);
        QCOMPARE(f->get("typeVisible")->arr.size(), size_t(2));
        QVERIFY(!f->get("typeVisible")->arr[1].b);
        QCOMPARE(s.selected, uint64_t(1));
        QCOMPARE(s.cameras.at("connectome").viewAngle, 25.0);
        QCOMPARE(s.cameras.at("connectome").position[2], 10.0);
        // Saved again it is a version 2 session that reads back the same.
        QVERIFY(!nr::saveSession(s, dir + "/s2.nrsession"));
        auto again = nr::readSession(dir + "/s2.nrsession");
        QVERIFY2(again.ok(), errorOf(again).c_str());
        QCOMPARE(again.value().version, 2);
        QVERIFY(again.value().layers[0].state == l.state);
        // No files: the demo network, one graph layer without files.
        auto demo = nr::parseSession("{\"format\": \"neurorama-session\", \"version\": 1}", dir + "/d.json");
        QVERIFY(demo.ok());
        QCOMPARE(demo.value().layers.size(), size_t(1));
        QVERIFY(demo.value().layers[0].files.empty());
    }

    void refusals_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expect");
        const QString h = kHead;
        QTest::newRow("version 3") << "{\"format\": \"neurorama-session\",\n\"version\": 3}"
                                   << "s.json:2: session version 3 is newer than this Neurorama reads (2)";
        QTest::newRow("truncated") << h + ",\n\"layers\": [{\"id\": 1,"
                                   << "s.json:2: invalid JSON: the file ends";
        QTest::newRow("layers text") << h + ",\n\"layers\": \"all\"}"
                                     << "s.json:2: \"layers\" must be an array, not a string";
        QTest::newRow("id text") << h + ", \"layers\": [{\n\"id\": \"one\", \"kind\": \"graph\"}]}"
                                 << "s.json:2: \"layers\"[0].id must be a number, not a string";
        QTest::newRow("unknown kind") << h + ", \"layers\": [{\"id\": 1,\n\"kind\": \"sound\"}]}"
                                      << "s.json:2: \"layers\"[0].kind \"sound\" is not a kind of layer";
        QTest::newRow("dangling owner")
            << h + ", \"layers\": [{\"id\": 1, \"kind\": \"graph\", \"owner\": 2}]}"
            << "\"layers\"[0].owner 2 is not the id of a layer of this session";
        QTest::newRow("duplicate id") << h + ", \"layers\": [{\"id\": 1, \"kind\": \"graph\"},\n{\"id\": 1, "
                                             "\"kind\": \"image\"}]}"
                                      << "s.json:2: \"layers\"[1].id 1 is used by an earlier layer too";
        QTest::newRow("opacity")
            << h + ", \"layers\": [{\"id\": 1, \"kind\": \"graph\", \"display\": {\"opacity\": "
                   "-0.5}}]}"
            << "display.opacity must be between 0 and 1, not -0.5";
        QTest::newRow("pointSize") << h + ", \"layers\": [{\"id\": 1, \"kind\": \"graph\", \"display\": "
                                          "{\"pointSize\": 101}}]}"
                                   << "display.pointSize must be above 0 and at most 100, not 101";
        QTest::newRow("camera viewAngle")
            << h + ", \"cameras\": {\"connectome\": {\"position\": [0, 0, 1], "
                   "\"focalPoint\": [0, 0, 0], \"viewUp\": [0, 1, 0], \"viewAngle\": 0}}}"
            << "viewAngle must be between 0 and 180 degrees, not 0";
        QTest::newRow("option value") << h + ", \"layers\": [{\"id\": 1, \"kind\": \"image\", \"files\": "
                                             "[{\"path\": \"x.tif\", \"options\": {\"array\": [1]}}]}]}"
                                      << "options.array must be a string, not an array";
        QTest::newRow("size text") << h + ", \"layers\": [{\"id\": 1, \"kind\": \"image\", \"files\": "
                                          "[{\"path\": \"x.tif\", \"size\": \"12\"}]}]}"
                                   << "files[0].size must be a number, not a string";
        QTest::newRow("selected") << h + ", \"selected\": -1}"
                                  << "\"selected\" must be an integer from 0";
        QTest::newRow("not a session") << "{\"format\": \"other\", \"version\": 2}"
                                       << "not a Neurorama session";
    }
    void refusals() {
        QFETCH(QString, text);
        QFETCH(QString, expect);
        QTemporaryDir tmp;
        const std::string path = tmp.path().toStdString() + "/s.json";
        writeFile(path, text.toStdString());
        const std::string e = errorOf(nr::readSession(path));
        QVERIFY2(e.find(expect.toStdString()) != std::string::npos, e.c_str());
        QVERIFY2(e.rfind(path, 0) == 0, e.c_str()); // the error names the session file first
    }

    void absurdSizesAreRefusedWithoutAllocating() {
        QTemporaryDir tmp;
        const std::string dir = tmp.path().toStdString();
        // A 300 MiB file (sparse): refused by its size before a byte is read.
        writeFile(dir + "/big.json", "{");
        QCOMPARE(truncate((dir + "/big.json").c_str(), off_t(300) << 20), 0);
        const std::string e = errorOf(nr::readSession(dir + "/big.json"));
        QVERIFY2(e.find("too large for a session file (300 MiB; at most 256 MiB)") != std::string::npos,
                 e.c_str());
        // A file the size of a 10^9-element array: refused the same way.
        writeFile(dir + "/huge.json", "[");
        QCOMPARE(truncate((dir + "/huge.json").c_str(), off_t(2000000000)), 0);
        QVERIFY(errorOf(nr::readSession(dir + "/huge.json")).find("too large") != std::string::npos);
        // Millions of tiny values in a file of allowed size: refused by count before they fill memory.
        qputenv("NR_MEMORY_LIMIT_MIB", "64");
        std::string many = std::string(kHead) + ", \"window\": {\"x\": [0";
        for (int k = 0; k < 3000000; ++k) many += ",0";
        auto r = nr::parseSession(many + "]}}", dir + "/many.json");
        qunsetenv("NR_MEMORY_LIMIT_MIB");
        QVERIFY(!r);
        QVERIFY2(r.error().reason.find("too many to hold in memory") != std::string::npos,
                 errorOf(r).c_str());
        // Counts in a layer are limited too.
        std::string layers = std::string(kHead) + ", \"layers\": [";
        for (int k = 0; k < 1001; ++k)
            layers +=
                std::string(k ? "," : "") + "{\"id\": " + std::to_string(k + 1) + ", \"kind\": \"graph\"}";
        const std::string e2 = errorOf(nr::parseSession(layers + "]}", dir + "/l.json"));
        QVERIFY2(e2.find("\"layers\" lists 1001 layers; at most 1000") != std::string::npos, e2.c_str());
    }

    void missingFileMarksTheLayer() {
        QTemporaryDir tmp;
        const std::string dir = tmp.path().toStdString();
        nr::SessionDoc s = everyKind(dir);
        QVERIFY(!nr::saveSession(s, dir + "/s.nrsession"));
        QCOMPARE(std::remove((dir + "/t.csv").c_str()), 0);
        std::filesystem::remove_all(dir + "/l.zarr");
        auto r = nr::readSession(dir + "/s.nrsession");
        QVERIFY2(r.ok(), errorOf(r).c_str());
        const nr::SessionDoc& b = r.value();
        QCOMPARE(b.layers.size(), s.layers.size());
        QCOMPARE(b.missing.size(), size_t(2));
        QCOMPARE(b.missing[0], "labels (label_volume): " + dir + "/l.zarr does not exist");
        QCOMPARE(b.missing[1], "traces (traces): " + dir + "/t.csv does not exist");
        for (const nr::SessionLayer& l : b.layers)
            QCOMPARE(l.missing, l.name == "labels" || l.name == "traces");
        QVERIFY(b.changed.empty());
    }

    void changedFileIsListed() {
        QTemporaryDir tmp;
        const std::string dir = tmp.path().toStdString();
        nr::SessionDoc s = everyKind(dir);
        QVERIFY(!nr::saveSession(s, dir + "/s.nrsession"));
        writeFile(dir + "/g.csv", "a,b\n1,2\n3,4\n");            // longer
        writeFile(dir + "/i.tif", std::string(4999, 'i') + "j"); // same size, other contents
        auto r = nr::readSession(dir + "/s.nrsession");
        QVERIFY2(r.ok(), errorOf(r).c_str());
        const auto& ch = r.value().changed;
        QCOMPARE(ch.size(), size_t(2));
        QCOMPARE(ch[0], dir + "/g.csv changed since the session was saved (size 8 → 12)");
        QCOMPARE(ch[1], dir + "/i.tif changed since the session was saved (contents differ)");
        QVERIFY(r.value().missing.empty());
    }

    void fingerprintCoversTheEnds() {
        QTemporaryDir tmp;
        const std::string p = tmp.path().toStdString() + "/f.bin";
        std::string bytes(3 << 20, 'x');
        writeFile(p, bytes);
        int64_t size = 0;
        std::string h0, h1, h2, h3;
        QVERIFY(nr::fingerprintFile(p, size, h0));
        QCOMPARE(size, int64_t(3 << 20));
        QCOMPARE(h0.size(), size_t(16));
        QVERIFY(h0.find_first_not_of("0123456789abcdef") == std::string::npos);
        bytes[10] = 'y'; // first MiB
        writeFile(p, bytes);
        QVERIFY(nr::fingerprintFile(p, size, h1));
        QVERIFY(h1 != h0);
        bytes[10] = 'x';
        bytes[bytes.size() - 2] = 'y'; // last MiB
        writeFile(p, bytes);
        QVERIFY(nr::fingerprintFile(p, size, h2));
        QVERIFY(h2 != h0 && h2 != h1);
        bytes[bytes.size() - 2] = 'x';
        writeFile(p, bytes);
        QVERIFY(nr::fingerprintFile(p, size, h3));
        QCOMPARE(h3, h0);                                                  // deterministic
        QVERIFY(!nr::fingerprintFile(tmp.path().toStdString(), size, h3)); // a folder
        QCOMPARE(size, int64_t(-1));
        QVERIFY(!nr::fingerprintFile(tmp.path().toStdString() + "/none", size, h3));
    }

    void pathsRelativeBesideAbsoluteOutside() {
        QTemporaryDir tmp;
        const std::string dir = tmp.path().toStdString();
        mkdir((dir + "/s").c_str(), 0755);
        mkdir((dir + "/s/sub").c_str(), 0755);
        mkdir((dir + "/other").c_str(), 0755);
        writeFile(dir + "/s/a.csv", "a b\n");
        writeFile(dir + "/s/sub/b.csv", "a b\n");
        writeFile(dir + "/other/c.csv", "a b\n");
        nr::SessionDoc s;
        nr::SessionLayer l;
        l.id = 1;
        for (const char* f : {"/s/a.csv", "/s/sub/b.csv", "/other/c.csv", "/s/sub/../a.csv"}) {
            nr::SessionFileRef r;
            r.path = dir + f;
            l.files.push_back(r);
        }
        s.layers.push_back(l);
        QVERIFY(!nr::saveSession(s, dir + "/s/s.nrsession"));
        auto json = nr::parseJson(readFile(dir + "/s/s.nrsession"), "s");
        QVERIFY(json.ok());
        const nr::JsonValue& files = *json.value().get("layers")->arr[0].get("files");
        QCOMPARE(files.arr[0].stringOr("path", ""), std::string("a.csv"));
        QCOMPARE(files.arr[1].stringOr("path", ""), std::string("sub/b.csv"));
        QCOMPARE(files.arr[2].stringOr("path", ""), dir + "/other/c.csv");
        QCOMPARE(files.arr[3].stringOr("path", ""), std::string("a.csv"));
        auto r = nr::readSession(dir + "/s/s.nrsession");
        QVERIFY2(r.ok(), errorOf(r).c_str());
        QCOMPARE(r.value().outside.size(), size_t(1));
        QCOMPARE(r.value().outside[0], dir + "/other/c.csv");
        auto refusal = nr::outsidePathsError(r.value(), dir + "/s/s.nrsession");
        QVERIFY(refusal);
        QVERIFY2(refusal->str().find("the session opens a file outside its folder: " + dir +
                                     "/other/c.csv (give --allow-outside-paths to open it)") !=
                     std::string::npos,
                 refusal->str().c_str());
    }

    void movedFolderStillOpens() {
        QTemporaryDir tmp;
        const std::string dir = tmp.path().toStdString();
        mkdir((dir + "/a").c_str(), 0755);
        const nr::SessionDoc s = everyKind(dir + "/a");
        QVERIFY(!nr::saveSession(s, dir + "/a/s.nrsession"));
        std::filesystem::copy(dir + "/a", dir + "/b", std::filesystem::copy_options::recursive);
        std::filesystem::remove_all(dir + "/a");
        auto r = nr::readSession(dir + "/b/s.nrsession");
        QVERIFY2(r.ok(), errorOf(r).c_str());
        QVERIFY(r.value().missing.empty());
        QVERIFY(r.value().outside.empty());
        QVERIFY(r.value().changed.empty());
        QCOMPARE(r.value().layers[0].files[0].path, dir + "/b/g.csv");
    }

    void interruptedSaveLeavesTheOldFile() {
        QTemporaryDir tmp;
        const std::string dir = tmp.path().toStdString();
        const std::string path = dir + "/s.nrsession";
        QVERIFY(!nr::saveSession(everyKind(dir), path));
        const std::string before = readFile(path);
        const auto filesBefore = listFolder(dir);
        nr::SessionDoc changed = everyKind(dir);
        changed.layers[0].name = "renamed";
        std::string seenTemp, seenBytes;
        nr::setAtomicWriteHook([&](const std::string& t) {
            seenTemp = t;
            seenBytes = readFile(t);
            return false; // as if the program died here
        });
        const nr::Status e = nr::saveSession(changed, path);
        nr::setAtomicWriteHook({});
        QVERIFY(e);
        QCOMPARE(e->file, path);
        QVERIFY2(e->reason.find("interrupted before rename") != std::string::npos, e->str().c_str());
        QVERIFY2(e->reason.find("the previous file is unchanged") != std::string::npos, e->str().c_str());
        QCOMPARE(readFile(path), before);
        QVERIFY2(seenTemp.rfind(dir + "/.s.nrsession.", 0) == 0, seenTemp.c_str());
        QVERIFY(seenBytes.find("\"renamed\"") != std::string::npos); // the temporary file was complete
        QVERIFY(listFolder(dir) == filesBefore);                     // and is gone
        // Without the hook it saves, and leaves no temporary file either.
        QVERIFY(!nr::saveSession(changed, path));
        QVERIFY(readFile(path).find("\"renamed\"") != std::string::npos);
        QVERIFY(listFolder(dir) == filesBefore);
    }

    void atomicWriteRefusesAFolder() {
        QTemporaryDir tmp;
        const std::string dir = tmp.path().toStdString();
        mkdir((dir + "/x").c_str(), 0755);
        const nr::Status e = nr::writeFileAtomic(dir + "/x", "{}\n");
        QVERIFY(e);
        QVERIFY2(e->reason.find("a folder") != std::string::npos, e->str().c_str());
        const nr::Status e2 = nr::writeFileAtomic(dir + "/none/s.nrsession", "{}\n");
        QVERIFY(e2);
        QVERIFY2(e2->reason.find("no such file or directory while creating a temporary file") !=
                     std::string::npos,
                 e2->str().c_str());
    }

    void fullDiskLeavesTheOldFile() {
        QTemporaryDir tmp;
        const std::string dir = tmp.path().toStdString() + "/disk";
        mkdir(dir.c_str(), 0755);
        // A 64 KiB tmpfs when this may mount (as root), unmounted whatever happens below.
        const bool mounted = ::mount("tmpfs", dir.c_str(), "tmpfs", 0, "size=64k") == 0;
        const int mountError = mounted ? 0 : errno;
        struct Unmount {
            std::string dir;
            bool on;
            ~Unmount() {
                if (on) ::umount2(dir.c_str(), MNT_DETACH);
            }
        } unmount{dir, mounted};
        const std::string path = dir + "/s.nrsession";
        nr::SessionDoc small;
        QVERIFY(!nr::saveSession(small, path));
        const std::string before = readFile(path);
        QVERIFY(!before.empty());
        nr::SessionDoc big;
        nr::SessionLayer l;
        l.id = 1;
        l.state.set("results", std::string(200 * 1024, 'r'));
        big.layers.push_back(l);
        if (mounted) {
            qInfo("full disk: a tmpfs of 64 KiB");
            const nr::Status e = nr::saveSession(big, path);
            QVERIFY(e);
            QCOMPARE(e->file, path);
            QVERIFY2(
                e->reason ==
                    "could not save: no space left on device while writing (the previous file is unchanged)",
                e->str().c_str());
            QCOMPARE(readFile(path), before);
            QCOMPARE(listFolder(dir), std::vector<std::string>{"s.nrsession"});
            auto r = nr::readSession(path);
            QVERIFY(r.ok());
            return;
        }
        // No permission to mount: a file size limit gives the same kind of failure, in a child.
        qInfo("full disk: no tmpfs (%s), a file size limit instead", std::strerror(mountError));
        const pid_t pid = fork();
        if (pid == 0) {
            signal(SIGXFSZ, SIG_IGN);
            struct rlimit rl {
                4096, 4096
            };
            setrlimit(RLIMIT_FSIZE, &rl);
            const nr::Status e = nr::saveSession(big, path);
            const bool ok = e && e->reason ==
                                     "could not save: file too large while writing (the previous file is "
                                     "unchanged)";
            _exit(ok ? 0 : 1);
        }
        int status = 0;
        QCOMPARE(waitpid(pid, &status, 0), pid);
        QVERIFY(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        QCOMPARE(readFile(path), before);
        QCOMPARE(listFolder(dir), std::vector<std::string>{"s.nrsession"});
    }

    void sessionThatIsAFifoIsRefused() {
        QTemporaryDir tmp;
        const std::string p = tmp.path().toStdString() + "/s.nrsession";
        QCOMPARE(mkfifo(p.c_str(), 0600), 0);
        alarm(20); // a blocking open would end the test here
        const std::string e = errorOf(nr::readSession(p));
        alarm(0);
        QVERIFY2(e.find("is a FIFO (named pipe), not a session (refused without opening it)") !=
                     std::string::npos,
                 e.c_str());
        const std::string d = errorOf(nr::readSession(tmp.path().toStdString()));
        QVERIFY2(d.find("is a folder, not a session file") != std::string::npos, d.c_str());
        const std::string z = errorOf(nr::readSession("/dev/zero"));
        QVERIFY2(z.find("is a character device, not a session") != std::string::npos, z.c_str());
    }

    void dataFileThatIsAFifoIsRefused() {
        QTemporaryDir tmp;
        const std::string dir = tmp.path().toStdString();
        QCOMPARE(mkfifo((dir + "/p.csv").c_str(), 0600), 0);
        writeFile(dir + "/s.json", std::string(kHead) +
                                       ", \"layers\": [{\"id\": 1, \"kind\": \"graph\",\n\"files\": "
                                       "[{\"path\": \"p.csv\", \"size\": 4}]}]}");
        alarm(20);
        const std::string e = errorOf(nr::readSession(dir + "/s.json"));
        alarm(0);
        QVERIFY2(e.find("s.json:2: \"layers\"[0].files[0].path: " + dir +
                        "/p.csv is a FIFO (named pipe), not a data file") != std::string::npos,
                 e.c_str());
    }
};

QTEST_APPLESS_MAIN(TestSessionStore)
#include "test_session_store.moc"
