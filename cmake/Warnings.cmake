# Compiler flags every target of the project gets.
add_library(ia_warnings INTERFACE)
target_compile_options(ia_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow
  -Wnon-virtual-dtor -Wcast-align -Wunused -Woverloaded-virtual -Wformat=2)
if(IA_WERROR)
  target_compile_options(ia_warnings INTERFACE -Werror)
endif()

if(IA_SANITIZE)
  # GCC 12's flow-based warnings misfire on sanitizer-instrumented code (GCC bugs
  # 105651, 105329: -Wrestrict on std::string assignment and friends). The plain build
  # keeps them as errors; here they stay warnings.
  target_compile_options(ia_warnings INTERFACE -Wno-error=restrict
    -Wno-error=maybe-uninitialized -Wno-error=stringop-overflow -Wno-error=array-bounds
    -Wno-error=dangling-pointer -Wno-error=stringop-overread)
  # -O1 -g1 after the build type's -O2 -g: the level ASan's authors advise, line tables
  # enough for its stack traces, and half the compile time of -O2 -g (47 s against 25 s
  # for a tool's main.cpp on the 2-core CI machine), which CI pays for every file.
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
    -fno-sanitize-recover=undefined -O1 -g1)
  add_link_options(-fsanitize=address,undefined)
endif()

if(IA_TSAN)
  if(IA_SANITIZE)
    message(FATAL_ERROR "IA_TSAN and IA_SANITIZE exclude each other: use two build trees")
  endif()
  # Only libia, ia-sched and ia_server_tests are built so (scripts/test names the
  # targets): the server is where threads share state, and the rest would double CI time.
  target_compile_options(ia_warnings INTERFACE -Wno-error=maybe-uninitialized
    -Wno-error=tsan)
  add_compile_options(-fsanitize=thread -O1 -g1)
  add_link_options(-fsanitize=thread)
endif()
