package uprocfs.core;

import java.nio.file.Path;
import uprocfs.core.proc.ProcFs;
import uprocfs.testing.FakeProcTree;
import uprocfs.testing.FakeProcess;

/**
 * EngineAgentTest's shorthand over {@link FakeProcTree}: a process by pid, parent, effective ids
 * and name. Its real uid is the effective one plus one, so a parser that read the wrong
 * column would be caught.
 */
public final class FakeProc implements AutoCloseable {
    final FakeProcTree tree = new FakeProcTree();
    final Path root = tree.root();
    public final ProcFs procFs = new ProcFs(root);

    public FakeProc process(int pid, int ppid, int euid, int egid, String name) {
        return process(pid, ppid, euid, egid, name, "S (sleeping)", 1);
    }

    /** A process whose leader has exited while {@code threads - 1} other threads run on. */
    public FakeProc zombieLeader(int pid, int ppid, int euid, int egid, String name, int threads) {
        return process(pid, ppid, euid, egid, name, "Z (zombie)", threads);
    }

    public FakeProc process(int pid, int ppid, int euid, int egid, String name, String state, int threads) {
        tree.add(FakeProcess.pid(pid).ppid(ppid).uid(euid + 1, euid).gid(egid + 1, egid).name(name).state(state)
                .threads(threads));
        return this;
    }

    /** A process with its executable and arguments. */
    public FakeProc process(int pid, int ppid, int euid, int egid, String name, String exe, String... args) {
        tree.add(FakeProcess.pid(pid).ppid(ppid).uid(euid + 1, euid).gid(egid + 1, egid).name(name).exe(exe)
                .cmdline(args));
        return this;
    }

    public FakeProc gone(int pid) {
        tree.remove(pid);
        return this;
    }

    @Override
    public void close() {
        tree.close();
    }
}
