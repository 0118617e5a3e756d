package runtime

// Fused returns the number of fused adapters of a compiled component and
// the number of lowerings that take the direct copy path, for tests.
func Fused(c *Compiled) (adapters, copies int) {
	for _, t := range c.p.tramps {
		if t.copy != nil {
			copies++
		}
	}
	return c.p.fused, copies
}

// FuseMemories tells whether general adapters are planned.
const FuseMemories = fuseMemories
