/*
 * cachefs: does a FUSE file that the kernel caches, and that is invalidated at every
 * change, still read as one whole version? The question behind keeping direct_io in
 * uprocfs (docs/BENCHMARKS.md, "Footprint", third round).
 *
 * One file, "list", whose content changes every INTERVAL microseconds: version v is
 * 200 + (v % 7) * 50 lines, each the 8-digit number v, so its length changes with
 * almost every version, as a set of PIDs does when a process comes or goes.
 *
 *   cachefs serve cached MOUNTPOINT INTERVAL   the kernel caches attributes and pages
 *       (kernel_cache, attribute and entry timeouts of an hour); every change is followed
 *       by fuse_lowlevel_notify_inval_inode(0, 0), which drops both; READ and GETATTR
 *       answer from the current version, as a daemon without per-open state must.
 *   cachefs serve direct MOUNTPOINT INTERVAL   uprocfs's way: direct_io, and each open
 *       takes a snapshot that its reads are served from.
 *   cachefs check FILE SECONDS                 opens, reads to the end and closes FILE
 *       for SECONDS, and counts reads that are not one whole version: a length that is
 *       not that of the version its first line names (a torn end, or a longer version cut
 *       at a shorter one's length), or lines of two versions.
 *
 *   gcc -O2 -Wall -o cachefs cachefs.c $(pkg-config --cflags --libs fuse)
 */
#define FUSE_USE_VERSION 26
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <fuse_lowlevel.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LINE 9
#define MAX_LINES (200 + 6 * 50)

struct version {
    unsigned long v;
    size_t length;
    char bytes[MAX_LINES * LINE];
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct version *current;
static int direct;
static long interval_us;
static const char *mountpoint;
static struct fuse_chan *chan;

static struct version *render(unsigned long v)
{
    struct version *out = malloc(sizeof *out);
    int lines = 200 + (int) (v % 7) * 50;
    out->v = v;
    out->length = (size_t) lines * LINE;
    for (int i = 0; i < lines; i++)
        snprintf(out->bytes + i * LINE, LINE + 1, "%08lu\n", v % 100000000);
    return out;
}

static int cache_getattr(const char *path, struct stat *st)
{
    memset(st, 0, sizeof *st);
    if (strcmp(path, "/") == 0) {
        st->st_mode = S_IFDIR | 0755;
        st->st_nlink = 2;
        return 0;
    }
    if (strcmp(path, "/list") != 0)
        return -ENOENT;
    st->st_mode = S_IFREG | 0444;
    st->st_nlink = 1;
    pthread_mutex_lock(&lock);
    st->st_size = (off_t) current->length;
    pthread_mutex_unlock(&lock);
    return 0;
}

static int cache_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t offset,
                         struct fuse_file_info *fi)
{
    (void) offset;
    (void) fi;
    if (strcmp(path, "/") != 0)
        return -ENOENT;
    fill(buf, ".", NULL, 0);
    fill(buf, "..", NULL, 0);
    fill(buf, "list", NULL, 0);
    return 0;
}

static int cache_open(const char *path, struct fuse_file_info *fi)
{
    if (strcmp(path, "/list") != 0)
        return -ENOENT;
    if ((fi->flags & O_ACCMODE) != O_RDONLY)
        return -EACCES;
    if (direct) {
        /* The snapshot this open's reads are served from. */
        struct version *snap = malloc(sizeof *snap);
        pthread_mutex_lock(&lock);
        memcpy(snap, current, sizeof *snap);
        pthread_mutex_unlock(&lock);
        fi->fh = (uint64_t) (uintptr_t) snap;
        fi->direct_io = 1;
    } else {
        fi->keep_cache = 1;
    }
    return 0;
}

static int cache_read(const char *path, char *buf, size_t size, off_t offset, struct fuse_file_info *fi)
{
    (void) path;
    struct version *from;
    size_t n = 0;
    if (direct) {
        from = (struct version *) (uintptr_t) fi->fh;
    } else {
        pthread_mutex_lock(&lock);
        from = current;
    }
    if ((size_t) offset < from->length) {
        n = from->length - (size_t) offset;
        if (n > size)
            n = size;
        memcpy(buf, from->bytes + offset, n);
    }
    if (!direct)
        pthread_mutex_unlock(&lock);
    return (int) n;
}

static int cache_release(const char *path, struct fuse_file_info *fi)
{
    (void) path;
    if (direct)
        free((void *) (uintptr_t) fi->fh);
    return 0;
}

static void *changer(void *arg)
{
    (void) arg;
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/list", mountpoint);
    /* The high-level library reports its node id as st_ino (without use_ino). */
    while (stat(path, &st) != 0)
        usleep(10000);
    fuse_ino_t ino = st.st_ino;
    for (unsigned long v = 1;; v++) {
        usleep((useconds_t) interval_us);
        struct version *next = render(v), *old;
        pthread_mutex_lock(&lock);
        old = current;
        current = next;
        pthread_mutex_unlock(&lock);
        /* Nobody holds it: reads take current under the lock, opens copy it under the lock. */
        free(old);
        if (!direct)
            fuse_lowlevel_notify_inval_inode(chan, ino, 0, 0);
    }
    return NULL;
}

static int serve(const char *mode, const char *mnt, long interval)
{
    static struct fuse_operations ops = {
        .getattr = cache_getattr,
        .readdir = cache_readdir,
        .open = cache_open,
        .read = cache_read,
        .release = cache_release,
    };
    direct = strcmp(mode, "direct") == 0;
    mountpoint = mnt;
    interval_us = interval;
    current = render(0);
    char *mount_argv[] = {"cachefs", "-o", "fsname=cachefs", NULL};
    struct fuse_args mount_args = FUSE_ARGS_INIT(3, mount_argv);
    char *lib_argv[] = {"cachefs", "-o",
                        direct ? "direct_io,entry_timeout=3600,attr_timeout=0,negative_timeout=0"
                               : "kernel_cache,entry_timeout=3600,attr_timeout=3600,negative_timeout=0",
                        NULL};
    struct fuse_args lib_args = FUSE_ARGS_INIT(3, lib_argv);
    chan = fuse_mount(mnt, &mount_args);
    if (!chan)
        return 1;
    struct fuse *f = fuse_new(chan, &lib_args, &ops, sizeof ops, NULL);
    if (!f) {
        fuse_unmount(mnt, chan);
        return 1;
    }
    fuse_set_signal_handlers(fuse_get_session(f));
    pthread_t t;
    pthread_create(&t, NULL, changer, NULL);
    int rc = fuse_loop_mt(f);
    fuse_remove_signal_handlers(fuse_get_session(f));
    fuse_unmount(mnt, chan);
    fuse_destroy(f);
    return rc == 0 ? 0 : 1;
}

static int check(const char *file, double seconds)
{
    static char buf[2 * MAX_LINES * LINE];
    long reads = 0, torn = 0, mixed = 0, empty = 0;
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &t);
        double spent = (double) (t.tv_sec - t0.tv_sec) + (double) (t.tv_nsec - t0.tv_nsec) / 1e9;
        if (spent >= seconds) {
            printf("%ld reads, %.1f us each: %ld torn (the length of another version), %ld mixed "
                   "(lines of two versions), %ld empty\n",
                   reads, spent / (double) reads * 1e6, torn, mixed, empty);
            return torn + mixed + empty ? 3 : 0;
        }
        int fd = open(file, O_RDONLY);
        if (fd < 0) {
            perror(file);
            return 1;
        }
        size_t n = 0;
        ssize_t r;
        while (n < sizeof buf && (r = read(fd, buf + n, sizeof buf - n)) > 0)
            n += (size_t) r;
        close(fd);
        reads++;
        if (n == 0) {
            empty++;
            continue;
        }
        unsigned long v = strtoul(buf, NULL, 10);
        size_t expected = (size_t) (200 + (int) (v % 7) * 50) * LINE;
        if (n != expected) {
            torn++;
            continue;
        }
        for (size_t i = LINE; i < n; i += LINE) {
            if (memcmp(buf, buf + i, LINE) != 0) {
                mixed++;
                break;
            }
        }
    }
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "serve") == 0
        && (strcmp(argv[2], "cached") == 0 || strcmp(argv[2], "direct") == 0))
        return serve(argv[2], argv[3], atol(argv[4]));
    if (argc == 4 && strcmp(argv[1], "check") == 0)
        return check(argv[2], atof(argv[3]));
    fprintf(stderr, "usage: cachefs serve cached|direct MOUNTPOINT INTERVAL_US | cachefs check FILE SECONDS\n");
    return 2;
}
