//go:build !linux

package main

import "errors"

// filterLive is live capture, which gbpf supports on Linux only.
func filterLive(e *env, fa *filterArgs) error {
	return errors.New("live capture (-i) needs Linux; read a capture file with -r")
}
