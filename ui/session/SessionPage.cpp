#include "SessionPage.h"

#include "SessionController.h"
#include "theme/Theme.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>

namespace strikeline::ui {

namespace {

QLabel *wrapping(QLabel *label)
{
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

} // namespace

SessionPage::SessionPage(SessionController &controller, QWidget *parent)
    : QWidget(parent)
    , m_controller(controller)
{
    setObjectName(QStringLiteral("upstoxPage"));

    auto *app = new QGroupBox(QStringLiteral("Your Upstox app"));
    auto *form = new QFormLayout(app);
    m_clientId = new QLineEdit(controller.clientId());
    m_clientId->setObjectName(QStringLiteral("upstoxClientId"));
    m_clientId->setPlaceholderText(QStringLiteral("the API key of your app"));
    form->addRow(QStringLiteral("API &key"), m_clientId);
    m_secret = new QLineEdit;
    m_secret->setObjectName(QStringLiteral("upstoxSecret"));
    m_secret->setEchoMode(QLineEdit::Password);
    form->addRow(QStringLiteral("API &secret"), m_secret);
    m_redirect = new QLineEdit(controller.redirectUri());
    m_redirect->setObjectName(QStringLiteral("upstoxRedirect"));
    form->addRow(QStringLiteral("&Redirect URI"), m_redirect);
    auto *registerRow = new QHBoxLayout;
    m_register = wrapping(new QLabel);
    m_register->setObjectName(QStringLiteral("upstoxRegister"));
    m_copy = new QToolButton;
    m_copy->setObjectName(QStringLiteral("upstoxCopyRedirect"));
    m_copy->setText(QStringLiteral("Copy"));
    m_copy->setToolTip(QStringLiteral("Copy the redirect URI to paste into your app's settings"));
    registerRow->addWidget(m_register, 1);
    registerRow->addWidget(m_copy);
    form->addRow(QStringLiteral("Register"), registerRow);
    m_store = wrapping(new QLabel);
    m_store->setObjectName(QStringLiteral("upstoxStore"));
    form->addRow(QStringLiteral("Secrets kept in"), m_store);
    m_allowFile = new QCheckBox(QStringLiteral("Without a keychain, keep them in a file only I can "
                                               "read (0600, in the config folder)"));
    m_allowFile->setObjectName(QStringLiteral("upstoxAllowFile"));
    form->addRow(QString(), m_allowFile);

    auto *session = new QGroupBox(QStringLiteral("Session"));
    auto *sessionLayout = new QVBoxLayout(session);
    m_status = wrapping(new QLabel);
    m_status->setObjectName(QStringLiteral("upstoxStatus"));
    m_account = wrapping(new QLabel);
    m_account->setObjectName(QStringLiteral("upstoxAccount"));
    m_error = wrapping(new QLabel);
    m_error->setObjectName(QStringLiteral("upstoxError"));
    m_waiting = wrapping(new QLabel);
    m_waiting->setObjectName(QStringLiteral("upstoxWaiting"));
    auto *buttons = new QHBoxLayout;
    m_login = new QPushButton(QStringLiteral("&Log in"));
    m_login->setObjectName(QStringLiteral("upstoxLogin"));
    m_login->setToolTip(QStringLiteral("Opens Upstox's login in your browser; it comes back to "
                                       "this machine on the redirect URI"));
    m_cancel = new QPushButton(QStringLiteral("&Cancel"));
    m_cancel->setObjectName(QStringLiteral("upstoxCancel"));
    m_logout = new QPushButton(QStringLiteral("Log &out"));
    m_logout->setObjectName(QStringLiteral("upstoxLogout"));
    buttons->addWidget(m_login);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_logout);
    buttons->addStretch(1);
    auto *codeRow = new QHBoxLayout;
    m_code = new QLineEdit;
    m_code->setObjectName(QStringLiteral("upstoxCode"));
    m_code->setEchoMode(QLineEdit::PasswordEchoOnEdit);
    m_code->setPlaceholderText(
        QStringLiteral("or paste the code (or the whole address) the browser ended on"));
    m_exchange = new QPushButton(QStringLiteral("Use &code"));
    m_exchange->setObjectName(QStringLiteral("upstoxExchange"));
    codeRow->addWidget(m_code, 1);
    codeRow->addWidget(m_exchange);
    sessionLayout->addWidget(m_status);
    sessionLayout->addWidget(m_account);
    sessionLayout->addLayout(buttons);
    sessionLayout->addWidget(m_waiting);
    sessionLayout->addLayout(codeRow);
    sessionLayout->addWidget(m_error);

    auto *analytics = new QGroupBox(QStringLiteral("Market data without the daily login"));
    auto *analyticsLayout = new QVBoxLayout(analytics);
    auto *analyticsRow = new QHBoxLayout;
    m_analytics = new QLineEdit;
    m_analytics->setObjectName(QStringLiteral("upstoxAnalyticsToken"));
    m_analytics->setEchoMode(QLineEdit::Password);
    m_analytics->setPlaceholderText(
        QStringLiteral("optional: your one-year read-only Analytics Token"));
    m_analyticsUse = new QPushButton(QStringLiteral("Use &token"));
    m_analyticsUse->setObjectName(QStringLiteral("upstoxAnalyticsUse"));
    m_analyticsUse->setToolTip(QStringLiteral("Checks the token at Upstox, then keeps it with "
                                              "the other secrets"));
    m_analyticsForget = new QPushButton(QStringLiteral("&Forget"));
    m_analyticsForget->setObjectName(QStringLiteral("upstoxAnalyticsForget"));
    analyticsRow->addWidget(m_analytics, 1);
    analyticsRow->addWidget(m_analyticsUse);
    analyticsRow->addWidget(m_analyticsForget);
    m_analyticsStatus = wrapping(new QLabel);
    m_analyticsStatus->setObjectName(QStringLiteral("upstoxAnalyticsStatus"));
    analyticsLayout->addLayout(analyticsRow);
    analyticsLayout->addWidget(m_analyticsStatus);

    auto *help = wrapping(new QLabel(
        QStringLiteral("Strikeline logs in with your own Upstox API app (create one at "
                       "account.upstox.com → Apps). Register the redirect URI above in it, "
                       "exactly. The daily token expires at 03:30 IST; log in again then. The "
                       "secret and the tokens stay in the store named above, never in the "
                       "settings or the log. An Analytics Token (Upstox developer dashboard, "
                       "valid a year, read-only) lets the live feed, quotes and option chains "
                       "run without the daily login; orders always need it.")));
    help->setObjectName(QStringLiteral("upstoxHelp"));

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(app);
    layout->addWidget(session);
    layout->addWidget(analytics);
    layout->addWidget(help);
    layout->addStretch(1);
    // A readable column on a wide window.
    setMaximumWidth(16777215);
    app->setMaximumWidth(760);
    session->setMaximumWidth(760);
    analytics->setMaximumWidth(760);
    help->setMaximumWidth(760);

    connect(m_redirect, &QLineEdit::textChanged, this, &SessionPage::refresh);
    connect(m_copy, &QToolButton::clicked, this, &SessionPage::copyRedirect);
    connect(m_allowFile, &QCheckBox::toggled, this,
            [this](bool on) { m_controller.allowSecretsFile(on); });
    connect(m_login, &QPushButton::clicked, this, [this] {
        m_shownError.clear();
        m_controller.login(m_clientId->text(), m_secret->text(), m_redirect->text());
    });
    connect(m_exchange, &QPushButton::clicked, this, [this] {
        m_shownError.clear();
        const QString code = m_code->text();
        m_code->clear();
        m_controller.exchangeCode(m_clientId->text(), m_secret->text(), m_redirect->text(), code);
    });
    connect(m_cancel, &QPushButton::clicked, &m_controller, &SessionController::cancelLogin);
    connect(m_logout, &QPushButton::clicked, &m_controller, &SessionController::logout);
    connect(&m_controller, &SessionController::loginFailed, this, [this](const QString &message) {
        m_shownError = message;
        refresh();
    });
    connect(&m_controller, &SessionController::loggedIn, this, [this] {
        m_shownError.clear();
        m_secret->clear(); // kept by the store now, not in a widget
    });
    connect(m_analyticsUse, &QPushButton::clicked, this, [this] {
        m_analyticsError.clear();
        const QString token = m_analytics->text();
        m_analytics->clear(); // the controller has it; a widget does not keep a secret
        m_controller.setAnalyticsToken(token);
    });
    connect(m_analytics, &QLineEdit::returnPressed, m_analyticsUse, &QPushButton::click);
    connect(m_analyticsForget, &QPushButton::clicked, this, [this] {
        m_analyticsError.clear();
        m_controller.forgetAnalyticsToken();
    });
    connect(&m_controller, &SessionController::analyticsTokenFailed, this,
            [this](const QString &message) {
                m_analyticsError = message;
                refresh();
            });
    connect(&m_controller, &SessionController::changed, this, &SessionPage::refresh);
    refresh();
}

QString SessionPage::registerText() const
{
    const QString typed = m_redirect->text().trimmed();
    return typed.isEmpty() ? upstox::defaultRedirectUri() : typed;
}

void SessionPage::copyRedirect()
{
    QApplication::clipboard()->setText(registerText());
    m_copy->setText(QStringLiteral("Copied"));
}

void SessionPage::refresh()
{
    using session::SessionState;
    const ThemeColors colors = themeColors(themeOf(palette()));
    const SessionState state = m_controller.session().state();
    const auto phase = m_controller.phase();
    const bool busy = state == SessionState::LoggingIn;
    const bool hasToken =
        m_controller.session().token().has_value() && state != SessionState::LoggedOut;

    m_register->setText(QStringLiteral("<code>%1</code>").arg(registerText().toHtmlEscaped()));
    m_copy->setText(QStringLiteral("Copy"));

    if (!m_controller.storeReady()) {
        m_store->setText(QStringLiteral("checking the system keychain…"));
    } else {
        m_store->setText(QStringLiteral("<b>%1</b> — %2")
                             .arg(m_controller.storeDescription().toHtmlEscaped(),
                                  m_controller.storeReason().toHtmlEscaped()));
    }
    const bool keychain = m_controller.storeKind() == session::SecretStoreKind::Keychain;
    m_allowFile->setVisible(m_controller.storeReady() && !keychain);
    {
        const QSignalBlocker block(m_allowFile);
        m_allowFile->setChecked(m_controller.secretsFileAllowed());
    }

    m_secret->setPlaceholderText(m_controller.hasStoredSecret()
                                     ? QStringLiteral("stored — leave empty to use it")
                                     : QStringLiteral("the API secret of your app"));
    m_status->setText(QStringLiteral("<b>%1</b><br>%2")
                          .arg(m_controller.indicatorText().toHtmlEscaped(),
                               m_controller.session().reason().toHtmlEscaped()));

    QStringList account;
    if (const auto &p = m_controller.profile()) {
        account << QStringLiteral("%1 (%2)%3")
                       .arg(p->userName, p->userId,
                            p->email.isEmpty() ? QString() : QStringLiteral(" · ") + p->email);
        if (!p->exchanges.isEmpty())
            account << QStringLiteral("Exchanges: ") + p->exchanges.join(QStringLiteral(", "));
    }
    if (const auto &f = m_controller.funds())
        account << QStringLiteral("Funds: Rs %1 available, Rs %2 used")
                       .arg(f->equity.availableMargin.toIndian(2),
                            f->equity.usedMargin.toIndian(2));
    if (!m_controller.accountError().isEmpty())
        account << m_controller.accountError();
    if (const auto token = m_controller.session().token(); token && hasToken)
        account << QStringLiteral("Token expires %1 (%2)")
                       .arg(token->expiresAt.toString(),
                            state == SessionState::Expired
                                ? (m_controller.session().secondsLeft().value_or(0) > 0
                                       ? QStringLiteral("refused by Upstox before that")
                                       : QStringLiteral("over"))
                                : SessionController::spanText(
                                      m_controller.session().secondsLeft().value_or(0)) +
                                      QStringLiteral(" left"));
    m_account->setText(account.join(u'\n'));
    m_account->setVisible(!account.isEmpty());

    if (phase == SessionController::Phase::WaitingForBrowser) {
        m_waiting->setText(QStringLiteral("Waiting for the browser… (listening on 127.0.0.1:%1; "
                                          "if it did not open, open this address: %2)")
                               .arg(m_controller.listeningPort())
                               .arg(m_controller.loginUrl().toString(QUrl::FullyEncoded)));
    } else if (phase == SessionController::Phase::Exchanging) {
        m_waiting->setText(QStringLiteral("The browser came back; exchanging the code…"));
    } else {
        m_waiting->clear();
    }
    m_waiting->setVisible(busy);

    m_error->setText(m_shownError);
    m_error->setStyleSheet(QStringLiteral("QLabel { color: %1; }").arg(colors.negative));
    m_error->setVisible(!m_shownError.isEmpty());

    m_login->setText(state == SessionState::Expired ? QStringLiteral("&Log in again")
                                                    : QStringLiteral("&Log in"));
    m_login->setEnabled(!busy);
    m_exchange->setEnabled(phase != SessionController::Phase::Exchanging);
    m_cancel->setVisible(busy);
    m_logout->setEnabled(hasToken || busy);
    m_clientId->setEnabled(!busy);
    m_secret->setEnabled(!busy);
    m_redirect->setEnabled(!busy);

    using Analytics = SessionController::AnalyticsState;
    const Analytics analytics = m_controller.analyticsState();
    const bool problem = !m_analyticsError.isEmpty() || analytics == Analytics::Refused;
    m_analyticsStatus->setText(m_analyticsError.isEmpty() ? m_controller.analyticsText()
                                                          : m_analyticsError + QStringLiteral(" ") +
                                                                m_controller.analyticsText());
    m_analyticsStatus->setStyleSheet(
        problem ? QStringLiteral("QLabel { color: %1; }").arg(colors.negative) : QString());
    m_analyticsUse->setEnabled(analytics != Analytics::Checking);
    m_analyticsForget->setEnabled(analytics == Analytics::InUse || analytics == Analytics::Refused);
}

} // namespace strikeline::ui
