/* Fixed-arity wrappers over the variadic ioctl for KVM, which Swift cannot call. */
#ifndef CKVM_H
#define CKVM_H
#include <linux/kvm.h>
#endif
