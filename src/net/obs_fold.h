#pragma once
// Obsolete line folding (RFC 9112 section 5.2): a field line that begins with a space or tab
// continues the one before it. A server must reject it or unfold it; Beast unfolds, which lets a
// request mean one thing here and another to a proxy in front, so the server rejects it (400).
#include <string_view>

namespace osprey::net {

// `head` is a request head: the start line and the field lines, each ending in CRLF, then CRLF.
// True if any line after the start line begins with a space or tab (a line of whitespace before
// the first field, which RFC 9112 section 2.2 also lets a server reject, counts too).
bool has_obs_fold(std::string_view head);

}  // namespace osprey::net
