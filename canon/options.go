package canon

// StringEncoding is the string-encoding canonical option.
type StringEncoding uint8

// The three string encodings.
const (
	UTF8 StringEncoding = iota
	UTF16
	Latin1UTF16 // latin1+utf16: Latin-1 when it fits, else UTF-16, tagged in the length
)

// String returns the option's spelling: "utf8", "utf16", "latin1+utf16".
func (e StringEncoding) String() string {
	switch e {
	case UTF16:
		return "utf16"
	case Latin1UTF16:
		return "latin1+utf16"
	}
	return "utf8"
}
