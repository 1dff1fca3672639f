/* Fixed-arity wrappers for variadic or macro-only libc calls Swift cannot use directly. */
#ifndef CSHIM_H
#define CSHIM_H
#endif
