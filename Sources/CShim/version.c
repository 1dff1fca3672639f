#include "cshim_version.h"

/* build_commit.h is written by hack/build (and ignored by git); a plain `swift build` of a
 * fresh clone has none. */
#if __has_include("build_commit.h")
#include "build_commit.h"
#endif

#ifndef MEWZ_BUILD_COMMIT
#define MEWZ_BUILD_COMMIT "unknown"
#endif

const char *cshim_build_commit(void) { return MEWZ_BUILD_COMMIT; }
