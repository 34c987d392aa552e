// switch64: for every byte of the memory, a 64-way switch on its low six
// bits picks one of 64 different updates of an accumulator.

typedef unsigned char u8;
typedef unsigned long long u64;

u64 prog(void *mem, u64 len)
{
	const u8 *p = mem;
	u64 acc = len;

	for (u64 i = 0; i < len; i++) {
		switch (p[i] & 63) {
		case 0:
			acc += 12345ULL;
			break;
		case 1:
			acc ^= acc >> 8;
			break;
		case 2:
			acc = acc * 7ULL + 7283611ULL;
			break;
		case 3:
			acc -= 10919244ULL ^ i;
			break;
		case 4:
			acc = (acc << 29) | (acc >> 35);
			break;
		case 5:
			acc ^= 1413294ULL + i;
			break;
		case 6:
			acc += acc << 12;
			break;
		case 7:
			acc = (acc & 8684560ULL) + (acc >> 19);
			break;
		case 8:
			acc += 12320193ULL;
			break;
		case 9:
			acc ^= acc >> 2;
			break;
		case 10:
			acc = acc * 23ULL + 2814243ULL;
			break;
		case 11:
			acc -= 6449876ULL ^ i;
			break;
		case 12:
			acc = (acc << 23) | (acc >> 41);
			break;
		case 13:
			acc ^= 13721142ULL + i;
			break;
		case 14:
			acc += acc << 6;
			break;
		case 15:
			acc = (acc & 4215192ULL) + (acc >> 13);
			break;
		case 16:
			acc += 7850825ULL;
			break;
		case 17:
			acc ^= acc >> 27;
			break;
		case 18:
			acc = acc * 39ULL + 15122091ULL;
			break;
		case 19:
			acc -= 1980508ULL ^ i;
			break;
		case 20:
			acc = (acc << 17) | (acc >> 47);
			break;
		case 21:
			acc ^= 9251774ULL + i;
			break;
		case 22:
			acc += acc << 31;
			break;
		case 23:
			acc = (acc & 16523040ULL) + (acc >> 7);
			break;
		case 24:
			acc += 3381457ULL;
			break;
		case 25:
			acc ^= acc >> 21;
			break;
		case 26:
			acc = acc * 55ULL + 10652723ULL;
			break;
		case 27:
			acc -= 14288356ULL ^ i;
			break;
		case 28:
			acc = (acc << 11) | (acc >> 53);
			break;
		case 29:
			acc ^= 4782406ULL + i;
			break;
		case 30:
			acc += acc << 25;
			break;
		case 31:
			acc = (acc & 12053672ULL) + (acc >> 1);
			break;
		case 32:
			acc += 15689305ULL;
			break;
		case 33:
			acc ^= acc >> 15;
			break;
		case 34:
			acc = acc * 71ULL + 6183355ULL;
			break;
		case 35:
			acc -= 9818988ULL ^ i;
			break;
		case 36:
			acc = (acc << 5) | (acc >> 59);
			break;
		case 37:
			acc ^= 313038ULL + i;
			break;
		case 38:
			acc += acc << 19;
			break;
		case 39:
			acc = (acc & 7584304ULL) + (acc >> 26);
			break;
		case 40:
			acc += 11219937ULL;
			break;
		case 41:
			acc ^= acc >> 9;
			break;
		case 42:
			acc = acc * 87ULL + 1713987ULL;
			break;
		case 43:
			acc -= 5349620ULL ^ i;
			break;
		case 44:
			acc = (acc << 30) | (acc >> 34);
			break;
		case 45:
			acc ^= 12620886ULL + i;
			break;
		case 46:
			acc += acc << 13;
			break;
		case 47:
			acc = (acc & 3114936ULL) + (acc >> 20);
			break;
		case 48:
			acc += 6750569ULL;
			break;
		case 49:
			acc ^= acc >> 3;
			break;
		case 50:
			acc = acc * 103ULL + 14021835ULL;
			break;
		case 51:
			acc -= 880252ULL ^ i;
			break;
		case 52:
			acc = (acc << 24) | (acc >> 40);
			break;
		case 53:
			acc ^= 8151518ULL + i;
			break;
		case 54:
			acc += acc << 7;
			break;
		case 55:
			acc = (acc & 15422784ULL) + (acc >> 14);
			break;
		case 56:
			acc += 2281201ULL;
			break;
		case 57:
			acc ^= acc >> 28;
			break;
		case 58:
			acc = acc * 119ULL + 9552467ULL;
			break;
		case 59:
			acc -= 13188100ULL ^ i;
			break;
		case 60:
			acc = (acc << 18) | (acc >> 46);
			break;
		case 61:
			acc ^= 3682150ULL + i;
			break;
		case 62:
			acc += acc << 1;
			break;
		case 63:
			acc = (acc & 10953416ULL) + (acc >> 8);
			break;
		}
	}
	return acc;
}
