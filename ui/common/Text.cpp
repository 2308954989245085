#include "Text.h"

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

} // namespace strikeline::ui
