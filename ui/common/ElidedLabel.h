#pragma once

#include <QLabel>

namespace strikeline::ui {

// One line of plain text that gives way to its neighbours: too long for its width, it elides
// in the middle (the start says what, the end usually says the outcome); the whole text is in
// the tooltip.
class ElidedLabel final : public QLabel
{
    Q_OBJECT
public:
    explicit ElidedLabel(QWidget *parent = nullptr);

    void setFullText(const QString &text);
    const QString &fullText() const { return m_fullText; }

    QSize minimumSizeHint() const override;
    QSize sizeHint() const override;

protected:
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void elide();

    QString m_fullText;
};

} // namespace strikeline::ui
