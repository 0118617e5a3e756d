package parse

import "unicode/utf8"

// checkSemver validates a version as the semver crate's Version::parse does
// and returns its error message, or "" when the version is valid. The
// messages are the crate's own, since the reference reports them verbatim.
func checkSemver(text string) string {
	if text == "" {
		return "empty string, expected a semver version"
	}
	rest := text
	for i, pos := range []string{"major version number", "minor version number", "patch version number"} {
		var msg string
		if rest, msg = semverNumber(rest, pos); msg != "" {
			return msg
		}
		if i < 2 {
			if rest == "" {
				return "unexpected end of input while parsing " + pos
			}
			if rest[0] != '.' {
				return "unexpected character " + quotedChar(rest) + " after " + pos
			}
			rest = rest[1:]
		}
	}
	pos := "patch version number"
	if rest != "" && rest[0] == '-' {
		pos = "pre-release identifier"
		var msg string
		var n int
		if n, rest, msg = semverIdent(rest[1:], pos); msg != "" {
			return msg
		} else if n == 0 {
			return "empty identifier segment in " + pos
		}
	}
	if rest != "" && rest[0] == '+' {
		pos = "build metadata"
		var msg string
		var n int
		if n, rest, msg = semverIdent(rest[1:], pos); msg != "" {
			return msg
		} else if n == 0 {
			return "empty identifier segment in " + pos
		}
	}
	if rest != "" {
		return "unexpected character " + quotedChar(rest) + " after " + pos
	}
	return ""
}

func semverNumber(s, pos string) (rest, msg string) {
	n := 0
	var value uint64
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		if value == 0 && n > 0 {
			return "", "invalid leading zero in " + pos
		}
		d := uint64(s[n] - '0')
		if value > (1<<64-1-d)/10 {
			return "", "value of " + pos + " exceeds u64::MAX"
		}
		value = value*10 + d
		n++
	}
	if n > 0 {
		return s[n:], ""
	}
	if s != "" {
		return "", "unexpected character " + quotedChar(s) + " while parsing " + pos
	}
	return "", "unexpected end of input while parsing " + pos
}

// semverIdent reads dot-separated identifiers; n is the length consumed.
func semverIdent(s, pos string) (n int, rest, msg string) {
	acc, seg := 0, 0
	nondigit := false
	for {
		var c byte
		have := acc+seg < len(s)
		if have {
			c = s[acc+seg]
		}
		switch {
		case have && (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '-'):
			seg++
			nondigit = true
		case have && c >= '0' && c <= '9':
			seg++
		default:
			if seg == 0 {
				if acc == 0 && !(have && c == '.') {
					return 0, s, ""
				}
				return 0, "", "empty identifier segment in " + pos
			}
			if pos == "pre-release identifier" && seg > 1 && !nondigit && s[acc] == '0' {
				return 0, "", "invalid leading zero in " + pos
			}
			acc += seg
			if have && c == '.' {
				acc++
				seg = 0
				nondigit = false
			} else {
				return acc, s[acc:], ""
			}
		}
	}
}

// quotedChar is the semver crate's quoting of the first character of s.
func quotedChar(s string) string {
	r, _ := utf8.DecodeRuneInString(s)
	return rustChar(r)
}
