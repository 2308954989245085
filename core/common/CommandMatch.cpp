#include "CommandMatch.h"

#include <QList>

namespace strikeline {

namespace {

// The words of `text`: runs of letters and digits ("Sync & data…" -> Sync, data).
QList<QStringView> wordsOf(QStringView text)
{
    QList<QStringView> words;
    qsizetype start = -1;
    for (qsizetype i = 0; i <= text.size(); ++i) {
        const bool inWord = i < text.size() && text[i].isLetterOrNumber();
        if (inWord && start < 0)
            start = i;
        else if (!inWord && start >= 0) {
            words.append(text.mid(start, i - start));
            start = -1;
        }
    }
    return words;
}

} // namespace

int commandMatchScore(QStringView query, QStringView title)
{
    const QList<QStringView> wanted = wordsOf(query);
    if (wanted.isEmpty())
        return 0;
    const QList<QStringView> words = wordsOf(title);
    int score = 1000;
    qsizetype previous = -1;
    for (qsizetype q = 0; q < wanted.size(); ++q) {
        qsizetype found = -1;
        for (qsizetype w = 0; w < words.size(); ++w) {
            if (words[w].startsWith(wanted[q], Qt::CaseInsensitive)) {
                found = w;
                if (w > previous)
                    break; // prefer a match that keeps the query's order
            }
        }
        if (found < 0)
            return -1;
        if (found == 0 && q == 0)
            score += 100; // the title starts with what was typed first
        if (words[found].size() == wanted[q].size())
            score += 20; // a whole word
        if (found > previous)
            score += 10;                  // in order
        score -= static_cast<int>(found); // earlier words weigh more
        previous = found;
    }
    return score - static_cast<int>(words.size()); // shorter titles first among equals
}

} // namespace strikeline
