# helmholtz report: plots of fashion-mnist. Data: fashion-mnist.levels.dat, fashion-mnist.bits.dat and fashion-mnist.<model>.epochs.dat.
# Draw again with: gnuplot fashion-mnist.gp (in this folder).
set terminal pngcairo size 1000,620 noenhanced font 'sans,11' linewidth 1.5
set datafile missing '?'
set grid lc rgb '#d0d0d0'
set border lc rgb '#404040'
set key outside right top spacing 1.2
set bars small
set title font ',13'
set offsets 0, 0, graph 0.05, graph 0.05
set style line 1 lc rgb '#1f77b4' pt 7 ps 1.1
set style line 2 lc rgb '#d62728' pt 5 ps 1.1
set style line 3 lc rgb '#2ca02c' pt 9 ps 1.3
set style line 4 lc rgb '#9467bd' pt 11 ps 1.3
set style line 5 lc rgb '#ff7f0e' pt 13 ps 1.3
set style line 6 lc rgb '#17becf' pt 15 ps 1.3
set style line 7 lc rgb '#8c564b' pt 7 ps 1.1
set style line 8 lc rgb '#7f7f7f' pt 5 ps 1.1

set output 'fashion-mnist-accuracy-vs-level.png'
set title 'fashion-mnist: accuracy vs JPEG quality (seed mean, 95% t bars)'
set xtics nomirror ('q1' 0, 'q5' 1, 'q10' 2, 'q20' 3, 'q50' 4, 'q100' 5, 'raw' 6)
set xrange [-0.3:6.3]
set xlabel 'JPEG quality'
set ylabel 'accuracy: mean of 10 best val_acc (%)'
set autoscale y
plot 'fashion-mnist.levels.dat' index 0 using 1:4:5 with yerrorlines ls 1 lw 2 title 'cnns-dense-64 (setting 1)'

set output 'fashion-mnist-accuracy-vs-bits.png'
set title 'fashion-mnist: accuracy vs bits per sample (seed mean, 95% t bars)'
set logscale x
set logscale x2
set xrange [242.2446154:10649.6]
set x2range [242.2446154:10649.6]
set xtics nomirror (500, 1000, 2000, 5000, 10000)
set format x '%.0f'
set x2tics rotate by 90 left font ',9' ('q1' 314.918, 'q5' 429.288, 'q10' 639.7, 'q20' 960.846, 'q50' 1612.238, 'q100' 6836.53, 'raw' 8192)
set xlabel 'payload bits per sample (log scale; top: JPEG quality)'
set ylabel 'accuracy: mean of 10 best val_acc (%)'
set autoscale y
plot 'fashion-mnist.bits.dat' index 0 using 3:4:5 with yerrorlines ls 1 lw 2 title 'cnns-dense-64 (setting 1)'
unset logscale x
unset logscale x2
unset x2tics
set format x

set palette defined (0 '#3b0f70', 0.35 '#2c7fb8', 0.7 '#41ab5d', 1 '#e6550d')
unset colorbox

set output 'fashion-mnist-cnns-dense-64-val-acc-by-epoch.png'
set title 'fashion-mnist / cnns-dense-64: validation accuracy per epoch, by JPEG quality'
set xtics nomirror auto
set autoscale x
set xlabel 'epoch'
set ylabel 'validation accuracy (%)'
set autoscale y
plot 'fashion-mnist.cnns-dense-64.epochs.dat' index 0 using 1:2 with lines lw 2 lc palette frac 0 title 'q1 (3 seeds)', \
     'fashion-mnist.cnns-dense-64.epochs.dat' index 1 using 1:2 with lines lw 2 lc palette frac 0.1666666667 title 'q5 (3 seeds)', \
     'fashion-mnist.cnns-dense-64.epochs.dat' index 2 using 1:2 with lines lw 2 lc palette frac 0.3333333333 title 'q10 (3 seeds)', \
     'fashion-mnist.cnns-dense-64.epochs.dat' index 3 using 1:2 with lines lw 2 lc palette frac 0.5 title 'q20 (3 seeds)', \
     'fashion-mnist.cnns-dense-64.epochs.dat' index 4 using 1:2 with lines lw 2 lc palette frac 0.6666666667 title 'q50 (3 seeds)', \
     'fashion-mnist.cnns-dense-64.epochs.dat' index 5 using 1:2 with lines lw 2 lc palette frac 0.8333333333 title 'q100 (3 seeds)', \
     'fashion-mnist.cnns-dense-64.epochs.dat' index 6 using 1:2 with lines lw 2 lc palette frac 1 title 'raw (3 seeds)'

unset output
