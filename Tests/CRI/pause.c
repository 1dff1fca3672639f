/*
 * The pod sandbox ("pause") program of the CRI test's sandbox image: holds the
 * pod's namespaces by sleeping until SIGTERM or SIGINT, as Kubernetes' pause
 * does. Built statically by Tests/CRI/harness.py (gcc -static).
 */
#include <signal.h>
#include <unistd.h>

static void stop(int signal_number)
{
    (void)signal_number;
    _exit(0);
}

int main(void)
{
    signal(SIGTERM, stop);
    signal(SIGINT, stop);
    for (;;)
        pause();
}
