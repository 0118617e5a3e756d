package wit_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/wasmcm/wasmcm/wit"
)

// Load a package directory (its deps/ folder would hold dependencies), pick
// its world and print the resolved model as the reference's JSON.
func Example() {
	dir, err := os.MkdirTemp("", "wit-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	src := `package example:greeter@1.0.0;

interface greet {
  /// Says hello.
  hello: func(name: string) -> string;
}

world greeter {
  export greet;
}
`
	if err := os.WriteFile(filepath.Join(dir, "greeter.wit"), []byte(src), 0o644); err != nil {
		log.Fatal(err)
	}

	r, pkgs, err := wit.Load(dir, wit.Options{})
	if err != nil {
		log.Fatal(err)
	}
	world, err := r.SelectWorld(pkgs, "greeter") // or "", or "example:greeter/greeter@1.0.0"
	if err != nil {
		log.Fatal(err)
	}
	w := r.Worlds[world]
	fmt.Printf("world %s exports %s\n", w.Name, r.Interfaces[w.Exports[0].Interface].Name)

	js, err := r.MarshalJSON()
	if err != nil {
		log.Fatal(err)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, js, "", "  "); err != nil {
		log.Fatal(err)
	}
	fmt.Println(out.String())
	// Output:
	// world greeter exports greet
	// {
	//   "worlds": [
	//     {
	//       "name": "greeter",
	//       "imports": {},
	//       "exports": {
	//         "interface-0": {
	//           "interface": {
	//             "id": 0
	//           }
	//         }
	//       },
	//       "package": 0
	//     }
	//   ],
	//   "interfaces": [
	//     {
	//       "name": "greet",
	//       "types": {},
	//       "functions": {
	//         "hello": {
	//           "name": "hello",
	//           "kind": "freestanding",
	//           "params": [
	//             {
	//               "name": "name",
	//               "type": "string"
	//             }
	//           ],
	//           "result": "string",
	//           "docs": {
	//             "contents": "Says hello."
	//           }
	//         }
	//       },
	//       "package": 0
	//     }
	//   ],
	//   "types": [],
	//   "packages": [
	//     {
	//       "name": "example:greeter@1.0.0",
	//       "interfaces": {
	//         "greet": 0
	//       },
	//       "worlds": {
	//         "greeter": 0
	//       }
	//     }
	//   ]
	// }
}

// Errors carry the file, line and column, and print like the reference.
func ExampleError() {
	var r wit.Resolve
	_, err := r.AddSource("bad.wit", "package a:b;\n\ninterface i {\n  f: func() -> nope;\n}\n")
	if e, ok := err.(*wit.Error); ok {
		fmt.Println(e.Location())
	}
	fmt.Println(err)
	// Output:
	// bad.wit:4:16
	// name `nope` does not exist
	//      --> bad.wit:4:16
	//       |
	//     4 |   f: func() -> nope;
	//       |                ^---
}
