# Installation.
#
# Components:
#   runtime  bin/sluice (the server, producer, consumer, demo)
#   dev      the embeddable client side: libsluice_client (with what it links:
#            auth, codec, io, base), libsluice_pipeline (model), libsluice_workers;
#            the public headers include/sluice/; a CMake package
#            (find_package(Sluice) -> Sluice::client, Sluice::pipeline,
#            Sluice::workers) and a pkg-config file (sluice.pc)
#
#   cmake --install build --prefix /tmp/x        # both components
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# The client side, in dependency order; each exported as Sluice::<module>.
set(SLUICE_EXPORTED base io codec model auth client pipeline workers)
set(exported_targets)
set(pc_libs)
foreach(m IN LISTS SLUICE_EXPORTED)
  set_target_properties(sluice_${m} PROPERTIES EXPORT_NAME ${m})
  list(APPEND exported_targets sluice_${m})
  list(PREPEND pc_libs -lsluice_${m})  # dependents first for the linker
  get_target_property(headers sluice_${m} SLUICE_PUBLIC_HEADERS)
  if(NOT headers)
    set(headers)
  endif()
  foreach(h IN LISTS headers)
    if(IS_DIRECTORY ${CMAKE_SOURCE_DIR}/include/${h})
      install(DIRECTORY ${CMAKE_SOURCE_DIR}/include/${h}/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/${h}
              COMPONENT dev FILES_MATCHING PATTERN "*.h")
    else()
      get_filename_component(dir ${h} DIRECTORY)
      install(FILES ${CMAKE_SOURCE_DIR}/include/${h} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/${dir} COMPONENT dev)
    endif()
  endforeach()
endforeach()
list(JOIN pc_libs " " SLUICE_PC_LIBS)

install(TARGETS sluice RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
install(TARGETS ${exported_targets} EXPORT SluiceTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
set(SLUICE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/Sluice)
install(EXPORT SluiceTargets NAMESPACE Sluice:: DESTINATION ${SLUICE_CMAKE_DIR} COMPONENT dev)
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/SluiceConfig.cmake.in
                              ${CMAKE_BINARY_DIR}/SluiceConfig.cmake INSTALL_DESTINATION ${SLUICE_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_BINARY_DIR}/SluiceConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/SluiceConfig.cmake ${CMAKE_BINARY_DIR}/SluiceConfigVersion.cmake
        DESTINATION ${SLUICE_CMAKE_DIR} COMPONENT dev)
file(RELATIVE_PATH SLUICE_PC_UP /x/${CMAKE_INSTALL_LIBDIR}/pkgconfig /x)
string(REGEX REPLACE "/$" "" SLUICE_PC_UP "${SLUICE_PC_UP}")
configure_file(${CMAKE_SOURCE_DIR}/cmake/sluice.pc.in ${CMAKE_BINARY_DIR}/sluice.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/sluice.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)
