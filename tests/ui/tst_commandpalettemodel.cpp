// The command palette's rows: actions by match, then instruments in the core's ranking.

#include "RecordFactory.h"
#include "palette/CommandPaletteModel.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QTest>

#include <memory>

using namespace strikeline;
using namespace strikeline::testing;
using strikeline::ui::CommandPaletteModel;

namespace {

const EpochDay Today = day(2025, 12, 8);

SnapshotPtr buildSnapshot()
{
    RecordFactory f;
    SnapshotBuilder b;
    const std::string niftyKey = "NSE_INDEX|Nifty 50";
    b.add(f.index("NIFTY", niftyKey, "Nifty 50"));
    b.add(f.future("NIFTY", day(2025, 12, 30), 75, Segment::NseFo, niftyKey));
    for (int strike = 25900; strike <= 26100; strike += 50)
        b.add(f.option("NIFTY", day(2025, 12, 30), std::to_string(strike), true, 75, false,
                       Segment::NseFo, niftyKey));
    b.add(f.equity("SYNCOM", "SYNCOM FORMULATIONS"));
    return b.build(MasterInfo{});
}

} // namespace

class tst_CommandPaletteModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_model = std::make_unique<CommandPaletteModel>();
        m_tester = std::make_unique<QAbstractItemModelTester>(
            m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        m_sync = std::make_unique<QAction>(QStringLiteral("&Sync now"));
        m_sync->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
        m_cancel = std::make_unique<QAction>(QStringLiteral("Cancel sync"));
        m_cancel->setEnabled(false);
        m_dark = std::make_unique<QAction>(QStringLiteral("Dark theme"));
        m_model->setActions({m_sync.get(), m_cancel.get(), m_dark.get()});
    }
    void cleanup()
    {
        m_tester.reset();
        m_model.reset();
    }

    void emptyQueryListsEveryCommandOnly()
    {
        m_model->setQuery(QString(), buildSnapshot(), Today);
        QCOMPARE(m_model->rowCount(), 3);
        QCOMPARE(m_model->index(0, 0).data().toString(), QStringLiteral("Sync now"));
        QCOMPARE(m_model->index(0, 1).data().toString(), QStringLiteral("Ctrl+R"));
    }

    void commandsFirstThenInstruments()
    {
        m_model->setQuery(QStringLiteral("sync"), buildSnapshot(), Today);
        QCOMPARE(m_model->rowCount(), 3);
        QCOMPARE(m_model->actionAt(0), m_sync.get());
        QCOMPARE(m_model->actionAt(1), m_cancel.get());
        QCOMPARE(m_model->kindAt(2), CommandPaletteModel::EntryKind::Instrument);
        QCOMPARE(m_model->index(2, 0).data().toString(), QStringLiteral("SYNCOM"));
        QVERIFY(m_model->index(2, 0)
                    .data(CommandPaletteModel::InstrumentKeyRole)
                    .toString()
                    .startsWith(QLatin1String("NSE_EQ|")));
        QVERIFY(m_model->instrumentAt(2).has_value());
        QVERIFY(!m_model->instrumentAt(0).has_value());
        // The disabled command is listed but not selectable.
        QVERIFY(!(m_model->flags(m_model->index(1, 0)) & Qt::ItemIsSelectable));
        QVERIFY(m_model->flags(m_model->index(0, 0)) & Qt::ItemIsSelectable);
    }

    void instrumentsKeepTheCoreRanking()
    {
        m_model->setQuery(QStringLiteral("nifty"), buildSnapshot(), Today);
        QVERIFY(m_model->rowCount() >= 3);
        QCOMPARE(m_model->kindAt(0), CommandPaletteModel::EntryKind::Instrument);
        // The core's order, untouched: the future first (docs/search.md), then the rest.
        QCOMPARE(m_model->index(0, 0).data().toString(), QStringLiteral("NIFTY FUT 30 DEC 25"));
        QVERIFY(m_model->index(0, 1).data().toString().contains(QLatin1String("30 Dec 2025")));
        QStringList titles;
        for (int row = 0; row < m_model->rowCount(); ++row)
            titles << m_model->index(row, 0).data().toString();
        QVERIFY2(titles.contains(QStringLiteral("NIFTY")), qPrintable(titles.join(u',')));
        QVERIFY(titles.contains(QStringLiteral("NIFTY 26000 CE 30 DEC 25")));
    }

    void withoutSnapshotOnlyCommands()
    {
        m_model->setQuery(QStringLiteral("dark"), nullptr, Today);
        QCOMPARE(m_model->rowCount(), 1);
        QCOMPARE(m_model->actionAt(0), m_dark.get());
    }

    void deletedActionDropsOut()
    {
        m_dark.reset();
        m_model->setQuery(QString(), nullptr, Today);
        QCOMPARE(m_model->rowCount(), 2);
    }

private:
    std::unique_ptr<CommandPaletteModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
    std::unique_ptr<QAction> m_sync;
    std::unique_ptr<QAction> m_cancel;
    std::unique_ptr<QAction> m_dark;
};

QTEST_MAIN(tst_CommandPaletteModel)
#include "tst_commandpalettemodel.moc"
