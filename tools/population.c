/*
 * A population of idle processes for tools/latency --population: forks N children that
 * only wait, prints each one's PID on a line, and reaps them as they are killed; it ends
 * once they all have. Run it as the uid they should have (setpriv).
 *
 *     cc -O2 -o population tools/population.c && setpriv --reuid=U ... ./population N
 *
 * Why not a shell loop of "sleep &": every exec of sleep costs about a millisecond, and
 * 10 ms on a loaded 2-CPU machine (10,000 took 95 s); a fork of this small process takes
 * tens of microseconds. Each child asks for SIGKILL when its parent dies
 * (PR_SET_PDEATHSIG), so that killing this process never leaves a child behind.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    char *end;
    long n = argc == 2 ? strtol(argv[1], &end, 10) : -1;
    if (argc != 2 || *end != '\0' || n < 1) {
        fprintf(stderr, "usage: population N (N >= 1 idle children, their PIDs on stdout)\n");
        return 2;
    }
    pid_t parent = getpid();
    for (long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0) {
            fprintf(stderr, "population: fork (child %ld of %ld): %s; ulimit -u or pid_max?\n", i + 1, n,
                    strerror(errno));
            return 1;
        }
        if (pid == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            /* The parent may have died before the line above: then nobody would kill us. */
            if (getppid() != parent) {
                _exit(1);
            }
            for (;;) {
                pause();
            }
        }
        printf("%d\n", (int) pid);
    }
    fflush(stdout);
    fclose(stdout);
    while (wait(NULL) > 0 || errno == EINTR) {
    }
    return 0;
}
