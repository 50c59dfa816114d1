/*
 * soc/server.h -- the environment server behind `socsim serve`: many
 * environments (soc/gym.h) for many clients over a Unix socket or loopback
 * TCP, speaking the protocol of gym/PROTOCOL.md.
 *
 * Single-threaded: soc_server_run() polls the listening socket, every
 * connection and an optional stop descriptor.  A client can only ever get an
 * error reply or lose its own connection; nothing a client sends makes the
 * server exit.
 */
#ifndef SOC_SERVER_H
#define SOC_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include "soc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct soc_server_options {
    uint32_t struct_size;    /* sizeof(soc_server_options_t) */
    const char *unix_path;   /* Unix socket path; NULL and tcp_port < 0 =
                                a fresh private directory under $TMPDIR */
    int tcp_port;            /* >= 0: TCP on this port (0 = any free one);
                                < 0: Unix socket */
    const char *bind_addr;   /* TCP address, NULL = "127.0.0.1" */
    int max_envs;            /* all connections together; <= 0: 1024 */
    double timeout_s;        /* read timeout; <= 0: 30 */
    size_t max_frame;        /* request size cap (bytes); 0: 1 MiB */
    int max_conns;           /* simultaneous connections; <= 0: 256 */
    int once;                /* return when the first connection closes */
    int stop_fd;             /* readable = stop (e.g. a signalfd); -1 none */
    /* Fields below are read only when struct_size covers them. */
    const char *config_root; /* make's config_path must name a file in this
                                directory tree (symbolic links resolved;
                                relative paths are taken under it).  NULL:
                                over TCP config_path is refused (inline
                                configs only); on a Unix socket, whose
                                clients are the server's own user, any file
                                the server can read */
    int max_envs_per_conn;   /* environments one connection may hold; <= 0: 64 */
    double hello_timeout_s;  /* a new connection must complete hello within
                                this many seconds; <= 0: 10 */
} soc_server_options_t;

typedef struct soc_server soc_server_t;

/* Fill *o with the defaults (Unix socket in a private directory). */
SOC_API void soc_server_options_default(soc_server_options_t *o);

/* Create the listening socket (bound and listening on return, so clients
 * may connect before soc_server_run starts).  A Unix socket gets mode 0600;
 * an existing socket file at unix_path is replaced, any other file is an
 * error.  Errors: SOC_EINVAL (bad options), SOC_EIO (socket, bind, listen:
 * err says why), SOC_ENOMEM. */
SOC_API int soc_server_create(soc_server_t **out, const soc_server_options_t *o,
                              soc_error_t *err);

/* "unix:PATH" or "tcp:HOST:PORT" (borrowed, valid while the server lives). */
SOC_API const char *soc_server_address(const soc_server_t *s);

/* Serve until stop_fd becomes readable, or (once) the first connection has
 * closed.  Returns SOC_OK, or SOC_EIO if poll itself fails. */
SOC_API int soc_server_run(soc_server_t *s, soc_error_t *err);

/* Close every connection and environment, remove the Unix socket (and the
 * private directory it created).  NULL is fine. */
SOC_API void soc_server_destroy(soc_server_t *s);

#ifdef __cplusplus
}
#endif
#endif
