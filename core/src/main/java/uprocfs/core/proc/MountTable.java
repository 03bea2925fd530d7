package uprocfs.core.proc;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The mounts this process sees, parsed from the text of {@code /proc/self/mountinfo}
 * (proc(5)), which {@link ProcFs#mountTable()} reads: enough to tell whether something is
 * mounted on our mountpoint and what, and how /proc is mounted.
 *
 * <p>A line reads {@code ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE
 * SOURCE SUPEROPTIONS}; the optional fields vary in number, so the fields after them are
 * found from the {@code -} separator. Paths escape space, tab, newline and backslash as
 * three octal digits ({@code \040}).
 */
public final class MountTable {
    /**
     * One mount.
     *
     * @param mountPoint   where it is mounted, unescaped
     * @param fsType       e.g. {@code fuse.uproc}, {@code ext4}
     * @param source       e.g. {@code uprocfs}, {@code /dev/sda1}
     * @param superOptions the filesystem's own options, e.g. {@code rw,hidepid=invisible}
     */
    public record Mount(String mountPoint, String fsType, String source, String superOptions) {
        public boolean isFuse() {
            return fsType.equals("fuse") || fsType.startsWith("fuse.");
        }

        @Override
        public String toString() {
            return source + " (" + fsType + ")";
        }
    }

    private final List<Mount> mounts;

    private MountTable(List<Mount> mounts) {
        this.mounts = List.copyOf(mounts);
    }

    /** The mounts listed in {@code mountinfo}, text in the format of /proc/self/mountinfo; bad lines are skipped. */
    public static MountTable parse(String mountinfo) {
        List<Mount> mounts = new ArrayList<>();
        for (String line : mountinfo.split("\n")) {
            String[] f = line.split(" ");
            int separator = -1;
            for (int i = 6; i < f.length; i++) {
                if (f[i].equals("-")) {
                    separator = i;
                    break;
                }
            }
            if (f.length < 10 || separator < 0 || separator + 3 >= f.length) {
                continue;
            }
            mounts.add(new Mount(unescape(f[4]), unescape(f[separator + 1]), unescape(f[separator + 2]),
                    unescape(f[separator + 3])));
        }
        return new MountTable(mounts);
    }

    /** Undoes the kernel's octal escapes (fs/proc_namespace.c, mangle()). */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && isOctal(s, i + 1)) {
                out.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '7') {
                return false;
            }
        }
        return true;
    }

    /** The mount on top at {@code path} (the last one listed there), or {@code null}. */
    public Mount at(Path path) {
        String p = path.toString();
        Mount top = null;
        for (Mount m : mounts) {
            if (m.mountPoint().equals(p)) {
                top = m;
            }
        }
        return top;
    }
}
