/*
 * bench_gym.c -- throughput figures of the RL interface (run by
 * scripts/bench_gym.sh; prints numbers, asserts nothing).
 *
 *   bench_gym inproc STEPS [SLOTS]         environment steps/s, C API
 *   bench_gym neural JOBS HIDDEN [SLOTS]   decisions/s of neural:WEIGHTS
 *   bench_gym socket ADDR STEPS            one client, one env, step by step
 *   bench_gym batch ADDR ENVS STEPS        one client, ENVS envs, step_many
 *
 * Every run uses the embedded default configuration.  The agent picks a
 * pseudo-random valid action from the mask (a fixed LCG), so the figures
 * include reading the mask, as a real agent would.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include "soc/gym.h"
#include "soc/schedulers.h"
#include "soc/workload.h"
#include "../gym/protocol.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* CPU time of this process: less sensitive than wall time to other jobs
 * sharing the machine. */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void die(const char *what)
{
    fprintf(stderr, "bench_gym: %s\n", what);
    exit(1);
}

static int64_t pick(uint64_t *lcg, const uint8_t *mask, int na)
{
    *lcg = *lcg * 6364136223846793005ULL + 1442695040888963407ULL;
    int n = 0;
    for (int a = 0; a < na; a++)
        n += mask[a];
    if (n == 0)
        return 0;
    int k = (int)((*lcg >> 33) % (uint64_t)n);
    for (int a = 0; a < na; a++)
        if (mask[a] && k-- == 0)
            return a;
    return 0;
}

static void load_default(soc_config_t *cfg)
{
    soc_error_t err = {0};
    char buf[800];
    if (soc_load_yaml_string(cfg, soc_default_config_yaml(), "default", NULL, &err) != SOC_OK)
        die(soc_error_format(&err, buf, sizeof buf));
}

/* ------------------------------------------------------------ inproc */

static int bench_inproc(long steps, int slots)
{
    soc_config_t cfg;
    load_default(&cfg);
    soc_env_options_t o;
    soc_env_options_default(&o);
    o.obs.slots = slots;
    o.jobs = 2000;
    soc_env_t *env = NULL;
    soc_error_t err = {0};
    char buf[800];
    if (soc_env_create(&env, &cfg, &o, &err) != SOC_OK)
        die(soc_error_format(&err, buf, sizeof buf));
    soc_config_free(&cfg);
    soc_env_spaces_t sp;
    soc_env_spaces(env, &sp);
    float *obs = malloc(sizeof *obs * (size_t)sp.obs_dim);
    uint8_t *mask = malloc((size_t)sp.n_actions);
    uint64_t lcg = 1, seed = 1;
    long episodes = 1;
    if (soc_env_reset(env, seed, obs, mask, NULL, NULL) != SOC_OK)
        die("reset");
    double t0 = now_s(), c0 = cpu_s();
    for (long s = 0; s < steps; s++) {
        if (!soc_env_running(env)) {
            if (soc_env_reset(env, ++seed, obs, mask, NULL, NULL) != SOC_OK)
                die("reset");
            episodes++;
        }
        soc_env_step_t st;
        if (soc_env_step(env, pick(&lcg, mask, sp.n_actions), obs, mask, &st, NULL) != SOC_OK)
            die("step");
    }
    double dt = now_s() - t0, dc = cpu_s() - c0;
    printf("inproc  slots=%d obs_dim=%d n_actions=%d steps=%ld episodes=%ld: %.0f steps/s "
           "(%.2f us/step; per CPU second: %.0f)\n",
           slots, sp.obs_dim, sp.n_actions, steps, episodes, (double)steps / dt,
           1e6 * dt / (double)steps, (double)steps / dc);
    free(obs);
    free(mask);
    soc_env_destroy(env);
    return 0;
}

/* ------------------------------------------------------------ neural */

/* A pe-mode network of hidden width H that computes, in its first P units,
 * tanh(-eft(slot 0, p)) and passes them to the logits: it chooses exactly
 * like EFT (up to float32 ties of the squashed times), so the simulated
 * system stays realistic while every weight is still multiplied.  The other
 * hidden units carry pseudo-random weights that do not reach the output. */
static void write_eft_net(FILE *f, int dim, int C, int P, int K, int H, double scale_us)
{
    uint64_t lcg = 7;
    fprintf(f, "socsim-mlp 1\nslots %d\naction_mode pe\ntime_scale_us %.17g\nn_pes %d\n"
               "obs_dim %d\nn_actions %d\nlayers 3\n",
            K, scale_us, P, dim, P);
    const int in[3] = {dim, H, H}, out[3] = {H, H, P};
    for (int l = 0; l < 3; l++) {
        fprintf(f, "dense %d %d %s\n", in[l], out[l], l < 2 ? "tanh" : "linear");
        for (int o = 0; o < out[l]; o++) {
            for (int i = 0; i < in[l]; i++) {
                double w;
                lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
                double r = ((double)(lcg >> 11) / 9007199254740992.0 - 0.5) * 0.2;
                if (l == 0)
                    w = o < P ? (i == 5 + C + o ? -1.0 : 0.0) : r;
                else if (l == 1)
                    w = o < P ? (i == o ? 1.0 : 0.0) : r;
                else
                    w = i == o ? 1.0 : 0.0;
                fprintf(f, "%.17g ", w);
            }
            fprintf(f, "\n");
        }
        for (int o = 0; o < out[l]; o++)
            fprintf(f, "0 ");
        fprintf(f, "\n");
    }
    fprintf(f, "end\n");
}

static int bench_neural(long jobs, int hidden, int slots)
{
    soc_config_t cfg;
    load_default(&cfg);
    cfg.injection.max_jobs = jobs;
    soc_env_options_t o;
    soc_env_options_default(&o);
    o.obs.slots = slots;
    o.obs.mode = SOC_ACTION_PE;
    soc_env_t *env = NULL;
    if (soc_env_create(&env, &cfg, &o, NULL) != SOC_OK)
        die("env");
    soc_env_options_t ro;
    soc_env_spaces_t sp;
    soc_env_get_options(env, &ro);
    soc_env_spaces(env, &sp);
    if (hidden < sp.n_pes)
        die("HIDDEN must be at least the number of PEs");
    char path[] = "/tmp/socsim-bench-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        die("mkstemp");
    FILE *f = fdopen(fd, "w");
    if (f == NULL)
        die("fdopen");
    write_eft_net(f, sp.obs_dim, sp.n_clusters, sp.n_pes, slots, hidden, ro.obs.time_scale_us);
    fclose(f);
    soc_env_destroy(env);

    char spec[64];
    double best[2] = {0, 0}, best_cpu[2] = {0, 0};
    int64_t tasks[2] = {0, 0};
    double lat[2] = {0, 0};
    for (int k = 0; k < 2; k++) {
        if (k == 0)
            snprintf(spec, sizeof spec, "neural:%s", path);
        else
            snprintf(spec, sizeof spec, "eft");
        for (int rep = 0; rep < 3; rep++) {
            soc_sched_handle_t *h = NULL;
            soc_sim_t *sim = NULL;
            soc_error_t err = {0};
            char buf[800];
            if (soc_sched_resolve(spec, &h, &err) != SOC_OK)
                die(soc_error_format(&err, buf, sizeof buf));
            soc_sim_options_t so = {sizeof so, soc_sched_handle_ops(h), soc_sched_handle_arg(h),
                                    NULL, NULL, NULL, NULL};
            double t0 = now_s(), c0 = cpu_s();
            if (soc_sim_create(&sim, &cfg, &so, &err) != SOC_OK || soc_sim_run(sim, &err) != SOC_OK)
                die(soc_error_format(&err, buf, sizeof buf));
            double dt = now_s() - t0, dc = cpu_s() - c0;
            if (best_cpu[k] == 0 || dc < best_cpu[k])
                best_cpu[k] = dc;
            soc_metrics_t m;
            soc_sim_metrics(sim, &m);
            tasks[k] = m.tasks_completed;
            lat[k] = m.avg_latency_us;
            if (best[k] == 0 || dt < best[k])
                best[k] = dt;
            soc_sim_destroy(sim);
            soc_sched_handle_free(h);
        }
    }
    unlink(path);
    long macs = (long)sp.obs_dim * hidden + (long)hidden * hidden + (long)hidden * sp.n_pes;
    printf("neural  MLP %d-%d-%d-%d (%ld MACs, EFT-imitating) slots=%d: %" PRId64
           " decisions in %.3f s: %.0f decisions/s (%.2f us/decision; per CPU second: %.0f)\n",
           sp.obs_dim, hidden, hidden, sp.n_pes, macs, slots, tasks[0], best[0],
           (double)tasks[0] / best[0], 1e6 * best[0] / (double)tasks[0],
           (double)tasks[0] / best_cpu[0]);
    printf("neural  same jobs with the eft scheduler: %.3f s (%.0f decisions/s); avg latency "
           "neural %.2f us, eft %.2f us\n",
           best[1], (double)tasks[1] / best[1], lat[0], lat[1]);
    soc_config_free(&cfg);
    return 0;
}

/* ------------------------------------------------------------ socket */

typedef struct cl {
    int fd;
    char *body;
    size_t cap, len;
    soc__json_t j;
    const char *tail;
    soc__buf_t req;
} cl_t;

static void cl_connect(cl_t *c, const char *addr)
{
    memset(c, 0, sizeof *c);
    if (strncmp(addr, "unix:", 5) == 0) {
        struct sockaddr_un sa;
        memset(&sa, 0, sizeof sa);
        sa.sun_family = AF_UNIX;
        snprintf(sa.sun_path, sizeof sa.sun_path, "%s", addr + 5);
        c->fd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof sa) != 0)
            die("connect");
    } else if (strncmp(addr, "tcp:127.0.0.1:", 14) == 0) {
        struct sockaddr_in sa;
        memset(&sa, 0, sizeof sa);
        sa.sin_family = AF_INET;
        sa.sin_port = htons((uint16_t)atoi(addr + 14));
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        c->fd = socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof sa) != 0)
            die("connect");
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    } else {
        die("address must be unix:PATH or tcp:127.0.0.1:PORT");
    }
}

static void io_all(int fd, void *p, size_t n, int wr)
{
    char *b = p;
    while (n > 0) {
        ssize_t k = wr ? send(fd, b, n, MSG_NOSIGNAL) : recv(fd, b, n, 0);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            die(wr ? "send" : "recv (server gone?)");
        b += k;
        n -= (size_t)k;
    }
}

/* Send c->req's text as one frame and read the reply. */
static void cl_call(cl_t *c)
{
    size_t j = c->req.n;
    unsigned char h[8];
    uint32_t L = (uint32_t)(4 + j), J = (uint32_t)j;
    for (int i = 0; i < 4; i++) {
        h[i] = (unsigned char)(L >> (24 - 8 * i));
        h[4 + i] = (unsigned char)(J >> (24 - 8 * i));
    }
    io_all(c->fd, h, 8, 1);
    io_all(c->fd, c->req.d, j, 1);
    io_all(c->fd, h, 8, 0);
    L = soc__be32(h);
    J = soc__be32(h + 4);
    if (L - 4 > c->cap) {
        c->cap = L;
        c->body = realloc(c->body, c->cap);
        if (c->body == NULL)
            die("oom");
    }
    c->len = L - 4;
    io_all(c->fd, c->body, c->len, 0);
    char msg[200];
    if (soc__json_parse(&c->j, c->body, J, msg, sizeof msg) != SOC_OK)
        die(msg);
    int ok = soc__json_get(&c->j, 0, "ok");
    if (ok < 0 || c->j.t[ok].type != SOC__J_TRUE) {
        fprintf(stderr, "bench_gym: %.*s\n", (int)J, c->body);
        exit(1);
    }
    c->tail = c->body + J;
}

static int64_t cl_int(cl_t *c, int obj, const char *key)
{
    int64_t v = 0;
    if (soc__json_i64(&c->j, soc__json_get(&c->j, obj, key), &v) != SOC_OK)
        die(key);
    return v;
}

static const uint8_t *cl_mask(cl_t *c)
{
    int t = soc__json_get(&c->j, soc__json_get(&c->j, 0, "tail"), "mask");
    return (const uint8_t *)c->tail + cl_int(c, t, "off");
}

static void cl_req(cl_t *c, const char *fmt, ...) SOC_PRINTF(2, 3);
static void cl_req(cl_t *c, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    c->req.n = 0;
    soc__buf_puts(&c->req, small);
}

static int bench_socket(const char *addr, long steps)
{
    cl_t c;
    cl_connect(&c, addr);
    cl_req(&c, "{\"cmd\":\"hello\",\"version\":1}");
    cl_call(&c);
    cl_req(&c, "{\"cmd\":\"make\",\"options\":{\"jobs\":2000}}");
    cl_call(&c);
    int64_t id = cl_int(&c, 0, "env_id");
    int na = (int)cl_int(&c, 0, "n_actions");
    cl_req(&c, "{\"cmd\":\"reset\",\"env_id\":%" PRId64 ",\"seed\":1}", id);
    cl_call(&c);
    uint8_t *mask = malloc((size_t)na);
    memcpy(mask, cl_mask(&c), (size_t)na);
    uint64_t lcg = 1;
    double t0 = now_s();
    for (long s = 0; s < steps; s++) {
        cl_req(&c, "{\"cmd\":\"step\",\"env_id\":%" PRId64 ",\"action\":%" PRId64 "}", id,
               pick(&lcg, mask, na));
        cl_call(&c);
        int tr = soc__json_get(&c.j, 0, "terminated"), tu = soc__json_get(&c.j, 0, "truncated");
        if (c.j.t[tr].type == SOC__J_TRUE || c.j.t[tu].type == SOC__J_TRUE) {
            cl_req(&c, "{\"cmd\":\"reset\",\"env_id\":%" PRId64 "}", id);
            cl_call(&c);
        }
        memcpy(mask, cl_mask(&c), (size_t)na);
    }
    double dt = now_s() - t0;
    printf("socket  %s, 1 env: %ld steps: %.0f steps/s (%.2f us round trip)\n",
           strncmp(addr, "unix:", 5) == 0 ? "unix" : "tcp", steps, (double)steps / dt,
           1e6 * dt / (double)steps);
    cl_req(&c, "{\"cmd\":\"bye\"}");
    cl_call(&c);
    close(c.fd);
    free(mask);
    free(c.body);
    soc__buf_free(&c.req);
    soc__json_free(&c.j);
    return 0;
}

static int bench_batch(const char *addr, int n, long steps)
{
    cl_t c;
    cl_connect(&c, addr);
    cl_req(&c, "{\"cmd\":\"hello\",\"version\":1}");
    cl_call(&c);
    int64_t *ids = malloc(sizeof *ids * (size_t)n);
    int na = 0;
    for (int i = 0; i < n; i++) {
        cl_req(&c, "{\"cmd\":\"make\",\"options\":{\"jobs\":2000}}");
        cl_call(&c);
        ids[i] = cl_int(&c, 0, "env_id");
        na = (int)cl_int(&c, 0, "n_actions");
    }
    uint8_t *mask = malloc((size_t)na * (size_t)n);
    int64_t *act = malloc(sizeof *act * (size_t)n);
    c.req.n = 0;
    soc__buf_puts(&c.req, "{\"cmd\":\"reset_many\",\"env_ids\":[");
    for (int i = 0; i < n; i++)
        soc__buf_printf(&c.req, "%s%" PRId64, i ? "," : "", ids[i]);
    soc__buf_puts(&c.req, "],\"seeds\":[");
    for (int i = 0; i < n; i++)
        soc__buf_printf(&c.req, "%s%d", i ? "," : "", i + 1);
    soc__buf_puts(&c.req, "]}");
    cl_call(&c);
    memcpy(mask, cl_mask(&c), (size_t)na * (size_t)n);
    uint64_t lcg = 1;
    long rounds = steps / n, resets = 0;
    double t0 = now_s();
    for (long r = 0; r < rounds; r++) {
        for (int i = 0; i < n; i++)
            act[i] = pick(&lcg, mask + (size_t)i * (size_t)na, na);
        c.req.n = 0;
        soc__buf_puts(&c.req, "{\"cmd\":\"step_many\",\"autoreset\":true,\"env_ids\":[");
        for (int i = 0; i < n; i++)
            soc__buf_printf(&c.req, "%s%" PRId64, i ? "," : "", ids[i]);
        soc__buf_puts(&c.req, "],\"actions\":[");
        for (int i = 0; i < n; i++)
            soc__buf_printf(&c.req, "%s%" PRId64, i ? "," : "", act[i]);
        soc__buf_puts(&c.req, "]}");
        cl_call(&c);
        memcpy(mask, cl_mask(&c), (size_t)na * (size_t)n);
        int rs = soc__json_get(&c.j, 0, "reset");
        for (int i = 0; i < n; i++)
            resets += c.j.t[soc__json_at(&c.j, rs, i)].type == SOC__J_TRUE;
    }
    double dt = now_s() - t0;
    printf("batch   %s, %d envs: %ld steps (%ld round trips, %ld autoresets): %.0f steps/s "
           "(%.2f us per step_many)\n",
           strncmp(addr, "unix:", 5) == 0 ? "unix" : "tcp", n, rounds * n, rounds, resets,
           (double)(rounds * n) / dt, 1e6 * dt / (double)rounds);
    cl_req(&c, "{\"cmd\":\"bye\"}");
    cl_call(&c);
    close(c.fd);
    free(ids);
    free(mask);
    free(act);
    free(c.body);
    soc__buf_free(&c.req);
    soc__json_free(&c.j);
    return 0;
}

int main(int argc, char **argv)
{
    soc_library_init();
    if (argc >= 3 && strcmp(argv[1], "inproc") == 0)
        return bench_inproc(atol(argv[2]), argc > 3 ? atoi(argv[3]) : 8);
    if (argc >= 4 && strcmp(argv[1], "neural") == 0)
        return bench_neural(atol(argv[2]), atoi(argv[3]), argc > 4 ? atoi(argv[4]) : 8);
    if (argc >= 4 && strcmp(argv[1], "socket") == 0)
        return bench_socket(argv[2], atol(argv[3]));
    if (argc >= 5 && strcmp(argv[1], "batch") == 0)
        return bench_batch(argv[2], atoi(argv[3]), atol(argv[4]));
    fprintf(stderr, "usage: bench_gym inproc STEPS [SLOTS] | neural JOBS HIDDEN [SLOTS] |\n"
                    "       socket ADDR STEPS | batch ADDR ENVS STEPS\n");
    return 2;
}
