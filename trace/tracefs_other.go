//go:build !linux

package trace

import (
	"fmt"
	"os"
	"path/filepath"
)

// ensureTracefs reports whether tracefs is there: outside Linux it never
// is, and there is nothing to mount.
func ensureTracefs(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, "events")); err == nil {
		return nil
	}
	return fmt.Errorf("no tracefs at %s: kernel tracing needs Linux", dir)
}
