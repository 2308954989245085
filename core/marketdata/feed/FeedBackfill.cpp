#include "marketdata/feed/FeedBackfill.h"

#include <QJsonObject>
#include <QUrlQuery>

#include <cmath>
#include <memory>

namespace strikeline::marketdata {

namespace {

struct Pending
{
    int outstanding = 0;
    bool finished = false;
    std::vector<BackfillQuote> quotes;
    BackfillCallback done;
};

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
    auto pending = std::make_shared<Pending>();
    pending->done = std::move(done);
    struct Call
    {
        QString path;
        QStringList keys;
    };
    std::vector<Call> calls;
    for (qsizetype i = 0; i < ltpKeys.size(); i += LtpBackfillBatch)
        calls.push_back({QStringLiteral("/v3/market-quote/ltp"), ltpKeys.mid(i, LtpBackfillBatch)});
    for (qsizetype i = 0; i < greekKeys.size(); i += GreeksBackfillBatch)
        calls.push_back({QStringLiteral("/v3/market-quote/option-greek"),
                         greekKeys.mid(i, GreeksBackfillBatch)});
    if (calls.empty()) {
        pending->done(std::vector<BackfillQuote>{});
        return;
    }
    pending->outstanding = static_cast<int>(calls.size());
    // Answers may come in any order; LTP first then greeks is restored by slot.
    auto slots = std::make_shared<std::vector<std::vector<BackfillQuote>>>(calls.size());
    for (std::size_t i = 0; i < calls.size(); ++i) {
        client.get(
            calls[i].path,
            QUrlQuery{{QStringLiteral("instrument_key"), calls[i].keys.join(QLatin1Char(','))}},
            context, [pending, slots, i](upstox::UpstoxResult<QJsonValue> answer) {
                if (pending->finished)
                    return;
                if (!answer.ok()) {
                    pending->finished = true;
                    pending->done(answer.error());
                    return;
                }
                (*slots)[i] = parseBackfill(answer.value());
                if (--pending->outstanding > 0)
                    return;
                pending->finished = true;
                for (auto &slot : *slots)
                    for (auto &quote : slot)
                        pending->quotes.push_back(std::move(quote));
                pending->done(std::move(pending->quotes));
            });
    }
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
