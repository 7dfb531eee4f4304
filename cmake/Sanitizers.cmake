# WS2_SANITIZE=asan builds everything with ASan+UBSan, =tsan with TSan,
# =valgrind builds as usual and runs every test under valgrind memcheck
# (WS2_TEST_LAUNCHER; an error or a definite leak fails the test; the
# suppressions, if any are ever needed, go in test/valgrind.supp).
#
# Some kernels map memory where the sanitizer runtimes do not expect it
# (TSan: "FATAL: ThreadSanitizer: unexpected memory mapping", with
# vm.mmap_rnd_bits above 28). A tiny sanitized program is run at configure
# time; if it fails and passes with ASLR disabled, WS2_TEST_LAUNCHER becomes
# `setarch <arch> -R` and every test runs under it.
set(WS2_TEST_LAUNCHER "")
if(WS2_SANITIZE STREQUAL "asan")
  set(WS2_SANITIZE_FLAGS -fsanitize=address,undefined)
  add_compile_options(${WS2_SANITIZE_FLAGS} -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(${WS2_SANITIZE_FLAGS})
elseif(WS2_SANITIZE STREQUAL "tsan")
  set(WS2_SANITIZE_FLAGS -fsanitize=thread)
  # GCC warns (-Wtsan) that TSan does not model atomic_thread_fence
  # (MemoryBarrier); that is worth seeing but not worth failing a picky build.
  add_compile_options(${WS2_SANITIZE_FLAGS} -fno-omit-frame-pointer
                      $<$<C_COMPILER_ID:GNU>:-Wno-error=tsan>)
  add_link_options(${WS2_SANITIZE_FLAGS})
elseif(WS2_SANITIZE STREQUAL "fuzz")
  # libFuzzer (clang): every object instrumented for coverage, with
  # ASan+UBSan; fuzz/CMakeLists.txt links the targets with the fuzzer.
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "WS2_SANITIZE=fuzz needs clang (CC=clang)")
  endif()
  set(WS2_SANITIZE_FLAGS -fsanitize=address,undefined)
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined
                      -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(${WS2_SANITIZE_FLAGS})
elseif(WS2_SANITIZE STREQUAL "valgrind")
  find_program(WS2_VALGRIND valgrind)
  if(NOT WS2_VALGRIND)
    message(FATAL_ERROR "WS2_SANITIZE=valgrind needs valgrind "
            "(apt-get install valgrind)")
  endif()
  # Frame pointers and no inlining keep the reports readable.
  add_compile_options(-fno-omit-frame-pointer)
  set(WS2_TEST_LAUNCHER ${WS2_VALGRIND} --tool=memcheck --quiet
      --error-exitcode=99 --leak-check=full --show-leak-kinds=definite
      --errors-for-leak-kinds=definite --trace-children=no
      --suppressions=${PROJECT_SOURCE_DIR}/test/valgrind.supp)
elseif(NOT WS2_SANITIZE STREQUAL "")
  message(FATAL_ERROR "WS2_SANITIZE must be empty, asan, tsan, valgrind or fuzz")
endif()

if(WS2_SANITIZE_FLAGS AND NOT CMAKE_CROSSCOMPILING)
  set(_probe_dir ${PROJECT_BINARY_DIR}/sanitizer-probe)
  file(WRITE ${_probe_dir}/probe.c
       "#include <pthread.h>\n"
       "static void *run(void *a) { return a; }\n"
       "int main(void) {\n"
       "  pthread_t t;\n"
       "  if (pthread_create(&t, 0, run, 0)) return 1;\n"
       "  return pthread_join(t, 0);\n"
       "}\n")
  try_compile(_probe_built ${_probe_dir}/build ${_probe_dir}/probe.c
              COMPILE_DEFINITIONS ${WS2_SANITIZE_FLAGS} -pthread
              LINK_OPTIONS ${WS2_SANITIZE_FLAGS} -pthread
              COPY_FILE ${_probe_dir}/probe
              OUTPUT_VARIABLE _probe_log)
  if(NOT _probe_built)
    message(FATAL_ERROR "WS2_SANITIZE=${WS2_SANITIZE}: cannot build a "
            "sanitized program; is the compiler's sanitizer runtime "
            "installed?\n${_probe_log}")
  endif()
  execute_process(COMMAND ${_probe_dir}/probe RESULT_VARIABLE _probe_rc
                  OUTPUT_QUIET ERROR_VARIABLE _probe_err)
  if(NOT _probe_rc EQUAL 0)
    find_program(WS2_SETARCH setarch)
    if(WS2_SETARCH)
      execute_process(COMMAND ${WS2_SETARCH} ${CMAKE_HOST_SYSTEM_PROCESSOR}
                              -R ${_probe_dir}/probe
                      RESULT_VARIABLE _probe_rc2 OUTPUT_QUIET ERROR_QUIET)
    endif()
    if(WS2_SETARCH AND _probe_rc2 EQUAL 0)
      set(WS2_TEST_LAUNCHER ${WS2_SETARCH} ${CMAKE_HOST_SYSTEM_PROCESSOR} -R)
      string(REPLACE ";" " " _launcher "${WS2_TEST_LAUNCHER}")
      message(STATUS "WS2_SANITIZE=${WS2_SANITIZE}: sanitized programs need "
              "ASLR off here; tests run under: ${_launcher}")
    else()
      message(WARNING "WS2_SANITIZE=${WS2_SANITIZE}: a sanitized test program "
              "fails on this machine, even with ASLR off (setarch -R):\n"
              "${_probe_err}\nTry: sysctl vm.mmap_rnd_bits=28")
    endif()
  endif()
endif()

# Shell-script tests (test/tools) run under the launcher too when it only
# disables ASLR; valgrind would check the shell, not ws2.
if(WS2_SANITIZE STREQUAL "valgrind")
  set(WS2_SCRIPT_LAUNCHER "")
else()
  set(WS2_SCRIPT_LAUNCHER ${WS2_TEST_LAUNCHER})
endif()
