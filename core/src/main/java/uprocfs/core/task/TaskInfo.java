package uprocfs.core.task;

/**
 * What the engine knows of one process: the identity its namespaces are decided by, and
 * enough of its threads to know when it has ended as a whole.
 *
 * @param pid  process id (thread-group id)
 * @param ppid parent's process id
 * @param euid effective uid (unsigned 32-bit, kept as its int bit pattern)
 * @param egid effective gid (unsigned 32-bit, kept as its int bit pattern)
 * @param comm command name as raw bytes, one char per byte (ISO-8859-1), at most 15
 * @param threads      threads of the process, its leader included (status's {@code Threads})
 * @param leaderExited the leader thread has exited while other threads run on (a zombie
 *                     leader): the process is alive until its last thread ends
 * @param exe  the target of /proc/PID/exe, or {@code null}: not read (no rule uses exe), or
 *             none (a kernel thread, a process that has gone)
 * @param args the command line, arguments joined by single spaces, or {@code null}: not
 *             read (no rule uses args), or unreadable
 */
public record TaskInfo(int pid, int ppid, int euid, int egid, String comm, int threads, boolean leaderExited,
                       String exe, String args) {

    /** A single-threaded process. */
    public TaskInfo(int pid, int ppid, int euid, int egid, String comm) {
        this(pid, ppid, euid, egid, comm, 1, false);
    }

    /** A process whose executable and command line were not read. */
    public TaskInfo(int pid, int ppid, int euid, int egid, String comm, int threads, boolean leaderExited) {
        this(pid, ppid, euid, egid, comm, threads, leaderExited, null, null);
    }

    /** The same process with its executable and command line as given. */
    public TaskInfo withDetail(String exePath, String commandLine) {
        return new TaskInfo(pid, ppid, euid, egid, comm, threads, leaderExited, exePath, commandLine);
    }

    /**
     * Same identity for matching purposes (uid, gid, comm, and the executable and command
     * line where both sides read them); pid and ppid aside.
     */
    public boolean sameIdentity(TaskInfo other) {
        return euid == other.euid && egid == other.egid && comm.equals(other.comm)
                && (exe == null || other.exe == null || exe.equals(other.exe))
                && (args == null || other.args == null || args.equals(other.args));
    }
}
