package verifier

// release drops the reference id from the state (release_reference_state);
// it reports whether the state held it.
func (s *state) release(id uint32) bool {
	for k, r := range s.refs {
		if r.id == id {
			s.refs = append(s.refs[:k:k], s.refs[k+1:]...)
			return true
		}
	}
	return false
}

// releaseReference releases the reference id and invalidates every
// register and spill holding it (release_reference): privileged, they
// become unknown scalars.
func (s *state) releaseReference(id uint32) bool {
	if !s.release(id) {
		return false
	}
	s.eachReg(func(r *reg) {
		if r.refObj == id {
			*r = unknownScalar()
		}
	})
	return true
}

// checkReferenceLeak refuses an exit from the program, or a tail call,
// while references are held (check_reference_leak); with cbFrame >= 0, an
// exit from that callback frame while it holds references it acquired.
func (v *verifier) checkReferenceLeak(st *state, i int, cbFrame int) error {
	var last *ref
	for k := range st.refs {
		if r := &st.refs[k]; cbFrame < 0 || r.cbFrame == cbFrame {
			if last != nil {
				v.logf("Unreleased reference id=%d alloc_insn=%d\n", last.id, v.slot(last.insn))
			}
			last = r
		}
	}
	if last != nil {
		return v.fail(i, "Unreleased reference id=%d alloc_insn=%d", last.id, v.slot(last.insn))
	}
	return nil
}
