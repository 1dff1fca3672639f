/* Fixed-arity wrappers for variadic, macro-only or unwrapped libc calls Swift cannot use directly.
 * One header per concern; this one only gathers them for the module. */
#ifndef CSHIM_H
#define CSHIM_H

#include "cshim_files.h"
#include "cshim_process.h"
#include "cshim_signals.h"
#include "cshim_terminal.h"
#include "cshim_version.h"

#endif
