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
// while references are held (check_reference_leak).
func (v *verifier) checkReferenceLeak(st *state, i int) error {
	if len(st.refs) == 0 {
		return nil
	}
	for _, r := range st.refs[:len(st.refs)-1] {
		v.logf("Unreleased reference id=%d alloc_insn=%d\n", r.id, v.slot(r.insn))
	}
	r := st.refs[len(st.refs)-1]
	return v.fail(i, "Unreleased reference id=%d alloc_insn=%d", r.id, v.slot(r.insn))
}
