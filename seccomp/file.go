package seccomp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// policyFile is the JSON shape of a policy file.
type policyFile struct {
	Arch    string     `json:"arch,omitempty"`
	Default string     `json:"default"`
	BadArch string     `json:"bad_arch,omitempty"`
	Rules   []ruleFile `json:"rules"`
}

type ruleFile struct {
	Syscalls []string  `json:"syscalls"`
	Action   string    `json:"action"`
	Args     []argFile `json:"args,omitempty"`
}

type argFile struct {
	Index *int     `json:"index"`
	Op    string   `json:"op"`
	Value *u64JSON `json:"value"`
	Mask  *u64JSON `json:"mask,omitempty"`
}

// u64JSON is a 64-bit number written as a JSON number or string.
type u64JSON uint64

func (u *u64JSON) UnmarshalJSON(b []byte) error {
	s := string(b)
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	if v, err := strconv.ParseUint(s, 0, 64); err == nil {
		*u = u64JSON(v)
		return nil
	}
	if v, err := strconv.ParseInt(s, 0, 64); err == nil && v < 0 {
		*u = u64JSON(uint64(v))
		return nil
	}
	return fmt.Errorf("%s is not a 64-bit integer", s)
}

func (u u64JSON) MarshalJSON() ([]byte, error) {
	return []byte(strconv.FormatUint(uint64(u), 10)), nil
}

// ParsePolicy reads a policy file (see the format above) and checks the
// policy with Policy.Validate. Errors give the line and column of JSON
// syntax errors, and the rule and comparison of semantic ones.
func ParsePolicy(data []byte) (*Policy, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f policyFile
	if err := dec.Decode(&f); err != nil {
		return nil, jsonError(data, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("seccomp: policy: %s: data after the policy object", position(data, int(dec.InputOffset())))
	}
	if f.Default == "" {
		return nil, fmt.Errorf("seccomp: policy: missing \"default\" action")
	}
	p := &Policy{Arch: f.Arch}
	var err error
	if p.DefaultAction, err = ParseAction(f.Default); err != nil {
		return nil, fmt.Errorf("seccomp: policy: default: %w", err)
	}
	if f.BadArch != "" {
		if p.BadArchAction, err = ParseAction(f.BadArch); err != nil {
			return nil, fmt.Errorf("seccomp: policy: bad_arch: %w", err)
		}
		p.BadArchSet = true
	}
	for ri, rf := range f.Rules {
		r := Rule{Syscalls: rf.Syscalls}
		if rf.Action == "" {
			return nil, fmt.Errorf("seccomp: policy: rule %d: missing \"action\"", ri)
		}
		if r.Action, err = ParseAction(rf.Action); err != nil {
			return nil, fmt.Errorf("seccomp: policy: rule %d: %w", ri, err)
		}
		for ai, af := range rf.Args {
			if af.Index == nil || af.Value == nil || af.Op == "" {
				return nil, fmt.Errorf("seccomp: policy: rule %d, comparison %d: \"index\", \"op\" and \"value\" are required", ri, ai)
			}
			c := ArgCmp{Index: *af.Index, Value: uint64(*af.Value)}
			if c.Op, err = ParseOp(af.Op); err != nil {
				return nil, fmt.Errorf("seccomp: policy: rule %d, comparison %d: %w", ri, ai, err)
			}
			if af.Mask != nil {
				if c.Op != OpMaskedEq {
					return nil, fmt.Errorf("seccomp: policy: rule %d, comparison %d: \"mask\" needs op \"&=\"", ri, ai)
				}
				c.Mask = uint64(*af.Mask)
			} else if c.Op == OpMaskedEq {
				return nil, fmt.Errorf("seccomp: policy: rule %d, comparison %d: op \"&=\" needs \"mask\"", ri, ai)
			}
			r.Args = append(r.Args, c)
		}
		p.Rules = append(p.Rules, r)
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("seccomp: policy: %w", err)
	}
	return p, nil
}

// MarshalPolicy writes p in the policy file format; ParsePolicy reads it back
// to an equal policy.
func MarshalPolicy(p *Policy) ([]byte, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	f := policyFile{Arch: p.Arch, Default: p.DefaultAction.String(), Rules: []ruleFile{}}
	if p.BadArchSet {
		f.BadArch = p.BadArchAction.String()
	}
	for _, r := range p.Rules {
		rf := ruleFile{Syscalls: r.Syscalls, Action: r.Action.String()}
		for _, c := range r.Args {
			idx, v := c.Index, u64JSON(c.Value)
			af := argFile{Index: &idx, Op: c.Op.String(), Value: &v}
			if c.Op == OpMaskedEq {
				m := u64JSON(c.Mask)
				af.Mask = &m
			}
			rf.Args = append(rf.Args, af)
		}
		f.Rules = append(f.Rules, rf)
	}
	return json.MarshalIndent(f, "", "  ")
}

// jsonError adds line:column to a decoding error.
func jsonError(data []byte, err error) error {
	switch e := err.(type) {
	case *json.SyntaxError:
		return fmt.Errorf("seccomp: policy: %s: %v", position(data, int(e.Offset)-1), err)
	case *json.UnmarshalTypeError:
		return fmt.Errorf("seccomp: policy: %s: %v", position(data, int(e.Offset)), err)
	}
	return fmt.Errorf("seccomp: policy: %v", err)
}

// position returns "line:column" (1-based) of byte offset off in data.
func position(data []byte, off int) string {
	off = max(0, min(off, len(data)))
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := off - bytes.LastIndexByte(data[:off], '\n')
	return fmt.Sprintf("%d:%d", line, col)
}
