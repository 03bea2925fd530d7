package uprocfs.fuse.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.Struct;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import ru.serce.jnrfuse.ErrorCodes;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;
import uprocfs.core.proc.ProcFs;
import uprocfs.core.rule.RuleSet;
import uprocfs.core.rule.RuleSpec;
import uprocfs.testing.EngineDriver;
import uprocfs.testing.FakeProcTree;
import uprocfs.testing.FakeProcess;

/**
 * The filesystem's answers, called directly as libfuse would, without a mount: the structs
 * live in native memory allocated here, the engine reads a /proc laid out in a temporary
 * directory, and the caller of each request is whoever the test says.
 */
class UprocFsTest {
    private static final long ANY = RuleSpec.ANY;
    private static final Runtime RUNTIME = Runtime.getSystemRuntime();
    private static final int O_RDONLY = 0;
    private static final int O_WRONLY = 1;
    private static final int O_RDWR = 2;
    private static final int O_TRUNC = 0x200;
    private static final int O_APPEND = 0x400;
    private static final Instant LOADED = Instant.parse("2026-01-02T03:04:05.678Z");

    // Each caller is one of its own processes, as a FUSE request's pid is.
    private static final Caller ROOT = new Caller(0, 0, 1);
    private static final Caller ALICE = new Caller(1000, 100, 100);
    private static final Caller BOB = new Caller(1001, 101, 300);

    private final FakeProcTree proc = new FakeProcTree();
    private EngineDriver engine;
    private Caller caller = ROOT;
    private HidePid hidePid = HidePid.NONE;
    private String status = "version: 1\n";
    private UprocFs fs;

    @BeforeEach
    void mountedOverAFakeProc() {
        proc.add(process(100, 1000, 100, "bash"))
                .add(process(200, 1000, 100, "tar"))
                .add(process(300, 1001, 101, "tar"))
                .add(process(12345, 1001, 101, "sleep"));
        engine = new EngineDriver(new RuleSet("test.conf", LOADED, List.of(
                new RuleSpec("alice", 1000, ANY, null, 1),
                new RuleSpec("bob", 1001, ANY, null, 2),
                new RuleSpec("tar", ANY, ANY, "tar", 3),
                new RuleSpec("staff", ANY, 101, null, 4),
                new RuleSpec("alice.tar", 1000, ANY, "tar", 5),
                new RuleSpec("nobody", 1002, ANY, null, 6))), new ProcFs(proc.root()));
        engine.started();
        fs = new UprocFs(engine.agent.view(), () -> status.getBytes(StandardCharsets.US_ASCII),
                new ProcessVisibility(() -> hidePid, proc.root()), () -> caller);
    }

    @AfterEach
    void removeFakeProc() {
        proc.close();
    }

    private static FakeProcess process(int pid, int euid, int egid, String name) {
        return FakeProcess.pid(pid).euid(euid).egid(egid).name(name);
    }

    // ------------------------------------------------------------------ native structs

    private static Pointer memory(int size) {
        return RUNTIME.getMemoryManager().allocateDirect(size, true);
    }

    private static FileStat stat() {
        return FileStat.of(memory(Struct.size(new FileStat(RUNTIME))));
    }

    /** struct fuse_file_info is 40 bytes on 64-bit Linux; 128 leaves room. */
    private static FuseFileInfo openFlags(int flags) {
        FuseFileInfo fi = FuseFileInfo.of(memory(128));
        fi.flags.set(flags);
        return fi;
    }

    private static long millis(Timespec t) {
        return t.tv_sec.get() * 1000 + t.tv_nsec.longValue() / 1_000_000;
    }

    private long open(String path) {
        FuseFileInfo fi = openFlags(O_RDONLY);
        assertEquals(0, fs.open(path, fi), "open " + path);
        return fi.fh.get();
    }

    private String read(long fh, long offset, int size) {
        FuseFileInfo fi = openFlags(O_RDONLY);
        fi.fh.set(fh);
        Pointer buf = memory(Math.max(size, 1));
        int n = fs.read("/ignored", buf, size, offset, fi);
        if (n < 0) {
            return "errno " + -n;
        }
        byte[] bytes = new byte[n];
        buf.get(0, bytes, 0, n);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    private List<String> readdir(String path) {
        List<String> names = new ArrayList<>();
        FuseFillDir collect = (buf, name, stbuf, off) -> {
            byte[] bytes = new byte[name.remaining()];
            name.get(bytes);
            int nul = 0;
            while (nul < bytes.length && bytes[nul] != 0) {
                nul++;
            }
            assertNotEquals(bytes.length, nul, "every name handed to libfuse ends in NUL");
            names.add(new String(bytes, 0, nul, StandardCharsets.UTF_8));
            return 0;
        };
        int result = fs.readdir(path, memory(8), collect, 0, openFlags(O_RDONLY));
        if (result != 0) {
            names.add("errno " + -result);
        }
        return names;
    }

    // ------------------------------------------------------------------ attributes

    @Test
    void rootDirectoryIsReadOnlyOwnedByRootAndDatedByTheConfig() {
        FileStat st = stat();
        assertEquals(0, fs.getattr("/", st));
        assertEquals(FileStat.S_IFDIR | 0555, st.st_mode.intValue());
        assertEquals(2, st.st_nlink.intValue());
        assertEquals(0, st.st_uid.intValue());
        assertEquals(0, st.st_gid.intValue());
        assertEquals(LOADED.toEpochMilli(), millis(st.st_mtim));
    }

    @Test
    void fileSizeIsTheExactLengthOfItsContentAndMtimeItsLastChange() {
        FileStat st = stat();
        assertEquals(0, fs.getattr("/alice", st));
        assertEquals(FileStat.S_IFREG | 0444, st.st_mode.intValue());
        assertEquals(1, st.st_nlink.intValue());
        assertEquals(0, st.st_uid.intValue());
        assertEquals("100\n200\n".length(), st.st_size.longValue());
        assertEquals(engine.namespace("alice").mtimeMillis(), millis(st.st_mtim));
        assertEquals(1, st.st_blocks.longValue());
    }

    @Test
    void emptyNamespaceIsAnEmptyFileNotAMissingOne() {
        FileStat st = stat();
        assertEquals(0, fs.getattr("/nobody", st));
        assertEquals(0, st.st_size.longValue());
        assertEquals("", read(open("/nobody"), 0, 4096));
    }

    @Test
    void pathsOtherThanSlashNameAreENOENT() {
        for (String path : new String[] {"", "alice", "/alice/", "/alice/x", "//alice", "/al\0ice", "/alice\0",
            "/.", "/..", "/missing"}) {
            assertEquals(-ErrorCodes.ENOENT(), fs.getattr(path, stat()), "getattr '" + path + "'");
            assertEquals(-ErrorCodes.ENOENT(), fs.open(path, openFlags(O_RDONLY)), "open '" + path + "'");
        }
    }

    @Test
    void fileNameAcceptsExactlyOneComponent() {
        assertEquals("alice", UprocFs.fileName("/alice"));
        assertNull(UprocFs.fileName("/"));
        assertNull(UprocFs.fileName("/a/b"));
        assertNull(UprocFs.fileName("/a\0b"));
        assertNull(UprocFs.fileName(null));
    }

    // ------------------------------------------------------------------ reading

    @Test
    void readServesTheSnapshotTakenAtOpenWhateverChangesAfter() throws IOException {
        long fh = open("/alice");
        proc.add(process(150, 1000, 100, "vim"));
        engine.rescan();
        assertEquals("100\n150\n200\n", new String(engine.namespace("alice").content(), StandardCharsets.US_ASCII));
        assertEquals("100\n200\n", read(fh, 0, 4096));
        assertEquals("100\n150\n200\n", read(open("/alice"), 0, 4096));
    }

    @Test
    void readHonoursOffsetAndSizeAndEndsAtTheSnapshotsEnd() {
        long fh = open("/alice");
        assertEquals("200\n", read(fh, 4, 4096));
        assertEquals("10", read(fh, 0, 2));
        assertEquals("0\n2", read(fh, 2, 3));
        assertEquals("", read(fh, 8, 4096));
        assertEquals("", read(fh, 1 << 40, 4096));
    }

    @Test
    void readOfAHandleNeverOpenedOrReleasedIsEBADF() {
        assertEquals("errno " + ErrorCodes.EBADF(), read(0, 0, 10));
        long fh = open("/alice");
        assertEquals(1, fs.openFiles());
        FuseFileInfo fi = openFlags(O_RDONLY);
        fi.fh.set(fh);
        assertEquals(0, fs.release("/alice", fi));
        assertEquals(0, fs.openFiles());
        assertEquals("errno " + ErrorCodes.EBADF(), read(fh, 0, 10));
    }

    @Test
    void readdirListsTheStatusFileThenEveryNamespaceInConfigOrderForRoot() {
        assertEquals(List.of(".", "..", ".status", "alice", "bob", "tar", "staff", "alice.tar", "nobody"), readdir("/"));
    }

    @Test
    void readdirOfAFileIsENOTDIRAndOfNothingENOENT() {
        assertEquals(List.of("errno " + ErrorCodes.ENOTDIR()), readdir("/alice"));
        assertEquals(List.of("errno " + ErrorCodes.ENOENT()), readdir("/missing"));
    }

    // ------------------------------------------------------------------ isolation

    @Test
    void aUserListsOnlyTheNamespacesTheirUidAndGidMaySee() {
        caller = BOB;
        assertEquals(List.of(".", "..", ".status", "bob", "tar", "staff"), readdir("/"));
        caller = ALICE;
        assertEquals(List.of(".", "..", ".status", "alice", "tar", "alice.tar"), readdir("/"));
    }

    @Test
    void hiddenNamespaceIsENOENTOnEveryOperationNotOnlyInListings() {
        caller = BOB;
        assertEquals(-ErrorCodes.ENOENT(), fs.getattr("/alice", stat()));
        assertEquals(-ErrorCodes.ENOENT(), fs.open("/alice", openFlags(O_RDONLY)));
        assertEquals(-ErrorCodes.ENOENT(), fs.access("/alice", 4));
        assertEquals(List.of("errno " + ErrorCodes.ENOENT()), readdir("/alice"));
        assertEquals(0, fs.getattr("/bob", stat()));
        assertEquals("300\n12345\n", read(open("/bob"), 0, 4096));
    }

    @Test
    void aHandlePassedToAUserWhoMayNotSeeItsNamespaceReadsNothing() {
        long fh = open("/alice");
        caller = BOB;
        assertEquals("errno " + ErrorCodes.ENOENT(), read(fh, 0, 4096));
        caller = ALICE;
        assertEquals("100\n200\n", read(fh, 0, 4096));
    }

    // ------------------------------------------------------------------ refusing changes

    @Test
    void openWithAnyWriteIntentIsEACCES() {
        for (int flags : new int[] {O_WRONLY, O_RDWR, O_RDONLY | O_APPEND, O_RDONLY | O_TRUNC, O_WRONLY | O_APPEND}) {
            assertEquals(-ErrorCodes.EACCES(), fs.open("/alice", openFlags(flags)), "flags " + flags);
        }
        assertEquals(0, fs.openFiles());
    }

    @Test
    void everyOtherChangeIsEROFS() {
        int erofs = -ErrorCodes.EROFS();
        FuseFileInfo fi = openFlags(O_WRONLY);
        assertEquals(erofs, fs.create("/new", 0644, fi));
        assertEquals(erofs, fs.mknod("/new", FileStat.S_IFREG | 0644, 0));
        assertEquals(erofs, fs.mkdir("/dir", 0755));
        assertEquals(erofs, fs.unlink("/alice"));
        assertEquals(erofs, fs.rmdir("/alice"));
        assertEquals(erofs, fs.rename("/alice", "/bob"));
        assertEquals(erofs, fs.link("/alice", "/alias"));
        assertEquals(erofs, fs.symlink("/alice", "/alias"));
        assertEquals(erofs, fs.truncate("/alice", 0));
        assertEquals(erofs, fs.chmod("/alice", 0666));
        assertEquals(erofs, fs.chown("/alice", 1000, 1000));
        assertEquals(erofs, fs.utimens("/alice", new Timespec[0]));
        assertEquals(erofs, fs.setxattr("/alice", "user.x", memory(1), 1, 0));
        assertEquals(erofs, fs.removexattr("/alice", "user.x"));
        assertEquals(erofs, fs.write("/alice", memory(1), 1, 0, fi));
        assertEquals(List.of(".", "..", ".status", "alice", "bob", "tar", "staff", "alice.tar", "nobody"), readdir("/"));
    }

    @Test
    void accessAllowsReadingAndRefusesWritingAndExecutingFiles() {
        assertEquals(0, fs.access("/alice", 4));
        assertEquals(-ErrorCodes.EROFS(), fs.access("/alice", 2));
        assertEquals(-ErrorCodes.EACCES(), fs.access("/alice", 1));
        assertEquals(0, fs.access("/", 1 | 4));
    }

    @Test
    void statfsCountsOneFilePerNamespaceAndNoBlocks() {
        Statvfs st = Statvfs.of(memory(Struct.size(new Statvfs(RUNTIME))));
        assertEquals(0, fs.statfs("/", st));
        assertEquals(6, st.f_files.longValue());
        assertEquals(0, st.f_blocks.longValue());
        assertEquals(255, st.f_namemax.longValue());
    }

    @Test
    void aReloadMakesNewNamesAppearAndOldOnesENOENT() {
        engine.replaceRules(new RuleSet("test.conf", LOADED, List.of(new RuleSpec("sleepers", ANY, ANY, "sleep", 1))));
        assertEquals(List.of(".", "..", ".status", "sleepers"), readdir("/"));
        assertEquals(-ErrorCodes.ENOENT(), fs.getattr("/alice", stat()));
        assertEquals("12345\n", read(open("/sleepers"), 0, 4096));
    }

    // ------------------------------------------------------------------ the status file

    @Test
    void statusFileIsAReadOnlyFileSizedAsItsContentForEveryCaller() {
        status = "version: 1\npid: 42\n";
        for (Caller who : new Caller[] {ROOT, ALICE, BOB}) {
            caller = who;
            FileStat st = stat();
            assertEquals(0, fs.getattr("/.status", st), who.toString());
            assertEquals(FileStat.S_IFREG | 0444, st.st_mode.intValue());
            assertEquals(status.length(), st.st_size.longValue());
            assertEquals(status, read(open("/.status"), 0, 4096));
            assertEquals(0, fs.access("/.status", 4));
        }
    }

    @Test
    void statusFileServesWhatItSaidAtOpen() {
        long fh = open("/.status");
        status = "version: 2\n";
        assertEquals("version: 1\n", read(fh, 0, 4096));
        assertEquals("version: 2\n", read(open("/.status"), 0, 4096));
    }

    @Test
    void statusFileRefusesWritingLikeEveryFile() {
        assertEquals(-ErrorCodes.EACCES(), fs.open("/.status", openFlags(O_WRONLY)));
        assertEquals(-ErrorCodes.EACCES(), fs.open("/.status", openFlags(O_RDONLY | O_TRUNC)));
        assertEquals(-ErrorCodes.EROFS(), fs.unlink("/.status"));
        assertEquals(-ErrorCodes.EROFS(), fs.access("/.status", 2));
        assertEquals(List.of("errno " + ErrorCodes.ENOTDIR()), readdir("/.status"));
        assertEquals(0, fs.openFiles());
    }

    // ------------------------------------------------------------------ hidepid

    private String contentAndSize(String path) {
        FileStat st = stat();
        assertEquals(0, fs.getattr(path, st), path);
        String content = read(open(path), 0, 4096);
        assertEquals(content.length(), st.st_size.longValue(), "st_size of " + path + " for " + caller);
        return content;
    }

    @Test
    void withHidepidInvisibleAUserReadsOnlyTheirOwnProcessesSizedToMatch() {
        hidePid = HidePid.parse("rw,hidepid=invisible");
        caller = BOB;
        assertEquals("300\n", contentAndSize("/tar"));
        assertEquals("300\n12345\n", contentAndSize("/staff"));
        assertEquals("300\n12345\n", contentAndSize("/bob"));
        caller = ALICE;
        assertEquals("200\n", contentAndSize("/tar"));
        assertEquals("100\n200\n", contentAndSize("/alice"));
        caller = ROOT;
        assertEquals("200\n300\n", contentAndSize("/tar"));
    }

    @Test
    void hidepidPtraceableHidesLikeInvisibleAndNoaccessOrOffHideNothing() {
        caller = BOB;
        hidePid = HidePid.parse("hidepid=4");
        assertEquals("300\n", contentAndSize("/tar"));
        for (String options : new String[] {"rw,hidepid=noaccess", "rw,hidepid=1", "rw,hidepid=off", "rw"}) {
            hidePid = HidePid.parse(options);
            assertEquals("200\n300\n", contentAndSize("/tar"), options);
        }
    }

    @Test
    void membersOfTheHidepidGroupByPrimaryOrSupplementaryGroupSeeEverything() throws IOException {
        hidePid = HidePid.parse("rw,hidepid=invisible,gid=50");
        caller = BOB;
        assertEquals("300\n", contentAndSize("/tar"), "bob is not in group 50");
        caller = new Caller(1001, 50, 300);
        assertEquals("200\n300\n", contentAndSize("/tar"), "primary group 50");
        proc.add(process(300, 1001, 101, "tar").groups(7, 50));
        caller = BOB;
        assertEquals("200\n300\n", contentAndSize("/tar"), "supplementary group 50");
        caller = new Caller(1001, 101, 99999);
        assertEquals("300\n", contentAndSize("/tar"), "a caller whose groups cannot be read is in none");
    }

    @Test
    void aHandleOpenedUnderHidepidKeepsItsFilteredSnapshot() {
        hidePid = HidePid.parse("rw,hidepid=2");
        caller = BOB;
        long fh = open("/tar");
        hidePid = HidePid.NONE;
        assertEquals("300\n", read(fh, 0, 4096));
        assertEquals("200\n300\n", read(open("/tar"), 0, 4096));
    }
}
