#ifndef CSHIM_VERSION_H
#define CSHIM_VERSION_H

/* The git commit the binary was built from, as hack/build stamped it into build_commit.h
 * ("<40 hex digits>[-dirty]"), or "unknown" for a build without the stamp. */
const char *cshim_build_commit(void);

#endif
