// "Did you mean ...?" suggestions, as graphql-js computes them (suggestionList,
// didYouMean, naturalCompare), so messages match the reference implementation.

#include <algorithm>
#include <cctype>
#include <string>

#include "context.hpp"

namespace fraiseql::graphql::validation {

namespace {

constexpr std::size_t kMaxSuggestions = 5;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Damerau-Levenshtein (optimal string alignment) distance, case changes costing one,
// or -1 when above the threshold.
int lexical_distance(std::string_view input, const std::string& input_lower, std::string_view option,
                     int threshold) {
  if (input == option) return 0;
  const std::string option_lower = lower(option);
  if (input_lower == option_lower) return 1;
  std::string_view a = option_lower;
  std::string_view b = input_lower;
  if (a.size() < b.size()) std::swap(a, b);
  const int a_len = static_cast<int>(a.size());
  const int b_len = static_cast<int>(b.size());
  if (a_len - b_len > threshold) return -1;
  std::vector<int> rows[3] = {std::vector<int>(b_len + 1), std::vector<int>(b_len + 1),
                              std::vector<int>(b_len + 1)};
  for (int j = 0; j <= b_len; ++j) rows[0][j] = j;
  for (int i = 1; i <= a_len; ++i) {
    std::vector<int>& up = rows[(i - 1) % 3];
    std::vector<int>& current = rows[i % 3];
    int smallest = current[0] = i;
    for (int j = 1; j <= b_len; ++j) {
      const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      int cell = std::min({up[j] + 1, current[j - 1] + 1, up[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        cell = std::min(cell, rows[(i - 2) % 3][j - 2] + 1);
      }
      smallest = std::min(smallest, cell);
      current[j] = cell;
    }
    if (smallest > threshold) return -1;
  }
  const int distance = rows[a_len % 3][b_len];
  return distance <= threshold ? distance : -1;
}

}  // namespace

int natural_compare(std::string_view a, std::string_view b) noexcept {
  std::size_t ai = 0;
  std::size_t bi = 0;
  while (ai < a.size() && bi < b.size()) {
    if (is_digit(a[ai]) && is_digit(b[bi])) {
      // graphql-js stops accumulating at a leading zero; mirror it exactly.
      uint64_t an = 0;
      do {
        an = an * 10 + static_cast<uint64_t>(a[ai] - '0');
        ++ai;
      } while (ai < a.size() && is_digit(a[ai]) && an > 0);
      uint64_t bn = 0;
      do {
        bn = bn * 10 + static_cast<uint64_t>(b[bi] - '0');
        ++bi;
      } while (bi < b.size() && is_digit(b[bi]) && bn > 0);
      if (an < bn) return -1;
      if (an > bn) return 1;
    } else {
      const auto ac = static_cast<unsigned char>(a[ai]);
      const auto bc = static_cast<unsigned char>(b[bi]);
      if (ac < bc) return -1;
      if (ac > bc) return 1;
      ++ai;
      ++bi;
    }
  }
  return static_cast<int>(a.size()) - static_cast<int>(b.size());
}

std::vector<std::string_view> suggestion_list(std::string_view input,
                                              const std::vector<std::string_view>& options) {
  const std::string input_lower = lower(input);
  const int threshold = static_cast<int>(input.size() * 4 / 10) + 1;
  std::vector<std::pair<std::string_view, int>> found;
  for (std::string_view option : options) {
    const int d = lexical_distance(input, input_lower, option, threshold);
    if (d >= 0) found.emplace_back(option, d);
  }
  std::stable_sort(found.begin(), found.end(), [](const auto& x, const auto& y) {
    if (x.second != y.second) return x.second < y.second;
    return natural_compare(x.first, y.first) < 0;
  });
  std::vector<std::string_view> out;
  out.reserve(found.size());
  for (const auto& f : found) out.push_back(f.first);
  return out;
}

std::string did_you_mean(std::string_view sub_message, const std::vector<std::string_view>& suggestions) {
  if (suggestions.empty()) return {};
  std::string message = " Did you mean ";
  if (!sub_message.empty()) {
    message.append(sub_message);
    message.push_back(' ');
  }
  auto q = [](std::string_view s) { return quoted(s); };
  if (suggestions.size() == 1) return message + q(suggestions[0]) + "?";
  if (suggestions.size() == 2) return message + q(suggestions[0]) + " or " + q(suggestions[1]) + "?";
  const std::size_t n = std::min(suggestions.size(), kMaxSuggestions);
  for (std::size_t i = 0; i + 1 < n; ++i) message += q(suggestions[i]) + ", ";
  return message + "or " + q(suggestions[n - 1]) + "?";
}

}  // namespace fraiseql::graphql::validation
