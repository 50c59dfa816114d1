# Warning flags shared by every target: soc_warnings(<target>)
function(soc_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow -Wstrict-prototypes
    -Wmissing-prototypes -Wundef -Wwrite-strings -Wpointer-arith -Wno-unused-parameter)
  if(SOC_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
