/*
 * cli_serve.c -- `socsim serve`: the RL environment server (soc/server.h,
 * protocol in gym/PROTOCOL.md).
 *
 * SIGINT and SIGTERM are turned into a readable descriptor (signalfd) that
 * the server polls, so the server stops between requests and removes its
 * socket file; no signal handler and no global state are needed.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/signalfd.h>
#endif

#include "cli.h"
#include "soc/server.h"

enum {
    OPT_UNIX = 256,
    OPT_TCP,
    OPT_BIND,
    OPT_MAX_ENVS,
    OPT_TIMEOUT,
    OPT_MAX_FRAME,
    OPT_ONCE,
    OPT_CONFIG_ROOT,
    OPT_MAX_ENVS_CONN,
    OPT_HELLO_TIMEOUT
};

static const cli_opt_t serve_opts[] = {
    {"unix", OPT_UNIX, 1, "PATH", "listen on this Unix socket (mode 0600; default: a fresh private directory)"},
    {"tcp", OPT_TCP, 1, "PORT", "listen on TCP 127.0.0.1:PORT instead (0 = any free port)"},
    {"bind", OPT_BIND, 1, "ADDR", "TCP address to bind (numeric; default 127.0.0.1)"},
    {"max-envs", OPT_MAX_ENVS, 1, "N", "environments held at once, all clients together (default 1024)"},
    {"timeout", OPT_TIMEOUT, 1, "S", "seconds before a half-received request is dropped (default 30)"},
    {"max-frame", OPT_MAX_FRAME, 1, "BYTES", "largest request accepted (default 1048576)"},
    {"once", OPT_ONCE, 0, NULL, "exit when the first client disconnects"},
    {"config-root", OPT_CONFIG_ROOT, 1, "DIR", "make's config_path may only name files under DIR (default: none; "
     "then TCP clients must send configs inline, Unix-socket clients may name any file)"},
    {"max-envs-per-conn", OPT_MAX_ENVS_CONN, 1, "N", "environments one connection may hold (default 64)"},
    {"hello-timeout", OPT_HELLO_TIMEOUT, 1, "S", "seconds a new connection has to send hello (default 10)"},
    {NULL, 0, 0, NULL, NULL},
};

static const char serve_usage[] =
    "socsim serve [--unix PATH | --tcp PORT [--bind ADDR]] [--max-envs N] [--timeout S]\n"
    "             [--max-frame BYTES] [--once] [--config-root DIR] [--max-envs-per-conn N]\n"
    "             [--hello-timeout S]";

typedef struct serve_args {
    soc_server_options_t o;
    int have_unix, have_tcp, have_bind;
} serve_args_t;

static int serve_opt(void *user, int key, const char *arg)
{
    serve_args_t *a = user;
    uint64_t v;
    switch (key) {
    case OPT_UNIX:
        a->o.unix_path = arg;
        a->have_unix = 1;
        return 0;
    case OPT_TCP:
        if (cli_parse_u64("--tcp", arg, &v) != 0)
            return -1;
        if (v > 65535) {
            fprintf(stderr, "socsim serve: --tcp port must be 0..65535\n");
            return -1;
        }
        a->o.tcp_port = (int)v;
        a->have_tcp = 1;
        return 0;
    case OPT_BIND:
        a->o.bind_addr = arg;
        a->have_bind = 1;
        return 0;
    case OPT_MAX_ENVS:
        if (cli_parse_u64("--max-envs", arg, &v) != 0)
            return -1;
        if (v < 1 || v > 1000000) {
            fprintf(stderr, "socsim serve: --max-envs must be 1..1000000\n");
            return -1;
        }
        a->o.max_envs = (int)v;
        return 0;
    case OPT_TIMEOUT:
    case OPT_HELLO_TIMEOUT: {
        const char *name = key == OPT_TIMEOUT ? "--timeout" : "--hello-timeout";
        char *end;
        errno = 0;
        double t = strtod(arg, &end);
        if (end == arg || *end != '\0' || errno != 0 || !(t > 0) || t > 86400) {
            fprintf(stderr, "socsim serve: %s expects seconds in (0, 86400], got '%s'\n", name,
                    arg);
            return -1;
        }
        if (key == OPT_TIMEOUT)
            a->o.timeout_s = t;
        else
            a->o.hello_timeout_s = t;
        return 0;
    }
    case OPT_CONFIG_ROOT:
        a->o.config_root = arg;
        return 0;
    case OPT_MAX_ENVS_CONN:
        if (cli_parse_u64("--max-envs-per-conn", arg, &v) != 0)
            return -1;
        if (v < 1 || v > 1000000) {
            fprintf(stderr, "socsim serve: --max-envs-per-conn must be 1..1000000\n");
            return -1;
        }
        a->o.max_envs_per_conn = (int)v;
        return 0;
    case OPT_MAX_FRAME:
        if (cli_parse_u64("--max-frame", arg, &v) != 0)
            return -1;
        if (v < 1024 || v > ((uint64_t)1 << 30)) {
            fprintf(stderr, "socsim serve: --max-frame must be 1024..2^30 bytes\n");
            return -1;
        }
        a->o.max_frame = (size_t)v;
        return 0;
    case OPT_ONCE:
        a->o.once = 1;
        return 0;
    default:
        return -1;
    }
}

static int is_loopback(const char *addr)
{
    return addr == NULL || strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0;
}

int cli_cmd_serve(int argc, char **argv)
{
    serve_args_t a;
    memset(&a, 0, sizeof a);
    soc_server_options_default(&a.o);
    int first = cli_parse(argc, argv, serve_opts, serve_usage,
                          "Serve RL environments over a socket (protocol: gym/PROTOCOL.md). The\n"
                          "first line on stdout is the address to connect to: unix:PATH or\n"
                          "tcp:HOST:PORT.",
                          serve_opt, &a);
    if (first == -2)
        return CLI_OK;
    if (first < 0)
        return CLI_USAGE;
    if (first != argc) {
        fprintf(stderr, "socsim serve: unexpected argument '%s'\nusage: %s\n", argv[first],
                serve_usage);
        return CLI_USAGE;
    }
    if (a.have_unix && a.have_tcp) {
        fprintf(stderr, "socsim serve: --unix and --tcp exclude each other\n");
        return CLI_USAGE;
    }
    if (a.have_bind && !a.have_tcp) {
        fprintf(stderr, "socsim serve: --bind needs --tcp\n");
        return CLI_USAGE;
    }
    if (a.have_tcp && !is_loopback(a.o.bind_addr))
        fprintf(stderr, "socsim serve: warning: listening on %s, reachable from other hosts; "
                        "the protocol has no authentication\n", a.o.bind_addr);

    int sfd = -1;
#if defined(__linux__)
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    if (sigprocmask(SIG_BLOCK, &set, NULL) == 0)
        sfd = signalfd(-1, &set, SFD_CLOEXEC);
#endif
    a.o.stop_fd = sfd;
    /* replies are sent with MSG_NOSIGNAL; this also covers stdout */
    signal(SIGPIPE, SIG_IGN);

    soc_server_t *srv = NULL;
    soc_error_t err;
    soc_error_clear(&err);
    int rc = soc_server_create(&srv, &a.o, &err);
    if (rc != SOC_OK) {
        if (sfd >= 0)
            close(sfd);
        return cli_report(&err);
    }
    printf("%s\n", soc_server_address(srv));
    fflush(stdout);
    rc = soc_server_run(srv, &err);
    soc_server_destroy(srv);
    if (sfd >= 0)
        close(sfd);
    if (rc != SOC_OK)
        return cli_report(&err);
    return CLI_OK;
}
