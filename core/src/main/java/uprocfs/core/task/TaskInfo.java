package uprocfs.core.task;

/**
 * What the engine knows of one process: the identity its namespaces are decided by.
 *
 * @param pid  process id (thread-group id)
 * @param ppid parent's process id
 * @param euid effective uid (unsigned 32-bit, kept as its int bit pattern)
 * @param egid effective gid (unsigned 32-bit, kept as its int bit pattern)
 * @param comm command name as raw bytes, one char per byte (ISO-8859-1), at most 15
 */
public record TaskInfo(int pid, int ppid, int euid, int egid, String comm) {

    /** Same identity for matching purposes (uid, gid, comm); pid and ppid aside. */
    public boolean sameIdentity(TaskInfo other) {
        return euid == other.euid && egid == other.egid && comm.equals(other.comm);
    }
}
