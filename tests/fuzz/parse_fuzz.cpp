// Fuzzes the GraphQL parser and printer. Beyond "no crash, no leak, no UB", it checks
// the printer's contract on every document that parses: the printed text parses again
// and prints identically.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fraiseql/graphql/parser.hpp"
#include "fraiseql/graphql/printer.hpp"

namespace {

void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "%s\n%s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace fraiseql::graphql;
  ParseOptions options;
  options.max_document_bytes = 64 * 1024;
  ParseResult first = parse_document(std::string(reinterpret_cast<const char*>(data), size), options);
  if (!first.ok()) return 0;

  const std::string printed = print(first.document());
  ParseOptions relaxed = options;
  relaxed.max_document_bytes = printed.size() + 1;  // indentation may grow the text
  ParseResult second = parse_document(printed, relaxed);
  if (!second.ok())
    fail("printed document does not parse:", format_parse_error(second.error()) + "\n" + printed);
  if (print(second.document()) != printed) fail("print is not stable:", printed);
  return 0;
}
