package uprocfs.fuse.fidelity;

import java.util.ArrayList;
import java.util.List;
import uprocfs.fuse.it.GroundTruth;

/**
 * One rule of uproc.conf and what it means, made from the same values: the line the daemon
 * reads and the test that filters ground truth cannot drift apart. A missing condition
 * ({@code null}) matches anything; every present one must hold (README, "Configuration").
 */
record Rule(String name, Long uid, Long gid, String cmd) {

    static Rule uid(long uid, String name) {
        return new Rule(name, uid, null, null);
    }

    static Rule gid(long gid, String name) {
        return new Rule(name, null, gid, null);
    }

    static Rule cmd(String cmd, String name) {
        return new Rule(name, null, null, cmd);
    }

    Rule andGid(long gid) {
        return new Rule(name, uid, gid, cmd);
    }

    Rule andCmd(String cmd) {
        return new Rule(name, uid, gid, cmd);
    }

    /** The configuration line: {@code uid U gid G cmd C NAME}, conditions present only. */
    String line() {
        List<String> words = new ArrayList<>();
        if (uid != null) {
            words.add("uid " + uid);
        }
        if (gid != null) {
            words.add("gid " + gid);
        }
        if (cmd != null) {
            words.add("cmd " + cmd);
        }
        words.add(name);
        return String.join(" ", words);
    }

    /** Whether the process as /proc shows it belongs in this rule's namespace. */
    boolean matches(GroundTruth.Status s) {
        return (uid == null || s.euid() == uid) && (gid == null || s.egid() == gid)
                && (cmd == null || s.name().equals(cmd));
    }

    /** A whole configuration: one line per rule. */
    static String config(List<Rule> rules) {
        StringBuilder text = new StringBuilder();
        for (Rule r : rules) {
            text.append(r.line()).append('\n');
        }
        return text.toString();
    }
}
