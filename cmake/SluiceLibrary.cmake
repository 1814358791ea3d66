# One static library per source folder (a "module"), and layers the compiler
# enforces: no target has src/ or include/ on its include path. Each module
# target gets an include view instead, build/include-views/<target>/, with one
# symlink per module it may see:
#
#   <module> -> src/<module>          itself and every module it depends on
#   sluice/<header> -> include/sluice/<header>
#                                     the public headers of those modules
#
# "Depends on" is the transitive closure of the DEPS a module declares (a
# dependency's headers include its own dependencies' headers), so an include
# of a module outside that closure fails to compile: "kinesis/catalog.h: No
# such file or directory" in the client. scripts/check-layers.py checks the
# direct edges against the layer table of docs/architecture.md, and that these
# DEPS equal that table. Includes keep their "module/file.h" form.
#
# sluice_library(NAME MODULE [HEADERS h...] [DEPS d...])
#   NAME     the target, sluice_<module>
#   MODULE   the folder under src/; files named *_test.cc are unit tests and
#            are left to tests/CMakeLists.txt. A folder with no sources yet
#            gives an interface library (just its deps).
#   HEADERS  the module's public headers, relative to include/ ("sluice/x.h",
#            or a folder "sluice/pipeline"): installed with the library
#   DEPS     what it links: sluice_* libraries (the layer edges) and others
# sluice_executable(NAME MODULE [DEPS d...]): the same for a program.

# The modules and public headers visible from `target`: its own plus those
# of the transitive closure of its sluice_* deps; stored on the target
# (SLUICE_MODULES, SLUICE_HEADERS) for the targets that depend on it.
function(_sluice_view target module headers deps)
  set(modules ${module})
  set(all_headers ${headers})
  foreach(dep IN LISTS deps)
    if(TARGET ${dep})
      get_target_property(dep_modules ${dep} SLUICE_MODULES)
      if(dep_modules)
        get_target_property(dep_headers ${dep} SLUICE_HEADERS)
        list(APPEND modules ${dep_modules})
        if(dep_headers)
          list(APPEND all_headers ${dep_headers})
        endif()
      endif()
    endif()
  endforeach()
  list(REMOVE_DUPLICATES modules)
  list(REMOVE_DUPLICATES all_headers)
  set_property(TARGET ${target} PROPERTY SLUICE_MODULES ${modules})
  set_property(TARGET ${target} PROPERTY SLUICE_HEADERS ${all_headers})

  # Rebuilt on every configure: links only (never followed when removed).
  set(view ${CMAKE_BINARY_DIR}/include-views/${target})
  file(MAKE_DIRECTORY ${view}/sluice)
  file(GLOB old LIST_DIRECTORIES true ${view}/* ${view}/sluice/*)
  foreach(entry IN LISTS old)
    if(IS_SYMLINK ${entry})
      file(REMOVE ${entry})
    endif()
  endforeach()
  foreach(m IN LISTS modules)
    file(CREATE_LINK ${CMAKE_SOURCE_DIR}/src/${m} ${view}/${m} SYMBOLIC)
  endforeach()
  foreach(h IN LISTS all_headers)
    file(CREATE_LINK ${CMAKE_SOURCE_DIR}/include/${h} ${view}/${h} SYMBOLIC)
  endforeach()
  set(SLUICE_VIEW ${view} PARENT_SCOPE)
endfunction()

function(sluice_library name module)
  cmake_parse_arguments(PARSE_ARGV 2 arg "" "" "HEADERS;DEPS")
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/${module}/*.cc)
  list(FILTER srcs EXCLUDE REGEX "_test\\.cc$")
  if(srcs)
    add_library(${name} STATIC ${srcs})
    set(scope PUBLIC)
  else()
    add_library(${name} INTERFACE)
    set(scope INTERFACE)
  endif()
  _sluice_view(${name} ${module} "${arg_HEADERS}" "${arg_DEPS}")
  # Installed, the public headers sit under <prefix>/include/sluice/.
  target_include_directories(${name} ${scope} $<BUILD_INTERFACE:${SLUICE_VIEW}> $<INSTALL_INTERFACE:include>)
  target_link_libraries(${name} ${scope} ${arg_DEPS})
  set_property(TARGET ${name} PROPERTY SLUICE_PUBLIC_HEADERS ${arg_HEADERS})
endfunction()

function(sluice_executable name module)
  cmake_parse_arguments(PARSE_ARGV 2 arg "" "" "DEPS")
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/${module}/*.cc)
  add_executable(${name} ${srcs})
  _sluice_view(${name} ${module} "" "${arg_DEPS}")
  target_include_directories(${name} PRIVATE ${SLUICE_VIEW})
  target_link_libraries(${name} PRIVATE ${arg_DEPS})
endfunction()
