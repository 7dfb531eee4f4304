# Warning flags. ws2_warnings() for the library's own sources,
# ws2_program_warnings() for tests, examples and benchmarks. WS2_PICKY=ON
# turns every warning into an error; some are errors always, because the
# code they flag is wrong on every compiler (GCC 14 makes them errors too).
set(WS2_HARD_ERRORS
  -Werror=implicit-function-declaration -Werror=implicit-int
  -Werror=incompatible-pointer-types -Werror=int-conversion
  -Werror=return-type)

function(ws2_warnings target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:C>:-Wall -Wextra -Wshadow -Wwrite-strings
      -Wpointer-arith -Wstrict-prototypes -Wmissing-prototypes
      -Wno-unused-parameter ${WS2_HARD_ERRORS}>
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wno-unused-parameter>)
  if(WS2_PICKY)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

function(ws2_program_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter
    $<$<COMPILE_LANGUAGE:C>:${WS2_HARD_ERRORS}>)
  if(WS2_PICKY)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
