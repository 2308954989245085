#include "marketdata/feed/FeedBackfill.h"

#include <QJsonObject>
#include <QUrlQuery>

#include <spdlog/spdlog.h>

#include <cmath>
#include <memory>

namespace strikeline::marketdata {

namespace {

struct Call
{
    QString path;
    QStringList keys;
};

// Upstox refuses a whole request for one key it does not know (UDAPI1011: an expired contract
// in a watch list, a key of another master): such a call is split in halves and asked again, so
// one bad key costs a few requests, never everyone else's prices. A single key it refuses is
// left out (and logged).
bool refusedKeys(const upstox::UpstoxError &error)
{
    return error.code == QLatin1String("UDAPI1011");
}

// GETs every call at once; `done` runs once on `context`'s thread with each answer parsed, in
// the calls' order whatever order they came in, or with the first error.
template<typename T>
void getInBatches(upstox::UpstoxClient &client, const std::vector<Call> &calls, QObject *context,
                  std::function<std::vector<T>(const QJsonValue &)> parse,
                  std::function<void(upstox::UpstoxResult<std::vector<T>>)> done)
{
    if (calls.empty()) {
        done(std::vector<T>{});
        return;
    }
    struct Pending
    {
        int outstanding = 0;
        bool finished = false;
        std::vector<std::vector<T>> slots;
        std::function<std::vector<T>(const QJsonValue &)> parse;
        std::function<void(upstox::UpstoxResult<std::vector<T>>)> done;
        std::function<void(std::size_t slot, Call call)> get;
    };
    auto pending = std::make_shared<Pending>();
    pending->outstanding = static_cast<int>(calls.size());
    pending->slots.resize(calls.size());
    pending->parse = std::move(parse);
    pending->done = std::move(done);
    // Each request's callback holds the state; the state's `get` holds it weakly (no cycle).
    const std::weak_ptr<Pending> weak = pending;
    pending->get = [&client, context, weak](std::size_t slot, Call call) {
        const std::shared_ptr<Pending> held = weak.lock();
        if (!held)
            return;
        const QString path = call.path;
        const QString keys = call.keys.join(QLatin1Char(','));
        client.get(path, QUrlQuery{{QStringLiteral("instrument_key"), keys}}, context,
                   [pending = held, slot,
                    call = std::move(call)](upstox::UpstoxResult<QJsonValue> answer) {
                       if (pending->finished)
                           return;
                       if (!answer.ok() && refusedKeys(answer.error())) {
                           if (call.keys.size() > 1) {
                               const qsizetype half = call.keys.size() / 2;
                               ++pending->outstanding; // this call becomes two
                               pending->get(slot, Call{call.path, call.keys.mid(0, half)});
                               pending->get(slot, Call{call.path, call.keys.mid(half)});
                               return;
                           }
                           spdlog::warn("{}: Upstox does not know {}: left out",
                                        call.path.toStdString(), call.keys.value(0).toStdString());
                       } else if (!answer.ok()) {
                           pending->finished = true;
                           pending->done(answer.error());
                           return;
                       } else {
                           for (T &item : pending->parse(answer.value()))
                               pending->slots[slot].push_back(std::move(item));
                       }
                       if (--pending->outstanding > 0)
                           return;
                       pending->finished = true;
                       std::vector<T> all;
                       for (auto &items : pending->slots)
                           for (auto &item : items)
                               all.push_back(std::move(item));
                       pending->done(std::move(all));
                   });
    };
    for (std::size_t i = 0; i < calls.size(); ++i)
        pending->get(i, calls[i]);
}

void addBatches(std::vector<Call> &calls, const QString &path, const QStringList &keys, int batch)
{
    for (qsizetype i = 0; i < keys.size(); i += batch)
        calls.push_back({path, keys.mid(i, batch)});
}

} // namespace

std::vector<BackfillQuote> parseBackfill(const QJsonValue &data)
{
    std::vector<BackfillQuote> quotes;
    const QJsonObject map = data.toObject();
    for (auto it = map.constBegin(); it != map.constEnd(); ++it) {
        const QJsonObject q = it.value().toObject();
        BackfillQuote quote;
        quote.instrumentKey = q.value(QLatin1String("instrument_token")).toString();
        if (quote.instrumentKey.isEmpty())
            continue;
        quote.ltp = upstox::priceFromJson(q.value(QLatin1String("last_price")));
        quote.close = upstox::priceFromJson(q.value(QLatin1String("cp")));
        quote.volume = upstox::countFromJson(q.value(QLatin1String("volume")));
        quote.lastQuantity = upstox::countFromJson(q.value(QLatin1String("ltq")));
        quote.oi = upstox::countFromJson(q.value(QLatin1String("oi")));
        quote.iv = upstox::numberFromJson(q.value(QLatin1String("iv")));
        quote.delta = upstox::numberFromJson(q.value(QLatin1String("delta")));
        quote.gamma = upstox::numberFromJson(q.value(QLatin1String("gamma")));
        quote.theta = upstox::numberFromJson(q.value(QLatin1String("theta")));
        quote.vega = upstox::numberFromJson(q.value(QLatin1String("vega")));
        quotes.push_back(std::move(quote));
    }
    return quotes;
}

void backfillQuotes(upstox::UpstoxClient &client, const QStringList &ltpKeys,
                    const QStringList &greekKeys, QObject *context, BackfillCallback done)
{
    std::vector<Call> calls;
    addBatches(calls, QStringLiteral("/v3/market-quote/ltp"), ltpKeys, LtpBackfillBatch);
    addBatches(calls, QStringLiteral("/v3/market-quote/option-greek"), greekKeys,
               GreeksBackfillBatch);
    getInBatches<BackfillQuote>(client, calls, context, parseBackfill, std::move(done));
}

std::vector<CircuitLimits> parseCircuitLimits(const QJsonValue &data, std::int64_t fetchedMs)
{
    std::vector<CircuitLimits> limits;
    const QJsonObject map = data.toObject();
    for (auto it = map.constBegin(); it != map.constEnd(); ++it) {
        const QJsonObject q = it.value().toObject();
        CircuitLimits l;
        l.instrumentKey = q.value(QLatin1String("instrument_token")).toString().toStdString();
        const auto lower = upstox::priceFromJson(q.value(QLatin1String("lower_circuit_limit")));
        const auto upper = upstox::priceFromJson(q.value(QLatin1String("upper_circuit_limit")));
        // Zero (an index, or a band Upstox does not know) is no band.
        if (l.instrumentKey.empty() || !lower || !upper || !lower->isPositive() ||
            !upper->isPositive() || *upper < *lower)
            continue;
        l.lower = *lower;
        l.upper = *upper;
        l.fetchedMs = fetchedMs;
        limits.push_back(std::move(l));
    }
    return limits;
}

void fetchCircuitLimits(upstox::UpstoxClient &client, const QStringList &keys, std::int64_t nowMs,
                        QObject *context, CircuitLimitsCallback done)
{
    std::vector<Call> calls;
    addBatches(calls, QStringLiteral("/v2/market-quote/quotes"), keys, FullQuoteBatch);
    getInBatches<CircuitLimits>(
        client, calls, context,
        [nowMs](const QJsonValue &data) { return parseCircuitLimits(data, nowMs); },
        std::move(done));
}

int mergeBackfill(QuoteBook &book, const std::vector<BackfillQuote> &quotes,
                  std::int64_t requestedNs)
{
    QuoteBook::Writer writer(book);
    int updated = 0;
    for (const BackfillQuote &b : quotes) {
        const QuoteBook::SlotId id = writer.slot(b.instrumentKey.toStdString());
        if (id == QuoteBook::NoSlot)
            continue;
        LiveQuote &q = writer.shadow(id);
        if (q.receivedNs > requestedNs)
            continue; // a packet came after the request: it is newer than this answer
        if (b.ltp) {
            q.ltp = *b.ltp;
            q.fields |= LiveQuote::Ltp;
        }
        if (b.close) {
            q.close = *b.close;
            q.fields |= LiveQuote::Close;
        }
        if (b.volume) {
            q.volume = *b.volume;
            q.fields |= LiveQuote::Volume;
        }
        if (b.lastQuantity) {
            q.lastQuantity = *b.lastQuantity;
            q.fields |= LiveQuote::LastQuantity;
        }
        if (b.oi) {
            q.oi = *b.oi;
            q.fields |= LiveQuote::Oi;
        }
        if (b.iv) {
            q.iv = *b.iv;
            q.fields |= LiveQuote::Iv;
        }
        if (b.delta || b.gamma || b.theta || b.vega) {
            q.delta = b.delta.value_or(q.delta);
            q.gamma = b.gamma.value_or(q.gamma);
            q.theta = b.theta.value_or(q.theta);
            q.vega = b.vega.value_or(q.vega);
            q.fields |= LiveQuote::Greeks;
        }
        q.receivedNs = requestedNs;
        writer.publish(id);
        ++updated;
    }
    return updated;
}

} // namespace strikeline::marketdata
