#ifndef CSHIM_SIGNALS_H
#define CSHIM_SIGNALS_H

#include <sys/types.h>

/* Signals a foreground `run` passes on to the container process. */
extern const int cshim_forwarded_signals[];
extern const int cshim_forwarded_signal_count;

/* Blocks the forwarded signals, remembering the previous mask. */
int cshim_block_forwarded_signals(void);

/* Restores the mask saved by cshim_block_forwarded_signals (no-op if nothing was blocked). */
int cshim_restore_signal_mask(void);

/* Installs handlers that kill(target, sig) for each forwarded signal. */
int cshim_forward_signals_to(pid_t target);

/* Ends the process by `sig` with its default action (no core file), as if it had been
 * delivered from outside; exits 128+sig if the signal does not terminate. */
_Noreturn void cshim_die_by_signal(int sig);

#endif
