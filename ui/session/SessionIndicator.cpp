#include "SessionIndicator.h"

#include "SessionController.h"
#include "theme/Theme.h"

#include <QEvent>

namespace strikeline::ui {

SessionIndicator::SessionIndicator(SessionController &controller, QWidget *parent)
    : QToolButton(parent)
    , m_controller(controller)
{
    setObjectName(QStringLiteral("upstoxIndicator"));
    setAutoRaise(true);
    setToolButtonStyle(Qt::ToolButtonTextOnly);
    setFocusPolicy(Qt::NoFocus);
    connect(&controller, &SessionController::changed, this, &SessionIndicator::refresh);
    refresh();
}

void SessionIndicator::refresh()
{
    using session::SessionState;
    setText(m_controller.indicatorText());
    setToolTip(m_controller.indicatorToolTip());
    const SessionState state = m_controller.session().state();
    // The two states that want the trader's attention are coloured, the rest stay quiet.
    const ThemeColors colors = themeColors(themeOf(palette()));
    QString style;
    if (state == SessionState::Expired || state == SessionState::Expiring)
        style =
            QStringLiteral("QToolButton { color: %1; font-weight: bold; }").arg(colors.negative);
    else if (state == SessionState::Active)
        style = QStringLiteral("QToolButton { color: %1; }").arg(colors.positive);
    if (style != styleSheet())
        setStyleSheet(style);
}

void SessionIndicator::changeEvent(QEvent *event)
{
    QToolButton::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        refresh(); // the theme changed: its colours
}

} // namespace strikeline::ui
