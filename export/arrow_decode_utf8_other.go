//go:build !amd64 || purego

package export

// validUTF8Wide is validUTF8's fast path for processors that have one; here
// there is none.
func validUTF8Wide(b []byte) (valid, ok bool) { return false, false }
