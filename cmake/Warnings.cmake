# Warning flags for ws2's own sources.
function(ws2_warnings target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:C>:-Wall -Wextra -Wshadow -Wwrite-strings
      -Wpointer-arith -Wstrict-prototypes -Wmissing-prototypes
      -Wno-unused-parameter>)
  if(WS2_PICKY)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
