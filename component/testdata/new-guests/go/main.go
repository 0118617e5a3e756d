// A stock Go program for GOOS=wasip1, which component.New wraps with the
// preview-1 command adapter in new_guest_test.go.
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "exit" {
		os.Exit(3)
	}
	fmt.Println("hello from go")
	fmt.Printf("args %v\n", os.Args)
	for _, kv := range os.Environ() {
		fmt.Printf("env %s\n", kv)
	}
	in, _ := io.ReadAll(os.Stdin)
	fmt.Printf("stdin %q\n", in)
	fmt.Fprintln(os.Stderr, "to stderr")
}
