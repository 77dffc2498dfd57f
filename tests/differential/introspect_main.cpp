// Prints what FraiseQL answers to the standard introspection query for a schema, so
// introspection_check.mjs can compare it with graphql-js.
//
//   introspect_main SDL_FILE...          the {"data":...} response, on stdout
//   introspect_main --fraiseql-prelude   the FraiseQL prelude SDL
// Exit status 1 when the schema does not build (errors on stderr).

#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

#include "fraiseql/graphql/introspection.hpp"
#include "fraiseql/graphql/parser.hpp"
#include "fraiseql/graphql/schema_builder.hpp"

int main(int argc, char** argv) {
  using namespace fraiseql::graphql;
  std::vector<SchemaSource> sources;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--fraiseql-prelude") {
      std::cout << fraiseql_prelude_sdl();
      return 0;
    }
    std::ifstream in(arg, std::ios::binary);
    if (!in) {
      std::cerr << "cannot read " << arg << "\n";
      return 2;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    sources.push_back({arg, ss.str()});
  }
  if (sources.empty()) {
    std::cerr << "usage: introspect_main SDL_FILE... | --fraiseql-prelude\n";
    return 2;
  }
  auto built = build_schema(sources);
  if (!built) {
    std::cerr << built.error_text();
    return 1;
  }
  auto query = parse_document(std::string(standard_introspection_query()));
  if (!query) {
    std::cerr << format_parse_error(query.error()) << "\n";
    return 1;
  }
  std::cout << execute_introspection(*built.schema(), query.document()) << "\n";
  return 0;
}
