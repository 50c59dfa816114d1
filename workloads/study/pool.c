/*
 * pool.c -- a pool of worker processes (soc/study.h).
 *
 * Each worker is a fork() of the caller, so it inherits every loaded
 * configuration; it reads "IDX\n" lines from a pipe, runs the job and
 * answers "IDX OK TEXT\n" or "IDX ERR MESSAGE\n".  A worker that dies is
 * reaped, its index reported as failed, and replaced.  The caller alone
 * touches the results, so the order in which workers finish never changes
 * what is written.
 */
#define _GNU_SOURCE /* fdopen */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "soc/study.h"
#include "soc_util.h"

int soc_ncpus(void)
{
    /* the CPUs this process may run on (a Slurm allocation, a cpuset,
     * taskset), not every CPU of the machine */
    long n = -1;
#ifdef CPU_COUNT
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        n = CPU_COUNT(&set);
#endif
    if (n < 1)
        n = sysconf(_SC_NPROCESSORS_ONLN);
    return n >= 1 ? (int)(n > 1024 ? 1024 : n) : 1;
}

typedef struct worker {
    pid_t pid;
    int to_fd;    /* parent -> worker: "IDX\n" */
    int from_fd;  /* worker -> parent: "IDX OK|ERR TEXT\n" */
    int inflight; /* index being run, -1 = none */
    char *buf;
    size_t n, cap;
} worker_t;

/* The body of a worker process: never returns. */
static void worker_main(int in_fd, int out_fd, soc_pool_job_fn job, void *user)
{
    FILE *in = fdopen(in_fd, "r");
    char line[64];
    while (in != NULL && fgets(line, sizeof line, in) != NULL) {
        int idx = atoi(line);
        char *row = NULL, err[1024] = "";
        int rc = job(user, idx, &row, err, sizeof err);
        soc__buf_t b = {0};
        soc__buf_printf(&b, "%d %s ", idx, rc == 0 && row != NULL ? "OK" : "ERR");
        const char *text = rc == 0 && row != NULL ? row : (err[0] ? err : "failed");
        for (const char *p = text; *p; p++)
            soc__buf_putc(&b, *p == '\n' || *p == '\r' ? ' ' : *p);
        soc__buf_putc(&b, '\n');
        free(row);
        if (b.oom || soc__write_all(out_fd, b.d, b.n) != 0)
            _exit(3);
        soc__buf_free(&b);
    }
    _exit(0);
}

static int spawn(worker_t *w, worker_t *all, int n_all, soc_pool_job_fn job, void *user)
{
    int down[2], up[2];
    if (pipe(down) != 0)
        return -1;
    if (pipe(up) != 0) {
        close(down[0]);
        close(down[1]);
        return -1;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        close(down[0]);
        close(down[1]);
        close(up[0]);
        close(up[1]);
        return -1;
    }
    if (pid == 0) {
        /* the other workers' pipe ends must not stay open here, or their
         * EOFs would never arrive */
        for (int i = 0; i < n_all; i++) {
            if (all[i].to_fd >= 0)
                close(all[i].to_fd);
            if (all[i].from_fd >= 0)
                close(all[i].from_fd);
        }
        close(down[1]);
        close(up[0]);
        signal(SIGPIPE, SIG_DFL);
        worker_main(down[0], up[1], job, user);
    }
    close(down[0]);
    close(up[1]);
    w->pid = pid;
    w->to_fd = down[1];
    w->from_fd = up[0];
    w->inflight = -1;
    w->n = 0;
    return 0;
}

static void reap(worker_t *w, char *why, size_t size)
{
    int st = 0;
    if (w->to_fd >= 0)
        close(w->to_fd);
    if (w->from_fd >= 0)
        close(w->from_fd);
    w->to_fd = w->from_fd = -1;
    while (w->pid > 0 && waitpid(w->pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (why != NULL) {
        if (WIFSIGNALED(st))
            snprintf(why, size, "worker process killed by signal %d", WTERMSIG(st));
        else
            snprintf(why, size, "worker process exited with status %d",
                     WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    }
    w->pid = -1;
}

static int feed(worker_t *w, const int *todo, int n_todo, int *next)
{
    if (*next >= n_todo) {
        if (w->to_fd >= 0)
            close(w->to_fd); /* EOF: the worker exits */
        w->to_fd = -1;
        return 0;
    }
    char msg[32];
    int n = snprintf(msg, sizeof msg, "%d\n", todo[*next]);
    if (soc__write_all(w->to_fd, msg, (size_t)n) != 0)
        return -1;
    w->inflight = todo[(*next)++];
    return 0;
}

typedef struct pool {
    worker_t *w;
    int workers, live;
    const int *todo;
    int n_todo, next;
    soc_pool_job_fn job;
    soc_pool_done_fn done;
    void *user;
} pool_t;

/* Hand out answers complete in x's buffer ("IDX OK TEXT" / "IDX ERR
 * MESSAGE"), each followed by the next index for x. */
static void drain(pool_t *P, worker_t *x)
{
    char *nl;
    while ((nl = memchr(x->buf, '\n', x->n)) != NULL) {
        *nl = '\0';
        char *sp = strchr(x->buf, ' ');
        int idx = atoi(x->buf);
        if (sp != NULL && strncmp(sp + 1, "OK ", 3) == 0)
            P->done(P->user, idx, sp + 4, NULL);
        else
            P->done(P->user, idx, NULL, sp != NULL && strlen(sp) > 5 ? sp + 5 : "failed");
        x->inflight = -1;
        size_t used = (size_t)(nl - x->buf) + 1;
        memmove(x->buf, nl + 1, x->n - used);
        x->n -= used;
        feed(x, P->todo, P->n_todo, &P->next);
    }
}

/* x's pipe ended: report its index as failed, replace it if work is left. */
static void lost(pool_t *P, worker_t *x)
{
    char why[128];
    int idx = x->inflight;
    reap(x, why, sizeof why);
    P->live--;
    if (idx >= 0) {
        P->done(P->user, idx, NULL, why);
        x->inflight = -1;
    }
    if (P->next < P->n_todo && spawn(x, P->w, P->workers, P->job, P->user) == 0) {
        P->live++;
        feed(x, P->todo, P->n_todo, &P->next);
    }
}

/* Read what x has to say.  0, or -1 when out of memory. */
static int serve(pool_t *P, worker_t *x)
{
    if (x->cap - x->n < 4096) {
        size_t nc = x->cap ? x->cap * 2 : 8192;
        char *nb = realloc(x->buf, nc);
        if (nb == NULL)
            return -1;
        x->buf = nb;
        x->cap = nc;
    }
    ssize_t got = read(x->from_fd, x->buf + x->n, x->cap - x->n - 1);
    if (got < 0 && errno == EINTR)
        return 0;
    if (got <= 0) {
        lost(P, x);
        return 0;
    }
    x->n += (size_t)got;
    drain(P, x);
    return 0;
}

int soc_pool_run(int workers, const int *todo, int n_todo, soc_pool_job_fn job,
                 soc_pool_done_fn done, void *user)
{
    if (n_todo <= 0)
        return 0;
    if (workers > n_todo)
        workers = n_todo;
    if (workers < 1)
        workers = 1;
    pool_t P = {calloc((size_t)workers, sizeof(worker_t)), workers, 0, todo, n_todo, 0, job, done,
                user};
    struct pollfd *pf = calloc((size_t)workers, sizeof *pf);
    int rc = 0;
    void (*old_pipe)(int) = signal(SIGPIPE, SIG_IGN);
    if (P.w == NULL || pf == NULL) {
        rc = -1;
        goto out;
    }
    for (int i = 0; i < workers; i++)
        P.w[i].to_fd = P.w[i].from_fd = P.w[i].pid = -1;
    for (int i = 0; i < workers; i++) {
        if (spawn(&P.w[i], P.w, workers, job, user) != 0) {
            if (i == 0) {
                rc = -1; /* errno says why */
                goto out;
            }
            break; /* run with the workers we have */
        }
        P.live++;
        feed(&P.w[i], todo, n_todo, &P.next);
    }
    while (P.live > 0 && rc == 0) {
        int np = 0;
        int map[1024];
        for (int i = 0; i < workers && np < 1024; i++)
            if (P.w[i].from_fd >= 0) {
                pf[np].fd = P.w[i].from_fd;
                pf[np].events = POLLIN;
                pf[np].revents = 0;
                map[np++] = i;
            }
        if (poll(pf, (nfds_t)np, -1) < 0) {
            if (errno != EINTR)
                rc = -1;
            continue;
        }
        for (int k = 0; k < np && rc == 0; k++)
            if (pf[k].revents != 0)
                rc = serve(&P, &P.w[map[k]]);
    }
out:
    for (int i = 0; P.w != NULL && i < workers; i++) {
        if (P.w[i].pid > 0) {
            kill(P.w[i].pid, SIGTERM);
            reap(&P.w[i], NULL, 0);
        }
        free(P.w[i].buf);
    }
    free(P.w);
    free(pf);
    signal(SIGPIPE, old_pipe);
    return rc;
}
