package uprocfs.testing;

import java.util.Arrays;

/**
 * One process as {@code /proc/PID/status} describes it, for a {@link FakeProcTree}: every id
 * the kernel writes, and the text written in the order and format of Linux 6
 * ({@code fs/proc/array.c}), so a parser meets the lines it meets on a real machine, in
 * their places ({@code Groups:} before {@code Threads:}, with the memory lines between).
 *
 * <p>Unset fields take the values of a plain single-threaded sleeping process of root's,
 * child of init, called {@code sleep}. Real and effective ids are set apart with
 * {@link #uid(int, int)} and {@link #gid(int, int)}; the saved and filesystem ids are the
 * effective ones, as after an exec of a set-id program.
 */
public final class FakeProcess {
    private final int pid;
    private int ppid = 1;
    private int uid;
    private int euid;
    private int gid;
    private int egid;
    private String name = "sleep";
    private String state = "S (sleeping)";
    private int threads = 1;
    private int[] groups = {};
    private String exe;
    private String[] cmdline;
    private boolean kernelThread;
    private long residentKb = 1736;
    private long userTicks;
    private long systemTicks;
    private long startTicks = 1000;
    private long readBytes;
    private long writeBytes;
    private boolean ioReadable = true;
    private int openFds = -1;

    private FakeProcess(int pid) {
        this.pid = pid;
    }

    /** A thread-group leader: its Tgid and Pid are both {@code pid}. */
    public static FakeProcess pid(int pid) {
        return new FakeProcess(pid);
    }

    public int pid() {
        return pid;
    }

    /** The target of its {@code exe} link; none (a kernel thread) when not given. */
    public FakeProcess exe(String path) {
        this.exe = path;
        return this;
    }

    /** Its arguments, as {@code cmdline} holds them (each ended by a NUL). */
    public FakeProcess cmdline(String... args) {
        this.cmdline = args.clone();
        return this;
    }

    /** The target of the exe link, or null. */
    public String exe() {
        return exe;
    }

    /** The cmdline file's bytes: each argument followed by a NUL; empty when none. */
    public byte[] cmdlineBytes() {
        StringBuilder text = new StringBuilder();
        if (cmdline != null) {
            for (String a : cmdline) {
                text.append(a).append('\0');
            }
        }
        return text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    public FakeProcess ppid(int ppid) {
        this.ppid = ppid;
        return this;
    }

    /** The same real and effective uid. */
    public FakeProcess euid(int euid) {
        return uid(euid, euid);
    }

    public FakeProcess uid(int real, int effective) {
        this.uid = real;
        this.euid = effective;
        return this;
    }

    /** The same real and effective gid. */
    public FakeProcess egid(int egid) {
        return gid(egid, egid);
    }

    public FakeProcess gid(int real, int effective) {
        this.gid = real;
        this.egid = effective;
        return this;
    }

    /** The comm, as a process sets it; written escaped as the kernel escapes it. */
    public FakeProcess name(String name) {
        this.name = name;
        return this;
    }

    /** The State: value, e.g. {@code "R (running)"}. */
    public FakeProcess state(String state) {
        this.state = state;
        return this;
    }

    public FakeProcess threads(int threads) {
        this.threads = threads;
        return this;
    }

    /**
     * A leader that has exited (State Z) while {@code threads - 1} other threads run on: a
     * live process, as after {@code pthread_exit} in main.
     */
    public FakeProcess zombieLeader(int threads) {
        return state("Z (zombie)").threads(threads);
    }

    /** The supplementary groups, in the order the kernel keeps them (ascending). */
    public FakeProcess groups(int... groups) {
        this.groups = groups.clone();
        return this;
    }

    /**
     * A kernel thread: no memory of its own, so its status has no {@code Vm*} or {@code Rss*}
     * lines (fs/proc/task_mmu.c writes them only when the task has an mm), {@code Kthread: 1}.
     */
    public FakeProcess kernelThread() {
        this.kernelThread = true;
        return this;
    }

    /** Its {@code VmRSS:} in kB. */
    public FakeProcess residentKb(long kb) {
        this.residentKb = kb;
        return this;
    }

    /** Its {@code stat} fields utime and stime, in clock ticks. */
    public FakeProcess cpuTicks(long user, long system) {
        this.userTicks = user;
        this.systemTicks = system;
        return this;
    }

    /** Its {@code stat} field starttime: clock ticks after boot. */
    public FakeProcess startTicks(long ticks) {
        this.startTicks = ticks;
        return this;
    }

    /** Its {@code io} file's read_bytes and write_bytes. */
    public FakeProcess io(long read, long write) {
        this.readBytes = read;
        this.writeBytes = write;
        this.ioReadable = true;
        return this;
    }

    /** No {@code io} file: what a reader without the right to ptrace the process meets. */
    public FakeProcess ioUnreadable() {
        this.ioReadable = false;
        return this;
    }

    /** Writes an {@code fd} directory of {@code count} entries; none is written unless asked. */
    public FakeProcess openFds(int count) {
        this.openFds = count;
        return this;
    }

    /** The number of entries of its fd directory, or -1 for no directory. */
    public int openFds() {
        return openFds;
    }

    /**
     * The text of {@code /proc/PID/stat} as Linux 6 writes it (fs/proc/array.c do_task_stat):
     * the comm raw in parentheses, unescaped, then 50 fields; the ones set here in their places.
     */
    public String statText() {
        char stateLetter = state.isEmpty() ? 'S' : state.charAt(0);
        return pid + " (" + name + ") " + stateLetter + " " + ppid + " " + pid + " " + pid + " 0 -1 4194560 115 0 0 0 "
                + userTicks + " " + systemTicks + " 0 0 20 0 " + threads + " 0 " + startTicks + " 3133440 "
                + (kernelThread ? 0 : residentKb / 4) + " 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 "
                + "0 0 0 0 0 0 0 0\n";
    }

    /** The text of {@code /proc/PID/io}, or null when it cannot be read. */
    public String ioText() {
        if (!ioReadable) {
            return null;
        }
        return "rchar: " + readBytes + "\nwchar: " + writeBytes + "\nsyscr: 10\nsyscw: 2\n"
                + "read_bytes: " + readBytes + "\nwrite_bytes: " + writeBytes + "\ncancelled_write_bytes: 0\n";
    }

    /** The text of {@code /proc/PID/status}, as Linux 6.1 to 6.18 write it for a process of this shape. */
    public String statusText() {
        StringBuilder groupList = new StringBuilder();
        for (int g : groups) {
            groupList.append(Integer.toUnsignedString(g)).append(' ');
        }
        if (groups.length == 0) {
            // fs/proc/array.c ends the list with a space whether or not it has a group.
            groupList.append(' ');
        }
        return "Name:\t" + escape(name) + "\n"
                + "Umask:\t0022\n"
                + "State:\t" + state + "\n"
                + "Tgid:\t" + pid + "\n"
                + "Ngid:\t0\n"
                + "Pid:\t" + pid + "\n"
                + "PPid:\t" + ppid + "\n"
                + "TracerPid:\t0\n"
                + "Uid:\t" + ids(uid, euid) + "\n"
                + "Gid:\t" + ids(gid, egid) + "\n"
                + "FDSize:\t64\n"
                + "Groups:\t" + groupList + "\n"
                + "NStgid:\t" + pid + "\n"
                + "NSpid:\t" + pid + "\n"
                + "NSpgid:\t" + pid + "\n"
                + "NSsid:\t" + pid + "\n"
                + (kernelThread ? "Kthread:\t1\n" : "Kthread:\t0\n"
                + "VmPeak:\t    3060 kB\nVmSize:\t    3060 kB\nVmLck:\t       0 kB\nVmPin:\t       0 kB\n"
                + "VmHWM:\t" + String.format("%8d", residentKb) + " kB\nVmRSS:\t" + String.format("%8d", residentKb)
                + " kB\nRssAnon:\t     116 kB\nRssFile:\t    1620 kB\n"
                + "RssShmem:\t       0 kB\nVmData:\t     360 kB\nVmStk:\t     132 kB\nVmExe:\t      20 kB\n"
                + "VmLib:\t    1528 kB\nVmPTE:\t      48 kB\nVmSwap:\t       0 kB\nHugetlbPages:\t       0 kB\n")
                + "CoreDumping:\t0\n"
                + "THP_enabled:\t1\n"
                + "Threads:\t" + threads + "\n"
                + "SigQ:\t0/96362\n"
                + "SigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\nSigBlk:\t0000000000000000\n"
                + "SigIgn:\t0000000000000000\nSigCgt:\t0000000000000000\n"
                + "CapInh:\t0000000000000000\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000\n"
                + "CapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\n"
                + "NoNewPrivs:\t0\n"
                + "Seccomp:\t0\n"
                + "Cpus_allowed:\t3\n"
                + "Cpus_allowed_list:\t0-1\n"
                + "voluntary_ctxt_switches:\t1\n"
                + "nonvoluntary_ctxt_switches:\t0\n";
    }

    /** Real, effective, saved and filesystem id, unsigned as the kernel prints them. */
    private static String ids(int real, int effective) {
        String e = Integer.toUnsignedString(effective);
        return Integer.toUnsignedString(real) + "\t" + e + "\t" + e + "\t" + e;
    }

    /** {@code proc_task_name(..., escape=true)}: backslash and newline are escaped. */
    private static String escape(String comm) {
        return comm.replace("\\", "\\\\").replace("\n", "\\n");
    }

    @Override
    public String toString() {
        return "pid " + pid + " (" + name + ", ppid " + ppid + ", uid " + uid + "/" + euid + ", gid " + gid + "/"
                + egid + ", " + state + ", " + threads + " threads, groups " + Arrays.toString(groups) + ")";
    }
}
