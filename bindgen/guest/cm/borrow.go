package cm

// lent are the borrowed handles the running export received; the component
// model requires the callee to drop them before it returns.
var lent []*Resource

// Lend records r, a borrowed handle an export received, to be dropped when
// the export's Go implementation returns.
func Lend(r *Resource) { lent = append(lent, r) }

// EndBorrows drops the borrowed handles of the export that just returned and
// makes their Go values unusable.
func EndBorrows() {
	for i, r := range lent {
		if h := r.handle; h != 0 {
			r.handle = 0
			r.drop(h)
		}
		lent[i] = nil
	}
	lent = lent[:0]
}
