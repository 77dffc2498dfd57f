# fraiseql_module(<name> SOURCES ... [DEPS ...] [PRIVATE_DEPS ...])
# Declares the static library fraiseql_<name> (alias fraiseql::<name>). DEPS are the
# only modules it may use: an include of any other module's header fails to build
# because that module's include path is per-target, not global.
function(fraiseql_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(fraiseql_${name} STATIC ${M_SOURCES})
  add_library(fraiseql::${name} ALIAS fraiseql_${name})
  # Each module exposes include/fraiseql/<name> only, through a per-module staging dir.
  set(stage "${PROJECT_BINARY_DIR}/module-include/${name}")
  file(MAKE_DIRECTORY "${stage}/fraiseql")
  file(CREATE_LINK "${PROJECT_SOURCE_DIR}/include/fraiseql/${name}" "${stage}/fraiseql/${name}" SYMBOLIC)
  target_include_directories(fraiseql_${name}
    PUBLIC "${stage}"
    PRIVATE "${PROJECT_SOURCE_DIR}/src/${name}")
  target_link_libraries(fraiseql_${name} PUBLIC ${M_DEPS} PRIVATE fraiseql_build_flags ${M_PRIVATE_DEPS})
endfunction()
