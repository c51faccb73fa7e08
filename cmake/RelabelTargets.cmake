# Helpers that give every relabel target the same flags, include root and precompiled header.

add_library(relabel_options INTERFACE)
target_include_directories(relabel_options INTERFACE ${PROJECT_SOURCE_DIR})
target_compile_options(relabel_options INTERFACE -Wall -Wextra -Wno-unused-parameter)
target_compile_definitions(relabel_options INTERFACE
  RELABEL_VERSION="${PROJECT_VERSION}"
  RELABEL_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
  RELABEL_INSTALL_DATADIR="${CMAKE_INSTALL_FULL_DATADIR}/relabel")
target_compile_features(relabel_options INTERFACE cxx_std_17)

# One precompiled <torch/torch.h> shared by every target that includes LibTorch: parsing it
# costs ~15 s per translation unit otherwise, which would put a clean 2-core build far over
# budget. Targets reusing it must have the same compile flags and definitions.
add_library(relabel_torch_pch STATIC ${PROJECT_SOURCE_DIR}/cmake/pch.cpp)
target_link_libraries(relabel_torch_pch PUBLIC relabel_options ${TORCH_LIBRARIES})
target_precompile_headers(relabel_torch_pch PRIVATE <torch/torch.h>)

# Whether `file` includes LibTorch, directly or through the project's own headers (quoted
# includes, resolved beside the file, then from the source root). Memoised per file.
function(relabel_reaches_torch file out)
  get_property(known GLOBAL PROPERTY "RELABEL_TORCH:${file}" SET)
  if(known)
    get_property(result GLOBAL PROPERTY "RELABEL_TORCH:${file}")
    set(${out} ${result} PARENT_SCOPE)
    return()
  endif()
  set_property(GLOBAL PROPERTY "RELABEL_TORCH:${file}" OFF)  # an include cycle ends here
  set(result OFF)
  get_filename_component(dir ${file} DIRECTORY)
  file(STRINGS ${file} lines REGEX "^[ \t]*#[ \t]*include")
  foreach(line IN LISTS lines)
    if(line MATCHES "<(torch|ATen|c10)/")
      set(result ON)
    elseif(line MATCHES "\"([^\"]+)\"")
      foreach(candidate ${dir}/${CMAKE_MATCH_1} ${PROJECT_SOURCE_DIR}/${CMAKE_MATCH_1})
        if(EXISTS ${candidate})
          relabel_reaches_torch(${candidate} result)
          break()
        endif()
      endforeach()
    endif()
    if(result)
      break()
    endif()
  endforeach()
  set_property(GLOBAL PROPERTY "RELABEL_TORCH:${file}" ${result})
  set(${out} ${result} PARENT_SCOPE)
endfunction()

# Links LibTorch and gives the target's torch-including sources the shared precompiled header.
# Sources that never include torch compile without it: loading the 570 MB header costs more
# (~5 s per file) than such a file takes to compile, and half the project is such files.
# Library and executable sources that include LibTorch compile this many to a translation unit:
# a clean build loads the 570 MB torch header once per group instead of once per file (a clean
# build of everything must stay under 10 minutes on 2 cores). 1 turns it off, e.g. for a tight
# edit-compile loop on one file of a module.
set(RELABEL_UNITY 4 CACHE STRING "torch library sources per unity translation unit (1: off)")

# UNITY n (n > 1): the target's torch-including sources compile n to a translation unit (a CMake
# unity group), so n files pay for loading the header once; for test executables, whose files
# are many, short and never edited together with the libraries' hot paths.
function(relabel_use_torch target)
  cmake_parse_arguments(ARG "" "UNITY" "" ${ARGN})
  target_link_libraries(${target} PUBLIC ${TORCH_LIBRARIES})
  target_precompile_headers(${target} REUSE_FROM relabel_torch_pch)
  get_target_property(sources ${target} SOURCES)
  get_target_property(source_dir ${target} SOURCE_DIR)
  set(torch_sources 0)
  foreach(src IN LISTS sources)
    get_filename_component(path ${src} ABSOLUTE BASE_DIR ${source_dir})
    relabel_reaches_torch(${path} uses_torch)
    if(NOT uses_torch)
      set_source_files_properties(${src} TARGET_DIRECTORY ${target}
                                  PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
    elseif(ARG_UNITY GREATER 1)
      math(EXPR group "${torch_sources} / ${ARG_UNITY}")
      set_source_files_properties(${src} TARGET_DIRECTORY ${target}
                                  PROPERTIES UNITY_GROUP "torch${group}")
      math(EXPR torch_sources "${torch_sources} + 1")
    endif()
  endforeach()
  if(torch_sources GREATER 1)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_MODE GROUP)
  endif()
endfunction()

# relabel_library(NAME SOURCES a.cpp b.cpp DEPS x y [TORCH])
function(relabel_library name)
  cmake_parse_arguments(ARG "TORCH" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_link_libraries(${name} PUBLIC relabel_options ${ARG_DEPS})
  if(ARG_TORCH)
    relabel_use_torch(${name})
  endif()
endfunction()

# relabel_module(NAME [RECURSE] [TORCH] [REGISTRIES] DEPS x y [DEFINES d] [EXCLUDE regex])
# A module's sources are the .cpp files of its folder: helpers adding files never edit a shared
# list. A module without sources yet is an INTERFACE target so dependents still link.
# REGISTRIES: the module's files register entries at static initialisation (reward methods,
# learners, tasks) that nothing references by symbol, so every consumer links the whole archive
# (NAME is an INTERFACE target over the static NAME_objects).
function(relabel_module name)
  cmake_parse_arguments(ARG "TORCH;RECURSE;REGISTRIES" "EXCLUDE" "DEPS;DEFINES" ${ARGN})
  if(ARG_REGISTRIES)
    set(static_name ${name}_objects)
  else()
    set(static_name ${name})
  endif()
  if(ARG_RECURSE)
    file(GLOB_RECURSE srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  else()
    file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  endif()
  if(ARG_EXCLUDE)
    list(FILTER srcs EXCLUDE REGEX "${ARG_EXCLUDE}")
  endif()
  if(srcs)
    relabel_library(${static_name} SOURCES ${srcs} DEPS ${ARG_DEPS})
    if(ARG_TORCH)
      relabel_use_torch(${static_name} UNITY ${RELABEL_UNITY})
    endif()
    target_compile_definitions(${static_name} PUBLIC ${ARG_DEFINES})
    if(ARG_REGISTRIES)
      add_library(${name} INTERFACE)
      target_link_libraries(${name} INTERFACE "$<LINK_LIBRARY:WHOLE_ARCHIVE,${static_name}>")
    endif()
  else()
    add_library(${name} INTERFACE)
    target_link_libraries(${name} INTERFACE relabel_options ${ARG_DEPS})
    target_compile_definitions(${name} INTERFACE ${ARG_DEFINES})
  endif()
endfunction()
