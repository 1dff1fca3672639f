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

/* Unblocks the forwarded signals (whatever the caller's mask had), once their handlers exist. */
int cshim_unblock_forwarded_signals(void);

/* Every catchable signal back to SIG_DFL and an empty mask: the container process starts
 * with a clean signal state, whatever the caller ignored or blocked (a child inherits both). */
int cshim_reset_signals(void);

/* Installs handlers that kill(target, sig) for each forwarded signal. */
int cshim_forward_signals_to(pid_t target);

/* Ends the process by `sig` with its default action (no core file), as if it had been
 * delivered from outside; exits 128+sig if the signal does not terminate. */
_Noreturn void cshim_die_by_signal(int sig);

#endif
