#include "ElidedLabel.h"

#include <QResizeEvent>

#include <algorithm>

namespace strikeline::ui {

ElidedLabel::ElidedLabel(QWidget *parent)
    : QLabel(parent)
{
    setTextFormat(Qt::PlainText);
    setWordWrap(false);
    setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
}

void ElidedLabel::setFullText(const QString &text)
{
    m_fullText = text;
    setToolTip(text);
    updateGeometry(); // the size hint follows the whole text, not the elided one on screen
    elide();
}

QSize ElidedLabel::minimumSizeHint() const
{
    return {0, QLabel::minimumSizeHint().height()};
}

QSize ElidedLabel::sizeHint() const
{
    // The whole text must fit the contents rect that elide() measures, with a pixel to spare:
    // elidedText() rounds its widths and would cut a text given exactly its advance.
    const QMargins margins = contentsMargins();
    return {fontMetrics().horizontalAdvance(m_fullText) + 2 * margin() + margins.left() +
                margins.right() + 1,
            QLabel::sizeHint().height()};
}

void ElidedLabel::resizeEvent(QResizeEvent *event)
{
    QLabel::resizeEvent(event);
    elide();
}

void ElidedLabel::changeEvent(QEvent *event)
{
    QLabel::changeEvent(event);
    // A style sheet or the status bar's font can change the font after the text was set: the
    // size hint and the elided text follow.
    if (event->type() == QEvent::FontChange || event->type() == QEvent::StyleChange) {
        updateGeometry();
        elide();
    }
}

void ElidedLabel::elide()
{
    const int width = contentsRect().width() - 2 * margin();
    setText(fontMetrics().elidedText(m_fullText, Qt::ElideMiddle, std::max(0, width)));
}

} // namespace strikeline::ui
