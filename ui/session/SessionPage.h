#pragma once

// The Upstox page (a tab of the window, "Log in to Upstox…" in the Settings menu and the command
// palette): the user's own Upstox app (API key, secret, the redirect URI to register, copyable),
// where the secret and the token are kept and why, Log in (the system browser on the
// authorization dialog, "waiting for the browser…" with Cancel, or a code pasted by hand), Log
// out, the profile and the funds; the optional read-only Analytics Token for market data. Every
// failure shows Upstox's own message. It only talks to the SessionController; nothing here blocks.

#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QToolButton;

namespace strikeline::ui {

class SessionController;

class SessionPage final : public QWidget
{
    Q_OBJECT
public:
    explicit SessionPage(SessionController &controller, QWidget *parent = nullptr);

    // For tests and the composition root.
    QLineEdit *clientIdEdit() const { return m_clientId; }
    QLineEdit *secretEdit() const { return m_secret; }
    QLineEdit *redirectEdit() const { return m_redirect; }
    QLineEdit *codeEdit() const { return m_code; }
    QPushButton *loginButton() const { return m_login; }
    QPushButton *cancelButton() const { return m_cancel; }
    QPushButton *logoutButton() const { return m_logout; }
    QPushButton *exchangeButton() const { return m_exchange; }
    QLabel *errorLabel() const { return m_error; }
    QLabel *statusLabel() const { return m_status; }
    QLabel *storeLabel() const { return m_store; }
    QLabel *accountLabel() const { return m_account; }
    QLineEdit *analyticsEdit() const { return m_analytics; }
    QPushButton *analyticsUseButton() const { return m_analyticsUse; }
    QPushButton *analyticsForgetButton() const { return m_analyticsForget; }
    QLabel *analyticsLabel() const { return m_analyticsStatus; }
    QString registerText() const; // the redirect URI exactly as it is to be registered

public Q_SLOTS:
    void refresh();

private:
    void copyRedirect();

    SessionController &m_controller;
    QLineEdit *m_clientId = nullptr;
    QLineEdit *m_secret = nullptr;
    QLineEdit *m_redirect = nullptr;
    QLabel *m_register = nullptr;
    QToolButton *m_copy = nullptr;
    QLabel *m_store = nullptr;
    QCheckBox *m_allowFile = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_error = nullptr;
    QLabel *m_account = nullptr;
    QPushButton *m_login = nullptr;
    QPushButton *m_cancel = nullptr;
    QPushButton *m_logout = nullptr;
    QLineEdit *m_code = nullptr;
    QPushButton *m_exchange = nullptr;
    QLabel *m_waiting = nullptr;
    QLineEdit *m_analytics = nullptr;
    QPushButton *m_analyticsUse = nullptr;
    QPushButton *m_analyticsForget = nullptr;
    QLabel *m_analyticsStatus = nullptr;
    QString m_shownError;
    QString m_analyticsError;
};

} // namespace strikeline::ui
