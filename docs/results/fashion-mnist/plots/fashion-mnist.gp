# helmholtz report: plots of fashion-mnist. Data: fashion-mnist.<codec>.levels.dat, fashion-mnist.bits.dat and fashion-mnist.<model>.<codec>.epochs.dat.
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

set output 'fashion-mnist-jpeg-accuracy-vs-level.png'
set title 'fashion-mnist: accuracy vs JPEG quality (seed mean, 95% t bars)'
set xtics nomirror ('q1' 0, 'q5' 1, 'q10' 2, 'q20' 3, 'q50' 4, 'q100' 5, 'raw' 6)
set xrange [-0.3:6.3]
set xlabel 'JPEG quality'
set ylabel 'accuracy: test, kept weights (%)'
set autoscale y
plot 'fashion-mnist.jpeg.levels.dat' index 0 using 1:4:5 with yerrorlines ls 1 lw 2 title 'small-cnn (jpeg)'

set output 'fashion-mnist-jpeg-convergence-vs-level.png'
set title 'fashion-mnist: convergence epoch vs JPEG quality (seed mean, 95% t bars)'
set xtics nomirror ('q1' 0, 'q5' 1, 'q10' 2, 'q20' 3, 'q50' 4, 'q100' 5, 'raw' 6)
set xrange [-0.3:6.3]
set xlabel 'JPEG quality'
set ylabel 'convergence epoch'
set autoscale y
plot 'fashion-mnist.jpeg.levels.dat' index 0 using 1:6:7 with yerrorlines ls 1 lw 2 title 'small-cnn (jpeg)'

set output 'fashion-mnist-webp-accuracy-vs-level.png'
set title 'fashion-mnist: accuracy vs WebP quality (seed mean, 95% t bars)'
set xtics nomirror ('q1' 0, 'q5' 1, 'q10' 2, 'q20' 3, 'q50' 4, 'q100' 5, 'raw' 6)
set xrange [-0.3:6.3]
set xlabel 'WebP quality'
set ylabel 'accuracy: test, kept weights (%)'
set autoscale y
plot 'fashion-mnist.webp.levels.dat' index 0 using 1:4:5 with yerrorlines ls 2 lw 2 title 'small-cnn (webp)'

set output 'fashion-mnist-webp-convergence-vs-level.png'
set title 'fashion-mnist: convergence epoch vs WebP quality (seed mean, 95% t bars)'
set xtics nomirror ('q1' 0, 'q5' 1, 'q10' 2, 'q20' 3, 'q50' 4, 'q100' 5, 'raw' 6)
set xrange [-0.3:6.3]
set xlabel 'WebP quality'
set ylabel 'convergence epoch'
set autoscale y
plot 'fashion-mnist.webp.levels.dat' index 0 using 1:6:7 with yerrorlines ls 2 lw 2 title 'small-cnn (webp)'

set output 'fashion-mnist-accuracy-vs-bits.png'
set title 'fashion-mnist: accuracy vs bits per sample (seed mean, 95% t bars)'
set logscale x
set logscale x2
set xrange [242.1821538:8927.9164]
set x2range [242.1821538:8927.9164]
set xtics nomirror (500, 1000, 2000, 5000)
set format x '%.0f'
set xlabel 'payload bits per sample (log scale)'
set ylabel 'accuracy: test, kept weights (%)'
set autoscale y
plot 'fashion-mnist.bits.dat' index 0 using 3:4:5 with yerrorlines ls 1 lw 2 title 'small-cnn (jpeg)', \
     'fashion-mnist.bits.dat' index 1 using 3:4:5 with yerrorlines ls 2 lw 2 title 'small-cnn (webp)'
unset logscale x
unset logscale x2
unset x2tics
set format x

set palette defined (0 '#3b0f70', 0.35 '#2c7fb8', 0.7 '#41ab5d', 1 '#e6550d')
unset colorbox

set output 'fashion-mnist-small-cnn-jpeg-val-acc-by-epoch.png'
set title 'fashion-mnist / small-cnn (jpeg): validation accuracy per epoch, by JPEG quality'
set xtics nomirror auto
set autoscale x
set xlabel 'epoch'
set ylabel 'validation accuracy (%)'
set autoscale y
plot 'fashion-mnist.small-cnn.jpeg.epochs.dat' index 0 using 1:2 with lines lw 2 lc palette frac 0 title 'q1 (6 seeds)', \
     'fashion-mnist.small-cnn.jpeg.epochs.dat' index 1 using 1:2 with lines lw 2 lc palette frac 0.1666666667 title 'q5 (6 seeds)', \
     'fashion-mnist.small-cnn.jpeg.epochs.dat' index 2 using 1:2 with lines lw 2 lc palette frac 0.3333333333 title 'q10 (6 seeds)', \
     'fashion-mnist.small-cnn.jpeg.epochs.dat' index 3 using 1:2 with lines lw 2 lc palette frac 0.5 title 'q20 (6 seeds)', \
     'fashion-mnist.small-cnn.jpeg.epochs.dat' index 4 using 1:2 with lines lw 2 lc palette frac 0.6666666667 title 'q50 (6 seeds)', \
     'fashion-mnist.small-cnn.jpeg.epochs.dat' index 5 using 1:2 with lines lw 2 lc palette frac 0.8333333333 title 'q100 (6 seeds)', \
     'fashion-mnist.small-cnn.jpeg.epochs.dat' index 6 using 1:2 with lines lw 2 lc palette frac 1 title 'raw (6 seeds)'

set output 'fashion-mnist-small-cnn-webp-val-acc-by-epoch.png'
set title 'fashion-mnist / small-cnn (webp): validation accuracy per epoch, by WebP quality'
set xtics nomirror auto
set autoscale x
set xlabel 'epoch'
set ylabel 'validation accuracy (%)'
set autoscale y
plot 'fashion-mnist.small-cnn.webp.epochs.dat' index 0 using 1:2 with lines lw 2 lc palette frac 0 title 'q1 (6 seeds)', \
     'fashion-mnist.small-cnn.webp.epochs.dat' index 1 using 1:2 with lines lw 2 lc palette frac 0.1666666667 title 'q5 (6 seeds)', \
     'fashion-mnist.small-cnn.webp.epochs.dat' index 2 using 1:2 with lines lw 2 lc palette frac 0.3333333333 title 'q10 (6 seeds)', \
     'fashion-mnist.small-cnn.webp.epochs.dat' index 3 using 1:2 with lines lw 2 lc palette frac 0.5 title 'q20 (6 seeds)', \
     'fashion-mnist.small-cnn.webp.epochs.dat' index 4 using 1:2 with lines lw 2 lc palette frac 0.6666666667 title 'q50 (6 seeds)', \
     'fashion-mnist.small-cnn.webp.epochs.dat' index 5 using 1:2 with lines lw 2 lc palette frac 0.8333333333 title 'q100 (6 seeds)', \
     'fashion-mnist.small-cnn.webp.epochs.dat' index 6 using 1:2 with lines lw 2 lc palette frac 1 title 'raw (6 seeds)'

unset output
