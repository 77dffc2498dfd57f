#include "fraiseql/exec/sql_data_source.hpp"
#include "fraiseql/graphql/errors.hpp"

namespace fraiseql::exec {

void SqlDataSource::execute_mutation(ReadyOperation /*operation*/, Done done) {
  done({Outcome::kRequestError, error_response("Mutations are not supported yet.", graphql::code::kBadUserInput)});
}

}  // namespace fraiseql::exec
