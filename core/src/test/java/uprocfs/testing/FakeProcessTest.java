package uprocfs.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import uprocfs.core.proc.ProcFs;
import uprocfs.core.proc.ProcStatus;
import uprocfs.core.task.TaskInfo;

/** The fake /proc is only worth what it resembles: the real status file's lines, in their order. */
class FakeProcessTest {

    private static List<String> keys(String statusText) {
        List<String> keys = new ArrayList<>();
        for (String line : statusText.split("\n")) {
            keys.add(line.substring(0, line.indexOf(':')));
        }
        return keys;
    }

    @Test
    void itsLinesAreThoseOfThisKernelInTheirOrder() throws IOException {
        List<String> real = keys(Files.readString(Path.of("/proc/self/status")));
        List<String> fake = keys(FakeProcess.pid(7).statusText());
        List<String> realOfFake = new ArrayList<>(real);
        realOfFake.retainAll(fake);
        List<String> fakeOfReal = new ArrayList<>(fake);
        fakeOfReal.retainAll(real);
        assertEquals(realOfFake, fakeOfReal, "the lines both have come in the same order");
        for (String key : List.of("Name", "State", "Tgid", "Pid", "PPid", "Uid", "Gid", "Groups", "Threads")) {
            assertTrue(fake.contains(key) && real.contains(key), key);
        }
    }

    @Test
    void theParserReadsBackWhatWasSet() {
        FakeProcess p = FakeProcess.pid(4741).ppid(4700).uid(1000, 1001).gid(2000, 2001).name("bash")
                .groups(27, 100).zombieLeader(3);
        assertEquals(new TaskInfo(4741, 4700, 1001, 2001, "bash", 3, true), ProcStatus.parse(4741, p.statusText()));
        assertTrue(p.statusText().contains("\nGroups:\t27 100 \n"), "a space after each group, as the kernel writes");
        assertTrue(FakeProcess.pid(1).statusText().contains("\nGroups:\t \n"), "and after none");
    }

    @Test
    void idsAreUnsignedAndNamesEscapedAsTheKernelWritesThem() {
        String text = FakeProcess.pid(5).euid(-2).name("a\nb\\c").statusText();
        assertTrue(text.contains("\nUid:\t4294967294\t4294967294\t4294967294\t4294967294\n"), text);
        assertEquals("a\nb\\c", ProcStatus.parse(5, text).comm());
    }

    @Test
    void theTreeIsReadAsProcIs() {
        try (FakeProcTree proc = new FakeProcTree()) {
            proc.add(FakeProcess.pid(100).euid(1000).egid(100).name("bash"))
                    .add(FakeProcess.pid(101).ppid(100).euid(1000).egid(100).name("vim"));
            ProcFs procFs = new ProcFs(proc.root());
            assertEquals(2, procFs.scan().size());
            proc.remove(101);
            assertEquals(List.of(new TaskInfo(100, 1, 1000, 100, "bash")), procFs.scan());
        }
    }
}
