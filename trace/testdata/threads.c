/* A workload that starts one thread with worker as its start routine,
 * for usym: its comm is the executable's name. */
#include <pthread.h>
#include <unistd.h>

void *worker(void *arg) { return arg; }

int main(void) {
	pthread_t t;
	pthread_create(&t, 0, worker, 0);
	pthread_join(t, 0);
	usleep(100000); /* live while the event is printed */
	return 0;
}
