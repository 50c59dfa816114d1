/*
 * library.c -- process-wide set-up and the version string.
 */
#include <gsl/gsl_errno.h>
#include <igraph.h>

#include "soc/status.h"

#ifndef SOC_VERSION_STRING
#define SOC_VERSION_STRING "0.0.0"
#endif

void soc_library_init(void)
{
    /* Both libraries abort on error by default: unacceptable in a server
     * or a sweep.  Setting the handlers is idempotent. */
    gsl_set_error_handler_off();
    igraph_set_error_handler(igraph_error_handler_ignore);
    igraph_set_warning_handler(igraph_warning_handler_ignore);
}

const char *soc_version(void)
{
    return SOC_VERSION_STRING;
}
