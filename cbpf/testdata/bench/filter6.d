(000) ld       #pktlen
(001) jgt      #0x5dc           jt 2	jf 3
(002) ret      #262144
(003) ret      #0
