package trace

import "testing"

func TestPointeeOf(t *testing.T) {
	for _, tc := range []struct {
		decl   string
		size   int
		signed bool
	}{
		{"const char ", 1, true},
		{"unsigned char ", 1, false},
		{"const char *const ", 8, false},
		{"int ", 4, true},
		{"unsigned int ", 4, false},
		{"u32 ", 4, false},
		{"pid_t ", 4, true},
		{"size_t ", 8, false},
		{"loff_t ", 8, true},
		{"long ", 8, true},
		{"struct timespec ", 0, false},
		{"const void ", 8, false},
	} {
		if size, signed := pointeeOf(tc.decl); size != tc.size || signed != tc.signed {
			t.Errorf("pointeeOf(%q) = %d, %v; want %d, %v", tc.decl, size, signed, tc.size, tc.signed)
		}
	}
}
