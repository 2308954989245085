#include "Text.h"

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

} // namespace strikeline::ui
