package trace

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// ensureTracefs mounts tracefs when its events directory is missing.
func ensureTracefs(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, "events")); err == nil {
		return nil
	}
	if err := unix.Mount("nodev", dir, "tracefs", 0, ""); err != nil {
		return fmt.Errorf("mounting tracefs at %s: %w", dir, err)
	}
	return nil
}
