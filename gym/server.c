/*
 * server.c -- the environment server (soc/server.h, gym/PROTOCOL.md).
 *
 * One thread, one poll() loop, non-blocking sockets.  Each connection has
 * an input buffer (complete frames are handled in order, at most max_frame
 * bytes each) and an output buffer (replies are appended and flushed as the
 * socket accepts them).  A connection whose unsent output grows past a bound
 * is not read until it drains, so a client that never reads cannot make the
 * server grow without limit.  Environments live in one array sorted by id,
 * each owned by the connection that made it and destroyed with it.
 */
#define _POSIX_C_SOURCE 200809L
#define _XOPEN_SOURCE 700 /* realpath */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "soc/gym.h"
#include "soc/server.h"
#include "soc/workload.h"
#include "soc/yaml_tree.h"
#include "protocol.h"

#define DEFAULT_MAX_FRAME ((size_t)1 << 20)
#define MAX_BATCH 4096
#define READ_CHUNK ((size_t)64 << 10)
#define READ_BUDGET ((size_t)256 << 10) /* per connection per poll round */
#define OUT_SLACK ((size_t)16 << 20)
#define MAX_JSON_TOKENS 200000
#define MAX_CONFIG_FILE ((off_t)64 << 20)

typedef struct conn {
    int fd;
    soc__buf_t in;
    soc__buf_t out;
    size_t out_sent;
    int hello;
    int closing;          /* read nothing more; close once out is sent */
    int dead;             /* close now */
    double partial_since; /* a frame is incomplete since then, < 0: none */
    double stall_since;   /* output pending without progress since, < 0 */
    double since;         /* accepted at (handshake deadline) */
} conn_t;

typedef struct envrec {
    uint32_t id;
    soc_env_t *env;
    conn_t *owner;
    int episodes;
    uint64_t stamp;       /* duplicate detection within one batch */
    int obs_dim, n_actions;
} envrec_t;

struct soc_server {
    soc_server_options_t o;
    int lfd;
    int is_unix;
    char addr[160];
    char *unix_path;      /* socket file we created */
    char *tmpdir;         /* private directory we created */
    dev_t sock_dev;
    ino_t sock_ino;
    conn_t **conns;
    int n_conns, cap_conns;
    envrec_t *envs;
    int n_envs, cap_envs;
    uint32_t next_id;
    uint64_t stamp;
    int served;
    soc__json_t json;
    float *obs, *fobs;
    uint8_t *mask;
    size_t cap_obs, cap_fobs, cap_mask;
    size_t out_limit;
    char *root;           /* realpath of o.config_root, NULL = none */
    soc__buf_t comp;      /* completions JSON of the rows of a batch */
};

/* Shape of one batched request/reply, in the server's scratch buffers. */
typedef struct batch_row {
    int env;              /* index into s->envs */
    int64_t action;
    uint64_t seed;
    int has_seed;
    soc_env_step_t st;
    soc_env_info_t info;
    int reset;
    size_t comp_off, comp_len; /* this row's step completions in s->comp */
} batch_row_t;

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL, 0);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return -1;
    fl = fcntl(fd, F_GETFD, 0);
    if (fl < 0 || fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0)
        return -1;
    return 0;
}

/* -------------------------------------------------------------- setup */

void soc_server_options_default(soc_server_options_t *o)
{
    if (o == NULL)
        return;
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
    o->unix_path = NULL;
    o->tcp_port = -1;
    o->bind_addr = NULL;
    o->max_envs = 1024;
    o->timeout_s = 30;
    o->max_frame = DEFAULT_MAX_FRAME;
    o->max_conns = 256;
    o->config_root = NULL;
    o->max_envs_per_conn = 64;
    o->hello_timeout_s = 10;
    o->once = 0;
    o->stop_fd = -1;
}

static int listen_unix(soc_server_t *s, const char *path, soc_error_t *err)
{
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof sa.sun_path)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0,
                             "socket path too long (%zu bytes, at most %zu): %s",
                             strlen(path), sizeof sa.sun_path - 1, path);
    memcpy(sa.sun_path, path, strlen(path) + 1);
    struct stat st;
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode))
            return soc_error_set(err, SOC_EIO, NULL, 0, 0,
                                 "%s exists and is not a socket", path);
        if (unlink(path) != 0)
            return soc_error_set(err, SOC_EIO, NULL, 0, 0, "cannot replace %s: %s",
                                 path, strerror(errno));
    }
    s->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (s->lfd < 0 || set_nonblock(s->lfd) != 0)
        return soc_error_set(err, SOC_EIO, NULL, 0, 0, "socket: %s", strerror(errno));
    /* the socket file is created by bind with the umask: no window in which
     * another user could connect */
    mode_t old = umask(0177);
    int brc = bind(s->lfd, (struct sockaddr *)&sa, sizeof sa);
    int berr = errno;
    umask(old);
    if (brc != 0)
        return soc_error_set(err, SOC_EIO, NULL, 0, 0, "bind %s: %s", path, strerror(berr));
    s->unix_path = malloc(strlen(path) + 1);
    if (s->unix_path == NULL)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    memcpy(s->unix_path, path, strlen(path) + 1);
    if (chmod(path, 0600) != 0 || lstat(path, &st) != 0)
        return soc_error_set(err, SOC_EIO, NULL, 0, 0, "chmod %s: %s", path, strerror(errno));
    s->sock_dev = st.st_dev;
    s->sock_ino = st.st_ino;
    if (listen(s->lfd, 64) != 0)
        return soc_error_set(err, SOC_EIO, NULL, 0, 0, "listen: %s", strerror(errno));
    snprintf(s->addr, sizeof s->addr, "unix:%s", path);
    s->is_unix = 1;
    return SOC_OK;
}

static int listen_tcp(soc_server_t *s, soc_error_t *err)
{
    const char *host = s->o.bind_addr != NULL ? s->o.bind_addr : "127.0.0.1";
    char port[16];
    snprintf(port, sizeof port, "%d", s->o.tcp_port);
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
    int g = getaddrinfo(host, port, &hints, &res);
    if (g != 0 || res == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0,
                             "bad bind address '%.80s' (a numeric IPv4 or IPv6 address): %s",
                             host, gai_strerror(g));
    int rc = SOC_OK;
    s->lfd = socket(res->ai_family, SOCK_STREAM, 0);
    int one = 1;
    if (s->lfd < 0 || set_nonblock(s->lfd) != 0 ||
        setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) {
        rc = soc_error_set(err, SOC_EIO, NULL, 0, 0, "socket: %s", strerror(errno));
        goto done;
    }
    if (bind(s->lfd, res->ai_addr, res->ai_addrlen) != 0) {
        rc = soc_error_set(err, SOC_EIO, NULL, 0, 0, "bind %s:%s: %s", host, port,
                           strerror(errno));
        goto done;
    }
    if (listen(s->lfd, 64) != 0) {
        rc = soc_error_set(err, SOC_EIO, NULL, 0, 0, "listen: %s", strerror(errno));
        goto done;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getsockname(s->lfd, (struct sockaddr *)&ss, &sl) != 0) {
        rc = soc_error_set(err, SOC_EIO, NULL, 0, 0, "getsockname: %s", strerror(errno));
        goto done;
    }
    char h[INET6_ADDRSTRLEN] = "?";
    int p = 0;
    if (ss.ss_family == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        inet_ntop(AF_INET, &a->sin_addr, h, sizeof h);
        p = ntohs(a->sin_port);
        snprintf(s->addr, sizeof s->addr, "tcp:%s:%d", h, p);
    } else {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        inet_ntop(AF_INET6, &a->sin6_addr, h, sizeof h);
        p = ntohs(a->sin6_port);
        snprintf(s->addr, sizeof s->addr, "tcp:[%s]:%d", h, p);
    }
done:
    freeaddrinfo(res);
    return rc;
}

int soc_server_create(soc_server_t **out, const soc_server_options_t *o, soc_error_t *err)
{
    if (out == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "missing argument");
    *out = NULL;
    soc_library_init();
    soc_server_t *s = calloc(1, sizeof *s);
    if (s == NULL)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    soc_server_options_default(&s->o);
    if (o != NULL) {
        size_t n = o->struct_size < sizeof s->o ? o->struct_size : sizeof s->o;
        if (n < offsetof(soc_server_options_t, stop_fd) + sizeof(int)) {
            free(s);
            return soc_error_set(err, SOC_EINVAL, NULL, 0, 0,
                                 "server options: struct_size %u is too small",
                                 (unsigned)o->struct_size);
        }
        memcpy(&s->o, o, n);
    }
    if (s->o.max_envs <= 0)
        s->o.max_envs = 1024;
    if (!(s->o.timeout_s > 0))
        s->o.timeout_s = 30;
    if (s->o.max_frame == 0)
        s->o.max_frame = DEFAULT_MAX_FRAME;
    if (s->o.max_frame > ((size_t)1 << 30))
        s->o.max_frame = (size_t)1 << 30;
    if (s->o.max_conns <= 0)
        s->o.max_conns = 256;
    if (s->o.max_envs_per_conn <= 0)
        s->o.max_envs_per_conn = 64;
    if (!(s->o.hello_timeout_s > 0))
        s->o.hello_timeout_s = 10;
    s->out_limit = 4 * s->o.max_frame + OUT_SLACK;
    s->lfd = -1;
    s->next_id = 1;
    s->json.max_tokens = MAX_JSON_TOKENS;
    int rc;
    if (s->o.config_root != NULL) {
        struct stat st;
        if ((s->root = realpath(s->o.config_root, NULL)) == NULL ||
            stat(s->root, &st) != 0 || !S_ISDIR(st.st_mode)) {
            rc = soc_error_set(err, SOC_EINVAL, s->o.config_root, 0, 0,
                               "config root: %s", s->root == NULL ? strerror(errno)
                                                                  : "not a directory");
            goto fail;
        }
    }
    s->o.config_root = s->root;
    if (s->o.tcp_port >= 0) {
        if (s->o.tcp_port > 65535) {
            rc = soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "TCP port %d out of range",
                               s->o.tcp_port);
            goto fail;
        }
        rc = listen_tcp(s, err);
    } else if (s->o.unix_path != NULL) {
        rc = listen_unix(s, s->o.unix_path, err);
    } else {
        const char *tmp = getenv("TMPDIR");
        if (tmp == NULL || tmp[0] == '\0')
            tmp = "/tmp";
        size_t n = strlen(tmp) + 32;
        s->tmpdir = malloc(n);
        char *path = malloc(n + 8);
        if (s->tmpdir == NULL || path == NULL) {
            free(path);
            rc = soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
            goto fail;
        }
        snprintf(s->tmpdir, n, "%s/socsim-XXXXXX", tmp);
        if (mkdtemp(s->tmpdir) == NULL) {
            rc = soc_error_set(err, SOC_EIO, NULL, 0, 0, "cannot create a directory in %s: %s",
                               tmp, strerror(errno));
            free(s->tmpdir);
            s->tmpdir = NULL;
            free(path);
            goto fail;
        }
        snprintf(path, n + 8, "%s/sock", s->tmpdir);
        rc = listen_unix(s, path, err);
        free(path);
    }
    if (rc != SOC_OK)
        goto fail;
    *out = s;
    return SOC_OK;
fail:
    soc_server_destroy(s);
    return rc;
}

const char *soc_server_address(const soc_server_t *s)
{
    return s != NULL ? s->addr : "";
}

/* ------------------------------------------------------- environments */

static int env_find(const soc_server_t *s, uint32_t id)
{
    int lo = 0, hi = s->n_envs - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (s->envs[mid].id == id)
            return mid;
        if (s->envs[mid].id < id)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

static void env_remove(soc_server_t *s, int i)
{
    soc_env_destroy(s->envs[i].env);
    memmove(&s->envs[i], &s->envs[i + 1], sizeof *s->envs * (size_t)(s->n_envs - i - 1));
    s->n_envs--;
}

static void conn_free(soc_server_t *s, conn_t *c)
{
    int w = 0;
    for (int i = 0; i < s->n_envs; i++) {
        if (s->envs[i].owner == c)
            soc_env_destroy(s->envs[i].env);
        else
            s->envs[w++] = s->envs[i];
    }
    s->n_envs = w;
    if (c->fd >= 0)
        close(c->fd);
    soc__buf_free(&c->in);
    soc__buf_free(&c->out);
    free(c);
}

void soc_server_destroy(soc_server_t *s)
{
    if (s == NULL)
        return;
    for (int i = 0; i < s->n_conns; i++)
        conn_free(s, s->conns[i]);
    free(s->conns);
    for (int i = 0; i < s->n_envs; i++)
        soc_env_destroy(s->envs[i].env);
    free(s->envs);
    if (s->lfd >= 0)
        close(s->lfd);
    if (s->unix_path != NULL) {
        struct stat st;
        /* only remove the file if it is still our socket */
        if (lstat(s->unix_path, &st) == 0 && S_ISSOCK(st.st_mode) &&
            st.st_dev == s->sock_dev && st.st_ino == s->sock_ino)
            unlink(s->unix_path);
        free(s->unix_path);
    }
    free(s->root);
    if (s->tmpdir != NULL) {
        rmdir(s->tmpdir);
        free(s->tmpdir);
    }
    soc__json_free(&s->json);
    soc__buf_free(&s->comp);
    free(s->obs);
    free(s->fobs);
    free(s->mask);
    free(s);
}

/* Grow the array whose pointer is at pp (any object pointer type) to hold
 * n elements of size sz. */
static int scratch(void *pp, size_t *cap, size_t n, size_t sz)
{
    if (n == 0)
        n = 1;
    if (n <= *cap)
        return 0;
    void *p;
    memcpy(&p, pp, sizeof p);
    void *np = realloc(p, n * sz);
    if (np == NULL)
        return -1;
    memcpy(pp, &np, sizeof np);
    *cap = n;
    return 0;
}

/* ------------------------------------------------------------ replies */

typedef struct req {
    soc_server_t *s;
    conn_t *c;
    const soc__json_t *j;
    int root;
    char seq[32];          /* raw text of "seq", "" if none */
} req_t;

static size_t reply_begin(req_t *r)
{
    size_t f = soc__frame_begin(&r->c->out);
    soc__buf_puts(&r->c->out, "{\"ok\":true");
    if (r->seq[0] != '\0')
        soc__buf_printf(&r->c->out, ",\"seq\":%s", r->seq);
    return f;
}

/* Close the JSON header; the caller appends the tail then calls
 * reply_end. */
static void reply_json_end(req_t *r, size_t f)
{
    soc__buf_puts(&r->c->out, "}");
    soc__frame_json_done(&r->c->out, f);
}

static void reply_end(req_t *r, size_t f)
{
    soc__frame_done(&r->c->out, f);
    if (r->c->out.oom) {
        /* could not build the reply: drop the connection rather than send a
         * corrupt frame */
        r->c->dead = 1;
    }
}

static int reply_error(req_t *r, int code, const char *fmt, ...) SOC_PRINTF(3, 4);

static int reply_error(req_t *r, int code, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    soc__buf_t *b = &r->c->out;
    size_t f = soc__frame_begin(b);
    soc__buf_puts(b, "{\"ok\":false");
    if (r->seq[0] != '\0')
        soc__buf_printf(b, ",\"seq\":%s", r->seq);
    soc__buf_printf(b, ",\"error\":{\"code\":\"%s\",\"status\":%d,\"msg\":",
                    soc_status_name(code), code);
    soc__buf_json_str(b, msg);
    soc__buf_puts(b, "}}");
    soc__frame_json_done(b, f);
    soc__frame_done(b, f);
    if (b->oom)
        r->c->dead = 1;
    return code;
}

static int reply_soc_error(req_t *r, int code, const soc_error_t *err)
{
    char buf[900];
    const char *m = soc_error_format(err, buf, sizeof buf);
    if (m == NULL || m[0] == '\0')
        m = soc_strerror(code);
    return reply_error(r, code, "%s", m);
}

static void put_key_int(soc__buf_t *b, const char *key, int64_t v)
{
    soc__buf_puts(b, key);
    soc__buf_i64(b, v);
}

/* [[job, app, measured, arrival_us, finish_us, latency_us], ...] */
static void put_completions(soc__buf_t *b, const soc_env_completion_t *c, int n)
{
    soc__buf_putc(b, '[');
    for (int k = 0; k < n; k++) {
        soc__buf_puts(b, k ? ",[" : "[");
        soc__buf_u64(b, c[k].job);
        soc__buf_putc(b, ',');
        soc__buf_i64(b, c[k].app);
        soc__buf_puts(b, c[k].measured ? ",true," : ",false,");
        soc__buf_us(b, c[k].arrival_us);
        soc__buf_putc(b, ',');
        soc__buf_us(b, c[k].finish_us);
        soc__buf_putc(b, ',');
        soc__buf_us(b, c[k].latency_us);
        soc__buf_putc(b, ']');
    }
    soc__buf_putc(b, ']');
}

/* comp: the completions JSON array text (NULL = "[]"). */
static void put_info(soc__buf_t *b, const soc_env_info_t *i, const char *comp, size_t comp_len)
{
    /* hot in batched steps: no printf for the integers and the times */
    soc__buf_puts(b, "{\"t_us\":");
    soc__buf_us(b, i->t_us);
    soc__buf_puts(b, ",\"dt_us\":");
    soc__buf_us(b, i->dt_us);
    put_key_int(b, ",\"step\":", i->step);
    soc__buf_puts(b, i->invalid_action ? ",\"invalid_action\":true" : ",\"invalid_action\":false");
    put_key_int(b, ",\"job\":", i->job);
    put_key_int(b, ",\"task\":", i->task);
    put_key_int(b, ",\"pe\":", i->pe);
    put_key_int(b, ",\"n_ready\":", i->n_ready);
    put_key_int(b, ",\"jobs_in_system\":", i->jobs_in_system);
    put_key_int(b, ",\"completed_jobs\":", i->completed_jobs);
    put_key_int(b, ",\"injected_jobs\":", i->injected_jobs);
    soc__buf_puts(b, ",\"cum_latency_us\":");
    soc__buf_us(b, i->cum_latency_us);
    soc__buf_puts(b, ",\"avg_latency_us\":");
    soc__buf_f64(b, i->avg_latency_us);
    soc__buf_puts(b, ",\"episode_reward\":");
    soc__buf_f64(b, i->episode_reward);
    soc__buf_puts(b, i->done ? ",\"done\":true,\"seed\":" : ",\"done\":false,\"seed\":");
    soc__buf_u64(b, i->seed);
    put_key_int(b, ",\"completed_jobs_all\":", i->completed_jobs_all);
    put_key_int(b, ",\"injected_jobs_all\":", i->injected_jobs_all);
    put_key_int(b, ",\"expert\":", i->expert);
    soc__buf_puts(b, ",\"energy_j\":");
    soc__buf_f64(b, i->energy_j);
    soc__buf_puts(b, ",\"completions\":");
    if (comp != NULL && comp_len > 0)
        soc__buf_put(b, comp, comp_len);
    else
        soc__buf_puts(b, "[]");
    soc__buf_puts(b, "}");
}

/* put_info with the env's own completion list (single reset/step). */
static void put_info_env(soc__buf_t *b, const soc_env_info_t *i, const soc_env_t *env)
{
    soc__buf_t c = {0};
    int n = 0;
    const soc_env_completion_t *cp = soc_env_completions(env, &n);
    if (n > 0) {
        put_completions(&c, cp, n);
        if (c.oom)
            b->oom = 1;
    }
    put_info(b, i, c.d, c.n);
    soc__buf_free(&c);
}

static void put_tail_desc(soc__buf_t *b, const char *name, size_t off, const char *dtype,
                          int rows, int cols, int first)
{
    soc__buf_printf(b, "%s\"%s\":{\"off\":%zu,\"dtype\":\"%s\",\"shape\":", first ? "" : ",",
                    name, off, dtype);
    if (rows < 0)
        soc__buf_printf(b, "[%d]}", cols);
    else
        soc__buf_printf(b, "[%d,%d]}", rows, cols);
}

/* End the reply of a reset or step: the "tail" description, then the tail
 * itself from the server's scratch rows: obs (float32) and mask (uint8) of
 * n rows (n < 0: one row, shapes without the batch dimension), then, when
 * n_final >= 0, final_obs of n_final rows. */
static void reply_obs_tail(req_t *r, size_t f, int n, int dim, int na, int n_final)
{
    soc__buf_t *b = &r->c->out;
    size_t rows = n < 0 ? 1 : (size_t)n, off = 0;
    soc__buf_puts(b, ",\"tail\":{");
    put_tail_desc(b, "obs", off, "<f4", n, dim, 1);
    off += 4 * rows * (size_t)dim;
    put_tail_desc(b, "mask", off, "|u1", n, na, 0);
    off += rows * (size_t)na;
    if (n_final >= 0)
        put_tail_desc(b, "final_obs", off, "<f4", n_final, dim, 0);
    soc__buf_puts(b, "}");
    reply_json_end(r, f);
    soc__buf_f32le(b, r->s->obs, rows * (size_t)dim);
    soc__buf_put(b, r->s->mask, rows * (size_t)na);
    if (n_final >= 0)
        soc__buf_f32le(b, r->s->fobs, (size_t)n_final * (size_t)dim);
    reply_end(r, f);
}

/* Tail of a single reset/step: obs and mask, plus the graph observation
 * when the env was made with option graph=1 (nodes, edges, edge_links,
 * pes; PROTOCOL.md §4.6). */
static void reply_env_tail(req_t *r, size_t f, const envrec_t *e)
{
    soc_env_options_t o;
    soc_env_get_options(e->env, &o);
    soc_obs_graph_t g;
    if (!o.graph || soc_env_graph(e->env, &g) != SOC_OK) {
        reply_obs_tail(r, f, -1, e->obs_dim, e->n_actions, -1);
        return;
    }
    soc__buf_t *b = &r->c->out;
    size_t off = 0;
    int dim = e->obs_dim, na = e->n_actions;
    soc__buf_puts(b, ",\"tail\":{");
    put_tail_desc(b, "obs", off, "<f4", -1, dim, 1);
    off += 4 * (size_t)dim;
    put_tail_desc(b, "mask", off, "|u1", -1, na, 0);
    off += (size_t)na;
    put_tail_desc(b, "nodes", off, "<f4", g.n_nodes, g.node_dim, 0);
    off += 4 * (size_t)g.n_nodes * (size_t)g.node_dim;
    put_tail_desc(b, "edges", off, "<f4", g.n_edges, 1, 0);
    off += 4 * (size_t)g.n_edges;
    put_tail_desc(b, "edge_links", off, "<i8", g.n_edges, 2, 0);
    off += 16 * (size_t)g.n_edges;
    put_tail_desc(b, "pes", off, "<f4", g.n_pes, SOC_OBS_PE_FEATURES, 0);
    soc__buf_puts(b, "}");
    reply_json_end(r, f);
    soc__buf_f32le(b, r->s->obs, (size_t)dim);
    soc__buf_put(b, r->s->mask, (size_t)na);
    soc__buf_f32le(b, g.nodes, (size_t)g.n_nodes * (size_t)g.node_dim);
    soc__buf_f32le(b, g.edges, (size_t)g.n_edges);
    for (size_t k = 0; k < 2 * (size_t)g.n_edges; k++) {
        uint64_t x = (uint64_t)g.edge_links[k];
        unsigned char le[8];
        for (int i = 0; i < 8; i++)
            le[i] = (unsigned char)(x >> (8 * i));
        soc__buf_put(b, le, 8);
    }
    soc__buf_f32le(b, g.pes, (size_t)g.n_pes * SOC_OBS_PE_FEATURES);
    reply_end(r, f);
}

/* ----------------------------------------------------------- requests */

/* The env named by member `key` of the request, owned by this connection.
 * Returns its index or a negative status after replying. */
static int req_env(req_t *r, int tok)
{
    int64_t id;
    if (tok < 0)
        return reply_error(r, SOC_EPROTO, "missing env_id");
    if (soc__json_i64(r->j, tok, &id) != SOC_OK)
        return reply_error(r, SOC_EPROTO, "env_id must be an integer");
    int i = (id > 0 && id <= UINT32_MAX) ? env_find(r->s, (uint32_t)id) : -1;
    if (i < 0 || r->s->envs[i].owner != r->c)
        return reply_error(r, SOC_EINVAL, "unknown env_id %" PRId64, id);
    return i;
}

static int cmd_hello(req_t *r)
{
    int v = soc__json_get(r->j, r->root, "version");
    int64_t ver;
    if (v < 0 || soc__json_i64(r->j, v, &ver) != SOC_OK)
        return reply_error(r, SOC_EPROTO, "hello needs an integer \"version\"");
    if (ver != SOC__PROTOCOL_VERSION) {
        r->c->closing = 1;
        return reply_error(r, SOC_EUNSUPPORTED,
                           "protocol version %" PRId64 " is not supported (this server speaks %d)",
                           ver, SOC__PROTOCOL_VERSION);
    }
    r->c->hello = 1;
    size_t f = reply_begin(r);
    soc__buf_t *b = &r->c->out;
    soc__buf_printf(b, ",\"protocol\":%d,\"server\":", SOC__PROTOCOL_VERSION);
    char sv[64];
    snprintf(sv, sizeof sv, "socsim %s", soc_version());
    soc__buf_json_str(b, sv);
    soc__buf_printf(b, ",\"limits\":{\"max_frame\":%zu,\"max_envs\":%d,\"max_batch\":%d,"
                       "\"timeout_s\":",
                    r->s->o.max_frame, r->s->o.max_envs, MAX_BATCH);
    soc__buf_f64(b, r->s->o.timeout_s);
    soc__buf_printf(b, ",\"max_envs_per_conn\":%d,\"hello_timeout_s\":", r->s->o.max_envs_per_conn);
    soc__buf_f64(b, r->s->o.hello_timeout_s);
    soc__buf_puts(b, "}");
    reply_json_end(r, f);
    reply_end(r, f);
    return SOC_OK;
}

static int describe(req_t *r, const envrec_t *e)
{
    soc_env_spaces_t sp;
    soc_env_options_t o;
    soc_env_spaces(e->env, &sp);
    soc_env_get_options(e->env, &o);
    const soc_config_t *cfg = soc_env_config(e->env);
    soc__buf_t *b = &r->c->out;
    size_t f = reply_begin(r);
    soc__buf_printf(b, ",\"env_id\":%" PRIu32 ",\"obs_dim\":%d,\"n_actions\":%d", e->id,
                    sp.obs_dim, sp.n_actions);
    soc__buf_printf(b, ",\"spaces\":{\"observation\":{\"type\":\"Box\",\"shape\":[%d],"
                       "\"dtype\":\"float32\",\"low\":0.0,\"high\":1.0},"
                       "\"action\":{\"type\":\"Discrete\",\"n\":%d}}",
                    sp.obs_dim, sp.n_actions);
    soc__buf_puts(b, ",\"mask_polarity\":\"1=valid\",\"options\":{");
    soc__buf_printf(b, "\"slots\":%d,\"action_mode\":\"%s\",\"reward\":\"%s\",\"reward_norm\":",
                    o.obs.slots, soc_action_mode_name(o.obs.mode), soc_reward_kind_name(o.reward));
    soc__buf_f64(b, o.reward_norm);
    soc__buf_puts(b, ",\"invalid_penalty\":");
    soc__buf_f64(b, o.invalid_penalty);
    soc__buf_puts(b, ",\"time_us\":");
    soc__buf_f64(b, o.time_us);
    soc__buf_printf(b, ",\"jobs\":%" PRId64 ",\"time_scale_us\":", o.jobs);
    soc__buf_f64(b, o.obs.time_scale_us);
    soc__buf_printf(b, ",\"reward_jobs\":\"%s\",\"energy_norm\":",
                    soc_reward_jobs_name(o.reward_jobs));
    soc__buf_f64(b, o.energy_norm);
    soc__buf_printf(b, ",\"expert\":\"%s\",\"graph\":%d", soc_expert_kind_name(o.expert),
                    o.graph);
    soc__buf_printf(b, "},\"n_pes\":%d,\"pes\":[", sp.n_pes);
    char name[200];
    for (int p = 0; p < sp.n_pes; p++) {
        const char *cn = cfg->platform.clusters[cfg->platform.pe_cluster[p]].name;
        snprintf(name, sizeof name, "%s_%d", cn != NULL ? cn : "pe", p);
        if (p > 0)
            soc__buf_puts(b, ",");
        soc__buf_json_str(b, name);
    }
    soc__buf_puts(b, "],\"features\":[");
    for (int i = 0; i < sp.obs_dim; i++) {
        soc_env_feature_name(e->env, i, name, sizeof name);
        if (i > 0)
            soc__buf_puts(b, ",");
        soc__buf_json_str(b, name);
    }
    soc__buf_puts(b, "]");
    if (o.graph) {
        soc__buf_puts(b, ",\"node_features\":[");
        for (int i = 0; i < SOC_OBS_NODE_FIXED + sp.n_clusters; i++) {
            soc_env_node_feature_name(e->env, i, name, sizeof name);
            if (i > 0)
                soc__buf_puts(b, ",");
            soc__buf_json_str(b, name);
        }
        soc__buf_puts(b, "]");
    }
    soc__buf_puts(b, ",\"tail\":{");
    put_tail_desc(b, "low", 0, "<f4", -1, sp.obs_dim, 1);
    put_tail_desc(b, "high", 4 * (size_t)sp.obs_dim, "<f4", -1, sp.obs_dim, 0);
    soc__buf_puts(b, "}");
    reply_json_end(r, f);
    soc__buf_f32le(b, sp.low, (size_t)sp.obs_dim);
    soc__buf_f32le(b, sp.high, (size_t)sp.obs_dim);
    reply_end(r, f);
    return SOC_OK;
}

/* Fill opts from the request's "options" object. */
static int read_options(req_t *r, int tok, soc_env_options_t *opts)
{
    soc_env_options_default(opts);
    if (tok < 0 || r->j->t[tok].type == SOC__J_NULL)
        return SOC_OK;
    if (r->j->t[tok].type != SOC__J_OBJ)
        return reply_error(r, SOC_EPROTO, "\"options\" must be an object");
    int k = tok + 1;
    for (int m = 0; m < r->j->t[tok].n; m++) {
        int v = r->j->t[k].next;
        char *key = NULL, *val = NULL;
        int rc = soc__json_str_dup(r->j, k, &key);
        if (rc == SOC_OK) {
            const soc__jtok_t *vt = &r->j->t[v];
            if (vt->type == SOC__J_STR) {
                rc = soc__json_str_dup(r->j, v, &val);
            } else if (vt->type == SOC__J_NUM) {
                val = malloc(vt->len + 1);
                if (val == NULL) {
                    rc = SOC_ENOMEM;
                } else {
                    memcpy(val, r->j->src + vt->start, vt->len);
                    val[vt->len] = '\0';
                }
            } else {
                rc = SOC_EPROTO;
            }
        }
        if (rc != SOC_OK) {
            free(key);
            free(val);
            return reply_error(r, rc, "option values must be numbers or strings");
        }
        size_t n = strlen(key) + strlen(val) + 2;
        char *kv = malloc(n);
        soc_error_t err;
        soc_error_clear(&err);
        if (kv == NULL) {
            rc = SOC_ENOMEM;
            soc_error_set(&err, rc, NULL, 0, 0, "out of memory");
        } else {
            snprintf(kv, n, "%s=%s", key, val);
            rc = soc_env_options_set(opts, kv, &err);
        }
        free(kv);
        free(key);
        free(val);
        if (rc != SOC_OK)
            return reply_soc_error(r, rc, &err);
        k = r->j->t[v].next;
    }
    return SOC_OK;
}

/* The file config_path names, as the server may read it (PROTOCOL.md 3.2):
 * under the config root when there is one (symbolic links resolved, so
 * nothing escapes it), refused over TCP without one; a regular file of at
 * most 64 MiB (a FIFO or a device would block the whole server).  On
 * success *out is a malloc'ed path; otherwise the error is replied. */
static int confine_path(req_t *r, const char *text, char **out)
{
    const soc_server_t *s = r->s;
    *out = NULL;
    if (s->root == NULL && !s->is_unix)
        return reply_error(r, SOC_EUNSUPPORTED,
                           "config_path is not accepted over TCP unless the server runs with "
                           "--config-root DIR; send the YAML text in \"config\"");
    char *joined = NULL, *real = NULL;
    if (s->root != NULL && text[0] != '/')
        joined = soc__path_join(s->root, text);
    else
        joined = soc__strdup(text);
    if (joined == NULL)
        return reply_error(r, SOC_ENOMEM, "out of memory");
    const char *why = NULL;
    struct stat st;
    if (s->root != NULL) {
        size_t n = strlen(s->root);
        if ((real = realpath(joined, NULL)) == NULL)
            why = strerror(errno);
        else if (strncmp(real, s->root, n) != 0 ||
                 (real[n] != '/' && real[n] != '\0' && strcmp(s->root, "/") != 0))
            why = "outside the config root";
    }
    const char *use = real != NULL ? real : joined;
    if (why == NULL) {
        if (stat(use, &st) != 0)
            why = strerror(errno);
        else if (!S_ISREG(st.st_mode))
            why = "not a regular file";
        else if (st.st_size > MAX_CONFIG_FILE)
            why = "larger than 64 MiB";
    }
    int rc = SOC_OK;
    if (why != NULL) {
        rc = reply_error(r, SOC_EIO, "config_path %.300s: %s", text, why);
    } else if ((*out = soc__strdup(use)) == NULL) {
        rc = reply_error(r, SOC_ENOMEM, "out of memory");
    }
    free(joined);
    free(real);
    return rc;
}

/* 1 if the file at path is a socsim YAML document: a mapping with the keys
 * of a configuration (platform and applications), a platform (clusters) or
 * an application (tasks).  Errors about any other file must not quote it. */
static int is_socsim_document(const char *path)
{
    soc_ynode_t *root = NULL;
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_CONFIG_FILE ||
        soc_ytree_load(&root, path, NULL) != SOC_OK)
        return 0;
    int yes = root->kind == SOC_YNODE_MAPPING &&
              ((soc_ytree_get(root, "platform") != NULL &&
                soc_ytree_get(root, "applications") != NULL) ||
               soc_ytree_get(root, "clusters") != NULL || soc_ytree_get(root, "tasks") != NULL);
    soc_ytree_free(root);
    return yes;
}

static int cmd_make(req_t *r)
{
    soc_server_t *s = r->s;
    int tc = soc__json_get(r->j, r->root, "config");
    int tp = soc__json_get(r->j, r->root, "config_path");
    if (tc >= 0 && r->j->t[tc].type == SOC__J_NULL)
        tc = -1;
    if (tp >= 0 && r->j->t[tp].type == SOC__J_NULL)
        tp = -1;
    if (tc >= 0 && tp >= 0)
        return reply_error(r, SOC_EPROTO, "give \"config\" or \"config_path\", not both");
    if ((tc >= 0 && r->j->t[tc].type != SOC__J_STR) || (tp >= 0 && r->j->t[tp].type != SOC__J_STR))
        return reply_error(r, SOC_EPROTO, "\"config\" and \"config_path\" must be strings");
    soc_env_options_t opts;
    int rc = read_options(r, soc__json_get(r->j, r->root, "options"), &opts);
    if (rc != SOC_OK)
        return rc;
    if (s->n_envs >= s->o.max_envs)
        return reply_error(r, SOC_ELIMIT, "the server holds its maximum of %d environments",
                           s->o.max_envs);
    int mine = 0;
    for (int i = 0; i < s->n_envs; i++)
        mine += s->envs[i].owner == r->c;
    if (mine >= s->o.max_envs_per_conn)
        return reply_error(r, SOC_ELIMIT,
                           "this connection holds its maximum of %d environments "
                           "(--max-envs-per-conn); close some or open another connection",
                           s->o.max_envs_per_conn);
    if (s->n_envs == s->cap_envs) {
        int nc = s->cap_envs ? 2 * s->cap_envs : 16;
        envrec_t *ne = realloc(s->envs, sizeof *ne * (size_t)nc);
        if (ne == NULL)
            return reply_error(r, SOC_ENOMEM, "out of memory");
        s->envs = ne;
        s->cap_envs = nc;
    }
    char *text = NULL;
    if ((tc >= 0 && (rc = soc__json_str_dup(r->j, tc, &text)) != SOC_OK) ||
        (tp >= 0 && (rc = soc__json_str_dup(r->j, tp, &text)) != SOC_OK))
        return reply_error(r, rc, "bad config string");
    if (tp >= 0) {
        char *path = NULL;
        rc = confine_path(r, text, &path);
        free(text);
        if (rc != SOC_OK)
            return rc;
        text = path;
    }
    soc_config_t cfg;
    soc_config_init(&cfg);
    soc_error_t err;
    soc_error_clear(&err);
    if (tp >= 0)
        rc = soc_load_yaml(&cfg, text, &err);
    else if (tc >= 0)
        rc = soc_load_yaml_string(&cfg, text, "config", NULL, &err);
    else
        rc = soc_load_yaml_string(&cfg, soc_default_config_yaml(), "default", NULL, &err);
    free(text);
    if (rc != SOC_OK) {
        soc_config_free(&cfg);
        /* the error may be in a file the client named (or one its config
         * references): show its text only if that file is a socsim document */
        int quotes = rc != SOC_EIO && rc != SOC_ELIMIT && rc != SOC_ENOMEM;
        if (quotes && err.file[0] != '\0' && (tp >= 0 || strcmp(err.file, "config") != 0) &&
            strcmp(err.file, "default") != 0 && !is_socsim_document(err.file))
            return reply_error(r, rc, "%.300s is not a socsim configuration file (its content "
                                      "is not shown)", err.file);
        return reply_soc_error(r, rc, &err);
    }
    soc_env_t *env = NULL;
    rc = soc_env_create(&env, &cfg, &opts, &err);
    soc_config_free(&cfg);
    if (rc != SOC_OK)
        return reply_soc_error(r, rc, &err);
    envrec_t *e = &s->envs[s->n_envs++];
    memset(e, 0, sizeof *e);
    e->id = s->next_id++;
    e->env = env;
    e->owner = r->c;
    soc_env_spaces_t sp;
    soc_env_spaces(env, &sp);
    e->obs_dim = sp.obs_dim;
    e->n_actions = sp.n_actions;
    return describe(r, e);
}

static int cmd_spaces(req_t *r)
{
    int i = req_env(r, soc__json_get(r->j, r->root, "env_id"));
    if (i < 0)
        return i;
    return describe(r, &r->s->envs[i]);
}

static int cmd_close(req_t *r)
{
    int i = req_env(r, soc__json_get(r->j, r->root, "env_id"));
    if (i < 0)
        return i;
    env_remove(r->s, i);
    size_t f = reply_begin(r);
    reply_json_end(r, f);
    reply_end(r, f);
    return SOC_OK;
}

/* Seed token: absent/null = next seed; else an integer 0..2^64-1. */
static int read_seed(req_t *r, int tok, batch_row_t *row)
{
    row->has_seed = 0;
    if (tok < 0 || r->j->t[tok].type == SOC__J_NULL)
        return SOC_OK;
    if (soc__json_u64(r->j, tok, &row->seed) != SOC_OK)
        return reply_error(r, SOC_EPROTO, "seed must be an integer in 0..2^64-1");
    row->has_seed = 1;
    return SOC_OK;
}

static uint64_t next_seed(const envrec_t *e)
{
    uint64_t last = soc_env_seed(e->env);
    return e->episodes == 0 ? last : last + 1;
}

/* Scratch for n rows of the spaces of env index i. */
static int ensure_rows(soc_server_t *s, int n, int dim, int na, int with_final)
{
    if (scratch(&s->obs, &s->cap_obs, (size_t)n * (size_t)dim, sizeof *s->obs) != 0 ||
        scratch(&s->mask, &s->cap_mask, (size_t)n * (size_t)na, 1) != 0 ||
        (with_final &&
         scratch(&s->fobs, &s->cap_fobs, (size_t)n * (size_t)dim, sizeof *s->fobs) != 0))
        return -1;
    return 0;
}

static int do_reset(req_t *r, int i, batch_row_t *row, float *obs, uint8_t *mask)
{
    envrec_t *e = &r->s->envs[i];
    uint64_t seed = row->has_seed ? row->seed : next_seed(e);
    soc_error_t err;
    soc_error_clear(&err);
    int rc = soc_env_reset(e->env, seed, obs, mask, &row->info, &err);
    e->episodes++;
    if (rc != SOC_OK)
        return reply_soc_error(r, rc, &err);
    return SOC_OK;
}

static int check_reset_options(req_t *r)
{
    int t = soc__json_get(r->j, r->root, "options");
    if (t < 0 || r->j->t[t].type == SOC__J_NULL)
        return SOC_OK;
    if (r->j->t[t].type != SOC__J_OBJ || r->j->t[t].n != 0)
        return reply_error(r, SOC_EINVAL,
                           "reset options must be empty: options are fixed at make");
    return SOC_OK;
}

static int cmd_reset(req_t *r)
{
    int i = req_env(r, soc__json_get(r->j, r->root, "env_id"));
    if (i < 0)
        return i;
    batch_row_t row;
    memset(&row, 0, sizeof row);
    int rc = read_seed(r, soc__json_get(r->j, r->root, "seed"), &row);
    if (rc == SOC_OK)
        rc = check_reset_options(r);
    if (rc != SOC_OK)
        return rc;
    envrec_t *e = &r->s->envs[i];
    if (ensure_rows(r->s, 1, e->obs_dim, e->n_actions, 0) != 0)
        return reply_error(r, SOC_ENOMEM, "out of memory");
    rc = do_reset(r, i, &row, r->s->obs, r->s->mask);
    if (rc != SOC_OK)
        return rc;
    soc__buf_t *b = &r->c->out;
    size_t f = reply_begin(r);
    soc__buf_puts(b, ",\"info\":");
    put_info_env(b, &row.info, e->env);
    reply_env_tail(r, f, e);
    return SOC_OK;
}

static int cmd_step(req_t *r)
{
    int i = req_env(r, soc__json_get(r->j, r->root, "env_id"));
    if (i < 0)
        return i;
    int64_t action;
    if (soc__json_i64_sat(r->j, soc__json_get(r->j, r->root, "action"), &action) != SOC_OK)
        return reply_error(r, SOC_EPROTO, "step needs an integer \"action\"");
    envrec_t *e = &r->s->envs[i];
    if (ensure_rows(r->s, 1, e->obs_dim, e->n_actions, 0) != 0)
        return reply_error(r, SOC_ENOMEM, "out of memory");
    soc_env_step_t st;
    soc_error_t err;
    soc_error_clear(&err);
    int rc = soc_env_step(e->env, action, r->s->obs, r->s->mask, &st, &err);
    if (rc != SOC_OK)
        return reply_soc_error(r, rc, &err);
    soc__buf_t *b = &r->c->out;
    size_t f = reply_begin(r);
    soc__buf_puts(b, ",\"reward\":");
    soc__buf_f64(b, st.reward);
    soc__buf_printf(b, ",\"terminated\":%s,\"truncated\":%s,\"info\":",
                    st.terminated ? "true" : "false", st.truncated ? "true" : "false");
    put_info_env(b, &st.info, e->env);
    reply_env_tail(r, f, e);
    return SOC_OK;
}

/* Validate the env_ids array of a batch into rows[]; every env must belong
 * to this connection, appear once, and share the spaces of the first. */
static int read_batch_envs(req_t *r, batch_row_t **rowsp, int *np)
{
    int ta = soc__json_get(r->j, r->root, "env_ids");
    if (ta < 0 || r->j->t[ta].type != SOC__J_ARR)
        return reply_error(r, SOC_EPROTO, "\"env_ids\" must be an array");
    int n = r->j->t[ta].n;
    if (n > MAX_BATCH)
        return reply_error(r, SOC_ELIMIT, "batch of %d environments (at most %d)", n, MAX_BATCH);
    batch_row_t *rows = calloc((size_t)(n > 0 ? n : 1), sizeof *rows);
    if (rows == NULL)
        return reply_error(r, SOC_ENOMEM, "out of memory");
    r->s->stamp++;
    int k = ta + 1;
    for (int m = 0; m < n; m++) {
        int i = req_env(r, k);
        if (i < 0) {
            free(rows);
            return i;
        }
        envrec_t *e = &r->s->envs[i];
        if (e->stamp == r->s->stamp) {
            free(rows);
            return reply_error(r, SOC_EINVAL, "env_id %" PRIu32 " appears twice in the batch",
                               e->id);
        }
        e->stamp = r->s->stamp;
        if (m > 0 && (e->obs_dim != r->s->envs[rows[0].env].obs_dim ||
                      e->n_actions != r->s->envs[rows[0].env].n_actions)) {
            free(rows);
            return reply_error(r, SOC_EINVAL,
                               "batched environments must have the same spaces "
                               "(env_id %" PRIu32 " differs)", e->id);
        }
        rows[m].env = i;
        k = r->j->t[k].next;
    }
    *rowsp = rows;
    *np = n;
    return SOC_OK;
}

/* ,"infos":[...] of a batch: the step's infos (stepped) or the reset's. */
static void put_batch_infos(soc__buf_t *b, const batch_row_t *rows, int n, int stepped,
                            const soc__buf_t *comp)
{
    soc__buf_puts(b, ",\"infos\":[");
    for (int m = 0; m < n; m++) {
        if (m > 0)
            soc__buf_puts(b, ",");
        if (stepped)
            put_info(b, &rows[m].st.info, comp->d + rows[m].comp_off, rows[m].comp_len);
        else
            put_info(b, &rows[m].info, NULL, 0);
    }
    soc__buf_puts(b, "]");
}

/* The "actions" and "autoreset" of a step_many into rows[] and *autoreset;
 * every env must have a running episode.  Replies on failure. */
static int read_step_args(req_t *r, batch_row_t *rows, int n, int *autoreset)
{
    int tact = soc__json_get(r->j, r->root, "actions");
    if (tact < 0 || r->j->t[tact].type != SOC__J_ARR || r->j->t[tact].n != n)
        return reply_error(r, SOC_EPROTO, "\"actions\" must be an array as long as \"env_ids\"");
    int tauto = soc__json_get(r->j, r->root, "autoreset");
    *autoreset = tauto >= 0 && r->j->t[tauto].type == SOC__J_TRUE;
    if (tauto >= 0 && !*autoreset && r->j->t[tauto].type != SOC__J_FALSE &&
        r->j->t[tauto].type != SOC__J_NULL)
        return reply_error(r, SOC_EPROTO, "\"autoreset\" must be true or false");
    int k = tact + 1;
    for (int m = 0; m < n; m++) {
        if (soc__json_i64_sat(r->j, k, &rows[m].action) != SOC_OK)
            return reply_error(r, SOC_EPROTO, "actions[%d] is not an integer", m);
        if (!soc_env_running(r->s->envs[rows[m].env].env))
            return reply_error(r, SOC_ESTATE,
                               "env_id %" PRIu32 " has no running episode (reset it)",
                               r->s->envs[rows[m].env].id);
        k = r->j->t[k].next;
    }
    return SOC_OK;
}

/* Append the completions of env e's last step to s->comp as row's slice.
 * -1 when s->comp ran out of memory. */
static int note_row_completions(soc_server_t *s, const envrec_t *e, batch_row_t *row)
{
    int nc = 0;
    const soc_env_completion_t *cp = soc_env_completions(e->env, &nc);
    row->comp_off = s->comp.n;
    if (nc > 0)
        put_completions(&s->comp, cp, nc);
    row->comp_len = s->comp.n - row->comp_off;
    return s->comp.oom ? -1 : 0;
}

/* Step every row in order (resetting finished episodes when autoreset,
 * their final observations into s->fobs, *n_reset of them).  Replies on
 * failure; the rows before the failing one stay stepped. */
static int step_rows(req_t *r, batch_row_t *rows, int n, int dim, int na, int autoreset,
                     int *n_reset)
{
    soc__buf_clear(&r->s->comp);
    for (int m = 0; m < n; m++) {
        envrec_t *e = &r->s->envs[rows[m].env];
        float *obs = r->s->obs + (size_t)m * (size_t)dim;
        uint8_t *mask = r->s->mask + (size_t)m * (size_t)na;
        soc_error_t err;
        soc_error_clear(&err);
        int rc = soc_env_step(e->env, rows[m].action, obs, mask, &rows[m].st, &err);
        if (rc != SOC_OK) {
            char buf[700];
            return reply_error(r, rc,
                               "env_id %" PRIu32 ": %s (environments before it in the batch "
                               "were stepped)",
                               e->id, soc_error_format(&err, buf, sizeof buf));
        }
        if (note_row_completions(r->s, e, &rows[m]) != 0)
            return reply_error(r, SOC_ENOMEM, "out of memory");
        if (autoreset && (rows[m].st.terminated || rows[m].st.truncated)) {
            memcpy(r->s->fobs + (size_t)*n_reset * (size_t)dim, obs, sizeof *obs * (size_t)dim);
            (*n_reset)++;
            rows[m].reset = 1;
            rows[m].has_seed = 0;
            rc = do_reset(r, rows[m].env, &rows[m], obs, mask);
            if (rc != SOC_OK)
                return rc; /* do_reset replied already; the batch result is lost */
        }
    }
    return SOC_OK;
}

/* ,"rewards":[...],"terminated":[...],"truncated":[...],"reset":[...] of a
 * step_many reply. */
static void put_step_rows(soc__buf_t *b, const batch_row_t *rows, int n)
{
    soc__buf_puts(b, ",\"rewards\":[");
    for (int m = 0; m < n; m++) {
        if (m > 0)
            soc__buf_puts(b, ",");
        soc__buf_f64(b, rows[m].st.reward);
    }
    soc__buf_puts(b, "],\"terminated\":[");
    for (int m = 0; m < n; m++)
        soc__buf_printf(b, "%s%s", m ? "," : "", rows[m].st.terminated ? "true" : "false");
    soc__buf_puts(b, "],\"truncated\":[");
    for (int m = 0; m < n; m++)
        soc__buf_printf(b, "%s%s", m ? "," : "", rows[m].st.truncated ? "true" : "false");
    soc__buf_puts(b, "],\"reset\":[");
    for (int m = 0; m < n; m++)
        soc__buf_printf(b, "%s%s", m ? "," : "", rows[m].reset ? "true" : "false");
    soc__buf_puts(b, "]");
}

static int cmd_step_many(req_t *r)
{
    batch_row_t *rows = NULL;
    int n = 0;
    int rc = read_batch_envs(r, &rows, &n);
    if (rc != SOC_OK)
        return rc;
    int autoreset = 0;
    rc = read_step_args(r, rows, n, &autoreset);
    if (rc != SOC_OK) {
        free(rows);
        return rc;
    }
    int dim = n > 0 ? r->s->envs[rows[0].env].obs_dim : 0;
    int na = n > 0 ? r->s->envs[rows[0].env].n_actions : 0;
    if (ensure_rows(r->s, n, dim, na, autoreset) != 0) {
        free(rows);
        return reply_error(r, SOC_ENOMEM, "out of memory");
    }
    int n_reset = 0;
    rc = step_rows(r, rows, n, dim, na, autoreset, &n_reset);
    if (rc != SOC_OK) {
        free(rows);
        return rc;
    }
    soc__buf_t *b = &r->c->out;
    size_t f = reply_begin(r);
    soc__buf_printf(b, ",\"n\":%d", n);
    put_step_rows(b, rows, n);
    put_batch_infos(b, rows, n, 1, &r->s->comp);
    reply_obs_tail(r, f, n, dim, na, autoreset ? n_reset : -1);
    free(rows);
    return SOC_OK;
}

static int cmd_reset_many(req_t *r)
{
    batch_row_t *rows = NULL;
    int n = 0;
    int rc = read_batch_envs(r, &rows, &n);
    if (rc != SOC_OK)
        return rc;
    int ts = soc__json_get(r->j, r->root, "seeds");
    if (ts >= 0 && r->j->t[ts].type != SOC__J_NULL) {
        if (r->j->t[ts].type != SOC__J_ARR || r->j->t[ts].n != n) {
            free(rows);
            return reply_error(r, SOC_EPROTO, "\"seeds\" must be an array as long as \"env_ids\"");
        }
        int k = ts + 1;
        for (int m = 0; m < n; m++) {
            rc = read_seed(r, k, &rows[m]);
            if (rc != SOC_OK) {
                free(rows);
                return rc;
            }
            k = r->j->t[k].next;
        }
    }
    int dim = n > 0 ? r->s->envs[rows[0].env].obs_dim : 0;
    int na = n > 0 ? r->s->envs[rows[0].env].n_actions : 0;
    if (ensure_rows(r->s, n, dim, na, 0) != 0) {
        free(rows);
        return reply_error(r, SOC_ENOMEM, "out of memory");
    }
    for (int m = 0; m < n; m++) {
        rc = do_reset(r, rows[m].env, &rows[m], r->s->obs + (size_t)m * (size_t)dim,
                      r->s->mask + (size_t)m * (size_t)na);
        if (rc != SOC_OK) {
            free(rows);
            return rc;
        }
    }
    soc__buf_t *b = &r->c->out;
    size_t f = reply_begin(r);
    soc__buf_printf(b, ",\"n\":%d", n);
    put_batch_infos(b, rows, n, 0, &r->s->comp);
    reply_obs_tail(r, f, n, dim, na, -1);
    free(rows);
    return SOC_OK;
}

static int cmd_bye(req_t *r)
{
    size_t f = reply_begin(r);
    reply_json_end(r, f);
    reply_end(r, f);
    r->c->closing = 1;
    return SOC_OK;
}

typedef struct cmd {
    const char *name;
    int (*fn)(req_t *r);
} cmd_t;

static const cmd_t commands[] = {
    {"hello", cmd_hello},         {"make", cmd_make},
    {"spaces", cmd_spaces},       {"reset", cmd_reset},
    {"step", cmd_step},           {"step_many", cmd_step_many},
    {"reset_many", cmd_reset_many}, {"close", cmd_close},
    {"bye", cmd_bye},             {NULL, NULL},
};

static void handle_frame(soc_server_t *s, conn_t *c, const char *json, size_t jlen,
                         size_t tail_len)
{
    req_t r = {s, c, &s->json, 0, ""};
    char msg[160];
    if (tail_len != 0) {
        reply_error(&r, SOC_EPROTO, "requests carry no binary tail (got %zu bytes)", tail_len);
        return;
    }
    int rc = soc__json_parse(&s->json, json, jlen, msg, sizeof msg);
    if (rc != SOC_OK) {
        reply_error(&r, rc, "%s", msg);
        return;
    }
    if (s->json.t[0].type != SOC__J_OBJ) {
        reply_error(&r, SOC_EPROTO, "a request is a JSON object");
        return;
    }
    int seq = soc__json_get(&s->json, 0, "seq");
    int64_t sv;
    uint64_t su;
    if (seq >= 0 && soc__json_i64(&s->json, seq, &sv) == SOC_OK) {
        snprintf(r.seq, sizeof r.seq, "%" PRId64, sv);
    } else if (seq >= 0 && soc__json_u64(&s->json, seq, &su) == SOC_OK) {
        snprintf(r.seq, sizeof r.seq, "%" PRIu64, su);
    } else if (seq >= 0 && s->json.t[seq].type != SOC__J_NULL) {
        reply_error(&r, SOC_EPROTO, "\"seq\" must be an integer in -2^63 .. 2^64-1");
        return;
    }
    int tcmd = soc__json_get(&s->json, 0, "cmd");
    if (tcmd < 0 || s->json.t[tcmd].type != SOC__J_STR) {
        reply_error(&r, SOC_EPROTO, "a request needs a string \"cmd\"");
        return;
    }
    for (const cmd_t *k = commands; k->name != NULL; k++) {
        if (!soc__json_str_eq(&s->json, tcmd, k->name))
            continue;
        if (!c->hello && k->fn != cmd_hello) {
            reply_error(&r, SOC_ESTATE, "the first request must be hello");
            return;
        }
        k->fn(&r);
        return;
    }
    const soc__jtok_t *t = &s->json.t[tcmd];
    reply_error(&r, SOC_EPROTO, "unknown cmd \"%.*s\"", (int)(t->len > 40 ? 40 : t->len),
                json + t->start);
}

/* -------------------------------------------------------- connections */

static size_t out_pending(const conn_t *c)
{
    return c->out.n - c->out_sent;
}

static void conn_flush(conn_t *c, double now)
{
    size_t before = c->out_sent;
    while (c->out_sent < c->out.n) {
        ssize_t k = send(c->fd, c->out.d + c->out_sent, c->out.n - c->out_sent,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
        if (k > 0) {
            c->out_sent += (size_t)k;
            continue;
        }
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        c->dead = 1; /* EPIPE, ECONNRESET...: the client is gone */
        return;
    }
    if (c->out_sent == c->out.n) {
        c->out.n = c->out_sent = 0;
        if (c->out.cap > ((size_t)8 << 20))
            soc__buf_free(&c->out);
        c->stall_since = -1;
    } else if (c->out_sent != before || c->stall_since < 0) {
        /* the clock starts when the reply starts to be written (now, not
         * when the poll round began: the request may have run for long),
         * and restarts at every progress */
        (void)now;
        c->stall_since = mono_now();
    }
}

/* Handle the complete frames in c->in. */
static void conn_process(soc_server_t *s, conn_t *c, double now)
{
    size_t off = 0;
    while (!c->closing && !c->dead && out_pending(c) <= s->out_limit) {
        size_t avail = c->in.n - off;
        if (avail < 8)
            break;
        const unsigned char *h = (const unsigned char *)c->in.d + off;
        uint32_t L = soc__be32(h), J = soc__be32(h + 4);
        req_t r = {s, c, &s->json, 0, ""};
        if (L < 4 || J > L - 4) {
            reply_error(&r, SOC_EPROTO, "bad frame header (L=%" PRIu32 ", J=%" PRIu32 ")", L, J);
            c->closing = 1;
            break;
        }
        if (L > s->o.max_frame) {
            reply_error(&r, SOC_ELIMIT, "frame of %" PRIu32 " bytes exceeds the cap of %zu",
                        L, s->o.max_frame);
            c->closing = 1;
            break;
        }
        if (avail < 4 + (size_t)L)
            break;
        handle_frame(s, c, (const char *)h + 8, J, (size_t)L - 4 - J);
        off += 4 + (size_t)L;
    }
    if (off > 0) {
        memmove(c->in.d, c->in.d + off, c->in.n - off);
        c->in.n -= off;
    }
    if (c->closing)
        c->in.n = 0;
    /* an incomplete frame starts the read timeout */
    int partial = 0;
    if (c->in.n > 0) {
        if (c->in.n < 8) {
            partial = 1;
        } else {
            uint32_t L = soc__be32((const unsigned char *)c->in.d);
            partial = c->in.n < 4 + (size_t)L;
        }
    }
    if (!partial)
        c->partial_since = -1;
    else if (c->partial_since < 0)
        c->partial_since = mono_now(); /* fresh: a request may have run long */
}

static int conn_can_read(const soc_server_t *s, const conn_t *c)
{
    return !c->closing && !c->dead && out_pending(c) <= s->out_limit &&
           c->in.n < s->o.max_frame + 8;
}

static void conn_read(soc_server_t *s, conn_t *c, double now)
{
    size_t got = 0;
    while (conn_can_read(s, c) && got < READ_BUDGET) {
        if (soc__buf_reserve(&c->in, READ_CHUNK) != 0) {
            c->dead = 1;
            return;
        }
        size_t room = c->in.cap - c->in.n;
        size_t cap = s->o.max_frame + 8 + READ_CHUNK;
        if (c->in.n + room > cap)
            room = cap > c->in.n ? cap - c->in.n : 0;
        if (room == 0)
            break;
        ssize_t k = recv(c->fd, c->in.d + c->in.n, room, MSG_DONTWAIT);
        if (k > 0) {
            c->in.n += (size_t)k;
            got += (size_t)k;
            continue;
        }
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        /* EOF or error: answer what is complete, then close */
        conn_process(s, c, now);
        c->closing = 1;
        if (k < 0)
            c->dead = 1;
        return;
    }
    conn_process(s, c, now);
}

static void conn_service(soc_server_t *s, conn_t *c, double now)
{
    /* replies to pipelined requests may have been held back by the output
     * bound: keep going while flushing makes room */
    for (int round = 0; round < 64 && !c->dead; round++) {
        conn_flush(c, now);
        if (c->dead || c->closing || out_pending(c) > s->out_limit || c->in.n < 8)
            break;
        size_t before = c->in.n;
        conn_process(s, c, now);
        if (c->in.n == before)
            break;
    }
}

/* The table is full: make room by dropping the oldest connection that has
 * not said hello yet (it costs its client nothing but a reconnect), so idle
 * or hostile connections can never lock a new client out. */
static void evict_silent(soc_server_t *s)
{
    int oldest = -1;
    for (int i = 0; i < s->n_conns; i++) {
        const conn_t *c = s->conns[i];
        if (!c->hello && (oldest < 0 || c->since < s->conns[oldest]->since))
            oldest = i;
    }
    if (oldest < 0)
        return;
    conn_t *c = s->conns[oldest];
    req_t r = {s, c, &s->json, 0, ""};
    reply_error(&r, SOC_ELIMIT, "connection table full: dropped before its hello");
    conn_flush(c, 0);
    conn_free(s, c);
    memmove(&s->conns[oldest], &s->conns[oldest + 1],
            sizeof *s->conns * (size_t)(s->n_conns - oldest - 1));
    s->n_conns--;
}

static void accept_all(soc_server_t *s)
{
    for (int k = 0; k < 64; k++) {
        int fd = accept(s->lfd, NULL, NULL);
        if (fd < 0)
            return; /* EAGAIN, or a transient error (ECONNABORTED, EMFILE) */
        if (set_nonblock(fd) != 0) {
            close(fd);
            continue;
        }
        if (!s->is_unix) {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        }
        if (s->n_conns >= s->o.max_conns)
            evict_silent(s);
        if (s->n_conns >= s->o.max_conns) {
            /* best effort: say why before closing */
            conn_t tmp;
            memset(&tmp, 0, sizeof tmp);
            tmp.fd = fd;
            req_t r = {s, &tmp, &s->json, 0, ""};
            reply_error(&r, SOC_ELIMIT, "too many connections (%d)", s->o.max_conns);
            if (!tmp.out.oom)
                (void)send(fd, tmp.out.d, tmp.out.n, MSG_NOSIGNAL | MSG_DONTWAIT);
            soc__buf_free(&tmp.out);
            close(fd);
            continue;
        }
        if (s->n_conns == s->cap_conns) {
            int nc = s->cap_conns ? 2 * s->cap_conns : 8;
            conn_t **ncs = realloc(s->conns, sizeof *ncs * (size_t)nc);
            if (ncs == NULL) {
                close(fd);
                continue;
            }
            s->conns = ncs;
            s->cap_conns = nc;
        }
        conn_t *c = calloc(1, sizeof *c);
        if (c == NULL) {
            close(fd);
            continue;
        }
        c->fd = fd;
        c->partial_since = -1;
        c->stall_since = -1;
        c->since = mono_now();
        s->conns[s->n_conns++] = c;
        s->served = 1;
    }
}

/* Fill pfd[] for one poll round: the listening socket first, then the stop
 * fd if any (*stop_idx, else -1), then one entry per connection from
 * *first_conn on.  Returns the number of entries. */
static int poll_fill(const soc_server_t *s, struct pollfd *pfd, int *stop_idx, int *first_conn)
{
    int np = 0;
    pfd[np].fd = s->lfd;
    pfd[np].events = POLLIN;
    pfd[np++].revents = 0;
    *stop_idx = -1;
    if (s->o.stop_fd >= 0) {
        *stop_idx = np;
        pfd[np].fd = s->o.stop_fd;
        pfd[np].events = POLLIN;
        pfd[np++].revents = 0;
    }
    *first_conn = np;
    for (int i = 0; i < s->n_conns; i++) {
        const conn_t *c = s->conns[i];
        pfd[np].fd = c->fd;
        pfd[np].events = (short)((conn_can_read(s, c) ? POLLIN : 0) |
                                 (out_pending(c) > 0 ? POLLOUT : 0));
        pfd[np++].revents = 0;
    }
    return np;
}

/* poll() timeout in ms at time now: until the earliest read, stall or hello
 * deadline of a connection, -1 (none) when no connection has one. */
static int poll_timeout_ms(const soc_server_t *s, double now)
{
    double deadline = -1;
    for (int i = 0; i < s->n_conns; i++) {
        const conn_t *c = s->conns[i];
        double t0 = c->partial_since >= 0 ? c->partial_since : -1;
        if (c->stall_since >= 0 && (t0 < 0 || c->stall_since < t0))
            t0 = c->stall_since;
        if (t0 >= 0 && (deadline < 0 || t0 + s->o.timeout_s < deadline))
            deadline = t0 + s->o.timeout_s;
        if (!c->hello && (deadline < 0 || c->since + s->o.hello_timeout_s < deadline))
            deadline = c->since + s->o.hello_timeout_s;
    }
    int timeout_ms = -1;
    if (deadline >= 0) {
        double ms = (deadline - now) * 1000.0 + 1;
        timeout_ms = ms < 0 ? 0 : ms > 3600000 ? 3600000 : (int)ms;
    }
    return timeout_ms;
}

/* Read from and serve the first n_polled connections after poll() (their
 * entries start at pfd[first_conn]). */
static void poll_dispatch(soc_server_t *s, const struct pollfd *pfd, int first_conn,
                          int n_polled, double now)
{
    for (int i = 0; i < n_polled; i++) {
        conn_t *c = s->conns[i];
        short re = pfd[first_conn + i].revents;
        if (re & POLLNVAL) {
            c->dead = 1;
            continue;
        }
        if (re & (POLLIN | POLLHUP | POLLERR)) {
            if (conn_can_read(s, c))
                conn_read(s, c, now);
            else if (re & POLLERR)
                c->dead = 1;
        }
        if (!c->dead)
            conn_service(s, c, now);
    }
}

/* Apply the read, stall and hello timeouts, then free finished connections
 * and compact the table. */
static void sweep_conns(soc_server_t *s, double now)
{
    int w = 0;
    for (int i = 0; i < s->n_conns; i++) {
        conn_t *c = s->conns[i];
        if (!c->dead && c->partial_since >= 0 && now - c->partial_since >= s->o.timeout_s) {
            req_t r = {s, c, &s->json, 0, ""};
            reply_error(&r, SOC_EPROTO, "read timeout: incomplete frame for %.0f s",
                        s->o.timeout_s);
            conn_flush(c, now);
            c->dead = 1;
        }
        if (!c->dead && c->stall_since >= 0 && now - c->stall_since >= s->o.timeout_s)
            c->dead = 1;
        if (!c->dead && !c->hello && !c->closing && now - c->since >= s->o.hello_timeout_s) {
            req_t r = {s, c, &s->json, 0, ""};
            reply_error(&r, SOC_ESTATE, "no hello within %g s", s->o.hello_timeout_s);
            conn_flush(c, now);
            c->closing = 1;
        }
        if (!c->dead && c->closing && out_pending(c) == 0)
            c->dead = 1;
        if (c->dead)
            conn_free(s, c);
        else
            s->conns[w++] = c;
    }
    s->n_conns = w;
}

int soc_server_run(soc_server_t *s, soc_error_t *err)
{
    if (s == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "no server");
    struct pollfd *pfd = NULL;
    size_t cap_pfd = 0;
    int rc = SOC_OK;
    for (;;) {
        if (s->o.once && s->served && s->n_conns == 0)
            break;
        if (scratch(&pfd, &cap_pfd, (size_t)s->n_conns + 2, sizeof *pfd) != 0) {
            rc = soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
            break;
        }
        int stop_idx, first_conn;
        int np = poll_fill(s, pfd, &stop_idx, &first_conn);
        double now = mono_now();
        int n = poll(pfd, (nfds_t)np, poll_timeout_ms(s, now));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            rc = soc_error_set(err, SOC_EIO, NULL, 0, 0, "poll: %s", strerror(errno));
            break;
        }
        now = mono_now();
        if (stop_idx >= 0 && (pfd[stop_idx].revents & (POLLIN | POLLHUP | POLLERR)))
            break;
        poll_dispatch(s, pfd, first_conn, np - first_conn, now);
        if (pfd[0].revents & POLLIN)
            accept_all(s);
        /* timeouts, and removal of finished connections */
        sweep_conns(s, now);
    }
    free(pfd);
    return rc;
}
