# What `cmake --install` lays out beside the binaries (tools/CMakeLists.txt installs
# those): man pages, completions where each shell looks for them, the systemd units and
# the examples. Paths follow GNUInstallDirs and honour DESTDIR; a relative directory is
# taken under CMAKE_INSTALL_PREFIX. Packagers set the IA_*_DIR cache entries.
set(IA_BASH_COMPLETION_DIR "${CMAKE_INSTALL_DATADIR}/bash-completion/completions"
    CACHE STRING "bash-completion loads completions from here on demand")
set(IA_ZSH_COMPLETION_DIR "${CMAKE_INSTALL_DATADIR}/zsh/site-functions"
    CACHE STRING "zsh's fpath (Debian: share/zsh/vendor-completions)")
set(IA_FISH_COMPLETION_DIR "${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d"
    CACHE STRING "fish's vendor completions")
# Not CMAKE_INSTALL_LIBDIR: that may be lib/x86_64-linux-gnu, where systemd never looks.
set(IA_SYSTEMD_UNIT_DIR "lib/systemd/system"
    CACHE STRING "systemd system units (Debian 12: /lib/systemd/system)")

file(GLOB tool_names LIST_DIRECTORIES true RELATIVE ${PROJECT_SOURCE_DIR}/tools
     CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tools/ia-*)
foreach(tool ${tool_names})
  if(NOT IS_DIRECTORY ${PROJECT_SOURCE_DIR}/tools/${tool})
    continue()
  endif()
  install(FILES man/${tool}.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
  install(FILES completions/bash/${tool} DESTINATION ${IA_BASH_COMPLETION_DIR})
  install(FILES completions/zsh/_${tool} DESTINATION ${IA_ZSH_COMPLETION_DIR})
  install(FILES completions/fish/${tool}.fish DESTINATION ${IA_FISH_COMPLETION_DIR})
endforeach()
install(FILES man/ia.toml.5 DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)

# The example configuration goes with the documentation: the tools read /etc/ia/ia.toml
# whatever the prefix, so copying it there is the admin's (or the package's) decision.
install(FILES packaging/ia.toml packaging/cron/ia-node.cron
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)

# The units name the binaries by absolute path, so they are written at install time,
# when the prefix is known: `cmake --install --prefix` may differ from the configured one.
if(IA_PLATFORM STREQUAL "linux")
  foreach(unit ia-sched.service ia-node.service)
    install(CODE "
      set(CMAKE_INSTALL_FULL_BINDIR \"${CMAKE_INSTALL_BINDIR}\")
      if(NOT IS_ABSOLUTE \"\${CMAKE_INSTALL_FULL_BINDIR}\")
        set(CMAKE_INSTALL_FULL_BINDIR \"\${CMAKE_INSTALL_PREFIX}/\${CMAKE_INSTALL_FULL_BINDIR}\")
      endif()
      configure_file(\"${PROJECT_SOURCE_DIR}/packaging/systemd/${unit}.in\"
                     \"${PROJECT_BINARY_DIR}/packaging/install/${unit}\" @ONLY)
      set(unit_dir \"${IA_SYSTEMD_UNIT_DIR}\")
      if(NOT IS_ABSOLUTE \"\${unit_dir}\")
        set(unit_dir \"\${CMAKE_INSTALL_PREFIX}/\${unit_dir}\")
      endif()
      file(INSTALL DESTINATION \"\${unit_dir}\" TYPE FILE
           FILES \"${PROJECT_BINARY_DIR}/packaging/install/${unit}\")
    ")
    # Configured for the build's prefix too, for tests that verify the units.
    configure_file(packaging/systemd/${unit}.in ${PROJECT_BINARY_DIR}/packaging/${unit} @ONLY)
  endforeach()
endif()
