// What a stub driver function does besides its recorded answer, chosen by the test through the environment:
//   STUB_FAIL=<function> [STUB_FAIL_AT=<card or device>] STUB_FAIL_CODE=<code>  return an error code
//   STUB_CRASH=<function>                                                         dereference a null pointer
//   STUB_HANG=<function> [STUB_PID_FILE=<path>]                                   write the pid, then sleep forever
#pragma once

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int StubNamed(const char* variable, const char* function) {
  const char* value = getenv(variable);
  return value != NULL && strcmp(value, function) == 0;
}

// Returns the error code to answer with, or 0 to carry on; may crash or hang instead of returning.
static int StubBehaviour(const char* function, int at) {
  if (StubNamed("STUB_CRASH", function)) {
    volatile int* nowhere = NULL;
    *nowhere = 1;
  }
  if (StubNamed("STUB_HANG", function)) {
    const char* pidFile = getenv("STUB_PID_FILE");
    if (pidFile != NULL) {
      FILE* file = fopen(pidFile, "w");
      if (file != NULL) {
        fprintf(file, "%d", (int)getpid());
        fclose(file);
      }
    }
    for (;;) pause();
  }
  if (StubNamed("STUB_FAIL", function)) {
    const char* where = getenv("STUB_FAIL_AT");
    if (where == NULL || atoi(where) == at) return atoi(getenv("STUB_FAIL_CODE"));
  }
  return 0;
}
