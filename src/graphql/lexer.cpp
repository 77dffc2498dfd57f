#include "fraiseql/graphql/lexer.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include "char_class.hpp"

namespace fraiseql::graphql {
namespace {

std::string_view copy_to_arena(std::pmr::memory_resource* arena, std::string_view s) {
  if (s.empty()) return {};
  auto* p = static_cast<char*>(arena->allocate(s.size(), 1));
  std::memcpy(p, s.data(), s.size());
  return {p, s.size()};
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// Four hex digits at `p` (bounds checked by the caller), or -1.
int32_t read_hex4(std::string_view s, std::size_t p) noexcept {
  if (p + 4 > s.size()) return -1;
  int32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    int h = hex_value(s[p + i]);
    if (h < 0) return -1;
    v = (v << 4) | h;
  }
  return v;
}

/// Decodes one well-formed UTF-8 sequence at `p` (s[p] >= 0x80); returns the code point
/// and its length, or -1 when malformed (overlong, surrogate, truncated, > U+10FFFF).
int32_t decode_utf8(std::string_view s, std::size_t p, std::size_t& len) noexcept {
  auto b = [&](std::size_t i) -> uint32_t {
    return p + i < s.size() ? static_cast<unsigned char>(s[p + i]) : 0u;
  };
  auto cont = [&](std::size_t i) { return (b(i) & 0xC0u) == 0x80u; };
  uint32_t c = b(0);
  if (c >= 0xC2 && c <= 0xDF) {
    if (!cont(1)) return -1;
    len = 2;
    return static_cast<int32_t>(((c & 0x1Fu) << 6) | (b(1) & 0x3Fu));
  }
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return -1;
    if (c == 0xE0 && b(1) < 0xA0) return -1;  // overlong
    if (c == 0xED && b(1) > 0x9F) return -1;  // surrogate
    len = 3;
    return static_cast<int32_t>(((c & 0x0Fu) << 12) | ((b(1) & 0x3Fu) << 6) | (b(2) & 0x3Fu));
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return -1;
    if (c == 0xF0 && b(1) < 0x90) return -1;  // overlong
    if (c == 0xF4 && b(1) > 0x8F) return -1;  // > U+10FFFF
    len = 4;
    return static_cast<int32_t>(((c & 0x07u) << 18) | ((b(1) & 0x3Fu) << 12) | ((b(2) & 0x3Fu) << 6) |
                                (b(3) & 0x3Fu));
  }
  return -1;
}

std::string code_point_text(uint32_t cp) {
  if (cp >= 0x20 && cp <= 0x7E) {
    if (cp == '"') return "'\"'";
    return std::string{'"', static_cast<char>(cp), '"'};
  }
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string digits;
  for (uint32_t v = cp; v != 0; v >>= 4) digits.insert(digits.begin(), kHex[v & 0xF]);
  while (digits.size() < 4) digits.insert(digits.begin(), '0');
  return "U+" + digits;
}

}  // namespace

std::string_view describe(TokenKind kind) noexcept {
  switch (kind) {
    case TokenKind::kStartOfFile: return "<SOF>";
    case TokenKind::kEndOfFile: return "<EOF>";
    case TokenKind::kBang: return "\"!\"";
    case TokenKind::kDollar: return "\"$\"";
    case TokenKind::kAmp: return "\"&\"";
    case TokenKind::kParenL: return "\"(\"";
    case TokenKind::kParenR: return "\")\"";
    case TokenKind::kSpread: return "\"...\"";
    case TokenKind::kColon: return "\":\"";
    case TokenKind::kEquals: return "\"=\"";
    case TokenKind::kAt: return "\"@\"";
    case TokenKind::kBracketL: return "\"[\"";
    case TokenKind::kBracketR: return "\"]\"";
    case TokenKind::kBraceL: return "\"{\"";
    case TokenKind::kPipe: return "\"|\"";
    case TokenKind::kBraceR: return "\"}\"";
    case TokenKind::kName: return "Name";
    case TokenKind::kInt: return "Int";
    case TokenKind::kFloat: return "Float";
    case TokenKind::kString: return "String";
    case TokenKind::kBlockString: return "BlockString";
  }
  return "?";
}

Lexer::Lexer(std::string_view source, std::pmr::memory_resource* arena) noexcept
    : src_(source), arena_(arena) {}

Location Lexer::location_at(std::size_t offset) const noexcept {
  return Location{line_, static_cast<uint32_t>(offset - line_start_) - column_correction_ + 1,
                  static_cast<uint32_t>(offset)};
}

void Lexer::new_line(std::size_t next_line_start) noexcept {
  ++line_;
  line_start_ = next_line_start;
  column_correction_ = 0;
}

bool Lexer::fail(LexError& error, std::size_t offset, std::string message) {
  error.message = std::move(message);
  error.loc = location_at(offset);
  return false;
}

std::string Lexer::describe_char_at(std::size_t offset) const {
  if (offset >= src_.size()) return "<EOF>";
  auto c = static_cast<unsigned char>(src_[offset]);
  if (c < 0x80) return code_point_text(c);
  std::size_t len = 0;
  int32_t cp = decode_utf8(src_, offset, len);
  if (cp < 0) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    return std::string("byte 0x") + kHex[c >> 4] + kHex[c & 0xF] + " (invalid UTF-8)";
  }
  return code_point_text(static_cast<uint32_t>(cp));
}

int32_t Lexer::consume_utf8() noexcept {
  std::size_t len = 0;
  int32_t cp = decode_utf8(src_, pos_, len);
  if (cp < 0) return -1;
  pos_ += len;
  // A UTF-16 column counts 1 unit below U+10000 and 2 above.
  column_correction_ += static_cast<uint32_t>(len) - (cp >= 0x10000 ? 2u : 1u);
  return cp;
}

bool Lexer::skip_ignored(LexError& error) {
  const std::size_t n = src_.size();
  while (pos_ < n) {
    char c = src_[pos_];
    // Runs of indentation are the common case: a plain branch predicts them better than
    // the switch's jump table.
    if (c == ' ') {
      ++pos_;
      continue;
    }
    switch (c) {
      case '\t':
      case ',': ++pos_; continue;
      case '\n':
        ++pos_;
        new_line(pos_);
        continue;
      case '\r':
        ++pos_;
        if (pos_ < n && src_[pos_] == '\n') ++pos_;
        new_line(pos_);
        continue;
      case '#':
        ++pos_;
        while (pos_ < n) {
          char d = src_[pos_];
          if (d == '\n' || d == '\r') break;
          if (static_cast<unsigned char>(d) < 0x80) {
            ++pos_;
          } else if (consume_utf8() < 0) {
            return fail(error, pos_, "Invalid character: " + describe_char_at(pos_) + ".");
          }
        }
        continue;
      case '\xEF':
        // U+FEFF (byte order mark) is ignored wherever it appears.
        if (pos_ + 2 < n && src_[pos_ + 1] == '\xBB' && src_[pos_ + 2] == '\xBF') {
          pos_ += 3;
          column_correction_ += 2;
          continue;
        }
        return true;
      default: return true;
    }
  }
  return true;
}

bool Lexer::next(Token& out, LexError& error) {
  if (!skip_ignored(error)) return false;
  const std::size_t start = pos_;
  out.loc = location_at(start);
  ++token_count_;
  auto punct = [&](TokenKind kind, std::size_t len) {
    out.kind = kind;
    // Both from the local: copying out.raw right after storing it costs a store-forwarding
    // stall on every token (a 16-byte load of two 8-byte stores), the parser's top hot spot.
    const std::string_view text = src_.substr(start, len);
    out.raw = text;
    out.value = text;
    pos_ = start + len;
    return true;
  };
  if (start >= src_.size()) return punct(TokenKind::kEndOfFile, 0);
  const char c = src_[start];
  switch (c) {
    case '!': return punct(TokenKind::kBang, 1);
    case '$': return punct(TokenKind::kDollar, 1);
    case '&': return punct(TokenKind::kAmp, 1);
    case '(': return punct(TokenKind::kParenL, 1);
    case ')': return punct(TokenKind::kParenR, 1);
    case ':': return punct(TokenKind::kColon, 1);
    case '=': return punct(TokenKind::kEquals, 1);
    case '@': return punct(TokenKind::kAt, 1);
    case '[': return punct(TokenKind::kBracketL, 1);
    case ']': return punct(TokenKind::kBracketR, 1);
    case '{': return punct(TokenKind::kBraceL, 1);
    case '|': return punct(TokenKind::kPipe, 1);
    case '}': return punct(TokenKind::kBraceR, 1);
    case '.':
      if (src_.substr(start, 3) == "...") return punct(TokenKind::kSpread, 3);
      break;
    case '"':
      if (src_.substr(start, 3) == "\"\"\"") return read_block_string(out, error);
      return read_string(out, error);
    case '\'':
      return fail(error, start,
                  "Unexpected single quote character ('), did you mean to use a double quote (\")?");
    default: break;
  }
  if (is_digit(c) || c == '-') return read_number(out, error);
  if (is_name_start(c)) {
    std::size_t p = start + 1;
    while (p < src_.size() && is_name_continue(src_[p])) ++p;
    return punct(TokenKind::kName, p - start);
  }
  if (static_cast<unsigned char>(c) >= 0x80) {
    std::size_t len = 0;
    if (decode_utf8(src_, start, len) < 0) {
      return fail(error, start, "Invalid character: " + describe_char_at(start) + ".");
    }
  }
  return fail(error, start, "Unexpected character: " + describe_char_at(start) + ".");
}

bool Lexer::read_number(Token& out, LexError& error) {
  const std::size_t start = pos_;
  const std::size_t n = src_.size();
  std::size_t p = start;
  bool is_float = false;
  auto at = [&](std::size_t i) { return i < n ? src_[i] : '\0'; };
  auto expected_digit = [&](std::size_t i) {
    pos_ = i;
    return fail(error, i, "Invalid number, expected digit but got: " + describe_char_at(i) + ".");
  };
  auto read_digits = [&]() {
    if (!is_digit(at(p))) return false;
    while (is_digit(at(p))) ++p;
    return true;
  };
  if (at(p) == '-') ++p;
  if (at(p) == '0') {
    ++p;
    if (is_digit(at(p))) {
      return fail(error, p, "Invalid number, unexpected digit after 0: " + describe_char_at(p) + ".");
    }
  } else if (!read_digits()) {
    return expected_digit(p);
  }
  if (at(p) == '.') {
    is_float = true;
    ++p;
    if (!read_digits()) return expected_digit(p);
  }
  if (at(p) == 'e' || at(p) == 'E') {
    is_float = true;
    ++p;
    if (at(p) == '+' || at(p) == '-') ++p;
    if (!read_digits()) return expected_digit(p);
  }
  // A number may not run into a name or a dot (`1x`, `1.2.3`).
  if (at(p) == '.' || is_name_start(at(p))) return expected_digit(p);
  out.kind = is_float ? TokenKind::kFloat : TokenKind::kInt;
  const std::string_view text = src_.substr(start, p - start);
  out.raw = text;
  out.value = text;
  pos_ = p;
  return true;
}

bool Lexer::read_string(Token& out, LexError& error) {
  const std::size_t start = pos_;
  const std::size_t n = src_.size();
  pos_ = start + 1;
  std::size_t chunk = pos_;
  bool escaped = false;
  std::string buf;
  while (pos_ < n) {
    const char c = src_[pos_];
    if (c == '"') {
      std::string_view tail = src_.substr(chunk, pos_ - chunk);
      ++pos_;
      out.kind = TokenKind::kString;
      out.raw = src_.substr(start, pos_ - start);
      if (!escaped) {
        out.value = tail;
      } else {
        buf.append(tail);
        out.value = copy_to_arena(arena_, buf);
      }
      return true;
    }
    if (c == '\n' || c == '\r') break;
    if (c == '\\') {
      if (!escaped) {
        escaped = true;
        buf.reserve(pos_ - start + 16);
      }
      buf.append(src_.substr(chunk, pos_ - chunk));
      const std::size_t esc = pos_;
      const char e = pos_ + 1 < n ? src_[pos_ + 1] : '\0';
      if (e == 'u') {
        if (pos_ + 2 < n && src_[pos_ + 2] == '{') {
          // \u{X...}: up to 8 hex digits, must be a Unicode scalar value.
          std::size_t p = pos_ + 3;
          uint32_t cp = 0;
          bool ok = false;
          while (p < n && p - esc < 12) {
            char h = src_[p++];
            if (h == '}') {
              ok = p - esc >= 5 && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
              break;
            }
            int v = hex_value(h);
            if (v < 0) break;
            // Saturate: anything above U+10FFFF is invalid, however many digits follow.
            cp = cp > 0x10FFFF ? cp : (cp << 4) | static_cast<uint32_t>(v);
          }
          if (!ok) {
            return fail(
                error, esc,
                "Invalid Unicode escape sequence: \"" + std::string(src_.substr(esc, p - esc)) + "\".");
          }
          append_utf8(buf, cp);
          pos_ = p;
        } else {
          int32_t cp = read_hex4(src_, pos_ + 2);
          std::size_t len = 6;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            // Only a leading surrogate followed by a trailing one forms a character.
            int32_t lo = (pos_ + 7 < n && src_[pos_ + 6] == '\\' && src_[pos_ + 7] == 'u')
                             ? read_hex4(src_, pos_ + 8)
                             : -1;
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
              len = 12;
            } else {
              cp = -1;
            }
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            cp = -1;
          }
          if (cp < 0) {
            std::size_t end = std::min(n, esc + 6);
            // Do not cut a UTF-8 sequence in half in the message.
            while (end < n && (static_cast<unsigned char>(src_[end]) & 0xC0) == 0x80) ++end;
            return fail(
                error, esc,
                "Invalid Unicode escape sequence: \"" + std::string(src_.substr(esc, end - esc)) + "\".");
          }
          append_utf8(buf, static_cast<uint32_t>(cp));
          pos_ += len;
        }
      } else {
        char decoded = 0;
        switch (e) {
          case '"': decoded = '"'; break;
          case '\\': decoded = '\\'; break;
          case '/': decoded = '/'; break;
          case 'b': decoded = '\b'; break;
          case 'f': decoded = '\f'; break;
          case 'n': decoded = '\n'; break;
          case 'r': decoded = '\r'; break;
          case 't': decoded = '\t'; break;
          default: {
            std::size_t end = std::min(n, esc + 2);
            while (end < n && (static_cast<unsigned char>(src_[end]) & 0xC0) == 0x80) ++end;
            return fail(
                error, esc,
                "Invalid character escape sequence: \"" + std::string(src_.substr(esc, end - esc)) + "\".");
          }
        }
        buf.push_back(decoded);
        pos_ += 2;
      }
      chunk = pos_;
      continue;
    }
    if (static_cast<unsigned char>(c) < 0x80) {
      ++pos_;
    } else if (consume_utf8() < 0) {
      return fail(error, pos_, "Invalid character within String: " + describe_char_at(pos_) + ".");
    }
  }
  return fail(error, pos_, "Unterminated string.");
}

bool Lexer::read_block_string(Token& out, LexError& error) {
  const std::size_t start = pos_;
  const std::size_t n = src_.size();
  pos_ = start + 3;
  const std::size_t content = pos_;
  while (pos_ < n) {
    const char c = src_[pos_];
    if (c == '"' && src_.substr(pos_, 3) == "\"\"\"") {
      std::string_view raw = src_.substr(content, pos_ - content);
      pos_ += 3;
      out.kind = TokenKind::kBlockString;
      out.raw = src_.substr(start, pos_ - start);
      out.value = copy_to_arena(arena_, block_string_value(raw));
      return true;
    }
    if (c == '\\' && src_.substr(pos_ + 1, 3) == "\"\"\"") {
      pos_ += 4;
      continue;
    }
    if (c == '\n') {
      ++pos_;
      new_line(pos_);
      continue;
    }
    if (c == '\r') {
      ++pos_;
      if (pos_ < n && src_[pos_] == '\n') ++pos_;
      new_line(pos_);
      continue;
    }
    if (static_cast<unsigned char>(c) < 0x80) {
      ++pos_;
    } else if (consume_utf8() < 0) {
      return fail(error, pos_, "Invalid character within String: " + describe_char_at(pos_) + ".");
    }
  }
  return fail(error, pos_, "Unterminated string.");
}

std::string block_string_value(std::string_view raw) {
  // Split into lines (\r\n, \n, \r), undoing \""" as we go.
  struct Line {
    std::size_t begin, end;
  };
  std::string text;
  text.reserve(raw.size());
  std::size_t pos = 0;
  while (pos < raw.size()) {
    std::size_t q = raw.find("\\\"\"\"", pos);
    if (q == std::string_view::npos) {
      text.append(raw.substr(pos));
      break;
    }
    text.append(raw.substr(pos, q - pos));
    text.append("\"\"\"");
    pos = q + 4;
  }
  std::vector<Line> lines;
  std::size_t line_begin = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' || text[i] == '\r') {
      lines.push_back({line_begin, i});
      if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      line_begin = i + 1;
    }
  }
  lines.push_back({line_begin, text.size()});

  std::size_t common = std::string::npos;
  std::size_t first = lines.size();
  std::size_t last = 0;
  bool any = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::size_t indent = 0;
    const Line& l = lines[i];
    while (l.begin + indent < l.end && (text[l.begin + indent] == ' ' || text[l.begin + indent] == '\t')) {
      ++indent;
    }
    if (l.begin + indent == l.end) continue;  // blank line
    if (!any) first = i;
    any = true;
    last = i;
    if (i != 0 && indent < common) common = indent;
  }
  std::string result;
  if (!any) return result;
  result.reserve(text.size());
  for (std::size_t i = first; i <= last; ++i) {
    Line l = lines[i];
    if (i != 0 && common != std::string::npos) l.begin = std::min(l.end, l.begin + common);
    if (i != first) result.push_back('\n');
    result.append(text, l.begin, l.end - l.begin);
  }
  return result;
}

}  // namespace fraiseql::graphql
