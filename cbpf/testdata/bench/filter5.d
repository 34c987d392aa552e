(000) ldh      [12]
(001) jeq      #0x8100          jt 4	jf 2
(002) jeq      #0x88a8          jt 4	jf 3
(003) jeq      #0x9100          jt 4	jf 7
(004) ldh      [16]
(005) jeq      #0x86dd          jt 6	jf 7
(006) ret      #262144
(007) ret      #0
