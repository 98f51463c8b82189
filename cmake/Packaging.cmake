# Installing pushsim and packaging it for Debian (`cmake --install`, `cpack -G DEB`).
#
# The layout is GNUInstallDirs': the binary in bin/, its data in share/pushsim/ (the bundled
# scenarios, the shipped target profiles and docs/protocol.md), which the binary finds relative
# to its own location (apps/build_paths.hpp), so that an installed, unpacked or relocated tree
# works after the source and build trees are gone.
install(TARGETS pushsim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/scenarios/ DESTINATION ${PUSHSIM_INSTALL_DATADIR}/scenarios)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/profiles/ DESTINATION ${PUSHSIM_INSTALL_DATADIR}/profiles)
install(FILES ${CMAKE_SOURCE_DIR}/docs/protocol.md DESTINATION ${PUSHSIM_INSTALL_DATADIR}/docs)
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The Debian package: its Depends are computed from the binary's shared libraries by
# dpkg-shlibdeps (dpkg-dev), so they name the library packages of the machine it was built on;
# build it on the release it is for (the container recipe builds on Debian 12).
set(PUSHSIM_PACKAGE_MAINTAINER "pushsim maintainers <maintainers@users.noreply.r-seed-5e610bc4.example>"
    CACHE STRING "The Maintainer field of the Debian package")
set(PUSHSIM_HOMEPAGE "https://r-seed-5e610bc4.example/pushsim" CACHE STRING "The Homepage field of the Debian package")
set(CPACK_PACKAGE_NAME pushsim)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${PUSHSIM_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "conformance test harness for Pusher Channels servers")
set(CPACK_PACKAGE_DESCRIPTION
    "pushsim checks servers that speak the Pusher Channels protocol (WebSocket protocol, channel and
user authentication, presence, client events, the HTTP REST API and WebHooks) with a bundled suite of
YAML scenarios, against a live server or against its own reference engine in virtual time, and writes
console, JUnit, JSON and HTML reports.")
set(CPACK_PACKAGE_INSTALL_DIRECTORY pushsim)
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # pushsim_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${PUSHSIM_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${PUSHSIM_HOMEPAGE}")
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
include(CPack)
