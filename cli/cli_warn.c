/*
 * cli_warn.c -- the CLI's sink for library warnings (soc_warn_sink_t):
 * "socsim: warning: file:line: message" on standard error.
 */
#include <stdio.h>

#include "cli.h"

void cli_warning(void *user, const soc_error_t *w)
{
    (void)user;
    char buf[1024];
    fprintf(stderr, "socsim: warning: %s\n", soc_error_format(w, buf, sizeof buf));
}
