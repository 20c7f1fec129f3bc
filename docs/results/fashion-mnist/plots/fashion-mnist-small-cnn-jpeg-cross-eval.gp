# fashion-mnist / small-cnn: accuracy, trained at one level, tested at another (helmholtz report)
set terminal pngcairo size 900,720 noenhanced font 'sans,11'
set output 'fashion-mnist-small-cnn-jpeg-cross-eval.png'
set title 'fashion-mnist / small-cnn: accuracy, trained at one level, tested at another'
set xlabel 'tested at (JPEG quality)'
set ylabel 'trained at (JPEG quality)'
set xtics ('q1' 0, 'q5' 1, 'q10' 2, 'q20' 3, 'q50' 4, 'q100' 5, 'raw' 6)
set ytics ('q1' 0, 'q5' 1, 'q10' 2, 'q20' 3, 'q50' 4, 'q100' 5, 'raw' 6)
set xrange [-0.5:6.5]
set yrange [-0.5:6.5]
set cblabel 'test accuracy of the kept weights (%)'
set palette defined (0 '#d73027', 0.5 '#fee08b', 1 '#1a9850')
unset key
set style fill solid 1.0 noborder
set object 1 rect from -0.5,-0.5 to 0.5,0.5 front fillstyle empty border lc rgb 'black' lw 3
set object 2 rect from 0.5,0.5 to 1.5,1.5 front fillstyle empty border lc rgb 'black' lw 3
set object 3 rect from 1.5,1.5 to 2.5,2.5 front fillstyle empty border lc rgb 'black' lw 3
set object 4 rect from 2.5,2.5 to 3.5,3.5 front fillstyle empty border lc rgb 'black' lw 3
set object 5 rect from 3.5,3.5 to 4.5,4.5 front fillstyle empty border lc rgb 'black' lw 3
set object 6 rect from 4.5,4.5 to 5.5,5.5 front fillstyle empty border lc rgb 'black' lw 3
set object 7 rect from 5.5,5.5 to 6.5,6.5 front fillstyle empty border lc rgb 'black' lw 3
plot 'fashion-mnist-small-cnn-jpeg-cross-eval.dat' using 1:2:(0.5):(0.5):3 with boxxyerror fillcolor palette, \
     '' using 1:2:(sprintf('%.1f', $3)) with labels font 'sans,10'
