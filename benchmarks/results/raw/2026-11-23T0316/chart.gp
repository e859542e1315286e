
set terminal pngcairo size 1600,1500 font 'DejaVu Sans,10'
set output '/work/main/benchmarks/results/2026-11-23T0316.png'
set datafile missing '?'
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set key below horizontal
set grid ytics
set xtics rotate by -25 nomirror
set multiplot layout 3,2 title 'Sallyport vs HAProxy vs nginx (medians; missing bar = not available)'
set title 'Throughput (req/s; TCP stream in MB/s), log scale'
set logscale y
plot '/work/main/benchmarks/results/raw/2026-11-23T0316/chart.dat' every ::0::6 using 2:xtic(1) title 'Sallyport' lc rgb '#1b9e77', '' every ::0::6 using 3 title 'HAProxy' lc rgb '#d95f02', '' every ::0::6 using 4 title 'nginx' lc rgb '#7570b3'
set title 'p50 latency (ms), log scale'
plot '/work/main/benchmarks/results/raw/2026-11-23T0316/chart.dat' every ::0::6 using 5:xtic(1) title 'Sallyport' lc rgb '#1b9e77', '' every ::0::6 using 6 title 'HAProxy' lc rgb '#d95f02', '' every ::0::6 using 7 title 'nginx' lc rgb '#7570b3'
set title 'p99 latency (ms), log scale'
plot '/work/main/benchmarks/results/raw/2026-11-23T0316/chart.dat' every ::0::6 using 8:xtic(1) title 'Sallyport' lc rgb '#1b9e77', '' every ::0::6 using 9 title 'HAProxy' lc rgb '#d95f02', '' every ::0::6 using 10 title 'nginx' lc rgb '#7570b3'
set title 'Proxy CPU per request (µs; TCP stream: per MB), log scale: lower is better'
plot '/work/main/benchmarks/results/raw/2026-11-23T0316/chart.dat' every ::0::6 using 14:xtic(1) title 'Sallyport' lc rgb '#1b9e77', '' every ::0::6 using 15 title 'HAProxy' lc rgb '#d95f02', '' every ::0::6 using 16 title 'nginx' lc rgb '#7570b3'
unset logscale y
set title 'Proxy peak RSS (MiB) under each scenario, and with 1000 idle connections'
set yrange [0:*]
plot '/work/main/benchmarks/results/raw/2026-11-23T0316/chart.dat' using 11:xtic(1) title 'Sallyport' lc rgb '#1b9e77', '' using 12 title 'HAProxy' lc rgb '#d95f02', '' using 13 title 'nginx' lc rgb '#7570b3'
unset multiplot
