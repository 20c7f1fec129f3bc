#pragma once
// spdlog, as every source of the project includes it. Debian's spdlog is built against an
// external fmt (SPDLOG_FMT_EXTERNAL), and CMake records the version of the fmt package that
// spdlog's config found (HELMHOLTZ_FMT_VERSION). Another fmt earlier on the include path (a
// LibTorch ships its own fmt headers) would compile spdlog's templates against other
// declarations than the library links: this stops that build here, with its reason, rather
// than with undefined symbols at link time or a crash at run time.

#include <spdlog/spdlog.h>

#if defined(SPDLOG_FMT_EXTERNAL) && defined(HELMHOLTZ_FMT_VERSION) && \
    FMT_VERSION != HELMHOLTZ_FMT_VERSION
#error \
    "the fmt headers seen here are not the fmt spdlog was built with (FMT_VERSION differs from the fmt package CMake found: HELMHOLTZ_FMT_VERSION); put that fmt's include folder before LibTorch's"
#endif
