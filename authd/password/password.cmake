# The password policy, included by authd/CMakeLists.txt: its sources (with
# data/common-passwords.txt compiled in as a C array) and libzxcvbn (no
# pkg-config file on Debian 12). NFKC is lib/pw_normalize.c's.
find_library(ZXCVBN_LIBRARY zxcvbn REQUIRED)
find_path(ZXCVBN_INCLUDE_DIR zxcvbn.h REQUIRED)

set(SESAME_COMMON_PASSWORDS_TXT ${PROJECT_SOURCE_DIR}/data/common-passwords.txt)
set(SESAME_COMMON_PASSWORDS_C ${CMAKE_CURRENT_BINARY_DIR}/password/common_passwords.c)
add_custom_command(
  OUTPUT ${SESAME_COMMON_PASSWORDS_C}
  COMMAND ${CMAKE_COMMAND} -DIN=${SESAME_COMMON_PASSWORDS_TXT} -DOUT=${SESAME_COMMON_PASSWORDS_C}
          -DSYMBOL=pw_common_bundled -P ${CMAKE_CURRENT_LIST_DIR}/embed_list.cmake
  DEPENDS ${SESAME_COMMON_PASSWORDS_TXT} ${CMAKE_CURRENT_LIST_DIR}/embed_list.cmake
  COMMENT "Compiling in data/common-passwords.txt"
  VERBATIM)

set(SESAME_PASSWORD_SOURCES
    password/password.c password/pw_common.c password/pw_context.c
    password/pw_old.c password/pw_score.c password/pw_text.c ${SESAME_COMMON_PASSWORDS_C})
set(SESAME_PASSWORD_LIBS ${ZXCVBN_LIBRARY} m)
