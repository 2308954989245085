#pragma once

// The status bar's permanent Upstox badge: "Upstox: logged out", "Upstox: logging in…",
// "Upstox: SL1234 · 5h 12m left · Rs 1.00 Cr free", "Upstox: SL1234 · expiring 14m",
// "Upstox: expired — log in again"; the reason (and the secret store) on hover. A click opens the
// Upstox page, where an expired session logs in again without a restart.

#include <QToolButton>

namespace strikeline::ui {

class SessionController;

class SessionIndicator final : public QToolButton
{
    Q_OBJECT
public:
    explicit SessionIndicator(SessionController &controller, QWidget *parent = nullptr);

public Q_SLOTS:
    void refresh();

protected:
    void changeEvent(QEvent *event) override;

private:
    SessionController &m_controller;
};

} // namespace strikeline::ui
