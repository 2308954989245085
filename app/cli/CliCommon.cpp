#include "CliCommon.h"

namespace strikeline::cli {

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

QTextStream &err()
{
    static QTextStream stream(stderr);
    return stream;
}

int fail(const QString &command, const QString &message, int code)
{
    err() << "strikeline-cli " << command << ": " << message << Qt::endl;
    return code;
}

} // namespace strikeline::cli
