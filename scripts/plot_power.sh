#!/usr/bin/env bash
# Plot a power trace written by `socsim run ... --power-trace FILE.csv`:
# three panels over time -- power per cluster (W), frequency per cluster
# (MHz) and the hottest hotspot (C).  Needs gnuplot (apt-get install
# gnuplot-nox).  The gnuplot script is kept next to the PNG (OUT.png.gp) so
# the figure can be restyled.
#   usage: scripts/plot_power.sh FILE.csv [OUT.png]      (RUN=k: run k of a DS3 sweep, default 0)
set -euo pipefail
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: $0 FILE.csv [OUT.png]" >&2; exit 2; }
CSV=$1
OUT=${2:-${CSV%.csv}.png}
RUN=${RUN:-0}
[ -r "$CSV" ] || { echo "$0: cannot read $CSV" >&2; exit 2; }
command -v gnuplot >/dev/null || { echo "$0: gnuplot not found (apt-get install gnuplot-nox)" >&2; exit 1; }
header=$(head -n 1 "$CSV")
case "$header" in
run,time_us,*max_temp_c) ;;
*) echo "$0: $CSV is not a socsim power trace (header: $header)" >&2; exit 2 ;;
esac
ncol=$(awk -F, 'NR == 1 { print NF }' "$CSV")
ncl=$(( (ncol - 3) / 2 ))
DAT=$OUT.dat
# rows of the chosen run, whitespace separated, header kept for titles
awk -F, -v run="$RUN" 'NR == 1 || $1 == run { $1 = $1; print }' OFS=' ' "$CSV" > "$DAT"
[ "$(wc -l < "$DAT")" -gt 1 ] || { echo "$0: no rows for run $RUN in $CSV" >&2; exit 2; }
GP=$OUT.gp
{
    echo "# socsim power trace plot; redraw with: gnuplot '$(basename "$GP")'"
    echo "set terminal pngcairo size 1100,900 noenhanced"
    echo "set output '$OUT'"
    echo "set key outside right"
    echo "set grid"
    echo "set multiplot layout 3,1 title 'socsim power trace: $(basename "$CSV") (run $RUN)'"
    echo "set ylabel 'power (W)'"
    printf "plot"
    for ((c = 0; c < ncl; c++)); do
        col=$((3 + ncl + c))
        printf "%s '%s' using 2:%d with steps lw 1.5 title columnheader(%d)" \
            "$([ $c -gt 0 ] && echo ,)" "$DAT" "$col" "$col"
    done
    echo
    echo "set ylabel 'frequency (MHz)'"
    printf "plot"
    for ((c = 0; c < ncl; c++)); do
        col=$((3 + c))
        printf "%s '%s' using 2:%d with steps lw 1.5 title columnheader(%d)" \
            "$([ $c -gt 0 ] && echo ,)" "$DAT" "$col" "$col"
    done
    echo
    echo "set ylabel 'max temperature (C)'"
    echo "set xlabel 'time (us)'"
    echo "plot '$DAT' using 2:$ncol with lines lw 2 title 'max_temp_c'"
    echo "unset multiplot"
} > "$GP"
gnuplot "$GP"
echo "$OUT"
