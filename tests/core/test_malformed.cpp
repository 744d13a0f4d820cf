// Bad input for every graph reader: each case checks the error's file, line and reason.
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

#include "formats/Open.h"
#include "io/GraphIO.h"

class TestMalformed : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    std::string write(const std::string& name, const std::string& text) {
        const std::string p = tmp_.filePath(QString::fromStdString(name)).toStdString();
        std::ofstream(p, std::ios::binary) << text;
        return p;
    }

    template <class T>
    void expectError(const nr::Result<T>& r, const std::string& file, long line,
                     const std::string& reasonPart) {
        QVERIFY2(!r.ok(), ("accepted bad input " + file).c_str());
        const nr::Error& e = r.error();
        QCOMPARE(e.file, file);
        QCOMPARE(e.line, line);
        QVERIFY2(e.reason.find(reasonPart) != std::string::npos, (e.str() + " lacks: " + reasonPart).c_str());
        QVERIFY(e.str().find(file + ":" + std::to_string(line) + ": ") == 0);
    }

    nr::Graph twoNodes() {
        nr::Graph g;
        g.addNode("A");
        g.addNode("B");
        g.addEdge(0, 1, 1.f, g.typeIndex("edge"));
        return g;
    }

private slots:
    // ---- delimited text -------------------------------------------------------------------------------
    void emptyFile() {
        const std::string p = write("empty.csv", "");
        expectError(nr::readEdgeList(p), p, 1, "file is empty");
        expectError(nr::readDelimitedGraph(p), p, 1, "file is empty");
        const std::string blank = write("blank.csv", "\n  \n\n");
        expectError(nr::readEdgeList(blank), blank, 1, "file is empty");
    }

    void headerOnlyIsEmptyGraph() {
        const std::string p = write("header.csv", "source,target,weight\n");
        expectError(nr::readEdgeList(p), p, 1, "no edges: the file has a header but no edge rows");
    }

    void missingTargetColumn() {
        const std::string p = write("notarget.csv", "source,weight\nA,1\n");
        expectError(nr::readEdgeList(p), p, 1, "no target column");
        const std::string q = write("nocols.csv", "\n\nalpha,beta,gamma\nA,B,C\n");
        expectError(nr::readEdgeList(q), q, 3, "no source and target columns");
    }

    void wrongColumnCount() {
        const std::string p = write("cols.csv", "source,target,weight\nA,B,1\nC,D\nE,F,2\n");
        expectError(nr::readEdgeList(p), p, 3, "2 fields, expected 3");
        const std::string q =
            write("cols2.tsv", "pre\tpost\ttype\tsynapses\nA\tB\tchemical\t1\nA\tB\tchemical\t1\t9\n");
        expectError(nr::readEdgeList(q), q, 3, "5 fields, expected 4");
    }

    void nonNumericWeight() {
        const std::string p = write("w.csv", "source,target,weight\nA,B,1\nB,C,heavy\n");
        expectError(nr::readEdgeList(p), p, 3, "weight 'heavy' is not a number");
        const std::string q = write("w2.csv", "source,target,weight\nA,B,\n");
        expectError(nr::readEdgeList(q), q, 2, "weight '' is not a number");
    }

    void nonFiniteWeight() {
        const std::string p = write("nan.csv", "source,target,weight\nA,B,1\nB,C,NaN\n");
        expectError(nr::readEdgeList(p), p, 3, "not finite");
        const std::string q = write("inf.csv", "source,target,weight\nA,B,-inf\n");
        expectError(nr::readEdgeList(q), q, 2, "not finite");
        const std::string o = write("huge.csv", "source,target,weight\nA,B,1e999\n");
        expectError(nr::readEdgeList(o), o, 2, "not finite");
    }

    void negativeWeightAccepted() {
        // Negative weights mark inhibitory synapses in some files: kept as they are.
        const std::string p = write("neg.csv", "source,target,weight\nA,B,-3\n");
        auto r = nr::readEdgeList(p);
        QVERIFY(r.ok());
        QCOMPARE(r.value().weight[0], -3.f);
    }

    void truncatedMidLine() {
        const std::string p = write("trunc.csv", "Source,Target,Weight,Type\nA,B,1,chemical\nC,D");
        expectError(nr::readEdgeList(p), p, 3, "truncated");
        // The same line with its line break is a column-count error without the truncation note.
        const std::string q = write("short.csv", "Source,Target,Weight,Type\nA,B,1,chemical\nC,D\n");
        auto r = nr::readEdgeList(q);
        expectError(r, q, 3, "2 fields, expected 4");
        QVERIFY(r.error().reason.find("truncated") == std::string::npos);
    }

    void binaryGarbage() {
        const std::string junk = "source,target\nA,B\n" + std::string("xy\x01\x02\xff\0\x10zz", 9);
        const std::string p = write("junk.csv", junk);
        expectError(nr::readEdgeList(p), p, 3, "binary data");
        std::string png = "\x89PNG\r\n\x1a\n";
        png += std::string("\0\0\0\rIHDR", 8);
        const std::string q = write("image.csv", png);
        auto r = nr::readDelimitedGraph(q);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().file, q);
        QVERIFY(r.error().line >= 1);
        QVERIFY2(r.error().reason.find("binary data") != std::string::npos ||
                     r.error().reason.find("carriage return") != std::string::npos,
                 r.error().str().c_str());
    }

    void unterminatedQuote() {
        const std::string p = write("quote.csv", "source,target\nA,B\n\"C,D\nE,F\n");
        expectError(nr::readEdgeList(p), p, 3, "unterminated quote in field 1");
        const std::string q = write("quote2.csv", "source,target\n\"A\"x,B\n");
        expectError(nr::readEdgeList(q), q, 2, "text after the closing quote");
    }

    void lineTooLong() {
        // 100 MB without a line break: refused after reading at most a few MB.
        const std::string p = tmp_.filePath("long.csv").toStdString();
        {
            std::ofstream f(p, std::ios::binary);
            f << "source,target\n";
            const std::string chunk(1 << 20, 'x');
            for (int i = 0; i < 100; ++i) f << chunk;
        }
        QElapsedTimer t;
        t.start();
        expectError(nr::readEdgeList(p), p, 2, "line longer than 1048576 bytes");
        QVERIFY2(t.elapsed() < 5000, "the long line was read in full");
        nr::Graph g = twoNodes();
        expectError(nr::readNodeTable(p, g), p, 2, "line longer than");
        QVERIFY(!nr::looksLikeNodeTable(p));
    }

    void utf16Refused() {
        const std::string p = write("u16.csv", std::string("\xFF\xFEs\0o\0u\0r\0c\0e\0", 14));
        expectError(nr::readEdgeList(p), p, 1, "UTF-16");
    }

    void bomAndCrlfAccepted() {
        const std::string p = write("bom.csv", "\xEF\xBB\xBFSource,Target,Weight\r\nA ,B,2\r\nB, C ,3\r\n");
        auto r = nr::openGraph(p);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
        QCOMPARE(r.value().names, (std::vector<std::string>{"A", "B", "C"}));
        QCOMPARE(r.value().weight, (std::vector<float>{2.f, 3.f}));
        const std::string t = write("bom.csv", "\xEF\xBB\xBFname,x,y,z\r\nA,1,2,3\r\nB,4,5,6\r\n");
        nr::Graph g = twoNodes();
        auto j = nr::readNodeTable(t, g);
        QVERIFY2(j.ok(), j.ok() ? "" : j.error().str().c_str());
        QCOMPARE(j.value().keyColumn, std::string("name"));
        QCOMPARE(g.z[1], 6.f);
        const std::string x =
            write("bom.graphml", "\xEF\xBB\xBF<graphml>\r\n<graph>\r\n<node id=\"a\"/>\r\n</graph>\r\n"
                                 "</graphml>\r\n");
        auto rx = nr::readGraphML(x);
        QVERIFY2(rx.ok(), rx.ok() ? "" : rx.error().str().c_str());
        QCOMPARE(rx.value().names[0], std::string("a"));
    }

    // ---- node tables ----------------------------------------------------------------------------------
    void duplicateNodeTableNames() {
        const std::string p = write("dup.csv", "name,x,y,z\nA,1,2,3\nB,1,2,3\nA,4,5,6\n");
        nr::Graph g = twoNodes();
        auto r = nr::readNodeTable(p, g);
        expectError(r, p, 4, "duplicate name 'A'");
        QVERIFY(r.error().reason.find("first on line 2") != std::string::npos);
        QVERIFY(!g.hasPositions()); // the graph is left as it was
    }

    void nanPositionInNodeTable() {
        const std::string p = write("nanpos.csv", "name;pos_x;pos_y;pos_z\nA;1;2;3\nB;nan;2;3\n");
        nr::Graph g = twoNodes();
        expectError(nr::readNodeTable(p, g), p, 3, "x value 'nan' is not a finite number");
        const std::string q = write("badpos.csv", "name,x,y,z\nA,1,2,3\nB,1,two,3\n");
        expectError(nr::readNodeTable(q, g), q, 3, "y value 'two' is not a number");
        const std::string m = write("misspos.csv", "name,x,y,z\nA,1,2,\n");
        expectError(nr::readNodeTable(m, g), m, 2, "z value is missing");
        QVERIFY(!g.hasPositions());
    }

    void nodeTableWithoutNameColumn() {
        const std::string p = write("noname.csv", "x,y,z\n1,2,3\n");
        nr::Graph g = twoNodes();
        expectError(nr::readNodeTable(p, g), p, 1, "no name column");
        const std::string q = write("empty_name.csv", "name,x,y\nA,1,2\n,3,4\n");
        expectError(nr::readNodeTable(q, g), q, 3, "empty name");
    }

    // ---- GraphML --------------------------------------------------------------------------------------
    void graphmlUnclosedTag() {
        const std::string p = write("unclosed.graphml", "<graphml>\n<graph>\n<node id=\"a\"/>\n");
        expectError(nr::readGraphML(p), p, 2, "<graph> opened on this line is never closed");
        const std::string q =
            write("mismatch.graphml", "<graphml>\n<graph>\n<node id=\"a\">\n</graph>\n</graphml>\n");
        expectError(nr::readGraphML(q), q, 4, "closing tag </graph> does not match <node> opened on line 3");
        const std::string t =
            write("opentag.graphml", "<graphml>\n<graph>\n<node id=\"a\"\n<node id=\"b\"/>\n");
        expectError(nr::readGraphML(t), t, 3, "tag <node> is never closed with '>'");
    }

    void graphmlDanglingEdge() {
        const std::string p =
            write("dangling.graphml", "<graphml>\n<graph edgedefault=\"directed\">\n"
                                      "<node id=\"a\"/>\n<node id=\"b\"/>\n"
                                      "<edge source=\"a\" target=\"b\"/>\n"
                                      "<edge source=\"b\" target=\"zz\"/>\n</graph>\n</graphml>\n");
        expectError(nr::readGraphML(p), p, 6, "edge target 'zz' is not a declared node");
    }

    void graphmlWrongAttrType() {
        const std::string p =
            write("type.graphml", "<graphml>\n<key id=\"w\" for=\"edge\" attr.name=\"weight\" "
                                  "attr.type=\"double\"/>\n<graph>\n<node id=\"a\"/>\n"
                                  "<edge source=\"a\" target=\"a\">\n"
                                  "  <data key=\"w\">heavy</data>\n</edge>\n</graph>\n</graphml>\n");
        expectError(nr::readGraphML(p), p, 6,
                    "value 'heavy' of key 'weight' (attr.type double) is not a number");
        const std::string q =
            write("int.graphml", "<graphml>\n<key id=\"k\" for=\"node\" attr.name=\"age\" "
                                 "attr.type=\"int\"/>\n<graph>\n<node id=\"a\"><data key=\"k\">1.5"
                                 "</data></node>\n</graph>\n</graphml>\n");
        expectError(nr::readGraphML(q), q, 4, "is not an integer");
        const std::string u =
            write("unknown.graphml", "<graphml>\n<key id=\"k\" for=\"node\" attr.name=\"a\" "
                                     "attr.type=\"complex\"/>\n</graphml>\n");
        expectError(nr::readGraphML(u), u, 2, "unknown attr.type 'complex'");
    }

    void graphmlUndeclaredKeyAndDuplicateNode() {
        const std::string p =
            write("undeclared.graphml", "<graphml>\n<graph>\n<node id=\"a\">\n"
                                        "<data key=\"d9\">1</data>\n</node>\n</graph>\n</graphml>\n");
        expectError(nr::readGraphML(p), p, 4, "undeclared key 'd9'");
        const std::string q =
            write("dupnode.graphml", "<graphml>\n<graph>\n<node id=\"a\"/>\n<node id=\"a\"/>\n"
                                     "</graph>\n</graphml>\n");
        expectError(nr::readGraphML(q), q, 4, "duplicate node id 'a' (first on line 3)");
    }

    void graphmlEntitiesAndGarbage() {
        const std::string p =
            write("entity.graphml", "<graphml>\n<graph>\n<node id=\"a&nbsp;b\"/>\n</graph>\n</graphml>\n");
        expectError(nr::readGraphML(p), p, 3, "unknown entity '&nbsp;'");
        const std::string q = write("garbage.graphml", std::string("<graphml>\n<gr\0aph>", 17));
        expectError(nr::readGraphML(q), q, 2, "binary data");
        const std::string e = write("empty.graphml", "  \n");
        expectError(nr::readGraphML(e), e, 1, "file is empty");
        const std::string n = write("notgraphml.xml", "<html>\n</html>\n");
        expectError(nr::readGraphML(n), n, 1, "root element is <html>");
        const std::string c =
            write("comment.graphml", "<graphml>\n<!-- never closed\n<graph/>\n</graphml>\n");
        expectError(nr::readGraphML(c), c, 2, "comment '<!--' is never closed");
    }

    // ---- GML ------------------------------------------------------------------------------------------
    void gmlUnbalancedBrackets() {
        const std::string p = write("open.gml", "graph [\n  node [ id 1 ]\n  node [ id 2\n]\n");
        expectError(nr::readGml(p), p, 1, "never closed (missing ']')");
        const std::string q = write("close.gml", "graph [\n  node [ id 1 ]\n]\n]\n");
        expectError(nr::readGml(q), q, 4, "unexpected ']'");
        const std::string s = write("nested.gml", "graph [\n  node [ id 1 graphics [ x 1 ]\n");
        expectError(nr::readGml(s), s, 2, "never closed");
    }

    void gmlEdgeMissingTarget() {
        const std::string p = write("notarget.gml", "graph [\n  node [ id 1 ]\n  node [ id 2 ]\n"
                                                    "  edge [ source 1 target 2 ]\n  edge [ source 2 ]\n]\n");
        expectError(nr::readGml(p), p, 5, "edge without a target");
        const std::string q = write("nosource.gml", "graph [\n  node [ id 1 ]\n  edge [\n target 1 ]\n]\n");
        expectError(nr::readGml(q), q, 3, "edge without a source");
    }

    void gmlDanglingId() {
        const std::string p =
            write("dangling.gml", "graph [\n  node [ id 1 label \"A\" ]\n  node [ id 2 label \"B\" ]\n"
                                  "  edge [ source 1 target 2 ]\n  edge [ source 1 target 9 ]\n]\n");
        expectError(nr::readGml(p), p, 5, "edge target '9' is not a declared node");
    }

    void gmlOtherErrors() {
        const std::string p = write("string.gml", "graph [\n  node [ id 1 label \"AVAL ]\n]\n");
        expectError(nr::readGml(p), p, 2, "never closed");
        const std::string q = write("noid.gml", "graph [\n  node [ label \"A\" ]\n]\n");
        expectError(nr::readGml(q), q, 2, "node without an id");
        const std::string w =
            write("weight.gml", "graph [\n node [ id 1 ]\n edge [ source 1 target 1\n weight \"x\" ]\n]\n");
        expectError(nr::readGml(w), w, 4, "weight 'x' is not a number");
        const std::string n = write("nograph.gml", "Creator \"me\"\n");
        expectError(nr::readGml(n), n, 1, "no 'graph [ ... ]'");
        const std::string v = write("novalue.gml", "graph [\n node [ id ]\n]\n");
        expectError(nr::readGml(v), v, 2, "key 'id' has no value");
        const std::string b = write("bin.gml", std::string("graph [\n node [ id 1 ]\n\x01\x02]"));
        expectError(nr::readGml(b), b, 3, "binary data");
        const std::string d = write("dup.gml", "graph [\n node [ id 1 ]\n node [ id 1 ]\n]\n");
        expectError(nr::readGml(d), d, 3, "duplicate node id '1'");
    }

    void missingFile() {
        const std::string p = tmp_.filePath("does_not_exist.csv").toStdString();
        auto r = nr::readDelimitedGraph(p);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().file, p);
        QVERIFY(r.error().reason.find("cannot open") != std::string::npos);
        auto d = nr::readDelimitedGraph(tmp_.path().toStdString());
        QVERIFY(!d.ok());
        QVERIFY(d.error().reason.find("directory") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestMalformed)
#include "test_malformed.moc"
