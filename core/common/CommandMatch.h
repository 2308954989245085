#pragma once

#include <QStringView>

namespace strikeline {

// How well a typed query names a command ("sync", "dark th", "chain") for the command palette:
// every word of the query must start a word of the title (case-insensitive), in any order.
// Returns -1 for no match, otherwise a score where higher is better: matching the title's first
// word, whole words and in order rank first, so "sync" puts "Sync now" above "Sync & data".
// An empty query matches everything with score 0.
int commandMatchScore(QStringView query, QStringView title);

} // namespace strikeline
