package parse

import "strings"

// unwrapMarkdown keeps the contents of the ```wit (or ~~~wit) fenced code
// blocks of a markdown document and blanks everything else to spaces,
// keeping newlines, so every byte offset (and so every error position) in
// the result is the same as in the markdown file.
func unwrapMarkdown(src string) string {
	out := []byte(src)
	inBlock := false
	var fence byte
	fenceLen := 0
	for lineStart := 0; lineStart < len(src); {
		lineEnd := strings.IndexByte(src[lineStart:], '\n')
		if lineEnd < 0 {
			lineEnd = len(src)
		} else {
			lineEnd += lineStart
		}
		line := src[lineStart:lineEnd]
		keep := false
		if inBlock {
			if c, n, rest := fenceOf(line); c == fence && n >= fenceLen && strings.TrimSpace(rest) == "" {
				inBlock = false
			} else {
				keep = true
			}
		} else if c, n, rest := fenceOf(line); n >= 3 {
			info := strings.Fields(rest)
			if len(info) > 0 && info[0] == "wit" {
				inBlock, fence, fenceLen = true, c, n
			}
		}
		if !keep {
			for i := lineStart; i < lineEnd; i++ {
				out[i] = ' '
			}
		}
		lineStart = lineEnd + 1
	}
	return string(out)
}

// fenceOf returns the fence character and length of a code fence line
// (indented by at most three spaces), and the text after the fence.
func fenceOf(line string) (c byte, n int, rest string) {
	i := 0
	for i < len(line) && i < 3 && line[i] == ' ' {
		i++
	}
	if i >= len(line) || (line[i] != '`' && line[i] != '~') {
		return 0, 0, ""
	}
	c = line[i]
	j := i
	for j < len(line) && line[j] == c {
		j++
	}
	if j-i < 3 {
		return 0, 0, ""
	}
	return c, j - i, line[j:]
}
