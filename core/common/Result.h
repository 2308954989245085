#pragma once

#include <QString>

#include <cassert>
#include <utility>
#include <variant>

namespace strikeline {

// Stable error categories; callers branch on the code, people read the message.
enum class ErrorCode {
    InvalidArgument,
    NotFound,
    Io,
    Gzip,
    Parse,
    Validation,
    TooManyBadRows,
    Cancelled,
    Database,
    Network,
    Conflict,
    Internal,
};

struct Error
{
    ErrorCode code = ErrorCode::Internal;
    QString message;

    static Error make(ErrorCode c, QString text) { return Error{c, std::move(text)}; }
};

// expected<T, Error> in the spirit of Qt Creator's Utils::expected (we are on C++20, so no
// std::expected). Deliberately small: construct from a value or an Error, test, unwrap.
template<typename T>
class [[nodiscard]] Result
{
public:
    Result(T value)
        : m_data(std::in_place_index<0>, std::move(value))
    {}
    Result(Error error)
        : m_data(std::in_place_index<1>, std::move(error))
    {}

    bool ok() const { return m_data.index() == 0; }
    explicit operator bool() const { return ok(); }

    T &value() &
    {
        assert(ok());
        return std::get<0>(m_data);
    }
    const T &value() const &
    {
        assert(ok());
        return std::get<0>(m_data);
    }
    T &&value() &&
    {
        assert(ok());
        return std::get<0>(std::move(m_data));
    }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }
    T &operator*() & { return value(); }
    const T &operator*() const & { return value(); }

    const Error &error() const
    {
        assert(!ok());
        return std::get<1>(m_data);
    }

private:
    std::variant<T, Error> m_data;
};

template<>
class [[nodiscard]] Result<void>
{
public:
    Result() = default;
    Result(Error error)
        : m_error(std::move(error))
        , m_ok(false)
    {}

    bool ok() const { return m_ok; }
    explicit operator bool() const { return m_ok; }
    const Error &error() const
    {
        assert(!m_ok);
        return m_error;
    }

private:
    Error m_error;
    bool m_ok = true;
};

inline Result<void> success()
{
    return {};
}

} // namespace strikeline
