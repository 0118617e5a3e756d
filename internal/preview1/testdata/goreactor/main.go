// A stock Go wasip1 reactor (go build -buildmode=c-shared): its package
// initialisation runs when the component is instantiated and goes through
// the reactor adapter for its arguments, environment, clock and output.
package main

import (
	"fmt"
	"os"
	"time"
)

func init() {
	fmt.Println("reactor initialised with", len(os.Args), "args,", os.Getenv("GREETING"), time.Now().Year() > 2020)
}

func main() {}
