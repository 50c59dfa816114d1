/*
 * check_server.c -- the environment server (gym/server.c) over real
 * sockets: the server runs in a forked child on a temporary Unix socket (or
 * loopback TCP) and the test talks the wire protocol of gym/PROTOCOL.md to
 * it.  Handshake, make/reset/step against the in-process environment (bit
 * for bit), batches, malformed and oversize frames, a client vanishing
 * mid-episode, read timeouts, limits.  Every wait is bounded.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include "soc/gym.h"
#include "soc/server.h"
#include "soc/workload.h"
#include "test_support.h"
#include "../gym/protocol.h"

#define WAIT_S 10.0

/* ------------------------------------------------------------- server */

typedef struct srv {
    soc_server_t *s;
    pid_t pid;
    int stop_w;          /* closing it stops the child */
    char dir[64];
    char addr[200];
} srv_t;

static void srv_start_opts(srv_t *v, soc_server_options_t *o)
{
    memset(v, 0, sizeof *v);
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    o->stop_fd = p[0];
    soc_error_t err = {0};
    char buf[800];
    int rc = soc_server_create(&v->s, o, &err);
    ck_assert_msg(rc == SOC_OK, "server: %s", soc_error_format(&err, buf, sizeof buf));
    snprintf(v->addr, sizeof v->addr, "%s", soc_server_address(v->s));
    v->pid = fork();
    ck_assert(v->pid >= 0);
    if (v->pid == 0) {
        close(p[1]);
        int r = soc_server_run(v->s, NULL);
        _exit(r == SOC_OK ? 0 : 3);
    }
    close(p[0]);
    v->stop_w = p[1];
}

static void srv_start(srv_t *v, double timeout_s, int max_envs)
{
    soc_server_options_t o;
    soc_server_options_default(&o);
    static char path[128];
    char dir[] = "/tmp/socsim-test-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/s.sock", dir);
    o.unix_path = path;
    o.timeout_s = timeout_s;
    o.max_envs = max_envs;
    o.max_frame = 65536;
    srv_start_opts(v, &o);
    snprintf(v->dir, sizeof v->dir, "%s", dir);
}

/* 1 if the child is still running. */
static int srv_alive(const srv_t *v)
{
    return waitpid(v->pid, NULL, WNOHANG) == 0;
}

/* Wait (bounded) for the child; returns its exit status or -1. */
static int srv_wait(srv_t *v, double limit_s)
{
    for (int i = 0; i < (int)(limit_s * 100); i++) {
        int st;
        pid_t r = waitpid(v->pid, &st, WNOHANG);
        if (r == v->pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    kill(v->pid, SIGKILL);
    waitpid(v->pid, NULL, 0);
    return -1;
}

static void srv_stop(srv_t *v)
{
    close(v->stop_w);
    ck_assert_int_eq(srv_wait(v, WAIT_S), 0);
    soc_server_destroy(v->s);
    if (v->dir[0] != '\0')
        rmdir(v->dir);
}

/* ------------------------------------------------------------- client */

typedef struct cl {
    int fd;
    char *body;          /* last frame after the length field */
    size_t len;
    soc__json_t j;
    const char *tail;
    size_t tail_len;
} cl_t;

static int connect_addr(const char *addr)
{
    int fd;
    if (strncmp(addr, "unix:", 5) == 0) {
        struct sockaddr_un sa;
        memset(&sa, 0, sizeof sa);
        sa.sun_family = AF_UNIX;
        snprintf(sa.sun_path, sizeof sa.sun_path, "%s", addr + 5);
        fd = socket(AF_UNIX, SOCK_STREAM, 0);
        ck_assert(fd >= 0);
        ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    } else {
        ck_assert(strncmp(addr, "tcp:127.0.0.1:", 14) == 0);
        struct sockaddr_in sa;
        memset(&sa, 0, sizeof sa);
        sa.sin_family = AF_INET;
        sa.sin_port = htons((uint16_t)atoi(addr + 14));
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        fd = socket(AF_INET, SOCK_STREAM, 0);
        ck_assert(fd >= 0);
        ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    }
    return fd;
}

static void cl_open(cl_t *c, const srv_t *v)
{
    memset(c, 0, sizeof *c);
    c->fd = connect_addr(v->addr);
}

static void cl_close(cl_t *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    free(c->body);
    c->body = NULL;
    soc__json_free(&c->j);
}

static void send_all(int fd, const void *p, size_t n)
{
    const char *b = p;
    while (n > 0) {
        ssize_t k = send(fd, b, n, MSG_NOSIGNAL);
        ck_assert_msg(k > 0, "send: %s", strerror(errno));
        b += k;
        n -= (size_t)k;
    }
}

static void cl_send(cl_t *c, const char *json)
{
    size_t j = strlen(json);
    unsigned char h[8];
    uint32_t L = (uint32_t)(4 + j), J = (uint32_t)j;
    for (int i = 0; i < 4; i++) {
        h[i] = (unsigned char)(L >> (24 - 8 * i));
        h[4 + i] = (unsigned char)(J >> (24 - 8 * i));
    }
    send_all(c->fd, h, 8);
    send_all(c->fd, json, j);
}

/* Read exactly n bytes within the deadline: 1 ok, 0 EOF, -1 timeout. */
static int read_exact(int fd, void *p, size_t n, double limit_s)
{
    char *b = p;
    while (n > 0) {
        struct pollfd pf = {fd, POLLIN, 0};
        int r = poll(&pf, 1, (int)(limit_s * 1000));
        if (r == 0)
            return -1;
        ck_assert(r > 0);
        ssize_t k = recv(fd, b, n, 0);
        if (k == 0 || (k < 0 && errno == ECONNRESET))
            return 0;
        ck_assert_msg(k > 0, "recv: %s", strerror(errno));
        b += k;
        n -= (size_t)k;
    }
    return 1;
}

/* Receive one reply: 1 ok (header parsed into c->j), 0 EOF, -1 timeout. */
static int cl_recv(cl_t *c)
{
    unsigned char h[8];
    int r = read_exact(c->fd, h, 8, WAIT_S);
    if (r != 1)
        return r;
    uint32_t L = soc__be32(h), J = soc__be32(h + 4);
    ck_assert(L >= 4 && J <= L - 4);
    free(c->body);
    c->body = malloc(L);
    ck_assert_ptr_nonnull(c->body);
    c->len = L - 4;
    ck_assert_int_eq(read_exact(c->fd, c->body, c->len, WAIT_S), 1);
    char msg[200];
    ck_assert_msg(soc__json_parse(&c->j, c->body, J, msg, sizeof msg) == SOC_OK, "reply: %s", msg);
    c->tail = c->body + J;
    c->tail_len = c->len - J;
    return 1;
}

static int cl_call(cl_t *c, const char *json)
{
    cl_send(c, json);
    ck_assert_int_eq(cl_recv(c), 1);
    int ok = soc__json_get(&c->j, 0, "ok");
    ck_assert(ok >= 0);
    return c->j.t[ok].type == SOC__J_TRUE;
}

static int64_t get_int(cl_t *c, int obj, const char *key)
{
    int64_t v;
    ck_assert_msg(soc__json_i64(&c->j, soc__json_get(&c->j, obj, key), &v) == SOC_OK, "%s", key);
    return v;
}

static double tok_double(cl_t *c, int t)
{
    ck_assert(t >= 0 && c->j.t[t].type == SOC__J_NUM);
    char buf[64];
    size_t n = c->j.t[t].len < 63 ? c->j.t[t].len : 63;
    memcpy(buf, c->j.src + c->j.t[t].start, n);
    buf[n] = '\0';
    return strtod(buf, NULL);
}

static int get_bool(cl_t *c, int obj, const char *key)
{
    int t = soc__json_get(&c->j, obj, key);
    ck_assert(t >= 0 && (c->j.t[t].type == SOC__J_TRUE || c->j.t[t].type == SOC__J_FALSE));
    return c->j.t[t].type == SOC__J_TRUE;
}

/* The error code string of a failed reply. */
static void expect_error(cl_t *c, const char *code)
{
    int e = soc__json_get(&c->j, 0, "error");
    ck_assert_msg(e >= 0, "no error object");
    ck_assert_msg(soc__json_str_eq(&c->j, soc__json_get(&c->j, e, "code"), code),
                  "expected %s in %.*s", code, (int)c->j.t[0].len, c->j.src);
    int m = soc__json_get(&c->j, e, "msg");
    ck_assert(m >= 0 && c->j.t[m].len > 0);
}

/* A tail array: offset and element count checked against the tail. */
static const void *tail_arr(cl_t *c, const char *name, const char *dtype, int rows, int cols)
{
    int t = soc__json_get(&c->j, soc__json_get(&c->j, 0, "tail"), name);
    ck_assert_msg(t >= 0, "no tail array %s", name);
    ck_assert(soc__json_str_eq(&c->j, soc__json_get(&c->j, t, "dtype"), dtype));
    int shape = soc__json_get(&c->j, t, "shape");
    size_t count = 1;
    for (int k = 0; k < c->j.t[shape].n; k++) {
        int64_t d;
        ck_assert_int_eq(soc__json_i64(&c->j, soc__json_at(&c->j, shape, k), &d), SOC_OK);
        count *= (size_t)d;
    }
    ck_assert_uint_eq(count, (size_t)rows * (size_t)cols);
    int64_t off = get_int(c, t, "off");
    size_t esz = dtype[1] == 'f' ? 4 : 1;
    ck_assert((size_t)off + count * esz <= c->tail_len);
    return c->tail + off;
}

static void hello(cl_t *c)
{
    ck_assert(cl_call(c, "{\"cmd\":\"hello\",\"version\":1}"));
}

/* ------------------------------------------------------------- tests */

START_TEST(test_handshake)
{
    srv_t v;
    srv_start(&v, 5, 16);
    struct stat st;
    ck_assert_int_eq(stat(v.addr + 5, &st), 0);
    ck_assert(S_ISSOCK(st.st_mode));
    ck_assert_int_eq(st.st_mode & 0777, 0600);

    cl_t c;
    cl_open(&c, &v);
    ck_assert(!cl_call(&c, "{\"cmd\":\"make\",\"seq\":5}"));
    expect_error(&c, "SOC_ESTATE");
    ck_assert_int_eq(get_int(&c, 0, "seq"), 5);
    ck_assert(cl_call(&c, "{\"cmd\":\"hello\",\"version\":1,\"client\":\"check\",\"seq\":-9}"));
    ck_assert_int_eq(get_int(&c, 0, "protocol"), 1);
    ck_assert_int_eq(get_int(&c, 0, "seq"), -9);
    int lim = soc__json_get(&c.j, 0, "limits");
    ck_assert_int_eq(get_int(&c, lim, "max_frame"), 65536);
    ck_assert_int_eq(get_int(&c, lim, "max_envs"), 16);
    ck_assert(cl_call(&c, "{\"cmd\":\"bye\"}"));
    ck_assert_int_eq(cl_recv(&c), 0); /* the server closed */
    cl_close(&c);

    cl_open(&c, &v);
    ck_assert(!cl_call(&c, "{\"cmd\":\"hello\",\"version\":2}"));
    expect_error(&c, "SOC_EUNSUPPORTED");
    ck_assert_int_eq(cl_recv(&c), 0);
    cl_close(&c);
    ck_assert(srv_alive(&v));
    srv_stop(&v);
    /* the socket file is gone */
    ck_assert(stat(v.addr + 5, &st) != 0);
}
END_TEST

/* make/reset/step through the server equal the in-process environment. */
START_TEST(test_episode_matches_in_process)
{
    srv_t v;
    srv_start(&v, 5, 16);
    cl_t c;
    cl_open(&c, &v);
    hello(&c);
    ck_assert(cl_call(&c, "{\"cmd\":\"make\",\"config\":null,"
                          "\"options\":{\"jobs\":12,\"slots\":4,\"reward_norm\":\"250\"}}"));
    int64_t id = get_int(&c, 0, "env_id");
    int dim = (int)get_int(&c, 0, "obs_dim"), na = (int)get_int(&c, 0, "n_actions");
    int feats = soc__json_get(&c.j, 0, "features");
    ck_assert_int_eq(c.j.t[feats].n, dim);
    ck_assert(soc__json_str_eq(&c.j, soc__json_at(&c.j, feats, 0), "slot0.valid"));
    const float *low = tail_arr(&c, "low", "<f4", 1, dim);
    float l0;
    memcpy(&l0, low, 4);
    ck_assert_float_eq(l0, 0.0f);
    ck_assert(soc__json_str_eq(&c.j, soc__json_get(&c.j, 0, "mask_polarity"), "1=valid"));

    /* the same environment in process */
    soc_config_t cfg;
    ck_assert_int_eq(soc_load_yaml_string(&cfg, soc_default_config_yaml(), "d", NULL, NULL), SOC_OK);
    soc_env_options_t o;
    soc_env_options_default(&o);
    o.jobs = 12;
    o.obs.slots = 4;
    o.reward_norm = 250;
    soc_env_t *env = NULL;
    ck_assert_int_eq(soc_env_create(&env, &cfg, &o, NULL), SOC_OK);
    soc_config_free(&cfg);
    soc_env_spaces_t sp;
    soc_env_spaces(env, &sp);
    ck_assert_int_eq(sp.obs_dim, dim);
    ck_assert_int_eq(sp.n_actions, na);
    float *obs = malloc(sizeof *obs * (size_t)dim);
    uint8_t *mask = malloc((size_t)na);

    char req[256];
    snprintf(req, sizeof req, "{\"cmd\":\"reset\",\"env_id\":%lld,\"seed\":18446744073709551615}",
             (long long)id);
    ck_assert(cl_call(&c, req));
    ck_assert_int_eq(soc_env_reset(env, UINT64_MAX, obs, mask, NULL, NULL), SOC_OK);
    int info = soc__json_get(&c.j, 0, "info");
    uint64_t seed;
    ck_assert_int_eq(soc__json_u64(&c.j, soc__json_get(&c.j, info, "seed"), &seed), SOC_OK);
    ck_assert(seed == UINT64_MAX);
    ck_assert_mem_eq(tail_arr(&c, "obs", "<f4", 1, dim), obs, 4 * (size_t)dim);
    ck_assert_mem_eq(tail_arr(&c, "mask", "|u1", 1, na), mask, (size_t)na);

    int steps = 0, done = 0;
    uint64_t lcg = 1;
    while (!done && steps < 100000) {
        lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
        int64_t a = (int64_t)((lcg >> 33) % (uint64_t)na);
        snprintf(req, sizeof req, "{\"cmd\":\"step\",\"env_id\":%lld,\"action\":%lld}",
                 (long long)id, (long long)a);
        ck_assert(cl_call(&c, req));
        soc_env_step_t st;
        ck_assert_int_eq(soc_env_step(env, a, obs, mask, &st, NULL), SOC_OK);
        double r = tok_double(&c, soc__json_get(&c.j, 0, "reward"));
        ck_assert_mem_eq(&r, &st.reward, sizeof r); /* bit for bit */
        ck_assert_int_eq(get_bool(&c, 0, "terminated"), st.terminated);
        ck_assert_int_eq(get_bool(&c, 0, "truncated"), st.truncated);
        info = soc__json_get(&c.j, 0, "info");
        ck_assert_int_eq(get_bool(&c, info, "invalid_action"), st.info.invalid_action);
        ck_assert_int_eq(get_int(&c, info, "pe"), st.info.pe);
        double t = tok_double(&c, soc__json_get(&c.j, info, "t_us"));
        ck_assert_mem_eq(&t, &st.info.t_us, sizeof t);
        ck_assert_mem_eq(tail_arr(&c, "obs", "<f4", 1, dim), obs, 4 * (size_t)dim);
        ck_assert_mem_eq(tail_arr(&c, "mask", "|u1", 1, na), mask, (size_t)na);
        done = st.terminated || st.truncated;
        steps++;
    }
    ck_assert(done);
    snprintf(req, sizeof req, "{\"cmd\":\"step\",\"env_id\":%lld,\"action\":0}", (long long)id);
    ck_assert(!cl_call(&c, req));
    expect_error(&c, "SOC_ESTATE");
    /* reset without a seed: previous seed + 1 (wraps) */
    snprintf(req, sizeof req, "{\"cmd\":\"reset\",\"env_id\":%lld,\"options\":{}}", (long long)id);
    ck_assert(cl_call(&c, req));
    info = soc__json_get(&c.j, 0, "info");
    ck_assert_int_eq(soc__json_u64(&c.j, soc__json_get(&c.j, info, "seed"), &seed), SOC_OK);
    ck_assert(seed == 0);
    snprintf(req, sizeof req, "{\"cmd\":\"spaces\",\"env_id\":%lld}", (long long)id);
    ck_assert(cl_call(&c, req));
    ck_assert_int_eq(get_int(&c, 0, "obs_dim"), dim);
    snprintf(req, sizeof req, "{\"cmd\":\"close\",\"env_id\":%lld}", (long long)id);
    ck_assert(cl_call(&c, req));
    ck_assert(!cl_call(&c, req));
    expect_error(&c, "SOC_EINVAL");
    free(obs);
    free(mask);
    soc_env_destroy(env);
    cl_close(&c);
    srv_stop(&v);
}
END_TEST

START_TEST(test_batched)
{
    srv_t v;
    srv_start(&v, 5, 16);
    cl_t c;
    cl_open(&c, &v);
    hello(&c);
    int64_t ids[3];
    for (int i = 0; i < 3; i++) {
        ck_assert(cl_call(&c, "{\"cmd\":\"make\",\"options\":{\"jobs\":3,\"slots\":2,"
                              "\"action_mode\":\"task\"}}"));
        ids[i] = get_int(&c, 0, "env_id");
    }
    int dim = (int)get_int(&c, 0, "obs_dim"), na = (int)get_int(&c, 0, "n_actions");
    ck_assert_int_eq(na, 2);
    /* in-process twins */
    soc_config_t cfg;
    ck_assert_int_eq(soc_load_yaml_string(&cfg, soc_default_config_yaml(), "d", NULL, NULL), SOC_OK);
    soc_env_options_t o;
    soc_env_options_default(&o);
    o.jobs = 3;
    o.obs.slots = 2;
    o.obs.mode = SOC_ACTION_TASK;
    soc_env_t *env[3];
    float *obs = malloc(sizeof *obs * (size_t)dim * 3);
    uint8_t *mask = malloc((size_t)na * 3);
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(soc_env_create(&env[i], &cfg, &o, NULL), SOC_OK);
        ck_assert_int_eq(soc_env_reset(env[i], 100 + (uint64_t)i, obs + i * dim, mask + i * na,
                                       NULL, NULL),
                         SOC_OK);
    }
    soc_config_free(&cfg);
    char req[512];
    snprintf(req, sizeof req,
             "{\"cmd\":\"reset_many\",\"env_ids\":[%lld,%lld,%lld],\"seeds\":[100,101,102]}",
             (long long)ids[0], (long long)ids[1], (long long)ids[2]);
    ck_assert(cl_call(&c, req));
    ck_assert_int_eq(get_int(&c, 0, "n"), 3);
    ck_assert_mem_eq(tail_arr(&c, "obs", "<f4", 3, dim), obs, 4 * (size_t)dim * 3);

    int resets = 0;
    uint64_t seeds[3] = {100, 101, 102};
    float *fin = malloc(sizeof *fin * (size_t)dim * 3);
    for (int round = 0; round < 3000 && resets < 4; round++) {
        int64_t a[3] = {round % 2, (round / 2) % 3 - 1, 0};
        snprintf(req, sizeof req,
                 "{\"cmd\":\"step_many\",\"env_ids\":[%lld,%lld,%lld],\"actions\":[%lld,%lld,%lld],"
                 "\"autoreset\":true}",
                 (long long)ids[0], (long long)ids[1], (long long)ids[2], (long long)a[0],
                 (long long)a[1], (long long)a[2]);
        ck_assert(cl_call(&c, req));
        int trs = soc__json_get(&c.j, 0, "reset"), rws = soc__json_get(&c.j, 0, "rewards");
        int n_final = 0;
        for (int i = 0; i < 3; i++) {
            soc_env_step_t st;
            ck_assert_int_eq(soc_env_step(env[i], a[i], obs + i * dim, mask + i * na, &st, NULL),
                             SOC_OK);
            double r = tok_double(&c, soc__json_at(&c.j, rws, i));
            ck_assert_mem_eq(&r, &st.reward, sizeof r);
            int was_reset = c.j.t[soc__json_at(&c.j, trs, i)].type == SOC__J_TRUE;
            ck_assert_int_eq(was_reset, st.terminated || st.truncated);
            if (was_reset) {
                memcpy(fin + n_final * dim, obs + i * dim, sizeof *fin * (size_t)dim);
                n_final++;
                seeds[i]++;
                ck_assert_int_eq(soc_env_reset(env[i], seeds[i], obs + i * dim, mask + i * na,
                                               NULL, NULL),
                                 SOC_OK);
                resets++;
            }
        }
        ck_assert_mem_eq(tail_arr(&c, "obs", "<f4", 3, dim), obs, 4 * (size_t)dim * 3);
        ck_assert_mem_eq(tail_arr(&c, "mask", "|u1", 3, na), mask, (size_t)na * 3);
        const float *fo = tail_arr(&c, "final_obs", "<f4", n_final, dim);
        if (n_final > 0)
            ck_assert_mem_eq(fo, fin, 4 * (size_t)dim * (size_t)n_final);
    }
    free(fin);
    ck_assert(resets >= 1);

    /* batch errors: nothing is stepped */
    snprintf(req, sizeof req, "{\"cmd\":\"step_many\",\"env_ids\":[%lld,%lld],\"actions\":[0,0]}",
             (long long)ids[0], (long long)ids[0]);
    ck_assert(!cl_call(&c, req));
    expect_error(&c, "SOC_EINVAL");
    snprintf(req, sizeof req, "{\"cmd\":\"step_many\",\"env_ids\":[%lld],\"actions\":[0,1]}",
             (long long)ids[0]);
    ck_assert(!cl_call(&c, req));
    expect_error(&c, "SOC_EPROTO");
    snprintf(req, sizeof req, "{\"cmd\":\"step_many\",\"env_ids\":[%lld,999],\"actions\":[0,1]}",
             (long long)ids[0]);
    ck_assert(!cl_call(&c, req));
    expect_error(&c, "SOC_EINVAL");
    ck_assert(cl_call(&c, "{\"cmd\":\"step_many\",\"env_ids\":[],\"actions\":[]}"));
    ck_assert_int_eq(get_int(&c, 0, "n"), 0);
    for (int i = 0; i < 3; i++)
        soc_env_destroy(env[i]);
    free(obs);
    free(mask);
    cl_close(&c);
    srv_stop(&v);
}
END_TEST

START_TEST(test_malformed)
{
    srv_t v;
    srv_start(&v, 5, 16);
    cl_t c;
    cl_open(&c, &v);
    hello(&c);
    static const struct {
        const char *req, *code;
    } cases[] = {
        {"{\"cmd\":\"step\"", "SOC_EPROTO"},                       /* bad JSON */
        {"[1,2]", "SOC_EPROTO"},                                  /* not an object */
        {"{\"cmd\":7}", "SOC_EPROTO"},
        {"{\"nocmd\":1}", "SOC_EPROTO"},
        {"{\"cmd\":\"fly\"}", "SOC_EPROTO"},
        {"{\"cmd\":\"step\",\"env_id\":1,\"action\":0}", "SOC_EINVAL"}, /* no such env */
        {"{\"cmd\":\"step\",\"env_id\":\"x\",\"action\":0}", "SOC_EPROTO"},
        {"{\"cmd\":\"reset\"}", "SOC_EPROTO"},
        {"{\"cmd\":\"make\",\"options\":{\"slots\":0}}", "SOC_EINVAL"},
        {"{\"cmd\":\"make\",\"options\":{\"colour\":\"red\"}}", "SOC_EINVAL"},
        {"{\"cmd\":\"make\",\"options\":[1]}", "SOC_EPROTO"},
        {"{\"cmd\":\"make\",\"config\":\"platform: [\"}", "SOC_EPARSE"},
        {"{\"cmd\":\"make\",\"config_path\":\"/nonexistent/x.yaml\"}", "SOC_EIO"},
        {"{\"cmd\":\"make\",\"config_path\":\"/dev/zero\"}", "SOC_EIO"}, /* never blocks */
        {"{\"cmd\":\"make\",\"config_path\":\"/tmp\"}", "SOC_EIO"},
        {"{\"cmd\":\"make\",\"config\":\"a\",\"config_path\":\"b\"}", "SOC_EPROTO"},
        {"{\"cmd\":\"hello\",\"version\":\"1\"}", "SOC_EPROTO"},
        {"\"\\ud800\" x", "SOC_EPROTO"},
        {"{\"a\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}", "SOC_EPROTO"}, /* too deep */
        {"{\"cmd\":\"make\",\"x\":01}", "SOC_EPROTO"},
        {"", "SOC_EPROTO"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ck_assert_msg(!cl_call(&c, cases[i].req), "accepted: %s", cases[i].req);
        int e = soc__json_get(&c.j, 0, "error");
        const soc__jtok_t *t = &c.j.t[soc__json_get(&c.j, e, "code")];
        ck_assert_msg(soc__json_str_eq(&c.j, soc__json_get(&c.j, e, "code"), cases[i].code),
                      "%s: got %.*s, want %s", cases[i].req, (int)t->len, c.j.src + t->start,
                      cases[i].code);
    }
    /* a request with a binary tail */
    const unsigned char tailed[] = {0, 0, 0, 10, 0, 0, 0, 2, '{', '}', 1, 2, 3, 4};
    send_all(c.fd, tailed, sizeof tailed);
    ck_assert_int_eq(cl_recv(&c), 1);
    expect_error(&c, "SOC_EPROTO");
    /* still usable after all that */
    ck_assert(cl_call(&c, "{\"cmd\":\"make\",\"options\":{\"jobs\":2}}"));
    /* an env of this connection is unknown to another one */
    int64_t id = get_int(&c, 0, "env_id");
    cl_t d;
    cl_open(&d, &v);
    hello(&d);
    char req[128];
    snprintf(req, sizeof req, "{\"cmd\":\"reset\",\"env_id\":%lld}", (long long)id);
    ck_assert(!cl_call(&d, req));
    expect_error(&d, "SOC_EINVAL");
    ck_assert(cl_call(&c, req));

    /* a bad frame header closes that connection only */
    const unsigned char badhdr[] = {0, 0, 0, 4, 0, 0, 0, 9};
    send_all(d.fd, badhdr, sizeof badhdr);
    ck_assert_int_eq(cl_recv(&d), 1);
    expect_error(&d, "SOC_EPROTO");
    ck_assert_int_eq(cl_recv(&d), 0);
    cl_close(&d);
    /* an oversize frame: error, then closed */
    cl_open(&d, &v);
    hello(&d);
    const unsigned char big[] = {0, 1, 0, 1, 0, 0, 0, 2, '{', '}'};
    send_all(d.fd, big, sizeof big);
    ck_assert_int_eq(cl_recv(&d), 1);
    expect_error(&d, "SOC_ELIMIT");
    ck_assert_int_eq(cl_recv(&d), 0);
    cl_close(&d);
    ck_assert(cl_call(&c, "{\"cmd\":\"hello\",\"version\":1}"));
    ck_assert(srv_alive(&v));
    cl_close(&c);
    srv_stop(&v);
}
END_TEST

/* A client that vanishes mid-episode (and mid-frame) frees its envs and
 * leaves the others alone. */
START_TEST(test_client_vanishes)
{
    srv_t v;
    srv_start(&v, 5, 3);
    cl_t a, b;
    cl_open(&b, &v);
    hello(&b);
    ck_assert(cl_call(&b, "{\"cmd\":\"make\",\"options\":{\"jobs\":50}}"));
    int64_t bid = get_int(&b, 0, "env_id");
    char req[128];
    snprintf(req, sizeof req, "{\"cmd\":\"reset\",\"env_id\":%lld,\"seed\":1}", (long long)bid);
    ck_assert(cl_call(&b, req));

    for (int round = 0; round < 3; round++) {
        cl_open(&a, &v);
        hello(&a);
        ck_assert(cl_call(&a, "{\"cmd\":\"make\",\"options\":{\"jobs\":50}}"));
        int64_t aid = get_int(&a, 0, "env_id");
        ck_assert(cl_call(&a, "{\"cmd\":\"make\",\"options\":{\"jobs\":50}}"));
        /* the cap of 3 is reached */
        ck_assert(!cl_call(&a, "{\"cmd\":\"make\",\"options\":{\"jobs\":50}}"));
        expect_error(&a, "SOC_ELIMIT");
        snprintf(req, sizeof req, "{\"cmd\":\"reset\",\"env_id\":%lld,\"seed\":2}", (long long)aid);
        ck_assert(cl_call(&a, req));
        snprintf(req, sizeof req, "{\"cmd\":\"step\",\"env_id\":%lld,\"action\":0}", (long long)aid);
        ck_assert(cl_call(&a, req));
        if (round == 1) {
            /* half a frame, then gone */
            const unsigned char half[] = {0, 0, 0, 40, 0, 0, 0, 36, '{', '"', 'c'};
            send_all(a.fd, half, sizeof half);
        } else if (round == 2) {
            /* a request whose reply is never read */
            cl_send(&a, req);
        }
        cl_close(&a);
        /* b keeps stepping */
        snprintf(req, sizeof req, "{\"cmd\":\"step\",\"env_id\":%lld,\"action\":0}", (long long)bid);
        for (int k = 0; k < 20; k++)
            ck_assert(cl_call(&b, req));
    }
    /* a's envs were freed: b can make two more */
    ck_assert(cl_call(&b, "{\"cmd\":\"make\",\"options\":{\"jobs\":50}}"));
    ck_assert(cl_call(&b, "{\"cmd\":\"make\",\"options\":{\"jobs\":50}}"));
    ck_assert(srv_alive(&v));
    cl_close(&b);
    srv_stop(&v);
}
END_TEST

START_TEST(test_read_timeout)
{
    srv_t v;
    srv_start(&v, 0.3, 4);
    cl_t c, d;
    cl_open(&c, &v);
    cl_open(&d, &v);
    hello(&c);
    const unsigned char part[] = {0, 0, 0, 30, 0, 0};
    send_all(c.fd, part, sizeof part);
    /* the error reply arrives by itself, then EOF */
    ck_assert_int_eq(cl_recv(&c), 1);
    expect_error(&c, "SOC_EPROTO");
    int e = soc__json_get(&c.j, 0, "error");
    const soc__jtok_t *m = &c.j.t[soc__json_get(&c.j, e, "msg")];
    char text[200];
    snprintf(text, sizeof text, "%.*s", (int)(m->len < 199 ? m->len : 199), c.j.src + m->start);
    ck_assert_msg(strstr(text, "timeout") != NULL, "%s", text);
    ck_assert_int_eq(cl_recv(&c), 0);
    cl_close(&c);
    /* an idle connection between frames is not timed out */
    hello(&d);
    cl_close(&d);
    srv_stop(&v);
}
END_TEST

START_TEST(test_tcp_and_once)
{
    srv_t v;
    soc_server_options_t o;
    soc_server_options_default(&o);
    o.tcp_port = 0;
    o.once = 1;
    srv_start_opts(&v, &o);
    ck_assert_msg(strncmp(v.addr, "tcp:127.0.0.1:", 14) == 0, "%s", v.addr);
    ck_assert(atoi(v.addr + 14) > 0);
    cl_t c;
    cl_open(&c, &v);
    hello(&c);
    ck_assert(cl_call(&c, "{\"cmd\":\"make\",\"options\":{\"time_us\":500}}"));
    ck_assert(get_int(&c, 0, "n_actions") > 0);
    cl_close(&c);
    /* --once: the server returns by itself after the first client */
    ck_assert_int_eq(srv_wait(&v, WAIT_S), 0);
    close(v.stop_w);
    soc_server_destroy(v.s);
}
END_TEST

START_TEST(test_create_errors)
{
    soc_server_options_t o;
    soc_server_options_default(&o);
    char dir[] = "/tmp/socsim-test-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/plain", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    o.unix_path = path;
    soc_server_t *s = NULL;
    soc_error_t err = {0};
    ck_assert_int_eq(soc_server_create(&s, &o, &err), SOC_EIO);
    ck_assert(strstr(err.msg, "not a socket") != NULL);
    unlink(path);
    char longp[300];
    memset(longp, 'a', sizeof longp - 1);
    longp[0] = '/';
    longp[sizeof longp - 1] = '\0';
    o.unix_path = longp;
    ck_assert_int_eq(soc_server_create(&s, &o, &err), SOC_EINVAL);
    soc_server_options_default(&o);
    o.tcp_port = 0;
    o.bind_addr = "localhost"; /* numeric addresses only */
    ck_assert_int_eq(soc_server_create(&s, &o, &err), SOC_EINVAL);
    /* the default: a private directory */
    soc_server_options_default(&o);
    ck_assert_int_eq(soc_server_create(&s, &o, &err), SOC_OK);
    const char *a = soc_server_address(s);
    ck_assert(strncmp(a, "unix:", 5) == 0);
    char sock[200];
    snprintf(sock, sizeof sock, "%s", a + 5);
    struct stat st;
    ck_assert_int_eq(stat(sock, &st), 0);
    *strrchr(sock, '/') = '\0';
    ck_assert_int_eq(stat(sock, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0700);
    soc_server_destroy(s);
    ck_assert(stat(sock, &st) != 0); /* directory removed */
    rmdir(dir);
}
END_TEST

/* The JSON reader on its own. */
START_TEST(test_json_reader)
{
    soc__json_t j = {0};
    char msg[128];
    const char *s = " {\"a\": [1, -2, 3.5e1, true, null], \"b\": {\"c\": \"x\\u00e9\\ud83d\\ude00\\n\"},"
                    " \"big\": 18446744073709551615, \"neg\": -9223372036854775808} ";
    ck_assert_int_eq(soc__json_parse(&j, s, strlen(s), msg, sizeof msg), SOC_OK);
    int a = soc__json_get(&j, 0, "a");
    ck_assert_int_eq(j.t[a].n, 5);
    int64_t i;
    ck_assert_int_eq(soc__json_i64(&j, soc__json_at(&j, a, 1), &i), SOC_OK);
    ck_assert_int_eq(i, -2);
    ck_assert_int_eq(soc__json_i64(&j, soc__json_at(&j, a, 2), &i), SOC_EPROTO);
    ck_assert_int_eq(j.t[soc__json_at(&j, a, 3)].type, SOC__J_TRUE);
    ck_assert_int_eq(soc__json_at(&j, a, 5), -1);
    char *str = NULL;
    int c = soc__json_get(&j, soc__json_get(&j, 0, "b"), "c");
    ck_assert_int_eq(soc__json_str_dup(&j, c, &str), SOC_OK);
    ck_assert_str_eq(str, "x\xc3\xa9\xf0\x9f\x98\x80\n");
    free(str);
    uint64_t u;
    ck_assert_int_eq(soc__json_u64(&j, soc__json_get(&j, 0, "big"), &u), SOC_OK);
    ck_assert(u == UINT64_MAX);
    ck_assert_int_eq(soc__json_i64(&j, soc__json_get(&j, 0, "big"), &i), SOC_EPROTO);
    ck_assert_int_eq(soc__json_i64(&j, soc__json_get(&j, 0, "neg"), &i), SOC_OK);
    ck_assert(i == INT64_MIN);
    ck_assert_int_eq(soc__json_get(&j, 0, "zz"), -1);
    /* any JSON integer clamps to int64 (a step's action) */
    ck_assert_int_eq(soc__json_i64_sat(&j, soc__json_get(&j, 0, "big"), &i), SOC_OK);
    ck_assert(i == INT64_MAX);
    ck_assert_int_eq(soc__json_i64_sat(&j, soc__json_at(&j, a, 2), &i), SOC_EPROTO);
    const char *bad[] = {"{", "{\"a\" 1}", "[1,]", "01", "1.", "-", "\"\\x\"", "tru", "{} {}",
                         "\"a\x01\"", "[1 2]", "{\"a\":1,}",
                         /* issue 11: repeated member names, at any depth */
                         "{\"cmd\":\"make\",\"cmd\":\"bye\"}", "[{\"a\":1,\"b\":2,\"a\":3}]", NULL};
    for (int k = 0; bad[k] != NULL; k++)
        ck_assert_msg(soc__json_parse(&j, bad[k], strlen(bad[k]), msg, sizeof msg) == SOC_EPROTO,
                      "accepted %s", bad[k]);
    /* writer round trip of awkward strings and doubles */
    soc__buf_t b = {0};
    soc__buf_json_str(&b, "q\"\\\x01\xff" "ok");
    soc__buf_put(&b, "", 1);
    ck_assert_str_eq(b.d, "\"q\\\"\\\\\\u0001\\ufffdok\"");
    b.n = 0;
    soc__buf_f64(&b, 0.1);
    soc__buf_put(&b, " ", 1);
    soc__buf_f64(&b, 3.0);
    soc__buf_put(&b, "", 1);
    ck_assert_str_eq(b.d, "0.10000000000000001 3.0");
    b.n = 0;
    soc__buf_i64(&b, INT64_MIN);
    soc__buf_put(&b, " ", 1);
    soc__buf_u64(&b, UINT64_MAX);
    soc__buf_put(&b, " ", 1);
    soc__buf_i64(&b, 0);
    soc__buf_put(&b, "", 1);
    ck_assert_str_eq(b.d, "-9223372036854775808 18446744073709551615 0");
    /* times: exact "ns / 1000" decimals, and they read back bit for bit */
    const double us[] = {0.0, 1.5, 289833.0, 0.001, -2.25, 123456789.123, 1e-4, 0.1 + 0.2,
                         (double)4503599627370495LL / 1000.0};
    const char *want[] = {"0.0", "1.5", "289833.0", "0.001", "-2.25", "123456789.123", NULL, NULL,
                          "4503599627370.495"};
    for (size_t k = 0; k < sizeof us / sizeof us[0]; k++) {
        b.n = 0;
        soc__buf_us(&b, us[k]);
        soc__buf_put(&b, "", 1);
        if (want[k] != NULL)
            ck_assert_str_eq(b.d, want[k]);
        double back = strtod(b.d, NULL);
        ck_assert_msg(memcmp(&back, &us[k], sizeof back) == 0, "%s != %.17g", b.d, us[k]);
    }
    soc__buf_free(&b);
    soc__json_free(&j);
}
END_TEST

/* ------------------------------------------------ hardening (issue 11) */

static void srv_start_with(srv_t *v, soc_server_options_t *o)
{
    static char path[128];
    char dir[] = "/tmp/socsim-test-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    if (o->tcp_port < 0) {
        snprintf(path, sizeof path, "%s/s.sock", dir);
        o->unix_path = path;
    }
    srv_start_opts(v, o);
    snprintf(v->dir, sizeof v->dir, "%s", dir);
}

/* The error message of the last reply (into buf). */
static const char *err_msg(cl_t *c, char *buf, size_t n)
{
    int e = soc__json_get(&c->j, 0, "error");
    const soc__jtok_t *m = &c->j.t[soc__json_get(&c->j, e, "msg")];
    snprintf(buf, n, "%.*s", (int)(m->len < n - 1 ? m->len : n - 1), c->j.src + m->start);
    return buf;
}

static void make_path(cl_t *c, const char *path, const char *code, const char *frag)
{
    char req[600], buf[600];
    snprintf(req, sizeof req, "{\"cmd\":\"make\",\"config_path\":\"%s\"}", path);
    if (code == NULL) {
        ck_assert_msg(cl_call(c, req), "%s refused: %s", path, err_msg(c, buf, sizeof buf));
        return;
    }
    ck_assert_msg(!cl_call(c, req), "%s accepted", path);
    expect_error(c, code);
    if (frag != NULL)
        ck_assert_msg(strstr(err_msg(c, buf, sizeof buf), frag) != NULL, "%s: %s", path, buf);
}

/* config_path: never quotes a file that is not a socsim document; confined
 * to --config-root; refused over TCP without one. */
START_TEST(test_config_path_policy)
{
    char root[] = "/tmp/socsim-root-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(root));
    char good[300], bad[300], secret[300], link[300], outside[300];
    snprintf(good, sizeof good, "%s/good.yaml", root);
    snprintf(bad, sizeof bad, "%s/typo.yaml", root);
    snprintf(secret, sizeof secret, "%s/secret.txt", root);
    snprintf(link, sizeof link, "%s/link.yaml", root);
    snprintf(outside, sizeof outside, "%s.outside.yaml", root);
    FILE *f = fopen(good, "w");
    ck_assert_ptr_nonnull(f);
    fputs(soc_default_config_yaml(), f);
    fclose(f);
    f = fopen(bad, "w");
    fprintf(f, "sceduler: heft\n%s", soc_default_config_yaml());
    fclose(f);
    f = fopen(secret, "w");
    fputs("TOPSECRET-line-one\nuser: TOPSECRET2\n", f);
    fclose(f);
    ck_assert_int_eq(symlink("/etc/passwd", link), 0);
    f = fopen(outside, "w");
    fputs(soc_default_config_yaml(), f);
    fclose(f);

    /* Unix socket, no root: any readable file, but never its content */
    srv_t v;
    soc_server_options_t o;
    soc_server_options_default(&o);
    srv_start_with(&v, &o);
    cl_t c;
    cl_open(&c, &v);
    hello(&c);
    char buf[600];
    make_path(&c, secret, "SOC_EPARSE", "not a socsim configuration file");
    ck_assert(strstr(err_msg(&c, buf, sizeof buf), "TOPSECRET") == NULL);
    make_path(&c, "/etc/passwd", "SOC_ECONFIG", "content is not shown");
    ck_assert(strstr(err_msg(&c, buf, sizeof buf), "root:") == NULL);
    /* the same through a reference inside an inline config */
    snprintf(buf, sizeof buf,
             "{\"cmd\":\"make\",\"config\":\"platform: %s\\napplications: [x]\\n\"}", secret);
    ck_assert(!cl_call(&c, buf));
    ck_assert(strstr(err_msg(&c, buf, sizeof buf), "TOPSECRET") == NULL);
    /* a socsim config with a mistake: the full, helpful message */
    make_path(&c, bad, "SOC_ECONFIG", "did you mean 'scheduler'");
    make_path(&c, good, NULL, NULL);
    cl_close(&c);
    srv_stop(&v);

    /* --config-root: inside only, symbolic links resolved */
    soc_server_options_default(&o);
    o.config_root = root;
    srv_start_with(&v, &o);
    cl_open(&c, &v);
    hello(&c);
    make_path(&c, "good.yaml", NULL, NULL);
    make_path(&c, good, NULL, NULL);
    make_path(&c, outside, "SOC_EIO", "outside the config root");
    make_path(&c, "../../../../etc/passwd", "SOC_EIO", "outside the config root");
    make_path(&c, "link.yaml", "SOC_EIO", "outside the config root");
    make_path(&c, "/etc/passwd", "SOC_EIO", "outside the config root");
    cl_close(&c);
    srv_stop(&v);

    /* TCP without a root: inline configs only */
    soc_server_options_default(&o);
    o.tcp_port = 0;
    srv_start_with(&v, &o);
    cl_open(&c, &v);
    hello(&c);
    make_path(&c, good, "SOC_EUNSUPPORTED", "--config-root");
    ck_assert(cl_call(&c, "{\"cmd\":\"make\",\"options\":{\"jobs\":2}}"));
    cl_close(&c);
    srv_stop(&v);
    /* a root that is not a directory is refused at start */
    soc_server_options_default(&o);
    o.config_root = good;
    soc_server_t *sv = NULL;
    soc_error_t err = {0};
    ck_assert_int_eq(soc_server_create(&sv, &o, &err), SOC_EINVAL);
    ck_assert_ptr_null(sv);

    remove(good);
    remove(bad);
    remove(secret);
    remove(link);
    remove(outside);
    rmdir(root);
}
END_TEST

/* One connection cannot take every environment; idle connections that never
 * say hello are dropped after the handshake deadline, and when the table is
 * full the oldest of them makes room: 300 idle connections never stop a new
 * client from hello, make, step. */
START_TEST(test_quotas_and_idle)
{
    srv_t v;
    soc_server_options_t o;
    soc_server_options_default(&o);
    o.max_envs_per_conn = 2;
    o.hello_timeout_s = 0.3;
    srv_start_with(&v, &o);
    cl_t a, b;
    cl_open(&a, &v);
    hello(&a);
    const char *mk = "{\"cmd\":\"make\",\"options\":{\"jobs\":3}}";
    ck_assert(cl_call(&a, mk));
    ck_assert(cl_call(&a, mk));
    ck_assert(!cl_call(&a, mk));
    expect_error(&a, "SOC_ELIMIT");
    char buf[300];
    ck_assert(strstr(err_msg(&a, buf, sizeof buf), "this connection") != NULL);
    cl_open(&b, &v);
    hello(&b);
    ck_assert(cl_call(&b, mk)); /* another connection still can */
    /* a connection that never says hello: told, then closed */
    cl_t idle;
    cl_open(&idle, &v);
    ck_assert_int_eq(cl_recv(&idle), 1);
    expect_error(&idle, "SOC_ESTATE");
    ck_assert(strstr(err_msg(&idle, buf, sizeof buf), "no hello") != NULL);
    ck_assert_int_eq(cl_recv(&idle), 0);
    cl_close(&idle);
    cl_close(&a);
    cl_close(&b);
    srv_stop(&v);

    /* 300 idle connections against the default table of 256 */
    soc_server_options_default(&o);
    srv_start_with(&v, &o);
    enum { N_IDLE = 300 };
    int *fds = malloc(sizeof(int) * N_IDLE);
    ck_assert_ptr_nonnull(fds);
    for (int i = 0; i < N_IDLE; i++)
        fds[i] = connect_addr(v.addr);
    cl_t c;
    cl_open(&c, &v);
    hello(&c);
    ck_assert(cl_call(&c, "{\"cmd\":\"make\",\"options\":{\"jobs\":3}}"));
    int64_t id = get_int(&c, 0, "env_id");
    char req[160];
    snprintf(req, sizeof req, "{\"cmd\":\"reset\",\"env_id\":%lld,\"seed\":1}", (long long)id);
    ck_assert(cl_call(&c, req));
    snprintf(req, sizeof req, "{\"cmd\":\"step\",\"env_id\":%lld,\"action\":0}", (long long)id);
    ck_assert(cl_call(&c, req));
    /* the oldest idle ones were dropped with a reason */
    cl_t first = {0};
    first.fd = fds[0];
    ck_assert_int_eq(cl_recv(&first), 1);
    expect_error(&first, "SOC_ELIMIT");
    free(first.body);
    soc__json_free(&first.j);
    for (int i = 0; i < N_IDLE; i++)
        close(fds[i]);
    free(fds);
    cl_close(&c);
    srv_stop(&v);
}
END_TEST

/* PROTOCOL 3.5: any JSON integer is an action (huge ones are invalid, not
 * protocol errors); seq must be an integer; one "cmd" only. */
START_TEST(test_action_seq_cmd)
{
    srv_t v;
    srv_start(&v, 5, 4);
    cl_t c;
    cl_open(&c, &v);
    hello(&c);
    ck_assert(cl_call(&c, "{\"cmd\":\"make\",\"options\":{\"jobs\":3}}"));
    int64_t id = get_int(&c, 0, "env_id");
    char req[200];
    snprintf(req, sizeof req, "{\"cmd\":\"reset\",\"env_id\":%lld,\"seed\":1}", (long long)id);
    ck_assert(cl_call(&c, req));
    const char *acts[] = {"18446744073709551615", "-18446744073709551616",
                          "99999999999999999999999999999"};
    for (int k = 0; k < 3; k++) {
        snprintf(req, sizeof req, "{\"cmd\":\"step\",\"env_id\":%lld,\"action\":%s}",
                 (long long)id, acts[k]);
        ck_assert_msg(cl_call(&c, req), "action %s", acts[k]);
        ck_assert(get_bool(&c, soc__json_get(&c.j, 0, "info"), "invalid_action"));
    }
    snprintf(req, sizeof req, "{\"cmd\":\"step_many\",\"env_ids\":[%lld],\"actions\":[%s]}",
             (long long)id, acts[0]);
    ck_assert(cl_call(&c, req));
    snprintf(req, sizeof req, "{\"cmd\":\"step\",\"env_id\":%lld,\"action\":1.5}", (long long)id);
    ck_assert(!cl_call(&c, req));
    expect_error(&c, "SOC_EPROTO");
    const char *bad[] = {"{\"cmd\":\"hello\",\"version\":1,\"seq\":\"7\"}",
                         "{\"cmd\":\"hello\",\"version\":1,\"seq\":1.5}",
                         "{\"cmd\":\"hello\",\"version\":1,\"seq\":[1]}",
                         "{\"cmd\":\"hello\",\"version\":1,\"seq\":18446744073709551616}",
                         "{\"cmd\":\"hello\",\"version\":1,\"cmd\":\"bye\"}"};
    for (int k = 0; k < 5; k++) {
        ck_assert_msg(!cl_call(&c, bad[k]), "accepted %s", bad[k]);
        expect_error(&c, "SOC_EPROTO");
    }
    ck_assert(cl_call(&c, "{\"cmd\":\"hello\",\"version\":1,\"seq\":18446744073709551615}"));
    ck_assert(cl_call(&c, "{\"cmd\":\"hello\",\"version\":1,\"seq\":null}"));
    cl_close(&c);
    srv_stop(&v);
}
END_TEST

/* A reply of over 30 MB, whose request itself runs longer than the write
 * timeout, arrives whole at a client that reads it continuously. */
START_TEST(test_large_reply)
{
    srv_t v;
    srv_start(&v, 1.0, 4);
    cl_t c;
    cl_open(&c, &v);
    hello(&c);
    /* 16384 PEs x 64 slots: obs_dim 1131076, a 32.6 MB reply (features,
     * bounds) that takes about 1.5 s to build; under AddressSanitizer,
     * whose build is ten times slower, 2048 PEs x 512 slots: 31.0 MB, a few
     * seconds.  Either way the request runs longer than the 1 s timeout. */
#if defined(__SANITIZE_ADDRESS__)
    const int per_cluster = 512, slots = 512;
    const int64_t want_dim = 1063428;
#else
    const int per_cluster = 4096, slots = 64;
    const int64_t want_dim = 1131076;
#endif
    char cfg[2048];
    size_t n = (size_t)snprintf(cfg, sizeof cfg, "platform:\\n  clusters:\\n");
    for (int i = 0; i < 4; i++)
        n += (size_t)snprintf(cfg + n, sizeof cfg - n,
                              "    - {name: c%d, count: %d, exec_us: {x: 10}}\\n", i, per_cluster);
    n += (size_t)snprintf(cfg + n, sizeof cfg - n,
                          "applications:\\n  - {name: a, tasks: [x]}\\ninjection: {arrival: "
                          "periodic, period_us: 10}\\nstop: {jobs: 5}\\n");
    char req[2300];
    snprintf(req, sizeof req,
             "{\"cmd\":\"make\",\"config\":\"%s\",\"options\":{\"slots\":%d}}", cfg, slots);
    cl_send(&c, req);
    /* the reply may take long to start (building it); then it must flow */
    struct pollfd pf = {c.fd, POLLIN, 0};
    ck_assert_int_eq(poll(&pf, 1, 120000), 1);
    ck_assert_int_eq(cl_recv(&c), 1);
    ck_assert(c.j.t[soc__json_get(&c.j, 0, "ok")].type == SOC__J_TRUE);
    ck_assert_int_eq(get_int(&c, 0, "obs_dim"), want_dim);
    ck_assert(c.len > (size_t)30000000); /* over 30 MB */
    ck_assert(cl_call(&c, "{\"cmd\":\"hello\",\"version\":1}"));
    cl_close(&c);
    srv_stop(&v);
}
END_TEST

static Suite *server_suite(void)
{
    Suite *s = suite_create("server");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_json_reader);
    tcase_add_test(tc, test_handshake);
    tcase_add_test(tc, test_episode_matches_in_process);
    tcase_add_test(tc, test_batched);
    tcase_add_test(tc, test_malformed);
    tcase_add_test(tc, test_client_vanishes);
    tcase_add_test(tc, test_read_timeout);
    tcase_add_test(tc, test_tcp_and_once);
    tcase_add_test(tc, test_create_errors);
    tcase_add_test(tc, test_config_path_policy);
    tcase_add_test(tc, test_quotas_and_idle);
    tcase_add_test(tc, test_action_seq_cmd);
    tcase_add_test(tc, test_large_reply);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    soc_library_init();
    signal(SIGPIPE, SIG_IGN);
    return ts_run_suite(server_suite());
}
