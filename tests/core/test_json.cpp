// The one JSON reader and writer (core/base/Json.h): grammar, errors with lines and offsets, duplicate keys,
// depth and size limits, and a writer whose output reads back to the same value and the same bytes.
#include <QtTest>

#include <cmath>
#include <cstring>
#include <limits>

#include "base/Json.h"

namespace {

nr::Result<nr::JsonValue> parse(const std::string& text, const nr::JsonLimits& lim = {}) {
    return nr::parseJson(text, "t.json", lim);
}

// The error text of a parse that must fail ("" when it was accepted).
std::string failure(const std::string& text, const nr::JsonLimits& lim = {}) {
    auto r = parse(text, lim);
    return r ? std::string() : r.error().str();
}

double roundTripNumber(double d) {
    const std::string text = nr::writeJson(nr::JsonValue::number(d), 0);
    auto r = parse(text);
    if (!r || !r.value().isNumber()) return std::numeric_limits<double>::quiet_NaN();
    return r.value().num;
}

} // namespace

class TestJson : public QObject {
    Q_OBJECT

private slots:
    void acceptsTheGrammar() {
        auto r =
            parse(" {\"a\": [1, -2.5e-3, 0, -0, 1E+2, true, false, null, \"x\"],\n \"b\": {}, \"c\": []} \n");
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().str().c_str());
        const nr::JsonValue& v = r.value();
        QVERIFY(v.isObject());
        QCOMPARE(v.obj.size(), size_t(3));
        const nr::JsonValue* a = v.get("a");
        QVERIFY(a && a->isArray());
        QCOMPARE(a->arr.size(), size_t(9));
        QCOMPARE(a->arr[1].num, -2.5e-3);
        QCOMPARE(a->arr[1].str, std::string("-2.5e-3")); // the number's text as written
        QVERIFY(std::signbit(a->arr[3].num));
        QCOMPARE(a->arr[4].num, 100.0);
        QVERIFY(a->arr[5].isBool() && a->arr[5].b);
        QVERIFY(a->arr[7].isNull());
        QCOMPARE(a->arr[8].str, std::string("x"));
        QVERIFY(v.get("b")->isObject() && v.get("b")->obj.empty());
        QCOMPARE(v.get("b")->line, 2L);
        QVERIFY(parse("3").ok());
        QVERIFY(parse("\"only a string\"").ok());
    }

    void refusesWhatIsNotJson_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expect");
        QTest::newRow("empty") << ""
                               << "t.json:1: invalid JSON: the file ends where a value should be";
        QTest::newRow("trailing comma in object") << "{\"a\": 1,}"
                                                  << "expected a key in double quotes";
        QTest::newRow("trailing comma in array") << "[1, 2,]"
                                                 << "invalid JSON: unexpected character";
        QTest::newRow("comment") << "{\"a\": 1 // one\n}"
                                 << "expected ',' or '}'";
        QTest::newRow("block comment") << "/* x */ {}"
                                       << "unexpected character";
        QTest::newRow("NaN") << "[NaN]"
                             << "NaN and Infinity are not JSON numbers";
        QTest::newRow("Infinity") << "[-Infinity]"
                                  << "NaN and Infinity are not JSON numbers";
        QTest::newRow("leading zero") << "[01]"
                                      << "expected ',' or ']'";
        QTest::newRow("plus sign") << "[+1]"
                                   << "unexpected character";
        QTest::newRow("bare dot") << "[1.]"
                                  << "a number needs digits after its '.'";
        QTest::newRow("bare exponent") << "[1e]"
                                       << "a number needs digits in its exponent";
        QTest::newRow("single quotes") << "{'a': 1}"
                                       << "expected a key in double quotes";
        QTest::newRow("unquoted key") << "{a: 1}"
                                      << "expected a key in double quotes";
        QTest::newRow("missing colon") << "{\"a\" 1}"
                                       << "expected ':' after a key";
        QTest::newRow("tab in string") << "[\"a\tb\"]"
                                       << "control character inside a string";
        QTest::newRow("newline in string") << "[\"a\nb\"]"
                                           << "control character inside a string";
        QTest::newRow("bad escape") << "[\"a\\qb\"]"
                                    << "unknown escape \\q";
        QTest::newRow("short u escape") << "[\"\\u12\"]"
                                        << "bad \\u escape";
        QTest::newRow("lone high surrogate") << "[\"\\ud800x\"]"
                                             << "unpaired surrogate";
        QTest::newRow("lone low surrogate") << "[\"\\udc00\"]"
                                            << "unpaired surrogate";
        QTest::newRow("high then not low") << "[\"\\ud800\\u0041\"]"
                                           << "unpaired surrogate";
        QTest::newRow("u0000") << "[\"a\\u0000\"]"
                               << "\\u0000 inside a string";
        QTest::newRow("unterminated string") << "[\"abc"
                                             << "unterminated string";
        QTest::newRow("truncated object") << "{\"a\": 1"
                                          << "the file ends inside an object (truncated?)";
        QTest::newRow("truncated array") << "[1, 2"
                                         << "the file ends inside an array (truncated?)";
        QTest::newRow("two values") << "{} {}"
                                    << "unexpected text after the JSON value";
        QTest::newRow("tru") << "[tru]"
                             << "unexpected character";
        QTest::newRow("nul") << "[nul]"
                             << "unexpected character";
    }
    void refusesWhatIsNotJson() {
        QFETCH(QString, text);
        QFETCH(QString, expect);
        const std::string e = failure(text.toStdString());
        QVERIFY2(e.find(expect.toStdString()) != std::string::npos, e.c_str());
    }

    void nulByteInAString() {
        const std::string e = failure(std::string("[\"a\0b\"]", 7));
        QVERIFY2(e.find("NUL byte inside a string") != std::string::npos, e.c_str());
    }

    void errorsNameTheLineAndTheByte() {
        auto r = parse("{\n  \"a\": 1,\n  \"b\": [1, 2,\n  ]\n}");
        QVERIFY(!r);
        QCOMPARE(r.error().file, std::string("t.json"));
        QCOMPARE(r.error().line, 4L);
        QCOMPARE(r.error().byteOffset, 28LL); // the ']' after the trailing comma
        QVERIFY(r.error().reason.rfind("invalid JSON: ", 0) == 0);
        QCOMPARE(r.error().str().substr(0, 9), std::string("t.json:4:"));
    }

    void valuesKnowTheirLine() {
        auto r = parse("{\n\"a\":\n\n  7,\n\"b\": [\n1,\n\"two\"]}");
        QVERIFY(r.ok());
        QCOMPARE(r.value().line, 1L);
        QCOMPARE(r.value().get("a")->line, 4L);
        QCOMPARE(r.value().get("b")->line, 5L);
        QCOMPARE(r.value().get("b")->arr[1].line, 7L);
    }

    void duplicateKeysAreErrors() {
        auto r = parse("{\"a\": 1,\n\"b\": 2,\n\"a\": 3}");
        QVERIFY(!r);
        QCOMPARE(r.error().line, 3L);
        QVERIFY2(r.error().reason.find("key \"a\" appears twice") != std::string::npos,
                 r.error().str().c_str());
        // In a large object too (where a set of keys is used).
        std::string big = "{";
        for (int k = 0; k < 200; ++k) big += "\"k" + std::to_string(k) + "\": " + std::to_string(k) + ",";
        QVERIFY(parse(big + "\"last\": 0}").ok());
        const std::string e = failure(big + "\"k7\": 0}");
        QVERIFY2(e.find("key \"k7\" appears twice") != std::string::npos, e.c_str());
        // The same key in different objects is fine.
        QVERIFY(parse("[{\"a\": 1}, {\"a\": 2}]").ok());
    }

    void depthIsLimited() {
        nr::JsonLimits lim;
        lim.maxDepth = 10;
        QVERIFY(parse(std::string(10, '[') + std::string(10, ']'), lim).ok());
        const std::string e = failure(std::string(11, '[') + std::string(11, ']'), lim);
        QVERIFY2(e.find("nested more than 10 levels deep") != std::string::npos, e.c_str());
        // The default limit stops a deep bomb without exhausting the stack.
        const std::string bomb = failure(std::string(1000000, '['));
        QVERIFY2(bomb.find("nested more than 256 levels deep") != std::string::npos, bomb.c_str());
    }

    void sizeAndValueCountAreLimited() {
        nr::JsonLimits lim;
        lim.maxBytes = 100;
        const std::string e = failure("[\"" + std::string(200, 'x') + "\"]", lim);
        QVERIFY2(e.find("too large") != std::string::npos, e.c_str());
        nr::JsonLimits few;
        few.maxValues = 5;
        QVERIFY(parse("[1, 2, 3, 4]", few).ok()); // the array and its 4 numbers
        const std::string f = failure("[1, 2, 3, 4, 5]", few);
        QVERIFY2(f.find("more than 5 values") != std::string::npos, f.c_str());
    }

    void unicodeEscapes() {
        auto r = parse("[\"\\u00e9\\u20ac\\ud83d\\ude00\\/\\\"\\\\\\b\\f\\n\\r\\t\"]");
        QVERIFY(r.ok());
        QCOMPARE(r.value().arr[0].str, std::string("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80/\"\\\b\f\n\r\t"));
        // Raw UTF-8 is kept as it is.
        auto u = parse("[\"é😀\"]");
        QVERIFY(u.ok());
        QCOMPARE(u.value().arr[0].str, std::string("é😀"));
    }

    void byteOrderMarkAndUtf16AreNotJson() {
        QVERIFY(!parse("\xEF\xBB\xBF{}").ok()); // callers that accept a BOM strip it themselves
    }

    void numbersRoundTripExactly() {
        for (double d : {0.1, 1e300, -1e-300, 123456789012.0, 0.30000000000000004, 5e-324,
                         1.7976931348623157e308, -123.456, 2.0 / 3.0, 9007199254740993.0, 1e21, 1e-7}) {
            QCOMPARE(roundTripNumber(d), d);
        }
        const double negZero = roundTripNumber(-0.0);
        QCOMPARE(negZero, 0.0);
        QVERIFY(std::signbit(negZero));
        // Integers are written without a fraction, others as the shortest text that reads back.
        QCOMPARE(nr::writeJson(nr::JsonValue::number(123456789012.0), 0), std::string("123456789012"));
        QCOMPARE(nr::writeJson(nr::JsonValue::number(3.0), 0), std::string("3"));
        QCOMPARE(nr::writeJson(nr::JsonValue::number(0.1), 0), std::string("0.1"));
        QCOMPARE(nr::writeJson(nr::JsonValue::number(-0.0), 0), std::string("-0"));
        QCOMPARE(nr::writeJson(nr::JsonValue::number(1e300), 0), std::string("1e+300"));
        // Non-finite numbers are not JSON: written as null.
        QCOMPARE(nr::writeJson(nr::JsonValue::number(std::nan("")), 0), std::string("null"));
        QCOMPARE(nr::writeJson(nr::JsonValue::number(INFINITY), 0), std::string("null"));
        // A number too large for a double reads as infinity (callers check ranges).
        auto big = parse("[1e999]");
        QVERIFY(big.ok() && std::isinf(big.value().arr[0].num));
    }

    void writerLayout() {
        nr::JsonValue v = nr::JsonValue::object();
        v.set("name", "a\"b\\c\n\x01");
        v.set("n", 2.5);
        v.set("flag", true);
        v.set("list", nr::JsonValue::array()
                          .push(nr::JsonValue::number(1))
                          .push(nr::JsonValue())
                          .push(nr::JsonValue::boolean(false)));
        v.set("strings", nr::JsonValue::array().push(nr::JsonValue::string("x")));
        v.set("empty", nr::JsonValue::object());
        v.set("none", nr::JsonValue::array());
        v.set("nested", nr::JsonValue::object().set("k", 1.0));
        const std::string expect = "{\n"
                                   "  \"name\": \"a\\\"b\\\\c\\u000a\\u0001\",\n"
                                   "  \"n\": 2.5,\n"
                                   "  \"flag\": true,\n"
                                   "  \"list\": [1, null, false],\n"
                                   "  \"strings\": [\n"
                                   "    \"x\"\n"
                                   "  ],\n"
                                   "  \"empty\": {},\n"
                                   "  \"none\": [],\n"
                                   "  \"nested\": {\n"
                                   "    \"k\": 1\n"
                                   "  }\n"
                                   "}\n";
        QCOMPARE(nr::writeJson(v), expect);
        QCOMPARE(nr::writeJson(v, 0),
                 std::string("{\"name\":\"a\\\"b\\\\c\\u000a\\u0001\",\"n\":2.5,\"flag\":true,"
                             "\"list\":[1,null,false],\"strings\":[\"x\"],\"empty\":{},"
                             "\"none\":[],\"nested\":{\"k\":1}}"));
        // set replaces in place, remove removes.
        v.set("n", 3.0);
        QCOMPARE(v.obj[1].first, std::string("n"));
        QCOMPARE(v.numberOr("n", 0), 3.0);
        QVERIFY(v.remove("n"));
        QVERIFY(!v.remove("n"));
        QCOMPARE(v.numberOr("n", -1), -1.0);
        QCOMPARE(v.stringOr("flag", "def"), std::string("def")); // wrong type: the default
        QVERIFY(v.boolOr("flag", false));
    }

    void writerToReaderToWriterIsIdentical() {
        const std::string text =
            "{\"format\": \"x\", \"numbers\": [0.1, 1e300, -0, 123456789012, 5e-324, 2.5e-8, -7],\n"
            " \"text\": \"tab\\t quote\\\" unicode \\u00e9 \\ud83d\\ude00 control \\u001f\",\n"
            " \"deep\": {\"a\": [[1, 2], {\"b\": null, \"c\": [true, false]}, \"s\", []], \"e\": {}}}";
        auto r = parse(text);
        QVERIFY(r.ok());
        const std::string once = nr::writeJson(r.value());
        auto back = parse(once);
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().str().c_str());
        QVERIFY(back.value() == r.value());
        const std::string twice = nr::writeJson(back.value());
        QCOMPARE(twice, once);
        QCOMPARE(once.back(), '\n');
        // Same for the one-line form.
        const std::string line = nr::writeJson(r.value(), 0);
        auto back0 = parse(line);
        QVERIFY(back0.ok() && back0.value() == r.value());
        QCOMPARE(nr::writeJson(back0.value(), 0), line);
        QVERIFY(line.find('\n') == std::string::npos);
    }

    void equalityIsStructural() {
        auto a = parse("{\"x\": [1, 2], \"y\": \"z\"}");
        auto b = parse("{\n\"x\": [1.0, 2e0],\n\"y\": \"z\"}"); // other lines, other number text
        auto c = parse("{\"y\": \"z\", \"x\": [1, 2]}");        // other order
        QVERIFY(a.ok() && b.ok() && c.ok());
        QVERIFY(a.value() == b.value());
        QVERIFY(a.value() != c.value());
    }

    void typedAccess() {
        auto r = parse("{\n\"opacity\": 3,\n\"name\": 4,\n\"ok\": true,\n\"long\": \"abcdef\"}");
        QVERIFY(r.ok());
        const nr::JsonValue& o = r.value();
        auto n = nr::jsonNumber(o, "opacity", "s.json", 0, 1);
        QVERIFY(!n);
        QCOMPARE(n.error().str(), std::string("s.json:2: \"opacity\" must be a number in [0, 1], not 3"));
        auto n2 = nr::jsonNumber(o, "missing", "s.json", 0, 1, 0.5);
        QVERIFY(n2.ok() && n2.value() == 0.5);
        QVERIFY(!nr::jsonNumber(o, "missing", "s.json", 0, 1));
        auto s = nr::jsonString(o, "name", "s.json");
        QVERIFY(!s);
        QCOMPARE(s.error().str(), std::string("s.json:3: \"name\" must be a string, not a number"));
        auto l = nr::jsonString(o, "long", "s.json", std::nullopt, 3);
        QVERIFY(!l);
        QCOMPARE(l.error().line, 5L);
        QVERIFY(nr::jsonString(o, "long", "s.json").value() == "abcdef");
        auto b = nr::jsonBool(o, "ok", "s.json");
        QVERIFY(b.ok() && b.value());
        auto b2 = nr::jsonBool(o, "name", "s.json");
        QVERIFY(!b2 && b2.error().line == 3);
        QCOMPARE(nr::jsonError(*o.get("ok"), "s.json", "why").str(), std::string("s.json:4: why"));
        QCOMPARE(std::string(nr::jsonTypeName(nr::JsonValue::Array)), std::string("an array"));
    }

    void legacyFormForZarr() {
        nr::JsonValue v;
        std::string err;
        QVERIFY(nr::parseJson("{\"fill_value\": NaN, \"shape\": [2, 3]}", v, err));
        QVERIFY(std::isnan(v.get("fill_value")->num));
        QCOMPARE(v.get("shape")->arr.size(), size_t(2));
        QVERIFY(!nr::parseJson("{\"a\": 1,}", v, err));
        QCOMPARE(err, std::string("byte 8: expected a key in double quotes"));
        QVERIFY(!nr::parseJson("{\"a\": 1, \"a\": 2}", v, err));
        QVERIFY2(err.find("appears twice") != std::string::npos, err.c_str());
        // Metadata, not data: millions of values are refused.
        std::string many = "[0";
        for (int k = 0; k < 3000000; ++k) many += ",0";
        QVERIFY(!nr::parseJson(many + "]", v, err));
        QVERIFY2(err.find("values (too many to hold in memory)") != std::string::npos, err.c_str());
    }
};

QTEST_APPLESS_MAIN(TestJson)
#include "test_json.moc"
