// The fuzz targets' assertion: a property of the library that must hold for
// every input. A failure prints what broke and aborts, which libFuzzer
// reports as a crash with the input that caused it.
#pragma once

#include <cstdio>
#include <cstdlib>

#define SARABAN_FUZZ_CHECK(cond, what)                                          \
  do {                                                                          \
    if (!(cond)) {                                                              \
      std::fprintf(stderr, "%s:%d: check failed: %s (%s)\n", __FILE__, __LINE__, \
                   #cond, what);                                                \
      std::abort();                                                             \
    }                                                                           \
  } while (0)
