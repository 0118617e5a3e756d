// Package arcjet_test runs a component nobody here built: Arcjet's request
// analysis (@arcjet/analyze-wasm 1.5.0 on npm, a 3 MB Rust component with
// five host interfaces). Its WIT comes from the component itself
// (component.DecodeWIT), the host bindings in ./bindings are generated from
// that, the test implements the five imported interfaces in Go and checks
// what the exports answer.
package arcjet_test

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/wasmcm/wasmcm/bindgen"
	"github.com/wasmcm/wasmcm/bindgen/hostcm"
	"github.com/wasmcm/wasmcm/bindgen/internal/host/arcjet/bindings/arcjet/jsreq/emailvalidatoroverrides"
	"github.com/wasmcm/wasmcm/bindgen/internal/host/arcjet/bindings/arcjet/jsreq/sensitiveinformationidentifier"
	"github.com/wasmcm/wasmcm/bindgen/internal/host/arcjet/bindings/arcjet/jsreq/verifybot"
	"github.com/wasmcm/wasmcm/bindgen/internal/host/arcjet/bindings/root/component/root"
	"github.com/wasmcm/wasmcm/bindgen/internal/host/hosttest"
	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/internal/testutil"
)

const (
	pkgSpec = "@arcjet/analyze-wasm@1.5.0"
	tarball = "arcjet-analyze-wasm-1.5.0.tgz"
	inTar   = "package/wasm/arcjet_analyze_js_req.component.wasm"
	pkgRoot = "github.com/wasmcm/wasmcm/bindgen/internal/host/arcjet/bindings"
)

var (
	binOnce sync.Once
	bin     []byte
	binSkip string
)

// arcjetComponent returns the component, fetching the npm package into
// .cache/arcjet with npm pack on first use; it skips the test when that
// cannot be done (no npm, no network).
func arcjetComponent(t *testing.T) []byte {
	t.Helper()
	binOnce.Do(func() { bin, binSkip = fetch(t) })
	if binSkip != "" {
		t.Skip(binSkip)
	}
	return bin
}

func fetch(t *testing.T) ([]byte, string) {
	dir := filepath.Join(testutil.RepoRoot(t), ".cache", "arcjet")
	out := filepath.Join(dir, filepath.Base(inTar))
	if b, err := os.ReadFile(out); err == nil {
		return b, ""
	}
	tgz := filepath.Join(dir, tarball)
	if _, err := os.Stat(tgz); err != nil {
		if _, err := exec.LookPath("npm"); err != nil {
			return nil, "skipped: npm is absent, and the Arcjet component comes from npm (npm pack " + pkgSpec + " into .cache/arcjet)"
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, "skipped: " + err.Error()
		}
		cmd := exec.Command("npm", "pack", pkgSpec)
		cmd.Dir = dir
		if b, err := cmd.CombinedOutput(); err != nil {
			line, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
			return nil, fmt.Sprintf("skipped: npm pack %s failed (%v): %s", pkgSpec, err, line)
		}
	}
	b, err := untar(tgz, inTar)
	if err != nil {
		t.Fatalf("%s: %v", tgz, err)
	}
	if err := os.WriteFile(out+".tmp", b, 0o644); err == nil {
		os.Rename(out+".tmp", out)
	}
	return b, ""
}

// untar returns file name of the gzipped tarball at path.
func untar(path, name string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(z)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil, errors.New("no " + name + " in the package")
		}
		if err != nil {
			return nil, err
		}
		if h.Name == name {
			if h.Size > 64<<20 {
				return nil, fmt.Errorf("%s is %d bytes, more than a component this test expects", name, h.Size)
			}
			return io.ReadAll(io.LimitReader(tr, h.Size))
		}
	}
}

// TestBindingsCurrent generates host bindings from the component's own
// WIT and checks that the committed ones are the same.
func TestBindingsCurrent(t *testing.T) {
	d, err := component.DecodeWIT(arcjetComponent(t))
	if err != nil {
		t.Fatal(err)
	}
	files, err := bindgen.GoHost(d.Resolve, d.World, bindgen.GoOptions{PackageRoot: pkgRoot})
	if err != nil {
		t.Fatal(err)
	}
	again, _ := bindgen.GoHost(d.Resolve, d.World, bindgen.GoOptions{PackageRoot: pkgRoot})
	for n, b := range files {
		if string(again[n]) != string(b) {
			t.Errorf("%s differs between two generations", n)
		}
	}
	hosttest.Current(t, "bindgen/internal/host/arcjet/bindings", files)
}

// request is a request as Arcjet's JavaScript SDK hands it to the
// component: JSON of its details.
func request(ip, ua string) string {
	return fmt.Sprintf(`{"ip":%q,"method":"GET","protocol":"https:","host":"example.com","path":"/x","headers":{"user-agent":%q,"accept":"*/*"},"cookies":"","query":"?a=1","extra":{}}`, ip, ua)
}

const googlebot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"

// TestArcjet calls every export of the component with checked results;
// the host's answers to its imports change what they say.
func TestArcjet(t *testing.T) {
	ctx := context.Background()
	h := &host{}
	inst, err := root.Instantiate(ctx, hosttest.Runtime(t), arcjetComponent(t), h.imports())
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(ctx)
	passed, total := 0, 0
	check := func(what string, got, want any, calls ...string) {
		t.Helper()
		total++
		h.mu.Lock()
		gotCalls := h.calls
		h.calls = nil
		h.mu.Unlock()
		if g, w := fmt.Sprintf("%+v", got), fmt.Sprintf("%+v", want); g != w {
			t.Errorf("%s = %s, want %s", what, g, w)
			return
		}
		if calls != nil && fmt.Sprint(gotCalls) != fmt.Sprint(calls) {
			t.Errorf("%s: the host saw %q, want %q", what, gotCalls, calls)
			return
		}
		passed++
	}
	errText := func(err error) string {
		if err == nil {
			return "<nil>"
		}
		return err.Error()
	}

	// Fingerprints: stable for a request, different for another IP.
	curl := request("100.100.100.100", "curl/8.1.2")
	fp1, err1 := inst.GenerateFingerprint(ctx, curl, []string{"ip.src"})
	fp2, err2 := inst.GenerateFingerprint(ctx, curl, []string{"ip.src"})
	fp3, err3 := inst.GenerateFingerprint(ctx, request("100.100.100.101", "curl/8.1.2"), []string{"ip.src"})
	check("generate-fingerprint", [5]any{strings.HasPrefix(fp1, "fp::2::") && len(fp1) == len("fp::2::")+64, fp1 == fp2, fp1 != fp3, errors.Join(err1, err2, err3), len(fp3)}, [5]any{true, true, true, nil, len(fp1)})
	fpUA, err := inst.GenerateFingerprint(ctx, curl, []string{`http.request.headers["user-agent"]`})
	check("generate-fingerprint by header", [2]any{fpUA != fp1 && strings.HasPrefix(fpUA, "fp::2::"), err}, [2]any{true, nil})
	check("validate-characteristics", errText(inst.ValidateCharacteristics(ctx, curl, []string{"ip.src", `http.request.headers["user-agent"]`})), "<nil>")
	check("validate-characteristics (bad)", errText(inst.ValidateCharacteristics(ctx, curl, []string{"http.request.headers[]"})),
		"error generating identifier - requested a user-defined `http.request.headers[]` characteristic but the `http.request.headers[]` value was empty")

	// Bots: the component's own list, the host's custom detection and
	// verification.
	br, err := inst.DetectBot(ctx, curl, root.BotConfigAllowedBotConfig(root.AllowedBotConfig{Entities: []string{}}))
	check("detect-bot curl, none allowed", [2]any{br, err}, [2]any{root.BotResult{Allowed: []string{}, Denied: []string{"CURL"}}, nil}, fmt.Sprintf("bot-identifier.detect(%d bytes)", len(curl)))
	br, err = inst.DetectBot(ctx, curl, root.BotConfigAllowedBotConfig(root.AllowedBotConfig{Entities: []string{"CURL"}}))
	check("detect-bot curl, curl allowed", [2]any{br, err}, [2]any{root.BotResult{Allowed: []string{"CURL"}, Denied: []string{}}, nil})
	gb := request("66.249.66.1", googlebot)
	br, err = inst.DetectBot(ctx, gb, root.BotConfigAllowedBotConfig(root.AllowedBotConfig{Entities: []string{"CATEGORY:GOOGLE"}}))
	check("detect-bot googlebot, verified by the host", [2]any{br, err}, [2]any{root.BotResult{Allowed: []string{"GOOGLE_CRAWLER", "CATEGORY:GOOGLE"}, Denied: []string{}, Verified: true}, nil},
		fmt.Sprintf("bot-identifier.detect(%d bytes)", len(gb)), "verify-bot.verify(GOOGLE_CRAWLER, 66.249.66.1)")
	br, err = inst.DetectBot(ctx, request("100.100.100.100", googlebot), root.BotConfigAllowedBotConfig(root.AllowedBotConfig{Entities: []string{"CATEGORY:GOOGLE"}}))
	check("detect-bot googlebot, spoofed says the host", [3]any{br.Spoofed, br.Verified, err}, [3]any{true, false, nil})
	custom := request("100.100.100.100", "Nobody/1.0")
	br, err = inst.DetectBot(ctx, custom, root.BotConfigDeniedBotConfig(root.DeniedBotConfig{Entities: []string{"MY_BOT"}}))
	check("detect-bot, the host's custom bot denied", [2]any{br, err}, [2]any{root.BotResult{Allowed: []string{}, Denied: []string{"MY_BOT"}}, nil})
	br, err = inst.DetectBot(ctx, custom, root.BotConfigDeniedBotConfig(root.DeniedBotConfig{Entities: []string{"MY_BOT"}, SkipCustomDetect: true}))
	check("detect-bot, custom detection skipped", [2]any{br, err}, [2]any{root.BotResult{Allowed: []string{}, Denied: []string{}}, nil}, []string{}...)
	_, err = inst.DetectBot(ctx, `{"ip":"1.1.1.1","headers":{}}`, root.BotConfigDeniedBotConfig(root.DeniedBotConfig{}))
	check("detect-bot without user-agent", errText(err), "failed to detect bot: user-agent header is empty")

	// Filters, with the host's IP lookup.
	fr, err := inst.MatchFilters(ctx, curl, "{}", []string{`ip.src == 100.100.100.100`, `http.request.method eq "POST"`}, true)
	check("match-filters", [2]any{fr, err}, [2]any{root.FilterResult{Allowed: true, MatchedExpressions: []string{"ip.src == 100.100.100.100"}, UndeterminedExpressions: []string{}}, nil})
	fr, err = inst.MatchFilters(ctx, curl, "{}", []string{`ip.src.country eq "NL"`}, false)
	check("match-filters, no IP data", [2]any{fr, err}, [2]any{root.FilterResult{Allowed: true, MatchedExpressions: []string{}, UndeterminedExpressions: []string{`ip.src.country eq "NL"`}}, nil}, "filter-overrides.ip-lookup(100.100.100.100)")
	h.lookup = hostcm.Some(`{"country":"NL"}`)
	fr, err = inst.MatchFilters(ctx, curl, "{}", []string{`ip.src.country eq "NL"`}, false)
	check("match-filters, the host's IP data", [2]any{fr, err}, [2]any{root.FilterResult{Allowed: false, MatchedExpressions: []string{`ip.src.country eq "NL"`}, UndeterminedExpressions: []string{}}, nil})
	h.lookup = hostcm.Some(`not json`)
	_, err = inst.MatchFilters(ctx, curl, "{}", []string{`ip.src.country eq "NL"`}, false)
	check("match-filters, bad IP data", errText(err), "expected ident at line 1 column 2")
	h.lookup = hostcm.None[string]()

	// Email validation, with the host's overrides.
	deny := root.EmailValidationConfigDenyEmailValidationConfig(root.DenyEmailValidationConfig{RequireTopLevelDomain: true, Deny: []string{"DISPOSABLE", "FREE"}})
	for _, c := range []struct {
		email string
		want  root.EmailValidationResult
		calls []string
	}{
		{"alice@example.com", root.EmailValidationResult{Validity: root.EmailValidityValid, Blocked: []string{}},
			[]string{"email-validator-overrides.is-free-email(example.com)", "email-validator-overrides.is-disposable-email(example.com)"}},
		{"bob@freemail.test", root.EmailValidationResult{Validity: root.EmailValidityInvalid, Blocked: []string{"FREE"}}, nil},
		{"carol@throwaway.test", root.EmailValidationResult{Validity: root.EmailValidityInvalid, Blocked: []string{"DISPOSABLE"}}, nil},
		{"not an email", root.EmailValidationResult{Validity: root.EmailValidityInvalid, Blocked: []string{"INVALID"}}, []string{}},
		{"x@localhost", root.EmailValidationResult{Validity: root.EmailValidityInvalid, Blocked: []string{"INVALID"}}, nil},
	} {
		r, err := inst.IsValidEmail(ctx, c.email, deny)
		check("is-valid-email("+c.email+")", [2]any{r, err}, [2]any{c.want, nil}, c.calls...)
	}
	allow := root.EmailValidationConfigAllowEmailValidationConfig(root.AllowEmailValidationConfig{Allow: []string{"FREE"}})
	r, err := inst.IsValidEmail(ctx, "bob@freemail.test", allow)
	check("is-valid-email, free allowed", [2]any{r, err}, [2]any{root.EmailValidationResult{Validity: root.EmailValidityValid, Blocked: []string{}}, nil})

	// Sensitive information, with the host's custom detection.
	text := "mail me at alice@example.com or call +1 555 123 4567, password hunter2"
	sr, err := inst.DetectSensitiveInfo(ctx, text, root.SensitiveInfoConfig{
		Entities: root.SensitiveInfoEntitiesDeny([]sensitiveinformationidentifier.SensitiveInfoEntity{sensitiveinformationidentifier.SensitiveInfoEntityEmail(), sensitiveinformationidentifier.SensitiveInfoEntityCustom("password")}),
	})
	check("detect-sensitive-info", [3]any{entities(text, sr.Denied), entities(text, sr.Allowed), err}, [3]any{
		[]string{"email alice@example.com", "custom(password) hunter2"}, []string{"phone-number +1 555 123 4567"}, nil})
	h.mu.Lock()
	h.calls = nil
	h.mu.Unlock()
	sr, err = inst.DetectSensitiveInfo(ctx, text, root.SensitiveInfoConfig{
		Entities:          root.SensitiveInfoEntitiesAllow([]sensitiveinformationidentifier.SensitiveInfoEntity{sensitiveinformationidentifier.SensitiveInfoEntityPhoneNumber()}),
		ContextWindowSize: hostcm.Some[uint32](2),
		SkipCustomDetect:  true,
	})
	check("detect-sensitive-info, allow list, no custom detection", [3]any{entities(text, sr.Denied), entities(text, sr.Allowed), err}, [3]any{
		[]string{"email alice@example.com"}, []string{"phone-number +1 555 123 4567"}, nil}, []string{}...)
	sr, err = inst.DetectSensitiveInfo(ctx, "", root.SensitiveInfoConfig{Entities: root.SensitiveInfoEntitiesDeny(nil)})
	check("detect-sensitive-info of nothing", [2]any{sr, err}, [2]any{root.SensitiveInfoResult{Allowed: []root.DetectedSensitiveInfoEntity{}, Denied: []root.DetectedSensitiveInfoEntity{}}, nil})
	t.Logf("%d/%d checks", passed, total)
}

// entities describes detected entities as "kind text".
func entities(text string, es []root.DetectedSensitiveInfoEntity) []string {
	out := []string{}
	for _, e := range es {
		k := e.IdentifiedType.Kind().String()
		if c, ok := e.IdentifiedType.Custom(); ok {
			k += "(" + c + ")"
		}
		if e.Start > e.End || int(e.End) > len(text) {
			out = append(out, fmt.Sprintf("%s [%d, %d) out of range", k, e.Start, e.End))
			continue
		}
		out = append(out, k+" "+text[e.Start:e.End])
	}
	return out
}

// host implements the component's five imported interfaces, recording
// the calls.
type host struct {
	mu     sync.Mutex
	calls  []string
	lookup hostcm.Option[string]
}

func (h *host) note(format string, args ...any) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls = append(h.calls, fmt.Sprintf(format, args...))
}

func (h *host) imports() root.Imports {
	return root.Imports{
		EmailValidatorOverrides:        emailHost{h},
		SensitiveInformationIdentifier: sensitiveHost{h},
		VerifyBot:                      verifyHost{h},
		BotIdentifier:                  botHost{h},
		FilterOverrides:                filterHost{h},
	}
}

type emailHost struct{ h *host }

func (e emailHost) IsFreeEmail(ctx context.Context, domain string) (emailvalidatoroverrides.ValidatorResponse, error) {
	e.h.note("email-validator-overrides.is-free-email(%s)", domain)
	if domain == "freemail.test" {
		return emailvalidatoroverrides.ValidatorResponseYes, nil
	}
	return emailvalidatoroverrides.ValidatorResponseUnknown, nil
}

func (e emailHost) IsDisposableEmail(ctx context.Context, domain string) (emailvalidatoroverrides.ValidatorResponse, error) {
	e.h.note("email-validator-overrides.is-disposable-email(%s)", domain)
	if domain == "throwaway.test" {
		return emailvalidatoroverrides.ValidatorResponseYes, nil
	}
	return emailvalidatoroverrides.ValidatorResponseNo, nil
}

func (e emailHost) HasMxRecords(ctx context.Context, domain string) (emailvalidatoroverrides.ValidatorResponse, error) {
	e.h.note("email-validator-overrides.has-mx-records(%s)", domain)
	return emailvalidatoroverrides.ValidatorResponseUnknown, nil
}

func (e emailHost) HasGravatar(ctx context.Context, email string) (emailvalidatoroverrides.ValidatorResponse, error) {
	e.h.note("email-validator-overrides.has-gravatar(%s)", email)
	return emailvalidatoroverrides.ValidatorResponseUnknown, nil
}

type sensitiveHost struct{ h *host }

func (s sensitiveHost) Detect(ctx context.Context, tokens []string) ([]hostcm.Option[sensitiveinformationidentifier.SensitiveInfoEntity], error) {
	s.h.note("sensitive-information-identifier.detect(%q)", tokens)
	out := make([]hostcm.Option[sensitiveinformationidentifier.SensitiveInfoEntity], len(tokens))
	for i, tok := range tokens {
		if tok == "hunter2" {
			out[i] = hostcm.Some(sensitiveinformationidentifier.SensitiveInfoEntityCustom("password"))
		}
	}
	return out, nil
}

type verifyHost struct{ h *host }

func (v verifyHost) Verify(ctx context.Context, botID, ip string) (verifybot.ValidatorResponse, error) {
	v.h.note("verify-bot.verify(%s, %s)", botID, ip)
	if botID == "GOOGLE_CRAWLER" {
		// Google's crawlers come from 66.249.64.0/19.
		if strings.HasPrefix(ip, "66.249.") {
			return verifybot.ValidatorResponseVerified, nil
		}
		return verifybot.ValidatorResponseSpoofed, nil
	}
	return verifybot.ValidatorResponseUnverifiable, nil
}

type botHost struct{ h *host }

func (b botHost) Detect(ctx context.Context, request string) ([]string, error) {
	b.h.note("bot-identifier.detect(%d bytes)", len(request))
	if strings.Contains(request, "Nobody") {
		return []string{"MY_BOT"}, nil
	}
	return nil, nil
}

type filterHost struct{ h *host }

func (f filterHost) IPLookup(ctx context.Context, ip string) (hostcm.Option[string], error) {
	f.h.note("filter-overrides.ip-lookup(%s)", ip)
	return f.h.lookup, nil
}

// The host's types implement what the bindings ask for.
var (
	_ emailvalidatoroverrides.Imports        = emailHost{}
	_ sensitiveinformationidentifier.Imports = sensitiveHost{}
	_ verifybot.Imports                      = verifyHost{}
)
