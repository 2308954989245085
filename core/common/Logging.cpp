#include "Logging.h"

#include <QDir>
#include <QRegularExpression>
#include <QSettings>
#include <QStandardPaths>
#include <QUrl>

#include <spdlog/cfg/env.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <vector>

namespace strikeline::logging {

namespace {

constexpr qsizetype MinSecretLength = 3;
const QString Mask = QStringLiteral("***");

struct LevelName
{
    const char *name;
    spdlog::level::level_enum level;
};
constexpr std::array<LevelName, 8> LevelNames{{
    {"trace", spdlog::level::trace},
    {"debug", spdlog::level::debug},
    {"info", spdlog::level::info},
    {"warn", spdlog::level::warn},
    {"warning", spdlog::level::warn},
    {"error", spdlog::level::err},
    {"critical", spdlog::level::critical},
    {"off", spdlog::level::off},
}};

// Keys whose values are secrets: password, PGPASSWORD, client_secret, access_token, api_key ...
// (a word that merely ends in "token" but names something public is let through, see below).
const QRegularExpression &keyValuePattern()
{
    static const QRegularExpression pattern(
        QStringLiteral(R"((?i)\b([a-z0-9_.-]*?(?:password|passwd|pwd|secret|token|api[_-]?key|)"
                       R"(auth[_-]?code))(["']?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s"',;&]+))"));
    return pattern;
}

// Public identifiers that happen to end in "token" (Upstox's exchange_token is a contract id).
bool isPublicKey(const QString &key)
{
    return key.compare(QLatin1String("exchange_token"), Qt::CaseInsensitive) == 0 ||
           key.compare(QLatin1String("instrument_token"), Qt::CaseInsensitive) == 0;
}

QString redactPatterns(QString text)
{
    // scheme://user:password@host -> scheme://user:***@host, up to the last '@' before a space,
    // so a password holding an unencoded '@' or '/' goes whole.
    static const QRegularExpression urlPassword(
        QStringLiteral(R"((?i)\b([a-z][a-z0-9+.-]*://[^\s:@/]*):\S*@)"));
    text.replace(urlPassword, QStringLiteral("\\1:***@"));

    // Authorization: <anything> -- the rest of the line is the credential.
    static const QRegularExpression authorization(
        QStringLiteral(R"((?i)\b(authorization["']?\s*[:=]\s*)[^\r\n]+)"));
    text.replace(authorization, QStringLiteral("\\1***"));

    static const QRegularExpression bearer(
        QStringLiteral(R"((?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]+)"));
    text.replace(bearer, QStringLiteral("\\1 ***"));

    // JSON Web Tokens (Upstox access tokens are JWTs): header.payload.signature.
    static const QRegularExpression jwt(
        QStringLiteral(R"(\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,})"));
    text.replace(jwt, Mask);

    QString out;
    qsizetype last = 0;
    QRegularExpressionMatchIterator it = keyValuePattern().globalMatch(text);
    while (it.hasNext()) {
        const QRegularExpressionMatch m = it.next();
        if (isPublicKey(m.captured(1)) || m.captured(3) == Mask)
            continue;
        out += QStringView(text).mid(last, m.capturedStart(3) - last);
        out += Mask;
        last = m.capturedEnd(3);
    }
    if (last == 0)
        return text;
    out += QStringView(text).mid(last);
    return out;
}

QString replaceSecrets(QString text, const std::vector<QString> &secrets)
{
    // Registered secrets first, longest first, so a secret containing another goes whole.
    for (const QString &secret : secrets)
        text.replace(secret, Mask);
    return text;
}

QString redactAll(const QString &text, const std::vector<QString> &secrets,
                  const std::vector<QString> &shown)
{
    // Text registered as shown (a database URL, already redacted) is kept whole even where a
    // secret occurs in it: a password that is also the user's or the database's name must not
    // hide the host and database of every message. Secrets are masked everywhere else.
    QString out;
    qsizetype pos = 0;
    for (;;) {
        qsizetype best = -1;
        const QString *which = nullptr;
        for (const QString &candidate : shown) {
            const qsizetype at = text.indexOf(candidate, pos);
            if (at >= 0 &&
                (best < 0 || at < best || (at == best && candidate.size() > which->size()))) {
                best = at;
                which = &candidate;
            }
        }
        if (!which)
            break;
        out += replaceSecrets(text.mid(pos, best - pos), secrets);
        out += *which;
        pos = best + which->size();
    }
    out += replaceSecrets(text.mid(pos), secrets);
    return redactPatterns(std::move(out));
}

// Redacts each message's text, then hands it to the real sinks (each with its own formatter).
class RedactingSink final : public spdlog::sinks::base_sink<std::mutex>
{
public:
    explicit RedactingSink(std::vector<spdlog::sink_ptr> sinks)
        : m_sinks(std::move(sinks))
    {}

    std::vector<QString> secrets()
    {
        std::lock_guard<std::mutex> lock(mutex_);
        return m_secrets;
    }
    std::vector<QString> shown()
    {
        std::lock_guard<std::mutex> lock(mutex_);
        return m_shown;
    }

    void addShown(const QString &text)
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (std::find(m_shown.begin(), m_shown.end(), text) == m_shown.end())
            m_shown.push_back(text);
    }

    void addSecret(const QString &secret)
    {
        std::lock_guard<std::mutex> lock(mutex_);
        for (const QString &form : {secret, QString::fromLatin1(QUrl::toPercentEncoding(secret))}) {
            if (form.size() >= MinSecretLength &&
                std::find(m_secrets.begin(), m_secrets.end(), form) == m_secrets.end())
                m_secrets.push_back(form);
        }
        std::sort(m_secrets.begin(), m_secrets.end(),
                  [](const QString &a, const QString &b) { return a.size() > b.size(); });
    }

protected:
    void sink_it_(const spdlog::details::log_msg &msg) override
    {
        const QString text =
            QString::fromUtf8(msg.payload.data(), static_cast<qsizetype>(msg.payload.size()));
        const std::string clean = redactAll(text, m_secrets, m_shown).toStdString();
        spdlog::details::log_msg copy = msg;
        copy.payload = spdlog::string_view_t(clean.data(), clean.size());
        for (const spdlog::sink_ptr &target : m_sinks) {
            if (target->should_log(copy.level))
                target->log(copy);
        }
    }

    void flush_() override
    {
        for (const spdlog::sink_ptr &target : m_sinks)
            target->flush();
    }

    void set_pattern_(const std::string &pattern) override
    {
        for (const spdlog::sink_ptr &target : m_sinks)
            target->set_pattern(pattern);
    }

    void set_formatter_(std::unique_ptr<spdlog::formatter> formatter) override
    {
        for (const spdlog::sink_ptr &target : m_sinks)
            target->set_formatter(formatter->clone());
    }

private:
    std::vector<spdlog::sink_ptr> m_sinks;
    std::vector<QString> m_secrets; // guarded by mutex_
    std::vector<QString> m_shown;   // guarded by mutex_
};

void qtMessageToLog(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    spdlog::level::level_enum level = spdlog::level::info;
    switch (type) {
    case QtDebugMsg:
        level = spdlog::level::debug;
        break;
    case QtInfoMsg:
        level = spdlog::level::info;
        break;
    case QtWarningMsg:
        level = spdlog::level::warn;
        break;
    case QtCriticalMsg:
        level = spdlog::level::err;
        break;
    case QtFatalMsg:
        level = spdlog::level::critical;
        break;
    }
    const char *category = context.category;
    const bool named = category && qstrcmp(category, "default") != 0;
    spdlog::logger *logger = spdlog::default_logger_raw();
    if (named)
        logger->log(level, "[{}] {}", category, message.toStdString());
    else
        logger->log(level, "{}", message.toStdString());
    if (type == QtFatalMsg) {
        logger->flush();
        std::abort();
    }
}

} // namespace

QString levelNames()
{
    return QStringLiteral("trace|debug|info|warn|error|critical|off");
}

Result<spdlog::level::level_enum> parseLevel(const QString &text)
{
    const QString name = text.trimmed().toLower();
    for (const LevelName &level : LevelNames) {
        if (name == QLatin1String(level.name))
            return level.level;
    }
    return Error::make(ErrorCode::InvalidArgument,
                       QStringLiteral("unknown log level '%1' (use %2)").arg(text, levelNames()));
}

Result<LogArguments> takeLogArguments(QStringList &arguments)
{
    LogArguments result;
    const QString levelOption = QStringLiteral("--log-level");
    for (qsizetype i = 0; i < arguments.size();) {
        const QString &arg = arguments.at(i);
        if (arg == QLatin1String("--log-file")) {
            result.logFile = true;
            arguments.removeAt(i);
            continue;
        }
        QString value;
        if (arg == levelOption) {
            if (i + 1 >= arguments.size()) {
                return Error::make(
                    ErrorCode::InvalidArgument,
                    QStringLiteral("--log-level needs a value: %1").arg(levelNames()));
            }
            value = arguments.at(i + 1);
            arguments.remove(i, 2);
        } else if (arg.startsWith(levelOption + QLatin1Char('='))) {
            value = arg.mid(levelOption.size() + 1);
            arguments.removeAt(i);
        } else {
            ++i;
            continue;
        }
        auto level = parseLevel(value);
        if (!level) {
            return Error::make(ErrorCode::InvalidArgument,
                               QStringLiteral("--log-level: ") + level.error().message);
        }
        result.level = *level;
    }
    return result;
}

QString defaultLogDirectory()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation))
        .filePath(QStringLiteral("logs"));
}

Result<void> configure(const LogConfig &config)
{
    std::vector<spdlog::sink_ptr> sinks;
    if (config.toStderr)
        sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    Result<void> result = success();
    if (!config.directory.isEmpty()) {
        const QString file =
            QDir(config.directory)
                .filePath(QString::fromStdString(config.program) + QStringLiteral(".log"));
        if (!QDir().mkpath(config.directory)) {
            result =
                Error::make(ErrorCode::Io, QStringLiteral("cannot create the log folder '%1'")
                                               .arg(QDir::toNativeSeparators(config.directory)));
        } else {
            try {
                sinks.push_back(std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
                    QDir::toNativeSeparators(file).toStdString(), config.maxFileBytes,
                    std::max<std::size_t>(config.maxFiles, 1) - 1));
            } catch (const spdlog::spdlog_ex &e) {
                result =
                    Error::make(ErrorCode::Io, QStringLiteral("cannot open the log file '%1': %2")
                                                   .arg(QDir::toNativeSeparators(file),
                                                        QString::fromLocal8Bit(e.what())));
            }
        }
    }
    auto redacting = std::make_shared<RedactingSink>(std::move(sinks));
    auto logger = std::make_shared<spdlog::logger>(config.program, redacting);
    logger->set_level(config.level);
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
    if (config.captureQtMessages)
        qInstallMessageHandler(qtMessageToLog);
    if (!result)
        spdlog::warn("{}; logging to stderr only", result.error().message.toStdString());
    return result;
}

Result<LogConfig> setUp(QStringList &arguments, const ProgramDefaults &defaults)
{
    auto logArguments = takeLogArguments(arguments);
    if (!logArguments)
        return logArguments.error();

    LogConfig config;
    config.program = defaults.program;
    config.level = defaults.level;
    QString settingsProblem;
    const QString fromSettings = QSettings().value(QStringLiteral("logging/level")).toString();
    if (!fromSettings.isEmpty()) {
        if (auto level = parseLevel(fromSettings))
            config.level = *level;
        else
            settingsProblem = QStringLiteral("settings logging/level: ") + level.error().message;
    }
    if (logArguments->logFile || defaults.fileByDefault)
        config.directory = defaultLogDirectory();
    Result<void> configured = configure(config);

    spdlog::cfg::load_env_levels(); // SPDLOG_LEVEL=debug, as spdlog documents it
    if (logArguments->level)
        spdlog::set_level(*logArguments->level);
    config.level = spdlog::default_logger_raw()->level();
    if (!settingsProblem.isEmpty())
        spdlog::warn("{}; using {}", settingsProblem.toStdString(),
                     spdlog::level::to_string_view(config.level));
    if (!configured)
        return configured.error();
    return config;
}

void addSecret(const QString &secret)
{
    if (secret.isEmpty())
        return;
    for (const spdlog::sink_ptr &sink : spdlog::default_logger_raw()->sinks()) {
        if (auto *redacting = dynamic_cast<RedactingSink *>(sink.get()))
            redacting->addSecret(secret);
    }
}

void addShownText(const QString &text)
{
    if (text.isEmpty())
        return;
    for (const spdlog::sink_ptr &sink : spdlog::default_logger_raw()->sinks()) {
        if (auto *redacting = dynamic_cast<RedactingSink *>(sink.get()))
            redacting->addShown(text);
    }
}

std::string redact(std::string_view text)
{
    return redact(QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size())))
        .toStdString();
}

QString redact(const QString &text)
{
    std::vector<QString> secrets;
    std::vector<QString> shown;
    for (const spdlog::sink_ptr &sink : spdlog::default_logger_raw()->sinks()) {
        if (auto *redacting = dynamic_cast<RedactingSink *>(sink.get())) {
            std::vector<QString> more = redacting->secrets();
            secrets.insert(secrets.end(), more.begin(), more.end());
            more = redacting->shown();
            shown.insert(shown.end(), more.begin(), more.end());
        }
    }
    return redactAll(text, secrets, shown);
}

} // namespace strikeline::logging
