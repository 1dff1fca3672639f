#include "cshim_process.h"

#include <sys/prctl.h>
#include <sys/wait.h>

int cshim_set_child_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }

int cshim_wait_exited(int status) { return WIFEXITED(status); }
int cshim_wait_exit_status(int status) { return WEXITSTATUS(status); }
int cshim_wait_signaled(int status) { return WIFSIGNALED(status); }
int cshim_wait_term_signal(int status) { return WTERMSIG(status); }
