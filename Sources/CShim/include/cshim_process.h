#ifndef CSHIM_PROCESS_H
#define CSHIM_PROCESS_H

/* prctl(PR_SET_CHILD_SUBREAPER, 1): orphaned descendants are re-parented to the caller. */
int cshim_set_child_subreaper(void);

/* The <sys/wait.h> status macros, which Swift cannot import. */
int cshim_wait_exited(int status);
int cshim_wait_exit_status(int status);
int cshim_wait_signaled(int status);
int cshim_wait_term_signal(int status);

#endif
