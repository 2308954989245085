#pragma once

#include <QString>

namespace strikeline::ui {

// An action's or a tab's text without its mnemonic: "&Sync now" -> "Sync now",
// "Sync && data" -> "Sync & data" (a doubled ampersand is a literal one).
QString stripMnemonic(const QString &text);

// "1 lot", "2 lots", "0 lots": a count with its noun in the right number.
QString countText(qint64 count, const QString &singular, const QString &plural);
QString lotsText(qint64 count);  // "1 lot", "24 lots"
QString unitsText(qint64 count); // "1 unit", "1800 units"
// A count as Indian traders read OI and volume: "12,345", "7.55L" (lakh), "1.23Cr" (crore).
QString compactCount(qint64 count);
// How old a tick is, compactly: "0s", "42s", "3m 05s", "2h 10m", "3d" (negative counts as 0).
QString tickAgeText(qint64 ms);
// The IST wall clock of an epoch-ms instant: "10:00:01 IST".
QString istClockText(qint64 epochMs);

} // namespace strikeline::ui
