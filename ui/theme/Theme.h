#pragma once

#include <QString>

class QApplication;
class QPalette;

namespace strikeline::ui {

// The terminal's two looks. Both are the Fusion style with a full palette of our own, so they
// look the same on every desktop (a trader's dark theme must not depend on the GTK theme).
enum class Theme { Light, Dark };

QString themeName(Theme theme); // "light", "dark"
Theme parseTheme(const QString &name, Theme fallback = Theme::Light);

// Sets the style and palette on the running application; every widget repaints.
void applyTheme(QApplication &app, Theme theme);

// Semantic colours that are not in QPalette, per theme. Chain shading is translucent and
// works on both palettes; these are for text and badges that must stay readable.
struct ThemeColors
{
    QString negative;  // errors, stale warnings, sell
    QString positive;  // success, buy
    QString badgeBack; // the DEMO DATA badge
    QString badgeText;
};
ThemeColors themeColors(Theme theme);
// The theme a palette belongs to, judged by its window colour (so custom palettes work too).
Theme themeOf(const QPalette &palette);

} // namespace strikeline::ui
