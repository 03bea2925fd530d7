package uprocfs.fuse.fs;

import uprocfs.core.rule.RuleSpec;

/**
 * Who sent a FUSE request: the effective uid and gid of the calling process, as the kernel
 * puts them in every request header (fuse_in_header.uid/gid, the caller's fsuid/fsgid), and
 * its thread id. Supplementary groups are not part of that header, so isolation can only use
 * the primary group; where /proc's hidepid needs them, they are read from the caller's
 * status ({@link ProcessVisibility}).
 *
 * @param uid the caller's effective (filesystem) uid
 * @param gid the caller's effective (filesystem) gid
 * @param pid the calling thread's id (fuse_in_header.pid), which names its /proc directory
 */
public record Caller(long uid, long gid, long pid) {

    public boolean isRoot() {
        return uid == 0;
    }

    /**
     * Whether this caller may see the namespace defined by {@code rule}: root sees all; anyone
     * else only namespaces whose rule names their uid (when the rule has a uid) and their gid
     * (when the rule has a gid). A rule with neither (a {@code cmd} rule alone) is visible to
     * everyone, as in the original.
     */
    public boolean maySee(RuleSpec rule) {
        if (isRoot()) {
            return true;
        }
        return (!rule.hasUid() || rule.uid() == uid) && (!rule.hasGid() || rule.gid() == gid);
    }
}
