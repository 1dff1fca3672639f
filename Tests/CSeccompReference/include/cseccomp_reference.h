/*
 * For MonitorTests only: the same allowlist compiled by libseccomp, and a
 * classic BPF interpreter, so that cseccomp_compile's program can be checked
 * against libseccomp's, decision by decision.
 */
#ifndef CSECCOMP_REFERENCE_H
#define CSECCOMP_REFERENCE_H

#include "cseccomp.h"
#include <linux/seccomp.h>

/* libseccomp's program for `rules` (default action: kill the process).
 * Returns its length, or a negative errno value. */
int cseccomp_reference_program(const struct cseccomp_rules *rules, struct sock_filter *program,
                               unsigned capacity);

/* Runs a seccomp program on one call. Returns its action (SECCOMP_RET_*,
 * data included), or -1 for a program the kernel would refuse to run this
 * way: an instruction this interpreter does not know, a jump or load out of
 * bounds, or falling off the end. */
long long cseccomp_run(const struct sock_filter *program, unsigned length,
                       const struct seccomp_data *data);

#endif
