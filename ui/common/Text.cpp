#include "Text.h"

#include "common/IstTime.h"

#include <QLocale>

#include <cmath>

namespace strikeline::ui {

QString stripMnemonic(const QString &text)
{
    QString plain;
    plain.reserve(text.size());
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text.at(i) != QLatin1Char('&')) {
            plain += text.at(i);
        } else if (i + 1 < text.size() && text.at(i + 1) == QLatin1Char('&')) {
            plain += QLatin1Char('&');
            ++i;
        }
    }
    return plain;
}

QString countText(qint64 count, const QString &singular, const QString &plural)
{
    return QString::number(count) + QLatin1Char(' ') +
           (count == 1 || count == -1 ? singular : plural);
}

QString lotsText(qint64 count)
{
    return countText(count, QStringLiteral("lot"), QStringLiteral("lots"));
}

QString unitsText(qint64 count)
{
    return countText(count, QStringLiteral("unit"), QStringLiteral("units"));
}

QString compactCount(qint64 count)
{
    const double v = static_cast<double>(count);
    if (std::abs(v) >= 1e7)
        return QStringLiteral("%1Cr").arg(v / 1e7, 0, 'f', 2);
    if (std::abs(v) >= 1e5)
        return QStringLiteral("%1L").arg(v / 1e5, 0, 'f', 2);
    return QLocale(QLocale::English, QLocale::India).toString(count);
}

QString tickAgeText(qint64 ms)
{
    if (ms < 0)
        ms = 0;
    const qint64 s = ms / 1000;
    if (s < 60)
        return QStringLiteral("%1s").arg(s);
    if (s < 3600)
        return QStringLiteral("%1m %2s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    if (s < 86400)
        return QStringLiteral("%1h %2m").arg(s / 3600).arg((s % 3600) / 60, 2, 10,
                                                           QLatin1Char('0'));
    return QStringLiteral("%1d").arg(s / 86400);
}

QString istClockText(qint64 epochMs)
{
    const qint64 s = floorDiv(epochMs, 1000) + IstOffsetSeconds;
    const qint64 inDay = s - floorDiv(s, 86400) * 86400;
    return QStringLiteral("%1:%2:%3 IST")
        .arg(inDay / 3600, 2, 10, QLatin1Char('0'))
        .arg((inDay % 3600) / 60, 2, 10, QLatin1Char('0'))
        .arg(inDay % 60, 2, 10, QLatin1Char('0'));
}

} // namespace strikeline::ui
