# Project-wide warning and sanitizer flags, applied through fraiseql_module().
add_library(fraiseql_build_flags INTERFACE)
target_compile_options(fraiseql_build_flags INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Woverloaded-virtual -Wformat=2 -Wno-missing-field-initializers
  $<$<BOOL:${FRAISEQL_WERROR}>:-Werror>)
# GCC 12 at -O3 reports -Wrestrict inside std::string's inlined copies that cannot
# overlap (GCC bug 105329); keep it a warning so Release builds do not fail on it.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(fraiseql_build_flags INTERFACE -Wno-error=restrict)
endif()

if(FRAISEQL_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()
