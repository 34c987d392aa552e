package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"sort"

	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/object"
)

// cmdMaps lists the maps of an ELF object, including its global data.
func cmdMaps(e *env, args []string) error {
	fs := newFlagSet("maps")
	asJSON := fs.Bool("json", false, "print one JSON line")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("usage: gbpf maps %s", synopsis["maps"])
	}
	spec, err := object.LoadSpec(pos[0])
	if err != nil {
		return err
	}
	type mapInfo struct {
		Name       string `json:"name"`
		Type       string `json:"type"`
		KeySize    uint32 `json:"bytes_key"`
		ValueSize  uint32 `json:"bytes_value"`
		MaxEntries uint32 `json:"max_entries"`
		Flags      uint32 `json:"flags"`
		Section    string `json:"section"`
	}
	infos := make([]mapInfo, 0, len(spec.Maps))
	for _, m := range spec.Maps {
		infos = append(infos, mapInfo{m.Name, mapTypeName(m.Type), m.KeySize, m.ValueSize, m.MaxEntries, m.Flags, m.Section})
	}
	if *asJSON {
		line, err := json.Marshal(infos)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s\n", line)
		return nil
	}
	// bpftool map show's layout, without the kernel-only fields (id, memlock).
	for _, m := range infos {
		fmt.Fprintf(e.stdout, "%s: %s  flags 0x%x  section %s\n\tkey %dB  value %dB  max_entries %d\n",
			m.Name, m.Type, m.Flags, m.Section, m.KeySize, m.ValueSize, m.MaxEntries)
	}
	return nil
}

// mapTypeName is bpftool's name for a map type (lower case, as in
// "bpftool map show").
var bpftoolMapTypes = map[maps.Type]string{
	maps.Hash: "hash", maps.Array: "array", maps.ProgArray: "prog_array", maps.PerfEventArray: "perf_event_array",
	maps.PerCPUHash: "percpu_hash", maps.PerCPUArray: "percpu_array", maps.LRUHash: "lru_hash",
	maps.LRUPerCPUHash: "lru_percpu_hash", maps.LPMTrie: "lpm_trie", maps.ArrayOfMaps: "array_of_maps",
	maps.HashOfMaps: "hash_of_maps", maps.Queue: "queue", maps.Stack: "stack", maps.RingBuf: "ringbuf",
	maps.BloomFilter: "bloom_filter", maps.DevMap: "devmap", maps.DevMapHash: "devmap_hash",
	maps.CPUMap: "cpumap", maps.XSKMap: "xskmap",
}

func mapTypeName(t maps.Type) string {
	if n, ok := bpftoolMapTypes[t]; ok {
		return n
	}
	return t.String()
}

// writeMapDump writes every map as JSON, the --dump-maps format:
// {"MAP": [{"key": HEX, "value": HEX}, ...]} sorted by key bytes, per-CPU
// maps with "values" per CPU, ring buffers as {"MAP": {"records": [HEX]}},
// queues and stacks as [{"value": HEX}] in the order pop returns them.
func writeMapDump(path string, ms map[string]*maps.Map) error {
	names := make([]string, 0, len(ms))
	for n := range ms {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, name := range names {
		m := ms[name]
		v, err := dumpOne(m)
		if err != nil {
			return fmt.Errorf("map %s: %v", name, err)
		}
		k, _ := json.Marshal(name)
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(v)
	}
	buf.WriteString("}\n")
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

type dumpEntry struct {
	Key    *string  `json:"key,omitempty"`
	Value  *string  `json:"value,omitempty"`
	Values []string `json:"values,omitempty"`
}

func hexp(b []byte) *string {
	s := hex.EncodeToString(b)
	return &s
}

func dumpOne(m *maps.Map) ([]byte, error) {
	switch m.Type() {
	case maps.RingBuf:
		recs, err := m.RingBufPending()
		if err != nil {
			return nil, err
		}
		out := struct {
			Records []string `json:"records"`
		}{Records: []string{}}
		for _, r := range recs {
			out.Records = append(out.Records, hex.EncodeToString(r))
		}
		return json.Marshal(out)
	case maps.Queue, maps.Stack:
		vals, err := m.QueueContents()
		if err != nil {
			return nil, err
		}
		out := []dumpEntry{}
		for _, v := range vals {
			out = append(out, dumpEntry{Value: hexp(v)})
		}
		return json.Marshal(out)
	case maps.PerfEventArray, maps.BloomFilter, maps.XSKMap:
		// None has elements user space can list.
		return []byte("[]"), nil
	}
	entries, err := m.Entries()
	if err != nil {
		return nil, err
	}
	out := []dumpEntry{}
	for _, en := range entries {
		d := dumpEntry{Key: hexp(en.Key)}
		if en.Values != nil {
			for _, v := range en.Values {
				d.Values = append(d.Values, hex.EncodeToString(v))
			}
		} else {
			d.Value = hexp(en.Value)
		}
		out = append(out, d)
	}
	return json.Marshal(out)
}
