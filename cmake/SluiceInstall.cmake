# Installation and packaging.
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
#   cd build && cpack -G DEB                     # sluice_*.deb, sluice-dev_*.deb
#                                                # (scripts/package.sh)
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

# Debian packages: `sluice` (the binary) and `sluice-dev` (library, headers).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME sluice)
set(CPACK_PACKAGE_VENDOR "Sluice")
set(CPACK_PACKAGE_CONTACT "Sluice maintainers <sluice@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Local AWS-compatible Kinesis, Firehose and S3 server and client")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME sluice)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION net)
set(CPACK_DEBIAN_DEV_PACKAGE_NAME sluice-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_COMPONENT_RUNTIME_DESCRIPTION "sluice: a local Kinesis Data Streams / Firehose / S3 server, producer, consumer and demo")
set(CPACK_COMPONENT_DEV_DESCRIPTION "Sluice client libraries (Kinesis/Firehose clients, pipeline, workers), headers, CMake and pkg-config files")
# The runtime's shared-library dependencies from the binary (dpkg-shlibdeps);
# the -dev package's from what its static libraries link.
find_program(DPKG_SHLIBDEPS dpkg-shlibdeps)
if(DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_RUNTIME_PACKAGE_SHLIBDEPS ON)
endif()
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
    "libssl-dev, zlib1g-dev, libisal-dev, libsqlite3-dev, libboost-dev (>= 1.81), rapidjson-dev")
include(CPack)
