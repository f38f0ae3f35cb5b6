# Compiler flags every target of the project gets.
add_library(ia_warnings INTERFACE)
target_compile_options(ia_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow
  -Wnon-virtual-dtor -Wcast-align -Wunused -Woverloaded-virtual -Wformat=2)
if(IA_WERROR)
  target_compile_options(ia_warnings INTERFACE -Werror)
endif()

if(IA_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
    -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
