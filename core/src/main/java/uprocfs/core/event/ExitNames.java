package uprocfs.core.event;

/**
 * What ended processes were running, as the kernel reported at their exit: the one source
 * for a process that exec'd and ended before its new name could be read from /proc (a
 * {@code /bin/false} lives a few hundred microseconds, gone before the event loop wakes), so
 * that its exit is still counted in the sets of what it ran. The daemon's is fed by the
 * kernel's taskstats, which sends every exiting task's name before the proc connector's EXIT
 * event for it (kernel/exit.c: taskstats_exit precedes proc_exit_connector).
 *
 * <p>Event loop only.
 */
@FunctionalInterface
public interface ExitNames {
    /** Knows no name: every such exit stays uncounted. */
    ExitNames NONE = tgid -> null;

    /**
     * The command name (comm, in {@link EventBatch#commKey}'s form) of process {@code tgid}
     * when it ended, or null when not known; forgets it.
     */
    String take(int tgid);
}
