#pragma once

#include "analytics/LiveChain.h"
#include "instruments/InstrumentSnapshot.h"

#include <QAbstractTableModel>
#include <QString>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <unordered_map>
#include <utility>

namespace strikeline::ui {

enum class ChainSide { Call, Put };

// One expiry's option chain as a table: calls on the left, the strike in the middle, puts on the
// right mirrored, so the columns nearest the strike are the prices a trader reads first. The
// ladder, the ATM strike and each side's moneyness come from InstrumentSnapshot::chain; the
// model only presents them, as a window of strikes around a centre.
//
// The window stays where it is while the spot moves: the row under the trader's mouse never
// changes under it, only the ATM highlight and the shading move (dataChanged). recentre() moves
// the window onto the ATM strike, as rows removed on one side and inserted on the other.
//
// Live numbers (issue 12) arrive as a LiveChain computed elsewhere on the UI cadence
// (computeLiveChain, about 10 Hz): setLiveChain() formats each cell once, keeps it, and emits
// dataChanged only for the cells whose text or state changed. data() only reads what was
// formatted: a tick never resets the model and painting never computes anything.
class OptionChainModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    // One side's fields, from the outside in; the puts mirror the calls around the strike.
    enum class Field : int {
        Oi,
        OiChange,
        Volume,
        Vega,
        Theta,
        Gamma,
        Delta,
        Iv,
        Bid,
        Ask,
        Ltp,
        Change,
        Count
    };
    static constexpr int FieldCount = static_cast<int>(Field::Count);
    enum Column : int {
        CallOiColumn,
        CallOiChangeColumn,
        CallVolumeColumn,
        CallVegaColumn,
        CallThetaColumn,
        CallGammaColumn,
        CallDeltaColumn,
        CallIvColumn,
        CallBidColumn,
        CallAskColumn,
        CallLtpColumn,
        CallChangeColumn,
        StrikeColumn,
        PutChangeColumn,
        PutLtpColumn,
        PutAskColumn,
        PutBidColumn,
        PutIvColumn,
        PutDeltaColumn,
        PutGammaColumn,
        PutThetaColumn,
        PutVegaColumn,
        PutVolumeColumn,
        PutOiChangeColumn,
        PutOiColumn,
        ColumnCount
    };
    enum Role : int {
        MoneynessRole = Qt::UserRole + 1, // QString "ITM"/"ATM"/"OTM"; invalid without a spot
        InstrumentKeyRole,                // QString: that side's key; empty for the strike column
        OiShareRole, // double 0..1: the cell's OI against the window's largest (OI columns)
        StaleRole,   // bool: the leg's newest tick is older than the staleness limit
    };
    // How OI is shown: in units (Upstox's figure) or in contracts (units / lot size).
    enum class OiUnit { Units, Contracts };

    explicit OptionChainModel(QObject *parent = nullptr);
    ~OptionChainModel() override;

    // Rebuilds the rows (one model reset), centred on ATM (the median strike without a spot).
    // `expiry` NoDay: the nearest on or after `today`; `strikesAround` 0: every strike, N: the
    // centre +- N. On an error the model is empty and lastError() says why.
    void setChain(SnapshotPtr snapshot, UnderlyingId underlying, EpochDay expiry, EpochDay today,
                  std::optional<Price> spot, int strikesAround = 0);
    // Moves the spot: dataChanged for the re-shaded rows; the strike window stays put, even
    // when the new ATM strike is outside it (atmRow() -1, chain().atmStrike still set).
    void setSpot(std::optional<Price> spot);
    // Centres the window on the ATM strike (the median strike without a spot): rows removed
    // and inserted at the edges, the rows both windows share keep their indexes' identity.
    // True when the window moved.
    bool recentre();
    // The window is centred on ATM (always true for "every strike").
    bool isCentred() const;
    void clear();
    // The live numbers of the window's rows (matched by strike; rows without one show "—"),
    // computed at `nowMs` (epoch ms, for the flash of a changed LTP). dataChanged only for the
    // cells that changed.
    void setLiveChain(const LiveChain &live, std::int64_t nowMs);
    // Forgets the live numbers: every market column says "—" again.
    void clearLive();
    const LiveChain &liveChain() const { return m_live; }
    // Whether any row of the window has a number in that field (either side). Before the
    // first live number every field counts as having data: a chain that is still connecting
    // shows its preset's columns with "—", it does not collapse to the strikes.
    bool fieldHasData(Field field) const;
    void setOiUnit(OiUnit unit);
    OiUnit oiUnit() const { return m_oiUnit; }
    // How long a changed LTP flashes.
    static constexpr std::int64_t FlashMs = 600;

    const SnapshotPtr &snapshot() const { return m_snapshot; }
    // The whole ladder of the expiry (every strike); the model shows rows() of it.
    const OptionChain &chain() const { return m_chain; }
    std::span<const detail::StrikeRow> rows() const;
    EpochDay expiry() const { return m_chain.expiry; }
    std::optional<Price> spot() const { return m_request.spot; }
    const QString &lastError() const { return m_lastError; }

    int atmRow() const { return m_atmRow; } // -1 without a spot or outside the window
    // The row of the strike the window is centred on when it is centred: ATM, or the median.
    int referenceRow() const;
    std::optional<Price> strikeAt(int row) const;
    std::optional<InstrumentId> instrumentAt(int row, ChainSide side) const;
    static std::optional<ChainSide> sideOf(int column);
    // The field a column shows (nullopt for the strike).
    static std::optional<Field> fieldOf(int column);
    static int columnOf(ChainSide side, Field field);
    // The window [begin, end) in the whole ladder (chain().rows).
    std::size_t windowBegin() const { return m_begin; }
    std::size_t windowEnd() const { return m_end; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    // fieldHasData() changed for at least one field: the view collapses or restores columns.
    void fieldsWithDataChanged();

private:
    void updateFieldsWithData();
    std::optional<Moneyness> moneynessAt(int row, int column) const;
    QVariant background(int row, int column) const;
    struct LegCells
    {
        std::array<QString, FieldCount> text;
        int changeSign = 0; // -1, 0, +1: the change's colour
        int flash = 0;      // -1, +1 while a changed LTP flashes; 0 otherwise
        std::int64_t flashUntilMs = 0;
        std::int64_t receivedMs = 0;
        bool stale = false;
        bool quoted = false;
        double oiShare = 0;
        QString ivProblem;
        std::optional<Price> ltp;
    };
    struct RowCells
    {
        LegCells call;
        LegCells put;
    };
    const LegCells *legCells(int row, ChainSide side) const;
    LegCells formatLeg(const LiveLeg &leg, const LegCells *previous, std::int64_t nowMs,
                       std::int64_t maxOi, std::int32_t lot) const;
    QVariant toolTip(int row, int column) const;
    void adopt(OptionChain chain);
    int referenceIndex() const; // in m_chain.rows
    std::pair<std::size_t, std::size_t> windowAround(std::size_t centre) const;
    void moveWindow(std::size_t begin, std::size_t end);

    SnapshotPtr m_snapshot; // owns the rows m_chain.rows points into
    ChainRequest m_request; // expiry resolved to the chain's once a chain was found
    OptionChain m_chain;
    QString m_lastError;
    int m_strikesAround = 0;
    std::size_t m_begin = 0; // the window [m_begin, m_end) of m_chain.rows
    std::size_t m_end = 0;
    int m_atmRow = -1;
    LiveChain m_live;
    std::unordered_map<std::int64_t, RowCells> m_cells; // by strike (raw): survive window moves
    OiUnit m_oiUnit = OiUnit::Units;
    unsigned m_fieldsWithData = ~0u; // bit per Field; all before the first live number
};

} // namespace strikeline::ui
