/*
 * cli_gantt.c -- Gantt chart of a schedule as PNG, drawn by gnuplot from a
 * generated script (kept next to the PNG as FILE.png.gp).
 */
#define _GNU_SOURCE /* fdopen, getline, flock, O_DIRECTORY, fdatasync */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "soc_util.h"
#include "cli_trace.h"

int cli_gnuplot(const char *script)
{
    /* gnuplot runs in the script's directory: the scripts name their data
     * and outputs by plain file names, so they stay usable where they are */
    const char *slash = strrchr(script, '/');
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "socsim: cannot start gnuplot: %s\n", strerror(errno));
        return CLI_FAIL;
    }
    if (pid == 0) {
        if (slash != NULL) {
            size_t n = slash == script ? 1 : (size_t)(slash - script);
            char *dir = malloc(n + 1);
            if (dir == NULL)
                _exit(126);
            memcpy(dir, script, n);
            dir[n] = '\0';
            if (chdir(dir) != 0)
                _exit(126);
            free(dir);
        }
        execlp("gnuplot", "gnuplot", slash ? slash + 1 : script, (char *)NULL);
        _exit(127);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127) {
        fprintf(stderr, "socsim: gnuplot is not installed (apt-get install gnuplot-nox); the "
                        "script is in %s\n",
                script);
        return CLI_FAIL;
    }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "socsim: gnuplot failed on %s\n", script);
        return CLI_FAIL;
    }
    return 0;
}

void cli_gp_quote(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'')
            fputc('\'', f);
        if ((unsigned char)*s >= 0x20)
            fputc(*s, f);
    }
    fputc('\'', f);
}

int cli_gantt_write(const char *png, const cli_sched_t *s, const char *title)
{
    size_t n = strlen(png) + 4;
    char *gp = malloc(n);
    if (gp == NULL)
        return CLI_FAIL;
    snprintf(gp, n, "%s.gp", png);
    FILE *f = fopen(gp, "w");
    if (f == NULL) {
        fprintf(stderr, "socsim: %s: cannot write: %s\n", gp, strerror(errno));
        free(gp);
        return CLI_USAGE;
    }
    double t_end = 0;
    for (int i = 0; i < s->n; i++)
        if (s->bars[i].finish_us > t_end)
            t_end = s->bars[i].finish_us;
    int rows = s->n_pes > 0 ? s->n_pes : 1;
    int height = 160 + 28 * rows;
    if (height > 4000)
        height = 4000;
    fprintf(f, "# Gantt chart written by socsim; rerun in this directory with: gnuplot %s\n",
            strrchr(gp, '/') ? strrchr(gp, '/') + 1 : gp);
    fprintf(f, "set terminal pngcairo size 1400,%d font 'sans,10' noenhanced\n", height);
    fputs("set output ", f);
    cli_gp_quote(f, strrchr(png, '/') ? strrchr(png, '/') + 1 : png);
    fputs("\nset title ", f);
    cli_gp_quote(f, title ? title : "schedule");
    fprintf(f, "\nset xlabel 'time (us)'\nset ylabel 'processing element'\n"
               "set xrange [0:%.17g]\nset yrange [%d.5:-0.5]\n"
               "set style fill solid 0.85 border lc rgb '#303030'\n"
               "set grid xtics lc rgb '#dddddd'\n"
               "set key outside right top title 'application'\n",
            t_end > 0 ? t_end * 1.01 : 1.0, rows - 1);
    fputs("set ytics (", f);
    for (int pe = 0; pe < s->n_pes; pe++) {
        fprintf(f, "%s", pe ? ", " : "");
        cli_gp_quote(f, s->pe_names[pe]);
        fprintf(f, " %d", pe);
    }
    fputs(")\n", f);
    /* label tasks only when they can be read */
    int labels = s->n <= 60;
    fputs("plot '-' using (($1+$2)/2):3:(($2-$1)/2):(0.38):4 with boxxyerror lc variable notitle", f);
    if (labels)
        fputs(", '-' using (($1+$2)/2):3:4 with labels font 'sans,8' notitle", f);
    for (int a = 0; a < s->n_apps; a++) {
        fputs(", NaN with boxes lc ", f);
        fprintf(f, "%d title ", a + 1);
        cli_gp_quote(f, s->app_names[a]);
    }
    fputc('\n', f);
    for (int i = 0; i < s->n; i++)
        fprintf(f, "%.17g %.17g %d %d\n", s->bars[i].start_us, s->bars[i].finish_us,
                s->bars[i].pe, s->bars[i].app + 1);
    fputs("e\n", f);
    if (labels) {
        for (int i = 0; i < s->n; i++)
            fprintf(f, "%.17g %.17g %d \"%lld.%d\"\n", s->bars[i].start_us, s->bars[i].finish_us,
                    s->bars[i].pe, s->bars[i].job, s->bars[i].task);
        fputs("e\n", f);
    }
    int bad = ferror(f);
    bad |= fclose(f) != 0;
    int code = bad ? CLI_FAIL : cli_gnuplot(gp);
    if (bad)
        fprintf(stderr, "socsim: %s: write error\n", gp);
    free(gp);
    return code;
}
