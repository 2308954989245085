// The command palette's matching rule: every typed word starts a word of the title.

#include "common/CommandMatch.h"

#include <QTest>

using strikeline::commandMatchScore;

class tst_CommandMatch : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void emptyQueryMatchesEverything()
    {
        QCOMPARE(commandMatchScore(u"", u"Sync now"), 0);
        QCOMPARE(commandMatchScore(u"  ", u"Quit"), 0);
    }

    void wordsMustStartTitleWords()
    {
        QVERIFY(commandMatchScore(u"sync", u"Sync now") > 0);
        QVERIFY(commandMatchScore(u"SYNC", u"Sync now") > 0);
        QVERIFY(commandMatchScore(u"now", u"Sync now") > 0);
        QVERIFY(commandMatchScore(u"th", u"Dark theme") > 0);
        QCOMPARE(commandMatchScore(u"ync", u"Sync now"), -1); // inside a word: no
        QCOMPARE(commandMatchScore(u"sync later", u"Sync now"), -1);
        QCOMPARE(commandMatchScore(u"x", u""), -1);
    }

    void punctuationSeparatesWords()
    {
        QVERIFY(commandMatchScore(u"data", u"Sync & data…") > 0);
        QVERIFY(commandMatchScore(u"file", u"Import instruments file…") > 0);
        QVERIFY(commandMatchScore(u"import, file", u"Import instruments file…") > 0);
    }

    void betterMatchesScoreHigher()
    {
        // The title that starts with the word beats one that has it later.
        QVERIFY(commandMatchScore(u"sync", u"Sync now") >
                commandMatchScore(u"sync", u"Cancel sync"));
        // A whole word beats a prefix.
        QVERIFY(commandMatchScore(u"dark", u"Dark theme") >
                commandMatchScore(u"dar", u"Dark theme"));
        // Typed in the title's order beats reversed.
        QVERIFY(commandMatchScore(u"sync now", u"Sync now") >
                commandMatchScore(u"now sync", u"Sync now"));
        // Among equals, the shorter title first.
        QVERIFY(commandMatchScore(u"sync", u"Sync now") >
                commandMatchScore(u"sync", u"Sync & data panel"));
    }
};

QTEST_APPLESS_MAIN(tst_CommandMatch)
#include "tst_commandmatch.moc"
