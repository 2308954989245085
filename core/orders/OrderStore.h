#pragma once

// The orders and order_events tables (sql/*/002_orders.sql, 003_order_identity.sql). Written
// only from journaled events, idempotently: an event whose (journal id, sequence) is already
// stored with the same bytes is skipped (other bytes under that identity are a Conflict error),
// and an order row, keyed (journal id, client order id), only moves forward (last_sequence), so
// replaying a journal after a crash never duplicates.

#include "orders/OrderEvent.h"
#include "storage/Database.h"

#include <optional>
#include <string>
#include <vector>

namespace strikeline {

struct StoredOrder
{
    QString journalId; // with clientOrderId, the order's identity
    std::string clientOrderId;
    std::string parentClientOrderId;
    int sliceIndex = 0;
    int sliceCount = 0;
    std::vector<std::string> brokerOrderIds;
    ContractIdentity contract;
    OrderRequest request;
    OrderStatus status = OrderStatus::New;
    std::int64_t filledQuantity = 0;
    Price averagePrice;
    std::string rejectReason;
    std::int64_t createdAtMs = 0;
    std::int64_t updatedAtMs = 0;
    std::uint64_t lastSequence = 0;
};

struct StoreBatchResult
{
    std::size_t eventsWritten = 0; // new events (the rest were already stored)
    std::size_t eventsSkipped = 0;
};

namespace OrderStore {

// Writes `events` (in sequence order) in ONE transaction: all or nothing.
Result<StoreBatchResult> applyBatch(Database &db, const std::vector<OrderEvent> &events);
// The highest stored sequence of `day` in the journal `journalId`, or 0.
Result<std::uint64_t> maxSequence(Database &db, const QString &journalId, EpochDay day);
Result<std::vector<StoredOrder>> loadOrders(Database &db);
// The newest order with this client order id (a tag may name orders of other days/journals).
Result<std::optional<StoredOrder>> loadOrder(Database &db, const std::string &clientOrderId);

} // namespace OrderStore

} // namespace strikeline
