// A child for tst_ordercrash: places orders through the real OrderService (journal, paper
// broker, persister into SQLite) and prints "ACK <client id>" (flushed) once an order's
// acknowledgement is durable -- the moment a trader would see it. The test kills it with
// SIGKILL at random points.
//
//   order_crash_child <journal dir> <sqlite file> <seed> <orders>

#include "OrderTestSupport.h"
#include "orders/PaperGateway.h"

#include <QCoreApplication>
#include <QRandomGenerator>

#include <cstdio>

using namespace strikeline;
using namespace strikeline::ordertest;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() != 5) {
        std::fprintf(stderr, "usage: order_crash_child JOURNAL_DIR SQLITE_FILE SEED ORDERS\n");
        return 2;
    }
    QRandomGenerator random(args[3].toUInt());
    const int orders = args[4].toInt();

    SettableMarket market;
    market.set(NiftyCall, Price::fromRupees(100));
    market.set(NiftyFut, Price::fromRupees(26000));
    FixedClock clock(tradingMoment());
    PaperGateway gateway(market, clock);
    OrderServiceConfig config;
    config.journalDirectory = args[1];
    config.database.backend = DatabaseBackend::Sqlite;
    config.database.path = args[2];
    config.persister.maxBatch = 64; // many small transactions: more places to be killed in
    OrderServiceCallbacks callbacks;
    callbacks.durableEvents = [](const std::vector<OrderEvent> &events) {
        for (const OrderEvent &e : events)
            if (e.kind == OrderEventKind::Acknowledged && e.parentClientOrderId.empty() &&
                e.clientOrderId.find('.') == std::string::npos)
                std::printf("ACK %s\n", e.clientOrderId.c_str());
        std::fflush(stdout);
    };
    // Slices at 150 units: a 225-unit order goes as 2 children.
    auto service = OrderService::open({testLookup(), acceptingValidator(150), {&gateway}, clock},
                                      config, callbacks);
    if (!service) {
        std::fprintf(stderr, "open: %s\n", qPrintable(service.error().message));
        return 1;
    }
    for (int i = 0; i < orders; ++i) {
        OrderRequest r;
        switch (random.bounded(4)) {
        case 0:
            r = marketBuy(75);
            break;
        case 1:
            r = limitOrder(Side::Sell, 75, Price::fromRupees(105)); // rests
            break;
        case 2:
            r = marketBuy(225, NiftyFut); // sliced
            break;
        default:
            r = limitOrder(Side::Buy, 150, Price::fromRupees(101)); // marketable: fills
            break;
        }
        auto out = service.value()->submit(r);
        if (!out) {
            std::fprintf(stderr, "submit: %s\n", qPrintable(out.error().message));
            return 1;
        }
    }
    (void)service.value()->waitPersisted(std::chrono::seconds(30));
    std::printf("DONE\n");
    std::fflush(stdout);
    return 0;
}
