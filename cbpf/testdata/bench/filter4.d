(000) ldh      [12]
(001) jeq      #0x86dd          jt 2	jf 15
(002) ldb      [20]
(003) jeq      #0x6             jt 4	jf 10
(004) ldh      [54]
(005) jeq      #0x50            jt 41	jf 6
(006) jeq      #0x1bb           jt 41	jf 7
(007) ldh      [56]
(008) jeq      #0x50            jt 41	jf 9
(009) jeq      #0x1bb           jt 41	jf 42
(010) jeq      #0x11            jt 11	jf 42
(011) ldh      [54]
(012) jeq      #0x35            jt 41	jf 13
(013) ldh      [56]
(014) jeq      #0x35            jt 41	jf 42
(015) jeq      #0x800           jt 16	jf 42
(016) ldb      [23]
(017) jeq      #0x6             jt 18	jf 27
(018) ldh      [20]
(019) jset     #0x1fff          jt 42	jf 20
(020) ldxb     4*([14]&0xf)
(021) ldh      [x + 14]
(022) jeq      #0x50            jt 35	jf 23
(023) jeq      #0x1bb           jt 35	jf 24
(024) ldh      [x + 16]
(025) jeq      #0x50            jt 35	jf 26
(026) jeq      #0x1bb           jt 35	jf 42
(027) jeq      #0x11            jt 28	jf 42
(028) ldh      [20]
(029) jset     #0x1fff          jt 42	jf 30
(030) ldxb     4*([14]&0xf)
(031) ldh      [x + 14]
(032) jeq      #0x35            jt 35	jf 33
(033) ldh      [x + 16]
(034) jeq      #0x35            jt 35	jf 42
(035) ld       [26]
(036) and      #0xffff0000
(037) jeq      #0xc0a80000      jt 42	jf 38
(038) ld       [30]
(039) and      #0xffff0000
(040) jeq      #0xc0a80000      jt 42	jf 41
(041) ret      #262144
(042) ret      #0
