package trace

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gbpf/gbpf/trace/lang"
)

// jsonLine is one `{"type": ..., "data": ...}` record of -f json.
func jsonLine(kind string, data any) string {
	b, _ := json.Marshal(data)
	return fmt.Sprintf("{\"type\": %q, \"data\": %s}\n", kind, b)
}

// jsonKey renders a map key as bpftrace's JSON output does (elements joined by ",").
func jsonKey(d *mapDesc, key []byte) string {
	var parts []string
	pos := 0
	for _, t := range d.Info.Keys {
		n := typeSize(t)
		if pos+n > len(key) {
			break
		}
		parts = append(parts, decodeValue(key[pos:pos+n], t))
		pos += n
	}
	return strings.Join(parts, ",")
}

// jsonMap renders one map as a -f json record.
func jsonMap(d *mapDesc, entries []*mapEntry, top, div uint64) string {
	if div == 0 {
		div = 1
	}
	if top > 0 && uint64(len(entries)) > top {
		entries = entries[uint64(len(entries))-top:]
	}
	kind := "map"
	value := func(e *mapEntry) string {
		switch d.Class {
		case classHist:
			var items []string
			var args []uint64
			if d.Info.Value.Agg == lang.AggLhist {
				args = d.Info.HistArgs
			}
			for i, c := range e.buckets {
				if c == 0 {
					continue
				}
				lo, hi, hasLo, hasHi := bucketRange(i, args)
				var f []string
				if hasLo {
					f = append(f, fmt.Sprintf("\"min\": %d", lo))
				}
				if hasHi {
					f = append(f, fmt.Sprintf("\"max\": %d", hi))
				}
				f = append(f, fmt.Sprintf("\"count\": %d", c/div))
				items = append(items, "{"+strings.Join(f, ", ")+"}")
			}
			return "[" + strings.Join(items, ", ") + "]"
		case classAvg:
			cnt, sum := int64(e.raw[0]), int64(e.raw[1])
			avg := int64(0)
			if cnt != 0 {
				avg = sum / cnt
			}
			if d.Info.Value.Agg == lang.AggStats {
				return fmt.Sprintf("{\"count\": %d, \"average\": %d, \"total\": %d}", cnt, avg, sum)
			}
			return fmt.Sprint(avg / int64(div))
		case classCounter, classMinMax:
			return fmt.Sprint(int64(e.raw[0]) / int64(div))
		}
		if d.Info.Value.Kind == lang.KindInt {
			return e.text
		}
		b, _ := json.Marshal(e.text)
		return string(b)
	}
	switch d.Class {
	case classHist:
		kind = "hist"
	case classAvg:
		if d.Info.Value.Agg == lang.AggStats {
			kind = "stats"
		}
	}
	var data string
	if len(d.Info.Keys) == 0 {
		if len(entries) == 0 {
			data = "{}"
		} else {
			data = value(entries[0])
		}
	} else {
		var items []string
		for _, e := range entries {
			k, _ := json.Marshal(jsonKey(d, e.key))
			items = append(items, string(k)+": "+value(e))
		}
		data = "{" + strings.Join(items, ", ") + "}"
	}
	name, _ := json.Marshal(d.Name)
	return fmt.Sprintf("{\"type\": %q, \"data\": {%s: %s}}\n", kind, name, data)
}

// bucketRange gives the inclusive value range of a histogram bucket.
func bucketRange(i int, lhist []uint64) (lo, hi int64, hasLo, hasHi bool) {
	if lhist != nil {
		min, max, step := int64(lhist[0]), int64(lhist[1]), int64(lhist[2])
		n := (max - min) / step
		switch {
		case i == 0:
			return 0, min - 1, false, true
		case int64(i) > n:
			return max, 0, true, false
		}
		lo = min + int64(i-1)*step
		return lo, lo + step - 1, true, true
	}
	switch i {
	case 0:
		return 0, -1, false, true
	case 1:
		return 0, 0, true, true
	}
	lo = int64(1) << uint(i-2)
	return lo, lo*2 - 1, true, true
}
