(000) ldh      [12]
(001) jeq      #0x800           jt 2	jf 8
(002) ld       [26]
(003) jeq      #0xa000001       jt 6	jf 4
(004) ld       [30]
(005) jeq      #0xa000001       jt 6	jf 15
(006) ldb      [23]
(007) jeq      #0x11            jt 15	jf 14
(008) jeq      #0x806           jt 10	jf 9
(009) jeq      #0x8035          jt 10	jf 15
(010) ld       [28]
(011) jeq      #0xa000001       jt 14	jf 12
(012) ld       [38]
(013) jeq      #0xa000001       jt 14	jf 15
(014) ret      #262144
(015) ret      #0
