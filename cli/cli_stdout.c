/*
 * cli_stdout.c -- standard output that remembers why a write failed.
 *
 * `socsim run --json > /dev/full` must fail (exit 1, "write error: No
 * space left on device") rather than exit 0 with its results lost, as
 * coreutils' close_stdout does.  stdio keeps only a sticky error flag, and
 * a failed flush discards the buffer, so by the time the command returns
 * the reason may be gone.  cli_stdout_init puts a cookie stream in place of
 * stdout whose write function keeps the first errno; cli_stdout_close
 * flushes, closes and reports.
 */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static int first_errno; /* the first failed write(2) on standard output */
static FILE *real_stdout;

static ssize_t out_write(void *cookie, const char *buf, size_t size)
{
    (void)cookie;
    size_t done = 0;
    while (done < size) {
        ssize_t w = write(STDOUT_FILENO, buf + done, size - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (first_errno == 0)
                first_errno = w < 0 ? errno : EIO;
            errno = first_errno;
            return done > 0 ? (ssize_t)done : -1;
        }
        done += (size_t)w;
    }
    return (ssize_t)size;
}

void cli_stdout_init(void)
{
    cookie_io_functions_t io = {NULL, out_write, NULL, NULL};
    FILE *f = fopencookie(NULL, "w", io);
    if (f == NULL)
        return; /* keep the plain stdout */
    /* the buffering stdio would have chosen */
    setvbuf(f, NULL, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF, BUFSIZ);
    real_stdout = stdout;
    stdout = f;
}

int cli_stdout_close(int code)
{
    int bad = fflush(stdout) != 0 || ferror(stdout);
    int e = first_errno ? first_errno : bad ? errno : 0;
    if (real_stdout != NULL) {
        if (fclose(stdout) != 0)
            bad = 1;
        stdout = real_stdout;
        real_stdout = NULL;
    }
    if (!bad && first_errno == 0)
        return code;
    fprintf(stderr, "socsim: write error: %s\n", strerror(e ? e : EIO));
    return code == CLI_OK || code == CLI_FAIL ? CLI_FAIL : code;
}
