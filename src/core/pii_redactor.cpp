#include "core/pii_redactor.h"

#include <re2/re2.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <utility>

#include "core/pii_redactor_screen.h"

namespace osprey {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// A number is "glued" to its surroundings when it continues a word, a hex id or a longer number
// ("ab12", "1.5", "12:30", "2026-11-25"): then it is not a phone or card number on its own.
bool glued_before(std::string_view text, std::size_t begin) {
  if (begin == 0) return false;
  const char prev = text[begin - 1];
  if (is_alnum(prev) || prev == '_') return true;
  const bool joiner = prev == '.' || prev == '-' || prev == ':' || prev == '/' || prev == ',';
  return joiner && begin >= 2 && is_alnum(text[begin - 2]);
}

bool glued_after(std::string_view text, std::size_t end) {
  if (end >= text.size()) return false;
  const char next = text[end];
  if (is_alnum(next) || next == '_') return true;
  const bool joiner = next == '.' || next == '-' || next == ':' || next == '/' || next == ',';
  return joiner && end + 1 < text.size() && is_alnum(text[end + 1]);
}

std::size_t count_digits(std::string_view text) {
  std::size_t n = 0;
  for (char c : text) n += is_digit(c) ? 1 : 0;
  return n;
}

// Decides where an accepted match ends: the candidate's end, an earlier end, or nullopt to
// leave the candidate alone.
using Acceptor = std::function<std::optional<std::size_t>(std::string_view text, std::size_t begin,
                                                          std::size_t end)>;

struct Detector {
  std::unique_ptr<RE2> re;
  std::string replacement;
  Acceptor accept;  // null: every non-empty match is redacted
};

// A card number: the longest prefix of the digit groups with 13-19 digits that passes Luhn, so
// "4111 1111 1111 1111 2026" still loses its card but keeps the year.
std::optional<std::size_t> accept_card(std::string_view text, std::size_t begin, std::size_t end) {
  if (glued_before(text, begin)) return std::nullopt;
  std::vector<std::size_t> group_ends;
  for (std::size_t i = begin; i < end; ++i) {
    if (is_digit(text[i]) && (i + 1 == end || !is_digit(text[i + 1]))) group_ends.push_back(i + 1);
  }
  for (auto it = group_ends.rbegin(); it != group_ends.rend(); ++it) {
    const std::string_view candidate = text.substr(begin, *it - begin);
    const std::size_t digits = count_digits(candidate);
    if (digits < 13 || digits > 19) continue;
    if (glued_after(text, *it)) continue;
    if (luhn_valid(candidate)) return *it;
  }
  return std::nullopt;
}

std::optional<std::size_t> accept_phone(std::string_view text, std::size_t begin, std::size_t end) {
  if (glued_before(text, begin) || glued_after(text, end)) return std::nullopt;
  const std::size_t digits = count_digits(text.substr(begin, end - begin));
  if (digits < 8 || digits > 15) return std::nullopt;
  return end;
}

std::unique_ptr<RE2> compile(const std::string& pattern, bool* ok, std::string* error) {
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_unique<RE2>(pattern, options);
  *ok = re->ok();
  if (!*ok) *error = re->error();
  return re;
}

// Runs one detector over `in`; returns true and fills `out` when anything was replaced.
bool apply(const Detector& d, std::string_view in, std::string& out) {
  re2::StringPiece match;
  std::size_t pos = 0, copied = 0;
  bool any = false;
  while (pos < in.size() && d.re->Match(re2::StringPiece(in.data(), in.size()), pos, in.size(),
                                        RE2::UNANCHORED, &match, 1)) {
    const auto begin = static_cast<std::size_t>(match.data() - in.data());
    std::size_t end = begin + match.size();
    if (end == begin) {
      pos = begin + 1;
      continue;
    }
    std::optional<std::size_t> accepted = d.accept ? d.accept(in, begin, end) : end;
    if (accepted) {
      if (!any) out.clear();
      any = true;
      out.append(in.substr(copied, begin - copied));
      out += d.replacement;
      copied = *accepted;
      end = *accepted;
    }
    pos = end;
  }
  if (any) out.append(in.substr(copied));
  return any;
}

// The exact pre-scan: whether `text` has an '@', and the most digits in one run of the bytes a
// card match spans (digits, ' ', '-') and a phone match spans (digits and " .-()+"). A detector
// runs only when its bound is reached (13 and 8 digits). Every alternative of the phone pattern
// needs a '+' or a separator, so a phone run of digits alone does not count: request ids (hex)
// and addresses ("127.0.0.1:5000") stay below both.
void scan_builtin_candidates(std::string_view text, bool& has_at, std::size_t& card_digits,
                             std::size_t& phone_digits) {
  std::size_t card_run = 0, phone_run = 0;
  bool phone_separated = false;  // the current phone run has a byte other than a digit
  for (char c : text) {
    if (is_digit(c)) {
      ++card_run;
      ++phone_run;
      continue;
    }
    has_at |= c == '@';
    if (c != ' ' && c != '-') {
      card_digits = std::max(card_digits, std::exchange(card_run, 0));
      if (c != '.' && c != '(' && c != ')' && c != '+') {
        if (phone_separated) phone_digits = std::max(phone_digits, phone_run);
        phone_run = 0;
        phone_separated = false;
        continue;
      }
    }
    phone_separated = true;  // one of " -.()+"
  }
  card_digits = std::max(card_digits, card_run);
  if (phone_separated) phone_digits = std::max(phone_digits, phone_run);
}

}  // namespace

bool luhn_valid(std::string_view number) {
  int sum = 0;
  bool twice = false;
  std::size_t digits = 0;
  for (auto it = number.rbegin(); it != number.rend(); ++it) {
    if (!is_digit(*it)) continue;
    int d = *it - '0';
    if (twice) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    twice = !twice;
    ++digits;
  }
  return digits > 0 && sum % 10 == 0;
}

struct PiiRedactor::Impl {
  std::optional<Detector> email, card, phone;
  std::vector<Detector> extra;
};

PiiRedactor::PiiRedactor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PiiRedactor::~PiiRedactor() = default;

Result<std::shared_ptr<const PiiRedactor>> PiiRedactor::create(const PiiRedactorOptions& options) {
  auto impl = std::make_unique<Impl>();
  bool ok = false;
  std::string error;
  if (options.builtin) {
    impl->email =
        Detector{compile(R"([A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,})",
                         &ok, &error),
                 "[REDACTED:email]", nullptr};
    impl->card = Detector{compile(R"([0-9](?:[ \-]?[0-9]){12,})", &ok, &error), "[REDACTED:card]",
                          accept_card};
    // "+<country> ..." with any grouping; North American 3-3-4 with separators; national numbers
    // with a trunk 0 and separated groups. Unseparated national numbers stay: they are
    // indistinguishable from ordinary numbers. Every alternative needs a '+' or a separator
    // (scan_builtin_candidates relies on it).
    impl->phone = Detector{
        compile(
            R"(\+[0-9]{1,3}(?:[ .\-]?(?:\([0-9]{1,4}\)|[0-9]{1,5})){1,6})"
            R"(|(?:1[ .\-])?(?:\([2-9][0-9]{2}\)[ .\-]?|[2-9][0-9]{2}[ .\-])[0-9]{3}[ .\-][0-9]{4})"
            R"(|0[0-9]{1,4}(?:[ \-][0-9]{2,8}){1,4})",
            &ok, &error),
        "[REDACTED:phone]", accept_phone};
  }
  for (std::size_t i = 0; i < options.extra.size(); ++i) {
    const RedactPattern& p = options.extra[i];
    auto re = compile(p.pattern, &ok, &error);
    if (!ok) {
      return make_error(ErrorCode::kConfigInvalid, "redact pattern " + std::to_string(i) + " (\"" +
                                                       p.name +
                                                       "\"): invalid RE2 pattern: " + error);
    }
    impl->extra.push_back(Detector{std::move(re), "[REDACTED:" + p.name + "]", nullptr});
  }
  return std::shared_ptr<const PiiRedactor>(new PiiRedactor(std::move(impl)));
}

bool PiiRedactor::redact(std::string_view text, std::string& out) const {
  // Two cheap passes decide which built-ins can match at all: most log strings have no '@' and
  // no long enough run of digits, and then no regular expression runs. The first pass (SIMD)
  // clears most strings outright; the exact one below bounds the digits per detector.
  bool has_at = false;
  std::size_t card_digits = 0, phone_digits = 0;
  if ((impl_->email || impl_->card || impl_->phone) && may_hold_builtin_pii(text)) {
    scan_builtin_candidates(text, has_at, card_digits, phone_digits);
  }
  const bool email = impl_->email && has_at;
  const bool card = impl_->card && card_digits >= 13;
  const bool phone = impl_->phone && phone_digits >= 8;
  if (!email && !card && !phone && impl_->extra.empty()) return false;  // the common case
  std::string buffer[2];
  int current = -1;  // index of the buffer holding the text so far, -1 while it is `text`
  auto run = [&](const Detector& d) {
    const std::string_view in = current < 0 ? text : std::string_view(buffer[current]);
    const int next = current == 0 ? 1 : 0;
    if (apply(d, in, buffer[next])) current = next;
  };
  if (email) run(*impl_->email);
  if (card) run(*impl_->card);
  if (phone) run(*impl_->phone);
  for (const Detector& d : impl_->extra) run(d);
  if (current < 0) return false;
  out = std::move(buffer[current]);
  return true;
}

std::string PiiRedactor::redact(std::string_view text) const {
  std::string out;
  if (!redact(text, out)) return std::string(text);
  return out;
}

}  // namespace osprey
