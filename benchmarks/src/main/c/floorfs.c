/*
 * floorfs: the cheapest libfuse filesystem that serves what a uprocfs file serves, as a
 * floor for every query figure (docs/BENCHMARKS.md). One file, "bench", whose bytes are
 * read once from a file given at start and kept in memory; every request answered from
 * them, nothing computed. Mount it with the options uprocfs mounts with when only root
 * may look (direct_io, an hour's entry timeout, zero attribute and negative timeouts, which
 * tools/bench-lib.sh passes), so that the difference between the two is what uprocfs does beyond answering
 * FUSE requests.
 *
 *   gcc -O2 -Wall -o floorfs floorfs.c $(pkg-config --cflags --libs fuse)
 *   floorfs CONTENT MOUNTPOINT -o direct_io,entry_timeout=3600,attr_timeout=0,negative_timeout=0
 */
#define FUSE_USE_VERSION 26
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *content;
static size_t length;

static int floor_getattr(const char *path, struct stat *st)
{
    memset(st, 0, sizeof *st);
    if (strcmp(path, "/") == 0) {
        st->st_mode = S_IFDIR | 0755;
        st->st_nlink = 2;
        return 0;
    }
    if (strcmp(path, "/bench") == 0) {
        st->st_mode = S_IFREG | 0444;
        st->st_nlink = 1;
        st->st_size = (off_t) length;
        return 0;
    }
    return -ENOENT;
}

static int floor_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t offset,
                         struct fuse_file_info *fi)
{
    (void) offset;
    (void) fi;
    if (strcmp(path, "/") != 0)
        return -ENOENT;
    fill(buf, ".", NULL, 0);
    fill(buf, "..", NULL, 0);
    fill(buf, "bench", NULL, 0);
    return 0;
}

static int floor_open(const char *path, struct fuse_file_info *fi)
{
    if (strcmp(path, "/bench") != 0)
        return -ENOENT;
    if ((fi->flags & O_ACCMODE) != O_RDONLY)
        return -EACCES;
    return 0;
}

static int floor_read(const char *path, char *buf, size_t size, off_t offset,
                      struct fuse_file_info *fi)
{
    (void) path;
    (void) fi;
    if (offset < 0 || (size_t) offset >= length)
        return 0;
    if (size > length - (size_t) offset)
        size = length - (size_t) offset;
    memcpy(buf, content + offset, size);
    return (int) size;
}

static struct fuse_operations ops = {
    .getattr = floor_getattr,
    .readdir = floor_readdir,
    .open = floor_open,
    .read = floor_read,
};

int main(int argc, char *argv[])
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s CONTENT MOUNTPOINT [libfuse options]\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (f == NULL || fseek(f, 0, SEEK_END) != 0) {
        perror(argv[1]);
        return 1;
    }
    long n = ftell(f);
    rewind(f);
    content = malloc(n > 0 ? (size_t) n : 1);
    if (content == NULL || n < 0 || fread(content, 1, (size_t) n, f) != (size_t) n) {
        perror(argv[1]);
        return 1;
    }
    fclose(f);
    length = (size_t) n;
    /* libfuse sees argv without CONTENT. */
    argv[1] = argv[0];
    return fuse_main(argc - 1, argv + 1, &ops, NULL);
}
