// greeks: the implied volatility and Greeks of one option from its price (Black-76 on the
// forward, core/analytics; units in docs/analytics.md). Pure arithmetic: no master, no database.

#include "CliCommon.h"
#include "analytics/Black76.h"
#include "analytics/ExpiryTime.h"
#include "analytics/ImpliedVolatility.h"
#include "instruments/InstrumentQueries.h"

#include <QCommandLineParser>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

namespace strikeline::cli {

namespace {

// A finite number; `positive` also refuses zero and below. A usage error otherwise.
Result<double> parseNumber(const QString &text, const QString &name, bool positive)
{
    bool ok = false;
    const double value = text.trimmed().toDouble(&ok);
    if (!ok || !std::isfinite(value))
        return Error::make(ErrorCode::InvalidArgument,
                           QStringLiteral("%1 '%2' is not a number").arg(name, text));
    if (positive && value <= 0)
        return Error::make(ErrorCode::InvalidArgument,
                           QStringLiteral("%1 must be positive, not '%2'").arg(name, text));
    return value;
}

QString fixed(double value, int decimals)
{
    return QString::number(value, 'f', decimals);
}

} // namespace

int runGreeks(const QStringList &arguments)
{
    const QString command = QStringLiteral("greeks");
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("The implied volatility and Greeks of one option from its price "
                       "(Black-76 on the forward; docs/analytics.md)."));
    QCommandLineOption type(QStringLiteral("type"), QStringLiteral("CE (call) or PE (put)."),
                            QStringLiteral("CE|PE"));
    QCommandLineOption forward(QStringLiteral("forward"),
                               QStringLiteral("The forward: the future of the option's expiry."),
                               QStringLiteral("F"));
    QCommandLineOption strike(QStringLiteral("strike"), QStringLiteral("The strike."),
                              QStringLiteral("K"));
    QCommandLineOption price(QStringLiteral("price"), QStringLiteral("The option's premium."),
                             QStringLiteral("P"));
    QCommandLineOption expiry(QStringLiteral("expiry"), QStringLiteral("The expiry date."),
                              QStringLiteral("YYYY-MM-DD"));
    QCommandLineOption at(QStringLiteral("at"),
                          QStringLiteral("As-of time in IST, \"YYYY-MM-DD HH:MM[:SS]\" "
                                         "(default: now)."),
                          QStringLiteral("TIME"));
    QCommandLineOption rate(QStringLiteral("rate"),
                            QStringLiteral("Continuously compounded rate, 0.065 = 6.5 % "
                                           "(default 0: the forward carries the cost of carry)."),
                            QStringLiteral("R"), QStringLiteral("0"));
    QCommandLineOption basis(QStringLiteral("basis"),
                             QStringLiteral("Time basis: calendar (365 days, default) or trading "
                                            "(weekdays, 252 a year)."),
                             QStringLiteral("calendar|trading"), QStringLiteral("calendar"));
    QCommandLineOption segment(QStringLiteral("segment"),
                               QStringLiteral("The option's segment, for the expiry-day close "
                                              "(default NSE_FO: 15:30 IST)."),
                               QStringLiteral("SEGMENT"), QStringLiteral("NSE_FO"));
    QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON for scripts."));
    parser.addOptions({type, forward, strike, price, expiry, at, rate, basis, segment, json});
    parser.addHelpOption();
    if (auto stop = parseCommandLine(parser, command, arguments, Positional::Forbidden))
        return *stop;

    for (const QCommandLineOption *required : {&type, &forward, &strike, &price, &expiry}) {
        if (!parser.isSet(*required))
            return fail(command,
                        QStringLiteral("--%1 is required").arg(required->names().constFirst()),
                        ExitUsage);
    }
    const QString typeText = parser.value(type).trimmed().toUpper();
    if (typeText != QLatin1String("CE") && typeText != QLatin1String("PE"))
        return fail(command,
                    QStringLiteral("--type must be CE or PE, not '%1'").arg(parser.value(type)),
                    ExitUsage);
    const OptionRight right =
        typeText == QLatin1String("CE") ? OptionRight::Call : OptionRight::Put;
    const auto f = parseNumber(parser.value(forward), QStringLiteral("--forward"), true);
    if (!f)
        return fail(command, f.error());
    const auto k = parseNumber(parser.value(strike), QStringLiteral("--strike"), true);
    if (!k)
        return fail(command, k.error());
    const auto p = parseNumber(parser.value(price), QStringLiteral("--price"), true);
    if (!p)
        return fail(command, p.error());
    const auto r = parseNumber(parser.value(rate), QStringLiteral("--rate"), false);
    if (!r)
        return fail(command, r.error());
    const auto day = parseDay(parser.value(expiry));
    if (!day)
        return fail(command, day.error());
    IstMoment now = SystemClock().now();
    if (parser.isSet(at)) {
        const auto parsed = parseIstMoment(parser.value(at));
        if (!parsed)
            return fail(command, parsed.error().message, ExitUsage);
        now = *parsed;
    }
    const QString basisText = parser.value(basis).trimmed().toLower();
    if (basisText != QLatin1String("calendar") && basisText != QLatin1String("trading"))
        return fail(command,
                    QStringLiteral("--basis must be calendar or trading, not '%1'")
                        .arg(parser.value(basis)),
                    ExitUsage);
    const TimeBasis timeBasis =
        basisText == QLatin1String("trading") ? TimeBasis::trading() : TimeBasis::calendar();
    const auto seg = parseSegmentName(parser.value(segment));
    if (!seg)
        return fail(command, seg.error());
    const bool asJson = parser.isSet(json);

    const int closeMinute = expiryCloseMinute(*seg);
    Black76Input input;
    input.forward = *f;
    input.strike = *k;
    input.years = yearsToExpiry(*day, closeMinute, now, timeBasis);
    input.rate = *r;
    const ImpliedVolatility iv = impliedVolatility(right, input, *p);
    if (!iv.ok()) {
        const QString reason = ivFailureText(iv, *p);
        if (asJson) {
            out() << QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("error"), reason}})
                                           .toJson(QJsonDocument::Compact))
                  << Qt::endl;
        }
        return fail(command, reason, ExitDataError);
    }
    input.volatility = iv.volatility;
    const Greeks g = black76Greeks(right, input, timeBasis.daysPerYear);
    const double days = input.years * timeBasis.daysPerYear;
    const QString close = QStringLiteral("%1 %2:%3 IST")
                              .arg(formatIsoDay(*day))
                              .arg(closeMinute / 60, 2, 10, QLatin1Char('0'))
                              .arg(closeMinute % 60, 2, 10, QLatin1Char('0'));

    if (asJson) {
        const QJsonObject object{
            {QStringLiteral("type"), typeText},
            {QStringLiteral("forward"), *f},
            {QStringLiteral("strike"), *k},
            {QStringLiteral("price"), *p},
            {QStringLiteral("rate"), *r},
            {QStringLiteral("expiry"), formatIsoDay(*day)},
            {QStringLiteral("at"), now.toString()},
            {QStringLiteral("basis"), basisText},
            {QStringLiteral("years"), input.years},
            {QStringLiteral("days"), days},
            {QStringLiteral("iv"), iv.volatility * 100.0},
            {QStringLiteral("delta"), g.delta},
            {QStringLiteral("gamma"), g.gamma},
            {QStringLiteral("theta"), g.theta},
            {QStringLiteral("vega"), g.vega},
            {QStringLiteral("rho"), g.rho},
            {QStringLiteral("lower_bound"), iv.lowerBound},
            {QStringLiteral("upper_bound"), iv.upperBound},
        };
        out() << QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Indented));
        out().flush();
        return ExitOk;
    }

    QTextStream &o = out();
    const auto line = [&o](const QString &label, const QString &value, const QString &unit) {
        o << QStringLiteral("%1  %2  %3").arg(label, -13).arg(value, 18).arg(unit).trimmed()
          << '\n';
    };
    o << QStringLiteral("%1 %2 expiry %3, forward %4, price %5, as of %6")
             .arg(typeText, fixed(*k, 2), formatIsoDay(*day), fixed(*f, 2), fixed(*p, 2),
                  now.toString())
      << '\n';
    line(QStringLiteral("Expiry close"), close, QString());
    line(QStringLiteral("To expiry"), fixed(days, 4),
         basisText == QLatin1String("trading") ? QStringLiteral("trading days (/252)")
                                               : QStringLiteral("calendar days (/365)"));
    line(QStringLiteral("No-arb range"),
         QStringLiteral("%1 .. %2").arg(fixed(iv.lowerBound, 2), fixed(iv.upperBound, 2)),
         QStringLiteral("rupees"));
    line(QStringLiteral("IV"), fixed(iv.volatility * 100.0, 2), QStringLiteral("%"));
    line(QStringLiteral("Delta"), fixed(g.delta, 4), QStringLiteral("per rupee of the forward"));
    line(QStringLiteral("Gamma"), fixed(g.gamma, 6), QStringLiteral("per rupee"));
    line(QStringLiteral("Theta"), fixed(g.theta, 2),
         basisText == QLatin1String("trading") ? QStringLiteral("rupees per trading day")
                                               : QStringLiteral("rupees per calendar day"));
    line(QStringLiteral("Vega"), fixed(g.vega, 2), QStringLiteral("rupees per vol point"));
    o.flush();
    return ExitOk;
}

} // namespace strikeline::cli
