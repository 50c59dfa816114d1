/*
 * file.c -- whole files in and out (soc_util.h): reading an input file with
 * limits (the DS3 reader and the weights loader use it so that a device, a
 * FIFO or a huge file can never tie a loader up), and writing a buffer whole.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "soc_util.h"

int soc__read_file(const char *path, size_t max_bytes, int regular_only, char **text,
                   size_t *len, soc_error_t *err)
{
    *text = NULL;
    if (len != NULL)
        *len = 0;
    /* O_NONBLOCK: opening a FIFO must not wait for a writer */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return soc_error_set(err, SOC_EIO, path, 0, 0, "cannot read: %s", strerror(errno));
    struct stat st;
    int rc = SOC_OK;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    if (fstat(fd, &st) != 0) {
        rc = soc_error_set(err, SOC_EIO, path, 0, 0, "cannot read: %s", strerror(errno));
        goto out;
    }
    if (S_ISDIR(st.st_mode)) {
        rc = soc_error_set(err, SOC_EIO, path, 0, 0, "is a directory, not a file");
        goto out;
    }
    if (regular_only && !S_ISREG(st.st_mode)) {
        rc = soc_error_set(err, SOC_EIO, path, 0, 0,
                           "not a regular file (a device, FIFO or socket is not read)");
        goto out;
    }
    if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > (uintmax_t)max_bytes) {
        rc = soc_error_set(err, SOC_ELIMIT, path, 0, 0, "file is too large (over %zu MiB)",
                           max_bytes >> 20);
        goto out;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 4096;
    if ((buf = malloc(cap + 1)) == NULL) {
        rc = soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    for (;;) {
        if (n == cap) { /* the file grew, or is not a regular file */
            char *nb = cap > max_bytes ? NULL : realloc(buf, 2 * cap + 1);
            if (nb == NULL) {
                rc = cap > max_bytes ? soc_error_set(err, SOC_ELIMIT, path, 0, 0,
                                                     "file is too large (over %zu MiB)",
                                                     max_bytes >> 20)
                                     : soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
                goto out;
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            rc = soc_error_set(err, SOC_EIO, path, 0, 0, "cannot read: %s",
                               errno == EISDIR ? "is a directory" : strerror(errno));
            goto out;
        }
        if (got == 0)
            break;
        n += (size_t)got;
        if (n > max_bytes) {
            rc = soc_error_set(err, SOC_ELIMIT, path, 0, 0, "file is too large (over %zu MiB)",
                               max_bytes >> 20);
            goto out;
        }
    }
    buf[n] = '\0';
    *text = buf;
    buf = NULL;
    if (len != NULL)
        *len = n;
out:
    free(buf);
    close(fd);
    return rc;
}

int soc__write_all(int fd, const void *p, size_t n)
{
    const char *s = p;
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        s += w;
        n -= (size_t)w;
    }
    return 0;
}
