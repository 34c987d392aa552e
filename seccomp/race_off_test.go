//go:build !race

package seccomp

// raceEnabled is true under the race detector, where every child process
// starts about a second slower, so the kernel tests start fewer of them.
const raceEnabled = false
